//! PDFs per second per core for the official micro-credential sample: full (4 pages) and
//! one-page summary, SPECIMEN and sealed, English; one thread, so the figure is per core.
//! `cargo bench -p sealdesk-render --bench render` (`make bench`). Env `RENDER_BENCH_N`
//! (default 200) sets the number of PDFs per case; `RENDER_BENCH_CASE=summary` (or `full,`,
//! `sealed`, …) runs only the cases whose name contains it. Instructions per PDF:
//! `valgrind --tool=callgrind --toggle-collect='*render_credential*'` at two values of N, the
//! difference ÷ the difference in N (the warm-up render is the same in both).

/// The allocator of the app and the CLI, so the figures are theirs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::Path;
use std::time::Instant;

use sealdesk_elm::Credential;
use sealdesk_render::{render_credential, Layout, Marking, RenderOptions, SealInfo};
use time::macros::datetime;

fn main() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../../../../shared/reference/elm-v3/credentials-jsonld/Sample-MC-Annex1-unsigned.jsonld",
    );
    let bytes = std::fs::read(&path).expect("the official sample (../shared) is present");
    let credential = Credential::from_json(&bytes, "sample").expect("a credential");
    let n: usize = std::env::var("RENDER_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let at = datetime!(2026-11-23 09:00:00 UTC);
    let sealed = Marking::Sealed(SealInfo {
        holder: "University of Zed".to_owned(),
        organization_identifier: Some("VATIE-654321".to_owned()),
        sealed_at: at,
        sealed_file: None,
    });
    let only = std::env::var("RENDER_BENCH_CASE").unwrap_or_default();
    println!("render: {n} PDFs per case, one thread (= per core)");
    for (name, layout, marking) in [
        ("full, SPECIMEN", Layout::Full, Marking::Specimen),
        ("full, sealed", Layout::Full, sealed.clone()),
        ("summary, sealed", Layout::Summary, sealed),
    ] {
        if !name.contains(only.as_str()) {
            continue;
        }
        let options = RenderOptions {
            layout,
            language: None,
            marking,
            accent: None,
        };
        // Warm-up: parses the embedded fonts once per process.
        let first = render_credential(&credential, &options, at).expect("render");
        let start = Instant::now();
        let mut total = 0usize;
        for _ in 0..n {
            total += render_credential(&credential, &options, at)
                .expect("render")
                .bytes
                .len();
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "  {name:<16} {:>7.1} PDFs/s per core  ({:.2} ms each, {} pages, {} KiB avg)",
            n as f64 / secs,
            secs * 1000.0 / n as f64,
            first.pages,
            total / n / 1024
        );
    }
}
