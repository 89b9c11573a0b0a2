//! Printed labels from the page content (via formsmith-detect's text extraction), for
//! fields without a tooltip. Best effort: a page whose text cannot be read gets no labels
//! and its fields fall back to their names.

use formsmith_engine::{Form, PageGeometry};

use crate::labels::{LabelSource, NoLabels, PrintedLabels, PrintedWord};

/// Labels for `form` (opened from `pdf` with `password`), reading only the pages that have a
/// widget of a field without a tooltip, or of a check box or radio (their option captions are
/// printed beside them).
pub fn printed_labels(pdf: &[u8], form: &Form, password: Option<&str>) -> Box<dyn LabelSource> {
    use formsmith_engine::FieldType;
    let mut pages: Vec<usize> = form
        .fields()
        .iter()
        .filter(|f| {
            f.tooltip.as_deref().is_none_or(|t| t.trim().is_empty())
                || matches!(f.kind, FieldType::Radio | FieldType::Checkbox)
        })
        .flat_map(|f| f.widgets.iter().filter_map(|w| w.page))
        .collect();
    pages.sort_unstable();
    pages.dedup();
    if pages.is_empty() {
        return Box::new(NoLabels);
    }
    let options = formsmith_detect::TextOptions {
        password: password.map(str::to_string),
        ..formsmith_detect::TextOptions::default()
    };
    let Ok(texts) = formsmith_detect::extract_text(pdf, Some(&pages), &options) else {
        return Box::new(NoLabels);
    };
    let mut per_page: Vec<(PageGeometry, Vec<PrintedWord>)> = (0..form.page_count())
        .map(|i| {
            (
                form.page_geometry(i).unwrap_or(PageGeometry::LETTER),
                Vec::new(),
            )
        })
        .collect();
    for text in texts {
        if let Some((_, words)) = per_page.get_mut(text.page) {
            words.extend(text.words.into_iter().map(|w| PrintedWord {
                text: w.text,
                rect: w.rect,
                font_size: w.font_size,
            }));
        }
    }
    Box::new(PrintedLabels::new(per_page))
}
