//! Every JWS algorithm of `SignatureAlgorithm` seals and verifies with a software key, and
//! the verifier rejects a seal whose signature was made for another message.

use openssl::asn1::Asn1Time;
use openssl::bn::BigNum;
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::x509::{X509Name, X509};
use sealdesk_seal::{
    seal, verify, SignatureAlgorithm, SignatureScheme, Signer, SoftwareSigner, TrustAnchors,
};
use time::macros::datetime;
use time::OffsetDateTime;

const NOW: OffsetDateTime = datetime!(2025-06-01 10:00:00 UTC);
const PAYLOAD: &[u8] = r#"{"id":"urn:credential:alg","title":{"fr":"Diplôme"}}"#.as_bytes();

fn key_for(algorithm: SignatureAlgorithm) -> PKey<Private> {
    match algorithm {
        SignatureAlgorithm::ES256 => ec(Nid::X9_62_PRIME256V1),
        SignatureAlgorithm::ES384 => ec(Nid::SECP384R1),
        _ => PKey::from_rsa(Rsa::generate(2048).expect("rsa")).expect("pkey"),
    }
}

fn ec(curve: Nid) -> PKey<Private> {
    let group = EcGroup::from_curve_name(curve).expect("curve");
    PKey::from_ec_key(EcKey::generate(&group).expect("ec")).expect("pkey")
}

fn self_signed(key: &PKey<Private>) -> X509 {
    let mut name = X509Name::builder().expect("name");
    name.append_entry_by_nid(Nid::ORGANIZATIONNAME, "Université de Test")
        .expect("O");
    name.append_entry_by_nid(Nid::COMMONNAME, "alg test")
        .expect("CN");
    let name = name.build();
    let mut b = X509::builder().expect("builder");
    b.set_version(2).expect("v3");
    b.set_serial_number(
        &BigNum::from_u32(7)
            .expect("bn")
            .to_asn1_integer()
            .expect("int"),
    )
    .expect("serial");
    b.set_subject_name(&name).expect("subject");
    b.set_issuer_name(&name).expect("issuer");
    b.set_pubkey(key).expect("key");
    b.set_not_before(&Asn1Time::from_unix(1_704_067_200).expect("t"))
        .expect("nb");
    b.set_not_after(&Asn1Time::from_unix(1_893_456_000).expect("t"))
        .expect("na");
    b.sign(key, MessageDigest::sha256()).expect("sign");
    b.build()
}

#[test]
fn every_algorithm_seals_and_verifies() {
    for algorithm in SignatureAlgorithm::ALL {
        let key = key_for(algorithm);
        let cert = self_signed(&key);
        let der = cert.to_der().expect("der");
        let signer = SoftwareSigner::new(key, der.clone(), Vec::new(), algorithm)
            .unwrap_or_else(|e| panic!("{algorithm:?}: signer: {e}"));
        let raw = signer.sign(b"abc").expect("signs");
        if let Some(field) = algorithm.ecdsa_field_len() {
            assert_eq!(raw.len(), 2 * field, "{algorithm:?}: r || s");
        }
        let sealed = seal(PAYLOAD, &signer, NOW).expect("seals");
        let anchors = TrustAnchors::from_der_certificates([der.as_slice()]).expect("anchors");
        let verdict = verify(&sealed, &anchors, NOW).expect("verifies");
        assert!(
            verdict.intact(),
            "{algorithm:?}: own seal is intact: {verdict:?}"
        );
        let header = String::from_utf8_lossy(&sealed).into_owned();
        assert!(header.contains("\"signatures\""), "{algorithm:?}: JWS JSON");

        // The same bytes under another algorithm's name do not verify.
        let other = match algorithm.scheme() {
            SignatureScheme::Ecdsa => None,
            SignatureScheme::RsaPkcs1 | SignatureScheme::RsaPss => Some(
                SignatureAlgorithm::ALL
                    .into_iter()
                    .find(|a| a.scheme() == algorithm.scheme() && *a != algorithm)
                    .expect("a sibling"),
            ),
        };
        if let Some(other) = other {
            let forged = String::from_utf8(sealed.clone()).expect("utf8");
            let relabelled = relabel(&forged, algorithm, other);
            let verdict = verify(relabelled.as_bytes(), &anchors, NOW).expect("checks");
            assert!(
                !verdict.intact(),
                "{algorithm:?} signature claimed as {other:?} must not verify"
            );
        }
    }
}

#[test]
fn keys_must_fit_the_algorithm() {
    let p256 = ec(Nid::X9_62_PRIME256V1);
    let der = self_signed(&p256).to_der().expect("der");
    let result = SoftwareSigner::new(p256, der, Vec::new(), SignatureAlgorithm::ES384);
    assert!(result.is_err(), "a P-256 key cannot make ES384 seals");
}

/// Rewrites the protected header's `alg` (the signature then covers a different header).
fn relabel(document: &str, from: SignatureAlgorithm, to: SignatureAlgorithm) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let mut doc: serde_json::Value = serde_json::from_str(document).expect("json");
    let protected = doc["signatures"][0]["protected"]
        .as_str()
        .expect("protected")
        .to_owned();
    let header = String::from_utf8(URL_SAFE_NO_PAD.decode(protected).expect("b64")).expect("utf8");
    let header = header.replace(from.jws_name(), to.jws_name());
    doc["signatures"][0]["protected"] = URL_SAFE_NO_PAD.encode(header).into();
    doc.to_string()
}
