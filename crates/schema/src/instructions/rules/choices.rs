//! Choices by meaning: yes/no questions answered by what a sentence says about them ("I have
//! never been arrested" answers "Have you ever been arrested?" with No), options picked
//! because the request names them ("we're a partnership" picks "Partnership"), statement
//! check boxes ticked when a sentence says the same thing ("I do not have an ITIN"), and a
//! record's true/false keys matched to questions the same way.
//!
//! Conservative by construction: a question takes an answer only from the one sentence that
//! covers most of its words, an option only when it is the one option of its group named,
//! and nothing is decided when two readings compete.

use std::collections::{BTreeMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use super::run::{Action, Run};
use crate::fieldmodel::semantic;
use crate::instructions::request::{Fact, FactValue};
use crate::model::ValueKind;

/// Words that carry no meaning for matching (four languages).
const STOP: &[&str] = &[
    "the", "and", "for", "you", "your", "yours", "are", "was", "were", "have", "has", "had", "been", "any", "this", "that",
    "with", "from", "not", "but", "our", "ours", "his", "her", "their", "its", "who", "what", "which", "when", "where",
    "into", "than", "then", "there", "here", "also", "all", "each", "other", "more", "most", "such", "only", "own",
    "same", "can", "will", "would", "should", "could", "may", "might", "must", "shall", "did", "does", "ever", "never",
    "yes", "check", "box", "mark", "one", "see", "instructions", "page", "part", "line", "item", "please", "der", "die",
    "das", "und", "oder", "ich", "sie", "ist", "sind", "mit", "von", "für", "fur", "nicht", "kein", "keine", "les", "des",
    "est", "une", "pour", "avec", "pas", "vous", "votre", "los", "las", "del", "por", "con", "una", "usted", "sus",
    "myself", "i'm", "i've", "don't", "didn't", "isn't", "wasn't", "haven't", "hasn't", "we're", "they're",
];

/// Words that say no (four languages).
const NEGATION: &[&str] = &[
    "not", "never", "no", "none", "nor", "neither", "without", "don't", "didn't", "doesn't", "isn't", "wasn't", "aren't",
    "weren't", "haven't", "hasn't", "hadn't", "won't", "can't", "cannot", "nobody", "nothing", "nie", "nicht", "kein",
    "keine", "keinen", "niemals", "ohne", "nein", "jamais", "pas", "aucun", "aucune", "sans", "non", "nunca", "jamás",
    "jamas", "ningún", "ningun", "ninguna", "ninguno", "sin", "tampoco", "nadie", "nada",
];

/// Option labels too generic to be named in passing.
const GENERIC_OPTIONS: &[&str] = &["other", "none", "yes", "no", "unknown", "specify", "self", "n a", "na", "others", "sonstiges", "autre", "otro"];

/// The phrases that name a classification rather than the kind of thing: "taxed as",
/// "treated as", "classified as" (and "elected to be taxed as").
static CLASSIFIED_AS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b(?:taxed|treated|classified)\s+as\b").expect("a valid pattern"));

/// A sentence cut at its classification phrase: (what it says before, what it names as the
/// classification); the tail is empty when there is no such phrase.
fn split_classification(sentence: &str) -> (&str, &str) {
    match CLASSIFIED_AS.find(sentence) {
        Some(m) if m.start() > 0 => (&sentence[..m.start()], &sentence[m.end()..]),
        _ => (sentence, ""),
    }
}

/// A label's legend of codes (the field model's reading) as (code, the option's words).
fn legend_of(label: &str) -> Vec<(String, Vec<String>)> {
    crate::fieldmodel::code_legend(label)
        .into_iter()
        .map(|(code, phrase)| (code.to_string(), option_words(phrase)))
        .collect()
}

/// Content words plus what names an option though short: a lone capital letter ("C" of
/// "C corporation") as `c`, an acronym ("LLC") as written.
fn option_words(text: &str) -> Vec<String> {
    let mut words = content_words(text);
    // In a caption set in capitals ("UNDER HONORABLE CONDITIONS") no word stands out; a
    // caption that is one acronym ("LLC") is that acronym.
    if !text.chars().any(char::is_lowercase) {
        let t = text.trim();
        if (2..=5).contains(&t.len()) && t.chars().all(|c| c.is_ascii_uppercase()) {
            return vec![t.to_string()];
        }
        return words;
    }
    for w in text.split(|c: char| !c.is_alphanumeric()) {
        let letter = w.len() == 1 && w.chars().all(|c| c.is_ascii_uppercase()) && w != "I" && w != "A";
        let acronym = (2..=5).contains(&w.len()) && w.chars().all(|c| c.is_ascii_uppercase());
        if letter {
            words.push(w.to_lowercase());
        } else if acronym {
            words.retain(|x| *x != w.to_lowercase());
            words.push(w.to_string());
        }
    }
    words.dedup();
    words
}

fn content_words(text: &str) -> Vec<String> {
    let folded = semantic::normalize(text);
    let mut seen = HashSet::new();
    folded
        .split(' ')
        .filter(|w| w.chars().count() >= 3 && !STOP.contains(w) && !NEGATION.contains(w) && !w.chars().all(|c| c.is_ascii_digit()))
        .map(stem)
        .filter(|w| seen.insert(w.clone()))
        .collect()
}

/// A crude stem: plurals and verb endings off, so "arrested" meets "arrest".
fn stem(word: &str) -> String {
    for suffix in ["ing", "ed", "es", "s"] {
        if word.len() > suffix.len() + 3
            && let Some(stripped) = word.strip_suffix(suffix)
        {
            return stripped.to_string();
        }
    }
    word.to_string()
}

fn negated(text: &str) -> bool {
    let folded = text.to_lowercase().replace('’', "'");
    folded
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .any(|w| NEGATION.contains(&w) || w.ends_with("n't"))
}

/// One yes/no question of the form: the property (or option) that says yes and the one
/// that says no.
struct Question {
    words: Vec<String>,
    /// Another wording of the same question (the printed question beside a name's stem).
    also: Vec<String>,
    yes: Choice,
    no: Choice,
}

#[derive(Clone)]
enum Choice {
    /// A radio option given as a boolean property.
    Option(usize),
    /// An enum property's value.
    Value(usize, String),
    /// Nothing to set (a single check box has no "no").
    Nothing,
}

impl Run<'_> {
    /// Answers yes/no questions, picks named options and ticks statement boxes from the
    /// request's sentences and true/false facts; never touches what is already set.
    pub(super) fn answer_choices(&mut self, sentences: &[String], facts: &[Fact]) {
        let questions = self.yes_no_questions();
        let mut decided: Vec<(Vec<Action>, String)> = Vec::new();
        // Record keys first: {"arrested": false}.
        for fact in facts {
            // "yes, she assaulted an officer in 2021": the answer leads, a detail follows.
            let answer = match &fact.value {
                FactValue::Bool(b) => Some(*b),
                FactValue::Text(t) => yes_no_word(t).or_else(|| super::text::answer_word(t)),
            };
            let Some(answer) = answer else { continue };
            let said = content_words(&fact.label);
            // A record's key or a line's label is short: the question it names holds most of
            // its words ({"pregnant": "yes"}, "flint_water_exposure").
            let own = content_words(fact.source.strip_prefix("record ").map_or(fact.label.as_str(), |path| path.rsplit('.').next().unwrap_or(path)));
            if let Some(q) = best_question(&questions, &said, 1).or_else(|| question_named(&questions, &own)) {
                let choice = if answer { &questions[q].yes } else { &questions[q].no };
                decided.push((self.choose_action(choice), fact.source.clone()));
            }
        }
        // Sentences: the question most of whose words a sentence says.
        for sentence in sentences {
            let said = content_words(sentence);
            // "Label: value" lines are answered by their value (the clause reader's), not by
            // whether they sound negative; a question asks, it says nothing ("Does he
            // understand English? No" is answered by its "No").
            if said.len() < 2 || sentence.contains(':') || sentence.contains('=') || sentence.trim_end().ends_with('?') {
                continue;
            }
            if let Some(q) = best_question(&questions, &said, 2) {
                let choice = if negated(sentence) { &questions[q].no } else { &questions[q].yes };
                decided.push((self.choose_action(choice), sentence.clone()));
            }
        }
        // Options named by the request.
        // "An LLC taxed as a C corporation": the kind of entity is named before "taxed as",
        // the classification after it — the options are picked from the head, the tail
        // fills a box whose label gives codes for it.
        let splits: Vec<(&str, &str)> = sentences.iter().map(|s| split_classification(s)).collect();
        let heads: Vec<String> = splits.iter().map(|(head, _)| head.to_string()).collect();
        decided.extend(self.legend_codes(sentences, &splits));
        decided.extend(self.named_options(&heads));
        for (actions, source) in decided {
            let fresh: Vec<Action> = actions
                .into_iter()
                .filter(|a| match a {
                    Action::Set(p, _) | Action::Clear(p) => !self.values.contains_key(p) && !self.group_decided(*p),
                })
                .collect();
            self.apply(fresh, &source);
        }
    }

    /// A small text box whose label carries a legend of codes — "LLC. Enter the tax
    /// classification (C = C corporation, S = S corporation, P = Partnership)" — takes the
    /// code of the option a sentence names as its classification ("taxed as a C
    /// corporation"), when the sentence also names what the box is about ("LLC").
    fn legend_codes(&self, sentences: &[String], splits: &[(&str, &str)]) -> Vec<(Vec<Action>, String)> {
        let mut out = Vec::new();
        for (p, prop) in self.index.props.iter().enumerate() {
            if self.is_pinned(p) || prop.kind != Some(ValueKind::String) || prop.max_len.is_none_or(|n| n > 2) {
                continue;
            }
            let legend = legend_of(&prop.label);
            if legend.len() < 2 {
                continue;
            }
            // Compared in lower case: an acronym caption alone ("LLC") reads as plain words.
            let lower = |words: Vec<String>| -> HashSet<String> { words.into_iter().map(|w| w.to_lowercase()).collect() };
            let about = lower(option_words(prop.label.split(". ").next().unwrap_or(&prop.label)));
            for (sentence, &(head, tail)) in sentences.iter().zip(splits) {
                if tail.is_empty() {
                    continue;
                }
                let head_words = lower(option_words(head));
                if about.is_empty() || !about.iter().all(|w| head_words.contains(w)) {
                    continue;
                }
                let tail_words = lower(option_words(tail));
                let named: Vec<&(String, Vec<String>)> = legend
                    .iter()
                    .filter(|(_, words)| !words.is_empty() && words.iter().all(|w| tail_words.contains(&w.to_lowercase())))
                    .collect();
                // The most specific option named ("S corporation" over "corporation").
                let best = named.iter().max_by_key(|(_, words)| words.len());
                if let Some((code, words)) = best
                    && named.iter().filter(|(_, w)| w.len() == words.len()).count() == 1
                {
                    out.push((vec![Action::Set(p, Value::String(code.clone()))], sentence.clone()));
                    break;
                }
            }
        }
        out
    }

    fn choose_action(&self, choice: &Choice) -> Vec<Action> {
        match choice {
            Choice::Option(p) => vec![Action::Set(*p, Value::Bool(true))],
            Choice::Value(p, v) => vec![Action::Set(*p, Value::String(v.clone()))],
            Choice::Nothing => Vec::new(),
        }
    }

    /// Whether another option of `p`'s radio group already has a value.
    fn group_decided(&self, p: usize) -> bool {
        let Some(group) = self.prop(p).radio_option.as_ref().map(|r| r.group.clone()) else {
            return false;
        };
        self.values.keys().any(|q| self.prop(*q).radio_option.as_ref().is_some_and(|r| r.group == group))
    }

    fn yes_no_questions(&self) -> Vec<Question> {
        let mut out = Vec::new();
        // Radio groups given as one boolean per option.
        let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (p, prop) in self.index.props.iter().enumerate() {
            if let Some(radio) = &prop.radio_option {
                groups.entry(radio.group.clone()).or_default().push(p);
            }
        }
        for members in groups.values() {
            let yes = members.iter().find(|&&p| self.prop(p).radio_option.as_ref().is_some_and(|r| is_yes(&r.label) || is_yes(&r.export)));
            let no = members.iter().find(|&&p| self.prop(p).radio_option.as_ref().is_some_and(|r| is_no(&r.label) || is_no(&r.export)));
            if let (Some(&y), Some(&n)) = (yes, no)
                && members.len() == 2
            {
                out.push(Question { words: content_words(&self.prop(y).label), also: Vec::new(), yes: Choice::Option(y), no: Choice::Option(n) });
            }
        }
        for (p, prop) in self.index.props.iter().enumerate() {
            if prop.radio_option.is_some() || self.is_pinned(p) {
                continue;
            }
            match prop.kind {
                // Enums of yes and no.
                Some(ValueKind::Enum) if prop.options.len() == 2 => {
                    let yes = prop.options.iter().find(|(v, l)| is_yes(v) || is_yes(l));
                    let no = prop.options.iter().find(|(v, l)| is_no(v) || is_no(l));
                    if let (Some((y, _)), Some((n, _))) = (yes, no) {
                        out.push(Question {
                            words: content_words(&prop.label),
                            also: Vec::new(),
                            yes: Choice::Value(p, y.clone()),
                            no: Choice::Value(p, n.clone()),
                        });
                    }
                }
                // A check box that states something ("I do not have an ITIN").
                // (Not an answer box: "Is this a request for reconsideration?: No".)
                Some(ValueKind::Boolean) => {
                    let words = content_words(&prop.label);
                    if words.len() >= 3 && answer_of(&prop.label).is_none() {
                        // Ticked when a sentence says the same, negated or not alike.
                        let statement_negated = negated(&prop.label);
                        let (yes, no) = if statement_negated {
                            (Choice::Nothing, Choice::Value(p, String::new()))
                        } else {
                            (Choice::Value(p, String::new()), Choice::Nothing)
                        };
                        out.push(Question { words, also: Vec::new(), yes, no });
                    }
                }
                _ => {}
            }
        }
        // Separate "Yes" and "No" check boxes whose native names share a stem
        // (`defendant_photo_yes` / `defendant_photo_no`): one question, worded by the stem
        // without its party ("photo").
        let checkbox_answer = |p: usize| -> Option<(bool, String)> {
            let prop = self.prop(p);
            if prop.kind != Some(ValueKind::Boolean) || prop.radio_option.is_some() || self.is_pinned(p) {
                return None;
            }
            let name = prop.field_name.as_deref()?;
            let short = name.rsplit('.').next().unwrap_or(name).split('[').next().unwrap_or(name).to_lowercase();
            let (stem, answer) = short
                .strip_suffix("_yes")
                .map(|s| (s, true))
                .or_else(|| short.strip_suffix("_no").map(|s| (s, false)))?;
            (answer_of(&prop.label).is_some() || prop.label.trim().is_empty()).then(|| (answer, stem.to_string()))
        };
        let answers: Vec<(usize, bool, String)> =
            (0..self.index.props.len()).filter_map(|p| checkbox_answer(p).map(|(a, stem)| (p, a, stem))).collect();
        for &(yes, answer, ref stem) in &answers {
            if !answer {
                continue;
            }
            let Some(&(no, _, _)) = answers.iter().find(|(_, a, s)| !*a && s == stem) else { continue };
            let words: Vec<String> = content_words(&stem.replace('_', " "))
                .into_iter()
                .filter(|w| crate::fieldmodel::entity_in(w).is_none() && !matches!(w.as_str(), "users1" | "users2" | "user"))
                .collect();
            // The printed question is another wording ("A history of violence toward police").
            let also = answer_of(&self.prop(yes).label).or_else(|| answer_of(&self.prop(no).label)).and_then(|(q, _)| q).map(content_words).unwrap_or_default();
            out.push(Question { words, also, yes: Choice::Option(yes), no: Choice::Option(no) });
        }
        // Check boxes are booleans: "Value(p, \"\")" stands for ticking them.
        out.into_iter()
            .map(|q| Question { yes: self.tick(q.yes), no: self.tick(q.no), words: q.words, also: q.also })
            .filter(|q| !q.words.is_empty())
            .collect()
    }

    fn tick(&self, choice: Choice) -> Choice {
        match choice {
            Choice::Value(p, v) if v.is_empty() => Choice::Option(p),
            other => other,
        }
    }

    /// Options the request names: all of an option's own words in one sentence, the only
    /// option of its group so named, and no other group offering the same words.
    fn named_options(&self, sentences: &[String]) -> Vec<(Vec<Action>, String)> {
        // (group id, option choice, option words)
        let mut options: Vec<(String, Choice, Vec<String>)> = Vec::new();
        for (p, prop) in self.index.props.iter().enumerate() {
            if self.is_pinned(p) {
                continue;
            }
            if let Some(radio) = &prop.radio_option {
                if is_yes(&radio.label) || is_no(&radio.label) {
                    continue;
                }
                options.push((radio.group.clone(), Choice::Option(p), content_words(&radio.label)));
            } else if prop.kind == Some(ValueKind::Enum) {
                for (v, l) in &prop.options {
                    if is_yes(l) || is_no(l) {
                        continue;
                    }
                    options.push((format!("#{p}"), Choice::Value(p, v.clone()), content_words(l)));
                }
            } else if prop.kind == Some(ValueKind::Boolean) && !matches!(self.meanings[p].semantic, semantic::Semantic::YesNo | semantic::Semantic::Sex) {
                // Check boxes that are the options of one question (siblings by name:
                // `c1_1[0]` … `c1_1[6]`), worded by their caption's head ("C corporation",
                // "LLC" of "LLC. Enter the tax classification …").
                // (A "Yes"/"No" box answers a question; it is no option named by its words.)
                let Some(name) = prop.field_name.as_deref().filter(|_| answer_of(&prop.label).is_none()) else { continue };
                let stem = name.rsplit_once('[').map_or(name, |(head, _)| head);
                let head = prop.label.split(". ").next().unwrap_or(&prop.label);
                // Party words ("Check box (veteran)") say whose box it is, not which option.
                let all_words = option_words(head);
                let mut words: Vec<String> = all_words.iter().filter(|w| crate::fieldmodel::entity_in(w).is_none()).cloned().collect();
                // A caption that is only such a word ("LLC") names the option by it.
                if words.is_empty() {
                    words = all_words;
                }
                options.push((format!("stem:{stem}"), Choice::Option(p), words));
            }
        }
        // A check box alone under its stem is a question of its own, not an option.
        // Nor are check boxes with one caption under one stem (the same consent for two
        // people): options differ in their words.
        let stems: Vec<(String, Vec<String>)> =
            options.iter().filter(|(g, _, _)| g.starts_with("stem:")).map(|(g, _, w)| (g.clone(), w.clone())).collect();
        options.retain(|(g, _, w)| {
            !g.starts_with("stem:")
                || (stems.iter().filter(|(x, _)| x == g).count() >= 2 && stems.iter().filter(|(x, other)| x == g && other == w).count() == 1)
        });
        options.retain(|(_, _, words)| {
            let acronym = words.len() == 1 && words[0].len() >= 3 && words[0].chars().all(|c| c.is_ascii_uppercase());
            !words.is_empty()
                && !GENERIC_OPTIONS.contains(&words.join(" ").to_lowercase().as_str())
                && (acronym || words.iter().map(String::len).sum::<usize>() >= 5)
        });
        // An acronym option ("LLC") is named as a kind ("we're an LLC"), not as the end of a
        // name ("Acme LLC"): its pattern, made once per option.
        let said_as_kind: Vec<Option<Regex>> = options
            .iter()
            .map(|(_, _, words)| match words.as_slice() {
                [only] if only.chars().all(|c| c.is_ascii_uppercase()) => {
                    Regex::new(&format!(r"\b(?:[Aa]n?|[Tt]he|as|is|are|'re|'s)\s+{}\b", regex::escape(only))).ok()
                }
                _ => None,
            })
            .collect();
        let mut by_group: BTreeMap<String, Vec<(usize, usize)>> = BTreeMap::new();
        // Words of values already placed from a sentence are those values', not options
        // named ("Address: 12 Main St, 37002 Salamanca" names no "Salamanca" section).
        let placed: Vec<String> = self.values.values().filter_map(|(v, _)| v.as_str().map(str::to_lowercase)).filter(|v| v.chars().count() >= 3).collect();
        for (s, sentence) in sentences.iter().enumerate() {
            let mut said: HashSet<String> = content_words(sentence).into_iter().collect();
            said.extend(option_words(sentence));
            let lower = sentence.to_lowercase();
            for value in placed.iter().filter(|v| lower.contains(v.as_str())) {
                for w in content_words(value).into_iter().chain(option_words(value)) {
                    said.remove(&w);
                }
            }
            for (o, (group, _, words)) in options.iter().enumerate() {
                let acronym = matches!(words.as_slice(), [only] if only.chars().all(|c| c.is_ascii_uppercase()));
                if acronym && !said_as_kind[o].as_ref().is_some_and(|re| re.is_match(sentence)) {
                    continue;
                }
                if words.iter().all(|w| said.contains(w)) && !negated_near(sentence, words) {
                    by_group.entry(group.clone()).or_default().push((o, s));
                }
            }
        }
        let mut out = Vec::new();
        for hits in by_group.values() {
            // An option whose words are inside another named option's ("Corporation" in
            // "S Corporation") gives way to it.
            let kept: Vec<&(usize, usize)> = hits
                .iter()
                .filter(|(o, _)| {
                    !hits.iter().any(|(other, _)| {
                        other != o && options[*other].2.len() > options[*o].2.len() && options[*o].2.iter().all(|w| options[*other].2.contains(w))
                    })
                })
                .collect();
            let distinct: HashSet<usize> = kept.iter().map(|(o, _)| *o).collect();
            if distinct.len() != 1 {
                continue;
            }
            let (o, s) = *kept[0];
            // The same words offered by another group (two people's "Female"): not ours to pick.
            let elsewhere = options.iter().enumerate().any(|(i, (g, _, w))| i != o && *g != options[o].0 && *w == options[o].2);
            if elsewhere {
                continue;
            }
            out.push((self.choose_action(&options[o].1), sentences[s].clone()));
        }
        out
    }
}

/// The question whose words the text covers best: at least `min` words and most of the
/// question's first words, and clearly better than the runner-up.
fn best_question(questions: &[Question], said: &[String], min: usize) -> Option<usize> {
    let said: HashSet<&String> = said.iter().collect();
    let mut scored: Vec<(usize, f64)> = questions
        .iter()
        .enumerate()
        .filter_map(|(i, q)| {
            let covered = |words: &[String]| {
                let words = &words[..words.len().min(12)];
                let hit = words.iter().filter(|w| said.contains(w)).count();
                // A question of one long word ("photo", "English") is answered by that word.
                let min = if words.len() == 1 && words[0].chars().count() >= 5 { 1 } else { min };
                let need = min.max(((words.len() as f64) * 0.6).ceil() as usize).min(5).max(min);
                (!words.is_empty() && hit >= need).then_some(hit as f64 / words.len() as f64)
            };
            [covered(&q.words), covered(&q.also)].into_iter().flatten().max_by(f64::total_cmp).map(|score| (i, score))
        })
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1));
    match scored.as_slice() {
        [] => None,
        [(i, _)] => Some(*i),
        [(i, a), (_, b), ..] if a - b >= 0.2 => Some(*i),
        _ => None,
    }
}

/// The one question whose words hold most (two thirds) of a short name's words, one of them
/// a word of four letters or more; `None` when none does or several do equally.
fn question_named(questions: &[Question], name: &[String]) -> Option<usize> {
    if name.is_empty() || name.len() > 4 {
        return None;
    }
    let need = (name.len() * 2).div_ceil(3);
    let hits = |q: &Question| {
        let hit: Vec<&String> = name.iter().filter(|w| q.words.contains(w) || q.also.contains(w)).collect();
        if hit.len() >= need && hit.iter().any(|w| w.chars().count() >= 4) { hit.len() } else { 0 }
    };
    let scored: Vec<usize> = questions.iter().map(hits).collect();
    super::run::unique_best(&scored)
}

/// A check box's answer and the question it answers: "No" -> (None, false), "Violent toward
/// police?: Yes" -> (Some("Violent toward police?"), true); `None` for other captions.
pub(super) fn answer_of(label: &str) -> Option<(Option<&str>, bool)> {
    let mut label = label.trim();
    // Without the section `generate` names after the label (`No, in "Part 8"`).
    if let Some(at) = label.rfind(", in \"")
        && label.ends_with('"')
    {
        label = label[..at].trim_end();
    }
    let (question, answer) = match label.rsplit_once(": ") {
        Some((q, a)) => (Some(q.trim()), a),
        None => (None, label),
    };
    yes_no_word(answer).map(|a| (question.filter(|q| !q.is_empty()), a))
}

fn is_yes(text: &str) -> bool {
    matches!(semantic::normalize(text).as_str(), "yes" | "y" | "ja" | "oui" | "si" | "true" | "1")
}

fn is_no(text: &str) -> bool {
    matches!(semantic::normalize(text).as_str(), "no" | "n" | "nein" | "non" | "false" | "0")
}

fn yes_no_word(text: &str) -> Option<bool> {
    match semantic::normalize(text).as_str() {
        "yes" | "y" | "ja" | "oui" | "si" | "true" => Some(true),
        "no" | "n" | "nein" | "non" | "false" => Some(false),
        _ => None,
    }
}

/// Whether a negation stands right before the option's first word ("not a partnership").
fn negated_near(sentence: &str, words: &[String]) -> bool {
    let folded = semantic::normalize(sentence);
    let tokens: Vec<&str> = folded.split(' ').collect();
    let Some(first) = words.first() else {
        return false;
    };
    tokens.iter().enumerate().any(|(i, t)| {
        stem(t) == *first && tokens[i.saturating_sub(3)..i].iter().any(|w| NEGATION.contains(w) || w.ends_with("n't"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answer_boxes_say_their_question() {
        assert_eq!(answer_of("No"), Some((None, false)));
        assert_eq!(answer_of("Is this a full-time position?: Yes"), Some((Some("Is this a full-time position?"), true)));
        assert_eq!(answer_of("Consent: NO, in \"Part 1\""), Some((Some("Consent"), false)));
        assert_eq!(answer_of("I do not have an ITIN"), None);
        assert_eq!(answer_of("Name: Jordan"), None);
    }
}
