//! The MCRA and learning-opportunity PDFs judged by poppler (`pdftotext`, `pdffonts`,
//! `pdfinfo`) and `qpdf --check`: every party, course and fixed text of the chosen language is
//! real text (Lithuanian and German, with Greek and Cyrillic names), fonts are embedded, DRAFT
//! is on every page before `signed` and nowhere after.
//!
//! Set `SEALDESK_RENDER_KEEP=/some/dir` to keep the PDFs written here.

mod common;

use sealdesk_agreements::texts::fixed_texts;
use sealdesk_agreements::{
    samples, Direction, LearningType, LoState, Mcra, McraState, RecognitionLevel, RecognitionType,
};
use sealdesk_render::lo::{render_learning_opportunity, LoPdfOptions};
use sealdesk_render::mcra::{render_mcra, McraPdfOptions, McraSeal};
use sealdesk_render::RenderError;
use time::macros::datetime;

use common::{run, squash, text_of, write};

/// A bidirectional agreement with two courses per side, a Greek partner and a Cyrillic course.
fn agreement() -> Mcra {
    let mut m = samples::mcra(
        "7d1c2a4e-0000-4000-8000-000000000001",
        Direction::Bidirectional,
        2,
        RecognitionType {
            level: RecognitionLevel::Institutional,
            learning: LearningType::NonFormal,
        },
    );
    m.party_b.legal_name = "Εθνικό και Καποδιστριακό Πανεπιστήμιο Αθηνών".into();
    m.party_b.erasmus_code = Some("G ATHINE01".into());
    m.party_b.country = "GR".into();
    m.courses_b[0].title = "Анализ на данни с Python".into();
    m.courses_a[0].title = "Duomenų analizė".into();
    m
}

fn options(lang: &str, state: McraState) -> McraPdfOptions {
    McraPdfOptions {
        language: Some(lang.into()),
        version: 4,
        state,
        created: datetime!(2026-11-23 09:00:00 UTC),
        accent: None,
        seal: None,
    }
}

fn pages(text: &str) -> Vec<&str> {
    text.split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect()
}

#[test]
fn a_signed_agreement_prints_every_party_course_and_fixed_text_in_lithuanian_and_german() {
    let dir = tempfile::tempdir().expect("tempdir");
    let m = agreement();
    for lang in ["lt", "de"] {
        let pdf = render_mcra(&m, &options(lang, McraState::Signed)).expect("render");
        assert!(!pdf.specimen, "{lang}: a signed agreement is not a draft");
        assert_eq!(pdf.language, lang, "the language asked for");
        let name = format!("mcra-signed-{lang}.pdf");
        let path = write(dir.path(), &name, &pdf.bytes);
        let text = squash(&text_of(&path));
        let fixed = fixed_texts(lang).expect("texts");
        let mut wanted: Vec<String> = [
            "title",
            "heading.parties",
            "heading.type",
            "heading.direction",
            "heading.courses_a",
            "heading.courses_b",
            "heading.objective",
            "heading.process",
            "heading.constraints",
            "heading.validity",
            "heading.clauses",
            "heading.signatures",
            "direction.bidirectional",
            "level.institutional",
            "learning.non_formal",
            "clause.purpose",
            "clause.recognition",
            "clause.changes",
            "clause.data",
            "clause.termination",
            "state.signed",
            "label.credits_granted",
            "label.signature",
        ]
        .iter()
        .map(|k| squash(&fixed[*k]))
        .collect();
        for party in [&m.party_a, &m.party_b] {
            wanted.push(party.legal_name.clone());
            wanted.push(party.erasmus_code.clone().expect("code"));
            wanted.push(party.faculty.clone().expect("faculty"));
            wanted.extend(party.signatories.iter().map(|s| s.name.clone()));
            wanted.extend(party.contacts.iter().map(|s| s.name.clone()));
        }
        for c in m.courses_a.iter().chain(&m.courses_b) {
            wanted.push(c.title.clone());
            wanted.extend(c.outcomes.clone());
            wanted.extend(c.recognition.course_replaced.clone());
            wanted.extend(c.recognition.conditions.clone());
        }
        wanted.push(m.objective.clone());
        wanted.extend(m.process_steps.clone());
        wanted.extend(m.constraints.clone());
        wanted.push("2027-01-01".into());
        wanted.push("2029-12-31".into());
        wanted.push(m.id.clone());
        for w in &wanted {
            assert!(
                text.contains(&squash(w)),
                "{name}: pdftotext finds {w:?} in: {text}"
            );
        }
        assert!(!text.contains("DRAFT"), "{name}: no DRAFT once signed");
        // The other language's headings are not there.
        let other = fixed_texts(if lang == "lt" { "de" } else { "lt" }).expect("texts");
        assert!(
            !text.contains(&squash(&other["heading.signatures"])),
            "{name}: only {lang} headings"
        );

        let p = path.to_str().expect("path");
        let (ok, fonts) = run("pdffonts", &[p]);
        assert!(ok, "pdffonts reads {name}: {fonts}");
        let rows: Vec<&str> = fonts
            .lines()
            .skip(2)
            .filter(|l| !l.trim().is_empty())
            .collect();
        assert!(rows.len() >= 2, "{name}: regular and bold: {fonts}");
        for row in rows {
            let cols: Vec<&str> = row.split_whitespace().collect();
            let n = cols.len();
            assert!(n >= 7, "{name}: a pdffonts row: {row}");
            assert_eq!(
                (cols[n - 5], cols[n - 4]),
                ("yes", "yes"),
                "{name}: font embedded and subset: {row}"
            );
        }
        let (ok, check) = run("qpdf", &["--check", p]);
        assert!(
            ok && check.contains("No syntax or stream encoding errors"),
            "{name}: qpdf --check passes: {check}"
        );
        let (ok, info) = run("pdfinfo", &[p]);
        assert!(ok, "pdfinfo reads {name}: {info}");
        assert!(
            info.contains(&format!(
                "Title:           Data science modules — {}",
                fixed["title"]
            )),
            "{name}: the title names the agreement: {info}"
        );
        assert!(
            info.contains("Author:          Vytautas Magnus University"),
            "{name}: the author is party A: {info}"
        );
        assert!(
            {
                let raw = String::from_utf8_lossy(&pdf.bytes);
                raw.contains(&format!("/Lang ({lang})")) || raw.contains(&format!("/Lang({lang})"))
            },
            "{name}: /Lang is {lang}"
        );
    }
}

#[test]
fn draft_on_every_page_before_signed_and_the_state_is_shown() {
    let dir = tempfile::tempdir().expect("tempdir");
    let m = agreement();
    for state in [
        McraState::Draft,
        McraState::SentForReview,
        McraState::Agreed,
    ] {
        let pdf = render_mcra(&m, &options("de", state)).expect("render");
        assert!(pdf.specimen, "{state:?} prints as a draft");
        let path = write(
            dir.path(),
            &format!("mcra-{}.pdf", state.as_str()),
            &pdf.bytes,
        );
        let text = text_of(&path);
        let pages = pages(&text);
        assert_eq!(pages.len(), pdf.pages, "pdftotext sees every page");
        assert!(pages.len() >= 2, "two courses a side take more than a page");
        for (i, page) in pages.iter().enumerate() {
            assert!(
                page.contains("DRAFT"),
                "page {} of {state:?} is a DRAFT",
                i + 1
            );
        }
        let fixed = fixed_texts("de").expect("texts");
        let shown = &fixed[&format!("state.{}", state.as_str())];
        assert!(
            squash(&text).contains(&format!("Version 4 · {}", squash(shown))),
            "{state:?}: version and state under the title"
        );
        let (ok, info) = run("pdfinfo", &[path.to_str().expect("path")]);
        assert!(
            ok && info.contains("(DRAFT)"),
            "the title says DRAFT: {info}"
        );
    }
}

#[test]
fn the_seal_block_names_the_holder_and_time_in_the_chosen_language() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pdf = render_mcra(
        &agreement(),
        &McraPdfOptions {
            seal: Some(McraSeal {
                holder: "Vytauto Didžiojo universitetas".into(),
                organization_identifier: Some("NTRLT-111950581".into()),
                sealed_at: datetime!(2027-02-03 10:15:30 UTC),
            }),
            ..options("lt", McraState::Shared)
        },
    )
    .expect("render");
    let path = write(dir.path(), "mcra-seal-block-lt.pdf", &pdf.bytes);
    let text = squash(&text_of(&path));
    for w in [
        "Elektroninis spaudas",
        "Užantspaudavo",
        "Vytauto Didžiojo universitetas (NTRLT-111950581)",
        "2027-02-03 10:15 UTC",
    ] {
        assert!(text.contains(w), "the seal block has {w:?}: {text}");
    }
    let unsealed = render_mcra(&agreement(), &options("lt", McraState::Shared)).expect("render");
    let path = write(dir.path(), "mcra-no-seal-lt.pdf", &unsealed.bytes);
    assert!(
        !text_of(&path).contains("Užantspaudavo"),
        "no seal block without a seal"
    );
}

#[test]
fn a_language_without_fixed_texts_is_refused_by_name() {
    let err = render_mcra(&agreement(), &options("bg", McraState::Signed))
        .expect_err("no bg agreement texts");
    assert!(
        matches!(&err, RenderError::LanguageNotAvailable { requested, available }
            if requested == "bg" && available.len() == 6),
        "refused naming bg and the six languages: {err}"
    );
    // The agreement's own language is the default.
    let mut m = agreement();
    m.language = "it".into();
    let pdf = render_mcra(
        &m,
        &McraPdfOptions {
            language: None,
            ..options("xx", McraState::Shared)
        },
    )
    .expect("render in the agreement's language");
    assert_eq!(
        pdf.language, "it",
        "the agreement's language is the default"
    );
}

#[test]
fn a_learning_opportunity_prints_its_groups_in_lithuanian_and_is_a_draft_until_approved() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lo = samples::learning_opportunity("5b0e-lo");
    let at = datetime!(2026-11-23 09:00:00 UTC);
    let draft = render_learning_opportunity(
        &lo,
        &LoPdfOptions {
            language: Some("lt".into()),
            version: 2,
            state: LoState::Submitted,
            created: at,
            accent: None,
        },
    )
    .expect("render lo");
    assert!(draft.specimen, "a submitted module description is a draft");
    let path = write(dir.path(), "lo-submitted-lt.pdf", &draft.bytes);
    let text = squash(&text_of(&path));
    for w in [
        "Duomenų analizė su Python",
        "Vytautas Magnus University",
        "DS-101",
        "perform data cleansing",
        "Clean and reshape tabular data.",
        "Tuition: 250.00 EUR",
        "125 hours",
        "studies@example.org",
        "https://example.org/modules/ds-101/syllabus.pdf",
        "General information",
        "Learning specification",
        "Related specifications",
        "DRAFT",
    ] {
        assert!(text.contains(w), "the LO PDF has {w:?}: {text}");
    }
    // URIs wrap after a `/`: compare them without whitespace.
    let compact: String = text.split_whitespace().collect();
    for uri in [
        "http://data.europa.eu/esco/skill/5e58ddb3-3b36-4ac8-a3b3-a4cbfb1c1eb3",
        "http://data.europa.eu/snb/isced-f/0613",
    ] {
        assert!(compact.contains(uri), "the LO PDF has {uri}");
    }
    let (ok, check) = run("qpdf", &["--check", path.to_str().expect("path")]);
    assert!(ok, "qpdf --check passes: {check}");

    let approved = render_learning_opportunity(
        &lo,
        &LoPdfOptions {
            language: None,
            version: 3,
            state: LoState::Approved,
            created: at,
            accent: None,
        },
    )
    .expect("render approved");
    assert!(!approved.specimen, "an approved one is not a draft");
    assert_eq!(approved.language, "en", "default language first");
    let path = write(dir.path(), "lo-approved-en.pdf", &approved.bytes);
    let text = text_of(&path);
    assert!(!text.contains("DRAFT"), "no DRAFT once approved");
    assert!(text.contains("Data analysis with Python"), "English title");

    let err = render_learning_opportunity(
        &lo,
        &LoPdfOptions {
            language: Some("fr".into()),
            version: 3,
            state: LoState::Approved,
            created: at,
            accent: None,
        },
    )
    .expect_err("no French texts");
    assert!(err.to_string().contains("\"fr\""), "names fr: {err}");
}
