//! Spreadsheets of learners in, Sealdesk's own sheet out.
//!
//! Owns reading three kinds of recipient lists into plain rows, each field with the cell it came
//! from, and every problem named by `sheet!cell` with what to do about it:
//! - Sealdesk's own sheet ([`write_own_sheet`]): row 1 stable column keys, row 2 labels, data
//!   from row 3;
//! - the EDC 3 issuer's generated recipients `.xls` (row 1 field paths such as
//!   `{#uuid}.REC.givenNames`, data from row 5);
//! - the EDC 1.x Excel template (`Persons` or `Recipients` sheet, machine column ids such as
//!   `Person.fullName.Property.content.en`, data after that row).
//!
//! It does not know templates, credentials or the catalogue: duplicates against the issued
//! register and building credentials are the caller's (`sealdesk-flows`). calamine reads every
//! format (it cannot write); rust_xlsxwriter writes the own sheet with data validation.

#![warn(missing_docs)]

mod check;
mod error;
mod read;
mod write;

pub use error::SheetsError;
pub use read::{import, import_bytes};
pub use write::{standard_columns, write_own_sheet, SheetColumn};

use std::collections::BTreeMap;

use time::Date;

/// Which kind of spreadsheet a file was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SheetFormat {
    /// Sealdesk's own sheet (row 1 keys, row 2 labels, data from row 3).
    Sealdesk,
    /// The EDC 3 issuer's generated recipients `.xls` (field paths in row 1, data from row 5).
    Edc3Recipients,
    /// The EDC 1.x Excel template (Persons / Recipients sheet).
    Edc1Template,
}

/// One problem, at a place in the sheet, with what to do.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    /// `Sheet!A1` (or `Sheet` when the problem is the sheet as a whole).
    pub place: String,
    /// The 1-based sheet row of the learner it concerns, if any.
    pub row: Option<u32>,
    /// The column key it concerns (`email`), if any.
    pub field: Option<String>,
    /// What is wrong and what to do, in one sentence.
    pub message: String,
}

/// One learner read from a sheet (personal data: never log it).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecipientRow {
    /// The 1-based row in the sheet.
    pub row: u32,
    /// Full name (composed from given and family names when the sheet has none).
    pub full_name: String,
    /// Given name(s).
    pub given_name: String,
    /// Family name(s).
    pub family_name: String,
    /// E-mail address, trimmed.
    pub email: String,
    /// Date of birth.
    pub date_of_birth: Option<Date>,
    /// Other supported fields by column key (`grade`, `language`).
    pub extra: BTreeMap<String, String>,
    /// Where each field came from: column key → `Sheet!A1`.
    pub cells: BTreeMap<String, String>,
}

/// The result of reading a sheet: rows, problems (with the rows they concern) and the columns
/// that were present but are not used by Sealdesk (named once each).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Import {
    /// The kind of sheet recognised.
    pub format: SheetFormat,
    /// The worksheet read.
    pub sheet: String,
    /// Every non-empty data row, in sheet order (also those with problems).
    pub rows: Vec<RecipientRow>,
    /// Every problem found, in sheet order.
    pub problems: Vec<Problem>,
    /// Column headers present but not used (e.g. `REC.gender`), each once.
    pub not_used: Vec<String>,
}

impl Import {
    /// The problems of one sheet row.
    pub fn problems_of(&self, row: u32) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(move |p| p.row == Some(row))
    }

    /// Problems about the sheet as a whole (missing columns), which no row exclusion fixes.
    pub fn sheet_problems(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| p.row.is_none())
    }
}

/// `A`, `B`, …, `Z`, `AA`, … for a 0-based column index.
pub fn column_letters(mut col: u32) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

/// `Sheet!A1` for 0-based row and column.
pub fn cell_ref(sheet: &str, row: u32, col: u32) -> String {
    format!("{sheet}!{}{}", column_letters(col), row + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_follow_excel() {
        assert_eq!(column_letters(0), "A", "first column");
        assert_eq!(column_letters(25), "Z", "26th column");
        assert_eq!(column_letters(26), "AA", "27th column");
        assert_eq!(column_letters(701), "ZZ", "702nd column");
        assert_eq!(column_letters(702), "AAA", "703rd column");
        assert_eq!(cell_ref("Persons", 6, 5), "Persons!F7", "F7");
    }
}
