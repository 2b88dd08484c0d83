//! Compilation: the checked rule set becomes a [`Program`] whose sets are hash
//! tables and prefix tables, whose text literals are lowercased once, and
//! whose dates are day numbers. Compilation cannot fail: every user error was
//! found by the checker.

use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

mod index;
pub(crate) use index::RuleIndex;

use crate::check::{ArithOp, Builtin, CmpOp, ElemKind, EntryValue, Lit, RuleSet, SetDef, Severity, StrOp, TExpr};
use crate::schema::{FieldId, Scalar};
use crate::syntax::ast::Quantifier;
use crate::values::{Country, Date};

/// A compiled, immutable rule program; shareable across threads.
#[derive(Debug)]
pub struct Program {
    /// The checked rules (ids, citations, messages, sets).
    pub rules: Arc<RuleSet>,
    pub(crate) compiled: Vec<CRule>,
    pub(crate) matchers: Vec<Matcher>,
    pub(crate) index: RuleIndex,
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
    pub when: CExpr,
    pub unless: Vec<(CExpr, Option<Severity>)>,
    pub effective: Option<Date>,
    pub until: Option<Date>,
    pub severity: Severity,
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
    /// Membership; `field` names the field looked up, for evidence.
    In(Box<CExpr>, usize, Option<FieldId>),
    /// A string test against a literal already lowercased.
    StrLit(StrOp, Box<CExpr>, Box<str>),
    StrDyn(StrOp, Box<CExpr>, Box<CExpr>),
    StrSet(StrOp, Box<CExpr>, usize),
    ListHas(FieldId, Box<CExpr>),
    Quant(Quantifier, FieldId, Box<CExpr>),
    Present(FieldId),
    Absent(FieldId),
    Call(Builtin, Vec<CExpr>),
    /// Screening; `field` names the field screened, for evidence.
    Screen(Box<CExpr>, Box<crate::check::Screen>, Option<FieldId>),
}

/// A set, ready for lookups. Each lookup yields entry indices; the evaluator
/// checks each entry's `since` date against the record's date.
#[derive(Debug)]
pub(crate) enum Matcher {
    Country(Vec<Vec<u32>>),
    Hs {
        /// Entry-prefix key → entries.
        exact: HashMap<u64, Vec<u32>>,
        /// Distinct entry lengths, ascending.
        lens: Vec<usize>,
        /// Key of every proper prefix (4 digits or more) of an entry → entries,
        /// for records coded less precisely than the set ("heading-level").
        broader: HashMap<u64, Vec<u32>>,
    },
    /// Lowercased text (string sets) or normalised names (name sets).
    Text {
        map: HashMap<String, Vec<u32>>,
        names: bool,
        patterns: Vec<String>,
    },
}

/// Compiles a checked rule set.
pub fn compile(rules: Arc<RuleSet>) -> Program {
    let matchers = rules.sets.iter().map(build_matcher).collect();
    let compiled = rules
        .rules
        .iter()
        .map(|r| CRule {
            when: lower(&r.when, &mut Vec::new()),
            unless: r.unless.iter().map(|u| (lower(&u.expr, &mut Vec::new()), u.then)).collect(),
            effective: r.effective,
            until: r.until,
            severity: r.severity,
            reads: r.reads.clone(),
        })
        .collect();
    let index = RuleIndex::new(&rules);
    Program { rules, compiled, matchers, index }
}

fn build_matcher(set: &SetDef) -> Matcher {
    match set.elem {
        ElemKind::Country => {
            let mut table = vec![Vec::new(); Country::SPACE];
            for (i, e) in set.entries.iter().enumerate() {
                if let EntryValue::Country(c) = e.value {
                    table[c.index()].push(i as u32);
                }
            }
            Matcher::Country(table)
        }
        ElemKind::Hs => {
            let mut exact: HashMap<u64, Vec<u32>> = HashMap::default();
            let mut broader: HashMap<u64, Vec<u32>> = HashMap::default();
            let mut lens = Vec::new();
            for (i, e) in set.entries.iter().enumerate() {
                if let EntryValue::Hs(h) = e.value {
                    exact.entry(h.key()).or_default().push(i as u32);
                    lens.push(h.len());
                    for k in 4..h.len() {
                        broader.entry(h.prefix(k).key()).or_default().push(i as u32);
                    }
                }
            }
            lens.sort_unstable();
            lens.dedup();
            Matcher::Hs { exact, lens, broader }
        }
        ElemKind::String | ElemKind::Name => {
            let mut map: HashMap<String, Vec<u32>> = HashMap::default();
            let mut patterns = Vec::new();
            for (i, e) in set.entries.iter().enumerate() {
                if let EntryValue::String(s) | EntryValue::Name(s) = &e.value {
                    map.entry(s.clone()).or_default().push(i as u32);
                    if !patterns.contains(s) {
                        patterns.push(s.clone());
                    }
                }
            }
            Matcher::Text { map, names: set.elem == ElemKind::Name, patterns }
        }
    }
}

/// Lowers a typed expression; `quant` is the stack of list fields bound by
/// enclosing quantifiers (for evidence on `Var` lookups).
fn lower(e: &TExpr, quant: &mut Vec<FieldId>) -> CExpr {
    let b = |x: &TExpr, q: &mut Vec<FieldId>| Box::new(lower(x, q));
    match e {
        TExpr::Lit(l) => CExpr::Lit(l.clone()),
        TExpr::Field(f) => CExpr::Field(*f),
        TExpr::Var(d) => CExpr::Var(*d),
        TExpr::Not(x) => CExpr::Not(b(x, quant)),
        TExpr::And(xs) => CExpr::And(xs.iter().map(|x| lower(x, quant)).collect()),
        TExpr::Or(xs) => CExpr::Or(xs.iter().map(|x| lower(x, quant)).collect()),
        TExpr::Cmp(op, s, l, r) => {
            // Text compares case-insensitively: lowercase literals once here.
            let low = |x: &TExpr, q: &mut Vec<FieldId>| match (s, x) {
                (Scalar::String, TExpr::Lit(Lit::Str(t))) => Box::new(CExpr::Lit(Lit::Str(t.to_lowercase()))),
                _ => b(x, q),
            };
            CExpr::Cmp(*op, low(l, quant), low(r, quant))
        }
        TExpr::Arith(op, l, r) => CExpr::Arith(*op, b(l, quant), b(r, quant)),
        TExpr::Neg(x) => CExpr::Neg(b(x, quant)),
        TExpr::In { value, set } => {
            let field = match value.as_ref() {
                TExpr::Field(f) => Some(*f),
                TExpr::Var(d) => quant.get(*d).copied(),
                _ => None,
            };
            CExpr::In(b(value, quant), *set, field)
        }
        TExpr::StrTest(op, s, p) => match p.as_ref() {
            TExpr::Lit(Lit::Str(t)) => CExpr::StrLit(*op, b(s, quant), t.to_lowercase().into()),
            _ => CExpr::StrDyn(*op, b(s, quant), b(p, quant)),
        },
        TExpr::StrTestSet(op, s, set) => CExpr::StrSet(*op, b(s, quant), *set),
        TExpr::ListHas(f, v) => CExpr::ListHas(*f, b(v, quant)),
        TExpr::Quant(k, f, body) => {
            quant.push(*f);
            let body = b(body, quant);
            quant.pop();
            CExpr::Quant(*k, *f, body)
        }
        TExpr::Present(f) => CExpr::Present(*f),
        TExpr::Absent(f) => CExpr::Absent(*f),
        TExpr::Call(f, args) => CExpr::Call(*f, args.iter().map(|x| lower(x, quant)).collect()),
        TExpr::Screen(s) => {
            let field = match &s.subject {
                TExpr::Field(f) => Some(*f),
                TExpr::Var(d) => quant.get(*d).copied(),
                _ => None,
            };
            CExpr::Screen(b(&s.subject, quant), s.clone(), field)
        }
    }
}
