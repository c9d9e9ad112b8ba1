//! Europass vocabularies and ESCO skills, offline.
//!
//! Owns the shipped snapshots (`vocabularies/`, compiled in), loading them into the catalogue
//! once per shipped version, importing newer data (a SKOS RDF/XML distribution of a
//! vocabulary; the official ESCO `skills_<lang>.csv`), looking concepts up by vocabulary key,
//! writing a concept as the ELM `Concept` object the official samples use, and searching and
//! suggesting ESCO skills through the catalogue's FTS5 index. It does not own the tables (that
//! is `sealdesk-catalogue`) nor where a concept goes in a credential (that is `sealdesk-elm`).

#![warn(missing_docs)]

mod error;
pub mod esco;
mod scheme;
pub mod search;
pub mod shipped;
pub mod skos;

use sealdesk_catalogue::Catalogue;

pub use error::VocabError;
pub use scheme::{concept_json, scheme, scheme_by_uri, SchemeInfo, ESCO_SKILLS, SCHEMES};
pub use sealdesk_catalogue::{Concept, SkillEntry, SkillHit};
pub use search::{search, suggest};

/// The settings key holding the shipped-data version loaded into a catalogue.
pub const LOADED_VERSION_KEY: &str = "vocab.shipped_version";
/// Prefix of the settings keys marking a scheme imported from SKOS (never overwritten by the
/// shipped snapshot).
const IMPORTED_KEY_PREFIX: &str = "vocab.skos_imported:";

/// What [`ensure_loaded`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadReport {
    /// Whether data was loaded now (false: this version was already there).
    pub loaded: bool,
    /// The shipped-data version now in the catalogue.
    pub version: String,
    /// Concepts written (0 if nothing was loaded).
    pub concepts: usize,
    /// Skills written (0 if nothing was loaded).
    pub skills: usize,
}

/// Loads the shipped vocabularies and ESCO skills into the catalogue unless this shipped
/// version is there already (first start, or after an update that changed the data). Schemes
/// a person imported from SKOS are kept. Takes a few seconds the first time.
pub fn ensure_loaded(catalogue: &Catalogue) -> Result<LoadReport, VocabError> {
    let version = shipped::shipped_version();
    let settings = catalogue.settings();
    if settings.get(LOADED_VERSION_KEY)?.as_deref() == Some(version.as_str()) {
        return Ok(LoadReport {
            loaded: false,
            version,
            concepts: 0,
            skills: 0,
        });
    }
    let _span = tracing::info_span!("vocab_load", %version).entered();
    let imported: Vec<String> = settings
        .all()?
        .into_iter()
        .filter_map(|(k, _)| k.strip_prefix(IMPORTED_KEY_PREFIX).map(str::to_owned))
        .collect();
    let concepts: Vec<Concept> = shipped::concepts()?
        .into_iter()
        .filter(|c| !imported.contains(&c.scheme))
        .collect();
    let concepts = catalogue.vocabulary().replace_schemes(&concepts)?;
    let skills = catalogue.skills().upsert(&shipped::esco_skills()?)?;
    settings.set(LOADED_VERSION_KEY, &version)?;
    tracing::info!(concepts, skills, "shipped vocabularies loaded");
    Ok(LoadReport {
        loaded: true,
        version,
        concepts,
        skills,
    })
}

/// The current concepts of the vocabulary `key` (see [`SCHEMES`]).
pub fn concepts(catalogue: &Catalogue, key: &str) -> Result<Vec<Concept>, VocabError> {
    let info = scheme(key).ok_or_else(|| VocabError::UnknownScheme {
        key: key.to_owned(),
        known: SCHEMES.iter().map(|s| s.key).collect::<Vec<_>>().join(", "),
    })?;
    Ok(catalogue.vocabulary().concepts(info.uri, false)?)
}

/// One concept by URI, in any vocabulary.
pub fn concept(catalogue: &Catalogue, id: &str) -> Result<Option<Concept>, VocabError> {
    Ok(catalogue.vocabulary().concept(id)?)
}

/// Imports a SKOS RDF/XML distribution: every scheme in it replaces the stored one (in one
/// transaction) and is kept on later shipped-data reloads. Returns (scheme URI, concepts).
pub fn import_skos<R: std::io::Read>(
    catalogue: &Catalogue,
    reader: R,
) -> Result<Vec<(String, usize)>, VocabError> {
    let concepts = skos::read(reader)?;
    catalogue.vocabulary().replace_schemes(&concepts)?;
    let counts: Vec<(String, usize)> = skos::by_scheme(&concepts)
        .into_iter()
        .map(|(s, n)| (s.to_owned(), n))
        .collect();
    for (scheme, n) in &counts {
        catalogue
            .settings()
            .set(&format!("{IMPORTED_KEY_PREFIX}{scheme}"), &n.to_string())?;
    }
    Ok(counts)
}
