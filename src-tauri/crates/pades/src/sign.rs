//! Sealing a PDF (PAdES baseline B-B) through a [`Signer`].
//!
//! The original bytes are kept as they are; an incremental update is appended with a signature
//! field (a merged field + widget, invisible or with a visible seal block), the updated catalog
//! (`/AcroForm`, `/SigFlags 3`) and page (`/Annots`), and a `/Sig` dictionary
//! (`/Filter /Adobe.PPKLite`, `/SubFilter /ETSI.CAdES.detached`, `/M`, `/ByteRange`,
//! `/Contents`). The digest covers the whole file but the `/Contents` hex string; the CMS built
//! around the signer's signature ([`crate::cms`]) is written into the reserved space.
//!
//! Not here: B-T/B-LT/B-LTA augmentation (signature timestamp, DSS, document timestamp).

use std::io::Write;

use lopdf::{Dictionary, Object, ObjectId, Stream, StringFormat, Writer};
use sealdesk_seal::certificate::CertificateInfo;
use sealdesk_seal::Signer;
use time::OffsetDateTime;

use crate::error::PadesError;

/// What the seal looks like in the PDF.
#[derive(Debug, Clone, PartialEq)]
pub struct PdfSealOptions {
    /// Draw a visible seal block (holder, organisation identifier, time) on a page.
    pub visible: bool,
    /// The page (1-based) of the seal field; the first page when out of range.
    pub page: u32,
    /// The block's rectangle `[x1, y1, x2, y2]` in PDF points (ignored when invisible).
    pub rect: [f32; 4],
    /// Bytes reserved for the CMS beyond the certificates (signature, attributes, margin).
    pub reserve: usize,
}

impl Default for PdfSealOptions {
    fn default() -> Self {
        Self {
            visible: true,
            page: 1,
            rect: [36.0, 36.0, 306.0, 96.0],
            reserve: 8192,
        }
    }
}

const BYTE_RANGE_PLACEHOLDER: &[u8] = b"/ByteRange [0 9999999999 9999999999 9999999999]";
const CONTENTS_KEY: &[u8] = b"/Contents <";

/// Seals `pdf` at `at` (written as `/M`; the CMS carries no signing-time) with `signer`.
///
/// Returns the sealed file: the original bytes followed by one incremental update.
pub fn seal_pdf(
    pdf: &[u8],
    signer: &dyn Signer,
    options: &PdfSealOptions,
    at: OffsetDateTime,
) -> Result<Vec<u8>, PadesError> {
    let _span = tracing::info_span!("pades.seal", bytes = pdf.len()).entered();
    let doc = lopdf::Document::load_mem(pdf).map_err(|e| PadesError::NotAPdf {
        reason: e.to_string(),
    })?;
    if doc.trailer.get(b"Encrypt").is_ok() || doc.is_encrypted() {
        return Err(PadesError::Encrypted);
    }
    let root_id = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|_| PadesError::structure("trailer /Root", "missing or not a reference"))?;
    let mut catalog = doc
        .get_object(root_id)
        .and_then(Object::as_dict)
        .map_err(|_| PadesError::structure("the catalog", "missing or not a dictionary"))?
        .clone();
    let pages = doc.get_pages();
    let (_, &page_id) = pages
        .get_key_value(&options.page)
        .or_else(|| pages.iter().next())
        .ok_or_else(|| PadesError::structure("the page tree", "the PDF has no page"))?;
    let mut page = doc
        .get_object(page_id)
        .and_then(Object::as_dict)
        .map_err(|_| {
            PadesError::structure(format!("page object {}", page_id.0), "not a dictionary")
        })?
        .clone();

    let mut next_id = doc.max_id + 1;
    let mut new_id = || {
        let id = (next_id, 0u16);
        next_id += 1;
        id
    };
    let sig_id = new_id();
    let field_id = new_id();
    let appearance_id = new_id();
    let mut objects: Vec<(ObjectId, Vec<u8>)> = Vec::new();

    // AcroForm: inline in the catalog, or an object of its own that is rewritten.
    let (acroform_ref, mut acroform) = match catalog.get(b"AcroForm") {
        Ok(Object::Reference(id)) => (
            Some(*id),
            doc.get_object(*id)
                .and_then(Object::as_dict)
                .map_err(|_| PadesError::structure("catalog /AcroForm", "not a dictionary"))?
                .clone(),
        ),
        Ok(Object::Dictionary(d)) => (None, d.clone()),
        _ => (None, Dictionary::new()),
    };
    let mut fields = resolve_array(&doc, acroform.get(b"Fields").ok(), "/AcroForm /Fields")?;
    let existing_signatures = fields
        .iter()
        .filter(|f| {
            doc.dereference(f)
                .ok()
                .and_then(|(_, o)| o.as_dict().ok())
                .and_then(|d| d.get(b"FT").ok())
                .and_then(|o| o.as_name().ok())
                == Some(b"Sig".as_slice())
        })
        .count();
    fields.push(Object::Reference(field_id));
    acroform.set("Fields", Object::Array(fields));
    acroform.set("SigFlags", Object::Integer(3));
    match acroform_ref {
        Some(id) => objects.push((id, serialize(&Object::Dictionary(acroform))?)),
        None => catalog.set("AcroForm", Object::Dictionary(acroform)),
    }
    objects.push((root_id, serialize(&Object::Dictionary(catalog))?));

    let mut annots = resolve_array(&doc, page.get(b"Annots").ok(), "page /Annots")?;
    annots.push(Object::Reference(field_id));
    page.set("Annots", Object::Array(annots));
    objects.push((page_id, serialize(&Object::Dictionary(page))?));

    let rect = if options.visible {
        options.rect
    } else {
        [0.0; 4]
    };
    let mut field = Dictionary::new();
    field.set("Type", Object::Name(b"Annot".to_vec()));
    field.set("Subtype", Object::Name(b"Widget".to_vec()));
    field.set("FT", Object::Name(b"Sig".to_vec()));
    field.set(
        "T",
        Object::string_literal(format!("Seal{}", existing_signatures + 1)),
    );
    field.set("V", Object::Reference(sig_id));
    field.set("F", Object::Integer(132));
    field.set(
        "Rect",
        Object::Array(rect.iter().map(|v| Object::Real(*v)).collect()),
    );
    field.set("P", Object::Reference(page_id));
    let info = CertificateInfo::from_der(signer.certificate()).ok();
    let appearance = appearance_stream(info.as_ref(), rect, at);
    let mut ap = Dictionary::new();
    ap.set("N", Object::Reference(appearance_id));
    field.set("AP", Object::Dictionary(ap));
    objects.push((field_id, serialize(&Object::Dictionary(field))?));
    objects.push((appearance_id, serialize(&Object::Stream(appearance))?));

    // The signature dictionary, with fixed-width placeholders patched below.
    let certificates_len: usize =
        signer.certificate().len() + signer.chain().iter().map(Vec::len).sum::<usize>();
    let reserved = certificates_len + options.reserve;
    let mut sig = Vec::new();
    sig.extend_from_slice(
        b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /M ",
    );
    sig.extend(serialize(&Object::string_literal(pdf_date(at)?))?);
    if let Some(name) = info
        .as_ref()
        .and_then(|i| i.organization.clone().or_else(|| i.common_name.clone()))
    {
        sig.extend_from_slice(b" /Name ");
        sig.extend(serialize(&text_string(&name))?);
    }
    sig.push(b' ');
    sig.extend_from_slice(BYTE_RANGE_PLACEHOLDER);
    sig.push(b' ');
    sig.extend_from_slice(CONTENTS_KEY);
    sig.extend(std::iter::repeat_n(b'0', reserved * 2));
    sig.extend_from_slice(b"> >>");
    objects.push((sig_id, sig));

    // The incremental update: objects, a classic xref section, a trailer with /Prev.
    let mut out = pdf.to_vec();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let mut offsets = Vec::new();
    let mut sig_offset = 0;
    for (id, body) in &objects {
        if *id == sig_id {
            sig_offset = out.len();
        }
        offsets.push((*id, out.len()));
        writeln!(out, "{} {} obj", id.0, id.1).map_err(PadesError::Write)?;
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref_offset = out.len();
    offsets.sort();
    out.extend_from_slice(b"xref\n");
    for (id, offset) in &offsets {
        write!(out, "{} 1\n{:010} {:05} n\r\n", id.0, offset, id.1).map_err(PadesError::Write)?;
    }
    let old_size = doc
        .trailer
        .get(b"Size")
        .and_then(Object::as_i64)
        .unwrap_or(0);
    let mut trailer = Dictionary::new();
    trailer.set("Size", Object::Integer(old_size.max(i64::from(next_id))));
    trailer.set("Root", Object::Reference(root_id));
    for key in [b"Info".as_slice(), b"ID"] {
        if let Ok(v) = doc.trailer.get(key) {
            trailer.set(key, v.clone());
        }
    }
    trailer.set("Prev", Object::Integer(doc.xref_start as i64));
    out.extend_from_slice(b"trailer\n");
    out.extend(serialize(&Object::Dictionary(trailer))?);
    write!(out, "\nstartxref\n{xref_offset}\n%%EOF\n").map_err(PadesError::Write)?;

    // ByteRange: everything but the /Contents hex string (with its angle brackets).
    let rel = find(&out[sig_offset..], CONTENTS_KEY)
        .ok_or_else(|| PadesError::structure("the signature dictionary", "placeholder lost"))?;
    let contents_start = sig_offset + rel + CONTENTS_KEY.len() - 1;
    let contents_end = contents_start + reserved * 2 + 2;
    let byte_range = [0, contents_start, contents_end, out.len() - contents_end];
    let br_rel = find(&out[sig_offset..], BYTE_RANGE_PLACEHOLDER)
        .ok_or_else(|| PadesError::structure("the signature dictionary", "placeholder lost"))?;
    let br_at = sig_offset + br_rel;
    let mut br_text = format!(
        "/ByteRange [{} {} {} {}]",
        byte_range[0], byte_range[1], byte_range[2], byte_range[3]
    )
    .into_bytes();
    if br_text.len() > BYTE_RANGE_PLACEHOLDER.len() {
        return Err(PadesError::structure("/ByteRange", "the file is too large"));
    }
    // Pad inside the brackets so the array stays one token sequence.
    let pad = BYTE_RANGE_PLACEHOLDER.len() - br_text.len();
    let close = br_text.len() - 1;
    br_text.splice(close..close, std::iter::repeat_n(b' ', pad));
    out[br_at..br_at + BYTE_RANGE_PLACEHOLDER.len()].copy_from_slice(&br_text);

    let hash = signer.algorithm().hash();
    let mut signed = Vec::with_capacity(out.len());
    signed.extend_from_slice(&out[..contents_start]);
    signed.extend_from_slice(&out[contents_end..]);
    let digest = hash.digest(&signed);
    let cms = crate::cms::build_signed_data(signer, &digest)?;
    if cms.len() > reserved {
        return Err(PadesError::ContentsTooSmall {
            needed: cms.len(),
            reserved,
        });
    }
    let hex = hex::encode_upper(&cms);
    out[contents_start + 1..contents_start + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    tracing::info!(cms_bytes = cms.len(), "pdf sealed");
    Ok(out)
}

/// The array at `value` (inline or indirect), or an empty one.
fn resolve_array(
    doc: &lopdf::Document,
    value: Option<&Object>,
    place: &str,
) -> Result<Vec<Object>, PadesError> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let (_, resolved) = doc
        .dereference(value)
        .map_err(|_| PadesError::structure(place, "dangling reference"))?;
    match resolved {
        Object::Array(a) => Ok(a.clone()),
        Object::Null => Ok(Vec::new()),
        _ => Err(PadesError::structure(place, "not an array")),
    }
}

fn serialize(object: &Object) -> Result<Vec<u8>, PadesError> {
    let mut out = Vec::new();
    Writer::write_object(&mut out, object)
        .map_err(|e| PadesError::Write(std::io::Error::other(e.to_string())))?;
    Ok(out)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A PDF date `D:YYYYMMDDHHmmSS+00'00'` in UTC.
pub(crate) fn pdf_date(at: OffsetDateTime) -> Result<String, PadesError> {
    let t = at.to_offset(time::UtcOffset::UTC);
    if !(0..=9999).contains(&t.year()) {
        return Err(PadesError::TimeOutOfRange);
    }
    Ok(format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}+00'00'",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    ))
}

/// A PDF text string: PDFDocEncoding-compatible Latin-1 when possible, UTF-16BE otherwise.
fn text_string(text: &str) -> Object {
    if text.chars().all(|c| (c as u32) < 0x80) {
        return Object::String(text.as_bytes().to_vec(), StringFormat::Literal);
    }
    let mut bytes = vec![0xfe, 0xff];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_be_bytes());
    }
    Object::String(bytes, StringFormat::Hexadecimal)
}

/// Latin-1 bytes for a WinAnsi-encoded text operand (`?` for what it cannot show).
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c as u32 {
            0x20..=0x7e | 0xa0..=0xff => c as u32 as u8,
            _ => b'?',
        })
        .collect()
}

/// The visible seal block: a framed box with holder, organisation identifier and time.
fn appearance_stream(info: Option<&CertificateInfo>, rect: [f32; 4], at: OffsetDateTime) -> Stream {
    let width = (rect[2] - rect[0]).max(0.0);
    let height = (rect[3] - rect[1]).max(0.0);
    let holder = info
        .and_then(|i| i.organization.clone().or_else(|| i.common_name.clone()))
        .unwrap_or_else(|| "unnamed holder".to_owned());
    let org_id = info
        .and_then(|i| i.organization_identifier.clone())
        .unwrap_or_else(|| "-".to_owned());
    let when = pdf_date(at)
        .ok()
        .map(|_| {
            let t = at.to_offset(time::UtcOffset::UTC);
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02} UTC",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute()
            )
        })
        .unwrap_or_default();
    let mut content = Vec::new();
    if width > 0.0 && height > 0.0 {
        let lines: [(&str, String); 3] = [
            ("Sealed by: ", holder),
            ("Organisation id: ", org_id),
            ("Time: ", when),
        ];
        content.extend_from_slice(
            format!(
                "q 0.94 0.96 1 rg 0 0 {width} {height} re f 0.1 0.2 0.5 RG 1 w 0.5 0.5 {} {} re S Q\n",
                width - 1.0,
                height - 1.0
            )
            .as_bytes(),
        );
        content.extend_from_slice(
            format!("BT /F1 9 Tf 0 0 0 rg 6 {} Td 11 TL\n", height - 15.0).as_bytes(),
        );
        for (label, value) in lines {
            let line = Object::String(win_ansi(&format!("{label}{value}")), StringFormat::Literal);
            if let Ok(bytes) = serialize(&line) {
                content.extend(bytes);
                content.extend_from_slice(b" Tj T*\n");
            }
        }
        content.extend_from_slice(b"ET\n");
    }
    let mut font = Dictionary::new();
    font.set("Type", Object::Name(b"Font".to_vec()));
    font.set("Subtype", Object::Name(b"Type1".to_vec()));
    font.set("BaseFont", Object::Name(b"Helvetica".to_vec()));
    font.set("Encoding", Object::Name(b"WinAnsiEncoding".to_vec()));
    let mut fonts = Dictionary::new();
    fonts.set("F1", Object::Dictionary(font));
    let mut resources = Dictionary::new();
    resources.set("Font", Object::Dictionary(fonts));
    let mut dict = Dictionary::new();
    dict.set("Type", Object::Name(b"XObject".to_vec()));
    dict.set("Subtype", Object::Name(b"Form".to_vec()));
    dict.set(
        "BBox",
        Object::Array(vec![
            Object::Real(0.0),
            Object::Real(0.0),
            Object::Real(width),
            Object::Real(height),
        ]),
    );
    dict.set("Resources", Object::Dictionary(resources));
    Stream::new(dict, content)
}
