//! "Test my seal": sign a fixed string on the token and verify it with openssl against the
//! certificate. No credential is built, nothing is registered; the audit log notes the test.

use std::time::Instant;

use openssl::bn::BigNum;
use openssl::ecdsa::EcdsaSig;
use openssl::rsa::Padding;
use openssl::sign::{RsaPssSaltlen, Verifier};
use openssl::x509::X509;
use sealdesk_catalogue::Catalogue;
use sealdesk_seal::certificate::CertificateInfo;
use sealdesk_seal::{SignatureAlgorithm, SignatureScheme, Signer};
use sealdesk_token::{OpenOptions, SealDevice};
use secrecy::SecretString;
use time::OffsetDateTime;

use crate::device::resolve;
use crate::views::TestSealView;
use crate::{DeviceSelector, FlowError};

/// The string signed by [`test_seal`].
pub const TEST_STRING: &[u8] = b"Sealdesk seal test: this is not a credential.";

/// Signs [`TEST_STRING`] with the selected key and verifies the signature with openssl
/// against the key's certificate. The token's refusals apply as for sealing (locked PIN,
/// unconfirmed final try, expired certificate), except that a non-seal certificate may be
/// tested (the view reports its class). Appends a `test-seal` audit entry.
pub fn test_seal(
    cat: &Catalogue,
    sel: &DeviceSelector,
    pin: SecretString,
    confirm_final_try: bool,
    now: OffsetDateTime,
) -> Result<TestSealView, FlowError> {
    let _span = tracing::info_span!("flows.test_seal").entered();
    let (module, _, _) = resolve(sel, Some(cat))?;
    let signer = SealDevice::open(
        &module,
        &sel.token(),
        sel.key_id.as_deref(),
        pin,
        now,
        OpenOptions {
            confirm_final_try,
            accept_non_seal: true,
            ..OpenOptions::default()
        },
    )?;
    let started = Instant::now();
    let signature = signer.sign_message(TEST_STRING)?;
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    let algorithm = signer.algorithm();
    let verified = openssl_verifies(signer.certificate(), algorithm, &signature);
    let certificate = CertificateInfo::from_der(signer.certificate())
        .map_err(|source| FlowError::SealCertificate { source })?;
    let key_id = signer.candidate().key_id.clone();
    let mechanism = signer.mechanism().to_owned();
    drop(signer); // log out at once
    cat.audit().append(
        now,
        "test-seal",
        &format!(
            "key {key_id} {} {}",
            algorithm.jws_name(),
            if verified { "verified" } else { "NOT VERIFIED" }
        ),
    )?;
    Ok(TestSealView {
        algorithm: algorithm.jws_name().to_owned(),
        mechanism,
        key_id,
        signer: certificate
            .organization
            .clone()
            .or_else(|| certificate.common_name.clone())
            .unwrap_or_default(),
        class: crate::device::class_view(certificate.class_at(now)),
        verified,
        millis,
    })
}

/// Verifies a JWS-form signature over [`TEST_STRING`] with openssl; any failure is `false`.
fn openssl_verifies(cert_der: &[u8], algorithm: SignatureAlgorithm, signature: &[u8]) -> bool {
    let run = || -> Result<bool, openssl::error::ErrorStack> {
        let key = X509::from_der(cert_der)?.public_key()?;
        let digest = algorithm.hash().message_digest();
        let der;
        let sig: &[u8] = match algorithm.ecdsa_field_len() {
            Some(field) if signature.len() == 2 * field => {
                let r = BigNum::from_slice(&signature[..field])?;
                let s = BigNum::from_slice(&signature[field..])?;
                der = EcdsaSig::from_private_components(r, s)?.to_der()?;
                &der
            }
            Some(_) => return Ok(false),
            None => signature,
        };
        let mut verifier = Verifier::new(digest, &key)?;
        match algorithm.scheme() {
            SignatureScheme::RsaPkcs1 => verifier.set_rsa_padding(Padding::PKCS1)?,
            SignatureScheme::RsaPss => {
                verifier.set_rsa_padding(Padding::PKCS1_PSS)?;
                verifier.set_rsa_mgf1_md(digest)?;
                verifier.set_rsa_pss_saltlen(RsaPssSaltlen::DIGEST_LENGTH)?;
            }
            SignatureScheme::Ecdsa => {}
        }
        verifier.update(TEST_STRING)?;
        verifier.verify(sig)
    };
    run().unwrap_or(false)
}
