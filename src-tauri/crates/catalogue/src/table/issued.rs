//! The issued register: every credential sealed here, with its sealed bytes kept verbatim.

use rusqlite::{Connection, OptionalExtension};
use time::{format_description::well_known::Rfc3339, OffsetDateTime};

use crate::CatalogueError;

/// One sealed credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedCredential {
    /// The credential id (`urn:credential:…`).
    pub credential_id: String,
    /// Its title in the primary language.
    pub title: String,
    /// The learner's name.
    pub learner: String,
    /// When it was sealed.
    pub sealed_at: OffsetDateTime,
    /// SHA-256 fingerprint (hex) of the seal certificate.
    pub signer_fingerprint: String,
    /// The sealed file, byte for byte.
    pub sealed: Vec<u8>,
}

/// Issued-register repository.
pub struct IssuedRegister<'c> {
    conn: &'c Connection,
}

impl<'c> IssuedRegister<'c> {
    pub(crate) fn new(conn: &'c Connection) -> Self {
        Self { conn }
    }

    /// Records a sealed credential. A second record for the same id is refused, so a resumed
    /// run never overwrites what was sealed before.
    pub fn record(&self, credential: &IssuedCredential) -> Result<(), CatalogueError> {
        let sealed_at =
            credential
                .sealed_at
                .format(&Rfc3339)
                .map_err(|e| CatalogueError::Corrupt {
                    what: "sealed_at",
                    detail: e.to_string(),
                })?;
        let result = self.conn.execute(
            "INSERT INTO issued (credential_id, title, learner, sealed_at, signer_fingerprint, sealed)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            rusqlite::params![
                credential.credential_id,
                credential.title,
                credential.learner,
                sealed_at,
                credential.signer_fingerprint,
                credential.sealed,
            ],
        );
        match result {
            Ok(_) => Ok(()),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                Err(CatalogueError::AlreadyIssued {
                    id: credential.credential_id.clone(),
                })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The credential with this id, if sealed here.
    pub fn get(&self, credential_id: &str) -> Result<Option<IssuedCredential>, CatalogueError> {
        self.conn
            .query_row(
                "SELECT credential_id, title, learner, sealed_at, signer_fingerprint, sealed
                 FROM issued WHERE credential_id = ?1",
                [credential_id],
                row_to_issued,
            )
            .optional()?
            .map(finish)
            .transpose()
    }

    /// All sealed credentials, newest first.
    pub fn list(&self) -> Result<Vec<IssuedCredential>, CatalogueError> {
        let mut stmt = self.conn.prepare(
            "SELECT credential_id, title, learner, sealed_at, signer_fingerprint, sealed
             FROM issued ORDER BY sealed_at DESC, credential_id",
        )?;
        let rows = stmt.query_map([], row_to_issued)?;
        rows.map(|row| finish(row?)).collect()
    }

    /// How many credentials are in the register.
    pub fn count(&self) -> Result<u32, CatalogueError> {
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM issued", [], |row| row.get(0))?)
    }
}

type RawRow = (String, String, String, String, String, Vec<u8>);

fn row_to_issued(row: &rusqlite::Row<'_>) -> rusqlite::Result<RawRow> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
    ))
}

fn finish(raw: RawRow) -> Result<IssuedCredential, CatalogueError> {
    let (credential_id, title, learner, sealed_at, signer_fingerprint, sealed) = raw;
    let sealed_at =
        OffsetDateTime::parse(&sealed_at, &Rfc3339).map_err(|e| CatalogueError::Corrupt {
            what: "issued.sealed_at",
            detail: e.to_string(),
        })?;
    Ok(IssuedCredential {
        credential_id,
        title,
        learner,
        sealed_at,
        signer_fingerprint,
        sealed,
    })
}
