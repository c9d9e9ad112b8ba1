//! PAdES end to end: a real multi-object PDF (made with lopdf), sealed with keys on a real
//! SoftHSM2 token, checked by our verifier and by two independent judges: pyHanko
//! (tests/judges/pades_check.py, with the harness CA as trust root) and poppler's `pdfsig`.

mod common;

use std::path::Path;

use lopdf::{dictionary, Document, Object, Stream};
use sealdesk_pades::{seal_pdf, verify_pdf, PdfSealOptions, PdfSignatureKind};
use sealdesk_seal::verify::{BaselineLevel, Status};
use sealdesk_seal::{SignatureAlgorithm, TrustAnchors};
use sealdesk_tests::TestToken;
use sealdesk_token::SecretString;
use sealdesk_token::{OpenOptions, SealDevice, TokenSelector, TokenSigner};
use serde_json::Value;
use time::OffsetDateTime;

use common::pdfsig;

/// One login per token per process: tests that open the token take turns.
static TOKEN: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A two-page PDF with a font, content streams and an Info dictionary.
fn sample_pdf() -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let resources_id = doc.add_object(dictionary! {
        "Font" => dictionary! { "F1" => font_id },
    });
    let mut kids = Vec::new();
    for (i, text) in ["Diploma supplement (TEST)", "Page two"].iter().enumerate() {
        let content = format!(
            "BT /F1 18 Tf 72 720 Td ({text}) Tj ET\nBT /F1 10 Tf 72 700 Td (page {}) Tj ET",
            i + 1
        );
        let content_id = doc.add_object(Stream::new(dictionary! {}, content.into_bytes()));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => content_id,
            "Resources" => resources_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        });
        kids.push(Object::Reference(page_id));
    }
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Count" => 2, "Kids" => kids }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    let info_id = doc.add_object(dictionary! {
        "Title" => Object::string_literal("Sealdesk PAdES test"),
    });
    doc.trailer.set("Root", catalog_id);
    doc.trailer.set("Info", info_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("lopdf writes the sample PDF");
    out
}

fn open(token: &TestToken, key: &str, algorithm: Option<SignatureAlgorithm>) -> TokenSigner {
    SealDevice::open(
        &token.module,
        &TokenSelector::Label(token.label.clone()),
        Some(key),
        SecretString::from(token.pin.clone()),
        OffsetDateTime::now_utc(),
        OpenOptions {
            algorithm,
            accept_non_seal: true,
            ..OpenOptions::default()
        },
    )
    .expect("the harness token opens")
}

fn anchors(token: &TestToken) -> TrustAnchors {
    let ca = token.ca_cert_der();
    TrustAnchors::from_der_certificates([ca.as_slice()]).expect("the harness CA loads")
}

/// pyHanko's verdict on every signature of `pdf` (the harness CA as the only trust root).
fn pyhanko(pdf: &Path, ca_pem: &Path) -> Value {
    common::pyhanko(pdf, &[ca_pem.as_os_str()])
}

fn seal_and_check(
    token: &TestToken,
    key: &str,
    algorithm: Option<SignatureAlgorithm>,
    visible: bool,
) {
    let signer = open(token, key, algorithm);
    let original = sample_pdf();
    let at = OffsetDateTime::now_utc();
    let options = PdfSealOptions {
        visible,
        ..PdfSealOptions::default()
    };
    let sealed = seal_pdf(&original, &signer, &options, at).expect("the PDF seals");
    drop(signer);
    assert!(
        sealed.starts_with(&original),
        "{key}: an incremental update keeps the original bytes"
    );

    let verdict = verify_pdf(&sealed, &anchors(token), at).expect("the sealed PDF reads");
    assert_eq!(verdict.signatures.len(), 1, "{key}: one signature found");
    let s = &verdict.signatures[0];
    assert_eq!(
        s.kind,
        PdfSignatureKind::Pades,
        "{key}: ETSI.CAdES.detached"
    );
    assert_eq!(
        s.integrity.status,
        Status::Ok,
        "{key}: intact: {}",
        s.integrity.message
    );
    assert!(
        s.covers_whole_file,
        "{key}: covers the whole file: {}",
        s.coverage.message
    );
    assert_eq!(
        s.trust.status,
        Status::Ok,
        "{key}: trusted: {}",
        s.trust.message
    );
    assert_eq!(s.level, BaselineLevel::BB, "{key}: B-B");
    assert_eq!(
        s.claimed_signing_time.map(|t| t.unix_timestamp()),
        Some(at.unix_timestamp()),
        "{key}: /M carries the signing time"
    );

    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("sealed.pdf");
    std::fs::write(&path, &sealed).expect("write sealed.pdf");
    let judge = pyhanko(&path, &token.ca_pem);
    let first = &judge["signatures"][0];
    assert_eq!(
        judge["error"],
        Value::Null,
        "{key}: pyHanko reads the file: {judge}"
    );
    assert_eq!(first["intact"], true, "{key}: pyHanko: intact: {judge}");
    assert_eq!(first["valid"], true, "{key}: pyHanko: valid: {judge}");
    assert_eq!(
        first["trusted"], true,
        "{key}: pyHanko: trusted with the harness CA: {judge}"
    );
    assert_eq!(
        first["coverage"], "ENTIRE_FILE",
        "{key}: pyHanko: the signature covers the entire file: {judge}"
    );
    let report = pdfsig(&path);
    assert!(
        report.contains("Signature is Valid"),
        "{key}: pdfsig says the signature is valid: {report}"
    );
    assert!(
        report.contains("ETSI.CAdES.detached"),
        "{key}: pdfsig sees a PAdES signature: {report}"
    );

    // One byte changed inside the signed range (in the original page content): all three refuse.
    let at_text = sealed
        .windows(8)
        .position(|w| w == b"Page two")
        .expect("the page text is in the file");
    let mut tampered = sealed.clone();
    tampered[at_text] = b'X';
    let verdict = verify_pdf(&tampered, &anchors(token), at).expect("the tampered PDF reads");
    assert_eq!(
        verdict.signatures[0].integrity.status,
        Status::Error,
        "{key}: ours refuses a one-byte change"
    );
    let bad = dir.path().join("tampered.pdf");
    std::fs::write(&bad, &tampered).expect("write tampered.pdf");
    let judge = pyhanko(&bad, &token.ca_pem);
    assert_eq!(
        judge["signatures"][0]["intact"], false,
        "{key}: pyHanko refuses a one-byte change: {judge}"
    );
    let report = pdfsig(&bad);
    assert!(
        !report.contains("Signature is Valid") && report.contains("Signature Validation"),
        "{key}: pdfsig refuses a one-byte change: {report}"
    );
}

#[test]
fn rsa_pkcs1_seal_with_visible_block_passes_ours_pyhanko_and_pdfsig() {
    let _turn = TOKEN.lock().unwrap_or_else(|e| e.into_inner());
    seal_and_check(TestToken::shared(), "01", None, true);
}

#[test]
fn rsa_pss_invisible_seal_passes_ours_pyhanko_and_pdfsig() {
    let _turn = TOKEN.lock().unwrap_or_else(|e| e.into_inner());
    seal_and_check(
        TestToken::shared(),
        "01",
        Some(SignatureAlgorithm::PS256),
        false,
    );
}

#[test]
fn ecdsa_p384_seal_passes_ours_pyhanko_and_pdfsig() {
    let _turn = TOKEN.lock().unwrap_or_else(|e| e.into_inner());
    seal_and_check(TestToken::shared(), "05", None, true);
}

#[test]
fn a_second_seal_leaves_the_first_intact_and_marks_it_as_covering_an_earlier_revision() {
    let _turn = TOKEN.lock().unwrap_or_else(|e| e.into_inner());
    let token = TestToken::shared();
    let signer = open(token, "01", None);
    let at = OffsetDateTime::now_utc();
    let once =
        seal_pdf(&sample_pdf(), &signer, &PdfSealOptions::default(), at).expect("first seal");
    let twice = seal_pdf(&once, &signer, &PdfSealOptions::default(), at).expect("second seal");
    drop(signer);
    let verdict = verify_pdf(&twice, &anchors(token), at).expect("reads");
    assert_eq!(verdict.signatures.len(), 2, "two signatures");
    assert!(verdict.intact(), "both intact: {:?}", verdict.signatures);
    assert!(
        !verdict.signatures[0].covers_whole_file && verdict.signatures[1].covers_whole_file,
        "the first covers its revision, the second the whole file"
    );
    assert_eq!(
        verdict.signatures[0].coverage.status,
        Status::Warning,
        "appended bytes are reported"
    );
}

#[test]
fn unsigned_and_broken_inputs_are_verdicts_or_errors_never_panics() {
    let verdict = verify_pdf(
        &sample_pdf(),
        &TrustAnchors::empty(),
        OffsetDateTime::now_utc(),
    )
    .expect("an unsigned PDF reads");
    assert!(
        verdict.signatures.is_empty() && !verdict.intact(),
        "no signature, not intact"
    );
    let err = verify_pdf(
        b"%PDF-1.7\nnot really",
        &TrustAnchors::empty(),
        OffsetDateTime::now_utc(),
    );
    assert!(err.is_err(), "a truncated PDF is an error");
}
