//! Signatures per second through Sealdesk's `TokenSigner` vs raw cryptoki, on a fresh harness
//! SoftHSM2 token, in one run (`make bench`).
//!
//! Raw: one session, one login, `C_Sign` in a loop (RSA: `CKM_SHA256_RSA_PKCS` on key 01;
//! ECDSA: host SHA-256 + `CKM_ECDSA` on key 03, since SoftHSM 2.6 has no `CKM_ECDSA_SHA256`).
//! Ours: `TokenSigner::sign_message` (host hash, raw mechanism, one request over the channel
//! to the worker thread per signature). The ratio is ours / raw.

use std::time::Instant;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, ObjectClass};
use cryptoki::session::UserType;
use cryptoki::types::AuthPin;
use sealdesk_seal::SignatureAlgorithm;
use sealdesk_tests::TestToken;
use sealdesk_token::{OpenOptions, SealDevice, SecretString, TokenSelector};
use time::OffsetDateTime;

const MESSAGE: &[u8] =
    b"eyJhbGciOiJSUzI1NiJ9.{\"type\":[\"VerifiableCredential\"],\"id\":\"urn:credential:bench\"}";

fn per_second(n: usize, f: &mut dyn FnMut()) -> f64 {
    f(); // warm-up
    let started = Instant::now();
    for _ in 0..n {
        f();
    }
    n as f64 / started.elapsed().as_secs_f64()
}

fn main() {
    let rsa_n: usize = std::env::var("BENCH_RSA_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let ec_n: usize = std::env::var("BENCH_EC_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    let token = TestToken::shared(); // sets SOFTHSM2_CONF before any C_Initialize
    let now = OffsetDateTime::now_utc();

    // Raw cryptoki.
    let ctx = Pkcs11::new(&token.module).expect("load SoftHSM2");
    match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(())
        | Err(cryptoki::error::Error::Pkcs11(
            cryptoki::error::RvError::CryptokiAlreadyInitialized,
            _,
        )) => {}
        Err(e) => panic!("C_Initialize: {e}"),
    }
    let slot = ctx
        .get_slots_with_token()
        .expect("slots")
        .into_iter()
        .find(|s| {
            ctx.get_token_info(*s)
                .is_ok_and(|i| i.label().trim() == token.label)
        })
        .expect("the harness token");
    let (raw_rsa, raw_ec) = {
        let session = ctx.open_ro_session(slot).expect("session");
        session
            .login(UserType::User, Some(&AuthPin::from(token.pin.clone())))
            .expect("login");
        let key = |id: u8| {
            session
                .find_objects(&[
                    Attribute::Class(ObjectClass::PRIVATE_KEY),
                    Attribute::Id(vec![id]),
                ])
                .expect("find")
                .into_iter()
                .next()
                .expect("key")
        };
        let (rsa, ec) = (key(1), key(3));
        let raw_rsa = per_second(rsa_n, &mut || {
            session
                .sign(&Mechanism::Sha256RsaPkcs, rsa, MESSAGE)
                .expect("raw RSA sign");
        });
        let raw_ec = per_second(ec_n, &mut || {
            let digest = openssl::sha::sha256(MESSAGE);
            session
                .sign(&Mechanism::Ecdsa, ec, &digest)
                .expect("raw ECDSA sign");
        });
        session.logout().expect("logout");
        (raw_rsa, raw_ec)
    };

    // Ours.
    let open = |key: &str, algorithm| {
        SealDevice::open(
            &token.module,
            &TokenSelector::Label(token.label.clone()),
            Some(key),
            SecretString::from(token.pin.clone()),
            now,
            OpenOptions {
                algorithm: Some(algorithm),
                accept_non_seal: true,
                ..OpenOptions::default()
            },
        )
        .expect("open")
    };
    let signer = open("01", SignatureAlgorithm::RS256);
    let ours_rsa = per_second(rsa_n, &mut || {
        signer.sign_message(MESSAGE).expect("RS256");
    });
    drop(signer);
    let signer = open("03", SignatureAlgorithm::ES256);
    let ours_ec = per_second(ec_n, &mut || {
        signer.sign_message(MESSAGE).expect("ES256");
    });
    drop(signer);

    println!(
        "signing benchmark on SoftHSM2 (harness token {}), one run",
        token.label
    );
    println!(
        "{:<44} {:>10} {:>10} {:>7}",
        "", "raw sig/s", "ours sig/s", "ratio"
    );
    println!(
        "{:<44} {:>10.1} {:>10.1} {:>7.3}",
        format!("RSA-3072 RS256, key 01 (N={rsa_n})"),
        raw_rsa,
        ours_rsa,
        ours_rsa / raw_rsa
    );
    println!(
        "{:<44} {:>10.1} {:>10.1} {:>7.3}",
        format!("EC P-256 ES256, key 03 (N={ec_n})"),
        raw_ec,
        ours_ec,
        ours_ec / raw_ec
    );
}
