//! What an input is, from its bytes (magic numbers, the entry names of zip containers) and,
//! where bytes cannot tell (plain text, old formats), its name.

use std::path::Path;

/// An image format parsed by OCR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    /// PNG.
    Png,
    /// JPEG.
    Jpeg,
    /// TIFF (one or more pictures).
    Tiff,
    /// GIF.
    Gif,
    /// BMP.
    Bmp,
    /// WebP.
    Webp,
}

/// An office document format converted to PDF by LibreOffice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfficeKind {
    /// Word 2007+ (`.docx`).
    Docx,
    /// Word 97–2003 (`.doc`).
    Doc,
    /// Excel 2007+ (`.xlsx`).
    Xlsx,
    /// Excel 97–2003 (`.xls`).
    Xls,
    /// PowerPoint 2007+ (`.pptx`).
    Pptx,
    /// PowerPoint 97–2003 (`.ppt`).
    Ppt,
    /// OpenDocument text (`.odt`).
    Odt,
    /// OpenDocument spreadsheet (`.ods`).
    Ods,
    /// OpenDocument presentation (`.odp`).
    Odp,
    /// Rich Text Format (`.rtf`).
    Rtf,
    /// Comma-separated values (`.csv`).
    Csv,
}

impl OfficeKind {
    /// The file extension LibreOffice needs to pick its import filter.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Docx => "docx",
            Self::Doc => "doc",
            Self::Xlsx => "xlsx",
            Self::Xls => "xls",
            Self::Pptx => "pptx",
            Self::Ppt => "ppt",
            Self::Odt => "odt",
            Self::Ods => "ods",
            Self::Odp => "odp",
            Self::Rtf => "rtf",
            Self::Csv => "csv",
        }
    }
}

/// What a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// A PDF (a `%PDF-` header in the first KiB).
    Pdf,
    /// An image.
    Image(ImageKind),
    /// An office document.
    Office(OfficeKind),
    /// HTML or XHTML.
    Html,
    /// Plain text (UTF-8 without control characters, named `.txt`, `.md`, `.log`).
    Text,
    /// Something else.
    Unknown,
}

/// Tells what `bytes` are; `file_name` decides where the bytes cannot (text formats, and
/// the OLE container shared by .doc, .xls and .ppt).
pub fn sniff(bytes: &[u8], file_name: Option<&str>) -> InputKind {
    let ext = file_name
        .and_then(|n| Path::new(n).extension())
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let head = bytes.get(..bytes.len().min(1024)).unwrap_or(bytes);
    if head.windows(5).any(|w| w == b"%PDF-") {
        return InputKind::Pdf;
    }
    let starts = |m: &[u8]| bytes.starts_with(m);
    if starts(b"\x89PNG\r\n\x1a\n") {
        return InputKind::Image(ImageKind::Png);
    }
    if starts(b"\xff\xd8\xff") {
        return InputKind::Image(ImageKind::Jpeg);
    }
    if starts(b"II*\0") || starts(b"MM\0*") {
        return InputKind::Image(ImageKind::Tiff);
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return InputKind::Image(ImageKind::Gif);
    }
    if starts(b"BM") && bytes.len() > 26 && ext == "bmp" {
        return InputKind::Image(ImageKind::Bmp);
    }
    if starts(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        return InputKind::Image(ImageKind::Webp);
    }
    if starts(b"{\\rtf") {
        return InputKind::Office(OfficeKind::Rtf);
    }
    if starts(b"PK\x03\x04") {
        return zip_kind(bytes, &ext);
    }
    if starts(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") {
        // OLE compound file: Word, Excel and PowerPoint share it; the name tells them apart,
        // else the stream names inside do.
        return InputKind::Office(match ext.as_str() {
            "xls" => OfficeKind::Xls,
            "ppt" => OfficeKind::Ppt,
            "doc" => OfficeKind::Doc,
            _ if contains_utf16(bytes, "Workbook") => OfficeKind::Xls,
            _ if contains_utf16(bytes, "PowerPoint Document") => OfficeKind::Ppt,
            _ => OfficeKind::Doc,
        });
    }
    let text = std::str::from_utf8(head).ok().or_else(|| {
        // A multi-byte character cut at the window's end is still text.
        let cut = head.len().saturating_sub(3);
        std::str::from_utf8(head.get(..cut).unwrap_or(head)).ok()
    });
    let Some(text) = text else {
        return InputKind::Unknown;
    };
    if text.is_empty() {
        return InputKind::Unknown;
    }
    let lower = text.trim_start_matches('\u{feff}').trim_start().to_ascii_lowercase();
    if ext == "pdf" {
        // A damaged PDF that happens to be text is still a (corrupt) PDF.
        return InputKind::Unknown;
    }
    if lower.starts_with("<!doctype html") || lower.starts_with("<html") || ext == "html" || ext == "htm" {
        return InputKind::Html;
    }
    if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\x0c')) {
        return InputKind::Unknown;
    }
    match ext.as_str() {
        "csv" => InputKind::Office(OfficeKind::Csv),
        // Text is only taken for text when named so: bytes alone cannot tell a text file
        // from a truncated PDF or a stray log.
        "txt" | "text" | "md" | "markdown" | "log" => InputKind::Text,
        _ => InputKind::Unknown,
    }
}

fn contains_utf16(bytes: &[u8], name: &str) -> bool {
    let needle: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
    bytes.windows(needle.len()).any(|w| w == needle.as_slice())
}

/// An OOXML or OpenDocument container, by its entry names (read from the local file
/// headers; no unpacking).
fn zip_kind(bytes: &[u8], ext: &str) -> InputKind {
    let names = zip_names(bytes, 2_000);
    let has = |p: &str| names.iter().any(|n| n.starts_with(p));
    if has("word/") {
        return InputKind::Office(OfficeKind::Docx);
    }
    if has("xl/") {
        return InputKind::Office(OfficeKind::Xlsx);
    }
    if has("ppt/") {
        return InputKind::Office(OfficeKind::Pptx);
    }
    // OpenDocument: the first entry is `mimetype`, stored, with the type as its data.
    let window = bytes.get(..bytes.len().min(200)).unwrap_or(bytes);
    let find = |m: &[u8]| window.windows(m.len()).any(|w| w == m);
    if find(b"application/vnd.oasis.opendocument.text") {
        return InputKind::Office(OfficeKind::Odt);
    }
    if find(b"application/vnd.oasis.opendocument.spreadsheet") {
        return InputKind::Office(OfficeKind::Ods);
    }
    if find(b"application/vnd.oasis.opendocument.presentation") {
        return InputKind::Office(OfficeKind::Odp);
    }
    match ext {
        "docx" => InputKind::Office(OfficeKind::Docx),
        "xlsx" => InputKind::Office(OfficeKind::Xlsx),
        "pptx" => InputKind::Office(OfficeKind::Pptx),
        "odt" => InputKind::Office(OfficeKind::Odt),
        "ods" => InputKind::Office(OfficeKind::Ods),
        "odp" => InputKind::Office(OfficeKind::Odp),
        _ => InputKind::Unknown,
    }
}

/// Names of the entries of a zip file, from its local file headers (at most `max`).
fn zip_names(bytes: &[u8], max: usize) -> Vec<String> {
    let mut names = Vec::new();
    let mut at = 0usize;
    let le16 = |b: &[u8], i: usize| -> Option<usize> {
        Some(usize::from(u16::from_le_bytes([*b.get(i)?, *b.get(i + 1)?])))
    };
    let le32 = |b: &[u8], i: usize| -> Option<usize> {
        let v = u32::from_le_bytes([*b.get(i)?, *b.get(i + 1)?, *b.get(i + 2)?, *b.get(i + 3)?]);
        usize::try_from(v).ok()
    };
    while names.len() < max && bytes.get(at..at + 4) == Some(b"PK\x03\x04") {
        let (Some(flags), Some(csize), Some(nlen), Some(xlen)) = (
            le16(bytes, at + 6),
            le32(bytes, at + 18),
            le16(bytes, at + 26),
            le16(bytes, at + 28),
        ) else {
            break;
        };
        let name_at = at + 30;
        let Some(name) = bytes.get(name_at..name_at + nlen) else {
            break;
        };
        names.push(String::from_utf8_lossy(name).into_owned());
        // With a data descriptor (bit 3) the size is not in the header: stop walking.
        if flags & 0x8 != 0 {
            break;
        }
        at = name_at + nlen + xlen + csize;
    }
    names
}
