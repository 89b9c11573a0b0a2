//! What a request says, as facts: a value, what kind of value it is (semantic type), whose it
//! is (entity) and which of several it is (qualifier). Read from data records of any shape
//! (nested objects, arrays, keys in any naming style or language), from `label: value`
//! pairs the clause reader could not place by label, and from prose ("I'm Rosa Castillo,
//! born July 2, 1979; I live at 18 Birch Road Apt 3, Dayton, OH 45402").
//!
//! Bounded: records are read to [`MAX_DEPTH`] levels and [`MAX_FACTS`] facts; prose is read
//! by linear regexes over at most the resolver's byte limit.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use crate::fieldmodel::semantic::{self, Semantic};
use crate::fieldmodel::{entity_in, qualifier_in};

/// Deepest record nesting read.
pub const MAX_DEPTH: usize = 16;
/// Most facts taken from one request.
pub const MAX_FACTS: usize = 4096;

/// One thing a request says.
#[derive(Debug, Clone, PartialEq)]
pub struct Fact {
    /// What kind of value it is, when known.
    pub semantic: Option<Semantic>,
    /// Whose it is; `None` for the request's subject (the person filling, the applicant).
    pub entity: Option<String>,
    /// Which of several values of one kind (`mailing`, `previous`, `mobile`…).
    pub qualifier: Option<String>,
    /// The words that named it (a record path's words, a label), for lookups by label.
    pub label: String,
    /// The value as said.
    pub value: FactValue,
    /// Where it came from, for people: `record person.dob` or the request's words.
    pub source: String,
    /// Its position in a list of records (1-based), when it came from one.
    pub ordinal: Option<usize>,
    /// How it was read.
    pub origin: Origin,
}

/// How a fact was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A data record's leaf.
    Record,
    /// A `label: value` pair.
    Label,
    /// Prose, by the value's shape and the words around it.
    Prose,
}

/// A fact's value.
#[derive(Debug, Clone, PartialEq)]
pub enum FactValue {
    /// Text (numbers are kept as written).
    Text(String),
    /// Yes or no.
    Bool(bool),
}

impl FactValue {
    /// The value as text.
    pub fn text(&self) -> String {
        match self {
            FactValue::Text(t) => t.clone(),
            FactValue::Bool(b) => if *b { "yes".into() } else { "no".into() },
        }
    }
}

/// Words for the request's own subject: `{"applicant": {...}}` on any form, "me".
const SELF_WORDS: &[&str] = &[
    "applicant", "taxpayer", "client", "person", "self", "me", "myself", "user", "customer", "individual",
    "personal", "antragsteller", "demandeur", "solicitante", "yo", "ich", "moi", "persona", "personne",
    "main", "primary", "you", "your", "my",
    // The one who files a petition is the one writing (or their lawyer, writing for them).
    "petitioner",
];

/// Family words naming the spouse, beside the field model's parties.
const SPOUSE_WORDS: &[&str] = &[
    "wife", "husband", "partner", "spouse", "ehefrau", "ehemann", "frau", "mann", "ehepartner", "ehegatte",
    "epouse", "epoux", "mari", "femme", "conjoint", "conjointe", "esposa", "esposo", "marido", "conyuge", "pareja",
];

/// Whether `entity` stands for the request's subject.
pub fn is_self(entity: &str) -> bool {
    SELF_WORDS.contains(&entity)
}

/// The party a key or phrase names: the field model's parties, spouse words, self words.
pub fn party_in(text: &str) -> Option<String> {
    let words = semantic::normalize(text);
    if words.split(' ').any(|w| SPOUSE_WORDS.contains(&w)) {
        return Some("spouse".into());
    }
    if let Some(e) = entity_in(&words) {
        return Some(e.to_string());
    }
    words.split(' ').find(|w| SELF_WORDS.contains(w)).map(str::to_string)
}

/// Key words that are only containers: `{"data": {...}}`, `{"address": {"line1": ...}}`
/// keeps "address" as context.
fn semantic_of_key(leaf: &str, parents: &[String]) -> Option<Semantic> {
    let leaf_words = semantic::normalize(leaf);
    // "line1"/"street1"/"address1" and "line2"/"address2" of an address.
    let compact = leaf_words.replace(' ', "");
    if matches!(compact.as_str(), "line1" | "street1" | "address1" | "addressline1" | "street" | "streetaddress") {
        return Some(Semantic::StreetAddress);
    }
    if matches!(
        compact.as_str(),
        "line2" | "street2" | "address2" | "addressline2" | "unit" | "apt" | "apartment" | "suite" | "apto" | "apartamento" | "depto" | "dpto"
            | "appartement" | "appt" | "wohnung"
    ) {
        return Some(Semantic::AddressLine2);
    }
    // Plural keys name lists of one kind: "ssns", "phones", "emails".
    let singular: String = leaf_words
        .split(' ')
        .map(|w| if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") { &w[..w.len() - 1] } else { w })
        .collect::<Vec<_>>()
        .join(" ");
    let own = semantic::from_words(&leaf_words).or_else(|| semantic::from_words(&singular));
    let parent = parents.last().map(|p| semantic::normalize(p)).unwrap_or_default();
    // A bare "number", "type" or "first" reads better with its parent: phone.number, name.first.
    let joined = || semantic::from_words(&format!("{parent} {leaf_words}"));
    match own {
        Some(Semantic::IdNumber | Semantic::Number | Semantic::Text) | None if !parent.is_empty() => {
            joined().filter(|s| !matches!(s, Semantic::Text)).or(own)
        }
        // {"birth": {"date": ...}}, {"signature": {"date": ...}}.
        Some(Semantic::Date) if !parent.is_empty() => joined().or(own),
        other => other,
    }
}

/// Facts of a data record (a JSON object or array of any shape).
pub fn from_record(value: &Value, facts: &mut Vec<Fact>) {
    let start = facts.len();
    walk(value, &mut Vec::new(), None, 0, facts);
    // "nombre": "Wilmer Antonio Reyes" with no family-name key beside it is the whole name
    // (Spanish records write "nombre" for the person's name, and "nombre" + "apellidos"
    // when they split it).
    let split_here: Vec<String> =
        facts[start..].iter().filter(|f| f.semantic == Some(Semantic::FamilyName)).map(record_parent).collect();
    for fact in &mut facts[start..] {
        let several_words = matches!(&fact.value, FactValue::Text(t) if t.split_whitespace().count() >= 2);
        if fact.semantic == Some(Semantic::GivenName) && several_words && !split_here.contains(&record_parent(fact)) {
            fact.semantic = Some(Semantic::Name);
        }
    }
    join_address_parts(facts, start);
}

/// The record path a fact's key sits under ("record person.address" for
/// "record person.address.city"): the facts said side by side.
pub(crate) fn record_parent(fact: &Fact) -> String {
    fact.source.rsplit_once('.').map(|(p, _)| p.to_string()).unwrap_or_default()
}

/// An address a record gives in parts (`street`, `unit`, `city`, `state`, `zip` under one
/// key) is also said whole, before its parts: placement then splits it the way the form
/// asks (one "City, state and ZIP" box, or a box each), and the parts fill what is left.
fn join_address_parts(facts: &mut Vec<Fact>, start: usize) {
    let mut parents: Vec<String> = facts[start..]
        .iter()
        .filter(|f| f.semantic == Some(Semantic::StreetAddress))
        .map(record_parent)
        .collect();
    parents.dedup();
    for group in parents {
        let part = |s: Semantic| {
            facts[start..]
                .iter()
                .find(|f| f.semantic == Some(s) && record_parent(f) == group && f.ordinal.is_none())
                .and_then(|f| match &f.value {
                    FactValue::Text(t) => Some(t.clone()),
                    FactValue::Bool(_) => None,
                })
        };
        let (Some(street), city, state, postal) =
            (part(Semantic::StreetAddress), part(Semantic::AddressLevel2), part(Semantic::AddressLevel1), part(Semantic::PostalCode))
        else {
            continue;
        };
        // A street that is already a whole address, or parts that do not make a place.
        if street.contains(',') || (city.is_none() && postal.is_none()) {
            continue;
        }
        let mut line = street;
        if let Some(unit) = part(Semantic::AddressLine2) {
            let bare = unit.chars().all(|c| c.is_alphanumeric()) && unit.chars().any(|c| c.is_ascii_digit());
            line = if bare { format!("{line}, Apt {unit}") } else { format!("{line}, {unit}") };
        }
        let tail = [state, postal].into_iter().flatten().collect::<Vec<_>>().join(" ");
        for piece in [city, (!tail.is_empty()).then_some(tail)].into_iter().flatten() {
            line = format!("{line}, {piece}");
        }
        // Only a line that reads back as these parts (a city and a state or ZIP the
        // splitter knows); otherwise the parts go alone.
        let reads_back = crate::instructions::shape::split_address(&line).is_some_and(|a| a.city.is_some() && (a.state.is_some() || a.postal.is_some()));
        if !reads_back {
            continue;
        }
        let Some(at) = facts[start..].iter().position(|f| record_parent(f) == group) else { continue };
        let model = facts[start + at].clone();
        let street_fact = facts[start..].iter().find(|f| f.semantic == Some(Semantic::StreetAddress) && record_parent(f) == group).cloned();
        facts.insert(
            start + at,
            Fact {
                semantic: Some(Semantic::StreetAddress),
                entity: street_fact.as_ref().and_then(|f| f.entity.clone()).or(model.entity),
                qualifier: street_fact.as_ref().and_then(|f| f.qualifier.clone()).or(model.qualifier),
                label: group.trim_start_matches("record ").replace('.', " "),
                value: FactValue::Text(line),
                source: group.clone(),
                ordinal: None,
                origin: Origin::Record,
            },
        );
    }
}

fn walk(value: &Value, path: &mut Vec<String>, ordinal: Option<usize>, depth: usize, facts: &mut Vec<Fact>) {
    if depth > MAX_DEPTH || facts.len() >= MAX_FACTS {
        return;
    }
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                path.push(key.clone());
                walk(inner, path, ordinal, depth + 1, facts);
                path.pop();
            }
        }
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            let joined: Vec<String> = items.iter().filter_map(scalar_text).collect();
            if !joined.is_empty() {
                leaf(path, FactValue::Text(joined.join(", ")), ordinal, facts);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, path, Some(i + 1), depth + 1, facts);
            }
        }
        Value::Bool(b) => leaf(path, FactValue::Bool(*b), ordinal, facts),
        Value::Null => {}
        other => {
            if let Some(text) = scalar_text(other) {
                leaf(path, FactValue::Text(text), ordinal, facts);
            }
        }
    }
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn leaf(path: &[String], value: FactValue, ordinal: Option<usize>, facts: &mut Vec<Fact>) {
    let Some((key, parents)) = path.split_last() else {
        return;
    };
    let mut semantic = semantic_of_key(key, parents);
    // "address": "18 Birch Road Apt 3, Dayton, OH 45402" is the whole address.
    if semantic.is_none() && semantic::normalize(key).split(' ').any(|w| w == "address" || w == "adresse") {
        semantic = Some(Semantic::StreetAddress);
    }
    // {"nacimiento": {"fecha": …}}, {"birth": {"when": …}}: a date under a birth key.
    let birth_words = ["birth", "born", "nacimiento", "naissance", "geburt", "geboren", "naci", "nee"];
    // The key itself may say both: "fecha_nacimiento", "date_naissance", "birth_dt".
    let says_birth = |k: &String| semantic::normalize(k).split(' ').any(|w| birth_words.contains(&w));
    let date_words = ["date", "fecha", "datum", "dt", "when"];
    let key_is_date = semantic::normalize(key).split(' ').any(|w| date_words.contains(&w));
    if (semantic == Some(Semantic::Date) && parents.iter().any(says_birth))
        || (matches!(semantic, None | Some(Semantic::Date)) && key_is_date && says_birth(&key.to_string()))
    {
        semantic = Some(Semantic::Bday);
    }
    if let FactValue::Text(text) = &value {
        semantic = refine_by_value(semantic, text).map(|s| person_or_business(s, text));
        // "signed": "2025-06-02" is when, not a signature.
        if semantic == Some(Semantic::Signature) && crate::instructions::shape::parse_date(text, false).is_some() {
            semantic = Some(Semantic::DateSigned);
        }
    }
    let entity = std::iter::once(key).chain(parents.iter().rev()).find_map(|k| party_in(k));
    // The field model's own words anywhere on the path before loose ones: a "street" key
    // under "mailing_address" is the mailing address's street. A parent that is only
    // "business" names whose values follow (the business's own address), not a work address.
    let path_words = || {
        std::iter::once(key).chain(parents.iter().rev().filter(|p| !matches!(semantic::normalize(p).as_str(), "business" | "company" | "firm")))
    };
    // {"name": {"last": …}}: "last" is the family name there, not an earlier value.
    let names_a_person = matches!(semantic, Some(Semantic::FamilyName | Semantic::GivenName | Semantic::AdditionalName | Semantic::Name));
    let loose = |k: &String| loose_qualifier(k).filter(|_| !(names_a_person && semantic::normalize(k) == "last"));
    let qualifier = path_words().find_map(|k| qualifier_in(k)).or_else(|| path_words().find_map(loose)).map(str::to_string);
    facts.push(Fact {
        semantic,
        entity,
        qualifier,
        label: path.iter().map(|p| semantic::normalize(p)).collect::<Vec<_>>().join(" "),
        source: format!("record {}", path.join(".")),
        value,
        ordinal,
        origin: Origin::Record,
    });
}

/// Words that say which part of a name an annotation gives, in the four languages (matched
/// on [`semantic::normalize`]d text, longest first).
const NAME_PART_WORDS: &[(&str, NamePart)] = &[
    ("nombre familiar", NamePart::Family),
    ("nom de famille", NamePart::Family),
    ("family names", NamePart::Family),
    ("family name", NamePart::Family),
    ("last names", NamePart::Family),
    ("last name", NamePart::Family),
    ("segundo nombre", NamePart::Middle),
    ("second prenom", NamePart::Middle),
    ("zweiter vorname", NamePart::Middle),
    ("middle name", NamePart::Middle),
    ("middle initial", NamePart::Middle),
    ("first names", NamePart::Given),
    ("first name", NamePart::Given),
    ("given names", NamePart::Given),
    ("given name", NamePart::Given),
    ("familienname", NamePart::Family),
    ("nachname", NamePart::Family),
    ("surnames", NamePart::Family),
    ("surname", NamePart::Family),
    ("apellidos", NamePart::Family),
    ("apellido", NamePart::Family),
    ("middle", NamePart::Middle),
    ("inicial", NamePart::Middle),
    ("initial", NamePart::Middle),
    ("vorname", NamePart::Given),
    ("prenoms", NamePart::Given),
    ("prenom", NamePart::Given),
    ("nombres", NamePart::Given),
    ("nombre", NamePart::Given),
    ("first", NamePart::Given),
    ("given", NamePart::Given),
    ("last", NamePart::Family),
    ("nom", NamePart::Family),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NamePart {
    Given,
    Middle,
    Family,
}

/// Names the request annotates with their parts — "Nadia Farah Haddad (Haddad is my family
/// name, Farah is my middle name)", "Yesenia Paola Gutiérrez Soto (family names Gutiérrez
/// Soto)", "Jamal R. Price (Price = last name)", "José M. Colón Ortiz (nombre José, inicial
/// M, apellidos Colón Ortiz)": the text without the annotations, and each name as its parts
/// say. An annotation whose parts are not words of the name before it is left as written.
pub fn explicit_name_parts(text: &str) -> (String, Vec<(String, crate::instructions::shape::PersonName)>) {
    static ANNOTATED: LazyLock<Regex> = LazyLock::new(|| {
        // (Within one line: a name ends where its line does.)
        Regex::new(r"(\p{Lu}[\p{L}'\-.]*(?:[ \t]+(?:\p{Lu}[\p{L}'\-.]*|de|del|la|van|von|der|da|di|du|le|y)){1,6})[ \t]*\(([^()\n]{3,160})\)")
            .expect("valid regex")
    });
    let mut names = Vec::new();
    let mut cleaned = String::with_capacity(text.len());
    let mut last = 0;
    for c in ANNOTATED.captures_iter(text) {
        let (Some(all), Some(name), Some(note)) = (c.get(0), c.get(1), c.get(2)) else { continue };
        let Some(parts) = annotated_parts(name.as_str().trim(), note.as_str()) else { continue };
        cleaned.push_str(&text[last..name.end()]);
        last = all.end();
        names.push((name.as_str().trim().to_string(), parts));
    }
    cleaned.push_str(&text[last..]);
    (cleaned, names)
}

/// The parts of `name` its annotation gives; `None` unless at least one part is a word run
/// of the name at its place (the family name at its end, the given name at its start).
fn annotated_parts(name: &str, note: &str) -> Option<crate::instructions::shape::PersonName> {
    let words: Vec<&str> = name.split_whitespace().collect();
    let folded: Vec<String> = words.iter().map(|w| semantic::normalize(w)).collect();
    let mut given: Option<(usize, usize)> = None;
    let mut middle: Option<Option<(usize, usize)>> = None;
    let mut family: Option<(usize, usize)> = None;
    for item in note.split([',', ';']) {
        let item_words = semantic::normalize(item);
        let padded = format!(" {item_words} ");
        let Some((phrase, part)) = NAME_PART_WORDS.iter().find(|(w, _)| padded.contains(&format!(" {w} "))) else { continue };
        // "no middle name": said to be none.
        if *part == NamePart::Middle && padded.contains(" no ") {
            middle = Some(None);
            continue;
        }
        let rest = padded.replacen(&format!(" {phrase} "), " ", 1);
        let said: Vec<&str> = rest
            .split(' ')
            .filter(|w| !w.is_empty() && !matches!(*w, "is" | "my" | "his" | "her" | "the" | "es" | "mi" | "su" | "est" | "mon" | "son" | "sa" | "ist" | "mein" | "sein" | "ihr" | "el" | "le" | "der" | "=" | "s"))
            .collect();
        if said.is_empty() {
            continue;
        }
        // Where the said words stand in the name.
        let Some(start) = (0..folded.len()).find(|&i| folded.len() >= i + said.len() && (0..said.len()).all(|k| folded[i + k] == said[k])) else {
            continue;
        };
        let span = (start, start + said.len());
        match part {
            NamePart::Given => given = Some(span),
            NamePart::Middle => middle = Some(Some(span)),
            NamePart::Family => family = Some(span),
        }
    }
    let n = words.len();
    let join = |(a, b): (usize, usize)| words[a..b].join(" ");
    // The family name first ("Zhang Wei (family name Zhang, given name Wei)"): the given
    // name is the rest.
    if let Some(f) = family
        && f.0 == 0
        && f.1 < n
        && middle.flatten().is_none()
        && given.is_none_or(|g| g == (f.1, n))
    {
        return Some(crate::instructions::shape::PersonName { given: join((f.1, n)), middle: None, family: join(f), suffix: None });
    }
    let family = match family {
        Some(f) if f.1 == n => f,
        Some(_) => return None,
        None => {
            // The family name is what follows the given and middle names.
            let end = middle.flatten().map(|m| m.1).or(given.map(|g| g.1))?;
            (end < n).then_some((end, n))?
        }
    };
    let given = match given {
        Some(g) if g.0 == 0 && g.1 <= family.0 => g,
        Some(_) => return None,
        None => (family.0 > 0).then_some((0, if middle == Some(None) { family.0 } else { 1 }))?,
    };
    let middle = match middle {
        Some(Some(m)) if m.0 == given.1 && m.1 == family.0 => Some(m),
        Some(Some(_)) => return None,
        Some(None) => None,
        None => (given.1 < family.0).then_some((given.1, family.0)),
    };
    if given.1 != middle.map_or(family.0, |m| m.0) {
        return None;
    }
    Some(crate::instructions::shape::PersonName { given: join(given), middle: middle.map(join), family: join(family), suffix: None })
}

/// Qualifiers written in records and requests beyond the field model's words.
fn loose_qualifier(text: &str) -> Option<&'static str> {
    // "last name", "last four (digits)": "last" there is no earlier value.
    let words = semantic::normalize(text).replace("last name", "name").replace("last four", "four").replace("last 4", "4");
    words.split(' ').find_map(|w| match w {
        "postal" | "mail" | "post" | "correspondence" | "postanschrift" | "correspondance" | "postal_address" => Some("mailing"),
        "residential" | "residence" | "street" | "wohnsitz" | "domicile" | "domicilio" => Some("physical"),
        "old" | "past" | "last" | "vorherige" | "ancienne" | "anterior" => Some("previous"),
        "office" | "job" | "arbeit" | "travail" | "trabajo" => Some("work"),
        "cellphone" | "handy" | "portable" | "movil" | "celular" => Some("mobile"),
        _ => None,
    })
}

/// Whether the writer puts the day before the month in numeric dates, from the language
/// they write in (English: no; German, French, Spanish: yes); `None` when it cannot be told.
pub fn writes_day_first(text: &str) -> Option<bool> {
    const ENGLISH: &[&str] = &["the", "and", "my", "is", "i", "with", "for", "born", "of", "please", "to", "at", "in"];
    const OTHERS: &[&str] = &[
        "und", "ich", "mein", "meine", "ist", "der", "die", "das", "geboren", "bitte", "wohne", "je", "et", "mon", "ma", "est",
        "le", "la", "les", "suis", "des", "merci", "y", "mi", "es", "el", "los", "soy", "con", "por", "favor", "vivo", "naci",
    ];
    let (mut en, mut other) = (0usize, 0usize);
    for word in semantic::normalize(text).split(' ').take(2000) {
        en += usize::from(ENGLISH.contains(&word));
        other += usize::from(OTHERS.contains(&word));
    }
    if en + other < 3 {
        return None;
    }
    Some(other > en)
}

/// The value's shape tells what its words do not ("HQ - 500 Market St, …, CA 94105" is an
/// address; "Fed tax ID: 27-1049385" an EIN, not any tax number).
fn refine_by_value(semantic: Option<Semantic>, value: &str) -> Option<Semantic> {
    if !semantic.is_none_or(|s| matches!(s, Semantic::Tin | Semantic::IdNumber | Semantic::Number | Semantic::Text)) {
        return semantic;
    }
    let v = value.trim();
    let whole = |re: &Regex| re.find(v).is_some_and(|m| m.start() == 0 && m.end() == v.len());
    if whole(&EIN) {
        return Some(Semantic::Ein);
    }
    if whole(&SSN) && semantic != Some(Semantic::Tin) {
        return Some(Semantic::Ssn);
    }
    if semantic.is_some() {
        return semantic;
    }
    if whole(&EMAIL) {
        Some(Semantic::Email)
    } else if whole(&PHONE) {
        Some(Semantic::Tel)
    } else if looks_like_address(v) {
        Some(Semantic::StreetAddress)
    } else {
        None
    }
}

/// A `label: value` pair the clause reader could not place by label.
pub fn from_label(label: &str, value: &str, clause: &str) -> Option<Fact> {
    let words = semantic::normalize(label);
    // "Use 'Jordan' for …": the quotes mark the value, they are not in it.
    let value = value.trim();
    let quotes: &[char] = &['\'', '"', '“', '”', '‘', '’', '«', '»'];
    let value = match (value.chars().next(), value.chars().last()) {
        (Some(a), Some(b)) if value.chars().count() >= 2 && quotes.contains(&a) && quotes.contains(&b) => value[a.len_utf8()..value.len() - b.len_utf8()].trim(),
        _ => value,
    };
    if words.is_empty() || value.trim().is_empty() {
        return None;
    }
    let mut semantic = semantic::from_words(&words);
    if semantic.is_none() && words.split(' ').any(|w| w == "address" || w == "adresse") {
        semantic = Some(Semantic::StreetAddress);
    }
    let kind_words = ["type", "kind", "classification", "category", "art", "tipo", "genre", "structure"];
    if semantic.is_none()
        && words.split(' ').any(|w| BUSINESS_WORDS.contains(&w))
        && !words.split(' ').any(|w| kind_words.contains(&w))
        && !value.chars().any(|c| c.is_ascii_digit())
    {
        semantic = Some(Semantic::Organization);
    }
    // "Defendant: Tiffany Ann Grasso": a party's label with a person's name.
    if semantic.is_none() && party_in(label).is_some() && reads_as_person_name(value) {
        semantic = Some(Semantic::Name);
    }
    let mut semantic = refine_by_value(semantic, value);
    // "Nombre: Alejandro Fuentes", "Nom : Jean-Marc Baptiste": a bare name label with
    // several words is the whole name, whatever the word means on a form.
    if matches!(semantic, Some(Semantic::GivenName | Semantic::FamilyName))
        && matches!(words.as_str(), "nombre" | "name" | "nom" | "nome")
        && value.split_whitespace().count() >= 2
        && reads_as_person_name(value)
    {
        semantic = Some(Semantic::Name);
    }
    Some(Fact {
        semantic: semantic.map(|s| person_or_business(s, value)),
        entity: party_in(label),
        // "Lives: 14 Maple Ter, …": where someone lives is their home address.
        qualifier: qualifier_in(label)
            .or_else(|| loose_qualifier(label))
            .or_else(|| (semantic == Some(Semantic::StreetAddress) && LIVES.is_match(label.trim())).then_some("home"))
            .map(str::to_string),
        label: words,
        value: FactValue::Text(value.trim().to_string()),
        source: clause.to_string(),
        ordinal: None,
        origin: Origin::Label,
    })
}

/// Words of a label naming a business rather than a person.
const BUSINESS_WORDS: &[&str] = &[
    "company", "business", "firm", "employer", "organization", "organisation", "entity", "vendor", "supplier",
    "firma", "unternehmen", "arbeitgeber", "empresa", "empleador", "entreprise", "societe", "employeur", "agency",
];

/// Endings of business names.
static BUSINESS_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:inc|llc|l\.l\.c|corp|corporation|co|ltd|llp|lp|gmbh|ag|sa|sarl|plc|pllc|trust|foundation|clinic|bank|university|college|hospital|institute|school|association|church|society|agency|company|holdings|partners|universit[äa]t|universit[ée]|universidad|klinik|stiftung|verein|e\.\s?v|fundaci[óo]n|asociaci[óo]n)\.?$")
        .expect("valid regex")
});

/// Whether a name ends like a business's ("Brightwater Robotics LLC", "Acme Corp.").
pub fn reads_as_business(value: &str) -> bool {
    // The name is what comes before a comma: "Brightwater Robotics LLC, EIN 47-…".
    let value = value.split(',').next().unwrap_or(value).trim().trim_end_matches('.');
    value.split_whitespace().count() >= 2 && BUSINESS_NAME.is_match(value)
}

/// A "name" that ends like a business ("Brightwater Robotics LLC") is an organization's.
fn person_or_business(semantic: Semantic, value: &str) -> Semantic {
    if semantic == Semantic::Name && reads_as_business(value) {
        Semantic::Organization
    } else {
        semantic
    }
}

/// Whether text reads as a person's name: two to five capitalised words (particles such as
/// "de" or "van" aside), no digits.
fn reads_as_person_name(text: &str) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    (2..=6).contains(&words.len())
        && !text.chars().any(|c| c.is_ascii_digit() || c == '@')
        && words.iter().filter(|w| w.chars().next().is_some_and(char::is_uppercase)).count() >= 2
        && words.iter().all(|w| {
            w.chars().next().is_some_and(char::is_uppercase)
                || matches!(*w, "de" | "del" | "la" | "van" | "von" | "der" | "da" | "di" | "du" | "le" | "y" | "bin" | "al")
        })
}

/// Whether text reads as one postal address: a house number and street, then a ZIP code.
fn looks_like_address(text: &str) -> bool {
    static ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:\d+[A-Za-z]?|(?i:P\.?\s?O\.?\s+Box\s+\d+))\s*,?\s+\p{L}[^\n]{2,120}\b(?:\d{5}(?:-\d{4})?|[A-Z]\d[A-Z] ?\d[A-Z]\d)$").expect("valid regex")
    });
    // "… MA 01702 (single-family house)", "… MA 02126, appartement 3": a remark or the unit
    // after the ZIP code.
    let text = text.trim();
    let text = match text.rfind(" (") {
        Some(at) if text.ends_with(')') => text[..at].trim_end(),
        _ => text,
    };
    let (text, _) = crate::instructions::shape::trailing_units(text);
    ADDRESS.is_match(&text) && text.contains(',')
}

/// A label naming a party, then several of its values: "Me: Eric Dunlap, SSN 489-70-3321,
/// 12 Oak St, Columbia, MO 65201, born 7/14/1979", "Company: Bluewater Inc., EIN …". Each
/// comma-separated piece is read by its shape; the pieces of an address (from a piece that
/// starts with a house number to the one with the ZIP code) stay one address. Empty unless at
/// least two values were read.
pub fn from_composite(label: &str, value: &str, clause: &str) -> Vec<Fact> {
    let words = semantic::normalize(label);
    let label_semantic = semantic::from_words(&words);
    // A label that already names one kind of value ("Address", "Phone") keeps it whole.
    if label_semantic.is_some_and(|s| !matches!(s, Semantic::Name | Semantic::Organization | Semantic::Text)) {
        return Vec::new();
    }
    let entity = party_in(label);
    let business = label_semantic == Some(Semantic::Organization) || words.split(' ').any(|w| BUSINESS_WORDS.contains(&w));
    let pieces: Vec<&str> = value.split([',', ';']).map(str::trim).filter(|p| !p.is_empty()).collect();
    if pieces.len() < 2 || pieces.len() > 16 {
        return Vec::new();
    }
    let mut facts = Vec::new();
    let mut push = |semantic: Semantic, value: &str, words: &str| {
        facts.push(Fact {
            semantic: Some(semantic),
            entity: entity.clone(),
            qualifier: qualifier_in(label).map(str::to_string),
            label: words.to_string(),
            value: FactValue::Text(without_final_stop(value.trim().trim_end_matches(')'))),
            source: clause.to_string(),
            ordinal: None,
            origin: Origin::Label,
        });
    };
    static ZIP: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b\d{5}(?:-\d{4})?\b|\b[A-Z]\d[A-Z] ?\d[A-Z]\d\b").expect("valid regex"));
    static HOUSE_NUMBER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\d+[A-Za-z]?\s+\p{L}").expect("valid regex"));
    let mut i = 0;
    while i < pieces.len() {
        let piece = pieces[i];
        if HOUSE_NUMBER.is_match(piece) && !SSN.is_match(piece) && !PHONE.is_match(piece) {
            // The address runs to the piece with the ZIP code (at most four pieces on).
            let end = (i..pieces.len().min(i + 5)).find(|&k| ZIP.is_match(pieces[k]));
            if let Some(end) = end {
                push(Semantic::StreetAddress, &pieces[i..=end].join(", "), "address");
                i = end + 1;
                continue;
            }
        }
        if let Some(c) = BORN.captures(piece)
            && let Some(m) = c.get(1)
        {
            push(Semantic::Bday, m.as_str(), "date of birth");
        } else if let Some(m) = EMAIL.find(piece) {
            push(Semantic::Email, m.as_str(), "email");
        } else if let Some(m) = SSN.find(piece) {
            push(Semantic::Ssn, m.as_str(), "ssn");
        } else if let Some(m) = EIN.find(piece) {
            push(Semantic::Ein, m.as_str(), "ein");
        } else if let Some(m) = PHONE.find(piece) {
            let kind = if semantic::normalize(piece).contains("fax") { Semantic::Fax } else { Semantic::Tel };
            push(kind, m.as_str(), "phone");
        } else if i == 0 && !piece.chars().any(|c| c.is_ascii_digit()) && piece.split_whitespace().count() <= 6 {
            let capitalised = piece.split_whitespace().filter(|w| w.chars().next().is_some_and(char::is_uppercase)).count();
            if capitalised >= 2 || (capitalised >= 1 && business) {
                let is_business = business || BUSINESS_NAME.is_match(piece) || pieces.get(1).is_some_and(|p| BUSINESS_NAME.is_match(p));
                // "Bluewater Marine Supply, Inc." keeps its ending.
                let name = match pieces.get(1) {
                    Some(next) if BUSINESS_NAME.is_match(next) && next.split_whitespace().count() == 1 => {
                        i += 1;
                        format!("{piece}, {next}")
                    }
                    _ => piece.to_string(),
                };
                push(if is_business { Semantic::Organization } else { Semantic::Name }, &name, "name");
            }
        }
        i += 1;
    }
    if facts.len() < 2 {
        return Vec::new();
    }
    facts
}

const NAME: &str = r"((?:\p{Lu}[\p{L}'’-]*\.?)(?:\s+(?:(?:van|von|der|den|de|del|della|di|da|du|la|le|y)\s+)*\p{Lu}[\p{L}'’-]*\.?){1,4})";

static NAME_INTRO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:\b[Ii]'?m|\b[Ii] am|\b[Mm]y name is|\b[Mm]y name's|\b[Tt]his is|\b[Jj]e m'appelle|\b[Jj]e suis|\b[Mm]on nom est|\b[Ii]ch bin|\b[Ii]ch hei(?:ß|ss)e|\b[Mm]ein [Nn]ame ist|\b[Mm]e llamo|\b[Mm]i nombre es|\b[Ss]oy)\s+{NAME}"
    ))
    .expect("valid regex")
});
static THIRD_INTRO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:\b(?:He|She) is|\b(?:His|Her) (?:full )?name is|\b(?:Er|Sie) hei(?:ß|ss)t|\b(?:Il|Elle) s'appelle|\b(?:Él|Ella|El) se llama|\b(?:Él|Ella) es)\s+{NAME}"
    ))
    .expect("valid regex")
});
/// Someone a form is filed for ("we're sponsoring Arjun Mehta", "on behalf of Rosa Diaz"):
/// the person the form is about, and who "he"/"she" is after it.
static SUBJECT_INTRO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i:\bsponsoring|\bpetitioning for|\bon behalf of|\bfiling (?:this (?:petition|application|form) )?for|\bim [Nn]amen von|\bau nom de|\ben nombre de)\s+{NAME}"
    ))
    .expect("valid regex")
});
static SPOUSE_INTRO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i:\b(?:my|our) (?:wife|husband|spouse|partner)|\bmeine? (?:frau|mann|ehefrau|ehemann|partnerin|partner)|\b(?:ma femme|mon mari|mon épouse|mon epoux|mon époux|ma conjointe|mon conjoint)|\bmi (?:esposa|esposo|marido|mujer|pareja))(?:'s name is|,| is| ist| est| es| heißt| heisst| s'appelle| se llama| named| called)?\s+{NAME}"
    ))
    .expect("valid regex")
});

/// A parent named: "his father is Wayne Lyle Sr.", "her mother's maiden name is Brenda
/// Hollis", "mon père s'appelle Frantz Pierre", "ma mère s'appelait Guerline Joseph avant
/// son mariage", "mein Vater heißt …", "mi madre se llama …".
static PARENT_INTRO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i:\b(?:my|his|her|their|mein|meine|sein|seine|ihr|ihre|mon|ma|son|sa|mi|su)\s+(mother|father|mom|mum|dad|mutter|vater|m[èe]re|p[èe]re|madre|padre))(?i:'s)?(?i:\s+(?:maiden|full|birth)\s+name|\s+name)?(?i:\s+is|\s+was|\s+ist|\s+war|\s+hei(?:ß|ss)t|\s+hie(?:ß|ss)|\s+s'appelle|\s+s'appelait|\s+se llama|\s+se llamaba|\s+named|\s+called|,|:)\s+{NAME}"
    ))
    .expect("valid regex")
});
/// Work said in a sentence: "I work as a line cook", "he works as a mechanic at …", "ich
/// arbeite als Pflegerin", "je travaille comme chauffeur", "trabajo como cocinero".
static WORKS_AS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:work|works|worked|working|arbeite|arbeitet|travaille|travaillent|trabajo|trabaja)\s+(?:as|als|comme|como)\s+(?:an?\s+|une?\s+|el\s+|la\s+)?(\p{L}[\p{L}\- ]{1,40})")
        .expect("valid regex")
});
/// Words that end an occupation said in a sentence ("a mechanic at Kittredge Auto Body").
const AFTER_OCCUPATION: &[&str] = &[
    "at", "for", "in", "with", "and", "since", "on", "bei", "seit", "und", "chez", "pour", "depuis", "et", "en", "para", "desde", "y", "de",
];
/// Labels of facts a sentence pattern gives that are looked up among the form's labels like
/// a `label: value` line's (prose words in general are not).
pub const PATTERN_LABELS: &[&str] =
    &["place of birth", "vehicle year", "vehicle make", "vehicle model", "vehicle color", "license plate"];

/// A vehicle described: "he drives a black 2016 Ford F-150", "Car: white 2019 Nissan Rogue",
/// "Voiture : Honda Accord 2015" — color, year, make and model.
static VEHICLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i:\b(?:drives|drove|driving|owns|car is|vehicle is|truck is|fährt|conduit|maneja|conduce)\s+(?:an?\s+|his\s+|her\s+|their\s+|einen?\s+|une?\s+|un\s+)?|\b(?:car|vehicle|truck|voiture|auto|coche|wagen)\s*:\s*)(?i:(black|white|silver|gray|grey|red|blue|green|brown|beige|gold|yellow|orange|purple|tan|maroon)\s+)?((?:19|20)\d{2}\s+)?(\p{Lu}[\p{L}-]+)\s+(\p{Lu}[\p{L}\d-]*|\d[\p{L}\d-]*)(\s+(?:19|20)\d{2}\b)?")
        .expect("valid regex")
});
/// A license plate: "plate 4TR-K91", "license plate: 8BC-442", "plaque 6PL-903".
static PLATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i:\b(?:license plate|plate|plaque|placa|kennzeichen|tag)(?:\s+(?:number|no\.?|nummer))?\s*(?:is\s+|:\s*|#\s*)?)([A-Z0-9][A-Z0-9-]{1,9})\b")
        .expect("valid regex")
});

pub(crate) const DATE: &str = r"(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{1,2}(?:st|nd|rd|th|er|\.)?\s+(?:de\s+)?\p{L}+\.?,?\s+(?:de\s+)?\d{4}|\p{L}+\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})";

static BORN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)\b(?:born(?: on)?|date of birth(?: is)?|d\.?o\.?b\.?:?|birthday(?: is)?|birth ?date(?: is)?|geboren(?: am)?|geburtsdatum:?|n[ée]e? le|date de naissance:?|nac[ií](?:d[oa])? el|naci[oó] el|fecha de nacimiento:?)\s*(?:is|:|,)?\s*{DATE}"
    ))
    .expect("valid regex")
});
/// The date a form is signed: "I'm signing on 09/23/2025", "je signe à Tours le 22 mars
/// 2024", "wir unterschreiben beide am 3. Februar 2025", "firmo el 2 de mayo de 2025",
/// "today is …" (a form is signed the day it is filled).
static SIGNED_ON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)\b(?:sign(?:s|ed|ing)?|signe(?:ra|rai|rons|z|r)?|sign[ée]e?s?|unterschreib\w*|unterzeichn\w*|firm(?:o|a|ar|ado|ada|amos|ará|aré)|today(?:'s date)? is|heute ist|aujourd'hui(?: nous sommes| c'est)?|hoy es)\b[^.;:]{{0,40}}?\b(?:on|le|am|el|the|den|der)?\s*{DATE}"
    ))
    .expect("valid regex")
});
/// "born [on a date] in <place>" (four languages): the place up to a joining word or the
/// sentence's end.
static BORN_IN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:born|n[ée]e?|nacid[oa]|naci|naci[oó]|geboren)\b[^.;:]{0,60}?\b(?:in|à|en)\s+(\p{Lu}[\p{L}\-' ]*(?:,\s*\p{Lu}[\p{L}\-' ]*){0,3}?)(?:,?\s+(?:and|und|et|y|on|am|le|el|but)\b|\s*[.;(]|\s*$)")
        .expect("valid regex")
});
/// Citizenship by nationality adjective or country: "I'm an Indian citizen", "she is a
/// citizen of Mexico", "deutsche Staatsangehörige", "de nationalité française", a note
/// that is only "Filipino citizen".
static CITIZEN: LazyLock<Regex> = LazyLock::new(|| {
    // (No `(?i)`: it would let \p{Lu} match any letter.)
    // A copula before it: "I'm an Indian citizen", not "my marriage to a U.S. citizen".
    Regex::new(r"(?:\b(?:am|is|are|was|were|be)|'m|'s|'re)\s+(?:an?\s+)?(\p{Lu}[\p{L}.]*(?:\s\p{Lu}[\p{L}.]*)?)\s+(?:[Cc]itizen|[Nn]ational)\b|(?:\b(?:am|is|are|was)|'m|'s)\s+an?\s+[Cc]itizen\s+of\s+(?:the\s+)?(\p{Lu}\p{L}*(?:\s\p{Lu}\p{L}*)?)|\b(\p{L}+)\s+[Ss]taatsangeh[öo]rige?r?\b|\bde\s+(?:nationalit[ée]|nacionalidad)\s+(\p{L}+)|\b(?:[Cc]iudadan[oa]|[Cc]itoyen(?:ne)?)\s+(\p{L}+)|\b(\p{L}+)\s+[Ss]taatsb[üu]rger(?:in)?\b|^(?:[-•*]\s*)?(?:[Aa]n?\s+)?(\p{Lu}[\p{L}.]*)\s+(?:[Cc]itizen|[Nn]ational)\s*$")
        .expect("valid regex")
});
/// A name ends at its suffix: "Wayne Lyle Sr. Last four of his social" is "Wayne Lyle Sr.".
fn end_at_suffix(name: &str) -> &str {
    let mut end = 0;
    for word in name.split_whitespace() {
        let at = name[end..].find(word).map_or(end, |i| end + i);
        end = at + word.len();
        if matches!(word.trim_end_matches([',', '.']), "Sr" | "Jr" | "II" | "III" | "IV") {
            return &name[..end];
        }
    }
    name
}

/// A value without the sentence's final stop, unless the stop ends an abbreviation
/// ("Mendoza Landscaping Inc.", "Jordan Lee Whitfield Jr.").
pub(crate) fn without_final_stop(value: &str) -> String {
    let v = value.trim().trim_end_matches(',');
    let last = v.trim_end_matches('.').rsplit(' ').next().unwrap_or_default();
    let abbreviation = matches!(last, "Inc" | "Corp" | "Ltd" | "Co" | "Jr" | "Sr" | "Bros" | "Assn" | "Intl");
    if abbreviation && v.ends_with('.') { v.to_string() } else { v.trim_end_matches(['.', ',']).to_string() }
}

/// Capitalised words ending in a legal form (no `(?i)`: the words must be capitalised).
static ORGANIZATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b((?:\p{Lu}[\p{L}&'\-]*,?\s+){1,6}(?:Inc|LLC|L\.L\.C|Corp|Corporation|Ltd|LLP|PLLC|GmbH|SARL|PLC|Trust|Foundation|University|College|Hospital|Institute)\b\.?)")
        .expect("valid regex")
});
/// Sex adjectives in the four languages, as whole words.
static SEX_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(female|male|weiblich|männlich|maennlich|féminin|feminin|masculin|femenino|masculino|femenina)\b").expect("valid regex")
});

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}").expect("valid regex")
});
static SSN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b\d{3}-\d{2}-\d{4}\b").expect("valid regex"));
static EIN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b\d{2}-\d{7}\b").expect("valid regex"));
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\+\d{1,3}[\s.-]?)?(?:\(\d{3}\)\s?|\b\d{3}[\s.-])\d{3}[\s.-]\d{4}\b").expect("valid regex")
});
/// The address introductions that say where someone lives now.
static LIVES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:live|lives|living|reside|resides|residing|wohne|wohnt|j'habite|habite|vivo|vive)\b").expect("valid regex")
});
/// "live(s) in <City>" in the four languages: a capitalised place and no house number.
static LIVES_IN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:[Ll]ive|[Ll]ives|[Ll]iving|[Rr]eside|[Rr]esides|[Hh]abite|[Vv]ivo|[Vv]ive|[Ww]ohne|[Ww]ohnt)\s+(?:in|à|a|en)\s+(\p{Lu}[\p{L}\-']*(?:\s\p{Lu}[\p{L}\-']*){0,2})(?:\s*[,.;!?)]|\s*$|\s+(?:and|und|et|y|but|with|mit|avec|con|since|seit|depuis|desde)\b)")
        .expect("valid regex")
});
static ADDRESS_INTRO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:live at|living at|lives at|lived at|live on|lived on|reside at|residing at|resides at|moved to|moving to|address is|address:|adresse est|adresse:|j'habite(?: au| à| a)?|habite au|wohne in der|wohne in|wohne an der|wohnt in|wohnt|wohne|anschrift:|adresse lautet|vivo en|vive en|mi direcci[oó]n es|direcci[oó]n:|domicilio:?|located at|mail(?:ing)? (?:it )?to|send (?:it|mail) to)\s+")
        .expect("valid regex")
});

/// The first phone number in `text`.
pub fn find_phone(text: &str) -> Option<String> {
    PHONE.find(text).map(|m| m.as_str().trim().to_string()).or_else(|| {
        // Numbers written other ways: "+49 30 1234567", "079 555 44 21", "0612345678".
        static LOOSE: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"\+?\d[\d ./()-]{5,18}\d").expect("valid regex"));
        LOOSE
            .find_iter(text)
            .map(|m| m.as_str().trim().to_string())
            .find(|m| (7..=15).contains(&m.chars().filter(char::is_ascii_digit).count()))
    })
}

/// The first e-mail address in `text`.
pub fn find_email(text: &str) -> Option<String> {
    EMAIL.find(text).map(|m| m.as_str().to_string())
}

/// The first social security number in `text` (dashed, spaced or nine digits alone).
pub fn find_ssn(text: &str) -> Option<String> {
    static LOOSE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b\d{3}[- ]?\d{2}[- ]?\d{4}\b").expect("valid regex"));
    LOOSE.find(text).map(|m| m.as_str().to_string())
}

/// The first amount of money in `text` ("$18,500.00, we've already paid …" -> "18500.00").
pub fn find_amount(text: &str) -> Option<String> {
    static AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"[$€£]?\s?\d{1,3}(?:[,.' ]\d{3})+(?:[.,]\d{1,2})?|[$€£]?\s?\d+(?:[.,]\d{1,2})?").expect("valid regex")
    });
    AMOUNT.find_iter(text).find_map(|m| super::shape::amount(m.as_str()))
}

/// Words for someone the writer talks about (he, she), in the four languages.
const THIRD_PERSON: &[&str] = &[
    "he", "she", "his", "her", "him", "he's", "she's", "er", "sie", "sein", "seine", "ihr", "ihre", "il", "elle", "son", "sa",
    "ses", "el", "ella", "su", "sus",
];

/// Marks a fact about someone the writer calls "he" or "she" when no party was named:
/// placed with the form's main party when that is someone other than the writer.
pub const THIRD_PARTY: &str = "third party";

/// The party a sentence is about at byte `at`: the last party named before it, unless the
/// writer spoke of themself after that ("my husband Tom; I was born …"); "he"/"she" is the
/// party the story is about (`story`, the last one named in earlier sentences).
fn party_at(sentence: &str, at: usize, story: Option<&str>) -> Option<String> {
    let before = semantic::normalize(&sentence[..at]);
    let words: Vec<&str> = before.split(' ').collect();
    for w in words.iter().rev() {
        if SPOUSE_WORDS.contains(w) {
            return Some("spouse".into());
        }
        if matches!(*w, "i" | "my" | "me" | "im" | "i'm" | "ich" | "mein" | "meine" | "je" | "mon" | "ma" | "mes" | "yo" | "mi" | "mis") {
            return None;
        }
        if let Some(e) = entity_in(w) {
            return Some(e.to_string());
        }
        if THIRD_PERSON.contains(w) {
            return Some(story.unwrap_or(THIRD_PARTY).to_string());
        }
    }
    None
}

/// The last party a sentence names (not the writer or the spouse, who are named by their own
/// words each time).
fn party_named(sentence: &str) -> Option<String> {
    let words = semantic::normalize(sentence);
    let words: Vec<&str> = words.split(' ').collect();
    // "his father is Wayne Lyle Sr.": a relative of the person spoken of is said in passing;
    // "he" in the next sentence is still that person.
    const THEIR: &[&str] = &["his", "her", "their", "sein", "seine", "seinen", "ihr", "ihre", "son", "sa", "ses", "su", "sus"];
    (0..words.len())
        .rev()
        .filter(|&i| i == 0 || !THEIR.contains(&words[i - 1]))
        .filter_map(|i| entity_in(words[i]))
        .find(|e| !is_self(e) && *e != "spouse")
        .map(str::to_string)
}

/// The qualifier a sentence gives an address or phone.
fn qualifier_at(sentence: &str, at: usize) -> Option<String> {
    let before = semantic::normalize(&sentence[..at]);
    let tail: Vec<&str> = before.split(' ').rev().take(8).collect();
    for w in &tail {
        let q = match *w {
            "mailing" | "mail" | "post" | "postal" | "correspondence" => "mailing",
            "before" | "previously" | "previous" | "prior" | "former" | "formerly" | "used" | "old" | "avant" | "vorher" | "antes" | "anteriormente" | "frueher" | "fruher" => "previous",
            "cell" | "mobile" | "cellphone" | "handy" | "portable" | "movil" | "celular" => "mobile",
            "work" | "office" | "business" | "arbeit" | "travail" | "trabajo" | "bureau" => "work",
            "home" | "house" => "home",
            "fax" => "fax",
            _ => continue,
        };
        return Some(q.to_string());
    }
    None
}

/// A capitalised pronoun that opens a sentence after an abbreviation's period: "… Wayne
/// Lyle Sr. He lives at …" is two sentences, "St. Louis" one.
pub fn opens_sentence(word: &str) -> bool {
    matches!(
        word,
        "He" | "She" | "I" | "My" | "His" | "Her" | "We" | "Our" | "They" | "Their" | "It" | "Er" | "Sie" | "Ich" | "Mein" | "Meine"
            | "Wir" | "Il" | "Elle" | "Je" | "Mon" | "Ma" | "Nous" | "Yo" | "Mi" | "Nosotros"
    )
}

/// The sentences of a text (line breaks and semicolons end one too; "St." and "7." do not).
pub fn sentences(text: &str) -> Vec<&str> {
    static BREAK: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"[.!?]\s+[\p{Lu}\d]|\n|;").expect("valid regex"));
    let mut out = Vec::new();
    let mut start = 0;
    for m in BREAK.find_iter(text) {
        let end = if m.as_str().starts_with(['.', '!', '?']) { m.start() + 1 } else { m.start() };
        // "St. Louis", "Apt. 4": an abbreviation before the dot is not a sentence end.
        let piece = &text[start..end];
        let last_word = piece.trim_end_matches('.').rsplit(' ').next().unwrap_or_default();
        // "am 7. März", "le 1. juillet": a number before the dot is an ordinal.
        // The match ends with the next word's first letter (of any width).
        let next_start = m.as_str().char_indices().last().map_or(m.end(), |(i, _)| m.start() + i);
        let next_word: String = text[next_start..].chars().take_while(|c| c.is_alphabetic()).collect();
        if m.as_str().starts_with('.')
            && ((last_word.len() <= 3 && last_word.chars().next().is_some_and(char::is_uppercase) && !opens_sentence(&next_word))
                || (!last_word.is_empty() && last_word.len() <= 2 && last_word.chars().all(|c| c.is_ascii_digit())))
        {
            continue;
        }
        out.push(piece);
        start = end;
    }
    out.push(&text[start..]);
    out
}

/// Facts found in prose by their shape and the words around them.
pub fn from_prose(text: &str, facts: &mut Vec<Fact>) {
    let mut story: Option<String> = None;
    for sentence in sentences(text) {
        if facts.len() >= MAX_FACTS {
            return;
        }
        // The party this sentence names ("the defendant information sheet") is who "he" is
        // in it and after it.
        if let Some(named) = party_named(sentence) {
            story = Some(named);
        }
        let mut push = |semantic: Semantic, entity: Option<String>, qualifier: Option<String>, value: &str, words: &str| {
            facts.push(Fact {
                semantic: Some(person_or_business(semantic, value)),
                entity,
                qualifier,
                label: words.to_string(),
                value: FactValue::Text(without_final_stop(value)),
                source: sentence.trim().to_string(),
                ordinal: None,
                origin: Origin::Prose,
            });
        };
        for c in NAME_INTRO.captures_iter(sentence) {
            if let Some(m) = c.get(1) {
                push(Semantic::Name, None, None, end_at_suffix(m.as_str()), "name");
            }
        }
        for c in THIRD_INTRO.captures_iter(sentence) {
            if let Some(m) = c.get(1) {
                push(Semantic::Name, Some(story.clone().unwrap_or_else(|| THIRD_PARTY.into())), None, end_at_suffix(m.as_str()), "name");
            }
        }
        for c in SUBJECT_INTRO.captures_iter(sentence) {
            if let Some(m) = c.get(1) {
                push(Semantic::Name, Some(THIRD_PARTY.into()), None, end_at_suffix(m.as_str()), "name");
            }
        }
        let introduces_subject = SUBJECT_INTRO.is_match(sentence);
        for c in SPOUSE_INTRO.captures_iter(sentence) {
            if let Some(m) = c.get(1) {
                push(Semantic::Name, Some("spouse".into()), None, end_at_suffix(m.as_str()), "spouse name");
            }
        }
        for c in SIGNED_ON.captures_iter(sentence) {
            if let (Some(all), Some(m)) = (c.get(0), c.get(1)) {
                push(Semantic::DateSigned, party_at(sentence, all.start(), story.as_deref()), None, m.as_str(), "date signed");
            }
        }
        for c in BORN.captures_iter(sentence) {
            if let (Some(all), Some(m)) = (c.get(0), c.get(1)) {
                push(Semantic::Bday, party_at(sentence, all.start(), story.as_deref()), None, m.as_str(), "date of birth");
            }
        }
        // "born … in Pune, Maharashtra, India": the place of birth, city first, country last.
        for c in BORN_IN.captures_iter(sentence) {
            let (Some(all), Some(place)) = (c.get(0), c.get(1)) else { continue };
            let party = party_at(sentence, all.start(), story.as_deref());
            let mut pieces: Vec<&str> = place.as_str().split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
            if pieces.len() > 3 {
                continue;
            }
            // Whole, for a box that asks the place in one ("PLACE OF BIRTH"); looked up by that
            // label after the parts (see PATTERN_LABELS).
            let whole = pieces.join(", ");
            if let Some(country) = pieces.last().and_then(|p| crate::instructions::shape::country_name(p)) {
                push(Semantic::Country, party.clone(), Some("birth".into()), country, "country of birth");
                pieces.pop();
            }
            if let Some(city) = pieces.first() {
                push(Semantic::AddressLevel2, party.clone(), Some("birth".into()), city, "city of birth");
            }
            if let [_, region] = pieces.as_slice() {
                push(Semantic::AddressLevel1, party.clone(), Some("birth".into()), region, "state or province of birth");
            }
            push(Semantic::Text, party, Some("birth".into()), &whole, PATTERN_LABELS[0]);
        }
        // "an Indian citizen", "citizen of Mexico", "deutsche Staatsangehörige": citizenship.
        for c in CITIZEN.captures_iter(sentence) {
            let said = (1..=7).find_map(|i| c.get(i));
            let (Some(all), Some(said)) = (c.get(0), said) else { continue };
            if let Some(country) = crate::instructions::shape::country_name(said.as_str()) {
                push(Semantic::Country, party_at(sentence, all.start(), story.as_deref()), None, country, "country of citizenship");
            }
        }
        for c in PARENT_INTRO.captures_iter(sentence) {
            let (Some(who), Some(name)) = (c.get(1), c.get(2)) else { continue };
            // (Every word the pattern takes is a parent's in the field model's party words.)
            let Some(parent) = entity_in(who.as_str()) else { continue };
            push(Semantic::Name, Some(parent.into()), None, end_at_suffix(name.as_str()), &format!("{parent} name"));
        }
        for c in WORKS_AS.captures_iter(sentence) {
            let (Some(all), Some(m)) = (c.get(0), c.get(1)) else { continue };
            let said: Vec<&str> = m.as_str().split_whitespace().collect();
            let words: Vec<&str> = said.iter().copied().take_while(|w| !AFTER_OCCUPATION.contains(&w.to_lowercase().as_str())).collect();
            if !(1..=4).contains(&words.len()) {
                continue;
            }
            let party = party_at(sentence, all.start(), story.as_deref());
            push(Semantic::OrganizationTitle, party.clone(), None, &words.join(" "), "occupation");
            // "… at Kittredge Auto Body, 550 Middlesex St, Lowell, MA 01851": the employer by
            // its capitalised name, then its address when one follows.
            let employer: Vec<&str> = said[words.len()..].iter().copied().skip_while(|w| matches!(w.to_lowercase().as_str(), "at" | "for" | "bei" | "chez" | "pour" | "en" | "para")).collect();
            if employer.is_empty() || employer.len() == said.len() - words.len() || !employer.iter().all(|w| w.chars().next().is_some_and(|ch| ch.is_uppercase() || ch == '&')) {
                continue;
            }
            push(Semantic::Organization, party.clone(), Some("work".into()), &employer.join(" "), "employer");
            let rest = sentence[m.end()..].trim_start();
            if let Some(after) = rest.strip_prefix(',').map(str::trim_start)
                && after.starts_with(|ch: char| ch.is_ascii_digit())
            {
                let pieces: Vec<&str> = after.split([',', ';', '(']).collect();
                let line = (2..=pieces.len().min(5)).rev().map(|n| pieces[..n].join(",")).find(|line| {
                    crate::instructions::shape::split_address(line).is_some_and(|a| a.city.is_some() && (a.state.is_some() || a.postal.is_some()) && a.postal.as_deref().is_some_and(|z| line.trim_end().ends_with(z)))
                });
                if let Some(line) = line {
                    push(Semantic::StreetAddress, party, Some("work".into()), line.trim(), "work address");
                }
            }
        }
        for c in VEHICLE.captures_iter(sentence) {
            let Some(all) = c.get(0) else { continue };
            let party = party_at(sentence, all.start(), story.as_deref());
            let year = c.get(2).or_else(|| c.get(6)).map(|m| m.as_str().trim());
            let said = [("vehicle color", c.get(1).map(|m| m.as_str())), ("vehicle year", year), ("vehicle make", c.get(3).map(|m| m.as_str())), ("vehicle model", c.get(4).map(|m| m.as_str()))];
            // A year or a color says it is a vehicle; two capitalised words alone do not.
            if year.is_some() || c.get(1).is_some() {
                for (label, value) in said {
                    if let Some(v) = value {
                        push(Semantic::Text, party.clone(), None, v, label);
                    }
                }
            }
        }
        for c in PLATE.captures_iter(sentence) {
            let (Some(all), Some(m)) = (c.get(0), c.get(1)) else { continue };
            if m.as_str().chars().any(|ch| ch.is_ascii_digit()) {
                push(Semantic::Text, party_at(sentence, all.start(), story.as_deref()), None, m.as_str(), "license plate");
            }
        }
        // "the Eleanor Voss Family Trust", "Mendoza Landscaping Inc.": an organization by
        // its legal form.
        for c in ORGANIZATION.captures_iter(sentence) {
            if let Some(m) = c.get(1) {
                push(Semantic::Organization, party_at(sentence, m.start(), story.as_deref()), None, m.as_str(), "organization name");
            }
        }
        // "Female.", "a white male", "weiblich": the sex adjectives (not "man"/"woman",
        // which are said of other people in passing).
        // A sentence naming both ("male or female") asks, it does not say.
        let sexes: Vec<regex::Match> = SEX_WORD.find_iter(sentence).collect();
        let female = |m: &regex::Match| m.as_str().to_lowercase().starts_with('f') || m.as_str().to_lowercase().starts_with("weib");
        let both = sexes.iter().any(female) && sexes.iter().any(|m| !female(m));
        for m in sexes.into_iter().filter(|_| !both) {
            push(Semantic::Sex, party_at(sentence, m.start(), story.as_deref()), None, m.as_str(), "sex");
        }
        for m in EMAIL.find_iter(sentence) {
            push(Semantic::Email, party_at(sentence, m.start(), story.as_deref()), None, m.as_str(), "email");
        }
        for m in SSN.find_iter(sentence) {
            let before = semantic::normalize(&sentence[..m.start()]);
            let kind = if before.ends_with("itin") || before.contains(" itin") { Semantic::Tin } else { Semantic::Ssn };
            push(kind, party_at(sentence, m.start(), story.as_deref()), None, m.as_str(), "ssn");
        }
        for m in EIN.find_iter(sentence) {
            push(Semantic::Ein, party_at(sentence, m.start(), story.as_deref()), None, m.as_str(), "ein");
        }
        for m in PHONE.find_iter(sentence) {
            if SSN.is_match(m.as_str()) {
                continue;
            }
            let qualifier = qualifier_at(sentence, m.start());
            let kind = if qualifier.as_deref() == Some("fax") { Semantic::Fax } else { Semantic::Tel };
            let qualifier = qualifier.filter(|q| q != "fax");
            push(kind, party_at(sentence, m.start(), story.as_deref()), qualifier, m.as_str(), "phone");
        }
        // "I live in Yokohama", "j'habite à Tokyo", "ich wohne in Berlin": the city someone
        // lives in, said without an address.
        for c in LIVES_IN.captures_iter(sentence) {
            let (Some(all), Some(m)) = (c.get(0), c.get(1)) else { continue };
            let city = m.as_str().trim();
            if !city.is_empty() && !sentence[all.end()..].trim_start().starts_with(|ch: char| ch.is_ascii_digit()) {
                push(Semantic::AddressLevel2, party_at(sentence, all.start(), story.as_deref()), Some("home".to_string()), city, "city");
            }
        }
        for m in ADDRESS_INTRO.find_iter(sentence) {
            let rest = &sentence[m.end()..];
            // A bare "wohnt" / "wohne" introduces an address only when a house number follows
            // ("Er wohnt 250 Bedford St", not "er wohnt seit 2019 in Berlin").
            let bare_verb = matches!(m.as_str().trim().to_lowercase().as_str(), "wohnt" | "wohne");
            if bare_verb && !rest.starts_with(|c: char| c.is_ascii_digit()) {
                continue;
            }
            // The address runs to the end of the sentence or to a clause that is no longer it.
            let end = rest
                .find(" and ")
                .filter(|&i| rest[..i].matches(',').count() >= 2)
                .or_else(|| rest.find(['(', ')', '"']))
                .unwrap_or(rest.len());
            let address = rest[..end].trim().trim_end_matches([',', '.']);
            if address.chars().any(|c| c.is_ascii_digit()) && address.len() <= 160 {
                // Where someone lives (now) is their home address: "he lives at …" fills a
                // "Home address" box before any other box of an address.
                let lives = LIVES.is_match(m.as_str());
                let qualifier = qualifier_at(sentence, m.end()).or_else(|| lives.then(|| "home".to_string()));
                push(Semantic::StreetAddress, party_at(sentence, m.start(), story.as_deref()), qualifier, address, "address");
            }
        }
        if introduces_subject {
            story = Some(THIRD_PARTY.into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn businesses_read_as_businesses() {
        assert!(reads_as_business("Brightwater Robotics LLC"));
        assert!(reads_as_business("Brightwater Robotics LLC, EIN 47-2291836"));
        assert!(reads_as_business("Acme Corp."));
        assert!(!reads_as_business("Jordan Avery"));
    }
    use serde_json::json;

    fn facts_of(value: Value) -> Vec<Fact> {
        let mut facts = Vec::new();
        from_record(&value, &mut facts);
        facts
    }

    #[test]
    fn records_of_any_shape() {
        let facts = facts_of(json!({"person": {"firstName": "Rosa", "dob": "1979-07-02", "mobile": "+1 937 555 0134",
            "social_security": "123-45-6789", "address": {"line1": "18 Birch Road", "zip": "45402"}},
            "spouse": {"name": {"first": "Tom", "last": "Castillo"}}}));
        let find = |source: &str| facts.iter().find(|f| f.source == format!("record {source}")).cloned().expect(source);
        assert_eq!(find("person.firstName").semantic, Some(Semantic::GivenName));
        assert_eq!(find("person.dob").semantic, Some(Semantic::Bday));
        let mobile = find("person.mobile");
        assert_eq!((mobile.semantic, mobile.qualifier.as_deref()), (Some(Semantic::Tel), Some("mobile")));
        assert_eq!(find("person.social_security").semantic, Some(Semantic::Ssn));
        assert_eq!(find("person.address.line1").semantic, Some(Semantic::StreetAddress));
        assert_eq!(find("person.address.zip").semantic, Some(Semantic::PostalCode));
        let last = find("spouse.name.last");
        assert_eq!((last.semantic, last.entity.as_deref(), last.qualifier), (Some(Semantic::FamilyName), Some("spouse"), None));
        // "last" in a family name's key is no earlier value; an old address's is.
        let facts = facts_of(json!({"lastName": "Keller", "last_address": "1 Elm St, Dayton, OH 45402"}));
        assert_eq!(facts[0].qualifier, None);
        assert_eq!(facts.iter().find(|f| f.source == "record last_address").and_then(|f| f.qualifier.as_deref()), Some("previous"));
        assert_eq!(find("person.firstName").entity.as_deref(), Some("person"));
        // A key that says date and birth in one, in any language, is a birth date.
        let facts = facts_of(json!({"demandado": {"fecha_nacimiento": "1990-08-14"}, "date_naissance": "1980-12-02",
            "fecha_boda": "2010-06-01"}));
        let find = |source: &str| facts.iter().find(|f| f.source == format!("record {source}")).cloned().expect(source);
        assert_eq!(find("demandado.fecha_nacimiento").semantic, Some(Semantic::Bday));
        assert_eq!(find("date_naissance").semantic, Some(Semantic::Bday));
        assert_ne!(find("fecha_boda").semantic, Some(Semantic::Bday));
        // A date under a key of signing is the date signed.
        let facts = facts_of(json!({"signed": "2025-06-02", "signature": "Ana Ruiz"}));
        assert_eq!(facts[0].semantic, Some(Semantic::DateSigned));
        assert_eq!(facts[1].semantic, Some(Semantic::Signature));
        // A unit's key in any language is the address's second line.
        let facts = facts_of(json!({"domicilio": {"direccion": "88 Shawmut Ave, Chelsea, MA 02150", "apto": "3L"}, "wohnung": "4"}));
        assert!(facts.iter().filter(|f| f.source != "record domicilio.direccion").all(|f| f.semantic == Some(Semantic::AddressLine2)));
    }

    #[test]
    fn names_annotated_with_their_parts() {
        let parts = |text: &str| {
            let (cleaned, names) = explicit_name_parts(text);
            let name = names.first().map(|(_, n)| (n.given.clone(), n.middle.clone(), n.family.clone()));
            (cleaned, name)
        };
        let s = |t: &str| t.to_string();
        assert_eq!(
            parts("My full name is Nadia Farah Haddad (Haddad is my family name, Farah is my middle name)."),
            (s("My full name is Nadia Farah Haddad."), Some((s("Nadia"), Some(s("Farah")), s("Haddad"))))
        );
        assert_eq!(parts("Client: Yesenia Paola Gutiérrez Soto (family names Gutiérrez Soto)").1, Some((s("Yesenia"), Some(s("Paola")), s("Gutiérrez Soto"))));
        assert_eq!(parts("- Jamal R. Price (Price = last name)").1, Some((s("Jamal"), Some(s("R.")), s("Price"))));
        assert_eq!(parts("Veterano: José M. Colón Ortiz (nombre José, inicial M, apellidos Colón Ortiz)").1, Some((s("José"), Some(s("M.")), s("Colón Ortiz"))));
        assert_eq!(parts("Applicant: Fatima Zahra Benali (first name Fatima, middle Zahra)").1, Some((s("Fatima"), Some(s("Zahra")), s("Benali"))));
        assert_eq!(parts("Mary Ann Lee (no middle name)").1, None);
        // The family name first, as the annotation says.
        assert_eq!(parts("Beneficiary: Zhang Wei (family name Zhang, given name Wei)").1, Some((s("Wei"), None, s("Zhang"))));
        assert_eq!(parts("Kim Min-jun (family name Kim)").1, Some((s("Min-jun"), None, s("Kim"))));
        assert_eq!(parts("Mercy Hospital (a nonprofit)").1, None);
    }

    #[test]
    fn citizenship_and_home_city_in_notes() {
        let mut facts = Vec::new();
        from_prose("- Filipino citizen\n- I live in Quezon City.\n- my marriage to a U.S. citizen", &mut facts);
        let of = |s: Semantic| facts.iter().filter(|f| f.semantic == Some(s)).map(|f| f.value.text()).collect::<Vec<_>>();
        assert_eq!(of(Semantic::Country), vec!["Philippines".to_string()]);
        assert_eq!(of(Semantic::AddressLevel2), vec!["Quezon City".to_string()]);
    }

    #[test]
    fn prose_by_shape_and_words() {
        let mut facts = Vec::new();
        from_prose(
            "Hi! I'm Rosa Maria Castillo, born July 2, 1979. My husband Tom was born 3/4/1975. I moved to 18 Birch Road Apt 3, Dayton, OH 45402; before that I lived at 9 Elm St, Xenia, OH 45385. Cell: (937) 555-0134, email rosa@example.com.",
            &mut facts,
        );
        let of = |s: Semantic| facts.iter().filter(|f| f.semantic == Some(s)).map(|f| (f.value.text(), f.entity.clone(), f.qualifier.clone())).collect::<Vec<_>>();
        assert_eq!(of(Semantic::Name), vec![("Rosa Maria Castillo".into(), None, None)]);
        assert_eq!(of(Semantic::Bday), vec![("July 2, 1979".into(), None, None), ("3/4/1975".into(), Some("spouse".into()), None)]);
        assert_eq!(
            of(Semantic::StreetAddress),
            vec![("18 Birch Road Apt 3, Dayton, OH 45402".into(), None, None), ("9 Elm St, Xenia, OH 45385".into(), None, Some("previous".into()))]
        );
        assert_eq!(of(Semantic::Tel), vec![("(937) 555-0134".into(), None, Some("mobile".into()))]);
        assert_eq!(of(Semantic::Email), vec![("rosa@example.com".into(), None, None)]);
        // Parents, work and the place of birth said in sentences, in four languages.
        let mut facts = Vec::new();
        from_prose(
            "I was born in Lowell, MA. His father is Wayne Lyle Sr. Last four of his social: 6621. Ma mère s'appelait Guerline Joseph avant son mariage. I work as a line cook at Tony's. Ich arbeite als Pflegerin.",
            &mut facts,
        );
        let of = |s: Semantic| facts.iter().filter(|f| f.semantic == Some(s)).map(|f| (f.value.text(), f.entity.clone())).collect::<Vec<_>>();
        assert_eq!(of(Semantic::Name), vec![("Wayne Lyle Sr.".into(), Some("father".into())), ("Guerline Joseph".into(), Some("mother".into()))]);
        assert_eq!(of(Semantic::OrganizationTitle), vec![("line cook".into(), None), ("Pflegerin".into(), None)]);
        let place = facts.iter().find(|f| f.label == PATTERN_LABELS[0]).map(|f| f.value.text());
        assert_eq!(place.as_deref(), Some("Lowell, MA"));
        // The employer and its address after the work.
        let mut facts = Vec::new();
        from_prose("He works as a mechanic at Kittredge Auto Body, 550 Middlesex St, Lowell, MA 01851, hours 7am-3:30pm.", &mut facts);
        let said: Vec<(Option<Semantic>, String, Option<String>)> = facts.iter().map(|f| (f.semantic, f.value.text(), f.qualifier.clone())).collect();
        assert!(said.contains(&(Some(Semantic::Organization), "Kittredge Auto Body".into(), Some("work".into()))), "{said:?}");
        assert!(said.contains(&(Some(Semantic::StreetAddress), "550 Middlesex St, Lowell, MA 01851".into(), Some("work".into()))), "{said:?}");
        // An abbreviation's period before a pronoun ends the sentence.
        assert_eq!(sentences("His father is Wayne Lyle Sr. He lives in St. Louis."), vec!["His father is Wayne Lyle Sr.", " He lives in St. Louis."]);
        assert_eq!(sentences("Vive en St. Élise. Él trabaja.").len(), 2);
        // A relative said in passing does not change who "he" is.
        let mut facts = Vec::new();
        from_prose("This is the defendant's sheet. His father is Wayne Lyle Sr. He lives at 19 Bridge St, Lowell, MA 01852.", &mut facts);
        let address = facts.iter().find(|f| f.semantic == Some(Semantic::StreetAddress)).and_then(|f| f.entity.clone());
        assert_eq!(address.as_deref(), Some("defendant"));
        // A vehicle and its plate.
        let mut facts = Vec::new();
        from_prose("He drives a black 2016 Ford F-150, plate 4TR-K91. Car: white 2019 Nissan Rogue", &mut facts);
        let said: Vec<(String, String)> = facts.iter().map(|f| (f.label.clone(), f.value.text())).collect();
        for (label, value) in [("vehicle color", "black"), ("vehicle year", "2016"), ("vehicle make", "Ford"), ("vehicle model", "F-150"), ("license plate", "4TR-K91"), ("vehicle make", "Nissan"), ("vehicle model", "Rogue")] {
            assert!(said.contains(&(label.to_string(), value.to_string())), "{label} = {value} in {said:?}");
        }
        // Citizenship in four languages.
        let mut facts = Vec::new();
        from_prose("Es ciudadano mexicano. Elle est citoyenne française. Er ist deutscher Staatsbürger. She's a Filipino citizen.", &mut facts);
        let countries: Vec<String> = facts.iter().filter(|f| f.semantic == Some(Semantic::Country)).map(|f| f.value.text()).collect();
        assert_eq!(countries, vec!["Mexico", "France", "Germany", "Philippines"]);
        // "Er wohnt 250 Bedford St, …" is an address; "er wohnt seit 2019 in Berlin" is not.
        let mut facts = Vec::new();
        from_prose("Er wohnt 250 Bedford St, New Bedford, MA 02740. Sie wohnt seit 2019 in Berlin.", &mut facts);
        let addresses: Vec<String> = facts.iter().filter(|f| f.semantic == Some(Semantic::StreetAddress)).map(|f| f.value.text()).collect();
        assert_eq!(addresses, vec!["250 Bedford St, New Bedford, MA 02740".to_string()]);
        // Where someone lives is their home address.
        let mut facts = Vec::new();
        from_prose("He lives at 19 Bridge St, Lowell, MA 01852. Send mail to PO Box 7, Lowell, MA 01853.", &mut facts);
        let addresses: Vec<Option<String>> = facts.iter().filter(|f| f.semantic == Some(Semantic::StreetAddress)).map(|f| f.qualifier.clone()).collect();
        assert_eq!(addresses, vec![Some("home".to_string()), Some("mailing".to_string())]);
    }

    #[test]
    fn dates_of_signing() {
        for (text, date) in [
            ("I'm Keisha Morrow and I'm signing on 09/23/2025.", "09/23/2025"),
            ("Wir unterschreiben beide am 3. Februar 2025.", "3. Februar 2025"),
            ("Je signe à Tours le 22 mars 2024.", "22 mars 2024"),
            ("Firmo el 2 de mayo de 2025.", "2 de mayo de 2025"),
            ("Today is March 3, 2025.", "March 3, 2025"),
        ] {
            let mut facts = Vec::new();
            from_prose(text, &mut facts);
            let signed: Vec<String> = facts.iter().filter(|f| f.semantic == Some(Semantic::DateSigned)).map(|f| f.value.text()).collect();
            assert_eq!(signed, vec![date.to_string()], "{text}");
        }
        let mut facts = Vec::new();
        from_prose("I was born on 05/05/1985 and moved on 3 June 2019.", &mut facts);
        assert!(facts.iter().all(|f| f.semantic != Some(Semantic::DateSigned)));
    }

    #[test]
    fn the_person_a_form_is_filed_for() {
        let mut facts = Vec::new();
        from_prose("The petitioner is Acme Robotics LLC. We're sponsoring Arjun Mehta. He was born on February 11, 1990.", &mut facts);
        let of = |s: Semantic| facts.iter().filter(|f| f.semantic == Some(s)).map(|f| (f.value.text(), f.entity.clone())).collect::<Vec<_>>();
        assert_eq!(of(Semantic::Name), vec![("Arjun Mehta".into(), Some(THIRD_PARTY.into()))]);
        // "He" is the person sponsored, not the petitioner named before him.
        assert_eq!(of(Semantic::Bday), vec![("February 11, 1990".into(), Some(THIRD_PARTY.into()))]);
    }

    #[test]
    fn record_qualifiers_and_business_names() {
        let facts = facts_of(json!({"mailing_address": {"street": "915 E Pine St"}, "business": {"address": "410 Main Ave N, Twin Falls, ID 83301"}}));
        let qualifier = |source: &str| facts.iter().find(|f| f.source == format!("record {source}")).and_then(|f| f.qualifier.clone());
        assert_eq!(qualifier("mailing_address.street").as_deref(), Some("mailing"));
        assert_eq!(qualifier("business.address"), None);
        assert!(reads_as_business("Lakeshore State University"));
        assert_eq!(without_final_stop("Halvorsen Maritime Inc."), "Halvorsen Maritime Inc.");
        assert_eq!(without_final_stop("Seattle."), "Seattle");
    }
}
