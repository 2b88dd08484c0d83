//! CSV input: RFC 4180 quoting, UTF-8 with or without BOM, CRLF or LF, a
//! header row naming the columns.

use std::collections::BTreeMap;
use std::collections::VecDeque;
use std::io::Read;
use std::sync::{Arc, Mutex};

use csv::{ByteRecord, ReaderBuilder};

use super::error::{FieldProblem, InputError};
use super::value::parse_cell;
use super::{Cell, ColumnPolicy, Format, InputSpec, Invalid, Layout, Limits, Raw, Record};
use crate::config::InputConfig;
use crate::schema::Schema;

/// A CSV file being read.
pub struct CsvReader {
    inner: csv::Reader<Box<dyn Read + Send>>,
    lines: Arc<Mutex<Lines>>,
}

/// Physical line numbers: the CSV parser counts records, but a quoted field
/// may span lines, and people open the file in an editor. The reader notes
/// where every line break passes, and a record's line is found from its byte
/// offset. `\n`, `\r\n` and a lone `\r` each end a line.
#[derive(Default)]
struct Lines {
    /// Bytes since the last line break (or `\r`).
    since_break: u64,
    /// Offsets of line breaks read but not yet passed by a record.
    breaks: VecDeque<u64>,
    /// Line breaks before the last record looked up.
    passed: u64,
    /// Bytes seen so far.
    seen: u64,
    /// Offset of a `\r` whose next byte is not known yet.
    pending_cr: Option<u64>,
}

impl Lines {
    fn note(&mut self, buf: &[u8]) {
        if let Some(cr) = self.pending_cr.take()
            && buf.first().is_some_and(|b| *b != b'\n')
        {
            self.breaks.push_back(cr);
        }
        let mut last_break: Option<usize> = None;
        for i in memchr::memchr2_iter(b'\n', b'\r', buf) {
            last_break = Some(i);
            let at = self.seen + i as u64;
            if buf[i] == b'\n' {
                self.breaks.push_back(at);
                continue;
            }
            // A `\r` ends a line unless a `\n` follows (then that one does).
            match buf.get(i + 1) {
                Some(b'\n') => {}
                Some(_) => self.breaks.push_back(at),
                None => self.pending_cr = Some(at),
            }
        }
        self.since_break = match last_break {
            Some(i) => (buf.len() - i - 1) as u64,
            None => self.since_break + buf.len() as u64,
        };
        self.seen += buf.len() as u64;
    }

    /// The 1-based line the reader is on now.
    fn current_line(&self) -> u64 {
        self.passed + self.breaks.len() as u64 + u64::from(self.pending_cr.is_some()) + 1
    }

    /// The 1-based line of a record starting at byte `offset` (offsets must
    /// not decrease from one call to the next). The CSV parser may report a
    /// record as starting on the `\n` of the previous `\r\n`, so a break at
    /// the offset itself is before the record.
    fn line_at(&mut self, offset: u64) -> u64 {
        while self.breaks.front().is_some_and(|b| *b <= offset) {
            self.breaks.pop_front();
            self.passed += 1;
        }
        self.passed + 1
    }
}

struct LineCounting<R> {
    inner: R,
    lines: Arc<Mutex<Lines>>,
    max_line_bytes: usize,
}

impl<R: Read> Read for LineCounting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut lines = self.lines.lock().unwrap_or_else(|p| p.into_inner());
        lines.note(&buf[..n]);
        // A line longer than the limit stops the file: the CSV reader would
        // otherwise hold all of it in memory.
        if lines.since_break > self.max_line_bytes as u64 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("line {} is longer than the limit of {} bytes", lines.current_line(), self.max_line_bytes),
            ));
        }
        Ok(n)
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

fn header_name(field: &[u8]) -> String {
    String::from_utf8_lossy(field).trim().to_string()
}

impl CsvReader {
    /// Opens a CSV file and maps its header onto the schema.
    pub fn open<R: Read + Send + 'static>(
        input: R,
        spec: &InputSpec,
        file: usize,
        schema: Arc<Schema>,
        config: Arc<InputConfig>,
        limits: Limits,
    ) -> Result<(CsvReader, Layout), InputError> {
        let lines = Arc::new(Mutex::new(Lines::default()));
        let counting = LineCounting { inner: input, lines: Arc::clone(&lines), max_line_bytes: limits.max_line_bytes };
        let mut inner = ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(config.delimiter)
            .from_reader(Box::new(counting) as Box<dyn Read + Send>);
        let mut header = ByteRecord::new();
        let got = inner
            .read_byte_record(&mut header)
            .map_err(|e| InputError::Header { file: spec.name.clone(), reason: e.to_string() })?;
        if !got {
            return Err(InputError::Header { file: spec.name.clone(), reason: "the file is empty".into() });
        }
        if header.len() > limits.max_columns {
            return Err(InputError::Header {
                file: spec.name.clone(),
                reason: format!(
                    "the header has {} columns, more than the limit of {}",
                    header.len(),
                    limits.max_columns
                ),
            });
        }
        let names: Vec<String> = header
            .iter()
            .enumerate()
            .map(|(i, f)| header_name(if i == 0 { f.strip_prefix(BOM).unwrap_or(f) } else { f }))
            .collect();
        let mut columns = vec![None; schema.fields.len()];
        let mut absent = Vec::new();
        for (fid, f) in schema.fields.iter().enumerate() {
            let want = config.column_for(&f.name);
            let exact: Vec<usize> = names.iter().enumerate().filter(|(_, n)| *n == want).map(|(i, _)| i).collect();
            let found = if exact.is_empty() {
                names.iter().enumerate().filter(|(_, n)| n.eq_ignore_ascii_case(want)).map(|(i, _)| i).collect()
            } else {
                exact
            };
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
                _ => return Err(InputError::DuplicateColumn { file: spec.name.clone(), column: want.to_string() }),
            }
        }
        let layout = Layout {
            file,
            name: spec.name.clone(),
            columns,
            keys: Vec::new(),
            width: names.len(),
            absent,
            policy: ColumnPolicy::of(&schema, &config),
            schema,
            config,
            format: Format::Csv,
            limits,
        };
        Ok((CsvReader { inner, lines }, layout))
    }

    /// Reads up to `n` rows.
    pub fn next_batch(&mut self, n: usize, name: &str) -> Result<Vec<Raw>, InputError> {
        let mut out = Vec::with_capacity(n.min(65536));
        while out.len() < n {
            let mut record = ByteRecord::new();
            match self.inner.read_byte_record(&mut record) {
                Ok(true) => {
                    let offset = record.position().map_or(0, |p| p.byte());
                    let line = self.lines.lock().unwrap_or_else(|p| p.into_inner()).line_at(offset);
                    out.push(Raw::Csv { line, record });
                }
                Ok(false) => break,
                Err(e) => {
                    let source = match e.into_kind() {
                        csv::ErrorKind::Io(io) => io,
                        other => std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{other:?}")),
                    };
                    return Err(InputError::Io { file: name.to_string(), source });
                }
            }
        }
        Ok(out)
    }
}

/// Types one CSV row.
pub(super) fn parse_row<'a>(layout: &Layout, line: u64, record: &'a ByteRecord) -> Result<Record<'a>, Invalid> {
    let schema = &layout.schema;
    if record.len() != layout.width {
        let id = layout.columns[schema.key]
            .and_then(|c| record.get(c))
            .and_then(|b| std::str::from_utf8(b).ok())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        return Err(Invalid {
            file: layout.file,
            line,
            id,
            errors: vec![FieldProblem {
                field: None,
                value: None,
                reason: format!(
                    "row has {} field{}, the header has {}{}",
                    record.len(),
                    if record.len() == 1 { "" } else { "s" },
                    layout.width,
                    // A field holding line breaks after an odd field count is
                    // the mark of a quote that was never closed.
                    match record.iter().position(|f| f.contains(&b'\n')) {
                        Some(i) if record.len() < layout.width => format!(
                            "; field {} runs over several lines: a quote may be missing its closing quote",
                            i + 1
                        ),
                        _ => String::new(),
                    }
                ),
            }],
        });
    }
    if let Some((i, f)) = record.iter().enumerate().find(|(_, f)| f.len() > layout.limits.max_field_bytes) {
        return Err(Invalid {
            file: layout.file,
            line,
            id: None,
            errors: vec![FieldProblem {
                field: layout.columns.iter().position(|c| *c == Some(i)).map(|fid| schema.fields[fid].name.clone()),
                value: None,
                reason: format!(
                    "column {} is {} bytes, longer than the limit of {}",
                    i + 1,
                    f.len(),
                    layout.limits.max_field_bytes
                ),
            }],
        });
    }
    let mut cells = Vec::with_capacity(schema.fields.len());
    // Valid UTF-8 as a whole (the usual case) is checked once, and fields
    // are slices of it; otherwise field by field, so the bad field is named.
    let whole = std::str::from_utf8(record.as_slice()).ok();
    for (fid, def) in schema.fields.iter().enumerate() {
        let cell = match layout.columns[fid] {
            None => Cell::NoColumn,
            Some(c) => {
                let bytes = record.get(c).unwrap_or(b"");
                let text = match whole {
                    Some(w) => record.range(c).and_then(|r| w.get(r)),
                    None => std::str::from_utf8(bytes).ok(),
                };
                match text {
                    Some(text) => parse_cell(text, def, &layout.config),
                    None => Cell::Bad {
                        raw: String::from_utf8_lossy(bytes).trim().to_string().into(),
                        reason: "the text is not valid UTF-8".into(),
                    },
                }
            }
        };
        cells.push(cell);
    }
    layout.finish(line, cells, Vec::new())
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
    use super::Lines;

    #[test]
    fn the_current_line_counts_lf_crlf_and_a_lone_cr_once_each() {
        let mut l = Lines::default();
        l.note(b"a\nb\r\nc\rd");
        assert_eq!(l.current_line(), 4);
        assert_eq!(l.since_break, 1);
        // A `\r` at the end of a read, then its `\n` in the next one: one break.
        l.note(b"e\r");
        assert_eq!(l.current_line(), 5);
        l.note(b"\nf");
        assert_eq!(l.current_line(), 5);
        assert_eq!(l.line_at(0), 1);
    }
}
