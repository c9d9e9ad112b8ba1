//! Sealdesk's own sheet: row 1 stable column keys, row 2 labels, data from row 3, with data
//! validation so Excel refuses bad dates and values outside a controlled list.

use std::path::Path;

use rust_xlsxwriter::{DataValidation, DataValidationErrorStyle, ExcelDateTime, Format, Workbook};

use crate::SheetsError;

/// One column of the own sheet.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SheetColumn {
    /// Stable key in row 1 (`email`); the importer maps columns by it.
    pub key: String,
    /// Label for people in row 2.
    pub label: String,
    /// Whether every learner needs it (label marked with `*`).
    pub mandatory: bool,
    /// Controlled values offered as a drop-down (empty: free text).
    pub choices: Vec<String>,
}

impl SheetColumn {
    fn new(key: &str, label: &str, mandatory: bool) -> Self {
        Self {
            key: key.to_owned(),
            label: label.to_owned(),
            mandatory,
            choices: Vec::new(),
        }
    }
}

/// The learner columns every template has.
pub fn standard_columns() -> Vec<SheetColumn> {
    vec![
        SheetColumn::new("fullName", "Full name", true),
        SheetColumn::new("givenName", "Given name(s)", false),
        SheetColumn::new("familyName", "Family name", false),
        SheetColumn::new("email", "E-mail", true),
        SheetColumn::new("dateOfBirth", "Date of birth (YYYY-MM-DD)", false),
    ]
}

/// How many data rows the validation covers.
const VALIDATED_ROWS: u32 = 10_000;

/// Writes the own sheet for `columns` to `path` (xlsx), sheet name `Learners`.
pub fn write_own_sheet(path: &Path, columns: &[SheetColumn]) -> Result<(), SheetsError> {
    let err = |source| SheetsError::Write {
        path: path.to_path_buf(),
        source,
    };
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Learners").map_err(err)?;
    let key_format = Format::new().set_font_color("#808080");
    let label_format = Format::new().set_bold();
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    let last = 2 + VALIDATED_ROWS - 1;
    for (i, column) in columns.iter().enumerate() {
        let col = i as u16;
        sheet
            .write_string_with_format(0, col, &column.key, &key_format)
            .map_err(err)?;
        let label = if column.mandatory {
            format!("{} *", column.label)
        } else {
            column.label.clone()
        };
        sheet
            .write_string_with_format(1, col, &label, &label_format)
            .map_err(err)?;
        sheet.set_column_width(col, 24).map_err(err)?;
        if column.key == "dateOfBirth" {
            let low = ExcelDateTime::from_ymd(1900, 1, 1).map_err(err)?;
            let high = ExcelDateTime::from_ymd(2100, 12, 31).map_err(err)?;
            let validation = DataValidation::new()
                .allow_date(rust_xlsxwriter::DataValidationRule::Between(low, high))
                .set_error_title("Date of birth")
                .map_err(err)?
                .set_error_message("Enter a date (YYYY-MM-DD).")
                .map_err(err)?
                .set_error_style(DataValidationErrorStyle::Stop);
            sheet
                .add_data_validation(2, col, last, col, &validation)
                .map_err(err)?;
            sheet.set_column_format(col, &date_format).map_err(err)?;
        } else if !column.choices.is_empty() {
            let choices: Vec<&str> = column.choices.iter().map(String::as_str).collect();
            let validation = DataValidation::new()
                .allow_list_strings(&choices)
                .map_err(err)?
                .set_error_title(&column.label)
                .map_err(err)?
                .set_error_message("Choose a value from the list.")
                .map_err(err)?;
            sheet
                .add_data_validation(2, col, last, col, &validation)
                .map_err(err)?;
        }
    }
    sheet.set_freeze_panes(2, 0).map_err(err)?;
    workbook.save(path).map_err(err)?;
    Ok(())
}
