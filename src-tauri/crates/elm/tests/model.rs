//! The typed model reads every official sample and writes it back to an equal JSON value.

use std::path::PathBuf;

use sealdesk_elm::model::{Claim, EdcCredential, OneOrMany};
use sealdesk_elm::Credential;
use serde_json::Value;

fn shared(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../../shared")
        .join(rel)
}

/// Every official credential: the unsigned samples, the uploadable wrappers, the payloads of
/// the signed ones and the EDCI prerelease samples.
fn corpus() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for dir in [
        "reference/elm-v3/credentials-jsonld",
        "reference/edci-platform/elm3-prerelease-samples",
    ] {
        let mut names: Vec<_> = std::fs::read_dir(shared(dir))
            .expect("sample folder")
            .map(|e| e.expect("entry").path())
            .collect();
        names.sort();
        for path in names {
            let v: Value =
                serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
            let v = match v.get("payload").and_then(Value::as_str) {
                Some(p) => serde_json::from_str(p).expect("payload json"),
                None => v,
            };
            let v = match v.get("credential") {
                Some(inner) => inner.clone(),
                None => v,
            };
            out.push((path.display().to_string(), v));
        }
    }
    assert!(
        out.len() >= 8,
        "the official corpus is there: {}",
        out.len()
    );
    out
}

#[test]
fn every_official_sample_round_trips_to_an_equal_value() {
    for (name, value) in corpus() {
        let model: EdcCredential = serde_json::from_value(value.clone())
            .unwrap_or_else(|e| panic!("{name} parses into the model: {e}"));
        let back = serde_json::to_value(&model).expect("serialize");
        assert_eq!(back, value, "{name} round-trips losslessly");
        let c = Credential::from_value(value, &name).expect("credential");
        assert_eq!(
            c.model().expect("model"),
            model,
            "{name}: Credential::model agrees"
        );
    }
}

#[test]
fn the_model_types_what_matters() {
    let (name, value) = corpus()
        .into_iter()
        .find(|(n, _)| n.ends_with("Sample-MC-Annex1-unsigned.jsonld"))
        .expect("annex I sample");
    let m: EdcCredential = serde_json::from_value(value).expect("model");
    let subject = m.credential_subject.as_ref().expect("subject");
    let claim = subject.has_claim.as_ref().and_then(OneOrMany::first);
    let Some(Claim::Achievement(a)) = claim else {
        panic!("{name}: the claim is an achievement: {claim:?}")
    };
    let spec = a
        .specified_by
        .as_ref()
        .and_then(OneOrMany::first)
        .expect("spec");
    assert!(spec.is_a("Qualification"), "specified by a Qualification");
    assert_eq!(
        spec.eqf_level.as_ref().and_then(|c| c.id.as_deref()),
        Some("http://data.europa.eu/snb/eqf/6"),
        "EQF level typed"
    );
    assert_eq!(
        spec.credit_point
            .as_ref()
            .and_then(OneOrMany::first)
            .and_then(|c| c.point.as_deref()),
        Some("2"),
        "ECTS point is a string"
    );
    let outcomes = spec.learning_outcome.as_ref().expect("outcomes");
    assert_eq!(outcomes.len(), 2, "two learning outcomes");
    assert!(
        matches!(outcomes.iter().next().and_then(|o| o.related_esco_skill.as_ref()), Some(OneOrMany::Many(v)) if v.len() == 3),
        "an array of ESCO skills stays an array"
    );
    assert!(
        matches!(
            outcomes
                .iter()
                .nth(1)
                .and_then(|o| o.related_esco_skill.as_ref()),
            Some(OneOrMany::One(_))
        ),
        "a single ESCO skill stays a single object"
    );
    let assessment = a
        .proven_by
        .as_ref()
        .and_then(OneOrMany::first)
        .expect("assessment");
    assert_eq!(
        assessment
            .grade
            .as_ref()
            .and_then(|g| g.note_literal.as_ref())
            .and_then(|l| l.text("en")),
        Some("Pass"),
        "grade note"
    );
    assert!(
        m.extra.is_empty() || !m.extra.contains_key("credentialSubject"),
        "named properties are not duplicated into extra"
    );
}

#[test]
fn language_arrays_and_unknown_properties_survive() {
    let json = serde_json::json!({
        "type": ["VerifiableCredential", "EuropeanDigitalCredential"],
        "displayParameter": {"title": {"en": ["Course", "Course (alt)"], "fr": "Cours"}, "futureField": 3},
        "somethingNew": {"nested": [1, 2]}
    });
    let m: EdcCredential = serde_json::from_value(json.clone()).expect("model");
    let title = m
        .display_parameter
        .as_ref()
        .and_then(|d| d.title.as_ref())
        .expect("title");
    assert_eq!(title.text("en"), Some("Course"), "first text of an array");
    assert_eq!(title.exact("fr"), Some("Cours"), "string form");
    assert_eq!(
        m.extra.get("somethingNew"),
        json.get("somethingNew"),
        "unknown kept"
    );
    assert_eq!(serde_json::to_value(&m).expect("ser"), json, "lossless");
}

#[test]
fn a_wrong_type_is_named_by_its_keys_and_nulls_stay_as_read() {
    let bad = serde_json::json!({
        "type": ["VerifiableCredential", "EuropeanDigitalCredential"],
        "credentialSubject": {
            "type": "Person",
            "hasClaim": [{"type": "LearningAchievement", "title": {"en": 5}}]
        }
    });
    let c = Credential::from_value(bad, "bad.json").expect("a credential");
    let message = c.model().expect_err("a number is no title").to_string();
    assert!(
        message.contains("credentialSubject: hasClaim: title:"),
        "the keys on the way: {message}"
    );
    for not_a_map in [
        serde_json::json!({"type": "VerifiableCredential", "credentialSubject": "me"}),
        serde_json::json!({"type": "VerifiableCredential", "displayParameter": {"title": []}}),
    ] {
        let c = Credential::from_value(not_a_map, "bad.json").expect("a credential");
        assert!(c.model().is_err(), "refused, not guessed");
    }

    let with_null = serde_json::json!({
        "type": ["VerifiableCredential"],
        "validUntil": null,
        "displayParameter": {"title": {"en": "Course"}, "description": null}
    });
    let m = Credential::from_value(with_null.clone(), "null.json")
        .expect("a credential")
        .model()
        .expect("model");
    assert_eq!(
        serde_json::to_value(&m).expect("ser"),
        with_null,
        "nulls kept"
    );
}
