//! Input types and conversion to PDF.
//!
//! [`sniff`] tells what a file is from its bytes (magic numbers, the entry names of zip
//! containers) and, where bytes cannot tell (plain text, old formats), its name.
//! [`convert_to_pdf`] runs LibreOffice headless on office, HTML and text files: each run
//! in a cage ([`cage`]: no network, no view of the server's files, memory and CPU
//! limits) over a private temporary directory with its own LibreOffice profile (parallel
//! conversions do not share a profile lock), in its own process group killed at the
//! timeout, with the output size bounded. External references are emptied (HTML) or
//! refused (office containers) first ([`linked`]).

mod cage;
pub mod linked;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

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

/// How [`convert_to_pdf`] runs.
#[derive(Debug, Clone)]
pub struct ConvertOptions {
    /// The LibreOffice binary; `None` looks at `FORMSMITH_SOFFICE`, then `soffice` and
    /// `libreoffice` on `PATH`.
    pub soffice: Option<PathBuf>,
    /// Wall-clock time the conversion may take; the process group is killed after it.
    pub timeout: Duration,
    /// Largest PDF accepted from the conversion, in bytes.
    pub max_output_bytes: u64,
    /// Largest input accepted, in bytes.
    pub max_input_bytes: usize,
    /// Address space LibreOffice may map, in bytes (`ulimit -v` in the cage).
    pub max_memory_bytes: u64,
}

impl Default for ConvertOptions {
    fn default() -> Self {
        Self {
            soffice: None,
            timeout: Duration::from_secs(120),
            max_output_bytes: 512 << 20,
            max_input_bytes: 256 << 20,
            max_memory_bytes: 3 << 30,
        }
    }
}

/// The LibreOffice binary to run, if any.
pub fn find_soffice(options: &ConvertOptions) -> Option<PathBuf> {
    if let Some(p) = &options.soffice {
        return Some(p.clone());
    }
    if let Some(p) = std::env::var_os("FORMSMITH_SOFFICE").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["soffice", "libreoffice"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// A private directory removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<TempDir> {
        let base = std::env::temp_dir();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = base.join(format!("formsmith-convert-{}-{nanos}-{n}", std::process::id()));
        std::fs::create_dir(&dir)
            .map_err(|e| Error::ConversionFailed(format!("cannot create a temporary directory: {e}")))?;
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Converts an office, HTML or text file to PDF with LibreOffice headless. Fails with
/// [`Error::ConversionFailed`] (`FAILED_TO_CONVERT_TO_PDF`) when LibreOffice is not
/// installed, fails, times out or writes no PDF.
pub fn convert_to_pdf(bytes: &[u8], file_name: Option<&str>, options: &ConvertOptions) -> Result<Vec<u8>> {
    if bytes.len() > options.max_input_bytes {
        return Err(Error::ConversionFailed(format!(
            "the file is larger than {} bytes, the conversion limit",
            options.max_input_bytes
        )));
    }
    let kind = sniff(bytes, file_name);
    let ext = match kind {
        InputKind::Pdf => return Ok(bytes.to_vec()),
        InputKind::Office(kind) => kind.extension(),
        InputKind::Html => "html",
        InputKind::Text => "txt",
        InputKind::Image(_) => {
            return Err(Error::ConversionFailed(
                "images are read by OCR, not converted by LibreOffice".into(),
            ));
        }
        InputKind::Unknown => {
            return Err(Error::FileTypeNotSupported(
                "the file is neither a PDF, an image nor an office, HTML or text document".into(),
            ));
        }
    };
    let prepared = linked::prepare(bytes, kind)?;
    let Some(soffice) = find_soffice(options) else {
        return Err(Error::ConversionFailed(
            "cannot convert to PDF: LibreOffice (soffice) is not installed (install it, or set FORMSMITH_SOFFICE to its binary)".into(),
        ));
    };
    if !soffice.is_file() {
        return Err(Error::ConversionFailed(format!(
            "cannot convert to PDF: LibreOffice is not installed at {} (install it, or set FORMSMITH_SOFFICE to its binary)",
            soffice.display()
        )));
    }
    // The cage sees /usr, not the alternatives links or PATH that found soffice.
    let soffice = std::fs::canonicalize(&soffice).unwrap_or(soffice);
    let bwrap = cage::available()?;
    let dir = TempDir::new()?;
    let file = format!("input.{ext}");
    std::fs::write(dir.0.join(&file), &prepared)
        .and_then(|()| std::fs::create_dir(dir.0.join("out")))
        .map_err(|e| Error::ConversionFailed(format!("cannot write the input for conversion: {e}")))?;
    let job = cage::JOB_DIR;
    let mut args = vec![
        format!("-env:UserInstallation=file://{job}/profile"),
        "--headless".into(),
        "--norestore".into(),
        "--nologo".into(),
        "--nodefault".into(),
        "--nolockcheck".into(),
    ];
    if kind == InputKind::Html {
        // Writer's own HTML import: the default (Writer/Web) loses the first paragraph of
        // a page (LibreOffice 7.4 printed it nowhere: "<p>A</p><p>B</p>" became "B" on
        // page 2 of 2).
        args.push("--infilter=HTML (StarWriter)".into());
        args.extend(["--convert-to".into(), "pdf:writer_pdf_Export".into()]);
    } else {
        args.extend(["--convert-to".into(), "pdf".into()]);
    }
    args.extend(["--outdir".into(), format!("{job}/out"), format!("{job}/{file}")]);
    let mut cmd = cage::command(
        &bwrap,
        &dir.0,
        &soffice,
        &args,
        options.max_memory_bytes,
        options.timeout.as_secs().max(1),
    );
    cmd.stdout(Stdio::null()).stderr(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // Its own process group: the cage forks (bwrap -> sh -> oosplash -> soffice.bin)
        // and the timeout must end them all.
        cmd.process_group(0);
    }
    let mut child = cmd.spawn().map_err(|e| {
        Error::ConversionFailed(format!(
            "cannot run LibreOffice ({}): {e}; LibreOffice (soffice) is not installed or not executable",
            soffice.display()
        ))
    })?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > options.timeout => {
                kill_group(&mut child);
                return Err(Error::ConversionFailed(format!(
                    "LibreOffice did not finish within {} s",
                    options.timeout.as_secs()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => {
                kill_group(&mut child);
                return Err(Error::ConversionFailed(format!("waiting for LibreOffice failed: {e}")));
            }
        }
    };
    let mut stderr = String::new();
    if let Some(mut err) = child.stderr.take() {
        let _ = err.by_ref().take(4096).read_to_string(&mut stderr);
    }
    let output = dir.0.join("out").join("input.pdf");
    let size = std::fs::metadata(&output).map(|m| m.len()).ok();
    match size {
        None => Err(Error::ConversionFailed(format!(
            "LibreOffice wrote no PDF ({status}){}",
            if stderr.trim().is_empty() { String::new() } else { format!(": {}", stderr.trim()) }
        ))),
        Some(n) if n > options.max_output_bytes => Err(Error::ConversionFailed(format!(
            "the converted PDF is larger than {} bytes",
            options.max_output_bytes
        ))),
        Some(_) => std::fs::read(&output)
            .map_err(|e| Error::ConversionFailed(format!("cannot read the converted PDF: {e}"))),
    }
}

/// Ends the child's process group (it leads it), then reaps the child.
fn kill_group(child: &mut std::process::Child) {
    #[cfg(unix)]
    {
        // `kill -KILL -<pgid>`: std has no process-group kill and unsafe code is forbidden.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", child.id())])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Runs `program args…` in the cage conversions run in ([`cage`]), with `job_dir` as its
/// working directory `/job`, and returns what it printed. For diagnostics and for the
/// tests that prove the cage holds (no network, no files outside `/usr` and `/job`).
pub fn run_in_cage(program: &Path, args: &[String], job_dir: &Path) -> Result<std::process::Output> {
    let bwrap = cage::available()?;
    cage::command(&bwrap, job_dir, program, args, 1 << 30, 30)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| Error::ConversionFailed(format!("cannot run the cage: {e}")))
}
