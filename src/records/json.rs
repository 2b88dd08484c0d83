//! JSON Lines input: one JSON object per line; keys name the columns. A key
//! that a record lacks, or a `null`, is an empty value.

use std::io::{BufRead, BufReader, Read};
use std::sync::Arc;

use serde_json::Value as Json;

use super::error::{FieldProblem, InputError};
use super::value::parse_cell;
use super::{Cell, InputSpec, Invalid, Layout, Raw, Record, Value};
use crate::config::InputConfig;
use crate::schema::{FieldType, Schema};

/// How much a JSON Lines reader reads ahead.
const READ_AHEAD: usize = 1 << 20;

/// A JSON Lines file being read.
pub struct JsonReader {
    inner: BufReader<Box<dyn Read + Send>>,
    line: u64,
}

impl JsonReader {
    /// Opens a JSON Lines file.
    pub fn open<R: Read + Send + 'static>(
        input: R,
        spec: &InputSpec,
        file: usize,
        schema: Arc<Schema>,
        config: Arc<InputConfig>,
    ) -> Result<(JsonReader, Layout), InputError> {
        let layout = Layout::for_json(file, &spec.name, schema, config);
        Ok((JsonReader { inner: BufReader::with_capacity(READ_AHEAD, Box::new(input)), line: 0 }, layout))
    }

    /// Reads up to `n` non-blank lines; a line longer than `max_line_bytes`
    /// is skipped and reported.
    pub fn next_batch(&mut self, n: usize, name: &str, max_line_bytes: usize) -> Result<Vec<Raw>, InputError> {
        let mut out = Vec::with_capacity(n.min(65536));
        while out.len() < n {
            // Nothing more read ahead: a pipe that has given what it has (a
            // queue feeding records one by one) gets its rows decided now,
            // not when `n` have come. A file refills a large buffer, so its
            // batches stay long.
            if !out.is_empty() && self.inner.buffer().is_empty() {
                break;
            }
            let mut buf = Vec::new();
            let io = |e| InputError::Io { file: name.to_string(), source: e };
            let read = (&mut self.inner).take(max_line_bytes as u64 + 1).read_until(b'\n', &mut buf).map_err(io)?;
            if read == 0 {
                break;
            }
            self.line += 1;
            if buf.len() > max_line_bytes && buf.last() != Some(&b'\n') {
                // Skip the rest of the line without holding it.
                let mut bytes = buf.len() as u64;
                loop {
                    let chunk = self.inner.fill_buf().map_err(io)?;
                    if chunk.is_empty() {
                        break;
                    }
                    match memchr::memchr(b'\n', chunk) {
                        Some(i) => {
                            bytes += i as u64;
                            self.inner.consume(i + 1);
                            break;
                        }
                        None => {
                            let n = chunk.len();
                            bytes += n as u64;
                            self.inner.consume(n);
                        }
                    }
                }
                out.push(Raw::TooLong { line: self.line, bytes });
                continue;
            }
            while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                buf.pop();
            }
            if self.line == 1 && buf.starts_with(b"\xEF\xBB\xBF") {
                buf.drain(..3);
            }
            if buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            out.push(Raw::Json { line: self.line, text: buf });
        }
        Ok(out)
    }
}

fn row_error(layout: &Layout, line: u64, reason: String) -> Invalid {
    Invalid { file: layout.file, line, id: None, errors: vec![FieldProblem { field: None, value: None, reason }] }
}

/// Types one JSON line.
pub(super) fn parse_line<'a>(layout: &Layout, line: u64, text: &[u8]) -> Result<Record<'a>, Invalid> {
    let json: Json = match serde_json::from_slice(text) {
        Ok(j) => j,
        Err(e) if e.is_eof() => return Err(row_error(layout, line, "the JSON object is cut off".into())),
        Err(e) => return Err(row_error(layout, line, format!("not valid JSON: {e}"))),
    };
    let Json::Object(map) = json else {
        return Err(row_error(layout, line, "a JSON Lines record must be an object `{…}`".into()));
    };
    let mut cells = Vec::with_capacity(layout.schema.fields.len());
    for (fid, def) in layout.schema.fields.iter().enumerate() {
        if layout.absent.contains(&fid) {
            cells.push(Cell::NoColumn);
            continue;
        }
        let cell = match map.get(&layout.keys[fid]) {
            None | Some(Json::Null) => Cell::Missing,
            Some(Json::String(s)) => parse_cell(s, def, &layout.config).into_owned(),
            // A number cannot hold an HS code's leading zero or trailing
            // zeros (`0303.89` → 303.89, `2701.10` → 2701.1): never guess.
            Some(Json::Number(n)) if matches!(def.ty, FieldType::Scalar(s) | FieldType::List(s) if s.name() == "hs") => {
                Cell::Bad {
                    raw: n.to_string().into(),
                    reason: format!(
                        "HS code written as a JSON number `{n}`, which drops leading and trailing zeros: write it as text (`\"0303.89\"`)"
                    ),
                }
            }
            Some(Json::Number(n)) => parse_cell(&n.to_string(), def, &layout.config).into_owned(),
            Some(Json::Array(items)) if matches!(def.ty, FieldType::List(_)) => {
                let mut values = Vec::new();
                let mut bad = None;
                for item in items {
                    let Json::String(s) = item else {
                        bad = Some(format!("list item `{item}` is not text"));
                        break;
                    };
                    match parse_cell(s, def, &layout.config) {
                        Cell::Ok { value: Value::List(mut v), .. } => values.append(&mut v),
                        Cell::Missing => {}
                        Cell::Bad { reason, .. } => {
                            bad = Some(reason);
                            break;
                        }
                        _ => {}
                    }
                }
                let raw: String = items
                    .iter()
                    .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                    .collect::<Vec<_>>()
                    .join(";");
                match bad {
                    Some(reason) => Cell::Bad { raw: raw.into(), reason },
                    None if values.is_empty() => Cell::Missing,
                    None => Cell::Ok { raw: raw.into(), value: Value::List(values) },
                }
            }
            Some(other) => {
                let raw = other.to_string();
                let kind = match other {
                    Json::Bool(_) => "true/false",
                    Json::Array(_) => "a list",
                    Json::Object(_) => "an object",
                    _ => "a value",
                };
                let want = match def.ty {
                    FieldType::Scalar(s) | FieldType::List(s) => s.name(),
                };
                Cell::Bad {
                    raw: raw.chars().take(200).collect::<String>().into(),
                    reason: format!("expected {want}, found {kind}"),
                }
            }
        };
        cells.push(cell);
    }
    layout.finish(line, cells, Vec::new())
}
