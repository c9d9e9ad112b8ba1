//! `sealdesk-cli pdf …`: PDFs. `pdf seal` seals a PDF on the token (PAdES; B-T when the
//! configured TSA answers, else B-B; its augmentation to B-LTA is queued in the outbox) and
//! `pdf augment` brings a sealed PDF to B-LTA now. Rendering a credential as a PDF (`pdf render`)
//! belongs beside them as another subcommand of [`PdfCommand`]. Verifying a PDF is
//! `sealdesk-cli verify FILE.pdf` (it reports the PAdES level).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use sealdesk_flows::augment::{self, AugmentServices};
use sealdesk_flows::TrustAnchors;
use time::OffsetDateTime;

use crate::{exit, output, ConsentArgs, DeviceArgs, Failure};

/// `sealdesk-cli pdf …`.
#[derive(Subcommand)]
pub(crate) enum PdfCommand {
    /// Seal a PDF on the token (PAdES, incremental update). B-T when `tsa.url` answers, else B-B;
    /// its augmentation to B-LTA is queued (`outbox run`, or `pdf augment`).
    Seal {
        /// The PDF to seal (left as it is).
        input: PathBuf,
        /// Where to write the sealed PDF.
        #[arg(long)]
        out: PathBuf,
        /// Draw a visible seal block (holder, organisation identifier, time) on page 1.
        #[arg(long)]
        visible: bool,
        #[command(flatten)]
        device: DeviceArgs,
        #[command(flatten)]
        consent: ConsentArgs,
        /// Print the result (level, job, verification) as JSON on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Bring a sealed PDF to B-LTA now (DSS + document timestamp, appended in place): queues its
    /// job and runs the due seal jobs. Needs `tsa.url` (or --tsa).
    Augment {
        /// The sealed PDF (replaced by its augmented version; the sealed bytes stay its prefix).
        file: PathBuf,
        /// RFC 3161 timestamp authority (default: the `tsa.url` setting).
        #[arg(long)]
        tsa: Option<String>,
        /// Print the run report as JSON on stdout.
        #[arg(long)]
        json: bool,
    },
}

pub(crate) fn run(
    data_dir: Option<&std::path::Path>,
    command: PdfCommand,
    now: OffsetDateTime,
) -> Result<ExitCode, Failure> {
    let catalogue = sealdesk_flows::open_catalogue(data_dir)?;
    match command {
        PdfCommand::Seal {
            input,
            out,
            visible,
            device,
            consent,
            json,
        } => {
            let pin = crate::read_pin()?;
            let sealed = sealdesk_flows::seal_pdf_file(
                &catalogue,
                &device.selector(),
                pin,
                consent.consent(),
                &input,
                &out,
                visible,
                now,
            )?;
            if json {
                output::json(&sealed)?;
            }
            if let Some(why) = &sealed.timestamp_error {
                eprintln!("no timestamp yet ({why}): the outbox adds it when the TSA answers");
            }
            eprintln!(
                "sealed {} -> {} (PAdES {}, augmentation job {})",
                input.display(),
                sealed.output,
                sealed.level,
                sealed.job
            );
            Ok(ExitCode::SUCCESS)
        }
        PdfCommand::Augment { file, tsa, json } => {
            let configured = AugmentServices::from_settings(&catalogue)?;
            let services = match (tsa, configured) {
                (Some(tsa_url), configured) => AugmentServices {
                    tsa_url,
                    ..configured.unwrap_or(AugmentServices {
                        tsa_url: String::new(),
                        ocsp_url: None,
                        crl_urls: Vec::new(),
                        extra_certs: Vec::new(),
                        timeout: std::time::Duration::from_secs(20),
                    })
                },
                (None, Some(c)) => c,
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
            let id = augment::queue_pdf(&catalogue, &file, now)?;
            catalogue
                .jobs()
                .retry(id, now)
                .map_err(sealdesk_flows::FlowError::from)?;
            let report = augment::run_due(&catalogue, &services, now)?;
            if json {
                output::json(&report)?;
            }
            let job = report.jobs.iter().find(|j| j.id == id);
            match job {
                Some(j) if j.state == "done" => {
                    let bytes = crate::read(&file)?;
                    let verified = sealdesk_flows::verify(
                        &bytes,
                        &file.display().to_string(),
                        &TrustAnchors::empty(),
                        now,
                    )?;
                    let level = verified
                        .signatures
                        .iter()
                        .map(|s| s.level.clone())
                        .collect::<Vec<_>>()
                        .join(", ");
                    eprintln!("augmented {} ({level})", file.display());
                    Ok(ExitCode::SUCCESS)
                }
                other => Err(Failure {
                    message: format!(
                        "{} was not augmented: {}",
                        file.display(),
                        other
                            .and_then(|j| j.last_error.clone())
                            .unwrap_or_else(|| "its job did not run".to_owned())
                    ),
                    code: exit::OTHER,
                }),
            }
        }
    }
}
