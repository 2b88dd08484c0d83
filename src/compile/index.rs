//! Rule indexing: most rules can only hold when a coded field of the record
//! (a country, an HS code) is in some set (`origin in DPRK and …`,
//! `hs_code in COAL or …`). Compilation finds, for each rule, such a guard —
//! conditions of which at least one must hold for the rule to hold — and
//! indexes the guards by code (and, for hierarchical kinds, by prefix). For each record, a few table lookups give the
//! rules whose guard may hold; only those are evaluated, so the cost of a
//! record follows the rules that concern it, not the size of the pack.
//!
//! A guard is necessary, never sufficient: a rule it selects is evaluated in
//! full. A guard field that is missing or unreadable selects every rule it
//! guards (three-valued logic: the rule may still be undecided).

use rustc_hash::FxHashMap;

use crate::check::{EntryValue, RuleSet, SetId, TExpr};
use crate::records::{Cell, Record, Value};
use crate::schema::FieldId;
use crate::values::kind::{Code, Matching};

/// A condition `field in set` on a coded field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Atom {
    field: FieldId,
    set: SetId,
}

/// The guard of a condition: atoms of which at least one must hold for it
/// to hold; `None` when there is no such set of atoms.
fn guard(e: &TExpr, rules: &RuleSet) -> Option<Vec<Atom>> {
    match e {
        TExpr::In { value, set } => match (value.as_ref(), rules.sets.get(*set).map(|s| s.elem.kind().matching())) {
            (TExpr::Field(f), Some(Matching::Exact | Matching::Prefix { .. })) => {
                Some(vec![Atom { field: *f, set: *set }])
            }
            _ => None,
        },
        // Any conjunct's guard will do: take the one with the fewest atoms.
        TExpr::And(xs) => xs.iter().filter_map(|x| guard(x, rules)).min_by_key(Vec::len),
        // Every alternative needs one.
        TExpr::Or(xs) => {
            let mut all = Vec::new();
            for x in xs {
                all.extend(guard(x, rules)?);
            }
            all.sort_by_key(|a| (a.field, a.set));
            all.dedup();
            Some(all)
        }
        _ => None,
    }
}

/// Atoms by field, looked up by the field's value.
#[derive(Debug, Default)]
struct FieldTable {
    field: FieldId,
    /// Code → atoms with an entry of that code, and (hierarchical kinds)
    /// atoms with a longer entry under it (a record coded less precisely
    /// matches too).
    by_code: FxHashMap<Code, Vec<u32>>,
    /// `by_code`, for lookups.
    codes: Option<super::CodeMap<Vec<u32>>>,
    /// Distinct lengths of the codes in `by_code`, ascending; empty when
    /// codes are looked up whole.
    lens: Vec<usize>,
    /// Every atom on this field (all may hold when the value is unknown).
    all: Vec<u32>,
}

/// The rule index of a program.
#[derive(Debug, Default)]
pub(crate) struct RuleIndex {
    rules: usize,
    /// Rules without a guard: always evaluated.
    always: Vec<u32>,
    /// Atom → rules it guards.
    atom_rules: Vec<Vec<u32>>,
    tables: Vec<FieldTable>,
}

impl RuleIndex {
    /// Builds the index of a rule set.
    pub fn new(rules: &RuleSet) -> RuleIndex {
        let mut atoms: Vec<Atom> = Vec::new();
        let mut index = RuleIndex { rules: rules.rules.len(), ..RuleIndex::default() };
        for (ri, rule) in rules.rules.iter().enumerate() {
            match guard(&rule.when, rules) {
                Some(g) if !g.is_empty() => {
                    for a in g {
                        let ai = atoms.iter().position(|x| *x == a).unwrap_or_else(|| {
                            atoms.push(a);
                            index.atom_rules.push(Vec::new());
                            atoms.len() - 1
                        });
                        index.atom_rules[ai].push(ri as u32);
                    }
                }
                _ => index.always.push(ri as u32),
            }
        }
        for (ai, a) in atoms.iter().enumerate() {
            let ti = match index.tables.iter().position(|t| t.field == a.field) {
                Some(i) => i,
                None => {
                    index.tables.push(FieldTable { field: a.field, ..FieldTable::default() });
                    index.tables.len() - 1
                }
            };
            let table = &mut index.tables[ti];
            table.all.push(ai as u32);
            let set = &rules.sets[a.set];
            let kind = set.elem.kind();
            let broader_from = match kind.matching() {
                Matching::Prefix { broader_from } => Some(broader_from),
                _ => None,
            };
            for e in &set.entries {
                let EntryValue::Code(c) = e.value else { continue };
                table.by_code.entry(c).or_default().push(ai as u32);
                if let Some(from) = broader_from {
                    // The entry's own code, and every shorter prefix at a
                    // boundary (from `broader_from` on) for records coded
                    // less precisely.
                    table.lens.push(c.len());
                    for k in (from..c.len()).filter(|k| kind.is_boundary(&c, *k)) {
                        table.by_code.entry(c.prefix(k)).or_default().push(ai as u32);
                        table.lens.push(k);
                    }
                }
            }
        }
        for t in &mut index.tables {
            t.lens.sort_unstable();
            t.lens.dedup();
            for v in t.by_code.values_mut() {
                v.sort_unstable();
                v.dedup();
            }
            t.codes = Some(super::CodeMap::new(std::mem::take(&mut t.by_code)));
        }
        index
    }

    /// Marks in `out` (one flag per rule) the rules worth evaluating on `rec`.
    pub fn candidates(&self, rec: &Record, out: &mut Vec<bool>) {
        out.clear();
        out.resize(self.rules, false);
        for r in &self.always {
            out[*r as usize] = true;
        }
        let mark = |atoms: &[u32], out: &mut Vec<bool>| {
            for a in atoms {
                for r in &self.atom_rules[*a as usize] {
                    out[*r as usize] = true;
                }
            }
        };
        for t in &self.tables {
            let Some(codes) = &t.codes else { continue };
            match rec.cells.get(t.field) {
                Some(Cell::Ok { value: Value::Code(c), .. }) if t.lens.is_empty() => {
                    if let Some(a) = codes.get(c) {
                        mark(a, out);
                    }
                }
                Some(Cell::Ok { value: Value::Code(c), .. }) => {
                    let kind = c.kind().kind();
                    for &k in &t.lens {
                        if k > c.len() {
                            // The record is coded less precisely than these entries.
                            if let Some(a) = codes.get(c) {
                                mark(a, out);
                            }
                            break;
                        }
                        if kind.is_boundary(c, k)
                            && let Some(a) = codes.get(&c.prefix(k))
                        {
                            mark(a, out);
                        }
                    }
                }
                // Missing, unreadable, no column, or another type: any guarded rule may apply.
                _ => mark(&t.all, out),
            }
        }
    }

    /// How many rules have a guard (for benchmarks and docs).
    pub fn guarded(&self) -> usize {
        self.rules - self.always.len()
    }
}
