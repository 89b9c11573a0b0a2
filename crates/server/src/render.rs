//! The JSON objects of the API, built from stored rows: `file` (summary and full), runs of
//! every kind (full and list summary). Presigned URLs are made when an object is shown, so
//! every GET hands out a fresh 15-minute link.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::clock::rfc3339;
use crate::store::{FileRow, RunRow};

/// The deprecated `rawText` / `markdown` / `html` flags of `GET /files/{id}`: each adds
/// that form of the file's latest parse to `contents` (null for a file never parsed).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContentFlags {
    /// The text, pages joined.
    #[serde(default)]
    pub raw_text: bool,
    /// Each page's markdown.
    #[serde(default)]
    pub markdown: bool,
    /// Each page as HTML.
    #[serde(default)]
    pub html: bool,
}

impl ContentFlags {
    /// Whether any form of contents was asked for.
    pub fn any(&self) -> bool {
        self.raw_text || self.markdown || self.html
    }
}

/// Makes a presigned URL for a file id of the run's workspace.
pub type Presign<'a> = &'a dyn Fn(&str) -> String;

/// `FileSummary` (spec §2.2).
pub fn file_summary(f: &FileRow) -> Value {
    let mut metadata = Map::new();
    if let Some(pages) = f.page_count {
        metadata.insert("pageCount".into(), json!(pages));
    }
    json!({
        "object": "file",
        "id": f.id,
        "name": f.name,
        "type": f.file_type,
        "parentFileId": null,
        "metadata": metadata,
        "createdAt": rfc3339(f.created_ms),
        "updatedAt": rfc3339(f.updated_ms),
    })
}

/// `File` (spec §2.3), with `presignedUrl` when given.
pub fn file_full(f: &FileRow, presigned_url: Option<String>) -> Value {
    let mut v = file_summary(f);
    v["presignedUrl"] = json!(presigned_url);
    v["contents"] = Value::Null;
    v
}

/// One page of a parse output: number, width, height, and its blocks as (type, content).
type ParsedPage = (u64, Value, Value, Vec<(String, String)>);

/// The deprecated `contents` of `GET /files/{id}` from a parse run's output: `rawText`
/// (every block's text, pages apart by a blank line) and `pages` (`pageNumber`,
/// `pageWidth`, `pageHeight`, with `markdown` and/or `html`), as the flags ask.
pub fn file_contents(output: &Value, flags: &ContentFlags) -> Value {
    // Blocks grouped by page, in document order.
    let mut pages: Vec<ParsedPage> = Vec::new();
    let blocks = output
        .get("chunks")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c.get("blocks").and_then(Value::as_array))
        .flatten();
    for block in blocks {
        let page = block.pointer("/metadata/page");
        let number = page
            .and_then(|p| p.get("number"))
            .and_then(Value::as_u64)
            .unwrap_or(1);
        let kind = block.get("type").and_then(Value::as_str).unwrap_or("text");
        let content = block.get("content").and_then(Value::as_str).unwrap_or("");
        if content.trim().is_empty() {
            continue;
        }
        let at = match pages.iter().position(|p| p.0 == number) {
            Some(i) => i,
            None => {
                let size = |k: &str| page.and_then(|p| p.get(k)).cloned().unwrap_or(Value::Null);
                pages.push((number, size("width"), size("height"), Vec::new()));
                pages.len() - 1
            }
        };
        pages[at].3.push((kind.to_string(), content.to_string()));
    }
    let mut out = serde_json::Map::new();
    if flags.raw_text {
        let text: Vec<String> = pages
            .iter()
            .map(|p| {
                p.3.iter()
                    .map(|(_, c)| c.as_str())
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .collect();
        out.insert("rawText".into(), json!(text.join("\n\n")));
    }
    if flags.markdown || flags.html {
        let list: Vec<Value> = pages
            .iter()
            .map(|(number, width, height, blocks)| {
                let mut page = json!({
                    "pageNumber": number,
                    "pageWidth": width,
                    "pageHeight": height,
                });
                if flags.markdown {
                    let md: Vec<&str> = blocks.iter().map(|(_, c)| c.as_str()).collect();
                    page["markdown"] = json!(md.join("\n\n"));
                }
                if flags.html {
                    page["html"] = json!(blocks_html(blocks));
                }
                page
            })
            .collect();
        out.insert("pages".into(), Value::Array(list));
    }
    Value::Object(out)
}

/// A page's blocks as HTML: headings as `<h2>`, tables (markdown or HTML already) kept in a
/// `<pre>` unless they are HTML, everything else a paragraph; text escaped.
fn blocks_html(blocks: &[(String, String)]) -> String {
    let escape = |t: &str| {
        t.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    blocks
        .iter()
        .map(|(kind, content)| match kind.as_str() {
            "heading" | "section_heading" => {
                format!(
                    "<h2>{}</h2>",
                    escape(content.trim_start_matches('#').trim())
                )
            }
            "table" if content.trim_start().starts_with("<table") => content.clone(),
            "table" => format!("<pre>{}</pre>", escape(content)),
            _ => format!("<p>{}</p>", escape(content)),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The input file of a run: its record, or — before a URL input is downloaded, or after
/// the file was deleted — what the run knows (id and name).
pub fn run_file(run: &RunRow, file: Option<&FileRow>) -> Value {
    match file {
        Some(f) => file_summary(f),
        None => json!({
            "object": "file",
            "id": run.file_id,
            "name": run.file_name,
            "type": null,
            "parentFileId": null,
            "metadata": {},
            "createdAt": rfc3339(run.created_ms),
            "updatedAt": rfc3339(run.updated_ms),
        }),
    }
}

/// The run's output with presigned URLs added (edit runs: `editedFile.presignedUrl`).
fn output_with_urls(run: &RunRow, presign: Option<Presign<'_>>) -> Value {
    let mut output = run.output.clone().unwrap_or(Value::Null);
    if let (Some(presign), Some(edited)) = (presign, output.get_mut("editedFile"))
        && let Some(id) = edited.get("id").and_then(Value::as_str).map(str::to_string)
    {
        edited["presignedUrl"] = json!(presign(&id));
    }
    output
}

/// A full run object (`EditRun`, `FormDetectionRun`; parse runs: [`parse_run_json`]).
pub fn run_json(run: &RunRow, file: Option<&FileRow>, presign: Option<Presign<'_>>) -> Value {
    if run.kind == "parse_run" {
        return parse_run_json(run, file, None);
    }
    json!({
        "object": run.kind,
        "id": run.id,
        "file": run_file(run, file),
        "status": run.status,
        "failureReason": run.failure_reason,
        "failureMessage": run.failure_message,
        "config": run.config,
        "output": output_with_urls(run, presign),
        "metrics": run.metrics,
        "usage": run.usage,
        "createdAt": rfc3339(run.created_ms),
        "updatedAt": rfc3339(run.updated_ms),
    })
}

/// `ParseRun` (spec §6.5). With `output_url` (responseType=url) the output is left out
/// and `outputUrl` links to it instead.
pub fn parse_run_json(run: &RunRow, file: Option<&FileRow>, output_url: Option<String>) -> Value {
    let output = match &output_url {
        Some(_) => Value::Null,
        None => run.output.clone().unwrap_or(Value::Null),
    };
    json!({
        "object": "parse_run",
        "id": run.id,
        "batchId": run.batch_id,
        "file": run_file(run, file),
        "status": run.status,
        "failureReason": run.failure_reason,
        "failureMessage": run.failure_message,
        "metadata": run.metadata,
        "output": output,
        "outputUrl": output_url,
        "metrics": run.metrics,
        "config": run.config,
        "usage": run.usage,
        "createdAt": rfc3339(run.created_ms),
        "updatedAt": rfc3339(run.updated_ms),
    })
}

/// A list item (`EditRunSummary`): no config or output; usage without breakdown.
pub fn run_summary_json(run: &RunRow, file: Option<&FileRow>) -> Value {
    let usage = run.usage.as_ref().map(|u| {
        json!({
            "credits": u.get("credits").cloned().unwrap_or(json!(0)),
            "totalCredits": u.get("totalCredits").cloned().unwrap_or(json!(0)),
        })
    });
    let mut summary = json!({
        "object": run.kind,
        "id": run.id,
        "file": run_file(run, file),
        "status": run.status,
        "failureReason": run.failure_reason,
        "failureMessage": run.failure_message,
        "metrics": run.metrics,
        "usage": usage,
        "createdAt": rfc3339(run.created_ms),
        "updatedAt": rfc3339(run.updated_ms),
    });
    if run.kind == "parse_run" {
        // ParseRunSummary: batchId always present, metadata echoed.
        summary["batchId"] = json!(run.batch_id);
        summary["metadata"] = json!(run.metadata);
    }
    summary
}

/// The outbox event of a terminal run: `("edit_run.processed", run JSON)`. The payload
/// holds no presigned URL (they expire); the deliverer adds fresh ones.
pub fn event_of(run: &RunRow, file: Option<&FileRow>) -> (String, Value) {
    let what = if run.status == "PROCESSED" {
        "processed"
    } else {
        "failed"
    };
    let payload = if run.kind == "parse_run" {
        // Parse webhooks carry the minimal ParseRunStatus (spec §6.7): fetch for output.
        let mut status = json!({
            "object": "parse_run_status",
            "id": run.id,
            "status": run.status,
            "failureReason": run.failure_reason,
            "failureMessage": run.failure_message,
        });
        if let Some(m) = &run.metadata {
            status["metadata"] = m.clone();
        }
        status
    } else {
        run_json(run, file, None)
    };
    (format!("{}.{what}", run.kind), payload)
}
