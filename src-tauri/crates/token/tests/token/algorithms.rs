//! Every algorithm the harness keys allow, verified by openssl (CLI, not our code), JAdES seals
//! accepted by the jwcrypto judge, a PIN-per-signature key signing 20 times with one PIN
//! entry, and the refusal of a non-seal certificate unless accepted.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::*;

fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("SEALDESK_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = sealdesk_tests::repo_root().join(".venv/bin/python");
    assert!(
        venv.is_file(),
        "the jwcrypto judge needs the Python venv: run `make deps-py` (or set SEALDESK_PYTHON)"
    );
    venv
}

/// `openssl dgst -<hash> -verify pub.pem -signature sig msg` (+ PSS options); true on
/// "Verified OK".
fn openssl_verifies(
    dir: &Path,
    signer: &TokenSigner,
    algorithm: SignatureAlgorithm,
    signature: &[u8],
) -> bool {
    let cert = X509::from_der(signer.certificate()).expect("certificate");
    let pem = cert
        .public_key()
        .and_then(|k| k.public_key_to_pem())
        .expect("public key PEM");
    let name = algorithm.jws_name();
    let key_path = dir.join(format!("{name}.pub.pem"));
    let msg_path = dir.join(format!("{name}.msg"));
    let sig_path = dir.join(format!("{name}.sig"));
    std::fs::write(&key_path, pem).expect("write key");
    std::fs::write(&msg_path, MESSAGE).expect("write message");
    // openssl wants DER ECDSA signatures; JWS gives r || s.
    let sig_bytes = match algorithm.ecdsa_field_len() {
        Some(field) => {
            let r = openssl::bn::BigNum::from_slice(&signature[..field]).expect("r");
            let s = openssl::bn::BigNum::from_slice(&signature[field..]).expect("s");
            EcdsaSig::from_private_components(r, s)
                .and_then(|sig| sig.to_der())
                .expect("DER signature")
        }
        None => signature.to_vec(),
    };
    std::fs::write(&sig_path, sig_bytes).expect("write signature");
    let hash = match algorithm.hash().len() {
        32 => "-sha256",
        48 => "-sha384",
        _ => "-sha512",
    };
    let mut cmd = Command::new("openssl");
    cmd.args(["dgst", hash, "-verify"])
        .arg(&key_path)
        .arg("-signature")
        .arg(&sig_path);
    if algorithm.scheme() == sealdesk_seal::SignatureScheme::RsaPss {
        let md = &hash[1..];
        cmd.args([
            "-sigopt",
            "rsa_padding_mode:pss",
            "-sigopt",
            &format!("rsa_pss_saltlen:{}", algorithm.hash().len()),
            "-sigopt",
            &format!("rsa_mgf1_md:{md}"),
        ]);
    }
    let out = cmd.arg(&msg_path).output().expect("openssl runs");
    String::from_utf8_lossy(&out.stdout).contains("Verified OK")
}

#[test]
fn every_algorithm_of_the_harness_keys_verifies_with_the_openssl_cli() {
    let _guard = serial();
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = [
        ("01", SignatureAlgorithm::RS256),
        ("01", SignatureAlgorithm::RS384),
        ("01", SignatureAlgorithm::RS512),
        ("01", SignatureAlgorithm::PS256),
        ("01", SignatureAlgorithm::PS384),
        ("01", SignatureAlgorithm::PS512),
        ("05", SignatureAlgorithm::ES384),
    ];
    for (key, algorithm) in cases {
        let signer = open(
            Some(key),
            OpenOptions {
                algorithm: Some(algorithm),
                ..OpenOptions::default()
            },
        )
        .unwrap_or_else(|e| panic!("key {key} opens for {algorithm:?}: {e}"));
        assert_eq!(signer.algorithm(), algorithm, "algorithm kept");
        let signature = signer.sign_message(MESSAGE).expect("signs");
        if let Some(field) = algorithm.ecdsa_field_len() {
            assert_eq!(signature.len(), 2 * field, "{algorithm:?}: JWS r || s");
        }
        assert!(
            openssl_verifies(dir.path(), &signer, algorithm, &signature),
            "{algorithm:?} on key {key} ({}) verifies with openssl",
            signer.mechanism()
        );
        let mut tampered = signature.clone();
        tampered[5] ^= 1;
        assert!(
            !openssl_verifies(dir.path(), &signer, algorithm, &tampered),
            "{algorithm:?}: a changed signature does not verify"
        );
    }
}

#[test]
fn jades_seals_in_rs384_ps512_es384_pass_the_jwcrypto_judge() {
    let _guard = serial();
    let dir = tempfile::tempdir().expect("tempdir");
    let payload = r#"{"id":"urn:credential:judge","title":{"fr":"Diplôme"}}"#;
    let mut files = Vec::new();
    for (key, algorithm) in [
        ("01", SignatureAlgorithm::RS384),
        ("01", SignatureAlgorithm::PS512),
        ("05", SignatureAlgorithm::ES384),
    ] {
        let signer = open(
            Some(key),
            OpenOptions {
                algorithm: Some(algorithm),
                ..OpenOptions::default()
            },
        )
        .expect("opens");
        let sealed = sealdesk_seal::seal(payload.as_bytes(), &signer, now()).expect("seals");
        drop(signer);
        let path = dir.path().join(format!("{}.jsonld", algorithm.jws_name()));
        std::fs::write(&path, sealed).expect("write");
        files.push(path);
    }
    let judge = sealdesk_tests::repo_root().join("tests/judges/jades_check.py");
    let out = Command::new(python())
        .arg(&judge)
        .args(&files)
        .output()
        .expect("python runs the jwcrypto judge");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "jwcrypto accepts every seal:\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for alg in ["RS384", "PS512", "ES384"] {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with("OK") && l.contains(&format!(": {alg},"))),
            "{alg} judged OK: {stdout}"
        );
    }
}

#[test]
fn always_authenticate_key_signs_20_times_with_one_pin_entry() {
    let _guard = serial();
    // The PIN is given once, here; the signer keeps it (zeroizing) for the context logins.
    let signer = open(Some("04"), OpenOptions::default()).expect("key 04 opens");
    assert_eq!(
        signer.candidate().always_authenticate,
        Some(true),
        "PIN-per-signature key"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    for round in 1..=20 {
        let signature = signer
            .sign_message(MESSAGE)
            .unwrap_or_else(|e| panic!("signature {round} of 20 failed: {e}"));
        assert!(
            openssl_verifies(dir.path(), &signer, SignatureAlgorithm::RS256, &signature),
            "signature {round} verifies"
        );
    }
}

#[test]
fn a_signature_certificate_is_refused_unless_accepted() {
    let _guard = serial();
    let refused = open(Some("03"), OpenOptions::default());
    match refused {
        Err(TokenError::NotASealCertificate { key_id, class }) => {
            assert_eq!(key_id, "03", "names the key");
            assert!(class.contains("not a seal"), "says what it is: {class}");
        }
        other => panic!("key 03 (plain certificate) is refused by default: {other:?}"),
    }
    let accepted = open(Some("03"), non_seal());
    assert!(accepted.is_ok(), "accepted on request: {accepted:?}");
}

#[test]
fn an_empty_pin_is_not_sent_to_a_token_without_pin_pad() {
    let _guard = serial();
    let t = token();
    let result = SealDevice::open(
        &t.module,
        &TokenSelector::Label(t.label.clone()),
        Some("01"),
        SecretString::from(String::new()),
        now(),
        OpenOptions::default(),
    );
    assert!(
        matches!(result, Err(TokenError::PinMissing)),
        "empty PIN refused before C_Login: {result:?}"
    );
    let reports = list_tokens(&t.module, now()).expect("lists");
    let report = reports.iter().find(|r| r.label == t.label).expect("token");
    assert!(
        !report.pin.user_pin_count_low,
        "no try was spent: {:?}",
        report.pin
    );
}
