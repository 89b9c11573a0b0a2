//! Hard limits that keep hostile input cheap. One struct, documented defaults.

/// Bounds on what a single document may cost. Exceeding one fails with
/// [`crate::Error::LimitExceeded`] (CORRUPT_FILE) or [`crate::Error::TooLarge`].
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest input accepted, in bytes. Default 100 MiB.
    pub max_input_bytes: usize,
    /// Largest size any one stream may inflate to. Default 64 MiB (a page of a real
    /// form decodes to a few hundred KiB; a bomb is stopped early).
    pub max_decompressed_bytes: usize,
    /// Most indirect objects a document may hold. Default 2,000,000.
    pub max_objects: usize,
    /// Most pages. Default 10,000.
    pub max_pages: usize,
    /// Deepest field hierarchy (/Kids nesting) followed. Default 32.
    pub max_field_depth: usize,
    /// Most fields (terminal fields) read. Default 50,000.
    pub max_fields: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_input_bytes: 100 * 1024 * 1024,
            max_decompressed_bytes: 64 * 1024 * 1024,
            max_objects: 2_000_000,
            max_pages: 10_000,
            max_field_depth: 32,
            max_fields: 50_000,
        }
    }
}
