//! PAdES: sealing a PDF with the institution's seal and checking PDF signatures.
//!
//! This crate owns the PDF side of sealing: [`seal_pdf`] appends an incremental update with a
//! signature field and a PAdES baseline B-B signature (CMS SignedData, `/ETSI.CAdES.detached`)
//! made through a [`sealdesk_seal::Signer`] (a token in production), and [`verify_pdf`] reads
//! every signature of a PDF and reports, check by check, whether it holds. It reuses
//! `sealdesk-seal` for the signer contract, certificate facts and trust anchors; it knows
//! nothing of PKCS#11 (that is `sealdesk-token`) nor of JAdES (that is `sealdesk-seal`).
//!
//! A separate crate rather than a module of `sealdesk-seal`: it brings its own dependencies
//! (lopdf, RustCrypto `cms`/`der`/`x509-cert`) and its own error type.
//! Not here yet: PAdES B-T/B-LT/B-LTA augmentation (document timestamps, DSS).

#![warn(missing_docs)]

mod cms;
mod error;
pub mod sign;
pub mod verify;

pub use error::PadesError;
pub use sign::{seal_pdf, PdfSealOptions};
pub use verify::{is_pdf, verify_pdf, PdfSignatureKind, PdfSignatureReport, PdfVerdict};
