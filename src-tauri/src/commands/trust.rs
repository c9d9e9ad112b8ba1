//! "How to get a seal": the trusted lists cached in the catalogue (what is there, how old),
//! loading a folder of list files into that cache, and the providers of qualified seal
//! certificates of one country. Parsing, signature checks and the provider rules live in
//! `sealdesk_flows` / `sealdesk-trust`; this module only carries them to the window.

use std::path::PathBuf;

use sealdesk_catalogue::Catalogue;
use sealdesk_flows::{TrustProvidersView, TrustedListView};
use serde::Serialize;
use tauri::State;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::error::IpcError;
use crate::state::{on_catalogue, AppState};

/// One list in the cache.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CachedListView {
    /// Scheme territory (`EU` for the LOTL).
    pub territory: String,
    /// It is the list of trusted lists.
    pub is_lotl: bool,
    /// TSL sequence number.
    pub sequence: u32,
    /// When it was loaded, RFC 3339.
    pub loaded_at: String,
    /// `lotl`, `announced` or `notAnnounced`, as decided when it was loaded.
    pub standing: String,
}

/// What the trusted-list cache holds and how old it is.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TrustCacheView {
    /// The cached lists, the LOTL first.
    pub lists: Vec<CachedListView>,
    /// When the oldest list was loaded, RFC 3339 (`None`: nothing cached).
    pub oldest_load: Option<String>,
    /// Whole days since the oldest load.
    pub age_days: Option<u32>,
    /// One sentence: how many lists, how old, or that none is cached.
    pub summary: String,
}

/// Reads the cache's rows into a [`TrustCacheView`] at `now`.
pub fn cache_view(catalogue: &Catalogue, now: OffsetDateTime) -> Result<TrustCacheView, IpcError> {
    let rows = catalogue
        .trusted_lists()
        .all()
        .map_err(|e| IpcError::from(sealdesk_flows::FlowError::from(e)))?;
    let oldest = rows
        .iter()
        .filter_map(|r| OffsetDateTime::parse(&r.loaded_at, &Rfc3339).ok())
        .min();
    let age_days = oldest.map(|t| u32::try_from((now - t).whole_days().max(0)).unwrap_or(u32::MAX));
    let summary = match (rows.len(), age_days) {
        (0, _) | (_, None) => "no trusted lists cached: load a folder of trusted-list files (the EU LOTL and national lists)".to_owned(),
        (n, Some(0)) => format!("{n} trusted list(s) cached, loaded today"),
        (n, Some(d)) => format!("{n} trusted list(s) cached, the oldest loaded {d} day(s) ago"),
    };
    Ok(TrustCacheView {
        lists: rows
            .into_iter()
            .map(|r| CachedListView {
                territory: r.territory,
                is_lotl: r.is_lotl,
                sequence: u32::try_from(r.sequence).unwrap_or(u32::MAX),
                loaded_at: r.loaded_at,
                standing: r.signature,
            })
            .collect(),
        oldest_load: oldest.and_then(|t| t.format(&Rfc3339).ok()),
        age_days,
        summary,
    })
}

/// The trusted lists in the cache and their age.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn trust_cache(state: State<'_, AppState>) -> Result<TrustCacheView, IpcError> {
    let now = OffsetDateTime::now_utc();
    on_catalogue(&state, move |cat| cache_view(cat, now)).await
}

/// Loads every `*.xml` trusted list of the folder `dir` into the cache; lists whose
/// signature does not verify are reported and not cached.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn load_trusted_lists(
    state: State<'_, AppState>,
    dir: String,
) -> Result<Vec<TrustedListView>, IpcError> {
    let dir = PathBuf::from(dir.trim());
    let now = OffsetDateTime::now_utc();
    on_catalogue(&state, move |cat| {
        sealdesk_flows::load_trusted_lists(cat, &dir, now).map_err(IpcError::from)
    })
    .await
}

/// Providers of qualified certificates for e-seals in `country` (ISO 3166, `EL` for Greece),
/// from the cache, with names and the term in `lang`.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, fields(country = %country, lang = %lang))]
pub async fn trust_providers(
    state: State<'_, AppState>,
    country: String,
    lang: String,
) -> Result<TrustProvidersView, IpcError> {
    let now = OffsetDateTime::now_utc();
    on_catalogue(&state, move |cat| {
        sealdesk_flows::trust_providers(cat, &country, &lang, now).map_err(IpcError::from)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn reference_lists() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference/trusted-lists")
    }

    #[test]
    fn an_empty_cache_says_so_and_a_loaded_one_tells_its_age() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cat = Catalogue::open(&dir.path().join("c.sqlite3")).expect("catalogue opens");
        let now = OffsetDateTime::now_utc();
        let empty = cache_view(&cat, now).expect("an empty cache reads");
        assert!(
            empty.lists.is_empty(),
            "nothing cached yet: {:?}",
            empty.lists
        );
        assert!(
            empty.summary.starts_with("no trusted lists cached"),
            "the summary says nothing is cached: {}",
            empty.summary
        );
        assert_eq!(empty.age_days, None, "no age without lists");

        let loaded = sealdesk_flows::load_trusted_lists(&cat, &reference_lists(), now)
            .expect("the reference lists load");
        assert_eq!(loaded.len(), 2, "the LOTL and the FI list are read");
        let later = now + time::Duration::days(3);
        let view = cache_view(&cat, later).expect("the cache reads");
        let territories: Vec<&str> = view.lists.iter().map(|l| l.territory.as_str()).collect();
        assert_eq!(territories, ["EU", "FI"], "the LOTL first, then FI");
        assert_eq!(view.age_days, Some(3), "loaded three days before `later`");
        assert!(
            view.summary.contains("2 trusted list(s)") && view.summary.contains("3 day(s) ago"),
            "the summary gives count and age: {}",
            view.summary
        );
    }
}
