//! What one PDF costs beyond its own text, kept small: the work that is the same for many
//! documents of a process is done once (a logo decoded and compressed, a font subset made and
//! parsed), and the PDF's streams are compressed with one reused compressor at a moderate level.
//!
//! Every cache here is keyed by the exact input (the image bytes; the face and its glyph set) and
//! bounded, so a cached result is the result the uncached path would give and the output stays a
//! function of the document. Not here: layout, the PDF objects themselves (`layout`).

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::{Arc, Mutex};

use flate2::{Compress, Compression, FlushCompress, Status};
use printpdf::{DictItem, ExternalStream, ExternalXObject, ParsedFont, Px, RawImage, XObject};
use printpdf::{RawImageData, RawImageFormat};

/// Flate level of the content and ToUnicode streams (new in every document). Level 9 (lopdf's
/// `compress`) cost about a third of the instructions of a credential PDF; level 3 takes 9 %
/// fewer instructions per PDF than 6 for ~2 % more bytes.
const STREAM_LEVEL: u32 = 3;
/// Flate level of font programs: compressed once per subset ([`deflate_font`] keeps them), so
/// the smaller result is worth the time.
const FONT_LEVEL: u32 = 6;
/// Logos kept decoded and compressed (an institution has few).
const LOGOS_KEPT: usize = 8;
/// Font subsets kept (per face and glyph set; the documents of a batch mostly share one).
const SUBSETS_KEPT: usize = 32;

/// A logo ready to be placed: its image XObject and its size in pixels.
#[derive(Clone)]
pub(crate) struct Logo {
    pub(crate) xobject: XObject,
    pub(crate) width: f32,
    pub(crate) height: f32,
}

type LogoCache = VecDeque<(Arc<[u8]>, Option<Logo>)>;

/// The logo in `bytes` (PNG or JPEG), decoded and Flate-compressed once per process; `None`
/// when it cannot be decoded or is empty (also remembered).
pub(crate) fn logo(bytes: &[u8]) -> Option<Logo> {
    static LOGOS: Mutex<LogoCache> = Mutex::new(VecDeque::new());
    if let Ok(cache) = LOGOS.lock() {
        if let Some((_, logo)) = cache.iter().find(|(key, _)| **key == *bytes) {
            return logo.clone();
        }
    }
    let made = make_logo(bytes);
    if let Ok(mut cache) = LOGOS.lock() {
        if cache.len() >= LOGOS_KEPT {
            cache.pop_front();
        }
        cache.push_back((Arc::from(bytes), made.clone()));
    }
    made
}

fn make_logo(bytes: &[u8]) -> Option<Logo> {
    let mut warnings = Vec::new();
    let image = match RawImage::decode_from_bytes(bytes, &mut warnings) {
        Ok(image) if image.width > 0 && image.height > 0 => image,
        Ok(_) => return None,
        Err(reason) => {
            tracing::warn!(%reason, "logo left out: it is not a readable PNG or JPEG");
            return None;
        }
    };
    let (width, height) = (image.width as f32, image.height as f32);
    let xobject = match image_xobject(&image) {
        Some(external) => XObject::External(external),
        // 16-bit and float images: printpdf's own encoder (per document).
        None => XObject::Image(image),
    };
    Some(Logo {
        xobject,
        width,
        height,
    })
}

/// An 8-bit grey or RGB image (with or without alpha) as an image XObject whose samples are
/// already Flate-compressed (level 9: it is done once), alpha as a `/SMask`: what printpdf
/// writes for the same image, without its per-document encoding.
fn image_xobject(image: &RawImage) -> Option<ExternalXObject> {
    let RawImageData::U8(pixels) = &image.pixels else {
        return None;
    };
    let (channels, space) = match image.data_format {
        RawImageFormat::R8 => (1, "DeviceGray"),
        RawImageFormat::RG8 => (2, "DeviceGray"),
        RawImageFormat::RGB8 => (3, "DeviceRGB"),
        RawImageFormat::RGBA8 => (4, "DeviceRGB"),
        _ => return None,
    };
    if pixels.len() != image.width * image.height * channels {
        return None;
    }
    let colour_channels = if channels % 2 == 0 {
        channels - 1
    } else {
        channels
    };
    let (colour, alpha) = if colour_channels == channels {
        (pixels.clone(), None)
    } else {
        let mut colour = Vec::with_capacity(image.width * image.height * colour_channels);
        let mut alpha = Vec::with_capacity(image.width * image.height);
        for pixel in pixels.chunks_exact(channels) {
            colour.extend_from_slice(&pixel[..colour_channels]);
            alpha.push(pixel[colour_channels]);
        }
        (colour, Some(alpha))
    };
    let name = |n: &str| DictItem::Name(n.as_bytes().to_vec());
    let dict = |space: &str| {
        BTreeMap::from([
            ("Type".to_owned(), name("XObject")),
            ("Subtype".to_owned(), name("Image")),
            ("Width".to_owned(), DictItem::Int(image.width as i64)),
            ("Height".to_owned(), DictItem::Int(image.height as i64)),
            ("BitsPerComponent".to_owned(), DictItem::Int(8)),
            ("ColorSpace".to_owned(), name(space)),
            ("Interpolate".to_owned(), DictItem::Bool(false)),
            ("Filter".to_owned(), name("FlateDecode")),
        ])
    };
    let mut main = dict(space);
    if let Some(alpha) = alpha {
        main.insert(
            "SMask".to_owned(),
            DictItem::Stream {
                stream: ExternalStream {
                    dict: dict("DeviceGray"),
                    content: deflate(&alpha, 9)?,
                    compress: false,
                },
            },
        );
    }
    Some(ExternalXObject {
        stream: ExternalStream {
            dict: main,
            content: deflate(&colour, 9)?,
            compress: false,
        },
        width: Some(Px(image.width)),
        height: Some(Px(image.height)),
        dpi: None,
    })
}

/// The key of a font subset: the face's name and the glyph ids it keeps.
type SubsetKey = (&'static str, BTreeSet<u16>);

/// The parsed subset for `(face, glyphs)`, made by `make` the first time and cloned after that.
pub(crate) fn subset<E>(
    face: &'static str,
    glyphs: BTreeSet<u16>,
    make: impl FnOnce(&BTreeSet<u16>) -> Result<ParsedFont, E>,
) -> Result<ParsedFont, E> {
    static SUBSETS: Mutex<VecDeque<(SubsetKey, ParsedFont)>> = Mutex::new(VecDeque::new());
    let key = (face, glyphs);
    if let Ok(cache) = SUBSETS.lock() {
        if let Some((_, font)) = cache.iter().find(|(k, _)| *k == key) {
            return Ok(font.clone());
        }
    }
    let font = make(&key.1)?;
    if let Ok(mut cache) = SUBSETS.lock() {
        if cache.len() >= SUBSETS_KEPT {
            cache.pop_front();
        }
        cache.push_back((key, font.clone()));
    }
    Ok(font)
}

/// Flate-compresses every stream of `doc` that allows it and has no filter yet, keeping the
/// result only where it is smaller (as lopdf's `Document::compress` does, at
/// [`STREAM_LEVEL`], font programs at [`FONT_LEVEL`], with one compressor per thread and level
/// instead of a new one per stream).
pub(crate) fn compress_streams(doc: &mut lopdf::Document) {
    for object in doc.objects.values_mut() {
        let lopdf::Object::Stream(stream) = object else {
            continue;
        };
        if !stream.allows_compression || stream.dict.get(b"Filter").is_ok() {
            continue;
        }
        // A font program (`/Length1`) is the same bytes in every document with that subset.
        let packed = if stream.dict.has(b"Length1") {
            deflate_font(&stream.content)
        } else {
            deflate(&stream.content, STREAM_LEVEL)
        };
        if let Some(packed) = packed {
            if packed.len() + 19 < stream.content.len() {
                stream.dict.set("Filter", "FlateDecode");
                stream.set_content(packed);
            }
        }
    }
}

type PackedFonts = VecDeque<(Arc<[u8]>, Option<Vec<u8>>)>;

/// [`deflate`] of a font program at [`FONT_LEVEL`], kept for the next document that embeds
/// the same subset (keyed by the exact bytes, so a hit is what compressing again would give).
fn deflate_font(program: &[u8]) -> Option<Vec<u8>> {
    static PACKED: Mutex<PackedFonts> = Mutex::new(VecDeque::new());
    if let Ok(cache) = PACKED.lock() {
        if let Some((_, packed)) = cache.iter().find(|(key, _)| **key == *program) {
            return packed.clone();
        }
    }
    let packed = deflate(program, FONT_LEVEL);
    if let Ok(mut cache) = PACKED.lock() {
        if cache.len() >= SUBSETS_KEPT {
            cache.pop_front();
        }
        cache.push_back((Arc::from(program), packed.clone()));
    }
    packed
}

/// `data` as a zlib stream (`/FlateDecode`) at `level`; one reset compressor per thread and
/// level, so the output is the same as a fresh compressor's.
fn deflate(data: &[u8], level: u32) -> Option<Vec<u8>> {
    thread_local! {
        static COMPRESSORS: RefCell<Vec<(u32, Compress)>> = const { RefCell::new(Vec::new()) };
    }
    COMPRESSORS.with(|cell| {
        let mut compressors = cell.borrow_mut();
        let index = match compressors.iter().position(|(l, _)| *l == level) {
            Some(i) => i,
            None => {
                compressors.push((level, Compress::new(Compression::new(level), true)));
                compressors.len() - 1
            }
        };
        let compressor = &mut compressors[index].1;
        compressor.reset();
        let mut out = Vec::with_capacity(data.len() / 3 + 64);
        loop {
            let read = usize::try_from(compressor.total_in()).ok()?;
            let status = compressor
                .compress_vec(data.get(read..)?, &mut out, FlushCompress::Finish)
                .ok()?;
            match status {
                Status::StreamEnd => return Some(out),
                Status::Ok | Status::BufError => out.reserve(out.capacity().max(256)),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn deflate_round_trips_and_a_reused_compressor_gives_the_same_bytes() {
        let data: Vec<u8> = (0..200_000u32)
            .flat_map(|i| format!("{} {} Td ", i % 97, i % 13).into_bytes())
            .collect();
        let first = deflate(&data, STREAM_LEVEL).expect("compressed");
        let other = deflate(b"something else entirely", STREAM_LEVEL).expect("compressed");
        let again = deflate(&data, STREAM_LEVEL).expect("compressed");
        assert_eq!(first, again, "a reused compressor gives the same bytes");
        assert_ne!(first, other, "different data, different stream");
        let mut back = Vec::new();
        flate2::read::ZlibDecoder::new(first.as_slice())
            .read_to_end(&mut back)
            .expect("a valid zlib stream");
        assert_eq!(back, data, "inflates to the input");
        assert!(
            first.len() < data.len() / 4,
            "it compresses: {}",
            first.len()
        );
        let empty = deflate(b"", STREAM_LEVEL).expect("compressed");
        let mut back = Vec::new();
        flate2::read::ZlibDecoder::new(empty.as_slice())
            .read_to_end(&mut back)
            .expect("a valid zlib stream");
        assert!(back.is_empty(), "empty in, empty out");
    }

    #[test]
    fn a_logo_with_alpha_keeps_its_samples_and_mask() {
        let image = RawImage {
            pixels: RawImageData::U8(vec![10, 20, 30, 255, 40, 50, 60, 0]),
            width: 2,
            height: 1,
            data_format: RawImageFormat::RGBA8,
            tag: Vec::new(),
        };
        let xobject = image_xobject(&image).expect("8-bit RGBA is encoded here");
        let inflate = |bytes: &[u8]| {
            let mut back = Vec::new();
            flate2::read::ZlibDecoder::new(bytes)
                .read_to_end(&mut back)
                .expect("a valid zlib stream");
            back
        };
        assert_eq!(
            inflate(&xobject.stream.content),
            vec![10, 20, 30, 40, 50, 60],
            "the colour samples without alpha"
        );
        let Some(DictItem::Stream { stream: mask }) = xobject.stream.dict.get("SMask") else {
            panic!("an RGBA image has a soft mask: {:?}", xobject.stream.dict);
        };
        assert_eq!(inflate(&mask.content), vec![255, 0], "the alpha samples");
        assert_eq!(
            xobject.stream.dict.get("ColorSpace"),
            Some(&DictItem::Name(b"DeviceRGB".to_vec())),
            "RGB colour space"
        );
        assert_eq!(
            (xobject.width, xobject.height),
            (Some(Px(2)), Some(Px(1))),
            "the pixel size places it like printpdf's own image"
        );
    }
}
