//! "Verify a credential": a file chosen or dropped in the window is verified with the
//! trusted lists cached in the catalogue, and the report comes back with the cache's age.
//! The checks themselves are `sealdesk_flows::verify_with_lists`; nothing is decided here.

use std::io::Read;
use std::path::{Path, PathBuf};

use sealdesk_catalogue::Catalogue;
use sealdesk_flows::{ErrorCode, TrustAnchors, VerificationReport};
use serde::Serialize;
use tauri::State;
use time::OffsetDateTime;

use crate::commands::trust::{cache_view, TrustCacheView};
use crate::error::IpcError;
use crate::state::{on_catalogue, AppState};

/// Largest file the window may hand over: a sealed credential is kilobytes, a sealed PDF a few
/// megabytes.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// A verification as the "Verify" screen shows it.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct VerifyView {
    /// The checks, seals and findings.
    pub report: VerificationReport,
    /// The trusted lists that decided the qualification check, and their age.
    pub trusted_lists: TrustCacheView,
}

/// Verifies `bytes` (named `name`) at `now` with the cached trusted lists. No trust anchors
/// are configured in the app: the chain is decided by the trusted lists alone.
pub fn verify_in(
    catalogue: &Catalogue,
    bytes: &[u8],
    name: &str,
    now: OffsetDateTime,
) -> Result<VerifyView, IpcError> {
    let trusted_lists = cache_view(catalogue, now)?;
    let cached = if trusted_lists.lists.is_empty() {
        None
    } else {
        Some(sealdesk_flows::cached_trusted_lists(catalogue).map_err(IpcError::from)?)
    };
    let report = sealdesk_flows::verify_with_lists(
        bytes,
        name,
        &TrustAnchors::empty(),
        cached.as_ref(),
        now,
    )
    .map_err(IpcError::from)?;
    Ok(VerifyView {
        report,
        trusted_lists,
    })
}

/// Reads a file the person chose, refusing anything larger than [`MAX_FILE_BYTES`].
fn read_limited(path: &Path) -> Result<Vec<u8>, IpcError> {
    let unreadable = |e: std::io::Error| IpcError {
        code: ErrorCode::Storage,
        message: format!("cannot read {}: {e}; check the path", path.display()),
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(&path.display().to_string()));
    }
    Ok(bytes)
}

fn too_large(name: &str) -> IpcError {
    IpcError {
        code: ErrorCode::InvalidInput,
        message: format!(
            "{name} is larger than {} MiB: not a credential Sealdesk can verify",
            MAX_FILE_BYTES / (1024 * 1024)
        ),
    }
}

/// Verifies the file at `path` (a file dropped on the window).
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn verify_file(state: State<'_, AppState>, path: String) -> Result<VerifyView, IpcError> {
    let path = PathBuf::from(path);
    let now = OffsetDateTime::now_utc();
    on_catalogue(&state, move |cat| {
        let bytes = read_limited(&path)?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        verify_in(cat, &bytes, &name, now)
    })
    .await
}

/// Verifies the bytes of a file chosen in the window (`name` is its file name).
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, fields(len = bytes.len()))]
pub async fn verify_bytes(
    state: State<'_, AppState>,
    name: String,
    bytes: Vec<u8>,
) -> Result<VerifyView, IpcError> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(&name));
    }
    let now = OffsetDateTime::now_utc();
    on_catalogue(&state, move |cat| verify_in(cat, &bytes, &name, now)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
    }

    fn sample() -> Vec<u8> {
        std::fs::read(root().join(
            "../shared/reference/edci-platform/jades-sealed/json_to_seal-signed-jades-baseline-lta.json",
        ))
        .expect("the official B-LTA sample is readable")
    }

    fn status_of<'a>(view: &'a VerifyView, check: &str) -> &'a str {
        view.report
            .checks
            .iter()
            .find(|c| c.check == check)
            .map(|c| match c.status {
                sealdesk_flows::CheckStatus::Ok => "ok",
                sealdesk_flows::CheckStatus::Error => "error",
                sealdesk_flows::CheckStatus::Warning => "warning",
                sealdesk_flows::CheckStatus::Skipped => "skipped",
            })
            .unwrap_or("absent")
    }

    #[test]
    fn the_official_sample_is_intact_b_lta_and_not_trusted_without_lists() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cat = Catalogue::open(&dir.path().join("c.sqlite3")).expect("catalogue opens");
        let view = verify_in(&cat, &sample(), "sample.json", OffsetDateTime::now_utc())
            .expect("the sample verifies");
        assert!(
            view.report.sealed && view.report.intact,
            "sealed and intact"
        );
        assert_eq!(
            view.report.signatures.first().map(|s| s.level.as_str()),
            Some("B-LTA"),
            "the sample is B-LTA"
        );
        assert_eq!(
            status_of(&view, "trust"),
            "error",
            "the test CA is not trusted"
        );
        assert!(
            view.trusted_lists
                .summary
                .starts_with("no trusted lists cached"),
            "the view says no list is cached: {}",
            view.trusted_lists.summary
        );
    }

    #[test]
    fn one_changed_payload_byte_breaks_the_seal() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cat = Catalogue::open(&dir.path().join("c.sqlite3")).expect("catalogue opens");
        let text = String::from_utf8(sample()).expect("utf-8");
        // A letter of the holder's DID, inside the (unencoded) payload.
        let at = text.find("did:ebsi:").expect("the payload names a DID") + "did:ebsi:".len();
        let mut bytes = text.into_bytes();
        bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
        let view = verify_in(&cat, &bytes, "changed.json", OffsetDateTime::now_utc())
            .expect("a changed file is still a verdict");
        assert!(view.report.sealed, "still sealed");
        assert!(
            !view.report.intact,
            "a changed payload byte breaks the seal"
        );
        assert_eq!(status_of(&view, "seal"), "error", "the seal check fails");
    }

    #[test]
    fn a_file_that_is_not_json_names_the_place() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cat = Catalogue::open(&dir.path().join("c.sqlite3")).expect("catalogue opens");
        let error = verify_in(&cat, b"{\"a\":\n", "bad.json", OffsetDateTime::now_utc())
            .expect_err("not JSON is an error");
        assert!(
            matches!(error.code, ErrorCode::InvalidInput),
            "invalid input: {error:?}"
        );
        assert!(
            error.message.contains("line 2"),
            "the message names the line: {}",
            error.message
        );
    }

    #[test]
    fn a_missing_file_is_a_storage_error_naming_it() {
        let error = read_limited(Path::new("/nonexistent/x.json")).expect_err("missing file");
        assert!(
            matches!(error.code, ErrorCode::Storage),
            "storage: {error:?}"
        );
        assert!(
            error.message.contains("/nonexistent/x.json"),
            "{}",
            error.message
        );
    }
}
