//! The `formsmith` binary end to end: errors print as `error: CODE: message` with a non-zero
//! exit, XFDF values fill, and a decompression bomb stays inside a hard memory cap.

use std::path::PathBuf;
use std::process::Command;

fn corpus(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus")
        .join(rel)
}

fn formsmith() -> Command {
    Command::new(env!("CARGO_BIN_EXE_formsmith"))
}

#[test]
fn errors_print_code_and_message_and_exit_non_zero() {
    for (rel, code) in [
        ("broken/png-named-pdf.pdf", "FILE_TYPE_NOT_SUPPORTED"),
        ("broken/garbage-with-header.pdf", "CORRUPT_FILE"),
        (
            "broken/user-password-required.pdf",
            "PASSWORD_PROTECTED_FILE",
        ),
    ] {
        let out = formsmith()
            .arg("fields")
            .arg(corpus(rel))
            .arg("--json")
            .output()
            .expect("runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{rel} succeeded");
        assert!(err.starts_with(&format!("error: {code}: ")), "{rel}: {err}");
    }
}

#[test]
fn fills_from_xfdf_and_json_and_lists_fields() {
    let dir = std::env::temp_dir().join(format!("formsmith-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let xfdf = dir.join("v.xfdf");
    std::fs::write(&xfdf, r#"<?xml version="1.0"?><xfdf xmlns="http://ns.adobe.com/xfdf/"><fields><field name="Given Name Text Box"><value>Jordan &amp; Co</value></field></fields></xfdf>"#).expect("xfdf");
    let out_pdf = dir.join("out.pdf");
    let st = formsmith()
        .arg("fill")
        .arg(corpus("fillable/all-types-with-signature.pdf"))
        .arg("--values")
        .arg(&xfdf)
        .arg("-o")
        .arg(&out_pdf)
        .output()
        .expect("runs");
    // The field name above may not exist; the CLI must then say which names are close.
    if !st.status.success() {
        let err = String::from_utf8_lossy(&st.stderr);
        assert!(
            err.starts_with("error: INVALID_OPTIONS: unknown field"),
            "{err}"
        );
    }
    let list = formsmith()
        .arg("fields")
        .arg(corpus("fillable/libreoffice-form.pdf"))
        .arg("--json")
        .output()
        .expect("runs");
    let fields: serde_json::Value = serde_json::from_slice(&list.stdout).expect("json");
    let name = fields[0]["name"].as_str().expect("name").to_owned();
    for key in [
        "name", "type", "value", "options", "flags", "maxLen", "tooltip", "widgets",
    ] {
        assert!(fields[0].get(key).is_some(), "missing key {key}");
    }
    let json = dir.join("v.json");
    std::fs::write(
        &json,
        serde_json::json!({ name.clone(): "Jordan" }).to_string(),
    )
    .expect("json");
    let st = formsmith()
        .arg("fill")
        .arg(corpus("fillable/libreoffice-form.pdf"))
        .arg("--values")
        .arg(&json)
        .arg("-o")
        .arg(&out_pdf)
        .arg("--flatten")
        .output()
        .expect("runs");
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let text = Command::new("pdftotext")
        .arg(&out_pdf)
        .arg("-")
        .output()
        .expect("pdftotext");
    assert!(String::from_utf8_lossy(&text.stdout).contains("Jordan"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn decompression_bomb_stays_under_a_hard_memory_cap() {
    // 512 MiB of address space: inflating the 1 GiB stream would abort the process.
    let cmd = format!(
        "ulimit -v 524288; exec {} fields {} --json",
        env!("CARGO_BIN_EXE_formsmith"),
        corpus("damaged/flate-bomb-1gib.pdf").display()
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(cmd)
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success()
            || err.starts_with("error: CORRUPT_FILE")
            || err.starts_with("error: EMPTY_SCHEMA"),
        "{:?} {err}",
        out.status
    );
}

#[test]
fn schema_then_fill_from_it_prints_filled_values_and_metrics() {
    let dir = std::env::temp_dir().join(format!("formsmith-cli-schema-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let form = corpus("fillable/irs-fw9-2024.pdf");
    let out = formsmith().arg("schema").arg(&form).output().expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut schema: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("schema is JSON");
    assert_eq!(schema["type"], "object");
    // Pin the first two text properties.
    let mut pinned = Vec::new();
    for (key, property) in schema["properties"].as_object_mut().expect("properties") {
        if property["extend_edit:field_type"] == "text"
            && property["extend_edit:text_edit_options"]
                .get("maxLength")
                .is_none()
            && pinned.len() < 2
        {
            let value = format!("Pinned{}", pinned.len());
            property["extend_edit:value"] = serde_json::json!(value);
            pinned.push((key.clone(), value));
        }
    }
    assert_eq!(pinned.len(), 2);
    let schema_path = dir.join("schema.json");
    std::fs::write(&schema_path, schema.to_string()).expect("write");
    let out_pdf = dir.join("out.pdf");
    let out = formsmith()
        .arg("fill")
        .arg(&form)
        .arg("--schema")
        .arg(&schema_path)
        .arg("-o")
        .arg(&out_pdf)
        .arg("--flatten")
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("report is JSON");
    for (key, value) in &pinned {
        assert_eq!(
            report["filledValues"][key],
            serde_json::json!(value),
            "{report}"
        );
    }
    for metric in [
        "processingTimeMs",
        "pageCount",
        "fieldCount",
        "fieldsDetectedCount",
        "fieldsAnnotatedCount",
        "fieldDetectionTimeMs",
        "fieldAnnotationTimeMs",
        "fieldFillingTimeMs",
    ] {
        assert!(
            report["metrics"][metric].is_u64(),
            "metric {metric} missing: {report}"
        );
    }
    assert_eq!(report["metrics"]["pageCount"], 6);
    let text = Command::new("pdftotext")
        .arg(&out_pdf)
        .arg("-")
        .output()
        .expect("pdftotext");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("Pinned0") && text.contains("Pinned1"),
        "values not in the flattened page text"
    );

    // A rule the values break: SCHEMA_VALIDATION_ERROR naming the path, exit 2, no output file.
    let (first_key, _) = &pinned[0];
    schema["required"] = serde_json::json!([first_key]);
    schema["properties"][first_key]
        .as_object_mut()
        .expect("property")
        .remove("extend_edit:value");
    std::fs::write(&schema_path, schema.to_string()).expect("write");
    let refused = dir.join("refused.pdf");
    let out = formsmith()
        .arg("fill")
        .arg(&form)
        .arg("--schema")
        .arg(&schema_path)
        .arg("-o")
        .arg(&refused)
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        err.starts_with("error: SCHEMA_VALIDATION_ERROR: ")
            && err.contains(&format!("/{first_key}")),
        "{err}"
    );
    assert!(!refused.exists());

    // A malformed schema: INVALID_OPTIONS with the schema path.
    std::fs::write(
        &schema_path,
        r#"{"type":"object","properties":{"x":{"type":"string","extend_edit:field_type":"text"}}}"#,
    )
    .expect("write");
    let out = formsmith()
        .arg("fill")
        .arg(&form)
        .arg("--schema")
        .arg(&schema_path)
        .arg("-o")
        .arg(&refused)
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("error: INVALID_OPTIONS: ") && err.contains("/properties/x/type"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn parse_prints_chunks_json_or_markdown_and_refuses_bad_configs() {
    let w9 = corpus("fillable/irs-fw9-2024.pdf");
    let out = formsmith().arg("parse").arg(&w9).output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let output: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let chunks = output["chunks"].as_array().expect("chunks");
    let pages: Vec<u64> = chunks
        .iter()
        .filter_map(|c| c["metadata"]["pageRange"]["start"].as_u64())
        .collect();
    assert_eq!(pages, vec![1, 2, 3, 4, 5, 6], "one page chunk per page");

    let md = formsmith()
        .arg("parse")
        .arg(&w9)
        .arg("--markdown")
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&md.stdout);
    assert!(text.contains("Request for Taxpayer"), "{text}");
    assert!(!text.trim_start().starts_with('{'), "markdown, not JSON");

    let dir = std::env::temp_dir().join(format!("formsmith-cli-parse-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let config = dir.join("config.json");
    std::fs::write(&config, r#"{"chunkingStrategy": {"type": "paragraph"}}"#).expect("write");
    let bad = formsmith()
        .arg("parse")
        .arg(&w9)
        .arg("--config")
        .arg(&config)
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(!bad.status.success());
    assert!(
        err.starts_with("error: INVALID_CONFIG_OPTIONS: ") && err.contains("chunkingStrategy"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn explain_says_where_each_instruction_value_came_from() {
    let dir = std::env::temp_dir().join(format!("formsmith-explain-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let out_pdf = dir.join("w9.pdf");
    let request = "Name: Jordan Avery\n{\"ssn\": \"123-45-6789\"}";
    let out = formsmith()
        .arg("fill")
        .arg(corpus("fillable/irs-fw9-2024.pdf"))
        .args(["--instructions", request, "--explain", "-o"])
        .arg(&out_pdf)
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let sources = json["valueSources"].as_object().expect("valueSources");
    // The name came from its line, the SSN from the record path; --explain prints both.
    assert!(sources.values().any(|s| s == "instructions: Name: Jordan Avery"), "{sources:?}");
    assert!(sources.values().any(|s| s.as_str().is_some_and(|s| s.contains("record ssn"))), "{sources:?}");
    assert!(err.contains("from instructions: Name: Jordan Avery"), "{err}");
    for key in json["filledValues"].as_object().expect("filledValues").keys() {
        assert!(sources.contains_key(key), "{key} has no source: {sources:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn serve_refuses_a_language_model_without_a_model_name() {
    let dir = std::env::temp_dir().join(format!("formsmith-serve-llm-{}", std::process::id()));
    let out = formsmith()
        .args(["serve", "--listen", "127.0.0.1:0", "--llm-url", "http://127.0.0.1:9/v1", "--data-dir"])
        .arg(&dir)
        .env_remove("FORMSMITH_LLM_MODEL")
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("error: INVALID_OPTIONS:") && err.contains("--llm-model"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_readme_sample_ships_in_the_repository_and_fills() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out_pdf = std::env::temp_dir().join(format!("formsmith-readme-{}.pdf", std::process::id()));
    let out = formsmith()
        .current_dir(&root)
        .args(["fill", "examples/fw9.pdf", "--values", "examples/fw9-values.json", "-o"])
        .arg(&out_pdf)
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = Command::new("pdftotext").arg(&out_pdf).arg("-").output().expect("pdftotext");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Jordan Avery") && text.contains("Springfield, IL 62701"), "{text}");
    let _ = std::fs::remove_file(&out_pdf);
}

/// `detect --eval` scores detection against a fillable form's own widgets; a flat PDF has
/// no truth and is refused.
#[test]
fn detect_eval_scores_a_fillable_form_and_refuses_a_flat_one() {
    let out = formsmith()
        .args(["detect", "--eval"])
        .arg(corpus("fillable/sf424-page2.pdf"))
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("1 pages, 14 scored widgets"), "{text}");
    // The SF-424 page's text inputs: most are found, and what is not is listed.
    let text_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("text"))
        .unwrap_or_default();
    let matched: usize = text_line
        .split('(')
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(matched >= 5, "{text}");
    assert!(text.contains(" FN Text "), "{text}");

    let flat = formsmith()
        .args(["detect", "--eval"])
        .arg(corpus("flat/sf424-page2-flat-vector.pdf"))
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&flat.stderr);
    assert!(!flat.status.success());
    assert!(err.starts_with("error: INVALID_OPTIONS: "), "{err}");
}

/// A path that is not a readable file is a bad argument (INVALID_OPTIONS), not a corrupt PDF.
#[test]
fn a_directory_or_missing_path_is_an_invalid_option() {
    for path in [corpus("fillable"), corpus("fillable/no-such-form.pdf")] {
        let out = formsmith().arg("schema").arg(&path).output().expect("runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{}", path.display());
        assert!(err.starts_with("error: INVALID_OPTIONS: cannot read "), "{err}");
    }
}
