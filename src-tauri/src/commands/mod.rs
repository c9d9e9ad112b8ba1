//! The IPC commands, one module per screen area. Each command parses its input, calls
//! one `sealdesk_flows` function (token and catalogue work on a blocking worker thread) and
//! maps the error once into [`crate::error::IpcError`]. No rules live here.

pub mod agreements;
pub mod app;
pub mod batch;
pub mod device;
pub mod outbox;
pub mod pdf;
pub mod preview;
pub mod register;
pub mod seal;
pub mod settings;
pub mod skills;
pub mod templates;
pub mod trust;
pub mod verify;
