//! The one error type of the use cases, and the small code the UI branches on.

use sealdesk_catalogue::CatalogueError;
use sealdesk_elm::{ElmError, Finding};
use sealdesk_seal::certificate::CertificateError;
use sealdesk_seal::jades::SealError;
use sealdesk_sheets::SheetsError;
use sealdesk_token::TokenError;
use sealdesk_vocab::VocabError;

/// Why a use case could not be carried out. `Display` is the sentence shown to a person.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FlowError {
    /// The credential or template file cannot be used.
    #[error(transparent)]
    Credential(#[from] ElmError),
    /// The recipient file is not a recipient.
    #[error("{source_name} is not a recipient (fullName, email …): {source}")]
    Recipient {
        /// The file.
        source_name: String,
        /// The parser's error.
        #[source]
        source: serde_json::Error,
    },
    /// The credential still lacks mandatory parts after the seal fields were filled.
    #[error("{source_name} cannot be sealed: {}", describe(findings))]
    Incomplete {
        /// The file.
        source_name: String,
        /// What is missing, by JSON pointer.
        findings: Vec<Finding>,
    },
    /// The seal device refused or failed.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// Sealing failed.
    #[error(transparent)]
    Seal(#[from] SealError),
    /// The seal certificate could not be read.
    #[error("the seal certificate on the token cannot be read: {source}")]
    SealCertificate {
        /// Why.
        #[source]
        source: CertificateError,
    },
    /// The seal certificate lacks what the credential's issuer needs.
    #[error("the seal certificate has no {what}: it cannot seal EDC credentials; use the institution's e-seal certificate")]
    SealCertificateIncomplete {
        /// The missing part.
        what: &'static str,
    },
    /// A file to verify is neither a credential nor a readable seal.
    #[error("{source_name}: {source}")]
    Unverifiable {
        /// The file.
        source_name: String,
        /// What is wrong with it, with the place.
        #[source]
        source: SealError,
    },
    /// A PDF to verify cannot be read as a PDF.
    #[error("{source_name}: {source}")]
    UnverifiablePdf {
        /// The file.
        source_name: String,
        /// What is wrong with it.
        #[source]
        source: sealdesk_pades::PadesError,
    },
    /// A PDF could not be sealed or augmented (PAdES).
    #[error("{file}: {source}")]
    Pdf {
        /// The file.
        file: String,
        /// What went wrong.
        #[source]
        source: sealdesk_pades::PadesError,
    },
    /// Our own check of a fresh seal failed; nothing was kept.
    #[error("the new seal did not verify, so it was not kept: check the token and try again")]
    SealDidNotVerify,
    /// A credential PDF could not be rendered.
    #[error(transparent)]
    Render(#[from] sealdesk_render::RenderError),
    /// The catalogue failed.
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
    /// Vocabulary or ESCO data could not be read or stored.
    #[error(transparent)]
    Vocab(#[from] VocabError),
    /// A trusted list or an XML seal could not be read.
    #[error(transparent)]
    Trust(#[from] sealdesk_trust::TrustError),
    /// No data folder could be found.
    #[error("no data folder: pass --data-dir or set SEALDESK_DATA_DIR")]
    NoDataDir,
    /// The recipients spreadsheet cannot be read at all.
    #[error(transparent)]
    Sheet(#[from] SheetsError),
    /// The template file is not UTF-8 text.
    #[error("{source_name} is not a text (JSON) file: use a template or credential JSON")]
    TemplateNotText {
        /// The file.
        source_name: String,
    },
    /// The batch has problems to fix or rows to exclude before sealing.
    #[error("the batch has {rows} row(s) and {sheet} sheet problem(s) to fix: fix the sheet or exclude the rows")]
    BatchHasProblems {
        /// Rows with problems, not excluded.
        rows: u32,
        /// Problems of the sheet as a whole.
        sheet: u32,
    },
    /// A sealed file could not be written to the output folder.
    #[error("cannot write {path}: {source}")]
    Output {
        /// The file or folder.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The credential is not in the issued register.
    #[error("credential {id} is not in the issued register: search the register for its id")]
    NotIssued {
        /// The credential id asked for.
        id: String,
    },
    /// A register date filter is not a calendar date.
    #[error("{value:?} is not a date: use YYYY-MM-DD")]
    RegisterDate {
        /// The value given.
        value: String,
    },
    /// A mail or wallet delivery could not be prepared (settings, templates, secrets).
    #[error(transparent)]
    Delivery(#[from] sealdesk_outbox::OutboxError),
    /// The delivery is being sent or already done: it cannot be cancelled.
    #[error("delivery job {id} is {state}: only waiting or failed deliveries can be cancelled")]
    DeliveryNotCancellable {
        /// The job id.
        id: i64,
        /// Its state.
        state: String,
    },
    /// A learning opportunity or agreement cannot be saved, moved, read or imported.
    #[error(transparent)]
    Agreements(#[from] sealdesk_agreements::AgreementsError),
    /// No learning opportunity or agreement with this id.
    #[error("{what} {id} not found: pick one from the list")]
    AgreementNotFound {
        /// What was looked for.
        what: &'static str,
        /// The id asked for.
        id: String,
    },
    /// Only a signed (or shared) agreement gets the institution's seal.
    #[error("agreement {id} is {state}: only a signed or shared agreement can be sealed; move it to signed first")]
    AgreementNotSigned {
        /// The agreement.
        id: String,
        /// Its state (`agreed`).
        state: &'static str,
    },
    /// A path typed in the window is not a full path (it would land in the app's own folder).
    #[error("{path:?} is not a full path: give the whole path of the file, e.g. /home/you/agreement.json")]
    PathNotAbsolute {
        /// The path as given.
        path: String,
    },
    /// A file the person named cannot be read.
    #[error("cannot read {path}: {source}: check the path")]
    Unreadable {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

fn describe(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| format!("{} {}", f.pointer, f.message))
        .collect::<Vec<_>>()
        .join("; ")
}

/// What the UI and the CLI branch on. A variant exists only where a caller acts differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[non_exhaustive]
pub enum ErrorCode {
    /// The seal certificate is expired or not yet valid: another key or a renewal is needed.
    CertificateExpired,
    /// The input file is malformed or incomplete.
    InvalidInput,
    /// The token has no usable seal key.
    NoSealKey,
    /// The chosen certificate is not a seal certificate: ask "seal anyway?" before retrying
    /// with the consent flag.
    NotASealCertificate,
    /// One more wrong PIN locks the token: ask for explicit confirmation.
    PinFinalTry,
    /// Wrong PIN: ask again.
    PinIncorrect,
    /// The PIN is locked: only unblocking helps.
    PinLocked,
    /// The catalogue or a file could not be read or written.
    Storage,
    /// No module or no token: plug it in or configure the module.
    TokenMissing,
    /// Anything else: show the message.
    Unknown,
}

impl FlowError {
    /// The code a caller branches on.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Credential(_) | Self::Recipient { .. } | Self::Incomplete { .. } => {
                ErrorCode::InvalidInput
            }
            Self::Token(e) => token_code(e),
            Self::SealCertificate { .. } | Self::SealCertificateIncomplete { .. } => {
                ErrorCode::NoSealKey
            }
            Self::SealDidNotVerify => ErrorCode::Unknown,
            Self::Render(
                sealdesk_render::RenderError::FontUnreadable
                | sealdesk_render::RenderError::PdfNotWritten { .. },
            ) => ErrorCode::Unknown,
            Self::Render(_) => ErrorCode::InvalidInput,
            Self::Unverifiable { .. } => ErrorCode::InvalidInput,
            Self::UnverifiablePdf { .. } => ErrorCode::InvalidInput,
            Self::Pdf {
                source:
                    sealdesk_pades::PadesError::Signer(_) | sealdesk_pades::PadesError::Services(_),
                ..
            } => ErrorCode::Unknown,
            Self::Pdf { .. } => ErrorCode::InvalidInput,
            Self::Seal(
                SealError::Base64 { .. }
                | SealError::MalformedJson { .. }
                | SealError::MalformedEnvelope { .. }
                | SealError::TrustAnchorsUnreadable { .. }
                | SealError::TrustAnchorInvalid { .. },
            ) => ErrorCode::InvalidInput,
            Self::Seal(e) => {
                // A token failure during signing arrives boxed inside the signer error.
                let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
                while let Some(err) = source {
                    if let Some(token) = err.downcast_ref::<TokenError>() {
                        return token_code(token);
                    }
                    source = err.source();
                }
                ErrorCode::Unknown
            }
            Self::Catalogue(
                CatalogueError::TemplateNotFound { .. } | CatalogueError::TemplateArchived { .. },
            ) => ErrorCode::InvalidInput,
            Self::Vocab(VocabError::Catalogue(_) | VocabError::Io { .. }) => ErrorCode::Storage,
            Self::Vocab(_) => ErrorCode::InvalidInput,
            Self::Catalogue(_) | Self::NoDataDir => ErrorCode::Storage,
            Self::Delivery(sealdesk_outbox::OutboxError::SecretFile { .. }) => ErrorCode::Storage,
            Self::Delivery(_) | Self::DeliveryNotCancellable { .. } => ErrorCode::InvalidInput,
            Self::Trust(sealdesk_trust::TrustError::Io { .. }) => ErrorCode::Storage,
            Self::Trust(_) => ErrorCode::InvalidInput,
            Self::Sheet(SheetsError::Read { .. } | SheetsError::Write { .. }) => ErrorCode::Storage,
            Self::Sheet(_) | Self::TemplateNotText { .. } | Self::BatchHasProblems { .. } => {
                ErrorCode::InvalidInput
            }
            Self::Output { .. } => ErrorCode::Storage,
            Self::Agreements(_) | Self::AgreementNotFound { .. } => ErrorCode::InvalidInput,
            Self::AgreementNotSigned { .. } => ErrorCode::InvalidInput,
            Self::PathNotAbsolute { .. } => ErrorCode::InvalidInput,
            Self::Unreadable { .. } => ErrorCode::Storage,
            Self::NotIssued { .. } | Self::RegisterDate { .. } => ErrorCode::InvalidInput,
        }
    }
}

fn token_code(error: &TokenError) -> ErrorCode {
    match error {
        TokenError::CertificateExpired { .. } | TokenError::CertificateNotYetValid { .. } => {
            ErrorCode::CertificateExpired
        }
        TokenError::KeyNotFound { .. } | TokenError::NoSealKey { .. } => ErrorCode::NoSealKey,
        TokenError::ModuleLoad { .. }
        | TokenError::ModuleNotFound { .. }
        | TokenError::NoToken
        | TokenError::TokenNotFound { .. } => ErrorCode::TokenMissing,
        TokenError::ModuleCrashed { .. } | TokenError::ModuleProbe { .. } => {
            ErrorCode::TokenMissing
        }
        TokenError::NotASealCertificate { .. } => ErrorCode::NotASealCertificate,
        TokenError::PinFinalTry => ErrorCode::PinFinalTry,
        TokenError::PinIncorrect { .. } | TokenError::PinMissing => ErrorCode::PinIncorrect,
        TokenError::PinLocked => ErrorCode::PinLocked,
        _ => ErrorCode::Unknown,
    }
}
