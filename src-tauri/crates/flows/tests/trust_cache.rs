//! `cached_trusted_lists` parses the cached list XML once: while the cache rows are unchanged a
//! second call shares the lists already read; loading another list makes it read again.

use sealdesk_flows::{cached_trusted_lists, load_trusted_lists, Catalogue};
use sealdesk_tests::shared_dir;
use time::OffsetDateTime;

#[test]
fn cached_lists_are_parsed_once_until_the_cache_changes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let catalogue = Catalogue::open(&dir.path().join("c.sqlite")).expect("catalogue");
    let reference = shared_dir().join("reference/trusted-lists");
    let now = OffsetDateTime::now_utc();

    let fi = dir.path().join("fi");
    std::fs::create_dir(&fi).expect("mkdir");
    std::fs::copy(
        reference.join("FI-tl-v6-seq49.xml"),
        fi.join("FI-tl-v6-seq49.xml"),
    )
    .expect("copy FI");
    load_trusted_lists(&catalogue, &fi, now).expect("FI loads");
    let first = cached_trusted_lists(&catalogue).expect("cached");
    let second = cached_trusted_lists(&catalogue).expect("cached");
    assert_eq!(first.lists.lists.len(), 1, "one list cached");
    assert!(
        std::sync::Arc::ptr_eq(&first.lists, &second.lists),
        "an unchanged cache is not parsed again"
    );

    let lotl = dir.path().join("lotl");
    std::fs::create_dir(&lotl).expect("mkdir");
    std::fs::copy(
        reference.join("EU-lotl-seq341.xml"),
        lotl.join("EU-lotl-seq341.xml"),
    )
    .expect("copy LOTL");
    load_trusted_lists(&catalogue, &lotl, now).expect("LOTL loads");
    let third = cached_trusted_lists(&catalogue).expect("cached");
    assert!(
        !std::sync::Arc::ptr_eq(&first.lists, &third.lists),
        "a changed cache is read again"
    );
    assert_eq!(
        third.lists.lists.len(),
        2,
        "both lists read after the change"
    );
}
