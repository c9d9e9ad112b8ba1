//! Templates in the catalogue: list, open, create, save (a new version each time), copy,
//! archive, import (an official unsigned sample, an EDC-issuer JSON credential or the
//! `{"credential": …}` upload wrapper) and export.
//!
//! The credential JSON is kept as text exactly as saved (any EU language, UTF-8 byte for
//! byte). A file that is not a credential is refused with its place (line/column or JSON
//! pointer) before anything is written, so the catalogue is left as it was.

use sealdesk_catalogue::{Catalogue, TemplateContent, TemplateRecord};
use sealdesk_elm::Credential;
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::views::{FindingView, TemplateSummaryView, TemplateView};
use crate::FlowError;

/// The latest version of every template (archived ones only if asked), by name.
pub fn list_templates(
    catalogue: &Catalogue,
    include_archived: bool,
) -> Result<Vec<TemplateSummaryView>, FlowError> {
    Ok(catalogue
        .templates()
        .list(include_archived)?
        .iter()
        .map(summary)
        .collect())
}

/// One template (default: its latest version) with its credential and findings.
pub fn template(
    catalogue: &Catalogue,
    id: &str,
    version: Option<u32>,
) -> Result<TemplateView, FlowError> {
    let record = catalogue.templates().get(id, version)?.ok_or_else(|| {
        sealdesk_catalogue::CatalogueError::TemplateNotFound {
            id: id.to_owned(),
            version,
        }
    })?;
    view(record)
}

/// Creates a template from credential JSON (checked to be a credential first).
pub fn create_template(
    catalogue: &Catalogue,
    name: &str,
    credential_json: &str,
    now: OffsetDateTime,
) -> Result<TemplateView, FlowError> {
    let credential = Credential::from_json(credential_json.as_bytes(), name)?;
    let id = uuid::Uuid::new_v4().to_string();
    let record = catalogue.templates().create(
        &id,
        TemplateContent {
            name,
            profile: profile(&credential).as_deref(),
            credential_json,
        },
        now,
    )?;
    audit(catalogue, now, "template.create", &record)?;
    view(record)
}

/// Saves a new version of template `id`; earlier versions (and credentials sealed from them)
/// are untouched.
pub fn save_template(
    catalogue: &Catalogue,
    id: &str,
    name: &str,
    credential_json: &str,
    now: OffsetDateTime,
) -> Result<TemplateView, FlowError> {
    let credential = Credential::from_json(credential_json.as_bytes(), name)?;
    let record = catalogue.templates().save(
        id,
        TemplateContent {
            name,
            profile: profile(&credential).as_deref(),
            credential_json,
        },
        now,
    )?;
    audit(catalogue, now, "template.save", &record)?;
    view(record)
}

/// Copies the latest version of template `id` into a new template called `new_name`.
pub fn copy_template(
    catalogue: &Catalogue,
    id: &str,
    new_name: &str,
    now: OffsetDateTime,
) -> Result<TemplateView, FlowError> {
    let new_id = uuid::Uuid::new_v4().to_string();
    let record = catalogue
        .templates()
        .copy(id, None, &new_id, new_name, now)?;
    audit(catalogue, now, "template.copy", &record)?;
    view(record)
}

/// Archives template `id`: hidden from the list, still readable.
pub fn archive_template(
    catalogue: &Catalogue,
    id: &str,
    now: OffsetDateTime,
) -> Result<TemplateSummaryView, FlowError> {
    catalogue.templates().archive(id, now)?;
    let record = catalogue.templates().get(id, None)?.ok_or_else(|| {
        sealdesk_catalogue::CatalogueError::TemplateNotFound {
            id: id.to_owned(),
            version: None,
        }
    })?;
    audit(catalogue, now, "template.archive", &record)?;
    Ok(summary(&record))
}

/// Imports a credential file as a new template. The upload wrapper is unwrapped; a plain
/// credential is stored byte for byte. `name` defaults to the credential's title, else the
/// file name.
pub fn import_template(
    catalogue: &Catalogue,
    bytes: &[u8],
    source_name: &str,
    name: Option<&str>,
    now: OffsetDateTime,
) -> Result<TemplateView, FlowError> {
    let _span = tracing::info_span!("import_template", source_name).entered();
    let credential = Credential::from_json(bytes, source_name)?;
    let parsed: Value =
        serde_json::from_slice(bytes).map_err(|source| sealdesk_elm::ElmError::MalformedJson {
            source_name: source_name.to_owned(),
            line: source.line(),
            column: source.column(),
            source,
        })?;
    let wrapped = parsed.get("credential").is_some() && parsed.get("type").is_none();
    let json = if wrapped {
        serde_json::to_string_pretty(credential.as_value())
            .map_err(sealdesk_elm::ElmError::NotSerializable)?
    } else {
        // Valid JSON is valid UTF-8, so this keeps the bytes exactly.
        String::from_utf8_lossy(bytes).into_owned()
    };
    let title = credential.summary().title;
    let fallback = file_stem(source_name);
    let name = name
        .map(str::to_owned)
        .or(title.filter(|t| !t.trim().is_empty()))
        .unwrap_or(fallback);
    let id = uuid::Uuid::new_v4().to_string();
    let record = catalogue.templates().create(
        &id,
        TemplateContent {
            name: &name,
            profile: profile(&credential).as_deref(),
            credential_json: &json,
        },
        now,
    )?;
    audit(catalogue, now, "template.import", &record)?;
    view(record)
}

/// The credential JSON of template `id` (default: latest version), exactly as saved.
pub fn export_template(
    catalogue: &Catalogue,
    id: &str,
    version: Option<u32>,
) -> Result<String, FlowError> {
    let record = catalogue.templates().get(id, version)?.ok_or_else(|| {
        sealdesk_catalogue::CatalogueError::TemplateNotFound {
            id: id.to_owned(),
            version,
        }
    })?;
    Ok(record.credential_json)
}

fn file_stem(source_name: &str) -> String {
    std::path::Path::new(source_name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| source_name.to_owned())
}

/// The credential profile URI (`credentialProfiles`, object or first of an array).
fn profile(credential: &Credential) -> Option<String> {
    let profiles = credential.as_value().get("credentialProfiles")?;
    let first = match profiles {
        Value::Array(items) => items.first()?,
        other => other,
    };
    first.get("id")?.as_str().map(str::to_owned)
}

fn time_text(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

fn summary(record: &TemplateRecord) -> TemplateSummaryView {
    TemplateSummaryView {
        id: record.id.clone(),
        name: record.name.clone(),
        version: record.version,
        profile: record.profile.clone(),
        updated_at: time_text(record.created_at),
        archived: record.archived_at.is_some(),
    }
}

fn view(record: TemplateRecord) -> Result<TemplateView, FlowError> {
    let credential = Credential::from_json(record.credential_json.as_bytes(), &record.name)?;
    let findings = credential
        .check_format()
        .into_iter()
        .map(|f| FindingView {
            pointer: f.pointer,
            message: f.message,
        })
        .collect();
    // The micro-credential (Annex I) elements still missing, in plain words.
    let annex1 = sealdesk_elm::annex1::check(&credential)
        .missing()
        .filter(|e| e.mandatory)
        .map(|e| FindingView {
            pointer: e.pointer.clone(),
            message: format!("{}: {}", e.label, e.hint),
        })
        .collect();
    Ok(TemplateView {
        summary: summary(&record),
        copied_from: record.copied_from.as_ref().map(|(id, _)| id.clone()),
        copied_from_version: record.copied_from.as_ref().map(|(_, v)| *v),
        credential_json: record.credential_json,
        findings,
        annex1: Some(annex1),
    })
}

fn audit(
    catalogue: &Catalogue,
    now: OffsetDateTime,
    action: &str,
    record: &TemplateRecord,
) -> Result<(), FlowError> {
    catalogue
        .audit()
        .append(now, action, &format!("{} v{}", record.id, record.version))?;
    Ok(())
}
