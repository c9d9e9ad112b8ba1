//! The pickers of the template editor: Europass vocabularies and ESCO skills, offline.

use sealdesk_flows::{ChoiceView, VocabularyLoadView};
use tauri::State;

use crate::error::IpcError;
use crate::state::{on_catalogue, AppState};

/// How many ESCO skills the type-ahead offers.
const SKILL_RESULTS: u32 = 12;

/// Loads the shipped vocabularies and ESCO skills into the catalogue if needed (seconds, once).
#[tauri::command]
#[specta::specta]
pub async fn prepare_vocabularies(
    state: State<'_, AppState>,
) -> Result<VocabularyLoadView, IpcError> {
    on_catalogue(&state, |cat| Ok(sealdesk_flows::prepare_vocabularies(cat)?)).await
}

/// The concepts of vocabulary `scheme` (`eqf`, `isced-f`, `learning-setting` …), labelled in `lang`.
#[tauri::command]
#[specta::specta]
pub async fn vocabulary(
    state: State<'_, AppState>,
    scheme: String,
    lang: String,
) -> Result<Vec<ChoiceView>, IpcError> {
    on_catalogue(&state, move |cat| {
        Ok(sealdesk_flows::concept_choices(cat, &scheme, &lang)?)
    })
    .await
}

/// Released ESCO skills matching `text` (type-ahead).
#[tauri::command]
#[specta::specta]
pub async fn search_skills(
    state: State<'_, AppState>,
    text: String,
) -> Result<Vec<ChoiceView>, IpcError> {
    on_catalogue(&state, move |cat| {
        Ok(sealdesk_flows::skill_choices(cat, &text, SKILL_RESULTS)?)
    })
    .await
}

/// The 3 ESCO skills that best fit a learning outcome's text.
#[tauri::command]
#[specta::specta]
pub async fn suggest_skills(
    state: State<'_, AppState>,
    outcome_text: String,
) -> Result<Vec<ChoiceView>, IpcError> {
    on_catalogue(&state, move |cat| {
        Ok(sealdesk_flows::suggested_skill_choices(cat, &outcome_text)?)
    })
    .await
}
