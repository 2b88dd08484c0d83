//! Sets loaded from data files (CSV or YAML) of the pack: designated-party
//! and vessel lists are data, not code. Files are read through the pack's
//! [`Sources`], never from outside the pack or a folder its manifest names.

use std::collections::BTreeMap;

use super::error::{CheckError, CheckErrorKind};
use super::ir::{ElemKind, Entry, EntryOrigin, EntryValue};
use crate::source::{SourceFile, Span, sha256_hex};
use crate::sources::{self, MAX_TEXT_FILE_BYTES as MAX_SET_FILE_BYTES, Sources};
use crate::syntax::ast::{FileOption, StrLit, WhereOp};
use crate::values::Date;

/// Where a set's data file is looked for.
pub(super) struct Ctx<'a> {
    /// The rule file declaring the set.
    pub src: &'a SourceFile,
    /// Its pack-relative name.
    pub file: &'a str,
    /// The pack's data folder, by name.
    pub data_root: &'a str,
    /// Folders outside the pack the manifest declares.
    pub roots: &'a [String],
    /// The pack's files.
    pub sources: &'a dyn Sources,
}

/// Options of a file-backed set, validated.
struct Options<'a> {
    column: Option<&'a StrLit>,
    since: Option<&'a StrLit>,
    until: Option<&'a StrLit>,
    through: Option<&'a StrLit>,
    reference: Option<&'a StrLit>,
    filters: Vec<(&'a StrLit, WhereOp, &'a StrLit)>,
}

const OPTION_NAMES: [&str; 6] = ["column", "since", "until", "through", "ref", "where"];

/// Rows loaded, and the data file's label and fingerprint.
pub(super) struct Loaded {
    /// Parsed entries.
    pub entries: Vec<Entry>,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
    /// How fingerprints name the file: as written, or from the pack root
    /// when it is beside the rule file.
    pub label: String,
}

/// A data file's rows: line → column → text.
type Rows = Vec<(u64, BTreeMap<String, String>)>;

/// Loads the entries of a set from its data file, parsing each value with
/// `parse`. Problems are pushed to `errors`, pointing at the set declaration.
pub(super) fn load(
    ctx: &Ctx<'_>,
    path: &StrLit,
    options: &[FileOption],
    elem: ElemKind,
    parse: &dyn Fn(&str) -> Result<EntryValue, String>,
    errors: &mut Vec<CheckError>,
) -> Option<Loaded> {
    let opts = options_of(ctx.src, options, errors)?;
    let (name, label, bytes) = read(ctx, path, errors)?;
    let sha256 = sha256_hex(&bytes);
    let (header, rows) = rows(ctx, path, &name, bytes, errors)?;
    let column = column_of(ctx.src, path, &opts, &name, &header, errors)?;
    let entries = entries(ctx.src, path, &opts, &column, rows, elem, parse, errors)?;
    Some(Loaded { entries, sha256, label })
}

/// Validates the `{ column, since, ref, where }` options.
fn options_of<'a>(src: &SourceFile, options: &'a [FileOption], errors: &mut Vec<CheckError>) -> Option<Options<'a>> {
    let mut opts =
        Options { column: None, since: None, until: None, through: None, reference: None, filters: Vec::new() };
    let before = errors.len();
    for o in options {
        let slot = match o.key.name.as_str() {
            "column" => &mut opts.column,
            "since" => &mut opts.since,
            "until" => &mut opts.until,
            "through" => &mut opts.through,
            "ref" => &mut opts.reference,
            "where" => {
                match &o.cond {
                    Some((op, v)) => opts.filters.push((&o.value, *op, v)),
                    None => errors.push(
                        CheckError::new(CheckErrorKind::DataFile, src, o.value.span, "`where` needs a comparison")
                            .help("write `where: \"column\" == \"value\"`"),
                    ),
                }
                continue;
            }
            other => {
                let help = crate::suggest::help(
                    other,
                    OPTION_NAMES,
                    "options are `column`, `since`, `until`, `through`, `ref` and `where`",
                );
                errors.push(
                    CheckError::new(CheckErrorKind::DataFile, src, o.key.span, format!("unknown set option `{other}`"))
                        .help(help),
                );
                continue;
            }
        };
        if o.cond.is_some() {
            errors.push(CheckError::new(
                CheckErrorKind::DataFile,
                src,
                o.value.span,
                format!("only `where` takes a comparison, not `{}`", o.key.name),
            ));
        }
        if slot.is_some() {
            errors.push(CheckError::new(
                CheckErrorKind::DataFile,
                src,
                o.key.span,
                format!("set option `{}` is given twice", o.key.name),
            ));
        }
        *slot = Some(&o.value);
    }
    if let (Some(_), Some(t)) = (opts.until, opts.through) {
        errors.push(
            CheckError::new(CheckErrorKind::DataFile, src, t.span, "give `until` or `through`, not both")
                .help("`until` names the column of the first day no longer listed, `through` of the last day listed"),
        );
    }
    (errors.len() == before).then_some(opts)
}

/// Resolves and reads the file: its name, its fingerprint label, its bytes.
/// `./…` and `../…` are relative to the rule file (data that belongs to the
/// pack, beside its rules); other paths to the pack's data folder. Either
/// way the file must lie in the pack or a folder its manifest declares.
pub(super) fn read(ctx: &Ctx<'_>, path: &StrLit, errors: &mut Vec<CheckError>) -> Option<(String, String, Vec<u8>)> {
    let beside = path.value.starts_with("./") || path.value.starts_with("../");
    let name = if beside { sources::beside(ctx.file, &path.value) } else { sources::under(ctx.data_root, &path.value) };
    let err = |msg: String| CheckError::new(CheckErrorKind::DataFile, ctx.src, path.span, msg);
    if !sources::confined(&name, ctx.roots) {
        errors.push(
            err(format!("data file `{}` is outside the pack folder", path.value)).label("loaded from here").help(
                "keep data files in the pack, or name their folder in the pack's `cordon.yaml` (`data:` or `roots:`)",
            ),
        );
        return None;
    }
    // The kind first, from the name: nothing is read that could not be used
    // (red team H1: `from "/dev/zero"` was read to 24 GB before this check).
    if ![".csv", ".yaml", ".yml"].iter().any(|x| name.ends_with(x)) {
        errors.push(err(format!("data file `{}` must end in `.csv`, `.yaml` or `.yml`", path.value)));
        return None;
    }
    // A set's data file is held whole, row by row: it gets the rule files'
    // limit; large name lists belong in a list snapshot.
    match ctx.sources.read(&name, MAX_SET_FILE_BYTES) {
        Ok(bytes) => Some((name.clone(), if beside { name } else { path.value.clone() }, bytes)),
        Err(e) => {
            let help = if matches!(e, sources::SourceError::TooLarge { .. }) {
                "a set's data file is held whole: put a large name list in a list snapshot (`cordon lists import`) and screen against it".to_string()
            } else if beside {
                "a path starting with `./` or `../` is relative to the rule file".to_string()
            } else {
                format!(
                    "data files are found under the pack's data folder, `{}`",
                    ctx.sources.display_name(ctx.data_root)
                )
            };
            errors
                .push(err(format!("cannot read data file `{}`: {e}", path.value)).label("loaded from here").help(help));
            None
        }
    }
}

/// Reads the rows of a CSV or YAML data file, with its header.
pub(super) fn rows(
    ctx: &Ctx<'_>,
    path: &StrLit,
    name: &str,
    bytes: Vec<u8>,
    errors: &mut Vec<CheckError>,
) -> Option<(Vec<String>, Rows)> {
    let err = |msg: String| CheckError::new(CheckErrorKind::DataFile, ctx.src, path.span, msg);
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "csv" => match crate::records::csv::read_table(&bytes) {
            Ok(t) => Some(t),
            Err(e) => {
                errors.push(err(format!("cannot read `{}`: {e}", path.value)));
                None
            }
        },
        "yaml" | "yml" => {
            let ysrc = match SourceFile::from_bytes(path.value.clone(), name, bytes) {
                Ok(s) => s,
                Err(_) => {
                    errors.push(err(format!("`{}` is not UTF-8 text", path.value)));
                    return None;
                }
            };
            match crate::config::load_yaml_rows(&ysrc) {
                Ok(rows) => {
                    let mut header: Vec<String> = rows.iter().flat_map(|r| r.keys().cloned()).collect();
                    header.sort();
                    header.dedup();
                    Some((header, rows.into_iter().enumerate().map(|(i, r)| (i as u64 + 1, r)).collect()))
                }
                Err(e) => {
                    errors.push(err(format!("cannot read `{}`: {e}", path.value)));
                    None
                }
            }
        }
        _ => {
            errors.push(err(format!("data file `{}` must end in `.csv`, `.yaml` or `.yml`", path.value)));
            None
        }
    }
}

/// The value column, and every column an option names, checked against the header.
fn column_of(
    src: &SourceFile,
    path: &StrLit,
    opts: &Options<'_>,
    name: &str,
    header: &[String],
    errors: &mut Vec<CheckError>,
) -> Option<String> {
    let yaml = name.ends_with(".yaml") || name.ends_with(".yml");
    let column = match (opts.column, yaml) {
        (Some(c), _) => c.value.clone(),
        (None, true) => "value".to_string(),
        (None, false) => {
            errors.push(
                CheckError::new(
                    CheckErrorKind::DataFile,
                    src,
                    path.span,
                    format!("set from `{}` needs `column`", path.value),
                )
                .help(format!("add `{{ column: \"…\" }}`; the file's columns are {}", list(header))),
            );
            return None;
        }
    };
    let check_col = |name: &str, span: Span, errors: &mut Vec<CheckError>| -> bool {
        if header.iter().any(|h| h == name) {
            return true;
        }
        let help = crate::suggest::help(
            name,
            header.iter().map(String::as_str),
            &format!("the file's columns are {}", list(header)),
        );
        errors.push(
            CheckError::new(CheckErrorKind::DataFile, src, span, format!("`{}` has no column `{name}`", path.value))
                .help(help),
        );
        false
    };
    let mut ok = check_col(&column, opts.column.map_or(path.span, |c| c.span), errors);
    for o in [opts.since, opts.until, opts.through, opts.reference].into_iter().flatten() {
        ok &= check_col(&o.value, o.span, errors);
    }
    for (c, _, _) in &opts.filters {
        ok &= check_col(&c.value, c.span, errors);
    }
    ok.then_some(column)
}

/// Parses the rows the `where` filters keep into entries; at most five bad
/// lines are reported one by one.
#[allow(clippy::too_many_arguments)] // one call site; a struct would only rename them
fn entries(
    src: &SourceFile,
    path: &StrLit,
    opts: &Options<'_>,
    column: &str,
    rows: Rows,
    elem: ElemKind,
    parse: &dyn Fn(&str) -> Result<EntryValue, String>,
    errors: &mut Vec<CheckError>,
) -> Option<Vec<Entry>> {
    let err = |msg: String| CheckError::new(CheckErrorKind::DataFile, src, path.span, msg);
    let mut entries = Vec::new();
    let mut bad = 0usize;
    let mut report = |e: CheckError, errors: &mut Vec<CheckError>| {
        bad += 1;
        if bad <= 5 {
            errors.push(e);
        }
    };
    for (line, row) in rows {
        let get = |c: &str| row.get(c).map(|s| s.trim()).unwrap_or("");
        if !opts.filters.iter().all(|(c, op, v)| (get(&c.value) == v.value) == (*op == WhereOp::Eq)) {
            continue;
        }
        let text = get(column);
        if text.is_empty() {
            continue;
        }
        let value = match parse(text) {
            Ok(v) => v,
            Err(e) => {
                let e = err(format!("line {line} of `{}`: {e}", path.value))
                    .label(format!("a set of {}", elem.kind().plural()))
                    .help(format!("fix the value in column `{column}`"));
                report(e, errors);
                continue;
            }
        };
        let date_in = |col: Option<&StrLit>| match col.map(|s| (s, get(&s.value))) {
            None | Some((_, "")) => Ok(None),
            Some((s, t)) => Date::parse(t)
                .map(Some)
                .map_err(|e| format!("line {line} of `{}`, column `{}`: {e}", path.value, s.value)),
        };
        let dates = date_in(opts.since).and_then(|since| {
            let until = date_in(opts.until)?.or(date_in(opts.through)?.map(Date::next_day));
            match (since, until) {
                (Some(s), Some(u)) if u <= s => Err(format!(
                    "line {line} of `{}`: the element is never listed (until {u} is not after since {s})",
                    path.value
                )),
                _ => Ok((since, until)),
            }
        });
        let (since, until) = match dates {
            Ok(d) => d,
            Err(msg) => {
                report(err(msg), errors);
                continue;
            }
        };
        let reference = opts.reference.map(|r| get(&r.value).to_string()).filter(|s| !s.is_empty());
        entries.push(Entry {
            value,
            text: text.to_string(),
            since,
            until,
            reference,
            origin: EntryOrigin::DataLine(line),
        });
    }
    if bad > 5 {
        errors.push(err(format!("{} more bad lines in `{}`", bad - 5, path.value)));
    }
    (bad == 0).then_some(entries)
}

fn list(header: &[String]) -> String {
    header.iter().map(|h| format!("`{h}`")).collect::<Vec<_>>().join(", ")
}
