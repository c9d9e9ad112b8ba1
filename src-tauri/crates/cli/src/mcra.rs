//! `lo` and `mcra`: learning opportunities and Model Credit Recognition Agreements from the
//! command line — list, show, export the ELM JSON-LD; export and import `sealdesk.mcra/1`
//! exchange files (an import is checked whole and written in one transaction); print both
//! as PDFs (`lo pdf`, `mcra pdf`: DRAFT until approved / signed) and seal a signed
//! agreement's PDF on the token (`mcra pdf --seal`, PAdES with a visible seal block).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use time::OffsetDateTime;

use crate::{exit, output, ConsentArgs, DeviceArgs, Failure};

/// Learning opportunities (module descriptions).
#[derive(Subcommand)]
pub enum LoCommand {
    /// Every learning opportunity (latest version), by title.
    List {
        /// One JSON array on stdout.
        #[arg(long)]
        json: bool,
    },
    /// One learning opportunity with its review history and linked templates.
    Show {
        /// Its id.
        id: String,
        /// A version (default: the latest).
        #[arg(long)]
        version: Option<u32>,
        /// The whole view as JSON on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Export a learning opportunity.
    Export {
        /// Its id.
        id: String,
        /// As ELM JSON-LD (LearningOpportunity + LearningAchievementSpecification).
        #[arg(long, required = true)]
        jsonld: bool,
        /// A version (default: the latest).
        #[arg(long)]
        version: Option<u32>,
        /// Write to this file (default: stdout).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Print a learning opportunity (module description) as a PDF; DRAFT until approved.
    Pdf {
        /// Its id.
        id: String,
        /// Where to write the PDF.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// One of its text languages (default: its first).
        #[arg(long, value_name = "LL")]
        lang: Option<String>,
        /// A version (default: the latest).
        #[arg(long)]
        version: Option<u32>,
    },
    /// Add a learning opportunity, as a draft, from a JSON document.
    Add {
        /// The JSON file.
        file: PathBuf,
        /// The view as JSON on stdout.
        #[arg(long)]
        json: bool,
    },
}

/// Model Credit Recognition Agreements.
#[derive(Subcommand)]
pub enum McraCommand {
    /// Every agreement (latest version), by partner then title.
    List {
        /// One JSON array on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Write agreements as a `sealdesk.mcra/1` exchange file for the partner.
    Export {
        /// Agreement ids.
        #[arg(required = true)]
        ids: Vec<String>,
        /// Write to this file (default: stdout).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Print an agreement as a PDF (DRAFT before `signed`); `--seal` seals a signed or
    /// shared agreement's PDF on the token (PAdES, visible seal block, one PIN from
    /// SEALDESK_PIN or the prompt; B-T when `tsa.url` answers, augmentation queued).
    Pdf {
        /// Its id.
        id: String,
        /// Where to write the PDF.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Language of the fixed texts: en fr de es it lt (default: the agreement's).
        #[arg(long, value_name = "LL")]
        lang: Option<String>,
        /// A version (default: the latest).
        #[arg(long)]
        version: Option<u32>,
        /// Seal the PDF with the institution's seal on the token.
        #[arg(long)]
        seal: bool,
        #[command(flatten)]
        device: DeviceArgs,
        #[command(flatten)]
        consent: ConsentArgs,
        /// With --seal: print the result (level, job, verification) as JSON on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Import a partner's exchange file: all agreements in it, or none.
    Import {
        /// The exchange file.
        file: PathBuf,
        /// The imported agreements as JSON on stdout.
        #[arg(long)]
        json: bool,
    },
}

fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure {
        message: format!("cannot read {}: {e}", path.display()),
        code: exit::IO,
    })
}

fn write(out: Option<&Path>, bytes: &[u8]) -> Result<(), Failure> {
    let result = match out {
        Some(path) => std::fs::write(path, bytes),
        None => std::io::stdout().write_all(bytes),
    };
    result.map_err(|e| Failure {
        message: format!(
            "cannot write {}: {e}",
            out.map(|p| p.display().to_string())
                .unwrap_or_else(|| "stdout".into())
        ),
        code: exit::IO,
    })
}

fn name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Runs an `lo` subcommand.
pub fn run_lo(
    data_dir: Option<&Path>,
    command: LoCommand,
    now: OffsetDateTime,
) -> Result<ExitCode, Failure> {
    let catalogue = sealdesk_flows::open_catalogue(data_dir)?;
    match command {
        LoCommand::List { json } => {
            let list = sealdesk_flows::list_learning_opportunities(&catalogue)?;
            if json {
                output::json(&list)?;
            } else {
                for lo in &list {
                    println!(
                        "{}  v{}  {:<17}  {}",
                        lo.id,
                        lo.version,
                        lo.state.as_str(),
                        lo.title
                    );
                }
                eprintln!("{} learning opportunit(ies)", list.len());
            }
        }
        LoCommand::Show { id, version, json } => {
            let view = sealdesk_flows::learning_opportunity(&catalogue, &id, version)?;
            if json {
                output::json(&view)?;
            } else {
                println!(
                    "{}  v{}  {}",
                    view.summary.id, view.summary.version, view.summary.title
                );
                println!("state: {}", view.summary.state.as_str());
                for f in &view.findings {
                    println!("to submit: {} {}", f.path, f.message);
                }
                for r in &view.reviews {
                    println!(
                        "review v{}: {} → {} by {}{}",
                        r.version,
                        r.from,
                        r.to,
                        r.actor,
                        r.comment
                            .as_deref()
                            .map(|c| format!(": {c}"))
                            .unwrap_or_default()
                    );
                }
                for t in &view.templates {
                    println!(
                        "template {} v{} (from v{})",
                        t.template_id, t.template_version, t.lo_version
                    );
                }
            }
        }
        LoCommand::Export {
            id, version, out, ..
        } => {
            let text =
                sealdesk_flows::export_learning_opportunity_jsonld(&catalogue, &id, version)?;
            write(out.as_deref(), format!("{text}\n").as_bytes())?;
        }
        LoCommand::Pdf {
            id,
            out,
            lang,
            version,
        } => {
            let bytes = sealdesk_flows::lo_pdf(&catalogue, &id, version, lang.as_deref())?;
            write(Some(&out), &bytes)?;
            eprintln!("wrote {}", out.display());
        }
        LoCommand::Add { file, json } => {
            let view = sealdesk_flows::add_learning_opportunity_file(
                &catalogue,
                &read(&file)?,
                &name_of(&file),
                now,
            )?;
            if json {
                output::json(&view)?;
            } else {
                println!("{}", view.summary.id);
                eprintln!("added {} as a draft", view.summary.title);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs an `mcra` subcommand.
pub fn run_mcra(
    data_dir: Option<&Path>,
    command: McraCommand,
    now: OffsetDateTime,
) -> Result<ExitCode, Failure> {
    let catalogue = sealdesk_flows::open_catalogue(data_dir)?;
    match command {
        McraCommand::List { json } => {
            let list = sealdesk_flows::list_mcras(&catalogue)?;
            if json {
                output::json(&list)?;
            } else {
                for m in &list {
                    println!(
                        "{}  v{}  {:<15}  {}  {}",
                        m.id,
                        m.version,
                        m.state.as_str(),
                        m.partner,
                        m.title
                    );
                }
                eprintln!("{} agreement(s)", list.len());
            }
        }
        McraCommand::Export { ids, out } => {
            let bytes = sealdesk_flows::export_mcras(&catalogue, &ids, now)?;
            write(out.as_deref(), &bytes)?;
            if let Some(path) = out {
                eprintln!("wrote {} agreement(s) to {}", ids.len(), path.display());
            }
        }
        McraCommand::Pdf {
            id,
            out,
            lang,
            version,
            seal: false,
            ..
        } => {
            let bytes = sealdesk_flows::mcra_pdf(&catalogue, &id, version, lang.as_deref())?;
            write(Some(&out), &bytes)?;
            eprintln!("wrote {}", out.display());
        }
        McraCommand::Pdf {
            id,
            out,
            lang,
            version,
            seal: true,
            device,
            consent,
            json,
        } => {
            // A draft is refused before anyone types a PIN.
            sealdesk_flows::mcra_sealable(&catalogue, &id, version)?;
            let pin = crate::read_pin()?;
            let sealed = sealdesk_flows::seal_mcra_pdf(
                &catalogue,
                &device.selector(),
                pin,
                consent.consent(),
                &id,
                version,
                lang.as_deref(),
                &out,
                now,
            )?;
            if json {
                output::json(&sealed)?;
            }
            if let Some(why) = &sealed.timestamp_error {
                eprintln!("no timestamp yet ({why}): the outbox adds it when the TSA answers");
            }
            eprintln!(
                "sealed agreement {id} -> {} (PAdES {}, augmentation job {})",
                sealed.output, sealed.level, sealed.job
            );
        }
        McraCommand::Import { file, json } => {
            let imported =
                sealdesk_flows::import_mcras(&catalogue, &read(&file)?, &name_of(&file), now)?;
            if json {
                output::json(&imported)?;
            } else {
                for m in &imported {
                    println!(
                        "{}  v{}  {}  {}",
                        m.id,
                        m.version,
                        m.state.as_str(),
                        m.title
                    );
                }
                eprintln!("imported {} agreement(s)", imported.len());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
