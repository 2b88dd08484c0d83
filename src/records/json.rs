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
    /// The last line ended with a CR that may be the first half of a CRLF
    /// still to come (a pipe is not read ahead to find out).
    after_cr: bool,
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
        Ok((
            JsonReader { inner: BufReader::with_capacity(READ_AHEAD, Box::new(input)), line: 0, after_cr: false },
            layout,
        ))
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
            let io = |e| InputError::Io { file: name.to_string(), source: e };
            let Some(read) = self.read_line(max_line_bytes).map_err(io)? else { break };
            self.line += 1;
            let mut buf = match read {
                Line::Text(buf) => buf,
                Line::TooLong(bytes) => {
                    out.push(Raw::TooLong { line: self.line, bytes });
                    continue;
                }
            };
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

/// One line as read: its bytes without the line end, or, past the limit,
/// how long it was (the rest is skipped, never held).
enum Line {
    Text(Vec<u8>),
    TooLong(u64),
}

impl JsonReader {
    /// Reads one line: LF, CRLF and a lone CR each end a line, as in CSV
    /// files (red team M5: two records split by a lone CR were read as one
    /// invalid one). A raw CR cannot be inside a JSON string, so nothing is
    /// cut in two that was whole. `None` at the end of the input.
    fn read_line(&mut self, max: usize) -> std::io::Result<Option<Line>> {
        let mut buf = Vec::new();
        let mut bytes = 0u64;
        let mut any = false;
        loop {
            let chunk = self.inner.fill_buf()?;
            if chunk.is_empty() {
                break;
            }
            if std::mem::take(&mut self.after_cr) && chunk[0] == b'\n' {
                self.inner.consume(1);
                continue;
            }
            any = true;
            let (take, end) = match memchr::memchr2(b'\n', b'\r', chunk) {
                Some(i) => (i, Some(chunk[i])),
                None => (chunk.len(), None),
            };
            bytes += take as u64;
            if buf.len() <= max {
                buf.extend_from_slice(&chunk[..take.min(max + 1 - buf.len())]);
            }
            self.inner.consume(take);
            match end {
                Some(b'\r') => {
                    self.inner.consume(1);
                    // CRLF is one line end: its LF is skipped when it comes.
                    self.after_cr = true;
                    break;
                }
                Some(_) => {
                    self.inner.consume(1);
                    break;
                }
                None => {}
            }
        }
        Ok(match any {
            false => None,
            true if bytes > max as u64 => Some(Line::TooLong(bytes)),
            true => Some(Line::Text(buf)),
        })
    }
}

fn row_error(layout: &Layout, line: u64, reason: String) -> Invalid {
    Invalid {
        file: layout.file,
        line,
        id: None,
        date: None,
        errors: vec![FieldProblem { field: None, value: None, reason, readable: false }],
    }
}

/// A JSON line's top level: an object's keys and values in the order
/// written, repeats kept (a map would keep the last one silently), or
/// something that is not an object.
enum Top {
    Object(Vec<(String, Json)>),
    Other,
}

impl<'de> serde::Deserialize<'de> for Top {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Top, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Top;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Top, A::Error> {
                let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(16).min(64));
                while let Some((k, v)) = map.next_entry::<String, Json>()? {
                    pairs.push((k, v));
                }
                Ok(Top::Object(pairs))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Top, A::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Top::Other)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Top, E> {
                Ok(Top::Other)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Top, E> {
                Ok(Top::Other)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Top, E> {
                Ok(Top::Other)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Top, E> {
                Ok(Top::Other)
            }
            fn visit_str<E>(self, _: &str) -> Result<Top, E> {
                Ok(Top::Other)
            }
            fn visit_unit<E>(self) -> Result<Top, E> {
                Ok(Top::Other)
            }
        }
        d.deserialize_any(V)
    }
}

/// Types one JSON line.
pub(super) fn parse_line<'a>(layout: &Layout, line: u64, text: &[u8]) -> Result<Record<'a>, Invalid> {
    let top: Top = match serde_json::from_slice(text) {
        Ok(j) => j,
        Err(e) if e.is_eof() => return Err(row_error(layout, line, "the JSON object is cut off".into())),
        Err(e) => return Err(row_error(layout, line, format!("not valid JSON: {e}"))),
    };
    let Top::Object(pairs) = top else {
        return Err(row_error(layout, line, "a JSON Lines record must be an object `{…}`".into()));
    };
    // Keys compared in one form: a repeated key, or two keys that differ
    // only in case or spacing (`origin`, `Origin`), make the record invalid
    // when a field reads them, never one silently chosen (red team C9).
    // Each key in its compared form → (the key as written, its value).
    let mut map: std::collections::HashMap<String, (String, Json)> =
        std::collections::HashMap::with_capacity(pairs.len());
    let mut clashes: Vec<(String, Vec<String>)> = Vec::new();
    for (k, v) in pairs {
        let key = super::column_key(&k);
        match map.get(&key) {
            Some((first, _)) => match clashes.iter_mut().find(|(c, _)| *c == key) {
                Some((_, seen)) => seen.push(k),
                None => clashes.push((key, vec![first.clone(), k])),
            },
            None => {
                map.insert(key, (k, v));
            }
        }
    }
    let mut problems = Vec::new();
    for (key, seen) in &clashes {
        if let Some(fid) = layout.keys.iter().position(|k| k == key) {
            let what = if seen.iter().all(|s| *s == seen[0]) {
                format!("the key `{}` appears {} times", crate::values::text::printable(&seen[0]), seen.len())
            } else {
                format!(
                    "the keys {} differ only in case or spacing",
                    super::quoted_list(seen.iter().map(String::as_str))
                )
            };
            problems.push(FieldProblem {
                field: Some(layout.schema.fields[fid].name.clone()),
                value: None,
                reason: format!("{what}: Cordon cannot tell which to read"),
                readable: false,
            });
        }
    }
    if !problems.is_empty() {
        let id = layout.keys.get(layout.schema.key).and_then(|k| map.get(k)).and_then(|(_, v)| match v {
            Json::String(s) => Some(s.clone()),
            Json::Number(n) => Some(n.to_string()),
            _ => None,
        });
        return Err(Invalid { file: layout.file, line, id, date: None, errors: problems });
    }
    let mut cells = Vec::with_capacity(layout.schema.fields.len());
    for (fid, def) in layout.schema.fields.iter().enumerate() {
        if layout.absent.contains(&fid) {
            cells.push(Cell::NoColumn);
            continue;
        }
        let cell = match map.get(&layout.keys[fid]).map(|(_, v)| v) {
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
