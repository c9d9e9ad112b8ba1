//! A minimal DER reader and writer for the few small ASN.1 structures OpenSSL's Rust binding does
//! not expose: RFC 3161 `TimeStampReq`/`TimeStampResp`/`TSTInfo`, the OCSP nonce and the CMS
//! `SignedData` certificate list. Definite lengths only (DER); every read is bounds-checked, and
//! malformed input is an `Err(&'static str)` naming what was expected, never a panic.

/// One TLV: the tag byte, the content, and the whole encoding.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlv<'a> {
    pub tag: u8,
    pub content: &'a [u8],
    pub raw: &'a [u8],
}

/// A cursor over consecutive TLVs.
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

pub(crate) type DerResult<T> = Result<T, &'static str>;

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The next TLV, whatever its tag.
    pub fn any(&mut self) -> DerResult<Tlv<'a>> {
        let bytes = self.rest;
        let (&tag, after_tag) = bytes.split_first().ok_or("unexpected end of data")?;
        if tag & 0x1f == 0x1f {
            return Err("multi-byte tags are not supported");
        }
        let (&first, after_len) = after_tag.split_first().ok_or("truncated length")?;
        let (len, body) = if first < 0x80 {
            (first as usize, after_len)
        } else {
            let n = (first & 0x7f) as usize;
            if n == 0 || n > 4 {
                return Err("unsupported length encoding");
            }
            if after_len.len() < n {
                return Err("truncated length");
            }
            let len = after_len[..n]
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | *b as usize);
            (len, &after_len[n..])
        };
        if body.len() < len {
            return Err("truncated value");
        }
        let header_len = bytes.len() - body.len();
        let tlv = Tlv {
            tag,
            content: &body[..len],
            raw: &bytes[..header_len + len],
        };
        self.rest = &body[len..];
        Ok(tlv)
    }

    /// The next TLV, which must carry `tag`.
    pub fn expect(&mut self, tag: u8, what: &'static str) -> DerResult<Tlv<'a>> {
        let tlv = self.any()?;
        if tlv.tag == tag {
            Ok(tlv)
        } else {
            Err(what)
        }
    }

    /// The next TLV if it carries `tag` (an OPTIONAL field).
    pub fn optional(&mut self, tag: u8) -> DerResult<Option<Tlv<'a>>> {
        if self.rest.first() == Some(&tag) {
            self.any().map(Some)
        } else {
            Ok(None)
        }
    }
}

/// The content of a SEQUENCE that must be the whole input.
pub(crate) fn sequence<'a>(bytes: &'a [u8], what: &'static str) -> DerResult<Reader<'a>> {
    let mut outer = Reader::new(bytes);
    let seq = outer.expect(0x30, what)?;
    Ok(Reader::new(seq.content))
}

pub(crate) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
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

/// A non-negative INTEGER from big-endian magnitude bytes.
pub(crate) fn unsigned_integer(magnitude: &[u8]) -> Vec<u8> {
    let mut bytes: Vec<u8> = magnitude.iter().copied().skip_while(|b| *b == 0).collect();
    if bytes.first().is_none_or(|b| b & 0x80 != 0) {
        bytes.insert(0, 0);
    }
    tlv(0x02, &bytes)
}

/// DER of well-known OIDs used here.
pub(crate) mod oid {
    /// id-sha256 2.16.840.1.101.3.4.2.1
    pub const SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
    /// id-sha384
    pub const SHA384: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02];
    /// id-sha512
    pub const SHA512: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03];
    /// id-sha1 1.3.14.3.2.26
    pub const SHA1: &[u8] = &[0x2b, 0x0e, 0x03, 0x02, 0x1a];
    /// id-pkix-ocsp-nonce 1.3.6.1.5.5.7.48.1.2
    pub const OCSP_NONCE: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x02];
    /// id-pkix-ocsp-basic 1.3.6.1.5.5.7.48.1.1
    pub const OCSP_BASIC: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01];
    /// id-ct-TSTInfo 1.2.840.113549.1.9.16.1.4
    pub const TST_INFO: &[u8] = &[
        0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x04,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncated_and_oversized_lengths_are_errors() {
        for bad in [
            &[][..],
            &[0x30][..],
            &[0x30, 0x05, 0x01][..],
            &[0x30, 0x85, 1, 1, 1, 1, 1][..],
            &[0x30, 0x82, 0xff][..],
            &[0x1f, 0x01, 0x00][..],
        ] {
            assert!(Reader::new(bad).any().is_err(), "{bad:02x?} is refused");
        }
    }

    #[test]
    fn long_form_lengths_round_trip() {
        let content = vec![7u8; 300];
        let encoded = tlv(0x04, &content);
        let tlv = Reader::new(&encoded).any().expect("valid DER");
        assert_eq!(tlv.tag, 0x04, "tag kept");
        assert_eq!(tlv.content, &content[..], "content kept");
        assert_eq!(tlv.raw.len(), encoded.len(), "raw covers the whole TLV");
        assert_eq!(
            unsigned_integer(&[0x80]),
            vec![2, 2, 0, 0x80],
            "sign byte added"
        );
    }
}
