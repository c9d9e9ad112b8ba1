//! `sealdesk-cli pdf CREDENTIAL --out F.pdf --seal`: the PDF of a sealed credential, sealed on
//! the harness SoftHSM2 token (PAdES), judged by our verifier and by poppler's `pdfsig`; a
//! SPECIMEN (unsealed credential) is refused before the token is touched.

mod common;

use common::*;
use sealdesk_tests::{shared_dir, TestToken};

#[test]
fn the_pdf_of_a_sealed_credential_is_sealed_on_the_token_and_a_specimen_never_is() {
    let token = &TestToken::create();
    let dir = tempfile::tempdir().expect("temp dir");
    let samples = shared_dir().join("reference/elm-v3/credentials-jsonld");
    let signed = samples.join("Sample-MC-Annex1-signed.jsonld");
    let out_pdf = dir.path().join("issued.pdf");
    let out = run(cli_on_token(token, dir.path())
        .env("SEALDESK_PIN", &token.pin)
        .arg("pdf")
        .arg(&signed)
        .arg("--out")
        .arg(&out_pdf)
        .arg("--seal"));
    assert!(
        out.status.success(),
        "pdf --seal succeeds: {}",
        stderr(&out)
    );
    assert!(
        !dir.path().join("issued.unsealed.pdf").exists(),
        "the unsealed intermediate is removed"
    );
    let verify = run(cli_on_token(token, dir.path())
        .arg("verify")
        .arg(&out_pdf)
        .arg("--json"));
    let report = stdout_json(&verify);
    assert_eq!(
        report[0]["intact"], true,
        "our verifier: the PAdES seal holds: {report}"
    );
    let pdfsig = std::process::Command::new("pdfsig")
        .arg(&out_pdf)
        .output()
        .expect("pdfsig (poppler-utils) is installed");
    let pdfsig = String::from_utf8_lossy(&pdfsig.stdout);
    assert!(
        pdfsig.contains("Signature is Valid"),
        "pdfsig finds the signature valid: {pdfsig}"
    );
    let text = std::process::Command::new("pdftotext")
        .arg(&out_pdf)
        .arg("-")
        .output()
        .expect("pdftotext");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        !text.contains("SPECIMEN"),
        "an issued credential's PDF is no specimen"
    );

    let unsigned = samples.join("Sample-MC-Annex1-unsigned.jsonld");
    let refused = dir.path().join("refused.pdf");
    let out = run(cli_on_token(token, dir.path())
        .env("SEALDESK_PIN", &token.pin)
        .arg("pdf")
        .arg(&unsigned)
        .arg("--out")
        .arg(&refused)
        .arg("--seal"));
    assert_eq!(
        out.status.code(),
        Some(3),
        "a SPECIMEN is not sealed: {}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("seal the credential first"),
        "says what to do: {}",
        stderr(&out)
    );
    assert!(!refused.exists(), "nothing written");
}
