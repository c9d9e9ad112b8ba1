//! The one error type of this crate: "could not seal" or "could not check".
//!
//! A seal that was checked and found broken is not an error: it is a
//! [`crate::verify::Verdict`] whose checks say so.

use crate::signer::SignerError;

/// Why a seal could not be made, or a file could not be checked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SealError {
    /// The payload to seal is not UTF-8 (a JWS JSON payload string must be).
    #[error("the credential is not UTF-8 text (first bad byte at offset {valid_up_to}): save it as UTF-8")]
    PayloadNotUtf8 {
        /// Byte offset of the first invalid byte.
        valid_up_to: usize,
        /// The decoder's error.
        #[source]
        source: std::str::Utf8Error,
    },
    /// The signer failed (token removed, wrong PIN, ...; see the source).
    #[error(transparent)]
    Signer(#[from] SignerError),
    /// The signer returned a signature of the wrong shape for its algorithm.
    #[error("the signer returned a {len}-byte signature, not a valid {algorithm} signature")]
    SignatureShape {
        /// The JWS algorithm name.
        algorithm: &'static str,
        /// The length received.
        len: usize,
    },
    /// A software key does not fit its algorithm or its certificate.
    #[error("the signing key does not fit: {reason}")]
    SignerKeyMismatch {
        /// What does not fit.
        reason: &'static str,
    },
    /// A certificate could not be decoded.
    #[error("the certificate at {place} cannot be read")]
    CertificateUnreadable {
        /// Where the certificate came from (`signer certificate`, `/signatures/0/protected/x5c/1`).
        place: String,
        /// OpenSSL's error.
        #[source]
        source: openssl::error::ErrorStack,
    },
    /// A certificate in the seal could not be read.
    #[error("the certificate at {place} cannot be read")]
    Certificate {
        /// JSON pointer of the certificate.
        place: String,
        /// What went wrong.
        #[source]
        source: crate::certificate::CertificateError,
    },
    /// The file is not JSON (and not a compact JWS).
    #[error("the file is not valid JSON at line {line}, column {column}")]
    MalformedJson {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's error.
        #[source]
        source: serde_json::Error,
    },
    /// A JWS member is missing or has the wrong form.
    #[error("the seal envelope is malformed at {pointer}: {reason}")]
    MalformedEnvelope {
        /// JSON pointer (or `byte <offset>` for compact JWS) of the place.
        pointer: String,
        /// What is wrong, in plain words.
        reason: String,
    },
    /// A JWS member is not valid base64/base64url.
    #[error("the seal envelope is malformed at {pointer}: not valid base64")]
    Base64 {
        /// JSON pointer of the member.
        pointer: String,
        /// The decoder's error.
        #[source]
        source: base64::DecodeError,
    },
    /// A trust-anchor directory or file could not be read.
    #[error("cannot read trust anchors from {path}")]
    TrustAnchorsUnreadable {
        /// The directory or file.
        path: std::path::PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A trust-anchor file is neither a PEM nor a DER certificate.
    #[error("{path} is not a PEM or DER certificate: remove it from the trust-anchor folder")]
    TrustAnchorInvalid {
        /// The file.
        path: std::path::PathBuf,
        /// OpenSSL's error.
        #[source]
        source: openssl::error::ErrorStack,
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
    /// The seal document could not be written (should not happen with JSON values).
    #[error("the seal document could not be written")]
    NotSerializable(#[source] serde_json::Error),
    /// A trust service (TSA, OCSP responder, CRL server) could not be reached.
    #[error(
        "cannot reach {url}: {reason} (check the network or the service address in the settings)"
    )]
    ServiceUnreachable {
        /// The address.
        url: String,
        /// What the transport said.
        reason: String,
    },
    /// A trust service answered with an HTTP error.
    #[error("{url} answered HTTP {status}")]
    ServiceStatus {
        /// The address.
        url: String,
        /// The HTTP status code.
        status: u16,
    },
    /// A timestamp response or token could not be read.
    #[error("the timestamp from {place} is malformed: {reason}")]
    MalformedTimestamp {
        /// The TSA address or the JSON pointer of the token.
        place: String,
        /// What is wrong.
        reason: String,
    },
    /// The TSA refused the request.
    #[error("the timestamp authority {url} refused the request (status {status}): {text}")]
    TimestampRefused {
        /// The TSA address.
        url: String,
        /// The PKIStatus (2 = rejection).
        status: u32,
        /// The status text, if any.
        text: String,
    },
    /// An OCSP response or a CRL could not be read or does not fit the request.
    #[error("the revocation answer from {place} is unusable: {reason}")]
    MalformedRevocation {
        /// The responder or CRL address.
        place: String,
        /// What is wrong.
        reason: String,
    },
    /// The seal (or TSA) certificate is revoked: the seal cannot be extended.
    #[error("the certificate {subject} is revoked ({place} says so): the seal cannot be extended")]
    Revoked {
        /// Who the certificate names.
        subject: String,
        /// The responder or CRL address.
        place: String,
    },
    /// No revocation source (OCSP or CRL) is known or reachable for a certificate.
    #[error("no revocation information for {subject}: {reason} (set ocsp.url or crl.urls in the settings)")]
    NoRevocationSource {
        /// Who the certificate names.
        subject: String,
        /// What was tried.
        reason: String,
    },
    /// The issuer of a certificate is not in the seal nor among the known certificates.
    #[error("the issuer of {subject} is unknown: add its CA certificate to the seal chain")]
    IssuerUnknown {
        /// Who the certificate names.
        subject: String,
    },
    /// The seal cannot be extended in this form.
    #[error("cannot extend this seal: {reason}")]
    NotExtensible {
        /// Why.
        reason: String,
    },
    /// A time is outside the range a JWS or X.509 can express.
    #[error("the time {what} is out of range")]
    TimeOutOfRange {
        /// Which time.
        what: &'static str,
    },
}

impl SealError {
    pub(crate) fn envelope(pointer: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::MalformedEnvelope {
            pointer: pointer.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn crypto(doing: &'static str) -> impl FnOnce(openssl::error::ErrorStack) -> Self {
        move |source| Self::Crypto { doing, source }
    }
}
