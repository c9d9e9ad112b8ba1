//! Verifying a sealed PDF (PAdES) into the same report as a credential.
//!
//! [`crate::verify`] sends files that start with `%PDF-` here. A PDF is not a credential: the
//! report has no credential view and no format findings; its checks are the seal checks of
//! every signature (seal, coverage, certificate, trust, qualification, timestamp, revocation).

use sealdesk_pades::{verify_pdf, PdfSignatureReport};
use sealdesk_seal::verify::{Check, Status};
use time::OffsetDateTime;

use crate::verify::{check, from_check, holder_of, signature_view_of};
use crate::views::{CheckStatus, SignatureView, VerificationReport};
use crate::{FlowError, TrustAnchors};

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
