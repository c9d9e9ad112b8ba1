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

/// A trusted list that names a root CA qualifies a seal issued by an intermediate CA below it
/// when the seal carries the intermediate (x5c or xVals), as DSS does; a forged seal that only
/// carries that genuine intermediate beside it, signed by a look-alike CA, is not qualified; nor
/// is one under a look-alike root that copies the listed root's name and key identifier.
#[test]
fn a_listed_root_qualifies_through_a_carried_intermediate_but_not_a_forgery() {
    let token = TestToken::shared();
    let dir = tempfile::tempdir().expect("tempdir");
    let harness_cnf = token.dir.join("pki/openssl.cnf");
    let ext = "[ req ]\ndistinguished_name = dn\nprompt = no\n[ dn ]\nCN = unused\n\
               [ root ]\nbasicConstraints = critical, CA:TRUE\n\
               keyUsage = critical, keyCertSign, cRLSign\nsubjectKeyIdentifier = hash\n\
               [ inter ]\nbasicConstraints = critical, CA:TRUE, pathlen:0\n\
               keyUsage = critical, keyCertSign, cRLSign\nsubjectKeyIdentifier = hash\n\
               authorityKeyIdentifier = keyid:always\n";
    std::fs::write(dir.path().join("ext.cnf"), ext).expect("ext.cnf");
    let script = r#"
set -euo pipefail
ca() { openssl req -x509 -config ext.cnf -extensions root -newkey rsa:2048 -nodes -keyout "$1.key" -subj "$2" -days 30 -out "$1.pem"; }
csr() { openssl req -new -config ext.cnf -newkey rsa:2048 -nodes -keyout "$1.key" -subj "$2" -out "$1.csr"; }
sign() { openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -set_serial "$3" -days 30 -sha256 -extfile "$4" -extensions "$5" -out "$1.pem"; }
ca ca "/CN=Chain Root (TEST)"
csr inter "/CN=Chain Issuing CA (TEST)"
sign inter ca 2 ext.cnf inter
csr leaf "/C=FR/O=Chain Test (TEST)/CN=Chain seal (TEST)"
sign leaf inter 3 "$HARNESS_CNF" v3_qseal
ca evil "/CN=Chain Issuing CA (TEST)"
csr forged "/C=FR/O=Chain Test (TEST)/CN=Chain seal (TEST)"
sign forged evil 3 "$HARNESS_CNF" v3_qseal
rootski=$(openssl x509 -in ca.pem -noout -ext subjectKeyIdentifier | tail -n 1 | tr -d ' ')
printf '[ req ]\ndistinguished_name = dn\nprompt = no\n[ dn ]\nCN = unused\n[ spoof ]\nbasicConstraints = critical, CA:TRUE\nkeyUsage = critical, keyCertSign, cRLSign\nsubjectKeyIdentifier = %s\n' "$rootski" > spoof.cnf
openssl req -x509 -config spoof.cnf -extensions spoof -newkey rsa:2048 -nodes -keyout spoof.key -subj "/CN=Chain Root (TEST)" -days 30 -out spoof.pem
csr spoofed "/C=FR/O=Chain Test (TEST)/CN=Chain seal (TEST)"
sign spoofed spoof 4 "$HARNESS_CNF" v3_qseal
for c in inter leaf forged spoof spoofed; do openssl x509 -in "$c.pem" -outform DER -out "$c.der"; done
"#;
    let out = Command::new("bash")
        .arg("-c")
        .arg(script)
        .current_dir(dir.path())
        .env("HARNESS_CNF", &harness_cnf)
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "test PKI: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tl = dir.path().join("ZZ-chain-tl.xml");
    let lotl = dir.path().join("LOTL-chain.xml");
    let made = Command::new("bash")
        .arg(repo_root().join("tests/harness/mktl.sh"))
        .arg(dir.path())
        .arg(&tl)
        .arg(&lotl)
        .output()
        .expect("bash runs");
    assert!(
        made.status.success(),
        "mktl.sh: {}",
        String::from_utf8_lossy(&made.stderr)
    );
    let lists = load(&[&lotl, &tl]);
    let der = |name: &str| std::fs::read(dir.path().join(format!("{name}.der"))).expect(name);
    let (inter, leaf, forged) = (der("inter"), der("leaf"), der("forged"));
    let now = OffsetDateTime::now_utc();

    let alone = lists.decide(&leaf, &[], now).expect("decides");
    assert_eq!(
        alone.level,
        Level::NotQualified,
        "without its intermediate the seal's issuer is on no list: {:?}",
        alone.reasons
    );
    let through = lists
        .decide(&leaf, std::slice::from_ref(&inter), now)
        .expect("decides");
    assert_eq!(
        through.level,
        Level::QualifiedSealQscd,
        "the listed root issued the carried intermediate: {:?}",
        through.reasons
    );
    let fake = lists
        .decide(&forged, std::slice::from_ref(&inter), now)
        .expect("decides");
    assert_eq!(
        fake.level,
        Level::NotQualified,
        "a genuine intermediate carried beside a forged seal proves nothing: {:?}",
        fake.reasons
    );
    // The list also gives the root's key identifier (X509SKI); a look-alike root with the same
    // name and that key identifier, carried by the seal, must not pass for the listed root.
    let (spoof, spoofed) = (der("spoof"), der("spoofed"));
    let copied = lists
        .decide(&spoofed, std::slice::from_ref(&spoof), now)
        .expect("decides");
    assert_eq!(
        copied.level,
        Level::NotQualified,
        "a copied key identifier proves nothing: {:?}",
        copied.reasons
    );
}
