//! What Sealdesk's PDFs print with, shared by the PDF writers (`sealdesk-render` for documents,
//! `sealdesk-pades` for the visible seal block): the embedded faces and their subsets
//! ([`fonts`]) and the fixed words in 24 EU languages ([`labels`]). It has no PDF writer and no
//! layout of its own, so pades can use it without printpdf.

#![warn(missing_docs)]

mod error;
pub mod fonts;
pub mod labels;
mod labels_eu;

pub use error::TypesetError;
pub use fonts::{subset, subset_text, Face, Glyph, Metrics, Subset, TextSubset};
