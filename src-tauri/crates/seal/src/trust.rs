//! [`TrustAnchors`]: the CA certificates a seal's chain must reach to count as trusted.
//!
//! Loaded from a folder of PEM/DER files chosen by the user (later: from EU trusted lists).
//! An empty set is allowed: every seal is then "not trusted", which is not "broken".

use std::path::Path;

use openssl::x509::X509;

use crate::error::SealError;

/// A set of trust-anchor certificates (may be empty).
#[derive(Clone, Default)]
pub struct TrustAnchors {
    certificates: Vec<X509>,
}

impl std::fmt::Debug for TrustAnchors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustAnchors")
            .field("len", &self.certificates.len())
            .finish()
    }
}

impl TrustAnchors {
    /// No anchors: nothing is trusted.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Anchors from DER certificates.
    pub fn from_der_certificates<'a>(
        certificates: impl IntoIterator<Item = &'a [u8]>,
    ) -> Result<Self, SealError> {
        let certificates = certificates
            .into_iter()
            .enumerate()
            .map(|(i, der)| {
                X509::from_der(der).map_err(|source| SealError::CertificateUnreadable {
                    place: format!("trust anchor #{i}"),
                    source,
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { certificates })
    }

    /// Every `*.pem`, `*.crt`, `*.cer` and `*.der` file of `dir` (not recursive); a PEM file may
    /// hold several certificates. Other files are ignored; an unreadable certificate is an error
    /// naming the file.
    pub fn from_dir(dir: &Path) -> Result<Self, SealError> {
        let unreadable = |source| SealError::TrustAnchorsUnreadable {
            path: dir.to_owned(),
            source,
        };
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .map_err(unreadable)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()
            .map_err(unreadable)?;
        paths.sort();
        let mut certificates = Vec::new();
        for path in paths {
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase);
            if !matches!(ext.as_deref(), Some("pem" | "crt" | "cer" | "der")) || !path.is_file() {
                continue;
            }
            let bytes =
                std::fs::read(&path).map_err(|source| SealError::TrustAnchorsUnreadable {
                    path: path.clone(),
                    source,
                })?;
            let parsed = if bytes.windows(11).any(|w| w == b"-----BEGIN ") {
                X509::stack_from_pem(&bytes)
            } else {
                X509::from_der(&bytes).map(|c| vec![c])
            };
            let parsed = parsed.map_err(|source| SealError::TrustAnchorInvalid {
                path: path.clone(),
                source,
            })?;
            certificates.extend(parsed);
        }
        tracing::debug!(count = certificates.len(), "trust anchors loaded");
        Ok(Self { certificates })
    }

    /// Number of anchors.
    pub fn len(&self) -> usize {
        self.certificates.len()
    }

    /// Whether there are no anchors.
    pub fn is_empty(&self) -> bool {
        self.certificates.is_empty()
    }

    /// The anchors (for other verifiers built on the same set, e.g. PAdES).
    pub fn certificates(&self) -> &[X509] {
        &self.certificates
    }
}
