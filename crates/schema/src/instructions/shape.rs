//! Value shaping: a value said once, written the way each box wants it. A full name into
//! given / middle / family boxes, a date in the form's format or into day / month / year
//! boxes, a phone number into area code and number, an SSN or EIN into its digit groups, a
//! one-line address into street / unit / city / state / postal code, state names to codes.
//!
//! Pure functions over text, shared by every resolver (rules and language models alike), so a
//! value is shaped the same whoever understood the request. Nothing here guesses: a value
//! that does not read as what is asked gives `None` and the caller leaves the box blank.

use std::sync::LazyLock;

use regex::Regex;

use crate::fieldmodel::semantic;

/// A person's name in its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName {
    /// First (given) name.
    pub given: String,
    /// Middle name(s), when said.
    pub middle: Option<String>,
    /// Family (last) name, with its particles ("van der Berg", "de la Cruz").
    pub family: String,
    /// "Jr", "III"…, when said.
    pub suffix: Option<String>,
}

impl PersonName {
    /// The name as written in one box ("Rosa Maria Castillo").
    pub fn full(&self) -> String {
        let mut out = self.given.clone();
        for part in [self.middle.as_deref(), Some(self.family.as_str()), self.suffix.as_deref()]
            .into_iter()
            .flatten()
        {
            out.push(' ');
            out.push_str(part);
        }
        out
    }

    /// The middle name's initial ("M").
    pub fn middle_initial(&self) -> Option<String> {
        self.middle.as_deref().and_then(|m| m.chars().next()).map(|c| c.to_uppercase().collect())
    }
}

const HONORIFICS: &[&str] = &[
    "mr", "mrs", "ms", "miss", "dr", "prof", "herr", "frau", "m", "mme", "mlle", "sr", "sra", "srta", "don", "dona",
];
const SUFFIXES: &[&str] = &["jr", "sr", "ii", "iii", "iv", "esq", "phd", "md"];
const PARTICLES: &[&str] = &[
    "van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "la", "le", "ter", "ten", "dos", "das", "st", "bin",
    "al", "el", "y",
];

fn bare(word: &str) -> String {
    word.trim_matches(|c: char| c == '.' || c == ',').to_lowercase()
}

/// Splits a full name: "Rosa Maria Castillo", "Castillo, Rosa Maria", "Dr. Jan van der Berg
/// Jr.". `None` for one word or for text that is not a name (digits, too many words).
pub fn split_name(full: &str) -> Option<PersonName> {
    let full = full.trim().trim_end_matches('.');
    if full.is_empty() || full.chars().any(|c| c.is_ascii_digit() || c == '@') {
        return None;
    }
    // "Family, Given Middle".
    if let Some((family, given)) = full.split_once(',') {
        // "Castillo-Reyes, Adrian (no middle name)": the remark in parentheses is no name.
        let given = given.split('(').next().unwrap_or(given);
        let given_words: Vec<&str> = given.split_whitespace().collect();
        let family_words: Vec<&str> = family.split_whitespace().collect();
        if given_words.is_empty() || family_words.is_empty() {
            return None;
        }
        // "Hiroshi Tanaka, no middle name": a remark after the name, not its given part.
        if given_words.len() > 3 || given_words[0].chars().next().is_some_and(char::is_lowercase) {
            return if family_words.len() >= 2 { split_name(family) } else { None };
        }
        if family_words.len() > 3 {
            return None;
        }
        // "Jordan Avery, Jr." is a suffix, not a family name.
        if given_words.len() == 1 && SUFFIXES.contains(&bare(given_words[0]).as_str()) {
            let mut name = split_name(family)?;
            name.suffix = Some(given_words[0].trim_end_matches('.').to_string());
            return Some(name);
        }
        return Some(PersonName {
            given: given_words[0].to_string(),
            middle: (given_words.len() > 1).then(|| given_words[1..].join(" ")),
            family: family_words.join(" "),
            suffix: None,
        });
    }
    let mut words: Vec<&str> = full.split_whitespace().collect();
    while words.first().is_some_and(|w| HONORIFICS.contains(&bare(w).as_str()) && words.len() > 2) {
        words.remove(0);
    }
    let mut suffix = None;
    if words.len() > 2 && words.last().is_some_and(|w| SUFFIXES.contains(&bare(w).as_str())) {
        suffix = words.pop().map(|w| w.trim_end_matches('.').to_string());
    }
    if words.len() < 2 || words.len() > 6 {
        return None;
    }
    // The family name starts at the first particle after the given name, else it is the
    // last word.
    let mut family_start = words.len() - 1;
    for (i, w) in words.iter().enumerate().skip(1) {
        if PARTICLES.contains(&bare(w).as_str()) && i < words.len() - 1 {
            family_start = i;
            break;
        }
    }
    Some(PersonName {
        given: words[0].to_string(),
        middle: (family_start > 1).then(|| words[1..family_start].join(" ")),
        family: words[family_start..].join(" "),
        suffix,
    })
}

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date {
    /// Full year.
    pub year: i32,
    /// 1–12.
    pub month: u32,
    /// 1–31.
    pub day: u32,
}

const MONTHS: &[(&str, u32)] = &[
    ("january", 1), ("jan", 1), ("januar", 1), ("janvier", 1), ("enero", 1), ("janv", 1), ("jänner", 1),
    ("february", 2), ("feb", 2), ("februar", 2), ("fevrier", 2), ("febrero", 2), ("fevr", 2), ("fev", 2),
    ("march", 3), ("mar", 3), ("marz", 3), ("mars", 3), ("marzo", 3), ("maerz", 3),
    ("april", 4), ("apr", 4), ("avril", 4), ("abril", 4), ("avr", 4), ("abr", 4),
    ("may", 5), ("mai", 5), ("mayo", 5),
    ("june", 6), ("jun", 6), ("juni", 6), ("juin", 6), ("junio", 6),
    ("july", 7), ("jul", 7), ("juli", 7), ("juillet", 7), ("julio", 7), ("juil", 7),
    ("august", 8), ("aug", 8), ("aout", 8), ("agosto", 8), ("ago", 8),
    ("september", 9), ("sep", 9), ("sept", 9), ("septembre", 9), ("septiembre", 9), ("setiembre", 9),
    ("october", 10), ("oct", 10), ("oktober", 10), ("octobre", 10), ("octubre", 10), ("okt", 10),
    ("november", 11), ("nov", 11), ("novembre", 11), ("noviembre", 11),
    ("december", 12), ("dec", 12), ("dezember", 12), ("decembre", 12), ("diciembre", 12), ("dez", 12), ("dic", 12),
];

/// Whether a name box's label asks the family name before the given one ("Last name,
/// First name, Initial", "Apellidos, nombre", "NOM, prénom(s)"): `Some(true)` when written
/// with a comma between them, `Some(false)` in the French way ("PETIT Jean-Marc"); `None`
/// when it asks the given name first or says nothing of the order.
pub fn family_first(label: &str) -> Option<bool> {
    let words = semantic::normalize(label);
    let words: Vec<&str> = words.split(' ').collect();
    let at = |set: &[&str]| words.iter().position(|w| set.contains(w));
    let family = at(&["last", "family", "surname", "surnames", "nom", "apellido", "apellidos", "nachname", "familienname"])?;
    let given = at(&["first", "given", "forename", "forenames", "prenom", "prenoms", "nombre", "nombres", "vorname", "vornamen"])?;
    (family < given).then(|| !(words[family] == "nom" && words[given].starts_with("prenom")))
}

/// The month a word names ("März", "juillet", "Sept"), in the four languages.
pub fn month_of(word: &str) -> Option<u32> {
    let w = crate::fieldmodel::semantic::normalize(word);
    MONTHS.iter().find(|(name, _)| *name == w).map(|(_, m)| *m)
}

/// The name of month `month` (1-12) in `language` (`en`, `de`, `fr`, `es`).
pub fn month_name(month: u32, language: &str) -> Option<&'static str> {
    const NAMES: &[(&str, [&str; 12])] = &[
        ("en", ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]),
        ("de", ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"]),
        ("fr", ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]),
        ("es", ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"]),
    ];
    let names = NAMES.iter().find(|(l, _)| *l == language)?.1;
    names.get(usize::try_from(month).ok()?.checked_sub(1)?).copied()
}

fn days_in(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

fn make_date(year: i32, month: u32, day: u32) -> Option<Date> {
    ((1800..=2200).contains(&year) && (1..=12).contains(&month) && day >= 1 && day <= days_in(year, month))
        .then_some(Date { year, month, day })
}

/// A two-digit year: the century that puts it in the past hundred years, give or take.
fn full_year(text: &str) -> Option<i32> {
    let y: i32 = text.parse().ok()?;
    Some(match text.len() {
        4 => y,
        2 if y <= 40 => 2000 + y,
        2 => 1900 + y,
        _ => return None,
    })
}

static NUMERIC_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\d{1,4})\s*([./-])\s*(\d{1,2})\s*[./-]\s*(\d{2,4})$").expect("valid regex")
});
static WORDY_DATE: LazyLock<Regex> = LazyLock::new(|| {
    // "July 2, 1979", "2 July 1979", "2. Juli 1979", "2 de julio de 1979", "le 2 juillet 1979".
    Regex::new(r"(?i)^(?:le\s+|the\s+|el\s+|am\s+)?(?:(\d{1,2})(?:st|nd|rd|th|er|\.|º)?\s+(?:de\s+|of\s+)?([\p{L}]+)\.?,?\s+(?:de\s+|del\s+)?(\d{4})|([\p{L}]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4}))$")
        .expect("valid regex")
});

/// Reads a date written any common way. `day_first` decides "02/07/1979" when both
/// readings are valid (the writer's or the form's convention); dotted dates are day first.
pub fn parse_date(text: &str, day_first: bool) -> Option<Date> {
    let t = text.trim().trim_end_matches('.');
    if let Some(c) = NUMERIC_DATE.captures(t) {
        let (a, sep, b, y) = (&c[1], &c[2], &c[3], &c[4]);
        let (a_n, b_n): (u32, u32) = (a.parse().ok()?, b.parse().ok()?);
        if a.len() == 4 {
            // 1979-07-02.
            let year = a.parse().ok()?;
            let day: u32 = y.parse().ok()?;
            return make_date(year, b_n, day);
        }
        let year = full_year(y)?;
        let day_first = if a_n > 12 {
            true
        } else if b_n > 12 {
            false
        } else {
            day_first || sep == "."
        };
        return if day_first { make_date(year, b_n, a_n) } else { make_date(year, a_n, b_n) };
    }
    if let Some(c) = WORDY_DATE.captures(t) {
        if let (Some(d), Some(m), Some(y)) = (c.get(1), c.get(2), c.get(3)) {
            return make_date(y.as_str().parse().ok()?, month_of(m.as_str())?, d.as_str().parse().ok()?);
        }
        if let (Some(m), Some(d), Some(y)) = (c.get(4), c.get(5), c.get(6)) {
            return make_date(y.as_str().parse().ok()?, month_of(m.as_str())?, d.as_str().parse().ok()?);
        }
    }
    // 19790702.
    if t.len() == 8 && t.chars().all(|c| c.is_ascii_digit()) {
        return make_date(t[..4].parse().ok()?, t[4..6].parse().ok()?, t[6..].parse().ok()?);
    }
    None
}

/// A date written inside other words ("05.12.1986 in Freiburg", "born on July 2, 1979").
pub static DATE_IN_TEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{1,2}(?:st|nd|rd|th|er|\.|º)?\s+(?:de\s+|of\s+)?\p{L}+\.?,?\s+(?:de\s+|del\s+)?\d{4}|\p{L}+\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})\b")
        .expect("valid regex")
});

/// The first date in `text`, read as [`parse_date`] does.
pub fn find_date(text: &str, day_first: bool) -> Option<Date> {
    if let Some(date) = parse_date(text, day_first) {
        return Some(date);
    }
    DATE_IN_TEXT.find_iter(text).find_map(|m| parse_date(m.as_str(), day_first))
}

static DATE_PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(mm|dd|jj|tt|yyyy|yy|aaaa|aa|jjjj)([./ -]?)(mm|dd|jj|tt)([./ -]?)(yyyy|yy|aaaa|aa|jjjj)\b|\b(yyyy|aaaa|jjjj)([./ -]?)(mm)([./ -]?)(dd|jj|tt)\b")
        .expect("valid regex")
});

/// The date layout a label prints ("Date of birth (mm/dd/yyyy)", "JJ/MM/AAAA",
/// "TT.MM.JJJJ"), normalized to `mm`, `dd`, `yyyy`/`yy` and the separators.
pub fn date_pattern_in(label: &str) -> Option<String> {
    let found = DATE_PATTERN.find(label)?.as_str().to_lowercase();
    Some(
        found
            .replace("aaaa", "yyyy")
            .replace("jjjj", "yyyy")
            .replace("aa", "yy")
            .replace("jj", "dd")
            .replace("tt", "dd"),
    )
}

/// The unit a date part's box asks by the last word of its label ("… Jour", "Month",
/// "Año", "YYYY"): `dd`, `mm` or `yyyy`.
pub fn date_unit_in(label: &str) -> Option<&'static str> {
    let words = semantic::normalize(label);
    match words.rsplit(' ').next()? {
        "day" | "dd" | "jour" | "jj" | "tag" | "tt" | "dia" => Some("dd"),
        "month" | "mm" | "mois" | "monat" | "mes" => Some("mm"),
        "year" | "yyyy" | "yy" | "annee" | "aaaa" | "jahr" | "jjjj" | "ano" => Some("yyyy"),
        _ => None,
    }
}

/// Writes `date` in `pattern` (`mm/dd/yyyy`, `dd.mm.yyyy`, `yyyy-mm-dd`, `mmddyyyy`…).
pub fn format_date(date: Date, pattern: &str) -> String {
    let mut out = pattern.to_string();
    out = out.replace("yyyy", &format!("{:04}", date.year));
    out = out.replace("yy", &format!("{:02}", date.year.rem_euclid(100)));
    out = out.replace("mm", &format!("{:02}", date.month));
    out.replace("dd", &format!("{:02}", date.day))
}

/// US states and territories: name -> USPS code.
const STATES: &[(&str, &str)] = &[
    ("alabama", "AL"), ("alaska", "AK"), ("arizona", "AZ"), ("arkansas", "AR"), ("california", "CA"),
    ("colorado", "CO"), ("connecticut", "CT"), ("delaware", "DE"), ("district of columbia", "DC"),
    ("florida", "FL"), ("georgia", "GA"), ("hawaii", "HI"), ("idaho", "ID"), ("illinois", "IL"),
    ("indiana", "IN"), ("iowa", "IA"), ("kansas", "KS"), ("kentucky", "KY"), ("louisiana", "LA"),
    ("maine", "ME"), ("maryland", "MD"), ("massachusetts", "MA"), ("michigan", "MI"), ("minnesota", "MN"),
    ("mississippi", "MS"), ("missouri", "MO"), ("montana", "MT"), ("nebraska", "NE"), ("nevada", "NV"),
    ("new hampshire", "NH"), ("new jersey", "NJ"), ("new mexico", "NM"), ("new york", "NY"),
    ("north carolina", "NC"), ("north dakota", "ND"), ("ohio", "OH"), ("oklahoma", "OK"), ("oregon", "OR"),
    ("pennsylvania", "PA"), ("rhode island", "RI"), ("south carolina", "SC"), ("south dakota", "SD"),
    ("tennessee", "TN"), ("texas", "TX"), ("utah", "UT"), ("vermont", "VT"), ("virginia", "VA"),
    ("washington", "WA"), ("west virginia", "WV"), ("wisconsin", "WI"), ("wyoming", "WY"),
    ("puerto rico", "PR"), ("guam", "GU"), ("virgin islands", "VI"), ("american samoa", "AS"),
];

/// The USPS code of a state written out or already coded ("Ohio", "ohio", "OH", "Ill.").
pub fn state_code(text: &str) -> Option<&'static str> {
    let t = text.trim().trim_end_matches('.').to_lowercase();
    STATES
        .iter()
        .find(|(name, code)| *name == t || code.eq_ignore_ascii_case(&t))
        .map(|(_, code)| *code)
}

/// The state's name ("OH" -> "Ohio").
pub fn state_name(code: &str) -> Option<String> {
    let code = state_code(code)?;
    let (name, _) = STATES.iter().find(|(_, c)| *c == code)?;
    Some(
        name.split(' ')
            .map(|w| if w == "of" { w.to_string() } else { capitalize(w) })
            .collect::<Vec<_>>()
            .join(" "),
    )
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}

/// An address in its parts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Address {
    /// Number and street ("18 Birch Road").
    pub street: String,
    /// What kind of unit ("Apt", "Suite", "Unit", "Fl").
    pub unit_kind: Option<String>,
    /// The unit's number ("3", "4B").
    pub unit: Option<String>,
    /// City or town.
    pub city: Option<String>,
    /// State or province as written (a US state is given as its code).
    pub state: Option<String>,
    /// ZIP or postal code.
    pub postal: Option<String>,
    /// Country, when said.
    pub country: Option<String>,
}

static UNIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(.*?)[,\s]+(apt|apartment|suite|ste|unit|fl|floor|flr|rm|room|#|app|appt|appartement|apartamento|wohnung|etage|étage|piso|depto|dpto)\.?\s*(?:no\.?\s*|#\s*)?([0-9]+[a-z]?|[a-z][0-9]*)$")
        .expect("valid regex")
});
static UNIT_ALONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(apt|apartment|suite|ste|unit|fl|floor|flr|rm|room|#|app|appt|appartement|apartamento|wohnung|etage|étage|piso|depto|dpto)\.?\s*(?:no\.?\s*|#\s*)?([0-9]+[a-z]?|[a-z][0-9]*)$")
        .expect("valid regex")
});
static STATE_ZIP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([\p{L} .]+?)\.?\s+(\d{5}(?:-\d{4})?)$").expect("valid regex")
});
static ZIP_CITY: LazyLock<Regex> = LazyLock::new(|| {
    // European order: "10115 Berlin", "75002 Paris", "L-1234 Luxembourg", "28013 Madrid".
    Regex::new(r"^(?:[A-Z]{1,2}-)?(\d{4,5})\s+(\p{L}[\p{L} .'-]*)$").expect("valid regex")
});
static ZIP_ALONE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\d{5}(?:-\d{4})?$").expect("valid regex"));

const COUNTRIES: &[&str] = &[
    "usa", "us", "u s a", "united states", "united states of america", "germany", "deutschland", "france",
    "spain", "espana", "mexico", "canada", "luxembourg", "austria", "osterreich", "switzerland", "schweiz",
    "suisse", "italy", "belgium", "belgique", "netherlands", "uk", "united kingdom",
];

/// Countries by their English name, with other names and the adjectives people write for
/// their nationality (four languages), normalized (lower case, no accents).
const COUNTRY_NAMES: &[(&str, &[&str])] = &[
    ("United States", &["usa", "us", "u s", "u s a", "united states of america", "america", "american", "estados unidos", "etats unis", "vereinigte staaten", "amerikanisch", "americain", "americaine", "estadounidense"]),
    ("Mexico", &["mexican", "mexique", "mexiko", "mexicano", "mexicana", "mexicain", "mexicaine", "mexikanisch"]),
    ("Canada", &["canadian", "kanada", "canadien", "canadienne", "canadiense", "kanadisch"]),
    ("Germany", &["german", "deutschland", "allemagne", "alemania", "deutsch", "deutsche", "deutscher", "allemand", "allemande", "aleman", "alemana"]),
    ("France", &["french", "frankreich", "francia", "francais", "francaise", "frances", "francesa", "franzosisch"]),
    ("Spain", &["spanish", "espana", "espagne", "spanien", "espanol", "espanola", "espagnol", "espagnole", "spanisch"]),
    ("Italy", &["italian", "italia", "italie", "italien", "italiano", "italiana", "italienne", "italienisch"]),
    ("United Kingdom", &["uk", "great britain", "britain", "british", "england", "english", "royaume uni", "reino unido", "vereinigtes konigreich", "britannique", "britanico", "britanica", "britisch"]),
    ("Ireland", &["irish", "irland", "irlande", "irlanda", "irlandais", "irlandes"]),
    ("Portugal", &["portuguese", "portugais", "portugues", "portuguesa", "portugiesisch"]),
    ("Netherlands", &["dutch", "holland", "niederlande", "pays bas", "paises bajos", "neerlandais", "niederlandisch"]),
    ("Belgium", &["belgian", "belgique", "belgien", "belgica", "belge", "belga", "belgisch"]),
    ("Luxembourg", &["luxembourgish", "luxemburg", "luxemburgo", "luxembourgeois", "luxembourgeoise", "luxemburgisch"]),
    ("Switzerland", &["swiss", "schweiz", "suisse", "suiza", "schweizer", "schweizerisch", "suizo", "suiza"]),
    ("Austria", &["austrian", "osterreich", "autriche", "austriaco", "austriaca", "autrichien", "osterreichisch"]),
    ("Poland", &["polish", "polen", "pologne", "polonia", "polonais", "polaco", "polaca", "polnisch"]),
    ("Ukraine", &["ukrainian", "ukrainien", "ucrania", "ucraniano", "ukrainisch"]),
    ("Russia", &["russian", "russland", "russie", "rusia", "russe", "ruso", "rusa", "russisch"]),
    ("Romania", &["romanian", "rumanien", "roumanie", "rumania", "roumain", "rumano", "rumanisch"]),
    ("Greece", &["greek", "griechenland", "grece", "grecia", "grec", "grecque", "griego", "griechisch"]),
    ("Turkey", &["turkish", "turkei", "turquie", "turquia", "turc", "turco", "turkisch", "turkiye"]),
    ("China", &["chinese", "chine", "chinois", "chinoise", "chino", "china", "chinesisch"]),
    ("India", &["indian", "indien", "inde", "indio", "hindu", "indisch"]),
    ("Pakistan", &["pakistani", "pakistanais", "pakistani", "pakistanisch"]),
    ("Bangladesh", &["bangladeshi"]),
    ("Philippines", &["filipino", "filipina", "philippine", "philippinen", "filipinas", "philippin"]),
    ("Vietnam", &["vietnamese", "viet nam", "vietnamien", "vietnamita", "vietnamesisch"]),
    ("Japan", &["japanese", "japon", "japonais", "japonaise", "japones", "japonesa", "japanisch"]),
    ("South Korea", &["korean", "korea", "republic of korea", "coree du sud", "corea del sur", "sudkorea", "coreen", "coreano", "koreanisch"]),
    ("Thailand", &["thai", "thailande", "tailandia", "thailandisch"]),
    ("Indonesia", &["indonesian", "indonesien", "indonesie"]),
    ("Iran", &["iranian", "iranien", "irani", "irani", "iranisch"]),
    ("Iraq", &["iraqi", "irak", "irakien", "iraki", "irakisch"]),
    ("Afghanistan", &["afghan", "afghane", "afgano", "afghanisch"]),
    ("Syria", &["syrian", "syrien", "syrie", "siria", "sirio", "syrisch"]),
    ("Israel", &["israeli", "israelien", "israeli", "israelisch"]),
    ("Lebanon", &["lebanese", "libanon", "liban", "libano", "libanais", "libanes"]),
    ("Egypt", &["egyptian", "agypten", "egypte", "egipto", "egyptien", "egipcio", "agyptisch"]),
    ("Morocco", &["moroccan", "marokko", "maroc", "marruecos", "marocain", "marroqui", "marokkanisch"]),
    ("Algeria", &["algerian", "algerien", "algerie", "argelia", "algerien", "argelino"]),
    ("Tunisia", &["tunisian", "tunesien", "tunisie", "tunez", "tunisien", "tunecino"]),
    ("Nigeria", &["nigerian", "nigerian", "nigeriano", "nigerian"]),
    ("Ghana", &["ghanaian", "ghaneen", "ghanes"]),
    ("Kenya", &["kenyan", "kenia", "kenyan", "keniano"]),
    ("Ethiopia", &["ethiopian", "athiopien", "ethiopie", "etiopia", "ethiopien", "etiope"]),
    ("Eritrea", &["eritrean", "erythree", "eritreo"]),
    ("Somalia", &["somali", "somalie", "somalien"]),
    ("Senegal", &["senegalese", "senegalais", "senegales"]),
    ("Mali", &["malian", "malien", "malinese"]),
    ("Cameroon", &["cameroonian", "kamerun", "cameroun", "camerun", "camerounais"]),
    ("Democratic Republic of the Congo", &["congolese", "drc", "dr congo", "congo", "kongo", "congolais", "congoleno"]),
    ("South Africa", &["south african", "sudafrika", "afrique du sud", "sudafrica"]),
    ("Haiti", &["haitian", "haiti", "haitien", "haitienne", "haitiano", "haitiana"]),
    ("Cuba", &["cuban", "kuba", "cubain", "cubano", "cubana", "kubanisch"]),
    ("Dominican Republic", &["dominican", "republica dominicana", "republique dominicaine", "dominicano", "dominicana"]),
    ("Jamaica", &["jamaican", "jamaika", "jamaique", "jamaicano"]),
    ("Puerto Rico", &["puerto rican", "puertorriqueno", "puertorriquena"]),
    ("Guatemala", &["guatemalan", "guatemalteco", "guatemalteca"]),
    ("El Salvador", &["salvadoran", "salvadorian", "salvadoreno", "salvadorena"]),
    ("Honduras", &["honduran", "hondureno", "hondurena"]),
    ("Nicaragua", &["nicaraguan", "nicaraguense"]),
    ("Costa Rica", &["costa rican", "costarricense"]),
    ("Panama", &["panamanian", "panameno", "panamena"]),
    ("Colombia", &["colombian", "kolumbien", "colombie", "colombiano", "colombiana", "colombien"]),
    ("Venezuela", &["venezuelan", "venezolano", "venezolana", "venezuelien"]),
    ("Ecuador", &["ecuadorian", "ecuatoriano", "ecuatoriana", "equateur"]),
    ("Peru", &["peruvian", "peruano", "peruana", "perou", "peruvien"]),
    ("Bolivia", &["bolivian", "boliviano", "boliviana", "bolivie"]),
    ("Chile", &["chilean", "chileno", "chilena", "chili", "chilien"]),
    ("Argentina", &["argentinian", "argentine", "argentino", "argentina", "argentinien"]),
    ("Brazil", &["brazilian", "brasil", "bresil", "brasilien", "brasileno", "brasileiro", "bresilien"]),
    ("Uruguay", &["uruguayan", "uruguayo", "uruguaya"]),
    ("Paraguay", &["paraguayan", "paraguayo", "paraguaya"]),
    ("Australia", &["australian", "australien", "australie", "australiano"]),
    ("New Zealand", &["new zealander", "neuseeland", "nouvelle zelande", "nueva zelanda"]),
    ("Nepal", &["nepali", "nepalese"]),
    ("Sri Lanka", &["sri lankan"]),
    ("Burma", &["myanmar", "burmese"]),
];

/// The English name of a country written by name or by nationality ("Indian", "deutsche",
/// "Alemania", "U.S."), `None` when the words name no country in the table.
pub fn country_name(text: &str) -> Option<&'static str> {
    let t = crate::fieldmodel::semantic::normalize(text.trim().trim_end_matches('.'));
    if t.is_empty() {
        return None;
    }
    COUNTRY_NAMES
        .iter()
        // (The English names are plain ASCII: normalized, they are their lower case.)
        .find(|(name, others)| name.eq_ignore_ascii_case(&t) || others.contains(&t.as_str()))
        .map(|(name, _)| *name)
}

/// Words of closed vocabularies (colours, languages, kin, marital status) in German, French
/// and Spanish, with the English an English form's box takes: "grün" -> "Green", "hijo" ->
/// "Son". Keys are folded (`semantic::normalize`).
const ENGLISH_WORDS: &[(&str, &[&str])] = &[
    ("Black", &["schwarz", "noir", "noire", "negro", "negra"]),
    ("Blue", &["blau", "bleu", "bleus", "azul", "azules"]),
    ("Brown", &["braun", "marron", "brun", "brune", "marron oscuro", "cafe", "castano", "castana"]),
    ("Green", &["grun", "vert", "verts", "verde", "verdes"]),
    ("Gray", &["grau", "gris"]),
    ("Hazel", &["haselnussbraun", "noisette", "avellana"]),
    ("Blond", &["blond", "blonde", "rubio", "rubia"]),
    ("Red", &["rot", "roux", "rousse", "pelirrojo", "pelirroja"]),
    ("White", &["weiss", "weis", "blanc", "blanche", "blanco", "blanca", "canoso"]),
    ("German", &["deutsch", "allemand", "aleman"]),
    ("French", &["franzosisch", "francais", "frances"]),
    ("Spanish", &["spanisch", "espagnol", "espanol", "castellano"]),
    ("English", &["englisch", "anglais", "ingles"]),
    ("Portuguese", &["portugiesisch", "portugais", "portugues"]),
    ("Italian", &["italienisch", "italien", "italiano"]),
    ("Arabic", &["arabisch", "arabe"]),
    ("Chinese", &["chinesisch", "chinois", "chino"]),
    ("Russian", &["russisch", "russe", "ruso"]),
    ("Son", &["sohn", "fils", "hijo"]),
    ("Daughter", &["tochter", "fille", "hija"]),
    ("Wife", &["ehefrau", "epouse", "esposa"]),
    ("Husband", &["ehemann", "epoux", "esposo", "marido"]),
    ("Mother", &["mutter", "mere", "madre"]),
    ("Father", &["vater", "pere", "padre"]),
    ("Brother", &["bruder", "frere", "hermano"]),
    ("Sister", &["schwester", "soeur", "hermana"]),
    ("Grandson", &["enkel", "petit fils", "nieto"]),
    ("Granddaughter", &["enkelin", "petite fille", "nieta"]),
    ("Single", &["ledig", "celibataire", "soltero", "soltera"]),
    ("Married", &["verheiratet", "marie", "mariee", "casado", "casada"]),
    ("Divorced", &["geschieden", "divorce", "divorcee", "divorciado", "divorciada"]),
    ("Widowed", &["verwitwet", "veuf", "veuve", "viudo", "viuda"]),
];

/// The English of a German, French or Spanish word of a closed vocabulary (a colour, a
/// language, a relative, a marital status), for an English form's text box.
pub fn english_word(text: &str) -> Option<&'static str> {
    let t = crate::fieldmodel::semantic::normalize(text);
    // "solo español", "nur Deutsch": the one language.
    let t = ["solo ", "nur ", "seulement ", "uniquement ", "only "].iter().find_map(|w| t.strip_prefix(w)).unwrap_or(&t).trim();
    ENGLISH_WORDS.iter().find(|(_, words)| words.contains(&t)).map(|(english, _)| *english)
}

/// Units said after the rest of an address ("…, MA 01852, apt 2, floor 2"): the address
/// without them, and each unit's kind and number, in order.
pub fn trailing_units(line: &str) -> (String, Vec<(String, String)>) {
    let mut pieces: Vec<&str> = line.trim().trim_end_matches('.').split(',').collect();
    let mut units = Vec::new();
    while pieces.len() > 1
        && let Some(c) = pieces.last().and_then(|p| UNIT_ALONE.captures(p.trim()))
    {
        units.push((c[1].to_string(), c[2].to_string()));
        pieces.pop();
    }
    units.reverse();
    (pieces.join(",").trim().to_string(), units)
}

/// Splits a one-line address: "18 Birch Road Apt 3, Dayton, OH 45402",
/// "Hauptstraße 5, 10115 Berlin", "12 rue de la Paix, 75002 Paris, France". `None` when it
/// does not read as an address (no number anywhere, or one piece only).
pub fn split_address(line: &str) -> Option<Address> {
    let line = line.trim().trim_end_matches('.');
    if !line.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut parts: Vec<String> =
        line.split([',', ';', '\n']).map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect();
    if parts.len() < 2 {
        return None;
    }
    let mut address = Address::default();
    if let Some(last) = parts.last()
        && (COUNTRIES.contains(&crate::fieldmodel::semantic::normalize(last).as_str()) || country_name(last).is_some())
    {
        address.country = parts.pop();
    }
    // "…, 60313 Frankfurt am Main, Hessen": a region after the postal code and city.
    let mut region = None;
    if parts.len() >= 3
        && let Some(last) = parts.last()
        && !last.chars().any(|c| c.is_ascii_digit())
        && parts.get(parts.len() - 2).is_some_and(|p| ZIP_CITY.is_match(p) || STATE_ZIP.is_match(p))
    {
        region = parts.pop();
    }
    let last = parts.pop()?;
    if let Some(c) = STATE_ZIP.captures(&last) {
        let before = c[1].trim();
        address.postal = Some(c[2].to_string());
        // "Naperville IL 60540": the city is written before the state without a comma.
        let words: Vec<&str> = before.split_whitespace().collect();
        // (A two-letter code only in capitals: "in", "or", "me" are words.)
        let city_then_state = if state_code(before).is_none() {
            (1..=2.min(words.len().saturating_sub(1))).rev().find_map(|n| {
                let state = words[words.len() - n..].join(" ");
                let written_as_code = state.len() == 2;
                if written_as_code && !state.chars().all(|c| c.is_ascii_uppercase()) {
                    return None;
                }
                state_code(&state).map(|code| (words[..words.len() - n].join(" "), code))
            })
        } else {
            None
        };
        if let Some((city, code)) = city_then_state {
            address.state = Some(code.to_string());
            address.city = Some(city);
        } else {
            address.state = Some(state_code(before).map_or_else(|| before.to_string(), str::to_string));
            address.city = parts.pop();
        }
    } else if let Some(c) = ZIP_CITY.captures(&last) {
        address.postal = Some(c[1].to_string());
        address.city = Some(c[2].trim().to_string());
    } else if ZIP_ALONE.is_match(&last) {
        address.postal = Some(last);
        let state = parts.pop()?;
        address.state = Some(state_code(&state).map_or(state, str::to_string));
        address.city = parts.pop();
    } else if let Some(code) = state_code(&last) {
        address.state = Some(code.to_string());
        address.city = parts.pop();
    } else {
        // "18 Birch Road, Dayton": street and city.
        address.city = Some(last);
    }
    if address.state.is_none() {
        address.state = region;
    }
    // What is left: the street, maybe with the unit in its own piece or at its end.
    if parts.len() == 2
        && let Some(c) = UNIT_ALONE.captures(&parts[1])
    {
        address.unit_kind = Some(c[1].to_string());
        address.unit = Some(c[2].to_string());
        parts.pop();
    }
    if parts.len() == 2 && UNIT_ALONE.is_match(&parts[0]) {
        // "Apt 3, 18 Birch Road".
        if let Some(c) = UNIT_ALONE.captures(&parts[0]) {
            address.unit_kind = Some(c[1].to_string());
            address.unit = Some(c[2].to_string());
        }
        parts.remove(0);
    }
    // "Calle Toro 28, 2º izquierda", "Calle 5 B-12, Urb. Santa Juanita": a second line of
    // the street (floor and door, district, building) stays with it.
    if parts.len() == 2 && parts[0].chars().any(|c| c.is_ascii_digit()) && parts[1].split_whitespace().count() <= 4 {
        let second = parts.pop()?;
        if let Some(first) = parts.first_mut() {
            *first = format!("{first}, {second}");
        }
    }
    if parts.len() != 1 {
        return None;
    }
    // "(vivo en) la calle Zamora 42": an article in lower case, from the sentence, is no
    // part of the street's name ("La Jolla Blvd" is written with its capital).
    let street = parts.pop()?;
    let street = ["la ", "el ", "the ", "le ", "die ", "der "]
        .iter()
        .find_map(|a| street.strip_prefix(a))
        .map_or(street.clone(), str::to_string);
    if address.unit.is_none()
        && let Some(c) = UNIT.captures(&street)
        && c[1].chars().any(|ch| ch.is_alphabetic())
    {
        address.unit_kind = Some(c[2].to_string());
        address.unit = Some(c[3].to_string());
        address.street = c[1].trim().to_string();
    } else {
        address.street = street;
    }
    if address.city.as_deref().is_some_and(|c| c.chars().any(|ch| ch.is_ascii_digit())) {
        return None;
    }
    Some(address)
}

/// The digits of `text`.
pub fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// A North American phone number as (area code, exchange, line): "+1 (937) 555-0134".
pub fn split_phone(text: &str) -> Option<(String, String, String)> {
    let mut d = digits(text);
    if d.len() == 11 && d.starts_with('1') {
        d.remove(0);
    }
    (d.len() == 10).then(|| (d[..3].to_string(), d[3..6].to_string(), d[6..].to_string()))
}

/// Digits cut into groups (`[3, 2, 4]` for an SSN, `[2, 7]` for an EIN); `None` when the
/// digit count differs.
pub fn digit_groups(text: &str, groups: &[usize]) -> Option<Vec<String>> {
    let d = digits(text);
    if d.len() != groups.iter().sum::<usize>() {
        return None;
    }
    let mut out = Vec::with_capacity(groups.len());
    let mut at = 0;
    for g in groups {
        out.push(d[at..at + g].to_string());
        at += g;
    }
    Some(out)
}

/// An amount as a person writes it into a box: currency signs and words dropped,
/// thousands separators kept out, cents kept when given ("$1,250.50" -> "1250.50",
/// "1.250,50 €" -> "1250,50" stays in its decimal comma).
pub fn amount(text: &str) -> Option<String> {
    static AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^(?:[$€£]|usd|eur|chf)?\s*(-?\d{1,3}(?:[,.' ]\d{3})*|-?\d+)(?:([.,])(\d{1,2}))?\s*(?:[$€£]|usd|eur|chf|dollars?|euros?)?$")
            .expect("valid regex")
    });
    let c = AMOUNT.captures(text.trim())?;
    let whole: String = c[1].chars().filter(|ch| ch.is_ascii_digit() || *ch == '-').collect();
    Some(match (c.get(2), c.get(3)) {
        (Some(sep), Some(cents)) => format!("{whole}{}{}", sep.as_str(), cents.as_str()),
        _ => whole,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn city_before_state_without_a_comma() {
        let a = split_address("12 Prairie Ct, Naperville IL 60540").expect("an address");
        assert_eq!((a.street.as_str(), a.city.as_deref(), a.state.as_deref(), a.postal.as_deref()), ("12 Prairie Ct", Some("Naperville"), Some("IL"), Some("60540")));
        let a = split_address("9 Elm St, Salt Lake City Utah 84101").expect("an address");
        assert_eq!((a.city.as_deref(), a.state.as_deref()), (Some("Salt Lake City"), Some("UT")));
    }

    #[test]
    fn names_in_their_parts() {
        let n = split_name("Rosa Maria Castillo").expect("name");
        assert_eq!((n.given.as_str(), n.middle.as_deref(), n.family.as_str()), ("Rosa", Some("Maria"), "Castillo"));
        let n = split_name("Castillo, Rosa Maria").expect("name");
        assert_eq!((n.given.as_str(), n.family.as_str()), ("Rosa", "Castillo"));
        let n = split_name("Dr. Jan van der Berg Jr.").expect("name");
        assert_eq!((n.given.as_str(), n.middle, n.family.as_str(), n.suffix.as_deref()), ("Jan", None, "van der Berg", Some("Jr")));
        assert_eq!(split_name("Jordan"), None);
        assert_eq!(split_name("12 Main St"), None);
    }

    #[test]
    fn units_after_an_address() {
        let (rest, units) = trailing_units("19 Bridge St, Lowell, MA 01852, apt 2, floor 2");
        assert_eq!(rest, "19 Bridge St, Lowell, MA 01852");
        assert_eq!(units, vec![("apt".to_string(), "2".to_string()), ("floor".to_string(), "2".to_string())]);
        assert_eq!(trailing_units("18 Birch Road, Dayton").1, Vec::<(String, String)>::new());
    }

    #[test]
    fn name_order_from_the_label() {
        assert_eq!(family_first("Last name, First name, Initial"), Some(true));
        assert_eq!(family_first("Apellidos, nombre"), Some(true));
        assert_eq!(family_first("NOM, prénom(s) du demandeur"), Some(false));
        assert_eq!(family_first("VETERAN'S NAME (First, Middle Initial, Last)"), None);
        let two_lines = split_address("Calle Toro 28, 2º izquierda, 37002 Salamanca").expect("address");
        assert_eq!((two_lines.street.as_str(), two_lines.postal.as_deref(), two_lines.city.as_deref()), ("Calle Toro 28, 2º izquierda", Some("37002"), Some("Salamanca")));
        let remark = split_name("Hiroshi Tanaka, no middle name, never used another name").expect("name");
        assert_eq!((remark.given.as_str(), remark.middle, remark.family.as_str()), ("Hiroshi", None, "Tanaka"));
        assert_eq!(family_first("Full name"), None);
    }

    #[test]
    fn dates_any_common_way() {
        let d = Date { year: 1979, month: 7, day: 2 };
        for text in ["1979-07-02", "07/02/1979", "7/2/79", "July 2, 1979", "2 July 1979", "2. Juli 1979", "2 de julio de 1979", "le 2 juillet 1979", "02.07.1979", "Jul 2 1979"] {
            assert_eq!(parse_date(text, false), Some(d), "{text}");
        }
        assert_eq!(parse_date("02/07/1979", true), Some(d));
        assert_eq!(parse_date("13/07/1979", false), Some(Date { year: 1979, month: 7, day: 13 }));
        assert_eq!(parse_date("31/02/1979", true), None);
        assert_eq!(find_date("05.12.1986 in Freiburg", false), Some(Date { year: 1986, month: 12, day: 5 }));
        assert_eq!(format_date(d, "mm/dd/yyyy"), "07/02/1979");
        assert_eq!(format_date(d, "dd.mm.yyyy"), "02.07.1979");
        assert_eq!(date_pattern_in("Date of birth (MM/DD/YYYY)").as_deref(), Some("mm/dd/yyyy"));
        assert_eq!(date_pattern_in("Date de naissance JJ/MM/AAAA").as_deref(), Some("dd/mm/yyyy"));
        assert_eq!(date_unit_in("Date de réalisation de l'audit Jour"), Some("dd"));
        assert_eq!(date_unit_in("Fecha de nacimiento - Año"), Some("yyyy"));
        assert_eq!(date_unit_in("Date signed (MM)"), Some("mm"));
        assert_eq!(date_unit_in("Date of birth"), None);
        assert_eq!((month_name(3, "es"), month_name(12, "de"), month_name(13, "en")), (Some("marzo"), Some("Dezember"), None));
    }

    #[test]
    fn addresses_in_one_line() {
        let a = split_address("18 Birch Road Apt 3, Dayton, OH 45402").expect("address");
        assert_eq!(a.street, "18 Birch Road");
        assert_eq!((a.unit_kind.as_deref(), a.unit.as_deref()), (Some("Apt"), Some("3")));
        assert_eq!((a.city.as_deref(), a.state.as_deref(), a.postal.as_deref()), (Some("Dayton"), Some("OH"), Some("45402")));
        let a = split_address("40 Harbor St, Unit 2, Lynn, Massachusetts 01902").expect("address");
        assert_eq!((a.street.as_str(), a.unit.as_deref(), a.state.as_deref()), ("40 Harbor St", Some("2"), Some("MA")));
        let a = split_address("Hauptstraße 5, 10115 Berlin").expect("address");
        assert_eq!((a.street.as_str(), a.postal.as_deref(), a.city.as_deref()), ("Hauptstraße 5", Some("10115"), Some("Berlin")));
        let a = split_address("Goethestraße 12, 60313 Frankfurt am Main, Hessen, Deutschland").expect("address");
        assert_eq!((a.city.as_deref(), a.state.as_deref(), a.postal.as_deref()), (Some("Frankfurt am Main"), Some("Hessen"), Some("60313")));
        let a = split_address("12 rue de la Paix, 75002 Paris, France").expect("address");
        assert_eq!((a.city.as_deref(), a.country.as_deref()), (Some("Paris"), Some("France")));
        assert_eq!(split_address("Dayton, Ohio"), None);
    }

    #[test]
    fn numbers_in_groups() {
        assert_eq!(split_phone("+1 (937) 555-0134"), Some(("937".into(), "555".into(), "0134".into())));
        assert_eq!(digit_groups("123-45-6789", &[3, 2, 4]), Some(vec!["123".into(), "45".into(), "6789".into()]));
        assert_eq!(digit_groups("12-34567", &[2, 7]), None);
        assert_eq!(amount("$1,250.50").as_deref(), Some("1250.50"));
        assert_eq!(amount("1250 dollars").as_deref(), Some("1250"));
        assert_eq!(amount("about 1250"), None);
        assert_eq!(state_code("Ohio"), Some("OH"));
        assert_eq!(state_name("ny").as_deref(), Some("New York"));
    }
}
