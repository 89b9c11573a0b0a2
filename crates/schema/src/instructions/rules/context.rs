//! Values a sentence says by their shape, named by the words beside them: "Le coût total
//! des travaux éligibles est de 48 600 € HT", "el número de competencia es NCWCG-2024",
//! "(SIRET 812 345 678 00024)". No phrasing reads these sentences and no pattern knows
//! their words; what a person reads in them is a value (a quoted title, a date, an amount,
//! a code with digits) and the words just before it (or, with none, just after it: "51 273 €
//! TTC"). Read last, from clauses nothing else placed, and placed only where those words
//! name one field of the value's kind that no earlier value holds.

use std::sync::LazyLock;

use regex::Regex;

use super::matcher::{Found, TargetKind};
use super::run::{Action, Run};
use super::text;
use crate::fieldmodel::semantic::{self, Semantic};
use crate::instructions::request;
use crate::model::ValueKind;

/// What a value looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    Quoted,
    Date,
    Money,
    /// Letters and digits together, at least one digit: "A24-00871", "15.608", "812 345 678".
    Code,
}

/// A value and the words that say what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Said {
    pub(super) words: String,
    pub(super) value: String,
    pub(super) shape: Shape,
}

static QUOTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#""([^"\n]{2,160})"|“([^”\n]{2,160})”|«\s*([^»\n]{2,160}?)\s*»|„([^“”\n]{2,160})[“”]"#).expect("valid regex")
});
static DATE: LazyLock<Regex> = LazyLock::new(|| Regex::new(&format!(r"(?i)\b{}", request::DATE)).expect("valid regex"));
static MONEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)[$€£]\s?\d(?:[\d.,']|\s\d)*|\b\d(?:[\d.,']|\s\d)*\s?(?:€|\$|£|(?:eur|usd|dollars?|euros?)\b)").expect("valid regex")
});
static CODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b\d{2,4}(?: \d{2,5}){2,}\b|\b(?:[A-Za-z]+[-./]?)?\d[A-Za-z0-9]*(?:[-./][A-Za-z0-9]+)*\b").expect("valid regex")
});

/// Where a phrase about one value ends and the next begins.
const BOUNDARIES: &[char] = &[',', ';', '(', ')', ':', '—', '–', '"', '“', '”', '«', '»'];
/// Sentence words that say nothing about which box: pronouns, possessives, the verb "to
/// be" and "to have", and the fillers between a word and its value, in four languages.
const FILLER: &[&str] = &[
    "i", "we", "you", "he", "she", "it", "they", "my", "our", "your", "his", "her", "its", "their", "is", "are", "was", "were", "be", "been",
    "has", "have", "had", "will", "would", "should", "be", "as", "which", "that", "so", "about", "approximately", "just", "also",
    "ich", "wir", "er", "sie", "es", "mein", "meine", "meinen", "unser", "unsere", "unseren", "sein", "seine", "ihr", "ihre", "ist", "sind",
    "war", "hat", "haben", "wird", "beträgt", "betragt", "lautet", "je", "nous", "il", "elle", "mon", "ma", "mes", "notre", "nos", "son",
    "sa", "ses", "leur", "est", "sont", "était", "etait", "a", "ont", "été", "ete", "soit", "yo", "nosotros", "él", "ella", "mi", "mis",
    "nuestro", "nuestra", "nuestros", "su", "sus", "es", "son", "era", "fue", "ha", "tiene", "tenemos", "se", "le", "la", "lo", "el", "un",
    "une", "una", "uno", "ein", "eine", "einen", "the", "a", "an", "of", "de", "du", "des", "del", "en", "à", "au", "que", "qui", "por", "par",
    "pour", "para", "von", "für", "fur", "bei", "am", "le", "les", "los", "las", "der", "die", "das", "den", "dem", "y", "et", "und", "and",
    // "was done on", "a été fait le", "wurde … durchgeführt", "fue realizado el"
    "done", "made", "performed", "fait", "faite", "réalisé", "réalisée", "realise", "realisee", "effectué", "effectuee", "effectuée", "gemacht", "durchgeführt", "durchgefuhrt", "wurde",
    "hecho", "hecha", "realizado", "realizada", "efectuado", "efectuada",
];
/// Share of a label's weight the naming words must carry.
const LABEL_SHARE: f64 = 0.5;
/// The same when the label holds every word said.
const STRICT_LABEL_SHARE: f64 = 0.4;
/// Most words of the phrase that names a value, counted back from the value.
const MAX_CONTEXT_WORDS: usize = 8;

/// The values `clause` says by their shape, each with the words naming it.
pub(super) fn said_values(clause: &str) -> Vec<Said> {
    let mut spans: Vec<(usize, usize, Shape, String)> = Vec::new();
    let take = |start: usize, end: usize, shape: Shape, value: &str, spans: &mut Vec<(usize, usize, Shape, String)>| {
        if !spans.iter().any(|(s, e, _, _)| start < *e && *s < end) {
            spans.push((start, end, shape, value.trim().to_string()));
        }
    };
    for c in QUOTED.captures_iter(clause) {
        let (Some(all), Some(inner)) = (c.get(0), (1..=4).find_map(|i| c.get(i))) else { continue };
        take(all.start(), all.end(), Shape::Quoted, inner.as_str(), &mut spans);
    }
    for m in DATE.find_iter(clause) {
        // "12 février 2024" is a date; "Mission 2779" is not: the words must name a month.
        if crate::instructions::shape::find_date(m.as_str(), false).is_some() {
            take(m.start(), m.end(), Shape::Date, m.as_str(), &mut spans);
        }
    }
    for m in MONEY.find_iter(clause) {
        take(m.start(), m.end(), Shape::Money, m.as_str().trim_end_matches([',', '.']), &mut spans);
    }
    for m in CODE.find_iter(clause) {
        let value = m.as_str().trim_end_matches(['.', '-', '/']);
        // A time of day ("4:30") or a count ("25") is no code.
        let is_time = clause[m.end()..].starts_with(':') || clause[..m.start()].ends_with(':') && !clause[..m.start()].ends_with(": ");
        if value.chars().count() >= 3 && !is_time {
            take(m.start(), m.start() + value.len(), Shape::Code, value, &mut spans);
        }
    }
    spans.sort_by_key(|(start, ..)| *start);
    let mut said = Vec::new();
    let mut previous_end = 0;
    for (i, (start, end, shape, value)) in spans.iter().enumerate() {
        let before = clause[previous_end..*start].trim_end_matches([' ', ':', '=', '-', '\t']);
        let before = before.rsplit(BOUNDARIES).next().unwrap_or(before);
        let mut words = naming_words(before, true);
        if words.is_empty() {
            let next = spans.get(i + 1).map_or(clause.len(), |(s, ..)| *s);
            let after = &clause[*end..next];
            let after = after.split(BOUNDARIES).next().unwrap_or(after);
            words = naming_words(after, false);
        }
        previous_end = *end;
        if !words.is_empty() {
            said.push(Said { words, value: value.clone(), shape: *shape });
        }
    }
    said
}

/// The words of `phrase` that may name a box: fillers dropped, at most
/// [`MAX_CONTEXT_WORDS`] nearest the value (the last ones `before` it, the first after it).
fn naming_words(phrase: &str, before: bool) -> String {
    let words: Vec<&str> = phrase
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '#' && c != '°'))
        .filter(|w| !w.is_empty())
        .map(|w| w.rsplit(['\'', '’']).next().unwrap_or(w))
        .filter(|w| !FILLER.contains(&text::fold(w).as_str()) && !FILLER.contains(&w.to_lowercase().as_str()))
        .collect();
    let kept: Vec<&str> = if before {
        words[words.len().saturating_sub(MAX_CONTEXT_WORDS)..].to_vec()
    } else {
        words.into_iter().take(MAX_CONTEXT_WORDS / 2).collect()
    };
    kept.join(" ")
}

impl Run<'_> {
    /// Places the values `clause` says by their shape ([`said_values`]); whether any was.
    /// `party`: whose lines the clause is among, when a line named them.
    pub(super) fn place_said(&mut self, clause: &str, party: Option<&str>) -> bool {
        let mut placed = false;
        for said in said_values(clause) {
            if self.holds(&said.value) {
                continue;
            }
            if let Some(actions) = self.plan_said(&said, party) {
                self.apply_unfilled(actions, clause);
                placed = true;
            }
        }
        placed
    }

    /// Whether some property already holds this value (said twice, or read by a pattern).
    fn holds(&self, value: &str) -> bool {
        let wanted = text::alnum_fold(value);
        self.values.values().any(|(v, _)| match v {
            serde_json::Value::String(s) => text::alnum_fold(s) == wanted,
            _ => false,
        })
    }

    /// The one field the words name, of the value's kind, and the value converted for it.
    fn plan_said(&self, said: &Said, party: Option<&str>) -> Option<Vec<Action>> {
        let mut q = self.index.correct(&text::tokens(&semantic::normalize(&said.words)));
        let roles_said = text::roles(&q).len();
        if q.is_empty() || roles_said == q.len() {
            return None;
        }
        // Words that name no one are the line party's.
        if let Some(party) = party
            && roles_said == 0
        {
            q.extend(text::tokens(party));
        }
        let field_of = |t: usize| match self.index.fields[t].kind {
            TargetKind::Field(p) => Some(p),
            _ => None,
        };
        // Two words or more said, all in one label, name it; one word must be most of it.
        let content_words = q.iter().filter(|w| !text::is_role(w)).count();
        let strict_share = if content_words >= 2 { 0.0 } else { STRICT_LABEL_SHARE };
        let (target, share) = match self.index.find_field(&q) {
            Found::One(t) => (t, strict_share),
            // Among boxes that take every word, those of the value's kind; the boxes of one
            // split value (a date's day, month and year) are one.
            Found::Several(ts) => {
                let kind: Vec<usize> = ts.into_iter().filter(|&t| field_of(t).is_some_and(|p| self.takes(p, said))).collect();
                let first_parts: Vec<usize> =
                    kind.iter().copied().filter(|&t| field_of(t).is_some_and(|p| self.meanings[p].part.is_none_or(|(i, _)| i == 1))).collect();
                match first_parts.as_slice() {
                    [one] => (*one, strict_share),
                    _ => return None,
                }
            }
            Found::None => (self.index.find_field_soft_covering(&q, LABEL_SHARE)?, LABEL_SHARE),
        };
        // The words must say most of the label, not a word of it in passing ("passport"
        // for "Visa number from this passport"). A date says "date" itself, and its day,
        // month and year.
        let mut with_kind = q.clone();
        if said.shape == Shape::Date {
            with_kind.extend(text::tokens("date day month year"));
        }
        if self.index.label_share(target, &with_kind) < share {
            return None;
        }
        let p = field_of(target)?;
        if self.values.contains_key(&p) || !self.takes(p, said) {
            return None;
        }
        let actions = self.convert(target, &said.value, &q).ok()?;
        actions.iter().any(|a| matches!(a, Action::Set(set, _) if *set == p)).then_some(actions)
    }

    /// Whether property `p` takes a value of this shape.
    fn takes(&self, p: usize, said: &Said) -> bool {
        if matches!(self.prop(p).kind, Some(ValueKind::Boolean | ValueKind::Enum)) || !self.value_fits(p, &said.value) {
            return false;
        }
        let s = self.meanings[p].semantic;
        let dated = matches!(s, Semantic::Bday | Semantic::Date | Semantic::DateSigned);
        match said.shape {
            Shape::Date => dated,
            Shape::Money => matches!(s, Semantic::Money | Semantic::Number | Semantic::Text),
            // A code goes where numbers and references are asked ("2nd" and "2779" of a
            // sentence are not the unit or the floor).
            Shape::Code => matches!(
                s,
                Semantic::IdNumber
                    | Semantic::Ssn
                    | Semantic::Ein
                    | Semantic::Tin
                    | Semantic::BankAccount
                    | Semantic::RoutingNumber
                    | Semantic::PostalCode
                    | Semantic::Number
                    | Semantic::Money
            ),
            Shape::Quoted => !dated && !matches!(s, Semantic::Tel | Semantic::Fax | Semantic::Email),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(clause: &str) -> Vec<(String, String)> {
        said_values(clause).into_iter().map(|s| (s.words, s.value)).collect()
    }

    #[test]
    fn values_and_the_words_that_name_them() {
        let s = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(
            pairs("Le coût total des travaux éligibles est de 48 600 € HT, soit 51 273 € TTC"),
            vec![s("coût total travaux éligibles", "48 600 €"), s("TTC", "51 273 €")]
        );
        assert_eq!(
            pairs(r#"La oportunidad es F24AS00077, título "National Coastal Wetlands Conservation Grant Program", y el número de competencia es NCWCG-2024"#),
            vec![s("oportunidad", "F24AS00077"), s("título", "National Coastal Wetlands Conservation Grant Program"), s("número competencia", "NCWCG-2024")]
        );
        assert_eq!(
            pairs("L'audit énergétique a été fait le 12 février 2024 par Thermi-Audit Conseil (SIRET 812 345 678 00024), identifiant de l'audit : A24-00871"),
            vec![s("audit énergétique", "12 février 2024"), s("SIRET", "812 345 678 00024"), s("identifiant audit", "A24-00871")]
        );
        // A time of day and a bare count are not codes; a value no word names is not read.
        assert!(pairs("Nuestro alcalde firma el lunes y la oficina cierra a las 4:30").is_empty());
        assert!(pairs("We have 25 employees").is_empty());
        // Boundaries of several bytes are cut at their own width.
        assert_eq!(pairs("ETAS 182 % — 14 200 € HT"), vec![s("ETAS", "182"), s("HT", "14 200 €")]);
    }
}
