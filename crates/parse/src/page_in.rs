//! What one page gives to layout and table finding: its words and lines, rules and form
//! values, in the display frame (points from the top-left corner as shown, y down).

/// A box: left, top, right, bottom (display frame).
pub(crate) type Bx = [f64; 4];

/// A word in the display frame.
#[derive(Debug, Clone)]
pub(crate) struct TWord {
    pub text: String,
    pub bbox: Bx,
    pub size: f64,
    pub bold: bool,
    /// OCR confidence (0..1), for words read by OCR.
    pub conf: Option<f32>,
}

/// A line of words (indices into the page's words).
#[derive(Debug, Clone)]
pub(crate) struct TLine {
    pub words: Vec<usize>,
}

/// A form field's value shown as a key-value block.
#[derive(Debug, Clone)]
pub(crate) struct KeyValue {
    pub content: String,
    pub bbox: Bx,
}

/// What one page gives to layout.
#[derive(Debug, Clone, Default)]
pub(crate) struct PageIn {
    pub width: f64,
    pub height: f64,
    pub words: Vec<TWord>,
    pub lines: Vec<TLine>,
    /// Thin marks (rules) in the display frame.
    pub rules: Vec<Bx>,
    pub key_values: Vec<KeyValue>,
}
