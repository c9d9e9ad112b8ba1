//! Credential templates, versioned: every save is a new, immutable version row, so a sealed
//! credential can always name the exact template version it came from.
//!
//! The credential JSON is stored as TEXT exactly as given (UTF-8, byte for byte); this table
//! does not parse it. Archiving hides a template (all its versions) from the default list.

use rusqlite::{Connection, OptionalExtension};
use time::{format_description::well_known::Rfc3339, OffsetDateTime};

use crate::CatalogueError;

/// One version of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateRecord {
    /// Stable template id (shared by all its versions).
    pub id: String,
    /// Version number, from 1.
    pub version: u32,
    /// Name shown to people.
    pub name: String,
    /// Credential profile (e.g. the credential-type concept URI), if known.
    pub profile: Option<String>,
    /// The credential JSON, byte for byte as saved.
    pub credential_json: String,
    /// When this version was saved.
    pub created_at: OffsetDateTime,
    /// When the template was archived, if it was.
    pub archived_at: Option<OffsetDateTime>,
    /// The template version this one was copied from, if any.
    pub copied_from: Option<(String, u32)>,
}

/// What a new template version holds.
#[derive(Debug, Clone, Copy)]
pub struct TemplateContent<'a> {
    /// Name shown to people.
    pub name: &'a str,
    /// Credential profile, if known.
    pub profile: Option<&'a str>,
    /// The credential JSON, stored byte for byte.
    pub credential_json: &'a str,
}

/// Templates repository.
pub struct Templates<'c> {
    conn: &'c Connection,
}

const COLUMNS: &str = "id, version, name, profile, credential, created_at, archived_at,
                       copied_from_id, copied_from_version";

impl<'c> Templates<'c> {
    pub(crate) fn new(conn: &'c Connection) -> Self {
        Self { conn }
    }

    /// Creates template `id` at version 1. An id already in use is refused.
    pub fn create(
        &self,
        id: &str,
        content: TemplateContent<'_>,
        now: OffsetDateTime,
    ) -> Result<TemplateRecord, CatalogueError> {
        self.insert(id, 1, content, None, now)
    }

    /// Saves a new version of template `id` (the previous versions stay as they were).
    pub fn save(
        &self,
        id: &str,
        content: TemplateContent<'_>,
        now: OffsetDateTime,
    ) -> Result<TemplateRecord, CatalogueError> {
        let latest = self.require(id, None)?;
        if latest.archived_at.is_some() {
            return Err(CatalogueError::TemplateArchived { id: id.to_owned() });
        }
        self.insert(id, latest.version + 1, content, latest.copied_from, now)
    }

    /// Copies version `version` (default: latest) of `from_id` into a new template `new_id`.
    pub fn copy(
        &self,
        from_id: &str,
        version: Option<u32>,
        new_id: &str,
        new_name: &str,
        now: OffsetDateTime,
    ) -> Result<TemplateRecord, CatalogueError> {
        let source = self.require(from_id, version)?;
        let content = TemplateContent {
            name: new_name,
            profile: source.profile.as_deref(),
            credential_json: &source.credential_json,
        };
        self.insert(
            new_id,
            1,
            content,
            Some((source.id.clone(), source.version)),
            now,
        )
    }

    /// Archives template `id` (every version); it stays readable by id and version.
    pub fn archive(&self, id: &str, now: OffsetDateTime) -> Result<(), CatalogueError> {
        self.require(id, None)?;
        self.conn.execute(
            "UPDATE template SET archived_at = ?2 WHERE id = ?1 AND archived_at IS NULL",
            rusqlite::params![id, format_time(now)?],
        )?;
        Ok(())
    }

    /// The latest version of each template, by name; archived ones only if asked.
    pub fn list(&self, include_archived: bool) -> Result<Vec<TemplateRecord>, CatalogueError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM template t
             WHERE version = (SELECT MAX(version) FROM template x WHERE x.id = t.id)
               AND (?1 OR archived_at IS NULL)
             ORDER BY name COLLATE NOCASE, id"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([include_archived], raw)?;
        rows.map(|r| finish(r?)).collect()
    }

    /// Version `version` of template `id` (default: the latest), if it exists.
    pub fn get(
        &self,
        id: &str,
        version: Option<u32>,
    ) -> Result<Option<TemplateRecord>, CatalogueError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM template
             WHERE id = ?1 AND (?2 IS NULL OR version = ?2)
             ORDER BY version DESC LIMIT 1"
        );
        self.conn
            .query_row(&sql, rusqlite::params![id, version], raw)
            .optional()?
            .map(finish)
            .transpose()
    }

    /// Every version number of template `id`, oldest first.
    pub fn versions(&self, id: &str) -> Result<Vec<u32>, CatalogueError> {
        let mut stmt = self
            .conn
            .prepare("SELECT version FROM template WHERE id = ?1 ORDER BY version")?;
        let rows = stmt.query_map([id], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Notes in the issued register that `credential_id` was built from this template version.
    pub fn link_issued(
        &self,
        credential_id: &str,
        template_id: &str,
        version: u32,
    ) -> Result<(), CatalogueError> {
        self.require(template_id, Some(version))?;
        let changed = self.conn.execute(
            "UPDATE issued SET template_id = ?2, template_version = ?3 WHERE credential_id = ?1",
            rusqlite::params![credential_id, template_id, version],
        )?;
        if changed == 0 {
            return Err(CatalogueError::NotIssued {
                id: credential_id.to_owned(),
            });
        }
        Ok(())
    }

    /// The template version a sealed credential came from, if recorded.
    pub fn issued_from(
        &self,
        credential_id: &str,
    ) -> Result<Option<(String, u32)>, CatalogueError> {
        let found: Option<(Option<String>, Option<u32>)> = self
            .conn
            .query_row(
                "SELECT template_id, template_version FROM issued WHERE credential_id = ?1",
                [credential_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(match found {
            Some((Some(id), Some(version))) => Some((id, version)),
            _ => None,
        })
    }

    fn require(&self, id: &str, version: Option<u32>) -> Result<TemplateRecord, CatalogueError> {
        self.get(id, version)?
            .ok_or_else(|| CatalogueError::TemplateNotFound {
                id: id.to_owned(),
                version,
            })
    }

    fn insert(
        &self,
        id: &str,
        version: u32,
        content: TemplateContent<'_>,
        copied_from: Option<(String, u32)>,
        now: OffsetDateTime,
    ) -> Result<TemplateRecord, CatalogueError> {
        let result = self.conn.execute(
            "INSERT INTO template (id, version, name, profile, credential, created_at,
                                   copied_from_id, copied_from_version)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            rusqlite::params![
                id,
                version,
                content.name,
                content.profile,
                content.credential_json,
                format_time(now)?,
                copied_from.as_ref().map(|c| c.0.as_str()),
                copied_from.as_ref().map(|c| c.1),
            ],
        );
        match result {
            Ok(_) => {}
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                return Err(CatalogueError::TemplateExists {
                    id: id.to_owned(),
                    version,
                });
            }
            Err(e) => return Err(e.into()),
        }
        self.require(id, Some(version))
    }
}

fn format_time(t: OffsetDateTime) -> Result<String, CatalogueError> {
    t.format(&Rfc3339).map_err(|e| CatalogueError::Corrupt {
        what: "template time",
        detail: e.to_string(),
    })
}

fn parse_time(text: &str, what: &'static str) -> Result<OffsetDateTime, CatalogueError> {
    OffsetDateTime::parse(text, &Rfc3339).map_err(|e| CatalogueError::Corrupt {
        what,
        detail: e.to_string(),
    })
}

type Raw = (
    String,
    u32,
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<u32>,
);

fn raw(r: &rusqlite::Row<'_>) -> rusqlite::Result<Raw> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
    ))
}

fn finish(raw: Raw) -> Result<TemplateRecord, CatalogueError> {
    let (id, version, name, profile, credential_json, created, archived, from_id, from_version) =
        raw;
    Ok(TemplateRecord {
        id,
        version,
        name,
        profile,
        credential_json,
        created_at: parse_time(&created, "template.created_at")?,
        archived_at: archived
            .map(|a| parse_time(&a, "template.archived_at"))
            .transpose()?,
        copied_from: from_id.zip(from_version),
    })
}
