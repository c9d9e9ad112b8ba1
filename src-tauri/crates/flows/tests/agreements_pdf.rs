//! The agreement and learning-opportunity PDFs through the flows (what the app's preview
//! calls), on a real catalogue file: a version before `signed` prints as a DRAFT, the signed
//! one does not; a version and a language can be chosen; unknown ids and languages are refused
//! with a message; a draft agreement is refused for sealing before any token is touched.

use std::path::Path;
use std::process::Command;

use sealdesk_agreements::samples;
use sealdesk_agreements::{Direction, LoState, McraState, RecognitionType};
use sealdesk_flows::*;
use time::macros::datetime;
use time::OffsetDateTime;

const T: OffsetDateTime = datetime!(2027-02-01 09:00 UTC);

fn text_of(dir: &Path, name: &str, bytes: &[u8]) -> String {
    assert!(bytes.starts_with(b"%PDF-"), "{name} is a PDF");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write pdf");
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) runs");
    assert!(out.status.success(), "pdftotext reads {name}");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn mcra_pdf_prints_the_version_asked_for_draft_until_signed() {
    let dir = tempfile::tempdir().expect("tmp");
    let cat = Catalogue::open(&dir.path().join("c.sqlite")).expect("catalogue opens");
    let doc = samples::mcra("", Direction::AToB, 1, RecognitionType::default());
    let id = create_mcra(&cat, doc, T).expect("draft").summary.id;
    for to in [
        McraState::SentForReview,
        McraState::Agreed,
        McraState::Signed,
    ] {
        move_mcra(&cat, &id, to, T).expect("move");
    }

    let first = mcra_pdf(&cat, &id, Some(1), None).expect("version 1");
    let text = text_of(dir.path(), "v1.pdf", &first);
    assert!(text.contains("DRAFT"), "version 1 is a draft: {text}");
    assert!(
        text.contains("Version 1 · Draft"),
        "version and state: {text}"
    );

    let latest = mcra_pdf(&cat, &id, None, Some("fr")).expect("latest in French");
    let text = text_of(dir.path(), "latest-fr.pdf", &latest);
    assert!(!text.contains("DRAFT"), "the signed version is no draft");
    assert!(
        text.contains("Version 4 · Signé"),
        "the latest version, in French: {text}"
    );
    assert!(
        text.contains("Accord type de reconnaissance de crédits"),
        "French title: {text}"
    );

    let err = mcra_pdf(&cat, "no-such", None, None).expect_err("unknown id");
    assert!(err.to_string().contains("no-such"), "names the id: {err}");
    let err = mcra_pdf(&cat, &id, None, Some("pl")).expect_err("no Polish texts");
    assert_eq!(err.code(), ErrorCode::InvalidInput, "bad input: {err}");

    // Sealing a version before `signed` is refused before the token (none is configured here).
    let out = dir.path().join("sealed.pdf");
    let err = seal_mcra_pdf(
        &cat,
        &DeviceSelector::default(),
        secrecy::SecretString::from("0000".to_owned()),
        SealConsent::default(),
        &id,
        Some(3),
        None,
        &out,
        T,
    )
    .expect_err("agreed is not signed");
    assert!(
        matches!(
            err,
            FlowError::AgreementNotSigned {
                state: "agreed",
                ..
            }
        ),
        "refused as not signed: {err}"
    );
    assert!(!out.exists(), "nothing written");
}

#[test]
fn an_unsaved_agreement_previews_as_a_draft() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut doc = samples::mcra("", Direction::BToA, 2, RecognitionType::default());
    doc.title = "Vorschau der Vereinbarung".into();
    let pdf = mcra_draft_pdf(&doc, 3, Some("de"), T).expect("preview");
    let text = text_of(dir.path(), "preview-de.pdf", &pdf);
    assert!(
        text.contains("DRAFT") && text.contains("Version 3 · Entwurf"),
        "a numbered draft: {text}"
    );
    assert!(
        text.contains("Vorschau der Vereinbarung") && text.contains("Course 102"),
        "the unsaved content: {text}"
    );
}

#[test]
fn lo_pdf_prints_a_language_of_the_module_description() {
    let dir = tempfile::tempdir().expect("tmp");
    let cat = Catalogue::open(&dir.path().join("c.sqlite")).expect("catalogue opens");
    let id = create_learning_opportunity(&cat, samples::learning_opportunity(""), T)
        .expect("draft")
        .summary
        .id;
    let pdf = lo_pdf(&cat, &id, None, Some("lt")).expect("lt");
    let text = text_of(dir.path(), "lo-lt.pdf", &pdf);
    assert!(
        text.contains("Duomenų analizė su Python") && text.contains("DRAFT"),
        "Lithuanian title, a draft: {text}"
    );
    review_learning_opportunity(&cat, &id, LoState::Submitted, "author", None, T).expect("submit");
    review_learning_opportunity(&cat, &id, LoState::Approved, "committee", None, T)
        .expect("approve");
    let pdf = lo_pdf(&cat, &id, None, None).expect("approved");
    let text = text_of(dir.path(), "lo-en.pdf", &pdf);
    assert!(!text.contains("DRAFT"), "approved: no DRAFT: {text}");
    let err = lo_pdf(&cat, &id, None, Some("fr")).expect_err("no French texts");
    assert!(err.to_string().contains("\"fr\""), "names fr: {err}");
}
