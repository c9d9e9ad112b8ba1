//! Learning opportunities (module descriptions), versioned: every save and every review step
//! is a new, immutable version row; review steps are kept with their comments; the credential
//! templates made from a learning opportunity stay linked to it.
//!
//! The document is stored as JSON text exactly as given; this table does not parse it (the
//! `agreements` crate owns its shape). States are plain strings checked by the caller.

use rusqlite::{Connection, OptionalExtension};
use time::OffsetDateTime;

use super::mcras::{format_time, parse_time};
use crate::CatalogueError;

/// One version of a learning opportunity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoRecord {
    /// Stable id shared by every version.
    pub id: String,
    /// Version, from 1.
    pub version: u32,
    /// Workflow state (`draft`, `submitted`, `approved`, `changes_requested`).
    pub state: String,
    /// Title in the default language (for lists).
    pub title: String,
    /// The document JSON, byte for byte as saved.
    pub document: String,
    /// When this version was saved.
    pub saved_at: OffsetDateTime,
}

/// One review step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoReview {
    /// The version the step produced.
    pub version: u32,
    /// State before.
    pub from_state: String,
    /// State after.
    pub to_state: String,
    /// Who.
    pub actor: String,
    /// Reviewer comment, if any.
    pub comment: Option<String>,
    /// When.
    pub at: OffsetDateTime,
}

/// A credential template made from a learning opportunity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoTemplateLink {
    /// The learning opportunity.
    pub lo_id: String,
    /// Its version the template was made from.
    pub lo_version: u32,
    /// The template.
    pub template_id: String,
    /// The template version.
    pub template_version: u32,
    /// When the link was made.
    pub created_at: OffsetDateTime,
}

/// Learning opportunities repository.
pub struct LearningOpportunities<'c> {
    conn: &'c Connection,
}

const COLUMNS: &str = "id, version, state, title, document, saved_at";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(String, u32, String, String, String, String)> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

fn finish(raw: (String, u32, String, String, String, String)) -> Result<LoRecord, CatalogueError> {
    let (id, version, state, title, document, saved) = raw;
    Ok(LoRecord {
        id,
        version,
        state,
        title,
        document,
        saved_at: parse_time(&saved, "learning_opportunity.saved_at")?,
    })
}

impl<'c> LearningOpportunities<'c> {
    pub(crate) fn new(conn: &'c Connection) -> Self {
        Self { conn }
    }

    /// Saves a new version of `id` (version 1 if new).
    pub fn save(
        &self,
        id: &str,
        state: &str,
        title: &str,
        document: &str,
        now: OffsetDateTime,
    ) -> Result<LoRecord, CatalogueError> {
        let tx = self.conn.unchecked_transaction()?;
        let record = self.insert(id, state, title, document, now)?;
        tx.commit()?;
        Ok(record)
    }

    fn insert(
        &self,
        id: &str,
        state: &str,
        title: &str,
        document: &str,
        now: OffsetDateTime,
    ) -> Result<LoRecord, CatalogueError> {
        let version: u32 = self.conn.query_row(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM learning_opportunity WHERE id = ?1",
            [id],
            |r| r.get(0),
        )?;
        self.conn.execute(
            "INSERT INTO learning_opportunity (id, version, state, title, document, saved_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            rusqlite::params![id, version, state, title, document, format_time(now)?],
        )?;
        self.get(id, Some(version))?
            .ok_or_else(|| CatalogueError::Corrupt {
                what: "learning_opportunity",
                detail: format!("{id} version {version} vanished after insert"),
            })
    }

    /// Records a review step: a new version in state `to_state` (same document) and the step
    /// with its comment, in one transaction.
    pub fn review(
        &self,
        id: &str,
        from_state: &str,
        to_state: &str,
        actor: &str,
        comment: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<LoRecord, CatalogueError> {
        let tx = self.conn.unchecked_transaction()?;
        let latest = self.get(id, None)?.ok_or_else(|| CatalogueError::Corrupt {
            what: "learning_opportunity",
            detail: format!("{id} not found"),
        })?;
        let record = self.insert(id, to_state, &latest.title, &latest.document, now)?;
        self.conn.execute(
            "INSERT INTO lo_review (lo_id, lo_version, from_state, to_state, actor, comment, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            rusqlite::params![
                id,
                record.version,
                from_state,
                to_state,
                actor,
                comment,
                format_time(now)?
            ],
        )?;
        tx.commit()?;
        Ok(record)
    }

    /// Version `version` of `id` (default: latest), if it exists.
    pub fn get(&self, id: &str, version: Option<u32>) -> Result<Option<LoRecord>, CatalogueError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM learning_opportunity
             WHERE id = ?1 AND (?2 IS NULL OR version = ?2) ORDER BY version DESC LIMIT 1"
        );
        self.conn
            .query_row(&sql, rusqlite::params![id, version], row)
            .optional()?
            .map(finish)
            .transpose()
    }

    /// The latest version of every learning opportunity, by title.
    pub fn list(&self) -> Result<Vec<LoRecord>, CatalogueError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM learning_opportunity l
             WHERE version = (SELECT MAX(version) FROM learning_opportunity x WHERE x.id = l.id)
             ORDER BY title COLLATE NOCASE, id"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([], row)?;
        rows.map(|r| finish(r?)).collect()
    }

    /// Every version of `id`, oldest first.
    pub fn history(&self, id: &str) -> Result<Vec<LoRecord>, CatalogueError> {
        let sql =
            format!("SELECT {COLUMNS} FROM learning_opportunity WHERE id = ?1 ORDER BY version");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([id], row)?;
        rows.map(|r| finish(r?)).collect()
    }

    /// The review steps of `id`, oldest first.
    pub fn reviews(&self, id: &str) -> Result<Vec<LoReview>, CatalogueError> {
        let mut stmt = self.conn.prepare(
            "SELECT lo_version, from_state, to_state, actor, comment, at FROM lo_review
             WHERE lo_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok((
                r.get::<_, u32>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        rows.map(|r| {
            let (version, from_state, to_state, actor, comment, at) = r?;
            Ok(LoReview {
                version,
                from_state,
                to_state,
                actor,
                comment,
                at: parse_time(&at, "lo_review.at")?,
            })
        })
        .collect()
    }

    /// Notes that template `template_id` version `template_version` was made from version
    /// `lo_version` of learning opportunity `lo_id`.
    pub fn link_template(
        &self,
        lo_id: &str,
        lo_version: u32,
        template_id: &str,
        template_version: u32,
        now: OffsetDateTime,
    ) -> Result<(), CatalogueError> {
        self.conn.execute(
            "INSERT INTO lo_template (lo_id, lo_version, template_id, template_version, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![
                lo_id,
                lo_version,
                template_id,
                template_version,
                format_time(now)?
            ],
        )?;
        Ok(())
    }

    /// The templates made from `lo_id`, oldest first.
    pub fn templates_of(&self, lo_id: &str) -> Result<Vec<LoTemplateLink>, CatalogueError> {
        self.links("WHERE lo_id = ?1", lo_id)
    }

    /// The learning opportunity template `template_id` was made from, if any.
    pub fn source_of_template(
        &self,
        template_id: &str,
    ) -> Result<Option<LoTemplateLink>, CatalogueError> {
        Ok(self
            .links("WHERE template_id = ?1", template_id)?
            .into_iter()
            .next())
    }

    fn links(&self, filter: &str, key: &str) -> Result<Vec<LoTemplateLink>, CatalogueError> {
        let sql = format!(
            "SELECT lo_id, lo_version, template_id, template_version, created_at FROM lo_template
             {filter} ORDER BY created_at, template_version"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([key], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, u32>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, u32>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        rows.map(|r| {
            let (lo_id, lo_version, template_id, template_version, created) = r?;
            Ok(LoTemplateLink {
                lo_id,
                lo_version,
                template_id,
                template_version,
                created_at: parse_time(&created, "lo_template.created_at")?,
            })
        })
        .collect()
    }
}
