//! The boundary between the seal envelope and whatever holds the key.

/// The JWS algorithm a signer produces (RFC 7518 names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum SignatureAlgorithm {
    /// ECDSA P-256 with SHA-256; the signature is the raw `r || s` (64 bytes).
    ES256,
    /// ECDSA P-384 with SHA-384; the signature is the raw `r || s` (96 bytes).
    ES384,
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256, salt length 32.
    PS256,
    /// RSASSA-PSS with SHA-384, MGF1-SHA-384, salt length 48.
    PS384,
    /// RSASSA-PSS with SHA-512, MGF1-SHA-512, salt length 64.
    PS512,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
}

/// The hash function of a [`SignatureAlgorithm`] (computed on the host).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum HashAlgorithm {
    /// SHA-256 (32 bytes).
    Sha256,
    /// SHA-384 (48 bytes).
    Sha384,
    /// SHA-512 (64 bytes).
    Sha512,
}

impl HashAlgorithm {
    /// The digest length in bytes (also the PSS salt length used here).
    pub fn len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    /// Always false (a digest is never empty); present because `len` is.
    pub fn is_empty(self) -> bool {
        false
    }

    /// The digest of `message`.
    pub fn digest(self, message: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha256 => openssl::sha::sha256(message).to_vec(),
            Self::Sha384 => openssl::sha::sha384(message).to_vec(),
            Self::Sha512 => openssl::sha::sha512(message).to_vec(),
        }
    }

    /// The openssl digest.
    pub fn message_digest(self) -> openssl::hash::MessageDigest {
        match self {
            Self::Sha256 => openssl::hash::MessageDigest::sha256(),
            Self::Sha384 => openssl::hash::MessageDigest::sha384(),
            Self::Sha512 => openssl::hash::MessageDigest::sha512(),
        }
    }

    /// The DER prefix of a PKCS#1 v1.5 DigestInfo for this hash (RFC 8017 §9.2 note 1); the
    /// digest follows it.
    pub fn digest_info_prefix(self) -> &'static [u8] {
        match self {
            Self::Sha256 => &[
                0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x01, 0x05, 0x00, 0x04, 0x20,
            ],
            Self::Sha384 => &[
                0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x02, 0x05, 0x00, 0x04, 0x30,
            ],
            Self::Sha512 => &[
                0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x03, 0x05, 0x00, 0x04, 0x40,
            ],
        }
    }

    /// `SHA-256`, `SHA-384`, `SHA-512`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha256 => "SHA-256",
            Self::Sha384 => "SHA-384",
            Self::Sha512 => "SHA-512",
        }
    }
}

/// The signature scheme of a [`SignatureAlgorithm`], without the hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureScheme {
    /// ECDSA; JWS form `r || s`.
    Ecdsa,
    /// RSASSA-PKCS1-v1_5.
    RsaPkcs1,
    /// RSASSA-PSS, MGF1 with the same hash, salt length = hash length.
    RsaPss,
}

impl SignatureAlgorithm {
    /// Every algorithm, in the order a person would list them.
    pub const ALL: [SignatureAlgorithm; 8] = [
        Self::RS256,
        Self::RS384,
        Self::RS512,
        Self::PS256,
        Self::PS384,
        Self::PS512,
        Self::ES256,
        Self::ES384,
    ];

    /// The JWS `alg` header value.
    pub fn jws_name(self) -> &'static str {
        match self {
            Self::ES256 => "ES256",
            Self::ES384 => "ES384",
            Self::PS256 => "PS256",
            Self::PS384 => "PS384",
            Self::PS512 => "PS512",
            Self::RS256 => "RS256",
            Self::RS384 => "RS384",
            Self::RS512 => "RS512",
        }
    }

    /// The algorithm with this JWS name (case-sensitive, as in JWS), if supported.
    pub fn from_jws_name(name: &str) -> Option<SignatureAlgorithm> {
        Self::ALL.into_iter().find(|a| a.jws_name() == name)
    }

    /// The hash computed on the host before signing.
    pub fn hash(self) -> HashAlgorithm {
        match self {
            Self::ES256 | Self::PS256 | Self::RS256 => HashAlgorithm::Sha256,
            Self::ES384 | Self::PS384 | Self::RS384 => HashAlgorithm::Sha384,
            Self::PS512 | Self::RS512 => HashAlgorithm::Sha512,
        }
    }

    /// The signature scheme.
    pub fn scheme(self) -> SignatureScheme {
        match self {
            Self::ES256 | Self::ES384 => SignatureScheme::Ecdsa,
            Self::PS256 | Self::PS384 | Self::PS512 => SignatureScheme::RsaPss,
            Self::RS256 | Self::RS384 | Self::RS512 => SignatureScheme::RsaPkcs1,
        }
    }

    /// For ECDSA: the byte length of each of `r` and `s` (32 for P-256, 48 for P-384).
    pub fn ecdsa_field_len(self) -> Option<usize> {
        match self {
            Self::ES256 => Some(32),
            Self::ES384 => Some(48),
            _ => None,
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
///   `protected || "." || payload`), **not** a digest. The implementation hashes it on the host
///   with the algorithm's hash ([`SignatureAlgorithm::hash`]: SHA-256 for `*256`, SHA-384 for
///   `*384`, SHA-512 for `*512`) and signs the digest (a token uses raw mechanisms:
///   `CKM_RSA_PKCS` over a DigestInfo, `CKM_RSA_PKCS_PSS`, `CKM_ECDSA`).
/// - The returned bytes are in JWS form for [`Signer::algorithm`]: PKCS#1/PSS signature bytes
///   for RS*/PS*, raw `r || s` for ES256 (64 bytes) and ES384 (96 bytes).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_hashes_match_the_suffix() {
        for algorithm in SignatureAlgorithm::ALL {
            let name = algorithm.jws_name();
            assert_eq!(
                SignatureAlgorithm::from_jws_name(name),
                Some(algorithm),
                "{name} round-trips"
            );
            let bits = (algorithm.hash().len() * 8).to_string();
            assert!(name.ends_with(&bits), "{name} uses a {bits}-bit hash");
        }
        assert_eq!(SignatureAlgorithm::from_jws_name("HS256"), None, "no MACs");
    }

    #[test]
    fn digest_info_prefixes_announce_the_digest_length() {
        for hash in [
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512,
        ] {
            let prefix = hash.digest_info_prefix();
            let total = prefix.len() + hash.len();
            assert_eq!(usize::from(prefix[1]) + 2, total, "{hash:?}: outer length");
            assert_eq!(
                usize::from(prefix[prefix.len() - 1]),
                hash.len(),
                "{hash:?}: OCTET STRING length"
            );
            assert_eq!(
                hash.digest(b"abc").len(),
                hash.len(),
                "{hash:?}: digest size"
            );
        }
    }
}
