//! Mandated issue: a credential built from the generic sample template with a mandate passes the
//! official issued-by-mandate shapes (EDC-issuedByMandate.ttl, and generic-full through the
//! credential's `credentialSchema`), and the same credential without its evidence fails them —
//! both in pySHACL and in our rules.

use std::path::PathBuf;
use std::process::Command;

use sealdesk_elm::mandate::{MandatingBody, Text, MANDATE_PROFILE};
use sealdesk_elm::{
    build, prepare_for_sealing, Credential, IssuerIdentity, Mandate, MandateDocument, Recipient,
    Template,
};
use serde_json::Value;
use time::macros::datetime;
use uuid::Uuid;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../..")
}

fn shared(rel: &str) -> PathBuf {
    repo_root().join("../shared").join(rel)
}

fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("SEALDESK_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = repo_root().join(".venv/bin/python");
    assert!(
        venv.exists(),
        "the SHACL judge needs the Python venv: run `make deps-py` (or set SEALDESK_PYTHON)"
    );
    venv
}

/// A small but well-formed one-page PDF (what a scanned mandate is, minus the scan).
fn mandate_pdf() -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        "<< /Length 58 >>\nstream\nBT /F1 18 Tf 72 770 Td (Mandate to seal credentials) Tj ET\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        pdf.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

fn mandate() -> Mandate {
    let doc = MandateDocument::new("mandate.pdf", mandate_pdf(), Some("application/pdf"))
        .expect("the PDF is accepted");
    Mandate::new(
        MandatingBody {
            legal_name: Text::One("Académie royale de Test".into()),
            alt_label: Some(Text::One("ART".into())),
            legal_identifier: "BE0123456789".into(),
            country: "BE".into(),
            homepage: Some("https://art.example".into()),
            email: Some("registrar@art.example".into()),
            statement: None,
        },
        Some(doc),
    )
    .expect("mandate is valid")
}

fn mandated_credential() -> Value {
    let name = "generic-sample.json";
    let mut template = Template::from_json(
        &std::fs::read(repo_root().join("assets/templates").join(name)).expect("template"),
        name,
    )
    .expect("template parses")
    .credential()
    .clone();
    mandate().apply(&mut template).expect("mandate applies");
    // Applying twice changes nothing (a resumed batch applies it again).
    let once = template.clone();
    mandate()
        .apply(&mut template)
        .expect("mandate applies again");
    assert_eq!(template, once, "apply is idempotent");
    let template = Template::from_json(
        &serde_json::to_vec(template.as_value()).expect("json"),
        "mandated template",
    )
    .expect("mandated template parses");
    let r: Recipient = serde_json::from_slice(
        &std::fs::read(repo_root().join("assets/templates/sample-recipient.json")).expect("r"),
    )
    .expect("recipient");
    let mut c = build(&template, &r, Uuid::nil(), datetime!(2025-01-15 00:00 UTC)).expect("builds");
    let id = IssuerIdentity {
        legal_name: "Université de Test".into(),
        organization_identifier: "VATFR-12345678901".into(),
        country_alpha2: "FR".into(),
        common_name: "Université de Test eSeal".into(),
    };
    prepare_for_sealing(&mut c, &id, datetime!(2025-02-01 09:30 UTC)).expect("prepares");
    c.into_value()
}

fn check(files: &[PathBuf], shapes: Option<PathBuf>) -> String {
    let mut cmd = Command::new(python());
    cmd.arg(shared("tools/edc-shacl-check.py")).args(files);
    if let Some(s) = shapes {
        cmd.arg("--shapes").arg(s);
    }
    let out = cmd.output().expect("python runs the SHACL checker");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "the checker ran: {stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn verdict<'a>(stdout: &'a str, path: &std::path::Path) -> &'a str {
    let p = path.display().to_string();
    stdout
        .lines()
        .find(|l| l.ends_with(&p) || l.contains(&format!("{p}  [")))
        .unwrap_or_else(|| panic!("a verdict line for {p}: {stdout}"))
}

#[test]
fn mandated_credential_passes_the_mandate_shapes_and_one_without_evidence_fails() {
    let good = mandated_credential();
    // What the mandate wrote.
    let claim = good.pointer("/credentialSubject/hasClaim").expect("claim");
    let claim = claim.as_array().and_then(|a| a.first()).unwrap_or(claim);
    assert_eq!(
        claim.pointer("/awardedBy/awardingBody/legalName/en"),
        Some(&Value::from("Académie royale de Test")),
        "the awarding body is the mandating body"
    );
    assert_eq!(
        good.pointer("/issuer/legalName/en"),
        Some(&Value::from("Université de Test")),
        "the issuer stays the sealing institution"
    );
    let ev = &good["evidence"][0];
    assert_eq!(
        ev.pointer("/dcType/id"),
        Some(&Value::from(
            "http://data.europa.eu/snb/evidence-type/c_18016257"
        )),
        "Mandate evidence type"
    );
    assert_eq!(
        ev.pointer("/embeddedEvidence/contentType/id"),
        Some(&Value::from(
            "http://publications.europa.eu/resource/authority/file-type/PDF"
        )),
        "the PDF is embedded"
    );
    assert!(
        good["credentialSchema"]
            .as_array()
            .is_some_and(|a| a.iter().any(|s| s["id"] == MANDATE_PROFILE)),
        "the mandate profile is declared"
    );
    let findings = Credential::from_value(good.clone(), "good")
        .expect("credential")
        .check_format();
    assert!(findings.is_empty(), "our rules accept it: {findings:?}");

    let mut bad = good.clone();
    bad.as_object_mut().expect("object").remove("evidence");
    let findings = Credential::from_value(bad.clone(), "bad")
        .expect("credential")
        .check_format();
    assert!(
        findings.iter().any(|f| f.pointer == "/evidence"),
        "our rules miss the evidence: {findings:?}"
    );
    let mut no_statement = good.clone();
    no_statement["evidence"][0]
        .as_object_mut()
        .expect("evidence")
        .remove("evidenceStatement");

    let dir = tempfile::tempdir().expect("tempdir");
    let files: Vec<PathBuf> = [
        ("mandated", &good),
        ("no-evidence", &bad),
        ("no-statement", &no_statement),
    ]
    .iter()
    .map(|(name, v)| {
        let p = dir.path().join(format!("{name}.json"));
        std::fs::write(&p, serde_json::to_vec_pretty(v).expect("json")).expect("write");
        p
    })
    .collect();

    // Shapes from credentialSchema: generic-full (+ no-cv) and the mandate profile.
    let out = check(&files, None);
    let line = verdict(&out, &files[0]);
    assert!(
        line.starts_with("CONFORMS") && line.contains("EDC-issuedByMandate.ttl"),
        "the mandated credential conforms to the mandate shapes: {out}"
    );
    assert!(
        !verdict(&out, &files[1]).starts_with("CONFORMS"),
        "without evidence it must fail: {out}"
    );
    assert!(
        !verdict(&out, &files[2]).starts_with("CONFORMS"),
        "without a statement it must fail: {out}"
    );
    // The mandate shapes file alone, named explicitly.
    let ttl = shared("reference/elm-v3/shacl/edc/EDC-issuedByMandate.ttl");
    let out = check(&files[..2], Some(ttl));
    assert!(
        verdict(&out, &files[0]).starts_with("CONFORMS"),
        "conforms to EDC-issuedByMandate.ttl alone: {out}"
    );
    assert!(
        !verdict(&out, &files[1]).starts_with("CONFORMS"),
        "EDC-issuedByMandate.ttl alone fails it without evidence: {out}"
    );
}

#[test]
fn a_credential_without_awarding_process_cannot_be_mandated() {
    let mut c = Credential::from_value(
        serde_json::json!({
            "id": "urn:credential:1",
            "type": ["VerifiableCredential", "EuropeanDigitalCredential"],
            "credentialSubject": {"id": "urn:epass:person:1", "type": "Person"}
        }),
        "bare",
    )
    .expect("credential");
    let err = mandate().apply(&mut c).expect_err("nothing to award");
    assert!(
        err.to_string().contains("awarding process"),
        "the error says what is missing: {err}"
    );
}
