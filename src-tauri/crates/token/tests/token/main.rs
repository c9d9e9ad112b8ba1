//! sealdesk-token against a real SoftHSM2 token made by tests/harness/mktoken.sh.
//!
//! All tests of this binary share one token (SoftHSM reads its configuration once per process)
//! and take [`serial`] so that one signer at a time holds the token and listings see the token
//! logged out. Wrong-PIN tests live in `tests/pin.rs`, their own process.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use openssl::ecdsa::EcdsaSig;
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Public};
use openssl::rsa::Padding;
use openssl::sign::{RsaPssSaltlen, Verifier};
use openssl::x509::X509;
use sealdesk_seal::certificate::{CertificateClass, CertificateInfo, PdsLocation, Validity};
use sealdesk_seal::{SignatureAlgorithm, Signer};
use sealdesk_tests::TestToken;
use sealdesk_token::{
    list_tokens, KeyKind, OpenOptions, SealDevice, SecretString, TokenError, TokenSelector,
    TokenSigner,
};
use time::OffsetDateTime;

const MESSAGE: &[u8] = b"eyJhbGciOiJSUzI1NiJ9.{\"type\":[\"VerifiableCredential\"]}";

fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn token() -> &'static TestToken {
    TestToken::shared()
}

fn pin() -> SecretString {
    SecretString::from(token().pin.clone())
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

fn open(key_id: Option<&str>, options: OpenOptions) -> Result<TokenSigner, TokenError> {
    let t = token();
    SealDevice::open(
        &t.module,
        &TokenSelector::Label(t.label.clone()),
        key_id,
        pin(),
        now(),
        options,
    )
}

/// Key 03's certificate is not a seal: opening it needs the person's consent.
fn non_seal() -> OpenOptions {
    OpenOptions {
        accept_non_seal: true,
        ..OpenOptions::default()
    }
}

fn public_key(signer: &TokenSigner) -> PKey<Public> {
    X509::from_der(signer.certificate())
        .and_then(|c| c.public_key())
        .expect("the signer's certificate has a public key")
}

fn verify_rsa(signer: &TokenSigner, signature: &[u8], pss: bool) -> bool {
    let key = public_key(signer);
    let mut verifier = Verifier::new(MessageDigest::sha256(), &key).expect("verifier");
    if pss {
        verifier.set_rsa_padding(Padding::PKCS1_PSS).expect("pss");
        verifier
            .set_rsa_pss_saltlen(RsaPssSaltlen::custom(32))
            .expect("salt");
        verifier
            .set_rsa_mgf1_md(MessageDigest::sha256())
            .expect("mgf1");
    }
    verifier.update(MESSAGE).expect("update");
    verifier.verify(signature).expect("verify runs")
}

mod list {
    use super::*;

    #[test]
    fn finds_four_candidates_with_their_facts_and_default_01() {
        let _guard = serial();
        let t = token();
        let reports = list_tokens(&t.module, now()).expect("listing works without a PIN");
        let report = reports
            .iter()
            .find(|r| r.label == t.label)
            .unwrap_or_else(|| panic!("token {} listed: {reports:?}", t.label));
        assert_eq!(report.manufacturer, "SoftHSM project", "manufacturer");
        assert!(!report.serial.is_empty(), "serial read");
        assert!(report.pin.login_required, "SoftHSM needs a login");
        assert!(!report.pin.user_pin_locked, "fresh token not locked");
        assert!(
            !report.pin.user_pin_final_try,
            "fresh token not on final try"
        );
        assert!(!report.pin.protected_authentication_path, "no PIN pad");

        let ids: Vec<&str> = report
            .candidates
            .iter()
            .map(|c| c.key_id.as_str())
            .collect();
        assert_eq!(
            ids,
            ["01", "02", "03", "04", "05"],
            "the CA certificate a0 has no key"
        );
        let by_id = |id: &str| {
            report
                .candidates
                .iter()
                .find(|c| c.key_id == id)
                .unwrap_or_else(|| panic!("candidate {id}"))
        };
        let k1 = by_id("01");
        assert_eq!(k1.key, "RSA-3072", "key 01 size");
        assert_eq!(k1.key_kind, KeyKind::Rsa, "key 01 kind");
        assert_eq!(
            k1.algorithm,
            Some(SignatureAlgorithm::RS256),
            "RSA defaults to RS256"
        );
        assert_eq!(k1.validity, Validity::Valid, "key 01 valid");
        assert!(k1.qualified_seal, "key 01 qualified seal");
        assert!(k1.certificate.qc_sscd, "key 01 QcSSCD");
        let k2 = by_id("02");
        assert_eq!(k2.validity, Validity::Expired, "key 02 expired");
        assert!(k2.qualified_seal, "key 02 carries the QC profile");
        let k3 = by_id("03");
        assert_eq!(k3.key, "EC P-256", "key 03 curve");
        assert_eq!(
            k3.algorithm,
            Some(SignatureAlgorithm::ES256),
            "EC P-256 -> ES256"
        );
        assert!(!k3.qualified_seal, "key 03 plain");
        let k4 = by_id("04");
        assert!(k4.qualified_seal, "key 04 qualified");
        let k5 = by_id("05");
        assert_eq!(k5.key, "EC P-384", "key 05 curve");
        assert_eq!(
            k5.algorithm,
            Some(SignatureAlgorithm::ES384),
            "EC P-384 -> ES384"
        );
        assert_eq!(k5.algorithms, [SignatureAlgorithm::ES384], "only ES384");

        // Classification, countdown and algorithms, all computed in Rust.
        let classes: Vec<(&str, CertificateClass)> = report
            .candidates
            .iter()
            .map(|c| (c.key_id.as_str(), c.class))
            .collect();
        assert_eq!(
            classes,
            [
                ("01", CertificateClass::QualifiedSeal),
                ("02", CertificateClass::Expired),
                ("03", CertificateClass::SignatureCertificate),
                ("04", CertificateClass::QualifiedSeal),
                ("05", CertificateClass::QualifiedSeal),
            ],
            "qualified, expired and plain certificates classified"
        );
        let expected_days = (k1.certificate.not_after - now()).whole_days();
        assert!(
            (expected_days - 1..=expected_days).contains(&k1.days_left),
            "days left {} vs {expected_days}",
            k1.days_left
        );
        assert!(!k1.expires_soon, "two years left is not soon");
        assert!(k2.days_left < 0, "expired: negative countdown");
        assert_eq!(
            k1.algorithms.first(),
            Some(&SignatureAlgorithm::RS256),
            "default first"
        );
        for alg in [
            SignatureAlgorithm::RS384,
            SignatureAlgorithm::RS512,
            SignatureAlgorithm::PS256,
            SignatureAlgorithm::PS384,
            SignatureAlgorithm::PS512,
        ] {
            assert!(
                k1.algorithms.contains(&alg),
                "SoftHSM's raw RSA mechanisms give {alg:?}: {:?}",
                k1.algorithms
            );
        }
        assert!(
            !k1.algorithms.contains(&SignatureAlgorithm::ES256),
            "no ECDSA on an RSA key"
        );
        for c in &report.candidates {
            // SoftHSM hides private keys until login, so this is unknown before a PIN.
            assert!(
                !c.private_key_visible,
                "{} private key hidden before login",
                c.key_id
            );
            assert_eq!(
                c.always_authenticate, None,
                "{} flag unknown before login",
                c.key_id
            );
        }
        assert_eq!(
            report.default_key_id.as_deref(),
            Some("01"),
            "default seal key"
        );

        let json = serde_json::to_value(report).expect("serializable");
        assert_eq!(json["candidates"][0]["keyId"], "01", "camelCase JSON");
    }

    #[test]
    fn harness_certificates_read_as_intended() {
        let t = token();
        let info = CertificateInfo::from_der(&t.cert_der("01")).expect("seal-01 parses");
        assert_eq!(
            info.common_name.as_deref(),
            Some("Université Exemple - Cachet diplômes (TEST)"),
            "UTF-8 CN"
        );
        assert_eq!(
            info.organization.as_deref(),
            Some("Université Exemple (TEST)"),
            "O"
        );
        assert_eq!(
            info.organization_identifier.as_deref(),
            Some("VATFR-12345678901"),
            "organizationIdentifier"
        );
        assert_eq!(info.country.as_deref(), Some("FR"), "C");
        assert!(
            info.issuer.contains("NOT QUALIFIED"),
            "test CA says so: {}",
            info.issuer
        );
        assert!(
            info.qc_compliance && info.qc_type_eseal && info.qc_sscd,
            "full QC profile: {info:?}"
        );
        assert!(info.key_usage_non_repudiation, "nonRepudiation");
        assert!(
            info.policies.iter().any(|p| p == "0.4.0.194112.1.3"),
            "QCP-l-qscd policy: {:?}",
            info.policies
        );
        assert!(info.is_qualified_seal(), "seal-01 is a qualified seal");
        assert!(
            info.not_before < now() && now() < info.not_after,
            "seal-01 valid now"
        );

        let plain = CertificateInfo::from_der(&t.cert_der("03")).expect("seal-03 parses");
        assert!(!plain.qc_compliance && !plain.qc_sscd, "no QC statements");
        assert!(plain.key_usage_digital_signature, "digitalSignature");
        assert!(!plain.key_usage_non_repudiation, "no nonRepudiation");
        assert!(!plain.is_qualified_seal(), "seal-03 not qualified");

        assert_eq!(
            plain.class_at(now()),
            CertificateClass::SignatureCertificate,
            "seal-03 is not a seal"
        );
        assert_eq!(
            info.pds,
            [PdsLocation {
                url: "https://qtsp.example.test/pds_en.pdf".into(),
                language: "en".into()
            }],
            "QcPDS read"
        );
        assert_eq!(
            info.semantics_identifier.as_deref(),
            Some("0.4.0.194121.1.2"),
            "legal person semantics"
        );
        assert!(!info.natural_person, "a seal holder is not a person");

        let expired = CertificateInfo::from_der(&t.cert_der("02")).expect("seal-02 parses");
        assert_eq!(
            expired.validity_at(now()),
            Validity::Expired,
            "seal-02 expired"
        );
    }
}

mod sign {
    use super::*;

    #[test]
    fn rs256_with_the_default_key_verifies_with_openssl() {
        let _guard = serial();
        let signer = open(None, OpenOptions::default()).expect("default key opens");
        assert_eq!(signer.candidate().key_id, "01", "default key is 01");
        assert_eq!(signer.algorithm(), SignatureAlgorithm::RS256, "RS256");
        assert_eq!(
            signer.mechanism(),
            "CKM_RSA_PKCS",
            "raw mechanism on SoftHSM"
        );
        assert_eq!(
            signer.candidate().always_authenticate,
            Some(false),
            "known after login"
        );
        let as_trait: &dyn Signer = &signer;
        let signature = as_trait.sign(MESSAGE).expect("signs");
        assert_eq!(signature.len(), 384, "RSA-3072 signature length");
        assert!(verify_rsa(&signer, &signature, false), "RS256 verifies");
        let again = signer.sign_message(MESSAGE).expect("signs again");
        assert_eq!(signature, again, "PKCS#1 v1.5 is deterministic");
        assert_eq!(
            signer.chain(),
            [token().ca_cert_der()],
            "the test CA found on the token"
        );
        assert_eq!(
            signer.certificate(),
            token().cert_der("01").as_slice(),
            "certificate read from the token is the harness one"
        );
    }

    #[test]
    fn ps256_verifies_with_openssl() {
        let _guard = serial();
        let signer = open(
            Some("01"),
            OpenOptions {
                algorithm: Some(SignatureAlgorithm::PS256),
                ..OpenOptions::default()
            },
        )
        .expect("opens for PS256");
        assert_eq!(signer.mechanism(), "CKM_RSA_PKCS_PSS", "raw PSS");
        let signature = signer.sign_message(MESSAGE).expect("signs");
        assert!(verify_rsa(&signer, &signature, true), "PS256 verifies");
        assert!(
            !verify_rsa(&signer, &signature, false),
            "and is not PKCS#1 v1.5"
        );
    }

    #[test]
    fn es256_is_raw_r_and_s_and_verifies() {
        let _guard = serial();
        let signer = open(Some("03"), non_seal()).expect("key 03 opens");
        assert_eq!(signer.algorithm(), SignatureAlgorithm::ES256, "EC -> ES256");
        let signature = signer.sign_message(MESSAGE).expect("signs");
        assert_eq!(signature.len(), 64, "JWS r||s");
        let r = openssl::bn::BigNum::from_slice(&signature[..32]).expect("r");
        let s = openssl::bn::BigNum::from_slice(&signature[32..]).expect("s");
        let sig = EcdsaSig::from_private_components(r, s).expect("sig");
        let ec = public_key(&signer).ec_key().expect("EC key");
        let digest = openssl::sha::sha256(MESSAGE);
        assert!(
            sig.verify(&digest, &ec).expect("verify runs"),
            "ES256 verifies"
        );
    }

    #[test]
    fn always_authenticate_key_signs_twice_in_a_row() {
        let _guard = serial();
        let signer = open(Some("04"), OpenOptions::default()).expect("key 04 opens");
        assert_eq!(
            signer.candidate().always_authenticate,
            Some(true),
            "CKA_ALWAYS_AUTHENTICATE read after login"
        );
        assert_eq!(
            signer.mechanism(),
            "CKM_SHA256_RSA_PKCS",
            "multi-part mechanism"
        );
        for round in 1..=2 {
            let signature = signer
                .sign_message(MESSAGE)
                .unwrap_or_else(|e| panic!("signature {round} failed: {e}"));
            assert!(
                verify_rsa(&signer, &signature, false),
                "signature {round} verifies"
            );
        }
    }

    #[test]
    fn signer_is_usable_from_several_threads_and_releases_the_token() {
        let _guard = serial();
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<TokenSigner>();
        let signer = open(Some("03"), non_seal()).expect("opens");
        let busy = open(Some("01"), OpenOptions::default());
        assert!(
            matches!(busy, Err(TokenError::TokenBusy { .. })),
            "one signer per token: {busy:?}"
        );
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..4)
                .map(|_| scope.spawn(|| signer.sign_message(MESSAGE)))
                .collect();
            for handle in handles {
                let result = handle.join().expect("thread");
                assert_eq!(result.map(|s| s.len()).ok(), Some(64), "each thread signs");
            }
        });
        drop(signer);
        let again = open(Some("01"), OpenOptions::default());
        assert!(again.is_ok(), "after drop the token is free: {again:?}");
    }
}

mod refuse {
    use super::*;

    #[test]
    fn expired_certificate_is_refused_before_the_pin_is_used() {
        let _guard = serial();
        let t = token();
        let result = SealDevice::open(
            &t.module,
            &TokenSelector::Label(t.label.clone()),
            Some("02"),
            SecretString::from("000000".to_owned()),
            now(),
            OpenOptions::default(),
        );
        let expected = CertificateInfo::from_der(&t.cert_der("02"))
            .expect("parses")
            .not_after;
        match result {
            Err(TokenError::CertificateExpired { not_after }) => {
                assert_eq!(not_after, expected, "the certificate's end date")
            }
            other => panic!("expired key 02 refused (even with a wrong PIN): {other:?}"),
        }
    }

    #[test]
    fn not_yet_valid_certificate_is_refused() {
        let _guard = serial();
        let t = token();
        let long_ago = now() - time::Duration::days(3650);
        let result = SealDevice::open(
            &t.module,
            &TokenSelector::First,
            Some("01"),
            pin(),
            long_ago,
            OpenOptions::default(),
        );
        assert!(
            matches!(result, Err(TokenError::CertificateNotYetValid { .. })),
            "ten years ago key 01 was not valid: {result:?}"
        );
    }

    #[test]
    fn unknown_token_key_and_bad_key_id() {
        let _guard = serial();
        let t = token();
        let result = SealDevice::open(
            &t.module,
            &TokenSelector::Label("NO SUCH TOKEN".into()),
            None,
            pin(),
            now(),
            OpenOptions::default(),
        );
        assert!(
            matches!(result, Err(TokenError::TokenNotFound { ref label }) if label == "NO SUCH TOKEN"),
            "unknown label: {result:?}"
        );
        let result = open(Some("a0"), OpenOptions::default());
        assert!(
            matches!(result, Err(TokenError::KeyNotFound { ref key_id, .. }) if key_id == "a0"),
            "the CA certificate has no key: {result:?}"
        );
        let result = open(Some("zz"), OpenOptions::default());
        assert!(
            matches!(result, Err(TokenError::InvalidKeyId { .. })),
            "zz is not hex: {result:?}"
        );
        let result = open(
            Some("01"),
            OpenOptions {
                algorithm: Some(SignatureAlgorithm::ES256),
                ..OpenOptions::default()
            },
        );
        assert!(
            matches!(result, Err(TokenError::AlgorithmNotForKey { .. })),
            "ES256 on an RSA key: {result:?}"
        );
    }

    #[test]
    fn bad_module_paths() {
        let missing = PathBuf::from("/nonexistent/sealdesk/libpkcs11.so");
        let result = SealDevice::open(
            &missing,
            &TokenSelector::First,
            None,
            pin(),
            now(),
            OpenOptions::default(),
        );
        assert!(
            matches!(result, Err(TokenError::ModuleNotFound { ref tried }) if tried == std::slice::from_ref(&missing)),
            "missing module: {result:?}"
        );
        let not_a_library = token().dir.join("token.json");
        let result = list_tokens(&not_a_library, now());
        assert!(
            matches!(result, Err(TokenError::ModuleLoad { .. })),
            "a JSON file is not a module: {result:?}"
        );
    }
}
mod algorithms;
