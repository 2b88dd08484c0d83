//! Importers: each reads one source format into a [`Snapshot`].
//!
//! [`import_files`] hands the bytes of the source file(s) to the format's
//! parser ([`un`], [`ofac_csv`], [`ofac_xml`], [`ftm`]) and fills the
//! snapshot's fingerprint, sources and publication date; reading the files
//! and telling the format apart ([`Format::detect`]) is the filesystem
//! front's (`sources::import_list`). Entries come out sorted by reference, so the
//! same input always gives the same snapshot, byte for byte.

pub mod ftm;
pub mod ofac_csv;
pub mod ofac_xml;
pub mod un;
pub mod watchlist;

use std::path::Path;

use sha2::{Digest, Sha256};

use super::model::{Entry, Name, Quality, Snapshot};

/// A source format Cordon can import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// The UN Security Council Consolidated List XML (`CONSOLIDATED_LIST`).
    UnXml,
    /// OFAC's legacy SDN CSV files (sdn.csv with alt.csv, add.csv, sdn_comments.csv).
    OfacCsv,
    /// OFAC's `sdnList` XML (sdn.xml, consolidated.xml).
    OfacXml,
    /// OpenSanctions FollowTheMoney JSON lines.
    Ftm,
    /// Cordon's watchlist CSV (`ref`, `name`, optional `kind`, `imo`, `listed_on` …).
    Watchlist,
}

impl Format {
    /// Every format, in a fixed order.
    pub const ALL: [Format; 5] = [Format::UnXml, Format::OfacCsv, Format::OfacXml, Format::Ftm, Format::Watchlist];

    /// The format's name (`un-xml`, `ofac-csv`, `ofac-xml`, `ftm`).
    pub fn name(self) -> &'static str {
        match self {
            Format::UnXml => "un-xml",
            Format::OfacCsv => "ofac-csv",
            Format::OfacXml => "ofac-xml",
            Format::Ftm => "ftm",
            Format::Watchlist => "watchlist-csv",
        }
    }

    /// Parses a format's name.
    pub fn from_name(s: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == s)
    }

    /// Tells the format of a file from its name and first bytes.
    ///
    /// UN XML has the root element `CONSOLIDATED_LIST`, OFAC XML the root
    /// `sdnList`; FollowTheMoney is JSON lines with a `"schema"` key; OFAC CSV
    /// is recognised by its file names (`sdn.csv`, `alt.csv`, `add.csv`,
    /// `sdn_comments.csv`; a folder holding `sdn.csv` is told by the
    /// filesystem front, `sources::import_list`).
    pub fn detect(path: &Path, head: &[u8]) -> Option<Format> {
        if ofac_csv::role_of(path).is_some() {
            return Some(Format::OfacCsv);
        }
        let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
        let start = head.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(head.len());
        let head = head.get(start..).unwrap_or_default();
        match head.first() {
            Some(b'<') => match xml_root(head)?.as_str() {
                "CONSOLIDATED_LIST" => Some(Format::UnXml),
                "sdnList" => Some(Format::OfacXml),
                _ => None,
            },
            Some(b'{') if contains(head, b"\"schema\"") => Some(Format::Ftm),
            _ if watchlist::looks_like(head) => Some(Format::Watchlist),
            _ => None,
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a list could not be imported.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ImportError {
    /// A source file cannot be read.
    #[error("cannot read `{path}`: {source}")]
    #[diagnostic(code(cordon::lists::io))]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A source file is malformed: truncated, not the format it claims, or
    /// missing a field every record needs.
    #[error("`{path}` is malformed: {reason}")]
    #[diagnostic(code(cordon::lists::format))]
    Format {
        /// The file.
        path: String,
        /// What is wrong, with the line or element where known.
        reason: String,
    },
    /// The format of a source file cannot be told.
    #[error("cannot tell the list format of `{path}`")]
    #[diagnostic(
        code(cordon::lists::unsupported),
        help(
            "Cordon reads UN XML, OFAC XML, OFAC CSV (sdn.csv), FollowTheMoney JSON lines and watchlist CSV (`ref`, `name` columns); name the format explicitly if the file is one of them"
        )
    )]
    Unsupported {
        /// The file.
        path: String,
    },
}

impl ImportError {
    /// A [`ImportError::Format`] error.
    pub(crate) fn format(path: &str, reason: impl Into<String>) -> ImportError {
        ImportError::Format { path: path.to_string(), reason: reason.into() }
    }
}

/// What a format's parser gives back: the entries, unsorted, and the
/// publication date the source states.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    /// The entries, in source order.
    pub entries: Vec<Entry>,
    /// The publication date (YYYY-MM-DD), if the source states one.
    pub published: Option<String>,
    /// What the import left out of the source and why (rows of a companion
    /// file whose entry is not in the main file, …), one line each.
    pub notes: Vec<String>,
}

/// One source file read into memory.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path, as a display string.
    pub path: String,
    /// The file's bytes.
    pub bytes: Vec<u8>,
}

/// Makes a snapshot from source files already read: `files` are the list's
/// source files in `format` (for OFAC CSV, sdn.csv first); `name` is the
/// list's name in Cordon (`UN_SC`, `OFAC_SDN`). Several files of the same
/// format make one snapshot (for FollowTheMoney, Sanction entities may
/// point across files). The fingerprint is of the bytes, in path order.
pub fn import_files(files: Vec<SourceFile>, format: Format, name: &str) -> Result<Snapshot, ImportError> {
    if files.is_empty() {
        return Err(ImportError::format("(none)", "no source files given"));
    }
    let sources: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
    let mut order: Vec<&SourceFile> = files.iter().collect();
    order.sort_by(|a, b| std::path::Path::new(&a.path).cmp(std::path::Path::new(&b.path)));
    let mut hasher = Sha256::new();
    for f in order {
        hasher.update(&f.bytes);
    }
    let fingerprint = crate::source::hex(&hasher.finalize());
    let parsed = match format {
        Format::UnXml => each(&files, un::parse)?,
        Format::OfacXml => each(&files, ofac_xml::parse)?,
        Format::OfacCsv => ofac_csv::parse(&files)?,
        Format::Ftm => ftm::parse(&files)?,
        Format::Watchlist => each(&files, watchlist::parse)?,
    };
    let mut entries = parsed.entries;
    entries.sort_by(|a, b| a.reference.cmp(&b.reference));
    Ok(Snapshot {
        name: name.to_string(),
        format: format.name().to_string(),
        sources,
        published: parsed.published,
        fingerprint,
        entries,
        notes: parsed.notes,
    })
}

/// Parses every file on its own and puts the entries together; the
/// publication date is the latest any file states.
fn each(files: &[SourceFile], parse: fn(&SourceFile) -> Result<Parsed, ImportError>) -> Result<Parsed, ImportError> {
    let mut all = Parsed::default();
    for f in files {
        let p = parse(f)?;
        all.entries.extend(p.entries);
        all.published = all.published.max(p.published);
        all.notes.extend(p.notes);
    }
    Ok(all)
}

/// How many bytes of a file [`Format::detect`] gets to see.
pub const HEAD: usize = 64 * 1024;

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

/// The local name of the first element in an XML prefix, if it can be read.
fn xml_root(head: &[u8]) -> Option<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(head);
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) | Event::Empty(e) => {
                return Some(String::from_utf8_lossy(e.local_name().as_ref()).into_owned());
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

/// The scripts that win a tie in [`script_of`], in this order; any other
/// script comes after them.
const FIRST_ON_TIES: [&str; 7] = ["Cyrl", "Arab", "Hani", "Hang", "Jpan", "Grek", "Hebr"];

/// The ISO 15924 code of the non-Latin script a name is written in, if any:
/// `Cyrl`, `Arab`, `Hani` (Han alone), `Hang`, `Jpan` (kana, with or without
/// Han: kana with Han is Japanese), `Grek`, `Hebr`, and likewise any other
/// script Unicode knows (`Thai`, `Deva`, `Geor`, `Armn`, …).
///
/// Each character's script comes from the Unicode Character Database
/// (`unicode-script`). The script with the most characters wins; a tie goes
/// to the first of `Cyrl`, `Arab`, `Hani`, `Hang`, `Jpan`, `Grek`, `Hebr`,
/// then to the alphabetically first code. Latin, and the characters scripts
/// share (the digits 0-9, punctuation, spaces, combining accents), never
/// count: a name in Latin letters, digits and punctuation gives `None`. A
/// script's own digits (Arabic-Indic, Thai) count as that script.
pub fn script_of(text: &str) -> Option<String> {
    use unicode_script::{Script, UnicodeScript};

    // ASCII is Latin or shared; skip the table for it.
    let script = |c: char| if c.is_ascii() { Script::Common } else { c.script() };
    // Kana with Han is Japanese: the Han then counts as Japanese too.
    let japanese = text.chars().any(|c| matches!(script(c), Script::Hiragana | Script::Katakana));
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    for c in text.chars() {
        let code = match script(c) {
            Script::Latin | Script::Common | Script::Inherited | Script::Unknown => continue,
            Script::Hiragana | Script::Katakana => "Jpan",
            Script::Han if japanese => "Jpan",
            s => s.short_name(),
        };
        match counts.iter_mut().find(|(k, _)| *k == code) {
            Some((_, n)) => *n += 1,
            None => counts.push((code, 1)),
        }
    }
    let rank = |code: &str| FIRST_ON_TIES.iter().position(|c| *c == code).unwrap_or(FIRST_ON_TIES.len());
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| rank(b.0).cmp(&rank(a.0))).then_with(|| b.0.cmp(a.0)))
        .map(|(code, _)| code.to_string())
}

/// Collapses runs of whitespace (newlines, tabs, no-break spaces) into single
/// spaces and trims the ends.
pub(crate) fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A name with its script detected, or `None` when it is empty.
pub(crate) fn name(text: &str, quality: Quality) -> Option<Name> {
    let text = clean(text);
    if text.is_empty() {
        return None;
    }
    let script = script_of(&text);
    Some(Name { text, quality, script })
}

/// Pushes a value onto a list unless it is empty or already there.
pub(crate) fn push_unique(list: &mut Vec<String>, value: &str) {
    let value = clean(value);
    if !value.is_empty() && !list.contains(&value) {
        list.push(value);
    }
}

/// Decodes bytes as UTF-8, reading any byte that is not valid UTF-8 as
/// Windows-1252 (OFAC's legacy files are not guaranteed to be UTF-8).
///
/// Valid UTF-8 sequences are kept as they are; only the bytes between them
/// go through `encoding_rs`'s Windows-1252, the WHATWG Encoding Standard's
/// (its five unassigned bytes 0x81, 0x8D, 0x8F, 0x90 and 0x9D are the C1
/// controls, as browsers read them). Every byte has a character there, so
/// nothing is lost or replaced.
pub(crate) fn decode_lenient(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        if !chunk.invalid().is_empty() {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(chunk.invalid());
            out.push_str(&text);
        }
    }
    out
}

/// Reads an OFAC date as written in remarks and `dateOfBirth` elements into
/// the model's forms: `13 Jan 1975` → `1975-01-13`, `Jan 1975` → `1975-01`,
/// `1975` and `circa 1975` → `1975`, `1960 to 1962` → `1960-1962`,
/// `01 Jan 1967 to 31 Dec 1969` → `1967-1969`, other ranges → `A/B`. Anything
/// else is kept as written.
pub(crate) fn ofac_date(text: &str) -> Option<String> {
    let text = clean(text.trim().trim_end_matches('.'));
    if text.is_empty() {
        return None;
    }
    let plain = text.strip_prefix("circa ").unwrap_or(&text);
    if let Some((from, to)) = plain.split_once(" to ") {
        let from = one_date(from.trim_start_matches("circa "));
        let to = one_date(to.trim_start_matches("circa "));
        if let (Some(from), Some(to)) = (from, to) {
            let (fy, ty) = (from.get(..4).unwrap_or_default(), to.get(..4).unwrap_or_default());
            let whole_years =
                (from.len() == 4 || from.ends_with("-01-01")) && (to.len() == 4 || to.ends_with("-12-31"));
            return Some(if whole_years { format!("{fy}-{ty}") } else { format!("{from}/{to}") });
        }
        return Some(text);
    }
    let year_range =
        plain.len() == 9 && plain.bytes().enumerate().all(|(i, b)| if i == 4 { b == b'-' } else { b.is_ascii_digit() });
    if year_range {
        return Some(plain.to_string());
    }
    Some(one_date(plain).unwrap_or(text))
}

/// `13 Jan 1975`, `Jan 1975` or `1975` as ISO.
fn one_date(s: &str) -> Option<String> {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let year = |y: &str| (y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit())).then(|| y.to_string());
    let month = |m: &str| MONTHS.iter().position(|x| x.eq_ignore_ascii_case(m)).map(|i| i + 1);
    let parts: Vec<&str> = s.split_whitespace().collect();
    match parts.as_slice() {
        [y] => year(y),
        [m, y] => Some(format!("{}-{:02}", year(y)?, month(m)?)),
        [d, m, y] => {
            let d: u32 = d.parse().ok().filter(|d| (1..=31).contains(d))?;
            Some(format!("{}-{:02}-{d:02}", year(y)?, month(m)?))
        }
        _ => None,
    }
}

/// An IMO number's seven digits, from `IMO 1234567`, `1234567` or the like.
pub(crate) fn imo_digits(s: &str) -> Option<String> {
    let s = s.trim().trim_end_matches('.');
    let s = s.strip_prefix("IMO").unwrap_or(s).trim_start_matches([' ', ':']);
    (s.len() == 7 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.to_string())
}

/// A minimal XML element tree, built one record at a time so large files
/// need not be held as a whole tree.
pub(crate) mod xml {
    use quick_xml::events::Event;

    use super::ImportError;

    /// The deepest nesting a list file may have (the UN and OFAC files nest
    /// five or six levels).
    const MAX_DEPTH: usize = 64;

    /// One element: its local name, attributes, children and text.
    #[derive(Debug, Default)]
    pub(crate) struct Node {
        pub(crate) name: String,
        pub(crate) attrs: Vec<(String, String)>,
        pub(crate) children: Vec<Node>,
        pub(crate) text: String,
        /// The line the element starts on (1-based).
        pub(crate) line: usize,
    }

    impl Node {
        /// The first child of that name.
        pub(crate) fn child(&self, name: &str) -> Option<&Node> {
            self.children.iter().find(|c| c.name == name)
        }

        /// The children of that name.
        pub(crate) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
            self.children.iter().filter(move |c| c.name == name)
        }

        /// The text of the first child of that name, whitespace collapsed;
        /// `None` when missing or empty.
        pub(crate) fn text_of(&self, name: &str) -> Option<String> {
            self.child(name).and_then(Node::value)
        }

        /// This element's text, whitespace collapsed; `None` when empty.
        pub(crate) fn value(&self) -> Option<String> {
            let t = super::clean(&self.text);
            (!t.is_empty()).then_some(t)
        }

        /// An attribute's value.
        pub(crate) fn attr(&self, name: &str) -> Option<&str> {
            self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
        }
    }

    /// Counts lines as the reader moves forward through the bytes.
    struct Lines<'a> {
        bytes: &'a [u8],
        pos: usize,
        line: usize,
    }

    impl Lines<'_> {
        fn at(&mut self, pos: u64) -> usize {
            let pos = usize::try_from(pos).unwrap_or(usize::MAX).min(self.bytes.len());
            if pos > self.pos {
                let seen = self.bytes.get(self.pos..pos).unwrap_or_default();
                self.line += seen.iter().filter(|&&b| b == b'\n').count();
                self.pos = pos;
            }
            self.line
        }
    }

    /// Parses an XML document. Elements for which `is_record(name, depth)`
    /// holds (the root has depth 0) are handed to `on_record` when they
    /// close, and left out of the tree; the rest of the tree (the root with
    /// its attributes and non-record children) is returned.
    /// Parses a list file whose root element must be `root_name`, turning
    /// each record element into an entry; returns the root (its attributes
    /// and non-record children) and the entries in file order.
    pub(crate) fn entries<T>(
        path: &str,
        bytes: &[u8],
        root_name: &str,
        is_record: &dyn Fn(&str, usize) -> bool,
        entry: impl Fn(&str, &Node) -> Result<T, ImportError>,
    ) -> Result<(Node, Vec<T>), ImportError> {
        let mut entries = Vec::new();
        let root = parse(path, bytes, is_record, &mut |node| {
            entries.push(entry(path, &node)?);
            Ok(())
        })?;
        if root.name != root_name {
            return Err(ImportError::format(
                path,
                format!("the root element is `<{}>`, not `<{root_name}>`", root.name),
            ));
        }
        Ok((root, entries))
    }

    pub(crate) fn parse(
        path: &str,
        bytes: &[u8],
        is_record: &dyn Fn(&str, usize) -> bool,
        on_record: &mut dyn FnMut(Node) -> Result<(), ImportError>,
    ) -> Result<Node, ImportError> {
        let bad = |line: usize, reason: String| ImportError::format(path, format!("line {line}: {reason}"));
        let mut reader = quick_xml::Reader::from_reader(bytes);
        reader.config_mut().expand_empty_elements = true;
        let mut lines = Lines { bytes, pos: 0, line: 1 };
        let mut stack: Vec<Node> = Vec::new();
        let mut root: Option<Node> = None;
        loop {
            let before = reader.buffer_position();
            let event = match reader.read_event() {
                Ok(e) => e,
                Err(e) => {
                    let line = lines.at(reader.error_position());
                    return Err(bad(line, format!("not well-formed XML: {e}")));
                }
            };
            match event {
                Event::Start(e) => {
                    let line = lines.at(before);
                    if root.is_some() && stack.is_empty() {
                        return Err(bad(line, "content after the root element".into()));
                    }
                    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                    let mut attrs = Vec::new();
                    for a in e.attributes() {
                        let a = a.map_err(|err| bad(line, format!("bad attribute in `<{name}>`: {err}")))?;
                        let key = String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned();
                        let value =
                            a.unescape_value().map_err(|err| bad(line, format!("bad attribute `{key}`: {err}")))?;
                        attrs.push((key, value.into_owned()));
                    }
                    // List files nest a few levels; a tree nested without
                    // bound would overflow the stack when dropped (red team H5).
                    if stack.len() >= MAX_DEPTH {
                        return Err(bad(line, format!("elements are nested deeper than {MAX_DEPTH} levels")));
                    }
                    stack.push(Node { name, attrs, line, ..Node::default() });
                }
                Event::End(_) => {
                    let Some(node) = stack.pop() else {
                        return Err(bad(lines.at(before), "closing tag without an opening tag".into()));
                    };
                    let depth = stack.len();
                    match stack.last_mut() {
                        None => root = Some(node),
                        Some(_) if is_record(&node.name, depth) => on_record(node)?,
                        Some(parent) => parent.children.push(node),
                    }
                }
                Event::Text(t) => {
                    if let Some(top) = stack.last_mut() {
                        let text = t.decode().map_err(|e| bad(lines.at(before), format!("bad text: {e}")))?;
                        top.text.push_str(&text);
                    }
                }
                Event::CData(t) => {
                    if let Some(top) = stack.last_mut() {
                        let text = t.decode().map_err(|e| bad(lines.at(before), format!("bad text: {e}")))?;
                        top.text.push_str(&text);
                    }
                }
                Event::GeneralRef(r) => {
                    let line = lines.at(before);
                    let resolved = if r.is_char_ref() {
                        match r.resolve_char_ref() {
                            Ok(Some(c)) => c.to_string(),
                            _ => return Err(bad(line, "bad character reference".into())),
                        }
                    } else {
                        let name = r.decode().map_err(|e| bad(line, format!("bad entity reference: {e}")))?;
                        match quick_xml::escape::resolve_predefined_entity(&name) {
                            Some(s) => s.to_string(),
                            None => return Err(bad(line, format!("unknown entity `&{name};`"))),
                        }
                    };
                    if let Some(top) = stack.last_mut() {
                        top.text.push_str(&resolved);
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        if let Some(open) = stack.last() {
            let line = lines.at(reader.buffer_position());
            return Err(bad(line, format!("the file ends inside `<{}>`: it is truncated", open.name)));
        }
        root.ok_or_else(|| ImportError::format(path, "no XML root element"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::import_list as import;
    use std::path::PathBuf;

    #[test]
    fn format_names_round_trip() {
        for f in Format::ALL {
            assert_eq!(Format::from_name(f.name()), Some(f));
        }
        assert_eq!(Format::from_name("csv"), None);
    }

    #[test]
    fn detects_formats_from_heads() {
        let p = Path::new("/nonexistent/file");
        let un = b"\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<CONSOLIDATED_LIST dateGenerated=\"x\"><INDIVIDUALS>";
        assert_eq!(Format::detect(p, un), Some(Format::UnXml));
        let ofac = b"<?xml version=\"1.0\" standalone=\"yes\"?>\r\n<sdnList xmlns=\"http://tempuri.org/sdnList.xsd\">";
        assert_eq!(Format::detect(p, ofac), Some(Format::OfacXml));
        assert_eq!(Format::detect(p, b"{\"id\":\"x\",\"schema\":\"Person\"}\n"), Some(Format::Ftm));
        assert_eq!(Format::detect(Path::new("x/SDN.CSV"), b""), Some(Format::OfacCsv));
        assert_eq!(Format::detect(p, b"<html><body>"), None);
        assert_eq!(Format::detect(p, b"{\"a\": 1}"), None);
        assert_eq!(Format::detect(p, b"\x00\x01garbage"), None);
        assert_eq!(Format::detect(p, b""), None);
    }

    #[test]
    fn detects_scripts() {
        assert_eq!(script_of("KOREA MINING"), None);
        assert_eq!(script_of("Jin Tiesan (金铁三)").as_deref(), Some("Hani"));
        assert_eq!(script_of("Виталий Юрьевич").as_deref(), Some("Cyrl"));
        assert_eq!(script_of("عبد الله").as_deref(), Some("Arab"));
        assert_eq!(script_of("조선광업개발무역회사").as_deref(), Some("Hang"));
        assert_eq!(script_of("ザラ・アエロ・グループ").as_deref(), Some("Jpan"));
        assert_eq!(script_of("Müller-Lüdenscheidt, Ł."), None);
    }

    #[test]
    fn detects_the_scripts_of_real_names() {
        let s = |t: &str| script_of(t);
        assert_eq!(s("Ким Чен Ын").as_deref(), Some("Cyrl"));
        assert_eq!(s("김정은").as_deref(), Some("Hang"));
        assert_eq!(s("金正恩").as_deref(), Some("Hani"));
        assert_eq!(s("キム・ジョンウン").as_deref(), Some("Jpan"));
        assert_eq!(s("きむ じょんうん").as_deref(), Some("Jpan"));
        assert_eq!(s("كيم جونغ أون").as_deref(), Some("Arab"));
        assert_eq!(s("Κιμ Γιονγκ Ουν").as_deref(), Some("Grek"));
        assert_eq!(s("קים ג'ונג און").as_deref(), Some("Hebr"));
        // Kana with Han is Japanese, even where the Han outnumbers the kana.
        assert_eq!(s("金正恩（キム・ジョンウン）").as_deref(), Some("Jpan"));
        assert_eq!(s("朝鮮民主主義人民共和国の金正恩").as_deref(), Some("Jpan"));
        // A script's own digits are that script.
        assert_eq!(s("١٢٣").as_deref(), Some("Arab"));
    }

    #[test]
    fn latin_digits_and_punctuation_are_no_script() {
        for t in [
            "KIM JONG UN",
            "Kim Jong-un, Mr.",
            "Müller-Lüdenscheidt, Ł.",
            "Nguyễn Tấn Dũng",
            "1718 / 2017-09-11 (No. 42)",
            "— «» „“ ‹›",
            "Jose\u{301}",
            "",
        ] {
            assert_eq!(script_of(t), None, "{t:?}");
        }
    }

    #[test]
    fn mixed_names_go_to_the_script_with_most_letters() {
        let s = |t: &str| script_of(t);
        // Latin never counts, however many letters it has.
        assert_eq!(s("Kim Jong Un (Ким Чен Ын)").as_deref(), Some("Cyrl"));
        assert_eq!(s("KOREA KWANGSON BANKING CORP (Ким)").as_deref(), Some("Cyrl"));
        assert_eq!(s("Ки 金正恩").as_deref(), Some("Hani"));
        assert_eq!(s("Ким 金正").as_deref(), Some("Cyrl"));
        assert_eq!(s("金正恩 김정은님").as_deref(), Some("Hang"));
        // Ties go by the order Cyrl, Arab, Hani, Hang, Jpan, Grek, Hebr.
        assert_eq!(s("Ки 김정").as_deref(), Some("Cyrl"));
        assert_eq!(s("عب Ки").as_deref(), Some("Cyrl"));
        assert_eq!(s("金正恩 김정은").as_deref(), Some("Hani"));
        assert_eq!(s("Αβ אב").as_deref(), Some("Grek"));
        assert_eq!(s("אב عب").as_deref(), Some("Arab"));
    }

    #[test]
    fn names_in_other_scripts_are_reported_too() {
        // The hand-written table knew seven scripts and gave None for these.
        let s = |t: &str| script_of(t);
        assert_eq!(s("คิม จ็อง-อึน").as_deref(), Some("Thai"));
        assert_eq!(s("किम जोंग-उन").as_deref(), Some("Deva"));
        assert_eq!(s("კიმ ჩენ ინი").as_deref(), Some("Geor"));
        assert_eq!(s("Կիմ Չեն Ին").as_deref(), Some("Armn"));
        assert_eq!(s("ᠬᠢᠮ").as_deref(), Some("Mong"));
        // Kana outside the basic blocks (small kana, the kana supplement).
        assert_eq!(s("\u{1B001}\u{1B132}").as_deref(), Some("Jpan"));
        // A tie between two of them goes to the alphabetically first code,
        // a tie with one of the seven to the seven.
        assert_eq!(s("กข კა").as_deref(), Some("Geor"));
        assert_eq!(s("กข Ки").as_deref(), Some("Cyrl"));
        assert_eq!(s("คิม จ็อง Ким").as_deref(), Some("Thai"));
    }

    #[test]
    fn shared_marks_inside_a_script_block_do_not_count() {
        // Characters the hand-written ranges counted for a script although
        // Unicode gives them to no script (Common, Inherited): alone or with
        // Latin they are no script.
        for t in [
            "KIM・JONG UN", // katakana middle dot
            "ー",           // prolonged sound mark
            "Ali، Hassan؟", // Arabic comma and question mark
            "Ali\u{64e}",   // Arabic fatha (a combining mark)
            "What\u{37e}",  // Greek question mark (canonically `;`)
            "Ivan\u{485}",  // Cyrillic combining mark
        ] {
            assert_eq!(script_of(t), None, "{t:?}");
        }
        // Within a name in the script they change nothing.
        assert_eq!(script_of("مُحَمَّد، عَلِيّ").as_deref(), Some("Arab"));
        assert_eq!(script_of("キム・ジョンウン").as_deref(), Some("Jpan"));
        // Coptic letters in the Greek block are Coptic.
        assert_eq!(script_of("ϢϤϦ").as_deref(), Some("Copt"));
    }

    #[test]
    fn reads_ofac_dates() {
        let d = |s: &str| ofac_date(s);
        assert_eq!(d("13 Jan 1975").as_deref(), Some("1975-01-13"));
        assert_eq!(d("1975").as_deref(), Some("1975"));
        assert_eq!(d("circa 1947").as_deref(), Some("1947"));
        assert_eq!(d("Dec 1958.").as_deref(), Some("1958-12"));
        assert_eq!(d("1960 to 1962").as_deref(), Some("1960-1962"));
        assert_eq!(d("circa 1979-1982").as_deref(), Some("1979-1982"));
        assert_eq!(d("circa 1979 to circa 1982").as_deref(), Some("1979-1982"));
        assert_eq!(d("01 Jan 1967 to 31 Dec 1969").as_deref(), Some("1967-1969"));
        assert_eq!(d("05 Mar 1967 to 06 Mar 1967").as_deref(), Some("1967-03-05/1967-03-06"));
        assert_eq!(d("sometime in spring").as_deref(), Some("sometime in spring"));
        assert_eq!(d(" "), None);
    }

    #[test]
    fn decodes_windows_1252() {
        assert_eq!(decode_lenient(b"caf\xe9 \x80 \xe2\x82\xac ok"), "café € € ok");
        assert_eq!(decode_lenient(b"\x81\x9d"), "\u{81}\u{9d}");
        assert_eq!(decode_lenient(b""), "");
    }

    #[test]
    fn decodes_every_byte_0x80_to_0x9f_as_windows_1252() {
        // Windows-1252 as browsers read it (the WHATWG Encoding Standard):
        // the five unassigned bytes 0x81, 0x8D, 0x8F, 0x90, 0x9D are the C1
        // controls of the same value. Written out so any change shows.
        const EXPECTED: [char; 32] = [
            '\u{20ac}', '\u{81}', '\u{201a}', '\u{192}', '\u{201e}', '\u{2026}', '\u{2020}', '\u{2021}', // 0x80
            '\u{2c6}', '\u{2030}', '\u{160}', '\u{2039}', '\u{152}', '\u{8d}', '\u{17d}', '\u{8f}', // 0x88
            '\u{90}', '\u{2018}', '\u{2019}', '\u{201c}', '\u{201d}', '\u{2022}', '\u{2013}', '\u{2014}', // 0x90
            '\u{2dc}', '\u{2122}', '\u{161}', '\u{203a}', '\u{153}', '\u{9d}', '\u{17e}', '\u{178}', // 0x98
        ];
        for (b, want) in (0x80u8..=0x9F).zip(EXPECTED) {
            assert_eq!(decode_lenient(&[b]), want.to_string(), "byte {b:#04x}");
            assert_eq!(decode_lenient(&[b'a', b, b'z']), format!("a{want}z"), "byte {b:#04x} between letters");
        }
        // Latin-1 above 0x9F and ASCII are the code points of the same value.
        for b in (0x00u8..=0x7F).chain(0xA0..=0xFF) {
            let want = char::from(b).to_string();
            assert_eq!(decode_lenient(&[b]), want, "byte {b:#04x}");
        }
    }

    #[test]
    fn valid_utf8_stays_and_only_stray_bytes_are_windows_1252() {
        // A UTF-8 name in curly quotes written by a Windows-1252 editor:
        // the Cyrillic, the CJK and the UTF-8 en dash stay as they are, the
        // lone 0x93/0x94 become the curly quotes.
        let bytes = b"\x93\xd0\x9a\xd0\xb8\xd0\xbc \xe9\x87\x91\x94 \xe2\x80\x93 Caf\xc3\xa9 \x93ok\x94";
        assert_eq!(decode_lenient(bytes), "“Ким 金” – Café “ok”");
        // A truncated UTF-8 sequence is read byte by byte.
        assert_eq!(decode_lenient(b"\xe2\x80 x"), "â€ x");
        assert_eq!(decode_lenient(b"x \xd0"), "x \u{d0}");
    }

    #[test]
    fn xml_errors_are_format_errors() {
        let mut n = 0;
        let r = xml::parse("t.xml", b"<a>\n<b>x</b>\n<b>y", &|name, _| name == "b", &mut |_| {
            n += 1;
            Ok(())
        });
        assert!(matches!(&r, Err(ImportError::Format { reason, .. }) if reason.contains("truncated")), "{r:?}");
        let r = xml::parse("t.xml", b"<a>\n<b>x</c></a>", &|_, _| false, &mut |_| Ok(()));
        assert!(matches!(&r, Err(ImportError::Format { reason, .. }) if reason.starts_with("line 2")), "{r:?}");
        let r = xml::parse("t.xml", b"<a>&bogus;</a>", &|_, _| false, &mut |_| Ok(()));
        assert!(matches!(r, Err(ImportError::Format { .. })));
        let r = xml::parse("t.xml", b"   ", &|_, _| false, &mut |_| Ok(()));
        assert!(matches!(r, Err(ImportError::Format { .. })));
    }

    #[test]
    fn import_reports_missing_and_unknown_files() {
        let r = import(&[PathBuf::from("/nonexistent/list.xml")], None, "X");
        assert!(matches!(r, Err(ImportError::Io { .. })), "{r:?}");
        let r = import(&[PathBuf::from("/nonexistent/list.xml")], Some(Format::UnXml), "X");
        assert!(matches!(r, Err(ImportError::Io { .. })), "{r:?}");
        let readme = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/seeds/lists/sources/README.md"));
        let r = import(&[readme], None, "X");
        assert!(matches!(r, Err(ImportError::Unsupported { .. })), "{r:?}");
        assert!(matches!(import(&[], None, "X"), Err(ImportError::Format { .. })));
    }

    #[test]
    fn mixed_formats_are_refused() {
        let un =
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/lists/un-consolidated-2018-10-29.xml"));
        let ftm = PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/lists/yente-fixture-t1-eu_fsf.entities.ftm.json"
        ));
        let r = import(&[un, ftm], None, "X");
        assert!(
            matches!(&r, Err(ImportError::Format { reason, .. }) if reason.contains("one list at a time")),
            "{r:?}"
        );
    }
}
