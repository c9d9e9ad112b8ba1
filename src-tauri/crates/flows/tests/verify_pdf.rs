//! `verify` dispatches PDFs (by `%PDF-`) to the PAdES verifier: a PDF sealed on the harness
//! token reports an intact, trusted seal; a changed byte reports it broken.

use sealdesk_flows::{verify, CheckStatus, TrustAnchors};
use sealdesk_tests::TestToken;
use sealdesk_token::{OpenOptions, SealDevice, SecretString, TokenSelector};
use time::OffsetDateTime;

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
fn a_sealed_pdf_is_verified_as_pades_and_a_changed_byte_breaks_it() {
    let token = TestToken::shared();
    let now = OffsetDateTime::now_utc();
    let signer = SealDevice::open(
        &token.module,
        &TokenSelector::Label(token.label.clone()),
        Some("01"),
        SecretString::from(token.pin.clone()),
        now,
        OpenOptions::default(),
    )
    .expect("the harness token opens");
    let sealed = sealdesk_pades::seal_pdf(&tiny_pdf(), &signer, &Default::default(), now)
        .expect("the PDF seals");
    drop(signer);
    let ca = token.ca_cert_der();
    let trust = TrustAnchors::from_der_certificates([ca.as_slice()]).expect("CA loads");

    let report = verify(&sealed, "sealed.pdf", &trust, now).expect("a PDF verifies");
    assert!(
        report.sealed && report.intact,
        "sealed and intact: {report:?}"
    );
    assert!(report.credential.is_none(), "a PDF is not a credential");
    let status = |name: &str| {
        report
            .checks
            .iter()
            .find(|c| c.check == name)
            .map(|c| c.status)
    };
    assert_eq!(status("seal"), Some(CheckStatus::Ok), "seal ok: {report:?}");
    assert_eq!(
        status("trust"),
        Some(CheckStatus::Ok),
        "trusted: {report:?}"
    );
    assert_eq!(
        report.signatures[0].level, "PAdES B-B",
        "level named with its format"
    );

    let mut changed = sealed.clone();
    let at = changed
        .windows(6)
        .position(|w| w == b"/Count")
        .expect("the page tree is in the file");
    changed[at + 7] = b'2';
    let report = verify(&changed, "changed.pdf", &trust, now).expect("still a PDF");
    assert!(
        !report.intact,
        "one changed byte breaks the seal: {report:?}"
    );
    assert_eq!(
        status("seal"),
        Some(CheckStatus::Ok),
        "the first report is unchanged"
    );
    let broken = report
        .checks
        .iter()
        .find(|c| c.check == "seal")
        .map(|c| c.status);
    assert_eq!(
        broken,
        Some(CheckStatus::Error),
        "seal check fails: {report:?}"
    );

    let garbage = verify(b"%PDF-1.7\ngarbage", "bad.pdf", &trust, now);
    assert!(
        garbage.is_err(),
        "an unreadable PDF is an error, not a verdict"
    );
}
