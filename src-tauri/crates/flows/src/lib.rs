//! The use cases of Sealdesk, tying the domain crates together; used by the app and the CLI.
//!
//! Each use case takes what it needs as arguments (the catalogue, the device selector, the
//! PIN, the time) and returns a view (`views`) or a [`FlowError`]; there is no global state and
//! no clock inside, so every flow runs in `cargo test` without Tauri. Rules live in the domain
//! crates; this crate only sequences them: template → credential → seal → verify → register.

#![warn(missing_docs)]

mod agreements;
pub mod augment;
mod batch;
mod batch_pdf;
mod build;
mod chosen_file;
pub mod deliver;
mod device;
mod editor;
mod error;
mod pdf;
mod preview_pdf;
mod register;
pub mod render;
mod seal;
mod skills;
mod templates;
mod test_seal;
mod trust;
mod verify;
pub mod views;
mod watch;

use std::path::{Path, PathBuf};

pub use agreements::*;
pub use batch::preview_batch_row;
pub use batch::{
    batch_id, batch_rows, batch_view, exclude_batch_row, exclude_problem_rows, list_batches,
    open_batch, output_path, row_credential_id, run_batch, run_batch_with, sheet_columns,
    write_batch_sheet, BatchControl, BatchProgressView, BatchRowView, BatchSummaryView, BatchView,
    ProblemView, TemplateSource, IN_FLIGHT,
};
pub use batch::{batch_mandate, open_batch_with, BatchOptions};
pub use batch::{run_batch_opts, run_batch_with_opts};
pub use batch_pdf::{batch_pdfs_missing, pdf_output_path, RunOptions};
pub use build::{build_credential, BuiltCredential, SAMPLE_RECIPIENT, SAMPLE_TEMPLATE};
pub use chosen_file::{
    chosen_name, chosen_path, read_chosen_file, write_chosen_file, MAX_CHOSEN_FILE_BYTES,
};
pub use device::{
    device_status, device_status_in, remember_module, remembered_module, DeviceSelector,
    MODULE_SETTING,
};
pub use editor::*;
pub use error::{ErrorCode, FlowError};
pub use pdf::{seal_pdf_file, SealedPdfView};
pub use preview_pdf::{preview_pdf, PdfPreviewView, PdfSourceView, PreviewPdf};
pub use register::{
    export_register_csv, register_rows, sealed_file, RegisterFilterView, RegisterRowView,
    CSV_HEADER, NOT_QUEUED, ORIGINAL_LEVEL,
};
pub use seal::{seal_credential, seal_sample, SealConsent, SealedCredential};
pub use sealdesk_catalogue::Catalogue;
pub use sealdesk_seal::verify::TrustAnchors;
pub use skills::{
    import_esco_csv, import_vocabulary, prepare_vocabularies, search_skills, suggest_skills,
    vocabulary,
};
pub use templates::{
    archive_template, copy_template, create_template, export_template, import_template,
    list_templates, save_template, template,
};
pub use test_seal::{test_seal, TEST_STRING};
pub use trust::{
    cached_trusted_lists, check_trusted_lists, load_trusted_lists, trust_providers, CachedTrust,
};
pub use verify::{verify, verify_with_lists};
pub use views::*;
pub use watch::{event_view, watch_device, watch_device_with, DeviceWatch};

/// The app identifier; the data folder is named after it (as Tauri names it).
pub const APP_IDENTIFIER: &str = "eu.sealdesk.desktop";

/// The default data folder: `$XDG_DATA_HOME/<id>` or `~/.local/share/<id>` (what Tauri's
/// `app_data_dir` gives on Linux), so the CLI and the app share one catalogue.
pub fn default_data_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
    Some(base.join(APP_IDENTIFIER))
}

/// Opens the catalogue in `data_dir` (default: [`default_data_dir`]).
pub fn open_catalogue(data_dir: Option<&Path>) -> Result<Catalogue, FlowError> {
    let dir = match data_dir {
        Some(dir) => dir.to_path_buf(),
        None => default_data_dir().ok_or(FlowError::NoDataDir)?,
    };
    Ok(Catalogue::open(&dir.join("catalogue.sqlite3"))?)
}
