//! Batch issuing against a real SoftHSM2 token and a real SQLite catalogue file.

use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};

use rust_xlsxwriter::Workbook;
use sealdesk_flows::{
    batch_rows, exclude_batch_row, open_batch, output_path, row_credential_id, run_batch,
    run_batch_with, verify, BatchControl, Catalogue, DeviceSelector, ErrorCode, FlowError,
    SealConsent, TemplateSource, TrustAnchors, SAMPLE_TEMPLATE,
};
use sealdesk_seal::{SignatureAlgorithm, Signer, SignerError};
use sealdesk_tests::TestToken;
use sealdesk_token::{OpenOptions, SealDevice, TokenSelector};
use secrecy::SecretString;
use time::OffsetDateTime;

static TOKEN: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn selector(token: &TestToken) -> DeviceSelector {
    DeviceSelector {
        module: Some(token.module.clone()),
        token_label: Some(token.label.clone()),
        key_id: None,
    }
}

/// Sealdesk's own sheet with `n` learners; `bad_email_row` (0-based learner) gets a broken
/// address.
fn sheet(path: &Path, n: u32, prefix: &str, bad_email_row: Option<u32>) {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    for (c, key) in ["fullName", "email", "dateOfBirth"].iter().enumerate() {
        ws.write_string(0, c as u16, *key).expect("key");
        ws.write_string(1, c as u16, *key).expect("label");
    }
    for i in 0..n {
        let r = 2 + i;
        ws.write_string(r, 0, format!("Learner {prefix}{i}"))
            .expect("name");
        let email = if Some(i) == bad_email_row {
            format!("learner{prefix}{i} at example.org")
        } else {
            format!("learner{prefix}{i}@example.org")
        };
        ws.write_string(r, 1, email).expect("email");
        ws.write_string(r, 2, "2000-01-15").expect("dob");
    }
    book.save(path).expect("save sheet");
}

/// The harness token, logged in with its PIN (once per test).
fn open_token(token: &TestToken, now: OffsetDateTime) -> sealdesk_token::TokenSigner {
    SealDevice::open(
        &token.module,
        &TokenSelector::Label(token.label.clone()),
        None,
        SecretString::from(token.pin.clone()),
        now,
        OpenOptions::default(),
    )
    .expect("the harness token opens")
}

fn template() -> TemplateSource<'static> {
    TemplateSource::Json {
        bytes: SAMPLE_TEMPLATE.as_bytes(),
        source_name: "generic-sample.json",
    }
}

#[test]
fn batch_with_a_problem_row_waits_then_seals_every_other_row_once() {
    let _one_at_a_time = TOKEN.lock().unwrap_or_else(|e| e.into_inner());
    let token = TestToken::shared();
    let dir = tempfile::tempdir().expect("tempdir");
    let catalogue = Catalogue::open(&dir.path().join("c.sqlite3")).expect("catalogue");
    let now = OffsetDateTime::now_utc();
    let xlsx = dir.path().join("learners.xlsx");
    sheet(&xlsx, 40, "a", Some(7));
    let bytes = std::fs::read(&xlsx).expect("read");
    let out = dir.path().join("out");

    let opened =
        open_batch(&catalogue, template(), &bytes, "learners.xlsx", &out, now).expect("open batch");
    assert_eq!(opened.total, 40, "every learner journaled");
    assert_eq!(opened.rows_with_problems, 1, "one bad row");
    let problems = batch_rows(&catalogue, &opened.id, true).expect("rows");
    assert_eq!(problems.len(), 1, "filter to problems");
    assert_eq!(problems[0].row, 10, "learner 7 is sheet row 10");
    assert_eq!(
        problems[0].problems[0].place, "Sheet1!B10",
        "problem names the cell"
    );

    // Refused before the PIN is used: a wrong PIN is never sent.
    let refused = run_batch(
        &catalogue,
        &opened.id,
        &selector(token),
        SecretString::from("000000".to_owned()),
        SealConsent::default(),
        now,
        &BatchControl::new(),
        &mut |_| {},
    )
    .expect_err("problems block the batch");
    assert!(
        matches!(refused, FlowError::BatchHasProblems { rows: 1, .. }),
        "typed refusal: {refused:?}"
    );
    assert_eq!(refused.code(), ErrorCode::InvalidInput, "not a PIN error");

    exclude_batch_row(&catalogue, &opened.id, 10, true, now).expect("exclude");
    let mut reports = Vec::new();
    let summary = run_batch(
        &catalogue,
        &opened.id,
        &selector(token),
        SecretString::from(token.pin.clone()),
        SealConsent::default(),
        now,
        &BatchControl::new(),
        &mut |p| reports.push(p.clone()),
    )
    .expect("batch seals");
    assert_eq!(
        summary.sealed_this_run, 39,
        "every row but the excluded one"
    );
    assert_eq!(summary.batch.state, "done", "batch done");
    assert_eq!(summary.batch.stored, 39, "all stored");
    let last = reports.last().expect("progress reported");
    assert_eq!((last.done, last.total), (39, 39), "final progress");

    for row in batch_rows(&catalogue, &opened.id, false).expect("rows") {
        if row.row == 10 {
            assert_eq!(row.state, "excluded", "excluded row untouched");
            assert!(!output_path(&out, &row.credential_id).exists(), "no file");
            continue;
        }
        assert_eq!(
            row.credential_id,
            row_credential_id(&opened.id, row.row),
            "derived id"
        );
        let file = std::fs::read(output_path(&out, &row.credential_id)).expect("file written");
        let issued = catalogue
            .issued()
            .get(&row.credential_id)
            .expect("register")
            .expect("registered");
        assert_eq!(issued.sealed, file, "file is the register's bytes verbatim");
        let report = verify(&file, "out", &TrustAnchors::empty(), now).expect("verifies");
        assert!(report.intact, "row {} intact", row.row);
    }
    let files = std::fs::read_dir(&out).expect("out").count();
    assert_eq!(files, 39, "one file per sealed row, no temporaries");

    // Same inputs: the same batch, nothing left to seal.
    let again =
        open_batch(&catalogue, template(), &bytes, "learners.xlsx", &out, now).expect("reopen");
    assert!(again.resumed, "same batch found");
    assert_eq!(again.id, opened.id, "same id");
    let rerun = run_batch(
        &catalogue,
        &opened.id,
        &selector(token),
        SecretString::from(token.pin.clone()),
        SealConsent::default(),
        now,
        &BatchControl::new(),
        &mut |_| {},
    )
    .expect("rerun");
    assert_eq!(rerun.sealed_this_run, 0, "nothing sealed twice");
    assert_eq!(
        catalogue.issued().count().expect("count"),
        39,
        "register unchanged"
    );

    // Another sheet with one learner already issued from this template.
    let other = dir.path().join("other.xlsx");
    sheet(&other, 3, "a", None);
    let other_bytes = std::fs::read(&other).expect("read");
    let second = open_batch(
        &catalogue,
        template(),
        &other_bytes,
        "other.xlsx",
        &out,
        now,
    )
    .expect("open second");
    assert_eq!(second.rows_with_problems, 3, "all three already issued");
    let rows = batch_rows(&catalogue, &second.id, true).expect("rows");
    assert!(
        rows[0].problems[0]
            .message
            .contains("already has this credential"),
        "names the register duplicate: {}",
        rows[0].problems[0].message
    );
}

/// Cancels the batch after `after` signatures.
struct CancelAfter<'a> {
    inner: &'a dyn Signer,
    control: BatchControl,
    count: AtomicU32,
    after: u32,
}

impl Signer for CancelAfter<'_> {
    fn certificate(&self) -> &[u8] {
        self.inner.certificate()
    }
    fn chain(&self) -> &[Vec<u8>] {
        self.inner.chain()
    }
    fn algorithm(&self) -> SignatureAlgorithm {
        self.inner.algorithm()
    }
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignerError> {
        if self.count.fetch_add(1, Ordering::SeqCst) + 1 == self.after {
            self.control.cancel();
        }
        self.inner.sign(message)
    }
}

#[test]
fn cancelled_batch_resumes_without_doubles() {
    let _one_at_a_time = TOKEN.lock().unwrap_or_else(|e| e.into_inner());
    let token = TestToken::shared();
    let dir = tempfile::tempdir().expect("tempdir");
    let catalogue = Catalogue::open(&dir.path().join("c.sqlite3")).expect("catalogue");
    let now = OffsetDateTime::now_utc();
    let xlsx = dir.path().join("learners.xlsx");
    sheet(&xlsx, 200, "b", None);
    let bytes = std::fs::read(&xlsx).expect("read");
    let out = dir.path().join("out");
    let batch =
        open_batch(&catalogue, template(), &bytes, "learners.xlsx", &out, now).expect("open");

    let signer = open_token(token, now);
    let control = BatchControl::new();
    let cancelling = CancelAfter {
        inner: &signer,
        control: control.clone(),
        count: AtomicU32::new(0),
        after: 20,
    };
    let first = run_batch_with(
        &catalogue,
        &batch.id,
        &cancelling,
        now,
        &control,
        &mut |_| {},
    )
    .expect("cancelled run ends cleanly");
    assert_eq!(first.batch.state, "cancelled", "state after cancel");
    assert!(
        first.sealed_this_run >= 19 && first.sealed_this_run < 200,
        "stopped early after the rows in flight: {}",
        first.sealed_this_run
    );
    let second = run_batch_with(
        &catalogue,
        &batch.id,
        &signer,
        now,
        &BatchControl::new(),
        &mut |_| {},
    )
    .expect("resumed run");
    assert_eq!(
        first.sealed_this_run + second.sealed_this_run,
        200,
        "every row sealed exactly once over both runs"
    );
    assert_eq!(second.batch.stored, 200, "all stored");
    assert_eq!(catalogue.issued().count().expect("count"), 200, "register");
    assert_eq!(std::fs::read_dir(&out).expect("out").count(), 200, "files");
}

#[test]
fn a_wrong_pin_stops_the_batch_before_any_row_and_says_what_the_token_reports() {
    let _one_at_a_time = TOKEN.lock().unwrap_or_else(|e| e.into_inner());
    let token = TestToken::shared();
    let dir = tempfile::tempdir().expect("tempdir");
    let catalogue = Catalogue::open(&dir.path().join("c.sqlite3")).expect("catalogue");
    let now = OffsetDateTime::now_utc();
    let xlsx = dir.path().join("learners.xlsx");
    sheet(&xlsx, 5, "w", None);
    let bytes = std::fs::read(&xlsx).expect("read");
    let opened = open_batch(
        &catalogue,
        template(),
        &bytes,
        "learners.xlsx",
        &dir.path().join("out"),
        now,
    )
    .expect("open batch");
    let mut progressed = 0;
    let refused = run_batch(
        &catalogue,
        &opened.id,
        &selector(token),
        SecretString::from("999999".to_owned()),
        SealConsent::default(),
        now,
        &BatchControl::new(),
        &mut |_| progressed += 1,
    )
    .expect_err("a wrong PIN stops the batch");
    assert_eq!(refused.code(), ErrorCode::PinIncorrect, "code: {refused}");
    // SoftHSM2 raises "count low" after a wrong PIN; the message passes on what the token says.
    assert!(
        refused.to_string().contains("tries"),
        "the message reports the tries state: {refused}"
    );
    assert_eq!(progressed, 0, "no row was attempted");
    assert_eq!(
        catalogue.issued().count().expect("count"),
        0,
        "nothing sealed"
    );
    let rows = batch_rows(&catalogue, &opened.id, false).expect("rows");
    assert_eq!(rows.len(), 5, "every row is still there to resume");
}

/// A token whose `n`-th signature comes back with one bit flipped (a faulty token or a swapped
/// key): the post-seal check must refuse it, also for rows after the first, which it checks
/// against the first row's protected header and the certificate's key parsed once.
struct FlipBitAt<'a> {
    inner: &'a dyn Signer,
    count: AtomicU32,
    at: u32,
}

impl Signer for FlipBitAt<'_> {
    fn certificate(&self) -> &[u8] {
        self.inner.certificate()
    }
    fn chain(&self) -> &[Vec<u8>] {
        self.inner.chain()
    }
    fn algorithm(&self) -> SignatureAlgorithm {
        self.inner.algorithm()
    }
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignerError> {
        let mut signature = self.inner.sign(message)?;
        if self.count.fetch_add(1, Ordering::SeqCst) + 1 == self.at {
            if let Some(b) = signature.get_mut(10) {
                *b ^= 0x01;
            }
        }
        Ok(signature)
    }
}

#[test]
fn a_bad_signature_after_the_first_row_is_refused_and_nothing_of_it_kept() {
    let _one_at_a_time = TOKEN.lock().unwrap_or_else(|e| e.into_inner());
    let token = TestToken::shared();
    let dir = tempfile::tempdir().expect("tempdir");
    let catalogue = Catalogue::open(&dir.path().join("c.sqlite3")).expect("catalogue");
    let now = OffsetDateTime::now_utc();
    let xlsx = dir.path().join("learners.xlsx");
    sheet(&xlsx, 30, "f", None);
    let bytes = std::fs::read(&xlsx).expect("read");
    let out = dir.path().join("out");
    let batch =
        open_batch(&catalogue, template(), &bytes, "learners.xlsx", &out, now).expect("open");
    let signer = open_token(token, now);
    let faulty = FlipBitAt {
        inner: &signer,
        count: AtomicU32::new(0),
        at: 12,
    };
    let err = run_batch_with(
        &catalogue,
        &batch.id,
        &faulty,
        now,
        &BatchControl::new(),
        &mut |_| {},
    )
    .expect_err("the flipped signature stops the batch");
    assert!(
        matches!(err, FlowError::SealDidNotVerify),
        "refused as a seal that does not verify, got {err:?}"
    );
    // Every kept file verifies with the full verifier; the bad one was never kept.
    let files: Vec<_> = std::fs::read_dir(&out)
        .expect("out")
        .map(|e| e.expect("entry").path())
        .collect();
    assert!(
        !files.is_empty() && files.len() < 30,
        "rows before the fault were kept, not all: {}",
        files.len()
    );
    for f in &files {
        let report = verify(
            &std::fs::read(f).expect("file"),
            "out",
            &TrustAnchors::empty(),
            now,
        )
        .expect("verifies");
        assert!(report.intact, "{} is intact", f.display());
    }
    assert_eq!(
        catalogue.issued().count().expect("count") as usize,
        files.len(),
        "register = folder"
    );
    // The rest seals on a sound token, each row once.
    let rest = run_batch_with(
        &catalogue,
        &batch.id,
        &signer,
        now,
        &BatchControl::new(),
        &mut |_| {},
    )
    .expect("resumed run");
    assert_eq!(rest.batch.stored, 30, "all stored after the resume");
    assert_eq!(catalogue.issued().count().expect("count"), 30, "register");
}
