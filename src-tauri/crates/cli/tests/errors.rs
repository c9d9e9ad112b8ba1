//! Every way sealing can fail gives one line that says what to do and a distinct exit code;
//! nothing panics and nothing half-written is left behind.

mod common;

use common::*;
use sealdesk_tests::TestToken;

/// Asserts a one-line failure with `code`, mentioning `hint`, and no panic.
fn assert_failure(out: &std::process::Output, code: i32, hint: &str) {
    let err = stderr(out);
    assert_eq!(
        out.status.code(),
        Some(code),
        "exit code for '{hint}': stderr {err}"
    );
    assert!(!err.contains("panicked"), "no panic: {err}");
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "exactly one line for the person: {err}");
    assert!(
        lines[0].to_lowercase().contains(&hint.to_lowercase()),
        "the line must mention '{hint}': {err}"
    );
}

fn seal_cmd(
    token: &TestToken,
    dir: &std::path::Path,
    credential: &std::path::Path,
) -> std::process::Command {
    let mut cmd = cli_on_token(token, dir);
    cmd.arg("seal")
        .arg(credential)
        .arg("--out")
        .arg(dir.join("out.jsonld"));
    cmd
}

#[test]
fn malformed_credential_file_names_the_line() {
    let token = &TestToken::create();
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, b"{\n  \"type\": [\"VerifiableCredential\",\n}").expect("write");
    let out = run(seal_cmd(token, dir.path(), &bad).env("SEALDESK_PIN", &token.pin));
    assert_failure(&out, 3, "line 3");
    assert!(
        !dir.path().join("out.jsonld").exists(),
        "nothing written on failure"
    );
}

#[test]
fn no_token_module_says_where_it_looked() {
    let token = &TestToken::create();
    let dir = tempfile::tempdir().expect("temp dir");
    let credential = build_sample(dir.path());
    let out = run(seal_cmd(token, dir.path(), &credential)
        .env("SEALDESK_PIN", &token.pin)
        .arg("--module")
        .arg(dir.path().join("no-such-pkcs11.so")));
    assert_failure(&out, 4, "no-such-pkcs11.so");
}

#[test]
fn unknown_token_label_is_a_missing_token() {
    let token = &TestToken::create();
    let dir = tempfile::tempdir().expect("temp dir");
    let credential = build_sample(dir.path());
    let out = run(seal_cmd(token, dir.path(), &credential)
        .env("SEALDESK_PIN", &token.pin)
        .args(["--token", "NO-SUCH-TOKEN"]));
    assert_failure(&out, 4, "NO-SUCH-TOKEN");
}

#[test]
fn wrong_pin_is_refused_and_nothing_is_registered() {
    let token = &TestToken::create();
    let dir = tempfile::tempdir().expect("temp dir");
    let credential = build_sample(dir.path());
    let out = run(seal_cmd(token, dir.path(), &credential).env("SEALDESK_PIN", "000000"));
    assert_failure(&out, 5, "PIN");
    assert!(
        !dir.path().join("out.jsonld").exists(),
        "nothing written on a wrong PIN"
    );
    let catalogue = sealdesk_catalogue::Catalogue::open(&dir.path().join("catalogue.sqlite3"))
        .expect("catalogue");
    assert_eq!(
        catalogue.issued().count().expect("count"),
        0,
        "nothing registered"
    );
    // The right PIN still works afterwards: a wrong PIN must not poison the next attempt.
    let out = run(seal_cmd(token, dir.path(), &credential).env("SEALDESK_PIN", &token.pin));
    assert!(
        out.status.success(),
        "right PIN after a wrong one: {}",
        stderr(&out)
    );
}

#[test]
fn expired_seal_certificate_is_refused_before_the_pin_is_used() {
    let token = &TestToken::create();
    let dir = tempfile::tempdir().expect("temp dir");
    let credential = build_sample(dir.path());
    let out = run(seal_cmd(token, dir.path(), &credential)
        .env("SEALDESK_PIN", &token.pin)
        .args(["--key-id", "02"]));
    assert_failure(&out, 7, "expired");
}

#[test]
fn locked_token_is_refused_without_trying_the_pin() {
    // A token of its own: locking it must not disturb the shared one.
    let token = TestToken::create_labelled("LOCKME");
    let dir = tempfile::tempdir().expect("temp dir");
    let credential = build_sample(dir.path());
    token.lock_user_pin();
    let out = run(seal_cmd(&token, dir.path(), &credential).env("SEALDESK_PIN", &token.pin));
    assert_failure(&out, 6, "locked");
}

#[test]
fn no_pin_and_no_terminal_is_a_usage_error() {
    let token = &TestToken::create();
    let dir = tempfile::tempdir().expect("temp dir");
    let credential = build_sample(dir.path());
    let out = run(seal_cmd(token, dir.path(), &credential).stdin(std::process::Stdio::null()));
    assert_failure(&out, 2, "SEALDESK_PIN");
}

#[test]
fn a_signature_certificate_needs_explicit_consent() {
    let token = &TestToken::create();
    let dir = tempfile::tempdir().expect("temp dir");
    let credential = build_sample(dir.path());
    let out = run(seal_cmd(token, dir.path(), &credential)
        .env("SEALDESK_PIN", &token.pin)
        .args(["--key-id", "03"]));
    assert_failure(&out, 9, "not a seal");
    assert!(
        !dir.path().join("out.jsonld").exists(),
        "nothing written without consent"
    );

    let out = run(seal_cmd(token, dir.path(), &credential)
        .env("SEALDESK_PIN", &token.pin)
        .args(["--key-id", "03", "--accept-non-seal"]));
    assert!(
        out.status.success(),
        "sealed after consent: {}",
        stderr(&out)
    );
    let verified = run(cli().arg("verify").arg(dir.path().join("out.jsonld")));
    assert!(
        verified.status.success(),
        "the seal made with consent verifies"
    );
}
