//! Key-value settings.

use rusqlite::{Connection, OptionalExtension};

use crate::CatalogueError;

/// Settings repository.
pub struct Settings<'c> {
    conn: &'c Connection,
}

impl<'c> Settings<'c> {
    pub(crate) fn new(conn: &'c Connection) -> Self {
        Self { conn }
    }

    /// The value of `key`, if set.
    pub fn get(&self, key: &str) -> Result<Option<String>, CatalogueError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| {
                row.get(0)
            })
            .optional()?)
    }

    /// Sets `key` to `value`, replacing any earlier value.
    pub fn set(&self, key: &str, value: &str) -> Result<(), CatalogueError> {
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }

    /// All settings, sorted by key.
    pub fn all(&self) -> Result<Vec<(String, String)>, CatalogueError> {
        let mut stmt = self
            .conn
            .prepare("SELECT key, value FROM settings ORDER BY key")?;
        let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
