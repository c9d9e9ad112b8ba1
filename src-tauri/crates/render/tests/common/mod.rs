//! Helpers shared by the PDF tests: files kept on request, poppler and qpdf runs.
#![allow(dead_code)] // each test binary uses its own share of them

use std::path::{Path, PathBuf};
use std::process::Command;

/// Writes `bytes` to a temp (or kept) file named `name` and returns its path.
pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write pdf");
    if let Ok(keep) = std::env::var("SEALDESK_RENDER_KEEP") {
        std::fs::create_dir_all(&keep).expect("keep dir");
        std::fs::copy(&path, Path::new(&keep).join(name)).expect("keep pdf");
    }
    path
}

/// Runs `tool` with `args`: whether it succeeded, and stdout then stderr.
pub fn run(tool: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool} must be installed (poppler-utils, qpdf): {e}"));
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// The text of `pdf` as `pdftotext` reads it (UTF-8).
pub fn text_of(pdf: &Path) -> String {
    let (ok, text) = run(
        "pdftotext",
        &["-enc", "UTF-8", pdf.to_str().expect("path"), "-"],
    );
    assert!(ok, "pdftotext reads {}: {text}", pdf.display());
    text
}

/// `s` with every run of white space made one space.
pub fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
