//! `sealdesk-cli pdf seal` / `pdf augment` / `verify` on a PDF, end to end on the harness token
//! with the local TSA/OCSP/CRL services: sealed online = B-T, augmented = B-LTA, and
//! `verify --json` reports the level; a changed byte fails.

mod common;

use common::*;
use sealdesk_tests::services::ServicesPki;
use sealdesk_tests::TestToken;

/// A one-page PDF written by hand (offsets computed, classic xref table).
fn tiny_pdf() -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ];
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(b"xref\n0 4\n0000000000 65535 f\r\n");
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n\r\n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
    );
    out
}

#[test]
fn pdf_seal_online_is_b_t_pdf_augment_reaches_b_lta_and_verify_reports_it() {
    let token = &TestToken::create();
    let pki = ServicesPki::create(&token.dir);
    let live = pki.start();
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    for (key, value) in [
        ("tsa.url", live.tsa_url()),
        ("ocsp.url", live.ocsp_url()),
        (
            "crl.urls",
            format!("{} {}", live.tsa_crl_url(), live.seal_crl_url()),
        ),
    ] {
        let out = run(cli_on_token(token, &data).args(["config", "set", key, &value]));
        assert!(out.status.success(), "config set {key}: {}", stderr(&out));
    }
    let input = dir.path().join("in.pdf");
    std::fs::write(&input, tiny_pdf()).expect("write input");
    let sealed = dir.path().join("sealed.pdf");

    let out = run(cli_on_token(token, &data)
        .env("SEALDESK_PIN", &token.pin)
        .args(["pdf", "seal"])
        .arg(&input)
        .arg("--out")
        .arg(&sealed)
        .args(["--visible", "--json"]));
    assert!(out.status.success(), "pdf seal succeeds: {}", stderr(&out));
    let view = stdout_json(&out);
    assert_eq!(view["level"], "B-T", "the local TSA answered: {view}");
    assert_eq!(view["report"]["intact"], true, "our check: {view}");

    let trust = dir.path().join("trust");
    std::fs::create_dir(&trust).expect("trust dir");
    std::fs::copy(&token.ca_pem, trust.join("seal-ca.pem")).expect("copy the seal CA");
    std::fs::write(trust.join("tsa-ca.der"), pki.read("tsa-ca.der")).expect("write the TSA CA");
    let verify = |file: &std::path::Path| {
        run(cli()
            .arg("verify")
            .arg(file)
            .arg("--trust-dir")
            .arg(&trust)
            .arg("--json"))
    };
    let out = verify(&sealed);
    assert!(out.status.success(), "verify B-T: {}", stderr(&out));
    let reports = stdout_json(&out);
    assert_eq!(
        reports[0]["signatures"][0]["level"], "PAdES B-T",
        "verify --json reports the level: {reports}"
    );

    let out = run(cli_on_token(token, &data)
        .args(["pdf", "augment"])
        .arg(&sealed)
        .arg("--json"));
    assert!(
        out.status.success(),
        "pdf augment succeeds: {}",
        stderr(&out)
    );
    let out = verify(&sealed);
    assert!(out.status.success(), "verify B-LTA: {}", stderr(&out));
    let reports = stdout_json(&out);
    assert_eq!(
        reports[0]["signatures"][0]["level"], "PAdES B-LTA",
        "augmented in place to B-LTA: {reports}"
    );
    let checks = reports[0]["checks"].as_array().expect("checks");
    let revocation = checks
        .iter()
        .find(|c| c["check"] == "revocation")
        .expect("a revocation check");
    assert_eq!(
        revocation["status"], "ok",
        "revocation from the DSS: {revocation}"
    );

    let mut bytes = std::fs::read(&sealed).expect("read");
    let at = bytes
        .windows(6)
        .position(|w| w == b"/Count")
        .expect("the page tree is in the file");
    bytes[at + 1] = b'K';
    std::fs::write(&sealed, &bytes).expect("write");
    let out = verify(&sealed);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a changed byte: not intact (exit 1): {}",
        stderr(&out)
    );
}
