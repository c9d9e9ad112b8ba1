//! The two faces every Sealdesk PDF is printed in (DejaVu Sans and Sans Bold, shipped in
//! `assets/fonts/`, see `SOURCE.md` there) and their subsets: [`subset`] keeps the glyphs a
//! document draws (allsorts, TrueType out, named `TAG+DejaVuSans` as ISO 32000-1 9.6.4 asks);
//! [`subset_text`] does the same for a string and says how to draw it (glyph ids in the subset,
//! advances, the face's metrics), for writers that build the PDF font objects themselves (the
//! PAdES seal block). Not here: PDF objects, layout, measuring for line breaks (the render
//! crate measures with printpdf's parsed faces).

use std::collections::{BTreeMap, BTreeSet};

use allsorts::binary::read::ReadScope;
use allsorts::font::MatchingPresentation;
use allsorts::font_data::FontData;
use allsorts::subset::{CmapTarget, SubsetProfile};

use crate::error::TypesetError;

const REGULAR_TTF: &[u8] = include_bytes!("../../../../assets/fonts/DejaVuSans.ttf");
const BOLD_TTF: &[u8] = include_bytes!("../../../../assets/fonts/DejaVuSans-Bold.ttf");

/// One of the embedded faces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Face {
    /// DejaVu Sans.
    Regular,
    /// DejaVu Sans Bold.
    Bold,
}

impl Face {
    /// The whole font program (TrueType), as shipped.
    pub fn program(self) -> &'static [u8] {
        match self {
            Face::Regular => REGULAR_TTF,
            Face::Bold => BOLD_TTF,
        }
    }

    /// The PostScript name, without a subset tag.
    pub fn name(self) -> &'static str {
        match self {
            Face::Regular => "DejaVuSans",
            Face::Bold => "DejaVuSans-Bold",
        }
    }
}

/// A subset font program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subset {
    /// TrueType font program holding `.notdef` and the kept glyphs, with a Unicode cmap.
    pub program: Vec<u8>,
    /// `TAG+DejaVuSans`: the tag derives from the glyph set, so equal subsets get equal names.
    pub name: String,
}

/// The subset of `face` holding `.notdef` (glyph 0) and `glyphs` (ids in the whole face; 0 is
/// ignored). In the subset, the k-th of `glyphs` in ascending order (0 left out) is glyph k + 1.
pub fn subset(face: Face, glyphs: &BTreeSet<u16>) -> Result<Subset, TypesetError> {
    let not_made = |what: &str, e: &dyn std::fmt::Display| TypesetError::SubsetNotMade {
        face: face.name(),
        reason: format!("{what}: {e}"),
    };
    let ids: Vec<u16> = std::iter::once(0)
        .chain(glyphs.iter().copied().filter(|gid| *gid != 0))
        .collect();
    let data = ReadScope::new(face.program())
        .read::<FontData<'_>>()
        .map_err(|e| not_made("read", &e))?;
    let provider = data.table_provider(0).map_err(|e| not_made("tables", &e))?;
    let program =
        allsorts::subset::subset(&provider, &ids, &SubsetProfile::Pdf, CmapTarget::Unicode)
            .map_err(|e| not_made("subset", &e))?;
    // FNV-1a over the glyph ids, spelled in six capital letters.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for gid in &ids {
        for byte in gid.to_be_bytes() {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    let tag: String = (0..6)
        .map(|i| char::from(b'A' + ((hash >> (i * 8)) % 26) as u8))
        .collect();
    Ok(Subset {
        program,
        name: format!("{tag}+{}", face.name()),
    })
}

/// How one character is drawn with a [`TextSubset`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Glyph {
    /// Glyph id in the subset (0 = `.notdef`: the face lacks the character).
    pub gid: u16,
    /// Advance width in thousandths of the font size (PDF glyph space).
    pub advance: u16,
}

/// Metrics of a face in thousandths of the font size, for a PDF font descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metrics {
    /// Ascender (above the baseline).
    pub ascent: i16,
    /// Descender (negative: below the baseline).
    pub descent: i16,
    /// Height of capital letters.
    pub cap_height: i16,
    /// Bounding box of all glyphs `[x_min, y_min, x_max, y_max]`.
    pub bbox: [i16; 4],
}

/// A subset made for one string, with what a PDF writer needs to draw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextSubset {
    /// The subset font program.
    pub font: Subset,
    /// Every character of the string, with its glyph in the subset.
    pub glyphs: BTreeMap<char, Glyph>,
    /// The face's metrics.
    pub metrics: Metrics,
}

impl TextSubset {
    /// Width of `text` in thousandths of the font size (characters outside the subset count
    /// as `.notdef`'s advance).
    pub fn width(&self, text: &str) -> u32 {
        let notdef = self
            .glyphs
            .values()
            .find(|g| g.gid == 0)
            .map_or(0, |g| g.advance);
        text.chars()
            .map(|c| u32::from(self.glyphs.get(&c).map_or(notdef, |g| g.advance)))
            .sum()
    }
}

/// The subset of `face` holding the characters of `text`, with each character's glyph id in
/// the subset and advance, and the face's metrics. The same character set gives the same
/// subset, so the last few are kept per process (a batch seals its PDFs' blocks with one set,
/// but for the time's digits): a kept one costs a copy instead of parsing and subsetting.
pub fn subset_text(face: Face, text: &str) -> Result<TextSubset, TypesetError> {
    use std::sync::{Mutex, OnceLock};
    /// How many character sets are kept (enough for a batch's blocks, small in memory).
    const KEPT: usize = 16;
    type Kept = Vec<((Face, String), TextSubset)>;
    static CACHE: OnceLock<Mutex<Kept>> = OnceLock::new();

    let chars: BTreeSet<char> = text.chars().collect();
    let key = (face, chars.iter().collect::<String>());
    let cache = CACHE.get_or_init(|| Mutex::new(Vec::new()));
    if let Ok(kept) = cache.lock() {
        if let Some((_, made)) = kept.iter().find(|(k, _)| *k == key) {
            return Ok(made.clone());
        }
    }
    let made = make_text_subset(face, &chars)?;
    if let Ok(mut kept) = cache.lock() {
        if kept.len() >= KEPT {
            kept.remove(0);
        }
        kept.push((key, made.clone()));
    }
    Ok(made)
}

fn make_text_subset(face: Face, chars: &BTreeSet<char>) -> Result<TextSubset, TypesetError> {
    let not_read = |e: &dyn std::fmt::Display| TypesetError::FaceUnreadable {
        face: face.name(),
        reason: e.to_string(),
    };
    let data = ReadScope::new(face.program())
        .read::<FontData<'_>>()
        .map_err(|e| not_read(&e))?;
    let provider = data.table_provider(0).map_err(|e| not_read(&e))?;
    let mut font = allsorts::Font::new(provider).map_err(|e| not_read(&e))?;
    let per_em = u32::from(font.head_table.units_per_em.max(1));
    let scale = |v: i32| -> i16 {
        i16::try_from(v * 1000 / per_em as i32).unwrap_or(if v < 0 { i16::MIN } else { i16::MAX })
    };
    let mut original: BTreeMap<char, (u16, u16)> = BTreeMap::new();
    for c in chars {
        let (gid, _) = font.lookup_glyph_index(*c, MatchingPresentation::NotRequired, None);
        let advance = font.horizontal_advance(gid).unwrap_or(0);
        let advance = u16::try_from(u32::from(advance) * 1000 / per_em).unwrap_or(u16::MAX);
        original.insert(*c, (gid, advance));
    }
    let kept: BTreeSet<u16> = original.values().map(|(gid, _)| *gid).collect();
    let renumbered: BTreeMap<u16, u16> = kept
        .iter()
        .filter(|gid| **gid != 0)
        .enumerate()
        .map(|(k, gid)| (*gid, u16::try_from(k + 1).unwrap_or(0)))
        .collect();
    let glyphs = original
        .into_iter()
        .map(|(c, (gid, advance))| {
            let gid = renumbered.get(&gid).copied().unwrap_or(0);
            (c, Glyph { gid, advance })
        })
        .collect();
    let cap_height = font
        .os2_table()
        .ok()
        .flatten()
        .and_then(|os2| os2.version2to4.map(|v| v.s_cap_height))
        .map(i32::from)
        .unwrap_or(i32::from(font.hhea_table.ascender));
    let head = &font.head_table;
    let metrics = Metrics {
        ascent: scale(i32::from(font.hhea_table.ascender)),
        descent: scale(i32::from(font.hhea_table.descender)),
        cap_height: scale(cap_height),
        bbox: [
            scale(i32::from(head.x_min)),
            scale(i32::from(head.y_min)),
            scale(i32::from(head.x_max)),
            scale(i32::from(head.y_max)),
        ],
    };
    Ok(TextSubset {
        font: subset(face, &kept)?,
        glyphs,
        metrics,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_subset_maps_every_character_to_its_glyph_in_the_subset() {
        let text = "Подпечатано от Σφραγίστηκε Łódź 09:30";
        let made = subset_text(Face::Regular, text).expect("DejaVu Sans subsets");
        assert!(
            made.font.name.ends_with("+DejaVuSans") && made.font.name.len() == 17,
            "a tagged subset name: {}",
            made.font.name
        );
        assert!(
            made.font.program.len() < Face::Regular.program().len() / 10,
            "a subset is much smaller than the face: {} bytes",
            made.font.program.len()
        );
        for c in text.chars() {
            let glyph = made.glyphs.get(&c).expect("every character is mapped");
            assert!(glyph.gid != 0, "DejaVu Sans has {c:?}");
            assert!(glyph.advance > 0, "{c:?} has an advance");
        }
        // Read the subset back: its own cmap must send each character to the glyph we name.
        let data = ReadScope::new(&made.font.program)
            .read::<FontData<'_>>()
            .expect("the subset is a font");
        let provider = data.table_provider(0).expect("tables");
        let mut back = allsorts::Font::new(provider).expect("the subset parses");
        for (c, glyph) in &made.glyphs {
            let (gid, _) = back.lookup_glyph_index(*c, MatchingPresentation::NotRequired, None);
            assert_eq!(gid, glyph.gid, "the subset's cmap agrees for {c:?}");
        }
        assert!(
            made.metrics.ascent > 700 && made.metrics.descent < -200,
            "DejaVu's vertical metrics in thousandths: {:?}",
            made.metrics
        );
        assert_eq!(
            made.width("Łó"),
            u32::from(made.glyphs[&'Ł'].advance) + u32::from(made.glyphs[&'ó'].advance),
            "width is the sum of advances"
        );
    }

    #[test]
    fn equal_character_sets_get_equal_subsets_kept_or_fresh_and_others_differ() {
        let fresh =
            make_text_subset(Face::Bold, &"Sealed".chars().collect()).expect("bold subsets");
        let a = subset_text(Face::Bold, "Sealed").expect("bold subsets");
        let b = subset_text(Face::Bold, "dealeS").expect("bold subsets (kept)");
        let c = subset_text(Face::Bold, "Sealed by").expect("bold subsets");
        assert_eq!(a, fresh, "a kept subset is the one made afresh");
        assert_eq!(a, b, "same characters, same subset");
        assert_ne!(
            subset_text(Face::Regular, "Sealed")
                .expect("regular subsets")
                .font,
            a.font,
            "the cache keeps faces apart"
        );
        assert_ne!(a.font.name, c.font.name, "other characters, another tag");
        let missing = subset_text(Face::Regular, "\u{10FFFD}").expect("subsets");
        assert_eq!(
            missing.glyphs[&'\u{10FFFD}'].gid, 0,
            "a character the face lacks is .notdef"
        );
    }
}
