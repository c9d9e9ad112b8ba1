//! Batch benchmark on a fresh harness token (SoftHSM2, key 01 RSA-3072 qualified seal):
//! raw signatures/s through the token signer (one thread, and with its queue kept full), then
//! batches of 2,000 and 10,000 learners through the whole pipeline (build, check, seal, verify,
//! journal, file) in the same run.
//!
//! Prints: sealed credentials/s ÷ raw signatures/s (goal ≥ 0.95), token-busy share (time with a
//! signature outstanding at the token ÷ wall time; goal ≥ 98 %), and RSS sampled every 50 ms
//! over each batch (peak, and at each quarter: must stay flat as the batch grows).
//! `cargo bench -p sealdesk-flows --bench batch` (env BATCH_SIZES=2000,10000 to change sizes).
//!
//! `-- --pdf`: each size runs twice in the same process, PDFs off then on (each row also gets
//! its PAdES-sealed credential PDF from the same token session): sealed credentials/s and
//! token signatures/s (two per row with PDFs) against raw signatures/s, token-busy share and
//! the load average beside each figure (default size 300).
//!
//! `BATCH_PROFILE=1` skips the raw-signature phases (for `valgrind --tool=callgrind
//! --separate-threads=yes`: the `sealdesk-token` thread's instructions are then the signatures
//! only, every other thread's are the batch's own cost).

/// The allocator of the app and the CLI, so the figures are theirs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rust_xlsxwriter::Workbook;
use sealdesk_flows::{
    open_batch, run_batch_with_opts, BatchControl, Catalogue, RunOptions, TemplateSource,
    SAMPLE_TEMPLATE,
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

/// CPU ticks (user + system) of every thread of this process: tid -> (name, ticks).
fn thread_ticks() -> HashMap<u32, (String, u64)> {
    let mut out = HashMap::new();
    let Ok(dir) = std::fs::read_dir("/proc/self/task") else {
        return out;
    };
    for entry in dir.flatten() {
        let Some(tid) = entry.file_name().to_str().and_then(|t| t.parse().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // comm is in parentheses and may hold spaces; the fields after it are fixed.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let name = stat[open + 1..close].to_owned();
        let fields: Vec<&str> = stat[close + 2..].split_whitespace().collect();
        let ticks = fields
            .get(11)
            .and_then(|u| u.parse::<u64>().ok())
            .unwrap_or(0)
            + fields
                .get(12)
                .and_then(|s| s.parse::<u64>().ok())
                .unwrap_or(0);
        out.insert(tid, (name, ticks));
    }
    out
}

/// Per-role CPU seconds between two samples (`batch-build-0` and `-1` count as `batch-build`).
fn cpu_by_role(
    before: &HashMap<u32, (String, u64)>,
    after: &HashMap<u32, (String, u64)>,
) -> String {
    let mut roles: BTreeMap<String, u64> = BTreeMap::new();
    for (tid, (name, ticks)) in after {
        let earlier = before.get(tid).map(|b| b.1).unwrap_or(0);
        let role = if *tid == std::process::id() {
            "main (catalogue, files)"
        } else {
            name.trim_end_matches(|c: char| c.is_ascii_digit())
                .trim_end_matches('-')
        };
        *roles.entry(role.to_owned()).or_default() += ticks.saturating_sub(earlier);
    }
    roles
        .iter()
        .filter(|(_, t)| **t > 0)
        .map(|(r, t)| format!("{r} {:.1} s", *t as f64 / 100.0))
        .collect::<Vec<_>>()
        .join(", ")
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
    let pdf_mode = std::env::args().any(|a| a == "--pdf");
    let sizes: Vec<u32> = std::env::var("BATCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| {
            if pdf_mode {
                vec![300]
            } else {
                vec![2_000, 10_000]
            }
        });
    let modes: &[bool] = if pdf_mode { &[false, true] } else { &[false] };
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

    // Raw signatures/s, two ways, a signing input of the batch's size (the sample credential
    // as compact JSON plus room for the protected header: the token hashes the whole input,
    // so a smaller one would flatter the raw rate): one thread back to back
    // (the token worker sleeps between requests), and three threads keeping the worker's queue
    // full (its best rate, with nothing else to do). The ratio is taken against the higher one:
    // on a loaded machine the queued figure is the higher, since a worker that never sleeps
    // never waits to be scheduled again.
    let profile = std::env::var_os("BATCH_PROFILE").is_some();
    let compact = serde_json::from_str::<serde_json::Value>(SAMPLE_TEMPLATE)
        .and_then(|v| serde_json::to_vec(&v))
        .expect("sample template is JSON");
    let message = vec![b'a'; compact.len() + 3_000];
    let raw_n = if profile { 3 } else { 1_000u32 };
    let t = Instant::now();
    for _ in 0..raw_n {
        signer.sign(&message).expect("sign");
    }
    let raw_single = f64::from(raw_n) / t.elapsed().as_secs_f64();
    let t = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..3 {
            scope.spawn(|| {
                for _ in 0..raw_n / 3 {
                    signer.sign(&message).expect("sign");
                }
            });
        }
    });
    let raw_queued = f64::from(raw_n / 3 * 3) / t.elapsed().as_secs_f64();
    let raw_rate = raw_single.max(raw_queued);
    println!(
        "raw signatures/s (TokenSigner, RSA-3072, {} byte input): one thread {raw_single:.1}, queue kept full {raw_queued:.1} (3 threads, as the batch's sealers); load average {}",
        message.len(),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );

    for (n, pdf) in sizes
        .iter()
        .flat_map(|n| modes.iter().map(move |pdf| (*n, *pdf)))
    {
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
        let ticks_before = thread_ticks();
        let ticks_last = Arc::new(Mutex::new(ticks_before.clone()));
        let stop = Arc::new(AtomicBool::new(false));
        let sampler = {
            let samples = Arc::clone(&samples);
            let ticks_last = Arc::clone(&ticks_last);
            let stop = Arc::clone(&stop);
            std::thread::Builder::new()
                .name("bench-sampler".into())
                .spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        if let Ok(mut s) = samples.lock() {
                            s.push((Instant::now(), rss_kib()));
                        }
                        // Threads of the batch end with it: keep their last figures.
                        if let Ok(mut t) = ticks_last.lock() {
                            t.extend(thread_ticks());
                        }
                        std::thread::sleep(Duration::from_millis(50));
                    }
                })
                .expect("sampler thread")
        };
        let summary = run_batch_with_opts(
            &catalogue,
            &batch.id,
            &signer,
            now,
            &BatchControl::new(),
            &mut |_| {},
            &RunOptions { pdf },
        )
        .expect("batch runs");
        stop.store(true, Ordering::Relaxed);
        let _ = sampler.join();
        let mut ticks_after = ticks_last.lock().map(|t| t.clone()).unwrap_or_default();
        ticks_after.extend(thread_ticks());
        assert_eq!(summary.sealed_this_run, n, "every row sealed");
        if pdf_mode {
            let pdfs = std::fs::read_dir(dir.path().join("out"))
                .map(|d| {
                    d.flatten()
                        .filter(|e| e.path().extension().is_some_and(|x| x == "pdf"))
                        .count()
                })
                .unwrap_or(0);
            assert_eq!(pdfs, if pdf { n as usize } else { 0 }, "one PDF per row");
            let signatures = summary.rate_per_second * if pdf { 2.0 } else { 1.0 };
            println!(
                "batch {n} PDFs {}: sealed credentials/s {:.1} (ratio to raw {:.3}); token signatures/s {signatures:.1} (ratio to raw {:.3}); token busy {:.1} %; {:.1} s; load average {}",
                if pdf { "on" } else { "off" },
                summary.rate_per_second,
                summary.rate_per_second / raw_rate,
                signatures / raw_rate,
                summary.token_busy_share * 100.0,
                summary.seconds,
                std::fs::read_to_string("/proc/loadavg")
                    .unwrap_or_default()
                    .trim(),
            );
        }
        let samples = samples.lock().map(|s| s.clone()).unwrap_or_default();
        let peak = samples.iter().map(|s| s.1).max().unwrap_or(0);
        let quarter = |q: usize| {
            samples
                .get((samples.len().saturating_sub(1)) * q / 4)
                .map(|s| s.1)
                .unwrap_or(0)
        };
        println!(
            "batch {n}: open {open_secs:.2} s; sealed {:.1}/s in {:.1} s; ratio to raw {:.3} (to one-thread raw {:.3}); token busy {:.1} %; \
             RSS KiB before {rss_before}, at 0/25/50/75/100 % {} {} {} {} {}, peak {peak}",
            summary.rate_per_second,
            summary.seconds,
            summary.rate_per_second / raw_rate,
            summary.rate_per_second / raw_single,
            summary.token_busy_share * 100.0,
            quarter(0), quarter(1), quarter(2), quarter(3), quarter(4),
        );
        println!(
            "batch {n}: CPU by thread role: {}; load average {}",
            cpu_by_role(&ticks_before, &ticks_after),
            std::fs::read_to_string("/proc/loadavg")
                .unwrap_or_default()
                .trim(),
        );
    }
}
