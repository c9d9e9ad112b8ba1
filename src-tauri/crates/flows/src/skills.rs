//! ESCO skills and controlled vocabularies for the template editor: type-ahead search,
//! suggestions for a learning outcome, vocabulary pickers, and the imports of newer data.
//! All local: nothing here touches the network.

use sealdesk_catalogue::{Catalogue, SkillHit};

use crate::views::{
    ConceptView, EscoImportView, SkillView, VocabularyImportView, VocabularyLoadView,
};
use crate::FlowError;

/// Loads the shipped vocabularies and ESCO skills into the catalogue if this version of
/// Sealdesk has not yet (a few seconds, once); call at start-up.
pub fn prepare_vocabularies(catalogue: &Catalogue) -> Result<VocabularyLoadView, FlowError> {
    let report = sealdesk_vocab::ensure_loaded(catalogue)?;
    Ok(VocabularyLoadView {
        loaded_now: report.loaded,
        version: report.version,
        concepts: report.concepts as u32,
        skills: report.skills as u32,
    })
}

/// Type-ahead search over released ESCO skills (every word, the last as a prefix).
pub fn search_skills(
    catalogue: &Catalogue,
    text: &str,
    limit: u32,
) -> Result<Vec<SkillView>, FlowError> {
    sealdesk_vocab::ensure_loaded(catalogue)?;
    Ok(
        sealdesk_vocab::search(catalogue, text, limit.clamp(1, 100))?
            .into_iter()
            .map(skill_view)
            .collect(),
    )
}

/// The 3 ESCO skills that best fit a learning outcome's text.
pub fn suggest_skills(
    catalogue: &Catalogue,
    outcome_text: &str,
) -> Result<Vec<SkillView>, FlowError> {
    sealdesk_vocab::ensure_loaded(catalogue)?;
    Ok(sealdesk_vocab::suggest(catalogue, outcome_text, 3)?
        .into_iter()
        .map(skill_view)
        .collect())
}

/// The concepts of vocabulary `scheme_key` (`eqf`, `isced-f`, `language` …), labelled in
/// `lang` where a label in that language exists (else English).
pub fn vocabulary(
    catalogue: &Catalogue,
    scheme_key: &str,
    lang: &str,
) -> Result<Vec<ConceptView>, FlowError> {
    sealdesk_vocab::ensure_loaded(catalogue)?;
    Ok(sealdesk_vocab::concepts(catalogue, scheme_key)?
        .into_iter()
        .map(|c| ConceptView {
            label: c.label(lang).unwrap_or(&c.id).to_owned(),
            concept_json: sealdesk_vocab::concept_json(&c, &[lang]).to_string(),
            id: c.id,
            notation: c.notation,
        })
        .collect())
}

/// Imports a SKOS RDF/XML distribution of a vocabulary (replaces those schemes).
pub fn import_vocabulary(
    catalogue: &Catalogue,
    bytes: &[u8],
) -> Result<Vec<VocabularyImportView>, FlowError> {
    Ok(sealdesk_vocab::import_skos(catalogue, bytes)?
        .into_iter()
        .map(|(scheme, n)| VocabularyImportView {
            key: sealdesk_vocab::scheme_by_uri(&scheme).map(|s| s.key.to_owned()),
            scheme,
            concepts: n as u32,
        })
        .collect())
}

/// Imports an official ESCO `skills_<lang>.csv`; `lang` defaults to the one in the file name.
pub fn import_esco_csv(
    catalogue: &Catalogue,
    bytes: &[u8],
    source_name: &str,
    lang: Option<&str>,
) -> Result<EscoImportView, FlowError> {
    sealdesk_vocab::ensure_loaded(catalogue)?;
    let lang = lang
        .map(str::to_owned)
        .or_else(|| sealdesk_vocab::esco::language_of_file_name(source_name))
        .unwrap_or_else(|| "en".to_owned());
    let report = sealdesk_vocab::esco::import_official_csv(catalogue, bytes, &lang, source_name)?;
    Ok(EscoImportView {
        lang,
        read: report.read,
        released: report.released,
        not_released: report.not_released,
    })
}

fn skill_view(hit: SkillHit) -> SkillView {
    SkillView {
        uri: hit.uri,
        label: hit.label,
        label_exact: hit.label_exact,
        lang: hit.lang,
        description: hit.description,
        reuse_level: hit.reuse_level,
    }
}
