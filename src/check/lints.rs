//! Lints: rules that check cleanly but are probably not what their author
//! meant. Warnings, not errors — `cordon validate --deny-warnings` makes them
//! fail a CI run of a rule pack.

use miette::{Diagnostic, LabeledSpan, Severity as MietteSeverity, SourceCode};
use thiserror::Error;

use rustc_hash::FxHashMap as HashMap;

use super::ir::{CmpOp, EntryValue, Lit, Rule, RuleSet, Severity, TExpr, Unless};
use crate::source::{SourceFile, Span, Src};
use crate::values::Date;

/// Kinds of lint, each with a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LintKind {
    /// A rule without a citation.
    MissingCitation,
    /// A rule that can never apply.
    NeverInForce,
    /// An `unless` that can never hold when the rule's condition does.
    UnlessNeverFires,
    /// An `unless` that always holds when the rule's condition does.
    UnlessAlwaysFires,
    /// Two rules with the same conditions.
    DuplicateConditions,
    /// A set entry covered by another entry of the same set.
    CoveredEntry,
    /// A set no rule uses.
    UnusedSet,
    /// A constant no rule uses.
    UnusedConst,
    /// A milder measure superseded by a later prohibition over the same goods, without `until`.
    Superseded,
    /// A plain `unless` that reads free text and drops a `block` outright.
    TextExemption,
    /// `==` or `!=` between an ECCN and a literal: `3A001.a.7 == 3A001` is
    /// false, so sub-paragraphs slip through.
    CodeEquality,
}

impl LintKind {
    /// The stable diagnostic code.
    pub fn code(self) -> &'static str {
        match self {
            LintKind::MissingCitation => "cordon::lint::missing_citation",
            LintKind::NeverInForce => "cordon::lint::never_in_force",
            LintKind::UnlessNeverFires => "cordon::lint::unless_never_fires",
            LintKind::UnlessAlwaysFires => "cordon::lint::unless_always_fires",
            LintKind::DuplicateConditions => "cordon::lint::duplicate_conditions",
            LintKind::CoveredEntry => "cordon::lint::covered_entry",
            LintKind::UnusedSet => "cordon::lint::unused_set",
            LintKind::UnusedConst => "cordon::lint::unused_const",
            LintKind::Superseded => "cordon::lint::superseded",
            LintKind::TextExemption => "cordon::lint::text_exemption",
            LintKind::CodeEquality => "cordon::lint::code_equality",
        }
    }
}

/// A lint warning, pointing at the rule text.
#[derive(Debug, Error)]
#[error("{message}")]
pub struct Lint {
    /// Kind.
    pub kind: LintKind,
    /// One-line message.
    pub message: String,
    /// Where.
    pub span: Span,
    /// Label under the span.
    pub label: String,
    /// Advice.
    pub help: Option<String>,
    /// The file.
    pub src: Src,
}

impl Lint {
    fn new(kind: LintKind, src: &SourceFile, span: Span, message: String, label: &str, help: Option<String>) -> Lint {
        Lint { kind, message, span, label: label.to_string(), help, src: src.named() }
    }

    /// The text the warning underlines.
    pub fn underlined(&self) -> &str {
        self.src.text().get(self.span.start..self.span.end).unwrap_or("")
    }
}

impl Diagnostic for Lint {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(self.kind.code()))
    }

    fn severity(&self) -> Option<MietteSeverity> {
        Some(MietteSeverity::Warning)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.src)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let label = (!self.label.is_empty()).then(|| self.label.clone());
        Some(Box::new(std::iter::once(LabeledSpan::new_primary_with_span(label, self.span))))
    }
}

/// Names declared in the rule files, and whether any rule used them.
pub struct Usage {
    /// Named constants: name, file, span, used.
    pub consts: Vec<(String, usize, Span, bool)>,
}

/// The conjuncts of a condition (its top-level `and` parts).
fn conjuncts(e: &TExpr) -> Vec<&TExpr> {
    match e {
        TExpr::And(xs) => xs.iter().collect(),
        other => vec![other],
    }
}

/// The dates a condition allows, from its top-level comparisons of the
/// transaction date with a date: `[lo, hi)` in day numbers.
/// A window of day numbers, `[lo, hi)`; `None` is unbounded.
type Window = (Option<i32>, Option<i32>);

fn date_window(e: &TExpr, date_field: usize) -> Window {
    let (mut lo, mut hi): (Option<i32>, Option<i32>) = (None, None);
    for c in conjuncts(e) {
        let TExpr::Cmp(op, _, a, b) = c else { continue };
        let (op, d) = match (a.as_ref(), b.as_ref()) {
            (TExpr::Field(f), TExpr::Lit(Lit::Date(d))) if *f == date_field => (*op, d.day_number()),
            (TExpr::Lit(Lit::Date(d)), TExpr::Field(f)) if *f == date_field => {
                let flipped = match op {
                    CmpOp::Lt => CmpOp::Gt,
                    CmpOp::Le => CmpOp::Ge,
                    CmpOp::Gt => CmpOp::Lt,
                    CmpOp::Ge => CmpOp::Le,
                    other => *other,
                };
                (flipped, d.day_number())
            }
            _ => continue,
        };
        let (l, h) = match op {
            CmpOp::Lt => (None, Some(d)),
            CmpOp::Le => (None, Some(d + 1)),
            CmpOp::Gt => (Some(d + 1), None),
            CmpOp::Ge => (Some(d), None),
            CmpOp::Eq => (Some(d), Some(d + 1)),
            CmpOp::Ne => continue,
        };
        if let Some(l) = l {
            lo = Some(lo.map_or(l, |x| x.max(l)));
        }
        if let Some(h) = h {
            hi = Some(hi.map_or(h, |x| x.min(h)));
        }
    }
    (lo, hi)
}

fn rule_window(r: &Rule) -> (Option<i32>, Option<i32>) {
    (r.effective.map(Date::day_number), r.until.map(Date::day_number))
}

fn intersect(a: (Option<i32>, Option<i32>), b: (Option<i32>, Option<i32>)) -> (Option<i32>, Option<i32>) {
    let lo = match (a.0, b.0) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    };
    let hi = match (a.1, b.1) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    };
    (lo, hi)
}

fn empty(w: (Option<i32>, Option<i32>)) -> bool {
    matches!(w, (Some(l), Some(h)) if l >= h)
}

/// Whether a window covers another entirely.
fn covers(outer: (Option<i32>, Option<i32>), inner: (Option<i32>, Option<i32>)) -> bool {
    let lo_ok = match (outer.0, inner.0) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(o), Some(i)) => o <= i,
    };
    let hi_ok = match (outer.1, inner.1) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(o), Some(i)) => o >= i,
    };
    lo_ok && hi_ok
}

/// Whether a condition is statically false: `false`, or a top-level part
/// looking a value up in an empty set.
fn never_true(e: &TExpr, rules: &RuleSet) -> bool {
    conjuncts(e).into_iter().any(|c| match c {
        TExpr::Lit(Lit::Bool(false)) => true,
        TExpr::In { set, .. } => rules.sets[*set].entries.is_empty(),
        _ => false,
    })
}

fn is_true(e: &TExpr) -> bool {
    matches!(e, TExpr::Lit(Lit::Bool(true)))
}

/// The negation of a condition, in its simple form (`not x` → `x`,
/// `present(f)` → `absent(f)`).
fn negate(e: &TExpr) -> TExpr {
    match e {
        TExpr::Not(x) => (**x).clone(),
        TExpr::Present(f) => TExpr::Absent(*f),
        TExpr::Absent(f) => TExpr::Present(*f),
        other => TExpr::Not(Box::new(other.clone())),
    }
}

/// An expression with every set replaced by the first set of the rule set
/// holding the same entries, so that two inline sets written alike compare
/// equal: lints compare typed expressions, not their printed text.
fn canon(e: &TExpr, sets: &[usize]) -> TExpr {
    let mut c = e.clone();
    canon_in_place(&mut c, sets);
    c
}

fn canon_in_place(e: &mut TExpr, sets: &[usize]) {
    match e {
        TExpr::In { value, set } => {
            *set = sets[*set];
            canon_in_place(value, sets);
        }
        TExpr::StrTestSet(_, value, set) => {
            *set = sets[*set];
            canon_in_place(value, sets);
        }
        TExpr::Not(x) | TExpr::Neg(x) | TExpr::ListHas(_, x) | TExpr::Quant(_, _, x) | TExpr::GroupQuant(_, _, x) => {
            canon_in_place(x, sets)
        }
        TExpr::And(xs) | TExpr::Or(xs) | TExpr::Call(_, xs) => xs.iter_mut().for_each(|x| canon_in_place(x, sets)),
        TExpr::Cmp(_, _, a, b) | TExpr::Arith(_, a, b) | TExpr::StrTest(_, a, b) => {
            canon_in_place(a, sets);
            canon_in_place(b, sets);
        }
        TExpr::Screen(sc) => canon_in_place(&mut sc.subject, sets),
        TExpr::Lookup(l) => canon_lookup(l, sets),
        TExpr::QuantLookup(_, l, b) => {
            canon_lookup(l, sets);
            canon_in_place(b, sets);
        }
        TExpr::Lit(_)
        | TExpr::Field(_)
        | TExpr::Var(_)
        | TExpr::Present(_)
        | TExpr::Absent(_)
        | TExpr::Convert(_)
        | TExpr::LicenceValid(_) => {}
    }
}

fn canon_lookup(l: &mut crate::check::ir::Lookup, sets: &[usize]) {
    canon_in_place(&mut l.key, sets);
    if let crate::check::ir::LookupColumn::Dynamic(c) = &mut l.column {
        canon_in_place(c, sets);
    }
}

/// For each set, the first set with the same kind and entries (a table is
/// only ever itself: its rows differ where its keys do not).
fn canonical_sets(rules: &RuleSet) -> Vec<usize> {
    let key = |i: usize| {
        let s = &rules.sets[i];
        (s.elem, s.entries.iter().map(|e| (&e.value, e.since, e.until)).collect::<Vec<_>>())
    };
    (0..rules.sets.len())
        .map(|i| {
            if rules.sets[i].table.is_some() {
                return i;
            }
            (0..=i).find(|j| rules.sets[*j].table.is_none() && key(*j) == key(i)).unwrap_or(i)
        })
        .collect()
}

/// The goods codes a rule's condition requires (top-level `hs_code in SET`
/// parts on the schema's goods field, or `or`s of them), and the text of its
/// other top-level parts.
fn goods_and_rest(r: &Rule, rules: &RuleSet, sets: &[usize]) -> Option<(Vec<crate::values::Code>, Vec<TExpr>)> {
    let hs_field = rules.schema.role(crate::schema::Role::Goods)?;
    let mut goods = Vec::new();
    let mut rest = Vec::new();
    let hs_sets = |e: &TExpr| -> Option<Vec<usize>> {
        let parts: Vec<&TExpr> = match e {
            TExpr::Or(xs) => xs.iter().collect(),
            other => vec![other],
        };
        parts
            .into_iter()
            .map(|p| match p {
                TExpr::In { value, set } if matches!(value.as_ref(), TExpr::Field(f) if *f == hs_field) => Some(*set),
                _ => None,
            })
            .collect()
    };
    for c in conjuncts(&r.when) {
        match hs_sets(c) {
            Some(sets) => {
                for s in sets {
                    goods.extend(rules.sets[s].entries.iter().filter_map(|e| match e.value {
                        EntryValue::Code(c) => Some(c),
                        EntryValue::Text(_) => None,
                    }));
                }
            }
            None => rest.push(canon(c, sets)),
        }
    }
    (!goods.is_empty()).then_some((goods, rest))
}

/// The free-text fields a condition tests with words (`contains`,
/// `contains word`, `starts with`, `ends with`, `==` or `in` a set of
/// texts): string fields without a pattern, read directly or through a group.
fn text_tests(e: &TExpr, rules: &RuleSet) -> Vec<String> {
    let schema = &rules.schema;
    let free = |f: usize| {
        let d = &schema.fields[f];
        d.scalar() == crate::schema::Scalar::STRING && d.pattern.is_none()
    };
    let mut out = Vec::new();
    let subject = |x: &TExpr, out: &mut Vec<String>| {
        let mut push = |f: usize| {
            if free(f) && !out.contains(&schema.fields[f].name) {
                out.push(schema.fields[f].name.clone());
            }
        };
        match x {
            TExpr::Field(f) => push(*f),
            // A bound element of a group or list: every member may be text.
            TExpr::Var(_) => {}
            other => other.value_reads(&mut push),
        }
    };
    e.visit(&mut |n| match n {
        TExpr::StrTest(_, a, _) | TExpr::StrTestSet(_, a, _) => subject(a, &mut out),
        TExpr::Cmp(_, crate::schema::Scalar::STRING, a, b) => {
            subject(a, &mut out);
            subject(b, &mut out);
        }
        TExpr::In { value, set } if rules.sets[*set].elem == crate::schema::Scalar::STRING => subject(value, &mut out),
        _ => {}
    });
    out
}

/// Runs every lint over a checked rule set.
pub fn lint(rules: &RuleSet, usage: &Usage) -> Vec<Lint> {
    let sets = canonical_sets(rules);
    let mut out = Vec::new();
    for r in &rules.rules {
        missing_citation(rules, r, &mut out);
        let window = intersect(rule_window(r), date_window(&r.when, rules.schema.date));
        never_in_force(rules, r, window, &mut out);
        let when_parts: Vec<TExpr> = conjuncts(&r.when).into_iter().map(|c| canon(c, &sets)).collect();
        for u in &r.unless {
            text_exemption(rules, r, u, &mut out);
            if !unless_never_fires(rules, r, u, window, &when_parts, &sets, &mut out) {
                unless_always_fires(rules, r, u, window, &when_parts, &sets, &mut out);
            }
        }
    }
    duplicate_conditions(rules, &sets, &mut out);
    code_equality(rules, &mut out);
    set_lints(rules, &mut out);
    unused_consts(rules, usage, &mut out);
    superseded(rules, &sets, &mut out);
    out.sort_by(|x, y| (x.src.name(), x.span.start, x.kind).cmp(&(y.src.name(), y.span.start, y.kind)));
    out
}

fn src<'r>(rules: &'r RuleSet, r: &Rule) -> &'r SourceFile {
    &rules.sources[r.file]
}

/// `MissingCitation`: a rule without `cite:`.
fn missing_citation(rules: &RuleSet, r: &Rule, out: &mut Vec<Lint>) {
    if r.citations.is_empty() {
        out.push(Lint::new(
            LintKind::MissingCitation,
            src(rules, r),
            r.id_span,
            format!("rule `{}` has no citation", r.id),
            "no `cite:`",
            Some("add `cite: \"S/RES/… (year), para. …\"`: findings and reports quote it".into()),
        ));
    }
}

/// `NeverInForce`: a condition always false, or dates that miss the window.
fn never_in_force(rules: &RuleSet, r: &Rule, window: Window, out: &mut Vec<Lint>) {
    let never = never_true(&r.when, rules);
    if never || empty(window) {
        out.push(Lint::new(
            LintKind::NeverInForce,
            src(rules, r),
            r.id_span,
            format!("rule `{}` can never apply", r.id),
            "never in force",
            Some(if never {
                "its condition is always false (`false`, or a lookup in an empty set)".to_string()
            } else {
                "the dates its condition allows do not meet its `effective`/`until` window".to_string()
            }),
        ));
    }
}

/// `TextExemption`: a plain `unless` on free text that drops a block.
fn text_exemption(rules: &RuleSet, r: &Rule, u: &Unless, out: &mut Vec<Lint>) {
    let text = text_tests(&u.expr, rules);
    if r.severity == Severity::Block && u.then.is_none() && !text.is_empty() {
        out.push(Lint::new(
            LintKind::TextExemption,
            src(rules, r),
            u.span,
            format!(
                "this `unless` of rule `{}` drops a block because of words in {}",
                r.id,
                crate::suggest::quoted(text.iter().map(String::as_str))
            ),
            "free text relieves a prohibition",
            Some(
                "free text can be written to slip through: end the exemption in `then review`, so it lowers \
                 the block to review instead of passing the record"
                    .into(),
            ),
        ));
    }
}

/// `UnlessNeverFires`: an exemption that cannot hold when `when` does;
/// whether it was reported.
fn unless_never_fires(
    rules: &RuleSet,
    r: &Rule,
    u: &Unless,
    window: Window,
    when_parts: &[TExpr],
    sets: &[usize],
    out: &mut Vec<Lint>,
) -> bool {
    let uw = date_window(&u.expr, rules.schema.date);
    let contradicts = conjuncts(&u.expr).into_iter().any(|c| when_parts.contains(&canon(&negate(c), sets)));
    if !(never_true(&u.expr, rules) || empty(intersect(window, uw)) || contradicts) {
        return false;
    }
    out.push(Lint::new(
        LintKind::UnlessNeverFires,
        src(rules, r),
        u.span,
        format!("this `unless` of rule `{}` can never hold when its condition does", r.id),
        "never holds",
        Some(if contradicts {
            "it requires the opposite of a part of `when`".to_string()
        } else {
            "its dates lie outside the rule's window, or it is always false".to_string()
        }),
    ));
    true
}

/// `UnlessAlwaysFires`: an exemption every part of which `when` (or the
/// rule's window) already implies.
fn unless_always_fires(
    rules: &RuleSet,
    r: &Rule,
    u: &Unless,
    window: Window,
    when_parts: &[TExpr],
    sets: &[usize],
    out: &mut Vec<Lint>,
) {
    let date_field = rules.schema.date;
    let implied = conjuncts(&u.expr).iter().all(|c| {
        when_parts.contains(&canon(c, sets))
            || is_true(c)
            || (date_window(c, date_field) != (None, None) && covers(date_window(c, date_field), window))
    });
    if implied {
        out.push(Lint::new(
            LintKind::UnlessAlwaysFires,
            src(rules, r),
            u.span,
            format!("this `unless` of rule `{}` holds whenever its condition does", r.id),
            "always holds",
            Some(if u.then.is_some() {
                "the rule always ends at the lowered severity: give it that severity instead".to_string()
            } else {
                "the rule can never produce a finding".to_string()
            }),
        ));
    }
}

/// `DuplicateConditions`: two rules with the same conditions in force at once.
fn duplicate_conditions(rules: &RuleSet, sets: &[usize], out: &mut Vec<Lint>) {
    let mut seen: Vec<((TExpr, Vec<TExpr>), &Rule)> = Vec::new();
    // A rule over many records says something else with the same condition:
    // which records count towards its total.
    for r in rules.rules.iter().filter(|r| r.aggregate.is_none()) {
        let key = (canon(&r.when, sets), r.unless.iter().map(|u| canon(&u.expr, sets)).collect::<Vec<_>>());
        match seen.iter().find(|(k, _)| *k == key) {
            Some((_, first)) if !empty(intersect(rule_window(first), rule_window(r))) => out.push(Lint::new(
                LintKind::DuplicateConditions,
                src(rules, r),
                r.id_span,
                format!("rules `{}` and `{}` have the same conditions", first.id, r.id),
                "same conditions as another rule",
                Some("merge them into one rule with several `cite:` lines, or make their conditions differ".into()),
            )),
            Some(_) => {}
            None => seen.push((key, r)),
        }
    }
}

/// `CodeEquality`: an ECCN compared whole with `==` or `!=` (`e == 3A001`
/// misses `3A001.a.7`); `in { … }` covers the entry's paragraphs.
fn code_equality(rules: &RuleSet, out: &mut Vec<Lint>) {
    // ECCNs: an entry's controls sit in its paragraphs. (An HS heading
    // compared whole is an idiom: "coded at the heading only".)
    let Some(eccn) = crate::schema::Scalar::from_name("eccn") else { return };
    for r in &rules.rules {
        let mut found: Option<String> = None;
        let mut look = |e: &TExpr| {
            if let TExpr::Cmp(CmpOp::Eq | CmpOp::Ne, kind, a, b) = e
                && *kind == eccn
                && let (TExpr::Lit(Lit::Code(c)), _) | (_, TExpr::Lit(Lit::Code(c))) = (a.as_ref(), b.as_ref())
                // `EAR99` has no sub-paragraphs: equality is exact there.
                && c.as_str() != "EAR99"
            {
                found.get_or_insert_with(|| c.to_string());
            }
        };
        r.when.visit(&mut look);
        for u in &r.unless {
            u.expr.visit(&mut look);
        }
        if let Some(code) = found {
            out.push(Lint::new(
                LintKind::CodeEquality,
                src(rules, r),
                r.id_span,
                format!("rule `{}` compares a code whole with `{code}`: codes under it do not match", r.id),
                "`==` on a code with sub-paragraphs",
                Some(format!("write `in {{ {code} }}`: it covers `{code}` and every code under it")),
            ));
        }
    }
}

/// `UnusedSet` and `CoveredEntry`: sets no rule uses, and entries written in
/// rule files that another entry covers or repeats.
fn set_lints(rules: &RuleSet, out: &mut Vec<Lint>) {
    let mut used = vec![false; rules.sets.len()];
    let mut mark = |e: &TExpr| match e {
        TExpr::In { set, .. } | TExpr::StrTestSet(_, _, set) => used[*set] = true,
        TExpr::Lookup(l) | TExpr::QuantLookup(_, l, _) => used[l.table] = true,
        _ => {}
    };
    // Rules' conditions and exemptions, and regimes' scopes, use sets.
    let conditions = rules.rules.iter().flat_map(|r| std::iter::once(&r.when).chain(r.unless.iter().map(|u| &u.expr)));
    for e in conditions.chain(rules.regimes.iter().filter_map(|g| g.scope.as_ref().map(|(e, _)| e))) {
        e.visit(&mut mark);
    }
    for (i, set) in rules.sets.iter().enumerate() {
        let Some((file, decl)) = set.decl else { continue };
        let file_src = &rules.sources[file];
        if !set.name.starts_with('{') && !used[i] {
            let name_span = file_src.text[decl.start..decl.end.min(file_src.text.len())]
                .find(&set.name)
                .map_or(decl, |o| Span::new(decl.start + o, decl.start + o + set.name.len()));
            out.push(Lint::new(
                LintKind::UnusedSet,
                file_src,
                name_span,
                format!("set `{}` is not used by any rule", set.name),
                "unused",
                Some("remove it, or use it in a rule".into()),
            ));
        }
        if set.data_file.is_none() {
            covered_entries(set, file_src, decl, out);
        }
    }
}

/// `CoveredEntry` within one set: each entry covered by another, pointing
/// at the first entry (in the set's order) that covers it — an earlier
/// equal entry, or an entry at any place whose code is an ancestor of it.
///
/// Linear in the set's size: a code is only covered by a code whose text is
/// a prefix of its own ([`crate::values::ValueKind::covers`]), so each entry
/// looks up its prefixes (codes are short) in a map of first places instead
/// of being compared with every other entry (red team H2: 40,000 entries
/// took 14 s).
fn covered_entries(set: &super::ir::SetDef, file_src: &SourceFile, decl: Span, out: &mut Vec<Lint>) {
    let kind = set.elem.kind();
    // Each distinct value's first place; codes by their text (for a prefix
    // lookup), texts by themselves.
    let mut codes: HashMap<&str, Vec<(crate::values::Code, usize)>> = HashMap::default();
    let mut texts: HashMap<&str, usize> = HashMap::default();
    for (i, e) in set.entries.iter().enumerate() {
        match &e.value {
            EntryValue::Code(c) => {
                let firsts = codes.entry(c.as_str()).or_default();
                if !firsts.iter().any(|(x, _)| x == c) {
                    firsts.push((*c, i));
                }
            }
            EntryValue::Text(t) => {
                texts.entry(t.as_str()).or_insert(i);
            }
        }
    }
    for (a, ea) in set.entries.iter().enumerate() {
        let covering = match &ea.value {
            EntryValue::Text(t) => texts.get(t.as_str()).copied().filter(|b| *b < a),
            EntryValue::Code(y) => {
                let text = y.as_str();
                (1..=text.len())
                    .filter(|k| text.is_char_boundary(*k))
                    .filter_map(|k| codes.get(&text[..k]))
                    .flatten()
                    .filter(|(x, b)| kind.covers(x, y) && (x != y || *b < a))
                    .map(|(_, b)| *b)
                    .min()
            }
        };
        let Some(eb) = covering.and_then(|b| set.entries.get(b)) else { continue };
        let span = match ea.origin {
            super::ir::EntryOrigin::Rule(s) => s,
            super::ir::EntryOrigin::DataLine(_) => decl,
        };
        let (msg, help) = if eb.value == ea.value {
            (format!("`{}` appears twice in set `{}`", ea.text, set.name), "remove one of them".to_string())
        } else {
            (
                format!("`{}` is covered by `{}` in set `{}`", ea.text, eb.text, set.name),
                format!("`{}` already matches every code that starts with it; remove `{}`", eb.text, ea.text),
            )
        };
        out.push(Lint::new(LintKind::CoveredEntry, file_src, span, msg, "redundant entry", Some(help)));
    }
}

/// `UnusedConst`.
fn unused_consts(rules: &RuleSet, usage: &Usage, out: &mut Vec<Lint>) {
    for (name, file, span, used) in &usage.consts {
        if !used {
            out.push(Lint::new(
                LintKind::UnusedConst,
                &rules.sources[*file],
                *span,
                format!("constant `{name}` is not used by any rule"),
                "unused",
                Some("remove it, or use it in a rule".into()),
            ));
        }
    }
}

/// `Superseded`: a milder measure whose goods a later prohibition covers
/// entirely, without `until`.
fn superseded(rules: &RuleSet, sets: &[usize], out: &mut Vec<Lint>) {
    for a in rules.rules.iter().filter(|a| a.until.is_none()) {
        let Some((goods_a, rest_a)) = goods_and_rest(a, rules, sets) else { continue };
        for b in &rules.rules {
            let later = match (a.effective, b.effective) {
                (Some(x), Some(y)) => y > x,
                (None, Some(_)) => true,
                _ => false,
            };
            if b.id == a.id || b.regime != a.regime || !later || b.severity <= a.severity {
                continue;
            }
            let Some((goods_b, rest_b)) = goods_and_rest(b, rules, sets) else { continue };
            let covered = goods_a.iter().all(|g| goods_b.iter().any(|h| h.kind().kind().covers(h, g)));
            if covered && rest_b.iter().all(|x| rest_a.contains(x)) {
                let from = b.effective.map(|d| d.to_string()).unwrap_or_default();
                out.push(Lint::new(
                    LintKind::Superseded,
                    src(rules, a),
                    a.id_span,
                    format!("rule `{}` goes on after `{}` covers the same goods from {from}", a.id, b.id),
                    "no `until`",
                    Some(format!("if `{}` replaced this measure, add `until: {from}`", b.id)),
                ));
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::ir::{Entry, EntryOrigin, SetDef};
    use crate::values::{Scalar, Value};

    /// `covered_entries` as it was, comparing every pair: the reference.
    fn covered_pairwise(set: &SetDef) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for (a, ea) in set.entries.iter().enumerate() {
            let covering = set.entries.iter().enumerate().find(|(b, eb)| {
                *b != a
                    && match (&eb.value, &ea.value) {
                        (EntryValue::Code(x), EntryValue::Code(y)) => {
                            set.elem.kind().covers(x, y) && (x != y || *b < a)
                        }
                        (x, y) => x == y && *b < a,
                    }
            });
            if let Some((b, _)) = covering {
                out.push((a, b));
            }
        }
        out
    }

    fn set_of(kind: &str, texts: &[String]) -> (SetDef, SourceFile) {
        let elem = Scalar::from_name(kind).unwrap_or(Scalar::STRING);
        let mut src = String::new();
        let mut entries = Vec::new();
        for t in texts {
            let start = src.len();
            src.push_str(t);
            src.push(' ');
            let value = match elem.read_rule(t) {
                Ok(Value::Code(c)) => EntryValue::Code(c),
                _ => EntryValue::Text(t.to_lowercase()),
            };
            let origin = EntryOrigin::Rule(Span::new(start, start + t.len()));
            entries.push(Entry { value, text: t.clone(), since: None, until: None, reference: None, origin });
        }
        let set = SetDef { name: "S".into(), elem, entries, decl: None, data_file: None, table: None };
        (set, SourceFile::new("s.cordon", "s.cordon", src))
    }

    /// Entry index of each lint, from its span, and the covering entry's
    /// text from its message.
    fn found(set: &SetDef, src: &SourceFile) -> Vec<(usize, String, String)> {
        let mut out = Vec::new();
        covered_entries(set, src, Span::new(0, 0), &mut out);
        let starts: Vec<usize> = set
            .entries
            .iter()
            .map(|e| match e.origin {
                EntryOrigin::Rule(s) => s.start,
                EntryOrigin::DataLine(_) => 0,
            })
            .collect();
        out.iter()
            .map(|l| {
                (
                    starts.iter().position(|s| *s == l.span.start).unwrap_or(usize::MAX),
                    l.message.clone(),
                    l.help.clone().unwrap_or_default(),
                )
            })
            .collect()
    }

    /// The lint finds, for each entry, the entry the pairwise comparison
    /// found, with the same messages in the same order (red team H2).
    #[test]
    fn covered_entries_agree_with_the_pairwise_comparison() {
        let mut seed = 0x2545_f491_u64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for round in 0..300 {
            let (kind, texts): (&str, Vec<String>) = match round % 4 {
                0 => (
                    "hs",
                    (0..40)
                        .map(|_| format!("{:0w$}", next(10u64.pow(4)), w = [2, 4, 6][next(3) as usize]))
                        .map(|s| s[..s.len().min(6)].to_string())
                        .collect(),
                ),
                1 => (
                    "eccn",
                    (0..30)
                        .map(|_| {
                            ["3A001", "3A001.a", "3A001.a.1", "3A001.b", "3A0", "EAR99", "5A002", "5A002.a"]
                                [next(8) as usize]
                                .to_string()
                        })
                        .collect(),
                ),
                2 => {
                    ("country", (0..30).map(|_| ["KP", "IR", "SY", "CU", "RU"][next(5) as usize].to_string()).collect())
                }
                _ => (
                    "string",
                    (0..30)
                        .map(|_| ["coal", "Coal", "iron", "iron ore", "ore"][next(5) as usize].to_string())
                        .collect(),
                ),
            };
            let (set, src) = set_of(kind, &texts);
            let want: Vec<(usize, String)> =
                covered_pairwise(&set).into_iter().map(|(a, b)| (a, set.entries[b].text.clone())).collect();
            let got = found(&set, &src);
            assert_eq!(got.len(), want.len(), "{kind} {texts:?}");
            for ((ga, msg, help), (wa, by)) in got.iter().zip(&want) {
                assert_eq!(ga, wa, "{kind} {texts:?}");
                let a = &set.entries[*wa];
                if set.entries.iter().any(|e| e.text == *by && e.value == a.value) {
                    assert_eq!(msg, &format!("`{}` appears twice in set `S`", a.text));
                } else {
                    assert_eq!(msg, &format!("`{}` is covered by `{by}` in set `S`", a.text), "{help}");
                }
            }
        }
    }

    /// A set of 100,000 codes with repeats and ancestors: each one lint.
    #[test]
    fn covered_entries_in_a_large_set() {
        let mut texts: Vec<String> = (0..50_000).map(|i| format!("{:06}", 100_000 + i)).collect();
        texts.extend((0..50_000).map(|i| format!("{:06}", 100_000 + i)));
        texts.push("10".into());
        let (set, src) = set_of("hs", &texts);
        let got = found(&set, &src);
        // The second 50,000 repeat the first; the 10,000 first ones under `10` are covered by it.
        assert_eq!(got.len(), 60_000);
        assert!(got[10_000..].iter().all(|(_, m, _)| m.contains("appears twice")));
        assert!(got.iter().take(3).all(|(_, m, _)| m.contains("is covered by `10`")), "{:?}", &got[..3]);
    }
}
