//! Hot-plug for the app: PC/SC reader and card events, forwarded to a callback.
//!
//! The callback runs on a forwarding thread, one event at a time; the app typically emits a
//! Tauri event and the screen calls `device_status` again. PKCS#11 slots are re-listed on
//! every `device_status`, so a re-inserted token shows up without a restart.

use std::thread::JoinHandle;

use sealdesk_token::{DeviceEvent, DeviceWatcher, WatchOptions};

use crate::views::{DeviceEventKind, DeviceEventView};

/// A running device watch; dropping it stops the watcher and the forwarding thread.
pub struct DeviceWatch {
    watcher: Option<DeviceWatcher>,
    forwarder: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for DeviceWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceWatch")
            .field("watcher", &self.watcher)
            .finish_non_exhaustive()
    }
}

/// Starts watching readers and cards; `on_event` is called for every change (and once per
/// reader present at the start) until the returned handle is dropped.
pub fn watch_device(on_event: impl Fn(DeviceEventView) + Send + 'static) -> DeviceWatch {
    watch_device_with(WatchOptions::default(), on_event)
}

/// [`watch_device`] with explicit watch options (polling interval, forced polling).
pub fn watch_device_with(
    options: WatchOptions,
    on_event: impl Fn(DeviceEventView) + Send + 'static,
) -> DeviceWatch {
    let (watcher, events) = DeviceWatcher::start(options);
    let forwarder = std::thread::Builder::new()
        .name("sealdesk-device-events".to_owned())
        .spawn(move || {
            // Ends when the watcher is dropped (its sender goes away).
            for event in events {
                on_event(event_view(event));
            }
        })
        .ok();
    DeviceWatch {
        watcher: Some(watcher),
        forwarder,
    }
}

impl Drop for DeviceWatch {
    fn drop(&mut self) {
        drop(self.watcher.take());
        if let Some(forwarder) = self.forwarder.take() {
            if forwarder.join().is_err() {
                tracing::error!("the device event callback panicked");
            }
        }
    }
}

/// The IPC view of a token-crate event.
pub fn event_view(event: DeviceEvent) -> DeviceEventView {
    let (kind, reader, atr) = match event {
        DeviceEvent::ReaderAdded { reader } => (DeviceEventKind::ReaderAdded, Some(reader), None),
        DeviceEvent::ReaderRemoved { reader } => {
            (DeviceEventKind::ReaderRemoved, Some(reader), None)
        }
        DeviceEvent::CardInserted { reader, atr } => {
            (DeviceEventKind::CardInserted, Some(reader), Some(atr))
        }
        DeviceEvent::CardRemoved { reader } => (DeviceEventKind::CardRemoved, Some(reader), None),
        DeviceEvent::ServiceUnavailable => (DeviceEventKind::ServiceUnavailable, None, None),
    };
    DeviceEventView { kind, reader, atr }
}
