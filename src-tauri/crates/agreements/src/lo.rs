//! Learning opportunities: the ECCOE module description as a typed document, and its review
//! workflow (draft → submitted → approved | changes requested).
//!
//! The groups follow the ECCOE catalogue form: general information, detailed information,
//! learning specification, contact information, related specifications. Texts that ELM keeps
//! per language are [`Texts`] maps. Not here: storage (the catalogue keeps each saved version
//! and the review history) and the ELM export ([`crate::jsonld`]).

use serde::{Deserialize, Serialize};

use crate::common::{blank, no_text, parse_date, ConceptRef, Finding, Texts};
use crate::AgreementsError;

/// Where a learning opportunity is in its review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum LoState {
    /// Being written; editable.
    Draft,
    /// Waiting for the steering committee; frozen.
    Submitted,
    /// Listed in the catalogue; frozen (move back to draft to revise).
    Approved,
    /// Sent back with reviewer comments; editable, then submitted again.
    ChangesRequested,
}

impl LoState {
    /// The state's wire name (`changes_requested`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Approved => "approved",
            Self::ChangesRequested => "changes_requested",
        }
    }

    /// Reads a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Draft,
            Self::Submitted,
            Self::Approved,
            Self::ChangesRequested,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }

    /// The states this one may move to.
    pub fn next(self) -> &'static [LoState] {
        match self {
            Self::Draft => &[Self::Submitted],
            Self::Submitted => &[Self::Approved, Self::ChangesRequested],
            Self::Approved => &[Self::Draft],
            Self::ChangesRequested => &[Self::Submitted, Self::Draft],
        }
    }

    /// Whether the content may be edited in this state.
    pub fn editable(self) -> bool {
        matches!(self, Self::Draft | Self::ChangesRequested)
    }
}

/// The providing institution.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Provider {
    /// Legal name per language.
    pub legal_name: Texts,
    /// Country, EU authority code (`BEL`, `LTU`).
    pub country: String,
    /// Erasmus code or other identifier, if known.
    #[serde(default)]
    pub identifier: Option<String>,
    /// Faculty or department offering the module.
    #[serde(default)]
    pub department: Option<String>,
}

/// One learning outcome with the ESCO skills it relates to.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Outcome {
    /// The outcome per language.
    pub title: Texts,
    /// Related ESCO skills (URI + labels, from the skills catalogue).
    #[serde(default)]
    pub esco_skills: Vec<ConceptRef>,
}

/// How the outcomes are assessed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Assessment {
    /// Short title per language (`Written exam`).
    pub title: Texts,
    /// Longer description per language.
    #[serde(default)]
    pub description: Texts,
    /// Type of assessment (controlled value), if chosen.
    #[serde(default)]
    pub kind: Option<ConceptRef>,
    /// Supervision and identity verification, in words (Annex I optional element).
    #[serde(default)]
    pub supervision: Option<String>,
}

/// One fee.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Fee {
    /// What the fee is for, per language.
    pub label: Texts,
    /// Amount (e.g. 120.0).
    pub amount: f64,
    /// ISO 4217 currency (`EUR`).
    pub currency: String,
}

/// Who to ask about the module.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Contact {
    /// Contact person or office.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// Phone number, if any.
    #[serde(default)]
    pub phone: Option<String>,
}

/// A related specification (programme, syllabus, quality assurance report).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RelatedSpec {
    /// Title per language.
    pub title: Texts,
    /// Where it is published.
    pub url: String,
}

/// A learning opportunity (module description), as edited and stored.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LearningOpportunity {
    /// Stable id (a UUID), shared by every saved version.
    pub id: String,
    /// Language keys the texts are written in (`en`, `fr`); the first is the default.
    pub languages: Vec<String>,

    // --- general information
    /// Title per language.
    pub title: Texts,
    /// The institution's own course code.
    #[serde(default)]
    pub code: Option<String>,
    /// The providing institution.
    pub provider: Provider,
    /// Public page of the module.
    pub homepage: String,
    /// Languages of instruction, EU authority codes (`ENG`).
    pub instruction_languages: Vec<String>,
    /// First day (`YYYY-MM-DD`), if scheduled.
    #[serde(default)]
    pub start_date: Option<String>,
    /// Last day (`YYYY-MM-DD`), if scheduled.
    #[serde(default)]
    pub end_date: Option<String>,
    /// Application deadline (`YYYY-MM-DD`), if any.
    #[serde(default)]
    pub application_deadline: Option<String>,

    // --- detailed information
    /// Description per language.
    #[serde(default)]
    pub description: Texts,
    /// Who the module is for, per language.
    #[serde(default)]
    pub target_group: Texts,
    /// Prerequisites (entry requirements) per language.
    #[serde(default)]
    pub prerequisites: Texts,
    /// Integration / stackability, in words (Annex I optional element).
    #[serde(default)]
    pub stackability: Option<String>,

    // --- learning specification
    /// Learning outcomes.
    pub outcomes: Vec<Outcome>,
    /// ECTS credits.
    #[serde(default)]
    pub ects: Option<f64>,
    /// EQF level, 1–8.
    #[serde(default)]
    pub eqf_level: Option<u8>,
    /// ISCED-F fields of education.
    pub isced_f: Vec<ConceptRef>,
    /// Mode (form of participation: online, blended, on site).
    #[serde(default)]
    pub mode: Option<ConceptRef>,
    /// Assessment.
    pub assessment: Assessment,
    /// Notional workload in hours.
    #[serde(default)]
    pub workload_hours: Option<u32>,
    /// Fees (none = free).
    #[serde(default)]
    pub fees: Vec<Fee>,
    /// Admission procedure per language.
    #[serde(default)]
    pub admission: Texts,

    // --- contact information
    /// Contact.
    pub contact: Contact,

    // --- related specifications
    /// Related specifications.
    #[serde(default)]
    pub related: Vec<RelatedSpec>,
}

impl LearningOpportunity {
    /// The default language key (first of `languages`, else `en`).
    pub fn default_language(&self) -> &str {
        self.languages.first().map(String::as_str).unwrap_or("en")
    }

    /// The title in `lang`, falling back to any language.
    pub fn title_in(&self, lang: &str) -> String {
        crate::common::text_in(&self.title, lang)
            .unwrap_or_default()
            .to_owned()
    }

    /// What is missing for `state` (empty = nothing). A draft needs only a title; submitting
    /// (and everything after it) needs what the catalogue and the ELM export need.
    pub fn check(&self, state: LoState) -> Vec<Finding> {
        let mut f = Vec::new();
        if no_text(&self.title) {
            f.push(Finding::new("/title", "a title is needed"));
        }
        if state == LoState::Draft || state == LoState::ChangesRequested {
            return f;
        }
        if self.languages.is_empty() {
            f.push(Finding::new(
                "/languages",
                "name at least one text language",
            ));
        }
        if no_text(&self.provider.legal_name) {
            f.push(Finding::new(
                "/provider/legalName",
                "the provider's legal name is needed",
            ));
        }
        if blank(&self.provider.country) {
            f.push(Finding::new(
                "/provider/country",
                "the provider's country is needed",
            ));
        }
        if !self.homepage.starts_with("http") {
            f.push(Finding::new(
                "/homepage",
                "a public web page (http or https) is needed",
            ));
        }
        if self.instruction_languages.is_empty() {
            f.push(Finding::new(
                "/instructionLanguages",
                "name at least one language of instruction",
            ));
        }
        for (key, value) in [
            ("startDate", &self.start_date),
            ("endDate", &self.end_date),
            ("applicationDeadline", &self.application_deadline),
        ] {
            if let Some(v) = value {
                if parse_date(v).is_none() {
                    f.push(Finding::new(
                        format!("/{key}"),
                        "write the date as YYYY-MM-DD",
                    ));
                }
            }
        }
        if self.outcomes.is_empty() {
            f.push(Finding::new(
                "/outcomes",
                "at least one learning outcome is needed",
            ));
        }
        for (i, o) in self.outcomes.iter().enumerate() {
            if no_text(&o.title) {
                f.push(Finding::new(
                    format!("/outcomes/{i}/title"),
                    "the outcome has no text",
                ));
            }
            for (j, s) in o.esco_skills.iter().enumerate() {
                if !s.id.starts_with("http://data.europa.eu/esco/skill/") {
                    f.push(Finding::new(
                        format!("/outcomes/{i}/escoSkills/{j}/id"),
                        "not an ESCO skill URI; pick the skill from the ESCO list",
                    ));
                }
            }
        }
        match self.ects {
            Some(e) if e > 0.0 && e.is_finite() => {}
            Some(_) => f.push(Finding::new("/ects", "ECTS credits must be above 0")),
            None => f.push(Finding::new("/ects", "ECTS credits are needed")),
        }
        match self.eqf_level {
            Some(1..=8) => {}
            Some(_) => f.push(Finding::new("/eqfLevel", "the EQF level is 1 to 8")),
            None => f.push(Finding::new("/eqfLevel", "the EQF level is needed")),
        }
        if self.isced_f.is_empty() {
            f.push(Finding::new(
                "/iscedF",
                "at least one ISCED-F field of education is needed",
            ));
        }
        if self.mode.is_none() {
            f.push(Finding::new(
                "/mode",
                "the mode (form of participation) is needed",
            ));
        }
        if no_text(&self.assessment.title) {
            f.push(Finding::new(
                "/assessment/title",
                "say how the outcomes are assessed",
            ));
        }
        for (i, fee) in self.fees.iter().enumerate() {
            if !(fee.amount >= 0.0 && fee.amount.is_finite()) {
                f.push(Finding::new(
                    format!("/fees/{i}/amount"),
                    "a fee is 0 or more",
                ));
            }
            if fee.currency.len() != 3 {
                f.push(Finding::new(
                    format!("/fees/{i}/currency"),
                    "use a three-letter currency code (EUR)",
                ));
            }
        }
        if blank(&self.contact.name) {
            f.push(Finding::new("/contact/name", "a contact is needed"));
        }
        if !self.contact.email.contains('@') {
            f.push(Finding::new(
                "/contact/email",
                "a contact e-mail address is needed",
            ));
        }
        for (i, r) in self.related.iter().enumerate() {
            if !r.url.starts_with("http") {
                f.push(Finding::new(
                    format!("/related/{i}/url"),
                    "a related specification needs a web address",
                ));
            }
        }
        f
    }
}

/// One step of a review: who moved the learning opportunity from where to where, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ReviewStep {
    /// State before.
    pub from: LoState,
    /// State after.
    pub to: LoState,
    /// Who (name or role as typed by the reviewer).
    pub actor: String,
    /// Reviewer comment, if any (needed when asking for changes).
    pub comment: Option<String>,
}

/// Checks a review move: legal per the workflow, a comment when changes are asked for, and
/// the document complete enough for the target state.
pub fn review(
    lo: &LearningOpportunity,
    from: LoState,
    to: LoState,
    actor: &str,
    comment: Option<&str>,
) -> Result<ReviewStep, AgreementsError> {
    if !from.next().contains(&to) {
        return Err(AgreementsError::IllegalTransition {
            what: "a learning opportunity",
            from: from.as_str(),
            to: to.as_str(),
            allowed: names(from.next().iter().map(|s| s.as_str())),
        });
    }
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    if to == LoState::ChangesRequested && comment.is_none() {
        return Err(AgreementsError::CommentRequired);
    }
    let findings = lo.check(to);
    if !findings.is_empty() {
        return Err(AgreementsError::Incomplete {
            state: to.as_str(),
            findings,
        });
    }
    Ok(ReviewStep {
        from,
        to,
        actor: actor.to_owned(),
        comment: comment.map(str::to_owned),
    })
}

/// Reads a learning opportunity from JSON; a field that does not fit is named by its JSON
/// pointer.
pub fn parse(bytes: &[u8], source_name: &str) -> Result<LearningOpportunity, AgreementsError> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| AgreementsError::NotJson {
            source_name: source_name.to_owned(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
    serde_path_to_error::deserialize(value).map_err(|e| AgreementsError::Malformed {
        source_name: source_name.to_owned(),
        pointer: crate::exchange::pointer(e.path()),
        message: e.inner().to_string(),
    })
}

pub(crate) fn names<'a>(it: impl Iterator<Item = &'a str>) -> String {
    let v: Vec<&str> = it.collect();
    if v.is_empty() {
        "none".to_owned()
    } else {
        v.join(", ")
    }
}
