//! JAdES sealing and verification of EDC credentials.
//!
//! This crate owns the seal envelope: it takes the exact credential bytes, signs them through a
//! [`Signer`] and returns a JAdES enveloping JWS JSON document whose payload is those bytes,
//! unencoded (RFC 7797, `b64:false`) ([`jades::seal`]). It never re-serializes a payload (sealed
//! bytes are sacred). It reads and checks sealed or unsealed files ([`verify::verify`]) against a
//! set of [`TrustAnchors`]. It knows nothing of PKCS#11 (that is `sealdesk-token`, which
//! implements [`Signer`]) nor of the ELM model (that is `sealdesk-elm`).

#![warn(missing_docs)]

pub mod augment;
pub mod certificate;
mod der;
mod error;
pub mod jades;
pub mod net;
pub mod revocation;
mod signer;
pub mod software;
mod trust;
pub mod tsp;
pub mod verify;

pub use error::SealError;
pub use jades::seal;
pub use signer::{HashAlgorithm, SignatureAlgorithm, SignatureScheme, Signer, SignerError};
pub use software::SoftwareSigner;
pub use trust::TrustAnchors;
pub use verify::{verify, BaselineLevel, Check, EnvelopeKind, SignatureReport, Status, Verdict};
