//! The one error type of this crate: "could not read or check a trusted list or an XML signature".
//!
//! A list whose signature was checked and found broken is not an error: it is a
//! [`crate::dsig::SignatureCheck`] that says so.

/// Why a trusted list or a signed XML document could not be read or checked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrustError {
    /// The XML is not well formed (or uses a feature refused on purpose).
    #[error("{place}: the XML is malformed at line {line}: {reason}")]
    MalformedXml {
        /// The file or source name.
        place: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// The XML carries a DTD or an entity other than the five predefined ones: refused.
    #[error("{place}: line {line}: {what} refused (trusted lists never need them; the file may be hostile)")]
    HostileXml {
        /// The file or source name.
        place: String,
        /// 1-based line.
        line: usize,
        /// What was found (`a DTD`, `the entity &foo;`, `nesting deeper than 256`).
        what: String,
    },
    /// The XML is well formed but is not a trusted list.
    #[error("{place}: not an ETSI trusted list: {reason}")]
    NotATrustedList {
        /// The file or source name.
        place: String,
        /// What is missing or wrong, with the element path.
        reason: String,
    },
    /// A value in the list has the wrong form (a date, a number, a base64 certificate).
    #[error("{place}: {element} holds {value:?}, which is not {expected}")]
    BadValue {
        /// The file or source name.
        place: String,
        /// The element path.
        element: String,
        /// The value found (shortened).
        value: String,
        /// What was expected.
        expected: &'static str,
    },
    /// A certificate in the list or the signature cannot be decoded.
    #[error("{place}: the certificate in {element} cannot be read")]
    Certificate {
        /// The file or source name.
        place: String,
        /// The element path.
        element: String,
        /// OpenSSL's error.
        #[source]
        source: openssl::error::ErrorStack,
    },
    /// The signing certificate could not be analysed for qualification.
    #[error("the certificate to qualify cannot be read")]
    SubjectCertificate(#[source] sealdesk_seal::certificate::CertificateError),
    /// A trusted-list file or folder could not be read.
    #[error("cannot read {path}")]
    Io {
        /// The file or folder.
        path: std::path::PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
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
}

impl TrustError {
    pub(crate) fn crypto(doing: &'static str) -> impl FnOnce(openssl::error::ErrorStack) -> Self {
        move |source| Self::Crypto { doing, source }
    }
}
