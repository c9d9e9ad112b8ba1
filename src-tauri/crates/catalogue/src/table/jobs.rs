//! Background jobs (the outbox): seal augmentation, archive renewal, later mail delivery.
//!
//! A job names a `kind` and a `subject` (a credential id); it is `queued` until due, `running`
//! while a worker holds it, then `done`, or back to `queued` with an exponential back-off with
//! jitter after a failure, and `failed` once its attempts are spent (a person can `retry` it).
//! Times are stored as Unix seconds (UTC). The caller supplies every time and the jitter, so
//! the schedule is testable; nothing here reads the clock.

use rusqlite::{Connection, OptionalExtension};
use time::{Duration, OffsetDateTime};

use crate::CatalogueError;

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// Waiting for its `next_attempt_at`.
    Queued,
    /// Held by a worker.
    Running,
    /// Finished.
    Done,
    /// Out of attempts (or refused for good); `retry` re-queues it.
    Failed,
}

impl JobState {
    /// `queued`, `running`, `done`, `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Result<Self, CatalogueError> {
        Ok(match text {
            "queued" => Self::Queued,
            "running" => Self::Running,
            "done" => Self::Done,
            "failed" => Self::Failed,
            other => {
                return Err(CatalogueError::Corrupt {
                    what: "job.state",
                    detail: other.to_owned(),
                })
            }
        })
    }
}

/// One job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// Row id.
    pub id: i64,
    /// What to do (`augment`, `renew-archive`, …).
    pub kind: String,
    /// What to do it to (a credential id).
    pub subject: String,
    /// Where it is.
    pub state: JobState,
    /// Attempts started so far.
    pub attempts: u32,
    /// When it is due (queued) or was last scheduled.
    pub next_attempt_at: OffsetDateTime,
    /// The last failure, in plain words (no personal data).
    pub last_error: Option<String>,
    /// When it was queued.
    pub created_at: OffsetDateTime,
    /// When it last changed.
    pub updated_at: OffsetDateTime,
}

/// Exponential back-off: `base * 2^(attempts-1)`, capped at `max`, with "equal jitter"
/// (half fixed, half random), and `max_attempts` before a job fails for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// First delay.
    pub base: Duration,
    /// Largest delay.
    pub max: Duration,
    /// Attempts before the job is `failed`.
    pub max_attempts: u32,
}

impl Default for Backoff {
    /// 1 min, doubling, at most 6 h, 20 attempts (about four days of trying).
    fn default() -> Self {
        Self {
            base: Duration::minutes(1),
            max: Duration::hours(6),
            max_attempts: 20,
        }
    }
}

impl Backoff {
    /// The delay after `attempts` failed attempts; `jitter` in `[0, 1]` picks within the upper half.
    pub fn delay(&self, attempts: u32, jitter: f64) -> Duration {
        let exp = attempts.saturating_sub(1).min(30);
        let full = self
            .base
            .checked_mul(1i32 << exp.min(30))
            .unwrap_or(self.max)
            .min(self.max);
        let jitter = jitter.clamp(0.0, 1.0);
        full / 2 + (full / 2) * jitter
    }
}

/// Jobs repository.
pub struct Jobs<'c> {
    conn: &'c Connection,
}

const COLUMNS: &str =
    "id, kind, subject, state, attempts, next_attempt_at, last_error, created_at, updated_at";

impl<'c> Jobs<'c> {
    pub(crate) fn new(conn: &'c Connection) -> Self {
        Self { conn }
    }

    /// Queues `kind` for `subject`, due at `due`. If the same kind is already queued or running
    /// for the subject, that job's id is returned and nothing is added.
    pub fn enqueue(
        &self,
        kind: &str,
        subject: &str,
        due: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<i64, CatalogueError> {
        let open: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM job WHERE kind = ?1 AND subject = ?2 AND state IN ('queued', 'running')",
                [kind, subject],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(id) = open {
            return Ok(id);
        }
        self.conn.execute(
            "INSERT INTO job (kind, subject, state, attempts, next_attempt_at, created_at, updated_at)
             VALUES (?1, ?2, 'queued', 0, ?3, ?4, ?4)",
            rusqlite::params![kind, subject, due.unix_timestamp(), now.unix_timestamp()],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Queued jobs of the given kinds due at `now`, oldest due first.
    pub fn due(&self, kinds: &[&str], now: OffsetDateTime) -> Result<Vec<Job>, CatalogueError> {
        let mut out = Vec::new();
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM job WHERE state = 'queued' AND next_attempt_at <= ?1
             ORDER BY next_attempt_at, id"
        ))?;
        let rows = stmt.query_map([now.unix_timestamp()], raw)?;
        for row in rows {
            let job = finish(row?)?;
            if kinds.contains(&job.kind.as_str()) {
                out.push(job);
            }
        }
        Ok(out)
    }

    /// Marks a queued job as running and counts the attempt. `false` if it was not queued
    /// (another worker took it).
    pub fn start(&self, id: i64, now: OffsetDateTime) -> Result<bool, CatalogueError> {
        let n = self.conn.execute(
            "UPDATE job SET state = 'running', attempts = attempts + 1, updated_at = ?2
             WHERE id = ?1 AND state = 'queued'",
            rusqlite::params![id, now.unix_timestamp()],
        )?;
        Ok(n == 1)
    }

    /// Marks a job as done.
    pub fn succeed(&self, id: i64, now: OffsetDateTime) -> Result<(), CatalogueError> {
        self.set(
            "UPDATE job SET state = 'done', last_error = NULL, updated_at = ?2 WHERE id = ?1",
            id,
            now,
        )
    }

    /// Records a failed attempt: back to `queued` after the back-off delay, or `failed` once the
    /// attempts are spent (or at once when `permanent`). Returns the job as it is now.
    pub fn fail(
        &self,
        id: i64,
        error: &str,
        permanent: bool,
        backoff: &Backoff,
        jitter: f64,
        now: OffsetDateTime,
    ) -> Result<Job, CatalogueError> {
        let job = self.get(id)?;
        let spent = permanent || job.attempts >= backoff.max_attempts;
        let next = now + backoff.delay(job.attempts, jitter);
        self.conn.execute(
            "UPDATE job SET state = ?2, last_error = ?3, next_attempt_at = ?4, updated_at = ?5
             WHERE id = ?1",
            rusqlite::params![
                id,
                if spent { "failed" } else { "queued" },
                error,
                next.unix_timestamp(),
                now.unix_timestamp()
            ],
        )?;
        self.get(id)
    }

    /// Re-queues a failed or queued job to run now (attempts are kept, for the record).
    pub fn retry(&self, id: i64, now: OffsetDateTime) -> Result<Job, CatalogueError> {
        let n = self.conn.execute(
            "UPDATE job SET state = 'queued', next_attempt_at = ?2, updated_at = ?2
             WHERE id = ?1 AND state IN ('queued', 'failed')",
            rusqlite::params![id, now.unix_timestamp()],
        )?;
        if n == 0 {
            let job = self.get(id)?;
            return Err(CatalogueError::JobNotRetryable {
                id,
                state: job.state.as_str(),
            });
        }
        self.get(id)
    }

    /// Running jobs not touched since `stale_before` go back to `queued` (a worker died).
    pub fn requeue_stale(
        &self,
        stale_before: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<usize, CatalogueError> {
        Ok(self.conn.execute(
            "UPDATE job SET state = 'queued', next_attempt_at = ?2, updated_at = ?2
             WHERE state = 'running' AND updated_at < ?1",
            rusqlite::params![stale_before.unix_timestamp(), now.unix_timestamp()],
        )?)
    }

    /// One job.
    pub fn get(&self, id: i64) -> Result<Job, CatalogueError> {
        let raw = self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM job WHERE id = ?1"),
                [id],
                raw,
            )
            .optional()?
            .ok_or(CatalogueError::JobNotFound { id })?;
        finish(raw)
    }

    /// All jobs (of one kind, if given), newest first.
    pub fn list(&self, kind: Option<&str>) -> Result<Vec<Job>, CatalogueError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM job WHERE ?1 IS NULL OR kind = ?1 ORDER BY id DESC"
        ))?;
        let rows = stmt.query_map([kind], raw)?;
        rows.map(|r| finish(r?)).collect()
    }

    fn set(&self, sql: &str, id: i64, now: OffsetDateTime) -> Result<(), CatalogueError> {
        let n = self
            .conn
            .execute(sql, rusqlite::params![id, now.unix_timestamp()])?;
        if n == 0 {
            return Err(CatalogueError::JobNotFound { id });
        }
        Ok(())
    }
}

type RawJob = (
    i64,
    String,
    String,
    String,
    u32,
    i64,
    Option<String>,
    i64,
    i64,
);

fn raw(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawJob> {
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
    ))
}

fn finish(raw: RawJob) -> Result<Job, CatalogueError> {
    let (id, kind, subject, state, attempts, next, last_error, created, updated) = raw;
    let time = |secs: i64, what| {
        OffsetDateTime::from_unix_timestamp(secs).map_err(|e| CatalogueError::Corrupt {
            what,
            detail: e.to_string(),
        })
    };
    Ok(Job {
        id,
        kind,
        subject,
        state: JobState::parse(&state)?,
        attempts,
        next_attempt_at: time(next, "job.next_attempt_at")?,
        last_error,
        created_at: time(created, "job.created_at")?,
        updated_at: time(updated, "job.updated_at")?,
    })
}
