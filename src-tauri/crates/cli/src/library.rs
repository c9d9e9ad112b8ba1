//! `skills` and `template`: the catalogue's ESCO skills and credential templates, all local
//! (they work with the network off). The first use of a data folder loads the shipped
//! vocabularies and ESCO skills once (about a second), remembered in the catalogue.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use sealdesk_flows::Catalogue;
use time::OffsetDateTime;

use crate::{output, read, write, Failure};

/// ESCO skills.
#[derive(Subcommand)]
pub enum SkillsCommand {
    /// Search released ESCO skills (type-ahead: every word, the last as a prefix).
    Search {
        /// The words to search for.
        text: String,
        /// How many skills at most.
        #[arg(long, default_value_t = 10)]
        limit: u32,
        /// One JSON document on stdout.
        #[arg(long)]
        json: bool,
    },
    /// The 3 skills that best fit a learning outcome's text.
    Suggest {
        /// The learning outcome's text.
        text: String,
        /// One JSON document on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Import the official ESCO skills_<lang>.csv (exact labels, languages, status).
    Import {
        /// The CSV file.
        file: PathBuf,
        /// Language of the file (default: from its name skills_<lang>.csv).
        #[arg(long)]
        lang: Option<String>,
    },
}

/// Credential templates.
#[derive(Subcommand)]
pub enum TemplateCommand {
    /// Import a credential (official unsigned sample, EDC issuer JSON or upload wrapper).
    Import {
        /// The JSON file.
        file: PathBuf,
        /// Name of the template (default: the credential's title).
        #[arg(long)]
        name: Option<String>,
        /// One JSON document on stdout.
        #[arg(long)]
        json: bool,
    },
    /// List templates (latest versions).
    List {
        /// Also archived templates.
        #[arg(long)]
        archived: bool,
        /// One JSON document on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Write a template's credential JSON, exactly as saved.
    Export {
        /// Template id (see `template list`).
        id: String,
        /// Version (default: the latest).
        #[arg(long)]
        version: Option<u32>,
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
    },
}

fn catalogue(data_dir: Option<&Path>) -> Result<Catalogue, Failure> {
    let catalogue = sealdesk_flows::open_catalogue(data_dir)?;
    let started = std::time::Instant::now();
    let load = sealdesk_flows::prepare_vocabularies(&catalogue)?;
    if load.loaded_now {
        eprintln!(
            "loaded the shipped vocabularies ({} concepts) and ESCO ({} skills) in {:.1} s",
            load.concepts,
            load.skills,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(catalogue)
}

/// Runs a `skills` subcommand.
pub fn skills(data_dir: Option<&Path>, command: SkillsCommand) -> Result<ExitCode, Failure> {
    let catalogue = catalogue(data_dir)?;
    let (hits, json) = match command {
        SkillsCommand::Search { text, limit, json } => (
            sealdesk_flows::search_skills(&catalogue, &text, limit)?,
            json,
        ),
        SkillsCommand::Suggest { text, json } => {
            (sealdesk_flows::suggest_skills(&catalogue, &text)?, json)
        }
        SkillsCommand::Import { file, lang } => {
            let bytes = read(&file)?;
            let report = sealdesk_flows::import_esco_csv(
                &catalogue,
                &bytes,
                &file.display().to_string(),
                lang.as_deref(),
            )?;
            eprintln!(
                "imported {} skills ({}): {} released, {} not offered",
                report.read, report.lang, report.released, report.not_released
            );
            return Ok(ExitCode::SUCCESS);
        }
    };
    if json {
        output::json(&hits)?;
    } else if hits.is_empty() {
        eprintln!("no skill found");
    } else {
        for hit in &hits {
            let guess = if hit.label_exact {
                ""
            } else {
                " (label guessed)"
            };
            println!("{}\t{}{}", hit.uri, hit.label, guess);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs a `template` subcommand.
pub fn template(
    data_dir: Option<&Path>,
    command: TemplateCommand,
    now: OffsetDateTime,
) -> Result<ExitCode, Failure> {
    let catalogue = sealdesk_flows::open_catalogue(data_dir)?;
    match command {
        TemplateCommand::Import { file, name, json } => {
            let bytes = read(&file)?;
            let view = sealdesk_flows::import_template(
                &catalogue,
                &bytes,
                &file.display().to_string(),
                name.as_deref(),
                now,
            )?;
            if json {
                output::json(&view.summary)?;
            } else {
                println!("{}", view.summary.id);
            }
            eprintln!(
                "imported {} as template {:?} ({} format findings)",
                file.display(),
                view.summary.name,
                view.findings.len()
            );
        }
        TemplateCommand::List { archived, json } => {
            let list = sealdesk_flows::list_templates(&catalogue, archived)?;
            if json {
                output::json(&list)?;
            } else {
                for t in &list {
                    let state = if t.archived { "\tarchived" } else { "" };
                    println!(
                        "{}\tv{}\t{}\t{}{}",
                        t.id, t.version, t.updated_at, t.name, state
                    );
                }
            }
        }
        TemplateCommand::Export { id, version, out } => {
            let json = sealdesk_flows::export_template(&catalogue, &id, version)?;
            write(&out, json.as_bytes())?;
            eprintln!("exported template {id} -> {}", out.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
