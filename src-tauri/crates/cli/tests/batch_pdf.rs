//! `batch issue --pdf` on the harness token: each sealed credential gets a PAdES-sealed PDF
//! beside it from the same token session (one C_Login for credentials and PDFs), judged by
//! poppler's `pdfsig`, pyHanko (tests/judges/pades_check.py) and `pdftotext` (names its
//! `.jsonld` and that file's SHA-256, no SPECIMEN). A crash between a PDF's seal and its rename
//! (a `.pdf.part` left, the PDF missing) is repaired by the next run: the PDF is made again,
//! the same document, and nothing else is sealed again. A batch killed (SIGKILL) three times at
//! random points ends with one sealed PDF per row, none lost, none sealed twice. `SEALDESK_BATCH_PDF_KEEP=/dir` keeps
//! the first PDF.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{cli_on_token, numbered_learners, python, run, stderr, stdout_json};
use sealdesk_tests::{repo_root, TestToken};

const ROWS: u32 = 5;

fn files_with(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("out dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    files
}

/// SHA-256 (hex) of a file, by coreutils' `sha256sum`.
fn hex_sha256(file: &Path) -> String {
    let out = Command::new("sha256sum")
        .arg(file)
        .output()
        .expect("sha256sum runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let digest = text
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(digest.len(), 64, "sha256sum prints a digest: {text}");
    digest
}

fn issue(token: &TestToken, data: &Path, sheet: &Path, out: &Path, spy_log: &Path) -> Command {
    let mut cmd = cli_on_token(token, data);
    cmd.env("SEALDESK_PIN", &token.pin);
    let spy = Path::new("/usr/lib/x86_64-linux-gnu/pkcs11-spy.so");
    assert!(
        spy.exists(),
        "OpenSC's pkcs11-spy counts the logins (apt package opensc)"
    );
    cmd.env("SEALDESK_PKCS11_MODULE", spy)
        .env("PKCS11SPY", &token.module)
        .env("PKCS11SPY_OUTPUT", spy_log);
    cmd.args(["batch", "issue", "--template"])
        .arg(repo_root().join("assets/templates/generic-sample.json"))
        .arg("--recipients")
        .arg(sheet)
        .arg("--out")
        .arg(out)
        .args(["--pdf", "--json"]);
    cmd
}

/// (C_Login calls, signatures) in a pkcs11-spy log: one C_SignInit per signature (its
/// C_Sign is called twice, for the length and for the value).
fn token_calls(spy_log: &Path) -> (usize, usize) {
    let log = std::fs::read_to_string(spy_log).expect("spy log");
    let logins = log.lines().filter(|l| l.contains("C_Login")).count();
    let signs = log.lines().filter(|l| l.contains(" C_SignInit")).count();
    (logins, signs)
}

fn tool(name: &str, args: &[&std::ffi::OsStr]) -> String {
    let out = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} (poppler-utils) runs: {e}"));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn judge_pdf(pdf: &Path, ca_pem: &Path) {
    let jsonld = pdf.with_extension("jsonld");
    assert!(jsonld.exists(), "the PDF's credential file is beside it");
    let name = jsonld
        .file_name()
        .expect("file name")
        .to_string_lossy()
        .into_owned();

    let sig = tool("pdfsig", &[pdf.as_os_str()]);
    assert!(
        sig.contains("Signature is Valid") && sig.contains("Signature #1") && !sig.contains("#2"),
        "pdfsig: one valid signature in {}: {sig}",
        pdf.display()
    );

    let judge = Command::new(python())
        .arg(repo_root().join("tests/judges/pades_check.py"))
        .arg(pdf)
        .arg(ca_pem)
        .output()
        .expect("the pyHanko judge runs");
    let verdict: serde_json::Value = serde_json::from_slice(&judge.stdout).unwrap_or_else(|e| {
        panic!(
            "pyHanko judge printed no JSON ({e}): {}",
            String::from_utf8_lossy(&judge.stderr)
        )
    });
    let first = &verdict["signatures"][0];
    assert_eq!(
        verdict["signatures"].as_array().map(Vec::len),
        Some(1),
        "pyHanko sees one seal: {verdict}"
    );
    assert!(
        first["intact"] == true && first["valid"] == true && first["trusted"] == true,
        "pyHanko: intact, valid, trusted under the harness CA: {verdict}"
    );
    assert_eq!(
        first["coverage"], "ENTIRE_FILE",
        "the seal covers the whole PDF: {verdict}"
    );

    let text = tool("pdftotext", &[pdf.as_os_str(), std::ffi::OsStr::new("-")]);
    let flat: String = text.split_whitespace().collect();
    assert!(
        flat.contains(&name),
        "the PDF names its sealed file {name}: {text}"
    );
    assert!(
        flat.contains(&hex_sha256(&jsonld)),
        "the PDF names the SHA-256 of {name}: {text}"
    );
    assert!(
        !text.contains("SPECIMEN"),
        "a batch PDF belongs to a seal: no SPECIMEN in {}",
        pdf.display()
    );
}

static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn batch_with_pdfs_seals_both_with_one_login_and_a_rerun_repairs_a_lost_pdf() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let token = &TestToken::create();
    let dir = tempfile::tempdir().expect("tempdir");
    let sheet = dir.path().join("learners.xlsx");
    numbered_learners(&sheet, ROWS, "Learner Pdf", "pdf", "1998-02-03");
    let out = dir.path().join("out");
    let data = dir.path().join("data");
    let spy_log = dir.path().join("spy-1.log");

    let output = run(&mut issue(token, &data, &sheet, &out, &spy_log));
    assert!(output.status.success(), "batch --pdf: {}", stderr(&output));
    let summary = stdout_json(&output);
    assert_eq!(summary["sealedThisRun"], ROWS, "all rows sealed: {summary}");
    let (logins, signs) = token_calls(&spy_log);
    assert_eq!(logins, 1, "one C_Login for credentials and PDFs");
    assert_eq!(
        signs,
        2 * ROWS as usize,
        "one token signature per credential and one per PDF, none twice"
    );

    let jsonlds = files_with(&out, "jsonld");
    let pdfs = files_with(&out, "pdf");
    assert_eq!(jsonlds.len(), ROWS as usize, "one credential per row");
    assert_eq!(
        pdfs,
        jsonlds
            .iter()
            .map(|p| p.with_extension("pdf"))
            .collect::<Vec<_>>(),
        "one PDF beside each credential"
    );
    for pdf in &pdfs {
        judge_pdf(pdf, &token.ca_pem);
    }
    if let Some(keep) = std::env::var_os("SEALDESK_BATCH_PDF_KEEP") {
        // To look at the pages: SEALDESK_BATCH_PDF_KEEP=/dir keeps the first PDF.
        let _ = std::fs::copy(&pdfs[0], Path::new(&keep).join("batch-first.pdf"));
    }

    // A run killed between a PDF's seal and its rename: the PDF is missing, a part file left.
    let lost = pdfs[2].clone();
    let lost_bytes = std::fs::read(&lost).expect("pdf");
    let kept_bytes = std::fs::read(&pdfs[0]).expect("pdf");
    std::fs::remove_file(&lost).expect("remove");
    let part = lost.with_extension("pdf.part");
    std::fs::write(&part, &lost_bytes[..lost_bytes.len() / 2]).expect("part");

    let spy_log = dir.path().join("spy-2.log");
    let output = run(&mut issue(token, &data, &sheet, &out, &spy_log));
    assert!(output.status.success(), "rerun: {}", stderr(&output));
    let summary = stdout_json(&output);
    assert_eq!(
        summary["sealedThisRun"], 0,
        "no credential sealed again: {summary}"
    );
    let (logins, signs) = token_calls(&spy_log);
    assert_eq!(logins, 1, "the rerun logs in once");
    assert_eq!(signs, 1, "only the lost PDF is sealed again");
    assert!(!part.exists(), "the part file is gone");
    assert_eq!(
        files_with(&out, "pdf").len(),
        ROWS as usize,
        "every PDF is back"
    );
    let again = std::fs::read(&lost).expect("the lost PDF is made again");
    assert!(
        again == lost_bytes,
        "the same file, made again from the register's sealed bytes and time (RS256 is deterministic)"
    );
    assert_eq!(
        std::fs::read(&pdfs[0]).expect("pdf"),
        kept_bytes,
        "the other PDFs are untouched"
    );
    judge_pdf(&lost, &token.ca_pem);

    // Everything there: a third run needs no PIN and touches nothing.
    let mut cmd = issue(token, &data, &sheet, &out, &dir.path().join("spy-3.log"));
    cmd.env_remove("SEALDESK_PIN");
    let output = run(&mut cmd);
    assert!(output.status.success(), "third run: {}", stderr(&output));
    assert!(
        stderr(&output).contains("nothing left to seal"),
        "nothing to do: {}",
        stderr(&output)
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
fn batch_with_pdfs_killed_three_times_ends_with_one_sealed_pdf_per_row() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let token = &TestToken::create();
    let dir = tempfile::tempdir().expect("tempdir");
    const KILLED_ROWS: u32 = 12;
    let sheet = dir.path().join("learners.xlsx");
    numbered_learners(&sheet, KILLED_ROWS, "Learner Pdf", "pdf", "1998-02-03");
    let out = dir.path().join("out");
    let data = dir.path().join("data");
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1)
        | 1;
    eprintln!("kill-point seed {seed}");
    let mut rng = Rng(seed);
    let mut killed = 0;
    for n in 0..3 {
        let mut cmd = issue(
            token,
            &data,
            &sheet,
            &out,
            &dir.path().join(format!("k{n}.log")),
        );
        cmd.stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        let mut child = cmd.spawn().expect("CLI starts");
        std::thread::sleep(std::time::Duration::from_millis(400 + rng.next() % 1600));
        if child.try_wait().expect("wait").is_none() {
            child.kill().expect("SIGKILL");
            killed += 1;
        }
        let _ = child.wait();
    }
    eprintln!("killed {killed} of 3 runs");
    let last = run(&mut issue(
        token,
        &data,
        &sheet,
        &out,
        &dir.path().join("last.log"),
    ));
    assert!(last.status.success(), "final run: {}", stderr(&last));
    let summary = stdout_json(&last);
    assert_eq!(
        summary["batch"]["stored"], KILLED_ROWS,
        "all rows stored: {summary}"
    );

    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .expect("out")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_none_or(|e| e != "pdf" && e != "jsonld"))
        .collect();
    assert!(leftovers.is_empty(), "no part files left: {leftovers:?}");
    let jsonlds = files_with(&out, "jsonld");
    let pdfs = files_with(&out, "pdf");
    assert_eq!(
        jsonlds.len(),
        KILLED_ROWS as usize,
        "one credential per row"
    );
    assert_eq!(
        pdfs,
        jsonlds
            .iter()
            .map(|p| p.with_extension("pdf"))
            .collect::<Vec<_>>(),
        "one PDF beside each credential, none lost"
    );
    for pdf in &pdfs {
        // One signature each (a PDF sealed twice would carry two) that covers the file, and
        // it names the credential file beside it with that file's digest.
        let sig = tool("pdfsig", &[pdf.as_os_str()]);
        assert!(
            sig.contains("Signature is Valid")
                && sig.contains("Signature #1")
                && !sig.contains("#2"),
            "pdfsig: one valid signature in {}: {sig}",
            pdf.display()
        );
        let text = tool("pdftotext", &[pdf.as_os_str(), std::ffi::OsStr::new("-")]);
        let flat: String = text.split_whitespace().collect();
        assert!(
            flat.contains(&hex_sha256(&pdf.with_extension("jsonld"))),
            "{} names the SHA-256 of its credential file",
            pdf.display()
        );
    }
}
