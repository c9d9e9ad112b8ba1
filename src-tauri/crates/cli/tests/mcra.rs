//! `lo` and `mcra` through the real binary: add and list a learning opportunity, export its
//! JSON-LD; export agreements from one data folder and import them into another (every field
//! kept); a malformed file exits 3 naming the JSON pointer and imports nothing.

mod common;

use std::path::Path;

use common::{cli, run, stderr, stdout_json};
use sealdesk_agreements::exchange::{self, ExchangedAgreement};
use sealdesk_agreements::{samples, Direction, McraState, RecognitionType};
use time::macros::datetime;

fn in_dir(dir: &Path) -> std::process::Command {
    let mut cmd = cli();
    cmd.arg("--data-dir").arg(dir);
    cmd
}

#[test]
fn lo_add_list_show_and_export_jsonld() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let file = tmp.path().join("lo.json");
    let lo = samples::learning_opportunity("");
    std::fs::write(&file, serde_json::to_vec(&lo).expect("json")).expect("write");
    let out = run(in_dir(&data).args(["lo", "add", "--json"]).arg(&file));
    assert!(out.status.success(), "lo add: {}", stderr(&out));
    let id = stdout_json(&out)["summary"]["id"]
        .as_str()
        .expect("id")
        .to_owned();

    let out = run(in_dir(&data).args(["lo", "list", "--json"]));
    let list = stdout_json(&out);
    assert_eq!(list.as_array().map(Vec::len), Some(1), "one listed: {list}");
    assert_eq!(list[0]["state"], "draft", "a draft");

    let out = run(in_dir(&data).args(["lo", "show", &id]));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("state: draft"), "shows the state: {text}");

    let jsonld = tmp.path().join("lo.jsonld");
    let out = run(in_dir(&data)
        .args(["lo", "export", &id, "--jsonld", "--out"])
        .arg(&jsonld));
    assert!(out.status.success(), "export: {}", stderr(&out));
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&jsonld).expect("written")).expect("json");
    assert_eq!(doc["type"], "LearningOpportunity", "ELM JSON-LD");
    assert_eq!(doc["id"], format!("urn:sealdesk:lo:{id}"), "its id");

    let bad = tmp.path().join("bad.json");
    std::fs::write(&bad, br#"{"id": "", "title": {"en": 5}}"#).expect("write");
    let out = run(in_dir(&data).args(["lo", "add"]).arg(&bad));
    assert_eq!(out.status.code(), Some(3), "bad input: {}", stderr(&out));
    assert!(
        stderr(&out).contains("/title/en"),
        "names the pointer: {}",
        stderr(&out)
    );
}

#[test]
fn mcra_export_import_round_trip_and_refusal() {
    let tmp = tempfile::tempdir().expect("tmp");
    let ours = tmp.path().join("ours");
    let theirs = tmp.path().join("theirs");
    let agreements = vec![
        ExchangedAgreement {
            state: McraState::Agreed,
            agreement: samples::mcra("a-1", Direction::AToB, 1, RecognitionType::default()),
        },
        ExchangedAgreement {
            state: McraState::Draft,
            agreement: samples::mcra(
                "a-2",
                Direction::Bidirectional,
                2,
                RecognitionType::default(),
            ),
        },
    ];
    let seed = tmp.path().join("seed.json");
    std::fs::write(
        &seed,
        exchange::export(agreements.clone(), datetime!(2027-01-01 00:00 UTC)).expect("export"),
    )
    .expect("write");
    let out = run(in_dir(&ours).args(["mcra", "import", "--json"]).arg(&seed));
    assert!(out.status.success(), "seed import: {}", stderr(&out));
    assert_eq!(
        stdout_json(&out).as_array().map(Vec::len),
        Some(2),
        "two imported"
    );

    let file = tmp.path().join("to-partner.json");
    let out = run(in_dir(&ours)
        .args(["mcra", "export", "a-1", "a-2", "--out"])
        .arg(&file));
    assert!(out.status.success(), "export: {}", stderr(&out));
    let out = run(in_dir(&theirs).args(["mcra", "import"]).arg(&file));
    assert!(out.status.success(), "import: {}", stderr(&out));
    let back = exchange::parse(&std::fs::read(&file).expect("read"), "f").expect("parses");
    assert_eq!(back.agreements, agreements, "every field and state kept");
    let out = run(in_dir(&theirs).args(["mcra", "list", "--json"]));
    let list = stdout_json(&out);
    assert_eq!(list.as_array().map(Vec::len), Some(2), "two listed: {list}");
    assert_eq!(list[0]["origin"], "import:to-partner.json", "origin noted");

    let mut value: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).expect("read")).expect("json");
    value["agreements"][1]["agreement"]["direction"] = "sideways".into();
    let bad = tmp.path().join("bad.json");
    std::fs::write(&bad, serde_json::to_vec(&value).expect("json")).expect("write");
    let fresh = tmp.path().join("fresh");
    let out = run(in_dir(&fresh).args(["mcra", "import"]).arg(&bad));
    assert_eq!(out.status.code(), Some(3), "bad input: {}", stderr(&out));
    assert!(
        stderr(&out).contains("/agreements/1/agreement/direction"),
        "names the pointer: {}",
        stderr(&out)
    );
    let out = run(in_dir(&fresh).args(["mcra", "list", "--json"]));
    assert_eq!(stdout_json(&out), serde_json::json!([]), "nothing imported");
}
