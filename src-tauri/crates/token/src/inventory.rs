//! What is on the tokens of a module, read without a PIN: token identity, PIN state flags and
//! the seal candidates (certificates paired with a key of the same CKA_ID).
//!
//! Many tokens (SoftHSM among them) hide private-key objects until login. A certificate is then
//! paired with the *public* key object of the same CKA_ID, and what only the private key tells
//! (CKA_ALWAYS_AUTHENTICATE) is reported as unknown (`None`). Signing lives in `device`.

use std::collections::BTreeMap;
use std::path::Path;

use cryptoki::context::Pkcs11;
use cryptoki::mechanism::MechanismType;
use cryptoki::object::{
    Attribute, AttributeType, CertificateType, KeyType, ObjectClass, ObjectHandle,
};
use cryptoki::session::Session;
use cryptoki::slot::{Slot, TokenInfo};
use sealdesk_seal::certificate::{CertificateClass, CertificateInfo, Validity};
use sealdesk_seal::SignatureAlgorithm;
use serde::Serialize;
use time::OffsetDateTime;

use crate::device::{key_fits, Plan};
use crate::module::context;
use crate::TokenError;

/// The PIN state flags of a token, as read before any login.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PinState {
    /// The token needs a login to sign.
    pub login_required: bool,
    /// The PIN is entered on the reader's PIN pad (CKF_PROTECTED_AUTHENTICATION_PATH).
    pub protected_authentication_path: bool,
    /// A wrong PIN was entered since the last good one (CKF_USER_PIN_COUNT_LOW).
    pub user_pin_count_low: bool,
    /// The next wrong PIN locks the token (CKF_USER_PIN_FINAL_TRY).
    pub user_pin_final_try: bool,
    /// The user PIN is locked (CKF_USER_PIN_LOCKED).
    pub user_pin_locked: bool,
    /// The user PIN has been set (CKF_USER_PIN_INITIALIZED).
    pub user_pin_initialized: bool,
    /// The token asks for the PIN to be changed (CKF_USER_PIN_TO_BE_CHANGED).
    pub user_pin_to_be_changed: bool,
}

impl PinState {
    pub(crate) fn from_token_info(info: &TokenInfo) -> PinState {
        PinState {
            login_required: info.login_required(),
            protected_authentication_path: info.protected_authentication_path(),
            user_pin_count_low: info.user_pin_count_low(),
            user_pin_final_try: info.user_pin_final_try(),
            user_pin_locked: info.user_pin_locked(),
            user_pin_initialized: info.user_pin_initialized(),
            user_pin_to_be_changed: info.user_pin_to_be_changed(),
        }
    }
}

/// The kind of a key pair on the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum KeyKind {
    /// CKK_EC.
    Ec,
    /// Another CKK_ value; no JWS algorithm here.
    Other,
    /// CKK_RSA.
    Rsa,
}

/// A certificate on the token with a key of the same CKA_ID: something that can seal.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SealCandidate {
    /// CKA_ID, lower-case hex.
    pub key_id: String,
    /// CKA_LABEL of the certificate (or of the key if the certificate has none).
    pub label: String,
    /// The key pair's kind (from the token).
    pub key_kind: KeyKind,
    /// The key as the certificate describes it, e.g. `RSA-3072`, `EC P-256`.
    pub key: String,
    /// The algorithm a signer uses by default for this key (`None`: not supported here).
    pub algorithm: Option<SignatureAlgorithm>,
    /// Whether the private-key object was visible (many tokens hide it until login).
    pub private_key_visible: bool,
    /// CKA_ALWAYS_AUTHENTICATE of the private key (`None` when the private key is hidden).
    pub always_authenticate: Option<bool>,
    /// What the certificate says.
    pub certificate: CertificateInfo,
    /// The certificate's validity at the time given to the listing.
    pub validity: Validity,
    /// [`CertificateInfo::is_qualified_seal`].
    pub qualified_seal: bool,
    /// What the certificate is at the listing time (qualified / advanced seal, signature
    /// certificate, expired, not yet valid).
    pub class: CertificateClass,
    /// Whole days of validity left at the listing time (negative once expired).
    pub days_left: i64,
    /// The end of validity is at most 105 days away: renew the certificate.
    pub expires_soon: bool,
    /// The JWS algorithms this key can sign with on this token (key type and the token's
    /// mechanisms), default first.
    pub algorithms: Vec<SignatureAlgorithm>,
}

impl SealCandidate {
    /// Orders candidates for the default choice: valid first, then qualified seal, then any
    /// seal, then key in a qualified device (QcSSCD), then no PIN per signature.
    fn rank(&self) -> (bool, bool, bool, bool, bool) {
        (
            self.validity == Validity::Valid,
            self.class == CertificateClass::QualifiedSeal,
            self.class.is_seal(),
            self.certificate.qc_sscd,
            self.always_authenticate != Some(true),
        )
    }
}

/// One token: who it is, its PIN state and its seal candidates.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenReport {
    /// The PKCS#11 slot id.
    pub slot_id: u64,
    /// Token label.
    pub label: String,
    /// Token manufacturer.
    pub manufacturer: String,
    /// Token model.
    pub model: String,
    /// Token serial number.
    pub serial: String,
    /// PIN state, read before any login.
    pub pin: PinState,
    /// Seal candidates, by key id.
    pub candidates: Vec<SealCandidate>,
    /// The key id a seal uses when none is chosen (see [`default_candidate`]).
    pub default_key_id: Option<String>,
}

/// The candidate chosen when the user names none: valid + qualified seal first, then a valid
/// seal, then valid, then the rest; ties go to the lowest key id.
pub fn default_candidate(candidates: &[SealCandidate]) -> Option<&SealCandidate> {
    let mut best: Option<&SealCandidate> = None;
    for candidate in candidates {
        // `>` keeps the earliest (lowest id) among equals.
        if best.is_none_or(|b| candidate.rank() > b.rank()) {
            best = Some(candidate);
        }
    }
    best
}

/// Lists the tokens of `module` and their seal candidates, without a PIN. `now` judges the
/// certificates' validity.
pub fn list_tokens(module: &Path, now: OffsetDateTime) -> Result<Vec<TokenReport>, TokenError> {
    let _span = tracing::info_span!("token.list", module = %module.display()).entered();
    let ctx = context(module)?;
    let slots = ctx
        .get_slots_with_token()
        .map_err(|e| TokenError::pkcs11("C_GetSlotList", e))?;
    let mut reports = Vec::new();
    for slot in slots {
        let info = crate::module::token_info(&ctx, slot)?;
        if !info.token_initialized() {
            continue;
        }
        let label = info.label().trim().to_owned();
        let session = ctx
            .open_ro_session(slot)
            .map_err(|e| TokenError::pkcs11("C_OpenSession", e))?;
        let mechanisms = ctx
            .get_mechanism_list(slot)
            .map_err(|e| TokenError::pkcs11("C_GetMechanismList", e))?;
        let objects = TokenObjects::read(&session, &label)?;
        let candidates = objects.candidates(&label, &mechanisms, now)?;
        let default_key_id = default_candidate(&candidates).map(|c| c.key_id.clone());
        reports.push(TokenReport {
            slot_id: slot.id(),
            label,
            manufacturer: info.manufacturer_id().trim().to_owned(),
            model: info.model().trim().to_owned(),
            serial: info.serial_number().trim().to_owned(),
            pin: PinState::from_token_info(&info),
            candidates,
            default_key_id,
        });
    }
    Ok(reports)
}

/// Which token to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSelector {
    /// The first slot with an initialised token.
    First,
    /// The token with this label (compared without trailing blanks).
    Label(String),
}

/// Finds the slot of the selected token.
pub(crate) fn select_slot(
    ctx: &Pkcs11,
    selector: &TokenSelector,
) -> Result<(Slot, TokenInfo), TokenError> {
    let slots = ctx
        .get_slots_with_token()
        .map_err(|e| TokenError::pkcs11("C_GetSlotList", e))?;
    for slot in slots {
        let info = crate::module::token_info(ctx, slot)?;
        if !info.token_initialized() {
            continue;
        }
        match selector {
            TokenSelector::First => return Ok((slot, info)),
            TokenSelector::Label(label) if info.label().trim() == label.trim() => {
                return Ok((slot, info))
            }
            TokenSelector::Label(_) => {}
        }
    }
    match selector {
        TokenSelector::Label(label) => Err(TokenError::TokenNotFound {
            label: label.clone(),
        }),
        TokenSelector::First => Err(TokenError::NoToken),
    }
}

/// A private or public key object's facts.
#[derive(Debug, Clone)]
pub(crate) struct KeyObject {
    pub handle: ObjectHandle,
    pub kind: KeyKind,
    pub always_authenticate: Option<bool>,
    pub label: Option<String>,
}

/// A certificate object.
#[derive(Debug, Clone)]
pub(crate) struct CertificateObject {
    pub der: Vec<u8>,
    pub label: Option<String>,
}

/// The certificates and keys visible in a session, by CKA_ID.
pub(crate) struct TokenObjects {
    pub certificates: BTreeMap<Vec<u8>, CertificateObject>,
    pub private_keys: BTreeMap<Vec<u8>, KeyObject>,
    pub public_keys: BTreeMap<Vec<u8>, KeyObject>,
}

impl TokenObjects {
    pub(crate) fn read(session: &Session, _token: &str) -> Result<TokenObjects, TokenError> {
        let mut certificates = BTreeMap::new();
        let handles = session
            .find_objects(&[
                Attribute::Class(ObjectClass::CERTIFICATE),
                Attribute::CertificateType(CertificateType::X_509),
            ])
            .map_err(|e| TokenError::pkcs11("C_FindObjects", e))?;
        for handle in handles {
            let attributes = session
                .get_attributes(
                    handle,
                    &[
                        AttributeType::Id,
                        AttributeType::Value,
                        AttributeType::Label,
                    ],
                )
                .map_err(|e| TokenError::pkcs11("C_GetAttributeValue", e))?;
            let mut id = None;
            let mut der = None;
            let mut label = None;
            for attribute in attributes {
                match attribute {
                    Attribute::Id(v) => id = Some(v),
                    Attribute::Value(v) => der = Some(v),
                    Attribute::Label(v) => label = Some(String::from_utf8_lossy(&v).into_owned()),
                    _ => {}
                }
            }
            if let (Some(id), Some(der)) = (id, der) {
                certificates.insert(id, CertificateObject { der, label });
            }
        }
        Ok(TokenObjects {
            certificates,
            private_keys: read_keys(session, ObjectClass::PRIVATE_KEY)?,
            public_keys: read_keys(session, ObjectClass::PUBLIC_KEY)?,
        })
    }

    /// The seal candidates: certificates with a private key, or with a public key when private
    /// keys are hidden, of the same CKA_ID. A certificate that cannot be read is skipped with a
    /// warning (one odd object must not hide the others).
    pub(crate) fn candidates(
        &self,
        token: &str,
        mechanisms: &[MechanismType],
        now: OffsetDateTime,
    ) -> Result<Vec<SealCandidate>, TokenError> {
        let mut out = Vec::new();
        for (id, cert) in &self.certificates {
            let private = self.private_keys.get(id);
            let Some(key) = private.or_else(|| self.public_keys.get(id)) else {
                continue;
            };
            let key_id = hex::encode(id);
            let certificate = match CertificateInfo::from_der(&cert.der) {
                Ok(info) => info,
                Err(error) => {
                    tracing::warn!(token, key_id, %error, "skipping a certificate that cannot be read");
                    continue;
                }
            };
            out.push(candidate(
                key_id,
                cert,
                key,
                private.is_some(),
                certificate,
                mechanisms,
                now,
            ));
        }
        Ok(out)
    }
}

pub(crate) fn candidate(
    key_id: String,
    cert: &CertificateObject,
    key: &KeyObject,
    private_key_visible: bool,
    certificate: CertificateInfo,
    mechanisms: &[MechanismType],
    now: OffsetDateTime,
) -> SealCandidate {
    let always_authenticate = if private_key_visible {
        Some(key.always_authenticate.unwrap_or(false))
    } else {
        None
    };
    let algorithms: Vec<SignatureAlgorithm> = SignatureAlgorithm::ALL
        .into_iter()
        .filter(|a| key_fits(key.kind, &certificate.public_key, *a))
        .filter(|a| Plan::offered(*a, always_authenticate == Some(true), mechanisms))
        .collect();
    let preferred = match key.kind {
        KeyKind::Rsa => Some(SignatureAlgorithm::RS256),
        KeyKind::Ec if certificate.public_key == "EC P-256" => Some(SignatureAlgorithm::ES256),
        KeyKind::Ec if certificate.public_key == "EC P-384" => Some(SignatureAlgorithm::ES384),
        KeyKind::Ec | KeyKind::Other => None,
    };
    // The preferred algorithm if the token can make it, else the first it can.
    let algorithm = preferred
        .filter(|p| algorithms.contains(p))
        .or_else(|| algorithms.first().copied());
    let mut algorithms = algorithms;
    if let Some(default) = algorithm {
        algorithms.retain(|a| *a != default);
        algorithms.insert(0, default);
    }
    SealCandidate {
        label: cert
            .label
            .clone()
            .or_else(|| key.label.clone())
            .unwrap_or_default(),
        key_kind: key.kind,
        key: certificate.public_key.clone(),
        algorithm,
        private_key_visible,
        always_authenticate,
        validity: certificate.validity_at(now),
        qualified_seal: certificate.is_qualified_seal(),
        class: certificate.class_at(now),
        days_left: certificate.days_left(now),
        expires_soon: certificate.expires_soon(now),
        algorithms,
        certificate,
        key_id,
    }
}

fn read_keys(
    session: &Session,
    class: ObjectClass,
) -> Result<BTreeMap<Vec<u8>, KeyObject>, TokenError> {
    let mut keys = BTreeMap::new();
    let handles = session
        .find_objects(&[Attribute::Class(class)])
        .map_err(|e| TokenError::pkcs11("C_FindObjects", e))?;
    let mut wanted = vec![
        AttributeType::Id,
        AttributeType::KeyType,
        AttributeType::Label,
    ];
    if class == ObjectClass::PRIVATE_KEY {
        wanted.push(AttributeType::AlwaysAuthenticate);
    }
    for handle in handles {
        let attributes = session
            .get_attributes(handle, &wanted)
            .map_err(|e| TokenError::pkcs11("C_GetAttributeValue", e))?;
        let mut id = None;
        let mut kind = KeyKind::Other;
        let mut always_authenticate = None;
        let mut label = None;
        for attribute in attributes {
            match attribute {
                Attribute::Id(v) => id = Some(v),
                Attribute::KeyType(t) if t == KeyType::RSA => kind = KeyKind::Rsa,
                Attribute::KeyType(t) if t == KeyType::EC => kind = KeyKind::Ec,
                Attribute::AlwaysAuthenticate(b) => always_authenticate = Some(b),
                Attribute::Label(v) => label = Some(String::from_utf8_lossy(&v).into_owned()),
                _ => {}
            }
        }
        if let Some(id) = id {
            keys.insert(
                id,
                KeyObject {
                    handle,
                    kind,
                    always_authenticate,
                    label,
                },
            );
        }
    }
    Ok(keys)
}
