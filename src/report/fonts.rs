//! The fonts of the PDF report: embedded TrueType faces, per-character
//! fallback between them, and text measurement from their real glyph
//! advances. Text is NFC-normalised first (decomposed Hangul would otherwise
//! draw as loose jamo). A character no face covers is recorded, never
//! dropped silently.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use unicode_normalization::UnicodeNormalization;

/// One embedded face.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Face {
    /// Noto Sans Regular: Latin, Greek, Cyrillic.
    Sans,
    /// Noto Sans Bold.
    SansBold,
    /// Noto Sans Thai.
    Thai,
    /// Nanum Gothic: Hangul, kana, Hanja.
    Hangul,
    /// Droid Sans Fallback: Chinese.
    Cjk,
    /// DejaVu Sans Mono: ids, codes, hashes.
    Mono,
}

impl Face {
    /// Every face.
    pub const ALL: [Face; 6] = [Face::Sans, Face::SansBold, Face::Thai, Face::Hangul, Face::Cjk, Face::Mono];

    /// The font file's bytes.
    pub fn bytes(self) -> &'static [u8] {
        match self {
            Face::Sans => include_bytes!("../../assets/fonts/NotoSans-Regular.ttf"),
            Face::SansBold => include_bytes!("../../assets/fonts/NotoSans-Bold.ttf"),
            Face::Thai => include_bytes!("../../assets/fonts/NotoSansThai-Regular.ttf"),
            Face::Hangul => include_bytes!("../../assets/fonts/NanumGothic.ttf"),
            Face::Cjk => include_bytes!("../../assets/fonts/DroidSansFallbackFull.ttf"),
            Face::Mono => include_bytes!("../../assets/fonts/DejaVuSansMono.ttf"),
        }
    }

    /// The PostScript-style name written into the PDF.
    pub fn postscript_name(self) -> &'static str {
        match self {
            Face::Sans => "NotoSans-Regular",
            Face::SansBold => "NotoSans-Bold",
            Face::Thai => "NotoSansThai-Regular",
            Face::Hangul => "NanumGothic",
            Face::Cjk => "DroidSansFallbackFull",
            Face::Mono => "DejaVuSansMono",
        }
    }

    /// A fixed six-letter resource id (also the subset tag prefix), so the
    /// PDF does not depend on a counter.
    pub fn resource_id(self) -> &'static str {
        match self {
            Face::Sans => "CDNSRA",
            Face::SansBold => "CDNSBA",
            Face::Thai => "CDNTHA",
            Face::Hangul => "CDNHGA",
            Face::Cjk => "CDNCJA",
            Face::Mono => "CDNMOA",
        }
    }
}

/// A text style: which chain of faces draws it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Style {
    /// Body text.
    Regular,
    /// Headings and emphasis.
    Bold,
    /// Ids, codes and hashes.
    Mono,
}

impl Style {
    /// The faces tried in order for each character.
    pub fn chain(self) -> &'static [Face] {
        match self {
            Style::Regular => &[Face::Sans, Face::Hangul, Face::Cjk, Face::Thai, Face::Mono],
            Style::Bold => &[Face::SansBold, Face::Sans, Face::Hangul, Face::Cjk, Face::Thai],
            Style::Mono => &[Face::Mono, Face::Sans, Face::Hangul, Face::Cjk, Face::Thai],
        }
    }
}

struct Parsed {
    face: ttf_parser::Face<'static>,
    units_per_em: f32,
}

static PARSED: LazyLock<Vec<Option<Parsed>>> = LazyLock::new(|| {
    Face::ALL
        .iter()
        .map(|f| {
            ttf_parser::Face::parse(f.bytes(), 0)
                .ok()
                .map(|face| Parsed { units_per_em: f32::from(face.units_per_em()), face })
        })
        .collect()
});

fn parsed(f: Face) -> Option<&'static Parsed> {
    PARSED.get(f as usize).and_then(Option::as_ref)
}

/// Whether a face has a glyph for a character.
pub fn covers(f: Face, c: char) -> bool {
    parsed(f).and_then(|p| p.face.glyph_index(c)).is_some_and(|g| g.0 != 0)
}

/// The glyph id of a character in a face (for subsetting).
pub fn glyph_id(f: Face, c: char) -> Option<u16> {
    parsed(f).and_then(|p| p.face.glyph_index(c)).map(|g| g.0).filter(|g| *g != 0)
}

/// Advance width of a character in a face, in em.
fn advance_em(f: Face, c: char) -> f32 {
    let Some(p) = parsed(f) else { return 0.5 };
    let g = p.face.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
    f32::from(p.face.glyph_hor_advance(g).unwrap_or(0)) / p.units_per_em
}

/// What replaces a character no face covers.
pub const REPLACEMENT: char = '?';

/// A run of text drawn with one face.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// The face.
    pub face: Face,
    /// The text (already normalised; uncovered characters replaced).
    pub text: String,
}

/// The characters of a text after NFC normalisation, each with the face that
/// draws it: the first face of the style's chain that covers it. A space
/// stays with the face of the character before it, so a line measures the same
/// however it is later split into runs. Characters no face covers become
/// [`REPLACEMENT`] in the chain's first face and are added to `missing`.
pub fn assign(text: &str, style: Style, missing: &mut BTreeSet<char>) -> Vec<(char, Face)> {
    let chain = style.chain();
    let mut out: Vec<(char, Face)> = Vec::with_capacity(text.len());
    for c in text.nfc() {
        // Line breaks are kept for the wrapper; other control characters
        // would draw as boxes and become spaces.
        if c == '\n' {
            out.push(('\n', out.last().map_or(chain[0], |(_, f)| *f)));
            continue;
        }
        let c = if c.is_control() { ' ' } else { c };
        let prev = out.last().map(|(_, f)| *f);
        let face = match prev {
            Some(f) if c == ' ' && covers(f, c) => Some(f),
            _ => chain.iter().copied().find(|f| covers(*f, c)),
        };
        match face {
            Some(f) => out.push((c, f)),
            None => {
                missing.insert(c);
                out.push((REPLACEMENT, chain[0]));
            }
        }
    }
    out
}

/// Groups assigned characters into runs of one face.
pub fn group(chars: &[(char, Face)]) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    for (c, f) in chars {
        match out.last_mut() {
            Some(r) if r.face == *f => r.text.push(*c),
            _ => out.push(Run { face: *f, text: c.to_string() }),
        }
    }
    out
}

/// Splits text into runs of one face each (see [`assign`]).
pub fn runs(text: &str, style: Style, missing: &mut BTreeSet<char>) -> Vec<Run> {
    group(&assign(text, style, missing))
}

/// Advance of one assigned character at a size, in millimetres (a line
/// break has none).
pub fn char_width_mm(c: char, f: Face, size_pt: f32) -> f32 {
    if c == '\n' {
        return 0.0;
    }
    advance_em(f, c) * size_pt * PT_TO_MM
}

/// Width of runs at a size, in millimetres.
pub fn width_mm(runs: &[Run], size_pt: f32) -> f32 {
    let em: f32 = runs.iter().map(|r| r.text.chars().map(|c| advance_em(r.face, c)).sum::<f32>()).sum();
    em * size_pt * PT_TO_MM
}

/// Whether `next` belongs to the same user-perceived character as `prev`, so
/// a line broken between characters must not separate them: `next` is a
/// combining mark (Thai vowels and tone marks, accents, variation
/// selectors), Thai or Lao SARA AM, an emoji skin-tone modifier or a
/// zero-width joiner, or `prev` is a zero-width joiner. An approximation of
/// extended grapheme clusters, for text that is already NFC.
pub fn joins(prev: char, next: char) -> bool {
    const ZWJ: char = '\u{200D}';
    prev == ZWJ
        || unicode_normalization::char::is_combining_mark(next)
        || matches!(next, ZWJ | '\u{0E33}' | '\u{0EB3}' | '\u{1F3FB}'..='\u{1F3FF}')
}

/// Width of plain text in a style, in millimetres.
pub fn text_width_mm(text: &str, style: Style, size_pt: f32) -> f32 {
    width_mm(&runs(text, style, &mut BTreeSet::new()), size_pt)
}

/// Millimetres per point.
pub const PT_TO_MM: f32 = 25.4 / 72.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_face_parses() {
        for f in Face::ALL {
            assert!(parsed(f).is_some(), "{f:?}");
        }
    }

    #[test]
    fn fallback_covers_the_scripts_of_names() {
        let text = "Łódź Česká ŽŠČĆĐ — Євген Приходько ЄІЇҐ — 김정은 조선광선은행 — 辽宁东港海产品有限公司 — ภาษาไทย";
        let mut missing = BTreeSet::new();
        let rs = runs(text, Style::Regular, &mut missing);
        assert!(missing.is_empty(), "{missing:?}");
        let faces: BTreeSet<Face> = rs.iter().map(|r| r.face).collect();
        assert!(
            faces.contains(&Face::Sans)
                && faces.contains(&Face::Hangul)
                && faces.contains(&Face::Cjk)
                && faces.contains(&Face::Thai)
        );
        assert_eq!(rs.iter().map(|r| r.text.as_str()).collect::<String>(), text, "nothing dropped or replaced");
    }

    #[test]
    fn decomposed_hangul_is_composed() {
        let nfd: String = "김정은".nfd().collect();
        assert_ne!(nfd, "김정은");
        let rs = runs(&nfd, Style::Regular, &mut BTreeSet::new());
        assert_eq!(rs, vec![Run { face: Face::Hangul, text: "김정은".into() }]);
    }

    #[test]
    fn uncovered_characters_are_reported_not_dropped() {
        let mut missing = BTreeSet::new();
        let rs = runs("a\u{10FFFD}b", Style::Regular, &mut missing);
        assert_eq!(rs.iter().map(|r| r.text.as_str()).collect::<String>(), "a?b");
        assert_eq!(missing, BTreeSet::from(['\u{10FFFD}']));
    }

    #[test]
    fn widths_come_from_the_font() {
        let narrow = text_width_mm("iiii", Style::Regular, 10.0);
        let wide = text_width_mm("MMMM", Style::Regular, 10.0);
        assert!(wide > narrow * 2.0);
        let mono_i = text_width_mm("iiii", Style::Mono, 10.0);
        let mono_m = text_width_mm("MMMM", Style::Mono, 10.0);
        assert!((mono_i - mono_m).abs() < 0.001, "monospace");
        assert!(
            (text_width_mm("ab", Style::Regular, 20.0) - 2.0 * text_width_mm("ab", Style::Regular, 10.0)).abs() < 0.001
        );
    }

    #[test]
    fn marks_and_joiners_stay_with_their_base() {
        assert!(joins('ท', '\u{0E35}') && joins('ท', '\u{0E48}'), "Thai vowel and tone marks");
        assert!(joins('ก', '\u{0E33}'), "SARA AM");
        assert!(
            joins('e', '\u{0301}') && joins('👍', '\u{1F3FD}') && joins('👩', '\u{200D}') && joins('\u{200D}', '💻')
        );
        assert!(!joins('a', 'b') && !joins('ท', 'ย') && !joins('\u{0E48}', 'ย') && !joins('/', 'R'));
    }
}
