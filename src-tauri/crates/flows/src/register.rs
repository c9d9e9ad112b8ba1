//! The issued register as people use it: search and filter every credential sealed here,
//! export the lines as CSV, and find the sealed file of one credential.
//!
//! The rows come from the catalogue (`issued`, with the batch row's e-mail, the template's
//! name and the newest augmented level) and the outbox ([`crate::deliver::by_credential`]: the
//! newest delivery per channel, with its reason when it failed); this module owns the
//! presentation rules (what "not queued" means, how a delivery reads, how states and dates
//! filter). Sealing and delivery themselves live in `batch`, `seal`, `augment` and the outbox.

use std::path::{Path, PathBuf};

use sealdesk_catalogue::{Catalogue, RegisterEntry, RegisterSearch};
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::Date;

use crate::FlowError;

/// Seal level of a credential with no augmented version: the original B-B seal.
pub const ORIGINAL_LEVEL: &str = "B-B";
/// Delivery state of a credential without a delivery job.
pub const NOT_QUEUED: &str = "not queued";

/// Job kinds that are not deliveries: every seal-augmentation kind, JSON and PDF (they improve
/// the seal and stay in the background).
const NOT_DELIVERY: &[&str] = &crate::augment::KINDS;

/// What to show: a search text and filters; empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct RegisterFilterView {
    /// Part of a learner's name, e-mail, credential id, title, template or batch id.
    pub search: Option<String>,
    /// Only this batch.
    pub batch_id: Option<String>,
    /// Only this template id.
    pub template_id: Option<String>,
    /// Only this seal level (`B-B`, `B-T`, `B-LT`, `B-LTA`).
    pub seal_level: Option<String>,
    /// Only credentials with a delivery in this state (`queued`, `sending`, `sent`, `retry-at`,
    /// `failed`, `cancelled`; `delivered` means `sent`), or with none (`not queued`).
    pub delivery_state: Option<String>,
    /// Sealed on or after this day (UTC, `YYYY-MM-DD`).
    pub sealed_from: Option<String>,
    /// Sealed on or before this day (UTC, `YYYY-MM-DD`).
    pub sealed_to: Option<String>,
}

/// One line of the issued register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RegisterRowView {
    /// The credential id.
    pub credential_id: String,
    /// The learner's name.
    pub learner: String,
    /// The learner's e-mail ("" when the credential did not come from a sheet).
    pub email: String,
    /// The credential's title.
    pub title: String,
    /// Template id, if built from a catalogue template.
    pub template_id: Option<String>,
    /// Template version.
    pub template_version: Option<u32>,
    /// "name v3" (or the title when the template is not in the catalogue).
    pub template: String,
    /// The batch it came from.
    pub batch_id: Option<String>,
    /// When it was sealed (RFC 3339, UTC).
    pub sealed_at: String,
    /// The newest seal level (`B-B` until augmented).
    pub seal_level: String,
    /// The outbox's deliveries in words, one per channel (`mail: sent`, `mail: failed — 550 no
    /// such user`), or `not queued`.
    pub delivery_state: String,
    /// The states of its deliveries (`sent`, `failed`, ...), one per channel; empty when none.
    pub delivery_states: Vec<String>,
}

/// The register lines matching `filter`, newest first.
pub fn register_rows(
    catalogue: &Catalogue,
    filter: &RegisterFilterView,
) -> Result<Vec<RegisterRowView>, FlowError> {
    let _span = tracing::info_span!("flows.register_rows").entered();
    let from = day(filter.sealed_from.as_deref())?;
    let to = day(filter.sealed_to.as_deref())?;
    let search = RegisterSearch {
        text: filter.search.clone(),
        batch_id: filter.batch_id.clone(),
        template_id: filter.template_id.clone(),
    };
    let wanted = |value: &Option<String>, actual: &str| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .is_none_or(|v| v.eq_ignore_ascii_case(actual))
    };
    let deliveries = crate::deliver::by_credential(catalogue)?;
    Ok(catalogue
        .issued()
        .search(&search, NOT_DELIVERY)?
        .into_iter()
        .filter(|e| {
            let sealed = e.sealed_at.to_offset(time::UtcOffset::UTC).date();
            from.is_none_or(|d| sealed >= d) && to.is_none_or(|d| sealed <= d)
        })
        .map(|e| {
            let of_this = deliveries
                .get(&e.credential_id)
                .map(Vec::as_slice)
                .unwrap_or_default();
            row_view(e, of_this)
        })
        .filter(|r| {
            wanted(&filter.seal_level, &r.seal_level)
                && delivery_wanted(filter.delivery_state.as_deref(), &r.delivery_states)
        })
        .collect())
}

fn day(value: Option<&str>) -> Result<Option<Date>, FlowError> {
    let Some(text) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text, &format)
        .map(Some)
        .map_err(|_| FlowError::RegisterDate {
            value: text.to_owned(),
        })
}

/// Whether a credential whose deliveries are in `states` passes the delivery filter `wanted`.
fn delivery_wanted(wanted: Option<&str>, states: &[String]) -> bool {
    let Some(wanted) = wanted.map(str::trim).filter(|v| !v.is_empty()) else {
        return true;
    };
    if wanted.eq_ignore_ascii_case(NOT_QUEUED) {
        return states.is_empty();
    }
    let wanted = if wanted.eq_ignore_ascii_case("delivered") {
        "sent"
    } else {
        wanted
    };
    states.iter().any(|s| s.eq_ignore_ascii_case(wanted))
}

/// One delivery in words: `mail: sent`, `mail: failed — 550 no such user`,
/// `wallet: retry-at 2026-11-23T10:00:00Z — 451 try later`.
fn delivery_label(d: &crate::deliver::DeliveryView) -> String {
    let mut label = format!("{}: {}", d.kind, d.state);
    if d.state == "retry-at" {
        label.push(' ');
        label.push_str(&d.next_attempt_at);
    }
    if matches!(d.state.as_str(), "failed" | "retry-at") {
        if let Some(error) = d.last_error.as_deref().filter(|e| !e.is_empty()) {
            label.push_str(" — ");
            label.push_str(error);
        }
    }
    label
}

fn row_view(entry: RegisterEntry, deliveries: &[crate::deliver::DeliveryView]) -> RegisterRowView {
    let template = match (&entry.template_name, entry.template_version) {
        (Some(name), Some(v)) => format!("{name} v{v}"),
        (Some(name), None) => name.clone(),
        (None, _) => entry.title.clone(),
    };
    RegisterRowView {
        sealed_at: entry
            .sealed_at
            .to_offset(time::UtcOffset::UTC)
            .format(&Rfc3339)
            .unwrap_or_default(),
        seal_level: entry
            .latest_level
            .clone()
            .unwrap_or_else(|| ORIGINAL_LEVEL.to_owned()),
        delivery_state: if deliveries.is_empty() {
            NOT_QUEUED.to_owned()
        } else {
            deliveries
                .iter()
                .map(delivery_label)
                .collect::<Vec<_>>()
                .join("; ")
        },
        delivery_states: deliveries.iter().map(|d| d.state.clone()).collect(),
        credential_id: entry.credential_id,
        learner: entry.learner,
        email: entry.email.unwrap_or_default(),
        title: entry.title,
        template_id: entry.template_id,
        template_version: entry.template_version,
        template,
        batch_id: entry.batch_id,
    }
}

/// The CSV header, in column order.
pub const CSV_HEADER: [&str; 10] = [
    "credential_id",
    "learner",
    "email",
    "title",
    "template",
    "template_version",
    "batch",
    "sealed_at",
    "seal_level",
    "delivery_state",
];

/// Writes the register lines matching `filter` as CSV (UTF-8, header line, RFC 4180 quoting)
/// to `out`; returns how many lines were written. The file is written atomically.
pub fn export_register_csv(
    catalogue: &Catalogue,
    filter: &RegisterFilterView,
    out: &Path,
) -> Result<u32, FlowError> {
    let _span = tracing::info_span!("flows.export_register_csv").entered();
    let rows = register_rows(catalogue, filter)?;
    let io = |source: std::io::Error| FlowError::Output {
        path: out.to_path_buf(),
        source,
    };
    let csv_io = |e: csv::Error| io(std::io::Error::other(e.to_string()));
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(CSV_HEADER).map_err(csv_io)?;
    for r in &rows {
        let version = r
            .template_version
            .map(|v| v.to_string())
            .unwrap_or_default();
        writer
            .write_record([
                r.credential_id.as_str(),
                r.learner.as_str(),
                r.email.as_str(),
                r.title.as_str(),
                r.template_id.as_deref().unwrap_or(""),
                version.as_str(),
                r.batch_id.as_deref().unwrap_or(""),
                r.sealed_at.as_str(),
                r.seal_level.as_str(),
                r.delivery_state.as_str(),
            ])
            .map_err(csv_io)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| io(std::io::Error::other(e.to_string())))?;
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let tmp = out.with_extension("csv.part");
    std::fs::write(&tmp, &bytes).map_err(io)?;
    std::fs::rename(&tmp, out).map_err(io)?;
    Ok(rows.len() as u32)
}

/// The sealed file of `credential_id` on disk: the batch's output file when it holds exactly
/// the register's bytes, otherwise a copy of the register's bytes written to `export_dir`
/// (`<uuid>.jsonld`). The register is the source of truth; the returned file equals it.
pub fn sealed_file(
    catalogue: &Catalogue,
    credential_id: &str,
    export_dir: &Path,
) -> Result<PathBuf, FlowError> {
    let issued = catalogue
        .issued()
        .get(credential_id)?
        .ok_or_else(|| FlowError::NotIssued {
            id: credential_id.to_owned(),
        })?;
    let search = RegisterSearch {
        text: Some(credential_id.to_owned()),
        ..RegisterSearch::default()
    };
    let out_dir = catalogue
        .issued()
        .search(&search, NOT_DELIVERY)?
        .into_iter()
        .find(|e| e.credential_id == credential_id)
        .and_then(|e| e.batch_out_dir);
    if let Some(dir) = out_dir {
        let path = crate::output_path(Path::new(&dir), credential_id);
        if std::fs::read(&path).is_ok_and(|bytes| bytes == issued.sealed) {
            return Ok(path);
        }
    }
    let path = crate::output_path(export_dir, credential_id);
    let io = |source| FlowError::Output {
        path: path.clone(),
        source,
    };
    std::fs::create_dir_all(export_dir).map_err(io)?;
    let tmp = path.with_extension("jsonld.part");
    std::fs::write(&tmp, &issued.sealed).map_err(io)?;
    std::fs::rename(&tmp, &path).map_err(io)?;
    Ok(path)
}
