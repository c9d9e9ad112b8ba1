//! Watching readers and cards: hot-plug events from PC/SC, delivered over a channel.
//!
//! One thread waits in `SCardGetStatusChange` on every reader plus the PnP pseudo-reader
//! (`\\?PnP?\Notification`), so a reader plugged in or a card inserted wakes it at once (as
//! DigiDoc4's QPCSC does). Where the service has no PnP notification (some pcsc-lite builds,
//! remote sessions) it polls the reader list instead. When the service is not running it
//! retries at the polling interval, so starting pcscd later (or socket activation) is picked up.
//!
//! The watcher only reports what PC/SC sees; the PKCS#11 side re-lists slots on every
//! `list_tokens`, so a re-inserted token is usable without a restart. It does not know about
//! PINs or keys.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use serde::Serialize;

/// Something changed at the readers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum DeviceEvent {
    /// The watcher's first view of a reader (also after the service came back).
    ReaderAdded {
        /// Reader name.
        reader: String,
    },
    /// A reader disappeared (unplugged).
    ReaderRemoved {
        /// Reader name.
        reader: String,
    },
    /// A card (token) is now in the reader.
    CardInserted {
        /// Reader name.
        reader: String,
        /// The card's answer-to-reset, lower-case hex.
        atr: String,
    },
    /// The card left the reader.
    CardRemoved {
        /// Reader name.
        reader: String,
    },
    /// The PC/SC service stopped or is not running; the watcher keeps retrying.
    ServiceUnavailable,
}

/// How the watcher learns about changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum WatchMode {
    /// PnP notification: readers and cards are reported as they change.
    Notification,
    /// Polling the reader list every interval (no PnP support).
    Polling,
}

/// Options of [`DeviceWatcher::start`].
#[derive(Debug, Clone, Copy)]
pub struct WatchOptions {
    /// How long one wait lasts before re-checking the stop flag, and the polling interval.
    pub interval: Duration,
    /// Never use PnP notification (tests of the fallback; hosts with a broken PnP reader).
    pub force_polling: bool,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions {
            interval: Duration::from_millis(500),
            force_polling: false,
        }
    }
}

/// A running watcher; dropping it stops the thread (within one interval) and joins it.
pub struct DeviceWatcher {
    stop: Arc<AtomicBool>,
    context: Arc<Mutex<Option<pcsc::Context>>>,
    mode: Arc<Mutex<Option<WatchMode>>>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for DeviceWatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceWatcher")
            .field("mode", &self.mode())
            .finish_non_exhaustive()
    }
}

impl DeviceWatcher {
    /// Starts watching; events arrive on the returned receiver until the watcher is dropped.
    pub fn start(options: WatchOptions) -> (DeviceWatcher, Receiver<DeviceEvent>) {
        let (tx, rx) = mpsc::channel();
        let watcher = DeviceWatcher::start_with(options, tx);
        (watcher, rx)
    }

    /// Starts watching, sending events to `events` (e.g. a clone of an app-wide sender).
    pub fn start_with(options: WatchOptions, events: Sender<DeviceEvent>) -> DeviceWatcher {
        let stop = Arc::new(AtomicBool::new(false));
        let context = Arc::new(Mutex::new(None));
        let mode = Arc::new(Mutex::new(None));
        let state = Loop {
            stop: stop.clone(),
            context: context.clone(),
            mode: mode.clone(),
            options,
            events,
            known: BTreeMap::new(),
            service_down_reported: false,
        };
        let span = tracing::info_span!("pcsc.watch");
        let thread = std::thread::Builder::new()
            .name("sealdesk-pcsc-watch".to_owned())
            .spawn(move || {
                let _entered = span.entered();
                state.run();
            })
            .ok();
        if thread.is_none() {
            tracing::error!("cannot start the reader watcher thread");
        }
        DeviceWatcher {
            stop,
            context,
            mode,
            thread,
        }
    }

    /// How the watcher currently learns about changes (`None` until it reached the service).
    pub fn mode(&self) -> Option<WatchMode> {
        *self.mode.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Drop for DeviceWatcher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(ctx) = self
            .context
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            // Wakes a blocked SCardGetStatusChange at once.
            let _ = ctx.cancel();
        }
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                tracing::error!("the reader watcher panicked");
            }
        }
    }
}

/// The watcher thread's state: what it last saw per reader (card ATR or `None`).
struct Loop {
    stop: Arc<AtomicBool>,
    context: Arc<Mutex<Option<pcsc::Context>>>,
    mode: Arc<Mutex<Option<WatchMode>>>,
    options: WatchOptions,
    events: Sender<DeviceEvent>,
    known: BTreeMap<String, Option<String>>,
    service_down_reported: bool,
}

impl Loop {
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    fn send(&self, event: DeviceEvent) -> bool {
        tracing::debug!(?event, "device event");
        self.events.send(event).is_ok()
    }

    fn run(mut self) {
        while !self.stopped() {
            let ctx = match pcsc::Context::establish(pcsc::Scope::User) {
                Ok(ctx) => ctx,
                Err(_) => {
                    self.service_down();
                    std::thread::sleep(self.options.interval);
                    continue;
                }
            };
            *self.context.lock().unwrap_or_else(|p| p.into_inner()) = Some(ctx.clone());
            if self.stopped() {
                break;
            }
            let result = self.watch(&ctx);
            *self.context.lock().unwrap_or_else(|p| p.into_inner()) = None;
            if self.stopped() || result.is_err() {
                break; // receiver gone or stop requested
            }
            // The service went away: forget the readers, report once, retry.
            self.service_down();
            std::thread::sleep(self.options.interval);
        }
    }

    fn service_down(&mut self) {
        *self.mode.lock().unwrap_or_else(|p| p.into_inner()) = None;
        let readers: Vec<String> = std::mem::take(&mut self.known).into_keys().collect();
        for reader in readers {
            self.send(DeviceEvent::ReaderRemoved { reader });
        }
        if !self.service_down_reported {
            self.service_down_reported = true;
            self.send(DeviceEvent::ServiceUnavailable);
        }
    }

    /// Watches until the service fails (`Ok`) or the receiver is gone / stop (`Err`).
    fn watch(&mut self, ctx: &pcsc::Context) -> Result<(), ()> {
        let mut pnp = !self.options.force_polling;
        loop {
            if self.stopped() {
                return Err(());
            }
            let names = match ctx.list_readers_owned() {
                Ok(names) => names,
                Err(pcsc::Error::NoReadersAvailable) => Vec::new(),
                Err(_) => return Ok(()),
            };
            self.service_down_reported = false;
            // UNAWARE everywhere: the first call returns the full current state at once, and
            // `report` sends only what differs from what was last reported.
            let mut states: Vec<pcsc::ReaderState> = names
                .iter()
                .map(|name| pcsc::ReaderState::new(name.clone(), pcsc::State::UNAWARE))
                .collect();
            if pnp {
                states.push(pcsc::ReaderState::new(
                    pcsc::PNP_NOTIFICATION(),
                    pcsc::State::UNAWARE,
                ));
            }
            match ctx.get_status_change(Duration::ZERO, &mut states) {
                Ok(()) | Err(pcsc::Error::Timeout) => {}
                Err(pcsc::Error::UnknownReader) if pnp => {
                    // No PnP pseudo-reader here: poll instead.
                    pnp = false;
                    continue;
                }
                Err(pcsc::Error::UnknownReader) => continue, // a reader vanished: re-list
                Err(_) => return Ok(()),
            }
            self.set_mode(if pnp {
                WatchMode::Notification
            } else {
                WatchMode::Polling
            });
            self.report(&names, &states)?;
            for state in states.iter_mut() {
                state.sync_current_state();
            }
            // Now wait for a change (or the interval, to re-check the stop flag / poll).
            match ctx.get_status_change(self.options.interval, &mut states) {
                Ok(()) => {
                    self.report(&names, &states)?;
                }
                Err(pcsc::Error::Timeout) | Err(pcsc::Error::Cancelled) => {}
                Err(pcsc::Error::UnknownReader) => {} // a reader vanished: re-list
                Err(pcsc::Error::NoReadersAvailable) => {}
                Err(_) => return Ok(()),
            }
        }
    }

    fn set_mode(&self, mode: WatchMode) {
        *self.mode.lock().unwrap_or_else(|p| p.into_inner()) = Some(mode);
    }

    /// Compares the readers' states with what was last reported and sends the differences.
    fn report(
        &mut self,
        names: &[std::ffi::CString],
        states: &[pcsc::ReaderState],
    ) -> Result<(), ()> {
        let listed: Vec<String> = names
            .iter()
            .map(|n| n.to_string_lossy().into_owned())
            .collect();
        let gone: Vec<String> = self
            .known
            .keys()
            .filter(|k| !listed.contains(k))
            .cloned()
            .collect();
        for reader in gone {
            let had_card = self.known.remove(&reader).flatten().is_some();
            if had_card
                && !self.send(DeviceEvent::CardRemoved {
                    reader: reader.clone(),
                })
            {
                return Err(());
            }
            if !self.send(DeviceEvent::ReaderRemoved { reader }) {
                return Err(());
            }
        }
        for state in states {
            let name = state.name().to_string_lossy().into_owned();
            if !listed.contains(&name) {
                continue; // the PnP pseudo-reader
            }
            let event = state.event_state();
            if event.contains(pcsc::State::UNKNOWN) || event.contains(pcsc::State::IGNORE) {
                continue;
            }
            let card = if event.contains(pcsc::State::PRESENT) {
                Some(hex::encode(state.atr()))
            } else {
                None
            };
            let before = self.known.get(&name).cloned();
            match before {
                None => {
                    if !self.send(DeviceEvent::ReaderAdded {
                        reader: name.clone(),
                    }) {
                        return Err(());
                    }
                    if let Some(atr) = &card {
                        if !self.send(DeviceEvent::CardInserted {
                            reader: name.clone(),
                            atr: atr.clone(),
                        }) {
                            return Err(());
                        }
                    }
                }
                Some(previous) if previous.is_some() != card.is_some() => {
                    let sent = match &card {
                        Some(atr) => self.send(DeviceEvent::CardInserted {
                            reader: name.clone(),
                            atr: atr.clone(),
                        }),
                        None => self.send(DeviceEvent::CardRemoved {
                            reader: name.clone(),
                        }),
                    };
                    if !sent {
                        return Err(());
                    }
                }
                Some(_) => {}
            }
            self.known.insert(name, card);
        }
        Ok(())
    }
}
