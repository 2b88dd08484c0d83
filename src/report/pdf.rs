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
        // PDF/A: every Info entry must have its XMP twin; empty ones and
        // Trapped (unknown here) are left out rather than mirrored.
        dict.remove(b"Trapped");
        for key in [&b"Keywords"[..], b"Author", b"Subject"] {
            if dict.get(key).and_then(lopdf::Object::as_str).is_ok_and(<[u8]>::is_empty) {
                dict.remove(key);
            }
        }
    }
    pdfa(&mut lo, doc, ts)?;
    lo.compress();
    let mut bytes = Vec::new();
    lo.save_to(&mut bytes).map_err(|e| RenderError::Save(e.to_string()))?;
    Ok(Rendered { bytes, warnings: warnings.into_iter().map(|w| w.msg).collect() })
}

/// Makes the file PDF/A-2b (ISO 19005-2, level B): PDF 1.7, XMP metadata
/// that mirrors the Info dictionary and names the conformance, and an sRGB
/// output intent for the DeviceRGB colours the pages use. The fonts are
/// embedded already; nothing is encrypted, and no action or annotation is
/// written. The metadata stream is left unfiltered, as PDF/A requires.
fn pdfa(lo: &mut lopdf::Document, doc: &Document, created: i64) -> Result<(), RenderError> {
    use lopdf::{Dictionary, Object, Stream, StringFormat};
    lo.version = "1.7".to_string();
    let when = time::OffsetDateTime::from_unix_timestamp(created)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_string());
    let xml = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    let info = &doc.info;
    let mut described = String::new();
    if !info.author.is_empty() {
        described
            .push_str(&format!("<dc:creator><rdf:Seq><rdf:li>{}</rdf:li></rdf:Seq></dc:creator>\n", xml(&info.author)));
    }
    if !info.subject.is_empty() {
        described.push_str(&format!(
            "<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:description>\n",
            xml(&info.subject)
        ));
    }
    let xmp = format!(
        "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n\
<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n\
<rdf:Description rdf:about=\"\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n\
<pdfaid:part>2</pdfaid:part>\n\
<pdfaid:conformance>B</pdfaid:conformance>\n\
<dc:format>application/pdf</dc:format>\n\
<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{title}</rdf:li></rdf:Alt></dc:title>\n\
{described}\
<xmp:CreateDate>{when}</xmp:CreateDate>\n\
<xmp:ModifyDate>{when}</xmp:ModifyDate>\n\
<xmp:MetadataDate>{when}</xmp:MetadataDate>\n\
<xmp:CreatorTool>Cordon</xmp:CreatorTool>\n\
<pdf:Producer>Cordon {version}</pdf:Producer>\n\
</rdf:Description>\n\
</rdf:RDF>\n\
</x:xmpmeta>\n\
<?xpacket end=\"r\"?>",
        title = xml(&info.title),
        version = env!("CARGO_PKG_VERSION"),
    );
    let mut meta = Stream::new(
        Dictionary::from_iter([
            ("Type", Object::Name(b"Metadata".to_vec())),
            ("Subtype", Object::Name(b"XML".to_vec())),
        ]),
        xmp.into_bytes(),
    );
    meta.allows_compression = false;
    let meta_id = lo.add_object(meta);
    let mut icc = Stream::new(
        Dictionary::from_iter([("N", Object::Integer(3)), ("Alternate", Object::Name(b"DeviceRGB".to_vec()))]),
        srgb_profile(),
    );
    icc.allows_compression = true;
    let icc_id = lo.add_object(icc);
    let condition = || Object::String(b"sRGB IEC61966-2.1".to_vec(), StringFormat::Literal);
    let intent = Dictionary::from_iter([
        ("Type", Object::Name(b"OutputIntent".to_vec())),
        ("S", Object::Name(b"GTS_PDFA1".to_vec())),
        ("OutputConditionIdentifier", condition()),
        ("Info", condition()),
        ("RegistryName", Object::String(b"http://www.color.org".to_vec(), StringFormat::Literal)),
        ("DestOutputProfile", Object::Reference(icc_id)),
    ]);
    let catalog = lo.catalog_mut().map_err(|e| RenderError::Save(e.to_string()))?;
    catalog.set("Metadata", Object::Reference(meta_id));
    catalog.set("OutputIntents", Object::Array(vec![Object::Dictionary(intent)]));
    catalog.set("Lang", Object::String(b"en".to_vec(), StringFormat::Literal));
    Ok(())
}

/// An ICC v2 display profile for sRGB (IEC 61966-2-1), written here rather
/// than shipped as a binary: the D50-adapted primaries of the standard and
/// its tone curve as a 1024-entry table.
fn srgb_profile() -> Vec<u8> {
    fn s15(v: f64) -> [u8; 4] {
        ((v * 65536.0).round() as i32).to_be_bytes()
    }
    fn xyz(x: f64, y: f64, z: f64) -> Vec<u8> {
        let mut t = b"XYZ \0\0\0\0".to_vec();
        for v in [x, y, z] {
            t.extend(s15(v));
        }
        t
    }
    let desc = {
        let text = b"sRGB IEC61966-2.1\0";
        let mut t = b"desc\0\0\0\0".to_vec();
        t.extend((text.len() as u32).to_be_bytes());
        t.extend(text);
        t.extend([0u8; 4 + 4 + 2 + 1 + 67]);
        t
    };
    let cprt = {
        let mut t = b"text\0\0\0\0".to_vec();
        t.extend(b"No copyright, use freely\0");
        t
    };
    let curve = {
        const N: usize = 1024;
        let mut t = b"curv\0\0\0\0".to_vec();
        t.extend((N as u32).to_be_bytes());
        for i in 0..N {
            let v = i as f64 / (N - 1) as f64;
            let lin = if v <= 0.04045 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) };
            t.extend(((lin * 65535.0).round() as u16).to_be_bytes());
        }
        t
    };
    let tags: Vec<(&[u8; 4], Vec<u8>)> = vec![
        (b"desc", desc),
        (b"cprt", cprt),
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.4360747, 0.2225045, 0.0139322)),
        (b"gXYZ", xyz(0.3850649, 0.7168786, 0.0971045)),
        (b"bXYZ", xyz(0.1430804, 0.0606169, 0.7141733)),
        (b"rTRC", curve.clone()),
        (b"gTRC", curve.clone()),
        (b"bTRC", curve),
    ];
    let mut table = Vec::new();
    let mut data = Vec::new();
    let mut offset = 128 + 4 + 12 * tags.len();
    for (sig, body) in &tags {
        table.extend(*sig);
        table.extend((offset as u32).to_be_bytes());
        table.extend((body.len() as u32).to_be_bytes());
        let mut body = body.clone();
        while body.len() % 4 != 0 {
            body.push(0);
        }
        offset += body.len();
        data.extend(body);
    }
    let size = offset as u32;
    let mut p = Vec::with_capacity(offset);
    p.extend(size.to_be_bytes());
    p.extend([0u8; 4]); // preferred CMM: any
    p.extend([2, 0x10, 0, 0]); // version 2.1
    p.extend(b"mntr");
    p.extend(b"RGB ");
    p.extend(b"XYZ ");
    p.extend([0u8; 12]); // creation date: none stated, for reproducible bytes
    p.extend(b"acsp");
    p.extend([0u8; 4]); // platform
    p.extend([0u8; 4]); // flags
    p.extend([0u8; 4]); // manufacturer
    p.extend([0u8; 4]); // model
    p.extend([0u8; 8]); // attributes
    p.extend(0u32.to_be_bytes()); // rendering intent: perceptual
    for v in [0.9642, 1.0, 0.8249] {
        p.extend(s15(v)); // the PCS illuminant, D50
    }
    p.extend([0u8; 4]); // creator
    p.resize(128, 0);
    p.extend((tags.len() as u32).to_be_bytes());
    p.extend(table);
    p.extend(data);
    p
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
