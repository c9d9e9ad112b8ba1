//! The template editor: a template as the editable [`TemplateFormView`], a live preview of
//! what the form makes of the credential, saving the form as a new version, and picker
//! choices (vocabulary concepts, ESCO skills) ready to drop into the form.
//!
//! The form's fields and their meaning are `sealdesk_elm::form`'s; this module only carries
//! them over IPC. The form views mirror `elm::form` one for one (elm has no `specta`); the
//! conversions below destructure every field, so a field added in elm fails to compile here
//! until the mirror has it. Not here: storage (`templates`), search (`skills`), rules (elm).

use std::collections::BTreeMap;

use sealdesk_catalogue::Catalogue;
use sealdesk_elm::annex1;
use sealdesk_elm::form::{AwardingBodyForm, ConceptRef, OutcomeForm, TemplateForm};
use sealdesk_elm::{text_in, Credential};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::views::{FindingView, TemplateView};
use crate::FlowError;

/// URI of the ESCO skills concept scheme (the `inScheme` of a related ESCO skill).
pub const ESCO_SKILLS_SCHEME: &str = "http://data.europa.eu/esco/concept-scheme/skills";

/// A controlled value in the form (mirror of `elm::form::ConceptRef`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ConceptRefView {
    /// Concept URI.
    pub id: String,
    /// Concept scheme URI.
    pub scheme: String,
    /// Labels per language key.
    pub labels: BTreeMap<String, String>,
    /// Notation, if any.
    pub notation: Option<String>,
}

/// One learning outcome in the form (mirror of `elm::form::OutcomeForm`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct OutcomeFormView {
    /// Title per language.
    pub title: BTreeMap<String, String>,
    /// Related ESCO skills.
    pub esco_skills: Vec<ConceptRefView>,
}

/// The awarding body in the form (mirror of `elm::form::AwardingBodyForm`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AwardingBodyFormView {
    /// Legal name per language.
    pub legal_name: BTreeMap<String, String>,
    /// Country of its address.
    pub country: Option<ConceptRefView>,
    /// Home page URL.
    pub homepage: Option<String>,
}

/// The editable fields of a template (mirror of `elm::form::TemplateForm`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TemplateFormView {
    /// Language keys of the credential (`en`, `fr`).
    pub languages: Vec<String>,
    /// Primary language key.
    pub primary_language: String,
    /// Credential title per language.
    pub title: BTreeMap<String, String>,
    /// Credential description per language.
    pub description: BTreeMap<String, String>,
    /// Credential profile (credential type).
    pub profile: Option<ConceptRefView>,
    /// Achievement title per language.
    pub achievement_title: BTreeMap<String, String>,
    /// Achievement description per language.
    pub achievement_description: BTreeMap<String, String>,
    /// EQF level.
    pub eqf_level: Option<ConceptRefView>,
    /// NQF level.
    pub nqf_level: Option<ConceptRefView>,
    /// ISCED-F fields.
    pub isced_f: Vec<ConceptRefView>,
    /// ECTS points as written (`"5"`).
    pub ects_points: Option<String>,
    /// Volume of learning (xsd:duration, `PT60H`).
    pub volume_of_learning: Option<String>,
    /// Mode (form of participation).
    pub mode: Option<ConceptRefView>,
    /// Learning setting.
    pub learning_setting: Option<ConceptRefView>,
    /// Type of assessment.
    pub assessment_type: Option<ConceptRefView>,
    /// Grading scheme title per language.
    pub grading_scheme: BTreeMap<String, String>,
    /// Learning outcomes.
    pub learning_outcomes: Vec<OutcomeFormView>,
    /// The awarding body.
    pub awarding_body: AwardingBodyFormView,
    /// End of validity (xsd:dateTime), if any.
    pub valid_until: Option<String>,
}

/// A template opened in the editor: the stored version and its form.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TemplateEditView {
    /// The stored template version.
    pub template: TemplateView,
    /// Its editable fields.
    pub form: TemplateFormView,
}

/// Something a picker offers: what to show and the value to put into the form.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ChoiceView {
    /// Label in the asked language (else English).
    pub label: String,
    /// A short description (ESCO definition), if any.
    pub description: Option<String>,
    /// The value for the form, labelled in every language that has a label.
    pub concept: ConceptRefView,
}

/// One fact of the preview, in the primary language.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PreviewFactView {
    /// Stable key (Annex I element key).
    pub key: String,
    /// What it is, in words.
    pub label: String,
    /// Its value.
    pub value: String,
}

/// One learning outcome of the preview.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct OutcomePreviewView {
    /// Title in the primary language.
    pub title: String,
    /// Linked ESCO skills: label (primary language, else any) and URI.
    pub skills: Vec<SkillLinkView>,
}

/// An ESCO skill linked to an outcome, as the preview shows it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SkillLinkView {
    /// Label.
    pub label: String,
    /// ESCO URI.
    pub uri: String,
}

/// One Annex I element (mirror of `elm::annex1::Annex1Element`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Annex1ElementView {
    /// Stable key (`learner`, `title`, …).
    pub key: String,
    /// Label as in Annex I.
    pub label: String,
    /// One of the 11 mandatory elements.
    pub mandatory: bool,
    /// The credential carries it.
    pub present: bool,
    /// Its value in the primary language.
    pub value: Option<String>,
    /// Where it lives (or would live), JSON pointer.
    pub pointer: String,
    /// Where it comes from in ELM, in plain words.
    pub hint: String,
}

/// What the form makes of the credential, read back by Rust.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TemplatePreviewView {
    /// Primary language key the preview is written in.
    pub language: String,
    /// Credential title.
    pub title: String,
    /// Credential description.
    pub description: Option<String>,
    /// Awarding body.
    pub issuer: Option<String>,
    /// Facts (level, credits, assessment …) in Annex I order, those present.
    pub facts: Vec<PreviewFactView>,
    /// Learning outcomes with their ESCO skills.
    pub outcomes: Vec<OutcomePreviewView>,
    /// The Annex I elements (mandatory first).
    pub annex1: Vec<Annex1ElementView>,
    /// Every mandatory Annex I element is present.
    pub annex1_complete: bool,
    /// Rules before sealing, by JSON pointer (a template lacks the learner: expected).
    pub findings: Vec<FindingView>,
}

/// The micro-credential template built from the official Annex I sample (assets/templates).
pub const MICRO_CREDENTIAL_TEMPLATE: &str =
    include_str!("../../../../assets/templates/micro-credential.json");

/// What a new template starts from.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum StartingPoint {
    /// The generic sample credential.
    Generic,
    /// The micro-credential (Annex I) sample.
    MicroCredential,
}

/// Creates template `name` from a bundled starting point, opened for editing.
pub fn create_template_from(
    catalogue: &Catalogue,
    name: &str,
    start: StartingPoint,
    now: OffsetDateTime,
) -> Result<TemplateEditView, FlowError> {
    let json = match start {
        StartingPoint::Generic => crate::SAMPLE_TEMPLATE,
        StartingPoint::MicroCredential => MICRO_CREDENTIAL_TEMPLATE,
    };
    let template = crate::create_template(catalogue, name, json, now)?;
    template_for_editing(catalogue, &template.summary.id)
}

/// Template `id` (latest version) with its form.
pub fn template_for_editing(
    catalogue: &Catalogue,
    id: &str,
) -> Result<TemplateEditView, FlowError> {
    let template = crate::template(catalogue, id, None)?;
    let credential =
        Credential::from_json(template.credential_json.as_bytes(), &template.summary.name)?;
    Ok(TemplateEditView {
        form: TemplateForm::from_credential(&credential).into(),
        template,
    })
}

/// Writes `form` onto the latest version of template `id` and saves it as a new version.
pub fn save_template_form(
    catalogue: &Catalogue,
    id: &str,
    name: &str,
    form: TemplateFormView,
    now: OffsetDateTime,
) -> Result<TemplateEditView, FlowError> {
    let _span = tracing::info_span!("flows.save_template_form").entered();
    let credential = applied(catalogue, id, form)?;
    let json = serde_json::to_string_pretty(credential.as_value())
        .map_err(sealdesk_elm::ElmError::NotSerializable)?;
    let template = crate::save_template(catalogue, id, name, &json, now)?;
    Ok(TemplateEditView {
        form: TemplateForm::from_credential(&credential).into(),
        template,
    })
}

/// What the credential of template `id` would say with `form` applied (nothing is saved).
pub fn preview_template_form(
    catalogue: &Catalogue,
    id: &str,
    form: TemplateFormView,
) -> Result<TemplatePreviewView, FlowError> {
    let credential = applied(catalogue, id, form)?;
    Ok(preview(&credential))
}

/// The concepts of vocabulary `scheme_key` as form values, labelled in `lang` for the picker.
pub fn concept_choices(
    catalogue: &Catalogue,
    scheme_key: &str,
    lang: &str,
) -> Result<Vec<ChoiceView>, FlowError> {
    sealdesk_vocab::ensure_loaded(catalogue)?;
    Ok(sealdesk_vocab::concepts(catalogue, scheme_key)?
        .into_iter()
        .map(|c| ChoiceView {
            label: c.label(lang).unwrap_or(&c.id).to_owned(),
            description: None,
            concept: ConceptRefView {
                id: c.id,
                scheme: c.scheme,
                labels: c.pref_labels,
                notation: c.notation,
            },
        })
        .collect())
}

/// ESCO skills matching `text` (type-ahead), as form values.
pub fn skill_choices(
    catalogue: &Catalogue,
    text: &str,
    limit: u32,
) -> Result<Vec<ChoiceView>, FlowError> {
    Ok(crate::search_skills(catalogue, text, limit)?
        .into_iter()
        .map(skill_choice)
        .collect())
}

/// The 3 ESCO skills that best fit a learning outcome's text, as form values.
pub fn suggested_skill_choices(
    catalogue: &Catalogue,
    outcome_text: &str,
) -> Result<Vec<ChoiceView>, FlowError> {
    Ok(crate::suggest_skills(catalogue, outcome_text)?
        .into_iter()
        .map(skill_choice)
        .collect())
}

fn skill_choice(skill: crate::views::SkillView) -> ChoiceView {
    let description = Some(skill.description).filter(|d| !d.trim().is_empty());
    ChoiceView {
        concept: ConceptRefView {
            id: skill.uri,
            scheme: ESCO_SKILLS_SCHEME.to_owned(),
            labels: BTreeMap::from([(skill.lang, skill.label.clone())]),
            notation: None,
        },
        label: skill.label,
        description,
    }
}

fn applied(
    catalogue: &Catalogue,
    id: &str,
    form: TemplateFormView,
) -> Result<Credential, FlowError> {
    let template = crate::template(catalogue, id, None)?;
    let mut credential =
        Credential::from_json(template.credential_json.as_bytes(), &template.summary.name)?;
    TemplateForm::from(form).apply_to(&mut credential)?;
    Ok(credential)
}

pub(crate) fn preview(credential: &Credential) -> TemplatePreviewView {
    let summary = credential.summary();
    let language = summary.primary_language.clone();
    let form = TemplateForm::from_credential(credential);
    let in_primary = |texts: &BTreeMap<String, String>| {
        texts
            .get(&language)
            .or_else(|| texts.values().next())
            .cloned()
    };
    let report = annex1::check(credential);
    let annex1_complete = report.complete();
    let shown_elsewhere = ["title", "learningOutcomes", "learner"];
    let facts = report
        .elements
        .iter()
        .filter(|e| e.present && !shown_elsewhere.contains(&e.key.as_str()))
        .filter_map(|e| {
            e.value.clone().map(|value| PreviewFactView {
                key: e.key.clone(),
                label: e.label.clone(),
                value,
            })
        })
        .collect();
    let outcomes = form
        .learning_outcomes
        .iter()
        .map(|o| OutcomePreviewView {
            title: in_primary(&o.title).unwrap_or_default(),
            skills: o
                .esco_skills
                .iter()
                .map(|s| SkillLinkView {
                    label: in_primary(&s.labels).unwrap_or_else(|| s.id.clone()),
                    uri: s.id.clone(),
                })
                .collect(),
        })
        .collect();
    let description = credential
        .as_value()
        .pointer("/displayParameter/description")
        .and_then(|d| text_in(d, &language))
        .filter(|d| !d.trim().is_empty());
    TemplatePreviewView {
        title: summary.title.unwrap_or_default(),
        description,
        issuer: summary.issuer,
        facts,
        outcomes,
        annex1: report
            .elements
            .into_iter()
            .map(|e| Annex1ElementView {
                key: e.key,
                label: e.label,
                mandatory: e.mandatory,
                present: e.present,
                value: e.value,
                pointer: e.pointer,
                hint: e.hint,
            })
            .collect(),
        annex1_complete,
        findings: credential
            .check_format()
            .into_iter()
            .map(|f| FindingView {
                pointer: f.pointer,
                message: f.message,
            })
            .collect(),
        language,
    }
}

impl From<ConceptRef> for ConceptRefView {
    fn from(c: ConceptRef) -> Self {
        let ConceptRef {
            id,
            scheme,
            labels,
            notation,
        } = c;
        Self {
            id,
            scheme,
            labels,
            notation,
        }
    }
}

impl From<ConceptRefView> for ConceptRef {
    fn from(c: ConceptRefView) -> Self {
        let ConceptRefView {
            id,
            scheme,
            labels,
            notation,
        } = c;
        Self {
            id,
            scheme,
            labels,
            notation,
        }
    }
}

fn refs_out(v: Vec<ConceptRef>) -> Vec<ConceptRefView> {
    v.into_iter().map(Into::into).collect()
}

fn refs_in(v: Vec<ConceptRefView>) -> Vec<ConceptRef> {
    v.into_iter().map(Into::into).collect()
}

impl From<TemplateForm> for TemplateFormView {
    fn from(f: TemplateForm) -> Self {
        let TemplateForm {
            languages,
            primary_language,
            title,
            description,
            profile,
            achievement_title,
            achievement_description,
            eqf_level,
            nqf_level,
            isced_f,
            ects_points,
            volume_of_learning,
            mode,
            learning_setting,
            assessment_type,
            grading_scheme,
            learning_outcomes,
            awarding_body,
            valid_until,
        } = f;
        let AwardingBodyForm {
            legal_name,
            country,
            homepage,
        } = awarding_body;
        Self {
            languages,
            primary_language,
            title,
            description,
            profile: profile.map(Into::into),
            achievement_title,
            achievement_description,
            eqf_level: eqf_level.map(Into::into),
            nqf_level: nqf_level.map(Into::into),
            isced_f: refs_out(isced_f),
            ects_points,
            volume_of_learning,
            mode: mode.map(Into::into),
            learning_setting: learning_setting.map(Into::into),
            assessment_type: assessment_type.map(Into::into),
            grading_scheme,
            learning_outcomes: learning_outcomes
                .into_iter()
                .map(|OutcomeForm { title, esco_skills }| OutcomeFormView {
                    title,
                    esco_skills: refs_out(esco_skills),
                })
                .collect(),
            awarding_body: AwardingBodyFormView {
                legal_name,
                country: country.map(Into::into),
                homepage,
            },
            valid_until,
        }
    }
}

impl From<TemplateFormView> for TemplateForm {
    fn from(f: TemplateFormView) -> Self {
        let TemplateFormView {
            languages,
            primary_language,
            title,
            description,
            profile,
            achievement_title,
            achievement_description,
            eqf_level,
            nqf_level,
            isced_f,
            ects_points,
            volume_of_learning,
            mode,
            learning_setting,
            assessment_type,
            grading_scheme,
            learning_outcomes,
            awarding_body,
            valid_until,
        } = f;
        let AwardingBodyFormView {
            legal_name,
            country,
            homepage,
        } = awarding_body;
        Self {
            languages,
            primary_language,
            title,
            description,
            profile: profile.map(Into::into),
            achievement_title,
            achievement_description,
            eqf_level: eqf_level.map(Into::into),
            nqf_level: nqf_level.map(Into::into),
            isced_f: refs_in(isced_f),
            ects_points,
            volume_of_learning,
            mode: mode.map(Into::into),
            learning_setting: learning_setting.map(Into::into),
            assessment_type: assessment_type.map(Into::into),
            grading_scheme,
            learning_outcomes: learning_outcomes
                .into_iter()
                .map(|OutcomeFormView { title, esco_skills }| OutcomeForm {
                    title,
                    esco_skills: refs_in(esco_skills),
                })
                .collect(),
            awarding_body: AwardingBodyForm {
                legal_name,
                country: country.map(Into::into),
                homepage,
            },
            valid_until,
        }
    }
}
