//! The "Seal device" screen: what token, certificate, PIN and readers the app sees, the
//! user-chosen module, and "Test my seal".

use std::path::PathBuf;

use sealdesk_flows::{DeviceStatus, ModuleCandidateView, TestSealView};
use secrecy::SecretString;
use tauri::State;
use time::OffsetDateTime;
use zeroize::Zeroize;

use crate::error::IpcError;
use crate::state::{with_catalogue, with_token, AppState};

/// Looks at the seal device: module, tokens, seal certificate, PIN state, PC/SC readers.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn device_status(state: State<'_, AppState>) -> Result<DeviceStatus, IpcError> {
    let (token, catalogue, selector) = (state.token_lock(), state.catalogue(), state.selector());
    let now = OffsetDateTime::now_utc();
    tauri::async_runtime::spawn_blocking(move || {
        with_token(&token, || {
            with_catalogue(&catalogue, |cat| {
                sealdesk_flows::device_status_in(cat, &selector, now).map_err(IpcError::from)
            })
        })
    })
    .await?
}

/// Signs a test string with the seal key and verifies it with openssl; nothing is issued.
///
/// `confirm_final_try` must be true when the token reports that one wrong PIN would lock it.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, fields(confirm_final_try = confirm_final_try))]
pub async fn test_seal(
    state: State<'_, AppState>,
    mut pin: String,
    confirm_final_try: bool,
) -> Result<TestSealView, IpcError> {
    let secret = SecretString::from(pin.as_str());
    pin.zeroize();
    let (token, catalogue, selector) = (state.token_lock(), state.catalogue(), state.selector());
    let now = OffsetDateTime::now_utc();
    tauri::async_runtime::spawn_blocking(move || {
        with_token(&token, || {
            with_catalogue(&catalogue, |cat| {
                sealdesk_flows::test_seal(cat, &selector, secret, confirm_final_try, now)
                    .map_err(IpcError::from)
            })
        })
    })
    .await?
}

/// Checks and remembers the PKCS#11 module at `path` (an empty path forgets the choice).
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn remember_module(
    state: State<'_, AppState>,
    path: String,
) -> Result<ModuleCandidateView, IpcError> {
    let now = OffsetDateTime::now_utc();
    let path = PathBuf::from(path.trim());
    let (token, catalogue) = (state.token_lock(), state.catalogue());
    // Same lock order as every token command: token, then catalogue.
    tauri::async_runtime::spawn_blocking(move || {
        with_token(&token, || {
            with_catalogue(&catalogue, |cat| {
                sealdesk_flows::remember_module(cat, &path, now).map_err(IpcError::from)
            })
        })
    })
    .await?
}
