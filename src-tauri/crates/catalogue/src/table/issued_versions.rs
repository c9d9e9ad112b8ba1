//! Augmented versions of issued credentials: each B-T/B-LT/B-LTA file and each archive renewal
//! is a new row; the original B-B bytes in `issued` are never overwritten.

use rusqlite::{Connection, OptionalExtension};
use time::OffsetDateTime;

use crate::CatalogueError;

/// One stored version of a sealed credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedVersion {
    /// The credential id.
    pub credential_id: String,
    /// 1 for the first augmented version, then 2, 3 …
    pub version: u32,
    /// The JAdES baseline level (`B-T`, `B-LT`, `B-LTA`).
    pub level: String,
    /// The sealed file, byte for byte.
    pub sealed: Vec<u8>,
    /// When it was made.
    pub created_at: OffsetDateTime,
}

/// Repository of augmented versions.
pub struct IssuedVersions<'c> {
    conn: &'c Connection,
}

impl<'c> IssuedVersions<'c> {
    pub(crate) fn new(conn: &'c Connection) -> Self {
        Self { conn }
    }

    /// Adds the next version of a credential in the issued register; returns its number.
    pub fn add(
        &self,
        credential_id: &str,
        level: &str,
        sealed: &[u8],
        now: OffsetDateTime,
    ) -> Result<u32, CatalogueError> {
        let known: Option<i64> = self
            .conn
            .query_row(
                "SELECT 1 FROM issued WHERE credential_id = ?1",
                [credential_id],
                |r| r.get(0),
            )
            .optional()?;
        if known.is_none() {
            return Err(CatalogueError::NotIssued {
                id: credential_id.to_owned(),
            });
        }
        let version: u32 = self.conn.query_row(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM issued_version WHERE credential_id = ?1",
            [credential_id],
            |r| r.get(0),
        )?;
        self.conn.execute(
            "INSERT INTO issued_version (credential_id, version, level, sealed, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![credential_id, version, level, sealed, now.unix_timestamp()],
        )?;
        Ok(version)
    }

    /// The newest version, if the credential was augmented.
    pub fn latest(&self, credential_id: &str) -> Result<Option<IssuedVersion>, CatalogueError> {
        Ok(self.list(credential_id)?.pop())
    }

    /// Every version, oldest first.
    pub fn list(&self, credential_id: &str) -> Result<Vec<IssuedVersion>, CatalogueError> {
        let mut stmt = self.conn.prepare(
            "SELECT credential_id, version, level, sealed, created_at FROM issued_version
             WHERE credential_id = ?1 ORDER BY version",
        )?;
        let rows = stmt.query_map([credential_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, u32>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Vec<u8>>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })?;
        rows.map(|row| {
            let (credential_id, version, level, sealed, created) = row?;
            Ok(IssuedVersion {
                credential_id,
                version,
                level,
                sealed,
                created_at: OffsetDateTime::from_unix_timestamp(created).map_err(|e| {
                    CatalogueError::Corrupt {
                        what: "issued_version.created_at",
                        detail: e.to_string(),
                    }
                })?,
            })
        })
        .collect()
    }
}
