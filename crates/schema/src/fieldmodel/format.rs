//! What a field's Acrobat format script says it holds: `AFDate_FormatEx("mm/dd/yyyy")` is
//! a date in that layout, `AFNumber_Format(2, 0, 0, 0, "$", true)` an amount of money,
//! `AFSpecial_Format(3)` a social security number. The form's author chose these; they
//! are firmer evidence of the kind of value than the words around the box.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use super::semantic::Semantic;

/// A format the form's own script gives a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum FieldFormat {
    /// A date; `layout` when it is written in digits (`mm/dd/yyyy`, `dd.mm.yyyy`).
    Date {
        /// The layout, lower case, when it is all digits and separators.
        #[serde(skip_serializing_if = "Option::is_none")]
        layout: Option<String>,
    },
    /// A number with `decimals` places; `currency` when it prints a currency symbol.
    Number {
        /// Places after the decimal point.
        decimals: u32,
        /// A currency symbol is printed with it.
        currency: bool,
    },
    /// A percentage.
    Percent,
    /// A ZIP code (5 digits, or ZIP+4).
    Zip,
    /// A phone number.
    Phone,
    /// A U.S. social security number.
    Ssn,
    /// A time of day.
    Time,
}

static CALL: LazyLock<Regex> = LazyLock::new(|| {
    // Arguments up to the closing parenthesis, quoted strings whole ("(999) 999-9999").
    Regex::new(r#"\bAF(Date|Number|Percent|Special|Time)_(?:Format|Keystroke)(Ex)?\s*\(\s*((?:"[^"]*"|'[^']*'|[^)"'])*)\)"#)
        .expect("valid regex")
});

/// The format `script` applies, if it calls one of Acrobat's format functions.
pub fn parse(script: &str) -> Option<FieldFormat> {
    let call = CALL.captures(script)?;
    let (family, ex, args) = (&call[1], call.get(2).is_some(), call[3].trim());
    let first_string = || {
        let quoted = args.trim_start_matches(['"', '\'']);
        let end = quoted.find(['"', '\''])?;
        Some(quoted[..end].to_string())
    };
    let numbers: Vec<&str> = args.split(',').map(str::trim).collect();
    match family {
        "Date" => {
            let layout = if ex {
                first_string().map(|l| l.to_lowercase()).filter(|l| digit_layout(l))
            } else {
                // AFDate_Format(n): Acrobat's numbered layouts; 2 is the digits one.
                (numbers.first() == Some(&"2")).then(|| "mm/dd/yy".to_string())
            };
            Some(FieldFormat::Date { layout })
        }
        "Number" => {
            let decimals = numbers.first().and_then(|n| n.parse().ok()).unwrap_or(0);
            let currency = numbers
                .get(4)
                .map(|c| c.trim_matches(['"', '\'', ' ']))
                .is_some_and(|c| !c.is_empty());
            Some(FieldFormat::Number { decimals, currency })
        }
        "Percent" => Some(FieldFormat::Percent),
        "Time" => Some(FieldFormat::Time),
        "Special" if ex => match first_string()?.as_str() {
            "999-99-9999" => Some(FieldFormat::Ssn),
            "99999" | "99999-9999" => Some(FieldFormat::Zip),
            "(999) 999-9999" | "999-999-9999" => Some(FieldFormat::Phone),
            _ => None,
        },
        // AFSpecial_Format(psf): 0 ZIP, 1 ZIP+4, 2 phone, 3 SSN.
        "Special" => match numbers.first().copied() {
            Some("0" | "1") => Some(FieldFormat::Zip),
            Some("2") => Some(FieldFormat::Phone),
            Some("3") => Some(FieldFormat::Ssn),
            _ => None,
        },
        _ => None,
    }
}

/// A date layout of digits only (`mm/dd/yyyy`, `yyyy-mm-dd`), not month names (`mmm d, yyyy`)
/// or times.
fn digit_layout(layout: &str) -> bool {
    let letters: String = layout.chars().filter(char::is_ascii_alphabetic).collect();
    layout.contains("yy")
        && !layout.contains("mmm")
        && letters.chars().all(|c| matches!(c, 'm' | 'd' | 'y'))
        && layout.chars().all(|c| c.is_ascii_alphabetic() || "/.- ".contains(c))
}

/// The semantic type a format makes of what the words said (`from_words`): a format
/// decides between kinds the words leave open, never against a specific kind they name
/// (a ZIP box whose script formats a number stays a ZIP code).
pub fn refine(from_words: Semantic, format: &FieldFormat) -> Semantic {
    use Semantic::*;
    let open = matches!(from_words, Text | Number | Money | IdNumber);
    match format {
        FieldFormat::Date { .. } if matches!(from_words, Bday | Date | DateSigned) => from_words,
        // A date box whose words named a part of a date (or nothing) is a whole date.
        FieldFormat::Date { .. } if open || matches!(from_words, DateDay | DateMonth | DateYear) => Date,
        FieldFormat::Number { currency: true, .. } if open => Money,
        FieldFormat::Number { decimals: 2, .. } if matches!(from_words, Text | Number) => Money,
        FieldFormat::Number { decimals: 0, .. } if from_words == Text => Number,
        FieldFormat::Percent if from_words == Text => Number,
        FieldFormat::Zip if open => PostalCode,
        FieldFormat::Phone if open => Tel,
        FieldFormat::Ssn if open || from_words == Tin => Ssn,
        _ => from_words,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acrobat_formats_read() {
        assert_eq!(
            parse(r#"AFDate_FormatEx("mm/dd/yyyy");"#),
            Some(FieldFormat::Date { layout: Some("mm/dd/yyyy".into()) })
        );
        assert_eq!(parse("AFDate_KeystrokeEx('dd.mm.yyyy')"), Some(FieldFormat::Date { layout: Some("dd.mm.yyyy".into()) }));
        assert_eq!(parse(r#"AFDate_FormatEx("mmm d, yyyy");"#), Some(FieldFormat::Date { layout: None }));
        assert_eq!(parse("AFDate_Format(2);"), Some(FieldFormat::Date { layout: Some("mm/dd/yy".into()) }));
        assert_eq!(
            parse(r#"AFNumber_Format(2, 0, 0, 0, "$", true);"#),
            Some(FieldFormat::Number { decimals: 2, currency: true })
        );
        assert_eq!(
            parse(r#"AFNumber_Format(0, 1, 0, 0, "", false);"#),
            Some(FieldFormat::Number { decimals: 0, currency: false })
        );
        assert_eq!(parse("AFSpecial_Format(3);"), Some(FieldFormat::Ssn));
        assert_eq!(parse("AFSpecial_Keystroke(0);"), Some(FieldFormat::Zip));
        assert_eq!(parse(r#"AFSpecial_KeystrokeEx("(999) 999-9999");"#), Some(FieldFormat::Phone));
        assert_eq!(parse("AFPercent_Format(2, 0);"), Some(FieldFormat::Percent));
        assert_eq!(parse("event.value = util.printd('yyyy', new Date());"), None);
        assert_eq!(parse(""), None);
    }

    #[test]
    fn formats_decide_what_words_leave_open() {
        use Semantic::*;
        let date = FieldFormat::Date { layout: None };
        assert_eq!(refine(Text, &date), Date);
        assert_eq!(refine(Bday, &date), Bday);
        assert_eq!(refine(Money, &FieldFormat::Ssn), Ssn);
        assert_eq!(refine(PostalCode, &FieldFormat::Number { decimals: 0, currency: false }), PostalCode);
        assert_eq!(refine(Text, &FieldFormat::Number { decimals: 2, currency: false }), Money);
        assert_eq!(refine(Text, &FieldFormat::Number { decimals: 0, currency: false }), Number);
        assert_eq!(refine(GivenName, &FieldFormat::Phone), GivenName);
    }
}
