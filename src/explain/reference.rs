//! The reference evaluator: a plain tree walk over the checked rule set that
//! explains each condition as it decides it. It shares no matching code
//! with the compiled evaluator — sets are searched entry by entry with the
//! kinds' own `covers`, comparisons, text tests and the core functions are
//! written again here, and screening asks the list index directly, without
//! the cache or the shared threshold — so the differential tests
//! (`tests/it/eval.rs`) compare two implementations, not one.

use super::screen;
use crate::check::display::{expr_text_with_vars, str_op, var_name};
use crate::check::{ArithOp, Builtin, CmpOp, EntryValue, Lit, RuleSet, StrOp, TExpr};
use crate::findings::{Node, Truth};
use crate::records::{Cell, Record, Value};
use crate::schema::{FieldId, Scalar};
use crate::syntax::ast::Quantifier;
use crate::values::kind::Matching;
use crate::values::{Code, Date, Decimal};

/// What the reference says when a value has a kind the checker did not
/// give it: undecided, as the compiled evaluator says.
pub(super) const TYPE_ERROR: &str = "type error";

/// A value during evaluation.
#[derive(Debug, Clone)]
pub(super) enum V<'a> {
    Bool(bool),
    Str(String),
    Dec(Decimal),
    Date(Date),
    Code(Code),
    List(&'a [Value]),
}

impl V<'_> {
    pub(super) fn show(&self) -> String {
        match self {
            V::Bool(b) => b.to_string(),
            V::Str(s) => format!("\"{s}\""),
            V::Dec(d) => d.to_string(),
            V::Date(d) => d.to_string(),
            V::Code(c) => c.to_string(),
            V::List(l) => l.iter().map(|v| from_value(v).show()).collect::<Vec<_>>().join(";"),
        }
    }
}

pub(super) fn from_value(v: &Value) -> V<'_> {
    match v {
        Value::Str(s) => V::Str(s.to_string()),
        Value::Dec(d) => V::Dec(*d),
        Value::Date(d) => V::Date(*d),
        Value::Code(c) => V::Code(*c),
        Value::List(l) => V::List(l),
    }
}

/// Why a value is unknown: fields missing, fields unreadable, fields with no
/// column in the file, or an arithmetic or type error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Unknown {
    pub missing: Vec<FieldId>,
    pub bad: Vec<FieldId>,
    pub nocol: Vec<FieldId>,
    /// Groups the file has no column for at all.
    pub groups: Vec<usize>,
    pub error: Option<&'static str>,
}

impl Unknown {
    pub(super) fn error(e: &'static str) -> Unknown {
        Unknown { error: Some(e), ..Unknown::default() }
    }

    pub(super) fn merge(mut self, o: Unknown) -> Unknown {
        for (a, b) in [
            (&mut self.missing, o.missing),
            (&mut self.bad, o.bad),
            (&mut self.nocol, o.nocol),
            (&mut self.groups, o.groups),
        ] {
            for f in b {
                if !a.contains(&f) {
                    a.push(f);
                }
            }
            a.sort_unstable();
        }
        self.error = self.error.or(o.error);
        self
    }

    pub(super) fn record_level(&self) -> bool {
        !self.missing.is_empty() || !self.bad.is_empty() || self.error.is_some()
    }
}

type R<'a> = Result<V<'a>, Unknown>;
type Judgement = (Result<bool, Unknown>, Node);

fn truth(t: &Result<bool, Unknown>) -> Truth {
    match t {
        Ok(true) => Truth::True,
        Ok(false) => Truth::False,
        Err(_) => Truth::Undecided,
    }
}

/// Evaluates conditions on one record, entry by entry, explaining as it goes.
pub(super) struct Ref<'a> {
    pub rules: &'a RuleSet,
    pub rec: &'a Record<'a>,
    pub date: Date,
    /// Elements bound by enclosing quantifiers, with the field each came from.
    vars: Vec<(V<'a>, Option<FieldId>)>,
    /// Count list entries listed after the date as matches (second pass).
    ignore_listing: bool,
    /// A screening test matched only entries listed after the date.
    pub later: bool,
    /// A match listed after the date made a test hold (second pass).
    pub used_later: bool,
}

impl<'a> Ref<'a> {
    pub(super) fn new(rules: &'a RuleSet, rec: &'a Record<'a>, date: Date, ignore_listing: bool) -> Ref<'a> {
        Ref { rules, rec, date, vars: Vec::new(), ignore_listing, later: false, used_later: false }
    }

    fn field_name(&self, f: FieldId) -> &str {
        &self.rules.schema.fields[f].name
    }

    fn field(&self, f: FieldId) -> R<'a> {
        match &self.rec.cells[f] {
            Cell::Ok { value, .. } => Ok(from_value(value)),
            Cell::Str { value, .. } => Ok(V::Str(value.to_string())),
            Cell::Missing => Err(Unknown { missing: vec![f], ..Unknown::default() }),
            Cell::Bad { .. } => Err(Unknown { bad: vec![f], ..Unknown::default() }),
            Cell::NoColumn => Err(Unknown { nocol: vec![f], ..Unknown::default() }),
        }
    }

    pub(super) fn why_unknown(&self, u: &Unknown) -> String {
        let names =
            |v: &[FieldId]| v.iter().map(|f| format!("`{}`", self.field_name(*f))).collect::<Vec<_>>().join(", ");
        let mut parts = Vec::new();
        if !u.missing.is_empty() {
            parts.push(format!("{} is missing", names(&u.missing)));
        }
        if !u.bad.is_empty() {
            parts.push(format!("{} could not be read", names(&u.bad)));
        }
        if !u.nocol.is_empty() {
            parts.push(format!("the file has no column for {}", names(&u.nocol)));
        }
        for g in u.groups.iter().filter_map(|g| self.rules.schema.groups.get(*g)) {
            parts.push(format!("the file has no column for any of the `{}` fields ({})", g.name, names(&g.members)));
        }
        if let Some(e) = u.error {
            parts.push(e.to_string());
        }
        format!("cannot decide: {}", parts.join("; "))
    }

    /// The node of a condition with its result.
    fn node(&self, e: &TExpr, r: &Result<bool, Unknown>, because: String, parts: Vec<Node>) -> Node {
        Node { condition: expr_text_with_vars(e, self.rules, self.vars.len()), result: truth(r), because, parts }
    }

    /// An undecided condition, explained.
    fn unknown(&self, e: &TExpr, u: Unknown) -> Judgement {
        let because = self.why_unknown(&u);
        let r = Err(u);
        let n = self.node(e, &r, because, Vec::new());
        (r, n)
    }

    /// A condition: its truth and its explanation.
    pub(super) fn cond(&mut self, e: &'a TExpr) -> Judgement {
        match e {
            TExpr::And(xs) | TExpr::Or(xs) => self.logic(e, xs, matches!(e, TExpr::And(_))),
            TExpr::Not(x) => {
                let (r, n) = self.cond(x);
                let r = r.map(|b| !b);
                let because = match &r {
                    Ok(_) => n.because.clone(),
                    Err(u) => self.why_unknown(u),
                };
                let node = self.node(e, &r, because, Vec::new());
                (r, node)
            }
            TExpr::Present(f) | TExpr::Absent(f) => self.presence(e, *f),
            TExpr::Lit(Lit::Bool(b)) => (Ok(*b), self.node(e, &Ok(*b), "a constant".into(), Vec::new())),
            TExpr::In { value, set } => self.membership(e, value, *set),
            TExpr::Screen(sc) => self.screening(e, sc),
            TExpr::Quant(kind, f, body) => {
                let items: Vec<(V<'a>, Option<FieldId>)> = match self.field(*f) {
                    Ok(V::List(items)) => items.iter().map(|i| (from_value(i), Some(*f))).collect(),
                    Ok(_) => return self.unknown(e, Unknown::error(TYPE_ERROR)),
                    Err(u) => return self.unknown(e, u),
                };
                self.quantified_node(e, *kind, &items, body)
            }
            TExpr::GroupQuant(kind, g, body) => self.group(e, *kind, *g, body),
            TExpr::QuantLookup(kind, l, body) => {
                let items: Vec<(V<'a>, Option<FieldId>)> = match self.cell(l) {
                    Ok(V::List(items)) => items.iter().map(|i| (from_value(i), None)).collect(),
                    Ok(_) => return self.unknown(e, Unknown::error(TYPE_ERROR)),
                    Err(u) => return self.unknown(e, u),
                };
                self.quantified_node(e, *kind, &items, body)
            }
            TExpr::LicenceValid(t) => self.licence_valid(e, t),
            other => {
                let r = self.value(other);
                match r {
                    Ok(V::Bool(b)) => {
                        let because = self.because(other);
                        (Ok(b), self.node(e, &Ok(b), because, Vec::new()))
                    }
                    Ok(v) => {
                        let r = Err(Unknown::error(TYPE_ERROR));
                        let node = self.node(e, &r, format!("not a condition: {}", v.show()), Vec::new());
                        (r, node)
                    }
                    Err(u) => self.unknown(e, u),
                }
            }
        }
    }

    /// `and`/`or` in Kleene logic, stopping at the first part that decides.
    fn logic(&mut self, e: &'a TExpr, xs: &'a [TExpr], is_and: bool) -> Judgement {
        let mut parts = Vec::new();
        let mut unknown: Option<Unknown> = None;
        let mut decided: Option<bool> = None;
        for x in xs {
            let (r, n) = self.cond(x);
            parts.push(n);
            match r {
                Ok(b) if b != is_and => {
                    decided = Some(b);
                    break;
                }
                Ok(_) => {}
                Err(u) => unknown = Some(unknown.map_or(u.clone(), |a| a.merge(u))),
            }
        }
        let r = match (decided, unknown) {
            (Some(b), _) => Ok(b),
            (None, Some(u)) => Err(u),
            (None, None) => Ok(is_and),
        };
        let because = match (&r, is_and) {
            (Ok(true), true) => "every part holds".to_string(),
            (Ok(false), true) => "a part does not hold".to_string(),
            (Ok(true), false) => "a part holds".to_string(),
            (Ok(false), false) => "no part holds".to_string(),
            (Err(u), _) => self.why_unknown(u),
        };
        let node = self.node(e, &r, because, parts);
        (r, node)
    }

    /// `licence_valid(license)`, the plain way: the register's verdict on
    /// the licence cited, with the fields its scope needs.
    fn licence_valid(&mut self, e: &'a TExpr, t: &crate::check::LicenceTest) -> Judgement {
        let text = |c: &Cell<'_>| -> Option<String> {
            match c {
                Cell::Str { value, .. } => Some(value.to_string()),
                Cell::Ok { value, .. } => Some(value.to_string()),
                _ => None,
            }
        };
        let cell = &self.rec.cells[t.licence];
        let Some(cited) = cell.text() else {
            if matches!(cell, Cell::NoColumn) {
                return self.unknown(e, Unknown { nocol: vec![t.licence], ..Unknown::default() });
            }
            let r = Ok(false);
            let node =
                self.node(e, &r, format!("`{}` is empty: no licence is cited", self.field_name(t.licence)), Vec::new());
            return (r, node);
        };
        let Some(checks) = &self.rules.licences else {
            return self.unknown(e, Unknown::error("no licence register is loaded (`--licences`)"));
        };
        let fields = t.scope();
        let texts: Vec<Option<String>> = fields.iter().map(|f| f.and_then(|f| text(&self.rec.cells[f]))).collect();
        let shipment = crate::licence::Shipment::of(&texts);
        match crate::licence::verdict(&checks.register, cited, self.date, &shipment) {
            Ok(b) => {
                let r = Ok(b);
                let because = if b {
                    format!("licence `{cited}` is in the register, valid on {} and covers the shipment", self.date)
                } else {
                    format!("licence `{cited}` is unknown, not valid on {} or does not cover the shipment", self.date)
                };
                let node = self.node(e, &r, because, Vec::new());
                (r, node)
            }
            Err(missing) => {
                let mut u = Unknown::default();
                for f in missing.iter().filter_map(|i| fields[*i]) {
                    match &self.rec.cells[f] {
                        Cell::NoColumn => u.nocol.push(f),
                        Cell::Bad { .. } => u.bad.push(f),
                        _ => u.missing.push(f),
                    }
                }
                if u.nocol.is_empty() && u.bad.is_empty() && u.missing.is_empty() {
                    u.error = Some("a field the licence's scope needs is not in the schema");
                }
                for v in [&mut u.nocol, &mut u.bad, &mut u.missing] {
                    v.sort_unstable();
                }
                self.unknown(e, u)
            }
        }
    }

    /// `present(f)`, `absent(f)`: unknown without a column.
    fn presence(&mut self, e: &'a TExpr, f: FieldId) -> Judgement {
        if matches!(self.rec.cells[f], Cell::NoColumn) {
            return self.unknown(e, Unknown { nocol: vec![f], ..Unknown::default() });
        }
        let present = matches!(self.rec.cells[f], Cell::Ok { .. } | Cell::Str { .. } | Cell::Bad { .. });
        let r = Ok(present == matches!(e, TExpr::Present(_)));
        let because = match self.rec.cells[f].text() {
            Some(t) if present => format!("`{}` is \"{t}\"", self.field_name(f)),
            _ => format!("`{}` is empty", self.field_name(f)),
        };
        let node = self.node(e, &r, because, Vec::new());
        (r, node)
    }

    /// `value in SET`, searched entry by entry.
    fn membership(&mut self, e: &'a TExpr, value: &'a TExpr, set: usize) -> Judgement {
        let shown = self.shown(value);
        let v = match self.value(value) {
            Ok(v) => v,
            Err(u) => return self.unknown(e, u),
        };
        let def = &self.rules.sets[set];
        let (r, because) = match self.lookup(set, &v) {
            Lookup::Match(i) => {
                let en = &def.entries[i];
                let mut because = format!("{shown} matches `{}` in {}", en.text, def.name);
                if let Some(r) = &en.reference {
                    because.push_str(&format!(" ({r}"));
                    if let Some(d) = en.since {
                        because.push_str(&format!(", listed {d}"));
                    }
                    because.push(')');
                }
                (Ok(true), because)
            }
            Lookup::NotYet(i) => {
                let en = &def.entries[i];
                let when = en.since.map(|d| d.to_string()).unwrap_or_default();
                let because = format!(
                    "{shown} matches `{}` in {}, but it was listed on {when}, after the transaction",
                    en.text, def.name
                );
                (Ok(false), because)
            }
            Lookup::None => (Ok(false), format!("{shown} is not in {}", def.name)),
            Lookup::WrongKind => return self.unknown(e, Unknown::error(TYPE_ERROR)),
        };
        let node = self.node(e, &r, because, Vec::new());
        (r, node)
    }

    /// `subject matches list …`, screened the plain way.
    fn screening(&mut self, e: &'a TExpr, sc: &'a crate::check::Screen) -> Judgement {
        let shown = self.shown(&sc.subject);
        let field = match &sc.subject {
            TExpr::Field(f) => Some(*f),
            TExpr::Var(d) => self.vars.get(*d).and_then(|(_, f)| *f),
            _ => None,
        };
        let v = match self.value(&sc.subject) {
            Ok(V::Str(v)) => v,
            Ok(other) => {
                let r = Err(Unknown::error(TYPE_ERROR));
                let node = self.node(e, &r, format!("{} is not text", other.show()), Vec::new());
                return (r, node);
            }
            Err(u) => return self.unknown(e, u),
        };
        let id = self.rec.cells.get(self.rules.schema.key).and_then(crate::records::Cell::text).unwrap_or("");
        let found = screen::screen(self.rules, sc, &v, self.date, id, self.ignore_listing);
        if found.hit.as_ref().is_some_and(|h| h.listed_after) {
            self.used_later = true;
        }
        if found.hit.is_none() && found.later.is_some() {
            self.later = true;
        }
        // A value with a word too long to screen fully is undecided (fail closed).
        let r = if found.hit.is_none() && found.long_word {
            Err(Unknown::error(crate::screen::LONG_WORD_NOTE))
        } else {
            Ok(found.hit.is_some())
        };
        let because = screen::because(self.rules, sc, &shown, &found, field);
        let node = self.node(e, &r, because, Vec::new());
        (r, node)
    }

    /// `any`/`all` over the values of a group's fields.
    fn group(&mut self, e: &'a TExpr, kind: Quantifier, g: usize, body: &'a TExpr) -> Judgement {
        let (rules, rec) = (self.rules, self.rec);
        let mut items: Vec<(V<'a>, Option<FieldId>)> = Vec::new();
        let (mut with_column, mut blank, mut bad) = (false, Vec::new(), Vec::new());
        for &m in &rules.schema.groups[g].members {
            match &rec.cells[m] {
                Cell::NoColumn => continue,
                Cell::Missing => blank.push(m),
                Cell::Bad { .. } => bad.push(m),
                Cell::Ok { value: Value::List(l), .. } => {
                    if l.is_empty() {
                        blank.push(m);
                    }
                    items.extend(l.iter().map(|i| (from_value(i), Some(m))));
                }
                Cell::Ok { value, .. } => items.push((from_value(value), Some(m))),
                Cell::Str { value, .. } => items.push((V::Str(value.to_string()), Some(m))),
            }
            with_column = true;
        }
        let (r, parts) = if !with_column {
            (Err(Unknown { groups: vec![g], ..Unknown::default() }), Vec::new())
        } else if items.is_empty() && bad.is_empty() {
            (Err(Unknown { missing: blank, ..Unknown::default() }), Vec::new())
        } else {
            let (r, parts) = self.quantify(kind, &items, body);
            let r = match r {
                Ok(true) if kind == Quantifier::Any => Ok(true),
                Ok(false) if kind == Quantifier::All => Ok(false),
                _ if !bad.is_empty() => {
                    let u = Unknown { bad, ..Unknown::default() };
                    Err(match r {
                        Err(w) => u.merge(w),
                        Ok(_) => u,
                    })
                }
                r => r,
            };
            (r, parts)
        };
        let because = self.quantified(kind, &r);
        let node = self.node(e, &r, because, parts);
        (r, node)
    }

    /// Evaluates a quantifier's body on each element, in Kleene logic;
    /// `any` looks at every element, as the compiled evaluator does.
    fn quantify(
        &mut self,
        kind: Quantifier,
        items: &[(V<'a>, Option<FieldId>)],
        body: &'a TExpr,
    ) -> (Result<bool, Unknown>, Vec<Node>) {
        let mut parts = Vec::new();
        let mut unknown: Option<Unknown> = None;
        let mut found = false;
        for item in items {
            self.vars.push(item.clone());
            let (r, n) = self.cond(body);
            self.vars.pop();
            let from = item.1.map_or("a table cell", |f| self.field_name(f));
            let condition = format!("{} = {} ({from})", var_name(self.vars.len()), item.0.show());
            parts.push(Node { condition, ..n });
            match (kind, r) {
                (Quantifier::Any, Ok(true)) => found = true,
                (Quantifier::All, Ok(false)) => return (Ok(false), parts),
                (_, Err(u)) => unknown = Some(unknown.map_or(u.clone(), |a| a.merge(u))),
                _ => {}
            }
        }
        let r = match (found, unknown) {
            (true, _) => Ok(true),
            (false, Some(u)) => Err(u),
            (false, None) => Ok(kind == Quantifier::All),
        };
        (r, parts)
    }

    /// A quantifier's judgement and node, over its items.
    fn quantified_node(
        &mut self,
        e: &'a TExpr,
        kind: Quantifier,
        items: &[(V<'a>, Option<FieldId>)],
        body: &'a TExpr,
    ) -> Judgement {
        let (r, parts) = self.quantify(kind, items, body);
        let because = self.quantified(kind, &r);
        let node = self.node(e, &r, because, parts);
        (r, node)
    }

    fn quantified(&self, kind: Quantifier, r: &Result<bool, Unknown>) -> String {
        match r {
            Ok(true) if kind == Quantifier::Any => "an element holds".to_string(),
            Ok(false) if kind == Quantifier::Any => "no element holds".to_string(),
            Ok(true) => "every element holds".to_string(),
            Ok(false) => "an element does not hold".to_string(),
            Err(u) => self.why_unknown(u),
        }
    }

    /// `quantity as UNIT`, the plain way.
    fn convert(&self, c: &crate::check::Convert) -> Result<Decimal, Unknown> {
        let (q, u) = match (self.field(c.value), self.field(c.unit)) {
            (Ok(V::Dec(q)), Ok(V::Str(u))) => (q, u),
            (Err(a), Err(b)) => return Err(a.merge(b)),
            (Err(a), _) | (_, Err(a)) => return Err(a),
            _ => return Err(Unknown::error(TYPE_ERROR)),
        };
        let table = crate::values::unit::table();
        let from = table.lookup(&u).map_err(|p| Unknown::error(p.reason()))?;
        crate::values::unit::convert(q, from, &c.target, c.factor.as_ref())
            .map_err(|p| Unknown::error(p.reason()))?
            .ok_or(Unknown::error("arithmetic overflow"))
    }

    /// A table's cell, found the plain way: the entry equal to the key, or
    /// for hierarchical codes the longest key that covers it.
    fn cell(&mut self, l: &'a crate::check::ir::Lookup) -> R<'a> {
        let key = self.value(&l.key)?;
        let def = &self.rules.sets[l.table];
        let Some(table) = def.table.as_ref() else { return Err(Unknown::error(TYPE_ERROR)) };
        let kind = def.elem.kind();
        let mut row: Option<(usize, usize)> = None;
        for (i, e) in def.entries.iter().enumerate() {
            let hit = match (&e.value, &key, kind.matching()) {
                (EntryValue::Code(a), V::Code(b), _) => a.kind() == b.kind() && kind.covers(a, b),
                (EntryValue::Text(a), V::Str(b), Matching::Text { fold, .. }) => *a == fold(b),
                _ => return Err(Unknown::error(TYPE_ERROR)),
            };
            if hit && row.is_none_or(|(_, len)| e.text.len() > len) {
                row = Some((i, e.text.len()));
            }
        }
        let (row, _) = row.ok_or(Unknown::error("the value is not a key of the table"))?;
        let col = match &l.column {
            crate::check::ir::LookupColumn::Named(c) => *c,
            crate::check::ir::LookupColumn::Dynamic(c) => match self.value(c)? {
                V::Str(name) => table.column(&name).ok_or(Unknown::error("the table has no column of that name"))?,
                _ => return Err(Unknown::error(TYPE_ERROR)),
            },
        };
        match table.rows.get(row).and_then(|r| r.get(col)) {
            Some(Some(v)) => Ok(from_value(v)),
            _ => Err(Unknown::error("the table's cell is empty")),
        }
    }

    /// A value for people: a field as written in the record, else computed.
    fn shown(&mut self, e: &'a TExpr) -> String {
        if let TExpr::Field(f) = e
            && let Some(t) = self.rec.cells[*f].text()
        {
            // Text is quoted; codes, numbers and dates are shown as they are.
            return if self.rules.schema.fields[*f].scalar() == Scalar::STRING {
                format!("\"{t}\"")
            } else {
                t.to_string()
            };
        }
        match self.value(e) {
            Ok(v) => v.show(),
            Err(_) => "unknown".into(),
        }
    }

    /// The values a comparison or text test read, for the explanation.
    fn because(&mut self, e: &'a TExpr) -> String {
        match e {
            TExpr::Cmp(_, _, a, b) | TExpr::StrTest(_, a, b) => {
                let (sa, sb) = (self.shown(a), self.shown(b));
                let ta = expr_text_with_vars(a, self.rules, self.vars.len());
                let tb = expr_text_with_vars(b, self.rules, self.vars.len());
                let left = if sa == ta { sa } else { format!("{ta} is {sa}") };
                let right = if sb == tb { String::new() } else { format!(", {tb} is {sb}") };
                format!("{left}{right}")
            }
            TExpr::StrTestSet(op, a, s) => {
                let v = self.value(a).map(|v| v.show()).unwrap_or_default();
                let hit = match self.value(a) {
                    Ok(V::Str(text)) => self.rules.sets[*s]
                        .entries
                        .iter()
                        .find(|en| matches!(&en.value, EntryValue::Text(p) if text_test(*op, &text, p)))
                        .map(|en| en.text.clone()),
                    _ => None,
                };
                match hit {
                    Some(w) => format!("{v} {} \"{w}\" from {}", str_op(*op), self.rules.sets[*s].name),
                    None => format!("{v}: no entry of {} matches", self.rules.sets[*s].name),
                }
            }
            TExpr::ListHas(f, v) => {
                let list = self.field(*f).map(|v| v.show()).unwrap_or_default();
                let want = self.value(v).map(|v| v.show()).unwrap_or_default();
                format!("`{}` is {list}; looking for {want}", self.field_name(*f))
            }
            _ => String::new(),
        }
    }

    fn value(&mut self, e: &'a TExpr) -> R<'a> {
        Ok(match e {
            TExpr::Lit(l) => match l {
                Lit::Bool(b) => V::Bool(*b),
                Lit::Str(s) => V::Str(s.clone()),
                Lit::Dec(d) => V::Dec(*d),
                Lit::Date(d) => V::Date(*d),
                Lit::Code(c) => V::Code(*c),
            },
            TExpr::Field(f) => self.field(*f)?,
            TExpr::Var(d) => self.vars[*d].0.clone(),
            TExpr::Lookup(l) => self.cell(l)?,
            TExpr::Convert(c) => V::Dec(self.convert(c)?),
            TExpr::Arith(op, a, b) => V::Dec(self.arith(*op, a, b)?),
            TExpr::Neg(x) => match self.value(x)? {
                V::Dec(d) => V::Dec(-d),
                _ => return Err(Unknown::error(TYPE_ERROR)),
            },
            TExpr::Cmp(op, _, a, b) => {
                let (x, y) = self.both(a, b)?;
                V::Bool(compare(*op, &x, &y).ok_or(Unknown::error(TYPE_ERROR))?)
            }
            TExpr::StrTest(op, a, b) => match self.both(a, b)? {
                (V::Str(s), V::Str(p)) => V::Bool(text_test(*op, &s, &p)),
                _ => return Err(Unknown::error(TYPE_ERROR)),
            },
            TExpr::StrTestSet(op, a, s) => match self.value(a)? {
                V::Str(text) => V::Bool(
                    self.rules.sets[*s]
                        .entries
                        .iter()
                        .any(|e| matches!(&e.value, EntryValue::Text(p) if text_test(*op, &text, p))),
                ),
                _ => return Err(Unknown::error(TYPE_ERROR)),
            },
            TExpr::ListHas(f, v) => {
                let (items, want) = match (self.field(*f), self.value(v)) {
                    (Ok(V::List(items)), Ok(want)) => (items, want),
                    (Err(u), _) | (_, Err(u)) => return Err(u),
                    _ => return Err(Unknown::error(TYPE_ERROR)),
                };
                let mut found = false;
                for i in items {
                    found |= compare(CmpOp::Eq, &from_value(i), &want).ok_or(Unknown::error(TYPE_ERROR))?;
                }
                V::Bool(found)
            }
            TExpr::Call(f, args) => self.call(*f, args)?,
            other => {
                let (r, _) = self.cond(other);
                V::Bool(r?)
            }
        })
    }

    /// Both sides of a binary operator, unknowns merged.
    fn both(&mut self, a: &'a TExpr, b: &'a TExpr) -> Result<(V<'a>, V<'a>), Unknown> {
        match (self.value(a), self.value(b)) {
            (Ok(x), Ok(y)) => Ok((x, y)),
            (Err(u), Ok(_)) | (Ok(_), Err(u)) => Err(u),
            (Err(u), Err(w)) => Err(u.merge(w)),
        }
    }

    fn arith(&mut self, op: ArithOp, a: &'a TExpr, b: &'a TExpr) -> Result<Decimal, Unknown> {
        let (x, y) = match self.both(a, b)? {
            (V::Dec(x), V::Dec(y)) => (x, y),
            _ => return Err(Unknown::error(TYPE_ERROR)),
        };
        let r = match op {
            ArithOp::Add => x.checked_add(y),
            ArithOp::Sub => x.checked_sub(y),
            ArithOp::Mul => x.checked_mul(y),
            ArithOp::Div if y.is_zero() => return Err(Unknown::error("division by zero")),
            ArithOp::Div => x.checked_div(y),
        };
        r.ok_or(Unknown::error("arithmetic overflow"))
    }

    /// Functions: the core ones written again here; a kind's own through
    /// its implementation.
    fn call(&mut self, f: Builtin, args: &'a [TExpr]) -> R<'a> {
        // Every argument is read, so that an undecided call names every
        // value it lacks.
        let mut vals = Vec::with_capacity(args.len());
        let mut unknown: Option<Unknown> = None;
        for a in args {
            match self.value(a) {
                Ok(v) => vals.push(v),
                Err(u) => unknown = Some(unknown.map_or(u.clone(), |x| x.merge(u))),
            }
        }
        if let Some(u) = unknown {
            return Err(u);
        }
        let dec = |n: i64| V::Dec(Decimal::from(n));
        Ok(match (f.name(), vals.as_slice()) {
            ("lower", [V::Str(s)]) => V::Str(s.to_lowercase()),
            ("upper", [V::Str(s)]) => V::Str(s.to_uppercase()),
            ("trim", [V::Str(s)]) => V::Str(s.trim().to_string()),
            ("len", [V::Str(s)]) => dec(s.chars().count() as i64),
            ("len", [V::List(l)]) => dec(l.len() as i64),
            ("abs", [V::Dec(d)]) => V::Dec(d.abs()),
            ("min", [V::Dec(a), V::Dec(b)]) => V::Dec(*a.min(b)),
            ("max", [V::Dec(a), V::Dec(b)]) => V::Dec(*a.max(b)),
            ("year", [V::Date(d)]) => dec(i64::from(d.to_time().year())),
            ("days_between", [V::Date(a), V::Date(b)]) => dec(i64::from(b.day_number()) - i64::from(a.day_number())),
            ("chapter", [V::Code(c)]) => {
                V::Dec(c.as_str().get(..2).and_then(|d| d.parse::<Decimal>().ok()).ok_or(Unknown::error(TYPE_ERROR))?)
            }
            _ => return Err(Unknown::error(TYPE_ERROR)),
        })
    }

    /// Searches a set entry by entry: the first entry in force that covers
    /// the value, else one listed later, else (hierarchical kinds) an entry
    /// the value is a less precise ancestor of.
    fn lookup(&self, set: usize, v: &V<'_>) -> Lookup {
        let def = &self.rules.sets[set];
        let kind = def.elem.kind();
        let in_force = |e: &crate::check::Entry| e.in_force(self.date);
        let (mut not_yet, mut broader) = (None, None);
        for (i, e) in def.entries.iter().enumerate() {
            let matched = match (&e.value, v, kind.matching()) {
                (EntryValue::Code(a), V::Code(b), _) if a.kind() == b.kind() => {
                    if kind.covers(a, b) {
                        true
                    } else {
                        // A record coded less precisely than the entry.
                        if let Matching::Prefix { broader_from } = kind.matching()
                            && b.len() >= broader_from
                            && kind.covers(b, a)
                            && broader.is_none()
                            && in_force(e)
                        {
                            broader = Some(i);
                        }
                        false
                    }
                }
                (EntryValue::Text(a), V::Str(b), Matching::Text { fold, .. }) => *a == fold(b),
                _ => return Lookup::WrongKind,
            };
            if matched {
                if in_force(e) {
                    return Lookup::Match(i);
                }
                if e.since.is_some_and(|s| s > self.date) {
                    not_yet.get_or_insert(i);
                }
            }
        }
        match (broader, not_yet) {
            (Some(i), _) => Lookup::Match(i),
            (None, Some(i)) => Lookup::NotYet(i),
            (None, None) => Lookup::None,
        }
    }
}

enum Lookup {
    Match(usize),
    NotYet(usize),
    None,
    WrongKind,
}

/// Compares two values of one kind by the kind's order; `None` for values
/// of different kinds.
fn compare(op: CmpOp, a: &V<'_>, b: &V<'_>) -> Option<bool> {
    use std::cmp::Ordering::*;
    let o = match (a, b) {
        (V::Str(x), V::Str(y)) => x.to_lowercase().cmp(&y.to_lowercase()),
        (V::Dec(x), V::Dec(y)) => x.cmp(y),
        (V::Date(x), V::Date(y)) => x.day_number().cmp(&y.day_number()),
        (V::Code(x), V::Code(y)) if x.kind() == y.kind() => x.as_str().cmp(y.as_str()),
        (V::Bool(x), V::Bool(y)) => x.cmp(y),
        _ => return None,
    };
    Some(match op {
        CmpOp::Eq => o == Equal,
        CmpOp::Ne => o != Equal,
        CmpOp::Lt => o == Less,
        CmpOp::Le => matches!(o, Less | Equal),
        CmpOp::Gt => o == Greater,
        CmpOp::Ge => matches!(o, Greater | Equal),
    })
}

/// A text test, case-insensitive: the plain way.
fn text_test(op: StrOp, s: &str, p: &str) -> bool {
    // The same reading of texts as the engine's (one definition: it is
    // what a text means, not how it is evaluated).
    let (s, p) = (crate::values::text::search_form(s).into_owned(), crate::values::text::search_form(p).into_owned());
    match op {
        StrOp::Contains => s.contains(&p),
        StrOp::StartsWith => s.starts_with(&p),
        StrOp::EndsWith => s.ends_with(&p),
        StrOp::ContainsWord => has_words(&s, &p),
    }
}

/// `contains word`, written without the compiled evaluator's phrase keys:
/// some run of whole words of the text, glued together, spells the
/// phrase's words glued together (or that and a plural `s`/`es`); a phrase
/// in a script written without spaces (Han, kana, Hangul) is found inside
/// a word.
fn has_words(text: &str, phrase: &str) -> bool {
    let words = |t: &str| -> Vec<String> {
        t.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_string).collect()
    };
    let key: String = words(phrase).concat();
    if key.is_empty() {
        return true;
    }
    let unspaced = |c: char| {
        matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF
            | 0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF)
    };
    let w = words(text);
    if key.chars().any(unspaced) {
        return w.iter().any(|x| x.contains(&key));
    }
    for i in 0..w.len() {
        let mut glued = String::new();
        for word in &w[i..] {
            glued.push_str(word);
            if glued == key || glued == format!("{key}s") || glued == format!("{key}es") {
                return true;
            }
            if glued.len() >= key.len() + 2 {
                break;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::has_words;

    #[test]
    fn whole_words_the_plain_way() {
        for (t, p, want) in [
            ("jet a1 aviation kerosene", "jet a-1", true),
            ("heavy machine guns", "machine gun", true),
            ("unused vessel", "used", false),
            ("al/cu alloy", "l/c", false),
            ("3号喷气燃料", "喷气燃料", true),
            ("jet a-10", "jet a-1", false),
            ("gunsmith", "gun", false),
        ] {
            assert_eq!(has_words(t, p), want, "{p:?} in {t:?}");
        }
    }
}
