//! `sealdesk-cli seal` + `verify` end to end on a SoftHSM2 token, judged by tools we did not
//! write: the official EDC SHACL shapes (pyshacl) and jwcrypto (RFC 7797).

mod common;

use common::*;
use sealdesk_tests::{shared_dir, TestToken};

#[test]
fn token_list_shows_the_harness_token_and_its_qualified_seal_key() {
    let token = &TestToken::create();
    let data = tempfile::tempdir().expect("temp dir");
    let out = run(cli_on_token(token, data.path()).args(["token", "list", "--json"]));
    assert!(
        out.status.success(),
        "token list must succeed: {}",
        stderr(&out)
    );
    let status = stdout_json(&out);
    let tokens = status["tokens"].as_array().expect("tokens array");
    let ours = tokens
        .iter()
        .find(|t| t["label"] == token.label.as_str())
        .unwrap_or_else(|| panic!("the harness token {} must be listed: {status}", token.label));
    assert_eq!(
        ours["isTest"], true,
        "a SoftHSM2 token with a test CA is a test token"
    );
    let seal = &ours["seal"];
    assert_eq!(
        seal["keyId"], "01",
        "the valid qualified RSA-3072 key is the default"
    );
    assert_eq!(
        seal["qualified"], true,
        "key 01 carries the QC e-seal statements"
    );
    assert_eq!(seal["expired"], false, "key 01 is valid now");
    assert_eq!(
        seal["organizationIdentifier"], "VATFR-12345678901",
        "read from the certificate"
    );
    assert_eq!(
        seal["algorithm"], "RS256",
        "RSA keys seal with RS256 as the EDC viewer expects"
    );
}

#[test]
fn seal_then_verify_round_trip_passes_shacl_and_jwcrypto_and_detects_tampering() {
    let token = &TestToken::create();
    let dir = tempfile::tempdir().expect("temp dir");
    let credential = build_sample(dir.path());
    let sealed = dir.path().join("sealed.jsonld");

    let out = run(cli_on_token(token, dir.path())
        .env("SEALDESK_PIN", &token.pin)
        .arg("seal")
        .arg(&credential)
        .arg("--out")
        .arg(&sealed)
        .arg("--json"));
    assert!(out.status.success(), "seal must succeed: {}", stderr(&out));
    assert!(
        !stderr(&out).contains("ERROR"),
        "a successful seal prints no error lines: {}",
        stderr(&out)
    );
    let report = stdout_json(&out);
    assert_eq!(report["intact"], true, "the fresh seal verifies: {report}");

    // Our verifier: intact, signed by the token's certificate, not trusted without anchors.
    let out = run(cli().arg("verify").arg(&sealed).arg("--json"));
    assert!(
        out.status.success(),
        "verify exits 0 on an intact seal: {}",
        stderr(&out)
    );
    let reports = stdout_json(&out);
    let report = &reports[0];
    assert_eq!(report["sealed"], true, "the file is sealed");
    assert_eq!(check_status(report, "seal"), "ok", "seal check: {report}");
    assert_eq!(
        check_status(report, "trust"),
        "error",
        "a test CA is not trusted: {report}"
    );
    assert_eq!(
        report["signatures"][0]["organizationIdentifier"], "VATFR-12345678901",
        "the seal names the holder from the certificate"
    );
    assert_eq!(
        report["signatures"][0]["level"], "B-B",
        "offline seal is B-B"
    );
    assert_eq!(
        report["credential"]["issuer"], "Université Exemple (TEST)",
        "issuer legal name filled from the seal certificate O"
    );

    // With the harness CA as an anchor, the same seal is trusted.
    let trust = tempfile::tempdir().expect("temp dir");
    std::fs::copy(&token.ca_pem, trust.path().join("ca.pem")).expect("copy CA");
    let out = run(cli()
        .arg("verify")
        .arg(&sealed)
        .arg("--trust-dir")
        .arg(trust.path())
        .arg("--json"));
    assert!(
        out.status.success(),
        "verify with anchors: {}",
        stderr(&out)
    );
    assert_eq!(
        check_status(&stdout_json(&out)[0], "trust"),
        "ok",
        "the harness CA anchors the seal certificate"
    );

    // Independent judges on the very bytes we sealed.
    let shacl = shacl_check(&sealed);
    assert!(
        shacl.status.success(),
        "the sealed payload must pass EDC-generic-full: {}{}",
        String::from_utf8_lossy(&shacl.stdout),
        String::from_utf8_lossy(&shacl.stderr)
    );
    let jws = jwcrypto_check(&sealed);
    assert!(
        jws.status.success(),
        "jwcrypto must verify our JAdES: {}{}",
        String::from_utf8_lossy(&jws.stdout),
        String::from_utf8_lossy(&jws.stderr)
    );

    // One byte of the payload changed: both verifiers must refuse it.
    let bytes = std::fs::read(&sealed).expect("read sealed");
    let tampered_bytes = change_one_payload_byte(&bytes);
    let tampered = dir.path().join("tampered.jsonld");
    std::fs::write(&tampered, &tampered_bytes).expect("write tampered");
    let out = run(cli().arg("verify").arg(&tampered).arg("--json"));
    assert_eq!(
        out.status.code(),
        Some(1),
        "a broken seal exits 1: {}",
        stderr(&out)
    );
    assert_eq!(
        check_status(&stdout_json(&out)[0], "seal"),
        "error",
        "the seal check names the broken seal"
    );
    assert!(
        !jwcrypto_check(&tampered).status.success(),
        "jwcrypto must refuse the tampered payload too"
    );

    // The catalogue kept the sealed bytes verbatim.
    let catalogue = sealdesk_catalogue::Catalogue::open(&dir.path().join("catalogue.sqlite3"))
        .expect("catalogue");
    let issued = catalogue.issued().list().expect("list");
    assert_eq!(issued.len(), 1, "one credential registered");
    assert_eq!(
        issued[0].sealed, bytes,
        "the register holds the sealed file byte for byte"
    );
}

#[test]
fn official_sealed_samples_are_intact_but_not_trusted() {
    let reference = shared_dir().join("reference");
    let mut files = vec![
        reference.join("edci-platform/jades-sealed/json_to_seal-signed-jades-baseline-lta.json"),
        reference.join("edci-platform/jades-sealed/json_sealed_advanced.json"),
    ];
    for entry in std::fs::read_dir(reference.join("elm-v3/credentials-jsonld")).expect("samples") {
        let path = entry.expect("entry").path();
        if path.to_string_lossy().ends_with("-signed.jsonld") {
            files.push(path);
        }
    }
    assert!(
        files.len() >= 4,
        "the official signed samples must be there: {files:?}"
    );
    let out = run(cli().arg("verify").args(&files).arg("--json"));
    assert!(
        out.status.success(),
        "every official sealed sample is intact: {}{}",
        String::from_utf8_lossy(&out.stdout),
        stderr(&out)
    );
    for report in stdout_json(&out).as_array().expect("array") {
        assert_eq!(check_status(report, "seal"), "ok", "seal intact: {report}");
        assert_eq!(
            check_status(report, "trust"),
            "error",
            "their test CA is reported as not trusted, distinct from broken: {report}"
        );
    }
}

#[test]
fn an_unsealed_credential_is_reported_as_not_sealed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let credential = build_sample(dir.path());
    let out = run(cli().arg("verify").arg(&credential).arg("--json"));
    assert_eq!(
        out.status.code(),
        Some(1),
        "unsealed is not intact: {}",
        stderr(&out)
    );
    let report = &stdout_json(&out)[0];
    assert_eq!(
        report["sealed"], false,
        "the report says not sealed: {report}"
    );
    assert_eq!(
        report["credential"]["learner"], "Ana Andromeda",
        "an unsealed credential is still named"
    );
}

fn check_status(report: &serde_json::Value, check: &str) -> String {
    report["checks"]
        .as_array()
        .and_then(|checks| checks.iter().find(|c| c["check"] == check))
        .and_then(|c| c["status"].as_str())
        .unwrap_or_else(|| panic!("the report must have a {check} check: {report}"))
        .to_owned()
}

/// Flips one letter inside the payload string of a JWS JSON file, keeping it valid JSON.
fn change_one_payload_byte(sealed: &[u8]) -> Vec<u8> {
    let text = std::str::from_utf8(sealed).expect("utf-8");
    let start = text
        .find("Ana Andromeda")
        .expect("the learner's name is in the payload");
    let mut bytes = sealed.to_vec();
    bytes[start] = b'E';
    bytes
}

#[test]
fn micro_credential_template_sealed_on_the_token_passes_shacl_and_annex_i() {
    let token = &TestToken::create();
    let dir = tempfile::tempdir().expect("temp dir");
    let credential = dir.path().join("micro.json");
    let built = run(cli()
        .arg("build")
        .arg("--template")
        .arg(sealdesk_tests::repo_root().join("assets/templates/micro-credential.json"))
        .arg("--recipient")
        .arg(sample_recipient())
        .arg("--out")
        .arg(&credential));
    assert!(built.status.success(), "build: {}", stderr(&built));
    let sealed = dir.path().join("micro.jsonld");
    let out = run(cli_on_token(token, dir.path())
        .env("SEALDESK_PIN", &token.pin)
        .arg("seal")
        .arg(&credential)
        .arg("--out")
        .arg(&sealed));
    assert!(out.status.success(), "seal: {}", stderr(&out));

    let shacl = shacl_check(&sealed);
    assert!(
        shacl.status.success(),
        "the sealed micro-credential must pass EDC-generic-full: {}{}",
        String::from_utf8_lossy(&shacl.stdout),
        String::from_utf8_lossy(&shacl.stderr)
    );
    // The Annex I check runs on the very payload that was sealed.
    let bytes = std::fs::read(&sealed).expect("read");
    let envelope: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
    let payload = envelope["payload"].as_str().expect("payload string");
    let sealed_credential =
        sealdesk_elm::Credential::from_json(payload.as_bytes(), "payload").expect("credential");
    let report = sealdesk_elm::annex1::check(&sealed_credential);
    assert!(
        report.complete(),
        "every Annex I element is present once sealed: missing {:?}",
        report.missing().map(|e| e.key.clone()).collect::<Vec<_>>()
    );
}
