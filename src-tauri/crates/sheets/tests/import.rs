//! The three reference spreadsheets import; broken copies of each report the exact cells.

use std::path::{Path, PathBuf};

use calamine::{open_workbook_auto, Data, Reader};
use rust_xlsxwriter::Workbook;
use sealdesk_sheets::{import, import_bytes, write_own_sheet, SheetFormat, SheetsError};
use sealdesk_tests::shared_dir;
use time::macros::date;

fn excel_method() -> PathBuf {
    shared_dir().join("reference/edci-platform/excel-method")
}

fn graded_xls() -> PathBuf {
    excel_method().join("edc3-recipients-xls/generated_graded_2_recipients.xls")
}

/// Copies one worksheet of `src` into a new xlsx, applying `edits` ((0-based row, col, text)).
fn broken_copy(src: &Path, sheet: &str, edits: &[(u32, u16, &str)], out: &Path) {
    let mut wb = open_workbook_auto(src).expect("reference opens");
    let range = wb.worksheet_range(sheet).expect("sheet exists");
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet).expect("sheet name");
    let (r0, c0) = range.start().unwrap_or((0, 0));
    for (i, row) in range.rows().enumerate() {
        for (j, cell) in row.iter().enumerate() {
            let (r, c) = (r0 + i as u32, (c0 as usize + j) as u16);
            match cell {
                Data::Empty => {}
                Data::Float(f) => {
                    ws.write_number(r, c, *f).expect("write");
                }
                Data::Int(n) => {
                    ws.write_number(r, c, *n as f64).expect("write");
                }
                other => {
                    ws.write_string(r, c, other.to_string()).expect("write");
                }
            }
        }
    }
    for (r, c, text) in edits {
        ws.write_string(*r, *c, *text).expect("edit");
    }
    book.save(out).expect("save copy");
}

fn places(import: &sealdesk_sheets::Import) -> Vec<String> {
    import.problems.iter().map(|p| p.place.clone()).collect()
}

#[test]
fn edc3_generated_recipients_xls_imports_both_learners() {
    let import = import(&graded_xls()).expect("the EDC 3 .xls reads");
    assert_eq!(
        import.format,
        SheetFormat::Edc3Recipients,
        "format recognised"
    );
    assert_eq!(import.sheet, "data", "sheet name");
    assert!(
        import.problems.is_empty(),
        "no problems: {:?}",
        import.problems
    );
    assert_eq!(import.rows.len(), 2, "two recipients");
    let john = &import.rows[0];
    assert_eq!(john.row, 5, "data starts in row 5");
    assert_eq!(john.full_name, "John Smith", "composed from given + family");
    assert_eq!(john.email, "john.smith@gm.co", "e-mail");
    assert_eq!(
        john.date_of_birth,
        Some(date!(2018 - 07 - 22)),
        "dob with time part"
    );
    assert_eq!(john.cells["email"], "data!M5", "e-mail cell");
    let lotta = &import.rows[1];
    assert_eq!(
        lotta.date_of_birth,
        Some(date!(2010 - 10 - 10)),
        "dob with leading space"
    );
    let gender = import
        .not_used
        .iter()
        .filter(|c| *c == "REC.gender")
        .count();
    assert_eq!(
        gender, 1,
        "gender named once as not used: {:?}",
        import.not_used
    );
    assert!(
        import
            .not_used
            .iter()
            .filter(|c| *c == "REC.citizenshipCountry")
            .count()
            == 1,
        "repeated columns are named once: {:?}",
        import.not_used
    );
}

#[test]
fn edc3_template_without_e_mail_column_says_so() {
    let path = excel_method().join("edc3-recipients-xls/generated_template.xls");
    let import = import(&path).expect("the EDC 3 template .xls reads");
    assert_eq!(import.format, SheetFormat::Edc3Recipients, "format");
    assert!(import.rows.is_empty(), "no data rows");
    let sheet_problems: Vec<_> = import.sheet_problems().collect();
    assert_eq!(
        sheet_problems.len(),
        1,
        "one sheet problem: {sheet_problems:?}"
    );
    assert!(
        sheet_problems[0].message.contains("no e-mail column"),
        "names the missing column: {}",
        sheet_problems[0].message
    );
}

#[test]
fn edc1_templates_import_empty_and_clean() {
    for (file, sheet) in [
        ("EDC_template-generic.xlsx", "Persons"),
        ("EDC_template-recipients.xlsx", "Recipients"),
    ] {
        let path = excel_method().join("edc1-xlsm-templates").join(file);
        let import = import(&path).expect("the EDC 1.x template reads");
        assert_eq!(import.format, SheetFormat::Edc1Template, "{file}: format");
        assert_eq!(import.sheet, sheet, "{file}: sheet");
        assert!(
            import.rows.is_empty(),
            "{file}: the template has no learners"
        );
        assert!(import.problems.is_empty(), "{file}: {:?}", import.problems);
        assert!(
            import
                .not_used
                .iter()
                .any(|c| c.starts_with("Person.nationalId.content")),
            "{file}: the national id is not used: {:?}",
            import.not_used
        );
    }
}

#[test]
fn broken_edc3_copy_reports_exact_cells() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("broken.xlsx");
    broken_copy(
        &graded_xls(),
        "data",
        &[
            (4, 12, "john.smith at gm.co"), // M5: not an address
            (5, 2, "10/10/2010"),           // C6: not ISO
            (6, 0, "Lotta"),                // a third learner repeating Lotta's e-mail
            (6, 1, "Cookies"),
            (6, 12, "lotta@gm.com"),
            (7, 0, ""),
            (7, 1, "Nobody"),
            (7, 12, ""), // M8: empty e-mail
        ],
        &out,
    );
    let import = import(&out).expect("the broken copy reads");
    assert_eq!(import.format, SheetFormat::Edc3Recipients, "still EDC 3");
    assert_eq!(
        places(&import),
        vec!["data!M5", "data!C6", "data!M7", "data!M8"],
        "exact cells: {:?}",
        import.problems
    );
    assert_eq!(
        import.problems[0].message,
        "E-mail in data!M5 is not an address: write it as name@example.org",
        "message names the cell and the fix"
    );
    assert!(
        import.problems[2].message.contains("repeats row 6"),
        "duplicate names the first row: {}",
        import.problems[2].message
    );
    assert_eq!(import.problems[1].row, Some(6), "problem carries its row");
}

#[test]
fn broken_edc1_copy_reports_exact_cells() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("broken.xlsx");
    let src = excel_method().join("edc1-xlsm-templates/EDC_template-generic.xlsx");
    broken_copy(
        &src,
        "Persons",
        &[
            (12, 1, "Ada Lovelace"),
            (12, 4, "1815-12-10"),          // E13: before 1900
            (12, 20, "ada(at)example.org"), // U13: not an address
            (13, 1, ""),
            (13, 3, "Hopper"),
            (13, 20, "grace@example.org"), // B14: no full name
            (14, 1, "Alan Turing"),
            (14, 20, "alan@example.org"), // a clean row
        ],
        &out,
    );
    let import = import(&out).expect("the broken copy reads");
    assert_eq!(import.format, SheetFormat::Edc1Template, "still EDC 1.x");
    assert_eq!(
        places(&import),
        vec!["Persons!E13", "Persons!U13", "Persons!B14"],
        "exact cells: {:?}",
        import.problems
    );
    assert_eq!(
        import.problems[1].message,
        "E-mail in Persons!U13 is not an address: write it as name@example.org",
        "the message of the brief"
    );
    assert_eq!(import.rows.len(), 3, "three learners read");
    assert_eq!(import.problems_of(15).count(), 0, "Alan's row is clean");
}

#[test]
fn own_sheet_round_trips_and_broken_copy_reports_cells() {
    let dir = tempfile::tempdir().expect("tempdir");
    let empty = dir.path().join("own.xlsx");
    write_own_sheet(&empty, &sealdesk_sheets::standard_columns()).expect("writes");
    let import_empty = import(&empty).expect("own sheet reads");
    assert_eq!(import_empty.format, SheetFormat::Sealdesk, "own format");
    assert!(import_empty.rows.is_empty(), "no learners yet");
    assert!(
        import_empty.problems.is_empty(),
        "{:?}",
        import_empty.problems
    );

    let filled = dir.path().join("filled.xlsx");
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("Learners").expect("name");
    for (c, key) in [
        "fullName",
        "email",
        "dateOfBirth",
        "grade",
        "language",
        "gender",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *key).expect("key");
        ws.write_string(1, c as u16, "label").expect("label");
    }
    let rows: [[&str; 6]; 3] = [
        [
            "Ada Lovelace",
            "ada@example.org",
            "1990-02-30",
            "A",
            "en",
            "F",
        ],
        [
            "Grace Hopper",
            "grace@example",
            "1990-01-01",
            "B",
            "xx",
            "F",
        ],
        ["Alan Turing", "ADA@example.org", "", "", "", ""],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            ws.write_string(2 + r as u32, c as u16, *value)
                .expect("cell");
        }
    }
    book.save(&filled).expect("save");
    let import = import(&filled).expect("reads");
    assert_eq!(
        places(&import),
        vec!["Learners!C3", "Learners!B4", "Learners!E4", "Learners!B5"],
        "exact cells: {:?}",
        import.problems
    );
    assert_eq!(
        import.not_used,
        vec!["gender".to_owned()],
        "gender not used"
    );
    assert_eq!(import.rows[0].extra["grade"], "A", "grade kept");
}

#[test]
fn not_a_spreadsheet_is_an_error_not_a_panic() {
    let err = import_bytes(b"fullName,email\nAda,ada@example.org\n", "learners.csv")
        .expect_err("CSV bytes are refused");
    assert!(
        matches!(err, SheetsError::NotASpreadsheet { .. }),
        "typed error: {err:?}"
    );
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    assert!(
        import_bytes(&garbage, "x.xlsx").is_err(),
        "garbage is an error"
    );
}
