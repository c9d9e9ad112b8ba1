//! The one error type of this crate: "could not seal the PDF" or "could not check it".
//!
//! A PAdES signature that was checked and found broken is not an error: it is a
//! [`crate::PdfVerdict`] whose checks say so.

use sealdesk_seal::{SealError, SignerError};

/// Why a PDF could not be sealed, or could not be checked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PadesError {
    /// The file is not a PDF lopdf can read (no header, broken cross-reference table, ...).
    #[error("the file is not a readable PDF: {reason}")]
    NotAPdf {
        /// What the PDF reader said.
        reason: String,
    },
    /// The PDF is encrypted; sealing it would need its password.
    #[error("the PDF is encrypted: save an unencrypted copy and seal that")]
    Encrypted,
    /// A PDF object needed for sealing is missing or has the wrong type.
    #[error("the PDF structure is not usable at {place}: {reason}")]
    Structure {
        /// Where (e.g. `trailer /Root`, `object 3 0 /Annots`).
        place: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// The font of the visible seal block could not be made (a damaged build: the font is
    /// built in); an invisible seal needs none.
    #[error("the seal block's font could not be made: {0}")]
    SealBlockFont(#[source] sealdesk_typeset::TypesetError),
    /// The signer failed (token removed, wrong PIN, ...; see the source).
    #[error(transparent)]
    Signer(#[from] SignerError),
    /// The certificate chain could not be checked (not "not trusted": that is a verdict).
    #[error("cannot check the certificate chain: {0}")]
    Chain(#[source] SealError),
    /// The signer returned a signature of the wrong shape for its algorithm.
    #[error("the signer returned a {len}-byte signature, not a valid {algorithm} signature")]
    SignatureShape {
        /// The JWS algorithm name.
        algorithm: &'static str,
        /// The length received.
        len: usize,
    },
    /// The CMS did not fit the space reserved for it in `/Contents`.
    #[error(
        "the CMS signature ({needed} bytes) does not fit the {reserved} bytes reserved for it"
    )]
    ContentsTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes reserved.
        reserved: usize,
    },
    /// DER encoding or decoding failed.
    #[error("the CMS could not be processed while {doing}")]
    Der {
        /// What was being done.
        doing: &'static str,
        /// The DER library's error.
        #[source]
        source: der::Error,
    },
    /// The CMS in a signature is not a SignedData.
    #[error("the signature holds a CMS of type {content_type}, not SignedData")]
    NotSignedData {
        /// The content type found.
        content_type: String,
    },
    /// An OpenSSL operation failed for a reason unrelated to the input.
    #[error("openssl failed while {doing}")]
    Crypto {
        /// What was being done.
        doing: &'static str,
        /// OpenSSL's error.
        #[source]
        source: openssl::error::ErrorStack,
    },
    /// Writing the incremental update failed (should not happen in memory).
    #[error("the PDF update could not be written")]
    Write(#[source] std::io::Error),
    /// A trust service (TSA, OCSP responder, CRL) could not be used, or what it sent back is
    /// unusable; augmentation can be retried later.
    #[error("the trust services could not be used: {0}")]
    Services(#[source] SealError),
    /// The PDF cannot be augmented as asked (no seal, nothing to renew, ...).
    #[error("the PDF cannot be augmented: {reason}")]
    NotExtensible {
        /// Why.
        reason: &'static str,
    },
    /// The signing time cannot be written as a PDF date.
    #[error("the signing time is out of range for a PDF date")]
    TimeOutOfRange,
}

impl PadesError {
    pub(crate) fn crypto(doing: &'static str) -> impl FnOnce(openssl::error::ErrorStack) -> Self {
        move |source| Self::Crypto { doing, source }
    }

    pub(crate) fn structure(place: impl Into<String>, reason: &'static str) -> Self {
        Self::Structure {
            place: place.into(),
            reason,
        }
    }
}
