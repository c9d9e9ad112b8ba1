//! Templates and skills flows over a real SQLite catalogue and the official samples.

use std::path::PathBuf;

use sealdesk_flows::{Catalogue, ErrorCode, FlowError};
use time::macros::datetime;

fn sample(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../../shared/reference/elm-v3/credentials-jsonld")
        .join(name)
}

fn catalogue(dir: &tempfile::TempDir) -> Catalogue {
    Catalogue::open(&dir.path().join("catalogue.sqlite3")).expect("catalogue")
}

const NOW: time::OffsetDateTime = datetime!(2026-02-01 08:00:00 UTC);

#[test]
fn an_official_sample_imports_and_exports_byte_for_byte() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cat = catalogue(&dir);
    let bytes = std::fs::read(sample("Sample-MC-Annex1-unsigned.jsonld")).expect("sample");
    let view = sealdesk_flows::import_template(
        &cat,
        &bytes,
        "Sample-MC-Annex1-unsigned.jsonld",
        None,
        NOW,
    )
    .expect("import");
    assert_eq!(view.summary.version, 1, "a new template");
    assert_eq!(
        view.summary.profile.as_deref(),
        Some("http://data.europa.eu/snb/credential/e34929035b"),
        "profile read from credentialProfiles"
    );
    assert!(!view.summary.name.is_empty(), "named after its title");
    assert_eq!(
        view.annex1,
        Some(vec![]),
        "the Annex I sample is a complete micro-credential"
    );
    let exported = sealdesk_flows::export_template(&cat, &view.summary.id, None).expect("export");
    assert_eq!(
        exported.as_bytes(),
        bytes.as_slice(),
        "export gives back the imported bytes"
    );
    let listed = sealdesk_flows::list_templates(&cat, false).expect("list");
    assert_eq!(listed, vec![view.summary.clone()], "listed");
}

#[test]
fn the_upload_wrapper_is_unwrapped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cat = catalogue(&dir);
    let bytes = std::fs::read(sample("Sample-MC-Annex1-unsigned-uploadable.json")).expect("sample");
    let view = sealdesk_flows::import_template(&cat, &bytes, "upload.json", Some("Annex I"), NOW)
        .expect("import");
    assert_eq!(view.summary.name, "Annex I", "the given name wins");
    let stored: serde_json::Value = serde_json::from_str(&view.credential_json).expect("json");
    let original: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
    assert_eq!(
        stored, original["credential"],
        "the credential inside the wrapper is stored"
    );
}

#[test]
fn a_malformed_file_is_refused_with_its_place_and_nothing_is_stored() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cat = catalogue(&dir);
    let broken = b"{\n  \"type\": [\"VerifiableCredential\",\n  \"credentialSubject\": {}\n}";
    let error = sealdesk_flows::import_template(&cat, broken, "broken.json", None, NOW)
        .expect_err("malformed JSON is refused");
    assert_eq!(error.code(), ErrorCode::InvalidInput, "bad input: {error}");
    let text = error.to_string();
    assert!(
        text.contains("broken.json") && text.contains("line 3"),
        "names file and line: {text}"
    );
    let not_credential = br#"{"type": ["Thing"], "title": "x"}"#;
    let error = sealdesk_flows::import_template(&cat, not_credential, "thing.json", None, NOW)
        .expect_err("not a credential");
    assert!(
        error.to_string().contains("/type"),
        "names the JSON pointer: {error}"
    );
    assert!(
        sealdesk_flows::list_templates(&cat, true)
            .expect("list")
            .is_empty(),
        "the catalogue is left as it was"
    );
}

#[test]
fn greek_and_cyrillic_round_trip_and_versions_copy_archive() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cat = catalogue(&dir);
    let json = "{\n  \"type\": [\"VerifiableCredential\", \"EuropeanDigitalCredential\"],\n  \"credentialSubject\": {\"hasClaim\": {\"title\": {\"el\": \"Ψηφιακό περιεχόμενο\", \"bg\": \"Цифрово съдържание\", \"uk\": \"Цифровий вміст\"}}}\n}\n";
    let created = sealdesk_flows::create_template(&cat, "Πρότυπο", json, NOW).expect("create");
    let id = created.summary.id.clone();
    assert_eq!(
        sealdesk_flows::export_template(&cat, &id, None)
            .expect("export")
            .as_bytes(),
        json.as_bytes(),
        "UTF-8 byte for byte"
    );
    assert!(
        !created.findings.is_empty(),
        "an incomplete credential has findings"
    );
    let annex1 = created.annex1.clone().expect("Annex I checked");
    assert!(
        annex1.len() >= 5,
        "a bare credential misses most Annex I elements: {annex1:?}"
    );
    let saved =
        sealdesk_flows::save_template(&cat, &id, "Πρότυπο 2", &json.replace("Ψηφιακό", "Νέο"), NOW)
            .expect("save");
    assert_eq!(saved.summary.version, 2, "a save is a new version");
    assert_eq!(
        sealdesk_flows::template(&cat, &id, Some(1))
            .expect("v1")
            .credential_json,
        json,
        "version 1 unchanged"
    );
    let copy = sealdesk_flows::copy_template(&cat, &id, "Αντίγραφο", NOW).expect("copy");
    assert_eq!(
        copy.copied_from.as_deref(),
        Some(id.as_str()),
        "copy knows its origin"
    );
    assert_eq!(copy.copied_from_version, Some(2), "from the latest version");
    let archived = sealdesk_flows::archive_template(&cat, &id, NOW).expect("archive");
    assert!(archived.archived, "archived");
    let ids: Vec<String> = sealdesk_flows::list_templates(&cat, false)
        .expect("list")
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(
        ids,
        vec![copy.summary.id.clone()],
        "archived hidden from the list"
    );
    let error = sealdesk_flows::save_template(&cat, &id, "x", json, NOW).expect_err("archived");
    assert!(matches!(error, FlowError::Catalogue(_)), "refused: {error}");
    assert_eq!(
        error.code(),
        ErrorCode::InvalidInput,
        "a person can act on it"
    );
    let missing = sealdesk_flows::template(&cat, "nope", None).expect_err("unknown id");
    assert_eq!(
        missing.code(),
        ErrorCode::InvalidInput,
        "unknown template: {missing}"
    );
}

#[test]
fn skills_and_vocabularies_for_the_editor() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cat = catalogue(&dir);
    let load = sealdesk_flows::prepare_vocabularies(&cat).expect("load");
    assert!(
        load.loaded_now && load.skills == 13_939,
        "first start loads: {load:?}"
    );
    let suggestions =
        sealdesk_flows::suggest_skills(&cat, "Developing digital content").expect("suggest");
    assert_eq!(suggestions.len(), 3, "three suggestions");
    assert_eq!(
        suggestions[0].uri, "http://data.europa.eu/esco/skill/5fd5c985-eaaa-47aa-8314-62359c54505a",
        "the skill the Annex I sample links"
    );
    assert!(suggestions[0].label_exact, "its label is exact");
    let found = sealdesk_flows::search_skills(&cat, "business analy", 5).expect("search");
    assert!(
        found
            .iter()
            .any(|s| s.uri
                == "http://data.europa.eu/esco/skill/27ed854c-15b8-4ba2-90e9-ae888a219703"),
        "perform business analysis is found while typing: {found:?}"
    );
    let eqf = sealdesk_flows::vocabulary(&cat, "eqf", "en").expect("eqf");
    assert_eq!(eqf.len(), 8, "eight EQF levels");
    let level6: serde_json::Value = serde_json::from_str(&eqf[5].concept_json).expect("json");
    assert_eq!(
        level6,
        serde_json::json!({"id": "http://data.europa.eu/snb/eqf/6", "type": "Concept",
            "inScheme": {"id": "http://data.europa.eu/snb/eqf/25831c2", "type": "ConceptScheme"},
            "prefLabel": {"en": "Level 6"}}),
        "the concept as the Annex I sample writes it"
    );
    let languages = sealdesk_flows::vocabulary(&cat, "language", "el").expect("languages");
    let greek = languages
        .iter()
        .find(|c| c.id.ends_with("/ELL"))
        .expect("Greek");
    assert_eq!(greek.label, "ελληνικά", "labelled in the asked language");
    let error = sealdesk_flows::vocabulary(&cat, "colours", "en").expect_err("unknown key");
    assert_eq!(error.code(), ErrorCode::InvalidInput, "{error}");
}
