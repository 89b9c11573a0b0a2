//! The field model: what every field of a form means — its label (and where the label came
//! from), the question a check box answers, its semantic type, the person or thing it
//! belongs to (entity), which of several such values it is (qualifier), and which part of a
//! multi-box value it holds. Schema generation, instructions, `formsmith fields --json` and
//! the API's form detection all read it, so a person (or a language model) sees one story.
//!
//! Everything is inferred from what the form itself offers: printed text around each box
//! (all four sides, with the side a page prints its captions on decided per page),
//! tooltips and field names (junk rejected), options, lengths and neighbours.

pub mod caption;
mod caption_weights;
pub mod format;
pub mod junk;
pub mod semantic;

use formsmith_engine::{DisplayBox, Field, FieldType, Form, PageGeometry, Widget};
use serde::Serialize;

use crate::native::{is_fillable, primary_widget};
use crate::labels::{Around, Phrase, PrintedLabels};
pub use caption::LabelOrigin;
use caption::strip_line_marks;
pub use semantic::Semantic;

/// Which part of a value spread over several boxes a field holds (SSN box 2 of 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Part {
    /// 1-based position.
    pub index: usize,
    /// Number of boxes.
    pub count: usize,
}

/// What one field means.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldInfo {
    /// The field's fully qualified name (as `formsmith fields` lists it).
    pub name: String,
    /// The label a person reads for it (for a check box, the caption of its box).
    pub label: Option<String>,
    /// Where the label came from.
    pub label_origin: LabelOrigin,
    /// The question or heading a check box, radio group or option answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    /// The semantic type.
    pub semantic: Semantic,
    /// Whose or what thing the field is about (`spouse`, `employer`, `preparer`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    /// Which of several values of one kind it is (`mailing`, `previous`, `home`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qualifier: Option<String>,
    /// Its part of a value spread over several boxes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part: Option<Part>,
    /// The tooltip as a caption, when it is meaningful and names the same kind of value as
    /// the printed label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tooltip: Option<String>,
    /// The section heading above it, when the page prints one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    /// The format the form's own script gives it (a date layout, a number, a ZIP code…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<format::FieldFormat>,
    /// A value can be written and shown (not a push button, not read-only, not hidden
    /// everywhere).
    pub fillable: bool,
}

/// The model of a whole form: one [`FieldInfo`] per field of `form.fields()`, same order.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FieldModel {
    /// Per field, in the form's order.
    pub fields: Vec<FieldInfo>,
}

impl FieldModel {
    /// The info of the field named `name`.
    pub fn get(&self, name: &str) -> Option<&FieldInfo> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The form's main subject: the entity most fillable fields belong to (the applicant of
    /// an application, the taxpayer of a return), if any entity is named at all.
    pub fn main_entity(&self) -> Option<&str> {
        let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
        for info in self.fields.iter().filter(|f| f.fillable) {
            if let Some(e) = &info.entity {
                *counts.entry(e.as_str()).or_default() += 1;
            }
        }
        let fillable = self.fields.iter().filter(|f| f.fillable).count();
        // A subject is most of the form; an entity of a few fields is a party beside it.
        counts
            .into_iter()
            .max_by_key(|(_, n)| *n)
            .filter(|(_, n)| n * 3 > fillable)
            .map(|(e, _)| e)
    }

    /// The entity a field's label must name to be understood alone: set when the field
    /// belongs to someone other than the main subject and its label does not say so.
    pub fn qualifying_entity<'a>(&self, info: &'a FieldInfo) -> Option<&'a str> {
        let entity = info.entity.as_deref()?;
        if Some(entity) == self.main_entity() {
            return None;
        }
        let label = info.label.as_deref().map(semantic::normalize).unwrap_or_default();
        let said = ENTITIES
            .iter()
            .filter(|(_, e)| *e == entity)
            .any(|(word, _)| label.contains(word));
        (!said).then_some(entity)
    }
}

/// Whether every widget of the field is hidden: no value could ever be seen.
pub fn all_widgets_hidden(field: &Field) -> bool {
    !field.widgets.is_empty() && field.widgets.iter().all(|w| w.hidden)
}

/// Builds the model of `form` from its fields and the printed text of its pages.
pub fn build(form: &Form, printed: &PrintedLabels) -> FieldModel {
    build_with(form, printed, None)
}

/// Caption candidates by field name.
#[doc(hidden)]
pub type CaptionCandidates = Vec<(String, Vec<caption::Candidate>)>;

/// Every field's caption candidates (by full name) with the rules' choice marked, for
/// training the caption scorer, and the model with the rules' labels.
#[doc(hidden)]
pub fn caption_candidates(form: &Form, printed: &PrintedLabels) -> (FieldModel, CaptionCandidates) {
    let collected = std::cell::RefCell::new(Vec::new());
    let rules = build_with(form, printed, Some(&collected));
    (rules, collected.into_inner())
}

/// The field model; with `collect`, the caption candidates are collected instead of scored.
fn build_with(
    form: &Form,
    printed: &PrintedLabels,
    collect: Option<&std::cell::RefCell<CaptionCandidates>>,
) -> FieldModel {
    let boxes = widget_boxes(form);
    let geometry = |page: usize| form.page_geometry(page).unwrap_or(PageGeometry::LETTER);
    let fields = form.fields();
    let widgets: Vec<Option<&Widget>> = fields.iter().map(|f| primary_widget(form, f)).collect();
    let below_pages = caption_below_pages(fields, &widgets, printed);
    // Captions printed right of check boxes and radio buttons: the options, never a question.
    let captions: std::collections::HashSet<(usize, String)> = fields
        .iter()
        .filter(|f| matches!(f.kind, FieldType::Checkbox | FieldType::Radio))
        .flat_map(|f| f.widgets.iter())
        .filter_map(|w| Some((w.page?, printed.around(w).right?.0)))
        .collect();
    let display: Vec<Option<DisplayBox>> = widgets
        .iter()
        .map(|w| w.and_then(|w| w.page.map(|p| geometry(p).to_display(w.rect))))
        .collect();
    let arounds: Vec<Around> = widgets.iter().map(|w| w.map(|w| printed.around(w)).unwrap_or_default()).collect();
    // A phrase right beside a box (left of a text field, right of a check box) is that box's
    // caption: it is not also the label of a box under it.
    let mut claimed: std::collections::HashMap<(usize, String), usize> = std::collections::HashMap::new();
    for (i, (field, around)) in fields.iter().zip(&arounds).enumerate() {
        let Some(page) = widgets[i].and_then(|w| w.page) else { continue };
        let beside = match field.kind {
            FieldType::Checkbox | FieldType::Radio => around.right.as_ref(),
            _ => around.left.as_ref(),
        };
        if let Some((text, gap)) = beside
            && *gap <= 30.0
        {
            claimed.entry((page, text.clone())).or_insert(i);
        }
    }
    let mut infos: Vec<FieldInfo> = fields
        .iter()
        .zip(&widgets)
        .enumerate()
        .map(|(index, (field, widget))| {
            let mut around = arounds.get(index).cloned().unwrap_or_default();
            let page = widget.and_then(|w| w.page);
            let section = widget.and_then(|w| {
                let page = w.page?;
                section_heading(printed.page_phrases(page), printed.page_body_size(page), &geometry(page).to_display(w.rect))
            });
            // A phrase left of the box with another box between them is that box's caption
            // (the third box of an SSN is not labelled by the text left of the first).
            if let (Some((_, gap)), Some((p, me))) = (&around.left, page.zip(display[index])) {
                let between = display.iter().enumerate().any(|(j, other)| {
                    j != index
                        && widgets[j].and_then(|w| w.page) == Some(p)
                        && other.is_some_and(|o| {
                            let same_row = o.bottom > me.top + 1.0 && o.top < me.bottom - 1.0;
                            same_row && o.right <= me.left + 1.0 && o.right >= me.left - gap
                        })
                });
                if between {
                    around.left = None;
                }
            }
            // The label above may be another box's caption, or the heading of the section.
            if let Some((text, _)) = &around.above {
                let taken = page.is_some_and(|p| claimed.get(&(p, text.clone())).is_some_and(|&owner| owner != index));
                if taken || section.as_deref() == Some(text.as_str()) {
                    around.above = None;
                }
            }
            let below_first = page.is_some_and(|p| below_pages.contains(&p));
            let (mut label, mut label_origin) = choose_label(field, &around, below_first);
            // The caption scorer weighs the rules' choice with the other phrases around the
            // box and may overrule it (option groups are labelled by their question below).
            if let Some(w) = widget
                && matches!(field.kind, FieldType::Text | FieldType::Checkbox | FieldType::Combo | FieldType::List)
                && !crate::native::is_option_group(field)
                // Where the rules found no words at all the box may continue the value of
                // the box before it (SSN 2 of 3, which takes the first box's caption later):
                // the scorer does not invent a caption for it.
                && label_origin != LabelOrigin::None
            {
                let mut candidates = caption_candidates_of(field, w, form, printed, &boxes, &below_pages);
                caption::mark_rules_choice(&mut candidates, label.as_deref(), label_origin);
                match collect {
                    Some(out) => out.borrow_mut().push((field.name.clone(), candidates)),
                    // The chosen phrase goes through the same checks as the rules' choice (a
                    // fragment the tooltip holds fuller, a field name that says which part of
                    // a caption's value the box is); "nothing printed" leaves the tooltip or
                    // the name.
                    None => {
                        let mut only = Around::default();
                        let mut below = below_first;
                        let check = matches!(field.kind, FieldType::Checkbox);
                        if let Some(c) = caption::choose(&candidates) {
                            let entry = Some((c.text.clone(), c.gap));
                            match c.side {
                                caption::Side::Right if check => only.right = entry,
                                caption::Side::Left | caption::Side::Right => only.left = entry,
                                caption::Side::Below if !check => {
                                    only.below = entry;
                                    below = true;
                                }
                                _ if check => only.left = entry,
                                _ => only.above = entry,
                            }
                        }
                        (label, label_origin) = choose_label(field, &only, below);
                    }
                }
            }
            let question = widget.and_then(|w| question_of(field, w, printed, &captions));
            // A group of options (a radio group, check boxes sharing one field) is labelled by
            // its question; its options carry their own captions.
            let (label, label_origin, question) = match (crate::native::is_option_group(field), question) {
                (true, Some(q)) => (Some(q), LabelOrigin::PrintedLeft, None),
                (_, question) => (label, label_origin, question),
            };
            let row_header = widget.and_then(|w| {
                let page = w.page?;
                row_context(printed.page_phrases(page), &geometry(page).to_display(w.rect))
            });
            let fillable = is_fillable(field) && !all_widgets_hidden(field);
            let mut info = FieldInfo {
                name: field.name.clone(),
                label,
                label_origin,
                question,
                semantic: Semantic::Text,
                entity: None,
                qualifier: None,
                part: None,
                tooltip: None,
                section,
                format: None,
                fillable,
            };
            info.tooltip = field
                .tooltip
                .as_deref()
                .and_then(meaningful)
                .map(|t| tooltip_caption(&t))
                // A tooltip naming another kind of value than the printed caption is a copy
                // left from another field ("Your first name" on the email box). One naming a
                // part of the caption's value ("Claimant's Last Name" under "Claimant's name
                // (First, Middle Initial, Last)") says which part the box is.
                .filter(|t| {
                    let of = |x: &str| semantic::from_words(&semantic::normalize(x));
                    match (info.label.as_deref().and_then(of), of(t)) {
                        (Some(a), Some(b)) => a == b || (semantic::family(a).is_some() && semantic::family(a) == semantic::family(b)),
                        _ => true,
                    }
                });
            info.semantic = infer_semantic(field, &info);
            // The form's own format script decides what the words leave open.
            if field.kind == FieldType::Text
                && let Some(found) = field.format_script.as_deref().and_then(format::parse)
            {
                let tooltip = field.tooltip.as_deref().filter(|t| !junk::is_junk(t));
                info.semantic = match format::refine(info.semantic, &found) {
                    Semantic::Date if is_signature_date(&info, tooltip) => Semantic::DateSigned,
                    Semantic::Date if mentions_birth(&info, tooltip) => Semantic::Bday,
                    refined => refined,
                };
                info.format = Some(found);
            }
            let (entity, qualifier) = entity_and_qualifier(field, &info, row_header.as_deref());
            info.entity = entity;
            info.qualifier = qualifier;
            info
        })
        .collect();
    refine_with_neighbours(fields, &widgets, &geometry, &mut infos);
    share_row_questions(fields, &display, &mut infos);
    FieldModel { fields: infos }
}

/// Displayed boxes of every visible widget, per page.
fn widget_boxes(form: &Form) -> std::collections::HashMap<usize, Vec<DisplayBox>> {
    let mut out: std::collections::HashMap<usize, Vec<DisplayBox>> = std::collections::HashMap::new();
    for field in form.fields() {
        for w in field.widgets.iter().filter(|w| !w.hidden) {
            let Some(page) = w.page else { continue };
            let geometry = form.page_geometry(page).unwrap_or(PageGeometry::LETTER);
            out.entry(page).or_default().push(geometry.to_display(w.rect));
        }
    }
    out
}

fn words_of(text: Option<&str>) -> Vec<String> {
    text.map(|t| semantic::normalize(t).split_whitespace().filter(|w| w.len() > 1).map(str::to_string).collect()).unwrap_or_default()
}

/// The caption candidates of a field whose first visible widget is `widget`.
fn caption_candidates_of(
    field: &Field,
    widget: &Widget,
    form: &Form,
    printed: &PrintedLabels,
    boxes: &std::collections::HashMap<usize, Vec<DisplayBox>>,
    below_pages: &[usize],
) -> Vec<caption::Candidate> {
    let Some(page) = widget.page else { return Vec::new() };
    let geometry = form.page_geometry(page).unwrap_or(PageGeometry::LETTER);
    let bbox = geometry.to_display(widget.rect);
    let same = |o: &DisplayBox| (o.left - bbox.left).abs() < 0.01 && (o.top - bbox.top).abs() < 0.01 && (o.right - bbox.right).abs() < 0.01;
    let others: Vec<DisplayBox> = boxes.get(&page).map(|b| b.iter().filter(|o| !same(o)).copied().collect()).unwrap_or_default();
    let name = junk::name_words(field.short_name());
    let tooltip = field.tooltip.as_deref().and_then(meaningful);
    let phrases = printed.page_phrases(page);
    let target = caption::Target {
        bbox,
        kind: field.kind,
        others: &others,
        below_page: below_pages.contains(&page),
        name_kind: name.as_deref().and_then(kind_of),
        has_tooltip: tooltip.is_some(),
        has_name: name.is_some(),
        tooltip_words: words_of(tooltip.as_deref()),
        name_words: words_of(name.as_deref()),
    };
    caption::candidates(phrases, printed.page_body_size(page), &target)
}

/// Whether a caption is only an answer word ("Yes", "NO", "Nein", "Oui").
pub fn is_answer_word(text: &str) -> bool {
    matches!(semantic::normalize(text).as_str(), "yes" | "no" | "ja" | "nein" | "oui" | "non" | "si" | "y" | "n")
}

/// "Yes" and "No" boxes of one row answer one question, which the page prints once, left of
/// the first: the box it was found for lends it to the other answers of the row.
fn share_row_questions(fields: &[Field], display: &[Option<DisplayBox>], infos: &mut [FieldInfo]) {
    let answer_box: Vec<bool> = fields
        .iter()
        .zip(infos.iter())
        .map(|(f, info)| {
            f.kind == FieldType::Checkbox && !crate::native::is_option_group(f) && info.label.as_deref().is_some_and(is_answer_word)
        })
        .collect();
    let page_of = |i: usize| fields[i].widgets.first().and_then(|w| w.page);
    for i in 0..infos.len() {
        if infos[i].question.is_some() || !answer_box[i] {
            continue;
        }
        let (Some(me), Some(page)) = (display[i], page_of(i)) else { continue };
        let height = (me.bottom - me.top).max(4.0);
        let lender = (0..infos.len())
            .filter(|&j| j != i && answer_box[j] && infos[j].question.is_some() && page_of(j) == Some(page))
            .filter_map(|j| display[j].map(|b| (j, b)))
            .filter(|(_, b)| ((b.top + b.bottom) / 2.0 - (me.top + me.bottom) / 2.0).abs() <= height / 2.0)
            .filter(|(_, b)| (b.left - me.left).abs() <= 160.0)
            .min_by(|a, b| (a.1.left - me.left).abs().total_cmp(&(b.1.left - me.left).abs()))
            .map(|(j, _)| j);
        if let Some(j) = lender {
            infos[i].question = infos[j].question.clone();
        }
    }
}

/// Pages whose text fields mostly carry their caption under the box: there, a phrase just
/// below a box is its label even when another phrase sits above (the caption of the line
/// above).
fn caption_below_pages(fields: &[Field], widgets: &[Option<&Widget>], printed: &PrintedLabels) -> Vec<usize> {
    let mut votes: std::collections::BTreeMap<usize, (usize, usize)> = std::collections::BTreeMap::new();
    for (field, widget) in fields.iter().zip(widgets) {
        if field.kind != FieldType::Text {
            continue;
        }
        let Some(widget) = widget else { continue };
        let Some(page) = widget.page else { continue };
        let around = printed.around(widget);
        let entry = votes.entry(page).or_default();
        match (&around.above, &around.below, &around.left) {
            // A caption under the box, nothing to its left, and none above or one farther.
            (above, Some((_, b)), None) if above.as_ref().is_none_or(|(_, a)| *b + 1.0 < *a) => entry.0 += 1,
            (Some(_), _, _) | (_, _, Some(_)) => entry.1 += 1,
            _ => {}
        }
    }
    votes
        .into_iter()
        .filter(|(_, (below, other))| *below >= 3 && *below * 2 > *other)
        .map(|(page, _)| page)
        .collect()
}

fn meaningful(text: &str) -> Option<String> {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.contains("[0]") && !junk::is_junk(&text)).then_some(text)
}

/// Picks the label: the printed caption where the page has one for the box (check boxes
/// and radio options: right of the box, then left), else a tooltip that is not junk, else
/// the field's name in words.
fn choose_label(field: &Field, around: &Around, below_first: bool) -> (Option<String>, LabelOrigin) {
    let tooltip = field.tooltip.as_deref().and_then(meaningful);
    let name = junk::name_words(field.short_name());
    // A phrase opening with a joining word is the tail of a sentence printed on the line
    // above ("and full name here"): a fragment, not a caption.
    let fragment = |t: &str| {
        let first = t.split_whitespace().next().unwrap_or_default();
        matches!(first, "and" | "or" | "of" | "the" | "to" | "und" | "oder" | "et" | "ou" | "y" | "o" | "de")
    };
    let printed_label =
        |text: &(String, f64)| meaningful(&text.0).filter(|t| !is_line_number(t) && !fragment(t));
    let printed = match field.kind {
        FieldType::Checkbox | FieldType::Radio => around
            .right
            .as_ref()
            .and_then(printed_label)
            .map(|t| (t, LabelOrigin::PrintedRight))
            .or_else(|| around.left.as_ref().and_then(printed_label).map(|t| (t, LabelOrigin::PrintedLeft))),
        _ => {
            let below = around.below.as_ref().and_then(|b| printed_label(b).map(|t| (t, b.1)));
            let above = around.above.as_ref().and_then(|a| printed_label(a).map(|t| (t, a.1)));
            let left = around.left.as_ref().and_then(|l| printed_label(l).map(|t| (t, l.1)));
            let chosen = match (below_first, below.clone(), above.clone(), left.clone()) {
                (true, Some((b, _)), _, _) => Some((b, LabelOrigin::PrintedBelow)),
                (_, _, Some((a, ag)), Some((l, lg))) => Some(if ag <= lg {
                    (a, LabelOrigin::PrintedAbove)
                } else {
                    (l, LabelOrigin::PrintedLeft)
                }),
                (_, _, Some((a, _)), None) => Some((a, LabelOrigin::PrintedAbove)),
                (_, _, None, Some((l, _))) => Some((l, LabelOrigin::PrintedLeft)),
                (_, Some((b, bg)), None, None) if bg <= 6.0 => Some((b, LabelOrigin::PrintedBelow)),
                _ => None,
            };
            // A field name that says what the box holds ("debtor1_middle_name") overrules a
            // caption naming something else (or nothing) when exactly one other caption
            // around the box names the same thing: "Middle name" printed under the line
            // rather than "First name" under the line above.
            let by_name = name.as_deref().and_then(|n| {
                // Only names built part by part, whose last words name the kind.
                let words: Vec<&str> = n.split_whitespace().collect();
                let tail = words[words.len().saturating_sub(2)..].join(" ");
                kind_of(&tail).filter(|k| words.len() >= 3 && kind_of(n) == Some(*k))
            });
            let agreeing: Vec<(String, LabelOrigin)> =
                [(below, LabelOrigin::PrintedBelow), (above, LabelOrigin::PrintedAbove), (left, LabelOrigin::PrintedLeft)]
                    .into_iter()
                    .filter_map(|(c, origin)| c.filter(|(t, _)| by_name.is_some() && kind_of(t) == by_name).map(|(t, _)| (t, origin)))
                    .collect();
            match (chosen, agreeing.as_slice()) {
                (Some((t, _)), [agree]) if kind_of(&t).map(whole_value) != by_name.map(whole_value) => Some(agree.clone()),
                (chosen, _) => chosen,
            }
        }
    };
    let printed = printed.map(|(text, origin)| (strip_line_marks(&text), origin)).filter(|(t, _)| !t.is_empty());
    if let Some((text, origin)) = printed {
        // A printed fragment ("(First Name)", "(mm/dd/yyyy)") whose words a short tooltip
        // holds with more: the tooltip is the fuller caption (the page split "Given Name"
        // and "(First Name)" into two phrases).
        let fragment = text.starts_with('(') || semantic::normalize(&text).split_whitespace().all(is_format_word);
        if fragment
            && let Some(t) = tooltip.as_deref().map(tooltip_caption)
            && covers(&t, &text)
        {
            return (Some(t), LabelOrigin::Tooltip);
        }
        // A printed phrase naming another kind of value than a field name that says what it
        // holds ("users2_name_first" under "Social security No"): the phrase is a
        // neighbour's caption; the name was written for this field.
        // Within one family the name wins too when its last word names the part
        // ("users1_mailing_address_city" under "(Number and Street)"): names built that way
        // are written part by part, captions of stacked boxes are easily the neighbour's.
        if field.kind == FieldType::Text
            && let Some(n) = name.as_deref()
            && let (Some(by_name), Some(by_print)) = (kind_of(n), kind_of(&text))
            && semantic::family(by_name).is_some()
            && semantic::family(by_print).is_some()
            && (semantic::family(by_name) != semantic::family(by_print)
                || (by_name != by_print && names_its_part(n, by_name)))
        {
            return match tooltip.as_deref().map(tooltip_caption) {
                Some(t) if kind_of(&t).is_some_and(|k| semantic::family(k) == semantic::family(by_name)) => (Some(t), LabelOrigin::Tooltip),
                _ => (Some(n.to_string()), LabelOrigin::Name),
            };
        }
        return (Some(text), origin);
    }
    if let Some(t) = tooltip {
        return (Some(tooltip_caption(&t)), LabelOrigin::Tooltip);
    }
    match name {
        Some(n) => (Some(n), LabelOrigin::Name),
        None => (None, LabelOrigin::None),
    }
}

/// Whether a field name of several words ends in the word that names `kind`
/// ("mailing address zip" -> postal code), the way structured names are written.
fn names_its_part(name: &str, kind: Semantic) -> bool {
    let words: Vec<&str> = name.split_whitespace().collect();
    words.len() >= 2 && words.last().is_some_and(|last| kind_of(last) == Some(kind))
}

/// How many boxes of the given lengths (a row, first box first) take one value of kind
/// `s` split into its usual digit groups, and the kind of the whole value, if they do:
/// SSN 3-2-4, EIN 2-7, phone 3-3-4 (the first box may say "area code"), ZIP+4 5-4, a date
/// 2-2-4 or 4-2-2 (the first box may say "month").
fn digit_groups_of(s: Semantic, lengths: &[Option<u32>]) -> Option<(usize, Semantic)> {
    use Semantic::*;
    let lengths: Vec<u32> = lengths.iter().map(|l| l.unwrap_or(0)).collect();
    let (patterns, whole): (&[&[u32]], Semantic) = match s {
        Ssn => (&[&[3, 2, 4]], Ssn),
        Ein => (&[&[2, 7]], Ein),
        Tin => (&[&[3, 2, 4], &[2, 7]], Tin),
        Tel | TelAreaCode => (&[&[3, 3, 4]], Tel),
        Fax => (&[&[3, 3, 4]], Fax),
        PostalCode => (&[&[5, 4]], PostalCode),
        Bday | BdayMonth | BdayDay | BdayYear => (&[&[2, 2, 4], &[4, 2, 2]], Bday),
        Date | DateMonth | DateDay | DateYear => (&[&[2, 2, 4], &[4, 2, 2]], Date),
        DateSigned => (&[&[2, 2, 4], &[4, 2, 2]], DateSigned),
        // Dollars then a two-digit cents box.
        Money if lengths.len() == 2 && lengths[0] >= 3 && lengths[1] == 2 => return Some((2, Money)),
        _ => return None,
    };
    patterns.iter().find(|p| **p == lengths.as_slice()).map(|p| (p.len(), whole))
}

/// The value a part belongs to (a phone's area code is the phone), else the kind itself.
fn whole_value(s: Semantic) -> Semantic {
    use Semantic::*;
    match s {
        TelAreaCode | TelLocal | TelExtension => Tel,
        BdayDay | BdayMonth | BdayYear => Bday,
        DateDay | DateMonth | DateYear | DateSigned => Date,
        other => other,
    }
}

/// The kind of value a phrase names.
fn kind_of(text: &str) -> Option<Semantic> {
    semantic::from_words(&semantic::normalize(text))
}

/// A tooltip as a caption: without a leading "Line 1a." / "Part 2." / "Item 3." and cut at
/// the end of its first sentence.
pub fn tooltip_caption(tooltip: &str) -> String {
    static PREFIX: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)^\s*(((part|line|item|question|section|page|box|step)\s*)?[0-9]+[a-z]?[.:)]\s*|[0-9]{1,4}\s+|enter\s+(the\s+|your\s+)?|(please\s+)?select\s+(this\s+box\s+)?(for\s+)?)+")
            .expect("valid regex")
    });
    let text = PREFIX.replace(tooltip, "");
    let text = text.trim();
    match text.find(". ") {
        Some(end) if text[..end].split_whitespace().count() >= 2 => text[..end].to_string(),
        _ => text.trim_end_matches('.').to_string(),
    }
}

/// Whether `fuller` holds most words of `fragment` and is not much longer than a caption.
fn covers(fuller: &str, fragment: &str) -> bool {
    let words = |t: &str| -> Vec<String> { semantic::normalize(t).split_whitespace().map(str::to_string).collect() };
    let (full, part) = (words(fuller), words(fragment));
    if part.is_empty() || full.len() > 16 || full.len() <= part.len() {
        return false;
    }
    let held = part.iter().filter(|w| full.contains(w)).count();
    held * 10 >= part.len() * 8
}

/// Words of a format hint rather than a caption.
fn is_format_word(word: &str) -> bool {
    matches!(word, "mm" | "dd" | "yy" | "yyyy" | "hh" | "jj" | "aaaa" | "tt" | "mmm" | "if" | "any" | "optional" | "a" | "m")
}

fn is_line_number(text: &str) -> bool {
    let t = text.trim_end_matches('.');
    t.len() <= 3 && t.chars().next().is_some_and(|c| c.is_ascii_digit())
}

/// The question a check box or radio group answers: the heading left of or above the first
/// box (the option captions are right of each box).
fn question_of(
    field: &Field,
    widget: &Widget,
    printed: &PrintedLabels,
    captions: &std::collections::HashSet<(usize, String)>,
) -> Option<String> {
    if !matches!(field.kind, FieldType::Checkbox | FieldType::Radio) {
        return None;
    }
    let page = widget.page?;
    let around = printed.around(widget);
    [around.left, around.above]
        .into_iter()
        .flatten()
        .map(|(text, _)| text)
        .find(|text| !captions.contains(&(page, text.clone())) && meaningful(text).is_some() && !is_line_number(text))
        .map(|text| strip_line_marks(&text))
}

/// The nearest heading above a box: a phrase set larger than the page's body text, or in
/// capitals, or numbered as a part or section, in the box's column.
fn section_heading(phrases: &[Phrase], body: f64, target: &DisplayBox) -> Option<String> {
    phrases
        .iter()
        .filter(|p| p.bbox.bottom <= target.top + 1.0 && target.top - p.bbox.bottom < 400.0)
        .filter(|p| p.bbox.left < target.right && p.bbox.right > target.left - 200.0)
        .filter(|p| is_heading(p, body))
        .min_by(|a, b| (target.top - a.bbox.bottom).total_cmp(&(target.top - b.bbox.bottom)))
        .map(|p| p.text.clone())
}

/// The words printed at the far left of a box's band (a table's row header such as
/// "Dependents:" beside its header row and first rows), nearest first, joined.
fn row_context(phrases: &[Phrase], target: &DisplayBox) -> Option<String> {
    let mut near: Vec<&Phrase> = phrases
        .iter()
        .filter(|p| p.bbox.right <= target.left + 1.0 && target.left - p.bbox.right < 300.0)
        // A line of running text beside the box ("… Number To Give the Requester for
        // guidelines on whose number to enter.") is no row header.
        .filter(|p| p.text.split_whitespace().count() <= 8)
        .filter(|p| {
            let middle = (p.bbox.top + p.bbox.bottom) / 2.0;
            middle >= target.top - 2.0 && middle <= target.bottom + 2.0
        })
        .collect();
    near.sort_by(|a, b| b.bbox.right.total_cmp(&a.bbox.right));
    let text: Vec<&str> = near.iter().take(4).map(|p| p.text.as_str()).collect();
    (!text.is_empty()).then(|| text.join(" "))
}

fn is_heading(phrase: &Phrase, body: f64) -> bool {
    let text = phrase.text.trim();
    // Barcode text and form ids ("*60012211W*", "MBL-SF424FAMILY-ALLFORMS") are not headings.
    let visible: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    let letters = visible.iter().filter(|c| c.is_alphabetic()).count();
    if text.contains('*') || letters * 10 < visible.len() * 7 {
        return false;
    }
    let words = text.split_whitespace().count();
    if !(1..=14).contains(&words) || !text.chars().any(char::is_alphabetic) {
        return false;
    }
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    let capitals = letters.len() >= 4 && letters.iter().all(|c| c.is_uppercase());
    let lower = semantic::normalize(text);
    let numbered = ["part ", "section ", "teil ", "abschnitt ", "partie ", "seccion ", "parte ", "step "]
        .iter()
        .any(|p| lower.starts_with(p));
    phrase.size >= body * 1.15 || capitals || numbered
}

/// The semantic type from the label, tooltip and name in turn, the field's kind and options.
fn infer_semantic(field: &Field, info: &FieldInfo) -> Semantic {
    let words = |text: Option<&str>| text.map(semantic::normalize).and_then(|t| semantic::from_words(&t));
    match field.kind {
        FieldType::Signature => return Semantic::Signature,
        FieldType::Radio | FieldType::Checkbox => {
            let options: Vec<&str> = field.on_states.iter().map(String::as_str).collect();
            // "Yes", "No", and captions opening with one ("No If yes, provide…"); a name
            // ending in one (`defendant_photo_yes`).
            let first_word = |t: &str| t.split_whitespace().next().map(semantic::is_yes_or_no).unwrap_or(false);
            let last_word = |t: &str| t.split_whitespace().last().map(semantic::is_yes_or_no).unwrap_or(false);
            let caption_yes_no = info.label.as_deref().is_some_and(|l| semantic::is_yes_or_no(l) || first_word(l))
                || junk::name_words(field.short_name()).is_some_and(|n| last_word(&n));
            let caption_sex = info.label.as_deref().is_some_and(semantic::is_sex_option);
            if (options.len() >= 2 && options.iter().all(|o| semantic::is_yes_or_no(o))) || caption_yes_no {
                return Semantic::YesNo;
            }
            let about = words(info.question.as_deref()).or_else(|| words(info.label.as_deref()));
            // A radio group whose options are the sexes ("Male or Female": Male / Female).
            let options_sex = field.kind == FieldType::Radio && options.len() >= 2 && options.iter().all(|o| semantic::is_sex_option(o));
            if about == Some(Semantic::Sex) || caption_sex || options_sex {
                return Semantic::Sex;
            }
            return if field.kind == FieldType::Radio || options.len() >= 2 {
                Semantic::Choice
            } else {
                Semantic::YesNo
            };
        }
        FieldType::Combo | FieldType::List => {
            let named = words(info.label.as_deref())
                .or_else(|| words(field.tooltip.as_deref()))
                .or_else(|| words(junk::name_words(field.short_name()).as_deref()));
            return match named {
                Some(
                    s @ (Semantic::Country
                    | Semantic::AddressLevel1
                    | Semantic::AddressLevel2
                    | Semantic::Sex
                    | Semantic::DateMonth
                    | Semantic::DateDay
                    | Semantic::DateYear),
                ) => s,
                _ => Semantic::Choice,
            };
        }
        FieldType::Button => return Semantic::Text,
        FieldType::Text => {}
    }
    // A box of a letter or two whose label gives a legend of codes ("Enter the tax
    // classification (C = C corporation, S = S corporation, P = Partnership)") takes a code:
    // a choice, whatever words ("tax") the label holds.
    if field.max_len.is_some_and(|n| n <= 2) && info.label.as_deref().is_some_and(|l| code_legend(l).len() >= 2) {
        return Semantic::Choice;
    }
    let tooltip = field.tooltip.as_deref().filter(|t| !junk::is_junk(t));
    let name = junk::name_words(field.short_name());
    let found = words(info.label.as_deref())
        .or_else(|| words(tooltip))
        .or_else(|| words(name.as_deref()));
    match found {
        // Right-aligned boxes with no other meaning are amount columns ("Wages . . . 1a [  ]").
        None if field.quadding == 2 => Semantic::Money,
        Some(Semantic::Signature | Semantic::Date) if is_signature_date(info, tooltip) => Semantic::DateSigned,
        Some(Semantic::Date) if mentions_birth(info, tooltip) => Semantic::Bday,
        Some(s) => s,
        None => Semantic::Text,
    }
}

/// The code legend a label carries — "(C = C corporation, S = S corporation, P =
/// Partnership)" — as (code, phrase) pairs.
pub(crate) fn code_legend(label: &str) -> Vec<(&str, &str)> {
    static PAIR: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?:^|[(,;]\s*)([A-Z0-9]{1,2})\s*=\s*([A-Za-z][^,;=()]*)").expect("a valid pattern")
    });
    PAIR.captures_iter(label)
        .filter_map(|c| Some((c.get(1)?.as_str(), c.get(2)?.as_str().trim())))
        .collect()
}

fn is_signature_date(info: &FieldInfo, tooltip: Option<&str>) -> bool {
    let label = info.label.as_deref().map(semantic::normalize).unwrap_or_default();
    let tip = tooltip.map(semantic::normalize).unwrap_or_default();
    let dated = label.contains("date") || label.contains("datum") || label.contains("fecha");
    dated && (label.contains("sign") || tip.contains("sign") || label.contains("firma") || label.contains("unterschrift"))
}

fn mentions_birth(info: &FieldInfo, tooltip: Option<&str>) -> bool {
    [info.label.as_deref(), tooltip, info.question.as_deref()]
        .into_iter()
        .flatten()
        .map(semantic::normalize)
        .any(|t| t.contains("birth") || t.contains("naissance") || t.contains("nacimiento") || t.contains("geburt"))
}

/// Person or thing words, in four languages, and the entity each names.
const ENTITIES: &[(&str, &str)] = &[
    ("emergency contact", "emergency_contact"),
    // Immigration and court forms name their parties by role in a phrase, not by a noun.
    ("filing this petition", "petitioner"),
    ("filing this application", "applicant"),
    ("for whom you are filing", "beneficiary"),
    ("on whose behalf", "beneficiary"),
    // A derivative's form asks for the principal's details: not the person filling it.
    ("principal applicant", "principal_applicant"),
    ("spouse", "spouse"),
    ("ehegatte", "spouse"),
    ("ehepartner", "spouse"),
    ("conjoint", "spouse"),
    ("conyuge", "spouse"),
    ("esposo", "spouse"),
    ("husband", "spouse"),
    ("wife", "spouse"),
    ("preparer", "preparer"),
    ("interpreter", "interpreter"),
    ("attorney", "attorney"),
    ("abogado", "attorney"),
    ("avocat", "attorney"),
    ("rechtsanwalt", "attorney"),
    ("employer", "employer"),
    ("arbeitgeber", "employer"),
    ("employeur", "employer"),
    ("empleador", "employer"),
    ("employee", "employee"),
    ("arbeitnehmer", "employee"),
    ("dependent", "dependent"),
    ("child", "child"),
    ("children", "child"),
    ("enfant", "child"),
    ("hijo", "child"),
    ("kind", "child"),
    ("mother", "mother"),
    ("father", "father"),
    ("mom", "mother"),
    ("mum", "mother"),
    ("dad", "father"),
    ("mutter", "mother"),
    ("vater", "father"),
    ("mere", "mother"),
    ("pere", "father"),
    ("madre", "mother"),
    ("padre", "father"),
    ("parent", "parent"),
    ("beneficiary", "beneficiary"),
    ("petitioner", "petitioner"),
    ("peticionario", "petitioner"),
    ("peticionaria", "petitioner"),
    ("demandado", "defendant"),
    ("demandada", "defendant"),
    ("defendeur", "defendant"),
    ("antragsgegner", "respondent"),
    ("beklagte", "defendant"),
    ("comprador", "buyer"),
    ("acheteur", "buyer"),
    ("kaufer", "buyer"),
    ("vendedor", "seller"),
    ("vendeur", "seller"),
    ("verkaufer", "seller"),
    ("respondent", "respondent"),
    ("plaintiff", "plaintiff"),
    ("demandante", "plaintiff"),
    ("klager", "plaintiff"),
    ("klagerin", "plaintiff"),
    ("defendant", "defendant"),
    ("debtor", "debtor"),
    ("claimant", "claimant"),
    ("veteran", "veteran"),
    ("patient", "patient"),
    ("physician", "physician"),
    ("doctor", "physician"),
    ("health care professional", "physician"),
    ("arzt", "physician"),
    ("medecin", "physician"),
    ("medico", "physician"),
    ("provider", "provider"),
    ("insured", "insured"),
    ("buyer", "buyer"),
    ("seller", "seller"),
    ("witness", "witness"),
    ("payer", "payer"),
    ("payee", "payee"),
    ("requester", "requester"),
    ("applicant", "applicant"),
    ("antragsteller", "applicant"),
    ("demandeur", "applicant"),
    ("solicitante", "applicant"),
    ("taxpayer", "taxpayer"),
];

/// Which of several values of one kind (addresses, phones, dates).
const QUALIFIERS: &[(&str, &str)] = &[
    ("mailing", "mailing"),
    ("physical", "physical"),
    ("present", "present"),
    ("current", "current"),
    ("previous", "previous"),
    ("prior", "previous"),
    ("former", "previous"),
    ("home", "home"),
    ("work", "work"),
    ("business", "work"),
    ("mobile", "mobile"),
    ("cell", "mobile"),
    ("cellphone", "mobile"),
    ("handy", "mobile"),
    ("daytime", "daytime"),
    ("evening", "evening"),
    ("foreign", "foreign"),
    ("international", "foreign"),
    ("birth", "birth"),
    ("naissance", "birth"),
    ("geburt", "birth"),
    ("nacimiento", "birth"),
    ("postanschrift", "mailing"),
];

/// The party a text names (`spouse`, `employer`, `applicant`…), in the four languages.
pub fn entity_in(text: &str) -> Option<&'static str> {
    find_word(ENTITIES, &semantic::normalize(text))
}

/// Which of several values of one kind a text names (`mailing`, `previous`, `home`…).
pub fn qualifier_in(text: &str) -> Option<&'static str> {
    find_word(QUALIFIERS, &semantic::normalize(text))
}

fn find_word(table: &[(&str, &'static str)], text: &str) -> Option<&'static str> {
    // Names of identifiers are not parties: "employer identification number" is the
    // payee's EIN, not an employer's.
    let text = text
        .replace("employer identification", "ein")
        .replace("employer id", "ein")
        .replace("taxpayer identification", "tin");
    let padded = format!(" {text} ");
    table
        .iter()
        .filter_map(|(word, value)| padded.find(&format!(" {word}")).map(|at| (at, *value, word)))
        // A word that ends where the text's word ends (or a plural/possessive).
        .filter(|(at, _, word)| {
            let rest = &padded[at + 1 + word.len()..];
            rest.starts_with(' ') || rest.starts_with("s ") || rest.starts_with("'s ") || rest.starts_with("es ")
        })
        .min_by_key(|(at, _, _)| *at)
        .map(|(_, value, _)| value)
}

/// The entity and qualifier from the field's own words first, then its section heading.
fn entity_and_qualifier(field: &Field, info: &FieldInfo, row_header: Option<&str>) -> (Option<String>, Option<String>) {
    let tooltip = field.tooltip.as_deref().filter(|t| !junk::is_junk(t)).map(semantic::normalize);
    let own: Vec<String> = [info.label.as_deref().map(semantic::normalize), tooltip, info.question.as_deref().map(semantic::normalize)]
        .into_iter()
        .flatten()
        .collect();
    let section = info.section.as_deref().map(semantic::normalize);
    let name = semantic::normalize(&field.name.replace(['[', ']', '.', '_'], " "));
    // The field's own name before the row and section around it: the author named the
    // field for its party ("defendant_eye_color" in a row headed "Mother's maiden name").
    let entity = own
        .iter()
        .find_map(|t| find_word(ENTITIES, t))
        .or_else(|| find_word(ENTITIES, &name))
        // A row's far-left words name whose identity values the row holds; an amount on the
        // line of "Spouse's SSN" is not the spouse's.
        .or_else(|| {
            row_header
                .filter(|_| !matches!(info.semantic, Semantic::Money | Semantic::Number))
                .map(semantic::normalize)
                .and_then(|r| find_word(ENTITIES, &r))
        })
        .or_else(|| section.as_deref().and_then(|s| find_word(ENTITIES, s)));
    // A "heading" that names a kind of value other than this field's ("5. DATE OF BIRTH"
    // above the phone boxes) is another field's caption: its qualifier is not this field's.
    let heading_qualifies = |heading: &str| match semantic::from_words(heading) {
        Some(kind) => kind == info.semantic || semantic::family(kind).is_some() && semantic::family(kind) == semantic::family(info.semantic),
        None => true,
    };
    let qualifier = own
        .iter()
        .find_map(|t| find_word(QUALIFIERS, t))
        .or_else(|| section.as_deref().filter(|s| heading_qualifies(s)).and_then(|s| find_word(QUALIFIERS, s)));
    (entity.map(str::to_string), qualifier.map(str::to_string))
}

/// A field name without its last index and trailing number: the name its siblings share
/// (`c1_1[3]` -> `c1_1`, `CheckBox1[0]` -> `CheckBox1`, `cb14` -> `cb`).
fn name_stem(name: &str) -> String {
    let mut stem = name.trim_end_matches(']');
    if let Some(open) = stem.rfind('[')
        && stem[open + 1..].chars().all(|c| c.is_ascii_digit())
        && name.ends_with(']')
    {
        stem = &stem[..open];
        return stem.to_string();
    }
    stem.trim_end_matches(|c: char| c.is_ascii_digit() || c == '_' || c == ' ').to_string()
}

/// Neighbours refine what one field alone cannot tell: boxes in a row that share a label
/// and a multi-part type are the parts of one value (SSN 1/3, 2/3, 3/3); a date next to a
/// signature is the date signed.
fn refine_with_neighbours(
    fields: &[Field],
    widgets: &[Option<&Widget>],
    geometry: &dyn Fn(usize) -> PageGeometry,
    infos: &mut [FieldInfo],
) {
    let boxes: Vec<Option<(usize, DisplayBox)>> = widgets
        .iter()
        .map(|w| w.and_then(|w| w.page.map(|p| (p, geometry(p).to_display(w.rect)))))
        .collect();
    let splittable = |s: Semantic| {
        matches!(
            s,
            Semantic::Ssn
                | Semantic::Ein
                | Semantic::Tin
                | Semantic::Tel
                | Semantic::Fax
                | Semantic::Bday
                | Semantic::Date
                | Semantic::DateSigned
                | Semantic::PostalCode
                | Semantic::IdNumber
                | Semantic::RoutingNumber
                | Semantic::BankAccount
        )
    };
    // Visit fields in reading order (page, row, left), not the form's order: the boxes of
    // one SSN are often created far apart in the field tree.
    let mut order: Vec<usize> = (0..infos.len()).filter(|&i| boxes[i].is_some()).collect();
    order.sort_by(|&a, &b| {
        let (pa, ba) = boxes[a].unwrap_or((0, DisplayBox { left: 0.0, top: 0.0, right: 0.0, bottom: 0.0 }));
        let (pb, bb) = boxes[b].unwrap_or((0, DisplayBox { left: 0.0, top: 0.0, right: 0.0, bottom: 0.0 }));
        pa.cmp(&pb).then((ba.top / 4.0).floor().total_cmp(&(bb.top / 4.0).floor())).then(ba.left.total_cmp(&bb.left))
    });
    let mut k = 0;
    while k < order.len() {
        let i = order[k];
        let Some((page, first)) = boxes[i] else {
            k += 1;
            continue;
        };
        let mut run = vec![i];
        let mut last = first;
        let mut m = k + 1;
        while m < order.len() {
            let j = order[m];
            let Some((p, b)) = boxes[j] else { break };
            let same_row = (b.top - last.top).abs() < 0.5 * (last.bottom - last.top).max(4.0);
            let close = b.left >= last.right - 2.0 && b.left - last.right < 40.0;
            // A box with no caption of its own right after the boxes of a value continues it.
            // So does a box of one character right after others (a value written one
            // character per field, whatever the captions printed over the cells say).
            let one_char = |f: &Field, w: &DisplayBox| f.max_len == Some(1) || (f.max_len.is_none() && w.right - w.left < 20.0);
            let same_meaning = fields[j].kind == FieldType::Text
                && (infos[j].label_origin == LabelOrigin::None
                    || (infos[j].semantic == infos[i].semantic && infos[j].label == infos[i].label)
                    // (Cells of an SSN printed as "_ _ _ - _ _ - _ _ _ _": gaps for the dashes.)
                    || (one_char(&fields[i], &first) && one_char(&fields[j], &b) && b.left - last.right < 2.5 * (b.right - b.left)));
            if p != page || !same_row || !close || !same_meaning {
                break;
            }
            run.push(j);
            last = b;
            m += 1;
        }
        // Boxes captioned one by one ("first three numbers", "last four numbers") whose
        // lengths are the groups of the first box's kind (3-2-4 after an SSN, 3-3-4 after
        // a phone) are that value's parts, whatever their own captions say.
        let mut grouped = false;
        if fields[i].kind == FieldType::Text {
            let mut lengths = vec![fields[i].max_len];
            let mut more = Vec::new();
            let mut last = first;
            for &j in order.iter().skip(k + 1).take(3) {
                let Some((p, b)) = boxes[j] else { break };
                let same_row = (b.top - last.top).abs() < 0.5 * (last.bottom - last.top).max(4.0);
                let close = b.left >= last.right - 2.0 && b.left - last.right < 40.0;
                if p != page || !same_row || !close || fields[j].kind != FieldType::Text {
                    break;
                }
                lengths.push(fields[j].max_len);
                more.push(j);
                last = b;
                if let Some((n, whole)) = digit_groups_of(infos[i].semantic, &lengths) {
                    run.truncate(1);
                    run.extend(more.iter().take(n - 1));
                    m = k + n;
                    grouped = true;
                    // "Area code" on the first of three phone boxes: the boxes hold a phone.
                    infos[i].semantic = whole;
                    break;
                }
            }
        }
        // An amount and the short caption-less box right after it are its dollars and
        // cents ("6 Tentative total tax [ 3412 ][ 75 ]"); a second amount column is not.
        let cents = |j: usize| {
            boxes[j].is_some_and(|(_, b)| {
                let width = b.right - b.left;
                fields[j].max_len.is_some_and(|n| n <= 3) || (fields[j].max_len.is_none() && width < 30.0 && width < 0.5 * (first.right - first.left))
            })
        };
        let amount = infos[i].semantic == Semantic::Money && run.len() >= 2 && infos[run[1]].label_origin == LabelOrigin::None && cents(run[1]);
        if amount {
            run.truncate(2);
            m = k + 2;
        }
        if run.len() >= 2 && (grouped || amount || splittable(infos[i].semantic)) && fields[i].kind == FieldType::Text {
            let count = run.len();
            let (label, semantic) = (infos[i].label.clone(), infos[i].semantic);
            // One value has one owner: a part whose own words name no party takes the party
            // of the value's other parts (the day box between the veteran's month and year).
            let owner = run.iter().find_map(|&idx| infos[idx].entity.clone());
            for (n, &idx) in run.iter().enumerate() {
                infos[idx].part = Some(Part { index: n + 1, count });
                if infos[idx].entity.is_none() {
                    infos[idx].entity.clone_from(&owner);
                }
                if infos[idx].label_origin == LabelOrigin::None || (grouped && n > 0) {
                    infos[idx].label.clone_from(&label);
                    infos[idx].label_origin = LabelOrigin::FirstBox;
                    infos[idx].semantic = semantic;
                }
            }
        }
        k = m.max(k + 1);
    }
    // A cell without an entity of its own takes the one its row agrees on ("First name" in
    // the row of "Dependent's social security number").
    // Not a cell whose caption says "your", and not from a cell of the same kind beside it
    // ("Your first name | Spouse's first name" are two people's columns).
    let says_self = |info: &FieldInfo| {
        [info.label.as_deref(), info.tooltip.as_deref()].into_iter().flatten().any(|t| {
            semantic::normalize(t).split(' ').any(|w| matches!(w, "your" | "my" | "ihr" | "ihre" | "mein" | "meine" | "votre" | "vos" | "mon" | "ma" | "su" | "sus" | "mi"))
        })
    };
    let mut inherited: Vec<(usize, String)> = Vec::new();
    for i in 0..infos.len() {
        // (Only a person's identity values: an amount beside the spouse's SSN is no one's.)
        if infos[i].entity.is_some() || fields[i].kind != FieldType::Text || says_self(&infos[i]) || semantic::family(infos[i].semantic).is_none() {
            continue;
        }
        let Some((page, bi)) = boxes[i] else { continue };
        let mut row_entities: Vec<&String> = (0..infos.len())
            .filter(|&j| j != i && fields[j].kind == FieldType::Text && infos[j].semantic != infos[i].semantic)
            .filter(|&j| {
                boxes[j].is_some_and(|(p, bj)| {
                    p == page && (bj.top - bi.top).abs() < 3.0 && (bj.bottom - bi.bottom).abs() < 3.0
                        && (bj.left - bi.right).max(bi.left - bj.right) < 60.0
                })
            })
            .filter_map(|j| infos[j].entity.as_ref())
            .collect();
        row_entities.dedup();
        if let [only] = row_entities.as_slice() {
            inherited.push((i, (*only).clone()));
        }
    }
    for (i, entity) in inherited {
        if let Some(info) = infos.get_mut(i) {
            info.entity = Some(entity);
        }
    }
    // A lone check box among sibling check boxes (same name stem, near on the page) is one
    // option of a choice, not a yes/no question of its own.
    let stems: Vec<String> = fields.iter().map(|f| name_stem(&f.name)).collect();
    let singles: Vec<usize> = (0..infos.len())
        .filter(|&i| fields[i].kind == FieldType::Checkbox && infos[i].semantic == Semantic::YesNo)
        .filter(|&i| !infos[i].label.as_deref().is_some_and(semantic::is_yes_or_no))
        .collect();
    let mut to_choice = Vec::new();
    for &i in &singles {
        let Some((page, bi)) = boxes[i] else { continue };
        let sibling = singles.iter().any(|&j| {
            j != i
                && boxes[j].is_some_and(|(p, bj)| {
                    let same_name = stems[j] == stems[i] && (bj.top - bi.top).abs() < 200.0;
                    // A row of options, or a column of them one under the other.
                    let same_row = (bj.top - bi.top).abs() < 4.0 && (bj.left - bi.left).abs() < 220.0;
                    let same_column = (bj.left - bi.left).abs() < 4.0 && (bj.top - bi.top).abs() < 30.0;
                    p == page && (same_name || same_row || same_column)
                })
        });
        if sibling {
            to_choice.push(i);
        }
    }
    for i in to_choice {
        infos[i].semantic = Semantic::Choice;
    }
    // A bare "Date" on the row of a signature (or just under it) is the date signed.
    let signatures: Vec<(usize, DisplayBox)> = infos
        .iter()
        .zip(&boxes)
        .filter(|(info, _)| info.semantic == Semantic::Signature)
        .filter_map(|(_, b)| *b)
        .collect();
    for (info, b) in infos.iter_mut().zip(&boxes) {
        let Some((page, bx)) = b else { continue };
        if info.semantic != Semantic::Date {
            continue;
        }
        let near = signatures.iter().any(|(p, s)| {
            *p == *page && (s.top - bx.top).abs() < 30.0 && (s.right <= bx.left + 5.0 || s.left >= bx.right - 5.0)
        });
        if near {
            info.semantic = Semantic::DateSigned;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_legend_is_read_as_its_pairs() {
        assert_eq!(
            code_legend("LLC. Enter the tax classification (C = C corporation, S = S corporation, P = Partnership)"),
            [("C", "C corporation"), ("S", "S corporation"), ("P", "Partnership")]
        );
        assert!(code_legend("Total tax (line 15 = line 12 + line 14)").is_empty());
        assert_eq!(code_legend("Code (A = adult, C = child)").len(), 2);
    }

    #[test]
    fn captions_lose_their_marks() {
        assert_eq!(strip_line_marks("* 10. Name of Federal Agency"), "Name of Federal Agency");
        assert_eq!(strip_line_marks("(a) Gross income"), "Gross income");
        assert_eq!(strip_line_marks("Name"), "Name");
        assert_eq!(tooltip_caption("1. Enter Last Name."), "Last Name");
        assert_eq!(tooltip_caption("Line 1. Name of entity/individual. An entry is required."), "Name of entity/individual");
        assert_eq!(name_stem("c1_1[3]"), "c1_1");
        assert_eq!(name_stem("cb14"), "cb");
    }
}
