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
use sealdesk_seal::{HashAlgorithm, SignatureAlgorithm, SignatureScheme, Signer, SignerError};
use secrecy::{ExposeSecret, SecretString};
use time::OffsetDateTime;

use crate::inventory::{candidate, select_slot, KeyKind, PinState, SealCandidate, TokenObjects};
use crate::module::context;
use crate::{TokenError, TokenSelector};

/// Choices for [`SealDevice::open`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpenOptions {
    /// The user confirmed a login although the token reports its final PIN try.
    pub confirm_final_try: bool,
    /// The algorithm to sign with; `None`: RS256 for RSA keys, ES256 for EC P-256 keys,
    /// ES384 for EC P-384 keys.
    pub algorithm: Option<SignatureAlgorithm>,
    /// The user confirmed sealing with a certificate that is not a seal certificate (see
    /// [`sealdesk_seal::certificate::CertificateClass::SignatureCertificate`]); without it such
    /// a key is refused with [`TokenError::NotASealCertificate`].
    pub accept_non_seal: bool,
}

/// The entry point for sealing with a key on a PKCS#11 token.
#[derive(Debug)]
pub struct SealDevice;

impl SealDevice {
    /// Opens the seal key `key_id` (hex CKA_ID; `None`: the default candidate, see
    /// [`crate::default_candidate`]) on the selected token of `module`, logs in once with
    /// `pin` and returns a signer bound to one worker thread.
    ///
    /// PIN pads: when the token reports a protected authentication path, `pin` is ignored
    /// (send an empty one) and the login passes no PIN, so the reader asks for it.
    ///
    /// Refuses, before any login: a locked PIN ([`TokenError::PinLocked`]), a final-try PIN
    /// unless confirmed ([`TokenError::PinFinalTry`]), a certificate not valid at `now`
    /// ([`TokenError::CertificateExpired`], [`TokenError::CertificateNotYetValid`]), a
    /// certificate that is not a seal unless accepted ([`TokenError::NotASealCertificate`]),
    /// an empty PIN without a PIN pad ([`TokenError::PinMissing`]), a token already open for
    /// sealing in this process ([`TokenError::TokenBusy`]).
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

/// How a signature is made on this token for this key: the algorithm, and whether the token
/// gets the host's digest (raw mechanism) or the whole message (combined hash-and-sign).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Plan {
    algorithm: SignatureAlgorithm,
    combined: bool,
}

impl Plan {
    /// The raw mechanism (the host hashes): `CKM_RSA_PKCS`, `CKM_RSA_PKCS_PSS` or `CKM_ECDSA`.
    fn raw_type(algorithm: SignatureAlgorithm) -> MechanismType {
        match algorithm.scheme() {
            SignatureScheme::RsaPkcs1 => MechanismType::RSA_PKCS,
            SignatureScheme::RsaPss => MechanismType::RSA_PKCS_PSS,
            SignatureScheme::Ecdsa => MechanismType::ECDSA,
        }
    }

    /// The combined hash-and-sign mechanism, e.g. `CKM_SHA384_RSA_PKCS`.
    fn combined_type(algorithm: SignatureAlgorithm) -> MechanismType {
        match algorithm {
            SignatureAlgorithm::RS256 => MechanismType::SHA256_RSA_PKCS,
            SignatureAlgorithm::RS384 => MechanismType::SHA384_RSA_PKCS,
            SignatureAlgorithm::RS512 => MechanismType::SHA512_RSA_PKCS,
            SignatureAlgorithm::PS256 => MechanismType::SHA256_RSA_PKCS_PSS,
            SignatureAlgorithm::PS384 => MechanismType::SHA384_RSA_PKCS_PSS,
            SignatureAlgorithm::PS512 => MechanismType::SHA512_RSA_PKCS_PSS,
            SignatureAlgorithm::ES256 => MechanismType::ECDSA_SHA256,
            SignatureAlgorithm::ES384 => MechanismType::ECDSA_SHA384,
        }
    }

    /// Whether the token can make `algorithm` signatures at all (for listings).
    pub(crate) fn offered(
        algorithm: SignatureAlgorithm,
        always_authenticate: bool,
        available: &[MechanismType],
    ) -> bool {
        Plan::choose(algorithm, always_authenticate, available, "").is_ok()
    }

    pub(crate) fn choose(
        algorithm: SignatureAlgorithm,
        always_authenticate: bool,
        available: &[MechanismType],
        key_id: &str,
    ) -> Result<Plan, TokenError> {
        let has = |m: MechanismType| available.contains(&m);
        let raw = Plan::raw_type(algorithm);
        let combined = Plan::combined_type(algorithm);
        if always_authenticate {
            // Multi-part only (see the module docs).
            return if has(combined) {
                Ok(Plan {
                    algorithm,
                    combined: true,
                })
            } else {
                Err(TokenError::UnsupportedMechanism {
                    needed: format!("{} (PIN-per-signature key)", mechanism_name(combined)),
                    key_id: key_id.to_owned(),
                })
            };
        }
        if has(raw) {
            Ok(Plan {
                algorithm,
                combined: false,
            })
        } else if has(combined) {
            Ok(Plan {
                algorithm,
                combined: true,
            })
        } else {
            Err(TokenError::UnsupportedMechanism {
                needed: format!("{} or {}", mechanism_name(raw), mechanism_name(combined)),
                key_id: key_id.to_owned(),
            })
        }
    }

    pub(crate) fn name(self) -> &'static str {
        let mechanism = if self.combined {
            Plan::combined_type(self.algorithm)
        } else {
            Plan::raw_type(self.algorithm)
        };
        mechanism_name(mechanism)
    }

    fn mechanism(self) -> Mechanism<'static> {
        let hash = self.algorithm.hash();
        let pss = PkcsPssParams {
            hash_alg: match hash {
                HashAlgorithm::Sha256 => MechanismType::SHA256,
                HashAlgorithm::Sha384 => MechanismType::SHA384,
                HashAlgorithm::Sha512 => MechanismType::SHA512,
            },
            mgf: match hash {
                HashAlgorithm::Sha256 => PkcsMgfType::MGF1_SHA256,
                HashAlgorithm::Sha384 => PkcsMgfType::MGF1_SHA384,
                HashAlgorithm::Sha512 => PkcsMgfType::MGF1_SHA512,
            },
            s_len: (hash.len() as u64).into(),
        };
        if !self.combined {
            return match self.algorithm.scheme() {
                SignatureScheme::RsaPkcs1 => Mechanism::RsaPkcs,
                SignatureScheme::RsaPss => Mechanism::RsaPkcsPss(pss),
                SignatureScheme::Ecdsa => Mechanism::Ecdsa,
            };
        }
        match self.algorithm {
            SignatureAlgorithm::RS256 => Mechanism::Sha256RsaPkcs,
            SignatureAlgorithm::RS384 => Mechanism::Sha384RsaPkcs,
            SignatureAlgorithm::RS512 => Mechanism::Sha512RsaPkcs,
            SignatureAlgorithm::PS256 => Mechanism::Sha256RsaPkcsPss(pss),
            SignatureAlgorithm::PS384 => Mechanism::Sha384RsaPkcsPss(pss),
            SignatureAlgorithm::PS512 => Mechanism::Sha512RsaPkcsPss(pss),
            SignatureAlgorithm::ES256 => Mechanism::EcdsaSha256,
            SignatureAlgorithm::ES384 => Mechanism::EcdsaSha384,
        }
    }

    /// The bytes handed to the token.
    fn input(self, message: &[u8]) -> Vec<u8> {
        if self.combined {
            return message.to_vec();
        }
        let hash = self.algorithm.hash();
        match self.algorithm.scheme() {
            SignatureScheme::RsaPkcs1 => {
                let mut input = hash.digest_info_prefix().to_vec();
                input.extend_from_slice(&hash.digest(message));
                input
            }
            SignatureScheme::RsaPss | SignatureScheme::Ecdsa => hash.digest(message),
        }
    }
}

/// The `CKM_` name of the mechanisms used here.
fn mechanism_name(mechanism: MechanismType) -> &'static str {
    const NAMES: [(MechanismType, &str); 11] = [
        (MechanismType::RSA_PKCS, "CKM_RSA_PKCS"),
        (MechanismType::RSA_PKCS_PSS, "CKM_RSA_PKCS_PSS"),
        (MechanismType::ECDSA, "CKM_ECDSA"),
        (MechanismType::SHA256_RSA_PKCS, "CKM_SHA256_RSA_PKCS"),
        (MechanismType::SHA384_RSA_PKCS, "CKM_SHA384_RSA_PKCS"),
        (MechanismType::SHA512_RSA_PKCS, "CKM_SHA512_RSA_PKCS"),
        (
            MechanismType::SHA256_RSA_PKCS_PSS,
            "CKM_SHA256_RSA_PKCS_PSS",
        ),
        (
            MechanismType::SHA384_RSA_PKCS_PSS,
            "CKM_SHA384_RSA_PKCS_PSS",
        ),
        (
            MechanismType::SHA512_RSA_PKCS_PSS,
            "CKM_SHA512_RSA_PKCS_PSS",
        ),
        (MechanismType::ECDSA_SHA256, "CKM_ECDSA_SHA256"),
        (MechanismType::ECDSA_SHA384, "CKM_ECDSA_SHA384"),
    ];
    NAMES
        .iter()
        .find(|(m, _)| *m == mechanism)
        .map(|(_, name)| *name)
        .unwrap_or("CKM_VENDOR_DEFINED")
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
        let mechanisms = ctx
            .get_mechanism_list(slot)
            .map_err(|e| TokenError::pkcs11("C_GetMechanismList", e))?;
        let before_login = TokenObjects::read(&session, &token_label)?;
        let chosen = match &key_id {
            Some(id) => before_login
                .candidates(&token_label, &mechanisms, now)?
                .into_iter()
                .find(|c| c.key_id == hex::encode(id))
                .ok_or_else(|| TokenError::KeyNotFound {
                    token: token_label.clone(),
                    key_id: hex::encode(id),
                })?,
            None => {
                let candidates = before_login.candidates(&token_label, &mechanisms, now)?;
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
        let class = chosen.certificate.class_at(now);
        if !class.is_seal() && !options.accept_non_seal {
            return Err(TokenError::NotASealCertificate {
                key_id: chosen.key_id.clone(),
                class: class.label(),
            });
        }
        let algorithm = choose_algorithm(&chosen, options.algorithm)?;
        if pin_state.login_required
            && !pin_state.protected_authentication_path
            && pin.expose_secret().is_empty()
        {
            return Err(TokenError::PinMissing);
        }

        // One login.
        let mut logged_in = false;
        if pin_state.login_required {
            let pin_arg = if pin_state.protected_authentication_path {
                None
            } else {
                Some(&pin)
            };
            let mut pauses = crate::module::general_error_pauses();
            loop {
                match session.login(UserType::User, pin_arg) {
                    Ok(()) => {
                        logged_in = true;
                        break;
                    }
                    Err(Error::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {
                        tracing::debug!("the token was already logged in by this process");
                        break;
                    }
                    // SoftHSM2 fails a login with a general error when another process is
                    // rewriting its token file (see `module::token_info`). Try again only while
                    // the token still reports every PIN try left: a retry can then never cost
                    // the holder a try that counts.
                    Err(error @ Error::Pkcs11(RvError::GeneralError, _)) => {
                        let every_try_left = matches!(
                            crate::module::token_info(&ctx, slot),
                            Ok(info) if !info.user_pin_locked()
                                && !info.user_pin_count_low()
                                && !info.user_pin_final_try()
                        );
                        match pauses.next() {
                            Some(pause) if every_try_left => {
                                tracing::warn!("C_Login: general error; trying again");
                                std::thread::sleep(pause);
                            }
                            _ => return Err(login_failed(&ctx, slot, error)),
                        }
                    }
                    Err(error) => return Err(login_failed(&ctx, slot, error)),
                }
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
            &mechanisms,
            now,
        );
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
        match self.plan.algorithm.ecdsa_field_len() {
            Some(field) => ecdsa_to_jws(signature, field),
            None => Ok(signature),
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
    if key_fits(chosen.key_kind, &chosen.key, algorithm) {
        Ok(algorithm)
    } else {
        Err(TokenError::AlgorithmNotForKey {
            algorithm,
            key_id: chosen.key_id.clone(),
            key: chosen.key.clone(),
        })
    }
}

/// Whether a key (kind + the certificate's description, e.g. `EC P-384`) can make `algorithm`
/// signatures: RSA keys RS*/PS*, EC P-256 ES256, EC P-384 ES384.
pub(crate) fn key_fits(kind: KeyKind, key: &str, algorithm: SignatureAlgorithm) -> bool {
    match algorithm {
        SignatureAlgorithm::ES256 => kind == KeyKind::Ec && key == "EC P-256",
        SignatureAlgorithm::ES384 => kind == KeyKind::Ec && key == "EC P-384",
        _ => kind == KeyKind::Rsa,
    }
}

/// Maps a failed login, re-reading the PIN flags the token now reports.
fn login_failed(ctx: &Pkcs11, slot: Slot, error: Error) -> TokenError {
    match error {
        Error::Pkcs11(RvError::PinIncorrect, _) => match crate::module::token_info(ctx, slot) {
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

/// PKCS#11 ECDSA output is `r || s`; a few modules return DER. JWS wants `r || s`, `field`
/// bytes each (32 for P-256, 48 for P-384).
fn ecdsa_to_jws(signature: Vec<u8>, field: usize) -> Result<Vec<u8>, TokenError> {
    if signature.len() == 2 * field {
        return Ok(signature);
    }
    let malformed = || TokenError::Pkcs11 {
        function: "C_Sign",
        source: Error::InvalidValue,
    };
    let sig = EcdsaSig::from_der(&signature).map_err(|_| malformed())?;
    let width = i32::try_from(field).map_err(|_| malformed())?;
    let mut out = Vec::with_capacity(2 * field);
    for part in [sig.r(), sig.s()] {
        let bytes = part.to_vec_padded(width).map_err(|_| malformed())?;
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
        let plan = |alg, always, mechs: &[MechanismType]| {
            Plan::choose(alg, always, mechs, "01").map(Plan::name).ok()
        };
        assert_eq!(
            plan(SignatureAlgorithm::RS256, false, &all),
            Some("CKM_RSA_PKCS"),
            "raw RSA when offered"
        );
        assert_eq!(
            plan(SignatureAlgorithm::RS384, false, &all),
            Some("CKM_RSA_PKCS"),
            "raw RSA serves every PKCS#1 hash"
        );
        assert_eq!(
            plan(
                SignatureAlgorithm::RS256,
                false,
                &[MechanismType::SHA256_RSA_PKCS]
            ),
            Some("CKM_SHA256_RSA_PKCS"),
            "hash-and-sign when raw is missing"
        );
        assert_eq!(
            plan(SignatureAlgorithm::RS256, true, &all),
            Some("CKM_SHA256_RSA_PKCS"),
            "always-authenticate keys need the multi-part mechanism"
        );
        assert_eq!(
            plan(SignatureAlgorithm::RS512, true, &all),
            None,
            "no CKM_SHA512_RSA_PKCS offered"
        );
        let missing = Plan::choose(SignatureAlgorithm::ES256, true, &all, "03");
        assert!(
            matches!(missing, Err(TokenError::UnsupportedMechanism { .. })),
            "no CKM_ECDSA_SHA256 for a PIN-per-signature EC key: {missing:?}"
        );
    }

    #[test]
    fn digest_info_wraps_the_hash_of_the_algorithm() {
        let raw = |algorithm| Plan {
            algorithm,
            combined: false,
        };
        let input = raw(SignatureAlgorithm::RS256).input(b"abc");
        assert_eq!(input.len(), 19 + 32, "prefix + digest");
        assert_eq!(
            hex::encode(&input[19..]),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            "SHA-256 of abc"
        );
        assert_eq!(
            raw(SignatureAlgorithm::RS512).input(b"abc").len(),
            19 + 64,
            "SHA-512 DigestInfo"
        );
        assert_eq!(
            raw(SignatureAlgorithm::ES384).input(b"abc").len(),
            48,
            "ES384 signs the SHA-384 digest"
        );
    }

    #[test]
    fn der_ecdsa_signatures_become_r_and_s() {
        let r = BigNum::from_u32(1).expect("bn");
        let s = BigNum::from_u32(2).expect("bn");
        let der = EcdsaSig::from_private_components(r, s)
            .and_then(|sig| sig.to_der())
            .expect("der");
        let jws = ecdsa_to_jws(der.clone(), 32).expect("converted");
        assert_eq!(jws.len(), 64, "two 32-byte halves");
        assert_eq!((jws[31], jws[63]), (1, 2), "r then s, big-endian");
        let p384 = ecdsa_to_jws(der, 48).expect("converted");
        assert_eq!(
            (p384.len(), p384[47], p384[95]),
            (96, 1, 2),
            "48-byte halves"
        );
        assert!(
            ecdsa_to_jws(vec![1, 2, 3], 32).is_err(),
            "garbage is an error"
        );
    }
}
