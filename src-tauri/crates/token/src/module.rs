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

/// A PKCS#11 module a seal token's vendor ships, with where it is installed on each OS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownModule {
    /// Who makes it and for which tokens, e.g. `SafeNet / Thales eToken`.
    pub vendor: &'static str,
    /// Installed paths on Linux (most common first).
    pub linux: &'static [&'static str],
    /// Installed paths on macOS.
    pub macos: &'static [&'static str],
    /// Installed paths (or DLL names searched on the system path) on Windows.
    pub windows: &'static [&'static str],
}

impl KnownModule {
    /// The paths for the OS this program was built for.
    pub fn paths(&self) -> &'static [&'static str] {
        if cfg!(target_os = "windows") {
            self.windows
        } else if cfg!(target_os = "macos") {
            self.macos
        } else {
            self.linux
        }
    }
}

/// The PKCS#11 modules of the seal tokens European QTSPs hand out, tried in this order:
/// vendor drivers first (they know their token best), then the generic OpenSC and YubiKey
/// modules, the p11-kit proxy (whatever the system registered), and SoftHSM2 (tests, demos)
/// last. Sources: each vendor's installer layout (SafeNet Authentication Client, IDPrime
/// middleware, Bit4id Universal Middleware, proCertum CardManager, OpenSC, yubico-piv-tool,
/// p11-kit, SoftHSM2 packages).
pub const KNOWN_MODULES: &[KnownModule] = &[
    KnownModule {
        vendor: "SafeNet / Thales eToken (SafeNet Authentication Client)",
        linux: &[
            "/usr/lib/libeTPkcs11.so",
            "/usr/lib64/libeTPkcs11.so",
            "/usr/local/lib/libeTPkcs11.so",
        ],
        macos: &[
            "/usr/local/lib/libeTPkcs11.dylib",
            "/Library/Frameworks/eToken.framework/Versions/A/libeToken.dylib",
        ],
        windows: &["C:\\Windows\\System32\\eTPKCS11.dll"],
    },
    KnownModule {
        vendor: "Thales IDPrime",
        linux: &[
            "/usr/lib/libIDPrimePKCS11.so",
            "/usr/lib/x86_64-linux-gnu/libIDPrimePKCS11.so",
            "/usr/lib64/libIDPrimePKCS11.so",
        ],
        macos: &["/usr/local/lib/libIDPrimePKCS11.dylib"],
        windows: &["C:\\Windows\\System32\\IDPrimePKCS11.dll"],
    },
    KnownModule {
        vendor: "Bit4id (Universal Middleware)",
        linux: &[
            "/usr/lib/libbit4xpki.so",
            "/usr/lib/bit4id/libbit4xpki.so",
            "/usr/local/lib/libbit4xpki.so",
        ],
        macos: &[
            "/Library/bit4id/pkcs11/libbit4xpki.dylib",
            "/usr/local/lib/libbit4xpki.dylib",
        ],
        windows: &["C:\\Windows\\System32\\bit4xpki.dll"],
    },
    KnownModule {
        vendor: "Certum (proCertum CardManager)",
        linux: &[
            "/usr/lib/libcryptoCertum3PKCS.so",
            "/opt/proCertumCardManager/libcryptoCertum3PKCS.so",
        ],
        macos: &["/usr/local/lib/libcryptoCertum3PKCS.dylib"],
        windows: &["C:\\Windows\\System32\\cryptoCertum3PKCS.dll"],
    },
    KnownModule {
        vendor: "OpenSC (many national and QTSP cards)",
        linux: &[
            "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
            "/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so",
            "/usr/lib64/opensc-pkcs11.so",
            "/usr/lib/opensc-pkcs11.so",
            "/usr/local/lib/opensc-pkcs11.so",
        ],
        macos: &[
            "/Library/OpenSC/lib/opensc-pkcs11.so",
            "/opt/homebrew/lib/opensc-pkcs11.so",
            "/usr/local/lib/opensc-pkcs11.so",
        ],
        windows: &["C:\\Program Files\\OpenSC Project\\OpenSC\\pkcs11\\opensc-pkcs11.dll"],
    },
    KnownModule {
        vendor: "YubiKey PIV (ykcs11)",
        linux: &[
            "/usr/lib/x86_64-linux-gnu/libykcs11.so",
            "/usr/lib/aarch64-linux-gnu/libykcs11.so",
            "/usr/lib64/libykcs11.so",
            "/usr/local/lib/libykcs11.so",
        ],
        macos: &[
            "/usr/local/lib/libykcs11.dylib",
            "/opt/homebrew/lib/libykcs11.dylib",
        ],
        windows: &["C:\\Program Files\\Yubico\\Yubico PIV Tool\\bin\\libykcs11.dll"],
    },
    KnownModule {
        vendor: "p11-kit proxy (the system's registered modules)",
        linux: &[
            "/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so",
            "/usr/lib/aarch64-linux-gnu/p11-kit-proxy.so",
            "/usr/lib64/p11-kit-proxy.so",
        ],
        macos: &[],
        windows: &[],
    },
    KnownModule {
        vendor: "SoftHSM2 (software token: tests and demos only)",
        linux: &[
            "/usr/lib/softhsm/libsofthsm2.so",
            "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
            "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
            "/usr/lib64/pkcs11/libsofthsm2.so",
            "/usr/local/lib/softhsm/libsofthsm2.so",
        ],
        macos: &[
            "/opt/homebrew/lib/softhsm/libsofthsm2.so",
            "/usr/local/lib/softhsm/libsofthsm2.so",
        ],
        windows: &["C:\\SoftHSM2\\lib\\softhsm2-x64.dll"],
    },
];

/// A module found on this computer, from [`KNOWN_MODULES`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstalledModule {
    /// The vendor line of the table.
    pub vendor: &'static str,
    /// The library file.
    pub path: PathBuf,
}

/// The known modules installed here, in [`KNOWN_MODULES`] order (one entry per file; a
/// vendor may have several). Nothing is loaded.
pub fn installed_modules() -> Vec<InstalledModule> {
    let mut out: Vec<InstalledModule> = Vec::new();
    for known in KNOWN_MODULES {
        for path in known.paths() {
            let path = Path::new(path);
            if !path.is_file() {
                continue;
            }
            // Symlinked duplicates (e.g. /usr/lib and /usr/lib/x86_64-linux-gnu) count once.
            let real = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
            let seen = out
                .iter()
                .any(|m| m.path.canonicalize().unwrap_or_else(|_| m.path.clone()) == real);
            if !seen {
                out.push(InstalledModule {
                    vendor: known.vendor,
                    path: path.to_path_buf(),
                });
            }
        }
    }
    out
}

/// Where the module in use came from (the resolution order, first wins).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ModuleSource {
    /// Given for this call (command-line option).
    Explicit,
    /// `SEALDESK_PKCS11_MODULE`.
    Environment,
    /// Chosen by the user earlier and remembered (catalogue setting `token.module`).
    Remembered,
    /// Found in [`KNOWN_MODULES`].
    Discovered,
}

/// Finds the module to use: `explicit` if given, else `$SEALDESK_PKCS11_MODULE`, else the first
/// installed known module ([`installed_modules`]). An explicit or environment path that does not
/// exist is an error (no silent fallback to another module); the error lists every path tried.
pub fn discover_module(explicit: Option<&Path>) -> Result<PathBuf, TokenError> {
    discover_module_with(explicit, std::env::var_os(MODULE_ENV))
}

/// [`discover_module`] with the environment value passed in (for tests and callers that read
/// settings from elsewhere).
pub fn discover_module_with(
    explicit: Option<&Path>,
    env_value: Option<OsString>,
) -> Result<PathBuf, TokenError> {
    resolve_module(explicit, env_value, None).map(|(path, _)| path)
}

/// The full resolution: explicit > environment > remembered > discovery, with where the
/// answer came from. A given path (of any of the first three) that does not exist is an error.
pub fn resolve_module(
    explicit: Option<&Path>,
    env_value: Option<OsString>,
    remembered: Option<&Path>,
) -> Result<(PathBuf, ModuleSource), TokenError> {
    if let Some(path) = explicit {
        return existing(path.to_path_buf()).map(|p| (p, ModuleSource::Explicit));
    }
    if let Some(value) = env_value.filter(|v| !v.is_empty()) {
        return existing(PathBuf::from(value)).map(|p| (p, ModuleSource::Environment));
    }
    if let Some(path) = remembered.filter(|p| !p.as_os_str().is_empty()) {
        return existing(path.to_path_buf()).map(|p| (p, ModuleSource::Remembered));
    }
    match installed_modules().into_iter().next() {
        Some(found) => Ok((found.path, ModuleSource::Discovered)),
        None => Err(TokenError::ModuleNotFound {
            tried: known_paths(),
        }),
    }
}

fn existing(path: PathBuf) -> Result<PathBuf, TokenError> {
    if path.is_file() {
        Ok(path)
    } else {
        Err(TokenError::ModuleNotFound { tried: vec![path] })
    }
}

/// Every path of [`KNOWN_MODULES`] for this OS, in order.
pub fn known_paths() -> Vec<PathBuf> {
    KNOWN_MODULES
        .iter()
        .flat_map(|k| k.paths().iter().map(PathBuf::from))
        .collect()
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

/// How often a `CKR_GENERAL_ERROR` from a read of the token's state is tried again, and the
/// pause before each new try.
const GENERAL_ERROR_RETRIES: [std::time::Duration; 3] = [
    std::time::Duration::from_millis(20),
    std::time::Duration::from_millis(60),
    std::time::Duration::from_millis(150),
];

/// `C_GetTokenInfo`, tried again after a `CKR_GENERAL_ERROR`.
///
/// SoftHSM2's file store (the demo and test token) rewrites `token.object` on every `C_Login`,
/// truncating it before it takes its lock; another process reading the token's flags at that
/// moment gets `CKR_GENERAL_ERROR`. The call only reads, so a short retry is harmless on any
/// token; other errors, and a general error that persists, are returned as they are.
pub(crate) fn token_info(
    ctx: &Pkcs11,
    slot: cryptoki::slot::Slot,
) -> Result<cryptoki::slot::TokenInfo, TokenError> {
    let mut pauses = GENERAL_ERROR_RETRIES.iter();
    loop {
        match ctx.get_token_info(slot) {
            Err(error @ Error::Pkcs11(RvError::GeneralError, _)) => match pauses.next() {
                Some(pause) => {
                    tracing::warn!("C_GetTokenInfo: general error; trying again");
                    std::thread::sleep(*pause);
                }
                None => return Err(TokenError::pkcs11("C_GetTokenInfo", error)),
            },
            other => return other.map_err(|e| TokenError::pkcs11("C_GetTokenInfo", e)),
        }
    }
}

/// The pauses before each new try of a token call whose failure can be passing (see
/// [`token_info`]).
pub(crate) fn general_error_pauses() -> impl Iterator<Item = std::time::Duration> {
    GENERAL_ERROR_RETRIES.iter().copied()
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
            Ok(path) => assert_eq!(
                Some(path),
                installed_modules().first().map(|m| m.path.clone()),
                "the first installed known module"
            ),
            Err(TokenError::ModuleNotFound { tried }) => {
                assert_eq!(tried, known_paths(), "every known location is reported")
            }
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }

    #[test]
    fn the_table_names_the_vendors_seal_tokens_come_with() {
        let paths = known_paths();
        let all: Vec<&str> = paths
            .iter()
            .filter_map(|p| p.file_name().and_then(|n| n.to_str()))
            .map(|n| n.trim_start_matches("lib"))
            .collect::<Vec<_>>();
        for expected in [
            "eTPkcs11",
            "IDPrimePKCS11",
            "bit4xpki",
            "cryptoCertum3PKCS",
            "opensc-pkcs11",
            "ykcs11",
            "softhsm2",
        ] {
            assert!(
                all.iter().any(|n| n.starts_with(expected)),
                "{expected} is in the table: {all:?}"
            );
        }
        let last = KNOWN_MODULES.last().map(|k| k.vendor).unwrap_or_default();
        assert!(
            last.starts_with("SoftHSM2"),
            "the software token is tried last"
        );
    }

    #[test]
    fn remembered_path_comes_after_environment_and_before_discovery() {
        let remembered = tempfile::NamedTempFile::new().expect("temp file");
        let env = tempfile::NamedTempFile::new().expect("temp file");
        let (path, source) = resolve_module(None, None, Some(remembered.path())).expect("found");
        assert_eq!(
            (path.as_path(), source),
            (remembered.path(), ModuleSource::Remembered),
            "remembered"
        );
        let (path, source) = resolve_module(
            None,
            Some(env.path().as_os_str().to_owned()),
            Some(remembered.path()),
        )
        .expect("found");
        assert_eq!(
            (path.as_path(), source),
            (env.path(), ModuleSource::Environment),
            "env wins"
        );
        let gone = Path::new("/nonexistent/sealdesk/remembered.so");
        assert!(
            matches!(
                resolve_module(None, None, Some(gone)),
                Err(TokenError::ModuleNotFound { .. })
            ),
            "a remembered module that was uninstalled is reported, not replaced"
        );
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
