//! The "Outbox" screen: mails and wallet deposits waiting, sent or failed (with the server's
//! reason); retry one now, cancel one, "send now" (one delivery run). The queue, states and
//! exactly-once bookkeeping live in `sealdesk_flows::deliver`; this module only carries them.
//!
//! A delivery run talks to the network (up to 30 s per SMTP command): it works on its own
//! catalogue connection so the other screens stay usable meanwhile.

use sealdesk_catalogue::Catalogue;
use sealdesk_flows::deliver::{self, DeliveryConfig, DeliveryRunReport, DeliveryView};
use tauri::State;
use time::OffsetDateTime;

use crate::error::IpcError;
use crate::state::{on_catalogue, with_catalogue, AppState};

/// Every delivery, newest first.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn outbox_list(state: State<'_, AppState>) -> Result<Vec<DeliveryView>, IpcError> {
    on_catalogue(&state, |cat| Ok(deliver::list(cat)?)).await
}

/// "Send now": attempts every due delivery once. Offline is an answer (`offline` says why),
/// not an error; every job is kept.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn outbox_run(state: State<'_, AppState>) -> Result<DeliveryRunReport, IpcError> {
    let shared = state.catalogue();
    tauri::async_runtime::spawn_blocking(move || {
        let path = with_catalogue(&shared, |cat| Ok(cat.path().map(ToOwned::to_owned)))?;
        let now = OffsetDateTime::now_utc();
        match path {
            Some(path) => {
                let own = Catalogue::open(&path).map_err(sealdesk_flows::FlowError::from)?;
                let config = DeliveryConfig::from_settings(&own)?;
                Ok(deliver::run_due(&own, &config, now)?)
            }
            None => with_catalogue(&shared, |cat| {
                let config = DeliveryConfig::from_settings(cat)?;
                Ok(deliver::run_due(cat, &config, now)?)
            }),
        }
    })
    .await?
}

/// Makes a waiting, failed or cancelled delivery due now (the next run sends it).
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, fields(id = id))]
pub async fn outbox_retry(state: State<'_, AppState>, id: u32) -> Result<DeliveryView, IpcError> {
    let now = OffsetDateTime::now_utc();
    on_catalogue(&state, move |cat| {
        Ok(deliver::retry(cat, i64::from(id), now)?)
    })
    .await
}

/// Cancels a waiting or failed delivery.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, fields(id = id))]
pub async fn outbox_cancel(state: State<'_, AppState>, id: u32) -> Result<DeliveryView, IpcError> {
    let now = OffsetDateTime::now_utc();
    on_catalogue(&state, move |cat| {
        Ok(deliver::cancel(cat, i64::from(id), now)?)
    })
    .await
}
