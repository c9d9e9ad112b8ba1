//! Forward-only schema migrations, tracked in `PRAGMA user_version`.
//!
//! Each migration is one SQL batch applied in its own transaction. Columns are added, never
//! repurposed.

use rusqlite::Connection;

use crate::CatalogueError;

/// The migrations, in order; the schema version is the number applied.
const MIGRATIONS: &[&str] = &[
    // 1: settings, issued register, audit log.
    "CREATE TABLE settings (
         key   TEXT PRIMARY KEY NOT NULL,
         value TEXT NOT NULL
     );
     CREATE TABLE issued (
         credential_id      TEXT PRIMARY KEY NOT NULL,
         title              TEXT NOT NULL,
         learner            TEXT NOT NULL,
         sealed_at          TEXT NOT NULL,
         signer_fingerprint TEXT NOT NULL,
         sealed             BLOB NOT NULL
     );
     CREATE TABLE audit_log (
         id     INTEGER PRIMARY KEY AUTOINCREMENT,
         at     TEXT NOT NULL,
         action TEXT NOT NULL,
         detail TEXT NOT NULL
     );",
    // 2 (vocab): templates (every save a new version row), the template a sealed credential
    // came from, controlled vocabularies, ESCO skills with their FTS5 index.
    "CREATE TABLE template (
         id                  TEXT NOT NULL,
         version             INTEGER NOT NULL,
         name                TEXT NOT NULL,
         profile             TEXT,
         credential          TEXT NOT NULL,
         created_at          TEXT NOT NULL,
         archived_at         TEXT,
         copied_from_id      TEXT,
         copied_from_version INTEGER,
         PRIMARY KEY (id, version)
     );
     ALTER TABLE issued ADD COLUMN template_id TEXT;
     ALTER TABLE issued ADD COLUMN template_version INTEGER;
     CREATE TABLE vocabulary_concept (
         scheme      TEXT NOT NULL,
         id          TEXT NOT NULL,
         notation    TEXT,
         pref_labels TEXT NOT NULL,
         alt_labels  TEXT NOT NULL,
         broader     TEXT NOT NULL,
         status      TEXT NOT NULL,
         PRIMARY KEY (scheme, id)
     );
     CREATE INDEX vocabulary_concept_id ON vocabulary_concept (id);
     CREATE TABLE skill (
         uri         TEXT PRIMARY KEY NOT NULL,
         skill_type  TEXT,
         reuse_level TEXT,
         status      TEXT NOT NULL
     );
     CREATE TABLE skill_text (
         uri           TEXT NOT NULL REFERENCES skill (uri),
         lang          TEXT NOT NULL,
         pref_label    TEXT NOT NULL,
         label_exact   INTEGER NOT NULL,
         alt_labels    TEXT NOT NULL,
         hidden_labels TEXT NOT NULL,
         description   TEXT NOT NULL,
         UNIQUE (uri, lang)
     );
     CREATE VIRTUAL TABLE skill_fts USING fts5(
         label, alt, description,
         tokenize = 'porter unicode61 remove_diacritics 2'
     );",
    // 3 (batch): the batch journal. One row per learner; each step of a credential
    // (drafted → checked → sealed → stored, or excluded / failed) is one transaction. The issued
    // register names the batch a credential came from.
    "CREATE TABLE batch (
         id               TEXT PRIMARY KEY NOT NULL,
         template_key     TEXT NOT NULL,
         template_id      TEXT,
         template_version INTEGER,
         template         TEXT NOT NULL,
         recipients_name  TEXT NOT NULL,
         out_dir          TEXT NOT NULL,
         sheet_format     TEXT NOT NULL,
         sheet_problems   TEXT NOT NULL,
         not_used         TEXT NOT NULL,
         state            TEXT NOT NULL,
         created_at       TEXT NOT NULL,
         updated_at       TEXT NOT NULL
     );
     CREATE TABLE batch_item (
         batch_id      TEXT NOT NULL REFERENCES batch (id),
         row           INTEGER NOT NULL,
         credential_id TEXT NOT NULL UNIQUE,
         learner       TEXT NOT NULL,
         learner_key   TEXT NOT NULL,
         recipient     TEXT NOT NULL,
         problems      TEXT NOT NULL,
         state         TEXT NOT NULL,
         detail        TEXT,
         updated_at    TEXT NOT NULL,
         PRIMARY KEY (batch_id, row)
     );
     CREATE INDEX batch_item_learner ON batch_item (learner_key, state);
     ALTER TABLE issued ADD COLUMN batch_id TEXT;",
    // 4 (trust): trusted-list cache, the last good copy per territory and kind.
    "CREATE TABLE trusted_list (
         territory   TEXT NOT NULL,
         is_lotl     INTEGER NOT NULL,
         sequence    INTEGER NOT NULL,
         issued_at   TEXT NOT NULL,
         next_update TEXT,
         loaded_at   TEXT NOT NULL,
         source      TEXT NOT NULL,
         signature   TEXT NOT NULL,
         xml         BLOB NOT NULL,
         PRIMARY KEY (territory, is_lotl)
     );",
    // 5 (augment): background jobs (the outbox) and augmented versions of issued credentials.
    "CREATE TABLE job (
         id              INTEGER PRIMARY KEY AUTOINCREMENT,
         kind            TEXT NOT NULL,
         subject         TEXT NOT NULL,
         state           TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
         attempts        INTEGER NOT NULL DEFAULT 0,
         next_attempt_at INTEGER NOT NULL,
         last_error      TEXT,
         created_at      INTEGER NOT NULL,
         updated_at      INTEGER NOT NULL
     );
     CREATE INDEX job_due ON job (state, next_attempt_at);
     CREATE INDEX job_subject ON job (kind, subject);
     CREATE TABLE issued_version (
         credential_id TEXT NOT NULL REFERENCES issued (credential_id),
         version       INTEGER NOT NULL,
         level         TEXT NOT NULL,
         sealed        BLOB NOT NULL,
         created_at    INTEGER NOT NULL,
         PRIMARY KEY (credential_id, version)
     );",
];

pub(crate) fn version(conn: &Connection) -> Result<u32, CatalogueError> {
    Ok(conn.pragma_query_value(None, "user_version", |row| row.get(0))?)
}

pub(crate) fn run(conn: &mut Connection) -> Result<(), CatalogueError> {
    let supported = MIGRATIONS.len() as u32;
    let found = version(conn)?;
    if found > supported {
        return Err(CatalogueError::SchemaTooNew { found, supported });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (index + 1) as u32)?;
        tx.commit()?;
        tracing::info!(version = index + 1, "catalogue migrated");
    }
    Ok(())
}
