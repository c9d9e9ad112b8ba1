//! Files the person names in the window (export to, save as, import from): the path must be a
//! full path (the app's working folder means nothing to the person), a written file is replaced
//! whole — written beside it, then renamed — and never left half-written, and a read stops at
//! [`MAX_CHOSEN_FILE_BYTES`]. What goes into the files is decided by the callers (agreements,
//! learning opportunities, PDFs), not here.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::FlowError;

/// The largest file [`read_chosen_file`] reads (an exchange file of many agreements is a few
/// hundred KB).
pub const MAX_CHOSEN_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// The path typed (or dropped) in the window, trimmed; refused unless it is a full path.
pub fn chosen_path(text: &str) -> Result<PathBuf, FlowError> {
    let path = PathBuf::from(text.trim());
    if !path.is_absolute() {
        return Err(FlowError::PathNotAbsolute {
            path: text.trim().to_owned(),
        });
    }
    Ok(path)
}

/// Writes `bytes` to `out` (a full path whose folder exists), replacing any file there whole:
/// the bytes go to `<out>.part` first and are renamed over `out`, and the part file is removed
/// when that fails. Answers the path written.
pub fn write_chosen_file(out: &Path, bytes: &[u8]) -> Result<String, FlowError> {
    let _span = tracing::info_span!("flows.write_chosen_file", bytes = bytes.len()).entered();
    let io = |source| FlowError::Output {
        path: out.to_path_buf(),
        source,
    };
    if out.is_dir() {
        return Err(io(std::io::Error::other(
            "this is a folder: add a file name to the path",
        )));
    }
    let mut part = out.as_os_str().to_owned();
    part.push(".part");
    let part = PathBuf::from(part);
    let written = std::fs::write(&part, bytes).and_then(|()| std::fs::rename(&part, out));
    if let Err(source) = written {
        // Best effort: the write error is what the person needs to see.
        let _ = std::fs::remove_file(&part);
        return Err(io(source));
    }
    Ok(out.display().to_string())
}

/// Reads the file at `path` whole, refusing one larger than [`MAX_CHOSEN_FILE_BYTES`].
pub fn read_chosen_file(path: &Path) -> Result<Vec<u8>, FlowError> {
    let unreadable = |source| FlowError::Unreadable {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let mut bytes = Vec::new();
    file.take(MAX_CHOSEN_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_CHOSEN_FILE_BYTES {
        return Err(unreadable(std::io::Error::other(format!(
            "larger than {} MB: not a file Sealdesk reads",
            MAX_CHOSEN_FILE_BYTES / (1024 * 1024)
        ))));
    }
    Ok(bytes)
}

/// The file name of `path` (for messages and import origins), or the whole path.
pub fn chosen_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}
