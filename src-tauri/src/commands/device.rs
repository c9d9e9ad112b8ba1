//! The "Seal device" panel: what token, certificate, PIN and readers state the app sees.

use sealdesk_flows::DeviceStatus;
use tauri::State;
use time::OffsetDateTime;

use crate::error::IpcError;
use crate::state::{with_token, AppState};

/// Looks at the seal device: module, tokens, seal certificate, PIN state, PC/SC readers.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn device_status(state: State<'_, AppState>) -> Result<DeviceStatus, IpcError> {
    let (token, selector) = (state.token_lock(), state.selector());
    let now = OffsetDateTime::now_utc();
    tauri::async_runtime::spawn_blocking(move || {
        with_token(&token, || {
            sealdesk_flows::device_status(&selector, now).map_err(IpcError::from)
        })
    })
    .await?
}
