//! Builder, sealing preparation and format checks against the official ELM v3 samples.

use std::path::PathBuf;

use sealdesk_elm::{
    build, prepare_for_sealing, Credential, ElmError, IssuerIdentity, Recipient, Template,
};
use serde_json::Value;
use time::macros::datetime;
use uuid::Uuid;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../..")
}

fn shared(rel: &str) -> PathBuf {
    repo_root().join("../shared").join(rel)
}

fn samples_dir() -> PathBuf {
    shared("reference/elm-v3/credentials-jsonld")
}

fn template() -> Template {
    let path = repo_root().join("assets/templates/generic-sample.json");
    let bytes = std::fs::read(&path).expect("template asset");
    Template::from_json(&bytes, "generic-sample.json").expect("template parses")
}

fn recipient() -> Recipient {
    let path = repo_root().join("assets/templates/sample-recipient.json");
    serde_json::from_slice(&std::fs::read(path).expect("recipient asset"))
        .expect("recipient parses")
}

fn identity() -> IssuerIdentity {
    IssuerIdentity {
        legal_name: "Université de Test".into(),
        organization_identifier: "VATFR-12345678901".into(),
        country_alpha2: "FR".into(),
        common_name: "Université de Test eSeal".into(),
    }
}

fn signed_payload(name: &str) -> Credential {
    let envelope: Value =
        serde_json::from_slice(&std::fs::read(samples_dir().join(name)).expect("sample"))
            .expect("json");
    let payload = envelope["payload"].as_str().expect("payload string");
    Credential::from_json(payload.as_bytes(), name).expect("payload is a credential")
}

#[test]
fn recipient_json_is_camel_case() {
    let r = recipient();
    assert_eq!(r.full_name, "Ana Andromeda", "fullName read");
    assert_eq!(
        r.date_of_birth.map(|d| d.to_string()).as_deref(),
        Some("1999-10-02"),
        "dateOfBirth read as a date"
    );
    let back = serde_json::to_value(&r).expect("serialize");
    assert!(
        back.get("fullName").is_some() && back.get("dateOfBirth").is_some(),
        "camelCase out: {back}"
    );
}

#[test]
fn build_sets_learner_id_and_dates() {
    let id = Uuid::parse_str("2b1f3c9e-0000-4000-8000-000000000001").expect("uuid");
    let c = build(
        &template(),
        &recipient(),
        id,
        datetime!(2025-01-15 00:00 UTC),
    )
    .expect("builds");
    let v = c.as_value();
    assert_eq!(
        v["id"], "urn:credential:2b1f3c9e-0000-4000-8000-000000000001",
        "credential id"
    );
    assert_eq!(v["validFrom"], "2025-01-15T00:00:00Z", "validFrom in UTC");
    assert!(
        v.get("issued").is_none() && v.get("issuanceDate").is_none(),
        "stale issue dates removed"
    );
    let s = &v["credentialSubject"];
    assert_eq!(
        s["fullName"]["en"], "Ana Andromeda",
        "full name in the primary language"
    );
    assert_eq!(s["givenName"]["en"], "Ana", "given name");
    assert_eq!(s["familyName"]["en"], "Andromeda", "family name");
    assert_eq!(
        s["dateOfBirth"], "1999-10-02T00:00:00Z",
        "date of birth as xsd:dateTime"
    );
    assert_eq!(
        s["contactPoint"]["emailAddress"]["id"], "mailto:ana.andromeda@example.org",
        "mailto"
    );
    assert_eq!(
        s["hasClaim"]["type"], "LearningAchievement",
        "the template claim is kept"
    );
    let summary = c.summary();
    assert_eq!(
        summary.title.as_deref(),
        Some("Micro-Credential"),
        "title from displayParameter"
    );
    assert_eq!(summary.learner.as_deref(), Some("Ana Andromeda"), "learner");
    assert_eq!(summary.primary_language, "en", "primary language");
}

#[test]
fn build_uses_primary_language_of_template() {
    let mut v = template().credential().as_value().clone();
    v["displayParameter"]["primaryLanguage"]["id"] =
        Value::from("http://publications.europa.eu/resource/authority/language/FRA");
    let t =
        Template::from_json(&serde_json::to_vec(&v).expect("ser"), "fr.json").expect("template");
    let c = build(
        &t,
        &recipient(),
        Uuid::nil(),
        datetime!(2025-01-15 00:00 UTC),
    )
    .expect("builds");
    assert_eq!(
        c.as_value()["credentialSubject"]["fullName"]["fr"],
        "Ana Andromeda",
        "names keyed fr"
    );
}

#[test]
fn build_rejects_bad_recipient() {
    let mut r = recipient();
    r.email = "not-an-address".into();
    let err = build(
        &template(),
        &r,
        Uuid::nil(),
        datetime!(2025-01-15 00:00 UTC),
    )
    .expect_err("bad mail");
    assert!(
        matches!(err, ElmError::RecipientInvalid { field: "email", .. }),
        "names the field: {err:?}"
    );
    let mut r = recipient();
    r.full_name = "  ".into();
    let err = build(
        &template(),
        &r,
        Uuid::nil(),
        datetime!(2025-01-15 00:00 UTC),
    )
    .expect_err("no name");
    assert!(
        matches!(
            err,
            ElmError::RecipientInvalid {
                field: "fullName",
                ..
            }
        ),
        "names the field: {err:?}"
    );
}

#[test]
fn prepare_for_sealing_fills_issuer_fields() {
    let mut c = build(
        &template(),
        &recipient(),
        Uuid::nil(),
        datetime!(2025-01-15 00:00 UTC),
    )
    .expect("builds");
    let before = c.check_format();
    let pointers: Vec<&str> = before.iter().map(|f| f.pointer.as_str()).collect();
    assert_eq!(
        pointers,
        ["/issued", "/issuer/eIDASIdentifier"],
        "a fresh build lacks only the sealing fields: {before:?}"
    );
    prepare_for_sealing(&mut c, &identity(), datetime!(2025-02-01 09:30 +01:00)).expect("prepares");
    prepare_for_sealing(&mut c, &identity(), datetime!(2025-02-01 09:30 +01:00))
        .expect("idempotent");
    let v = c.as_value();
    let eidas = &v["issuer"]["eIDASIdentifier"];
    assert_eq!(
        eidas["id"], "urn:certificateIdentifier:1",
        "eIDAS identifier id"
    );
    assert_eq!(eidas["type"], "LegalIdentifier", "type");
    assert_eq!(
        eidas["notation"], "VATFR-12345678901",
        "notation = organizationIdentifier"
    );
    assert_eq!(
        eidas["spatial"]["id"], "http://publications.europa.eu/resource/authority/country/FRA",
        "alpha-3 authority code"
    );
    assert_eq!(
        v["issuer"]["id"], "urn:certificateOrganisation:1",
        "issuer gets its own node"
    );
    assert_eq!(
        v["credentialSubject"]["hasClaim"]["awardedBy"]["awardingBody"]["id"], "urn:epass:org:1",
        "the awarding body keeps its node"
    );
    assert_eq!(
        v["issuer"]["legalName"]["en"], "Université de Test",
        "legal name from O"
    );
    let locations = v["issuer"]["location"].as_array().expect("locations array");
    let cert_locations = locations
        .iter()
        .filter(|l| l["id"] == "urn:certificateLocation:1")
        .count();
    assert_eq!(
        cert_locations, 1,
        "one certificate location even after two calls"
    );
    assert_eq!(locations.len(), 2, "the template location is kept");
    assert_eq!(v["issued"], "2025-02-01T08:30:00Z", "issued in UTC");
    assert_eq!(v["issuanceDate"], v["issued"], "issuanceDate = issued");
    assert!(
        c.check_format().is_empty(),
        "complete after preparation: {:?}",
        c.check_format()
    );
}

#[test]
fn prepare_for_sealing_rejects_unknown_country() {
    let mut c = template().credential().clone();
    let mut id = identity();
    id.country_alpha2 = "ZZ".into();
    let err = prepare_for_sealing(&mut c, &id, datetime!(2025-02-01 09:30 UTC)).expect_err("ZZ");
    assert!(
        matches!(err, ElmError::UnknownCountry { .. }),
        "unknown country: {err:?}"
    );
}

#[test]
fn check_format_on_official_samples() {
    for name in [
        "Sample-CertOfPart-signed.jsonld",
        "Sample-MC-Annex1-signed.jsonld",
    ] {
        let findings = signed_payload(name).check_format();
        assert!(
            findings.is_empty(),
            "{name} signed payload is complete: {findings:?}"
        );
    }
    for name in [
        "Sample-CertOfPart-unsigned.jsonld",
        "Sample-MC-Annex1-unsigned.jsonld",
        "Sample-CertOfPart-unsigned-uploadable.json",
        "Sample-MC-Annex1-unsigned-uploadable.json",
    ] {
        let bytes = std::fs::read(samples_dir().join(name)).expect("sample");
        let findings = Credential::from_json(&bytes, name)
            .expect("parses")
            .check_format();
        let pointers: Vec<&str> = findings.iter().map(|f| f.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            ["/issued", "/issuer/eIDASIdentifier"],
            "{name} misses the sealing fields"
        );
        assert!(
            findings[1].message.contains("eIDAS identifier")
                && findings[1].message.contains("seal certificate"),
            "plain-words message: {}",
            findings[1].message
        );
    }
}

#[test]
fn check_format_reports_nested_places() {
    let mut v = signed_payload("Sample-MC-Annex1-signed.jsonld").into_value();
    let claim = v.pointer_mut("/credentialSubject/hasClaim").expect("claim");
    claim.as_object_mut().expect("object").remove("awardedBy");
    v.as_object_mut().expect("root").remove("validFrom");
    let c = Credential::from_value(v, "edited").expect("still a credential");
    let pointers: Vec<String> = c.check_format().into_iter().map(|f| f.pointer).collect();
    assert_eq!(
        pointers,
        ["/credentialSubject/hasClaim/awardedBy", "/validFrom"],
        "missing claim awardedBy and validFrom are named"
    );
}

#[test]
fn summary_of_official_sample() {
    let s = signed_payload("Sample-CertOfPart-signed.jsonld").summary();
    assert_eq!(
        s.id.as_deref(),
        Some("urn:credential:43662fb0-c31c-4afb-b501-e85aea91c0a8"),
        "id"
    );
    assert_eq!(
        s.title.as_deref(),
        Some("Certificate of Participation"),
        "title"
    );
    assert_eq!(
        s.issuer.as_deref(),
        Some("ORGANIZACION TEST"),
        "issuer legal name"
    );
    assert!(s.learner.is_some(), "learner name present");
}

#[test]
fn payload_bytes_are_stable_and_parse_back() {
    let c = build(
        &template(),
        &recipient(),
        Uuid::nil(),
        datetime!(2025-01-15 00:00 UTC),
    )
    .expect("builds");
    let a = c.to_payload_bytes().expect("bytes");
    let b = c.to_payload_bytes().expect("bytes");
    assert_eq!(a, b, "same credential, same bytes");
    let back = Credential::from_json(&a, "payload").expect("payload parses");
    assert_eq!(
        back, c,
        "bytes round-trip to the same credential (key order kept)"
    );
}
