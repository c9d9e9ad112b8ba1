//! What can go wrong reading or writing a sheet (problems inside a sheet are values, see
//! [`crate::Problem`]).

use std::path::PathBuf;

/// A sheet could not be read or written at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SheetsError {
    /// The file could not be read from disk.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The bytes are not a spreadsheet calamine can open (xlsx, xlsm, xls, ods).
    #[error("{source_name} is not a spreadsheet (save it as .xlsx or .xls): {source}")]
    NotASpreadsheet {
        /// File name.
        source_name: String,
        /// calamine's error.
        source: calamine::Error,
    },
    /// A worksheet could not be decoded.
    #[error("cannot read sheet {sheet} of {source_name}: {source}")]
    SheetUnreadable {
        /// File name.
        source_name: String,
        /// Worksheet name.
        sheet: String,
        /// calamine's error.
        source: calamine::Error,
    },
    /// No worksheet looks like a list of learners.
    #[error("{source_name} has no list of learners: use Sealdesk's sheet (batch sheet), the EDC 3 recipients .xls or the EDC 1.x template")]
    NoRecipientSheet {
        /// File name.
        source_name: String,
    },
    /// The own sheet could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// rust_xlsxwriter's error.
        source: rust_xlsxwriter::XlsxError,
    },
}
