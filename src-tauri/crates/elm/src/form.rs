//! The template form: the flat, editable view of a template a programme director fills in.
//!
//! [`TemplateForm::from_credential`] reads the fields it knows from the first learning
//! achievement (and its qualification, assessment and awarding body); [`TemplateForm::apply_to`]
//! writes back only the fields whose value changed, so everything the form does not know is
//! kept and `from_credential` followed by `apply_to` changes nothing. Controlled values are
//! written as the Concept objects of the official samples ([`crate::model::Concept::new`]); the
//! labels come from the caller (the vocabulary catalogue). Not here: which concepts exist (the
//! vocabulary crate), and checks ([`crate::rules`], [`crate::annex1`]).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::credential::Credential;
use crate::error::ElmError;
use crate::language::{items, language_code};
use crate::model::Concept;

/// Text per language key (`{"en": "...", "fr": "..."}`).
pub type Texts = BTreeMap<String, String>;

/// A controlled value as the form edits it.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConceptRef {
    /// Concept URI.
    pub id: String,
    /// Concept scheme URI.
    pub scheme: String,
    /// Labels per language.
    pub labels: Texts,
    /// Notation, if any.
    pub notation: Option<String>,
}

/// One learning outcome: its title and related ESCO skills.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutcomeForm {
    /// Title per language.
    pub title: Texts,
    /// Related ESCO skills (URI + labels).
    pub esco_skills: Vec<ConceptRef>,
}

/// The awarding body as the form edits it.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AwardingBodyForm {
    /// Legal name per language.
    pub legal_name: Texts,
    /// Country of its address.
    pub country: Option<ConceptRef>,
    /// Home page URL.
    pub homepage: Option<String>,
}

/// The editable fields of a template (serde camelCase for IPC; no 64-bit integers).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TemplateForm {
    /// Language keys of the credential (`en`, `fr`).
    pub languages: Vec<String>,
    /// Primary language key.
    pub primary_language: String,
    /// Credential title per language.
    pub title: Texts,
    /// Credential description per language.
    pub description: Texts,
    /// Credential profile (credential type concept).
    pub profile: Option<ConceptRef>,
    /// Achievement title per language.
    pub achievement_title: Texts,
    /// Achievement description per language.
    pub achievement_description: Texts,
    /// EQF level.
    pub eqf_level: Option<ConceptRef>,
    /// NQF level.
    pub nqf_level: Option<ConceptRef>,
    /// ISCED-F fields.
    pub isced_f: Vec<ConceptRef>,
    /// ECTS points (as written, e.g. `"2"`).
    pub ects_points: Option<String>,
    /// Volume of learning (xsd:duration, e.g. `PT60H`).
    pub volume_of_learning: Option<String>,
    /// Mode (form of participation).
    pub mode: Option<ConceptRef>,
    /// Learning setting (formal / non-formal).
    pub learning_setting: Option<ConceptRef>,
    /// Type of assessment.
    pub assessment_type: Option<ConceptRef>,
    /// Grading scheme title per language.
    pub grading_scheme: Texts,
    /// Learning outcomes.
    pub learning_outcomes: Vec<OutcomeForm>,
    /// The awarding body.
    pub awarding_body: AwardingBodyForm,
    /// End of validity (xsd:dateTime), if any.
    pub valid_until: Option<String>,
}

const CLAIM: &str = "/credentialSubject/hasClaim";
const SPEC: &str = "/credentialSubject/hasClaim/specifiedBy";
const ECTS: &str = "http://data.europa.eu/snb/education-credit/6fcec5c5af";
const ECTS_SCHEME: &str = "http://data.europa.eu/snb/education-credit/25831c2";
const LANGUAGE: &str = "http://publications.europa.eu/resource/authority/language";

/// Reads `pointer`, taking the first element where a step meets an array.
fn get<'a>(v: &'a Value, pointer: &str) -> Option<&'a Value> {
    let mut cur = v;
    for key in pointer.split('/').skip(1) {
        cur = match cur {
            Value::Array(a) => a.first()?.get(key)?,
            other => other.get(key)?,
        };
    }
    (!cur.is_null()).then_some(cur)
}

fn texts(v: Option<&Value>) -> Texts {
    let mut out = Texts::new();
    if let Some(Value::Object(m)) = v {
        for (k, t) in m {
            let text = match t {
                Value::String(s) => Some(s.clone()),
                Value::Array(a) => a.first().and_then(Value::as_str).map(str::to_owned),
                _ => None,
            };
            if let Some(text) = text {
                out.insert(k.clone(), text);
            }
        }
    }
    out
}

fn concept(v: Option<&Value>) -> Option<ConceptRef> {
    let v = items(v).into_iter().next()?;
    Some(ConceptRef {
        id: v.get("id")?.as_str()?.to_owned(),
        scheme: v
            .pointer("/inScheme/id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        labels: texts(v.get("prefLabel")),
        notation: v.get("notation").and_then(Value::as_str).map(str::to_owned),
    })
}

fn concept_value(c: &ConceptRef) -> Value {
    let labels: Vec<(&str, &str)> = c
        .labels
        .iter()
        .map(|(l, t)| (l.as_str(), t.as_str()))
        .collect();
    Concept::new(&c.id, &c.scheme, &labels, c.notation.as_deref()).to_value()
}

fn text_value(t: &Texts) -> Value {
    Value::Object(
        t.iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

impl TemplateForm {
    /// Reads the form fields from a credential (first learning achievement claim).
    pub fn from_credential(credential: &Credential) -> Self {
        let v = credential.as_value();
        let languages = items(v.pointer("/displayParameter/language"))
            .into_iter()
            .filter_map(|l| l.get("id").and_then(Value::as_str).map(language_code))
            .collect();
        let ects = items(get(v, &format!("{SPEC}/creditPoint")))
            .into_iter()
            .find(|c| c.pointer("/framework/id").and_then(Value::as_str) == Some(ECTS))
            .and_then(|c| c.get("point").and_then(Value::as_str).map(str::to_owned));
        let outcomes = items(get(v, &format!("{SPEC}/learningOutcome")))
            .into_iter()
            .map(|o| OutcomeForm {
                title: texts(o.get("title")),
                esco_skills: items(o.get("relatedESCOSkill"))
                    .into_iter()
                    .filter_map(|s| concept(Some(s)))
                    .collect(),
            })
            .collect();
        let body = get(v, &format!("{CLAIM}/awardedBy/awardingBody"));
        Self {
            languages,
            primary_language: credential.primary_language(),
            title: texts(v.pointer("/displayParameter/title")),
            description: texts(v.pointer("/displayParameter/description")),
            profile: concept(v.get("credentialProfiles")),
            achievement_title: texts(get(v, &format!("{CLAIM}/title"))),
            achievement_description: texts(get(v, &format!("{CLAIM}/description"))),
            eqf_level: concept(get(v, &format!("{SPEC}/eqfLevel"))),
            nqf_level: concept(get(v, &format!("{SPEC}/nqfLevel"))),
            isced_f: items(get(v, &format!("{SPEC}/thematicArea")))
                .into_iter()
                .filter_map(|c| concept(Some(c)))
                .collect(),
            ects_points: ects,
            volume_of_learning: get(v, &format!("{SPEC}/volumeOfLearning"))
                .and_then(Value::as_str)
                .map(str::to_owned),
            mode: concept(get(v, &format!("{SPEC}/mode"))),
            learning_setting: concept(get(v, &format!("{SPEC}/learningSetting"))),
            assessment_type: concept(get(v, &format!("{CLAIM}/provenBy/specifiedBy/dcType"))),
            grading_scheme: texts(get(
                v,
                &format!("{CLAIM}/provenBy/specifiedBy/gradingScheme/title"),
            )),
            learning_outcomes: outcomes,
            awarding_body: AwardingBodyForm {
                legal_name: texts(body.and_then(|b| b.get("legalName"))),
                country: concept(body.and_then(|b| get(b, "/location/address/countryCode"))),
                homepage: body
                    .and_then(|b| get(b, "/homepage/contentURL"))
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            },
            valid_until: v
                .get("validUntil")
                .and_then(Value::as_str)
                .map(str::to_owned),
        }
    }

    /// Writes the fields that differ from the credential's current values onto it, keeping
    /// everything else. Missing intermediate nodes are created with `urn:epass:<class>:form` ids.
    pub fn apply_to(&self, credential: &mut Credential) -> Result<(), ElmError> {
        let old = Self::from_credential(credential);
        if self.primary_language.trim().is_empty()
            || !self.languages.contains(&self.primary_language)
        {
            return Err(ElmError::FormInvalid {
                field: "primaryLanguage".into(),
                reason: "choose a primary language among the credential's languages".into(),
            });
        }
        if let Some(p) = &self.ects_points {
            if !p.parse::<f64>().is_ok_and(|x| x.is_finite() && x >= 0.0) {
                return Err(ElmError::FormInvalid {
                    field: "ectsPoints".into(),
                    reason: "write a number such as 5 or 2.5".into(),
                });
            }
        }
        if let Some(d) = &self.volume_of_learning {
            if !crate::rules::is_xsd_duration(d) {
                return Err(ElmError::FormInvalid {
                    field: "volumeOfLearning".into(),
                    reason: "write a duration such as PT60H".into(),
                });
            }
        }
        let root = credential.as_value_mut();
        let lang_concept = |code: &str| {
            let eu = crate::language::eu_code(code).unwrap_or_else(|| code.to_ascii_uppercase());
            Concept::new(&format!("{LANGUAGE}/{eu}"), LANGUAGE, &[], None).to_value()
        };
        if self.languages != old.languages {
            let list: Vec<Value> = self.languages.iter().map(|l| lang_concept(l)).collect();
            set(
                root,
                "/displayParameter/language",
                if list.len() == 1 {
                    list[0].clone()
                } else {
                    Value::Array(list)
                },
            );
        }
        if self.primary_language != old.primary_language {
            set(
                root,
                "/displayParameter/primaryLanguage",
                lang_concept(&self.primary_language),
            );
        }
        let mut text = |ptr: &str, new: &Texts, old: &Texts| {
            if new != old {
                set(root, ptr, text_value(new));
            }
        };
        text("/displayParameter/title", &self.title, &old.title);
        text(
            "/displayParameter/description",
            &self.description,
            &old.description,
        );
        text(
            &format!("{CLAIM}/title"),
            &self.achievement_title,
            &old.achievement_title,
        );
        text(
            &format!("{CLAIM}/description"),
            &self.achievement_description,
            &old.achievement_description,
        );
        text(
            &format!("{CLAIM}/provenBy/specifiedBy/gradingScheme/title"),
            &self.grading_scheme,
            &old.grading_scheme,
        );
        text(
            &format!("{CLAIM}/awardedBy/awardingBody/legalName"),
            &self.awarding_body.legal_name,
            &old.awarding_body.legal_name,
        );
        let mut one = |ptr: &str, new: &Option<ConceptRef>, old: &Option<ConceptRef>| {
            if new != old {
                match new {
                    Some(c) => set(root, ptr, concept_value(c)),
                    None => unset(root, ptr),
                }
            }
        };
        one("/credentialProfiles", &self.profile, &old.profile);
        one(&format!("{SPEC}/eqfLevel"), &self.eqf_level, &old.eqf_level);
        one(&format!("{SPEC}/nqfLevel"), &self.nqf_level, &old.nqf_level);
        one(&format!("{SPEC}/mode"), &self.mode, &old.mode);
        one(
            &format!("{SPEC}/learningSetting"),
            &self.learning_setting,
            &old.learning_setting,
        );
        one(
            &format!("{CLAIM}/provenBy/specifiedBy/dcType"),
            &self.assessment_type,
            &old.assessment_type,
        );
        one(
            &format!("{CLAIM}/awardedBy/awardingBody/location/address/countryCode"),
            &self.awarding_body.country,
            &old.awarding_body.country,
        );
        if self.isced_f != old.isced_f {
            set(
                root,
                &format!("{SPEC}/thematicArea"),
                Value::Array(self.isced_f.iter().map(concept_value).collect()),
            );
        }
        if self.ects_points != old.ects_points {
            match &self.ects_points {
                Some(p) => set(
                    root,
                    &format!("{SPEC}/creditPoint"),
                    serde_json::json!({
                        "id": "urn:epass:creditPoint:form", "type": "CreditPoint",
                        "framework": Concept::new(ECTS, ECTS_SCHEME, &[("en", "European Credit Transfer System")], None).to_value(),
                        "point": p.trim()
                    }),
                ),
                None => unset(root, &format!("{SPEC}/creditPoint")),
            }
        }
        let mut plain = |ptr: &str, new: &Option<String>, old: &Option<String>| {
            if new != old {
                match new {
                    Some(s) => set(root, ptr, Value::String(s.clone())),
                    None => unset(root, ptr),
                }
            }
        };
        plain(
            &format!("{SPEC}/volumeOfLearning"),
            &self.volume_of_learning,
            &old.volume_of_learning,
        );
        plain("/validUntil", &self.valid_until, &old.valid_until);
        plain(
            &format!("{CLAIM}/awardedBy/awardingBody/homepage/contentURL"),
            &self.awarding_body.homepage,
            &old.awarding_body.homepage,
        );
        if self.learning_outcomes != old.learning_outcomes {
            let list: Vec<Value> = self
                .learning_outcomes
                .iter()
                .enumerate()
                .map(|(i, o)| {
                    let mut m = Map::new();
                    m.insert(
                        "id".into(),
                        Value::String(format!("urn:epass:learningOutcome:form{}", i + 1)),
                    );
                    m.insert("type".into(), Value::String("LearningOutcome".into()));
                    m.insert("title".into(), text_value(&o.title));
                    if !o.esco_skills.is_empty() {
                        m.insert(
                            "relatedESCOSkill".into(),
                            Value::Array(o.esco_skills.iter().map(concept_value).collect()),
                        );
                    }
                    Value::Object(m)
                })
                .collect();
            set(root, &format!("{SPEC}/learningOutcome"), Value::Array(list));
        }
        Ok(())
    }
}

/// Sets `pointer` (first element where a step meets an array), creating objects on the way.
fn set(root: &mut Value, pointer: &str, value: Value) {
    let keys: Vec<&str> = pointer.split('/').skip(1).collect();
    let mut cur = root;
    for (i, key) in keys.iter().enumerate() {
        if let Value::Array(a) = cur {
            if a.is_empty() {
                a.push(Value::Object(Map::new()));
            }
            cur = &mut a[0];
        }
        if !cur.is_object() {
            *cur = Value::Object(Map::new());
        }
        let Value::Object(m) = cur else { return };
        if i + 1 == keys.len() {
            m.insert((*key).to_owned(), value);
            return;
        }
        cur = m
            .entry((*key).to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

fn unset(root: &mut Value, pointer: &str) {
    let Some((parent, key)) = pointer.rsplit_once('/') else {
        return;
    };
    let mut cur = root;
    for k in parent.split('/').skip(1) {
        let next = match cur {
            Value::Array(a) => a.first_mut().and_then(|x| x.get_mut(k)),
            other => other.get_mut(k),
        };
        match next {
            Some(n) => cur = n,
            None => return,
        }
    }
    if let Value::Array(a) = cur {
        match a.first_mut() {
            Some(x) => cur = x,
            None => return,
        }
    }
    if let Value::Object(m) = cur {
        m.remove(key);
    }
}
