//! Helpers for running the real `sealdesk-cli` binary against the harness token.
//!
//! Each test makes its own token (`TestToken::create`), never a shared one: SoftHSM2's file store
//! rewrites `token.object` at every login, and a second process reading that token at the same
//! moment fails (`CKR_GENERAL_ERROR`, or the token looks uninitialised). Tests run in parallel
//! threads, each spawning CLI processes, so a shared token made CI flaky.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sealdesk_tests::{repo_root, shared_dir, TestToken};

/// The CLI binary cargo built for these tests.
pub fn cli() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sealdesk-cli"));
    // Nothing from the developer's environment may pick another token or catalogue.
    for var in [
        "SEALDESK_PIN",
        "SEALDESK_PKCS11_MODULE",
        "SEALDESK_TOKEN_LABEL",
        "SEALDESK_DATA_DIR",
        "SOFTHSM2_CONF",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// The CLI wired to the shared harness token (module, label, SoftHSM config; no PIN).
pub fn cli_on_token(token: &TestToken, data_dir: &Path) -> Command {
    let mut cmd = cli();
    cmd.envs(token.envs());
    cmd.env_remove("SEALDESK_PIN");
    cmd.arg("--data-dir").arg(data_dir);
    cmd
}

/// Runs and returns the output; never panics on a non-zero exit.
pub fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("the CLI binary runs")
}

/// stdout parsed as JSON, with the whole output in the panic message otherwise.
pub fn stdout_json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout must be one JSON document ({e}); stdout: {} stderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The Python that has the independent judges' packages (pyshacl, jwcrypto).
pub fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("SEALDESK_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = repo_root().join(".venv/bin/python");
    assert!(
        venv.exists(),
        "the independent judges need the Python venv: run `make deps-py` (or set SEALDESK_PYTHON)"
    );
    venv
}

/// Runs the official EDC SHACL check (EDC-generic-full) on `file`.
pub fn shacl_check(file: &Path) -> Output {
    Command::new(python())
        .arg(shared_dir().join("tools/edc-shacl-check.py"))
        .arg(file)
        .output()
        .expect("python runs the SHACL checker")
}

/// Runs the independent JAdES verifier (jwcrypto) on `file`.
pub fn jwcrypto_check(file: &Path) -> Output {
    Command::new(python())
        .arg(repo_root().join("tests/judges/jades_check.py"))
        .arg(file)
        .output()
        .expect("python runs the jwcrypto judge")
}

/// The bundled sample template and recipient.
pub fn sample_template() -> PathBuf {
    repo_root().join("assets/templates/generic-sample.json")
}

pub fn sample_recipient() -> PathBuf {
    repo_root().join("assets/templates/sample-recipient.json")
}

/// Builds a fresh credential for the sample recipient into `dir`, returning its path.
pub fn build_sample(dir: &Path) -> PathBuf {
    let out = dir.join("credential.json");
    let result = run(cli()
        .arg("build")
        .arg("--template")
        .arg(sample_template())
        .arg("--recipient")
        .arg(sample_recipient())
        .arg("--out")
        .arg(&out));
    assert!(
        result.status.success(),
        "build must succeed: {}",
        stderr(&result)
    );
    out
}

/// Writes Sealdesk's own learner sheet: row 1 the column `keys`, row 2 the same words as labels,
/// then one row per entry of `rows` (cells in the order of `keys`).
pub fn own_sheet<S: AsRef<str>>(path: &Path, keys: &[&str], rows: &[Vec<S>]) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (c, key) in keys.iter().enumerate() {
        ws.write_string(0, c as u16, *key).expect("key");
        ws.write_string(1, c as u16, *key).expect("label");
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            ws.write_string(2 + r as u32, c as u16, cell.as_ref())
                .expect("cell");
        }
    }
    book.save(path).expect("save sheet");
}

/// [`own_sheet`] with `n` learners `"{name} {i}"`, `"{mailbox}{i}@example.org"`, born on `born`.
pub fn numbered_learners(path: &Path, n: u32, name: &str, mailbox: &str, born: &str) {
    let rows: Vec<Vec<String>> = (0..n)
        .map(|i| {
            vec![
                format!("{name} {i}"),
                format!("{mailbox}{i}@example.org"),
                born.to_owned(),
            ]
        })
        .collect();
    own_sheet(path, &["fullName", "email", "dateOfBirth"], &rows);
}
