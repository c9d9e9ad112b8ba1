//! Recognising a sheet's layout and reading its rows.
//!
//! Each format comes down to a [`Layout`]: which worksheet, from which row the data starts and
//! which column holds which of our keys; everything after that is shared ([`crate::check`]).

use std::io::Cursor;
use std::path::Path;

use calamine::{open_workbook_auto_from_rs, Data, Range, Reader};

use crate::check::{check_rows, Cell, RawRow};
use crate::{Import, Problem, SheetFormat, SheetsError};

/// Column keys of Sealdesk's own sheet that the importer understands.
pub(crate) const KEYS: &[&str] = &[
    "fullName",
    "givenName",
    "familyName",
    "email",
    "dateOfBirth",
    "grade",
    "language",
];

pub(crate) struct Layout {
    pub format: SheetFormat,
    pub sheet: String,
    /// 0-based (absolute) row of the first data row.
    pub data_row: u32,
    /// (0-based absolute column, key).
    pub columns: Vec<(u32, &'static str)>,
    pub not_used: Vec<String>,
    /// Whether a full name may be composed from given and family names (EDC 3 has no fullName).
    pub compose_full_name: bool,
}

/// Reads the sheet at `path` (see [`import_bytes`]).
pub fn import(path: &Path) -> Result<Import, SheetsError> {
    let bytes = std::fs::read(path).map_err(|source| SheetsError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    import_bytes(&bytes, &name)
}

/// Reads a recipients spreadsheet (xlsx, xlsm, xls or ods bytes); `source_name` names it in
/// errors. Problems in the data are values in [`Import::problems`]; only a file that cannot be
/// read, or holds no list of learners, is an error.
pub fn import_bytes(bytes: &[u8], source_name: &str) -> Result<Import, SheetsError> {
    let _span = tracing::info_span!("sheets.import", bytes = bytes.len()).entered();
    let mut workbook =
        open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).map_err(|source| {
            SheetsError::NotASpreadsheet {
                source_name: source_name.to_owned(),
                source,
            }
        })?;
    let mut ranges = Vec::new();
    for sheet in workbook.sheet_names() {
        let range =
            workbook
                .worksheet_range(&sheet)
                .map_err(|source| SheetsError::SheetUnreadable {
                    source_name: source_name.to_owned(),
                    sheet: sheet.clone(),
                    source,
                })?;
        ranges.push((sheet, range));
    }
    let found = ranges
        .iter()
        .find_map(|(name, range)| own_layout(name, range).map(|l| (l, range)))
        .or_else(|| {
            ranges
                .iter()
                .find_map(|(name, range)| edc3_layout(name, range).map(|l| (l, range)))
        })
        .or_else(|| {
            ranges
                .iter()
                .find_map(|(name, range)| edc1_layout(name, range).map(|l| (l, range)))
        });
    let Some((layout, range)) = found else {
        return Err(SheetsError::NoRecipientSheet {
            source_name: source_name.to_owned(),
        });
    };
    let raw = raw_rows(&layout, range);
    let mut problems = Vec::new();
    missing_columns(&layout, &mut problems);
    let rows = check_rows(&layout, raw, &mut problems);
    tracing::info!(format = ?layout.format, rows = rows.len(), problems = problems.len(), "sheet read");
    Ok(Import {
        format: layout.format,
        sheet: layout.sheet,
        rows,
        problems,
        not_used: layout.not_used,
    })
}

fn text(cell: &Data) -> String {
    match cell {
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_owned(),
        Data::Empty | Data::Error(_) => String::new(),
        other => other.to_string().trim().to_owned(),
    }
}

fn abs(range: &Range<Data>) -> (u32, u32) {
    range.start().unwrap_or((0, 0))
}

/// The cell at absolute (row, col), if inside the range.
fn at(range: &Range<Data>, row: u32, col: u32) -> Option<&Data> {
    range.get_value((row, col))
}

fn row_texts(range: &Range<Data>, row: u32) -> Vec<(u32, String)> {
    let (_, c0) = abs(range);
    let width = range.width() as u32;
    (c0..c0 + width)
        .map(|c| (c, at(range, row, c).map(text).unwrap_or_default()))
        .collect()
}

fn own_layout(sheet: &str, range: &Range<Data>) -> Option<Layout> {
    let (r0, _) = abs(range);
    if r0 != 0 {
        return None;
    }
    let header = row_texts(range, 0);
    let mut columns = Vec::new();
    let mut not_used = Vec::new();
    for (col, key) in &header {
        if key.is_empty() {
            continue;
        }
        let canonical = match key.as_str() {
            "givenNames" => "givenName",
            other => other,
        };
        match KEYS.iter().find(|k| **k == canonical) {
            Some(k) if !columns.iter().any(|(_, seen)| seen == k) => columns.push((*col, *k)),
            _ => not_used.push(key.clone()),
        }
    }
    let keys: Vec<&str> = columns.iter().map(|(_, k)| *k).collect();
    if !(keys.contains(&"email") && (keys.contains(&"fullName") || keys.contains(&"familyName"))) {
        return None;
    }
    Some(Layout {
        format: SheetFormat::Sealdesk,
        sheet: sheet.to_owned(),
        data_row: 2,
        columns,
        not_used,
        compose_full_name: true,
    })
}

/// The EDC 3 path without its `{#template-uuid}` prefix.
fn edc3_path(header: &str) -> &str {
    match header.strip_prefix("{#") {
        Some(rest) => rest.find('}').map(|i| &rest[i + 1..]).unwrap_or(header),
        None => header,
    }
}

fn edc3_layout(sheet: &str, range: &Range<Data>) -> Option<Layout> {
    let header = row_texts(range, abs(range).0);
    if !header.iter().any(|(_, h)| h.contains(".REC.")) {
        return None;
    }
    let mut columns: Vec<(u32, &'static str)> = Vec::new();
    let mut not_used: Vec<String> = Vec::new();
    for (col, h) in &header {
        if h.is_empty() {
            continue;
        }
        let path = edc3_path(h);
        let key = match path {
            ".REC.givenNames" => Some("givenName"),
            ".REC.familyName" => Some("familyName"),
            ".REC.fullName" => Some("fullName"),
            ".REC.dateOfBirth" => Some("dateOfBirth"),
            ".REC.contactPoint[0].email[0].id" => Some("email"),
            p if p.starts_with(".ASM") && p.ends_with(".grade.content") => Some("grade"),
            _ => None,
        };
        match key {
            Some(k) if !columns.iter().any(|(_, seen)| *seen == k) => columns.push((*col, k)),
            _ => {
                let shown = path.trim_start_matches('.').to_owned();
                if !not_used.contains(&shown) {
                    not_used.push(shown);
                }
            }
        }
    }
    Some(Layout {
        format: SheetFormat::Edc3Recipients,
        sheet: sheet.to_owned(),
        data_row: abs(range).0 + 4,
        columns,
        not_used,
        compose_full_name: true,
    })
}

fn edc1_layout(sheet: &str, range: &Range<Data>) -> Option<Layout> {
    if sheet != "Persons" && sheet != "Recipients" {
        return None;
    }
    let (r0, _) = abs(range);
    let height = range.height() as u32;
    let ids_row = (r0..r0 + height).find(|r| {
        row_texts(range, *r)
            .iter()
            .any(|(_, t)| t.starts_with("Person.fullName."))
    })?;
    let mut columns: Vec<(u32, &'static str)> = Vec::new();
    let mut not_used = Vec::new();
    for (col, id) in row_texts(range, ids_row) {
        if id.is_empty() || id.starts_with("Column") {
            continue;
        }
        let key = if id.starts_with("Person.fullName.") {
            Some("fullName")
        } else if id.starts_with("Person.givenNames.") {
            Some("givenName")
        } else if id.starts_with("Person.familyName.") {
            Some("familyName")
        } else if id.starts_with("Person.dateOfBirth.") {
            Some("dateOfBirth")
        } else if id.starts_with("Person.contactPoint#1.email.") {
            Some("email")
        } else {
            None
        };
        match key {
            Some(k) if !columns.iter().any(|(_, seen)| *seen == k) => columns.push((col, k)),
            _ => {
                let shown = id.trim_end_matches('.').to_owned();
                if !not_used.contains(&shown) {
                    not_used.push(shown);
                }
            }
        }
    }
    Some(Layout {
        format: SheetFormat::Edc1Template,
        sheet: sheet.to_owned(),
        data_row: ids_row + 1,
        columns,
        not_used,
        compose_full_name: false,
    })
}

fn raw_rows(layout: &Layout, range: &Range<Data>) -> Vec<RawRow> {
    let (r0, _) = abs(range);
    let end = r0 + range.height() as u32;
    let mut rows = Vec::new();
    for row in layout.data_row.max(r0)..end {
        let cells: Vec<Cell> = layout
            .columns
            .iter()
            .map(|(col, key)| Cell {
                key,
                col: *col,
                value: at(range, row, *col).cloned().unwrap_or(Data::Empty),
            })
            .collect();
        if cells.iter().all(|c| text(&c.value).is_empty()) {
            continue;
        }
        rows.push(RawRow { row, cells });
    }
    rows
}

fn missing_columns(layout: &Layout, problems: &mut Vec<Problem>) {
    let has = |k: &str| layout.columns.iter().any(|(_, key)| *key == k);
    let mut need = |ok: bool, what: &str| {
        if !ok {
            problems.push(Problem {
                place: layout.sheet.clone(),
                row: None,
                field: None,
                message: format!("{} has no {what} column: add it", layout.sheet),
            });
        }
    };
    need(has("email"), "e-mail");
    need(
        has("fullName") || (layout.compose_full_name && has("familyName")),
        "full name",
    );
}

pub(crate) fn cell_text(cell: &Data) -> String {
    text(cell)
}
