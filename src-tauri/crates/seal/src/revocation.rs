//! Revocation evidence: the OCSP client ([`ocsp`]), CRL download ([`fetch_crl`]) and the
//! readers that decide, offline, what a stored OCSP response or CRL says about a certificate
//! ([`ocsp_status`], [`crl_status`]).
//!
//! OCSP requests are written by hand (the `openssl` crate cannot add a nonce) and carry a
//! 16-byte nonce that the answer must echo; answers are read and their signatures checked with
//! `openssl::ocsp`. CRLs are read and checked with `openssl::x509::X509Crl`.

use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::ocsp::{OcspCertId, OcspCertStatus, OcspFlag, OcspResponse, OcspResponseStatus};
use openssl::stack::Stack;
use openssl::x509::store::X509StoreBuilder;
use openssl::x509::verify::{X509VerifyFlags, X509VerifyParam};
use openssl::x509::{CrlStatus, X509Crl, X509};
use time::OffsetDateTime;

use crate::der::{self, oid, Reader};
use crate::error::SealError;
use crate::net::Fetch;

/// What a piece of revocation evidence says about a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevocationStatus {
    /// Not revoked; the evidence was produced at `as_of`.
    Good {
        /// When the responder or CA vouched for it.
        as_of: OffsetDateTime,
    },
    /// Revoked at `at` (or at an unknown time).
    Revoked {
        /// The revocation time, when stated.
        at: Option<OffsetDateTime>,
    },
    /// The responder does not know the certificate.
    Unknown,
}

/// OCSP responder addresses from the certificate's AIA extension.
pub fn ocsp_urls(cert: &X509) -> Vec<String> {
    cert.ocsp_responders()
        .map(|s| s.iter().map(|u| u.to_string()).collect())
        .unwrap_or_default()
}

/// CRL addresses from the certificate's CRL distribution points.
pub fn crl_urls(cert: &X509) -> Vec<String> {
    let mut out = Vec::new();
    for dp in cert.crl_distribution_points().iter().flatten() {
        for name in dp
            .distpoint()
            .and_then(|d| d.fullname())
            .into_iter()
            .flatten()
        {
            if let Some(uri) = name.uri() {
                out.push(uri.to_owned());
            }
        }
    }
    out
}

/// CA-issuer addresses from the certificate's AIA extension.
pub fn ca_issuer_urls(cert: &X509) -> Vec<String> {
    let mut out = Vec::new();
    for ad in cert.authority_info().iter().flatten() {
        if ad.method().nid() == Nid::AD_CA_ISSUERS {
            if let Some(uri) = ad.location().uri() {
                out.push(uri.to_owned());
            }
        }
    }
    out
}

/// Asks the responder at `url` about `cert` (issued by `issuer`) and returns the DER
/// `OCSPResponse` when it is signed for `issuer`, echoes our nonce and says "good".
/// A "revoked" answer is [`SealError::Revoked`]; an unusable one, [`SealError::MalformedRevocation`].
pub fn ocsp(
    fetch: &dyn Fetch,
    url: &str,
    cert: &X509,
    issuer: &X509,
    now: OffsetDateTime,
) -> Result<Vec<u8>, SealError> {
    let _span = tracing::info_span!("ocsp", url).entered();
    let mut nonce = [0u8; 16];
    openssl::rand::rand_bytes(&mut nonce).map_err(SealError::crypto("making a nonce"))?;
    let request = request_der(cert, issuer, &nonce)?;
    let answer = fetch.post(url, "application/ocsp-request", &request)?;
    let bad = |reason: &str| SealError::MalformedRevocation {
        place: url.to_owned(),
        reason: reason.to_owned(),
    };
    let facts = response_facts(&answer).map_err(bad)?;
    if facts.nonce.as_deref() != Some(&nonce[..]) {
        return Err(bad("the nonce does not echo the request"));
    }
    match ocsp_status(&answer, cert, issuer, now, url)? {
        Some(RevocationStatus::Good { .. }) => Ok(answer),
        Some(RevocationStatus::Revoked { .. }) => Err(SealError::Revoked {
            subject: subject_of(cert),
            place: url.to_owned(),
        }),
        Some(RevocationStatus::Unknown) => Err(bad("the responder does not know the certificate")),
        None => Err(bad(
            "the answer is not signed for this certificate's issuer",
        )),
    }
}

/// Downloads the CRL at `url` and returns its DER when `issuer` signed it.
pub fn fetch_crl(fetch: &dyn Fetch, url: &str, issuer: &X509) -> Result<Vec<u8>, SealError> {
    let _span = tracing::info_span!("crl", url).entered();
    let body = fetch.get(url)?;
    let crl = X509Crl::from_der(&body)
        .or_else(|_| X509Crl::from_pem(&body))
        .map_err(|_| SealError::MalformedRevocation {
            place: url.to_owned(),
            reason: "not a CRL".into(),
        })?;
    if !crl_signed_by(&crl, issuer) {
        return Err(SealError::MalformedRevocation {
            place: url.to_owned(),
            reason: "the CRL is not signed by the certificate's issuer".into(),
        });
    }
    crl.to_der().map_err(SealError::crypto("encoding a CRL"))
}

/// What a stored OCSP response says about `cert`: `None` when it is not a valid answer of
/// `issuer` (or its delegated responder) about `cert`; an unreadable response is an error.
/// `at` is the time at which the responder certificate must have been valid.
pub fn ocsp_status(
    response: &[u8],
    cert: &X509,
    issuer: &X509,
    at: OffsetDateTime,
    place: &str,
) -> Result<Option<RevocationStatus>, SealError> {
    let bad = |reason: &str| SealError::MalformedRevocation {
        place: place.to_owned(),
        reason: reason.to_owned(),
    };
    let facts = response_facts(response).map_err(bad)?;
    let parsed = OcspResponse::from_der(response).map_err(|_| bad("not an OCSP response"))?;
    if parsed.status() != OcspResponseStatus::SUCCESSFUL {
        return Err(bad("the responder did not answer successfully"));
    }
    let basic = parsed
        .basic()
        .map_err(|_| bad("not a basic OCSP response"))?;
    let store = {
        let mut b = X509StoreBuilder::new().map_err(SealError::crypto("building a store"))?;
        b.add_cert(issuer.clone())
            .map_err(SealError::crypto("adding the issuer"))?;
        let mut param = X509VerifyParam::new().map_err(SealError::crypto("verify parameters"))?;
        param
            .set_flags(X509VerifyFlags::PARTIAL_CHAIN)
            .map_err(SealError::crypto("verify flags"))?;
        param.set_time(at.unix_timestamp() as _);
        b.set_param(&param)
            .map_err(SealError::crypto("verify parameters"))?;
        b.build()
    };
    let certs = Stack::new().map_err(SealError::crypto("building a stack"))?;
    if basic.verify(&certs, &store, OcspFlag::empty()).is_err() {
        return Ok(None);
    }
    let id = OcspCertId::from_cert(MessageDigest::sha1(), cert, issuer)
        .map_err(SealError::crypto("computing an OCSP certificate id"))?;
    let Some(status) = basic.find_status(&id) else {
        return Ok(None);
    };
    Ok(Some(match status.status {
        OcspCertStatus::GOOD => RevocationStatus::Good {
            as_of: facts.produced_at,
        },
        OcspCertStatus::REVOKED => RevocationStatus::Revoked {
            at: status
                .revocation_time
                .and_then(|t| openssl_time(&t.to_string())),
        },
        _ => RevocationStatus::Unknown,
    }))
}

/// What a stored CRL says about `cert`: `None` when it is not a CRL of `issuer`.
pub fn crl_status(
    crl_der: &[u8],
    cert: &X509,
    issuer: &X509,
    place: &str,
) -> Result<Option<RevocationStatus>, SealError> {
    let crl = X509Crl::from_der(crl_der).map_err(|_| SealError::MalformedRevocation {
        place: place.to_owned(),
        reason: "not a CRL".into(),
    })?;
    let same_issuer = match (crl.issuer_name().to_der(), cert.issuer_name().to_der()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if !same_issuer || !crl_signed_by(&crl, issuer) {
        return Ok(None);
    }
    let as_of = openssl_time(&crl.last_update().to_string()).ok_or_else(|| {
        SealError::MalformedRevocation {
            place: place.to_owned(),
            reason: "unreadable thisUpdate".into(),
        }
    })?;
    Ok(Some(match crl.get_by_cert(cert) {
        CrlStatus::NotRevoked | CrlStatus::RemoveFromCrl(_) => RevocationStatus::Good { as_of },
        CrlStatus::Revoked(entry) => RevocationStatus::Revoked {
            at: openssl_time(&entry.revocation_date().to_string()),
        },
    }))
}

/// Certificates embedded in an OCSP response (the responder's), for `xVals`.
pub fn ocsp_certificates(response: &[u8]) -> Vec<Vec<u8>> {
    response_facts(response)
        .map(|f| f.certificates)
        .unwrap_or_default()
}

fn crl_signed_by(crl: &X509Crl, issuer: &X509) -> bool {
    issuer
        .public_key()
        .ok()
        .and_then(|key| crl.verify(&key).ok())
        .unwrap_or(false)
}

/// `OCSPRequest` with one `CertID` (SHA-1, as every responder supports) and a nonce extension.
fn request_der(cert: &X509, issuer: &X509, nonce: &[u8]) -> Result<Vec<u8>, SealError> {
    let name = issuer
        .subject_name()
        .to_der()
        .map_err(SealError::crypto("encoding the issuer name"))?;
    let spki = issuer
        .public_key()
        .and_then(|k| k.public_key_to_der())
        .map_err(SealError::crypto("reading the issuer key"))?;
    let key_bits = (|| {
        let mut r = der::sequence(&spki, "expected a SubjectPublicKeyInfo")?;
        r.expect(0x30, "expected the key algorithm")?;
        let bits = r.expect(0x03, "expected the key bits")?.content;
        bits.get(1..).ok_or("empty key bits")
    })()
    .map_err(|reason| SealError::MalformedRevocation {
        place: "issuer certificate".into(),
        reason: reason.into(),
    })?;
    let serial = cert
        .serial_number()
        .to_bn()
        .map_err(SealError::crypto("reading the serial number"))?
        .to_vec();
    let sha1 = |d: &[u8]| openssl::sha::sha1(d).to_vec();
    let cert_id = der::tlv(
        0x30,
        &[
            der::tlv(
                0x30,
                &[der::tlv(0x06, oid::SHA1), vec![0x05, 0x00]].concat(),
            ),
            der::tlv(0x04, &sha1(&name)),
            der::tlv(0x04, &sha1(key_bits)),
            der::unsigned_integer(&serial),
        ]
        .concat(),
    );
    let request_list = der::tlv(0x30, &der::tlv(0x30, &cert_id));
    let nonce_ext = der::tlv(
        0x30,
        &[
            der::tlv(0x06, oid::OCSP_NONCE),
            der::tlv(0x04, &der::tlv(0x04, nonce)),
        ]
        .concat(),
    );
    let extensions = der::tlv(0xa2, &der::tlv(0x30, &nonce_ext));
    let tbs = der::tlv(0x30, &[request_list, extensions].concat());
    Ok(der::tlv(0x30, &tbs))
}

struct ResponseFacts {
    produced_at: OffsetDateTime,
    nonce: Option<Vec<u8>>,
    certificates: Vec<Vec<u8>>,
}

/// producedAt, the nonce and the certificates of an `OCSPResponse` (RFC 6960 §4.2.1).
fn response_facts(bytes: &[u8]) -> der::DerResult<ResponseFacts> {
    let mut resp = der::sequence(bytes, "expected an OCSPResponse")?;
    let status = resp.expect(0x0a, "expected the response status")?.content;
    if status != [0] {
        return Err("the responder did not answer successfully");
    }
    let explicit = resp.expect(0xa0, "a successful answer without response bytes")?;
    let mut rb = der::sequence(explicit.content, "expected the response bytes")?;
    if rb.expect(0x06, "expected the response type")?.content != oid::OCSP_BASIC {
        return Err("not a basic OCSP response");
    }
    let basic_der = rb.expect(0x04, "expected the basic response")?.content;
    let mut basic = der::sequence(basic_der, "expected the basic response")?;
    let mut tbs = Reader::new(basic.expect(0x30, "expected the response data")?.content);
    tbs.optional(0xa0)?;
    let responder = tbs.any()?;
    if responder.tag != 0xa1 && responder.tag != 0xa2 {
        return Err("expected the responder id");
    }
    let produced_at =
        crate::tsp::generalized_time(tbs.expect(0x18, "expected producedAt")?.content)?;
    tbs.expect(0x30, "expected the responses")?;
    let mut nonce = None;
    if let Some(ext) = tbs.optional(0xa1)? {
        let mut list = der::sequence(ext.content, "expected the extensions")?;
        while !list.is_empty() {
            let mut e = Reader::new(list.expect(0x30, "expected an extension")?.content);
            let id = e.expect(0x06, "expected an extension id")?.content;
            e.optional(0x01)?;
            let value = e.expect(0x04, "expected an extension value")?.content;
            if id == oid::OCSP_NONCE {
                // Responders wrap the nonce in an OCTET STRING (RFC 8954); accept the bare form too.
                let inner = Reader::new(value).expect(0x04, "");
                nonce = Some(match inner {
                    Ok(t) if t.raw.len() == value.len() => t.content.to_vec(),
                    _ => value.to_vec(),
                });
            }
        }
    }
    basic.expect(0x30, "expected the signature algorithm")?;
    basic.expect(0x03, "expected the signature")?;
    let mut certificates = Vec::new();
    if let Some(certs) = basic.optional(0xa0)? {
        let mut list = der::sequence(certs.content, "expected the certificates")?;
        while !list.is_empty() {
            certificates.push(list.expect(0x30, "expected a certificate")?.raw.to_vec());
        }
    }
    Ok(ResponseFacts {
        produced_at,
        nonce,
        certificates,
    })
}

/// Parses OpenSSL's display form of a time (`Nov 23 05:49:27 2026 GMT`).
fn openssl_time(text: &str) -> Option<OffsetDateTime> {
    crate::tsp::generalized_time(to_generalized(text)?.as_bytes()).ok()
}

fn to_generalized(text: &str) -> Option<String> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut parts = text.split_whitespace();
    let month_name = parts.next()?;
    let month = MONTHS.iter().position(|m| *m == month_name)? + 1;
    let day: u32 = parts.next()?.parse().ok()?;
    let hms = parts.next()?;
    let hms: String = hms
        .split('.')
        .next()?
        .chars()
        .filter(|c| *c != ':')
        .collect();
    let year: u32 = parts.next()?.parse().ok()?;
    if hms.len() != 6 {
        return None;
    }
    Some(format!("{year:04}{month:02}{day:02}{hms}Z"))
}

fn subject_of(cert: &X509) -> String {
    cert.subject_name()
        .entries_by_nid(Nid::COMMONNAME)
        .next()
        .and_then(|e| e.data().to_string().ok())
        .unwrap_or_else(|| "the certificate".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openssl_display_times_are_read() {
        let t = openssl_time("Nov 23 05:49:27 2026 GMT").expect("a time");
        assert_eq!(t.unix_timestamp(), 1_795_412_967, "2026-11-23T05:49:27Z");
        assert!(openssl_time("garbage").is_none(), "garbage is no time");
    }

    #[test]
    fn garbage_responses_are_errors() {
        for bytes in [
            &b""[..],
            b"\x30\x03\x0a\x01\x00",
            b"\x30\x82\xff\xffnot der",
        ] {
            assert!(response_facts(bytes).is_err(), "{bytes:02x?} refused");
        }
    }
}
