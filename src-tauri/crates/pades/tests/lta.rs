//! PAdES B-T, B-LT and B-LTA against the local trust services of the harness (an `openssl ts`
//! TSA, an `openssl ocsp` responder and CRLs on 127.0.0.1): a PDF sealed with key 01 of a real
//! SoftHSM2 token, timestamped at sealing, then augmented with a DSS and document timestamps.
//! Checked by our verifier, by pyHanko (tests/judges/pades_check.py, `--ltv`: PAdES-LTA
//! validation with the DSS only) and by poppler's `pdfsig`.

mod common;

use std::path::{Path, PathBuf};

use lopdf::{dictionary, Document, Object, Stream};
use sealdesk_pades::{
    augment_pdf, renew_pdf_archive, seal_pdf_with, verify_pdf, PadesError, PdfSealOptions,
    PdfVerdict,
};
use sealdesk_seal::augment::Services;
use sealdesk_seal::net::Http;
use sealdesk_seal::verify::{BaselineLevel, Status};
use sealdesk_seal::TrustAnchors;
use sealdesk_tests::services::{dead_port, ServicesPki, TestServices};
use sealdesk_tests::TestToken;
use sealdesk_token::{OpenOptions, SealDevice, SecretString, TokenSelector, TokenSigner};
use serde_json::Value;
use time::OffsetDateTime;

use common::pdfsig;

/// One login per token per process: tests that open the token take turns.
static TOKEN: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn sample_pdf() -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let content = b"BT /F1 18 Tf 72 720 Td (Transcript of records TEST) Tj ET".to_vec();
    let content_id = doc.add_object(Stream::new(dictionary! {}, content));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "Contents" => content_id,
        "Resources" => dictionary! { "Font" => dictionary! { "F1" => font_id } },
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Count" => 1, "Kids" => vec![Object::Reference(page_id)],
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("lopdf writes the sample PDF");
    out
}

fn open(token: &TestToken) -> TokenSigner {
    SealDevice::open(
        &token.module,
        &TokenSelector::Label(token.label.clone()),
        Some("01"),
        SecretString::from(token.pin.clone()),
        OffsetDateTime::now_utc(),
        OpenOptions::default(),
    )
    .expect("the harness token opens")
}

struct Fixture {
    token: &'static TestToken,
    pki: ServicesPki,
    dir: tempfile::TempDir,
}

fn fixture() -> Fixture {
    let token = TestToken::shared();
    Fixture {
        token,
        pki: ServicesPki::create(&token.dir),
        dir: tempfile::tempdir().expect("temp dir"),
    }
}

fn services<'a>(http: &'a Http, live: &TestServices) -> Services<'a> {
    Services {
        fetch: http,
        tsa_url: live.tsa_url(),
        ocsp_url: Some(live.ocsp_url()),
        crl_urls: vec![live.tsa_crl_url(), live.seal_crl_url()],
        extra_certs: Vec::new(),
    }
}

fn anchors(f: &Fixture) -> TrustAnchors {
    let seal_ca = f.token.ca_cert_der();
    let tsa_ca = f.pki.read("tsa-ca.der");
    TrustAnchors::from_der_certificates([&seal_ca[..], &tsa_ca[..]]).expect("anchors")
}

/// pyHanko's verdict, with the harness seal CA and the test TSA CA as trust roots.
fn pyhanko(f: &Fixture, pdf: &Path) -> Value {
    let tsa_ca = f.pki.dir.join("tsa-ca.pem");
    common::pyhanko(
        pdf,
        &[
            f.token.ca_pem.as_os_str(),
            tsa_ca.as_os_str(),
            "--ltv".as_ref(),
        ],
    )
}

fn write(f: &Fixture, name: &str, bytes: &[u8]) -> PathBuf {
    let path = f.dir.path().join(name);
    std::fs::write(&path, bytes).expect("write the PDF");
    path
}

fn assert_all_timestamps_hold(verdict: &PdfVerdict, what: &str) {
    for ts in &verdict.document_timestamps {
        assert_eq!(
            ts.integrity.status,
            Status::Ok,
            "{what}: document timestamp #{} intact: {}",
            ts.index,
            ts.integrity.message
        );
        assert_eq!(
            ts.trust.status,
            Status::Ok,
            "{what}: document timestamp #{} trusted: {}",
            ts.index,
            ts.trust.message
        );
    }
}

/// pdfsig's judgement: how many signatures it calls valid, and how many document timestamps
/// it lists. poppler (22.x) verifies CMS seals but reports `/ETSI.RFC3161` document timestamps
/// as "Unable to validate this type of signature"; those are judged by pyHanko.
fn pdfsig_counts(report: &str) -> (usize, usize) {
    (
        report.matches("Signature is Valid").count(),
        report.matches("Signature Field Name: DocTimeStamp").count(),
    )
}

fn assert_pdfsig_accepts(report: &str, timestamps: usize, what: &str) {
    assert_eq!(
        pdfsig_counts(report),
        (1, timestamps),
        "{what}: pdfsig: the seal is valid and the {timestamps} document timestamps are read: {report}"
    );
    for bad in ["Invalid", "Mismatch", "Error"] {
        assert!(
            !report.contains(bad),
            "{what}: pdfsig reports no '{bad}': {report}"
        );
    }
}

#[test]
fn sealed_online_is_b_t_and_augmented_reaches_b_lta_for_ours_pyhanko_and_pdfsig() {
    let _turn = TOKEN.lock().unwrap_or_else(|e| e.into_inner());
    let f = fixture();
    let live = f.pki.start();
    let http = Http::default();
    let now = OffsetDateTime::now_utc();
    let original = sample_pdf();

    // B-T at sealing: the signature timestamp comes from the local TSA.
    let signer = open(f.token);
    let sealed = seal_pdf_with(
        &original,
        &signer,
        &PdfSealOptions::default(),
        Some(&services(&http, &live)),
        now,
    )
    .expect("the PDF seals");
    drop(signer);
    assert_eq!(sealed.timestamp_error, None, "the TSA answered at sealing");
    assert_eq!(sealed.level, BaselineLevel::BT, "sealed online: B-T");
    let verdict = verify_pdf(&sealed.pdf, &anchors(&f), now).expect("reads");
    let s = &verdict.signatures[0];
    assert_eq!(s.level, BaselineLevel::BT, "ours: B-T");
    assert_eq!(
        s.timestamps.status,
        Status::Ok,
        "ours: the signature timestamp holds: {}",
        s.timestamps.message
    );
    let bt_path = write(&f, "b-t.pdf", &sealed.pdf);
    let judge = pyhanko(&f, &bt_path);
    assert_eq!(judge["error"], Value::Null, "pyHanko reads B-T: {judge}");
    let first = &judge["signatures"][0];
    assert_eq!(
        first["bottom_line"], true,
        "pyHanko: B-T seal valid and trusted: {judge}"
    );
    assert_eq!(
        first["timestamp_valid"], true,
        "pyHanko: the signature timestamp is valid and trusted: {judge}"
    );

    // B-LTA: DSS then a document timestamp, each as an incremental update.
    let out = augment_pdf(
        &sealed.pdf,
        BaselineLevel::BLTA,
        &services(&http, &live),
        now,
    )
    .expect("augmentation to B-LTA");
    assert_eq!(out.level, BaselineLevel::BLTA, "augmented: B-LTA");
    assert!(
        out.pdf.starts_with(&sealed.pdf),
        "augmentation only appends: the sealed bytes are unchanged"
    );
    assert!(
        out.renew_before.is_some(),
        "the renewal date comes from the TSA certificate"
    );
    let verdict = verify_pdf(&out.pdf, &anchors(&f), now).expect("reads");
    assert!(verdict.dss, "a DSS was written");
    assert_eq!(
        verdict.document_timestamps.len(),
        1,
        "one document timestamp"
    );
    assert!(
        verdict.document_timestamps[0].covers_dss,
        "the document timestamp covers the DSS"
    );
    assert_all_timestamps_hold(&verdict, "B-LTA");
    let s = &verdict.signatures[0];
    assert_eq!(
        s.integrity.status,
        Status::Ok,
        "ours: seal intact: {}",
        s.integrity.message
    );
    assert_eq!(s.level, BaselineLevel::BLTA, "ours: B-LTA");
    assert_eq!(
        s.revocation.status,
        Status::Ok,
        "ours: revocation checked offline from the DSS: {}",
        s.revocation.message
    );
    assert_eq!(
        s.timestamps.status,
        Status::Ok,
        "ours: {}",
        s.timestamps.message
    );

    let lta_path = write(&f, "b-lta.pdf", &out.pdf);
    let judge = pyhanko(&f, &lta_path);
    assert_eq!(judge["error"], Value::Null, "pyHanko reads B-LTA: {judge}");
    let first = &judge["signatures"][0];
    assert_eq!(first["intact"], true, "pyHanko: seal intact: {judge}");
    assert_eq!(first["bottom_line"], true, "pyHanko: seal valid: {judge}");
    assert_eq!(
        first["ltv"], true,
        "pyHanko: PAdES-LTA validation passes: {judge}"
    );
    let ts = &judge["document_timestamps"][0];
    assert_eq!(
        (&ts["intact"], &ts["valid"], &ts["trusted"]),
        (&Value::Bool(true), &Value::Bool(true), &Value::Bool(true)),
        "pyHanko: the document timestamp holds: {judge}"
    );
    assert_pdfsig_accepts(&pdfsig(&lta_path), 1, "B-LTA");

    // Archive renewal: another DSS + document timestamp on top.
    let renewed = renew_pdf_archive(&out.pdf, &services(&http, &live), now).expect("renewal");
    assert!(renewed.pdf.starts_with(&out.pdf), "renewal only appends");
    let verdict = verify_pdf(&renewed.pdf, &anchors(&f), now).expect("reads");
    assert_eq!(
        verdict.document_timestamps.len(),
        2,
        "two document timestamps"
    );
    assert_all_timestamps_hold(&verdict, "renewed");
    assert_eq!(
        verdict.signatures[0].level,
        BaselineLevel::BLTA,
        "still B-LTA"
    );
    let renewed_path = write(&f, "renewed.pdf", &renewed.pdf);
    let judge = pyhanko(&f, &renewed_path);
    assert_eq!(
        judge["signatures"][0]["ltv"], true,
        "pyHanko: renewed LTA passes: {judge}"
    );
    assert_pdfsig_accepts(&pdfsig(&renewed_path), 2, "renewed");

    // One byte changed in the range every signature covers: ours, pyHanko and pdfsig refuse.
    let at_text = renewed
        .pdf
        .windows(10)
        .position(|w| w == b"Transcript")
        .expect("the page text is in the file");
    let mut tampered = renewed.pdf.clone();
    tampered[at_text] = b'X';
    let verdict = verify_pdf(&tampered, &anchors(&f), now).expect("the tampered PDF reads");
    assert_eq!(
        verdict.signatures[0].integrity.status,
        Status::Error,
        "ours refuses a one-byte change"
    );
    assert!(
        verdict
            .document_timestamps
            .iter()
            .all(|t| t.integrity.status == Status::Error),
        "ours: no document timestamp holds after a one-byte change"
    );
    let bad = write(&f, "tampered.pdf", &tampered);
    let judge = pyhanko(&f, &bad);
    assert_eq!(
        judge["signatures"][0]["intact"], false,
        "pyHanko refuses a one-byte change: {judge}"
    );
    let report = pdfsig(&bad);
    assert!(
        pdfsig_counts(&report).0 == 0 && report.contains("Signature Validation"),
        "pdfsig refuses the seal after a one-byte change: {report}"
    );
}

#[test]
fn sealed_offline_is_b_b_and_reaches_b_lta_through_a_document_timestamp() {
    let _turn = TOKEN.lock().unwrap_or_else(|e| e.into_inner());
    let f = fixture();
    let http = Http::default();
    let now = OffsetDateTime::now_utc();
    let down = format!("http://127.0.0.1:{}", dead_port());
    let offline = Services {
        fetch: &http,
        tsa_url: format!("{down}/tsa"),
        ocsp_url: Some(format!("{down}/ocsp")),
        crl_urls: Vec::new(),
        extra_certs: Vec::new(),
    };
    let signer = open(f.token);
    let sealed = seal_pdf_with(
        &sample_pdf(),
        &signer,
        &PdfSealOptions {
            visible: false,
            ..PdfSealOptions::default()
        },
        Some(&offline),
        now,
    )
    .expect("sealing does not need the TSA");
    drop(signer);
    assert_eq!(sealed.level, BaselineLevel::BB, "TSA down: B-B");
    assert!(
        sealed.timestamp_error.is_some(),
        "the missing timestamp is reported"
    );
    let err = augment_pdf(&sealed.pdf, BaselineLevel::BLTA, &offline, now)
        .expect_err("augmentation needs the services");
    assert!(
        matches!(err, PadesError::Services(_)),
        "services down is a retryable services error: {err}"
    );

    let live = f.pki.start();
    let out = augment_pdf(
        &sealed.pdf,
        BaselineLevel::BLTA,
        &services(&http, &live),
        now,
    )
    .expect("augmentation once the services are up");
    assert_eq!(out.level, BaselineLevel::BLTA, "B-B → B-LTA");
    let verdict = verify_pdf(&out.pdf, &anchors(&f), now).expect("reads");
    assert_eq!(
        verdict.document_timestamps.len(),
        2,
        "a document timestamp for B-T, another over the DSS for B-LTA"
    );
    assert_all_timestamps_hold(&verdict, "B-B → B-LTA");
    let s = &verdict.signatures[0];
    assert_eq!(
        s.level,
        BaselineLevel::BLTA,
        "ours: B-LTA: {:?}",
        s.timestamps
    );
    assert_eq!(
        s.revocation.status,
        Status::Ok,
        "ours: {}",
        s.revocation.message
    );
    let path = write(&f, "bb-to-lta.pdf", &out.pdf);
    let judge = pyhanko(&f, &path);
    assert_eq!(
        judge["signatures"][0]["ltv"], true,
        "pyHanko: LTA passes: {judge}"
    );
    assert_pdfsig_accepts(&pdfsig(&path), 2, "B-B → B-LTA");
}
