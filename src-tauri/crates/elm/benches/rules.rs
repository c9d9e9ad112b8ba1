//! Credentials per second through `check_format()` (the rules before sealing) over the
//! official samples. Run: `cargo bench -p sealdesk-elm --bench rules`.

use std::path::PathBuf;
use std::time::Instant;

use sealdesk_elm::Credential;
use serde_json::Value;

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../../shared/reference/elm-v3/credentials-jsonld");
    let mut corpus = Vec::new();
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("samples")
        .map(|e| e.expect("entry").path())
        .collect();
    names.sort();
    for path in names {
        let v: Value = serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
        let v = match v.get("payload").and_then(Value::as_str) {
            Some(p) => serde_json::from_str(p).expect("payload"),
            None => v,
        };
        corpus.push(Credential::from_value(v, "bench").expect("credential"));
    }
    let rounds = 500;
    let start = Instant::now();
    let mut findings = 0;
    for _ in 0..rounds {
        for c in &corpus {
            findings += std::hint::black_box(c.check_format()).len();
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let n = rounds * corpus.len();
    println!(
        "rules: {n} credentials in {secs:.3} s = {:.0} credentials/s ({findings} findings)",
        n as f64 / secs
    );
}
