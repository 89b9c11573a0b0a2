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
