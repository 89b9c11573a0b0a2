//! Tooltips and field names that say nothing about the field: generator defaults
//! (`undefined`, `Text1`, `Check Box 3`, `f1_04[0]`), bare numbers, and instructions to the
//! person at the viewer ("Select from list", "Value from 40 to 250 cm").

use std::sync::LazyLock;

use regex::Regex;

use super::semantic::normalize;

static GENERATOR_DEFAULT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(undefined|untitled|null|none|field|text|textfield|text field|text box|textbox|check ?box|checkbox|chk|cb|radio( button)?|radio group|group|button|combo ?box|list ?box|dropdown|drop down|txt|fill|fill in|form|topmostsubform|subform|page|p|row|cell|f|c|t|tf|x|kids)( ?[0-9]+)*( [a-z])?$",
    )
    .expect("valid regex")
});

static CODE_LIKE: LazyLock<Regex> = LazyLock::new(|| {
    // f1_04, c1_1, Txt12a, L3b, 1a: letters and digits with no word in them.
    Regex::new(r"^[a-z]{0,4} ?[0-9]+( ?[a-z]{0,2} ?[0-9]+)*( ?[a-z])?$").expect("valid regex")
});

static INSTRUCTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(please )?(select|choose|pick|click|use selection|use the|value from|values? between|enter a value|must be|format|only numbers|numbers only|digits only|max(imum)? |min(imum)? |optional$|required$|tab to|see instructions|if applicable$)|\b(select from (the )?list|from the list|or write|drop ?down)\b",
    )
    .expect("valid regex")
});

/// Whether a tooltip or name is a generator default, a code, or an instruction: never a
/// label, never a key.
pub fn is_junk(text: &str) -> bool {
    let norm = normalize(text);
    if norm.is_empty() || !norm.chars().any(char::is_alphabetic) {
        return true;
    }
    GENERATOR_DEFAULT.is_match(&norm) || CODE_LIKE.is_match(&norm) || INSTRUCTION.is_match(&norm)
}

/// A field's short name as words (`S2B_ZipCode` -> "S2B Zip Code", `typeScript` ->
/// "type Script"), or `None` when the name is junk.
pub fn name_words(short_name: &str) -> Option<String> {
    let mut out = String::new();
    let mut previous: Option<char> = None;
    let mut letters_before = 0;
    for ch in short_name.chars() {
        // camelCase and a number after a word are word breaks: "firstName1" -> "first Name
        // 1" (not "S2B", whose letters are no word).
        if let Some(p) = previous
            && ((ch.is_uppercase() && (p.is_lowercase() || p.is_ascii_digit())) || (ch.is_ascii_digit() && letters_before >= 3))
        {
            out.push(' ');
        }
        letters_before = if ch.is_alphabetic() { letters_before + 1 } else { 0 };
        if ch.is_uppercase() && previous.is_some_and(char::is_lowercase) {
            letters_before = 1;
        }
        if ch.is_alphanumeric() {
            out.push(ch);
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
        previous = Some(ch);
    }
    let words = out.split_whitespace().collect::<Vec<_>>().join(" ");
    (!is_junk(&words)).then_some(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn junk_and_meaning() {
        for junk in [
            "undefined",
            "undefined_2",
            "Text1",
            "Text Field 12",
            "Check Box 3",
            "f1_04[0]",
            "c1_1",
            "Select from list",
            "Use selection or write country name",
            "Value from 40 to 250 cm",
            "12",
            "",
            "Dropdown2",
        ] {
            assert!(is_junk(junk), "{junk:?} is junk");
        }
        for fine in ["First name", "jobDescription", "country", "Emergency Contact Phone", "Zip Code", "Vorname"] {
            assert!(!is_junk(fine), "{fine:?} means something");
        }
        assert_eq!(name_words("S2B_ZipCode").as_deref(), Some("S2 B Zip Code"));
        assert_eq!(name_words("yearsOfExperience").as_deref(), Some("years Of Experience"));
        assert_eq!(name_words("Text3"), None);
    }
}
