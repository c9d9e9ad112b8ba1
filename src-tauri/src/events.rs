//! Events the app pushes to the window. Today one: the seal device changed (a reader or a
//! token was plugged in or removed), sent from the PC/SC watcher of `sealdesk_flows`; the
//! Seal device screen answers it by asking `device_status` again, so no restart is needed.

use sealdesk_flows::{DeviceEventView, DeviceWatch};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Runtime};
use tauri_specta::Event;

/// A reader or card changed; the payload says what, for a live announcement.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
#[serde(rename_all = "camelCase")]
pub struct DeviceChanged {
    /// What happened at which reader.
    pub event: DeviceEventView,
}

/// Starts the device watcher; every change becomes a [`DeviceChanged`] event. Keep the
/// returned handle for the app's lifetime (dropping it stops the watcher).
pub fn watch_device<R: Runtime>(app: AppHandle<R>) -> DeviceWatch {
    sealdesk_flows::watch_device(move |event| {
        tracing::debug!(kind = ?event.kind, "device changed");
        if let Err(error) = (DeviceChanged { event }).emit(&app) {
            tracing::warn!(%error, "cannot tell the window that the device changed");
        }
    })
}
