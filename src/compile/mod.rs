//! Compilation: the checked rule set becomes a [`Program`] whose sets are hash
//! tables and prefix tables, whose text literals are lowercased once, and
//! whose dates are day numbers. Compilation cannot fail: every user error was
//! found by the checker.

use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

mod codes;
mod index;
pub(crate) use codes::CodeMap;
pub(crate) use index::RuleIndex;

use crate::check::{ArithOp, Builtin, CmpOp, EntryValue, Lit, RuleSet, SetDef, Severity, StrOp, TExpr};
use crate::schema::{FieldId, Scalar};
use crate::syntax::ast::Quantifier;
use crate::values::Date;
use crate::values::kind::{Code, Matching};

/// A compiled, immutable rule program; shareable across threads.
#[derive(Debug)]
pub struct Program {
    /// The checked rules (ids, citations, messages, sets).
    pub rules: Arc<RuleSet>,
    pub(crate) compiled: Vec<CRule>,
    /// Each regime's compiled `applies_when`.
    pub(crate) scopes: Vec<Option<CExpr>>,
    /// Whether any regime has one (records then carry their scopes).
    pub(crate) scoped: bool,
    pub(crate) matchers: Vec<Matcher>,
    pub(crate) index: RuleIndex,
    /// The index of the first, counting pass: rules over many records alone.
    pub(crate) counting: RuleIndex,
}

impl Program {
    /// How many rules the rule index can skip for records that do not concern them.
    pub fn indexed_rules(&self) -> usize {
        self.index.guarded()
    }
}

/// A compiled rule.
#[derive(Debug)]
pub(crate) struct CRule {
    /// Index of its regime.
    pub regime: usize,
    pub when: CExpr,
    pub unless: Vec<(CExpr, Option<Severity>)>,
    pub effective: Option<Date>,
    pub until: Option<Date>,
    pub severity: Severity,
    /// Severity when undecided.
    pub undecided: Severity,
    /// Fields read by value (to attribute unknowns and to fill evidence).
    pub reads: Vec<FieldId>,
}

/// A compiled expression.
#[derive(Debug, Clone)]
pub(crate) enum CExpr {
    Lit(Lit),
    Field(FieldId),
    Var(usize),
    Not(Box<CExpr>),
    And(Vec<CExpr>),
    Or(Vec<CExpr>),
    Cmp(CmpOp, Box<CExpr>, Box<CExpr>),
    Arith(ArithOp, Box<CExpr>, Box<CExpr>),
    Neg(Box<CExpr>),
    /// Membership; the subject names the field looked up, for evidence.
    In(Box<CExpr>, usize, Subject),
    /// A string test against a literal already lowercased.
    StrLit(StrOp, Box<CExpr>, Box<str>),
    StrDyn(StrOp, Box<CExpr>, Box<CExpr>),
    StrSet(StrOp, Box<CExpr>, usize),
    ListHas(FieldId, Box<CExpr>),
    Quant(Quantifier, FieldId, Box<CExpr>),
    GroupQuant(Quantifier, crate::schema::GroupId, Box<CExpr>),
    Convert(Box<crate::check::Convert>),
    /// `licence_valid(license)`.
    LicenceValid(Box<crate::check::LicenceTest>),
    Present(FieldId),
    Absent(FieldId),
    Call(Builtin, Vec<CExpr>),
    /// Screening; the subject names the field screened, for evidence; the
    /// key of what the test asks of its list ([`crate::check::Screen::spec_key`]),
    /// worked out once rather than per value screened.
    Screen(Box<CExpr>, Box<crate::check::Screen>, Subject, u64),
    /// A table's cell.
    Lookup(Box<CLookup>),
    /// `any`/`all` over the items of a table's list cell.
    QuantLookup(Quantifier, Box<CLookup>, Box<CExpr>),
}

/// A compiled table lookup: the table (a set), the key, the column.
#[derive(Debug, Clone)]
pub(crate) struct CLookup {
    pub table: usize,
    pub key: CExpr,
    /// The key's field, for evidence.
    pub subject: Subject,
    /// `Ok(index)` for a named column, `Err(expr)` for a column named by a value.
    pub column: Result<usize, CExpr>,
}

/// Which field a looked-up or screened value came from, for evidence: known
/// when compiling for a field, known only when evaluating for the element of
/// a quantifier (a group's elements come from several fields).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Subject {
    /// Not a field's value.
    None,
    /// This field.
    Field(FieldId),
    /// The element bound by the `n`-th enclosing quantifier.
    Var(usize),
}

fn subject(e: &TExpr) -> Subject {
    match e {
        TExpr::Field(f) => Subject::Field(*f),
        TExpr::Var(d) => Subject::Var(*d),
        _ => Subject::None,
    }
}

/// A set, ready for lookups. Each lookup yields entry indices; the evaluator
/// checks each entry's `since` date against the record's date.
#[derive(Debug)]
pub(crate) enum Matcher {
    /// Codes looked up whole, or by prefix for hierarchical kinds.
    Codes {
        /// Entry code → entries.
        exact: CodeMap<Vec<u32>>,
        /// Distinct entry lengths, ascending (prefix kinds).
        lens: Vec<usize>,
        /// Prefix kinds: every proper prefix (at a boundary, at least
        /// `broader_from` long) of an entry → entries, for records coded
        /// less precisely than the set ("broader").
        broader: CodeMap<Vec<u32>>,
        /// Whether entries are prefixes.
        prefix: bool,
    },
    /// Text folded to the set kind's key (lowercase text, normalised names).
    Text {
        /// Folded entry text, as bytes: a key lowercased on the stack is
        /// looked up without checking again that it is UTF-8.
        map: HashMap<Box<[u8]>, Vec<u32>>,
        fold: fn(&str) -> std::borrow::Cow<'_, str>,
        /// See [`Matching::Text`].
        ascii_lowercase: bool,
        patterns: Vec<String>,
        /// The patterns as `contains word` compares them.
        phrases: Vec<String>,
    },
}

/// Compiles a checked rule set.
pub fn compile(rules: Arc<RuleSet>) -> Program {
    let matchers = rules.sets.iter().map(build_matcher).collect();
    let compiled = rules
        .rules
        .iter()
        .map(|r| CRule {
            regime: r.regime,
            when: lower(&r.when),
            unless: r.unless.iter().map(|u| (lower(&u.expr), u.then)).collect(),
            effective: r.effective,
            until: r.until,
            severity: r.severity,
            undecided: r.undecided,
            reads: r.reads.clone(),
        })
        .collect();
    let index = RuleIndex::new(&rules);
    let counting = RuleIndex::counting(&rules);
    let scopes: Vec<Option<CExpr>> = rules.regimes.iter().map(|g| g.scope.as_ref().map(|(e, _)| lower(e))).collect();
    let scoped = scopes.iter().any(Option::is_some);
    Program { rules, compiled, scopes, scoped, matchers, index, counting }
}

fn build_matcher(set: &SetDef) -> Matcher {
    let kind = set.elem.kind();
    match kind.matching() {
        Matching::Text { fold, ascii_lowercase } => {
            let mut map: HashMap<Box<[u8]>, Vec<u32>> = HashMap::default();
            let mut patterns = Vec::new();
            // Patterns seen, so that a large set is not searched for each (red team H2).
            let mut seen: rustc_hash::FxHashSet<String> = rustc_hash::FxHashSet::default();
            for (i, e) in set.entries.iter().enumerate() {
                if let EntryValue::Text(s) = &e.value {
                    map.entry(s.as_bytes().into()).or_default().push(i as u32);
                    // Text tests compare texts as `search_form` reads them, both sides.
                    let pattern = crate::values::text::search_form(s).into_owned();
                    if seen.insert(pattern.clone()) {
                        patterns.push(pattern);
                    }
                }
            }
            let mut phrases: Vec<String> = patterns.iter().map(|p| crate::values::text::phrase_key(p)).collect();
            phrases.sort_unstable();
            phrases.dedup();
            Matcher::Text { map, fold, ascii_lowercase, patterns, phrases }
        }
        matching => {
            let prefix = matches!(matching, Matching::Prefix { .. });
            let broader_from = match matching {
                Matching::Prefix { broader_from } => broader_from,
                _ => usize::MAX,
            };
            let mut exact: HashMap<Code, Vec<u32>> = HashMap::default();
            let mut broader: HashMap<Code, Vec<u32>> = HashMap::default();
            let mut lens = Vec::new();
            for (i, e) in set.entries.iter().enumerate() {
                if let EntryValue::Code(c) = e.value {
                    exact.entry(c).or_default().push(i as u32);
                    lens.push(c.len());
                    for k in (broader_from..c.len()).filter(|k| kind.is_boundary(&c, *k)) {
                        broader.entry(c.prefix(k)).or_default().push(i as u32);
                    }
                }
            }
            lens.sort_unstable();
            lens.dedup();
            Matcher::Codes { exact: CodeMap::new(exact), lens, broader: CodeMap::new(broader), prefix }
        }
    }
}

/// Lowers a typed expression.
fn lower(e: &TExpr) -> CExpr {
    let b = |x: &TExpr| Box::new(lower(x));
    match e {
        TExpr::Lit(l) => CExpr::Lit(l.clone()),
        TExpr::Field(f) => CExpr::Field(*f),
        TExpr::Var(d) => CExpr::Var(*d),
        TExpr::Not(x) => CExpr::Not(b(x)),
        TExpr::And(xs) => CExpr::And(xs.iter().map(lower).collect()),
        TExpr::Or(xs) => CExpr::Or(xs.iter().map(lower).collect()),
        TExpr::Cmp(op, s, l, r) => {
            // Text compares case-insensitively: lowercase literals once here.
            let low = |x: &TExpr| match (s, x) {
                (&Scalar::STRING, TExpr::Lit(Lit::Str(t))) => Box::new(CExpr::Lit(Lit::Str(t.to_lowercase()))),
                _ => b(x),
            };
            CExpr::Cmp(*op, low(l), low(r))
        }
        TExpr::Arith(op, l, r) => CExpr::Arith(*op, b(l), b(r)),
        TExpr::Neg(x) => CExpr::Neg(b(x)),
        TExpr::In { value, set } => CExpr::In(b(value), *set, subject(value)),
        TExpr::StrTest(op, s, p) => match p.as_ref() {
            TExpr::Lit(Lit::Str(t)) => CExpr::StrLit(*op, b(s), crate::values::text::search_form(t).into()),
            _ => CExpr::StrDyn(*op, b(s), b(p)),
        },
        TExpr::StrTestSet(op, s, set) => CExpr::StrSet(*op, b(s), *set),
        TExpr::ListHas(f, v) => CExpr::ListHas(*f, b(v)),
        TExpr::Quant(k, f, body) => CExpr::Quant(*k, *f, b(body)),
        TExpr::GroupQuant(k, g, body) => CExpr::GroupQuant(*k, *g, b(body)),
        TExpr::Convert(c) => CExpr::Convert(c.clone()),
        TExpr::Present(f) => CExpr::Present(*f),
        TExpr::LicenceValid(t) => CExpr::LicenceValid(t.clone()),
        TExpr::Absent(f) => CExpr::Absent(*f),
        TExpr::Call(f, args) => CExpr::Call(*f, args.iter().map(lower).collect()),
        TExpr::Screen(s) => CExpr::Screen(b(&s.subject), s.clone(), subject(&s.subject), s.spec_key()),
        TExpr::Lookup(l) => CExpr::Lookup(Box::new(lower_lookup(l))),
        TExpr::QuantLookup(k, l, body) => CExpr::QuantLookup(*k, Box::new(lower_lookup(l)), b(body)),
    }
}

fn lower_lookup(l: &crate::check::ir::Lookup) -> CLookup {
    CLookup {
        table: l.table,
        key: lower(&l.key),
        subject: subject(&l.key),
        column: match &l.column {
            crate::check::ir::LookupColumn::Named(i) => Ok(*i),
            crate::check::ir::LookupColumn::Dynamic(c) => Err(lower(c)),
        },
    }
}
