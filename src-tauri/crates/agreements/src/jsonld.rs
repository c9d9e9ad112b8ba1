//! A learning opportunity as ELM 3 JSON-LD: a `LearningOpportunity` with its
//! `LearningAchievementSpecification`, shaped to pass the LOQ SHACL shapes
//! (`elm-v3/shacl/qdr/LOQ-constraints.ttl`).
//!
//! Node ids are URNs under `urn:sealdesk:lo:<id>`. Controlled values are written as the
//! official samples write concepts. Texts without an ELM home of their own (target group,
//! stackability, supervision) go into `additionalNote`s.

use serde_json::{json, Map, Value};

use crate::common::{ConceptRef, Texts};
use crate::lo::LearningOpportunity;

const CONTEXT: &str = "http://data.europa.eu/snb/model/context/edc-ap";
const LANGUAGE: &str = "http://publications.europa.eu/resource/authority/language";
const COUNTRY: &str = "http://publications.europa.eu/resource/authority/country";
const CURRENCY: &str = "http://publications.europa.eu/resource/authority/currency";
const ECTS: &str = "http://data.europa.eu/snb/education-credit/6fcec5c5af";
const ECTS_SCHEME: &str = "http://data.europa.eu/snb/education-credit/25831c2";
const EQF_SCHEME: &str = "http://data.europa.eu/snb/eqf/25831c2";

fn concept(id: &str, scheme: &str, labels: &Texts, notation: Option<&str>) -> Value {
    let labels: Vec<(&str, &str)> = labels
        .iter()
        .filter(|(_, t)| !t.trim().is_empty())
        .map(|(l, t)| (l.as_str(), t.as_str()))
        .collect();
    sealdesk_elm::model::Concept::new(id, scheme, &labels, notation).to_value()
}

fn concept_ref(c: &ConceptRef) -> Value {
    concept(&c.id, &c.scheme, &c.labels, c.notation.as_deref())
}

fn text(t: &Texts) -> Value {
    Value::Object(
        t.iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

fn has_text(t: &Texts) -> bool {
    t.values().any(|v| !v.trim().is_empty())
}

fn note(id: String, t: &Texts) -> Value {
    json!({"id": id, "type": "Note", "noteLiteral": text(t)})
}

fn language_concept(code: &str) -> Value {
    let code = code.to_ascii_uppercase();
    concept(
        &format!("{LANGUAGE}/{code}"),
        LANGUAGE,
        &Texts::new(),
        Some(&code),
    )
}

/// The EU language authority code for an official EU language key (`en` → `ENG`); others
/// are upper-cased as given.
fn eu_code(iso: &str) -> String {
    const EU: [(&str, &str); 24] = [
        ("bg", "BUL"),
        ("cs", "CES"),
        ("da", "DAN"),
        ("de", "DEU"),
        ("el", "ELL"),
        ("en", "ENG"),
        ("es", "SPA"),
        ("et", "EST"),
        ("fi", "FIN"),
        ("fr", "FRA"),
        ("ga", "GLE"),
        ("hr", "HRV"),
        ("hu", "HUN"),
        ("it", "ITA"),
        ("lt", "LIT"),
        ("lv", "LAV"),
        ("mt", "MLT"),
        ("nl", "NLD"),
        ("pl", "POL"),
        ("pt", "POR"),
        ("ro", "RON"),
        ("sk", "SLK"),
        ("sl", "SLV"),
        ("sv", "SWE"),
    ];
    EU.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(iso))
        .map(|(_, eu)| (*eu).to_owned())
        .unwrap_or_else(|| iso.to_ascii_uppercase())
}

fn date_time(date: &str) -> String {
    format!("{date}T00:00:00Z")
}

/// The learning opportunity as an ELM JSON-LD document (a JSON object with `@context`).
pub fn to_jsonld(lo: &LearningOpportunity) -> Value {
    let base = format!("urn:sealdesk:lo:{}", lo.id);
    let lang = lo.default_language();
    let default_language = eu_code(lang);

    // The provider.
    let mut org = Map::new();
    org.insert("id".into(), json!(format!("{base}:provider")));
    org.insert("type".into(), json!("Organisation"));
    org.insert("legalName".into(), text(&lo.provider.legal_name));
    if let Some(code) = lo.provider.identifier.as_deref().filter(|c| !c.is_empty()) {
        org.insert(
            "identifier".into(),
            json!([{"id": format!("{base}:provider:identifier"), "type": "Identifier",
                    "notation": code, "schemeName": "Erasmus code"}]),
        );
    }
    let country = lo.provider.country.to_ascii_uppercase();
    org.insert(
        "location".into(),
        json!([{"id": format!("{base}:provider:location"), "type": "Location",
                "address": [{"id": format!("{base}:provider:address"), "type": "Address",
                             "countryCode": concept(&format!("{COUNTRY}/{country}"), COUNTRY,
                                                    &Texts::new(), Some(&country))}]}]),
    );
    let mut contact = Map::new();
    contact.insert("id".into(), json!(format!("{base}:contact")));
    contact.insert("type".into(), json!("ContactPoint"));
    contact.insert(
        "description".into(),
        json!({ lang: lo.contact.name.clone() }),
    );
    contact.insert(
        "emailAddress".into(),
        json!([{"id": format!("mailto:{}", lo.contact.email), "type": "Mailbox"}]),
    );
    if let Some(phone) = lo.contact.phone.as_deref().filter(|p| !p.is_empty()) {
        contact.insert(
            "phone".into(),
            json!([{"id": format!("{base}:contact:phone"), "type": "Phone", "phoneNumber": phone}]),
        );
    }
    org.insert("contactPoint".into(), json!([Value::Object(contact)]));
    if let Some(dept) = lo.provider.department.as_deref().filter(|d| !d.is_empty()) {
        org.insert(
            "additionalNote".into(),
            json!([note(
                format!("{base}:provider:department"),
                &Texts::from([(lang.to_owned(), dept.to_owned())])
            )]),
        );
    }

    // The learning achievement specification.
    let mut las = Map::new();
    las.insert("id".into(), json!(format!("{base}:specification")));
    las.insert("type".into(), json!("LearningAchievementSpecification"));
    las.insert("title".into(), text(&lo.title));
    if has_text(&lo.description) {
        las.insert("description".into(), text(&lo.description));
    }
    las.insert(
        "language".into(),
        Value::Array(
            lo.instruction_languages
                .iter()
                .map(|l| language_concept(l))
                .collect(),
        ),
    );
    las.insert(
        "thematicArea".into(),
        Value::Array(lo.isced_f.iter().map(concept_ref).collect()),
    );
    las.insert(
        "learningOutcome".into(),
        Value::Array(
            lo.outcomes
                .iter()
                .enumerate()
                .map(|(i, o)| {
                    let mut m = Map::new();
                    m.insert("id".into(), json!(format!("{base}:outcome:{i}")));
                    m.insert("type".into(), json!("LearningOutcome"));
                    m.insert("title".into(), text(&o.title));
                    if !o.esco_skills.is_empty() {
                        m.insert(
                            "relatedESCOSkill".into(),
                            Value::Array(o.esco_skills.iter().map(concept_ref).collect()),
                        );
                    }
                    Value::Object(m)
                })
                .collect(),
        ),
    );
    if let Some(ects) = lo.ects {
        las.insert(
            "creditPoint".into(),
            json!([{"id": format!("{base}:credit"), "type": "CreditPoint",
                    "framework": concept(ECTS, ECTS_SCHEME,
                        &Texts::from([("en".to_owned(), "European Credit Transfer System".to_owned())]), None),
                    "point": format_points(ects)}]),
        );
    }
    if let Some(level) = lo.eqf_level {
        las.insert(
            "educationLevel".into(),
            json!([concept(
                &format!("http://data.europa.eu/snb/eqf/{level}"),
                EQF_SCHEME,
                &Texts::from([("en".to_owned(), format!("Level {level}"))]),
                Some(&level.to_string())
            )]),
        );
    }
    if let Some(hours) = lo.workload_hours {
        las.insert("volumeOfLearning".into(), json!(format!("PT{hours}H")));
    }
    if let Some(mode) = &lo.mode {
        las.insert("mode".into(), json!([concept_ref(mode)]));
    }
    if has_text(&lo.prerequisites) {
        las.insert(
            "entryRequirement".into(),
            note(format!("{base}:prerequisites"), &lo.prerequisites),
        );
    }
    let mut notes = Vec::new();
    if has_text(&lo.target_group) {
        notes.push(note(format!("{base}:target-group"), &lo.target_group));
    }
    if let Some(s) = lo.stackability.as_deref().filter(|s| !s.is_empty()) {
        notes.push(note(
            format!("{base}:stackability"),
            &Texts::from([(lang.to_owned(), s.to_owned())]),
        ));
    }
    if !notes.is_empty() {
        las.insert("additionalNote".into(), Value::Array(notes));
    }
    if has_text(&lo.assessment.title) {
        let mut a = Map::new();
        a.insert("id".into(), json!(format!("{base}:assessment")));
        a.insert("type".into(), json!("LearningAssessmentSpecification"));
        a.insert("title".into(), text(&lo.assessment.title));
        if has_text(&lo.assessment.description) {
            a.insert("description".into(), text(&lo.assessment.description));
        }
        if let Some(kind) = &lo.assessment.kind {
            a.insert("dcType".into(), json!([concept_ref(kind)]));
        }
        if let Some(s) = lo
            .assessment
            .supervision
            .as_deref()
            .filter(|s| !s.is_empty())
        {
            a.insert(
                "additionalNote".into(),
                json!([note(
                    format!("{base}:assessment:supervision"),
                    &Texts::from([(lang.to_owned(), s.to_owned())])
                )]),
            );
        }
        las.insert("provenBy".into(), json!([Value::Object(a)]));
    }

    // The opportunity.
    let mut doc = Map::new();
    doc.insert(
        "@context".into(),
        json!([{"id": "@id", "type": "@type"}, CONTEXT,
               {"defaultLanguage": {"@id": "elm:defaultLanguage", "@type": "@id"}}]),
    );
    doc.insert("id".into(), json!(base));
    doc.insert("type".into(), json!("LearningOpportunity"));
    doc.insert("title".into(), text(&lo.title));
    if has_text(&lo.description) {
        doc.insert("description".into(), text(&lo.description));
    }
    if let Some(code) = lo.code.as_deref().filter(|c| !c.is_empty()) {
        doc.insert(
            "identifier".into(),
            json!([{"id": format!("{base}:code"), "type": "Identifier", "notation": code,
                    "schemeName": "course code"}]),
        );
    }
    doc.insert(
        "homepage".into(),
        json!([{"id": format!("{base}:homepage"), "type": "WebResource", "contentURL": lo.homepage}]),
    );
    doc.insert(
        "defaultLanguage".into(),
        language_concept(&default_language),
    );
    doc.insert("providedBy".into(), json!([Value::Object(org)]));
    doc.insert(
        "learningAchievementSpecification".into(),
        Value::Object(las),
    );
    if let Some(mode) = &lo.mode {
        doc.insert("mode".into(), json!([concept_ref(mode)]));
    }
    if lo.start_date.is_some() || lo.end_date.is_some() {
        let mut t = Map::new();
        t.insert("id".into(), json!(format!("{base}:period")));
        t.insert("type".into(), json!("PeriodOfTime"));
        if let Some(s) = &lo.start_date {
            t.insert("startDate".into(), json!(date_time(s)));
        }
        if let Some(e) = &lo.end_date {
            t.insert("endDate".into(), json!(date_time(e)));
        }
        doc.insert("temporal".into(), Value::Object(t));
    }
    if let Some(d) = &lo.application_deadline {
        doc.insert("applicationDeadline".into(), json!([date_time(d)]));
    }
    if has_text(&lo.admission) {
        doc.insert(
            "admissionProcedure".into(),
            note(format!("{base}:admission"), &lo.admission),
        );
    }
    if !lo.fees.is_empty() {
        doc.insert(
            "priceDetail".into(),
            Value::Array(
                lo.fees
                    .iter()
                    .enumerate()
                    .map(|(i, fee)| {
                        let cur = fee.currency.to_ascii_uppercase();
                        json!({"id": format!("{base}:fee:{i}"), "type": "PriceDetail",
                               "prefLabel": text(&fee.label),
                               "amount": {"id": format!("{base}:fee:{i}:amount"), "type": "Amount",
                                          // LOQ's Amount takes rdf:value (EDC's elm:value)
                                          "rdf:value": {"@value": format!("{:.2}", fee.amount),
                                                        "@type": "xsd:decimal"},
                                          "unit": concept(&format!("{CURRENCY}/{cur}"), CURRENCY,
                                                          &Texts::new(), Some(&cur))}})
                    })
                    .collect(),
            ),
        );
    }
    if !lo.related.is_empty() {
        doc.insert(
            "supplementaryDocument".into(),
            Value::Array(
                lo.related
                    .iter()
                    .enumerate()
                    .map(|(i, r)| {
                        let mut w = Map::new();
                        w.insert("id".into(), json!(format!("{base}:related:{i}")));
                        w.insert("type".into(), json!("WebResource"));
                        w.insert("contentURL".into(), json!(r.url));
                        if has_text(&r.title) {
                            w.insert("title".into(), text(&r.title));
                        }
                        Value::Object(w)
                    })
                    .collect(),
            ),
        );
    }
    Value::Object(doc)
}

/// ECTS points as ELM writes them (`"5"`, `"2.5"`).
pub fn format_points(points: f64) -> String {
    if points.fract() == 0.0 {
        format!("{points:.0}")
    } else {
        format!("{points}")
    }
}
