//! YAML files: record schemas, input configs (column mappings), rule-pack
//! manifests and YAML data files. This is the only module that touches the
//! YAML library, so replacing it is a one-file change.

use std::collections::BTreeMap;
use std::path::Path;

use miette::{Diagnostic, SourceSpan};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::schema::{FieldDef, FieldType, GroupDef, MAX_FIELDS, MissingColumn, Pattern, Role, Schema};
use crate::source::SourceFile;
use crate::values::Date;

/// A YAML file that could not be used.
#[derive(Debug, Error, Diagnostic)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read `{path}`: {source}")]
    #[diagnostic(code(cordon::config::io))]
    Io {
        /// The path.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The YAML is malformed or does not have the expected shape.
    #[error("{message}")]
    #[diagnostic(code(cordon::config::invalid))]
    Invalid {
        /// What is wrong.
        message: String,
        /// The file.
        #[source_code]
        src: crate::source::Src,
        /// Where.
        #[label("here")]
        span: Option<SourceSpan>,
        /// Advice.
        #[help]
        help: Option<String>,
    },
}

impl ConfigError {
    fn invalid(src: &SourceFile, message: String, span: Option<SourceSpan>, help: Option<String>) -> Self {
        ConfigError::Invalid { message, src: src.named(), span, help }
    }

    /// A screening benchmark that does not read (the message names its line).
    pub fn benchmark(src: &SourceFile, message: String) -> Self {
        Self::invalid(src, message, None, Some("see docs/screening.md for the benchmark's columns".into()))
    }
}

/// Rows of a licence register: line, and field → text.
pub type LicenceRows = Vec<(u64, std::collections::BTreeMap<String, String>)>;

/// Reads a licence register written in YAML (`licences:` and a list of
/// licences, each a map of field → value; lists such as `goods` and
/// `destinations` become `;`-separated text) into rows with their lines,
/// for `licence::Register::from_rows`.
pub fn licence_rows(src: &SourceFile) -> Result<LicenceRows, ConfigError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        licences: Vec<std::collections::BTreeMap<String, serde_yaml::Value>>,
    }
    let file: File = parse_yaml(src)?;
    let item_lines: Vec<u64> = src
        .text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("- ") && l.contains(':'))
        .map(|(i, _)| i as u64 + 1)
        .collect();
    let mut rows = Vec::new();
    for (i, item) in file.licences.iter().enumerate() {
        let line = item_lines.get(i).copied().unwrap_or(0);
        let mut row = std::collections::BTreeMap::new();
        for (k, v) in item {
            let text = match v {
                serde_yaml::Value::Sequence(items) => {
                    items.iter().map(scalar).collect::<Option<Vec<_>>>().map(|v| v.join(";"))
                }
                other => scalar(other),
            };
            let Some(text) = text else {
                return Err(ConfigError::invalid(
                    src,
                    format!("licence {} (line {line}): `{k}` should be text, a number or a list", i + 1),
                    find_key(src, k),
                    None,
                ));
            };
            row.insert(k.clone(), text);
        }
        rows.push((line, row));
    }
    Ok(rows)
}

/// A YAML scalar as text (`null` is empty); `None` for a list or a map.
fn scalar(v: &serde_yaml::Value) -> Option<String> {
    match v {
        serde_yaml::Value::String(s) => Some(s.clone()),
        serde_yaml::Value::Number(n) => Some(n.to_string()),
        serde_yaml::Value::Bool(b) => Some(b.to_string()),
        serde_yaml::Value::Null => Some(String::new()),
        _ => None,
    }
}

/// A licence register's problems, one error each, naming its line and field.
pub fn licence_problems(src: &SourceFile, problems: Vec<String>) -> Vec<ConfigError> {
    let help = "each licence needs id, goods, valid_from and valid_until; quantity with unit and value with currency \
                are optional";
    problems.into_iter().map(|p| ConfigError::invalid(src, p, None, Some(help.into()))).collect()
}

/// The text of the standard trade-transaction schema shipped in `seeds/schema/`.
pub const STANDARD_SCHEMA: &str = include_str!("../seeds/schema/trade-transaction.yaml");

/// The standard trade-transaction schema shipped in `seeds/schema/`: the
/// schema of every pack whose manifest names none.
pub fn standard_schema() -> Schema {
    let src = SourceFile::new("seeds/schema/trade-transaction.yaml", "", STANDARD_SCHEMA);
    match load_schema(&src) {
        Ok(s) => s,
        // INVARIANT: the shipped schema is valid; `standard_schema_loads` tests it.
        Err(e) => unreachable!("the shipped standard schema is invalid: {e}"),
    }
}

/// Reads a text file (a config, a schema, reviewed matches) from disk,
/// with a config error naming it on failure.
pub fn read_source(path: &Path) -> Result<SourceFile, ConfigError> {
    crate::sources::read_text_file(path).map_err(|source| ConfigError::Io { path: path.display().to_string(), source })
}

/// Deepest nesting of YAML flow collections (`{…}`, `[…]`) accepted. The
/// files Cordon reads are a few levels deep; the YAML reader takes time
/// quadratic in the depth of flow collections (`{a: {a: …}}` 100,000 deep
/// took 98 s: red team H3).
pub const MAX_YAML_DEPTH: usize = 128;

/// Deserialises YAML text into `T`, turning YAML errors into diagnostics that
/// point into the file. Every YAML file is read through here, after a check
/// that its flow collections nest no deeper than [`MAX_YAML_DEPTH`].
pub fn parse_yaml<T: DeserializeOwned>(src: &SourceFile) -> Result<T, ConfigError> {
    if let Some(at) = yaml_too_deep(&src.text) {
        let (line, _) = src.line_col(at);
        return Err(ConfigError::invalid(
            src,
            format!("`{}` nests deeper than {MAX_YAML_DEPTH} levels at line {line}", src.name),
            Some(SourceSpan::from((at, 1))),
            Some("the YAML files cordon reads are a few levels deep: check that this is the file you meant".into()),
        ));
    }
    serde_yaml::from_str::<T>(&src.text).map_err(|e| {
        let span = e.location().map(|l| SourceSpan::from((l.index().min(src.text.len()), 0)));
        let msg = e.to_string();
        // serde_yaml appends " at line N column M"; the label shows that already.
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        ConfigError::invalid(src, msg, span, None)
    })
}

/// Finds the first place YAML text nests flow collections (`{`, `[`)
/// deeper than [`MAX_YAML_DEPTH`], without parsing it. Brackets inside
/// quoted scalars, comments and block scalars (`|`, `>`) do not count, nor
/// a bracket inside a plain scalar (`a: x[1]`). Block collections are not
/// counted: the reader takes them in linear time (40,000 deep: 0.09 s).
fn yaml_too_deep(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    let mut flow = 0usize;
    // Inside a block scalar: the indentation of the line that began it.
    let mut literal: Option<usize> = None;
    let mut indent = 0;
    let mut line_start = true;
    let mut i = 0;
    // Where a token may begin: a quote there opens a quoted scalar, `#` a comment.
    let boundary = |i: usize, flow: usize| {
        i == 0
            || matches!(b[i - 1], b' ' | b'\t' | b'\n' | b'\r')
            || (flow > 0 && matches!(b[i - 1], b'[' | b'{' | b',' | b':'))
    };
    while i < b.len() {
        if line_start {
            line_start = false;
            let start = i;
            while i < b.len() && b[i] == b' ' {
                i += 1;
            }
            indent = i - start;
            if let Some(parent) = literal {
                let blank = matches!(b.get(i), None | Some(b'\n' | b'\r'));
                if blank || indent > parent {
                    // A line of the block scalar's text.
                    while i < b.len() && b[i] != b'\n' {
                        i += 1;
                    }
                    continue;
                }
                literal = None;
            }
            continue;
        }
        match b[i] {
            b'\n' => line_start = true,
            b'#' if boundary(i, flow) => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'\'' if boundary(i, flow) => {
                i += 1;
                while i < b.len() && !(b[i] == b'\'' && b.get(i + 1) != Some(&b'\'')) {
                    i += if b[i] == b'\'' { 2 } else { 1 };
                }
            }
            b'"' if boundary(i, flow) => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' | b'[' if flow > 0 || boundary(i, flow) => {
                flow += 1;
                if flow > MAX_YAML_DEPTH {
                    return Some(i);
                }
            }
            b'}' | b']' if flow > 0 => flow -= 1,
            b'|' | b'>' if flow == 0 && boundary(i, flow) && block_scalar_header(&b[i + 1..]) => {
                // A block scalar: the lines after it indented past this one are text.
                literal = Some(indent);
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Whether what follows a `|` or `>` is the rest of a block scalar's header:
/// chomping and indentation indicators, then the end of the line or a comment.
fn block_scalar_header(rest: &[u8]) -> bool {
    let n = rest.iter().take_while(|c| matches!(c, b'-' | b'+' | b'0'..=b'9')).count();
    let spaces = rest[n..].iter().take_while(|c| matches!(c, b' ' | b'\t')).count();
    match rest.get(n + spaces) {
        None | Some(b'\n' | b'\r') => true,
        Some(b'#') => spaces > 0,
        Some(_) => false,
    }
}

/// Finds the byte span of `key:` in YAML text, for diagnostics about a value
/// that parsed but is wrong.
pub fn find_key(src: &SourceFile, key: &str) -> Option<SourceSpan> {
    let text = &src.text;
    // An empty key is found everywhere and nowhere: searching for it never
    // advanced (a hang the fuzzer found with `"": x` under `columns`).
    if key.is_empty() {
        return None;
    }
    let mut from = 0;
    while let Some(pos) = text[from..].find(key) {
        let start = from + pos;
        let before_ok = start == 0 || {
            let c = text.as_bytes()[start - 1];
            c == b' ' || c == b'\n' || c == b'-' || c == b'\t'
        };
        let after = &text[start + key.len()..];
        if before_ok && after.trim_start_matches(' ').starts_with(':') {
            return Some((start, key.len()).into());
        }
        from = start + key.len();
    }
    None
}

fn find_value(src: &SourceFile, value: &str) -> Option<SourceSpan> {
    src.text.find(value).map(|p| (p, value.len()).into())
}

// ─────────────────────────── schema ───────────────────────────

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct SchemaFile {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    #[allow(dead_code, reason = "documented version number, not interpreted yet")]
    version: Option<u32>,
    /// `standard` or `payment`: the shipped schema whose fields this one adds to.
    #[serde(default)]
    extends: Option<String>,
    #[serde(default)]
    key: Option<String>,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    fields: Vec<SchemaField>,
    #[serde(default)]
    groups: Vec<SchemaGroup>,
}

/// The payment schema shipped in `seeds/schema/` (the roles of an ISO 20022
/// pacs.008 or SWIFT MT103 credit transfer); `extends: payment` adds to it.
pub const PAYMENT_SCHEMA: &str = include_str!("../seeds/schema/payment.yaml");

/// The shipped schemas `extends:` may name: name, path, text.
pub const BUILTIN_SCHEMAS: [(&str, &str, &str); 2] = [
    ("standard", "seeds/schema/trade-transaction.yaml", STANDARD_SCHEMA),
    ("payment", "seeds/schema/payment.yaml", PAYMENT_SCHEMA),
];

/// The payment schema.
pub fn payment_schema() -> Schema {
    let src = SourceFile::new("seeds/schema/payment.yaml", "", PAYMENT_SCHEMA);
    match load_schema(&src) {
        Ok(s) => s,
        // INVARIANT: the shipped schema is valid; `payment_schema_loads` tests it.
        Err(e) => unreachable!("the shipped payment schema is invalid: {e}"),
    }
}

/// A schema file with what it extends folded in, and where each field and
/// group was declared.
struct Resolved {
    file: SchemaFile,
    origin: BTreeMap<String, String>,
}

/// Reads one schema file and folds in the shipped schema it extends.
fn resolve(src: &SourceFile) -> Result<Resolved, ConfigError> {
    let own: SchemaFile = parse_yaml(src)?;
    let mut origin = BTreeMap::new();
    let Some(base_name) = own.extends.clone() else {
        for f in &own.fields {
            origin.insert(f.name.clone(), src.name.clone());
        }
        for g in &own.groups {
            origin.insert(g.name.clone(), src.name.clone());
        }
        return Ok(Resolved { file: own, origin });
    };
    let Some((_, path, text)) = BUILTIN_SCHEMAS.iter().find(|(n, _, _)| *n == base_name) else {
        let names = BUILTIN_SCHEMAS.map(|(n, _, _)| n);
        let help = crate::suggest::help(&base_name, names, "a schema extends `standard` or `payment`");
        return Err(ConfigError::invalid(
            src,
            format!("unknown schema `{base_name}` to extend"),
            find_value(src, &base_name),
            Some(help),
        ));
    };
    let base_src = SourceFile::new(*path, "", *text);
    let mut file: SchemaFile = parse_yaml(&base_src)?;
    for f in &file.fields {
        origin.insert(f.name.clone(), path.to_string());
    }
    for g in &file.groups {
        origin.insert(g.name.clone(), path.to_string());
    }
    for f in own.fields {
        if let Some(first) = origin.get(&f.name) {
            return Err(ConfigError::invalid(
                src,
                format!("field `{}` is declared by `{first}` already", f.name),
                find_value(src, &f.name),
                Some(format!("`extends: {base_name}` brings its fields; declare only new ones, under another name")),
            ));
        }
        origin.insert(f.name.clone(), src.name.clone());
        file.fields.push(f);
    }
    for g in own.groups {
        if let Some(first) = origin.get(&g.name) {
            return Err(ConfigError::invalid(
                src,
                format!("group `{}` is declared by `{first}` already", g.name),
                find_value(src, &g.name),
                None,
            ));
        }
        origin.insert(g.name.clone(), src.name.clone());
        file.groups.push(g);
    }
    file.name = own.name.or(file.name);
    file.key = own.key.or(file.key);
    file.date = own.date.or(file.date);
    file.extends = Some(base_name);
    Ok(Resolved { file, origin })
}

/// Combines the schemas of several packs into one record schema: every
/// field and group of each (with what each extends); one declared by two
/// files must be declared the same way, else it is an error naming both.
/// Each file is checked on its own first, so a problem points into it.
pub fn load_schemas(srcs: &[&SourceFile]) -> Result<Schema, ConfigError> {
    let Some((first, rest)) = srcs.split_first() else { return Ok(standard_schema()) };
    let Resolved { file: mut merged, mut origin } = resolve(first)?;
    build_schema(first, merged.clone())?;
    for src in rest {
        let Resolved { file, origin: theirs } = resolve(src)?;
        build_schema(src, file.clone())?;
        for (what, a, b) in [("key", &merged.key, &file.key), ("date", &merged.date, &file.date)] {
            if a != b {
                return Err(ConfigError::invalid(
                    src,
                    format!(
                        "the {what} field is `{}` here and `{}` in `{}`: schemas combined must agree",
                        b.as_deref().unwrap_or("none"),
                        a.as_deref().unwrap_or("none"),
                        first.name
                    ),
                    find_key(src, what),
                    None,
                ));
            }
        }
        merge_named(src, "field", &mut merged.fields, file.fields, |f| &f.name, (&mut origin, &theirs))?;
        merge_named(src, "group", &mut merged.groups, file.groups, |g| &g.name, (&mut origin, &theirs))?;
    }
    build_schema(srcs[srcs.len() - 1], merged)
}

/// Adds another schema's fields (or groups) to the merged ones: one declared
/// alike by both is kept once; one declared differently is an error naming
/// both files. `origin` says which file declared each name.
fn merge_named<T: PartialEq>(
    src: &SourceFile,
    what: &str,
    merged: &mut Vec<T>,
    theirs: Vec<T>,
    name: fn(&T) -> &String,
    (origin, their_origin): (&mut BTreeMap<String, String>, &BTreeMap<String, String>),
) -> Result<(), ConfigError> {
    for item in theirs {
        let n = name(&item).clone();
        match merged.iter().find(|m| name(m) == &n) {
            Some(m) if *m == item => {}
            Some(_) => {
                let one = origin.get(&n).cloned().unwrap_or_default();
                let other = their_origin.get(&n).cloned().unwrap_or_default();
                return Err(ConfigError::invalid(
                    src,
                    format!("{what} `{n}` is declared differently by `{one}` and by `{other}`"),
                    find_value(src, &n),
                    Some(format!(
                        "packs combined into one record schema must agree on each {what}: rename one, or declare it the same way"
                    )),
                ));
            }
            None => {
                origin.insert(n.clone(), their_origin.get(&n).cloned().unwrap_or_default());
                merged.push(item);
            }
        }
    }
    Ok(())
}

#[derive(Deserialize, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
struct SchemaGroup {
    name: String,
    members: Vec<String>,
    #[serde(default)]
    on_missing_column: Option<String>,
    #[serde(default)]
    description: String,
}

/// A field's `role:`, which no earlier field may have.
fn field_role(src: &SourceFile, value: Option<&str>, earlier: &[FieldDef]) -> Result<Option<Role>, ConfigError> {
    let Some(v) = value else { return Ok(None) };
    let Some(role) = Role::from_name(v) else {
        let names = Role::ALL.map(Role::name);
        let help = crate::suggest::help(v, names, &format!("roles are {}", crate::suggest::quoted(names)));
        return Err(ConfigError::invalid(src, format!("unknown role `{v}`"), find_value(src, v), Some(help)));
    };
    if let Some(other) = earlier.iter().find(|f| f.role == Some(role)) {
        return Err(ConfigError::invalid(
            src,
            format!("role `{v}` is given to `{}` already", other.name),
            find_value(src, v),
            Some("a role names one field".into()),
        ));
    }
    Ok(Some(role))
}

fn missing_column(src: &SourceFile, value: Option<&str>, what: &str) -> Result<MissingColumn, ConfigError> {
    match value {
        None => Ok(MissingColumn::Review),
        Some(v) => MissingColumn::from_name(v).ok_or_else(|| {
            ConfigError::invalid(
                src,
                format!("`on_missing_column` of {what} is `{v}`, not `review` or `skip`"),
                find_value(src, v),
                Some("`review`: the rules that need it are undecided for the file's records; `skip`: they are skipped, and the run says so".into()),
            )
        }),
    }
}

#[derive(Deserialize, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
struct SchemaField {
    name: String,
    #[serde(rename = "type")]
    ty: String,
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    non_negative: bool,
    #[serde(default)]
    pattern: Option<String>,
    #[serde(default)]
    separator: Option<String>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    on_missing_column: Option<String>,
    #[serde(default)]
    unit_field: Option<String>,
    #[serde(default)]
    values: Vec<String>,
}

/// Loads a record schema from YAML (with the shipped schema it extends).
pub fn load_schema(src: &SourceFile) -> Result<Schema, ConfigError> {
    load_schemas(&[src])
}

/// Checks a schema (its fields, groups, key and date) and builds it.
fn build_schema(src: &SourceFile, file: SchemaFile) -> Result<Schema, ConfigError> {
    let mut fields: Vec<FieldDef> = Vec::new();
    let mut unit_fields: Vec<(usize, String)> = Vec::new();
    if file.fields.len() > MAX_FIELDS {
        return Err(ConfigError::invalid(
            src,
            format!("a schema may declare at most {MAX_FIELDS} fields, this one has {}", file.fields.len()),
            find_key(src, "fields"),
            None,
        ));
    }
    for f in file.fields {
        let ty = FieldType::from_name(&f.ty).ok_or_else(|| {
            ConfigError::invalid(
                src,
                format!("unknown field type `{}` for field `{}`", f.ty, f.name),
                find_value(src, &f.ty),
                Some(format!(
                    "types are {}, or list<…> of one of them",
                    crate::suggest::quoted(crate::schema::Scalar::field_kinds().map(crate::schema::Scalar::name))
                )),
            )
        })?;
        let ok_name = !f.name.is_empty()
            && f.name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && f.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok_name {
            return Err(ConfigError::invalid(
                src,
                format!("field name `{}` must be letters, digits and `_`, starting with a letter", f.name),
                find_value(src, &f.name),
                None,
            ));
        }
        if fields.iter().any(|g| g.name == f.name) {
            return Err(ConfigError::invalid(
                src,
                format!("field `{}` is declared twice", f.name),
                find_value(src, &f.name),
                None,
            ));
        }
        let pattern = match f.pattern.as_deref() {
            None => None,
            Some("imo") => Some(Pattern::Imo),
            Some("currency") => Some(Pattern::Currency),
            Some("unit") => Some(Pattern::Unit),
            Some(other) => {
                return Err(ConfigError::invalid(
                    src,
                    format!("unknown pattern `{other}`"),
                    find_value(src, other),
                    Some("patterns are `imo`, `currency` and `unit`".into()),
                ));
            }
        };
        let separator = match f.separator.as_deref() {
            None => ';',
            Some(s) if s.chars().count() == 1 => s.chars().next().unwrap_or(';'),
            Some(s) => {
                return Err(ConfigError::invalid(
                    src,
                    format!("list separator `{s}` must be one character"),
                    find_value(src, s),
                    None,
                ));
            }
        };
        if !f.values.is_empty() && ty != FieldType::Scalar(crate::schema::Scalar::STRING) {
            return Err(ConfigError::invalid(
                src,
                format!("`values` is for text fields; `{}` is `{}`", f.name, f.ty),
                find_value(src, &f.name),
                None,
            ));
        }
        let on_missing_column = missing_column(src, f.on_missing_column.as_deref(), &format!("field `{}`", f.name))?;
        let role = field_role(src, f.role.as_deref(), &fields)?;
        if let Some(u) = f.unit_field {
            unit_fields.push((fields.len(), u));
        }
        fields.push(FieldDef {
            name: f.name,
            ty,
            required: f.required,
            non_negative: f.non_negative,
            pattern,
            separator,
            description: f.description,
            on_missing_column,
            unit_field: None,
            role,
            values: f.values,
        });
    }
    for (fid, unit) in unit_fields {
        let Some(u) = fields.iter().position(|f| f.name == unit) else {
            return Err(ConfigError::invalid(
                src,
                format!("`unit_field` of `{}` names `{unit}`, which is not a field", fields[fid].name),
                find_value(src, &unit),
                crate::suggest::did_you_mean(&unit, fields.iter().map(|f| f.name.as_str()))
                    .map(|s| format!("did you mean `{s}`?")),
            ));
        };
        if fields[fid].ty != FieldType::Scalar(crate::schema::Scalar::DECIMAL)
            || fields[u].ty != FieldType::Scalar(crate::schema::Scalar::STRING)
        {
            return Err(ConfigError::invalid(
                src,
                format!(
                    "`unit_field` links a decimal field to a string field; `{}` → `{unit}` does not",
                    fields[fid].name
                ),
                find_value(src, &unit),
                None,
            ));
        }
        fields[fid].unit_field = Some(u);
    }
    let find = |name: &str, what: &str| {
        fields.iter().position(|f| f.name == name).ok_or_else(|| {
            ConfigError::invalid(
                src,
                format!("the {what} field `{name}` is not declared in `fields`"),
                find_key(src, what),
                None,
            )
        })
    };
    let missing = |what: &str| {
        ConfigError::invalid(
            src,
            format!("the schema names no {what} field"),
            None,
            Some(format!("add `{what}: <field>`, or `extends: standard`")),
        )
    };
    let key_name = file.key.clone().ok_or_else(|| missing("key"))?;
    let date_name = file.date.clone().ok_or_else(|| missing("date"))?;
    let key = find(&key_name, "key")?;
    let date = find(&date_name, "date")?;
    if fields[date].ty != FieldType::Scalar(crate::schema::Scalar::DATE) || !fields[date].required {
        return Err(ConfigError::invalid(
            src,
            format!("the date field `{date_name}` must have type `date` and be required"),
            find_key(src, "date"),
            None,
        ));
    }
    let mut groups: Vec<GroupDef> = Vec::new();
    for g in file.groups {
        let bad_name = |msg: String| ConfigError::invalid(src, msg, find_value(src, &g.name), None);
        if fields.iter().any(|f| f.name == g.name) || groups.iter().any(|h| h.name == g.name) {
            return Err(bad_name(format!("group `{}` has the name of a field or of another group", g.name)));
        }
        if g.members.is_empty() {
            return Err(bad_name(format!("group `{}` has no members", g.name)));
        }
        let mut members = Vec::new();
        for m in &g.members {
            let Some(fid) = fields.iter().position(|f| &f.name == m) else {
                return Err(ConfigError::invalid(
                    src,
                    format!("group `{}` names `{m}`, which is not a field", g.name),
                    find_value(src, m),
                    crate::suggest::did_you_mean(m, fields.iter().map(|f| f.name.as_str()))
                        .map(|s| format!("did you mean `{s}`?")),
                ));
            };
            members.push(fid);
        }
        let scalar = fields[members[0]].scalar();
        if let Some(other) = members.iter().find(|m| fields[**m].scalar() != scalar) {
            return Err(bad_name(format!(
                "the members of group `{}` must share one type: `{}` is {}, `{}` is {}",
                g.name,
                fields[members[0]].name,
                scalar.name(),
                fields[*other].name,
                fields[*other].scalar().name()
            )));
        }
        let on_missing_column = missing_column(src, g.on_missing_column.as_deref(), &format!("group `{}`", g.name))?;
        groups.push(GroupDef { name: g.name, members, scalar, on_missing_column, description: g.description });
    }
    let name = file
        .name
        .unwrap_or_else(|| src.name.rsplit('/').next().unwrap_or("schema").trim_end_matches(".yaml").to_string());
    Ok(Schema::new(name, fields, key, date, groups))
}

// ─────────────────────────── input config ───────────────────────────

/// Dates that stand for "no date" in the systems records come from.
const NULL_DATES: [((i32, u32, u32), &str); 4] = [
    ((1899, 12, 30), "a spreadsheet's day zero"),
    ((1900, 1, 1), "a spreadsheet's or database's null date"),
    ((1970, 1, 1), "the Unix epoch (a null timestamp)"),
    ((1, 1, 1), "a database's minimum date"),
];

/// The dates records may hold unless the config says otherwise: from
/// 1990-01-01 to a year after today.
pub static DEFAULT_DATE_WINDOW: std::sync::LazyLock<(Date, Date)> =
    std::sync::LazyLock::new(|| (Date::from_ymd(1990, 1, 1).unwrap_or_else(Date::today), Date::today().add_years(1)));

/// How a firm's files map onto the schema.
#[derive(Debug, Clone, Default)]
pub struct InputConfig {
    /// Schema field → the column (CSV header or JSON key) that holds it.
    pub columns: BTreeMap<String, String>,
    /// Date format of the files.
    pub date_format: crate::values::DateLayout,
    /// Decimal separator in numbers (`.` or `,`).
    pub decimal_separator: char,
    /// Thousands separator to drop from numbers, if any.
    pub thousands_separator: Option<char>,
    /// Overrides the schema's list separator.
    pub list_separator: Option<char>,
    /// CSV field delimiter.
    pub delimiter: u8,
    /// Per field or group: what a missing column means, overriding the schema.
    pub on_missing_column: BTreeMap<String, MissingColumn>,
    /// The dates a record may plausibly hold (`formats.earliest_date`,
    /// `formats.latest_date`); `None`: [`DEFAULT_DATE_WINDOW`].
    pub date_window: Option<(Date, Date)>,
    /// The config file, for fingerprints and diagnostics.
    pub source: Option<std::sync::Arc<SourceFile>>,
}

impl InputConfig {
    /// The default: columns named as the schema fields, ISO dates, `.` decimals.
    pub fn standard() -> InputConfig {
        InputConfig { decimal_separator: '.', delimiter: b',', ..InputConfig::default() }
    }

    /// The column that holds a schema field.
    pub fn column_for<'a>(&'a self, field: &'a str) -> &'a str {
        self.columns.get(field).map_or(field, String::as_str)
    }

    /// The earliest and latest date a record may plausibly hold.
    pub fn date_window(&self) -> (Date, Date) {
        self.date_window.unwrap_or_else(|| *DEFAULT_DATE_WINDOW)
    }

    /// Reads a date of a record: in the file's layout, a real date (not a
    /// spreadsheet's or a database's null placeholder) within the window.
    pub fn read_date(&self, t: &str) -> Result<Date, String> {
        let d = self.date_format.parse(t)?;
        if let Some(why) = NULL_DATES.iter().find(|(n, _)| Date::from_ymd(n.0, n.1, n.2) == Some(d)).map(|(_, w)| w) {
            return Err(format!("`{t}` is {why}, not a real date"));
        }
        let (from, to) = self.date_window();
        if d < from || d > to {
            return Err(format!(
                "`{t}` is outside the plausible dates {from}..{to} (`formats.earliest_date` and `latest_date` in the config change them)"
            ));
        }
        Ok(d)
    }

    /// What a missing column for a field means: the config's word, else the schema's.
    pub fn field_policy(&self, schema: &Schema, f: crate::schema::FieldId) -> MissingColumn {
        let def = &schema.fields[f];
        self.on_missing_column.get(&def.name).copied().unwrap_or(def.on_missing_column)
    }

    /// What a file with no column for any member of a group means.
    pub fn group_policy(&self, schema: &Schema, g: crate::schema::GroupId) -> MissingColumn {
        let def = &schema.groups[g];
        self.on_missing_column.get(&def.name).copied().unwrap_or(def.on_missing_column)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    columns: BTreeMap<String, String>,
    #[serde(default)]
    formats: FormatsFile,
    #[serde(default)]
    csv: CsvFile,
    #[serde(default)]
    on_missing_column: BTreeMap<String, String>,
    /// The licence register and the state file, relative to the config
    /// (read by [`run_files`]; here so the whole config is checked).
    #[serde(default, rename = "licences")]
    _licences: Option<String>,
    #[serde(default, rename = "state")]
    _state: Option<String>,
}

/// Files an input config names for a run: the licence register and the
/// state file, as written (relative to the config's folder).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct RunFiles {
    /// `licences: licences.yaml`.
    #[serde(default)]
    pub licences: Option<String>,
    /// `state: cordon.db`.
    #[serde(default)]
    pub state: Option<String>,
}

/// Reads the `licences` and `state` keys of an input config, ignoring the
/// rest (the whole config is checked against the schema later).
pub fn run_files(src: &SourceFile) -> RunFiles {
    parse_yaml(src).unwrap_or_default()
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FormatsFile {
    date: Option<String>,
    earliest_date: Option<String>,
    latest_date: Option<String>,
    decimal_separator: Option<String>,
    thousands_separator: Option<String>,
    list_separator: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct CsvFile {
    delimiter: Option<String>,
}

fn one_char(src: &SourceFile, key: &str, value: &Option<String>) -> Result<Option<char>, ConfigError> {
    match value {
        None => Ok(None),
        Some(s) if s.chars().count() == 1 => Ok(s.chars().next()),
        Some(s) => Err(ConfigError::invalid(
            src,
            format!("`{key}` must be a single character, not `{s}`"),
            find_key(src, key),
            None,
        )),
    }
}

/// Loads an input config and checks it against the schema.
pub fn load_config(src: SourceFile, schema: &Schema) -> Result<InputConfig, ConfigError> {
    let file: ConfigFile = parse_yaml(&src)?;
    for (field, column) in &file.columns {
        if schema.field(field).is_none() {
            let help = crate::suggest::did_you_mean(field, schema.names())
                .map(|s| format!("did you mean `{s}`?"))
                .or_else(|| Some(format!("the schema `{}` has no such field", schema.name)));
            return Err(ConfigError::invalid(
                &src,
                format!("`columns` maps unknown field `{field}`"),
                find_key(&src, field),
                help,
            ));
        }
        if column.trim().is_empty() {
            return Err(ConfigError::invalid(
                &src,
                format!("field `{field}` is mapped to an empty column name"),
                find_key(&src, field),
                None,
            ));
        }
    }
    let date_format = match file.formats.date.as_deref() {
        None => crate::values::DateLayout::iso(),
        Some(s) => crate::values::DateLayout::named(s).map_err(|e| {
            ConfigError::invalid(
                &src,
                format!("unknown date format `{s}`"),
                find_value(&src, s),
                Some(e.replace(&format!("unknown date layout `{s}`: "), "")),
            )
        })?,
    };
    let window_end = |key: &str, value: &Option<String>| -> Result<Option<Date>, ConfigError> {
        value
            .as_deref()
            .map(|v| {
                Date::parse(v).map_err(|e| {
                    ConfigError::invalid(
                        &src,
                        format!("`{key}`: {e}"),
                        find_value(&src, v),
                        Some("write it YYYY-MM-DD".into()),
                    )
                })
            })
            .transpose()
    };
    let default = *DEFAULT_DATE_WINDOW;
    let earliest = window_end("earliest_date", &file.formats.earliest_date)?;
    let latest = window_end("latest_date", &file.formats.latest_date)?;
    let date_window = match (earliest, latest) {
        (None, None) => None,
        (e, l) => Some((e.unwrap_or(default.0), l.unwrap_or(default.1))),
    };
    if let Some((e, l)) = date_window
        && e > l
    {
        return Err(ConfigError::invalid(&src, format!("`earliest_date` {e} is after `latest_date` {l}"), None, None));
    }
    let decimal_separator = one_char(&src, "decimal_separator", &file.formats.decimal_separator)?.unwrap_or('.');
    if decimal_separator != '.' && decimal_separator != ',' {
        return Err(ConfigError::invalid(
            &src,
            format!("`decimal_separator` must be `.` or `,`, not `{decimal_separator}`"),
            find_key(&src, "decimal_separator"),
            None,
        ));
    }
    let thousands_separator = one_char(&src, "thousands_separator", &file.formats.thousands_separator)?;
    if thousands_separator == Some(decimal_separator) {
        return Err(ConfigError::invalid(
            &src,
            "`thousands_separator` and `decimal_separator` must differ".into(),
            find_key(&src, "thousands_separator"),
            None,
        ));
    }
    let list_separator = one_char(&src, "list_separator", &file.formats.list_separator)?;
    let delimiter = match one_char(&src, "delimiter", &file.csv.delimiter)? {
        None => b',',
        Some(c) if c.is_ascii() && c != '"' && c != '\n' && c != '\r' => c as u8,
        Some(c) => {
            return Err(ConfigError::invalid(
                &src,
                format!("CSV delimiter `{c}` must be one ASCII character other than a quote or line break"),
                find_key(&src, "delimiter"),
                None,
            ));
        }
    };
    let mut on_missing_column = BTreeMap::new();
    for (name, policy) in &file.on_missing_column {
        if schema.field(name).is_none() && schema.group(name).is_none() {
            let help =
                crate::suggest::did_you_mean(name, schema.names().chain(schema.groups.iter().map(|g| g.name.as_str())))
                    .map(|s| format!("did you mean `{s}`?"))
                    .or_else(|| Some(format!("the schema `{}` has no such field or group", schema.name)));
            return Err(ConfigError::invalid(
                &src,
                format!("`on_missing_column` names unknown field `{name}`"),
                find_key(&src, name),
                help,
            ));
        }
        if let Some(f) = schema.field(name).filter(|f| schema.fields[*f].required) {
            return Err(ConfigError::invalid(
                &src,
                format!("`{}` is required: a file without its column cannot be read at all", schema.fields[f].name),
                find_key(&src, name),
                Some("map the column that holds it under `columns`".into()),
            ));
        }
        on_missing_column.insert(name.clone(), missing_column(&src, Some(policy), &format!("`{name}`"))?);
    }
    Ok(InputConfig {
        columns: file.columns,
        date_format,
        decimal_separator,
        thousands_separator,
        list_separator,
        delimiter,
        on_missing_column,
        date_window,
        source: Some(std::sync::Arc::new(src)),
    })
}

// ─────────────────────────── rule-pack manifest ───────────────────────────

/// `cordon.yaml` at the root of a rules directory. Its paths are names
/// relative to the pack root (see [`crate::Sources`]); the folders it names
/// are the only places outside the pack that the pack may read.
#[derive(Debug, Clone)]
pub struct PackManifest {
    /// Pack name.
    pub name: Option<String>,
    /// The record schemas the rules are written for, combined into one:
    /// each a schema file by name, or a shipped schema (`standard`,
    /// `payment`); with the name as written (used in fingerprints).
    pub schemas: Vec<(String, String)>,
    /// Packs inside this one (folders with a manifest of their own) whose
    /// rules and schemas are part of it, by name.
    pub packs: Vec<String>,
    /// Root for data files that sets load (`set X: name from "lists/…"`), by name.
    pub data: Option<String>,
    /// Where sanctions-list snapshots live (default: `lists/` in the data folder), by name.
    pub lists: Option<String>,
    /// Other folders outside the pack that imports and data files may
    /// read from, by name.
    pub roots: Vec<String>,
    /// A labelled screening benchmark (CSV), by name: reports measure
    /// precision and recall on it at the thresholds the rules screen at.
    pub screening_benchmark: Option<String>,
    /// Who stands behind the pack as criteria: version, dates, owner, legal
    /// approval, the instruments it covers and leaves out.
    pub info: PackInfo,
}

/// What a pack's manifest says of it as audit criteria (issue 19, item 5):
/// printed on a report's cover and criteria page. Every field is optional;
/// a report says so where one is missing, never fills it in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PackInfo {
    /// The pack's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its version, as the owner numbers releases.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The day this version was released (YYYY-MM-DD).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub released: Option<String>,
    /// The law as at: the last day of legal changes the rules take into account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub law_as_at: Option<String>,
    /// Who maintains the rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Who approved the rules as a statement of the law (legal review).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    /// When they approved this version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved_on: Option<String>,
    /// The instruments the rules implement, as the owner states them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub covers: Vec<String>,
    /// Instruments and measures the rules do not implement.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excludes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestFile {
    name: Option<String>,
    version: Option<String>,
    released: Option<String>,
    law_as_at: Option<String>,
    owner: Option<String>,
    approved_by: Option<String>,
    approved_on: Option<String>,
    #[serde(default)]
    covers: Vec<String>,
    #[serde(default)]
    excludes: Vec<String>,
    screening_benchmark: Option<String>,
    #[serde(default)]
    schema: OneOrMany,
    #[serde(default)]
    packs: Vec<String>,
    data: Option<String>,
    lists: Option<String>,
    #[serde(default)]
    roots: Vec<String>,
}

/// One name or a list of them.
#[derive(Deserialize, Default)]
#[serde(untagged)]
enum OneOrMany {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::None => Vec::new(),
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

/// Whether a manifest's schema names a shipped schema rather than a file.
pub fn builtin_schema(name: &str) -> Option<(&'static str, &'static str)> {
    BUILTIN_SCHEMAS.iter().find(|(n, _, _)| *n == name).map(|(_, path, text)| (*path, *text))
}

/// Loads a pack manifest (at the pack root).
pub fn load_manifest(src: &SourceFile) -> Result<PackManifest, ConfigError> {
    let m: ManifestFile = parse_yaml(src)?;
    for (key, v) in [("released", &m.released), ("law_as_at", &m.law_as_at), ("approved_on", &m.approved_on)] {
        if let Some(v) = v
            && Date::parse(v).is_err()
        {
            return Err(ConfigError::invalid(
                src,
                format!("`{key}` must be a date (YYYY-MM-DD), not `{v}`"),
                find_value(src, v),
                None,
            ));
        }
    }
    if m.approved_on.is_some() && m.approved_by.is_none() {
        return Err(ConfigError::invalid(
            src,
            "`approved_on` without `approved_by`: say who approved the rules".into(),
            find_value(src, m.approved_on.as_deref().unwrap_or_default()),
            None,
        ));
    }
    let info = PackInfo {
        name: m.name.clone(),
        version: m.version,
        released: m.released,
        law_as_at: m.law_as_at,
        owner: m.owner,
        approved_by: m.approved_by,
        approved_on: m.approved_on,
        covers: m.covers,
        excludes: m.excludes,
    };
    let name = |s: &String| crate::sources::normalize(s);
    let schemas = m
        .schema
        .into_vec()
        .into_iter()
        .map(|s| (if builtin_schema(&s).is_some() { s.clone() } else { name(&s) }, s))
        .collect();
    Ok(PackManifest {
        name: m.name,
        schemas,
        packs: m.packs.iter().map(name).collect(),
        data: m.data.as_ref().map(name),
        lists: m.lists.as_ref().map(name),
        roots: m.roots.iter().map(name).collect(),
        screening_benchmark: m.screening_benchmark.as_ref().map(name),
        info,
    })
}

// ─────────────────────────── API keys ───────────────────────────

/// What an API key of `cordon serve` may do.
pub const API_ROLES: [&str; 3] = ["check", "report", "admin"];

/// An API key of `cordon serve`: a name for people, the SHA-256 of the key
/// (the key itself is never stored), and what it may do.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiKey {
    /// Who or what holds it.
    pub name: String,
    /// The SHA-256 of the key, in hex (`printf %s KEY | sha256sum`).
    pub sha256: String,
    /// `check`, `report`, `admin`.
    pub roles: Vec<String>,
}

/// Reads the API keys file of `cordon serve`: a list of keys, each checked
/// (a well-formed hash, known roles, names unique).
pub fn load_api_keys(src: &SourceFile) -> Result<Vec<ApiKey>, ConfigError> {
    let keys: Vec<ApiKey> = parse_yaml(src)?;
    for (i, k) in keys.iter().enumerate() {
        let bad = |msg: String, at: &str| ConfigError::invalid(src, msg, find_value(src, at), None);
        if k.sha256.len() != 64 || !k.sha256.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()) {
            return Err(bad(
                format!("key `{}`: `sha256` must be 64 lowercase hex digits (`printf %s KEY | sha256sum`)", k.name),
                &k.sha256,
            ));
        }
        if let Some(r) = k.roles.iter().find(|r| !API_ROLES.contains(&r.as_str())) {
            return Err(bad(format!("key `{}`: unknown role `{r}` (roles are check, report, admin)", k.name), r));
        }
        if keys[..i].iter().any(|o| o.name == k.name) {
            return Err(bad(format!("key name `{}` is given twice", k.name), &k.name));
        }
    }
    Ok(keys)
}

// ─────────────────────────── list sources ───────────────────────────

/// `sources.yaml` in a lists folder: where `cordon lists update` downloads
/// each list from.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct SourcesFile {
    #[serde(default)]
    lists: indexmap::IndexMap<String, Option<SourceEntry>>,
}

/// One list in `sources.yaml`; for a list Cordon knows (`UN_SC`,
/// `OFAC_SDN`, `OPENSANCTIONS`) every key may be left out.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct SourceEntry {
    format: Option<String>,
    url: Option<String>,
    #[serde(default)]
    urls: Vec<String>,
    enabled: Option<bool>,
}

/// Reads `sources.yaml` of a lists folder: the lists Cordon knows
/// ([`crate::sources::update::defaults`]) with the file's settings over
/// them, then the lists only the file names, in its order. A list the file
/// names is updated by `cordon lists update` unless `enabled: false`.
/// Every source is checked (HTTPS, OFAC file names) before anything is
/// downloaded.
pub fn load_list_sources(src: &SourceFile) -> Result<Vec<crate::sources::update::ListSource>, ConfigError> {
    use crate::lists::import::Format;
    use crate::sources::update::{ListSource, check_source, defaults};
    let file: SourcesFile = if src.text.trim().is_empty() { SourcesFile::default() } else { parse_yaml(src)? };
    let mut out = defaults();
    let formats = || Format::ALL.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ");
    for (name, entry) in file.lists {
        let entry = entry.unwrap_or_default();
        let at_key = || find_key(src, &name);
        if !crate::lists::store::valid_name(&name) {
            return Err(ConfigError::invalid(
                src,
                format!("`{name}` is not a list name"),
                at_key(),
                Some("use letters, digits and `_` (e.g. `UN_SC`, `OFAC_SDN`)".into()),
            ));
        }
        let known = out.iter().position(|s| s.name == name);
        let format = match &entry.format {
            Some(f) => Some(Format::from_name(f).ok_or_else(|| {
                ConfigError::invalid(
                    src,
                    format!("list `{name}`: unknown format `{f}`"),
                    find_value(src, f),
                    Some(format!("formats: {}", formats())),
                )
            })?),
            None => None,
        };
        if entry.url.is_some() && !entry.urls.is_empty() {
            return Err(ConfigError::invalid(
                src,
                format!("list `{name}` has both `url` and `urls`"),
                at_key(),
                Some("give one file as `url`, several (OFAC's sdn.csv, alt.csv …) as `urls`".into()),
            ));
        }
        let urls: Vec<String> = entry.url.into_iter().chain(entry.urls).collect();
        let base = known.and_then(|i| out.get(i)).cloned();
        let source = match (base, format) {
            (Some(b), Some(f)) if f != b.format && urls.is_empty() => {
                return Err(ConfigError::invalid(
                    src,
                    format!("list `{name}` is read as `{f}` but has no `url` of its own"),
                    at_key(),
                    Some(format!("the default URL serves `{}`: give the URL of the `{f}` file", b.format)),
                ));
            }
            (Some(b), f) => ListSource {
                name: name.clone(),
                format: f.unwrap_or(b.format),
                urls: if urls.is_empty() { b.urls } else { urls },
                enabled: entry.enabled.unwrap_or(true),
            },
            (None, None) => {
                return Err(ConfigError::invalid(
                    src,
                    format!("list `{name}` has no `format`"),
                    at_key(),
                    Some(format!("formats: {}", formats())),
                ));
            }
            (None, Some(f)) if urls.is_empty() => {
                return Err(ConfigError::invalid(
                    src,
                    format!("list `{name}` has no `url`"),
                    at_key(),
                    Some(format!("give the URL of its `{f}` file (`url: https://…`)")),
                ));
            }
            (None, Some(f)) => {
                ListSource { name: name.clone(), format: f, urls, enabled: entry.enabled.unwrap_or(true) }
            }
        };
        if let Err(p) = check_source(&source) {
            let span = p.url.as_deref().and_then(|u| find_value(src, u)).or_else(at_key);
            return Err(ConfigError::invalid(src, format!("list `{name}`: {}", p.message), span, Some(p.help)));
        }
        match known {
            Some(i) => out[i] = source,
            None => out.push(source),
        }
    }
    Ok(out)
}

// ─────────────────────────── YAML data files ───────────────────────────

/// Reads a YAML data file for a set: a list of scalars, or a list of
/// mappings from column name to scalar. Returns rows of column → text; a list
/// of scalars gives rows with the single column `value`.
pub fn load_yaml_rows(src: &SourceFile) -> Result<Vec<BTreeMap<String, String>>, ConfigError> {
    let value: serde_yaml::Value = parse_yaml(src)?;
    let serde_yaml::Value::Sequence(items) = value else {
        return Err(ConfigError::invalid(
            src,
            "a YAML data file must be a list".into(),
            Some((0, 0).into()),
            Some("write one `- entry` per line, or `- {name: …, ref: …}` mappings".into()),
        ));
    };
    let mut rows = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let mut row = BTreeMap::new();
        match item {
            serde_yaml::Value::Mapping(m) => {
                for (k, v) in m {
                    let (Some(k), Some(v)) = (scalar(k), scalar(v)) else {
                        return Err(ConfigError::invalid(
                            src,
                            format!("entry {} has a value that is not text or a number", i + 1),
                            None,
                            None,
                        ));
                    };
                    row.insert(k, v);
                }
            }
            other => match scalar(other) {
                Some(v) => {
                    row.insert("value".to_string(), v);
                }
                None => {
                    return Err(ConfigError::invalid(
                        src,
                        format!("entry {} is a nested list; entries are text or mappings", i + 1),
                        None,
                        None,
                    ));
                }
            },
        }
        rows.push(row);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(text: &str) -> SourceFile {
        SourceFile::new("test.yaml", "test.yaml", text)
    }

    #[test]
    fn list_sources_are_the_defaults_with_the_file_over_them() {
        use crate::lists::import::Format;
        let all = load_list_sources(&src("")).unwrap();
        assert_eq!(all, crate::sources::update::defaults());
        let text = "lists:\n  UN_SC:\n    url: http://127.0.0.1:8000/consolidated.xml\n  OPENSANCTIONS:\n  OFAC_SDN:\n    enabled: false\n  EU_FSF:\n    format: un-xml\n    url: https://mirror.example.org/eu.xml\n";
        let all = load_list_sources(&src(text)).unwrap();
        let names: Vec<(&str, bool)> = all.iter().map(|s| (s.name.as_str(), s.enabled)).collect();
        assert_eq!(names, [("UN_SC", true), ("OFAC_SDN", false), ("OPENSANCTIONS", true), ("EU_FSF", true)]);
        assert_eq!(all[0].urls, ["http://127.0.0.1:8000/consolidated.xml"]);
        assert_eq!(all[1].urls.len(), 4, "the default URLs stay");
        assert_eq!(all[3].format, Format::UnXml);
        let err = |text: &str| load_list_sources(&src(text)).err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(
            err("lists:\n  UN_SC:\n    url: http://example.org/c.xml\n"),
            "list `UN_SC`: `http://example.org/c.xml`: it is plain http:// to another machine, which anyone on the way can change"
        );
        assert_eq!(err("lists:\n  X:\n    url: https://h/x.xml\n"), "list `X` has no `format`");
        assert_eq!(err("lists:\n  X:\n    format: un-xml\n"), "list `X` has no `url`");
        assert_eq!(err("lists:\n  X:\n    format: xls\n    url: https://h/x\n"), "list `X`: unknown format `xls`");
        assert_eq!(
            err("lists:\n  UN_SC:\n    format: ftm\n"),
            "list `UN_SC` is read as `ftm` but has no `url` of its own"
        );
        assert_eq!(err("lists:\n  ../x:\n    format: ftm\n"), "`../x` is not a list name");
        assert!(err("lists:\n  UN_SC:\n    url: https://h/a.xml\n    urls: [https://h/b.xml]\n").contains("both"));
        assert!(err("lists:\n  UN_SC:\n    uri: https://h/a.xml\n").contains("unknown field `uri`"));
        assert!(
            err("lists:\n  OFAC_SDN:\n    urls: [https://h/sdn.csv, https://h/names.csv]\n")
                .contains("cannot tell which OFAC file")
        );
    }

    /// The fuzzer's hang: an empty field name under `columns` is an error,
    /// found at once (the search for an empty key never advanced).
    #[test]
    fn an_empty_field_name_is_an_error_not_a_hang() {
        let Err(e) = load_config(src("columns:\n  \"\": TxnRef\n"), &standard_schema()) else {
            panic!("an empty field name is refused")
        };
        assert!(e.to_string().contains("unknown field ``"), "{e}");
        assert!(find_key(&src("a: 1\n"), "").is_none());
    }

    /// YAML nested deeper than the limit is refused before it is parsed,
    /// with the file and line; brackets in quotes, comments and block
    /// scalars do not count (red team H3).
    #[test]
    fn yaml_nested_too_deep_is_refused_before_parsing() {
        let deep = |n: usize| format!("columns:\n  id: {}1{}\n", "{a: ".repeat(n), "}".repeat(n));
        let e = load_config(SourceFile::new("config.yaml", "config.yaml", deep(40_000)), &standard_schema())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!(e, "`config.yaml` nests deeper than 128 levels at line 2");
        assert!(yaml_too_deep(&format!("a: {}1{}", "[".repeat(200), "]".repeat(200))).is_some());
        assert!(yaml_too_deep(&format!("a: {}1{}", "[".repeat(120), "]".repeat(120))).is_none());
        // Block collections are left to the reader (linear in their depth).
        assert!(yaml_too_deep(&format!("{}x\n", "- ".repeat(200))).is_none());
        // Not collections: quoted scalars, comments, block scalars, plain text.
        let many = "{[".repeat(300);
        for text in [
            format!("a: '{many}'\n"),
            format!("a: 'it''s {many}'\nb: 1\n"),
            format!("a: \"{many} \\\" {many}\"\n"),
            format!("a: 1 # {many}\n"),
            format!("# {many}\na: 1\n"),
            format!("a: |\n  {many}\n  '\n\n  {many}\nb: 1\n"),
            format!("- >-\n    {many}\n- x\n"),
            format!("a: x{many}\n"),
            format!("a: [\"{many}\", '{many}', {{b: \"{many}\"}}]\n"),
        ] {
            assert_eq!(yaml_too_deep(&text), None, "{text}");
        }
        // After a quoted scalar or a block scalar, nesting counts again.
        assert!(yaml_too_deep(&format!("a: 'x'\nb: {}\n", "[".repeat(200))).is_some());
        assert!(yaml_too_deep(&format!("a: |\n  text\nb: {}\n", "[".repeat(200))).is_some());
        // The shipped YAML files are far from the limit.
        for (name, text) in [("trade-transaction.yaml", STANDARD_SCHEMA), ("payment.yaml", PAYMENT_SCHEMA)] {
            assert_eq!(yaml_too_deep(text), None, "{name}");
        }
        // `run_files` reads through the same check: a deep config has none.
        assert_eq!(
            run_files(&SourceFile::new("c.yaml", "c.yaml", format!("licences: l.yaml\n{}", deep(500)))),
            RunFiles::default()
        );
    }

    #[test]
    fn config_maps_columns_and_formats() {
        let schema = crate::config::standard_schema();
        let c = load_config(
            src("columns:\n  id: TxnRef\n  hs_code: HS\nformats:\n  date: DD/MM/YYYY\n  decimal_separator: \",\"\n  thousands_separator: \".\"\ncsv:\n  delimiter: \";\"\n"),
            &schema,
        )
        .unwrap();
        assert_eq!(c.column_for("id"), "TxnRef");
        assert_eq!(c.column_for("origin"), "origin");
        assert_eq!(c.date_format.name(), "DD/MM/YYYY");
        assert_eq!(c.decimal_separator, ',');
        assert_eq!(c.delimiter, b';');
    }

    #[test]
    fn dates_are_real_and_plausible_and_the_window_is_the_configs() {
        let schema = crate::config::standard_schema();
        let standard = InputConfig::standard();
        assert!(standard.read_date("2018-05-01").is_ok());
        for null in ["1899-12-30", "1900-01-01", "1970-01-01", "0001-01-01"] {
            assert!(standard.read_date(null).unwrap_err().contains("not a real date"), "{null}");
        }
        assert!(standard.read_date("1989-12-31").unwrap_err().contains("outside the plausible dates"));
        let next_year = Date::today().add_years(1);
        assert!(standard.read_date(&next_year.to_string()).is_ok());
        assert!(standard.read_date(&next_year.next_day().to_string()).is_err());
        let wide =
            load_config(src("formats:\n  earliest_date: 1980-01-01\n  latest_date: 2100-12-31\n"), &schema).unwrap();
        assert!(wide.read_date("1985-06-01").is_ok() && wide.read_date("2099-01-01").is_ok());
        assert!(wide.read_date("1970-01-01").is_err(), "a null placeholder is never a date");
        let e = load_config(src("formats:\n  earliest_date: 2020-01-01\n  latest_date: 2010-01-01\n"), &schema);
        assert!(e.unwrap_err().to_string().contains("is after `latest_date`"));
        assert!(load_config(src("formats:\n  earliest_date: 1 Jan 1980\n"), &schema).is_err());
    }

    #[test]
    fn config_rejects_unknown_field_with_suggestion() {
        let schema = crate::config::standard_schema();
        let err = load_config(src("columns:\n  hscode: HS\n"), &schema).unwrap_err();
        let ConfigError::Invalid { message, help, span, .. } = err else { panic!("wrong error") };
        assert_eq!(message, "`columns` maps unknown field `hscode`");
        assert_eq!(help.as_deref(), Some("did you mean `hs_code`?"));
        assert_eq!(span.unwrap().offset(), 11);
    }

    #[test]
    fn config_rejects_unknown_keys_with_location() {
        let schema = crate::config::standard_schema();
        let err = load_config(src("colums:\n  id: X\n"), &schema).unwrap_err();
        assert!(err.to_string().contains("unknown field `colums`"), "{err}");
    }

    #[test]
    fn yaml_rows_accept_scalars_and_mappings() {
        let rows = load_yaml_rows(&src("- KP\n- {name: A, ref: X1}\n")).unwrap();
        assert_eq!(rows[0]["value"], "KP");
        assert_eq!(rows[1]["ref"], "X1");
        assert!(load_yaml_rows(&src("a: b\n")).is_err());
    }
}

// ─────────────────────────── reviewed matches ───────────────────────────

/// One reviewed screening match in a reviewed-matches file: a person looked
/// at this name against this list entry and cleared it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewedMatch {
    /// The screened name, as it appears in records.
    pub name: String,
    /// The list (`UN_SC`).
    pub list: String,
    /// The list entry's reference (`KPe.025`).
    #[serde(rename = "ref")]
    pub reference: String,
    /// The entry's content hash when it was reviewed (`cordon screen` prints it).
    pub entry_hash: String,
    /// Who reviewed it.
    pub reviewer: String,
    /// Why it is not a match.
    pub reason: String,
    /// When (YYYY-MM-DD); never after the day it is read.
    pub date: String,
    /// A second person who approved it: needed for a match scoring 0.95 or more.
    #[serde(default)]
    pub approved_by: Option<String>,
    /// The one record (by id) it clears; every record with the name when absent.
    #[serde(default)]
    pub record: Option<String>,
    /// The last day it applies (YYYY-MM-DD); after it the match is reviewed again.
    #[serde(default)]
    pub expires: Option<String>,
    /// Line in the file, for messages (filled in when read).
    #[serde(skip)]
    pub line: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReviewedFile {
    #[serde(default)]
    cleared: Vec<ReviewedMatch>,
}

/// Reads a reviewed-matches file (`cleared:` followed by a list of matches).
/// Every entry must name its reviewer, reason and a valid date.
pub fn load_reviewed(src: &SourceFile) -> Result<Vec<ReviewedMatch>, ConfigError> {
    let file: ReviewedFile =
        if src.text.trim().is_empty() { ReviewedFile { cleared: Vec::new() } } else { parse_yaml(src)? };
    let mut out = file.cleared;
    // Lines of the `- name:` items, in order, for messages.
    let item_lines: Vec<u64> = src
        .text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("- "))
        .map(|(i, _)| i as u64 + 1)
        .collect();
    for (i, m) in out.iter_mut().enumerate() {
        m.line = item_lines.get(i).copied().unwrap_or(0);
        let blank = [
            ("name", &m.name),
            ("list", &m.list),
            ("ref", &m.reference),
            ("entry_hash", &m.entry_hash),
            ("reviewer", &m.reviewer),
            ("reason", &m.reason),
        ]
        .into_iter()
        .find(|(_, v)| v.trim().is_empty());
        if let Some((key, _)) = blank {
            return Err(ConfigError::invalid(
                src,
                format!("cleared match {} (line {}) has an empty `{key}`", i + 1, m.line),
                find_key(src, key),
                Some("a cleared match records name, list, ref, entry_hash, reviewer, reason and date".into()),
            ));
        }
        let Ok(date) = crate::values::Date::parse(&m.date) else {
            return Err(ConfigError::invalid(
                src,
                format!("cleared match {} (line {}) has `date: {}`, which is not a date", i + 1, m.line, m.date),
                find_value(src, &m.date),
                Some("write the review date as YYYY-MM-DD".into()),
            ));
        };
        // A clearance dated in the future cannot have been made (the
        // auditor's probe: one dated 2030 turned a designated match into a pass).
        if date > crate::values::Date::today() {
            return Err(ConfigError::invalid(
                src,
                format!("cleared match {} (line {}) is dated {}, after today", i + 1, m.line, m.date),
                find_value(src, &m.date),
                Some("a clearance is dated the day it was made".into()),
            ));
        }
        if let Some(e) = &m.expires
            && crate::values::Date::parse(e).is_err()
        {
            return Err(ConfigError::invalid(
                src,
                format!("cleared match {} (line {}) has `expires: {e}`, which is not a date", i + 1, m.line),
                find_value(src, e),
                Some("write the last day it applies as YYYY-MM-DD".into()),
            ));
        }
        if let Some(a) = &m.approved_by {
            let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
            if a.trim().is_empty() || norm(a) == norm(&m.reviewer) {
                return Err(ConfigError::invalid(
                    src,
                    format!("cleared match {} (line {}) is approved by `{a}`, its own reviewer", i + 1, m.line),
                    find_value(src, a),
                    Some("the approver must be another person than the reviewer".into()),
                ));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod standard_schema_tests {
    use super::*;
    use crate::schema::Scalar;

    #[test]
    fn standard_schema_loads() {
        let s = standard_schema();
        assert_eq!(s.fields.len(), 41);
        for f in ["eccn", "export_country", "contract_date", "provider_jurisdiction", "flow", "end_use"] {
            assert!(s.field(f).is_some_and(|i| !s.fields[i].required), "{f}");
        }
        assert_eq!(s.fields[s.field("eccn").unwrap()].ty, FieldType::List(Scalar::from_name("eccn").unwrap()));
        assert_eq!(s.fields[s.date].name, "date");
        assert_eq!(s.fields[s.key].name, "id");
        let route = s.field("route").unwrap();
        assert_eq!(s.fields[route].ty, FieldType::List(Scalar::from_name("country").unwrap()));
        assert!(s.fields[s.field("hs_code").unwrap()].required);
        assert!(!s.fields[s.field("license").unwrap()].required);
        let parties = &s.groups[s.group("parties").unwrap()];
        assert_eq!(parties.members.len(), 10);
        assert_eq!(parties.scalar, Scalar::STRING);
        assert_eq!(s.role(crate::schema::Role::Goods), s.field("hs_code"));
        assert_eq!(s.role(crate::schema::Role::Licence), s.field("license"));
        let qty = &s.fields[s.field("quantity").unwrap()];
        assert_eq!(qty.unit_field, s.field("unit"));
        assert_eq!(s.fields[s.field("vessel_name").unwrap()].on_missing_column, MissingColumn::Skip);
        assert_eq!(s.fields[s.field("description").unwrap()].on_missing_column, MissingColumn::Review);
    }

    #[test]
    fn payment_schema_loads_without_goods() {
        let s = payment_schema();
        assert_eq!(s.fields[s.date].name, "value_date");
        assert!(s.field("hs_code").is_none());
        assert_eq!(s.role(crate::schema::Role::Value), s.field("amount"));
        let parties = &s.groups[s.group("parties").unwrap()];
        assert_eq!(parties.members.len(), 7);
        for f in ["debtor", "creditor", "debtor_agent", "creditor_agent", "intermediary_agent", "ultimate_debtor"] {
            assert!(s.field(f).is_some(), "{f}");
        }
    }

    fn src(name: &str, text: &str) -> SourceFile {
        SourceFile::new(name, "", text)
    }

    const EXT: &str =
        "extends: standard\nfields:\n  - name: transport_mode\n    type: string\n    values: [sea, pipeline]\n";

    #[test]
    fn a_schema_extends_the_standard_one_with_its_own_fields() {
        let s = load_schema(&src("pc/fields.yaml", EXT)).unwrap();
        assert_eq!(s.fields.len(), standard_schema().fields.len() + 1);
        let t = &s.fields[s.field("transport_mode").unwrap()];
        assert_eq!(t.values, vec!["sea".to_string(), "pipeline".to_string()]);
        assert_eq!(s.fields[s.key].name, "id");
    }

    #[test]
    fn redeclaring_a_standard_field_names_the_schema_that_has_it() {
        let e = load_schema(&src("x.yaml", "extends: standard\nfields:\n  - name: origin\n    type: string\n"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("`origin` is declared by `seeds/schema/trade-transaction.yaml`"), "{e}");
        let e = load_schema(&src("x.yaml", "extends: standrd\n")).unwrap_err().to_string();
        assert!(e.contains("unknown schema `standrd`"), "{e}");
    }

    #[test]
    fn packs_schemas_combine_and_a_conflict_names_both_files() {
        let a = src("a/fields.yaml", EXT);
        let b = src("b/fields.yaml", "extends: standard\nfields:\n  - name: price_basis\n    type: string\n");
        let s = load_schemas(&[&a, &b]).unwrap();
        assert!(s.field("transport_mode").is_some() && s.field("price_basis").is_some());
        // The same field declared the same way by two packs is one field.
        let s = load_schemas(&[&a, &a]).unwrap();
        assert_eq!(s.fields.iter().filter(|f| f.name == "transport_mode").count(), 1);
        let c = src("c/fields.yaml", "extends: standard\nfields:\n  - name: transport_mode\n    type: country\n");
        let e = load_schemas(&[&a, &c]).unwrap_err().to_string();
        assert!(
            e.contains("`transport_mode` is declared differently by `a/fields.yaml` and by `c/fields.yaml`"),
            "{e}"
        );
        let p = src("p.yaml", "extends: payment\n");
        let e = load_schemas(&[&a, &p]).unwrap_err().to_string();
        assert!(e.contains("date field"), "{e}");
    }

    #[test]
    fn values_are_only_for_text_fields() {
        let e = load_schema(&src(
            "x.yaml",
            "extends: standard\nfields:\n  - name: n\n    type: decimal\n    values: [a]\n",
        ))
        .unwrap_err()
        .to_string();
        assert!(e.contains("`values` is for text fields"), "{e}");
    }
}
