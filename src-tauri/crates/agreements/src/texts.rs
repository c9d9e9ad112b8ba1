//! The fixed texts of a printed agreement (headings, clauses, labels) in EN FR DE ES IT LT.
//!
//! The texts live in `assets/mcra/<lang>.json` and are compiled in. They are plain, short,
//! and a DRAFT: a lawyer must review them before an institution signs anything with them.
//! Every language has the same keys (a test holds them to it).

use std::collections::BTreeMap;

use crate::AgreementsError;

/// The languages the fixed texts exist in.
pub const LANGUAGES: [&str; 6] = ["en", "fr", "de", "es", "it", "lt"];

const SOURCES: [(&str, &str); 6] = [
    ("en", include_str!("../../../../assets/mcra/en.json")),
    ("fr", include_str!("../../../../assets/mcra/fr.json")),
    ("de", include_str!("../../../../assets/mcra/de.json")),
    ("es", include_str!("../../../../assets/mcra/es.json")),
    ("it", include_str!("../../../../assets/mcra/it.json")),
    ("lt", include_str!("../../../../assets/mcra/lt.json")),
];

/// Key → text for one language.
pub type FixedTexts = BTreeMap<String, String>;

/// The fixed texts in `lang` (`en`, `fr`, `de`, `es`, `it`, `lt`).
pub fn fixed_texts(lang: &str) -> Result<FixedTexts, AgreementsError> {
    let (lang, source) = SOURCES
        .iter()
        .find(|(l, _)| l.eq_ignore_ascii_case(lang))
        .ok_or_else(|| AgreementsError::UnknownLanguage {
            lang: lang.to_owned(),
        })?;
    serde_json::from_str(source).map_err(|source| AgreementsError::Asset { lang, source })
}
