//! Verify a file and say, check by check, what it is and whether it can be relied on.

use sealdesk_elm::{Credential, ValidityPeriod};
use sealdesk_seal::certificate::CertificateInfo;
use sealdesk_seal::verify::{Check, SignatureReport, Status, Verdict};
use time::OffsetDateTime;

use crate::device::rfc3339;
use crate::views::{
    CheckStatus, CheckView, CredentialView, FindingView, SignatureView, VerificationReport,
};
use crate::{FlowError, TrustAnchors};

/// Verifies one file (sealed or not) at time `now` against `trust`.
///
/// "Checked, and the answer is no" (a broken seal, an untrusted issuer) is in the report;
/// only a file that cannot be read as a credential or a seal is an error, naming the place.
pub fn verify(
    bytes: &[u8],
    source: &str,
    trust: &TrustAnchors,
    now: OffsetDateTime,
) -> Result<VerificationReport, FlowError> {
    verify_with_lists(bytes, source, trust, None, now)
}

/// [`verify`], with the cached trusted lists deciding the `qualification` check, and legacy
/// EDC 1.x XML credentials (enveloped XAdES) dispatched to their own checker.
pub fn verify_with_lists(
    bytes: &[u8],
    source: &str,
    trust: &TrustAnchors,
    lists: Option<&crate::trust::CachedTrust>,
    now: OffsetDateTime,
) -> Result<VerificationReport, FlowError> {
    let _span = tracing::info_span!("flows.verify").entered();
    if crate::trust::looks_like_xml(bytes) {
        return crate::trust::verify_legacy_xml(bytes, source, trust, lists, now);
    }
    if sealdesk_pades::is_pdf(bytes) {
        return crate::pdf::verify(bytes, source, trust, now);
    }
    let verdict =
        sealdesk_seal::verify::verify(bytes, trust, now).map_err(|e| FlowError::Unverifiable {
            source_name: source.to_owned(),
            source: e,
        })?;
    let credential = Credential::from_json(&verdict.payload, source);
    let mut checks = Vec::new();
    let mut findings = Vec::new();
    let credential_view = match &credential {
        Ok(c) => {
            let summary = c.summary();
            findings = c
                .check_format()
                .into_iter()
                .map(|f| FindingView {
                    pointer: f.pointer,
                    message: f.message,
                })
                .collect();
            checks.push(if findings.is_empty() {
                check(
                    "format",
                    CheckStatus::Ok,
                    "the credential has every mandatory EDC field",
                )
            } else {
                check(
                    "format",
                    CheckStatus::Error,
                    &format!(
                        "{} mandatory EDC field(s) missing or malformed (see the findings)",
                        findings.len()
                    ),
                )
            });
            Some(CredentialView {
                id: summary.id.unwrap_or_default(),
                title: summary.title.unwrap_or_default(),
                issuer: summary.issuer.unwrap_or_default(),
                learner: summary.learner.unwrap_or_default(),
            })
        }
        Err(e) => {
            checks.push(check(
                "format",
                CheckStatus::Error,
                &format!("the content is not an EDC credential: {e}"),
            ));
            None
        }
    };
    seal_checks(&verdict, &mut checks, lists, now);
    if let Ok(c) = &credential {
        checks.push(validity_check(c, now));
    }
    checks.push(check(
        "accreditation",
        CheckStatus::Skipped,
        "not checked yet: accreditation databases are not consulted in this version",
    ));
    Ok(VerificationReport {
        source: source.to_owned(),
        sealed: verdict.envelope.is_sealed(),
        intact: verdict.intact(),
        credential: credential_view,
        checks,
        signatures: verdict.signatures.iter().map(signature_view).collect(),
        findings,
    })
}

/// The seal checks, in the EDC viewer's order; several seals are reported one after another.
fn seal_checks(
    verdict: &Verdict,
    checks: &mut Vec<CheckView>,
    lists: Option<&crate::trust::CachedTrust>,
    now: OffsetDateTime,
) {
    if !verdict.envelope.is_sealed() {
        checks.push(check(
            "seal",
            CheckStatus::Error,
            "not sealed: the file carries no electronic seal",
        ));
        return;
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
        let integrity = if s.integrity.status == Status::Ok {
            Check {
                status: Status::Ok,
                message: format!(
                    "sealed by {}; the content is exactly what was sealed",
                    holder(s)
                ),
            }
        } else {
            // The seal crate's message already says "seal broken: …" (or, as a warning, what
            // is missing beside a valid signature).
            s.integrity.clone()
        };
        checks.push(from_check(&name("seal"), &integrity));
        checks.push(from_check(&name("certificate"), &s.validity));
        checks.push(from_check(&name("trust"), &s.trust));
        checks.push(
            lists
                .and_then(|l| crate::trust::qualification_check(&name("qualification"), s, l, now))
                .unwrap_or_else(|| from_check(&name("qualification"), &s.qualification)),
        );
        checks.push(from_check(&name("timestamp"), &s.timestamps));
        checks.push(from_check(&name("revocation"), &s.revocation));
    }
}

fn validity_check(credential: &Credential, now: OffsetDateTime) -> CheckView {
    match credential.validity_at(now) {
        ValidityPeriod::Valid { until: None } => {
            check("validity", CheckStatus::Ok, "valid, with no expiry date")
        }
        ValidityPeriod::Valid { until: Some(until) } => check(
            "validity",
            CheckStatus::Ok,
            &format!("valid until {}", rfc3339(until)),
        ),
        ValidityPeriod::Expired { until } => check(
            "validity",
            CheckStatus::Error,
            &format!("expired on {}", rfc3339(until)),
        ),
        ValidityPeriod::NotYetValid { from } => check(
            "validity",
            CheckStatus::Warning,
            &format!("not valid before {}", rfc3339(from)),
        ),
        ValidityPeriod::Unreadable { pointer } => check(
            "validity",
            CheckStatus::Error,
            &format!("the date at {pointer} is not an xsd:dateTime"),
        ),
        _ => check(
            "validity",
            CheckStatus::Skipped,
            "validity period not understood",
        ),
    }
}

fn holder(s: &SignatureReport) -> String {
    holder_of(s.signer.as_ref())
}

/// The seal holder as a person reads it: the certificate's O, else its CN.
pub(crate) fn holder_of(signer: Option<&CertificateInfo>) -> String {
    signer
        .and_then(|c| c.organization.clone().or_else(|| c.common_name.clone()))
        .unwrap_or_else(|| "an unnamed holder".to_owned())
}

fn signature_view(s: &SignatureReport) -> SignatureView {
    signature_view_of(
        s.header.alg.clone(),
        s.level.name().to_owned(),
        s.signer.as_ref(),
        s.claimed_signing_time,
    )
}

/// The facts of one seal, whatever envelope carried it (JAdES, PAdES).
pub(crate) fn signature_view_of(
    algorithm: String,
    level: String,
    signer: Option<&CertificateInfo>,
    claimed_signing_time: Option<OffsetDateTime>,
) -> SignatureView {
    SignatureView {
        algorithm,
        level,
        signer: holder_of(signer),
        organization_identifier: signer
            .and_then(|c| c.organization_identifier.clone())
            .unwrap_or_default(),
        signing_time: claimed_signing_time.map(rfc3339),
        certificate_not_after: signer.map(|c| rfc3339(c.not_after)).unwrap_or_default(),
    }
}

/// A domain check as the report shows it.
pub(crate) fn from_check(name: &str, c: &Check) -> CheckView {
    let status = match c.status {
        Status::Error => CheckStatus::Error,
        Status::Ok => CheckStatus::Ok,
        Status::Skipped => CheckStatus::Skipped,
        Status::Warning => CheckStatus::Warning,
    };
    check(name, status, &c.message)
}

/// One line of the report.
pub(crate) fn check(name: &str, status: CheckStatus, message: &str) -> CheckView {
    CheckView {
        check: name.to_owned(),
        status,
        message: message.to_owned(),
    }
}
