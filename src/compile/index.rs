//! Rule indexing: most rules can only hold when a coded field of the record
//! (a country, an HS code) is in some set (`origin in DPRK and …`,
//! `hs_code in COAL or …`). Compilation finds, for each rule, such a guard —
//! conditions of which at least one must hold for the rule to hold — and
//! indexes the guards by code (and, for hierarchical kinds, by prefix). For each record, a few table lookups give the
//! rules whose guard may hold; only those are evaluated, so the cost of a
//! record follows the rules that concern it, not the size of the pack.
//!
//! An `any` over a list field or a group (`any(c in party_countries: c in
//! DPRK)`) guards by each item and each member.
//!
//! A guard is necessary, never sufficient: a rule it selects is evaluated in
//! full. A guard field that is missing or unreadable selects every rule it
//! guards (three-valued logic: the rule may still be undecided); so does a
//! field without a column, except a group member's: the group reads its other
//! members, and only a group none of whose members has a column selects.

use rustc_hash::FxHashMap;

use crate::check::{EntryValue, RuleSet, SetId, TExpr};
use crate::records::{Cell, Record, Value};
use crate::schema::{FieldId, GroupId};
use crate::syntax::ast::Quantifier;
use crate::values::kind::{Code, Matching};

/// A condition `field in set` on a coded field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Atom {
    field: FieldId,
    set: SetId,
    /// Taken from an `any` over this group: the field having no column
    /// makes it hold no more (the group reads its other columns), unless
    /// no member of the group has a column.
    group: Option<GroupId>,
}

/// What at least one of must hold for `e` to hold, from what `leaf` finds
/// in its leaves (through `and` and `or`); `None` when there is nothing such.
fn guard_of<T: Ord>(e: &TExpr, leaf: &impl Fn(&TExpr) -> Option<Vec<T>>) -> Option<Vec<T>> {
    match e {
        // Any conjunct's guard will do: take the one with the fewest atoms.
        TExpr::And(xs) => xs.iter().filter_map(|x| guard_of(x, leaf)).min_by_key(Vec::len),
        // Every alternative needs one.
        TExpr::Or(xs) => {
            let mut all = Vec::new();
            for x in xs {
                all.extend(guard_of(x, leaf)?);
            }
            all.sort_unstable();
            all.dedup();
            Some(all)
        }
        _ => leaf(e),
    }
}

/// Whether a set's entries are codes the index can look up.
fn indexable(rules: &RuleSet, set: SetId) -> bool {
    matches!(rules.sets.get(set).map(|s| s.elem.kind().matching()), Some(Matching::Exact | Matching::Prefix { .. }))
}

/// The guard of a condition: atoms of which at least one must hold for it
/// to hold; `None` when there is no such set of atoms.
fn guard(e: &TExpr, rules: &RuleSet) -> Option<Vec<Atom>> {
    guard_of(e, &|leaf| match leaf {
        TExpr::In { value, set } => match value.as_ref() {
            TExpr::Field(f) if indexable(rules, *set) => Some(vec![Atom { field: *f, set: *set, group: None }]),
            _ => None,
        },
        // `any(c in route: c in DPRK)`: some item of the list is in the set.
        TExpr::Quant(Quantifier::Any, f, body) => {
            Some(element_sets(body, rules)?.into_iter().map(|set| Atom { field: *f, set, group: None }).collect())
        }
        // `any(c in party_countries: c in DPRK)`: some member's value (or an
        // item of a list member) is in the set.
        TExpr::GroupQuant(Quantifier::Any, g, body) => {
            let sets = element_sets(body, rules)?;
            let members = &rules.schema.groups.get(*g)?.members;
            let group = Some(*g);
            Some(members.iter().flat_map(|&field| sets.iter().map(move |&set| Atom { field, set, group })).collect())
        }
        _ => None,
    })
}

/// The guard of the body of an `any` at the top of a condition, over its
/// element (`Var(0)`: nothing else binds a variable there): sets of which
/// the element must be in at least one for the body to hold. `all` has no
/// guard (it holds over no elements at all).
fn element_sets(e: &TExpr, rules: &RuleSet) -> Option<Vec<SetId>> {
    guard_of(e, &|leaf| match leaf {
        TExpr::In { value, set } if matches!(value.as_ref(), TExpr::Var(0)) && indexable(rules, *set) => {
            Some(vec![*set])
        }
        _ => None,
    })
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
    /// The atoms that may hold when the file has no column for the field:
    /// all but those of an `any` over a group (see [`RuleIndex::groups`]).
    no_column: Vec<u32>,
}

impl FieldTable {
    /// Marks the atoms a value of code `c` may make hold: those of its
    /// code, and for hierarchical kinds those of each prefix at a boundary
    /// (or of a longer code, when the record is coded less precisely).
    #[inline]
    fn look_up(&self, codes: &super::CodeMap<Vec<u32>>, c: &Code, mark: &mut impl FnMut(&[u32])) {
        if self.lens.is_empty() {
            if let Some(a) = codes.get(c) {
                mark(a);
            }
            return;
        }
        let kind = c.kind().kind();
        for &k in &self.lens {
            if k > c.len() {
                // The record is coded less precisely than these entries.
                if let Some(a) = codes.get(c) {
                    mark(a);
                }
                break;
            }
            if kind.is_boundary(c, k)
                && let Some(a) = codes.get(&c.prefix(k))
            {
                mark(a);
            }
        }
    }
}

/// The rule index of a program.
#[derive(Debug, Default)]
pub(crate) struct RuleIndex {
    rules: usize,
    /// Rules without a guard: always evaluated.
    always: Vec<u32>,
    /// How many rules have a guard.
    guarded: usize,
    /// Atom → rules it guards.
    atom_rules: Vec<Vec<u32>>,
    tables: Vec<FieldTable>,
    /// Per group an `any` over which guards a rule: its members, and the
    /// atoms taken from it.
    groups: Vec<(Vec<FieldId>, Vec<u32>)>,
    /// See [`RuleIndex::on_demand`].
    on_demand: u64,
    /// Atom → the fields typed on demand that the rules it guards read.
    atom_needs: Vec<u64>,
}

impl RuleIndex {
    /// Builds the index of a rule set.
    pub fn new(rules: &RuleSet) -> RuleIndex {
        RuleIndex::build(rules, false)
    }

    /// The index of the first, counting pass of a run: the rules over many
    /// records alone (the others are never candidates), so it looks up only
    /// the fields their guards test. Its [`RuleIndex::on_demand`] fields are
    /// typed for a record only when one of its rules is a candidate.
    pub fn counting(rules: &RuleSet) -> RuleIndex {
        RuleIndex::build(rules, true)
    }

    fn build(rules: &RuleSet, counting: bool) -> RuleIndex {
        let mut atoms: Vec<Atom> = Vec::new();
        let mut index = RuleIndex { rules: rules.rules.len(), ..RuleIndex::default() };
        for (ri, rule) in rules.rules.iter().enumerate().filter(|(_, r)| !counting || r.aggregate.is_some()) {
            match guard(&rule.when, rules) {
                Some(g) if !g.is_empty() => {
                    index.guarded += 1;
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
            if a.group.is_none() {
                table.no_column.push(ai as u32);
            }
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
        for (ai, a) in atoms.iter().enumerate() {
            let Some(g) = a.group else { continue };
            let members = &rules.schema.groups[g].members;
            match index.groups.iter_mut().find(|(m, _)| m == members) {
                Some((_, atoms)) => atoms.push(ai as u32),
                None => index.groups.push((members.clone(), vec![ai as u32])),
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
        index.plan_on_demand(rules, counting);
        index
    }

    /// Marks in `out` (one flag per rule) the rules worth evaluating on `rec`.
    pub fn candidates(&self, rec: &Record, out: &mut Vec<bool>) {
        self.candidates_and_needs(&rec.cells, out);
    }

    /// [`RuleIndex::candidates`] of a record of these `cells`, and the fields
    /// typed on demand ([`RuleIndex::on_demand`]) that those rules read:
    /// what must be typed before the record is evaluated. Reads only the
    /// fields the index looks up, which are never typed on demand.
    pub fn candidates_and_needs(&self, cells: &[Cell], out: &mut Vec<bool>) -> u64 {
        out.clear();
        out.resize(self.rules, false);
        for r in &self.always {
            out[*r as usize] = true;
        }
        let mut need = 0;
        self.atoms_of(cells, |atoms| {
            for a in atoms {
                need |= self.atom_needs.get(*a as usize).copied().unwrap_or(0);
                for r in &self.atom_rules[*a as usize] {
                    out[*r as usize] = true;
                }
            }
        });
        need
    }

    /// Fields that only guarded rules read (not the index, not a rule
    /// evaluated on every record, not a scope, not a required field): a run
    /// that shows no record's values types them only for records whose
    /// candidate rules read them. The counting index's are every field but
    /// the date and those it looks up, required fields and scopes included
    /// (its records are typed in full when one of its rules is a
    /// candidate). Empty with more than 64 fields.
    pub fn on_demand(&self) -> u64 {
        self.on_demand
    }

    /// Calls `mark` with the atoms that may hold on a record of these cells.
    #[inline]
    fn atoms_of(&self, cells: &[Cell], mut mark: impl FnMut(&[u32])) {
        for t in &self.tables {
            let Some(codes) = &t.codes else { continue };
            match cells.get(t.field) {
                Some(Cell::Ok { value: Value::Code(c), .. }) => t.look_up(codes, c, &mut mark),
                // A list (only an `any` over it is indexed: the checker
                // refuses a list in a set): each item, when every item is
                // a code; an empty list guards nothing by itself.
                Some(Cell::Ok { value: Value::List(items), .. })
                    if !items.is_empty() && items.iter().all(|i| matches!(i, Value::Code(_))) =>
                {
                    for i in items {
                        if let Value::Code(c) = i {
                            t.look_up(codes, c, &mut mark);
                        }
                    }
                }
                Some(Cell::NoColumn) => mark(&t.no_column),
                // Missing, unreadable, or another type: any guarded rule may apply.
                _ => mark(&t.all),
            }
        }
        // A group none of whose members has a column: its `any` is
        // undecided, so the rules it guards may apply.
        for (members, atoms) in &self.groups {
            if members.iter().all(|m| matches!(cells.get(*m), Some(Cell::NoColumn) | None)) {
                mark(atoms);
            }
        }
    }

    /// Works out [`RuleIndex::on_demand`] and, per atom, the fields of it
    /// that the rules the atom guards read.
    fn plan_on_demand(&mut self, rules: &RuleSet, counting: bool) {
        let schema = &rules.schema;
        if schema.fields.len() > 64 {
            return;
        }
        let of_rule: Vec<u64> = rules.rules.iter().map(|r| rules.fields_of_rule(r)).collect();
        // Read for every record whatever its candidates: the base fields,
        // the fields the index looks up, and what unguarded rules, rules
        // over many records and the licence checks read. The counting pass
        // reads only what its index looks up and the date: a record none of
        // its rules may count adds nothing to a total whether or not its
        // other fields are valid (invalid records are not counted either),
        // and one that may count is typed in full, required fields and
        // scopes included, before it is evaluated.
        let mut eager = if counting { 1u64 << schema.date } else { rules.base_fields() };
        for t in &self.tables {
            eager |= 1u64 << t.field;
        }
        eager = crate::check::with_units(schema, eager);
        for r in &self.always {
            eager |= of_rule[*r as usize];
        }
        // (The counting index holds only rules over many records: what they
        // read waits for their guards.)
        for (r, rule) in rules.rules.iter().enumerate() {
            if rule.aggregate.is_some() && !counting {
                eager |= of_rule[r];
            }
        }
        // (Each rule's fields hold their units and quantities, so `eager`
        // still does: a quantity and its unit are typed together.)
        let indexed = |r: &usize| !counting || rules.rules[*r].aggregate.is_some();
        let base = if counting { rules.base_fields() } else { 0 };
        let all = (0..of_rule.len()).filter(indexed).fold(eager | base, |m, r| m | of_rule[r]);
        self.on_demand = all & !eager;
        self.atom_needs = self
            .atom_rules
            .iter()
            .map(|rs| rs.iter().fold(0, |m, r| m | of_rule[*r as usize]) & self.on_demand)
            .collect();
    }

    /// How many rules have a guard (for benchmarks and docs).
    pub fn guarded(&self) -> usize {
        self.guarded
    }
}

#[cfg(test)]
mod tests {
    use crate::{Engine, LoadOptions, MemSources};

    fn engine(src: &str) -> Engine {
        Engine::from_sources(&MemSources::new().with("t.cordon", src), &LoadOptions::new()).expect("rules check")
    }

    fn bits(engine: &Engine, names: &[&str]) -> u64 {
        let schema = &engine.program().rules.schema;
        names.iter().map(|n| 1u64 << schema.field(n).expect("field")).fold(0, |m, b| m | b)
    }

    /// Fields only guarded rules read are typed on demand, with the unit of
    /// every quantity among them; what the index, an unguarded rule or a
    /// required field needs never is.
    #[test]
    fn only_what_guarded_rules_alone_read_waits() {
        let e = engine(
            r#"regime T
            rule A { title: "a" cite: "t" severity: block
              when: destination in { KP } and quantity > 500000 and value > 5 }
            rule B { title: "b" cite: "t" severity: review
              when: origin in { IR } and currency == "USD" and value > 10 }
            rule C { title: "c" cite: "t" severity: review when: present(seller) and value > 1 }"#,
        );
        let index = &e.program().index;
        // `value` is read by the unguarded C; `unit` comes with `quantity`.
        assert_eq!(index.on_demand(), bits(&e, &["quantity", "unit", "currency"]));
        let schema = &e.program().rules.schema;
        let mut cells = vec![crate::records::Cell::NoColumn; schema.fields.len()];
        let code = |t: &str, f: &str| {
            let def = &schema.fields[schema.field(f).expect("field")];
            crate::records::parse_cell(t, def, &crate::config::InputConfig::standard()).into_owned()
        };
        let (dest, origin) = (schema.field("destination").expect("d"), schema.field("origin").expect("o"));
        let mut marks = Vec::new();
        cells[dest] = code("KP", "destination");
        cells[origin] = code("CN", "origin");
        assert_eq!(index.candidates_and_needs(&cells, &mut marks), bits(&e, &["quantity", "unit"]));
        assert_eq!(marks, [true, false, true]);
        cells[dest] = code("CN", "destination");
        cells[origin] = code("IR", "origin");
        assert_eq!(index.candidates_and_needs(&cells, &mut marks), bits(&e, &["currency"]));
        assert_eq!(marks, [false, true, true]);
        cells[origin] = code("CN", "origin");
        assert_eq!(index.candidates_and_needs(&cells, &mut marks), 0);
        // An unreadable guard field: every rule it guards may hold.
        cells[dest] = crate::records::Cell::Missing;
        assert_eq!(index.candidates_and_needs(&cells, &mut marks), bits(&e, &["quantity", "unit"]));
    }

    /// The counting pass's index holds the rules over many records alone:
    /// it looks up only their guards' fields, and what they read waits for
    /// a record they may count.
    #[test]
    fn the_counting_index_holds_the_totals_alone() {
        let e = engine(
            r#"regime T
            rule A { title: "a" cite: "t" severity: review
              when: destination in { KP } and hs_code in { 2710 }
              total: sum(quantity)
              window: "calendar year"
              limit: "500 bbl" }
            rule B { title: "b" cite: "t" severity: review when: origin in { IR } and value > 10 }
            rule C { title: "c" cite: "t" severity: review when: present(seller) }"#,
        );
        let counting = super::RuleIndex::counting(&e.program().rules);
        assert_eq!(counting.guarded(), 1);
        // What the total reads, and the required fields but the date and
        // the one the index looks up (the guard's first test): a record no
        // total may count is not checked past them (no rule counts it,
        // whatever it holds).
        assert_eq!(counting.on_demand(), bits(&e, &["id", "origin", "hs_code", "quantity", "unit"]));
        let schema = &e.program().rules.schema;
        let mut cells = vec![crate::records::Cell::NoColumn; schema.fields.len()];
        let code = |t: &str, f: &str| {
            let def = &schema.fields[schema.field(f).expect("field")];
            crate::records::parse_cell(t, def, &crate::config::InputConfig::standard()).into_owned()
        };
        for (f, v) in [("destination", "KP"), ("origin", "IR"), ("hs_code", "2710.19")] {
            cells[schema.field(f).expect("field")] = code(v, f);
        }
        let mut marks = Vec::new();
        counting.candidates_and_needs(&cells, &mut marks);
        assert_eq!(marks, [true, false, false]);
        cells[schema.field("destination").expect("field")] = code("CN", "destination");
        counting.candidates_and_needs(&cells, &mut marks);
        assert_eq!(marks, [false, false, false]);
    }

    /// `any` over a list field or a group guards its rule by each item or
    /// member: the rule waits for a record with one in the set, or one the
    /// index cannot read, or a group none of whose members has a column.
    #[test]
    fn an_any_over_a_list_or_a_group_guards_by_each_item_and_member() {
        use crate::records::Cell;
        let e = engine(
            r#"regime T
            rule A_ROUTE { title: "r" cite: "t" severity: review
              when: present(route) and any(c in route: c in { KP }) }
            rule B_PARTY { title: "p" cite: "t" severity: review
              when: any(c in party_countries: c in { KP } or c in { IR }) and present(description) }
            rule C_DIRECT { title: "d" cite: "t" severity: review when: seller_country in { KP } }
            rule D_ALL { title: "a" cite: "t" severity: review when: all(c in route: c in { KP }) }"#,
        );
        let index = &e.program().index;
        assert_eq!(index.guarded(), 3, "`all` holds over no items: it has no guard");
        let schema = &e.program().rules.schema;
        let f = |n: &str| schema.field(n).expect("field");
        let parse = |t: &str, n: &str| {
            crate::records::parse_cell(t, &schema.fields[f(n)], &crate::config::InputConfig::standard()).into_owned()
        };
        let members = &schema.groups[schema.group("party_countries").expect("group")].members;
        let (seller, consignee) = (f("seller_country"), f("consignee_country"));
        assert!(members.contains(&seller) && members.contains(&consignee));
        // A file with seller and buyer countries only.
        let mut cells = vec![Cell::NoColumn; schema.fields.len()];
        for n in ["seller_country", "buyer_country"] {
            cells[f(n)] = parse("CN", n);
        }
        cells[f("route")] = parse("CN;SG", "route");
        let mut marks = Vec::new();
        index.candidates_and_needs(&cells, &mut marks);
        assert_eq!(marks, [false, false, false, true]);
        cells[f("route")] = parse("CN;KP", "route");
        cells[seller] = parse("IR", "seller_country");
        index.candidates_and_needs(&cells, &mut marks);
        assert_eq!(marks, [true, true, false, true]);
        // A list member with an item in the set.
        cells[seller] = parse("CN", "seller_country");
        cells[consignee] = parse("SG;KP", "consignee_country");
        index.candidates_and_needs(&cells, &mut marks);
        assert_eq!(marks, [true, true, false, true]);
        // An item or a member the index cannot read: the rule waits.
        cells[consignee] = Cell::NoColumn;
        cells[f("route")] = parse("CN;ZZ9", "route");
        cells[seller] = Cell::Missing;
        index.candidates_and_needs(&cells, &mut marks);
        assert_eq!(marks, [true, true, true, true]);
        // No member of the group has a column: the `any` is undecided; so
        // is the direct test of a field without a column.
        cells[f("route")] = parse("CN", "route");
        for m in members {
            cells[*m] = Cell::NoColumn;
        }
        index.candidates_and_needs(&cells, &mut marks);
        assert_eq!(marks, [false, true, true, true]);
    }
}
