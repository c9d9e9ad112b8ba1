//! The micro-credential profile: the elements of Annex I of the Council Recommendation of
//! 16 June 2022 on micro-credentials (2022/C 243/02), found in an ELM 3 credential and reported
//! in plain words.
//!
//! Where each element lives follows the official sample `Sample-MC-Annex1-unsigned.jsonld`
//! (first `LearningAchievement` claim, its `specifiedBy` Qualification and `provenBy`
//! assessment). Two readings are ours and said so in the hints: the *date of issuing* is
//! `issued` (set at sealing), else the awarding date, else `validFrom` for a credential not yet
//! sealed; the *type of quality assurance* is an accreditation (credential evidence or the
//! qualification's), else the awarding body's legal registration. Not here: SHACL
//! ([`crate::rules`]) and the Annex II principles (design, not data).

use serde_json::Value;

use crate::credential::Credential;
use crate::language::{items, text_in};

/// One Annex I element: whether the credential carries it, its value in the primary
/// language, where it lives, and what to do when it is missing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Annex1Element {
    /// Stable key (`learner`, `title`, `country`, ...).
    pub key: String,
    /// Label as in Annex I.
    pub label: String,
    /// True for the 11 mandatory elements.
    pub mandatory: bool,
    /// Whether the credential carries it.
    pub present: bool,
    /// Human-readable value in the primary language.
    pub value: Option<String>,
    /// JSON pointer where it lives (or would live).
    pub pointer: String,
    /// Where it comes from in ELM, in plain words.
    pub hint: String,
}

/// The Annex I check of one credential.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Annex1Report {
    /// The 11 mandatory elements in Annex I order, then the optional ones.
    pub elements: Vec<Annex1Element>,
}

impl Annex1Report {
    /// True when every mandatory element is present.
    pub fn complete(&self) -> bool {
        self.elements.iter().all(|e| !e.mandatory || e.present)
    }

    /// The mandatory elements that are missing.
    pub fn missing(&self) -> impl Iterator<Item = &Annex1Element> {
        self.elements.iter().filter(|e| e.mandatory && !e.present)
    }
}

const ECTS: &str = "http://data.europa.eu/snb/education-credit/6fcec5c5af";

struct Ctx<'w> {
    lang: String,
    words: &'w dyn Fn(&str) -> Option<String>,
}

impl Ctx<'_> {
    /// A joining word of the values (`validFromNote`, `registeredAs`, `accredited`,
    /// `integrated`, `standAlone`) in the caller's language, else `english`.
    fn word(&self, key: &str, english: &str) -> String {
        (self.words)(key).unwrap_or_else(|| english.to_owned())
    }

    fn text(&self, v: Option<&Value>) -> Option<String> {
        v.and_then(|v| text_in(v, &self.lang))
            .filter(|s| !s.trim().is_empty())
    }

    /// Labels of one or many concepts, joined.
    fn labels(&self, v: Option<&Value>) -> Option<String> {
        let all: Vec<String> = items(v)
            .into_iter()
            .filter_map(|c| {
                self.text(c.get("prefLabel"))
                    .or_else(|| c.get("id").and_then(Value::as_str).map(str::to_owned))
            })
            .collect();
        (!all.is_empty()).then(|| all.join(", "))
    }
}

/// First value of `key` under `node` with its pointer.
fn first<'a>(node: Option<(&'a Value, String)>, key: &str) -> Option<(&'a Value, String)> {
    let (v, at) = node?;
    match v.get(key)? {
        Value::Array(a) => a.first().map(|x| (x, format!("{at}/{key}/0"))),
        Value::Null => None,
        x => Some((x, format!("{at}/{key}"))),
    }
}

fn element(
    key: &str,
    label: &str,
    mandatory: bool,
    value: Option<String>,
    pointer: String,
    hint: &str,
) -> Annex1Element {
    Annex1Element {
        key: key.to_owned(),
        label: label.to_owned(),
        mandatory,
        present: value.is_some(),
        value,
        pointer,
        hint: hint.to_owned(),
    }
}

/// Checks the Annex I elements of `credential` (joining words in values in English).
pub fn check(credential: &Credential) -> Annex1Report {
    check_with_words(credential, &|_| None)
}

/// [`check`] with the joining words inside values taken from `words` (by key:
/// `validFromNote`, `registeredAs` with `{}` for the number, `accredited`, `integrated`,
/// `standAlone`; `None` keeps English), e.g. the PDF's per-language table.
pub fn check_with_words(
    credential: &Credential,
    words: &dyn Fn(&str) -> Option<String>,
) -> Annex1Report {
    let root = credential.as_value();
    let cx = Ctx {
        lang: credential.primary_language(),
        words,
    };
    let subject = Some((
        root.get("credentialSubject").unwrap_or(&Value::Null),
        "/credentialSubject".to_owned(),
    ));
    // The micro-credential is the first LearningAchievement claim (else the first claim).
    let claims: Vec<(&Value, String)> = match subject.as_ref().and_then(|(s, _)| s.get("hasClaim"))
    {
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, c)| (c, format!("/credentialSubject/hasClaim/{i}")))
            .collect(),
        Some(c) if c.is_object() => vec![(c, "/credentialSubject/hasClaim".to_owned())],
        _ => Vec::new(),
    };
    let claim = claims
        .iter()
        .find(|(c, _)| {
            items(c.get("type"))
                .iter()
                .any(|t| t.as_str() == Some("LearningAchievement"))
        })
        .or(claims.first())
        .cloned();
    let claim_at = claim
        .as_ref()
        .map_or("/credentialSubject/hasClaim".to_owned(), |(_, p)| p.clone());
    let spec = first(claim.clone(), "specifiedBy");
    let spec_at = spec
        .as_ref()
        .map_or(format!("{claim_at}/specifiedBy"), |(_, p)| p.clone());
    let assessment = first(claim.clone(), "provenBy");
    let assessment_spec = first(assessment.clone(), "specifiedBy");
    let awarding = first(claim.clone(), "awardedBy");
    let body = first(awarding.clone(), "awardingBody");
    let sv = |key: &str| spec.as_ref().and_then(|(s, _)| s.get(key));

    let mut out = Vec::with_capacity(16);

    // 1. Learner.
    let s = subject.as_ref().map(|(s, _)| *s);
    let learner = cx.text(s.and_then(|s| s.get("fullName"))).or_else(|| {
        let g = cx.text(s.and_then(|s| s.get("givenName")));
        let f = cx.text(s.and_then(|s| s.get("familyName")));
        match (g, f) {
            (Some(g), Some(f)) => Some(format!("{g} {f}")),
            (g, f) => g.or(f),
        }
    });
    out.push(element("learner", "Identification of the learner", true, learner, "/credentialSubject/fullName".into(),
        "the learner's name (credentialSubject fullName, or givenName and familyName); filled per recipient"));
    // 2. Title.
    let title = cx.text(claim.as_ref().and_then(|(c, _)| c.get("title")));
    out.push(element(
        "title",
        "Title of the micro-credential",
        true,
        title,
        format!("{claim_at}/title"),
        "the title of the learning achievement",
    ));
    // 3. Country / region of the issuer.
    let loc = first(
        Some((
            root.get("issuer").unwrap_or(&Value::Null),
            "/issuer".to_owned(),
        )),
        "location",
    );
    let country = first(first(loc.clone(), "address"), "countryCode");
    let region = loc
        .as_ref()
        .and_then(|(l, _)| cx.labels(l.get("spatialCode")));
    let country_value =
        country
            .as_ref()
            .and_then(|(c, _)| cx.labels(Some(c)))
            .map(|c| match &region {
                Some(r) => format!("{c} ({r})"),
                None => c,
            });
    out.push(element("country", "Country(ies)/Region(s) of the issuer", true, country_value,
        country.map_or("/issuer/location/address/countryCode".to_owned(), |(_, p)| p),
        "the country of the issuer's address (issuer location countryCode), region from spatialCode"));
    // 4. Awarding body.
    let body_name = body.as_ref().and_then(|(b, _)| {
        cx.text(b.get("legalName")).or_else(|| {
            // A reference by id: the issuer node with the same id carries the name.
            let id = b.get("id")?;
            (root.pointer("/issuer/id") == Some(id))
                .then(|| cx.text(root.pointer("/issuer/legalName")))
                .flatten()
        })
    });
    out.push(element(
        "awardingBody",
        "Awarding body(ies)",
        true,
        body_name,
        body.as_ref()
            .map_or(format!("{claim_at}/awardedBy/awardingBody"), |(_, p)| {
                p.clone()
            }),
        "the awarding body of the achievement (awardedBy awardingBody, with its legal name)",
    ));
    // 5. Date of issuing.
    let awarding_date = awarding.as_ref().and_then(|(a, p)| {
        a.get("awardingDate")
            .and_then(Value::as_str)
            .map(|d| (d, format!("{p}/awardingDate")))
    });
    let (date, date_at) = if let Some(d) = root.get("issued").and_then(Value::as_str) {
        (Some(d.to_owned()), "/issued".to_owned())
    } else if let Some((d, p)) = awarding_date {
        (Some(d.to_owned()), p)
    } else if let Some(d) = root.get("validFrom").and_then(Value::as_str) {
        (
            Some(format!(
                "{d} ({})",
                cx.word(
                    "validFromNote",
                    "valid from; the issue date is set at sealing"
                )
            )),
            "/validFrom".to_owned(),
        )
    } else {
        (None, "/issued".to_owned())
    };
    out.push(element(
        "dateOfIssuing",
        "Date of issuing",
        true,
        date,
        date_at,
        "issued (set at sealing), else the awarding date, else validFrom",
    ));
    // 6. Learning outcomes.
    let outcomes: Vec<String> = items(sv("learningOutcome"))
        .into_iter()
        .filter_map(|o| cx.text(o.get("title")))
        .collect();
    out.push(element(
        "learningOutcomes",
        "Learning outcomes",
        true,
        (!outcomes.is_empty()).then(|| outcomes.join("; ")),
        format!("{spec_at}/learningOutcome"),
        "the learning outcomes of the qualification (specifiedBy learningOutcome, with a title)",
    ));
    // 7. Notional workload.
    let ects: Vec<String> = items(sv("creditPoint"))
        .into_iter()
        .filter_map(|c| {
            let point = c.get("point").and_then(|p| {
                p.as_str()
                    .map(str::to_owned)
                    .or_else(|| Some(p.to_string()))
            })?;
            let framework = c.pointer("/framework/id").and_then(Value::as_str);
            Some(if framework == Some(ECTS) {
                format!("{point} ECTS")
            } else {
                format!(
                    "{point} {}",
                    cx.labels(c.get("framework")).unwrap_or_default()
                )
            })
        })
        .collect();
    let volume = sv("volumeOfLearning").and_then(Value::as_str);
    let workload = match (ects.is_empty(), volume) {
        (false, Some(v)) => Some(format!("{} ({v})", ects.join(", "))),
        (false, None) => Some(ects.join(", ")),
        (true, Some(v)) => Some(v.to_owned()),
        (true, None) => None,
    };
    out.push(element(
        "workload",
        "Notional workload needed to achieve the learning outcomes (in ECTS, wherever possible)",
        true,
        workload,
        format!("{spec_at}/creditPoint"),
        "credit points in ECTS (creditPoint), or the volume of learning (e.g. PT60H)",
    ));
    // 8. Level.
    let level = match (cx.labels(sv("eqfLevel")), cx.labels(sv("nqfLevel"))) {
        (Some(e), Some(n)) => Some(format!("EQF {e}; {n}")),
        (Some(e), None) => Some(format!("EQF {e}")),
        (None, n) => n,
    };
    out.push(element(
        "level",
        "Level (and cycle, if applicable) of the learning experience (EQF, QF-EHEA)",
        true,
        level,
        format!("{spec_at}/eqfLevel"),
        "the EQF level (eqfLevel) and/or the national level (nqfLevel) of the qualification",
    ));
    // 9. Type of assessment.
    let assessment_type = assessment_spec
        .as_ref()
        .and_then(|(a, _)| cx.labels(a.get("dcType")));
    out.push(element(
        "assessmentType",
        "Type of assessment",
        true,
        assessment_type,
        assessment_spec.as_ref().map_or(
            format!("{claim_at}/provenBy/specifiedBy/dcType"),
            |(_, p)| format!("{p}/dcType"),
        ),
        "the type of the assessment that proves the achievement (provenBy specifiedBy dcType)",
    ));
    // 10. Form of participation.
    let participation = match (cx.labels(sv("mode")), cx.labels(sv("learningSetting"))) {
        (Some(m), Some(s)) => Some(format!("{m}, {s}")),
        (m, s) => m.or(s),
    };
    out.push(element(
        "formOfParticipation",
        "Form of participation in the learning activity",
        true,
        participation,
        format!("{spec_at}/mode"),
        "the mode (online, blended, in person) and learning setting of the qualification",
    ));
    // 11. Type of quality assurance.
    let accreditation = items(root.get("evidence"))
        .into_iter()
        .find_map(|e| {
            e.get("accreditation").and_then(|a| {
                cx.text(a.get("title"))
                    .or_else(|| Some(cx.word("accredited", "accredited")))
            })
        })
        .map(|a| (a, "/evidence".to_owned()))
        .or_else(|| {
            sv("accreditation").map(|a| {
                (
                    cx.text(a.get("title"))
                        .unwrap_or_else(|| cx.word("accredited", "accredited")),
                    format!("{spec_at}/accreditation"),
                )
            })
        });
    let registration = body.as_ref().and_then(|(b, p)| {
        let r = b.get("registration")?;
        let n = r.get("notation").and_then(Value::as_str)?;
        let c = cx
            .labels(r.get("spatial"))
            .map(|c| format!(" ({c})"))
            .unwrap_or_default();
        Some((
            format!(
                "{}{c}",
                cx.word("registeredAs", "awarding body registered as {}")
                    .replacen("{}", n, 1)
            ),
            format!("{p}/registration"),
        ))
    });
    let (qa, qa_at) = match accreditation.or(registration) {
        Some((v, p)) => (Some(v), p),
        None => (
            None,
            body.as_ref().map_or(
                format!("{claim_at}/awardedBy/awardingBody/registration"),
                |(_, p)| format!("{p}/registration"),
            ),
        ),
    };
    out.push(element(
        "qualityAssurance",
        "Type of quality assurance used to underpin the micro-credential",
        true,
        qa,
        qa_at,
        "an accreditation (evidence or qualification), else the awarding body's legal registration",
    ));

    // Optional elements.
    out.push(element(
        "prerequisites",
        "Prerequisites needed to enrol in the learning activity",
        false,
        cx.text(sv("entryRequirement").and_then(|n| n.get("noteLiteral"))),
        format!("{spec_at}/entryRequirement"),
        "the entry requirement of the qualification",
    ));
    out.push(element(
        "supervision",
        "Supervision and identity verification during assessment",
        false,
        assessment
            .as_ref()
            .and_then(|(a, _)| cx.labels(a.get("idVerification"))),
        assessment
            .as_ref()
            .map_or(format!("{claim_at}/provenBy/idVerification"), |(_, p)| {
                format!("{p}/idVerification")
            }),
        "the assessment's supervision and ID verification (idVerification)",
    ));
    out.push(element(
        "grade",
        "Grade achieved",
        false,
        assessment
            .as_ref()
            .and_then(|(a, _)| cx.text(a.get("grade").and_then(|g| g.get("noteLiteral")))),
        assessment
            .as_ref()
            .map_or(format!("{claim_at}/provenBy/grade"), |(_, p)| {
                format!("{p}/grade")
            }),
        "the grade of the assessment",
    ));
    let stack = sv("isPartialQualification")
        .and_then(Value::as_bool)
        .map(|partial| {
            if partial {
                cx.word("integrated", "integrated: part of a larger qualification")
            } else {
                cx.word("standAlone", "stand-alone")
            }
        });
    out.push(element(
        "stackability",
        "Integration/stackability options",
        false,
        stack,
        format!("{spec_at}/isPartialQualification"),
        "whether the qualification is partial (isPartialQualification)",
    ));
    let further = cx
        .text(claim.as_ref().and_then(|(c, _)| c.get("description")))
        .or_else(|| {
            items(sv("homepage"))
                .first()
                .and_then(|h| h.get("contentURL"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
    out.push(element(
        "furtherInformation",
        "Further information",
        false,
        further,
        format!("{claim_at}/description"),
        "the achievement's description or the qualification's home page",
    ));
    Annex1Report { elements: out }
}
