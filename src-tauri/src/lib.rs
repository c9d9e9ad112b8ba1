//! The Sealdesk desktop shell: a window over `sealdesk_flows`.
//!
//! This crate owns startup (data directory, log file, catalogue), the typed IPC commands
//! in [`commands`] and the one mapping of failures to `{code, message}` in [`error`].
//! It owns no rules: what a token, a seal or a credential means is decided in the domain
//! crates under `crates/`, which never depend on Tauri. The window's code lives in `ui/`
//! and talks to these commands only through the generated `ui/src/lib/ipc/bindings.ts`.

pub mod commands;
pub mod error;
pub mod events;
pub mod state;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use sealdesk_catalogue::Catalogue;
use sealdesk_flows::DeviceSelector;
use tauri::{Manager, Runtime};
use tracing_subscriber::EnvFilter;

pub use crate::error::{AppError, IpcError};
pub use crate::state::AppState;

/// Name of the log file inside `DATA/logs/`.
pub const LOG_FILE: &str = "sealdesk.log";
/// Name of the SQLite catalogue inside the data directory.
pub const CATALOGUE_FILE: &str = "catalogue.sqlite3";

/// The typed command set: used both to serve IPC and to export the TypeScript bindings.
pub fn specta_builder<R: Runtime>() -> tauri_specta::Builder<R> {
    tauri_specta::Builder::<R>::new()
        .commands(tauri_specta::collect_commands![
            commands::device::device_status,
            commands::device::test_seal,
            commands::device::remember_module,
            commands::seal::seal_sample,
            commands::templates::list_templates,
            commands::templates::open_template,
            commands::templates::create_template,
            commands::templates::save_template,
            commands::templates::preview_template,
            commands::templates::copy_template,
            commands::templates::archive_template,
            commands::templates::import_template,
            commands::skills::prepare_vocabularies,
            commands::skills::vocabulary,
            commands::skills::search_skills,
            commands::skills::suggest_skills,
            commands::app::ui_ready,
            commands::agreements::lo_list,
            commands::agreements::lo_open,
            commands::agreements::lo_create,
            commands::agreements::lo_save,
            commands::agreements::lo_review,
            commands::agreements::lo_make_template,
            commands::agreements::mcra_list,
            commands::agreements::mcra_open,
            commands::agreements::mcra_create,
            commands::agreements::mcra_save,
            commands::agreements::mcra_move,
            commands::agreements::mcra_diff,
            commands::agreements::mcra_course_from_lo,
            commands::pdf::mcra_pdf,
            commands::pdf::mcra_print_languages,
            commands::pdf::lo_pdf,
            commands::pdf::mcra_draft_pdf,
            commands::agreements::mcra_export,
            commands::agreements::mcra_import,
            commands::agreements::lo_export_jsonld,
            commands::pdf::mcra_save_pdf,
            commands::pdf::lo_save_pdf,
            commands::pdf::mcra_sealable,
            commands::pdf::mcra_seal_pdf,
            commands::preview::template_pdf_preview,
            commands::preview::batch_row_pdf_preview,
            commands::preview::register_pdf,
            commands::preview::pdf_preview_info,
            commands::batch::batch_import,
            commands::batch::batch_list,
            commands::batch::batch_review,
            commands::batch::batch_exclude_row,
            commands::batch::batch_preview_row,
            commands::batch::batch_seal,
            commands::batch::batch_control,
            commands::register::register_list,
            commands::register::register_export_csv,
            commands::register::register_sealed_file,
            commands::verify::verify_file,
            commands::verify::verify_bytes,
            commands::trust::trust_cache,
            commands::trust::load_trusted_lists,
            commands::trust::trust_providers,
            commands::outbox::outbox_list,
            commands::outbox::outbox_run,
            commands::outbox::outbox_retry,
            commands::outbox::outbox_cancel,
            commands::settings::delivery_settings,
            commands::settings::save_delivery_settings,
            commands::settings::send_test_mail,
        ])
        .events(tauri_specta::collect_events![events::DeviceChanged])
        .error_handling(tauri_specta::ErrorHandlingMode::Throw)
        // The views only travel Rust -> window: one TS type per view, not serialize and
        // deserialize variants.
        .disable_serde_phases()
}

/// Keeps the PC/SC watcher running for the app's lifetime.
struct DeviceWatchHandle {
    _watch: Mutex<sealdesk_flows::DeviceWatch>,
}

/// Starts the desktop app; returns when the last window closes.
pub fn run() {
    let started = Instant::now();
    let data_dir_arg = match data_dir_argument(std::env::args_os().skip(1)) {
        Ok(dir) => dir,
        Err(error) => fail_startup(&error),
    };
    let specta = specta_builder::<tauri::Wry>();
    let result = tauri::Builder::default()
        .manage(commands::batch::BatchRuns::default())
        .invoke_handler(specta.invoke_handler())
        .setup(move |app| {
            let data_dir = match data_dir_arg {
                Some(dir) => dir,
                None => match std::env::var_os("SEALDESK_DATA_DIR") {
                    Some(dir) if !dir.is_empty() => PathBuf::from(dir),
                    _ => app
                        .path()
                        .app_data_dir()
                        .map_err(AppError::DataDirUnknown)?,
                },
            };
            let state = start(&data_dir, DeviceSelector::from_env(), started)?;
            app.manage(state);
            specta.mount_events(app);
            app.manage(DeviceWatchHandle {
                _watch: Mutex::new(events::watch_device(app.handle().clone())),
            });
            Ok(())
        })
        .run(tauri::generate_context!("../tauri.conf.json"));
    if let Err(error) = result {
        eprintln!("sealdesk: {error}");
        std::process::exit(1);
    }
}

/// Creates the data directory, starts the log file and opens (and migrates) the
/// catalogue: everything the commands need, without any window.
pub fn start(
    data_dir: &Path,
    selector: DeviceSelector,
    started: Instant,
) -> Result<AppState, AppError> {
    let logs = data_dir.join("logs");
    std::fs::create_dir_all(&logs).map_err(|source| AppError::DataDirCreate {
        path: logs.clone(),
        source,
    })?;
    init_logging(&logs)?;
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "sealdesk starting");
    let path = data_dir.join(CATALOGUE_FILE);
    let catalogue =
        Catalogue::open(&path).map_err(|source| AppError::Catalogue { path, source })?;
    Ok(AppState::new(catalogue, selector, started))
}

/// Sends `tracing` events to `logs/sealdesk.log`, written synchronously so the
/// "ui ready" line is on disk as soon as it is logged. `SEALDESK_LOG` sets the filter
/// (default `info`). A second call (tests) keeps the first subscriber.
fn init_logging(logs: &Path) -> Result<(), AppError> {
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::NEVER)
        .filename_prefix(LOG_FILE)
        .build(logs)
        .map_err(|source| AppError::LogFile {
            path: logs.to_path_buf(),
            source,
        })?;
    let filter = EnvFilter::try_from_env("SEALDESK_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,cryptoki=off"));
    let _already_set = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(appender)
        .with_ansi(false)
        .try_init();
    Ok(())
}

/// Reads `--data-dir DIR` or `--data-dir=DIR` from the arguments; other arguments are
/// left to Tauri.
fn data_dir_argument(
    args: impl IntoIterator<Item = OsString>,
) -> Result<Option<PathBuf>, AppError> {
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "--data-dir" {
            return match args.next() {
                Some(dir) if !dir.is_empty() => Ok(Some(PathBuf::from(dir))),
                _ => Err(AppError::DataDirArgumentMissing),
            };
        }
        if let Some(dir) = arg.to_str().and_then(|a| a.strip_prefix("--data-dir=")) {
            if dir.is_empty() {
                return Err(AppError::DataDirArgumentMissing);
            }
            return Ok(Some(PathBuf::from(dir)));
        }
    }
    Ok(None)
}

fn fail_startup(error: &AppError) -> ! {
    eprintln!("sealdesk: {error}");
    std::process::exit(2);
}

#[cfg(test)]
mod tests;
