//! The one error type of the outbox crate.

use std::path::PathBuf;

/// Why a mail or a deposit could not be prepared or configured. Delivery outcomes (accepted,
/// refused, offline) are values ([`crate::SendOutcome`], [`crate::DepositOutcome`]), not errors.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutboxError {
    /// A mail template could not be read.
    #[error("cannot read the mail template {path}: {source}")]
    TemplateRead {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A mail template names a placeholder that does not exist.
    #[error(
        "the mail template {template} uses an unknown placeholder {{{name}}}: use one of {known}"
    )]
    UnknownPlaceholder {
        /// The template (language/file).
        template: String,
        /// The placeholder.
        name: String,
        /// The placeholders that exist.
        known: &'static str,
    },
    /// An address (sender or learner) is not a mailbox.
    #[error(
        "{what} is not an e-mail address: check the setting or the credential's contact point"
    )]
    BadAddress {
        /// Which address (`smtp.from`, `the learner's address`).
        what: &'static str,
        /// The parser's error.
        #[source]
        source: lettre::address::AddressError,
    },
    /// lettre could not assemble the message.
    #[error("the mail could not be assembled: {0}")]
    Message(#[from] lettre::error::Error),
    /// A setting is missing or wrong.
    #[error("setting {key}: {problem}")]
    Setting {
        /// The settings key.
        key: &'static str,
        /// What is wrong and what to do.
        problem: String,
    },
    /// The TLS setup (CA file, parameters) failed.
    #[error("TLS setup for {host} failed: {source}")]
    Tls {
        /// The SMTP host.
        host: String,
        /// Why.
        #[source]
        source: lettre::transport::smtp::Error,
    },
    /// A CA file for the SMTP server could not be read.
    #[error("cannot read the CA file {path}: {source}")]
    CaFile {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The secret file could not be read or written.
    #[error("cannot use the secret file {path}: {source}")]
    SecretFile {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The OS keyring refused (other than "no keyring here").
    #[error("the OS keyring failed: {0}")]
    Keyring(#[source] keyring::Error),
}
