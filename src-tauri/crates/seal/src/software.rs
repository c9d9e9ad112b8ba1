//! [`SoftwareSigner`]: a [`Signer`] over an OpenSSL private key held in memory.
//!
//! For tests here and in `sealdesk-flows`, and for development without a token. Production
//! seals come from `sealdesk-token` (PKCS#11); this type never touches a device.

use openssl::ecdsa::EcdsaSig;
use openssl::pkey::{Id, PKey, Private};
use openssl::rsa::Padding;
use openssl::sign::{RsaPssSaltlen, Signer as OpensslSigner};

use crate::error::SealError;
use crate::signer::{SignatureAlgorithm, SignatureScheme, Signer, SignerError};

/// A software key with its certificate and chain. `Debug` does not show the key.
pub struct SoftwareSigner {
    key: PKey<Private>,
    certificate: Vec<u8>,
    chain: Vec<Vec<u8>>,
    algorithm: SignatureAlgorithm,
}

impl std::fmt::Debug for SoftwareSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoftwareSigner")
            .field("algorithm", &self.algorithm)
            .field("chain_len", &self.chain.len())
            .finish_non_exhaustive()
    }
}

/// A signing failure of the software key (the source of a [`SignerError`]).
#[derive(Debug, thiserror::Error)]
#[error("the software key could not sign")]
struct SoftwareSignError(#[source] openssl::error::ErrorStack);

impl SoftwareSigner {
    /// A signer for `key` (RSA for RS*/PS*, EC P-256 for ES256, EC P-384 for ES384), its certificate (DER) and
    /// the further chain (DER, issuer first). Fails when the key does not fit the algorithm or
    /// the certificate does not belong to the key.
    pub fn new(
        key: PKey<Private>,
        certificate: Vec<u8>,
        chain: Vec<Vec<u8>>,
        algorithm: SignatureAlgorithm,
    ) -> Result<Self, SealError> {
        let curve = |nid| {
            key.id() == Id::EC
                && key.ec_key().ok().and_then(|k| k.group().curve_name()) == Some(nid)
        };
        let fits = match algorithm.scheme() {
            SignatureScheme::Ecdsa => match algorithm {
                SignatureAlgorithm::ES384 => curve(openssl::nid::Nid::SECP384R1),
                _ => curve(openssl::nid::Nid::X9_62_PRIME256V1),
            },
            SignatureScheme::RsaPkcs1 | SignatureScheme::RsaPss => key.id() == Id::RSA,
        };
        if !fits {
            return Err(SealError::SignerKeyMismatch {
                reason: match algorithm {
                    SignatureAlgorithm::ES256 => "ES256 needs an EC P-256 key",
                    SignatureAlgorithm::ES384 => "ES384 needs an EC P-384 key",
                    _ => "RS* and PS* need an RSA key",
                },
            });
        }
        let cert = openssl::x509::X509::from_der(&certificate).map_err(|source| {
            SealError::CertificateUnreadable {
                place: "signer certificate".into(),
                source,
            }
        })?;
        let cert_key = cert
            .public_key()
            .map_err(SealError::crypto("reading the certificate key"))?;
        if !key.public_eq(&cert_key) {
            return Err(SealError::SignerKeyMismatch {
                reason: "the certificate does not belong to the key",
            });
        }
        Ok(Self {
            key,
            certificate,
            chain,
            algorithm,
        })
    }

    fn sign_inner(&self, message: &[u8]) -> Result<Vec<u8>, openssl::error::ErrorStack> {
        let digest = self.algorithm.hash().message_digest();
        let mut signer = OpensslSigner::new(digest, &self.key)?;
        match self.algorithm.scheme() {
            SignatureScheme::RsaPkcs1 => signer.set_rsa_padding(Padding::PKCS1)?,
            SignatureScheme::RsaPss => {
                signer.set_rsa_padding(Padding::PKCS1_PSS)?;
                signer.set_rsa_mgf1_md(digest)?;
                signer.set_rsa_pss_saltlen(RsaPssSaltlen::DIGEST_LENGTH)?;
            }
            SignatureScheme::Ecdsa => {}
        }
        signer.update(message)?;
        let signature = signer.sign_to_vec()?;
        let Some(field) = self.algorithm.ecdsa_field_len() else {
            return Ok(signature);
        };
        // OpenSSL gives DER; JWS wants the fixed-size big-endian r || s.
        let sig = EcdsaSig::from_der(&signature)?;
        let field = i32::try_from(field).unwrap_or(32);
        let mut raw = sig.r().to_vec_padded(field)?;
        raw.extend(sig.s().to_vec_padded(field)?);
        Ok(raw)
    }
}

impl Signer for SoftwareSigner {
    fn certificate(&self) -> &[u8] {
        &self.certificate
    }

    fn chain(&self) -> &[Vec<u8>] {
        &self.chain
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignerError> {
        self.sign_inner(message)
            .map_err(|e| SignerError(Box::new(SoftwareSignError(e))))
    }
}
