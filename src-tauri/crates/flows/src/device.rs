//! The seal device as a person at the token sees it.

use std::path::PathBuf;

use sealdesk_seal::certificate::{CertificateInfo, Validity};
use sealdesk_token::{
    default_candidate, discover_module, list_tokens, PcscReaders, SealCandidate, TokenReport,
    TokenSelector,
};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::views::{DeviceStatus, PinView, ReaderView, ReadersView, SealKeyView, TokenView};
use crate::FlowError;

/// Which module, token and key to use; `None` everywhere means discover.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceSelector {
    /// PKCS#11 module path.
    pub module: Option<PathBuf>,
    /// Token label.
    pub token_label: Option<String>,
    /// CKA_ID of the seal key, hex.
    pub key_id: Option<String>,
}

impl DeviceSelector {
    /// From `SEALDESK_PKCS11_MODULE`, `SEALDESK_TOKEN_LABEL` and `SEALDESK_KEY_ID`.
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        Self {
            module: var("SEALDESK_PKCS11_MODULE").map(PathBuf::from),
            token_label: var("SEALDESK_TOKEN_LABEL"),
            key_id: var("SEALDESK_KEY_ID"),
        }
    }

    pub(crate) fn token(&self) -> TokenSelector {
        match &self.token_label {
            Some(label) => TokenSelector::Label(label.clone()),
            None => TokenSelector::First,
        }
    }
}

/// What the device looks like now: module, tokens with PIN state and seal key, readers.
///
/// A missing module or token is part of the answer (`message`), not an error: the screen
/// shows it and says what to do.
pub fn device_status(sel: &DeviceSelector, now: OffsetDateTime) -> Result<DeviceStatus, FlowError> {
    let _span = tracing::info_span!("flows.device_status").entered();
    let readers = readers_view();
    let module = match discover_module(sel.module.as_deref()) {
        Ok(module) => module,
        Err(error) => {
            return Ok(DeviceStatus {
                module_path: None,
                tokens: Vec::new(),
                readers,
                message: Some(error.to_string()),
            })
        }
    };
    let (tokens, message) = match list_tokens(&module, now) {
        Ok(tokens) if tokens.is_empty() => (
            Vec::new(),
            Some("no token found: plug in the seal token (or check its PKCS#11 module)".to_owned()),
        ),
        Ok(tokens) => (tokens, None),
        Err(error) => (Vec::new(), Some(error.to_string())),
    };
    let manufacturer_is_soft = |t: &TokenReport| t.manufacturer.contains("SoftHSM");
    let tokens = tokens
        .iter()
        .filter(|t| match &sel.token_label {
            Some(label) => t.label.trim() == label.trim(),
            None => true,
        })
        .map(|t| {
            let chosen = match &sel.key_id {
                Some(id) => t
                    .candidates
                    .iter()
                    .find(|c| c.key_id.eq_ignore_ascii_case(id.trim())),
                None => default_candidate(&t.candidates),
            };
            let seal = chosen.map(|c| seal_key_view(c, now));
            let test_certificate = chosen.is_some_and(|c| is_test_certificate(&c.certificate));
            TokenView {
                label: t.label.trim().to_owned(),
                manufacturer: t.manufacturer.trim().to_owned(),
                model: t.model.trim().to_owned(),
                serial: t.serial.trim().to_owned(),
                is_test: manufacturer_is_soft(t) || t.label.trim() == "TEST" || test_certificate,
                pin: PinView {
                    login_required: t.pin.login_required,
                    count_low: t.pin.user_pin_count_low,
                    final_try: t.pin.user_pin_final_try,
                    locked: t.pin.user_pin_locked,
                    pin_pad: t.pin.protected_authentication_path,
                },
                seal,
            }
        })
        .collect::<Vec<_>>();
    let message = message.or_else(|| match (&sel.token_label, tokens.is_empty()) {
        (Some(label), true) => Some(format!(
            "no token labelled {label}: plug it in, or choose another token"
        )),
        _ => None,
    });
    Ok(DeviceStatus {
        module_path: Some(module.display().to_string()),
        tokens,
        readers,
        message,
    })
}

/// Certificates from a test CA say so: Sealdesk's own harness marks them "(TEST)" and
/// "NOT QUALIFIED"; such a seal must never be mistaken for the institution's.
pub(crate) fn is_test_certificate(cert: &CertificateInfo) -> bool {
    let marked = |s: &str| s.contains("(TEST)") || s.contains("NOT QUALIFIED");
    marked(&cert.subject) || marked(&cert.issuer)
}

fn seal_key_view(c: &SealCandidate, now: OffsetDateTime) -> SealKeyView {
    let cert = &c.certificate;
    let days_left = (cert.not_after - now).whole_days();
    SealKeyView {
        key_id: c.key_id.clone(),
        holder: cert
            .organization
            .clone()
            .or_else(|| cert.common_name.clone())
            .unwrap_or_default(),
        common_name: cert.common_name.clone().unwrap_or_default(),
        organization_identifier: cert.organization_identifier.clone().unwrap_or_default(),
        country: cert.country.clone().unwrap_or_default(),
        issuer: cert
            .issuer_common_name
            .clone()
            .unwrap_or_else(|| cert.issuer.clone()),
        not_after: rfc3339(cert.not_after),
        days_left: days_left.clamp(i32::MIN as i64, i32::MAX as i64) as i32,
        expired: c.validity != Validity::Valid,
        qualified: c.qualified_seal,
        always_authenticate: c.always_authenticate == Some(true),
        algorithm: c
            .algorithm
            .map(|a| a.jws_name().to_owned())
            .unwrap_or_else(|| "unsupported key".to_owned()),
    }
}

fn readers_view() -> ReadersView {
    match sealdesk_token::readers() {
        Ok(PcscReaders::Available(readers)) => ReadersView {
            available: true,
            message: None,
            readers: readers
                .into_iter()
                .map(|r| ReaderView {
                    name: r.name,
                    card_present: r.card_present,
                    atr: Some(r.atr_hex).filter(|a| !a.is_empty()),
                })
                .collect(),
        },
        Ok(PcscReaders::ServiceNotRunning) => ReadersView {
            available: false,
            message: Some(
                "the smart-card service (pcscd) is not running: USB tokens with their own driver still work"
                    .to_owned(),
            ),
            readers: Vec::new(),
        },
        Err(error) => ReadersView {
            available: false,
            message: Some(error.to_string()),
            readers: Vec::new(),
        },
    }
}

pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}
