//! The deterministic, offline instruction resolver.
//!
//! It reads the phrasings people write in an edit run's `instructions` and maps what they
//! name to schema properties by label similarity, and it never guesses: what it cannot place
//! with confidence is left blank and reported in a warning naming the phrase and the
//! closest fields.
//!
//! - Phrasings: "Label: value" / "label = value" lines and clauses; "set/fill/enter label
//!   to/as/with value"; "use/put value for/in label"; "label is/should be value" (and
//!   "value is the label"); "check/tick/select/mark X", "uncheck X", "mark 'Yes' for
//!   question 3", "filing status: single"; "leave X blank" / "leave all other fields blank";
//!   a JSON object pasted anywhere (fenced or inline).
//! - Clauses: see [`clauses`]; "Address: 123 Main St, Springfield, IL 62701" stays one value.
//! - Matching: see [`matcher`]; every content word said must be in one field's label only,
//!   roles (your/spouse/buyer...) must agree; ties are reported, not broken.
//! - Values are checked against the property: text within maxLength (digit groups lose their
//!   dashes/spaces when only that makes them fit: "123-45-6789" into 9 cells), numbers read
//!   from "$1,234.56" for number properties only, booleans from yes/no words, enum values
//!   by option value or label. A full name fills split first/last fields only when no
//!   single field takes it (split at the last space, or at the comma of "Last, First").
//! - Pinned properties (`extend_edit:value`) are never written (silently).
//! - Bounded: the first [`MAX_INSTRUCTION_BYTES`] are read, at most [`MAX_CLAUSES`] clauses;
//!   the regexes are linear.

mod choices;
mod clauses;
mod context;
mod json;
mod matcher;
mod place;
mod run;
mod text;

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use serde_json::{Map, Number, Value};

use self::clauses::Parsed;
use self::matcher::{Found, Index, Prop, TargetKind};
use self::run::{Action, Plan, Problem, Run, Want};
use super::meaning::{self, Meaning};
use super::request::{self, Fact};
use super::shape;
use super::resolver::{InstructionResolver, Resolution};
use crate::fieldmodel::semantic::Semantic;
use crate::model::{EditRootJson, ValueKind};

/// Longest instructions read, in bytes; the rest is ignored with a warning.
pub const MAX_INSTRUCTION_BYTES: usize = 64 * 1024;
/// Most clauses handled; the rest are ignored with a warning.
pub const MAX_CLAUSES: usize = 4096;
/// Longest value (in words) tried as the option part of "group: option".
const MAX_OPTION_WORDS: usize = 6;
/// Longest phrase (in words) looked up as a field's name; longer ones are not names.
const MAX_NAME_WORDS: usize = 24;
/// Length after which a run of glued pieces that reads as no instruction stops being re-read.
const MAX_GLUED_BYTES: usize = 400;
/// Warnings kept; the rest are counted in a last one.
const MAX_WARNINGS: usize = 64;

/// "Are you a fairy? Yes." -- a yes/no answer right after a question.
static QUESTION_ANSWER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?im)\?[ \t]*(yes|no|true|false)[ \t]*([.!;,]|$)").expect("valid regex")
});

/// Reads common phrasings ("First name: Jordan", "check the box for U.S. citizen") and maps
/// them to properties by label similarity; never guesses.
#[derive(Debug, Default, Clone)]
pub struct RuleResolver {}

impl InstructionResolver for RuleResolver {
    fn resolve(
        &self,
        schema: &EditRootJson,
        instructions: &str,
        pinned: &Map<String, Value>,
    ) -> Resolution {
        let mut run = Run::new(schema, pinned);
        let text = run.bounded(instructions);
        run.day_first = request::writes_day_first(text);
        run.verbatim = verbatim_sentences(text);
        let (objects, prose) = json::take_objects(text);
        // Names the request annotates with their parts ("… (Haddad is my family name)") are
        // read without the annotation and split as it says.
        let (prose, named) = request::explicit_name_parts(&prose);
        run.named = named;
        let mut facts = Vec::new();
        for object in &objects {
            run.apply_json(object, &mut facts);
        }
        run.prose(&prose);
        // What the clauses could not place by label, then what prose says by shape.
        // (clause, the facts read from it, its message if none of them is placed)
        let mut clause_facts: Vec<(String, std::ops::Range<usize>, String)> = Vec::new();
        // A line that is only a party's label ("Veterano: José Colón", "Spouse - Ingrid
        // Olsen") makes the lines after it that party's, until another party's line.
        let mut line_party: Option<String> = None;
        // Lines naming whose lines follow, placed or not ("Defendant: Tiffany Grasso",
        // "Informations sur le défendeur :"), by where they stand in the request.
        let party_lines = party_lines(&prose);
        for (clause, readings, message) in std::mem::take(&mut run.unplaced) {
            let before = facts.len();
            if let [(label, _)] = readings.as_slice()
                && label.split_whitespace().count() <= 2
                && let Some(party) = request::party_in(label)
            {
                line_party = Some(party);
            } else if let Some(party) = party_above(&prose, &party_lines, &clause) {
                line_party = Some(party);
            }
            for (label, value) in &readings {
                let composite = request::from_composite(label, value, &clause);
                if composite.is_empty() {
                    facts.extend(request::from_label(label, value, &clause));
                } else {
                    facts.extend(composite);
                }
            }
            if let Some(party) = &line_party {
                for fact in &mut facts[before..] {
                    if fact.entity.is_none() {
                        fact.entity = Some(party.clone());
                    }
                }
            }
            clause_facts.push((clause, before..facts.len(), message));
        }
        request::from_prose(&prose, &mut facts);
        // Values placed by label are checked first, so a value that was wrong for its box
        // frees it for a fact that fits; then the facts' values are checked the same way.
        run.shape_values();
        let answers: Vec<Fact> = facts.iter().filter(|f| f.origin != request::Origin::Prose).cloned().collect();
        let fact_values: Vec<String> = facts.iter().map(|f| f.value.text()).collect();
        let placed = run.place_facts(facts);
        // A clause whose value prose placed by its shape ("My social is 412-55-0987") was
        // understood after all: no message for it.
        let placed_values: Vec<&String> =
            fact_values.iter().zip(&placed).filter(|(v, done)| **done && v.chars().count() >= 4).map(|(v, _)| v).collect();
        run.shape_values();
        let sentences: Vec<String> = request::sentences(&prose).into_iter().map(str::to_string).collect();
        run.answer_choices(&sentences, &answers);
        // Descriptions listed without colons ("blue eyes, brown hair, height 6'1"",
        // "first name Maria Cristina, family name Santos"), in clauses nothing else placed.
        let still_unplaced: Vec<bool> = clause_facts
            .iter()
            .map(|(clause, range, _)| {
                !range.clone().any(|i| placed.get(i).copied().unwrap_or(false)) && !placed_values.iter().any(|v| clause.contains(v.as_str()))
            })
            .collect();
        let unplaced_clauses =
            clause_facts.iter().zip(&still_unplaced).filter(|(_, unplaced)| **unplaced).map(|((clause, _, _), _)| clause.clone());
        let mut described_clauses = Vec::new();
        for clause in run.not_understood.clone().into_iter().chain(unplaced_clauses) {
            if let Some(actions) = run.descriptors(&clause) {
                run.apply(actions, &clause);
                described_clauses.push(clause);
            }
        }
        // Last, values said by their shape beside words that name a box ("le coût total
        // est de 48 600 €"), in what is still unplaced.
        let still: Vec<String> = clause_facts
            .iter()
            .zip(&still_unplaced)
            .filter(|(_, unplaced)| **unplaced)
            .map(|((clause, _, _), _)| clause.clone())
            .filter(|clause| !described_clauses.contains(clause))
            .collect();
        for clause in run.not_understood.clone().into_iter().chain(still) {
            // The party whose lines these are ("Beneficiary: …" above "DOB 1984-10-09").
            let party = party_above(&prose, &party_lines, &clause);
            if run.place_said(&clause, party.as_deref()) {
                described_clauses.push(clause);
            }
        }
        if !described_clauses.is_empty() {
            run.shape_values();
        }
        for clause in std::mem::take(&mut run.not_understood) {
            let used = run.values.values().any(|(_, source)| {
                source == &clause
                    || (clause.len() >= 12 && source.contains(clause.as_str()))
                    || (source.len() >= 12 && clause.contains(source.as_str()))
            });
            if !used {
                run.warn(format!("did not understand \"{clause}\"; nothing was filled from it"));
            }
        }
        for ((clause, _, message), unplaced) in clause_facts.into_iter().zip(still_unplaced) {
            if unplaced && !described_clauses.contains(&clause) {
                run.warn(message);
            }
        }
        run.finish()
    }
}

/// Words asking for a value to be written exactly as given, in the four languages.
const VERBATIM_WORDS: &[&str] = &[
    "as written", "exactly as", "as is", "verbatim", "as given", "genau so", "genauso", "wie angegeben", "so eintragen",
    "tal cual", "tal como", "tel quel", "telle quelle", "tels quels", "comme indique", "exactement comme",
];

/// The sentences (or lines) of a request that ask for their values to be written as given.
fn verbatim_sentences(text: &str) -> Vec<String> {
    request::sentences(text)
        .into_iter()
        .flat_map(|sentence| sentence.split('\n'))
        .filter(|sentence| {
            let folded = text::fold(sentence);
            VERBATIM_WORDS.iter().any(|w| folded.contains(w))
        })
        .map(str::to_string)
        .collect()
}

/// The party of the last line naming one at or before where `clause` stands in `prose`.
fn party_above(prose: &str, party_lines: &[(usize, String)], clause: &str) -> Option<String> {
    let at = prose.find(clause)?;
    party_lines.iter().rev().find(|(start, _)| *start <= at).map(|(_, party)| party.clone())
}

/// Where each line naming a party starts, and the party: "Defendant: Tiffany Grasso",
/// "Spouse - Ingrid Olsen" (a label of one or two words that is a party), or a heading such
/// as "Informations sur le défendeur :".
fn party_lines(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let bare = line.trim().trim_start_matches(['-', '*', '•']).trim();
        let pair = bare.split_once([':', '\u{2013}']).or_else(|| bare.split_once(" - "));
        // The value introduces a person ("Defendant: Tiffany Grasso"), not the party's
        // details ("Employer: Wegmans, 99 Worcester Rd, …").
        let introduces = |value: &str| !value.chars().any(|c| c.is_ascii_digit()) && !request::reads_as_business(value);
        let party = match pair {
            Some((l, v)) if l.split_whitespace().count() <= 2 && introduces(v) => request::party_in(l),
            _ if bare.ends_with(':') && bare.split_whitespace().count() <= 6 => request::party_in(bare),
            _ => None,
        };
        if let Some(p) = party {
            found.push((start, p));
        }
        start += line.len();
    }
    found
}

/// Words that make "leave ... blank" mean "everything not mentioned".
const GENERIC_BLANK_WORDS: &[&str] = &[
    "all",
    "any",
    "every",
    "other",
    "others",
    "remaining",
    "rest",
    "else",
    "everything",
    "anything",
    "the",
    "of",
    "field",
    "fields",
    "box",
    "boxes",
    "blank",
    "unspecified",
    "unmentioned",
    "that",
    "are",
    "not",
    "mentioned",
    "above",
    "below",
    "them",
    "it",
    "empty",
    "ones",
    "one",
    "questions",
    "items",
    "entries",
    "remainder",
    "form",
    "on",
    "in",
    "this",
    "which",
    "i",
    "you",
    "didn't",
    "didnt",
    "did",
    "specify",
    "specified",
    "given",
    "listed",
];

impl<'a> Run<'a> {
    fn new(schema: &EditRootJson, pinned: &'a Map<String, Value>) -> Run<'a> {
        let meanings: Vec<Meaning> =
            schema.properties.iter().map(|(k, p)| meaning::of_property(k, p)).collect();
        let main_entity = main_entity(&meanings);
        let places = schema
            .properties
            .values()
            .map(|p| {
                let b = p.bbox.as_ref().or_else(|| p.bboxes.as_ref().and_then(|b| b.first()))?;
                Some((p.page_index?, *b))
            })
            .collect();
        Run {
            index: Index::new(schema),
            meanings,
            main_entity,
            places,
            day_first: None,
            verbatim: Vec::new(),
            named: Vec::new(),
            unplaced: Vec::new(),
            not_understood: Vec::new(),
            organization_said: false,
            pinned,
            values: HashMap::new(),
            warnings: Vec::new(),
            dropped: 0,
            clauses: 0,
        }
    }

    /// The instructions, cut at [`MAX_INSTRUCTION_BYTES`] (on a character boundary).
    fn bounded<'t>(&mut self, instructions: &'t str) -> &'t str {
        if instructions.len() <= MAX_INSTRUCTION_BYTES {
            return instructions;
        }
        let mut end = MAX_INSTRUCTION_BYTES;
        while !instructions.is_char_boundary(end) {
            end -= 1;
        }
        self.warn(format!(
            "the instructions are {} bytes long; only the first {} KiB were read",
            instructions.len(),
            MAX_INSTRUCTION_BYTES / 1024
        ));
        &instructions[..end]
    }

    fn warn(&mut self, message: String) {
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings.push(message);
        } else {
            self.dropped += 1;
        }
    }

    fn finish(mut self) -> Resolution {
        // A reading of a clause that failed while another reading of it placed a value
        // ("Our company is a C corporation" ticked the box; "Our company" fits no box) is
        // no news for the person.
        let sources: Vec<&String> = self.values.values().map(|(_, source)| source).collect();
        self.warnings.retain(|w| {
            let quoted = w.strip_prefix("could not place \"").and_then(|rest| rest.split_once("\": ").map(|(clause, _)| clause));
            let bare = |t: &str| t.trim().trim_end_matches(['.', '!', ';']).trim().to_string();
            // A record value that fits no box as a value but answered a question.
            let record = w.strip_suffix(" fits no field of this form; left out").and_then(|rest| rest.split_once(": \"")).map(|(source, _)| source);
            quoted.or(record).is_none_or(|clause| !sources.iter().any(|s| bare(s) == bare(clause)))
        });
        if self.dropped > 0 {
            self.warnings
                .push(format!("... and {} more warnings like these", self.dropped));
        }
        let mut ordered: Vec<(usize, (Value, String))> = self.values.into_iter().collect();
        ordered.sort_by_key(|(p, _)| *p);
        let mut values = Map::new();
        let mut sources = std::collections::BTreeMap::new();
        for (p, (v, source)) in ordered {
            let key = self.index.props[p].key.clone();
            sources.insert(key.clone(), source);
            values.insert(key, v);
        }
        Resolution {
            values,
            warnings: self.warnings,
            sources,
            failure: None,
        }
    }

    fn prop(&self, p: usize) -> &Prop {
        &self.index.props[p]
    }

    // ----- applying -----

    fn is_pinned(&self, p: usize) -> bool {
        let prop = self.prop(p);
        if self.pinned.contains_key(&prop.key) {
            return true;
        }
        // A radio group with one option pinned is decided.
        match &prop.radio_option {
            Some(radio) => self.index.props.iter().any(|other| {
                other
                    .radio_option
                    .as_ref()
                    .is_some_and(|o| o.group == radio.group)
                    && self.pinned.contains_key(&other.key)
            }),
            None => false,
        }
    }

    fn apply(&mut self, actions: Vec<Action>, clause: &str) {
        for action in actions {
            match action {
                Action::Clear(p) => {
                    self.values.remove(&p);
                }
                Action::Set(p, value) => {
                    if self.is_pinned(p) {
                        continue;
                    }
                    let key = self.prop(p).key.clone();
                    let twice = self
                        .values
                        .get(&p)
                        .filter(|(old, _)| *old != value)
                        .map(|(_, c)| c.clone());
                    if let Some(old_clause) = twice {
                        self.warn(format!(
                            "{key} was given twice (\"{old_clause}\" and \"{clause}\"); the later value {value} is used"
                        ));
                    }
                    // Only one option of a radio group can be true.
                    if value == Value::Bool(true)
                        && let Some(group) =
                            self.prop(p).radio_option.as_ref().map(|r| r.group.clone())
                    {
                        let others: Vec<usize> = self
                            .values
                            .iter()
                            .filter(|(q, (v, _))| {
                                **q != p
                                    && *v == Value::Bool(true)
                                    && self
                                        .prop(**q)
                                        .radio_option
                                        .as_ref()
                                        .is_some_and(|r| r.group == group)
                            })
                            .map(|(q, _)| *q)
                            .collect();
                        for q in others {
                            let other_key = self.prop(q).key.clone();
                            self.warn(format!(
                                "{other_key} and {key} are options of one radio group; \"{clause}\" chose {key}"
                            ));
                            self.values.remove(&q);
                        }
                    }
                    self.values.insert(p, (value, clause.to_string()));
                }
            }
        }
    }

    // ----- prose -----

    fn prose(&mut self, text: &str) {
        // "Are you a fairy? Yes." is "Are you a fairy: Yes".
        let text = QUESTION_ANSWER.replace_all(text, ": $1$2");
        for sentence in clauses::sentences(&text) {
            // Glue pieces that do not start an instruction back onto the clause before.
            // (clause, is a continuation, is a "set ... to ..." clause, reads as an instruction)
            let mut merged: Vec<(String, bool, bool, bool)> = Vec::new();
            for (separator, piece) in sentence.pieces {
                let tidy = clauses::tidy(&piece);
                let Some(last) = merged.last_mut() else {
                    let parsed = clauses::parse(&tidy);
                    let sets = matches!(parsed, Parsed::Assign { set_verb: true, .. });
                    merged.push((piece, false, sets, parsed != Parsed::Unknown));
                    continue;
                };
                match self.starts_clause(&tidy, last.2, last.3) {
                    Some(continuation) => {
                        let parsed = clauses::parse(&tidy);
                        let sets =
                            continuation || matches!(parsed, Parsed::Assign { set_verb: true, .. });
                        merged.push((
                            piece,
                            continuation,
                            sets,
                            continuation || parsed != Parsed::Unknown,
                        ));
                    }
                    None => {
                        last.0.push_str(&separator);
                        last.0.push_str(&piece);
                        if !last.3 {
                            // Bounded: a long run of pieces that never reads as an
                            // instruction stops being re-read.
                            let parsed = clauses::parse(&clauses::tidy(&last.0));
                            last.2 = matches!(parsed, Parsed::Assign { set_verb: true, .. });
                            last.3 = parsed != Parsed::Unknown || last.0.len() > MAX_GLUED_BYTES;
                        }
                    }
                }
            }
            // Roles named earlier in the sentence carry over: "the taxpayer's first name as
            // Jordan and last name as Avery".
            let mut roles: Vec<String> = Vec::new();
            for (clause, continuation, _, _) in merged {
                self.clauses += 1;
                if self.clauses > MAX_CLAUSES {
                    self.warn(format!(
                        "more than {MAX_CLAUSES} clauses; the rest were not read"
                    ));
                    return;
                }
                let tidy = clauses::tidy(&clause);
                let parsed = self.parse_clause(&tidy, continuation);
                self.handle(&tidy, parsed, &mut roles, false);
            }
        }
    }

    fn parse_clause(&self, tidy: &str, continuation: bool) -> Parsed {
        let parsed = clauses::parse(tidy);
        if continuation
            && !matches!(
                parsed,
                Parsed::Assign { strong: true, .. } | Parsed::Choose { .. } | Parsed::Blank { .. }
            )
            && let Some(cont) = clauses::parse_continuation(tidy)
        {
            return cont;
        }
        parsed
    }

    /// Whether a piece after a comma or "and" starts a clause of its own (`Some(true)` when
    /// it does as a continuation of the "set ... to ..." before it).
    fn starts_clause(
        &self,
        tidy: &str,
        previous_sets: bool,
        previous_complete: bool,
    ) -> Option<bool> {
        // "Employer's name and address: ...": a clause that is not yet an instruction takes
        // the next piece whatever it is.
        if !previous_complete {
            return None;
        }
        match clauses::parse(tidy) {
            Parsed::Blank { .. } | Parsed::Choose { .. } | Parsed::Assign { strong: true, .. } => {
                return Some(false);
            }
            Parsed::Assign { readings, .. } if self.some_label_known(&readings) => {
                return Some(false);
            }
            _ => {}
        }
        if previous_sets
            && let Some(Parsed::Assign { readings, .. }) = clauses::parse_continuation(tidy)
            && self.some_label_known(&readings)
        {
            return Some(true);
        }
        // "My name is Jordan Avery and I live at …": a piece with a subject of its own is a
        // statement of its own, never the rest of the value before it.
        if clauses::opens_statement(tidy) {
            return Some(false);
        }
        None
    }

    fn some_label_known(&self, readings: &[(String, String)]) -> bool {
        readings.iter().any(|(label, _)| {
            let q = self.index.correct(&text::tokens(label));
            !q.is_empty()
                && label.split_whitespace().count() <= MAX_NAME_WORDS
                && !matches!(self.index.find_field(&q), Found::None)
        })
    }

    /// Whether a label names no field, check box or option at all.
    fn names_nothing(&self, label: &str) -> bool {
        let q = self.index.correct(&text::tokens(label));
        q.is_empty()
            || (matches!(self.index.find_field(&q), Found::None)
                && matches!(self.index.find_choice(&q), Found::None))
    }

    fn handle(&mut self, clause: &str, parsed: Parsed, roles: &mut Vec<String>, nested: bool) {
        match parsed {
            Parsed::Blank { text } => {
                let actions = self.blank(&text);
                self.apply(actions, clause);
            }
            Parsed::Choose { text, on, readings } => {
                self.choose(clause, &text, on, &readings, roles)
            }
            // "Note: check the box for Single" / "Step 1: first name = Jordan": a label that
            // names nothing, then an instruction (one level deep).
            Parsed::Assign {
                ref readings,
                strong: true,
                set_verb: false,
            } if readings.len() == 1
                && !nested
                && self.names_nothing(&readings[0].0)
                && clauses::parse(&clauses::tidy(&readings[0].1)) != Parsed::Unknown =>
            {
                let inner = clauses::tidy(&readings[0].1);
                let parsed = clauses::parse(&inner);
                self.handle(&inner, parsed, roles, true);
            }
            Parsed::Assign { readings, .. } => self.assign(clause, &readings, roles),
            Parsed::Unknown if clauses::parse_label_number(clause).is_some() => {
                let readings: Vec<(String, String)> =
                    clauses::parse_label_number(clause).into_iter().collect();
                self.assign(clause, &readings, roles);
            }
            Parsed::Unknown => {
                if clause.chars().any(char::is_alphanumeric) && !is_aside(clause) {
                    // Said only at the end: prose may still place what the clause says.
                    self.not_understood.push(clause.to_string());
                }
            }
        }
    }

    fn blank(&self, what: &str) -> Vec<Action> {
        let generic = text::words(what).iter().all(|w| {
            GENERIC_BLANK_WORDS.contains(&w.as_str()) || w.chars().all(|c| c.is_ascii_digit())
        });
        if generic {
            return Vec::new();
        }
        match self.index.find_field(&text::tokens(text::unquote(what))) {
            Found::One(t) => match &self.index.fields[t].kind {
                TargetKind::Field(p) => vec![Action::Clear(*p)],
                TargetKind::Group(members) => members.iter().map(|m| Action::Clear(*m)).collect(),
                _ => Vec::new(),
            },
            // Left blank anyway.
            _ => Vec::new(),
        }
    }

    /// Several readings of one clause: the one whose label names a field wins; readings
    /// naming different fields are reported.
    fn assign(&mut self, clause: &str, readings: &[(String, String)], roles: &mut Vec<String>) {
        // "Family name: Tesfaye", "Mailing address: …": a label that only names a kind of
        // identity value is placed by meaning (party, qualifier, the box asked first,
        // shaping), not by the nearest label text.
        if let [(label, value)] = readings
            && roles.is_empty()
            && label.split_whitespace().count() <= 4
            && let Some(fact) = request::from_label(label, value, clause)
            && fact.semantic.is_some_and(place::is_identity)
            && let Some(s) = fact.semantic
            && !self.label_names_one_organization_field(s, label)
            && let Ok(actions) = self.plan_fact(s, &fact)
            && !actions.is_empty()
        {
            // Roles it names carry over to the next clause, as for a label match.
            let named = text::roles(&text::tokens(label));
            if !named.is_empty() {
                *roles = named;
            }
            self.apply(actions, clause);
            return;
        }
        let mut hits: Vec<(usize, Vec<Action>, Vec<String>)> = Vec::new();
        let mut problems: Vec<Problem> = Vec::new();
        for (label, value) in readings {
            match self.plan_assign(label, value, roles, Want::Any) {
                Ok((actions, named)) => hits.push((label.len(), actions, named)),
                Err(problem) => problems.push(problem),
            }
        }
        // No label named a field: the clause is read again by meaning (`place`), and its
        // message is given only if that fails too.
        if hits.is_empty()
            && !problems.is_empty()
            && problems.iter().all(|p| matches!(p, Problem::NoField { .. } | Problem::Several { .. }))
        {
            // The most informative message: a tie over no field.
            let worst = problems.iter().max_by_key(|p| p.rank()).unwrap_or(&problems[0]);
            let message = worst.message(clause, &self.index);
            self.unplaced.push((clause.to_string(), readings.to_vec(), message));
            return;
        }
        self.settle(clause, hits, problems, roles);
    }

    /// An organization's name has no parts to shape or party to find: when its label names
    /// exactly one field by all its words ("Business name" and the W-9's "Business
    /// name/disregarded entity name"), that field is meant, not the first box that takes an
    /// organization's name ("Name of entity/individual").
    fn label_names_one_organization_field(&self, s: Semantic, label: &str) -> bool {
        s == Semantic::Organization
            && matches!(self.index.find_field_strict(&text::tokens(label)), Found::One(_))
    }

    fn settle(
        &mut self,
        clause: &str,
        mut hits: Vec<(usize, Vec<Action>, Vec<String>)>,
        problems: Vec<Problem>,
        roles: &mut Vec<String>,
    ) {
        if hits.is_empty() {
            // The most informative problem: a bad value over a tie over no field.
            let mut best: Option<&Problem> = None;
            for p in &problems {
                if best.is_none_or(|b| p.rank() > b.rank()) {
                    best = Some(p);
                }
            }
            if let Some(problem) = best {
                self.warn(problem.message(clause, &self.index));
            }
            return;
        }
        let first = targets(&hits[0].1);
        if hits.iter().any(|h| targets(&h.1) != first) {
            let keys: Vec<String> = hits
                .iter()
                .flat_map(|h| targets(&h.1))
                .map(|p| self.prop(p).key.clone())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            self.warn(format!(
                "could not place \"{clause}\": it can be read as naming different fields ({}); left blank",
                keys.join(", ")
            ));
            return;
        }
        // Same field either way: the reading with the longest label is the precise one.
        hits.sort_by_key(|h| std::cmp::Reverse(h.0));
        let (_, actions, named) = hits.swap_remove(0);
        if !named.is_empty() {
            *roles = named;
        }
        self.apply(actions, clause);
    }

    /// A clause that lists short descriptions without colons — "blue eyes, brown hair,
    /// height 6'1", heavy build" — read piece by piece as "label value" or "value label"
    /// where the label words name exactly one field and the value fits it. A piece read two
    /// ways that name different fields is left out.
    fn descriptors(&self, clause: &str) -> Option<Vec<Action>> {
        const OPENERS: &[&str] = &["he's", "she's", "he", "she", "is", "has", "a", "an", "his", "her", "and", "with", "er", "sie", "ist", "hat", "il", "elle", "est", "es", "tiene", "y", "und", "et"];
        // A value is a noun or an adjective with its number: no joining word, verb or
        // hedge inside ("about 190", "get $310 in", "so mark it" are not values).
        const NOT_VALUE: &[&str] = &[
            "to", "is", "are", "was", "were", "be", "goes", "go", "get", "gets", "got", "at", "in", "on", "for", "from", "with", "of", "the", "and",
            "or", "my", "our", "your", "i", "we", "you", "it", "so", "mark", "check", "put", "about", "around", "approximately", "roughly", "maybe",
            "de", "à", "en", "la", "el", "ist", "bei", "zu", "von", "und", "et", "y", "le", "der", "die", "das", "not", "no", "no.", "never",
            "nr", "nr.", "n°", "id", "#", ":", "etwa", "environ", "unos", "hoy", "firmo", "born", "née", "né", "nee", "live", "lives",
            "work", "works", "called", "named", "since", "until", "before", "after", "who", "that", "which", "this", "these", "those",
        ];
        static PIECES: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[;,]\s+|\s+and\s+").expect("valid regex"));
        let mut actions = Vec::new();
        for piece in PIECES.split(clause) {
            let mut words: Vec<&str> = piece.split_whitespace().collect();
            while words.len() > 2 && words.first().is_some_and(|w| OPENERS.contains(&w.to_lowercase().as_str())) {
                words.remove(0);
            }
            let n = words.len();
            if !(2..=5).contains(&n) {
                continue;
            }
            // (label words said, actions)
            let mut readings: Vec<(usize, Vec<Action>)> = Vec::new();
            for k in 1..=3.min(n - 1) {
                for (label, value) in [(words[..k].join(" "), words[k..].join(" ")), (words[n - k..].join(" "), words[..n - k].join(" "))] {
                    let value_words: Vec<String> = value.split_whitespace().map(str::to_lowercase).collect();
                    // Contractions ("I'm", "he's") are sentence words; one or two characters
                    // alone ("2", "AI") are too little to tell a value from a stray word.
                    let too_short = value_words.len() == 1 && value.chars().count() <= 2;
                    if value_words.len() > 3
                        || too_short
                        || value_words.iter().any(|w| NOT_VALUE.contains(&w.as_str()) || w.contains(['\'', '’']))
                    {
                        continue;
                    }
                    let Ok((found, _)) = self.plan_assign(&label, &value, &[], Want::Any) else { continue };
                    // The words said must be most of the field's own label: "Family" does
                    // not name "Probate and Family Court county".
                    let said = text::tokens(&label).len();
                    let covers = targets(&found).iter().all(|&p| said * 2 >= text::tokens(&self.prop(p).label).len());
                    if !found.is_empty() && covers {
                        readings.push((said, found));
                    }
                }
            }
            let Some(first) = readings.first().map(|(_, a)| targets(a)) else { continue };
            if readings.iter().all(|(_, r)| targets(r) == first) && first.iter().all(|p| !self.values.contains_key(p)) {
                // The reading with the most label words is the precise one ("case no." over "case").
                readings.sort_by_key(|(said, _)| std::cmp::Reverse(*said));
                actions.extend(readings.swap_remove(0).1);
            }
        }
        (!actions.is_empty()).then_some(actions)
    }

    /// (actions, roles the label named) for "label = value".
    fn plan_assign(
        &self,
        label: &str,
        value: &str,
        inherited: &[String],
        want: Want,
    ) -> Result<(Vec<Action>, Vec<String>), Problem> {
        let value = text::unquote(value).trim();
        let label = text::unquote(label).trim();
        if value.is_empty() {
            return Err(Problem::BadValue(format!("no value given for \"{label}\"")));
        }
        // A key typed as is.
        if label.contains('_')
            && let Some(p) = self.index.by_key(label)
        {
            let field = self
                .index
                .fields
                .iter()
                .position(|t| t.kind == TargetKind::Field(p));
            if let Some(t) = field {
                return self
                    .convert(t, value, &text::tokens(label))
                    .map(|a| (a, Vec::new()));
            }
        }
        let q = self.index.correct(&text::tokens(label));
        if q.is_empty() || label.split_whitespace().count() > MAX_NAME_WORDS {
            return Err(Problem::NoField {
                label: label.to_string(),
                query: Vec::new(),
                among_choices: false,
            });
        }
        let named = text::roles(&q);
        if named.is_empty() && !inherited.is_empty() {
            let mut with_roles = q.clone();
            with_roles.extend(inherited.iter().cloned());
            text::drop_self_beside_other_role(&mut with_roles);
            if let Ok(actions) = self.plan_label(&with_roles, label, value, want) {
                return Ok((actions, Vec::new()));
            }
        }
        // "The buyer is Jordan Avery": a person named by role alone means their name.
        let bare_role = text::words(label)
            .iter()
            .filter(|w| !matches!(w.as_str(), "the" | "a" | "an"))
            .all(|w| text::tokens(w).iter().all(|t| text::is_role(t)));
        if bare_role && want == Want::Any && text::boolean_word(value).is_none() {
            let mut with_name = q.clone();
            with_name.push("name".into());
            if let Ok(actions) = self.plan_label(&with_name, label, value, want) {
                return Ok((actions, named));
            }
        }
        self.plan_label(&q, label, value, want).map(|a| (a, named))
    }

    fn lookup(&self, q: &[String], want: Want) -> Found {
        match want {
            Want::Any => self.index.find_field(q),
            Want::Options => self.index.find_field_with_options(q),
        }
    }

    fn plan_label(&self, q: &[String], label: &str, value: &str, want: Want) -> Plan {
        if text::is_blank_word(value) {
            return Ok(match self.index.find_field(q) {
                Found::One(t) => match &self.index.fields[t].kind {
                    TargetKind::Field(p) => vec![Action::Clear(*p)],
                    TargetKind::Group(members) => {
                        members.iter().map(|m| Action::Clear(*m)).collect()
                    }
                    _ => Vec::new(),
                },
                _ => Vec::new(),
            });
        }
        if want == Want::Any
            && q.iter().any(|t| t == "name")
            && !q.iter().any(|t| text::is_name_part(t))
        {
            return self.plan_name(q, label, value);
        }
        // "Line 7: 500", "question 3: yes": the field whose label prints that number, and
        // only that.
        if let Some(number) = matcher::number_reference(label) {
            match self.index.find_by_number(&number, want == Want::Options) {
                Found::One(t) => return self.convert(t, value, q),
                Found::Several(ts) => {
                    return Err(Problem::Several {
                        label: label.to_string(),
                        candidates: self.index.describe(&self.index.fields, &ts),
                    });
                }
                // A line number is not a word: "line 7" never fills a label that mentions
                // "line 7" in passing.
                Found::None => {
                    return Err(Problem::NoField {
                        label: label.to_string(),
                        query: Vec::new(),
                        among_choices: false,
                    });
                }
            }
        }
        match self.lookup(q, want) {
            Found::One(t) => self.convert(t, value, q),
            Found::Several(ts) => self
                .choice_fallback(q, value)
                .ok_or_else(|| Problem::Several {
                    label: label.to_string(),
                    candidates: self.index.describe(&self.index.fields, &ts),
                }),
            Found::None => self
                .choice_fallback(q, value)
                .ok_or_else(|| Problem::NoField {
                    label: label.to_string(),
                    query: q.to_vec(),
                    among_choices: false,
                }),
        }
    }

    /// "Name: Jordan Avery": one field taking a whole name, or split first/last fields —
    /// never when both are possible. A field matching every word said ("your name" ->
    /// "Your first name" + the last name beside it) wins over one that only tolerates the
    /// "your" ("Firm's name").
    fn plan_name(&self, q: &[String], label: &str, value: &str) -> Plan {
        let with = |part: &str, strict: bool| {
            let mut t = q.to_vec();
            t.push(part.to_string());
            if strict {
                self.index.find_field_strict(&t)
            } else {
                self.index.find_field(&t)
            }
        };
        let several = |ts: Vec<usize>| Problem::Several {
            label: label.to_string(),
            candidates: self.index.describe(&self.index.fields, &ts),
        };
        let found_all = |found: &[&Found]| -> Vec<usize> {
            let mut ts = Vec::new();
            for f in found {
                match f {
                    Found::One(x) => ts.push(*x),
                    Found::Several(xs) => ts.extend(xs),
                    Found::None => {}
                }
            }
            ts
        };
        let (first, last) = (with("first", false), with("last", false));
        let parts_exist = !matches!(first, Found::None) || !matches!(last, Found::None);
        let strict_whole = self.index.find_field_strict(q);
        match strict_whole {
            Found::One(t) if !parts_exist => return self.convert(t, value, q),
            Found::One(_) | Found::Several(_) => {
                return Err(several(found_all(&[&strict_whole, &first, &last])));
            }
            Found::None => {}
        }
        let parts_strict = matches!(
            (with("first", true), with("last", true)),
            (Found::One(_), Found::One(_))
        );
        let whole = self.index.find_field(q);
        match (&whole, &first, &last) {
            (_, Found::One(f), Found::One(l))
                if f != l && (parts_strict || matches!(whole, Found::None)) =>
            {
                self.split_name(*f, *l, q, value)
            }
            (Found::One(t), _, _) if !parts_exist => self.convert(*t, value, q),
            (Found::None, Found::None, Found::None) => Err(Problem::NoField {
                label: label.to_string(),
                query: q.to_vec(),
                among_choices: false,
            }),
            _ => Err(several(found_all(&[&whole, &first, &last]))),
        }
    }

    /// The parts of `value` when the request annotated that name with them.
    fn annotated_name(&self, value: &str) -> Option<&shape::PersonName> {
        self.named.iter().find(|(name, _)| name == value.trim()).map(|(_, parts)| parts)
    }

    fn split_name(&self, f: usize, l: usize, q: &[String], value: &str) -> Plan {
        let annotated = self.annotated_name(value).map(|n| {
            (n.middle.as_ref().map_or_else(|| n.given.clone(), |m| format!("{} {m}", n.given)), n.family.clone())
        });
        let Some((first_name, last_name)) = annotated.or_else(|| split_full_name(value)) else {
            return Err(Problem::BadValue(format!(
                "\"{value}\" is not a first and a last name to put in \"{}\" and \"{}\"",
                self.index.fields[f].label, self.index.fields[l].label
            )));
        };
        let mut middle = q.to_vec();
        middle.push("middle".into());
        if let Found::One(m) = self.index.find_field(&middle)
            && m != f
            && m != l
            && first_name.split_whitespace().count() > 1
        {
            return Err(Problem::BadValue(format!(
                "\"{value}\" has a middle part and the form has a separate \"{}\" field; give each part",
                self.index.fields[m].label
            )));
        }
        let mut actions = self.convert(f, &first_name, q)?;
        actions.extend(self.convert(l, &last_name, q)?);
        Ok(actions)
    }

    /// "filing status: single" when no field is called "filing status": the check box or
    /// option named by label and value together (the value's words must be used).
    fn choice_fallback(&self, q: &[String], value: &str) -> Option<Vec<Action>> {
        if let Some(on) = text::boolean_word(value)
            && let Found::One(t) = self.index.find_choice(q)
        {
            return self.toggle(t, on).ok();
        }
        // A question answered by a pair of boxes ("…?: YES", "…?: NO"): the answer's box.
        if let Some(on) = text::answer_word(value) {
            let answer = if on { "yes" } else { "no" };
            let boxes = match self.index.find_choice(q) {
                Found::One(t) => vec![t],
                Found::Several(ts) => ts,
                Found::None => Vec::new(),
            };
            let answering: Vec<usize> = boxes
                .into_iter()
                .filter(|&t| {
                    let label = text::fold(&self.index.choices[t].label);
                    label.rsplit_once(':').is_some_and(|(_, box_label)| box_label.trim() == answer)
                })
                .collect();
            return match answering.as_slice() {
                [t] => self.toggle(*t, true).ok(),
                _ => None,
            };
        }
        // A number ("A-204-771-398") names no option, whatever letter it holds.
        if value.split_whitespace().count() > MAX_OPTION_WORDS || value.chars().filter(char::is_ascii_digit).count() >= 3 {
            return None;
        }
        let value_tokens = text::tokens(value);
        if value_tokens.is_empty() {
            return None;
        }
        let mut both = q.to_vec();
        for t in &value_tokens {
            if !both.contains(t) {
                both.push(t.clone());
            }
        }
        // The value must name the option: all its words are the target's, some of them are
        // the option's own ("single" of "Filing status: Single"), and the option's words
        // were all said ("S" does not name "LLC. Enter the tax classification (... S = S
        // corporation ...)").
        match self.index.find_choice(&both) {
            Found::One(t) => {
                let target = &self.index.choices[t];
                let names_it = value_tokens.iter().all(|v| target.tokens.contains(v))
                    && target.essential.iter().any(|e| value_tokens.contains(e))
                    && target
                        .essential
                        .iter()
                        .all(|e| value_tokens.contains(e) || q.contains(e));
                if names_it {
                    self.toggle(t, true).ok()
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    fn toggle(&self, t: usize, on: bool) -> Plan {
        match &self.index.choices[t].kind {
            TargetKind::Toggle(p) => Ok(vec![Action::Set(*p, Value::Bool(on))]),
            TargetKind::EnumOption(p, o) => {
                let value = Value::String(self.prop(*p).options[*o].0.clone());
                if on {
                    Ok(vec![Action::Set(*p, value)])
                } else if self.values.get(p).is_some_and(|(v, _)| *v == value) {
                    Ok(vec![Action::Clear(*p)])
                } else {
                    Ok(Vec::new())
                }
            }
            TargetKind::Field(p) => Ok(vec![Action::Set(*p, Value::Bool(on))]),
            TargetKind::Group(_) => Err(Problem::BadValue(
                "a radio group is chosen by one of its options".into(),
            )),
        }
    }

    /// The value of field target `t` from text.
    fn convert(&self, t: usize, value: &str, q: &[String]) -> Plan {
        // The first box of a value spread over several (dollars and cents, a date's day,
        // month and year) takes the value into all of them.
        if let TargetKind::Field(p) = self.index.fields[t].kind
            && let Some((1, n)) = self.meanings[p].part
            && n >= 2
            && matches!(self.prop(p).kind, Some(ValueKind::String) | None)
        {
            let what = format!("\"{}\" ({})", self.prop(p).label, self.prop(p).key);
            return self
                .plan_parts_from(p, value)
                .ok_or_else(|| Problem::BadValue(format!("\"{value}\" does not fit the {n} boxes of {what}")));
        }
        self.convert_one(t, value, q)
    }

    /// [`Self::convert`] into box `t` alone.
    pub(super) fn convert_one(&self, t: usize, value: &str, q: &[String]) -> Plan {
        let target = &self.index.fields[t];
        match &target.kind {
            TargetKind::Field(p) => {
                let p = *p;
                let prop = self.prop(p);
                let what = format!("\"{}\" ({})", prop.label, prop.key);
                // A signature box is filled when the request speaks of signing: "Debtor 1:
                // …" names the debtor, not the line where they sign.
                if self.meanings[p].semantic == Semantic::Signature
                    && !q.iter().any(|t| matches!(t.as_str(), "signature" | "sign" | "signed" | "signing" | "signer" | "signatory"))
                {
                    return Err(Problem::NoField { label: prop.label.clone(), query: q.to_vec(), among_choices: false });
                }
                let set = |v: Value| Ok(vec![Action::Set(p, v)]);
                match prop.kind {
                    Some(ValueKind::String) | None => match text_value(prop, value) {
                        Ok(v) => set(v),
                        // A value the box's type writes shorter ("5 March 2025" into a
                        // ten-character date box as 03/05/2025) is shaped before it is measured.
                        Err(why) => match self.shaped(p, value) {
                            place::Shaped::Replace(new) if text_value(prop, &new).is_ok() => set(Value::String(new)),
                            _ => Err(Problem::BadValue(why)),
                        },
                    },
                    Some(ValueKind::Number) => {
                        match text::parse_number(value).and_then(Number::from_f64) {
                            Some(n) => set(Value::Number(n)),
                            None => Err(Problem::BadValue(format!(
                                "{what} takes a number, not \"{value}\""
                            ))),
                        }
                    }
                    Some(ValueKind::Integer) => match text::parse_number(value) {
                        Some(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => {
                            set(Value::from(n as i64))
                        }
                        _ => Err(Problem::BadValue(format!(
                            "{what} takes a whole number, not \"{value}\""
                        ))),
                    },
                    Some(ValueKind::Boolean) => match text::boolean_word(value) {
                        // "Consent: yes" said to the "No" box of a question ticks its "Yes" box.
                        Some(on) if let Some((Some(question), answer)) = choices::answer_of(&prop.label) => {
                            if on == answer {
                                return set(Value::Bool(true));
                            }
                            let sibling = self.index.props.iter().position(|other| {
                                other.kind == Some(ValueKind::Boolean) && choices::answer_of(&other.label) == Some((Some(question), on))
                            });
                            match sibling {
                                Some(s) if !self.is_pinned(s) => Ok(vec![Action::Set(s, Value::Bool(true)), Action::Set(p, Value::Bool(false))]),
                                _ => set(Value::Bool(false)),
                            }
                        }
                        Some(on) => set(Value::Bool(on)),
                        None => self.choice_fallback(q, value).ok_or_else(|| {
                            Problem::BadValue(format!(
                                "{what} is a check box (yes or no), not \"{value}\""
                            ))
                        }),
                    },
                    Some(ValueKind::Enum) => match match_option(&prop.options, value) {
                        Ok(o) => set(Value::String(prop.options[o].0.clone())),
                        Err(_) => Err(Problem::BadValue(format!(
                            "\"{value}\" is not one of the options of {what} ({})",
                            list_options(prop.options.iter().map(|(_, l)| l.as_str()))
                        ))),
                    },
                    Some(ValueKind::Array) => Err(Problem::BadValue(format!(
                        "{what} takes a list; give it in a JSON object"
                    ))),
                    Some(ValueKind::Object) => Err(Problem::BadValue(format!(
                        "{what} takes an object; give it in a JSON object"
                    ))),
                }
            }
            TargetKind::Group(members) => {
                let options: Vec<(String, String)> = members
                    .iter()
                    .map(|m| {
                        let radio = self.prop(*m).radio_option.as_ref();
                        (
                            radio.map(|r| r.export.clone()).unwrap_or_default(),
                            radio.map(|r| r.label.clone()).unwrap_or_default(),
                        )
                    })
                    .collect();
                match match_option(&options, value) {
                    Ok(o) => Ok(vec![Action::Set(members[o], Value::Bool(true))]),
                    Err(_) => Err(Problem::BadValue(format!(
                        "\"{value}\" is not one of the options of \"{}\" ({})",
                        target.label,
                        list_options(options.iter().map(|(_, l)| l.as_str()))
                    ))),
                }
            }
            TargetKind::Toggle(_) | TargetKind::EnumOption(..) => Err(Problem::BadValue(
                "an option is checked, not given a value".into(),
            )),
        }
    }

    // ----- check phrases -----

    fn choose(
        &mut self,
        clause: &str,
        what: &str,
        on: bool,
        readings: &[(String, String)],
        roles: &mut Vec<String>,
    ) {
        // "mark 'Yes' for question 3": a value for a field, when the label names one.
        if !readings.is_empty() {
            let hits: Vec<(usize, Vec<Action>, Vec<String>)> = readings
                .iter()
                .filter_map(|(label, value)| {
                    self.plan_assign(label, value, roles, Want::Options)
                        .ok()
                        .map(|(a, named)| (label.len(), a, named))
                })
                .collect();
            if !hits.is_empty() {
                self.settle(clause, hits, Vec::new(), roles);
                return;
            }
        }
        let what = clauses::strip_box_words(text::unquote(what));
        match self.plan_choice(&what, on, roles) {
            Ok(actions) => self.apply(actions, clause),
            Err(problem) => {
                // "check Single, U.S. citizen and Blind".
                let parts = split_list(&what);
                if parts.len() < 2 {
                    self.warn(problem.message(clause, &self.index));
                    return;
                }
                for part in parts {
                    let part = clauses::strip_box_words(text::unquote(&part));
                    match self.plan_choice(&part, on, roles) {
                        Ok(actions) => self.apply(actions, clause),
                        Err(problem) => self.warn(problem.message(&part, &self.index)),
                    }
                }
            }
        }
    }

    fn plan_choice(&self, what: &str, on: bool, inherited: &[String]) -> Plan {
        let q = self.index.correct(&text::tokens(what));
        if q.is_empty() || what.split_whitespace().count() > 2 * MAX_NAME_WORDS {
            return Err(Problem::NoField {
                label: what.to_string(),
                query: Vec::new(),
                among_choices: false,
            });
        }
        if !text::has_role(&q) && !inherited.is_empty() {
            let mut with_roles = q.clone();
            with_roles.extend(inherited.iter().cloned());
            text::drop_self_beside_other_role(&mut with_roles);
            if let Found::One(t) = self.index.find_choice(&with_roles) {
                return self.toggle(t, on);
            }
        }
        match self.index.find_choice(&q) {
            Found::One(t) => self.toggle(t, on),
            Found::Several(ts) => Err(Problem::Several {
                label: what.to_string(),
                candidates: self.index.describe(&self.index.choices, &ts),
            }),
            Found::None => {
                // "clear the first name": a text field made blank.
                if !on
                    && let Found::One(t) = self.index.find_field(&q)
                    && let TargetKind::Field(p) = self.index.fields[t].kind
                {
                    return Ok(vec![Action::Clear(p)]);
                }
                Err(Problem::NoField {
                    label: what.to_string(),
                    query: q.clone(),
                    among_choices: true,
                })
            }
        }
    }

    // ----- JSON -----

    /// A record: keys that are schema keys or native field names are applied as given; the
    /// rest (the sender's own names, nested objects, lists) become facts placed by meaning.
    fn apply_json(&mut self, object: &Map<String, Value>, facts: &mut Vec<Fact>) {
        for (key, value) in object {
            let exact = self.index.by_key(key).is_some()
                || self.index.props.iter().any(|p| p.field_name.as_deref() == Some(key));
            if !exact {
                let mut one = Map::new();
                one.insert(key.clone(), value.clone());
                request::from_record(&Value::Object(one), facts);
                continue;
            }
            let clause = format!("\"{key}\": {value}");
            let plan = self.plan_json(key, value);
            match plan {
                Ok(actions) => self.apply(actions, &clause),
                Err(problem) => self.warn(problem.message(&clause, &self.index)),
            }
        }
    }

    fn plan_json(&self, key: &str, value: &Value) -> Plan {
        // The key itself, else the native field's name, else the key read as a label.
        let exact = self.index.by_key(key).or_else(|| {
            self.index
                .props
                .iter()
                .position(|p| p.field_name.as_deref() == Some(key) && p.radio_option.is_none())
        });
        if let Some(p) = exact {
            if self.prop(p).radio_option.is_some() {
                return match value {
                    Value::Bool(b) => Ok(vec![Action::Set(p, Value::Bool(*b))]),
                    Value::Null => Ok(vec![Action::Clear(p)]),
                    other => Err(Problem::BadValue(format!(
                        "{key} is one radio option and takes true or false, not {other}"
                    ))),
                };
            }
            return self.json_value(p, value);
        }
        let label = crate::keys::snake_case(key).replace('_', " ");
        let q = self.index.correct(&text::tokens(&label));
        if q.is_empty() {
            return Err(Problem::NoField {
                label: key.to_string(),
                query: Vec::new(),
                among_choices: false,
            });
        }
        if let Value::String(s) = value
            && q.iter().any(|t| t == "name")
            && !q.iter().any(|t| text::is_name_part(t))
        {
            return self.plan_name(&q, key, s);
        }
        match self.index.find_field(&q) {
            Found::One(t) => match &self.index.fields[t].kind {
                TargetKind::Field(p) => self.json_value(*p, value),
                TargetKind::Group(_) => match value {
                    Value::String(s) => self.convert(t, s, &q),
                    Value::Null => Ok(Vec::new()),
                    other => Err(Problem::BadValue(format!(
                        "\"{key}\" is a radio group; give one option's label, not {other}"
                    ))),
                },
                _ => Err(Problem::NoField {
                    label: key.to_string(),
                    query: Vec::new(),
                    among_choices: false,
                }),
            },
            Found::Several(ts) => Err(Problem::Several {
                label: key.to_string(),
                candidates: self.index.describe(&self.index.fields, &ts),
            }),
            Found::None => Err(Problem::NoField {
                label: key.to_string(),
                query: q.clone(),
                among_choices: false,
            }),
        }
    }

    /// A JSON value for property `p`, taken as given when its type fits (digit groups
    /// lose their dashes when only that makes them fit, as a person writes them).
    fn json_value(&self, p: usize, value: &Value) -> Plan {
        let prop = self.prop(p);
        let what = format!("\"{}\" ({})", prop.label, prop.key);
        let set = |v: Value| Ok(vec![Action::Set(p, v)]);
        let bad = |expect: &str| {
            Err(Problem::BadValue(format!(
                "{what} takes {expect}, not {value}"
            )))
        };
        match (prop.kind, value) {
            (_, Value::Null) => Ok(vec![Action::Clear(p)]),
            (Some(ValueKind::String) | None, Value::String(s)) => match text_value(prop, s) {
                Ok(v) => set(v),
                Err(why) => Err(Problem::BadValue(why)),
            },
            (Some(ValueKind::String) | None, Value::Number(n)) => {
                match text_value(prop, &n.to_string()) {
                    Ok(v) => set(v),
                    Err(why) => Err(Problem::BadValue(why)),
                }
            }
            (Some(ValueKind::Number), Value::Number(_)) => set(value.clone()),
            (Some(ValueKind::Number), Value::String(s)) => {
                match text::parse_number(s).and_then(Number::from_f64) {
                    Some(n) => set(Value::Number(n)),
                    None => bad("a number"),
                }
            }
            (Some(ValueKind::Integer), Value::Number(n)) if n.is_i64() || n.is_u64() => {
                set(value.clone())
            }
            (Some(ValueKind::Integer), Value::Number(n))
                if n.as_f64()
                    .is_some_and(|f| f.fract() == 0.0 && f.abs() < 9.0e15) =>
            {
                set(Value::from(n.as_f64().unwrap_or_default() as i64))
            }
            (Some(ValueKind::Integer), Value::String(s)) => match text::parse_number(s) {
                Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => set(Value::from(f as i64)),
                _ => bad("a whole number"),
            },
            (Some(ValueKind::Boolean), Value::Bool(_)) => set(value.clone()),
            (Some(ValueKind::Boolean), Value::String(s)) => match text::boolean_word(s) {
                Some(b) => set(Value::Bool(b)),
                None => bad("true or false"),
            },
            (Some(ValueKind::Enum), Value::String(s)) => {
                if let Some((v, _)) = prop.options.iter().find(|(v, _)| v == s) {
                    return set(Value::String(v.clone()));
                }
                let wanted = text::fold(s.trim());
                match prop
                    .options
                    .iter()
                    .find(|(v, l)| text::fold(v.trim()) == wanted || text::fold(l.trim()) == wanted)
                {
                    Some((v, _)) => set(Value::String(v.clone())),
                    None => Err(Problem::BadValue(format!(
                        "\"{s}\" is not one of the options of {what} ({})",
                        list_options(prop.options.iter().map(|(_, l)| l.as_str()))
                    ))),
                }
            }
            (Some(ValueKind::Array), Value::Array(_))
            | (Some(ValueKind::Object), Value::Object(_)) => set(value.clone()),
            (Some(ValueKind::Array), _) => bad("a list"),
            (Some(ValueKind::Object), _) => bad("an object"),
            (Some(ValueKind::Number), _) => bad("a number"),
            (Some(ValueKind::Integer), _) => bad("a whole number"),
            (Some(ValueKind::Boolean), _) => bad("true or false"),
            (Some(ValueKind::Enum), _) => bad("one of its options"),
            (Some(ValueKind::String) | None, _) => bad("text"),
        }
    }
}

/// The party most properties belong to (the applicant of an application): one holding a
/// third of them, else one holding most identity boxes by a clear margin.
fn main_entity(meanings: &[Meaning]) -> Option<String> {
    let best = ranked_parties(meanings.iter());
    if let Some((e, _)) = best.first().filter(|(_, n)| n * 3 > meanings.len()) {
        return Some(e.to_string());
    }
    // Else the party that holds most of the identity boxes (name, SSN, address…) by a
    // clear margin: the employee of a W-4 beside its employer's few boxes; a bill of sale's
    // buyer and seller, evenly matched, leave none.
    let identity = ranked_parties(meanings.iter().filter(|m| crate::fieldmodel::semantic::family(m.semantic).is_some()));
    match identity.as_slice() {
        [(e, n)] if *n >= 3 => Some(e.to_string()),
        [(e, n), (_, second), ..] if *n >= 3 && *n >= 2 * second => Some(e.to_string()),
        _ => None,
    }
}

/// Parties by how many of `meanings` are theirs, most first (ties by name), leaving out
/// the parties beside a subject, who are never the subject.
fn ranked_parties<'a>(meanings: impl Iterator<Item = &'a Meaning>) -> Vec<(&'a str, usize)> {
    const BESIDE: &[&str] = &[
        "spouse", "dependent", "child", "emergency_contact", "preparer", "preparer_firm", "interpreter", "attorney",
        "mother", "father", "parent", "witness", "designee", "principal_applicant",
    ];
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for m in meanings {
        if let Some(e) = m.entity.as_ref().filter(|e| !BESIDE.contains(&e.as_str())) {
            *counts.entry(e.as_str()).or_default() += 1;
        }
    }
    let mut ranked: Vec<(&str, usize)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    ranked
}

/// The properties actions write, sorted: two readings that write the same ones agree.
fn targets(actions: &[Action]) -> Vec<usize> {
    let mut t: Vec<usize> = actions
        .iter()
        .map(|a| match a {
            Action::Set(p, _) | Action::Clear(p) => *p,
        })
        .collect();
    t.sort_unstable();
    t
}

/// Text for a string property from prose: within maxLength, or made to fit exactly only by
/// dropping the dashes and spaces of digit groups ("123-45-6789" into nine cells).
fn text_value(prop: &Prop, value: &str) -> Result<Value, String> {
    let Some(max) = prop.max_len else {
        return Ok(Value::String(value.to_string()));
    };
    if value.chars().count() <= max {
        return Ok(Value::String(value.to_string()));
    }
    let digit_groups = value
        .chars()
        .all(|c| c.is_ascii_digit() || c == '-' || c == ' ')
        && value.chars().any(|c| c.is_ascii_digit());
    let compact: String = value.chars().filter(char::is_ascii_digit).collect();
    // Only an exact fit: nine digits in a box of ten cells are a number the form asks in
    // another shape (a printed leading "9" of an ITIN), not this one.
    if digit_groups && compact.chars().count() == max {
        return Ok(Value::String(compact));
    }
    Err(too_long(prop, value, max))
}

fn too_long(prop: &Prop, value: &str, max: usize) -> String {
    format!(
        "\"{value}\" has {} characters but \"{}\" ({}) takes at most {max}",
        value.chars().count(),
        prop.label,
        prop.key
    )
}

fn list_options<'x>(labels: impl Iterator<Item = &'x str>) -> String {
    let labels: Vec<&str> = labels.filter(|l| !l.trim().is_empty()).collect();
    let mut shown: Vec<String> = labels.iter().take(8).map(|l| format!("\"{l}\"")).collect();
    if labels.len() > 8 {
        shown.push(format!("and {} more", labels.len() - 8));
    }
    shown.join(", ")
}

/// The option `value` names: its value or label as written (case and accents aside), its
/// leading code ("B" for "B. Municipal"), or its words. `Err` lists the options that fit
/// equally (empty when none does).
fn match_option(options: &[(String, String)], value: &str) -> Result<usize, Vec<usize>> {
    let norm = |s: &str| {
        text::fold(s)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .trim_end_matches('.')
            .to_string()
    };
    let wanted = norm(value);
    if wanted.is_empty() {
        return Err(Vec::new());
    }
    let unique = |found: Vec<usize>| -> Option<Result<usize, Vec<usize>>> {
        match found.len() {
            0 => None,
            1 => Some(Ok(found[0])),
            _ => {
                // The same schema value under two labels is still one choice.
                let first = &options[found[0]].0;
                Some(if found.iter().all(|&i| options[i].0 == *first) {
                    Ok(found[0])
                } else {
                    Err(found)
                })
            }
        }
    };
    let exact: Vec<usize> = (0..options.len())
        .filter(|&i| norm(&options[i].0) == wanted || norm(&options[i].1) == wanted)
        .collect();
    if let Some(r) = unique(exact) {
        return r;
    }
    let code = |label: &str| -> Option<String> {
        let first = label.split_whitespace().next()?;
        let code = first.trim_end_matches(['.', ')', ':']);
        (code.len() < first.len() || first.chars().all(|c| c.is_ascii_digit())).then(|| norm(code))
    };
    let by_code: Vec<usize> = (0..options.len())
        .filter(|&i| code(&options[i].1).is_some_and(|c| c == wanted))
        .collect();
    if let Some(r) = unique(by_code) {
        return r;
    }
    let value_tokens = text::tokens(value);
    if value_tokens.is_empty() {
        return Err(Vec::new());
    }
    let option_tokens: Vec<Vec<String>> = options
        .iter()
        .map(|(_, label)| {
            let mut t = text::tokens(label);
            // A leading code is not a word of the option.
            if let Some(c) = code(label)
                && t.first().is_some_and(|f| *f == c)
            {
                t.remove(0);
            }
            t
        })
        .collect();
    let same: Vec<usize> = (0..options.len())
        .filter(|&i| {
            !option_tokens[i].is_empty()
                && option_tokens[i].len() == value_tokens.len()
                && value_tokens.iter().all(|t| option_tokens[i].contains(t))
        })
        .collect();
    if let Some(r) = unique(same) {
        return r;
    }
    let inside: Vec<usize> = (0..options.len())
        .filter(|&i| value_tokens.iter().all(|t| option_tokens[i].contains(t)))
        .collect();
    if let Some(r) = unique(inside) {
        return r;
    }
    // A blank to write in ("___ District of ___") is chosen by its words only when it is
    // the one such option and nothing else is said: its few printed words are in many
    // values ("Distrito Sur de Texas" reads "district … texas").
    let blank = |i: usize| options[i].1.contains("___");
    let contains: Vec<usize> = (0..options.len())
        .filter(|&i| {
            !option_tokens[i].is_empty()
                && option_tokens[i].iter().all(|t| value_tokens.contains(t))
                && !(blank(i) && option_tokens[i].len() < value_tokens.len())
        })
        .collect();
    // "U.S. Bankruptcy Court, Northern District of Illinois" holds the words of "Northern
    // District of Illinois" and of a blank "___ District of ___": the option that says most
    // is meant when every other one found says part of it.
    if contains.len() > 1
        && let Some(&longest) = contains.iter().max_by_key(|&&i| option_tokens[i].len())
        && contains.iter().all(|&i| i == longest || (option_tokens[i].len() < option_tokens[longest].len() && option_tokens[i].iter().all(|t| option_tokens[longest].contains(t))))
    {
        return Ok(longest);
    }
    unique(contains).unwrap_or(Err(Vec::new()))
}

/// Text that asks for nothing: courtesy, an introduction ("Use these values:"), or the
/// words around a JSON object (which `json::take_objects` leaves a marker in).
fn is_aside(clause: &str) -> bool {
    let t = text::fold(clause);
    let t = t.trim().trim_end_matches(['.', '!']);
    t.ends_with(':')
        || t.contains(json::MARKER)
        || matches!(
            t,
            "thanks"
                | "thank you"
                | "thx"
                | "cheers"
                | "hi"
                | "hello"
                | "please"
                | "ok"
                | "okay"
                | "done"
                | "that's all"
                | "thats all"
                | "that is all"
        )
}

/// "Jordan Avery" -> ("Jordan", "Avery"); "Avery, Jordan" -> ("Jordan", "Avery"); `None`
/// for one word or a trailing suffix ("Jr.").
fn split_full_name(value: &str) -> Option<(String, String)> {
    let value = value.trim();
    // A business's name is not a person's given and family names.
    if request::reads_as_business(value) {
        return None;
    }
    if let Some((last, first)) = value.split_once(',') {
        let (last, first) = (last.trim(), first.trim());
        // Both sides must read as name words: "Derek Olsen, SSN 299-01-3365" is a name
        // and something else, not "Last, First".
        let name_words = |t: &str| t.split_whitespace().count() <= 3 && !t.chars().any(|c| c.is_ascii_digit());
        if last.is_empty()
            || first.is_empty()
            || first.contains(',')
            || last.split_whitespace().count() > 2
            || !name_words(first)
            || !name_words(last)
        {
            return None;
        }
        return Some((first.to_string(), last.to_string()));
    }
    let (first, last) = value.rsplit_once(char::is_whitespace)?;
    let (first, last) = (first.trim(), last.trim());
    let suffix = matches!(
        text::fold(last).trim_end_matches('.'),
        "jr" | "sr" | "ii" | "iii" | "iv" | "phd" | "md" | "esq"
    );
    if first.is_empty() || last.is_empty() || suffix {
        return None;
    }
    Some((first.to_string(), last.to_string()))
}

/// "Single, U.S. citizen and Blind" -> the three items (outside quotes).
fn split_list(text: &str) -> Vec<String> {
    let mut items = Vec::new();
    for sentence in clauses::sentences(text) {
        for (_, piece) in sentence.pieces {
            items.push(piece);
        }
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_naming_whose_lines_follow() {
        let text = "Defendant: Tiffany Grasso\nSex: F\nEmployer: Wegmans, 99 Worcester Rd\nInformations sur le conjoint :\n- Nom : Ousmane\nCar: white Nissan";
        let found: Vec<(usize, String)> = party_lines(text);
        assert_eq!(found, vec![(0, "defendant".to_string()), (text.find("Informations").unwrap_or(0), "spouse".to_string())]);
    }

    #[test]
    fn options_by_value_label_code_or_words() {
        let options: Vec<(String, String)> = [
            "A. State",
            "B. Municipal",
            "I. State Controlled Institution of Higher Learning",
        ]
        .iter()
        .map(|s| (s.to_string(), s.to_string()))
        .collect();
        assert_eq!(match_option(&options, "b. municipal"), Ok(1));
        assert_eq!(match_option(&options, "B"), Ok(1));
        assert_eq!(match_option(&options, "Municipal"), Ok(1));
        assert_eq!(match_option(&options, "State"), Ok(0));
        assert_eq!(match_option(&options, "County"), Err(vec![]));
        let yes_no: Vec<(String, String)> =
            vec![("Y".into(), "Yes".into()), ("N".into(), "No".into())];
        assert_eq!(match_option(&yes_no, "yes"), Ok(0));
        assert_eq!(match_option(&yes_no, "No"), Ok(1));
        // The option saying most, when the others found say part of it.
        let districts: Vec<(String, String)> = ["___ District of ___", "Northern District of Illinois", "Northern District of Alabama"]
            .iter()
            .map(|s| (s.to_string(), s.to_string()))
            .collect();
        assert_eq!(match_option(&districts, "U.S. Bankruptcy Court, Northern District of Illinois"), Ok(1));
        assert_eq!(match_option(&districts, "Northern District"), Err(vec![1, 2]));
    }

    #[test]
    fn full_names_split_at_the_last_space() {
        assert_eq!(
            split_full_name("Jordan Avery"),
            Some(("Jordan".into(), "Avery".into()))
        );
        assert_eq!(
            split_full_name("Jordan Q. Avery"),
            Some(("Jordan Q.".into(), "Avery".into()))
        );
        assert_eq!(
            split_full_name("Avery, Jordan"),
            Some(("Jordan".into(), "Avery".into()))
        );
        assert_eq!(split_full_name("Jordan"), None);
        assert_eq!(split_full_name("Jordan Avery Jr."), None);
    }
}
