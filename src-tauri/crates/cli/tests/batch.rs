//! `batch` end to end on the harness token: a 1,000-row batch with one login, every output
//! verified (ours for all, pySHACL for a sample), and a batch killed (SIGKILL) at random points
//! and restarted until done: every row sealed exactly once, register = folder.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use common::{cli_on_token, numbered_learners, run, shacl_check, stderr, stdout_json};
use rust_xlsxwriter::Workbook;
use sealdesk_catalogue::Catalogue;
use sealdesk_tests::{repo_root, TestToken};

fn template() -> String {
    repo_root()
        .join("assets/templates/generic-sample.json")
        .display()
        .to_string()
}

fn jsonld_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("out dir")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    files
}

static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn thousand_rows_seal_with_one_login_and_all_verify() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let token = &TestToken::create();
    let dir = tempfile::tempdir().expect("tempdir");
    let sheet = dir.path().join("learners.xlsx");
    numbered_learners(&sheet, 1000, "Learner", "learner", "1999-05-04");
    let out = dir.path().join("out");
    let spy_log = dir.path().join("pkcs11-spy.log");
    let spy = Path::new("/usr/lib/x86_64-linux-gnu/pkcs11-spy.so");

    let mut cmd = cli_on_token(token, &dir.path().join("data"));
    cmd.env("SEALDESK_PIN", &token.pin);
    if spy.exists() {
        // OpenSC's pkcs11-spy logs every PKCS#11 call: the log counts the logins.
        cmd.env("SEALDESK_PKCS11_MODULE", spy)
            .env("PKCS11SPY", &token.module)
            .env("PKCS11SPY_OUTPUT", &spy_log);
    }
    let output = run(cmd
        .args(["batch", "issue", "--template", &template(), "--recipients"])
        .arg(&sheet)
        .arg("--out")
        .arg(&out)
        .arg("--json"));
    assert!(output.status.success(), "batch issue: {}", stderr(&output));
    let summary = stdout_json(&output);
    assert_eq!(summary["sealedThisRun"], 1000, "all rows sealed: {summary}");
    assert_eq!(summary["batch"]["stored"], 1000, "all stored");
    assert!(
        stderr(&output).contains("sealed ") || summary["seconds"].as_f64() < Some(0.2),
        "progress on stderr: {}",
        stderr(&output)
    );

    if spy.exists() {
        let log = std::fs::read_to_string(&spy_log).expect("spy log");
        let logins = log.lines().filter(|l| l.contains("C_Login")).count();
        let signs = log
            .lines()
            .filter(|l| l.contains(" C_Sign") && !l.contains("C_SignInit"))
            .count();
        assert_eq!(logins, 1, "one PIN entry (C_Login) for the whole batch");
        assert!(
            signs >= 1000,
            "every credential signed on the token: {signs}"
        );
    }

    let files = jsonld_files(&out);
    assert_eq!(files.len(), 1000, "one file per row");
    // Our verifier on every file (exit 0 only if every seal is intact).
    let mut verify = cli_on_token(token, &dir.path().join("data"));
    verify.arg("verify").args(&files);
    let verified = run(&mut verify);
    assert!(
        verified.status.success(),
        "every output verifies: {}",
        stderr(&verified)
    );
    // The official SHACL checker is slow (~7 files/s): a sample of 20 spread over the batch.
    let sample: Vec<_> = files.iter().step_by(50).cloned().collect();
    assert_eq!(sample.len(), 20, "sample size");
    let shacl = {
        let mut first = shacl_check(&sample[0]);
        if first.status.success() {
            let mut cmd = std::process::Command::new(common::python());
            cmd.arg(sealdesk_tests::shared_dir().join("tools/edc-shacl-check.py"))
                .args(&sample[1..]);
            first = cmd.output().expect("python runs");
        }
        first
    };
    assert!(
        shacl.status.success(),
        "pySHACL passes the sample: {}{}",
        String::from_utf8_lossy(&shacl.stdout),
        String::from_utf8_lossy(&shacl.stderr)
    );
}

/// A small xorshift generator so the kill points vary per run (the seed is printed).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn batch_killed_five_times_ends_with_every_row_sealed_once() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let token = &TestToken::create();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let sheet = dir.path().join("learners.xlsx");
    const ROWS: u32 = 300;
    numbered_learners(&sheet, ROWS, "Learner", "learner", "1999-05-04");
    let out = dir.path().join("out");
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1)
        | 1;
    eprintln!("kill-point seed {seed}");
    let mut rng = Rng(seed);
    let issue = || {
        let mut cmd = cli_on_token(token, &data);
        cmd.env("SEALDESK_PIN", &token.pin)
            .args(["batch", "issue", "--template", &template(), "--recipients"])
            .arg(&sheet)
            .arg("--out")
            .arg(&out)
            .arg("--json")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    };
    let mut killed = 0;
    for _ in 0..5 {
        let mut child = issue().spawn().expect("CLI starts");
        let delay = 300 + rng.next() % 1700;
        std::thread::sleep(Duration::from_millis(delay));
        match child.try_wait().expect("wait") {
            Some(_) => {} // finished before the kill point
            None => {
                child.kill().expect("SIGKILL");
                killed += 1;
            }
        }
        let _ = child.wait();
    }
    eprintln!("killed {killed} of 5 runs");
    let last = issue().output().expect("final run");
    assert!(last.status.success(), "final run: {}", stderr(&last));
    let summary = stdout_json(&last);
    assert_eq!(
        summary["batch"]["stored"], ROWS,
        "all rows stored: {summary}"
    );
    assert_eq!(
        summary["batch"]["total"], ROWS,
        "one batch, same rows: {summary}"
    );
    let last_run = summary["sealedThisRun"].as_u64().unwrap_or(u64::MAX);
    assert!(
        last_run < u64::from(ROWS),
        "the killed runs sealed rows before dying (kills landed mid-batch): final run sealed {last_run}"
    );

    let status = run(cli_on_token(token, &data).args(["batch", "status", "--json"]));
    let batches = stdout_json(&status);
    assert_eq!(
        batches.as_array().map(Vec::len),
        Some(1),
        "re-running resumed the batch, never started another: {batches}"
    );

    // Register and folder agree: one file per registered credential, bytes identical.
    let catalogue = Catalogue::open(&data.join("catalogue.sqlite3")).expect("catalogue");
    let issued = catalogue.issued().list().expect("register");
    assert_eq!(
        issued.len(),
        ROWS as usize,
        "every row registered exactly once"
    );
    let files = jsonld_files(&out);
    assert_eq!(
        files.len(),
        ROWS as usize,
        "one file per row, no leftovers: {:?}",
        files
            .iter()
            .filter(|f| f.extension().is_none_or(|e| e != "jsonld"))
            .collect::<Vec<_>>()
    );
    let mut ids = BTreeSet::new();
    for credential in &issued {
        let path = sealdesk_flows::output_path(&out, &credential.credential_id);
        let bytes = std::fs::read(&path).expect("file of a registered credential");
        assert_eq!(
            bytes,
            credential.sealed,
            "{} = register bytes",
            path.display()
        );
        ids.insert(credential.credential_id.clone());
    }
    assert_eq!(ids.len(), ROWS as usize, "distinct credential ids");
    let items = catalogue
        .batches()
        .items(summary["batch"]["id"].as_str().expect("batch id"))
        .expect("journal");
    for item in &items {
        assert_eq!(
            item.credential_id,
            sealdesk_flows::row_credential_id(
                summary["batch"]["id"].as_str().expect("id"),
                item.row
            ),
            "row {} kept its derived id",
            item.row
        );
        assert!(
            ids.contains(&item.credential_id),
            "row {} registered",
            item.row
        );
    }
}

#[test]
fn sheet_for_a_template_has_keys_labels_and_imports_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("sheet.xlsx");
    let output = run(common::cli()
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args(["batch", "sheet", "--template", &template(), "--out"])
        .arg(&out));
    assert!(output.status.success(), "batch sheet: {}", stderr(&output));
    let import = sealdesk_sheets::import(&out).expect("own sheet reads back");
    assert_eq!(
        import.format,
        sealdesk_sheets::SheetFormat::Sealdesk,
        "own format"
    );
    assert!(import.problems.is_empty(), "{:?}", import.problems);
}

#[test]
fn batch_with_problem_cells_exits_3_naming_the_cells_before_asking_a_pin() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sheet = dir.path().join("bad.xlsx");
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("Learners").expect("name");
    for (c, key) in ["fullName", "email"].iter().enumerate() {
        ws.write_string(0, c as u16, *key).expect("key");
        ws.write_string(1, c as u16, *key).expect("label");
    }
    ws.write_string(2, 0, "Ada").expect("cell");
    ws.write_string(2, 1, "ada@example.org").expect("cell");
    ws.write_string(3, 0, "Grace").expect("cell");
    ws.write_string(3, 1, "grace at example.org").expect("cell");
    book.save(&sheet).expect("save");
    // No token and no PIN in the environment: the problems must stop it first.
    let output = run(common::cli()
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args(["batch", "issue", "--template", &template(), "--recipients"])
        .arg(&sheet)
        .arg("--out")
        .arg(dir.path().join("out")));
    assert_eq!(
        output.status.code(),
        Some(3),
        "bad input: {}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("E-mail in Learners!B4 is not an address"),
        "names the cell: {}",
        stderr(&output)
    );
}
