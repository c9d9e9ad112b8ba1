//! The IPC commands, one module per screen area. Each command parses its input, calls
//! one `sealdesk_flows` function (token work on a blocking worker thread) and maps the
//! error once into [`crate::error::IpcError`]. No rules live here.

pub mod app;
pub mod device;
pub mod seal;
