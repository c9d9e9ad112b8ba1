//! The template form: a lossless round trip on the official samples, and edits that land
//! where the official samples keep them.

use std::path::PathBuf;

use sealdesk_elm::form::{ConceptRef, OutcomeForm, TemplateForm};
use sealdesk_elm::{annex1, Credential};
use serde_json::Value;

fn sample(name: &str) -> Credential {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../../shared/reference/elm-v3/credentials-jsonld")
        .join(name);
    Credential::from_json(&std::fs::read(path).expect("sample"), name).expect("credential")
}

#[test]
fn from_credential_then_apply_to_changes_nothing() {
    for name in [
        "Sample-MC-Annex1-unsigned.jsonld",
        "Sample-CertOfPart-unsigned.jsonld",
    ] {
        let original = sample(name);
        let form = TemplateForm::from_credential(&original);
        let mut c = original.clone();
        form.apply_to(&mut c).expect("applies");
        assert_eq!(
            c.as_value(),
            original.as_value(),
            "{name}: round trip changes nothing"
        );
    }
}

#[test]
fn the_form_reads_the_micro_credential() {
    let f = TemplateForm::from_credential(&sample("Sample-MC-Annex1-unsigned.jsonld"));
    assert_eq!(f.primary_language, "en", "primary language");
    assert_eq!(
        f.eqf_level.as_ref().map(|c| c.id.as_str()),
        Some("http://data.europa.eu/snb/eqf/6"),
        "EQF"
    );
    assert_eq!(f.ects_points.as_deref(), Some("2"), "ECTS");
    assert_eq!(f.isced_f.len(), 2, "two ISCED-F fields");
    assert_eq!(f.learning_outcomes.len(), 2, "two outcomes");
    assert_eq!(
        f.learning_outcomes[0].esco_skills.len(),
        3,
        "three ESCO skills"
    );
    assert_eq!(
        f.awarding_body.legal_name.get("en").map(String::as_str),
        Some("University of Zed"),
        "body"
    );
    let json = serde_json::to_value(&f).expect("ser");
    assert!(
        json.get("ectsPoints").is_some() && json.get("learningOutcomes").is_some(),
        "camelCase: {json}"
    );
}

#[test]
fn edits_are_written_as_concepts_and_keep_the_rest() {
    let original = sample("Sample-MC-Annex1-unsigned.jsonld");
    let mut f = TemplateForm::from_credential(&original);
    f.eqf_level = Some(ConceptRef {
        id: "http://data.europa.eu/snb/eqf/5".into(),
        scheme: "http://data.europa.eu/snb/eqf/25831c2".into(),
        labels: [("en".to_owned(), "Level 5".to_owned())].into(),
        notation: None,
    });
    f.ects_points = Some("5".into());
    f.learning_outcomes.push(OutcomeForm {
        title: [("en".to_owned(), "Seal a credential".to_owned())].into(),
        esco_skills: vec![ConceptRef {
            id: "http://data.europa.eu/esco/skill/5fd5c985-eaaa-47aa-8314-62359c54505a".into(),
            scheme: "http://data.europa.eu/esco/concept-scheme/skills".into(),
            labels: [("en".to_owned(), "develop digital content".to_owned())].into(),
            notation: None,
        }],
    });
    let mut c = original.clone();
    f.apply_to(&mut c).expect("applies");
    let v = c.as_value();
    let eqf = &v["credentialSubject"]["hasClaim"]["specifiedBy"]["eqfLevel"];
    assert_eq!(eqf["id"], "http://data.europa.eu/snb/eqf/5", "new level");
    assert_eq!(eqf["type"], "Concept", "written as a Concept");
    assert_eq!(
        eqf["inScheme"]["id"], "http://data.europa.eu/snb/eqf/25831c2",
        "in the EQF scheme"
    );
    assert_eq!(eqf["prefLabel"]["en"], "Level 5", "label from the caller");
    assert_eq!(
        v["credentialSubject"]["hasClaim"]["specifiedBy"]["creditPoint"]["point"], "5",
        "ECTS as string"
    );
    assert_eq!(
        v["credentialSubject"]["hasClaim"]["specifiedBy"]["learningOutcome"]
            .as_array()
            .map(Vec::len),
        Some(3),
        "outcome added"
    );
    assert_eq!(
        v["credentialSubject"]["hasClaim"]["provenBy"],
        original.as_value()["credentialSubject"]["hasClaim"]["provenBy"],
        "untouched parts kept"
    );
    assert!(
        annex1::check(&c).complete(),
        "still a complete micro-credential"
    );
    let back = TemplateForm::from_credential(&c);
    assert_eq!(back.ects_points.as_deref(), Some("5"), "reads back");
    assert_eq!(back.learning_outcomes.len(), 3, "reads back outcomes");
    let _: Value = serde_json::to_value(&back).expect("serializes");
}

#[test]
fn bad_values_are_refused_with_the_field() {
    let mut c = sample("Sample-MC-Annex1-unsigned.jsonld");
    let mut f = TemplateForm::from_credential(&c);
    f.volume_of_learning = Some("sixty hours".into());
    let err = f.apply_to(&mut c).expect_err("not a duration");
    assert!(
        err.to_string().contains("volumeOfLearning"),
        "names the field: {err}"
    );
}
