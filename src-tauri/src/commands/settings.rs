//! The "Delivery settings" screen: SMTP server and sender, the wallet, and "send test mail".
//! Passwords and tokens go one way only: typed here, stored in the OS keyring (or a file
//! readable by the user only) by `sealdesk_flows::deliver`, and never sent back to the window.

use sealdesk_flows::deliver::{
    self, DeliveryConfig, DeliverySettingsView, SecretUpdate, TestMailView,
};
use tauri::State;
use time::OffsetDateTime;

use crate::error::IpcError;
use crate::state::{on_catalogue, AppState};

/// The delivery settings; secrets only as "set" or not.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn delivery_settings(
    state: State<'_, AppState>,
) -> Result<DeliverySettingsView, IpcError> {
    on_catalogue(&state, |cat| Ok(deliver::settings_view(cat)?)).await
}

/// Checks and saves the settings; `password` / `wallet_token` are stored when given (an empty
/// field keeps the stored one).
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn save_delivery_settings(
    state: State<'_, AppState>,
    settings: DeliverySettingsView,
    password: Option<String>,
    wallet_token: Option<String>,
) -> Result<DeliverySettingsView, IpcError> {
    let secrets = SecretUpdate::typed(password, wallet_token);
    on_catalogue(&state, move |cat| {
        Ok(deliver::save_settings(cat, &settings, &secrets)?)
    })
    .await
}

/// Sends a short test mail to `to` with the saved settings; the answer is the server's reply.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn send_test_mail(
    state: State<'_, AppState>,
    to: String,
) -> Result<TestMailView, IpcError> {
    let config = on_catalogue(&state, |cat| Ok(DeliveryConfig::from_settings(cat)?)).await?;
    let now = OffsetDateTime::now_utc();
    tauri::async_runtime::spawn_blocking(move || {
        Ok(deliver::send_test_mail(&config, to.trim(), now)?)
    })
    .await?
}
