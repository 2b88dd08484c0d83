//! The layout model of the PDF report: pages of positioned text runs, lines
//! and boxes, in millimetres from the page's top-left corner — and the
//! composer that fills them: wrapping at the Unicode line-break
//! opportunities (UAX #14, from the `textwrap` crate, which is used nowhere
//! else) measured from the embedded fonts' real glyph advances, tables whose
//! header row repeats on every page and whose cells wrap (rows taller than a
//! page continue on the next), pagination, and running headers and footers
//! with "Page X of Y". Nothing here knows PDF; a layout can be tested without
//! rendering it.

use std::collections::BTreeSet;
use std::ops::Range;

use textwrap::WordSeparator;
use textwrap::core::Fragment;
use textwrap::word_splitters::{WordSplitter, split_words};
use textwrap::wrap_algorithms::wrap_first_fit;

use super::fonts::{self, Face, PT_TO_MM, Run, Style};

/// Page width, A4 portrait.
pub const PAGE_W: f32 = 210.0;
/// Page height.
pub const PAGE_H: f32 = 297.0;
/// Left margin.
pub const LEFT: f32 = 15.0;
/// Right edge of the text area.
pub const RIGHT: f32 = PAGE_W - 15.0;
/// Top of the text area (below the running header).
pub const TOP: f32 = 22.0;
/// Bottom of the text area (above the running footer).
pub const BOTTOM: f32 = 280.0;
/// Width of the text area.
pub const WIDTH: f32 = RIGHT - LEFT;
/// Line height as a multiple of the font size.
pub const LEADING: f32 = 1.3;

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// The report's colours.
pub mod colour {
    use super::Rgb;
    /// Body text.
    pub const TEXT: Rgb = Rgb(0x1f, 0x23, 0x28);
    /// Secondary text.
    pub const MUTED: Rgb = Rgb(0x5f, 0x66, 0x70);
    /// Headings, table headers, bands.
    pub const NAVY: Rgb = Rgb(0x14, 0x2d, 0x55);
    /// Block.
    pub const BLOCK: Rgb = Rgb(0xb4, 0x23, 0x18);
    /// Review.
    pub const REVIEW: Rgb = Rgb(0xc8, 0x6b, 0x00);
    /// Pass.
    pub const PASS: Rgb = Rgb(0x2e, 0x7d, 0x32);
    /// Invalid.
    pub const INVALID: Rgb = Rgb(0x6a, 0x4c, 0x93);
    /// Zebra rows, tiles.
    pub const SHADE: Rgb = Rgb(0xf1, 0xf3, 0xf6);
    /// Hairlines.
    pub const RULE: Rgb = Rgb(0xd3, 0xd8, 0xde);
    /// White.
    pub const WHITE: Rgb = Rgb(0xff, 0xff, 0xff);
}

/// Something drawn on a page.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// One line of text; `y` is its baseline.
    Text {
        /// Left edge.
        x: f32,
        /// Baseline.
        y: f32,
        /// Font size in points.
        size: f32,
        /// Colour.
        color: Rgb,
        /// Runs of one face each.
        runs: Vec<Run>,
    },
    /// A filled rectangle; `(x, y)` is its top-left corner.
    Rect {
        /// Left.
        x: f32,
        /// Top.
        y: f32,
        /// Width.
        w: f32,
        /// Height.
        h: f32,
        /// Fill.
        fill: Rgb,
    },
    /// A straight line.
    Line {
        /// Start.
        x1: f32,
        /// Start.
        y1: f32,
        /// End.
        x2: f32,
        /// End.
        y2: f32,
        /// Thickness in points.
        width: f32,
        /// Colour.
        color: Rgb,
    },
}

impl Item {
    /// The text of a text item.
    pub fn text(&self) -> Option<String> {
        match self {
            Item::Text { runs, .. } => Some(runs.iter().map(|r| r.text.as_str()).collect()),
            _ => None,
        }
    }
}

/// One page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    /// What is drawn, in painting order.
    pub items: Vec<Item>,
}

impl Page {
    /// All text on the page, line by line.
    pub fn text(&self) -> String {
        self.items.iter().filter_map(Item::text).collect::<Vec<_>>().join("\n")
    }
}

/// Document metadata.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocInfo {
    /// Title.
    pub title: String,
    /// Subject.
    pub subject: String,
    /// Author / organisation.
    pub author: String,
    /// Creation time, RFC 3339 UTC.
    pub created: String,
    /// Text from which the file identifier is derived.
    pub identity: String,
}

/// A laid-out document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    /// Pages.
    pub pages: Vec<Page>,
    /// Bookmarks: title and 0-based page.
    pub outline: Vec<(String, usize)>,
    /// Characters no embedded font covers (drawn as `?`).
    pub missing: BTreeSet<char>,
    /// Metadata.
    pub info: DocInfo,
}

/// Horizontal alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Left.
    Left,
    /// Centre.
    Center,
    /// Right.
    Right,
}

/// A paragraph of one style.
#[derive(Debug, Clone, PartialEq)]
pub struct Para {
    /// The text.
    pub text: String,
    /// Style.
    pub style: Style,
    /// Size in points.
    pub size: f32,
    /// Colour.
    pub color: Rgb,
    /// Space before, in mm.
    pub gap: f32,
}

impl Para {
    /// A paragraph.
    pub fn new(text: impl Into<String>, style: Style, size: f32, color: Rgb) -> Para {
        Para { text: text.into(), style, size, color, gap: 0.0 }
    }

    /// With space before.
    pub fn gap(mut self, mm: f32) -> Para {
        self.gap = mm;
        self
    }
}

/// A table cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Wrapped paragraphs.
    Text(Vec<Para>),
    /// A coloured badge with centred white text.
    Badge(String, Rgb),
}

impl Cell {
    /// One paragraph in `color`.
    pub fn para(text: impl Into<String>, style: Style, size: f32, color: Rgb) -> Cell {
        Cell::Text(vec![Para::new(text, style, size, color)])
    }

    /// One paragraph in the text colour.
    pub fn text(text: impl Into<String>, style: Style, size: f32) -> Cell {
        Cell::para(text, style, size, colour::TEXT)
    }
}

/// A table column.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// Width in mm.
    pub width: f32,
    /// Alignment of its text.
    pub align: Align,
}

/// A wrapped line: assigned characters and its height.
#[derive(Debug, Clone)]
struct Wrapped {
    runs: Vec<Run>,
    width: f32,
    size: f32,
    color: Rgb,
    /// Height of the line box, with any paragraph gap before it.
    height: f32,
    gap: f32,
}

/// Lays out pages.
pub struct Composer {
    pages: Vec<Page>,
    page: Page,
    /// Current vertical position (top of the next block), mm from the top.
    pub y: f32,
    missing: BTreeSet<char>,
    outline: Vec<(String, usize)>,
}

impl Default for Composer {
    fn default() -> Self {
        Composer::new()
    }
}

impl Composer {
    /// An empty document, on its first page.
    pub fn new() -> Composer {
        Composer { pages: Vec::new(), page: Page::default(), y: TOP, missing: BTreeSet::new(), outline: Vec::new() }
    }

    /// Characters no embedded font covers, met so far.
    pub fn missing(&self) -> &BTreeSet<char> {
        &self.missing
    }

    /// The 0-based index of the current page.
    pub fn page_index(&self) -> usize {
        self.pages.len()
    }

    /// Starts a new page.
    pub fn new_page(&mut self) {
        let done = std::mem::take(&mut self.page);
        self.pages.push(done);
        self.y = TOP;
    }

    /// Whether `h` mm still fit on this page.
    pub fn fits(&self, h: f32) -> bool {
        self.y + h <= BOTTOM
    }

    /// Starts a new page unless `h` mm fit.
    pub fn ensure(&mut self, h: f32) {
        if !self.fits(h) {
            self.new_page();
        }
    }

    /// Adds a bookmark to the current page.
    pub fn bookmark(&mut self, title: &str) {
        self.outline.push((title.to_string(), self.page_index()));
    }

    /// Draws an item on the current page.
    pub fn push(&mut self, item: Item) {
        self.page.items.push(item);
    }

    /// A filled rectangle.
    pub fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, fill: Rgb) {
        self.push(Item::Rect { x, y, w, h, fill });
    }

    /// A line.
    pub fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, width: f32, color: Rgb) {
        self.push(Item::Line { x1, y1, x2, y2, width, color });
    }

    /// Text on one line at a baseline, aligned against `x` (left edge, centre
    /// or right edge); returns its width.
    pub fn text(&mut self, x: f32, y: f32, text: &str, (style, size, color): (Style, f32, Rgb), align: Align) -> f32 {
        let chars = fonts::assign(text, style, &mut self.missing);
        let w: f32 = chars.iter().map(|(c, f)| fonts::char_width_mm(*c, *f, size)).sum();
        let x = match align {
            Align::Left => x,
            Align::Center => x - w / 2.0,
            Align::Right => x - w,
        };
        self.push(Item::Text { x, y, size, color, runs: fonts::group(&chars) });
        w
    }

    /// Width of text, in mm.
    pub fn measure(&mut self, text: &str, style: Style, size: f32) -> f32 {
        fonts::assign(text, style, &mut self.missing).iter().map(|(c, f)| fonts::char_width_mm(*c, *f, size)).sum()
    }

    /// Wraps a paragraph to a width, first fit: lines break at the Unicode
    /// line-break opportunities of its text (UAX #14: at spaces, after `/`
    /// before a letter, at CJK punctuation; see [`pieces`]) and after a
    /// hyphen between letters, measured by the fonts' glyph advances; a
    /// piece wider than the line breaks between characters. A line break in
    /// the text starts a new line.
    fn wrap(&mut self, p: &Para, width: f32) -> Vec<Wrapped> {
        let chars = fonts::assign(&p.text, p.style, &mut self.missing);
        let widths: Vec<f32> = chars.iter().map(|(c, f)| fonts::char_width_mm(*c, *f, p.size)).collect();
        let height = p.size * LEADING * PT_TO_MM;
        let mut lines: Vec<Range<usize>> = Vec::new();
        let mut start = 0;
        loop {
            let end = chars[start..].iter().position(|(c, _)| *c == '\n').map_or(chars.len(), |n| start + n);
            let pieces = pieces(&chars, &widths, start..end, width);
            if pieces.is_empty() {
                // An empty line of the text stays, but a final line break
                // adds none.
                if end < chars.len() || lines.is_empty() {
                    lines.push(start..start);
                }
            } else {
                for l in wrap_first_fit(&pieces, &[f64::from(width)]) {
                    lines.push(l[0].start..l[l.len() - 1].end);
                }
            }
            if end == chars.len() {
                break;
            }
            start = end + 1;
        }
        lines
            .into_iter()
            .enumerate()
            .map(|(n, r)| {
                let width = widths[r.clone()].iter().sum();
                let gap = if n == 0 { p.gap } else { 0.0 };
                Wrapped {
                    runs: fonts::group(&chars[r]),
                    width,
                    size: p.size,
                    color: p.color,
                    height: height + gap,
                    gap,
                }
            })
            .collect()
    }

    fn draw_line(&mut self, l: &Wrapped, x: f32, top: f32, width: f32, align: Align) {
        let x = match align {
            Align::Left => x,
            Align::Center => x + (width - l.width) / 2.0,
            Align::Right => x + width - l.width,
        };
        // Baseline at about 80 % of the line box below its top.
        let baseline = top + l.gap + (l.height - l.gap) * 0.78;
        self.push(Item::Text { x, y: baseline, size: l.size, color: l.color, runs: l.runs.clone() });
    }

    /// A wrapped paragraph across the text width; breaks pages between lines.
    pub fn paragraph(&mut self, p: Para) {
        self.paragraph_in(p, LEFT, WIDTH, Align::Left);
    }

    /// A wrapped paragraph in a column. Widow and orphan control: a
    /// paragraph that breaks across pages leaves at least two lines on each
    /// (one line alone at the foot or the head of a page moves with the rest).
    pub fn paragraph_in(&mut self, p: Para, x: f32, width: f32, align: Align) {
        let lines = self.wrap(&p, width);
        let total: f32 = lines.iter().map(|l| l.height).sum();
        let mut break_before = usize::MAX;
        if lines.len() >= 2 && !self.fits(total) && total <= BOTTOM - TOP {
            // How many lines fit here.
            let mut used = 0.0;
            let mut fit = 0;
            for l in &lines {
                if self.y + used + l.height > BOTTOM {
                    break;
                }
                used += l.height;
                fit += 1;
            }
            break_before = match fit {
                0 | 1 => 0,                                   // orphan: start on the next page
                k if lines.len() - k == 1 && k >= 3 => k - 1, // widow: carry one more line over
                k if lines.len() - k == 1 => 0,               // three lines or fewer: keep whole
                k => k,
            };
        }
        for (i, l) in lines.into_iter().enumerate() {
            if i == break_before && self.y > TOP {
                self.new_page();
            }
            self.ensure(l.height);
            self.draw_line(&l, x, self.y, width, align);
            self.y += l.height;
        }
    }

    /// Height of a paragraph wrapped to a width.
    pub fn paragraph_height(&mut self, p: &Para, width: f32) -> f32 {
        self.wrap(p, width).iter().map(|l| l.height).sum()
    }

    /// A section heading, bookmarked; keeps `keep` mm of what follows with it.
    pub fn heading(&mut self, text: &str, size: f32, keep: f32) {
        let h = size * LEADING * PT_TO_MM + 2.0;
        self.ensure(h + keep);
        if self.y > TOP {
            self.y += 2.0;
        }
        self.bookmark(text);
        let top = self.y;
        self.text(LEFT, top + size * PT_TO_MM, text, (Style::Bold, size, colour::NAVY), Align::Left);
        self.y = top + h;
    }

    /// A table: the header row repeats on every page, cells wrap, and a row
    /// that does not fit on a page continues on the next.
    pub fn table(&mut self, cols: &[Column], header: &[&str], rows: &[Vec<Cell>]) {
        const PAD: f32 = 1.4;
        const HEAD_SIZE: f32 = 7.5;
        let x0 = LEFT;
        let header_cells: Vec<Vec<Wrapped>> = header
            .iter()
            .zip(cols)
            .map(|(h, c)| self.wrap(&Para::new(*h, Style::Bold, HEAD_SIZE, colour::WHITE), c.width - 2.0 * PAD))
            .collect();
        let header_h =
            header_cells.iter().map(|ls| ls.iter().map(|l| l.height).sum::<f32>()).fold(0.0, f32::max) + 2.0 * PAD;
        let draw_header = |me: &mut Composer| {
            let top = me.y;
            let total: f32 = cols.iter().map(|c| c.width).sum();
            me.rect(x0, top, total, header_h, colour::NAVY);
            let mut x = x0;
            for (ls, c) in header_cells.iter().zip(cols) {
                let mut y = top + PAD;
                for l in ls {
                    me.draw_line(l, x + PAD, y, c.width - 2.0 * PAD, c.align);
                    y += l.height;
                }
                x += c.width;
            }
            me.y = top + header_h;
        };
        // Keep the header with the first row, and the last rows together:
        // no page holds a header alone, or a table's last row alone.
        let first = rows.first().map_or(6.0, |r| self.row_height(cols, r, PAD));
        self.ensure(header_h + first.min(BOTTOM - TOP - header_h));
        draw_header(self);
        const KEEP_LAST: usize = 3;
        for (n, row) in rows.iter().enumerate() {
            if rows.len() >= 2 * KEEP_LAST && n == rows.len() - KEEP_LAST {
                let tail: f32 = rows[n..].iter().map(|r| self.row_height(cols, r, PAD)).sum();
                if !self.fits(tail) && tail <= BOTTOM - TOP - header_h {
                    self.new_page();
                    draw_header(self);
                }
            }
            // Wrap every cell.
            let mut cells: Vec<CellLines> = row
                .iter()
                .zip(cols)
                .map(|(cell, c)| match cell {
                    Cell::Text(paras) => {
                        CellLines::Lines(paras.iter().flat_map(|p| self.wrap(p, c.width - 2.0 * PAD)).collect())
                    }
                    Cell::Badge(t, col) => CellLines::Badge(t.clone(), *col),
                })
                .collect();
            let mut first = true;
            loop {
                let need: f32 = cells.iter().map(CellLines::height).fold(6.0, f32::max) + 2.0 * PAD;
                let room = BOTTOM - self.y;
                if need > room && (first || room < 12.0) {
                    // Does the row fit on a fresh page? Then move it whole.
                    if need <= BOTTOM - TOP - header_h || room < 12.0 {
                        self.new_page();
                        draw_header(self);
                        if need <= BOTTOM - self.y {
                            first = false;
                            continue;
                        }
                    }
                }
                let room = BOTTOM - self.y - 2.0 * PAD;
                // Take from each cell the lines that fit.
                let mut taken: Vec<CellLines> = Vec::with_capacity(cells.len());
                let mut rest_any = false;
                for c in &mut cells {
                    let (now, rest) = c.split(room);
                    rest_any |= !rest.is_empty();
                    taken.push(now);
                    *c = rest;
                }
                let h = taken.iter().map(CellLines::height).fold(6.0, f32::max) + 2.0 * PAD;
                let top = self.y;
                let total: f32 = cols.iter().map(|c| c.width).sum();
                if n % 2 == 1 {
                    self.rect(x0, top, total, h, colour::SHADE);
                }
                let mut x = x0;
                for (c, col) in taken.iter().zip(cols) {
                    match c {
                        CellLines::Lines(ls) => {
                            let mut y = top + PAD;
                            for l in ls {
                                self.draw_line(l, x + PAD, y, col.width - 2.0 * PAD, col.align);
                                y += l.height;
                            }
                        }
                        CellLines::Badge(t, color) => {
                            let bw = col.width - 2.0 * PAD;
                            self.rect(x + PAD, top + PAD, bw, 4.2, *color);
                            self.text(
                                x + col.width / 2.0,
                                top + PAD + 3.0,
                                t,
                                (Style::Bold, 6.5, colour::WHITE),
                                Align::Center,
                            );
                        }
                        CellLines::Empty => {}
                    }
                    x += col.width;
                }
                self.y = top + h;
                self.line(x0, self.y, x0 + total, self.y, 0.3, colour::RULE);
                if !rest_any {
                    break;
                }
                self.new_page();
                draw_header(self);
                first = false;
            }
        }
        self.y += 2.0;
    }

    /// The height of a table row, laid out whole.
    fn row_height(&mut self, cols: &[Column], row: &[Cell], pad: f32) -> f32 {
        let h = row
            .iter()
            .zip(cols)
            .map(|(cell, c)| match cell {
                Cell::Text(paras) => paras.iter().map(|p| self.paragraph_height(p, c.width - 2.0 * pad)).sum(),
                Cell::Badge(..) => 4.2,
            })
            .fold(6.0, f32::max);
        h + 2.0 * pad
    }

    /// Ends the document: running header and footer on every page.
    pub fn finish(mut self, header_left: &str, header_right: &str, footer_left: &str, info: DocInfo) -> Document {
        if !self.page.items.is_empty() || self.pages.is_empty() {
            let last = std::mem::take(&mut self.page);
            self.pages.push(last);
        }
        let total = self.pages.len();
        let mut pages = std::mem::take(&mut self.pages);
        for (i, page) in pages.iter_mut().enumerate() {
            let mut c = Composer::new();
            c.text(LEFT, 12.0, header_left, (Style::Regular, 7.5, colour::MUTED), Align::Left);
            c.text(RIGHT, 12.0, header_right, (Style::Mono, 7.5, colour::MUTED), Align::Right);
            c.line(LEFT, 14.0, RIGHT, 14.0, 0.4, colour::RULE);
            c.line(LEFT, 285.0, RIGHT, 285.0, 0.4, colour::RULE);
            c.text(LEFT, 289.0, footer_left, (Style::Regular, 7.0, colour::MUTED), Align::Left);
            c.text(
                RIGHT,
                289.0,
                &format!("Page {} of {total}", i + 1),
                (Style::Regular, 7.0, colour::MUTED),
                Align::Right,
            );
            self.missing.append(&mut c.missing);
            page.items.append(&mut c.page.items);
        }
        Document { pages, outline: self.outline, missing: self.missing, info }
    }
}

enum CellLines {
    Lines(Vec<Wrapped>),
    Badge(String, Rgb),
    Empty,
}

impl CellLines {
    fn height(&self) -> f32 {
        match self {
            CellLines::Lines(ls) => ls.iter().map(|l| l.height).sum(),
            CellLines::Badge(..) => 4.2,
            CellLines::Empty => 0.0,
        }
    }

    fn is_empty(&self) -> bool {
        match self {
            CellLines::Lines(ls) => ls.is_empty(),
            CellLines::Badge(..) => false,
            CellLines::Empty => true,
        }
    }

    /// The lines that fit in `room` mm, and the rest.
    fn split(&mut self, room: f32) -> (CellLines, CellLines) {
        match std::mem::replace(self, CellLines::Empty) {
            CellLines::Lines(ls) => {
                let mut used = 0.0;
                let mut n = 0;
                for l in &ls {
                    if used + l.height > room && n > 0 {
                        break;
                    }
                    used += l.height;
                    n += 1;
                }
                let mut ls = ls;
                let rest = ls.split_off(n.min(ls.len()));
                (CellLines::Lines(ls), if rest.is_empty() { CellLines::Empty } else { CellLines::Lines(rest) })
            }
            other => (other, CellLines::Empty),
        }
    }
}

/// A piece of a line between two break opportunities: characters
/// `start..end` of a paragraph, `width` mm wide, then spaces `space` mm wide
/// that are not drawn at the end of a line. Widths come from the glyph
/// advances of the faces that draw the characters.
#[derive(Debug, Clone, Copy)]
struct Piece {
    start: usize,
    end: usize,
    width: f32,
    space: f32,
}

impl Fragment for Piece {
    fn width(&self) -> f64 {
        f64::from(self.width)
    }

    fn whitespace_width(&self) -> f64 {
        f64::from(self.space)
    }

    /// Nothing is added at a break: after a hyphen, the hyphen is already
    /// part of the piece.
    fn penalty_width(&self) -> f64 {
        0.0
    }
}

/// The character the line breaking algorithm sees for `c`: the characters
/// of the scripts written without spaces between words (Thai, Lao, Khmer,
/// Myanmar) resolve as UAX #14 rule LB1 resolves them without a word
/// dictionary, marks to a combining mark and the rest to a letter, so that
/// the segmenter, built without dictionaries, does not look for one (a debug
/// build would say on stderr that it has none). Digits stay digits.
fn without_dictionary(c: char) -> char {
    let complex = matches!(
        c,
        '\u{0E00}'..='\u{0EFF}'
            | '\u{1000}'..='\u{109F}'
            | '\u{1780}'..='\u{17FF}'
            | '\u{19E0}'..='\u{19FF}'
            | '\u{A9E0}'..='\u{A9FF}'
            | '\u{AA60}'..='\u{AA7F}'
    );
    match c {
        _ if !complex => c,
        _ if fonts::joins('a', c) => '\u{0300}',
        _ if c.is_numeric() => '0',
        _ => 'a',
    }
}

/// Cuts characters `range` of a paragraph (one line of its text) into
/// pieces at its line-break opportunities: those of the Unicode line
/// breaking algorithm (UAX #14) but none inside a run of CJK letters
/// ([`keeps_all`]) and, after a hyphen, those of [`after_hyphens`]. Spaces
/// at the start of the line are dropped. A piece
/// wider than `width` (an id, a hash, a run of Thai, which has no break
/// opportunities without a dictionary) is cut between characters, never
/// between a character and its combining marks.
fn pieces(chars: &[(char, Face)], widths: &[f32], range: Range<usize>, width: f32) -> Vec<Piece> {
    let text: String = chars[range.clone()].iter().map(|(c, _)| without_dictionary(*c)).collect();
    let words = WordSeparator::UnicodeBreakProperties.find_words(&text);
    // Each word as characters `start..end` and its spaces up to `space_end`.
    let mut spans: Vec<(usize, usize, usize)> = Vec::new();
    let mut at = range.start;
    for w in split_words(words, &WordSplitter::Custom(after_hyphens)) {
        // The words cover the text without gaps, in order.
        let start = at;
        let end = start + w.word.chars().count();
        let space_end = end + w.whitespace.chars().count();
        at = space_end;
        match spans.last_mut() {
            None if start == end => {}
            Some(last) if last.1 == last.2 && keeps_all(chars[last.1 - 1].0) && keeps_all(chars[start].0) => {
                (last.1, last.2) = (end, space_end);
            }
            _ => spans.push((start, end, space_end)),
        }
    }
    debug_assert_eq!(at, range.end, "the words cover the line");
    let mut out = Vec::new();
    for (start, end, space_end) in keep_whole(spans, widths, width) {
        let word: f32 = widths[start..end].iter().sum();
        let space: f32 = widths[end..space_end].iter().sum();
        if word <= width {
            out.push(Piece { start, end, width: word, space });
            continue;
        }
        let (mut from, mut acc) = (start, 0.0f32);
        let mut i = start;
        while i < end {
            let mut j = i + 1;
            while j < end && fonts::joins(chars[j - 1].0, chars[j].0) {
                j += 1;
            }
            let w: f32 = widths[i..j].iter().sum();
            if i > from && acc + w > width {
                out.push(Piece { start: from, end: i, width: acc, space: 0.0 });
                (from, acc) = (i, 0.0);
            }
            acc += w;
            i = j;
        }
        out.push(Piece { start: from, end, width: acc, space });
    }
    out
}

/// Joins the parts of a word that UAX #14 may break inside — after `/` or
/// a hyphen (`S/RES/2397`, `ship-to-ship`, `KP-RPP-2375`) — back into one
/// piece wherever the whole word fits on a line, so that it is found by a
/// search of the PDF and copied whole (a reader joins a line that ends in
/// a hyphen without it). Only a word wider than the line breaks there.
fn keep_whole(spans: Vec<(usize, usize, usize)>, widths: &[f32], width: f32) -> Vec<(usize, usize, usize)> {
    let mut out: Vec<(usize, usize, usize)> = Vec::with_capacity(spans.len());
    let mut run: Vec<(usize, usize, usize)> = Vec::new();
    let flush = |run: &mut Vec<(usize, usize, usize)>, out: &mut Vec<(usize, usize, usize)>| {
        if let (Some(first), Some(last)) = (run.first().copied(), run.last().copied()) {
            if widths[first.0..last.1].iter().sum::<f32>() <= width {
                out.push((first.0, last.1, last.2));
            } else {
                out.append(run);
            }
        }
        run.clear();
    };
    for s in spans {
        run.push(s);
        // Whitespace after the part ends the word.
        if s.1 != s.2 {
            flush(&mut run, &mut out);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Whether a character is a letter of Chinese, Japanese or Korean, between
/// two of which no line breaks (CSS `word-break: keep-all`, a tailoring UAX
/// #14 allows): CJK text in the report is names of parties, kept whole on
/// a line where they fit, as before. A name wider than the line is still
/// cut between characters; a break at CJK punctuation stays.
fn keeps_all(c: char) -> bool {
    matches!(
        c,
        '\u{1100}'..='\u{11FF}'
            | '\u{3041}'..='\u{3096}'
            | '\u{30A1}'..='\u{30FA}'
            | '\u{30FC}'..='\u{30FF}'
            | '\u{3131}'..='\u{318E}'
            | '\u{31F0}'..='\u{31FF}'
            | '\u{3400}'..='\u{4DBF}'
            | '\u{4E00}'..='\u{9FFF}'
            | '\u{A960}'..='\u{A97F}'
            | '\u{AC00}'..='\u{D7A3}'
            | '\u{D7B0}'..='\u{D7FF}'
            | '\u{F900}'..='\u{FAFF}'
            | '\u{FF66}'..='\u{FF9F}'
            | '\u{20000}'..='\u{3FFFF}'
    )
}

/// Where a word may break after a hyphen-minus (byte offsets after it):
/// between a letter or digit and a letter, as UAX #14 allows (`dual-use`,
/// `UN-DPRK`) — but not before a digit (`2017-03-01`, `TX-0001`, `S-300`),
/// nor after a leading or doubled hyphen. textwrap's UAX #14 word separator
/// leaves breaks at hyphens to a word splitter; this is that splitter.
fn after_hyphens(word: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut prev: Option<char> = None;
    let mut it = word.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if c == '-' && prev.is_some_and(char::is_alphanumeric) && it.peek().is_some_and(|(_, n)| n.is_alphabetic()) {
            out.push(i + 1);
        }
        prev = Some(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(d: &Document, page: usize) -> Vec<String> {
        d.pages[page].items.iter().filter_map(Item::text).collect()
    }

    #[test]
    fn paragraphs_wrap_within_their_width() {
        let mut c = Composer::new();
        let long = "Designated parties and vessels match by IMO number or by name after folding case, spacing and punctuation. ".repeat(4);
        c.paragraph_in(Para::new(long.trim(), Style::Regular, 9.0, colour::TEXT), LEFT, 60.0, Align::Left);
        let d = c.finish("h", "id", "f", DocInfo::default());
        let mut lines = 0;
        for item in &d.pages[0].items {
            if let Item::Text { x, runs, size, .. } = item
                && *x == LEFT
                && *size == 9.0
            {
                lines += 1;
                assert!(fonts::width_mm(runs, *size) <= 60.0 + 0.01, "line overflows: {runs:?}");
            }
        }
        assert!(lines >= 7, "{lines} lines");
    }

    #[test]
    fn a_word_longer_than_the_line_breaks_between_characters() {
        let mut c = Composer::new();
        let hash = "7d844a842143101febebdb3ede6027c661381d913b6d01f418e7093886e2e177";
        c.paragraph_in(Para::new(hash, Style::Mono, 8.0, colour::TEXT), LEFT, 30.0, Align::Left);
        let d = c.finish("", "", "", DocInfo::default());
        let body: Vec<String> =
            texts(&d, 0).into_iter().filter(|t| hash.contains(t.as_str()) && !t.is_empty()).collect();
        assert!(body.len() > 1);
        assert_eq!(body.concat(), hash, "nothing lost at the breaks");
    }

    #[test]
    fn tables_repeat_their_header_and_split_tall_rows() {
        let mut c = Composer::new();
        let cols = [Column { width: 30.0, align: Align::Left }, Column { width: 150.0, align: Align::Left }];
        let tall = (0..150).map(|i| format!("evidence line {i}")).collect::<Vec<_>>().join("\n");
        let mut rows: Vec<Vec<Cell>> = (0..60)
            .map(|i| {
                vec![
                    Cell::Text(vec![Para::new(format!("TX-{i:04}"), Style::Mono, 8.0, colour::TEXT)]),
                    Cell::Text(vec![Para::new("a finding", Style::Regular, 8.0, colour::TEXT)]),
                ]
            })
            .collect();
        rows.push(vec![
            Cell::Text(vec![Para::new("TX-TALL", Style::Mono, 8.0, colour::TEXT)]),
            Cell::Text(vec![Para::new(tall.clone(), Style::Regular, 8.0, colour::TEXT)]),
        ]);
        c.table(&cols, &["Record", "Findings"], &rows);
        let d = c.finish("header", "CR-1", "footer", DocInfo::default());
        assert!(d.pages.len() >= 3);
        for p in 0..d.pages.len() {
            assert!(texts(&d, p).contains(&"Record".to_string()), "header repeated on page {}", p + 1);
            assert!(texts(&d, p).contains(&format!("Page {} of {}", p + 1, d.pages.len())));
            for item in &d.pages[p].items {
                if let Item::Text { y, .. } = item {
                    assert!(*y <= PAGE_H - 5.0);
                }
            }
        }
        let all: String = (0..d.pages.len()).flat_map(|p| texts(&d, p)).collect::<Vec<_>>().join("\n");
        for i in [0, 75, 149] {
            assert!(all.contains(&format!("evidence line {i}")), "line {i} of the tall row was lost");
        }
        // Body text never runs into the footer.
        for p in &d.pages {
            for item in &p.items {
                if let Item::Text { y, size, .. } = item
                    && *size == 8.0
                {
                    assert!(*y <= BOTTOM, "text below the body at {y}");
                }
            }
        }
    }

    /// The lines a paragraph wraps to, as text.
    fn wrapped(text: &str, style: Style, size: f32, width: f32) -> Vec<String> {
        let lines = Composer::new().wrap(&Para::new(text, style, size, colour::TEXT), width);
        lines.iter().map(|l| l.runs.iter().map(|r| r.text.as_str()).collect()).collect()
    }

    /// Asserts that no line of a paragraph is wider than `width`, measured
    /// again from its runs, and that its text is all there.
    fn assert_fits(text: &str, style: Style, size: f32, width: f32) {
        let lines = Composer::new().wrap(&Para::new(text, style, size, colour::TEXT), width);
        for l in &lines {
            let w = fonts::width_mm(&l.runs, l.size);
            assert!(w <= width + 1e-3, "{w} mm > {width} mm: {:?}", l.runs);
            assert!((w - l.width).abs() < 1e-3, "the line's width is its runs' width");
        }
        let strip = |t: &str| t.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        let all: String = lines.iter().flat_map(|l| l.runs.iter().map(|r| r.text.as_str())).collect();
        assert_eq!(strip(&all), strip(text), "text lost at {width} mm");
    }

    /// The wrapper this one replaced, greedy at ASCII spaces, kept as the
    /// reference for the text it wrapped well.
    fn greedy_at_spaces(text: &str, style: Style, size: f32, width: f32) -> Vec<String> {
        let chars = fonts::assign(text, style, &mut BTreeSet::new());
        let w = |c: &(char, Face)| fonts::char_width_mm(c.0, c.1, size);
        let mut lines: Vec<String> = Vec::new();
        let (mut line, mut line_w) = (String::new(), 0.0f32);
        let mut i = 0;
        while i < chars.len() {
            let mut j = i;
            while j < chars.len() && chars[j].0 == ' ' {
                j += 1;
            }
            let mut k = j;
            while k < chars.len() && chars[k].0 != ' ' {
                k += 1;
            }
            let (spaces, word) = (&chars[i..j], &chars[j..k]);
            let spaces_w: f32 = spaces.iter().map(w).sum();
            let word_w: f32 = word.iter().map(w).sum();
            if line.is_empty() || line_w + spaces_w + word_w <= width {
                if !line.is_empty() {
                    line.extend(spaces.iter().map(|c| c.0));
                    line_w += spaces_w;
                }
                if word_w <= width {
                    line.extend(word.iter().map(|c| c.0));
                    line_w += word_w;
                } else {
                    for c in word {
                        if !line.is_empty() && line_w + w(c) > width {
                            lines.push(std::mem::take(&mut line));
                            line_w = 0.0;
                        }
                        line.push(c.0);
                        line_w += w(c);
                    }
                }
            } else {
                lines.push(std::mem::take(&mut line));
                line_w = 0.0;
                i = j;
                continue;
            }
            i = k;
        }
        if !line.is_empty() || lines.is_empty() {
            lines.push(line);
        }
        lines
    }

    const ENGLISH: &str = "Designated parties and vessels match by IMO number or by name after folding case, spacing and punctuation. \
        Each record is evaluated on its own; if two records are the same transaction, it is counted twice in these figures and in any cap. \
        Anyone can run the command in section 5 again on files with these fingerprints and obtain the same report. \
        The repeat check remembers the first 1,835,008 distinct ids (about 16 bytes each), so memory is bounded. \
        \"Quoted\" words, 12.5 % of 2,760 records, and the EUR 1,000,000 threshold: all of it wraps at spaces.";

    #[test]
    fn english_wraps_exactly_as_the_greedy_wrapper_did() {
        for (style, size) in [(Style::Regular, 9.0), (Style::Bold, 7.0), (Style::Mono, 7.5)] {
            for tenth in (150..=1800).step_by(17) {
                let width = tenth as f32 / 10.0;
                assert_eq!(
                    wrapped(ENGLISH, style, size, width),
                    greedy_at_spaces(ENGLISH, style, size, width),
                    "{style:?} at {width} mm"
                );
            }
        }
    }

    #[test]
    fn a_citation_stays_whole_where_it_fits_and_breaks_after_a_slash_where_it_cannot() {
        let text = "Prohibited under S/RES/2397 (2017), para. 7";
        let mut c = Composer::new();
        // The citation fits on a line of its own: it moves there whole, so a
        // search of the PDF for `S/RES/2397` finds it.
        let width = c.measure("Prohibited under S/RES/", Style::Regular, 9.0);
        let lines = wrapped(text, Style::Regular, 9.0, width);
        assert_eq!(lines[0], "Prohibited under");
        assert!(lines[1].starts_with("S/RES/2397"), "{lines:?}");
        // A word wider than the line breaks after its slashes rather than
        // between characters (the old wrapper cut it anywhere).
        let path = "rules/packs/unsc/democratic-peoples-republic/coal.cordon";
        let width = c.measure("rules/packs/unsc/de", Style::Mono, 7.0) + 0.1;
        let lines = wrapped(path, Style::Mono, 7.0, width);
        assert_eq!(lines[0], "rules/packs/unsc/");
        assert_eq!(lines.concat(), path);
        for l in &lines[..lines.len() - 1] {
            assert!(l.ends_with('/') || l.ends_with('-'), "{l:?} of {lines:?}");
        }
        assert_ne!(greedy_at_spaces(path, Style::Mono, 7.0, width)[0], "rules/packs/unsc/");
    }

    #[test]
    fn a_hyphenated_word_stays_whole_where_it_fits_and_breaks_after_its_hyphen_where_it_cannot() {
        let mut c = Composer::new();
        // Whole where it fits: a PDF reader would join `dual-` and `use` into
        // `dualuse` when copying, and a rule id must copy as written.
        let text = "controls on dual-use goods";
        let width = c.measure("controls on dual-us", Style::Regular, 9.0);
        assert_eq!(wrapped(text, Style::Regular, 9.0, width), ["controls on", "dual-use goods"]);
        let id = "KP-RPP-2375-REFINED-PETROLEUM-CAP";
        let width = c.measure("KP-RPP-2375-REFINED-", Style::Mono, 7.0) + 0.1;
        let lines = wrapped(id, Style::Mono, 7.0, width);
        assert_eq!(lines[0], "KP-RPP-2375-REFINED-", "a word wider than the line breaks after a hyphen");
        assert_eq!(lines.concat(), id);
        for text in ["shipped 2017-03-01", "record TX-0001", "a S-300 system"] {
            let (head, tail) = text.rsplit_once(' ').expect("two words");
            let width = c.measure(&format!("{head} {}", &tail[..tail.len() - 1]), Style::Regular, 9.0);
            assert_eq!(wrapped(text, Style::Regular, 9.0, width), [head, tail], "no break before a digit");
        }
    }

    #[test]
    fn a_sha256_breaks_between_characters_and_never_overflows() {
        let hash = "7d844a842143101febebdb3ede6027c661381d913b6d01f418e7093886e2e177";
        let mut c = Composer::new();
        let char_w = c.measure("7", Style::Mono, 6.6);
        for width in [4.0, 8.0, 12.5, 20.0, 33.3, 50.0, 80.0] {
            assert_fits(hash, Style::Mono, 6.6, width);
            if width < c.measure("sha256", Style::Mono, 6.6) {
                continue;
            }
            let lines = wrapped(&format!("sha256 {hash}"), Style::Mono, 6.6, width);
            assert_eq!(lines[0], "sha256", "the hash starts a line of its own");
            assert_eq!(lines[1..].concat(), hash);
            for l in &lines[1..lines.len() - 1] {
                // Full lines: not one more character would have fitted.
                assert!(c.measure(l, Style::Mono, 6.6) + char_w > width, "{l:?} at {width} mm");
            }
        }
    }

    #[test]
    fn no_line_is_wider_than_its_width() {
        let texts = [
            ENGLISH,
            "S/RES/2397 (2017), para. 7; S/RES/2371 (2017), para. 8 — KP-COAL-IRON-2371, dual-use, UN-DPRK",
            "https://scsanctions.un.org/resources/xml/en/consolidated.xml?version=2026-12-05&format=full",
            "ООО «Дальневосточный Экспорт» — 조선대동강무역회사 — 辽宁东港海产品有限公司, Łódź Česká",
            "บริษัท ไทยเทรดดิ้ง จำกัด ส่งออกสินค้าที่ใช้ได้สองทาง ไปยังประเทศที่ถูกคว่ำบาตร",
            "ID 7d844a842143101febebdb3ede6027c661381d913b6d01f418e7093886e2e177 first line\nsecond line\n\nfourth",
        ];
        for text in texts {
            for style in [Style::Regular, Style::Bold, Style::Mono] {
                for width in [9.0, 13.7, 21.0, 28.4, 40.0, 55.5, 86.0, 120.0, WIDTH] {
                    assert_fits(text, style, 7.3, width);
                }
            }
        }
    }

    #[test]
    fn thai_breaks_at_its_spaces_and_a_long_run_keeps_its_marks() {
        let sentence = "บริษัท ไทยเทรดดิ้ง จำกัด ส่งออกสินค้า ที่ใช้ได้สองทาง ไปยังประเทศ ที่ถูกคว่ำบาตร";
        let words: BTreeSet<&str> = sentence.split(' ').collect();
        let mut c = Composer::new();
        let widest = words.iter().map(|w| c.measure(w, Style::Regular, 9.0)).fold(0.0, f32::max);
        for width in [widest + 0.1, widest * 1.5, widest * 2.2, widest * 3.7] {
            assert_fits(sentence, Style::Regular, 9.0, width);
            let lines = wrapped(sentence, Style::Regular, 9.0, width);
            assert!(lines.len() > 1);
            for l in &lines {
                assert!(l.split(' ').all(|w| words.contains(w)), "{l:?} breaks inside a word at {width} mm");
            }
        }
        // A run with no space is cut between characters, never before a mark.
        let run = sentence.replace(' ', "");
        for width in [6.0, 9.5, 14.0, 23.0] {
            assert_fits(&run, Style::Regular, 9.0, width);
            let lines = wrapped(&run, Style::Regular, 9.0, width);
            assert!(lines.len() > 1);
            for pair in lines.windows(2) {
                let (a, b) = (pair[0].chars().last(), pair[1].chars().next());
                assert!(!fonts::joins(a.expect("a"), b.expect("b")), "{pair:?} splits a character at {width} mm");
            }
        }
    }

    #[test]
    fn line_breaks_in_the_text_are_kept_and_spaces_around_a_line_dropped() {
        assert_eq!(wrapped("a\n\nb\n", Style::Regular, 9.0, 50.0), ["a", "", "b"]);
        assert_eq!(wrapped("", Style::Regular, 9.0, 50.0), [""]);
        assert_eq!(wrapped("  indented  \n   ", Style::Regular, 9.0, 50.0), ["indented"]);
        for text in ["a\n\nb\n", "", "  indented  \n   ", "\n", "x\n  \ny"] {
            assert_eq!(wrapped(text, Style::Regular, 9.0, 50.0), greedy_at_spaces_lines(text), "{text:?}");
        }
    }

    /// The old wrapper, line break by line break, without the spaces it
    /// left at the end of a paragraph (they shifted right-aligned text).
    fn greedy_at_spaces_lines(text: &str) -> Vec<String> {
        let hard: Vec<&str> = text.split('\n').collect();
        let mut out = Vec::new();
        for (n, h) in hard.iter().enumerate() {
            let ls = greedy_at_spaces(h, Style::Regular, 9.0, 50.0);
            let empty = ls == [""];
            if !(empty && n == hard.len() - 1 && !out.is_empty()) {
                out.extend(ls.iter().map(|l| l.trim_end().to_string()));
            }
        }
        out
    }

    #[test]
    fn a_cjk_name_moves_whole_to_the_next_line_when_it_fits() {
        let mut c = Composer::new();
        for name in ["辽宁东港海产品有限公司", "조선대동강무역회사", "ヤマト貿易株式会社"]
        {
            let text = format!("Dandong Trading Co. → {name}");
            let width = c.measure(&text, Style::Regular, 7.3) - 0.5;
            assert_eq!(wrapped(&text, Style::Regular, 7.3, width), ["Dandong Trading Co. →", name]);
            // Wider than the line, it is cut between characters.
            let narrow = c.measure(name, Style::Regular, 7.3) * 0.6;
            assert_fits(name, Style::Regular, 7.3, narrow);
            assert_eq!(wrapped(name, Style::Regular, 7.3, narrow).len(), 2);
        }
        // A break at CJK punctuation stays.
        let text = "辽宁东港海产品有限公司、丹东鸭绿江边贸有限公司";
        let width = c.measure("辽宁东港海产品有限公司、丹东", Style::Regular, 7.3);
        assert_eq!(wrapped(text, Style::Regular, 7.3, width), ["辽宁东港海产品有限公司、", "丹东鸭绿江边贸有限公司"]);
    }
}
