//! ESCO skills: reading the shipped snapshot's run-together text, and importing the official
//! ESCO CSV package (`skills_<lang>.csv`) with exact labels, languages and status.

use std::io::Read;

use sealdesk_catalogue::Catalogue;

use crate::{SkillEntry, VocabError};

/// The columns of the official `skills_<lang>.csv` this importer reads.
const URI: &str = "conceptUri";
const PREFERRED: &str = "preferredLabel";
const ALT: &str = "altLabels";
const HIDDEN: &str = "hiddenLabels";
const STATUS: &str = "status";
const SKILL_TYPE: &str = "skillType";
const REUSE: &str = "reuseLevel";
const DEFINITION: &str = "definition";
const DESCRIPTION: &str = "description";

/// What an ESCO CSV import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportReport {
    /// Skills read from the file.
    pub read: u32,
    /// Of those, released (offered in search).
    pub released: u32,
    /// Of those, not released (stored with their status, never offered).
    pub not_released: u32,
}

/// Splits a snapshot text ("labels… Definition.") at the definition: the first word that starts
/// with a capital letter right after a lower-case word (ESCO labels are lower case).
pub fn split_snapshot_text(text: &str) -> (&str, &str) {
    let mut previous_lower = false;
    let mut in_word = false;
    for (index, c) in text.char_indices() {
        if c.is_whitespace() {
            in_word = false;
            continue;
        }
        if in_word {
            continue;
        }
        in_word = true;
        let mut chars = text[index..].chars();
        let (first, second) = (chars.next(), chars.next());
        let capitalised =
            first.is_some_and(char::is_uppercase) && second.is_some_and(char::is_lowercase);
        if index > 0 && capitalised && previous_lower {
            return (text[..index].trim_end(), &text[index..]);
        }
        previous_lower = first.is_some_and(|c| c.is_lowercase() || c.is_ascii_digit());
    }
    (text.trim_end(), "")
}

/// A best guess of the preferred label from the run-together labels: the words before the
/// first word repeats (alternative labels mostly start like the preferred one), else the first
/// few words.
pub fn guess_label(labels: &str) -> String {
    let words: Vec<&str> = labels.split_whitespace().collect();
    if words.len() <= 5 {
        return words.join(" ");
    }
    if let Some(k) = (2..=6.min(words.len() - 1)).find(|&k| words[k] == words[0]) {
        return words[..k].join(" ");
    }
    format!("{} …", words[..4].join(" "))
}

/// Reads an official ESCO `skills_<lang>.csv` (RFC 4180, multi-line quoted fields) into
/// catalogue entries for `lang`. Rows of other concept types are skipped; every skill keeps its
/// status, and only `released` ones will be offered.
pub fn read_official_csv<R: Read>(
    reader: R,
    lang: &str,
    source_name: &str,
) -> Result<Vec<SkillEntry>, VocabError> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(reader);
    let csv_error = |source: csv::Error| VocabError::Csv {
        source_name: source_name.to_owned(),
        line: source.position().map_or(0, |p| p.line()),
        source,
    };
    let headers = csv.headers().map_err(csv_error)?.clone();
    let column = |name: &'static str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
            .ok_or(VocabError::CsvColumnMissing {
                source_name: source_name.to_owned(),
                column: name,
            })
    };
    let (uri, preferred, alt, hidden, status) = (
        column(URI)?,
        column(PREFERRED)?,
        column(ALT)?,
        column(HIDDEN)?,
        column(STATUS)?,
    );
    let (skill_type, reuse, definition, description) = (
        column(SKILL_TYPE)?,
        column(REUSE)?,
        column(DEFINITION)?,
        column(DESCRIPTION)?,
    );
    let mut entries = Vec::new();
    for record in csv.records() {
        let record = record.map_err(csv_error)?;
        let line = record.position().map_or(0, |p| p.line());
        let get = |i: usize| record.get(i).unwrap_or("").trim();
        let missing = |column: &'static str| VocabError::CsvValueMissing {
            source_name: source_name.to_owned(),
            line,
            column,
        };
        if get(uri).is_empty() {
            return Err(missing(URI));
        }
        if get(preferred).is_empty() {
            return Err(missing(PREFERRED));
        }
        let text = if get(description).is_empty() {
            get(definition)
        } else {
            get(description)
        };
        let optional = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        entries.push(SkillEntry {
            uri: get(uri).to_owned(),
            lang: lang.to_owned(),
            pref_label: get(preferred).to_owned(),
            label_exact: true,
            alt_labels: lines(get(alt)),
            hidden_labels: lines(get(hidden)),
            description: text.to_owned(),
            skill_type: optional(get(skill_type)),
            reuse_level: optional(get(reuse)),
            status: if get(status).is_empty() {
                "released".into()
            } else {
                get(status).to_owned()
            },
        });
    }
    Ok(entries)
}

/// Imports an official ESCO skills CSV into the catalogue (one transaction: all or nothing).
pub fn import_official_csv<R: Read>(
    catalogue: &Catalogue,
    reader: R,
    lang: &str,
    source_name: &str,
) -> Result<ImportReport, VocabError> {
    let _span = tracing::info_span!("esco_import", source_name, lang).entered();
    let entries = read_official_csv(reader, lang, source_name)?;
    catalogue.skills().upsert(&entries)?;
    let released = entries.iter().filter(|e| e.status == "released").count() as u32;
    let report = ImportReport {
        read: entries.len() as u32,
        released,
        not_released: entries.len() as u32 - released,
    };
    tracing::info!(
        read = report.read,
        released = report.released,
        "ESCO skills imported"
    );
    Ok(report)
}

/// The language of an ESCO file named `skills_<lang>.csv`, if the name says.
pub fn language_of_file_name(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next()?;
    let lang = base.strip_prefix("skills_")?.strip_suffix(".csv")?;
    (lang.len() >= 2
        && lang.len() <= 5
        && lang.chars().all(|c| c.is_ascii_alphabetic() || c == '-'))
    .then(|| lang.to_ascii_lowercase())
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}
