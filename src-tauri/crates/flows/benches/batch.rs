//! Batch benchmark on a fresh harness token (SoftHSM2, key 01 RSA-3072 qualified seal):
//! raw signatures/s through the token signer, then batches of 2,000 and 10,000 learners through
//! the whole pipeline (build, check, seal, verify, journal, file) in the same run.
//!
//! Prints: sealed credentials/s ÷ raw signatures/s (goal ≥ 0.95), token-busy share (time with a
//! signature outstanding at the token ÷ wall time; goal ≥ 98 %), and RSS sampled every 50 ms
//! over each batch (peak, and at each quarter: must stay flat as the batch grows).
//! `cargo bench -p sealdesk-flows --bench batch` (env BATCH_SIZES=2000,10000 to change sizes).

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rust_xlsxwriter::Workbook;
use sealdesk_flows::{
    open_batch, run_batch_with, BatchControl, Catalogue, TemplateSource, SAMPLE_TEMPLATE,
};
use sealdesk_seal::Signer;
use sealdesk_tests::TestToken;
use sealdesk_token::{OpenOptions, SealDevice, TokenSelector};
use secrecy::SecretString;
use time::OffsetDateTime;

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn sheet(path: &Path, n: u32, tag: &str) {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    for (c, key) in ["fullName", "email", "dateOfBirth"].iter().enumerate() {
        ws.write_string(0, c as u16, *key).expect("key");
        ws.write_string(1, c as u16, *key).expect("label");
    }
    for i in 0..n {
        ws.write_string(2 + i, 0, format!("Learner {tag} {i}"))
            .expect("name");
        ws.write_string(2 + i, 1, format!("l{tag}{i}@example.org"))
            .expect("email");
        ws.write_string(2 + i, 2, "1998-03-02").expect("dob");
    }
    book.save(path).expect("save");
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` asks for a list
    }
    let sizes: Vec<u32> = std::env::var("BATCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![2_000, 10_000]);
    let token = TestToken::shared();
    let now = OffsetDateTime::now_utc();
    let signer = SealDevice::open(
        &token.module,
        &TokenSelector::Label(token.label.clone()),
        None,
        SecretString::from(token.pin.clone()),
        now,
        OpenOptions::default(),
    )
    .expect("token opens");

    // Raw signatures/s: one thread, back to back, a signing input of a typical size.
    let message = vec![b'a'; 9_000];
    let raw_n = 1_000;
    let t = Instant::now();
    for _ in 0..raw_n {
        signer.sign(&message).expect("sign");
    }
    let raw_rate = f64::from(raw_n) / t.elapsed().as_secs_f64();
    println!("raw signatures/s (TokenSigner, RSA-3072, one thread): {raw_rate:.1}");

    for n in sizes {
        let dir = tempfile::tempdir().expect("tempdir");
        let xlsx = dir.path().join("learners.xlsx");
        sheet(&xlsx, n, &n.to_string());
        let bytes = std::fs::read(&xlsx).expect("read");
        let catalogue = Catalogue::open(&dir.path().join("c.sqlite3")).expect("catalogue");
        let template = TemplateSource::Json {
            bytes: SAMPLE_TEMPLATE.as_bytes(),
            source_name: "generic-sample.json",
        };
        let t_open = Instant::now();
        let batch = open_batch(
            &catalogue,
            template,
            &bytes,
            "learners.xlsx",
            &dir.path().join("out"),
            now,
        )
        .expect("open batch");
        let open_secs = t_open.elapsed().as_secs_f64();
        let rss_before = rss_kib();
        let samples = Arc::new(Mutex::new(Vec::<(Instant, u64)>::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let sampler = {
            let samples = Arc::clone(&samples);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    if let Ok(mut s) = samples.lock() {
                        s.push((Instant::now(), rss_kib()));
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
            })
        };
        let summary = run_batch_with(
            &catalogue,
            &batch.id,
            &signer,
            now,
            &BatchControl::new(),
            &mut |_| {},
        )
        .expect("batch runs");
        stop.store(true, Ordering::Relaxed);
        let _ = sampler.join();
        assert_eq!(summary.sealed_this_run, n, "every row sealed");
        let samples = samples.lock().map(|s| s.clone()).unwrap_or_default();
        let peak = samples.iter().map(|s| s.1).max().unwrap_or(0);
        let quarter = |q: usize| {
            samples
                .get((samples.len().saturating_sub(1)) * q / 4)
                .map(|s| s.1)
                .unwrap_or(0)
        };
        println!(
            "batch {n}: open {open_secs:.2} s; sealed {:.1}/s in {:.1} s; ratio to raw {:.3}; token busy {:.1} %; \
             RSS KiB before {rss_before}, at 0/25/50/75/100 % {} {} {} {} {}, peak {peak}",
            summary.rate_per_second,
            summary.seconds,
            summary.rate_per_second / raw_rate,
            summary.token_busy_share * 100.0,
            quarter(0), quarter(1), quarter(2), quarter(3), quarter(4),
        );
    }
}
