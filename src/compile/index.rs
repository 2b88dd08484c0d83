//! Rule indexing: most rules can only hold when a country or HS field of the
//! record is in some set (`origin in DPRK and …`, `hs_code in COAL or …`).
//! Compilation finds, for each rule, such a guard — conditions of which at
//! least one must hold for the rule to hold — and indexes the guards by
//! country and by HS prefix. For each record, a few table lookups give the
//! rules whose guard may hold; only those are evaluated, so the cost of a
//! record follows the rules that concern it, not the size of the pack.
//!
//! A guard is necessary, never sufficient: a rule it selects is evaluated in
//! full. A guard field that is missing or unreadable selects every rule it
//! guards (three-valued logic: the rule may still be undecided).

use rustc_hash::FxHashMap;

use crate::check::{ElemKind, EntryValue, RuleSet, SetId, TExpr};
use crate::records::{Cell, Record, Value};
use crate::schema::FieldId;
use crate::values::Country;

/// A condition `field in set` on a country or HS field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Atom {
    field: FieldId,
    set: SetId,
}

/// The guard of a condition: atoms of which at least one must hold for it
/// to hold; `None` when there is no such set of atoms.
fn guard(e: &TExpr, rules: &RuleSet) -> Option<Vec<Atom>> {
    match e {
        TExpr::In { value, set } => match (value.as_ref(), rules.sets.get(*set).map(|s| s.elem)) {
            (TExpr::Field(f), Some(ElemKind::Country | ElemKind::Hs)) => Some(vec![Atom { field: *f, set: *set }]),
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
    /// Country index → atoms whose set holds that country.
    by_country: Vec<Vec<u32>>,
    /// HS prefix key → atoms with an entry of that code, and atoms with a
    /// longer entry under it (a record coded less precisely matches too).
    by_hs: FxHashMap<u64, Vec<u32>>,
    /// Distinct HS entry lengths, ascending.
    hs_lens: Vec<usize>,
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
                    index.tables.push(FieldTable {
                        field: a.field,
                        by_country: vec![Vec::new(); Country::SPACE],
                        ..FieldTable::default()
                    });
                    index.tables.len() - 1
                }
            };
            let table = &mut index.tables[ti];
            table.all.push(ai as u32);
            for e in &rules.sets[a.set].entries {
                match e.value {
                    EntryValue::Country(c) => table.by_country[c.index()].push(ai as u32),
                    EntryValue::Hs(h) => {
                        // The entry's own key, and every shorter prefix (4
                        // digits or more) for records coded less precisely.
                        table.by_hs.entry(h.key()).or_default().push(ai as u32);
                        table.hs_lens.push(h.len());
                        for k in 4..h.len() {
                            table.by_hs.entry(h.prefix(k).key()).or_default().push(ai as u32);
                            table.hs_lens.push(k);
                        }
                    }
                    _ => {}
                }
            }
        }
        for t in &mut index.tables {
            t.hs_lens.sort_unstable();
            t.hs_lens.dedup();
            for v in t.by_country.iter_mut().chain(t.by_hs.values_mut()) {
                v.sort_unstable();
                v.dedup();
            }
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
            match rec.cells.get(t.field) {
                Some(Cell::Ok { value: Value::Country(c), .. }) => mark(&t.by_country[c.index()], out),
                Some(Cell::Ok { value: Value::Hs(h), .. }) => {
                    for &k in &t.hs_lens {
                        if k > h.len() {
                            // The record is coded less precisely than these entries.
                            if let Some(a) = t.by_hs.get(&h.key()) {
                                mark(a, out);
                            }
                            break;
                        }
                        if let Some(a) = t.by_hs.get(&h.prefix(k).key()) {
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
