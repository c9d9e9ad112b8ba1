//! The credential PDF judged by independent tools: poppler (`pdftotext`, `pdffonts`,
//! `pdfinfo`) and `qpdf --check`, on the official micro-credential sample in English and in
//! Bulgarian (Cyrillic; our translation in `fixtures/bg-translation.json`).
//!
//! Set `SEALDESK_RENDER_KEEP=/some/dir` to keep the PDFs written here.

mod common;

use std::path::{Path, PathBuf};

use sealdesk_elm::{annex1, Credential};
use sealdesk_render::{
    render_credential, Layout, Marking, RenderError, RenderOptions, SealInfo, SealedFile,
};
use serde_json::Value;
use time::macros::datetime;

use common::{run, squash, text_of, write};

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../../shared")
}

fn sample_value() -> Value {
    let path =
        shared().join("reference/elm-v3/credentials-jsonld/Sample-MC-Annex1-unsigned.jsonld");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_slice(&bytes).expect("the sample is JSON")
}

fn sample() -> Credential {
    Credential::from_value(sample_value(), "sample").expect("the sample is a credential")
}

/// The sample with a `bg` text beside every English text we have a translation for, and
/// Bulgarian among its languages.
fn sample_bg() -> Credential {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bg-translation.json");
    let table: serde_json::Map<String, Value> =
        serde_json::from_slice(&std::fs::read(path).expect("fixture")).expect("fixture is JSON");
    fn walk(v: &mut Value, table: &serde_json::Map<String, Value>) {
        match v {
            Value::Object(map) => {
                let en = map.get("en").and_then(|e| match e {
                    Value::String(s) => Some(s.clone()),
                    Value::Array(a) => a.first().and_then(Value::as_str).map(str::to_owned),
                    _ => None,
                });
                if let Some(bg) = en.and_then(|en| table.get(&en)) {
                    map.insert("bg".to_owned(), bg.clone());
                }
                for (_, child) in map.iter_mut() {
                    walk(child, table);
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|c| walk(c, table)),
            _ => {}
        }
    }
    let mut value = sample_value();
    walk(&mut value, &table);
    let dp = value
        .get_mut("displayParameter")
        .and_then(Value::as_object_mut)
        .expect("displayParameter");
    let english = dp.get("language").cloned().expect("language");
    dp.insert(
        "language".to_owned(),
        serde_json::json!([english, {
            "id": "http://publications.europa.eu/resource/authority/language/BUL",
            "type": "Concept",
            "prefLabel": {"en": "Bulgarian", "bg": "български"}
        }]),
    );
    Credential::from_value(value, "sample-bg").expect("still a credential")
}

/// The Annex I report in `lang`, read by `sealdesk-elm` on a copy whose primary language is
/// `lang` (independent of the renderer's own choice of texts), with the joining words inside
/// values in Bulgarian for `BUL` (written out here, not taken from the renderer's table).
fn annex1_in(credential: &Credential, eu_code: &str) -> annex1::Annex1Report {
    let mut value = credential.as_value().clone();
    value["displayParameter"]["primaryLanguage"] = serde_json::json!({
        "id": format!("http://publications.europa.eu/resource/authority/language/{eu_code}"),
        "type": "Concept"
    });
    let bulgarian = |key: &str| {
        let word = match key {
            "validFromNote" => "валидно от; датата на издаване се определя при подпечатването",
            "registeredAs" => "присъждащата организация е регистрирана като {}",
            "accredited" => "акредитирано",
            "integrated" => "интегрирана: част от по-широка квалификация",
            "standAlone" => "самостоятелна",
            _ => return None,
        };
        (eu_code == "BUL").then(|| word.to_owned())
    };
    annex1::check_with_words(
        &Credential::from_value(value, "copy").expect("credential"),
        &bulgarian,
    )
}

fn options(layout: Layout, language: &str, marking: Marking) -> RenderOptions {
    RenderOptions {
        layout,
        language: Some(language.to_owned()),
        marking,
        accent: None,
    }
}

fn sealed() -> Marking {
    Marking::Sealed(SealInfo {
        holder: "University of Zed".to_owned(),
        organization_identifier: Some("VATIE-654321".to_owned()),
        sealed_at: datetime!(2026-11-23 09:15:00 UTC),
        sealed_file: Some(SealedFile {
            name: "ana-andromeda.jsonld".to_owned(),
            sha256_hex: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
                .to_owned(),
        }),
    })
}

#[test]
fn every_annex1_value_is_real_text_in_english_and_in_bulgarian() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (credential, lang, eu, must_have, must_not_have) in [
        (
            sample(),
            "en",
            "ENG",
            "Communication, collaboration and creativity",
            "Комуникация",
        ),
        (
            sample_bg(),
            "bg",
            "BUL",
            "Комуникация, сътрудничество и творчество",
            "Communication, collaboration",
        ),
    ] {
        let pdf = render_credential(
            &credential,
            &options(Layout::Full, lang, Marking::Specimen),
            datetime!(2026-11-23 09:00:00 UTC),
        )
        .expect("render");
        assert_eq!(pdf.language, lang, "rendered in the language asked for");
        let path = write(dir.path(), &format!("full-{lang}.pdf"), &pdf.bytes);
        let text = squash(&text_of(&path));
        let report = annex1_in(&credential, eu);
        assert!(
            report.complete(),
            "the sample carries every mandatory Annex I element"
        );
        let mut checked = 0;
        for element in report.elements.iter().filter(|e| e.present) {
            let value = squash(element.value.as_deref().unwrap_or_default());
            assert!(
                text.contains(&value),
                "{lang}: Annex I {} = {value:?} is in the PDF text",
                element.key
            );
            checked += 1;
        }
        assert!(
            checked >= 11,
            "{lang}: at least the 11 mandatory values were checked ({checked})"
        );
        assert!(
            text.contains(must_have),
            "{lang}: the outcome is in this language"
        );
        assert!(
            !text.contains(must_not_have),
            "{lang}: not in the other language"
        );
        // The issuer's legal identifier and ECTS as text; every ESCO skill URI (a URI may wrap
        // inside its table cell, so whitespace is ignored for these).
        for needle in ["0000 (", "2 ECTS"] {
            assert!(
                text.contains(needle),
                "{lang}: {needle:?} is in the PDF text"
            );
        }
        let compact: String = text.split_whitespace().collect();
        let skills = credential
            .as_value()
            .pointer("/credentialSubject/hasClaim/specifiedBy/learningOutcome")
            .and_then(Value::as_array)
            .expect("outcomes");
        let mut uris = vec!["http://data.europa.eu/snb/eqf/6".to_owned()];
        for outcome in skills {
            for key in ["relatedESCOSkill", "relatedSkill"] {
                match outcome.get(key) {
                    Some(Value::Array(a)) => {
                        uris.extend(a.iter().filter_map(|s| s["id"].as_str().map(str::to_owned)))
                    }
                    Some(s) => uris.extend(s["id"].as_str().map(str::to_owned)),
                    None => {}
                }
            }
        }
        assert!(
            uris.len() >= 7,
            "the sample's skills were found ({})",
            uris.len()
        );
        // Each skill label starts with a bullet, so a reader tells one skill from the next.
        let mut labels = 0;
        for outcome in skills {
            let Some(Value::Array(related)) = outcome.get("relatedESCOSkill") else {
                continue;
            };
            for skill in related {
                let Some(label) = skill
                    .pointer(&format!("/prefLabel/{lang}"))
                    .and_then(Value::as_str)
                else {
                    continue;
                };
                labels += 1;
                assert!(
                    text.contains(&squash(&format!("\u{2022} {label}"))),
                    "{lang}: skill {label:?} has its bullet"
                );
            }
        }
        assert!(labels >= 3, "{lang}: skill labels were checked ({labels})");
        for uri in &uris {
            assert!(
                compact.contains(uri.as_str()),
                "{lang}: skill/level URI {uri} is in the PDF"
            );
        }
    }
}

#[test]
fn fonts_are_embedded_subsets_and_qpdf_finds_no_fault() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, credential, layout, lang) in [
        ("fonts-full-bg.pdf", sample_bg(), Layout::Full, "bg"),
        ("fonts-summary-en.pdf", sample(), Layout::Summary, "en"),
    ] {
        let pdf = render_credential(
            &credential,
            &options(layout, lang, sealed()),
            datetime!(2026-11-23 09:00:00 UTC),
        )
        .expect("render");
        let path = write(dir.path(), name, &pdf.bytes);
        let p = path.to_str().expect("path");
        let (ok, fonts) = run("pdffonts", &[p]);
        assert!(ok, "pdffonts reads {name}: {fonts}");
        // name type encoding emb sub uni object ID
        let rows: Vec<&str> = fonts
            .lines()
            .skip(2)
            .filter(|l| !l.trim().is_empty())
            .collect();
        assert!(
            rows.len() >= 2,
            "{name}: regular and bold fonts are used: {fonts}"
        );
        for row in &rows {
            let cols: Vec<&str> = row.split_whitespace().collect();
            let n = cols.len();
            assert!(n >= 7, "{name}: a pdffonts row has its columns: {row}");
            assert_eq!(
                (cols[n - 5], cols[n - 4], cols[n - 3]),
                ("yes", "yes", "yes"),
                "{name}: font embedded, subset, with a ToUnicode map: {row}"
            );
            assert!(row.contains("DejaVu"), "{name}: the font is DejaVu: {row}");
        }
        let (ok, check) = run("qpdf", &["--check", p]);
        assert!(ok, "{name}: qpdf --check passes: {check}");
        assert!(
            check.contains("No syntax or stream encoding errors"),
            "{name}: qpdf reports no errors: {check}"
        );
        assert!(
            pdf.bytes.len() < 200_000,
            "{name}: subset fonts keep the file small ({} bytes)",
            pdf.bytes.len()
        );
    }
}

#[test]
fn specimen_on_every_page_of_previews_and_nowhere_once_sealed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let at = datetime!(2026-11-23 09:00:00 UTC);
    let preview = render_credential(
        &sample(),
        &options(Layout::Full, "en", Marking::Specimen),
        at,
    )
    .expect("render preview");
    assert!(preview.specimen, "a preview says it is a specimen");
    let path = write(dir.path(), "preview.pdf", &preview.bytes);
    let text = text_of(&path);
    let pages: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert!(
        pages.len() >= 2,
        "the full sample takes more than one page ({})",
        pages.len()
    );
    assert_eq!(
        pages.len(),
        preview.pages,
        "pdftotext sees the pages we laid out"
    );
    for (i, page) in pages.iter().enumerate() {
        assert!(
            page.contains("SPECIMEN"),
            "page {} of the preview carries SPECIMEN",
            i + 1
        );
    }

    let issued = render_credential(&sample(), &options(Layout::Full, "en", sealed()), at)
        .expect("render sealed");
    assert!(
        !issued.specimen,
        "a sealed credential's PDF is not a specimen"
    );
    let path = write(dir.path(), "sealed.pdf", &issued.bytes);
    let text = text_of(&path);
    assert!(
        !text.contains("SPECIMEN"),
        "no SPECIMEN on an issued credential"
    );
    for needle in [
        "Sealed by",
        "VATIE-654321",
        "2026-11-23 09:15:00 UTC",
        "ana-andromeda.jsonld",
    ] {
        assert!(text.contains(needle), "the seal block names {needle:?}");
    }
    let (ok, info) = run("pdfinfo", &[path.to_str().expect("path")]);
    assert!(ok, "pdfinfo reads the PDF: {info}");
    assert!(
        info.contains("Author:          University of Zed"),
        "author is the issuer: {info}"
    );
    assert!(
        info.contains("Title:           Micro-Credential — Ana Andromeda"),
        "title names the credential and the learner: {info}"
    );
    assert!(
        info.contains("Page size:       595.") && info.contains("(A4)"),
        "A4 pages: {info}"
    );
}

#[test]
fn the_summary_is_one_page_with_the_language_set() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pdf = render_credential(
        &sample_bg(),
        &options(Layout::Summary, "bg", Marking::Specimen),
        datetime!(2026-11-23 09:00:00 UTC),
    )
    .expect("render");
    let path = write(dir.path(), "summary-bg.pdf", &pdf.bytes);
    let (ok, info) = run("pdfinfo", &[path.to_str().expect("path")]);
    assert!(ok, "pdfinfo: {info}");
    assert!(
        info.contains("Pages:           1\n"),
        "the summary is one page: {info}"
    );
    let text = text_of(&path);
    assert!(
        text.contains("SPECIMEN"),
        "a summary preview carries SPECIMEN"
    );
    assert!(
        text.contains("Ана Андромеда"),
        "the learner in Cyrillic: {text}"
    );
    let (ok, catalog) = run(
        "qpdf",
        &[
            "--show-object=trailer",
            "--filtered-stream-data",
            path.to_str().expect("path"),
        ],
    );
    assert!(ok, "qpdf reads the trailer: {catalog}");
    let raw = String::from_utf8_lossy(&pdf.bytes);
    assert!(
        raw.contains("/Lang (bg)") || raw.contains("/Lang(bg)"),
        "the catalog says /Lang bg"
    );
}

#[test]
fn a_language_the_credential_lacks_is_refused_by_name() {
    let err = render_credential(
        &sample(),
        &options(Layout::Full, "fr", Marking::Specimen),
        datetime!(2026-11-23 09:00:00 UTC),
    )
    .expect_err("no French texts in the sample");
    match &err {
        RenderError::LanguageNotAvailable {
            requested,
            available,
        } => {
            assert_eq!(requested, "fr", "names the language asked for");
            assert_eq!(
                available,
                &vec!["en".to_owned()],
                "names the languages there are"
            );
        }
        other => panic!("expected LanguageNotAvailable, got {other:?}"),
    }
    assert!(
        err.to_string().contains("choose one of en"),
        "says what to do: {err}"
    );
}

/// A template's preview has no learner yet: the title band says nothing rather than a dangling
/// "Awarded to", and no "Learner" heading stands over nothing.
#[test]
fn no_learner_no_awarded_to_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut value = sample_value();
    let subject = value
        .get_mut("credentialSubject")
        .and_then(Value::as_object_mut)
        .expect("credentialSubject");
    for key in [
        "fullName",
        "givenName",
        "familyName",
        "dateOfBirth",
        "nationalID",
        "identifier",
    ] {
        subject.remove(key);
    }
    let nameless = Credential::from_value(value, "nameless").expect("still a credential");
    for (credential, name, expect) in [(sample(), "named", true), (nameless, "nameless", false)] {
        for layout in [Layout::Full, Layout::Summary] {
            let pdf = render_credential(
                &credential,
                &options(layout, "en", Marking::Specimen),
                datetime!(2026-11-23 09:00:00 UTC),
            )
            .expect("render");
            let path = write(dir.path(), &format!("{name}-{layout:?}.pdf"), &pdf.bytes);
            let text = text_of(&path);
            assert_eq!(
                text.contains("Awarded to"),
                expect,
                "{name} {layout:?}: 'Awarded to' only with a learner"
            );
            if layout == Layout::Full {
                assert_eq!(
                    text.lines().any(|l| l.trim() == "Learner"),
                    expect,
                    "{name}: the Learner heading only over learner facts"
                );
            }
        }
    }
}
