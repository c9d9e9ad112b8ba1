//! `skills` and `template` on the real binary with a fresh data folder (all local, no token).

mod common;

use common::{cli, run, stdout_json};
use sealdesk_tests::shared_dir;

fn sample() -> std::path::PathBuf {
    shared_dir().join("reference/elm-v3/credentials-jsonld/Sample-MC-Annex1-unsigned.jsonld")
}

#[test]
fn templates_import_list_export_round_trip() {
    let data = tempfile::tempdir().expect("temp dir");
    let out = run(cli()
        .arg("--data-dir")
        .arg(data.path())
        .args(["template", "import"])
        .arg(sample())
        .args(["--name", "Annex I", "--json"]));
    assert!(
        out.status.success(),
        "import: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let imported = stdout_json(&out);
    let id = imported["id"].as_str().expect("id").to_owned();
    assert_eq!(imported["name"], "Annex I", "named as asked");
    assert_eq!(imported["version"], 1, "version 1");

    let out = run(cli()
        .arg("--data-dir")
        .arg(data.path())
        .args(["template", "list", "--json"]));
    assert!(
        out.status.success(),
        "list: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list = stdout_json(&out);
    assert_eq!(
        list.as_array().map(Vec::len),
        Some(1),
        "one template: {list}"
    );
    assert_eq!(list[0]["id"], id.as_str(), "the imported one");

    let exported = data.path().join("out.json");
    let out = run(cli()
        .arg("--data-dir")
        .arg(data.path())
        .args(["template", "export", &id, "--out"])
        .arg(&exported));
    assert!(
        out.status.success(),
        "export: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read(&exported).expect("exported"),
        std::fs::read(sample()).expect("sample"),
        "exported byte for byte"
    );
}

#[test]
fn a_malformed_template_is_refused_with_exit_3_and_nothing_stored() {
    let data = tempfile::tempdir().expect("temp dir");
    let bad = data.path().join("bad.json");
    std::fs::write(&bad, "{\"type\": [\"VerifiableCredential\"\n").expect("write");
    let out = run(cli()
        .arg("--data-dir")
        .arg(data.path())
        .args(["template", "import"])
        .arg(&bad));
    assert_eq!(out.status.code(), Some(3), "bad input exit code");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bad.json") && stderr.contains("line 2"),
        "names file and line: {stderr}"
    );
    let out = run(cli()
        .arg("--data-dir")
        .arg(data.path())
        .args(["template", "list", "--json"]));
    assert_eq!(
        stdout_json(&out),
        serde_json::json!([]),
        "catalogue unchanged"
    );
    let out = run(cli()
        .arg("--data-dir")
        .arg(data.path())
        .args(["template", "export", "no-such-id", "--out"])
        .arg(data.path().join("x.json")));
    assert_eq!(out.status.code(), Some(3), "unknown template is bad input");
}

#[test]
fn skills_search_works_offline_and_prints_json() {
    let data = tempfile::tempdir().expect("temp dir");
    let out = run(cli().arg("--data-dir").arg(data.path()).args([
        "skills",
        "search",
        "develop digital content",
        "--limit",
        "3",
        "--json",
    ]));
    assert!(
        out.status.success(),
        "search: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hits = stdout_json(&out);
    assert_eq!(
        hits[0]["uri"], "http://data.europa.eu/esco/skill/5fd5c985-eaaa-47aa-8314-62359c54505a",
        "develop digital content first: {hits}"
    );
    assert_eq!(hits.as_array().map(Vec::len), Some(3), "limit respected");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("13939 skills"),
        "the first use says it loaded the shipped data"
    );
    let again = run(cli().arg("--data-dir").arg(data.path()).args([
        "skills",
        "search",
        "stimulate creativity",
        "--json",
    ]));
    assert!(
        !String::from_utf8_lossy(&again.stderr).contains("loaded"),
        "later uses do not load again"
    );
    assert_eq!(
        stdout_json(&again)[0]["uri"],
        "http://data.europa.eu/esco/skill/ccdf3597-5c80-410f-896d-e1bdfa223de9",
        "stimulate creativity in the team"
    );
}
