//! Conditional rules read from the form (`conditionalGenerationEnabled`): a box whose
//! caption says when it applies — "If yes, which language?", "If other, specify", "Wenn
//! ja, seit wann?", "Si oui, précisez" — is tied to the answer box it depends on, found by
//! place (the box of that answer nearest before it: left on its row, or just above it).
//! Each tie becomes a root-level `if`/`then` rule: the answer chosen, the box must be
//! filled. The rules only validate values at edit time (no interactive PDF behaviour), as
//! the API describes. A tie is made only when one answer box is clearly nearest: a wrong
//! rule fails runs that are right, so an unclear one is left out.

use formsmith_engine::DisplayBox;
use serde_json::{Value, json};

use crate::facts::PropertyFacts;
use crate::fieldmodel::semantic::normalize;
use crate::model::{EditJson, EditRootJson, FieldKind};

/// Which answer a dependent box waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Yes,
    No,
    Other,
}

/// Phrases that open a caption depending on a yes, in the four languages (normalized).
const IF_YES: &[&str] = &[
    "if yes", "if so", "if you answered yes", "if you checked yes", "if you answer yes", "if the answer is yes",
    "wenn ja", "falls ja", "si oui", "si si", "en caso afirmativo", "en caso de si",
];
/// Phrases that open a caption depending on a no.
const IF_NO: &[&str] = &[
    "if no", "if not", "if you answered no", "if you checked no", "if the answer is no", "wenn nein", "falls nein",
    "si non", "en caso negativo",
];
/// Words of an "other" option.
const OTHER: &[&str] = &["other", "others", "sonstige", "sonstiges", "andere", "anderes", "autre", "autres", "otro", "otra", "otros"];
/// Words asking to say what the "other" is.
const SPECIFY: &[&str] = &[
    "specify", "please specify", "explain", "describe", "bitte angeben", "angeben", "preciser", "precisez", "especifique",
    "especificar",
];
const YES_WORDS: &[&str] = &["yes", "ja", "oui", "si"];
const NO_WORDS: &[&str] = &["no", "nein", "non"];

/// The answer `label` (a text box's caption) depends on, if it says so in its first words.
fn dependent_on(label: &str) -> Option<Answer> {
    let raw = label.trim().to_lowercase();
    let text = normalize(label);
    // Leading item numbers and letters ("16b.", "a.") are not words of the caption.
    let text = text
        .split_whitespace()
        .skip_while(|w| w.len() <= 3 && w.chars().any(|c| c.is_ascii_digit()) || w.len() == 1)
        .collect::<Vec<_>>()
        .join(" ");
    let opens = |phrase: &str| text == phrase || text.starts_with(&format!("{phrase} "));
    if IF_YES.iter().any(|p| opens(p)) {
        return Some(Answer::Yes);
    }
    // "If not, explain" — but not "(if not included in mortgage)": the phrase must end its
    // clause in the caption as printed.
    let no_clause = IF_NO.iter().any(|p| {
        opens(p)
            && raw
                .find(p.split_whitespace().last().unwrap_or(p))
                .and_then(|at| raw.get(at..))
                .and_then(|rest| rest.split_whitespace().next())
                .is_some_and(|w| w.ends_with([',', ':', '?', ')']) || text == *p)
    });
    if no_clause {
        return Some(Answer::No);
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let first_other = words.iter().take(3).any(|w| OTHER.contains(w));
    let asks = SPECIFY.iter().any(|s| text.contains(s));
    let if_other = words.first() == Some(&"if") && first_other;
    if (first_other && asks) || if_other || (words.len() <= 2 && asks) {
        return Some(Answer::Other);
    }
    None
}

/// Whether a box's caption is the answer `answer`: the answer word ("Yes", "Oui"), a
/// question then the word ("Married in 2023? Yes"), or a caption that is itself the
/// condition (Michigan's box captioned "If yes, who?" is the yes).
fn is_answer(caption: &str, answer: Answer) -> bool {
    if dependent_on(caption) == Some(answer) {
        return true;
    }
    let text = normalize(caption);
    let words: Vec<&str> = text.split_whitespace().collect();
    let after_question = caption
        .trim()
        .rsplit_once(['?', ':'])
        .map(|(_, rest)| normalize(rest))
        .filter(|rest| rest.split_whitespace().count() == 1);
    let answered = |list: &[&str]| after_question.as_deref().is_some_and(|w| list.contains(&w));
    let leads = |list: &[&str]| words.len() <= 2 && words.first().is_some_and(|w| list.contains(w));
    match answer {
        Answer::Yes => answered(YES_WORDS) || leads(YES_WORDS),
        Answer::No => answered(NO_WORDS) || leads(NO_WORDS),
        // "Other", "Other (specify)", "Sonstiges:".
        Answer::Other => words.len() <= 4 && words.first().is_some_and(|w| OTHER.contains(w)),
    }
}

/// An answer box that may control dependents: a boolean property, or one option of an enum.
struct AnswerBox<'a> {
    key: &'a str,
    /// `None`: a boolean (ticked = true); `Some(v)`: the enum value `v`.
    value: Option<&'a str>,
    page: u32,
    rect: DisplayBox,
}

fn answer_boxes<'a>(schema: &'a EditRootJson, facts: &'a [PropertyFacts], answer: Answer) -> Vec<AnswerBox<'a>> {
    let mut out = Vec::new();
    for fact in facts {
        let Some(node) = schema.properties.get(&fact.key) else { continue };
        let Some(page) = node.page_index else { continue };
        let boolean = matches!(node.field_type, Some(FieldKind::Checkbox))
            || (node.field_type == Some(FieldKind::Radio) && node.options.is_none());
        if boolean {
            if let Some(rect) = node.bbox
                && is_answer(&fact.label, answer)
            {
                out.push(AnswerBox { key: &fact.key, value: None, page, rect });
            }
            continue;
        }
        // A radio group as one enum: each option has its box.
        if let (Some(options), Some(boxes)) = (&node.options, &node.bboxes) {
            let captions = node.option_descriptions.as_ref().unwrap_or(options);
            for ((value, caption), rect) in options.iter().zip(captions).zip(boxes) {
                if is_answer(caption, answer) || is_answer(value, answer) {
                    out.push(AnswerBox { key: &fact.key, value: Some(value), page, rect: *rect });
                }
            }
        }
    }
    out
}

/// Where the scores of boxes above begin: a box on the row always wins over one above.
const ABOVE: f64 = 1000.0;

/// How far `control` is before `dependent` (lower is nearer): left on the same row (the
/// gap), else just above it; `None` when it is neither.
fn distance(control: &DisplayBox, dependent: &DisplayBox) -> Option<f64> {
    let (ch, dh) = (control.bottom - control.top, dependent.bottom - dependent.top);
    let (cy, dy) = ((control.top + control.bottom) / 2.0, (dependent.top + dependent.bottom) / 2.0);
    let same_row = (cy - dy).abs() <= ch.max(dh).max(8.0) * 0.75 + 2.0;
    if same_row && control.right <= dependent.left + 2.0 {
        let gap = dependent.left - control.right;
        return (gap <= 320.0).then_some(gap.max(0.0));
    }
    // The row above (the question's answers printed over the "If yes" line), over the
    // box itself; a box on the row always wins over one above (scores from [`ABOVE`]).
    let above = dependent.top - control.bottom;
    let over = control.left >= dependent.left - 20.0 && control.right <= dependent.right + 20.0;
    // (A box may reach a few points into the line below it: Michigan's DHS-1426 prints the
    // answer boxes taller than their question's row.)
    if (-8.0..=36.0).contains(&above) && over {
        return Some(ABOVE + (above + 8.0) * 4.0 + (control.left - dependent.left).abs() * 0.25);
    }
    None
}

/// Ties dependent boxes to their answers and adds the rules to `schema` (under a root
/// `allOf`), each dependent's description saying when it applies. Returns how many.
pub fn add_conditional_rules(schema: &mut EditRootJson, facts: &[PropertyFacts]) -> usize {
    let mut ties: Vec<(String, String, Option<String>, Answer)> = Vec::new();
    // The answer boxes of each kind, found once for all dependents.
    let kinds = [Answer::Yes, Answer::No, Answer::Other];
    let boxes_of: Vec<Vec<AnswerBox>> = kinds.iter().map(|&a| answer_boxes(schema, facts, a)).collect();
    for fact in facts {
        let Some(node) = schema.properties.get(&fact.key) else { continue };
        if !matches!(node.field_type, Some(FieldKind::Text)) {
            continue;
        }
        let (Some(rect), Some(page)) = (node.bbox, node.page_index) else { continue };
        let Some(answer) = dependent_on(&fact.label) else { continue };
        let mut candidates: Vec<(f64, &AnswerBox)> = Vec::new();
        let Some(boxes) = kinds.iter().position(|&a| a == answer).and_then(|i| boxes_of.get(i)) else { continue };
        for b in boxes.iter().filter(|b| b.page == page && b.key != fact.key) {
            if let Some(d) = distance(&b.rect, &rect) {
                candidates.push((d, b));
            }
        }
        candidates.sort_by(|a, b| a.0.total_cmp(&b.0));
        let Some((best, control)) = candidates.first() else { continue };
        // Two answer boxes about as near (two questions' "Yes" on one row): unclear.
        // Nearness is compared within a tier (on the row, or above).
        let within = |d: f64| if d >= ABOVE { d - ABOVE } else { d };
        let clear = candidates.get(1).is_none_or(|(second, other)| {
            other.key == control.key
                || (*best < ABOVE) != (*second < ABOVE)
                || within(*second) > within(*best) * 1.5 + 12.0
        });
        if clear {
            ties.push((fact.key.clone(), control.key.to_string(), control.value.map(str::to_string), answer));
        }
    }
    let mut rules: Vec<Value> = Vec::new();
    for (dependent, control, value, answer) in &ties {
        let chosen = match value {
            Some(v) => json!(v),
            None => json!(true),
        };
        rules.push(json!({
            "if": {"properties": {control: {"const": chosen}}, "required": [control]},
            "then": {"required": [dependent]}
        }));
        if let Some(node) = schema.properties.get_mut(dependent) {
            describe_condition(node, control, value.as_deref(), *answer);
        }
    }
    let count = rules.len();
    if count > 0 {
        match schema.rules.get_mut("allOf").and_then(Value::as_array_mut) {
            Some(existing) => existing.extend(rules),
            None => {
                schema.rules.insert("allOf".into(), Value::Array(rules));
            }
        }
    }
    count
}

fn describe_condition(node: &mut EditJson, control: &str, value: Option<&str>, answer: Answer) {
    let when = match value {
        Some(v) => format!("{control} is \"{v}\""),
        None => format!("{control} is true"),
    };
    let what = match answer {
        Answer::Yes => "the answer is yes",
        Answer::No => "the answer is no",
        Answer::Other => "\"other\" is chosen",
    };
    let sentence = format!(" Required when {what} ({when}).");
    node.description = Some(match node.description.take() {
        Some(d) => format!("{}{sentence}", d.trim_end()),
        None => sentence.trim().to_string(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captions_that_depend_on_an_answer() {
        assert_eq!(dependent_on("If yes, which language?"), Some(Answer::Yes));
        assert_eq!(dependent_on("a. If Yes, Did you get married in 2023?"), Some(Answer::Yes));
        assert_eq!(dependent_on("If so how much?"), Some(Answer::Yes));
        assert_eq!(dependent_on("Wenn ja, seit wann?"), Some(Answer::Yes));
        assert_eq!(dependent_on("Si oui, précisez"), Some(Answer::Yes));
        assert_eq!(dependent_on("If not, explain:"), Some(Answer::No));
        assert_eq!(dependent_on("Homeowner's insurance (if not included in mortgage)"), None);
        assert_eq!(dependent_on("If not included in mortgage"), None);
        assert_eq!(dependent_on("Other (please specify)"), Some(Answer::Other));
        assert_eq!(dependent_on("If other, specify"), Some(Answer::Other));
        assert_eq!(dependent_on("Sonstiges, bitte angeben"), Some(Answer::Other));
        assert_eq!(dependent_on("Other income"), None);
        assert_eq!(dependent_on("Mailing address (if different from above)"), None);
        assert!(is_answer("Yes", Answer::Yes) && is_answer("Oui", Answer::Yes));
        assert!(!is_answer("Yes, I agree to the terms", Answer::Yes));
        assert!(is_answer("Other (specify)", Answer::Other));
        assert!(is_answer("If yes, who?", Answer::Yes));
        assert!(is_answer("If Yes, Did you get married in 2023? Yes", Answer::Yes));
        assert!(!is_answer("Did you get married in 2023? No", Answer::Yes));
    }

    #[test]
    fn the_nearest_answer_before_the_box() {
        let b = |left: f64, top: f64, right: f64, bottom: f64| DisplayBox { left, top, right, bottom };
        let dependent = b(300.0, 100.0, 500.0, 112.0);
        // Left on the row: the gap.
        assert_eq!(distance(&b(250.0, 101.0, 260.0, 111.0), &dependent), Some(40.0));
        // Right of it: not before it.
        assert_eq!(distance(&b(520.0, 101.0, 530.0, 111.0), &dependent), None);
        // On the row above.
        assert!(distance(&b(300.0, 80.0, 310.0, 90.0), &dependent).is_some());
        // Far above: no.
        assert_eq!(distance(&b(300.0, 20.0, 310.0, 30.0), &dependent), None);
    }
}
