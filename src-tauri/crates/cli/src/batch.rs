//! `batch`: Sealdesk's own sheet for a template, issuing a whole spreadsheet with one PIN, and
//! the journal's state. Running the same `batch issue` again (same template, same recipients
//! file) resumes that batch: rows sealed before are never sealed again.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use sealdesk_flows::{BatchControl, BatchView, Catalogue, TemplateSource};
use time::OffsetDateTime;

use crate::{exit, output, read, read_pin, DeviceArgs, Failure};

/// Batch issuing from a spreadsheet.
#[derive(Subcommand)]
pub enum BatchCommand {
    /// Write Sealdesk's own sheet for a template (row 1 keys, row 2 labels, data from row 3).
    Sheet {
        /// Template: a template id in the catalogue, a template file or an ELM credential JSON.
        #[arg(long)]
        template: String,
        /// The .xlsx to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Seal one credential per learner of a spreadsheet (one PIN); resumes the same batch.
    Issue {
        /// Template: a template id in the catalogue, a template file or an ELM credential JSON.
        #[arg(long)]
        template: String,
        /// The learners: Sealdesk's sheet, the EDC 3 recipients .xls or the EDC 1.x template.
        #[arg(long)]
        recipients: PathBuf,
        /// Folder for the sealed files (`<uuid>.jsonld`).
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        device: DeviceArgs,
        #[command(flatten)]
        consent: crate::ConsentArgs,
        /// Leave out the rows with problems instead of stopping.
        #[arg(long)]
        exclude_problem_rows: bool,
        /// Queue the mails (and wallet deposits) of the sealed rows; `outbox run` sends them.
        #[arg(long)]
        send: bool,
        /// Seal on behalf of another awarding body (mandated issue): a JSON file naming it,
        /// e.g. {"legalName": {"en": "Academy of X"}, "legalIdentifier": "BE0123456789",
        /// "country": "BE", "homepage": "https://…", "email": "…", "statement": {"en": "…"}}
        /// (homepage, email, statement optional; the EDC standard statement by default).
        /// The batch keeps it: run the same command (same flags) to resume.
        #[arg(long, value_name = "ORG.json")]
        mandate_org: Option<PathBuf>,
        /// The signed mandate document (PDF, PNG or JPEG, at most 5 MiB), embedded in every
        /// credential's Mandate evidence. Needs --mandate-org.
        #[arg(long, value_name = "FILE", requires = "mandate_org")]
        mandate_doc: Option<PathBuf>,
        /// Also write `<uuid>.pdf` beside each `<uuid>.jsonld`: the credential's PDF in its
        /// primary language, naming the sealed file and its SHA-256, PAdES-sealed with the same
        /// token session (one PIN). A rerun makes the PDFs that are missing.
        #[arg(long)]
        pdf: bool,
        /// One JSON summary on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Batches in the journal and where they stand.
    Status {
        /// One batch (default: all).
        batch: Option<String>,
        /// One JSON document on stdout.
        #[arg(long)]
        json: bool,
    },
}

fn template_source<'a>(template: &'a str, bytes: &'a Option<Vec<u8>>) -> TemplateSource<'a> {
    match bytes {
        Some(bytes) => TemplateSource::Json {
            bytes,
            source_name: Path::new(template)
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or(template),
        },
        None => TemplateSource::Catalogue {
            id: template,
            version: None,
        },
    }
}

/// A template argument that names an existing file is read; otherwise it is a catalogue id.
fn template_bytes(template: &str) -> Result<Option<Vec<u8>>, Failure> {
    let path = Path::new(template);
    if path.is_file() {
        Ok(Some(read(path)?))
    } else {
        Ok(None)
    }
}

fn print_problems(view: &BatchView, catalogue: &Catalogue) -> Result<(), Failure> {
    for p in &view.sheet_problems {
        eprintln!("problem: {}", p.message);
    }
    let rows = sealdesk_flows::batch_rows(catalogue, &view.id, true)?;
    for row in rows.iter().filter(|r| r.state != "excluded") {
        for p in &row.problems {
            eprintln!("problem: {}", p.message);
        }
    }
    if !view.not_used.is_empty() {
        eprintln!("not used: {}", view.not_used.join(", "));
    }
    Ok(())
}

/// Reads the mandate of `batch issue --mandate-org ORG.json [--mandate-doc FILE]`.
fn mandate(
    org: Option<&Path>,
    doc: Option<&Path>,
) -> Result<Option<sealdesk_elm::Mandate>, Failure> {
    let Some(org) = org else { return Ok(None) };
    let document = match doc {
        Some(path) => {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string());
            Some(
                sealdesk_elm::MandateDocument::new(&name, read(path)?, None)
                    .map_err(sealdesk_flows::FlowError::from)?,
            )
        }
        None => None,
    };
    let bytes = read(org)?;
    let mandate = sealdesk_elm::Mandate::from_json(&bytes, &org.display().to_string(), document)
        .map_err(sealdesk_flows::FlowError::from)?;
    Ok(Some(mandate))
}

/// Runs a `batch` subcommand.
pub fn run(
    data_dir: Option<&Path>,
    command: BatchCommand,
    now: OffsetDateTime,
) -> Result<ExitCode, Failure> {
    let catalogue = sealdesk_flows::open_catalogue(data_dir)?;
    match command {
        BatchCommand::Sheet { template, out } => {
            let bytes = template_bytes(&template)?;
            let columns = sealdesk_flows::write_batch_sheet(
                &catalogue,
                template_source(&template, &bytes),
                &out,
            )?;
            let keys: Vec<&str> = columns.iter().map(|c| c.key.as_str()).collect();
            eprintln!("wrote {} (columns: {})", out.display(), keys.join(", "));
            Ok(ExitCode::SUCCESS)
        }
        BatchCommand::Issue {
            template,
            recipients,
            out,
            device,
            consent,
            exclude_problem_rows,
            send,
            mandate_org,
            mandate_doc,
            pdf,
            json,
        } => {
            let options = sealdesk_flows::BatchOptions {
                mandate: mandate(mandate_org.as_deref(), mandate_doc.as_deref())?,
            };
            let bytes = template_bytes(&template)?;
            let sheet = read(&recipients)?;
            let name = recipients
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| recipients.display().to_string());
            let mut view = sealdesk_flows::open_batch_with(
                &catalogue,
                template_source(&template, &bytes),
                &sheet,
                &name,
                &out,
                now,
                &options,
            )?;
            if let Some(body) = sealdesk_flows::batch_mandate(&catalogue, &view.id)? {
                eprintln!("sealing on behalf of {body} (mandate)");
            }
            if view.resumed {
                eprintln!(
                    "resuming batch {} ({} of {} stored)",
                    view.id, view.stored, view.total
                );
            } else {
                eprintln!("batch {}: {} learners", view.id, view.total);
            }
            if view.rows_with_problems > 0 || !view.sheet_problems.is_empty() {
                print_problems(&view, &catalogue)?;
                if exclude_problem_rows && view.sheet_problems.is_empty() {
                    view = sealdesk_flows::exclude_problem_rows(&catalogue, &view.id, now)?;
                    eprintln!("left out {} row(s) with problems", view.excluded);
                }
            }
            let pdfs_missing = if pdf {
                sealdesk_flows::batch_pdfs_missing(&catalogue, &view.id)?
            } else {
                0
            };
            if view.pending == 0 && view.sealed == 0 && pdfs_missing == 0 {
                // Nothing to seal: no PIN needed.
                let summary = serde_json::json!({ "batch": view, "sealedThisRun": 0 });
                if json {
                    output::json(&summary)?;
                }
                eprintln!("nothing left to seal: {} stored", view.stored);
                if send {
                    queue_mails(&catalogue, &view.id, now)?;
                }
                return Ok(ExitCode::SUCCESS);
            }
            // Refused before the PIN is asked for when the batch has problems.
            if view.rows_with_problems > 0 || !view.sheet_problems.is_empty() {
                return Err(sealdesk_flows::FlowError::BatchHasProblems {
                    rows: view.rows_with_problems,
                    sheet: view.sheet_problems.len() as u32,
                }
                .into());
            }
            let pin = read_pin()?;
            let mut stderr = std::io::stderr();
            let summary = sealdesk_flows::run_batch_opts(
                &catalogue,
                &view.id,
                &device.selector(),
                pin,
                consent.consent(),
                now,
                &BatchControl::new(),
                &mut |p| {
                    let eta = p
                        .eta_seconds
                        .map(|s| format!(", {s:.0} s left"))
                        .unwrap_or_default();
                    let _ = writeln!(
                        stderr,
                        "sealed {}/{} ({:.1}/s{eta})",
                        p.done, p.total, p.rate_per_second
                    );
                },
                &sealdesk_flows::RunOptions { pdf },
            )?;
            if pdf {
                let missing = sealdesk_flows::batch_pdfs_missing(&catalogue, &view.id)?;
                eprintln!("sealed PDFs: {} missing", missing);
            }
            eprintln!(
                "batch {}: {} sealed this run, {} of {} stored, {:.1} s, token busy {:.1} %",
                summary.batch.id,
                summary.sealed_this_run,
                summary.batch.stored,
                summary.batch.total,
                summary.seconds,
                summary.token_busy_share * 100.0
            );
            if send {
                queue_mails(&catalogue, &summary.batch.id, now)?;
            }
            if json {
                output::json(&summary)?;
            }
            Ok(if summary.batch.failed > 0 {
                ExitCode::from(exit::BAD_INPUT)
            } else {
                ExitCode::SUCCESS
            })
        }
        BatchCommand::Status { batch, json } => {
            let views = match batch {
                Some(id) => vec![sealdesk_flows::batch_view(&catalogue, &id)?],
                None => sealdesk_flows::list_batches(&catalogue)?,
            };
            if json {
                output::json(&views)?;
            } else {
                for v in &views {
                    println!(
                        "{}  {:9}  {}/{} stored, {} pending, {} excluded, {} failed, {} with problems  {}",
                        v.id,
                        v.state,
                        v.stored,
                        v.total,
                        v.pending + v.sealed,
                        v.excluded,
                        v.failed,
                        v.rows_with_problems,
                        v.recipients_name
                    );
                    if let Some(body) = sealdesk_flows::batch_mandate(&catalogue, &v.id)? {
                        println!("    on behalf of {body} (mandate)");
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `--send`: queue the deliveries of a batch's sealed rows.
fn queue_mails(catalogue: &Catalogue, batch: &str, now: OffsetDateTime) -> Result<(), Failure> {
    let queued = sealdesk_flows::deliver::queue_batch(catalogue, batch, now)?;
    eprintln!(
        "outbox: {} delivery job(s) queued, {} already there; `sealdesk-cli outbox run` sends them",
        queued.queued, queued.existing
    );
    Ok(())
}
