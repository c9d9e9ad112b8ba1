//! CMS SignedData for PAdES (RFC 5652, ETSI EN 319 122-1 B-B as profiled by EN 319 142-1).
//!
//! Building: the signed attributes (content-type id-data, message-digest, ESS
//! signing-certificate-v2, and no signing-time: PAdES puts the time in `/M`) are DER-encoded as a
//! `SET OF` and that DER is the whole message handed to [`Signer::sign`]; the signature comes
//! back in JWS form and is wrapped (ECDSA `r || s` becomes a DER `Ecdsa-Sig-Value`). OpenSSL's
//! `CmsContentInfo` cannot take an external signature, so the structure is assembled from the
//! RustCrypto `cms` types and encoded with `der`.
//!
//! Reading: [`parse`] decodes the SignedData and keeps the signed attributes exactly as they
//! were encoded (their DER is what was signed; a decoder that sorts would change it).

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{ObjectIdentifier, OctetString, SetOfVec};
use der::{Any, Decode, Encode, Sequence};
use openssl::bn::BigNum;
use openssl::ecdsa::EcdsaSig;
use sealdesk_seal::{HashAlgorithm, SignatureAlgorithm, SignatureScheme, Signer};
use x509_cert::attr::Attribute;
use x509_cert::spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;

use crate::error::PadesError;

/// id-signedData.
pub(crate) const ID_SIGNED_DATA: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
/// id-data.
pub(crate) const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
/// id-contentType.
pub(crate) const ID_CONTENT_TYPE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
/// id-messageDigest.
pub(crate) const ID_MESSAGE_DIGEST: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
/// id-signingTime (forbidden in PAdES baseline signed attributes).
pub(crate) const ID_SIGNING_TIME: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");
/// id-aa-signingCertificateV2 (RFC 5035).
pub(crate) const ID_SIGNING_CERTIFICATE_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
/// id-aa-signingCertificate (RFC 2634, SHA-1).
pub(crate) const ID_SIGNING_CERTIFICATE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.12");
/// id-aa-signatureTimeStampToken (RFC 3161 appendix A).
pub(crate) const ID_SIGNATURE_TIME_STAMP: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");

const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const SHA384_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
const SHA512_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");
const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
const ECDSA_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.4");
const MGF1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.8");

/// ESS `SigningCertificateV2` (RFC 5035 §3).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct SigningCertificateV2 {
    pub certs: Vec<EssCertIdV2>,
    #[asn1(optional = "true")]
    pub policies: Option<Any>,
}

/// ESS `ESSCertIDv2`; an absent hash algorithm means SHA-256 (the DEFAULT).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct EssCertIdV2 {
    #[asn1(optional = "true")]
    pub hash_algorithm: Option<AlgorithmIdentifierOwned>,
    pub cert_hash: OctetString,
    #[asn1(optional = "true")]
    pub issuer_serial: Option<Any>,
}

fn der_error(doing: &'static str) -> impl FnOnce(der::Error) -> PadesError {
    move |source| PadesError::Der { doing, source }
}

fn digest_oid(hash: HashAlgorithm) -> ObjectIdentifier {
    match hash {
        HashAlgorithm::Sha256 => SHA256,
        HashAlgorithm::Sha384 => SHA384,
        HashAlgorithm::Sha512 => SHA512,
    }
}

/// The hash named by a digest algorithm OID, if supported.
pub(crate) fn hash_of_oid(oid: &ObjectIdentifier) -> Option<HashAlgorithm> {
    [
        HashAlgorithm::Sha256,
        HashAlgorithm::Sha384,
        HashAlgorithm::Sha512,
    ]
    .into_iter()
    .find(|h| digest_oid(*h) == *oid)
}

fn algorithm(oid: ObjectIdentifier, parameters: Option<Any>) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned { oid, parameters }
}

/// DER of RSASSA-PSS-params with `hash`, MGF1(`hash`) and salt length = hash length.
fn pss_parameters(hash: HashAlgorithm) -> Result<Any, PadesError> {
    let hash_alg = algorithm(digest_oid(hash), None)
        .to_der()
        .map_err(der_error("encoding the PSS hash"))?;
    let mgf = algorithm(
        MGF1,
        Some(Any::from_der(&hash_alg).map_err(der_error("encoding MGF1"))?),
    )
    .to_der()
    .map_err(der_error("encoding MGF1"))?;
    let salt = u32::try_from(hash.len())
        .unwrap_or(32)
        .to_der()
        .map_err(der_error("encoding the PSS salt length"))?;
    let mut body = Vec::new();
    for (tag, inner) in [(0xa0u8, hash_alg), (0xa1, mgf), (0xa2, salt)] {
        body.push(tag);
        push_length(&mut body, inner.len());
        body.extend_from_slice(&inner);
    }
    let mut seq = vec![0x30];
    push_length(&mut seq, body.len());
    seq.extend_from_slice(&body);
    Any::from_der(&seq).map_err(der_error("encoding the PSS parameters"))
}

fn push_length(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// The CMS signature algorithm identifier for a JWS algorithm.
fn signature_algorithm(alg: SignatureAlgorithm) -> Result<AlgorithmIdentifierOwned, PadesError> {
    let null = || Any::from_der(&[0x05, 0x00]).ok();
    Ok(match alg {
        SignatureAlgorithm::RS256 => algorithm(SHA256_WITH_RSA, null()),
        SignatureAlgorithm::RS384 => algorithm(SHA384_WITH_RSA, null()),
        SignatureAlgorithm::RS512 => algorithm(SHA512_WITH_RSA, null()),
        SignatureAlgorithm::PS256 | SignatureAlgorithm::PS384 | SignatureAlgorithm::PS512 => {
            algorithm(RSASSA_PSS, Some(pss_parameters(alg.hash())?))
        }
        SignatureAlgorithm::ES256 => algorithm(ECDSA_SHA256, None),
        SignatureAlgorithm::ES384 => algorithm(ECDSA_SHA384, None),
    })
}

fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute, PadesError> {
    Ok(Attribute {
        oid,
        values: SetOfVec::try_from(vec![value]).map_err(der_error("building an attribute"))?,
    })
}

fn any_of(value: &impl Encode, doing: &'static str) -> Result<Any, PadesError> {
    let der = value.to_der().map_err(der_error(doing))?;
    Any::from_der(&der).map_err(der_error(doing))
}

/// The CMS SignedData (DER ContentInfo) sealing the content whose digest is `content_digest`
/// (computed with the signer's hash over the PDF byte ranges).
///
/// `stamp` is given the signature value and may return an RFC 3161 token over it, which becomes
/// the unsigned attribute id-aa-signatureTimeStampToken (B-T). Returns the DER and whether the
/// token was added.
pub(crate) fn build_signed_data(
    signer: &dyn Signer,
    content_digest: &[u8],
    stamp: &mut dyn FnMut(&[u8]) -> Option<Vec<u8>>,
) -> Result<(Vec<u8>, bool), PadesError> {
    let alg = signer.algorithm();
    let hash = alg.hash();
    let certificate = Certificate::from_der(signer.certificate())
        .map_err(der_error("reading the signer certificate"))?;
    let mut chain = Vec::new();
    for der in signer.chain() {
        chain.push(Certificate::from_der(der).map_err(der_error("reading a chain certificate"))?);
    }

    // ESS signing-certificate-v2: SHA-256 of the certificate (hash algorithm left at its
    // DEFAULT) and the issuer/serial (GeneralNames with one directoryName).
    let tbs = &certificate.tbs_certificate;
    let issuer_der = tbs
        .issuer
        .to_der()
        .map_err(der_error("encoding the issuer"))?;
    let mut directory_name = vec![0xa4];
    push_length(&mut directory_name, issuer_der.len());
    directory_name.extend_from_slice(&issuer_der);
    let mut general_names = vec![0x30];
    push_length(&mut general_names, directory_name.len());
    general_names.extend_from_slice(&directory_name);
    let serial_der = tbs
        .serial_number
        .to_der()
        .map_err(der_error("encoding the serial number"))?;
    let mut issuer_serial = vec![0x30];
    push_length(&mut issuer_serial, general_names.len() + serial_der.len());
    issuer_serial.extend_from_slice(&general_names);
    issuer_serial.extend_from_slice(&serial_der);
    let signing_certificate = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            hash_algorithm: None,
            cert_hash: OctetString::new(openssl::sha::sha256(signer.certificate()).to_vec())
                .map_err(der_error("encoding the certificate hash"))?,
            issuer_serial: Some(
                Any::from_der(&issuer_serial).map_err(der_error("encoding IssuerSerial"))?,
            ),
        }],
        policies: None,
    };

    let signed_attrs: SetOfVec<Attribute> = SetOfVec::try_from(vec![
        attribute(ID_CONTENT_TYPE, any_of(&ID_DATA, "encoding content-type")?)?,
        attribute(
            ID_MESSAGE_DIGEST,
            any_of(
                &OctetString::new(content_digest.to_vec())
                    .map_err(der_error("encoding message-digest"))?,
                "encoding message-digest",
            )?,
        )?,
        attribute(
            ID_SIGNING_CERTIFICATE_V2,
            any_of(&signing_certificate, "encoding signing-certificate-v2")?,
        )?,
    ])
    .map_err(der_error("sorting the signed attributes"))?;
    // The whole message for the signer: the DER SET OF the signed attributes.
    let to_sign = signed_attrs
        .to_der()
        .map_err(der_error("encoding the signed attributes"))?;
    let raw = signer.sign(&to_sign)?;
    let signature = match alg.scheme() {
        SignatureScheme::Ecdsa => {
            let n = alg.ecdsa_field_len().unwrap_or(32);
            if raw.len() != 2 * n {
                return Err(PadesError::SignatureShape {
                    algorithm: alg.jws_name(),
                    len: raw.len(),
                });
            }
            let r = BigNum::from_slice(&raw[..n]).map_err(PadesError::crypto("reading r"))?;
            let s = BigNum::from_slice(&raw[n..]).map_err(PadesError::crypto("reading s"))?;
            EcdsaSig::from_private_components(r, s)
                .and_then(|sig| sig.to_der())
                .map_err(PadesError::crypto("encoding the ECDSA signature"))?
        }
        SignatureScheme::RsaPkcs1 | SignatureScheme::RsaPss => raw,
    };

    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: tbs.issuer.clone(),
            serial_number: tbs.serial_number.clone(),
        }),
        digest_alg: algorithm(digest_oid(hash), None),
        signed_attrs: Some(signed_attrs),
        signature_algorithm: signature_algorithm(alg)?,
        signature: OctetString::new(signature).map_err(der_error("encoding the signature"))?,
        unsigned_attrs: None,
    };
    let mut signer_info = signer_info;
    let mut stamped = false;
    if let Some(token) = stamp(signer_info.signature.as_bytes()) {
        let token = Any::from_der(&token).map_err(der_error("reading the timestamp token"))?;
        signer_info.unsigned_attrs = Some(
            SetOfVec::try_from(vec![attribute(ID_SIGNATURE_TIME_STAMP, token)?])
                .map_err(der_error("encoding the unsigned attributes"))?,
        );
        stamped = true;
    }
    let mut certificates = vec![CertificateChoices::Certificate(certificate)];
    certificates.extend(chain.into_iter().map(CertificateChoices::Certificate));
    let signed_data = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![algorithm(digest_oid(hash), None)])
            .map_err(der_error("encoding the digest algorithms"))?,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: ID_DATA,
            econtent: None,
        },
        certificates: Some(
            CertificateSet::try_from(certificates).map_err(der_error("encoding certificates"))?,
        ),
        crls: None,
        signer_infos: SignerInfos::try_from(vec![signer_info])
            .map_err(der_error("encoding the signer info"))?,
    };
    ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: any_of(&signed_data, "encoding the SignedData")?,
    }
    .to_der()
    .map_err(der_error("encoding the ContentInfo"))
    .map(|der| (der, stamped))
}

/// How the signature value is to be checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignatureKind {
    /// PKCS#1 v1.5 over the digest with this hash.
    RsaPkcs1(HashAlgorithm),
    /// PSS with this hash (MGF1 with the same hash, salt = hash length, as Sealdesk writes).
    RsaPss(HashAlgorithm),
    /// ECDSA (DER signature) with this hash.
    Ecdsa(HashAlgorithm),
}

impl SignatureKind {
    /// A short name for reports, e.g. `RSA PKCS#1 v1.5 with SHA-256`.
    pub(crate) fn name(self) -> String {
        match self {
            Self::RsaPkcs1(h) => format!("RSA PKCS#1 v1.5 with {}", h.name()),
            Self::RsaPss(h) => format!("RSA-PSS with {}", h.name()),
            Self::Ecdsa(h) => format!("ECDSA with {}", h.name()),
        }
    }
}

/// The parts of a PAdES CMS a verifier needs.
#[derive(Debug)]
pub(crate) struct ParsedCms {
    pub signer_infos: usize,
    pub encapsulated_content: bool,
    pub digest: Option<HashAlgorithm>,
    pub kind: Option<SignatureKind>,
    pub signature: Vec<u8>,
    /// DER `SET OF` signed attributes exactly as encoded (tag rewritten from `[0]` to SET).
    pub signed_attrs_der: Option<Vec<u8>>,
    pub signed_attrs: Vec<Attribute>,
    pub unsigned_attrs: Vec<Attribute>,
    /// DER of every certificate in the SignedData.
    pub certificates: Vec<Vec<u8>>,
    /// Index into `certificates` of the one matching the signer identifier.
    pub signer_certificate: Option<usize>,
}

impl ParsedCms {
    /// The single value of signed attribute `oid`, if present once.
    pub(crate) fn signed_attr(&self, oid: &ObjectIdentifier) -> Option<&Any> {
        let mut found = self.signed_attrs.iter().filter(|a| a.oid == *oid);
        let first = found.next()?;
        if found.next().is_some() || first.values.len() != 1 {
            return None;
        }
        first.values.get(0)
    }

    /// How many times signed attribute `oid` occurs.
    pub(crate) fn count_signed(&self, oid: &ObjectIdentifier) -> usize {
        self.signed_attrs.iter().filter(|a| a.oid == *oid).count()
    }
}

/// The length of the DER TLV at the start of `bytes` (the `/Contents` string is zero-padded).
pub(crate) fn der_length(bytes: &[u8]) -> Option<usize> {
    let (_, header, len) = tlv(bytes)?;
    header.checked_add(len)
}

/// (tag, header length, content length) of the TLV at the start of `bytes` (definite lengths only).
fn tlv(bytes: &[u8]) -> Option<(u8, usize, usize)> {
    let tag = *bytes.first()?;
    if tag & 0x1f == 0x1f {
        return None;
    }
    let first = *bytes.get(1)?;
    if first < 0x80 {
        return Some((tag, 2, usize::from(first)));
    }
    let n = usize::from(first & 0x7f);
    if n == 0 || n > 4 {
        return None;
    }
    let mut len = 0usize;
    for b in bytes.get(2..2 + n)? {
        len = (len << 8) | usize::from(*b);
    }
    let total = (2 + n).checked_add(len)?;
    (total <= bytes.len()).then_some((tag, 2 + n, len))
}

/// The raw signed attributes of the first SignerInfo, re-tagged as a SET, walking the DER.
fn raw_signed_attrs(content_info: &[u8]) -> Option<Vec<u8>> {
    // ContentInfo SEQUENCE { oid, [0] { SignedData SEQUENCE { ... } } }
    let inside = |b: &[u8]| -> Option<(u8, usize, usize)> { tlv(b) };
    let (_, h, _) = inside(content_info)?;
    let mut rest = content_info.get(h..)?;
    let (_, h, l) = inside(rest)?; // oid
    rest = rest.get(h + l..)?;
    let (_, h, _) = inside(rest)?; // [0]
    rest = rest.get(h..)?;
    let (_, h, _) = inside(rest)?; // SignedData
    rest = rest.get(h..)?;
    // version, digestAlgorithms, encapContentInfo, [0] certs?, [1] crls?, signerInfos
    loop {
        let (tag, h, l) = inside(rest)?;
        if tag == 0x31 && rest.get(h..)?.first() == Some(&0x30) && tag_is_signer_infos(rest) {
            rest = rest.get(h..)?;
            break;
        }
        rest = rest.get(h + l..)?;
    }
    let (_, h, _) = inside(rest)?; // SignerInfo
    rest = rest.get(h..)?;
    for _ in 0..3 {
        let (_, h, l) = inside(rest)?; // version, sid, digestAlgorithm
        rest = rest.get(h + l..)?;
    }
    let (tag, h, l) = inside(rest)?;
    if tag != 0xa0 {
        return None;
    }
    let mut out = rest.get(..h + l)?.to_vec();
    out[0] = 0x31;
    Some(out)
}

/// Whether the SET at the start of `bytes` is the last element (signerInfos is the last field).
fn tag_is_signer_infos(bytes: &[u8]) -> bool {
    tlv(bytes).is_some_and(|(_, h, l)| bytes.len() == h + l)
}

/// Reads a DER ContentInfo holding a SignedData.
pub(crate) fn parse(der: &[u8]) -> Result<ParsedCms, PadesError> {
    let content_info = ContentInfo::from_der(der).map_err(der_error("reading the CMS"))?;
    if content_info.content_type != ID_SIGNED_DATA {
        return Err(PadesError::NotSignedData {
            content_type: content_info.content_type.to_string(),
        });
    }
    let signed_data: SignedData = content_info
        .content
        .decode_as()
        .map_err(der_error("reading the SignedData"))?;
    let certificates: Vec<Vec<u8>> = signed_data
        .certificates
        .as_ref()
        .map(|set| {
            set.0
                .iter()
                .filter_map(|c| match c {
                    CertificateChoices::Certificate(c) => c.to_der().ok(),
                    CertificateChoices::Other(_) => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let infos = signed_data.signer_infos.0.as_slice();
    let mut parsed = ParsedCms {
        signer_infos: infos.len(),
        encapsulated_content: signed_data.encap_content_info.econtent.is_some(),
        digest: None,
        kind: None,
        signature: Vec::new(),
        signed_attrs_der: None,
        signed_attrs: Vec::new(),
        unsigned_attrs: Vec::new(),
        certificates,
        signer_certificate: None,
    };
    let Some(info) = infos.first() else {
        return Ok(parsed);
    };
    parsed.digest = hash_of_oid(&info.digest_alg.oid);
    parsed.kind = signature_kind(&info.signature_algorithm, parsed.digest);
    parsed.signature = info.signature.as_bytes().to_vec();
    parsed.signed_attrs = info
        .signed_attrs
        .as_ref()
        .map(|a| a.as_slice().to_vec())
        .unwrap_or_default();
    parsed.unsigned_attrs = info
        .unsigned_attrs
        .as_ref()
        .map(|a| a.as_slice().to_vec())
        .unwrap_or_default();
    if info.signed_attrs.is_some() && infos.len() == 1 {
        parsed.signed_attrs_der = raw_signed_attrs(der);
    }
    if let SignerIdentifier::IssuerAndSerialNumber(ias) = &info.sid {
        parsed.signer_certificate = parsed.certificates.iter().position(|c| {
            Certificate::from_der(c).is_ok_and(|c| {
                c.tbs_certificate.issuer == ias.issuer
                    && c.tbs_certificate.serial_number == ias.serial_number
            })
        });
    }
    Ok(parsed)
}

fn signature_kind(
    alg: &AlgorithmIdentifierOwned,
    digest: Option<HashAlgorithm>,
) -> Option<SignatureKind> {
    let oid = alg.oid;
    Some(match oid {
        o if o == SHA256_WITH_RSA => SignatureKind::RsaPkcs1(HashAlgorithm::Sha256),
        o if o == SHA384_WITH_RSA => SignatureKind::RsaPkcs1(HashAlgorithm::Sha384),
        o if o == SHA512_WITH_RSA => SignatureKind::RsaPkcs1(HashAlgorithm::Sha512),
        o if o == RSA_ENCRYPTION => SignatureKind::RsaPkcs1(digest?),
        o if o == RSASSA_PSS => SignatureKind::RsaPss(digest?),
        o if o == ECDSA_SHA256 => SignatureKind::Ecdsa(HashAlgorithm::Sha256),
        o if o == ECDSA_SHA384 => SignatureKind::Ecdsa(HashAlgorithm::Sha384),
        o if o == ECDSA_SHA512 => SignatureKind::Ecdsa(HashAlgorithm::Sha512),
        o if o == ID_EC_PUBLIC_KEY => SignatureKind::Ecdsa(digest?),
        _ => return None,
    })
}

/// Decodes the signing-certificate-v2 value: (hash algorithm, certificate hash) of the first
/// ESSCertIDv2.
pub(crate) fn signing_certificate_v2(
    value: &Any,
) -> Result<(Option<HashAlgorithm>, Vec<u8>), PadesError> {
    let v: SigningCertificateV2 = value
        .decode_as()
        .map_err(der_error("reading signing-certificate-v2"))?;
    let first = v.certs.first().ok_or(PadesError::Der {
        doing: "reading signing-certificate-v2",
        source: der::ErrorKind::Length {
            tag: der::Tag::Sequence,
        }
        .into(),
    })?;
    let hash = match &first.hash_algorithm {
        None => Some(HashAlgorithm::Sha256),
        Some(a) => hash_of_oid(&a.oid),
    };
    Ok((hash, first.cert_hash.as_bytes().to_vec()))
}

/// Decodes a message-digest value.
pub(crate) fn octets(value: &Any) -> Result<Vec<u8>, PadesError> {
    let o: OctetString = value
        .decode_as()
        .map_err(der_error("reading message-digest"))?;
    Ok(o.as_bytes().to_vec())
}

/// Decodes an OBJECT IDENTIFIER value (content-type).
pub(crate) fn oid(value: &Any) -> Result<ObjectIdentifier, PadesError> {
    value.decode_as().map_err(der_error("reading content-type"))
}
