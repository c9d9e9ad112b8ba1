//! Mandated issue end to end on the harness token: `batch issue --mandate-org ORG.json
//! --mandate-doc mandate.png` seals credentials that name the mandating body as awarding body,
//! carry the Mandate evidence with the document embedded, verify, and pass the official
//! issued-by-mandate shapes; the batch keeps its mandate (status, resume); a document that is
//! not PDF/PNG/JPEG is refused before any PIN.

mod common;

use std::path::Path;

use base64::Engine as _;
use common::{cli_on_token, numbered_learners, python, run, stderr, stdout_json};
use sealdesk_tests::{repo_root, shared_dir, TestToken};

/// A real PNG made by ImageMagick (the "scanned" signed mandate).
fn mandate_png(path: &Path) {
    let status = std::process::Command::new("convert")
        .args(["-size", "120x60", "xc:white", "-fill", "black"])
        .args(["-draw", "rectangle 10,10 110,50"])
        .arg(path)
        .status()
        .expect("ImageMagick convert runs");
    assert!(status.success(), "convert made the PNG");
}

const ORG: &str = r#"{
  "legalName": {"en": "Academy of Mandated Learning", "fr": "Académie de l'apprentissage mandaté"},
  "legalIdentifier": "BE0123456789",
  "country": "BE",
  "homepage": "https://academy.example",
  "email": "registrar@academy.example"
}"#;

#[test]
fn mandated_batch_seals_verifies_and_passes_the_mandate_shapes() {
    let token = &TestToken::create();
    let dir = tempfile::tempdir().expect("tempdir");
    let sheet = dir.path().join("learners.xlsx");
    numbered_learners(&sheet, 3, "Mandated Learner", "mandated", "1999-05-04");
    let org = dir.path().join("org.json");
    std::fs::write(&org, ORG).expect("org");
    let png = dir.path().join("mandate.png");
    mandate_png(&png);
    let out = dir.path().join("out");
    let data = dir.path().join("data");
    let template = repo_root().join("assets/templates/generic-sample.json");

    let issue = |extra: &[&std::ffi::OsStr]| {
        let mut cmd = cli_on_token(token, &data);
        cmd.env("SEALDESK_PIN", &token.pin)
            .args(["batch", "issue", "--template"])
            .arg(&template)
            .arg("--recipients")
            .arg(&sheet)
            .arg("--out")
            .arg(&out)
            .arg("--json")
            .args(extra);
        run(&mut cmd)
    };
    let flags = [
        org.as_os_str(),
        png.as_os_str(),
        std::ffi::OsStr::new("--mandate-org"),
        std::ffi::OsStr::new("--mandate-doc"),
    ];
    let (org_arg, png_arg, org_flag, doc_flag) = (flags[0], flags[1], flags[2], flags[3]);

    // A document that is not PDF/PNG/JPEG is refused with its name, before any PIN is used.
    let not_a_scan = dir.path().join("mandate.docx");
    std::fs::write(&not_a_scan, b"PK\x03\x04 not a scan").expect("docx");
    let refused = issue(&[org_flag, org_arg, doc_flag, not_a_scan.as_os_str()]);
    assert!(!refused.status.success(), "a .docx mandate is refused");
    assert!(
        stderr(&refused).contains("mandate.docx") && stderr(&refused).contains("PDF, PNG or JPEG"),
        "the message names the file and the allowed types: {}",
        stderr(&refused)
    );
    assert!(!out.exists(), "nothing sealed");

    let output = issue(&[org_flag, org_arg, doc_flag, png_arg]);
    assert!(output.status.success(), "batch issue: {}", stderr(&output));
    assert!(
        stderr(&output).contains("on behalf of Academy of Mandated Learning"),
        "stderr names the mandating body: {}",
        stderr(&output)
    );
    let summary = stdout_json(&output);
    assert_eq!(summary["sealedThisRun"], 3, "all rows sealed: {summary}");
    let batch_id = summary["batch"]["id"].as_str().expect("id").to_owned();

    let mut files: Vec<_> = std::fs::read_dir(&out)
        .expect("out")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 3, "one file per learner");
    let png_bytes = std::fs::read(&png).expect("png");
    for f in &files {
        let sealed: serde_json::Value =
            serde_json::from_slice(&std::fs::read(f).expect("file")).expect("jades json");
        let payload: serde_json::Value =
            serde_json::from_str(sealed["payload"].as_str().expect("payload")).expect("payload");
        let claim = &payload["credentialSubject"]["hasClaim"];
        let claim = claim.as_array().and_then(|a| a.first()).unwrap_or(claim);
        assert_eq!(
            claim["awardedBy"]["awardingBody"]["legalName"]["en"],
            "Academy of Mandated Learning",
            "awarding body = mandating body in {}",
            f.display()
        );
        assert_ne!(
            payload["issuer"]["legalName"], claim["awardedBy"]["awardingBody"]["legalName"],
            "the issuer is the sealing institution, not the mandating body"
        );
        let doc = payload["evidence"][0]["embeddedEvidence"]["content"]
            .as_str()
            .expect("embedded document");
        assert_eq!(
            base64::engine::general_purpose::STANDARD
                .decode(doc)
                .expect("base64"),
            png_bytes,
            "the mandate document is embedded byte for byte"
        );
    }

    // Our verifier on every file.
    let mut verify = cli_on_token(token, &data);
    verify.arg("verify").args(&files);
    let verified = run(&mut verify);
    assert!(
        verified.status.success(),
        "every output verifies: {}",
        stderr(&verified)
    );
    // The official checker, shapes from the payload's credentialSchema (mandate + generic).
    let shacl = std::process::Command::new(python())
        .arg(shared_dir().join("tools/edc-shacl-check.py"))
        .arg(&files[0])
        .output()
        .expect("python runs the SHACL checker");
    let shacl_out = String::from_utf8_lossy(&shacl.stdout);
    assert!(
        shacl.status.success() && shacl_out.contains("EDC-issuedByMandate.ttl"),
        "the sealed credential passes the issued-by-mandate shapes: {shacl_out}{}",
        String::from_utf8_lossy(&shacl.stderr)
    );

    // The batch keeps its mandate: status shows it, the same command resumes (nothing left).
    let mut status = cli_on_token(token, &data);
    let status = run(status.args(["batch", "status", &batch_id]));
    assert!(
        String::from_utf8_lossy(&status.stdout)
            .contains("on behalf of Academy of Mandated Learning"),
        "status names the mandate: {}",
        String::from_utf8_lossy(&status.stdout)
    );
    let again = issue(&[org_flag, org_arg, doc_flag, png_arg]);
    assert!(again.status.success(), "rerun: {}", stderr(&again));
    let again = stdout_json(&again);
    assert_eq!(
        again["batch"]["id"],
        batch_id.as_str(),
        "same batch resumed"
    );
    assert_eq!(again["sealedThisRun"], 0, "nothing sealed twice");
    // Without the mandate, the same sheet is another batch, and the register flags every
    // learner as already holding this credential.
    let plain = issue(&[]);
    assert!(
        !plain.status.success() && stderr(&plain).contains("already has this credential"),
        "the unmandated batch sees the duplicates: {}",
        stderr(&plain)
    );
}
