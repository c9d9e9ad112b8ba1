//! ESCO search over the full shipped snapshot: 1,000 real queries (words taken from skill
//! labels, as typed: whole words and a prefix), p50/p95/p99. Goal: p95 ≤ 10 ms.
//!
//! Run: `cargo bench -p sealdesk-vocab --bench esco_search` (or `make bench`).

use std::time::{Duration, Instant};

use sealdesk_catalogue::Catalogue;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn report(name: &str, mut times: Vec<Duration>) -> Duration {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let p95 = percentile(&times, 0.95);
    println!(
        "{name}: n={} p50={:.3} ms p95={:.3} ms p99={:.3} ms max={:.3} ms",
        times.len(),
        ms(percentile(&times, 0.50)),
        ms(p95),
        ms(percentile(&times, 0.99)),
        ms(times[times.len() - 1]),
    );
    p95
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let catalogue = Catalogue::open(&dir.path().join("catalogue.sqlite3")).expect("catalogue");
    let started = Instant::now();
    let loaded = sealdesk_vocab::ensure_loaded(&catalogue).expect("load shipped data");
    println!(
        "first load: {} concepts, {} skills in {:.2} s",
        loaded.concepts,
        loaded.skills,
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let again = sealdesk_vocab::ensure_loaded(&catalogue).expect("second load");
    assert!(!again.loaded, "the second start must not load again");
    println!(
        "later starts (version check only): {:.3} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );

    // Queries from real labels: for every 14th skill, its first two label words as typed so
    // far (the second cut to a prefix), and its first three words whole.
    let skills = sealdesk_vocab::shipped::esco_skills().expect("snapshot");
    let mut queries = Vec::new();
    for skill in skills.iter().step_by(14) {
        let words: Vec<&str> = skill.alt_labels[0].split_whitespace().collect();
        if words.len() >= 2 {
            let cut = words[1].chars().count().div_ceil(2).max(1);
            let prefix: String = words[1].chars().take(cut).collect();
            queries.push(format!("{} {prefix}", words[0]));
        }
        queries.push(format!(
            "{} ",
            words.iter().take(3).copied().collect::<Vec<_>>().join(" ")
        ));
        if queries.len() >= 1000 {
            break;
        }
    }
    queries.truncate(1000);
    // Warm the page cache and statement cache once, as a running app has.
    for q in queries.iter().take(20) {
        sealdesk_vocab::search(&catalogue, q, 10).expect("search");
    }
    let mut times = Vec::with_capacity(queries.len());
    let mut empty = 0;
    for q in &queries {
        let t = Instant::now();
        let hits = sealdesk_vocab::search(&catalogue, q, 10).expect("search");
        times.push(t.elapsed());
        if hits.is_empty() {
            empty += 1;
        }
    }
    let p95 = report("search (limit 10)", times);
    println!("queries with no result: {empty} of {}", queries.len());

    let outcomes: Vec<String> = skills
        .iter()
        .step_by(28)
        .take(500)
        .map(|s| s.description.clone())
        .collect();
    let mut times = Vec::with_capacity(outcomes.len());
    for text in &outcomes {
        let t = Instant::now();
        sealdesk_vocab::suggest(&catalogue, text, 3).expect("suggest");
        times.push(t.elapsed());
    }
    report("suggest (3, sentence-long outcome texts)", times);
    println!(
        "goal p95 <= 10 ms for search: {}",
        if p95 <= Duration::from_millis(10) {
            "met"
        } else {
            "NOT met"
        }
    );
}
