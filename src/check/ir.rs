//! The checked rule set: names resolved to field, set and constant values,
//! every expression typed, dates and codes parsed. Compilation and the
//! reference evaluator both start from here.

use std::sync::Arc;

use crate::schema::{FieldId, Scalar, Schema};
use crate::source::{SourceFile, Span};
use crate::values::functions::Function;
use crate::values::{Code, Date, Decimal, Value};

/// Index of a set in [`RuleSet::sets`].
pub type SetId = usize;
/// Index of a sanctions list in [`RuleSet::lists`].
pub type ListId = usize;

/// How severe a finding is. Order matters: `Block` is the most severe.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A person must look at the record.
    Review,
    /// The transaction must not go ahead.
    Block,
}

impl Severity {
    /// `review` or `block`.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Review => "review",
            Severity::Block => "block",
        }
    }

    /// Parses `review` or `block`.
    pub fn from_name(s: &str) -> Option<Severity> {
        match s {
            "review" => Some(Severity::Review),
            "block" => Some(Severity::Block),
            _ => None,
        }
    }
}

/// A rule set that passed every static check.
#[derive(Debug)]
pub struct RuleSet {
    /// The record schema the rules were checked against.
    pub schema: Arc<Schema>,
    /// Regimes, in name order.
    pub regimes: Vec<Regime>,
    /// Named and inline sets.
    pub sets: Vec<SetDef>,
    /// Rules, sorted by id.
    pub rules: Vec<Rule>,
    /// Sanctions-list snapshots the rules screen against, in order of first use.
    pub lists: Vec<ListRef>,
    /// Reviewed screening matches that suppress false positives.
    pub clearances: Arc<crate::screen::reviewed::Clearances>,
    /// Rule files, in path order (index = the `file` of rules and sets).
    pub sources: Vec<Arc<SourceFile>>,
    /// Fingerprints of every rule file and data file, in path order.
    pub inputs: Vec<Fingerprint>,
    /// SHA-256 over all of `inputs`: the fingerprint of the rule set.
    pub fingerprint: String,
    /// The fingerprint before reviewed clearances were applied: the rule
    /// pack's own, which changes only when the rules, data, lists or licence
    /// register do (reports print it, with the clearances file on its own row).
    pub pack_fingerprint: Option<String>,
    /// The firm's licence register, when the run has one, and the rules
    /// its checks report under.
    pub licences: Option<Arc<LicenceChecks>>,
    /// What the pack's manifest says of it as criteria (version, owner,
    /// legal approval, instruments covered and excluded).
    pub pack: crate::config::PackInfo,
    /// The pack's labelled screening benchmark, if it ships one.
    pub benchmark: Option<Arc<crate::screen::benchmark::Benchmark>>,
}

/// The licence register and the four rules its checks report under: the
/// licence cited is unknown; not valid on the transaction date; the
/// shipment is outside its scope; or over its remaining balance.
#[derive(Debug, Clone)]
pub struct LicenceChecks {
    /// The register.
    pub register: crate::licence::Register,
    /// Index of `LICENCE-UNKNOWN`.
    pub unknown: usize,
    /// Index of `LICENCE-NOT-VALID`.
    pub validity: usize,
    /// Index of `LICENCE-SCOPE`.
    pub scope: usize,
    /// Index of `LICENCE-BALANCE`.
    pub balance: usize,
}

/// The rule ids of the licence checks, in order: unknown, not valid, scope, balance.
pub const LICENCE_RULES: [&str; 4] = ["LICENCE-UNKNOWN", "LICENCE-NOT-VALID", "LICENCE-SCOPE", "LICENCE-BALANCE"];

/// A list's stored screening index as read: the key it must carry and its
/// bytes.
pub type StoredIndex = (String, Vec<u8>);

/// A sanctions-list snapshot that rules screen against.
#[derive(Debug, Clone)]
pub struct ListRef {
    /// The list's name (`UN_SC`).
    pub name: String,
    /// The snapshot file, as shown in reports (relative to the data directory).
    pub path: String,
    /// The snapshot.
    pub snapshot: Arc<crate::lists::Snapshot>,
    /// Its screening index, built on first use (checking alone does not need it).
    pub index: Arc<std::sync::OnceLock<crate::screen::ListIndex>>,
    /// The lowest score any rule asks of this list: candidates are found
    /// down to it once per value and shared by every test of that value.
    pub floor: Decimal,
    /// Candidates already found, by value screened.
    pub cache: Arc<crate::screen::ScreenCache>,
    /// The list's stored index (`NAME.index` beside the snapshot, written
    /// by `cordon lists import` and `cordon screen`) with the key it must
    /// carry, until the index is first needed: used if it is this
    /// snapshot's, else the index is built.
    pub stored: Arc<std::sync::Mutex<Option<StoredIndex>>>,
}

impl ListRef {
    /// A list reference to a snapshot.
    pub fn new(name: String, path: String, snapshot: Arc<crate::lists::Snapshot>) -> ListRef {
        ListRef {
            name,
            path,
            snapshot,
            index: Arc::default(),
            floor: Decimal::ONE,
            cache: Arc::default(),
            stored: Arc::default(),
        }
    }

    /// The screening index: the stored one if it is this snapshot's,
    /// otherwise built.
    pub fn index(&self) -> &crate::screen::ListIndex {
        self.index.get_or_init(|| {
            let stored = self.stored.lock().ok().and_then(|mut s| s.take());
            stored
                .and_then(|(key, bytes)| crate::screen::persist::from_bytes(&bytes, &key, Arc::clone(&self.snapshot)))
                .unwrap_or_else(|| crate::screen::ListIndex::new(Arc::clone(&self.snapshot)))
        })
    }
}

/// `licence_valid(license)`: the field citing the licence, and the fields
/// its scope is checked on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenceTest {
    /// The field citing the licence.
    pub licence: FieldId,
    /// The goods' classification.
    pub goods: Option<FieldId>,
    /// The destination.
    pub destination: Option<FieldId>,
    /// The end user.
    pub end_user: Option<FieldId>,
    /// The consignee.
    pub consignee: Option<FieldId>,
}

impl LicenceTest {
    /// The scope fields in the order [`crate::licence::verdict`] names them.
    pub fn scope(&self) -> [Option<FieldId>; 4] {
        [self.goods, self.destination, self.end_user, self.consignee]
    }
}

/// `quantity as bbl [with 1 t = 6.35 bbl]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Convert {
    /// The quantity field.
    pub value: FieldId,
    /// The field holding its unit.
    pub unit: FieldId,
    /// The unit converted into.
    pub target: crate::values::unit::Unit,
    /// A factor between two dimensions, as the rule states it.
    pub factor: Option<crate::values::unit::Factor>,
}

/// `subject matches list NAME [as KIND] [score >= N]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Screen {
    /// The name, or the IMO number, screened.
    pub subject: TExpr,
    /// The list.
    pub list: ListId,
    /// Entry kinds that count; empty means any.
    pub kinds: Vec<crate::lists::Kind>,
    /// Programmes whose entries count; empty means any.
    pub programmes: Vec<String>,
    /// The lowest score that counts.
    pub min_score: Decimal,
    /// The subject is an IMO number: look it up, do not compare names.
    pub by_imo: bool,
    /// The kind clause as written (`party`), for explanations.
    pub kind_text: Option<String>,
}

impl Screen {
    /// What the test asks of its list apart from the value (name or IMO,
    /// kinds, programmes), as a key for the list's cache of screened values.
    pub fn spec_key(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = rustc_hash::FxHasher::default();
        (self.by_imo, &self.kinds, &self.programmes).hash(&mut h);
        h.finish()
    }
}

/// The fields rules read, as bit sets of field ids (fields up to the 64th).
impl RuleSet {
    /// The fields read for every record whichever rules run (a bit set of field
    /// ids; fields up to the 64th): every required field, the key and the date,
    /// each regime's scope, and what the licence checks read.
    pub(crate) fn base_fields(&self) -> u64 {
        let schema = &self.schema;
        let mut mask = 0u64;
        let mut add = |f: usize| mask |= 1u64.checked_shl(f as u32).unwrap_or(0);
        for (i, def) in schema.fields.iter().enumerate() {
            if def.required {
                add(i);
            }
        }
        add(schema.key);
        add(schema.date);
        // A regime's scope decides whether its rules run at all: its fields are
        // read (and checked: a misspelt `flow` is unreadable, never "not an
        // import") whichever rules are counted.
        for (e, _) in self.regimes.iter().filter_map(|g| g.scope.as_ref()) {
            e.all_fields(&mut |f| add(f));
            for g in e.groups() {
                schema.groups[g].members.iter().for_each(|f| add(*f));
            }
        }
        if let Some(l) = &self.licences {
            self.rules[l.balance].reads.iter().chain(&self.rules[l.scope].reads).for_each(|f| add(*f));
            for r in [l.unknown, l.validity] {
                self.rules[r].reads.iter().for_each(|f| add(*f));
            }
        }
        with_units(schema, mask)
    }

    /// The fields one rule reads (a bit set of field ids; fields up to the
    /// 64th): its conditions, exemptions, groups, message and evidence, with
    /// the unit field of every quantity among them and the quantities of every
    /// unit (a quantity written with its unit is read against the unit column).
    pub(crate) fn fields_of_rule(&self, r: &Rule) -> u64 {
        let schema = &self.schema;
        let mut mask = 0u64;
        let mut add = |f: usize| mask |= 1u64.checked_shl(f as u32).unwrap_or(0);
        r.reads.iter().for_each(|f| add(*f));
        let notes = r.unless.iter().filter_map(|u| u.note.as_deref());
        for part in std::iter::once(r.message.as_slice()).chain(notes).flatten() {
            if let MsgPart::Field(f, _) = part {
                add(*f);
            }
        }
        for e in std::iter::once(&r.when).chain(r.unless.iter().map(|u| &u.expr)) {
            e.all_fields(&mut |f| add(f));
            for g in e.groups() {
                schema.groups[g].members.iter().for_each(|f| add(*f));
            }
        }
        with_units(schema, mask)
    }
}

/// `mask` with each quantity's unit field and each unit field's quantities.
pub(crate) fn with_units(schema: &Schema, mut mask: u64) -> u64 {
    let bit = |f: usize| 1u64.checked_shl(f as u32).unwrap_or(0);
    for (q, def) in schema.fields.iter().enumerate() {
        if let Some(u) = def.unit_field
            && mask & (bit(q) | bit(u)) != 0
        {
            mask |= bit(q) | bit(u);
        }
    }
    mask
}

impl RuleSet {
    /// Applies reviewed clearances from `file` (its bytes hash to `sha256`):
    /// the file becomes an input of the rule set, and part of its fingerprint,
    /// since it changes what the rules find.
    pub fn set_clearances(&mut self, file: &str, sha256: &str, entries: Vec<crate::config::ReviewedMatch>) {
        self.clearances =
            Arc::new(crate::screen::reviewed::Clearances::new(Some(file.into()), Some(sha256.into()), entries));
        self.inputs.push(Fingerprint { path: file.to_string(), sha256: sha256.to_string(), kind: "reviewed" });
        self.pack_fingerprint.get_or_insert_with(|| self.fingerprint.clone());
        self.fingerprint =
            crate::source::sha256_hex(format!("{}\nreviewed {file} {sha256}\n", self.fingerprint).as_bytes());
    }
}

impl RuleSet {
    /// Checks records that cite a licence against `register`: adds the
    /// regime `LICENCES` and its four rules (block), and makes the register
    /// part of the rule set's fingerprint.
    pub fn set_licences(&mut self, register: crate::licence::Register) {
        let name = "LICENCES";
        let pos = self.regimes.partition_point(|r| r.name.as_str() < name);
        if self.regimes.get(pos).is_none_or(|r| r.name != name) {
            self.regimes.insert(
                pos,
                Regime {
                    name: name.into(),
                    meta: vec![("title".into(), format!("Licences in the firm's register ({})", register.file))],
                    scope: None,
                },
            );
            for r in &mut self.rules {
                if r.regime >= pos {
                    r.regime += 1;
                }
            }
        }
        let cite = format!("licence register {}", register.file);
        let titles = [
            "The licence cited is not in the register",
            "The licence cited is not valid on the transaction date",
            "The shipment is outside the scope of the licence cited",
            "The shipment exceeds the remaining balance of the licence cited",
        ];
        let schema = &self.schema;
        let reads = |roles: &[crate::schema::Role], names: &[&str]| -> Vec<FieldId> {
            let mut v: Vec<FieldId> = roles
                .iter()
                .filter_map(|r| schema.role(*r))
                .chain(names.iter().filter_map(|n| schema.field(n)))
                .chain([schema.date])
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        use crate::schema::Role;
        let field_sets = [
            reads(&[Role::Licence], &[]),
            reads(&[Role::Licence], &[]),
            reads(&[Role::Licence, Role::Goods, Role::Destination], &["end_user", "consignee"]),
            reads(&[Role::Licence, Role::Quantity, Role::Unit, Role::Value, Role::Currency], &[]),
        ];
        self.rules.retain(|r| !LICENCE_RULES.contains(&r.id.as_str()));
        for ((id, title), reads) in LICENCE_RULES.iter().zip(titles).zip(field_sets) {
            self.rules.push(Rule {
                id: id.to_string(),
                title: title.to_string(),
                citations: vec![cite.clone()],
                effective: None,
                until: None,
                severity: Severity::Block,
                undecided: Severity::Review,
                regime: pos,
                when: TExpr::Lit(Lit::Bool(false)),
                unless: Vec::new(),
                message: vec![MsgPart::Text(title.to_string())],
                tags: vec!["licence".into()],
                file: 0,
                span: Span::default(),
                id_span: Span::default(),
                reads,
                when_text: "the record cites a licence (built in)".into(),
                aggregate: None,
            });
        }
        self.rules.sort_by(|a, b| a.id.cmp(&b.id));
        let index = |id: &str| self.rules.iter().position(|r| r.id == id).unwrap_or(0);
        let checks = LicenceChecks {
            unknown: index(LICENCE_RULES[0]),
            validity: index(LICENCE_RULES[1]),
            scope: index(LICENCE_RULES[2]),
            balance: index(LICENCE_RULES[3]),
            register,
        };
        let (file, sha) = (checks.register.file.clone(), checks.register.sha256.clone());
        self.inputs.push(Fingerprint { path: file.clone(), sha256: sha.clone(), kind: "licences" });
        self.fingerprint =
            crate::source::sha256_hex(format!("{}\nlicences {file} {sha}\n", self.fingerprint).as_bytes());
        // The licence register is part of the pack as run; clearances are not.
        if let Some(pack) = &mut self.pack_fingerprint {
            *pack = crate::source::sha256_hex(format!("{pack}\nlicences {file} {sha}\n").as_bytes());
        }
        self.licences = Some(Arc::new(checks));
    }
}

/// A file and its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// Path relative to the rules directory (or as given).
    pub path: String,
    /// Lowercase hex SHA-256 of the bytes.
    pub sha256: String,
    /// `rules`, `schema`, `data` or `list`.
    pub kind: &'static str,
}

/// A sanctions or controls regime.
#[derive(Debug, Clone)]
pub struct Regime {
    /// Regime name (`UN_DPRK`).
    pub name: String,
    /// `key: value` metadata (title, authority, …) in source order.
    pub meta: Vec<(String, String)>,
    /// `applies_when`: the records the regime applies to, and the condition
    /// as written. A record for which it is false is not evaluated by the
    /// regime's rules; one for which it is undecided is (fail closed).
    pub scope: Option<(TExpr, String)>,
}

impl Regime {
    /// A metadata value.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.meta.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// What the elements of a set are: a value kind (`country`, `hs`,
/// `string`, `name`), which says how they match.
pub type ElemKind = Scalar;

/// A set of values.
#[derive(Debug, Clone)]
pub struct SetDef {
    /// Its name (inline sets get `{…}` names).
    pub name: String,
    /// Element kind.
    pub elem: ElemKind,
    /// Elements.
    pub entries: Vec<Entry>,
    /// Where the set was declared: file index and span.
    pub decl: Option<(usize, Span)>,
    /// The data file it was loaded from, if any.
    pub data_file: Option<String>,
    /// For a lookup table (`table NAME from …`): its columns and, for each
    /// entry (a key), its row. The entries are the keys.
    pub table: Option<Table>,
}

/// A lookup table's columns and rows (the keys are its set's entries).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Columns other than the key: name and type.
    pub columns: Vec<(String, crate::schema::FieldType)>,
    /// One row per entry of the set, one cell per column; `None` for an
    /// empty cell of a column that is not text or a list (a lookup of it is
    /// undecided). An empty text cell is `""`, an empty list cell `[]`.
    pub rows: Vec<Vec<Option<Value>>>,
}

impl Lookup {
    fn value_reads(&self, f: &mut impl FnMut(FieldId)) {
        self.key.value_reads(f);
        if let LookupColumn::Dynamic(c) = &self.column {
            c.value_reads(f);
        }
    }

    fn visit(&self, f: &mut impl FnMut(&TExpr)) {
        self.key.visit(f);
        if let LookupColumn::Dynamic(c) = &self.column {
            c.visit(f);
        }
    }
}

impl Table {
    /// The index of a column by name.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|(n, _)| n == name)
    }
}

/// `TABLE[key].column` or `TABLE[key][value]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Lookup {
    /// The table (a set whose entries are its keys).
    pub table: SetId,
    /// The key looked up.
    pub key: TExpr,
    /// The column read.
    pub column: LookupColumn,
}

/// The column a lookup reads.
#[derive(Debug, Clone, PartialEq)]
pub enum LookupColumn {
    /// By name (index into [`Table::columns`]).
    Named(usize),
    /// By the text of a value (every column then has one type).
    Dynamic(TExpr),
}

/// One element of a set.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The parsed value.
    pub value: EntryValue,
    /// The element as written in the rule or data file.
    pub text: String,
    /// First day the entry applies (a listing date); before it, it does not match.
    pub since: Option<Date>,
    /// First day the entry no longer applies (a delisting, an annex
    /// amendment); from it on, it does not match.
    pub until: Option<Date>,
    /// A reference (list entry id such as `KPe.001`).
    pub reference: Option<String>,
    /// Where it was written: a span in the rule file, or a data-file line.
    pub origin: EntryOrigin,
}

impl Entry {
    /// Whether the entry is listed on `date`.
    pub fn in_force(&self, date: Date) -> bool {
        self.since.is_none_or(|s| s <= date) && self.until.is_none_or(|u| date < u)
    }
}

/// Where a set element came from.
#[derive(Debug, Clone, Copy)]
pub enum EntryOrigin {
    /// Written in a rule file.
    Rule(Span),
    /// A line of the set's data file.
    DataLine(u64),
}

/// A parsed set element.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EntryValue {
    /// A code (a country, an HS code prefix).
    Code(Code),
    /// Text folded to the set kind's key (lowercase text, a normalised name).
    Text(String),
}

/// A checked rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Unique id.
    pub id: String,
    /// Short title.
    pub title: String,
    /// Legal citations, at least one.
    pub citations: Vec<String>,
    /// First day in force (inclusive).
    pub effective: Option<Date>,
    /// First day no longer in force (exclusive).
    pub until: Option<Date>,
    /// Severity of a finding.
    pub severity: Severity,
    /// Severity of a finding when the rule cannot be decided (`undecided:`;
    /// review unless the rule says block).
    pub undecided: Severity,
    /// Index into [`RuleSet::regimes`].
    pub regime: usize,
    /// The condition.
    pub when: TExpr,
    /// Exemptions.
    pub unless: Vec<Unless>,
    /// Message with `{field}` placeholders resolved.
    pub message: Vec<MsgPart>,
    /// Tags.
    pub tags: Vec<String>,
    /// The rule file (index into [`RuleSet::sources`]).
    pub file: usize,
    /// The rule's span.
    pub span: Span,
    /// The span of its id.
    pub id_span: Span,
    /// Fields whose values the rule reads (sorted), for evidence.
    pub reads: Vec<FieldId>,
    /// The `when` condition as written, for explanations.
    pub when_text: String,
    /// For a rule over many records (`total`, `window`, `limit`): what it
    /// adds up. Its `when` then says which records count, and a finding
    /// comes from the running total, not from one record.
    pub aggregate: Option<Aggregate>,
}

/// What an aggregate rule adds up over the records its `when` selects:
/// `total: sum(quantity)`, `group: [buyer]`, `window: "rolling 30 days"`,
/// `limit: "500000 bbl"`.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    /// What is added up.
    pub measure: Measure,
    /// Fields whose values make a group (empty: one group for all records).
    pub group: Vec<FieldId>,
    /// The period over which records add up.
    pub window: Window,
    /// The limits; crossing any one (whichever is lower) is a finding.
    pub limits: Vec<Limit>,
    /// A factor between two dimensions, for limits in both (`with 1 t = 7.33 bbl`).
    pub factor: Option<crate::values::unit::Factor>,
    /// The `total`, `window` and `limit` as written, for reports.
    pub text: String,
}

/// What an aggregate rule adds up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// How many records.
    Count,
    /// The sum of a decimal field.
    Sum(FieldId),
    /// The largest value of a decimal field.
    Max(FieldId),
}

impl Measure {
    /// The field measured, if any.
    pub fn field(self) -> Option<FieldId> {
        match self {
            Measure::Count => None,
            Measure::Sum(f) | Measure::Max(f) => Some(f),
        }
    }
}

pub use crate::values::window::Window;

pub use crate::values::window::{Limit, LimitUnit};

impl Rule {
    /// The citations joined for one-line outputs.
    pub fn citation(&self) -> String {
        self.citations.join("; ")
    }

    /// Whether the rule is in force on a date.
    pub fn in_force(&self, d: Date) -> bool {
        self.effective.is_none_or(|e| d >= e) && self.until.is_none_or(|u| d < u)
    }
}

/// An `unless` clause: an exemption.
#[derive(Debug, Clone)]
pub struct Unless {
    /// The exemption condition.
    pub expr: TExpr,
    /// `then review`: when the exemption holds, the finding is lowered to
    /// this severity instead of dropped.
    pub then: Option<Severity>,
    /// The condition as written, on one line.
    pub text: String,
    /// Where the condition is written.
    pub span: Span,
    /// The exemption's name (`unless PRE_ADOPTION_CONTRACT: …`).
    pub name: Option<String>,
    /// Its legal basis (`{ cite: "…" }`).
    pub cite: Option<String>,
    /// What a finding it lowers says about it (`{ message: "…" }`), with
    /// its `{field}` placeholders.
    pub note: Option<Vec<MsgPart>>,
}

impl Unless {
    /// How findings and reports name the exemption: its name, else its condition.
    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.text)
    }
}

/// Part of a message.
#[derive(Debug, Clone, PartialEq)]
pub enum MsgPart {
    /// Literal text.
    Text(String),
    /// A field's value, and what to write when the record has none
    /// (`{export_country|"unknown"}`).
    Field(FieldId, Option<String>),
}

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    /// `true`/`false`.
    Bool(bool),
    /// Text.
    Str(String),
    /// Number.
    Dec(Decimal),
    /// Date.
    Date(Date),
    /// A code (a country, an HS code), from text compared with a field of its kind.
    Code(Code),
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
}

/// Arithmetic operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/`.
    Div,
}

/// Case-insensitive string tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrOp {
    /// `contains`: anywhere, as a substring.
    Contains,
    /// `contains word`: as a whole word or phrase (not inside a longer word).
    ContainsWord,
    /// `starts with`.
    StartsWith,
    /// `ends with`.
    EndsWith,
}

/// A function of the rule language (see [`crate::values::functions`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Builtin {
    /// The function.
    pub function: &'static Function,
    /// The kind that brings it (for `Param::Own`).
    pub owner: Scalar,
}

impl Builtin {
    /// Its name in rules.
    pub fn name(self) -> &'static str {
        self.function.name
    }
}

/// Quantifiers.
pub use crate::syntax::ast::Quantifier;

/// A typed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum TExpr {
    /// A literal.
    Lit(Lit),
    /// A scalar field's value.
    Field(FieldId),
    /// The element bound by the `n`-th enclosing quantifier (0 = outermost).
    Var(usize),
    /// `not`.
    Not(Box<TExpr>),
    /// `and` over two or more operands.
    And(Vec<TExpr>),
    /// `or` over two or more operands.
    Or(Vec<TExpr>),
    /// A comparison of two values of the same scalar type.
    Cmp(CmpOp, Scalar, Box<TExpr>, Box<TExpr>),
    /// Decimal arithmetic.
    Arith(ArithOp, Box<TExpr>, Box<TExpr>),
    /// Unary minus.
    Neg(Box<TExpr>),
    /// Set membership.
    In {
        /// The value looked up.
        value: Box<TExpr>,
        /// The set.
        set: SetId,
    },
    /// A string test against one pattern.
    StrTest(StrOp, Box<TExpr>, Box<TExpr>),
    /// A string test against every element of a string set (true if any passes).
    StrTestSet(StrOp, Box<TExpr>, SetId),
    /// A list field contains a value.
    ListHas(FieldId, Box<TExpr>),
    /// `any`/`all` over a list field.
    Quant(Quantifier, FieldId, Box<TExpr>),
    /// A table's cell: `CHART[destination].NS1`.
    Lookup(Box<Lookup>),
    /// `any`/`all` over the items of a table's list cell:
    /// `any(r in CCL[e].chart_columns: …)`.
    QuantLookup(Quantifier, Box<Lookup>, Box<TExpr>),
    /// `any`/`all` over the values of a group's fields (every member with a
    /// column; list members give each of their items).
    GroupQuant(Quantifier, crate::schema::GroupId, Box<TExpr>),
    /// `quantity as bbl`: a quantity converted into a unit, by the unit its
    /// record gives.
    Convert(Box<Convert>),
    /// `licence_valid(license)`: the licence the field cites is in the
    /// register, valid on the record's date, and covers the shipment.
    LicenceValid(Box<LicenceTest>),
    /// `present(field)`.
    Present(FieldId),
    /// `absent(field)`.
    Absent(FieldId),
    /// A function call.
    Call(Builtin, Vec<TExpr>),
    /// Screening against a sanctions list.
    Screen(Box<Screen>),
}

impl TExpr {
    /// Calls `f` on every field whose value this expression reads; fields only
    /// tested with `present`/`absent` are not reads.
    pub fn value_reads(&self, f: &mut impl FnMut(FieldId)) {
        match self {
            TExpr::Field(id) | TExpr::Quant(_, id, _) | TExpr::ListHas(id, _) => {
                f(*id);
                if let TExpr::Quant(_, _, b) | TExpr::ListHas(_, b) = self {
                    b.value_reads(f);
                }
            }
            // The members of a group are read through it (all of them, for
            // evidence); the schema is not at hand here, so groups are
            // expanded by `Rule::reads`.
            TExpr::GroupQuant(_, _, b) => b.value_reads(f),
            TExpr::Convert(c) => {
                f(c.value);
                f(c.unit);
            }
            TExpr::Lit(_) | TExpr::Var(_) | TExpr::Present(_) | TExpr::Absent(_) => {}
            TExpr::LicenceValid(t) => {
                f(t.licence);
                t.scope().into_iter().flatten().for_each(f);
            }
            TExpr::Not(e) | TExpr::Neg(e) => e.value_reads(f),
            TExpr::And(es) | TExpr::Or(es) | TExpr::Call(_, es) => es.iter().for_each(|e| e.value_reads(f)),
            TExpr::Cmp(_, _, a, b) | TExpr::Arith(_, a, b) | TExpr::StrTest(_, a, b) => {
                a.value_reads(f);
                b.value_reads(f);
            }
            TExpr::In { value, .. } | TExpr::StrTestSet(_, value, _) => value.value_reads(f),
            TExpr::Screen(s) => s.subject.value_reads(f),
            TExpr::Lookup(l) => l.value_reads(f),
            TExpr::QuantLookup(_, l, b) => {
                l.value_reads(f);
                b.value_reads(f);
            }
        }
    }

    /// Calls `f` on every field the expression mentions, reads and presence tests alike.
    pub fn all_fields(&self, f: &mut impl FnMut(FieldId)) {
        self.value_reads(f);
        self.visit(&mut |e| {
            if let TExpr::Present(id) | TExpr::Absent(id) = e {
                f(*id);
            }
        });
    }

    /// Calls `f` on this node and every node below it.
    pub fn visit(&self, f: &mut impl FnMut(&TExpr)) {
        f(self);
        match self {
            TExpr::Not(e)
            | TExpr::Neg(e)
            | TExpr::ListHas(_, e)
            | TExpr::Quant(_, _, e)
            | TExpr::GroupQuant(_, _, e) => e.visit(f),
            TExpr::And(es) | TExpr::Or(es) | TExpr::Call(_, es) => es.iter().for_each(|e| e.visit(f)),
            TExpr::Cmp(_, _, a, b) | TExpr::Arith(_, a, b) | TExpr::StrTest(_, a, b) => {
                a.visit(f);
                b.visit(f);
            }
            TExpr::In { value, .. } | TExpr::StrTestSet(_, value, _) => value.visit(f),
            TExpr::Screen(s) => s.subject.visit(f),
            TExpr::Lookup(l) => l.visit(f),
            TExpr::QuantLookup(_, l, b) => {
                l.visit(f);
                b.visit(f);
            }
            TExpr::Lit(_)
            | TExpr::Field(_)
            | TExpr::Var(_)
            | TExpr::Present(_)
            | TExpr::Absent(_)
            | TExpr::LicenceValid(_)
            | TExpr::Convert(_) => {}
        }
    }

    /// The groups this expression ranges over.
    pub fn groups(&self) -> Vec<crate::schema::GroupId> {
        let mut out = Vec::new();
        self.visit(&mut |e| {
            if let TExpr::GroupQuant(_, g, _) = e
                && !out.contains(g)
            {
                out.push(*g);
            }
        });
        out
    }
}
