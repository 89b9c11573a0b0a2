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
    // A one-line summary says what was written where.
    let said = String::from_utf8_lossy(&st.stdout);
    assert!(
        said.starts_with("filled 1 of ")
            && said.contains(&out_pdf.display().to_string())
            && said.trim_end().ends_with("(flattened)"),
        "{said}"
    );
    let text = Command::new("pdftotext")
        .arg(&out_pdf)
        .arg("-")
        .output()
        .expect("pdftotext");
    assert!(String::from_utf8_lossy(&text.stdout).contains("Jordan"));
    // --json: the values written.
    let st = formsmith()
        .arg("fill")
        .arg(corpus("fillable/libreoffice-form.pdf"))
        .arg("--values")
        .arg(&json)
        .arg("-o")
        .arg(&out_pdf)
        .arg("--json")
        .output()
        .expect("runs");
    let report: serde_json::Value = serde_json::from_slice(&st.stdout).expect("JSON report");
    assert_eq!(report["filledValues"][0][0], name.as_str(), "{report}");
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
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
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
    assert!(
        sources
            .values()
            .any(|s| s == "instructions: Name: Jordan Avery"),
        "{sources:?}"
    );
    assert!(
        sources
            .values()
            .any(|s| s.as_str().is_some_and(|s| s.contains("record ssn"))),
        "{sources:?}"
    );
    assert!(
        err.contains("from instructions: Name: Jordan Avery"),
        "{err}"
    );
    for key in json["filledValues"]
        .as_object()
        .expect("filledValues")
        .keys()
    {
        assert!(
            sources.contains_key(key),
            "{key} has no source: {sources:?}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn serve_refuses_a_language_model_without_a_model_name() {
    let dir = std::env::temp_dir().join(format!("formsmith-serve-llm-{}", std::process::id()));
    let out = formsmith()
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--llm-url",
            "http://127.0.0.1:9/v1",
            "--data-dir",
        ])
        .arg(&dir)
        .env_remove("FORMSMITH_LLM_MODEL")
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("error: INVALID_OPTIONS:") && err.contains("--llm-model"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_readme_sample_ships_in_the_repository_and_fills() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out_pdf = std::env::temp_dir().join(format!("formsmith-readme-{}.pdf", std::process::id()));
    let out = formsmith()
        .current_dir(&root)
        .args([
            "fill",
            "examples/fw9.pdf",
            "--values",
            "examples/fw9-values.json",
            "-o",
        ])
        .arg(&out_pdf)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = Command::new("pdftotext")
        .arg(&out_pdf)
        .arg("-")
        .output()
        .expect("pdftotext");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("Jordan Avery") && text.contains("Springfield, IL 62701"),
        "{text}"
    );
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
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
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
        assert!(
            err.starts_with("error: INVALID_OPTIONS: cannot read "),
            "{err}"
        );
    }
}

/// `fill --rows`: a mail merge. Columns are field names or the generated schema's keys;
/// one PDF per row named from the pattern; a bad row is reported and skipped (exit 2), the
/// others are written, open in qpdf and carry their values (read back with pdftotext); an
/// unknown column stops the batch before anything is written.
#[test]
fn fills_one_pdf_per_row_from_csv_and_jsonl() {
    let dir = std::env::temp_dir().join(format!("formsmith-cli-rows-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let w9 = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/fw9.pdf");
    // Readable keys (`formsmith schema --native-only`) and one raw field name; a quoted cell
    // with a comma; row 4's SSN part is too long for its three cells.
    let mut csv = String::from(
        "name_of_entity_individual,c_corporation,city_state_and_zip_code,topmostSubform[0].Page1[0].f1_11[0]\n",
    );
    for i in 1..=6 {
        let ssn = if i == 4 { "12345" } else { "123" };
        let corp = if i % 2 == 0 { "x" } else { "" };
        csv.push_str(&format!(
            "Row Person {i},{corp},\"Columbia, MO 6520{i}\",{ssn}\n"
        ));
    }
    let rows = dir.join("rows.csv");
    std::fs::write(&rows, csv).expect("csv");
    let out = formsmith()
        .arg("fill")
        .arg(&w9)
        .arg("--rows")
        .arg(&rows)
        .arg("-o")
        .arg(dir.join("out/{row}-{name_of_entity_individual}.pdf"))
        .args(["--jobs", "3"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "one row failed: {stdout}");
    assert!(stdout.starts_with("filled 5 of 6 rows"), "{stdout}");
    assert!(
        stdout.contains("row 4: SCHEMA_VALIDATION_ERROR"),
        "{stdout}"
    );
    for i in [1, 2, 3, 5, 6] {
        let file = dir.join(format!("out/{i}-Row_Person_{i}.pdf"));
        let check = Command::new("qpdf")
            .arg("--check")
            .arg(&file)
            .output()
            .expect("qpdf runs");
        assert!(
            matches!(check.status.code(), Some(0 | 3)),
            "{}",
            file.display()
        );
        let text = Command::new("pdftotext")
            .arg(&file)
            .arg("-")
            .output()
            .expect("pdftotext runs");
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(
            text.contains(&format!("Row Person {i}"))
                && text.contains(&format!("Columbia, MO 6520{i}")),
            "{text}"
        );
    }
    assert!(!dir.join("out/4-Row_Person_4.pdf").exists());
    // The check box column ticked the C corporation box of the even rows only.
    let fields = |file: &str| {
        let out = formsmith()
            .arg("fields")
            .arg(dir.join(file))
            .arg("--json")
            .output()
            .expect("runs");
        serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("json")
    };
    let corp_on = |file: &str| {
        fields(file).as_array().expect("fields").iter().any(|f| {
            f["name"].as_str().is_some_and(|n| n.ends_with("c1_1[1]")) && f["value"] != "Off"
        })
    };
    assert!(corp_on("out/2-Row_Person_2.pdf") && !corp_on("out/1-Row_Person_1.pdf"));

    // JSON Lines, a JSON summary.
    let jsonl = dir.join("rows.jsonl");
    std::fs::write(
        &jsonl,
        "{\"name_of_entity_individual\": \"Lines One\"}\n\n{\"name_of_entity_individual\": \"Lines Two\", \"individual_sole_proprietor\": true}\n",
    )
    .expect("jsonl");
    let out = formsmith()
        .arg("fill")
        .arg(&w9)
        .arg("--rows")
        .arg(&jsonl)
        .arg("-o")
        .arg(dir.join("lines/{row}.pdf"))
        .arg("--json")
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).expect("summary json");
    assert_eq!(
        (summary["rows"].as_u64(), summary["written"].as_u64()),
        (Some(2), Some(2)),
        "{summary}"
    );
    assert!(dir.join("lines/2.pdf").exists());

    // A misspelt column: nothing is written, the near name is suggested.
    std::fs::write(&rows, "name_of_entity_individal\nA\n").expect("csv");
    let out = formsmith()
        .arg("fill")
        .arg(&w9)
        .arg("--rows")
        .arg(&rows)
        .arg("-o")
        .arg(dir.join("bad/{row}.pdf"))
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("error: INVALID_OPTIONS: ")
            && err.contains("did you mean \"name_of_entity_individual\""),
        "{err}"
    );
    assert!(!dir.join("bad").exists());
    // One output name for many rows is refused up front.
    std::fs::write(&rows, "name_of_entity_individual\nA\nB\n").expect("csv");
    let out = formsmith()
        .arg("fill")
        .arg(&w9)
        .arg("--rows")
        .arg(&rows)
        .arg("-o")
        .arg(dir.join("one.pdf"))
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&out.stderr).contains("names one file for 2 rows"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// `detect --eval --overlay DIR`: a PNG per page with a miss, the page drawn with the
/// evaluation over it (a missed widget in red).
#[test]
fn eval_overlays_draw_the_misses() {
    let dir = std::env::temp_dir().join(format!("formsmith-cli-overlay-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let form = corpus(
        "train/SuffolkLITLab__docassemble-MA209AProtectiveOrder__defendant-information-209A.pdf",
    );
    let out = formsmith()
        .arg("detect")
        .arg("--eval")
        .arg(&form)
        .arg("--overlay")
        .arg(&dir)
        .output()
        .expect("runs");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && said.contains("overlays: 1 page(s)"),
        "{said}"
    );
    let png = std::fs::read(dir.join(
        "SuffolkLITLab__docassemble-MA209AProtectiveOrder__defendant-information-209A-p1.png",
    ))
    .expect("the page's overlay");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    // Letter size at 72 dpi (the IHDR chunk's width and height).
    let (w, h) = (
        u32::from_be_bytes([png[16], png[17], png[18], png[19]]),
        u32::from_be_bytes([png[20], png[21], png[22], png[23]]),
    );
    assert_eq!((w, h), (612, 792));
    // The drawing, read back by an independent decoder (mutool): the red of a missed
    // widget is in the pixels.
    let st = Command::new("mutool")
        .args(["convert", "-o"])
        .arg(dir.join("page%d.ppm"))
        .arg(dir.join(
            "SuffolkLITLab__docassemble-MA209AProtectiveOrder__defendant-information-209A-p1.png",
        ))
        .status()
        .expect("mutool runs (mupdf-tools)");
    assert!(st.success());
    let ppm = std::fs::read(dir.join("page1.ppm")).expect("mutool wrote the page");
    // P6 header: three lines ("P6", "612 792", "255"), then RGB triples.
    let mut lines = 0;
    let start = ppm
        .iter()
        .position(|&b| {
            lines += usize::from(b == b'\n');
            lines == 3
        })
        .expect("a P6 header")
        + 1;
    let red = ppm[start..]
        .chunks_exact(3)
        .filter(|p| *p == [220, 0, 0])
        .count();
    assert!(red > 100, "no missed widget drawn ({red} red pixels)");
    let _ = std::fs::remove_dir_all(&dir);
}
