//! Sealing a PDF (PAdES baseline B-B) through a [`Signer`].
//!
//! The original bytes are kept as they are; an incremental update is appended with a signature
//! field (a merged field + widget, invisible or with a visible seal block in the document's
//! language and an embedded subset font, see `appearance_stream`), the updated catalog
//! (`/AcroForm`, `/SigFlags 3`) and page (`/Annots`), and a `/Sig` dictionary
//! (`/Filter /Adobe.PPKLite`, `/SubFilter /ETSI.CAdES.detached`, `/M`, `/ByteRange`,
//! `/Contents`). The digest covers the whole file but the `/Contents` hex string; the CMS built
//! around the signer's signature ([`crate::cms`]) is written into the reserved space.
//!
//! [`seal_pdf_with`] also adds a signature timestamp when a TSA answers (B-T). B-LT/B-LTA (DSS,
//! document timestamps) are added later by [`crate::augment`].

use lopdf::{Dictionary, Object, Stream, StringFormat};
use sealdesk_seal::augment::Services;
use sealdesk_seal::certificate::CertificateInfo;
use sealdesk_seal::verify::BaselineLevel;
use sealdesk_seal::{tsp, Signer};
use time::OffsetDateTime;

use crate::error::PadesError;
use crate::update::{self, pdf_date, serialize, Update};

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

/// A sealed PDF and the level it reached.
#[derive(Debug, Clone)]
pub struct SealedPdf {
    /// The sealed file: the original bytes followed by one incremental update.
    pub pdf: Vec<u8>,
    /// B-B, or B-T when the signature timestamp was added.
    pub level: BaselineLevel,
    /// Why a timestamp was asked for but not added (the seal is B-B; augmentation adds it later).
    pub timestamp_error: Option<String>,
}

/// Seals `pdf` at `at` (written as `/M`; the CMS carries no signing-time) with `signer`:
/// PAdES B-B, offline.
///
/// Returns the sealed file: the original bytes followed by one incremental update.
pub fn seal_pdf(
    pdf: &[u8],
    signer: &dyn Signer,
    options: &PdfSealOptions,
    at: OffsetDateTime,
) -> Result<Vec<u8>, PadesError> {
    seal_pdf_with(pdf, signer, options, None, at).map(|s| s.pdf)
}

/// Seals `pdf` like [`seal_pdf`] and, when `services` are given, asks their TSA for a signature
/// timestamp over the signature value (unsigned attribute id-aa-signatureTimeStampToken):
/// PAdES B-T. A TSA that cannot be reached does not waste the token signature: the seal is
/// returned at B-B with [`SealedPdf::timestamp_error`] set (augmentation adds it later).
pub fn seal_pdf_with(
    pdf: &[u8],
    signer: &dyn Signer,
    options: &PdfSealOptions,
    services: Option<&Services<'_>>,
    at: OffsetDateTime,
) -> Result<SealedPdf, PadesError> {
    let _span = tracing::info_span!("pades.seal", bytes = pdf.len()).entered();
    let doc = update::load(pdf)?;
    let mut up = Update::new(&doc);
    let sig_id = up.new_id();
    let rect = if options.visible {
        options.rect
    } else {
        [0.0; 4]
    };
    let info = CertificateInfo::from_der(signer.certificate()).ok();
    let appearance = appearance_stream(&mut up, info.as_ref(), rect, at, &document_language(&doc))?;
    update::add_signature_field(
        &doc,
        &mut up,
        options.page,
        rect,
        appearance,
        sig_id,
        "Seal",
    )?;

    // The signature dictionary, with fixed-width placeholders patched below.
    let certificates_len: usize =
        signer.certificate().len() + signer.chain().iter().map(Vec::len).sum::<usize>();
    let reserved = certificates_len
        + options.reserve
        + if services.is_some() {
            TIMESTAMP_RESERVE
        } else {
            0
        };
    let mut head = Vec::new();
    head.extend_from_slice(
        b"/Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /M ",
    );
    head.extend(serialize(&Object::string_literal(pdf_date(at)?))?);
    if let Some(name) = info
        .as_ref()
        .and_then(|i| i.organization.clone().or_else(|| i.common_name.clone()))
    {
        head.extend_from_slice(b" /Name ");
        head.extend(serialize(&text_string(&name))?);
    }
    up.put_signature(sig_id, &head, reserved);
    let pending = up.write(pdf)?;

    let digest = signer.algorithm().hash().digest(&pending.signed_bytes());
    let mut timestamp_error = None;
    let mut stamp = |signature: &[u8]| -> Option<Vec<u8>> {
        let services = services?;
        match tsp::timestamp(services.fetch, &services.tsa_url, signature) {
            Ok(token) => Some(token),
            Err(e) => {
                tracing::warn!(error = %e, "no signature timestamp: the seal stays B-B");
                timestamp_error = Some(e.to_string());
                None
            }
        }
    };
    let (cms, stamped) = crate::cms::build_signed_data(signer, &digest, &mut stamp)?;
    let out = pending.finish(&cms)?;
    tracing::info!(cms_bytes = cms.len(), stamped, "pdf sealed");
    Ok(SealedPdf {
        pdf: out,
        level: if stamped {
            BaselineLevel::BT
        } else {
            BaselineLevel::BB
        },
        timestamp_error,
    })
}

/// Room for a signature timestamp token (with its TSA certificates) in `/Contents`.
const TIMESTAMP_RESERVE: usize = 12 * 1024;

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

/// The document's language: the primary subtag of the catalog's `/Lang` (`bg-BG` → `bg`),
/// lower case; English when the PDF does not say.
fn document_language(doc: &lopdf::Document) -> String {
    let bytes = match doc.catalog().and_then(|c| c.get(b"Lang")) {
        Ok(Object::String(bytes, _)) => bytes.clone(),
        _ => return "en".to_owned(),
    };
    let text = match bytes.strip_prefix(&[0xfe, 0xff]) {
        Some(utf16) => String::from_utf16_lossy(
            &utf16
                .chunks_exact(2)
                .map(|p| u16::from_be_bytes([p[0], p[1]]))
                .collect::<Vec<_>>(),
        ),
        None => String::from_utf8_lossy(&bytes).into_owned(),
    };
    let primary: String = text
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if primary.len() >= 2 && primary.chars().all(|c| c.is_ascii_lowercase()) {
        primary
    } else {
        "en".to_owned()
    }
}

/// The font size of the block's text, points: 9, smaller when the longest line would not fit
/// `room` points (never under 5: a holder name that long is clipped rather than unreadable).
const BLOCK_FONT_SIZE: f32 = 9.0;

/// The visible seal block: a framed box with holder, organisation identifier and time, labelled
/// in `lang` (the words of `sealdesk_typeset::labels`), drawn in an embedded subset of DejaVu
/// Sans (Type0/CIDFontType2, Identity-H, `/ToUnicode`) whose objects are added to `up`. An
/// invisible seal (`rect` all zeros) gets an empty appearance that names no font.
pub(crate) fn appearance_stream(
    up: &mut Update<'_>,
    info: Option<&CertificateInfo>,
    rect: [f32; 4],
    at: OffsetDateTime,
    lang: &str,
) -> Result<Stream, PadesError> {
    use sealdesk_typeset::labels::label;

    let width = (rect[2] - rect[0]).max(0.0);
    let height = (rect[3] - rect[1]).max(0.0);
    let mut resources = Dictionary::new();
    let mut content = Vec::new();
    if width > 0.0 && height > 0.0 {
        let holder = info
            .and_then(|i| i.organization.clone().or_else(|| i.common_name.clone()))
            .unwrap_or_else(|| "-".to_owned());
        let org_id = info
            .and_then(|i| i.organization_identifier.clone())
            .unwrap_or_else(|| "-".to_owned());
        let t = at.to_offset(time::UtcOffset::UTC);
        let when = format!(
            "{:04}-{:02}-{:02} {:02}:{:02} UTC",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute()
        );
        let lines = [
            format!("{}: {holder}", label(lang, "sealHolder")),
            format!("{}: {org_id}", label(lang, "orgIdentifier")),
            format!("{}: {when}", label(lang, "sealedAt")),
        ];
        let font = sealdesk_typeset::subset_text(sealdesk_typeset::Face::Regular, &lines.concat())
            .map_err(PadesError::SealBlockFont)?;
        let widest = lines
            .iter()
            .map(|l| font.width(l))
            .max()
            .unwrap_or(0)
            .max(1);
        let room = (width - 12.0).max(1.0);
        let size = (room * 1000.0 / widest as f32).clamp(5.0, BLOCK_FONT_SIZE);
        let leading = size * 1.3;
        content.extend_from_slice(
            format!(
                "q 0.94 0.96 1 rg 0 0 {width} {height} re f 0.1 0.2 0.5 RG 1 w 0.5 0.5 {} {} re S Q\n",
                width - 1.0,
                height - 1.0
            )
            .as_bytes(),
        );
        // Clip to the frame, then the lines from the top, vertically centred.
        let block = leading * (lines.len() as f32 - 1.0) + size;
        let top = ((height + block) / 2.0 - size * 0.8).min(height - 4.0 - size * 0.8);
        content.extend_from_slice(
            format!(
                "q 1 1 {} {} re W n BT /F1 {size:.2} Tf 0 0 0 rg {leading:.2} TL 6 {top:.2} Td\n",
                width - 2.0,
                height - 2.0
            )
            .as_bytes(),
        );
        for line in &lines {
            content.push(b'<');
            for c in line.chars() {
                let gid = font.glyphs.get(&c).map_or(0, |g| g.gid);
                content.extend_from_slice(format!("{gid:04X}").as_bytes());
            }
            content.extend_from_slice(b"> Tj T*\n");
        }
        content.extend_from_slice(b"ET Q\n");
        let font_id = put_font(up, &font)?;
        let mut fonts = Dictionary::new();
        fonts.set("F1", Object::Reference(font_id));
        resources.set("Font", Object::Dictionary(fonts));
    }
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
    Ok(Stream::new(dict, content))
}

/// The font program as a stream, deflated. Deflating a subset at lopdf's level 9 cost more than
/// the rest of the seal block, and a batch's blocks mostly share one subset, so the last few
/// results are kept per thread (keyed by the program's bytes: the same input, the same output).
fn compressed_program(dict: Dictionary, program: &[u8]) -> Stream {
    const KEPT: usize = 8;
    thread_local! {
        static DEFLATED: std::cell::RefCell<Vec<(Vec<u8>, Stream)>> =
            const { std::cell::RefCell::new(Vec::new()) };
    }
    let make = || {
        let mut stream = Stream::new(dict, program.to_vec());
        if let Err(e) = stream.compress() {
            // Uncompressed is as valid, only larger.
            tracing::debug!(error = %e, "the seal block's font program is stored uncompressed");
        }
        stream
    };
    DEFLATED.with(|kept| {
        let Ok(mut kept) = kept.try_borrow_mut() else {
            return make();
        };
        // The dictionary depends on the program only (its Length1), so the kept stream is whole.
        if let Some((_, stream)) = kept.iter().find(|(bytes, _)| bytes.as_slice() == program) {
            return stream.clone();
        }
        let stream = make();
        if kept.len() == KEPT {
            kept.remove(0);
        }
        kept.push((program.to_vec(), stream.clone()));
        stream
    })
}

/// Adds a Type0 font (Identity-H over a CIDFontType2 with the embedded subset program, `/W`
/// from the advances, `/ToUnicode` so the block is real text) to `up`; returns its id.
fn put_font(
    up: &mut Update<'_>,
    font: &sealdesk_typeset::TextSubset,
) -> Result<lopdf::ObjectId, PadesError> {
    let name = || Object::Name(font.font.name.as_bytes().to_vec());
    let mut glyphs: Vec<(u16, u16, char)> = font
        .glyphs
        .iter()
        .filter(|(_, g)| g.gid != 0)
        .map(|(c, g)| (g.gid, g.advance, *c))
        .collect();
    glyphs.sort_unstable();
    glyphs.dedup_by_key(|(gid, ..)| *gid);

    let mut program = Dictionary::new();
    program.set("Length1", Object::Integer(font.font.program.len() as i64));
    let program = compressed_program(program, &font.font.program);
    let program_id = up.new_id();
    up.put(program_id, &Object::Stream(program))?;

    let m = font.metrics;
    let mut descriptor = Dictionary::new();
    descriptor.set("Type", Object::Name(b"FontDescriptor".to_vec()));
    descriptor.set("FontName", name());
    descriptor.set("Flags", Object::Integer(4));
    descriptor.set(
        "FontBBox",
        Object::Array(
            m.bbox
                .iter()
                .map(|v| Object::Integer((*v).into()))
                .collect(),
        ),
    );
    descriptor.set("ItalicAngle", Object::Integer(0));
    descriptor.set("Ascent", Object::Integer(m.ascent.into()));
    descriptor.set("Descent", Object::Integer(m.descent.into()));
    descriptor.set("CapHeight", Object::Integer(m.cap_height.into()));
    descriptor.set("StemV", Object::Integer(80));
    descriptor.set("FontFile2", Object::Reference(program_id));
    let descriptor_id = up.new_id();
    up.put(descriptor_id, &Object::Dictionary(descriptor))?;

    let mut widths = Vec::new();
    for (gid, advance, _) in &glyphs {
        widths.push(Object::Integer((*gid).into()));
        widths.push(Object::Array(vec![Object::Integer((*advance).into())]));
    }
    let mut system = Dictionary::new();
    system.set("Registry", Object::string_literal("Adobe"));
    system.set("Ordering", Object::string_literal("Identity"));
    system.set("Supplement", Object::Integer(0));
    let mut cid = Dictionary::new();
    cid.set("Type", Object::Name(b"Font".to_vec()));
    cid.set("Subtype", Object::Name(b"CIDFontType2".to_vec()));
    cid.set("BaseFont", name());
    cid.set("CIDSystemInfo", Object::Dictionary(system));
    cid.set("FontDescriptor", Object::Reference(descriptor_id));
    cid.set("DW", Object::Integer(1000));
    cid.set("W", Object::Array(widths));
    cid.set("CIDToGIDMap", Object::Name(b"Identity".to_vec()));
    let cid_id = up.new_id();
    up.put(cid_id, &Object::Dictionary(cid))?;

    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    for chunk in glyphs.chunks(100) {
        cmap.push_str(&format!("{} beginbfchar\n", chunk.len()));
        for (gid, _, c) in chunk {
            let mut units = [0u16; 2];
            let hex: String = c
                .encode_utf16(&mut units)
                .iter()
                .map(|u| format!("{u:04X}"))
                .collect();
            cmap.push_str(&format!("<{gid:04X}> <{hex}>\n"));
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    let to_unicode_id = up.new_id();
    up.put(
        to_unicode_id,
        &Object::Stream(Stream::new(Dictionary::new(), cmap.into_bytes())),
    )?;

    let mut type0 = Dictionary::new();
    type0.set("Type", Object::Name(b"Font".to_vec()));
    type0.set("Subtype", Object::Name(b"Type0".to_vec()));
    type0.set("BaseFont", name());
    type0.set("Encoding", Object::Name(b"Identity-H".to_vec()));
    type0.set(
        "DescendantFonts",
        Object::Array(vec![Object::Reference(cid_id)]),
    );
    type0.set("ToUnicode", Object::Reference(to_unicode_id));
    let font_id = up.new_id();
    up.put(font_id, &Object::Dictionary(type0))?;
    Ok(font_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::dictionary;

    fn with_lang(lang: Option<Object>) -> lopdf::Document {
        let mut doc = lopdf::Document::with_version("1.7");
        let mut catalog = dictionary! { "Type" => "Catalog" };
        if let Some(lang) = lang {
            catalog.set("Lang", lang);
        }
        let id = doc.add_object(catalog);
        doc.trailer.set("Root", id);
        doc
    }

    #[test]
    fn the_block_speaks_the_primary_subtag_of_the_catalog_lang_else_english() {
        let cases = [
            (Some(Object::string_literal("bg")), "bg"),
            (Some(Object::string_literal("EL-gr")), "el"),
            (Some(text_string("hu_HU")), "hu"),
            (
                Some(Object::String(
                    vec![0xfe, 0xff, 0, b'l', 0, b't'],
                    StringFormat::Hexadecimal,
                )),
                "lt",
            ),
            (Some(Object::string_literal("")), "en"),
            (Some(Object::string_literal("x1")), "en"),
            (Some(Object::Integer(3)), "en"),
            (None, "en"),
        ];
        for (lang, expected) in cases {
            let shown = format!("{lang:?}");
            assert_eq!(
                document_language(&with_lang(lang)),
                expected,
                "/Lang {shown}"
            );
        }
    }
}
