//! The trusted-list cache: the last good copy of each list (the EU LOTL and national lists),
//! its XML bytes as read and the facts a verifier reports about its age. What counts as "good"
//! (parsed, signature checked) is decided by the caller (`sealdesk-flows`); this table only
//! keeps one row per (territory, kind) and never replaces a newer sequence with an older one.

use rusqlite::{Connection, OptionalExtension};
use time::{format_description::well_known::Rfc3339, OffsetDateTime};

use crate::CatalogueError;

/// One cached list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedList {
    /// Scheme territory (`EU` for the LOTL).
    pub territory: String,
    /// Whether it is the list of trusted lists.
    pub is_lotl: bool,
    /// TSL sequence number.
    pub sequence: u64,
    /// ListIssueDateTime (RFC 3339).
    pub issued_at: String,
    /// NextUpdate (RFC 3339), absent for a closed list.
    pub next_update: Option<String>,
    /// When Sealdesk fetched or loaded it (RFC 3339).
    pub loaded_at: String,
    /// Where it came from (file path or URL).
    pub source: String,
    /// Signature status as the caller determined it (`valid`, `announced`, `invalid: ...`).
    pub signature: String,
    /// The list's XML bytes, unchanged.
    pub xml: Vec<u8>,
}

/// What [`TrustedLists::put`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutOutcome {
    /// A new row, or a newer or equal sequence replaced the cached one.
    Stored,
    /// The cache already holds a newer sequence: kept it.
    KeptNewer,
}

/// Trusted-list cache repository.
pub struct TrustedLists<'c> {
    conn: &'c Connection,
}

fn rfc3339(at: OffsetDateTime, what: &'static str) -> Result<String, CatalogueError> {
    at.format(&Rfc3339).map_err(|e| CatalogueError::Corrupt {
        what,
        detail: e.to_string(),
    })
}

impl<'c> TrustedLists<'c> {
    pub(crate) fn new(conn: &'c Connection) -> Self {
        Self { conn }
    }

    /// Stores `list`, unless a newer sequence of the same (territory, kind) is cached.
    pub fn put(&self, list: &CachedList) -> Result<PutOutcome, CatalogueError> {
        let cached: Option<i64> = self
            .conn
            .query_row(
                "SELECT sequence FROM trusted_list WHERE territory = ?1 AND is_lotl = ?2",
                rusqlite::params![list.territory, list.is_lotl],
                |row| row.get(0),
            )
            .optional()?;
        let sequence = i64::try_from(list.sequence).map_err(|_| CatalogueError::Corrupt {
            what: "trusted_list.sequence",
            detail: format!("{} is too large", list.sequence),
        })?;
        if cached.is_some_and(|c| c > sequence) {
            return Ok(PutOutcome::KeptNewer);
        }
        self.conn.execute(
            "INSERT INTO trusted_list
                 (territory, is_lotl, sequence, issued_at, next_update, loaded_at, source, signature, xml)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT(territory, is_lotl) DO UPDATE SET
                 sequence = excluded.sequence, issued_at = excluded.issued_at,
                 next_update = excluded.next_update, loaded_at = excluded.loaded_at,
                 source = excluded.source, signature = excluded.signature, xml = excluded.xml",
            rusqlite::params![
                list.territory,
                list.is_lotl,
                sequence,
                list.issued_at,
                list.next_update,
                list.loaded_at,
                list.source,
                list.signature,
                list.xml
            ],
        )?;
        Ok(PutOutcome::Stored)
    }

    /// Every cached list, the LOTL first, then by territory.
    pub fn all(&self) -> Result<Vec<CachedList>, CatalogueError> {
        let mut stmt = self.conn.prepare(
            "SELECT territory, is_lotl, sequence, issued_at, next_update, loaded_at, source, signature, xml
             FROM trusted_list ORDER BY is_lotl DESC, territory",
        )?;
        let rows = stmt.query_map([], |row| {
            let sequence: i64 = row.get(2)?;
            Ok(CachedList {
                territory: row.get(0)?,
                is_lotl: row.get(1)?,
                sequence: u64::try_from(sequence).unwrap_or(0),
                issued_at: row.get(3)?,
                next_update: row.get(4)?,
                loaded_at: row.get(5)?,
                source: row.get(6)?,
                signature: row.get(7)?,
                xml: row.get(8)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Formats a time as the table stores it.
    pub fn stamp(at: OffsetDateTime) -> Result<String, CatalogueError> {
        rfc3339(at, "trusted_list time")
    }
}

#[cfg(test)]
mod tests {
    use crate::table::trusted_lists::{CachedList, PutOutcome};
    use crate::Catalogue;

    fn row(territory: &str, sequence: u64) -> CachedList {
        CachedList {
            territory: territory.to_owned(),
            is_lotl: false,
            sequence,
            issued_at: "2024-05-31T00:00:00Z".to_owned(),
            next_update: Some("2024-11-30T00:00:00Z".to_owned()),
            loaded_at: "2026-01-01T00:00:00Z".to_owned(),
            source: "test".to_owned(),
            signature: "announced".to_owned(),
            xml: format!("<TrustServiceStatusList seq='{sequence}'/>").into_bytes(),
        }
    }

    #[test]
    fn a_newer_sequence_replaces_and_an_older_one_does_not() {
        let cat = Catalogue::open_in_memory().expect("catalogue");
        let t = cat.trusted_lists();
        assert_eq!(
            t.put(&row("FR", 5)).expect("put"),
            PutOutcome::Stored,
            "first copy stored"
        );
        assert_eq!(
            t.put(&row("FR", 6)).expect("put"),
            PutOutcome::Stored,
            "newer stored"
        );
        assert_eq!(
            t.put(&row("FR", 4)).expect("put"),
            PutOutcome::KeptNewer,
            "older refused"
        );
        let all = t.all().expect("all");
        assert_eq!(all.len(), 1, "one row per territory");
        assert_eq!(all[0].sequence, 6, "the newest kept");
        assert_eq!(all[0].xml, row("FR", 6).xml, "bytes unchanged");
    }
}
