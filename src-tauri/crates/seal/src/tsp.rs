//! RFC 3161 timestamps: the client ([`timestamp`]) and the token reader ([`TimestampToken`]).
//!
//! The request, the response envelope and `TSTInfo` are small DER structures written and read by
//! hand ([`crate::der`]); the token's CMS signature is checked by OpenSSL (`CMS_verify`). Why not
//! RustCrypto `x509-tsp`/`cms`: OpenSSL already verifies the CMS signature and the chains here,
//! and a second ASN.1 and X.509 stack for three small structures would double what can go wrong.
//! The trust in the TSA (chain to an anchor) is decided by the caller ([`crate::verify`]).

use openssl::cms::{CMSOptions, CmsContentInfo};
use openssl::hash::hash;
use openssl::stack::Stack;
use openssl::x509::X509;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

use crate::der::{self, oid, Reader};
use crate::error::SealError;
use crate::net::Fetch;
use crate::signer::HashAlgorithm;

/// What a timestamp token says and carries.
#[derive(Debug, Clone)]
pub struct TimestampToken {
    /// The token (CMS ContentInfo, DER) as found.
    pub der: Vec<u8>,
    /// The time the TSA vouches for.
    pub gen_time: OffsetDateTime,
    /// The hash algorithm of the message imprint.
    pub imprint_algorithm: HashAlgorithm,
    /// The message imprint.
    pub imprint: Vec<u8>,
    /// The nonce, if the request had one.
    pub nonce: Option<Vec<u8>>,
    /// The TSA's policy OID (dotted).
    pub policy: String,
    /// Certificates embedded in the token.
    pub certificates: Vec<X509>,
    /// The signer certificate, when found among the embedded or extra certificates.
    pub signer: Option<X509>,
}

impl TimestampToken {
    /// Reads a token. `extra` certificates (e.g. from `xVals`) are searched for the signer when
    /// the token does not embed it. `place` names the token in errors.
    pub fn parse(der_bytes: &[u8], extra: &[X509], place: &str) -> Result<Self, SealError> {
        let bad = |reason: &str| SealError::MalformedTimestamp {
            place: place.to_owned(),
            reason: reason.to_owned(),
        };
        let parts = signed_data_parts(der_bytes).map_err(bad)?;
        if parts.content_type != oid::TST_INFO {
            return Err(bad("the token does not hold a TSTInfo"));
        }
        let info = tst_info(parts.content).map_err(bad)?;
        let mut certificates = Vec::new();
        for raw in &parts.certificates {
            certificates.push(
                X509::from_der(raw).map_err(|_| bad("an embedded certificate is unreadable"))?,
            );
        }
        let signer = certificates
            .iter()
            .chain(extra)
            .find(|c| parts.signer.matches(c))
            .cloned();
        Ok(Self {
            der: der_bytes.to_vec(),
            gen_time: info.gen_time,
            imprint_algorithm: info.algorithm,
            imprint: info.imprint,
            nonce: info.nonce,
            policy: info.policy,
            certificates,
            signer,
        })
    }

    /// Whether `data` is what the token's imprint covers.
    pub fn covers(&self, data: &[u8]) -> Result<bool, SealError> {
        let digest = hash(self.imprint_algorithm.message_digest(), data)
            .map_err(SealError::crypto("hashing the timestamped data"))?;
        Ok(*digest == *self.imprint)
    }

    /// Whether the CMS signature of the token is valid for its signer certificate (the chain is
    /// not checked here). `false` also when the signer certificate is not available.
    pub fn signature_valid(&self, extra: &[X509]) -> bool {
        let Some(signer) = &self.signer else {
            return false;
        };
        let run = || -> Result<(), openssl::error::ErrorStack> {
            let mut cms = CmsContentInfo::from_der(&self.der)?;
            let mut certs = Stack::new()?;
            certs.push(signer.clone())?;
            for c in extra {
                certs.push(c.clone())?;
            }
            cms.verify(
                Some(&certs),
                None,
                None,
                None,
                CMSOptions::NO_SIGNER_CERT_VERIFY | CMSOptions::BINARY,
            )
        };
        run().is_ok()
    }
}

/// Asks the TSA at `url` for a timestamp over SHA-256(`data`) and returns the token (DER).
///
/// The answer must be granted, its imprint must match and its nonce must echo ours;
/// anything else is an error, never a panic.
pub fn timestamp(fetch: &dyn Fetch, url: &str, data: &[u8]) -> Result<Vec<u8>, SealError> {
    let _span = tracing::info_span!("tsp_timestamp", url).entered();
    let digest = openssl::sha::sha256(data);
    let mut nonce = [0u8; 16];
    openssl::rand::rand_bytes(&mut nonce).map_err(SealError::crypto("making a nonce"))?;
    nonce[0] &= 0x7f;
    let request = request_der(HashAlgorithm::Sha256, &digest, &nonce);
    let answer = fetch.post(url, "application/timestamp-query", &request)?;
    let token = response_token(&answer, url)?;
    let parsed = TimestampToken::parse(&token, &[], url)?;
    let bad = |reason: &str| SealError::MalformedTimestamp {
        place: url.to_owned(),
        reason: reason.to_owned(),
    };
    if parsed.imprint_algorithm != HashAlgorithm::Sha256 || parsed.imprint != digest {
        return Err(bad("the token covers other data than requested"));
    }
    let ours = der::unsigned_integer(&nonce);
    let theirs = parsed.nonce.as_deref().map(der::unsigned_integer);
    if theirs.as_deref() != Some(&ours[..]) {
        return Err(bad("the nonce does not echo the request"));
    }
    if !parsed.signature_valid(&[]) {
        return Err(bad("the token signature does not verify"));
    }
    tracing::info!(gen_time = %parsed.gen_time, "timestamp received");
    Ok(token)
}

/// `TimeStampReq` DER: version 1, messageImprint, nonce, certReq TRUE.
pub fn request_der(algorithm: HashAlgorithm, digest: &[u8], nonce: &[u8]) -> Vec<u8> {
    let alg_id = der::tlv(
        0x30,
        &[der::tlv(0x06, hash_oid(algorithm)), vec![0x05, 0x00]].concat(),
    );
    let imprint = der::tlv(0x30, &[alg_id, der::tlv(0x04, digest)].concat());
    let body = [
        vec![0x02, 0x01, 0x01],
        imprint,
        der::unsigned_integer(nonce),
        vec![0x01, 0x01, 0xff],
    ]
    .concat();
    der::tlv(0x30, &body)
}

/// The token of a `TimeStampResp`, or why there is none.
fn response_token(answer: &[u8], url: &str) -> Result<Vec<u8>, SealError> {
    let bad = |reason: &str| SealError::MalformedTimestamp {
        place: url.to_owned(),
        reason: reason.to_owned(),
    };
    let mut resp = der::sequence(answer, "expected a TimeStampResp").map_err(bad)?;
    let mut status_info = Reader::new(
        resp.expect(0x30, "expected a PKIStatusInfo")
            .map_err(bad)?
            .content,
    );
    let status = status_info
        .expect(0x02, "expected a PKIStatus")
        .map_err(bad)?
        .content;
    let status = match status {
        [s] => u32::from(*s),
        _ => return Err(bad("the PKIStatus is not a small integer")),
    };
    if status > 1 {
        let mut text = String::new();
        if let Ok(Some(strings)) = status_info.optional(0x30) {
            let mut r = Reader::new(strings.content);
            while let Ok(s) = r.any() {
                text.push_str(&String::from_utf8_lossy(s.content));
            }
        }
        return Err(SealError::TimestampRefused {
            url: url.to_owned(),
            status,
            text,
        });
    }
    let token = resp
        .expect(0x30, "a granted answer without a token")
        .map_err(bad)?;
    Ok(token.raw.to_vec())
}

/// How the SignerInfo names its certificate.
enum SignerId {
    IssuerSerial { issuer: Vec<u8>, serial: Vec<u8> },
    KeyId(Vec<u8>),
}

impl SignerId {
    fn matches(&self, cert: &X509) -> bool {
        match self {
            Self::IssuerSerial { issuer, serial } => {
                let same_issuer = cert.issuer_name().to_der().is_ok_and(|n| n == *issuer);
                let same_serial = cert
                    .serial_number()
                    .to_bn()
                    .is_ok_and(|bn| bn.to_vec() == strip_zeros(serial));
                same_issuer && same_serial
            }
            Self::KeyId(id) => cert.subject_key_id().is_some_and(|k| k.as_slice() == id),
        }
    }
}

fn strip_zeros(bytes: &[u8]) -> Vec<u8> {
    bytes.iter().copied().skip_while(|b| *b == 0).collect()
}

struct SignedDataParts<'a> {
    content_type: &'a [u8],
    content: &'a [u8],
    certificates: Vec<&'a [u8]>,
    signer: SignerId,
}

/// ContentInfo { signedData, [0] SignedData { version, digestAlgorithms, encapContentInfo,
/// [0] certificates, [1] crls, signerInfos } } (RFC 5652).
fn signed_data_parts(bytes: &[u8]) -> der::DerResult<SignedDataParts<'_>> {
    const SIGNED_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
    let mut ci = der::sequence(bytes, "expected a CMS ContentInfo")?;
    if ci.expect(0x06, "expected a content type")?.content != SIGNED_DATA {
        return Err("the token is not a CMS SignedData");
    }
    let explicit = ci.expect(0xa0, "expected the SignedData")?;
    let mut sd = der::sequence(explicit.content, "expected the SignedData")?;
    sd.expect(0x02, "expected the SignedData version")?;
    sd.expect(0x31, "expected the digest algorithms")?;
    let mut eci = Reader::new(
        sd.expect(0x30, "expected the encapsulated content")?
            .content,
    );
    let content_type = eci.expect(0x06, "expected the content type")?.content;
    let wrapped = eci.expect(0xa0, "the token has no content")?;
    let content = Reader::new(wrapped.content)
        .expect(0x04, "expected the content octets")?
        .content;
    let mut certificates = Vec::new();
    if let Some(certs) = sd.optional(0xa0)? {
        let mut r = Reader::new(certs.content);
        while !r.is_empty() {
            let c = r.any()?;
            if c.tag == 0x30 {
                certificates.push(c.raw);
            }
        }
    }
    sd.optional(0xa1)?;
    let mut infos = Reader::new(sd.expect(0x31, "expected the signer infos")?.content);
    let mut info = Reader::new(infos.expect(0x30, "expected a signer info")?.content);
    info.expect(0x02, "expected the signer info version")?;
    let sid = info.any()?;
    let signer = match sid.tag {
        0x30 => {
            let mut r = Reader::new(sid.content);
            let issuer = r.expect(0x30, "expected the signer's issuer")?.raw.to_vec();
            let serial = r
                .expect(0x02, "expected the signer's serial")?
                .content
                .to_vec();
            SignerId::IssuerSerial { issuer, serial }
        }
        0x80 => SignerId::KeyId(sid.content.to_vec()),
        _ => return Err("unknown signer identifier"),
    };
    Ok(SignedDataParts {
        content_type,
        content,
        certificates,
        signer,
    })
}

struct TstInfo {
    policy: String,
    algorithm: HashAlgorithm,
    imprint: Vec<u8>,
    gen_time: OffsetDateTime,
    nonce: Option<Vec<u8>>,
}

fn tst_info(bytes: &[u8]) -> der::DerResult<TstInfo> {
    let mut r = der::sequence(bytes, "expected a TSTInfo")?;
    r.expect(0x02, "expected the TSTInfo version")?;
    let policy = dotted(r.expect(0x06, "expected the TSA policy")?.content);
    let mut mi = Reader::new(r.expect(0x30, "expected the message imprint")?.content);
    let mut alg = Reader::new(mi.expect(0x30, "expected the imprint algorithm")?.content);
    let algorithm = match alg.expect(0x06, "expected the imprint algorithm")?.content {
        o if o == oid::SHA256 => HashAlgorithm::Sha256,
        o if o == oid::SHA384 => HashAlgorithm::Sha384,
        o if o == oid::SHA512 => HashAlgorithm::Sha512,
        _ => return Err("the imprint uses an unsupported hash algorithm"),
    };
    let imprint = mi.expect(0x04, "expected the imprint")?.content.to_vec();
    r.expect(0x02, "expected the serial number")?;
    let gen_time = generalized_time(r.expect(0x18, "expected genTime")?.content)?;
    r.optional(0x30)?; // accuracy
    r.optional(0x01)?; // ordering
    let nonce = r.optional(0x02)?.map(|n| n.content.to_vec());
    Ok(TstInfo {
        policy,
        algorithm,
        imprint,
        gen_time,
        nonce,
    })
}

/// `YYYYMMDDHHMMSS[.f*]Z`.
pub(crate) fn generalized_time(text: &[u8]) -> der::DerResult<OffsetDateTime> {
    const BAD: &str = "genTime is not a UTC GeneralizedTime";
    let text = std::str::from_utf8(text).map_err(|_| BAD)?;
    let text = text.strip_suffix('Z').ok_or(BAD)?;
    let whole = text.split('.').next().ok_or(BAD)?;
    if whole.len() != 14 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return Err(BAD);
    }
    let n = |r: std::ops::Range<usize>| whole[r].parse::<u16>().map_err(|_| BAD);
    let month = Month::try_from(n(4..6)? as u8).map_err(|_| BAD)?;
    let date =
        Date::from_calendar_date(i32::from(n(0..4)?), month, n(6..8)? as u8).map_err(|_| BAD)?;
    let time =
        Time::from_hms(n(8..10)? as u8, n(10..12)? as u8, n(12..14)? as u8).map_err(|_| BAD)?;
    Ok(PrimitiveDateTime::new(date, time).assume_utc())
}

fn dotted(oid: &[u8]) -> String {
    let mut parts = Vec::new();
    let mut value: u64 = 0;
    for (i, b) in oid.iter().enumerate() {
        value = (value << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            if parts.is_empty() && i < 8 {
                let first = (value / 40).min(2);
                parts.push(first);
                parts.push(value - first * 40);
            } else {
                parts.push(value);
            }
            value = 0;
        }
    }
    parts
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

fn hash_oid(algorithm: HashAlgorithm) -> &'static [u8] {
    match algorithm {
        HashAlgorithm::Sha256 => oid::SHA256,
        HashAlgorithm::Sha384 => oid::SHA384,
        HashAlgorithm::Sha512 => oid::SHA512,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generalized_time_reads_fractions_and_refuses_local_times() {
        let t = generalized_time(b"20220819111046.123Z").expect("valid time");
        assert_eq!(t.unix_timestamp(), 1_660_907_446, "2022-08-19T11:10:46Z");
        assert!(
            generalized_time(b"20220819111046").is_err(),
            "no Z: refused"
        );
        assert!(
            generalized_time(b"2022081911104Z").is_err(),
            "short: refused"
        );
        assert!(
            generalized_time(b"20221319111046Z").is_err(),
            "month 13: refused"
        );
    }

    #[test]
    fn a_garbage_answer_is_an_error() {
        for answer in [
            &b""[..],
            b"\x30\x03\x02\x01",
            b"\x30\x05\x30\x03\x02\x01\x00",
        ] {
            assert!(
                response_token(answer, "test").is_err(),
                "{answer:02x?} is refused"
            );
        }
    }

    #[test]
    fn dotted_oids() {
        assert_eq!(dotted(oid::SHA256), "2.16.840.1.101.3.4.2.1", "sha256 OID");
    }
}
