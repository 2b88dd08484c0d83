//! Evaluation: every rule in force on the record's date, on every record.
//! Conditions use three-valued logic so that a rule needing a value the record
//! lacks is neither silently passed nor wrongly blocked: it is reported as
//! indeterminate (fail closed), unless the rule tests for absence itself.

pub mod aggregate;
mod licence;
pub mod screen;

use std::borrow::Cow;

use crate::check::ListId;
use crate::check::{ArithOp, Builtin, CmpOp, Lit, MsgPart, Severity, StrOp};
use crate::compile::Subject;
use crate::compile::{CExpr, CLookup, CRule, Matcher, Program};
use crate::findings::{Decision, Evaluated, Finding, Outcome, ScreenHit, SetMatch, SkippedRule, Suppression};
use crate::records::{Cell, FieldProblem, Record, Value};
use crate::schema::FieldId;
use crate::syntax::ast::Quantifier;
use crate::values::functions::Arg;
use crate::values::text::{cmp_folded, contains_word, has_phrase, search_form, words};
use crate::values::{Code, Date, Decimal, unit};

/// Why a value is unknown. Masks are bit sets of field (or group) ids.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Why {
    /// The record has the column but no value.
    missing: u64,
    /// The value could not be read.
    bad: u64,
    /// The file has no column for a field read directly.
    nocol: u64,
    /// The file has no column for any member of a group.
    groups: u64,
    /// A value could not be used (division by zero, an unknown unit).
    error: Option<&'static str>,
}

impl Why {
    fn merge(self, o: Why) -> Why {
        Why {
            missing: self.missing | o.missing,
            bad: self.bad | o.bad,
            nocol: self.nocol | o.nocol,
            groups: self.groups | o.groups,
            error: self.error.or(o.error),
        }
    }

    fn error(e: &'static str) -> Why {
        Why { error: Some(e), ..Why::default() }
    }

    /// Whether the record itself is at fault (not only missing columns).
    fn record_level(self) -> bool {
        self.missing != 0 || self.bad != 0 || self.error.is_some()
    }
}

/// A truth value in Kleene logic.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Tri {
    T,
    F,
    U(Why),
}

impl Tri {
    fn from(b: bool) -> Tri {
        if b { Tri::T } else { Tri::F }
    }
}

/// A value during evaluation.
#[derive(Debug, Clone)]
enum V<'a> {
    Bool(bool),
    Str(Cow<'a, str>),
    Dec(Decimal),
    Date(Date),
    Code(Code),
    List(&'a [Value]),
}

type R<'a> = Result<V<'a>, Why>;

struct Ctx<'a> {
    prog: &'a Program,
    rec: &'a Record<'a>,
    date: Date,
    /// Elements bound by enclosing quantifiers, with the field each came from.
    vars: Vec<(V<'a>, Option<FieldId>)>,
    /// A group's elements, kept from one `any` over a group to the next (a
    /// fresh buffer each time was an allocation a rule a record).
    elements: Vec<(V<'a>, FieldId)>,
    matches: Vec<SetMatch>,
    /// Screening hits of the rule being evaluated.
    screens: Vec<ScreenHit>,
    /// A screening test matched only entries listed after the date.
    later: bool,
    /// Count entries listed after the date as hits (second pass).
    ignore_listing: bool,
    /// Suppressed screening matches, for the whole record.
    suppressed: Vec<Suppression>,
    /// (list, field) pairs screened, for the whole record.
    screened: Vec<(ListId, FieldId)>,
}

fn bit(f: FieldId) -> u64 {
    1u64 << (f as u32 & 63)
}

fn literal(l: &Lit) -> V<'_> {
    match l {
        Lit::Bool(b) => V::Bool(*b),
        Lit::Str(s) => V::Str(Cow::Borrowed(s)),
        Lit::Dec(d) => V::Dec(*d),
        Lit::Date(d) => V::Date(*d),
        Lit::Code(c) => V::Code(*c),
    }
}

fn from_value(v: &Value) -> V<'_> {
    match v {
        Value::Str(s) => V::Str(Cow::Borrowed(s)),
        Value::Dec(d) => V::Dec(*d),
        Value::Date(d) => V::Date(*d),
        Value::Code(c) => V::Code(*c),
        Value::List(l) => V::List(l),
    }
}

impl<'a> Ctx<'a> {
    fn subject(&self, s: Subject) -> Option<FieldId> {
        match s {
            Subject::None => None,
            Subject::Field(f) => Some(f),
            Subject::Var(d) => self.vars.get(d).and_then(|(_, f)| *f),
        }
    }

    #[inline]
    fn field(&self, f: FieldId) -> R<'a> {
        match &self.rec.cells[f] {
            Cell::Ok { value, .. } => Ok(from_value(value)),
            Cell::Str { value, .. } => Ok(V::Str(Cow::Borrowed(value))),
            Cell::Missing => Err(Why { missing: bit(f), ..Why::default() }),
            Cell::Bad { .. } => Err(Why { bad: bit(f), ..Why::default() }),
            Cell::NoColumn => Err(Why { nocol: bit(f), ..Why::default() }),
        }
    }

    fn truth(&mut self, e: &'a CExpr) -> Tri {
        match e {
            CExpr::Lit(Lit::Bool(b)) => Tri::from(*b),
            CExpr::Not(x) => match self.truth(x) {
                Tri::T => Tri::F,
                Tri::F => Tri::T,
                u => u,
            },
            CExpr::And(xs) => {
                let mut why: Option<Why> = None;
                for x in xs {
                    match self.truth(x) {
                        Tri::F => return Tri::F,
                        Tri::U(w) => why = Some(why.map_or(w, |a| a.merge(w))),
                        Tri::T => {}
                    }
                }
                why.map_or(Tri::T, Tri::U)
            }
            CExpr::Or(xs) => {
                let mut why: Option<Why> = None;
                for x in xs {
                    match self.truth(x) {
                        Tri::T => return Tri::T,
                        Tri::U(w) => why = Some(why.map_or(w, |a| a.merge(w))),
                        Tri::F => {}
                    }
                }
                why.map_or(Tri::F, Tri::U)
            }
            CExpr::LicenceValid(t) => self.licence_valid(t),
            // Without a column, presence cannot be known either.
            CExpr::Present(f) | CExpr::Absent(f) => match self.rec.cells[*f] {
                Cell::NoColumn => Tri::U(Why { nocol: bit(*f), ..Why::default() }),
                Cell::Ok { .. } | Cell::Str { .. } | Cell::Bad { .. } => Tri::from(matches!(e, CExpr::Present(_))),
                Cell::Missing => Tri::from(matches!(e, CExpr::Absent(_))),
            },
            CExpr::Cmp(op, l, r) => {
                let (l, r) = (self.operand(l), self.operand(r));
                match (l, r) {
                    (Ok(a), Ok(b)) => compare(*op, &a, &b).map_or(Tri::U(Why::error(TYPE_ERROR)), Tri::from),
                    (Err(w), Ok(_)) | (Ok(_), Err(w)) => Tri::U(w),
                    (Err(a), Err(b)) => Tri::U(a.merge(b)),
                }
            }
            CExpr::In(v, set, subject) => {
                // A field's or a bound element's value is looked up where it
                // lies: copied out as an operand, a code was written in
                // pieces and read back whole, a stalled load per test.
                let found = match &**v {
                    CExpr::Field(f) => match &self.rec.cells[*f] {
                        Cell::Ok { value: Value::Code(c), .. } => self.lookup_key(*set, Key::Code(c)),
                        Cell::Str { value, .. } => self.lookup_key(*set, Key::Str(value)),
                        _ => match self.field(*f) {
                            Err(w) => return Tri::U(w),
                            Ok(val) => self.lookup(*set, &val),
                        },
                    },
                    CExpr::Var(d) => match self.vars.get(*d) {
                        Some((val, _)) => self.lookup(*set, val),
                        None => Lookup::WrongKind,
                    },
                    _ => match self.operand(v) {
                        Err(w) => return Tri::U(w),
                        Ok(val) => self.lookup(*set, &val),
                    },
                };
                match found {
                    Lookup::Found(entry, broader) => {
                        let field = self.subject(*subject);
                        self.matches.push(SetMatch { field, set: *set, entry, broader, column: None });
                        Tri::T
                    }
                    Lookup::NotFound => Tri::F,
                    Lookup::WrongKind => Tri::U(Why::error(TYPE_ERROR)),
                }
            }
            CExpr::Screen(value, spec, subject, key) => self.screen(value, (spec, *key), *subject),
            CExpr::StrLit(op, s, pat) => match self.value(s) {
                Ok(V::Str(s)) => Tri::from(str_test(*op, &search_form(&s), pat)),
                Ok(_) => Tri::U(Why::error(TYPE_ERROR)),
                Err(w) => Tri::U(w),
            },
            CExpr::StrDyn(op, s, p) => match (self.value(s), self.value(p)) {
                (Ok(V::Str(s)), Ok(V::Str(p))) => Tri::from(str_test(*op, &search_form(&s), &search_form(&p))),
                (Err(w), _) | (_, Err(w)) => Tri::U(w),
                _ => Tri::U(Why::error(TYPE_ERROR)),
            },
            CExpr::StrSet(op, s, set) => self.str_set(*op, s, *set),
            CExpr::ListHas(f, v) => self.list_has(*f, v),
            CExpr::Quant(kind, f, body) => {
                let items = match self.field(*f) {
                    Ok(V::List(items)) => items,
                    Ok(_) => return Tri::U(Why::error(TYPE_ERROR)),
                    Err(w) => return Tri::U(w),
                };
                self.quantify(*kind, items.iter().map(|i| (from_value(i), Some(*f))), body)
            }
            CExpr::GroupQuant(kind, g, body) => self.group(*kind, *g, body),
            CExpr::QuantLookup(kind, l, body) => {
                let items = match self.cell(l) {
                    Ok(V::List(items)) => items,
                    Ok(_) => return Tri::U(Why::error(TYPE_ERROR)),
                    Err(w) => return Tri::U(w),
                };
                self.quantify(*kind, items.iter().map(|i| (from_value(i), None)), body)
            }
            CExpr::Convert(c) => match self.convert(c) {
                Ok(_) => Tri::U(Why::error(TYPE_ERROR)),
                Err(w) => Tri::U(w),
            },
            other => match self.value(other) {
                Ok(V::Bool(b)) => Tri::from(b),
                Ok(_) => Tri::U(Why::error(TYPE_ERROR)),
                Err(w) => Tri::U(w),
            },
        }
    }

    /// `subject matches list …`: screening, noting what was screened and
    /// what reviewed clearances suppressed.
    fn screen(&mut self, value: &'a CExpr, (spec, key): (&'a crate::check::Screen, u64), subject: Subject) -> Tri {
        let v = match self.value(value) {
            Err(w) => return Tri::U(w),
            Ok(V::Str(v)) => v,
            Ok(_) => return Tri::U(Why::error(TYPE_ERROR)),
        };
        let field = self.subject(subject);
        if let Some(f) = field
            && !self.screened.contains(&(spec.list, f))
        {
            self.screened.push((spec.list, f));
        }
        let rules = &self.prog.rules;
        let id = self.rec.cells.get(rules.schema.key).and_then(crate::records::Cell::text).unwrap_or("");
        let r = screen::screen_value(rules, (spec, key), &v, field, self.date, id, self.ignore_listing);
        for sup in r.suppressed {
            if !self.suppressed.contains(&sup) {
                self.suppressed.push(sup);
            }
        }
        match r.hit {
            Some(h) => {
                self.screens.push(*h);
                Tri::T
            }
            None => {
                self.later |= r.later.is_some();
                // Not screened fully: undecided, so the rule goes to review (fail closed).
                if r.long_word { Tri::U(Why::error(crate::screen::LONG_WORD_NOTE)) } else { Tri::F }
            }
        }
    }

    /// A text test against every pattern of a set of texts.
    fn str_set(&mut self, op: StrOp, s: &'a CExpr, set: usize) -> Tri {
        let s = match self.value(s) {
            Ok(V::Str(s)) => s,
            Ok(_) => return Tri::U(Why::error(TYPE_ERROR)),
            Err(w) => return Tri::U(w),
        };
        let low = search_form(&s);
        let Matcher::Text { patterns, phrases, .. } = &self.prog.matchers[set] else {
            return Tri::U(Why::error(TYPE_ERROR));
        };
        if op == StrOp::ContainsWord {
            let w = words(&low);
            Tri::from(phrases.iter().any(|p| has_phrase(&w, p)))
        } else {
            Tri::from(patterns.iter().any(|p| str_test(op, &low, p)))
        }
    }

    /// `list contains value`.
    fn list_has(&mut self, f: FieldId, v: &'a CExpr) -> Tri {
        let (items, want) = match (self.field(f), self.value(v)) {
            (Ok(V::List(items)), Ok(want)) => (items, want),
            (Err(w), _) | (_, Err(w)) => return Tri::U(w),
            _ => return Tri::U(Why::error(TYPE_ERROR)),
        };
        let mut found = Some(false);
        for i in items {
            match compare(CmpOp::Eq, &from_value(i), &want) {
                Some(true) => return Tri::T,
                Some(false) => {}
                None => found = None,
            }
        }
        found.map_or(Tri::U(Why::error(TYPE_ERROR)), Tri::from)
    }

    /// `any`/`all` over the values of a group's members that have a column.
    fn group(&mut self, kind: Quantifier, g: crate::schema::GroupId, body: &'a CExpr) -> Tri {
        let group = &self.prog.rules.schema.groups[g];
        // (An `any` nested in the body finds the buffer taken and makes its own.)
        let mut elements = std::mem::take(&mut self.elements);
        if elements.capacity() == 0 {
            elements = SPARE.with(|b| std::mem::take(&mut b.borrow_mut().1));
        }
        elements.clear();
        let (mut with_column, mut blank, mut bad) = (false, 0u64, 0u64);
        for &m in &group.members {
            let cell = &self.rec.cells[m];
            with_column |= !matches!(cell, Cell::NoColumn);
            match cell {
                Cell::NoColumn => {}
                Cell::Missing => blank |= bit(m),
                Cell::Bad { .. } => bad |= bit(m),
                Cell::Ok { value: Value::List(items), .. } => {
                    if items.is_empty() {
                        blank |= bit(m);
                    }
                    elements.extend(items.iter().map(|i| (from_value(i), m)));
                }
                Cell::Ok { value, .. } => elements.push((from_value(value), m)),
                Cell::Str { value, .. } => elements.push((V::Str(Cow::Borrowed(value)), m)),
            }
        }
        if !with_column {
            return Tri::U(Why { groups: 1 << (g as u32 & 63), ..Why::default() });
        }
        // An unreadable member is unknown; blank members are only
        // unknown when no member has a value at all.
        let empty = elements.is_empty();
        let r = self.quantify(kind, elements.drain(..).map(|(v, f)| (v, Some(f))), body);
        self.elements = elements;
        match r {
            _ if empty && bad == 0 => Tri::U(Why { missing: blank, ..Why::default() }),
            Tri::T if kind == Quantifier::Any => Tri::T,
            Tri::F if kind == Quantifier::All => Tri::F,
            _ if bad != 0 => Tri::U(Why { bad, ..Why::default() }.merge(match r {
                Tri::U(w) => w,
                _ => Why::default(),
            })),
            r => r,
        }
    }

    /// `any`/`all` over elements in Kleene logic. `any` looks at every
    /// element, so that every match is evidence and every value is screened.
    fn quantify(
        &mut self,
        kind: Quantifier,
        items: impl Iterator<Item = (V<'a>, Option<FieldId>)>,
        body: &'a CExpr,
    ) -> Tri {
        let mut why: Option<Why> = None;
        let mut found = false;
        if self.vars.capacity() == 0 {
            self.vars = SPARE.with(|b| std::mem::take(&mut b.borrow_mut().0));
        }
        for item in items {
            let before = self.matches.len();
            self.vars.push(item);
            let t = self.truth(body);
            self.vars.pop();
            // Evidence comes from the elements that decided, not the others.
            if kind == Quantifier::Any && t != Tri::T {
                self.matches.truncate(before);
            }
            match (kind, t) {
                (Quantifier::Any, Tri::T) => found = true,
                (Quantifier::All, Tri::F) => return Tri::F,
                (_, Tri::U(w)) => why = Some(why.map_or(w, |a| a.merge(w))),
                _ => {}
            }
        }
        match (found, why, kind) {
            (true, _, _) => Tri::T,
            (false, Some(w), _) => Tri::U(w),
            (false, None, Quantifier::Any) => Tri::F,
            (false, None, Quantifier::All) => Tri::T,
        }
    }

    /// A table's cell: the row of the key (for codes, the most precise key
    /// that covers it), then the column. A key not in the table, a code less
    /// precise than its keys, an empty cell: undecided, never a silent miss.
    fn cell(&mut self, l: &'a CLookup) -> R<'a> {
        let key = self.value(&l.key)?;
        let prog = self.prog;
        let Some(table) = prog.rules.sets[l.table].table.as_ref() else { return Err(Why::error(TYPE_ERROR)) };
        let row = self.table_row(l.table, &key)?;
        let col = match &l.column {
            Ok(c) => *c,
            Err(e) => match self.value(e)? {
                V::Str(name) => table.column(&name).ok_or(Why::error("the table has no column of that name"))?,
                _ => return Err(Why::error(TYPE_ERROR)),
            },
        };
        let field = self.subject(l.subject);
        self.matches.push(SetMatch { field, set: l.table, entry: row, broader: false, column: Some(col as u16) });
        match table.rows.get(row as usize).and_then(|r| r.get(col)) {
            Some(Some(v)) => Ok(from_value(v)),
            _ => Err(Why::error("the table's cell is empty")),
        }
    }

    /// The row of a key: the entry equal to it, or for hierarchical codes
    /// the most precise key that covers it (`3A001.a.7` → `3A001`).
    fn table_row(&self, set: usize, v: &V<'_>) -> Result<u32, Why> {
        let first = |ids: Option<&Vec<u32>>| ids.and_then(|ids| ids.first().copied());
        let found = match (&self.prog.matchers[set], v) {
            (Matcher::Codes { exact, prefix: false, .. }, V::Code(c)) => first(exact.get(c)),
            (Matcher::Codes { exact, lens, prefix: true, .. }, V::Code(c)) => {
                let kind = c.kind().kind();
                lens.iter()
                    .rev()
                    .filter(|k| **k <= c.len() && kind.is_boundary(c, **k))
                    .find_map(|k| first(exact.get(&c.prefix(*k))))
            }
            (Matcher::Text { map, fold, .. }, V::Str(s)) => first(map.get(fold(s).as_bytes())),
            _ => return Err(Why::error(TYPE_ERROR)),
        };
        found.ok_or(Why::error("the value is not a key of the table"))
    }

    /// `quantity as UNIT`: the record's quantity in the rule's unit.
    fn convert(&self, c: &crate::check::Convert) -> Result<Decimal, Why> {
        let qty = match self.field(c.value) {
            Ok(V::Dec(d)) => Ok(d),
            Ok(_) => Err(Why::error(TYPE_ERROR)),
            Err(w) => Err(w),
        };
        let unit = match self.field(c.unit) {
            Ok(V::Str(u)) => Ok(u),
            Ok(_) => Err(Why::error(TYPE_ERROR)),
            Err(w) => Err(w),
        };
        let (qty, unit) = match (qty, unit) {
            (Ok(q), Ok(u)) => (q, u),
            (Err(a), Err(b)) => return Err(a.merge(b)),
            (Err(w), _) | (_, Err(w)) => return Err(w),
        };
        let from = unit::table().lookup(&unit).map_err(|p| Why::error(p.reason()))?;
        match unit::convert(qty, from, &c.target, c.factor.as_ref()) {
            Ok(Some(d)) => Ok(d),
            Ok(None) => Err(Why::error("arithmetic overflow")),
            Err(p) => Err(Why::error(p.reason())),
        }
    }

    /// [`Ctx::value`], with a field and a literal (most operands) read in
    /// line: the call's result, passed back through memory, cost more than
    /// reading them (a stalled load, a tenth of the evaluator's time).
    #[inline(always)]
    fn operand(&mut self, e: &'a CExpr) -> R<'a> {
        match e {
            CExpr::Field(f) => self.field(*f),
            CExpr::Lit(l) => Ok(literal(l)),
            _ => self.value(e),
        }
    }

    fn value(&mut self, e: &'a CExpr) -> R<'a> {
        match e {
            CExpr::Lit(l) => Ok(literal(l)),
            CExpr::Field(f) => self.field(*f),
            CExpr::Var(d) => Ok(self.vars[*d].0.clone()),
            CExpr::Lookup(l) => self.cell(l),
            CExpr::Convert(c) => self.convert(c).map(V::Dec),
            CExpr::Arith(op, l, r) => {
                let (a, b) = (self.dec(l), self.dec(r));
                let (a, b) = match (a, b) {
                    (Ok(a), Ok(b)) => (a, b),
                    (Err(w), Ok(_)) | (Ok(_), Err(w)) => return Err(w),
                    (Err(x), Err(y)) => return Err(x.merge(y)),
                };
                let r = match op {
                    ArithOp::Add => a.checked_add(b),
                    ArithOp::Sub => a.checked_sub(b),
                    ArithOp::Mul => a.checked_mul(b),
                    ArithOp::Div if b.is_zero() => return Err(Why::error("division by zero")),
                    ArithOp::Div => a.checked_div(b),
                };
                r.map(V::Dec).ok_or(Why::error("arithmetic overflow"))
            }
            CExpr::Neg(x) => Ok(V::Dec(-self.dec(x)?)),
            CExpr::Call(f, args) => self.call(*f, args),
            other => match self.truth(other) {
                Tri::T => Ok(V::Bool(true)),
                Tri::F => Ok(V::Bool(false)),
                Tri::U(w) => Err(w),
            },
        }
    }

    fn dec(&mut self, e: &'a CExpr) -> Result<Decimal, Why> {
        match self.value(e)? {
            V::Dec(d) => Ok(d),
            _ => Err(Why::error(TYPE_ERROR)),
        }
    }

    /// `licence_valid(license)`: false when no licence is cited or it is
    /// unknown, not valid on the date or out of scope; undecided when a
    /// field its scope needs is empty, or the run has no register.
    fn licence_valid(&self, t: &crate::check::LicenceTest) -> Tri {
        let cell = &self.rec.cells[t.licence];
        let Some(cited) = cell.text() else {
            return match cell {
                Cell::NoColumn => Tri::U(Why { nocol: bit(t.licence), ..Why::default() }),
                _ => Tri::F,
            };
        };
        let Some(checks) = &self.prog.rules.licences else {
            return Tri::U(Why::error("no licence register is loaded (`--licences`)"));
        };
        let texts: Vec<Option<String>> =
            t.scope().iter().map(|f| f.and_then(|f| licence::field_text(self.rec, f))).collect();
        let shipment = crate::licence::Shipment::of(&texts);
        match crate::licence::verdict(&checks.register, cited, self.date, &shipment) {
            Ok(b) => Tri::from(b),
            Err(missing) => {
                let fields = t.scope();
                let why = missing
                    .iter()
                    .filter_map(|i| fields[*i])
                    .fold(Why::default(), |w, f| w.merge(licence::cell_why(&self.rec.cells[f], f)));
                Tri::U(if why == Why::default() {
                    Why::error("a field the licence's scope needs is not in the schema")
                } else {
                    why
                })
            }
        }
    }

    fn call(&mut self, f: Builtin, args: &'a [CExpr]) -> R<'a> {
        // One argument (`trim(seller)`), the usual call, without a vector.
        if let [a] = args {
            let v = self.value(a)?;
            // `trim(seller)`: a part of the record's own text, not a copy.
            if let (Some(slice), V::Str(Cow::Borrowed(s))) = (f.function.text_slice, &v) {
                return Ok(V::Str(Cow::Borrowed(slice(s))));
            }
            let arg = arg_of(&v).ok_or(Why::error(TYPE_ERROR))?;
            return (f.function.call)(&[arg]).ok_or(Why::error(TYPE_ERROR)).and_then(from_result);
        }
        let mut vals = Vec::with_capacity(args.len());
        let mut why: Option<Why> = None;
        for a in args {
            match self.value(a) {
                Ok(v) => vals.push(v),
                Err(w) => why = Some(why.map_or(w, |x| x.merge(w))),
            }
        }
        if let Some(w) = why {
            return Err(w);
        }
        let args: Option<Vec<Arg<'_>>> = vals.iter().map(arg_of).collect();
        let out = args.and_then(|a| (f.function.call)(&a)).ok_or(Why::error(TYPE_ERROR))?;
        from_result(out)
    }

    /// Looks a value up in a set; the first entry in force on the record's
    /// date, and whether it matched only at a broader level.
    fn lookup(&self, set: usize, v: &V<'_>) -> Lookup {
        match v {
            V::Code(c) => self.lookup_key(set, Key::Code(c)),
            V::Str(s) => self.lookup_key(set, Key::Str(s)),
            _ => Lookup::WrongKind,
        }
    }

    /// [`Ctx::lookup`] of a value borrowed where it lies.
    fn lookup_key(&self, set: usize, v: Key<'_>) -> Lookup {
        let entries = &self.prog.rules.sets[set].entries;
        let in_force = |ids: &Vec<u32>| ids.iter().copied().find(|i| entries[*i as usize].in_force(self.date));
        let found = |hit: Option<(u32, bool)>| hit.map_or(Lookup::NotFound, |(i, b)| Lookup::Found(i, b));
        match (&self.prog.matchers[set], v) {
            (Matcher::Codes { exact, prefix: false, .. }, Key::Code(c)) => {
                found(exact.get(c).and_then(in_force).map(|i| (i, false)))
            }
            (Matcher::Codes { exact, lens, broader, prefix: true }, Key::Code(c)) => {
                let kind = c.kind().kind();
                for &k in lens {
                    if k > c.len() {
                        break;
                    }
                    if kind.is_boundary(c, k)
                        && let Some(i) = exact.get(&c.prefix(k)).and_then(in_force)
                    {
                        return Lookup::Found(i, false);
                    }
                }
                found(broader.get(c).and_then(in_force).map(|i| (i, true)))
            }
            (Matcher::Text { map, fold, ascii_lowercase, .. }, Key::Str(s)) => {
                // Short ASCII text (a name, a code) lowercased on the stack.
                let mut buf = [0u8; 96];
                let lowered =
                    if *ascii_lowercase { crate::values::text::ascii_lowercase_into(s, &mut buf) } else { None };
                let hit = match lowered {
                    Some(b) => map.get(b),
                    None => map.get(fold(s).as_bytes()),
                };
                found(hit.and_then(in_force).map(|i| (i, false)))
            }
            _ => Lookup::WrongKind,
        }
    }
}

/// A value looked up in a set, borrowed.
#[derive(Clone, Copy)]
enum Key<'v> {
    Code(&'v Code),
    Str(&'v str),
}

/// What looking a value up in a set found.
enum Lookup {
    /// The entry, and whether only at a broader level.
    Found(u32, bool),
    NotFound,
    /// The value is not of the set's kind (a type error).
    WrongKind,
}

/// What evaluation reports when a value has a kind the checker did not
/// give it: undecided, never `0`, `""` or `false` (fail closed).
pub(crate) const TYPE_ERROR: &str = "type error";

/// A string test; shared with the reference evaluator. `s` and `p` are lowercased.
pub(crate) fn str_test(op: StrOp, s: &str, p: &str) -> bool {
    match op {
        StrOp::Contains => s.contains(p),
        StrOp::ContainsWord => contains_word(s, p),
        StrOp::StartsWith => s.starts_with(p),
        StrOp::EndsWith => s.ends_with(p),
    }
}

/// Compares two values of one kind; `None` when their kinds differ (which
/// the checker rules out: a type error, undecided).
fn compare(op: CmpOp, a: &V<'_>, b: &V<'_>) -> Option<bool> {
    let ord = match (a, b) {
        (V::Str(x), V::Str(y)) => cmp_folded(x, y),
        (V::Dec(x), V::Dec(y)) => x.cmp(y),
        (V::Date(x), V::Date(y)) => x.cmp(y),
        (V::Code(x), V::Code(y)) if x.kind() == y.kind() => x.cmp(y),
        (V::Bool(x), V::Bool(y)) => x.cmp(y),
        _ => return None,
    };
    Some(cmp_holds(op, ord))
}

/// A value as a function argument (truth values are not one).
fn arg_of<'v>(v: &'v V<'_>) -> Option<Arg<'v>> {
    match v {
        V::Str(s) => Some(Arg::Str(s)),
        V::Dec(d) => Some(Arg::Dec(*d)),
        V::Date(d) => Some(Arg::Date(*d)),
        V::Code(c) => Some(Arg::Code(*c)),
        V::List(l) => Some(Arg::List(l)),
        V::Bool(_) => None,
    }
}

/// A function's result as a value (a list is not one).
fn from_result<'a>(out: Value) -> R<'a> {
    Ok(match out {
        Value::Str(s) => V::Str(Cow::Owned(s.into())),
        Value::Dec(d) => V::Dec(d),
        Value::Date(d) => V::Date(d),
        Value::Code(c) => V::Code(c),
        Value::List(_) => return Err(Why::error(TYPE_ERROR)),
    })
}

/// Whether a comparison holds given how its sides order.
fn cmp_holds(op: CmpOp, o: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering;
    match op {
        CmpOp::Eq => o == Ordering::Equal,
        CmpOp::Ne => o != Ordering::Equal,
        CmpOp::Lt => o == Ordering::Less,
        CmpOp::Le => o != Ordering::Greater,
        CmpOp::Gt => o == Ordering::Greater,
        CmpOp::Ge => o != Ordering::Less,
    }
}

pub(crate) fn fields_of(mask: u64) -> Vec<FieldId> {
    (0..64).filter(|i| mask & (1u64 << i) != 0).collect()
}

/// Evaluates every rule in force on the record's date.
pub fn evaluate(prog: &Program, rec: &Record<'_>) -> Evaluated {
    evaluate_some(prog, rec, Pass::Full, None)
}

/// Evaluates only what counts over many records (rules with a `total`,
/// and the licence checks): the first pass of a run that counts, which
/// needs the contributions alone.
/// `candidates`, when given, are the record's candidate rules as the
/// counting index marked them on these cells.
pub(crate) fn evaluate_counting(prog: &Program, rec: &Record<'_>, candidates: Option<&[bool]>) -> Evaluated {
    evaluate_some(prog, rec, Pass::Counting, candidates)
}

/// Evaluates for decisions and counts alone: the record's data-quality
/// problems are not looked for. For a run whose outputs show neither
/// (`--format summary`), on records typed for their candidate rules only
/// ([`crate::records::Layout::later`]).
/// `candidates`, when given, are the record's candidate rules as the index
/// marked them on these cells ([`crate::compile::RuleIndex::candidates_and_needs`]).
pub(crate) fn evaluate_for_counts(prog: &Program, rec: &Record<'_>, candidates: Option<&[bool]>) -> Evaluated {
    evaluate_some(prog, rec, Pass::Counts, candidates)
}

/// What an evaluation is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    /// Everything a record's result holds.
    Full,
    /// Decisions and counts, without the data-quality problems.
    Counts,
    /// What counts over many records alone (the first pass of a run that counts).
    Counting,
}

/// Empty quantifier buffers of this thread, their values' lifetime erased
/// ([`reuse`]).
type Spare = (Vec<(V<'static>, Option<FieldId>)>, Vec<(V<'static>, FieldId)>);

thread_local! {
    static SPARE: std::cell::RefCell<Spare> = const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

/// An emptied buffer of values borrowed from one record, as a buffer for
/// any record: no element is kept (there are none left to keep), so
/// nothing borrowed outlives its record. Collecting a `Vec`'s own iterator into a
/// `Vec` of an element of the same layout reuses its allocation (were it
/// not to, this would only allocate).
fn reuse<T, U>(mut v: Vec<T>) -> Vec<U> {
    v.clear();
    v.into_iter().filter_map(|_| None).collect()
}

fn evaluate_some(prog: &Program, rec: &Record<'_>, pass: Pass, given: Option<&[bool]>) -> Evaluated {
    let counting = pass == Pass::Counting;
    let schema = &prog.rules.schema;
    let Some(Value::Date(date)) = rec.cells[schema.date].value() else {
        // INVARIANT: records with an unreadable date are invalid and never
        // evaluated (`Layout::finish`); a record built otherwise is not
        // passed: every rule is undecided for want of its date.
        return undated(prog, rec);
    };
    let date = *date;
    thread_local! {
        static CANDIDATES: std::cell::RefCell<Vec<bool>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    // The candidates as marked while the record was typed, or marked here
    // into this thread's buffer (given back below).
    let mut own = Vec::new();
    let candidates: &[bool] = match given {
        Some(given) if given.len() == prog.compiled.len() => given,
        _ => {
            own = CANDIDATES.with(|c| std::mem::take(&mut *c.borrow_mut()));
            if counting { &prog.counting } else { &prog.index }.candidates(rec, &mut own);
            &own
        }
    };
    // The counting pass keeps only what records add to totals: a record no
    // rule over many records may count adds nothing, and its result is never
    // shown (nor its id: the pass has no repeat check). With licence checks
    // any record may draw on a licence: those are looked at below.
    if counting && prog.rules.licences.is_none() && !candidates.contains(&true) {
        if own.capacity() > 0 {
            CANDIDATES.with(|c| *c.borrow_mut() = own);
        }
        return Evaluated {
            file: rec.file,
            line: rec.line,
            id: String::new(),
            date,
            record: None,
            decision: Decision::Pass,
            findings: Vec::new(),
            data_quality: Vec::new(),
            skipped: Vec::new(),
            suppressed: Vec::new(),
            screened: Vec::new(),
            explanation: None,
            contributions: Vec::new(),
            content: None,
            scopes: None,
        };
    }
    let mut ctx = Ctx {
        prog,
        rec,
        date,
        // Taken from this thread's spare buffers by the first quantifier
        // that needs one (a fresh one was an allocation or two a record);
        // given back below.
        vars: Vec::new(),
        elements: Vec::new(),
        matches: Vec::new(),
        screens: Vec::new(),
        later: false,
        ignore_listing: false,
        suppressed: Vec::new(),
        screened: Vec::new(),
    };
    let (mut findings, mut skipped, mut contributions) = (Vec::new(), Vec::new(), Vec::new());
    // Each regime's scope, decided once per record when a rule of it is in force.
    // (No allocation per record for rule sets without scopes.)
    let mut scope: Vec<Option<Tri>> = if prog.scoped { vec![None; prog.scopes.len()] } else { Vec::new() };
    for (idx, rule) in prog.compiled.iter().enumerate() {
        if !candidates[idx] || rule.effective.is_some_and(|e| date < e) || rule.until.is_some_and(|u| date >= u) {
            continue;
        }
        if let Some(Some(expr)) = prog.scopes.get(rule.regime) {
            let t = *scope[rule.regime].get_or_insert_with(|| ctx.truth(expr));
            ctx.matches.clear();
            ctx.screens.clear();
            if t == Tri::F {
                continue;
            }
        }
        if counting && prog.rules.rules[idx].aggregate.is_none() {
            continue;
        }
        let (result, listed_after) = judge(&mut ctx, rule);
        match result {
            RuleResult::NoFinding => {}
            RuleResult::Skipped(w) => skipped.push(SkippedRule {
                rule: idx,
                fields: fields_of(w.nocol | group_members(schema, w.groups)),
                groups: fields_of(w.groups),
            }),
            RuleResult::Finding { severity, outcome: Outcome::Violation, exemption }
                if prog.rules.rules[idx].aggregate.is_some() =>
            {
                if let Some(agg) = &prog.rules.rules[idx].aggregate {
                    contributions.push(aggregate::contribution(schema, agg, idx, rec, (severity, exemption)));
                }
            }
            RuleResult::Finding { severity, outcome, exemption } => {
                findings.push(finding(&mut ctx, idx, (severity, outcome, exemption), listed_after));
            }
        }
    }
    if own.capacity() > 0 {
        CANDIDATES.with(|c| *c.borrow_mut() = own);
    }
    // Every regime's scope is reported, whether or not a rule of it was a
    // candidate: the report counts the records each regime applied to.
    for (g, expr) in prog.scopes.iter().enumerate().filter(|_| prog.scoped) {
        if let (None, Some(expr)) = (scope[g], expr) {
            scope[g] = Some(ctx.truth(expr));
        }
    }
    let scopes = prog.scoped.then(|| {
        Box::new(crate::findings::Scopes {
            out: (0..scope.len()).filter(|g| scope[*g] == Some(Tri::F)).collect(),
            undecided: (0..scope.len()).filter(|g| matches!(scope[*g], Some(Tri::U(_)))).collect(),
        })
    });
    if let Some(checks) = &prog.rules.licences {
        licence::check(checks, &prog.rules, rec, date, &mut findings, &mut contributions);
        findings.sort_by_key(|f| f.rule);
    }
    let mut screened = std::mem::take(&mut ctx.screened);
    screened.sort_unstable();
    if ctx.vars.capacity() > 0 || ctx.elements.capacity() > 0 {
        let (vars, elements) = (reuse(std::mem::take(&mut ctx.vars)), reuse(std::mem::take(&mut ctx.elements)));
        SPARE.with(|b| {
            let mut b = b.borrow_mut();
            if vars.capacity() > 0 {
                b.0 = vars;
            }
            if elements.capacity() > 0 {
                b.1 = elements;
            }
        });
    }
    Evaluated {
        file: rec.file,
        line: rec.line,
        id: rec.key(schema).unwrap_or("").to_string(),
        date,
        record: None,
        decision: decision(&findings),
        findings,
        // The counting pass keeps only what records add to totals.
        data_quality: if pass == Pass::Full { data_quality(schema, rec) } else { Vec::new() },
        skipped,
        suppressed: ctx.suppressed,
        screened,
        explanation: None,
        contributions,
        content: None,
        scopes,
    }
}

/// A rule's result on the record, and whether it holds only through a list
/// entry listed after the transaction (a review, never a block).
fn judge<'a>(ctx: &mut Ctx<'a>, rule: &'a CRule) -> (RuleResult, bool) {
    ctx.matches.clear();
    ctx.screens.clear();
    ctx.later = false;
    let result = evaluate_rule(ctx, rule);
    if !(matches!(result, RuleResult::NoFinding) && ctx.later) {
        return (result, false);
    }
    // A screening match listed after the transaction: would the rule hold if
    // it counted? Then say so, as a review.
    ctx.matches.clear();
    ctx.screens.clear();
    ctx.ignore_listing = true;
    let again = evaluate_rule(ctx, rule);
    ctx.ignore_listing = false;
    match again {
        RuleResult::Finding { outcome: Outcome::Violation, exemption, .. }
            if ctx.screens.iter().any(|h| h.listed_after) =>
        {
            (RuleResult::Finding { severity: Severity::Review, outcome: Outcome::Violation, exemption }, true)
        }
        _ => (result, false),
    }
}

/// The finding of rule `idx`, with its message, evidence and matches.
fn finding(
    ctx: &mut Ctx<'_>,
    idx: usize,
    (severity, outcome, exemption): (Severity, Outcome, Option<usize>),
    listed_after: bool,
) -> Finding {
    let (prog, rec) = (ctx.prog, ctx.rec);
    let schema = &prog.rules.schema;
    let r = &prog.rules.rules[idx];
    // An undecided finding states what could not be checked, in neutral
    // words: the rule's message would assert what is not known.
    let mut message = match &outcome {
        Outcome::Indeterminate { .. } => format!("Not decided: {} — {}", r.title, why_text(&outcome, schema)),
        Outcome::Violation => render_message(&r.message, rec, schema),
    };
    if let Some(u) = exemption.and_then(|i| r.unless.get(i)) {
        message.push_str(&exemption_note(u, rec, schema));
    }
    if listed_after {
        message.push_str(&screen::listed_after_note(&ctx.screens, &prog.rules, ctx.date));
    }
    let evidence = evidence(&prog.compiled[idx].reads, rec);
    Finding {
        rule: idx,
        severity,
        outcome,
        message,
        evidence,
        matches: std::mem::take(&mut ctx.matches),
        screens: std::mem::take(&mut ctx.screens),
        exemption,
        aggregate: None,
    }
}

/// The values a finding shows: each field read that has a value, as written.
pub(crate) fn evidence(reads: &[FieldId], rec: &Record<'_>) -> Vec<(FieldId, String)> {
    reads.iter().filter_map(|f| rec.cells[*f].text().map(|t| (*f, t.to_string()))).collect()
}

fn decision(findings: &[Finding]) -> Decision {
    findings.iter().map(|f| Decision::from(f.severity)).max().unwrap_or(Decision::Pass)
}

/// Optional fields whose values could not be read, and texts that hide
/// invisible or direction-changing characters (read without them: a name
/// with a zero-width space is screened as the name, and says so here).
fn data_quality(schema: &crate::schema::Schema, rec: &Record<'_>) -> Vec<FieldProblem> {
    let notable = |c: &Cell<'_>| match c {
        Cell::Bad { .. } => true,
        Cell::Str { raw, .. } => !raw.is_ascii(),
        _ => false,
    };
    if rec.plain || !rec.cells.iter().any(notable) {
        return Vec::new();
    }
    schema
        .fields
        .iter()
        .zip(&rec.cells)
        .filter_map(|(def, c)| match c {
            Cell::Bad { raw, reason } => Some(FieldProblem {
                field: Some(def.name.clone()),
                value: Some(raw.to_string()),
                reason: reason.clone(),
                readable: false,
            }),
            Cell::Str { raw, .. } => crate::values::text::hidden_characters(raw).map(|reason| FieldProblem {
                field: Some(def.name.clone()),
                value: Some(crate::values::text::with_hidden_shown(raw)),
                reason,
                readable: true,
            }),
            _ => None,
        })
        .collect()
}

/// A record without a readable date: every rule undecided (review).
fn undated(prog: &Program, rec: &Record<'_>) -> Evaluated {
    let schema = &prog.rules.schema;
    let why = Why { missing: bit(schema.date), ..Why::default() };
    let findings: Vec<Finding> = (0..prog.compiled.len())
        .map(|idx| {
            let r = &prog.rules.rules[idx];
            let (severity, outcome) = (r.undecided, undecided_outcome(why, schema));
            let message = format!("Not decided: {} — {}", r.title, why_text(&outcome, schema));
            let (matches, screens, evidence) = (Vec::new(), Vec::new(), Vec::new());
            Finding {
                rule: idx,
                severity,
                outcome,
                message,
                evidence,
                matches,
                screens,
                exemption: None,
                aggregate: None,
            }
        })
        .collect();
    Evaluated {
        file: rec.file,
        line: rec.line,
        id: rec.key(schema).unwrap_or("").to_string(),
        date: Date::from_day_number(0).unwrap_or_else(|| unreachable!("day 0 is a date")),
        record: None,
        decision: decision(&findings),
        findings,
        data_quality: data_quality(schema, rec),
        skipped: Vec::new(),
        contributions: Vec::new(),
        content: None,
        scopes: prog.scoped.then(|| {
            Box::new(crate::findings::Scopes {
                out: Vec::new(),
                undecided: (0..prog.scopes.len()).filter(|g| prog.scopes[*g].is_some()).collect(),
            })
        }),
        suppressed: Vec::new(),
        screened: Vec::new(),
        explanation: None,
    }
}

/// What a finding says about the exemption that lowered it, its `{field}`
/// placeholders filled from the record.
pub fn exemption_note(u: &crate::check::Unless, rec: &Record<'_>, schema: &crate::schema::Schema) -> String {
    match (&u.name, &u.cite, &u.note) {
        (None, _, _) => format!(" — exemption claimed (`{}`): review", u.text),
        (Some(n), cite, note) => {
            let mut s = format!(" — exemption {n}");
            if let Some(c) = cite {
                s.push_str(&format!(" ({c})"));
            }
            match note {
                Some(m) => s.push_str(&format!(": {}", render_message(m, rec, schema))),
                None => s.push_str(": review"),
            }
            s
        }
    }
}

fn group_members(schema: &crate::schema::Schema, groups: u64) -> u64 {
    fields_of(groups)
        .into_iter()
        .filter_map(|g| schema.groups.get(g))
        .flat_map(|g| g.members.iter())
        .fold(0, |m, f| m | bit(*f))
}

enum RuleResult {
    NoFinding,
    /// Not decided for want of columns whose absence means `skip`.
    Skipped(Why),
    /// `exemption`: index of the `unless … then` clause that lowered the finding.
    Finding {
        severity: Severity,
        outcome: Outcome,
        exemption: Option<usize>,
    },
}

fn indeterminate(w: Why, severity: Severity, schema: &crate::schema::Schema) -> RuleResult {
    RuleResult::Finding { severity, outcome: undecided_outcome(w, schema), exemption: None }
}

/// What an undecided rule reports: the fields at fault and why.
fn undecided_outcome(w: Why, schema: &crate::schema::Schema) -> Outcome {
    Outcome::Indeterminate {
        missing: fields_of(w.missing),
        unreadable: fields_of(w.bad),
        no_column: fields_of(w.nocol | group_members(schema, w.groups)),
        no_column_groups: fields_of(w.groups),
        error: w.error,
    }
}

/// An undecided condition: a finding (review) when the record is at fault
/// or a missing column means review; skipped when every missing column
/// means skip.
fn undecided(ctx: &Ctx<'_>, w: Why, severity: Severity) -> RuleResult {
    let p = ctx.rec.policy;
    if w.record_level() || w.nocol & p.review_fields != 0 || w.groups & p.review_groups != 0 {
        indeterminate(w, severity, &ctx.prog.rules.schema)
    } else {
        RuleResult::Skipped(w)
    }
}

fn evaluate_rule<'a>(ctx: &mut Ctx<'a>, rule: &'a CRule) -> RuleResult {
    match ctx.truth(&rule.when) {
        Tri::F => RuleResult::NoFinding,
        Tri::U(w) => undecided(ctx, w, rule.undecided),
        Tri::T => {
            let when_matches = std::mem::take(&mut ctx.matches);
            let when_screens = std::mem::take(&mut ctx.screens);
            let mut lowered: Option<(Severity, usize)> = None;
            let mut unknown: Option<Why> = None;
            for (i, (u, then)) in rule.unless.iter().enumerate() {
                match ctx.truth(u) {
                    Tri::T => match then {
                        None => return RuleResult::NoFinding,
                        Some(s) => {
                            if lowered.is_none() {
                                lowered = Some((*s, i));
                            }
                        }
                    },
                    // An exemption the record cannot show is undecided; one
                    // the file has no column for is not claimed: the finding stands.
                    Tri::U(w) if w.record_level() => unknown = Some(unknown.map_or(w, |a| a.merge(w))),
                    _ => {}
                }
            }
            ctx.matches = when_matches;
            ctx.screens = when_screens;
            if let Some(w) = unknown {
                return indeterminate(w, rule.undecided, &ctx.prog.rules.schema);
            }
            match lowered {
                Some((s, i)) => RuleResult::Finding { severity: s, outcome: Outcome::Violation, exemption: Some(i) },
                None => RuleResult::Finding { severity: rule.severity, outcome: Outcome::Violation, exemption: None },
            }
        }
    }
}

/// Why a finding could not be decided, in words (`outcome` is indeterminate).
pub fn why_text(outcome: &Outcome, schema: &crate::schema::Schema) -> String {
    let Outcome::Indeterminate { missing, unreadable, no_column, no_column_groups, error } = outcome else {
        return String::new();
    };
    let names =
        |v: &[FieldId]| v.iter().map(|f| format!("`{}`", schema.fields[*f].name)).collect::<Vec<_>>().join(", ");
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!("{} {} missing", names(missing), if missing.len() == 1 { "is" } else { "are" }));
    }
    if !unreadable.is_empty() {
        parts.push(format!("{} could not be read", names(unreadable)));
    }
    let in_groups: Vec<FieldId> =
        no_column_groups.iter().filter_map(|g| schema.groups.get(*g)).flat_map(|g| g.members.clone()).collect();
    let direct: Vec<FieldId> = no_column.iter().copied().filter(|f| !in_groups.contains(f)).collect();
    if !direct.is_empty() {
        parts.push(format!("the file has no column for {}", names(&direct)));
    }
    for g in no_column_groups.iter().filter_map(|g| schema.groups.get(*g)) {
        parts.push(format!("the file has no column for any of the `{}` fields ({})", g.name, names(&g.members)));
    }
    if let Some(e) = error {
        parts.push(e.to_string());
    }
    parts.join("; ")
}

/// Fills `{field}` placeholders.
pub fn render_message(parts: &[MsgPart], rec: &Record<'_>, schema: &crate::schema::Schema) -> String {
    let mut s = String::new();
    for p in parts {
        match p {
            MsgPart::Text(t) => s.push_str(t),
            MsgPart::Field(f, default) => match (rec.cells[*f].text(), default) {
                (Some(t), _) if !t.trim().is_empty() => s.push_str(t),
                (_, Some(d)) => s.push_str(d),
                _ => s.push_str(&format!("no {}", schema.fields[*f].name)),
            },
        }
    }
    s
}
