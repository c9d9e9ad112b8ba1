//! What a PDF holds, for the verifier and the augmenter: its signature dictionaries (seals and
//! document timestamps, oldest first) and its DSS (validation data) with where it was written.

use lopdf::{Document, Object, ObjectId};
use openssl::x509::X509;
use time::OffsetDateTime;

use crate::cms;
use crate::error::PadesError;
use crate::verify::parse_pdf_date;

/// `/SubFilter` of a document timestamp.
pub(crate) const DOC_TIMESTAMP: &str = "ETSI.RFC3161";

/// A signature dictionary as found in the file.
pub(crate) struct Found {
    pub object: u32,
    pub sub_filter: String,
    pub byte_range: Option<[usize; 4]>,
    pub contents: Vec<u8>,
    pub m: Option<OffsetDateTime>,
}

impl Found {
    /// Where the covered bytes end (the end of the revision it signs).
    pub(crate) fn end(&self) -> usize {
        self.byte_range
            .map(|b| b[2].saturating_add(b[3]))
            .unwrap_or(0)
    }

    pub(crate) fn is_doc_timestamp(&self) -> bool {
        self.sub_filter == DOC_TIMESTAMP
    }

    /// `/Contents` without the zero padding after the DER.
    pub(crate) fn der(&self) -> &[u8] {
        let len = cms::der_length(&self.contents).unwrap_or(self.contents.len());
        self.contents.get(..len).unwrap_or(&self.contents)
    }
}

/// Every signature dictionary (`/Sig` or `/DocTimeStamp` with `/ByteRange` and `/Contents`),
/// ordered by the end of what they cover.
pub(crate) fn signatures(doc: &Document) -> Vec<Found> {
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
    found.sort_by_key(|f| (f.end(), f.object));
    found
}

/// The document security store (ISO 32000-2 §12.8.4.3): validation data added after signing.
#[derive(Default)]
pub(crate) struct Dss {
    /// The DSS dictionary's own object, when it is indirect.
    pub id: Option<ObjectId>,
    /// Where the current DSS was written (the offset of its object, or the catalog's).
    pub offset: usize,
    pub certs: Vec<Vec<u8>>,
    pub ocsps: Vec<Vec<u8>>,
    pub crls: Vec<Vec<u8>>,
    /// The arrays as written (references), to keep when the DSS is extended.
    pub cert_refs: Vec<Object>,
    pub ocsp_refs: Vec<Object>,
    pub crl_refs: Vec<Object>,
}

impl Dss {
    /// The DSS certificates that OpenSSL can read.
    pub(crate) fn x509s(&self) -> Vec<X509> {
        self.certs
            .iter()
            .filter_map(|d| X509::from_der(d).ok())
            .collect()
    }
}

/// The catalog's `/DSS`, if any.
pub(crate) fn dss(doc: &Document) -> Result<Option<Dss>, PadesError> {
    let Ok(catalog) = doc.catalog() else {
        return Ok(None);
    };
    let Ok(entry) = catalog.get(b"DSS") else {
        return Ok(None);
    };
    let offset_of = |id: ObjectId| match doc.reference_table.entries.get(&id.0) {
        Some(lopdf::xref::XrefEntry::Normal { offset, .. }) => *offset as usize,
        Some(lopdf::xref::XrefEntry::Compressed { container, .. }) => {
            match doc.reference_table.entries.get(container) {
                Some(lopdf::xref::XrefEntry::Normal { offset, .. }) => *offset as usize,
                _ => 0,
            }
        }
        _ => 0,
    };
    let (id, dict) = match entry {
        Object::Reference(id) => (
            Some(*id),
            doc.get_object(*id)
                .and_then(Object::as_dict)
                .map_err(|_| PadesError::structure("catalog /DSS", "not a dictionary"))?,
        ),
        Object::Dictionary(d) => (None, d),
        _ => return Err(PadesError::structure("catalog /DSS", "not a dictionary")),
    };
    let root = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|_| PadesError::structure("trailer /Root", "missing or not a reference"))?;
    let mut dss = Dss {
        id,
        offset: offset_of(id.unwrap_or(root)),
        ..Dss::default()
    };
    for (key, refs, out) in [
        (b"Certs".as_slice(), &mut dss.cert_refs, &mut dss.certs),
        (b"OCSPs", &mut dss.ocsp_refs, &mut dss.ocsps),
        (b"CRLs", &mut dss.crl_refs, &mut dss.crls),
    ] {
        let place = format!("/DSS /{}", String::from_utf8_lossy(key));
        *refs = crate::update::resolve_array(doc, dict.get(key).ok(), &place)?;
        for item in refs.iter() {
            let Ok((_, Object::Stream(stream))) = doc.dereference(item) else {
                return Err(PadesError::structure(place, "an entry is not a stream"));
            };
            let bytes = if stream.dict.get(b"Filter").is_ok() {
                stream.decompressed_content().map_err(|_| {
                    PadesError::structure(place.clone(), "a stream cannot be decoded")
                })?
            } else {
                stream.content.clone()
            };
            out.push(bytes);
        }
    }
    Ok(Some(dss))
}
