//! The issued register (search, filters, CSV, sealed file) over a real SQLite catalogue file
//! filled by real batches sealed on the SoftHSM2 harness token.

use std::path::Path;

use rust_xlsxwriter::Workbook;
use sealdesk_flows::{
    create_template_from, export_register_csv, open_batch, output_path, preview_batch_row,
    preview_pdf, register_rows, run_batch_with, sealed_file, BatchControl, Catalogue, ErrorCode,
    FlowError, PdfSourceView, RegisterFilterView, StartingPoint, TemplateSource, CSV_HEADER,
    NOT_QUEUED, SAMPLE_TEMPLATE,
};
use sealdesk_tests::TestToken;
use sealdesk_token::{OpenOptions, SealDevice, TokenSelector};
use secrecy::SecretString;
use time::OffsetDateTime;

/// Own sheet with the given (name, e-mail) learners.
fn sheet(path: &Path, learners: &[(&str, &str)]) {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    for (c, key) in ["fullName", "email"].iter().enumerate() {
        ws.write_string(0, c as u16, *key).expect("key");
        ws.write_string(1, c as u16, *key).expect("label");
    }
    for (i, (name, email)) in learners.iter().enumerate() {
        let r = 2 + i as u32;
        ws.write_string(r, 0, *name).expect("name");
        ws.write_string(r, 1, *email).expect("email");
    }
    book.save(path).expect("save sheet");
}

struct Filled {
    _dir: tempfile::TempDir,
    root: std::path::PathBuf,
    catalogue: Catalogue,
    batch_a: String,
    batch_b: String,
    template_id: String,
    now: OffsetDateTime,
}

/// Two batches: A (3 learners, catalogue template "Data literacy"), B (2 learners, the
/// generic sample as a JSON template), sealed with one token login.
fn filled() -> Filled {
    let token = TestToken::shared();
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().to_path_buf();
    let catalogue = Catalogue::open(&root.join("c.sqlite3")).expect("catalogue");
    let now = OffsetDateTime::now_utc();
    let template = create_template_from(
        &catalogue,
        "Data literacy",
        StartingPoint::MicroCredential,
        now,
    )
    .expect("template");
    let template_id = template.template.summary.id.clone();

    let a = root.join("a.xlsx");
    sheet(
        &a,
        &[
            ("Ada Quote, \"the\" First", "ada@uni.example"),
            ("Bert Brown", "bert@uni.example"),
            ("Cleo Clark", "cleo@uni.example"),
        ],
    );
    let b = root.join("b.xlsx");
    sheet(
        &b,
        &[
            ("Dora Diaz", "dora@college.example"),
            ("Emil Egg", "emil@college.example"),
        ],
    );
    let batch_a = open_batch(
        &catalogue,
        TemplateSource::Catalogue {
            id: &template_id,
            version: None,
        },
        &std::fs::read(&a).expect("read a"),
        "a.xlsx",
        &root.join("out"),
        now,
    )
    .expect("open batch a");
    let batch_b = open_batch(
        &catalogue,
        TemplateSource::Json {
            bytes: SAMPLE_TEMPLATE.as_bytes(),
            source_name: "generic-sample.json",
        },
        &std::fs::read(&b).expect("read b"),
        "b.xlsx",
        &root.join("out"),
        now,
    )
    .expect("open batch b");
    assert_eq!(
        batch_a.rows_with_problems, 0,
        "sheet a is clean: {batch_a:?}"
    );
    assert_eq!(
        batch_b.rows_with_problems, 0,
        "sheet b is clean: {batch_b:?}"
    );

    let preview = preview_batch_row(&catalogue, &batch_a.id, 4, now).expect("row preview");
    assert!(!preview.title.is_empty(), "the row preview has a title");

    let signer = SealDevice::open(
        &token.module,
        &TokenSelector::Label(token.label.clone()),
        None,
        SecretString::from(token.pin.clone()),
        now,
        OpenOptions::default(),
    )
    .expect("token opens once");
    for id in [&batch_a.id, &batch_b.id] {
        let summary = run_batch_with(
            &catalogue,
            id,
            &signer,
            now,
            &BatchControl::new(),
            &mut |_| {},
        )
        .expect("batch seals");
        assert_eq!(summary.batch.state, "done", "batch {id} done");
    }
    drop(signer);
    Filled {
        _dir: dir,
        root,
        catalogue,
        batch_a: batch_a.id,
        batch_b: batch_b.id,
        template_id,
        now,
    }
}

fn search(text: &str) -> RegisterFilterView {
    RegisterFilterView {
        search: Some(text.to_owned()),
        ..RegisterFilterView::default()
    }
}

fn learners(rows: &[sealdesk_flows::RegisterRowView]) -> Vec<String> {
    let mut names: Vec<String> = rows.iter().map(|r| r.learner.clone()).collect();
    names.sort();
    names
}

#[test]
fn register_search_filters_csv_and_sealed_file() {
    let f = filled();
    let cat = &f.catalogue;

    // Everything, with the columns filled from the batch, template and jobs.
    let all = register_rows(cat, &RegisterFilterView::default()).expect("all rows");
    assert_eq!(all.len(), 5, "five sealed credentials: {all:?}");
    let ada = all
        .iter()
        .find(|r| r.learner.starts_with("Ada"))
        .expect("Ada is in the register");
    assert_eq!(ada.email, "ada@uni.example", "e-mail from the batch row");
    assert_eq!(
        ada.template, "Data literacy v1",
        "template name and version"
    );
    assert_eq!(
        ada.template_id.as_deref(),
        Some(f.template_id.as_str()),
        "template id"
    );
    assert_eq!(
        ada.batch_id.as_deref(),
        Some(f.batch_a.as_str()),
        "batch id"
    );
    assert_eq!(ada.seal_level, "B-B", "original seal level");
    assert_eq!(ada.delivery_state, NOT_QUEUED, "no delivery job yet");
    assert!(
        all.iter().all(|r| r.sealed_at.ends_with('Z')),
        "sealed_at in UTC: {all:?}"
    );

    // Search: name, e-mail, credential id, template name, batch id (case-insensitive).
    assert_eq!(
        learners(&register_rows(cat, &search("bert")).expect("by name")),
        ["Bert Brown"],
        "by name"
    );
    assert_eq!(
        register_rows(cat, &search("@COLLEGE.example"))
            .expect("by e-mail")
            .len(),
        2,
        "by e-mail domain"
    );
    let by_id = register_rows(cat, &search(&ada.credential_id)).expect("by id");
    assert_eq!(learners(&by_id).len(), 1, "by credential id: {by_id:?}");
    assert_eq!(
        register_rows(cat, &search("data literacy"))
            .expect("by template")
            .len(),
        3,
        "by template name"
    );
    assert_eq!(
        register_rows(cat, &search(&f.batch_b[..10]))
            .expect("by batch")
            .len(),
        2,
        "by batch id prefix"
    );
    assert!(
        register_rows(cat, &search("100%_"))
            .expect("wildcards")
            .is_empty(),
        "% and _ are literal in a search"
    );

    // Filters: batch, template, seal level, delivery state, dates.
    let only_b = RegisterFilterView {
        batch_id: Some(f.batch_b.clone()),
        ..RegisterFilterView::default()
    };
    assert_eq!(
        learners(&register_rows(cat, &only_b).expect("batch b")),
        ["Dora Diaz", "Emil Egg"],
        "batch filter"
    );
    let bert = all
        .iter()
        .find(|r| r.learner == "Bert Brown")
        .expect("Bert");
    cat.issued_versions()
        .add(&bert.credential_id, "B-LTA", b"augmented", f.now)
        .expect("augmented version");
    let lta = RegisterFilterView {
        seal_level: Some("B-LTA".to_owned()),
        ..RegisterFilterView::default()
    };
    assert_eq!(
        learners(&register_rows(cat, &lta).expect("lta")),
        ["Bert Brown"],
        "seal level comes from the newest augmented version"
    );
    // No augmentation job (JSON or PDF) is a delivery; a mail job is.
    for kind in sealdesk_flows::augment::KINDS {
        cat.jobs()
            .enqueue(kind, &ada.credential_id, f.now, f.now)
            .expect("augment job");
    }
    let cleo = all
        .iter()
        .find(|r| r.learner == "Cleo Clark")
        .expect("Cleo");
    let queued_mail =
        sealdesk_flows::deliver::queue(cat, &cleo.credential_id, None, f.now).expect("mail queued");
    let mail = queued_mail.jobs[0];
    let queued = RegisterFilterView {
        delivery_state: Some("queued".to_owned()),
        ..RegisterFilterView::default()
    };
    let rows = register_rows(cat, &queued).expect("queued");
    assert_eq!(
        learners(&rows),
        ["Cleo Clark"],
        "only the outbox's mail counts as delivery"
    );
    assert_eq!(
        rows[0].delivery_state, "mail: queued",
        "the outbox's state, by channel"
    );
    // A refusal shows the server's reason, and the filter finds it.
    cat.jobs().start(mail, f.now).expect("start");
    cat.jobs()
        .fail(
            mail,
            "550 no such user",
            true,
            &Default::default(),
            0.0,
            f.now,
        )
        .expect("fail");
    let failed = RegisterFilterView {
        delivery_state: Some("failed".to_owned()),
        ..RegisterFilterView::default()
    };
    let rows = register_rows(cat, &failed).expect("failed");
    assert_eq!(learners(&rows), ["Cleo Clark"], "the failed mail is found");
    assert_eq!(
        rows[0].delivery_state, "mail: failed — 550 no such user",
        "the register says why the mail failed"
    );
    assert!(
        register_rows(cat, &queued).expect("queued").is_empty(),
        "a failed mail is no longer queued"
    );
    sealdesk_flows::deliver::retry(cat, mail, f.now).expect("retry");
    cat.jobs().start(mail, f.now).expect("start again");
    cat.jobs().succeed(mail, f.now).expect("succeed");
    let delivered = RegisterFilterView {
        delivery_state: Some("delivered".to_owned()),
        ..RegisterFilterView::default()
    };
    let rows = register_rows(cat, &delivered).expect("delivered");
    assert_eq!(learners(&rows), ["Cleo Clark"], "a sent mail is delivered");
    assert_eq!(rows[0].delivery_state, "mail: sent", "sent, by channel");
    let not_queued = RegisterFilterView {
        delivery_state: Some("not queued".to_owned()),
        ..RegisterFilterView::default()
    };
    assert!(
        !learners(&register_rows(cat, &not_queued).expect("not queued"))
            .iter()
            .any(|n| n == "Cleo Clark"),
        "a credential with a delivery is not 'not queued'"
    );
    let today = f.now.date().to_string();
    let yesterday = (f.now.date().previous_day().expect("yesterday")).to_string();
    let from_today = RegisterFilterView {
        sealed_from: Some(today.clone()),
        sealed_to: Some(today.clone()),
        ..RegisterFilterView::default()
    };
    assert_eq!(
        register_rows(cat, &from_today).expect("today").len(),
        5,
        "all sealed today ({today})"
    );
    let until_yesterday = RegisterFilterView {
        sealed_to: Some(yesterday),
        ..RegisterFilterView::default()
    };
    assert!(
        register_rows(cat, &until_yesterday)
            .expect("yesterday")
            .is_empty(),
        "nothing sealed before today"
    );
    let bad = register_rows(
        cat,
        &RegisterFilterView {
            sealed_from: Some("23/11/2026".to_owned()),
            ..RegisterFilterView::default()
        },
    )
    .expect_err("a malformed date is refused");
    assert!(
        matches!(bad, FlowError::RegisterDate { .. }) && bad.code() == ErrorCode::InvalidInput,
        "typed refusal: {bad:?}"
    );

    // CSV: header, one line per row, quoting round-trips.
    let csv_path = f.root.join("exports/register.csv");
    let written =
        export_register_csv(cat, &RegisterFilterView::default(), &csv_path).expect("csv export");
    assert_eq!(written, 5, "five lines written");
    let mut reader = csv::Reader::from_path(&csv_path).expect("csv opens");
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header, CSV_HEADER, "header line");
    let records: Vec<csv::StringRecord> = reader
        .records()
        .collect::<Result<_, _>>()
        .expect("records parse");
    assert_eq!(records.len(), 5, "one record per credential");
    let ada_line = records
        .iter()
        .find(|r| r.get(0) == Some(ada.credential_id.as_str()))
        .expect("Ada's line");
    assert_eq!(
        ada_line.get(1),
        Some("Ada Quote, \"the\" First"),
        "comma and quotes survive"
    );
    assert_eq!(ada_line.get(2), Some("ada@uni.example"), "e-mail column");
    assert_eq!(ada_line.get(8), Some("B-B"), "seal level column");

    // The sealed file: the batch's own file while it holds the register's bytes, else a copy.
    let register_bytes = cat
        .issued()
        .get(&ada.credential_id)
        .expect("get")
        .expect("issued")
        .sealed;
    let exports = f.root.join("exports");
    let batch_file = output_path(&f.root.join("out"), &ada.credential_id);
    let found = sealed_file(cat, &ada.credential_id, &exports).expect("sealed file");
    assert_eq!(
        found, batch_file,
        "the batch output file is the sealed file"
    );
    std::fs::write(&batch_file, b"tampered").expect("tamper");
    let copy = sealed_file(cat, &ada.credential_id, &exports).expect("sealed copy");
    assert_ne!(copy, batch_file, "a changed batch file is not offered");
    assert_eq!(
        std::fs::read(&copy).expect("read copy"),
        register_bytes,
        "the copy holds the register's bytes"
    );
    let missing = sealed_file(cat, "urn:credential:nope", &exports).expect_err("unknown id");
    assert!(
        matches!(missing, FlowError::NotIssued { .. }),
        "typed refusal: {missing:?}"
    );
    assert_eq!(
        register_rows(cat, &search(&f.batch_a)).expect("a").len(),
        3,
        "batch a has three credentials"
    );

    // The app's inline PDFs: previews are SPECIMEN, a sealed credential is not.
    let template_pdf = preview_pdf(
        cat,
        &PdfSourceView::Template {
            id: f.template_id.clone(),
            version: None,
        },
        None,
        false,
        &exports,
        f.now,
    )
    .expect("template pdf");
    assert!(template_pdf.view.specimen, "a template's PDF is a SPECIMEN");
    assert!(
        pdf_text(&f.root, "template", &template_pdf.bytes).contains("SPECIMEN"),
        "the watermark is in the template's PDF"
    );
    let row_pdf = preview_pdf(
        cat,
        &PdfSourceView::BatchRow {
            batch: f.batch_a.clone(),
            row: 4,
        },
        None,
        true,
        &exports,
        f.now,
    )
    .expect("row pdf");
    assert!(row_pdf.view.specimen, "a batch row's PDF is a SPECIMEN");
    let row_text = pdf_text(&f.root, "row", &row_pdf.bytes);
    assert!(
        row_text.contains("SPECIMEN") && row_text.contains("Bert Brown"),
        "the row's PDF is Bert's, as a SPECIMEN:\n{row_text}"
    );
    let ada_source = PdfSourceView::Register {
        credential_id: ada.credential_id.clone(),
    };
    let ada_pdf = preview_pdf(cat, &ada_source, None, false, &exports, f.now).expect("ada pdf");
    assert!(
        !ada_pdf.view.specimen && ada_pdf.view.sealed_by.is_some() && !ada_pdf.view.sealed_pdf,
        "a sealed credential prints without SPECIMEN, naming its sealer: {:?}",
        ada_pdf.view
    );
    assert_eq!(
        ada_pdf.view.languages.first(),
        Some(&ada_pdf.view.language),
        "printed in its primary language, offered first"
    );
    let ada_text = pdf_text(&f.root, "ada", &ada_pdf.bytes);
    assert!(
        !ada_text.contains("SPECIMEN") && ada_text.contains("Ada Quote"),
        "Ada's sealed credential, no watermark:\n{ada_text}"
    );
    // The batch's sealed PDF beside the .jsonld is shown as it is.
    let bert = all
        .iter()
        .find(|r| r.learner == "Bert Brown")
        .expect("Bert");
    let beside = output_path(&f.root.join("out"), &bert.credential_id).with_extension("pdf");
    std::fs::write(&beside, b"%PDF-1.7 the batch's sealed PDF").expect("sealed pdf");
    let bert_source = PdfSourceView::Register {
        credential_id: bert.credential_id.clone(),
    };
    let bert_pdf = preview_pdf(cat, &bert_source, None, false, &exports, f.now).expect("bert pdf");
    assert!(
        bert_pdf.view.sealed_pdf && bert_pdf.bytes == b"%PDF-1.7 the batch's sealed PDF",
        "the sealed PDF file is shown: {:?}",
        bert_pdf.view
    );
    let unknown = preview_pdf(
        cat,
        &PdfSourceView::Register {
            credential_id: "urn:credential:nope".to_owned(),
        },
        None,
        false,
        &exports,
        f.now,
    )
    .expect_err("unknown credential");
    assert!(
        matches!(unknown, FlowError::NotIssued { .. }),
        "typed refusal: {unknown:?}"
    );
}

/// The text of a PDF, by poppler's pdftotext.
fn pdf_text(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(format!("{name}.pdf"));
    std::fs::write(&path, bytes).expect("write pdf");
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext runs (poppler-utils)");
    assert!(out.status.success(), "pdftotext reads {name}.pdf");
    String::from_utf8_lossy(&out.stdout).into_owned()
}
