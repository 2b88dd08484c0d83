//! CSV input: RFC 4180 quoting, UTF-8 with or without BOM, CRLF or LF, a
//! header row naming the columns.

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::Arc;

#[cfg(test)]
use csv::ByteRecord;
use csv::ReaderBuilder;

use super::chunk::{Chunk, Chunker, count_breaks};

use super::error::{FieldProblem, InputError};
use super::value::parse_cell_into;
use super::{Cell, ColumnPolicy, Format, InputSpec, Invalid, Layout, Limits, Raw, Record};
use crate::config::InputConfig;
use crate::schema::Schema;

/// Splits chunks of CSV into records, on any thread: RFC 4180 as the `csv`
/// crate reads it (a quote opens a quoted field only at the start of a
/// field; `""` inside one is a quote; after the closing quote the field
/// goes on unquoted up to the delimiter; `\n`, `\r\n` and a lone `\r` end
/// a record; blank lines are skipped; at the end of the input an open
/// quote ends with it). A line without a quote is split in place; a record
/// with one is copied field by field, unescaped. A proptest holds it to the
/// `csv` crate's reading of any input.
pub struct Splitter {
    delimiter: u8,
    /// The fields of the last record with a quote, unescaped.
    out: Vec<u8>,
    bounds: Vec<(usize, usize)>,
    /// Lines after their first that the records split so far spread over
    /// (line breaks inside quoted fields), for the run's summary.
    pub quoted_lines: u64,
    /// The last record read ran to the end of the input inside a quote.
    open_at_end: bool,
}

/// One CSV record as split: its fields are `text[start..end]` for each
/// `(start, end)` of `bounds`.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    /// The line the record starts on.
    pub line: u64,
    /// The bytes its fields are in.
    pub text: &'a [u8],
    /// Where each field is in `text`.
    pub bounds: &'a [(usize, usize)],
    /// `text` as UTF-8, when it lies in the part of its chunk checked valid
    /// (one check a chunk rather than one a record: [`valid_text`]);
    /// `None`: not known, check it.
    pub utf8: Option<&'a str>,
    /// `text` is known to be ASCII (its whole chunk is); `false`: not known.
    pub ascii: bool,
    /// Where `text` starts in the bytes split, when it is read in place
    /// (`None`: a copy, unescaped); see [`Splitter::split_valid`].
    pub at: Option<usize>,
    /// `text` may hold a line break (a quoted field over several lines);
    /// `false`: it holds none (the splitter saw where the record ends).
    pub multiline: bool,
}

impl<'a> Row<'a> {
    /// Number of fields.
    pub fn len(&self) -> usize {
        self.bounds.len()
    }

    /// Whether the record has no field (never, for a split record).
    pub fn is_empty(&self) -> bool {
        self.bounds.is_empty()
    }

    /// Field `i`.
    pub fn get(&self, i: usize) -> Option<&'a [u8]> {
        self.bounds.get(i).map(|(s, e)| &self.text[*s..*e])
    }

    /// Every field.
    pub fn fields(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.bounds.iter().map(|(s, e)| &self.text[*s..*e])
    }

    /// The same record owning its bytes.
    pub fn to_owned_row(&self) -> OwnedRow {
        OwnedRow { line: self.line, text: self.text.to_vec(), bounds: self.bounds.to_vec() }
    }
}

/// A CSV record owning its bytes (a [`Row`] kept past its chunk).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedRow {
    /// The line the record starts on.
    pub line: u64,
    /// The bytes its fields are in.
    pub text: Vec<u8>,
    /// Where each field is in `text`.
    pub bounds: Vec<(usize, usize)>,
}

impl OwnedRow {
    /// Borrowed.
    pub fn row(&self) -> Row<'_> {
        Row {
            line: self.line,
            text: &self.text,
            bounds: &self.bounds,
            utf8: None,
            ascii: false,
            at: None,
            multiline: true,
        }
    }
}

/// How a chunk ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// At the end of a record: the next chunk starts a record.
    Clean,
    /// Inside the record that starts at byte `at`, on line `line` (a quoted
    /// field runs on past the chunk): that record must be read again with
    /// the next chunk.
    Unfinished {
        /// Where the unfinished record starts.
        at: usize,
        /// Its line.
        line: u64,
    },
    /// The input ended inside a quote: the record starting on `line` would
    /// be the rest of the file, `lines` lines, as one field. It was not
    /// handed out; the file is in error (red team C11).
    OpenQuote {
        /// The line of the record whose quote is never closed.
        line: u64,
        /// How many lines it would swallow.
        lines: u64,
    },
}

/// The valid UTF-8 that `bytes` start with (all of them, as a rule), and
/// whether that is all of them and ASCII: checked once a chunk rather than
/// once a record, whose text is then a slice of it (records start and end
/// at ASCII bytes, so a slice of valid text at their bounds is valid).
pub fn valid_text(bytes: &[u8]) -> (&str, bool) {
    // A vector check (simdutf8): about three times the speed of the
    // standard one on text that is not all ASCII; where it fails, the
    // standard one finds how much is valid.
    let valid = match simdutf8::basic::from_utf8(bytes) {
        Ok(s) => s,
        Err(_) => match std::str::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default(),
        },
    };
    (valid, valid.len() == bytes.len() && valid.is_ascii())
}

impl Splitter {
    /// A splitter for fields separated by `delimiter`.
    pub fn new(delimiter: u8) -> Splitter {
        Splitter {
            delimiter,
            out: Vec::with_capacity(1024),
            bounds: Vec::with_capacity(64),
            quoted_lines: 0,
            open_at_end: false,
        }
    }

    /// Splits `bytes`, whose first byte starts a record on `first_line`,
    /// calling `each` on every record in order. `last`: the input ends with
    /// these bytes (the last record needs no line break).
    pub fn split(&mut self, bytes: &[u8], first_line: u64, last: bool, each: impl FnMut(Row<'_>)) -> Split {
        let (valid, ascii) = valid_text(bytes);
        self.split_valid(bytes, (valid, ascii), first_line, last, each)
    }

    /// [`Splitter::split`] with what [`valid_text`] found of `bytes`, for a
    /// caller that keeps using it: a record read in place ([`Row::at`]) is
    /// `bytes[at..at + text.len()]`, and `valid.get(..)` of the same range
    /// when its text is valid.
    pub fn split_valid(
        &mut self,
        bytes: &[u8],
        (valid, ascii): (&str, bool),
        first_line: u64,
        last: bool,
        mut each: impl FnMut(Row<'_>),
    ) -> Split {
        self.split_inner(bytes, (valid, ascii), first_line, last, |row, _, _| {
            each(row);
            true
        })
    }

    /// Splits as [`Splitter::split`] while `each` says go on; `each` also
    /// gets where the record ends (the byte after it, and its line).
    pub fn split_while(
        &mut self,
        bytes: &[u8],
        first_line: u64,
        last: bool,
        each: impl FnMut(Row<'_>, usize, u64) -> bool,
    ) -> Split {
        self.split_inner(bytes, valid_text(bytes), first_line, last, each)
    }

    fn split_inner(
        &mut self,
        bytes: &[u8],
        (valid, ascii): (&str, bool),
        first_line: u64,
        last: bool,
        mut each: impl FnMut(Row<'_>, usize, u64) -> bool,
    ) -> Split {
        let (mut p, mut line) = (0, first_line);
        loop {
            // Blank lines between records are skipped, as csv_core does.
            while let Some(&b) = bytes.get(p) {
                match b {
                    b'\r' if bytes.get(p + 1) == Some(&b'\n') => p += 2,
                    b'\r' | b'\n' => p += 1,
                    _ => break,
                }
                line += 1;
            }
            if p >= bytes.len() {
                return Split::Clean;
            }
            let rest = &bytes[p..];
            let stop = memchr::memchr3(b'\n', b'\r', b'"', rest);
            let end = match stop {
                Some(i) if rest[i] != b'"' => i,
                None if last => rest.len(),
                None => return Split::Unfinished { at: p, line },
                Some(_) => {
                    // Most quoted fields need no unescaping and are read in
                    // place; a doubled quote or text after a closing quote
                    // makes the record's fields copies.
                    let (used, in_place) = match self.quoted_in_place(rest, last) {
                        Some(Some(used)) => (Some(used), true),
                        Some(None) => (None, true),
                        None => (self.quoted(rest, last), false),
                    };
                    let Some(used) = used else {
                        return Split::Unfinished { at: p, line };
                    };
                    let (text, utf8) =
                        if in_place { (&rest[..used], valid.get(p..p + used)) } else { (&self.out[..], None) };
                    // Quoted fields may hold line breaks (seldom).
                    let next = match memchr::memchr2(b'\n', b'\r', &rest[..used]) {
                        Some(_) => line + count_breaks(&rest[..used], rest.get(used).copied()),
                        None => line,
                    };
                    if std::mem::take(&mut self.open_at_end) {
                        // The file's last line break ends its last line.
                        let mut body = &rest[..used];
                        while let [head @ .., b'\n' | b'\r'] = body {
                            body = head;
                        }
                        return Split::OpenQuote { line, lines: count_breaks(body, None) + 1 };
                    }
                    self.quoted_lines += next - line;
                    let row = Row {
                        line,
                        text,
                        bounds: &self.bounds,
                        utf8,
                        ascii: ascii && in_place,
                        at: in_place.then_some(p),
                        multiline: next != line,
                    };
                    if !each(row, p + used, next) {
                        return Split::Clean;
                    }
                    line = next;
                    p += used;
                    continue;
                }
            };
            let text = &rest[..end];
            self.bounds.clear();
            let start = split_at_delimiters(&mut self.bounds, text, 0, self.delimiter);
            self.bounds.push((start, end));
            let utf8 = valid.get(p..p + end);
            // (An unquoted record ends at the first line break.)
            let row = Row { line, text, bounds: &self.bounds, utf8, ascii, at: Some(p), multiline: false };
            if !each(row, p + end, line) {
                return Split::Clean;
            }
            p += end;
        }
    }

    /// Reads one record holding a quote in place, its fields bounds in
    /// `bytes`: `Some(Some(used))` (the bytes it used, up to its line break),
    /// `Some(None)` if it does not end within `bytes` and the input goes on,
    /// `None` if a field needs unescaping ([`Splitter::quoted`]).
    fn quoted_in_place(&mut self, bytes: &[u8], last: bool) -> Option<Option<usize>> {
        self.bounds.clear();
        let mut i = 0;
        loop {
            if bytes.get(i) == Some(&b'"') {
                let start = i;
                let Some(q) = memchr::memchr(b'"', &bytes[i + 1..]) else {
                    return if last { None } else { Some(None) };
                };
                let end = i + 1 + q;
                i = end + 1;
                match bytes.get(i) {
                    Some(&b) if b == self.delimiter || b == b'\n' || b == b'\r' => {}
                    None if last => {}
                    None => return Some(None),
                    // A doubled quote, or text after the closing quote.
                    Some(_) => return None,
                }
                self.bounds.push((start + 1, end));
            } else {
                // Unquoted fields, up to the next line break or quote: no
                // line break before it, so they split at delimiters alone,
                // a word at a time (a search per field cost more).
                let next = memchr::memchr3(b'\n', b'\r', b'"', &bytes[i..]).map(|k| i + k);
                let upto = &bytes[..next.unwrap_or(bytes.len())];
                let start = split_at_delimiters(&mut self.bounds, upto, i, self.delimiter);
                // … to that byte, `start` being the last of them.
                let end = match next {
                    None if last => bytes.len(),
                    None => return Some(None),
                    // A quote opening the next field: read it as quoted.
                    Some(e) if bytes[e] == b'"' && e == start => {
                        i = e;
                        continue;
                    }
                    // A quote inside an unquoted field is text: the field
                    // runs on to a delimiter or line break.
                    Some(e) if bytes[e] == b'"' => match find_stop(&bytes[e..], self.delimiter) {
                        Some(k) => e + k,
                        None if last => bytes.len(),
                        None => return Some(None),
                    },
                    Some(e) => e,
                };
                self.bounds.push((start, end));
                i = end;
            }
            match bytes.get(i) {
                Some(&b) if b == self.delimiter => i += 1,
                _ => return Some(Some(i)),
            }
        }
    }

    /// Reads one record holding a quote, from its first byte, into `out`
    /// and `bounds`: the bytes it used (up to its line break), or `None` if
    /// it does not end within `bytes` and the input goes on.
    fn quoted(&mut self, bytes: &[u8], last: bool) -> Option<usize> {
        self.out.clear();
        self.bounds.clear();
        let mut i = 0;
        loop {
            let start = self.out.len();
            if bytes.get(i) == Some(&b'"') {
                i += 1;
                loop {
                    let Some(q) = memchr::memchr(b'"', &bytes[i..]) else {
                        // An open quote at the end of the input: the caller
                        // reports the file (it is not a record).
                        if !last {
                            return None;
                        }
                        self.open_at_end = true;
                        self.out.extend_from_slice(&bytes[i..]);
                        self.bounds.push((start, self.out.len()));
                        return Some(bytes.len());
                    };
                    self.out.extend_from_slice(&bytes[i..i + q]);
                    i += q + 1;
                    match bytes.get(i) {
                        Some(b'"') => {
                            self.out.push(b'"');
                            i += 1;
                        }
                        None if !last => return None,
                        _ => break,
                    }
                }
            }
            // Unquoted, or what follows a closing quote: up to the delimiter
            // or the end of the record; a quote here is text.
            let stop = bytes[i..].iter().position(|&b| b == self.delimiter || b == b'\n' || b == b'\r');
            match stop {
                Some(k) => {
                    self.out.extend_from_slice(&bytes[i..i + k]);
                    i += k;
                    self.bounds.push((start, self.out.len()));
                    if bytes[i] != self.delimiter {
                        return Some(i);
                    }
                    i += 1;
                }
                None if last => {
                    self.out.extend_from_slice(&bytes[i..]);
                    self.bounds.push((start, self.out.len()));
                    return Some(bytes.len());
                }
                None => return None,
            }
        }
    }
}

/// One byte value in each of a word's eight lanes, to find it eight bytes
/// at a time (SWAR).
#[derive(Clone, Copy)]
struct Bytes(u64);

impl Bytes {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;

    fn new(b: u8) -> Bytes {
        Bytes(u64::from(b) * 0x0101_0101_0101_0101)
    }

    /// The high bit of each lane of `word` (eight bytes, first in the
    /// lowest lane) that holds the byte: exact, no lane's carry reaches
    /// the next.
    fn found(self, word: &[u8]) -> u64 {
        let mut w = [0u8; 8];
        w.copy_from_slice(&word[..8]);
        let x = u64::from_le_bytes(w) ^ self.0;
        !(((x & Self::LOW7) + Self::LOW7) | x | Self::LOW7)
    }
}

/// Pushes the bounds of the fields of `text[from..]` that end at a
/// delimiter; returns where the field after the last of them starts.
/// Fields are short: eight bytes at a time, every delimiter of a word found
/// from one mask, beats a vector search per field.
fn split_at_delimiters(bounds: &mut Vec<(usize, usize)>, text: &[u8], from: usize, delimiter: u8) -> usize {
    let mut start = from;
    let mut at = from;
    let wide = Bytes::new(delimiter);
    while let Some(word) = text.get(at..at + 8) {
        let mut mask = wide.found(word);
        while mask != 0 {
            let d = at + (mask.trailing_zeros() / 8) as usize;
            bounds.push((start, d));
            start = d + 1;
            mask &= mask - 1;
        }
        at += 8;
    }
    for (d, &b) in text.iter().enumerate().skip(at) {
        if b == delimiter {
            bounds.push((start, d));
            start = d + 1;
        }
    }
    start
}

/// Where the first delimiter or line break is in `bytes`.
fn find_stop(bytes: &[u8], delimiter: u8) -> Option<usize> {
    let (d, n, r) = (Bytes::new(delimiter), Bytes::new(b'\n'), Bytes::new(b'\r'));
    let mut at = 0;
    while let Some(word) = bytes.get(at..at + 8) {
        let mask = d.found(word) | n.found(word) | r.found(word);
        if mask != 0 {
            return Some(at + (mask.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    bytes[at..].iter().position(|&b| b == delimiter || b == b'\n' || b == b'\r').map(|k| at + k)
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

fn header_name(field: &[u8]) -> String {
    String::from_utf8_lossy(field).trim().to_string()
}

/// A CSV input being read: its header mapped, its chunks to come, and (for
/// callers reading rows one batch at a time) a record a chunk left unfinished.
pub struct CsvReader {
    chunks: Chunker,
    /// What followed the header in the chunks read to find it.
    first: Option<Chunk>,
    splitter: Splitter,
    /// An unfinished record and its line, for [`CsvReader::next_batch`].
    tail: Option<(Vec<u8>, u64)>,
    /// An error to report once the rows read before it are handed out.
    failed: Option<InputError>,
}

impl CsvReader {
    /// Opens a CSV file and maps its header onto the schema.
    pub fn open(
        input: Box<dyn Read + Send>,
        spec: &InputSpec,
        file: usize,
        schema: Arc<Schema>,
        config: Arc<InputConfig>,
        limits: Limits,
        chunk_bytes: usize,
    ) -> Result<(CsvReader, Layout), InputError> {
        let mut chunks = Chunker::new(input, chunk_bytes, limits.max_line_bytes);
        let mut splitter = Splitter::new(config.delimiter);
        let io = |e| InputError::Io { file: spec.name.clone(), source: e };
        let (mut bytes, mut line) = (Vec::new(), 1);
        let (header, first) = loop {
            // The chunker hands out a last chunk before it ends, and that
            // one ends this loop; an end here is an empty file all the same.
            let Some(c) = chunks.next_chunk().map_err(io)? else {
                return Err(InputError::Header { file: spec.name.clone(), reason: "the file is empty".into() });
            };
            if bytes.is_empty() {
                line = c.first_line;
            }
            bytes.extend_from_slice(&c.bytes);
            let mut header = None;
            let split = splitter.split_while(&bytes, line, c.last, |row, next, next_line| {
                header = Some((row.to_owned_row(), next, next_line));
                false
            });
            match (header, split) {
                (Some((h, next, next_line)), _) => {
                    let rest = Chunk { bytes: bytes[next..].to_vec(), first_line: next_line, last: c.last };
                    break (h, rest);
                }
                (None, _) if c.last => {
                    return Err(InputError::Header { file: spec.name.clone(), reason: "the file is empty".into() });
                }
                (None, Split::Clean) => bytes.clear(),
                (None, Split::Unfinished { .. }) => {}
                (None, Split::OpenQuote { line, lines }) => {
                    return Err(InputError::OpenQuote { file: spec.name.clone(), line, lines });
                }
            }
        };
        if header.bounds.len() > limits.max_columns {
            return Err(InputError::Header {
                file: spec.name.clone(),
                reason: format!(
                    "the header has {} columns, more than the limit of {}",
                    header.bounds.len(),
                    limits.max_columns
                ),
            });
        }
        let names: Vec<String> = header
            .row()
            .fields()
            .enumerate()
            .map(|(i, f)| header_name(if i == 0 { f.strip_prefix(BOM).unwrap_or(f) } else { f }))
            .collect();
        let layout = layout(spec, file, &names, schema, config, limits)?;
        Ok((CsvReader { chunks, first: Some(first), splitter, tail: None, failed: None }, layout))
    }

    /// Where the run hands back the buffers of chunks it is done with.
    pub fn spare(&self) -> super::chunk::Spare {
        self.chunks.spare()
    }

    /// The next chunk of records, `None` after the last.
    pub fn next_chunk(&mut self) -> std::io::Result<Option<Chunk>> {
        match self.first.take() {
            Some(c) => Ok(Some(c)),
            None => self.chunks.next_chunk(),
        }
    }

    /// The rows of the next chunk, owned; empty at the end.
    pub fn next_batch(&mut self, name: &str) -> Result<Vec<Raw>, InputError> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        loop {
            let chunk = self.next_chunk().map_err(|e| InputError::Io { file: name.to_string(), source: e })?;
            let Some(chunk) = chunk else { return Ok(Vec::new()) };
            let c = Chunk::after(self.tail.take(), chunk);
            let mut rows = Vec::new();
            match self.splitter.split(&c.bytes, c.first_line, c.last, |r| rows.push(Raw::Csv(r.to_owned_row()))) {
                Split::Unfinished { at, line } => self.tail = Some((c.bytes[at..].to_vec(), line)),
                Split::OpenQuote { line, lines } => {
                    let e = InputError::OpenQuote { file: name.to_string(), line, lines };
                    // The rows before it are handed out first.
                    if rows.is_empty() {
                        return Err(e);
                    }
                    self.failed = Some(e);
                    return Ok(rows);
                }
                Split::Clean => {}
            }
            if !rows.is_empty() || c.last {
                return Ok(rows);
            }
        }
    }
}

/// The layout of a table given column by column (an Arrow batch, a data
/// frame) whose columns are `names`: mapped onto the schema as a CSV
/// header is, with the same errors for a required field without a column
/// or a field with two.
pub(crate) fn table_layout(
    name: &str,
    names: &[String],
    schema: Arc<Schema>,
    config: Arc<InputConfig>,
    limits: Limits,
) -> Result<Layout, InputError> {
    let spec = InputSpec { path: name.into(), name: name.to_string(), format: Format::Csv };
    // The first name without a byte-order mark, as a CSV header's.
    let names: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let b = n.as_bytes();
            header_name(if i == 0 { b.strip_prefix(BOM).unwrap_or(b) } else { b })
        })
        .collect();
    layout(&spec, 0, &names, schema, config, limits)
}

/// Maps a header's column names onto the schema.
fn layout(
    spec: &InputSpec,
    file: usize,
    names: &[String],
    schema: Arc<Schema>,
    config: Arc<InputConfig>,
    limits: Limits,
) -> Result<Layout, InputError> {
    let mut columns = vec![None; schema.fields.len()];
    let mut absent = Vec::new();
    for (fid, f) in schema.fields.iter().enumerate() {
        let want = config.column_for(&f.name);
        let key = super::column_key(want);
        let found: Vec<usize> =
            names.iter().enumerate().filter(|(_, n)| super::column_key(n) == key).map(|(i, _)| i).collect();
        match found.as_slice() {
            [] if f.required => {
                let help = match crate::suggest::did_you_mean(want, names.iter().map(String::as_str)) {
                    Some(s) => format!(
                        "the file has a column `{s}`; map it with `columns: {{ {}: \"{s}\" }}` in a config file",
                        f.name
                    ),
                    None => format!(
                        "the header is {}; map a column to `{}` in a config file (`--config`)",
                        names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "),
                        f.name
                    ),
                };
                return Err(InputError::MissingColumn { file: spec.name.clone(), field: f.name.clone(), help });
            }
            [] => absent.push(fid),
            [one] => columns[fid] = Some(*one),
            many => {
                return Err(InputError::DuplicateColumn {
                    file: spec.name.clone(),
                    field: f.name.clone(),
                    columns: super::quoted_list(many.iter().map(|i| names[*i].as_str())),
                });
            }
        }
    }
    let present = columns.iter().enumerate().filter_map(|(f, c)| c.map(|c| (f, c))).collect();
    Ok(Layout {
        file,
        name: spec.name.clone(),
        present,
        columns,
        keys: Vec::new(),
        width: names.len(),
        absent,
        policy: ColumnPolicy::of(&schema, &config),
        schema,
        config,
        format: Format::Csv,
        limits,
        typed: None,
        later: Vec::new(),
        unread: Vec::new(),
    })
}

/// A quoted field whose lines look like records of the file — line breaks,
/// and a line after the first with as many delimiters as a whole row —
/// holds rows a misplaced quote swallowed (red team C11): they would vanish
/// from every count while the record around them was evaluated. Such a row
/// is invalid, its reason naming the lines it spans.
fn swallowed_records(layout: &Layout, row: &Row<'_>) -> Option<FieldProblem> {
    // The usual record holds no line break (the splitter knows, else one
    // search), not one search per field.
    if !row.multiline {
        return None;
    }
    memchr::memchr(b'\n', row.text)?;
    let delimiter = layout.config.delimiter;
    let threshold = layout.width.saturating_sub(1).max(2);
    let (i, looks) = row.fields().enumerate().find_map(|(i, f)| {
        if !f.contains(&b'\n') {
            return None;
        }
        let looks = f
            .split(|b| *b == b'\n')
            .skip(1)
            .filter(|l| l.iter().filter(|b| **b == delimiter).count() >= threshold)
            .count();
        (looks > 0).then_some((i, looks))
    })?;
    let breaks: usize = row.fields().map(|f| f.iter().filter(|b| **b == b'\n').count()).sum();
    let last = row.line + breaks as u64;
    Some(FieldProblem {
        field: layout.columns.iter().position(|c| *c == Some(i)).map(|fid| layout.schema.fields[fid].name.clone()),
        value: None,
        reason: format!(
            "column {} spans lines {}–{last} ({} lines) and holds {looks} line{} that look like records of this file: \
             a quote may be misplaced; the record is not evaluated",
            i + 1,
            row.line,
            breaks + 1,
            if looks == 1 { "" } else { "s" },
        ),
        readable: false,
    })
}

/// Types one CSV row.
pub(super) fn parse_row<'a>(layout: &Layout, row: Row<'a>) -> Result<Record<'a>, Invalid> {
    let mut cells = Vec::with_capacity(layout.schema.fields.len());
    cells.resize_with(layout.schema.fields.len(), || Cell::NoColumn);
    type_row(layout, row, row.text, row.utf8, cells, |_| u64::MAX)
}

/// Types one CSV row whose text is `text` (with `utf8`, when known valid)
/// into `cells`: one per schema field, those without a column
/// [`Cell::NoColumn`], the others as any earlier record left them (each is
/// written, letting its old value go). A caller typing a chunk's records
/// one after the other hands the same cells on from record to record, so a
/// record costs no allocation, no filling and no freeing of its cells.
///
/// Fields [`Layout::later`] names are typed after the others, and only
/// those `need` asks for given the other cells (the fields the record's
/// candidate rules read); the rest hold an unreadable cell with no text
/// (so a rule that read one would be undecided, never passed). Every field
/// is typed when a required one is missing or unreadable, so an invalid
/// record is reported as in full.
pub fn type_row<'a>(
    layout: &Layout,
    row: Row<'_>,
    text: &'a [u8],
    utf8: Option<&'a str>,
    mut cells: Vec<Cell<'a>>,
    need: impl FnOnce(&[Cell<'a>]) -> u64,
) -> Result<Record<'a>, Invalid> {
    let (schema, line) = (&layout.schema, row.line);
    debug_assert_eq!(text.len(), row.text.len());
    if row.len() != layout.width {
        let id = layout.columns[schema.key]
            .and_then(|c| row.get(c))
            .and_then(|b| std::str::from_utf8(b).ok())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        return Err(Invalid {
            file: layout.file,
            line,
            id,
            date: None,
            errors: vec![FieldProblem {
                field: None,
                value: None,
                reason: format!(
                    "row has {} field{}, the header has {}{}",
                    row.len(),
                    if row.len() == 1 { "" } else { "s" },
                    layout.width,
                    // A field holding line breaks after an odd field count is
                    // the mark of a quote that was never closed.
                    match row.fields().position(|f| f.contains(&b'\n')) {
                        Some(i) if row.len() < layout.width => format!(
                            "; field {} runs over several lines: a quote may be missing its closing quote",
                            i + 1
                        ),
                        _ => String::new(),
                    }
                ),
                readable: false,
            }],
        });
    }
    if let Some(problem) = swallowed_records(layout, &row) {
        let id = layout.columns[schema.key]
            .and_then(|c| row.get(c))
            .and_then(|b| std::str::from_utf8(b).ok())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        return Err(Invalid { file: layout.file, line, id, date: None, errors: vec![problem] });
    }
    // (A field is part of the record's text: no field of a record within
    // the limit can pass it.)
    if row.text.len() > layout.limits.max_field_bytes
        && let Some((i, f)) = row.fields().enumerate().find(|(_, f)| f.len() > layout.limits.max_field_bytes)
    {
        return Err(Invalid {
            file: layout.file,
            line,
            id: None,
            date: None,
            errors: vec![FieldProblem {
                field: layout.columns.iter().position(|c| *c == Some(i)).map(|fid| schema.fields[fid].name.clone()),
                value: None,
                reason: format!(
                    "column {} is {} bytes, longer than the limit of {}",
                    i + 1,
                    f.len(),
                    layout.limits.max_field_bytes
                ),
                readable: false,
            }],
        });
    }
    if cells.len() != schema.fields.len() {
        // Not cells of this layout: start afresh.
        crate::records::release(std::mem::take(&mut cells));
        cells.resize_with(schema.fields.len(), || Cell::NoColumn);
    }
    // Valid UTF-8 as a whole (the usual case) is checked once, and fields
    // are slices of it; otherwise field by field, so the bad field is named.
    // ASCII text holds no hidden character: nothing for the data-quality
    // check unless a cell is unreadable.
    let ascii = row.ascii || text.is_ascii();
    let whole = utf8.or_else(|| std::str::from_utf8(text).ok());
    // Whether every cell is readable and every required one present, seen
    // as each is typed (a second pass over the cells cost more than this).
    // (A required field always has a column: the header was refused otherwise.)
    let mut sound = true;
    let type_field = |i: usize, c: usize, cells: &mut [Cell<'a>]| {
        let (Some(def), Some(cell), Some(&(start, end))) = (schema.fields.get(i), cells.get_mut(i), row.bounds.get(c))
        else {
            return true;
        };
        let typed = layout.typed.is_none_or(|m| m & (1u64 << (i & 63)) != 0);
        let bytes = &text[start..end];
        let text = match whole {
            Some(w) => w.get(start..end),
            None => std::str::from_utf8(bytes).ok(),
        };
        match text {
            // Not typed (a pass that does not read it): the text as written,
            // so a record's content hash does not depend on what is typed.
            Some(text) if !typed => super::value::set(
                cell,
                match crate::values::text::trim(text) {
                    "" => Cell::Missing,
                    t => Cell::Str { raw: std::borrow::Cow::Borrowed(t), value: std::borrow::Cow::Borrowed(t) },
                },
            ),
            Some(text) => parse_cell_into(text, def, &layout.config, cell),
            None => {
                *cell = Cell::Bad {
                    raw: String::from_utf8_lossy(bytes).trim().to_string().into(),
                    reason: "the text is not valid UTF-8".into(),
                }
            }
        }
        cell.sound(def.required)
    };
    for &(i, c) in &layout.present {
        sound &= type_field(i, c, &mut cells);
    }
    // An invalid record is read in full, and so is one whose rules need
    // every field (`u64::MAX`: the counting pass's records that may count,
    // whose content hash reads every field's text).
    let mut full = !sound;
    if !layout.later.is_empty() || !layout.unread.is_empty() {
        let need = if sound { need(&cells) } else { u64::MAX };
        full |= need == u64::MAX;
        for &(i, c) in &layout.later {
            if need & (1u64 << (i & 63)) != 0 {
                sound &= type_field(i, c, &mut cells);
            } else if let Some(cell) = cells.get_mut(i) {
                leave_untyped(cell);
            }
        }
    }
    for &(i, c) in &layout.unread {
        if full {
            sound &= type_field(i, c, &mut cells);
        } else if let Some(cell) = cells.get_mut(i) {
            leave_untyped(cell);
        }
    }
    layout.finish_checked(line, cells, sound, ascii)
}

/// Marks a field left untyped: an unreadable cell with no text, so that
/// a rule reading it by mistake would be undecided, never passed.
#[inline]
fn leave_untyped(cell: &mut Cell<'_>) {
    if !matches!(cell, Cell::Bad { raw: std::borrow::Cow::Borrowed(""), .. }) {
        super::value::set(cell, Cell::Bad { raw: std::borrow::Cow::Borrowed(""), reason: String::new() });
    }
}

/// Rows of a table: line number and column → text.
pub type Table = Vec<(u64, BTreeMap<String, String>)>;

/// Reads a whole CSV data file (for sets): header names and rows as
/// column → text maps, each with its line number.
pub fn read_table(bytes: &[u8]) -> Result<(Vec<String>, Table), String> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let mut r = ReaderBuilder::new().has_headers(true).flexible(false).from_reader(bytes);
    let header: Vec<String> = r.byte_headers().map_err(|e| e.to_string())?.iter().map(header_name).collect();
    let mut rows = Vec::new();
    for rec in r.byte_records() {
        let rec = rec.map_err(|e| e.to_string())?;
        let line = rec.position().map_or(0, |p| p.line());
        let mut row = BTreeMap::new();
        for (h, v) in header.iter().zip(rec.iter()) {
            let v = std::str::from_utf8(v).map_err(|_| format!("line {line} is not valid UTF-8"))?;
            row.insert(h.clone(), v.to_string());
        }
        rows.push((line, row));
    }
    Ok((header, rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::TypeCsv;
    use proptest::prelude::*;

    /// A record's line and fields.
    type Rec = (u64, Vec<Vec<u8>>);

    /// Records as the csv crate reads them, each with the line of its first
    /// byte: the oracle the splitter must agree with.
    fn oracle(bytes: &[u8]) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut r = ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
        let mut out = Vec::new();
        let mut rec = ByteRecord::new();
        while r.read_byte_record(&mut rec).expect("reads") {
            // The crate gives where it started reading the record, before
            // any blank line: the record's own first byte is past them.
            let mut at = rec.position().map_or(0, |p| p.byte()) as usize;
            while matches!(bytes.get(at), Some(b'\r' | b'\n')) {
                at += 1;
            }
            let line = 1 + count_breaks(&bytes[..at], bytes.get(at).copied());
            out.push((line, rec.iter().map(<[u8]>::to_vec).collect()));
        }
        out
    }

    /// Records as a run reads them: chunks of `target` bytes, split on
    /// their own, an unfinished record read again with the next chunk.
    /// The records, and the line of a record whose quote the input never
    /// closes (not handed out).
    fn split_in_chunks(bytes: &[u8], target: usize) -> (Vec<Rec>, Option<u64>) {
        let mut chunks = Chunker::new(Box::new(std::io::Cursor::new(bytes.to_vec())), target, usize::MAX);
        let mut s = Splitter::new(b',');
        let mut out = Vec::new();
        let mut tail: Option<(Vec<u8>, u64)> = None;
        while let Some(c) = chunks.next_chunk().expect("reads") {
            let (bytes, line) = match tail.take() {
                Some((mut t, line)) => {
                    t.extend_from_slice(&c.bytes);
                    (t, line)
                }
                None => (c.bytes, c.first_line),
            };
            let split = s.split(&bytes, line, c.last, |r| {
                // A row the splitter says holds no line break holds none
                // (the swallowed-records check trusts it).
                assert!(r.multiline || !r.text.iter().any(|b| matches!(b, b'\n' | b'\r')), "line {}", r.line);
                out.push((r.line, r.fields().map(<[u8]>::to_vec).collect()))
            });
            match split {
                Split::Unfinished { at, line } => {
                    assert!(!c.last, "the last chunk finishes every record");
                    tail = Some((bytes[at..].to_vec(), line));
                }
                Split::OpenQuote { line, .. } => {
                    assert!(c.last, "only the end of the input leaves a quote open");
                    return (out, Some(line));
                }
                Split::Clean => {}
            }
        }
        assert!(tail.is_none());
        (out, None)
    }

    #[test]
    fn stops_are_found_eight_bytes_at_a_time_as_one_at_a_time() {
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        for len in 0..40 {
            for _ in 0..200 {
                let bytes: Vec<u8> = (0..len)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        // Mostly the bytes around the ones looked for (a lane's
                        // carry would show as a neighbour's false match).
                        [b',', b'-', b'+', b'\n', b'\r', b'\x0b', b'\x0c', b'a', 0, 0xFF][(x % 10) as usize]
                    })
                    .collect();
                let want = bytes.iter().position(|&b| b == b',' || b == b'\n' || b == b'\r');
                assert_eq!(find_stop(&bytes, b','), want, "{bytes:?}");
                let mut s = Splitter::new(b',');
                let commas: Vec<usize> =
                    bytes.iter().enumerate().filter(|(_, b)| **b == b',').map(|(i, _)| i).collect();
                if want.is_none_or(|w| bytes[w] == b',') && !bytes.contains(&b'\n') && !bytes.contains(&b'\r') {
                    let mut got = Vec::new();
                    s.split(&bytes, 1, true, |row| got = row.bounds.to_vec());
                    if !bytes.is_empty() {
                        let ends: Vec<usize> = got.iter().take(got.len() - 1).map(|b| b.1).collect();
                        assert_eq!(ends, commas, "{bytes:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_quote_left_open_at_the_end_is_reported_with_the_lines_it_would_swallow() {
        let text = b"id,x\na,1\nb,\"open\nc,2\nd,3\n";
        for target in 1..text.len() + 1 {
            let (rows, open) = split_in_chunks(text, target);
            assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), [1, 2], "chunks of {target}");
            assert_eq!(open, Some(3));
        }
        let mut s = Splitter::new(b',');
        assert_eq!(s.split(text, 1, true, |_| {}), Split::OpenQuote { line: 3, lines: 3 });
        // Lines inside closed quoted fields are counted.
        let mut s = Splitter::new(b',');
        assert_eq!(s.split(b"a,\"x\ny\nz\"\nb,2\n", 1, true, |_| {}), Split::Clean);
        assert_eq!(s.quoted_lines, 2);
    }

    #[test]
    fn quoted_fields_line_breaks_and_blank_lines_split_as_the_csv_crate_reads_them() {
        let text = b"id,x\n\na,\"b\nc\"\r\n\r\nd,\"e\"\"f\"\re,5\" pipe\n  \n\"g\"h,i";
        let want = oracle(text);
        assert_eq!(want.iter().map(|r| r.0).collect::<Vec<_>>(), [1, 3, 6, 7, 8, 9]);
        for target in 1..text.len() + 2 {
            assert_eq!(split_in_chunks(text, target), (want.clone(), None), "chunks of {target} bytes");
        }
    }

    #[test]
    fn a_header_with_a_quoted_line_break_numbers_the_records_after_it() {
        let text = b"\xEF\xBB\xBFid,date,origin,\"desti\nnation\",hs_code\r\nA,2024-01-02,KP,CN,2701\n";
        let schema = Arc::new(crate::config::standard_schema());
        let mut config = InputConfig::standard();
        config.columns.insert("destination".into(), "desti\nnation".into());
        let spec = InputSpec::new("h.csv");
        for chunk in 1..text.len() + 1 {
            let mut input = super::super::Input::with_chunks(
                Box::new(std::io::Cursor::new(text.to_vec())),
                &spec,
                0,
                Arc::clone(&schema),
                Arc::new(config.clone()),
                Limits::default(),
                chunk,
            )
            .expect("opens");
            let rows = input.next_batch(10).expect("reads");
            assert_eq!(rows.iter().map(Raw::line).collect::<Vec<_>>(), [3], "chunks of {chunk}");
            let rec = input.layout.parse(&rows[0]).expect("typed");
            assert_eq!(rec.cells[schema.field("destination").expect("field")].text(), Some("CN"));
        }
    }

    /// The standard schema and the layout of a file with this header (the
    /// body follows it in the file read).
    fn standard_layout(head: &[u8], body: &[u8]) -> (Arc<crate::schema::Schema>, Layout) {
        let schema = Arc::new(crate::config::standard_schema());
        let (_, layout) = CsvReader::open(
            Box::new(std::io::Cursor::new([head, body].concat())),
            &InputSpec::new("t.csv"),
            0,
            Arc::clone(&schema),
            Arc::new(InputConfig::standard()),
            Limits::default(),
            1 << 20,
        )
        .expect("opens");
        (schema, layout)
    }

    /// Records typed into the cells the record before left (as a run types
    /// a chunk) are the records typed afresh: a value emptied, made
    /// unreadable, not UTF-8, not ASCII, or copied to be unescaped, each
    /// after one that had it; and a chunk's text is taken as checked UTF-8
    /// only up to its first bad byte.
    #[test]
    fn records_typed_into_the_last_records_cells_are_the_records_typed_afresh() {
        let head = b"id,date,origin,destination,hs_code,quantity,seller\n";
        let body: &[u8] = b"A,2024-01-02,KP,CN,2701,5,Acme\n\
B,2024-01-02,KP,CN,2701,,\n\
C,2024-01-03,CN,KP,8703,7.5,\"Acme, Ltd\"\n\
D,2024-01-03,XX,CN,2701,lots,Acme\n\
E,2024-01-04,KP,CN,2701,1,\xC3\xA9clair\n\
F,2024-01-04,KP,CN,2701,2,\"say \"\"hi\"\"\"\n\
G,2024-01-05,CN,KP,2701,3,Bad\xFFbyte\n\
H,2024-01-05,CN,KP,2701,4,After\n\
I,2024-01-06\n";
        let (_, layout) = standard_layout(head, body);
        let (valid, ascii) = valid_text(body);
        assert!(!ascii);
        assert_eq!(valid.len(), body.iter().position(|&b| b == 0xFF).expect("bad byte"));
        let mut cells = Vec::new();
        let (mut typed, mut checked) = (0, Vec::new());
        let mut s = Splitter::new(b',');
        s.split_valid(body, (valid, ascii), 1, true, |row| {
            checked.push(row.utf8.is_some());
            let fresh = format!("{:?}", layout.parse_csv(row));
            let got = match layout.type_csv(row, (body, valid), std::mem::take(&mut cells), |_| u64::MAX) {
                Ok(rec) => {
                    let got = format!("{:?}", Ok::<_, Invalid>(&rec));
                    cells = rec.cells;
                    typed += 1;
                    got
                }
                Err(TypeCsv::Invalid(inv)) => format!("{:?}", Err::<&Record, _>(inv)),
                Err(TypeCsv::Copy(kept)) => {
                    cells = kept;
                    fresh.clone()
                }
            };
            assert_eq!(got, fresh, "line {}", row.line);
        });
        assert!(typed >= 6, "{typed} records typed in place");
        // Rows A to F lie before the bad byte; F is a copy (unescaped).
        assert_eq!(checked, [true, true, true, true, true, false, false, false, false]);
    }

    /// Fields typed on demand are typed when `need` asks for them, hold an
    /// unreadable cell with no text otherwise (never a value left by the
    /// record before), and are all typed when a required field is not
    /// readable, so an invalid record reads as in full.
    #[test]
    fn fields_typed_on_demand_are_typed_only_when_asked_and_all_for_an_invalid_record() {
        let head = b"id,date,origin,destination,hs_code,quantity,unit,seller\n";
        let body: &[u8] = b"A,2024-01-02,KP,CN,2701,5,kg,Acme\n\
B,2024-01-02,KP,CN,2701,7,t,Acme\n\
C,2024-01-03,XX,CN,2701,lots,furlongs,Acme\n";
        let (schema, mut layout) = standard_layout(head, body);
        let field = |n: &str| schema.field(n).expect("field");
        let (quantity, unit, seller) = (field("quantity"), field("unit"), field("seller"));
        layout.type_on_demand(u64::MAX >> (64 - schema.fields.len()), (1 << quantity) | (1 << unit), false);
        assert_eq!(layout.later.iter().map(|(f, _)| *f).collect::<Vec<_>>(), [quantity, unit]);
        let (valid, ascii) = valid_text(body);
        let (mut cells, mut got) = (Vec::new(), Vec::new());
        let mut s = Splitter::new(b',');
        s.split_valid(body, (valid, ascii), 1, true, |row| {
            // A is asked for its quantity and unit, B for nothing, C (an
            // unknown origin: invalid) would be asked for nothing.
            let need = if row.line == 1 { (1 << quantity) | (1 << unit) } else { 0 };
            let fresh = format!("{:?}", layout.parse_csv(row));
            match layout.type_csv(row, (body, valid), std::mem::take(&mut cells), |_| need) {
                Ok(rec) => {
                    got.push((rec.cells[quantity].clone().into_owned(), rec.cells[unit].clone().into_owned()));
                    assert!(matches!(&rec.cells[seller], Cell::Str { raw, .. } if raw == "Acme"));
                    cells = rec.cells;
                }
                Err(TypeCsv::Invalid(inv)) => assert_eq!(format!("{:?}", Err::<&Record, _>(inv)), fresh),
                Err(TypeCsv::Copy(_)) => panic!("read in place"),
            }
        });
        let marker = || Cell::Bad { raw: "".into(), reason: String::new() };
        assert!(matches!(&got[0].0, Cell::Ok { raw, .. } if raw == "5"), "{:?}", got[0]);
        assert!(matches!(&got[0].1, Cell::Str { value, .. } if value == "kg"), "{:?}", got[0]);
        assert_eq!(got[1], (marker(), marker()));
        assert_eq!(got.len(), 2);
    }

    /// Fields nothing reads are not looked at: their cells hold the
    /// untyped marker, whatever the record before left there (an
    /// unreadable value, bad UTF-8), unless the record is invalid, which is
    /// then read as without the skipping (its bad UTF-8 named).
    #[test]
    fn fields_nothing_reads_are_left_untyped_but_for_an_invalid_record() {
        let head = b"id,date,origin,destination,hs_code,description,seller
";
        let body: &[u8] = b"A,2024-01-02,KP,CN,2701,coal \xff,Acme
B,2024-01-02,KP,CN,2701,coal,Acme
C,2024-01-03,XX,CN,2701,coal \xff,Acme
";
        let body = body.to_vec();
        let (schema, mut layout) = standard_layout(head, &body);
        let field = |n: &str| schema.field(n).expect("field");
        let (description, seller) = (field("description"), field("seller"));
        let typed = (u64::MAX >> (64 - schema.fields.len())) & !(1 << description);
        layout.type_on_demand(typed, 0, true);
        assert_eq!(layout.unread.iter().map(|(f, _)| *f).collect::<Vec<_>>(), [description]);
        let (valid, ascii) = valid_text(&body);
        let (mut cells, mut got) = (Vec::new(), Vec::new());
        let mut s = Splitter::new(b',');
        s.split_valid(&body, (valid, ascii), 1, true, |row| {
            let fresh = format!("{:?}", layout.parse_csv(row));
            match layout.type_csv(row, (&body, valid), std::mem::take(&mut cells), |_| 0) {
                Ok(rec) => {
                    got.push(rec.cells[description].clone().into_owned());
                    assert!(matches!(&rec.cells[seller], Cell::Str { raw, .. } if raw == "Acme"));
                    cells = rec.cells;
                }
                Err(TypeCsv::Invalid(inv)) => {
                    // Bad UTF-8 in the description is named as in full.
                    assert!(fresh.contains("not valid UTF-8"), "{fresh}");
                    assert_eq!(format!("{:?}", Err::<&Record, _>(inv)), fresh);
                    got.push(Cell::NoColumn);
                }
                Err(TypeCsv::Copy(_)) => panic!("read in place"),
            }
        });
        let marker = Cell::Bad { raw: "".into(), reason: String::new() };
        assert_eq!(got, [marker.clone(), marker, Cell::NoColumn]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Any bytes of CSV's special characters, cut into chunks of any
        /// size: the same records and lines as the csv crate.
        #[test]
        fn any_input_cut_anywhere_splits_as_the_csv_crate_reads_it(
            text in proptest::collection::vec(prop_oneof![
                Just(b'a'), Just(b','), Just(b'"'), Just(b'\n'), Just(b'\r'), Just(b' '), Just(0xC3u8)
            ], 0..120),
            target in 1usize..40,
        ) {
            // The csv crate ends an open quote with the input; the splitter
            // reports it instead of handing out that last record.
            let (got, open) = split_in_chunks(&text, target);
            let mut want = oracle(&text);
            if let Some(line) = open {
                prop_assert_eq!(want.pop().map(|r| r.0), Some(line));
            }
            prop_assert_eq!(got, want);
        }

        /// Records shaped like real ones (words, quoted fields holding
        /// delimiters, now and then a doubled quote, a quote inside a word
        /// or a line break inside quotes), of any field count, LF or CRLF,
        /// cut into chunks of any size: the same records and lines as the
        /// csv crate, whether a record is read in place or copied.
        #[test]
        fn records_with_quoted_fields_split_as_the_csv_crate_reads_them(
            rows in proptest::collection::vec(proptest::collection::vec(prop_oneof![
                4 => "[a-z ]{0,11}",
                3 => "[a-z ,]{0,11}".prop_map(|f| format!("\"{f}\"")),
                1 => "[a-z]{1,3}\"[a-z]{0,3}",
                1 => "[a-z ,]{0,4}\"\"[a-z]{0,3}".prop_map(|f| format!("\"{f}\"")),
                1 => "[a-z]{0,4}\n[a-z,]{0,4}".prop_map(|f| format!("\"{f}\"")),
            ], 1..7), 1..12),
            crlf in any::<bool>(),
            end in any::<bool>(),
            target in 1usize..200,
        ) {
            let eol = if crlf { "\r\n" } else { "\n" };
            let mut text = rows.iter().map(|r| r.join(",")).collect::<Vec<_>>().join(eol);
            if end {
                text.push_str(eol);
            }
            let (got, open) = split_in_chunks(text.as_bytes(), target);
            prop_assert_eq!(open, None);
            prop_assert_eq!(got, oracle(text.as_bytes()));
        }
    }
}
