//! The jobs table (outbox) and augmented versions, on a real SQLite file.

use sealdesk_catalogue::{Backoff, Catalogue, CatalogueError, IssuedCredential, JobState};
use time::macros::datetime;
use time::Duration;

fn open() -> (tempfile::TempDir, Catalogue) {
    let dir = tempfile::tempdir().expect("tempdir");
    let cat = Catalogue::open(&dir.path().join("c.sqlite")).expect("open");
    (dir, cat)
}

#[test]
fn jobs_back_off_with_jitter_then_fail_and_can_be_retried() {
    let (_d, cat) = open();
    let jobs = cat.jobs();
    let t0 = datetime!(2026-01-01 10:00 UTC);
    let id = jobs
        .enqueue("augment", "urn:credential:1", t0, t0)
        .expect("enqueue");
    assert_eq!(
        jobs.enqueue("augment", "urn:credential:1", t0, t0)
            .expect("again"),
        id,
        "an open job for the same subject is not duplicated"
    );
    assert_eq!(
        jobs.due(&["augment"], t0).expect("due").len(),
        1,
        "due at once"
    );
    assert!(
        jobs.due(&["mail"], t0).expect("due").is_empty(),
        "other kinds are not returned"
    );

    let backoff = Backoff {
        base: Duration::minutes(1),
        max: Duration::minutes(10),
        max_attempts: 3,
    };
    assert!(jobs.start(id, t0).expect("start"), "queued job starts");
    assert!(
        !jobs.start(id, t0).expect("start"),
        "a running job is not started twice"
    );
    let job = jobs
        .fail(id, "offline", false, &backoff, 0.0, t0)
        .expect("fail");
    assert_eq!(
        job.state,
        JobState::Queued,
        "back to queued after one failure"
    );
    assert_eq!(
        job.next_attempt_at,
        t0 + Duration::seconds(30),
        "half the first delay with no jitter"
    );
    assert!(
        jobs.due(&["augment"], t0).expect("due").is_empty(),
        "not due during the back-off"
    );

    let t1 = job.next_attempt_at;
    assert!(jobs.start(id, t1).expect("start"), "due again");
    let job = jobs
        .fail(id, "offline", false, &backoff, 1.0, t1)
        .expect("fail");
    assert_eq!(
        job.next_attempt_at,
        t1 + Duration::minutes(2),
        "full doubled delay with full jitter"
    );
    assert_eq!(
        job.last_error.as_deref(),
        Some("offline"),
        "the error is kept"
    );

    let t2 = job.next_attempt_at;
    assert!(jobs.start(id, t2).expect("start"), "third attempt");
    let job = jobs
        .fail(id, "offline", false, &backoff, 0.5, t2)
        .expect("fail");
    assert_eq!(
        job.state,
        JobState::Failed,
        "failed once the attempts are spent"
    );
    assert_eq!(job.attempts, 3, "three attempts counted");

    let job = jobs.retry(id, t2).expect("retry");
    assert_eq!(job.state, JobState::Queued, "retry re-queues");
    assert!(jobs.start(id, t2).expect("start"), "runs again");
    jobs.succeed(id, t2).expect("succeed");
    assert_eq!(jobs.get(id).expect("get").state, JobState::Done, "done");
    assert!(
        matches!(
            jobs.retry(id, t2),
            Err(CatalogueError::JobNotRetryable { .. })
        ),
        "a done job is not retried"
    );
    assert_ne!(
        jobs.enqueue("augment", "urn:credential:1", t2, t2)
            .expect("new"),
        id,
        "a finished job does not block a new one"
    );
    assert!(
        matches!(jobs.get(999), Err(CatalogueError::JobNotFound { id: 999 })),
        "unknown id"
    );
}

#[test]
fn backoff_is_capped() {
    let b = Backoff::default();
    assert_eq!(b.delay(40, 1.0), b.max, "capped at max");
    assert_eq!(b.delay(1, 0.0), b.base / 2, "first delay, no jitter");
}

#[test]
fn stale_running_jobs_are_requeued() {
    let (_d, cat) = open();
    let t0 = datetime!(2026-01-01 10:00 UTC);
    let id = cat.jobs().enqueue("augment", "x", t0, t0).expect("enqueue");
    assert!(cat.jobs().start(id, t0).expect("start"), "started");
    let later = t0 + Duration::hours(1);
    assert_eq!(
        cat.jobs()
            .requeue_stale(later - Duration::minutes(10), later)
            .expect("requeue"),
        1,
        "one stale job"
    );
    assert_eq!(
        cat.jobs().get(id).expect("get").state,
        JobState::Queued,
        "queued again"
    );
}

#[test]
fn augmented_versions_never_replace_the_original() {
    let (_d, cat) = open();
    let t0 = datetime!(2026-01-01 10:00 UTC);
    assert!(
        matches!(
            cat.issued_versions().add("urn:nope", "B-T", b"x", t0),
            Err(CatalogueError::NotIssued { .. })
        ),
        "only issued credentials get versions"
    );
    cat.issued()
        .record(&IssuedCredential {
            credential_id: "urn:c".into(),
            title: "t".into(),
            learner: "l".into(),
            sealed_at: t0,
            signer_fingerprint: "f".into(),
            sealed: b"B-B bytes".to_vec(),
        })
        .expect("record");
    assert_eq!(
        cat.issued_versions()
            .add("urn:c", "B-LTA", b"lta", t0)
            .expect("add"),
        1,
        "version 1"
    );
    assert_eq!(
        cat.issued_versions()
            .add("urn:c", "B-LTA", b"lta2", t0)
            .expect("add"),
        2,
        "version 2"
    );
    let latest = cat
        .issued_versions()
        .latest("urn:c")
        .expect("latest")
        .expect("some");
    assert_eq!(
        (latest.version, latest.sealed.as_slice()),
        (2, &b"lta2"[..]),
        "newest version"
    );
    assert_eq!(
        cat.issued()
            .get("urn:c")
            .expect("get")
            .expect("some")
            .sealed,
        b"B-B bytes",
        "the original B-B bytes are kept"
    );
}
