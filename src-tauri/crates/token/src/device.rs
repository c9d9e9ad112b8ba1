//! Opening a seal key for sealing, and signing with it on one worker thread.
//!
//! [`SealDevice::open`] starts one thread that owns the PKCS#11 session for the life of the
//! returned [`TokenSigner`] (Decision 2, "one token worker"). The checks that need no PIN come
//! first (PIN locked or on its final try, certificate expired), then one login. Each signature
//! is a request over a channel to that thread. The message is hashed with SHA-256 on the host
//! and signed with a raw mechanism (`CKM_RSA_PKCS` over a DigestInfo, `CKM_RSA_PKCS_PSS`,
//! `CKM_ECDSA`); tokens that lack those get the hash-and-sign mechanisms over the message.
//!
//! Keys with `CKA_ALWAYS_AUTHENTICATE` need a context-specific login between `C_SignInit` and
//! the signature. cryptoki 0.12 has no `C_Sign` after a separate `sign_init` (and this crate
//! forbids `unsafe`), so those keys use the multi-part hash-and-sign mechanisms
//! (`CKM_SHA256_RSA_PKCS`, `CKM_SHA256_RSA_PKCS_PSS`, `CKM_ECDSA_SHA256`); the result is the same
//! signature. For them the PIN stays inside the worker in a zeroizing `SecretString` until the
//! signer is dropped. Dropping the signer logs out and ends the worker.

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Mutex, OnceLock};
use std::thread::JoinHandle;

use cryptoki::context::Pkcs11;
use cryptoki::error::{Error, RvError};
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::ObjectHandle;
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use openssl::ecdsa::EcdsaSig;
use openssl::x509::{X509VerifyResult, X509};
use sealdesk_seal::certificate::Validity;
use sealdesk_seal::{SignatureAlgorithm, Signer, SignerError};
use secrecy::SecretString;
use time::OffsetDateTime;

use crate::inventory::{candidate, select_slot, KeyKind, PinState, SealCandidate, TokenObjects};
use crate::module::context;
use crate::{TokenError, TokenSelector};

/// DER prefix of a DigestInfo for SHA-256 (RFC 8017 §9.2 note 1).
const SHA256_DIGEST_INFO_PREFIX: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// Choices for [`SealDevice::open`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpenOptions {
    /// The user confirmed a login although the token reports its final PIN try.
    pub confirm_final_try: bool,
    /// The algorithm to sign with; `None`: RS256 for RSA keys, ES256 for EC P-256 keys.
    pub algorithm: Option<SignatureAlgorithm>,
}

/// The entry point for sealing with a key on a PKCS#11 token.
#[derive(Debug)]
pub struct SealDevice;

impl SealDevice {
    /// Opens the seal key `key_id` (hex CKA_ID; `None`: the default candidate, see
    /// [`crate::default_candidate`]) on the selected token of `module`, logs in once with
    /// `pin` (ignored for PIN-pad readers) and returns a signer bound to one worker thread.
    ///
    /// Refuses, before any login: a locked PIN ([`TokenError::PinLocked`]), a final-try PIN
    /// unless confirmed ([`TokenError::PinFinalTry`]), a certificate not valid at `now`
    /// ([`TokenError::CertificateExpired`], [`TokenError::CertificateNotYetValid`]), a token
    /// already open for sealing in this process ([`TokenError::TokenBusy`]).
    pub fn open(
        module: &Path,
        token: &TokenSelector,
        key_id: Option<&str>,
        pin: SecretString,
        now: OffsetDateTime,
        options: OpenOptions,
    ) -> Result<TokenSigner, TokenError> {
        let key_id = key_id
            .map(|id| {
                let trimmed = id.trim();
                hex::decode(trimmed)
                    .ok()
                    .filter(|bytes| !bytes.is_empty())
                    .ok_or_else(|| TokenError::InvalidKeyId {
                        key_id: id.to_owned(),
                    })
            })
            .transpose()?;
        let request = OpenRequest {
            module: module.to_path_buf(),
            token: token.clone(),
            key_id,
            pin,
            now,
            options,
        };
        let (opened_tx, opened_rx) = mpsc::sync_channel(1);
        let (request_tx, request_rx) = mpsc::sync_channel::<Request>(1);
        let span = tracing::info_span!("token.worker", module = %module.display());
        let worker = std::thread::Builder::new()
            .name("sealdesk-token".to_owned())
            .spawn(move || {
                let _entered = span.entered();
                match Worker::open(request) {
                    Ok((worker, opened)) => {
                        if opened_tx.send(Ok(opened)).is_ok() {
                            worker.serve(request_rx);
                        }
                    }
                    Err(error) => {
                        let _ = opened_tx.send(Err(error));
                    }
                }
            })
            .map_err(|_| TokenError::WorkerGone)?;
        let opened = match opened_rx.recv() {
            Ok(result) => result,
            Err(_) => Err(TokenError::WorkerGone),
        };
        match opened {
            Ok(opened) => Ok(TokenSigner {
                certificate: opened.certificate,
                chain: opened.chain,
                algorithm: opened.algorithm,
                token_label: opened.token_label,
                candidate: opened.candidate,
                mechanism: opened.mechanism,
                requests: Some(request_tx),
                worker: Some(worker),
            }),
            Err(error) => {
                let _ = worker.join();
                Err(error)
            }
        }
    }
}

/// A seal key opened for signing. Implements [`Signer`]; every call goes to the one worker
/// thread that owns the PKCS#11 session. Dropping it logs out and stops the worker.
pub struct TokenSigner {
    certificate: Vec<u8>,
    chain: Vec<Vec<u8>>,
    algorithm: SignatureAlgorithm,
    token_label: String,
    candidate: SealCandidate,
    mechanism: &'static str,
    requests: Option<SyncSender<Request>>,
    worker: Option<JoinHandle<()>>,
}

impl TokenSigner {
    /// The key and certificate as seen after login (so `always_authenticate` is known).
    pub fn candidate(&self) -> &SealCandidate {
        &self.candidate
    }

    /// The label of the token.
    pub fn token_label(&self) -> &str {
        &self.token_label
    }

    /// The PKCS#11 mechanism used, e.g. `CKM_RSA_PKCS` (for reports and logs).
    pub fn mechanism(&self) -> &'static str {
        self.mechanism
    }

    /// Signs `message` (whole message, hashed with SHA-256 here) and returns the JWS form of
    /// the signature; the error keeps the token's exact cause.
    pub fn sign_message(&self, message: &[u8]) -> Result<Vec<u8>, TokenError> {
        let requests = self.requests.as_ref().ok_or(TokenError::WorkerGone)?;
        let (reply_tx, reply_rx) = mpsc::sync_channel(1);
        requests
            .send(Request::Sign {
                message: message.to_vec(),
                reply: reply_tx,
            })
            .map_err(|_| TokenError::WorkerGone)?;
        reply_rx.recv().map_err(|_| TokenError::WorkerGone)?
    }
}

impl Signer for TokenSigner {
    fn certificate(&self) -> &[u8] {
        &self.certificate
    }

    fn chain(&self) -> &[Vec<u8>] {
        &self.chain
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignerError> {
        self.sign_message(message)
            .map_err(|e| SignerError(Box::new(e)))
    }
}

impl Drop for TokenSigner {
    fn drop(&mut self) {
        // Closing the channel ends the worker's loop; it logs out and closes the session.
        self.requests.take();
        if let Some(worker) = self.worker.take() {
            if worker.join().is_err() {
                tracing::error!("the token worker panicked");
            }
        }
    }
}

impl fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSigner")
            .field("token_label", &self.token_label)
            .field("key_id", &self.candidate.key_id)
            .field("algorithm", &self.algorithm)
            .field("mechanism", &self.mechanism)
            .finish_non_exhaustive()
    }
}

struct OpenRequest {
    module: PathBuf,
    token: TokenSelector,
    key_id: Option<Vec<u8>>,
    pin: SecretString,
    now: OffsetDateTime,
    options: OpenOptions,
}

struct Opened {
    certificate: Vec<u8>,
    chain: Vec<Vec<u8>>,
    algorithm: SignatureAlgorithm,
    token_label: String,
    candidate: SealCandidate,
    mechanism: &'static str,
}

enum Request {
    Sign {
        message: Vec<u8>,
        reply: SyncSender<Result<Vec<u8>, TokenError>>,
    },
}

/// How a signature is made on this token for this key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    /// CKM_RSA_PKCS over DigestInfo(SHA-256(message)).
    RawRsaPkcs,
    /// CKM_RSA_PKCS_PSS over SHA-256(message).
    RawRsaPss,
    /// CKM_ECDSA over SHA-256(message).
    RawEcdsa,
    /// CKM_SHA256_RSA_PKCS over the message.
    HashRsaPkcs,
    /// CKM_SHA256_RSA_PKCS_PSS over the message.
    HashRsaPss,
    /// CKM_ECDSA_SHA256 over the message.
    HashEcdsa,
}

impl Plan {
    fn choose(
        algorithm: SignatureAlgorithm,
        always_authenticate: bool,
        available: &[MechanismType],
        key_id: &str,
    ) -> Result<Plan, TokenError> {
        let has = |m: MechanismType| available.contains(&m);
        let (raw, raw_type, hashed, hashed_type, needed) = match algorithm {
            SignatureAlgorithm::RS256 => (
                Plan::RawRsaPkcs,
                MechanismType::RSA_PKCS,
                Plan::HashRsaPkcs,
                MechanismType::SHA256_RSA_PKCS,
                "CKM_RSA_PKCS or CKM_SHA256_RSA_PKCS",
            ),
            SignatureAlgorithm::PS256 => (
                Plan::RawRsaPss,
                MechanismType::RSA_PKCS_PSS,
                Plan::HashRsaPss,
                MechanismType::SHA256_RSA_PKCS_PSS,
                "CKM_RSA_PKCS_PSS or CKM_SHA256_RSA_PKCS_PSS",
            ),
            SignatureAlgorithm::ES256 => (
                Plan::RawEcdsa,
                MechanismType::ECDSA,
                Plan::HashEcdsa,
                MechanismType::ECDSA_SHA256,
                "CKM_ECDSA or CKM_ECDSA_SHA256",
            ),
        };
        if always_authenticate {
            // Multi-part only (see the module docs).
            return if has(hashed_type) {
                Ok(hashed)
            } else {
                Err(TokenError::UnsupportedMechanism {
                    needed: match algorithm {
                        SignatureAlgorithm::RS256 => "CKM_SHA256_RSA_PKCS (PIN-per-signature key)",
                        SignatureAlgorithm::PS256 => {
                            "CKM_SHA256_RSA_PKCS_PSS (PIN-per-signature key)"
                        }
                        SignatureAlgorithm::ES256 => "CKM_ECDSA_SHA256 (PIN-per-signature key)",
                    },
                    key_id: key_id.to_owned(),
                })
            };
        }
        if has(raw_type) {
            Ok(raw)
        } else if has(hashed_type) {
            Ok(hashed)
        } else {
            Err(TokenError::UnsupportedMechanism {
                needed,
                key_id: key_id.to_owned(),
            })
        }
    }

    fn name(self) -> &'static str {
        match self {
            Plan::RawRsaPkcs => "CKM_RSA_PKCS",
            Plan::RawRsaPss => "CKM_RSA_PKCS_PSS",
            Plan::RawEcdsa => "CKM_ECDSA",
            Plan::HashRsaPkcs => "CKM_SHA256_RSA_PKCS",
            Plan::HashRsaPss => "CKM_SHA256_RSA_PKCS_PSS",
            Plan::HashEcdsa => "CKM_ECDSA_SHA256",
        }
    }

    fn mechanism(self) -> Mechanism<'static> {
        let pss = PkcsPssParams {
            hash_alg: MechanismType::SHA256,
            mgf: PkcsMgfType::MGF1_SHA256,
            s_len: 32.into(),
        };
        match self {
            Plan::RawRsaPkcs => Mechanism::RsaPkcs,
            Plan::RawRsaPss => Mechanism::RsaPkcsPss(pss),
            Plan::RawEcdsa => Mechanism::Ecdsa,
            Plan::HashRsaPkcs => Mechanism::Sha256RsaPkcs,
            Plan::HashRsaPss => Mechanism::Sha256RsaPkcsPss(pss),
            Plan::HashEcdsa => Mechanism::EcdsaSha256,
        }
    }

    /// The bytes handed to the token.
    fn input(self, message: &[u8]) -> Vec<u8> {
        match self {
            Plan::RawRsaPkcs => {
                let mut input = SHA256_DIGEST_INFO_PREFIX.to_vec();
                input.extend_from_slice(&openssl::sha::sha256(message));
                input
            }
            Plan::RawRsaPss | Plan::RawEcdsa => openssl::sha::sha256(message).to_vec(),
            Plan::HashRsaPkcs | Plan::HashRsaPss | Plan::HashEcdsa => message.to_vec(),
        }
    }

    fn is_ecdsa(self) -> bool {
        matches!(self, Plan::RawEcdsa | Plan::HashEcdsa)
    }
}

/// The thread-owned state: one session, logged in, and the key to sign with.
struct Worker {
    ctx: Pkcs11,
    slot: Slot,
    session: Session,
    key: ObjectHandle,
    key_id: String,
    plan: Plan,
    always_authenticate: bool,
    protected_authentication_path: bool,
    /// Only for always-authenticate keys without a PIN pad; zeroized on drop.
    pin: Option<SecretString>,
    logged_in: bool,
    _busy: BusyGuard,
}

impl Worker {
    fn open(request: OpenRequest) -> Result<(Worker, Opened), TokenError> {
        let OpenRequest {
            module,
            token,
            key_id,
            pin,
            now,
            options,
        } = request;
        let ctx = context(&module)?;
        let (slot, info) = select_slot(&ctx, &token)?;
        let token_label = info.label().trim().to_owned();
        let pin_state = PinState::from_token_info(&info);
        let _span = tracing::info_span!("token.open", token = %token_label).entered();
        if pin_state.user_pin_locked {
            return Err(TokenError::PinLocked);
        }
        if pin_state.user_pin_final_try && !options.confirm_final_try {
            return Err(TokenError::PinFinalTry);
        }
        let busy = BusyGuard::acquire(&module, slot.id(), &token_label)?;
        let session = ctx
            .open_ro_session(slot)
            .map_err(|e| TokenError::pkcs11("C_OpenSession", e))?;

        // Choose the key and check its certificate before the PIN is used.
        let before_login = TokenObjects::read(&session, &token_label)?;
        let chosen = match &key_id {
            Some(id) => before_login
                .candidates(&token_label, now)?
                .into_iter()
                .find(|c| c.key_id == hex::encode(id))
                .ok_or_else(|| TokenError::KeyNotFound {
                    token: token_label.clone(),
                    key_id: hex::encode(id),
                })?,
            None => {
                let candidates = before_login.candidates(&token_label, now)?;
                crate::default_candidate(&candidates)
                    .cloned()
                    .ok_or_else(|| TokenError::NoSealKey {
                        token: token_label.clone(),
                    })?
            }
        };
        match chosen.validity {
            Validity::Valid => {}
            Validity::Expired => {
                return Err(TokenError::CertificateExpired {
                    not_after: chosen.certificate.not_after,
                })
            }
            Validity::NotYetValid => {
                return Err(TokenError::CertificateNotYetValid {
                    not_before: chosen.certificate.not_before,
                })
            }
        }
        let algorithm = choose_algorithm(&chosen, options.algorithm)?;

        // One login.
        let mut logged_in = false;
        if pin_state.login_required {
            let pin_arg = if pin_state.protected_authentication_path {
                None
            } else {
                Some(&pin)
            };
            match session.login(UserType::User, pin_arg) {
                Ok(()) => logged_in = true,
                Err(Error::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {
                    tracing::debug!("the token was already logged in by this process");
                }
                Err(error) => return Err(login_failed(&ctx, slot, error)),
            }
        }
        tracing::info!(key_id = %chosen.key_id, "logged in");

        let after_login = TokenObjects::read(&session, &token_label)?;
        let id_bytes = hex::decode(&chosen.key_id).map_err(|_| TokenError::InvalidKeyId {
            key_id: chosen.key_id.clone(),
        })?;
        let (Some(private), Some(cert)) = (
            after_login.private_keys.get(&id_bytes),
            after_login.certificates.get(&id_bytes),
        ) else {
            return Err(TokenError::KeyNotFound {
                token: token_label,
                key_id: chosen.key_id,
            });
        };
        let always_authenticate = private.always_authenticate.unwrap_or(false);
        let seen = candidate(
            chosen.key_id.clone(),
            cert,
            private,
            true,
            chosen.certificate.clone(),
            now,
        );
        let mechanisms = ctx
            .get_mechanism_list(slot)
            .map_err(|e| TokenError::pkcs11("C_GetMechanismList", e))?;
        let plan = Plan::choose(algorithm, always_authenticate, &mechanisms, &chosen.key_id)?;
        let chain = issuer_chain(&cert.der, after_login.certificates.values().map(|c| &c.der));
        let keep_pin = always_authenticate && !pin_state.protected_authentication_path;
        let opened = Opened {
            certificate: cert.der.clone(),
            chain,
            algorithm,
            token_label: token_label.clone(),
            candidate: seen,
            mechanism: plan.name(),
        };
        let worker = Worker {
            ctx,
            slot,
            key: private.handle,
            key_id: chosen.key_id,
            plan,
            always_authenticate,
            protected_authentication_path: pin_state.protected_authentication_path,
            pin: keep_pin.then_some(pin),
            logged_in,
            session,
            _busy: busy,
        };
        Ok((worker, opened))
    }

    fn serve(self, requests: Receiver<Request>) {
        while let Ok(request) = requests.recv() {
            match request {
                Request::Sign { message, reply } => {
                    let _ = reply.send(self.sign(&message));
                }
            }
        }
        if self.logged_in {
            if let Err(error) = self.session.logout() {
                tracing::warn!(%error, "logout failed");
            }
        }
        tracing::info!("token worker stopped");
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, TokenError> {
        let _span =
            tracing::debug_span!("token.sign", key_id = %self.key_id, mechanism = self.plan.name())
                .entered();
        let mechanism = self.plan.mechanism();
        let input = self.plan.input(message);
        let signature = if self.always_authenticate {
            self.session
                .sign_init(&mechanism, self.key)
                .map_err(|e| TokenError::pkcs11("C_SignInit", e))?;
            let pin = if self.protected_authentication_path {
                None
            } else {
                self.pin.as_ref()
            };
            if let Err(error) = self.session.login(UserType::ContextSpecific, pin) {
                // End the pending operation so the next request can start afresh.
                let _ = self.session.sign_final();
                return Err(login_failed(&self.ctx, self.slot, error));
            }
            self.session
                .sign_update(&input)
                .map_err(|e| TokenError::pkcs11("C_SignUpdate", e))?;
            self.session
                .sign_final()
                .map_err(|e| TokenError::pkcs11("C_SignFinal", e))?
        } else {
            self.session
                .sign(&mechanism, self.key, &input)
                .map_err(|e| TokenError::pkcs11("C_Sign", e))?
        };
        if self.plan.is_ecdsa() {
            ecdsa_to_jws(signature)
        } else {
            Ok(signature)
        }
    }
}

fn choose_algorithm(
    chosen: &SealCandidate,
    wanted: Option<SignatureAlgorithm>,
) -> Result<SignatureAlgorithm, TokenError> {
    let Some(default) = chosen.algorithm else {
        return Err(TokenError::KeyNotSupported {
            key_id: chosen.key_id.clone(),
            key: chosen.key.clone(),
        });
    };
    let algorithm = wanted.unwrap_or(default);
    let fits = match algorithm {
        SignatureAlgorithm::RS256 | SignatureAlgorithm::PS256 => chosen.key_kind == KeyKind::Rsa,
        SignatureAlgorithm::ES256 => default == SignatureAlgorithm::ES256,
    };
    if fits {
        Ok(algorithm)
    } else {
        Err(TokenError::AlgorithmNotForKey {
            algorithm,
            key_id: chosen.key_id.clone(),
            key: chosen.key.clone(),
        })
    }
}

/// Maps a failed login, re-reading the PIN flags the token now reports.
fn login_failed(ctx: &Pkcs11, slot: Slot, error: Error) -> TokenError {
    match error {
        Error::Pkcs11(RvError::PinIncorrect, _) => match ctx.get_token_info(slot) {
            Ok(info) if info.user_pin_locked() => TokenError::PinLocked,
            Ok(info) => TokenError::PinIncorrect {
                count_low: info.user_pin_count_low(),
                final_try: info.user_pin_final_try(),
            },
            Err(_) => TokenError::PinIncorrect {
                count_low: false,
                final_try: false,
            },
        },
        other => TokenError::pkcs11("C_Login", other),
    }
}

/// PKCS#11 ECDSA output is `r || s`; a few modules return DER. JWS wants `r || s`, 32 bytes each
/// for P-256.
fn ecdsa_to_jws(signature: Vec<u8>) -> Result<Vec<u8>, TokenError> {
    if signature.len() == 64 {
        return Ok(signature);
    }
    let malformed = || TokenError::Pkcs11 {
        function: "C_Sign",
        source: Error::InvalidValue,
    };
    let sig = EcdsaSig::from_der(&signature).map_err(|_| malformed())?;
    let mut out = Vec::with_capacity(64);
    for part in [sig.r(), sig.s()] {
        let bytes = part.to_vec_padded(32).map_err(|_| malformed())?;
        out.extend_from_slice(&bytes);
    }
    Ok(out)
}

/// The issuers of `leaf` found among `certificates` (DER), issuer first, up to the root.
fn issuer_chain<'a>(leaf: &[u8], certificates: impl Iterator<Item = &'a Vec<u8>>) -> Vec<Vec<u8>> {
    let pool: Vec<(Vec<u8>, X509)> = certificates
        .filter(|der| der.as_slice() != leaf)
        .filter_map(|der| X509::from_der(der).ok().map(|x| (der.clone(), x)))
        .collect();
    let Ok(mut current) = X509::from_der(leaf) else {
        return Vec::new();
    };
    let mut chain = Vec::new();
    for _ in 0..pool.len() {
        let Some((der, issuer)) = pool.iter().find(|(der, issuer)| {
            issuer.issued(&current) == X509VerifyResult::OK && !chain.contains(der)
        }) else {
            break;
        };
        chain.push(der.clone());
        let self_signed = issuer.issued(issuer) == X509VerifyResult::OK;
        current = issuer.clone();
        if self_signed {
            break;
        }
    }
    chain
}

/// One sealing session per token and process: a second would share (and then log out) the
/// first one's login.
struct BusyGuard {
    key: (PathBuf, u64),
}

fn open_tokens() -> &'static Mutex<HashSet<(PathBuf, u64)>> {
    static OPEN: OnceLock<Mutex<HashSet<(PathBuf, u64)>>> = OnceLock::new();
    OPEN.get_or_init(|| Mutex::new(HashSet::new()))
}

impl BusyGuard {
    fn acquire(module: &Path, slot: u64, token: &str) -> Result<BusyGuard, TokenError> {
        let module = module
            .canonicalize()
            .unwrap_or_else(|_| module.to_path_buf());
        let key = (module, slot);
        let mut open = open_tokens()
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if !open.insert(key.clone()) {
            return Err(TokenError::TokenBusy {
                token: token.to_owned(),
            });
        }
        Ok(BusyGuard { key })
    }
}

impl Drop for BusyGuard {
    fn drop(&mut self) {
        let mut open = open_tokens()
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        open.remove(&self.key);
    }
}

#[cfg(test)]
mod tests {
    use openssl::bn::BigNum;

    use super::*;

    #[test]
    fn raw_mechanisms_are_preferred_and_combined_ones_are_the_fallback() {
        let all = [
            MechanismType::RSA_PKCS,
            MechanismType::SHA256_RSA_PKCS,
            MechanismType::ECDSA,
        ];
        assert_eq!(
            Plan::choose(SignatureAlgorithm::RS256, false, &all, "01").ok(),
            Some(Plan::RawRsaPkcs),
            "raw RSA when offered"
        );
        assert_eq!(
            Plan::choose(
                SignatureAlgorithm::RS256,
                false,
                &[MechanismType::SHA256_RSA_PKCS],
                "01"
            )
            .ok(),
            Some(Plan::HashRsaPkcs),
            "hash-and-sign when raw is missing"
        );
        assert_eq!(
            Plan::choose(SignatureAlgorithm::RS256, true, &all, "01").ok(),
            Some(Plan::HashRsaPkcs),
            "always-authenticate keys need the multi-part mechanism"
        );
        let missing = Plan::choose(SignatureAlgorithm::ES256, true, &all, "03");
        assert!(
            matches!(missing, Err(TokenError::UnsupportedMechanism { .. })),
            "no CKM_ECDSA_SHA256 for a PIN-per-signature EC key: {missing:?}"
        );
    }

    #[test]
    fn digest_info_wraps_the_sha256() {
        let input = Plan::RawRsaPkcs.input(b"abc");
        assert_eq!(input.len(), 19 + 32, "prefix + digest");
        assert_eq!(
            hex::encode(&input[19..]),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            "SHA-256 of abc"
        );
    }

    #[test]
    fn der_ecdsa_signatures_become_r_and_s() {
        let r = BigNum::from_u32(1).expect("bn");
        let s = BigNum::from_u32(2).expect("bn");
        let der = EcdsaSig::from_private_components(r, s)
            .and_then(|sig| sig.to_der())
            .expect("der");
        let jws = ecdsa_to_jws(der).expect("converted");
        assert_eq!(jws.len(), 64, "two 32-byte halves");
        assert_eq!((jws[31], jws[63]), (1, 2), "r then s, big-endian");
        assert!(ecdsa_to_jws(vec![1, 2, 3]).is_err(), "garbage is an error");
    }
}
