use std::path::PathBuf;

/// What can go wrong with the catalogue.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogueError {
    /// The folder for the catalogue could not be created.
    #[error("cannot create the catalogue folder {path}: {source}")]
    CreateDir {
        /// The folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The database file could not be opened.
    #[error("cannot open the catalogue {path}: {source}")]
    Open {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: rusqlite::Error,
    },
    /// The database was written by a newer Sealdesk.
    #[error("the catalogue is at schema version {found}, newer than this Sealdesk ({supported}): update Sealdesk")]
    SchemaTooNew {
        /// Version in the file.
        found: u32,
        /// Newest version this build knows.
        supported: u32,
    },
    /// A credential with this id is already in the register.
    #[error("credential {id} is already in the issued register")]
    AlreadyIssued {
        /// The credential id.
        id: String,
    },
    /// A stored value could not be read back.
    #[error("stored value {what} is unreadable: {detail}")]
    Corrupt {
        /// Which value.
        what: &'static str,
        /// What was wrong.
        detail: String,
    },
    /// No template with this id (and version).
    #[error("template {id}{} not found: pick one from the template list", version.map(|v| format!(" version {v}")).unwrap_or_default())]
    TemplateNotFound {
        /// The template id.
        id: String,
        /// The version asked for (`None` = latest).
        version: Option<u32>,
    },
    /// A template with this id and version exists already.
    #[error("template {id} version {version} exists already")]
    TemplateExists {
        /// The template id.
        id: String,
        /// The version.
        version: u32,
    },
    /// The template is archived and cannot be changed.
    #[error("template {id} is archived: copy it to make changes")]
    TemplateArchived {
        /// The template id.
        id: String,
    },
    /// The credential is not in the issued register.
    #[error("credential {id} is not in the issued register")]
    NotIssued {
        /// The credential id.
        id: String,
    },
    /// No batch with this id.
    #[error("batch {id} not found: list batches with `batch status`")]
    BatchNotFound {
        /// The batch id.
        id: String,
    },
    /// A batch row that is sealed (or being sealed) cannot be changed.
    #[error("row {row} of batch {batch} is {state}: it cannot be changed")]
    BatchRowLocked {
        /// The batch id.
        batch: String,
        /// The sheet row.
        row: u32,
        /// Its state.
        state: String,
    },
    /// No job with this id.
    #[error("job {id} not found: see `sealdesk-cli outbox list`")]
    JobNotFound {
        /// The job id.
        id: i64,
    },
    /// The job cannot be retried in its state.
    #[error("job {id} is {state} and cannot be retried")]
    JobNotRetryable {
        /// The job id.
        id: i64,
        /// Its state.
        state: &'static str,
    },
    /// Any other SQLite failure.
    #[error("catalogue database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

impl CatalogueError {
    /// SQLite said the file is busy or locked by another connection (worth trying again).
    pub fn is_busy(&self) -> bool {
        let sqlite = match self {
            Self::Sqlite(e) | Self::Open { source: e, .. } => e,
            _ => return false,
        };
        matches!(
            sqlite,
            rusqlite::Error::SqliteFailure(e, _)
                if matches!(
                    e.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                )
        )
    }
}
