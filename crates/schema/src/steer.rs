//! Generation instructions (`schemaGenerationInstructions` of an edit, `instructions` of a
//! form detection): plain sentences that steer which fields a generated schema offers and
//! how its keys read — "only page 1", "skip the signature block", "keep the PDF's field
//! names". Deterministic: every clause is matched against the phrasings the README lists;
//! a clause that matches none is reported back as not understood, never guessed at.

use std::collections::HashSet;

use crate::facts::PropertyFacts;
use crate::fieldmodel::{self, Semantic, semantic::normalize};
use crate::keys::KeyAllocator;
use crate::model::{EditRootJson, FieldKind};

/// A page named by an instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageRef {
    /// Zero-based page index.
    Index(usize),
    /// The last page, whatever the count.
    Last,
}

/// How generated keys are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum KeyStyle {
    /// Words of the label in snake_case (`given_name`): the default.
    #[default]
    Readable,
    /// The PDF's own field names, as they are (detected boxes keep readable keys).
    FieldNames,
    /// Words of the label in camelCase (`givenName`).
    CamelCase,
}

/// What a caller's generation instructions ask for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GenerationInstructions {
    /// Only fields on these pages.
    pub only_pages: Option<Vec<PageRef>>,
    /// No fields on these pages.
    pub skip_pages: Vec<PageRef>,
    /// No signature boxes, and no dates of signing.
    pub skip_signatures: bool,
    /// No check boxes.
    pub skip_checkboxes: bool,
    /// No fields of these parties (`preparer`, `spouse`, `interpreter`…).
    pub skip_parties: Vec<String>,
    /// No fields of a "for office use only" part.
    pub skip_office_use: bool,
    /// The PDF's own fields only: nothing detected on flat pages.
    pub native_only: bool,
    /// How keys are written.
    pub key_style: KeyStyle,
    /// Clauses that were acted on.
    pub understood: Vec<String>,
    /// Clauses that matched no phrasing (reported to the caller).
    pub not_understood: Vec<String>,
}

/// Words that open an instruction clause: a comma or "and" before one of them starts a new
/// clause ("skip the signature block and use readable names"), before anything else it
/// continues a list ("only pages 1, 2 and 3").
const OPENERS: &[&str] = &[
    "only", "just", "skip", "omit", "exclude", "ignore", "leave", "drop", "remove", "don't", "dont",
    "do", "no", "use", "keep", "give", "name", "make", "without", "include", "limit", "restrict",
    "generate", "detect", "preserve", "write",
];

/// Pieces that are courtesy, not instructions ("only page 1, please"; "thanks").
const COURTESY: &[&str] = &["please", "thanks", "thank", "you", "kindly", "cheers"];

/// Words that turn a clause into an exclusion.
const NEGATIONS: &[&str] = &[
    "skip", "omit", "exclude", "ignore", "leave", "drop", "remove", "don't", "dont", "not", "no",
    "without", "except",
];

impl GenerationInstructions {
    /// Reads `text` clause by clause.
    pub fn parse(text: &str) -> GenerationInstructions {
        let mut out = GenerationInstructions::default();
        let alone = |piece: &str| GenerationInstructions::default().read_clause(piece);
        for clause in clauses(text, &alone) {
            if out.read_clause(&clause) {
                out.understood.push(clause);
            } else {
                out.not_understood.push(clause);
            }
        }
        out
    }

    /// Acts on one clause; false when it matches no phrasing.
    fn read_clause(&mut self, clause: &str) -> bool {
        let lower = clause.to_lowercase().replace(['’', '‘'], "'");
        let words: Vec<&str> = lower
            .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-' || c == '_'))
            .filter(|w| !w.is_empty())
            .collect();
        let has = |w: &str| words.contains(&w);
        let negative = words.iter().any(|w| NEGATIONS.contains(w)) || lower.contains("leave out");
        let mentions = |needle: &str| lower.contains(needle);

        if words.iter().any(|w| *w == "page" || *w == "pages") {
            let pages = page_refs(&words);
            if pages.is_empty() {
                return false;
            }
            if negative {
                self.skip_pages.extend(pages);
            } else {
                self.only_pages.get_or_insert_with(Vec::new).extend(pages);
            }
            return true;
        }
        if mentions("signature") || mentions("signing") || has("signatures") {
            if negative {
                self.skip_signatures = true;
                return true;
            }
            return false;
        }
        if mentions("checkbox") || mentions("check box") || mentions("tick box") {
            if negative {
                self.skip_checkboxes = true;
                return true;
            }
            return false;
        }
        if (has("only") || has("just")) && mentions("text field") {
            self.skip_checkboxes = true;
            return true;
        }
        if mentions("office use") || mentions("official use") || mentions("for office") {
            if negative {
                self.skip_office_use = true;
                return true;
            }
            return false;
        }
        let names_keys = words.iter().any(|w| {
            matches!(*w, "name" | "names" | "key" | "keys" | "property" | "properties")
        });
        if names_keys && words.iter().any(|w| w.starts_with("camel")) {
            self.key_style = KeyStyle::CamelCase;
            return true;
        }
        let own_names = ["original", "native", "pdf", "pdf's", "existing", "acroform", "internal", "form's"];
        if names_keys
            && !has("detected")
            && words.iter().any(|w| own_names.contains(w))
            && words.iter().any(|w| matches!(*w, "keep" | "use" | "preserve" | "retain"))
            && !negative
        {
            self.key_style = KeyStyle::FieldNames;
            return true;
        }
        let readable = ["human-readable", "readable", "descriptive", "meaningful", "semantic", "snake_case", "snake", "clear"];
        if names_keys && words.iter().any(|w| readable.contains(w)) {
            self.key_style = KeyStyle::Readable;
            return true;
        }
        // "Only the native fields", "don't detect printed boxes", "no detected fields".
        let native_words = ["native", "acroform", "embedded", "existing", "interactive"];
        if (has("only") || has("just")) && words.iter().any(|w| native_words.contains(w)) {
            self.native_only = true;
            return true;
        }
        if negative && words.iter().any(|w| w.starts_with("detect")) {
            self.native_only = true;
            return true;
        }
        // "Leave out the preparer and interpreter sections": every party the clause names.
        let parties: Vec<&str> = clause.split(',').filter_map(fieldmodel::entity_in).collect();
        if negative && !parties.is_empty() {
            for party in parties {
                if !self.skip_parties.iter().any(|p| p == party) {
                    self.skip_parties.push(party.to_string());
                }
            }
            return true;
        }
        false
    }

    /// Drops the properties the instructions leave out and writes keys in the asked style;
    /// `facts` follow (removed and renamed with their properties).
    pub fn apply(&self, schema: &mut EditRootJson, facts: &mut Vec<PropertyFacts>, page_count: usize) {
        let index = |p: &PageRef| match p {
            PageRef::Index(i) => Some(*i),
            PageRef::Last => page_count.checked_sub(1),
        };
        let only: Option<HashSet<usize>> =
            self.only_pages.as_ref().map(|pages| pages.iter().filter_map(index).collect());
        let skip: HashSet<usize> = self.skip_pages.iter().filter_map(index).collect();
        let mut removed: HashSet<String> = HashSet::new();
        for fact in facts.iter() {
            let Some(node) = schema.properties.get(&fact.key) else { continue };
            let page = node.page_index.map(|p| p as usize);
            let on_page = |set: &HashSet<usize>| page.is_some_and(|p| set.contains(&p));
            let office_words = [fact.section.as_deref(), fact.question.as_deref(), Some(fact.label.as_str())];
            let drop = only.as_ref().is_some_and(|set| !on_page(set))
                || on_page(&skip)
                || (self.skip_signatures
                    && (node.field_type == Some(FieldKind::Signature)
                        || matches!(fact.semantic, Semantic::Signature | Semantic::DateSigned)))
                || (self.skip_checkboxes && node.field_type == Some(FieldKind::Checkbox))
                || fact.entity.as_ref().is_some_and(|e| self.skip_parties.contains(e))
                || (self.skip_office_use
                    && office_words.into_iter().flatten().any(|t| {
                        let t = normalize(t);
                        t.contains("office use") || t.contains("official use") || t.contains("for office")
                    }));
            if drop {
                removed.insert(fact.key.clone());
            }
        }
        if !removed.is_empty() {
            schema.properties.retain(|key, _| !removed.contains(key));
            if let Some(required) = &mut schema.required {
                required.retain(|key| !removed.contains(key));
            }
            if schema.required.as_ref().is_some_and(Vec::is_empty) {
                schema.required = None;
            }
            facts.retain(|f| !removed.contains(&f.key));
        }
        if self.key_style != KeyStyle::Readable {
            self.rename_keys(schema, facts);
        }
    }

    fn rename_keys(&self, schema: &mut EditRootJson, facts: &mut [PropertyFacts]) {
        let native: std::collections::HashMap<&str, &str> = facts
            .iter()
            .filter_map(|f| f.native_name.as_deref().map(|n| (f.key.as_str(), n)))
            .collect();
        let mut keys = KeyAllocator::default();
        let mut renamed = indexmap::IndexMap::new();
        let mut map: std::collections::HashMap<String, String> = std::collections::HashMap::new();
        for (key, node) in std::mem::take(&mut schema.properties) {
            let new_key = match (self.key_style, native.get(key.as_str())) {
                (KeyStyle::FieldNames, Some(name)) => {
                    // One boolean per option of a group: the field's name and the option.
                    let option = node.source_acroform.as_ref().and_then(|s| s.option_value.as_deref());
                    keys.claim(match option {
                        Some(option) => format!("{name}:{option}"),
                        None => (*name).to_string(),
                    })
                }
                (KeyStyle::CamelCase, _) => keys.claim(camel_case(&key)),
                _ => keys.claim(key.clone()),
            };
            map.insert(key, new_key.clone());
            renamed.insert(new_key, node);
        }
        schema.properties = renamed;
        if let Some(required) = &mut schema.required {
            for key in required.iter_mut() {
                if let Some(new_key) = map.get(key.as_str()) {
                    *key = new_key.clone();
                }
            }
        }
        for fact in facts.iter_mut() {
            if let Some(new_key) = map.get(&fact.key) {
                fact.key = new_key.clone();
            }
        }
    }
}

/// `given_name_2` -> `givenName2`.
fn camel_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for (i, part) in key.split('_').filter(|p| !p.is_empty()).enumerate() {
        let mut chars = part.chars();
        if i == 0 {
            out.push_str(part);
        } else if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    if out.is_empty() { key.to_string() } else { out }
}

/// The clauses of `text`: sentences, split again at a comma or "and" that opens a new
/// instruction — a piece that starts with an instruction's verb, or that is an instruction
/// `understood_alone` ("…, camelCase keys"); other pieces continue a list ("pages 1, 2 and
/// 4", "the preparer and interpreter sections").
fn clauses(text: &str, understood_alone: &dyn Fn(&str) -> bool) -> Vec<String> {
    let mut out = Vec::new();
    for sentence in text.split(['.', ';', '\n', '!']) {
        let mut current = String::new();
        for piece in split_keep_joiners(sentence) {
            let courtesy = piece
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .all(|w| COURTESY.contains(&w.to_lowercase().as_str()));
            if courtesy {
                continue;
            }
            let first = piece
                .split_whitespace()
                .next()
                .map(|w| w.to_lowercase().replace('’', "'"))
                .unwrap_or_default();
            if !current.trim().is_empty() && (OPENERS.contains(&first.as_str()) || understood_alone(piece.trim())) {
                out.push(current.trim().to_string());
                current.clear();
            }
            if !current.is_empty() {
                current.push_str(", ");
            }
            current.push_str(piece.trim());
        }
        if !current.trim().is_empty() {
            out.push(current.trim().trim_end_matches(',').trim().to_string());
        }
    }
    out
}

/// Pieces of a sentence between commas and the word "and".
fn split_keep_joiners(sentence: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    for part in sentence.split(',') {
        let mut rest = part;
        while let Some(at) = rest.to_lowercase().find(" and ") {
            pieces.push(rest[..at].to_string());
            rest = &rest[at + 5..];
        }
        pieces.push(rest.to_string());
    }
    pieces.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

/// Pages named in a clause's words: numbers, ranges ("1-3", "2 to 4", "3 through 5"),
/// ordinals ("the first page", "the first two pages", "the last page").
fn page_refs(words: &[&str]) -> Vec<PageRef> {
    let number = |w: &str| -> Option<usize> {
        let w = w.trim_end_matches(|c: char| c.is_alphabetic() && w.chars().next().is_some_and(|f| f.is_ascii_digit()));
        w.parse::<usize>().ok().or(match w {
            "one" | "first" => Some(1),
            "two" | "second" => Some(2),
            "three" | "third" => Some(3),
            "four" | "fourth" => Some(4),
            "five" | "fifth" => Some(5),
            "six" | "sixth" => Some(6),
            "seven" | "seventh" => Some(7),
            "eight" | "eighth" => Some(8),
            "nine" | "ninth" => Some(9),
            "ten" | "tenth" => Some(10),
            _ => None,
        })
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        if w == "last" {
            out.push(PageRef::Last);
        } else if w == "first" && words.get(i + 1).and_then(|n| number(n)).is_some() && words.get(i + 2).is_some_and(|p| p.starts_with("page")) {
            // "the first two pages".
            let n = words.get(i + 1).and_then(|n| number(n)).unwrap_or(1);
            out.extend((0..n.min(1000)).map(PageRef::Index));
            i += 2;
        } else if let Some((a, b)) = w.split_once('-').and_then(|(a, b)| Some((number(a)?, number(b)?))) {
            out.extend((a.max(1)..=b.min(a + 1000)).map(|p| PageRef::Index(p - 1)));
        } else if let Some(a) = number(w) {
            let through = words.get(i + 1).is_some_and(|t| matches!(*t, "to" | "through" | "thru" | "until"));
            match (through, words.get(i + 2).and_then(|b| number(b))) {
                (true, Some(b)) if b >= a => {
                    out.extend((a.max(1)..=b.min(a + 1000)).map(|p| PageRef::Index(p - 1)));
                    i += 2;
                }
                _ if a >= 1 => out.push(PageRef::Index(a - 1)),
                _ => {}
            }
        }
        i += 1;
    }
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrasings_are_read_clause_by_clause() {
        let g = GenerationInstructions::parse(
            "Use human-readable field names, skip the signature block and only page 1. Make it nice.",
        );
        assert_eq!(g.key_style, KeyStyle::Readable);
        assert!(g.skip_signatures);
        assert_eq!(g.only_pages, Some(vec![PageRef::Index(0)]));
        assert_eq!(g.not_understood, vec!["Make it nice".to_string()]);

        let g = GenerationInstructions::parse("only pages 1, 2 and 4; skip the last page");
        assert_eq!(g.only_pages, Some(vec![PageRef::Index(0), PageRef::Index(1), PageRef::Index(3)]));
        assert_eq!(g.skip_pages, vec![PageRef::Last]);

        let g = GenerationInstructions::parse("pages 2-3 only\nthe first two pages");
        assert_eq!(
            g.only_pages,
            Some(vec![PageRef::Index(1), PageRef::Index(2), PageRef::Index(0), PageRef::Index(1)])
        );

        let g = GenerationInstructions::parse("Keep the PDF's original field names. Don't detect printed boxes.");
        assert_eq!(g.key_style, KeyStyle::FieldNames);
        assert!(g.native_only);

        let g = GenerationInstructions::parse("leave out the preparer and interpreter sections, no check boxes, camelCase keys");
        assert_eq!(g.skip_parties, vec!["preparer".to_string(), "interpreter".to_string()]);
        assert!(g.skip_checkboxes);
        assert_eq!(g.key_style, KeyStyle::CamelCase);
        assert!(g.not_understood.is_empty(), "{:?}", g.not_understood);

        let g = GenerationInstructions::parse("Only page 2, please. Thanks!");
        assert_eq!(g.only_pages, Some(vec![PageRef::Index(1)]));
        assert!(g.not_understood.is_empty(), "{:?}", g.not_understood);

        let g = GenerationInstructions::parse("Skip the 'for office use only' part");
        assert!(g.skip_office_use);
    }

    #[test]
    fn keys_in_camel_case() {
        assert_eq!(camel_case("given_name_2"), "givenName2");
        assert_eq!(camel_case("ssn"), "ssn");
    }
}
