//! Reading and checking the signatures of a PDF (PAdES, and plain `adbe.pkcs7.detached`).
//!
//! For every signature dictionary: the `/ByteRange` must start at 0 and leave out exactly the
//! `/Contents` hex string; the digest over the ranges must equal the CMS message-digest; the CMS
//! signature must verify over the signed attributes with the signer certificate, which the ESS
//! signing-certificate-v2 attribute must bind; then certificate validity, trust (the same
//! [`TrustAnchors`] as JAdES) and declared qualification. The level (B-B … B-LTA) is read from
//! the components present: a signature-time-stamp attribute or a later document timestamp
//! (B-T), a DSS dictionary with revocation data for the seal (B-LT), a document timestamp after
//! it (B-LTA). Timestamps are checked (imprint, TSA signature, TSA trust) and revocation is
//! checked offline with the DSS's OCSP responses and CRLs.

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

use sealdesk_seal::tsp::TimestampToken;

use crate::cms::{self, ParsedCms, SignatureKind};
use crate::error::PadesError;
use crate::survey::{self, Dss, Found};

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

/// One document timestamp (`/ETSI.RFC3161`) of a PDF.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PdfTimestampReport {
    /// Position among the document timestamps, oldest first.
    pub index: usize,
    /// The object number of the signature dictionary.
    pub object: u32,
    /// The time the TSA vouches for, when the token is readable.
    #[serde(with = "time::serde::rfc3339::option")]
    pub time: Option<OffsetDateTime>,
    /// The TSA certificate's subject, when found.
    pub tsa: Option<String>,
    /// Whether it covers a DSS (then it is an archive timestamp: B-LTA).
    pub covers_dss: bool,
    /// Byte range, imprint over the covered bytes, and the TSA's signature.
    pub integrity: Check,
    /// The TSA certificate chains to a trust anchor at the timestamp's time.
    pub trust: Check,
}

/// The result of reading and checking a PDF.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PdfVerdict {
    /// Signatures (not document timestamps), oldest first; empty when the PDF is not signed.
    pub signatures: Vec<PdfSignatureReport>,
    /// Document timestamps (`/ETSI.RFC3161`), oldest first.
    pub document_timestamps: Vec<PdfTimestampReport>,
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

/// What the whole file offers every signature: the DSS and the document timestamps.
struct Context<'a> {
    pdf: &'a [u8],
    anchors: &'a TrustAnchors,
    at: OffsetDateTime,
    dss: Option<&'a Dss>,
    dss_certs: Vec<X509>,
    timestamps: &'a [(usize, PdfTimestampReport)],
}

/// Reads `pdf` and checks its signatures at verification time `at` against `anchors`.
///
/// A PDF that cannot be parsed is an error; a broken or untrusted signature is a verdict.
/// Revocation is checked offline, with the data in the PDF's DSS only.
pub fn verify_pdf(
    pdf: &[u8],
    anchors: &TrustAnchors,
    at: OffsetDateTime,
) -> Result<PdfVerdict, PadesError> {
    let _span = tracing::info_span!("pades.verify", bytes = pdf.len()).entered();
    let doc = lopdf::Document::load_mem(pdf).map_err(|e| PadesError::NotAPdf {
        reason: e.to_string(),
    })?;
    let found = survey::signatures(&doc);
    let dss = survey::dss(&doc)?;
    let dss_certs = dss.as_ref().map(Dss::x509s).unwrap_or_default();
    let mut timestamps = Vec::new();
    for f in found.iter().filter(|f| f.is_doc_timestamp()) {
        let report =
            check_document_timestamp(pdf, f, timestamps.len(), dss.as_ref(), &dss_certs, anchors)?;
        timestamps.push((f.end(), report));
    }
    let ctx = Context {
        pdf,
        anchors,
        at,
        dss: dss.as_ref(),
        dss_certs,
        timestamps: &timestamps,
    };
    let mut signatures = Vec::new();
    for f in found.iter().filter(|f| !f.is_doc_timestamp()) {
        let report = check_one(&ctx, f, signatures.len())?;
        signatures.push(report);
    }
    Ok(PdfVerdict {
        signatures,
        document_timestamps: timestamps.into_iter().map(|(_, r)| r).collect(),
        dss: dss.is_some(),
    })
}

fn check_document_timestamp(
    pdf: &[u8],
    f: &Found,
    index: usize,
    dss: Option<&Dss>,
    dss_certs: &[X509],
    anchors: &TrustAnchors,
) -> Result<PdfTimestampReport, PadesError> {
    let mut report = PdfTimestampReport {
        index,
        object: f.object,
        time: None,
        tsa: None,
        covers_dss: dss.is_some_and(|d| d.offset > 0 && d.offset < f.end()),
        integrity: check(Status::Error, "not checked"),
        trust: check(Status::Skipped, "not checked: the timestamp is broken"),
    };
    let Some(ranges) = byte_range_ok(pdf, f.byte_range) else {
        report.integrity = check(
            Status::Error,
            "timestamp broken: the byte range does not leave out exactly the timestamp token",
        );
        return Ok(report);
    };
    let place = format!("document timestamp (object {})", f.object);
    let token = match TimestampToken::parse(f.der(), dss_certs, &place) {
        Ok(t) => t,
        Err(e) => {
            report.integrity = check(Status::Error, format!("timestamp broken: {e}"));
            return Ok(report);
        }
    };
    report.time = Some(token.gen_time);
    report.tsa = token
        .signer
        .as_ref()
        .and_then(|c| c.to_der().ok())
        .and_then(|d| CertificateInfo::from_der(&d).ok())
        .map(|i| i.subject);
    let covered = covered_bytes(pdf, ranges);
    let mut extra = dss_certs.to_vec();
    extra.extend(token.certificates.iter().cloned());
    if !token.covers(&covered).map_err(PadesError::Chain)? {
        report.integrity = check(
            Status::Error,
            "timestamp broken: the document was changed after it was timestamped (imprint differs)",
        );
        return Ok(report);
    }
    if !token.signature_valid(&extra) {
        report.integrity = check(
            Status::Error,
            "timestamp broken: the timestamp authority's signature does not verify",
        );
        return Ok(report);
    }
    report.integrity = check(
        Status::Ok,
        format!(
            "the document as of this revision was timestamped at {}",
            token.gen_time.date()
        ),
    );
    report.trust = match &token.signer {
        Some(tsa) => {
            verify::trust_check(tsa, &extra, anchors, token.gen_time).map_err(PadesError::Chain)?
        }
        None => check(
            Status::Error,
            "the timestamp does not carry its TSA certificate",
        ),
    };
    Ok(report)
}

/// The bytes a byte range covers.
fn covered_bytes(pdf: &[u8], ranges: [usize; 4]) -> Vec<u8> {
    let mut signed = Vec::with_capacity(ranges[1] + ranges[3]);
    signed.extend_from_slice(&pdf[ranges[0]..ranges[0] + ranges[1]]);
    signed.extend_from_slice(&pdf[ranges[2]..ranges[2] + ranges[3]]);
    signed
}

fn check_one(ctx: &Context<'_>, f: &Found, index: usize) -> Result<PdfSignatureReport, PadesError> {
    let pdf = ctx.pdf;
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
        revocation: skipped("no revocation data in the PDF (B-LT adds a DSS); not checked online"),
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
    let parsed = match cms::parse(f.der()) {
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
    let signed = covered_bytes(pdf, ranges);
    report.integrity = integrity(
        &parsed,
        &signed,
        signer_der.as_deref(),
        signer_x509.as_ref(),
        kind,
    );
    let mut known: Vec<X509> = parsed
        .certificates
        .iter()
        .filter_map(|d| X509::from_der(d).ok())
        .collect();
    known.extend(ctx.dss_certs.iter().cloned());
    // 3. Timestamps: the signature timestamp, and the document timestamps that follow.
    let (timestamps, proven, stamped) = timestamp_check(ctx, &parsed, &known, f.end())?;
    report.timestamps = timestamps;
    // 4. Certificate, trust, qualification, revocation (offline, from the DSS).
    let (Some(info), Some(cert)) = (&report.signer, &signer_x509) else {
        return Ok(report);
    };
    let when = proven.or(f.m).unwrap_or(ctx.at);
    let (validity, seal_expired) = verify::validity_check(info, f.m, ctx.at, None);
    report.validity = validity;
    report.seal_expired = seal_expired;
    let others: Vec<X509> = known
        .iter()
        .filter(|c| c.to_der().ok() != signer_der)
        .cloned()
        .collect();
    report.trust =
        verify::trust_check(cert, &others, ctx.anchors, when).map_err(PadesError::Chain)?;
    report.qualification = verify::qualification_check(info);
    let dss_after = ctx.dss.filter(|d| d.offset > f.end());
    if let Some(dss) = dss_after {
        report.revocation =
            verify::revocation_evidence_check(cert, &known, &dss.ocsps, &dss.crls, when)
                .map_err(PadesError::Chain)?;
    }
    // 5. Level by the components present (their checks above say whether they hold).
    if stamped {
        report.level = BaselineLevel::BT;
        if let Some(dss) = dss_after {
            if report.revocation.status != Status::Skipped {
                report.level = BaselineLevel::BLT;
                if ctx.timestamps.iter().any(|(end, _)| *end > dss.offset) {
                    report.level = BaselineLevel::BLTA;
                }
            }
        }
    }
    Ok(report)
}

/// Checks the signature timestamp (imprint over the signature value, TSA signature and trust)
/// and summarises the document timestamps after the seal. Returns the check, the proven
/// signing time (the earliest intact timestamp) and whether any timestamp is present.
fn timestamp_check(
    ctx: &Context<'_>,
    parsed: &ParsedCms,
    known: &[X509],
    seal_end: usize,
) -> Result<(Check, Option<OffsetDateTime>, bool), PadesError> {
    let mut problems = Vec::new();
    let mut untrusted = Vec::new();
    let mut checked = Vec::new();
    let mut proven: Option<OffsetDateTime> = None;
    let mut present = false;
    for attr in parsed
        .unsigned_attrs
        .iter()
        .filter(|a| a.oid == cms::ID_SIGNATURE_TIME_STAMP)
    {
        for value in attr.values.iter() {
            present = true;
            let Ok(der) = der::Encode::to_der(value) else {
                problems.push("the signature timestamp cannot be re-encoded".to_owned());
                continue;
            };
            let token = match TimestampToken::parse(&der, known, "the signature timestamp") {
                Ok(t) => t,
                Err(e) => {
                    problems.push(e.to_string());
                    continue;
                }
            };
            if !token.covers(&parsed.signature).map_err(PadesError::Chain)? {
                problems.push(
                    "the signature timestamp does not cover this seal (imprint differs)".to_owned(),
                );
                continue;
            }
            let mut extra = known.to_vec();
            extra.extend(token.certificates.iter().cloned());
            if !token.signature_valid(&extra) {
                problems.push("the signature timestamp's signature does not verify".to_owned());
                continue;
            }
            proven = Some(proven.map_or(token.gen_time, |p| p.min(token.gen_time)));
            checked.push(format!("signature {}", token.gen_time.date()));
            match &token.signer {
                Some(tsa) => {
                    let trust = verify::trust_check(tsa, &extra, ctx.anchors, token.gen_time)
                        .map_err(PadesError::Chain)?;
                    if trust.status != Status::Ok {
                        untrusted.push(trust.message);
                    }
                }
                None => untrusted
                    .push("the signature timestamp does not carry its TSA certificate".to_owned()),
            }
        }
    }
    for (_, ts) in ctx.timestamps.iter().filter(|(end, _)| *end > seal_end) {
        present = true;
        if ts.integrity.status != Status::Ok {
            problems.push(format!(
                "document timestamp #{}: {}",
                ts.index + 1,
                ts.integrity.message
            ));
            continue;
        }
        if let Some(t) = ts.time {
            proven = Some(proven.map_or(t, |p| p.min(t)));
            checked.push(format!("document {}", t.date()));
        }
        if ts.trust.status != Status::Ok {
            untrusted.push(ts.trust.message.clone());
        }
    }
    if !present {
        return Ok((
            check(
                Status::Skipped,
                "no timestamp: the signing time is only claimed (B-B)",
            ),
            None,
            false,
        ));
    }
    let result = if let Some(first) = problems.first() {
        check(Status::Error, format!("timestamp broken: {first}"))
    } else if !untrusted.is_empty() {
        untrusted.dedup();
        check(
            Status::Warning,
            format!(
                "timestamps intact ({}), but the timestamp authority is not trusted: {}",
                checked.join(", "),
                untrusted.join("; ")
            ),
        )
    } else {
        check(
            Status::Ok,
            format!("timestamps intact and trusted ({})", checked.join(", ")),
        )
    };
    Ok((result, proven, present))
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
