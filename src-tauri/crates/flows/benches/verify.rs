//! Verification benchmark: sealed JAdES credentials through `verify_with_lists` with every check
//! (signature, signing-certificate digest, chain to the harness CA, QC statements, qualification
//! decided by a cached TEST trusted list, EDC format rules, validity), on 2 threads, against raw
//! RSA-3072 PKCS#1 v1.5 verifications/s measured in the same run (the floor no verifier beats).
//!
//! Credentials: the sample template + recipient built and sealed with key 01 (RSA-3072,
//! qualified e-seal profile) of the harness SoftHSM2 token; the TEST trusted list made by
//! `tests/harness/mktl.sh` lists the harness CA as a granted CA/QC service with ForeSeals; the
//! real EU LOTL and FI TLv6 list are cached beside it.
//! Also timed: `cached_trusted_lists` (reads and re-checks the cached XML) once per call, to
//! show why a verifier must load the lists once and reuse them.
//!
//! `cargo bench -p sealdesk-flows --bench verify` (env VERIFY_SECONDS=3, VERIFY_THREADS=2;
//! VERIFY_PROFILE=1 runs the full verification only, for callgrind or perf).

/// The allocator of the app and the CLI, so the figures are theirs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::Command;
use std::time::{Duration, Instant};

use openssl::hash::MessageDigest;
use openssl::pkey::PKey;
use openssl::rsa::Rsa;
use openssl::sign::{Signer as OsslSigner, Verifier};
use sealdesk_flows::{
    build_credential, cached_trusted_lists, load_trusted_lists, verify_with_lists, CachedTrust,
    Catalogue, CheckStatus, TrustAnchors, SAMPLE_RECIPIENT, SAMPLE_TEMPLATE,
};
use sealdesk_seal::certificate::CertificateInfo;
use sealdesk_seal::Signer;
use sealdesk_tests::{repo_root, TestToken};
use sealdesk_token::{OpenOptions, SealDevice, SecretString, TokenSelector};
use sealdesk_trust::TrustedLists;
use time::OffsetDateTime;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs `work(i)` on `threads` threads for `seconds`; returns calls per second.
fn throughput(threads: usize, seconds: u64, work: &(dyn Fn(usize) + Sync)) -> f64 {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let total: u64 = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    let mut n = 0u64;
                    while Instant::now() < deadline {
                        for _ in 0..16 {
                            work(t * 1_000_003 + n as usize);
                            n += 1;
                        }
                    }
                    n
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("bench thread"))
            .sum()
    });
    total as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let seconds = env_number("VERIFY_SECONDS", 3);
    let threads = env_number("VERIFY_THREADS", 2) as usize;
    let count = 32;
    let token = TestToken::shared();
    let now = OffsetDateTime::now_utc();
    let dir = tempfile::tempdir().expect("temp dir");

    // The TEST trusted list for the harness CA, cached in a catalogue.
    let pki = dir.path().join("pki");
    let lists = dir.path().join("lists");
    std::fs::create_dir_all(&pki).expect("mkdir");
    std::fs::create_dir_all(&lists).expect("mkdir");
    std::fs::copy(&token.ca_pem, pki.join("ca.pem")).expect("copy the CA");
    let out = Command::new("bash")
        .arg(repo_root().join("tests/harness/mktl.sh"))
        .arg(&pki)
        .arg(lists.join("ZZ.xml"))
        .arg(lists.join("LOTL.xml"))
        .output()
        .expect("mktl.sh runs");
    assert!(
        out.status.success(),
        "mktl.sh: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Beside it, the real EU LOTL and the FI TLv6 list (../shared/reference/trusted-lists),
    // so a verification looks through real services too.
    let reference = sealdesk_tests::shared_dir().join("reference/trusted-lists");
    for name in ["EU-lotl-seq341.xml", "FI-tl-v6-seq49.xml"] {
        std::fs::copy(reference.join(name), lists.join(name)).expect("copy a reference list");
    }
    let catalogue = Catalogue::open(&dir.path().join("c.sqlite")).expect("catalogue");
    load_trusted_lists(&catalogue, &lists, now).expect("the TEST lists load");

    // Sealed credentials: built from the sample, prepared with the seal's identity, sealed.
    let signer = SealDevice::open(
        &token.module,
        &TokenSelector::Label(token.label.clone()),
        Some("01"),
        SecretString::from(token.pin.clone()),
        now,
        OpenOptions::default(),
    )
    .expect("the harness token opens");
    let info = CertificateInfo::from_der(signer.certificate()).expect("certificate");
    let identity = sealdesk_elm::IssuerIdentity {
        legal_name: info.organization.clone().expect("O"),
        organization_identifier: info.organization_identifier.clone().expect("orgId"),
        country_alpha2: info.country.clone().expect("C"),
        common_name: info.common_name.clone().unwrap_or_default(),
    };
    let mut sealed = Vec::with_capacity(count);
    let mut payloads = Vec::with_capacity(count);
    for _ in 0..count {
        let built = build_credential(
            SAMPLE_TEMPLATE.as_bytes(),
            "sample template",
            SAMPLE_RECIPIENT.as_bytes(),
            "sample recipient",
            now,
        )
        .expect("build");
        let mut credential =
            sealdesk_elm::Credential::from_json(&built.bytes, "sample").expect("credential");
        sealdesk_elm::prepare_for_sealing(&mut credential, &identity, now).expect("prepare");
        let payload = credential.to_payload_bytes().expect("payload");
        sealed.push(sealdesk_seal::jades::seal(&payload, &signer, now).expect("seal"));
        payloads.push(payload);
    }
    drop(signer);
    let anchors = TrustAnchors::from_der_certificates([&token.ca_cert_der()[..]]).expect("CA");

    // Loading the cached lists: once per call.
    let t = Instant::now();
    let loads = 20;
    for _ in 0..loads {
        cached_trusted_lists(&catalogue).expect("cached lists");
    }
    let load_us = t.elapsed().as_secs_f64() * 1e6 / f64::from(loads);
    let cached = cached_trusted_lists(&catalogue).expect("cached lists");

    // Sanity: every check holds, and qualification is decided by the list.
    let report =
        verify_with_lists(&sealed[0], "bench", &anchors, Some(&cached), now).expect("verifies");
    for name in ["seal", "trust", "qualification", "format"] {
        let c = report
            .checks
            .iter()
            .find(|c| c.check == name)
            .unwrap_or_else(|| panic!("check {name} present: {report:?}"));
        assert_eq!(c.status, CheckStatus::Ok, "{name}: {}", c.message);
    }
    assert!(
        report
            .checks
            .iter()
            .any(|c| c.check == "qualification" && c.message.contains("trusted list")),
        "qualification confirmed by the TEST list: {report:?}"
    );

    let verified = throughput(threads, seconds, &|i| {
        let r = verify_with_lists(&sealed[i % count], "bench", &anchors, Some(&cached), now)
            .expect("verifies");
        assert!(r.intact, "intact");
    });
    if std::env::var_os("VERIFY_PROFILE").is_some() {
        // Under callgrind/perf: only the full verification, nothing else to wade through.
        println!("verified credentials/s (every check, cached TL): {verified:.0}");
        return;
    }
    // Where the time goes: without trusted lists, and the JAdES envelope check alone.
    let no_lists = throughput(threads, seconds.min(2), &|i| {
        let r =
            verify_with_lists(&sealed[i % count], "bench", &anchors, None, now).expect("verifies");
        assert!(r.intact, "intact");
    });
    let envelope = throughput(threads, seconds.min(2), &|i| {
        let v = sealdesk_seal::verify::verify(&sealed[i % count], &anchors, now).expect("verifies");
        assert!(v.intact(), "intact");
    });
    let format_only = throughput(threads, seconds.min(2), &|i| {
        let c = sealdesk_elm::Credential::from_json(&payloads[i % count], "bench").expect("json");
        assert!(c.check_format().is_empty(), "format holds");
    });

    // As before the parse-once cache: every verification parses and re-checks the list XML.
    let files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&lists)
        .expect("lists dir")
        .map(|e| {
            let path = e.expect("entry").path();
            (
                path.display().to_string(),
                std::fs::read(&path).expect("list"),
            )
        })
        .collect();
    let parse_all = || CachedTrust {
        lists: std::sync::Arc::new(TrustedLists::new(
            files
                .iter()
                .map(|(name, xml)| sealdesk_trust::read_list(xml, name).expect("list parses"))
                .collect(),
        )),
        oldest_load: None,
    };
    let t = Instant::now();
    for _ in 0..5 {
        parse_all();
    }
    let parse_us = t.elapsed().as_secs_f64() * 1e6 / 5.0;
    let reloading = throughput(threads, seconds.min(2), &|i| {
        let lists = parse_all();
        let r = verify_with_lists(&sealed[i % count], "bench", &anchors, Some(&lists), now)
            .expect("verifies");
        assert!(r.intact, "intact");
    });

    // Raw RSA-3072 PKCS#1 v1.5 SHA-256 verifications of a payload of the same size.
    let key = PKey::from_rsa(Rsa::generate(3072).expect("rsa")).expect("pkey");
    let message = vec![0x5a_u8; sealed[0].len()];
    let mut s = OsslSigner::new(MessageDigest::sha256(), &key).expect("signer");
    let signature = s.sign_oneshot_to_vec(&message).expect("sign");
    let raw = throughput(threads, seconds, &|_| {
        let mut v = Verifier::new(MessageDigest::sha256(), &key).expect("verifier");
        assert!(
            v.verify_oneshot(&signature, &message).expect("verify"),
            "raw signature verifies"
        );
    });

    println!("verification benchmark ({threads} threads, {seconds} s each, {count} distinct credentials of ~{} bytes)", sealed[0].len());
    println!("  raw RSA-3072 verify/s:                         {raw:>10.0}");
    println!("  verified credentials/s (every check, cached TL): {verified:>8.0}  (goal >= 5,000)");
    println!(
        "  ratio verified / raw RSA:                      {:>10.3}",
        verified / raw
    );
    println!("  verified/s without trusted lists:              {no_lists:>10.0}");
    println!("  JAdES envelope only (sealdesk_seal::verify)/s: {envelope:>10.0}");
    println!("  format rules only (parse + check_format)/s:    {format_only:>10.0}");
    println!("  cached_trusted_lists per call (parse-once cache):    {load_us:>10.0} µs");
    println!(
        "  parsing + checking the {} list files (what each call cost before): {parse_us:>8.0} µs",
        files.len()
    );
    println!("  verified/s when the lists are parsed per credential (before): {reloading:>6.1}");
}
