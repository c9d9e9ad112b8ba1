//! Reading and checking a sealed (or unsealed) credential file.
//!
//! [`verify`] accepts JAdES JWS JSON (general or flattened; `b64` false or true), compact JWS, a
//! plain credential JSON, or the EDC upload wrapper `{"credential": ...}`. It returns a
//! [`Verdict`] (the file was checked) or a [`SealError`] (it could not be read). Checks are
//! values with a status and a sentence; a broken seal is a verdict, not an error.
//!
//! Timestamps (`sigTst`, `arcTst`) are checked: imprint, CMS signature, and the TSA's chain to
//! the anchors (an untrusted TSA is a warning, distinct from a broken token); a valid signature
//! timestamp's genTime is the proven signing time. Revocation evidence carried in the seal
//! (`rVals`: OCSP responses, CRLs) is checked for the seal certificate at that time. Not here:
//! EU trusted lists, and fetching revocation data online (the verifier works offline).

use std::borrow::Cow;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use openssl::bn::BigNum;
use openssl::ecdsa::EcdsaSig;
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Public};
use openssl::rsa::Padding;
use openssl::sha::sha256;
use openssl::sign::{RsaPssSaltlen, Verifier};
use openssl::stack::Stack;
use openssl::x509::store::X509StoreBuilder;
use openssl::x509::verify::X509VerifyFlags;
use openssl::x509::{X509NameRef, X509StoreContext, X509};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::certificate::CertificateInfo;
pub use crate::error::SealError;
pub use crate::trust::TrustAnchors;

/// Critical header names this verifier understands (it processes them or they do not change
/// what is signed).
const UNDERSTOOD_CRIT: &[&str] = &[
    "adoTst", "b64", "iat", "sigPId", "sigPl", "sigT", "sigX5ts", "srAts", "srCms", "x5t#o",
];

/// How the file wraps the credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum EnvelopeKind {
    /// Compact JWS (`header.payload.signature`).
    CompactJws,
    /// JWS JSON flattened serialization (`protected`, `payload`, `signature` at the top).
    JwsJsonFlattened,
    /// JWS JSON general serialization (`payload`, `signatures[]`): what EDC issues.
    JwsJsonGeneral,
    /// A plain JSON document, not sealed.
    NotSealed,
    /// The EDC upload wrapper `{"credential": ...}`, not sealed.
    UploadWrapper,
}

impl EnvelopeKind {
    /// Whether the file carries a seal.
    pub fn is_sealed(self) -> bool {
        !matches!(self, Self::NotSealed | Self::UploadWrapper)
    }
}

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Status {
    /// The check failed.
    Error,
    /// The check passed.
    Ok,
    /// The check was not made (the sentence says why).
    Skipped,
    /// Passed with a reservation (e.g. a seal made while valid, certificate expired since).
    Warning,
}

/// One check: a status and a sentence for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// The outcome.
    pub status: Status,
    /// What was found, in plain words.
    pub message: String,
}

impl Check {
    fn new(status: Status, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }
}

/// The JAdES baseline level reached by the components present (not by their validity).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum BaselineLevel {
    /// Basic signature.
    #[serde(rename = "B-B")]
    BB,
    /// With a signature timestamp (`sigTst`).
    #[serde(rename = "B-T")]
    BT,
    /// With validation data (`xVals`/`rVals`).
    #[serde(rename = "B-LT")]
    BLT,
    /// With an archive timestamp (`arcTst`).
    #[serde(rename = "B-LTA")]
    BLTA,
}

impl BaselineLevel {
    /// `B-B`, `B-T`, `B-LT`, `B-LTA`.
    pub fn name(self) -> &'static str {
        match self {
            Self::BB => "B-B",
            Self::BT => "B-T",
            Self::BLT => "B-LT",
            Self::BLTA => "B-LTA",
        }
    }
}

/// Facts read from the protected header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HeaderFacts {
    /// `alg`.
    pub alg: String,
    /// `cty`, if any.
    pub cty: Option<String>,
    /// `typ`, if any.
    pub typ: Option<String>,
    /// `kid`, if any.
    pub kid: Option<String>,
    /// `x5t#S256`, if any.
    pub x5t_s256: Option<String>,
    /// Number of certificates in `x5c`.
    pub x5c_len: usize,
    /// `b64` (default true).
    pub b64: bool,
    /// `crit` names.
    pub crit: Vec<String>,
    /// Whether a content timestamp (`adoTst`) is present.
    pub content_timestamp: bool,
}

/// Where the claimed signing time came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum SigningTimeSource {
    /// `iat` (NumericDate), JAdES from 2025-07-15.
    Iat,
    /// `sigT` (RFC 3339), JAdES before 2025-07-15.
    SigT,
}

/// Everything found about one signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignatureReport {
    /// Position in `signatures` (0 for flattened/compact).
    pub index: usize,
    /// Protected-header facts.
    pub header: HeaderFacts,
    /// What the signer certificate (x5c\[0\]) says, if present.
    pub signer: Option<CertificateInfo>,
    /// The signer certificate DER (x5c\[0\]), empty if absent.
    #[serde(skip)]
    pub signer_der: Vec<u8>,
    /// The other certificates the seal carries (x5c\[1..\], then xVals), as DER: where a trusted
    /// list's CA may be found above an intermediate CA.
    #[serde(skip)]
    pub chain_der: Vec<Vec<u8>>,
    /// The claimed signing time, if any.
    #[serde(with = "time::serde::rfc3339::option")]
    pub claimed_signing_time: Option<OffsetDateTime>,
    /// Where the claimed signing time came from.
    pub signing_time_source: Option<SigningTimeSource>,
    /// Baseline level by the components present.
    pub level: BaselineLevel,
    /// Signature value verified over the right input, certificate reference matches, crit understood.
    pub integrity: Check,
    /// Certificate valid at the signing time; `seal expired` when it has expired since.
    pub validity: Check,
    /// Whether the certificate has expired at the verification time.
    pub seal_expired: bool,
    /// Chain to a trust anchor.
    pub trust: Check,
    /// Qualified e-seal statements (informational until trusted lists land).
    pub qualification: Check,
    /// Timestamps: imprint, token signature, TSA trust.
    pub timestamps: Check,
    /// Revocation evidence carried in the seal, for the seal certificate.
    pub revocation: Check,
    /// The signing time proven by a valid signature timestamp (its genTime), if any.
    #[serde(with = "time::serde::rfc3339::option")]
    pub proven_signing_time: Option<OffsetDateTime>,
}

/// The result of reading and checking a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    /// How the file wraps the credential.
    pub envelope: EnvelopeKind,
    /// The exact payload bytes (the credential as sealed, or as found in an unsealed file).
    #[serde(skip)]
    pub payload: Vec<u8>,
    /// One report per signature (empty when not sealed).
    pub signatures: Vec<SignatureReport>,
}

impl Verdict {
    /// True when the file is sealed and every signature verified (integrity ok).
    pub fn intact(&self) -> bool {
        !self.signatures.is_empty()
            && self
                .signatures
                .iter()
                .all(|s| s.integrity.status == Status::Ok)
    }
}

/// A signature to check, independent of the serialization.
struct RawSignature<'a> {
    index: usize,
    pointer: String,
    protected_b64: &'a str,
    signature_b64: &'a str,
    unprotected: Option<&'a Map<String, Value>>,
}

/// Reads `file` and checks its seals at verification time `at`.
pub fn verify(
    file: &[u8],
    anchors: &TrustAnchors,
    at: OffsetDateTime,
) -> Result<Verdict, SealError> {
    let _span = tracing::info_span!("seal_verify", file_len = file.len()).entered();
    let mut value: Value = match serde_json::from_slice(file) {
        Ok(v) => v,
        Err(source) => {
            let first = file.iter().find(|b| !b.is_ascii_whitespace());
            if matches!(first, Some(b'{' | b'[') | None) {
                return Err(SealError::MalformedJson {
                    line: source.line(),
                    column: source.column(),
                    source,
                });
            }
            return verify_compact(file, anchors, at);
        }
    };
    // The payload string (tens of KB in an EDC seal) is moved out of the value and becomes the
    // verdict's bytes: no second copy of it is made and freed (each free of a block this size
    // makes glibc consolidate its small-block bins, a cost callgrind shows per verification).
    let payload = match &mut value {
        Value::Object(root)
            if root.contains_key("signatures") || root.contains_key("protected") =>
        {
            root.remove("payload")
        }
        _ => None,
    };
    let Value::Object(root) = &value else {
        return Ok(unsealed(EnvelopeKind::NotSealed, file.to_vec()));
    };
    if let Some(signatures) = root.get("signatures") {
        let Value::Array(list) = signatures else {
            return Err(SealError::envelope("/signatures", "expected an array"));
        };
        if list.is_empty() {
            return Err(SealError::envelope("/signatures", "there is no signature"));
        }
        let raws = list
            .iter()
            .enumerate()
            .map(|(i, s)| raw_signature(s, i, format!("/signatures/{i}")))
            .collect::<Result<Vec<_>, _>>()?;
        return verify_json(payload, raws, EnvelopeKind::JwsJsonGeneral, anchors, at);
    }
    if root.contains_key("protected") && root.contains_key("signature") {
        let raw = raw_signature(&value, 0, String::new())?;
        return verify_json(
            payload,
            vec![raw],
            EnvelopeKind::JwsJsonFlattened,
            anchors,
            at,
        );
    }
    if root.contains_key("credential") && !root.contains_key("type") {
        #[derive(serde::Deserialize)]
        struct Wrapper<'a> {
            #[serde(borrow)]
            credential: &'a RawValue,
        }
        let wrapper: Wrapper<'_> =
            serde_json::from_slice(file).map_err(|source| SealError::MalformedJson {
                line: source.line(),
                column: source.column(),
                source,
            })?;
        return Ok(unsealed(
            EnvelopeKind::UploadWrapper,
            wrapper.credential.get().as_bytes().to_vec(),
        ));
    }
    Ok(unsealed(EnvelopeKind::NotSealed, file.to_vec()))
}

fn unsealed(envelope: EnvelopeKind, payload: Vec<u8>) -> Verdict {
    Verdict {
        envelope,
        payload,
        signatures: Vec::new(),
    }
}

fn raw_signature<'a>(
    node: &'a Value,
    index: usize,
    pointer: String,
) -> Result<RawSignature<'a>, SealError> {
    let text = |key: &str| {
        node.get(key).and_then(Value::as_str).ok_or_else(|| {
            SealError::envelope(format!("{pointer}/{key}"), "expected a base64url string")
        })
    };
    let unprotected = match node.get("header") {
        None => None,
        Some(Value::Object(m)) => Some(m),
        Some(_) => {
            return Err(SealError::envelope(
                format!("{pointer}/header"),
                "expected an object",
            ))
        }
    };
    Ok(RawSignature {
        index,
        protected_b64: text("protected")?,
        signature_b64: text("signature")?,
        unprotected,
        pointer,
    })
}

fn b64url(text: &str, pointer: &str) -> Result<Vec<u8>, SealError> {
    URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .map_err(|source| SealError::Base64 {
            pointer: pointer.to_owned(),
            source,
        })
}

fn protected_header(raw: &RawSignature<'_>) -> Result<Map<String, Value>, SealError> {
    let pointer = format!("{}/protected", raw.pointer);
    let bytes = b64url(raw.protected_b64, &pointer)?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(SealError::envelope(
            pointer,
            "the protected header is not a JSON object",
        )),
    }
}

fn b64_flag(header: &Map<String, Value>, pointer: &str) -> Result<bool, SealError> {
    match header.get("b64") {
        None => Ok(true),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(SealError::envelope(
            format!("{pointer}/protected/b64"),
            "expected true or false",
        )),
    }
}

/// Checks the signatures of a JWS JSON file over `payload` (the root's `payload` member, taken
/// out of the root).
fn verify_json(
    payload: Option<Value>,
    raws: Vec<RawSignature<'_>>,
    envelope: EnvelopeKind,
    anchors: &TrustAnchors,
    at: OffsetDateTime,
) -> Result<Verdict, SealError> {
    let payload_text = match payload {
        Some(Value::String(s)) => s,
        Some(_) => return Err(SealError::envelope("/payload", "expected a string")),
        None => {
            return Err(SealError::envelope(
                "/payload",
                "there is no payload (detached seals are not supported)",
            ))
        }
    };
    let headers = raws
        .iter()
        .map(protected_header)
        .collect::<Result<Vec<_>, _>>()?;
    let flags = raws
        .iter()
        .zip(&headers)
        .map(|(r, h)| b64_flag(h, &r.pointer))
        .collect::<Result<Vec<_>, _>>()?;
    if flags.iter().any(|f| *f != flags[0]) {
        return Err(SealError::envelope(
            "/signatures",
            "the signatures disagree on b64 (RFC 7797)",
        ));
    }
    let b64 = flags[0];
    let decoded = if b64 {
        Some(b64url(&payload_text, "/payload")?)
    } else {
        None
    };
    let mut reports = Vec::with_capacity(raws.len());
    for (raw, header) in raws.iter().zip(headers) {
        reports.push(check_signature(raw, &header, &payload_text, anchors, at)?);
    }
    Ok(Verdict {
        envelope,
        // Unencoded (b64 false): the text itself, moved, not copied.
        payload: decoded.unwrap_or_else(|| payload_text.into_bytes()),
        signatures: reports,
    })
}

fn verify_compact(
    file: &[u8],
    anchors: &TrustAnchors,
    at: OffsetDateTime,
) -> Result<Verdict, SealError> {
    let text = std::str::from_utf8(file).map_err(|e| {
        SealError::envelope(
            format!("byte {}", e.valid_up_to()),
            "neither JSON nor a compact JWS",
        )
    })?;
    let trimmed = text.trim();
    let start = text.len() - text.trim_start().len();
    let Some(first_dot) = trimmed.find('.') else {
        return Err(SealError::envelope(
            format!("byte {start}"),
            "neither JSON nor a compact JWS",
        ));
    };
    let Some(last_dot) = trimmed.rfind('.').filter(|d| *d != first_dot) else {
        return Err(SealError::envelope(
            format!("byte {}", start + first_dot),
            "a compact JWS has three parts separated by dots",
        ));
    };
    let raw = RawSignature {
        index: 0,
        pointer: String::new(),
        protected_b64: &trimmed[..first_dot],
        signature_b64: &trimmed[last_dot + 1..],
        unprotected: None,
    };
    let header = protected_header(&raw).map_err(|_| {
        SealError::envelope(
            format!("byte {start}"),
            "the compact JWS header is not base64url JSON",
        )
    })?;
    let payload_part = &trimmed[first_dot + 1..last_dot];
    let payload = if b64_flag(&header, "")? {
        b64url(payload_part, &format!("byte {}", start + first_dot + 1))?
    } else {
        payload_part.as_bytes().to_vec()
    };
    let report = check_signature(&raw, &header, payload_part, anchors, at)?;
    Ok(Verdict {
        envelope: EnvelopeKind::CompactJws,
        payload,
        signatures: vec![report],
    })
}

fn string_of(header: &Map<String, Value>, key: &str) -> Option<String> {
    header.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn check_signature(
    raw: &RawSignature<'_>,
    header: &Map<String, Value>,
    payload_text: &str,
    anchors: &TrustAnchors,
    at: OffsetDateTime,
) -> Result<SignatureReport, SealError> {
    let p = &raw.pointer;
    let alg = string_of(header, "alg").ok_or_else(|| {
        SealError::envelope(format!("{p}/protected/alg"), "there is no algorithm")
    })?;
    let crit: Vec<String> = match header.get("crit") {
        None => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<_>>()
            .ok_or_else(|| {
                SealError::envelope(format!("{p}/protected/crit"), "expected an array of names")
            })?,
        Some(_) => {
            return Err(SealError::envelope(
                format!("{p}/protected/crit"),
                "expected an array of names",
            ))
        }
    };
    let x5c: Vec<Vec<u8>> = match header.get("x5c") {
        None => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let ptr = format!("{p}/protected/x5c/{i}");
                let s = v
                    .as_str()
                    .ok_or_else(|| SealError::envelope(ptr.clone(), "expected a base64 string"))?;
                // Line breaks inside x5c are tolerated; most seals have none, and copying a
                // few KB of base64 char by char was measurable per verification.
                let cleaned: Cow<'_, str> = if s.chars().any(char::is_whitespace) {
                    Cow::Owned(s.chars().filter(|c| !c.is_whitespace()).collect())
                } else {
                    Cow::Borrowed(s)
                };
                STANDARD
                    .decode(cleaned.as_bytes())
                    .map_err(|source| SealError::Base64 {
                        pointer: ptr,
                        source,
                    })
            })
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(SealError::envelope(
                format!("{p}/protected/x5c"),
                "expected an array",
            ))
        }
    };
    let facts = HeaderFacts {
        alg: alg.clone(),
        cty: string_of(header, "cty"),
        typ: string_of(header, "typ"),
        kid: string_of(header, "kid"),
        x5t_s256: string_of(header, "x5t#S256"),
        x5c_len: x5c.len(),
        b64: b64_flag(header, p)?,
        crit: crit.clone(),
        content_timestamp: header.contains_key("adoTst"),
    };

    // Claimed signing time.
    let (claimed, source, time_note) = signing_time(header, p)?;

    // Unprotected etsiU: level and extra certificates.
    let (level, extra_certs, timestamp_count) = etsi_unsigned(raw)?;

    let signature = b64url(raw.signature_b64, &format!("{p}/signature"))?;
    let signer_x509 = match x5c.first() {
        Some(der) => Some(crate::certificate::x509_cached(der).map_err(|source| {
            SealError::CertificateUnreadable {
                place: format!("{p}/protected/x5c/0"),
                source,
            }
        })?),
        None => None,
    };

    let integrity = integrity_check(
        &alg,
        &crit,
        header,
        &facts,
        signer_x509.as_ref(),
        x5c.first(),
        // The JWS signing input, `protected.payload`, fed in parts (no 77 KB copy).
        &[raw.protected_b64.as_bytes(), b".", payload_text.as_bytes()],
        &signature,
    )?;

    let signer = x5c
        .first()
        .map(|der| {
            CertificateInfo::from_der_cached(der).map_err(|source| SealError::Certificate {
                place: format!("{p}/protected/x5c/0"),
                source,
            })
        })
        .transpose()?;

    // Certificates known to the seal: x5c, then xVals.
    let mut known: Vec<X509> = Vec::new();
    for der in x5c.iter().chain(extra_certs.iter()) {
        if let Ok(c) = crate::certificate::x509_cached(der) {
            known.push(c);
        }
    }
    let components = etsi_components(raw)?;
    let (timestamps, proven) = timestamp_check(
        raw,
        payload_text,
        &components,
        &known,
        anchors,
        timestamp_count + usize::from(facts.content_timestamp),
    )?;
    let claimed = match (proven, claimed) {
        (Some(p), Some(c)) if c <= p => Some(c),
        (Some(p), _) => Some(p),
        (None, c) => c,
    };

    let (validity, seal_expired) = match &signer {
        None => (
            Check::new(
                Status::Skipped,
                "no certificate in the seal: validity not checked",
            ),
            false,
        ),
        Some(s) => validity_check(s, claimed, at, time_note),
    };

    let trust = match &signer_x509 {
        None => Check::new(
            Status::Skipped,
            "no certificate in the seal: trust not checked",
        ),
        Some(cert) => {
            let mut untrusted: Vec<X509> = Vec::new();
            for (i, der) in x5c
                .iter()
                .enumerate()
                .skip(1)
                .chain(extra_certs.iter().enumerate())
            {
                match crate::certificate::x509_cached(der) {
                    Ok(c) => untrusted.push(c),
                    Err(_) => {
                        tracing::warn!(index = i, "an extra certificate of the seal cannot be read")
                    }
                }
            }
            trust_check(cert, &untrusted, anchors, claimed.unwrap_or(at))?
        }
    };

    let qualification = match &signer {
        None => Check::new(Status::Skipped, "no certificate in the seal"),
        Some(info) => qualification_check(info),
    };
    let revocation = match &signer_x509 {
        None => Check::new(
            Status::Skipped,
            "no certificate in the seal: revocation not checked",
        ),
        Some(cert) => revocation_check(cert, &known, &components, claimed.unwrap_or(at))?,
    };
    Ok(SignatureReport {
        index: raw.index,
        header: facts,
        signer,
        signer_der: x5c.first().cloned().unwrap_or_default(),
        chain_der: x5c
            .iter()
            .skip(1)
            .chain(extra_certs.iter())
            .cloned()
            .collect(),
        claimed_signing_time: claimed,
        signing_time_source: source,
        level,
        integrity,
        validity,
        seal_expired,
        trust,
        qualification,
        timestamps,
        revocation,
        proven_signing_time: proven,
    })
}

type SigningTime = (
    Option<OffsetDateTime>,
    Option<SigningTimeSource>,
    Option<&'static str>,
);

fn signing_time(header: &Map<String, Value>, p: &str) -> Result<SigningTime, SealError> {
    let iat = match header.get("iat") {
        None => None,
        Some(v) => {
            let secs = v.as_i64().ok_or_else(|| {
                SealError::envelope(
                    format!("{p}/protected/iat"),
                    "expected a NumericDate (seconds)",
                )
            })?;
            Some(
                OffsetDateTime::from_unix_timestamp(secs)
                    .map_err(|_| SealError::TimeOutOfRange { what: "iat" })?,
            )
        }
    };
    let sig_t = match header.get("sigT") {
        None => None,
        Some(v) => {
            let text = v.as_str().ok_or_else(|| {
                SealError::envelope(format!("{p}/protected/sigT"), "expected an RFC 3339 time")
            })?;
            Some(OffsetDateTime::parse(text, &Rfc3339).map_err(|_| {
                SealError::envelope(format!("{p}/protected/sigT"), "expected an RFC 3339 time")
            })?)
        }
    };
    Ok(match (iat, sig_t) {
        (Some(t), None) => (Some(t), Some(SigningTimeSource::Iat), None),
        (None, Some(t)) => (Some(t), Some(SigningTimeSource::SigT), None),
        (Some(t), Some(_)) => (
            Some(t),
            Some(SigningTimeSource::Iat),
            Some("the seal claims its time twice (iat and sigT), which JAdES forbids"),
        ),
        (None, None) => (None, None, Some("the seal claims no signing time")),
    })
}

/// Level by present components, the certificates carried in `xVals`, and the number of
/// signature/archive timestamps.
fn etsi_unsigned(
    raw: &RawSignature<'_>,
) -> Result<(BaselineLevel, Vec<Vec<u8>>, usize), SealError> {
    let Some(etsi_u) = raw.unprotected.and_then(|h| h.get("etsiU")) else {
        return Ok((BaselineLevel::BB, Vec::new(), 0));
    };
    let pointer = format!("{}/header/etsiU", raw.pointer);
    let Value::Array(items) = etsi_u else {
        return Err(SealError::envelope(pointer, "expected an array"));
    };
    let (mut sig_tst, mut validation_data, mut arc_tst) = (false, false, false);
    let mut certs = Vec::new();
    let mut timestamps = 0;
    for (i, item) in items.iter().enumerate() {
        let ptr = format!("{pointer}/{i}");
        let component: Map<String, Value> = match item {
            Value::Object(m) => m.clone(),
            Value::String(s) => match serde_json::from_slice(&b64url(s, &ptr)?) {
                Ok(Value::Object(m)) => m,
                _ => {
                    return Err(SealError::envelope(
                        ptr,
                        "the component is not a JSON object",
                    ))
                }
            },
            _ => {
                return Err(SealError::envelope(
                    ptr,
                    "expected an object or a base64url string",
                ))
            }
        };
        for (name, body) in &component {
            match name.as_str() {
                "sigTst" => {
                    sig_tst = true;
                    timestamps += 1;
                }
                "arcTst" => {
                    arc_tst = true;
                    timestamps += 1;
                }
                "xVals" | "rVals" | "tstVD" | "anyValData" => validation_data = true,
                _ => {}
            }
            if name == "xVals" {
                for entry in body.as_array().into_iter().flatten() {
                    if let Some(val) = entry.pointer("/x509Cert/val").and_then(Value::as_str) {
                        if let Ok(der) = STANDARD.decode(val) {
                            certs.push(der);
                        }
                    }
                }
            }
        }
    }
    let level = if !sig_tst {
        BaselineLevel::BB
    } else if !validation_data {
        BaselineLevel::BT
    } else if !arc_tst {
        BaselineLevel::BLT
    } else {
        BaselineLevel::BLTA
    };
    Ok((level, certs, timestamps))
}

#[allow(clippy::too_many_arguments)]
fn integrity_check(
    alg: &str,
    crit: &[String],
    header: &Map<String, Value>,
    facts: &HeaderFacts,
    signer: Option<&X509>,
    signer_der: Option<&Vec<u8>>,
    signing_input: &[&[u8]],
    signature: &[u8],
) -> Result<Check, SealError> {
    let broken = |why: String| Ok(Check::new(Status::Error, format!("seal broken: {why}")));
    if let Some(name) = crit.iter().find(|c| !UNDERSTOOD_CRIT.contains(&c.as_str())) {
        return broken(format!(
            "the seal requires header {name:?}, which Sealdesk does not understand"
        ));
    }
    if let Some(name) = crit.iter().find(|c| !header.contains_key(c.as_str())) {
        return broken(format!("header {name:?} is marked critical but missing"));
    }
    if header.contains_key("b64") && !crit.iter().any(|c| c == "b64") {
        return broken("b64 is used but not marked critical (RFC 7797)".into());
    }
    let (Some(cert), Some(der)) = (signer, signer_der) else {
        return broken("the seal carries no certificate (x5c), so its key is unknown".into());
    };
    if let Some(thumb) = &facts.x5t_s256 {
        if thumb.trim_end_matches('=') != URL_SAFE_NO_PAD.encode(sha256(der)) {
            return broken(
                "the certificate reference (x5t#S256) does not match the certificate".into(),
            );
        }
    }
    let key = cert
        .public_key()
        .map_err(SealError::crypto("reading the seal certificate key"))?;
    match signature_valid(alg, &key, signing_input, signature) {
        None => broken(format!("the algorithm {alg:?} is not supported")),
        Some(false) => broken("the signature does not match the content: the credential or the seal header was changed".into()),
        Some(true) if facts.x5t_s256.is_none() => Ok(Check::new(
            Status::Warning,
            "signature valid, but the seal does not reference its certificate (x5t#S256)",
        )),
        Some(true) => Ok(Check::new(Status::Ok, "not tampered: the signature matches the content")),
    }
}

/// `None` = unsupported algorithm; otherwise whether the signature verifies over the
/// concatenation of `input`'s parts.
fn signature_valid(
    alg: &str,
    key: &PKey<Public>,
    input: &[&[u8]],
    signature: &[u8],
) -> Option<bool> {
    let digest = match &alg[alg.len().saturating_sub(3)..] {
        "256" => MessageDigest::sha256(),
        "384" => MessageDigest::sha384(),
        "512" => MessageDigest::sha512(),
        _ => return None,
    };
    let family = alg.get(..2)?;
    if !matches!(family, "RS" | "PS" | "ES") || alg.len() != 5 {
        return None;
    }
    let run = || -> Result<bool, openssl::error::ErrorStack> {
        let der_sig;
        let sig: &[u8] = if family == "ES" {
            let half = signature.len() / 2;
            if half == 0 || signature.len() % 2 != 0 {
                return Ok(false);
            }
            // ES256 is P-256 (32-byte halves), ES384 P-384 (48): another size is another curve.
            let expected = crate::SignatureAlgorithm::from_jws_name(alg)
                .and_then(crate::SignatureAlgorithm::ecdsa_field_len);
            if expected.is_some_and(|field| field != half) {
                return Ok(false);
            }
            let r = BigNum::from_slice(&signature[..half])?;
            let s = BigNum::from_slice(&signature[half..])?;
            der_sig = EcdsaSig::from_private_components(r, s)?.to_der()?;
            &der_sig
        } else {
            signature
        };
        let mut verifier = Verifier::new(digest, key)?;
        match family {
            "RS" => verifier.set_rsa_padding(Padding::PKCS1)?,
            "PS" => {
                verifier.set_rsa_padding(Padding::PKCS1_PSS)?;
                verifier.set_rsa_mgf1_md(digest)?;
                verifier.set_rsa_pss_saltlen(RsaPssSaltlen::DIGEST_LENGTH)?;
            }
            _ => {}
        }
        for part in input {
            verifier.update(part)?;
        }
        verifier.verify(sig)
    };
    // A key of the wrong type or a garbled value is a failed verification, not a crash.
    Some(run().unwrap_or(false))
}

fn name_of(name: &X509NameRef) -> String {
    let entry = |nid| {
        name.entries_by_nid(nid)
            .next()
            .and_then(|e| e.data().to_string().ok())
    };
    entry(Nid::COMMONNAME)
        .or_else(|| entry(Nid::ORGANIZATIONNAME))
        .or_else(|| {
            name.entries()
                .next()
                .and_then(|e| e.data().to_string().ok())
        })
        .unwrap_or_else(|| "an unnamed authority".to_owned())
}

fn day(t: OffsetDateTime) -> String {
    t.date().to_string()
}

/// Qualification as the certificate declares it (QC statements). Shared by every envelope
/// (JAdES here, PAdES in `sealdesk-pades`); trusted lists confirm it in `sealdesk-trust`.
pub fn qualification_check(info: &CertificateInfo) -> Check {
    let sscd = if info.qc_sscd {
        "declares its key to be in a qualified device (QcSSCD)"
    } else {
        "does not declare a qualified device (no QcSSCD)"
    };
    if info.is_qualified_seal() {
        Check::new(
            Status::Ok,
            format!("the certificate declares a qualified e-seal and {sscd}; not yet confirmed against the EU trusted lists"),
        )
    } else if info.qc_compliance {
        Check::new(
            Status::Warning,
            format!("the certificate declares qualified status but not as an e-seal with non-repudiation, and {sscd}"),
        )
    } else {
        Check::new(
            Status::Warning,
            "the certificate does not declare a qualified e-seal (no QcCompliance statement)",
        )
    }
}

/// The seal certificate's validity at the claimed signing time (else `at`), and whether the seal
/// counts as expired. Shared by every envelope.
pub fn validity_check(
    s: &CertificateInfo,
    claimed: Option<OffsetDateTime>,
    at: OffsetDateTime,
    note: Option<&'static str>,
) -> (Check, bool) {
    let expired_now = at > s.not_after;
    let when = claimed.unwrap_or(at);
    if when < s.not_before {
        return (
            Check::new(
                Status::Error,
                format!(
                    "the certificate was not yet valid when the seal was made (valid from {})",
                    day(s.not_before)
                ),
            ),
            expired_now,
        );
    }
    if when > s.not_after {
        return (
            Check::new(
                Status::Error,
                format!(
                    "seal expired: the certificate expired on {}, before the seal was made",
                    day(s.not_after)
                ),
            ),
            true,
        );
    }
    if expired_now {
        return (
            Check::new(
                Status::Warning,
                format!(
                    "seal expired: the certificate was valid when the seal was made but expired on {}",
                    day(s.not_after)
                ),
            ),
            true,
        );
    }
    match note {
        Some(n) => (
            Check::new(Status::Warning, format!("certificate valid, but {n}")),
            false,
        ),
        None => (
            Check::new(
                Status::Ok,
                format!("certificate valid until {}", day(s.not_after)),
            ),
            false,
        ),
    }
}

/// Whether `cert` chains (through `untrusted`) to one of `anchors` at `when`. "Not trusted" is
/// a verdict (`Status::Error`), not an error. Shared by every envelope.
pub fn trust_check(
    cert: &X509,
    untrusted: &[X509],
    anchors: &TrustAnchors,
    when: OffsetDateTime,
) -> Result<Check, SealError> {
    let issuer = name_of(cert.issuer_name());
    if anchors.is_empty() {
        return Ok(Check::new(
            Status::Error,
            format!("not trusted: issued by {issuer}, and no trust anchors are configured"),
        ));
    }
    if let Some(check) = chain_memo::lookup(cert, untrusted, anchors.certificates(), when) {
        return Ok(check);
    }
    let mut builder =
        X509StoreBuilder::new().map_err(SealError::crypto("building a certificate store"))?;
    for anchor in anchors.certificates() {
        builder
            .add_cert(anchor.clone())
            .map_err(SealError::crypto("adding a trust anchor"))?;
    }
    let mut param = openssl::x509::verify::X509VerifyParam::new()
        .map_err(SealError::crypto("building verification parameters"))?;
    param
        .set_flags(X509VerifyFlags::PARTIAL_CHAIN)
        .map_err(SealError::crypto("setting verification flags"))?;
    param.set_time(when.unix_timestamp() as _);
    builder
        .set_param(&param)
        .map_err(SealError::crypto("setting verification parameters"))?;
    let store = builder.build();
    let mut chain = Stack::new().map_err(SealError::crypto("building a certificate stack"))?;
    for c in untrusted {
        chain
            .push(c.clone())
            .map_err(SealError::crypto("building a certificate stack"))?;
    }
    let mut ctx =
        X509StoreContext::new().map_err(SealError::crypto("building a verification context"))?;
    let outcome = ctx
        .init(&store, cert, &chain, |c| {
            let ok = c.verify_cert()?;
            let anchor = c
                .chain()
                .and_then(|ch| ch.iter().last().map(|a| name_of(a.subject_name())));
            let built: Vec<X509> = c
                .chain()
                .map(|ch| ch.iter().map(|x| x.to_owned()).collect())
                .unwrap_or_default();
            Ok((ok, anchor, c.error().error_string().to_owned(), built))
        })
        .map_err(SealError::crypto("verifying the certificate chain"))?;
    Ok(match outcome {
        (true, anchor, _, built) => {
            let check = Check::new(
                Status::Ok,
                format!("trusted: the certificate chains to {}", anchor.unwrap_or_else(|| issuer.clone())),
            );
            chain_memo::record(cert, untrusted, anchors.certificates(), built, &check);
            check
        }
        (false, _, reason, _) => Check::new(
            Status::Error,
            format!("not trusted: issued by {issuer}, which does not chain to a trust anchor ({reason})"),
        ),
    })
}

/// One etsiU component: its base64url text (`None` when incorporated in clear) and its JSON.
type Component = (Option<String>, Map<String, Value>);

fn etsi_components(raw: &RawSignature<'_>) -> Result<Vec<Component>, SealError> {
    let Some(Value::Array(items)) = raw.unprotected.and_then(|h| h.get("etsiU")) else {
        return Ok(Vec::new());
    };
    let pointer = format!("{}/header/etsiU", raw.pointer);
    items
        .iter()
        .enumerate()
        .map(|(i, item)| match item {
            Value::Object(m) => Ok((None, m.clone())),
            Value::String(s) => {
                match serde_json::from_slice(&b64url(s, &format!("{pointer}/{i}"))?) {
                    Ok(Value::Object(m)) => Ok((Some(s.clone()), m)),
                    _ => Err(SealError::envelope(
                        format!("{pointer}/{i}"),
                        "the component is not a JSON object",
                    )),
                }
            }
            _ => Err(SealError::envelope(
                format!("{pointer}/{i}"),
                "expected an object or a base64url string",
            )),
        })
        .collect()
}

/// Checks every `sigTst` and `arcTst` token. Returns the check and, when the (first) signature
/// timestamp is intact, its genTime: the proven signing time.
fn timestamp_check(
    raw: &RawSignature<'_>,
    payload_text: &str,
    components: &[Component],
    known: &[X509],
    anchors: &TrustAnchors,
    present: usize,
) -> Result<(Check, Option<OffsetDateTime>), SealError> {
    if present == 0 {
        return Ok((
            Check::new(
                Status::Skipped,
                "no timestamp: the signing time is only claimed by the sealer",
            ),
            None,
        ));
    }
    let mut problems: Vec<String> = Vec::new();
    let mut untrusted: Vec<String> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut checked = Vec::new();
    let mut authority_good = false;
    let mut proven = None;
    // The TSA certificates' revocation data travels in rVals (B-LT) and tstVD (renewals).
    let (ocsp, crls) = carried_revocation(components);
    for (i, (text, component)) in components.iter().enumerate() {
        for kind in ["sigTst", "arcTst"] {
            let Some(body) = component.get(kind) else {
                continue;
            };
            let place = format!("{}/header/etsiU/{i}/{kind}", raw.pointer);
            let covered: Vec<u8> = if kind == "sigTst" {
                raw.signature_b64.as_bytes().to_vec()
            } else {
                let preceding: Option<Vec<&str>> =
                    components[..i].iter().map(|(t, _)| t.as_deref()).collect();
                match (text, preceding) {
                    (Some(_), Some(preceding)) => crate::augment::archive_imprint_input(
                        payload_text,
                        raw.protected_b64,
                        raw.signature_b64,
                        &preceding,
                    ),
                    _ => {
                        problems.push(format!("the archive timestamp at {place} is in clear JSON form, which Sealdesk cannot check"));
                        continue;
                    }
                }
            };
            let tokens = body
                .get("tstTokens")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if tokens.is_empty() {
                problems.push(format!("{place} holds no timestamp token"));
            }
            for (t, token) in tokens.iter().enumerate() {
                let Some(der) = token
                    .get("val")
                    .and_then(Value::as_str)
                    .and_then(|s| STANDARD.decode(s).ok())
                else {
                    problems.push(format!("{place}/tstTokens/{t} is not a base64 token"));
                    continue;
                };
                let parsed = match crate::tsp::TimestampToken::parse(&der, known, &place) {
                    Ok(p) => p,
                    Err(e) => {
                        problems.push(e.to_string());
                        continue;
                    }
                };
                let label = if kind == "sigTst" {
                    "signature"
                } else {
                    "archive"
                };
                if !parsed.covers(&covered)? {
                    problems.push(format!(
                        "the {label} timestamp does not cover this seal (imprint differs)"
                    ));
                    continue;
                }
                let mut extra = known.to_vec();
                extra.extend(parsed.certificates.iter().cloned());
                if !parsed.signature_valid(&extra) {
                    problems.push(format!("the {label} timestamp's signature does not verify"));
                    continue;
                }
                if kind == "sigTst" && proven.is_none() {
                    proven = Some(parsed.gen_time);
                }
                checked.push(format!("{label} {}", parsed.gen_time.date()));
                if let Some(tsa) = &parsed.signer {
                    let trust = trust_check(tsa, &extra, anchors, parsed.gen_time)?;
                    if trust.status != Status::Ok {
                        untrusted.push(format!(
                            "{} ({})",
                            name_of(tsa.subject_name()),
                            trust.message
                        ));
                    }
                    use crate::revocation::RevocationStatus;
                    let stamped = parsed.gen_time;
                    match revocation_evidence(tsa, &extra, &ocsp, &crls, stamped) {
                        Evidence::Found(what, RevocationStatus::Revoked { at }) => match at {
                            Some(at) if at > stamped => notes.push(format!(
                                "the authority of the {label} timestamp was revoked on {} ({what}), after it stamped",
                                day(at)
                            )),
                            _ => problems.push(format!(
                                "the authority of the {label} timestamp ({}) was revoked{} ({what}) before it stamped on {}",
                                name_of(tsa.subject_name()),
                                at.map(|a| format!(" on {}", day(a))).unwrap_or_default(),
                                day(stamped)
                            )),
                        },
                        Evidence::Found(what, RevocationStatus::Unknown) => notes.push(format!(
                            "the {what} does not know the authority of the {label} timestamp"
                        )),
                        Evidence::Found(_, RevocationStatus::Good { .. }) => authority_good = true,
                        Evidence::Unreadable(e) => {
                            notes.push(format!("revocation data unreadable: {e}"))
                        }
                        // No data about this authority (B-T, or the newest archive timestamp).
                        Evidence::None | Evidence::NoIssuer | Evidence::NotAbout => {}
                    }
                }
            }
        }
    }
    let check = if let Some(first) = problems.first() {
        Check::new(Status::Error, format!("timestamp broken: {first}"))
    } else if !untrusted.is_empty() {
        untrusted.dedup();
        notes.dedup();
        Check::new(
            Status::Warning,
            format!(
                "timestamps intact ({}), but the timestamp authority is not trusted: {}{}",
                checked.join(", "),
                untrusted.join("; "),
                notes.iter().map(|n| format!("; {n}")).collect::<String>()
            ),
        )
    } else if !notes.is_empty() {
        notes.dedup();
        Check::new(
            Status::Warning,
            format!(
                "timestamps intact ({}), but {}",
                checked.join(", "),
                notes.join("; ")
            ),
        )
    } else if checked.is_empty() {
        Check::new(
            Status::Skipped,
            "only a content timestamp (adoTst) is present, which is not checked",
        )
    } else {
        Check::new(
            Status::Ok,
            format!(
                "timestamps intact and trusted ({}){}",
                checked.join(", "),
                if authority_good {
                    "; the seal's revocation data says the timestamp authority was not revoked"
                } else {
                    ""
                }
            ),
        )
    };
    Ok((check, proven))
}

/// Checks the OCSP responses and CRLs carried in `rVals` (and `tstVD`) for the seal certificate
/// at `when` (the proven or claimed signing time).
fn revocation_check(
    cert: &X509,
    known: &[X509],
    components: &[Component],
    when: OffsetDateTime,
) -> Result<Check, SealError> {
    let (ocsp, crls) = carried_revocation(components);
    revocation_evidence_check(cert, known, &ocsp, &crls, when)
}

/// The OCSP responses and CRLs (DER) the seal carries in `rVals` and in `tstVD`.
fn carried_revocation(components: &[Component]) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let mut ocsp = Vec::new();
    let mut crls = Vec::new();
    for (_, component) in components {
        let r_vals = [
            component.get("rVals"),
            component.get("tstVD").and_then(|t| t.get("rVals")),
        ];
        for r in r_vals.into_iter().flatten() {
            for (kind, out) in [("ocspVals", &mut ocsp), ("crlVals", &mut crls)] {
                for v in r.get(kind).and_then(Value::as_array).into_iter().flatten() {
                    if let Some(der) = v
                        .get("val")
                        .and_then(Value::as_str)
                        .and_then(|s| STANDARD.decode(s).ok())
                    {
                        out.push(der);
                    }
                }
            }
        }
    }
    (ocsp, crls)
}

/// What the revocation evidence at hand says about one certificate.
enum Evidence {
    /// No OCSP response and no CRL at all.
    None,
    /// Evidence, but the certificate's issuer is not among the known certificates.
    NoIssuer,
    /// Evidence, none of it about this certificate (or signed by its issuer).
    NotAbout,
    /// A response or CRL that cannot be read.
    Unreadable(String),
    /// The first answer about the certificate: what gave it (`"OCSP response"`, `"CRL"`) and
    /// what it says.
    Found(&'static str, crate::revocation::RevocationStatus),
}

/// Looks through `ocsp` then `crls` for an answer about `cert`, its issuer found among `known`.
fn revocation_evidence(
    cert: &X509,
    known: &[X509],
    ocsp: &[Vec<u8>],
    crls: &[Vec<u8>],
    when: OffsetDateTime,
) -> Evidence {
    use crate::revocation::{crl_status, ocsp_status};
    if ocsp.is_empty() && crls.is_empty() {
        return Evidence::None;
    }
    let Some(issuer) = known
        .iter()
        .find(|c| c.issued(cert) == openssl::x509::X509VerifyResult::OK)
    else {
        return Evidence::NoIssuer;
    };
    for der in ocsp {
        match ocsp_status(der, cert, issuer, when, "ocsp") {
            Ok(Some(s)) => return Evidence::Found("OCSP response", s),
            Ok(None) => {}
            Err(e) => return Evidence::Unreadable(e.to_string()),
        }
    }
    for der in crls {
        match crl_status(der, cert, issuer, "crl") {
            Ok(Some(s)) => return Evidence::Found("CRL", s),
            Ok(None) => {}
            Err(e) => return Evidence::Unreadable(e.to_string()),
        }
    }
    Evidence::NotAbout
}

/// Checks revocation evidence (OCSP responses and CRLs, DER) for `cert` at `when` (the proven or
/// claimed signing time), its issuer found among `known`. Shared by every envelope (JAdES
/// `rVals` here, a PDF's DSS in `sealdesk-pades`). No evidence = skipped, not an error.
pub fn revocation_evidence_check(
    cert: &X509,
    known: &[X509],
    ocsp: &[Vec<u8>],
    crls: &[Vec<u8>],
    when: OffsetDateTime,
) -> Result<Check, SealError> {
    use crate::revocation::RevocationStatus;
    let found = match revocation_evidence(cert, known, ocsp, crls, when) {
        Evidence::None => {
            return Ok(Check::new(
                Status::Skipped,
                "no revocation data in the seal (B-LT adds it); not checked online",
            ))
        }
        Evidence::NoIssuer => return Ok(Check::new(
            Status::Error,
            "the seal carries revocation data, but not its certificate's issuer to check it with",
        )),
        Evidence::Unreadable(e) => {
            return Ok(Check::new(
                Status::Error,
                format!("revocation data unreadable: {e}"),
            ))
        }
        Evidence::NotAbout => None,
        Evidence::Found(what, status) => Some((what, status)),
    };
    Ok(match found {
        None => Check::new(
            Status::Error,
            "the revocation data in the seal is not about its certificate, or not signed by its issuer",
        ),
        Some((what, RevocationStatus::Good { as_of })) if as_of >= when => Check::new(
            Status::Ok,
            format!("not revoked: the {what} of {} says good, after the seal was made", day(as_of)),
        ),
        Some((what, RevocationStatus::Good { as_of })) => Check::new(
            Status::Warning,
            format!("the {what} of {} says good, but predates the seal", day(as_of)),
        ),
        Some((what, RevocationStatus::Revoked { at: Some(at) })) if at > when => Check::new(
            Status::Warning,
            format!("revoked on {} ({what}), after the seal was made", day(at)),
        ),
        Some((what, RevocationStatus::Revoked { at })) => Check::new(
            Status::Error,
            format!(
                "revoked{} ({what}), before the seal was made",
                at.map(|a| format!(" on {}", day(a))).unwrap_or_default()
            ),
        ),
        Some((what, RevocationStatus::Unknown)) => Check::new(
            Status::Error,
            format!("the {what} does not know the seal certificate"),
        ),
    })
}

/// Chains already verified by this thread: the certificate, the untrusted certificates and the
/// anchors (the same OpenSSL objects: the entry holds them, so their addresses cannot be reused
/// by other certificates while it lives) with the chain OpenSSL built. Only a success is kept,
/// and it is served again only when every certificate of that chain is valid at the new time
/// strictly inside its validity period; anything else goes to OpenSSL again. A chain's
/// signatures and extensions do not depend on the time; only validity periods do.
mod chain_memo {
    use std::cell::RefCell;

    use openssl::asn1::Asn1Time;
    use openssl::x509::{X509Ref, X509};
    use time::OffsetDateTime;

    use super::Check;

    const CAPACITY: usize = 64;

    struct Entry {
        cert: X509,
        untrusted: Vec<X509>,
        anchors: Vec<X509>,
        chain: Vec<X509>,
        check: Check,
    }

    thread_local! {
        static MEMO: RefCell<Vec<Entry>> = const { RefCell::new(Vec::new()) };
    }

    fn same(a: &X509Ref, b: &X509Ref) -> bool {
        std::ptr::eq(a, b)
    }

    fn all_same(a: &[X509], b: &[X509]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
    }

    pub(super) fn lookup(
        cert: &X509Ref,
        untrusted: &[X509],
        anchors: &[X509],
        when: OffsetDateTime,
    ) -> Option<Check> {
        let at = Asn1Time::from_unix(when.unix_timestamp() as _).ok()?;
        MEMO.with(|m| {
            let memo = m.borrow();
            let entry = memo.iter().find(|e| {
                same(&e.cert, cert)
                    && all_same(&e.untrusted, untrusted)
                    && all_same(&e.anchors, anchors)
            })?;
            let inside = !entry.chain.is_empty()
                && entry
                    .chain
                    .iter()
                    .all(|c| c.not_before() < at && c.not_after() > at);
            inside.then(|| entry.check.clone())
        })
    }

    pub(super) fn record(
        cert: &X509Ref,
        untrusted: &[X509],
        anchors: &[X509],
        chain: Vec<X509>,
        check: &Check,
    ) {
        MEMO.with(|m| {
            let mut memo = m.borrow_mut();
            memo.retain(|e| {
                !(same(&e.cert, cert)
                    && all_same(&e.untrusted, untrusted)
                    && all_same(&e.anchors, anchors))
            });
            if memo.len() >= CAPACITY {
                memo.remove(0);
            }
            memo.push(Entry {
                cert: cert.to_owned(),
                untrusted: untrusted.to_vec(),
                anchors: anchors.to_vec(),
                chain,
                check: check.clone(),
            });
        })
    }
}

#[cfg(test)]
mod tests {
    use openssl::asn1::Asn1Time;
    use openssl::bn::BigNum;
    use openssl::hash::MessageDigest;
    use openssl::pkey::{PKey, Private};
    use openssl::rsa::Rsa;
    use openssl::x509::extension::BasicConstraints;
    use openssl::x509::{X509Builder, X509NameBuilder, X509};
    use time::{Duration, OffsetDateTime};

    use super::{trust_check, Status, TrustAnchors};

    #[test]
    fn x5c_with_line_breaks_is_read() {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        use base64::Engine;
        let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(
            "../../../../shared/reference/edci-platform/jades-sealed/json_sealed_advanced.json",
        );
        let file = std::fs::read(path).expect("official sealed sample");
        let at = time::macros::datetime!(2025-06-02 10:00 UTC);
        let plain = super::verify(&file, &TrustAnchors::empty(), at).expect("readable");
        let mut doc: serde_json::Value = serde_json::from_slice(&file).expect("json");
        let protected = doc["signatures"][0]["protected"]
            .as_str()
            .expect("protected")
            .to_owned();
        let mut header: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(protected).expect("b64")).expect("json");
        let cert = header["x5c"][0].as_str().expect("x5c").to_owned();
        let wrapped: Vec<String> = cert
            .as_bytes()
            .chunks(64)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        header["x5c"][0] = wrapped.join("\r\n ").into();
        doc["signatures"][0]["protected"] = URL_SAFE_NO_PAD
            .encode(serde_json::to_vec(&header).expect("json"))
            .into();
        let edited = serde_json::to_vec(&doc).expect("json");
        let v = super::verify(&edited, &TrustAnchors::empty(), at).expect("still readable");
        assert_eq!(
            v.signatures[0].signer_der, plain.signatures[0].signer_der,
            "the wrapped certificate decodes to the same DER"
        );
        assert!(
            v.signatures[0].signer.is_some() && !v.signatures[0].signer_der.is_empty(),
            "the certificate is read: {:?}",
            v.signatures[0].signer
        );
    }

    fn certificate(
        cn: &str,
        key: &PKey<Private>,
        issuer: Option<(&X509, &PKey<Private>)>,
        from: OffsetDateTime,
        until: OffsetDateTime,
    ) -> X509 {
        let mut name = X509NameBuilder::new().expect("name");
        name.append_entry_by_text("CN", cn).expect("CN");
        let name = name.build();
        let mut b = X509Builder::new().expect("builder");
        b.set_version(2).expect("version");
        let serial = BigNum::from_u32(7).and_then(|n| n.to_asn1_integer());
        b.set_serial_number(&serial.expect("serial"))
            .expect("serial");
        b.set_subject_name(&name).expect("subject");
        match issuer {
            Some((ca, _)) => b.set_issuer_name(ca.subject_name()).expect("issuer"),
            None => {
                b.set_issuer_name(&name).expect("issuer");
                b.append_extension(BasicConstraints::new().critical().ca().build().expect("bc"))
                    .expect("bc");
            }
        }
        b.set_pubkey(key).expect("key");
        b.set_not_before(&Asn1Time::from_unix(from.unix_timestamp()).expect("t"))
            .expect("not before");
        b.set_not_after(&Asn1Time::from_unix(until.unix_timestamp()).expect("t"))
            .expect("not after");
        let signer = issuer.map_or(key, |(_, k)| k);
        b.sign(signer, MessageDigest::sha256()).expect("sign");
        b.build()
    }

    fn key() -> PKey<Private> {
        PKey::from_rsa(Rsa::generate(2048).expect("rsa")).expect("key")
    }

    /// The chain memo serves a verified chain again only for the same certificates and anchors
    /// and a time inside every validity period: a changed input goes to OpenSSL again.
    #[test]
    fn chain_memo_never_serves_a_changed_input() {
        let now = OffsetDateTime::from_unix_timestamp(1_780_000_000).expect("now");
        let (ca_key, leaf_key, other_key) = (key(), key(), key());
        let ca = certificate(
            "Memo CA",
            &ca_key,
            None,
            now - Duration::days(30),
            now + Duration::days(30),
        );
        let other_ca = certificate(
            "Other CA",
            &other_key,
            None,
            now - Duration::days(30),
            now + Duration::days(30),
        );
        let leaf = certificate(
            "Memo seal",
            &leaf_key,
            Some((&ca, &ca_key)),
            now - Duration::days(1),
            now + Duration::days(1),
        );
        let der = |c: &X509| c.to_der().expect("der");
        let anchors = TrustAnchors::from_der_certificates([&der(&ca)[..]]).expect("anchors");
        let others = TrustAnchors::from_der_certificates([&der(&other_ca)[..]]).expect("anchors");

        let first = trust_check(&leaf, &[], &anchors, now).expect("checked");
        assert_eq!(
            first.status,
            Status::Ok,
            "chains to the CA: {}",
            first.message
        );
        let again = trust_check(&leaf, &[], &anchors, now + Duration::hours(1)).expect("checked");
        assert_eq!(again, first, "the same chain an hour later reads the same");

        let expired = trust_check(&leaf, &[], &anchors, now + Duration::days(2)).expect("checked");
        assert_eq!(
            expired.status,
            Status::Error,
            "after the seal certificate expired, not served from the memo: {}",
            expired.message
        );
        let before = trust_check(&leaf, &[], &anchors, now - Duration::days(2)).expect("checked");
        assert_eq!(
            before.status,
            Status::Error,
            "before the certificate was valid: {}",
            before.message
        );
        let elsewhere = trust_check(&leaf, &[], &others, now).expect("checked");
        assert_eq!(
            elsewhere.status,
            Status::Error,
            "other anchors are another input: {}",
            elsewhere.message
        );
        let forged = certificate(
            "Memo seal",
            &leaf_key,
            Some((&ca, &other_key)),
            now - Duration::days(1),
            now + Duration::days(1),
        );
        let forged_check = trust_check(&forged, &[], &anchors, now).expect("checked");
        assert_eq!(
            forged_check.status,
            Status::Error,
            "a certificate with the same name but not signed by the CA: {}",
            forged_check.message
        );
        let back = trust_check(&leaf, &[], &anchors, now).expect("checked");
        assert_eq!(back, first, "the original input still verifies");
    }
}
