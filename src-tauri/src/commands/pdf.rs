//! PDFs for the window's inline previews (`ui/src/lib/pdf/PdfPreview.svelte`): the printed
//! agreement and the printed learning opportunity, as bytes; the same PDFs saved to a file the
//! person names, and a signed agreement's PDF sealed with the institution's token (PAdES, one
//! PIN, as the batch seals). What goes on the page (and the DRAFT watermark), and whether an
//! agreement may be sealed, is decided by `sealdesk_flows` and the `render` crate, not here.

use sealdesk_agreements::Mcra;
use sealdesk_flows::{SealConsent, VerificationReport};
use secrecy::SecretString;
use serde::Serialize;
use tauri::State;
use time::OffsetDateTime;
use zeroize::Zeroize;

use crate::error::IpcError;
use crate::state::{on_catalogue, with_catalogue, with_token, AppState};

/// The printed agreement `id` (latest version unless `version`), fixed texts in `lang` (or
/// the agreement's own language when `None`).
#[tauri::command]
#[specta::specta]
pub async fn mcra_pdf(
    state: State<'_, AppState>,
    id: String,
    version: Option<u32>,
    lang: Option<String>,
) -> Result<Vec<u8>, IpcError> {
    on_catalogue(&state, move |cat| {
        Ok(sealdesk_flows::mcra_pdf(
            cat,
            &id,
            version,
            lang.as_deref(),
        )?)
    })
    .await
}

/// The languages an agreement can be printed in (its fixed texts), each named in itself.
#[tauri::command]
#[specta::specta]
pub fn mcra_print_languages() -> Result<Vec<sealdesk_flows::PrintLanguageView>, IpcError> {
    Ok(sealdesk_flows::mcra_print_languages()?)
}

/// The printed learning opportunity `id` (latest version unless `version`) in `lang` (or its
/// default language when `None`).
#[tauri::command]
#[specta::specta]
pub async fn lo_pdf(
    state: State<'_, AppState>,
    id: String,
    version: Option<u32>,
    lang: Option<String>,
) -> Result<Vec<u8>, IpcError> {
    on_catalogue(&state, move |cat| {
        Ok(sealdesk_flows::lo_pdf(cat, &id, version, lang.as_deref())?)
    })
    .await
}

/// The printed agreement for `document` as edited, not saved (the editor's live preview):
/// a DRAFT numbered `version`, dated now.
#[tauri::command]
#[specta::specta]
pub async fn mcra_draft_pdf(
    document: Mcra,
    version: u32,
    lang: Option<String>,
) -> Result<Vec<u8>, IpcError> {
    let now = OffsetDateTime::now_utc();
    tauri::async_runtime::spawn_blocking(move || {
        Ok(sealdesk_flows::mcra_draft_pdf(
            &document,
            version,
            lang.as_deref(),
            now,
        )?)
    })
    .await?
}

/// An agreement's PDF sealed on the token, as the window shows it (the augmentation job is
/// the outbox's business and stays out of it).
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SealedAgreementView {
    /// Where the sealed PDF was written.
    pub output: String,
    /// `B-B`, or `B-T` when the signature timestamp was added.
    pub level: String,
    /// Why no timestamp was added although a TSA is configured (the outbox retries).
    pub timestamp_error: Option<String>,
    /// Our check of the sealed file.
    pub report: VerificationReport,
}

/// Saves the printed agreement `id` (as [`mcra_pdf`] prints it) to `path`; answers the path.
#[tauri::command]
#[specta::specta]
pub async fn mcra_save_pdf(
    state: State<'_, AppState>,
    id: String,
    version: Option<u32>,
    lang: Option<String>,
    path: String,
) -> Result<String, IpcError> {
    on_catalogue(&state, move |cat| {
        let out = sealdesk_flows::chosen_path(&path)?;
        let bytes = sealdesk_flows::mcra_pdf(cat, &id, version, lang.as_deref())?;
        Ok(sealdesk_flows::write_chosen_file(&out, &bytes)?)
    })
    .await
}

/// Saves the printed learning opportunity `id` (as [`lo_pdf`] prints it) to `path`; answers
/// the path.
#[tauri::command]
#[specta::specta]
pub async fn lo_save_pdf(
    state: State<'_, AppState>,
    id: String,
    version: Option<u32>,
    lang: Option<String>,
    path: String,
) -> Result<String, IpcError> {
    on_catalogue(&state, move |cat| {
        let out = sealdesk_flows::chosen_path(&path)?;
        let bytes = sealdesk_flows::lo_pdf(cat, &id, version, lang.as_deref())?;
        Ok(sealdesk_flows::write_chosen_file(&out, &bytes)?)
    })
    .await
}

/// Whether agreement `id` (latest version unless `version`) may be sealed: refused (code
/// `InvalidInput`, Rust's reason) before signed. The window asks before it asks for the PIN.
#[tauri::command]
#[specta::specta]
pub async fn mcra_sealable(
    state: State<'_, AppState>,
    id: String,
    version: Option<u32>,
) -> Result<(), IpcError> {
    on_catalogue(&state, move |cat| {
        Ok(sealdesk_flows::mcra_sealable(cat, &id, version)?)
    })
    .await
}

/// Prints signed agreement `id` and seals the PDF with the institution's token into `path`
/// (PAdES; B-T when the TSA answers, augmentation queued); answers the result with our check
/// of it. `confirm_final_try` / `accept_non_seal` as for `seal_sample`.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, fields(confirm_final_try, accept_non_seal))]
#[allow(clippy::too_many_arguments)]
pub async fn mcra_seal_pdf(
    state: State<'_, AppState>,
    id: String,
    version: Option<u32>,
    lang: Option<String>,
    path: String,
    mut pin: String,
    confirm_final_try: bool,
    accept_non_seal: bool,
) -> Result<SealedAgreementView, IpcError> {
    let secret = SecretString::from(pin.as_str());
    pin.zeroize();
    let (token, catalogue, selector) = (state.token_lock(), state.catalogue(), state.selector());
    let now = OffsetDateTime::now_utc();
    let sealed = tauri::async_runtime::spawn_blocking(move || {
        let out = sealdesk_flows::chosen_path(&path)?;
        with_token(&token, || {
            with_catalogue(&catalogue, |cat| {
                let consent = SealConsent {
                    confirm_final_try,
                    accept_non_seal,
                };
                sealdesk_flows::seal_mcra_pdf(
                    cat,
                    &selector,
                    secret,
                    consent,
                    &id,
                    version,
                    lang.as_deref(),
                    &out,
                    now,
                )
                .map_err(IpcError::from)
            })
        })
    })
    .await??;
    tracing::info!(level = %sealed.level, job = sealed.job, "agreement PDF sealed");
    Ok(SealedAgreementView {
        output: sealed.output,
        level: sealed.level,
        timestamp_error: sealed.timestamp_error,
        report: sealed.report,
    })
}
