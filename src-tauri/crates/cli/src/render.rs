//! `sealdesk-cli render CREDENTIAL.jsonld --out FILE.pdf [--summary] [--specimen] [--lang LL]`:
//! a credential as a PDF. `pdf CREDENTIAL.jsonld …` and `pdf render …` are the same command
//! (see [`pdf_shorthand`]): `pdf` is the PDF group (seal, augment) and rendering is its
//! default when it is given a credential.
//!
//! SPECIMEN: an unsealed credential, a seal that does not verify or `--specimen` give a PDF
//! marked SPECIMEN on every page; a credential whose seal verifies gives a PDF naming the
//! seal holder, sealing time and the sealed file's SHA-256. `--seal` then seals that PDF on the
//! token (PAdES, through `sealdesk_flows::seal_pdf_file`: B-T when the TSA answers, its
//! augmentation queued); a SPECIMEN is never sealed, so `--seal` needs a credential whose
//! JAdES seal verifies.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use sealdesk_flows::render::{render_credential_pdf, CredentialPdfRequest, Layout};
use sealdesk_flows::TrustAnchors;
use time::OffsetDateTime;

use crate::{exit, ConsentArgs, DeviceArgs, Failure};

/// Arguments of `render` (= `pdf CREDENTIAL`).
#[derive(Args)]
pub(crate) struct RenderArgs {
    /// The credential: JSON-LD, sealed (JAdES) or not.
    credential: PathBuf,
    /// Where to write the PDF.
    #[arg(long)]
    out: PathBuf,
    /// One page: the key facts and the seal.
    #[arg(long)]
    summary: bool,
    /// Mark it SPECIMEN even if the credential is sealed (mock credentials).
    #[arg(long)]
    specimen: bool,
    /// Language (ISO 639-1, e.g. `bg`); default: the credential's primary language.
    #[arg(long)]
    lang: Option<String>,
    /// The institution's colour, `#rrggbb`.
    #[arg(long)]
    accent: Option<String>,
    /// Seal the PDF on the token (PAdES), like the batch does; needs a sealed credential.
    #[arg(long)]
    seal: bool,
    #[command(flatten)]
    device: DeviceArgs,
    #[command(flatten)]
    consent: ConsentArgs,
}

/// Rewrites `pdf CREDENTIAL.json[ld] …` and `pdf render …` to `render …`, leaving every other
/// command line (`pdf seal …`, `pdf augment …`) as it is. Global options before the command
/// (`--data-dir DIR`) are skipped over.
pub(crate) fn pdf_shorthand(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut args: Vec<OsString> = args.into_iter().collect();
    let mut i = 1;
    while i < args.len() {
        let arg = args[i].to_string_lossy();
        if arg == "--data-dir" {
            i += 2;
            continue;
        }
        if arg.starts_with('-') {
            i += 1;
            continue;
        }
        if arg != "pdf" {
            return args;
        }
        let next = args
            .get(i + 1)
            .map(|a| a.to_string_lossy().to_ascii_lowercase());
        match next.as_deref() {
            Some("render") => {
                args.remove(i);
                args[i] = OsString::from("render");
            }
            Some(n) if n.ends_with(".jsonld") || n.ends_with(".json") => {
                args[i] = OsString::from("render");
            }
            _ => {}
        }
        return args;
    }
    args
}

pub(crate) fn run(
    data_dir: Option<&std::path::Path>,
    args: RenderArgs,
    now: OffsetDateTime,
) -> Result<ExitCode, Failure> {
    let bytes = crate::read(&args.credential)?;
    if args.seal && args.specimen {
        return Err(Failure {
            message: "a SPECIMEN is never sealed: leave out --specimen or --seal".to_owned(),
            code: exit::USAGE,
        });
    }
    let request = CredentialPdfRequest {
        layout: if args.summary {
            Layout::Summary
        } else {
            Layout::Full
        },
        language: args.lang,
        specimen: args.specimen,
        accent: args.accent,
    };
    let pdf = render_credential_pdf(
        &bytes,
        &args.credential.display().to_string(),
        &request,
        &TrustAnchors::empty(),
        now,
    )?;
    if args.seal {
        if let Some(why) = &pdf.specimen_reason {
            return Err(Failure {
                message: format!(
                    "not sealing a SPECIMEN ({why}): seal the credential first (sealdesk-cli seal), then its PDF"
                ),
                code: exit::BAD_INPUT,
            });
        }
        let catalogue = sealdesk_flows::open_catalogue(data_dir)?;
        // The rendered PDF goes beside the output only until the sealed one is written.
        let unsealed = args.out.with_extension("unsealed.pdf");
        crate::write(&unsealed, &pdf.bytes)?;
        let pin = crate::read_pin()?;
        let sealed = sealdesk_flows::seal_pdf_file(
            &catalogue,
            &args.device.selector(),
            pin,
            args.consent.consent(),
            &unsealed,
            &args.out,
            false,
            now,
        );
        let _ = std::fs::remove_file(&unsealed);
        let sealed = sealed?;
        eprintln!(
            "rendered and sealed {} -> {} ({} page(s), {}; PAdES {}, augmentation job {})",
            args.credential.display(),
            sealed.output,
            pdf.pages,
            pdf.language,
            sealed.level,
            sealed.job
        );
        return Ok(ExitCode::SUCCESS);
    }
    crate::write(&args.out, &pdf.bytes)?;
    let marking = match (&pdf.sealed_by, &pdf.specimen_reason) {
        (_, Some(why)) => format!("SPECIMEN: {why}"),
        (Some(holder), None) => format!("sealed by {holder}"),
        (None, None) => "not sealed".to_owned(),
    };
    eprintln!(
        "rendered {} -> {} ({} page(s), {}; {marking})",
        args.credential.display(),
        args.out.display(),
        pdf.pages,
        pdf.language
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewrite(line: &str) -> String {
        pdf_shorthand(line.split(' ').map(OsString::from))
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn pdf_with_a_credential_or_render_means_render() {
        assert_eq!(
            rewrite("cli pdf a.jsonld --out a.pdf"),
            "cli render a.jsonld --out a.pdf",
            "credential"
        );
        assert_eq!(
            rewrite("cli pdf A.JSON --out a.pdf"),
            "cli render A.JSON --out a.pdf",
            "json, any case"
        );
        assert_eq!(
            rewrite("cli pdf render a.jsonld --out a.pdf"),
            "cli render a.jsonld --out a.pdf",
            "pdf render"
        );
        assert_eq!(
            rewrite("cli --data-dir pdf pdf a.jsonld --out a.pdf"),
            "cli --data-dir pdf render a.jsonld --out a.pdf",
            "global option values are skipped"
        );
        assert_eq!(
            rewrite("cli pdf seal a.pdf --out b.pdf"),
            "cli pdf seal a.pdf --out b.pdf",
            "pdf seal untouched"
        );
        assert_eq!(
            rewrite("cli verify a.jsonld"),
            "cli verify a.jsonld",
            "other commands untouched"
        );
    }
}
