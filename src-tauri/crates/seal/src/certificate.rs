//! X.509 facts a person at a seal needs: holder, organisation identifier, country, validity,
//! key usage and the qualified-seal statements (ETSI EN 319 412-5 QCStatements).
//!
//! This module reads one certificate and reports what it *says*. It does not decide whether the
//! certificate is trusted or really qualified: that needs the chain and the EU trusted lists
//! (the verification side of this crate). The DER of extensions openssl does not expose
//! (keyUsage bits, QCStatements, certificate policies) is read with a small DER walker here.

use std::fmt;

use openssl::asn1::{Asn1Time, Asn1TimeRef};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::Id;
use openssl::x509::{X509NameRef, X509};
use serde::Serialize;
use time::OffsetDateTime;

/// QcCompliance (ETSI EN 319 412-5): the certificate is issued as an EU qualified certificate.
pub const OID_QC_COMPLIANCE: &str = "0.4.0.1862.1.1";
/// QcSSCD: the private key lives in a qualified signature/seal creation device.
pub const OID_QC_SSCD: &str = "0.4.0.1862.1.4";
/// QcType statement; its info lists the certificate types.
pub const OID_QC_TYPE: &str = "0.4.0.1862.1.6";
/// QcType eseal: a certificate for electronic seals (legal persons).
pub const OID_QC_TYPE_ESEAL: &str = "0.4.0.1862.1.6.2";
/// QcType esign: a certificate for electronic signatures (natural persons), not a seal.
pub const OID_QC_TYPE_ESIGN: &str = "0.4.0.1862.1.6.1";
/// QcType web: a website authentication certificate, not a seal.
pub const OID_QC_TYPE_WEB: &str = "0.4.0.1862.1.6.3";
/// QcPDS: where the PKI disclosure statements are.
pub const OID_QC_PDS: &str = "0.4.0.1862.1.5";
/// QcSemantics (RFC 3739 id-qcs-pkixQCSyntax-v2), whose semantics identifier says natural or
/// legal person.
pub const OID_QC_SEMANTICS_V2: &str = "1.3.6.1.5.5.7.11.2";
/// Semantics identifier: natural person (ETSI EN 319 412-1).
pub const OID_SEMANTICS_NATURAL: &str = "0.4.0.194121.1.1";
/// Semantics identifier: legal person (ETSI EN 319 412-1).
pub const OID_SEMANTICS_LEGAL: &str = "0.4.0.194121.1.2";
/// The qcStatements extension (RFC 3739).
pub const OID_QC_STATEMENTS_EXTENSION: &str = "1.3.6.1.5.5.7.1.3";
const OID_KEY_USAGE: &str = "2.5.29.15";
const OID_CERTIFICATE_POLICIES: &str = "2.5.29.32";
const OID_ORGANIZATION_IDENTIFIER: &str = "2.5.4.97";

/// A certificate could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CertificateError {
    /// The bytes are not a DER X.509 certificate.
    #[error("not a DER X.509 certificate: check the file or token object")]
    NotDer {
        /// What openssl reported.
        #[source]
        source: openssl::error::ErrorStack,
    },
    /// The certificate parsed, but a part of it is not well-formed DER.
    #[error("malformed certificate: {what}")]
    Malformed {
        /// Which part.
        what: &'static str,
    },
    /// openssl failed while reading a field.
    #[error("cannot read the certificate's {what}")]
    Field {
        /// Which field.
        what: &'static str,
        /// What openssl reported.
        #[source]
        source: openssl::error::ErrorStack,
    },
    /// A validity date is outside what this program can represent.
    #[error("the certificate's {what} date is out of range")]
    DateOutOfRange {
        /// `not before` or `not after`.
        what: &'static str,
    },
}

/// From this many days before the end of validity, a seal certificate is "expiring soon"
/// (renewal with a QTSP takes weeks: identity checks, a new token).
pub const EXPIRY_WARNING_DAYS: i64 = 105;

/// Where a moment falls relative to a certificate's validity period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Validity {
    /// After `not_after`.
    Expired,
    /// Before `not_before`.
    NotYetValid,
    /// Within `not_before ..= not_after`.
    Valid,
}

/// What a certificate is for a person about to seal, at a given moment.
///
/// Validity comes first (an expired qualified seal is `Expired`); then what the certificate
/// *says* (trusted-list qualification is not judged here).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum CertificateClass {
    /// QcCompliance + QcType eseal + keyUsage nonRepudiation: a qualified e-seal certificate.
    QualifiedSeal,
    /// A seal, but not a qualified one: QcType eseal without QcCompliance or nonRepudiation,
    /// or an organisation's certificate (no natural-person attributes) with nonRepudiation.
    AdvancedSeal,
    /// Not a seal: QcType esign/web, a natural person's certificate, or a certificate without
    /// nonRepudiation. Sealing with it needs the person's explicit consent.
    SignatureCertificate,
    /// The validity period has ended.
    Expired,
    /// The validity period has not begun.
    NotYetValid,
}

impl CertificateClass {
    /// Whether this class may seal without asking (valid and a seal).
    pub fn is_seal(self) -> bool {
        matches!(self, Self::QualifiedSeal | Self::AdvancedSeal)
    }

    /// A short label for a person, e.g. `qualified seal (as declared)`.
    ///
    /// The classes come from the certificate's own statements; only a trusted list confirms
    /// that the issuer may issue qualified seal certificates (see `sealdesk-trust`), so the
    /// label says "as declared" rather than claim more than was checked.
    pub fn label(self) -> &'static str {
        match self {
            Self::QualifiedSeal => "qualified seal (as declared)",
            Self::AdvancedSeal => "advanced seal (as declared)",
            Self::SignatureCertificate => "signature certificate (not a seal)",
            Self::Expired => "expired",
            Self::NotYetValid => "not yet valid",
        }
    }
}

/// A PKI disclosure statement location (QcPDS).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PdsLocation {
    /// The URL (https).
    pub url: String,
    /// ISO 639-1 language code.
    pub language: String,
}

/// What one certificate says about its holder, issuer, validity and qualified-seal status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateInfo {
    /// Subject CN.
    pub common_name: Option<String>,
    /// Subject O.
    pub organization: Option<String>,
    /// Subject organizationIdentifier (OID 2.5.4.97), e.g. `VATFR-12345678901`.
    pub organization_identifier: Option<String>,
    /// Subject C (ISO 3166 alpha-2).
    pub country: Option<String>,
    /// The whole subject, `C=FR, O=…, CN=…` in certificate order.
    pub subject: String,
    /// The whole issuer, same form as `subject`.
    pub issuer: String,
    /// Issuer CN (for short displays).
    pub issuer_common_name: Option<String>,
    /// Serial number, lower-case hex.
    pub serial: String,
    /// Start of validity.
    #[serde(with = "time::serde::rfc3339")]
    pub not_before: OffsetDateTime,
    /// End of validity.
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
    /// keyUsage digitalSignature bit.
    pub key_usage_digital_signature: bool,
    /// keyUsage nonRepudiation (contentCommitment) bit.
    pub key_usage_non_repudiation: bool,
    /// QcCompliance statement present.
    pub qc_compliance: bool,
    /// QcType lists eseal.
    pub qc_type_eseal: bool,
    /// QcType lists esign (a signature certificate, not a seal).
    pub qc_type_esign: bool,
    /// QcType lists web (a website certificate, not a seal).
    pub qc_type_web: bool,
    /// QcSSCD statement present (key in a qualified device).
    pub qc_sscd: bool,
    /// QcPDS locations, in certificate order.
    pub pds: Vec<PdsLocation>,
    /// The QcSemantics identifier, dotted form (natural / legal person), if present.
    pub semantics_identifier: Option<String>,
    /// The subject names a natural person (givenName, surname or pseudonym, or the natural
    /// person semantics identifier).
    pub natural_person: bool,
    /// The statement ids of all QCStatements, dotted form, in certificate order.
    pub qc_statements: Vec<String>,
    /// Certificate policy ids, dotted form (e.g. `0.4.0.194112.1.3` = QCP-l-qscd).
    pub policies: Vec<String>,
    /// Public key, e.g. `RSA-3072`, `EC P-256`.
    pub public_key: String,
    /// SHA-256 of the DER certificate, lower-case hex.
    pub sha256_fingerprint: String,
}

/// How many distinct certificates one thread keeps parsed (the cache is emptied when full).
const PARSED_CACHE_CAPACITY: usize = 2048;

/// One certificate parsed once: the OpenSSL object and, once asked for, what it says.
struct Parsed {
    x509: X509,
    info: Option<CertificateInfo>,
}

/// Hash of a certificate's DER for the parse cache: a fast multiply-rotate over 8-byte words
/// (SipHash over every byte was most of a cache hit). Equality of the full DER still decides a
/// hit, so a collision costs time, never a wrong certificate.
#[derive(Default)]
struct DerHasher(u64);

impl std::hash::Hasher for DerHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut h = self.0;
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let word = <[u8; 8]>::try_from(w).unwrap_or_default();
            h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
        for &b in words.remainder() {
            h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
        self.0 = h;
    }
}

type ParsedMap =
    std::collections::HashMap<Box<[u8]>, Parsed, std::hash::BuildHasherDefault<DerHasher>>;

thread_local! {
    /// Certificates parsed by this thread, keyed by their exact DER bytes (a changed byte is
    /// another key). OpenSSL 3 parsing (public-key decoders, extension cache) costs far more
    /// than hashing the DER, and a verifier sees the same seal, CA and trusted-list service
    /// certificates over and over. Per thread: no lock on the verification path.
    static PARSED: std::cell::RefCell<ParsedMap> = std::cell::RefCell::new(ParsedMap::default());
}

fn with_parsed<T, E>(
    der: &[u8],
    unreadable: impl FnOnce(openssl::error::ErrorStack) -> E,
    read: impl FnOnce(&mut Parsed) -> Result<T, E>,
) -> Result<T, E> {
    PARSED.with(|cell| {
        let mut map = cell.borrow_mut();
        if let Some(entry) = map.get_mut(der) {
            return read(entry);
        }
        let x509 = X509::from_der(der).map_err(unreadable)?;
        if map.len() >= PARSED_CACHE_CAPACITY {
            map.clear();
        }
        let entry = map.entry(der.into()).or_insert(Parsed { x509, info: None });
        read(entry)
    })
}

/// The certificate `der` as an OpenSSL object, parsed once per thread (later calls with the
/// same bytes share it; an X509 is immutable and reference-counted).
pub fn x509_cached(der: &[u8]) -> Result<X509, openssl::error::ErrorStack> {
    with_parsed(der, |e| e, |p| Ok(p.x509.clone()))
}

impl CertificateInfo {
    /// Reads a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<CertificateInfo, CertificateError> {
        let cert = X509::from_der(der).map_err(|source| CertificateError::NotDer { source })?;
        Self::from_x509(&cert, der)
    }

    /// What the parsed `cert` (whose DER is `der`) says.
    fn from_x509(cert: &X509, der: &[u8]) -> Result<CertificateInfo, CertificateError> {
        let subject = cert.subject_name();
        let issuer = cert.issuer_name();
        let serial = cert
            .serial_number()
            .to_bn()
            .and_then(|bn| bn.to_hex_str().map(|s| s.to_lowercase()))
            .map_err(|source| CertificateError::Field {
                what: "serial number",
                source,
            })?;
        let fingerprint =
            cert.digest(MessageDigest::sha256())
                .map_err(|source| CertificateError::Field {
                    what: "fingerprint",
                    source,
                })?;
        let public_key = describe_public_key(cert)?;
        let extensions = Extensions::from_certificate(der)?;
        Ok(CertificateInfo {
            common_name: name_entry(subject, Nid::COMMONNAME),
            organization: name_entry(subject, Nid::ORGANIZATIONNAME),
            organization_identifier: organization_identifier(subject),
            country: name_entry(subject, Nid::COUNTRYNAME),
            subject: display_name(subject),
            issuer: display_name(issuer),
            issuer_common_name: name_entry(issuer, Nid::COMMONNAME),
            serial,
            not_before: to_offset_date_time(cert.not_before(), "not before")?,
            not_after: to_offset_date_time(cert.not_after(), "not after")?,
            key_usage_digital_signature: extensions.digital_signature,
            key_usage_non_repudiation: extensions.non_repudiation,
            qc_compliance: extensions
                .qc_statements
                .iter()
                .any(|s| s == OID_QC_COMPLIANCE),
            qc_type_eseal: extensions.qc_types.iter().any(|s| s == OID_QC_TYPE_ESEAL),
            qc_type_esign: extensions.qc_types.iter().any(|s| s == OID_QC_TYPE_ESIGN),
            qc_type_web: extensions.qc_types.iter().any(|s| s == OID_QC_TYPE_WEB),
            qc_sscd: extensions.qc_statements.iter().any(|s| s == OID_QC_SSCD),
            natural_person: [Nid::GIVENNAME, Nid::SURNAME, Nid::PSEUDONYM]
                .into_iter()
                .any(|nid| subject.entries_by_nid(nid).next().is_some())
                || extensions.semantics.as_deref() == Some(OID_SEMANTICS_NATURAL),
            semantics_identifier: extensions.semantics.clone(),
            pds: extensions.pds.clone(),
            qc_statements: extensions.qc_statements,
            policies: extensions.policies,
            public_key,
            sha256_fingerprint: hex::encode(fingerprint),
        })
    }

    /// [`CertificateInfo::from_der`], read once per thread for the same DER bytes.
    pub fn from_der_cached(der: &[u8]) -> Result<CertificateInfo, CertificateError> {
        let not_der = |source| CertificateError::NotDer { source };
        with_parsed(der, not_der, |p| {
            if let Some(info) = &p.info {
                return Ok(info.clone());
            }
            let info = CertificateInfo::from_x509(&p.x509, der)?;
            p.info = Some(info.clone());
            Ok(info)
        })
    }

    /// Where `at` falls relative to the validity period.
    pub fn validity_at(&self, at: OffsetDateTime) -> Validity {
        if at < self.not_before {
            Validity::NotYetValid
        } else if at > self.not_after {
            Validity::Expired
        } else {
            Validity::Valid
        }
    }

    /// What this certificate is at `at`: expired / not yet valid first, then qualified seal,
    /// advanced seal, or signature certificate (see [`CertificateClass`]).
    pub fn class_at(&self, at: OffsetDateTime) -> CertificateClass {
        match self.validity_at(at) {
            Validity::Expired => return CertificateClass::Expired,
            Validity::NotYetValid => return CertificateClass::NotYetValid,
            Validity::Valid => {}
        }
        if self.is_qualified_seal() {
            return CertificateClass::QualifiedSeal;
        }
        if self.qc_type_esign || self.qc_type_web || self.natural_person {
            return CertificateClass::SignatureCertificate;
        }
        let organisation = self.organization.is_some() || self.organization_identifier.is_some();
        if self.qc_type_eseal || (organisation && self.key_usage_non_repudiation) {
            CertificateClass::AdvancedSeal
        } else {
            CertificateClass::SignatureCertificate
        }
    }

    /// Whole days from `at` to the end of validity (negative once expired).
    pub fn days_left(&self, at: OffsetDateTime) -> i64 {
        (self.not_after - at).whole_days()
    }

    /// Whether the end of validity is at most [`EXPIRY_WARNING_DAYS`] days after `at` (and
    /// not past): time to renew.
    pub fn expires_soon(&self, at: OffsetDateTime) -> bool {
        at <= self.not_after && self.not_after - at <= time::Duration::days(EXPIRY_WARNING_DAYS)
    }

    /// Whether `at` is within the validity period.
    pub fn is_valid_at(&self, at: OffsetDateTime) -> bool {
        self.validity_at(at) == Validity::Valid
    }

    /// Whether the certificate *says* it is a qualified e-seal certificate: QcCompliance, QcType
    /// eseal and keyUsage nonRepudiation. QcSSCD is reported apart ([`Self::qc_sscd`]); whether
    /// the issuer may really issue qualified certificates is for the trusted lists to tell.
    pub fn is_qualified_seal(&self) -> bool {
        self.qc_compliance && self.qc_type_eseal && self.key_usage_non_repudiation
    }
}

impl fmt::Display for CertificateInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (issued by {})", self.subject, self.issuer)
    }
}

fn name_entry(name: &X509NameRef, nid: Nid) -> Option<String> {
    name.entries_by_nid(nid)
        .next()
        .and_then(|e| e.data().to_string().ok())
}

/// organizationIdentifier has a NID only in OpenSSL 1.1.1+; openssl prints known objects by
/// their long name and unknown ones in dotted form, so both are accepted.
fn organization_identifier(name: &X509NameRef) -> Option<String> {
    name.entries()
        .find(|e| {
            let object = e.object().to_string();
            object == "organizationIdentifier" || object == OID_ORGANIZATION_IDENTIFIER
        })
        .and_then(|e| e.data().to_string().ok())
}

fn display_name(name: &X509NameRef) -> String {
    name.entries()
        .map(|e| {
            let key = match e.object().nid().short_name() {
                Ok(short) if e.object().nid() != Nid::UNDEF => short.to_string(),
                _ => e.object().to_string(),
            };
            let value = e
                .data()
                .to_string()
                .unwrap_or_else(|_| hex::encode(e.data().as_slice()));
            format!("{key}={value}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn describe_public_key(cert: &X509) -> Result<String, CertificateError> {
    let key = cert
        .public_key()
        .map_err(|source| CertificateError::Field {
            what: "public key",
            source,
        })?;
    Ok(match key.id() {
        Id::RSA | Id::RSA_PSS => format!("RSA-{}", key.bits()),
        Id::EC => {
            let curve = key
                .ec_key()
                .ok()
                .and_then(|ec| ec.group().curve_name())
                .map(|nid| match nid {
                    Nid::X9_62_PRIME256V1 => "P-256".to_string(),
                    Nid::SECP384R1 => "P-384".to_string(),
                    Nid::SECP521R1 => "P-521".to_string(),
                    other => other.short_name().unwrap_or("unknown curve").to_string(),
                })
                .unwrap_or_else(|| "unknown curve".to_string());
            format!("EC {curve}")
        }
        Id::ED25519 => "Ed25519".to_string(),
        other => format!("key type {}", other.as_raw()),
    })
}

fn to_offset_date_time(
    t: &Asn1TimeRef,
    what: &'static str,
) -> Result<OffsetDateTime, CertificateError> {
    let epoch =
        Asn1Time::from_unix(0).map_err(|source| CertificateError::Field { what, source })?;
    let diff = epoch
        .diff(t)
        .map_err(|source| CertificateError::Field { what, source })?;
    let seconds = i64::from(diff.days) * 86_400 + i64::from(diff.secs);
    OffsetDateTime::from_unix_timestamp(seconds)
        .map_err(|_| CertificateError::DateOutOfRange { what })
}

/// The extension facts read from the DER.
#[derive(Default)]
struct Extensions {
    digital_signature: bool,
    non_repudiation: bool,
    qc_statements: Vec<String>,
    qc_types: Vec<String>,
    pds: Vec<PdsLocation>,
    semantics: Option<String>,
    policies: Vec<String>,
}

impl Extensions {
    /// Walks Certificate → tbsCertificate → [3] extensions.
    fn from_certificate(der: &[u8]) -> Result<Self, CertificateError> {
        let mut out = Extensions::default();
        let (cert, _) = der::expect(der, der::SEQUENCE, "certificate")?;
        let (tbs, _) = der::expect(cert, der::SEQUENCE, "tbsCertificate")?;
        let mut rest = tbs;
        let mut extensions = None;
        while !rest.is_empty() {
            let (tag, content, tail) = der::read(rest, "tbsCertificate field")?;
            if tag == 0xA3 {
                extensions = Some(content);
            }
            rest = tail;
        }
        let Some(wrapped) = extensions else {
            return Ok(out);
        };
        let (mut list, _) = der::expect(wrapped, der::SEQUENCE, "extensions")?;
        while !list.is_empty() {
            let (extension, tail) = der::expect(list, der::SEQUENCE, "extension")?;
            list = tail;
            let (oid, mut fields) = der::expect(extension, der::OID, "extension id")?;
            let (tag, _, after) = der::read(fields, "extension")?;
            if tag == der::BOOLEAN {
                fields = after; // `critical`
            }
            let (value, _) = der::expect(fields, der::OCTET_STRING, "extension value")?;
            match decode_oid(oid).as_deref() {
                Some(OID_KEY_USAGE) => out.read_key_usage(value)?,
                Some(OID_QC_STATEMENTS_EXTENSION) => out.read_qc_statements(value)?,
                Some(OID_CERTIFICATE_POLICIES) => out.read_policies(value)?,
                _ => {}
            }
        }
        Ok(out)
    }

    fn read_key_usage(&mut self, value: &[u8]) -> Result<(), CertificateError> {
        let (bits, _) = der::expect(value, der::BIT_STRING, "keyUsage")?;
        // bits[0] is the count of unused bits; bit 0 (0x80) digitalSignature, bit 1 (0x40)
        // nonRepudiation / contentCommitment.
        let first = bits.get(1).copied().unwrap_or(0);
        self.digital_signature = first & 0x80 != 0;
        self.non_repudiation = first & 0x40 != 0;
        Ok(())
    }

    fn read_qc_statements(&mut self, value: &[u8]) -> Result<(), CertificateError> {
        let (mut statements, _) = der::expect(value, der::SEQUENCE, "qcStatements")?;
        while !statements.is_empty() {
            let (statement, tail) = der::expect(statements, der::SEQUENCE, "qcStatement")?;
            statements = tail;
            let (id, info) = der::expect(statement, der::OID, "qcStatement id")?;
            let id = decode_oid(id).ok_or(CertificateError::Malformed {
                what: "qcStatement id",
            })?;
            if id == OID_QC_TYPE && !info.is_empty() {
                let (mut types, _) = der::expect(info, der::SEQUENCE, "QcType list")?;
                while !types.is_empty() {
                    let (oid, tail) = der::expect(types, der::OID, "QcType")?;
                    types = tail;
                    if let Some(oid) = decode_oid(oid) {
                        self.qc_types.push(oid);
                    }
                }
            }
            if id == OID_QC_PDS && !info.is_empty() {
                self.read_pds(info)?;
            }
            if id == OID_QC_SEMANTICS_V2 && !info.is_empty() {
                // SemanticsInformation ::= SEQUENCE { semanticsIdentifier OID OPTIONAL, ... }
                let (semantics, _) = der::expect(info, der::SEQUENCE, "QcSemantics")?;
                if let Ok((oid, _)) = der::expect(semantics, der::OID, "semantics identifier") {
                    self.semantics = decode_oid(oid);
                }
            }
            self.qc_statements.push(id);
        }
        Ok(())
    }

    /// QcEuPDS ::= SEQUENCE OF PdsLocation; PdsLocation ::= SEQUENCE { url IA5String,
    /// language PrintableString }.
    fn read_pds(&mut self, info: &[u8]) -> Result<(), CertificateError> {
        let (mut locations, _) = der::expect(info, der::SEQUENCE, "QcPDS list")?;
        while !locations.is_empty() {
            let (location, tail) = der::expect(locations, der::SEQUENCE, "PdsLocation")?;
            locations = tail;
            let (url, rest) = der::expect(location, der::IA5_STRING, "PDS url")?;
            let (language, _) = der::expect(rest, der::PRINTABLE_STRING, "PDS language")?;
            self.pds.push(PdsLocation {
                url: String::from_utf8_lossy(url).into_owned(),
                language: String::from_utf8_lossy(language).into_owned(),
            });
        }
        Ok(())
    }

    fn read_policies(&mut self, value: &[u8]) -> Result<(), CertificateError> {
        let (mut policies, _) = der::expect(value, der::SEQUENCE, "certificatePolicies")?;
        while !policies.is_empty() {
            let (policy, tail) = der::expect(policies, der::SEQUENCE, "policyInformation")?;
            policies = tail;
            let (oid, _) = der::expect(policy, der::OID, "policy id")?;
            if let Some(oid) = decode_oid(oid) {
                self.policies.push(oid);
            }
        }
        Ok(())
    }
}

/// An OBJECT IDENTIFIER's content octets in dotted form; `None` if not well-formed.
fn decode_oid(bytes: &[u8]) -> Option<String> {
    let mut arcs: Vec<u64> = Vec::new();
    let mut value: u64 = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if value > (u64::MAX >> 7) {
            return None;
        }
        value = (value << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let (first, second) = match value {
                    0..=39 => (0, value),
                    40..=79 => (1, value - 40),
                    _ => (2, value - 80),
                };
                arcs.push(first);
                arcs.push(second);
            } else {
                arcs.push(value);
            }
            value = 0;
        } else if i + 1 == bytes.len() {
            return None;
        }
    }
    if arcs.is_empty() {
        return None;
    }
    Some(
        arcs.iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join("."),
    )
}

/// Just enough DER: single-byte tags, definite lengths.
mod der {
    use super::CertificateError;

    pub const BOOLEAN: u8 = 0x01;
    pub const BIT_STRING: u8 = 0x03;
    pub const OCTET_STRING: u8 = 0x04;
    pub const OID: u8 = 0x06;
    pub const PRINTABLE_STRING: u8 = 0x13;
    pub const IA5_STRING: u8 = 0x16;
    pub const SEQUENCE: u8 = 0x30;

    /// Reads one TLV: `(tag, content, rest)`.
    pub fn read<'a>(
        input: &'a [u8],
        what: &'static str,
    ) -> Result<(u8, &'a [u8], &'a [u8]), CertificateError> {
        let malformed = CertificateError::Malformed { what };
        let (&tag, rest) = input
            .split_first()
            .ok_or(CertificateError::Malformed { what })?;
        if tag & 0x1f == 0x1f {
            return Err(malformed);
        }
        let (&first, mut rest) = rest
            .split_first()
            .ok_or(CertificateError::Malformed { what })?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let count = usize::from(first & 0x7f);
            if count == 0 || count > 4 || rest.len() < count {
                return Err(malformed);
            }
            let (len_bytes, tail) = rest.split_at(count);
            rest = tail;
            len_bytes
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
        };
        if rest.len() < len {
            return Err(malformed);
        }
        let (content, tail) = rest.split_at(len);
        Ok((tag, content, tail))
    }

    /// Reads one TLV that must have `tag`: `(content, rest)`.
    pub fn expect<'a>(
        input: &'a [u8],
        tag: u8,
        what: &'static str,
    ) -> Result<(&'a [u8], &'a [u8]), CertificateError> {
        let (found, content, rest) = read(input, what)?;
        if found != tag {
            return Err(CertificateError::Malformed { what });
        }
        Ok((content, rest))
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use base64::Engine as _;
    use time::macros::datetime;

    use super::*;

    fn shared_dir() -> PathBuf {
        let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../../shared");
        assert!(
            shared.is_dir(),
            "{} is missing: clone the shared reference data beside the repository",
            shared.display()
        );
        shared
    }

    /// x5c[0] of the first signature's protected header in an official signed sample.
    fn sample_certificate(name: &str) -> Vec<u8> {
        let path = shared_dir()
            .join("reference/elm-v3/credentials-jsonld")
            .join(name);
        let text = std::fs::read_to_string(&path).expect("sample file");
        let doc: serde_json::Value = serde_json::from_str(&text).expect("sample is JSON");
        let protected = doc["signatures"][0]["protected"]
            .as_str()
            .expect("protected header");
        let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(protected.trim_end_matches('='))
            .expect("protected header is base64url");
        let header: serde_json::Value = serde_json::from_slice(&header).expect("header is JSON");
        let x5c = header["x5c"][0].as_str().expect("x5c[0]");
        base64::engine::general_purpose::STANDARD
            .decode(x5c)
            .expect("x5c is base64")
    }

    #[test]
    fn parse_cache_serves_the_same_bytes_only() {
        let der = sample_certificate("Sample-MC-Annex1-signed.jsonld");
        let first = CertificateInfo::from_der_cached(&der).expect("the sample parses");
        let again = CertificateInfo::from_der_cached(&der).expect("the sample parses again");
        assert_eq!(first, again, "the cached reading is the reading");
        assert_eq!(
            first,
            CertificateInfo::from_der(&der).expect("uncached"),
            "the cache reads as from_der does"
        );
        // One byte of the serial number changed: another certificate, not the cached one.
        let serial = hex::decode("03378f4d568b289fb8ed0c03").expect("hex");
        let at = der
            .windows(serial.len())
            .position(|w| w == serial.as_slice())
            .expect("the serial is in the DER");
        let mut changed = der.clone();
        changed[at + serial.len() - 1] ^= 0x01;
        let other = CertificateInfo::from_der_cached(&changed).expect("the changed DER parses");
        assert_eq!(
            other.serial, "03378f4d568b289fb8ed0c02",
            "serial of the changed bytes"
        );
        assert_ne!(
            other.sha256_fingerprint, first.sha256_fingerprint,
            "a changed certificate is not served from the cache"
        );
        let x509 = x509_cached(&changed).expect("the changed DER parses as X509");
        assert_eq!(
            x509.to_der().expect("DER"),
            changed,
            "the cached X509 is the one of the changed bytes"
        );
        assert!(
            x509_cached(&der[..der.len() - 1]).is_err(),
            "a truncated certificate is refused, not served from the cache"
        );
    }

    #[test]
    fn official_sample_seal_certificate() {
        let der = sample_certificate("Sample-MC-Annex1-signed.jsonld");
        let info = CertificateInfo::from_der(&der).expect("the sample certificate parses");
        assert_eq!(info.common_name.as_deref(), Some("TEST SEAL"), "CN");
        assert_eq!(info.organization.as_deref(), Some("ORGANIZACION TEST"), "O");
        assert_eq!(
            info.organization_identifier.as_deref(),
            Some("VATES-A00000000"),
            "organizationIdentifier"
        );
        assert_eq!(info.country.as_deref(), Some("ES"), "C");
        assert_eq!(
            info.issuer_common_name.as_deref(),
            Some("ANF AC Qualified Certificates for eSeal"),
            "issuer CN"
        );
        assert!(
            info.issuer
                .starts_with("C=ES, O=ANF Autoridad de Certificacion"),
            "issuer display keeps certificate order: {}",
            info.issuer
        );
        assert_eq!(info.serial, "03378f4d568b289fb8ed0c03", "serial in hex");
        assert_eq!(
            info.not_before,
            datetime!(2023-05-11 14:31:15 UTC),
            "notBefore"
        );
        assert_eq!(
            info.not_after,
            datetime!(2025-05-10 14:31:15 UTC),
            "notAfter"
        );
        assert!(
            info.key_usage_non_repudiation,
            "keyUsage has nonRepudiation"
        );
        assert!(
            info.key_usage_digital_signature,
            "keyUsage has digitalSignature"
        );
        assert!(info.qc_compliance, "QcCompliance present");
        assert!(info.qc_type_eseal, "QcType eseal present");
        assert!(!info.qc_sscd, "the ANF test certificate has no QcSSCD");
        assert_eq!(
            info.qc_statements,
            [
                "0.4.0.1862.1.1",
                "0.4.0.1862.1.3",
                "0.4.0.1862.1.6",
                "1.3.6.1.5.5.7.11.2"
            ],
            "all statement ids in order"
        );
        assert!(
            info.policies.iter().any(|p| p == "0.4.0.194112.1.1"),
            "QCP-l policy listed: {:?}",
            info.policies
        );
        assert_eq!(info.public_key, "RSA-2048", "key description");
        assert!(
            info.is_qualified_seal(),
            "compliance + eseal + nonRepudiation"
        );
        let expected_fingerprint =
            hex::encode(openssl::hash::hash(MessageDigest::sha256(), &der).expect("sha256"));
        assert_eq!(info.sha256_fingerprint, expected_fingerprint, "fingerprint");
    }

    #[test]
    fn classes_follow_validity_then_statements() {
        let der = sample_certificate("Sample-MC-Annex1-signed.jsonld");
        let mut info = CertificateInfo::from_der(&der).expect("parses");
        assert_eq!(
            info.semantics_identifier, None,
            "the ANF sample's QcSemantics statement carries no identifier"
        );
        assert!(info.pds.is_empty(), "the ANF sample has no QcPDS");
        assert!(
            !info.natural_person,
            "a seal holder is not a natural person"
        );
        let inside = datetime!(2024-01-01 00:00 UTC);
        assert_eq!(
            info.class_at(inside),
            CertificateClass::QualifiedSeal,
            "qualified seal while valid"
        );
        assert_eq!(
            info.class_at(datetime!(2025-06-01 00:00 UTC)),
            CertificateClass::Expired,
            "validity comes first"
        );
        assert_eq!(
            info.class_at(datetime!(2023-01-01 00:00 UTC)),
            CertificateClass::NotYetValid,
            "not yet valid"
        );
        info.qc_compliance = false;
        assert_eq!(
            info.class_at(inside),
            CertificateClass::AdvancedSeal,
            "eseal without QcCompliance is an advanced seal"
        );
        info.qc_type_eseal = false;
        info.qc_type_esign = true;
        assert_eq!(
            info.class_at(inside),
            CertificateClass::SignatureCertificate,
            "esign is not a seal"
        );
        info.qc_type_esign = false;
        assert_eq!(
            info.class_at(inside),
            CertificateClass::AdvancedSeal,
            "organisation + nonRepudiation is an advanced seal"
        );
        info.key_usage_non_repudiation = false;
        assert_eq!(
            info.class_at(inside),
            CertificateClass::SignatureCertificate,
            "without nonRepudiation it is not a seal"
        );
    }

    #[test]
    fn expiry_warning_starts_105_days_before_the_end() {
        let der = sample_certificate("Sample-MC-Annex1-signed.jsonld");
        let info = CertificateInfo::from_der(&der).expect("parses");
        let end = info.not_after;
        assert!(
            info.expires_soon(end - time::Duration::days(105)),
            "105 days before: warn"
        );
        assert!(
            !info.expires_soon(end - time::Duration::days(106)),
            "106 days before: no warning yet"
        );
        assert!(
            !info.expires_soon(end + time::Duration::seconds(1)),
            "expired is not 'soon'"
        );
        assert_eq!(
            info.days_left(end - time::Duration::days(10)),
            10,
            "countdown"
        );
    }

    #[test]
    fn validity_is_judged_at_the_given_moment() {
        let der = sample_certificate("Sample-CertOfPart-signed.jsonld");
        let info = CertificateInfo::from_der(&der).expect("parses");
        assert_eq!(
            info.validity_at(datetime!(2024-01-01 00:00 UTC)),
            Validity::Valid,
            "inside the period"
        );
        assert_eq!(
            info.validity_at(datetime!(2023-05-11 14:31:14 UTC)),
            Validity::NotYetValid,
            "one second before notBefore"
        );
        assert_eq!(
            info.validity_at(datetime!(2025-05-10 14:31:16 UTC)),
            Validity::Expired,
            "one second after notAfter"
        );
        assert!(
            info.is_valid_at(datetime!(2025-05-10 14:31:15 UTC)),
            "notAfter itself is still valid"
        );
    }

    #[test]
    fn serializes_for_reports() {
        let der = sample_certificate("Sample-CertOfPart-signed.jsonld");
        let info = CertificateInfo::from_der(&der).expect("parses");
        let json = serde_json::to_value(&info).expect("serializes");
        assert_eq!(json["notAfter"], "2025-05-10T14:31:15Z", "RFC 3339 dates");
        assert_eq!(json["qcTypeEseal"], true, "camelCase field names");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bytes in [
            &b""[..],
            b"\x30",
            b"\x30\x84\xff\xff\xff\xff",
            b"not a certificate",
        ] {
            let result = CertificateInfo::from_der(bytes);
            assert!(
                matches!(result, Err(CertificateError::NotDer { .. })),
                "{bytes:?} is rejected as not DER: {result:?}"
            );
        }
    }

    #[test]
    fn truncated_certificate_is_an_error() {
        let der = sample_certificate("Sample-CertOfPart-signed.jsonld");
        let result = CertificateInfo::from_der(&der[..der.len() / 2]);
        assert!(
            result.is_err(),
            "half a certificate is rejected: {result:?}"
        );
    }

    #[test]
    fn oid_decoding() {
        assert_eq!(
            decode_oid(&[0x04, 0x00, 0x8e, 0x46, 0x01, 0x06, 0x02]).as_deref(),
            Some("0.4.0.1862.1.6.2"),
            "QcType eseal"
        );
        assert_eq!(
            decode_oid(&[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x03]).as_deref(),
            Some(OID_QC_STATEMENTS_EXTENSION),
            "qcStatements"
        );
        assert_eq!(
            decode_oid(&[0x55, 0x04, 0x61]).as_deref(),
            Some("2.5.4.97"),
            "orgId"
        );
        assert_eq!(decode_oid(&[0x8e]), None, "unterminated arc");
        assert_eq!(decode_oid(&[]), None, "empty");
    }
}
