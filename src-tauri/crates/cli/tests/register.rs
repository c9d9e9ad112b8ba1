//! `register list|export` end to end: a small batch sealed on the harness token, then the
//! register listed as JSON (search, batch filter) and exported as CSV.

mod common;

use common::{cli_on_token, own_sheet, run, stderr, stdout_json};
use sealdesk_tests::{repo_root, TestToken};

#[test]
fn register_lists_searches_and_exports_the_sealed_batch() {
    let token = &TestToken::create();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let sheet = dir.path().join("learners.xlsx");
    own_sheet(
        &sheet,
        &["fullName", "email"],
        &[
            vec!["Ada Lovelace", "ada@uni.example"],
            vec!["Bert Brown", "bert@uni.example"],
        ],
    );
    let template = repo_root().join("assets/templates/generic-sample.json");
    let issued = run(cli_on_token(token, &data)
        .env("SEALDESK_PIN", &token.pin)
        .args(["batch", "issue", "--template"])
        .arg(&template)
        .arg("--recipients")
        .arg(&sheet)
        .arg("--out")
        .arg(dir.path().join("out"))
        .arg("--json"));
    assert!(issued.status.success(), "batch issue: {}", stderr(&issued));
    let batch = stdout_json(&issued)["batch"]["id"]
        .as_str()
        .expect("batch id")
        .to_owned();

    let all = run(cli_on_token(token, &data).args(["register", "list", "--json"]));
    assert!(all.status.success(), "register list: {}", stderr(&all));
    let rows = stdout_json(&all);
    let rows = rows.as_array().expect("a JSON array");
    assert_eq!(rows.len(), 2, "two sealed credentials: {rows:?}");
    assert!(
        rows.iter()
            .all(|r| r["batchId"] == batch.as_str() && r["sealLevel"] == "B-B"),
        "batch and level on every line: {rows:?}"
    );

    let found = run(cli_on_token(token, &data).args([
        "register", "list", "--search", "LOVELACE", "--batch", &batch, "--json",
    ]));
    assert!(found.status.success(), "search: {}", stderr(&found));
    let found = stdout_json(&found);
    let found = found.as_array().expect("array");
    assert_eq!(found.len(), 1, "the search keeps Ada: {found:?}");
    assert_eq!(found[0]["email"], "ada@uni.example", "e-mail column");

    let none = run(cli_on_token(token, &data).args([
        "register",
        "list",
        "--batch",
        "no-such-batch",
        "--json",
    ]));
    assert_eq!(
        stdout_json(&none).as_array().map(Vec::len),
        Some(0),
        "an unknown batch matches nothing"
    );

    let csv_path = dir.path().join("register.csv");
    let export = run(cli_on_token(token, &data)
        .args(["register", "export", "--csv"])
        .arg(&csv_path));
    assert!(export.status.success(), "export: {}", stderr(&export));
    let text = std::fs::read_to_string(&csv_path).expect("csv written");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "header and two lines: {text}");
    assert!(
        lines[0].starts_with("credential_id,learner,email"),
        "header: {}",
        lines[0]
    );
    assert!(
        text.contains("Bert Brown,bert@uni.example"),
        "Bert's line: {text}"
    );

    let bad = run(cli_on_token(token, &data).args(["register", "list", "--from", "yesterday"]));
    assert_eq!(
        bad.status.code(),
        Some(3),
        "a malformed date is bad input: {}",
        stderr(&bad)
    );
}
