//! The local SQLite catalogue: one file per installation, the memory of what was issued.
//!
//! Owns the schema and its migrations, and small repositories over it: settings, the issued
//! register (sealed bytes stored verbatim — they are never re-serialized) and the audit log.
//! It knows nothing of tokens, seals or the ELM model: callers hand it plain values.
//! Writes happen in one transaction each; the database runs in WAL mode so the app and the CLI
//! can share it.

#![warn(missing_docs)]

mod error;
mod migrations;
pub mod table;

use std::path::{Path, PathBuf};

use rusqlite::Connection;

pub use error::CatalogueError;
pub use table::audit::{AuditEntry, AuditLog};
pub use table::batches::{
    BatchCounts, BatchItem, BatchItemState, BatchRecord, Batches, NewBatch, NewBatchItem,
};
pub use table::deliveries::{Deliveries, Delivery};
pub use table::issued::{IssuedCredential, IssuedRegister, RegisterEntry, RegisterSearch};
pub use table::issued_versions::{IssuedVersion, IssuedVersions};
pub use table::jobs::{Backoff, Job, JobState, Jobs};
pub use table::learning_opportunities::{
    LearningOpportunities, LoRecord, LoReview, LoTemplateLink,
};
pub use table::mcras::{McraRecord, Mcras, NewMcraVersion};
pub use table::settings::Settings;
pub use table::skills::{SkillEntry, SkillHit, Skills};
pub use table::templates::{TemplateContent, TemplateRecord, Templates};
pub use table::trusted_lists::{CachedList, PutOutcome, TrustedLists};
pub use table::vocabulary::{Concept, Vocabulary};

/// An open catalogue. Not `Sync`: share it behind a `Mutex`.
pub struct Catalogue {
    conn: Connection,
    path: Option<PathBuf>,
}

/// How long [`Catalogue::open`] keeps trying while another connection holds the file.
const OPEN_PATIENCE: std::time::Duration = std::time::Duration::from_secs(10);

impl Catalogue {
    /// Opens (creating if needed) the catalogue at `path` and brings its schema up to date.
    ///
    /// A database written by a newer Sealdesk is refused rather than guessed at.
    pub fn open(path: &Path) -> Result<Self, CatalogueError> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| CatalogueError::CreateDir {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        // SQLite answers "database is locked" at once, without calling the busy handler, in a
        // few races between connections opening the same new file (one switching it to WAL,
        // another reading it in rollback mode or running WAL recovery). Opening is idempotent,
        // so it is simply tried again for a while.
        let deadline = std::time::Instant::now() + OPEN_PATIENCE;
        let mut pause = std::time::Duration::from_millis(2);
        loop {
            match Self::open_once(path) {
                Err(e) if e.is_busy() && std::time::Instant::now() < deadline => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(std::time::Duration::from_millis(100));
                }
                done => return done,
            }
        }
    }

    fn open_once(path: &Path) -> Result<Self, CatalogueError> {
        let conn = Connection::open(path).map_err(|source| CatalogueError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        // Wait for another process (the app, the CLI) holding the lock, also while switching a
        // new file to WAL.
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        Self::init(conn, Some(path.to_path_buf()))
    }

    /// An in-memory catalogue, for tests and dry runs.
    pub fn open_in_memory() -> Result<Self, CatalogueError> {
        Self::init(Connection::open_in_memory()?, None)
    }

    fn init(mut conn: Connection, path: Option<PathBuf>) -> Result<Self, CatalogueError> {
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrations::run(&mut conn)?;
        Ok(Self { conn, path })
    }

    /// Where the catalogue lives (`None` in memory).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The schema version this catalogue is at.
    pub fn schema_version(&self) -> Result<u32, CatalogueError> {
        migrations::version(&self.conn)
    }

    /// Key-value settings (SMTP, TSA, module paths …).
    pub fn settings(&self) -> Settings<'_> {
        Settings::new(&self.conn)
    }

    /// The register of sealed credentials.
    pub fn issued(&self) -> IssuedRegister<'_> {
        IssuedRegister::new(&self.conn)
    }

    /// The audit log: who did what, when (no PINs, no personal data beyond ids).
    pub fn audit(&self) -> AuditLog<'_> {
        AuditLog::new(&self.conn)
    }

    /// The batch journal: batches and the state of each of their rows.
    pub fn batches(&self) -> Batches<'_> {
        Batches::new(&self.conn)
    }

    /// Credential templates and their versions.
    pub fn templates(&self) -> Templates<'_> {
        Templates::new(&self.conn)
    }

    /// Controlled vocabularies (Europass lists, EU authority tables).
    pub fn vocabulary(&self) -> Vocabulary<'_> {
        Vocabulary::new(&self.conn)
    }

    /// ESCO skills and their full-text index.
    pub fn skills(&self) -> Skills<'_> {
        Skills::new(&self.conn)
    }

    /// The trusted-list cache.
    pub fn trusted_lists(&self) -> TrustedLists<'_> {
        TrustedLists::new(&self.conn)
    }

    /// Background jobs (augmentation, archive renewal, mail).
    pub fn jobs(&self) -> Jobs<'_> {
        Jobs::new(&self.conn)
    }

    /// The bookkeeping of mail and wallet deliveries (beside their jobs).
    pub fn deliveries(&self) -> Deliveries<'_> {
        Deliveries::new(&self.conn)
    }

    /// Learning opportunities, their review steps and the templates made from them.
    pub fn learning_opportunities(&self) -> LearningOpportunities<'_> {
        LearningOpportunities::new(&self.conn)
    }

    /// Model Credit Recognition Agreements and their versions.
    pub fn mcras(&self) -> Mcras<'_> {
        Mcras::new(&self.conn)
    }

    /// Augmented versions of issued credentials.
    pub fn issued_versions(&self) -> IssuedVersions<'_> {
        IssuedVersions::new(&self.conn)
    }
}
