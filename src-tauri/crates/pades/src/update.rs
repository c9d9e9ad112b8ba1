//! Incremental updates: new or rewritten objects appended after the existing bytes, with a
//! classic cross-reference section and a trailer pointing back (`/Prev`) at the previous one,
//! and the signature placeholders (`/ByteRange`, `/Contents`) shared by seals and document
//! timestamps. Nothing here changes a byte that is already in the file.

use std::io::Write;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream, Writer};
use time::OffsetDateTime;

use crate::error::PadesError;

const BYTE_RANGE_PLACEHOLDER: &[u8] = b"/ByteRange [0 9999999999 9999999999 9999999999]";
const CONTENTS_KEY: &[u8] = b"/Contents <";

/// One incremental update being assembled over `doc` (the file as it is now).
pub(crate) struct Update<'a> {
    doc: &'a Document,
    objects: Vec<(ObjectId, Vec<u8>)>,
    next_id: u32,
    /// The object holding a signature placeholder, with its reserved size (bytes).
    signature: Option<(ObjectId, usize)>,
}

/// A written update whose signature placeholder waits for its CMS.
pub(crate) struct Pending {
    /// The whole file, placeholder still zeroed.
    pub out: Vec<u8>,
    contents_start: usize,
    contents_end: usize,
    reserved: usize,
}

impl<'a> Update<'a> {
    pub(crate) fn new(doc: &'a Document) -> Self {
        Self {
            doc,
            objects: Vec::new(),
            next_id: doc.max_id + 1,
            signature: None,
        }
    }

    /// A fresh object number.
    pub(crate) fn new_id(&mut self) -> ObjectId {
        let id = (self.next_id, 0);
        self.next_id += 1;
        id
    }

    /// Writes `object` as object `id` (new, or replacing the current version).
    pub(crate) fn put(&mut self, id: ObjectId, object: &Object) -> Result<(), PadesError> {
        let body = serialize(object)?;
        self.objects.push((id, body));
        Ok(())
    }

    /// A signature dictionary `<< {head} /ByteRange [...] /Contents <00…> >>` with `reserved`
    /// bytes for the CMS. `head` are the other entries, already serialized.
    pub(crate) fn put_signature(&mut self, id: ObjectId, head: &[u8], reserved: usize) {
        let mut sig = Vec::with_capacity(head.len() + reserved * 2 + 64);
        sig.extend_from_slice(b"<< ");
        sig.extend_from_slice(head);
        sig.push(b' ');
        sig.extend_from_slice(BYTE_RANGE_PLACEHOLDER);
        sig.push(b' ');
        sig.extend_from_slice(CONTENTS_KEY);
        sig.extend(std::iter::repeat_n(b'0', reserved * 2));
        sig.extend_from_slice(b"> >>");
        self.objects.push((id, sig));
        self.signature = Some((id, reserved));
    }

    /// Appends the objects, a cross-reference section and a trailer to `original` (the bytes
    /// `doc` was read from) and fills in the `/ByteRange` of the signature placeholder, if any.
    pub(crate) fn write(self, original: &[u8]) -> Result<Pending, PadesError> {
        let doc = self.doc;
        let root_id = doc
            .trailer
            .get(b"Root")
            .and_then(Object::as_reference)
            .map_err(|_| PadesError::structure("trailer /Root", "missing or not a reference"))?;
        let mut out = original.to_vec();
        if !out.ends_with(b"\n") {
            out.push(b'\n');
        }
        let mut offsets = Vec::new();
        let mut sig_offset = None;
        for (id, body) in &self.objects {
            if self.signature.map(|(s, _)| s) == Some(*id) {
                sig_offset = Some(out.len());
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
            write!(out, "{} 1\n{:010} {:05} n\r\n", id.0, offset, id.1)
                .map_err(PadesError::Write)?;
        }
        let old_size = doc
            .trailer
            .get(b"Size")
            .and_then(Object::as_i64)
            .unwrap_or(0);
        let mut trailer = Dictionary::new();
        trailer.set(
            "Size",
            Object::Integer(old_size.max(i64::from(self.next_id))),
        );
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

        let (Some(sig_offset), Some((_, reserved))) = (sig_offset, self.signature) else {
            return Ok(Pending {
                out,
                contents_start: 0,
                contents_end: 0,
                reserved: 0,
            });
        };
        // ByteRange: everything but the /Contents hex string (with its angle brackets).
        let rel = find(&out[sig_offset..], CONTENTS_KEY)
            .ok_or_else(|| PadesError::structure("the signature dictionary", "placeholder lost"))?;
        let contents_start = sig_offset + rel + CONTENTS_KEY.len() - 1;
        let contents_end = contents_start + reserved * 2 + 2;
        let br_rel = find(&out[sig_offset..], BYTE_RANGE_PLACEHOLDER)
            .ok_or_else(|| PadesError::structure("the signature dictionary", "placeholder lost"))?;
        let br_at = sig_offset + br_rel;
        let mut br_text = format!(
            "/ByteRange [0 {} {} {}]",
            contents_start,
            contents_end,
            out.len() - contents_end
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
        Ok(Pending {
            out,
            contents_start,
            contents_end,
            reserved,
        })
    }
}

impl Pending {
    /// The bytes the signature covers (the file without the `/Contents` string).
    pub(crate) fn signed_bytes(&self) -> Vec<u8> {
        let mut signed = Vec::with_capacity(self.out.len());
        signed.extend_from_slice(&self.out[..self.contents_start]);
        signed.extend_from_slice(&self.out[self.contents_end..]);
        signed
    }

    /// Writes `cms` (DER) into the reserved space and returns the finished file.
    pub(crate) fn finish(mut self, cms: &[u8]) -> Result<Vec<u8>, PadesError> {
        if cms.len() > self.reserved {
            return Err(PadesError::ContentsTooSmall {
                needed: cms.len(),
                reserved: self.reserved,
            });
        }
        let hex = hex::encode_upper(cms);
        let at = self.contents_start + 1;
        self.out[at..at + hex.len()].copy_from_slice(hex.as_bytes());
        Ok(self.out)
    }
}

/// Adds a signature field (merged field + widget) whose value is `sig_id` to the catalog's
/// `/AcroForm` (`/SigFlags 3`) and to the page's `/Annots`. `rect` all zeros = invisible.
/// Returns the field's object id.
pub(crate) fn add_signature_field(
    doc: &Document,
    update: &mut Update<'_>,
    page: u32,
    rect: [f32; 4],
    appearance: Stream,
    sig_id: ObjectId,
    name_prefix: &str,
) -> Result<ObjectId, PadesError> {
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
        .get_key_value(&page)
        .or_else(|| pages.iter().next())
        .ok_or_else(|| PadesError::structure("the page tree", "the PDF has no page"))?;
    let mut page = doc
        .get_object(page_id)
        .and_then(Object::as_dict)
        .map_err(|_| {
            PadesError::structure(format!("page object {}", page_id.0), "not a dictionary")
        })?
        .clone();
    let field_id = update.new_id();
    let appearance_id = update.new_id();

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
    let mut fields = resolve_array(doc, acroform.get(b"Fields").ok(), "/AcroForm /Fields")?;
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
        Some(id) => update.put(id, &Object::Dictionary(acroform))?,
        None => catalog.set("AcroForm", Object::Dictionary(acroform)),
    }
    update.put(root_id, &Object::Dictionary(catalog))?;

    let mut annots = resolve_array(doc, page.get(b"Annots").ok(), "page /Annots")?;
    annots.push(Object::Reference(field_id));
    page.set("Annots", Object::Array(annots));
    update.put(page_id, &Object::Dictionary(page))?;

    let mut field = Dictionary::new();
    field.set("Type", Object::Name(b"Annot".to_vec()));
    field.set("Subtype", Object::Name(b"Widget".to_vec()));
    field.set("FT", Object::Name(b"Sig".to_vec()));
    field.set(
        "T",
        Object::string_literal(format!("{name_prefix}{}", existing_signatures + 1)),
    );
    field.set("V", Object::Reference(sig_id));
    field.set("F", Object::Integer(132));
    field.set(
        "Rect",
        Object::Array(rect.iter().map(|v| Object::Real(*v)).collect()),
    );
    field.set("P", Object::Reference(page_id));
    let mut ap = Dictionary::new();
    ap.set("N", Object::Reference(appearance_id));
    field.set("AP", Object::Dictionary(ap));
    update.put(field_id, &Object::Dictionary(field))?;
    update.put(appearance_id, &Object::Stream(appearance))?;
    Ok(field_id)
}

/// The array at `value` (inline or indirect), or an empty one.
pub(crate) fn resolve_array(
    doc: &Document,
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

/// Reads `pdf`, refusing encrypted files.
pub(crate) fn load(pdf: &[u8]) -> Result<Document, PadesError> {
    let doc = Document::load_mem(pdf).map_err(|e| PadesError::NotAPdf {
        reason: e.to_string(),
    })?;
    if doc.trailer.get(b"Encrypt").is_ok() || doc.is_encrypted() {
        return Err(PadesError::Encrypted);
    }
    Ok(doc)
}

pub(crate) fn serialize(object: &Object) -> Result<Vec<u8>, PadesError> {
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
