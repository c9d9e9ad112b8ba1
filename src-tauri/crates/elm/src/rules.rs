//! Rules before sealing: the constraints of the official ELM 3.1 SHACL shapes
//! (`EDC-generic-no-cv.ttl` + `EDC-generic-full.ttl`) that matter for a credential we produce,
//! enforced on the JSON with one finding per problem (JSON pointer + plain sentence).
//!
//! How it reads the JSON like the RDF graph pySHACL sees: every object with a `type` is a node;
//! objects with the same `id` are one node (their properties are merged, equal values counted
//! once); a value counts as a language-tagged string only in a language map; dates must be
//! `xsd:dateTime`, durations `xsd:duration`, `creditPoint.point` a JSON string, `page` a positive
//! integer; controlled values must sit in the scheme the full profile names (EQF, ISCED-F,
//! language, country, ...). The table [`SHAPES`] says which; it is a subset of the shapes
//! (cross-checked against pySHACL on the official samples and mutated copies in
//! `tests/rules.rs`). Not here: SPARQL-free constraints on classes we never write (accreditation
//! details, verification checks), nor the application profiles other than generic and issued-by-mandate
//! ([`crate::mandate`] adds the latter's evidence constraints).

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::credential::Credential;
use crate::format::Finding;

/// What a property's values must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Anything (only the count is checked).
    Any,
    /// Language map (`rdf:langString`), at most one text per language.
    LangString,
    /// Language map, with no per-language uniqueness in the shapes.
    LangStringMulti,
    /// `xsd:dateTime`.
    DateTime,
    /// `xsd:duration`.
    Duration,
    /// JSON string (`xsd:string`).
    Text,
    /// Positive JSON integer.
    PositiveInteger,
    /// JSON boolean.
    Boolean,
    /// A node (object).
    Object,
    /// A concept in the given scheme (`inScheme.id`).
    InScheme(&'static str),
}

/// One property constraint of a shape.
#[derive(Debug, Clone, Copy)]
pub struct Prop {
    /// JSON key.
    pub key: &'static str,
    /// Minimum number of values.
    pub min: u8,
    /// Maximum number of values (0 = unbounded).
    pub max: u8,
    /// What the values must be.
    pub kind: Kind,
    /// Plain words for the property (used in messages).
    pub what: &'static str,
}

const fn p(key: &'static str, min: u8, max: u8, kind: Kind, what: &'static str) -> Prop {
    Prop {
        key,
        min,
        max,
        kind,
        what,
    }
}

const LANGUAGE: &str = "http://publications.europa.eu/resource/authority/language";
const COUNTRY: &str = "http://publications.europa.eu/resource/authority/country";
const EQF: &str = "http://data.europa.eu/snb/eqf/25831c2";
const NQF: &str = "http://data.europa.eu/snb/qdr/25831c2";
const ISCED: &str = "http://data.europa.eu/snb/isced-f/25831c2";
const SETTING: &str = "http://data.europa.eu/snb/learning-setting/25831c2";
const CREDENTIAL_TYPE: &str = "http://data.europa.eu/snb/credential/25831c2";
const EVIDENCE_TYPE: &str = "http://data.europa.eu/snb/evidence-type/25831c2";
const ENTITLEMENT_STATUS: &str = "http://data.europa.eu/snb/entitlement-status/25831c2";
const ESCO_SKILLS: &str = "http://data.europa.eu/esco/concept-scheme/skills";
const REUSE: &str = "http://data.europa.eu/snb/skill-reuse-level/25831c2";
const SKILL_TYPE: &str = "http://data.europa.eu/snb/skill-type/25831c2";

use Kind::*;

const CLAIM: &[Prop] = &[
    p("title", 1, 0, LangString, "title"),
    p("description", 0, 0, LangString, "description"),
    p("awardedBy", 1, 1, Object, "awarding process (awardedBy)"),
];

const SPEC: &[Prop] = &[
    p("title", 1, 0, LangString, "title"),
    p("description", 0, 0, LangString, "description"),
    p("volumeOfLearning", 0, 1, Duration, "volume of learning"),
    p("language", 0, 0, InScheme(LANGUAGE), "language"),
    p("modified", 0, 1, DateTime, "modification date"),
    p("status", 0, 1, Text, "status"),
];

/// The shapes enforced, by JSON `type`.
pub const SHAPES: &[(&str, &[Prop])] = &[
    (
        "EuropeanDigitalCredential",
        &[
            p(
                "credentialProfiles",
                1,
                0,
                InScheme(CREDENTIAL_TYPE),
                "credential profile (credentialProfiles)",
            ),
            p(
                "credentialSchema",
                1,
                0,
                Object,
                "schema (credentialSchema)",
            ),
            p(
                "displayParameter",
                1,
                1,
                Object,
                "display (displayParameter)",
            ),
            p(
                "credentialSubject",
                1,
                1,
                Object,
                "learner (credentialSubject)",
            ),
            p("issuer", 1, 1, Object, "issuer"),
            p(
                "issued",
                1,
                1,
                DateTime,
                "issue date (issued): it is set at sealing",
            ),
            p("issuanceDate", 0, 1, DateTime, "issuance date"),
            p("validFrom", 1, 1, DateTime, "valid-from date"),
            p("validUntil", 0, 1, DateTime, "valid-until date"),
            p("expirationDate", 0, 1, DateTime, "expiration date"),
            p("evidence", 0, 0, Object, "evidence"),
        ],
    ),
    (
        "DisplayParameter",
        &[
            p("title", 1, 0, LangString, "title"),
            p("description", 0, 0, LangString, "description"),
            p("language", 1, 0, InScheme(LANGUAGE), "language"),
            p(
                "primaryLanguage",
                1,
                1,
                InScheme(LANGUAGE),
                "primary language",
            ),
            p(
                "individualDisplay",
                1,
                0,
                Object,
                "per-language page (individualDisplay)",
            ),
        ],
    ),
    (
        "IndividualDisplay",
        &[
            p("language", 1, 1, Object, "language"),
            p("displayDetail", 1, 0, Object, "detail (displayDetail)"),
        ],
    ),
    (
        "DisplayDetail",
        &[
            p("image", 1, 1, Object, "image"),
            p("page", 1, 1, PositiveInteger, "page number"),
        ],
    ),
    (
        "MediaObject",
        &[
            p("content", 1, 1, Text, "content"),
            p("contentEncoding", 1, 1, Object, "encoding"),
            p("contentType", 1, 1, Object, "file type"),
        ],
    ),
    (
        "Person",
        &[
            p(
                "hasClaim",
                1,
                0,
                Object,
                "claim: add an achievement, activity, assessment or entitlement",
            ),
            p("fullName", 0, 1, LangString, "full name"),
            p("givenName", 0, 1, LangString, "given name"),
            p("familyName", 0, 1, LangString, "family name"),
            p("dateOfBirth", 0, 1, DateTime, "date of birth"),
            p("nationalID", 0, 1, Object, "national identifier"),
            p("citizenshipCountry", 0, 0, InScheme(COUNTRY), "citizenship"),
        ],
    ),
    ("LearningAchievement", CLAIM),
    ("LearningActivity", CLAIM),
    ("LearningEntitlement", CLAIM),
    (
        "LearningAssessment",
        &[
            p("title", 1, 0, LangString, "title"),
            p("description", 0, 0, LangString, "description"),
            p("awardedBy", 1, 1, Object, "awarding process (awardedBy)"),
            p("grade", 1, 1, Object, "grade"),
            p("idVerification", 0, 1, Object, "identity verification"),
        ],
    ),
    (
        "AwardingProcess",
        &[
            p("awardingBody", 1, 0, Object, "awarding body"),
            p("awardingDate", 0, 1, DateTime, "awarding date"),
        ],
    ),
    (
        "Organisation",
        &[
            p("legalName", 1, 0, LangString, "legal name"),
            p("location", 1, 0, Object, "location"),
            p("eIDASIdentifier", 0, 1, Object, "eIDAS identifier"),
            p("registration", 0, 1, Object, "registration"),
            p("logo", 0, 1, Object, "logo"),
        ],
    ),
    ("Location", &[p("address", 1, 0, Object, "address")]),
    (
        "Address",
        &[
            p("countryCode", 1, 1, InScheme(COUNTRY), "country"),
            p("fullAddress", 0, 1, Object, "full address"),
        ],
    ),
    (
        "LegalIdentifier",
        &[
            p("notation", 1, 1, Text, "value (notation)"),
            p("spatial", 1, 1, InScheme(COUNTRY), "country (spatial)"),
        ],
    ),
    (
        "Identifier",
        &[p("notation", 1, 1, Text, "value (notation)")],
    ),
    (
        "Qualification",
        &[
            p("title", 1, 0, LangString, "title"),
            p("description", 0, 0, LangString, "description"),
            p("volumeOfLearning", 0, 1, Duration, "volume of learning"),
            p("maximumDuration", 0, 1, Duration, "maximum duration"),
            p("language", 0, 0, InScheme(LANGUAGE), "language"),
            p("eqfLevel", 0, 1, InScheme(EQF), "EQF level"),
            p("nqfLevel", 0, 0, InScheme(NQF), "NQF level"),
            p(
                "thematicArea",
                0,
                0,
                InScheme(ISCED),
                "ISCED-F field (thematicArea)",
            ),
            p(
                "learningSetting",
                0,
                1,
                InScheme(SETTING),
                "learning setting",
            ),
            p("entryRequirement", 0, 1, Object, "entry requirement"),
            p(
                "isPartialQualification",
                0,
                1,
                Boolean,
                "partial-qualification flag",
            ),
        ],
    ),
    (
        "LearningAchievementSpecification",
        &[
            p("title", 1, 0, LangString, "title"),
            p("description", 0, 0, LangString, "description"),
            p("volumeOfLearning", 0, 1, Duration, "volume of learning"),
            p("maximumDuration", 0, 1, Duration, "maximum duration"),
            p("language", 0, 0, InScheme(LANGUAGE), "language"),
            p(
                "thematicArea",
                0,
                0,
                InScheme(ISCED),
                "ISCED-F field (thematicArea)",
            ),
            p(
                "learningSetting",
                0,
                1,
                InScheme(SETTING),
                "learning setting",
            ),
            p("entryRequirement", 0, 1, Object, "entry requirement"),
        ],
    ),
    ("LearningActivitySpecification", SPEC),
    (
        "LearningAssessmentSpecification",
        &[
            p("title", 1, 0, LangString, "title"),
            p("description", 0, 0, LangString, "description"),
            p("language", 0, 0, InScheme(LANGUAGE), "language"),
            p("gradingScheme", 0, 1, Object, "grading scheme"),
        ],
    ),
    (
        "LearningEntitlementSpecification",
        &[
            p("title", 1, 0, LangString, "title"),
            p("dcType", 1, 1, Object, "entitlement type (dcType)"),
            p(
                "entitlementStatus",
                1,
                1,
                InScheme(ENTITLEMENT_STATUS),
                "entitlement status",
            ),
        ],
    ),
    (
        "LearningOutcome",
        &[
            p("title", 1, 0, LangString, "title"),
            p(
                "relatedESCOSkill",
                0,
                0,
                InScheme(ESCO_SKILLS),
                "ESCO skill",
            ),
            p("reusabilityLevel", 0, 1, InScheme(REUSE), "re-use level"),
            p("dcType", 0, 1, InScheme(SKILL_TYPE), "skill type"),
        ],
    ),
    (
        "CreditPoint",
        &[
            p("framework", 1, 1, Object, "framework (e.g. ECTS)"),
            p("point", 1, 1, Text, "points"),
        ],
    ),
    (
        "Note",
        &[p("noteLiteral", 1, 0, LangString, "text (noteLiteral)")],
    ),
    (
        "WebResource",
        &[p("contentURL", 1, 1, Text, "address (contentURL)")],
    ),
    ("GradingScheme", &[p("title", 1, 0, LangString, "title")]),
    (
        "Group",
        &[p("prefLabel", 1, 0, LangString, "name (prefLabel)")],
    ),
    (
        "Evidence",
        &[
            p(
                "dcType",
                1,
                1,
                InScheme(EVIDENCE_TYPE),
                "evidence type (dcType)",
            ),
            p("evidenceStatement", 0, 1, Text, "statement"),
        ],
    ),
    (
        "PeriodOfTime",
        &[
            p("startDate", 0, 1, DateTime, "start date"),
            p("endDate", 0, 1, DateTime, "end date"),
        ],
    ),
    (
        "LearningOpportunity",
        &[
            p("title", 1, 0, LangString, "title"),
            p("providedBy", 1, 0, Object, "provider (providedBy)"),
        ],
    ),
];

/// One node of the graph: its occurrences in the JSON (same `id` = same node), each with the
/// span of its JSON pointer in the pointer arena (one buffer, not one string per object).
struct GraphNode<'a> {
    occurrences: Vec<(Span, &'a Map<String, Value>)>,
}

/// A JSON pointer's place in the arena built by [`collect`].
type Span = (usize, usize);

fn collect<'a>(
    value: &'a Value,
    pointer: &mut String,
    arena: &mut String,
    nodes: &mut Vec<GraphNode<'a>>,
    by_id: &mut HashMap<&'a str, usize>,
) {
    match value {
        Value::Object(map) => {
            let here = (arena.len(), arena.len() + pointer.len());
            arena.push_str(pointer);
            match member(map, "id").and_then(Value::as_str) {
                Some(id) => match by_id.get(id) {
                    Some(&i) => nodes[i].occurrences.push((here, map)),
                    None => {
                        by_id.insert(id, nodes.len());
                        nodes.push(GraphNode {
                            occurrences: vec![(here, map)],
                        });
                    }
                },
                None => nodes.push(GraphNode {
                    occurrences: vec![(here, map)],
                }),
            }
            for (k, v) in map {
                if k == "@context" || !(v.is_object() || v.is_array()) {
                    continue;
                }
                let len = pointer.len();
                pointer.push('/');
                push_escaped(pointer, k);
                collect(v, pointer, arena, nodes, by_id);
                pointer.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&i.to_string());
                collect(v, pointer, arena, nodes, by_id);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

/// `map.get(key)` without hashing the key: ELM objects have a handful of members, and a scan
/// that compares lengths first is cheaper than SipHash (most of a lookup, per callgrind). Keys
/// of a JSON object are unique, so the answer is the same.
fn member<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    if map.len() > 16 {
        return map.get(key);
    }
    map.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
}

/// `value.get(key)` by [`member`]: `None` unless `value` is an object with that member.
fn field<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    value.as_object().and_then(|m| member(m, key))
}

fn push_escaped(pointer: &mut String, key: &str) {
    for ch in key.chars() {
        match ch {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

fn types_of<'a>(node: &GraphNode<'a>, out: &mut Vec<&'a str>) {
    for (_, m) in &node.occurrences {
        let mut add = |t: &'a str| {
            if !out.contains(&t) {
                out.push(t);
            }
        };
        match member(m, "type") {
            Some(Value::String(s)) => add(s),
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).for_each(add),
            _ => {}
        }
    }
}

/// A value's identity for counting (RDF: the same IRI or literal is one value).
fn same(a: &Value, b: &Value) -> bool {
    match (field(a, "id"), field(b, "id")) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// Runs the rules on a credential; an empty list means it conforms to what the rules cover.
pub fn check(credential: &Credential) -> Vec<Finding> {
    let root = credential.as_value();
    let mut nodes = Vec::with_capacity(256);
    let mut by_id = HashMap::with_capacity(128);
    let mut pointer = String::with_capacity(128);
    let mut arena = String::with_capacity(16 * 1024);
    collect(root, &mut pointer, &mut arena, &mut nodes, &mut by_id);
    let mut findings = Vec::new();
    let mut seen_types: Vec<&str> = Vec::with_capacity(4);
    for node in &nodes {
        seen_types.clear();
        types_of(node, &mut seen_types);
        for t in &seen_types {
            let Some((_, props)) = SHAPES.iter().find(|(name, _)| name == t) else {
                continue;
            };
            for prop in props.iter() {
                check_prop(node, t, prop, &arena, &by_id, &nodes, &mut findings);
            }
        }
    }
    // The issuer of the credential must carry the eIDAS identifier (IssuerNodeShape).
    if let Some(issuer) = root.get("issuer").filter(|v| v.is_object()) {
        let id = issuer.get("id").and_then(Value::as_str);
        let merged: Vec<&Value> = match id.and_then(|id| by_id.get(id)) {
            Some(&i) => nodes[i]
                .occurrences
                .iter()
                .filter_map(|(_, m)| m.get("eIDASIdentifier"))
                .collect(),
            None => issuer.get("eIDASIdentifier").into_iter().collect(),
        };
        if merged.iter().all(|v| v.is_null()) {
            findings.push(Finding {
                pointer: "/issuer/eIDASIdentifier".to_owned(),
                message: "the issuer has no eIDAS identifier: it is filled from the seal certificate at sealing".to_owned(),
            });
        }
    }
    // The issued-by-mandate profile, when the credential declares it.
    findings.extend(crate::mandate::profile_findings(root));
    findings.sort_by(|a, b| a.pointer.cmp(&b.pointer));
    findings.dedup();
    findings
}

fn article(t: &str) -> &str {
    match t {
        "EuropeanDigitalCredential" => "the credential",
        "DisplayParameter" => "the display",
        "IndividualDisplay" => "a display page",
        "DisplayDetail" => "a display detail",
        "MediaObject" => "an image or document",
        "Person" => "the learner",
        "LearningAchievement" => "an achievement",
        "LearningActivity" => "an activity",
        "LearningAssessment" => "an assessment",
        "LearningEntitlement" => "an entitlement",
        "AwardingProcess" => "an awarding process",
        "Organisation" => "an organisation",
        "Location" => "a location",
        "Address" => "an address",
        "LegalIdentifier" => "a legal identifier",
        "Identifier" => "an identifier",
        "Qualification" => "a qualification",
        "LearningAchievementSpecification" => "an achievement specification",
        "LearningActivitySpecification" => "an activity specification",
        "LearningAssessmentSpecification" => "an assessment specification",
        "LearningEntitlementSpecification" => "an entitlement specification",
        "LearningOutcome" => "a learning outcome",
        "CreditPoint" => "a credit point",
        "Note" => "a note",
        "WebResource" => "a web resource",
        "GradingScheme" => "a grading scheme",
        "Group" => "a group",
        "Evidence" => "an evidence",
        "PeriodOfTime" => "a period",
        "LearningOpportunity" => "a learning opportunity",
        other => other,
    }
}

#[allow(clippy::too_many_arguments)]
fn check_prop<'a>(
    node: &GraphNode<'a>,
    t: &str,
    prop: &Prop,
    arena: &str,
    by_id: &HashMap<&'a str, usize>,
    nodes: &[GraphNode<'a>],
    out: &mut Vec<Finding>,
) {
    let text = |(start, end): Span| arena.get(start..end).unwrap_or_default();
    // Values over all occurrences, each with where it was written (the occurrence's pointer and
    // the array index), made into a JSON pointer only for a finding.
    let mut values: Vec<((Span, Option<usize>), &Value)> = Vec::new();
    for (at, map) in &node.occurrences {
        match member(map, prop.key) {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for (i, v) in items.iter().enumerate() {
                    if !values.iter().any(|(_, w)| same(w, v)) {
                        values.push(((*at, Some(i)), v));
                    }
                }
            }
            Some(v) => {
                if !values.iter().any(|(_, w)| same(w, v)) {
                    values.push(((*at, None), v));
                }
            }
        }
    }
    let place = |(at, index): (Span, Option<usize>)| match index {
        Some(i) => format!("{}/{}/{i}", text(at), prop.key),
        None => format!("{}/{}", text(at), prop.key),
    };
    let first_at = text(node.occurrences[0].0);
    let who = article(t);
    // Literals counted as RDF does: a language map with n texts is n values.
    let count = match prop.kind {
        LangString | LangStringMulti => {
            values.iter().map(|(_, v)| lang_texts(v).len().max(1)).sum()
        }
        _ => values.len(),
    };
    if count < usize::from(prop.min) {
        out.push(Finding {
            pointer: format!("{first_at}/{}", prop.key),
            message: format!("{who} has no {}", prop.what),
        });
        return;
    }
    if prop.max > 0 && count > usize::from(prop.max) {
        out.push(Finding {
            pointer: format!("{first_at}/{}", prop.key),
            message: format!(
                "{who} has {count} values for {}: keep at most {}",
                prop.what, prop.max
            ),
        });
    }
    for (at, v) in &values {
        let problem: Option<String> = match prop.kind {
            Any | Object => None,
            LangString | LangStringMulti => {
                if !v.is_object() {
                    Some(format!(
                        "the {} of {who} must be text per language, e.g. {{\"en\": \"...\"}}",
                        prop.what
                    ))
                } else if prop.kind == LangString {
                    let texts = lang_texts(v);
                    let dup = texts
                        .iter()
                        .enumerate()
                        .find(|(i, (l, _))| texts[..*i].iter().any(|(m, _)| m == l));
                    dup.map(|(_, (l, _))| {
                        format!(
                            "the {} of {who} has more than one text in language {l:?}: keep one",
                            prop.what
                        )
                    })
                } else {
                    None
                }
            }
            DateTime => match v.as_str() {
                Some(s) if is_xsd_datetime(s) => None,
                _ => Some(format!(
                    "the {} of {who} must be a date-time such as 2025-01-31T00:00:00Z",
                    prop.what
                )),
            },
            Duration => match v.as_str() {
                Some(s) if is_xsd_duration(s) => None,
                _ => Some(format!(
                    "the {} of {who} must be a duration such as PT60H",
                    prop.what
                )),
            },
            Text => (!v.is_string()).then(|| {
                format!(
                    "the {} of {who} must be written as a JSON string, e.g. \"5\"",
                    prop.what
                )
            }),
            PositiveInteger => v
                .as_u64()
                .is_none_or(|n| n == 0)
                .then(|| format!("the {} of {who} must be a whole number from 1", prop.what)),
            Boolean => (!v.is_boolean())
                .then(|| format!("the {} of {who} must be true or false", prop.what)),
            InScheme(scheme) => {
                let resolved = resolve_schemes(v, by_id, nodes);
                (!resolved.contains(&scheme)).then(|| {
                    format!(
                        "the {} of {who} must be a concept of the scheme {scheme}",
                        prop.what
                    )
                })
            }
        };
        if let Some(message) = problem {
            out.push(Finding {
                pointer: place(*at),
                message,
            });
        }
    }
    if matches!(prop.kind, LangString) && values.len() > 1 {
        let mut langs: Vec<&str> = Vec::new();
        for (_, v) in &values {
            for (l, _) in lang_texts(v) {
                if langs.contains(&l) {
                    out.push(Finding {
                        pointer: format!("{first_at}/{}", prop.key),
                        message: format!("{who} has more than one {} in language {l:?} (same id written twice with different texts): keep one", prop.what),
                    });
                    return;
                }
                langs.push(l);
            }
        }
    }
}

/// The (language, text) literals of a language map (`"en": ["a","b"]` is two).
fn lang_texts(v: &Value) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    if let Value::Object(m) = v {
        for (l, t) in m {
            match t {
                Value::String(s) => out.push((l.as_str(), s.as_str())),
                Value::Array(a) => {
                    out.extend(a.iter().filter_map(Value::as_str).map(|s| (l.as_str(), s)))
                }
                _ => {}
            }
        }
    }
    out
}

/// The `inScheme` ids of a concept, over every occurrence of its id.
fn resolve_schemes<'a>(
    v: &'a Value,
    by_id: &HashMap<&'a str, usize>,
    nodes: &[GraphNode<'a>],
) -> Vec<&'a str> {
    let direct = |m: &'a Value| -> Vec<&'a str> {
        match field(m, "inScheme") {
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(|s| field(s, "id").and_then(Value::as_str))
                .collect(),
            Some(s) => field(s, "id").and_then(Value::as_str).into_iter().collect(),
            None => Vec::new(),
        }
    };
    match field(v, "id")
        .and_then(Value::as_str)
        .and_then(|id| by_id.get(id))
    {
        Some(&i) => nodes[i]
            .occurrences
            .iter()
            .flat_map(|(_, m)| match member(m, "inScheme") {
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(|s| field(s, "id").and_then(Value::as_str))
                    .collect(),
                Some(s) => field(s, "id")
                    .and_then(Value::as_str)
                    .into_iter()
                    .collect::<Vec<_>>(),
                None => Vec::new(),
            })
            .collect(),
        None => direct(v),
    }
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// `xsd:dateTime` lexical form: `-?YYYY-MM-DDThh:mm:ss(.s+)?(Z|(+|-)hh:mm)?`.
pub fn is_xsd_datetime(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let Some((date, time)) = s.split_once('T') else {
        return false;
    };
    let mut d = date.splitn(3, '-');
    let (Some(y), Some(m), Some(day)) = (d.next(), d.next(), d.next()) else {
        return false;
    };
    if y.len() < 4 || !y.bytes().all(|b| b.is_ascii_digit()) || !digits(m, 2) || !digits(day, 2) {
        return false;
    }
    let (month, dd): (u32, u32) = (m.parse().unwrap_or(0), day.parse().unwrap_or(0));
    if !(1..=12).contains(&month) || !(1..=31).contains(&dd) {
        return false;
    }
    let (clock, zone) = match time.find(['Z', '+', '-']) {
        Some(i) => time.split_at(i),
        None => (time, ""),
    };
    let zone_ok = zone.is_empty()
        || zone == "Z"
        || (zone.len() == 6
            && digits(&zone[1..3], 2)
            && &zone[3..4] == ":"
            && digits(&zone[4..6], 2));
    let (hms, frac) = match clock.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (clock, None),
    };
    let mut t = hms.splitn(3, ':');
    let (Some(h), Some(mi), Some(sec)) = (t.next(), t.next(), t.next()) else {
        return false;
    };
    let frac_ok = frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()));
    zone_ok
        && frac_ok
        && digits(h, 2)
        && digits(mi, 2)
        && digits(sec, 2)
        && h.parse::<u32>().is_ok_and(|h| h <= 24)
        && mi.parse::<u32>().is_ok_and(|m| m < 60)
        && sec.parse::<u32>().is_ok_and(|s| s < 61)
}

/// `xsd:duration` lexical form: `-?P(nY)?(nM)?(nD)?(T(nH)?(nM)?(n(.n)?S)?)?` with at least one part.
pub fn is_xsd_duration(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let Some(rest) = s.strip_prefix('P') else {
        return false;
    };
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (rest, None),
    };
    fn parts(s: &str, units: &[u8], seconds: bool) -> Option<usize> {
        let mut count = 0;
        let mut num = String::new();
        let mut next_unit = 0;
        for b in s.bytes() {
            if b.is_ascii_digit() || (seconds && b == b'.') {
                num.push(char::from(b));
                continue;
            }
            let pos = units[next_unit..].iter().position(|u| *u == b)? + next_unit;
            if num.is_empty() || (num.contains('.') && b != b'S') {
                return None;
            }
            num.clear();
            next_unit = pos + 1;
            count += 1;
        }
        num.is_empty().then_some(count)
    }
    let Some(n_date) = parts(date, b"YMD", false) else {
        return false;
    };
    match time {
        None => n_date > 0,
        Some(t) => parts(t, b"HMS", true).is_some_and(|n| n > 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xsd_lexical_forms() {
        for ok in [
            "2025-01-15T10:00:00Z",
            "2023-05-05T07:00:00+02:00",
            "2025-01-15T10:00:00.123Z",
            "2025-01-15T10:00:00",
        ] {
            assert!(is_xsd_datetime(ok), "{ok} is an xsd:dateTime");
        }
        for bad in [
            "2025-01-15",
            "15/01/2025",
            "2025-13-01T00:00:00Z",
            "2025-01-15T10:00Z",
            "",
        ] {
            assert!(!is_xsd_datetime(bad), "{bad} is not an xsd:dateTime");
        }
        for ok in ["PT60H", "P60M", "P1M", "P2Y3DT4H5M6.5S", "-P1D"] {
            assert!(is_xsd_duration(ok), "{ok} is an xsd:duration");
        }
        for bad in ["P", "PT", "60H", "P1H", "PT1D", "P1.5D"] {
            assert!(!is_xsd_duration(bad), "{bad} is not an xsd:duration");
        }
    }
}
