//! The catalogue against a real SQLite file in a temp dir.

use sealdesk_catalogue::{Catalogue, CatalogueError, IssuedCredential};
use time::macros::datetime;

fn sample(id: &str, sealed: &[u8]) -> IssuedCredential {
    IssuedCredential {
        credential_id: id.to_owned(),
        title: "Course in Digital Credentials".to_owned(),
        learner: "Ana Andromeda".to_owned(),
        sealed_at: datetime!(2026-11-23 10:00:00 UTC),
        signer_fingerprint: "ab".repeat(32),
        sealed: sealed.to_vec(),
    }
}

#[test]
fn opens_migrates_and_reopens_at_the_same_version() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("nested/catalogue.sqlite3");
    let version = {
        let cat = Catalogue::open(&path).expect("first open creates the file");
        cat.schema_version().expect("version")
    };
    assert!(
        version >= 1,
        "migrations must have run, got version {version}"
    );
    let cat = Catalogue::open(&path).expect("second open");
    assert_eq!(
        cat.schema_version().expect("version"),
        version,
        "reopening must not migrate again"
    );
}

#[test]
fn refuses_a_catalogue_from_a_newer_sealdesk() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("catalogue.sqlite3");
    drop(Catalogue::open(&path).expect("create"));
    let conn = rusqlite::Connection::open(&path).expect("raw open");
    conn.pragma_update(None, "user_version", 999)
        .expect("bump version");
    drop(conn);
    match Catalogue::open(&path) {
        Err(CatalogueError::SchemaTooNew { found: 999, .. }) => {}
        other => panic!(
            "a newer schema must be refused, got {:?}",
            other.map(|_| ())
        ),
    }
}

#[test]
fn issued_register_keeps_sealed_bytes_verbatim_and_never_overwrites() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cat = Catalogue::open(&dir.path().join("c.sqlite3")).expect("open");
    // Bytes that a re-serialization would change: odd spacing, escapes, non-ASCII.
    let sealed = "{\"payload\" :  \"{\\\"a\\\":1}\",\n \"x\":\"é\u{1F600}\"}".as_bytes();
    cat.issued()
        .record(&sample("urn:credential:1", sealed))
        .expect("record");
    let back = cat
        .issued()
        .get("urn:credential:1")
        .expect("get")
        .expect("present");
    assert_eq!(
        back.sealed, sealed,
        "sealed bytes must come back byte for byte"
    );
    assert_eq!(
        back,
        sample("urn:credential:1", sealed),
        "all fields round-trip"
    );

    let err = cat
        .issued()
        .record(&sample("urn:credential:1", b"other"))
        .expect_err("second record for the same id must be refused");
    assert!(
        matches!(err, CatalogueError::AlreadyIssued { ref id } if id == "urn:credential:1"),
        "got {err}"
    );
    let still = cat
        .issued()
        .get("urn:credential:1")
        .expect("get")
        .expect("present");
    assert_eq!(
        still.sealed, sealed,
        "the refused write must not touch what was stored"
    );
    assert_eq!(
        cat.issued().count().expect("count"),
        1,
        "one credential stored"
    );
}

#[test]
fn settings_and_audit_round_trip() {
    let cat = Catalogue::open_in_memory().expect("open");
    assert_eq!(
        cat.settings().get("smtp.host").expect("get"),
        None,
        "unset key"
    );
    cat.settings().set("smtp.host", "127.0.0.1").expect("set");
    cat.settings()
        .set("smtp.host", "localhost")
        .expect("replace");
    assert_eq!(
        cat.settings().get("smtp.host").expect("get").as_deref(),
        Some("localhost"),
        "last write wins"
    );
    cat.audit()
        .append(
            datetime!(2026-11-23 10:00:00 UTC),
            "seal",
            "urn:credential:1",
        )
        .expect("append");
    cat.audit()
        .append(
            datetime!(2026-11-23 10:01:00 UTC),
            "seal",
            "urn:credential:2",
        )
        .expect("append");
    let recent = cat.audit().recent(1).expect("recent");
    assert_eq!(recent.len(), 1, "limit honoured");
    assert_eq!(recent[0].detail, "urn:credential:2", "newest first");
}

/// The app and the CLI may open a new catalogue at the same moment; before the migrations took
/// the write lock first, one of them failed with "table settings already exists", and before
/// opening was retried, one failed now and then with "database is locked" (seen in CI).
#[test]
fn many_openers_of_a_new_catalogue_all_succeed() {
    for round in 0..20 {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("catalogue.sqlite");
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(8));
        let openers: Vec<_> = (0..8)
            .map(|_| {
                let path = path.clone();
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    barrier.wait();
                    Catalogue::open(&path).and_then(|c| c.schema_version())
                })
            })
            .collect();
        let versions: Vec<u32> = openers
            .into_iter()
            .map(|t| {
                t.join()
                    .expect("an opener panicked")
                    .unwrap_or_else(|e| panic!("round {round}: a concurrent open failed: {e}"))
            })
            .collect();
        let latest = Catalogue::open(&path)
            .and_then(|c| c.schema_version())
            .expect("reopen");
        assert!(
            versions.iter().all(|v| *v == latest),
            "round {round}: every opener sees the latest schema {latest}: {versions:?}"
        );
    }
}
