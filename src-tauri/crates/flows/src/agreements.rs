//! Learning opportunities and Model Credit Recognition Agreements in the catalogue: list,
//! open, create, save (each save a new version), review / move through the workflow, compare
//! versions, export the ELM JSON-LD, make a credential template from an approved learning
//! opportunity (and keep the link), and exchange agreements as `sealdesk.mcra/1` files.
//! Print both as PDFs ([`mcra_pdf`], [`lo_pdf`]: a DRAFT until signed / approved) and seal a
//! signed agreement's PDF with the institution's token ([`seal_mcra_pdf`], PAdES).
//!
//! Rules live in `sealdesk-agreements`; this module stores and sequences. An import is checked
//! whole before one row is written, and written in one transaction.

use std::collections::BTreeMap;

use sealdesk_agreements::exchange::{self, ExchangedAgreement};
use sealdesk_agreements::mcra::{transition, Course, Recognition};
use sealdesk_agreements::{
    diff, jsonld, lo, texts, AgreementsError, Change, Finding, LearningOpportunity, LoState, Mcra,
    McraState,
};
use sealdesk_catalogue::{Catalogue, LoRecord, McraRecord, NewMcraVersion};
use sealdesk_elm::form::{AwardingBodyForm, ConceptRef as FormConcept, OutcomeForm, TemplateForm};
use sealdesk_elm::Credential;
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::views::TemplateView;
use crate::FlowError;

/// A learning opportunity in a list.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct LoSummaryView {
    /// Id.
    pub id: String,
    /// Latest version.
    pub version: u32,
    /// Its state.
    pub state: LoState,
    /// Title in the default language.
    pub title: String,
    /// When the latest version was saved (RFC 3339).
    pub saved_at: String,
}

/// One review step as shown in the history.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct LoReviewView {
    /// The version the step produced.
    pub version: u32,
    /// State before.
    pub from: String,
    /// State after.
    pub to: String,
    /// Who.
    pub actor: String,
    /// Reviewer comment.
    pub comment: Option<String>,
    /// When (RFC 3339).
    pub at: String,
}

/// A credential template made from a learning opportunity.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct LoTemplateView {
    /// The learning opportunity version it was made from.
    pub lo_version: u32,
    /// Template id.
    pub template_id: String,
    /// Template version.
    pub template_version: u32,
}

/// A learning opportunity opened for editing or review.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct LoView {
    /// Id, version, state, title.
    pub summary: LoSummaryView,
    /// The document.
    pub document: LearningOpportunity,
    /// Whether the content can be edited now.
    pub editable: bool,
    /// The states it can move to.
    pub next_states: Vec<LoState>,
    /// What is missing before it can be submitted (empty: nothing).
    pub findings: Vec<Finding>,
    /// Review history, oldest first.
    pub reviews: Vec<LoReviewView>,
    /// Templates made from it.
    pub templates: Vec<LoTemplateView>,
}

/// An agreement in a list (by partner).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct McraSummaryView {
    /// Id.
    pub id: String,
    /// Latest version.
    pub version: u32,
    /// Its state.
    pub state: McraState,
    /// Title.
    pub title: String,
    /// Partner institution (party B).
    pub partner: String,
    /// When the latest version was saved (RFC 3339).
    pub saved_at: String,
    /// `local` or `import:<file>`.
    pub origin: String,
}

/// One stored version of an agreement.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct McraVersionView {
    /// Version.
    pub version: u32,
    /// State of that version.
    pub state: String,
    /// When saved (RFC 3339).
    pub saved_at: String,
    /// `local` or `import:<file>`.
    pub origin: String,
}

/// An agreement opened in the editor.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct McraView {
    /// Id, version, state, partner.
    pub summary: McraSummaryView,
    /// The document.
    pub document: Mcra,
    /// Whether the content can be edited now.
    pub editable: bool,
    /// The states it can move to.
    pub next_states: Vec<McraState>,
    /// What is missing for each next state (by JSON pointer).
    pub findings: Vec<Finding>,
    /// Every stored version, oldest first.
    pub versions: Vec<McraVersionView>,
}

/// The changes between two versions of an agreement.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct McraDiffView {
    /// Agreement id.
    pub id: String,
    /// The older version.
    pub from: u32,
    /// The newer version.
    pub to: u32,
    /// Changed fields (the workflow state appears as `/state`).
    pub changes: Vec<Change>,
}

fn time_text(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

fn not_found(what: &'static str, id: &str) -> FlowError {
    FlowError::AgreementNotFound {
        what,
        id: id.to_owned(),
    }
}

fn corrupt(what: &'static str, e: impl std::fmt::Display) -> FlowError {
    FlowError::Catalogue(sealdesk_catalogue::CatalogueError::Corrupt {
        what,
        detail: e.to_string(),
    })
}

fn to_json<T: Serialize>(what: &'static str, value: &T) -> Result<String, FlowError> {
    serde_json::to_string(value)
        .map_err(|source| FlowError::Agreements(AgreementsError::Serialize { what, source }))
}

// ---------------------------------------------------------------- learning opportunities

fn lo_state(record: &LoRecord) -> Result<LoState, FlowError> {
    LoState::parse(&record.state)
        .ok_or_else(|| corrupt("learning_opportunity.state", &record.state))
}

fn lo_document(record: &LoRecord) -> Result<LearningOpportunity, FlowError> {
    serde_json::from_str(&record.document).map_err(|e| corrupt("learning_opportunity.document", e))
}

fn lo_summary(record: &LoRecord) -> Result<LoSummaryView, FlowError> {
    Ok(LoSummaryView {
        id: record.id.clone(),
        version: record.version,
        state: lo_state(record)?,
        title: record.title.clone(),
        saved_at: time_text(record.saved_at),
    })
}

fn lo_latest(catalogue: &Catalogue, id: &str) -> Result<LoRecord, FlowError> {
    catalogue
        .learning_opportunities()
        .get(id, None)?
        .ok_or_else(|| not_found("learning opportunity", id))
}

/// Every learning opportunity (latest version), by title.
pub fn list_learning_opportunities(catalogue: &Catalogue) -> Result<Vec<LoSummaryView>, FlowError> {
    catalogue
        .learning_opportunities()
        .list()?
        .iter()
        .map(lo_summary)
        .collect()
}

/// One learning opportunity (default: latest version) with its review history and templates.
pub fn learning_opportunity(
    catalogue: &Catalogue,
    id: &str,
    version: Option<u32>,
) -> Result<LoView, FlowError> {
    let los = catalogue.learning_opportunities();
    let record = los
        .get(id, version)?
        .ok_or_else(|| not_found("learning opportunity", id))?;
    let state = lo_state(&record)?;
    let document = lo_document(&record)?;
    Ok(LoView {
        summary: lo_summary(&record)?,
        editable: state.editable(),
        next_states: state.next().to_vec(),
        findings: document.check(LoState::Submitted),
        document,
        reviews: los
            .reviews(id)?
            .into_iter()
            .map(|r| LoReviewView {
                version: r.version,
                from: r.from_state,
                to: r.to_state,
                actor: r.actor,
                comment: r.comment,
                at: time_text(r.at),
            })
            .collect(),
        templates: los
            .templates_of(id)?
            .into_iter()
            .map(|l| LoTemplateView {
                lo_version: l.lo_version,
                template_id: l.template_id,
                template_version: l.template_version,
            })
            .collect(),
    })
}

/// Creates a learning opportunity as a draft (a new id is given if `document.id` is empty).
pub fn create_learning_opportunity(
    catalogue: &Catalogue,
    mut document: LearningOpportunity,
    now: OffsetDateTime,
) -> Result<LoView, FlowError> {
    if document.id.trim().is_empty() {
        document.id = uuid::Uuid::new_v4().to_string();
    }
    if let Some(f) = document.check(LoState::Draft).into_iter().next() {
        return Err(AgreementsError::Incomplete {
            state: LoState::Draft.as_str(),
            findings: vec![f],
        }
        .into());
    }
    store_lo(catalogue, &document, LoState::Draft, now)?;
    learning_opportunity(catalogue, &document.id, None)
}

/// Creates a learning opportunity as a draft from a JSON file (the editor's document shape).
pub fn add_learning_opportunity_file(
    catalogue: &Catalogue,
    bytes: &[u8],
    source_name: &str,
    now: OffsetDateTime,
) -> Result<LoView, FlowError> {
    create_learning_opportunity(catalogue, lo::parse(bytes, source_name)?, now)
}

/// Saves a new version of a learning opportunity (only in draft or changes requested).
pub fn save_learning_opportunity(
    catalogue: &Catalogue,
    document: LearningOpportunity,
    now: OffsetDateTime,
) -> Result<LoView, FlowError> {
    let latest = lo_latest(catalogue, &document.id)?;
    let state = lo_state(&latest)?;
    if !state.editable() {
        return Err(AgreementsError::NotEditable {
            what: "the learning opportunity",
            state: state.as_str(),
        }
        .into());
    }
    store_lo(catalogue, &document, state, now)?;
    learning_opportunity(catalogue, &document.id, None)
}

fn store_lo(
    catalogue: &Catalogue,
    document: &LearningOpportunity,
    state: LoState,
    now: OffsetDateTime,
) -> Result<(), FlowError> {
    let json = to_json("the learning opportunity", document)?;
    let title = document.title_in(document.default_language());
    catalogue
        .learning_opportunities()
        .save(&document.id, state.as_str(), &title, &json, now)?;
    audit(catalogue, now, "lo.save", &document.id)
}

/// Moves a learning opportunity in its review (submit, approve, ask for changes with a
/// comment, reopen); each step is a new version and a history entry.
pub fn review_learning_opportunity(
    catalogue: &Catalogue,
    id: &str,
    to: LoState,
    actor: &str,
    comment: Option<&str>,
    now: OffsetDateTime,
) -> Result<LoView, FlowError> {
    let latest = lo_latest(catalogue, id)?;
    let from = lo_state(&latest)?;
    let step = lo::review(&lo_document(&latest)?, from, to, actor, comment)?;
    catalogue.learning_opportunities().review(
        id,
        step.from.as_str(),
        step.to.as_str(),
        &step.actor,
        step.comment.as_deref(),
        now,
    )?;
    audit(catalogue, now, &format!("lo.{}", to.as_str()), id)?;
    learning_opportunity(catalogue, id, None)
}

/// The learning opportunity (default: latest version) as ELM JSON-LD, pretty-printed.
pub fn export_learning_opportunity_jsonld(
    catalogue: &Catalogue,
    id: &str,
    version: Option<u32>,
) -> Result<String, FlowError> {
    let record = catalogue
        .learning_opportunities()
        .get(id, version)?
        .ok_or_else(|| not_found("learning opportunity", id))?;
    let doc = jsonld::to_jsonld(&lo_document(&record)?);
    serde_json::to_string_pretty(&doc).map_err(|source| {
        FlowError::Agreements(AgreementsError::Serialize {
            what: "the JSON-LD",
            source,
        })
    })
}

fn form_concept(c: &sealdesk_agreements::ConceptRef) -> FormConcept {
    FormConcept {
        id: c.id.clone(),
        scheme: c.scheme.clone(),
        labels: c.labels.clone(),
        notation: c.notation.clone(),
    }
}

/// Makes a credential template from an approved learning opportunity (title, description,
/// outcomes with ESCO skills, ECTS, EQF, ISCED-F, workload, mode, assessment type, awarding
/// body), named `name`, and links it to the learning opportunity's version.
pub fn template_from_learning_opportunity(
    catalogue: &Catalogue,
    id: &str,
    name: &str,
    now: OffsetDateTime,
) -> Result<TemplateView, FlowError> {
    let record = lo_latest(catalogue, id)?;
    let state = lo_state(&record)?;
    if state != LoState::Approved {
        return Err(AgreementsError::NotApproved {
            state: state.as_str(),
        }
        .into());
    }
    let lo = lo_document(&record)?;
    let mut credential = Credential::from_json(crate::SAMPLE_TEMPLATE.as_bytes(), "sample")?;
    let mut form = TemplateForm::from_credential(&credential);
    form.languages = lo.languages.clone();
    form.primary_language = lo.default_language().to_owned();
    form.title = lo.title.clone();
    form.achievement_title = lo.title.clone();
    form.description = lo.description.clone();
    form.achievement_description = lo.description.clone();
    form.eqf_level = lo.eqf_level.map(|l| FormConcept {
        id: format!("http://data.europa.eu/snb/eqf/{l}"),
        scheme: "http://data.europa.eu/snb/eqf/25831c2".into(),
        labels: BTreeMap::from([("en".to_owned(), format!("Level {l}"))]),
        notation: Some(l.to_string()),
    });
    form.isced_f = lo.isced_f.iter().map(form_concept).collect();
    form.ects_points = lo.ects.map(jsonld::format_points);
    form.volume_of_learning = lo.workload_hours.map(|h| format!("PT{h}H"));
    form.mode = lo.mode.as_ref().map(form_concept);
    form.assessment_type = lo.assessment.kind.as_ref().map(form_concept);
    form.learning_outcomes = lo
        .outcomes
        .iter()
        .map(|o| OutcomeForm {
            title: o.title.clone(),
            esco_skills: o.esco_skills.iter().map(form_concept).collect(),
        })
        .collect();
    let country = lo.provider.country.to_ascii_uppercase();
    form.awarding_body = AwardingBodyForm {
        legal_name: lo.provider.legal_name.clone(),
        country: Some(FormConcept {
            id: format!("http://publications.europa.eu/resource/authority/country/{country}"),
            scheme: "http://publications.europa.eu/resource/authority/country".into(),
            labels: BTreeMap::new(),
            notation: Some(country),
        }),
        homepage: form.awarding_body.homepage.clone(),
    };
    form.apply_to(&mut credential)?;
    let json = serde_json::to_string_pretty(credential.as_value()).map_err(|source| {
        FlowError::Agreements(AgreementsError::Serialize {
            what: "the template",
            source,
        })
    })?;
    let view = crate::create_template(catalogue, name, &json, now)?;
    catalogue.learning_opportunities().link_template(
        id,
        record.version,
        &view.summary.id,
        view.summary.version,
        now,
    )?;
    audit(catalogue, now, "lo.template", id)?;
    Ok(view)
}

/// A course for an agreement, filled from a learning opportunity and linked to it; the
/// recognition granted starts at the course's full ECTS.
pub fn course_from_learning_opportunity(
    catalogue: &Catalogue,
    id: &str,
) -> Result<Course, FlowError> {
    let lo = lo_document(&lo_latest(catalogue, id)?)?;
    let lang = lo.default_language().to_owned();
    let ects = lo.ects.unwrap_or_default();
    Ok(Course {
        learning_opportunity_id: Some(lo.id.clone()),
        code: lo.code.clone(),
        title: lo.title_in(&lang),
        ects,
        outcomes: lo
            .outcomes
            .iter()
            .filter_map(|o| sealdesk_agreements::common::text_in(&o.title, &lang))
            .map(str::to_owned)
            .collect(),
        assessment: sealdesk_agreements::common::text_in(&lo.assessment.title, &lang)
            .unwrap_or_default()
            .to_owned(),
        language: lo
            .instruction_languages
            .first()
            .cloned()
            .unwrap_or_default(),
        recognition: Recognition {
            credits: ects,
            course_replaced: None,
            conditions: None,
        },
    })
}

// ---------------------------------------------------------------- agreements

fn mcra_state(record: &McraRecord) -> Result<McraState, FlowError> {
    McraState::parse(&record.state).ok_or_else(|| corrupt("mcra.state", &record.state))
}

fn mcra_document(record: &McraRecord) -> Result<Mcra, FlowError> {
    serde_json::from_str(&record.document).map_err(|e| corrupt("mcra.document", e))
}

fn mcra_summary(record: &McraRecord) -> Result<McraSummaryView, FlowError> {
    Ok(McraSummaryView {
        id: record.id.clone(),
        version: record.version,
        state: mcra_state(record)?,
        title: record.title.clone(),
        partner: record.partner.clone(),
        saved_at: time_text(record.saved_at),
        origin: record.origin.clone(),
    })
}

fn mcra_latest(catalogue: &Catalogue, id: &str) -> Result<McraRecord, FlowError> {
    catalogue
        .mcras()
        .get(id, None)?
        .ok_or_else(|| not_found("agreement", id))
}

/// Every agreement (latest version), by partner then title.
pub fn list_mcras(catalogue: &Catalogue) -> Result<Vec<McraSummaryView>, FlowError> {
    catalogue.mcras().list()?.iter().map(mcra_summary).collect()
}

/// One agreement (default: latest version) with its versions and what each next state needs.
pub fn mcra(catalogue: &Catalogue, id: &str, version: Option<u32>) -> Result<McraView, FlowError> {
    let record = catalogue
        .mcras()
        .get(id, version)?
        .ok_or_else(|| not_found("agreement", id))?;
    let state = mcra_state(&record)?;
    let document = mcra_document(&record)?;
    let mut findings: Vec<Finding> = Vec::new();
    for next in state.next() {
        for f in document.check(*next) {
            if !findings.contains(&f) {
                findings.push(f);
            }
        }
    }
    Ok(McraView {
        summary: mcra_summary(&record)?,
        editable: state.editable(),
        next_states: state.next().to_vec(),
        findings,
        document,
        versions: catalogue
            .mcras()
            .history(id)?
            .into_iter()
            .map(|r| McraVersionView {
                version: r.version,
                state: r.state,
                saved_at: time_text(r.saved_at),
                origin: r.origin,
            })
            .collect(),
    })
}

/// The partner institution's name, for lists by partner. The drafter of an agreement is party A
/// in its own file, so the partner is party B of an agreement first drafted here and party A of
/// one that first came in from a partner's file; the side is fixed by the agreement's first
/// version in this catalogue (`importing`: the version being stored comes from such a file).
fn partner_of<'a>(
    catalogue: &Catalogue,
    document: &'a Mcra,
    importing: bool,
) -> Result<&'a str, FlowError> {
    let first = catalogue.mcras().history(&document.id)?.into_iter().next();
    let drafted_elsewhere = match first {
        Some(record) => record.origin.starts_with("import:"),
        None => importing,
    };
    Ok(if drafted_elsewhere {
        &document.party_a.legal_name
    } else {
        &document.party_b.legal_name
    })
}

fn store_mcra(
    catalogue: &Catalogue,
    document: &Mcra,
    state: McraState,
    now: OffsetDateTime,
) -> Result<(), FlowError> {
    let json = to_json("the agreement", document)?;
    let partner = partner_of(catalogue, document, false)?;
    catalogue.mcras().save(
        &NewMcraVersion {
            id: &document.id,
            state: state.as_str(),
            title: &document.title,
            partner,
            document: &json,
            origin: "local",
        },
        now,
    )?;
    audit(
        catalogue,
        now,
        &format!("mcra.{}", state.as_str()),
        &document.id,
    )
}

/// Creates an agreement as a draft (a new id is given if `document.id` is empty).
pub fn create_mcra(
    catalogue: &Catalogue,
    mut document: Mcra,
    now: OffsetDateTime,
) -> Result<McraView, FlowError> {
    if document.id.trim().is_empty() {
        document.id = uuid::Uuid::new_v4().to_string();
    }
    let findings = document.check(McraState::Draft);
    if !findings.is_empty() {
        return Err(AgreementsError::Incomplete {
            state: McraState::Draft.as_str(),
            findings,
        }
        .into());
    }
    store_mcra(catalogue, &document, McraState::Draft, now)?;
    mcra(catalogue, &document.id, None)
}

/// Saves a new version of a draft agreement.
pub fn save_mcra(
    catalogue: &Catalogue,
    document: Mcra,
    now: OffsetDateTime,
) -> Result<McraView, FlowError> {
    let state = mcra_state(&mcra_latest(catalogue, &document.id)?)?;
    if !state.editable() {
        return Err(AgreementsError::NotEditable {
            what: "the agreement",
            state: state.as_str(),
        }
        .into());
    }
    let findings = document.check(McraState::Draft);
    if !findings.is_empty() {
        return Err(AgreementsError::Incomplete {
            state: McraState::Draft.as_str(),
            findings,
        }
        .into());
    }
    store_mcra(catalogue, &document, state, now)?;
    mcra(catalogue, &document.id, None)
}

/// Moves an agreement to `to` (checked against the workflow and the fields `to` needs); the
/// move is a new version.
pub fn move_mcra(
    catalogue: &Catalogue,
    id: &str,
    to: McraState,
    now: OffsetDateTime,
) -> Result<McraView, FlowError> {
    let record = mcra_latest(catalogue, id)?;
    let document = mcra_document(&record)?;
    transition(&document, mcra_state(&record)?, to)?;
    store_mcra(catalogue, &document, to, now)?;
    mcra(catalogue, id, None)
}

/// The field-level changes from version `from` to version `to` of an agreement.
pub fn diff_mcra(
    catalogue: &Catalogue,
    id: &str,
    from: u32,
    to: u32,
) -> Result<McraDiffView, FlowError> {
    let load = |v: u32| -> Result<serde_json::Value, FlowError> {
        let r = catalogue
            .mcras()
            .get(id, Some(v))?
            .filter(|r| r.version == v)
            .ok_or_else(|| not_found("agreement version", &format!("{id} version {v}")))?;
        let mut value = serde_json::json!({"state": r.state});
        let doc: serde_json::Value =
            serde_json::from_str(&r.document).map_err(|e| corrupt("mcra.document", e))?;
        if let (Some(m), serde_json::Value::Object(d)) = (value.as_object_mut(), doc) {
            m.extend(d);
        }
        Ok(value)
    };
    Ok(McraDiffView {
        id: id.to_owned(),
        from,
        to,
        changes: diff(&load(from)?, &load(to)?),
    })
}

/// The latest versions of agreements `ids` as a `sealdesk.mcra/1` exchange file.
pub fn export_mcras(
    catalogue: &Catalogue,
    ids: &[String],
    now: OffsetDateTime,
) -> Result<Vec<u8>, FlowError> {
    let mut agreements = Vec::with_capacity(ids.len());
    for id in ids {
        let record = mcra_latest(catalogue, id)?;
        agreements.push(ExchangedAgreement {
            state: mcra_state(&record)?,
            agreement: mcra_document(&record)?,
        });
    }
    let bytes = exchange::export(agreements, now)?;
    for id in ids {
        audit(catalogue, now, "mcra.export", id)?;
    }
    Ok(bytes)
}

/// Imports an exchange file: checked whole first (a newer, foreign or malformed file is
/// refused with the JSON pointer and nothing is written), then every agreement saved as a new
/// version in one transaction.
pub fn import_mcras(
    catalogue: &Catalogue,
    bytes: &[u8],
    source_name: &str,
    now: OffsetDateTime,
) -> Result<Vec<McraSummaryView>, FlowError> {
    let doc = exchange::parse(bytes, source_name)?;
    let origin = format!("import:{source_name}");
    let jsons = doc
        .agreements
        .iter()
        .map(|a| to_json("the agreement", &a.agreement))
        .collect::<Result<Vec<_>, _>>()?;
    let partners = doc
        .agreements
        .iter()
        .map(|a| partner_of(catalogue, &a.agreement, true))
        .collect::<Result<Vec<_>, _>>()?;
    let news: Vec<NewMcraVersion<'_>> = doc
        .agreements
        .iter()
        .zip(&jsons)
        .zip(partners)
        .map(|((a, json), partner)| NewMcraVersion {
            id: &a.agreement.id,
            state: a.state.as_str(),
            title: &a.agreement.title,
            partner,
            document: json,
            origin: &origin,
        })
        .collect();
    let saved = catalogue.mcras().save_all(&news, now)?;
    audit(catalogue, now, "mcra.import", source_name)?;
    saved.iter().map(mcra_summary).collect()
}

/// [`import_mcras`] of the exchange file at `path` (the partner's file the person picked),
/// its file name noted as the origin; a file over [`crate::MAX_CHOSEN_FILE_BYTES`] is refused.
pub fn import_mcras_file(
    catalogue: &Catalogue,
    path: &std::path::Path,
    now: OffsetDateTime,
) -> Result<Vec<McraSummaryView>, FlowError> {
    let _span = tracing::info_span!("flows.import_mcras_file").entered();
    let bytes = crate::read_chosen_file(path)?;
    import_mcras(catalogue, &bytes, &crate::chosen_name(path), now)
}

/// The fixed agreement texts (headings, clauses, labels) in `lang`.
pub fn mcra_texts(lang: &str) -> Result<BTreeMap<String, String>, FlowError> {
    Ok(texts::fixed_texts(lang)?)
}

/// A language an agreement can be printed in.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PrintLanguageView {
    /// ISO 639-1 code (`fr`).
    pub code: String,
    /// Its name in itself (`Français`).
    pub name: String,
}

/// The languages the agreement's fixed texts (headings, clauses, labels) exist in, each named
/// in itself, in the order the window offers them.
pub fn mcra_print_languages() -> Result<Vec<PrintLanguageView>, FlowError> {
    texts::LANGUAGES
        .iter()
        .map(|code| {
            let name = texts::fixed_texts(code)?
                .get("language.name")
                .cloned()
                .unwrap_or_else(|| code.to_uppercase());
            Ok(PrintLanguageView {
                code: (*code).to_owned(),
                name,
            })
        })
        .collect()
}

fn audit(
    catalogue: &Catalogue,
    now: OffsetDateTime,
    action: &str,
    id: &str,
) -> Result<(), FlowError> {
    catalogue.audit().append(now, action, id)?;
    Ok(())
}

/// The printed agreement: one version (default: the latest) with the fixed texts in `lang`
/// (`en fr de es it lt`; `None` = the agreement's language). Before `signed` it carries the
/// DRAFT watermark. The PDF's creation date is the version's save time, so the same version
/// prints to the same bytes (for the app's preview).
pub fn mcra_pdf(
    catalogue: &Catalogue,
    id: &str,
    version: Option<u32>,
    lang: Option<&str>,
) -> Result<Vec<u8>, FlowError> {
    let _span = tracing::info_span!("flows.mcra_pdf").entered();
    let record = catalogue
        .mcras()
        .get(id, version)?
        .ok_or_else(|| not_found("agreement", id))?;
    let options = sealdesk_render::mcra::McraPdfOptions {
        language: lang.map(str::to_owned),
        version: record.version,
        state: mcra_state(&record)?,
        created: record.saved_at,
        accent: None,
        seal: None,
    };
    let pdf = sealdesk_render::mcra::render_mcra(&mcra_document(&record)?, &options)?;
    Ok(pdf.bytes)
}

/// The printed agreement for a document not saved yet (the editor's live preview): always a
/// DRAFT, numbered `version` (the version a save would make), dated `created`.
pub fn mcra_draft_pdf(
    document: &Mcra,
    version: u32,
    lang: Option<&str>,
    created: OffsetDateTime,
) -> Result<Vec<u8>, FlowError> {
    let _span = tracing::info_span!("flows.mcra_draft_pdf").entered();
    let options = sealdesk_render::mcra::McraPdfOptions {
        language: lang.map(str::to_owned),
        version,
        state: McraState::Draft,
        created,
        accent: None,
        seal: None,
    };
    Ok(sealdesk_render::mcra::render_mcra(document, &options)?.bytes)
}

/// The printed learning opportunity (module description): one version (default: the latest)
/// in `lang` (one of its languages; `None` = its default). A DRAFT until approved.
pub fn lo_pdf(
    catalogue: &Catalogue,
    id: &str,
    version: Option<u32>,
    lang: Option<&str>,
) -> Result<Vec<u8>, FlowError> {
    let _span = tracing::info_span!("flows.lo_pdf").entered();
    let record = catalogue
        .learning_opportunities()
        .get(id, version)?
        .ok_or_else(|| not_found("learning opportunity", id))?;
    let options = sealdesk_render::lo::LoPdfOptions {
        language: lang.map(str::to_owned),
        version: record.version,
        state: lo_state(&record)?,
        created: record.saved_at,
        accent: None,
    };
    let pdf = sealdesk_render::lo::render_learning_opportunity(&lo_document(&record)?, &options)?;
    Ok(pdf.bytes)
}

/// Whether this version of the agreement may be sealed (signed or shared): `Ok` or
/// [`FlowError::AgreementNotSigned`]. Callers ask before they ask for the PIN.
pub fn mcra_sealable(
    catalogue: &Catalogue,
    id: &str,
    version: Option<u32>,
) -> Result<(), FlowError> {
    sealable(catalogue, id, version).map(|_| ())
}

fn sealable(
    catalogue: &Catalogue,
    id: &str,
    version: Option<u32>,
) -> Result<(McraRecord, McraState), FlowError> {
    let record = catalogue
        .mcras()
        .get(id, version)?
        .ok_or_else(|| not_found("agreement", id))?;
    let state = mcra_state(&record)?;
    if sealdesk_render::mcra::is_draft(state) {
        return Err(FlowError::AgreementNotSigned {
            id: id.to_owned(),
            state: state.as_str(),
        });
    }
    Ok((record, state))
}

/// Prints a signed (or shared) agreement and seals the PDF with the institution's token
/// (PAdES, one PIN; B-T when `tsa.url` answers, augmentation queued) into `output`, through
/// [`crate::seal_pdf_file`]. The seal block is printed by the agreement layout (holder and
/// time from the token's seal certificate, in the embedded fonts and the agreement's language)
/// and the PAdES signature itself is invisible, so the page does not carry two seal blocks. The block must name the key that sealed: if our check of the
/// fresh seal names another holder, the output is removed. An agreement before `signed` is
/// refused before the token is opened: a seal must not lend weight to a draft.
#[allow(clippy::too_many_arguments)]
pub fn seal_mcra_pdf(
    catalogue: &Catalogue,
    sel: &crate::DeviceSelector,
    pin: secrecy::SecretString,
    consent: crate::SealConsent,
    id: &str,
    version: Option<u32>,
    lang: Option<&str>,
    output: &std::path::Path,
    now: OffsetDateTime,
) -> Result<crate::SealedPdfView, FlowError> {
    let _span = tracing::info_span!("flows.seal_mcra_pdf").entered();
    let (record, state) = sealable(catalogue, id, version)?;
    // The key the selector picks (token by label else the first, key by id else the first),
    // read without a PIN. None: no token or key; sealing below reports why.
    let status = crate::device_status_in(catalogue, sel, now)?;
    let key = status
        .tokens
        .iter()
        .find(|t| sel.token_label.as_deref().is_none_or(|l| l == t.label))
        .and_then(|t| {
            t.keys.iter().find(|k| {
                sel.key_id
                    .as_deref()
                    .is_none_or(|id| id.eq_ignore_ascii_case(&k.key_id))
            })
        });
    let seal = key.map(|k| sealdesk_render::mcra::McraSeal {
        holder: k.holder.clone(),
        organization_identifier: Some(k.organization_identifier.clone()),
        sealed_at: now,
    });
    let options = sealdesk_render::mcra::McraPdfOptions {
        language: lang.map(str::to_owned),
        version: record.version,
        state,
        created: now,
        accent: None,
        seal: seal.clone(),
    };
    let bytes = sealdesk_render::mcra::render_mcra(&mcra_document(&record)?, &options)?.bytes;
    let name = output.file_name().map_or_else(
        || "agreement.pdf".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    let unsealed = output.with_file_name(format!(".{name}.unsealed"));
    std::fs::write(&unsealed, &bytes).map_err(|source| FlowError::Output {
        path: unsealed.clone(),
        source,
    })?;
    let sealed = crate::seal_pdf_file(catalogue, sel, pin, consent, &unsealed, output, false, now);
    // The unsealed copy is scratch either way; failing to remove it must not hide the result.
    if let Err(e) = std::fs::remove_file(&unsealed) {
        tracing::warn!(error = %e, "the unsealed agreement PDF was left beside the output");
    }
    let sealed = sealed?;
    let signer = sealed.report.signatures.first().map(|s| s.signer.as_str());
    if signer != seal.as_ref().map(|s| s.holder.as_str()) {
        tracing::warn!("the printed seal block names another holder than the seal: removed");
        // Best effort: the error below is what matters.
        let _ = std::fs::remove_file(output);
        return Err(FlowError::SealDidNotVerify);
    }
    Ok(sealed)
}
