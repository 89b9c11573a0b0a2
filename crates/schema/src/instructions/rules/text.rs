//! Words for matching: folding, tokens with synonyms, the "self" class of possessives, stop
//! words and a light stemmer; quotes, yes/no words and numbers in values.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

/// The token every way of saying "the person filling the form" becomes ("your", "my",
/// "taxpayer's", "applicant's").
pub(super) const SELF: &str = "self";

/// Words naming whose data a field holds. A query and a label must agree on them: "spouse's
/// first name" never fills "Your first name".
const ROLES: &[&str] = &[
    SELF,
    "spouse",
    "partner",
    "child",
    "dependent",
    "buyer",
    "seller",
    "purchaser",
    "vendor",
    "employer",
    "employee",
    "preparer",
    "interpreter",
    "translator",
    "attorney",
    "agent",
    "parent",
    "guardian",
    "owner",
    "co",
    "witness",
    "beneficiary",
    "representative",
    "recipient",
    "payer",
    "payee",
    "requester",
    "landlord",
    "tenant",
    "lender",
    "borrower",
    "father",
    "mother",
    "student",
    "patient",
    "physician",
    "doctor",
    "insured",
    "member",
    "sponsor",
    "petitioner",
    "contact",
    "emergency",
    "company",
    "organization",
    "veteran",
    "claimant",
];

/// Words that narrow what a field holds ("first date", "daytime phone", "home address"):
/// a one-word name never matches a label with one of them it does not say.
const QUALIFIERS: &[&str] = &[
    "first",
    "last",
    "middle",
    "maiden",
    "previous",
    "former",
    "prior",
    "other",
    "alternate",
    "additional",
    "second",
    "secondary",
    "third",
    "birth",
    "death",
    "expiration",
    "expiry",
    "issue",
    "issued",
    "start",
    "end",
    "beginning",
    "ending",
    "effective",
    "hire",
    "hired",
    "injury",
    "termination",
    "foreign",
    "home",
    "work",
    "business",
    "mailing",
    "daytime",
    "evening",
    "mobile",
    "cell",
    "fax",
    "new",
    "old",
    "current",
];

/// Words that say which part of a person's name a field holds.
pub(super) const NAME_PARTS: &[&str] = &["first", "last", "middle"];

const SELF_WORDS: &[&str] = &[
    "your",
    "you",
    "yours",
    "yourself",
    "my",
    "me",
    "mine",
    "our",
    "ours",
    "taxpayer",
    "applicant",
    "self",
];

const STOP_WORDS: &[&str] = &[
    "a",
    "an",
    "the",
    "of",
    "for",
    "to",
    "in",
    "on",
    "at",
    "by",
    "with",
    "from",
    "and",
    "or",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "this",
    "that",
    "these",
    "those",
    "please",
    "enter",
    "here",
    "if",
    "any",
    "field",
    "fields",
    "box",
    "boxes",
    "checkbox",
    "checkboxes",
    "line",
    "question",
    "item",
    "as",
    "it",
    "its",
    "their",
    "his",
    "her",
    "print",
    "provide",
    "fill",
    "write",
    "do",
    "does",
    "only",
    "see",
    "instruction",
    "instructions",
    "optional",
    "following",
    "value",
    "entry",
    "space",
    "should",
    "will",
    "must",
    "check",
    "select",
    "mark",
    "tick",
    "option",
    "answer",
];

/// One word becoming several (abbreviations) or another (spellings).
const EXPANSIONS: &[(&str, &[&str])] = &[
    ("ssn", &["social", "security", "number"]),
    ("ein", &["employer", "identification", "number"]),
    ("tin", &["taxpayer", "identification", "number"]),
    ("dob", &["date", "birth"]),
    ("birthdate", &["date", "birth"]),
    ("birthday", &["date", "birth"]),
    ("zipcode", &["zip", "code"]),
    ("postcode", &["zip", "code"]),
    ("postal", &["zip"]),
    ("surname", &["last", "name"]),
    ("lastname", &["last", "name"]),
    ("firstname", &["first", "name"]),
    ("forename", &["first", "name"]),
    ("middlename", &["middle", "name"]),
    ("telephone", &["phone"]),
    ("tel", &["phone"]),
    ("addr", &["address"]),
    ("apt", &["apartment"]),
    ("no", &["number"]),
    ("num", &["number"]),
    ("nbr", &["number"]),
    ("amt", &["amount"]),
    ("dept", &["department"]),
    ("yr", &["year"]),
];

/// Words of German, French and Spanish forms and requests in the English the matcher
/// compares, applied to labels and requests alike: "Lieu de naissance", "Geburtsort" and
/// "Birthplace" all read "place birth". Only words that name what a box asks, with one
/// meaning on forms; names of people's name parts are left to the field model ("nom" is a
/// family name in French, "nombre" a given name in Spanish).
const GLOSSARY: &[(&str, &[&str])] = &[
    ("birthplace", &["place", "birth"]),
    ("geburtsort", &["place", "birth"]),
    ("geburtsdatum", &["date", "birth"]),
    ("lieu", &["place"]),
    ("lugar", &["place"]),
    ("naissance", &["birth"]),
    ("nacimiento", &["birth"]),
    ("geburt", &["birth"]),
    ("datum", &["date"]),
    ("fecha", &["date"]),
    ("job", &["occupation"]),
    ("beruf", &["occupation"]),
    ("profession", &["occupation"]),
    ("ocupacion", &["occupation"]),
    ("profesion", &["occupation"]),
    ("arbeitgeber", &["employer"]),
    ("employeur", &["employer"]),
    ("empleador", &["employer"]),
    ("arbeitnehmer", &["employee"]),
    ("trabajador", &["employee"]),
    ("trabajadora", &["employee"]),
    ("empleado", &["employee"]),
    ("empleada", &["employee"]),
    ("salarie", &["employee"]),
    ("staatsangehorigkeit", &["nationality"]),
    ("nationalite", &["nationality"]),
    ("nacionalidad", &["nationality"]),
    ("geschlecht", &["sex"]),
    ("sexe", &["sex"]),
    ("sexo", &["sex"]),
    ("gender", &["sex"]),
    ("unterschrift", &["signature"]),
    ("telefon", &["phone"]),
    ("telefono", &["phone"]),
    ("telephone", &["phone"]),
    ("courriel", &["email"]),
    ("correo", &["email"]),
    ("adresse", &["address"]),
    ("anschrift", &["address"]),
    ("direccion", &["address"]),
    ("domicilio", &["address"]),
    ("ehegatte", &["spouse"]),
    ("ehepartner", &["spouse"]),
    ("conjoint", &["spouse"]),
    ("conjointe", &["spouse"]),
    ("conyuge", &["spouse"]),
    ("vater", &["father"]),
    ("pere", &["father"]),
    ("padre", &["father"]),
    ("mutter", &["mother"]),
    ("mere", &["mother"]),
    ("madre", &["mother"]),
    ("medico", &["physician"]),
    ("medecin", &["physician"]),
    ("arzt", &["physician"]),
    ("doctor", &["physician"]),
    ("vorname", &["first", "name"]),
    ("prenom", &["first", "name"]),
    ("nachname", &["last", "name"]),
    ("familienname", &["last", "name"]),
    ("apellido", &["last", "name"]),
    ("apellidos", &["last", "name"]),
    ("ciudad", &["city"]),
    ("ville", &["city"]),
    ("stadt", &["city"]),
    ("calle", &["street"]),
    ("rue", &["street"]),
    ("strasse", &["street"]),
    ("plz", &["zip", "code"]),
    ("postleitzahl", &["zip", "code"]),
    ("alkohol", &["alcohol"]),
    ("alcool", &["alcohol"]),
    ("drogen", &["drug"]),
    ("drogues", &["drug"]),
    ("drogas", &["drug"]),
    ("polizei", &["police"]),
    ("policia", &["police"]),
    ("englisch", &["english"]),
    ("anglais", &["english"]),
    ("ingles", &["english"]),
    ("foto", &["photo"]),
    ("waffe", &["weapon"]),
    ("waffen", &["weapon"]),
    ("armes", &["weapon"]),
    ("armas", &["weapon"]),
    ("kinder", &["children"]),
    ("enfants", &["children"]),
    ("hijos", &["children"]),
    ("gewicht", &["weight"]),
    ("poids", &["weight"]),
    ("peso", &["weight"]),
];

/// Form vocabulary of German, French and Spanish in the English the matcher compares, one
/// `word or phrase<TAB>english words` per line (see `lexicon/README.md`): the long tail
/// beside [`GLOSSARY`], which wins where both have a word.
const LEXICON_FILES: [&str; 3] = [
    include_str!("lexicon/de.tsv"),
    include_str!("lexicon/fr.tsv"),
    include_str!("lexicon/es.tsv"),
];

/// The lexicon, folded like the words it is compared with.
struct Lexicon {
    words: HashMap<String, Vec<String>>,
    /// Phrases of two or three words, joined by one space.
    phrases: HashMap<String, Vec<String>>,
    /// First words of the phrases, so most words cost one lookup.
    phrase_starts: HashSet<String>,
}

/// English words on most forms. The lexicon has no word one typing error away from one of
/// them ("Frist", German for deadline, is "first" typed in haste): those are left to the typo
/// correction (`tools/lexicon_filter.py` drops them; a test checks).
#[cfg(test)]
const CORE_FORM_WORDS: &[&str] = &[
    "first", "last", "middle", "name", "names", "date", "birth", "address", "street", "city", "state", "zip", "code",
    "phone", "number", "email", "country", "county", "signature", "sign", "signed", "title", "employer", "spouse",
    "child", "parent", "mother", "father", "amount", "total", "income", "social", "security", "account", "bank",
    "apartment", "suite", "unit", "floor", "home", "work", "mobile", "cell", "fax", "gender", "male", "female",
    "status", "single", "married", "business", "company", "owner", "school", "court", "case", "type", "other",
    "place", "year", "month", "day", "age", "sex", "relationship", "occupation", "nationality", "citizenship",
    "passport", "license", "vehicle", "make", "model", "insurance", "policy", "member", "contact", "emergency",
];

static LEXICON: LazyLock<Lexicon> = LazyLock::new(|| {
    let mut lexicon = Lexicon { words: HashMap::new(), phrases: HashMap::new(), phrase_starts: HashSet::new() };
    for line in LEXICON_FILES.iter().flat_map(|f| f.lines()) {
        let Some((from, to)) = line.split_once('\t') else { continue };
        let from = words(from);
        let to: Vec<String> = to.split_whitespace().map(str::to_string).collect();
        if to.is_empty() {
            continue;
        }
        match from.as_slice() {
            [] => {}
            [word] => {
                lexicon.words.entry(word.clone()).or_insert(to);
            }
            [first, ..] if from.len() <= 3 => {
                lexicon.phrase_starts.insert(first.clone());
                lexicon.phrases.entry(from.join(" ")).or_insert(to);
            }
            _ => {}
        }
    }
    lexicon
});

impl Lexicon {
    /// The longest phrase starting at `raw[0]`: how many words it takes and its English.
    fn phrase_at(&self, raw: &[String]) -> Option<(usize, &[String])> {
        if !self.phrase_starts.contains(raw.first()?) {
            return None;
        }
        (2..=raw.len().min(3)).rev().find_map(|n| self.phrases.get(&raw[..n].join(" ")).map(|to| (n, to.as_slice())))
    }
}

/// Articles and particles of German, French and Spanish labels.
const FOREIGN_STOP_WORDS: &[&str] = &[
    "de", "du", "des", "la", "les", "el", "los", "las", "del", "der", "die", "das", "den", "dem", "und", "et", "y", "en",
    "au", "aux", "al",
];

/// Two words becoming one or two others.
const PAIRS: &[(&str, &str, &[&str])] = &[
    ("e", "mail", &["email"]),
    ("family", "name", &["last", "name"]),
    ("given", "name", &["first", "name"]),
    ("united", "states", &["us"]),
    ("zip", "code", &["zip", "code"]),
];

/// Letters and digits only, lower case: two writings of one value compare equal
/// ("412-55-0987" and "412 55 0987").
pub(super) fn alnum_fold(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Lower case with common Latin accents folded (é -> e, ß -> s); other scripts kept.
pub(super) fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        let folded = match ch {
            'à'..='å' | 'À'..='Å' | 'ā' | 'ă' | 'ą' => 'a',
            'ç' | 'ć' | 'č' | 'Ç' | 'Ć' | 'Č' => 'c',
            'è'..='ë' | 'È'..='Ë' | 'ę' | 'ě' | 'ē' => 'e',
            'ì'..='ï' | 'Ì'..='Ï' => 'i',
            'ñ' | 'ń' | 'ň' | 'Ñ' | 'Ń' | 'Ň' => 'n',
            'ò'..='ö' | 'ø' | 'ő' | 'Ò'..='Ö' | 'Ø' | 'Ő' => 'o',
            'ù'..='ü' | 'ů' | 'ű' | 'Ù'..='Ü' | 'Ů' | 'Ű' => 'u',
            'ý' | 'ÿ' | 'Ý' => 'y',
            'ß' => 's',
            'ł' | 'Ł' => 'l',
            'ś' | 'š' | 'Ś' | 'Š' => 's',
            'ź' | 'ż' | 'ž' | 'Ź' | 'Ż' | 'Ž' => 'z',
            'ř' | 'Ř' => 'r',
            'ť' | 'Ť' => 't',
            'ď' | 'Ď' => 'd',
            '’' | '‘' | '`' | '´' => '\'',
            '“' | '”' | '„' => '"',
            _ => {
                for lower in ch.to_lowercase() {
                    out.push(lower);
                }
                continue;
            }
        };
        out.push(folded);
    }
    out
}

/// PDF name escapes left in option labels (`m#c3#a4nnlich`) decoded (`männlich`) when they
/// form UTF-8; the text unchanged otherwise.
pub(super) fn decode_name_escapes(text: &str) -> String {
    if !text.contains('#') {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        // Only escapes inside a word ("m#c3#a4nnlich", "kein#20Eintrag"): "Item #41" stays.
        let inside_word = out
            .last()
            .is_some_and(|b: &u8| b.is_ascii_alphanumeric() || *b >= 0x80);
        if bytes[i] == b'#'
            && inside_word
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Raw lower-case words: letters and digits; possessive `'s` dropped, apostrophes joined
/// ("don't" -> dont), dots inside short abbreviations joined ("U.S." -> us, "P.O." -> po),
/// `#` read as "number", `&` as "and".
pub(super) fn words(text: &str) -> Vec<String> {
    let text = fold(&decode_name_escapes(text));
    let chars: Vec<char> = text.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    let flush = |current: &mut String, words: &mut Vec<String>| {
        if !current.is_empty() {
            words.push(std::mem::take(current));
        }
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let after = chars.get(i + 2).copied();
        if c.is_alphanumeric() {
            current.push(c);
        } else if c == '\'' && !current.is_empty() {
            // Possessive 's / s' and elisions: the apostrophe joins or ends the word.
            if next == Some('s') && !after.is_some_and(char::is_alphanumeric) {
                i += 2;
                flush(&mut current, &mut words);
                continue;
            }
            if !next.is_some_and(char::is_alphanumeric) {
                flush(&mut current, &mut words);
            }
            // French elisions ("l'audit", "d'adhérent", "qu'il"): the particle is no word.
            if next.is_some_and(char::is_alphabetic) && matches!(current.as_str(), "l" | "d" | "j" | "m" | "n" | "s" | "t" | "c" | "qu") {
                current.clear();
            }
        } else if c == '.'
            && !current.is_empty()
            && current.chars().count() <= 2
            && next.is_some_and(char::is_alphanumeric)
        {
            // "u.s", "p.o", "4.95": keep going in the same word.
        } else if c == '#' {
            flush(&mut current, &mut words);
            words.push("number".into());
        } else if c == '&' {
            flush(&mut current, &mut words);
            words.push("and".into());
        } else {
            flush(&mut current, &mut words);
        }
        i += 1;
    }
    flush(&mut current, &mut words);
    words
}

/// Content tokens of a label or of what an instruction calls a field: synonyms applied,
/// possessives of the form's person as [`SELF`], stop words dropped, plurals stemmed,
/// duplicates removed. "self" is dropped when another role is named ("your spouse's name").
pub(super) fn tokens(text: &str) -> Vec<String> {
    let raw = words(text);
    let mut expanded: Vec<String> = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if let Some(next) = raw.get(i + 1)
            && let Some((_, _, to)) = PAIRS.iter().find(|(a, b, _)| *a == raw[i] && *b == next)
        {
            expanded.extend(to.iter().map(|s| s.to_string()));
            i += 2;
            continue;
        }
        if let Some((n, to)) = LEXICON.phrase_at(&raw[i..]) {
            expanded.extend(to.iter().cloned());
            i += n;
            continue;
        }
        match EXPANSIONS.iter().chain(GLOSSARY).find(|(from, _)| *from == raw[i]) {
            Some((_, to)) => expanded.extend(to.iter().map(|s| s.to_string())),
            None => match LEXICON.words.get(&raw[i]) {
                Some(to) => expanded.extend(to.iter().cloned()),
                None => expanded.push(raw[i].clone()),
            },
        }
        i += 1;
    }
    let mut out: Vec<String> = Vec::with_capacity(expanded.len());
    let mut seen = std::collections::HashSet::new();
    for word in expanded {
        let word = if SELF_WORDS.contains(&word.as_str()) {
            SELF.to_string()
        } else {
            word
        };
        if STOP_WORDS.contains(&word.as_str()) || FOREIGN_STOP_WORDS.contains(&word.as_str()) {
            continue;
        }
        let word = stem(&word);
        if seen.insert(word.clone()) {
            out.push(word);
        }
    }
    drop_self_beside_other_role(&mut out);
    out
}

/// "your spouse's", "my child's": the other person is meant.
pub(super) fn drop_self_beside_other_role(tokens: &mut Vec<String>) {
    if tokens.iter().any(|t| t != SELF && is_role(t)) {
        tokens.retain(|t| t != SELF);
    }
}

/// Plural and third-person `s` removed from longer words ("names" -> name, "boxes" -> box,
/// "cities" -> city); "status", "address", "this" kept.
pub(super) fn stem(word: &str) -> String {
    let n = word.chars().count();
    if n <= 3 || !word.chars().all(|c| c.is_alphabetic()) {
        return word.to_string();
    }
    if let Some(base) = word.strip_suffix("ies") {
        return format!("{base}y");
    }
    for suffix in ["sses", "xes", "ches", "shes"] {
        if word.ends_with(suffix) {
            return word[..word.len() - 2].to_string();
        }
    }
    if word.ends_with("ss") || word.ends_with("us") || word.ends_with("is") {
        return word.to_string();
    }
    let word = word.strip_suffix('s').unwrap_or(word);
    derived_base(word)
}

/// The base a verb or noun is derived from, for long English words: "arrived", "arrival"
/// -> "arriv"; "expires", "expiration" -> "expire"; so a sentence's verb finds the label's
/// noun ("last arrived" / "Date of Last Arrival").
fn derived_base(word: &str) -> String {
    if word.chars().count() < 6 || !word.is_ascii() {
        return word.to_string();
    }
    // (A final "e" stays, or "spouse" and "mobile" would read as other words; word lists
    // compared with tokens hold their stems too: see `with_stems`.)
    for (suffix, ending) in [("ation", "e"), ("ing", ""), ("ed", ""), ("al", "")] {
        if let Some(base) = word.strip_suffix(suffix)
            && base.len() >= 4
        {
            return format!("{base}{ending}");
        }
    }
    word.to_string()
}

/// A word list as tokens read it: each word and its stem.
fn with_stems(words: &[&str]) -> std::collections::HashSet<String> {
    words.iter().flat_map(|w| [w.to_string(), stem(w)]).collect()
}

static ROLE_TOKENS: LazyLock<std::collections::HashSet<String>> = LazyLock::new(|| with_stems(ROLES));
static QUALIFIER_TOKENS: LazyLock<std::collections::HashSet<String>> = LazyLock::new(|| with_stems(QUALIFIERS));

pub(super) fn is_role(token: &str) -> bool {
    ROLE_TOKENS.contains(token)
}

pub(super) fn has_role(tokens: &[String]) -> bool {
    tokens.iter().any(|t| is_role(t))
}

pub(super) fn roles(tokens: &[String]) -> Vec<String> {
    tokens.iter().filter(|t| is_role(t)).cloned().collect()
}

pub(super) fn is_qualifier(token: &str) -> bool {
    QUALIFIER_TOKENS.contains(token)
}

pub(super) fn is_name_part(token: &str) -> bool {
    NAME_PARTS.contains(&token)
}

/// The text without one pair of surrounding quotes.
pub(super) fn unquote(text: &str) -> &str {
    let t = text.trim();
    // A quoted value the sentence goes on after ("\"Eagle Creek\" and it affects …"): the
    // quotes mark where the value ends.
    for (open, close) in [('"', '"'), ('“', '”'), ('«', '»'), ('„', '“')] {
        if let Some(rest) = t.strip_prefix(open)
            && let Some(end) = rest.find(close)
            && end > 0
        {
            let after = rest[end + close.len_utf8()..].trim_start();
            let goes_on = [" and ", ", ", "; ", " but ", " (", " und ", " et ", " y "].iter().any(|c| format!(" {after}").starts_with(c))
                || after.starts_with([',', ';', '(']);
            if goes_on && !after.is_empty() {
                return rest[..end].trim();
            }
        }
    }
    for (open, close) in [
        ('"', '"'),
        ('\'', '\''),
        ('“', '”'),
        ('‘', '’'),
        ('`', '`'),
        ('«', '»'),
        ('„', '“'),
    ] {
        if t.chars().count() >= 2
            && let Some(inner) = t.strip_prefix(open).and_then(|r| r.strip_suffix(close))
            && !inner.contains(close)
        {
            return inner.trim();
        }
    }
    t
}

/// A yes/no word as a boolean.
pub(super) fn boolean_word(text: &str) -> Option<bool> {
    let t = fold(unquote(text));
    let t = t.trim().trim_end_matches(['.', '!']);
    match t {
        "yes" | "y" | "true" | "checked" | "check" | "x" | "✓" | "✔" | "☑" | "on" | "selected"
        | "ticked" | "tick" | "marked" | "check it" | "checked yes" => Some(true),
        "no" | "n" | "false" | "unchecked" | "off" | "unselected" | "not checked" | "unticked"
        | "unmarked" => Some(false),
        _ => None,
    }
}

/// The answer a value gives to a yes/no question: a yes/no word, one leading a detail
/// ("yes - opioids", "no, never"), or a word that denies ("none", "never"), in the four
/// languages.
pub(super) fn answer_word(text: &str) -> Option<bool> {
    if let Some(on) = boolean_word(text) {
        return Some(on);
    }
    let t = fold(unquote(text));
    let t = t.trim().trim_end_matches(['.', '!']);
    let lead = t.split([',', ';', '(', ' ']).next().unwrap_or_default().trim();
    let detail_follows = t.len() > lead.len() && t[lead.len()..].trim_start().starts_with(['-', ',', ';', '(', ':', '\u{2013}', '\u{2014}']);
    match lead {
        "yes" | "ja" | "oui" | "si" | "sí" if detail_follows || lead == t => Some(true),
        "no" | "nein" | "non" if detail_follows || lead == t => Some(false),
        // "none", "none available", "never violent": a denying word leads a short answer.
        "none" | "never" | "nope" | "keine" | "kein" | "nie" | "aucun" | "aucune" | "jamais" | "ninguno" | "ninguna" | "nunca"
            if t.split_whitespace().count() <= 4 =>
        {
            Some(false)
        }
        _ => None,
    }
}

/// Words saying "nothing here" in a value ("Middle name: leave blank").
pub(super) fn is_blank_word(text: &str) -> bool {
    let t = fold(unquote(text));
    let t = t
        .trim()
        .trim_matches(|c: char| matches!(c, '(' | ')' | '[' | ']' | '.'));
    matches!(
        t,
        "blank"
            | "leave blank"
            | "leave it blank"
            | "leave empty"
            | "empty"
            | "nothing"
            | "leave this blank"
    )
}

/// A written amount as a number: `$1,234.56`, `1234.56`, `-5`, `(12.50)` (negative),
/// `€ 3`, `12 USD`. Text with anything else is not a number.
pub(super) fn parse_number(text: &str) -> Option<f64> {
    let mut t = unquote(text).trim().to_string();
    let mut negative = false;
    if t.starts_with('(') && t.ends_with(')') {
        negative = true;
        t = t[1..t.len() - 1].trim().to_string();
    }
    if let Some(rest) = t.strip_prefix('-').or_else(|| t.strip_prefix('−')) {
        negative = !negative;
        t = rest.trim().to_string();
    }
    for symbol in ['$', '€', '£', '¥'] {
        if let Some(rest) = t.strip_prefix(symbol) {
            t = rest.trim().to_string();
        }
        if let Some(rest) = t.strip_suffix(symbol) {
            t = rest.trim().to_string();
        }
    }
    for code in [" usd", " eur", " gbp", " dollars"] {
        if t.to_lowercase().ends_with(code) {
            t = t[..t.len() - code.len()].trim().to_string();
        }
    }
    if let Some(rest) = t.strip_prefix('-') {
        negative = !negative;
        t = rest.to_string();
    }
    let valid_grouping = {
        let int_part = t.split('.').next().unwrap_or_default();
        !int_part.contains(',') || {
            let groups: Vec<&str> = int_part.split(',').collect();
            groups.first().is_some_and(|g| (1..=3).contains(&g.len()))
                && groups.iter().skip(1).all(|g| g.len() == 3)
        }
    };
    if !valid_grouping || t.is_empty() {
        return None;
    }
    let plain: String = t.chars().filter(|c| *c != ',').collect();
    let mut dots = 0;
    for (i, c) in plain.chars().enumerate() {
        match c {
            '0'..='9' => {}
            '.' if i > 0 || plain.len() > 1 => dots += 1,
            _ => return None,
        }
    }
    if dots > 1 || plain.ends_with('.') {
        return None;
    }
    let value: f64 = plain.parse().ok()?;
    value
        .is_finite()
        .then_some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_end_a_value() {
        assert_eq!(unquote("\"Eagle Creek\""), "Eagle Creek");
        assert_eq!(unquote("\"Restoring Eagle Creek\" and it affects Clackamas County"), "Restoring Eagle Creek");
        assert_eq!(unquote("“Blue Sky”, due in May"), "Blue Sky");
        // Quotes inside a value are part of it.
        assert_eq!(unquote("\"Doc\" Holliday"), "\"Doc\" Holliday");
        // "our" is the writer's, as "your" and "my" are.
        assert_eq!(tokens("our project"), ["self", "project"]);
    }

    #[test]
    fn answers_to_yes_no_questions() {
        assert_eq!(answer_word("Yes"), Some(true));
        assert_eq!(answer_word("yes - opioids"), Some(true));
        assert_eq!(answer_word("no, never"), Some(false));
        assert_eq!(answer_word("none"), Some(false));
        assert_eq!(answer_word("none available"), Some(false));
        assert_eq!(answer_word("Nein"), Some(false));
        assert_eq!(answer_word("oui (depuis 2020)"), Some(true));
        // A word that only begins like an answer, or a sentence, is none.
        assert_eq!(answer_word("nobody knows"), None);
        assert_eq!(answer_word("no idea what he drives"), None);
        assert_eq!(answer_word("Norway"), None);
    }

    #[test]
    fn tokens_normalise_labels() {
        assert_eq!(
            tokens("Your first name and initial"),
            ["self", "first", "name", "initi"]
        );
        assert_eq!(
            tokens("If a joint return, spouse’s first name and initial"),
            ["joint", "return", "spouse", "first", "name", "initi"]
        );
        // A verb finds the noun it names: "last arrived" the "Date of Last Arrival".
        assert_eq!(tokens("arrived expires"), tokens("arrival expiration"));
        assert_eq!(
            tokens("Taxpayer's SSN"),
            ["self", "soci", "security", "number"]
        );
        assert_eq!(
            tokens("Your spouse's last name"),
            ["spouse", "last", "name"]
        );
        assert_eq!(tokens("U.S. citizen"), ["us", "citizen"]);
        assert_eq!(
            tokens("Geschlecht: m#c3#a4nnlich"),
            ["sex", "male"]
        );
        // The lexicon's long tail, phrases first; a word two languages read apart is left.
        assert_eq!(tokens("Handy"), tokens("mobile phone"));
        assert_eq!(tokens("Postanschrift"), tokens("mailing address"));
        assert_eq!(tokens("Código postal"), tokens("ZIP code"));
        assert_eq!(tokens("Rempli par"), tokens("completed by"));
        assert_eq!(tokens("Nombre"), ["nombre"]);
        let near_typos: Vec<&String> = LEXICON
            .words
            .keys()
            .filter(|w| CORE_FORM_WORDS.iter().any(|core| strsim::osa_distance(w, core) == 1))
            .collect();
        assert!(near_typos.is_empty(), "lexicon words one typo from a core form word: {near_typos:?}");
        // Other languages' form words read as the English ones, both ways.
        assert_eq!(tokens("Lieu de naissance"), ["place", "birth"]);
        assert_eq!(tokens("Geburtsort"), tokens("Birthplace"));
        assert_eq!(tokens("Lugar de nacimiento"), tokens("Place of birth"));
        assert_eq!(tokens("Apt. no"), ["apartment", "number"]);
        assert_eq!(tokens("E-Mail"), ["email"]);
        assert_eq!(tokens("Buyer’s Names"), ["buyer", "name"]);
    }

    #[test]
    fn numbers_and_words() {
        assert_eq!(parse_number("$1,234.56"), Some(1234.56));
        assert_eq!(parse_number("(12.50)"), Some(-12.5));
        assert_eq!(parse_number("-5"), Some(-5.0));
        assert_eq!(parse_number("12,34"), None);
        assert_eq!(parse_number("12a"), None);
        assert_eq!(parse_number("1.2.3"), None);
        assert_eq!(boolean_word("'Yes'"), Some(true));
        assert_eq!(unquote("“Jordan”"), "Jordan");
        assert_eq!(unquote("'O'Brien'"), "'O'Brien'");
        assert_eq!(stem("status"), "status");
        assert_eq!(stem("cities"), "city");
    }
}
