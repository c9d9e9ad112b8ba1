//! The Sealdesk desktop binary: everything lives in the library so tests can reach it.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

/// mimalloc instead of the system allocator: verification parses each credential into a JSON
/// tree and PDF building makes many small blocks; measured with `make bench` (cli README).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // Started as a PKCS#11 module probe? Answer and exit before any window (see sealdesk-token).
    sealdesk_token::probe::run_if_requested();
    sealdesk_lib::run();
}
