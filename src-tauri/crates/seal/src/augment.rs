//! Augmentation of a JAdES seal: B-B → B-T → B-LT → B-LTA, and archive renewal.
//!
//! Everything added goes into the unprotected `etsiU` array as base64url-encoded JSON
//! components (as EDC/DSS write them): `sigTst`, then `xVals` + `rVals`, then `arcTst`. The file
//! is rebuilt around the *raw* JSON texts of the payload, the protected header and the signature,
//! so their bytes never change (only the `header` member is rewritten).
//!
//! Imprints (ETSI TS 119 182-1): `sigTst` covers the ASCII base64url signature value (§5.3.4);
//! `arcTst` covers, per §5.3.6.3.1 as implemented by DSS's `JAdESTimestampMessageDigestBuilder
//! .getArchiveTimestampMessageDigest` (esig/dss, dss-jades): the payload as it appears in the JWS
//! (unencoded when `b64` is false), `.`, the base64url protected header, `.`, the base64url
//! signature value, `.`, then every etsiU component preceding the arcTst, as its base64url
//! string, concatenated without separators. [`archive_imprint_input`] is shared with the verifier.

use std::collections::BTreeMap;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use openssl::x509::{X509VerifyResult, X509};
use serde_json::value::RawValue;
use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use crate::error::SealError;
use crate::net::Fetch;
use crate::revocation;
use crate::tsp::{self, TimestampToken};
use crate::verify::BaselineLevel;

/// Where the trust services are, and what to use when a certificate names none.
pub struct Services<'a> {
    /// HTTP.
    pub fetch: &'a dyn Fetch,
    /// The RFC 3161 timestamp authority (setting `tsa.url`).
    pub tsa_url: String,
    /// OCSP responder for the seal certificate when it names none in AIA (setting `ocsp.url`).
    pub ocsp_url: Option<String>,
    /// CRLs to try for any certificate whose issuer signs them (setting `crl.urls`), besides the
    /// distribution points the certificates name.
    pub crl_urls: Vec<String>,
    /// Further CA certificates (DER) to find issuers among (e.g. the TSA's CA).
    pub extra_certs: Vec<Vec<u8>>,
}

/// A seal after augmentation.
#[derive(Debug, Clone)]
pub struct Augmented {
    /// The new file.
    pub sealed: Vec<u8>,
    /// The level it reached.
    pub level: BaselineLevel,
    /// When the last archive timestamp's TSA certificate expires (renew before then).
    pub renew_before: Option<OffsetDateTime>,
}

/// Brings `sealed` up to `target` (B-T, B-LT or B-LTA), adding only what is missing.
/// `now` is the time revocation answers must be valid at.
pub fn augment(
    sealed: &[u8],
    target: BaselineLevel,
    services: &Services<'_>,
    now: OffsetDateTime,
) -> Result<Augmented, SealError> {
    let _span = tracing::info_span!("jades_augment", target = target.name()).entered();
    let mut doc = Document::parse(sealed)?;
    if target >= BaselineLevel::BT && !doc.has("sigTst") {
        let token = tsp::timestamp(services.fetch, &services.tsa_url, doc.signature.as_bytes())?;
        doc.push(json!({"sigTst": {"tstTokens": [{"val": STANDARD.encode(&token)}]}}))?;
    }
    if target >= BaselineLevel::BLT && !(doc.has("xVals") && doc.has("rVals")) {
        let data = validation_data(&doc, services, now)?;
        doc.push(json!({"xVals": data.certificates}))?;
        doc.push(json!({"rVals": data.revocation}))?;
    }
    if target >= BaselineLevel::BLTA && !doc.has("arcTst") {
        add_archive_timestamp(&mut doc, services)?;
    }
    doc.finish()
}

/// Adds a new archive timestamp to a B-LTA seal, first recording the validation data (chain and
/// revocation) of the previous archive timestamp's TSA in a `tstVD` component.
pub fn renew_archive(
    sealed: &[u8],
    services: &Services<'_>,
    now: OffsetDateTime,
) -> Result<Augmented, SealError> {
    let _span = tracing::info_span!("jades_renew_archive").entered();
    let mut doc = Document::parse(sealed)?;
    if !doc.has("arcTst") {
        return Err(SealError::NotExtensible {
            reason: "the seal has no archive timestamp to renew (augment it to B-LTA first)".into(),
        });
    }
    let last = doc.last_archive_token()?;
    let mut known = doc.certificates()?;
    known.extend(parse_all(&services.extra_certs)?);
    known.extend(last.certificates.iter().cloned());
    let tsa = last
        .signer
        .clone()
        .ok_or_else(|| SealError::NotExtensible {
            reason: "the last archive timestamp does not carry its TSA certificate".into(),
        })?;
    let mut data = Collected::default();
    collect_chain(&tsa, &known, services, now, &mut data)?;
    doc.push(json!({"tstVD": {"xVals": data.certificates, "rVals": data.revocation}}))?;
    add_archive_timestamp(&mut doc, services)?;
    doc.finish()
}

/// The bytes an `arcTst` placed after `preceding` etsiU components covers (see the module doc).
pub fn archive_imprint_input(
    payload_text: &str,
    protected_b64: &str,
    signature_b64: &str,
    preceding: &[&str],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(
        payload_text.len()
            + protected_b64.len()
            + signature_b64.len()
            + 3
            + preceding.iter().map(|p| p.len()).sum::<usize>(),
    );
    out.extend_from_slice(payload_text.as_bytes());
    out.push(b'.');
    out.extend_from_slice(protected_b64.as_bytes());
    out.push(b'.');
    out.extend_from_slice(signature_b64.as_bytes());
    out.push(b'.');
    for p in preceding {
        out.extend_from_slice(p.as_bytes());
    }
    out
}

fn add_archive_timestamp(doc: &mut Document<'_>, services: &Services<'_>) -> Result<(), SealError> {
    let preceding: Vec<&str> = doc.etsi_u.iter().map(String::as_str).collect();
    let input = archive_imprint_input(&doc.payload_text, doc.protected, doc.signature, &preceding);
    let token = tsp::timestamp(services.fetch, &services.tsa_url, &input)?;
    doc.push(json!({"arcTst": {"tstTokens": [{"val": STANDARD.encode(&token)}]}}))
}

#[derive(Default)]
struct Collected {
    certificates: Vec<Value>,
    seen: Vec<Vec<u8>>,
    revocation: Map<String, Value>,
    /// The same revocation evidence as DER, with its kind (`ocspVals` / `crlVals`).
    raw_revocation: Vec<(&'static str, Vec<u8>)>,
}

/// Certificates and revocation evidence (DER) for one or more certificate chains: what a B-LT
/// level adds, in any envelope (JAdES `xVals`/`rVals` here, a PDF's DSS in `sealdesk-pades`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationMaterial {
    /// Every certificate of the chains (and OCSP responder certificates), without duplicates.
    pub certificates: Vec<Vec<u8>>,
    /// OCSP responses (DER `OCSPResponse`).
    pub ocsp_responses: Vec<Vec<u8>>,
    /// CRLs (DER).
    pub crls: Vec<Vec<u8>>,
}

/// Collects the chain of each of `leaves` (issuers among `known`, the services' extra
/// certificates, or fetched from AIA) and fresh revocation evidence (OCSP first, then CRLs) for
/// every non-root certificate in them, valid at `now`. Unreachable services are errors.
pub fn validation_material(
    leaves: &[X509],
    known: &[X509],
    services: &Services<'_>,
    now: OffsetDateTime,
) -> Result<ValidationMaterial, SealError> {
    let _span = tracing::info_span!("validation_material", leaves = leaves.len()).entered();
    let mut known = known.to_vec();
    known.extend(parse_all(&services.extra_certs)?);
    let mut data = Collected::default();
    for leaf in leaves {
        collect_chain(leaf, &known, services, now, &mut data)?;
    }
    let mut out = ValidationMaterial {
        certificates: data.seen,
        ..ValidationMaterial::default()
    };
    for (kind, der) in data.raw_revocation {
        if kind == "ocspVals" {
            out.ocsp_responses.push(der);
        } else {
            out.crls.push(der);
        }
    }
    Ok(out)
}

impl Collected {
    fn add_cert(&mut self, der: Vec<u8>) {
        if !self.seen.contains(&der) {
            self.certificates
                .push(json!({"x509Cert": {"val": STANDARD.encode(&der)}}));
            self.seen.push(der);
        }
    }
    fn add_revocation(&mut self, kind: &'static str, der: &[u8]) {
        if !self
            .raw_revocation
            .iter()
            .any(|(k, d)| *k == kind && d == der)
        {
            self.raw_revocation.push((kind, der.to_vec()));
        }
        let list = self
            .revocation
            .entry(kind.to_owned())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(items) = list {
            let entry = json!({"val": STANDARD.encode(der)});
            if !items.contains(&entry) {
                items.push(entry);
            }
        }
    }
}

/// Chains and revocation evidence for the seal certificate and the signature timestamp's TSA.
fn validation_data(
    doc: &Document<'_>,
    services: &Services<'_>,
    now: OffsetDateTime,
) -> Result<Collected, SealError> {
    let mut known = doc.certificates()?;
    known.extend(parse_all(&services.extra_certs)?);
    let seal = known
        .first()
        .cloned()
        .ok_or_else(|| SealError::NotExtensible {
            reason: "the seal carries no certificate (x5c)".into(),
        })?;
    let mut data = Collected::default();
    collect_chain(&seal, &known, services, now, &mut data)?;
    for token in doc.tokens("sigTst")? {
        known.extend(token.certificates.iter().cloned());
        if let Some(tsa) = &token.signer {
            collect_chain(tsa, &known, services, now, &mut data)?;
        }
    }
    Ok(data)
}

/// Adds `leaf`'s chain (to a self-signed root, or as far as issuers are known) and revocation
/// evidence for every non-root certificate in it.
fn collect_chain(
    leaf: &X509,
    known: &[X509],
    services: &Services<'_>,
    now: OffsetDateTime,
    data: &mut Collected,
) -> Result<(), SealError> {
    let mut current = leaf.clone();
    let mut known = known.to_vec();
    for depth in 0..8 {
        let der = current
            .to_der()
            .map_err(SealError::crypto("encoding a certificate"))?;
        data.add_cert(der);
        if current.issued(&current) == X509VerifyResult::OK {
            return Ok(()); // a root: nothing to revoke it
        }
        let issuer = match find_issuer(&current, &known) {
            Some(i) => i,
            None => {
                let fetched = fetch_issuer(&current, services)?;
                known.push(fetched.clone());
                fetched
            }
        };
        revocation_for(&current, &issuer, depth == 0, services, now, data)?;
        current = issuer;
    }
    Ok(())
}

fn find_issuer(cert: &X509, known: &[X509]) -> Option<X509> {
    known
        .iter()
        .find(|c| c.issued(cert) == X509VerifyResult::OK && c.to_der().ok() != cert.to_der().ok())
        .cloned()
}

fn fetch_issuer(cert: &X509, services: &Services<'_>) -> Result<X509, SealError> {
    for url in revocation::ca_issuer_urls(cert) {
        if let Ok(body) = services.fetch.get(&url) {
            if let Ok(c) = X509::from_der(&body).or_else(|_| X509::from_pem(&body)) {
                if c.issued(cert) == X509VerifyResult::OK {
                    return Ok(c);
                }
            }
        }
    }
    Err(SealError::IssuerUnknown {
        subject: common_name(cert),
    })
}

/// OCSP first (AIA, then the `ocsp.url` override for the leaf), then CRLs (distribution points,
/// then `crl.urls`). Unreachable services are errors, so a job retries later.
fn revocation_for(
    cert: &X509,
    issuer: &X509,
    is_leaf: bool,
    services: &Services<'_>,
    now: OffsetDateTime,
    data: &mut Collected,
) -> Result<(), SealError> {
    let mut ocsp_urls = revocation::ocsp_urls(cert);
    if is_leaf {
        ocsp_urls.extend(services.ocsp_url.iter().cloned());
    }
    let mut last_error = None;
    for url in &ocsp_urls {
        match revocation::ocsp(services.fetch, url, cert, issuer, now) {
            Ok(answer) => {
                for c in revocation::ocsp_certificates(&answer) {
                    data.add_cert(c);
                }
                data.add_revocation("ocspVals", &answer);
                return Ok(());
            }
            Err(e @ SealError::Revoked { .. }) => return Err(e),
            Err(e) => last_error = Some(e),
        }
    }
    let mut crl_urls = revocation::crl_urls(cert);
    crl_urls.extend(services.crl_urls.iter().cloned());
    for url in &crl_urls {
        match revocation::fetch_crl(services.fetch, url, issuer) {
            Ok(crl) => match revocation::crl_status(&crl, cert, issuer, url)? {
                Some(revocation::RevocationStatus::Good { .. }) => {
                    data.add_revocation("crlVals", &crl);
                    return Ok(());
                }
                Some(revocation::RevocationStatus::Revoked { .. }) => {
                    return Err(SealError::Revoked {
                        subject: common_name(cert),
                        place: url.clone(),
                    })
                }
                _ => {}
            },
            // A CRL of another CA among crl.urls is expected; keep trying.
            Err(e @ SealError::MalformedRevocation { .. }) if !services.crl_urls.is_empty() => {
                last_error.get_or_insert(e);
            }
            Err(e) => last_error = Some(e),
        }
    }
    match last_error {
        // Connectivity problems stay what they are, so the job retries.
        Some(e @ (SealError::ServiceUnreachable { .. } | SealError::ServiceStatus { .. })) => {
            Err(e)
        }
        other => Err(SealError::NoRevocationSource {
            subject: common_name(cert),
            reason: match other {
                Some(e) => e.to_string(),
                None if ocsp_urls.is_empty() && crl_urls.is_empty() => {
                    "the certificate names no OCSP responder or CRL".into()
                }
                None => "no CRL covers it".into(),
            },
        }),
    }
}

fn parse_all(ders: &[Vec<u8>]) -> Result<Vec<X509>, SealError> {
    ders.iter()
        .enumerate()
        .map(|(i, d)| {
            X509::from_der(d).map_err(|source| SealError::CertificateUnreadable {
                place: format!("extra certificate #{i}"),
                source,
            })
        })
        .collect()
}

pub(crate) fn common_name(cert: &X509) -> String {
    cert.subject_name()
        .entries_by_nid(openssl::nid::Nid::COMMONNAME)
        .next()
        .and_then(|e| e.data().to_string().ok())
        .unwrap_or_else(|| "a certificate".to_owned())
}

/// A JWS JSON general serialization with one signature, kept as raw JSON texts.
struct Document<'a> {
    root: BTreeMap<String, &'a RawValue>,
    signature_members: BTreeMap<String, &'a RawValue>,
    payload_text: String,
    protected: &'a str,
    signature: &'a str,
    header: Map<String, Value>,
    etsi_u: Vec<String>,
}

impl<'a> Document<'a> {
    fn parse(bytes: &'a [u8]) -> Result<Self, SealError> {
        let malformed = |source: serde_json::Error| SealError::MalformedJson {
            line: source.line(),
            column: source.column(),
            source,
        };
        let root: BTreeMap<String, &'a RawValue> =
            serde_json::from_slice(bytes).map_err(malformed)?;
        let signatures: Vec<BTreeMap<String, &'a RawValue>> = match root.get("signatures") {
            Some(raw) => serde_json::from_str(raw.get())
                .map_err(|_| SealError::envelope("/signatures", "expected an array of objects"))?,
            None => {
                return Err(SealError::NotExtensible {
                    reason: "only JWS JSON general serialization (what EDC issues) can be extended"
                        .into(),
                })
            }
        };
        let [signature_members] =
            <[_; 1]>::try_from(signatures).map_err(|_| SealError::NotExtensible {
                reason: "the file must hold exactly one seal".into(),
            })?;
        let payload_text: String = root
            .get("payload")
            .and_then(|raw| serde_json::from_str(raw.get()).ok())
            .ok_or_else(|| SealError::envelope("/payload", "expected a string"))?;
        let text = |key: &str| -> Result<&'a str, SealError> {
            let raw = signature_members
                .get(key)
                .ok_or_else(|| SealError::envelope(format!("/signatures/0/{key}"), "missing"))?;
            // base64url never needs escapes, so the raw JSON string is the value in quotes.
            raw.get()
                .strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .filter(|s| !s.contains('\\'))
                .ok_or_else(|| {
                    SealError::envelope(
                        format!("/signatures/0/{key}"),
                        "expected a base64url string",
                    )
                })
        };
        let protected = text("protected")?;
        let signature = text("signature")?;
        let header: Map<String, Value> = match signature_members.get("header") {
            None => Map::new(),
            Some(raw) => serde_json::from_str(raw.get())
                .map_err(|_| SealError::envelope("/signatures/0/header", "expected an object"))?,
        };
        let etsi_u = match header.get("etsiU") {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    v.as_str().map(str::to_owned).ok_or_else(|| SealError::NotExtensible {
                        reason: format!("etsiU component {i} is not base64url-encoded; mixing forms is not allowed"),
                    })
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(SealError::envelope("/signatures/0/header/etsiU", "expected an array")),
        };
        Ok(Self {
            root,
            signature_members,
            payload_text,
            protected,
            signature,
            header,
            etsi_u,
        })
    }

    fn components(&self) -> impl Iterator<Item = (usize, Map<String, Value>)> + '_ {
        self.etsi_u.iter().enumerate().filter_map(|(i, s)| {
            URL_SAFE_NO_PAD
                .decode(s.trim_end_matches('='))
                .ok()
                .and_then(|b| serde_json::from_slice::<Map<String, Value>>(&b).ok())
                .map(|m| (i, m))
        })
    }

    fn has(&self, name: &str) -> bool {
        self.components().any(|(_, m)| m.contains_key(name))
    }

    fn push(&mut self, component: Value) -> Result<(), SealError> {
        let json = serde_json::to_vec(&component).map_err(SealError::NotSerializable)?;
        self.etsi_u.push(URL_SAFE_NO_PAD.encode(json));
        Ok(())
    }

    /// x5c, then every xVals certificate.
    fn certificates(&self) -> Result<Vec<X509>, SealError> {
        let header: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(self.protected).map_err(|source| {
                SealError::Base64 {
                    pointer: "/signatures/0/protected".into(),
                    source,
                }
            })?)
            .map_err(|_| SealError::envelope("/signatures/0/protected", "not JSON"))?;
        let mut out = Vec::new();
        for v in header["x5c"].as_array().into_iter().flatten() {
            if let Some(c) = v
                .as_str()
                .and_then(|s| STANDARD.decode(s).ok())
                .and_then(|d| X509::from_der(&d).ok())
            {
                out.push(c);
            }
        }
        for (_, m) in self.components() {
            for v in m
                .get("xVals")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(c) = v
                    .pointer("/x509Cert/val")
                    .and_then(Value::as_str)
                    .and_then(|s| STANDARD.decode(s).ok())
                    .and_then(|d| X509::from_der(&d).ok())
                {
                    out.push(c);
                }
            }
        }
        Ok(out)
    }

    fn tokens(&self, name: &str) -> Result<Vec<TimestampToken>, SealError> {
        let mut out = Vec::new();
        for (i, m) in self.components() {
            for v in m
                .get(name)
                .and_then(|t| t.get("tstTokens"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let place = format!("/signatures/0/header/etsiU/{i}");
                let der = v
                    .get("val")
                    .and_then(Value::as_str)
                    .and_then(|s| STANDARD.decode(s).ok())
                    .ok_or_else(|| SealError::MalformedTimestamp {
                        place: place.clone(),
                        reason: "expected a base64 token in val".into(),
                    })?;
                out.push(TimestampToken::parse(&der, &[], &place)?);
            }
        }
        Ok(out)
    }

    fn last_archive_token(&self) -> Result<TimestampToken, SealError> {
        self.tokens("arcTst")?
            .pop()
            .ok_or_else(|| SealError::NotExtensible {
                reason: "no archive timestamp".into(),
            })
    }

    fn level(&self) -> BaselineLevel {
        if !self.has("sigTst") {
            BaselineLevel::BB
        } else if !(self.has("xVals") || self.has("rVals")) {
            BaselineLevel::BT
        } else if !self.has("arcTst") {
            BaselineLevel::BLT
        } else {
            BaselineLevel::BLTA
        }
    }

    /// The file again: every member raw except `header`.
    fn finish(mut self) -> Result<Augmented, SealError> {
        let renew_before = self
            .tokens("arcTst")?
            .last()
            .and_then(|t| t.signer.as_ref().and_then(|c| asn1_to_time(c.not_after())));
        let level = self.level();
        self.header.insert(
            "etsiU".into(),
            Value::Array(self.etsi_u.iter().cloned().map(Value::String).collect()),
        );
        let header = serde_json::to_string(&self.header).map_err(SealError::NotSerializable)?;
        let mut sig = String::from("{");
        let mut first = true;
        let mut member = |out: &mut String, k: &str, v: &str| {
            if !first {
                out.push(',');
            }
            first = false;
            out.push_str(&serde_json::to_string(k).unwrap_or_default());
            out.push(':');
            out.push_str(v);
        };
        for key in ["protected", "header", "signature"] {
            match key {
                "header" => member(&mut sig, key, &header),
                _ => {
                    if let Some(raw) = self.signature_members.get(key) {
                        member(&mut sig, key, raw.get());
                    }
                }
            }
        }
        for (k, raw) in &self.signature_members {
            if !matches!(k.as_str(), "protected" | "header" | "signature") {
                member(&mut sig, k, raw.get());
            }
        }
        sig.push('}');
        let signatures = format!("[{sig}]");
        let mut out = String::from("{");
        let mut first = true;
        let mut member = |out: &mut String, k: &str, v: &str| {
            if !first {
                out.push(',');
            }
            first = false;
            out.push_str(&serde_json::to_string(k).unwrap_or_default());
            out.push(':');
            out.push_str(v);
        };
        if let Some(p) = self.root.get("payload") {
            member(&mut out, "payload", p.get());
        }
        member(&mut out, "signatures", &signatures);
        for (k, raw) in &self.root {
            if !matches!(k.as_str(), "payload" | "signatures") {
                member(&mut out, k, raw.get());
            }
        }
        out.push('}');
        tracing::info!(level = level.name(), "seal augmented");
        Ok(Augmented {
            sealed: out.into_bytes(),
            level,
            renew_before,
        })
    }
}

/// An OpenSSL time as `OffsetDateTime`.
pub(crate) fn asn1_to_time(t: &openssl::asn1::Asn1TimeRef) -> Option<OffsetDateTime> {
    let epoch = openssl::asn1::Asn1Time::from_unix(0).ok()?;
    let d = epoch.diff(t).ok()?;
    OffsetDateTime::from_unix_timestamp(i64::from(d.days) * 86_400 + i64::from(d.secs)).ok()
}
