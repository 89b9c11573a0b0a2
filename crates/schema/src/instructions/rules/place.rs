//! Placing facts (see `request`) by meaning: a fact's semantic type, party and qualifier
//! against each property's (see `meaning`), then shaped for the box(es) it lands in (see
//! `shape`). One value may fill several boxes (a name into given / middle / family, an SSN
//! into three boxes, an address into street / unit / city / state / ZIP). A fact whose
//! boxes are not unique is left blank and reported; a fact of no known type is looked up by
//! its words as a label, like a `label: value` clause.

use serde_json::Value;

use super::matcher::{Found, TargetKind};
use super::text;
use super::run::{Action, Problem, Run, Want, unique_best};
use crate::fieldmodel::semantic::{self, Semantic};
use crate::instructions::request::{Fact, FactValue, Origin, PATTERN_LABELS, THIRD_PARTY, is_self, record_parent};
use crate::instructions::shape;
use crate::model::ValueKind;

/// Qualifiers a value said without one may take: the usual address is the physical one,
/// the usual phone the home, daytime or mobile one.
const SOFT_QUALIFIERS: &[&str] = &["mobile", "home", "daytime", "current", "present", "physical", "evening"];

/// Qualifiers of the value a person gives when a form asks for one of its kind.
const CURRENT_QUALIFIERS: &[&str] = &["mailing", "home", "residence", "residential", "permanent", "cell", "personal", "private"];

/// How many boxes after a street box may still be its address's parts.
const ADDRESS_BLOCK: usize = 8;

/// Parties a form is about who are rarely the one filling it in.
const COUNTERPARTIES: &[&str] = &[
    "defendant", "respondent", "employer", "preparer", "requester", "payer", "attorney", "interpreter", "provider", "witness",
];

/// Parties that face each other on one form (buyer and seller): a value said of no one
/// cannot be given to either.
const PEERS: &[&str] = &[
    "buyer", "seller", "plaintiff", "defendant", "petitioner", "respondent", "employer", "employee", "payer", "payee",
    "landlord", "tenant", "debtor", "creditor",
];

/// Why a fact found no place.
pub(super) enum Miss {
    /// No property has its meaning.
    Nowhere,
    /// Several do equally.
    Several(Vec<usize>),
    /// The value does not fit.
    Bad(String),
}

impl Run<'_> {
    /// Places every fact, in the order said; earlier values win. Says, per fact, whether
    /// it was placed (or was already in place).
    pub(super) fn place_facts(&mut self, mut facts: Vec<Fact>) -> Vec<bool> {
        self.name_record_parties(&mut facts);
        self.join_record_names(&mut facts);
        let mut placed_flags = Vec::with_capacity(facts.len());
        self.organization_said = facts.iter().any(|f| f.semantic == Some(Semantic::Organization));
        // Prose facts repeat what a clause already placed ("Address: 1 Main St, …" is a
        // clause and an address); the clause's placement stands.
        // (The same value: the clause says it and a value placed from the clause holds it or
        // is held by it; "Chennai" in a sentence that placed only a date is still to place.)
        let fold = text::alnum_fold;
        let placed_text: Vec<(String, String)> = self
            .values
            .values()
            .map(|(value, clause)| (clause.clone(), fold(&match value {
                Value::String(t) => t.clone(),
                other => other.to_string(),
            })))
            .filter(|(_, v)| v.chars().count() >= 2)
            .collect();
        for fact in facts {
            let mut done = false;
            let from_prose = fact.origin == Origin::Prose;
            if from_prose {
                let value = fact.value.text();
                let folded = fold(&value);
                if placed_text.iter().any(|(c, v)| c.contains(&value) && (folded.contains(v.as_str()) || v.contains(folded.as_str()))) {
                    placed_flags.push(true);
                    continue;
                }
            }
            let value_text = fact.value.text();
            let clause = fact.source.clone();
            let placed = match fact.semantic {
                Some(s) if !matches!(s, Semantic::Text | Semantic::Choice | Semantic::YesNo) => self.plan_fact(s, &fact),
                _ => Err(Miss::Nowhere),
            };
            match placed {
                Ok(actions) => {
                    self.apply_unfilled(actions, &clause);
                    done = true;
                }
                Err(Miss::Nowhere) if fact.semantic == Some(Semantic::AdditionalName) && self.middle_into_given(&fact) => done = true,
                Err(Miss::Nowhere) if from_prose && !PATTERN_LABELS.contains(&fact.label.as_str()) => {}
                Err(Miss::Nowhere) => {
                    // Words a label may carry: "occupation": "nurse", "Beruf: Pflegerin".
                    // A record's key under groups that name no field ("personen" →
                    // "lieblingsstadt") by its own words and the groups' roles.
                    let planned = match self.plan_assign(&fact.label, &value_text, &[], Want::Any) {
                        // The k-th item of a list among boxes labelled alike (Debtor 1's and
                        // Debtor 2's "First name"): the k-th of them.
                        Err(Problem::Several { .. }) if fact.origin == Origin::Record && fact.ordinal.is_some() => {
                            self.plan_record_key(&fact, &value_text)
                        }
                        Err(Problem::NoField { .. }) if fact.origin == Origin::Record => {
                            match self.plan_record_key(&fact, &value_text) {
                                Err(Problem::NoField { .. }) => self.plan_named_choices(&fact, &value_text),
                                other => other,
                            }
                        }
                        other => other,
                    };
                    // No label takes all its words: the one that takes most of them.
                    let planned = match planned {
                        Err(no_field @ Problem::NoField { .. }) => self.plan_soft(&fact, &value_text).map(|a| (a, Vec::new())).ok_or(no_field),
                        other => other,
                    };
                    match planned {
                        Ok((actions, _)) => {
                            self.apply_unfilled(actions, &clause);
                            done = true;
                        }
                        Err(Problem::NoField { .. }) if fact.source.starts_with("record ") => self.warn(format!(
                            "{}: \"{value_text}\" fits no field of this form; left out",
                            fact.source
                        )),
                        Err(problem) => {
                            if fact.source.starts_with("record ") {
                                self.warn(problem.message(&format!("{} = {value_text}", fact.source), &self.index));
                            }
                        }
                    }
                }
                Err(Miss::Several(props)) => {
                    let keys: Vec<String> = props.iter().map(|p| self.prop(*p).key.clone()).collect();
                    self.warn(format!(
                        "could not place {} \"{value_text}\" ({}): it fits several fields equally ({}); left blank",
                        fact.semantic.map(|s| s.describe()).unwrap_or("a value"),
                        fact.source,
                        keys.join(", ")
                    ));
                }
                Err(Miss::Bad(why)) => self.warn(format!("could not place \"{value_text}\" ({}): {why}; left blank", fact.source)),
            }
            placed_flags.push(done);
        }
        placed_flags
    }

    /// `value` into the boxes of the split value whose first box is `p` (a date's day,
    /// month and year; dollars and cents), placed as the fact its label and meaning say.
    pub(super) fn plan_parts_from(&self, p: usize, value: &str) -> Option<Vec<Action>> {
        let meaning = &self.meanings[p];
        let fact = Fact {
            semantic: Some(meaning.semantic),
            entity: meaning.entity.clone(),
            qualifier: meaning.qualifier.clone(),
            label: semantic::normalize(&meaning.label),
            value: FactValue::Text(value.to_string()),
            source: String::new(),
            ordinal: None,
            origin: Origin::Label,
        };
        let actions = self.plan_fact(meaning.semantic, &fact).ok()?;
        actions.iter().any(|a| matches!(a, Action::Set(set, _) if *set == p)).then_some(actions)
    }

    /// Applies the actions on properties no earlier value holds: earlier values win.
    pub(super) fn apply_unfilled(&mut self, actions: Vec<Action>, clause: &str) {
        let fresh: Vec<Action> = actions
            .into_iter()
            .filter(|a| match a {
                Action::Set(p, _) | Action::Clear(p) => !self.values.contains_key(p),
            })
            .collect();
        self.apply(fresh, clause);
    }

    /// A fact no label names by all its words, placed where a label shares most of them
    /// ([`super::matcher::Index::find_field_soft`]) and the value is of the field's kind.
    fn plan_soft(&self, fact: &Fact, value: &str) -> Option<Vec<Action>> {
        // A record's groups ("phones" around a `{type, number}` item) say more than which
        // box; its key was looked up already by its own words and its groups' roles.
        if fact.origin != Origin::Label {
            return None;
        }
        let q = text::tokens(&semantic::normalize(&fact.label));
        let t = self.index.find_field_soft(&q)?;
        let TargetKind::Field(p) = self.index.fields[t].kind else { return None };
        if !self.value_fits(p, value) {
            return None;
        }
        self.convert(t, value, &q).ok()
    }

    /// Whether a value has the shape the property's meaning asks for (a date for a date,
    /// digits for an ID, a number for an amount); any text fits a text box.
    pub(super) fn value_fits(&self, p: usize, value: &str) -> bool {
        let digits = value.chars().filter(char::is_ascii_digit).count();
        let letters = value.chars().filter(|c| c.is_alphabetic()).count();
        match self.meanings[p].semantic {
            Semantic::Bday | Semantic::Date | Semantic::DateSigned => shape::find_date(value, self.day_first.unwrap_or(false)).is_some(),
            Semantic::Tel | Semantic::Fax => digits >= 7 && letters == 0,
            Semantic::Email => value.contains('@'),
            Semantic::Ssn | Semantic::Ein | Semantic::Tin | Semantic::BankAccount | Semantic::RoutingNumber => digits >= 4 && letters <= 2,
            Semantic::Money => text::parse_number(value).is_some() || shape::amount(value).is_some(),
            Semantic::Number | Semantic::Age => text::parse_number(value).is_some(),
            Semantic::PostalCode => digits >= 3,
            Semantic::Name | Semantic::GivenName | Semantic::FamilyName | Semantic::AdditionalName | Semantic::AddressLevel2 | Semantic::Country | Semantic::County => digits == 0,
            _ => true,
        }
    }

    /// A record key looked up by its own words when its path's groups name no field: the
    /// groups' roles stay ("spouse.first"), other group words go ("personen" in
    /// "personen[1].lieblingsstadt"). The k-th item of a list takes the k-th of the boxes
    /// labelled alike, in reading order (Person 1, Person 2).
    fn plan_record_key(&self, fact: &Fact, value: &str) -> Result<(Vec<Action>, Vec<String>), Problem> {
        let no_field = || Problem::NoField { label: fact.label.clone(), query: Vec::new(), among_choices: false };
        let path = fact.source.strip_prefix("record ").unwrap_or(&fact.source);
        let Some((groups, key)) = path.rsplit_once('.') else { return Err(no_field()) };
        let mut q = self.index.correct(&text::tokens(&semantic::normalize(key)));
        if q.is_empty() {
            return Err(no_field());
        }
        // The groups' roles and qualifiers stay: "solicitante.nacimiento.lugar" is the
        // applicant's place of birth; a key naming its own person ("padres.madre_…": the
        // mother among the parents) keeps only that one.
        let own_role = q.iter().any(|w| text::is_role(w));
        for word in text::tokens(&semantic::normalize(groups)) {
            if ((text::is_role(&word) && !own_role) || text::is_qualifier(&word)) && !q.contains(&word) {
                q.push(word);
            }
        }
        let Some(k) = fact.ordinal else {
            return self.plan_label(&q, key, value, Want::Any).map(|a| (a, Vec::new()));
        };
        let targets = match self.lookup(&q, Want::Any) {
            Found::One(t) => vec![t],
            Found::Several(ts) => ts,
            Found::None => return Err(no_field()),
        };
        let boxes: Vec<(usize, usize)> = targets
            .iter()
            .filter_map(|&t| match self.index.fields[t].kind {
                TargetKind::Field(p) => Some((t, p)),
                _ => None,
            })
            .collect();
        if boxes.len() != targets.len() {
            return Err(Problem::Several { label: key.to_string(), candidates: self.index.describe(&self.index.fields, &targets) });
        }
        let target = self.kth_in_reading_order(&boxes, k).ok_or_else(no_field)?;
        self.convert(target, value, &q).map(|a| (a, Vec::new()))
    }

    /// A record value that is the label of check boxes or options the key names nothing
    /// about (`"referral": "google search"`, `"found_via": ["Golang Weekly", "Google
    /// Search"]`): each item's words are exactly one choice's own, all of them and nothing
    /// more. Boxes asked once per person take the list item's (in reading order).
    fn plan_named_choices(&self, fact: &Fact, value: &str) -> Result<(Vec<Action>, Vec<String>), Problem> {
        let no_field = || Problem::NoField { label: fact.label.clone(), query: Vec::new(), among_choices: true };
        // Yes and no answer a question; they name no box.
        if matches!(fact.value, FactValue::Bool(_)) {
            return Err(no_field());
        }
        let k = fact.ordinal.unwrap_or(1);
        let mut actions = Vec::new();
        for item in value.split(", ") {
            if text::boolean_word(item).is_some() {
                return Err(no_field());
            }
            let words = text::tokens(item);
            if words.is_empty() || item.chars().any(|c| c.is_ascii_digit()) {
                return Err(no_field());
            }
            let found = match self.index.find_choice(&words) {
                Found::One(t) => vec![t],
                Found::Several(ts) => ts,
                Found::None => return Err(no_field()),
            };
            let named: Vec<usize> = found
                .into_iter()
                .filter(|&t| {
                    let target = &self.index.choices[t];
                    words.iter().all(|w| target.tokens.contains(w)) && target.tokens.iter().all(|w| words.contains(w))
                })
                .collect();
            let boxes: Vec<(usize, usize)> = named
                .iter()
                .filter_map(|&t| match self.index.choices[t].kind {
                    TargetKind::Toggle(p) => Some((t, p)),
                    _ => None,
                })
                .collect();
            // One box, or one per person of a list; anything else is not told apart.
            if boxes.len() != named.len() || boxes.is_empty() || (boxes.len() > 1 && fact.ordinal.is_none()) {
                return Err(no_field());
            }
            let Some(t) = self.kth_in_reading_order(&boxes, k) else { return Err(no_field()) };
            actions.extend(self.toggle(t, true)?);
        }
        Ok((actions, Vec::new()))
    }

    /// The target of the k-th (from 1) of `boxes` — (target, property) pairs — in the reading
    /// order of their properties.
    fn kth_in_reading_order(&self, boxes: &[(usize, usize)], k: usize) -> Option<usize> {
        let mut props: Vec<usize> = boxes.iter().map(|&(_, p)| p).collect();
        self.reading_order(&mut props);
        let p = *props.get(k.checked_sub(1)?)?;
        boxes.iter().find(|&&(_, q)| q == p).map(|&(t, _)| t)
    }

    /// A name a record gives in parts (`first`, `middle`, `last` under one key) for a person
    /// the form asks whole ("VETERAN'S NAME (First, Middle Initial, Last)"): one full name,
    /// said in their place. Where the form asks the parts, they stay parts.
    fn join_record_names(&self, facts: &mut Vec<Fact>) {
        let text_of = |f: &Fact| match &f.value {
            FactValue::Text(t) => Some(t.clone()),
            FactValue::Bool(_) => None,
        };
        let mut groups: Vec<(String, Option<usize>)> = facts
            .iter()
            .filter(|f| f.origin == Origin::Record && f.semantic == Some(Semantic::FamilyName))
            .map(|f| (record_parent(f), f.ordinal))
            .collect();
        groups.dedup();
        for (group, ordinal) in groups {
            let in_group = |f: &Fact| f.origin == Origin::Record && record_parent(f) == group && f.ordinal == ordinal;
            let part = |s: Semantic| facts.iter().position(|f| in_group(f) && f.semantic == Some(s));
            let (Some(given), Some(family)) = (part(Semantic::GivenName), part(Semantic::FamilyName)) else { continue };
            let middle = part(Semantic::AdditionalName);
            let boxes = self.candidates(Semantic::Name, &facts[given]);
            if !self.candidates(Semantic::GivenName, &facts[given]).is_empty() || boxes.is_empty() {
                continue;
            }
            let (Some(given_name), Some(family_name)) = (text_of(&facts[given]), text_of(&facts[family])) else { continue };
            let middle_name = middle.and_then(|i| text_of(&facts[i]));
            let forenames = [Some(given_name), middle_name].into_iter().flatten().collect::<Vec<_>>().join(" ");
            // In the order the box's label asks: "Last name, First name, Initial" takes
            // "Santos, Victor J"; a French "NOM, prénom(s)" takes "PETIT Jean-Marc".
            let whole_name = match boxes.first().and_then(|&p| shape::family_first(&self.meanings[p].label)) {
                Some(true) => format!("{family_name}, {forenames}"),
                Some(false) => format!("{family_name} {forenames}"),
                None => format!("{forenames} {family_name}"),
            };
            let mut whole = facts[given].clone();
            whole.semantic = Some(Semantic::Name);
            whole.value = FactValue::Text(whole_name);
            whole.source = group.clone();
            whole.label = group.trim_start_matches("record ").replace('.', " ");
            let mut drop = [Some(given), middle, Some(family)].into_iter().flatten().collect::<Vec<_>>();
            drop.sort_unstable();
            let at = drop[0];
            for i in drop.into_iter().rev() {
                facts.remove(i);
            }
            facts.insert(at, whole);
        }
    }

    /// A record's top-level group that names no known party ("abuser": {…}) is the form's
    /// party whose boxes' labels share its word's stem ("person accused of abuse" on the
    /// defendant's boxes), when exactly one party's do; otherwise its values stay the
    /// writer's as before.
    fn name_record_parties(&self, facts: &mut [Fact]) {
        let stem_of = |w: &str| w.chars().take(5).collect::<String>();
        let mut by_group: std::collections::HashMap<String, Option<String>> = std::collections::HashMap::new();
        for fact in facts.iter_mut() {
            if fact.origin != Origin::Record || fact.entity.is_some() {
                continue;
            }
            let Some(path) = fact.source.strip_prefix("record ") else { continue };
            let Some((group, _)) = path.split_once('.') else { continue };
            let party = by_group
                .entry(group.to_string())
                .or_insert_with(|| {
                    let word = semantic::normalize(group);
                    // A plain word of five letters or more that is no kind of value.
                    if word.contains(' ') || word.chars().count() < 5 || semantic::from_words(&word).is_some() {
                        return None;
                    }
                    let stem = stem_of(&word);
                    let mut parties: Vec<&str> = self
                        .meanings
                        .iter()
                        .filter(|m| {
                            semantic::normalize(&m.label).split(' ').any(|w| w.chars().count() >= 5 && stem_of(w) == stem)
                        })
                        .filter_map(|m| m.entity.as_deref())
                        .collect();
                    parties.sort_unstable();
                    parties.dedup();
                    match parties.as_slice() {
                        [only] => Some(only.to_string()),
                        _ => None,
                    }
                })
                .clone();
            if let Some(party) = party {
                // The group's word is the party's in lookups by label too ("abuser eyes" is
                // the defendant's eyes).
                let group_words = semantic::normalize(group);
                if let Some(rest) = fact.label.strip_prefix(&group_words) {
                    fact.label = format!("{}{rest}", party.replace('_', " "));
                }
                fact.entity = Some(party);
            }
        }
    }

    /// The fact's party, `None` for the request's subject (the form's main party, or a
    /// party word that means the person filling: applicant, taxpayer, client…).
    fn party_of_fact(&self, fact: &Fact) -> Option<String> {
        let mut e = fact.entity.as_deref()?;
        // "He is Curtis Lyle" with no party named: the form's main party, when the form is
        // about someone (a defendant, a veteran) rather than its writer.
        if e == THIRD_PARTY {
            match (self.main_entity.as_deref(), self.subject_party()) {
                (Some(main), _) if !is_self(main) => e = main,
                // A form filed by one party about another (a petition for a beneficiary):
                // the person the writer speaks of is the one the form is about.
                (_, Some(about)) => e = about,
                _ => return Some(THIRD_PARTY.to_string()),
            }
        }
        (!self.is_subject(e)).then(|| e.to_string())
    }

    /// The first box of each date of signing: boxes the model calls so, and date boxes
    /// labelled like one of them.
    fn signing_dates(&self) -> Vec<usize> {
        let first = |p: usize| self.meanings[p].part.is_none_or(|(i, _)| i == 1);
        let signed: Vec<usize> = (0..self.meanings.len()).filter(|&p| self.meanings[p].semantic == Semantic::DateSigned && first(p)).collect();
        let labels: Vec<String> = signed.iter().map(|&p| semantic::normalize(&self.meanings[p].label)).collect();
        let alike = (0..self.meanings.len()).filter(|&p| {
            matches!(self.meanings[p].semantic, Semantic::Date | Semantic::DateDay) && first(p) && labels.contains(&semantic::normalize(&self.meanings[p].label))
        });
        signed.iter().copied().chain(alike).collect()
    }

    /// The one party the form is about when its writer is someone else (the beneficiary of
    /// a petition, the veteran of a claim filed by a relative), if the form names one.
    fn subject_party(&self) -> Option<&str> {
        const ABOUT: &[&str] = &["beneficiary", "veteran", "patient", "insured"];
        let mut found = self.meanings.iter().filter_map(|m| m.entity.as_deref()).filter(|e| ABOUT.contains(e));
        let first = found.next()?;
        found.all(|e| e == first).then_some(first)
    }

    /// Whether property `p` can hold a value of `party`: its own party, or, on a form about
    /// someone other than its writer (the defendant's information sheet), a box that names
    /// no party holds the main party's values.
    fn holds_party(&self, p: usize, party: Option<&str>) -> bool {
        let own = self.party_of_prop(p);
        own == party || (own.is_none() && party.is_some() && party == self.main_entity.as_deref())
    }

    fn party_of_prop(&self, p: usize) -> Option<&str> {
        self.meanings[p].entity.as_deref().filter(|e| !self.is_subject(e))
    }

    /// Whether a party is the request's subject: a self word, or the form's main party
    /// unless that is someone the writer describes rather than is (a defendant, an
    /// employer: "I'm Keisha; my ex is …" on a form about the defendant).
    fn is_subject(&self, entity: &str) -> bool {
        is_self(entity) || (Some(entity) == self.main_entity.as_deref() && !COUNTERPARTIES.contains(&entity))
    }

    /// Properties of type `s` for the fact's party and qualifier (radio options excluded
    /// unless `options`), not pinned.
    fn candidates(&self, s: Semantic, fact: &Fact) -> Vec<usize> {
        let party = self.party_of_fact(fact);
        // "Print name: Jordan Avery" on a form of buyers and sellers names no one.
        // (Where the peers' boxes of the kind are as many as the unowned ones: an applicant's
        // form with an employer's address beside several of the applicant's own is not one.)
        // (A peer the request names in words that also stand for the writer — "Petitioner:
        // Brightwater Robotics LLC" — is named all the same.)
        let peer_named = fact.entity.as_deref().is_some_and(|e| PEERS.contains(&e));
        if party.is_none() && self.main_entity.is_none() && !peer_named {
            let of_kind = || self.meanings.iter().filter(|m| m.semantic == s);
            let peer_boxes = of_kind().filter(|m| m.entity.as_deref().is_some_and(|e| PEERS.contains(&e))).count();
            let unowned_boxes = of_kind().filter(|m| m.entity.is_none()).count();
            if peer_boxes > 0 && peer_boxes >= unowned_boxes {
                return Vec::new();
            }
        }
        let all: Vec<usize> = (0..self.meanings.len())
            .filter(|&p| self.meanings[p].semantic == s)
            .filter(|&p| self.holds_party(p, party.as_deref()))
            .filter(|&p| self.prop(p).radio_option.is_none() || s == Semantic::Sex)
            .filter(|&p| self.prop(p).kind != Some(ValueKind::Boolean) || s == Semantic::Sex)
            .filter(|&p| !self.is_pinned(p))
            // A citizenship is a country, but not an address's: each goes only where its
            // kind is asked.
            .filter(|&p| s != Semantic::Country || says_nationality(&fact.label) == says_nationality(&self.meanings[p].label))
            .collect();
        // A party named in words that also stand for the writer ("The petitioner is …") takes
        // the boxes of that party where the form has them, before boxes of no one's.
        // (Not the form's main party, whose boxes often name no one; not split values, whose
        // parts name the party unevenly.)
        let named = fact.entity.as_deref().filter(|e| is_self(e) && Some(*e) != self.main_entity.as_deref());
        let all = match named {
            Some(e)
                if all.iter().any(|&p| self.meanings[p].entity.as_deref() == Some(e))
                    && all.iter().all(|&p| self.meanings[p].part.is_none()) =>
            {
                all.into_iter().filter(|&p| self.meanings[p].entity.as_deref() == Some(e)).collect()
            }
            _ => all,
        };
        // "Date of birth" says "birth" twice: for birth dates the qualifier adds nothing.
        let birth = matches!(s, Semantic::Bday | Semantic::BdayDay | Semantic::BdayMonth | Semantic::BdayYear);
        // A business name is a work value anyway, and a person's name has no work variant
        // ("Name as shown on your individual or business return"): "work" tells nothing there.
        let business = matches!(
            s,
            Semantic::Organization | Semantic::OrganizationTitle | Semantic::Name | Semantic::GivenName | Semantic::FamilyName | Semantic::AdditionalName
        );
        let says_nothing = |q: &str| (birth && q == "birth") || (business && q == "work");
        let qualifier_of = |p: usize| self.meanings[p].qualifier.as_deref().filter(|q| !says_nothing(q));
        let wanted = fact.qualifier.as_deref().filter(|q| !says_nothing(q));
        // A value said with no qualifier is the current one: "current name" boxes are as
        // much its home as unqualified ones (the reading order then picks the first asked).
        let current = |q: Option<&str>| q.is_none() || matches!(q, Some("current" | "present"));
        let exact: Vec<usize> =
            all.iter().copied().filter(|&p| qualifier_of(p) == wanted || (wanted.is_none() && current(qualifier_of(p)))).collect();
        if !exact.is_empty() {
            return exact;
        }
        // An address or phone said with no kind on a form that asks it of one usual kind only
        // (a "Mailing address" and no other): the one a person gives.
        if wanted.is_none()
            && let Some(&first) = all.first()
            && qualifier_of(first).is_some_and(|q| CURRENT_QUALIFIERS.contains(&q))
            && all.iter().all(|&p| qualifier_of(p) == qualifier_of(first) && self.meanings[p].entity == self.meanings[first].entity)
        {
            return all;
        }
        if wanted.is_none_or(|q| SOFT_QUALIFIERS.contains(&q)) {
            return all.into_iter().filter(|&p| qualifier_of(p).is_none_or(|q| SOFT_QUALIFIERS.contains(&q))).collect();
        }
        // "Mailing address: …" on a form that asks one address, with no kind: the one a
        // person gives (never a previous or work one).
        if wanted.is_some_and(|q| CURRENT_QUALIFIERS.contains(&q)) && all.iter().all(|&p| qualifier_of(p).is_none()) {
            return all;
        }
        Vec::new()
    }

    /// Whether the fact's qualifier is none or a usual one (it may take the first of
    /// several differently labelled boxes: "my name" is the one asked first).
    fn takes_first(fact: &Fact) -> bool {
        // Identity and contact values are asked first where they matter most; amounts,
        // numbers and dates of events are not.
        fact.semantic.is_some_and(is_identity) && fact.qualifier.as_deref().is_none_or(|q| SOFT_QUALIFIERS.contains(&q))
    }

    /// One property (or the boxes of one split value) of type `s`. Boxes repeated with the
    /// same label and meaning (Person 1 / Person 2 blocks, rows of a table) are instances:
    /// the fact's position in its list picks one, the first when it has none.
    fn one_of(&self, s: Semantic, fact: &Fact) -> Result<Vec<usize>, Miss> {
        let found = self.candidates(s, fact);
        match found.as_slice() {
            [] => Err(Miss::Nowhere),
            [one] if fact.ordinal.is_none_or(|k| k == 1) => Ok(vec![*one]),
            many => {
                // The boxes of one value: parts 1..n, each once.
                let n = self.meanings[many[0]].part.map(|(_, n)| n);
                let mut parts: Vec<(usize, usize)> =
                    many.iter().filter_map(|&p| self.meanings[p].part.map(|(i, _)| (i, p))).collect();
                parts.sort_unstable();
                if n == Some(many.len())
                    && parts.len() == many.len()
                    && parts.iter().enumerate().all(|(k, (i, _))| *i == k + 1)
                    && many.iter().all(|&p| self.meanings[p].part.map(|(_, c)| c) == n)
                {
                    return Ok(parts.into_iter().map(|(_, p)| p).collect());
                }
                // The boxes of several instances of one split value (two people's 3-box
                // phones): instance k is the k-th box of each part in reading order.
                if let Some(n) = n
                    && n >= 2
                    && many.len() % n == 0
                    && many.len() > n
                    && many.iter().all(|&p| self.meanings[p].part.map(|(_, c)| c) == Some(n))
                {
                    let mut by_part: Vec<Vec<usize>> = (1..=n)
                        .map(|i| many.iter().copied().filter(|&p| self.meanings[p].part.map(|(k, _)| k) == Some(i)).collect())
                        .collect();
                    let instances = many.len() / n;
                    if by_part.iter().all(|members| members.len() == instances) {
                        for members in &mut by_part {
                            self.reading_order(members);
                        }
                        // Told apart by what the request said ("audit.date" among the audit's
                        // and the signature's day / month / year boxes).
                        if fact.ordinal.is_none() {
                            let instance = |k: usize| by_part.iter().filter_map(|members| members.get(k).copied()).collect::<Vec<usize>>();
                            let overlaps: Vec<usize> = (0..instances).map(|k| self.words_shared(fact, &instance(k))).collect();
                            if let Some(k) = unique_best(&overlaps) {
                                return Ok(instance(k));
                            }
                        }
                        let k = fact.ordinal.unwrap_or(1);
                        if fact.ordinal.is_none() && !Self::takes_first(fact) {
                            return Err(Miss::Several(many.to_vec()));
                        }
                        return by_part.iter().map(|members| members.get(k - 1).copied()).collect::<Option<Vec<usize>>>().ok_or(Miss::Nowhere);
                    }
                }
                // Whole values and single boxes side by side (five one-digit boxes of a
                // listing number beside an opportunity number): the one whose labels share
                // most of what the request said, all its parts.
                let units = self.value_units(many);
                if fact.ordinal.is_none() && units.iter().any(|u| u.len() > 1) {
                    let shared: Vec<usize> = units.iter().map(|u| self.words_shared(fact, u)).collect();
                    if let Some(k) = unique_best(&shared) {
                        return Ok(units[k].clone());
                    }
                }
                let groups = self.instance_groups(many);
                let group = match groups.as_slice() {
                    [one] => one.clone(),
                    _ => {
                        // The group whose label shares most words with what the request said.
                        let said: Vec<&str> = fact.label.split(' ').filter(|w| w.len() > 2).collect();
                        let overlap = |g: &Vec<usize>| {
                            let label = semantic::normalize(&self.meanings[g[0]].label);
                            said.iter().filter(|w| label.split(' ').any(|x| x == **w)).count()
                        };
                        let best = groups.iter().map(overlap).max().unwrap_or(0);
                        let winners: Vec<&Vec<usize>> = groups.iter().filter(|g| overlap(g) == best).collect();
                        match winners.as_slice() {
                            [one] if best > 0 => (*one).clone(),
                            // Asked more than once, told apart by nothing said: the box
                            // asked first (groups are in reading order).
                            // So is a qualified value ("Postanschrift") among boxes all of
                            // that qualifier (a mailing address asked in Part 1 and Part 3).
                            [first, ..]
                                if (Self::takes_first(fact)
                                    || (fact.semantic.is_some_and(is_identity)
                                        && fact.qualifier.is_some()
                                        && many.iter().all(|&p| self.meanings[p].qualifier == fact.qualifier)))
                                    && many.iter().all(|&p| self.meanings[p].part.is_none()) =>
                            {
                                (*first).clone()
                            }
                            _ => return Err(Miss::Several(many.to_vec())),
                        }
                    }
                };
                let k = fact.ordinal.unwrap_or(1);
                group.get(k - 1).map(|&p| vec![p]).ok_or(Miss::Nowhere)
            }
        }
    }

    /// A person's name in its parts: as the request's annotation said them, else as the
    /// name splitter reads it.
    fn person_name(&self, value: &str) -> Option<shape::PersonName> {
        self.annotated_name(value).cloned().or_else(|| shape::split_name(value))
    }

    /// The one date layout every date box of the form that prints one prints ("DATE OF
    /// DISCHARGE (YYYYMMDD)"): the layout of its date boxes that print none ("signed Date").
    fn form_date_pattern(&self) -> Option<String> {
        let mut patterns = self
            .meanings
            .iter()
            .filter(|m| matches!(m.semantic, Semantic::Bday | Semantic::Date | Semantic::DateSigned) && m.part.is_none())
            .filter_map(|m| shape::date_pattern_in(&m.label));
        let first = patterns.next()?;
        patterns.all(|p| p == first).then_some(first)
    }

    /// The language most of the form's labels are written in: `en`, `de`, `fr` or `es`.
    fn form_language(&self) -> &'static str {
        const WORDS: &[(&str, &[&str])] = &[
            ("en", &["the", "of", "and", "name", "date", "city", "state", "address", "number", "your", "if"]),
            ("de", &["der", "die", "das", "und", "vorname", "strasse", "ort", "datum", "geburtsdatum", "nummer", "ihre"]),
            ("fr", &["le", "les", "du", "des", "et", "nom", "prenom", "rue", "ville", "naissance", "numero", "votre"]),
            ("es", &["el", "los", "las", "del", "y", "nombre", "apellidos", "calle", "fecha", "nacimiento", "localidad", "provincia", "numero", "su"]),
        ];
        let mut counts = [0usize; 4];
        for m in &self.meanings {
            for w in semantic::normalize(&m.label).split(' ') {
                for (i, (_, words)) in WORDS.iter().enumerate() {
                    if words.contains(&w) {
                        counts[i] += 1;
                    }
                }
            }
        }
        let best = (0..4).max_by_key(|&i| (counts[i], usize::from(i == 0))).unwrap_or(0);
        WORDS[best].0
    }

    /// `props` as the values they hold: the parts 1..n of one split value (in order) make
    /// one unit, any other box is a unit alone.
    fn value_units(&self, props: &[usize]) -> Vec<Vec<usize>> {
        let mut units: Vec<Vec<usize>> = Vec::new();
        let mut used = vec![false; props.len()];
        for (a, &p) in props.iter().enumerate() {
            if used[a] {
                continue;
            }
            used[a] = true;
            let mut unit = vec![p];
            if let Some((1, n)) = self.meanings[p].part {
                let mut next = 2;
                for (b, &q) in props.iter().enumerate().skip(a + 1) {
                    if !used[b] && self.meanings[q].part == Some((next, n)) {
                        used[b] = true;
                        unit.push(q);
                        next += 1;
                    }
                }
            }
            units.push(unit);
        }
        units
    }

    /// How many of the words that named a fact (its record path, its label) the labels of
    /// `props` share, compared as the label matcher compares them.
    fn words_shared(&self, fact: &Fact, props: &[usize]) -> usize {
        let labels: std::collections::HashSet<String> = props.iter().flat_map(|&p| text::tokens(&self.meanings[p].label)).collect();
        text::tokens(&fact.label).iter().filter(|w| w.chars().count() > 2 && labels.contains(*w)).count()
    }

    /// Candidates grouped by label and meaning, each group in schema (reading) order.
    fn instance_groups(&self, props: &[usize]) -> Vec<Vec<usize>> {
        let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
        for &p in props {
            let m = &self.meanings[p];
            let key = format!("{}|{:?}|{:?}|{:?}|{:?}", semantic::normalize(&m.label), m.semantic, m.entity, m.qualifier, m.part);
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, members)) => members.push(p),
                None => groups.push((key, vec![p])),
            }
        }
        let mut groups: Vec<Vec<usize>> = groups.into_iter().map(|(_, g)| g).collect();
        for g in &mut groups {
            self.reading_order(g);
        }
        let mut firsts: Vec<usize> = groups.iter().filter_map(|g| g.first().copied()).collect();
        self.reading_order(&mut firsts);
        groups.sort_by_key(|g| g.first().and_then(|f| firsts.iter().position(|x| x == f)));
        groups
    }

    /// Puts boxes in the order a person reads them, where that is clear: by page, then
    /// left to right along one row, or top to bottom down one column. Boxes spread over
    /// columns and rows keep the form's own order, which follows its columns (a two-column
    /// page read top to bottom would mix them).
    fn reading_order(&self, props: &mut [usize]) {
        let Some(places) = props.iter().map(|&p| self.places.get(p).copied().flatten()).collect::<Option<Vec<_>>>() else {
            return;
        };
        let mut order: Vec<(usize, (u32, formsmith_engine::DisplayBox))> = props.iter().copied().zip(places).collect();
        order.sort_by_key(|(_, (page, _))| *page);
        let mut start = 0;
        while start < order.len() {
            let page = order[start].1.0;
            let end = order[start..].iter().position(|(_, (p, _))| *p != page).map_or(order.len(), |k| start + k);
            let run = &mut order[start..end];
            let first = run[0].1.1;
            let one_row = run.iter().all(|(_, (_, b))| (b.top - first.top).abs() < 4.0);
            let one_column = run.iter().all(|(_, (_, b))| b.left < first.right && first.left < b.right);
            if one_row {
                run.sort_by(|a, b| a.1.1.left.total_cmp(&b.1.1.left));
            } else if one_column {
                run.sort_by(|a, b| a.1.1.top.total_cmp(&b.1.1.top));
            }
            start = end;
        }
        for (slot, (p, _)) in props.iter_mut().zip(order) {
            *slot = p;
        }
    }

    /// Optional: a unique box of type `s`, or none; several is an error.
    fn maybe(&self, s: Semantic, fact: &Fact) -> Result<Option<usize>, Miss> {
        match self.one_of(s, fact) {
            Ok(v) if v.len() == 1 => Ok(Some(v[0])),
            Ok(v) => Err(Miss::Several(v)),
            Err(Miss::Nowhere) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Text `value` for property `p`, checked and converted like any clause's value.
    fn write(&self, p: usize, value: &str) -> Result<Vec<Action>, Miss> {
        let Some(t) = self.index.fields.iter().position(|t| t.kind == TargetKind::Field(p)) else {
            return Err(Miss::Nowhere);
        };
        self.convert_one(t, value, &[]).map_err(|problem| match problem {
            Problem::BadValue(why) => Miss::Bad(why),
            _ => Miss::Nowhere,
        })
    }

    /// `value` into one box or spread over the boxes of one split value by `split`.
    fn write_parts(&self, props: &[usize], whole: &str, split: impl Fn(usize) -> Option<Vec<String>>) -> Result<Vec<Action>, Miss> {
        if let [one] = props {
            return self.write(*one, whole);
        }
        // A value written one character per box ("3 8 4 6 1 2 0 9 7" in nine cells).
        let characters = || {
            let chars: Vec<String> = whole.chars().filter(|c| c.is_alphanumeric()).map(String::from).collect();
            let cells = props.len() >= 5 && props.iter().all(|&p| self.prop(p).max_len.is_none_or(|m| m == 1));
            (chars.len() == props.len() && cells).then_some(chars)
        };
        let pieces = split(props.len())
            .or_else(characters)
            .ok_or_else(|| Miss::Bad(format!("\"{whole}\" does not split into {} boxes", props.len())))?;
        let mut actions = Vec::new();
        for (p, piece) in props.iter().zip(pieces) {
            actions.extend(self.write(*p, &piece)?);
        }
        Ok(actions)
    }

    pub(super) fn plan_fact(&self, s: Semantic, fact: &Fact) -> Result<Vec<Action>, Miss> {
        let value = match &fact.value {
            FactValue::Text(t) => t.clone(),
            FactValue::Bool(_) => return Err(Miss::Nowhere),
        };
        use Semantic::*;
        match s {
            Name => self.place_name(fact, &value),
            GivenName | FamilyName | AdditionalName => {
                let props = self.one_of(s, fact)?;
                self.write_parts(&props, &value, |_| None)
            }
            // "I'm signing on …" on a form signed by several people (two blocks of date
            // boxes) names none of them.
            // (A date box labelled like a signing date's is another signer's: "le [jj] [mm]
            // [aaaa]" under each of two signatures.)
            DateSigned if fact.origin == Origin::Prose && self.party_of_fact(fact).is_none() => {
                let dates = self.signing_dates();
                if dates.len() > 1 { Err(Miss::Several(dates)) } else { self.plan_date(s, fact, &value) }
            }
            Bday | Date | DateSigned => self.plan_date(s, fact, &value),
            StreetAddress => self.plan_address(fact, &value),
            Tel | Fax => self.plan_phone(s, fact, &value),
            Ssn | Tin => {
                let props = match self.one_of(s, fact) {
                    Err(Miss::Nowhere) if s == Ssn => self.one_of(Tin, fact)?,
                    other => other?,
                };
                let digits = shape::digits(&value);
                let formatted = if digits.len() == 9 && value.contains('-') {
                    format!("{}-{}-{}", &digits[..3], &digits[3..5], &digits[5..])
                } else {
                    value.clone()
                };
                self.write_parts(&props, &formatted, |n| match n {
                    3 => shape::digit_groups(&value, &[3, 2, 4]),
                    2 => shape::digit_groups(&value, &[2, 7]),
                    _ => None,
                })
            }
            Ein => {
                let props = match self.one_of(Ein, fact) {
                    Err(Miss::Nowhere) => self.one_of(Tin, fact)?,
                    other => other?,
                };
                self.write_parts(&props, &value, |n| (n == 2).then(|| shape::digit_groups(&value, &[2, 7])).flatten())
            }
            AddressLevel1 => {
                let props = self.one_of(s, fact)?;
                let english = is_english(&self.meanings[props[0]].label);
                let code = shape::state_code(&value).filter(|_| english).map(str::to_string);
                self.write_parts(&props, code.as_deref().unwrap_or(&value), |_| None)
            }
            Money => {
                let props = self.one_of(s, fact)?;
                let amount = shape::amount(&value);
                let shaped = amount.clone().unwrap_or_else(|| value.clone());
                // Dollars and cents in two boxes: "612.40" -> "612" and "40".
                // (Only an amount splits: text around it is no amount.)
                self.write_parts(&props, &shaped, |n| {
                    let amount = amount.as_deref().filter(|_| n == 2)?;
                    let (whole, cents) = amount.rsplit_once(['.', ',']).filter(|(_, c)| c.len() == 2).unwrap_or((amount, "00"));
                    Some(vec![whole.to_string(), cents.to_string()])
                })
            }
            Sex => self.plan_sex(fact, &value),
            _ => {
                let props = self.one_of(s, fact)?;
                self.write_parts(&props, &value, |_| None)
            }
        }
    }

    fn place_name(&self, fact: &Fact, value: &str) -> Result<Vec<Action>, Miss> {
        // "c/o Office of International Scholars" is whom mail goes through, never a
        // person's own name to split: an "In care of" box (a name box) takes it.
        if let Some(rest) = care_of(value) {
            let care: Vec<usize> = self.candidates(Semantic::Name, fact).into_iter().filter(|&p| self.is_care_of_box(p)).collect();
            return match care.as_slice() {
                [one] => self.write(*one, rest),
                [] => Err(Miss::Nowhere),
                many => Err(Miss::Several(many.to_vec())),
            };
        }
        // A business's name is never split into a person's given and family names.
        if crate::instructions::request::reads_as_business(value) {
            let props = self.one_of(Semantic::Organization, fact)?;
            return self.write_parts(&props, value, |_| None);
        }
        let given = self.maybe(Semantic::GivenName, fact)?;
        let family = self.maybe(Semantic::FamilyName, fact)?;
        if let (Some(g), Some(f)) = (given, family) {
            let name = self.person_name(value).ok_or_else(|| Miss::Bad(format!("\"{value}\" does not read as a full name")))?;
            // Two middle-name boxes told apart by nothing: the middle name waits rather
            // than the whole name.
            let middle = match self.maybe(Semantic::AdditionalName, fact) {
                Err(Miss::Several(_)) => None,
                other => other?,
            };
            let mut actions = Vec::new();
            let given_text = match (&middle, &name.middle) {
                // "First name and middle initial" with no box of its own for the middle.
                (None, Some(_))
                    if {
                        let label = semantic::normalize(&self.meanings[g].label);
                        label.contains("middle") || label.contains("initial")
                    } =>
                {
                    format!("{} {}", name.given, name.middle_initial().unwrap_or_default())
                }
                _ => name.given.clone(),
            };
            actions.extend(self.write(g, &given_text)?);
            let family_text = match &name.suffix {
                Some(sfx) if self.maybe(Semantic::HonorificSuffix, fact)?.is_none() => format!("{} {sfx}", name.family),
                _ => name.family.clone(),
            };
            actions.extend(self.write(f, &family_text)?);
            if let (Some(m), Some(mid)) = (middle, &name.middle) {
                let max = self.prop(m).max_len.unwrap_or(usize::MAX);
                let text = if mid.chars().count() > max { name.middle_initial().unwrap_or_default() } else { mid.clone() };
                actions.extend(self.write(m, &text)?);
            }
            return Ok(actions);
        }
        // A box for "Name of entity/individual" takes a person's name too.
        let props = match self.one_of(Semantic::Name, fact) {
            Err(Miss::Nowhere) => {
                let either = self.one_of(Semantic::Organization, fact)?;
                let for_people = either.iter().all(|&p| {
                    semantic::normalize(&self.meanings[p].label).split(' ').any(|w| matches!(w, "individual" | "person" | "persona" | "personne" | "particulier"))
                });
                if !for_people || self.organization_said {
                    return Err(Miss::Nowhere);
                }
                either
            }
            other => other?,
        };
        // A box that asks the family name first ("Last name, first name, initial") takes
        // the name in that order.
        if let [one] = props.as_slice()
            && family_first(&self.meanings[*one].label)
            && let Some(name) = self.person_name(value)
        {
            let mut text = format!("{}, {}", name.family, name.given);
            if let Some(initial) = name.middle_initial() {
                text = format!("{text} {initial}");
            }
            return self.write(*one, &text);
        }
        self.write_parts(&props, value, |_| None)
    }

    fn plan_date(&self, s: Semantic, fact: &Fact, value: &str) -> Result<Vec<Action>, Miss> {
        let (day_s, month_s, year_s) = match s {
            Semantic::Bday => (Semantic::BdayDay, Semantic::BdayMonth, Semantic::BdayYear),
            _ => (Semantic::DateDay, Semantic::DateMonth, Semantic::DateYear),
        };
        // A date said with no more than "Date:" on a form that also asks for the date of
        // signing names neither.
        let bare = s == Semantic::Date && matches!(fact.label.as_str(), "date" | "datum" | "fecha" | "date du jour");
        if bare && self.meanings.iter().any(|m| m.semantic == Semantic::DateSigned) {
            return Err(Miss::Several(
                (0..self.meanings.len()).filter(|&p| matches!(self.meanings[p].semantic, Semantic::Date | Semantic::DateSigned)).collect(),
            ));
        }
        let whole = match self.one_of(s, fact) {
            Err(Miss::Nowhere) => None,
            other => Some(other?),
        };
        // …nor a date box whose label says which date it is ("First date of employment").
        if bare
            && let Some(props) = &whole
            && props.iter().any(|&p| {
                let label = semantic::normalize(&self.meanings[p].label);
                label.split(' ').filter(|w| w.len() > 2 && !matches!(*w, "date" | "datum" | "fecha" | "the")).count() > 0
                    && shape::date_pattern_in(&self.meanings[p].label).is_none_or(|_| label.split(' ').count() > 4)
            })
        {
            return Err(Miss::Several(props.clone()));
        }
        // A caller's own schema that shows no format, or a request that asks for the date
        // to be written as it is said: the date as given.
        if let Some(props) = &whole
            && props.len() == 1
            && ((!self.meanings[props[0]].generated && shape::date_pattern_in(&self.meanings[props[0]].label).is_none())
                || self.asked_as_written(value))
        {
            return self.write(props[0], value);
        }
        let any_label = whole.as_ref().and_then(|w| w.first()).map(|&p| self.meanings[p].label.clone()).unwrap_or_default();
        let day_first = !is_english(&any_label);
        let date = shape::parse_date(value, self.day_first.unwrap_or(day_first)).ok_or_else(|| Miss::Bad(format!("\"{value}\" does not read as a date")))?;
        if let Some(props) = whole {
            // Boxes per part that each say their unit ("… Jour", "… Mois", "… Année") are in
            // that order, whatever the language.
            let units: Vec<&str> = props.iter().filter_map(|&p| shape::date_unit_in(&crate::instructions::meaning::clean_description(&self.meanings[p].label))).collect();
            let by_units = (props.len() == 3 && units.len() == 3 && ["dd", "mm", "yyyy"].iter().all(|u| units.contains(u))).then(|| units.join("/"));
            let pattern = by_units
                .or_else(|| props.iter().find_map(|&p| shape::date_pattern_in(&self.meanings[p].label)))
                .or_else(|| if props.len() == 1 { self.form_date_pattern() } else { None })
                .unwrap_or_else(|| if day_first { "dd/mm/yyyy".into() } else { "mm/dd/yyyy".into() });
            let mut text = shape::format_date(date, &pattern);
            if let Some(max) = self.prop(props[0]).max_len
                && props.len() == 1
                && text.chars().count() > max
            {
                text = shape::digits(&text);
            }
            let parts: Vec<String> = text.split(['/', '.', '-', ' ']).map(str::to_string).collect();
            return self.write_parts(&props, &text, |n| (n == parts.len()).then(|| parts.clone()));
        }
        let (d, m, y) = (self.maybe(day_s, fact)?, self.maybe(month_s, fact)?, self.maybe(year_s, fact)?);
        let (Some(d), Some(m), Some(y)) = (d, m, y) else {
            return Err(Miss::Nowhere);
        };
        let mut actions = self.write(d, &format!("{:02}", date.day))?;
        // A month box far wider than the day's ("a [15] de [marzo] de [2025]") takes the
        // month's name, in the form's language.
        let width = |p: usize| self.places.get(p).copied().flatten().map(|(_, b)| b.right - b.left);
        // (Wider than the four-digit year's box too.)
        let month_in_words = match (width(d), width(m)) {
            (Some(day), Some(month)) => {
                month >= 45.0
                    && month >= 2.0 * day
                    && width(y).is_none_or(|year| month >= 1.3 * year)
                    && self.prop(m).max_len.is_none_or(|n| n >= 8)
            }
            _ => false,
        };
        let month = if month_in_words {
            shape::month_name(date.month, self.form_language()).map_or_else(|| format!("{:02}", date.month), str::to_string)
        } else {
            format!("{:02}", date.month)
        };
        actions.extend(self.write(m, &month)?);
        let year = match self.prop(y).max_len {
            Some(2) => format!("{:02}", date.year.rem_euclid(100)),
            _ => date.year.to_string(),
        };
        actions.extend(self.write(y, &year)?);
        Ok(actions)
    }

    fn plan_phone(&self, s: Semantic, fact: &Fact, value: &str) -> Result<Vec<Action>, Miss> {
        let whole = match self.one_of(s, fact) {
            Err(Miss::Nowhere) => None,
            other => Some(other?),
        };
        if let Some(props) = whole {
            let fits = |p: usize, text: &str| self.prop(p).max_len.is_none_or(|m| text.chars().count() <= m);
            let text = if props.len() == 1 && !fits(props[0], value) { shape::digits(value) } else { value.to_string() };
            return self.write_parts(&props, &text, |n| {
                let (a, b, c) = shape::split_phone(value)?;
                match n {
                    2 => Some(vec![a, format!("{b}-{c}")]),
                    3 => Some(vec![a, b, c]),
                    _ => None,
                }
            });
        }
        if s != Semantic::Tel {
            return Err(Miss::Nowhere);
        }
        let (Some(area), Some(local)) = (self.maybe(Semantic::TelAreaCode, fact)?, self.maybe(Semantic::TelLocal, fact)?) else {
            return Err(Miss::Nowhere);
        };
        let (a, b, c) = shape::split_phone(value).ok_or_else(|| Miss::Bad(format!("\"{value}\" is not a 10-digit phone number")))?;
        let mut actions = self.write(area, &a)?;
        actions.extend(self.write(local, &format!("{b}-{c}"))?);
        Ok(actions)
    }

    /// A name box asking through whom mail goes ("In Care Of Name").
    fn is_care_of_box(&self, p: usize) -> bool {
        self.meanings[p].semantic == Semantic::Name && semantic::normalize(&self.meanings[p].label).contains("care of")
    }

    fn plan_address(&self, fact: &Fact, value: &str) -> Result<Vec<Action>, Miss> {
        // "c/o Legal Department, 15 Dock Sq, …": whom the mail goes through, then the address.
        if let Some((name, rest)) = care_of(value).and_then(|after| after.split_once(',')) {
            let street = self.maybe(Semantic::StreetAddress, fact)?;
            let mut actions = self.address_parts(street, fact, rest.trim())?;
            // The "In care of" box of the same party as the street box; the address stands
            // without it when the form has none.
            let owner = street.map(|p| self.meanings[p].entity.clone());
            let care_boxes: Vec<usize> = (0..self.meanings.len())
                .filter(|&p| self.is_care_of_box(p) && Some(self.meanings[p].entity.clone()) == owner && !self.is_pinned(p))
                .collect();
            let name = name.trim();
            if let [one] = care_boxes.as_slice()
                && !name.is_empty()
                && let Ok(more) = self.write(*one, name)
            {
                actions.extend(more);
            }
            return Ok(actions);
        }
        let street = self.maybe(Semantic::StreetAddress, fact)?;
        self.address_parts(street, fact, value)
    }


    /// An address spread from the street box `p` (placed by its label).
    fn place_address_at(&self, p: usize, fact: &Fact, value: &str) -> Result<Vec<Action>, Miss> {
        self.address_parts(Some(p), fact, value)
    }

    fn address_parts(&self, street: Option<usize>, fact: &Fact, value: &str) -> Result<Vec<Action>, Miss> {
        let Some(street) = street else {
            return Err(Miss::Nowhere);
        };
        // Each part's box: by meaning, else the first box of that kind in the few boxes
        // after the street (an address block is read together, whatever its captions add).
        let find = |s: Semantic| -> Result<Option<usize>, Miss> {
            match self.maybe(s, fact)? {
                Some(p) => Ok(Some(p)),
                None => Ok(self.address_block(street)
                    .find(|&p| self.meanings[p].semantic == s && self.party_of_prop(p) == self.party_of_prop(street) && !self.is_pinned(p))),
            }
        };
        let city = find(Semantic::AddressLevel2)?;
        let state = find(Semantic::AddressLevel1)?;
        let postal = find(Semantic::PostalCode)?;
        let unit = find(Semantic::AddressLine2)?;
        // A box that takes city, state and ZIP together ("City or town, state, and ZIP code").
        let found = [city, state, postal].into_iter().flatten().count();
        // (In four languages: "PLZ, Ort", "NPA, lieu", "Código postal y localidad".)
        const CITY_WORDS: &[&str] = &["city", "town", "ville", "localite", "lieu", "commune", "ort", "wohnort", "gemeinde", "ciudad", "localidad", "poblacion", "municipio"];
        const STATE_WORDS: &[&str] = &["state", "province", "provincia", "kanton", "canton", "bundesland", "region"];
        const POSTAL_WORDS: &[&str] = &["zip", "postal", "plz", "postleitzahl", "npa", "cp"];
        let position = |label: &str, words: &[&str]| label.split(' ').position(|x| words.contains(&x));
        let combined = [city, state, postal].into_iter().flatten().filter(|_| found == 1).find(|&p| {
            let label = semantic::normalize(&self.meanings[p].label);
            [CITY_WORDS, STATE_WORDS, POSTAL_WORDS].iter().filter(|words| position(&label, words).is_some()).count() >= 2
        });
        let parts = shape::split_address(value);
        // Split when the form asks the city or the ZIP beside the street (a part it does not
        // ask, such as the state on a form of one state, is left out); otherwise the whole
        // line stays in the street box.
        let all_boxed = |a: &shape::Address| {
            (a.city.is_some() || a.postal.is_some())
                && (combined.is_some() || (a.city.is_some() && city.is_some()) || (a.postal.is_some() && postal.is_some()))
        };
        let Some(address) = parts.filter(all_boxed) else {
            // One box for the whole address; units said after it ("…, MA 01852, apt 2, floor
            // 2") go to the boxes that ask them, where the form has them.
            let (rest, units) = shape::trailing_units(value);
            let unit_boxes: Vec<(usize, &str)> = units.iter().filter_map(|(kind, number)| Some((self.unit_box(street, kind)?, number.as_str()))).collect();
            if !units.is_empty() && unit_boxes.len() == units.len() {
                let mut actions = self.write(street, &rest)?;
                for (u, number) in unit_boxes {
                    actions.extend(self.write(u, number)?);
                }
                return Ok(actions);
            }
            return self.write(street, value);
        };
        let mut actions = Vec::new();
        let unit_text = address.unit.as_ref().map(|u| {
            let kind = address.unit_kind.clone().unwrap_or_else(|| "Apt".into());
            // "#12" is written without a space, "Apt 3" with one.
            let gap = if kind == "#" { "" } else { " " };
            (format!("{kind}{gap}{u}"), u.clone())
        });
        match (unit, &unit_text) {
            (Some(u), Some((with_kind, number))) => {
                let label = semantic::normalize(&self.meanings[u].label);
                let says_kind = ["apt", "apartment", "suite", "unit", "ste", "flr", "floor"].iter().any(|w| label.split(' ').any(|x| x == *w));
                actions.extend(self.write(street, &address.street)?);
                actions.extend(self.write(u, if says_kind { number } else { with_kind })?);
            }
            // As the writer joined them: "77 Centre St, Apt 4" or "18 Birch Road Apt 3".
            (None, Some((with_kind, _))) => {
                let gap = if value.contains(&format!("{},", address.street)) { ", " } else { " " };
                actions.extend(self.write(street, &format!("{}{gap}{with_kind}", address.street))?)
            }
            _ => actions.extend(self.write(street, &address.street)?),
        }
        if let Some(c) = combined {
            let label = semantic::normalize(&self.meanings[c].label);
            // The ZIP first where the label asks it first ("NPA, lieu" -> "2000 Neuchâtel").
            let postal_first = matches!((position(&label, POSTAL_WORDS), position(&label, CITY_WORDS)), (Some(z), Some(c)) if z < c);
            let mut line = address.city.clone().unwrap_or_default();
            if let Some(st) = &address.state {
                line = format!("{line}, {st}");
            }
            if let Some(z) = &address.postal {
                line = if postal_first { format!("{z} {line}") } else { format!("{line} {z}") };
            }
            actions.extend(self.write(c, line.trim_start_matches(", ").trim())?);
            return Ok(actions);
        }
        if let (Some(c), Some(v)) = (city, &address.city) {
            // "City, State/APO, Country" with no state box of its own takes the state too.
            let label = semantic::normalize(&self.meanings[c].label);
            let says_state = label.split(' ').any(|w| w == "state" || w == "province");
            match &address.state {
                Some(st) if says_state && state.is_none() => actions.extend(self.write(c, &format!("{v}, {st}"))?),
                _ => actions.extend(self.write(c, v)?),
            }
        }
        if let (Some(s), Some(v)) = (state, &address.state) {
            let english = is_english(&self.meanings[s].label);
            let text = if english { v.clone() } else { shape::state_name(v).unwrap_or_else(|| v.clone()) };
            actions.extend(self.write(s, &text)?);
        }
        if let (Some(z), Some(v)) = (postal, &address.postal) {
            actions.extend(self.write(z, v)?);
        }
        Ok(actions)
    }

    /// The few boxes after street box `street` that an address block holds (its city,
    /// state, ZIP and unit boxes, whatever their captions add).
    fn address_block(&self, street: usize) -> std::ops::Range<usize> {
        (street + 1)..(street + 1 + ADDRESS_BLOCK).min(self.meanings.len())
    }

    /// The unit box near street box `street` whose label names a unit of `kind` ("APT. NO"
    /// for "apt", "FLOOR NO" for "floor").
    fn unit_box(&self, street: usize, kind: &str) -> Option<usize> {
        const FLOOR: &[&str] = &["fl", "floor", "flr", "etage", "étage", "piso", "stock"];
        const APARTMENT: &[&str] = &["apt", "apartment", "app", "appt", "unit", "suite", "ste", "wohnung", "depto", "dpto", "rm", "room", "appartement", "apartamento"];
        let kind = semantic::normalize(kind);
        let words = if FLOOR.contains(&kind.as_str()) { FLOOR } else { APARTMENT };
        self.address_block(street).find(|&p| {
            self.meanings[p].semantic == Semantic::AddressLine2
                && self.party_of_prop(p) == self.party_of_prop(street)
                && !self.is_pinned(p)
                && semantic::normalize(&self.meanings[p].label).split(' ').any(|w| words.contains(&w))
        })
    }

    /// A middle name or initial with no box of its own joins the given name already placed
    /// in a "First name and middle initial" box ("Jennifer" -> "Jennifer L").
    fn middle_into_given(&mut self, fact: &Fact) -> bool {
        let FactValue::Text(middle) = &fact.value else { return false };
        let Ok(Some(g)) = self.maybe(Semantic::GivenName, fact) else { return false };
        let label = semantic::normalize(&self.meanings[g].label);
        let initial_only = label.split(' ').any(|w| w == "initial" || w == "mi");
        if !(initial_only || label.split(' ').any(|w| w == "middle")) {
            return false;
        }
        let Some((Value::String(given), clause)) = self.values.get(&g).cloned() else { return false };
        let middle = middle.trim().trim_end_matches('.');
        let added = match middle.chars().next() {
            Some(first) if initial_only => first.to_uppercase().to_string(),
            Some(_) => middle.to_string(),
            None => return false,
        };
        if given.split_whitespace().count() > 1 {
            return false;
        }
        match self.write(g, &format!("{given} {added}")) {
            Ok(actions) => {
                self.values.remove(&g);
                self.apply(actions, &clause);
                true
            }
            Err(_) => false,
        }
    }

    fn plan_sex(&self, fact: &Fact, value: &str) -> Result<Vec<Action>, Miss> {
        let female = matches!(
            semantic::normalize(value).as_str(),
            "f" | "female" | "woman" | "weiblich" | "w" | "femme" | "feminin" | "femenino" | "femenina" | "mujer" | "frau"
        );
        let male = matches!(
            semantic::normalize(value).as_str(),
            "m" | "male" | "man" | "mannlich" | "homme" | "masculin" | "masculino" | "hombre" | "mann"
        );
        if !female && !male {
            return Err(Miss::Bad(format!("\"{value}\" is not read as a sex")));
        }
        let wanted = |label: &str| {
            let l = semantic::normalize(label);
            if female {
                matches!(l.as_str(), "f" | "female" | "woman" | "weiblich" | "w" | "femme" | "feminin" | "femenino" | "mujer")
            } else {
                matches!(l.as_str(), "m" | "male" | "man" | "mannlich" | "homme" | "masculin" | "masculino" | "hombre")
            }
        };
        let party = self.party_of_fact(fact);
        let props: Vec<usize> = (0..self.meanings.len())
            .filter(|&p| self.meanings[p].semantic == Semantic::Sex && self.party_of_prop(p) == party.as_deref() && !self.is_pinned(p))
            .collect();
        // One question per person: a radio group's options are one question.
        let mut questions: Vec<(String, Vec<usize>)> = Vec::new();
        for &p in &props {
            let id = self.prop(p).radio_option.as_ref().map_or_else(|| format!("#{p}"), |r| r.group.clone());
            match questions.iter_mut().find(|(g, _)| *g == id) {
                Some((_, members)) => members.push(p),
                None => questions.push((id, vec![p])),
            }
        }
        // Check boxes per option ("male" / "female" boxes) make one question of them all.
        if questions.len() > 1 && props.iter().all(|&p| self.prop(p).kind == Some(ValueKind::Boolean) && self.prop(p).radio_option.is_none()) {
            questions = vec![(String::new(), props.clone())];
        }
        let k = fact.ordinal.unwrap_or(1);
        let Some((_, members)) = questions.get(k - 1) else {
            return Err(Miss::Nowhere);
        };
        let mut hits = Vec::new();
        for &p in members {
            let prop = self.prop(p);
            if let Some(radio) = &prop.radio_option {
                if wanted(&radio.label) || wanted(&radio.export) {
                    hits.push(Action::Set(p, Value::Bool(true)));
                }
            } else if let Some((v, _)) = prop.options.iter().find(|(v, l)| wanted(l) || wanted(v)) {
                hits.push(Action::Set(p, Value::String(v.clone())));
            } else if prop.kind == Some(ValueKind::Boolean)
                && (wanted(&self.meanings[p].label) || prop.key.rsplit('_').next().is_some_and(|last| wanted(last) && !last.is_empty()))
            {
                // The box's own caption may be only in its key ("female") when its label is
                // the section's ("Information About You").
                hits.push(Action::Set(p, Value::Bool(true)));
            } else if prop.kind == Some(ValueKind::String) && members.len() == 1 {
                // A text box takes the sex in the form's words ("masculino" said to an English
                // form is "Male"), one letter where the box holds one.
                let words = match (self.form_language(), female) {
                    ("de", true) => ("W", "weiblich"),
                    ("de", false) => ("M", "männlich"),
                    ("fr", true) => ("F", "féminin"),
                    ("fr", false) => ("M", "masculin"),
                    ("es", true) => ("F", "femenino"),
                    ("es", false) => ("M", "masculino"),
                    (_, true) => ("F", "Female"),
                    (_, false) => ("M", "Male"),
                };
                let one_letter = prop.max_len.is_some_and(|n| n < 4) || value.trim().chars().count() == 1;
                return self.write(p, if one_letter { words.0 } else { words.1 });
            }
        }
        match hits.len() {
            0 => Err(Miss::Nowhere),
            1 => Ok(hits),
            _ => Err(Miss::Several(members.clone())),
        }
    }

    /// Every text value placed so far, checked and shaped by what its box means: a date
    /// box gets a date in the form's format, a phone box a phone number, an e-mail box an
    /// address; the remark around a value ("(no middle name)", "— paid in cash") is cut; a
    /// value that is not what the box asks for is taken out and reported. A whole address
    /// put in a street box beside city / state / ZIP boxes is spread over them.
    pub(super) fn shape_values(&mut self) {
        let mut keys: Vec<usize> = self.values.keys().copied().collect();
        keys.sort_unstable();
        for p in keys {
            let Some((Value::String(text), clause)) = self.values.get(&p).cloned() else {
                continue;
            };
            if self.meanings[p].part.is_some() || self.prop(p).radio_option.is_some() || !self.prop(p).options.is_empty() {
                continue;
            }
            let as_written =
                matches!(self.meanings[p].semantic, Semantic::Bday | Semantic::Date | Semantic::DateSigned) && self.asked_as_written(&text);
            match self.shaped(p, &text) {
                Shaped::Keep => {}
                Shaped::Replace(_) if as_written => {}
                Shaped::Replace(new) => {
                    if let Ok(actions) = self.write(p, &new) {
                        self.values.remove(&p);
                        self.apply(actions, &clause);
                    }
                }
                Shaped::Drop(why) => {
                    self.values.remove(&p);
                    let key = self.prop(p).key.clone();
                    self.warn(format!("\"{text}\" was not put in {key}: {why}; left blank"));
                }
                Shaped::Address => {
                    let fact = Fact {
                        semantic: Some(Semantic::StreetAddress),
                        entity: self.meanings[p].entity.clone(),
                        qualifier: self.meanings[p].qualifier.clone(),
                        label: semantic::normalize(&self.meanings[p].label),
                        value: FactValue::Text(text.clone()),
                        source: clause.clone(),
                        ordinal: None,
                        origin: Origin::Label,
                    };
                    if let Ok(actions) = self.place_address_at(p, &fact, &text) {
                        self.values.remove(&p);
                        self.apply(actions, &clause);
                    }
                }
            }
        }
    }

    pub(super) fn shaped(&self, p: usize, text: &str) -> Shaped {
        use Semantic::*;
        let meaning = &self.meanings[p];
        let s = meaning.semantic;
        // A remark after the value: "Jordan Avery (no middle name)", "F24AS00123 and it's titled …".
        let core = strip_remark(text);
        let core = core.as_str();
        let english = is_english(&meaning.label);
        let replace_if_changed = |new: String| if new == text { Shaped::Keep } else { Shaped::Replace(new) };
        match s {
            // A caller's own schema with no format in its label: the date as given.
            Bday | Date | DateSigned if !meaning.generated && shape::date_pattern_in(&meaning.label).is_none() => Shaped::Keep,
            Bday | Date | DateSigned => {
                let pattern = shape::date_pattern_in(&meaning.label)
                    .or_else(|| self.form_date_pattern())
                    .unwrap_or_else(|| if english { "mm/dd/yyyy".into() } else { "dd/mm/yyyy".into() });
                // A value already written in the box's layout is read in that layout (it
                // may be this resolver's own output); others by the writer's convention.
                let in_layout = text.len() == pattern.len()
                    && text.chars().zip(pattern.chars()).all(|(t, p)| t.is_ascii_digit() == p.is_ascii_alphabetic());
                let day_first = if in_layout { pattern.starts_with("dd") } else { self.day_first.unwrap_or(!english) };
                match shape::find_date(text, day_first) {
                    Some(date) => {
                        let mut out = shape::format_date(date, &pattern);
                        if self.prop(p).max_len.is_some_and(|m| out.chars().count() > m) {
                            out = shape::digits(&out);
                        }
                        replace_if_changed(out)
                    }
                    None => Shaped::Drop(format!("the box asks for {} and this is not one", s.describe())),
                }
            }
            Tel | Fax => match crate::instructions::request::find_phone(text) {
                // A box for an international (foreign) number is not where a domestic one
                // goes: "814-555-0148" said of someone whose form also asks a US number.
                Some(phone) if meaning.qualifier.as_deref() == Some("foreign") && !says_country_code(&phone) => {
                    Shaped::Drop("the box asks for an international number and this has no country code".into())
                }
                Some(phone) => replace_if_changed(phone),
                None => Shaped::Drop(format!("the box asks for {} and this is not one", s.describe())),
            },
            Email => match crate::instructions::request::find_email(text) {
                Some(email) => replace_if_changed(email),
                None => Shaped::Drop("the box asks for an e-mail address and this is not one".into()),
            },
            // An identification number has digits, or is one code word ("EAC", "N/A" aside):
            // "My name" (a sentence read backwards) is none.
            IdNumber if !core.chars().any(|c| c.is_ascii_digit()) && (core.split_whitespace().count() > 1 || core.chars().any(char::is_lowercase)) => {
                Shaped::Drop("the box asks for an identification number and this is not one".into())
            }
            Ssn | Ein | Tin | RoutingNumber | BankAccount | PostalCode if !core.chars().any(|c| c.is_ascii_digit()) => {
                Shaped::Drop(format!("the box asks for {} and this has no digits", s.describe()))
            }
            Ssn => match crate::instructions::request::find_ssn(text) {
                Some(v) => replace_if_changed(v),
                None => Shaped::Drop("the box asks for a 9-digit social security number".into()),
            },
            Money => match shape::amount(core).or_else(|| crate::instructions::request::find_amount(core)) {
                Some(v) => replace_if_changed(v),
                None => Shaped::Drop("the box asks for an amount of money and this is not one".into()),
            },
            Name | GivenName | FamilyName | AdditionalName => {
                // "DURAND Claire, à Tours, le 20/03/2024": the name ends at the comma.
                let label = semantic::normalize(&meaning.label);
                if ["address", "adresse", "direccion", "anschrift"].iter().any(|w| label.contains(w)) {
                    // "Name and address" boxes take both.
                    return Shaped::Keep;
                }
                let core = match core.split_once(", ") {
                    Some((name, rest)) if rest.chars().any(|c| c.is_ascii_digit()) => name,
                    _ => core,
                };
                let words = core.split_whitespace().count();
                if core.contains('@')
                    || core.chars().filter(char::is_ascii_digit).count() >= 3
                    || words > 6
                    || words == 0
                    || !reads_as_name(core)
                {
                    Shaped::Drop(format!("the box asks for {} and this does not read as one", s.describe()))
                } else if s == GivenName && core.contains(", ") {
                    // "Rivera Santiago, Ángel" said to a first-name box: the given name of the
                    // comma form (the shared name splitter reads it, suffixes included).
                    match self.person_name(core) {
                        Some(name) => replace_if_changed(name.given),
                        None => Shaped::Drop("the box asks for a given (first) name and this does not read as one".into()),
                    }
                } else if s == GivenName && words >= 3 && self.meanings.iter().any(|m| m.semantic == FamilyName && m.entity == meaning.entity) {
                    // A whole name ("Karla Beatriz Menjívar Ramos") in a first-name box beside a
                    // family-name box: which words are the first name is not known.
                    Shaped::Drop("the box asks for the first name only and this is a whole name".into())
                } else {
                    replace_if_changed(core.to_string())
                }
            }
            // "Indian", "Deutschland" in an English form's country box: "India", "Germany".
            Country if english && self.prop(p).options.is_empty() => match shape::country_name(core) {
                Some(name) => replace_if_changed(name.to_string()),
                None => Shaped::Keep,
            },
            AddressLevel1 if english => match shape::state_code(core) {
                Some(code) => replace_if_changed(code.to_string()),
                // A state or province is a name: "viuda que califica" (a filing status said
                // to "Estado") is not one.
                None if core.chars().any(|c| c.is_ascii_digit()) || !reads_as_name(core) => {
                    Shaped::Drop("the box asks for a state or province and this is not one".into())
                }
                None => replace_if_changed(core.to_string()),
            },
            StreetAddress => {
                let without_details = without_trailing_details(core, true);
                if without_details != core {
                    return replace_if_changed(without_details);
                }
                // Boxes of the same address: of its kind ("mailing"), or of no kind among the
                // few boxes after it ("Mailing address" then "City", "State", "Zip").
                let near = |q: usize| self.address_block(p).contains(&q);
                let has_parts = [AddressLevel2, PostalCode, AddressLevel1].iter().any(|&t| {
                    self.meanings.iter().enumerate().any(|(q, m)| {
                        m.semantic == t && m.entity == meaning.entity && (m.qualifier == meaning.qualifier || (m.qualifier.is_none() && near(q)))
                    })
                });
                // A unit said after the whole address ("…, MA 02126, appartement 3") goes to
                // the unit box beside the street when there is one.
                let (_, units) = shape::trailing_units(core);
                let unit_boxes = !units.is_empty() && units.iter().all(|(kind, _)| self.unit_box(p, kind).is_some());
                if (has_parts && shape::split_address(core).is_some_and(|a| a.city.is_some() || a.postal.is_some())) || unit_boxes {
                    Shaped::Address
                } else {
                    replace_if_changed(core.to_string())
                }
            }
            // "Wegmans, 99 Worcester Rd, Framingham" to an employer's name: the name; an EIN
            // or phone said after a name and address is not part of them.
            Organization => {
                let label = semantic::normalize(&meaning.label);
                let takes_address = ["address", "adresse", "direccion", "anschrift"].iter().any(|w| label.contains(w));
                replace_if_changed(without_trailing_details(core, takes_address))
            }
            // A signature box takes a name (or an image), never the date beside it.
            Signature if shape::parse_date(core, false).is_some() => Shaped::Drop("the box is for a signature and this is a date".into()),
            // "grün" said of the eyes on an English form: "Green".
            // (The form's language is read from every label: only for a word that has an English.)
            Text if english => match shape::english_word(core) {
                Some(word) if self.form_language() == "en" => replace_if_changed(word.to_string()),
                _ => Shaped::Keep,
            },
            Text | Choice | YesNo | Signature => Shaped::Keep,
            _ => replace_if_changed(core.to_string()),
        }
    }
}

/// Whether text reads as a person's or organisation's name: its words start with a capital
/// (particles like "van", "de" aside) and none is a common word ("My", "now").
fn reads_as_name(text: &str) -> bool {
    const COMMON: &[&str] = &[
        "my", "your", "his", "her", "our", "their", "the", "a", "an", "i", "now", "is", "name", "none", "n/a", "na", "mein",
        "meine", "mon", "ma", "mi", "su", "no", "yes", "same", "unknown",
    ];
    const PARTICLES: &[&str] = &["van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "la", "le", "y", "e", "bin", "al"];
    // Organisations join their words: "Department of Energy", "Boys & Girls Club".
    const CONNECTORS: &[&str] = &["of", "and", "for", "the", "&", "des", "und", "fur", "et", "en", "on", "at", "in"];
    text.split_whitespace().enumerate().all(|(i, w)| {
        let lower = w.to_lowercase();
        let bare = lower.trim_matches(|c: char| !c.is_alphanumeric() && c != '&');
        (i > 0 && CONNECTORS.contains(&bare))
            || (!COMMON.contains(&bare)
                && (PARTICLES.contains(&bare) || w.chars().find(|c| c.is_alphabetic()).is_none_or(|c| !c.is_lowercase())))
    })
}

/// What the check of one placed value decided.
pub(super) enum Shaped {
    Keep,
    Replace(String),
    Drop(String),
    /// A whole address in a street box: spread it.
    Address,
}

/// The value without a trailing remark: "(…)", " — …", ", which …", " and it's …".
fn strip_remark(text: &str) -> String {
    let mut end = text.len();
    for marker in [" (", " — ", " – ", " - ", ", which", " and it", " but ", "; "] {
        if let Some(at) = text.find(marker)
            && at > 0
        {
            end = end.min(at);
        }
    }
    // "Halvorsen Maritime Inc." keeps the stop of its abbreviation.
    crate::instructions::request::without_final_stop(&text[..end])
}

/// A name (and, when `keep_address`, its address) without what is said after it: the
/// address from the first comma-separated piece that starts with a number, and any piece that
/// is a labelled number or contact ("EIN 42-1593860", "tel. 555-0101", "email a@b.org").
fn without_trailing_details(text: &str, keep_address: bool) -> String {
    const DETAIL_WORDS: &[&str] = &["ein", "ssn", "tin", "itin", "fein", "tel", "phone", "telephone", "fax", "email", "e-mail", "mobile", "cell"];
    let pieces: Vec<&str> = text.split(", ").collect();
    let mut kept: Vec<&str> = Vec::with_capacity(pieces.len());
    for (i, piece) in pieces.iter().enumerate() {
        let first_word = piece.split([' ', ':', '.', '#']).next().unwrap_or("").to_lowercase();
        let labelled_detail = DETAIL_WORDS.contains(&first_word.as_str()) && piece.chars().any(|c| c.is_ascii_digit() || c == '@');
        let starts_address = piece.chars().next().is_some_and(|c| c.is_ascii_digit());
        if i > 0 && (labelled_detail || (!keep_address && starts_address)) {
            break;
        }
        kept.push(piece);
    }
    kept.join(", ")
}

/// Identity and contact values: who someone is and how to reach them.
pub(super) fn is_identity(s: Semantic) -> bool {
    use Semantic::*;
    matches!(
        s,
        Name | GivenName | FamilyName | AdditionalName | Organization | StreetAddress | AddressLine2 | AddressLevel1 | AddressLevel2
            | PostalCode | Tel | Email | Bday | BdayDay | BdayMonth | BdayYear | Sex | Ssn
    )
}

/// Whether a one-box name label asks the family name before the given one.
fn family_first(label: &str) -> bool {
    let words = semantic::normalize(label);
    let at = |options: &[&str]| options.iter().filter_map(|o| words.find(o)).min();
    match (at(&["last", "family", "surname", "apellido", "nachname"]), at(&["first", "given", "forename", "nombre", "vorname", "prenom"])) {
        (Some(family), Some(given)) => family < given,
        _ => false,
    }
}

/// Whether a label reads as English (US conventions: month first, state codes).
fn is_english(label: &str) -> bool {
    let l = semantic::normalize(label);
    let foreign = [
        "geburtsdatum", "datum", "geboren", "date de", "naissance", "fecha", "nacimiento", "jj", "aaaa", "tt", "jjjj", "nom", "prenom",
        "nombre", "apellido", "strasse", "rue", "calle", "ort", "ville", "ciudad", "le", "la", "el", "der", "die", "das", "du", "de la",
        "del",
    ];
    !l.split(' ').any(|w| foreign.contains(&w))
}

/// Whether a phone number is written with its country code ("+49 176 …", "0049 …").
fn says_country_code(phone: &str) -> bool {
    let phone = phone.trim_start();
    phone.starts_with('+') || phone.starts_with("00")
}

/// Whether words speak of a citizenship or nationality, in the four languages.
fn says_nationality(text: &str) -> bool {
    // "U.S. Citizenship and Immigration Services" is an agency, not a citizenship.
    semantic::normalize(text).replace("citizenship and immigration", "").split(' ').any(|w| {
        matches!(
            w,
            "citizenship" | "citizen" | "nationality" | "staatsangehorigkeit" | "staatsburgerschaft" | "nationalite" | "citoyennete"
                | "nacionalidad" | "ciudadania"
        )
    })
}

/// The text after "c/o" (or "care of", "in care of") at the head of `value`.
fn care_of(value: &str) -> Option<&str> {
    let value = value.trim_start();
    ["c/o ", "care of ", "in care of "].iter().find_map(|prefix| {
        let head = value.get(..prefix.len())?;
        head.eq_ignore_ascii_case(prefix).then(|| value[prefix.len()..].trim())
    })
}

#[cfg(test)]
mod tests {
    use super::without_trailing_details;

    #[test]
    fn a_name_or_address_ends_before_the_details_said_after_it() {
        assert_eq!(without_trailing_details("Wegmans, 99 Worcester Rd, Framingham", false), "Wegmans");
        assert_eq!(without_trailing_details("Acme, Inc., 12 Main St", false), "Acme, Inc.");
        assert_eq!(
            without_trailing_details("Prairie Robotics Inc., 600 Locust St, Des Moines, IA 50309, EIN 42-1593860", true),
            "Prairie Robotics Inc., 600 Locust St, Des Moines, IA 50309"
        );
        assert_eq!(
            without_trailing_details("31 Forest Ave, Apt 2, Brockton, MA 02301, cell 508-555-0132, email j@example.org", true),
            "31 Forest Ave, Apt 2, Brockton, MA 02301"
        );
        // A value that starts with a street is kept whole; a word that only looks like a label stays.
        assert_eq!(without_trailing_details("99 Worcester Rd, Framingham", false), "99 Worcester Rd, Framingham");
        assert_eq!(without_trailing_details("Cell Block Studios, LLC", false), "Cell Block Studios, LLC");
    }
}
