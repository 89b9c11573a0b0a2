//! `formsmith fill form.pdf --rows data.csv -o 'out/{last_name}-{row}.pdf'`: one filled PDF
//! per row (a mail merge). Columns are field names (as `--values` takes them) or the keys
//! of the schema Formsmith generates for the form; every column is checked against the form
//! before anything is written. Rows are independent: a bad row
//! is reported and skipped, the others are written; the run fails (exit 2) when any row did.
//! Rows are filled on `--jobs` threads (default: one per core); a progress bar shows on a
//! terminal and stays quiet when stderr is piped.

use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use formsmith_engine::{FieldType, FillOptions, Form, OpenOptions, SaveOptions, values_from_json};
use serde::Serialize;
use serde_json::{Map, Value};

/// What the batch is asked to do.
pub struct BatchRequest {
    pub pdf: PathBuf,
    pub rows: PathBuf,
    /// Output path pattern: `{row}` (1-based) and `{column}` placeholders.
    pub output: String,
    pub flatten: bool,
    pub truncate: bool,
    pub password: Option<String>,
    pub jobs: Option<usize>,
    pub json: bool,
}

/// A row that was not written, and why.
#[derive(Debug, Serialize)]
pub struct RowFailure {
    /// 1-based row number (the header of a CSV file is not a row).
    pub row: usize,
    /// The failure reason code (`SCHEMA_VALIDATION_ERROR`, `INVALID_OPTIONS`…).
    pub code: &'static str,
    pub message: String,
}

/// The outcome of a batch.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchSummary {
    pub rows: usize,
    pub written: usize,
    pub failed: Vec<RowFailure>,
    pub elapsed_ms: u128,
    pub rows_per_second: f64,
}

/// An error that stops the batch before any row is filled: (reason code, message).
pub type SetupError = (&'static str, String);

/// Runs the batch. `Err` only when nothing could start (unreadable form or rows, unknown
/// columns, an output pattern that makes two rows write one file); row failures are in the
/// summary.
pub fn run(request: &BatchRequest) -> Result<BatchSummary, SetupError> {
    let started = Instant::now();
    let bytes = std::fs::read(&request.pdf).map_err(|e| {
        (
            "INVALID_OPTIONS",
            format!("cannot read {}: {e}", request.pdf.display()),
        )
    })?;
    let open_options = OpenOptions {
        password: request.password.clone(),
        ..OpenOptions::default()
    };
    let form = Form::open(&bytes, &open_options).map_err(|e| (e.reason().code(), e.to_string()))?;
    let rows = read_rows(&request.rows)?;
    let columns = map_columns(&bytes, &form, request.password.as_deref(), &rows)?;
    let outputs = output_paths(&request.output, &rows)?;
    let kinds: BTreeMap<String, FieldType> = form
        .fields()
        .iter()
        .map(|f| (f.name.clone(), f.kind))
        .collect();
    drop(form);

    let jobs = request
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, 64)
        .min(rows.len().max(1));
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let progress = (std::io::stderr().is_terminal() && !request.json).then(|| {
        let bar = indicatif::ProgressBar::new(rows.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} rows  {per_sec}  eta {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let (Some(row), Some(out)) = (rows.get(i), outputs.get(i)) else {
                        break;
                    };
                    if let Err((code, message)) =
                        fill_row(&bytes, &open_options, &kinds, &columns, row, out, request)
                        && let Ok(mut f) = failures.lock()
                    {
                        f.push(RowFailure {
                            row: i + 1,
                            code,
                            message,
                        });
                    }
                    if let Some(bar) = &progress {
                        bar.inc(1);
                    }
                }
            });
        }
    });
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    let mut failed = failures.into_inner().unwrap_or_default();
    failed.sort_by_key(|f| f.row);
    let elapsed = started.elapsed();
    Ok(BatchSummary {
        rows: rows.len(),
        written: rows.len() - failed.len(),
        failed,
        elapsed_ms: elapsed.as_millis(),
        rows_per_second: rows.len() as f64 / elapsed.max(Duration::from_millis(1)).as_secs_f64(),
    })
}

/// Fills one row into `out`.
fn fill_row(
    bytes: &[u8],
    open_options: &OpenOptions,
    kinds: &BTreeMap<String, FieldType>,
    columns: &BTreeMap<String, Column>,
    row: &Map<String, Value>,
    out: &Path,
    request: &BatchRequest,
) -> Result<(), (&'static str, String)> {
    let fail = |e: formsmith_engine::Error| (e.reason().code(), e.to_string());
    let json = Value::Object(row_values(row, kinds, columns));
    let values = values_from_json(&json, &|p| {
        Err(formsmith_engine::Error::BadValues(format!(
            "{p}: images are not read from rows"
        )))
    })
    .map_err(fail)?;
    let mut form = Form::open(bytes, open_options).map_err(fail)?;
    form.fill(
        &values,
        &FillOptions {
            truncate: request.truncate,
        },
    )
    .map_err(fail)?;
    let pdf = form
        .save(&SaveOptions {
            flatten: request.flatten,
            ..SaveOptions::default()
        })
        .map_err(fail)?;
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            (
                "INTERNAL_ERROR",
                format!("cannot create {}: {e}", dir.display()),
            )
        })?;
    }
    std::fs::write(out, pdf).map_err(|e| {
        (
            "INTERNAL_ERROR",
            format!("cannot write {}: {e}", out.display()),
        )
    })
}

/// What a column fills.
#[derive(Debug, Clone, PartialEq)]
enum Column {
    /// A field, by its name.
    Field(String),
    /// One option of a group (a generated schema's boolean per option): a ticked cell
    /// chooses `export` in field `field`.
    Option { field: String, export: String },
}

fn ticked(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "x" | "yes" | "y" | "true" | "1" | "on" | "checked" => Some(true),
        "no" | "n" | "false" | "0" | "off" | "unchecked" => Some(false),
        _ => None,
    }
}

/// A row's cells as `--values` JSON: empty cells left out (the field stays as the form has
/// it); check box cells read as yes/no ("x", "yes", "true", "1", "checked" tick the box).
fn row_values(
    row: &Map<String, Value>,
    kinds: &BTreeMap<String, FieldType>,
    columns: &BTreeMap<String, Column>,
) -> Map<String, Value> {
    let mut out = Map::new();
    for (column, value) in row {
        let name = match columns.get(column) {
            Some(Column::Field(name)) => name,
            Some(Column::Option { field, export }) => {
                let on = match value {
                    Value::Bool(b) => *b,
                    Value::String(s) => ticked(s).unwrap_or(false),
                    _ => false,
                };
                if on {
                    out.insert(field.clone(), Value::String(export.clone()));
                }
                continue;
            }
            None => continue,
        };
        let value = match value {
            Value::String(s) if s.trim().is_empty() => continue,
            Value::Null => continue,
            // An on-state name ("Married") is taken as given.
            Value::String(s) if kinds.get(name) == Some(&FieldType::Checkbox) => {
                ticked(s).map_or_else(|| value.clone(), Value::Bool)
            }
            other => other.clone(),
        };
        out.insert(name.clone(), value);
    }
    out
}

/// The rows of a CSV file (a header row of field names) or of a JSON Lines file (one object
/// per line; `.jsonl`/`.ndjson`).
fn read_rows(path: &Path) -> Result<Vec<Map<String, Value>>, SetupError> {
    let cannot = |e: &dyn std::fmt::Display| {
        (
            "INVALID_OPTIONS",
            format!("cannot read {}: {e}", path.display()),
        )
    };
    let jsonl = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("ndjson"));
    let mut rows = Vec::new();
    if jsonl {
        let file = std::fs::File::open(path).map_err(|e| cannot(&e))?;
        for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
            let line = line.map_err(|e| cannot(&e))?;
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Value>(&line) {
                Ok(Value::Object(map)) => rows.push(map),
                Ok(_) => {
                    return Err((
                        "INVALID_OPTIONS",
                        format!("{} line {}: not a JSON object", path.display(), n + 1),
                    ));
                }
                Err(e) => {
                    return Err((
                        "INVALID_OPTIONS",
                        format!("{} line {}: {e}", path.display(), n + 1),
                    ));
                }
            }
        }
    } else {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .from_path(path)
            .map_err(|e| cannot(&e))?;
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| cannot(&e))?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        for record in reader.records() {
            let record =
                record.map_err(|e| ("INVALID_OPTIONS", format!("{}: {e}", path.display())))?;
            rows.push(
                headers
                    .iter()
                    .zip(record.iter())
                    .map(|(h, v)| (h.clone(), Value::String(v.to_string())))
                    .collect(),
            );
        }
    }
    if rows.is_empty() {
        return Err(("INVALID_OPTIONS", format!("{} has no rows", path.display())));
    }
    Ok(rows)
}

/// What every column fills: a field by its name, else a key of the schema Formsmith
/// generates for the form (`formsmith schema --native-only`: `name`, `business_name`,
/// `filing_status_single`…). A column that is neither stops the batch: a misspelt column
/// would otherwise leave a field blank in every output.
fn map_columns(
    bytes: &[u8],
    form: &Form,
    password: Option<&str>,
    rows: &[Map<String, Value>],
) -> Result<BTreeMap<String, Column>, SetupError> {
    let names: Vec<&str> = form.fields().iter().map(|f| f.name.as_str()).collect();
    let mut columns: BTreeMap<String, Column> = BTreeMap::new();
    let mut others: Vec<String> = Vec::new();
    for row in rows {
        for column in row.keys() {
            if columns.contains_key(column) || others.contains(column) {
                continue;
            }
            if names.contains(&column.as_str()) {
                columns.insert(column.clone(), Column::Field(column.clone()));
            } else {
                others.push(column.clone());
            }
        }
    }
    if others.is_empty() {
        return Ok(columns);
    }
    // Readable keys: the generated schema's, for the form's own fields.
    let labels = formsmith_schema::printed_labels(bytes, form, password);
    let schema = formsmith_schema::generate(
        form,
        labels.as_ref(),
        &formsmith_schema::GenerateOptions::default(),
    );
    let mut unknown: Vec<String> = Vec::new();
    for column in others {
        let source = schema
            .properties
            .get(&column)
            .and_then(|p| p.source_acroform.as_ref());
        match source {
            Some(s) => {
                let target = match &s.option_value {
                    Some(export) => Column::Option {
                        field: s.field_name.clone(),
                        export: export.clone(),
                    },
                    None => Column::Field(s.field_name.clone()),
                };
                columns.insert(column, target);
            }
            None => unknown.push(column),
        }
    }
    if unknown.is_empty() {
        return Ok(columns);
    }
    let keys: Vec<&str> = schema.properties.keys().map(String::as_str).collect();
    let names: Vec<&str> = names.into_iter().chain(keys).collect();
    let hints: Vec<String> = unknown
        .iter()
        .map(|u| {
            format!(
                "\"{u}\"{}",
                formsmith_schema::validate::suggest(u, names.iter().copied())
            )
        })
        .collect();
    Err((
        "INVALID_OPTIONS",
        format!(
            "{} column(s) name no field of this form: {}; nothing was written (columns are field names, as `formsmith fields` lists them, or the keys of `formsmith schema --native-only`)",
            unknown.len(),
            hints.join(", ")
        ),
    ))
}

/// Each row's output path from the pattern: `{row}` is the 1-based row number, `{name}` the
/// row's cell of that column made safe for a file name. Two rows writing one file, or a
/// placeholder naming no column, stop the batch before it starts.
fn output_paths(pattern: &str, rows: &[Map<String, Value>]) -> Result<Vec<PathBuf>, SetupError> {
    if rows.len() > 1 && !pattern.contains('{') {
        return Err((
            "INVALID_OPTIONS",
            format!(
                "-o {pattern:?} names one file for {} rows: put {{row}} or a {{column}} in it",
                rows.len()
            ),
        ));
    }
    let mut paths = Vec::with_capacity(rows.len());
    let mut seen: BTreeMap<PathBuf, usize> = BTreeMap::new();
    for (i, row) in rows.iter().enumerate() {
        let mut out = String::new();
        let mut rest = pattern;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let Some(close) = rest[open..].find('}') else {
                return Err((
                    "INVALID_OPTIONS",
                    format!("-o {pattern:?}: a `{{` without its `}}`"),
                ));
            };
            let name = &rest[open + 1..open + close];
            if name == "row" {
                out.push_str(&(i + 1).to_string());
            } else {
                let Some(cell) = row.get(name) else {
                    return Err((
                        "INVALID_OPTIONS",
                        format!("-o {pattern:?}: row {} has no column {name:?}", i + 1),
                    ));
                };
                let text = match cell {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                out.push_str(&safe_name(&text));
            }
            rest = &rest[open + close + 1..];
        }
        out.push_str(rest);
        let path = PathBuf::from(out);
        if let Some(first) = seen.insert(path.clone(), i + 1) {
            return Err((
                "INVALID_OPTIONS",
                format!(
                    "rows {first} and {} both write {}: add {{row}} to -o",
                    i + 1,
                    path.display()
                ),
            ));
        }
        paths.push(path);
    }
    Ok(paths)
}

/// A cell as part of a file name: letters, digits, `-`, `_` and `.` kept, the rest `_`;
/// never empty, never a path step.
fn safe_name(text: &str) -> String {
    let cleaned: String = text
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    let cleaned = cleaned.trim_matches('.').to_string();
    if cleaned.is_empty() {
        "_".into()
    } else {
        cleaned
    }
}

/// Prints the summary: one line (and the failed rows) for people, or JSON with `--json`.
pub fn report(summary: &BatchSummary, request: &BatchRequest) {
    let mut out = std::io::stdout().lock();
    if request.json {
        if let Ok(text) = serde_json::to_string_pretty(summary) {
            let _ = writeln!(out, "{text}");
        }
        return;
    }
    let _ = writeln!(
        out,
        "filled {} of {} rows from {} into {} ({} failed) in {:.1} s ({:.0} rows/s)",
        summary.written,
        summary.rows,
        request.rows.display(),
        request.output,
        summary.failed.len(),
        summary.elapsed_ms as f64 / 1000.0,
        summary.rows_per_second
    );
    for f in &summary.failed {
        let _ = writeln!(out, "  row {}: {}: {}", f.row, f.code, f.message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(pairs: &[(&str, &str)]) -> Map<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
            .collect()
    }

    #[test]
    fn output_names_from_the_pattern() {
        let rows = vec![
            row(&[("last", "O'Brien / Sr."), ("x", "1")]),
            row(&[("last", "Lee"), ("x", "2")]),
        ];
        let paths = output_paths("out/{last}-{row}.pdf", &rows).expect("two names");
        assert_eq!(
            paths,
            vec![
                PathBuf::from("out/O_Brien___Sr-1.pdf"),
                PathBuf::from("out/Lee-2.pdf")
            ]
        );
        assert!(
            output_paths(
                "out/{last}.pdf",
                &[row(&[("last", "Lee")]), row(&[("last", "Lee")])]
            )
            .is_err()
        );
        assert!(output_paths("out/one.pdf", &rows).is_err());
        assert!(output_paths("out/{nope}.pdf", &rows).is_err());
        assert_eq!(safe_name("../../etc"), "_.._etc");
    }
}
