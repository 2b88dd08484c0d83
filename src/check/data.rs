//! Sets loaded from data files (CSV or YAML) under the pack's data directory:
//! designated-party and vessel lists are data, not code.

use std::path::Path;

use super::error::{CheckError, CheckErrorKind};
use super::ir::{ElemKind, Entry, EntryOrigin};
use crate::source::{SourceFile, Span, sha256_hex};
use crate::syntax::ast::{FileOption, StrLit, WhereOp};
use crate::values::Date;

/// Options of a file-backed set, validated.
struct Options<'a> {
    column: Option<&'a StrLit>,
    since: Option<&'a StrLit>,
    reference: Option<&'a StrLit>,
    filters: Vec<(&'a StrLit, WhereOp, &'a StrLit)>,
}

const OPTION_NAMES: [&str; 4] = ["column", "since", "ref", "where"];

/// Rows loaded, and the data file's fingerprint.
pub struct Loaded {
    /// Parsed entries.
    pub entries: Vec<Entry>,
    /// SHA-256 of the file.
    pub sha256: String,
}

/// Loads the entries of a set from `data_root/path`, parsing each value with
/// `parse`. Problems are pushed to `errors`, pointing at the set declaration.
pub fn load(
    src: &SourceFile,
    data_root: &Path,
    path: &StrLit,
    options: &[FileOption],
    elem: ElemKind,
    parse: &dyn Fn(&str) -> Result<super::ir::EntryValue, String>,
    errors: &mut Vec<CheckError>,
) -> Option<Loaded> {
    let mut opts = Options { column: None, since: None, reference: None, filters: Vec::new() };
    let before = errors.len();
    for o in options {
        let slot = match o.key.name.as_str() {
            "column" => &mut opts.column,
            "since" => &mut opts.since,
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
                let help = crate::suggest::did_you_mean(other, OPTION_NAMES)
                    .map(|s| format!("did you mean `{s}`?"))
                    .unwrap_or_else(|| "options are `column`, `since`, `ref` and `where`".into());
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
    if errors.len() > before {
        return None;
    }
    // `./…` and `../…` are relative to the rule file (data that belongs to
    // the pack, beside its rules); other paths to the pack's data folder.
    let beside = path.value.starts_with("./") || path.value.starts_with("../");
    let full = match (beside, src.path.parent()) {
        (true, Some(dir)) => dir.join(&path.value),
        _ => data_root.join(&path.value),
    };
    let err = |msg: String| CheckError::new(CheckErrorKind::DataFile, src, path.span, msg);
    let bytes = match std::fs::read(&full) {
        Ok(b) => b,
        Err(e) => {
            errors.push(err(format!("cannot read data file `{}`: {e}", path.value)).label("loaded from here").help(
                if beside {
                    "a path starting with `./` or `../` is relative to the rule file".to_string()
                } else {
                    format!("data files are found under the pack's data folder, `{}`", data_root.display())
                },
            ));
            return None;
        }
    };
    let sha256 = sha256_hex(&bytes);
    let ext = full.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let (header, rows): (Vec<String>, crate::records::csv::Table) = match ext.as_str() {
        "csv" => match crate::records::csv::read_table(&bytes) {
            Ok(t) => t,
            Err(e) => {
                errors.push(err(format!("cannot read `{}`: {e}", path.value)));
                return None;
            }
        },
        "yaml" | "yml" => {
            let text = match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(_) => {
                    errors.push(err(format!("`{}` is not UTF-8 text", path.value)));
                    return None;
                }
            };
            let ysrc = SourceFile::new(path.value.clone(), full.clone(), text);
            match crate::config::load_yaml_rows(&ysrc) {
                Ok(rows) => {
                    let mut header: Vec<String> = rows.iter().flat_map(|r| r.keys().cloned()).collect();
                    header.sort();
                    header.dedup();
                    (header, rows.into_iter().enumerate().map(|(i, r)| (i as u64 + 1, r)).collect())
                }
                Err(e) => {
                    errors.push(err(format!("cannot read `{}`: {e}", path.value)));
                    return None;
                }
            }
        }
        _ => {
            errors.push(err(format!("data file `{}` must end in `.csv`, `.yaml` or `.yml`", path.value)));
            return None;
        }
    };
    let column_name = match (opts.column, ext.as_str()) {
        (Some(c), _) => c.value.clone(),
        (None, "yaml" | "yml") => "value".to_string(),
        (None, _) => {
            errors.push(
                err(format!("set from `{}` needs `column`", path.value))
                    .help(format!("add `{{ column: \"…\" }}`; the file's columns are {}", list(&header))),
            );
            return None;
        }
    };
    let check_col = |name: &str, span: Span, errors: &mut Vec<CheckError>| -> bool {
        if header.iter().any(|h| h == name) {
            return true;
        }
        let help = crate::suggest::did_you_mean(name, header.iter().map(String::as_str))
            .map(|s| format!("did you mean `{s}`?"))
            .unwrap_or_else(|| format!("the file's columns are {}", list(&header)));
        errors.push(
            CheckError::new(CheckErrorKind::DataFile, src, span, format!("`{}` has no column `{name}`", path.value))
                .help(help),
        );
        false
    };
    let col_span = opts.column.map_or(path.span, |c| c.span);
    let mut ok = check_col(&column_name, col_span, errors);
    for o in [opts.since, opts.reference].into_iter().flatten() {
        ok &= check_col(&o.value, o.span, errors);
    }
    for (c, _, _) in &opts.filters {
        ok &= check_col(&c.value, c.span, errors);
    }
    if !ok {
        return None;
    }
    let mut entries = Vec::new();
    let mut bad = 0usize;
    for (line, row) in rows {
        let get = |c: &str| row.get(c).map(|s| s.trim()).unwrap_or("");
        if !opts.filters.iter().all(|(c, op, v)| (get(&c.value) == v.value) == (*op == WhereOp::Eq)) {
            continue;
        }
        let text = get(&column_name);
        if text.is_empty() {
            continue;
        }
        let value = match parse(text) {
            Ok(v) => v,
            Err(e) => {
                bad += 1;
                if bad <= 5 {
                    errors.push(
                        err(format!("line {line} of `{}`: {e}", path.value))
                            .label(format!("a set of {}", elem.plural()))
                            .help(format!("fix the value in column `{column_name}`")),
                    );
                }
                continue;
            }
        };
        let since = match opts.since {
            Some(s) => {
                let t = get(&s.value);
                if t.is_empty() {
                    None
                } else {
                    match Date::parse(t) {
                        Ok(d) => Some(d),
                        Err(e) => {
                            bad += 1;
                            if bad <= 5 {
                                errors.push(err(format!("line {line} of `{}`, column `{}`: {e}", path.value, s.value)));
                            }
                            continue;
                        }
                    }
                }
            }
            None => None,
        };
        let reference = opts.reference.map(|r| get(&r.value).to_string()).filter(|s| !s.is_empty());
        entries.push(Entry { value, text: text.to_string(), since, reference, origin: EntryOrigin::DataLine(line) });
    }
    if bad > 5 {
        errors.push(err(format!("{} more bad lines in `{}`", bad - 5, path.value)));
    }
    if bad > 0 {
        return None;
    }
    Some(Loaded { entries, sha256 })
}

fn list(header: &[String]) -> String {
    header.iter().map(|h| format!("`{h}`")).collect::<Vec<_>>().join(", ")
}
