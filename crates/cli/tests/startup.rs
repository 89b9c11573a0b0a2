//! What a process pays before `main`: tesseract (and the ~50 libraries it pulls in) is
//! loaded with dlopen when a page needs OCR, never linked into the binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

#[test]
fn the_binary_does_not_link_tesseract_or_leptonica() {
    let out = Command::new("ldd")
        .arg(env!("CARGO_BIN_EXE_formsmith"))
        .output()
        .expect("ldd runs");
    let libraries = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "ldd failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        libraries.contains("libc.so"),
        "ldd listed no libc: {libraries}"
    );
    for linked in ["tesseract", "lept", "gomp", "icu"] {
        assert!(
            !libraries.contains(linked),
            "the binary links {linked}:\n{libraries}"
        );
    }
}

#[test]
fn version_answers_without_the_thread_limit_set() {
    let out = Command::new(env!("CARGO_BIN_EXE_formsmith"))
        .arg("--version")
        .env_remove("OMP_THREAD_LIMIT")
        .output()
        .expect("formsmith runs");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("formsmith "));
}
