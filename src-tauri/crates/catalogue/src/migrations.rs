//! Forward-only schema migrations, tracked in `PRAGMA user_version`.
//!
//! Each migration is one SQL batch. The pending ones are applied in one transaction that takes
//! the write lock first and reads the version again under it, so the app and the CLI opening a
//! new catalogue at the same moment cannot both apply a migration. Columns are added, never
//! repurposed.

use rusqlite::{Connection, TransactionBehavior};

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
    // 6 (outbox): one row per delivery job (mail, wallet deposit): the message id of the
    // current attempt, when it was handed to the server, when the server accepted it (the
    // SMTP 250 after DATA; recorded at once, before the job is closed), the last reply.
    "CREATE TABLE delivery (
         job_id          INTEGER PRIMARY KEY REFERENCES job (id),
         channel         TEXT NOT NULL CHECK (channel IN ('mail', 'wallet')),
         credential_id   TEXT NOT NULL,
         attachment_dir  TEXT,
         message_attempt INTEGER NOT NULL DEFAULT 0,
         message_id      TEXT,
         sending_at      INTEGER,
         accepted_at     INTEGER,
         last_reply      TEXT,
         cancelled_at    INTEGER
     );
     CREATE INDEX delivery_credential ON delivery (credential_id, channel);",
    // 7 (agreements): learning opportunities (every save and review step a version), their
    // review steps, the templates made from them; MCRAs (every save a version).
    "CREATE TABLE learning_opportunity (
         id       TEXT NOT NULL,
         version  INTEGER NOT NULL,
         state    TEXT NOT NULL
                  CHECK (state IN ('draft', 'submitted', 'approved', 'changes_requested')),
         title    TEXT NOT NULL,
         document TEXT NOT NULL,
         saved_at TEXT NOT NULL,
         PRIMARY KEY (id, version)
     );
     CREATE TABLE lo_review (
         id         INTEGER PRIMARY KEY AUTOINCREMENT,
         lo_id      TEXT NOT NULL,
         lo_version INTEGER NOT NULL,
         from_state TEXT NOT NULL,
         to_state   TEXT NOT NULL,
         actor      TEXT NOT NULL,
         comment    TEXT,
         at         TEXT NOT NULL,
         FOREIGN KEY (lo_id, lo_version) REFERENCES learning_opportunity (id, version)
     );
     CREATE INDEX lo_review_lo ON lo_review (lo_id, id);
     CREATE TABLE lo_template (
         lo_id            TEXT NOT NULL,
         lo_version       INTEGER NOT NULL,
         template_id      TEXT NOT NULL,
         template_version INTEGER NOT NULL,
         created_at       TEXT NOT NULL,
         PRIMARY KEY (template_id, template_version),
         FOREIGN KEY (lo_id, lo_version) REFERENCES learning_opportunity (id, version),
         FOREIGN KEY (template_id, template_version) REFERENCES template (id, version)
     );
     CREATE INDEX lo_template_lo ON lo_template (lo_id);
     CREATE TABLE mcra (
         id       TEXT NOT NULL,
         version  INTEGER NOT NULL,
         state    TEXT NOT NULL
                  CHECK (state IN ('draft', 'sent_for_review', 'agreed', 'signed', 'shared')),
         title    TEXT NOT NULL,
         partner  TEXT NOT NULL,
         document TEXT NOT NULL,
         saved_at TEXT NOT NULL,
         origin   TEXT NOT NULL,
         PRIMARY KEY (id, version)
     );
     CREATE INDEX mcra_partner ON mcra (partner, state);",
];

pub(crate) fn version(conn: &Connection) -> Result<u32, CatalogueError> {
    Ok(conn.pragma_query_value(None, "user_version", |row| row.get(0))?)
}

pub(crate) fn run(conn: &mut Connection) -> Result<(), CatalogueError> {
    let supported = MIGRATIONS.len() as u32;
    let check = |found: u32| {
        if found > supported {
            Err(CatalogueError::SchemaTooNew { found, supported })
        } else {
            Ok(found)
        }
    };
    // Up to date: no write lock needed.
    if check(version(conn)?)? == supported {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found = check(version(&tx)?)?;
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (index + 1) as u32)?;
        tracing::info!(version = index + 1, "catalogue migrated");
    }
    tx.commit()?;
    Ok(())
}
