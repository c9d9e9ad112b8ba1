//! A list's standing is judged in the set the cache will hold. Loading a folder whose LOTL is
//! older than the cached EU LOTL keeps the cached one, so the folder's national list must be
//! reported "not announced" when loaded — the same answer the cache gives when re-read later.

use std::process::Command;

use sealdesk_flows::{cached_trusted_lists, load_trusted_lists, Catalogue};
use sealdesk_tests::{repo_root, shared_dir, TestToken};
use sealdesk_trust::Standing;
use time::OffsetDateTime;

#[test]
fn a_list_announced_only_by_an_older_lotl_is_not_called_announced() {
    let token = TestToken::shared();
    let dir = tempfile::tempdir().expect("temp dir");
    let catalogue = Catalogue::open(&dir.path().join("c.sqlite")).expect("catalogue");
    let now = OffsetDateTime::now_utc();

    let eu = dir.path().join("eu");
    std::fs::create_dir(&eu).expect("mkdir");
    std::fs::copy(
        shared_dir().join("reference/trusted-lists/EU-lotl-seq341.xml"),
        eu.join("EU-lotl-seq341.xml"),
    )
    .expect("copy LOTL");
    load_trusted_lists(&catalogue, &eu, now).expect("EU LOTL loads");

    // A TEST list ZZ and a TEST LOTL (EU, sequence 1) announcing it.
    let pki = dir.path().join("pki");
    std::fs::create_dir(&pki).expect("mkdir");
    std::fs::copy(&token.ca_pem, pki.join("ca.pem")).expect("copy CA");
    let test = dir.path().join("test");
    std::fs::create_dir(&test).expect("mkdir");
    let out = Command::new("bash")
        .arg(repo_root().join("tests/harness/mktl.sh"))
        .arg(&pki)
        .arg(test.join("ZZ.xml"))
        .arg(test.join("LOTL.xml"))
        .output()
        .expect("bash");
    assert!(
        out.status.success(),
        "mktl.sh: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let loaded = load_trusted_lists(&catalogue, &test, now).expect("test lists load");
    let zz_loaded = loaded
        .iter()
        .find(|l| l.territory == "ZZ")
        .expect("ZZ in the load report");

    let cached = cached_trusted_lists(&catalogue).expect("cache");
    let lotl = cached
        .lists
        .lists
        .iter()
        .find(|l| l.list.is_lotl())
        .expect("a LOTL cached");
    assert_eq!(
        lotl.list.sequence, 341,
        "the newer EU LOTL stays cached; the folder's sequence 1 does not replace it"
    );
    let zz_cached = cached
        .lists
        .lists
        .iter()
        .find(|l| l.list.territory == "ZZ")
        .expect("ZZ cached");
    let standing_now = cached.lists.standing(zz_cached);
    assert!(
        matches!(standing_now, Standing::NotAnnounced),
        "re-read from the cache, ZZ is not announced by the cached LOTL: {standing_now:?}"
    );
    assert_eq!(
        zz_loaded.standing, "notAnnounced",
        "at load, ZZ gets the standing the cache will give it ({})",
        zz_loaded.standing_detail
    );
}
