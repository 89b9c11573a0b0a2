//! Readable, unique snake_case property keys derived from labels
//! ("Your first name and middle initial" -> `your_first_name_and_middle_initial`).

use std::collections::HashSet;

/// Longest key we derive; long labels are cut at a word boundary.
const MAX_KEY_LEN: usize = 48;

/// Words that carry no meaning in a key when they lead it.
const LEADING_NOISE: &[&str] = &["enter", "the", "a", "an", "please", "type", "print"];

/// The part of a label a key is made from: without a leading line number ("1 Name of
/// entity" -> "Name of entity") and cut at the end of its first sentence when that leaves
/// at least two words.
pub fn key_text(label: &str) -> &str {
    let mut text = label.trim();
    if let Some((first, rest)) = text.split_once(' ') {
        let numbered = first
            .trim_end_matches(['.', ')'])
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
            && first.len() <= 4;
        if numbered && rest.chars().any(char::is_alphabetic) {
            text = rest.trim_start();
        }
    }
    if let Some(end) = text.find(". ")
        && text[..end].split_whitespace().count() >= 2
    {
        text = &text[..end];
    }
    text
}

/// snake_case of a label: ASCII letters and digits (accents folded), words joined by `_`,
/// cut at a word boundary, never empty and never starting with a digit.
pub fn snake_case(label: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for ch in label.chars() {
        let folded = fold(ch);
        match folded {
            Some(c) if c.is_ascii_alphanumeric() => {
                // camelCase boundaries ("firstName" -> first_name).
                if c.is_ascii_uppercase() && previous_lower && !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
                previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
                current.push(c.to_ascii_lowercase());
            }
            // Apostrophes join ("taxpayer's" -> taxpayers).
            _ if ch == '\'' || ch == '’' => {}
            _ => {
                previous_lower = false;
                if !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
            }
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    while words.len() > 1 && LEADING_NOISE.contains(&words[0].as_str()) {
        words.remove(0);
    }
    let mut key = String::new();
    for word in &words {
        if !key.is_empty() && key.len() + 1 + word.len() > MAX_KEY_LEN {
            break;
        }
        if !key.is_empty() {
            key.push('_');
        }
        key.push_str(&word[..word.len().min(MAX_KEY_LEN)]);
    }
    if key.is_empty() {
        key.push_str("field");
    }
    if key.starts_with(|c: char| c.is_ascii_digit()) {
        key.insert_str(0, "field_");
    }
    key
}

/// The ASCII letter for common accented Latin letters; other letters and scripts are dropped.
pub(crate) fn fold(ch: char) -> Option<char> {
    if ch.is_ascii() {
        return Some(ch);
    }
    let base = match ch {
        'à'..='å' => 'a',
        'À'..='Å' => 'A',
        'ç' | 'ć' | 'č' => 'c',
        'Ç' | 'Ć' | 'Č' => 'C',
        'è'..='ë' | 'ę' | 'ě' => 'e',
        'È'..='Ë' | 'Ę' | 'Ě' => 'E',
        'ì'..='ï' => 'i',
        'Ì'..='Ï' => 'I',
        'ñ' | 'ń' | 'ň' => 'n',
        'Ñ' | 'Ń' | 'Ň' => 'N',
        'ò'..='ö' | 'ø' | 'ő' => 'o',
        'Ò'..='Ö' | 'Ø' | 'Ő' => 'O',
        'ù'..='ü' | 'ů' | 'ű' => 'u',
        'Ù'..='Ü' | 'Ů' | 'Ű' => 'U',
        'ý' | 'ÿ' => 'y',
        'Ý' => 'Y',
        'ß' => 's',
        'ł' => 'l',
        'Ł' => 'L',
        'ś' | 'š' => 's',
        'Ś' | 'Š' => 'S',
        'ź' | 'ż' | 'ž' => 'z',
        'Ź' | 'Ż' | 'Ž' => 'Z',
        'ř' => 'r',
        'Ř' => 'R',
        'ť' => 't',
        'Ť' => 'T',
        'ď' => 'd',
        'Ď' => 'D',
        _ => return None,
    };
    Some(base)
}

/// Hands out keys, adding `_2`, `_3`... when a key is already taken.
#[derive(Debug, Default)]
pub struct KeyAllocator {
    taken: HashSet<String>,
}

impl KeyAllocator {
    /// A fresh key for `label`.
    pub fn allocate(&mut self, label: &str) -> String {
        self.claim(snake_case(key_text(label)))
    }

    /// Claims `key` as is, or its first free `_N` variant.
    pub fn claim(&mut self, key: String) -> String {
        if self.taken.insert(key.clone()) {
            return key;
        }
        let mut n = 2;
        loop {
            let candidate = format!("{key}_{n}");
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
            n += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_become_readable_keys() {
        assert_eq!(
            snake_case("Your first name and middle initial"),
            "your_first_name_and_middle_initial"
        );
        assert_eq!(
            snake_case("topmostSubform[0].Page1[0].f1_04[0]"),
            "topmost_subform_0_page1_0_f1_04_0"
        );
        assert_eq!(snake_case("Taxpayer's SSN"), "taxpayers_ssn");
        assert_eq!(snake_case("Enter the ZIP code"), "zip_code");
        assert_eq!(snake_case("Łódź – Žilina"), "lodz_zilina");
        assert_eq!(snake_case("東京"), "field");
        assert_eq!(snake_case("1a Wages"), "field_1a_wages");
        assert_eq!(
            key_text("1 Name of entity/individual. An entry is required."),
            "Name of entity/individual"
        );
        assert_eq!(key_text("Wages. Attach W-2 7"), "Wages. Attach W-2 7");
        assert_eq!(key_text("12"), "12");
        assert!(snake_case(&"very long label ".repeat(20)).len() <= MAX_KEY_LEN);
    }

    #[test]
    fn keys_are_unique() {
        let mut keys = KeyAllocator::default();
        assert_eq!(keys.allocate("Name"), "name");
        assert_eq!(keys.allocate("name"), "name_2");
        assert_eq!(keys.allocate("NAME!"), "name_3");
    }
}
