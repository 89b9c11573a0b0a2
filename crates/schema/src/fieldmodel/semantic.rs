//! Semantic types: what kind of value a field asks for, in the vocabulary of HTML's
//! `autocomplete` tokens where one fits (`given-name`, `postal-code`, `tel`…) plus what forms
//! need beyond them (`ssn`, `ein`, `money`, `yes-no`…). Inferred from words — the printed
//! label first, then the tooltip, then the field name split into words — in English,
//! German, French and Spanish, with the field's kind and length as tie-breakers.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

/// A field's semantic type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[allow(missing_docs)]
pub enum Semantic {
    Name,
    GivenName,
    AdditionalName,
    FamilyName,
    HonorificPrefix,
    HonorificSuffix,
    Organization,
    OrganizationTitle,
    StreetAddress,
    AddressLine2,
    AddressLevel2,
    AddressLevel1,
    PostalCode,
    Country,
    County,
    Tel,
    TelAreaCode,
    TelLocal,
    TelExtension,
    Fax,
    Email,
    Bday,
    BdayDay,
    BdayMonth,
    BdayYear,
    Age,
    Sex,
    Ssn,
    Ein,
    Tin,
    IdNumber,
    BankAccount,
    RoutingNumber,
    Date,
    DateDay,
    DateMonth,
    DateYear,
    DateSigned,
    Money,
    Number,
    YesNo,
    Choice,
    Signature,
    Text,
}

impl Semantic {
    /// Every type, in declaration order.
    pub const ALL: [Semantic; 44] = {
        use Semantic::*;
        [
            Name, GivenName, AdditionalName, FamilyName, HonorificPrefix, HonorificSuffix, Organization,
            OrganizationTitle, StreetAddress, AddressLine2, AddressLevel2, AddressLevel1, PostalCode, Country,
            County, Tel, TelAreaCode, TelLocal, TelExtension, Fax, Email, Bday, BdayDay, BdayMonth, BdayYear, Age,
            Sex, Ssn, Ein, Tin, IdNumber, BankAccount, RoutingNumber, Date, DateDay, DateMonth, DateYear,
            DateSigned, Money, Number, YesNo, Choice, Signature, Text,
        ]
    };

    /// The token (`given-name`, `ssn`, `yes-no`…).
    pub fn token(self) -> &'static str {
        use Semantic::*;
        match self {
            Name => "name",
            GivenName => "given-name",
            AdditionalName => "additional-name",
            FamilyName => "family-name",
            HonorificPrefix => "honorific-prefix",
            HonorificSuffix => "honorific-suffix",
            Organization => "organization",
            OrganizationTitle => "organization-title",
            StreetAddress => "street-address",
            AddressLine2 => "address-line2",
            AddressLevel2 => "address-level2",
            AddressLevel1 => "address-level1",
            PostalCode => "postal-code",
            Country => "country",
            County => "county",
            Tel => "tel",
            TelAreaCode => "tel-area-code",
            TelLocal => "tel-local",
            TelExtension => "tel-extension",
            Fax => "fax",
            Email => "email",
            Bday => "bday",
            BdayDay => "bday-day",
            BdayMonth => "bday-month",
            BdayYear => "bday-year",
            Age => "age",
            Sex => "sex",
            Ssn => "ssn",
            Ein => "ein",
            Tin => "tin",
            IdNumber => "id-number",
            BankAccount => "bank-account",
            RoutingNumber => "routing-number",
            Date => "date",
            DateDay => "date-day",
            DateMonth => "date-month",
            DateYear => "date-year",
            DateSigned => "date-signed",
            Money => "money",
            Number => "number",
            YesNo => "yes-no",
            Choice => "choice",
            Signature => "signature",
            Text => "text",
        }
    }

    /// Words a key is made of when the type names the field better than its label does
    /// (`given_name`, `zip_code`); `None` for types too broad to name a field.
    pub fn key_words(self) -> Option<&'static str> {
        use Semantic::*;
        Some(match self {
            Name => "name",
            GivenName => "given_name",
            AdditionalName => "middle_name",
            FamilyName => "family_name",
            StreetAddress => "street_address",
            AddressLine2 => "apartment_number",
            AddressLevel2 => "city",
            AddressLevel1 => "state",
            PostalCode => "zip_code",
            Country => "country",
            County => "county",
            Tel => "phone",
            TelAreaCode => "phone_area_code",
            TelLocal => "phone_number",
            TelExtension => "phone_extension",
            Fax => "fax",
            Email => "email",
            Bday => "date_of_birth",
            BdayDay => "birth_day",
            BdayMonth => "birth_month",
            BdayYear => "birth_year",
            Ssn => "ssn",
            Ein => "ein",
            DateSigned => "date_signed",
            Sex => "sex",
            RoutingNumber => "routing_number",
            BankAccount => "bank_account_number",
            _ => return None,
        })
    }

    /// A phrase for descriptions ("a given (first) name").
    pub fn describe(self) -> &'static str {
        use Semantic::*;
        match self {
            Name => "a full name",
            GivenName => "a given (first) name",
            AdditionalName => "a middle name or initial",
            FamilyName => "a family (last) name",
            HonorificPrefix => "a title such as Mr or Dr",
            HonorificSuffix => "a suffix such as Jr",
            Organization => "an organization's name",
            OrganizationTitle => "a job title or occupation",
            StreetAddress => "a street address",
            AddressLine2 => "an apartment, suite or unit number",
            AddressLevel2 => "a city or town",
            AddressLevel1 => "a state or province",
            PostalCode => "a ZIP or postal code",
            Country => "a country",
            County => "a county",
            Tel => "a phone number",
            TelAreaCode => "a phone area code",
            TelLocal => "a phone number without its area code",
            TelExtension => "a phone extension",
            Fax => "a fax number",
            Email => "an email address",
            Bday => "a date of birth",
            BdayDay => "the day of a date of birth",
            BdayMonth => "the month of a date of birth",
            BdayYear => "the year of a date of birth",
            Age => "an age in years",
            Sex => "a sex or gender",
            Ssn => "a U.S. social security number",
            Ein => "a U.S. employer identification number",
            Tin => "a taxpayer identification number",
            IdNumber => "an identification or reference number",
            BankAccount => "a bank account number",
            RoutingNumber => "a bank routing number",
            Date => "a date",
            DateDay => "the day of a date",
            DateMonth => "the month of a date",
            DateYear => "the year of a date",
            DateSigned => "the date of signing",
            Money => "an amount of money",
            Number => "a number",
            YesNo => "a yes/no answer",
            Choice => "a choice among options",
            Signature => "a signature",
            Text => "text",
        }
    }
}

/// Folds a text for matching: lower case, accents removed, separators as single spaces,
/// camelCase and `S2B_ZipCode`-style names split into words.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut previous: Option<char> = None;
    for ch in text.chars() {
        // camelCase: "firstName" -> "first name"; "ZIPCode" -> "zip code".
        if let Some(p) = previous
            && ch.is_uppercase()
            && (p.is_lowercase() || p.is_ascii_digit())
        {
            out.push(' ');
        }
        previous = Some(ch);
        for lower in ch.to_lowercase() {
            // A typographic apostrophe is the apostrophe ("DEFENDANT’S" is "defendant's").
            let lower = if matches!(lower, '\u{2019}' | '\u{2018}' | '\u{02bc}') { '\'' } else { lower };
            let folded = crate::keys::fold(lower).unwrap_or(lower);
            if folded.is_alphanumeric() || matches!(folded, '$' | '%' | '@' | '#' | '\'') {
                out.push(folded);
            } else if !out.ends_with(' ') {
                out.push(' ');
            }
        }
    }
    out.trim().to_string()
}

/// Kinds of value that are never confused for one another: a given name and a full name
/// are one family, a given name and a state are not. `None` for types that say little
/// (text, number, money, choices).
pub fn family(s: Semantic) -> Option<u8> {
    use Semantic::*;
    Some(match s {
        Name | GivenName | AdditionalName | FamilyName | HonorificPrefix | HonorificSuffix => 1,
        Organization | OrganizationTitle => 2,
        StreetAddress | AddressLine2 | AddressLevel2 | AddressLevel1 | PostalCode | Country | County => 3,
        Tel | TelAreaCode | TelLocal | TelExtension | Fax => 4,
        Email => 5,
        Bday | BdayDay | BdayMonth | BdayYear | Age | Date | DateDay | DateMonth | DateYear | DateSigned => 6,
        Sex => 7,
        Ssn | Ein | Tin => 8,
        BankAccount | RoutingNumber => 9,
        Signature => 10,
        IdNumber | Money | Number | YesNo | Choice | Text => return None,
    })
}

/// One rule: a pattern over normalized text and the type it means.
struct Rule(Regex, Semantic);

/// Rules in priority order: the more specific phrase first ("date of birth" before "date",
/// "business name" before "name", "email address" before "address").
static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    use Semantic::*;
    let table: &[(&str, Semantic)] = &[
        // Identifiers with their own formats.
        (r"\b(social security|soc sec|ssn|sozialversicherungs(nummer)?)\b.*\b(employer identification|ein)\b", Tin),
        (r"\bsocial security\b|\bssn\b|\bsoc sec\b|\bss ?no\b|\bss ?#|\bseguro social\b|\bsecurite sociale\b", Ssn),
        (r"\bemployer identification\b|\bfein\b|\bein\b|\bemployer id\b", Ein),
        (r"\btaxpayer identification\b|\btin\b|\bitin\b|\bidentifying number\b|\bsteuer ?(identifikations)?nummer\b|\bsteuer ?id\b|\bnumero fiscal\b|\bnif\b", Tin),
        (r"\brouting\b|\baba\b|\btransit number\b|\bbank code\b|\bbankleitzahl\b|\bblz\b|\bswift\b|\bbic\b", RoutingNumber),
        (r"\biban\b|\bbank account\b|\baccount (number|no)\b.*\b(bank|checking|savings|deposit)\b|\b(checking|savings|deposit) account\b|\bkontonummer\b|\bnumero de compte\b|\bnumero de cuenta\b|\bcuenta bancaria\b", BankAccount),
        (r"e ?mail|courriel|correo electronico|\bcorreo\b", Email),
        (r"\bfax\b|\btelefax\b|\btelecopie", Fax),
        (r"\barea code\b|\bvorwahl\b|\bindicatif\b|\bcodigo de area\b|\blada\b", TelAreaCode),
        (r"\bext(ension)?\b|\bdurchwahl\b|\bposte\b", TelExtension),
        (r"\b(tele)?phone\b|\btel\b|\btelefon(nummer)?\b|\btelephone\b|\btelefono\b|\bmobile?\b|\bcell(ular)?\b|\bhandy\b|\bportable\b|\bmovil\b|\bcelular\b|\bphone number\b|\bdaytime number\b|\bcell ?phone\b|\bmobile ?phone\b|\bhandynummer\b|\bmobilnummer\b", Tel),
        // A part's unit then what it is of, as field names spell it ("DD_NAC", "MM_FECHA",
        // "YYYY_BIRTH"): birth dates first.
        (r"^(dd|jj|tt) (nac|nacimiento|birth|naissance|geb|geburt)$", BdayDay),
        (r"^mm (nac|nacimiento|birth|naissance|geb|geburt)$", BdayMonth),
        (r"^(yy|yyyy|aa|aaaa|jjjj) (nac|nacimiento|birth|naissance|geb|geburt)$", BdayYear),
        (r"^(dd|jj|tt) \p{L}+$", DateDay),
        (r"^mm \p{L}+$", DateMonth),
        (r"^(yy|yyyy|aa|aaaa|jjjj) \p{L}+$", DateYear),
        // Birth before other dates.
        (r"\b(year of birth|birth year|geburtsjahr|annee de naissance|ano de nacimiento)\b", BdayYear),
        (r"\b(month of birth|birth month|geburtsmonat|mois de naissance|mes de nacimiento)\b", BdayMonth),
        (r"\b(day of birth|birth day|geburtstag|jour de naissance|dia de nacimiento)\b", BdayDay),
        (r"\b(date of birth|birth ?date|birthday|dob|d o b|date de naissance|fecha de nacimiento|geburtsdatum|geboren am|geb|ne le|nee le|fecha nac)\b|^geboren$", Bday),
        (r"\b(age|alter|edad)\b$|^(age|alter|edad|âge)\b", Age),
        (r"\b(sex|gender|geschlecht|sexe|sexo)\b|性別|性别|성별", Sex),
        (r"氏名|姓名|名前|이름|성명", Name),
        (r"住所|地址|주소", StreetAddress),
        (r"郵便番号|邮政编码|邮编|우편번호", PostalCode),
        (r"生年月日|出生日期|생년월일", Bday),
        (r"電話|电话|전화", Tel),
        // Signatures and their dates.
        (r"\b(date signed|signature date|date of signature|datum der unterschrift|date de (la )?signature|fecha de (la )?firma|date of signing|sign(ing)? date|signed on)\b", DateSigned),
        (r"\b(signature|sign here|unterschrift|firma del|firma de|^firma\b|signed)\b", Signature),
        (r"\b(date|datum|fecha)\b", Date),
        (r"^(mm|month|monat|mois|mes)$", DateMonth),
        (r"^(dd|day|tag|jour|dia)$", DateDay),
        (r"^(yyyy|yy|year|jahr|annee|ano)$", DateYear),
        // Names.
        (r"\b(full name|vollstandiger name|nom complet|nom et prenoms?|nom prenoms?|nombre completo|nombre y apellidos?|apellidos y nombres?)\b", Name),
        // "MOTHER'S MAIDEN NAME (FIRST & LAST)": both names in one box.
        (r"\bname first (and )?last$", Name),
        // One box for the whole name, family first: "Last name, first name, initial".
        (r"\b(last|family) name\b.*\b(first|given)( name)?\b|\bsurnames?\b.*\b(first|given|forenames?)\b|\bapellidos?\b.*\bnombres?\b|\bnom\b.*\bprenoms?\b|\bnachname\b.*\bvorname", Name),
        (r"\b(first (name|and middle)|first$|given name|forename|vorname|prenom|prenoms|nombre de pila|nombres?$|primer nombre)\b|^nombre\b", GivenName),
        (r"\b(middle (name|initial)|middle$|mi$|m i$|initial$|segundo nombre|zweiter vorname)\b", AdditionalName),
        (r"\b(last name|surname|family name|nachname|familienname|nom de famille|nom de naissance|nom d usage|apellidos?|last$)\b|^nom$", FamilyName),
        (r"\b(suffix|jr sr)\b", HonorificSuffix),
        (r"\b(salutation|anrede|civilite)\b|^(mr mrs|mr ms|mr mrs ms)$", HonorificPrefix),
        (r"\b(job title|occupation|profession|beruf|berufsbezeichnung|ocupacion|puesto|emploi occupe|fonction|position title|your title)\b|^title$", OrganizationTitle),
        // A box asking only for the employer ("DEFENDANT'S EMPLOYER/WORKPLACE") takes its name.
        (r"^(\w+('s)? )?(employer|workplace|arbeitgeber|employeur|empleador)( workplace)?$", Organization),
        (r"\b(business|company|firm|employer|organization|organisation|corporation|agency|institution|school|bank|partnership|entity|firma|unternehmen|arbeitgeber|entreprise|societe|employeur|empresa|empleador|compania)('?s)? (legal )?name\b|\bname of (the )?(\w+ ){0,2}(business|company|firm|employer|organization|agency|department|institution|school|college|university|hospital|facility|bank|entity|partnership|corporation)\b|\b(raison sociale|razon social|nom de l entreprise)\b", Organization),
        // "Person applying for lawful permanent residence": a status, not an address.
        (r"\bpermanent residen(ce|t|cy)\b|\bresidency status\b", Text),
        // "Street Number Name", "Number and Street": a street, not a person's name.
        (r"\bstreet (number )?(and )?(name|number)\b|\bnumber and street\b|\bstreet name\b", StreetAddress),
        (r"\b(name|nom|nombre)\b", Name),
        // Addresses.
        (r"\b(address|street|strasse|rue|calle|direccion)\b.*\b(apt|apartment|suite|unit|street)\b", StreetAddress),
        (r"\b(apt|apartment|suite|ste|unit|flr|floor|wohnung|appartement|piso|depto|departamento)\b( (no|number|#))?", AddressLine2),
        (r"\b(zip|postal code|post code|postcode|postleitzahl|plz|code postal|codigo postal|npa|c p)\b", PostalCode),
        (r"\b(city|town|ort|stadt|wohnort|ville|localite|commune|ciudad|municipio|localidad|poblacion)\b", AddressLevel2),
        (r"\bcounty\b|\blandkreis\b", County),
        (r"^(state|province|bundesland|region|provincia|estado)\b|\b(state|province)( code)?$|\bstate or province\b|\bprovincia\b|\bbundesland\b", AddressLevel1),
        (r"\b(country|nationality|citizenship|staatsangehorigkeit|land|pays|pais|nationalite|nacionalidad|citoyennete|ciudadania)\b", Country),
        (r"\b(street|address|adresse|anschrift|strasse|strase|str|hausnummer|rue|direccion|domicilio|calle|residence)\b|\b\p{L}*(anschrift|adresse|strasse)\b", StreetAddress),
        // Amounts and numbers.
        (r"\$|\b(amount|total|tax|taxes|income|wages|salary|payment|payments|fee|fees|cost|price|balance|refund|owed|owe|dollars|interest|dividends|credit|deduction|gain|loss|premium|rent|paid|betrag|summe|montant|somme|importe|monto|lohn|gehalt|salaire|salario|eur|euro|chf)\b", Money),
        (r"\b(number of|how many|count|quantity|percent|percentage|hours|anzahl|nombre de|numero de|cantidad|menge)\b|%", Number),
        (r"\b(license plate|plate number|expediente|identifiant|siret|siren|bar number|document number|reference number|ref no|aktenzeichen|numero de dossier|numero de referencia)\b|\b(number|no|nummer|numero|n)$", IdNumber),
        (r"\b(a ?number|alien (registration )?number|uscis (online )?account|receipt number|passport|driver ?s? licen[cs]e|licen[cs]e (number|no)|case (number|no)|docket|file (number|no)|id (number|no)|identification (number|no)|identification|ausweis|reisepass|numero de passeport|pasaporte|account (number|no)|policy (number|no)|member (id|number)|i ?94|visa number|registration number)\b", IdNumber),
    ];
    // A pattern the regex crate rejects is a programming error the unit test catches
    // (`every_rule_compiles`); at run time it is skipped rather than taking the server down.
    table
        .iter()
        .filter_map(|(pattern, semantic)| Regex::new(pattern).ok().map(|re| Rule(re, *semantic)))
        .collect()
});

/// How many rules the table has (for the test that every one compiles).
#[cfg(test)]
const RULE_COUNT: usize = 60;

/// The type named by `text` (already [`normalize`]d), if any rule matches.
pub fn from_words(text: &str) -> Option<Semantic> {
    if text.is_empty() {
        return None;
    }
    RULES.iter().find(|rule| rule.0.is_match(text)).map(|rule| rule.1)
}

/// The options of a sex or gender question in the four languages.
pub fn is_sex_option(text: &str) -> bool {
    matches!(
        normalize(text).as_str(),
        "male" | "female" | "m" | "f" | "mannlich" | "weiblich" | "divers" | "homme" | "femme" | "masculin" | "feminin"
            | "masculino" | "femenino" | "hombre" | "mujer" | "man" | "woman"
    )
}

/// Yes/no words in the four languages.
pub fn is_yes_or_no(text: &str) -> bool {
    matches!(
        normalize(text).as_str(),
        "yes" | "no" | "y" | "n" | "ja" | "nein" | "oui" | "non" | "si" | "true" | "false" | "off"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(text: &str) -> Option<&'static str> {
        from_words(&normalize(text)).map(Semantic::token)
    }

    #[test]
    fn every_rule_compiles() {
        assert_eq!(RULES.len(), RULE_COUNT);
    }

    #[test]
    fn words_in_four_languages() {
        assert_eq!(of("Your first name and middle initial"), Some("given-name"));
        assert_eq!(of("Last name"), Some("family-name"));
        assert_eq!(of("Last name, first name, initial"), Some("name"));
        assert_eq!(of("Apellido, Nombre"), Some("name"));
        assert_eq!(of("Mother's maiden name (first & last)"), Some("name"));
        assert_eq!(of("Geb."), Some("bday"));
        assert_eq!(of("TITLE"), Some("organization-title"));
        assert_eq!(of("DEFENDANT’S EMPLOYER/WORKPLACE"), Some("organization"));
        assert_ne!(of("Employer identification number"), Some("organization"));
        assert_eq!(of("S2B_ZipCode"), Some("postal-code"));
        assert_eq!(of("Vorname"), Some("given-name"));
        assert_eq!(of("Nachname"), Some("family-name"));
        assert_eq!(of("Prénom"), Some("given-name"));
        assert_eq!(of("nom"), Some("family-name"));
        assert_eq!(of("Nom et prénom"), Some("name"));
        assert_eq!(of("Apellidos"), Some("family-name"));
        assert_eq!(of("Nombre"), Some("given-name"));
        assert_eq!(of("code postal"), Some("postal-code"));
        assert_eq!(of("localité"), Some("address-level2"));
        assert_eq!(of("Postleitzahl"), Some("postal-code"));
        assert_eq!(of("Social security number"), Some("ssn"));
        assert_eq!(of("Employer identification number"), Some("ein"));
        assert_eq!(of("Email address"), Some("email"));
        assert_eq!(of("Daytime Telephone Number"), Some("tel"));
        assert_eq!(of("Date of Birth (mm/dd/yyyy)"), Some("bday"));
        assert_eq!(of("Geburtsdatum"), Some("bday"));
        assert_eq!(of("Business name/disregarded entity name"), Some("organization"));
        assert_eq!(of("Name of Federal Agency"), Some("organization"));
        assert_eq!(of("Address (number, street, and apt. or suite no.)"), Some("street-address"));
        assert_eq!(of("Apt. Number"), Some("address-line2"));
        assert_eq!(of("City or Town"), Some("address-level2"));
        assert_eq!(of("Total tax"), Some("money"));
        assert_eq!(of("jobDescription"), None);
        assert_eq!(of("Date"), Some("date"));
        assert_eq!(of("Signature of applicant"), Some("signature"));
    }
}
