//! The seal device: PKCS#11 modules, tokens, seal keys and their certificates, PIN policy and
//! signing; plus the PC/SC view of readers.
//!
//! - [`discover_module`] finds the vendor's PKCS#11 library (explicit path, then
//!   `SEALDESK_PKCS11_MODULE`, then known locations).
//! - [`list_tokens`] reads, without a PIN, each token's identity, PIN state flags and seal
//!   candidates (certificate + key of the same CKA_ID), and picks a default.
//! - [`SealDevice::open`] checks PIN state and certificate validity, logs in once and returns a
//!   [`TokenSigner`], the [`sealdesk_seal::Signer`] implementation, backed by one worker thread
//!   that owns the PKCS#11 session.
//! - [`readers`] lists PC/SC readers; a stopped PC/SC service is a value, not an error.
//! - [`DeviceWatcher`] reports readers and cards coming and going (PC/SC PnP notification,
//!   polling fallback) over a channel.
//! - [`probe`] loads candidate modules in a child process first, so a crashing vendor module
//!   is reported ([`KNOWN_MODULES`] is the table of modules tried).
//!
//! This crate does not build JAdES (that is `sealdesk-seal`), decide qualification against
//! trusted lists, or talk to the UI. It never logs PINs.

#![warn(missing_docs)]

mod device;
mod error;
mod inventory;
mod module;
mod pcsc;
pub mod probe;
mod watch;

pub use device::{OpenOptions, SealDevice, TokenSigner};
pub use error::TokenError;
pub use inventory::{
    default_candidate, list_tokens, KeyKind, PinState, SealCandidate, TokenReport, TokenSelector,
};
pub use module::{
    discover_module, discover_module_with, installed_modules, known_paths, resolve_module,
    InstalledModule, KnownModule, ModuleSource, KNOWN_MODULES, MODULE_ENV,
};
pub use pcsc::{readers, PcscReaders, Reader};
pub use secrecy::SecretString;
pub use watch::{DeviceEvent, DeviceWatcher, WatchMode, WatchOptions};
