//! The qualified path end to end: the harness token's certificates against a TEST trusted list
//! (tests/harness/mktl.sh: territory ZZ, the harness CA as a granted CA/QC service with ForeSeals
//! and QCWithQSCD) announced by a TEST LOTL; and the official samples' ANF test CA against them.

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use sealdesk_tests::{repo_root, shared_dir, TestToken};
use sealdesk_trust::{read_list, read_list_file, Level, LoadedList, Standing, TrustedLists};
use time::OffsetDateTime;

/// Makes the TEST lists for the harness CA in a fresh folder (kept alive by the returned guard).
fn make_lists(token: &TestToken) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(&token.ca_pem, dir.path().join("ca.pem")).expect("copy CA");
    let tl = dir.path().join("ZZ-test-tl.xml");
    let lotl = dir.path().join("LOTL-test.xml");
    let out = Command::new("bash")
        .arg(repo_root().join("tests/harness/mktl.sh"))
        .arg(dir.path())
        .arg(&tl)
        .arg(&lotl)
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "mktl.sh failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (dir, tl, lotl)
}

fn load(paths: &[&Path]) -> TrustedLists {
    TrustedLists::new(
        paths
            .iter()
            .map(|p| read_list_file(p).expect("list reads"))
            .collect(),
    )
}

fn anf_test_certificate() -> Vec<u8> {
    let path = shared_dir()
        .join("reference/edci-platform/jades-sealed/json_to_seal-signed-jades-baseline-lta.json");
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path).expect("sample")).expect("json");
    let protected = doc["signatures"][0]["protected"]
        .as_str()
        .expect("protected");
    let header: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(protected)
            .expect("b64url"),
    )
    .expect("header json");
    base64::engine::general_purpose::STANDARD
        .decode(header["x5c"][0].as_str().expect("x5c"))
        .expect("b64")
}

#[test]
fn harness_seal_is_qualified_and_the_plain_certificate_is_not() {
    let token = TestToken::shared();
    let (_dir, tl, lotl) = make_lists(token);
    let lists = load(&[&lotl, &tl]);
    let zz = &lists.lists[1];
    assert_eq!(zz.list.territory, "ZZ", "the test list");
    assert!(
        zz.signature.is_valid(),
        "test TL signature: {:?}",
        zz.signature.status
    );
    assert_eq!(
        lists.standing(zz),
        Standing::Announced,
        "the test LOTL announces the ZZ signer"
    );
    assert_eq!(
        lists.standing(&lists.lists[0]),
        Standing::Lotl,
        "LOTL verifies"
    );

    let now = OffsetDateTime::now_utc();
    let seal = lists
        .decide(&token.cert_der("01"), &[], now)
        .expect("decides");
    assert_eq!(
        seal.level,
        Level::QualifiedSealQscd,
        "key 01: {:?}",
        seal.reasons
    );
    let svc = seal.service.expect("service named");
    assert_eq!(svc.territory, "ZZ", "found on the ZZ list");

    let plain = lists
        .decide(&token.cert_der("03"), &[], now)
        .expect("decides");
    assert_eq!(
        plain.level,
        Level::NotQualified,
        "key 03: {:?}",
        plain.reasons
    );
    assert!(
        plain.reasons.iter().any(|r| r.contains("QcCompliance")),
        "says why: {:?}",
        plain.reasons
    );

    // Before the service was granted (2016-07-01) nothing is qualified.
    let old = time::macros::datetime!(2015-01-01 0:00 UTC);
    let before = lists
        .decide(&token.cert_der("01"), &[], old)
        .expect("decides");
    assert_eq!(
        before.level,
        Level::NotQualified,
        "before the service existed: {:?}",
        before.reasons
    );

    // Without the LOTL the national list is not relied on.
    let alone = load(&[&tl]);
    assert_eq!(
        alone.standing(&alone.lists[0]),
        Standing::NotAnnounced,
        "no LOTL, no announcement"
    );
    let d = alone
        .decide(&token.cert_der("01"), &[], now)
        .expect("decides");
    assert_eq!(
        d.level,
        Level::NotQualified,
        "an unannounced list vouches for nothing"
    );

    // A tampered list is refused as a trust source.
    let text = std::fs::read_to_string(&tl).expect("read tl");
    let tampered = text.replace("1 Test Street", "2 Test Street");
    assert_ne!(tampered, text, "edit applied");
    let t = read_list(tampered.as_bytes(), "tampered.xml").expect("reads");
    let set = TrustedLists::new(vec![read_list_file(&lotl).expect("lotl"), t]);
    assert!(
        matches!(set.standing(&set.lists[1]), Standing::BadSignature(_)),
        "tampered list: {:?}",
        set.standing(&set.lists[1])
    );
    let d = set
        .decide(&token.cert_der("01"), &[], now)
        .expect("decides");
    assert_eq!(
        d.level,
        Level::NotQualified,
        "a tampered list vouches for nothing"
    );
}

#[test]
fn official_sample_test_ca_is_on_no_trusted_list() {
    let token = TestToken::shared();
    let (_dir, tl, lotl) = make_lists(token);
    let reference = shared_dir().join("reference/trusted-lists");
    let mut loaded: Vec<LoadedList> = vec![
        read_list_file(&lotl).expect("lotl"),
        read_list_file(&tl).expect("tl"),
    ];
    for f in ["EU-lotl-seq341.xml", "FI-tl-v6-seq49.xml"] {
        loaded.push(read_list_file(&reference.join(f)).expect("reference list"));
    }
    let lists = TrustedLists::new(loaded);
    let d = lists
        .decide(&anf_test_certificate(), &[], OffsetDateTime::now_utc())
        .expect("decides");
    assert_eq!(d.level, Level::NotQualified, "ANF test CA: {:?}", d.reasons);
    assert!(
        d.reasons
            .iter()
            .any(|r| r.contains("not a CA/QC service on any")),
        "reason names the lists: {:?}",
        d.reasons
    );
}
