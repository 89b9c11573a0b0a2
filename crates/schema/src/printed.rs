//! Printed labels from the page content, for fields without a tooltip (text extraction
//! arrives with formsmith-detect; until then fields fall back to their tooltips and names).

use formsmith_engine::Form;

use crate::labels::{LabelSource, NoLabels};

/// Labels for `form` (opened from `pdf`).
pub fn printed_labels(_pdf: &[u8], _form: &Form) -> Box<dyn LabelSource> {
    Box::new(NoLabels)
}
