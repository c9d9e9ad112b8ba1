//! `trust`: EU trusted lists. `check` reads list files and says whether each list's signature
//! verifies; `providers` loads a folder of lists into the catalogue cache (optional) and lists
//! the providers of qualified seal certificates of a country from the cache.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use sealdesk_flows::{TrustProvidersView, TrustedListView};
use time::OffsetDateTime;

use crate::{exit, output, read, Failure};

/// Trusted lists.
#[derive(Subcommand)]
pub enum TrustCommand {
    /// Check trusted-list files (a LOTL among them makes national lists "announced"); exit 0 only
    /// if every list's signature verifies.
    Check {
        /// The list files (XML).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// One JSON document on stdout (an array, one entry per file).
        #[arg(long)]
        json: bool,
    },
    /// Providers of qualified certificates for e-seals in a country, from the cached lists.
    Providers {
        /// ISO 3166 country code of the trusted list (FR, DE …).
        #[arg(long)]
        country: String,
        /// Load every *.xml list of this folder into the cache first (LOTL and national lists).
        #[arg(long)]
        trust_dir: Option<PathBuf>,
        /// Language of names and of the term (en, fr, de, es, it …).
        #[arg(long, default_value = "en")]
        lang: String,
        /// One JSON document on stdout.
        #[arg(long)]
        json: bool,
    },
}

/// Runs a `trust` command.
pub fn run(
    data_dir: Option<&std::path::Path>,
    command: TrustCommand,
    now: OffsetDateTime,
) -> Result<ExitCode, Failure> {
    match command {
        TrustCommand::Check { files, json } => {
            let mut inputs = Vec::with_capacity(files.len());
            for f in &files {
                inputs.push((f.display().to_string(), read(f)?));
            }
            let views = sealdesk_flows::check_trusted_lists(&inputs, now)?;
            if json {
                output::json(&views)?;
            } else {
                for v in &views {
                    print_list(v);
                }
            }
            Ok(if views.iter().all(|v| v.signature.status == "valid") {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(exit::NOT_INTACT)
            })
        }
        TrustCommand::Providers {
            country,
            trust_dir,
            lang,
            json,
        } => {
            let catalogue = sealdesk_flows::open_catalogue(data_dir)?;
            if let Some(dir) = &trust_dir {
                let loaded = sealdesk_flows::load_trusted_lists(&catalogue, dir, now)?;
                eprintln!(
                    "loaded {} trusted list(s) from {}",
                    loaded.len(),
                    dir.display()
                );
            }
            let view = sealdesk_flows::trust_providers(&catalogue, &country, &lang, now)?;
            if json {
                output::json(&view)?;
            } else {
                print_providers(&view);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn print_list(v: &TrustedListView) {
    println!("{}", v.source);
    println!(
        "  list        {} {} #{} (TLv{}), issued {}, next update {}{}",
        v.territory,
        if v.is_lotl { "LOTL" } else { "TL" },
        v.sequence,
        v.version,
        v.issued,
        v.next_update.as_deref().unwrap_or("none (closed)"),
        if v.overdue { " OVERDUE" } else { "" }
    );
    println!(
        "  signature   {}{} ({}/{} references), signer {}, valid {} to {}{}",
        v.signature.status,
        v.signature
            .reason
            .as_deref()
            .map(|r| format!(": {r}"))
            .unwrap_or_default(),
        v.signature.references_ok,
        v.signature.references,
        v.signature.signer.as_deref().unwrap_or("?"),
        v.signature.signer_not_before.as_deref().unwrap_or("?"),
        v.signature.signer_not_after.as_deref().unwrap_or("?"),
        match v.signature.signer_valid_now {
            Some(false) => " (EXPIRED or not yet valid now)",
            _ => "",
        }
    );
    println!("  standing    {}: {}", v.standing, v.standing_detail);
    if v.is_lotl {
        println!("  pointers    {}", v.pointers);
    }
    for s in &v.qc_services {
        let status = s.status.rsplit('/').next().unwrap_or(&s.status);
        let asi: Vec<&str> = s
            .additional_info
            .iter()
            .map(|u| u.rsplit('/').next().unwrap_or(u))
            .collect();
        println!(
            "  CA/QC       {} — {}: {} since {} [{}]",
            s.provider,
            s.service,
            status,
            s.status_since,
            asi.join(", ")
        );
    }
}

fn print_providers(v: &TrustProvidersView) {
    let Some(list) = &v.list else {
        println!(
            "no trusted list of {} in the cache: load one with --trust-dir",
            v.country
        );
        return;
    };
    println!(
        "{}: {} ({} list #{}, issued {}, {})",
        v.country, v.term, list.territory, list.sequence, list.issued, list.standing
    );
    if v.providers.is_empty() {
        println!("  no provider with a granted CA/QC service for e-seals");
    }
    for p in &v.providers {
        println!("  {}", p.name);
        if !p.address.is_empty() {
            println!("    {}", p.address);
        }
        if let Some(w) = &p.website {
            println!("    {w}");
        }
    }
}
