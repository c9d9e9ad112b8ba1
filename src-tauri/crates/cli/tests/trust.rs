//! `sealdesk-cli trust check|providers` and trusted lists in `verify`, on the real EU LOTL, the
//! FI TLv6 sample, a TEST list made by tests/harness/mktl.sh for the harness CA, hostile XML and
//! the legacy EDC 1.x XML sample.

mod common;

use std::process::Command;

use common::{build_sample, cli, cli_on_token, run, stderr, stdout_json};
use sealdesk_tests::{repo_root, shared_dir, TestToken};

fn check_status(report: &serde_json::Value, check: &str) -> (String, String) {
    let c = report["checks"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["check"] == check))
        .unwrap_or_else(|| panic!("no {check} check in {report}"));
    (
        c["status"].as_str().unwrap_or_default().to_owned(),
        c["message"].as_str().unwrap_or_default().to_owned(),
    )
}

#[test]
fn trust_check_reports_the_real_lotl_and_fi_list() {
    let lists = shared_dir().join("reference/trusted-lists");
    let out = run(cli()
        .args(["trust", "check", "--json"])
        .arg(lists.join("EU-lotl-seq341.xml"))
        .arg(lists.join("FI-tl-v6-seq49.xml")));
    assert!(
        out.status.success(),
        "both signatures verify: {}",
        stderr(&out)
    );
    let v = stdout_json(&out);
    let lotl = &v[0];
    assert_eq!(lotl["territory"], "EU", "LOTL territory: {lotl}");
    assert_eq!(lotl["sequence"], 341, "LOTL sequence");
    assert_eq!(lotl["issued"], "2024-05-31T08:10:34Z", "LOTL issue date");
    assert_eq!(
        lotl["nextUpdate"], "2024-12-01T09:10:34Z",
        "LOTL next update"
    );
    assert_eq!(lotl["signature"]["status"], "valid", "LOTL signature");
    assert_eq!(
        lotl["signature"]["signerValidNow"], true,
        "Commission certificate valid until 2027"
    );
    assert_eq!(lotl["standing"], "lotl", "standing");
    let fi = &v[1];
    assert_eq!(fi["version"], 6, "TLv6");
    assert_eq!(
        fi["standing"], "notAnnounced",
        "DSS's re-signature is not the LOTL's FI signer"
    );
    let services = fi["qcServices"].as_array().expect("qcServices");
    assert_eq!(services.len(), 19, "19 CA/QC services");
    assert!(
        services.iter().any(|s| s["status"]
            .as_str()
            .is_some_and(|x| x.ends_with("/granted"))
            && s["additionalInfo"]
                .as_array()
                .is_some_and(|a| !a.is_empty())),
        "granted services with additional info listed"
    );
}

#[test]
fn hostile_xml_is_refused_with_the_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bomb = dir.path().join("bomb.xml");
    std::fs::write(
        &bomb,
        "<?xml version=\"1.0\"?>\n<!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;\">]>\n<TrustServiceStatusList>&b;</TrustServiceStatusList>\n",
    )
    .expect("write");
    let out = run(cli().args(["trust", "check"]).arg(&bomb));
    assert_eq!(
        out.status.code(),
        Some(3),
        "bad input exit code: {}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("line 2") && stderr(&out).contains("DTD"),
        "names the DTD and its line: {}",
        stderr(&out)
    );
    let not_tl = dir.path().join("other.xml");
    std::fs::write(&not_tl, "<html><body/></html>").expect("write");
    let out = run(cli().args(["trust", "check"]).arg(&not_tl));
    assert_eq!(out.status.code(), Some(3), "not a TL: {}", stderr(&out));
    assert!(
        stderr(&out).contains("not an ETSI trusted list"),
        "says so: {}",
        stderr(&out)
    );
}

#[test]
fn providers_and_qualified_verification_from_a_test_list() {
    let token = &TestToken::create();
    let dir = tempfile::tempdir().expect("temp dir");
    let tl_dir = dir.path().join("lists");
    std::fs::create_dir(&tl_dir).expect("mkdir");
    // mktl.sh writes its keys under TOKEN_DIR/tl; give it a copy of the CA only.
    let pki = dir.path().join("pki");
    std::fs::create_dir(&pki).expect("mkdir");
    std::fs::copy(&token.ca_pem, pki.join("ca.pem")).expect("copy CA");
    let out = Command::new("bash")
        .arg(repo_root().join("tests/harness/mktl.sh"))
        .arg(&pki)
        .arg(tl_dir.join("ZZ.xml"))
        .arg(tl_dir.join("LOTL.xml"))
        .output()
        .expect("bash");
    assert!(
        out.status.success(),
        "mktl.sh: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let data = dir.path().join("data");
    let out = run(cli()
        .arg("--data-dir")
        .arg(&data)
        .args([
            "trust",
            "providers",
            "--country",
            "zz",
            "--lang",
            "de",
            "--json",
            "--trust-dir",
        ])
        .arg(&tl_dir));
    assert!(out.status.success(), "providers: {}", stderr(&out));
    let v = stdout_json(&out);
    assert_eq!(
        v["term"], "qualifiziertes Zertifikat für elektronische Siegel",
        "German term: {v}"
    );
    assert_eq!(
        v["list"]["standing"], "announced",
        "the test LOTL announces the ZZ signer"
    );
    let p = &v["providers"][0];
    assert_eq!(
        p["name"], "Sealdesk TEST Trust Services",
        "English name when no German one"
    );
    assert_eq!(
        p["address"], "1 Test Street, 00000 Testville, ZZ",
        "address"
    );
    assert_eq!(p["website"], "https://tsp.example.invalid/", "web site");

    // Seal with the harness key 01, verify against the cache in the same data folder.
    let credential = build_sample(dir.path());
    let sealed = dir.path().join("sealed.jsonld");
    let out = run(cli_on_token(token, &data)
        .env("SEALDESK_PIN", &token.pin)
        .arg("seal")
        .arg(&credential)
        .arg("--out")
        .arg(&sealed));
    assert!(out.status.success(), "seal: {}", stderr(&out));
    let out = run(cli()
        .arg("--data-dir")
        .arg(&data)
        .args(["verify", "--json"])
        .arg(&sealed));
    let report = &stdout_json(&out)[0];
    let (status, message) = check_status(report, "qualification");
    assert_eq!(status, "ok", "qualified from the TEST list: {message}");
    assert!(message.contains("ZZ list #1"), "names the list: {message}");
    assert!(
        message.contains("cached 0 day(s) ago"),
        "reports the cache age: {message}"
    );

    // Without the cache the qualification is only declared.
    let out = run(cli().args(["verify", "--json"]).arg(&sealed));
    let (_, message) = check_status(&stdout_json(&out)[0], "qualification");
    assert!(
        message.contains("not yet confirmed"),
        "certificate-only check: {message}"
    );

    // The official sample's ANF test CA is on no list.
    let sample = shared_dir()
        .join("reference/edci-platform/jades-sealed/json_to_seal-signed-jades-baseline-lta.json");
    let out = run(cli()
        .arg("--data-dir")
        .arg(&data)
        .args(["verify", "--json"])
        .arg(&sample));
    let (status, message) = check_status(&stdout_json(&out)[0], "qualification");
    assert_eq!(status, "warning", "not qualified: {message}");
    assert!(
        message.contains("not a CA/QC service on any"),
        "on no list: {message}"
    );
}

#[test]
fn legacy_xml_credential_is_verified_through_verify() {
    let sample = shared_dir()
        .join("reference/edci-platform/xml-elm-v1-xades/credential-generic-profile-xsd-signed.xml");
    let out = run(cli().args(["verify", "--json"]).arg(&sample));
    assert_eq!(
        out.status.code(),
        Some(1),
        "a broken seal exits 1: {}",
        stderr(&out)
    );
    let report = &stdout_json(&out)[0];
    assert_eq!(report["sealed"], true, "it carries a XAdES seal: {report}");
    assert_eq!(
        report["intact"], false,
        "re-indented after sealing: {report}"
    );
    assert_eq!(report["signatures"][0]["level"], "XAdES", "level");
    let (status, message) = check_status(report, "seal");
    assert_eq!(status, "error", "seal check: {message}");
    assert!(message.contains("digest"), "says which digest: {message}");
}
