//! Credential PDFs for the inline previews (`ui/src/lib/pdf/PdfPreview.svelte`): a template's,
//! a batch row's and a registered credential's, as raw bytes (an `ArrayBuffer` in the window,
//! not a JSON array of numbers), and what each PDF is (languages, SPECIMEN or sealed by whom).
//! Which credential is printed and whether it is a SPECIMEN is `sealdesk_flows::preview_pdf`'s
//! decision; nothing is decided here.

use std::path::{Path, PathBuf};

use sealdesk_catalogue::Catalogue;
use sealdesk_flows::{PdfPreviewView, PdfSourceView, PreviewPdf};
use specta::datatype::DataType;
use tauri::ipc::{InvokeResponseBody, IpcResponse};
use tauri::State;
use time::OffsetDateTime;

use crate::commands::register::EXPORTS_FOLDER;
use crate::error::IpcError;
use crate::state::{on_catalogue, AppState};

/// PDF bytes sent to the window as a raw IPC body: `ArrayBuffer` in TypeScript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfBytes(pub Vec<u8>);

impl IpcResponse for PdfBytes {
    fn body(self) -> tauri::Result<InvokeResponseBody> {
        Ok(InvokeResponseBody::Raw(self.0))
    }
}

impl specta::Type for PdfBytes {
    fn definition(_types: &mut specta::Types) -> DataType {
        DataType::Reference(specta_typescript::define("ArrayBuffer"))
    }
}

fn export_dir(cat: &Catalogue) -> PathBuf {
    cat.path()
        .and_then(Path::parent)
        .map(|d| d.join(EXPORTS_FOLDER))
        .unwrap_or_else(|| PathBuf::from(EXPORTS_FOLDER))
}

async fn render(
    state: &AppState,
    source: PdfSourceView,
    lang: Option<String>,
    summary: bool,
) -> Result<PreviewPdf, IpcError> {
    let now = OffsetDateTime::now_utc();
    on_catalogue(state, move |cat| {
        Ok(sealdesk_flows::preview_pdf(
            cat,
            &source,
            lang.as_deref(),
            summary,
            &export_dir(cat),
            now,
        )?)
    })
    .await
}

/// The SPECIMEN PDF of template `id` (latest version unless `version`) in `lang` (its primary
/// language when `None`), the one-page summary when `summary`.
#[tauri::command]
#[specta::specta]
pub async fn template_pdf_preview(
    state: State<'_, AppState>,
    id: String,
    version: Option<u32>,
    lang: Option<String>,
    summary: bool,
) -> Result<PdfBytes, IpcError> {
    let source = PdfSourceView::Template { id, version };
    Ok(PdfBytes(render(&state, source, lang, summary).await?.bytes))
}

/// The SPECIMEN PDF of the credential row `row` of `batch` would get, in `lang`.
#[tauri::command]
#[specta::specta]
pub async fn batch_row_pdf_preview(
    state: State<'_, AppState>,
    batch: String,
    row: u32,
    lang: Option<String>,
) -> Result<PdfBytes, IpcError> {
    let source = PdfSourceView::BatchRow { batch, row };
    Ok(PdfBytes(render(&state, source, lang, false).await?.bytes))
}

/// The PDF of the registered credential `credential_id` in `lang`: the batch's sealed PDF when
/// there is one in that language, otherwise printed from the sealed file (no SPECIMEN when its
/// seal verifies).
#[tauri::command]
#[specta::specta]
pub async fn register_pdf(
    state: State<'_, AppState>,
    credential_id: String,
    lang: Option<String>,
) -> Result<PdfBytes, IpcError> {
    let source = PdfSourceView::Register { credential_id };
    Ok(PdfBytes(render(&state, source, lang, false).await?.bytes))
}

/// What the PDF of `source` in `lang` is: the languages to offer, SPECIMEN (and why) or the
/// seal holder, and whether it is the batch's sealed PDF file.
#[tauri::command]
#[specta::specta]
pub async fn pdf_preview_info(
    state: State<'_, AppState>,
    source: PdfSourceView,
    lang: Option<String>,
    summary: bool,
) -> Result<PdfPreviewView, IpcError> {
    Ok(render(&state, source, lang, summary).await?.view)
}
