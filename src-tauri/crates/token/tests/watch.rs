//! The PC/SC watcher against a real pcscd with the vsmartcard virtual reader (vpcd) and a
//! virtual card (vicc): reader seen, card inserted, removed and inserted again, without
//! restarting anything; once with PnP notification and once by polling.
//!
//! Needs `pcscd`, `vsmartcard-vpcd`, `vsmartcard-vpicc` and `python3-pycryptodome` (see
//! shared/notes/signing-stack.md §7.5 for the two Debian packaging workarounds used here).
//! The test starts its own pcscd unless one is already answering, and kills what it started.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use sealdesk_token::{readers, DeviceEvent, DeviceWatcher, PcscReaders, WatchMode, WatchOptions};

const READER: &str = "Virtual PCD 00 00";
const VICC_ATR: &str = "3b951381018073ff01000b";
/// Upper bound of every wait (the waits end as soon as the event arrives).
const PATIENCE: Duration = Duration::from_secs(30);

/// A child process killed (and reaped) on drop.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn vpcd_reader_present() -> bool {
    matches!(readers(), Ok(PcscReaders::Available(list)) if list.iter().any(|r| r.name == READER))
}

/// Our own pcscd, unless one already serves the virtual reader.
fn pcscd() -> Option<Killed> {
    if vpcd_reader_present() {
        return None;
    }
    let child = Command::new("pcscd")
        .args(["--foreground", "--auto-exit"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("pcscd starts (install pcscd and vsmartcard-vpcd)");
    let guard = Killed(child);
    let started = Instant::now();
    while !vpcd_reader_present() {
        assert!(
            started.elapsed() < PATIENCE,
            "pcscd did not show the vpcd reader {READER}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Some(guard)
}

/// The virtual card: `vicc` connects to vpcd, which is "inserting" it.
fn insert_card(shim: &tempfile::TempDir) -> Killed {
    let crypto = shim.path().join("Crypto");
    if !crypto.exists() {
        std::os::unix::fs::symlink("/usr/lib/python3/dist-packages/Cryptodome", &crypto)
            .expect("Crypto -> Cryptodome shim");
    }
    let pythonpath = [
        PathBuf::from("/usr/lib/python3/site-packages"),
        PathBuf::from("/usr/lib/python3/site-packages/virtualsmartcard"),
        shim.path().to_path_buf(),
    ]
    .iter()
    .map(|p| p.display().to_string())
    .collect::<Vec<_>>()
    .join(":");
    let child = Command::new("/usr/bin/python3")
        .args([
            "/usr/bin/vicc",
            "-t",
            "iso7816",
            "-H",
            "127.0.0.1",
            "-P",
            "35963",
        ])
        .env("PYTHONPATH", pythonpath)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("vicc starts (install vsmartcard-vpicc python3-pycryptodome)");
    Killed(child)
}

/// Waits for the first event matching `want`, returning the events seen before it.
fn wait_for(events: &Receiver<DeviceEvent>, what: &str, want: impl Fn(&DeviceEvent) -> bool) {
    let deadline = Instant::now() + PATIENCE;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match events.recv_timeout(left) {
            Ok(event) if want(&event) => return,
            Ok(event) => seen.push(event),
            Err(_) => panic!("no {what} event; saw {seen:?}"),
        }
    }
}

fn inserted(event: &DeviceEvent) -> bool {
    matches!(event, DeviceEvent::CardInserted { reader, atr } if reader == READER && atr == VICC_ATR)
}

fn removed(event: &DeviceEvent) -> bool {
    matches!(event, DeviceEvent::CardRemoved { reader } if reader == READER)
}

fn follow_a_card(options: WatchOptions, expected_mode: WatchMode) {
    let shim = tempfile::tempdir().expect("tempdir");
    let (watcher, events) = DeviceWatcher::start(options);
    wait_for(
        &events,
        "reader added",
        |e| matches!(e, DeviceEvent::ReaderAdded { reader } if reader == READER),
    );
    assert_eq!(watcher.mode(), Some(expected_mode), "watch mode");

    let card = insert_card(&shim);
    wait_for(&events, "card inserted", inserted);
    drop(card);
    wait_for(&events, "card removed", removed);
    // Again, with the same watcher: re-inserting needs no restart.
    let card = insert_card(&shim);
    wait_for(&events, "card inserted again", inserted);
    drop(card);
    wait_for(&events, "card removed again", removed);
    drop(watcher);
    assert!(
        events.recv_timeout(Duration::from_secs(2)).is_err(),
        "no events after the watcher is dropped (the sender is gone)"
    );
}

#[test]
fn watcher_sees_the_virtual_card_come_and_go() {
    let _pcscd = pcscd();
    follow_a_card(WatchOptions::default(), WatchMode::Notification);
    follow_a_card(
        WatchOptions {
            interval: Duration::from_millis(200),
            force_polling: true,
        },
        WatchMode::Polling,
    );
}
