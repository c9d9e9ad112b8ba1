//! Delivery of sealed credentials to learners: the mail in the EDC convention over real SMTP
//! ([`mail`], [`smtp`]), the Europass wallet deposit ([`wallet`]), and the secrets they need
//! ([`secret`]).
//!
//! This crate builds and sends one delivery and says what happened, as a value. It owns no
//! queue and no clock: the jobs, their states, back-off and the exactly-once bookkeeping live in
//! `sealdesk-flows` (`deliver`) over the catalogue's jobs table. It knows nothing of ELM: the
//! caller hands it a [`Letter`] with the facts already read from the credential.

#![warn(missing_docs)]

mod error;
pub mod mail;
pub mod secret;
pub mod smtp;
pub mod wallet;

pub use error::OutboxError;
pub use lettre::SmtpTransport;
pub use mail::{attachment_name, compose, message_id, Letter, MailTemplates, Rendered};
pub use secret::{SecretKind, SecretStore, StoredIn};
pub use smtp::{probe, send, transport, SendOutcome, SmtpConfig, TlsMode};
pub use wallet::{deposit, deposit_url, Deposit, DepositOutcome, WalletTarget};
