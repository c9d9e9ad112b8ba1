//! Delivery of sealed credentials to learners, exactly once: the mail (EDC convention, over
//! SMTP) and, when a wallet is configured, the Europass wallet deposit. Jobs of kind [`MAIL`]
//! and [`WALLET`] in the catalogue's jobs table, with their bookkeeping in the delivery table.
//!
//! States as shown ([`DeliveryView::state`]): `queued` → `sending` → `sent`, or `retry-at`
//! (waiting after a 4xx or a broken connection, exponential back-off with jitter), `failed`
//! (5xx or a refusal, with the server's reason; `retry` re-queues it) and `cancelled`.
//!
//! Exactly once. Each mail carries a Message-ID derived from the credential id and the
//! message's number (`<hash.aN@domain-of-from>`, [`sealdesk_outbox::message_id`]). Before a
//! message is handed to the server its id and the moment are recorded; the server's acceptance
//! (its 250 after DATA) is recorded at once, before the job is closed. A run that finds a job
//! still `sending` (the process died) closes it without sending if the acceptance was recorded,
//! and otherwise sends again **with the same Message-ID**: the only duplicate possible is the
//! one where the server accepted and the process died before the next write (a few
//! milliseconds), and that copy carries the same Message-ID, so mail systems can drop it. A
//! definite refusal (4xx/5xx) means the server has no copy: the next attempt is a new message
//! (`aN+1`). A session broken during DATA is treated like the crash: same Message-ID again.
//! Offline (the cheap TCP probe before the queue fails, or the connect is refused) counts no
//! attempt and keeps every job. Wallet deposits are idempotent on the wallet's side (409 = it
//! is there = done).
//!
//! Crash tests set `SEALDESK_FAILPOINT` to `deliver-before-send`, `deliver-after-send` (the
//! server accepted, nothing recorded) or `deliver-after-accept` (recorded, job not closed): the
//! process aborts there. Only one run works the delivery queue at a time (a lock file beside
//! the catalogue); a second one returns `busy`.

use std::path::{Path, PathBuf};
use std::time::Duration as StdDuration;

use sealdesk_catalogue::{Backoff, Catalogue, CatalogueError, Delivery, Job, JobState};
use sealdesk_elm::Credential;
use sealdesk_outbox::{
    compose, message_id, Deposit, DepositOutcome, Letter, MailTemplates, SecretKind, SecretStore,
    SendOutcome, SmtpConfig, TlsMode, WalletTarget,
};
use serde::Serialize;
use serde_json::Value;
use time::{Duration, OffsetDateTime};

use crate::FlowError;

/// Job kind: the mail to the learner.
pub const MAIL: &str = "mail";
/// Job kind: the deposit in the learner's Europass wallet.
pub const WALLET: &str = "wallet";
/// SMTP host.
pub const SETTING_SMTP_HOST: &str = "smtp.host";
/// SMTP port (default from `smtp.tls`: 25, 587, 465).
pub const SETTING_SMTP_PORT: &str = "smtp.port";
/// `none`, `starttls` (default), `tls`.
pub const SETTING_SMTP_TLS: &str = "smtp.tls";
/// SMTP login (the password comes from `SEALDESK_SMTP_PASSWORD`, the keyring or the 0600 file).
pub const SETTING_SMTP_USER: &str = "smtp.user";
/// The sender, `Name <address>`.
pub const SETTING_SMTP_FROM: &str = "smtp.from";
/// Extra CA certificate (PEM file) trusted for the SMTP server.
pub const SETTING_SMTP_CA_FILE: &str = "smtp.ca_file";
/// Europass wallet base URL (deposits are queued only when set).
pub const SETTING_WALLET_URL: &str = "wallet.url";
/// Whether the wallet mails the learner about a deposit (`true`/`false`, default `false`:
/// our own mail already went).
pub const SETTING_WALLET_SEND_EMAIL: &str = "wallet.send_email";
/// Every delivery setting key.
pub const SETTINGS: &[&str] = &[
    SETTING_SMTP_HOST,
    SETTING_SMTP_PORT,
    SETTING_SMTP_TLS,
    SETTING_SMTP_USER,
    SETTING_SMTP_FROM,
    SETTING_SMTP_CA_FILE,
    SETTING_WALLET_URL,
    SETTING_WALLET_SEND_EMAIL,
];
/// How long one SMTP command or HTTP request may take.
pub const TIMEOUT: StdDuration = StdDuration::from_secs(30);

/// Is `key` a delivery setting?
pub fn is_setting(key: &str) -> bool {
    SETTINGS.contains(&key)
}

/// How deliveries go out: read from the settings, secrets from the environment, keyring or file.
#[derive(Debug, Clone)]
pub struct DeliveryConfig {
    /// SMTP, if `smtp.host` and `smtp.from` are set.
    pub smtp: Option<SmtpConfig>,
    /// Wallet base URL, if set.
    pub wallet_url: Option<String>,
    /// `sendEmail` for deposits.
    pub wallet_send_email: bool,
    /// Mail templates (shipped, overridden by `<data dir>/mail/<lang>/`).
    pub templates: MailTemplates,
    /// Where the secrets are (`None` for an in-memory catalogue: environment only).
    pub secrets: Option<SecretStore>,
}

impl DeliveryConfig {
    /// From the catalogue's settings.
    pub fn from_settings(catalogue: &Catalogue) -> Result<Self, FlowError> {
        let settings = catalogue.settings();
        let get = |key: &str| -> Result<Option<String>, FlowError> {
            Ok(settings
                .get(key)?
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty()))
        };
        let data_dir = catalogue
            .path()
            .and_then(Path::parent)
            .map(Path::to_path_buf);
        let smtp = match (get(SETTING_SMTP_HOST)?, get(SETTING_SMTP_FROM)?) {
            (Some(host), Some(from)) => {
                let tls = match get(SETTING_SMTP_TLS)? {
                    Some(t) => TlsMode::parse(&t)?,
                    None => TlsMode::StartTls,
                };
                let port = match get(SETTING_SMTP_PORT)? {
                    Some(p) => p
                        .parse()
                        .map_err(|_| sealdesk_outbox::OutboxError::Setting {
                            key: SETTING_SMTP_PORT,
                            problem: format!("{p:?} is not a port number"),
                        })?,
                    None => tls.default_port(),
                };
                let ca_pem = match get(SETTING_SMTP_CA_FILE)? {
                    Some(path) => Some(std::fs::read(&path).map_err(|source| {
                        sealdesk_outbox::OutboxError::CaFile {
                            path: PathBuf::from(&path),
                            source,
                        }
                    })?),
                    None => None,
                };
                Some(SmtpConfig {
                    host,
                    port,
                    tls,
                    user: get(SETTING_SMTP_USER)?,
                    from,
                    ca_pem,
                    timeout: TIMEOUT,
                })
            }
            _ => None,
        };
        Ok(Self {
            smtp,
            wallet_url: get(SETTING_WALLET_URL)?,
            wallet_send_email: get(SETTING_WALLET_SEND_EMAIL)?.as_deref() == Some("true"),
            templates: data_dir
                .as_deref()
                .map(|d| MailTemplates::with_overrides(&d.join("mail")))
                .unwrap_or_default(),
            secrets: data_dir.as_deref().map(SecretStore::new),
        })
    }

    fn secret(&self, kind: SecretKind) -> Result<Option<secrecy::SecretString>, FlowError> {
        match &self.secrets {
            Some(store) => Ok(store.load(kind)?),
            None => Ok(std::env::var(kind.env())
                .ok()
                .filter(|v| !v.is_empty())
                .map(secrecy::SecretString::from)),
        }
    }
}

/// One delivery, for the CLI and the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DeliveryView {
    /// Job id.
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub id: i64,
    /// `mail` or `wallet`.
    pub kind: String,
    /// The credential id.
    pub subject: String,
    /// The learner's name as registered (empty if the credential is not in the register).
    pub learner: String,
    /// The credential's title as registered.
    pub title: String,
    /// `queued`, `sending`, `sent`, `retry-at`, `failed`, `cancelled`.
    pub state: String,
    /// Attempts so far.
    pub attempts: u32,
    /// When it is due (RFC 3339).
    pub next_attempt_at: String,
    /// The last failure, in plain words (the server's reason for a refusal).
    pub last_error: Option<String>,
    /// The server's last reply.
    pub last_reply: Option<String>,
    /// The Message-ID of the current message (mail).
    pub message_id: Option<String>,
    /// When the server accepted it (RFC 3339).
    pub accepted_at: Option<String>,
    /// When it last changed (RFC 3339).
    pub updated_at: String,
}

fn rfc(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

impl DeliveryView {
    fn new(job: &Job, delivery: Option<&Delivery>) -> Self {
        let cancelled = delivery.is_some_and(|d| d.cancelled_at.is_some());
        let state = match job.state {
            JobState::Queued if job.attempts > 0 && job.last_error.is_some() => "retry-at",
            JobState::Queued => "queued",
            JobState::Running => "sending",
            JobState::Done => "sent",
            JobState::Failed if cancelled => "cancelled",
            JobState::Failed => "failed",
        };
        Self {
            id: job.id,
            kind: job.kind.clone(),
            subject: job.subject.clone(),
            learner: String::new(),
            title: String::new(),
            state: state.to_owned(),
            attempts: job.attempts,
            next_attempt_at: rfc(job.next_attempt_at),
            last_error: job.last_error.clone(),
            last_reply: delivery.and_then(|d| d.last_reply.clone()),
            message_id: delivery.and_then(|d| d.message_id.clone()),
            accepted_at: delivery.and_then(|d| d.accepted_at).map(rfc),
            updated_at: rfc(job.updated_at),
        }
    }
}

/// What one [`run_due`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DeliveryRunReport {
    /// Jobs attempted.
    pub attempted: u32,
    /// Sent (accepted by the server) now.
    pub done: u32,
    /// Failed and scheduled again.
    pub retrying: u32,
    /// Failed for good.
    pub failed: u32,
    /// Jobs found `sending` after a crash and taken over (closed if accepted, else resent).
    pub recovered: u32,
    /// Why nothing was attempted for a channel (offline, not configured), if so.
    pub offline: Option<String>,
    /// Another run holds the queue; nothing was done.
    pub busy: bool,
    /// The attempted jobs as they are now.
    pub jobs: Vec<DeliveryView>,
}

/// What [`queue`] did for one credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct QueuedView {
    /// Jobs queued now.
    pub queued: u32,
    /// Deliveries that existed already (queued, sent or failed) and were left alone.
    pub existing: u32,
    /// The job ids, new or existing.
    #[cfg_attr(feature = "specta", specta(type = Vec<u32>))]
    pub jobs: Vec<i64>,
}

/// Queues the mail (and the wallet deposit, if `wallet.url` is set) of a sealed credential.
/// A credential that already has a delivery on a channel (waiting, sent or failed) gets no
/// second one: failed ones are retried with [`retry`]. `attachment_dir` is where a sealed PDF
/// `<uuid>.pdf` may be found when the mail leaves.
pub fn queue(
    catalogue: &Catalogue,
    credential_id: &str,
    attachment_dir: Option<&Path>,
    now: OffsetDateTime,
) -> Result<QueuedView, FlowError> {
    if catalogue.issued().get(credential_id)?.is_none() {
        return Err(CatalogueError::NotIssued {
            id: credential_id.to_owned(),
        }
        .into());
    }
    let wallet = DeliveryConfig::from_settings(catalogue)?
        .wallet_url
        .is_some();
    let mut view = QueuedView {
        queued: 0,
        existing: 0,
        jobs: Vec::new(),
    };
    let channels: &[&str] = if wallet { &[MAIL, WALLET] } else { &[MAIL] };
    let dir = attachment_dir.map(|d| d.to_string_lossy().into_owned());
    for channel in channels {
        if let Some(existing) = catalogue.deliveries().latest(channel, credential_id)? {
            if existing.cancelled_at.is_none() {
                view.existing += 1;
                view.jobs.push(existing.job_id);
                continue;
            }
        }
        let id = catalogue.jobs().enqueue(channel, credential_id, now, now)?;
        catalogue
            .deliveries()
            .create(id, channel, credential_id, dir.as_deref())?;
        view.queued += 1;
        view.jobs.push(id);
    }
    Ok(view)
}

/// Queues the deliveries of every sealed row of a batch (PDFs looked for in its output folder).
pub fn queue_batch(
    catalogue: &Catalogue,
    batch_id: &str,
    now: OffsetDateTime,
) -> Result<QueuedView, FlowError> {
    let out_dir = catalogue
        .batches()
        .get(batch_id)?
        .map(|b| PathBuf::from(b.batch.out_dir));
    let mut total = QueuedView {
        queued: 0,
        existing: 0,
        jobs: Vec::new(),
    };
    for item in catalogue.batches().items(batch_id)? {
        if !item.state.is_sealed() {
            continue;
        }
        let one = queue(catalogue, &item.credential_id, out_dir.as_deref(), now)?;
        total.queued += one.queued;
        total.existing += one.existing;
        total.jobs.extend(one.jobs);
    }
    Ok(total)
}

/// Fills learner and title from the register (one lookup per credential).
fn with_names(catalogue: &Catalogue, views: &mut [DeliveryView]) -> Result<(), FlowError> {
    let mut known: std::collections::HashMap<String, (String, String)> = Default::default();
    for view in views.iter_mut() {
        if !known.contains_key(&view.subject) {
            let names = catalogue
                .issued()
                .get(&view.subject)?
                .map(|i| (i.learner, i.title))
                .unwrap_or_default();
            known.insert(view.subject.clone(), names);
        }
        if let Some((learner, title)) = known.get(&view.subject) {
            view.learner.clone_from(learner);
            view.title.clone_from(title);
        }
    }
    Ok(())
}

/// Every delivery, newest first.
pub fn list(catalogue: &Catalogue) -> Result<Vec<DeliveryView>, FlowError> {
    let deliveries = catalogue.deliveries().list()?;
    let jobs = catalogue.jobs();
    let mut out = Vec::with_capacity(deliveries.len());
    for d in &deliveries {
        out.push(DeliveryView::new(&jobs.get(d.job_id)?, Some(d)));
    }
    with_names(catalogue, &mut out)?;
    Ok(out)
}

/// One delivery.
pub fn delivery(catalogue: &Catalogue, id: i64) -> Result<DeliveryView, FlowError> {
    let d = catalogue.deliveries().get(id)?;
    let mut view = [DeliveryView::new(&catalogue.jobs().get(id)?, d.as_ref())];
    with_names(catalogue, &mut view)?;
    let [view] = view;
    Ok(view)
}

/// Makes a waiting, failed or cancelled delivery due now.
pub fn retry(
    catalogue: &Catalogue,
    id: i64,
    now: OffsetDateTime,
) -> Result<DeliveryView, FlowError> {
    catalogue.jobs().retry(id, now)?;
    catalogue.deliveries().uncancel(id)?;
    delivery(catalogue, id)
}

/// Cancels a waiting or failed delivery.
pub fn cancel(
    catalogue: &Catalogue,
    id: i64,
    now: OffsetDateTime,
) -> Result<DeliveryView, FlowError> {
    if !catalogue.deliveries().cancel(id, now)? {
        let job = catalogue.jobs().get(id)?;
        return Err(FlowError::DeliveryNotCancellable {
            id,
            state: DeliveryView::new(&job, None).state,
        });
    }
    delivery(catalogue, id)
}

/// Aborts the process at the named failpoint when `SEALDESK_FAILPOINT` names it (crash tests).
fn failpoint(name: &str) {
    if std::env::var("SEALDESK_FAILPOINT").as_deref() == Ok(name) {
        tracing::warn!(failpoint = name, "failpoint: aborting");
        std::process::abort();
    }
}

/// The one-run-at-a-time lock: an exclusive SQLite transaction on a file beside the catalogue,
/// released by the OS if the process dies.
struct RunLock {
    _conn: Option<rusqlite::Connection>,
}

impl RunLock {
    fn acquire(catalogue: &Catalogue) -> Result<Option<Self>, FlowError> {
        let Some(path) = catalogue.path() else {
            return Ok(Some(Self { _conn: None }));
        };
        let lock_path = path.with_extension("outbox-lock");
        let storage = |e: rusqlite::Error| FlowError::Catalogue(CatalogueError::from(e));
        let conn = rusqlite::Connection::open(&lock_path).map_err(storage)?;
        conn.busy_timeout(StdDuration::ZERO).map_err(storage)?;
        match conn.execute_batch("BEGIN EXCLUSIVE") {
            Ok(()) => Ok(Some(Self { _conn: Some(conn) })),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if matches!(
                    e.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(storage(e)),
        }
    }
}

/// The learner's facts from the sealed bytes (JAdES JSON serialization, payload = credential).
fn letter_of(credential_id: &str, sealed: &[u8], pdf: Option<Vec<u8>>) -> Result<Letter, String> {
    let doc: Value =
        serde_json::from_slice(sealed).map_err(|e| format!("the sealed file is not JSON: {e}"))?;
    let payload = doc
        .get("payload")
        .and_then(Value::as_str)
        .ok_or("the sealed file has no payload")?;
    let credential = Credential::from_json(payload.as_bytes(), credential_id)
        .map_err(|e| format!("the sealed credential cannot be read: {e}"))?;
    let summary = credential.summary();
    let subject = credential.as_value().get("credentialSubject");
    let subject = match subject {
        Some(Value::Array(items)) => items.first(),
        other => other,
    };
    let mailbox = subject
        .and_then(|s| s.get("contactPoint"))
        .into_iter()
        .flat_map(|c| match c {
            Value::Array(items) => items.iter().collect::<Vec<_>>(),
            one => vec![one],
        })
        .filter_map(|c| c.get("emailAddress"))
        .flat_map(|e| match e {
            Value::Array(items) => items.iter().collect::<Vec<_>>(),
            one => vec![one],
        })
        .find_map(|e| e.get("id").and_then(Value::as_str))
        .and_then(|id| id.strip_prefix("mailto:"))
        .map(str::to_owned)
        .ok_or(
            "the credential names no e-mail address (credentialSubject/contactPoint/emailAddress)",
        )?;
    Ok(Letter {
        credential_id: credential_id.to_owned(),
        full_name: summary.learner.unwrap_or_default(),
        title: summary.title.unwrap_or_else(|| "credential".to_owned()),
        issuer: summary.issuer.unwrap_or_default(),
        to: mailbox,
        language: summary.primary_language,
        sealed: sealed.to_vec(),
        pdf,
    })
}

fn jitter() -> f64 {
    let mut b = [0u8; 2];
    match openssl::rand::rand_bytes(&mut b) {
        Ok(()) => f64::from(u16::from_be_bytes(b)) / f64::from(u16::MAX),
        Err(_) => 0.5,
    }
}

/// What one attempt came to.
enum Attempted {
    Done,
    Retry(String),
    Failed(String),
    Offline(String),
}

/// Attempts every due mail and wallet job once; first takes over jobs a crashed run left
/// `sending`. Offline is not an error: every job is kept, no attempt counted.
pub fn run_due(
    catalogue: &Catalogue,
    config: &DeliveryConfig,
    now: OffsetDateTime,
) -> Result<DeliveryRunReport, FlowError> {
    let _span = tracing::info_span!("flows.deliver.run_due").entered();
    let mut report = DeliveryRunReport {
        attempted: 0,
        done: 0,
        retrying: 0,
        failed: 0,
        recovered: 0,
        offline: None,
        busy: false,
        jobs: Vec::new(),
    };
    let Some(_lock) = RunLock::acquire(catalogue)? else {
        report.busy = true;
        return Ok(report);
    };
    let jobs = catalogue.jobs();
    let deliveries = catalogue.deliveries();
    for orphan in deliveries.in_flight()? {
        report.recovered += 1;
        if orphan.accepted_at.is_some() {
            jobs.succeed(orphan.job_id, now)?;
        } else {
            deliveries.release(
                orphan.job_id,
                false,
                now,
                Some("interrupted before the server's answer was recorded: sent again with the same Message-ID"),
                now,
            )?;
        }
    }

    let mut due = jobs.due(&[MAIL, WALLET], now)?;
    // Jobs tried fewer times go first (stable: then by due time and age). A message that keeps
    // failing, or that crashed the process mid-send, cannot hold back the fresh ones; and the
    // order does not hang on two runs falling in the same second.
    due.sort_by_key(|job| job.attempts);
    let mut mail_ready: Option<Result<lettre_transport::Transport, String>> = None;
    for job in due {
        if job.kind == MAIL {
            let ready = match &mail_ready {
                Some(r) => r.clone(),
                None => {
                    let r = lettre_transport::prepare(config)?;
                    mail_ready = Some(r.clone());
                    r
                }
            };
            if let Err(reason) = ready {
                report.offline = Some(reason);
                continue;
            }
        }
        if !jobs.start(job.id, now)? {
            continue;
        }
        let delivery = match deliveries.get(job.id)? {
            Some(d) => d,
            None => {
                deliveries.create(job.id, &job.kind, &job.subject, None)?;
                deliveries
                    .get(job.id)?
                    .ok_or(CatalogueError::JobNotFound { id: job.id })?
            }
        };
        let outcome = if job.kind == MAIL {
            match &mail_ready {
                Some(Ok(transport)) => {
                    send_mail(catalogue, config, transport, &job, &delivery, now)?
                }
                _ => Attempted::Offline("no SMTP server".to_owned()),
            }
        } else {
            deposit(catalogue, config, &job, &delivery, now)?
        };
        let after = match outcome {
            Attempted::Done => {
                failpoint("deliver-after-accept");
                jobs.succeed(job.id, now)?;
                report.attempted += 1;
                report.done += 1;
                jobs.get(job.id)?
            }
            Attempted::Retry(reason) => {
                report.attempted += 1;
                let after =
                    jobs.fail(job.id, &reason, false, &Backoff::default(), jitter(), now)?;
                if after.state == JobState::Failed {
                    report.failed += 1;
                } else {
                    report.retrying += 1;
                }
                after
            }
            Attempted::Failed(reason) => {
                report.attempted += 1;
                report.failed += 1;
                jobs.fail(job.id, &reason, true, &Backoff::default(), jitter(), now)?
            }
            Attempted::Offline(reason) => {
                deliveries.release(job.id, true, now, None, now)?;
                if job.kind == MAIL {
                    mail_ready = Some(Err(reason.clone()));
                }
                report.offline = Some(reason);
                continue;
            }
        };
        let d = deliveries.get(job.id)?;
        report.jobs.push(DeliveryView::new(&after, d.as_ref()));
    }
    with_names(catalogue, &mut report.jobs)?;
    tracing::info!(
        attempted = report.attempted,
        done = report.done,
        retrying = report.retrying,
        failed = report.failed,
        recovered = report.recovered,
        "delivery run"
    );
    Ok(report)
}

mod lettre_transport {
    //! The SMTP transport of a run, prepared once (settings, password, probe).
    use super::*;

    pub(super) type Transport = std::sync::Arc<(sealdesk_outbox::SmtpTransport, SmtpConfig)>;

    /// `Ok(Err(reason))` when mail cannot go now (not configured, offline).
    pub(super) fn prepare(config: &DeliveryConfig) -> Result<Result<Transport, String>, FlowError> {
        let Some(smtp) = &config.smtp else {
            return Ok(Err(format!(
                "no SMTP server: set {SETTING_SMTP_HOST} and {SETTING_SMTP_FROM} with `sealdesk-cli config set`"
            )));
        };
        if let Err(reason) =
            sealdesk_outbox::probe(&smtp.host, smtp.port, StdDuration::from_secs(5))
        {
            return Ok(Err(format!("offline: {reason}")));
        }
        let password = match &smtp.user {
            Some(_) => config.secret(SecretKind::SmtpPassword)?,
            None => None,
        };
        let transport = sealdesk_outbox::transport(smtp, password.as_ref())?;
        Ok(Ok(std::sync::Arc::new((transport, smtp.clone()))))
    }
}

fn pdf_for(delivery: &Delivery) -> Option<Vec<u8>> {
    let dir = delivery.attachment_dir.as_deref()?;
    let name = delivery
        .credential_id
        .rsplit(':')
        .next()
        .unwrap_or(&delivery.credential_id)
        .replace(['/', '\\'], "_");
    std::fs::read(Path::new(dir).join(format!("{name}.pdf"))).ok()
}

fn send_mail(
    catalogue: &Catalogue,
    config: &DeliveryConfig,
    transport: &lettre_transport::Transport,
    job: &Job,
    delivery: &Delivery,
    now: OffsetDateTime,
) -> Result<Attempted, FlowError> {
    let (transport, smtp) = &**transport;
    let Some(issued) = catalogue.issued().get(&job.subject)? else {
        return Ok(Attempted::Failed(
            "the credential is not in the register".to_owned(),
        ));
    };
    let letter = match letter_of(&job.subject, &issued.sealed, pdf_for(delivery)) {
        Ok(l) => l,
        Err(reason) => return Ok(Attempted::Failed(reason)),
    };
    let uncertain = delivery.sending_at.is_some() && delivery.message_id.is_some();
    let (number, id) = match (&delivery.message_id, uncertain) {
        (Some(id), true) => (delivery.message_attempt, id.clone()),
        _ => {
            let n = delivery.message_attempt + 1;
            (n, message_id(&job.subject, n, &smtp.from))
        }
    };
    let rendered = config.templates.render(&letter)?;
    let message = compose(&letter, &rendered, &smtp.from, &id, now)?;
    let deliveries = catalogue.deliveries();
    deliveries.begin(job.id, number, &id, now)?;
    failpoint("deliver-before-send");
    Ok(match sealdesk_outbox::send(transport, &message) {
        SendOutcome::Accepted { reply } => {
            failpoint("deliver-after-send");
            deliveries.accept(job.id, &reply, now)?;
            Attempted::Done
        }
        SendOutcome::Deferred { reply } => {
            deliveries.refused(job.id, &reply)?;
            Attempted::Retry(reply)
        }
        SendOutcome::Rejected { reply } => {
            deliveries.refused(job.id, &reply)?;
            Attempted::Failed(reply)
        }
        SendOutcome::Interrupted { reason } => {
            deliveries.uncertain(job.id, &reason)?;
            Attempted::Retry(format!(
                "connection lost before the server's answer: {reason}"
            ))
        }
        SendOutcome::Offline { reason } => {
            if !uncertain {
                deliveries.refused(job.id, &reason)?;
            }
            Attempted::Offline(format!("offline: {reason}"))
        }
    })
}

fn deposit(
    catalogue: &Catalogue,
    config: &DeliveryConfig,
    job: &Job,
    delivery: &Delivery,
    now: OffsetDateTime,
) -> Result<Attempted, FlowError> {
    let Some(url) = &config.wallet_url else {
        return Ok(Attempted::Offline(format!(
            "no wallet: set {SETTING_WALLET_URL} with `sealdesk-cli config set`"
        )));
    };
    let Some(issued) = catalogue.issued().get(&job.subject)? else {
        return Ok(Attempted::Failed(
            "the credential is not in the register".to_owned(),
        ));
    };
    let letter = match letter_of(&job.subject, &issued.sealed, None) {
        Ok(l) => l,
        Err(reason) => return Ok(Attempted::Failed(reason)),
    };
    let token = config.secret(SecretKind::WalletToken)?;
    let deliveries = catalogue.deliveries();
    deliveries.begin(job.id, delivery.message_attempt + 1, &job.subject, now)?;
    let target = WalletTarget::Email(letter.to.clone());
    let name = sealdesk_outbox::attachment_name(&letter.full_name, &letter.title, "jsonld");
    let outcome = sealdesk_outbox::deposit(
        url,
        token.as_ref(),
        &Deposit {
            target: &target,
            credential: &letter.sealed,
            file_name: &name,
            send_email: config.wallet_send_email,
            locale: &letter.language,
        },
        TIMEOUT,
    );
    Ok(match outcome {
        DepositOutcome::Deposited { status } => {
            deliveries.accept(job.id, &format!("HTTP {status}: deposited"), now)?;
            Attempted::Done
        }
        DepositOutcome::AlreadyThere => {
            deliveries.accept(job.id, "HTTP 409: already in the wallet", now)?;
            Attempted::Done
        }
        DepositOutcome::Invalid { reason } => {
            deliveries.refused(job.id, &reason)?;
            Attempted::Failed(format!(
                "the wallet finds the credential invalid ({reason})"
            ))
        }
        DepositOutcome::NoWallet { reason } => {
            deliveries.refused(job.id, &reason)?;
            Attempted::Failed(format!(
                "the learner has no Europass wallet for this address ({reason})"
            ))
        }
        DepositOutcome::Unauthorised { reason } => {
            deliveries.refused(job.id, &reason)?;
            Attempted::Failed(format!("the wallet refused our token: check SEALDESK_WALLET_TOKEN or the stored token ({reason})"))
        }
        DepositOutcome::Unavailable { reason } => {
            deliveries.refused(job.id, &reason)?;
            Attempted::Retry(format!("the wallet is unavailable ({reason})"))
        }
        DepositOutcome::Offline { reason } => {
            deliveries.refused(job.id, &reason)?;
            Attempted::Offline(format!("offline: {reason}"))
        }
    })
}

/// Sends a test mail to `to` with the configured server; the answer is the server's reply.
pub fn send_test_mail(
    config: &DeliveryConfig,
    to: &str,
    now: OffsetDateTime,
) -> Result<TestMailView, FlowError> {
    let ready = lettre_transport::prepare(config)?;
    let (transport, smtp) = match &ready {
        Ok(t) => &**t,
        Err(reason) => {
            return Ok(TestMailView {
                accepted: false,
                reply: reason.clone(),
            })
        }
    };
    let message = sealdesk_outbox::mail::test_message(&smtp.from, to, now)?;
    Ok(match sealdesk_outbox::send(transport, &message) {
        SendOutcome::Accepted { reply } => TestMailView {
            accepted: true,
            reply,
        },
        SendOutcome::Deferred { reply } | SendOutcome::Rejected { reply } => TestMailView {
            accepted: false,
            reply,
        },
        SendOutcome::Offline { reason } | SendOutcome::Interrupted { reason } => TestMailView {
            accepted: false,
            reply: reason,
        },
    })
}

/// The answer to a test mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TestMailView {
    /// The server took it.
    pub accepted: bool,
    /// Its reply, or why it could not be reached.
    pub reply: String,
}

/// The backoff delay shown for a deferred mail (exposed for the screens).
pub fn backoff_after(attempts: u32) -> Duration {
    Backoff::default().delay(attempts, 0.5)
}

/// The delivery settings as the settings screen shows them. Secrets are never included:
/// only whether one is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DeliverySettingsView {
    /// `smtp.host`.
    pub smtp_host: String,
    /// `smtp.port` (empty: the default of the TLS mode).
    pub smtp_port: String,
    /// `smtp.tls`: `none`, `starttls` or `tls`.
    pub smtp_tls: String,
    /// `smtp.user` (empty: no login).
    pub smtp_user: String,
    /// `smtp.from`, `Name <address>`.
    pub smtp_from: String,
    /// `wallet.url` (empty: no deposits).
    pub wallet_url: String,
    /// `wallet.send_email`.
    pub wallet_send_email: bool,
    /// An SMTP password is set (environment, keyring or file); never the password itself.
    pub password_set: bool,
    /// A wallet token is set; never the token itself.
    pub wallet_token_set: bool,
}

/// New secrets to store with [`save_settings`]; `None` keeps what is stored.
#[derive(Default)]
pub struct SecretUpdate {
    /// The SMTP password.
    pub smtp_password: Option<secrecy::SecretString>,
    /// The wallet's bearer token.
    pub wallet_token: Option<secrecy::SecretString>,
}

impl SecretUpdate {
    /// From what a person typed: an empty field keeps what is stored.
    pub fn typed(smtp_password: Option<String>, wallet_token: Option<String>) -> Self {
        let wrap = |v: Option<String>| v.filter(|v| !v.is_empty()).map(secrecy::SecretString::from);
        Self {
            smtp_password: wrap(smtp_password),
            wallet_token: wrap(wallet_token),
        }
    }
}

fn secret_store(catalogue: &Catalogue) -> Option<SecretStore> {
    catalogue
        .path()
        .and_then(Path::parent)
        .map(SecretStore::new)
}

/// The delivery settings (secrets only as "set or not").
pub fn settings_view(catalogue: &Catalogue) -> Result<DeliverySettingsView, FlowError> {
    let settings = catalogue.settings();
    let get = |key: &str| -> Result<String, FlowError> {
        Ok(settings.get(key)?.unwrap_or_default().trim().to_owned())
    };
    let config = DeliveryConfig::from_settings(catalogue)?;
    let tls = get(SETTING_SMTP_TLS)?;
    Ok(DeliverySettingsView {
        smtp_host: get(SETTING_SMTP_HOST)?,
        smtp_port: get(SETTING_SMTP_PORT)?,
        smtp_tls: if tls.is_empty() {
            TlsMode::StartTls.as_str().to_owned()
        } else {
            tls
        },
        smtp_user: get(SETTING_SMTP_USER)?,
        smtp_from: get(SETTING_SMTP_FROM)?,
        wallet_url: get(SETTING_WALLET_URL)?,
        wallet_send_email: get(SETTING_WALLET_SEND_EMAIL)? == "true",
        password_set: config.secret(SecretKind::SmtpPassword)?.is_some(),
        wallet_token_set: config.secret(SecretKind::WalletToken)?.is_some(),
    })
}

/// Checks and saves the delivery settings; stores new secrets in the OS keyring (else a file
/// readable by the user only), never in the catalogue. Nothing is saved if a value is wrong.
pub fn save_settings(
    catalogue: &Catalogue,
    view: &DeliverySettingsView,
    secrets: &SecretUpdate,
) -> Result<DeliverySettingsView, FlowError> {
    let tls = TlsMode::parse(&view.smtp_tls)?;
    let port = view.smtp_port.trim();
    if !port.is_empty() && port.parse::<u16>().map_or(true, |p| p == 0) {
        return Err(sealdesk_outbox::OutboxError::Setting {
            key: SETTING_SMTP_PORT,
            problem: format!("{port:?} is not a port number (1-65535)"),
        }
        .into());
    }
    let from = view.smtp_from.trim();
    if !from.is_empty() {
        sealdesk_outbox::mail::check_address(SETTING_SMTP_FROM, from)?;
    }
    let wallet = view.wallet_url.trim();
    if !(wallet.is_empty() || wallet.starts_with("https://") || wallet.starts_with("http://")) {
        return Err(sealdesk_outbox::OutboxError::Setting {
            key: SETTING_WALLET_URL,
            problem: format!("{wallet:?} is not an http(s) address"),
        }
        .into());
    }
    let settings = catalogue.settings();
    for (key, value) in [
        (SETTING_SMTP_HOST, view.smtp_host.trim()),
        (SETTING_SMTP_PORT, port),
        (SETTING_SMTP_TLS, tls.as_str()),
        (SETTING_SMTP_USER, view.smtp_user.trim()),
        (SETTING_SMTP_FROM, from),
        (SETTING_WALLET_URL, wallet),
        (
            SETTING_WALLET_SEND_EMAIL,
            if view.wallet_send_email {
                "true"
            } else {
                "false"
            },
        ),
    ] {
        settings.set(key, value)?;
    }
    if secrets.smtp_password.is_some() || secrets.wallet_token.is_some() {
        let store = secret_store(catalogue).ok_or(FlowError::NoDataDir)?;
        if let Some(p) = &secrets.smtp_password {
            store.store(SecretKind::SmtpPassword, p)?;
        }
        if let Some(t) = &secrets.wallet_token {
            store.store(SecretKind::WalletToken, t)?;
        }
    }
    settings_view(catalogue)
}

/// The deliveries of one credential (newest first): the register's delivery column.
pub fn for_credential(
    catalogue: &Catalogue,
    credential_id: &str,
) -> Result<Vec<DeliveryView>, FlowError> {
    Ok(list(catalogue)?
        .into_iter()
        .filter(|d| d.subject == credential_id)
        .collect())
}

/// The newest delivery per credential and channel, keyed by credential id (one pass for a
/// whole register page): `map[id]` lists at most one mail and one wallet delivery.
pub fn by_credential(
    catalogue: &Catalogue,
) -> Result<std::collections::BTreeMap<String, Vec<DeliveryView>>, FlowError> {
    let mut map: std::collections::BTreeMap<String, Vec<DeliveryView>> = Default::default();
    for d in list(catalogue)? {
        let entry = map.entry(d.subject.clone()).or_default();
        if !entry.iter().any(|e| e.kind == d.kind) {
            entry.push(d);
        }
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view() -> DeliverySettingsView {
        DeliverySettingsView {
            smtp_host: " smtp.uni.example ".into(),
            smtp_port: "587".into(),
            smtp_tls: "starttls".into(),
            smtp_user: "registry".into(),
            smtp_from: "Registry <registry@uni.example>".into(),
            wallet_url: "https://europa.eu/europass/edci-wallet".into(),
            wallet_send_email: true,
            password_set: false,
            wallet_token_set: false,
        }
    }

    #[test]
    fn settings_round_trip_and_wrong_values_save_nothing() {
        let cat = Catalogue::open_in_memory().expect("catalogue");
        let saved = save_settings(&cat, &view(), &SecretUpdate::default()).expect("saves");
        assert_eq!(saved.smtp_host, "smtp.uni.example", "trimmed host");
        assert_eq!(saved.smtp_port, "587", "port");
        assert!(saved.wallet_send_email, "sendEmail kept");
        let config = DeliveryConfig::from_settings(&cat).expect("config");
        let smtp = config.smtp.expect("smtp configured");
        assert_eq!(
            (smtp.host.as_str(), smtp.port, smtp.tls),
            ("smtp.uni.example", 587, TlsMode::StartTls),
            "the run reads what the screen saved"
        );

        for (field, bad) in [
            (
                "port",
                DeliverySettingsView {
                    smtp_port: "99999".into(),
                    ..view()
                },
            ),
            (
                "tls",
                DeliverySettingsView {
                    smtp_tls: "ssl3".into(),
                    ..view()
                },
            ),
            (
                "from",
                DeliverySettingsView {
                    smtp_from: "registry at uni".into(),
                    smtp_host: "other".into(),
                    ..view()
                },
            ),
            (
                "wallet",
                DeliverySettingsView {
                    wallet_url: "ftp://x".into(),
                    smtp_host: "other".into(),
                    ..view()
                },
            ),
        ] {
            let err = save_settings(&cat, &bad, &SecretUpdate::default());
            assert!(err.is_err(), "a wrong {field} is refused");
            assert_eq!(
                settings_view(&cat).expect("view").smtp_host,
                "smtp.uni.example",
                "nothing saved after a wrong {field}"
            );
        }
    }

    #[test]
    fn delivery_state_per_credential_is_the_newest_per_channel() {
        let cat = Catalogue::open_in_memory().expect("catalogue");
        let now = OffsetDateTime::UNIX_EPOCH + Duration::days(20_000);
        let add = |kind: &str, id: &str| {
            let job = cat.jobs().enqueue(kind, id, now, now).expect("job");
            cat.deliveries()
                .create(job, kind, id, None)
                .expect("delivery");
            job
        };
        let old_mail = add(MAIL, "urn:a");
        assert!(
            cat.deliveries().cancel(old_mail, now).expect("cancel"),
            "a waiting mail can be cancelled"
        );
        let new_mail = add(MAIL, "urn:a");
        assert_ne!(new_mail, old_mail, "a new job after the cancellation");
        let wallet = add(WALLET, "urn:a");
        let other = add(MAIL, "urn:b");
        let map = by_credential(&cat).expect("map");
        let a: Vec<i64> = map.get("urn:a").expect("a").iter().map(|d| d.id).collect();
        assert_eq!(
            a,
            vec![wallet, new_mail],
            "newest per channel, newest first"
        );
        assert!(!a.contains(&old_mail), "the older mail is not shown");
        assert_eq!(map.get("urn:b").map(Vec::len), Some(1), "b has its mail");
        let b = for_credential(&cat, "urn:b").expect("list");
        assert_eq!(b.len(), 1, "one delivery for b");
        assert_eq!(
            (b[0].id, b[0].state.as_str()),
            (other, "queued"),
            "b's mail waits"
        );
    }
}
