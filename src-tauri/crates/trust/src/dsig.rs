//! Enveloped XML-DSig / XAdES signature checking, as on trusted lists and legacy EDC 1.x
//! credentials: references (`URI=""` with the enveloped-signature transform, `#Id` references
//! such as XAdES SignedProperties), Exclusive or inclusive C14N 1.0, RSA (PKCS#1 v1.5 and
//! PSS) and ECDSA with SHA-2, and the XAdES signing-certificate digest.
//!
//! It says whether the signature is intact and which certificate made it; whether that
//! certificate is one to trust is the caller's decision (for a national list, the LOTL's).

use base64::Engine as _;
use openssl::hash::MessageDigest;
use openssl::pkey::Id as KeyId;
use openssl::x509::X509;
use serde::Serialize;
use time::OffsetDateTime;

use crate::c14n::{self, Apex, Method};
use crate::xml::{Document, NodeId};
use crate::TrustError;

/// The XML-DSig namespace.
pub const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
const XPATH: &str = "http://www.w3.org/TR/1999/REC-xpath-19991116";
/// Most references accepted in one SignedInfo (trusted lists and XAdES use 2 or 3).
pub const MAX_REFERENCES: usize = 16;

/// Whether the signature holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "status", content = "reason")]
pub enum SignatureStatus {
    /// Every reference digest matches and the signature value verifies with the signer's key.
    Valid,
    /// Checked, and it does not hold: the reason says where.
    Invalid(String),
    /// The document carries no XML signature.
    Unsigned,
    /// The signature uses something this checker does not support (named).
    Unsupported(String),
}

/// One reference of `SignedInfo`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReferenceCheck {
    /// Its `URI` attribute.
    pub uri: String,
    /// Whether its digest matches.
    pub digest_matches: bool,
}

/// The outcome of checking an enveloped signature.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignatureCheck {
    /// The verdict.
    pub status: SignatureStatus,
    /// Signature algorithm URI.
    pub algorithm: Option<String>,
    /// Every reference with its digest result.
    pub references: Vec<ReferenceCheck>,
    /// The signer certificate (DER) from `KeyInfo`.
    #[serde(skip)]
    pub signer_der: Option<Vec<u8>>,
    /// The signer certificate's subject (one line).
    pub signer_subject: Option<String>,
    /// The signer certificate's validity start.
    #[serde(with = "time::serde::rfc3339::option")]
    pub signer_not_before: Option<OffsetDateTime>,
    /// The signer certificate's validity end.
    #[serde(with = "time::serde::rfc3339::option")]
    pub signer_not_after: Option<OffsetDateTime>,
    /// XAdES claimed signing time.
    #[serde(with = "time::serde::rfc3339::option")]
    pub signing_time: Option<OffsetDateTime>,
    /// A reference covers the whole document (`URI=""` or the root element's Id), so nothing
    /// outside the signed part can be read as content (no signature wrapping).
    pub covers_document: bool,
}

impl SignatureCheck {
    fn new(status: SignatureStatus) -> Self {
        SignatureCheck {
            status,
            algorithm: None,
            references: Vec::new(),
            signer_der: None,
            signer_subject: None,
            signer_not_before: None,
            signer_not_after: None,
            signing_time: None,
            covers_document: false,
        }
    }

    /// Is the signature intact?
    pub fn is_valid(&self) -> bool {
        self.status == SignatureStatus::Valid
    }

    /// Was the signer certificate valid at `at`?
    pub fn signer_valid_at(&self, at: OffsetDateTime) -> Option<bool> {
        Some(self.signer_not_before? <= at && at <= self.signer_not_after?)
    }
}

/// Finds the first `ds:Signature` element of `doc` (document order).
pub fn find_signature(doc: &Document) -> Option<NodeId> {
    doc.descendants(doc.root).into_iter().find(|n| {
        doc.element(*n)
            .is_some_and(|e| e.local == "Signature" && e.ns == DSIG_NS)
    })
}

/// Checks the enveloped signature of `doc`. `place` names the document in errors.
pub fn verify_enveloped(doc: &Document, place: &str) -> Result<SignatureCheck, TrustError> {
    let _span = tracing::debug_span!("trust.dsig.verify", place).entered();
    let Some(sig) = find_signature(doc) else {
        return Ok(SignatureCheck::new(SignatureStatus::Unsigned));
    };
    let bad = |reason: &str| TrustError::NotATrustedList {
        place: place.to_owned(),
        reason: format!("ds:Signature: {reason}"),
    };
    let signed_info = doc
        .child(sig, "SignedInfo")
        .ok_or_else(|| bad("no SignedInfo"))?;
    let mut check = SignatureCheck::new(SignatureStatus::Valid);

    // Signer certificate and its validity.
    if let Some(cert_el) = doc.path(sig, &["KeyInfo", "X509Data", "X509Certificate"]) {
        let der = decode_b64(&doc.text(cert_el)).ok_or_else(|| TrustError::BadValue {
            place: place.to_owned(),
            element: "ds:KeyInfo/ds:X509Data/ds:X509Certificate".to_owned(),
            value: short(&doc.text(cert_el)),
            expected: "base64",
        })?;
        let cert = X509::from_der(&der).map_err(|source| TrustError::Certificate {
            place: place.to_owned(),
            element: "ds:KeyInfo/ds:X509Data/ds:X509Certificate".to_owned(),
            source,
        })?;
        let info = sealdesk_seal::certificate::CertificateInfo::from_der(&der)
            .map_err(TrustError::SubjectCertificate)?;
        check.signer_subject = Some(info.subject.clone());
        check.signer_not_before = Some(info.not_before);
        check.signer_not_after = Some(info.not_after);
        drop(cert);
        check.signer_der = Some(der);
    }
    check.signing_time = doc
        .descendants(sig)
        .into_iter()
        .find(|n| doc.element(*n).is_some_and(|e| e.local == "SigningTime"))
        .and_then(|n| {
            OffsetDateTime::parse(&doc.text(n), &time::format_description::well_known::Rfc3339).ok()
        });

    // SignedInfo canonicalization and algorithm.
    let c14n_el = doc
        .child(signed_info, "CanonicalizationMethod")
        .ok_or_else(|| bad("no CanonicalizationMethod"))?;
    let c14n_uri = doc
        .attr(c14n_el, "Algorithm")
        .unwrap_or_default()
        .to_owned();
    let Some(si_method) = c14n::method_for(&c14n_uri, prefix_list(doc, c14n_el)) else {
        return Ok(SignatureCheck::new(SignatureStatus::Unsupported(format!(
            "canonicalization {c14n_uri}"
        ))));
    };
    let sig_method = doc
        .child(signed_info, "SignatureMethod")
        .and_then(|m| doc.attr(m, "Algorithm"))
        .ok_or_else(|| bad("no SignatureMethod"))?
        .to_owned();
    check.algorithm = Some(sig_method.clone());

    // References (each may hash the whole document: a bounded number).
    if doc.children_named(signed_info, "Reference").count() > MAX_REFERENCES {
        return Ok(SignatureCheck::new(SignatureStatus::Unsupported(format!(
            "more than {MAX_REFERENCES} references"
        ))));
    }
    let mut failures = Vec::new();
    for r in doc.children_named(signed_info, "Reference") {
        let uri = doc.attr(r, "URI").unwrap_or_default().to_owned();
        if uri.is_empty() || uri.strip_prefix('#').and_then(|id| doc.by_id(id)) == Some(doc.root) {
            check.covers_document = true;
        }
        match reference_digest_ok(doc, sig, r, &uri) {
            Ok(ok) => {
                if !ok {
                    failures.push(format!(
                        "the digest of reference {uri:?} does not match: the content changed"
                    ));
                }
                check.references.push(ReferenceCheck {
                    uri,
                    digest_matches: ok,
                });
            }
            Err(RefProblem::Unsupported(what)) => {
                check.status = SignatureStatus::Unsupported(what);
                return Ok(check);
            }
            Err(RefProblem::Broken(why)) => {
                failures.push(why);
                check.references.push(ReferenceCheck {
                    uri,
                    digest_matches: false,
                });
            }
        }
    }
    if check.references.is_empty() {
        failures.push("SignedInfo has no reference".to_owned());
    }

    // XAdES: the signing certificate digest must name the KeyInfo certificate.
    if let (Some(der), Some(cd)) = (
        &check.signer_der,
        doc.descendants(sig)
            .into_iter()
            .find(|n| doc.element(*n).is_some_and(|e| e.local == "CertDigest")),
    ) {
        let alg = doc
            .child(cd, "DigestMethod")
            .and_then(|m| doc.attr(m, "Algorithm"))
            .unwrap_or_default();
        let expected = doc
            .child(cd, "DigestValue")
            .map(|v| doc.text(v))
            .unwrap_or_default();
        match digest_for(alg) {
            Some(md) => {
                let got = openssl::hash::hash(md, der)
                    .map_err(TrustError::crypto("hashing the signer certificate"))?;
                if decode_b64(&expected).as_deref() != Some(&got[..]) {
                    failures.push("the XAdES signing-certificate digest does not name the KeyInfo certificate".to_owned());
                }
            }
            None => {
                check.status = SignatureStatus::Unsupported(format!("digest {alg}"));
                return Ok(check);
            }
        }
    }

    // Signature value.
    let Some(der) = check.signer_der.clone() else {
        check.status = SignatureStatus::Invalid("no signer certificate in ds:KeyInfo".to_owned());
        return Ok(check);
    };
    let value_el = doc
        .child(sig, "SignatureValue")
        .ok_or_else(|| bad("no SignatureValue"))?;
    let value = decode_b64(&doc.text(value_el)).ok_or_else(|| TrustError::BadValue {
        place: place.to_owned(),
        element: "ds:SignatureValue".to_owned(),
        value: short(&doc.text(value_el)),
        expected: "base64",
    })?;
    let canonical = c14n::canonicalize(doc, Apex::Element(signed_info), None, &si_method);
    match signature_ok(&sig_method, &der, &canonical, &value)? {
        Some(true) => {}
        Some(false) => failures
            .push("the signature value does not verify with the signer certificate".to_owned()),
        None => {
            check.status = SignatureStatus::Unsupported(format!("signature method {sig_method}"));
            return Ok(check);
        }
    }
    if let Some(first) = failures.into_iter().next() {
        check.status = SignatureStatus::Invalid(first);
    }
    Ok(check)
}

enum RefProblem {
    Unsupported(String),
    Broken(String),
}

fn reference_digest_ok(
    doc: &Document,
    sig: NodeId,
    r: NodeId,
    uri: &str,
) -> Result<bool, RefProblem> {
    let mut exclude = None;
    let mut method = Method::Inclusive;
    if let Some(ts) = doc.child(r, "Transforms") {
        for t in doc.children_named(ts, "Transform") {
            let alg = doc.attr(t, "Algorithm").unwrap_or_default();
            if alg == ENVELOPED {
                exclude = Some(sig);
            } else if alg == XPATH {
                let expr = doc
                    .child(t, "XPath")
                    .map(|x| doc.text(x))
                    .unwrap_or_default();
                let compact: String = expr.chars().filter(|c| !c.is_whitespace()).collect();
                if compact.starts_with("not(ancestor-or-self::") && compact.ends_with(":Signature)")
                {
                    exclude = Some(sig);
                } else {
                    return Err(RefProblem::Unsupported(format!("XPath transform {expr}")));
                }
            } else if let Some(m) = c14n::method_for(alg, prefix_list(doc, t)) {
                method = m;
            } else {
                return Err(RefProblem::Unsupported(format!("transform {alg}")));
            }
        }
    }
    let apex = if uri.is_empty() {
        Apex::Document
    } else if let Some(id) = uri.strip_prefix('#') {
        match doc.by_id(id) {
            Some(n) => Apex::Element(n),
            None => {
                return Err(RefProblem::Broken(format!(
                    "reference {uri:?} points to no element"
                )))
            }
        }
    } else {
        return Err(RefProblem::Unsupported(format!("external reference {uri}")));
    };
    let alg = doc
        .child(r, "DigestMethod")
        .and_then(|m| doc.attr(m, "Algorithm"))
        .unwrap_or_default();
    let Some(md) = digest_for(alg) else {
        return Err(RefProblem::Unsupported(format!("digest {alg}")));
    };
    let expected = doc
        .child(r, "DigestValue")
        .map(|v| doc.text(v))
        .unwrap_or_default();
    let bytes = c14n::canonicalize(doc, apex, exclude, &method);
    let got = openssl::hash::hash(md, &bytes)
        .map_err(|e| RefProblem::Broken(format!("hashing failed: {e}")))?;
    Ok(decode_b64(&expected).as_deref() == Some(&got[..]))
}

fn prefix_list(doc: &Document, method_el: NodeId) -> Vec<String> {
    doc.child(method_el, "InclusiveNamespaces")
        .and_then(|n| doc.attr(n, "PrefixList"))
        .map(|l| {
            l.split_whitespace()
                .map(|p| {
                    if p == "#default" {
                        String::new()
                    } else {
                        p.to_owned()
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The digest for an XML-DSig digest or signature-hash URI.
pub fn digest_for(uri: &str) -> Option<MessageDigest> {
    Some(match uri {
        "http://www.w3.org/2000/09/xmldsig#sha1" => MessageDigest::sha1(),
        "http://www.w3.org/2001/04/xmldsig-more#sha224" => MessageDigest::sha224(),
        "http://www.w3.org/2001/04/xmlenc#sha256" => MessageDigest::sha256(),
        "http://www.w3.org/2001/04/xmldsig-more#sha384" => MessageDigest::sha384(),
        "http://www.w3.org/2001/04/xmlenc#sha512" => MessageDigest::sha512(),
        _ => return None,
    })
}

/// `Some(ok)` when the method is supported, `None` otherwise.
fn signature_ok(
    method: &str,
    cert_der: &[u8],
    data: &[u8],
    value: &[u8],
) -> Result<Option<bool>, TrustError> {
    let (kind, md) = match method.rsplit_once('#').map(|(_, f)| f) {
        Some("rsa-sha256") => ("rsa", MessageDigest::sha256()),
        Some("rsa-sha384") => ("rsa", MessageDigest::sha384()),
        Some("rsa-sha512") => ("rsa", MessageDigest::sha512()),
        Some("sha256-rsa-MGF1") => ("pss", MessageDigest::sha256()),
        Some("sha384-rsa-MGF1") => ("pss", MessageDigest::sha384()),
        Some("sha512-rsa-MGF1") => ("pss", MessageDigest::sha512()),
        Some("ecdsa-sha256") => ("ec", MessageDigest::sha256()),
        Some("ecdsa-sha384") => ("ec", MessageDigest::sha384()),
        Some("ecdsa-sha512") => ("ec", MessageDigest::sha512()),
        _ => return Ok(None),
    };
    let cert =
        X509::from_der(cert_der).map_err(TrustError::crypto("reading the signer certificate"))?;
    let key = cert
        .public_key()
        .map_err(TrustError::crypto("reading the signer key"))?;
    let key_ok = match kind {
        "ec" => key.id() == KeyId::EC,
        _ => key.id() == KeyId::RSA || key.id() == KeyId::RSA_PSS,
    };
    if !key_ok {
        return Ok(Some(false));
    }
    let sig = if kind == "ec" {
        match raw_ecdsa_to_der(value) {
            Some(d) => d,
            None => return Ok(Some(false)),
        }
    } else {
        value.to_vec()
    };
    let mut v = openssl::sign::Verifier::new(md, &key)
        .map_err(TrustError::crypto("preparing verification"))?;
    if kind == "pss" {
        v.set_rsa_padding(openssl::rsa::Padding::PKCS1_PSS)
            .and_then(|_| v.set_rsa_mgf1_md(md))
            .and_then(|_| v.set_rsa_pss_saltlen(openssl::sign::RsaPssSaltlen::DIGEST_LENGTH))
            .map_err(TrustError::crypto("setting PSS parameters"))?;
    }
    v.update(data)
        .map_err(TrustError::crypto("hashing SignedInfo"))?;
    Ok(Some(v.verify(&sig).unwrap_or(false)))
}

fn raw_ecdsa_to_der(raw: &[u8]) -> Option<Vec<u8>> {
    if raw.is_empty() || raw.len() % 2 != 0 {
        return None;
    }
    let (r, s) = raw.split_at(raw.len() / 2);
    let r = openssl::bn::BigNum::from_slice(r).ok()?;
    let s = openssl::bn::BigNum::from_slice(s).ok()?;
    openssl::ecdsa::EcdsaSig::from_private_components(r, s)
        .ok()?
        .to_der()
        .ok()
}

/// Decodes base64 that may carry whitespace (as in XML).
pub fn decode_b64(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .ok()
}

pub(crate) fn short(s: &str) -> String {
    s.chars().take(40).collect()
}
