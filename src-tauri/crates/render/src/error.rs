//! The one error type of `sealdesk-render`.

/// Why a PDF could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// The embedded fonts could not be parsed (a broken build, not bad input).
    #[error("the embedded DejaVu fonts cannot be read: reinstall Sealdesk")]
    FontUnreadable,
    /// The credential could not be read as an ELM credential.
    #[error(transparent)]
    Credential(#[from] sealdesk_elm::ElmError),
    /// The language asked for is not one of the credential's.
    #[error("the credential has no {requested:?} version: choose one of {}", available.join(", "))]
    LanguageNotAvailable {
        /// The language asked for (ISO 639-1).
        requested: String,
        /// The credential's languages.
        available: Vec<String>,
    },
    /// An accent colour is not `#rrggbb`.
    #[error("{value:?} is not a colour: write it as #rrggbb")]
    BadColour {
        /// The text given.
        value: String,
    },
    /// The PDF could not be serialised.
    #[error("the PDF cannot be written: {reason}")]
    PdfNotWritten {
        /// What failed.
        reason: String,
    },
}
