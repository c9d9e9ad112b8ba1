//! PDFs of credentials: the full credential PDF (every claim) and a one-page summary, in one
//! of the credential's languages, on A4 with embedded subset DejaVu Sans fonts (Latin, Greek,
//! Cyrillic), real text, document metadata, the institution's logo and colour, and the
//! SPECIMEN watermark on previews and mock credentials.
//!
//! Two layers: [`layout`] holds the document-building primitives ([`Document`], headings,
//! paragraphs, key/value rows, tables, boxed blocks), public so the MCRA PDF can reuse them;
//! [`credential`] lays an ELM credential out on top of them. The SPECIMEN rule lives in the
//! type [`Marking`]: there is no default, and only [`Marking::Sealed`] (which needs the seal's
//! holder and time) leaves the watermark out, so an unsealed credential is SPECIMEN unless a
//! caller states that this PDF belongs to a seal. Not here: PAdES sealing (`sealdesk-pades`),
//! reading files, the clock (the creation time is an argument).

#![warn(missing_docs)]

pub mod credential;
mod error;
mod labels;
pub mod layout;
pub mod lo;
pub mod mcra;
mod reuse;

pub use credential::{
    languages, render_credential, Layout, Marking, RenderOptions, RenderedPdf, SealInfo, SealedFile,
};
pub use error::RenderError;
pub use layout::{Column, Document, DocumentInfo, Rgb, Style};
