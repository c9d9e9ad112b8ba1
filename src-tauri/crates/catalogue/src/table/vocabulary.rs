//! Controlled vocabularies (Europass lists, EU authority tables): one row per SKOS concept.
//!
//! Labels are kept per language as JSON in the row; a whole scheme is replaced in one
//! transaction, so a reader never sees half a vocabulary. What the rows mean (scheme keys, how
//! a concept is written into a credential) is `sealdesk-vocab`'s business, not this table's.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension};

use crate::CatalogueError;

/// A SKOS concept of a controlled vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Concept {
    /// The concept scheme URI (`http://data.europa.eu/snb/eqf/25831c2`).
    pub scheme: String,
    /// The concept URI (`http://data.europa.eu/snb/eqf/6`).
    pub id: String,
    /// `skos:notation` (a code such as `en`, `IRL`, `0688`), if the source gives one.
    pub notation: Option<String>,
    /// `skos:prefLabel` by language code (`en` → `Level 6`).
    pub pref_labels: BTreeMap<String, String>,
    /// `skos:altLabel`s as (language, label).
    pub alt_labels: Vec<(String, String)>,
    /// `skos:broader` concept URIs.
    pub broader: Vec<String>,
    /// `current` or `deprecated`.
    pub status: String,
}

impl Concept {
    /// Whether the concept may be offered for new credentials.
    pub fn is_current(&self) -> bool {
        self.status != "deprecated"
    }

    /// The label in `lang`, else English, else any.
    pub fn label(&self, lang: &str) -> Option<&str> {
        self.pref_labels
            .get(lang)
            .or_else(|| self.pref_labels.get("en"))
            .or_else(|| self.pref_labels.values().next())
            .map(String::as_str)
    }
}

/// Vocabulary repository.
pub struct Vocabulary<'c> {
    conn: &'c Connection,
}

impl<'c> Vocabulary<'c> {
    pub(crate) fn new(conn: &'c Connection) -> Self {
        Self { conn }
    }

    /// Replaces every concept of the schemes present in `concepts` (schemes not named are left
    /// alone), in one transaction; returns how many concepts were written.
    pub fn replace_schemes(&self, concepts: &[Concept]) -> Result<usize, CatalogueError> {
        let tx = self.conn.unchecked_transaction()?;
        let mut schemes: Vec<&str> = concepts.iter().map(|c| c.scheme.as_str()).collect();
        schemes.sort_unstable();
        schemes.dedup();
        for scheme in &schemes {
            tx.execute("DELETE FROM vocabulary_concept WHERE scheme = ?1", [scheme])?;
        }
        {
            let mut insert = tx.prepare(
                "INSERT OR REPLACE INTO vocabulary_concept
                     (scheme, id, notation, pref_labels, alt_labels, broader, status)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for c in concepts {
                insert.execute(rusqlite::params![
                    c.scheme,
                    c.id,
                    c.notation,
                    to_json(&c.pref_labels)?,
                    to_json(&c.alt_labels)?,
                    to_json(&c.broader)?,
                    c.status,
                ])?;
            }
        }
        tx.commit()?;
        Ok(concepts.len())
    }

    /// The concepts of `scheme`, current ones only unless `include_deprecated`, ordered by
    /// notation then id.
    pub fn concepts(
        &self,
        scheme: &str,
        include_deprecated: bool,
    ) -> Result<Vec<Concept>, CatalogueError> {
        let mut stmt = self.conn.prepare(
            "SELECT scheme, id, notation, pref_labels, alt_labels, broader, status
             FROM vocabulary_concept
             WHERE scheme = ?1 AND (?2 OR status <> 'deprecated')
             ORDER BY notation IS NULL, notation, id",
        )?;
        let rows = stmt.query_map(rusqlite::params![scheme, include_deprecated], raw)?;
        rows.map(|r| finish(r?)).collect()
    }

    /// One concept by its URI, whatever its scheme.
    pub fn concept(&self, id: &str) -> Result<Option<Concept>, CatalogueError> {
        self.conn
            .query_row(
                "SELECT scheme, id, notation, pref_labels, alt_labels, broader, status
                 FROM vocabulary_concept WHERE id = ?1 ORDER BY scheme LIMIT 1",
                [id],
                raw,
            )
            .optional()?
            .map(finish)
            .transpose()
    }

    /// Every scheme with its number of concepts, by scheme URI.
    pub fn schemes(&self) -> Result<Vec<(String, u32)>, CatalogueError> {
        let mut stmt = self.conn.prepare(
            "SELECT scheme, COUNT(*) FROM vocabulary_concept GROUP BY scheme ORDER BY scheme",
        )?;
        let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

type Raw = (
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    String,
);

fn raw(row: &rusqlite::Row<'_>) -> rusqlite::Result<Raw> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
        row.get(6)?,
    ))
}

fn finish(raw: Raw) -> Result<Concept, CatalogueError> {
    let (scheme, id, notation, pref, alt, broader, status) = raw;
    Ok(Concept {
        scheme,
        id,
        notation,
        pref_labels: from_json(&pref, "vocabulary_concept.pref_labels")?,
        alt_labels: from_json(&alt, "vocabulary_concept.alt_labels")?,
        broader: from_json(&broader, "vocabulary_concept.broader")?,
        status,
    })
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<String, CatalogueError> {
    serde_json::to_string(value).map_err(|e| CatalogueError::Corrupt {
        what: "json column",
        detail: e.to_string(),
    })
}

pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    text: &str,
    what: &'static str,
) -> Result<T, CatalogueError> {
    serde_json::from_str(text).map_err(|e| CatalogueError::Corrupt {
        what,
        detail: e.to_string(),
    })
}
