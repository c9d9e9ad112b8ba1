//! The batch journal: one `batch` row per batch (identity = hash of template + recipients file,
//! computed by the caller) and one `batch_item` per learner row with its state.
//!
//! States move forward only: `drafted` → `checked` → `sealed` → `stored`, or `excluded` /
//! `failed`. Each step is one transaction, or several steps one group commit
//! ([`Batches::record_steps`]). Sealing writes the issued register and the item's state in the
//! same transaction, so a crash leaves either both or neither: a resumed batch never seals a
//! row twice. JSON columns (recipient, problems) are opaque text here.

use rusqlite::{Connection, OptionalExtension};
use time::{format_description::well_known::Rfc3339, OffsetDateTime};

use crate::{CatalogueError, IssuedCredential};

/// The state of one batch row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BatchItemState {
    /// Imported, not yet built and checked.
    Drafted,
    /// Built and checked; waiting for the token.
    Checked,
    /// Sealed and in the issued register; the output file may not be written yet.
    Sealed,
    /// Sealed and written to the output folder.
    Stored,
    /// Left out by the user.
    Excluded,
    /// Could not be built or checked (detail says why).
    Failed,
}

impl BatchItemState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Drafted => "drafted",
            Self::Checked => "checked",
            Self::Sealed => "sealed",
            Self::Stored => "stored",
            Self::Excluded => "excluded",
            Self::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Result<Self, CatalogueError> {
        Ok(match s {
            "drafted" => Self::Drafted,
            "checked" => Self::Checked,
            "sealed" => Self::Sealed,
            "stored" => Self::Stored,
            "excluded" => Self::Excluded,
            "failed" => Self::Failed,
            other => {
                return Err(CatalogueError::Corrupt {
                    what: "batch_item.state",
                    detail: other.to_owned(),
                })
            }
        })
    }

    /// Whether the row is in the register (sealed or stored).
    pub fn is_sealed(self) -> bool {
        matches!(self, Self::Sealed | Self::Stored)
    }
}

/// A batch to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBatch {
    /// Batch identity (hex hash of template and recipients bytes).
    pub id: String,
    /// What identifies the template across batches (`id@version` or a content hash).
    pub template_key: String,
    /// Catalogue template id, if the template came from the catalogue.
    pub template_id: Option<String>,
    /// Catalogue template version.
    pub template_version: Option<u32>,
    /// The template JSON used for every row.
    pub template: String,
    /// The recipients file name.
    pub recipients_name: String,
    /// The output folder.
    pub out_dir: String,
    /// The kind of sheet (`sealdesk`, `edc3Recipients`, `edc1Template`).
    pub sheet_format: String,
    /// Problems of the sheet as a whole (JSON array).
    pub sheet_problems: String,
    /// Columns not used (JSON array).
    pub not_used: String,
}

/// A row to create with its batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBatchItem {
    /// The 1-based sheet row.
    pub row: u32,
    /// The credential id this row gets (derived from batch id and row).
    pub credential_id: String,
    /// The learner's name (for lists).
    pub learner: String,
    /// What makes two rows the same learner (normalised e-mail).
    pub learner_key: String,
    /// The recipient (JSON).
    pub recipient: String,
    /// Its problems (JSON array); rows with problems are not sealed until excluded or fixed.
    pub problems: String,
}

/// A stored batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchRecord {
    /// What [`NewBatch`] held.
    pub batch: NewBatch,
    /// `open`, `running`, `paused`, `cancelled`, `done`.
    pub state: String,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Last change (RFC 3339).
    pub updated_at: String,
}

/// A stored batch row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchItem {
    /// The 1-based sheet row.
    pub row: u32,
    /// Its credential id.
    pub credential_id: String,
    /// The learner's name.
    pub learner: String,
    /// Normalised learner key.
    pub learner_key: String,
    /// Recipient JSON.
    pub recipient: String,
    /// Problems JSON.
    pub problems: String,
    /// State.
    pub state: BatchItemState,
    /// Why it failed, if it did.
    pub detail: Option<String>,
}

/// How many rows of a batch are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchCounts {
    /// Drafted.
    pub drafted: u32,
    /// Checked.
    pub checked: u32,
    /// Sealed, file not yet written.
    pub sealed: u32,
    /// Sealed and written.
    pub stored: u32,
    /// Excluded.
    pub excluded: u32,
    /// Failed.
    pub failed: u32,
}

impl BatchCounts {
    /// Every row.
    pub fn total(&self) -> u32 {
        self.drafted + self.checked + self.sealed + self.stored + self.excluded + self.failed
    }
}

/// Batch-journal repository.
pub struct Batches<'c> {
    conn: &'c Connection,
}

fn ts(t: OffsetDateTime, what: &'static str) -> Result<String, CatalogueError> {
    t.format(&Rfc3339).map_err(|e| CatalogueError::Corrupt {
        what,
        detail: e.to_string(),
    })
}

const ITEM_COLUMNS: &str =
    "row, credential_id, learner, learner_key, recipient, problems, state, detail";

fn item_of(row: &rusqlite::Row<'_>) -> rusqlite::Result<(BatchItem, String)> {
    let state: String = row.get(6)?;
    Ok((
        BatchItem {
            row: row.get(0)?,
            credential_id: row.get(1)?,
            learner: row.get(2)?,
            learner_key: row.get(3)?,
            recipient: row.get(4)?,
            problems: row.get(5)?,
            state: BatchItemState::Drafted,
            detail: row.get(7)?,
        },
        state,
    ))
}

fn finish_item((mut item, state): (BatchItem, String)) -> Result<BatchItem, CatalogueError> {
    item.state = BatchItemState::parse(&state)?;
    Ok(item)
}

impl<'c> Batches<'c> {
    pub(crate) fn new(conn: &'c Connection) -> Self {
        Self { conn }
    }

    /// Makes commits cheap enough for one transaction per step: WAL with `synchronous=NORMAL`
    /// keeps every committed step across a process crash (SIGKILL); only a power cut may lose
    /// the last steps, never consistency. Call before a long batch.
    pub fn prepare_for_batch(&self) -> Result<(), CatalogueError> {
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        Ok(())
    }

    /// Creates the batch with its rows in one transaction. Returns `false` (and changes
    /// nothing) when a batch with this id exists already: that batch is resumed instead.
    pub fn create(
        &self,
        batch: &NewBatch,
        items: &[NewBatchItem],
        now: OffsetDateTime,
    ) -> Result<bool, CatalogueError> {
        let now = ts(now, "batch.created_at")?;
        let tx = self.conn.unchecked_transaction()?;
        let inserted = tx.execute(
            "INSERT OR IGNORE INTO batch (id, template_key, template_id, template_version, template,
                 recipients_name, out_dir, sheet_format, sheet_problems, not_used, state,
                 created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'open', ?11, ?11)",
            rusqlite::params![
                batch.id,
                batch.template_key,
                batch.template_id,
                batch.template_version,
                batch.template,
                batch.recipients_name,
                batch.out_dir,
                batch.sheet_format,
                batch.sheet_problems,
                batch.not_used,
                now,
            ],
        )?;
        if inserted == 0 {
            return Ok(false);
        }
        {
            let mut stmt = tx.prepare(
                "INSERT INTO batch_item (batch_id, row, credential_id, learner, learner_key,
                     recipient, problems, state, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'drafted', ?8)",
            )?;
            for item in items {
                stmt.execute(rusqlite::params![
                    batch.id,
                    item.row,
                    item.credential_id,
                    item.learner,
                    item.learner_key,
                    item.recipient,
                    item.problems,
                    now,
                ])?;
            }
        }
        tx.commit()?;
        Ok(true)
    }

    /// The batch with this id.
    pub fn get(&self, id: &str) -> Result<Option<BatchRecord>, CatalogueError> {
        self.conn
            .query_row(
                "SELECT id, template_key, template_id, template_version, template, recipients_name,
                     out_dir, sheet_format, sheet_problems, not_used, state, created_at, updated_at
                 FROM batch WHERE id = ?1",
                [id],
                record_of,
            )
            .optional()
            .map_err(Into::into)
    }

    /// Every batch, newest first.
    pub fn list(&self) -> Result<Vec<BatchRecord>, CatalogueError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, template_key, template_id, template_version, template, recipients_name,
                 out_dir, sheet_format, sheet_problems, not_used, state, created_at, updated_at
             FROM batch ORDER BY created_at DESC, id",
        )?;
        let rows = stmt.query_map([], record_of)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Sets the batch state (`open`, `running`, `paused`, `cancelled`, `done`).
    pub fn set_state(
        &self,
        id: &str,
        state: &str,
        now: OffsetDateTime,
    ) -> Result<(), CatalogueError> {
        let changed = self.conn.execute(
            "UPDATE batch SET state = ?2, updated_at = ?3 WHERE id = ?1",
            rusqlite::params![id, state, ts(now, "batch.updated_at")?],
        )?;
        if changed == 0 {
            return Err(CatalogueError::BatchNotFound { id: id.to_owned() });
        }
        Ok(())
    }

    /// The rows of a batch in sheet order.
    pub fn items(&self, id: &str) -> Result<Vec<BatchItem>, CatalogueError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {ITEM_COLUMNS} FROM batch_item WHERE batch_id = ?1 ORDER BY row"
        ))?;
        let rows = stmt.query_map([id], item_of)?;
        rows.map(|r| finish_item(r?)).collect()
    }

    /// One row of a batch.
    pub fn item(&self, id: &str, row: u32) -> Result<Option<BatchItem>, CatalogueError> {
        self.conn
            .query_row(
                &format!("SELECT {ITEM_COLUMNS} FROM batch_item WHERE batch_id = ?1 AND row = ?2"),
                rusqlite::params![id, row],
                item_of,
            )
            .optional()?
            .map(finish_item)
            .transpose()
    }

    /// How many rows are in each state.
    pub fn counts(&self, id: &str) -> Result<BatchCounts, CatalogueError> {
        let mut stmt = self
            .conn
            .prepare("SELECT state, COUNT(*) FROM batch_item WHERE batch_id = ?1 GROUP BY state")?;
        let mut counts = BatchCounts::default();
        let rows = stmt.query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?)))?;
        for row in rows {
            let (state, n) = row?;
            match BatchItemState::parse(&state)? {
                BatchItemState::Drafted => counts.drafted = n,
                BatchItemState::Checked => counts.checked = n,
                BatchItemState::Sealed => counts.sealed = n,
                BatchItemState::Stored => counts.stored = n,
                BatchItemState::Excluded => counts.excluded = n,
                BatchItemState::Failed => counts.failed = n,
            }
        }
        Ok(counts)
    }

    /// Excludes a row from sealing (or takes it back in, as `drafted`). Sealed rows are locked.
    pub fn set_excluded(
        &self,
        id: &str,
        row: u32,
        excluded: bool,
        now: OffsetDateTime,
    ) -> Result<(), CatalogueError> {
        let item = self
            .item(id, row)?
            .ok_or_else(|| CatalogueError::BatchRowLocked {
                batch: id.to_owned(),
                row,
                state: "not in the batch".to_owned(),
            })?;
        if item.state.is_sealed() {
            return Err(CatalogueError::BatchRowLocked {
                batch: id.to_owned(),
                row,
                state: item.state.as_str().to_owned(),
            });
        }
        let state = if excluded {
            BatchItemState::Excluded
        } else {
            BatchItemState::Drafted
        };
        self.step(id, row, state, None, now)
    }

    /// Moves a row to `checked` or `failed` (with a detail); one transaction.
    pub fn step(
        &self,
        id: &str,
        row: u32,
        state: BatchItemState,
        detail: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<(), CatalogueError> {
        step_on(
            self.conn,
            id,
            row,
            state,
            detail,
            &ts(now, "batch_item.updated_at")?,
        )
    }

    /// Records a sealed row: the issued register entry (with template and batch) and the row's
    /// `sealed` state, in one transaction. A row already sealed is refused
    /// ([`CatalogueError::AlreadyIssued`]) and nothing changes.
    pub fn record_sealed(
        &self,
        id: &str,
        row: u32,
        issued: &IssuedCredential,
        template_id: Option<&str>,
        template_version: Option<u32>,
        now: OffsetDateTime,
    ) -> Result<(), CatalogueError> {
        let tx = self.conn.unchecked_transaction()?;
        let now = ts(now, "batch_item.updated_at")?;
        // An error drops the transaction, which rolls the register entry back.
        sealed_on(&tx, id, row, issued, template_id, template_version, &now)?;
        tx.commit()?;
        Ok(())
    }

    /// Records that a sealed row's file is written.
    pub fn record_stored(
        &self,
        id: &str,
        row: u32,
        now: OffsetDateTime,
    ) -> Result<(), CatalogueError> {
        stored_on(self.conn, id, row, &ts(now, "batch_item.updated_at")?)
    }

    /// Records several steps of a batch's rows in ONE transaction (a group commit), in order,
    /// each with the rules of [`Batches::step`], [`Batches::record_sealed`] and
    /// [`Batches::record_stored`]. All or nothing: if any step is refused, none is kept (a
    /// crash before the commit likewise keeps none), so a row is never in the register without
    /// its `sealed` state, nor `stored` before its file exists if the caller writes the file
    /// before handing over its `Stored` step.
    pub fn record_steps(
        &self,
        id: &str,
        steps: &[BatchStep<'_>],
        template_id: Option<&str>,
        template_version: Option<u32>,
        now: OffsetDateTime,
    ) -> Result<(), CatalogueError> {
        if steps.is_empty() {
            return Ok(());
        }
        let now = ts(now, "batch_item.updated_at")?;
        let tx = self.conn.unchecked_transaction()?;
        for step in steps {
            match *step {
                BatchStep::Checked { row } => {
                    step_on(&tx, id, row, BatchItemState::Checked, None, &now)?
                }
                BatchStep::Failed { row, detail } => {
                    step_on(&tx, id, row, BatchItemState::Failed, Some(detail), &now)?
                }
                BatchStep::Sealed { row, issued } => {
                    sealed_on(&tx, id, row, issued, template_id, template_version, &now)?
                }
                BatchStep::Stored { row } => stored_on(&tx, id, row, &now)?,
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// A credential already sealed for this learner from this template in another batch.
    pub fn issued_elsewhere(
        &self,
        learner_key: &str,
        template_key: &str,
        except_batch: &str,
    ) -> Result<Option<String>, CatalogueError> {
        Ok(self
            .conn
            .query_row(
                "SELECT i.credential_id FROM batch_item i JOIN batch b ON b.id = i.batch_id
                 WHERE i.learner_key = ?1 AND b.template_key = ?2 AND b.id != ?3
                   AND i.state IN ('sealed', 'stored')
                 LIMIT 1",
                rusqlite::params![learner_key, template_key, except_batch],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The sealed bytes of a batch's rows in `sealed` state (file not yet written).
    pub fn sealed_unstored(&self, id: &str) -> Result<Vec<(u32, String, Vec<u8>)>, CatalogueError> {
        let mut stmt = self.conn.prepare(
            "SELECT i.row, i.credential_id, r.sealed FROM batch_item i
             JOIN issued r ON r.credential_id = i.credential_id
             WHERE i.batch_id = ?1 AND i.state = 'sealed' ORDER BY i.row",
        )?;
        let rows = stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// One journal step of a batch row, for [`Batches::record_steps`].
#[derive(Debug, Clone, Copy)]
pub enum BatchStep<'a> {
    /// Built and checked.
    Checked {
        /// The sheet row.
        row: u32,
    },
    /// Could not be built or checked.
    Failed {
        /// The sheet row.
        row: u32,
        /// Why.
        detail: &'a str,
    },
    /// Sealed: its register entry and the `sealed` state.
    Sealed {
        /// The sheet row.
        row: u32,
        /// The register entry.
        issued: &'a IssuedCredential,
    },
    /// Its file is written.
    Stored {
        /// The sheet row.
        row: u32,
    },
}

// The statements of the steps are prepared once per connection (`prepare_cached`): parsing
// the SQL again for every row cost more than running it.

fn step_on(
    conn: &Connection,
    id: &str,
    row: u32,
    state: BatchItemState,
    detail: Option<&str>,
    now: &str,
) -> Result<(), CatalogueError> {
    let changed = conn
        .prepare_cached(
            "UPDATE batch_item SET state = ?3, detail = ?4, updated_at = ?5
             WHERE batch_id = ?1 AND row = ?2 AND state NOT IN ('sealed', 'stored')",
        )?
        .execute(rusqlite::params![id, row, state.as_str(), detail, now])?;
    if changed == 0 {
        return Err(CatalogueError::BatchRowLocked {
            batch: id.to_owned(),
            row,
            state: "sealed or missing".to_owned(),
        });
    }
    Ok(())
}

/// The register entry and the `sealed` state; the caller's transaction makes them one step.
fn sealed_on(
    conn: &Connection,
    id: &str,
    row: u32,
    issued: &IssuedCredential,
    template_id: Option<&str>,
    template_version: Option<u32>,
    now: &str,
) -> Result<(), CatalogueError> {
    let sealed_at = ts(issued.sealed_at, "issued.sealed_at")?;
    let inserted = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO issued (credential_id, title, learner, sealed_at,
                 signer_fingerprint, sealed, template_id, template_version, batch_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(rusqlite::params![
            issued.credential_id,
            issued.title,
            issued.learner,
            sealed_at,
            issued.signer_fingerprint,
            issued.sealed,
            template_id,
            template_version,
            id,
        ])?;
    if inserted == 0 {
        return Err(CatalogueError::AlreadyIssued {
            id: issued.credential_id.clone(),
        });
    }
    let changed = conn
        .prepare_cached(
            "UPDATE batch_item SET state = 'sealed', detail = NULL, updated_at = ?3
             WHERE batch_id = ?1 AND row = ?2 AND state NOT IN ('sealed', 'stored', 'excluded')",
        )?
        .execute(rusqlite::params![id, row, now])?;
    if changed == 0 {
        return Err(CatalogueError::BatchRowLocked {
            batch: id.to_owned(),
            row,
            state: "sealed, excluded or missing".to_owned(),
        });
    }
    Ok(())
}

fn stored_on(conn: &Connection, id: &str, row: u32, now: &str) -> Result<(), CatalogueError> {
    let changed = conn
        .prepare_cached(
            "UPDATE batch_item SET state = 'stored', updated_at = ?3
             WHERE batch_id = ?1 AND row = ?2 AND state IN ('sealed', 'stored')",
        )?
        .execute(rusqlite::params![id, row, now])?;
    if changed == 0 {
        return Err(CatalogueError::BatchRowLocked {
            batch: id.to_owned(),
            row,
            state: "not sealed".to_owned(),
        });
    }
    Ok(())
}

fn record_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<BatchRecord> {
    Ok(BatchRecord {
        batch: NewBatch {
            id: r.get(0)?,
            template_key: r.get(1)?,
            template_id: r.get(2)?,
            template_version: r.get(3)?,
            template: r.get(4)?,
            recipients_name: r.get(5)?,
            out_dir: r.get(6)?,
            sheet_format: r.get(7)?,
            sheet_problems: r.get(8)?,
            not_used: r.get(9)?,
        },
        state: r.get(10)?,
        created_at: r.get(11)?,
        updated_at: r.get(12)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Catalogue;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-03-01 10:00 UTC);

    fn batch_of(catalogue: &Catalogue, rows: u32) {
        let items: Vec<NewBatchItem> = (1..=rows)
            .map(|row| NewBatchItem {
                row,
                credential_id: format!("urn:credential:{row}"),
                learner: format!("Learner {row}"),
                learner_key: format!("l{row}@example.org"),
                recipient: "{}".to_owned(),
                problems: "[]".to_owned(),
            })
            .collect();
        let batch = NewBatch {
            id: "b1".to_owned(),
            template_key: "t".to_owned(),
            template_id: None,
            template_version: None,
            template: "{}".to_owned(),
            recipients_name: "r.xlsx".to_owned(),
            out_dir: "out".to_owned(),
            sheet_format: "sealdesk".to_owned(),
            sheet_problems: "[]".to_owned(),
            not_used: "[]".to_owned(),
        };
        assert!(
            catalogue
                .batches()
                .create(&batch, &items, NOW)
                .expect("create"),
            "new batch"
        );
    }

    fn issued(row: u32) -> IssuedCredential {
        IssuedCredential {
            credential_id: format!("urn:credential:{row}"),
            title: "Title".to_owned(),
            learner: format!("Learner {row}"),
            sealed_at: NOW,
            signer_fingerprint: "ab".to_owned(),
            sealed: vec![b'x'; 10],
        }
    }

    #[test]
    fn a_group_commit_keeps_all_its_steps_or_none() {
        let catalogue = Catalogue::open_in_memory().expect("catalogue");
        batch_of(&catalogue, 3);
        let batches = catalogue.batches();
        let (one, two) = (issued(1), issued(2));
        batches
            .record_steps(
                "b1",
                &[
                    BatchStep::Checked { row: 1 },
                    BatchStep::Sealed {
                        row: 1,
                        issued: &one,
                    },
                    BatchStep::Checked { row: 2 },
                    BatchStep::Failed {
                        row: 3,
                        detail: "bad",
                    },
                ],
                None,
                None,
                NOW,
            )
            .expect("first group");
        let state = |row| batches.item("b1", row).expect("item").expect("row").state;
        assert_eq!(state(1), BatchItemState::Sealed, "row 1 sealed");
        assert_eq!(state(2), BatchItemState::Checked, "row 2 checked");
        assert_eq!(state(3), BatchItemState::Failed, "row 3 failed");

        // Row 1 stored and row 2 sealed, then a step the journal refuses (row 3 was never
        // sealed, so it cannot be stored): the whole group is rolled back.
        let err = batches
            .record_steps(
                "b1",
                &[
                    BatchStep::Stored { row: 1 },
                    BatchStep::Sealed {
                        row: 2,
                        issued: &two,
                    },
                    BatchStep::Stored { row: 3 },
                ],
                None,
                None,
                NOW,
            )
            .expect_err("row 3 cannot be stored");
        assert!(
            matches!(err, CatalogueError::BatchRowLocked { row: 3, .. }),
            "the refused step is named: {err:?}"
        );
        assert_eq!(
            state(1),
            BatchItemState::Sealed,
            "row 1's stored step rolled back"
        );
        assert_eq!(
            state(2),
            BatchItemState::Checked,
            "row 2's seal rolled back"
        );
        assert!(
            catalogue
                .issued()
                .get("urn:credential:2")
                .expect("register")
                .is_none(),
            "row 2 is not in the register without its sealed state"
        );

        // Sealing a row twice in one group is refused, and nothing of the group is kept.
        let err = batches
            .record_steps(
                "b1",
                &[
                    BatchStep::Sealed {
                        row: 2,
                        issued: &two,
                    },
                    BatchStep::Sealed {
                        row: 2,
                        issued: &two,
                    },
                ],
                None,
                None,
                NOW,
            )
            .expect_err("double seal");
        assert!(
            matches!(err, CatalogueError::AlreadyIssued { .. }),
            "a second seal of a row is refused: {err:?}"
        );
        assert_eq!(
            state(2),
            BatchItemState::Checked,
            "nothing of the group kept"
        );
        assert_eq!(
            batches.sealed_unstored("b1").expect("unstored").len(),
            1,
            "only row 1 is sealed and waits for its file"
        );
    }
}
