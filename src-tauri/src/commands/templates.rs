//! The "Templates" screens: the list, the editor over the template form, its live preview
//! (with the Annex I check) and saving a new version.

use sealdesk_flows::{
    StartingPoint, TemplateEditView, TemplateFormView, TemplatePreviewView, TemplateSummaryView,
};
use tauri::State;
use time::OffsetDateTime;

use crate::error::IpcError;
use crate::state::{on_catalogue, AppState};

/// The templates, latest version each (archived ones too when asked).
#[tauri::command]
#[specta::specta]
pub async fn list_templates(
    state: State<'_, AppState>,
    include_archived: bool,
) -> Result<Vec<TemplateSummaryView>, IpcError> {
    on_catalogue(&state, move |cat| {
        Ok(sealdesk_flows::list_templates(cat, include_archived)?)
    })
    .await
}

/// Template `id` (latest version) with its editable form.
#[tauri::command]
#[specta::specta]
pub async fn open_template(
    state: State<'_, AppState>,
    id: String,
) -> Result<TemplateEditView, IpcError> {
    on_catalogue(&state, move |cat| {
        Ok(sealdesk_flows::template_for_editing(cat, &id)?)
    })
    .await
}

/// Creates template `name` from a bundled starting point.
#[tauri::command]
#[specta::specta]
pub async fn create_template(
    state: State<'_, AppState>,
    name: String,
    start: StartingPoint,
) -> Result<TemplateEditView, IpcError> {
    let now = OffsetDateTime::now_utc();
    on_catalogue(&state, move |cat| {
        Ok(sealdesk_flows::create_template_from(
            cat,
            name.trim(),
            start,
            now,
        )?)
    })
    .await
}

/// Saves `form` as a new version of template `id` (named `name`).
#[tauri::command]
#[specta::specta]
pub async fn save_template(
    state: State<'_, AppState>,
    id: String,
    name: String,
    form: TemplateFormView,
) -> Result<TemplateEditView, IpcError> {
    let now = OffsetDateTime::now_utc();
    on_catalogue(&state, move |cat| {
        Ok(sealdesk_flows::save_template_form(
            cat,
            &id,
            name.trim(),
            form,
            now,
        )?)
    })
    .await
}

/// What template `id` would look like with `form` applied; nothing is saved.
#[tauri::command]
#[specta::specta]
pub async fn preview_template(
    state: State<'_, AppState>,
    id: String,
    form: TemplateFormView,
) -> Result<TemplatePreviewView, IpcError> {
    on_catalogue(&state, move |cat| {
        Ok(sealdesk_flows::preview_template_form(cat, &id, form)?)
    })
    .await
}

/// Copies template `id` into a new template `new_name`.
#[tauri::command]
#[specta::specta]
pub async fn copy_template(
    state: State<'_, AppState>,
    id: String,
    new_name: String,
) -> Result<TemplateEditView, IpcError> {
    let now = OffsetDateTime::now_utc();
    on_catalogue(&state, move |cat| {
        let copy = sealdesk_flows::copy_template(cat, &id, new_name.trim(), now)?;
        Ok(sealdesk_flows::template_for_editing(cat, &copy.summary.id)?)
    })
    .await
}

/// Archives template `id`: hidden from the list, still readable.
#[tauri::command]
#[specta::specta]
pub async fn archive_template(
    state: State<'_, AppState>,
    id: String,
) -> Result<TemplateSummaryView, IpcError> {
    let now = OffsetDateTime::now_utc();
    on_catalogue(&state, move |cat| {
        Ok(sealdesk_flows::archive_template(cat, &id, now)?)
    })
    .await
}

/// Imports a credential file's text (read by the window from a file the person chose) as a
/// new template; a malformed file is refused with its place and nothing is stored.
#[tauri::command]
#[specta::specta]
pub async fn import_template(
    state: State<'_, AppState>,
    contents: String,
    file_name: String,
) -> Result<TemplateEditView, IpcError> {
    let now = OffsetDateTime::now_utc();
    on_catalogue(&state, move |cat| {
        let imported =
            sealdesk_flows::import_template(cat, contents.as_bytes(), &file_name, None, now)?;
        Ok(sealdesk_flows::template_for_editing(
            cat,
            &imported.summary.id,
        )?)
    })
    .await
}
