//! A small, honest A4 layout engine on top of printpdf: the document-building primitives
//! ([`Document`] with headings, paragraphs, key/value rows, tables, a title band with a logo, a
//! boxed block), shared by every PDF Sealdesk writes (credential, summary, later the MCRA).
//!
//! What it does: measures every string with the embedded DejaVu Sans glyph advances, wraps at
//! spaces (and inside over-long words), breaks pages before a row that does not fit (table
//! headers repeat), numbers pages, draws the SPECIMEN watermark when asked, embeds the fonts
//! as subsets and writes the document metadata (title, author, subject, keywords, `/Lang`).
//! What it does not: shaping (ligatures, right-to-left, combining marks are drawn as single
//! glyphs), hyphenation, justification. Latin, Greek and Cyrillic render correctly.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use printpdf::{
    Color, ExtendedGraphicsState, ExtendedGraphicsStateId, FontId, Line, LinePoint, Mm, Op,
    PaintMode, ParsedFont, PdfDocument, PdfFont, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt,
    Rect, TextItem, TextMatrix, XObjectId, XObjectTransform,
};
use sealdesk_typeset::Face as TypesetFace;
use time::OffsetDateTime;

use crate::error::RenderError;

/// A4 width in points.
pub const PAGE_WIDTH: f32 = 595.276;
/// A4 height in points.
pub const PAGE_HEIGHT: f32 = 841.89;

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb {
    /// Red, 0–255.
    pub r: u8,
    /// Green, 0–255.
    pub g: u8,
    /// Blue, 0–255.
    pub b: u8,
}

impl Rgb {
    /// A colour from its components.
    pub const fn new(r: u8, g: u8, b: u8) -> Self {
        Self { r, g, b }
    }

    /// Reads `#rrggbb` or `rrggbb`.
    pub fn parse_hex(text: &str) -> Result<Self, RenderError> {
        let hex = text.trim().trim_start_matches('#');
        let bad = || RenderError::BadColour {
            value: text.to_owned(),
        };
        if hex.len() != 6 || !hex.is_ascii() {
            return Err(bad());
        }
        let part = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|_| bad());
        Ok(Self::new(part(0)?, part(2)?, part(4)?))
    }

    /// The colour mixed with white: `amount` 0 keeps it, 1 gives white.
    pub fn tint(self, amount: f32) -> Self {
        let mix = |c: u8| (f32::from(c) + (255.0 - f32::from(c)) * amount.clamp(0.0, 1.0)) as u8;
        Self::new(mix(self.r), mix(self.g), mix(self.b))
    }

    fn pdf(self) -> Color {
        Color::Rgb(printpdf::Rgb::new(
            f32::from(self.r) / 255.0,
            f32::from(self.g) / 255.0,
            f32::from(self.b) / 255.0,
            None,
        ))
    }
}

/// Colours and sizes of a document.
#[derive(Debug, Clone, PartialEq)]
pub struct Style {
    /// Title band, headings, table headers (the institution's colour).
    pub accent: Rgb,
    /// Body text.
    pub text: Rgb,
    /// Labels, footers.
    pub muted: Rgb,
    /// Body text size in points.
    pub body_size: f32,
    /// Page margin in points (all sides).
    pub margin: f32,
}

impl Default for Style {
    fn default() -> Self {
        Self {
            accent: Rgb::new(0x1f, 0x4e, 0x79),
            text: Rgb::new(0x1a, 0x1a, 0x1a),
            muted: Rgb::new(0x5f, 0x63, 0x68),
            body_size: 10.0,
            margin: 50.0,
        }
    }
}

/// Document metadata, written to the PDF's info dictionary and catalog.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentInfo {
    /// `/Title` (viewers show it instead of the file name).
    pub title: String,
    /// `/Author` (for a credential: the issuer).
    pub author: String,
    /// `/Subject`.
    pub subject: String,
    /// `/Keywords`.
    pub keywords: Vec<String>,
    /// `/Lang` of the catalog, BCP 47 (`en`, `bg`).
    pub language: String,
    /// `/CreationDate` and `/ModDate` (passed in: no clock here).
    pub created: OffsetDateTime,
    /// The footer line on every page (left of the page number).
    pub footer: String,
}

/// The two embedded faces, parsed once per process, with the advance of every character below
/// [`ADVANCES_BELOW`] looked up once (measuring text is most of laying it out).
struct Fonts {
    regular: ParsedFont,
    bold: ParsedFont,
    /// Advances in font units by code point, regular then bold.
    advances: [Vec<u16>; 2],
}

/// Characters whose advances [`Fonts`] keeps in a table: Latin, Greek, Cyrillic, general
/// punctuation (dashes, quotes), currency; others are looked up in the font each time.
const ADVANCES_BELOW: u32 = 0x20D0;

fn advance(font: &ParsedFont, c: u32) -> u16 {
    let gid = font.lookup_glyph_index(c).unwrap_or(0);
    font.get_glyph_width(gid).unwrap_or(0)
}

fn fonts() -> Result<&'static Fonts, RenderError> {
    static FONTS: OnceLock<Option<Fonts>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut warnings = Vec::new();
            let regular = ParsedFont::from_bytes(TypesetFace::Regular.program(), 0, &mut warnings)?;
            let bold = ParsedFont::from_bytes(TypesetFace::Bold.program(), 0, &mut warnings)?;
            let table = |font: &ParsedFont| (0..ADVANCES_BELOW).map(|c| advance(font, c)).collect();
            let advances = [table(&regular), table(&bold)];
            Some(Fonts {
                regular,
                bold,
                advances,
            })
        })
        .as_ref()
        .ok_or(RenderError::FontUnreadable)
}

/// Regular or bold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    /// DejaVu Sans.
    Regular,
    /// DejaVu Sans Bold.
    Bold,
}

fn face(fonts: &Fonts, weight: Weight) -> &ParsedFont {
    match weight {
        Weight::Regular => &fonts.regular,
        Weight::Bold => &fonts.bold,
    }
}

/// Width of `text` in points at `size` (glyph advances of the embedded font; a character the
/// font lacks counts as its `.notdef` box).
pub fn text_width(text: &str, weight: Weight, size: f32) -> Result<f32, RenderError> {
    Ok(measure(fonts()?, text, weight, size))
}

fn measure(fonts: &Fonts, text: &str, weight: Weight, size: f32) -> f32 {
    points(fonts, weight, units(fonts, text, weight), size)
}

/// Font units to points at `size`.
fn points(fonts: &Fonts, weight: Weight, units: u32, size: f32) -> f32 {
    units as f32 / f32::from(face(fonts, weight).units_per_em.max(1)) * size
}

/// Width of `text` in font units.
fn units(fonts: &Fonts, text: &str, weight: Weight) -> u32 {
    let font = face(fonts, weight);
    let table = &fonts.advances[usize::from(weight == Weight::Bold)];
    text.chars()
        .map(|c| {
            let c = u32::from(c);
            u32::from(
                table
                    .get(c as usize)
                    .copied()
                    .unwrap_or_else(|| advance(font, c)),
            )
        })
        .sum()
}

/// A word cut after each '/' (places to break a URI). Not after '-': text extractors
/// (pdftotext) join a line ending in '-' with the next one and drop the hyphen.
fn pieces(word: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in word.char_indices() {
        if c == '/' {
            let end = i + c.len_utf8();
            out.push(&word[start..end]);
            start = end;
        }
    }
    if start < word.len() {
        out.push(&word[start..]);
    }
    out
}

/// Greedy line breaking at spaces; a word wider than `width` is broken between characters.
fn wrap(fonts: &Fonts, text: &str, weight: Weight, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    // Widths are summed in font units, so a line's width is known without measuring it again.
    let space = units(fonts, " ", weight);
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut line_units = 0u32;
        for word in paragraph.split_whitespace() {
            let word_units = units(fonts, word, weight);
            let candidate = if line.is_empty() {
                word_units
            } else {
                line_units + space + word_units
            };
            if points(fonts, weight, candidate, size) <= width {
                if !line.is_empty() {
                    line.push(' ');
                }
                line.push_str(word);
                line_units = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if points(fonts, weight, word_units, size) <= width {
                line = word.to_owned();
                line_units = word_units;
                continue;
            }
            // An over-long word (a URI): break after '/' where possible, else anywhere.
            for piece in pieces(word) {
                let mut next = line.clone();
                next.push_str(piece);
                if line.is_empty() || measure(fonts, &next, weight, size) <= width {
                    line = next;
                } else {
                    lines.push(std::mem::replace(&mut line, piece.to_owned()));
                }
                while measure(fonts, &line, weight, size) > width && line.chars().count() > 1 {
                    let mut head = String::new();
                    let mut rest = line.chars().peekable();
                    while let Some(c) = rest.peek().copied() {
                        head.push(c);
                        if !head.is_empty() && measure(fonts, &head, weight, size) > width {
                            head.pop();
                            break;
                        }
                        rest.next();
                    }
                    if head.is_empty() {
                        break;
                    }
                    let tail: String = rest.collect();
                    lines.push(head);
                    line = tail;
                }
            }
            line_units = units(fonts, &line, weight);
        }
        lines.push(line);
    }
    lines
}

/// The subset of `font` (the face `weight`) holding `chars` (and `.notdef`), made by
/// [`sealdesk_typeset::subset`] (named `TAG+name` as ISO 32000-1 9.6.4 asks; equal glyph sets
/// get equal names). Its own cmap maps the characters to the renumbered glyphs.
fn subset(
    font: &ParsedFont,
    weight: Weight,
    chars: &BTreeSet<char>,
) -> Result<ParsedFont, RenderError> {
    let face = match weight {
        Weight::Regular => TypesetFace::Regular,
        Weight::Bold => TypesetFace::Bold,
    };
    let glyphs: BTreeSet<u16> = chars
        .iter()
        .filter_map(|c| font.lookup_glyph_index(u32::from(*c)))
        .collect();
    // Made and parsed once per face and glyph set (crate::reuse).
    crate::reuse::subset(face.name(), glyphs, |glyphs| {
        let made =
            sealdesk_typeset::subset(face, glyphs).map_err(|e| RenderError::PdfNotWritten {
                reason: e.to_string(),
            })?;
        let mut warnings = Vec::new();
        let mut parsed =
            ParsedFont::from_bytes(&made.program, 0, &mut warnings).ok_or_else(|| {
                RenderError::PdfNotWritten {
                    reason: format!("font subset of {}: re-read: {warnings:?}", face.name()),
                }
            })?;
        parsed.font_name = Some(made.name);
        Ok(parsed)
    })
}

/// A column of a [`Document::table`]: its header and its share of the text width.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Header text.
    pub title: String,
    /// Share of the content width (the shares of a table are normalised to sum 1).
    pub share: f32,
}

impl Column {
    /// A column.
    pub fn new(title: impl Into<String>, share: f32) -> Self {
        Self {
            title: title.into(),
            share,
        }
    }
}

/// An A4 document being laid out from top to bottom; [`Document::finish`] writes the PDF.
pub struct Document {
    info: DocumentInfo,
    style: Style,
    fonts: &'static Fonts,
    pdf: PdfDocument,
    regular: FontId,
    bold: FontId,
    /// Characters drawn per face (regular, bold): the subsets embedded at the end.
    used: [BTreeSet<char>; 2],
    pages: Vec<Vec<Op>>,
    /// Top of the free space on the current page, in points from the page bottom.
    y: f32,
    watermark: Option<String>,
    /// The area kept free by [`Document::reserve`]: (page, 1-based; rectangle).
    reserved: Option<(u32, [f32; 4])>,
}

impl Document {
    /// A new document with one empty page. `watermark` (e.g. `SPECIMEN`) is drawn across every
    /// page when the document is finished; `None` draws nothing.
    pub fn new(
        info: DocumentInfo,
        style: Style,
        watermark: Option<String>,
    ) -> Result<Self, RenderError> {
        let fonts = fonts()?;
        let pdf = PdfDocument::new(&info.title);
        // The faces are registered in `finish`, as subsets of the characters drawn.
        let mut doc = Self {
            info,
            style,
            fonts,
            pdf,
            regular: FontId("F1".to_owned()),
            bold: FontId("F2".to_owned()),
            used: [BTreeSet::new(), BTreeSet::new()],
            pages: Vec::new(),
            y: 0.0,
            watermark,
            reserved: None,
        };
        doc.new_page();
        Ok(doc)
    }

    /// The style in use.
    pub fn style(&self) -> &Style {
        &self.style
    }

    /// Number of pages so far.
    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    fn content_width(&self) -> f32 {
        PAGE_WIDTH - 2.0 * self.style.margin
    }

    fn bottom(&self) -> f32 {
        // Room for the footer (its rule is at margin + 12).
        self.style.margin + 26.0
    }

    fn line_height(size: f32) -> f32 {
        size * 1.38
    }

    /// Starts a new page (continuation pages carry the title in small print at the top).
    pub fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = PAGE_HEIGHT - self.style.margin;
        if self.pages.len() > 1 {
            let title = self.info.title.clone();
            let muted = self.style.muted;
            self.text_at(
                self.style.margin,
                self.y - 8.0,
                &title,
                Weight::Regular,
                8.0,
                muted,
            );
            self.y -= 22.0;
        }
    }

    /// Makes sure `height` points fit on the current page, else starts a new one.
    pub fn ensure_space(&mut self, height: f32) {
        if self.y - height < self.bottom() {
            self.new_page();
        }
    }

    /// Keeps an empty `width` × `height` area at the left margin below what is drawn so far
    /// (on a new page if it does not fit), e.g. for a visible signature field added later;
    /// returns (page, 1-based; `[x1, y1, x2, y2]` in points), also kept in [`Self::reserved`].
    pub fn reserve(&mut self, width: f32, height: f32) -> (u32, [f32; 4]) {
        self.ensure_space(height);
        let x = self.style.margin;
        let rect = [x, self.y - height, x + width, self.y];
        let area = (self.pages.len() as u32, rect);
        self.y -= height + 8.0;
        self.reserved = Some(area);
        area
    }

    /// The area last kept free by [`Self::reserve`].
    pub fn reserved(&self) -> Option<(u32, [f32; 4])> {
        self.reserved
    }

    /// Vertical space.
    pub fn spacer(&mut self, height: f32) {
        self.y -= height;
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn font(&self, weight: Weight) -> PdfFontHandle {
        PdfFontHandle::External(match weight {
            Weight::Regular => self.regular.clone(),
            Weight::Bold => self.bold.clone(),
        })
    }

    /// One line of text with its baseline at (`x`, `y`).
    fn text_at(&mut self, x: f32, y: f32, text: &str, weight: Weight, size: f32, colour: Rgb) {
        if text.is_empty() {
            return;
        }
        self.record(weight, text);
        let font = self.font(weight);
        self.ops().extend([
            Op::StartTextSection,
            Op::SetFont {
                font,
                size: Pt(size),
            },
            Op::SetFillColor { col: colour.pdf() },
            Op::SetTextMatrix {
                matrix: TextMatrix::Translate(Pt(x), Pt(y)),
            },
            Op::ShowText {
                items: vec![TextItem::Text(text.to_owned())],
            },
            Op::EndTextSection,
        ]);
    }

    fn record(&mut self, weight: Weight, text: &str) {
        let set = match weight {
            Weight::Regular => &mut self.used[0],
            Weight::Bold => &mut self.used[1],
        };
        set.extend(text.chars());
    }

    fn rect(&mut self, x: f32, y: f32, width: f32, height: f32, fill: Rgb) {
        self.ops().extend([
            Op::SetFillColor { col: fill.pdf() },
            Op::DrawRectangle {
                rectangle: Rect {
                    x: Pt(x),
                    y: Pt(y),
                    width: Pt(width),
                    height: Pt(height),
                    mode: Some(PaintMode::Fill),
                    winding_order: None,
                },
            },
        ]);
    }

    fn hline(&mut self, x1: f32, x2: f32, y: f32, colour: Rgb, thickness: f32) {
        let point = |x: f32| LinePoint {
            p: Point { x: Pt(x), y: Pt(y) },
            bezier: false,
        };
        self.ops().extend([
            Op::SetOutlineColor { col: colour.pdf() },
            Op::SetOutlineThickness { pt: Pt(thickness) },
            Op::DrawLine {
                line: Line {
                    points: vec![point(x1), point(x2)],
                    is_closed: false,
                },
            },
        ]);
    }

    /// Wrapped lines of `text` at `x` within `width`, from the cursor down; breaks pages
    /// between lines. Returns nothing; the cursor ends below the last line.
    fn lines(&mut self, x: f32, width: f32, text: &str, weight: Weight, size: f32, colour: Rgb) {
        let lh = Self::line_height(size);
        for line in wrap(self.fonts, text, weight, size, width) {
            self.ensure_space(lh);
            self.y -= lh;
            self.text_at(x, self.y + lh * 0.25, &line, weight, size, colour);
        }
    }

    /// The title band at the top of the current page: accent background, title, subtitle and,
    /// when given, a logo (PNG or JPEG bytes) on the right. A logo that cannot be decoded is
    /// left out (logged), not an error: the credential's content matters, not its decoration.
    pub fn title_band(&mut self, title: &str, subtitle: &str, logo: Option<&[u8]>) {
        let m = self.style.margin;
        let band_top = self.y + 10.0;
        let logo_box = 64.0;
        let logo_id = logo.and_then(|bytes| self.add_image(bytes));
        let text_width = self.content_width()
            - 20.0
            - if logo_id.is_some() {
                logo_box + 12.0
            } else {
                0.0
            };
        let title_lines = wrap(self.fonts, title, Weight::Bold, 20.0, text_width);
        let subtitle_lines = wrap(self.fonts, subtitle, Weight::Regular, 11.0, text_width);
        let text_height = title_lines.len() as f32 * Self::line_height(20.0)
            + subtitle_lines.len() as f32 * Self::line_height(11.0);
        let height = (text_height + 28.0).max(logo_box + 20.0);
        let accent = self.style.accent;
        self.rect(
            m - 10.0,
            band_top - height,
            self.content_width() + 20.0,
            height,
            accent,
        );
        let white = Rgb::new(255, 255, 255);
        let mut y = band_top - 14.0;
        for line in &title_lines {
            y -= Self::line_height(20.0);
            self.text_at(m + 4.0, y + 6.0, line, Weight::Bold, 20.0, white);
        }
        for line in &subtitle_lines {
            y -= Self::line_height(11.0);
            self.text_at(
                m + 4.0,
                y + 3.0,
                line,
                Weight::Regular,
                11.0,
                accent.tint(0.8),
            );
        }
        if let Some((id, w, h)) = logo_id {
            let x = m + self.content_width() - logo_box;
            let y = band_top - 10.0 - logo_box;
            self.rect(x - 4.0, y - 4.0, logo_box + 8.0, logo_box + 8.0, white);
            let scale = (logo_box / w).min(logo_box / h);
            let (dw, dh) = (w * scale, h * scale);
            self.ops().push(Op::UseXobject {
                id,
                transform: XObjectTransform {
                    translate_x: Some(Pt(x + (logo_box - dw) / 2.0)),
                    translate_y: Some(Pt(y + (logo_box - dh) / 2.0)),
                    scale_x: Some(scale),
                    scale_y: Some(scale),
                    dpi: Some(72.0),
                    ..Default::default()
                },
            });
        }
        self.y = band_top - height - 16.0;
    }

    /// Decodes and registers an image; `(id, width px, height px)`.
    /// Decoded and compressed once per process (`crate::reuse::logo`).
    fn add_image(&mut self, bytes: &[u8]) -> Option<(XObjectId, f32, f32)> {
        let logo = crate::reuse::logo(bytes)?;
        // A name of our own (printpdf's are random): the same inputs give the same bytes,
        // which the batch's PDF step relies on.
        let id = XObjectId(format!("Im{}", self.pdf.resources.xobjects.map.len() + 1));
        self.pdf
            .resources
            .xobjects
            .map
            .insert(id.clone(), logo.xobject);
        Some((id, logo.width, logo.height))
    }

    /// A section heading (bold, accent colour, rule below). It is never left alone at the
    /// bottom of a page: the heading and two lines below it fit, or a new page starts.
    pub fn heading(&mut self, text: &str) {
        let size = 13.0;
        self.ensure_space(
            Self::line_height(size) + 18.0 + 3.0 * Self::line_height(self.style.body_size),
        );
        self.y -= 12.0;
        let (m, w, accent) = (self.style.margin, self.content_width(), self.style.accent);
        self.lines(m, w, text, Weight::Bold, size, accent);
        self.hline(m, m + w, self.y + 1.0, accent.tint(0.5), 0.8);
        self.y -= 6.0;
    }

    /// A smaller heading inside a section.
    pub fn subheading(&mut self, text: &str) {
        let size = self.style.body_size + 1.0;
        // Kept with what follows: room for the heading and a few rows (or a table's first).
        self.ensure_space(Self::line_height(size) + 64.0);
        self.y -= 4.0;
        let (m, w, colour) = (self.style.margin, self.content_width(), self.style.text);
        self.lines(m, w, text, Weight::Bold, size, colour);
        self.y -= 2.0;
    }

    /// A wrapped paragraph of body text.
    pub fn paragraph(&mut self, text: &str) {
        let (m, w, size, colour) = (
            self.style.margin,
            self.content_width(),
            self.style.body_size,
            self.style.text,
        );
        self.lines(m, w, text, Weight::Regular, size, colour);
        self.y -= 4.0;
    }

    /// A key/value row: the key in a narrow muted column, the value wrapped beside it. Rows
    /// whose value is empty are skipped.
    pub fn key_value(&mut self, key: &str, value: &str) {
        if value.trim().is_empty() {
            return;
        }
        let size = self.style.body_size;
        let key_width = self.content_width() * 0.32;
        let value_width = self.content_width() - key_width - 10.0;
        let key_lines = wrap(self.fonts, key, Weight::Bold, size - 1.0, key_width);
        let value_lines = wrap(self.fonts, value, Weight::Regular, size, value_width);
        let lh = Self::line_height(size);
        let rows = key_lines.len().max(value_lines.len());
        let height = rows as f32 * lh + 3.0;
        let page_room = PAGE_HEIGHT - 2.0 * self.style.margin - 40.0;
        if height > self.y - self.bottom() && height <= page_room {
            self.new_page();
        }
        if height <= self.y - self.bottom() {
            let top = self.y;
            let (m, muted, text) = (self.style.margin, self.style.muted, self.style.text);
            for (i, line) in key_lines.iter().enumerate() {
                let y = top - (i as f32 + 1.0) * lh + lh * 0.25;
                self.text_at(m, y, line, Weight::Bold, size - 1.0, muted);
            }
            for (i, line) in value_lines.iter().enumerate() {
                let y = top - (i as f32 + 1.0) * lh + lh * 0.25;
                self.text_at(m + key_width + 10.0, y, line, Weight::Regular, size, text);
            }
            self.y = top - rows as f32 * lh - 3.0;
        } else {
            // Taller than a page: the key, then the value line by line across pages.
            self.ensure_space(2.0 * lh);
            let (m, muted, text) = (self.style.margin, self.style.muted, self.style.text);
            self.lines(m, key_width, key, Weight::Bold, size - 1.0, muted);
            self.lines(
                m + key_width + 10.0,
                value_width,
                value,
                Weight::Regular,
                size,
                text,
            );
            self.y -= 3.0;
        }
    }

    /// A subheading followed by a table, kept together: the caption, the header and the first
    /// row start on the same page.
    pub fn captioned_table(&mut self, caption: &str, columns: &[Column], rows: &[Vec<String>]) {
        let size = self.style.body_size - 1.0;
        let lh = Self::line_height(size);
        let total: f32 = columns.iter().map(|c| c.share.max(0.01)).sum();
        let first_row = rows.first().map_or(lh, |row| {
            columns
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let width = c.share.max(0.01) / total * self.content_width() - 8.0;
                    let text = row.get(i).map_or("", String::as_str);
                    wrap(self.fonts, text, Weight::Regular, size, width).len()
                })
                .max()
                .unwrap_or(1) as f32
                * lh
        });
        let needed = Self::line_height(self.style.body_size + 1.0) + 2.0 * lh + first_row + 30.0;
        self.ensure_space(needed.min(PAGE_HEIGHT / 2.0));
        self.subheading(caption);
        self.table(columns, rows);
    }

    /// A table: a header row in the accent colour, then the rows with wrapped cells. A row
    /// never splits across pages (unless it is taller than a page); the header repeats on
    /// each new page.
    pub fn table(&mut self, columns: &[Column], rows: &[Vec<String>]) {
        if columns.is_empty() {
            return;
        }
        let size = self.style.body_size - 1.0;
        let lh = Self::line_height(size);
        let pad = 4.0;
        let total: f32 = columns.iter().map(|c| c.share.max(0.01)).sum();
        let widths: Vec<f32> = columns
            .iter()
            .map(|c| c.share.max(0.01) / total * self.content_width())
            .collect();
        let cell_lines = |fonts: &Fonts, cells: &[String], weight: Weight| -> Vec<Vec<String>> {
            widths
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    let text = cells.get(i).map_or("", String::as_str);
                    wrap(fonts, text, weight, size, w - 2.0 * pad)
                })
                .collect()
        };
        let header: Vec<String> = columns.iter().map(|c| c.title.clone()).collect();
        let header_lines = cell_lines(self.fonts, &header, Weight::Bold);
        let header_height =
            header_lines.iter().map(Vec::len).max().unwrap_or(1) as f32 * lh + 2.0 * pad;
        let draw_header = |doc: &mut Document| {
            let (m, accent) = (doc.style.margin, doc.style.accent);
            let top = doc.y;
            doc.rect(
                m,
                top - header_height,
                doc.content_width(),
                header_height,
                accent.tint(0.82),
            );
            let mut x = m;
            for (i, lines) in header_lines.iter().enumerate() {
                for (j, line) in lines.iter().enumerate() {
                    let y = top - pad - (j as f32 + 1.0) * lh + lh * 0.25;
                    doc.text_at(x + pad, y, line, Weight::Bold, size, accent);
                }
                x += widths[i];
            }
            doc.y = top - header_height;
        };
        // The header never stands alone: it and the first row fit, or a new page starts.
        let first_row = rows.first().map_or(lh + 2.0 * pad, |row| {
            let lines = cell_lines(self.fonts, row, Weight::Regular);
            lines.iter().map(Vec::len).max().unwrap_or(1) as f32 * lh + 2.0 * pad
        });
        self.ensure_space(header_height + first_row.min(PAGE_HEIGHT / 3.0));
        draw_header(self);
        for (r, row) in rows.iter().enumerate() {
            let lines = cell_lines(self.fonts, row, Weight::Regular);
            let height = lines.iter().map(Vec::len).max().unwrap_or(1) as f32 * lh + 2.0 * pad;
            if self.y - height < self.bottom() {
                self.new_page();
                draw_header(self);
            }
            let (m, text, accent) = (self.style.margin, self.style.text, self.style.accent);
            let top = self.y;
            if r % 2 == 1 {
                self.rect(
                    m,
                    top - height,
                    self.content_width(),
                    height,
                    accent.tint(0.95),
                );
            }
            let mut x = m;
            for (i, cell) in lines.iter().enumerate() {
                for (j, line) in cell.iter().enumerate() {
                    let y = top - pad - (j as f32 + 1.0) * lh + lh * 0.25;
                    if y < self.bottom() {
                        break;
                    }
                    self.text_at(x + pad, y, line, Weight::Regular, size, text);
                }
                x += widths[i];
            }
            self.y = top - height;
            self.hline(m, m + self.content_width(), self.y, accent.tint(0.75), 0.4);
        }
        self.y -= 8.0;
    }

    /// A framed block (accent border, tinted background) with a title and key/value rows:
    /// used for the seal. It is kept on one page.
    pub fn boxed(&mut self, title: &str, rows: &[(String, String)]) {
        let size = self.style.body_size;
        let lh = Self::line_height(size);
        let pad = 8.0;
        let key_width = self.content_width() * 0.3;
        let value_width = self.content_width() - key_width - 2.0 * pad - 10.0;
        let laid: Vec<(Vec<String>, Vec<String>)> = rows
            .iter()
            .map(|(k, v)| {
                (
                    wrap(self.fonts, k, Weight::Bold, size - 1.0, key_width - pad),
                    wrap(self.fonts, v, Weight::Regular, size, value_width),
                )
            })
            .collect();
        let body_lines: usize = laid.iter().map(|(k, v)| k.len().max(v.len())).sum();
        let height = Self::line_height(size + 1.0) + body_lines as f32 * lh + 3.0 * pad;
        self.ensure_space(height + 10.0);
        self.y -= 6.0;
        let (m, w, accent, muted, text) = (
            self.style.margin,
            self.content_width(),
            self.style.accent,
            self.style.muted,
            self.style.text,
        );
        let top = self.y;
        self.rect(m, top - height, w, height, accent);
        self.rect(
            m + 1.2,
            top - height + 1.2,
            w - 2.4,
            height - 2.4,
            accent.tint(0.93),
        );
        let mut y = top - pad - Self::line_height(size + 1.0);
        self.text_at(m + pad, y + 4.0, title, Weight::Bold, size + 1.0, accent);
        y -= pad / 2.0;
        for (keys, values) in &laid {
            for (i, line) in keys.iter().enumerate() {
                self.text_at(
                    m + pad,
                    y - (i as f32 + 1.0) * lh + lh * 0.25,
                    line,
                    Weight::Bold,
                    size - 1.0,
                    muted,
                );
            }
            for (i, line) in values.iter().enumerate() {
                let x = m + pad + key_width + 10.0;
                self.text_at(
                    x,
                    y - (i as f32 + 1.0) * lh + lh * 0.25,
                    line,
                    Weight::Regular,
                    size,
                    text,
                );
            }
            y -= keys.len().max(values.len()) as f32 * lh;
        }
        self.y = top - height - 8.0;
    }

    fn alpha_state(&mut self) -> ExtendedGraphicsStateId {
        let id = ExtendedGraphicsStateId("GS1".to_owned());
        self.pdf.resources.extgstates.map.insert(
            id.clone(),
            ExtendedGraphicsState::default().with_current_fill_alpha(0.16),
        );
        id
    }

    /// Writes the PDF: footers with page numbers, the watermark if any, subset fonts,
    /// metadata and `/Lang`.
    pub fn finish(mut self) -> Result<Vec<u8>, RenderError> {
        let _span = tracing::info_span!("render.finish", pages = self.pages.len()).entered();
        let count = self.pages.len();
        let footer = self.info.footer.clone();
        let watermark = self.watermark.clone();
        let gs = watermark.as_ref().map(|_| self.alpha_state());
        let (m, muted) = (self.style.margin, self.style.muted);
        let pages = std::mem::take(&mut self.pages);
        let mut finished = Vec::with_capacity(count);
        for (index, ops) in pages.into_iter().enumerate() {
            self.pages.push(ops);
            let number = format!("{} / {count}", index + 1);
            let number_width = measure(self.fonts, &number, Weight::Regular, 8.0);
            let footer_lines = wrap(
                self.fonts,
                &footer,
                Weight::Regular,
                8.0,
                self.content_width() - number_width - 20.0,
            );
            self.hline(m, PAGE_WIDTH - m, m + 12.0, muted.tint(0.6), 0.4);
            if let Some(first) = footer_lines.first() {
                self.text_at(m, m, first, Weight::Regular, 8.0, muted);
            }
            self.text_at(
                PAGE_WIDTH - m - number_width,
                m,
                &number,
                Weight::Regular,
                8.0,
                muted,
            );
            if let (Some(text), Some(gs)) = (&watermark, &gs) {
                self.watermark_ops(text, gs.clone());
            }
            let ops = self.pages.pop().unwrap_or_default();
            finished.push(PdfPage::new(Mm(210.0), Mm(297.0), ops));
        }
        self.pdf.with_pages(finished);
        for (index, (id, weight)) in [
            (self.regular.clone(), Weight::Regular),
            (self.bold.clone(), Weight::Bold),
        ]
        .into_iter()
        .enumerate()
        {
            if self.used[index].is_empty() {
                continue;
            }
            let subset = subset(face(self.fonts, weight), weight, &self.used[index])?;
            self.pdf
                .resources
                .fonts
                .map
                .insert(id, PdfFont::new(subset));
        }
        let meta = &mut self.pdf.metadata.info;
        meta.document_title = self.info.title.clone();
        meta.author = self.info.author.clone();
        meta.subject = self.info.subject.clone();
        meta.keywords = self.info.keywords.clone();
        meta.creator = "Sealdesk".to_owned();
        meta.producer = format!("sealdesk-render {} (printpdf)", env!("CARGO_PKG_VERSION"));
        let created = printpdf::DateTime::from_unix_timestamp(self.info.created.unix_timestamp())
            .unwrap_or(printpdf::DateTime::epoch());
        meta.creation_date = created;
        meta.modification_date = created;
        meta.metadata_date = created;
        let options = PdfSaveOptions {
            subset_fonts: true,
            // The logo goes in lossless (Flate) as decoded, without printpdf's automatic
            // optimisation (a trial of encodings per image: a third of the time of a PDF).
            image_optimization: Some(printpdf::ImageOptimizationOptions {
                auto_optimize: Some(false),
                format: Some(printpdf::ImageCompression::Flate),
                ..Default::default()
            }),
            ..PdfSaveOptions::default()
        };
        let mut warnings = Vec::new();
        let mut lo = self.pdf.to_lopdf_document(&options, &mut warnings);
        lo.version = "1.7".to_owned();
        let root = lo
            .trailer
            .get(b"Root")
            .and_then(lopdf::Object::as_reference)
            .map_err(|e| RenderError::PdfNotWritten {
                reason: format!("no catalog: {e}"),
            })?;
        let catalog = lo
            .get_object_mut(root)
            .and_then(lopdf::Object::as_dict_mut)
            .map_err(|e| RenderError::PdfNotWritten {
                reason: format!("catalog: {e}"),
            })?;
        catalog.set(
            "Lang",
            lopdf::Object::string_literal(self.info.language.as_bytes().to_vec()),
        );
        let mut prefs = lopdf::Dictionary::new();
        prefs.set("DisplayDocTitle", true);
        catalog.set("ViewerPreferences", prefs);
        crate::reuse::compress_streams(&mut lo);
        // The file identifier (ISO 32000-1 14.4) from the content, not printpdf's random one:
        // written as a placeholder of the same length, then replaced by a digest of the file.
        const PLACEHOLDER: &[u8; 32] = b"SEALDESKFILEIDENTIFIERPLACEHOLDR";
        let placeholder = || lopdf::Object::string_literal(PLACEHOLDER.to_vec());
        lo.trailer.set(
            "ID",
            lopdf::Object::Array(vec![placeholder(), placeholder()]),
        );
        let mut out = Vec::new();
        lo.save_to(&mut out)
            .map_err(|e| RenderError::PdfNotWritten {
                reason: e.to_string(),
            })?;
        let digest = file_identifier(&out);
        let mut at = 0;
        while let Some(i) = out[at..]
            .windows(PLACEHOLDER.len())
            .position(|w| w == PLACEHOLDER)
        {
            out[at + i..at + i + PLACEHOLDER.len()].copy_from_slice(&digest);
            at += i + PLACEHOLDER.len();
        }
        Ok(out)
    }

    /// The watermark across the current page: large, light, at 45°, centred.
    fn watermark_ops(&mut self, text: &str, gs: ExtendedGraphicsStateId) {
        let size = 110.0;
        let width = measure(self.fonts, text, Weight::Bold, size);
        let (c, s) = (
            std::f32::consts::FRAC_1_SQRT_2,
            std::f32::consts::FRAC_1_SQRT_2,
        );
        // Centre of the text's box (width × cap height ~0.73 em) at the page centre.
        let (half_w, half_h) = (width / 2.0, size * 0.73 / 2.0);
        let x = PAGE_WIDTH / 2.0 - (c * half_w - s * half_h);
        let y = PAGE_HEIGHT / 2.0 - (s * half_w + c * half_h);
        self.record(Weight::Bold, text);
        let font = self.font(Weight::Bold);
        let colour = Rgb::new(0xb0, 0x1c, 0x1c);
        self.ops().extend([
            Op::SaveGraphicsState,
            Op::LoadGraphicsState { gs },
            Op::StartTextSection,
            Op::SetFont {
                font,
                size: Pt(size),
            },
            Op::SetFillColor { col: colour.pdf() },
            Op::SetTextMatrix {
                matrix: TextMatrix::Raw([c, s, -s, c, x, y]),
            },
            Op::ShowText {
                items: vec![TextItem::Text(text.to_owned())],
            },
            Op::EndTextSection,
            Op::RestoreGraphicsState,
        ]);
    }
}

/// 32 hex digits that identify `bytes` (two FNV-1a 64-bit hashes with different seeds): a file
/// identifier, not a security digest (the PAdES seal covers the file).
fn file_identifier(bytes: &[u8]) -> [u8; 32] {
    let fnv = |seed: u64| {
        bytes.iter().fold(seed, |h, b| {
            (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    let text = format!(
        "{:016x}{:016x}",
        fnv(0xcbf2_9ce4_8422_2325),
        fnv(0x6c62_272e_07bb_0142)
    );
    let mut out = [b'0'; 32];
    out.copy_from_slice(&text.as_bytes()[..32]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_respects_the_width_and_keeps_every_word() {
        let fonts = fonts().expect("embedded fonts parse");
        let text = "Communication, collaboration and creativity — Комуникация, сътрудничество и творчество";
        let lines = wrap(fonts, text, Weight::Regular, 10.0, 120.0);
        assert!(
            lines.len() > 2,
            "a long text wraps into several lines: {lines:?}"
        );
        for line in &lines {
            assert!(
                measure(fonts, line, Weight::Regular, 10.0) <= 120.0,
                "line {line:?} fits the width"
            );
        }
        assert_eq!(lines.join(" "), text, "wrapping loses or reorders nothing");
        let uri = "http://data.europa.eu/esco/skill/ccdf3597-5c80-410f-896d-e1bdfa223de9";
        let lines = wrap(fonts, uri, Weight::Regular, 10.0, 200.0);
        assert_eq!(
            lines.concat(),
            uri,
            "a URI is split, not changed: {lines:?}"
        );
        assert!(lines[0].ends_with('/'), "a URI breaks after '/': {lines:?}");
        for line in &lines {
            assert!(
                measure(fonts, line, Weight::Regular, 10.0) <= 200.0,
                "URI line {line:?} fits"
            );
        }
    }

    #[test]
    fn widths_come_from_the_font() {
        let fonts = fonts().expect("embedded fonts parse");
        let narrow = measure(fonts, "iiii", Weight::Regular, 10.0);
        let wide = measure(fonts, "WWWW", Weight::Regular, 10.0);
        assert!(
            wide > 2.0 * narrow,
            "W is much wider than i ({wide} vs {narrow})"
        );
        let bold = measure(fonts, "WWWW", Weight::Bold, 10.0);
        assert!(bold > wide, "bold is wider ({bold} vs {wide})");
        let greek = measure(fonts, "Ελληνικά", Weight::Regular, 10.0);
        assert!(greek > 20.0, "Greek glyphs have real advances ({greek})");
    }

    #[test]
    fn hex_colours_parse_and_bad_ones_are_refused() {
        assert_eq!(
            Rgb::parse_hex("#1F4E79").expect("valid"),
            Rgb::new(0x1f, 0x4e, 0x79),
            "hex colour"
        );
        assert!(
            Rgb::parse_hex("blue").is_err(),
            "a name is not a hex colour"
        );
        assert!(Rgb::parse_hex("#12345").is_err(), "five digits are refused");
    }
}
