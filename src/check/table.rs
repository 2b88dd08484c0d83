//! Lookup tables (`table CHART from "./data/country-chart.csv" { key iso2:
//! country  NS1: string }`): a data file of the pack read into typed rows,
//! one per key, checked at load like a record's fields. A table is a set of
//! its keys (so `destination in CHART` works as for any set, hierarchically
//! for codes) with a row per key.

use super::data;
use super::error::{CheckError, CheckErrorKind};
use super::ir::{Entry, EntryOrigin, SetDef, Table};
use super::{Checker, set_kind};
use crate::schema::{FieldType, Scalar};
use crate::syntax::ast::TableDecl;
use crate::values::Value;

/// At most this many bad rows are reported one by one.
const MAX_REPORTED: usize = 5;

/// At most this many columns a table declares (as an input file may have).
const MAX_COLUMNS: usize = 1024;

impl Checker<'_> {
    /// Loads the table declared by `t` (set `id`) from its data file.
    pub(super) fn build_table(&mut self, fi: usize, id: usize, t: &TableDecl) {
        let src = self.src(fi);
        let err = |span, msg: String| CheckError::new(CheckErrorKind::Table, src, span, msg);
        // The key column, once, of a kind sets hold; every column typed.
        let keys: Vec<_> = t.columns.iter().filter(|c| c.key).collect();
        let key = match keys.as_slice() {
            [k] => *k,
            [] => {
                self.err(
                    err(t.name.span, format!("table `{}` has no key column", t.name.name))
                        .help("mark the column rows are looked up by: `key iso2: country`"),
                );
                return;
            }
            [_, second, ..] => {
                self.err(err(second.name.span, "a table has one key column".into()));
                return;
            }
        };
        let key_kind = match FieldType::from_name(&key.ty.name) {
            Some(FieldType::Scalar(k)) if set_kind(k) => k,
            _ => {
                self.err(
                    err(key.ty.span, format!("a table's key is text or a code, not `{}`", key.ty.name))
                        .help("key types are `string`, `country`, `hs`, `eccn`, `name`"),
                );
                return;
            }
        };
        if t.columns.len() > MAX_COLUMNS {
            self.err(err(t.name.span, format!("table `{}` declares more than {MAX_COLUMNS} columns", t.name.name)));
            return;
        }
        let mut columns = Vec::new();
        for c in t.columns.iter().filter(|c| !c.key) {
            match FieldType::from_name(&c.ty.name) {
                Some(ty) => {
                    if columns.iter().any(|(n, _)| n == &c.name.name) || c.name.name == key.name.name {
                        self.err(err(c.name.span, format!("column `{}` is declared twice", c.name.name)));
                    }
                    columns.push((c.name.name.clone(), ty));
                }
                None => {
                    let kinds: Vec<&str> = Scalar::field_kinds().map(Scalar::name).collect();
                    self.err(err(c.ty.span, format!("unknown column type `{}`", c.ty.name)).help(format!(
                        "types are {}, or list<…> of one of them",
                        crate::suggest::quoted(kinds.iter().copied())
                    )));
                }
            }
        }
        self.sets[id].elem = key_kind;
        let ctx = self.data_ctx(fi);
        let before = self.errors.len();
        let Some((name, label, bytes)) = data::read(&ctx, &t.path, &mut self.errors) else { return };
        let sha256 = crate::source::sha256_hex(&bytes);
        let Some((header, rows)) = data::rows(&ctx, &t.path, &name, bytes, &mut self.errors) else { return };
        for (col, span) in std::iter::once((&key.name.name, key.name.span))
            .chain(t.columns.iter().filter(|c| !c.key).map(|c| (&c.name.name, c.name.span)))
        {
            if !header.contains(col) {
                let help = crate::suggest::help(
                    col,
                    header.iter().map(String::as_str),
                    &format!("the file's columns are {}", crate::suggest::quoted(header.iter().map(String::as_str))),
                );
                self.err(err(span, format!("`{}` has no column `{col}`", t.path.value)).help(help));
            }
        }
        if self.errors.len() > before {
            return;
        }
        let (mut entries, mut cells) = (Vec::new(), Vec::new());
        let mut bad = Vec::new();
        for (line, row) in rows {
            let get = |c: &str| row.get(c).map(|s| s.trim()).unwrap_or("");
            let k = get(&key.name.name);
            let value = match Self::parse_entry(key_kind, k) {
                Ok(v) if !k.is_empty() => v,
                Ok(_) => {
                    bad.push(format!("line {line}: the key `{}` is empty", key.name.name));
                    continue;
                }
                Err((_, e)) => {
                    bad.push(format!("line {line}, column `{}`: {e}", key.name.name));
                    continue;
                }
            };
            if entries.iter().any(|e: &Entry| e.value == value) {
                bad.push(format!("line {line}: key `{k}` is given twice"));
                continue;
            }
            let mut row_cells = Vec::new();
            for (col, ty) in &columns {
                match cell(get(col), *ty) {
                    Ok(c) => row_cells.push(c),
                    Err(e) => bad.push(format!("line {line}, column `{col}`: {e}")),
                }
            }
            if row_cells.len() < columns.len() {
                continue;
            }
            entries.push(Entry {
                value,
                text: k.to_string(),
                since: None,
                until: None,
                reference: None,
                origin: EntryOrigin::DataLine(line),
            });
            cells.push(row_cells);
        }
        for b in bad.iter().take(MAX_REPORTED) {
            self.err(err(t.path.span, format!("`{}` {b}", t.path.value)).help("fix the data file"));
        }
        if bad.len() > MAX_REPORTED {
            self.err(err(t.path.span, format!("{} more bad rows in `{}`", bad.len() - MAX_REPORTED, t.path.value)));
        }
        if !bad.is_empty() {
            return;
        }
        let set: &mut SetDef = &mut self.sets[id];
        set.entries = entries;
        set.data_file = Some(label.clone());
        set.table = Some(Table { columns, rows: cells });
        if !self.data_inputs.iter().any(|d| d.path == label) {
            self.data_inputs.push(super::ir::Fingerprint { path: label, sha256, kind: "data" });
        }
    }
}

/// Reads one cell: empty text is `""`, an empty list `[]`, another empty
/// cell `None` (a lookup of it is undecided); list items are `;`-separated.
fn cell(text: &str, ty: FieldType) -> Result<Option<Value>, String> {
    match ty {
        FieldType::Scalar(s) if text.is_empty() => Ok((s == Scalar::STRING).then(|| Value::Str("".into()))),
        FieldType::Scalar(s) => read(s, text).map(Some),
        FieldType::List(s) => text
            .split(';')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| read(s, t))
            .collect::<Result<Vec<_>, _>>()
            .map(|v| Some(Value::List(v))),
    }
}

/// A cell's value, read as rule text is (a code normalised, a date checked).
fn read(s: Scalar, text: &str) -> Result<Value, String> {
    s.read_rule(text)
}
