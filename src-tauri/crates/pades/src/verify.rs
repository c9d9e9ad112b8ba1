//! Reading and checking the signatures of a PDF (PAdES, and plain `adbe.pkcs7.detached`).
//!
//! For every signature dictionary: the `/ByteRange` must start at 0 and leave out exactly the
//! `/Contents` hex string; the digest over the ranges must equal the CMS message-digest; the CMS
//! signature must verify over the signed attributes with the signer certificate, which the ESS
//! signing-certificate-v2 attribute must bind; then certificate validity, trust (the same
//! [`TrustAnchors`] as JAdES) and declared qualification. The level (B-B … B-LTA) is read from
//! the components present: a signature-time-stamp attribute or a later document timestamp
//! (B-T), a DSS dictionary (B-LT), a document timestamp after it (B-LTA). Timestamps and
//! revocation data are found, not yet checked (reported as skipped).

use lopdf::Object;
use openssl::ecdsa::EcdsaSig;
use openssl::pkey::{PKey, Public};
use openssl::rsa::Padding;
use openssl::sign::{RsaPssSaltlen, Verifier};
use openssl::x509::X509;
use sealdesk_seal::certificate::CertificateInfo;
use sealdesk_seal::verify::{self, BaselineLevel, Check, Status};
use sealdesk_seal::TrustAnchors;
use serde::Serialize;
use time::OffsetDateTime;

use crate::cms::{self, ParsedCms, SignatureKind};
use crate::error::PadesError;

/// Whether `bytes` look like a PDF (`%PDF-` within the first 1024 bytes, as readers accept).
pub fn is_pdf(bytes: &[u8]) -> bool {
    bytes
        .get(..bytes.len().min(1024))
        .is_some_and(|head| head.windows(5).any(|w| w == b"%PDF-"))
}

/// What kind of signature a signature dictionary holds (by `/SubFilter`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PdfSignatureKind {
    /// `/ETSI.CAdES.detached`: PAdES baseline.
    Pades,
    /// `/adbe.pkcs7.detached`: a plain PDF signature (CMS), not PAdES baseline.
    Pkcs7Detached,
    /// `/ETSI.RFC3161`: a document timestamp.
    DocumentTimestamp,
    /// Anything else (`adbe.pkcs7.sha1`, `adbe.x509.rsa_sha1`, ...): not checked.
    Other,
}

/// Everything found about one signature of a PDF.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PdfSignatureReport {
    /// Position among the signatures, oldest first.
    pub index: usize,
    /// The object number of the signature dictionary.
    pub object: u32,
    /// `/SubFilter` as written.
    pub sub_filter: String,
    /// What the sub-filter says this is.
    pub kind: PdfSignatureKind,
    /// The signature algorithm, e.g. `RSA PKCS#1 v1.5 with SHA-256`.
    pub algorithm: Option<String>,
    /// What the signer certificate says, if found.
    pub signer: Option<CertificateInfo>,
    /// The claimed signing time (`/M`), if any.
    #[serde(with = "time::serde::rfc3339::option")]
    pub claimed_signing_time: Option<OffsetDateTime>,
    /// Baseline level by the components present.
    pub level: BaselineLevel,
    /// Whether the byte range reaches the end of the file (nothing appended after it).
    pub covers_whole_file: bool,
    /// What the byte range covers.
    pub coverage: Check,
    /// Digest, CMS signature and signing-certificate binding.
    pub integrity: Check,
    /// Certificate valid at the signing time.
    pub validity: Check,
    /// Whether the certificate has expired at the verification time.
    pub seal_expired: bool,
    /// Chain to a trust anchor.
    pub trust: Check,
    /// Qualified e-seal statements (declared by the certificate).
    pub qualification: Check,
    /// Timestamps (found, not yet checked).
    pub timestamps: Check,
    /// Revocation (not checked yet).
    pub revocation: Check,
}

/// The result of reading and checking a PDF.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PdfVerdict {
    /// Signatures (not document timestamps), oldest first; empty when the PDF is not signed.
    pub signatures: Vec<PdfSignatureReport>,
    /// Number of document timestamps (`/ETSI.RFC3161`).
    pub document_timestamps: usize,
    /// Whether the catalog has a DSS dictionary (validation data, B-LT).
    pub dss: bool,
}

impl PdfVerdict {
    /// True when the PDF is signed and every signature verified (integrity ok).
    pub fn intact(&self) -> bool {
        !self.signatures.is_empty()
            && self
                .signatures
                .iter()
                .all(|s| s.integrity.status == Status::Ok)
    }
}

fn check(status: Status, message: impl Into<String>) -> Check {
    Check {
        status,
        message: message.into(),
    }
}

/// A signature dictionary as found in the file.
struct Found {
    object: u32,
    sub_filter: String,
    byte_range: Option<[usize; 4]>,
    contents: Vec<u8>,
    m: Option<OffsetDateTime>,
}

/// Reads `pdf` and checks its signatures at verification time `at` against `anchors`.
///
/// A PDF that cannot be parsed is an error; a broken or untrusted signature is a verdict.
pub fn verify_pdf(
    pdf: &[u8],
    anchors: &TrustAnchors,
    at: OffsetDateTime,
) -> Result<PdfVerdict, PadesError> {
    let _span = tracing::info_span!("pades.verify", bytes = pdf.len()).entered();
    let doc = lopdf::Document::load_mem(pdf).map_err(|e| PadesError::NotAPdf {
        reason: e.to_string(),
    })?;
    let mut found = Vec::new();
    for (id, object) in &doc.objects {
        let Ok(dict) = object.as_dict() else {
            continue;
        };
        if dict.get(b"ByteRange").is_err() || dict.get(b"Contents").is_err() {
            continue;
        }
        let name = |key: &[u8]| {
            dict.get(key)
                .ok()
                .and_then(|o| o.as_name().ok())
                .map(|n| String::from_utf8_lossy(n).into_owned())
        };
        let typ = name(b"Type");
        if !matches!(typ.as_deref(), None | Some("Sig") | Some("DocTimeStamp")) {
            continue;
        }
        let byte_range = dict
            .get(b"ByteRange")
            .ok()
            .and_then(|o| o.as_array().ok())
            .and_then(|a| {
                let v: Vec<usize> = a
                    .iter()
                    .filter_map(|n| n.as_i64().ok().and_then(|n| usize::try_from(n).ok()))
                    .collect();
                <[usize; 4]>::try_from(v).ok()
            });
        let contents = match dict.get(b"Contents") {
            Ok(Object::String(bytes, _)) => bytes.clone(),
            _ => Vec::new(),
        };
        let m = match dict.get(b"M") {
            Ok(Object::String(bytes, _)) => parse_pdf_date(bytes),
            _ => None,
        };
        found.push(Found {
            object: id.0,
            sub_filter: name(b"SubFilter").unwrap_or_default(),
            byte_range,
            contents,
            m,
        });
    }
    let end = |f: &Found| f.byte_range.map(|b| b[2].saturating_add(b[3])).unwrap_or(0);
    found.sort_by_key(|f| (end(f), f.object));

    let dss = doc.catalog().ok().is_some_and(|c| c.get(b"DSS").is_ok());
    let timestamp_ends: Vec<usize> = found
        .iter()
        .filter(|f| f.sub_filter == "ETSI.RFC3161")
        .map(end)
        .collect();
    let mut signatures = Vec::new();
    for f in found.iter().filter(|f| f.sub_filter != "ETSI.RFC3161") {
        let later_timestamps = timestamp_ends.iter().filter(|e| **e > end(f)).count();
        let report = check_one(pdf, f, signatures.len(), anchors, at, dss, later_timestamps)?;
        signatures.push(report);
    }
    Ok(PdfVerdict {
        signatures,
        document_timestamps: timestamp_ends.len(),
        dss,
    })
}

fn check_one(
    pdf: &[u8],
    f: &Found,
    index: usize,
    anchors: &TrustAnchors,
    at: OffsetDateTime,
    dss: bool,
    later_timestamps: usize,
) -> Result<PdfSignatureReport, PadesError> {
    let kind = match f.sub_filter.as_str() {
        "ETSI.CAdES.detached" => PdfSignatureKind::Pades,
        "adbe.pkcs7.detached" => PdfSignatureKind::Pkcs7Detached,
        "ETSI.RFC3161" => PdfSignatureKind::DocumentTimestamp,
        _ => PdfSignatureKind::Other,
    };
    let skipped = |why: &str| check(Status::Skipped, why);
    let mut report = PdfSignatureReport {
        index,
        object: f.object,
        sub_filter: f.sub_filter.clone(),
        kind,
        algorithm: None,
        signer: None,
        claimed_signing_time: f.m,
        level: BaselineLevel::BB,
        covers_whole_file: false,
        coverage: skipped("not checked"),
        integrity: skipped("not checked"),
        validity: skipped("not checked: no signer certificate"),
        seal_expired: false,
        trust: skipped("not checked: no signer certificate"),
        qualification: skipped("not checked: no signer certificate"),
        timestamps: skipped("no timestamp: the signing time is only claimed (B-B)"),
        revocation: skipped("not checked yet: revocation data is not consulted in this version"),
    };
    if kind == PdfSignatureKind::Other {
        report.integrity = check(
            Status::Error,
            format!("signature format {} is not supported", f.sub_filter),
        );
        return Ok(report);
    }
    // 1. What the byte range covers.
    let Some(ranges) = byte_range_ok(pdf, f.byte_range) else {
        report.integrity = check(
            Status::Error,
            "seal broken: the byte range does not leave out exactly the signature value",
        );
        report.coverage = check(Status::Error, "the byte range is malformed");
        return Ok(report);
    };
    let covered_end = ranges[2] + ranges[3];
    report.covers_whole_file = covered_end == pdf.len();
    report.coverage = if report.covers_whole_file {
        check(
            Status::Ok,
            "covers the whole file except the signature value",
        )
    } else {
        check(
            Status::Warning,
            format!(
                "covers the file as it was when sealed; {} bytes were appended later (further signatures, timestamps, validation data or edits)",
                pdf.len() - covered_end
            ),
        )
    };
    // 2. The CMS.
    let cms_len = cms::der_length(&f.contents).unwrap_or(f.contents.len());
    let parsed = match cms::parse(f.contents.get(..cms_len).unwrap_or(&f.contents)) {
        Ok(p) => p,
        Err(e) => {
            report.integrity = check(
                Status::Error,
                format!("seal broken: the signature value is not a readable CMS SignedData ({e})"),
            );
            return Ok(report);
        }
    };
    report.algorithm = parsed.kind.map(SignatureKind::name);
    let signer_der = parsed
        .signer_certificate
        .and_then(|i| parsed.certificates.get(i))
        .cloned();
    let signer_x509 = signer_der.as_deref().and_then(|d| X509::from_der(d).ok());
    if let Some(der) = &signer_der {
        report.signer = CertificateInfo::from_der(der).ok();
    }
    let mut signed = Vec::with_capacity(ranges[1] + ranges[3]);
    signed.extend_from_slice(&pdf[ranges[0]..ranges[0] + ranges[1]]);
    signed.extend_from_slice(&pdf[ranges[2]..ranges[2] + ranges[3]]);
    report.integrity = integrity(
        &parsed,
        &signed,
        signer_der.as_deref(),
        signer_x509.as_ref(),
        kind,
    );
    // 3. Level by the components present.
    let signature_timestamp = parsed
        .unsigned_attrs
        .iter()
        .any(|a| a.oid == cms::ID_SIGNATURE_TIME_STAMP);
    if signature_timestamp || later_timestamps > 0 {
        report.level = BaselineLevel::BT;
        report.timestamps = skipped(if signature_timestamp {
            "a signature timestamp is present; timestamps are not checked yet"
        } else {
            "a document timestamp follows the seal; timestamps are not checked yet"
        });
        if dss {
            report.level = BaselineLevel::BLT;
            if later_timestamps > usize::from(!signature_timestamp) {
                report.level = BaselineLevel::BLTA;
            }
        }
    }
    // 4. Certificate, trust, qualification.
    let (Some(info), Some(cert)) = (&report.signer, &signer_x509) else {
        return Ok(report);
    };
    let when = f.m.unwrap_or(at);
    let (validity, seal_expired) = verify::validity_check(info, f.m, at, None);
    report.validity = validity;
    report.seal_expired = seal_expired;
    let others: Vec<X509> = parsed
        .certificates
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != parsed.signer_certificate)
        .filter_map(|(_, d)| X509::from_der(d).ok())
        .collect();
    report.trust = verify::trust_check(cert, &others, anchors, when).map_err(PadesError::Chain)?;
    report.qualification = verify::qualification_check(info);
    Ok(report)
}

/// The byte range if it starts at 0, stays in the file and leaves out exactly one `<hex>` string.
fn byte_range_ok(pdf: &[u8], br: Option<[usize; 4]>) -> Option<[usize; 4]> {
    let [a, b, c, d] = br?;
    if a != 0 || b >= c || c.checked_add(d)? > pdf.len() || b < 1 {
        return None;
    }
    let gap = pdf.get(b..c)?;
    let inner = gap.strip_prefix(b"<")?.strip_suffix(b">")?;
    inner
        .iter()
        .all(|x| x.is_ascii_hexdigit() || x.is_ascii_whitespace())
        .then_some([a, b, c, d])
}

fn integrity(
    parsed: &ParsedCms,
    signed: &[u8],
    signer_der: Option<&[u8]>,
    signer: Option<&X509>,
    kind: PdfSignatureKind,
) -> Check {
    let broken = |why: &str| check(Status::Error, format!("seal broken: {why}"));
    if parsed.signer_infos != 1 {
        return broken(&format!(
            "the CMS has {} signer infos; PAdES needs exactly one",
            parsed.signer_infos
        ));
    }
    if parsed.encapsulated_content {
        return broken("the CMS encapsulates content; a PDF signature must be detached");
    }
    let Some(hash) = parsed.digest else {
        return broken("the digest algorithm is not supported");
    };
    let Some(sig_kind) = parsed.kind else {
        return broken("the signature algorithm is not supported");
    };
    let (Some(signer_der), Some(signer)) = (signer_der, signer) else {
        return broken("the signer certificate is not in the CMS");
    };
    let Some(attrs_der) = &parsed.signed_attrs_der else {
        return broken("the CMS has no signed attributes");
    };
    match parsed.signed_attr(&cms::ID_CONTENT_TYPE).map(cms::oid) {
        Some(Ok(oid)) if oid == cms::ID_DATA => {}
        _ => return broken("the content-type attribute is missing or not id-data"),
    }
    match parsed.signed_attr(&cms::ID_MESSAGE_DIGEST).map(cms::octets) {
        Some(Ok(d)) if d == hash.digest(signed) => {}
        Some(Ok(_)) => {
            return broken("the document was changed after sealing (the digest does not match)")
        }
        _ => return broken("the message-digest attribute is missing or malformed"),
    }
    let binding = match parsed
        .signed_attr(&cms::ID_SIGNING_CERTIFICATE_V2)
        .map(cms::signing_certificate_v2)
    {
        Some(Ok((Some(h), cert_hash))) if cert_hash == h.digest(signer_der) => None,
        Some(Ok(_)) => {
            return broken("the signing-certificate-v2 attribute names another certificate")
        }
        Some(Err(_)) => return broken("the signing-certificate-v2 attribute is malformed"),
        None if parsed.count_signed(&cms::ID_SIGNING_CERTIFICATE) == 1 => {
            Some("the certificate is bound by the SHA-1 signing-certificate attribute only")
        }
        None => return broken("no signing-certificate-v2 attribute binds the signer certificate"),
    };
    let key = match signer.public_key() {
        Ok(k) => k,
        Err(_) => return broken("the signer certificate's key cannot be read"),
    };
    if !signature_valid(sig_kind, &key, attrs_der, &parsed.signature) {
        return broken("the signature value does not verify with the signer certificate");
    }
    let mut notes = Vec::new();
    if let Some(n) = binding {
        notes.push(n.to_owned());
    }
    if parsed.count_signed(&cms::ID_SIGNING_TIME) > 0 && kind == PdfSignatureKind::Pades {
        notes.push("a CMS signing-time attribute is present, which PAdES baseline forbids".into());
    }
    if kind == PdfSignatureKind::Pkcs7Detached {
        notes.push("adbe.pkcs7.detached is a plain PDF signature, not PAdES baseline".into());
    }
    if notes.is_empty() {
        check(
            Status::Ok,
            "the document is exactly what was sealed and the signature verifies",
        )
    } else {
        check(
            Status::Warning,
            format!(
                "the document is exactly what was sealed and the signature verifies, but {}",
                notes.join("; ")
            ),
        )
    }
}

fn signature_valid(
    kind: SignatureKind,
    key: &PKey<Public>,
    input: &[u8],
    signature: &[u8],
) -> bool {
    let run = || -> Result<bool, openssl::error::ErrorStack> {
        match kind {
            SignatureKind::RsaPkcs1(h) => {
                let mut v = Verifier::new(h.message_digest(), key)?;
                v.set_rsa_padding(Padding::PKCS1)?;
                v.verify_oneshot(signature, input)
            }
            SignatureKind::RsaPss(h) => {
                let mut v = Verifier::new(h.message_digest(), key)?;
                v.set_rsa_padding(Padding::PKCS1_PSS)?;
                v.set_rsa_mgf1_md(h.message_digest())?;
                v.set_rsa_pss_saltlen(RsaPssSaltlen::DIGEST_LENGTH)?;
                v.verify_oneshot(signature, input)
            }
            SignatureKind::Ecdsa(h) => {
                let sig = EcdsaSig::from_der(signature)?;
                let ec = key.ec_key()?;
                sig.verify(&h.digest(input), &ec)
            }
        }
    };
    run().unwrap_or(false)
}

/// Parses a PDF date `D:YYYYMMDDHHmmSSOHH'mm'` (missing trailing parts default as in ISO 32000).
pub(crate) fn parse_pdf_date(bytes: &[u8]) -> Option<OffsetDateTime> {
    let text = std::str::from_utf8(bytes).ok()?;
    let text = text.strip_prefix("D:").unwrap_or(text);
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    let num = |from: usize, len: usize, default: u32| -> Option<u32> {
        match digits.get(from..from + len) {
            Some(s) => s.parse().ok(),
            None if digits.len() <= from => Some(default),
            None => None,
        }
    };
    let year = i32::try_from(num(0, 4, u32::MAX)?).ok()?;
    let month = time::Month::try_from(u8::try_from(num(4, 2, 1)?).ok()?).ok()?;
    let day = u8::try_from(num(6, 2, 1)?).ok()?;
    let hour = u8::try_from(num(8, 2, 0)?).ok()?;
    let minute = u8::try_from(num(10, 2, 0)?).ok()?;
    let second = u8::try_from(num(12, 2, 0)?).ok()?;
    let date = time::Date::from_calendar_date(year, month, day).ok()?;
    let t = time::Time::from_hms(hour, minute, second).ok()?;
    let rest = &text[digits.len()..];
    let offset = match rest.chars().next() {
        Some(sign @ ('+' | '-')) => {
            let nums: Vec<i8> = rest[1..]
                .split('\'')
                .filter(|s| !s.is_empty())
                .filter_map(|s| s.parse().ok())
                .collect();
            let (h, m) = (*nums.first().unwrap_or(&0), *nums.get(1).unwrap_or(&0));
            let k = if sign == '-' { -1 } else { 1 };
            time::UtcOffset::from_hms(k * h, k * m, 0).ok()?
        }
        _ => time::UtcOffset::UTC,
    };
    Some(time::PrimitiveDateTime::new(date, t).assume_offset(offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_dates_parse_with_and_without_offsets() {
        let t = parse_pdf_date(b"D:20250102030405+01'30'").expect("full date parses");
        assert_eq!(t.unix_timestamp(), 1_735_787_045 - 5400, "offset applied");
        let t = parse_pdf_date(b"D:2025").expect("year only parses");
        assert_eq!(t.month(), time::Month::January, "month defaults to January");
        assert!(
            parse_pdf_date(b"D:20251340").is_none(),
            "month 13 is refused"
        );
        assert!(parse_pdf_date(b"garbage").is_none(), "no digits is refused");
    }

    #[test]
    fn pdf_sniffing_looks_at_the_head_only() {
        assert!(is_pdf(b"%PDF-1.7\n"), "a PDF header is a PDF");
        assert!(!is_pdf(b"{\"payload\": 1}"), "JSON is not");
        let mut late = vec![b' '; 2000];
        late.extend_from_slice(b"%PDF-1.7");
        assert!(!is_pdf(&late), "a header after 1024 bytes does not count");
    }
}
