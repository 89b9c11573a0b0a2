//! Opening a PDF (sniffing, decryption, limits, error classification) and saving it
//! (incremental update by default, full rewrite when the file structure requires it).

use std::collections::BTreeSet;

use lopdf::encryption::EncryptionState;
use lopdf::{Document, LoadOptions, ObjectId};

use crate::partial::{self, PartialSource};
use crate::update;

use crate::error::{Error, Result};
use crate::limits::Limits;

/// How to open a document.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// User (or owner) password for encrypted files. Files encrypted with an empty
    /// user password open without one.
    pub password: Option<String>,
    /// Safety limits.
    pub limits: Limits,
    /// Parse every object up front with lopdf's (repairing) loader instead of only what a
    /// fill reads. Slower; for diagnosis and for comparing the two loaders in tests.
    pub parse_everything: bool,
}

/// How far into the file we look for the `%PDF-` header; readers accept some junk before it.
const HEADER_SEARCH_WINDOW: usize = 1024;

/// A loaded PDF plus what is needed to write it back faithfully.
pub(crate) struct LoadedPdf {
    pub doc: Document,
    /// The input from its `%PDF-` header on (the base of an incremental update).
    pub original: Vec<u8>,
    /// The cross-reference data was rebuilt by scanning: append-only updates are unsafe.
    pub recovered: bool,
    /// The input's encryption and its /Encrypt object (output is encrypted the same way).
    encryption: Option<(EncryptionState, Option<ObjectId>)>,
    /// The newest cross-reference section is a stream (an update uses one too).
    xref_stream: bool,
    /// Set when only the objects a fill needs were parsed.
    partial: Option<PartialSource>,
    password: Option<String>,
    limits: Limits,
}

impl LoadedPdf {
    /// Whether the input was encrypted.
    pub fn was_encrypted(&self) -> bool {
        self.encryption.is_some()
    }

    /// Makes every object of the file present in `doc` (flatten and full rewrites need them).
    /// Objects already in `doc` (possibly changed) are kept as they are.
    pub fn complete(&mut self) -> Result<()> {
        let Some(mut source) = self.partial.take() else {
            return Ok(());
        };
        if source.load_all(&self.original, &mut self.doc) {
            return Ok(());
        }
        if let Some(e) = source.over_budget() {
            return Err(e);
        }
        // Our reader met something it does not parse: take lopdf's full (repairing) load and
        // lay the objects we changed over it; object numbers are the file's in both.
        let full = load_full(&self.original, self.password.clone(), &self.limits)?;
        let mut doc = full.doc;
        for (id, obj) in std::mem::take(&mut self.doc.objects) {
            doc.objects.insert(id, obj);
        }
        doc.max_id = doc.max_id.max(self.doc.max_id);
        self.doc = doc;
        Ok(())
    }
}

/// Names the file type of a non-PDF input by its magic bytes ("a PNG image"), for error
/// messages; `None` when it is not a format we recognise.
pub fn sniff_non_pdf(bytes: &[u8]) -> Option<&'static str> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"\x89PNG\r\n\x1a\n", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"II*\0", "a TIFF image"),
        (b"MM\0*", "a TIFF image"),
        (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
        (b"\xd0\xcf\x11\xe0", "a legacy Office document"),
        (b"%!PS", "a PostScript file"),
        (b"{\\rtf", "an RTF document"),
        (b"<", "an HTML or XML document"),
    ];
    MAGIC
        .iter()
        .find(|(magic, _)| bytes.starts_with(magic))
        .map(|(_, what)| *what)
}

pub(crate) fn load(bytes: &[u8], options: &OpenOptions) -> Result<LoadedPdf> {
    // Objects cost memory (about 1.7 KiB each once parsed) out of proportion to the bytes
    // that declare them: the object limit follows the input's size.
    let limits = &Limits {
        max_objects: options.limits.max_objects_for(bytes.len()),
        ..options.limits.clone()
    };
    if bytes.len() > limits.max_input_bytes {
        return Err(Error::TooLarge {
            size: bytes.len(),
            limit: limits.max_input_bytes,
        });
    }
    if bytes.is_empty() {
        return Err(Error::Corrupt("the file is empty (0 bytes)".into()));
    }
    let window = &bytes[..bytes.len().min(HEADER_SEARCH_WINDOW)];
    let Some(start) = window.windows(5).position(|w| w == b"%PDF-") else {
        // A recognised other format is the wrong file type; anything else is a damaged PDF
        // (or garbage): we cannot tell them apart, and CORRUPT_FILE says what to fix.
        return Err(match sniff_non_pdf(bytes) {
            Some(kind) => Error::NotPdf(format!("the file is {kind}; a PDF is required")),
            None => Error::Corrupt("no %PDF- header found in the first 1024 bytes".into()),
        });
    };
    let original = bytes[start..].to_vec();
    let budget = partial::DecodeBudget::new(limits.max_total_decoded_bytes);
    let partial = (!options.parse_everything)
        .then(|| {
            partial::load(
                &original,
                options.password.as_deref(),
                limits.max_decompressed_bytes,
                limits.max_objects,
                budget.clone(),
            )
        })
        .flatten();
    if budget.exceeded() {
        // The full loader would inflate the same streams (and keep them all).
        return Err(budget.error());
    }
    let partial = partial
        // A page tree our reader could not walk goes to the full loader, which repairs.
        .filter(|p| !p.doc.get_pages().is_empty());
    let pdf = match partial {
        Some(p) => LoadedPdf {
            doc: p.doc,
            recovered: false,
            encryption: p
                .source
                .encryption
                .clone()
                .map(|(state, id)| (state, Some(id))),
            xref_stream: p.source.xref_stream,
            partial: Some(p.source),
            original,
            password: options.password.clone(),
            limits: limits.clone(),
        },
        None => load_full(&original, options.password.clone(), limits).map(|mut pdf| {
            pdf.original = original;
            pdf
        })?,
    };
    let pages = pdf.doc.get_pages();
    if pages.is_empty() {
        return Err(Error::Corrupt(
            "no pages could be read (broken page tree or catalog)".into(),
        ));
    }
    if pages.len() > limits.max_pages {
        return Err(Error::LimitExceeded {
            limit: "max_pages",
            detail: format!("{} pages", pages.len()),
        });
    }
    Ok(pdf)
}

/// lopdf's loader: every object parsed, damaged cross-reference data rebuilt.
fn load_full(original: &[u8], password: Option<String>, limits: &Limits) -> Result<LoadedPdf> {
    check_object_streams(original, limits)?;
    check_object_count(original, limits)?;
    let load_options = LoadOptions {
        password: password.clone(),
        max_decompressed_size: Some(limits.max_decompressed_bytes),
        ..LoadOptions::default()
    };
    let mut doc = match Document::load_mem_with_options(original, load_options) {
        Ok(doc) => doc,
        Err(err) => return Err(classify_load_error(original, err, password.is_some())),
    };
    if doc.is_encrypted() {
        // lopdf leaves the document encrypted when no password authenticates.
        if looks_certificate_encrypted(original) {
            return Err(certificate_error());
        }
        return Err(password_error(password.is_some()));
    }
    if doc.objects.len() > limits.max_objects {
        return Err(Error::LimitExceeded {
            limit: "max_objects",
            detail: format!("{} objects", doc.objects.len()),
        });
    }
    let encryption = doc.encryption_state.take().map(|state| {
        let id = state.encrypt_object_id();
        (state, id)
    });
    Ok(LoadedPdf {
        recovered: doc.xref_recovery.is_some() || doc.xref_start == 0,
        xref_stream: matches!(
            doc.reference_table.cross_reference_type,
            lopdf::xref::XrefType::CrossReferenceStream
        ),
        encryption,
        doc,
        original: Vec::new(),
        partial: None,
        password,
        limits: limits.clone(),
    })
}

/// Checks that the file's object streams together inflate to at most
/// [`Limits::max_total_decoded_bytes`], inflating each into a counter (nothing kept) and
/// stopping at the limit, so it costs milliseconds and no memory.
///
/// Readers that keep every object stream they decode for as long as the document is open
/// (lopdf's loader inflates them all up front; hayro caches each one it reads) hold them
/// all at once, each under the per-stream limit but not in total. Streams are found by
/// their `/ObjStm` type, as a repairing loader finds them; encrypted ones (not inflatable
/// before decryption) count nothing. Fails with [`Error::LimitExceeded`].
pub fn check_object_streams(data: &[u8], limits: &Limits) -> Result<()> {
    use std::io::Read;
    const TYPE: &[u8] = b"/ObjStm";
    /// How far after the type the stream's data may start (the rest of its dictionary).
    const DICT_WINDOW: usize = 4096;
    let mut total = 0u64;
    let mut from = 0;
    while let Some(at) = data
        .get(from..)
        .and_then(|rest| rest.windows(TYPE.len()).position(|w| w == TYPE))
    {
        let at = from + at + TYPE.len();
        from = at;
        let window = data
            .get(at..data.len().min(at + DICT_WINDOW))
            .unwrap_or_default();
        let Some(keyword) = window.windows(6).position(|w| w == b"stream") else {
            continue;
        };
        let mut start = at + keyword + 6;
        for eol in [b'\r', b'\n'] {
            if data.get(start) == Some(&eol) {
                start += 1;
            }
        }
        let left = limits.max_total_decoded_bytes.saturating_sub(total);
        let mut inflater =
            flate2::read::ZlibDecoder::new(data.get(start..).unwrap_or_default()).take(left + 1);
        let mut buf = [0u8; 16 * 1024];
        loop {
            match inflater.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => total += n as u64,
            }
        }
        if total > limits.max_total_decoded_bytes {
            return Err(Error::LimitExceeded {
                limit: "max_total_decoded_bytes",
                detail: format!(
                    "the object streams inflate to more than {} bytes (possible decompression bomb)",
                    limits.max_total_decoded_bytes
                ),
            });
        }
        from = start;
    }
    Ok(())
}

/// lopdf's loader parses every object before its count can be checked (about 1.7 KiB of
/// memory each): count the `obj` keywords first (objects inside object streams are
/// counted after loading), so a file of millions of tiny objects is refused up front.
fn check_object_count(data: &[u8], limits: &Limits) -> Result<()> {
    // "n g obj": whitespace, then the keyword, then a delimiter ("endobj" does not count).
    let count = data
        .windows(5)
        .filter(|w| {
            matches!(w, [a, b'o', b'b', b'j', z] if a.is_ascii_whitespace() && !z.is_ascii_alphanumeric())
        })
        .count();
    if count > limits.max_objects {
        return Err(Error::LimitExceeded {
            limit: "max_objects",
            detail: format!("about {count} objects"),
        });
    }
    Ok(())
}

fn password_error(password_given: bool) -> Error {
    if password_given {
        Error::Password("the password given does not open this PDF".into())
    } else {
        Error::Password(
            "this PDF is encrypted with a user password; pass the password to open it".into(),
        )
    }
}

fn classify_load_error(bytes: &[u8], err: lopdf::Error, password_given: bool) -> Error {
    use lopdf::Error as L;
    match err {
        L::InvalidPassword => password_error(password_given),
        L::Decryption(e) => {
            if looks_certificate_encrypted(bytes) {
                certificate_error()
            } else {
                // Wrong or missing password is by far the common case; keep the detail.
                match password_error(password_given) {
                    Error::Password(msg) => Error::Password(format!("{msg} ({e})")),
                    other => other,
                }
            }
        }
        L::Decompress(_) => Error::LimitExceeded {
            limit: "max_decompressed_bytes",
            detail: "a stream inflates past the limit (possible decompression bomb)".into(),
        },
        L::RecursionLimit | L::ReferenceLimit => Error::LimitExceeded {
            limit: "nesting depth",
            detail: err.to_string(),
        },
        other => {
            if looks_certificate_encrypted(bytes) {
                return certificate_error();
            }
            Error::Corrupt(format!("the PDF cannot be read: {other}"))
        }
    }
}

fn certificate_error() -> Error {
    Error::Password(
        "this PDF is encrypted for certificate holders (/Adobe.PubSec); it cannot be opened without the recipient's private key".into(),
    )
}

fn looks_certificate_encrypted(bytes: &[u8]) -> bool {
    bytes.windows(12).any(|w| w == b"Adobe.PubSec")
}

/// Writes the document back. `dirty` lists every object created or changed.
///
/// Incremental (the original bytes kept, changed objects appended) unless `full` is asked,
/// the cross-reference data had to be rebuilt, or the /Encrypt object is unknown: then only
/// a full rewrite is sound.
pub(crate) fn save(mut pdf: LoadedPdf, dirty: &BTreeSet<ObjectId>, full: bool) -> Result<Vec<u8>> {
    let encrypt_known = pdf.encryption.as_ref().is_none_or(|(_, id)| id.is_some());
    if full || pdf.recovered || !encrypt_known {
        pdf.complete()?;
        return save_full(pdf);
    }
    // A PDF 1.5+ file may take a cross-reference stream (and object streams) in its update
    // whatever its earlier sections use; that keeps updates of big forms small.
    let modern = pdf.doc.version.as_str() >= "1.5"
        || pdf
            .doc
            .catalog()
            .ok()
            .and_then(|c| c.get(b"Version").ok())
            .and_then(|v| v.as_name().ok())
            .is_some_and(|v| v >= b"1.5".as_slice());
    let target = update::UpdateTarget {
        original: &pdf.original,
        prev_xref: Some(pdf.doc.xref_start),
        xref_stream: pdf.xref_stream || modern,
        encryption: pdf
            .encryption
            .as_ref()
            .and_then(|(s, id)| id.map(|id| (s, id))),
    };
    update::write(&mut pdf.doc, dirty, &target)
}

fn save_full(pdf: LoadedPdf) -> Result<Vec<u8>> {
    let LoadedPdf {
        mut doc,
        encryption,
        ..
    } = pdf;
    update::write_full(&mut doc, encryption.as_ref().map(|(state, _)| state))
}
