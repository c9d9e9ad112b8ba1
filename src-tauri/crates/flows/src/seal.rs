//! Seal one credential on the token, check the result, register it.

use sealdesk_catalogue::{Catalogue, IssuedCredential};
use sealdesk_elm::{prepare_for_sealing, Credential, IssuerIdentity};
use sealdesk_seal::certificate::CertificateInfo;
use sealdesk_seal::Signer;
use sealdesk_token::{OpenOptions, SealDevice};
use secrecy::SecretString;
use time::OffsetDateTime;

use crate::build::{build_credential, SAMPLE_RECIPIENT, SAMPLE_TEMPLATE};
use crate::views::VerificationReport;
use crate::{verify, DeviceSelector, FlowError, TrustAnchors};

/// What the person at the token agreed to, beyond typing the PIN.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SealConsent {
    /// Go on although the token says one more wrong PIN locks it.
    pub confirm_final_try: bool,
    /// Seal with a certificate that is not an e-seal certificate (e.g. a personal signature
    /// certificate). Without it such a key is refused with `ErrorCode::NotASealCertificate`,
    /// so nobody seals credentials with their own signature by accident.
    pub accept_non_seal: bool,
}

impl SealConsent {
    pub(crate) fn open_options(self) -> OpenOptions {
        OpenOptions {
            confirm_final_try: self.confirm_final_try,
            accept_non_seal: self.accept_non_seal,
            algorithm: None,
        }
    }
}

/// A credential sealed, verified and registered.
#[derive(Debug, Clone)]
pub struct SealedCredential {
    /// `urn:credential:…`.
    pub credential_id: String,
    /// The sealed file (JAdES JWS JSON), byte for byte as registered. Not for IPC.
    pub sealed: Vec<u8>,
    /// Our own verification of the sealed file.
    pub report: VerificationReport,
}

/// Seals `credential` (an unsealed ELM credential) with the selected token key.
///
/// Order matters for the person at the token: the file is checked before the PIN is used;
/// the token refuses a locked PIN, an unconfirmed final try or an expired certificate before
/// logging in; the seal fields (issuer identity from the certificate, `issued`) are filled and
/// the result checked again; after signing, the seal is verified before it is registered and
/// returned, so a credential that does not verify is never kept.
#[allow(clippy::too_many_arguments)]
pub fn seal_credential(
    catalogue: &Catalogue,
    sel: &DeviceSelector,
    pin: SecretString,
    consent: SealConsent,
    credential: &[u8],
    source_name: &str,
    now: OffsetDateTime,
) -> Result<SealedCredential, FlowError> {
    let _span = tracing::info_span!("flows.seal_credential").entered();
    let credential = Credential::from_json(credential, source_name)?;
    // Check completeness before touching the token, with stand-in seal fields.
    let mut trial = credential.clone();
    prepare_for_sealing(&mut trial, &stand_in_identity(), now)?;
    refuse_incomplete(&trial, source_name)?;

    let (module, _, _) = crate::device::resolve(sel, Some(catalogue))?;
    let signer = SealDevice::open(
        &module,
        &sel.token(),
        sel.key_id.as_deref(),
        pin,
        now,
        consent.open_options(),
    )?;
    let certificate = CertificateInfo::from_der(signer.certificate())
        .map_err(|source| FlowError::SealCertificate { source })?;
    let identity = issuer_identity(&certificate)?;

    let mut credential = credential;
    prepare_for_sealing(&mut credential, &identity, now)?;
    refuse_incomplete(&credential, source_name)?;
    let summary = credential.summary();
    let payload = credential.to_payload_bytes()?;
    let sealed = sealdesk_seal::jades::seal(&payload, &signer, now)?;
    drop(signer); // log out as soon as the signature is made

    let report = verify(&sealed, source_name, &TrustAnchors::empty(), now)?;
    if !report.intact {
        return Err(FlowError::SealDidNotVerify);
    }
    let credential_id = summary.id.unwrap_or_default();
    catalogue.issued().record(&IssuedCredential {
        credential_id: credential_id.clone(),
        title: summary.title.unwrap_or_default(),
        learner: summary.learner.unwrap_or_default(),
        sealed_at: now,
        signer_fingerprint: certificate.sha256_fingerprint.clone(),
        sealed: sealed.clone(),
    })?;
    catalogue.audit().append(now, "seal", &credential_id)?;
    // Offline is normal: the seal is B-B now and reaches B-LTA when the services are reachable.
    crate::augment::queue(catalogue, &credential_id, now)?;
    tracing::info!(credential = %credential_id, "sealed and registered");
    Ok(SealedCredential {
        credential_id,
        sealed,
        report,
    })
}

/// Builds the bundled sample credential for the sample recipient and seals it.
pub fn seal_sample(
    catalogue: &Catalogue,
    sel: &DeviceSelector,
    pin: SecretString,
    consent: SealConsent,
    now: OffsetDateTime,
) -> Result<SealedCredential, FlowError> {
    let built = build_credential(
        SAMPLE_TEMPLATE.as_bytes(),
        "sample template",
        SAMPLE_RECIPIENT.as_bytes(),
        "sample recipient",
        now,
    )?;
    seal_credential(
        catalogue,
        sel,
        pin,
        consent,
        &built.bytes,
        "sample credential",
        now,
    )
}

/// What the EDC issuer copies from the seal certificate into the credential's issuer.
pub(crate) fn issuer_identity(cert: &CertificateInfo) -> Result<IssuerIdentity, FlowError> {
    let missing = |what: &'static str| FlowError::SealCertificateIncomplete { what };
    Ok(IssuerIdentity {
        legal_name: cert
            .organization
            .clone()
            .ok_or(missing("organisation name (O)"))?,
        organization_identifier: cert
            .organization_identifier
            .clone()
            .ok_or(missing("organisation identifier (organizationIdentifier)"))?,
        country_alpha2: cert.country.clone().ok_or(missing("country (C)"))?,
        common_name: cert.common_name.clone().unwrap_or_default(),
    })
}

pub(crate) fn stand_in_identity() -> IssuerIdentity {
    IssuerIdentity {
        legal_name: "stand-in".to_owned(),
        organization_identifier: "VATBE-0000000000".to_owned(),
        country_alpha2: "BE".to_owned(),
        common_name: "stand-in".to_owned(),
    }
}

fn refuse_incomplete(credential: &Credential, source_name: &str) -> Result<(), FlowError> {
    let findings = credential.check_format();
    if findings.is_empty() {
        Ok(())
    } else {
        Err(FlowError::Incomplete {
            source_name: source_name.to_owned(),
            findings,
        })
    }
}
