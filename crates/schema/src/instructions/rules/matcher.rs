//! The schema seen as things an instruction can name, and the matching of what an
//! instruction calls a field ("the taxpayer's first name") to them.
//!
//! Matching is by content words (see `text::tokens`), in tiers:
//!
//! 1. A field is found when every word said is in its label (a typo of one or two letters
//!    counts when it points at one word of the form). When several fields take all the
//!    words, the one whose label is exactly those words wins ("Address" over "Employer's
//!    name and address"); otherwise nothing is chosen and the tie is reported.
//! 2. "your X" also finds an X that names no one.
//! 3. For check phrases only, a check box or option whose whole label was said ("Set the
//!    Single filing status" -> "Single"), unless the other words said fit another label
//!    better or name someone the option does not.
//!
//! Roles (your/taxpayer/applicant, spouse, buyer, employer...) must agree. A one-word name
//! ("Date", "Name", "Occupation") never reaches a label narrowed by a qualifier or a role it
//! does not say ("First date of employment", "Requester's name"), and your-versus-spouse
//! stays a tie. A "Last name" field right after a "Your first name" field borrows its role,
//! so "the taxpayer's last name" finds it. "Line 7" finds the label printing line 7, only.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;

use crate::instructions::meaning::{clean_description, radio_option_description};
use crate::model::{EditJson, EditRootJson, FieldKind, ValueKind};

use super::text::{self, SELF};

/// Share of the query's word weight a soft match must cover (see [`Index::find_field_soft`]).
const SOFT_QUERY: f64 = 0.6;
/// Share of the label's word weight a soft match must cover.
const SOFT_LABEL: f64 = 0.3;
/// How much better than the next field a soft match must score.
const SOFT_MARGIN: f64 = 1.5;

/// One property, read for matching.
#[derive(Debug, Clone)]
pub(super) struct Prop {
    pub key: String,
    /// The label a person reads (description without the generated notes).
    pub label: String,
    pub kind: Option<ValueKind>,
    pub max_len: Option<usize>,
    /// Enum values and their labels.
    pub options: Vec<(String, String)>,
    /// For one option of a radio group given as a boolean.
    pub radio_option: Option<RadioOption>,
    /// The native field it fills.
    pub field_name: Option<String>,
}

/// One option of a radio group given as a boolean property.
#[derive(Debug, Clone)]
pub(super) struct RadioOption {
    /// The group: its native field's name.
    pub group: String,
    /// The option's label.
    pub label: String,
    /// The option's export value.
    pub export: String,
}

/// Something an instruction can name.
#[derive(Debug, Clone)]
pub(super) struct Target {
    pub kind: TargetKind,
    /// What to show a person.
    pub label: String,
    /// Content tokens of the label, plus borrowed roles.
    pub tokens: Vec<String>,
    /// The tokens that must all be said for a check phrase to pick it by its label alone
    /// (the option's own words).
    pub essential: Vec<String>,
    /// Whether its own label names a role.
    pub has_role: bool,
    /// Roles borrowed from the field before it (in `tokens`): they tell two "Last name"
    /// fields apart but never make a field match on their own.
    pub borrowed: Vec<String>,
    /// The line or item number the label prints ("Line 7: ...", "3. Have you ...",
    /// "Wages ... 7"), lower case.
    pub number: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum TargetKind {
    /// A property taking a value (text, number, boolean, enum...).
    Field(usize),
    /// A radio group given as one boolean per option: choosing an option sets it true.
    Group(Vec<usize>),
    /// A check box or one radio option, to check or uncheck.
    Toggle(usize),
    /// One option of an enum property.
    EnumOption(usize, usize),
}

/// The outcome of looking a name up.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Found {
    /// Exactly one target.
    One(usize),
    /// Several targets fit equally.
    Several(Vec<usize>),
    /// Nothing fits.
    None,
}

/// The schema, indexed for matching.
pub(super) struct Index {
    pub props: Vec<Prop>,
    /// Targets for "label: value" (fields and radio groups).
    pub fields: Vec<Target>,
    /// Targets for "check X" (check boxes, radio options, enum options).
    pub choices: Vec<Target>,
    /// Inverse document frequency of tokens over the fields' labels.
    idf: HashMap<String, f64>,
    vocabulary: HashSet<String>,
    key_index: HashMap<String, usize>,
    /// Tokens on at least half of the fields' labels.
    common: HashSet<String>,
    /// Typo corrections already worked out (word -> word of the form, or itself).
    corrections: RefCell<HashMap<String, String>>,
}


/// The caption of a label that goes on with help sentences: "1 Name of entity/individual.
/// An entry is required. (For a sole proprietor …, enter the business name on line 2.)"
/// is matched as "1 Name of entity/individual" — the help talks about other boxes.
fn caption_of(label: &str) -> &str {
    let bytes = label.as_bytes();
    for (i, _) in label.match_indices(". ") {
        let head = &label[..i];
        let next = label[i + 2..].chars().next();
        let words = head.split_whitespace().filter(|w| w.chars().any(char::is_alphabetic)).count();
        // A sentence end: a capital or a parenthesis follows, the head has words of its
        // own, and the period is not an abbreviation's ("No. 5", "Apt. 3").
        let abbreviation = head
            .rsplit(' ')
            .next()
            .is_some_and(|w| w.chars().count() <= 3 && w.chars().next().is_some_and(char::is_uppercase));
        if words >= 2
            && !abbreviation
            && next.is_some_and(|c| c.is_uppercase() || c == '(')
            && bytes.get(i + 2).is_some()
        {
            return head;
        }
    }
    label
}

fn humanize_key(key: &str) -> String {
    let mut words: Vec<&str> = key
        .split(['_', '-', '.', ' '])
        .filter(|w| !w.is_empty())
        .collect();
    // Allocator suffixes ("last_name_2") and the "field_" prefix of numeric labels carry nothing.
    if words.len() > 1
        && words
            .last()
            .is_some_and(|w| w.chars().all(|c| c.is_ascii_digit()))
    {
        words.pop();
    }
    if words.len() > 1 && words.first() == Some(&"field") {
        words.remove(0);
    }
    words.join(" ")
}

fn read_prop(key: &str, node: &EditJson) -> Prop {
    let description = node.description.as_deref().unwrap_or_default();
    let mut radio_option = None;
    let label = match (node.field_type, node.source_acroform.as_ref()) {
        (Some(FieldKind::Radio), Some(source))
            if source.option_value.is_some() && node.value_kind() == Some(ValueKind::Boolean) =>
        {
            let (group, option) = radio_option_description(description).unwrap_or_else(|| {
                (
                    clean_description(description),
                    source.option_value.clone().unwrap_or_default(),
                )
            });
            radio_option = Some(RadioOption {
                group: source.field_name.clone(),
                label: text::decode_name_escapes(&option),
                export: source.option_value.clone().unwrap_or_default(),
            });
            group
        }
        _ => clean_description(description),
    };
    let label = if label.chars().any(char::is_alphanumeric) {
        label
    } else {
        humanize_key(key)
    };
    let options = match &node.options {
        Some(values) => {
            let labels = node
                .option_descriptions
                .as_ref()
                .filter(|l| l.len() == values.len());
            values
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let shown = labels
                        .map(|l| l[i].clone())
                        .filter(|l| !l.trim().is_empty())
                        .unwrap_or_else(|| v.clone());
                    (v.clone(), text::decode_name_escapes(&shown))
                })
                .collect()
        }
        None => Vec::new(),
    };
    let max_len = node
        .text_edit_options
        .as_ref()
        .and_then(|o| o.max_length)
        .map(|m| m as usize)
        .or_else(|| {
            node.extra
                .get("maxLength")
                .and_then(serde_json::Value::as_u64)
                .map(|m| m as usize)
        });
    Prop {
        key: key.to_string(),
        label,
        kind: node.value_kind(),
        max_len,
        options,
        radio_option,
        field_name: node.source_acroform.as_ref().map(|s| s.field_name.clone()),
    }
}

fn target(kind: TargetKind, label: String, tokens: Vec<String>, essential: Vec<String>) -> Target {
    let has_role = text::has_role(&tokens);
    Target {
        kind,
        label,
        tokens,
        essential,
        has_role,
        borrowed: Vec::new(),
        number: None,
    }
}

impl Index {
    pub fn new(schema: &EditRootJson) -> Index {
        let props: Vec<Prop> = schema
            .properties
            .iter()
            .map(|(k, v)| read_prop(k, v))
            .collect();
        let label_tokens: Vec<Vec<String>> = props
            .iter()
            .map(|p| {
                let mut t = text::tokens(caption_of(&p.label));
                // Keys a caller wrote ("employer_ein") add their words; keys without words
                // ("p1_t4") and radio options' keys (they name the option) do not.
                if p.radio_option.is_none() && key_is_meaningful(&p.key) {
                    for extra in text::tokens(&humanize_key(&p.key)) {
                        if extra.chars().count() >= 3 && !t.contains(&extra) {
                            t.push(extra);
                        }
                    }
                }
                // So do the native field's name words ("defendant_vehicle_make" under the
                // caption "Make"): the form's author named the field for what it holds.
                if p.radio_option.is_none()
                    && let Some(words) = p.field_name.as_deref().and_then(field_name_words)
                {
                    for extra in text::tokens(&words) {
                        if extra.chars().count() >= 3 && extra.chars().all(char::is_alphabetic) && !t.contains(&extra) {
                            t.push(extra);
                        }
                    }
                }
                text::drop_self_beside_other_role(&mut t);
                t
            })
            .collect();
        let borrowed = borrowed_roles(&props, &label_tokens);

        let mut fields = Vec::new();
        let mut choices = Vec::new();
        let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
        for (i, prop) in props.iter().enumerate() {
            let mut tokens = label_tokens[i].clone();
            for role in &borrowed[i] {
                if !tokens.contains(role) {
                    tokens.push(role.clone());
                }
            }
            if let Some(radio) = &prop.radio_option {
                let option = &radio.label;
                match groups.iter_mut().find(|(g, _)| *g == radio.group) {
                    Some((_, members)) => members.push(i),
                    None => groups.push((radio.group.clone(), vec![i])),
                }
                let option_tokens = text::tokens(option);
                let mut all = tokens.clone();
                for t in &option_tokens {
                    if !all.contains(t) {
                        all.push(t.clone());
                    }
                }
                text::drop_self_beside_other_role(&mut all);
                choices.push(target(
                    TargetKind::Toggle(i),
                    format!("{}: {option}", prop.label),
                    all,
                    option_tokens,
                ));
                continue;
            }
            fields.push(target(
                TargetKind::Field(i),
                prop.label.clone(),
                tokens.clone(),
                tokens.clone(),
            ));
            match prop.kind {
                Some(ValueKind::Boolean) => choices.push(target(
                    TargetKind::Toggle(i),
                    prop.label.clone(),
                    tokens.clone(),
                    tokens.clone(),
                )),
                Some(ValueKind::Enum) => {
                    for (o, (_, option)) in prop.options.iter().enumerate() {
                        let option_tokens = text::tokens(option);
                        if option_tokens.is_empty() {
                            continue;
                        }
                        let mut all = tokens.clone();
                        for t in &option_tokens {
                            if !all.contains(t) {
                                all.push(t.clone());
                            }
                        }
                        choices.push(target(
                            TargetKind::EnumOption(i, o),
                            format!("{}: {option}", prop.label),
                            all,
                            option_tokens,
                        ));
                    }
                }
                _ => {}
            }
        }
        for (_, members) in groups {
            let first = members[0];
            let mut tokens = label_tokens[first].clone();
            for role in &borrowed[first] {
                if !tokens.contains(role) {
                    tokens.push(role.clone());
                }
            }
            fields.push(target(
                TargetKind::Group(members),
                props[first].label.clone(),
                tokens.clone(),
                tokens,
            ));
        }

        let owner = |kind: &TargetKind| match kind {
            TargetKind::Field(p) | TargetKind::Toggle(p) | TargetKind::EnumOption(p, _) => *p,
            TargetKind::Group(members) => members.first().copied().unwrap_or_default(),
        };
        for t in fields.iter_mut() {
            t.number = label_number(&t.label);
        }
        for t in fields.iter_mut().chain(choices.iter_mut()) {
            t.borrowed = borrowed.get(owner(&t.kind)).cloned().unwrap_or_default();
            // Whether the label itself names someone (borrowed roles do not count).
            t.has_role = t
                .tokens
                .iter()
                .any(|x| text::is_role(x) && !t.borrowed.contains(x));
        }
        // Words on most labels (a form number printed before every label: "301 Date") do
        // not tell labels apart.
        let mut field_df: HashMap<&String, usize> = HashMap::new();
        for t in &fields {
            for token in &t.tokens {
                *field_df.entry(token).or_default() += 1;
            }
        }
        let common: HashSet<String> = if fields.len() >= 4 {
            field_df
                .into_iter()
                .filter(|(_, d)| 2 * d >= fields.len())
                .map(|(t, _)| t.clone())
                .collect()
        } else {
            HashSet::new()
        };

        let mut df: HashMap<String, usize> = HashMap::new();
        for t in fields.iter().chain(choices.iter()) {
            for token in &t.tokens {
                *df.entry(token.clone()).or_default() += 1;
            }
        }
        let n = (fields.len() + choices.len()).max(1) as f64;
        let idf = df
            .iter()
            .map(|(t, d)| (t.clone(), (1.0 + n / *d as f64).ln()))
            .collect();
        let vocabulary = df.into_keys().collect();
        let key_index = props
            .iter()
            .enumerate()
            .map(|(i, p)| (p.key.clone(), i))
            .collect();
        Index {
            props,
            fields,
            choices,
            idf,
            vocabulary,
            key_index,
            common,
            corrections: RefCell::new(HashMap::new()),
        }
    }

    /// The property with exactly this key.
    pub fn by_key(&self, key: &str) -> Option<usize> {
        self.key_index.get(key).copied()
    }

    /// The query's words with typos of the form's words corrected: a word the form does
    /// not use, one or two edits away from exactly one word it uses, becomes that word.
    pub fn correct(&self, tokens: &[String]) -> Vec<String> {
        let mut out: Vec<String> = Vec::with_capacity(tokens.len());
        for token in tokens {
            let memo = self.corrections.borrow().get(token).cloned();
            let fixed = if let Some(known) = memo {
                known
            } else if self.vocabulary.contains(token)
                || token.chars().count() < 5
                || !token.chars().all(char::is_alphabetic)
            {
                token.clone()
            } else {
                let limit = if token.chars().count() >= 8 { 2 } else { 1 };
                let mut best: Option<(&String, usize)> = None;
                let mut tie = false;
                for word in &self.vocabulary {
                    if word.chars().count() < 4
                        || (word.len() as isize - token.len() as isize).abs() > limit as isize
                    {
                        continue;
                    }
                    let d = strsim::osa_distance(token, word);
                    if d > limit {
                        continue;
                    }
                    match best {
                        Some((_, bd)) if d > bd => {}
                        Some((_, bd)) if d == bd => tie = true,
                        _ => {
                            best = Some((word, d));
                            tie = false;
                        }
                    }
                }
                match best {
                    Some((word, _)) if !tie => word.clone(),
                    _ => token.clone(),
                }
            };
            self.corrections
                .borrow_mut()
                .insert(token.clone(), fixed.clone());
            if !out.contains(&fixed) {
                out.push(fixed);
            }
        }
        out
    }

    fn weight(&self, token: &str) -> f64 {
        self.idf.get(token).copied().unwrap_or(3.0)
    }

    /// Targets closest to the query by shared words (for messages).
    pub fn closest(&self, targets: &[Target], query: &[String]) -> Vec<usize> {
        let query = self.correct(query);
        let query = query.as_slice();
        let mut scored: Vec<(usize, f64)> = targets
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let shared: f64 = query
                    .iter()
                    .filter(|q| t.tokens.contains(q))
                    .map(|q| self.weight(q))
                    .sum();
                let total: f64 = t
                    .tokens
                    .iter()
                    .chain(query.iter())
                    .collect::<std::collections::BTreeSet<_>>()
                    .iter()
                    .map(|q| self.weight(q))
                    .sum();
                (i, if total > 0.0 { shared / total } else { 0.0 })
            })
            .filter(|(_, s)| *s > 0.15)
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.into_iter().take(3).map(|(i, _)| i).collect()
    }

    /// The field (or radio group) that takes every word of the name (no tolerance for an
    /// unmatched "your").
    pub fn find_field_strict(&self, query: &[String]) -> Found {
        let query = self.correct(query);
        find(&self.fields, &query, Mode::Strict, &|_| true, &self.common).unwrap_or(Found::None)
    }

    /// The field (or radio group) a name points to.
    pub fn find_field(&self, query: &[String]) -> Found {
        let query = self.correct(query);
        find(&self.fields, &query, Mode::Field, &|_| true, &self.common).unwrap_or(Found::None)
    }

    /// The one field whose label shares most of the weight of what was said, when no
    /// label takes every word ("site street" for "Voie (street)", "employer phone" for
    /// "Employer's telephone number"): the words shared must carry at least `SOFT_QUERY` of
    /// the query's weight and `SOFT_LABEL` of the label's, roles must agree, and the best
    /// must score `SOFT_MARGIN` times the next. Rare words weigh more (inverse document
    /// frequency over the form's labels), so a word every label prints decides nothing.
    pub fn find_field_soft(&self, query: &[String]) -> Option<usize> {
        self.find_field_soft_covering(query, SOFT_LABEL)
    }

    /// [`Index::find_field_soft`] with the share of the label's weight the words must carry.
    pub fn find_field_soft_covering(&self, query: &[String], label_share: f64) -> Option<usize> {
        let query = self.correct(query);
        let said: Vec<&String> = query.iter().filter(|q| !self.common.contains(*q)).collect();
        let weight = self.word_weight();
        let query_weight: f64 = said.iter().map(|q| weight(q)).sum();
        if said.is_empty() || query_weight <= 0.0 {
            return None;
        }
        let roles_said: Vec<&String> = said.iter().copied().filter(|q| text::is_role(q) && *q != SELF).collect();
        let mut scored: Vec<(usize, f64)> = Vec::new();
        for (i, t) in self.fields.iter().enumerate() {
            let own = self.own_tokens(t);
            // Roles agree: every role said is the field's, and the field names no one else.
            if roles_said.iter().any(|r| !t.tokens.contains(r))
                || own.iter().any(|x| text::is_role(x) && **x != SELF && !query.contains(x))
            {
                continue;
            }
            let shared: f64 = said.iter().filter(|q| t.tokens.contains(q) && !text::is_role(q)).map(|q| weight(q)).sum();
            if shared <= 0.0 {
                continue;
            }
            let label_weight: f64 = own.iter().map(|x| weight(x)).sum::<f64>().max(shared);
            let (q_cover, l_cover) = (shared / query_weight, shared / label_weight);
            if q_cover < SOFT_QUERY || l_cover < label_share {
                continue;
            }
            scored.push((i, q_cover * l_cover));
        }
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        match scored.as_slice() {
            [(only, _)] => Some(*only),
            [(best, top), (_, next), ..] if *top >= SOFT_MARGIN * next => Some(*best),
            _ => None,
        }
    }

    /// How much a word weighs in the soft lookups: its inverse document frequency over the
    /// form's labels. A word no label prints weighs as much as the rarest printed word: the
    /// labels do not say it, which is all the more reason to doubt a match without it.
    fn word_weight(&self) -> impl Fn(&str) -> f64 + '_ {
        let rarest = self.idf.values().copied().fold(0.0, f64::max);
        move |q: &str| self.idf.get(q).copied().unwrap_or(rarest)
    }

    /// A target's own label words: not borrowed from its section, not printed by every label.
    fn own_tokens<'t>(&self, t: &'t Target) -> Vec<&'t String> {
        t.tokens.iter().filter(|x| !t.borrowed.contains(x) && !self.common.contains(*x)).collect()
    }

    /// The share of field `t`'s own label weight (inverse document frequency, as in
    /// [`Index::find_field_soft`]) that the query's words carry.
    pub fn label_share(&self, t: usize, query: &[String]) -> f64 {
        let query = self.correct(query);
        let weight = self.word_weight();
        let own = self.own_tokens(&self.fields[t]);
        let shared: f64 = own.iter().filter(|x| query.contains(x)).map(|x| weight(x)).sum();
        let total: f64 = own.iter().map(|x| weight(x)).sum();
        if total <= 0.0 { 0.0 } else { shared / total }
    }

    /// Like [`Index::find_field`] among fields with options (radio groups, enums, check
    /// boxes): what "select X for Y" can name.
    pub fn find_field_with_options(&self, query: &[String]) -> Found {
        let query = self.correct(query);
        let has_options = |t: &Target| self.has_options(t);
        find(
            &self.fields,
            &query,
            Mode::Field,
            &has_options,
            &self.common,
        )
        .unwrap_or(Found::None)
    }

    /// The fields (with options only, when `options_only`) whose label prints line number
    /// `number`; `None` when no label prints it.
    pub fn find_by_number(&self, number: &str, options_only: bool) -> Found {
        let found: Vec<usize> = self
            .fields
            .iter()
            .enumerate()
            .filter(|(_, t)| t.number.as_deref() == Some(number))
            .filter(|(_, t)| !options_only || self.has_options(t))
            .map(|(i, _)| i)
            .collect();
        match found.len() {
            0 => Found::None,
            1 => Found::One(found[0]),
            _ => Found::Several(found),
        }
    }

    fn has_options(&self, t: &Target) -> bool {
        match &t.kind {
            TargetKind::Group(_) => true,
            TargetKind::Field(p) => {
                matches!(
                    self.props[*p].kind,
                    Some(ValueKind::Enum | ValueKind::Boolean)
                )
            }
            _ => false,
        }
    }

    /// The check box, radio option or enum option a phrase points to.
    pub fn find_choice(&self, query: &[String]) -> Found {
        let query = self.correct(query);
        find(&self.choices, &query, Mode::Choice, &|_| true, &self.common).unwrap_or(Found::None)
    }

    /// A short description of targets for a message: `"Label" (key)`.
    pub fn describe(&self, targets: &[Target], which: &[usize]) -> String {
        which
            .iter()
            .take(4)
            .map(|&i| {
                let t = &targets[i];
                format!("\"{}\" ({})", t.label, self.key_of(&t.kind))
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn key_of(&self, kind: &TargetKind) -> &str {
        match kind {
            TargetKind::Field(p) | TargetKind::Toggle(p) | TargetKind::EnumOption(p, _) => {
                &self.props[*p].key
            }
            TargetKind::Group(members) => members
                .first()
                .map(|m| self.props[*m].key.as_str())
                .unwrap_or_default(),
        }
    }
}

static LEADING_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*(?:(?:line|item|question|box|no\.?|number|#)\s*)?(\d{1,3}[a-z]?)(?:[.:)]|\s)",
    )
    .expect("valid regex")
});
static TRAILING_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\S\s+(\d{1,3}[a-z]?)\s*$").expect("valid regex"));
static FIELD_NAME_LIKE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^[a-z]{1,3}\d{0,2}[\s_-]+[a-z]{0,2}\d+[a-z]?$").expect("valid regex")
});
/// What an instruction calls a line: "line 7", "question 3", "box 1", "8a".
static NUMBER_REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:(?:line|item|question|box|no\.?|number|#)\s*)?#?\s*(\d{1,3}[a-z]?)\s*$")
        .expect("valid regex")
});

/// The line number a label prints at its start ("Line 1: ...", "3. Have you", "5 Address")
/// or, IRS style, at its end ("Wages, salaries, tips, etc. Attach Form(s) W-2 7").
fn label_number(label: &str) -> Option<String> {
    // A field's own name standing in for a label ("f1 25", "p1 t4") prints no line.
    if FIELD_NAME_LIKE.is_match(label) {
        return None;
    }
    LEADING_NUMBER
        .captures(label)
        .or_else(|| TRAILING_NUMBER.captures(label))
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_lowercase())
}

/// The line number an instruction names instead of a label ("Line 7: 500").
pub(super) fn number_reference(label: &str) -> Option<String> {
    NUMBER_REFERENCE
        .captures(label)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_lowercase())
}

/// Generated keys that carry no words ("p1_t4", "f1_01", "c1_1_2") are not read.
/// The words of a native field's own name (its last part, without indexes), when they are
/// words and not a generator's numbering ("f1_01", "Text12").
fn field_name_words(full_name: &str) -> Option<String> {
    let short = full_name.rsplit('.').next().unwrap_or(full_name);
    let short = short.split('[').next().unwrap_or(short);
    crate::fieldmodel::junk::name_words(short).filter(|w| key_is_meaningful(&w.replace(' ', "_")))
}

fn key_is_meaningful(key: &str) -> bool {
    key.split('_')
        .filter(|w| w.chars().any(char::is_alphabetic))
        .any(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 3)
}

/// Roles a name field with a duplicated label borrows from the name field just before it:
/// the second "Last name" after "spouse's first name".
fn borrowed_roles(props: &[Prop], label_tokens: &[Vec<String>]) -> Vec<Vec<String>> {
    let mut seen: HashMap<Vec<String>, usize> = HashMap::new();
    for t in label_tokens {
        let mut sorted = t.clone();
        sorted.sort();
        *seen.entry(sorted).or_default() += 1;
    }
    let mut out = vec![Vec::new(); props.len()];
    for i in 0..props.len() {
        let mut sorted = label_tokens[i].clone();
        sorted.sort();
        if seen.get(&sorted).copied().unwrap_or(0) < 2 || text::has_role(&label_tokens[i]) || i == 0
        {
            continue;
        }
        // Only a name field borrows, and only from the name field before it ("Your first
        // name" | "Last name"): elsewhere the field before is too often another row.
        let previous = &label_tokens[i - 1];
        let is_name = |t: &[String]| t.iter().any(|x| x == "name");
        if *previous != label_tokens[i] && is_name(&label_tokens[i]) && is_name(previous) {
            out[i] = text::roles(previous);
        }
    }
    out
}

/// How far matching may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Every word said is in the label.
    Strict,
    /// Also "your X" for an X that names no one.
    Field,
    /// Also a check box or option whose whole label was said.
    Choice,
}

/// The tiers of matching; `None` when nothing fits at all.
fn find(
    targets: &[Target],
    query: &[String],
    mode: Mode,
    accept: &dyn Fn(&Target) -> bool,
    common: &HashSet<String>,
) -> Option<Found> {
    if query.is_empty() {
        return Some(Found::None);
    }
    let says_name_part = query.iter().any(|t| text::is_name_part(t));
    let bare_name = query.iter().any(|t| t == "name") && !says_name_part;
    // One word ("Date", "Phone") does not name a field whose label narrows it with a
    // qualifier the word lacks ("First date of employment", "Daytime phone number").
    let single_word = query.iter().filter(|t| !text::is_role(t)).count() == 1;
    let narrowed = |t: &Target| {
        single_word
            && t.tokens
                .iter()
                .any(|x| text::is_qualifier(x) && !query.contains(x))
    };
    let usable = |t: &Target| {
        accept(t) && !(bare_name && t.tokens.iter().any(|x| text::is_name_part(x))) && !narrowed(t)
    };
    let covers = |t: &Target, q: &[String]| {
        q.iter().all(|x| t.tokens.contains(x)) && q.iter().any(|x| !t.borrowed.contains(x))
    };

    // Tier 1: every word said is in the label.
    let mut tier1: Vec<usize> = targets
        .iter()
        .enumerate()
        .filter(|(_, t)| usable(t) && covers(t, query))
        .map(|(i, _)| i)
        .collect();
    // One word does not name another person's field ("Name" is not "Requester's name"),
    // and "Occupation" with "Your occupation" and "Spouse's occupation" is a tie.
    if single_word {
        let other_role = |t: &Target| {
            t.tokens
                .iter()
                .any(|x| text::is_role(x) && x != SELF && !query.contains(x))
        };
        let (mut set_aside, rest): (Vec<usize>, Vec<usize>) =
            tier1.iter().partition(|&&i| other_role(&targets[i]));
        if !set_aside.is_empty()
            && rest
                .iter()
                .any(|&i| targets[i].tokens.iter().any(|x| x == SELF))
        {
            return Some(Found::Several(tier1));
        }
        tier1 = rest;
        set_aside.extend(
            targets
                .iter()
                .enumerate()
                .filter(|(_, t)| accept(t) && narrowed(t) && covers(t, query))
                .map(|(i, _)| i),
        );
        // What is left after setting fields aside must be exactly what was said: "The
        // firearm is a gift" does not go to a field labelled "ILLINOIS FIREARM BILL OF SALE"
        // because the check boxes mentioning the firearm belong to the buyer and the seller.
        if let [only] = tier1.as_slice()
            && !set_aside.is_empty()
            && !is_exact(&targets[*only], query, common)
        {
            let mut all = tier1.clone();
            all.extend(set_aside);
            return Some(Found::Several(all));
        }
    }
    if let Some(found) = decide(tier1, targets, query, common) {
        return Some(found);
    }
    if mode == Mode::Strict {
        return None;
    }
    // Tier 1b: "your X" matches an X that names no one.
    if query.iter().any(|t| t == SELF) {
        let rest: Vec<String> = query.iter().filter(|t| *t != SELF).cloned().collect();
        if !rest.is_empty() {
            let tier = targets
                .iter()
                .enumerate()
                .filter(|(_, t)| usable(t) && !t.has_role && covers(t, &rest))
                .map(|(i, _)| i)
                .collect();
            if let Some(found) = decide(tier, targets, &rest, common) {
                return Some(found);
            }
        }
    }
    if mode != Mode::Choice {
        return None;
    }
    // Tier 2 (check phrases): the whole option label was said, and the other words said
    // name no one the option does not.
    let candidates: Vec<usize> = targets
        .iter()
        .enumerate()
        .filter(|(_, t)| {
            !t.essential.is_empty()
                && t.essential.iter().all(|e| query.contains(e))
                && t.essential
                    .iter()
                    .any(|e| e.chars().any(char::is_alphabetic))
                && query
                    .iter()
                    .filter(|q| !t.tokens.contains(q))
                    .all(|q| !text::is_role(q) || (q == SELF && !t.has_role))
        })
        .map(|(i, _)| i)
        .collect();
    // The words said must not fit another label better: "Spouse was born before January 2,
    // 1955" names no "Spouse" box when two boxes read "born before January 2, 1955".
    let said = |t: &Target| query.iter().filter(|q| t.tokens.contains(q)).count();
    let best = targets
        .iter()
        .filter(|t| accept(t))
        .map(said)
        .max()
        .unwrap_or(0);
    let candidates: Vec<usize> = candidates
        .into_iter()
        .filter(|&i| said(&targets[i]) == best)
        .collect();
    // A candidate whose words are all inside another candidate's is the less specific one.
    let specific: Vec<usize> = candidates
        .iter()
        .copied()
        .filter(|&i| {
            !candidates.iter().any(|&j| {
                j != i
                    && targets[i].essential.len() < targets[j].essential.len()
                    && targets[i]
                        .essential
                        .iter()
                        .all(|e| targets[j].essential.contains(e))
            })
        })
        .collect();
    match specific.len() {
        0 => None,
        1 => Some(Found::One(specific[0])),
        _ => Some(Found::Several(specific)),
    }
}

/// One target, several, or none. Among several that all take the words, one whose label is
/// exactly those words (aside from words on most labels, like a form number) is the one
/// meant: "Address" over "Employer's name and address".
fn decide(
    found: Vec<usize>,
    targets: &[Target],
    query: &[String],
    common: &HashSet<String>,
) -> Option<Found> {
    match found.len() {
        0 => None,
        1 => Some(Found::One(found[0])),
        _ => {
            let exact: Vec<usize> = found
                .iter()
                .copied()
                .filter(|&i| is_exact(&targets[i], query, common))
                .collect();
            if exact.len() == 1 {
                Some(Found::One(exact[0]))
            } else {
                Some(Found::Several(found))
            }
        }
    }
}

/// Whether the target's own label words are exactly the query's, aside from words on most
/// labels. A borrowed role never makes one of two same-labelled fields "more exact".
fn is_exact(target: &Target, query: &[String], common: &HashSet<String>) -> bool {
    let label: Vec<&String> = target
        .tokens
        .iter()
        .filter(|t| !target.borrowed.contains(t))
        .filter(|t| query.contains(t) || !common.contains(*t))
        .collect();
    label.len() == query.len() && query.iter().all(|q| label.contains(&q))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_numbers_of_labels_and_instructions() {
        assert_eq!(
            label_number("Line 1: Federal adjusted gross income"),
            Some("1".into())
        );
        assert_eq!(label_number("3. Have you lived abroad?"), Some("3".into()));
        assert_eq!(label_number("5 Address (number, street)"), Some("5".into()));
        assert_eq!(
            label_number("Wages, salaries, tips, etc. Attach Form(s) W-2 7"),
            Some("7".into())
        );
        assert_eq!(label_number("b Taxable amount 15b"), Some("15b".into()));
        assert_eq!(label_number("(1) First name"), None);
        assert_eq!(label_number("f1 25"), None);
        assert_eq!(label_number("p1 t4"), None);
        assert_eq!(label_number("You were born before January 2, 1946"), None);
        assert_eq!(number_reference("Line 7"), Some("7".into()));
        assert_eq!(number_reference("question 3"), Some("3".into()));
        assert_eq!(number_reference("8a"), Some("8a".into()));
        assert_eq!(number_reference("line seven"), None);
    }

    #[test]
    fn descriptions_lose_generated_notes_only() {
        assert_eq!(
            clean_description("Your social security number (9 characters, one per box)"),
            "Your social security number"
        );
        assert_eq!(
            clean_description("Requester’s name and address (optional) (may span several lines)"),
            "Requester’s name and address (optional)"
        );
        assert_eq!(
            clean_description("Other (see instructions)"),
            "Other (see instructions)"
        );
        assert_eq!(
            clean_description("Name (at most 20 characters; required)"),
            "Name"
        );
        assert_eq!(
            radio_option_description(
                "Geschlecht: weiblich. true selects this option of the group (only one option of the group can be selected)."
            ),
            Some(("Geschlecht".into(), "weiblich".into()))
        );
    }
}
