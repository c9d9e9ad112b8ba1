//! The independent judges the PAdES tests call: pyHanko (`tests/judges/pades_check.py`, in the
//! repo's Python venv) and poppler's `pdfsig`.
#![allow(dead_code)] // each test binary uses its own share of them

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use sealdesk_tests::repo_root;
use serde_json::Value;

/// The Python with the judges' packages: `SEALDESK_PYTHON`, else the repo's `.venv`.
pub fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("SEALDESK_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = repo_root().join(".venv/bin/python");
    assert!(
        venv.exists(),
        "the pyHanko judge needs the Python venv: run `make deps-py` (or set SEALDESK_PYTHON)"
    );
    venv
}

/// pyHanko's verdict (JSON) on every signature of `pdf`; `args` are the trust roots (PEM files)
/// and options such as `--ltv`, as `pades_check.py` takes them.
pub fn pyhanko(pdf: &Path, args: &[&OsStr]) -> Value {
    let out = Command::new(python())
        .arg(repo_root().join("tests/judges/pades_check.py"))
        .arg(pdf)
        .args(args)
        .output()
        .expect("the pyHanko judge runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "pyHanko judge printed no JSON ({e}): {stdout} {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// `tool ARGS` (poppler-utils): stdout then stderr.
pub fn run(tool: &str, args: &[&OsStr]) -> String {
    let out = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool} (poppler-utils) runs: {e}"));
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// poppler's `pdfsig -nocert` output (signature check only: poppler reads trust from an NSS
/// database, so trust is judged by pyHanko).
pub fn pdfsig(pdf: &Path) -> String {
    run("pdfsig", &["-nocert".as_ref(), pdf.as_os_str()])
}
