//! Turning a person's words into an FTS5 query over the ESCO index, and ranking.
//!
//! Words are split on anything that is not a letter or digit, lower-cased, and common English
//! function words dropped; the index stems (Porter) and folds accents, so "developing" finds
//! "develop". A type-ahead search wants every word (the last one as a prefix); a suggestion for
//! a learning outcome wants the best overlap, so any word may match and bm25 ranks.

use sealdesk_catalogue::{Catalogue, SkillHit};

use crate::VocabError;

const STOPWORDS: &[&str] = &[
    "a",
    "about",
    "all",
    "an",
    "and",
    "are",
    "as",
    "at",
    "be",
    "by",
    "can",
    "for",
    "from",
    "has",
    "have",
    "how",
    "in",
    "into",
    "is",
    "it",
    "its",
    "of",
    "on",
    "or",
    "other",
    "such",
    "that",
    "the",
    "their",
    "them",
    "this",
    "to",
    "using",
    "was",
    "were",
    "which",
    "will",
    "with",
    "within",
    "able",
    "ability",
    "students",
    "student",
    "learner",
    "learners",
    "knowledge",
    "understanding",
    "understand",
    "demonstrate",
];
/// More words than this add nothing but time.
const MAX_TERMS: usize = 24;

/// The search words of `text`, in order, without duplicates or stop words.
pub fn terms(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        let word = word.to_lowercase();
        if word.chars().count() < 2 || STOPWORDS.contains(&word.as_str()) || out.contains(&word) {
            continue;
        }
        out.push(word);
        if out.len() == MAX_TERMS {
            break;
        }
    }
    out
}

fn quoted(term: &str) -> String {
    format!("\"{term}\"")
}

/// Type-ahead search: skills matching every word (the last as a prefix), best first; when no
/// skill has them all, skills matching any of them. No words: no results.
pub fn search(catalogue: &Catalogue, text: &str, limit: u32) -> Result<Vec<SkillHit>, VocabError> {
    let terms = terms(text);
    let Some((last, rest)) = terms.split_last() else {
        return Ok(Vec::new());
    };
    let mut all: Vec<String> = rest.iter().map(|t| quoted(t)).collect();
    let typing = !text.ends_with(char::is_whitespace);
    all.push(if typing {
        format!("{}*", quoted(last))
    } else {
        quoted(last)
    });
    let skills = catalogue.skills();
    let hits = skills.search(&all.join(" AND "), limit)?;
    if !hits.is_empty() || terms.len() == 1 {
        return Ok(hits);
    }
    Ok(skills.search(&all.join(" OR "), limit)?)
}

/// The `count` skills that best fit a learning outcome's text (any word may match; bm25 over
/// label, alternative labels and description ranks).
pub fn suggest(catalogue: &Catalogue, text: &str, count: u32) -> Result<Vec<SkillHit>, VocabError> {
    let terms = terms(text);
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let query: Vec<String> = terms.iter().map(|t| quoted(t)).collect();
    Ok(catalogue.skills().search(&query.join(" OR "), count)?)
}
