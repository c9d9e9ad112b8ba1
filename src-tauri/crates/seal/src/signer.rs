//! The boundary between the seal envelope and whatever holds the key.

/// The JWS algorithm a signer produces (RFC 7518 names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum SignatureAlgorithm {
    /// ECDSA P-256 with SHA-256; the signature is the raw `r || s` (64 bytes).
    ES256,
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256, salt length 32.
    PS256,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
}

impl SignatureAlgorithm {
    /// The JWS `alg` header value.
    pub fn jws_name(self) -> &'static str {
        match self {
            Self::ES256 => "ES256",
            Self::PS256 => "PS256",
            Self::RS256 => "RS256",
        }
    }
}

/// A signing failure, with the signer's own error kept as the source.
///
/// Callers that need the exact cause (wrong PIN, token removed) downcast the source to the
/// signer's error type (e.g. `sealdesk_token::TokenError`).
#[derive(Debug, thiserror::Error)]
#[error("the signer could not sign")]
pub struct SignerError(#[source] pub Box<dyn std::error::Error + Send + Sync + 'static>);

/// Something that holds a seal key and its certificate: a token or, in tests, a software key.
///
/// Contract:
/// - [`Signer::sign`] receives the whole message to sign (for JAdES, the ASCII JWS signing input
///   `protected || "." || payload`), **not** a digest. The implementation hashes it with SHA-256
///   on the host and signs the digest (a token uses raw mechanisms: `CKM_RSA_PKCS` over a
///   DigestInfo, `CKM_RSA_PKCS_PSS`, `CKM_ECDSA`).
/// - The returned bytes are in JWS form for [`Signer::algorithm`]: PKCS#1/PSS signature bytes
///   for RS256/PS256, raw `r || s` for ES256.
/// - Implementations are `Send + Sync`: a token implementation forwards to the one thread that
///   owns the PKCS#11 session.
pub trait Signer: Send + Sync {
    /// The signing certificate (DER).
    fn certificate(&self) -> &[u8];
    /// Further certificates of the chain (DER), issuer first; may be empty.
    fn chain(&self) -> &[Vec<u8>];
    /// The algorithm this key signs with.
    fn algorithm(&self) -> SignatureAlgorithm;
    /// Signs `message` (see the trait contract).
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignerError>;
}
