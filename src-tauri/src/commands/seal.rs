//! Sealing: the sample credential sealed on the token, answered with the verification
//! report of what was sealed. The PIN goes into a `SecretString` at once; the IPC copy
//! is zeroized, and the PIN is never logged nor sent back.

use sealdesk_flows::{SealConsent, VerificationReport};
use secrecy::SecretString;
use tauri::State;
use time::OffsetDateTime;
use zeroize::Zeroize;

use crate::error::IpcError;
use crate::state::{with_catalogue, with_token, AppState};

/// Seals the bundled sample credential with the token's seal key and verifies the result.
///
/// `confirm_final_try` must be true when the token reports that one wrong PIN would lock it;
/// `accept_non_seal` when the person chose to seal with a certificate that is not a seal
/// certificate after being told so (error code `NotASealCertificate`).
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, fields(confirm_final_try, accept_non_seal))]
pub async fn seal_sample(
    state: State<'_, AppState>,
    mut pin: String,
    confirm_final_try: bool,
    accept_non_seal: bool,
) -> Result<VerificationReport, IpcError> {
    let secret = SecretString::from(pin.as_str());
    pin.zeroize();
    let (token, catalogue, selector) = (state.token_lock(), state.catalogue(), state.selector());
    let now = OffsetDateTime::now_utc();
    let sealed = tauri::async_runtime::spawn_blocking(move || {
        with_token(&token, || {
            with_catalogue(&catalogue, |cat| {
                let consent = SealConsent {
                    confirm_final_try,
                    accept_non_seal,
                };
                sealdesk_flows::seal_sample(cat, &selector, secret, consent, now)
                    .map_err(IpcError::from)
            })
        })
    })
    .await??;
    tracing::info!(credential_id = %sealed.credential_id, "sample credential sealed");
    Ok(sealed.report)
}
