//! The snapshots shipped in `vocabularies/` (compiled into the binary, so they work offline and
//! need no install path): Europass / EU vocabularies and the ESCO v1.2 skills.
//!
//! See `vocabularies/*/SOURCE.md` for where each file comes from and under which licence.

use std::collections::BTreeMap;

use crate::esco;
use crate::scheme;
use crate::{Concept, SkillEntry, VocabError};

/// ELM controlled vocabularies, derived from the ELM 3.1 XSD enumerations (EUPL-1.2).
pub(crate) const ELM_CV_CONCEPTS: &str =
    include_str!("../../../../vocabularies/europass/elm-cv-concepts.csv");
/// The `References` sheet of the official EDC Excel template (codes, native language names,
/// supervision-verification and human-sex lists).
pub(crate) const EDC_EXCEL_REFERENCES: &str =
    include_str!("../../../../vocabularies/europass/edc1-excel-template-references.csv");
/// Concepts seen in the official ELM 3 samples (adds evidence-type `Mandate`).
pub(crate) const SAMPLE_CONCEPTS: &str =
    include_str!("../../../../vocabularies/europass/concepts-seen-in-official-samples.csv");
/// ESCO v1.2 skills: URI + one text (labels and definition run together).
pub(crate) const ESCO_SKILLS: &str = include_str!("../../../../vocabularies/esco/esco-skills.csv");

/// A fingerprint of the shipped data (FNV-1a 64 over every file): it changes whenever any
/// shipped file changes, so the catalogue reloads exactly then.
pub fn shipped_version() -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for data in [
        ELM_CV_CONCEPTS,
        EDC_EXCEL_REFERENCES,
        SAMPLE_CONCEPTS,
        ESCO_SKILLS,
    ] {
        for byte in data.as_bytes().iter().chain(&[0xff]) {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("fnv1a64:{hash:016x}")
}

fn records<'a>(
    data: &'a str,
    source_name: &'a str,
) -> impl Iterator<Item = Result<(u64, csv::StringRecord), VocabError>> + 'a {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(data.as_bytes())
        .into_records()
        .map(move |r| {
            let record = r.map_err(|source| VocabError::Csv {
                source_name: source_name.to_owned(),
                line: source.position().map_or(0, |p| p.line()),
                source,
            })?;
            let line = record.position().map_or(0, |p| p.line());
            Ok((line, record))
        })
}

/// Every shipped concept, merged from the three Europass files: the XSD enumerations give
/// scheme, id and English label; the Excel references add codes (notation), native language
/// names and two lists the XSDs lack; the official samples add `evidence-type` and correct
/// English labels where they differ.
pub fn concepts() -> Result<Vec<Concept>, VocabError> {
    let mut by_id: BTreeMap<String, Concept> = BTreeMap::new();
    for row in records(ELM_CV_CONCEPTS, "elm-cv-concepts.csv") {
        let (_, r) = row?;
        let (scheme_uri, id, label) = (&r[0], &r[1], &r[2]);
        if !scheme::is_eu_scheme(scheme_uri) || scheme_uri.contains("/model/") {
            continue;
        }
        let concept = by_id.entry(id.to_owned()).or_insert_with(|| Concept {
            scheme: scheme_uri.to_owned(),
            id: id.to_owned(),
            status: "current".into(),
            ..Concept::default()
        });
        concept
            .pref_labels
            .entry("en".into())
            .or_insert_with(|| label.trim().to_owned());
    }
    for row in records(EDC_EXCEL_REFERENCES, "edc1-excel-template-references.csv") {
        let (_, r) = row?;
        let (list, scheme_uri, name, code, id) = (&r[0], &r[1], r[2].trim(), r[3].trim(), &r[4]);
        if id.is_empty() || !scheme::is_eu_scheme(scheme_uri) {
            continue;
        }
        let eu_language_list = list.starts_with("EU Languages");
        let concept = by_id.entry(id.to_owned()).or_insert_with(|| Concept {
            scheme: scheme_uri.to_owned(),
            id: id.to_owned(),
            status: "current".into(),
            ..Concept::default()
        });
        if eu_language_list && !code.is_empty() {
            // The EU-languages list names each language in itself: that is its label in its
            // own language, and its two-letter code is the language-map key.
            concept.notation = Some(code.to_owned());
            concept.pref_labels.insert(code.to_owned(), name.to_owned());
        } else {
            if concept.notation.is_none() && !code.is_empty() {
                concept.notation = Some(code.to_owned());
            }
            concept
                .pref_labels
                .entry("en".into())
                .or_insert_with(|| name.to_owned());
        }
    }
    for row in records(SAMPLE_CONCEPTS, "concepts-seen-in-official-samples.csv") {
        let (_, r) = row?;
        let (id, scheme_uri, label) = (&r[0], &r[1], r[2].trim());
        if !id.starts_with("http://") || !scheme::is_eu_scheme(scheme_uri) {
            continue;
        }
        // The label the official samples use wins: the XSD snapshot has the odd typo
        // ("Dubiin city" for atu/IRL_CTH_DUB).
        by_id
            .entry(id.to_owned())
            .or_insert_with(|| Concept {
                scheme: scheme_uri.to_owned(),
                id: id.to_owned(),
                status: "current".into(),
                ..Concept::default()
            })
            .pref_labels
            .insert("en".to_owned(), label.to_owned());
    }
    // ISCED-F codes nest by prefix (06 ⊃ 068 ⊃ 0688): that is its hierarchy.
    let isced = "http://data.europa.eu/snb/isced-f/";
    let ids: Vec<String> = by_id
        .keys()
        .filter(|id| id.starts_with(isced))
        .cloned()
        .collect();
    for id in &ids {
        let code = &id[isced.len()..];
        let broader = (2..code.len())
            .rev()
            .map(|n| format!("{isced}{}", &code[..n]))
            .find(|candidate| by_id.contains_key(candidate));
        if let (Some(broader), Some(concept)) = (broader, by_id.get_mut(id)) {
            concept.broader.push(broader);
        }
        if let Some(concept) = by_id.get_mut(id) {
            if concept.notation.is_none() {
                concept.notation = Some(code.to_owned());
            }
        }
    }
    Ok(by_id.into_values().collect())
}

/// The shipped ESCO skills as catalogue entries (English, status `released`). The snapshot
/// runs labels and definition together, so the label shown is a guess (`label_exact` false)
/// except for the skills whose label the official samples give.
pub fn esco_skills() -> Result<Vec<SkillEntry>, VocabError> {
    let mut exact: BTreeMap<String, String> = BTreeMap::new();
    for row in records(SAMPLE_CONCEPTS, "concepts-seen-in-official-samples.csv") {
        let (_, r) = row?;
        if r[1] == *scheme::ESCO_SKILLS {
            exact.insert(r[0].to_owned(), r[2].trim().to_owned());
        }
    }
    let mut skills = Vec::with_capacity(14_000);
    for row in records(ESCO_SKILLS, "esco-skills.csv") {
        let (_, r) = row?;
        let (uri, text) = (r[0].to_owned(), &r[1]);
        let (labels, definition) = esco::split_snapshot_text(text);
        let (pref_label, label_exact) = match exact.get(&uri) {
            Some(label) => (label.clone(), true),
            None => (esco::guess_label(labels), false),
        };
        skills.push(SkillEntry {
            uri,
            lang: "en".into(),
            pref_label,
            label_exact,
            alt_labels: vec![labels.to_owned()],
            hidden_labels: Vec::new(),
            description: definition.to_owned(),
            skill_type: None,
            reuse_level: None,
            status: "released".into(),
        });
    }
    Ok(skills)
}
