//! The IPC commands, one module per screen area. Each command parses its input, calls
//! one `sealdesk_flows` function (token and catalogue work on a blocking worker thread) and
//! maps the error once into [`crate::error::IpcError`]. No rules live here.

pub mod app;
pub mod device;
pub mod seal;
pub mod skills;
pub mod templates;
