//! Batch issuing: a spreadsheet of learners → sealed credentials in a folder and the register.
//!
//! [`open_batch`] reads the sheet (`sealdesk-sheets`), names every problem by cell, checks each
//! learner against the issued register (same learner + same template) and writes the journal
//! (`batch`, `batch_item`): the batch id is a hash of the template and the recipients file, so
//! opening the same inputs again returns the same batch, which [`run_batch`] resumes.
//! Credential ids derive from (batch id, row): a resumed row gets the id it would have had.
//!
//! The pipeline (Decision 2): builder threads build and check credentials and hand them
//! straight to [`SEALERS`] sealer threads, which keep the one token worker fed (its request
//! channel always holds the next signatures); this thread owns the catalogue, off the token's
//! path: it journals the steps of the events at hand in one transaction (group commit: checked;
//! sealed = register entry + state; stored for rows whose file was renamed into place after the
//! previous commit), so a crash keeps a whole group or none of it and a file is never written
//! before its row is in the register. Builders are one fewer than the cores (at
//! least one): on a small machine the software token signs on the same cores. At most
//! [`IN_FLIGHT`] rows are between stages, so memory stays flat however long the batch.
//! One PIN for the batch: [`run_batch`] opens the device once and drops it at the end.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use sealdesk_catalogue::table::batches::BatchStep;
use sealdesk_catalogue::{
    BatchItem, BatchItemState, BatchRecord, Catalogue, IssuedCredential, NewBatch, NewBatchItem,
};
use sealdesk_elm::{prepare_for_sealing, Mandate, Recipient, Template};
use sealdesk_seal::certificate::CertificateInfo;
use sealdesk_seal::{SignatureAlgorithm, Signer, SignerError};
use sealdesk_sheets::{import_bytes, Problem, RecipientRow, SheetColumn};
use sealdesk_token::SealDevice;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::batch_pdf::{PdfJob, PdfStage, RunOptions};
use crate::seal::{issuer_identity, stand_in_identity};
use crate::{DeviceSelector, FlowError, TrustAnchors};

/// Rows at most between the stages of the pipeline (bounds memory and channel sizes).
pub const IN_FLIGHT: usize = 64;

/// Sealer threads: each has at most one signature outstanding at the token worker, so the
/// worker's queue holds up to `SEALERS - 1` further signatures while one sealer verifies and
/// picks up its next row (a sealer waiting on the token costs no CPU).
const SEALERS: usize = 3;

/// Journal steps committed together at most (one transaction per group of events at hand).
const GROUP: usize = 32;

/// How long a written file's `stored` step waits for the next group before it is committed
/// alone.
const GROUP_WAIT: Duration = Duration::from_millis(20);

/// Where the template of a batch comes from.
#[derive(Debug, Clone, Copy)]
pub enum TemplateSource<'a> {
    /// A template in the catalogue (latest version when `version` is `None`).
    Catalogue {
        /// Template id.
        id: &'a str,
        /// Version.
        version: Option<u32>,
    },
    /// A template file (exported template or an ELM credential JSON used as a template).
    Json {
        /// The file's bytes.
        bytes: &'a [u8],
        /// Its name, for messages.
        source_name: &'a str,
    },
}

/// One problem of a sheet, by cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ProblemView {
    /// `Sheet!A1` (or the sheet name for a sheet-wide problem).
    pub place: String,
    /// The sheet row, if the problem is a learner's.
    pub row: Option<u32>,
    /// The column key (`email`).
    pub field: Option<String>,
    /// What is wrong and what to do.
    pub message: String,
}

impl From<Problem> for ProblemView {
    fn from(p: Problem) -> Self {
        Self {
            place: p.place,
            row: p.row,
            field: p.field,
            message: p.message,
        }
    }
}

/// A batch and where it stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct BatchView {
    /// Batch id (hash of template and recipients file).
    pub id: String,
    /// Catalogue template id, if the template came from the catalogue.
    pub template_id: Option<String>,
    /// Catalogue template version.
    pub template_version: Option<u32>,
    /// The recipients file name.
    pub recipients_name: String,
    /// Where sealed files are written.
    pub out_dir: String,
    /// `sealdesk`, `edc3Recipients` or `edc1Template`.
    pub sheet_format: String,
    /// `open`, `running`, `paused`, `cancelled`, `done`.
    pub state: String,
    /// Rows in the sheet.
    pub total: u32,
    /// Rows sealed and written.
    pub stored: u32,
    /// Rows sealed, file not yet written.
    pub sealed: u32,
    /// Rows still to seal.
    pub pending: u32,
    /// Rows left out.
    pub excluded: u32,
    /// Rows that could not be built.
    pub failed: u32,
    /// Rows (not excluded) with problems: sealing waits until they are fixed or excluded.
    pub rows_with_problems: u32,
    /// Problems of the sheet as a whole.
    pub sheet_problems: Vec<ProblemView>,
    /// Columns present but not used.
    pub not_used: Vec<String>,
    /// Whether [`open_batch`] found this batch already in the journal.
    pub resumed: bool,
}

/// One learner row of a batch, for the review grid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct BatchRowView {
    /// The sheet row.
    pub row: u32,
    /// The credential id this row gets.
    pub credential_id: String,
    /// The learner's name.
    pub learner: String,
    /// The learner's e-mail.
    pub email: String,
    /// `drafted`, `checked`, `sealed`, `stored`, `excluded`, `failed`.
    pub state: String,
    /// Problems of this row, by cell.
    pub problems: Vec<ProblemView>,
    /// Why it failed, if it did.
    pub detail: Option<String>,
}

/// Progress of a running batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct BatchProgressView {
    /// Batch id.
    pub batch_id: String,
    /// Rows sealed and written (including earlier runs).
    pub done: u32,
    /// Rows to seal in all (not excluded).
    pub total: u32,
    /// Credentials sealed per second in this run.
    pub rate_per_second: f64,
    /// Seconds left at this rate.
    pub eta_seconds: Option<f64>,
    /// `running`, `paused`, `cancelled`, `done`.
    pub state: String,
}

/// What a run did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct BatchSummaryView {
    /// The batch after the run.
    pub batch: BatchView,
    /// Credentials sealed in this run.
    pub sealed_this_run: u32,
    /// Files written from earlier runs' seals (a crash between seal and file).
    pub recovered_files: u32,
    /// Wall time of the run, seconds.
    pub seconds: f64,
    /// Sealed per second in this run.
    pub rate_per_second: f64,
    /// Share of the run's sealing time during which the token had a signature to make.
    pub token_busy_share: f64,
    /// Time inside the signer, seconds.
    pub token_busy_seconds: f64,
}

/// Pause / resume / cancel for a running batch, shared with whoever drives it (UI, Ctrl-C).
#[derive(Debug, Clone, Default)]
pub struct BatchControl {
    inner: Arc<(AtomicU8, Mutex<()>, Condvar)>,
}

const RUN: u8 = 0;
const PAUSE: u8 = 1;
const CANCEL: u8 = 2;

impl BatchControl {
    /// A control in the running state.
    pub fn new() -> Self {
        Self::default()
    }
    /// Stops feeding new rows; rows in flight are finished and journaled.
    pub fn pause(&self) {
        self.set(PAUSE);
    }
    /// Continues a paused batch.
    pub fn resume(&self) {
        self.set(RUN);
    }
    /// Stops the batch after the rows in flight; it can be resumed later with [`run_batch`].
    pub fn cancel(&self) {
        self.set(CANCEL);
    }
    /// Whether cancel was asked.
    pub fn is_cancelled(&self) -> bool {
        self.inner.0.load(Ordering::SeqCst) == CANCEL
    }
    fn state(&self) -> u8 {
        self.inner.0.load(Ordering::SeqCst)
    }
    fn set(&self, state: u8) {
        let (flag, lock, cvar) = &*self.inner;
        let _guard = lock.lock();
        flag.store(state, Ordering::SeqCst);
        cvar.notify_all();
    }
    fn wait_while_paused(&self) {
        let (flag, lock, cvar) = &*self.inner;
        let Ok(mut guard) = lock.lock() else { return };
        while flag.load(Ordering::SeqCst) == PAUSE {
            match cvar.wait_timeout(guard, Duration::from_millis(200)) {
                Ok((g, _)) => guard = g,
                Err(_) => return,
            }
        }
    }
}

/// The columns of the own sheet for a template (standard learner columns, plus `grade` when the
/// template's claims carry a grade).
pub fn sheet_columns(template: &[u8], source_name: &str) -> Result<Vec<SheetColumn>, FlowError> {
    let template = Template::from_json(template, source_name)?;
    let mut columns = sealdesk_sheets::standard_columns();
    let text = template.credential().as_value().to_string();
    if text.contains("\"grade\"") || text.contains("\"gradingScheme\"") {
        columns.push(SheetColumn {
            key: "grade".to_owned(),
            label: "Grade".to_owned(),
            mandatory: false,
            choices: Vec::new(),
        });
    }
    Ok(columns)
}

/// Writes Sealdesk's own sheet for a template to `out` (`batch sheet`).
pub fn write_batch_sheet(
    catalogue: &Catalogue,
    template: TemplateSource<'_>,
    out: &Path,
) -> Result<Vec<SheetColumn>, FlowError> {
    let resolved = resolve_template(catalogue, template)?;
    let columns = sheet_columns(resolved.json.as_bytes(), &resolved.name)?;
    sealdesk_sheets::write_own_sheet(out, &columns)?;
    Ok(columns)
}

struct ResolvedTemplate {
    json: String,
    name: String,
    key: String,
    id: Option<String>,
    version: Option<u32>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn resolve_template(
    catalogue: &Catalogue,
    source: TemplateSource<'_>,
) -> Result<ResolvedTemplate, FlowError> {
    match source {
        TemplateSource::Catalogue { id, version } => {
            let record = catalogue.templates().get(id, version)?.ok_or_else(|| {
                sealdesk_catalogue::CatalogueError::TemplateNotFound {
                    id: id.to_owned(),
                    version,
                }
            })?;
            Ok(ResolvedTemplate {
                key: format!("{}@{}", record.id, record.version),
                name: format!("template {} version {}", record.id, record.version),
                json: record.credential_json,
                id: Some(record.id),
                version: Some(record.version),
            })
        }
        TemplateSource::Json { bytes, source_name } => {
            let json = std::str::from_utf8(bytes)
                .map_err(|_| FlowError::TemplateNotText {
                    source_name: source_name.to_owned(),
                })?
                .to_owned();
            Ok(ResolvedTemplate {
                key: format!("sha256:{}", hex(&openssl::sha::sha256(bytes))),
                name: source_name.to_owned(),
                json,
                id: None,
                version: None,
            })
        }
    }
}

/// The batch id for a template and a recipients file.
pub fn batch_id(template_key: &str, recipients: &[u8]) -> String {
    let mut hasher = openssl::sha::Sha256::new();
    hasher.update(b"sealdesk-batch\0");
    hasher.update(template_key.as_bytes());
    hasher.update(b"\0");
    hasher.update(recipients);
    hex(&hasher.finish()[..16])
}

/// The credential id of a row: stable for (batch, row).
pub fn row_credential_id(batch_id: &str, row: u32) -> String {
    let mut hasher = openssl::sha::Sha256::new();
    hasher.update(b"sealdesk-credential\0");
    hasher.update(batch_id.as_bytes());
    hasher.update(&row.to_be_bytes());
    let digest = hasher.finish();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    let id = uuid::Builder::from_random_bytes(bytes).into_uuid();
    format!("urn:credential:{id}")
}

fn recipient_of(row: &RecipientRow) -> Recipient {
    Recipient {
        full_name: row.full_name.clone(),
        given_name: row.given_name.clone(),
        family_name: row.family_name.clone(),
        email: row.email.clone(),
        date_of_birth: row.date_of_birth,
    }
}

fn json_text<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".to_owned())
}

/// Reads the recipients sheet, checks every row and journals the batch; the same template and
/// file give the same batch, which is returned as it stands (`resumed`).
///
/// The template is checked once first (built for a stand-in learner and completed with stand-in
/// seal fields): a template that cannot make a complete credential is an error before any row.
pub fn open_batch(
    catalogue: &Catalogue,
    template: TemplateSource<'_>,
    recipients: &[u8],
    recipients_name: &str,
    out_dir: &Path,
    now: OffsetDateTime,
) -> Result<BatchView, FlowError> {
    open_batch_with(
        catalogue,
        template,
        recipients,
        recipients_name,
        out_dir,
        now,
        &BatchOptions::default(),
    )
}

/// How a batch is issued beyond its template and learners.
#[derive(Debug, Clone, Default)]
pub struct BatchOptions {
    /// Seal on behalf of another awarding body ([`sealdesk_elm::Mandate`]): written onto the
    /// template when the batch is opened, so the journal's template carries it and a resumed
    /// run seals with the same mandate.
    pub mandate: Option<Mandate>,
}

/// [`open_batch`] with options. A mandate changes the batch id (the same sheet with and
/// without a mandate are two batches) but not the template key the duplicate check uses.
pub fn open_batch_with(
    catalogue: &Catalogue,
    template: TemplateSource<'_>,
    recipients: &[u8],
    recipients_name: &str,
    out_dir: &Path,
    now: OffsetDateTime,
    options: &BatchOptions,
) -> Result<BatchView, FlowError> {
    let _span =
        tracing::info_span!("flows.open_batch", mandated = options.mandate.is_some()).entered();
    let mut resolved = resolve_template(catalogue, template)?;
    let id = match &options.mandate {
        None => batch_id(&resolved.key, recipients),
        Some(mandate) => {
            let mut credential = Template::from_json(resolved.json.as_bytes(), &resolved.name)?
                .credential()
                .clone();
            mandate.apply(&mut credential)?;
            resolved.json = String::from_utf8(credential.to_payload_bytes()?).map_err(|_| {
                FlowError::TemplateNotText {
                    source_name: resolved.name.clone(),
                }
            })?;
            let digest = hex(&openssl::sha::sha256(resolved.json.as_bytes()));
            batch_id(&format!("{}+mandate:{digest}", resolved.key), recipients)
        }
    };
    if catalogue.batches().get(&id)?.is_some() {
        let mut view = batch_view(catalogue, &id)?;
        view.resumed = true;
        return Ok(view);
    }
    let parsed = Template::from_json(resolved.json.as_bytes(), &resolved.name)?;
    check_template(&parsed, &resolved.name, now)?;
    let import = import_bytes(recipients, recipients_name)?;
    let mut items = Vec::with_capacity(import.rows.len());
    for row in &import.rows {
        let mut problems: Vec<ProblemView> = import
            .problems_of(row.row)
            .cloned()
            .map(Into::into)
            .collect();
        let learner_key = row.email.trim().to_lowercase();
        if !learner_key.is_empty() {
            if let Some(earlier) =
                catalogue
                    .batches()
                    .issued_elsewhere(&learner_key, &resolved.key, &id)?
            {
                let place = row
                    .cells
                    .get("email")
                    .cloned()
                    .unwrap_or_else(|| import.sheet.clone());
                problems.push(ProblemView {
                    message: format!(
                        "Learner in {place} already has this credential ({earlier}): exclude the row or issue from another template"
                    ),
                    place,
                    row: Some(row.row),
                    field: Some("email".to_owned()),
                });
            }
        }
        items.push(NewBatchItem {
            row: row.row,
            credential_id: row_credential_id(&id, row.row),
            learner: row.full_name.clone(),
            learner_key,
            recipient: json_text(&recipient_of(row)),
            problems: json_text(&problems),
        });
    }
    let sheet_problems: Vec<ProblemView> =
        import.sheet_problems().cloned().map(Into::into).collect();
    let format = serde_json::to_value(import.format)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let created = catalogue.batches().create(
        &NewBatch {
            id: id.clone(),
            template_key: resolved.key,
            template_id: resolved.id,
            template_version: resolved.version,
            template: resolved.json,
            recipients_name: recipients_name.to_owned(),
            out_dir: out_dir.display().to_string(),
            sheet_format: format,
            sheet_problems: json_text(&sheet_problems),
            not_used: json_text(&import.not_used),
        },
        &items,
        now,
    )?;
    if created {
        catalogue
            .audit()
            .append(now, "batch-open", &format!("{id} rows={}", items.len()))?;
    }
    let mut view = batch_view(catalogue, &id)?;
    view.resumed = !created;
    Ok(view)
}

fn check_template(template: &Template, name: &str, now: OffsetDateTime) -> Result<(), FlowError> {
    let stand_in = Recipient {
        full_name: "Stand In".to_owned(),
        given_name: String::new(),
        family_name: String::new(),
        email: "stand.in@example.org".to_owned(),
        date_of_birth: None,
    };
    let mut trial = sealdesk_elm::build(template, &stand_in, uuid::Uuid::nil(), now)?;
    prepare_for_sealing(&mut trial, &stand_in_identity(), now)?;
    let findings = trial.check_format();
    if findings.is_empty() {
        Ok(())
    } else {
        Err(FlowError::Incomplete {
            source_name: name.to_owned(),
            findings,
        })
    }
}

fn problems_of(item: &BatchItem) -> Vec<ProblemView> {
    serde_json::from_str(&item.problems).unwrap_or_default()
}

fn record(catalogue: &Catalogue, id: &str) -> Result<BatchRecord, FlowError> {
    Ok(catalogue
        .batches()
        .get(id)?
        .ok_or_else(|| sealdesk_catalogue::CatalogueError::BatchNotFound { id: id.to_owned() })?)
}

/// A batch and where it stands.
pub fn batch_view(catalogue: &Catalogue, id: &str) -> Result<BatchView, FlowError> {
    let record = record(catalogue, id)?;
    let counts = catalogue.batches().counts(id)?;
    let items = catalogue.batches().items(id)?;
    let rows_with_problems = items
        .iter()
        .filter(|i| i.state != BatchItemState::Excluded && !i.state.is_sealed())
        .filter(|i| i.problems != "[]")
        .count() as u32;
    Ok(BatchView {
        id: record.batch.id,
        template_id: record.batch.template_id,
        template_version: record.batch.template_version,
        recipients_name: record.batch.recipients_name,
        out_dir: record.batch.out_dir,
        sheet_format: record.batch.sheet_format,
        state: record.state,
        total: counts.total(),
        stored: counts.stored,
        sealed: counts.sealed,
        pending: counts.drafted + counts.checked,
        excluded: counts.excluded,
        failed: counts.failed,
        rows_with_problems,
        sheet_problems: serde_json::from_str(&record.batch.sheet_problems).unwrap_or_default(),
        not_used: serde_json::from_str(&record.batch.not_used).unwrap_or_default(),
        resumed: false,
    })
}

/// The awarding body a batch is sealed on behalf of (its legal name in the credential's primary
/// language), or `None` for a batch issued in the institution's own name.
pub fn batch_mandate(catalogue: &Catalogue, id: &str) -> Result<Option<String>, FlowError> {
    let record = record(catalogue, id)?;
    let template = Template::from_json(record.batch.template.as_bytes(), "batch template")?;
    let value = template.credential().as_value();
    if !sealdesk_elm::mandate::declares_mandate_profile(value) {
        return Ok(None);
    }
    let lang = template.credential().primary_language();
    let mut name = None;
    find_awarding_body_name(value, &lang, &mut name);
    Ok(Some(name.unwrap_or_default()))
}

fn find_awarding_body_name(v: &serde_json::Value, lang: &str, out: &mut Option<String>) {
    if out.is_some() {
        return;
    }
    match v {
        serde_json::Value::Object(map) => {
            if let Some(body) = map.get("awardingBody") {
                let first = body.as_array().and_then(|a| a.first()).unwrap_or(body);
                if let Some(names) = first.get("legalName") {
                    *out = sealdesk_elm::text_in(names, lang);
                    return;
                }
            }
            map.values()
                .for_each(|c| find_awarding_body_name(c, lang, out));
        }
        serde_json::Value::Array(list) => {
            list.iter()
                .for_each(|c| find_awarding_body_name(c, lang, out));
        }
        _ => {}
    }
}

/// Every batch in the journal, newest first.
pub fn list_batches(catalogue: &Catalogue) -> Result<Vec<BatchView>, FlowError> {
    catalogue
        .batches()
        .list()?
        .iter()
        .map(|b| batch_view(catalogue, &b.batch.id))
        .collect()
}

/// The rows of a batch for the review grid; `problems_only` keeps rows with problems.
pub fn batch_rows(
    catalogue: &Catalogue,
    id: &str,
    problems_only: bool,
) -> Result<Vec<BatchRowView>, FlowError> {
    record(catalogue, id)?;
    Ok(catalogue
        .batches()
        .items(id)?
        .into_iter()
        .filter(|i| !problems_only || i.problems != "[]")
        .map(|i| {
            let email = serde_json::from_str::<Recipient>(&i.recipient)
                .map(|r| r.email)
                .unwrap_or_default();
            BatchRowView {
                problems: problems_of(&i),
                row: i.row,
                credential_id: i.credential_id,
                learner: i.learner,
                email,
                state: i.state.as_str().to_owned(),
                detail: i.detail,
            }
        })
        .collect())
}

/// Leaves a row out of the batch (or takes it back). Sealed rows cannot change.
pub fn exclude_batch_row(
    catalogue: &Catalogue,
    id: &str,
    row: u32,
    excluded: bool,
    now: OffsetDateTime,
) -> Result<BatchView, FlowError> {
    catalogue.batches().set_excluded(id, row, excluded, now)?;
    batch_view(catalogue, id)
}

/// Leaves out every row that has a problem (`batch issue --exclude-problem-rows`).
pub fn exclude_problem_rows(
    catalogue: &Catalogue,
    id: &str,
    now: OffsetDateTime,
) -> Result<BatchView, FlowError> {
    for item in catalogue.batches().items(id)? {
        if item.problems != "[]"
            && !item.state.is_sealed()
            && item.state != BatchItemState::Excluded
        {
            catalogue.batches().set_excluded(id, item.row, true, now)?;
        }
    }
    batch_view(catalogue, id)
}

/// Opens the device once (one PIN) and seals the batch's pending rows; see [`run_batch_with`].
#[allow(clippy::too_many_arguments)]
pub fn run_batch(
    catalogue: &Catalogue,
    id: &str,
    sel: &DeviceSelector,
    pin: SecretString,
    consent: crate::SealConsent,
    now: OffsetDateTime,
    control: &BatchControl,
    progress: &mut dyn FnMut(&BatchProgressView),
) -> Result<BatchSummaryView, FlowError> {
    let options = RunOptions::default();
    run_batch_opts(
        catalogue, id, sel, pin, consent, now, control, progress, &options,
    )
}

/// [`run_batch`] with [`RunOptions`] (e.g. sealed PDFs beside the credentials, same PIN).
#[allow(clippy::too_many_arguments)]
pub fn run_batch_opts(
    catalogue: &Catalogue,
    id: &str,
    sel: &DeviceSelector,
    pin: SecretString,
    consent: crate::SealConsent,
    now: OffsetDateTime,
    control: &BatchControl,
    progress: &mut dyn FnMut(&BatchProgressView),
    options: &RunOptions,
) -> Result<BatchSummaryView, FlowError> {
    // Refuse before the PIN is used when the batch cannot run.
    ready(catalogue, id)?;
    let (module, _, _) = crate::device::resolve(sel, Some(catalogue))?;
    let signer = SealDevice::open(
        &module,
        &sel.token(),
        sel.key_id.as_deref(),
        pin,
        now,
        consent.open_options(),
    )?;
    let result = run_batch_with_opts(catalogue, id, &signer, now, control, progress, options);
    drop(signer); // log out, end the worker, drop the PIN
    result
}

fn ready(catalogue: &Catalogue, id: &str) -> Result<BatchView, FlowError> {
    let view = batch_view(catalogue, id)?;
    if !view.sheet_problems.is_empty() || view.rows_with_problems > 0 {
        return Err(FlowError::BatchHasProblems {
            rows: view.rows_with_problems,
            sheet: view.sheet_problems.len() as u32,
        });
    }
    Ok(view)
}

/// Counts the time during which at least one signature is outstanding at the signer.
struct BusySigner<'a> {
    inner: &'a dyn Signer,
    state: Mutex<(u32, Option<Instant>, Duration)>,
}

impl Signer for BusySigner<'_> {
    fn certificate(&self) -> &[u8] {
        self.inner.certificate()
    }
    fn chain(&self) -> &[Vec<u8>] {
        self.inner.chain()
    }
    fn algorithm(&self) -> SignatureAlgorithm {
        self.inner.algorithm()
    }
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignerError> {
        if let Ok(mut s) = self.state.lock() {
            if s.0 == 0 {
                s.1 = Some(Instant::now());
            }
            s.0 += 1;
        }
        let result = self.inner.sign(message);
        if let Ok(mut s) = self.state.lock() {
            s.0 = s.0.saturating_sub(1);
            if s.0 == 0 {
                if let Some(start) = s.1.take() {
                    s.2 += start.elapsed();
                }
            }
        }
        result
    }
}

struct Job {
    row: u32,
    credential_id: String,
    recipient: String,
}

enum Event {
    /// Built and checked; the builder handed it to the sealers itself.
    Checked {
        row: u32,
    },
    /// Not sealed because sealing stopped (an earlier row's seal failed).
    Skipped,
    Failed {
        row: u32,
        detail: String,
    },
    Sealed {
        row: u32,
        credential_id: String,
        title: String,
        learner: String,
        sealed: Vec<u8>,
    },
    SealFailed {
        row: u32,
        error: FlowError,
    },
}

/// An event as the journal records it (see the group commit in [`run_batch_with_opts`]).
enum Heard {
    Checked(u32),
    Failed(u32, String),
    Sealed(u32, IssuedCredential),
}

/// A row whose file is written and whose `stored` step waits for the next commit.
struct Unstored {
    row: u32,
    credential_id: String,
    sealed: Vec<u8>,
}

struct ToSeal {
    row: u32,
    payload: Vec<u8>,
    credential_id: String,
    title: String,
    learner: String,
}

/// The output file of a credential id: `<uuid>.jsonld`.
pub fn output_path(out_dir: &Path, credential_id: &str) -> PathBuf {
    let name = credential_id
        .rsplit(':')
        .next()
        .unwrap_or(credential_id)
        .replace(['/', '\\'], "_");
    out_dir.join(format!("{name}.jsonld"))
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, then a rename.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), FlowError> {
    let io = |source| FlowError::Output {
        path: path.to_path_buf(),
        source,
    };
    let tmp = path.with_extension("jsonld.part");
    std::fs::write(&tmp, bytes).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

/// Seals the pending rows of a batch with an already opened signer (the PIN was entered once,
/// by whoever opened it). Rows sealed in an earlier run are never sealed again; rows sealed but
/// not yet written (a crash in between) get their file from the register.
pub fn run_batch_with(
    catalogue: &Catalogue,
    id: &str,
    signer: &dyn Signer,
    now: OffsetDateTime,
    control: &BatchControl,
    progress: &mut dyn FnMut(&BatchProgressView),
) -> Result<BatchSummaryView, FlowError> {
    let options = RunOptions::default();
    run_batch_with_opts(catalogue, id, signer, now, control, progress, &options)
}

/// [`run_batch_with`] with [`RunOptions`]: with `pdf`, each stored row also gets its sealed PDF
/// from the same signer ([`crate::batch_pdf`]), and stored rows without one get it at the end.
pub fn run_batch_with_opts(
    catalogue: &Catalogue,
    id: &str,
    signer: &dyn Signer,
    now: OffsetDateTime,
    control: &BatchControl,
    progress: &mut dyn FnMut(&BatchProgressView),
    options: &RunOptions,
) -> Result<BatchSummaryView, FlowError> {
    let span = tracing::info_span!("flows.run_batch", batch = id);
    let _entered = span.enter();
    ready(catalogue, id)?;
    let started = Instant::now();
    let batches = catalogue.batches();
    batches.prepare_for_batch()?;
    let record = record(catalogue, id)?;
    let out_dir = PathBuf::from(&record.batch.out_dir);
    std::fs::create_dir_all(&out_dir).map_err(|source| FlowError::Output {
        path: out_dir.clone(),
        source,
    })?;
    let template = Template::from_json(record.batch.template.as_bytes(), "batch template")?;
    let certificate = CertificateInfo::from_der(signer.certificate())
        .map_err(|source| FlowError::SealCertificate { source })?;
    let identity = issuer_identity(&certificate)?;
    let fingerprint = certificate.sha256_fingerprint.clone();
    let (template_id, template_version) = (
        record.batch.template_id.clone(),
        record.batch.template_version,
    );

    // A killed run may leave a half-written temporary file: its row is not stored, so it is
    // written again below or sealed again.
    if let Ok(entries) = std::fs::read_dir(&out_dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.to_string_lossy().ends_with(".jsonld.part") {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    // Finish what an earlier run sealed but did not write.
    let mut recovered = 0u32;
    for (row, credential_id, sealed) in batches.sealed_unstored(id)? {
        write_atomically(&output_path(&out_dir, &credential_id), &sealed)?;
        batches.record_stored(id, row, now)?;
        recovered += 1;
    }
    let items = batches.items(id)?;
    for item in items.iter().filter(|i| i.state == BatchItemState::Stored) {
        let path = output_path(&out_dir, &item.credential_id);
        if !path.exists() {
            if let Some(issued) = catalogue.issued().get(&item.credential_id)? {
                write_atomically(&path, &issued.sealed)?;
                recovered += 1;
            }
        }
    }
    let mut jobs: std::collections::VecDeque<Job> = items
        .into_iter()
        .filter(|i| matches!(i.state, BatchItemState::Drafted | BatchItemState::Checked))
        .map(|i| Job {
            row: i.row,
            credential_id: i.credential_id,
            recipient: i.recipient,
        })
        .collect();
    let counts = batches.counts(id)?;
    let total = counts.total() - counts.excluded - counts.failed;
    let mut done = counts.stored;
    batches.set_state(id, "running", now)?;
    catalogue
        .audit()
        .append(now, "batch-run", &format!("{id} pending={}", jobs.len()))?;

    let busy = BusySigner {
        inner: signer,
        state: Mutex::new((0, None, Duration::ZERO)),
    };
    let builders = std::thread::available_parallelism()
        .map(|n| n.get().saturating_sub(1).max(1))
        .unwrap_or(1)
        .min(4);
    let mut sealed_this_run = 0u32;
    let mut first_error: Option<FlowError> = None;
    let mut last_report = Instant::now();
    let mut failed_rows = 0u32;

    let (job_tx, job_rx) = mpsc::sync_channel::<Job>(IN_FLIGHT);
    let job_rx = Arc::new(Mutex::new(job_rx));
    let (seal_tx, seal_rx) = mpsc::sync_channel::<ToSeal>(IN_FLIGHT);
    let seal_rx = Arc::new(Mutex::new(seal_rx));
    let (event_tx, event_rx) = mpsc::channel::<Event>();
    let stop_sealing = std::sync::atomic::AtomicBool::new(false);
    let template = &template;
    let identity = &identity;
    let busy_ref = &busy;
    let seal_check = SealCheck::new(signer);
    let check_ref = &seal_check;
    // The protected header (certificate, chain, signing time) is the same for every row.
    let sealer = sealdesk_seal::jades::Sealer::new(&busy, now)?;
    let sealer_ref = &sealer;

    std::thread::scope(|scope| -> Result<(), FlowError> {
        for n in 0..builders {
            let job_rx = Arc::clone(&job_rx);
            let events = event_tx.clone();
            let seal_tx = seal_tx.clone();
            let span = span.clone();
            std::thread::Builder::new()
                .name(format!("batch-build-{n}"))
                .spawn_scoped(scope, move || {
                    let _e = span.enter();
                    loop {
                        let job = match job_rx.lock().map(|rx| rx.recv()) {
                            Ok(Ok(job)) => job,
                            _ => break,
                        };
                        // A checked row goes straight to the sealers (the catalogue thread
                        // is not on the token's path); the journal hears of it first, so its
                        // `checked` step always precedes `sealed`.
                        let sent = match build_one(template, identity, job, now) {
                            Ok(item) => {
                                events.send(Event::Checked { row: item.row }).is_ok()
                                    && seal_tx.send(item).is_ok()
                            }
                            Err(event) => events.send(event).is_ok(),
                        };
                        if !sent {
                            break;
                        }
                    }
                })
                .map_err(|source| FlowError::Output {
                    path: PathBuf::from("<thread>"),
                    source,
                })?;
        }
        drop(seal_tx); // the builders hold the senders: the sealers end after the last build
        for n in 0..SEALERS {
            let seal_rx = Arc::clone(&seal_rx);
            let events = event_tx.clone();
            let span = span.clone();
            let stop_sealing = &stop_sealing;
            std::thread::Builder::new()
                .name(format!("batch-seal-{n}"))
                .spawn_scoped(scope, move || {
                    let _e = span.enter();
                    loop {
                        let item = match seal_rx.lock().map(|rx| rx.recv()) {
                            Ok(Ok(item)) => item,
                            _ => break,
                        };
                        let event = if stop_sealing.load(Ordering::SeqCst) {
                            Event::Skipped
                        } else {
                            seal_one(sealer_ref, check_ref, item, now)
                        };
                        if events.send(event).is_err() {
                            break;
                        }
                    }
                })
                .map_err(|source| FlowError::Output {
                    path: PathBuf::from("<thread>"),
                    source,
                })?;
        }
        drop(event_tx);
        let pdfs = options
            .pdf
            .then(|| PdfStage::start(scope, busy_ref, &out_dir, builders, &span))
            .transpose()?;

        let mut in_flight = 0usize;
        let mut job_tx = Some(job_tx);
        // Group commit: the steps of the events at hand (up to GROUP) go into one transaction.
        // A sealed row's file is written after the commit that puts it in the register, and its
        // `stored` step rides with the next group's commit (`unstored` until then), or is
        // committed alone when no event comes within GROUP_WAIT, before a pause and at the end.
        let mut unstored: Vec<Unstored> = Vec::new();
        let flush = |unstored: &mut Vec<Unstored>| -> Result<u32, FlowError> {
            let steps: Vec<BatchStep<'_>> = unstored
                .iter()
                .map(|u| BatchStep::Stored { row: u.row })
                .collect();
            batches.record_steps(id, &steps, template_id.as_deref(), template_version, now)?;
            let n = unstored.len() as u32;
            for u in unstored.drain(..) {
                if let Some(stage) = &pdfs {
                    stage.submit(PdfJob {
                        credential_id: u.credential_id,
                        sealed: u.sealed,
                        sealed_at: now,
                    });
                }
            }
            Ok(n)
        };
        loop {
            let state = control.state();
            let stopping = state == CANCEL || first_error.is_some();
            if !stopping && state == RUN {
                while in_flight < IN_FLIGHT {
                    let Some(job) = jobs.pop_front() else { break };
                    let Some(tx) = &job_tx else { break };
                    if tx.send(job).is_err() {
                        break;
                    }
                    in_flight += 1;
                }
            }
            if in_flight == 0 {
                done += flush(&mut unstored)?;
                if !stopping && state == PAUSE && !jobs.is_empty() {
                    batches.set_state(id, "paused", now)?;
                    report(
                        progress,
                        id,
                        done,
                        total,
                        sealed_this_run,
                        started,
                        "paused",
                    );
                    control.wait_while_paused();
                    if control.state() == RUN {
                        batches.set_state(id, "running", now)?;
                    }
                    continue;
                }
                break;
            }
            let first = if unstored.is_empty() {
                match event_rx.recv() {
                    Ok(event) => event,
                    Err(_) => break,
                }
            } else {
                match event_rx.recv_timeout(GROUP_WAIT) {
                    Ok(event) => event,
                    Err(mpsc::RecvTimeoutError::Timeout) => {
                        done += flush(&mut unstored)?;
                        continue;
                    }
                    Err(mpsc::RecvTimeoutError::Disconnected) => break,
                }
            };
            let mut events = vec![first];
            while events.len() < GROUP {
                match event_rx.try_recv() {
                    Ok(event) => events.push(event),
                    Err(_) => break,
                }
            }
            // What the journal hears of this group, in the order the events came.
            let mut heard: Vec<Heard> = Vec::with_capacity(events.len());
            for event in events {
                match event {
                    Event::Checked { row } => heard.push(Heard::Checked(row)),
                    Event::Skipped => in_flight -= 1,
                    Event::Failed { row, detail } => {
                        heard.push(Heard::Failed(row, detail));
                        failed_rows += 1;
                        in_flight -= 1;
                    }
                    Event::Sealed {
                        row,
                        credential_id,
                        title,
                        learner,
                        sealed,
                    } => {
                        in_flight -= 1;
                        heard.push(Heard::Sealed(
                            row,
                            IssuedCredential {
                                credential_id,
                                title,
                                learner,
                                sealed_at: now,
                                signer_fingerprint: fingerprint.clone(),
                                sealed,
                            },
                        ));
                    }
                    Event::SealFailed { row, error } => {
                        in_flight -= 1;
                        tracing::warn!(row, "sealing stopped: {error}");
                        if first_error.is_none() {
                            first_error = Some(error);
                            // Stop feeding the token; what is queued drains unsealed.
                            stop_sealing.store(true, Ordering::SeqCst);
                        }
                    }
                }
            }
            let steps: Vec<BatchStep<'_>> = unstored
                .iter()
                .map(|u| BatchStep::Stored { row: u.row })
                .chain(heard.iter().map(|h| match h {
                    Heard::Checked(row) => BatchStep::Checked { row: *row },
                    Heard::Failed(row, detail) => BatchStep::Failed { row: *row, detail },
                    Heard::Sealed(row, issued) => BatchStep::Sealed { row: *row, issued },
                }))
                .collect();
            batches.record_steps(id, &steps, template_id.as_deref(), template_version, now)?;
            drop(steps);
            // Committed: the earlier rows are stored, this group's sealed rows are in the
            // register; now their files (each by temporary file + rename).
            done += unstored.len() as u32;
            for u in unstored.drain(..) {
                if let Some(stage) = &pdfs {
                    stage.submit(PdfJob {
                        credential_id: u.credential_id,
                        sealed: u.sealed,
                        sealed_at: now,
                    });
                }
            }
            for h in heard {
                if let Heard::Sealed(row, issued) = h {
                    write_atomically(
                        &output_path(&out_dir, &issued.credential_id),
                        &issued.sealed,
                    )?;
                    sealed_this_run += 1;
                    unstored.push(Unstored {
                        row,
                        credential_id: issued.credential_id,
                        sealed: issued.sealed,
                    });
                }
            }
            if last_report.elapsed() >= Duration::from_millis(100) {
                last_report = Instant::now();
                report(
                    progress,
                    id,
                    done,
                    total,
                    sealed_this_run,
                    started,
                    "running",
                );
            }
            if jobs.is_empty() && job_tx.is_some() {
                job_tx = None; // builders end when the queue is drained
            }
        }
        done += flush(&mut unstored)?;
        drop(job_tx);
        if let Some(stage) = pdfs {
            if first_error.is_none() && !control.is_cancelled() {
                stage.submit_missing(catalogue, id, &out_dir)?;
            }
            if let Err(error) = stage.finish() {
                first_error.get_or_insert(error);
            }
        }
        Ok(())
    })?;

    let busy_time = busy.state.lock().map(|s| s.2).unwrap_or_default();
    let seconds = started.elapsed().as_secs_f64();
    let state = if first_error.is_some() || control.is_cancelled() {
        "cancelled"
    } else if jobs.is_empty() {
        "done"
    } else {
        "paused"
    };
    batches.set_state(id, state, now)?;
    catalogue.audit().append(
        now,
        "batch-end",
        &format!("{id} sealed={sealed_this_run} failed={failed_rows} state={state}"),
    )?;
    report(progress, id, done, total, sealed_this_run, started, state);
    if let Some(error) = first_error {
        return Err(error);
    }
    let rate = if seconds > 0.0 {
        f64::from(sealed_this_run) / seconds
    } else {
        0.0
    };
    Ok(BatchSummaryView {
        batch: batch_view(catalogue, id)?,
        sealed_this_run,
        recovered_files: recovered,
        seconds,
        rate_per_second: rate,
        token_busy_share: if seconds > 0.0 {
            busy_time.as_secs_f64() / seconds
        } else {
            0.0
        },
        token_busy_seconds: busy_time.as_secs_f64(),
    })
}

fn report(
    progress: &mut dyn FnMut(&BatchProgressView),
    id: &str,
    done: u32,
    total: u32,
    sealed_this_run: u32,
    started: Instant,
    state: &str,
) {
    let secs = started.elapsed().as_secs_f64();
    let rate = if secs > 0.0 {
        f64::from(sealed_this_run) / secs
    } else {
        0.0
    };
    let left = total.saturating_sub(done);
    progress(&BatchProgressView {
        batch_id: id.to_owned(),
        done,
        total,
        rate_per_second: rate,
        eta_seconds: (rate > 0.0).then(|| f64::from(left) / rate),
        state: state.to_owned(),
    });
}

fn build_one(
    template: &Template,
    identity: &sealdesk_elm::IssuerIdentity,
    job: Job,
    now: OffsetDateTime,
) -> Result<ToSeal, Event> {
    let failed = |detail: String| {
        Err(Event::Failed {
            row: job.row,
            detail,
        })
    };
    let recipient: Recipient = match serde_json::from_str(&job.recipient) {
        Ok(r) => r,
        Err(e) => return failed(format!("the journal's recipient is unreadable: {e}")),
    };
    let uuid = job
        .credential_id
        .rsplit(':')
        .next()
        .and_then(|u| uuid::Uuid::parse_str(u).ok())
        .unwrap_or_default();
    let mut credential = match sealdesk_elm::build(template, &recipient, uuid, now) {
        Ok(c) => c,
        Err(e) => return failed(e.to_string()),
    };
    if let Err(e) = prepare_for_sealing(&mut credential, identity, now) {
        return failed(e.to_string());
    }
    let findings = credential.check_format();
    if !findings.is_empty() {
        let text = findings
            .iter()
            .map(|f| format!("{} {}", f.pointer, f.message))
            .collect::<Vec<_>>()
            .join("; ");
        return failed(text);
    }
    let summary = credential.summary();
    match credential.to_payload_bytes() {
        Ok(payload) => Ok(ToSeal {
            row: job.row,
            payload,
            credential_id: job.credential_id,
            title: summary.title.unwrap_or_default(),
            learner: summary.learner.unwrap_or_default(),
        }),
        Err(e) => failed(e.to_string()),
    }
}

/// The check of every seal before it is kept. The first seal of a run goes through
/// `sealdesk-seal`'s full verifier; every later one must carry that seal's protected header byte
/// for byte (same certificate, algorithm and signing time), exactly its row's payload, and a
/// signature that verifies under the seal certificate's key, parsed once per run. The full
/// verifier parses every certificate of the seal again per credential, which cost more CPU than
/// anything else besides the token (ECDSA seals keep the full verifier for every row).
struct SealCheck {
    key: Option<(
        openssl::pkey::PKey<openssl::pkey::Public>,
        SignatureAlgorithm,
    )>,
    protected: std::sync::OnceLock<String>,
}

#[derive(Deserialize)]
struct Envelope {
    signatures: Vec<EnvelopeSignature>,
}

#[derive(Deserialize)]
struct EnvelopeSignature {
    protected: String,
}

impl SealCheck {
    fn new(signer: &dyn Signer) -> Self {
        let algorithm = signer.algorithm();
        let rsa = !matches!(
            algorithm,
            SignatureAlgorithm::ES256 | SignatureAlgorithm::ES384
        );
        let key = openssl::x509::X509::from_der(signer.certificate())
            .and_then(|c| c.public_key())
            .ok()
            .filter(|_| rsa)
            .map(|k| (k, algorithm));
        Self {
            key,
            protected: std::sync::OnceLock::new(),
        }
    }

    /// `Ok(true)` when the seal is intact and carries `payload`; `Err` when it cannot be read.
    fn check(
        &self,
        sealed: &[u8],
        payload: &[u8],
        now: OffsetDateTime,
    ) -> Result<bool, sealdesk_seal::SealError> {
        if let (Some((key, algorithm)), Some(expected)) = (&self.key, self.protected.get()) {
            if let Some(ok) = fast_check(sealed, payload, expected, key, *algorithm) {
                return Ok(ok);
            }
        }
        let verdict = sealdesk_seal::verify::verify(sealed, &TrustAnchors::empty(), now)?;
        let ok = verdict.intact() && verdict.payload == payload;
        if ok {
            if let Ok(env) = serde_json::from_slice::<Envelope>(sealed) {
                if let Some(sig) = env.signatures.first() {
                    let _ = self.protected.set(sig.protected.clone());
                }
            }
        }
        Ok(ok)
    }
}

/// The seal check without parsing the envelope: `sealed` must be
/// `{"payload":"<payload, escaped>","signatures":[{"protected":"<expected>","signature":"<sig>"}]}`
/// (what `jades::Sealer` writes; the first seal of the run went through the full verifier), its
/// payload string must unescape to exactly `payload`, and the signature must verify over
/// `protected.payload` under the certificate's key. `None` when the envelope has another shape
/// (the caller then runs the full verifier).
fn fast_check(
    sealed: &[u8],
    payload: &[u8],
    expected_protected: &str,
    key: &openssl::pkey::PKeyRef<openssl::pkey::Public>,
    algorithm: SignatureAlgorithm,
) -> Option<bool> {
    use openssl::hash::MessageDigest;
    use openssl::rsa::Padding;
    use openssl::sign::RsaPssSaltlen;
    const HEAD: &[u8] = b"{\"payload\":\"";
    const PROTECTED: &[u8] = b"\",\"signatures\":[{\"protected\":\"";
    const SIGNATURE: &[u8] = b"\",\"signature\":\"";
    const TAIL: &[u8] = b"\"}]}";
    let body = sealed.strip_prefix(HEAD)?.strip_suffix(TAIL)?;
    // The signature is base64url (no quote), so the last marker is its start.
    let at = body
        .windows(SIGNATURE.len())
        .rposition(|w| w == SIGNATURE)?;
    let signature_b64 = &body[at + SIGNATURE.len()..];
    let before = &body[..at];
    let escaped = before.strip_suffix(expected_protected.as_bytes())?;
    let escaped = escaped.strip_suffix(PROTECTED)?;
    if !unescapes_to(escaped, payload)? {
        return Some(false);
    }
    let mut b64: String = std::str::from_utf8(signature_b64)
        .ok()?
        .replace('-', "+")
        .replace('_', "/");
    while b64.len() % 4 != 0 {
        b64.push('=');
    }
    let signature = openssl::base64::decode_block(&b64).ok()?;
    let (md, pss) = match algorithm {
        SignatureAlgorithm::RS256 => (MessageDigest::sha256(), false),
        SignatureAlgorithm::RS384 => (MessageDigest::sha384(), false),
        SignatureAlgorithm::RS512 => (MessageDigest::sha512(), false),
        SignatureAlgorithm::PS256 => (MessageDigest::sha256(), true),
        SignatureAlgorithm::PS384 => (MessageDigest::sha384(), true),
        SignatureAlgorithm::PS512 => (MessageDigest::sha512(), true),
        _ => return None,
    };
    let mut verifier = openssl::sign::Verifier::new(md, key).ok()?;
    if pss {
        verifier.set_rsa_padding(Padding::PKCS1_PSS).ok()?;
        verifier
            .set_rsa_pss_saltlen(RsaPssSaltlen::DIGEST_LENGTH)
            .ok()?;
        verifier.set_rsa_mgf1_md(md).ok()?;
    }
    verifier.update(expected_protected.as_bytes()).ok()?;
    verifier.update(b".").ok()?;
    verifier.update(payload).ok()?;
    Some(verifier.verify(&signature).unwrap_or(false))
}

/// Whether the inside of a JSON string, `escaped`, reads as exactly `raw`: `Some(false)` when it
/// reads as something else, `None` for escapes serde_json never writes (`\/`, `\u` above
/// U+007F) or bytes a JSON string cannot hold raw (quote, control characters).
fn unescapes_to(escaped: &[u8], raw: &[u8]) -> Option<bool> {
    let (mut i, mut j) = (0usize, 0usize);
    while i < escaped.len() {
        let run = escaped[i..]
            .iter()
            .position(|&b| b == b'\\' || b == b'"' || b < 0x20)
            .map_or(escaped.len(), |p| i + p);
        let len = run - i;
        if raw.get(j..j + len) != Some(&escaped[i..run]) {
            return Some(false);
        }
        (i, j) = (run, j + len);
        let Some(&b) = escaped.get(i) else { break };
        if b != b'\\' {
            return None;
        }
        let (byte, width) = match escaped.get(i + 1)? {
            b'"' => (b'"', 2),
            b'\\' => (b'\\', 2),
            b'n' => (b'\n', 2),
            b'r' => (b'\r', 2),
            b't' => (b'\t', 2),
            b'b' => (0x08, 2),
            b'f' => (0x0c, 2),
            b'u' => {
                let hex = std::str::from_utf8(escaped.get(i + 2..i + 6)?).ok()?;
                (
                    u8::try_from(u32::from_str_radix(hex, 16).ok()?)
                        .ok()
                        .filter(|c| *c < 0x80)?,
                    6,
                )
            }
            _ => return None,
        };
        if raw.get(j) != Some(&byte) {
            return Some(false);
        }
        (i, j) = (i + width, j + 1);
    }
    Some(j == raw.len())
}

fn seal_one(
    sealer: &sealdesk_seal::jades::Sealer<'_>,
    check: &SealCheck,
    item: ToSeal,
    now: OffsetDateTime,
) -> Event {
    let sealed = match sealer.seal(&item.payload) {
        Ok(sealed) => sealed,
        Err(e) => {
            return Event::SealFailed {
                row: item.row,
                error: e.into(),
            }
        }
    };
    // Our own check before anything is kept (as for a single seal): the seal is intact and
    // carries exactly the credential built for this row. The credential itself was checked
    // when it was built, so only the envelope is verified here ([`SealCheck`]).
    match check.check(&sealed, &item.payload, now) {
        Ok(true) => Event::Sealed {
            row: item.row,
            credential_id: item.credential_id,
            title: item.title,
            learner: item.learner,
            sealed,
        },
        Ok(false) => Event::SealFailed {
            row: item.row,
            error: FlowError::SealDidNotVerify,
        },
        Err(source) => Event::SealFailed {
            row: item.row,
            error: FlowError::Unverifiable {
                source_name: item.credential_id,
                source,
            },
        },
    }
}

/// The human preview of the credential row `row` of batch `id` would get (built for that learner,
/// with stand-in seal fields: the real issuer comes from the token when sealing). Nothing is
/// stored.
pub fn preview_batch_row(
    catalogue: &Catalogue,
    id: &str,
    row: u32,
    now: OffsetDateTime,
) -> Result<crate::TemplatePreviewView, FlowError> {
    Ok(crate::editor::preview(&batch_row_credential(
        catalogue, id, row, now,
    )?))
}

/// The unsealed credential row `row` of batch `id` would get (stand-in seal fields), for the
/// human and the PDF previews.
pub(crate) fn batch_row_credential(
    catalogue: &Catalogue,
    id: &str,
    row: u32,
    now: OffsetDateTime,
) -> Result<sealdesk_elm::Credential, FlowError> {
    let record = record(catalogue, id)?;
    let item = catalogue
        .batches()
        .items(id)?
        .into_iter()
        .find(|i| i.row == row)
        .ok_or_else(|| sealdesk_catalogue::CatalogueError::BatchNotFound {
            id: format!("{id} row {row}"),
        })?;
    let template = Template::from_json(record.batch.template.as_bytes(), "batch template")?;
    let recipient: Recipient =
        serde_json::from_str(&item.recipient).map_err(|source| FlowError::Recipient {
            source_name: format!("batch {id} row {row}"),
            source,
        })?;
    let uuid = item
        .credential_id
        .rsplit(':')
        .next()
        .and_then(|u| uuid::Uuid::parse_str(u).ok())
        .unwrap_or_default();
    let mut credential = sealdesk_elm::build(&template, &recipient, uuid, now)?;
    prepare_for_sealing(&mut credential, &stand_in_identity(), now)?;
    Ok(credential)
}

#[cfg(test)]
mod tests {
    use super::unescapes_to;

    #[test]
    fn unescapes_to_reads_serde_json_escapes_and_refuses_any_difference() {
        let mut raw = String::from("{\"a\":\"Ana \\\"Q\\\" \\\\ Čapek 学生\",\"c\":\"");
        for b in 0u8..0x20 {
            raw.push(char::from(b));
        }
        raw.push_str("\u{7f}\"}");
        let quoted = serde_json::to_string(&raw).expect("serialise");
        let escaped = &quoted.as_bytes()[1..quoted.len() - 1];
        assert_eq!(
            unescapes_to(escaped, raw.as_bytes()),
            Some(true),
            "serde_json's escaping reads back as the raw text"
        );
        let mut other = raw.clone().into_bytes();
        other[3] ^= 1;
        assert_eq!(
            unescapes_to(escaped, &other),
            Some(false),
            "one changed byte is a different payload"
        );
        assert_eq!(
            unescapes_to(escaped, &raw.as_bytes()[..raw.len() - 1]),
            Some(false),
            "a shorter payload is a different payload"
        );
        assert_eq!(
            unescapes_to(b"a\\/b", b"a/b"),
            None,
            "an escape serde_json never writes sends the seal to the full verifier"
        );
        assert_eq!(
            unescapes_to(b"a\"b", b"a\"b"),
            None,
            "a raw quote cannot be inside a JSON string"
        );
    }
}
