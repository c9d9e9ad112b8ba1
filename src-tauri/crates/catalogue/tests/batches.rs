//! The batch journal: create once, steps move forward, sealing and the register go together.

use sealdesk_catalogue::{
    BatchItemState, Catalogue, CatalogueError, IssuedCredential, NewBatch, NewBatchItem,
};
use time::macros::datetime;

fn batch(id: &str, template_key: &str) -> NewBatch {
    NewBatch {
        id: id.to_owned(),
        template_key: template_key.to_owned(),
        template_id: Some("tpl".to_owned()),
        template_version: Some(2),
        template: "{}".to_owned(),
        recipients_name: "learners.xlsx".to_owned(),
        out_dir: "/tmp/out".to_owned(),
        sheet_format: "sealdesk".to_owned(),
        sheet_problems: "[]".to_owned(),
        not_used: "[]".to_owned(),
    }
}

fn item(row: u32, email: &str) -> NewBatchItem {
    NewBatchItem {
        row,
        credential_id: format!("urn:credential:{email}-{row}"),
        learner: format!("Learner {row}"),
        learner_key: email.to_owned(),
        recipient: "{}".to_owned(),
        problems: "[]".to_owned(),
    }
}

fn issued(id: &str) -> IssuedCredential {
    IssuedCredential {
        credential_id: id.to_owned(),
        title: "T".to_owned(),
        learner: "L".to_owned(),
        sealed_at: datetime!(2026-01-01 10:00 UTC),
        signer_fingerprint: "ab".to_owned(),
        sealed: b"sealed bytes".to_vec(),
    }
}

#[test]
fn journal_moves_forward_and_seals_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cat = Catalogue::open(&dir.path().join("c.sqlite3")).expect("opens");
    let now = datetime!(2026-01-01 10:00 UTC);
    let b = cat.batches();
    b.prepare_for_batch().expect("pragma");
    let items = [item(3, "a@x.org"), item(4, "b@x.org"), item(5, "c@x.org")];
    assert!(
        b.create(&batch("b1", "tpl@2"), &items, now)
            .expect("create"),
        "new batch"
    );
    assert!(
        !b.create(&batch("b1", "tpl@2"), &items[..1], now)
            .expect("create again"),
        "same id: resumed, not created"
    );
    assert_eq!(
        b.items("b1").expect("items").len(),
        3,
        "rows kept from the first create"
    );

    b.step("b1", 3, BatchItemState::Checked, None, now)
        .expect("checked");
    let cid = items[0].credential_id.clone();
    b.record_sealed("b1", 3, &issued(&cid), Some("tpl"), Some(2), now)
        .expect("sealed");
    let again = b.record_sealed("b1", 3, &issued(&cid), Some("tpl"), Some(2), now);
    assert!(
        matches!(again, Err(CatalogueError::AlreadyIssued { .. })),
        "a row is sealed once: {again:?}"
    );
    assert_eq!(
        b.sealed_unstored("b1").expect("unstored").len(),
        1,
        "file not yet written"
    );
    b.record_stored("b1", 3, now).expect("stored");
    assert!(
        b.sealed_unstored("b1").expect("unstored").is_empty(),
        "all written"
    );

    let locked = b.set_excluded("b1", 3, true, now);
    assert!(
        matches!(locked, Err(CatalogueError::BatchRowLocked { row: 3, .. })),
        "a stored row cannot be excluded: {locked:?}"
    );
    b.set_excluded("b1", 4, true, now).expect("exclude");
    // Sealing an excluded row is refused and leaves no register entry behind.
    let excluded = b.record_sealed("b1", 4, &issued(&items[1].credential_id), None, None, now);
    assert!(excluded.is_err(), "excluded rows are not sealed");
    assert!(
        cat.issued()
            .get(&items[1].credential_id)
            .expect("get")
            .is_none(),
        "the register entry was rolled back"
    );
    b.step("b1", 5, BatchItemState::Failed, Some("bad"), now)
        .expect("failed");

    let counts = b.counts("b1").expect("counts");
    assert_eq!(
        (
            counts.stored,
            counts.excluded,
            counts.failed,
            counts.total()
        ),
        (1, 1, 1, 3),
        "counts: {counts:?}"
    );
    assert_eq!(
        cat.issued().count().expect("count"),
        1,
        "one credential registered"
    );

    // Duplicates against earlier batches: same learner + same template only.
    let mut b2_row = item(3, "a@x.org");
    b2_row.credential_id = "urn:credential:b2-3".to_owned();
    b.create(&batch("b2", "tpl@2"), &[b2_row], now).expect("b2");
    assert_eq!(
        b.issued_elsewhere("a@x.org", "tpl@2", "b2").expect("query"),
        Some(cid.clone()),
        "sealed in b1"
    );
    assert_eq!(
        b.issued_elsewhere("a@x.org", "other@1", "b2")
            .expect("query"),
        None,
        "other template"
    );
    assert_eq!(
        b.issued_elsewhere("b@x.org", "tpl@2", "b2").expect("query"),
        None,
        "excluded rows were not issued"
    );
    b.set_state("b1", "done", now).expect("state");
    assert_eq!(
        b.get("b1").expect("get").expect("exists").state,
        "done",
        "state set"
    );
    assert!(
        matches!(
            b.set_state("nope", "done", now),
            Err(CatalogueError::BatchNotFound { .. })
        ),
        "unknown batch"
    );
}
