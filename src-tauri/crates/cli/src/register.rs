//! `register`: the issued register from the command line — list (search and filters, as the
//! Register screen offers them) and export as CSV.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use sealdesk_flows::RegisterFilterView;

use crate::{output, Failure};

/// The issued register.
#[derive(Subcommand)]
pub enum RegisterCommand {
    /// Credentials sealed here, newest first.
    List {
        #[command(flatten)]
        filter: FilterArgs,
        /// One JSON array on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Write the lines (filtered as for `list`) as CSV.
    Export {
        #[command(flatten)]
        filter: FilterArgs,
        /// The CSV file to write.
        #[arg(long, value_name = "FILE")]
        csv: PathBuf,
    },
}

/// Search and filters; each one left out does not filter.
#[derive(Args)]
pub struct FilterArgs {
    /// Part of a learner's name, e-mail, credential id, title, template or batch id.
    #[arg(long, value_name = "Q")]
    search: Option<String>,
    /// Only this batch id.
    #[arg(long, value_name = "B")]
    batch: Option<String>,
    /// Only this template id.
    #[arg(long, value_name = "T")]
    template: Option<String>,
    /// Only this seal level (B-B, B-T, B-LT, B-LTA).
    #[arg(long, value_name = "LEVEL")]
    level: Option<String>,
    /// Only this delivery state ("not queued", queued, sending, delivered, failed).
    #[arg(long, value_name = "STATE")]
    delivery: Option<String>,
    /// Sealed on or after this day (UTC, YYYY-MM-DD).
    #[arg(long, value_name = "DAY")]
    from: Option<String>,
    /// Sealed on or before this day (UTC, YYYY-MM-DD).
    #[arg(long, value_name = "DAY")]
    to: Option<String>,
}

impl From<FilterArgs> for RegisterFilterView {
    fn from(a: FilterArgs) -> Self {
        Self {
            search: a.search,
            batch_id: a.batch,
            template_id: a.template,
            seal_level: a.level,
            delivery_state: a.delivery,
            sealed_from: a.from,
            sealed_to: a.to,
        }
    }
}

/// Runs a `register` subcommand.
pub fn run(data_dir: Option<&Path>, command: RegisterCommand) -> Result<ExitCode, Failure> {
    let catalogue = sealdesk_flows::open_catalogue(data_dir)?;
    match command {
        RegisterCommand::List { filter, json } => {
            let rows = sealdesk_flows::register_rows(&catalogue, &filter.into())?;
            if json {
                output::json(&rows)?;
            } else {
                for r in &rows {
                    println!(
                        "{}  {}  {}  {}  {}  {}  {}",
                        r.sealed_at,
                        r.seal_level,
                        r.delivery_state,
                        r.learner,
                        if r.email.is_empty() { "-" } else { &r.email },
                        r.template,
                        r.credential_id
                    );
                }
                eprintln!("{} credential(s)", rows.len());
            }
        }
        RegisterCommand::Export { filter, csv } => {
            let count = sealdesk_flows::export_register_csv(&catalogue, &filter.into(), &csv)?;
            eprintln!("wrote {count} line(s) to {}", csv.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
