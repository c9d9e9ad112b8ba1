//! Augmentation B-B → B-LTA against the local TSA, OCSP responder and CRLs of the harness
//! (tests/harness/services.sh + services.py on 127.0.0.1), and timestamp checks on the official
//! EDC samples.

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use openssl::pkey::PKey;
use openssl::x509::X509;
use sealdesk_seal::augment::{augment, renew_archive, Services};
use sealdesk_seal::net::Http;
use sealdesk_seal::verify::{verify, BaselineLevel, Status, TrustAnchors};
use sealdesk_seal::{SealError, SignatureAlgorithm, SoftwareSigner};
use sealdesk_tests::services::{dead_port, ServicesPki, TestServices};
use sealdesk_tests::{repo_root, shared_dir, TestToken};
use serde_json::Value;
use time::OffsetDateTime;

const PAYLOAD: &str = "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\"],\"id\":\"urn:credential:1\",\"name\":\"Diplôme \\u00e9 / test\"}";

struct Fixture {
    _token: TestToken,
    pki: ServicesPki,
}

fn fixture() -> Fixture {
    let token = TestToken::create_labelled("AUGMENT");
    let pki = ServicesPki::create(&token.dir);
    Fixture { _token: token, pki }
}

fn signer(pki: &ServicesPki, stem: &str) -> SoftwareSigner {
    let key = PKey::private_key_from_pem(&pki.read(&format!("{stem}.key"))).expect("key");
    let ca = X509::from_pem(&std::fs::read(&pki.seal_ca_pem).expect("ca")).expect("ca pem");
    SoftwareSigner::new(
        key,
        pki.read(&format!("{stem}.der")),
        vec![ca.to_der().expect("der")],
        SignatureAlgorithm::ES256,
    )
    .expect("software signer")
}

fn services<'a>(http: &'a Http, live: &TestServices) -> Services<'a> {
    Services {
        fetch: http,
        tsa_url: live.tsa_url(),
        ocsp_url: Some(live.ocsp_url()),
        crl_urls: vec![live.tsa_crl_url(), live.seal_crl_url()],
        extra_certs: Vec::new(),
    }
}

fn anchors(pki: &ServicesPki) -> TrustAnchors {
    let seal_ca = X509::from_pem(&std::fs::read(&pki.seal_ca_pem).expect("ca"))
        .expect("pem")
        .to_der()
        .expect("der");
    let tsa_ca = pki.read("tsa-ca.der");
    TrustAnchors::from_der_certificates([&seal_ca[..], &tsa_ca[..]]).expect("anchors")
}

fn members(file: &[u8]) -> (String, String, String, Value) {
    let v: Value = serde_json::from_slice(file).expect("json");
    let s = &v["signatures"][0];
    (
        v["payload"].as_str().expect("payload").to_owned(),
        s["protected"].as_str().expect("protected").to_owned(),
        s["signature"].as_str().expect("signature").to_owned(),
        s["header"].clone(),
    )
}

fn raw_slice<'a>(file: &'a [u8], needle: &[u8]) -> Option<&'a [u8]> {
    file.windows(needle.len()).find(|w| *w == needle)
}

#[test]
fn b_b_reaches_b_lta_and_verifies_with_timestamps_and_revocation() {
    let f = fixture();
    let live = f.pki.start();
    let http = Http::default();
    let now = OffsetDateTime::now_utc();
    let sealed =
        sealdesk_seal::seal(PAYLOAD.as_bytes(), &signer(&f.pki, "seal-soft"), now).expect("seal");
    let out = augment(&sealed, BaselineLevel::BLTA, &services(&http, &live), now).expect("augment");
    assert_eq!(out.level, BaselineLevel::BLTA, "the seal reached B-LTA");
    let tsa_not_after = X509::from_pem(&f.pki.read("tsa.pem")).expect("tsa");
    assert!(
        out.renew_before.is_some(),
        "renewal date from the TSA certificate ({:?})",
        tsa_not_after.not_after()
    );

    // Bytes of the payload, protected header and signature unchanged, as raw JSON text.
    let raw_payload = serde_json::to_string(PAYLOAD).expect("json string");
    assert!(
        raw_slice(&sealed, raw_payload.as_bytes()).is_some(),
        "B-B holds the payload text"
    );
    assert!(
        raw_slice(&out.sealed, raw_payload.as_bytes()).is_some(),
        "the payload bytes are unchanged after augmentation"
    );
    let (p0, h0, s0, _) = members(&sealed);
    let (p1, h1, s1, header) = members(&out.sealed);
    assert_eq!(
        (p0, h0, s0),
        (p1, h1, s1),
        "payload, protected header and signature unchanged"
    );
    let names: Vec<String> = header["etsiU"]
        .as_array()
        .expect("etsiU")
        .iter()
        .map(|c| {
            let j: Value = serde_json::from_slice(
                &URL_SAFE_NO_PAD
                    .decode(c.as_str().expect("b64url"))
                    .expect("b64"),
            )
            .expect("json");
            j.as_object()
                .expect("object")
                .keys()
                .next()
                .expect("name")
                .clone()
        })
        .collect();
    assert_eq!(
        names,
        ["sigTst", "xVals", "rVals", "arcTst"],
        "etsiU components in DSS order"
    );

    let verdict = verify(&out.sealed, &anchors(&f.pki), now).expect("verify");
    let s = &verdict.signatures[0];
    assert_eq!(s.level, BaselineLevel::BLTA, "verifier sees B-LTA");
    assert_eq!(
        s.integrity.status,
        Status::Ok,
        "intact: {}",
        s.integrity.message
    );
    assert_eq!(
        s.timestamps.status,
        Status::Ok,
        "timestamps: {}",
        s.timestamps.message
    );
    assert_eq!(
        s.revocation.status,
        Status::Ok,
        "revocation: {}",
        s.revocation.message
    );
    assert_eq!(s.trust.status, Status::Ok, "trust: {}", s.trust.message);
    assert!(
        s.proven_signing_time.is_some(),
        "the sigTst genTime is the proven signing time"
    );

    // Without the TSA CA among the anchors: intact timestamps, untrusted TSA, reported apart.
    let seal_ca_only =
        TrustAnchors::from_dir(f.pki.seal_ca_pem.parent().expect("dir")).expect("anchors");
    let v2 = verify(&out.sealed, &seal_ca_only, now).expect("verify");
    assert_eq!(
        v2.signatures[0].timestamps.status,
        Status::Warning,
        "untrusted TSA is a warning: {}",
        v2.signatures[0].timestamps.message
    );
    assert!(
        v2.signatures[0].timestamps.message.contains("not trusted"),
        "says the TSA is not trusted: {}",
        v2.signatures[0].timestamps.message
    );

    // The independent judge (jwcrypto) still verifies the augmented file.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("lta.json");
    std::fs::write(&path, &out.sealed).expect("write");
    let judge = Command::new(python())
        .arg(repo_root().join("tests/judges/jades_check.py"))
        .arg(&path)
        .output()
        .expect("python runs");
    assert!(
        judge.status.success(),
        "jwcrypto verifies the B-LTA file: {}{}",
        String::from_utf8_lossy(&judge.stdout),
        String::from_utf8_lossy(&judge.stderr)
    );

    // Archive renewal adds tstVD and a second arcTst, and everything still verifies.
    let renewed = renew_archive(&out.sealed, &services(&http, &live), now).expect("renew");
    let v3 = verify(&renewed.sealed, &anchors(&f.pki), now).expect("verify");
    assert_eq!(
        v3.signatures[0].timestamps.status,
        Status::Ok,
        "renewed: {}",
        v3.signatures[0].timestamps.message
    );
    assert!(
        v3.signatures[0]
            .timestamps
            .message
            .matches("archive")
            .count()
            == 2,
        "two archive timestamps checked: {}",
        v3.signatures[0].timestamps.message
    );
}

#[test]
fn one_byte_changes_break_the_seal_or_the_timestamp() {
    let f = fixture();
    let live = f.pki.start();
    let http = Http::default();
    let now = OffsetDateTime::now_utc();
    let sealed =
        sealdesk_seal::seal(PAYLOAD.as_bytes(), &signer(&f.pki, "seal-soft"), now).expect("seal");
    let lta = augment(&sealed, BaselineLevel::BLTA, &services(&http, &live), now)
        .expect("augment")
        .sealed;
    let anchors = anchors(&f.pki);

    // A byte of the payload text, and a byte of the protected header.
    let at = lta
        .windows(4)
        .position(|w| w == b"urn:")
        .expect("payload id");
    let mut changed = lta.clone();
    changed[at + 4] = b'X';
    let v = verify(&changed, &anchors, now).expect("verify");
    assert_eq!(
        v.signatures[0].integrity.status,
        Status::Error,
        "payload change breaks the seal"
    );
    let (_, protected, _, _) = members(&lta);
    let mut header = URL_SAFE_NO_PAD.decode(&protected).expect("b64");
    let pos = header
        .windows(5)
        .position(|w| w == b"\"typ\"")
        .expect("typ");
    header[pos + 8] ^= 0x01;
    let forged = String::from_utf8(lta.clone())
        .expect("utf8")
        .replace(&protected, &URL_SAFE_NO_PAD.encode(&header));
    let v = verify(forged.as_bytes(), &anchors, now).expect("verify");
    assert_eq!(
        v.signatures[0].integrity.status,
        Status::Error,
        "protected header change breaks the seal"
    );

    // A changed sigTst token (one byte of its DER) fails the timestamp check.
    let (_, _, _, h) = members(&lta);
    let first = h["etsiU"][0].as_str().expect("sigTst").to_owned();
    let mut component: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&first).expect("b64")).expect("json");
    let mut token = STANDARD
        .decode(
            component["sigTst"]["tstTokens"][0]["val"]
                .as_str()
                .expect("val"),
        )
        .expect("b64");
    let n = token.len();
    token[n - 10] ^= 0x01; // inside the signature value
    component["sigTst"]["tstTokens"][0]["val"] = Value::String(STANDARD.encode(&token));
    let replaced = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&component).expect("json"));
    let tampered = String::from_utf8(lta.clone())
        .expect("utf8")
        .replace(&first, &replaced);
    let v = verify(tampered.as_bytes(), &anchors, now).expect("verify");
    assert_eq!(
        v.signatures[0].integrity.status,
        Status::Ok,
        "the seal itself is intact"
    );
    assert_eq!(
        v.signatures[0].timestamps.status,
        Status::Error,
        "changed token: {}",
        v.signatures[0].timestamps.message
    );
    // Swapping the sigTst component changes what arcTst covers too.
    assert!(
        v.signatures[0].timestamps.message.contains("timestamp"),
        "names the timestamp: {}",
        v.signatures[0].timestamps.message
    );
}

#[test]
fn offline_revoked_and_malformed_services_are_errors() {
    let f = fixture();
    let http = Http::default();
    let now = OffsetDateTime::now_utc();
    let sealed =
        sealdesk_seal::seal(PAYLOAD.as_bytes(), &signer(&f.pki, "seal-soft"), now).expect("seal");

    let port = dead_port();
    let offline = Services {
        fetch: &http,
        tsa_url: format!("http://127.0.0.1:{port}/tsa"),
        ocsp_url: Some(format!("http://127.0.0.1:{port}/ocsp")),
        crl_urls: Vec::new(),
        extra_certs: Vec::new(),
    };
    let err = augment(&sealed, BaselineLevel::BLTA, &offline, now).expect_err("offline");
    assert!(
        matches!(err, SealError::ServiceUnreachable { .. }),
        "offline is unreachable: {err}"
    );

    let live = f.pki.start();
    let garbage = Services {
        fetch: &http,
        tsa_url: live.url("/garbage/tsa"),
        ocsp_url: Some(live.url("/garbage/ocsp")),
        crl_urls: Vec::new(),
        extra_certs: Vec::new(),
    };
    let err = augment(&sealed, BaselineLevel::BT, &garbage, now).expect_err("garbage TSA");
    assert!(
        matches!(err, SealError::MalformedTimestamp { .. }),
        "garbage TSA answer: {err}"
    );
    let bt = augment(&sealed, BaselineLevel::BT, &services(&http, &live), now)
        .expect("B-T")
        .sealed;
    let garbage_ocsp = Services {
        tsa_url: live.tsa_url(),
        ..garbage
    };
    let err = augment(&bt, BaselineLevel::BLT, &garbage_ocsp, now).expect_err("garbage OCSP");
    assert!(
        matches!(
            err,
            SealError::NoRevocationSource { .. } | SealError::MalformedRevocation { .. }
        ),
        "garbage OCSP answer: {err}"
    );

    let revoked = sealdesk_seal::seal(PAYLOAD.as_bytes(), &signer(&f.pki, "seal-revoked"), now)
        .expect("seal");
    let err =
        augment(&revoked, BaselineLevel::BLT, &services(&http, &live), now).expect_err("revoked");
    assert!(
        matches!(err, SealError::Revoked { .. }),
        "a revoked seal is not extended: {err}"
    );
}

fn official(path: &str) -> Vec<u8> {
    std::fs::read(shared_dir().join(path)).expect("official sample")
}

#[test]
fn official_samples_timestamps_verify_but_the_tsa_is_not_trusted() {
    let at = OffsetDateTime::now_utc();
    for path in [
        "reference/edci-platform/jades-sealed/json_to_seal-signed-jades-baseline-lta.json",
        "reference/elm-v3/credentials-jsonld/Sample-MC-Annex1-signed.jsonld",
    ] {
        let v = verify(&official(path), &TrustAnchors::empty(), at).expect("verify");
        let s = &v.signatures[0];
        assert_eq!(s.level, BaselineLevel::BLTA, "{path} is B-LTA");
        assert_eq!(
            s.integrity.status,
            Status::Ok,
            "{path}: {}",
            s.integrity.message
        );
        assert_eq!(
            s.timestamps.status,
            Status::Warning,
            "{path} timestamps intact, TSA untrusted: {}",
            s.timestamps.message
        );
        assert!(
            s.timestamps.message.contains("archive") && s.timestamps.message.contains("signature"),
            "{path}: both kinds checked: {}",
            s.timestamps.message
        );
        assert!(
            s.proven_signing_time.is_some(),
            "{path}: sigTst gives a proven time"
        );
        assert_ne!(
            s.revocation.status,
            Status::Skipped,
            "{path}: rVals checked: {}",
            s.revocation.message
        );
    }
}

fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("SEALDESK_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = repo_root().join(".venv/bin/python");
    assert!(
        Path::new(&venv).exists(),
        "the judges need the venv: run `make deps-py`"
    );
    venv
}

/// A CRL of the test TSA CA that lists the TSA certificate as revoked since `revoked_at`
/// (written with the services PKI's own `openssl ca`, its index edited for the date).
fn tsa_revoked_crl(pki: &ServicesPki, revoked_at: OffsetDateTime) -> Vec<u8> {
    let index = pki.dir.join("tsa-ca/index.txt");
    let tsa_serial = {
        let cert = X509::from_der(&pki.read("tsa.der")).expect("tsa cert");
        let bn = cert.serial_number().to_bn().expect("serial");
        bn.to_hex_str().expect("hex").to_string()
    };
    let when = format!(
        "{:02}{:02}{:02}{:02}{:02}{:02}Z",
        revoked_at.year() % 100,
        u8::from(revoked_at.month()),
        revoked_at.day(),
        revoked_at.hour(),
        revoked_at.minute(),
        revoked_at.second()
    );
    let text = std::fs::read_to_string(&index).expect("index");
    let mut found = false;
    let edited: Vec<String> = text
        .lines()
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() == 6 && f[0] == "V" && f[3].eq_ignore_ascii_case(&tsa_serial) {
                found = true;
                format!(
                    "R\t{}\t{when},keyCompromise\t{}\t{}\t{}",
                    f[1], f[3], f[4], f[5]
                )
            } else {
                line.to_owned()
            }
        })
        .collect();
    assert!(
        found,
        "the TSA certificate {tsa_serial} is in {}",
        index.display()
    );
    std::fs::write(&index, edited.join("\n") + "\n").expect("write index");
    let pem = pki.dir.join("tsa-revoked.crl.pem");
    let out = Command::new("openssl")
        .env("OPENSSL_CONF", pki.dir.join("openssl.cnf"))
        .args(["ca", "-name", "tsa_ca", "-gencrl", "-out"])
        .arg(&pem)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl ca -gencrl: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    openssl::x509::X509Crl::from_pem(&std::fs::read(&pem).expect("crl"))
        .expect("crl pem")
        .to_der()
        .expect("crl der")
}

/// `file` with `crl` put first among the CRLs of its `rVals` component (the unsigned header: the
/// seal itself stays intact).
fn with_crl_first(file: &[u8], crl: &[u8]) -> Vec<u8> {
    let mut v: Value = serde_json::from_slice(file).expect("json");
    let etsi_u = v["signatures"][0]["header"]["etsiU"]
        .as_array_mut()
        .expect("etsiU");
    let mut replaced = false;
    for item in etsi_u.iter_mut() {
        let mut component: Value = serde_json::from_slice(
            &URL_SAFE_NO_PAD
                .decode(item.as_str().expect("b64url"))
                .expect("b64"),
        )
        .expect("component");
        if let Some(r_vals) = component.get_mut("rVals") {
            let crls = r_vals
                .as_object_mut()
                .expect("rVals object")
                .entry("crlVals")
                .or_insert_with(|| Value::Array(Vec::new()))
                .as_array_mut()
                .expect("crlVals");
            crls.insert(0, serde_json::json!({ "val": STANDARD.encode(crl) }));
            *item = Value::String(
                URL_SAFE_NO_PAD.encode(serde_json::to_vec(&component).expect("json")),
            );
            replaced = true;
        }
    }
    assert!(replaced, "the file has an rVals component");
    serde_json::to_vec(&v).expect("json")
}

#[test]
fn a_timestamp_authority_revoked_before_it_stamped_breaks_the_timestamp() {
    let f = fixture();
    let http = Http::default();
    let now = OffsetDateTime::now_utc();
    let live = f.pki.start();
    let sealed =
        sealdesk_seal::seal(PAYLOAD.as_bytes(), &signer(&f.pki, "seal-soft"), now).expect("seal");
    let blt = augment(&sealed, BaselineLevel::BLT, &services(&http, &live), now)
        .expect("B-LT")
        .sealed;
    let good = verify(&blt, &anchors(&f.pki), now).expect("verify");
    let t = &good.signatures[0].timestamps;
    assert_eq!(t.status, Status::Ok, "{}", t.message);
    assert!(
        t.message.contains("timestamp authority was not revoked"),
        "the TSA's CRL carried in rVals is read: {}",
        t.message
    );

    // The TSA's own CA says it was revoked two days before the timestamp.
    let crl = tsa_revoked_crl(&f.pki, now - time::Duration::days(2));
    let forged = with_crl_first(&blt, &crl);
    let v = verify(&forged, &anchors(&f.pki), now).expect("verify");
    let s = &v.signatures[0];
    assert_eq!(s.integrity.status, Status::Ok, "the seal itself is intact");
    assert_eq!(
        s.timestamps.status,
        Status::Error,
        "a revoked authority's timestamp proves nothing: {}",
        s.timestamps.message
    );
    assert!(
        s.timestamps.message.contains("revoked")
            && s.timestamps.message.contains("before it stamped"),
        "says why: {}",
        s.timestamps.message
    );
    assert_eq!(
        s.revocation.status,
        Status::Ok,
        "the seal certificate itself is still good: {}",
        s.revocation.message
    );
}
