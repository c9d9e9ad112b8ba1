//! Seals that last: the augmentation jobs (B-B → B-LTA) and archive renewals, run from the
//! outbox (`catalogue` jobs table) when the trust services are reachable.
//!
//! Two subjects: sealed credentials (JAdES, jobs [`AUGMENT`]/[`RENEW_ARCHIVE`], subject = the
//! credential id, new versions in the issued register) and sealed PDFs (PAdES, jobs
//! [`AUGMENT_PDF`]/[`RENEW_PDF_ARCHIVE`], subject = the PDF's absolute path, the file replaced
//! atomically by a longer one whose first bytes are the old file). Same back-off, same
//! [`run_due`].
//!
//! [`queue`] is called once a credential is sealed and registered; [`run_due`] attempts what is
//! due and records each outcome: a new version in the issued register (the B-B original stays),
//! or a failed attempt with back-off. Offline is not an error here: every job is kept and tried
//! again later. Trust-service addresses come from the settings (`tsa.url`, `ocsp.url`,
//! `crl.urls`) through [`AugmentServices::from_settings`]; certificates' own AIA/CRLDP
//! addresses are used first.

use std::path::Path;
use std::time::Duration as StdDuration;

use sealdesk_catalogue::{Backoff, Catalogue, Job, JobState};
use sealdesk_seal::augment::{augment, renew_archive, Services};
use sealdesk_seal::net::Http;
use sealdesk_seal::verify::BaselineLevel;
use sealdesk_seal::SealError;
use serde::Serialize;
use time::{Duration, OffsetDateTime};

use crate::FlowError;

/// Job kind: bring a sealed credential to B-LTA.
pub const AUGMENT: &str = "augment";
/// Job kind: add a new archive timestamp before the last one's TSA certificate expires.
pub const RENEW_ARCHIVE: &str = "renew-archive";
/// Job kind: bring a sealed PDF (subject = its absolute path) to PAdES B-LTA.
pub const AUGMENT_PDF: &str = "augment-pdf";
/// Job kind: add a new DSS + document timestamp to a B-LTA PDF before its TSA certificate expires.
pub const RENEW_PDF_ARCHIVE: &str = "renew-pdf-archive";
/// Every job kind run by [`run_due`].
pub const KINDS: [&str; 4] = [AUGMENT, RENEW_ARCHIVE, AUGMENT_PDF, RENEW_PDF_ARCHIVE];
/// How long before the TSA certificate's expiry a renewal is scheduled.
pub const RENEW_MARGIN: Duration = Duration::days(90);
/// Settings keys.
pub const SETTING_TSA_URL: &str = "tsa.url";
/// OCSP responder for seal certificates that name none.
pub const SETTING_OCSP_URL: &str = "ocsp.url";
/// CRL addresses, separated by spaces or commas.
pub const SETTING_CRL_URLS: &str = "crl.urls";

/// Where the trust services are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AugmentServices {
    /// RFC 3161 timestamp authority.
    pub tsa_url: String,
    /// OCSP responder override for seal certificates without AIA.
    pub ocsp_url: Option<String>,
    /// Extra CRL addresses.
    pub crl_urls: Vec<String>,
    /// Extra CA certificates (DER) to find issuers among.
    pub extra_certs: Vec<Vec<u8>>,
    /// Per-request timeout.
    pub timeout: StdDuration,
}

impl AugmentServices {
    /// From the settings; `None` when no timestamp authority is configured (`tsa.url`).
    pub fn from_settings(catalogue: &Catalogue) -> Result<Option<Self>, FlowError> {
        let settings = catalogue.settings();
        let non_empty = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
        let Some(tsa_url) = non_empty(settings.get(SETTING_TSA_URL)?) else {
            return Ok(None);
        };
        Ok(Some(Self {
            tsa_url,
            ocsp_url: non_empty(settings.get(SETTING_OCSP_URL)?),
            crl_urls: settings
                .get(SETTING_CRL_URLS)?
                .unwrap_or_default()
                .split([' ', ','])
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            extra_certs: Vec::new(),
            timeout: StdDuration::from_secs(20),
        }))
    }
}

impl AugmentServices {
    /// The services as `sealdesk-seal` takes them, over `fetch`.
    pub fn seal_services<'a>(&self, fetch: &'a Http) -> Services<'a> {
        Services {
            fetch,
            tsa_url: self.tsa_url.clone(),
            ocsp_url: self.ocsp_url.clone(),
            crl_urls: self.crl_urls.clone(),
            extra_certs: self.extra_certs.clone(),
        }
    }
}

/// One job, for the CLI and the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct JobView {
    /// Job id.
    pub id: i64,
    /// `augment`, `renew-archive`, …
    pub kind: String,
    /// The credential id.
    pub subject: String,
    /// `queued`, `running`, `done`, `failed`.
    pub state: String,
    /// Attempts so far.
    pub attempts: u32,
    /// When it is due (RFC 3339).
    pub next_attempt_at: String,
    /// The last failure, if any.
    pub last_error: Option<String>,
    /// When it last changed (RFC 3339).
    pub updated_at: String,
}

impl From<&Job> for JobView {
    fn from(job: &Job) -> Self {
        let rfc = |t: OffsetDateTime| {
            t.format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default()
        };
        Self {
            id: job.id,
            kind: job.kind.clone(),
            subject: job.subject.clone(),
            state: job.state.as_str().to_owned(),
            attempts: job.attempts,
            next_attempt_at: rfc(job.next_attempt_at),
            last_error: job.last_error.clone(),
            updated_at: rfc(job.updated_at),
        }
    }
}

/// What one [`run_due`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RunReport {
    /// Jobs attempted.
    pub attempted: u32,
    /// Finished now.
    pub done: u32,
    /// Failed and scheduled again.
    pub retrying: u32,
    /// Failed for good (attempts spent or refused).
    pub failed: u32,
    /// The attempted jobs as they are now.
    pub jobs: Vec<JobView>,
}

/// Queues the augmentation of a sealed credential, due at once (idempotent).
pub fn queue(
    catalogue: &Catalogue,
    credential_id: &str,
    now: OffsetDateTime,
) -> Result<i64, FlowError> {
    Ok(catalogue.jobs().enqueue(AUGMENT, credential_id, now, now)?)
}

/// Queues the augmentation of the sealed PDF at `path` (made absolute), due at once
/// (idempotent).
pub fn queue_pdf(
    catalogue: &Catalogue,
    path: &Path,
    now: OffsetDateTime,
) -> Result<i64, FlowError> {
    let path = std::path::absolute(path).map_err(|source| FlowError::Output {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(catalogue
        .jobs()
        .enqueue(AUGMENT_PDF, &path.display().to_string(), now, now)?)
}

/// Writes `bytes` to `path` through a `.part` file renamed over it, so a reader never sees half
/// a file.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), FlowError> {
    let mut part = path.as_os_str().to_owned();
    part.push(".part");
    let part = std::path::PathBuf::from(part);
    let io = |source| FlowError::Output {
        path: path.to_path_buf(),
        source,
    };
    std::fs::write(&part, bytes).map_err(io)?;
    std::fs::rename(&part, path).map_err(io)
}

/// Every augmentation job, newest first.
pub fn list(catalogue: &Catalogue) -> Result<Vec<JobView>, FlowError> {
    Ok(catalogue
        .jobs()
        .list(None)?
        .iter()
        .filter(|j| KINDS.contains(&j.kind.as_str()))
        .map(JobView::from)
        .collect())
}

/// Re-queues a job to run at the next [`run_due`].
pub fn retry(catalogue: &Catalogue, id: i64, now: OffsetDateTime) -> Result<JobView, FlowError> {
    Ok(JobView::from(&catalogue.jobs().retry(id, now)?))
}

/// Attempts every due augmentation and renewal job once. Unreachable services make a job wait
/// (back-off with jitter), they do not make this call fail.
pub fn run_due(
    catalogue: &Catalogue,
    services: &AugmentServices,
    now: OffsetDateTime,
) -> Result<RunReport, FlowError> {
    let _span = tracing::info_span!("flows.augment.run_due").entered();
    let jobs = catalogue.jobs();
    jobs.requeue_stale(now - Duration::minutes(30), now)?;
    let http = Http::new(services.timeout);
    let seal_services = services.seal_services(&http);
    let mut report = RunReport {
        attempted: 0,
        done: 0,
        retrying: 0,
        failed: 0,
        jobs: Vec::new(),
    };
    for job in jobs.due(&KINDS, now)? {
        if !jobs.start(job.id, now)? {
            continue;
        }
        report.attempted += 1;
        let outcome = run_one(catalogue, &job, &seal_services, now);
        let after = match outcome {
            Ok(()) => {
                jobs.succeed(job.id, now)?;
                report.done += 1;
                jobs.get(job.id)?
            }
            Err(error) => {
                let permanent = is_permanent(&error);
                tracing::warn!(job = job.id, kind = %job.kind, %error, "job attempt failed");
                let after = jobs.fail(
                    job.id,
                    &error.to_string(),
                    permanent,
                    &Backoff::default(),
                    jitter(),
                    now,
                )?;
                if after.state == JobState::Failed {
                    report.failed += 1;
                } else {
                    report.retrying += 1;
                }
                after
            }
        };
        report.jobs.push(JobView::from(&after));
    }
    tracing::info!(
        attempted = report.attempted,
        done = report.done,
        retrying = report.retrying,
        "outbox run"
    );
    Ok(report)
}

fn run_one(
    catalogue: &Catalogue,
    job: &Job,
    services: &Services<'_>,
    now: OffsetDateTime,
) -> Result<(), FlowError> {
    if job.kind == AUGMENT_PDF || job.kind == RENEW_PDF_ARCHIVE {
        return run_pdf(catalogue, job, services, now);
    }
    let id = &job.subject;
    let current = match catalogue.issued_versions().latest(id)? {
        Some(v) => v.sealed,
        None => {
            catalogue
                .issued()
                .get(id)?
                .ok_or_else(|| sealdesk_catalogue::CatalogueError::NotIssued { id: id.clone() })?
                .sealed
        }
    };
    let out = if job.kind == RENEW_ARCHIVE {
        renew_archive(&current, services, now)?
    } else {
        augment(&current, BaselineLevel::BLTA, services, now)?
    };
    catalogue
        .issued_versions()
        .add(id, out.level.name(), &out.sealed, now)?;
    catalogue
        .audit()
        .append(now, &job.kind, &format!("{id} {}", out.level.name()))?;
    if let Some(expiry) = out.renew_before {
        let due = (expiry - RENEW_MARGIN).max(now);
        catalogue.jobs().enqueue(RENEW_ARCHIVE, id, due, now)?;
    }
    Ok(())
}

/// Augments (or renews) the sealed PDF named by the job, replacing the file atomically.
fn run_pdf(
    catalogue: &Catalogue,
    job: &Job,
    services: &Services<'_>,
    now: OffsetDateTime,
) -> Result<(), FlowError> {
    let path = Path::new(&job.subject);
    let current = std::fs::read(path).map_err(|source| FlowError::Output {
        path: path.to_path_buf(),
        source,
    })?;
    let pdf_error = |source| FlowError::Pdf {
        file: job.subject.clone(),
        source,
    };
    let out = if job.kind == RENEW_PDF_ARCHIVE {
        sealdesk_pades::renew_pdf_archive(&current, services, now)
    } else {
        sealdesk_pades::augment_pdf(&current, BaselineLevel::BLTA, services, now)
    }
    .map_err(pdf_error)?;
    if !out.pdf.starts_with(&current) {
        return Err(FlowError::Output {
            path: path.to_path_buf(),
            source: std::io::Error::other("augmentation would change bytes already sealed"),
        });
    }
    write_atomically(path, &out.pdf)?;
    catalogue.audit().append(
        now,
        &job.kind,
        &format!("{} {}", job.subject, out.level.name()),
    )?;
    if let Some(expiry) = out.renew_before {
        let due = (expiry - RENEW_MARGIN).max(now);
        catalogue
            .jobs()
            .enqueue(RENEW_PDF_ARCHIVE, &job.subject, due, now)?;
    }
    Ok(())
}

/// Failures that waiting will not cure.
fn is_permanent(error: &FlowError) -> bool {
    matches!(
        error,
        FlowError::Seal(
            SealError::Revoked { .. }
                | SealError::NotExtensible { .. }
                | SealError::MalformedJson { .. }
                | SealError::MalformedEnvelope { .. }
        ) | FlowError::Catalogue(sealdesk_catalogue::CatalogueError::NotIssued { .. })
            | FlowError::Pdf {
                source: sealdesk_pades::PadesError::NotAPdf { .. }
                    | sealdesk_pades::PadesError::Encrypted
                    | sealdesk_pades::PadesError::NotExtensible { .. }
                    | sealdesk_pades::PadesError::Structure { .. },
                ..
            }
    ) || matches!(error, FlowError::Output { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
}

fn jitter() -> f64 {
    let mut b = [0u8; 2];
    match openssl::rand::rand_bytes(&mut b) {
        Ok(()) => f64::from(u16::from_be_bytes(b)) / f64::from(u16::MAX),
        Err(_) => 0.5,
    }
}
