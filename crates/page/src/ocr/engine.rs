//! The OCR engine: Debian's libtesseract, loaded on first use (`formsmith-tesseract`, feature `ocr`),
//! run on a worker thread so that a page that takes too long can be given up on.
//!
//! Tesseract's C API cannot interrupt a recognition, so a timed-out page is
//! abandoned: the worker finishes it in the background (its cost is bounded by the pixel
//! limit) and then exits; the caller gets [`Error::Ocr`] at once. OpenMP threads come from
//! the process environment, read when libtesseract is loaded: the CLI runs the commands
//! that may OCR again with `OMP_THREAD_LIMIT=1` when it is unset (tesseract is slower with
//! more threads on shared cores).

use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::raster::Gray;

/// How tesseract finds text on a page (its page segmentation mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Layout {
    /// Columns, paragraphs and lines in reading order (tesseract's automatic mode): for
    /// running text. Lines are tesseract's lines.
    #[default]
    Auto,
    /// As much text as can be found, in no particular order (sparse text mode): for forms,
    /// where labels are short and scattered between boxes. On the scanned 1040 it reads 95 %
    /// of the words in place against 75 % in `Auto`; lines are then short runs of words.
    Sparse,
}

/// One word as tesseract reports it, in pixels of the raster it read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawWord {
    pub text: String,
    /// left, top, right, bottom in pixels.
    pub rect: [f32; 4],
    /// 0..1.
    pub confidence: f32,
    /// Block, paragraph and line numbers: words with the same triple form one line.
    pub line: (u32, u32, u32),
}

/// Parses tesseract's TSV output (level 5 rows are words).
#[cfg_attr(not(feature = "ocr"), allow(dead_code))]
pub(crate) fn parse_tsv(tsv: &str) -> Vec<RawWord> {
    let mut out = Vec::new();
    for row in tsv.lines() {
        let cols: Vec<&str> = row.splitn(12, '\t').collect();
        if cols.len() < 12 || cols[0] != "5" {
            continue;
        }
        let num = |i: usize| cols[i].trim().parse::<f32>().ok();
        let (Some(left), Some(top), Some(width), Some(height), Some(conf)) =
            (num(6), num(7), num(8), num(9), num(10))
        else {
            continue;
        };
        let text = cols[11].trim();
        if text.is_empty() || width <= 0.0 || height <= 0.0 {
            continue;
        }
        let int = |i: usize| cols[i].trim().parse::<u32>().unwrap_or(0);
        out.push(RawWord {
            text: text.to_string(),
            rect: [left, top, left + width, top + height],
            confidence: (conf / 100.0).clamp(0.0, 1.0),
            line: (int(2), int(3), int(4)),
        });
    }
    out
}

/// Language names tesseract takes: `eng`, `chi_sim`, `eng+rus`.
fn valid_language(language: &str) -> bool {
    !language.is_empty()
        && language.len() <= 64
        && language
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '+')
}

/// Debian package names for a language string, for error messages.
fn packages_for(language: &str) -> String {
    language
        .split('+')
        .map(|l| format!("tesseract-ocr-{}", l.to_lowercase().replace('_', "-")))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(feature = "ocr")]
mod imp {
    use std::sync::mpsc;
    use std::thread;

    use super::*;

    type Job = (Arc<Gray>, Option<f32>);

    /// A tesseract instance on its own thread.
    pub(crate) struct Engine {
        jobs: Option<mpsc::Sender<Job>>,
        results: mpsc::Receiver<Result<String>>,
        timeout: Option<Duration>,
        language: String,
    }

    impl Engine {
        pub fn new(language: &str, layout: Layout, timeout: Option<Duration>) -> Result<Self> {
            if !valid_language(language) {
                return Err(Error::Ocr(format!(
                    "invalid OCR language {language:?} (expected names such as eng or eng+rus)"
                )));
            }
            let (job_tx, job_rx) = mpsc::channel::<Job>();
            let (res_tx, res_rx) = mpsc::channel::<Result<String>>();
            let lang = language.to_string();
            thread::Builder::new()
                .name("formsmith-ocr".into())
                .spawn(move || worker(&lang, layout, &job_rx, &res_tx))
                .map_err(|e| Error::Ocr(format!("cannot start the OCR thread: {e}")))?;
            // The first message is the outcome of loading the language data.
            match res_rx.recv() {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => return Err(e),
                Err(_) => return Err(Error::Ocr("the OCR thread died while starting".into())),
            }
            Ok(Engine {
                jobs: Some(job_tx),
                results: res_rx,
                timeout,
                language: language.to_string(),
            })
        }

        /// Recognizes a raster; `dpi` is its resolution when known (else tesseract
        /// estimates it from the text).
        pub fn recognize(&mut self, gray: Arc<Gray>, dpi: Option<f32>) -> Result<Vec<RawWord>> {
            let Some(jobs) = &self.jobs else {
                return Err(Error::Ocr("an earlier page timed out".into()));
            };
            if jobs.send((gray, dpi)).is_err() {
                return Err(Error::Ocr("the OCR thread died".into()));
            }
            let answer = match self.timeout {
                Some(t) => self.results.recv_timeout(t).map_err(|e| match e {
                    mpsc::RecvTimeoutError::Timeout => {
                        // Abandon the worker: it exits once the page is done.
                        self.jobs = None;
                        Error::Ocr(format!(
                            "OCR of a page took longer than {:.1} s",
                            t.as_secs_f32()
                        ))
                    }
                    mpsc::RecvTimeoutError::Disconnected => {
                        Error::Ocr(format!("the OCR engine ({}) failed", self.language))
                    }
                }),
                None => self
                    .results
                    .recv()
                    .map_err(|_| Error::Ocr(format!("the OCR engine ({}) failed", self.language))),
            };
            Ok(parse_tsv(&answer??))
        }
    }

    fn worker(
        language: &str,
        layout: Layout,
        jobs: &mpsc::Receiver<Job>,
        results: &mpsc::Sender<Result<String>>,
    ) {
        if let Err(e) = formsmith_tesseract::load() {
            let _ = results.send(Err(Error::Ocr(e)));
            return;
        }
        let mut tess = match formsmith_tesseract::Tesseract::new(language) {
            Ok(t) => t,
            Err(e) => {
                let _ = results.send(Err(Error::Ocr(format!(
                    "tesseract cannot load the language data for {language:?} ({e}): install \
                     the Debian package(s) {} (or put {language}.traineddata where \
                     TESSDATA_PREFIX points)",
                    packages_for(language)
                ))));
                return;
            }
        };
        // Tesseract's diagnostics ("Estimating resolution as ...") would go to our stderr.
        if let Err(e) = tess.set_variable("debug_file", "/dev/null") {
            let _ = results.send(Err(Error::Ocr(format!("tesseract setup failed: {e}"))));
            return;
        }
        if layout == Layout::Sparse {
            tess.set_page_seg_mode(formsmith_tesseract::PSM_SPARSE_TEXT);
        }
        if results.send(Ok(String::new())).is_err() {
            return;
        }
        while let Ok((gray, dpi)) = jobs.recv() {
            let dpi = dpi.map(|d| d.round().clamp(30.0, 2400.0) as i32);
            let answer = tess
                .recognize_gray(&gray.data, gray.width as usize, gray.height as usize, dpi)
                .map_err(|e| Error::Ocr(format!("tesseract failed: {e}")));
            if results.send(answer).is_err() {
                return;
            }
        }
    }
}

#[cfg(not(feature = "ocr"))]
mod imp {
    use super::*;

    /// Without the `ocr` feature there is no engine: every use fails with [`Error::Ocr`].
    pub(crate) struct Engine;

    impl Engine {
        pub fn new(language: &str, _layout: Layout, _timeout: Option<Duration>) -> Result<Self> {
            let _ = (valid_language(language), packages_for(language));
            Err(Error::Ocr(NO_FEATURE.into()))
        }

        pub fn recognize(&mut self, _gray: Arc<Gray>, _dpi: Option<f32>) -> Result<Vec<RawWord>> {
            Err(Error::Ocr(NO_FEATURE.into()))
        }
    }

    const NO_FEATURE: &str = "formsmith-detect was built without the ocr feature (rebuild with \
        `--features formsmith-detect/ocr`; reading pages then needs Debian's libtesseract5 and \
        tesseract-ocr-eng)";
}

pub(crate) use imp::Engine;

/// Whether OCR is compiled in.
pub const AVAILABLE: bool = cfg!(feature = "ocr");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_words_and_lines() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
                   1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n\
                   5\t1\t1\t1\t1\t1\t10\t20\t30\t12\t96.5\tForm\n\
                   5\t1\t1\t1\t1\t2\t45\t20\t30\t12\t91\t1040\n\
                   5\t1\t1\t1\t1\t3\t80\t20\t5\t12\t95\t \n";
        let words = parse_tsv(tsv);
        assert_eq!(words.len(), 2);
        assert_eq!(words[0].text, "Form");
        assert_eq!(words[0].rect, [10.0, 20.0, 40.0, 32.0]);
        assert!((words[0].confidence - 0.965).abs() < 1e-6);
        assert_eq!(words[1].line, (1, 1, 1));
    }

    #[test]
    fn languages() {
        assert!(valid_language("eng"));
        assert!(valid_language("eng+rus"));
        assert!(valid_language("chi_sim"));
        assert!(!valid_language("../etc"));
        assert!(!valid_language(""));
        assert_eq!(
            packages_for("eng+chi_sim"),
            "tesseract-ocr-eng tesseract-ocr-chi-sim"
        );
    }
}
