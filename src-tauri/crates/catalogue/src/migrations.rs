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
