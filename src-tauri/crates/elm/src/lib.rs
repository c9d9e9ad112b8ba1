//! ELM 3 / EDC credential spine: read a credential or template, build one for a recipient,
//! fill what the issuer fills at sealing, summarise it and check its mandatory fields.
//!
//! The stored form is `serde_json::Value` wrapped in [`Credential`] (key order preserved, so the
//! sealed bytes are the built bytes); [`model`] is the typed view ([`Credential::model`]),
//! [`rules`] the checks before sealing, [`annex1`] the micro-credential profile and [`form`] the
//! editable template form. It owns the credential *content*; it knows nothing of
//! signatures or envelopes (that is `sealdesk-seal`), nor of SHACL (the official checker runs
//! beside it in tests), nor of files on disk (callers pass bytes and a source name).

#![warn(missing_docs)]

pub mod annex1;
mod build;
mod country;
mod credential;
mod error;
pub mod form;
mod format;
mod language;
pub mod mandate;
pub mod model;
pub mod rules;

pub use build::{build, prepare_for_sealing, IssuerIdentity, Recipient, Template};
pub use country::{country_alpha3, CountryEntry, COUNTRIES};
pub use credential::{Credential, Summary, ValidityPeriod};
pub use error::ElmError;
pub use format::Finding;
pub use language::{eu_code, language_code, text_in};
pub use mandate::{DocumentType, Mandate, MandateDocument, MandatingBody};
