//! External references in documents given to LibreOffice.
//!
//! The cage ([`super::cage`]) is what stops a document from reaching the network or the
//! server's files; this is the second wall, and the one that tells the user why their
//! linked picture is missing. HTML is rewritten: every attribute or CSS `url()` that would
//! load something is emptied (hyperlinks stay, they load nothing). Office containers are
//! refused when they link content from outside (linked images and objects, external
//! workbooks, attached templates, INCLUDEPICTURE/INCLUDETEXT/LINK/DDE fields), naming the
//! link; hyperlinks are fine.

use std::io::Read;
use std::sync::LazyLock;

use regex::Regex;

use crate::error::{Error, Result};

use super::sniff::{InputKind, OfficeKind};

/// Most bytes inflated from one container entry, and from all of them.
const MAX_ENTRY_BYTES: u64 = 64 << 20;
const MAX_TOTAL_BYTES: u64 = 256 << 20;
/// Most entries of a container that are read.
const MAX_ENTRIES: usize = 10_000;

/// What is handed to LibreOffice: the input itself, HTML with its loads emptied, or an
/// error naming the external reference that made the document refused.
pub(crate) fn prepare(bytes: &[u8], kind: InputKind) -> Result<std::borrow::Cow<'_, [u8]>> {
    use std::borrow::Cow;
    match kind {
        InputKind::Html => Ok(Cow::Owned(neutralize_html(&String::from_utf8_lossy(bytes)).into_bytes())),
        InputKind::Office(OfficeKind::Rtf) => {
            check_field_codes(&String::from_utf8_lossy(bytes))?;
            Ok(Cow::Borrowed(bytes))
        }
        InputKind::Office(
            OfficeKind::Docx
            | OfficeKind::Xlsx
            | OfficeKind::Pptx
            | OfficeKind::Odt
            | OfficeKind::Ods
            | OfficeKind::Odp,
        ) => {
            check_container(bytes)?;
            Ok(Cow::Borrowed(bytes))
        }
        // Binary Office formats cannot be inspected cheaply: the cage alone guards them.
        _ => Ok(Cow::Borrowed(bytes)),
    }
}

/// Empties every HTML attribute and CSS construct that makes a renderer load something.
pub fn neutralize_html(html: &str) -> String {
    // Elements whose whole purpose is loading or running something.
    static ELEMENTS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?is)<\s*(script|iframe|frame|frameset|object|embed|applet|link|meta|base|portal)\b[^>]*>")
            .expect("valid regex")
    });
    // Attributes that load: their values are dropped whatever the scheme (relative URLs
    // resolve against the file's own directory, which is the cage's /job).
    static LOADING: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r#"(?i)\b(src|srcset|lowsrc|dynsrc|background|poster|data|codebase|longdesc|xlink:href|formaction|action|manifest|cite|profile|usemap)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)"#,
        )
        .expect("valid regex")
    });
    static CSS_URL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i)(url\s*\(\s*("[^"]*"|'[^']*'|[^)]*)\s*\)|@import\b[^;]*;?)"#)
            .expect("valid regex")
    });
    let html = ELEMENTS.replace_all(html, "");
    let html = LOADING.replace_all(&html, |caps: &regex::Captures<'_>| {
        let value = caps.get(2).map_or("", |m| m.as_str());
        let inline = value.trim_matches(|c| c == '"' || c == '\'').trim_start().to_ascii_lowercase();
        // Inline images carry their bytes: nothing is fetched.
        if inline.starts_with("data:image/") {
            caps.get(0).map_or(String::new(), |m| m.as_str().to_owned())
        } else {
            String::new()
        }
    });
    CSS_URL.replace_all(&html, "none").into_owned()
}

/// Field codes that fetch: Word's INCLUDEPICTURE/INCLUDETEXT/LINK/IMPORT and DDE.
fn fetching_field(code: &str) -> Option<&'static str> {
    static FIELD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^\s*(INCLUDEPICTURE|INCLUDETEXT|LINK|IMPORT|DDEAUTO|DDE)\b")
            .expect("valid regex")
    });
    let name = FIELD.captures(code)?.get(1)?.as_str().to_ascii_uppercase();
    ["INCLUDEPICTURE", "INCLUDETEXT", "LINK", "IMPORT", "DDEAUTO", "DDE"]
        .into_iter()
        .find(|known| *known == name)
}

fn refuse(what: &str) -> Error {
    Error::ConversionFailed(format!(
        "the document links content from outside itself ({what}); linked content is never fetched: \
         embed it in the document or remove the link"
    ))
}

/// RTF `{\*\fldinst …}` groups with fetching fields (the instruction may be wrapped in
/// groups and formatting control words: `{\*\fldinst {\rtlch\fcs1 \af0 INCLUDEPICTURE …}}`).
fn check_field_codes(rtf: &str) -> Result<()> {
    static CONTROL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\\[A-Za-z]+-?[0-9]* ?|[{}]").expect("valid regex"));
    for (at, _) in rtf.match_indices("\\fldinst") {
        let rest = rtf.get(at + "\\fldinst".len()..).unwrap_or_default();
        let end = rest.find("\\fldrslt").unwrap_or(rest.len());
        let window: String = rest.get(..end).unwrap_or(rest).chars().take(2000).collect();
        let code = CONTROL.replace_all(&window, " ");
        if let Some(field) = fetching_field(&code) {
            return Err(refuse(&format!("a {field} field")));
        }
    }
    Ok(())
}

/// OOXML and OpenDocument containers: relationships, field codes and `xlink:href`s.
fn check_container(bytes: &[u8]) -> Result<()> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| Error::ConversionFailed(format!("the document is not a readable zip container: {e}")))?;
    let mut budget = MAX_TOTAL_BYTES;
    for index in 0..archive.len().min(MAX_ENTRIES) {
        let mut entry = archive
            .by_index(index)
            .map_err(|e| Error::ConversionFailed(format!("the document's container is damaged: {e}")))?;
        let name = entry
            .name()
            .map_err(|e| Error::ConversionFailed(format!("the document's container is damaged: {e}")))?
            .into_owned();
        if name.starts_with("xl/externalLinks/") {
            return Err(refuse("a link to another workbook"));
        }
        let xml = name.ends_with(".xml") || name.ends_with(".rels");
        if !xml {
            continue;
        }
        let limit = MAX_ENTRY_BYTES.min(budget);
        let mut data = Vec::new();
        entry
            .by_ref()
            .take(limit + 1)
            .read_to_end(&mut data)
            .map_err(|e| Error::ConversionFailed(format!("cannot read {name} in the document: {e}")))?;
        if data.len() as u64 > limit {
            return Err(Error::ConversionFailed(format!(
                "{name} in the document inflates past {limit} bytes, the conversion limit"
            )));
        }
        budget -= data.len() as u64;
        let text = String::from_utf8_lossy(&data);
        if name.ends_with(".rels") {
            check_relationships(&text)?;
        } else {
            check_xml(&text)?;
        }
    }
    Ok(())
}

/// OOXML relationships: external targets are fine for hyperlinks only.
fn check_relationships(rels: &str) -> Result<()> {
    let mut reader = quick_xml::Reader::from_str(rels);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)) => {
                if e.local_name().as_ref() != b"Relationship" {
                    continue;
                }
                let attr = |key: &[u8]| -> String {
                    e.attributes()
                        .flatten()
                        .find(|a| a.key.local_name().as_ref() == key)
                        .map(|a| String::from_utf8_lossy(&a.value).into_owned())
                        .unwrap_or_default()
                };
                let external = attr(b"TargetMode").eq_ignore_ascii_case("external");
                let kind = attr(b"Type");
                let kind = kind.rsplit('/').next().unwrap_or_default();
                if external && kind != "hyperlink" {
                    return Err(refuse(&format!("an external {kind} at {}", short(&attr(b"Target")))));
                }
            }
            Ok(quick_xml::events::Event::Eof) => return Ok(()),
            Ok(_) => {}
            Err(e) => {
                return Err(Error::ConversionFailed(format!("the document's relationships are damaged: {e}")));
            }
        }
    }
}

/// Document XML: Word field codes (`w:instr`, `w:instrText`) and ODF `xlink:href`s
/// outside hyperlinks; ODF sources that pull sections, tables or DDE from elsewhere.
fn check_xml(xml: &str) -> Result<()> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut in_instr_text = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                let qname = e.name();
                let name = String::from_utf8_lossy(qname.as_ref()).into_owned();
                if matches!(
                    name.as_str(),
                    "text:section-source" | "table:table-source" | "office:dde-source" | "text:dde-connection-decl"
                        | "table:dde-link"
                ) {
                    return Err(refuse(&format!("a {name} element")));
                }
                in_instr_text = name == "w:instrText";
                for attr in e.attributes().flatten() {
                    let key = attr.key.as_ref();
                    let value = String::from_utf8_lossy(&attr.value);
                    if key == b"w:instr" {
                        if let Some(field) = fetching_field(&value) {
                            return Err(refuse(&format!("a {field} field")));
                        }
                    } else if key == b"xlink:href" && !is_hyperlink_element(&name) && is_external(&value) {
                        return Err(refuse(&format!("{name} linking {}", short(&value))));
                    }
                }
            }
            Ok(Event::Text(t)) if in_instr_text => {
                let code = String::from_utf8_lossy(t.as_ref()).into_owned();
                if let Some(field) = fetching_field(&code) {
                    return Err(refuse(&format!("a {field} field")));
                }
            }
            Ok(Event::End(_)) => in_instr_text = false,
            Ok(Event::Eof) => return Ok(()),
            Ok(_) => {}
            // Damaged XML is LibreOffice's to reject; what it cannot parse it cannot follow.
            Err(_) => return Ok(()),
        }
    }
}

/// ODF elements whose `xlink:href` is a hyperlink (followed by a reader's click, not loaded).
fn is_hyperlink_element(name: &str) -> bool {
    matches!(name, "text:a" | "draw:a" | "text:bookmark-ref" | "presentation:event-listener" | "script:event-listener")
}

/// An href leaving the container: a scheme (`http:`, `file:`, `smb:`…), an absolute or
/// parent path, or a network path.
fn is_external(href: &str) -> bool {
    let href = href.trim();
    if href.starts_with('#') || href.is_empty() {
        return false;
    }
    let has_scheme = href
        .split_once(':')
        .is_some_and(|(scheme, _)| !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)));
    has_scheme || href.starts_with('/') || href.starts_with('\\') || href.starts_with("..")
}

fn short(s: &str) -> String {
    let cut: String = s.chars().take(80).collect();
    if cut.len() < s.len() { format!("{cut}…") } else { cut }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_loads_are_emptied_and_hyperlinks_kept() {
        let html = r#"<html><head><link rel="stylesheet" href="http://127.0.0.1:9/x.css"><style>@import "http://x/y.css"; p { background: url(file:///etc/passwd) }</style></head>
<body><p>Hello <img src="file:///srv/blobs/abc" alt="x"> <img SRC=http://10.0.0.1/a.png> <a href="https://example.org">link</a>
<iframe src="http://127.0.0.1/"></iframe><img src="data:image/png;base64,AAAA"><object data="file:///x"></object><img srcset='http://a/1.png 2x'></p></body></html>"#;
        let out = neutralize_html(html);
        for gone in ["127.0.0.1", "file:", "10.0.0.1", "http://a/1.png", "@import", "<iframe", "<link", "<object"] {
            assert!(!out.contains(gone), "{gone} left in {out}");
        }
        assert!(out.contains(r#"href="https://example.org""#), "{out}");
        assert!(out.contains("data:image/png;base64,AAAA"), "{out}");
        assert!(out.contains("Hello"));
    }

    #[test]
    fn field_codes_that_fetch_are_named() {
        assert_eq!(fetching_field(" INCLUDEPICTURE \"http://x/a.png\" \\d"), Some("INCLUDEPICTURE"));
        assert_eq!(fetching_field("ddeauto excel a b"), Some("DDEAUTO"));
        assert_eq!(fetching_field(" PAGE \\* MERGEFORMAT"), None);
        assert_eq!(fetching_field("HYPERLINK \"http://x\""), None);
        assert!(check_field_codes(r#"{\rtf1 {\field{\*\fldinst {INCLUDETEXT "file:///etc/passwd"}}{\fldrslt x}}}"#).is_err());
        assert!(check_field_codes(r#"{\rtf1 {\field{\*\fldinst { PAGE }}{\fldrslt 1}}}"#).is_ok());
    }

    #[test]
    fn relationships_allow_hyperlinks_only() {
        let ok = r#"<Relationships><Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://x" TargetMode="External"/>
<Relationship Id="r2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/a.png"/></Relationships>"#;
        assert!(check_relationships(ok).is_ok());
        let bad = r#"<Relationships><Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="http://127.0.0.1:8/a.png" TargetMode="External"/></Relationships>"#;
        let err = check_relationships(bad).expect_err("external image");
        assert!(err.to_string().contains("image"), "{err}");
    }

    #[test]
    fn odf_links_outside_hyperlinks_are_refused() {
        let linked = r#"<office:document-content><office:body><office:text><draw:frame><draw:image xlink:href="http://127.0.0.1/x.png"/></draw:frame></office:text></office:body></office:document-content>"#;
        assert!(check_xml(linked).is_err());
        let file = r#"<x><text:section><text:section-source xlink:href="file:///srv/data/blobs/1"/></text:section></x>"#;
        assert!(check_xml(file).is_err());
        let fine = r#"<x><text:p><text:a xlink:href="https://example.org">site</text:a></text:p><draw:image xlink:href="Pictures/1.png"/></x>"#;
        assert!(check_xml(fine).is_ok());
        let word = r#"<w:document><w:r><w:instrText xml:space="preserve"> INCLUDEPICTURE "http://127.0.0.1/a.png" \d </w:instrText></w:r></w:document>"#;
        assert!(check_xml(word).is_err());
    }
}
