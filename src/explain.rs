//! Explanations: why a record got its decision, rule by rule and condition
//! by condition, in plain words. This is also Cordon's reference evaluator:
//! a plain tree walk over the checked rule set (sets searched entry by entry,
//! nothing precompiled), against which the compiled evaluator is tested.

use crate::check::display::{expr_text_with_vars, str_op, var_name};
use crate::check::{ArithOp, Builtin, CmpOp, EntryValue, Lit, Rule, RuleSet, Severity, TExpr};
use crate::eval::{cmp_holds, render_message, str_test};
use crate::findings::{Decision, Explanation, Node, Outcome, RuleExplanation, Truth, UnlessExplanation};
use crate::records::{Cell, Record, Value};
use crate::schema::{FieldId, Scalar};
use crate::syntax::ast::Quantifier;
use crate::values::{Date, Decimal, name::normalize};

/// A finding of the reference evaluator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefFinding {
    /// Index of the rule.
    pub rule: usize,
    /// Severity.
    pub severity: Severity,
    /// Violation or indeterminate (with the fields at fault).
    pub outcome: Outcome,
}

#[derive(Debug, Clone)]
enum V<'a> {
    Bool(bool),
    Str(String),
    Dec(Decimal),
    Date(Date),
    Country(crate::values::Country),
    Hs(crate::values::HsCode),
    List(&'a [Value]),
}

impl V<'_> {
    fn show(&self) -> String {
        match self {
            V::Bool(b) => b.to_string(),
            V::Str(s) => format!("\"{s}\""),
            V::Dec(d) => d.to_string(),
            V::Date(d) => d.to_string(),
            V::Country(c) => c.to_string(),
            V::Hs(h) => h.to_string(),
            V::List(l) => l.iter().map(|v| from_value(v).show()).collect::<Vec<_>>().join(";"),
        }
    }
}

/// Why a value is unknown: fields missing, fields unreadable, fields with no
/// column in the file, or an arithmetic error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Unknown {
    missing: Vec<FieldId>,
    bad: Vec<FieldId>,
    nocol: Vec<FieldId>,
    /// Groups the file has no column for at all.
    groups: Vec<usize>,
    error: Option<&'static str>,
}

impl Unknown {
    fn error(e: &'static str) -> Unknown {
        Unknown { error: Some(e), ..Unknown::default() }
    }

    fn merge(mut self, o: Unknown) -> Unknown {
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

    fn record_level(&self) -> bool {
        !self.missing.is_empty() || !self.bad.is_empty() || self.error.is_some()
    }
}

fn from_value(v: &Value) -> V<'_> {
    match v {
        Value::Str(s) => V::Str(s.to_string()),
        Value::Dec(d) => V::Dec(*d),
        Value::Date(d) => V::Date(*d),
        Value::Country(c) => V::Country(*c),
        Value::Hs(h) => V::Hs(*h),
        Value::List(l) => V::List(l),
    }
}

/// Evaluates conditions on one record, entry by entry, explaining as it goes.
struct Ref<'a> {
    rules: &'a RuleSet,
    rec: &'a Record,
    date: Date,
    /// Elements bound by enclosing quantifiers, with the field each came from.
    vars: Vec<(&'a Value, FieldId)>,
    /// Count list entries listed after the date as matches (second pass).
    ignore_listing: bool,
    /// A screening test matched only entries listed after the date.
    later: bool,
    /// A match listed after the date made a test hold (second pass).
    used_later: bool,
}

type R<'a> = Result<V<'a>, Unknown>;

fn truth(t: &Result<bool, Unknown>) -> Truth {
    match t {
        Ok(true) => Truth::True,
        Ok(false) => Truth::False,
        Err(_) => Truth::Undecided,
    }
}

impl<'a> Ref<'a> {
    fn new(rules: &'a RuleSet, rec: &'a Record, date: Date, ignore_listing: bool) -> Ref<'a> {
        Ref { rules, rec, date, vars: Vec::new(), ignore_listing, later: false, used_later: false }
    }

    fn field_name(&self, f: FieldId) -> &str {
        &self.rules.schema.fields[f].name
    }

    fn field(&self, f: FieldId) -> R<'a> {
        match &self.rec.cells[f] {
            Cell::Ok { value, .. } => Ok(from_value(value)),
            Cell::Missing => Err(Unknown { missing: vec![f], ..Unknown::default() }),
            Cell::Bad { .. } => Err(Unknown { bad: vec![f], ..Unknown::default() }),
            Cell::NoColumn => Err(Unknown { nocol: vec![f], ..Unknown::default() }),
        }
    }

    fn why_unknown(&self, u: &Unknown) -> String {
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

    /// A condition: its truth and its explanation.
    fn cond(&mut self, e: &'a TExpr) -> (Result<bool, Unknown>, Node) {
        let text = expr_text_with_vars(e, self.rules, self.vars.len());
        let node = |r: &Result<bool, Unknown>, because: String, parts: Vec<Node>| Node {
            condition: text.clone(),
            result: truth(r),
            because,
            parts,
        };
        match e {
            TExpr::And(xs) | TExpr::Or(xs) => {
                let is_and = matches!(e, TExpr::And(_));
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
                (r.clone(), node(&r, because, parts))
            }
            TExpr::Not(x) => {
                let (r, n) = self.cond(x);
                let r = r.map(|b| !b);
                let because = match &r {
                    Ok(_) => n.because.clone(),
                    Err(u) => self.why_unknown(u),
                };
                (r.clone(), node(&r, because, Vec::new()))
            }
            TExpr::Present(f) | TExpr::Absent(f) if matches!(self.rec.cells[*f], Cell::NoColumn) => {
                let u = Unknown { nocol: vec![*f], ..Unknown::default() };
                let because = self.why_unknown(&u);
                let r = Err(u);
                (r.clone(), node(&r, because, Vec::new()))
            }
            TExpr::Present(f) | TExpr::Absent(f) => {
                let present = matches!(self.rec.cells[*f], Cell::Ok { .. } | Cell::Bad { .. });
                let r = Ok(present == matches!(e, TExpr::Present(_)));
                let because = match self.rec.cells[*f].text() {
                    Some(t) if present => format!("`{}` is \"{t}\"", self.field_name(*f)),
                    _ => format!("`{}` is empty", self.field_name(*f)),
                };
                (r.clone(), node(&r, because, Vec::new()))
            }
            TExpr::Lit(Lit::Bool(b)) => (Ok(*b), node(&Ok(*b), "a constant".into(), Vec::new())),
            TExpr::In { value, set } => {
                let shown = self.shown(value);
                let r = self.value(value).map(|v| (self.lookup(*set, &v), v));
                let set_name = &self.rules.sets[*set].name;
                match r {
                    Err(u) => {
                        let because = self.why_unknown(&u);
                        let r = Err(u);
                        (r.clone(), node(&r, because, Vec::new()))
                    }
                    Ok((Lookup::Match(entry), v)) => {
                        let e = &self.rules.sets[*set].entries[entry];
                        let _ = v;
                        let mut because = format!("{shown} matches `{}` in {set_name}", e.text);
                        if let Some(r) = &e.reference {
                            because.push_str(&format!(" ({r}"));
                            if let Some(d) = e.since {
                                because.push_str(&format!(", listed {d}"));
                            }
                            because.push(')');
                        }
                        (Ok(true), node(&Ok(true), because, Vec::new()))
                    }
                    Ok((Lookup::NotYet(entry), v)) => {
                        let e = &self.rules.sets[*set].entries[entry];
                        let _ = v;
                        let because = format!(
                            "{shown} matches `{}` in {set_name}, but it was listed on {}, after the transaction",
                            e.text,
                            e.since.map(|d| d.to_string()).unwrap_or_default()
                        );
                        (Ok(false), node(&Ok(false), because, Vec::new()))
                    }
                    Ok((Lookup::None, v)) => {
                        let _ = v;
                        let because = format!("{shown} is not in {set_name}");
                        (Ok(false), node(&Ok(false), because, Vec::new()))
                    }
                }
            }
            TExpr::Screen(sc) => {
                let shown = self.shown(&sc.subject);
                let field = match &sc.subject {
                    TExpr::Field(f) => Some(*f),
                    TExpr::Var(d) => self.vars.get(*d).map(|(_, f)| *f),
                    _ => None,
                };
                let v = match self.value(&sc.subject) {
                    Ok(V::Str(v)) => v,
                    Ok(other) => {
                        let r = Err(Unknown::error(crate::eval::TYPE_ERROR));
                        return (r.clone(), node(&r, format!("{} is not text", other.show()), Vec::new()));
                    }
                    Err(u) => {
                        let because = self.why_unknown(&u);
                        let r = Err(u);
                        return (r.clone(), node(&r, because, Vec::new()));
                    }
                };
                let list = &self.rules.lists[sc.list];
                let found =
                    crate::eval::screen::screen_value(self.rules, sc, &v, field, self.date, self.ignore_listing);
                let mut notes: Vec<String> = Vec::new();
                for sup in &found.suppressed {
                    if let Some(c) = self.rules.clearances.entries.get(sup.clearance) {
                        notes.push(format!(
                            "{} (score {}) was cleared by {} on {}: {}",
                            sup.reference, sup.score, c.reviewer, c.date, c.reason
                        ));
                    }
                }
                let (r, mut because) = match (&found.hit, &found.later) {
                    (Some(h), _) => {
                        self.used_later |= h.listed_after;
                        let mut b = format!(
                            "{shown} matches {} {} \"{}\" with score {} ({})",
                            list.name, h.reference, h.matched_name, h.score, h.reason
                        );
                        if let Some(d) = h.listed_on {
                            b.push_str(&format!("; listed {d}"));
                            if h.listed_after {
                                b.push_str(", after the transaction");
                            }
                        }
                        if let Some(i) = h.stale_clearance
                            && let Some(c) = self.rules.clearances.entries.get(i)
                        {
                            b.push_str(&format!(
                                "; cleared by {} on {}, but the entry has changed since",
                                c.reviewer, c.date
                            ));
                        }
                        (true, b)
                    }
                    (None, Some(h)) => {
                        self.later = true;
                        (
                            false,
                            format!(
                                "{shown} matches {} {} \"{}\" with score {}, but it was listed on {}, after the transaction",
                                list.name,
                                h.reference,
                                h.matched_name,
                                h.score,
                                h.listed_on.map(|d| d.to_string()).unwrap_or_default()
                            ),
                        )
                    }
                    (None, None) => (
                        false,
                        format!("{shown} matches no entry of {} with score {} or more", list.name, sc.min_score),
                    ),
                };
                if !notes.is_empty() {
                    because.push_str(&format!("; {}", notes.join("; ")));
                }
                (Ok(r), node(&Ok(r), because, Vec::new()))
            }
            TExpr::Quant(kind, f, body) => {
                let items: Vec<(&'a Value, FieldId)> = match self.field(*f) {
                    Ok(V::List(items)) => items.iter().map(|i| (i, *f)).collect(),
                    Ok(_) => {
                        let r = Err(Unknown::error(crate::eval::TYPE_ERROR));
                        return (r.clone(), node(&r, "not a list".into(), Vec::new()));
                    }
                    Err(u) => {
                        let because = self.why_unknown(&u);
                        let r = Err(u);
                        return (r.clone(), node(&r, because, Vec::new()));
                    }
                };
                let (r, parts) = self.quantify(*kind, &items, body);
                let because = self.quantified(*kind, &r);
                (r.clone(), node(&r, because, parts))
            }
            TExpr::GroupQuant(kind, g, body) => {
                let rules = self.rules;
                let rec = self.rec;
                let group = &rules.schema.groups[*g];
                let mut items: Vec<(&'a Value, FieldId)> = Vec::new();
                let mut with_column = false;
                let mut blank = Vec::new();
                let mut bad = Vec::new();
                for &m in &group.members {
                    match &rec.cells[m] {
                        Cell::NoColumn => continue,
                        Cell::Missing => blank.push(m),
                        Cell::Bad { .. } => bad.push(m),
                        Cell::Ok { value: Value::List(l), .. } => {
                            if l.is_empty() {
                                blank.push(m);
                            }
                            items.extend(l.iter().map(|i| (i, m)));
                        }
                        Cell::Ok { value, .. } => items.push((value, m)),
                    }
                    with_column = true;
                }
                let (r, parts) = if !with_column {
                    (Err(Unknown { groups: vec![*g], ..Unknown::default() }), Vec::new())
                } else if items.is_empty() && bad.is_empty() {
                    (Err(Unknown { missing: blank, ..Unknown::default() }), Vec::new())
                } else {
                    let (r, parts) = self.quantify(*kind, &items, body);
                    let r = match r {
                        Ok(true) if *kind == Quantifier::Any => Ok(true),
                        Ok(false) if *kind == Quantifier::All => Ok(false),
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
                let because = self.quantified(*kind, &r);
                (r.clone(), node(&r, because, parts))
            }
            other => {
                let r = self.value(other);
                match r {
                    Ok(V::Bool(b)) => {
                        let because = self.because(other);
                        (Ok(b), node(&Ok(b), because, Vec::new()))
                    }
                    Ok(v) => {
                        let r = Err(Unknown::error(crate::eval::TYPE_ERROR));
                        (r.clone(), node(&r, format!("not a condition: {}", v.show()), Vec::new()))
                    }
                    Err(u) => {
                        let because = self.why_unknown(&u);
                        let r = Err(u);
                        (r.clone(), node(&r, because, Vec::new()))
                    }
                }
            }
        }
    }

    /// Evaluates a quantifier's body on each element, in Kleene logic;
    /// `any` looks at every element, as the compiled evaluator does.
    fn quantify(
        &mut self,
        kind: Quantifier,
        items: &[(&'a Value, FieldId)],
        body: &'a TExpr,
    ) -> (Result<bool, Unknown>, Vec<Node>) {
        let mut parts = Vec::new();
        let mut unknown: Option<Unknown> = None;
        let mut found = false;
        for item in items {
            self.vars.push(*item);
            let (r, n) = self.cond(body);
            self.vars.pop();
            parts.push(Node {
                condition: format!(
                    "{} = {} ({})",
                    var_name(self.vars.len()),
                    from_value(item.0).show(),
                    self.field_name(item.1)
                ),
                ..n
            });
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
        let (q, u) = (self.field(c.value), self.field(c.unit));
        let (q, u) = match (q, u) {
            (Ok(V::Dec(q)), Ok(V::Str(u))) => (q, u),
            (Err(a), Err(b)) => return Err(a.merge(b)),
            (Err(a), _) | (_, Err(a)) => return Err(a),
            _ => return Err(Unknown::error(crate::eval::TYPE_ERROR)),
        };
        let table = crate::values::unit::table();
        let from = table.lookup(&u).map_err(|p| Unknown::error(p.reason()))?;
        crate::values::unit::convert(q, from, &c.target, c.factor.as_ref())
            .map_err(|p| Unknown::error(p.reason()))?
            .ok_or(Unknown::error("arithmetic overflow"))
    }

    /// A value for people: a field as written in the record, else computed.
    fn shown(&mut self, e: &'a TExpr) -> String {
        if let TExpr::Field(f) = e
            && let Some(t) = self.rec.cells[*f].text()
        {
            // Text is quoted; codes, numbers and dates are shown as they are.
            return if field_scalar(self.rules, *f) == Scalar::String { format!("\"{t}\"") } else { t.to_string() };
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
                    Ok(V::Str(text)) => {
                        let low = text.to_lowercase();
                        self.rules.sets[*s]
                            .entries
                            .iter()
                            .find(|en| matches!(&en.value, EntryValue::String(p) | EntryValue::Name(p) if str_test(*op, &low, p)))
                            .map(|en| en.text.clone())
                    }
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
                Lit::Country(c) => V::Country(*c),
                Lit::Hs(h) => V::Hs(*h),
            },
            TExpr::Field(f) => self.field(*f)?,
            TExpr::Var(d) => from_value(self.vars[*d].0),
            TExpr::Convert(c) => V::Dec(self.convert(c)?),
            TExpr::Arith(op, a, b) => {
                let (x, y) = match (self.value(a), self.value(b)) {
                    (Ok(V::Dec(x)), Ok(V::Dec(y))) => (x, y),
                    (Err(u), Ok(_)) | (Ok(_), Err(u)) => return Err(u),
                    (Err(u), Err(w)) => return Err(u.merge(w)),
                    _ => return Err(Unknown::error(crate::eval::TYPE_ERROR)),
                };
                let r = match op {
                    ArithOp::Add => x.checked_add(y),
                    ArithOp::Sub => x.checked_sub(y),
                    ArithOp::Mul => x.checked_mul(y),
                    ArithOp::Div if y.is_zero() => return Err(Unknown::error("division by zero")),
                    ArithOp::Div => x.checked_div(y),
                };
                V::Dec(r.ok_or(Unknown::error("arithmetic overflow"))?)
            }
            TExpr::Neg(x) => match self.value(x)? {
                V::Dec(d) => V::Dec(-d),
                _ => return Err(Unknown::error(crate::eval::TYPE_ERROR)),
            },
            TExpr::Cmp(op, _, a, b) => {
                let (x, y) = (self.value(a), self.value(b));
                let (x, y) = match (x, y) {
                    (Ok(x), Ok(y)) => (x, y),
                    (Err(u), Ok(_)) | (Ok(_), Err(u)) => return Err(u),
                    (Err(u), Err(w)) => return Err(u.merge(w)),
                };
                V::Bool(compare(*op, &x, &y))
            }
            TExpr::StrTest(op, a, b) => match (self.value(a), self.value(b)) {
                (Ok(V::Str(s)), Ok(V::Str(p))) => V::Bool(str_test(*op, &s.to_lowercase(), &p.to_lowercase())),
                (Err(u), _) | (_, Err(u)) => return Err(u),
                _ => return Err(Unknown::error(crate::eval::TYPE_ERROR)),
            },
            TExpr::StrTestSet(op, a, s) => match self.value(a)? {
                V::Str(text) => {
                    let low = text.to_lowercase();
                    V::Bool(self.rules.sets[*s].entries.iter().any(|e| match &e.value {
                        EntryValue::String(p) | EntryValue::Name(p) => str_test(*op, &low, p),
                        _ => false,
                    }))
                }
                _ => return Err(Unknown::error(crate::eval::TYPE_ERROR)),
            },
            TExpr::ListHas(f, v) => {
                let (items, want) = match (self.field(*f), self.value(v)) {
                    (Ok(V::List(items)), Ok(want)) => (items, want),
                    (Err(u), _) | (_, Err(u)) => return Err(u),
                    _ => return Err(Unknown::error(crate::eval::TYPE_ERROR)),
                };
                V::Bool(items.iter().any(|i| compare(CmpOp::Eq, &from_value(i), &want)))
            }
            TExpr::Call(f, args) => self.call(*f, args)?,
            other => {
                let (r, _) = self.cond(other);
                V::Bool(r?)
            }
        })
    }

    fn call(&mut self, f: Builtin, args: &'a [TExpr]) -> R<'a> {
        let mut vals = Vec::with_capacity(args.len());
        for a in args {
            vals.push(self.value(a)?);
        }
        Ok(match (f, vals.as_slice()) {
            (Builtin::Lower, [V::Str(s)]) => V::Str(s.to_lowercase()),
            (Builtin::Upper, [V::Str(s)]) => V::Str(s.to_uppercase()),
            (Builtin::Trim, [V::Str(s)]) => V::Str(s.trim().to_string()),
            (Builtin::Len, [V::Str(s)]) => V::Dec(Decimal::from(s.chars().count())),
            (Builtin::Len, [V::List(l)]) => V::Dec(Decimal::from(l.len())),
            (Builtin::Abs, [V::Dec(d)]) => V::Dec(d.abs()),
            (Builtin::Year, [V::Date(d)]) => V::Dec(Decimal::from(d.year())),
            (Builtin::Chapter, [V::Hs(h)]) => V::Dec(Decimal::from(h.chapter().value())),
            (Builtin::DaysBetween, [V::Date(a), V::Date(b)]) => V::Dec(Decimal::from(b.day_number() - a.day_number())),
            (Builtin::Min, [V::Dec(a), V::Dec(b)]) => V::Dec(*a.min(b)),
            (Builtin::Max, [V::Dec(a), V::Dec(b)]) => V::Dec(*a.max(b)),
            _ => return Err(Unknown::error(crate::eval::TYPE_ERROR)),
        })
    }

    /// Searches a set entry by entry.
    fn lookup(&self, set: usize, v: &V<'_>) -> Lookup {
        let entries = &self.rules.sets[set].entries;
        let mut not_yet = None;
        let mut broader = None;
        for (i, e) in entries.iter().enumerate() {
            let matched = match (&e.value, v) {
                (EntryValue::Country(a), V::Country(b)) => a == b,
                (EntryValue::Hs(a), V::Hs(b)) => {
                    if a.covers(*b) {
                        true
                    } else {
                        if b.len() >= 4 && b.covers(*a) && broader.is_none() && e.since.is_none_or(|s| s <= self.date) {
                            broader = Some(i);
                        }
                        false
                    }
                }
                (EntryValue::String(a), V::Str(b)) => *a == b.to_lowercase(),
                (EntryValue::Name(a), V::Str(b)) => *a == normalize(b),
                _ => false,
            };
            if matched {
                if e.since.is_none_or(|s| s <= self.date) {
                    return Lookup::Match(i);
                }
                not_yet.get_or_insert(i);
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
}

fn compare(op: CmpOp, a: &V<'_>, b: &V<'_>) -> bool {
    use std::cmp::Ordering;
    let ord: Option<Ordering> = match (a, b) {
        (V::Str(x), V::Str(y)) => Some(x.to_lowercase().cmp(&y.to_lowercase())),
        (V::Dec(x), V::Dec(y)) => Some(x.cmp(y)),
        (V::Date(x), V::Date(y)) => Some(x.cmp(y)),
        (V::Country(x), V::Country(y)) => Some(x.cmp(y)),
        (V::Hs(x), V::Hs(y)) => Some(x.cmp(y)),
        (V::Bool(x), V::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    };
    cmp_holds(op, ord)
}

fn window(r: &Rule) -> String {
    match (r.effective, r.until) {
        (Some(e), Some(u)) => format!("from {e} until {u} (exclusive)"),
        (Some(e), None) => format!("from {e}"),
        (None, Some(u)) => format!("until {u} (exclusive)"),
        (None, None) => "always (list entries apply from their listing dates)".to_string(),
    }
}

fn record_date(rules: &RuleSet, rec: &Record) -> Option<Date> {
    match rec.cells.get(rules.schema.date).and_then(Cell::value) {
        Some(Value::Date(d)) => Some(*d),
        _ => None,
    }
}

/// Evaluates every rule on a record the plain way and explains each one.
/// Returns the explanation and the findings, which must equal the compiled
/// evaluator's.
pub fn explain(rules: &RuleSet, rec: &Record) -> (Explanation, Vec<RefFinding>) {
    let date = record_date(rules, rec).unwrap_or_else(|| Date::from_ymd(1970, 1, 1).unwrap_or_else(|| unreachable!()));
    let mut out = Vec::new();
    let mut findings = Vec::new();
    let mut not_in_force = Vec::new();
    for (idx, rule) in rules.rules.iter().enumerate() {
        if !rule.in_force(date) {
            not_in_force.push(format!("{} ({})", rule.id, window(rule)));
            continue;
        }
        let mut r = Ref::new(rules, rec, date, false);
        let mut judged = judge(&mut r, rule);
        if judged.finding.is_none() && r.later {
            // A screening match listed after the transaction: would the rule
            // hold if it counted? Then it is a review, and the outcome says why.
            let mut again = Ref::new(rules, rec, date, true);
            let second = judge(&mut again, rule);
            if matches!(second.finding, Some((_, Outcome::Violation))) && again.used_later {
                judged = Judged {
                    finding: Some((Severity::Review, Outcome::Violation)),
                    outcome: "review: the condition holds only through a list entry listed after the transaction \
                              date; not a breach on that date"
                        .into(),
                    ..second
                };
            }
        }
        let Judged { when_node, unless, finding, outcome } = judged;
        let message = finding.as_ref().map(|_| render_message(&rule.message, rec, &rules.schema));
        if let Some((severity, outcome)) = &finding {
            findings.push(RefFinding { rule: idx, severity: *severity, outcome: outcome.clone() });
        }
        out.push(RuleExplanation {
            rule: rule.id.clone(),
            title: rule.title.clone(),
            citation: rule.citation(),
            severity: rule.severity.name().to_string(),
            in_force: window(rule),
            when: when_node,
            unless,
            outcome,
            finding: finding.map(|(s, _)| s.name().to_string()),
            message,
        });
    }
    let decision = findings.iter().map(|f| Decision::from(f.severity)).max().unwrap_or(Decision::Pass);
    let explanation = Explanation {
        id: rec.key(&rules.schema).unwrap_or("").to_string(),
        date: date.to_string(),
        decision: decision.name().to_string(),
        rules: out,
        not_in_force,
    };
    (explanation, findings)
}

/// A rule's result on a record, with its explanation.
struct Judged {
    when_node: Node,
    unless: Vec<UnlessExplanation>,
    finding: Option<(Severity, Outcome)>,
    outcome: String,
}

fn judge<'a>(r: &mut Ref<'a>, rule: &'a Rule) -> Judged {
    let (when, when_node) = r.cond(&rule.when);
    let mut unless = Vec::new();
    let mut exempt = false;
    let mut lowered: Option<Severity> = None;
    let mut unknown: Option<Unknown> = None;
    if when == Ok(true) {
        for u in &rule.unless {
            let (t, n) = r.cond(&u.expr);
            match (&t, u.then) {
                (Ok(true), None) => exempt = true,
                (Ok(true), Some(s)) => {
                    lowered.get_or_insert(s);
                }
                (Err(e), _) if e.record_level() => unknown = Some(unknown.map_or(e.clone(), |a| a.merge(e.clone()))),
                _ => {}
            }
            unless.push(UnlessExplanation {
                name: u.name.clone(),
                condition: n,
                then: u.then.map(|s| s.name().to_string()),
            });
            if exempt {
                break;
            }
        }
    }
    let schema = &r.rules.schema;
    let indeterminate = |u: &Unknown| {
        let mut no_column = u.nocol.clone();
        for g in &u.groups {
            no_column.extend(schema.groups[*g].members.iter().copied());
        }
        no_column.sort_unstable();
        no_column.dedup();
        let mut groups = u.groups.clone();
        groups.sort_unstable();
        Outcome::Indeterminate {
            missing: u.missing.clone(),
            unreadable: u.bad.clone(),
            no_column,
            no_column_groups: groups,
            error: u.error,
        }
    };
    // A missing column whose field (or group) means `review` is undecided
    // like a missing value; one that means `skip` is noted by the run.
    let policy = r.rec.policy;
    let review_column = |u: &Unknown| {
        u.nocol.iter().any(|f| policy.review_fields & (1 << (*f as u32 & 63)) != 0)
            || u.groups.iter().any(|g| policy.review_groups & (1 << (*g as u32 & 63)) != 0)
    };
    let (finding, outcome): (Option<(Severity, Outcome)>, String) = match &when {
        Ok(false) => (None, "no finding: the condition does not hold".into()),
        Err(u) if u.record_level() || review_column(u) => (
            Some((Severity::Review, indeterminate(u))),
            format!(
                "review: the rule could not be decided ({}), so the record is not passed",
                r.why_unknown(u).trim_start_matches("cannot decide: ")
            ),
        ),
        Err(u) => (
            None,
            format!(
                "skipped: {}, and the input config says such a column is skipped; every output notes it",
                r.why_unknown(u).trim_start_matches("cannot decide: ")
            ),
        ),
        Ok(true) if exempt => (None, "no finding: an exemption (unless) holds".into()),
        Ok(true) => match (&unknown, lowered) {
            (Some(u), _) => (
                Some((Severity::Review, indeterminate(u))),
                format!(
                    "review: the condition holds, but whether an exemption applies cannot be decided ({})",
                    r.why_unknown(u).trim_start_matches("cannot decide: ")
                ),
            ),
            (None, Some(s)) => (
                Some((s, Outcome::Violation)),
                format!("{}: the condition holds; an exemption lowers the finding", s.name()),
            ),
            (None, None) => {
                (Some((rule.severity, Outcome::Violation)), format!("{}: the condition holds", rule.severity.name()))
            }
        },
    };
    Judged { when_node, unless, finding, outcome }
}

/// The explanation as text for people.
pub fn to_text(e: &Explanation) -> String {
    let mut s = String::new();
    s.push_str(&format!("Record {} dated {}: {}\n", e.id, e.date, e.decision.to_uppercase()));
    let hits: Vec<&RuleExplanation> = e.rules.iter().filter(|r| r.finding.is_some()).collect();
    s.push_str(&format!(
        "{} rule{} in force on {}; {} with a finding, {} without; {} not in force.\n",
        e.rules.len(),
        if e.rules.len() == 1 { "" } else { "s" },
        e.date,
        hits.len(),
        e.rules.len() - hits.len(),
        e.not_in_force.len()
    ));
    let mut rules: Vec<&RuleExplanation> = hits;
    rules.extend(e.rules.iter().filter(|r| r.finding.is_none()));
    for r in rules {
        s.push_str(&format!("\n{} — {}\n", r.rule, r.title));
        s.push_str(&format!("  cites {}; {}; in force {}\n", r.citation, r.severity, r.in_force));
        s.push_str("  when ");
        node_text(&mut s, &r.when, 1);
        for (i, u) in r.unless.iter().enumerate() {
            s.push_str(&format!(
                "  unless {}{} ",
                u.name.clone().unwrap_or_else(|| format!("#{}", i + 1)),
                u.then.as_ref().map(|t| format!(" (then {t})")).unwrap_or_default()
            ));
            node_text(&mut s, &u.condition, 1);
        }
        s.push_str(&format!("  → {}\n", r.outcome));
        if let Some(m) = &r.message {
            s.push_str(&format!("    {m}\n"));
        }
    }
    if !e.not_in_force.is_empty() {
        s.push_str(&format!("\nNot in force on {}: {}\n", e.date, e.not_in_force.join(", ")));
    }
    s
}

fn mark(t: Truth) -> &'static str {
    match t {
        Truth::True => "✓",
        Truth::False => "✗",
        Truth::Undecided => "?",
    }
}

fn node_text(s: &mut String, n: &Node, depth: usize) {
    let because = if n.because.is_empty() { String::new() } else { format!(" — {}", n.because) };
    s.push_str(&format!("{} {}{}\n", mark(n.result), n.condition, because));
    for p in &n.parts {
        s.push_str(&"    ".repeat(depth + 1));
        node_text(s, p, depth + 1);
    }
}

/// The scalar type of a field, for callers that build records.
pub fn field_scalar(rules: &RuleSet, f: FieldId) -> Scalar {
    match rules.schema.fields[f].ty {
        crate::schema::FieldType::Scalar(s) | crate::schema::FieldType::List(s) => s,
    }
}
