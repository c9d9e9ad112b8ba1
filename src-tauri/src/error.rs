//! Errors of the desktop shell, and the one place where any failure becomes the
//! `{code, message}` value that crosses IPC.
//!
//! Domain failures arrive as `sealdesk_flows::FlowError`; this module does not decide what
//! they mean, it only carries their code and sentence to the window. Startup failures
//! (data directory, log file, catalogue) are [`AppError`]s and never reach the window.

use std::path::PathBuf;

use sealdesk_flows::{ErrorCode, FlowError};
use serde::Serialize;

/// Why the app could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppError {
    /// `--data-dir` was given without a directory after it.
    #[error("--data-dir needs a directory: pass `--data-dir DIR`")]
    DataDirArgumentMissing,
    /// Neither `--data-dir`, `SEALDESK_DATA_DIR` nor the platform gave a data directory.
    #[error("no data directory: pass `--data-dir DIR` or set SEALDESK_DATA_DIR")]
    DataDirUnknown(#[source] tauri::Error),
    /// The data directory (or its `logs/` folder) could not be created.
    #[error("cannot create data directory {path}: check the path and its permissions")]
    DataDirCreate {
        /// The directory that could not be created.
        path: PathBuf,
        /// What the file system said.
        #[source]
        source: std::io::Error,
    },
    /// The log file could not be opened.
    #[error("cannot open log file in {path}: check its permissions")]
    LogFile {
        /// The log directory.
        path: PathBuf,
        /// What tracing-appender said.
        #[source]
        source: tracing_appender::rolling::InitError,
    },
    /// The SQLite catalogue could not be opened or migrated.
    #[error("cannot open the catalogue {path}")]
    Catalogue {
        /// The catalogue file.
        path: PathBuf,
        /// What the catalogue said.
        #[source]
        source: sealdesk_catalogue::CatalogueError,
    },
}

/// A failed command as the window sees it: a `code` the UI may branch on and a sentence
/// for the person. Components show `message` and never parse it.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct IpcError {
    /// What kind of failure this is; `Unknown` when the UI has nothing special to do.
    pub code: ErrorCode,
    /// What went wrong and, where possible, what to do about it.
    pub message: String,
}

impl IpcError {
    /// A failure of the shell itself (a worker thread died, a lock was poisoned).
    pub fn internal(message: impl Into<String>) -> Self {
        Self {
            code: ErrorCode::Unknown,
            message: message.into(),
        }
    }
}

impl From<FlowError> for IpcError {
    fn from(error: FlowError) -> Self {
        let code = error.code();
        // The code only: messages may name files or tokens, and the log stays free of them.
        tracing::warn!(?code, "command failed");
        Self {
            code,
            message: error.to_string(),
        }
    }
}

impl From<tauri::Error> for IpcError {
    fn from(error: tauri::Error) -> Self {
        // spawn_blocking failures: the worker panicked or the runtime is shutting down.
        tracing::error!(error = %error, "background task failed");
        Self::internal("the background task stopped unexpectedly: try again, and restart Sealdesk if it repeats")
    }
}
