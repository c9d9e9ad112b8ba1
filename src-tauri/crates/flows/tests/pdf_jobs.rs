//! A PDF sealed offline on the harness token (B-B) is queued for augmentation; with the local
//! TSA/OCSP/CRL services down its job waits, once they are up the file becomes PAdES B-LTA (its
//! sealed bytes kept as the file's prefix) and an archive renewal is scheduled. The report of
//! `verify` names the level and checks every document timestamp.

use sealdesk_flows::augment::{self, AugmentServices};
use sealdesk_flows::{
    seal_pdf_file, verify, Catalogue, CheckStatus, DeviceSelector, SealConsent, TrustAnchors,
};
use sealdesk_tests::services::{dead_port, ServicesPki};
use sealdesk_tests::TestToken;
use secrecy::SecretString;
use time::{Duration, OffsetDateTime};

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
fn a_pdf_sealed_offline_reaches_b_lta_through_the_outbox_job() {
    let token = TestToken::shared();
    let pki = ServicesPki::create(&token.dir);
    let dir = tempfile::tempdir().expect("tempdir");
    let catalogue = Catalogue::open(&dir.path().join("c.sqlite")).expect("catalogue");
    let now = OffsetDateTime::now_utc();
    let input = dir.path().join("transcript.pdf");
    std::fs::write(&input, tiny_pdf()).expect("write input");
    let output = dir.path().join("transcript-sealed.pdf");
    let sel = DeviceSelector {
        module: Some(token.module.clone()),
        token_label: Some(token.label.clone()),
        key_id: None,
    };
    let sealed = seal_pdf_file(
        &catalogue,
        &sel,
        SecretString::from(token.pin.clone()),
        SealConsent::default(),
        &input,
        &output,
        true,
        now,
    )
    .expect("the PDF seals");
    assert_eq!(sealed.level, "B-B", "no TSA configured: B-B");
    assert!(
        sealed.report.intact,
        "our check: intact: {:?}",
        sealed.report
    );
    let b_b = std::fs::read(&output).expect("sealed file written");
    let jobs = augment::list(&catalogue).expect("list");
    assert!(
        jobs.len() == 1 && jobs[0].kind == augment::AUGMENT_PDF && jobs[0].id == sealed.job,
        "sealing queues the PDF's augmentation: {jobs:?}"
    );
    assert_eq!(
        jobs[0].subject, sealed.output,
        "the job names the sealed file"
    );

    // Services down: the job waits, the file is untouched.
    let port = dead_port();
    let down = AugmentServices {
        tsa_url: format!("http://127.0.0.1:{port}/tsa"),
        ocsp_url: Some(format!("http://127.0.0.1:{port}/ocsp")),
        crl_urls: Vec::new(),
        extra_certs: Vec::new(),
        timeout: std::time::Duration::from_secs(5),
    };
    let report = augment::run_due(&catalogue, &down, now).expect("offline is not an error");
    assert_eq!(
        (report.attempted, report.retrying, report.done),
        (1, 1, 0),
        "one attempt, kept for later: {report:?}"
    );
    assert_eq!(
        std::fs::read(&output).expect("read"),
        b_b,
        "the file is untouched while the services are down"
    );

    // Services up: an hour later the job is due and the file reaches B-LTA.
    let live = pki.start();
    let up = AugmentServices {
        tsa_url: live.tsa_url(),
        ocsp_url: Some(live.ocsp_url()),
        crl_urls: vec![live.tsa_crl_url(), live.seal_crl_url()],
        extra_certs: Vec::new(),
        timeout: std::time::Duration::from_secs(20),
    };
    let later = now + Duration::hours(1);
    let report = augment::run_due(&catalogue, &up, later).expect("run");
    assert_eq!(
        (report.attempted, report.done),
        (1, 1),
        "done once up: {report:?}"
    );
    let b_lta = std::fs::read(&output).expect("read");
    assert!(
        b_lta.len() > b_b.len() && b_lta.starts_with(&b_b),
        "the sealed bytes are the prefix of the augmented file"
    );
    let anchors = TrustAnchors::from_der_certificates([
        &token.ca_cert_der()[..],
        &pki.read("tsa-ca.der")[..],
    ])
    .expect("anchors");
    let verdict = verify(&b_lta, "transcript-sealed.pdf", &anchors, later).expect("verify");
    assert_eq!(
        verdict.signatures[0].level, "PAdES B-LTA",
        "the report names the level: {verdict:?}"
    );
    for name in [
        "seal",
        "trust",
        "timestamp",
        "revocation",
        "document timestamp #1",
        "document timestamp #2",
    ] {
        let c = verdict
            .checks
            .iter()
            .find(|c| c.check == name)
            .unwrap_or_else(|| panic!("check {name} reported: {verdict:?}"));
        assert_eq!(c.status, CheckStatus::Ok, "{name}: {}", c.message);
    }

    // A renewal of the archive timestamp is scheduled before the TSA certificate expires.
    let jobs = augment::list(&catalogue).expect("list");
    let renewal = jobs
        .iter()
        .find(|j| j.kind == augment::RENEW_PDF_ARCHIVE)
        .expect("renewal queued");
    assert_eq!(renewal.state, "queued", "renewal waits: {renewal:?}");
    assert!(
        renewal.next_attempt_at
            > later
                .format(&time::format_description::well_known::Rfc3339)
                .expect("fmt"),
        "renewal is in the future: {renewal:?}"
    );
}
