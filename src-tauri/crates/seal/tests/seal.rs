//! Sealing and verification with real OpenSSL keys, a test PKI made in-process, and the
//! official EDC sealed samples.

use std::path::PathBuf;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use openssl::asn1::Asn1Time;
use openssl::bn::BigNum;
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::x509::extension::{BasicConstraints, KeyUsage};
use openssl::x509::{X509Name, X509};
use sealdesk_seal::{
    seal, verify, BaselineLevel, EnvelopeKind, SealError, SignatureAlgorithm, Signer,
    SoftwareSigner, Status, TrustAnchors, Verdict,
};
use serde_json::Value;
use time::macros::datetime;
use time::OffsetDateTime;

const SIGNING_TIME: OffsetDateTime = datetime!(2025-06-01 10:00:00 UTC);
const CHECK_TIME: OffsetDateTime = datetime!(2025-06-02 10:00:00 UTC);
const PAYLOAD: &str = r#"{"id":"urn:credential:1","type":["VerifiableCredential","EuropeanDigitalCredential"],"title":{"fr":"Diplôme — ünïcödé"}}"#;

fn shared(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../../shared")
        .join(rel)
}

fn name(cn: &str) -> X509Name {
    let mut b = X509Name::builder().expect("name builder");
    b.append_entry_by_nid(Nid::COUNTRYNAME, "FR").expect("C");
    b.append_entry_by_nid(Nid::ORGANIZATIONNAME, "Université de Test")
        .expect("O");
    b.append_entry_by_nid(Nid::COMMONNAME, cn).expect("CN");
    b.build()
}

fn cert(
    subject_cn: &str,
    key: &PKey<Private>,
    issuer: Option<(&X509, &PKey<Private>)>,
    serial: u32,
    valid: (i64, i64),
) -> X509 {
    let mut b = X509::builder().expect("builder");
    b.set_version(2).expect("v3");
    let serial = BigNum::from_u32(serial)
        .expect("bn")
        .to_asn1_integer()
        .expect("serial");
    b.set_serial_number(&serial).expect("serial");
    let subject = name(subject_cn);
    b.set_subject_name(&subject).expect("subject");
    match issuer {
        Some((ca, _)) => b.set_issuer_name(ca.subject_name()).expect("issuer"),
        None => b.set_issuer_name(&subject).expect("issuer"),
    }
    b.set_pubkey(key).expect("pubkey");
    b.set_not_before(&Asn1Time::from_unix(valid.0).expect("t"))
        .expect("nb");
    b.set_not_after(&Asn1Time::from_unix(valid.1).expect("t"))
        .expect("na");
    if issuer.is_none() {
        b.append_extension(BasicConstraints::new().critical().ca().build().expect("bc"))
            .expect("ext");
        b.append_extension(
            KeyUsage::new()
                .key_cert_sign()
                .crl_sign()
                .build()
                .expect("ku"),
        )
        .expect("ext");
    } else {
        b.append_extension(
            KeyUsage::new()
                .digital_signature()
                .non_repudiation()
                .build()
                .expect("ku"),
        )
        .expect("ext");
    }
    let signing_key = issuer.map(|(_, k)| k).unwrap_or(key);
    b.sign(signing_key, MessageDigest::sha256())
        .expect("sign cert");
    b.build()
}

struct Pki {
    ca: X509,
    ca_key: PKey<Private>,
}

const VALID: (i64, i64) = (1_704_067_200, 1_893_456_000); // 2024-01-01 .. 2030-01-01

fn pki() -> Pki {
    let ca_key = PKey::from_rsa(Rsa::generate(2048).expect("rsa")).expect("pkey");
    let ca = cert(
        "Test Root CA",
        &ca_key,
        None,
        1,
        (1_672_531_200, 1_956_528_000),
    );
    Pki { ca, ca_key }
}

fn signer(pki: &Pki, algorithm: SignatureAlgorithm, valid: (i64, i64)) -> SoftwareSigner {
    let key = match algorithm {
        SignatureAlgorithm::ES256 => {
            let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).expect("curve");
            PKey::from_ec_key(EcKey::generate(&group).expect("ec")).expect("pkey")
        }
        _ => PKey::from_rsa(Rsa::generate(2048).expect("rsa")).expect("pkey"),
    };
    let leaf = cert(
        "Test eSeal",
        &key,
        Some((&pki.ca, &pki.ca_key)),
        4242,
        valid,
    );
    SoftwareSigner::new(
        key,
        leaf.to_der().expect("der"),
        vec![pki.ca.to_der().expect("der")],
        algorithm,
    )
    .expect("software signer")
}

fn anchors(pki: &Pki) -> TrustAnchors {
    let der = pki.ca.to_der().expect("der");
    TrustAnchors::from_der_certificates([der.as_slice()]).expect("anchors")
}

fn protected_of(doc: &Value) -> Value {
    let p = doc["signatures"][0]["protected"]
        .as_str()
        .expect("protected");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).expect("b64url")).expect("header json")
}

#[test]
fn round_trip_for_each_algorithm() {
    let pki = pki();
    for algorithm in [
        SignatureAlgorithm::RS256,
        SignatureAlgorithm::PS256,
        SignatureAlgorithm::ES256,
    ] {
        let signer = signer(&pki, algorithm, VALID);
        let sealed = seal(PAYLOAD.as_bytes(), &signer, SIGNING_TIME).expect("seals");
        let doc: Value = serde_json::from_slice(&sealed).expect("output is JSON");
        assert_eq!(
            doc["payload"], PAYLOAD,
            "{algorithm:?}: payload embedded as the same string"
        );
        let header = protected_of(&doc);
        let keys: Vec<&str> = header
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            ["alg", "cty", "kid", "x5t#S256", "x5c", "typ", "b64", "iat", "crit"],
            "{algorithm:?}: header members in the EDC order"
        );
        assert_eq!(header["alg"], algorithm.jws_name(), "alg from the signer");
        assert_eq!(header["b64"], false, "unencoded payload");
        assert_eq!(header["crit"], serde_json::json!(["b64"]), "crit lists b64");
        assert_eq!(
            header["iat"],
            SIGNING_TIME.unix_timestamp(),
            "iat = signing time"
        );
        assert_eq!(
            header["x5c"].as_array().map(Vec::len),
            Some(2),
            "certificate + chain"
        );

        let verdict = verify(&sealed, &anchors(&pki), CHECK_TIME).expect("checks");
        assert_eq!(
            verdict.envelope,
            EnvelopeKind::JwsJsonGeneral,
            "general serialization"
        );
        assert!(
            verdict.intact(),
            "{algorithm:?}: own seal verifies: {:?}",
            verdict.signatures[0].integrity
        );
        assert_eq!(
            verdict.payload,
            PAYLOAD.as_bytes(),
            "exact payload bytes back"
        );
        let s = &verdict.signatures[0];
        assert_eq!(s.level, BaselineLevel::BB, "B-B");
        assert_eq!(
            s.claimed_signing_time,
            Some(SIGNING_TIME),
            "claimed time from iat"
        );
        assert_eq!(
            s.trust.status,
            Status::Ok,
            "chains to the CA: {}",
            s.trust.message
        );
        assert_eq!(
            s.validity.status,
            Status::Ok,
            "valid: {}",
            s.validity.message
        );
        assert!(!s.seal_expired, "not expired");
        let info = s.signer.as_ref().expect("certificate info");
        assert_eq!(info.common_name.as_deref(), Some("Test eSeal"), "signer CN");
        assert_eq!(s.timestamps.status, Status::Skipped, "timestamps skipped");
        assert_eq!(s.revocation.status, Status::Skipped, "revocation skipped");

        let untrusted = verify(&sealed, &TrustAnchors::empty(), CHECK_TIME).expect("checks");
        assert!(untrusted.intact(), "intact without anchors");
        let trust = &untrusted.signatures[0].trust;
        assert_eq!(
            trust.status,
            Status::Error,
            "not trusted is a trust error while the seal stays intact (not broken)"
        );
        assert!(
            trust.message.starts_with("not trusted") && trust.message.contains("Test Root CA"),
            "names the issuer: {}",
            trust.message
        );
    }
}

fn tamper_payload(sealed: &[u8]) -> Vec<u8> {
    let mut doc: Value = serde_json::from_slice(sealed).expect("json");
    let payload = doc["payload"].as_str().expect("payload").replacen(
        "urn:credential:1",
        "urn:credential:2",
        1,
    );
    doc["payload"] = Value::String(payload);
    serde_json::to_vec(&doc).expect("json")
}

#[test]
fn one_byte_payload_change_breaks_the_seal() {
    let pki = pki();
    let signer = signer(&pki, SignatureAlgorithm::ES256, VALID);
    let sealed = seal(PAYLOAD.as_bytes(), &signer, SIGNING_TIME).expect("seals");
    let verdict = verify(&tamper_payload(&sealed), &anchors(&pki), CHECK_TIME)
        .expect("a broken seal is a verdict");
    assert!(!verdict.intact(), "tampered payload must not verify");
    let integrity = &verdict.signatures[0].integrity;
    assert_eq!(integrity.status, Status::Error, "integrity error");
    assert!(
        integrity.message.starts_with("seal broken"),
        "plain words: {}",
        integrity.message
    );
}

fn with_header(sealed: &[u8], edit: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Vec<u8> {
    let mut doc: Value = serde_json::from_slice(sealed).expect("json");
    let mut header = protected_of(&doc);
    edit(header.as_object_mut().expect("object"));
    doc["signatures"][0]["protected"] =
        Value::String(URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).expect("json")));
    serde_json::to_vec(&doc).expect("json")
}

#[test]
fn header_changes_break_the_seal() {
    let pki = pki();
    let signer = signer(&pki, SignatureAlgorithm::RS256, VALID);
    let sealed = seal(PAYLOAD.as_bytes(), &signer, SIGNING_TIME).expect("seals");
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "cty changed",
            with_header(&sealed, |h| {
                h.insert("cty".into(), Value::from("json"));
            }),
        ),
        (
            "iat changed",
            with_header(&sealed, |h| {
                h.insert(
                    "iat".into(),
                    Value::from(SIGNING_TIME.unix_timestamp() - 86_400),
                );
            }),
        ),
        (
            "x5t#S256 wrong",
            with_header(&sealed, |h| {
                h.insert(
                    "x5t#S256".into(),
                    Value::from(URL_SAFE_NO_PAD.encode([7u8; 32])),
                );
            }),
        ),
        (
            "unknown critical header",
            with_header(&sealed, |h| {
                h.insert("sigD".into(), Value::from("x"));
                h.insert("crit".into(), serde_json::json!(["b64", "sigD"]));
            }),
        ),
    ];
    for (what, file) in cases {
        let verdict =
            verify(&file, &anchors(&pki), CHECK_TIME).expect("a broken seal is a verdict");
        assert!(!verdict.intact(), "{what}: must not verify");
        assert_eq!(
            verdict.signatures[0].integrity.status,
            Status::Error,
            "{what}: integrity error"
        );
    }
}

#[test]
fn validity_and_expiry() {
    let pki = pki();
    // Leaf valid 2024-01-01 .. 2025-12-31.
    let signer = signer(
        &pki,
        SignatureAlgorithm::ES256,
        (1_704_067_200, 1_767_139_200),
    );
    let sealed = seal(PAYLOAD.as_bytes(), &signer, SIGNING_TIME).expect("seals");
    let later = verify(&sealed, &anchors(&pki), datetime!(2026-03-01 00:00 UTC)).expect("checks");
    let s = &later.signatures[0];
    assert!(later.intact(), "expiry does not break integrity");
    assert!(s.seal_expired, "expired at check time");
    assert_eq!(
        s.validity.status,
        Status::Warning,
        "made while valid: warning"
    );
    assert!(
        s.validity.message.starts_with("seal expired"),
        "says seal expired: {}",
        s.validity.message
    );

    let after_expiry =
        seal(PAYLOAD.as_bytes(), &signer, datetime!(2026-02-01 00:00 UTC)).expect("seals");
    let v = verify(
        &after_expiry,
        &anchors(&pki),
        datetime!(2026-03-01 00:00 UTC),
    )
    .expect("checks");
    assert_eq!(
        v.signatures[0].validity.status,
        Status::Error,
        "made with an expired certificate"
    );
    assert!(
        v.signatures[0].validity.message.starts_with("seal expired"),
        "message: {}",
        v.signatures[0].validity.message
    );
}

#[test]
fn payload_must_be_utf8() {
    let pki = pki();
    let signer = signer(&pki, SignatureAlgorithm::ES256, VALID);
    let err = seal(b"{\"a\":\"\xff\"}", &signer, SIGNING_TIME).expect_err("not UTF-8");
    assert!(
        matches!(err, SealError::PayloadNotUtf8 { valid_up_to: 6, .. }),
        "offset of the bad byte: {err:?}"
    );
}

#[test]
fn flattened_b64_true_and_compact_are_read() {
    let pki = pki();
    let signer = signer(&pki, SignatureAlgorithm::ES256, VALID);
    let cert = base64::engine::general_purpose::STANDARD.encode(signer.certificate());
    let header = serde_json::json!({"alg": "ES256", "x5c": [cert],
        "x5t#S256": URL_SAFE_NO_PAD.encode(openssl::sha::sha256(signer.certificate()))});
    let protected = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).expect("json"));
    let payload = URL_SAFE_NO_PAD.encode(PAYLOAD);
    let signature = URL_SAFE_NO_PAD.encode(
        signer
            .sign(format!("{protected}.{payload}").as_bytes())
            .expect("sign"),
    );

    let flattened =
        serde_json::json!({"protected": protected, "payload": payload, "signature": signature});
    let v = verify(
        &serde_json::to_vec(&flattened).expect("json"),
        &anchors(&pki),
        CHECK_TIME,
    )
    .expect("checks");
    assert_eq!(v.envelope, EnvelopeKind::JwsJsonFlattened, "flattened");
    assert!(
        v.intact(),
        "flattened b64:true verifies: {:?}",
        v.signatures[0].integrity
    );
    assert_eq!(v.payload, PAYLOAD.as_bytes(), "decoded payload");
    assert_eq!(
        v.signatures[0].claimed_signing_time, None,
        "no signing time claimed"
    );

    let compact = format!("{protected}.{payload}.{signature}\n");
    let v = verify(compact.as_bytes(), &anchors(&pki), CHECK_TIME).expect("checks");
    assert_eq!(v.envelope, EnvelopeKind::CompactJws, "compact");
    assert!(v.intact(), "compact verifies");
    let broken = format!("{protected}.{}.{signature}", URL_SAFE_NO_PAD.encode("{}"));
    let v = verify(broken.as_bytes(), &anchors(&pki), CHECK_TIME).expect("checks");
    assert!(!v.intact(), "compact with another payload fails");
}

#[test]
fn malformed_files_name_the_place() {
    let err = verify(
        b"{\n \"payload\": \"x\",\n \"signatures\": [\n",
        &TrustAnchors::empty(),
        CHECK_TIME,
    )
    .expect_err("truncated");
    assert!(
        matches!(err, SealError::MalformedJson { line: 4, .. }),
        "line of the end: {err:?}"
    );
    let err = verify(
        br#"{"payload":"x","signatures":{}}"#,
        &TrustAnchors::empty(),
        CHECK_TIME,
    )
    .expect_err("object");
    assert!(
        matches!(&err, SealError::MalformedEnvelope { pointer, .. } if pointer == "/signatures"),
        "{err:?}"
    );
    let err = verify(
        br#"{"payload":"x","signatures":[{"protected":"***","signature":"AA"}]}"#,
        &TrustAnchors::empty(),
        CHECK_TIME,
    )
    .expect_err("bad base64");
    assert!(
        matches!(&err, SealError::Base64 { pointer, .. } if pointer == "/signatures/0/protected"),
        "{err:?}"
    );
    let err = verify(
        br#"{"signatures":[{"protected":"e30","signature":"AA"}]}"#,
        &TrustAnchors::empty(),
        CHECK_TIME,
    )
    .expect_err("no payload");
    assert!(
        matches!(&err, SealError::MalformedEnvelope { pointer, .. } if pointer == "/payload"),
        "{err:?}"
    );
    let err =
        verify(b"not json and no dots", &TrustAnchors::empty(), CHECK_TIME).expect_err("garbage");
    assert!(
        matches!(&err, SealError::MalformedEnvelope { pointer, .. } if pointer == "byte 0"),
        "{err:?}"
    );
}

fn official_sealed() -> Vec<PathBuf> {
    vec![
        shared("reference/edci-platform/jades-sealed/json_to_seal-signed-jades-baseline-lta.json"),
        shared("reference/edci-platform/jades-sealed/json_sealed_advanced.json"),
        shared("reference/elm-v3/credentials-jsonld/Sample-CertOfPart-signed.jsonld"),
        shared("reference/elm-v3/credentials-jsonld/Sample-MC-Annex1-signed.jsonld"),
    ]
}

fn check(path: &PathBuf, anchors: &TrustAnchors) -> Verdict {
    let bytes = std::fs::read(path).expect("sample");
    verify(&bytes, anchors, CHECK_TIME).expect("official sample is readable")
}

#[test]
fn official_sealed_samples_verify_and_are_not_trusted() {
    for path in official_sealed() {
        let verdict = check(&path, &TrustAnchors::empty());
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        assert_eq!(
            verdict.envelope,
            EnvelopeKind::JwsJsonGeneral,
            "{name}: general serialization"
        );
        assert!(
            verdict.intact(),
            "{name}: official seal verifies: {:?}",
            verdict.signatures[0].integrity
        );
        let doc: Value =
            serde_json::from_slice(&std::fs::read(&path).expect("sample")).expect("json");
        assert_eq!(
            verdict.payload,
            doc["payload"].as_str().expect("payload").as_bytes(),
            "{name}: exact payload"
        );
        let s = &verdict.signatures[0];
        assert_eq!(
            s.trust.status,
            Status::Error,
            "{name}: test CA is not trusted"
        );
        assert!(
            s.trust.message.contains("ANF"),
            "{name}: names the ANF issuer: {}",
            s.trust.message
        );
        assert_eq!(
            s.level,
            BaselineLevel::BLTA,
            "{name}: sigTst + xVals/rVals + arcTst"
        );
        assert!(s.claimed_signing_time.is_some(), "{name}: sigT read");
        assert!(
            !s.header.b64 && s.header.crit.contains(&"sigT".to_owned()),
            "{name}: header facts"
        );
        assert!(
            verify(
                &tamper(&std::fs::read(&path).expect("sample")),
                &TrustAnchors::empty(),
                CHECK_TIME
            )
            .map(|v| !v.intact())
            .unwrap_or(false),
            "{name}: tampered copy fails"
        );
    }
}

fn tamper(bytes: &[u8]) -> Vec<u8> {
    let mut doc: Value = serde_json::from_slice(bytes).expect("json");
    let mut payload = doc["payload"].as_str().expect("payload").to_owned();
    let at = payload.find("type").expect("a type member");
    payload.replace_range(at..at + 1, "T");
    doc["payload"] = Value::String(payload);
    serde_json::to_vec(&doc).expect("json")
}

#[test]
fn official_samples_with_their_chain_as_anchor_are_trusted() {
    // json_sealed_advanced carries the chain up to ANF Global Root CA in x5c: anchoring that
    // root makes the chain build (time = the claimed signing time, 2022).
    let path = shared("reference/edci-platform/jades-sealed/json_sealed_advanced.json");
    let doc: Value = serde_json::from_slice(&std::fs::read(&path).expect("sample")).expect("json");
    let header = protected_of(&doc);
    let root = base64::engine::general_purpose::STANDARD
        .decode(header["x5c"][2].as_str().expect("root"))
        .expect("b64");
    let anchors = TrustAnchors::from_der_certificates([root.as_slice()]).expect("anchor");
    let verdict = check(&path, &anchors);
    let s = &verdict.signatures[0];
    assert_eq!(
        s.trust.status,
        Status::Ok,
        "chains to the anchored root: {}",
        s.trust.message
    );
    assert!(
        s.trust.message.contains("ANF Global Root CA"),
        "names the anchor: {}",
        s.trust.message
    );
}

#[test]
fn official_qualified_seal_statements_are_reported() {
    let verdict = check(&official_sealed()[3], &TrustAnchors::empty());
    let s = &verdict.signatures[0];
    let info = s.signer.as_ref().expect("certificate info");
    assert_eq!(
        info.organization_identifier.as_deref(),
        Some("VATES-A00000000"),
        "organisation id"
    );
    assert_ne!(
        s.qualification.status,
        Status::Skipped,
        "qualification read: {}",
        s.qualification.message
    );
}

#[test]
fn unsigned_samples_are_not_sealed() {
    let dir = shared("reference/elm-v3/credentials-jsonld");
    for (name, kind) in [
        ("Sample-CertOfPart-unsigned.jsonld", EnvelopeKind::NotSealed),
        ("Sample-MC-Annex1-unsigned.jsonld", EnvelopeKind::NotSealed),
        (
            "Sample-CertOfPart-unsigned-uploadable.json",
            EnvelopeKind::UploadWrapper,
        ),
        (
            "Sample-MC-Annex1-unsigned-uploadable.json",
            EnvelopeKind::UploadWrapper,
        ),
    ] {
        let bytes = std::fs::read(dir.join(name)).expect("sample");
        let v = verify(&bytes, &TrustAnchors::empty(), CHECK_TIME).expect("checks");
        assert_eq!(v.envelope, kind, "{name}");
        assert!(
            !v.envelope.is_sealed() && !v.intact(),
            "{name}: not sealed, not intact"
        );
        let parsed: Value =
            serde_json::from_slice(&v.payload).expect("payload is the credential JSON");
        assert!(
            parsed.get("credentialSubject").is_some(),
            "{name}: payload is the credential itself"
        );
    }
    let v = verify(
        &std::fs::read(shared(
            "reference/edci-platform/jades-sealed/json_to_seal.json",
        ))
        .expect("sample"),
        &TrustAnchors::empty(),
        CHECK_TIME,
    )
    .expect("checks");
    assert_eq!(
        v.envelope,
        EnvelopeKind::NotSealed,
        "the eseal test input is not sealed"
    );
}

#[test]
fn trust_anchors_from_a_directory() {
    let pki = pki();
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("root.pem"), pki.ca.to_pem().expect("pem")).expect("write");
    std::fs::write(
        dir.path().join("root-copy.der"),
        pki.ca.to_der().expect("der"),
    )
    .expect("write");
    std::fs::write(dir.path().join("README.txt"), "ignored").expect("write");
    let anchors = TrustAnchors::from_dir(dir.path()).expect("loads");
    assert_eq!(anchors.len(), 2, "pem + der, txt ignored");
    let signer = signer(&pki, SignatureAlgorithm::PS256, VALID);
    let sealed = seal(PAYLOAD.as_bytes(), &signer, SIGNING_TIME).expect("seals");
    let v = verify(&sealed, &anchors, CHECK_TIME).expect("checks");
    assert_eq!(
        v.signatures[0].trust.status,
        Status::Ok,
        "trusted via the directory"
    );

    std::fs::write(
        dir.path().join("broken.pem"),
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    )
    .expect("write");
    let err = TrustAnchors::from_dir(dir.path()).expect_err("broken file");
    assert!(
        matches!(&err, SealError::TrustAnchorInvalid { path, .. } if path.ends_with("broken.pem")),
        "{err:?}"
    );
}

#[test]
fn software_signer_rejects_mismatches() {
    let pki = pki();
    let rsa = PKey::from_rsa(Rsa::generate(2048).expect("rsa")).expect("pkey");
    let err = SoftwareSigner::new(
        rsa,
        pki.ca.to_der().expect("der"),
        vec![],
        SignatureAlgorithm::ES256,
    )
    .expect_err("RSA key for ES256");
    assert!(
        matches!(err, SealError::SignerKeyMismatch { .. }),
        "{err:?}"
    );
    let other = PKey::from_rsa(Rsa::generate(2048).expect("rsa")).expect("pkey");
    let err = SoftwareSigner::new(
        other,
        pki.ca.to_der().expect("der"),
        vec![],
        SignatureAlgorithm::RS256,
    )
    .expect_err("certificate of another key");
    assert!(
        matches!(err, SealError::SignerKeyMismatch { .. }),
        "{err:?}"
    );
}

#[test]
fn sealer_writes_the_document_serde_json_writes_and_it_verifies() {
    // Every byte that needs an escape (controls, quote, backslash), DEL, and non-ASCII text.
    let mut text = String::from("{\"name\":\"Ana \\\"Q\\\" \\\\ Čapek — 学生 😀\",\"c\":\"");
    for b in 0u8..0x20 {
        text.push(char::from(b));
    }
    text.push('\u{7f}');
    text.push_str("\"}");
    let pki = pki();
    let signer = signer(&pki, SignatureAlgorithm::RS256, VALID);
    let at = datetime!(2026-03-01 10:00 UTC);
    let sealer = sealdesk_seal::jades::Sealer::new(&signer, at).expect("sealer");
    let sealed = sealer.seal(text.as_bytes()).expect("seal");
    let doc: Value = serde_json::from_slice(&sealed).expect("sealed is JSON");
    assert_eq!(
        serde_json::to_vec(&doc).expect("serialise"),
        sealed,
        "the sealer's bytes are exactly serde_json's serialisation of the same document"
    );
    assert_eq!(
        doc["payload"].as_str(),
        Some(text.as_str()),
        "the payload string is the exact text"
    );
    assert_eq!(
        doc["signatures"][0]["protected"].as_str(),
        Some(sealer.protected()),
        "the prepared protected header is the one in the seal"
    );
    assert_eq!(
        seal(text.as_bytes(), &signer, at).expect("seal"),
        sealed,
        "seal() and Sealer::seal give the same bytes (RS256 is deterministic)"
    );
    let verdict = verify(&sealed, &anchors(&pki), at).expect("verifies");
    assert!(verdict.intact(), "the seal is intact: {verdict:?}");
}

/// Hostile shapes: nesting deeper than any credential, a protected header whose fields have the
/// wrong types, and an oversized header are refused or reported, never a panic or a stack
/// overflow.
#[test]
fn hostile_envelopes_are_refused_without_panicking() {
    let deep = format!(
        r#"{{"payload":"x","signatures":[{{"protected":"e30","signature":"AA","header":{}{}}}]}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let err = verify(deep.as_bytes(), &TrustAnchors::empty(), CHECK_TIME)
        .expect_err("nesting beyond serde_json's limit");
    assert!(matches!(err, SealError::MalformedJson { .. }), "{err:?}");

    let b64 = |s: &str| {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
    };
    for header in [
        r#"{"alg":5,"b64":false,"crit":["b64"]}"#,
        r#"{"alg":"RS256","x5c":"not-an-array","b64":false,"crit":["b64"]}"#,
        r#"{"alg":"RS256","x5c":[7],"b64":false,"crit":["b64"]}"#,
        r#"{"alg":"RS256","b64":"no","crit":"b64"}"#,
        r#"[1,2,3]"#,
    ] {
        let file = format!(
            r#"{{"payload":"{{}}","signatures":[{{"protected":"{}","signature":"AAAA"}}]}}"#,
            b64(header)
        );
        match verify(file.as_bytes(), &TrustAnchors::empty(), CHECK_TIME) {
            Err(e) => assert!(!e.to_string().is_empty(), "{header}: a reason"),
            Ok(v) => assert!(!v.intact(), "{header}: never intact"),
        }
    }

    let huge = format!(
        r#"{{"payload":"{{}}","signatures":[{{"protected":"{}","signature":"AAAA"}}]}}"#,
        b64(&format!(
            r#"{{"alg":"RS256","kid":"{}"}}"#,
            "A".repeat(8 << 20)
        ))
    );
    match verify(huge.as_bytes(), &TrustAnchors::empty(), CHECK_TIME) {
        Err(e) => assert!(!e.to_string().is_empty(), "a reason"),
        Ok(v) => assert!(!v.intact(), "an 8 MB header seals nothing"),
    }
}
