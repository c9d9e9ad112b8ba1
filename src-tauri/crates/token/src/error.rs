//! The one error type of this crate: what went wrong at the seal device, and what to do.

use std::path::PathBuf;

use sealdesk_seal::certificate::CertificateError;
use sealdesk_seal::SignatureAlgorithm;
use time::OffsetDateTime;

/// Something went wrong with the PKCS#11 module, the token, the PIN or the seal key.
///
/// Messages are for the person at the token: short, lower-case, and they say what to do using
/// only facts the token reported.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// A chosen algorithm does not fit the key (e.g. ES256 on an RSA key).
    #[error("{algorithm:?} cannot be used with the {key} key {key_id}: choose another algorithm")]
    AlgorithmNotForKey {
        /// What was asked for.
        algorithm: SignatureAlgorithm,
        /// The key's CKA_ID (hex).
        key_id: String,
        /// The key, e.g. `EC P-384`.
        key: String,
    },
    /// The certificate next to the key could not be read.
    #[error("the certificate of key {key_id} on token {token} cannot be read")]
    Certificate {
        /// The token label.
        token: String,
        /// The key's CKA_ID (hex).
        key_id: String,
        /// Why.
        #[source]
        source: CertificateError,
    },
    /// The seal certificate's validity has ended.
    #[error(
        "the seal certificate expired on {}: renew it with your trust service provider or choose another key",
        date(not_after)
    )]
    CertificateExpired {
        /// End of validity.
        not_after: OffsetDateTime,
    },
    /// The seal certificate's validity has not begun yet.
    #[error(
        "the seal certificate is valid only from {}: check the computer's clock or wait",
        date(not_before)
    )]
    CertificateNotYetValid {
        /// Start of validity.
        not_before: OffsetDateTime,
    },
    /// A key id given by the user is not hex.
    #[error("key id {key_id:?} is not hexadecimal (e.g. 01 or a1b2)")]
    InvalidKeyId {
        /// What was given.
        key_id: String,
    },
    /// No certificate + key pair with this id on the token.
    #[error("no seal key with id {key_id} on token {token}: run `token list` to see the keys")]
    KeyNotFound {
        /// The token label.
        token: String,
        /// The id asked for (hex).
        key_id: String,
    },
    /// The key's type cannot seal here (only RSA, EC P-256 and EC P-384 keys can).
    #[error(
        "key {key_id} ({key}) cannot seal: only RSA, EC P-256 and EC P-384 keys are supported"
    )]
    KeyNotSupported {
        /// The key's CKA_ID (hex).
        key_id: String,
        /// The key, e.g. `EC P-384`.
        key: String,
    },
    /// A PKCS#11 module crashed (or hung) while it was probed in a child process; it was not
    /// loaded into Sealdesk.
    #[error("the PKCS#11 module {} crashed while listing tokens ({how}): update the vendor's driver or choose another module", path.display())]
    ModuleCrashed {
        /// The module path.
        path: PathBuf,
        /// How it ended, e.g. `killed by signal 11`.
        how: String,
    },
    /// The child process that probes a module could not be run or answered nonsense.
    #[error("cannot probe the PKCS#11 module {}: {reason}", path.display())]
    ModuleProbe {
        /// The module path.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The chosen certificate is not a seal certificate (a personal signature certificate, a
    /// website certificate …); sealing with it needs the person's explicit consent.
    #[error("the certificate of key {key_id} is a {class}, not a seal certificate: choose the institution's seal key, or confirm to seal anyway")]
    NotASealCertificate {
        /// The key's CKA_ID (hex).
        key_id: String,
        /// What it is, e.g. `signature certificate (not a seal)`.
        class: &'static str,
    },
    /// No PIN was given for a token without a PIN pad (an empty PIN is not sent: on a real
    /// token it would cost a try).
    #[error("no PIN given: type the token's PIN")]
    PinMissing,
    /// The module file exists but could not be loaded as a PKCS#11 library.
    #[error("cannot load the PKCS#11 module {}: check it is the vendor's library for this computer", path.display())]
    ModuleLoad {
        /// The module path.
        path: PathBuf,
        /// What the loader said.
        #[source]
        source: cryptoki::error::Error,
    },
    /// No PKCS#11 module was found.
    #[error(
        "no PKCS#11 module found (tried {}): install the token's driver or give its path",
        list(tried)
    )]
    ModuleNotFound {
        /// Every path looked at, in order.
        tried: Vec<PathBuf>,
    },
    /// The token holds no certificate with a matching key.
    #[error("token {token} holds no certificate with a matching key")]
    NoSealKey {
        /// The token label.
        token: String,
    },
    /// No token is present in any slot of the module.
    #[error("no token found: insert the seal token and try again")]
    NoToken,
    /// A PKCS#11 call failed in a way not covered by a more precise variant.
    #[error("the token refused {function}: {source}")]
    Pkcs11 {
        /// The PKCS#11 function, e.g. `C_Login`.
        function: &'static str,
        /// The underlying error (with its CKR_ code).
        #[source]
        source: cryptoki::error::Error,
    },
    /// The token says the next wrong PIN will lock it; the user has not confirmed the attempt.
    #[error(
        "the token allows one last PIN try: confirm before trying, a wrong PIN locks the token"
    )]
    PinFinalTry,
    /// The PIN was wrong.
    #[error("wrong PIN: check it and try again{}", pin_tries(*count_low, *final_try))]
    PinIncorrect {
        /// The token reports that few tries remain.
        count_low: bool,
        /// The token reports that the next wrong PIN locks it.
        final_try: bool,
    },
    /// The user PIN is locked.
    #[error(
        "the token's PIN is locked: unlock it with the PUK / SO PIN tool of the token's vendor"
    )]
    PinLocked,
    /// The token's user PIN was never set.
    #[error("the token's user PIN is not initialised: set it with the vendor's tool first")]
    PinNotInitialized,
    /// Another signer of this process already uses the token.
    #[error("token {token} is already in use for sealing: finish or cancel the other batch first")]
    TokenBusy {
        /// The token label.
        token: String,
    },
    /// No token with this label.
    #[error("no token labelled {label:?}: check the label or insert the token")]
    TokenNotFound {
        /// The label asked for.
        label: String,
    },
    /// The token was removed while in use.
    #[error("the token was removed: insert it again and restart sealing")]
    TokenRemoved {
        /// The PKCS#11 function that noticed.
        function: &'static str,
    },
    /// The token supports no mechanism this crate can sign with for the key.
    #[error(
        "the token offers no {needed} mechanism for key {key_id}: choose another key or algorithm"
    )]
    UnsupportedMechanism {
        /// The mechanism(s) needed, e.g. `CKM_ECDSA_SHA256`.
        needed: String,
        /// The key's CKA_ID (hex).
        key_id: String,
    },
    /// The token worker thread has stopped (it panicked or the signer is being dropped).
    #[error("the token worker has stopped: open the token again")]
    WorkerGone,
    /// The PC/SC service answered with an error other than "not running".
    #[error("the smart-card service (PC/SC) failed: {source}")]
    Pcsc {
        /// The PC/SC error.
        #[source]
        source: pcsc::Error,
    },
}

impl TokenError {
    /// Maps a cryptoki error of `function`, turning the codes the UI must tell apart into
    /// their own variants.
    pub(crate) fn pkcs11(function: &'static str, source: cryptoki::error::Error) -> TokenError {
        use cryptoki::error::{Error, RvError};
        match &source {
            Error::Pkcs11(RvError::PinLocked, _) => TokenError::PinLocked,
            Error::Pkcs11(RvError::UserPinNotInitialized, _) => TokenError::PinNotInitialized,
            Error::Pkcs11(RvError::DeviceRemoved | RvError::TokenNotPresent, _) => {
                TokenError::TokenRemoved { function }
            }
            _ => TokenError::Pkcs11 { function, source },
        }
    }
}

fn date(t: &OffsetDateTime) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    t.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_else(|_| t.to_string())
}

fn list(paths: &[PathBuf]) -> String {
    if paths.is_empty() {
        return "nothing".to_owned();
    }
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn pin_tries(count_low: bool, final_try: bool) -> &'static str {
    if final_try {
        "; the token says the next wrong PIN locks it"
    } else if count_low {
        "; the token says few tries are left"
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pin_messages_only_state_what_the_token_said() {
        let plain = TokenError::PinIncorrect {
            count_low: false,
            final_try: false,
        }
        .to_string();
        assert_eq!(
            plain, "wrong PIN: check it and try again",
            "no invented try count"
        );
        let last = TokenError::PinIncorrect {
            count_low: true,
            final_try: true,
        }
        .to_string();
        assert!(
            last.contains("next wrong PIN locks it"),
            "final try is said: {last}"
        );
    }

    #[test]
    fn module_not_found_lists_the_paths() {
        let message = TokenError::ModuleNotFound {
            tried: vec![PathBuf::from("/a.so"), PathBuf::from("/b.so")],
        }
        .to_string();
        assert!(message.contains("/a.so, /b.so"), "paths listed: {message}");
    }

    #[test]
    fn expiry_date_is_readable() {
        let message = TokenError::CertificateExpired {
            not_after: time::macros::datetime!(2025-05-10 14:31:15 UTC),
        }
        .to_string();
        assert!(
            message.contains("2025-05-10 14:31 UTC"),
            "date shown: {message}"
        );
    }
}
