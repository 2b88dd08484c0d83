//! The laid-out document as PDF bytes. The only module that knows printpdf
//! (and lopdf and allsorts, which printpdf builds on): fonts are subset to the
//! glyphs the document uses before they are embedded, and the file is saved
//! deterministically — fixed resource ids, dates from the report's generation
//! time, and a file identifier derived from the content.

use std::collections::{BTreeMap, BTreeSet};

use printpdf::{
    Color, FontId, Line, LinePoint, Mm, Op, PageAnnotId, PageAnnotation, PaintMode, ParsedFont, PdfDocument, PdfFont,
    PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, Rect, TextItem, TextMatrix,
};
use sha2::{Digest, Sha256};
use thiserror::Error;

use super::fonts::Face;
use super::layout::{Document, Item, PAGE_H, PAGE_W, Rgb};

/// The PDF could not be produced.
#[derive(Debug, Error, miette::Diagnostic)]
pub enum RenderError {
    /// A font could not be subset or parsed.
    #[error("cannot embed font `{font}`: {reason}")]
    #[diagnostic(code(cordon::report::font))]
    Font {
        /// The font.
        font: &'static str,
        /// Why.
        reason: String,
    },
    /// The PDF could not be serialised.
    #[error("cannot write the PDF: {0}")]
    #[diagnostic(code(cordon::report::pdf))]
    Save(String),
}

/// A rendered PDF and what printpdf said while making it.
pub struct Rendered {
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// Warnings from the PDF library (none expected).
    pub warnings: Vec<String>,
}

fn colour(c: Rgb) -> Color {
    Color::Rgb(printpdf::Rgb::new(f32::from(c.0) / 255.0, f32::from(c.1) / 255.0, f32::from(c.2) / 255.0, None))
}

fn pt(mm: f32) -> Pt {
    Mm(mm).into()
}

/// A point from top-left millimetres to PDF's bottom-left points.
fn point(x: f32, y: f32) -> Point {
    Point { x: pt(x), y: pt(PAGE_H - y) }
}

/// Subsets a face to the glyphs of `chars` and parses the result for printpdf.
fn subset_face(face: Face, chars: &BTreeSet<char>) -> Result<ParsedFont, RenderError> {
    use allsorts::binary::read::ReadScope;
    use allsorts::font_data::FontData;
    use allsorts::subset::{CmapTarget, SubsetProfile, subset};

    let err = |reason: String| RenderError::Font { font: face.postscript_name(), reason };
    // Glyph 0 (.notdef) first, then every glyph used, each once.
    let mut ids: Vec<u16> = vec![0];
    let used: BTreeSet<u16> = chars.iter().filter_map(|c| super::fonts::glyph_id(face, *c)).collect();
    ids.extend(used);
    let scope = ReadScope::new(face.bytes());
    let data = scope.read::<FontData<'_>>().map_err(|e| err(e.to_string()))?;
    let provider = data.table_provider(0).map_err(|e| err(e.to_string()))?;
    let bytes = subset(&provider, &ids, &SubsetProfile::Pdf, CmapTarget::Unicode).map_err(|e| err(e.to_string()))?;
    let mut warnings = Vec::new();
    let mut parsed =
        ParsedFont::from_bytes(&bytes, 0, &mut warnings).ok_or_else(|| err("the subset does not parse".into()))?;
    // A subset font's name carries a six-letter tag (ISO 32000-1, 9.6.4).
    parsed.font_name = Some(format!("{}+{}", face.resource_id(), face.postscript_name()));
    Ok(parsed)
}

/// Renders a document to PDF bytes.
pub fn render(doc: &Document) -> Result<Rendered, RenderError> {
    // Which characters each face draws.
    let mut used: BTreeMap<Face, BTreeSet<char>> = BTreeMap::new();
    for page in &doc.pages {
        for item in &page.items {
            if let Item::Text { runs, .. } = item {
                for r in runs {
                    used.entry(r.face).or_default().extend(r.text.chars());
                }
            }
        }
    }
    let mut pdf = PdfDocument::new(&doc.info.title);
    for (face, chars) in &used {
        let parsed = subset_face(*face, chars)?;
        pdf.resources.fonts.map.insert(FontId(face.resource_id().to_string()), PdfFont::new(parsed));
    }
    let pages: Vec<PdfPage> =
        doc.pages.iter().map(|p| PdfPage::new(Mm(PAGE_W), Mm(PAGE_H), page_ops(&p.items))).collect();
    // Metadata from the report, never from the clock.
    let ts = time::OffsetDateTime::parse(&doc.info.created, &time::format_description::well_known::Rfc3339)
        .map(|t| t.unix_timestamp())
        .unwrap_or(0);
    let when = printpdf::OffsetDateTime::from_unix_timestamp(ts).map_err(|e| RenderError::Save(e.to_string()))?;
    let info = &mut pdf.metadata.info;
    info.creation_date = when;
    info.modification_date = when;
    info.metadata_date = when;
    info.author = doc.info.author.clone();
    info.subject = doc.info.subject.clone();
    info.creator = "Cordon".to_string();
    info.producer = format!("Cordon {}", env!("CARGO_PKG_VERSION"));
    for (i, (title, page)) in doc.outline.iter().enumerate() {
        pdf.bookmarks.map.insert(
            PageAnnotId(format!("cordon-bookmark-{i:04}")),
            PageAnnotation { name: title.clone(), page: page + 1 },
        );
    }
    pdf.with_pages(pages);
    let opts = PdfSaveOptions { subset_fonts: false, ..PdfSaveOptions::default() };
    let mut warnings = Vec::new();
    let mut lo = pdf.to_lopdf_document(&opts, &mut warnings);
    // A file identifier derived from the content, not from a counter.
    let id: Vec<u8> = Sha256::digest(doc.info.identity.as_bytes())[..16].to_vec();
    lo.trailer.set(
        "ID",
        lopdf::Object::Array(vec![
            lopdf::Object::String(id.clone(), lopdf::StringFormat::Hexadecimal),
            lopdf::Object::String(id, lopdf::StringFormat::Hexadecimal),
        ]),
    );
    if let Ok(r) = lo.trailer.get(b"Info").and_then(lopdf::Object::as_reference)
        && let Ok(dict) = lo.get_dictionary_mut(r)
    {
        // printpdf writes an empty PDF/X version and a non-standard key.
        dict.remove(b"GTS_PDFXVersion");
        dict.remove(b"Identifier");
    }
    lo.compress();
    let mut bytes = Vec::new();
    lo.save_to(&mut bytes).map_err(|e| RenderError::Save(e.to_string()))?;
    Ok(Rendered { bytes, warnings: warnings.into_iter().map(|w| w.msg).collect() })
}

fn page_ops(items: &[Item]) -> Vec<Op> {
    let mut ops = Vec::with_capacity(items.len() * 4);
    for item in items {
        match item {
            Item::Rect { x, y, w, h, fill } => {
                ops.push(Op::SetFillColor { col: colour(*fill) });
                ops.push(Op::DrawRectangle {
                    rectangle: Rect {
                        x: pt(*x),
                        y: pt(PAGE_H - y - h),
                        width: pt(*w),
                        height: pt(*h),
                        mode: Some(PaintMode::Fill),
                        winding_order: None,
                    },
                });
            }
            Item::Line { x1, y1, x2, y2, width, color } => {
                ops.push(Op::SetOutlineColor { col: colour(*color) });
                ops.push(Op::SetOutlineThickness { pt: Pt(*width) });
                ops.push(Op::DrawLine {
                    line: Line {
                        points: vec![
                            LinePoint { p: point(*x1, *y1), bezier: false },
                            LinePoint { p: point(*x2, *y2), bezier: false },
                        ],
                        is_closed: false,
                    },
                });
            }
            Item::Text { x, y, size, color, runs } => {
                ops.push(Op::SetFillColor { col: colour(*color) });
                ops.push(Op::StartTextSection);
                let p = point(*x, *y);
                ops.push(Op::SetTextMatrix { matrix: TextMatrix::Translate(p.x, p.y) });
                for r in runs {
                    ops.push(Op::SetFont {
                        font: PdfFontHandle::External(FontId(r.face.resource_id().to_string())),
                        size: Pt(*size),
                    });
                    ops.push(Op::ShowText { items: vec![TextItem::Text(r.text.clone())] });
                }
                ops.push(Op::EndTextSection);
            }
        }
    }
    ops
}
