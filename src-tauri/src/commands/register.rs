//! The "Register" screen: every credential sealed here, searched and filtered, exported as CSV,
//! and the path of one credential's sealed file (shown to the person, copyable).

use std::path::{Path, PathBuf};

use sealdesk_flows::{RegisterFilterView, RegisterRowView};
use tauri::State;

use crate::error::IpcError;
use crate::state::{on_catalogue, AppState};

/// Folder (inside the data directory) where sealed files are copied when their batch file is gone.
pub const EXPORTS_FOLDER: &str = "exports";

/// The register lines matching `filter`, newest first.
#[tauri::command]
#[specta::specta]
pub async fn register_list(
    state: State<'_, AppState>,
    filter: RegisterFilterView,
) -> Result<Vec<RegisterRowView>, IpcError> {
    on_catalogue(&state, move |cat| {
        Ok(sealdesk_flows::register_rows(cat, &filter)?)
    })
    .await
}

/// Writes the lines matching `filter` as CSV to `path`; answers how many lines were written.
#[tauri::command]
#[specta::specta]
pub async fn register_export_csv(
    state: State<'_, AppState>,
    filter: RegisterFilterView,
    path: String,
) -> Result<u32, IpcError> {
    on_catalogue(&state, move |cat| {
        Ok(sealdesk_flows::export_register_csv(
            cat,
            &filter,
            Path::new(path.trim()),
        )?)
    })
    .await
}

/// The path of the sealed file of `credential_id` (the batch's file, or a copy of the
/// register's bytes in the data directory's `exports/` folder).
#[tauri::command]
#[specta::specta]
pub async fn register_sealed_file(
    state: State<'_, AppState>,
    credential_id: String,
) -> Result<String, IpcError> {
    on_catalogue(&state, move |cat| {
        let exports = cat
            .path()
            .and_then(Path::parent)
            .map(|d| d.join(EXPORTS_FOLDER))
            .unwrap_or_else(|| PathBuf::from(EXPORTS_FOLDER));
        let path = sealdesk_flows::sealed_file(cat, credential_id.trim(), &exports)?;
        Ok(path.display().to_string())
    })
    .await
}
