//! Instructions cut into clauses and each clause read as one of a few shapes: "label: value",
//! "set label to value", "use value for label", "label is value", "check X", "uncheck X",
//! "leave X blank".
//!
//! Cutting: lines, semicolons and sentence ends are hard breaks (a period after an
//! abbreviation such as "St." or "U.S." is not a sentence end). Inside a sentence, commas
//! and "and" are soft breaks: the piece after one starts a new clause only when it reads as
//! an instruction of its own, so "Address: 123 Main St, Springfield, IL 62701" stays one
//! clause and "first name as Jordan and last name as Avery" becomes two. Nothing inside
//! quotes is ever cut.

use std::sync::LazyLock;

use regex::Regex;

/// One sentence: its pieces and the separator written before each (empty for the first).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Sentence {
    pub pieces: Vec<(String, String)>,
}

/// What a clause asks for.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Parsed {
    /// Give a field a value; the possible (label, value) readings, best first.
    Assign {
        readings: Vec<(String, String)>,
        strong: bool,
        set_verb: bool,
    },
    /// Check (or uncheck) what `text` names; `readings` are "mark VALUE for LABEL" readings.
    Choose {
        text: String,
        on: bool,
        readings: Vec<(String, String)>,
    },
    /// Leave what `text` names blank.
    Blank { text: String },
    /// Not understood.
    Unknown,
}

/// Abbreviations whose period does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "st", "mr", "mrs", "ms", "dr", "jr", "sr", "apt", "no", "inc", "co", "ave", "rd", "ln", "blvd",
    "ste", "vs", "etc", "dept", "ft", "mt", "corp", "ltd", "jan", "feb", "mar", "apr", "jun",
    "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx", "e.g", "i.e", "fig", "prof", "gen",
    "gov", "hwy", "pkwy", "fl", "bldg", "p.o", "u.s", "d.c",
];

/// Most readings tried for one clause (bounds the work on long clauses).
const MAX_READINGS: usize = 12;
/// Longest label (in words) a "label: value" clause may have.
const MAX_LABEL_WORDS: usize = 14;

static BULLET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:[-*•·–]|\d{1,3}[.)]|\([a-zA-Z0-9]\))\s+").expect("valid regex")
});
static FILLER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:(?:please|also|then|and|now|kindly|finally|next|lastly|additionally|just|so|ok|okay|actually|instead|but|however|oh|wait|sorry|hi|hello)\b[,:]?\s*)+")
        .expect("valid regex")
});
static LEAVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:leave|keep)\s+(.+?)\s+(?:blank|empty|unfilled|unanswered|unchecked|alone|untouched|as\s+is|as\s+they\s+are)$",
    )
    .expect("valid regex")
});
static DONT_FILL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:do\s+not|don't|dont|never)\s+(?:fill(?:\s+in|\s+out)?|complete|enter|touch|change|write\s+in|populate)\s+(.+)$")
        .expect("valid regex")
});
static SKIP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^(?:skip|ignore)\s+(.+)$").expect("valid regex"));
static STAYS_BLANK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(.+?)\s+(?:(?:should|must|can|will|shall)\s+)?(?:stay|stays|remain|remains|be\s+left|are\s+left|is\s+left|be|are|is)\s+(?:blank|empty|unfilled)$")
        .expect("valid regex")
});
static UNCHECK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:uncheck|untick|unmark|deselect|unselect|clear|(?:do\s+not|don't|dont)\s+(?:check|tick|mark|select))\s+(.+)$")
        .expect("valid regex")
});
static CHECK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:check|tick|mark|select|choose|pick|cross|enable|turn\s+on|activate|answer)\s+(?:off\s+)?(.+)$")
        .expect("valid regex")
});
static SET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(set|fill(?:\s+in|\s+out)?|enter|put|write(?:\s+in)?|type(?:\s+in)?|make|change|update|record|input|populate|complete|insert|add|use|give|specify|provide|sign)\s+(.+)$",
    )
    .expect("valid regex")
});
static LABEL_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([^\d:=]*[A-Za-z][^\d:=]*?)\s+([$#(+-]?\d[\d\s./()+-]*)$").expect("valid regex")
});
static LABEL_VERB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:set|fill(?:\s+in|\s+out)?|enter|put|write(?:\s+in)?|input|populate|insert|add|use|specify|provide|update)\s+(.+)$")
        .expect("valid regex")
});
/// "the box for", "the checkbox next to", "the option labelled": words around what to check.
static BOX_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:the\s+|a\s+)?(?:check\s*)?(?:box(?:es)?|option|radio(?:\s+button)?|circle|bubble|button)\s+(?:for|next\s+to|beside|labell?ed|marked|that\s+says|saying|of|called|named)\s+")
        .expect("valid regex")
});
static BOX_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\s+(?:check\s*)?(?:box(?:es)?|option|radio(?:\s+button)?|circle|bubble|button)$",
    )
    .expect("valid regex")
});
static BOX_ONLY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:the\s+|a\s+)?(?:check\s*)?(?:box(?:es)?|option|radio(?:\s+button)?|circle|bubble|button)$").expect("valid regex")
});

/// Positions of characters inside quotes. An apostrophe opens a quote only at the start of
/// a word and closes one only at the end of a word ("the taxpayer's name" has none).
/// Linear: the next closing position of each kind is precomputed.
fn quote_mask(chars: &[char]) -> Vec<bool> {
    let n = chars.len();
    let mut mask = vec![false; n];
    // Closing quote kinds: 0 = " or ”, 1 = ”, 2 = “, 3 = », 4 = `, 5 = ’ at a word end, 6 = ' at a word end.
    const KINDS: usize = 7;
    let closes = |c: char, j: usize| -> [bool; KINDS] {
        let word_end = !chars.get(j + 1).is_some_and(|x| x.is_alphanumeric());
        [
            c == '"' || c == '”',
            c == '”',
            c == '“',
            c == '»',
            c == '`',
            c == '’' && word_end,
            c == '\'' && word_end,
        ]
    };
    let mut next = vec![[usize::MAX; KINDS]; n + 1];
    for j in (0..n).rev() {
        next[j] = next[j + 1];
        for (k, is) in closes(chars[j], j).into_iter().enumerate() {
            if is {
                next[j][k] = j;
            }
        }
    }
    let mut i = 0;
    while i < n {
        let c = chars[i];
        let word_start = i == 0 || !chars[i - 1].is_alphanumeric();
        let kind = match c {
            '"' => Some(0),
            '“' => Some(1),
            '„' => Some(2),
            '«' => Some(3),
            '`' => Some(4),
            '‘' if word_start => Some(5),
            '\'' if word_start => Some(6),
            _ => None,
        };
        if let Some(k) = kind
            && i + 2 <= n
        {
            let j = next[i + 1][k];
            // At least one character inside.
            if j != usize::MAX && j > i + 1 {
                for m in mask.iter_mut().take(j + 1).skip(i) {
                    *m = true;
                }
                i = j + 1;
                continue;
            }
        }
        i += 1;
    }
    mask
}

/// Whether the period at `i` ends a sentence.
fn ends_sentence(chars: &[char], i: usize) -> bool {
    // Followed by whitespace (or the end) ...
    if !chars.get(i + 1).is_none_or(|c| c.is_whitespace()) {
        return false;
    }
    // ... and not after an abbreviation or an initial ("Jordan A. Avery", "U.S.").
    let mut start = i;
    while start > 0 && (chars[start - 1].is_alphanumeric() || chars[start - 1] == '.') {
        start -= 1;
    }
    let word: String = chars[start..i].iter().collect::<String>().to_lowercase();
    if word.is_empty() {
        return true;
    }
    if word.chars().count() == 1 && word.chars().all(char::is_alphabetic) {
        return false;
    }
    // "am 7. März 1990", "le 1. juillet": a day before a month's name is an ordinal.
    if word.chars().count() <= 2 && word.chars().all(|c| c.is_ascii_digit()) {
        let next: String = chars.iter().skip(i + 1).skip_while(|c| c.is_whitespace()).take_while(|c| c.is_alphabetic()).collect();
        if crate::instructions::shape::month_of(&next).is_some() {
            return false;
        }
    }
    // "u.s", "p.o", "e.g" are abbreviations; "example.com" is not.
    let dotted = word.contains('.') && word.split('.').all(|part| part.chars().count() <= 2);
    let abbreviation = ABBREVIATIONS.contains(&word.as_str()) || dotted;
    // "12 Elm St. Check the box..." - an abbreviation's period still ends the sentence when
    // a capitalised instruction verb follows.
    !abbreviation || next_word_starts_instruction(chars, i + 1)
}

/// Verbs that open an instruction sentence.
const SENTENCE_VERBS: &[&str] = &[
    "check", "uncheck", "tick", "untick", "mark", "select", "choose", "set", "fill", "enter",
    "put", "use", "write", "leave", "type", "clear", "add", "sign", "date",
];

/// Whether the word after position `from` is a capitalised instruction verb ("Check", "Set").
fn next_word_starts_instruction(chars: &[char], from: usize) -> bool {
    let rest = chars.iter().skip(from).skip_while(|c| c.is_whitespace());
    let word: String = rest.take_while(|c| c.is_alphabetic()).collect();
    word.chars().next().is_some_and(char::is_uppercase)
        && (SENTENCE_VERBS.contains(&word.to_lowercase().as_str()) || crate::instructions::request::opens_sentence(&word))
}

/// The instructions as sentences of pieces.
pub(super) fn sentences(text: &str) -> Vec<Sentence> {
    let mut out = Vec::new();
    for line in text.lines() {
        let chars: Vec<char> = line.chars().collect();
        let mask = quote_mask(&chars);
        let mut sentence = Sentence { pieces: Vec::new() };
        let mut current = String::new();
        let mut separator = String::new();
        let mut i = 0;
        let push_piece = |sentence: &mut Sentence, current: &mut String, separator: &mut String| {
            let piece = current.trim().to_string();
            if piece.chars().any(char::is_alphanumeric) {
                sentence.pieces.push((std::mem::take(separator), piece));
            } else {
                separator.clear();
            }
            current.clear();
        };
        while i < chars.len() {
            let c = chars[i];
            if mask[i] {
                current.push(c);
                i += 1;
                continue;
            }
            // "Father: José Castillo | Mother: Carmen Reyes": a bar between items ends one.
            let hard = c == ';' || c == '|' || (matches!(c, '.' | '!' | '?') && ends_sentence(&chars, i));
            if hard {
                push_piece(&mut sentence, &mut current, &mut separator);
                if !sentence.pieces.is_empty() {
                    out.push(std::mem::replace(
                        &mut sentence,
                        Sentence { pieces: Vec::new() },
                    ));
                }
                separator.clear();
                i += 1;
                continue;
            }
            // Soft breaks: ", " / ", and " / " and ".
            if c == ',' && chars.get(i + 1).is_some_and(|c| c.is_whitespace()) {
                push_piece(&mut sentence, &mut current, &mut separator);
                let and = lower_at(&chars, i + 1, " and ");
                separator = if and { ", and ".into() } else { ", ".into() };
                i += if and { 6 } else { 2 };
                continue;
            }
            if c.is_whitespace()
                && lower_at(&chars, i, " and ")
                && i + 5 < chars.len()
                && !mask[i + 5]
            {
                push_piece(&mut sentence, &mut current, &mut separator);
                separator = " and ".into();
                i += 5;
                continue;
            }
            current.push(c);
            i += 1;
        }
        push_piece(&mut sentence, &mut current, &mut separator);
        if !sentence.pieces.is_empty() {
            out.push(sentence);
        }
    }
    out
}

/// First-person subjects that open a statement of the writer's own: "I live at …", "we
/// moved …", "my wife is …", "ich wohne …", "j'habite …", "yo vivo …". Third-person ones
/// ("and her birthday is …") stay with the clause before: their pronoun names its person.
const SUBJECTS: &[&str] = &[
    "i", "i'm", "i’m", "i've", "i’ve", "i'd", "we", "we're", "we’re", "my", "our", "ich", "wir",
    "mein", "meine", "unser", "unsere", "je", "j'ai", "j’ai", "j'habite", "j’habite", "nous",
    "mon", "ma", "mes", "notre", "yo", "mi", "mis", "nosotros", "nuestro", "nuestra",
];

/// Whether a piece opens with a subject and goes on (a statement of its own).
pub(super) fn opens_statement(piece: &str) -> bool {
    let mut words = piece.split_whitespace();
    let Some(first) = words.next() else { return false };
    let first = first.trim_matches(|c: char| c == ',' || c == '"');
    // "MA 02128", "MI 48201": a state code in capitals is not "ma" / "mi".
    let shouted = first.chars().count() > 1 && !first.chars().any(char::is_lowercase);
    !shouted && SUBJECTS.contains(&first.to_lowercase().as_str()) && words.next().is_some()
}

fn lower_at(chars: &[char], at: usize, what: &str) -> bool {
    let w: Vec<char> = what.chars().collect();
    at + w.len() <= chars.len()
        && chars[at..at + w.len()].iter().zip(&w).all(|(a, b)| {
            if b.is_whitespace() {
                a.is_whitespace()
            } else {
                a.to_lowercase().eq(b.to_lowercase())
            }
        })
}

/// The clause without bullets, politeness and a final period.
pub(super) fn tidy(clause: &str) -> String {
    let mut t = BULLET.replace(clause.trim(), "").to_string();
    t = FILLER.replace(&t, "").to_string();
    let mut t = t
        .trim()
        .trim_end_matches(['!', '?', ',', ';'])
        .trim()
        .to_string();
    if t.ends_with('.') {
        let chars: Vec<char> = t.chars().collect();
        if ends_sentence(&chars, chars.len() - 1) {
            t.pop();
        }
    }
    t.trim().to_string()
}

/// Byte offsets of `connector` (a word or symbol, matched case-insensitively between
/// spaces) in `text`, outside quotes.
fn connector_positions(text: &str, connector: &str) -> Vec<(usize, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let mask = quote_mask(&chars);
    // The mask by byte offset.
    let mut quoted = vec![false; text.len() + 1];
    for ((at, c), inside) in text.char_indices().zip(mask) {
        for q in quoted.iter_mut().skip(at).take(c.len_utf8()) {
            *q = inside;
        }
    }
    let needle = format!(" {connector} ");
    let lower = text.to_lowercase();
    // Lower-casing can change byte lengths (rare scripts): then match case-sensitively.
    let haystack = if lower.len() == text.len() {
        lower.as_str()
    } else {
        text
    };
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(p) = haystack[from..].find(&needle) {
        let at = from + p;
        if !quoted[at + 1] {
            out.push((at, at + needle.len()));
        }
        from = at + 1;
        while !haystack.is_char_boundary(from) {
            from += 1;
        }
    }
    out
}

fn readings_at(
    text: &str,
    connectors: &[&str],
    value_first: bool,
    out: &mut Vec<(String, String)>,
) {
    for connector in connectors {
        for (start, end) in connector_positions(text, connector) {
            let (left, mut right) = (text[..start].trim(), text[end..].trim());
            // "My business is called Avery Tools LLC": the name is what follows "called".
            if !value_first && matches!(*connector, "is" | "are") {
                for naming in ["called ", "named "] {
                    if let Some(rest) = right.get(..naming.len()).filter(|h| h.eq_ignore_ascii_case(naming)).and(right.get(naming.len()..)) {
                        right = rest.trim();
                    }
                }
            }
            if left.is_empty() || right.is_empty() || out.len() >= MAX_READINGS {
                continue;
            }
            let reading = if value_first {
                (right.to_string(), left.to_string())
            } else {
                (left.to_string(), right.to_string())
            };
            if !out.contains(&reading) {
                out.push(reading);
            }
        }
    }
}

/// "label: value" / "label = value" at the first colon or equals sign outside quotes.
fn colon_reading(clause: &str) -> Option<(String, String)> {
    let chars: Vec<char> = clause.chars().collect();
    let mask = quote_mask(&chars);
    let mut byte = 0;
    for (i, c) in chars.iter().enumerate() {
        if !mask[i] && matches!(c, ':' | '=') {
            // "10:30" is a time, not a label.
            let digits_around = i > 0
                && chars[i - 1].is_ascii_digit()
                && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit());
            if !digits_around {
                let label = clause[..byte]
                    .trim()
                    .trim_end_matches(['-', '>', '='])
                    .trim();
                let value = clause[byte + c.len_utf8()..]
                    .trim()
                    .trim_start_matches(['>', '='])
                    .trim();
                let words = label.split_whitespace().count();
                if words == 0
                    || words > MAX_LABEL_WORDS
                    || value.is_empty()
                    || !label.chars().any(char::is_alphanumeric)
                {
                    return None;
                }
                return Some((strip_leading_verb(label), value.to_string()));
            }
        }
        byte += c.len_utf8();
    }
    None
}

/// "Company - Northwind Corp", "HQ – 500 Market St": a short label, then a spaced dash.
/// The label must be words (not a number or a date range) and not a sentence.
fn dash_reading(clause: &str) -> Option<(String, String)> {
    let (at, dash) = [" - ", " – ", " — "]
        .iter()
        .filter_map(|d| clause.find(d).map(|at| (at, *d)))
        .min_by_key(|(at, _)| *at)?;
    let label = clause[..at].trim().trim_start_matches(['-', '*', '•']).trim();
    let value = clause[at + dash.len()..].trim();
    let words = label.split_whitespace().count();
    let starts_with_letter = label.chars().next().is_some_and(char::is_alphabetic);
    if words == 0 || words > 6 || value.is_empty() || !starts_with_letter || label.ends_with(['.', '!', '?']) {
        return None;
    }
    Some((strip_leading_verb(label), value.to_string()))
}

/// "Set first name: Jordan" -> "first name"; "Make: Glock" and "Type of applicant: ..."
/// keep their first word.
fn strip_leading_verb(label: &str) -> String {
    if let Some(c) = LABEL_VERB.captures(label)
        && let Some(rest) = c.get(1)
    {
        let rest = rest.as_str().trim();
        if rest.chars().any(char::is_alphanumeric) && !rest.to_lowercase().starts_with("of ") {
            return rest.to_string();
        }
    }
    label.to_string()
}

/// What to check, without "the box for" and " box".
pub(super) fn strip_box_words(text: &str) -> String {
    let t = BOX_BEFORE.replace(text.trim(), "").to_string();
    let t = BOX_AFTER.replace(&t, "").to_string();
    t.trim().to_string()
}

/// Reads a tidied clause.
pub(super) fn parse(clause: &str) -> Parsed {
    let clause = clause.trim();
    if clause.is_empty() {
        return Parsed::Unknown;
    }
    for re in [&*LEAVE, &*DONT_FILL, &*SKIP, &*STAYS_BLANK] {
        if let Some(c) = re.captures(clause)
            && let Some(m) = c.get(1)
        {
            return Parsed::Blank {
                text: m.as_str().trim().to_string(),
            };
        }
    }
    if let Some(c) = UNCHECK.captures(clause)
        && let Some(m) = c.get(1)
    {
        return Parsed::Choose {
            text: m.as_str().trim().to_string(),
            on: false,
            readings: Vec::new(),
        };
    }
    if let Some(reading) = colon_reading(clause) {
        return Parsed::Assign {
            readings: vec![reading],
            strong: true,
            set_verb: false,
        };
    }
    if let Some(reading) = dash_reading(clause) {
        return Parsed::Assign {
            readings: vec![reading],
            strong: true,
            set_verb: false,
        };
    }
    if let Some(c) = CHECK.captures(clause)
        && let Some(m) = c.get(1)
    {
        let rest = m.as_str().trim();
        let mut readings = Vec::new();
        // "mark 'Yes' for question 3", "select Single as the filing status".
        readings_at(
            rest,
            &[
                "for",
                "as the answer to",
                "as the answer for",
                "as",
                "on",
                "in",
                "under",
                "to",
            ],
            true,
            &mut readings,
        );
        readings.retain(|(_, value)| {
            !BOX_ONLY.is_match(value) && value.split_whitespace().count() <= 6
        });
        return Parsed::Choose {
            text: rest.to_string(),
            on: true,
            readings,
        };
    }
    if let Some(c) = SET.captures(clause)
        && let (Some(verb), Some(rest)) = (c.get(1), c.get(2))
    {
        let verb = verb.as_str().to_lowercase();
        let rest = rest.as_str().trim();
        let mut readings = Vec::new();
        readings_at(
            rest,
            &["to", "as", "with", "equal to", "="],
            false,
            &mut readings,
        );
        readings_at(
            rest,
            &["for", "in", "into", "on", "under", "as"],
            true,
            &mut readings,
        );
        if readings.is_empty() {
            if matches!(verb.as_str(), "set" | "make" | "use") {
                // "Set the Single filing status".
                return Parsed::Choose {
                    text: rest.to_string(),
                    on: true,
                    readings: Vec::new(),
                };
            }
            return Parsed::Unknown;
        }
        return Parsed::Assign {
            readings,
            strong: true,
            set_verb: true,
        };
    }
    let mut readings = Vec::new();
    readings_at(
        clause,
        &[
            "is",
            "are",
            "should be",
            "must be",
            "will be",
            "shall be",
            "would be",
            "has to be",
            "equals",
            "equal to",
            "->",
            "→",
            "=>",
            "becomes",
            "reads",
        ],
        false,
        &mut readings,
    );
    // "Jordan Avery is the name".
    readings_at(clause, &["is", "are"], true, &mut readings);

    if readings.is_empty() {
        return Parsed::Unknown;
    }
    Parsed::Assign {
        readings,
        strong: false,
        set_verb: false,
    }
}

/// "Spouse SSN 987-65-4321": a label without a separator, then a number. Only for a
/// whole clause nothing else reads (never used to cut a sentence).
pub(super) fn parse_label_number(clause: &str) -> Option<(String, String)> {
    let c = LABEL_NUMBER.captures(clause.trim())?;
    Some((
        c.get(1)?.as_str().trim().to_string(),
        c.get(2)?.as_str().trim().to_string(),
    ))
}

/// A piece following a "set ... to ..." clause in the same sentence: "last name as Avery",
/// "Avery as the last name".
pub(super) fn parse_continuation(clause: &str) -> Option<Parsed> {
    let mut readings = Vec::new();
    readings_at(
        clause.trim(),
        &["to", "as", "with", "="],
        false,
        &mut readings,
    );
    // "... and Avery as the last name".
    readings_at(
        clause.trim(),
        &["for", "in", "into", "as"],
        true,
        &mut readings,
    );
    (!readings.is_empty()).then_some(Parsed::Assign {
        readings,
        strong: false,
        set_verb: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &str) -> Vec<Vec<String>> {
        sentences(text)
            .into_iter()
            .map(|s| s.pieces.into_iter().map(|(_, p)| p).collect())
            .collect()
    }

    #[test]
    fn a_name_said_as_called_or_named_is_what_follows() {
        for clause in ["My business is called Avery Tools LLC", "The company is named Avery Tools LLC"] {
            match parse(clause) {
                Parsed::Assign { readings, .. } => assert!(
                    readings.iter().any(|(_, v)| v == "Avery Tools LLC")
                        && !readings.iter().any(|(_, v)| v.starts_with("called") || v.starts_with("named")),
                    "{clause}: {readings:?}"
                ),
                other => panic!("{clause}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_first_person_subject_opens_a_statement_a_state_code_does_not() {
        assert!(opens_statement("I live at 12 Elm Street"));
        assert!(opens_statement("my wife is Ingrid"));
        assert!(opens_statement("j'habite à Lyon"));
        assert!(!opens_statement("MA 02128"));
        assert!(!opens_statement("MI 48201"));
        assert!(!opens_statement("her birthday is 3/4/2010"));
        assert!(!opens_statement("I"));
    }

    #[test]
    fn cuts_sentences_and_pieces() {
        assert_eq!(
            pieces("Fill the taxpayer's first name as Jordan and last name as Avery."),
            vec![vec![
                "Fill the taxpayer's first name as Jordan".to_string(),
                "last name as Avery".to_string()
            ]]
        );
        assert_eq!(
            pieces("Check the box for U.S. citizen. Name: Jordan A. Avery"),
            vec![
                vec!["Check the box for U.S. citizen".to_string()],
                vec!["Name: Jordan A. Avery".to_string()]
            ]
        );
        assert_eq!(
            pieces("Address: \"1 Main St, Springfield\"; SSN: 1"),
            vec![
                vec!["Address: \"1 Main St, Springfield\"".to_string()],
                vec!["SSN: 1".to_string()]
            ]
        );
        assert_eq!(
            pieces("Address: 123 Main St, Springfield, IL 62701")
                .first()
                .map(Vec::len),
            Some(3)
        );
        assert_eq!(
            pieces("Father: José Castillo | Mother: Carmen Reyes"),
            vec![vec!["Father: José Castillo".to_string()], vec!["Mother: Carmen Reyes".to_string()]]
        );
    }

    #[test]
    fn reads_shapes() {
        assert_eq!(
            parse("First name: Jordan"),
            Parsed::Assign {
                readings: vec![("First name".into(), "Jordan".into())],
                strong: true,
                set_verb: false
            }
        );
        assert_eq!(
            parse("Time: 10:30"),
            Parsed::Assign {
                readings: vec![("Time".into(), "10:30".into())],
                strong: true,
                set_verb: false
            }
        );
        assert!(matches!(
            parse("leave all other fields blank"),
            Parsed::Blank { .. }
        ));
        assert!(matches!(
            parse("uncheck Single"),
            Parsed::Choose { on: false, .. }
        ));
        match parse("Use 'Jordan' for the first name") {
            Parsed::Assign { readings, .. } => {
                assert!(readings.contains(&("the first name".into(), "'Jordan'".into())))
            }
            other => panic!("{other:?}"),
        }
        match parse("mark 'Yes' for question 3") {
            Parsed::Choose { readings, .. } => assert_eq!(
                readings,
                vec![("question 3".to_string(), "'Yes'".to_string())]
            ),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse("Set the Single filing status"),
            Parsed::Choose { on: true, .. }
        ));
        assert_eq!(strip_box_words("the box for U.S. citizen"), "U.S. citizen");
        assert_eq!(
            tidy("- Please set first name to Jordan."),
            "set first name to Jordan"
        );
        assert_eq!(tidy("Name: Jordan Avery Jr."), "Name: Jordan Avery Jr.");
    }
}
