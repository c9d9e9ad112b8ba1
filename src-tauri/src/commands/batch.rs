//! The "Batch" screen: import a recipients sheet for a template, review its rows (problems by
//! cell, exclude, preview), seal it with one PIN while progress streams to the window through a
//! channel, pause / resume / cancel. Whether a batch may be sealed is decided by
//! `sealdesk_flows::run_batch` (no row with problems unless excluded); the window only reflects it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use sealdesk_catalogue::Catalogue;
use sealdesk_flows::{
    BatchControl, BatchProgressView, BatchRowView, BatchSummaryView, BatchView, ErrorCode,
    SealConsent, TemplatePreviewView, TemplateSource,
};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use tauri::ipc::Channel;
use tauri::State;
use time::OffsetDateTime;
use zeroize::Zeroize;

use crate::error::IpcError;
use crate::state::{on_catalogue, with_catalogue, with_token, AppState};

/// Folder (inside the data directory) where batches write their sealed files.
pub const ISSUED_FOLDER: &str = "issued";

/// The controls of the batches being sealed now, by batch id; managed by Tauri.
#[derive(Debug, Default)]
pub struct BatchRuns {
    running: Mutex<HashMap<String, BatchControl>>,
}

impl BatchRuns {
    fn insert(&self, id: &str, control: BatchControl) -> Result<(), IpcError> {
        let mut map = self.running.lock().map_err(|_| poisoned())?;
        if map.contains_key(id) {
            return Err(IpcError::internal(
                "this batch is already being sealed: wait for it or cancel it",
            ));
        }
        map.insert(id.to_owned(), control);
        Ok(())
    }
    fn remove(&self, id: &str) {
        if let Ok(mut map) = self.running.lock() {
            map.remove(id);
        }
    }
    fn get(&self, id: &str) -> Result<Option<BatchControl>, IpcError> {
        Ok(self
            .running
            .lock()
            .map_err(|_| poisoned())?
            .get(id)
            .cloned())
    }
}

fn poisoned() -> IpcError {
    IpcError::internal("the batch list is unavailable after an earlier failure: restart Sealdesk")
}

/// A batch with its rows, as the review grid shows it.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BatchReviewView {
    /// The batch and where it stands.
    pub batch: BatchView,
    /// Its rows (all, or those with problems).
    pub rows: Vec<BatchRowView>,
}

/// What to do with a running batch.
#[derive(Debug, Clone, Copy, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum BatchAction {
    /// Stop feeding rows; rows in flight finish.
    Pause,
    /// Continue a paused batch.
    Resume,
    /// Stop after the rows in flight; the batch can be sealed again later.
    Cancel,
}

fn issued_dir(cat: &Catalogue) -> PathBuf {
    cat.path()
        .and_then(Path::parent)
        .unwrap_or_else(|| Path::new("."))
        .join(ISSUED_FOLDER)
}

/// Reads the recipients sheet at `path` (xls/xlsx) for catalogue template `template_id` and
/// journals the batch (the same template and file give the same batch back); answers the batch
/// with all its rows.
#[tauri::command]
#[specta::specta]
pub async fn batch_import(
    state: State<'_, AppState>,
    template_id: String,
    path: String,
) -> Result<BatchReviewView, IpcError> {
    let now = OffsetDateTime::now_utc();
    on_catalogue(&state, move |cat| {
        let path = PathBuf::from(path.trim());
        let bytes = std::fs::read(&path).map_err(|source| IpcError {
            code: ErrorCode::Storage,
            message: format!(
                "cannot read {}: {source}: check the path of the sheet",
                path.display()
            ),
        })?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        let batch = sealdesk_flows::open_batch(
            cat,
            TemplateSource::Catalogue {
                id: template_id.trim(),
                version: None,
            },
            &bytes,
            &name,
            &issued_dir(cat),
            now,
        )?;
        let rows = sealdesk_flows::batch_rows(cat, &batch.id, false)?;
        Ok(BatchReviewView { batch, rows })
    })
    .await
}

/// Every batch in the journal, newest first.
#[tauri::command]
#[specta::specta]
pub async fn batch_list(state: State<'_, AppState>) -> Result<Vec<BatchView>, IpcError> {
    on_catalogue(&state, |cat| Ok(sealdesk_flows::list_batches(cat)?)).await
}

/// Batch `id` with its rows; `problems_only` keeps the rows with problems.
#[tauri::command]
#[specta::specta]
pub async fn batch_review(
    state: State<'_, AppState>,
    id: String,
    problems_only: bool,
) -> Result<BatchReviewView, IpcError> {
    on_catalogue(&state, move |cat| {
        Ok(BatchReviewView {
            batch: sealdesk_flows::batch_view(cat, &id)?,
            rows: sealdesk_flows::batch_rows(cat, &id, problems_only)?,
        })
    })
    .await
}

/// Leaves row `row` out of batch `id` (or takes it back); sealed rows cannot change.
#[tauri::command]
#[specta::specta]
pub async fn batch_exclude_row(
    state: State<'_, AppState>,
    id: String,
    row: u32,
    excluded: bool,
) -> Result<BatchView, IpcError> {
    let now = OffsetDateTime::now_utc();
    on_catalogue(&state, move |cat| {
        Ok(sealdesk_flows::exclude_batch_row(
            cat, &id, row, excluded, now,
        )?)
    })
    .await
}

/// The human preview of the credential row `row` would get; nothing is stored.
#[tauri::command]
#[specta::specta]
pub async fn batch_preview_row(
    state: State<'_, AppState>,
    id: String,
    row: u32,
) -> Result<TemplatePreviewView, IpcError> {
    let now = OffsetDateTime::now_utc();
    on_catalogue(&state, move |cat| {
        Ok(sealdesk_flows::preview_batch_row(cat, &id, row, now)?)
    })
    .await
}

/// Seals the pending rows of batch `id` with one PIN entry; progress (count, rate, ETA) goes to
/// `on_progress`. Refused (code `InvalidInput`) before the PIN is used while a row that is not
/// excluded has problems. `confirm_final_try` / `accept_non_seal` as for `seal_sample`.
///
/// The batch runs on its own catalogue connection, so the window can read the register and the
/// rows while it seals.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, fields(confirm_final_try, accept_non_seal))]
pub async fn batch_seal(
    state: State<'_, AppState>,
    runs: State<'_, BatchRuns>,
    id: String,
    mut pin: String,
    confirm_final_try: bool,
    accept_non_seal: bool,
    on_progress: Channel<BatchProgressView>,
) -> Result<BatchSummaryView, IpcError> {
    let secret = SecretString::from(pin.as_str());
    pin.zeroize();
    let control = BatchControl::new();
    runs.insert(&id, control.clone())?;
    let (token, catalogue, selector) = (state.token_lock(), state.catalogue(), state.selector());
    let now = OffsetDateTime::now_utc();
    let batch_id = id.clone();
    let result = tauri::async_runtime::spawn_blocking(move || {
        let path = with_catalogue(&catalogue, |cat| Ok(cat.path().map(Path::to_path_buf)))?;
        let run = |cat: &Catalogue| {
            let consent = SealConsent {
                confirm_final_try,
                accept_non_seal,
            };
            let mut progress = |p: &BatchProgressView| {
                if on_progress.send(p.clone()).is_err() {
                    tracing::debug!("the window stopped listening to batch progress");
                }
            };
            sealdesk_flows::run_batch(
                cat,
                &batch_id,
                &selector,
                secret,
                consent,
                now,
                &control,
                &mut progress,
            )
            .map_err(IpcError::from)
        };
        with_token(&token, || match path {
            Some(path) => {
                let own = Catalogue::open(&path).map_err(|source| {
                    IpcError::from(sealdesk_flows::FlowError::Catalogue(source))
                })?;
                run(&own)
            }
            None => with_catalogue(&catalogue, run),
        })
    })
    .await;
    runs.remove(&id);
    let summary = result??;
    tracing::info!(sealed = summary.sealed_this_run, "batch sealed");
    Ok(summary)
}

/// Pauses, resumes or cancels batch `id` while it is being sealed; false when it is not running.
#[tauri::command]
#[specta::specta]
pub async fn batch_control(
    runs: State<'_, BatchRuns>,
    id: String,
    action: BatchAction,
) -> Result<bool, IpcError> {
    let Some(control) = runs.get(&id)? else {
        return Ok(false);
    };
    match action {
        BatchAction::Pause => control.pause(),
        BatchAction::Resume => control.resume(),
        BatchAction::Cancel => control.cancel(),
    }
    Ok(true)
}
