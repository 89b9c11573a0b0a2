//! Printed labels from the page content (via formsmith-page's text extraction), for
//! fields without a tooltip. Best effort: a page whose text cannot be read gets no labels
//! and its fields fall back to their names.

use formsmith_engine::{Form, PageGeometry};

use crate::labels::{LabelSource, PrintedLabels, PrintedWord};

/// Labels for `form` (opened from `pdf` with `password`), from the printed text of every page
/// that has a widget: the field model weighs printed captions against tooltips and names.
pub fn printed_labels(pdf: &[u8], form: &Form, password: Option<&str>) -> Box<dyn LabelSource> {
    Box::new(page_text(pdf, form, password))
}

/// The printed text of every page that has a widget, for the field model; a PDF whose text
/// cannot be read gives an empty index (labels then come from tooltips and names).
pub fn page_text(pdf: &[u8], form: &Form, password: Option<&str>) -> PrintedLabels {
    let mut pages: Vec<usize> = form
        .fields()
        .iter()
        .flat_map(|f| f.widgets.iter().filter_map(|w| w.page))
        .collect();
    pages.sort_unstable();
    pages.dedup();
    if pages.is_empty() {
        return PrintedLabels::default();
    }
    read_pages(pdf, form, password, &pages).unwrap_or_default()
}

fn read_pages(pdf: &[u8], form: &Form, password: Option<&str>, pages: &[usize]) -> Option<PrintedLabels> {
    let options = formsmith_page::TextOptions {
        password: password.map(str::to_string),
        ..formsmith_page::TextOptions::default()
    };
    let texts = formsmith_page::extract_text(pdf, Some(pages), &options).ok()?;
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
    Some(PrintedLabels::new(per_page))
}
