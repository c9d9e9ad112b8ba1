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
//! [`seal_pdf_with`] adds a signature timestamp when a TSA answers (B-T); [`augment_pdf`]
//! brings seals to B-LT (DSS) and B-LTA (document timestamp) and [`renew_pdf_archive`] adds
//! another archive timestamp, each as an incremental update that never touches earlier bytes.

#![warn(missing_docs)]

pub mod augment;
mod cms;
mod error;
pub mod sign;
mod survey;
mod update;
pub mod verify;

pub use augment::{augment_pdf, renew_pdf_archive, AugmentedPdf};
pub use error::PadesError;
pub use sign::{seal_pdf, seal_pdf_with, PdfSealOptions, SealedPdf};
pub use verify::{is_pdf, verify_pdf, PdfSignatureKind, PdfSignatureReport, PdfVerdict};
