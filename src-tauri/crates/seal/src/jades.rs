//! Sealing: JAdES baseline B-B, enveloping, JWS JSON general serialization, unencoded payload.
//!
//! The output is what the EDC viewer reads (`{"payload": "<credential>", "signatures": [...]}`,
//! see `shared/notes/edc-formats.md` §2). The protected header follows the official sealed
//! credentials, except that the signing time is `iat` (required by JAdES from 2025-07-15) and no
//! timestamps are added (B-T and above are a later issue).
//!
//! `crit` lists only `b64`: RFC 7797 requires it, JAdES allows but does not require `iat` there,
//! and generic JOSE verifiers (e.g. jwcrypto) reject critical names they do not know.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use openssl::sha::sha256;
use openssl::x509::X509;
use serde_json::{json, Map, Value};
use time::OffsetDateTime;

pub use crate::error::SealError;
use crate::signer::{SignatureAlgorithm, Signer};

/// The JWS `typ` of a JAdES JSON serialization.
pub const TYP: &str = "jose+json";
/// The JWS `cty` the EDC issuer writes for credentials.
pub const CTY: &str = "octet-stream";

/// Seals `payload` (the exact credential bytes, UTF-8) with `signer` and returns the JAdES
/// B-B document. `signing_time` becomes the `iat` header (whole seconds).
///
/// The payload is embedded as a JSON string and signed byte for byte; it is never parsed or
/// re-serialized here. To seal many payloads with one signer and time, use [`Sealer`].
pub fn seal(
    payload: &[u8],
    signer: &dyn Signer,
    signing_time: OffsetDateTime,
) -> Result<Vec<u8>, SealError> {
    Sealer::new(signer, signing_time)?.seal(payload)
}

/// A signer and a signing time with the protected header encoded once, for sealing many
/// payloads (a batch): [`Sealer::seal`] gives exactly the bytes [`seal`] gives, without parsing
/// the certificate and encoding the header again for every payload.
pub struct Sealer<'s> {
    signer: &'s dyn Signer,
    algorithm: SignatureAlgorithm,
    protected_b64: String,
}

impl<'s> Sealer<'s> {
    /// Prepares the protected header for `signer` at `signing_time`.
    pub fn new(signer: &'s dyn Signer, signing_time: OffsetDateTime) -> Result<Self, SealError> {
        let protected = protected_header(signer, signing_time)?;
        let protected_json = serde_json::to_vec(&protected).map_err(SealError::NotSerializable)?;
        Ok(Self {
            signer,
            algorithm: signer.algorithm(),
            protected_b64: URL_SAFE_NO_PAD.encode(protected_json),
        })
    }

    /// The protected header (base64url) every seal of this sealer carries.
    pub fn protected(&self) -> &str {
        &self.protected_b64
    }

    /// Seals `payload` (see [`seal`]).
    pub fn seal(&self, payload: &[u8]) -> Result<Vec<u8>, SealError> {
        let _span = tracing::info_span!("jades_seal", payload_len = payload.len()).entered();
        let payload_text =
            std::str::from_utf8(payload).map_err(|source| SealError::PayloadNotUtf8 {
                valid_up_to: source.valid_up_to(),
                source,
            })?;
        let protected_b64 = &self.protected_b64;
        let mut signing_input = Vec::with_capacity(protected_b64.len() + 1 + payload.len());
        signing_input.extend_from_slice(protected_b64.as_bytes());
        signing_input.push(b'.');
        signing_input.extend_from_slice(payload);

        let signature = self.signer.sign(&signing_input)?;
        drop(signing_input);
        check_shape(self.algorithm, &signature)?;

        // `{"payload":"…","signatures":[{"protected":"…","signature":"…"}]}`, written as
        // serde_json writes that document (member order, string escapes), without building it.
        let signature_b64 = URL_SAFE_NO_PAD.encode(&signature);
        let mut out = Vec::with_capacity(
            payload.len() + payload.len() / 8 + protected_b64.len() + signature_b64.len() + 64,
        );
        out.extend_from_slice(b"{\"payload\":\"");
        escape_json_str(payload_text, &mut out);
        out.extend_from_slice(b"\",\"signatures\":[{\"protected\":\"");
        out.extend_from_slice(protected_b64.as_bytes()); // base64url: nothing to escape
        out.extend_from_slice(b"\",\"signature\":\"");
        out.extend_from_slice(signature_b64.as_bytes());
        out.extend_from_slice(b"\"}]}");
        tracing::info!(alg = self.algorithm.jws_name(), "sealed");
        Ok(out)
    }
}

/// Appends `text` as the inside of a JSON string, escaped exactly as serde_json escapes it
/// (`\"`, `\\`, `\b \t \n \f \r`, other control characters as `\u00xx`; nothing else), copying
/// the runs between escapes whole.
fn escape_json_str(text: &str, out: &mut Vec<u8>) {
    // Bytes that need an escape: control characters, quote, backslash.
    const NEEDS: [bool; 256] = {
        let mut t = [false; 256];
        let mut i = 0;
        while i < 0x20 {
            t[i] = true;
            i += 1;
        }
        t[b'"' as usize] = true;
        t[b'\\' as usize] = true;
        t
    };
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while let Some(p) = bytes[i..].iter().position(|&b| NEEDS[usize::from(b)]) {
        i += p;
        let b = bytes[i];
        i += 1;
        let short: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            _ => b"",
        };
        out.extend_from_slice(&bytes[start..i - 1]);
        start = i;
        if short.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0xf)]);
        } else {
            out.extend_from_slice(short);
        }
    }
    out.extend_from_slice(&bytes[start..]);
}

/// The protected header, in the member order of the official EDC seals.
fn protected_header(signer: &dyn Signer, signing_time: OffsetDateTime) -> Result<Value, SealError> {
    let cert_der = signer.certificate();
    let cert = X509::from_der(cert_der).map_err(|source| SealError::CertificateUnreadable {
        place: "signer certificate".into(),
        source,
    })?;
    let mut x5c = vec![Value::String(STANDARD.encode(cert_der))];
    x5c.extend(
        signer
            .chain()
            .iter()
            .map(|c| Value::String(STANDARD.encode(c))),
    );

    let mut h = Map::new();
    h.insert("alg".into(), json!(signer.algorithm().jws_name()));
    h.insert("cty".into(), json!(CTY));
    h.insert(
        "kid".into(),
        json!(STANDARD.encode(issuer_serial_der(&cert)?)),
    );
    h.insert(
        "x5t#S256".into(),
        json!(URL_SAFE_NO_PAD.encode(sha256(cert_der))),
    );
    h.insert("x5c".into(), Value::Array(x5c));
    h.insert("typ".into(), json!(TYP));
    h.insert("b64".into(), json!(false));
    h.insert("iat".into(), json!(signing_time.unix_timestamp()));
    h.insert("crit".into(), json!(["b64"]));
    Ok(Value::Object(h))
}

fn check_shape(algorithm: SignatureAlgorithm, signature: &[u8]) -> Result<(), SealError> {
    let ok = match algorithm.ecdsa_field_len() {
        Some(field) => signature.len() == 2 * field,
        None => signature.len() >= 256,
    };
    if ok {
        Ok(())
    } else {
        Err(SealError::SignatureShape {
            algorithm: algorithm.jws_name(),
            len: signature.len(),
        })
    }
}

/// DER of the RFC 5035 `IssuerSerial` of `cert`:
/// `SEQUENCE { issuer GeneralNames (directoryName [4] Name), serialNumber INTEGER }`
/// (what DSS base64-encodes into `kid`).
pub(crate) fn issuer_serial_der(cert: &X509) -> Result<Vec<u8>, SealError> {
    let name = cert
        .issuer_name()
        .to_der()
        .map_err(SealError::crypto("encoding the issuer name"))?;
    let serial = cert
        .serial_number()
        .to_bn()
        .map_err(SealError::crypto("reading the serial number"))?;
    let mut serial_bytes = serial.to_vec();
    if serial_bytes.is_empty() || serial_bytes[0] & 0x80 != 0 {
        serial_bytes.insert(0, 0);
    }
    let directory_name = der_tlv(0xA4, &name);
    let general_names = der_tlv(0x30, &directory_name);
    let mut body = general_names;
    body.extend(der_tlv(0x02, &serial_bytes));
    Ok(der_tlv(0x30, &body))
}

fn der_tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kid_matches_the_official_dss_encoding() {
        // The kid of the official EDC seal is base64(DER IssuerSerial) of x5c[0].
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(
            "../../../../shared/reference/elm-v3/credentials-jsonld/Sample-MC-Annex1-signed.jsonld",
        );
        let doc: Value =
            serde_json::from_slice(&std::fs::read(path).expect("sample")).expect("json");
        let protected = doc["signatures"][0]["protected"]
            .as_str()
            .expect("protected");
        let header: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(protected).expect("b64url"))
                .expect("json");
        let cert_der = STANDARD
            .decode(header["x5c"][0].as_str().expect("x5c[0]"))
            .expect("base64");
        let cert = X509::from_der(&cert_der).expect("certificate");
        let kid = STANDARD.encode(issuer_serial_der(&cert).expect("issuer serial"));
        assert_eq!(kid, header["kid"].as_str().expect("kid"), "same kid as DSS");
    }
}
