//! Model Credit Recognition Agreements (MCRA): two institutions agree that courses taken at
//! one are recognised at the other, with the credits and conditions they grant.
//!
//! The fields follow the ECCOE MCRA and the Read & Arnold characteristics (type, objective,
//! process steps, constraints); the workflow is draft → sent for review → agreed → signed →
//! shared, with "back to draft" from review. Checks give [`Finding`]s by JSON pointer, per
//! state. Not here: storage and versions (the catalogue), the exchange file
//! ([`crate::exchange`]), the printed agreement (crate `render`).

use serde::{Deserialize, Serialize};

use crate::common::{blank, parse_date, Finding};
use crate::lo::names;
use crate::AgreementsError;

/// Where an agreement is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum McraState {
    /// Being written by one institution.
    Draft,
    /// With both institutions for review; frozen.
    SentForReview,
    /// Both institutions agreed the text; frozen.
    Agreed,
    /// Signed by both; frozen.
    Signed,
    /// Shared with the partner (and published); frozen.
    Shared,
}

impl McraState {
    /// Every state, in workflow order.
    pub const ALL: [McraState; 5] = [
        Self::Draft,
        Self::SentForReview,
        Self::Agreed,
        Self::Signed,
        Self::Shared,
    ];

    /// The wire name (`sent_for_review`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::SentForReview => "sent_for_review",
            Self::Agreed => "agreed",
            Self::Signed => "signed",
            Self::Shared => "shared",
        }
    }

    /// Reads a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// The states this one may move to.
    pub fn next(self) -> &'static [McraState] {
        match self {
            Self::Draft => &[Self::SentForReview],
            Self::SentForReview => &[Self::Agreed, Self::Draft],
            Self::Agreed => &[Self::Signed],
            Self::Signed => &[Self::Shared],
            Self::Shared => &[],
        }
    }

    /// Whether the content may be edited in this state.
    pub fn editable(self) -> bool {
        self == Self::Draft
    }
}

/// Which way recognition goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Institution B recognises courses of institution A.
    #[default]
    AToB,
    /// Institution A recognises courses of institution B.
    BToA,
    /// Each recognises courses of the other.
    Bidirectional,
}

/// Who decides recognition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum RecognitionLevel {
    /// A faculty or department.
    #[default]
    Faculty,
    /// The institution as a whole.
    Institutional,
}

/// What kind of learning is recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum LearningType {
    /// Formal learning (credit-bearing courses).
    #[default]
    Formal,
    /// Non-formal learning (e.g. micro-credentials outside a degree).
    NonFormal,
}

/// The recognition type: level × learning type (the four ECCOE types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecognitionType {
    /// Faculty or institutional.
    pub level: RecognitionLevel,
    /// Formal or non-formal.
    pub learning: LearningType,
}

/// A person named in the agreement (signatory or contact).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PartyPerson {
    /// Full name.
    pub name: String,
    /// Role (`Rector`, `Dean`, `International office`).
    pub role: String,
    /// E-mail address, if given.
    #[serde(default)]
    pub email: Option<String>,
}

/// One institution.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Party {
    /// Legal name.
    pub legal_name: String,
    /// Erasmus code (`LT KAUNAS01`), if the institution has one.
    #[serde(default)]
    pub erasmus_code: Option<String>,
    /// Another legal identifier (national register, PIC), if no Erasmus code.
    #[serde(default)]
    pub legal_identifier: Option<String>,
    /// Country, ISO 3166 alpha-2 (`LT`).
    pub country: String,
    /// Faculty or department, if the agreement is at that level.
    #[serde(default)]
    pub faculty: Option<String>,
    /// Who signs.
    #[serde(default)]
    pub signatories: Vec<PartyPerson>,
    /// Who to contact.
    #[serde(default)]
    pub contacts: Vec<PartyPerson>,
}

/// What the recognising institution grants for a course.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Recognition {
    /// Credits granted (ECTS).
    pub credits: f64,
    /// The recognising institution's course it replaces, if any.
    #[serde(default)]
    pub course_replaced: Option<String>,
    /// Conditions (minimum grade, maximum age of the credential …), if any.
    #[serde(default)]
    pub conditions: Option<String>,
}

/// A course offered by one side and recognised by the other.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Course {
    /// The learning opportunity it was taken from, if any (else entered by hand).
    #[serde(default)]
    pub learning_opportunity_id: Option<String>,
    /// Course code, if any.
    #[serde(default)]
    pub code: Option<String>,
    /// Title.
    pub title: String,
    /// ECTS credits of the course.
    pub ects: f64,
    /// Learning outcomes, one per line.
    #[serde(default)]
    pub outcomes: Vec<String>,
    /// Assessment, in words.
    #[serde(default)]
    pub assessment: String,
    /// Language of instruction (`en`).
    #[serde(default)]
    pub language: String,
    /// What the other side grants.
    pub recognition: Recognition,
}

/// How long the agreement runs.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Validity {
    /// First day (`YYYY-MM-DD`).
    #[serde(default)]
    pub start: Option<String>,
    /// Last day (`YYYY-MM-DD`).
    #[serde(default)]
    pub end: Option<String>,
    /// Renewal and termination, in words.
    #[serde(default)]
    pub renewal: Option<String>,
}

/// A Model Credit Recognition Agreement.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Mcra {
    /// Stable id (a UUID) shared by every version and both institutions' copies.
    pub id: String,
    /// Short title (`VMU–DHBW data science modules`).
    pub title: String,
    /// Language of the fixed texts (`en`, `fr`, `de`, `es`, `it`, `lt`).
    pub language: String,
    /// Institution A (usually the one drafting).
    pub party_a: Party,
    /// Institution B.
    pub party_b: Party,
    /// Which way recognition goes.
    pub direction: Direction,
    /// Faculty/institutional × formal/non-formal.
    pub recognition_type: RecognitionType,
    /// Courses offered by A (recognised by B).
    #[serde(default)]
    pub courses_a: Vec<Course>,
    /// Courses offered by B (recognised by A).
    #[serde(default)]
    pub courses_b: Vec<Course>,
    /// Objective of the agreement.
    #[serde(default)]
    pub objective: String,
    /// Process steps (who applies, evidence, decision body, deadlines), in order.
    #[serde(default)]
    pub process_steps: Vec<String>,
    /// Constraints for successful application.
    #[serde(default)]
    pub constraints: Vec<String>,
    /// Validity period.
    #[serde(default)]
    pub validity: Validity,
}

impl Mcra {
    /// What is missing for `state` (empty = nothing). Each state needs what the earlier ones
    /// need, and more: a draft needs a title; review needs both parties, the courses the
    /// direction calls for and the objective; agreement needs process steps and validity;
    /// signing needs a signatory on each side.
    pub fn check(&self, state: McraState) -> Vec<Finding> {
        let mut f = Vec::new();
        if blank(&self.title) {
            f.push(Finding::new("/title", "a title is needed"));
        }
        if state == McraState::Draft {
            return f;
        }
        for (key, party) in [("partyA", &self.party_a), ("partyB", &self.party_b)] {
            if blank(&party.legal_name) {
                f.push(Finding::new(
                    format!("/{key}/legalName"),
                    "the institution's legal name is needed",
                ));
            }
            let code = party.erasmus_code.as_deref().is_some_and(|c| !blank(c));
            let legal = party.legal_identifier.as_deref().is_some_and(|c| !blank(c));
            if !code && !legal {
                f.push(Finding::new(
                    format!("/{key}/erasmusCode"),
                    "an Erasmus code or another legal identifier is needed",
                ));
            }
            if party.country.len() != 2 || !party.country.chars().all(|c| c.is_ascii_uppercase()) {
                f.push(Finding::new(
                    format!("/{key}/country"),
                    "the country is needed as a two-letter code (LT)",
                ));
            }
            if self.recognition_type.level == RecognitionLevel::Faculty
                && party.faculty.as_deref().is_none_or(blank)
            {
                f.push(Finding::new(
                    format!("/{key}/faculty"),
                    "a faculty-level agreement names the faculty or department",
                ));
            }
        }
        let (needs_a, needs_b) = match self.direction {
            Direction::AToB => (true, false),
            Direction::BToA => (false, true),
            Direction::Bidirectional => (true, true),
        };
        for (key, courses, needed) in [
            ("coursesA", &self.courses_a, needs_a),
            ("coursesB", &self.courses_b, needs_b),
        ] {
            if needed && courses.is_empty() {
                f.push(Finding::new(
                    format!("/{key}"),
                    "the direction needs at least one course on this side",
                ));
            }
            if !needed && !courses.is_empty() {
                f.push(Finding::new(
                    format!("/{key}"),
                    "the direction recognises no courses from this side: remove them or make the agreement bidirectional",
                ));
            }
            for (i, c) in courses.iter().enumerate() {
                let at = format!("/{key}/{i}");
                if blank(&c.title) {
                    f.push(Finding::new(
                        format!("{at}/title"),
                        "the course needs a title",
                    ));
                }
                if !(c.ects > 0.0 && c.ects.is_finite()) {
                    f.push(Finding::new(
                        format!("{at}/ects"),
                        "the course's ECTS credits must be above 0",
                    ));
                }
                let granted = c.recognition.credits;
                if !(granted > 0.0 && granted.is_finite()) {
                    f.push(Finding::new(
                        format!("{at}/recognition/credits"),
                        "the credits granted must be above 0",
                    ));
                } else if granted > c.ects {
                    f.push(Finding::new(
                        format!("{at}/recognition/credits"),
                        "more credits granted than the course carries",
                    ));
                }
            }
        }
        if blank(&self.objective) {
            f.push(Finding::new("/objective", "the objective is needed"));
        }
        if state == McraState::SentForReview {
            return f;
        }
        if self.process_steps.iter().all(|s| blank(s)) {
            f.push(Finding::new(
                "/processSteps",
                "at least one process step is needed",
            ));
        }
        let start = self.validity.start.as_deref();
        let end = self.validity.end.as_deref();
        match start.map(parse_date) {
            None => f.push(Finding::new("/validity/start", "the start date is needed")),
            Some(None) => f.push(Finding::new(
                "/validity/start",
                "write the date as YYYY-MM-DD",
            )),
            Some(Some(_)) => {}
        }
        match end.map(parse_date) {
            None => f.push(Finding::new("/validity/end", "the end date is needed")),
            Some(None) => f.push(Finding::new(
                "/validity/end",
                "write the date as YYYY-MM-DD",
            )),
            Some(Some(e)) => {
                if let Some(Some(s)) = start.map(parse_date) {
                    if e < s {
                        f.push(Finding::new(
                            "/validity/end",
                            "the end date is before the start date",
                        ));
                    }
                }
            }
        }
        if state == McraState::Agreed {
            return f;
        }
        for (key, party) in [("partyA", &self.party_a), ("partyB", &self.party_b)] {
            if party.signatories.iter().all(|p| blank(&p.name)) {
                f.push(Finding::new(
                    format!("/{key}/signatories"),
                    "a signatory is needed on each side",
                ));
            }
        }
        f
    }

    /// The partner institution's name (party B; for lists by partner).
    pub fn partner(&self) -> &str {
        &self.party_b.legal_name
    }
}

/// Checks a workflow move: legal, and the agreement complete enough for the target state.
pub fn transition(mcra: &Mcra, from: McraState, to: McraState) -> Result<(), AgreementsError> {
    if !from.next().contains(&to) {
        return Err(AgreementsError::IllegalTransition {
            what: "an agreement",
            from: from.as_str(),
            to: to.as_str(),
            allowed: names(from.next().iter().map(|s| s.as_str())),
        });
    }
    let findings = mcra.check(to);
    if !findings.is_empty() {
        return Err(AgreementsError::Incomplete {
            state: to.as_str(),
            findings,
        });
    }
    Ok(())
}
