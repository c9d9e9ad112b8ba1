//! The field rules shared by every format: mandatory fields, e-mails, dates, grades,
//! languages and learners repeated within the sheet.

use std::collections::{BTreeMap, HashMap};

use calamine::Data;
use time::{Date, Duration, Month};

use crate::read::{cell_text, Layout};
use crate::{cell_ref, Problem, RecipientRow};

pub(crate) struct Cell {
    pub key: &'static str,
    pub col: u32,
    pub value: Data,
}

pub(crate) struct RawRow {
    /// 0-based absolute row.
    pub row: u32,
    pub cells: Vec<Cell>,
}

/// ISO 639-1 codes of the EU/EEA languages the EDC templates offer.
const LANGUAGES: &[&str] = &[
    "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr", "hu", "is", "it", "lt",
    "lv", "mk", "mt", "nl", "no", "pl", "pt", "ro", "sk", "sl", "sr", "sv", "tr",
];

fn label(key: &str) -> &'static str {
    match key {
        "fullName" => "Full name",
        "givenName" => "Given name",
        "familyName" => "Family name",
        "email" => "E-mail",
        "dateOfBirth" => "Date of birth",
        "grade" => "Grade",
        "language" => "Language",
        _ => "Value",
    }
}

/// Whether `email` looks like an address: one `@`, something before, a dotted domain after,
/// no spaces.
pub(crate) fn is_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && !email.chars().any(char::is_whitespace)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
}

/// An Excel serial day number (1900 date system) as a date.
fn excel_serial(serial: f64) -> Option<Date> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let epoch = Date::from_calendar_date(1899, Month::December, 30).ok()?;
    epoch.checked_add(Duration::days(serial.floor() as i64))
}

/// `YYYY-MM-DD`, optionally followed by a time part (`T…`, `'T'…`, ` …`).
fn iso_date(text: &str) -> Option<Date> {
    let text = text.trim();
    let head = text.get(..10)?;
    let rest = &text[10..];
    if !(rest.is_empty() || rest.starts_with(['T', '\'', ' '])) {
        return None;
    }
    let mut parts = head.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
}

fn date_of(cell: &Data) -> Option<Date> {
    match cell {
        Data::DateTime(dt) => excel_serial(dt.as_f64()),
        Data::Float(f) => excel_serial(*f),
        Data::Int(i) => excel_serial(*i as f64),
        Data::String(s) | Data::DateTimeIso(s) => iso_date(s),
        _ => None,
    }
}

pub(crate) fn check_rows(
    layout: &Layout,
    raw: Vec<RawRow>,
    problems: &mut Vec<Problem>,
) -> Vec<RecipientRow> {
    let mut rows = Vec::with_capacity(raw.len());
    // Dedup keys → first sheet row (1-based).
    let mut by_email: HashMap<String, u32> = HashMap::new();
    let mut by_name_dob: HashMap<(String, Date), u32> = HashMap::new();
    for raw_row in raw {
        let sheet_row = raw_row.row + 1;
        let place = |col: u32| cell_ref(&layout.sheet, raw_row.row, col);
        let mut problem = |key: &str, col: u32, message: String| {
            problems.push(Problem {
                place: place(col),
                row: Some(sheet_row),
                field: Some(key.to_owned()),
                message,
            });
        };
        let mut values: BTreeMap<&str, String> = BTreeMap::new();
        let mut cells: BTreeMap<String, String> = BTreeMap::new();
        let mut cols: BTreeMap<&str, u32> = BTreeMap::new();
        let mut date_of_birth = None;
        for cell in &raw_row.cells {
            cells.insert(cell.key.to_owned(), place(cell.col));
            cols.insert(cell.key, cell.col);
            let text = cell_text(&cell.value);
            if cell.key == "dateOfBirth" && !text.is_empty() {
                match date_of(&cell.value) {
                    Some(d) if d.year() >= 1900 => date_of_birth = Some(d),
                    Some(_) => problem(
                        cell.key,
                        cell.col,
                        format!(
                            "Date of birth in {} is before 1900: check the year",
                            place(cell.col)
                        ),
                    ),
                    None => problem(
                        cell.key,
                        cell.col,
                        format!(
                            "Date of birth in {} is not a date: write it as YYYY-MM-DD",
                            place(cell.col)
                        ),
                    ),
                }
            }
            values.insert(cell.key, text);
        }
        let get = |k: &str| values.get(k).cloned().unwrap_or_default();
        let first_col = raw_row.cells.first().map(|c| c.col).unwrap_or(0);
        let col_of = |k: &str| cols.get(k).copied().unwrap_or(first_col);

        let mut full_name = get("fullName");
        if full_name.is_empty() && layout.compose_full_name {
            full_name = [get("givenName"), get("familyName")]
                .iter()
                .filter(|s| !s.is_empty())
                .cloned()
                .collect::<Vec<_>>()
                .join(" ");
        }
        if full_name.is_empty() {
            let key = if cols.contains_key("fullName") {
                "fullName"
            } else {
                "familyName"
            };
            let col = col_of(key);
            problem(
                key,
                col,
                format!(
                    "{} in {} is empty: every learner needs a name",
                    label(key),
                    place(col)
                ),
            );
        }
        let email = get("email");
        if cols.contains_key("email") {
            let col = col_of("email");
            if email.is_empty() {
                problem(
                    "email",
                    col,
                    format!(
                        "E-mail in {} is empty: fill in the learner's address",
                        place(col)
                    ),
                );
            } else if !is_email(&email) {
                problem(
                    "email",
                    col,
                    format!(
                        "E-mail in {} is not an address: write it as name@example.org",
                        place(col)
                    ),
                );
            }
        }
        let mut extra = BTreeMap::new();
        for key in ["grade", "language"] {
            let value = get(key);
            if value.is_empty() {
                continue;
            }
            let col = col_of(key);
            if key == "grade" && value.chars().count() > 100 {
                problem(
                    key,
                    col,
                    format!(
                        "Grade in {} is longer than 100 characters: shorten it",
                        place(col)
                    ),
                );
            }
            if key == "language" && !LANGUAGES.contains(&value.to_lowercase().as_str()) {
                problem(
                    key,
                    col,
                    format!(
                        "Language in {} is not a language code: use two letters such as en, fr, de",
                        place(col)
                    ),
                );
            }
            extra.insert(key.to_owned(), value);
        }

        // Learners repeated within the sheet.
        if !email.is_empty() {
            let key = email.to_lowercase();
            match by_email.get(&key) {
                Some(first) => {
                    let col = col_of("email");
                    problem(
                        "email",
                        col,
                        format!(
                            "E-mail in {} repeats row {first}: the same learner twice; remove one of the rows",
                            place(col)
                        ),
                    );
                }
                None => {
                    by_email.insert(key, sheet_row);
                }
            }
        }
        if let (false, Some(dob)) = (full_name.is_empty(), date_of_birth) {
            let key = (full_name.to_lowercase(), dob);
            match by_name_dob.get(&key) {
                Some(first) if Some(first) != by_email.get(&email.to_lowercase()) => {
                    let col = col_of("fullName");
                    problem(
                        "fullName",
                        col,
                        format!(
                            "Learner in {} has the name and date of birth of row {first}: remove one of the rows",
                            place(col)
                        ),
                    );
                }
                Some(_) => {}
                None => {
                    by_name_dob.insert(key, sheet_row);
                }
            }
        }

        rows.push(RecipientRow {
            row: sheet_row,
            full_name,
            given_name: get("givenName"),
            family_name: get("familyName"),
            email,
            date_of_birth,
            extra,
            cells,
        });
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e_mail_shapes() {
        assert!(is_email("a.b@example.org"), "plain address");
        assert!(!is_email("a.b@example"), "no dotted domain");
        assert!(!is_email("@example.org"), "no local part");
        assert!(!is_email("a b@example.org"), "space");
        assert!(!is_email("a@b@example.org"), "two @");
    }

    #[test]
    fn dates_in_the_shapes_sheets_hold() {
        let d = |y, m, day| Date::from_calendar_date(y, Month::try_from(m).ok()?, day).ok();
        assert_eq!(iso_date("2010-10-10"), d(2010, 10, 10), "iso");
        assert_eq!(
            iso_date("2018-07-22'T'20:44:32"),
            d(2018, 7, 22),
            "EDC 3 sample"
        );
        assert_eq!(iso_date("2010-13-10"), None, "month 13");
        assert_eq!(iso_date("10/10/2010"), None, "not ISO");
        assert_eq!(excel_serial(36526.0), d(2000, 1, 1), "serial 36526");
    }
}
