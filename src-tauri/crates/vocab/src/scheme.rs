//! The vocabularies Sealdesk knows by a short key, and how their concepts are written into an
//! ELM credential (the same `Concept` objects the official samples use).

use serde_json::{json, Map, Value};

use crate::Concept;

/// A vocabulary: its key (used by the UI and the CLI), concept-scheme URI and English name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchemeInfo {
    /// Short key (`eqf`, `language` …).
    pub key: &'static str,
    /// Concept-scheme URI.
    pub uri: &'static str,
    /// English name.
    pub name: &'static str,
}

const SNB: &str = "http://data.europa.eu/snb/";
const AUTHORITY: &str = "http://publications.europa.eu/resource/authority/";
/// The ESCO skills concept scheme.
pub const ESCO_SKILLS: &str = "http://data.europa.eu/esco/concept-scheme/skills";

macro_rules! snb {
    ($key:literal, $name:literal) => {
        SchemeInfo {
            key: $key,
            uri: concat!("http://data.europa.eu/snb/", $key, "/25831c2"),
            name: $name,
        }
    };
}
macro_rules! authority {
    ($key:literal, $name:literal) => {
        SchemeInfo {
            key: $key,
            uri: concat!("http://publications.europa.eu/resource/authority/", $key),
            name: $name,
        }
    };
}

/// Every vocabulary shipped with Sealdesk.
pub const SCHEMES: &[SchemeInfo] = &[
    snb!("eqf", "European Qualifications Framework level"),
    snb!("qdr", "National qualification framework level"),
    snb!("isced-f", "ISCED-F field of education and training"),
    snb!("credential", "Credential type"),
    snb!("learning-setting", "Learning setting"),
    snb!("learning-assessment", "Mode of learning and assessment"),
    snb!("learning-activity", "Learning activity type"),
    snb!("learning-opportunity", "Learning opportunity type"),
    snb!("learning-schedule", "Learning schedule"),
    snb!("assessment", "Assessment type"),
    snb!("education-credit", "Credit system"),
    snb!("evidence-type", "Evidence type"),
    snb!(
        "supervision-verification",
        "Supervision and ID verification"
    ),
    snb!("entitlement", "Entitlement type"),
    snb!("entitlement-status", "Entitlement status"),
    snb!("accreditation", "Accreditation type"),
    snb!("target-group", "Target group"),
    snb!("encoding", "Content encoding"),
    snb!("skill-reuse-level", "Skill reuse level"),
    snb!("skill-type", "Skill type"),
    authority!("language", "Language"),
    authority!("country", "Country"),
    authority!("atu", "Administrative territorial unit"),
    authority!("human-sex", "Sex"),
    authority!("file-type", "File type"),
    authority!("currency", "Currency"),
    SchemeInfo {
        key: "nuts",
        uri: "http://data.europa.eu/nuts",
        name: "NUTS region",
    },
];

/// The vocabulary with this key.
pub fn scheme(key: &str) -> Option<&'static SchemeInfo> {
    SCHEMES.iter().find(|s| s.key == key)
}

/// The vocabulary with this concept-scheme URI.
pub fn scheme_by_uri(uri: &str) -> Option<&'static SchemeInfo> {
    SCHEMES.iter().find(|s| s.uri == uri)
}

/// Whether `uri` is a scheme Sealdesk accepts concepts for (shipped or an EU list of the same
/// families).
pub fn is_eu_scheme(uri: &str) -> bool {
    uri.starts_with(SNB) || uri.starts_with(AUTHORITY) || scheme_by_uri(uri).is_some()
}

/// The ELM `Concept` object for `concept`, in the form the official samples use: `id`, `type`,
/// `inScheme`, `notation` where the samples carry one (authority tables: the table name; ESCO
/// skills: `Skill`), and `prefLabel` in the given languages (English when none of them has a
/// label).
pub fn concept_json(concept: &Concept, languages: &[&str]) -> Value {
    let mut object = Map::new();
    object.insert("id".into(), json!(concept.id));
    object.insert("type".into(), json!("Concept"));
    object.insert(
        "inScheme".into(),
        json!({"id": concept.scheme, "type": "ConceptScheme"}),
    );
    if let Some(notation) = elm_notation(&concept.scheme) {
        object.insert("notation".into(), json!(notation));
    }
    let mut labels = Map::new();
    for lang in languages {
        if let Some(label) = concept.pref_labels.get(*lang) {
            labels.insert((*lang).to_owned(), json!(label));
        }
    }
    if labels.is_empty() {
        if let Some(label) = concept.label("en") {
            labels.insert("en".into(), json!(label));
        }
    }
    object.insert("prefLabel".into(), Value::Object(labels));
    Value::Object(object)
}

/// The `notation` the official samples write for concepts of `scheme`, if any.
fn elm_notation(scheme: &str) -> Option<&str> {
    if scheme == ESCO_SKILLS {
        return Some("Skill");
    }
    scheme
        .strip_prefix(AUTHORITY)
        .filter(|table| !table.is_empty() && !table.contains('/'))
}
