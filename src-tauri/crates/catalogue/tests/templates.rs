//! Templates: versions, copy, archive, byte-exact UTF-8, and the issued-register link.

use sealdesk_catalogue::{Catalogue, CatalogueError, IssuedCredential, TemplateContent};
use time::macros::datetime;

fn content(json: &str) -> TemplateContent<'_> {
    TemplateContent {
        name: "Μικροδιαπιστευτήριο",
        profile: Some("http://data.europa.eu/snb/credential/e34929035b"),
        credential_json: json,
    }
}

#[test]
fn every_save_is_a_new_version_and_old_versions_stay_as_saved() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cat = Catalogue::open(&dir.path().join("c.sqlite3")).expect("catalogue");
    let t = cat.templates();
    let v1_json =
        "{\"title\": {\"el\": \"Ψηφιακό περιεχόμενο\", \"bg\": \"Цифрово съдържание\"}}\n";
    let at = datetime!(2026-01-05 09:00:00 UTC);
    let v1 = t.create("tpl-1", content(v1_json), at).expect("create");
    assert_eq!(v1.version, 1, "first version");
    let v2 = t
        .save(
            "tpl-1",
            content("{\"title\": {\"en\": \"v2\"}}"),
            at + time::Duration::hours(1),
        )
        .expect("save");
    assert_eq!(v2.version, 2, "a save makes version 2");
    let back = t.get("tpl-1", Some(1)).expect("get").expect("version 1");
    assert_eq!(
        back.credential_json.as_bytes(),
        v1_json.as_bytes(),
        "byte-exact UTF-8"
    );
    assert_eq!(back.name, "Μικροδιαπιστευτήριο", "Greek name");
    assert_eq!(
        t.get("tpl-1", None).expect("get").expect("latest").version,
        2,
        "latest"
    );
    assert_eq!(
        t.versions("tpl-1").expect("versions"),
        vec![1, 2],
        "versions"
    );
    let listed = t.list(false).expect("list");
    assert_eq!(listed.len(), 1, "one template, latest version only");
    assert_eq!(listed[0].version, 2, "the list shows the latest");
    assert!(
        matches!(
            t.create("tpl-1", content("{}"), at),
            Err(CatalogueError::TemplateExists { .. })
        ),
        "an id is created once"
    );
}

#[test]
fn copy_archive_and_the_issued_link() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cat = Catalogue::open(&dir.path().join("c.sqlite3")).expect("catalogue");
    let t = cat.templates();
    let at = datetime!(2026-01-05 09:00:00 UTC);
    t.create("a", content("{\"x\":1}"), at).expect("create");
    let copy = t.copy("a", Some(1), "b", "Copy of A", at).expect("copy");
    assert_eq!(
        copy.copied_from,
        Some(("a".to_owned(), 1)),
        "remembers its origin"
    );
    assert_eq!(copy.credential_json, "{\"x\":1}", "same credential");
    t.archive("a", at).expect("archive");
    let ids: Vec<String> = t
        .list(false)
        .expect("list")
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(ids, vec!["b".to_owned()], "archived hidden");
    assert_eq!(t.list(true).expect("list").len(), 2, "shown when asked");
    assert!(
        matches!(
            t.save("a", content("{}"), at),
            Err(CatalogueError::TemplateArchived { .. })
        ),
        "an archived template is not changed"
    );
    assert!(matches!(t.get("zzz", None), Ok(None)), "unknown id is None");
    cat.issued()
        .record(&IssuedCredential {
            credential_id: "urn:credential:1".into(),
            title: "T".into(),
            learner: "L".into(),
            sealed_at: at,
            signer_fingerprint: "ab".into(),
            sealed: b"sealed".to_vec(),
        })
        .expect("record");
    t.link_issued("urn:credential:1", "b", 1).expect("link");
    assert_eq!(
        t.issued_from("urn:credential:1").expect("from"),
        Some(("b".to_owned(), 1)),
        "the sealed credential names its template version"
    );
    assert!(
        matches!(
            t.link_issued("urn:credential:1", "b", 7),
            Err(CatalogueError::TemplateNotFound { .. })
        ),
        "a version that does not exist cannot be linked"
    );
    assert!(
        matches!(
            t.link_issued("urn:credential:2", "b", 1),
            Err(CatalogueError::NotIssued { .. })
        ),
        "an unknown credential cannot be linked"
    );
}
