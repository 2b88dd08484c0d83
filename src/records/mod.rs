//! Transaction records: reading CSV and JSON Lines as a stream, mapping the
//! firm's columns onto schema fields, and parsing every value into its type.
//!
//! Reading is split in two so large inputs can use every core: a reader
//! produces raw rows in input order ([`Raw`]); [`Layout::parse`] turns a raw
//! row into a typed [`Record`] or an invalid one, on any thread.

pub mod chunk;
pub mod csv;
mod error;
pub mod json;
mod value;

pub use error::{FieldProblem, InputError};
#[cfg(test)]
pub(crate) use value::parse_cell;
pub use value::{Cell, CellValue, Value, release};

/// Why [`Layout::type_csv`] gave no record.
#[derive(Debug)]
pub enum TypeCsv<'c> {
    /// The row is a copy, not in the bytes given: type it with
    /// [`Layout::parse_csv`]. The cells come back.
    Copy(Vec<Cell<'c>>),
    /// The row is invalid (its cells were used up).
    Invalid(Invalid),
}

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::InputConfig;
use crate::schema::{FieldId, Schema};

/// Input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

impl Format {
    /// Picks the format from a file name: `.jsonl`, `.ndjson` and `.json` are JSON Lines.
    pub fn from_path(p: &Path) -> Format {
        match p.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("jsonl" | "ndjson" | "json") => Format::Jsonl,
            _ => Format::Csv,
        }
    }
}

/// What missing columns mean for the records of one input: the fields and
/// groups whose missing column leaves the rules that need them undecided
/// (review); the others are skipped. Bit sets of field and group ids.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ColumnPolicy {
    /// Fields whose missing column means review.
    pub review_fields: u64,
    /// Groups whose missing columns (all of them) mean review.
    pub review_groups: u64,
}

impl ColumnPolicy {
    /// The policy of a schema as a config adjusts it.
    pub fn of(schema: &Schema, config: &InputConfig) -> ColumnPolicy {
        let mut p = ColumnPolicy::default();
        for f in 0..schema.fields.len() {
            if config.field_policy(schema, f) == crate::schema::MissingColumn::Review {
                p.review_fields |= 1 << f;
            }
        }
        for g in 0..schema.groups.len() {
            if config.group_policy(schema, g) == crate::schema::MissingColumn::Review {
                p.review_groups |= 1 << g;
            }
        }
        p
    }
}

/// A typed record; its cells may borrow from the input it was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct Record<'a> {
    /// Index of the input file.
    pub file: usize,
    /// Line where the record starts (1-based).
    pub line: u64,
    /// One cell per schema field, in schema order.
    pub cells: Vec<Cell<'a>>,
    /// What a cell without a column means for the rules ([`Cell::NoColumn`]).
    pub policy: ColumnPolicy,
    /// Known to hold nothing for the data-quality check: no unreadable cell
    /// and only ASCII text (so no hidden character). A hint the CSV reader
    /// sets after looking; `false` makes the check look at every cell.
    pub plain: bool,
}

impl Record<'_> {
    /// The record's key (id), if readable.
    pub fn key(&self, schema: &Schema) -> Option<&str> {
        self.cells.get(schema.key).and_then(Cell::text)
    }

    /// A copy owning its text, to outlive its input (the cells stay, for
    /// the next record to be typed into).
    pub fn owned_copy(&self) -> Record<'static> {
        Record {
            file: self.file,
            line: self.line,
            cells: self.cells.iter().map(|c| c.clone().into_owned()).collect(),
            policy: self.policy,
            plain: self.plain,
        }
    }

    /// The same record owning its text, to outlive its input.
    pub fn into_owned(self) -> Record<'static> {
        Record {
            file: self.file,
            line: self.line,
            cells: self.cells.into_iter().map(Cell::into_owned).collect(),
            policy: self.policy,
            plain: self.plain,
        }
    }
}

/// A record that could not be read, with every reason.
#[derive(Debug, Clone)]
pub struct Invalid {
    /// Index of the input file.
    pub file: usize,
    /// Line where the record starts.
    pub line: u64,
    /// The key, if it could be read.
    pub id: Option<String>,
    /// The transaction date, if it could be read (a report applies its
    /// period to invalid records too).
    pub date: Option<crate::values::Date>,
    /// What is wrong, field by field.
    pub errors: Vec<FieldProblem>,
}

/// Longest line (a CSV row or a JSON Lines record) read, in bytes: 16 MiB.
pub const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;
/// Longest field value, in bytes: 1 MiB. A longer one makes the record invalid.
pub const MAX_FIELD_BYTES: usize = 1024 * 1024;
/// Most columns a CSV header may have.
pub const MAX_COLUMNS: usize = 1024;

/// Size limits on an input: beyond them a line or a field is reported
/// (invalid record, or an error naming the line), never held whole. The
/// defaults are [`MAX_LINE_BYTES`], [`MAX_FIELD_BYTES`] and [`MAX_COLUMNS`];
/// a service may lower them per run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest line (a CSV row or a JSON Lines record), in bytes.
    pub max_line_bytes: usize,
    /// Longest CSV field value, in bytes.
    pub max_field_bytes: usize,
    /// Most columns a CSV header may have.
    pub max_columns: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_line_bytes: MAX_LINE_BYTES, max_field_bytes: MAX_FIELD_BYTES, max_columns: MAX_COLUMNS }
    }
}

/// One raw row from an input, not yet typed.
#[derive(Debug)]
pub enum Raw {
    /// A line longer than [`Limits::max_line_bytes`]: not read, reported invalid.
    TooLong {
        /// Line number.
        line: u64,
        /// Its length in bytes.
        bytes: u64,
    },
    /// A CSV row.
    Csv(csv::OwnedRow),
    /// A JSON Lines row.
    Json {
        /// Line number.
        line: u64,
        /// The line's text (may be invalid UTF-8).
        text: Vec<u8>,
    },
}

impl Raw {
    /// The line the row starts on.
    pub fn line(&self) -> u64 {
        match self {
            Raw::Csv(row) => row.line,
            Raw::Json { line, .. } | Raw::TooLong { line, .. } => *line,
        }
    }
}

/// How one input file's columns map onto the schema.
#[derive(Debug)]
pub struct Layout {
    /// Index of the file.
    pub file: usize,
    /// Display name of the file.
    pub name: String,
    /// CSV: column index per schema field (`None` = the file has no such column).
    /// JSON: every field is looked up by key.
    pub columns: Vec<Option<usize>>,
    /// JSON: each field's key, in `column_key` form.
    pub keys: Vec<String>,
    /// CSV: each field the file has a column for, with that column, in
    /// schema order ([`Layout::columns`] without the gaps, for typing a row).
    pub present: Vec<(FieldId, usize)>,
    /// Number of columns in the CSV header.
    pub width: usize,
    /// Optional fields the file has no column for.
    pub absent: Vec<FieldId>,
    /// What missing columns mean for the rules.
    pub policy: ColumnPolicy,
    /// The schema.
    pub schema: Arc<Schema>,
    /// Formats and mapping.
    pub config: Arc<InputConfig>,
    /// Format.
    pub format: Format,
    /// Size limits.
    pub limits: Limits,
    /// Fields typed from CSV (a bit set of field ids); the others read as
    /// empty. `None`, the default: every field. The counting pass of a run
    /// types only what its rules read (required fields always).
    pub typed: Option<u64>,
    /// CSV fields typed only for records whose candidate rules read them
    /// ([`csv::type_row`]), with their columns, taken out of `present`;
    /// empty, the default: every field is typed for every record. Set only
    /// for a pass that shows no record's values or data quality
    /// (`Layout::type_on_demand`).
    pub later: Vec<(FieldId, usize)>,
    /// CSV fields that nothing a pass shows or evaluates reads, with their
    /// columns, taken out of `present`: not looked at, their cells hold an
    /// unreadable cell with no text, unless the record is unsound (a
    /// required field missing or unreadable: then read as the pass reads
    /// its other untyped fields, so the record's problems do not depend on
    /// the skipping). Empty, the default.
    pub unread: Vec<(FieldId, usize)>,
}

/// The form in which a column name or a JSON key is compared with a field's
/// column: trimmed, lower case, runs of spaces, `_` and `-` as one `_`. Two
/// columns of one form are ambiguous and an error, never one silently
/// preferred (red team C9).
pub(crate) fn column_key(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut gap = false;
    for c in name.trim().chars() {
        if c.is_whitespace() || c == '_' || c == '-' {
            gap = true;
            continue;
        }
        if gap && !out.is_empty() {
            out.push('_');
        }
        gap = false;
        out.extend(c.to_lowercase());
    }
    out
}

/// Names quoted and joined for a message: `` `a` and `b` ``, `` `a`, `b` and `c` ``.
pub(crate) fn quoted_list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<String> = names.map(|n| format!("`{}`", crate::values::text::printable(n))).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.concat(),
    }
}

/// `600000 bbl` → (`600000`, `bbl`): a number, then a unit that starts
/// with a letter; `None` for anything else.
fn split_unit(text: &str) -> Option<(&str, &str)> {
    let at = text.find(|c: char| c.is_alphabetic())?;
    let (number, unit) = text.split_at(at);
    let number = number.trim_end();
    // `6e5` is a number in scientific notation, not six of the unit `e5`.
    let exponent = unit.strip_prefix(['e', 'E']).map(|r| r.strip_prefix(['+', '-']).unwrap_or(r));
    if exponent.is_some_and(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let numeric = |c: char| c.is_ascii_digit() || ".,'+-".contains(c) || c.is_whitespace() || c == '\u{2019}';
    (!number.is_empty() && number.chars().all(numeric) && number.chars().any(|c| c.is_ascii_digit()))
        .then_some((number, unit.trim()))
}

/// Reads the first bytes of an input and refuses text that is not UTF-8
/// but says what it is: a UTF-16 or UTF-32 byte-order mark, UTF-16 without
/// one (every other byte NUL), or binary data starting with NUL bytes (red
/// team M7: a UTF-16 file read as "no column for `id`" with a NUL-laced
/// header). The bytes read are handed on in front of the rest.
fn sniff_encoding(
    mut reader: Box<dyn std::io::Read + Send>,
    name: &str,
) -> Result<Box<dyn std::io::Read + Send>, InputError> {
    let mut head = [0u8; 4];
    let mut n = 0;
    while n < head.len() {
        match reader.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(InputError::Io { file: name.to_string(), source: e }),
        }
    }
    let h = &head[..n];
    let encoding = match h {
        [0xFF, 0xFE, 0, 0] => Some("UTF-32 (little-endian) text"),
        [0, 0, 0xFE, 0xFF] => Some("UTF-32 (big-endian) text"),
        [0xFF, 0xFE, ..] => Some("UTF-16 (little-endian) text"),
        [0xFE, 0xFF, ..] => Some("UTF-16 (big-endian) text"),
        [0, 0, 0, 0] => Some("binary data (it starts with NUL bytes)"),
        [a, 0, b, 0] if a.is_ascii_graphic() && b.is_ascii_graphic() => Some("UTF-16 (little-endian) text"),
        [0, a, 0, b] if a.is_ascii_graphic() && b.is_ascii_graphic() => Some("UTF-16 (big-endian) text"),
        _ => None,
    };
    if let Some(what) = encoding {
        return Err(InputError::Encoding { file: name.to_string(), what: what.to_string() });
    }
    Ok(Box::new(std::io::Read::chain(std::io::Cursor::new(head[..n].to_vec()), reader)))
}

impl Layout {
    /// The layout of JSON records: every field is looked up by its key (the
    /// mapped column name). Also used for records built in memory (rule tests).
    pub fn for_json(file: usize, name: &str, schema: Arc<Schema>, config: Arc<InputConfig>) -> Layout {
        let keys = schema.fields.iter().map(|f| column_key(config.column_for(&f.name))).collect();
        Layout {
            file,
            name: name.to_string(),
            columns: vec![None; schema.fields.len()],
            present: Vec::new(),
            keys,
            width: 0,
            absent: Vec::new(),
            policy: ColumnPolicy::of(&schema, &config),
            schema,
            config,
            format: Format::Jsonl,
            limits: Limits::default(),
            typed: None,
            later: Vec::new(),
            unread: Vec::new(),
        }
    }

    /// The same layout for a source that has no column for these fields
    /// (rule tests model such a file): their cells read as [`Cell::NoColumn`].
    pub fn without_columns(mut self, fields: &[FieldId]) -> Layout {
        for f in fields {
            if !self.absent.contains(f) {
                self.absent.push(*f);
            }
        }
        self.absent.sort_unstable();
        self
    }

    /// Optional fields the input has no column for, each with what that means.
    pub fn missing_columns(&self) -> Vec<(FieldId, crate::schema::MissingColumn)> {
        self.absent.iter().map(|f| (*f, self.config.field_policy(&self.schema, *f))).collect()
    }

    /// Groups none of whose members have a column in this input.
    pub fn groups_without_columns(&self) -> Vec<crate::schema::GroupId> {
        (0..self.schema.groups.len())
            .filter(|g| self.schema.groups[*g].members.iter().all(|m| self.absent.contains(m)))
            .collect()
    }

    /// Types only the fields in `typed` (a bit set of field ids; the others
    /// keep their text, or with `unread` are not looked at), and of those
    /// the fields in `on_demand` only for records whose candidate rules read
    /// them ([`csv::type_row`]).
    pub(crate) fn type_on_demand(&mut self, typed: u64, on_demand: u64, unread: bool) {
        self.typed = Some(typed);
        let on_demand = on_demand & typed;
        let (later, now): (Vec<_>, Vec<_>) = std::mem::take(&mut self.present)
            .into_iter()
            .chain(std::mem::take(&mut self.later))
            .chain(std::mem::take(&mut self.unread))
            .partition(|(f, _)| *f < 64 && on_demand & (1u64 << f) != 0);
        let (now, skipped) = now.into_iter().partition(|(f, _)| !unread || *f >= 64 || typed & (1u64 << f) != 0);
        (self.later, self.present, self.unread) = (later, now, skipped);
        self.unread.sort_unstable();
        // Schema order within each, as typing goes.
        self.present.sort_unstable();
        self.later.sort_unstable();
    }

    /// Types a CSV row as split from its chunk.
    pub fn parse_csv<'r>(&self, row: csv::Row<'r>) -> Result<Record<'r>, Invalid> {
        csv::parse_row(self, row)
    }

    /// Types a CSV row read in place from `bytes` (split with
    /// [`csv::Splitter::split_valid`] and `valid`), into `cells` handed on
    /// from the chunk's last record (empty at first; see [`csv::type_row`]).
    /// A row read as a copy ([`csv::Row::at`] `None`) is typed afresh.
    pub fn type_csv<'c>(
        &self,
        row: csv::Row<'_>,
        (bytes, valid): (&'c [u8], &'c str),
        cells: Vec<Cell<'c>>,
        need: impl FnOnce(&[Cell<'c>]) -> u64,
    ) -> Result<Record<'c>, TypeCsv<'c>> {
        let Some(text) = row.at.and_then(|at| bytes.get(at..at + row.text.len())) else {
            return Err(TypeCsv::Copy(cells));
        };
        let utf8 = row.at.and_then(|at| valid.get(at..at + text.len()));
        csv::type_row(self, row, text, utf8, cells, need).map_err(TypeCsv::Invalid)
    }

    /// Types a raw row.
    pub fn parse<'r>(&self, raw: &'r Raw) -> Result<Record<'r>, Invalid> {
        match raw {
            Raw::Csv(row) => csv::parse_row(self, row.row()),
            Raw::Json { line, text } => json::parse_line(self, *line, text),
            Raw::TooLong { line, bytes } => Err(Invalid {
                file: self.file,
                line: *line,
                id: None,
                date: None,
                errors: vec![FieldProblem {
                    field: None,
                    value: None,
                    reason: format!(
                        "the line is {bytes} bytes, longer than the limit of {}; it was not read",
                        self.limits.max_line_bytes
                    ),
                    readable: false,
                }],
            }),
        }
    }

    /// A quantity written with its unit (`600000 bbl`, `5,000 MT`) is read
    /// as the number, and the unit as the unit field's value when that is
    /// empty or says the same; a unit the table does not know, or one that
    /// contradicts the unit column, leaves the quantity unreadable with the
    /// reason (red team M2: the over-cap block was lost).
    fn units_in_quantities(&self, cells: &mut [Cell<'_>]) {
        for (q, def) in self.schema.fields.iter().enumerate() {
            let Some(u) = def.unit_field else { continue };
            let Cell::Bad { raw, .. } = &cells[q] else { continue };
            let raw = raw.clone();
            let Some((number, unit)) = split_unit(&raw) else { continue };
            let unit = unit.trim_end_matches('.');
            let Some(code) = crate::values::unit::table().canonical(unit) else {
                let reason = format!("`{raw}` ends in `{unit}`, which is not a unit Cordon knows");
                cells[q] = Cell::Bad { raw, reason };
                continue;
            };
            let value = match value::parse_scalar(number, crate::values::Scalar::DECIMAL, def, &self.config) {
                Ok(v) => v,
                Err(_) => continue,
            };
            match &cells[u] {
                Cell::Missing | Cell::NoColumn => {
                    cells[u] = Cell::Str { raw: unit.to_string().into(), value: code.to_string().into() };
                }
                Cell::Str { value: given, .. } if given == code => {}
                Cell::Str { raw: given, .. } => {
                    let reason = format!("`{raw}` is in `{unit}` but the unit field says `{given}`");
                    cells[q] = Cell::Bad { raw, reason };
                    continue;
                }
                _ => continue,
            }
            cells[q] = Cell::Ok { raw, value };
        }
    }

    /// Builds the record from cells, or the invalid record if a required
    /// field is missing or unreadable.
    pub(crate) fn finish<'a>(
        &self,
        line: u64,
        cells: Vec<Cell<'a>>,
        problems: Vec<FieldProblem>,
    ) -> Result<Record<'a>, Invalid> {
        // The usual record: nothing to report.
        if problems.is_empty() && cells.iter().zip(&self.schema.fields).all(|(c, f)| c.sound(f.required)) {
            return Ok(Record { file: self.file, line, cells, policy: self.policy, plain: false });
        }
        self.finish_with_problems(line, cells, problems)
    }

    /// [`Layout::finish`] for a reader that checked each cell as it typed
    /// it: `sound`, no cell unreadable and every required field present;
    /// `plain`, see [`Record::plain`].
    pub(crate) fn finish_checked<'a>(
        &self,
        line: u64,
        cells: Vec<Cell<'a>>,
        sound: bool,
        plain: bool,
    ) -> Result<Record<'a>, Invalid> {
        if sound {
            return Ok(Record { file: self.file, line, cells, policy: self.policy, plain });
        }
        self.finish_with_problems(line, cells, Vec::new())
    }

    /// [`Layout::finish`] for a record with something to report: kept out
    /// of line, so the usual record's path stays short.
    #[cold]
    #[inline(never)]
    fn finish_with_problems<'a>(
        &self,
        line: u64,
        mut cells: Vec<Cell<'a>>,
        mut problems: Vec<FieldProblem>,
    ) -> Result<Record<'a>, Invalid> {
        self.units_in_quantities(&mut cells);
        for (i, f) in self.schema.fields.iter().enumerate() {
            match &cells[i] {
                Cell::Missing | Cell::NoColumn if f.required => problems.push(FieldProblem {
                    field: Some(f.name.clone()),
                    value: None,
                    reason: format!("required field `{}` is empty", f.name),
                    readable: false,
                }),
                Cell::Bad { raw, reason } => problems.push(FieldProblem {
                    field: Some(f.name.clone()),
                    value: Some(raw.to_string()),
                    reason: reason.clone(),
                    readable: false,
                }),
                _ => {}
            }
        }
        let fatal = problems.iter().any(|p| {
            p.field
                .as_deref()
                .is_none_or(|name| self.schema.field(name).is_some_and(|id| self.schema.fields[id].required))
        });
        if fatal {
            let id = cells.get(self.schema.key).and_then(Cell::text).map(str::to_string);
            let date = match cells.get(self.schema.date).and_then(Cell::value) {
                Some(Value::Date(d)) => Some(*d),
                _ => None,
            };
            return Err(Invalid { file: self.file, line, id, date, errors: problems });
        }
        Ok(Record { file: self.file, line, cells, policy: self.policy, plain: false })
    }
}

/// An open input file: its layout and a stream of raw rows.
pub struct Input {
    /// How its columns map.
    pub layout: Arc<Layout>,
    reader: Reader,
}

enum Reader {
    Csv(Box<csv::CsvReader>),
    Json(json::JsonReader),
    /// Closed after its header was read, until a run reaches it
    /// ([`Input::close`], [`Input::reopen`]).
    Closed,
}

/// What an input hands on to be evaluated: a chunk of CSV, or JSON Lines
/// rows.
#[derive(Debug)]
pub enum Work {
    /// Whole lines of CSV, split and typed by whoever evaluates them.
    Csv(chunk::Chunk),
    /// Rows read one by one.
    Rows(Vec<Raw>),
}

/// An input file on the command line.
#[derive(Debug, Clone)]
pub struct InputSpec {
    /// The path.
    pub path: PathBuf,
    /// Display name.
    pub name: String,
    /// Format.
    pub format: Format,
}

impl InputSpec {
    /// An input from a path, with the format from its extension.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        InputSpec { name: path.display().to_string(), format: Format::from_path(&path), path }
    }
}

impl Input {
    /// Opens an input from any reader and reads its header; fails if a
    /// required field has no column.
    pub fn from_reader<R: std::io::Read + Send + 'static>(
        reader: R,
        spec: &InputSpec,
        file: usize,
        schema: Arc<Schema>,
        config: Arc<InputConfig>,
        limits: Limits,
    ) -> Result<Input, InputError> {
        Input::with_chunks(Box::new(reader), spec, file, schema, config, limits, chunk::CHUNK_BYTES)
    }

    /// As [`Input::from_reader`], cutting CSV into chunks of about
    /// `chunk_bytes`.
    pub fn with_chunks(
        reader: Box<dyn std::io::Read + Send>,
        spec: &InputSpec,
        file: usize,
        schema: Arc<Schema>,
        config: Arc<InputConfig>,
        limits: Limits,
        chunk_bytes: usize,
    ) -> Result<Input, InputError> {
        let reader = sniff_encoding(reader, &spec.name)?;
        match spec.format {
            Format::Csv => {
                let (reader, layout) = csv::CsvReader::open(reader, spec, file, schema, config, limits, chunk_bytes)?;
                Ok(Input { layout: Arc::new(layout), reader: Reader::Csv(Box::new(reader)) })
            }
            Format::Jsonl => {
                let (reader, mut layout) = json::JsonReader::open(reader, spec, file, schema, config)?;
                layout.limits = limits;
                Ok(Input { layout: Arc::new(layout), reader: Reader::Json(reader) })
            }
        }
    }

    /// Closes the file, its header read and mapped, so that a run over many
    /// files holds one open at a time (red team M6: a thousand inputs
    /// exhausted `ulimit -n`). [`Input::reopen`] before reading records.
    pub fn close(&mut self) {
        self.reader = Reader::Closed;
    }

    /// Whether [`Input::close`] closed it.
    pub fn is_closed(&self) -> bool {
        matches!(self.reader, Reader::Closed)
    }

    /// Reads the header again from `reader`, the same file opened again:
    /// its columns must map as they did, or the file changed under the run.
    pub fn reopen(
        &mut self,
        reader: Box<dyn std::io::Read + Send>,
        spec: &InputSpec,
        chunk_bytes: usize,
    ) -> Result<(), InputError> {
        let l = &self.layout;
        let fresh = Input::with_chunks(
            reader,
            spec,
            l.file,
            Arc::clone(&l.schema),
            Arc::clone(&l.config),
            l.limits,
            chunk_bytes,
        )?;
        let f = &fresh.layout;
        if f.columns != l.columns || f.width != l.width || f.absent != l.absent || f.keys != l.keys {
            return Err(InputError::Changed { file: spec.name.clone() });
        }
        self.reader = fresh.reader;
        Ok(())
    }

    fn closed(&self) -> InputError {
        let e = std::io::Error::other("the input is closed (reopen it first)");
        InputError::Io { file: self.layout.name.clone(), source: e }
    }

    /// Reads raw rows (up to `n` JSON Lines rows, or the rows of a CSV
    /// chunk); an empty batch means the end of the file.
    pub fn next_batch(&mut self, n: usize) -> Result<Vec<Raw>, InputError> {
        match &mut self.reader {
            Reader::Csv(r) => r.next_batch(&self.layout.name),
            Reader::Json(r) => r.next_batch(n, &self.layout.name, self.layout.limits.max_line_bytes),
            Reader::Closed => Err(self.closed()),
        }
    }

    /// Where the buffers of CSV chunks go back once done with, to be read
    /// into again (`None` for JSON Lines, read row by row).
    pub fn spare_buffers(&self) -> Option<chunk::Spare> {
        match &self.reader {
            Reader::Csv(r) => Some(r.spare()),
            _ => None,
        }
    }

    /// The next piece of work: a CSV chunk or up to `rows` JSON Lines rows;
    /// `None` at the end.
    pub fn next_work(&mut self, rows: usize) -> Result<Option<Work>, InputError> {
        let name = &self.layout.name;
        match &mut self.reader {
            Reader::Csv(r) => match r.next_chunk() {
                Ok(c) => Ok(c.map(Work::Csv)),
                Err(e) => Err(InputError::Io { file: name.clone(), source: e }),
            },
            Reader::Json(r) => {
                let batch = r.next_batch(rows, name, self.layout.limits.max_line_bytes)?;
                Ok((!batch.is_empty()).then_some(Work::Rows(batch)))
            }
            Reader::Closed => Err(self.closed()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names_that_differ_in_case_or_spacing_have_one_key() {
        for same in ["origin", "ORIGIN", " Origin ", "origin\t"] {
            assert_eq!(column_key(same), "origin", "{same:?}");
        }
        for same in ["hs_code", "HS Code", "hs-code", "hs  code", "Hs__Code"] {
            assert_eq!(column_key(same), "hs_code", "{same:?}");
        }
        assert_ne!(column_key("seller_name"), column_key("seller"));
        assert_eq!(quoted_list(["a", "B"].into_iter()), "`a` and `B`");
        assert_eq!(quoted_list(["a", "b", "c"].into_iter()), "`a`, `b` and `c`");
    }

    #[test]
    fn text_that_is_not_utf_8_is_named_before_it_is_read() {
        let sniff = |b: &[u8]| sniff_encoding(Box::new(std::io::Cursor::new(b.to_vec())), "f.csv");
        for (bytes, says) in [
            (&b"\xFF\xFEi\0d\0"[..], "UTF-16 (little-endian)"),
            (b"\xFE\xFF\0i\0d", "UTF-16 (big-endian)"),
            (b"i\0d\0,\0", "UTF-16 (little-endian)"),
            (b"\xFF\xFE\0\0i\0\0\0", "UTF-32 (little-endian)"),
            (b"\0\0\0\0\0", "binary data"),
        ] {
            let e = sniff(bytes).err().expect("refused").to_string();
            assert!(e.contains(says), "{e}");
        }
        for ok in [&b"id,date\n"[..], b"\xEF\xBB\xBFid", b"", b"a", b"{\"id\":1}"] {
            let mut text = Vec::new();
            std::io::Read::read_to_end(&mut sniff(ok).expect("read"), &mut text).expect("read");
            assert_eq!(text, ok, "every byte handed on");
        }
    }

    #[test]
    fn a_number_and_a_unit_split_where_the_unit_starts() {
        assert_eq!(split_unit("600000 bbl"), Some(("600000", "bbl")));
        assert_eq!(split_unit("600,000barrels"), Some(("600,000", "barrels")));
        assert_eq!(split_unit("1 250 m3"), Some(("1 250", "m3")));
        assert_eq!(split_unit("bbl 600"), None);
        assert_eq!(split_unit("6e5"), None);
        assert_eq!(split_unit("6E+05"), None);
        assert_eq!(split_unit("ten t"), None);
    }
}
