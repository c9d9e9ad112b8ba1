//! JAdES sealing and verification of EDC credentials.
//!
//! This crate owns the seal envelope: it takes the exact credential bytes, signs them through a
//! [`Signer`] and returns a JAdES enveloping JWS JSON document whose payload is those bytes,
//! unencoded (RFC 7797, `b64:false`). It never re-serializes a payload (sealed bytes are sacred).
//! It knows nothing of PKCS#11 (that is `sealdesk-token`, which implements [`Signer`]) nor of the
//! ELM model (that is `sealdesk-elm`).

#![warn(missing_docs)]

pub mod certificate;
mod signer;

pub use signer::{SignatureAlgorithm, Signer, SignerError};
