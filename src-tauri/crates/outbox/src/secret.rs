//! The SMTP password and the wallet token: from the environment, the OS keyring, or a file
//! readable by the user only — never in the catalogue, never in a log.
//!
//! Lookup order: the environment (`SEALDESK_SMTP_PASSWORD`, `SEALDESK_WALLET_TOKEN`) wins; then
//! the OS keyring (Secret Service on Linux, service `eu.sealdesk.desktop`); then the file
//! `<data dir>/secrets/<name>` (mode 0600). Storing goes to the keyring when one answers, else
//! to the file. `SEALDESK_NO_KEYRING=1` skips the keyring (tests, headless machines).

use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroize;

use crate::OutboxError;

/// The keyring service name (the app identifier).
pub const SERVICE: &str = "eu.sealdesk.desktop";

/// Which secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    /// The SMTP login password.
    SmtpPassword,
    /// The wallet's bearer token.
    WalletToken,
}

impl SecretKind {
    /// The environment variable that overrides everything.
    pub fn env(self) -> &'static str {
        match self {
            Self::SmtpPassword => "SEALDESK_SMTP_PASSWORD",
            Self::WalletToken => "SEALDESK_WALLET_TOKEN",
        }
    }

    /// The keyring entry and file name.
    pub fn name(self) -> &'static str {
        match self {
            Self::SmtpPassword => "smtp-password",
            Self::WalletToken => "wallet-token",
        }
    }
}

/// Where a stored secret went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredIn {
    /// The OS keyring.
    Keyring,
    /// A file readable by the user only.
    File(PathBuf),
}

/// Secrets of one installation (its data folder).
#[derive(Debug, Clone)]
pub struct SecretStore {
    dir: PathBuf,
    keyring: bool,
}

impl SecretStore {
    /// The store for the data folder `data_dir`.
    pub fn new(data_dir: &Path) -> Self {
        Self {
            dir: data_dir.join("secrets"),
            keyring: std::env::var_os("SEALDESK_NO_KEYRING").is_none_or(|v| v.is_empty()),
        }
    }

    /// The fallback file of `kind`.
    pub fn file(&self, kind: SecretKind) -> PathBuf {
        self.dir.join(kind.name())
    }

    fn entry(&self, kind: SecretKind) -> Option<keyring::Entry> {
        if !self.keyring {
            return None;
        }
        keyring::Entry::new(SERVICE, kind.name()).ok()
    }

    /// The secret, if any is set.
    pub fn load(&self, kind: SecretKind) -> Result<Option<SecretString>, OutboxError> {
        if let Ok(mut value) = std::env::var(kind.env()) {
            if !value.is_empty() {
                let secret = SecretString::from(value.clone());
                value.zeroize();
                return Ok(Some(secret));
            }
        }
        if let Some(entry) = self.entry(kind) {
            match entry.get_password() {
                Ok(value) => return Ok(Some(SecretString::from(value))),
                Err(keyring::Error::NoEntry) => {}
                Err(e) => tracing::debug!(error = %e, "no usable keyring, trying the file"),
            }
        }
        let path = self.file(kind);
        match std::fs::read_to_string(&path) {
            Ok(mut text) => {
                let value = text.trim_end_matches(['\r', '\n']).to_owned();
                text.zeroize();
                Ok((!value.is_empty()).then(|| SecretString::from(value)))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(OutboxError::SecretFile { path, source }),
        }
    }

    /// Stores the secret: in the keyring if one answers, else in the 0600 file.
    pub fn store(&self, kind: SecretKind, value: &SecretString) -> Result<StoredIn, OutboxError> {
        if let Some(entry) = self.entry(kind) {
            match entry.set_password(value.expose_secret()) {
                Ok(()) => {
                    let _ = std::fs::remove_file(self.file(kind));
                    return Ok(StoredIn::Keyring);
                }
                Err(keyring::Error::NoStorageAccess(_) | keyring::Error::PlatformFailure(_)) => {}
                Err(e) => return Err(OutboxError::Keyring(e)),
            }
        }
        let path = self.file(kind);
        write_private(&path, value.expose_secret().as_bytes()).map_err(|source| {
            OutboxError::SecretFile {
                path: path.clone(),
                source,
            }
        })?;
        Ok(StoredIn::File(path))
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let tmp = path.with_extension("part");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let mut file = options.open(&tmp)?;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        file.write_all(bytes)?;
        file.sync_all()?;
    }
    #[cfg(not(unix))]
    {
        let mut file = options.open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_fallback_is_private_and_round_trips() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = SecretStore {
            dir: dir.path().join("secrets"),
            keyring: false,
        };
        let stored = store
            .store(SecretKind::WalletToken, &SecretString::from("t0ken"))
            .expect("store");
        let StoredIn::File(path) = stored else {
            panic!("file expected without keyring: {stored:?}");
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "user-only file: {mode:o}");
        }
        let back = store
            .load(SecretKind::WalletToken)
            .expect("load")
            .expect("some");
        assert_eq!(back.expose_secret(), "t0ken", "same secret back");
    }
}
