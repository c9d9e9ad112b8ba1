//! What the app keeps for its whole life: the catalogue, how to find the seal device,
//! and when the process started. Built once in `setup`, shared with every command.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use sealdesk_catalogue::Catalogue;
use sealdesk_flows::DeviceSelector;

use crate::error::IpcError;

/// State managed by Tauri and read by the commands.
pub struct AppState {
    catalogue: Arc<Mutex<Catalogue>>,
    token: Arc<Mutex<()>>,
    selector: Arc<DeviceSelector>,
    started: Instant,
}

impl AppState {
    /// Wraps an open catalogue; `selector` says which PKCS#11 module/token to use.
    pub fn new(catalogue: Catalogue, selector: DeviceSelector, started: Instant) -> Self {
        Self {
            catalogue: Arc::new(Mutex::new(catalogue)),
            token: Arc::new(Mutex::new(())),
            selector: Arc::new(selector),
            started,
        }
    }

    /// Which module, token and key the commands use; cheap to clone onto a worker thread.
    pub fn selector(&self) -> Arc<DeviceSelector> {
        Arc::clone(&self.selector)
    }

    /// When `run()` started: the zero of the startup measurement.
    pub fn started(&self) -> Instant {
        self.started
    }

    /// The token lock: one PKCS#11 conversation at a time (a status check never runs
    /// while a seal is being made), handed to the blocking worker thread.
    pub fn token_lock(&self) -> Arc<Mutex<()>> {
        Arc::clone(&self.token)
    }

    /// A handle to the catalogue that can move onto a blocking worker thread.
    pub fn catalogue(&self) -> Arc<Mutex<Catalogue>> {
        Arc::clone(&self.catalogue)
    }
}

/// Runs `work` while holding the token lock; a poisoned lock is reported, not unwrapped.
pub fn with_token<T>(
    token: &Mutex<()>,
    work: impl FnOnce() -> Result<T, IpcError>,
) -> Result<T, IpcError> {
    let _one_at_a_time = token.lock().map_err(|_| {
        IpcError::internal(
            "the seal device is unavailable after an earlier failure: restart Sealdesk",
        )
    })?;
    work()
}

/// Runs `work` with the catalogue locked; a poisoned lock is reported, not unwrapped.
pub fn with_catalogue<T>(
    catalogue: &Mutex<Catalogue>,
    work: impl FnOnce(&Catalogue) -> Result<T, IpcError>,
) -> Result<T, IpcError> {
    let guard = catalogue.lock().map_err(|_| {
        IpcError::internal(
            "the catalogue is unavailable after an earlier failure: restart Sealdesk",
        )
    })?;
    work(&guard)
}

/// Runs `work` on a blocking worker thread with the catalogue locked: the body of every
/// catalogue-only command.
pub async fn on_catalogue<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&Catalogue) -> Result<T, IpcError> + Send + 'static,
) -> Result<T, IpcError> {
    let catalogue = state.catalogue();
    tauri::async_runtime::spawn_blocking(move || with_catalogue(&catalogue, work)).await?
}
