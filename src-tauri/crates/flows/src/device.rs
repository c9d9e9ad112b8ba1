//! The seal device as a person at the token sees it: which module (explicit > environment >
//! remembered in the catalogue > discovery, discovered modules probed in a child process), the
//! tokens with their PIN state and every key's certificate class and expiry, the readers; the
//! remembered module; the hot-plug watcher the app subscribes to; "test my seal".

use std::path::{Path, PathBuf};

use sealdesk_catalogue::Catalogue;
use sealdesk_seal::certificate::{CertificateClass, CertificateInfo, Validity};
use sealdesk_token::{
    default_candidate, list_tokens, probe, ModuleSource, PcscReaders, SealCandidate, TokenError,
    TokenReport, TokenSelector, MODULE_ENV,
};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::views::{
    DeviceStatus, ModuleCandidateView, ModuleSourceView, ModuleState, PinView, ReaderView,
    ReadersView, SealClass, SealKeyView, TokenView,
};
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
/// shows it and says what to do. Without a catalogue nothing is remembered: see
/// [`device_status_in`].
pub fn device_status(sel: &DeviceSelector, now: OffsetDateTime) -> Result<DeviceStatus, FlowError> {
    status(sel, None, now)
}

/// [`device_status`] with the module remembered in `cat` (setting [`MODULE_SETTING`]) taking
/// its place in the resolution order: explicit > environment > remembered > discovery.
pub fn device_status_in(
    cat: &Catalogue,
    sel: &DeviceSelector,
    now: OffsetDateTime,
) -> Result<DeviceStatus, FlowError> {
    status(sel, Some(cat), now)
}

/// The catalogue setting that holds the user-chosen PKCS#11 module path.
pub const MODULE_SETTING: &str = "token.module";

/// The module remembered in `cat`, if any.
pub fn remembered_module(cat: &Catalogue) -> Result<Option<PathBuf>, FlowError> {
    Ok(cat
        .settings()
        .get(MODULE_SETTING)?
        .filter(|v| !v.trim().is_empty())
        .map(PathBuf::from))
}

/// Remembers `path` as the PKCS#11 module (setting [`MODULE_SETTING`]) after checking it: it
/// must exist and, when this executable can probe, load and answer in a child process (a
/// module that crashes is refused with [`TokenError::ModuleCrashed`]). Returns what the probe
/// saw. An empty path forgets the choice (back to discovery).
pub fn remember_module(
    cat: &Catalogue,
    path: &Path,
    now: OffsetDateTime,
) -> Result<ModuleCandidateView, FlowError> {
    let _span = tracing::info_span!("flows.remember_module").entered();
    if path.as_os_str().is_empty() {
        cat.settings().set(MODULE_SETTING, "")?;
        cat.audit().append(now, "module", "forgotten")?;
        return Ok(ModuleCandidateView {
            vendor: String::new(),
            path: String::new(),
            state: ModuleState::Skipped,
            tokens: 0,
            message: Some("the module choice was forgotten: modules are discovered again".into()),
        });
    }
    let (path, _) = sealdesk_token::resolve_module(Some(path), None, None)?;
    let view = if probe::host_can_probe() {
        let host = std::env::current_exe().map_err(|e| TokenError::ModuleProbe {
            path: path.clone(),
            reason: format!("cannot find this program's executable: {e}"),
        })?;
        let report = probe::probe_module(&path, &host, probe::PROBE_TIMEOUT)?;
        ModuleCandidateView {
            vendor: report.manufacturer.clone(),
            path: path.display().to_string(),
            state: ModuleState::Ok,
            tokens: report.tokens.len() as u32,
            message: None,
        }
    } else {
        ModuleCandidateView {
            vendor: String::new(),
            path: path.display().to_string(),
            state: ModuleState::Skipped,
            tokens: 0,
            message: Some("not probed (this program cannot probe modules)".into()),
        }
    };
    cat.settings()
        .set(MODULE_SETTING, &path.display().to_string())?;
    cat.audit()
        .append(now, "module", &path.display().to_string())?;
    Ok(view)
}

/// The module to use and where it came from, plus the discovery candidates when discovery
/// ran (probed in child processes when this executable can).
pub(crate) fn resolve(
    sel: &DeviceSelector,
    cat: Option<&Catalogue>,
) -> Result<(PathBuf, ModuleSource, Vec<ModuleCandidateView>), FlowError> {
    if let Some(module) = &sel.module {
        let from_env =
            std::env::var_os(MODULE_ENV).is_some_and(|v| Path::new(&v) == module.as_path());
        let (path, _) = sealdesk_token::resolve_module(Some(module), None, None)?;
        let source = if from_env {
            ModuleSource::Environment
        } else {
            ModuleSource::Explicit
        };
        return Ok((path, source, Vec::new()));
    }
    let remembered = match cat {
        Some(cat) => remembered_module(cat)?,
        None => None,
    };
    if remembered.is_some() {
        let (path, source) = sealdesk_token::resolve_module(None, None, remembered.as_deref())?;
        return Ok((path, source, Vec::new()));
    }
    if !probe::host_can_probe() {
        let (path, source) = sealdesk_token::resolve_module(None, None, None)?;
        return Ok((path, source, Vec::new()));
    }
    let host = std::env::current_exe().map_err(|e| TokenError::ModuleProbe {
        path: PathBuf::new(),
        reason: format!("cannot find this program's executable: {e}"),
    })?;
    let (chosen, probed) = probe::discover_probed(&host, probe::PROBE_TIMEOUT);
    let candidates: Vec<ModuleCandidateView> = probed
        .iter()
        .map(|m| match &m.outcome {
            Ok(report) => ModuleCandidateView {
                vendor: m.vendor.to_owned(),
                path: m.path.display().to_string(),
                state: ModuleState::Ok,
                tokens: report.tokens.len() as u32,
                message: None,
            },
            Err(error) => ModuleCandidateView {
                vendor: m.vendor.to_owned(),
                path: m.path.display().to_string(),
                state: if matches!(error, TokenError::ModuleCrashed { .. }) {
                    ModuleState::Crashed
                } else {
                    ModuleState::Failed
                },
                tokens: 0,
                message: Some(error.to_string()),
            },
        })
        .collect();
    match chosen {
        Some(path) => Ok((path, ModuleSource::Discovered, candidates)),
        None => {
            // Nothing answered: report the first failure if any, else "not found".
            if let Some(error) = probed.into_iter().find_map(|m| m.outcome.err()) {
                return Err(error.into());
            }
            Err(TokenError::ModuleNotFound {
                tried: sealdesk_token::known_paths(),
            }
            .into())
        }
    }
}

fn status(
    sel: &DeviceSelector,
    cat: Option<&Catalogue>,
    now: OffsetDateTime,
) -> Result<DeviceStatus, FlowError> {
    let _span = tracing::info_span!("flows.device_status").entered();
    let readers = readers_view();
    let (module, source, candidates) = match resolve(sel, cat) {
        Ok(found) => found,
        Err(FlowError::Token(error)) => {
            return Ok(DeviceStatus {
                module_path: None,
                module_source: None,
                module_candidates: Vec::new(),
                tokens: Vec::new(),
                readers,
                message: Some(error.to_string()),
            })
        }
        Err(other) => return Err(other),
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
                keys: t.candidates.iter().map(|c| seal_key_view(c, now)).collect(),
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
        module_source: Some(source_view(source)),
        module_candidates: candidates,
        tokens,
        readers,
        message,
    })
}

fn source_view(source: ModuleSource) -> ModuleSourceView {
    match source {
        ModuleSource::Explicit => ModuleSourceView::Explicit,
        ModuleSource::Environment => ModuleSourceView::Environment,
        ModuleSource::Remembered => ModuleSourceView::Remembered,
        _ => ModuleSourceView::Discovered,
    }
}

/// Certificates from a test CA say so: Sealdesk's own harness marks them "(TEST)" and
/// "NOT QUALIFIED"; such a seal must never be mistaken for the institution's.
pub(crate) fn is_test_certificate(cert: &CertificateInfo) -> bool {
    let marked = |s: &str| s.contains("(TEST)") || s.contains("NOT QUALIFIED");
    marked(&cert.subject) || marked(&cert.issuer)
}

fn seal_key_view(c: &SealCandidate, now: OffsetDateTime) -> SealKeyView {
    let cert = &c.certificate;
    SealKeyView {
        key_id: c.key_id.clone(),
        label: c.label.clone(),
        key: c.key.clone(),
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
        not_before: rfc3339(cert.not_before),
        not_after: rfc3339(cert.not_after),
        days_left: cert
            .days_left(now)
            .clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32,
        expired: c.validity != Validity::Valid,
        expires_soon: cert.expires_soon(now),
        qualified: c.qualified_seal,
        class: class_view(cert.class_at(now)),
        class_label: cert.class_at(now).label().to_owned(),
        qc_sscd: cert.qc_sscd,
        pds: cert.pds.iter().map(|p| p.url.clone()).collect(),
        always_authenticate: c.always_authenticate == Some(true),
        algorithm: c
            .algorithm
            .map(|a| a.jws_name().to_owned())
            .unwrap_or_else(|| "unsupported key".to_owned()),
        algorithms: c
            .algorithms
            .iter()
            .map(|a| a.jws_name().to_owned())
            .collect(),
        fingerprint: cert.sha256_fingerprint.clone(),
    }
}

pub(crate) fn class_view(class: CertificateClass) -> SealClass {
    match class {
        CertificateClass::QualifiedSeal => SealClass::QualifiedSeal,
        CertificateClass::AdvancedSeal => SealClass::AdvancedSeal,
        CertificateClass::SignatureCertificate => SealClass::SignatureCertificate,
        CertificateClass::Expired => SealClass::Expired,
        CertificateClass::NotYetValid => SealClass::NotYetValid,
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
