//! `sealdesk-cli outbox list|run|retry`: the background jobs that bring seals to B-LTA and
//! renew their archive timestamps.
//!
//! `run` attempts what is due once and exits. Offline it fails softly: every job is kept with
//! its back-off and the command still exits 0 (the counts say what happened). Trust-service
//! addresses come from the settings (`tsa.url`, `ocsp.url`, `crl.urls`, set with
//! `sealdesk-cli config set`) or from `--tsa`, `--ocsp` and `--crl`, which override them.

use std::path::Path;
use std::process::ExitCode;

use clap::Subcommand;
use sealdesk_flows::augment::{self, AugmentServices, JobView};
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
            if json {
                output::json(&jobs)?;
            } else if jobs.is_empty() {
                eprintln!("the outbox is empty");
            } else {
                for job in &jobs {
                    print_job(job);
                }
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
                    return Err(Failure {
                        message: format!(
                            "no timestamp authority: run `sealdesk-cli config set {} URL` or pass --tsa URL",
                            augment::SETTING_TSA_URL
                        ),
                        code: exit::USAGE,
                    })
                }
            };
            let report = augment::run_due(&catalogue, &services, now)?;
            if json {
                output::json(&report)?;
            } else {
                for job in &report.jobs {
                    print_job(job);
                }
                eprintln!(
                    "attempted {}, done {}, waiting to retry {}, failed {}",
                    report.attempted, report.done, report.retrying, report.failed
                );
            }
        }
        OutboxCommand::Retry { id, json } => {
            let job = augment::retry(&catalogue, id, now)?;
            if json {
                output::json(&job)?;
            } else {
                print_job(&job);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
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
