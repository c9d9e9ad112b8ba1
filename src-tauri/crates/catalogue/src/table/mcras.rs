//! Model Credit Recognition Agreements, versioned: every save (and every workflow step) is a
//! new, immutable version row, so any two versions can be compared.
//!
//! The document is stored as JSON text exactly as given (the `agreements` crate owns its
//! shape). [`Mcras::save_all`] writes several agreements in one transaction: an import is
//! all or nothing.

use rusqlite::{Connection, OptionalExtension};
use time::{format_description::well_known::Rfc3339, OffsetDateTime};

use crate::CatalogueError;

/// One version of an agreement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct McraRecord {
    /// Stable id shared by every version (and by both institutions' copies).
    pub id: String,
    /// Version, from 1 (local numbering).
    pub version: u32,
    /// Workflow state.
    pub state: String,
    /// Title (for lists).
    pub title: String,
    /// The partner institution's name (for lists by partner).
    pub partner: String,
    /// The document JSON, byte for byte as saved.
    pub document: String,
    /// When this version was saved.
    pub saved_at: OffsetDateTime,
    /// Where this version came from: `local`, or `import:<file name>`.
    pub origin: String,
}

/// What a new agreement version holds.
#[derive(Debug, Clone, Copy)]
pub struct NewMcraVersion<'a> {
    /// Agreement id.
    pub id: &'a str,
    /// Workflow state.
    pub state: &'a str,
    /// Title.
    pub title: &'a str,
    /// Partner name.
    pub partner: &'a str,
    /// Document JSON.
    pub document: &'a str,
    /// `local` or `import:<file name>`.
    pub origin: &'a str,
}

/// Agreements repository.
pub struct Mcras<'c> {
    conn: &'c Connection,
}

const COLUMNS: &str = "id, version, state, title, partner, document, saved_at, origin";

type Raw = (String, u32, String, String, String, String, String, String);

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Raw> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
    ))
}

fn finish(raw: Raw) -> Result<McraRecord, CatalogueError> {
    let (id, version, state, title, partner, document, saved, origin) = raw;
    Ok(McraRecord {
        id,
        version,
        state,
        title,
        partner,
        document,
        saved_at: parse_time(&saved, "mcra.saved_at")?,
        origin,
    })
}

impl<'c> Mcras<'c> {
    pub(crate) fn new(conn: &'c Connection) -> Self {
        Self { conn }
    }

    /// Saves a new version of one agreement.
    pub fn save(
        &self,
        new: &NewMcraVersion<'_>,
        now: OffsetDateTime,
    ) -> Result<McraRecord, CatalogueError> {
        let mut saved = self.save_all(std::slice::from_ref(new), now)?;
        saved.pop().ok_or_else(|| CatalogueError::Corrupt {
            what: "mcra",
            detail: "nothing saved".to_owned(),
        })
    }

    /// Saves a new version of each agreement, in one transaction: all or none.
    pub fn save_all(
        &self,
        news: &[NewMcraVersion<'_>],
        now: OffsetDateTime,
    ) -> Result<Vec<McraRecord>, CatalogueError> {
        let at = format_time(now)?;
        let tx = self.conn.unchecked_transaction()?;
        let mut keys = Vec::with_capacity(news.len());
        for n in news {
            let version: u32 = self.conn.query_row(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM mcra WHERE id = ?1",
                [n.id],
                |r| r.get(0),
            )?;
            self.conn.execute(
                "INSERT INTO mcra (id, version, state, title, partner, document, saved_at, origin)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                rusqlite::params![
                    n.id, version, n.state, n.title, n.partner, n.document, at, n.origin
                ],
            )?;
            keys.push((n.id, version));
        }
        tx.commit()?;
        keys.into_iter()
            .map(|(id, v)| {
                self.get(id, Some(v))?
                    .ok_or_else(|| CatalogueError::Corrupt {
                        what: "mcra",
                        detail: format!("{id} version {v} vanished after insert"),
                    })
            })
            .collect()
    }

    /// Version `version` of `id` (default: latest), if it exists.
    pub fn get(
        &self,
        id: &str,
        version: Option<u32>,
    ) -> Result<Option<McraRecord>, CatalogueError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM mcra
             WHERE id = ?1 AND (?2 IS NULL OR version = ?2) ORDER BY version DESC LIMIT 1"
        );
        self.conn
            .query_row(&sql, rusqlite::params![id, version], row)
            .optional()?
            .map(finish)
            .transpose()
    }

    /// The latest version of every agreement, by partner then title.
    pub fn list(&self) -> Result<Vec<McraRecord>, CatalogueError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM mcra m
             WHERE version = (SELECT MAX(version) FROM mcra x WHERE x.id = m.id)
             ORDER BY partner COLLATE NOCASE, title COLLATE NOCASE, id"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([], row)?;
        rows.map(|r| finish(r?)).collect()
    }

    /// Every version of `id`, oldest first.
    pub fn history(&self, id: &str) -> Result<Vec<McraRecord>, CatalogueError> {
        let sql = format!("SELECT {COLUMNS} FROM mcra WHERE id = ?1 ORDER BY version");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([id], row)?;
        rows.map(|r| finish(r?)).collect()
    }

    /// How many agreement versions are stored (all agreements).
    pub fn count_versions(&self) -> Result<u32, CatalogueError> {
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM mcra", [], |r| r.get(0))?)
    }
}

pub(crate) fn format_time(t: OffsetDateTime) -> Result<String, CatalogueError> {
    t.format(&Rfc3339).map_err(|e| CatalogueError::Corrupt {
        what: "agreement time",
        detail: e.to_string(),
    })
}

pub(crate) fn parse_time(text: &str, what: &'static str) -> Result<OffsetDateTime, CatalogueError> {
    OffsetDateTime::parse(text, &Rfc3339).map_err(|e| CatalogueError::Corrupt {
        what,
        detail: e.to_string(),
    })
}
