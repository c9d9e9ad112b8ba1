//! The "Programmes" screens: the learning-opportunity catalogue, its editor and review queue,
//! and Model Credit Recognition Agreements (list by partner, editor, workflow, versions and
//! their diff), and their exchange: an agreement exported as the `sealdesk.mcra/1` file for
//! the partner, a partner's file imported (all or nothing), a learning opportunity exported
//! as ELM JSON-LD. Every rule (what a state needs, which move is legal, what a file must hold)
//! is decided by `sealdesk_flows`; the window shows its answers and refusals. Files are named
//! by a full path typed in the window, as the register's CSV export does.

use sealdesk_agreements::mcra::Course;
use sealdesk_agreements::{LearningOpportunity, LoState, Mcra, McraState};
use sealdesk_flows::{
    LoSummaryView, LoView, McraDiffView, McraSummaryView, McraView, TemplateView,
};
use tauri::State;
use time::OffsetDateTime;

use crate::error::IpcError;
use crate::state::{on_catalogue, AppState};

/// Every learning opportunity (latest version each), by title.
#[tauri::command]
#[specta::specta]
pub async fn lo_list(state: State<'_, AppState>) -> Result<Vec<LoSummaryView>, IpcError> {
    on_catalogue(&state, |cat| {
        Ok(sealdesk_flows::list_learning_opportunities(cat)?)
    })
    .await
}

/// Learning opportunity `id` (latest version unless `version`), with its review history.
#[tauri::command]
#[specta::specta]
pub async fn lo_open(
    state: State<'_, AppState>,
    id: String,
    version: Option<u32>,
) -> Result<LoView, IpcError> {
    on_catalogue(&state, move |cat| {
        Ok(sealdesk_flows::learning_opportunity(cat, &id, version)?)
    })
    .await
}

/// Creates a learning opportunity as a draft (an empty `id` gets a new one).
#[tauri::command]
#[specta::specta]
pub async fn lo_create(
    state: State<'_, AppState>,
    document: LearningOpportunity,
) -> Result<LoView, IpcError> {
    let now = OffsetDateTime::now_utc();
    on_catalogue(&state, move |cat| {
        Ok(sealdesk_flows::create_learning_opportunity(
            cat, document, now,
        )?)
    })
    .await
}

/// Saves `document` as a new version (only in draft or changes requested).
#[tauri::command]
#[specta::specta]
pub async fn lo_save(
    state: State<'_, AppState>,
    document: LearningOpportunity,
) -> Result<LoView, IpcError> {
    let now = OffsetDateTime::now_utc();
    on_catalogue(&state, move |cat| {
        Ok(sealdesk_flows::save_learning_opportunity(
            cat, document, now,
        )?)
    })
    .await
}

/// Moves learning opportunity `id` in its review (submit, approve, request changes with a
/// comment, reopen) on behalf of `actor`.
#[tauri::command]
#[specta::specta]
pub async fn lo_review(
    state: State<'_, AppState>,
    id: String,
    to: LoState,
    actor: String,
    comment: Option<String>,
) -> Result<LoView, IpcError> {
    let now = OffsetDateTime::now_utc();
    on_catalogue(&state, move |cat| {
        Ok(sealdesk_flows::review_learning_opportunity(
            cat,
            &id,
            to,
            actor.trim(),
            comment.as_deref(),
            now,
        )?)
    })
    .await
}

/// Makes credential template `name` from approved learning opportunity `id` (linked to it).
#[tauri::command]
#[specta::specta]
pub async fn lo_make_template(
    state: State<'_, AppState>,
    id: String,
    name: String,
) -> Result<TemplateView, IpcError> {
    let now = OffsetDateTime::now_utc();
    on_catalogue(&state, move |cat| {
        Ok(sealdesk_flows::template_from_learning_opportunity(
            cat,
            &id,
            name.trim(),
            now,
        )?)
    })
    .await
}

/// Every agreement (latest version each), by partner then title.
#[tauri::command]
#[specta::specta]
pub async fn mcra_list(state: State<'_, AppState>) -> Result<Vec<McraSummaryView>, IpcError> {
    on_catalogue(&state, |cat| Ok(sealdesk_flows::list_mcras(cat)?)).await
}

/// Agreement `id` (latest version unless `version`) with its versions and what each next
/// state still needs.
#[tauri::command]
#[specta::specta]
pub async fn mcra_open(
    state: State<'_, AppState>,
    id: String,
    version: Option<u32>,
) -> Result<McraView, IpcError> {
    on_catalogue(&state, move |cat| {
        Ok(sealdesk_flows::mcra(cat, &id, version)?)
    })
    .await
}

/// Creates an agreement as a draft (an empty `id` gets a new one).
#[tauri::command]
#[specta::specta]
pub async fn mcra_create(state: State<'_, AppState>, document: Mcra) -> Result<McraView, IpcError> {
    let now = OffsetDateTime::now_utc();
    on_catalogue(&state, move |cat| {
        Ok(sealdesk_flows::create_mcra(cat, document, now)?)
    })
    .await
}

/// Saves `document` as a new version of a draft agreement.
#[tauri::command]
#[specta::specta]
pub async fn mcra_save(state: State<'_, AppState>, document: Mcra) -> Result<McraView, IpcError> {
    let now = OffsetDateTime::now_utc();
    on_catalogue(&state, move |cat| {
        Ok(sealdesk_flows::save_mcra(cat, document, now)?)
    })
    .await
}

/// Moves agreement `id` to `to`; an illegal or premature move is refused with Rust's reason.
#[tauri::command]
#[specta::specta]
pub async fn mcra_move(
    state: State<'_, AppState>,
    id: String,
    to: McraState,
) -> Result<McraView, IpcError> {
    let now = OffsetDateTime::now_utc();
    on_catalogue(&state, move |cat| {
        Ok(sealdesk_flows::move_mcra(cat, &id, to, now)?)
    })
    .await
}

/// The field changes of agreement `id` from version `from` to version `to`.
#[tauri::command]
#[specta::specta]
pub async fn mcra_diff(
    state: State<'_, AppState>,
    id: String,
    from: u32,
    to: u32,
) -> Result<McraDiffView, IpcError> {
    on_catalogue(&state, move |cat| {
        Ok(sealdesk_flows::diff_mcra(cat, &id, from, to)?)
    })
    .await
}

/// A course filled from learning opportunity `lo_id` (linked to it), for an agreement side.
#[tauri::command]
#[specta::specta]
pub async fn mcra_course_from_lo(
    state: State<'_, AppState>,
    lo_id: String,
) -> Result<Course, IpcError> {
    on_catalogue(&state, move |cat| {
        Ok(sealdesk_flows::course_from_learning_opportunity(
            cat, &lo_id,
        )?)
    })
    .await
}

/// Writes agreements `ids` (latest versions) as a `sealdesk.mcra/1` exchange file to `path`
/// (a full path) for the partner; answers the path written.
#[tauri::command]
#[specta::specta]
pub async fn mcra_export(
    state: State<'_, AppState>,
    ids: Vec<String>,
    path: String,
) -> Result<String, IpcError> {
    let now = OffsetDateTime::now_utc();
    on_catalogue(&state, move |cat| {
        let out = sealdesk_flows::chosen_path(&path)?;
        let bytes = sealdesk_flows::export_mcras(cat, &ids, now)?;
        Ok(sealdesk_flows::write_chosen_file(&out, &bytes)?)
    })
    .await
}

/// Imports the partner's exchange file at `path`: checked whole first (a malformed, foreign or
/// newer file is refused and nothing is written), then every agreement saved as a new version.
#[tauri::command]
#[specta::specta]
pub async fn mcra_import(
    state: State<'_, AppState>,
    path: String,
) -> Result<Vec<McraSummaryView>, IpcError> {
    let now = OffsetDateTime::now_utc();
    on_catalogue(&state, move |cat| {
        let file = sealdesk_flows::chosen_path(&path)?;
        Ok(sealdesk_flows::import_mcras_file(cat, &file, now)?)
    })
    .await
}

/// Writes learning opportunity `id` (latest version unless `version`) as ELM JSON-LD
/// (LearningOpportunity + LearningAchievementSpecification) to `path`; answers the path.
#[tauri::command]
#[specta::specta]
pub async fn lo_export_jsonld(
    state: State<'_, AppState>,
    id: String,
    version: Option<u32>,
    path: String,
) -> Result<String, IpcError> {
    on_catalogue(&state, move |cat| {
        let out = sealdesk_flows::chosen_path(&path)?;
        let text = sealdesk_flows::export_learning_opportunity_jsonld(cat, &id, version)?;
        Ok(sealdesk_flows::write_chosen_file(
            &out,
            format!("{text}\n").as_bytes(),
        )?)
    })
    .await
}
