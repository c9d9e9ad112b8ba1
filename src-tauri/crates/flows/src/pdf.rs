//! Sealing a PDF on the token (PAdES) and verifying sealed PDFs into the same report as a
//! credential.
//!
//! [`seal_pdf_file`] seals a PDF file with the token (B-T when the configured TSA answers, else
//! B-B), writes it next to nothing else (the output path given) and queues its augmentation to
//! B-LTA ([`crate::augment::queue_pdf`]). [`crate::verify`] sends files that start with `%PDF-`
//! here. A PDF is not a credential: the report has no credential view and no format findings;
//! its checks are the seal checks of every signature (seal, coverage, certificate, trust,
//! qualification, timestamp, revocation) and one per document timestamp.

use std::path::Path;

use sealdesk_catalogue::Catalogue;
use sealdesk_pades::{seal_pdf_with, verify_pdf, PdfSealOptions, PdfSignatureReport};
use sealdesk_seal::net::Http;
use sealdesk_seal::verify::{Check, Status};
use sealdesk_token::SealDevice;
use secrecy::SecretString;
use serde::Serialize;
use time::OffsetDateTime;

use crate::augment::AugmentServices;
use crate::verify::{check, from_check, holder_of, signature_view_of};
use crate::views::{CheckStatus, SignatureView, VerificationReport};
use crate::{DeviceSelector, FlowError, SealConsent, TrustAnchors};

/// A PDF sealed by [`seal_pdf_file`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SealedPdfView {
    /// Where the sealed PDF was written.
    pub output: String,
    /// `B-B`, or `B-T` when the signature timestamp was added.
    pub level: String,
    /// Why no timestamp was added although a TSA is configured (augmentation retries).
    pub timestamp_error: Option<String>,
    /// The queued augmentation job (to B-LTA).
    pub job: i64,
    /// Our check of the sealed file.
    pub report: VerificationReport,
}

/// Seals the PDF at `input` with the token's seal and writes it to `output` (never over
/// `input`): one incremental update with a signature field (a visible seal block on page 1
/// when `visible`), B-T when the configured TSA (`tsa.url`) answers, else B-B. The result is
/// checked, recorded in the audit log, and its augmentation to B-LTA is queued.
#[allow(clippy::too_many_arguments)]
pub fn seal_pdf_file(
    catalogue: &Catalogue,
    sel: &DeviceSelector,
    pin: SecretString,
    consent: SealConsent,
    input: &Path,
    output: &Path,
    visible: bool,
    now: OffsetDateTime,
) -> Result<SealedPdfView, FlowError> {
    let _span = tracing::info_span!("flows.seal_pdf").entered();
    let name = input.display().to_string();
    let pdf_error = |source| FlowError::Pdf {
        file: name.clone(),
        source,
    };
    if input == output {
        return Err(FlowError::Output {
            path: output.to_path_buf(),
            source: std::io::Error::other("write the sealed PDF to another file than the input"),
        });
    }
    let original = std::fs::read(input).map_err(|source| FlowError::Output {
        path: input.to_path_buf(),
        source,
    })?;
    if !sealdesk_pades::is_pdf(&original) {
        return Err(pdf_error(sealdesk_pades::PadesError::NotAPdf {
            reason: "no %PDF- header".to_owned(),
        }));
    }
    let services = AugmentServices::from_settings(catalogue)?;
    let http = Http::new(
        services
            .as_ref()
            .map(|s| s.timeout)
            .unwrap_or(std::time::Duration::from_secs(20)),
    );
    let seal_services = services.as_ref().map(|s| s.seal_services(&http));

    let (module, _, _) = crate::device::resolve(sel, Some(catalogue))?;
    let signer = SealDevice::open(
        &module,
        &sel.token(),
        sel.key_id.as_deref(),
        pin,
        now,
        consent.open_options(),
    )?;
    let options = PdfSealOptions {
        visible,
        ..PdfSealOptions::default()
    };
    let sealed = seal_pdf_with(&original, &signer, &options, seal_services.as_ref(), now)
        .map_err(pdf_error)?;
    drop(signer); // log out as soon as the signature is made

    let report = verify(&sealed.pdf, &name, &TrustAnchors::empty(), now)?;
    if !report.intact {
        return Err(FlowError::SealDidNotVerify);
    }
    crate::augment::write_atomically(output, &sealed.pdf)?;
    let output = std::path::absolute(output).unwrap_or_else(|_| output.to_path_buf());
    catalogue
        .audit()
        .append(now, "seal-pdf", &output.display().to_string())?;
    let job = crate::augment::queue_pdf(catalogue, &output, now)?;
    tracing::info!(
        level = sealed.level.name(),
        "pdf sealed and queued for augmentation"
    );
    Ok(SealedPdfView {
        output: output.display().to_string(),
        level: sealed.level.name().to_owned(),
        timestamp_error: sealed.timestamp_error,
        job,
        report,
    })
}

/// Verifies a PDF's signatures at `now` against `trust`.
pub(crate) fn verify(
    bytes: &[u8],
    source: &str,
    trust: &TrustAnchors,
    now: OffsetDateTime,
) -> Result<VerificationReport, FlowError> {
    let _span = tracing::info_span!("flows.verify_pdf").entered();
    let verdict = verify_pdf(bytes, trust, now).map_err(|e| FlowError::UnverifiablePdf {
        source_name: source.to_owned(),
        source: e,
    })?;
    let mut checks = Vec::new();
    if verdict.signatures.is_empty() {
        checks.push(check(
            "seal",
            CheckStatus::Error,
            "not sealed: the PDF carries no signature",
        ));
    }
    let many = verdict.signatures.len() > 1;
    for s in &verdict.signatures {
        let name = |base: &str| {
            if many {
                format!("{base} #{}", s.index + 1)
            } else {
                base.to_owned()
            }
        };
        let integrity = match s.integrity.status {
            Status::Ok | Status::Warning => Check {
                status: s.integrity.status,
                message: format!("sealed by {}; {}", holder(s), s.integrity.message),
            },
            _ => s.integrity.clone(),
        };
        for (base, c) in [
            ("seal", &integrity),
            ("coverage", &s.coverage),
            ("certificate", &s.validity),
            ("trust", &s.trust),
            ("qualification", &s.qualification),
            ("timestamp", &s.timestamps),
            ("revocation", &s.revocation),
        ] {
            checks.push(from_check(&name(base), c));
        }
    }
    for t in &verdict.document_timestamps {
        let name = format!("document timestamp #{}", t.index + 1);
        let what = if t.covers_dss {
            "archive timestamp over the validation data"
        } else {
            "document timestamp"
        };
        let c = if t.integrity.status != Status::Ok {
            t.integrity.clone()
        } else {
            Check {
                status: t.trust.status,
                message: format!(
                    "{what} by {}: {}; {}",
                    t.tsa.as_deref().unwrap_or("an unnamed TSA"),
                    t.integrity.message,
                    t.trust.message
                ),
            }
        };
        checks.push(from_check(&name, &c));
    }
    Ok(VerificationReport {
        source: source.to_owned(),
        sealed: !verdict.signatures.is_empty(),
        intact: verdict.intact(),
        credential: None,
        checks,
        signatures: verdict.signatures.iter().map(signature_view).collect(),
        findings: Vec::new(),
    })
}

fn holder(s: &PdfSignatureReport) -> String {
    holder_of(s.signer.as_ref())
}

fn signature_view(s: &PdfSignatureReport) -> SignatureView {
    signature_view_of(
        s.algorithm.clone().unwrap_or_default(),
        format!("PAdES {}", s.level.name()),
        s.signer.as_ref(),
        s.claimed_signing_time,
    )
}
