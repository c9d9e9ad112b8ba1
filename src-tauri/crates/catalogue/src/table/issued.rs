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

/// What the issued register screen asks for: a text search plus exact filters. Empty fields
/// do not filter. Seal level, delivery state and dates are filtered by the caller on the
/// [`RegisterEntry`] values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegisterSearch {
    /// Case-insensitive (ASCII) substring of the learner's name, e-mail, credential id, title,
    /// template id or name, or batch id.
    pub text: Option<String>,
    /// Only credentials of this batch.
    pub batch_id: Option<String>,
    /// Only credentials of this template id.
    pub template_id: Option<String>,
}

/// One line of the issued register, without the sealed bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterEntry {
    /// The credential id.
    pub credential_id: String,
    /// Its title.
    pub title: String,
    /// The learner's name.
    pub learner: String,
    /// The learner's e-mail, when the credential came from a batch row.
    pub email: Option<String>,
    /// Template id and version it was built from, if from the catalogue.
    pub template_id: Option<String>,
    /// Template version.
    pub template_version: Option<u32>,
    /// The template's name at that version.
    pub template_name: Option<String>,
    /// The batch it came from.
    pub batch_id: Option<String>,
    /// The batch's output folder.
    pub batch_out_dir: Option<String>,
    /// When it was sealed.
    pub sealed_at: OffsetDateTime,
    /// Level of the newest augmented version (`None`: only the original seal).
    pub latest_level: Option<String>,
    /// State of the newest job for this credential whose kind is not one of the
    /// `not_delivery` kinds given to [`IssuedRegister::search`].
    pub delivery_state: Option<String>,
}

impl IssuedRegister<'_> {
    /// The register lines matching `search`, newest first. Jobs whose kind is in
    /// `not_delivery` (e.g. seal augmentation) do not count as delivery.
    pub fn search(
        &self,
        search: &RegisterSearch,
        not_delivery: &[&str],
    ) -> Result<Vec<RegisterEntry>, CatalogueError> {
        let excluded = serde_json_array(not_delivery);
        let mut stmt = self.conn.prepare(
            "SELECT i.credential_id, i.title, i.learner,
                    json_extract(bi.recipient, '$.email'),
                    i.template_id, i.template_version, t.name, i.batch_id, b.out_dir, i.sealed_at,
                    (SELECT v.level FROM issued_version v WHERE v.credential_id = i.credential_id
                      ORDER BY v.version DESC LIMIT 1),
                    (SELECT j.state FROM job j WHERE j.subject = i.credential_id
                      AND j.kind NOT IN (SELECT value FROM json_each(?4))
                      ORDER BY j.id DESC LIMIT 1)
             FROM issued i
             LEFT JOIN batch_item bi ON bi.credential_id = i.credential_id
             LEFT JOIN batch b ON b.id = i.batch_id
             LEFT JOIN template t ON t.id = i.template_id AND t.version = i.template_version
             WHERE (?1 IS NULL
                    OR i.learner LIKE ?1 ESCAPE '\\' OR i.credential_id LIKE ?1 ESCAPE '\\'
                    OR i.title LIKE ?1 ESCAPE '\\'
                    OR IFNULL(json_extract(bi.recipient, '$.email'), '') LIKE ?1 ESCAPE '\\'
                    OR IFNULL(i.template_id, '') LIKE ?1 ESCAPE '\\'
                    OR IFNULL(t.name, '') LIKE ?1 ESCAPE '\\'
                    OR IFNULL(i.batch_id, '') LIKE ?1 ESCAPE '\\')
               AND (?2 IS NULL OR i.batch_id = ?2)
               AND (?3 IS NULL OR i.template_id = ?3)
             ORDER BY i.sealed_at DESC, i.credential_id",
        )?;
        let pattern = search
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(like_pattern);
        let nonempty = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
        let rows = stmt.query_map(
            rusqlite::params![
                pattern,
                nonempty(&search.batch_id),
                nonempty(&search.template_id),
                excluded
            ],
            |row| {
                Ok((
                    RegisterEntry {
                        credential_id: row.get(0)?,
                        title: row.get(1)?,
                        learner: row.get(2)?,
                        email: row.get(3)?,
                        template_id: row.get(4)?,
                        template_version: row.get(5)?,
                        template_name: row.get(6)?,
                        batch_id: row.get(7)?,
                        batch_out_dir: row.get(8)?,
                        sealed_at: OffsetDateTime::UNIX_EPOCH,
                        latest_level: row.get(10)?,
                        delivery_state: row.get(11)?,
                    },
                    row.get::<_, String>(9)?,
                ))
            },
        )?;
        rows.map(|row| {
            let (mut entry, sealed_at) = row?;
            entry.sealed_at = OffsetDateTime::parse(&sealed_at, &Rfc3339).map_err(|e| {
                CatalogueError::Corrupt {
                    what: "issued.sealed_at",
                    detail: e.to_string(),
                }
            })?;
            Ok(entry)
        })
        .collect()
    }
}

/// `%text%` for LIKE, with `%`, `_` and `\` taken literally.
fn like_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// A JSON array of strings, for `json_each` (the kinds are plain identifiers).
fn serde_json_array(items: &[&str]) -> String {
    let quoted: Vec<String> = items
        .iter()
        .map(|s| format!("\"{}\"", s.replace(['"', '\\'], "")))
        .collect();
    format!("[{}]", quoted.join(","))
}
