//! `sealdesk-cli outbox list|queue|run|retry|cancel|password`: the background jobs — seals brought to
//! B-LTA and archive renewals (`flows::augment`), mails and wallet deposits (`flows::deliver`).
//!
//! Delivery settings (`smtp.host`, `smtp.port`, `smtp.tls`, `smtp.user`, `smtp.from`,
//! `smtp.ca_file`, `wallet.url`) are set with `sealdesk-cli config set`; the SMTP password and
//! the wallet token come from `SEALDESK_SMTP_PASSWORD` / `SEALDESK_WALLET_TOKEN` or what
//! `outbox password` stored (OS keyring, else a 0600 file in the data folder).
//!
//! `run` attempts what is due once and exits. Offline it fails softly: every job is kept with
//! its back-off and the command still exits 0 (the counts say what happened). Trust-service
//! addresses come from the settings (`tsa.url`, `ocsp.url`, `crl.urls`, set with
//! `sealdesk-cli config set`) or from `--tsa`, `--ocsp` and `--crl`, which override them.

use std::path::Path;
use std::process::ExitCode;

use clap::Subcommand;
use sealdesk_flows::augment::{self, AugmentServices, JobView};
use sealdesk_flows::deliver::{self, DeliveryConfig, DeliveryView};
use time::OffsetDateTime;

use crate::{exit, output, Failure};

/// `outbox` subcommands.
#[derive(Subcommand)]
pub enum OutboxCommand {
    /// List the jobs (newest first).
    List {
        /// One JSON document on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Queue the mail (and wallet deposit, when `wallet.url` is set) of sealed credentials.
    Queue {
        /// Credential ids (as in the register).
        #[arg(required = true)]
        ids: Vec<String>,
        /// Folder where sealed PDFs `<uuid>.pdf` may be found to attach.
        #[arg(long)]
        pdf_dir: Option<std::path::PathBuf>,
        /// One JSON document on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Attempt every due job once, then exit.
    Run {
        /// Timestamp authority (RFC 3161) URL; default: setting tsa.url.
        #[arg(long)]
        tsa: Option<String>,
        /// OCSP responder for seal certificates that name none; default: setting ocsp.url.
        #[arg(long)]
        ocsp: Option<String>,
        /// A CRL URL (repeatable); default: setting crl.urls.
        #[arg(long)]
        crl: Vec<String>,
        /// One JSON document on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Make a waiting or failed job due now.
    Retry {
        /// The job id (see `outbox list`).
        id: i64,
        /// One JSON document on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Cancel a waiting or failed mail or wallet deposit.
    Cancel {
        /// The job id (see `outbox list`).
        id: i64,
        /// One JSON document on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Store the SMTP password (or, with --wallet, the wallet token), read from stdin, in the
    /// OS keyring (or a file readable by you only when there is no keyring).
    Password {
        /// Store the wallet's bearer token instead.
        #[arg(long)]
        wallet: bool,
    },
}

/// Runs an `outbox` subcommand.
pub fn run(
    data_dir: Option<&Path>,
    command: OutboxCommand,
    now: OffsetDateTime,
) -> Result<ExitCode, Failure> {
    let catalogue = sealdesk_flows::open_catalogue(data_dir)?;
    match command {
        OutboxCommand::List { json } => {
            let jobs = augment::list(&catalogue)?;
            let deliveries = deliver::list(&catalogue)?;
            if json {
                output::json(&merged(&jobs, &deliveries)?)?;
            } else if jobs.is_empty() && deliveries.is_empty() {
                eprintln!("the outbox is empty");
            } else {
                for job in &jobs {
                    print_job(job);
                }
                for d in &deliveries {
                    print_delivery(d);
                }
            }
        }
        OutboxCommand::Queue { ids, pdf_dir, json } => {
            let mut views = Vec::with_capacity(ids.len());
            for id in &ids {
                views.push(deliver::queue(&catalogue, id, pdf_dir.as_deref(), now)?);
            }
            if json {
                output::json(&views)?;
            } else {
                let queued: u32 = views.iter().map(|v| v.queued).sum();
                let existing: u32 = views.iter().map(|v| v.existing).sum();
                eprintln!(
                    "{queued} delivery job(s) queued, {existing} already there; `sealdesk-cli outbox run` sends them"
                );
            }
        }
        OutboxCommand::Run {
            tsa,
            ocsp,
            crl,
            json,
        } => {
            let configured = AugmentServices::from_settings(&catalogue)?;
            let services = match (tsa, configured) {
                (Some(tsa_url), configured) => AugmentServices {
                    tsa_url,
                    ocsp_url: ocsp.or(configured.as_ref().and_then(|c| c.ocsp_url.clone())),
                    crl_urls: if crl.is_empty() {
                        configured.map(|c| c.crl_urls).unwrap_or_default()
                    } else {
                        crl
                    },
                    extra_certs: Vec::new(),
                    timeout: std::time::Duration::from_secs(20),
                },
                (None, Some(mut c)) => {
                    if ocsp.is_some() {
                        c.ocsp_url = ocsp;
                    }
                    if !crl.is_empty() {
                        c.crl_urls = crl;
                    }
                    c
                }
                (None, None) => {
                    let delivery = DeliveryConfig::from_settings(&catalogue)?;
                    if delivery.smtp.is_none() && delivery.wallet_url.is_none() {
                        return Err(Failure {
                            message: format!(
                                "nothing to send with: run `sealdesk-cli config set {} URL` (or pass --tsa URL) for seals, `config set {} HOST` and `{} ADDRESS` for mail",
                                augment::SETTING_TSA_URL,
                                deliver::SETTING_SMTP_HOST,
                                deliver::SETTING_SMTP_FROM
                            ),
                            code: exit::USAGE,
                        });
                    }
                    return run_deliveries(&catalogue, &delivery, None, json, now);
                }
            };
            let report = augment::run_due(&catalogue, &services, now)?;
            let delivery = DeliveryConfig::from_settings(&catalogue)?;
            return run_deliveries(&catalogue, &delivery, Some(report), json, now);
        }
        OutboxCommand::Retry { id, json } => {
            if catalogue
                .deliveries()
                .get(id)
                .map_err(sealdesk_flows::FlowError::from)?
                .is_some()
            {
                let view = deliver::retry(&catalogue, id, now)?;
                if json {
                    output::json(&view)?;
                } else {
                    print_delivery(&view);
                }
            } else {
                let job = augment::retry(&catalogue, id, now)?;
                if json {
                    output::json(&job)?;
                } else {
                    print_job(&job);
                }
            }
        }
        OutboxCommand::Cancel { id, json } => {
            let view = deliver::cancel(&catalogue, id, now)?;
            if json {
                output::json(&view)?;
            } else {
                print_delivery(&view);
            }
        }
        OutboxCommand::Password { wallet } => {
            let kind = if wallet {
                sealdesk_outbox::SecretKind::WalletToken
            } else {
                sealdesk_outbox::SecretKind::SmtpPassword
            };
            let dir = match data_dir {
                Some(d) => d.to_path_buf(),
                None => sealdesk_flows::default_data_dir()
                    .ok_or(sealdesk_flows::FlowError::NoDataDir)?,
            };
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).map_err(|e| Failure {
                message: format!("cannot read the secret from stdin: {e}"),
                code: exit::USAGE,
            })?;
            let secret =
                secrecy::SecretString::from(line.trim_end_matches(['\r', '\n']).to_owned());
            zeroize::Zeroize::zeroize(&mut line);
            let stored = sealdesk_outbox::SecretStore::new(&dir)
                .store(kind, &secret)
                .map_err(sealdesk_flows::FlowError::from)?;
            match stored {
                sealdesk_outbox::StoredIn::Keyring => eprintln!("stored in the OS keyring"),
                sealdesk_outbox::StoredIn::File(path) => {
                    eprintln!(
                        "no OS keyring: stored in {} (readable by you only)",
                        path.display()
                    )
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs the due deliveries and prints both reports (seal jobs first, if they ran), summed.
fn run_deliveries(
    catalogue: &sealdesk_flows::Catalogue,
    config: &DeliveryConfig,
    augmented: Option<augment::RunReport>,
    json: bool,
    now: OffsetDateTime,
) -> Result<ExitCode, Failure> {
    let delivered = deliver::run_due(catalogue, config, now)?;
    let (a_jobs, a) = match &augmented {
        Some(r) => (r.jobs.clone(), (r.attempted, r.done, r.retrying, r.failed)),
        None => (Vec::new(), (0, 0, 0, 0)),
    };
    if json {
        let report = serde_json::json!({
            "attempted": a.0 + delivered.attempted,
            "done": a.1 + delivered.done,
            "retrying": a.2 + delivered.retrying,
            "failed": a.3 + delivered.failed,
            "recovered": delivered.recovered,
            "offline": delivered.offline,
            "busy": delivered.busy,
            "jobs": merged(&a_jobs, &delivered.jobs)?,
        });
        output::json(&report)?;
    } else {
        for job in &a_jobs {
            print_job(job);
        }
        for d in &delivered.jobs {
            print_delivery(d);
        }
        if let Some(reason) = &delivered.offline {
            eprintln!("mail and wallet not attempted: {reason}");
        }
        if delivered.busy {
            eprintln!("another run is working the delivery queue: nothing sent");
        }
        eprintln!(
            "attempted {}, done {}, waiting to retry {}, failed {}, recovered after a crash {}",
            a.0 + delivered.attempted,
            a.1 + delivered.done,
            a.2 + delivered.retrying,
            a.3 + delivered.failed,
            delivered.recovered
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Seal jobs and deliveries in one list, newest (highest id) first.
fn merged(
    jobs: &[JobView],
    deliveries: &[DeliveryView],
) -> Result<Vec<serde_json::Value>, Failure> {
    let to_value = |v: Result<serde_json::Value, serde_json::Error>| {
        v.map_err(|e| Failure {
            message: format!("cannot write JSON: {e}"),
            code: exit::USAGE,
        })
    };
    let mut all = Vec::with_capacity(jobs.len() + deliveries.len());
    for j in jobs {
        all.push((j.id, to_value(serde_json::to_value(j))?));
    }
    for d in deliveries {
        all.push((d.id, to_value(serde_json::to_value(d))?));
    }
    all.sort_by_key(|e| std::cmp::Reverse(e.0));
    Ok(all.into_iter().map(|(_, v)| v).collect())
}

fn print_delivery(d: &DeliveryView) {
    let who = if d.learner.is_empty() {
        String::new()
    } else {
        format!(" ({}, {})", d.learner, d.title)
    };
    println!(
        "{:>5}  {:<13} {:<8} attempts {:<2} next {}  {}{who}{}",
        d.id,
        d.kind,
        d.state,
        d.attempts,
        d.next_attempt_at,
        d.subject,
        d.last_error
            .as_deref()
            .map(|e| format!("\n       last error: {e}"))
            .unwrap_or_default()
    );
}

fn print_job(job: &JobView) {
    println!(
        "{:>5}  {:<13} {:<8} attempts {:<2} next {}  {}{}",
        job.id,
        job.kind,
        job.state,
        job.attempts,
        job.next_attempt_at,
        job.subject,
        job.last_error
            .as_deref()
            .map(|e| format!("\n       last error: {e}"))
            .unwrap_or_default()
    );
}
