//! The template editor flows (what the window's Templates screens call) over a real SQLite
//! catalogue with the shipped vocabularies and ESCO snapshot.

use sealdesk_flows::{
    Catalogue, ChoiceView, ErrorCode, FlowError, StartingPoint, TemplatePreviewView,
};
use serde_json::Value;
use time::macros::datetime;

const NOW: time::OffsetDateTime = datetime!(2026-02-01 08:00:00 UTC);

fn catalogue(dir: &tempfile::TempDir) -> Catalogue {
    Catalogue::open(&dir.path().join("catalogue.sqlite3")).expect("catalogue opens")
}

fn present(preview: &TemplatePreviewView, key: &str) -> bool {
    preview
        .annex1
        .iter()
        .find(|e| e.key == key)
        .unwrap_or_else(|| panic!("Annex I has no element {key}: {:?}", preview.annex1))
        .present
}

/// Every relatedESCOSkill id in the credential JSON, wherever it sits.
fn related_skills(json: &str) -> Vec<String> {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    if k == "relatedESCOSkill" {
                        let items = match child {
                            Value::Array(a) => a.iter().collect::<Vec<_>>(),
                            other => vec![other],
                        };
                        out.extend(
                            items
                                .iter()
                                .filter_map(|s| s.get("id")?.as_str().map(str::to_owned)),
                        );
                    }
                    walk(child, out);
                }
            }
            Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(
        &serde_json::from_str(json).expect("saved template is JSON"),
        &mut out,
    );
    out
}

#[test]
fn a_micro_credential_template_edited_links_a_skill_and_saves_a_new_version() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cat = catalogue(&dir);
    let opened = sealdesk_flows::create_template_from(
        &cat,
        "Data skills",
        StartingPoint::MicroCredential,
        NOW,
    )
    .expect("a template is created from the micro-credential start");
    let id = opened.template.summary.id.clone();
    assert_eq!(
        opened.template.summary.version, 1,
        "a new template is version 1"
    );
    assert!(
        !opened.form.learning_outcomes.is_empty(),
        "the Annex I sample has learning outcomes: {:?}",
        opened.form
    );

    // The unchanged form previews as a complete micro-credential but for the learner.
    let preview = sealdesk_flows::preview_template_form(&cat, &id, opened.form.clone())
        .expect("the unchanged form previews");
    let missing: Vec<&str> = preview
        .annex1
        .iter()
        .filter(|e| e.mandatory && !e.present)
        .map(|e| e.key.as_str())
        .collect();
    assert_eq!(
        missing,
        vec!["learner"],
        "a template lacks only the learner among the 11 Annex I elements"
    );
    assert_eq!(
        preview.annex1.iter().filter(|e| e.mandatory).count(),
        11,
        "Annex I has 11 mandatory elements"
    );
    assert!(!preview.title.is_empty(), "the preview has a title");

    // Unsetting the assessment type is reported by the Annex I check, without saving.
    let mut form = opened.form.clone();
    form.assessment_type = None;
    let preview = sealdesk_flows::preview_template_form(&cat, &id, form.clone())
        .expect("a form without assessment type previews");
    assert!(
        !present(&preview, "assessmentType"),
        "no assessment type must be reported missing"
    );

    // An EQF level and an ESCO skill from the catalogue's pickers.
    let eqf: Vec<ChoiceView> =
        sealdesk_flows::concept_choices(&cat, "eqf", "en").expect("EQF levels load");
    let level5 = eqf
        .iter()
        .find(|c| c.label.contains('5'))
        .unwrap_or_else(|| panic!("EQF has a level 5: {eqf:?}"));
    form.eqf_level = Some(level5.concept.clone());
    let skills = sealdesk_flows::skill_choices(&cat, "python", 5).expect("ESCO search runs");
    let python = skills
        .first()
        .unwrap_or_else(|| panic!("ESCO has a python skill"));
    assert!(
        python.label.to_lowercase().contains("python"),
        "the best hit for python is about python: {python:?}"
    );
    assert!(
        python
            .concept
            .id
            .starts_with("http://data.europa.eu/esco/skill/"),
        "an ESCO skill URI: {}",
        python.concept.id
    );
    form.learning_outcomes[0]
        .esco_skills
        .push(python.concept.clone());
    form.assessment_type = opened.form.assessment_type.clone();

    let preview = sealdesk_flows::preview_template_form(&cat, &id, form.clone())
        .expect("the edited form previews");
    assert!(
        preview.outcomes[0]
            .skills
            .iter()
            .any(|s| s.uri == python.concept.id && s.label == python.label),
        "the preview lists the linked skill under the first outcome: {:?}",
        preview.outcomes[0]
    );
    let level = preview
        .facts
        .iter()
        .find(|f| f.key == "level")
        .unwrap_or_else(|| panic!("the preview states the level: {:?}", preview.facts));
    assert!(
        level.value.contains(&level5.label),
        "the level fact names {:?}: {:?}",
        level5.label,
        level.value
    );

    let saved = sealdesk_flows::save_template_form(&cat, &id, "Data skills", form, NOW)
        .expect("the form saves");
    assert_eq!(saved.template.summary.version, 2, "saving makes version 2");
    assert!(
        related_skills(&saved.template.credential_json).contains(&python.concept.id),
        "the saved credential links the skill as relatedESCOSkill"
    );
    let first = sealdesk_flows::template(&cat, &id, Some(1)).expect("version 1 is kept");
    assert!(
        !related_skills(&first.credential_json).contains(&python.concept.id),
        "version 1 is untouched by the save"
    );
    let reopened = sealdesk_flows::template_for_editing(&cat, &id).expect("reopens");
    assert_eq!(
        reopened.form.eqf_level.as_ref().map(|c| c.id.as_str()),
        Some(level5.concept.id.as_str()),
        "the saved EQF level reads back"
    );
}

#[test]
fn an_unreadable_form_value_is_refused_with_the_field() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cat = catalogue(&dir);
    let opened = sealdesk_flows::create_template_from(&cat, "Generic", StartingPoint::Generic, NOW)
        .expect("a generic template is created");
    let id = opened.template.summary.id.clone();
    let mut form = opened.form;
    form.ects_points = Some("five".into());
    let error: FlowError = sealdesk_flows::preview_template_form(&cat, &id, form.clone())
        .expect_err("ECTS must be a number");
    assert_eq!(
        error.code(),
        ErrorCode::InvalidInput,
        "a bad form value is invalid input"
    );
    assert!(
        error.to_string().contains("ectsPoints"),
        "the message names the field: {error}"
    );
    let refused = sealdesk_flows::save_template_form(&cat, &id, "Generic", form, NOW)
        .expect_err("a bad form is not saved");
    assert_eq!(
        refused.code(),
        ErrorCode::InvalidInput,
        "same refusal on save"
    );
    let list = sealdesk_flows::list_templates(&cat, false).expect("list");
    assert_eq!(
        list.iter().find(|t| t.id == id).map(|t| t.version),
        Some(1),
        "nothing was saved: still version 1"
    );
}
