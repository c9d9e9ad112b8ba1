//! The batch's PDF step relies on these: a sealed credential PDF is a function of the credential,
//! the seal facts and the time (made twice, the same bytes), and a credential rendered in a
//! language with fixed labels carries no English joining words.

use std::path::{Path, PathBuf};

use sealdesk_elm::Credential;
use sealdesk_render::{render_credential, Layout, Marking, RenderOptions, SealInfo, SealedFile};
use time::macros::datetime;

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../../shared")
}

fn sample() -> Credential {
    let path =
        shared().join("reference/elm-v3/credentials-jsonld/Sample-MC-Annex1-unsigned.jsonld");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    Credential::from_json(&bytes, "sample").expect("the sample is a credential")
}

fn sealed_options(language: Option<&str>) -> RenderOptions {
    RenderOptions {
        layout: Layout::Full,
        language: language.map(str::to_owned),
        marking: Marking::Sealed(SealInfo {
            holder: "Example University".to_owned(),
            organization_identifier: Some("VATBE-0123456789".to_owned()),
            sealed_at: datetime!(2026-11-23 09:00:00 UTC),
            sealed_file: Some(SealedFile {
                name: "a.jsonld".to_owned(),
                sha256_hex: "ab".repeat(32),
            }),
        }),
        accent: None,
    }
}

#[test]
fn the_same_sealed_credential_and_time_give_the_same_pdf() {
    let credential = sample();
    let at = datetime!(2026-11-23 09:00:00 UTC);
    let first = render_credential(&credential, &sealed_options(None), at).expect("render");
    let second = render_credential(&credential, &sealed_options(None), at).expect("render");
    if let Some(dir) = std::env::var_os("SEALDESK_RENDER_KEEP") {
        let _ = std::fs::write(Path::new(&dir).join("det-1.pdf"), &first.bytes);
        let _ = std::fs::write(Path::new(&dir).join("det-2.pdf"), &second.bytes);
    }
    assert!(
        first.bytes == second.bytes,
        "rendered twice from the same inputs, the PDF is byte for byte the same"
    );
}

/// The sample with French among its languages (its texts stay English: only the fixed words
/// and the joining words inside Annex I values change).
fn sample_with_french() -> Credential {
    let mut value = sample().as_value().clone();
    let dp = value
        .get_mut("displayParameter")
        .and_then(serde_json::Value::as_object_mut)
        .expect("displayParameter");
    let english = dp.get("language").cloned().expect("language");
    dp.insert(
        "language".to_owned(),
        serde_json::json!([english, {
            "id": "http://publications.europa.eu/resource/authority/language/FRA",
            "type": "Concept",
            "prefLabel": {"en": "French", "fr": "français"}
        }]),
    );
    Credential::from_value(value, "sample-fr").expect("still a credential")
}

/// The PDF's text (pdftotext), whitespace runs made one space.
fn text_of(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("c.pdf");
    std::fs::write(&path, pdf).expect("write");
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) runs");
    assert!(out.status.success(), "pdftotext reads the PDF");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn a_french_render_has_french_fixed_and_joining_words_and_no_english_ones() {
    let credential = sample_with_french();
    let at = datetime!(2026-11-23 09:00:00 UTC);
    let english = text_of(
        &render_credential(&credential, &sealed_options(Some("en")), at)
            .expect("render en")
            .bytes,
    );
    let french_pdf =
        render_credential(&credential, &sealed_options(Some("fr")), at).expect("render fr");
    assert_eq!(french_pdf.language, "fr", "rendered in French");
    if let Some(dir) = std::env::var_os("SEALDESK_RENDER_KEEP") {
        let _ = std::fs::write(Path::new(&dir).join("sample-fr.pdf"), &french_pdf.bytes);
    }
    let french = text_of(&french_pdf.bytes);
    // Fixed words and Annex I joining words the English PDF has and a French one must not.
    for words in [
        "(valid from; the issue date is set at sealing)",
        "Identification of the learner",
        "Awarding body(ies)",
        "Date of issuing",
        "Type of quality assurance",
        "Electronic seal",
        "Sealed by",
        "Sealed credential file",
        "SHA-256 of that file",
        "Awarded to",
        "Credential identifier",
    ] {
        assert!(
            english.contains(words),
            "the English PDF has {words:?} (else this check proves nothing)"
        );
        assert!(
            !french.contains(words),
            "no English {words:?} in the French PDF"
        );
    }
    for words in [
        "(valable à partir de cette date ; la date de délivrance est fixée au scellement)",
        "Identification de l'apprenant",
        "Organisme(s) de délivrance",
        "Date de délivrance",
        "Cachet électronique",
        "Scellé par",
        "Fichier d'attestation scellé",
        "SHA-256 de ce fichier",
    ] {
        assert!(french.contains(words), "the French PDF has {words:?}");
    }
}
