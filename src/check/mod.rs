//! Static checks: every name resolved, every expression typed, every code,
//! date and number in the rules parsed, before any record is read. All
//! problems of a run are collected; none stops the others from being found.

mod aggregate;
mod data;
pub mod display;
mod error;
pub mod ir;
pub mod lints;
mod pack;
mod rule;
mod table;
mod typeck;

pub use error::{CheckError, CheckErrorKind};
pub use ir::*;
pub use lints::{Lint, LintKind};
pub use pack::{Pack, PackFile};

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::schema::Scalar;
use crate::source::{SourceFile, Span, sha256_hex};
use crate::sources::Sources;
use crate::syntax::ast::{self, ExprKind, Item, SetBody, SetItem};
use crate::values::kind::Matching;
use crate::values::{Date, Value, parse_decimal};

/// Largest number of codes one range (`50..63`) may expand to.
pub const MAX_RANGE: u64 = 1000;

/// Checks a parsed pack and produces the checked rule set with its lint
/// warnings, or every problem found. Data files and list snapshots are read
/// through `sources`.
pub fn check(pack: &Pack, sources: &dyn Sources) -> Result<(RuleSet, Vec<Lint>), Vec<CheckError>> {
    let mut c = Checker::new(pack, sources);
    c.collect_declarations();
    c.build_sets();
    c.build_consts();
    c.build_scopes();
    c.build_rules();
    if !c.errors.is_empty() {
        // Report in reading order: by file, then by position.
        c.errors.sort_by(|a, b| (a.src.name(), a.span.start).cmp(&(b.src.name(), b.span.start)));
        return Err(c.errors);
    }
    let consts: Vec<(String, usize, Span, bool)> = c
        .names
        .iter()
        .flat_map(|(name, ds)| ds.iter().map(move |d| (name, d)))
        .filter_map(|(name, (decl, file, span))| match decl {
            Decl::Const(id) => Some((name.clone(), *file, *span, c.consts[*id].used)),
            Decl::Set(_) => None,
        })
        .collect();
    let rules = c.finish();
    let warnings = lints::lint(&rules, &lints::Usage { consts });
    Ok((rules, warnings))
}

/// A declared name, and the file that declares it.
#[derive(Clone, Copy)]
enum Decl {
    Set(SetId),
    Const(usize),
}

struct ConstDef {
    lit: Option<Lit>,
    used: bool,
}

struct Checker<'p> {
    pack: &'p Pack,
    sources: &'p dyn Sources,
    errors: Vec<CheckError>,
    /// name → each (declaration, declaring file, span of the name); one per
    /// scope (the pack, and each pack it includes).
    names: HashMap<String, Vec<(Decl, usize, Span)>>,
    sets: Vec<SetDef>,
    consts: Vec<ConstDef>,
    regimes: BTreeMap<String, Regime>,
    /// Regime of each file, if it declares one.
    file_regime: Vec<Option<String>>,
    rules: Vec<Rule>,
    data_inputs: Vec<ir::Fingerprint>,
    /// Sanctions lists used so far, and every name looked up (`None`: reported missing).
    lists: Vec<ListRef>,
    list_ids: HashMap<String, Option<ListId>>,
    /// The sets that are lookup tables (`table NAME from …`).
    table_ids: Vec<SetId>,
}

impl<'p> Checker<'p> {
    fn new(pack: &'p Pack, sources: &'p dyn Sources) -> Self {
        Checker {
            pack,
            sources,
            errors: Vec::new(),
            names: HashMap::new(),
            sets: Vec::new(),
            consts: Vec::new(),
            regimes: BTreeMap::new(),
            file_regime: vec![None; pack.files.len()],
            rules: Vec::new(),
            data_inputs: Vec::new(),
            lists: Vec::new(),
            list_ids: HashMap::new(),
            table_ids: Vec::new(),
        }
    }

    /// Resolves a list name to its snapshot, loading it on first use. The
    /// fingerprint is of the bytes parsed.
    fn list(&mut self, file: usize, name: &ast::Ident) -> Option<ListId> {
        if let Some(id) = self.list_ids.get(&name.name) {
            return *id;
        }
        let src = self.src(file);
        let id = match self.load_list(&name.name) {
            Ok((label, sha256, snapshot)) => {
                let fingerprint = ir::Fingerprint { path: label.clone(), sha256: sha256.clone(), kind: "list" };
                let list = ListRef::new(name.name.clone(), label, Arc::new(snapshot));
                let index_file = crate::sources::under(&self.pack.lists_root, &format!("{}.index", name.name));
                if let Ok(bytes) = self.sources.read(&index_file, crate::sources::MAX_DATA_FILE_BYTES)
                    && let Ok(mut stored) = list.stored.lock()
                {
                    *stored = Some((crate::screen::persist::index_key_of(&sha256), bytes));
                }
                self.data_inputs.push(fingerprint);
                self.lists.push(list);
                Some(self.lists.len() - 1)
            }
            Err((msg, help)) => {
                self.err(CheckError::new(CheckErrorKind::List, src, name.span, msg).label("no such list").help(help));
                None
            }
        };
        self.list_ids.insert(name.name.clone(), id);
        id
    }

    /// Reads and parses a list snapshot: its label (relative to the data
    /// folder), the SHA-256 of its bytes and the snapshot; or a message and
    /// advice.
    fn load_list(&self, list: &str) -> Result<(String, String, crate::lists::Snapshot), (String, String)> {
        use crate::lists::store;
        let reimport = || "re-import the list with `cordon lists import`".to_string();
        if !store::valid_name(list) {
            return Err((store::StoreError::BadName(list.to_string()).to_string(), reimport()));
        }
        let root = &self.pack.lists_root;
        let name = crate::sources::under(root, &format!("{list}.json"));
        let shown = self.sources.display_name(&name);
        let bytes = match self.sources.read(&name, crate::sources::MAX_DATA_FILE_BYTES) {
            Ok(b) => b,
            Err(e) if e.is_not_found() => {
                let mut names: Vec<String> = self
                    .sources
                    .list_folder(root)
                    .iter()
                    .filter_map(|f| f.strip_suffix(".json"))
                    .filter(|n| store::valid_name(n))
                    .map(str::to_string)
                    .collect();
                names.sort();
                let help = if names.is_empty() {
                    "import one with `cordon lists import FILE --as NAME`".to_string()
                } else {
                    format!("lists here: {}", names.join(", "))
                };
                let msg = format!("unknown list `{list}`: no snapshot in `{}`", self.sources.display_name(root));
                return Err((msg, help));
            }
            Err(e) => return Err((format!("cannot read `{shown}`: {e}"), reimport())),
        };
        let snapshot =
            store::from_bytes(&bytes, std::path::Path::new(&shown)).map_err(|e| (e.to_string(), reimport()))?;
        let data = &self.pack.data_root;
        let label = match name.strip_prefix(data.as_str()) {
            Some(rest) if data.is_empty() => rest.to_string(),
            Some(rest) if rest.starts_with('/') => rest[1..].to_string(),
            _ => shown,
        };
        Ok((label, sha256_hex(&bytes), snapshot))
    }

    /// Where the data files of a rule file's sets and tables are found.
    fn data_ctx(&self, fi: usize) -> data::Ctx<'p> {
        data::Ctx {
            src: self.src(fi),
            file: &self.pack.files[fi].rel,
            data_root: &self.pack.data_root,
            roots: &self.pack.roots,
            sources: self.sources,
        }
    }

    fn src(&self, file: usize) -> &'p SourceFile {
        &self.pack.files[file].source
    }

    fn err(&mut self, e: CheckError) {
        self.errors.push(e);
    }

    /// First pass: regimes, and the names of sets and constants (so that
    /// order of declaration within and across files does not matter).
    fn collect_declarations(&mut self) {
        let mut regime_body: HashMap<String, (usize, Span)> = HashMap::new();
        for (fi, f) in self.pack.files.iter().enumerate() {
            for item in &f.ast.items {
                match item {
                    Item::Regime(r) => {
                        if let Some(prev) = &self.file_regime[fi] {
                            let prev = prev.clone();
                            self.err(
                                CheckError::new(
                                    CheckErrorKind::Regime,
                                    &f.source,
                                    r.name.span,
                                    format!("this file already belongs to regime `{prev}`"),
                                )
                                .help("a rule file declares one regime; put other regimes' rules in their own files"),
                            );
                            continue;
                        }
                        self.file_regime[fi] = Some(r.name.name.clone());
                        let entry = self.regimes.entry(r.name.name.clone()).or_insert_with(|| Regime {
                            name: r.name.name.clone(),
                            meta: Vec::new(),
                            scope: None,
                        });
                        if let Some(meta) = &r.meta {
                            if let Some((pf, _)) = regime_body.get(&r.name.name) {
                                let other = self.pack.files[*pf].rel.clone();
                                self.errors.push(
                                    CheckError::new(
                                        CheckErrorKind::Regime,
                                        &f.source,
                                        r.name.span,
                                        format!("regime `{}` is described twice", r.name.name),
                                    )
                                    .help(format!("it is described in `{other}` too; other files name it without a body: `regime {}`", r.name.name)),
                                );
                                continue;
                            }
                            regime_body.insert(r.name.name.clone(), (fi, r.span));
                            entry.meta = meta.iter().map(|(k, v)| (k.name.clone(), v.value.clone())).collect();
                        }
                    }
                    Item::Set(s) => {
                        let id = self.sets.len();
                        self.sets.push(SetDef {
                            name: s.name.name.clone(),
                            elem: Scalar::STRING,
                            entries: Vec::new(),
                            decl: Some((fi, s.span)),
                            data_file: None,
                            table: None,
                        });
                        self.declare(&s.name, Decl::Set(id), fi);
                    }
                    // A table is a set of its keys, with a row for each.
                    Item::Table(t) => {
                        let id = self.sets.len();
                        self.sets.push(SetDef {
                            name: t.name.name.clone(),
                            elem: Scalar::STRING,
                            entries: Vec::new(),
                            decl: Some((fi, t.span)),
                            data_file: None,
                            table: None,
                        });
                        self.table_ids.push(id);
                        self.declare(&t.name, Decl::Set(id), fi);
                    }
                    Item::Const(k) => {
                        let id = self.consts.len();
                        self.consts.push(ConstDef { lit: None, used: false });
                        self.declare(&k.name, Decl::Const(id), fi);
                    }
                    Item::Import(_) | Item::Rule(_) => {}
                }
            }
        }
    }

    fn declare(&mut self, name: &ast::Ident, decl: Decl, file: usize) {
        if self.pack.schema.field(&name.name).is_some() || self.pack.schema.group(&name.name).is_some() {
            self.err(
                CheckError::new(
                    CheckErrorKind::DuplicateName,
                    self.src(file),
                    name.span,
                    format!("`{}` is a record field or group and cannot name a set or constant", name.name),
                )
                .help("choose another name; sets are usually written in capitals"),
            );
            return;
        }
        let scope = self.pack.scope_of(file);
        let same_scope = self
            .names
            .get(&name.name)
            .and_then(|ds| ds.iter().find(|(_, f, _)| self.pack.scope_of(*f) == scope).copied());
        if let Some((_, pf, pspan)) = same_scope {
            let mut e = CheckError::new(
                CheckErrorKind::DuplicateName,
                self.src(file),
                name.span,
                format!("`{}` is already defined", name.name),
            )
            .label("defined again here");
            if pf == file {
                e = e.related("first defined here", pspan);
            } else {
                let (line, _) = self.src(pf).line_col(pspan.start);
                e = e.help(format!("first defined in `{}` line {line}", self.pack.files[pf].rel));
            }
            self.err(e);
            return;
        }
        self.names.entry(name.name.clone()).or_default().push((decl, file, name.span));
    }

    /// What a name means in a file: the declaration in its own scope, else
    /// one in a file it imports, else any (for "not imported" errors).
    fn name_for(&self, name: &str, file: usize) -> Option<(Decl, usize, Span)> {
        let ds = self.names.get(name)?;
        let scope = self.pack.scope_of(file);
        let imports = &self.pack.files[file].imports;
        ds.iter()
            .find(|(_, f, _)| self.pack.scope_of(*f) == scope)
            .or_else(|| ds.iter().find(|(_, f, _)| imports.contains(f)))
            .or_else(|| ds.first())
            .copied()
    }

    /// Parses one set element for a set of kind `elem`.
    fn parse_entry(elem: ElemKind, text: &str) -> Result<EntryValue, (CheckErrorKind, String)> {
        match elem.read_rule(text) {
            Ok(Value::Code(c)) => Ok(EntryValue::Code(c)),
            Ok(_) => Ok(EntryValue::Text(match elem.kind().matching() {
                Matching::Text { fold, .. } => fold(text).into_owned(),
                _ => text.to_string(),
            })),
            Err(e) => Err((CheckErrorKind::InvalidValue(elem), e)),
        }
    }

    /// Builds the entries of an inline set literal.
    fn literal_entries(&mut self, file: usize, elem: ElemKind, lit: &ast::SetLiteral) -> Vec<Entry> {
        let src = self.src(file);
        let mut out = Vec::new();
        for (i, item) in lit.items.iter().enumerate() {
            let first = out.len();
            match item {
                SetItem::Code(c) => self.push_entry(src, elem, &c.name, c.span, &mut out),
                SetItem::Str(s) => self.push_entry(src, elem, &s.value, s.span, &mut out),
                SetItem::Range(a, b) => self.range_entries(src, elem, a, b, &mut out),
            }
            let Some(d) = lit.dates.get(i) else { continue };
            let (since, until) = self.item_dates(src, item.span(), d);
            for e in &mut out[first..] {
                e.since = since;
                e.until = until;
            }
        }
        out
    }

    /// The dates of one element: `since` inclusive, `until` exclusive
    /// (`through` is the day before it), the one after the other.
    fn item_dates(&mut self, src: &SourceFile, item: Span, d: &ast::ItemDates) -> (Option<Date>, Option<Date>) {
        let mut read = |text: &str, span: Span| match Date::parse(text) {
            Ok(d) => Some(d),
            Err(e) => {
                self.errors.push(
                    CheckError::new(CheckErrorKind::InvalidDate, src, span, e)
                        .label("not a calendar date")
                        .help("dates are written YYYY-MM-DD, e.g. `2022-03-16`"),
                );
                None
            }
        };
        let since = d.since.as_ref().and_then(|(t, sp)| read(t, *sp));
        let until =
            d.until.as_ref().and_then(|(t, sp, through)| read(t, *sp).map(|u| if *through { u.next_day() } else { u }));
        if let (Some(s), Some(u)) = (since, until)
            && u <= s
        {
            self.err(
                CheckError::new(
                    CheckErrorKind::UntilNotAfterEffective,
                    src,
                    item,
                    format!("this element is never listed: `until` {u} is not after `since` {s}"),
                )
                .help("`since` is the first day listed, `until` the first day no longer listed, `through` the last day listed"),
            );
        }
        (since, until)
    }

    /// The entries of a range (`50..63`), for kinds that have ranges.
    fn range_entries(
        &mut self,
        src: &SourceFile,
        elem: ElemKind,
        a: &ast::Ident,
        b: &ast::Ident,
        out: &mut Vec<Entry>,
    ) {
        let span = a.span.join(b.span);
        let Some(values) = elem.kind().range(elem, &a.name, &b.name, MAX_RANGE) else {
            let help = format!("list the {} one by one", elem.kind().plural());
            let kinds: Vec<&str> = Scalar::all()
                .filter(|k| k.kind().range(*k, "0", "0", 1).is_some())
                .map(|k| k.kind().plural())
                .collect();
            let msg = format!("ranges are only for {}", kinds.join(" and "));
            self.err(CheckError::new(CheckErrorKind::InvalidRange, src, span, msg).help(help));
            return;
        };
        match values {
            Ok(values) => out.extend(values.into_iter().filter_map(|v| match v {
                Value::Code(c) => Some(Entry {
                    value: EntryValue::Code(c),
                    text: c.to_string(),
                    since: None,
                    until: None,
                    reference: None,
                    origin: EntryOrigin::Rule(span),
                }),
                _ => None,
            })),
            Err(msg) => match msg.split_once(": ") {
                Some((m, help)) if msg.contains("is not a usable range") => self.err(
                    CheckError::new(CheckErrorKind::InvalidRange, src, span, m.to_string()).help(help.to_string()),
                ),
                _ => self.err(CheckError::new(CheckErrorKind::InvalidValue(elem), src, span, msg)),
            },
        }
    }

    fn push_entry(&mut self, src: &SourceFile, elem: ElemKind, text: &str, span: Span, out: &mut Vec<Entry>) {
        match Self::parse_entry(elem, text) {
            Ok(value) => out.push(Entry {
                value,
                text: text.to_string(),
                since: None,
                until: None,
                reference: None,
                origin: EntryOrigin::Rule(span),
            }),
            Err((kind, msg)) => {
                let kind = match elem.kind().matching() {
                    Matching::Text { .. } => CheckErrorKind::InvalidProperty,
                    _ => kind,
                };
                let e = CheckError::new(kind, src, span, msg)
                    .label(format!("in a set of {}", elem.kind().plural()))
                    .maybe_help(elem.kind().help(text));
                self.err(e);
            }
        }
    }

    fn build_sets(&mut self) {
        let mut id = 0;
        for fi in 0..self.pack.files.len() {
            let src = self.src(fi);
            for item in &self.pack.files[fi].ast.items {
                let s = match item {
                    Item::Set(s) => s,
                    Item::Table(t) => {
                        self.build_table(fi, id, t);
                        id += 1;
                        continue;
                    }
                    _ => continue,
                };
                let this = id;
                id += 1;
                let Some(elem) = Scalar::from_name(&s.elem_type.name).filter(|k| set_kind(*k)) else {
                    let kinds: Vec<&str> = Scalar::all().filter(|k| set_kind(*k)).map(Scalar::name).collect();
                    let help = crate::suggest::help(
                        &s.elem_type.name,
                        kinds.iter().copied(),
                        &format!("set types are {}", crate::suggest::quoted(kinds.iter().copied())),
                    );
                    self.err(
                        CheckError::new(
                            CheckErrorKind::InvalidSetType,
                            src,
                            s.elem_type.span,
                            format!("unknown set type `{}`", s.elem_type.name),
                        )
                        .help(help),
                    );
                    continue;
                };
                self.sets[this].elem = elem;
                match &s.body {
                    SetBody::Inline(lit) => {
                        let entries = self.literal_entries(fi, elem, lit);
                        self.sets[this].entries = entries;
                    }
                    SetBody::File { path, options } => {
                        let parse = move |t: &str| Self::parse_entry(elem, t).map_err(|(_, m)| m);
                        let ctx = self.data_ctx(fi);
                        if let Some(loaded) = data::load(&ctx, path, options, elem, &parse, &mut self.errors) {
                            self.sets[this].entries = loaded.entries;
                            self.sets[this].data_file = Some(loaded.label.clone());
                            if !self.data_inputs.iter().any(|d| d.path == loaded.label) {
                                self.data_inputs.push(ir::Fingerprint {
                                    path: loaded.label,
                                    sha256: loaded.sha256,
                                    kind: "data",
                                });
                            }
                        }
                    }
                }
            }
        }
    }

    fn build_consts(&mut self) {
        let mut id = 0;
        for fi in 0..self.pack.files.len() {
            let src = self.src(fi);
            for item in &self.pack.files[fi].ast.items {
                let Item::Const(k) = item else { continue };
                let this = id;
                id += 1;
                let lit = match &k.value.kind {
                    ExprKind::Decimal(t) => match parse_decimal(t) {
                        Ok(d) => Some(Lit::Dec(d)),
                        Err(e) => {
                            self.err(CheckError::new(CheckErrorKind::InvalidNumber, src, k.value.span, e));
                            None
                        }
                    },
                    ExprKind::Date(t) => match Date::parse(t) {
                        Ok(d) => Some(Lit::Date(d)),
                        Err(e) => {
                            self.err(CheckError::new(CheckErrorKind::InvalidDate, src, k.value.span, e));
                            None
                        }
                    },
                    ExprKind::Str(s) => Some(Lit::Str(s.clone())),
                    ExprKind::Bool(b) => Some(Lit::Bool(*b)),
                    _ => None,
                };
                self.consts[this].lit = lit;
            }
        }
    }

    /// Each regime's `applies_when`, typed in the file that describes the regime.
    fn build_scopes(&mut self) {
        for fi in 0..self.pack.files.len() {
            let src = self.src(fi);
            for item in &self.pack.files[fi].ast.items {
                let Item::Regime(r) = item else { continue };
                if let Some(extra) = r.scope.get(1) {
                    self.err(
                        CheckError::new(CheckErrorKind::Regime, src, extra.span, "`applies_when` is given twice")
                            .help("join the conditions with `and` or `or`"),
                    );
                    continue;
                }
                let Some(e) = r.scope.first() else { continue };
                if r.meta.is_none() {
                    continue;
                }
                let Some(t) = typeck::condition(self, fi, e) else { continue };
                let text = src.slice(e.span).split_whitespace().collect::<Vec<_>>().join(" ");
                if let Some(reg) = self.regimes.get_mut(&r.name.name) {
                    reg.scope = Some((t, text));
                }
            }
        }
    }

    fn build_rules(&mut self) {
        let mut first_def: HashMap<String, (usize, Span)> = HashMap::new();
        for fi in 0..self.pack.files.len() {
            let src = self.src(fi);
            for item in &self.pack.files[fi].ast.items {
                let Item::Rule(r) = item else { continue };
                if let Some((pf, pspan)) = first_def.get(&r.id.name).copied() {
                    let mut e = CheckError::new(
                        CheckErrorKind::DuplicateRuleId,
                        src,
                        r.id.span,
                        format!("rule id `{}` is used twice", r.id.name),
                    )
                    .label("second rule with this id");
                    if pf == fi {
                        e = e.related("first rule with this id", pspan);
                    } else {
                        let (line, _) = self.src(pf).line_col(pspan.start);
                        e = e.help(format!(
                            "the first is in `{}` line {line}; rule ids must be unique in a rule set",
                            self.pack.files[pf].rel
                        ));
                    }
                    self.err(e);
                } else {
                    first_def.insert(r.id.name.clone(), (fi, r.id.span));
                }
                if let Some(rule) = self.check_rule(fi, r) {
                    self.rules.push(rule);
                }
            }
        }
    }

    fn finish(mut self) -> RuleSet {
        self.rules.sort_by(|a, b| a.id.cmp(&b.id));
        let mut inputs: Vec<ir::Fingerprint> = self
            .pack
            .files
            .iter()
            .map(|f| ir::Fingerprint { path: f.rel.clone(), sha256: f.source.sha256(), kind: "rules" })
            .collect();
        for (label, s) in &self.pack.schema_sources {
            inputs.push(ir::Fingerprint { path: label.clone(), sha256: s.sha256(), kind: "schema" });
        }
        if let Some(b) = &self.pack.benchmark {
            inputs.push(ir::Fingerprint { path: b.file.clone(), sha256: b.sha256.clone(), kind: "benchmark" });
        }
        if let Some(m) = &self.pack.manifest {
            inputs.push(ir::Fingerprint {
                path: crate::sources::MANIFEST.into(),
                sha256: m.sha256(),
                kind: "manifest",
            });
        }
        inputs.append(&mut self.data_inputs);
        // The unit table decides how units read and convert: part of the rule set.
        inputs.push(ir::Fingerprint {
            path: crate::values::unit::TABLE_PATH.to_string(),
            sha256: sha256_hex(crate::values::unit::TABLE_SOURCE.as_bytes()),
            kind: "units",
        });
        // So do the screening tables: how names are normalised and compared.
        for (path, text) in crate::screen::TABLES {
            inputs.push(ir::Fingerprint {
                path: path.to_string(),
                sha256: sha256_hex(text.as_bytes()),
                kind: "screening",
            });
        }
        inputs.sort_by(|a, b| (a.kind, &a.path).cmp(&(b.kind, &b.path)));
        let mut all = String::new();
        for i in &inputs {
            all.push_str(&format!("{} {} {}\n", i.kind, i.path, i.sha256));
        }
        // The shipped schemas are compiled in (a pack may use or extend
        // them); their text is part of the fingerprint too.
        for (name, _, text) in crate::config::BUILTIN_SCHEMAS {
            all.push_str(&format!("schema builtin {name} {}\n", sha256_hex(text.as_bytes())));
        }
        RuleSet {
            schema: Arc::clone(&self.pack.schema),
            regimes: self.regimes.into_values().collect(),
            sets: self.sets,
            rules: self.rules,
            lists: self.lists,
            clearances: Arc::default(),
            sources: self.pack.files.iter().map(|f| Arc::clone(&f.source)).collect(),
            inputs,
            fingerprint: sha256_hex(all.as_bytes()),
            pack_fingerprint: None,
            licences: None,
            pack: self.pack.info.clone(),
            benchmark: self.pack.benchmark.clone(),
        }
    }
}

/// Whether sets may hold values of a kind: those that match (every kind but
/// numbers and dates, which are compared, not looked up).
fn set_kind(k: Scalar) -> bool {
    k != Scalar::DECIMAL && k != Scalar::DATE
}
