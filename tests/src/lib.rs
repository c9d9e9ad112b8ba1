//! Test support for Sealdesk: a real SoftHSM2 token with a throwaway test PKI, and the paths
//! tests need (the repository root, the shared reference data beside it).
//!
//! This crate owns `tests/harness/` (the `mktoken.sh` script) and its Rust face. It depends on
//! none of Sealdesk's crates, so every crate can dev-depend on it. It panics with a clear message
//! when something is missing: it is test support, not product code.
//!
//! SoftHSM2 reads `SOFTHSM2_CONF` once, at `C_Initialize`, from the process environment. A test
//! process that loads the module itself must therefore use [`TestToken::shared`] (which sets
//! the variable once, before anyone initialises the module) and not [`TestToken::create`]; the
//! latter is for tokens driven through child processes ([`TestToken::envs`]).

pub mod services;

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde::Deserialize;
use tempfile::TempDir;

const CKF_USER_PIN_COUNT_LOW: u64 = 0x0001_0000;
const CKF_USER_PIN_FINAL_TRY: u64 = 0x0002_0000;
const CKF_USER_PIN_LOCKED: u64 = 0x0004_0000;

/// The label of the token made by [`TestToken::create`] and [`TestToken::shared`].
pub const DEFAULT_LABEL: &str = "TEST";

/// A SoftHSM2 token made by `tests/harness/mktoken.sh` in a temporary directory that lives as
/// long as this value.
///
/// The token holds four keys, each with a certificate of the same CKA_ID (see [`TestKey`]):
/// `01` RSA-3072 qualified seal (the default), `02` RSA-2048 expired qualified seal, `03` EC P-256
/// plain certificate, `04` RSA-2048 `CKA_ALWAYS_AUTHENTICATE` qualified seal, `05` EC P-384
/// qualified seal; plus the test CA certificate under id `a0`.
pub struct TestToken {
    /// The directory holding the store, the PKI and `token.env` / `token.json`.
    pub dir: PathBuf,
    /// The SoftHSM2 PKCS#11 module.
    pub module: PathBuf,
    /// The token label.
    pub label: String,
    /// The user PIN (`SEALDESK_TEST_PIN`, default `123456`).
    pub pin: String,
    /// The security officer PIN.
    pub so_pin: String,
    /// The `softhsm2.conf` pointing at this token store.
    pub softhsm_conf: PathBuf,
    /// The test CA certificate (PEM).
    pub ca_pem: PathBuf,
    /// The test CA certificate (DER).
    pub ca_der: PathBuf,
    /// The keys on the token, in id order.
    pub keys: Vec<TestKey>,
    _tempdir: TempDir,
}

/// One key pair on the test token and what its certificate is meant to be.
#[derive(Debug, Clone, Deserialize)]
pub struct TestKey {
    /// CKA_ID in lower-case hex (`"01"`).
    pub id: String,
    /// Certificate (PEM) file.
    pub cert_pem: PathBuf,
    /// Certificate (DER) file.
    pub cert_der: PathBuf,
    /// Key kind: `rsa3072`, `rsa2048`, `ec-p256` or `ec-p384`.
    pub key: String,
    /// Whether the certificate carries the qualified e-seal statements and nonRepudiation.
    pub qualified: bool,
    /// Whether the certificate's validity ended in the past.
    pub expired: bool,
    /// Whether the key has `CKA_ALWAYS_AUTHENTICATE` (PIN per signature).
    pub always_authenticate: bool,
}

#[derive(Deserialize)]
struct TokenJson {
    module: PathBuf,
    label: String,
    pin: String,
    so_pin: String,
    softhsm2_conf: PathBuf,
    ca_pem: PathBuf,
    ca_der: PathBuf,
    keys: Vec<TestKey>,
}

impl TestToken {
    /// Creates a fresh token labelled [`DEFAULT_LABEL`] in a new temporary directory.
    pub fn create() -> TestToken {
        Self::create_labelled(DEFAULT_LABEL)
    }

    /// Creates a fresh token with the given label in a new temporary directory.
    pub fn create_labelled(label: &str) -> TestToken {
        let tempdir = tempfile::Builder::new()
            .prefix("sealdesk-token-")
            .tempdir()
            .unwrap_or_else(|e| panic!("cannot create a temporary directory for the token: {e}"));
        let script = repo_root().join("tests/harness/mktoken.sh");
        let output = Command::new("bash")
            .arg(&script)
            .arg(tempdir.path())
            .arg(label)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
        if !output.status.success() {
            panic!(
                "{} failed ({}):\n{}{}",
                script.display(),
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let json_path = tempdir.path().join("token.json");
        let text = std::fs::read_to_string(&json_path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", json_path.display()));
        let facts: TokenJson = serde_json::from_str(&text).unwrap_or_else(|e| {
            panic!("{} is not what mktoken.sh writes: {e}", json_path.display())
        });
        TestToken {
            dir: tempdir.path().to_path_buf(),
            module: facts.module,
            label: facts.label,
            pin: facts.pin,
            so_pin: facts.so_pin,
            softhsm_conf: facts.softhsm2_conf,
            ca_pem: facts.ca_pem,
            ca_der: facts.ca_der,
            keys: facts.keys,
            _tempdir: tempdir,
        }
    }

    /// The token of this test process: created on first use, and `SOFTHSM2_CONF` set to it in
    /// the process environment (once, before any test can initialise the module).
    pub fn shared() -> &'static TestToken {
        static SHARED: OnceLock<TestToken> = OnceLock::new();
        SHARED.get_or_init(|| {
            let token = TestToken::create();
            // Edition 2021: set_var is safe to call; doing it inside the OnceLock init means it
            // happens once, before any caller of `shared()` can load the module.
            std::env::set_var("SOFTHSM2_CONF", &token.softhsm_conf);
            token
        })
    }

    /// The environment a child process needs to use this token (`Command::envs`).
    pub fn envs(&self) -> Vec<(String, String)> {
        vec![
            (
                "SOFTHSM2_CONF".to_owned(),
                self.softhsm_conf.display().to_string(),
            ),
            (
                "SEALDESK_PKCS11_MODULE".to_owned(),
                self.module.display().to_string(),
            ),
            ("SEALDESK_TOKEN_LABEL".to_owned(), self.label.clone()),
            ("SEALDESK_PIN".to_owned(), self.pin.clone()),
        ]
    }

    /// The key with the given CKA_ID (hex); panics if the harness made no such key.
    pub fn key(&self, id: &str) -> &TestKey {
        self.keys
            .iter()
            .find(|k| k.id.eq_ignore_ascii_case(id))
            .unwrap_or_else(|| panic!("the test token has no key {id}"))
    }

    /// The DER certificate of the key with the given CKA_ID.
    pub fn cert_der(&self, id: &str) -> Vec<u8> {
        let path = &self.key(id).cert_der;
        std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
    }

    /// Marks the user PIN as locked (CKF_USER_PIN_LOCKED) in the token's store.
    ///
    /// SoftHSM2 has no retry limit, so this edits the stored token flags: SoftHSM then *reports*
    /// the PIN as locked in C_GetTokenInfo (it still accepts the PIN, so this tests refusals
    /// that happen before login). Call it before any process loads the module for this token
    /// (a child process, or this process before its first use of the module).
    pub fn lock_user_pin(&self) {
        self.add_token_flags(CKF_USER_PIN_LOCKED);
    }

    /// Marks the user PIN as on its final try (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY);
    /// same caveats as [`TestToken::lock_user_pin`].
    pub fn set_user_pin_final_try(&self) {
        self.add_token_flags(CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY);
    }

    /// ORs `bits` into the CKA_OS_TOKENFLAGS attribute of SoftHSM2's `token.object` (file
    /// format: 8-byte attribute type, 8-byte kind (2 = unsigned long), 8-byte big-endian value).
    fn add_token_flags(&self, bits: u64) {
        const PATTERN: [u8; 16] = [0, 0, 0, 0, 0x80, 0, 0x53, 0x4b, 0, 0, 0, 0, 0, 0, 0, 2];
        let tokens = self.dir.join("tokens");
        let entries = std::fs::read_dir(&tokens)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", tokens.display()));
        let mut patched = 0;
        for entry in entries.flatten() {
            let path = entry.path().join("token.object");
            let Ok(mut bytes) = std::fs::read(&path) else {
                continue;
            };
            let at = bytes
                .windows(PATTERN.len())
                .position(|w| w == PATTERN)
                .unwrap_or_else(|| panic!("no token flags in {}", path.display()));
            let value_at = at + PATTERN.len();
            let mut value = [0u8; 8];
            value.copy_from_slice(&bytes[value_at..value_at + 8]);
            let flags = u64::from_be_bytes(value) | bits;
            bytes[value_at..value_at + 8].copy_from_slice(&flags.to_be_bytes());
            std::fs::write(&path, &bytes)
                .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
            patched += 1;
        }
        assert_eq!(
            patched,
            1,
            "exactly one token store in {}",
            tokens.display()
        );
    }

    /// The DER certificate of the test CA.
    pub fn ca_cert_der(&self) -> Vec<u8> {
        std::fs::read(&self.ca_der)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", self.ca_der.display()))
    }
}

impl fmt::Debug for TestToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestToken")
            .field("dir", &self.dir)
            .field("module", &self.module)
            .field("label", &self.label)
            .field("pin", &"<redacted>")
            .field("keys", &self.keys)
            .finish_non_exhaustive()
    }
}

/// The repository root (the directory holding the workspace `Cargo.toml`).
pub fn repo_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .unwrap_or_else(|| panic!("{} has no parent directory", manifest.display()))
        .to_path_buf()
}

/// The shared reference data beside the repository (`repo_root()/../shared`).
pub fn shared_dir() -> PathBuf {
    let root = repo_root();
    let shared = root
        .parent()
        .unwrap_or_else(|| panic!("{} has no parent directory", root.display()))
        .join("shared");
    if !shared.is_dir() {
        panic!(
            "{} is missing: clone the shared reference data beside the repository",
            shared.display()
        );
    }
    shared
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_makes_four_keys_and_the_files_it_names() {
        let token = TestToken::create_labelled("HARNESS");
        assert_eq!(
            token.label, "HARNESS",
            "the label passed to mktoken.sh is kept"
        );
        let ids: Vec<&str> = token.keys.iter().map(|k| k.id.as_str()).collect();
        assert_eq!(
            ids,
            ["01", "02", "03", "04", "05"],
            "mktoken.sh makes keys 01..05"
        );
        for key in &token.keys {
            let der = token.cert_der(&key.id);
            assert_eq!(der.first(), Some(&0x30), "certificate {} is DER", key.id);
            assert!(key.cert_pem.is_file(), "{} exists", key.cert_pem.display());
        }
        assert!(
            token.key("04").always_authenticate,
            "key 04 is always-authenticate"
        );
        assert!(token.key("02").expired, "key 02 is the expired one");
        assert!(!token.key("03").qualified, "key 03 is the plain one");
        let env_file = std::fs::read_to_string(token.dir.join("token.env")).expect("token.env");
        assert!(
            env_file.contains("SEALDESK_TOKEN_LABEL='HARNESS'"),
            "token.env names the token: {env_file}"
        );
        let envs = token.envs();
        assert!(
            envs.iter()
                .any(|(k, v)| k == "SOFTHSM2_CONF" && Path::new(v).is_file()),
            "envs() points SOFTHSM2_CONF at an existing file: {envs:?}"
        );
    }

    #[test]
    fn shared_sets_softhsm2_conf_once() {
        let first = TestToken::shared();
        let second = TestToken::shared();
        assert!(
            std::ptr::eq(first, second),
            "shared() returns the same token"
        );
        assert_eq!(
            std::env::var_os("SOFTHSM2_CONF").map(PathBuf::from),
            Some(first.softhsm_conf.clone()),
            "shared() exports SOFTHSM2_CONF for the module"
        );
    }

    #[test]
    fn shared_dir_is_beside_the_repository() {
        let shared = shared_dir();
        assert!(
            shared.join("notes").is_dir(),
            "{} holds the notes folder",
            shared.display()
        );
    }
}
