//! Evaluation: every rule in force on the record's date, on every record.
//! Conditions use three-valued logic so that a rule needing a value the record
//! lacks is neither silently passed nor wrongly blocked: it is reported as
//! indeterminate (fail closed), unless the rule tests for absence itself.

pub mod screen;

use std::borrow::Cow;

use crate::check::{ArithOp, Builtin, CmpOp, Lit, MsgPart, Severity, StrOp};
use crate::compile::{CExpr, CRule, Matcher, Program};
use crate::findings::{Decision, Evaluated, Finding, Outcome, ScreenHit, SetMatch, Suppression};
use crate::records::{Cell, FieldProblem, Record, Value};
use crate::schema::FieldId;
use crate::syntax::ast::Quantifier;
use crate::values::{Country, Date, Decimal, HsCode, name::normalize};

/// Why a value is unknown. Masks are bit sets of field ids.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Why {
    /// The record has the column but no value.
    missing: u64,
    /// The value could not be read.
    bad: u64,
    /// The file has no column.
    nocol: u64,
    /// Arithmetic failed.
    error: Option<&'static str>,
}

impl Why {
    fn merge(self, o: Why) -> Why {
        Why {
            missing: self.missing | o.missing,
            bad: self.bad | o.bad,
            nocol: self.nocol | o.nocol,
            error: self.error.or(o.error),
        }
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
    Country(Country),
    Hs(HsCode),
    List(&'a [Value]),
}

type R<'a> = Result<V<'a>, Why>;

struct Ctx<'a> {
    prog: &'a Program,
    rec: &'a Record,
    date: Date,
    vars: Vec<&'a Value>,
    matches: Vec<SetMatch>,
    /// Screening hits of the rule being evaluated.
    screens: Vec<ScreenHit>,
    /// A screening test matched only entries listed after the date.
    later: bool,
    /// Count entries listed after the date as hits (second pass).
    ignore_listing: bool,
    /// Suppressed screening matches, for the whole record.
    suppressed: Vec<Suppression>,
}

fn bit(f: FieldId) -> u64 {
    1u64 << (f as u32 & 63)
}

fn from_value(v: &Value) -> V<'_> {
    match v {
        Value::Str(s) => V::Str(Cow::Borrowed(s)),
        Value::Dec(d) => V::Dec(*d),
        Value::Date(d) => V::Date(*d),
        Value::Country(c) => V::Country(*c),
        Value::Hs(h) => V::Hs(*h),
        Value::List(l) => V::List(l),
    }
}

impl<'a> Ctx<'a> {
    fn field(&self, f: FieldId) -> R<'a> {
        match &self.rec.cells[f] {
            Cell::Ok { value, .. } => Ok(from_value(value)),
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
            CExpr::Present(f) => Tri::from(matches!(self.rec.cells[*f], Cell::Ok { .. } | Cell::Bad { .. })),
            CExpr::Absent(f) => Tri::from(matches!(self.rec.cells[*f], Cell::Missing | Cell::NoColumn)),
            CExpr::Cmp(op, l, r) => {
                let (l, r) = (self.value(l), self.value(r));
                match (l, r) {
                    (Ok(a), Ok(b)) => Tri::from(compare(*op, &a, &b)),
                    (Err(w), Ok(_)) | (Ok(_), Err(w)) => Tri::U(w),
                    (Err(a), Err(b)) => Tri::U(a.merge(b)),
                }
            }
            CExpr::In(v, set, field) => match self.value(v) {
                Err(w) => Tri::U(w),
                Ok(val) => match self.lookup(*set, &val) {
                    Some((entry, broader)) => {
                        self.matches.push(SetMatch { field: *field, set: *set, entry, broader });
                        Tri::T
                    }
                    None => Tri::F,
                },
            },
            CExpr::Screen(subject, spec, field) => match self.value(subject) {
                Err(w) => Tri::U(w),
                Ok(V::Str(v)) => {
                    let r = screen::screen_value(&self.prog.rules, spec, &v, *field, self.date, self.ignore_listing);
                    for sup in r.suppressed {
                        if !self.suppressed.contains(&sup) {
                            self.suppressed.push(sup);
                        }
                    }
                    match r.hit {
                        Some(h) => {
                            self.screens.push(h);
                            Tri::T
                        }
                        None => {
                            self.later |= r.later.is_some();
                            Tri::F
                        }
                    }
                }
                Ok(_) => Tri::F,
            },
            CExpr::StrLit(op, s, pat) => match self.value(s) {
                Ok(V::Str(s)) => Tri::from(str_test(*op, &s.to_lowercase(), pat)),
                Ok(_) => Tri::F,
                Err(w) => Tri::U(w),
            },
            CExpr::StrDyn(op, s, p) => match (self.value(s), self.value(p)) {
                (Ok(V::Str(s)), Ok(V::Str(p))) => Tri::from(str_test(*op, &s.to_lowercase(), &p.to_lowercase())),
                (Err(w), _) | (_, Err(w)) => Tri::U(w),
                _ => Tri::F,
            },
            CExpr::StrSet(op, s, set) => match self.value(s) {
                Ok(V::Str(s)) => {
                    let low = s.to_lowercase();
                    let Matcher::Text { patterns, .. } = &self.prog.matchers[*set] else { return Tri::F };
                    Tri::from(patterns.iter().any(|p| str_test(*op, &low, p)))
                }
                Ok(_) => Tri::F,
                Err(w) => Tri::U(w),
            },
            CExpr::ListHas(f, v) => match (self.field(*f), self.value(v)) {
                (Ok(V::List(items)), Ok(want)) => {
                    Tri::from(items.iter().any(|i| compare(CmpOp::Eq, &from_value(i), &want)))
                }
                (Err(w), _) | (_, Err(w)) => Tri::U(w),
                _ => Tri::F,
            },
            CExpr::Quant(kind, f, body) => {
                let items = match self.field(*f) {
                    Ok(V::List(items)) => items,
                    Ok(_) => return Tri::F,
                    Err(w) => return Tri::U(w),
                };
                let mut why: Option<Why> = None;
                for item in items {
                    self.vars.push(item);
                    let t = self.truth(body);
                    self.vars.pop();
                    match (kind, t) {
                        (Quantifier::Any, Tri::T) => return Tri::T,
                        (Quantifier::All, Tri::F) => return Tri::F,
                        (_, Tri::U(w)) => why = Some(why.map_or(w, |a| a.merge(w))),
                        _ => {}
                    }
                }
                match (why, kind) {
                    (Some(w), _) => Tri::U(w),
                    (None, Quantifier::Any) => Tri::F,
                    (None, Quantifier::All) => Tri::T,
                }
            }
            other => match self.value(other) {
                Ok(V::Bool(b)) => Tri::from(b),
                Ok(_) => Tri::F,
                Err(w) => Tri::U(w),
            },
        }
    }

    fn value(&mut self, e: &'a CExpr) -> R<'a> {
        match e {
            CExpr::Lit(l) => Ok(match l {
                Lit::Bool(b) => V::Bool(*b),
                Lit::Str(s) => V::Str(Cow::Borrowed(s)),
                Lit::Dec(d) => V::Dec(*d),
                Lit::Date(d) => V::Date(*d),
                Lit::Country(c) => V::Country(*c),
                Lit::Hs(h) => V::Hs(*h),
            }),
            CExpr::Field(f) => self.field(*f),
            CExpr::Var(d) => Ok(from_value(self.vars[*d])),
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
                    ArithOp::Div if b.is_zero() => {
                        return Err(Why { error: Some("division by zero"), ..Why::default() });
                    }
                    ArithOp::Div => a.checked_div(b),
                };
                r.map(V::Dec).ok_or(Why { error: Some("arithmetic overflow"), ..Why::default() })
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
            _ => Err(Why { error: Some("not a number"), ..Why::default() }),
        }
    }

    fn call(&mut self, f: Builtin, args: &'a [CExpr]) -> R<'a> {
        let arg = |c: &mut Self, i: usize| -> R<'a> { c.value(&args[i]) };
        Ok(match f {
            Builtin::Lower | Builtin::Upper | Builtin::Trim => {
                let V::Str(s) = arg(self, 0)? else { return Ok(V::Str(Cow::Borrowed(""))) };
                V::Str(Cow::Owned(match f {
                    Builtin::Lower => s.to_lowercase(),
                    Builtin::Upper => s.to_uppercase(),
                    _ => s.trim().to_string(),
                }))
            }
            Builtin::Len => match arg(self, 0)? {
                V::Str(s) => V::Dec(Decimal::from(s.chars().count())),
                V::List(l) => V::Dec(Decimal::from(l.len())),
                _ => V::Dec(Decimal::ZERO),
            },
            Builtin::Abs => V::Dec(self.dec(&args[0])?.abs()),
            Builtin::Year => match arg(self, 0)? {
                V::Date(d) => V::Dec(Decimal::from(d.year())),
                _ => V::Dec(Decimal::ZERO),
            },
            Builtin::Chapter => match arg(self, 0)? {
                V::Hs(h) => V::Dec(Decimal::from(h.chapter().value())),
                _ => V::Dec(Decimal::ZERO),
            },
            Builtin::DaysBetween => match (arg(self, 0)?, arg(self, 1)?) {
                (V::Date(a), V::Date(b)) => V::Dec(Decimal::from(b.day_number() - a.day_number())),
                _ => V::Dec(Decimal::ZERO),
            },
            Builtin::Min | Builtin::Max => {
                let (a, b) = (self.dec(&args[0])?, self.dec(&args[1])?);
                V::Dec(if (f == Builtin::Min) == (a <= b) { a } else { b })
            }
        })
    }

    /// Looks a value up in a set; returns the first entry in force on the
    /// record's date, and whether it matched only at a broader level.
    fn lookup(&self, set: usize, v: &V<'_>) -> Option<(u32, bool)> {
        let entries = &self.prog.rules.sets[set].entries;
        let in_force =
            |ids: &Vec<u32>| ids.iter().copied().find(|i| entries[*i as usize].since.is_none_or(|s| s <= self.date));
        match (&self.prog.matchers[set], v) {
            (Matcher::Country(t), V::Country(c)) => in_force(&t[c.index()]).map(|i| (i, false)),
            (Matcher::Hs { exact, lens, broader }, V::Hs(h)) => {
                for &k in lens {
                    if k > h.len() {
                        break;
                    }
                    if let Some(i) = exact.get(&h.prefix(k).key()).and_then(in_force) {
                        return Some((i, false));
                    }
                }
                broader.get(&h.key()).and_then(in_force).map(|i| (i, true))
            }
            (Matcher::Text { map, names, .. }, V::Str(s)) => {
                let key = if *names { normalize(s) } else { s.to_lowercase() };
                map.get(&key).and_then(in_force).map(|i| (i, false))
            }
            _ => None,
        }
    }
}

/// A string test; shared with the reference evaluator.
pub(crate) fn str_test(op: StrOp, s: &str, p: &str) -> bool {
    match op {
        StrOp::Contains => s.contains(p),
        StrOp::ContainsWord => contains_word(s, p),
        StrOp::StartsWith => s.starts_with(p),
        StrOp::EndsWith => s.ends_with(p),
    }
}

/// Whether `p` occurs in `s` as a whole word or phrase: where `p` begins or
/// ends with a letter or digit, the neighbouring character of `s` must not
/// be one ("used" is not in "unused"; "gold" is in "gold-tone").
pub fn contains_word(s: &str, p: &str) -> bool {
    if p.is_empty() {
        return true;
    }
    let starts_alnum = p.chars().next().is_some_and(char::is_alphanumeric);
    let ends_alnum = p.chars().next_back().is_some_and(char::is_alphanumeric);
    let mut from = 0;
    while let Some(i) = s[from..].find(p) {
        let at = from + i;
        let end = at + p.len();
        let before_ok = !starts_alnum || !s[..at].chars().next_back().is_some_and(char::is_alphanumeric);
        let after_ok = !ends_alnum || !s[end..].chars().next().is_some_and(char::is_alphanumeric);
        if before_ok && after_ok {
            return true;
        }
        from = at + s[at..].chars().next().map_or(1, char::len_utf8);
    }
    false
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

/// Whether a comparison holds given how its sides order; values of different
/// kinds (`None`) are only unequal. Shared with the reference evaluator.
pub(crate) fn cmp_holds(op: CmpOp, ord: Option<std::cmp::Ordering>) -> bool {
    use std::cmp::Ordering;
    let Some(o) = ord else { return op == CmpOp::Ne };
    match op {
        CmpOp::Eq => o == Ordering::Equal,
        CmpOp::Ne => o != Ordering::Equal,
        CmpOp::Lt => o == Ordering::Less,
        CmpOp::Le => o != Ordering::Greater,
        CmpOp::Gt => o == Ordering::Greater,
        CmpOp::Ge => o != Ordering::Less,
    }
}

fn fields_of(mask: u64) -> Vec<FieldId> {
    (0..64).filter(|i| mask & (1u64 << i) != 0).collect()
}

/// Evaluates every rule in force on the record's date.
pub fn evaluate(prog: &Program, rec: &Record) -> Evaluated {
    let schema = &prog.rules.schema;
    let date = match rec.cells[schema.date].value() {
        Some(Value::Date(d)) => *d,
        // INVARIANT: records with an unreadable date are invalid and never evaluated.
        _ => Date::from_ymd(1970, 1, 1).unwrap_or_else(|| unreachable!("1970-01-01 is a date")),
    };
    let mut findings = Vec::new();
    let mut skipped = Vec::new();
    let mut ctx = Ctx {
        prog,
        rec,
        date,
        vars: Vec::new(),
        matches: Vec::new(),
        screens: Vec::new(),
        later: false,
        ignore_listing: false,
        suppressed: Vec::new(),
    };
    thread_local! {
        static CANDIDATES: std::cell::RefCell<Vec<bool>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let candidates = CANDIDATES.with(|c| {
        let mut c = c.borrow_mut();
        prog.index.candidates(rec, &mut c);
        std::mem::take(&mut *c)
    });
    for (idx, rule) in prog.compiled.iter().enumerate() {
        if !candidates[idx] || rule.effective.is_some_and(|e| date < e) || rule.until.is_some_and(|u| date >= u) {
            continue;
        }
        ctx.matches.clear();
        ctx.screens.clear();
        ctx.later = false;
        let mut result = evaluate_rule(&mut ctx, rule);
        let mut listed_after = false;
        if matches!(result, RuleResult::NoFinding) && ctx.later {
            // A screening match listed after the transaction: would the rule
            // hold if it counted? Then say so, as a review, never a block.
            ctx.matches.clear();
            ctx.screens.clear();
            ctx.ignore_listing = true;
            let again = evaluate_rule(&mut ctx, rule);
            ctx.ignore_listing = false;
            if let RuleResult::Finding { outcome: Outcome::Violation, exemption, .. } = again
                && ctx.screens.iter().any(|h| h.listed_after)
            {
                result = RuleResult::Finding { severity: Severity::Review, outcome: Outcome::Violation, exemption };
                listed_after = true;
            }
        }
        match result {
            RuleResult::NoFinding => {}
            RuleResult::Skipped => skipped.push(idx),
            RuleResult::Finding { severity, outcome, exemption } => {
                let r = &prog.rules.rules[idx];
                let mut message = render_message(&r.message, rec, schema);
                if let Outcome::Indeterminate { missing, unreadable, error } = &outcome {
                    message.push_str(&format!(" — not decided: {}", why_text(missing, unreadable, *error, schema)));
                }
                let exemption = exemption.and_then(|i| r.unless.get(i)).map(|u| u.text.clone());
                if let Some(ex) = &exemption {
                    message.push_str(&format!(" — exemption claimed (`{ex}`): review"));
                }
                if listed_after {
                    message.push_str(&screen::listed_after_note(&ctx.screens, &prog.rules, date));
                }
                let evidence =
                    rule.reads.iter().filter_map(|f| rec.cells[*f].text().map(|t| (*f, t.to_string()))).collect();
                findings.push(Finding {
                    rule: idx,
                    severity,
                    outcome,
                    message,
                    evidence,
                    matches: std::mem::take(&mut ctx.matches),
                    screens: std::mem::take(&mut ctx.screens),
                    exemption,
                });
            }
        }
    }
    CANDIDATES.with(|c| *c.borrow_mut() = candidates);
    let decision = findings.iter().map(|f| Decision::from(f.severity)).max().unwrap_or(Decision::Pass);
    let data_quality = schema
        .fields
        .iter()
        .zip(&rec.cells)
        .filter_map(|(def, c)| match c {
            Cell::Bad { raw, reason } => Some(FieldProblem {
                field: Some(def.name.clone()),
                value: Some(raw.to_string()),
                reason: reason.clone(),
            }),
            _ => None,
        })
        .collect();
    Evaluated {
        file: rec.file,
        line: rec.line,
        id: rec.key(schema).unwrap_or("").to_string(),
        date,
        record: None,
        decision,
        findings,
        data_quality,
        skipped,
        suppressed: ctx.suppressed,
    }
}

enum RuleResult {
    NoFinding,
    Skipped,
    /// `exemption`: index of the `unless … then` clause that lowered the finding.
    Finding {
        severity: Severity,
        outcome: Outcome,
        exemption: Option<usize>,
    },
}

fn indeterminate(w: Why) -> RuleResult {
    RuleResult::Finding {
        severity: Severity::Review,
        outcome: Outcome::Indeterminate { missing: fields_of(w.missing), unreadable: fields_of(w.bad), error: w.error },
        exemption: None,
    }
}

fn evaluate_rule<'a>(ctx: &mut Ctx<'a>, rule: &'a CRule) -> RuleResult {
    match ctx.truth(&rule.when) {
        Tri::F => RuleResult::NoFinding,
        Tri::U(w) if w.record_level() => indeterminate(w),
        Tri::U(_) => RuleResult::Skipped,
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
                    Tri::U(w) if w.record_level() => unknown = Some(unknown.map_or(w, |a| a.merge(w))),
                    _ => {}
                }
            }
            ctx.matches = when_matches;
            ctx.screens = when_screens;
            if let Some(w) = unknown {
                return indeterminate(w);
            }
            match lowered {
                Some((s, i)) => RuleResult::Finding { severity: s, outcome: Outcome::Violation, exemption: Some(i) },
                None => RuleResult::Finding { severity: rule.severity, outcome: Outcome::Violation, exemption: None },
            }
        }
    }
}

fn why_text(
    missing: &[FieldId],
    unreadable: &[FieldId],
    error: Option<&str>,
    schema: &crate::schema::Schema,
) -> String {
    let names =
        |v: &[FieldId]| v.iter().map(|f| format!("`{}`", schema.fields[*f].name)).collect::<Vec<_>>().join(", ");
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!("{} {} missing", names(missing), if missing.len() == 1 { "is" } else { "are" }));
    }
    if !unreadable.is_empty() {
        parts.push(format!("{} could not be read", names(unreadable)));
    }
    if let Some(e) = error {
        parts.push(e.to_string());
    }
    parts.join("; ")
}

/// Fills `{field}` placeholders.
pub fn render_message(parts: &[MsgPart], rec: &Record, schema: &crate::schema::Schema) -> String {
    let mut s = String::new();
    for p in parts {
        match p {
            MsgPart::Text(t) => s.push_str(t),
            MsgPart::Field(f) => match rec.cells[*f].text() {
                Some(t) => s.push_str(t),
                None => s.push_str(&format!("no {}", schema.fields[*f].name)),
            },
        }
    }
    s
}
