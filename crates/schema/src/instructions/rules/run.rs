//! The state of one resolution and what its steps hand each other: the actions a clause
//! plans, why one was not placed, and the run that collects values and warnings.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::matcher::Index;
use crate::instructions::meaning::Meaning;
use crate::instructions::shape;

/// Why a clause was not placed.
#[derive(Debug, Clone)]
pub(super) enum Problem {
    /// Nothing is labelled like the phrase; `query` (its words) finds the closest fields
    /// (or check boxes and options, `among_choices`) for the message, when it is shown.
    NoField {
        label: String,
        query: Vec<String>,
        among_choices: bool,
    },
    /// Several fields fit equally.
    Several { label: String, candidates: String },
    /// The field was found but the value does not fit it.
    BadValue(String),
}

impl Problem {
    pub(super) fn rank(&self) -> u8 {
        match self {
            Problem::NoField { .. } => 0,
            Problem::Several { .. } => 1,
            Problem::BadValue(_) => 2,
        }
    }

    pub(super) fn message(&self, clause: &str, index: &Index) -> String {
        match self {
            Problem::NoField {
                label,
                query,
                among_choices,
            } => {
                let targets = if *among_choices {
                    &index.choices
                } else {
                    &index.fields
                };
                let closest = if query.is_empty() {
                    String::new()
                } else {
                    index.describe(targets, &index.closest(targets, query))
                };
                if closest.is_empty() {
                    format!(
                        "could not place \"{clause}\": no field is labelled like \"{label}\"; left blank"
                    )
                } else {
                    format!(
                        "could not place \"{clause}\": no field is labelled like \"{label}\" (closest: {closest}); left blank"
                    )
                }
            }
            Problem::Several { label, candidates } => format!(
                "could not place \"{clause}\": \"{label}\" fits several fields equally ({candidates}); left blank — name the one meant"
            ),
            Problem::BadValue(why) => format!("could not place \"{clause}\": {why}; left blank"),
        }
    }
}

/// Which fields a label may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Want {
    /// Any field.
    Any,
    /// Fields with options ("select X for Y").
    Options,
}

/// What a clause does to the values.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Action {
    Set(usize, Value),
    Clear(usize),
}

pub(super) type Plan = Result<Vec<Action>, Problem>;

/// One resolution in progress.
pub(super) struct Run<'a> {
    pub(super) index: Index,
    /// What each property means (same order as `index.props`).
    pub(super) meanings: Vec<Meaning>,
    /// The party most properties belong to: a fact about "the applicant" is theirs.
    pub(super) main_entity: Option<String>,
    /// Where each property is on the form, when the schema says: (page, its box).
    pub(super) places: Vec<Option<(u32, formsmith_engine::DisplayBox)>>,
    /// Whether the writer puts the day first in numeric dates (from their language).
    pub(super) day_first: Option<bool>,
    /// Sentences of the request that ask for their values to be written as given ("bitte
    /// genau so eintragen: 21.09.1987", "escríbela tal cual"): their dates are not reshaped.
    pub(super) verbatim: Vec<String>,
    /// Names whose parts the request said: (the name as written, its parts).
    pub(super) named: Vec<(String, shape::PersonName)>,
    /// Clauses no label named: (clause, its label/value readings, the message if they stay
    /// unplaced), read again by meaning.
    pub(super) unplaced: Vec<Unplaced>,
    /// Clauses no phrasing reads; reported unless a fact read from their sentence was placed.
    pub(super) not_understood: Vec<String>,
    /// Whether the request names an organization (then a box for "entity/individual" is
    /// the organization's, not the person's who writes for it).
    pub(super) organization_said: bool,
    pub(super) pinned: &'a Map<String, Value>,
    /// Property -> value and the clause that gave it.
    pub(super) values: HashMap<usize, (Value, String)>,
    pub(super) warnings: Vec<String>,
    /// Warnings beyond [`MAX_WARNINGS`].
    pub(super) dropped: usize,
    pub(super) clauses: usize,
}

impl Run<'_> {
    /// Whether the request asks for this value to be written as it is said.
    pub(super) fn asked_as_written(&self, value: &str) -> bool {
        self.verbatim.iter().any(|sentence| sentence.contains(value))
    }
}

/// A clause no label named: (clause, its label/value readings, the message if it stays
/// unplaced).
pub(super) type Unplaced = (String, Vec<(String, String)>, String);

/// The index of the one highest score above zero; `None` when none is above zero or the
/// highest is shared.
pub(super) fn unique_best(scores: &[usize]) -> Option<usize> {
    let best = scores.iter().copied().max().filter(|&b| b > 0)?;
    let mut at = scores.iter().enumerate().filter(|&(_, &s)| s == best).map(|(i, _)| i);
    let first = at.next()?;
    at.next().is_none().then_some(first)
}
