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
mod sniff;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
pub use sniff::{ImageKind, InputKind, OfficeKind, sniff};

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
