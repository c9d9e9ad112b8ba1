//! Annex I (micro-credentials) on the official sample: complete as published; each of the 11
//! mandatory elements, once removed, is named as missing.

use std::path::PathBuf;

use sealdesk_elm::{annex1, Credential};
use serde_json::Value;

fn sample() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(
        "../../../../shared/reference/elm-v3/credentials-jsonld/Sample-MC-Annex1-unsigned.jsonld",
    );
    serde_json::from_slice(&std::fs::read(path).expect("sample")).expect("json")
}

fn report(v: Value) -> annex1::Annex1Report {
    annex1::check(&Credential::from_value(v, "annex1").expect("credential"))
}

fn remove(v: &mut Value, pointer: &str) {
    let (parent, key) = pointer.rsplit_once('/').expect("pointer");
    let removed = v
        .pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .and_then(|m| m.remove(key));
    assert!(removed.is_some(), "the sample has {pointer}");
}

#[test]
fn the_official_annex1_sample_is_complete() {
    let r = report(sample());
    let missing: Vec<&str> = r.missing().map(|e| e.key.as_str()).collect();
    assert!(r.complete(), "nothing missing: {missing:?}");
    assert_eq!(
        r.elements.iter().filter(|e| e.mandatory).count(),
        11,
        "11 mandatory elements"
    );
    let value = |k: &str| {
        r.elements
            .iter()
            .find(|e| e.key == k)
            .and_then(|e| e.value.clone())
            .unwrap_or_default()
    };
    assert_eq!(value("learner"), "Ana Andromeda", "learner");
    assert_eq!(value("title"), "Digital micro-credential creation", "title");
    assert!(
        value("country").starts_with("Ireland"),
        "country: {}",
        value("country")
    );
    assert_eq!(value("awardingBody"), "University of Zed", "awarding body");
    assert!(
        value("workload").starts_with("2 ECTS"),
        "workload: {}",
        value("workload")
    );
    assert!(
        value("level").contains("Level 6"),
        "level: {}",
        value("level")
    );
    assert_eq!(
        value("assessmentType"),
        "artefact assessment",
        "assessment type"
    );
    assert_eq!(
        value("formOfParticipation"),
        "Blended, non-formal learning",
        "participation"
    );
    assert_eq!(value("grade"), "Pass", "optional grade");
    assert_eq!(
        value("supervision"),
        "Unsupervised without ID Verification",
        "supervision"
    );
    assert!(value("prerequisites").contains("EU Login"), "prerequisites");
    assert_eq!(value("stackability"), "stand-alone", "stackability");
}

/// Each mandatory element with the JSON pointers that carry it in the official sample.
const MUTATIONS: &[(&str, &[&str])] = &[
    (
        "learner",
        &[
            "/credentialSubject/fullName",
            "/credentialSubject/givenName",
            "/credentialSubject/familyName",
        ],
    ),
    ("title", &["/credentialSubject/hasClaim/title"]),
    ("country", &["/issuer/location/address/countryCode"]),
    (
        "awardingBody",
        &["/credentialSubject/hasClaim/awardedBy/awardingBody"],
    ),
    ("dateOfIssuing", &["/validFrom"]),
    (
        "learningOutcomes",
        &["/credentialSubject/hasClaim/specifiedBy/learningOutcome"],
    ),
    (
        "workload",
        &[
            "/credentialSubject/hasClaim/specifiedBy/creditPoint",
            "/credentialSubject/hasClaim/specifiedBy/volumeOfLearning",
        ],
    ),
    (
        "level",
        &[
            "/credentialSubject/hasClaim/specifiedBy/eqfLevel",
            "/credentialSubject/hasClaim/specifiedBy/nqfLevel",
        ],
    ),
    (
        "assessmentType",
        &["/credentialSubject/hasClaim/provenBy/specifiedBy/dcType"],
    ),
    (
        "formOfParticipation",
        &[
            "/credentialSubject/hasClaim/specifiedBy/mode",
            "/credentialSubject/hasClaim/specifiedBy/learningSetting",
        ],
    ),
    (
        "qualityAssurance",
        &["/credentialSubject/hasClaim/awardedBy/awardingBody/registration"],
    ),
];

#[test]
fn removing_each_mandatory_element_names_it() {
    assert_eq!(MUTATIONS.len(), 11, "one mutation per mandatory element");
    for (key, pointers) in MUTATIONS {
        let mut v = sample();
        for p in *pointers {
            remove(&mut v, p);
        }
        let r = report(v);
        let missing: Vec<&str> = r.missing().map(|e| e.key.as_str()).collect();
        // The quality assurance is the awarding body's registration: removing the body takes it too.
        let expected: &[&str] = if *key == "awardingBody" {
            &["awardingBody", "qualityAssurance"]
        } else {
            std::slice::from_ref(key)
        };
        assert_eq!(missing, expected, "removing {pointers:?} names {key}");
        let e = r.missing().next().expect("one missing");
        assert!(
            !e.hint.is_empty() && e.pointer.starts_with('/'),
            "{key} says where: {e:?}"
        );
    }
}

#[test]
fn the_micro_credential_template_built_for_a_recipient_is_complete() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../assets/templates");
    let t = sealdesk_elm::Template::from_json(
        &std::fs::read(root.join("micro-credential.json")).expect("template"),
        "micro-credential.json",
    )
    .expect("template parses");
    let r: sealdesk_elm::Recipient =
        serde_json::from_slice(&std::fs::read(root.join("sample-recipient.json")).expect("r"))
            .expect("recipient");
    let c = sealdesk_elm::build(
        &t,
        &r,
        uuid::Uuid::nil(),
        time::macros::datetime!(2025-01-15 00:00 UTC),
    )
    .expect("builds");
    let report = annex1::check(&c);
    let missing: Vec<&str> = report.missing().map(|e| e.key.as_str()).collect();
    assert!(
        report.complete(),
        "built micro-credential lacks {missing:?}"
    );
}
