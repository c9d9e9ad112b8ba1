//! Finding and loading PKCS#11 modules.
//!
//! A module is loaded and `C_Initialize`d once per process and kept for the life of the process:
//! PKCS#11 state (initialisation, login) is per application, so two loads of the same library
//! share it, and finalising one would pull the rug from under the other. This module owns that
//! registry; it does not know about tokens or keys.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error, RvError};

use crate::TokenError;

/// The environment variable naming the PKCS#11 module.
pub const MODULE_ENV: &str = "SEALDESK_PKCS11_MODULE";

/// Library file names of common seal tokens' PKCS#11 modules, most specific first.
pub const KNOWN_MODULE_NAMES: &[&str] = &[
    "libeTPkcs11.so",         // SafeNet / Thales eToken
    "libIDPrimePKCS11.so",    // Thales IDPrime
    "libykcs11.so",           // YubiKey PIV
    "opensc-pkcs11.so",       // OpenSC (many cards)
    "softhsm/libsofthsm2.so", // SoftHSM2 (tests, demos)
    "libsofthsm2.so",
];

/// Directories searched for [`KNOWN_MODULE_NAMES`].
pub const KNOWN_MODULE_DIRS: &[&str] = &[
    "/usr/lib",
    "/usr/lib/x86_64-linux-gnu",
    "/usr/lib/aarch64-linux-gnu",
    "/usr/lib64",
    "/usr/local/lib",
    "/usr/lib/pkcs11",
    "/usr/lib/x86_64-linux-gnu/pkcs11",
    "/usr/lib64/pkcs11",
    "/opt/homebrew/lib",
];

/// Finds the module to use: `explicit` if given, else `$SEALDESK_PKCS11_MODULE`, else the first
/// known location that exists. An explicit or environment path that does not exist is an error
/// (no silent fallback to another module); the error lists every path tried.
pub fn discover_module(explicit: Option<&Path>) -> Result<PathBuf, TokenError> {
    discover_module_with(explicit, std::env::var_os(MODULE_ENV))
}

/// [`discover_module`] with the environment value passed in (for tests and callers that read
/// settings from elsewhere).
pub fn discover_module_with(
    explicit: Option<&Path>,
    env_value: Option<OsString>,
) -> Result<PathBuf, TokenError> {
    if let Some(path) = explicit {
        return existing(path.to_path_buf());
    }
    if let Some(value) = env_value.filter(|v| !v.is_empty()) {
        return existing(PathBuf::from(value));
    }
    let mut tried = Vec::new();
    for dir in KNOWN_MODULE_DIRS {
        for name in KNOWN_MODULE_NAMES {
            let path = Path::new(dir).join(name);
            if path.is_file() {
                return Ok(path);
            }
            tried.push(path);
        }
    }
    Err(TokenError::ModuleNotFound { tried })
}

fn existing(path: PathBuf) -> Result<PathBuf, TokenError> {
    if path.is_file() {
        Ok(path)
    } else {
        Err(TokenError::ModuleNotFound { tried: vec![path] })
    }
}

/// The process-wide, initialised context for `path` (loaded on first use).
pub(crate) fn context(path: &Path) -> Result<Pkcs11, TokenError> {
    static MODULES: OnceLock<Mutex<HashMap<PathBuf, Pkcs11>>> = OnceLock::new();
    if !path.is_file() {
        return Err(TokenError::ModuleNotFound {
            tried: vec![path.to_path_buf()],
        });
    }
    let key = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let modules = MODULES.get_or_init(|| Mutex::new(HashMap::new()));
    // A poisoned lock only means another thread panicked while inserting; the map is still
    // usable (an entry is either fully inserted or absent).
    let mut modules = modules
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(ctx) = modules.get(&key) {
        return Ok(ctx.clone());
    }
    let _span = tracing::info_span!("pkcs11.load", module = %key.display()).entered();
    let ctx = Pkcs11::new(&key).map_err(|source| TokenError::ModuleLoad {
        path: path.to_path_buf(),
        source,
    })?;
    match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) => {}
        // Someone else in this process (another path to the same library) initialised it.
        Err(Error::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
        Err(source) => return Err(TokenError::pkcs11("C_Initialize", source)),
    }
    modules.insert(key, ctx.clone());
    Ok(ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_path_wins_and_is_not_replaced_when_missing() {
        let missing = Path::new("/nonexistent/sealdesk/libnothing.so");
        let result = discover_module_with(
            Some(missing),
            Some("/usr/lib/softhsm/libsofthsm2.so".into()),
        );
        match result {
            Err(TokenError::ModuleNotFound { tried }) => {
                assert_eq!(
                    tried,
                    [missing.to_path_buf()],
                    "only the explicit path was tried"
                )
            }
            other => panic!("a missing explicit module is an error, got {other:?}"),
        }
    }

    #[test]
    fn environment_is_used_when_no_explicit_path() {
        let file = tempfile::NamedTempFile::new().expect("temp file");
        let found = discover_module_with(None, Some(file.path().as_os_str().to_owned()))
            .expect("an existing env path is taken");
        assert_eq!(found, file.path(), "env path returned as is");
    }

    #[test]
    fn known_locations_are_listed_when_nothing_found_or_first_hit_returned() {
        match discover_module_with(None, None) {
            Ok(path) => assert!(path.is_file(), "{} exists", path.display()),
            Err(TokenError::ModuleNotFound { tried }) => assert_eq!(
                tried.len(),
                KNOWN_MODULE_DIRS.len() * KNOWN_MODULE_NAMES.len(),
                "every known location is reported"
            ),
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }

    #[test]
    fn a_file_that_is_not_a_library_fails_to_load() {
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        std::io::Write::write_all(&mut file, b"not a shared object").expect("write");
        let result = context(file.path());
        assert!(
            matches!(result, Err(TokenError::ModuleLoad { .. })),
            "a text file is not loadable: {result:?}"
        );
    }
}
