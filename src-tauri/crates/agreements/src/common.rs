//! Small value types shared by learning opportunities and agreements.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Text per language key (`{"en": "...", "fr": "..."}`).
pub type Texts = BTreeMap<String, String>;

/// A controlled value (ESCO skill, ISCED-F field, mode …): URI, scheme and labels.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConceptRef {
    /// Concept URI.
    pub id: String,
    /// Concept scheme URI.
    pub scheme: String,
    /// Labels per language.
    #[serde(default)]
    pub labels: Texts,
    /// Notation, if any.
    #[serde(default)]
    pub notation: Option<String>,
}

/// One problem found by a check: where (JSON pointer into the document) and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// JSON pointer of the field (as the document is serialized, camelCase).
    pub path: String,
    /// What is wrong, in words a person can act on.
    pub message: String,
}

impl Finding {
    pub(crate) fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// The first non-empty text of `texts`, preferring `lang`.
pub fn text_in<'a>(texts: &'a Texts, lang: &str) -> Option<&'a str> {
    texts
        .get(lang)
        .filter(|t| !t.trim().is_empty())
        .or_else(|| texts.values().find(|t| !t.trim().is_empty()))
        .map(String::as_str)
}

pub(crate) fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

pub(crate) fn no_text(t: &Texts) -> bool {
    t.values().all(|v| blank(v))
}

/// Checks an ISO date (`YYYY-MM-DD`).
pub(crate) fn parse_date(s: &str) -> Option<time::Date> {
    time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok()
}
