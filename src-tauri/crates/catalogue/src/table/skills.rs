//! ESCO skills: one row per skill (status, type, reuse level), its texts per language, and an
//! SQLite FTS5 index over label, alternative labels and description.
//!
//! The FTS table uses the `porter unicode61 remove_diacritics 2` tokenizer (English stemming,
//! accents folded). Only `released` skills are returned by [`Skills::search`]. Building the
//! MATCH expression from a person's words is `sealdesk-vocab`'s job; this table runs it.

use rusqlite::{Connection, OptionalExtension};

use crate::CatalogueError;

/// One skill's text in one language, as written to the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SkillEntry {
    /// The ESCO concept URI.
    pub uri: String,
    /// Language code of the texts (`en`).
    pub lang: String,
    /// Preferred label (or a best guess when `label_exact` is false).
    pub pref_label: String,
    /// Whether `pref_label` is the official ESCO preferred label.
    pub label_exact: bool,
    /// Alternative labels.
    pub alt_labels: Vec<String>,
    /// Hidden labels (searchable, never shown).
    pub hidden_labels: Vec<String>,
    /// Definition or description.
    pub description: String,
    /// `skill/competence` or `knowledge`, if known.
    pub skill_type: Option<String>,
    /// `transversal`, `cross-sector`, `sector-specific` or `occupation-specific`, if known.
    pub reuse_level: Option<String>,
    /// ESCO status (`released`, …); only released skills are offered.
    pub status: String,
}

/// A search result.
#[derive(Debug, Clone, PartialEq)]
pub struct SkillHit {
    /// The ESCO concept URI.
    pub uri: String,
    /// Language of the matching text.
    pub lang: String,
    /// Preferred label (or a guess, see `label_exact`).
    pub label: String,
    /// Whether `label` is the official preferred label.
    pub label_exact: bool,
    /// Description.
    pub description: String,
    /// Reuse level, if known.
    pub reuse_level: Option<String>,
    /// Skill type, if known.
    pub skill_type: Option<String>,
    /// bm25 score (lower is better).
    pub score: f64,
}

/// Skills repository.
pub struct Skills<'c> {
    conn: &'c Connection,
}

impl<'c> Skills<'c> {
    pub(crate) fn new(conn: &'c Connection) -> Self {
        Self { conn }
    }

    /// Adds or updates skills and their texts in one transaction, keeping the index in step.
    /// A guessed label never replaces an exact one already stored. Returns the rows written.
    pub fn upsert(&self, entries: &[SkillEntry]) -> Result<usize, CatalogueError> {
        let tx = self.conn.unchecked_transaction()?;
        let mut written = 0;
        {
            let mut skill = tx.prepare(
                "INSERT INTO skill (uri, skill_type, reuse_level, status) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(uri) DO UPDATE SET
                     skill_type = COALESCE(excluded.skill_type, skill.skill_type),
                     reuse_level = COALESCE(excluded.reuse_level, skill.reuse_level),
                     status = excluded.status",
            )?;
            let mut existing = tx.prepare(
                "SELECT rowid, label_exact FROM skill_text WHERE uri = ?1 AND lang = ?2",
            )?;
            let mut insert_text = tx.prepare(
                "INSERT INTO skill_text (uri, lang, pref_label, label_exact, alt_labels, hidden_labels, description)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            let mut update_text = tx.prepare(
                "UPDATE skill_text SET pref_label = ?2, label_exact = ?3, alt_labels = ?4,
                     hidden_labels = ?5, description = ?6 WHERE rowid = ?1",
            )?;
            let mut delete_fts = tx.prepare("DELETE FROM skill_fts WHERE rowid = ?1")?;
            let mut insert_fts = tx.prepare(
                "INSERT INTO skill_fts (rowid, label, alt, description) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for e in entries {
                skill.execute(rusqlite::params![
                    e.uri,
                    e.skill_type,
                    e.reuse_level,
                    e.status
                ])?;
                let found: Option<(i64, bool)> = existing
                    .query_row([&e.uri, &e.lang], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                let alt = e.alt_labels.join("\n");
                let hidden = e.hidden_labels.join("\n");
                let rowid = match found {
                    Some((_, true)) if !e.label_exact => continue,
                    Some((rowid, _)) => {
                        update_text.execute(rusqlite::params![
                            rowid,
                            e.pref_label,
                            e.label_exact,
                            alt,
                            hidden,
                            e.description
                        ])?;
                        delete_fts.execute([rowid])?;
                        rowid
                    }
                    None => {
                        insert_text.execute(rusqlite::params![
                            e.uri,
                            e.lang,
                            e.pref_label,
                            e.label_exact,
                            alt,
                            hidden,
                            e.description
                        ])?;
                        tx.last_insert_rowid()
                    }
                };
                // A guessed label is only a display aid: its words are already in the
                // alternative labels, so it is not indexed twice.
                let label = if e.label_exact {
                    e.pref_label.as_str()
                } else {
                    ""
                };
                let searchable_alt = if hidden.is_empty() {
                    alt
                } else {
                    format!("{alt}\n{hidden}")
                };
                insert_fts.execute(rusqlite::params![
                    rowid,
                    label,
                    searchable_alt,
                    e.description
                ])?;
                written += 1;
            }
        }
        tx.commit()?;
        Ok(written)
    }

    /// Runs an FTS5 MATCH expression over released skills; the best `limit` skills (one hit per
    /// skill, its best-scoring language), best first. Label matches weigh 10, alternative
    /// labels 4, descriptions 1.
    pub fn search(&self, match_expr: &str, limit: u32) -> Result<Vec<SkillHit>, CatalogueError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT t.uri, t.lang, t.pref_label, t.label_exact, t.description,
                    s.reuse_level, s.skill_type, bm25(skill_fts, 10.0, 4.0, 1.0) AS score
             FROM skill_fts
             JOIN skill_text t ON t.rowid = skill_fts.rowid
             JOIN skill s ON s.uri = t.uri
             WHERE skill_fts MATCH ?1 AND s.status = 'released'
             ORDER BY score
             LIMIT ?2",
        )?;
        // Over-fetch so that several languages of one skill do not crowd out others.
        let rows = stmt.query_map(rusqlite::params![match_expr, limit * 4], |r| {
            Ok(SkillHit {
                uri: r.get(0)?,
                lang: r.get(1)?,
                label: r.get(2)?,
                label_exact: r.get(3)?,
                description: r.get(4)?,
                reuse_level: r.get(5)?,
                skill_type: r.get(6)?,
                score: r.get(7)?,
            })
        })?;
        let mut hits: Vec<SkillHit> = Vec::with_capacity(limit as usize);
        for row in rows {
            let hit = row?;
            if hits.iter().any(|h| h.uri == hit.uri) {
                continue;
            }
            hits.push(hit);
            if hits.len() >= limit as usize {
                break;
            }
        }
        Ok(hits)
    }

    /// One skill's text in `lang` (else English, else any), with its status.
    pub fn get(&self, uri: &str, lang: &str) -> Result<Option<(SkillEntry, u32)>, CatalogueError> {
        let found = self
            .conn
            .query_row(
                "SELECT t.uri, t.lang, t.pref_label, t.label_exact, t.alt_labels, t.hidden_labels,
                        t.description, s.skill_type, s.reuse_level, s.status,
                        (SELECT COUNT(*) FROM skill_text x WHERE x.uri = t.uri)
                 FROM skill_text t JOIN skill s ON s.uri = t.uri
                 WHERE t.uri = ?1
                 ORDER BY t.lang = ?2 DESC, t.lang = 'en' DESC, t.lang
                 LIMIT 1",
                [uri, lang],
                |r| {
                    let alt: String = r.get(4)?;
                    let hidden: String = r.get(5)?;
                    Ok((
                        SkillEntry {
                            uri: r.get(0)?,
                            lang: r.get(1)?,
                            pref_label: r.get(2)?,
                            label_exact: r.get(3)?,
                            alt_labels: split_lines(&alt),
                            hidden_labels: split_lines(&hidden),
                            description: r.get(6)?,
                            skill_type: r.get(7)?,
                            reuse_level: r.get(8)?,
                            status: r.get(9)?,
                        },
                        r.get(10)?,
                    ))
                },
            )
            .optional()?;
        Ok(found)
    }

    /// How many skills are offered (status `released`).
    pub fn count_released(&self) -> Result<u32, CatalogueError> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*) FROM skill WHERE status = 'released'",
            [],
            |r| r.get(0),
        )?)
    }

    /// The languages skills have texts in, with how many skills each.
    pub fn languages(&self) -> Result<Vec<(String, u32)>, CatalogueError> {
        let mut stmt = self
            .conn
            .prepare("SELECT lang, COUNT(*) FROM skill_text GROUP BY lang ORDER BY lang")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

fn split_lines(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}
