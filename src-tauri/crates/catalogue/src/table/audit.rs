//! The audit log. Entries name actions and ids, never PINs or personal data.

use rusqlite::Connection;
use time::{format_description::well_known::Rfc3339, OffsetDateTime};

use crate::CatalogueError;

/// One audit entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// When (RFC 3339).
    pub at: String,
    /// What kind of action (`seal`, `seal-refused`, …).
    pub action: String,
    /// Ids and facts, no personal data.
    pub detail: String,
}

/// Audit-log repository.
pub struct AuditLog<'c> {
    conn: &'c Connection,
}

impl<'c> AuditLog<'c> {
    pub(crate) fn new(conn: &'c Connection) -> Self {
        Self { conn }
    }

    /// Appends an entry.
    pub fn append(
        &self,
        at: OffsetDateTime,
        action: &str,
        detail: &str,
    ) -> Result<(), CatalogueError> {
        let at = at.format(&Rfc3339).map_err(|e| CatalogueError::Corrupt {
            what: "audit_log.at",
            detail: e.to_string(),
        })?;
        self.conn.execute(
            "INSERT INTO audit_log (at, action, detail) VALUES (?1, ?2, ?3)",
            [at.as_str(), action, detail],
        )?;
        Ok(())
    }

    /// The newest `limit` entries, newest first.
    pub fn recent(&self, limit: u32) -> Result<Vec<AuditEntry>, CatalogueError> {
        let mut stmt = self
            .conn
            .prepare("SELECT at, action, detail FROM audit_log ORDER BY id DESC LIMIT ?1")?;
        let rows = stmt.query_map([limit], |row| {
            Ok(AuditEntry {
                at: row.get(0)?,
                action: row.get(1)?,
                detail: row.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
