//! The app shell itself: lifecycle signals from the window.

use tauri::State;

use crate::state::AppState;

/// The window has rendered its first screen; logs the one "ui ready" line that the
/// startup measurement (`tests/e2e/measure.sh`) waits for.
#[tauri::command]
#[specta::specta]
pub fn ui_ready(state: State<'_, AppState>) {
    let elapsed_ms = u64::try_from(state.started().elapsed().as_millis()).unwrap_or(u64::MAX);
    tracing::info!(elapsed_ms, "ui ready");
}
