//! Deliveries: the bookkeeping beside a mail or wallet job (jobs table) that makes delivery
//! exactly-once as far as a server's answer can tell.
//!
//! Before a mail is handed to the server, [`Deliveries::begin`] records its Message-ID and the
//! moment (`sending_at`); the server's acceptance (the SMTP 250 after DATA, a wallet's 2xx or
//! 409) is recorded by [`Deliveries::accept`] at once, before the job is closed. A job found
//! `running` after a crash is therefore either accepted (close it, send nothing) or not (send
//! again, with the same Message-ID while the first send's fate is unknown). Times are Unix
//! seconds; the caller supplies them.

use rusqlite::{Connection, OptionalExtension};
use time::OffsetDateTime;

use crate::CatalogueError;

/// The bookkeeping of one delivery job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The job (jobs table).
    pub job_id: i64,
    /// `mail` or `wallet`.
    pub channel: String,
    /// The credential delivered.
    pub credential_id: String,
    /// Folder where a sealed PDF of the credential may be (`<uuid>.pdf`).
    pub attachment_dir: Option<String>,
    /// Which message this is (the attempt number in its Message-ID); 0 before the first.
    pub message_attempt: u32,
    /// The current message's id.
    pub message_id: Option<String>,
    /// When the current message was handed to the server, its fate not yet known.
    pub sending_at: Option<OffsetDateTime>,
    /// When the server accepted it.
    pub accepted_at: Option<OffsetDateTime>,
    /// The server's last reply (or the failure).
    pub last_reply: Option<String>,
    /// When a person cancelled it.
    pub cancelled_at: Option<OffsetDateTime>,
}

/// Deliveries repository.
pub struct Deliveries<'c> {
    conn: &'c Connection,
}

const COLUMNS: &str = "job_id, channel, credential_id, attachment_dir, message_attempt, \
    message_id, sending_at, accepted_at, last_reply, cancelled_at";

impl<'c> Deliveries<'c> {
    pub(crate) fn new(conn: &'c Connection) -> Self {
        Self { conn }
    }

    /// Adds the bookkeeping row of a new job (nothing if it exists).
    pub fn create(
        &self,
        job_id: i64,
        channel: &str,
        credential_id: &str,
        attachment_dir: Option<&str>,
    ) -> Result<(), CatalogueError> {
        self.conn.execute(
            "INSERT OR IGNORE INTO delivery (job_id, channel, credential_id, attachment_dir)
             VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![job_id, channel, credential_id, attachment_dir],
        )?;
        Ok(())
    }

    /// The row of a job.
    pub fn get(&self, job_id: i64) -> Result<Option<Delivery>, CatalogueError> {
        self.conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM delivery WHERE job_id = ?1"),
                [job_id],
                raw,
            )
            .optional()?
            .map(finish)
            .transpose()
    }

    /// The newest delivery of `credential_id` over `channel`.
    pub fn latest(
        &self,
        channel: &str,
        credential_id: &str,
    ) -> Result<Option<Delivery>, CatalogueError> {
        self.conn
            .query_row(
                &format!(
                    "SELECT {COLUMNS} FROM delivery WHERE channel = ?1 AND credential_id = ?2
                     ORDER BY job_id DESC LIMIT 1"
                ),
                [channel, credential_id],
                raw,
            )
            .optional()?
            .map(finish)
            .transpose()
    }

    /// Every delivery, newest first.
    pub fn list(&self) -> Result<Vec<Delivery>, CatalogueError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM delivery ORDER BY job_id DESC"
        ))?;
        let rows = stmt.query_map([], raw)?;
        rows.map(|r| finish(r?)).collect()
    }

    /// Deliveries whose job is `running`: after a crash, their worker is gone.
    pub fn in_flight(&self) -> Result<Vec<Delivery>, CatalogueError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {} FROM delivery d JOIN job j ON j.id = d.job_id
             WHERE j.state = 'running' ORDER BY d.job_id",
            COLUMNS
                .split(", ")
                .map(|c| format!("d.{}", c.trim()))
                .collect::<Vec<_>>()
                .join(", ")
        ))?;
        let rows = stmt.query_map([], raw)?;
        rows.map(|r| finish(r?)).collect()
    }

    /// Records that message `message_attempt` with `message_id` is being handed to the server.
    pub fn begin(
        &self,
        job_id: i64,
        message_attempt: u32,
        message_id: &str,
        now: OffsetDateTime,
    ) -> Result<(), CatalogueError> {
        self.update(
            "UPDATE delivery SET message_attempt = ?2, message_id = ?3, sending_at = ?4
             WHERE job_id = ?1",
            rusqlite::params![job_id, message_attempt, message_id, now.unix_timestamp()],
            job_id,
        )
    }

    /// Records the server's acceptance (call at once, before closing the job).
    pub fn accept(
        &self,
        job_id: i64,
        reply: &str,
        now: OffsetDateTime,
    ) -> Result<(), CatalogueError> {
        self.update(
            "UPDATE delivery SET accepted_at = ?2, last_reply = ?3 WHERE job_id = ?1",
            rusqlite::params![job_id, now.unix_timestamp(), reply],
            job_id,
        )
    }

    /// Records a definite refusal: the server does not have the message (the next attempt is a
    /// new message).
    pub fn refused(&self, job_id: i64, reply: &str) -> Result<(), CatalogueError> {
        self.update(
            "UPDATE delivery SET sending_at = NULL, last_reply = ?2 WHERE job_id = ?1",
            rusqlite::params![job_id, reply],
            job_id,
        )
    }

    /// Records a reply or failure whose outcome is unknown (the message may have arrived):
    /// `sending_at` stays, so the next attempt resends the same message.
    pub fn uncertain(&self, job_id: i64, reason: &str) -> Result<(), CatalogueError> {
        self.update(
            "UPDATE delivery SET last_reply = ?2 WHERE job_id = ?1",
            rusqlite::params![job_id, reason],
            job_id,
        )
    }

    /// Puts a `running` job back to `queued`, due at `due`, without counting the attempt
    /// (offline: nothing was tried, or a crashed worker's job is taken over).
    pub fn release(
        &self,
        job_id: i64,
        uncount: bool,
        due: OffsetDateTime,
        note: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<(), CatalogueError> {
        self.conn.execute(
            "UPDATE job SET state = 'queued', next_attempt_at = ?2, updated_at = ?3,
                 attempts = CASE WHEN ?4 AND attempts > 0 THEN attempts - 1 ELSE attempts END,
                 last_error = COALESCE(?5, last_error)
             WHERE id = ?1 AND state = 'running'",
            rusqlite::params![
                job_id,
                due.unix_timestamp(),
                now.unix_timestamp(),
                uncount,
                note
            ],
        )?;
        Ok(())
    }

    /// Cancels a waiting or failed delivery: its job becomes `failed` ("cancelled") and the
    /// row remembers when. A job being sent or already done cannot be cancelled (`false`).
    pub fn cancel(&self, job_id: i64, now: OffsetDateTime) -> Result<bool, CatalogueError> {
        let n = self.conn.execute(
            "UPDATE job SET state = 'failed', last_error = 'cancelled', updated_at = ?2
             WHERE id = ?1 AND state IN ('queued', 'failed')
               AND EXISTS (SELECT 1 FROM delivery WHERE job_id = ?1)",
            rusqlite::params![job_id, now.unix_timestamp()],
        )?;
        if n == 1 {
            self.conn.execute(
                "UPDATE delivery SET cancelled_at = ?2 WHERE job_id = ?1",
                rusqlite::params![job_id, now.unix_timestamp()],
            )?;
        }
        Ok(n == 1)
    }

    /// Forgets a cancellation (the job is being retried).
    pub fn uncancel(&self, job_id: i64) -> Result<(), CatalogueError> {
        self.conn.execute(
            "UPDATE delivery SET cancelled_at = NULL WHERE job_id = ?1",
            [job_id],
        )?;
        Ok(())
    }

    fn update(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        job_id: i64,
    ) -> Result<(), CatalogueError> {
        if self.conn.execute(sql, params)? == 0 {
            return Err(CatalogueError::JobNotFound { id: job_id });
        }
        Ok(())
    }
}

type RawDelivery = (
    i64,
    String,
    String,
    Option<String>,
    u32,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<i64>,
);

fn raw(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawDelivery> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
    ))
}

fn finish(raw: RawDelivery) -> Result<Delivery, CatalogueError> {
    let (
        job_id,
        channel,
        credential_id,
        attachment_dir,
        attempt,
        message_id,
        sending,
        accepted,
        reply,
        cancelled,
    ) = raw;
    let time = |secs: Option<i64>, what| {
        secs.map(|s| {
            OffsetDateTime::from_unix_timestamp(s).map_err(|e| CatalogueError::Corrupt {
                what,
                detail: e.to_string(),
            })
        })
        .transpose()
    };
    Ok(Delivery {
        job_id,
        channel,
        credential_id,
        attachment_dir,
        message_attempt: attempt,
        message_id,
        sending_at: time(sending, "delivery.sending_at")?,
        accepted_at: time(accepted, "delivery.accepted_at")?,
        last_reply: reply,
        cancelled_at: time(cancelled, "delivery.cancelled_at")?,
    })
}
