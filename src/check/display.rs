//! Checked expressions written back in the rule language: explanations
//! quote conditions with it, lints name what they flag, `validate` lists
//! sets. One precedence table, the grammar's.

use crate::check::{ArithOp, CmpOp, Lit, RuleSet, StrOp, TExpr};
use crate::schema::FieldId;
use crate::syntax::ast::Quantifier;

/// Writes a checked expression back in the rule language.
pub fn expr_text(e: &TExpr, rules: &RuleSet) -> String {
    Printer { rules, depth: 0 }.text(e, 0)
}

struct Printer<'a> {
    rules: &'a RuleSet,
    depth: usize,
}

/// The name the printer gives the element of the `d`-th enclosing quantifier.
pub fn var_name(d: usize) -> String {
    if d == 0 { "c".into() } else { format!("c{}", d + 1) }
}

fn lit_text(l: &Lit) -> String {
    match l {
        Lit::Bool(b) => b.to_string(),
        Lit::Str(s) => format!("{s:?}"),
        Lit::Dec(d) => d.to_string(),
        Lit::Date(d) => d.to_string(),
        Lit::Code(c) => format!("\"{c}\""),
    }
}

impl Printer<'_> {
    fn field(&self, f: FieldId) -> String {
        self.rules.schema.fields[f].name.clone()
    }

    fn set(&self, s: usize) -> String {
        let set = &self.rules.sets[s];
        if set.name.starts_with('{') {
            format!("{{ {} }}", set.name.trim_matches(|c| c == '{' || c == '}'))
        } else {
            set.name.clone()
        }
    }

    /// Precedence: or 1, and 2, not 3, comparisons 4, + - 5, * / 6, unary 7, atoms 8.
    fn text(&mut self, e: &TExpr, outer: u8) -> String {
        let (s, p) = self.inner(e);
        if p < outer { format!("({s})") } else { s }
    }

    fn inner(&mut self, e: &TExpr) -> (String, u8) {
        match e {
            TExpr::Lit(l) => (lit_text(l), 8),
            TExpr::Field(f) => (self.field(*f), 8),
            TExpr::Var(d) => (var_name(*d), 8),
            TExpr::Not(x) => match x.as_ref() {
                TExpr::In { value, set } => (format!("{} not in {}", self.text(value, 5), self.set(*set)), 4),
                _ => (format!("not {}", self.text(x, 3)), 3),
            },
            TExpr::And(xs) => (xs.iter().map(|x| self.text(x, 3)).collect::<Vec<_>>().join(" and "), 2),
            // `and` inside `or` is parenthesised for readers, though not needed.
            TExpr::Or(xs) => (xs.iter().map(|x| self.text(x, 3)).collect::<Vec<_>>().join(" or "), 1),
            TExpr::Cmp(op, _, a, b) => (format!("{} {} {}", self.text(a, 5), cmp_op(*op), self.text(b, 5)), 4),
            TExpr::Arith(op, a, b) => {
                let (sym, p) = match op {
                    ArithOp::Add => ("+", 5),
                    ArithOp::Sub => ("-", 5),
                    ArithOp::Mul => ("*", 6),
                    ArithOp::Div => ("/", 6),
                };
                (format!("{} {sym} {}", self.text(a, p), self.text(b, p + 1)), p)
            }
            TExpr::Neg(x) => (format!("-{}", self.text(x, 7)), 7),
            TExpr::In { value, set } => (format!("{} in {}", self.text(value, 5), self.set(*set)), 4),
            TExpr::StrTest(op, a, b) => (format!("{} {} {}", self.text(a, 5), str_op(*op), self.text(b, 5)), 4),
            TExpr::StrTestSet(op, a, s) => (format!("{} {} {}", self.text(a, 5), str_op(*op), self.set(*s)), 4),
            TExpr::ListHas(f, v) => (format!("{} contains {}", self.field(*f), self.text(v, 5)), 4),
            TExpr::Quant(k, f, body) => (self.quantifier(*k, &self.field(*f), body), 8),
            TExpr::GroupQuant(k, g, body) => {
                let group = self.rules.schema.groups.get(*g).map_or("?", |g| g.name.as_str());
                (self.quantifier(*k, group, body), 8)
            }
            TExpr::Convert(c) => {
                let mut t = format!("{} as {}", self.field(c.value), c.target.code);
                if let Some(f) = &c.factor {
                    t.push_str(&format!(" with {} {} = {} {}", f.amount_from, f.from.code, f.amount_to, f.to.code));
                }
                (t, 8)
            }
            TExpr::Present(f) => (format!("present({})", self.field(*f)), 8),
            TExpr::LicenceValid(t) => (format!("licence_valid({})", self.field(t.licence)), 8),
            TExpr::Absent(f) => (format!("absent({})", self.field(*f)), 8),
            TExpr::Call(b, args) => {
                let name = b.name();
                let a: Vec<String> = args.iter().map(|x| self.text(x, 0)).collect();
                (format!("{name}({})", a.join(", ")), 8)
            }
            TExpr::Screen(sc) => (self.screening(sc), 4),
            TExpr::Lookup(l) => (self.lookup(l), 8),
            TExpr::QuantLookup(k, l, body) => {
                let over = self.lookup(l);
                (self.quantifier(*k, &over, body), 8)
            }
        }
    }

    /// `TABLE[key].column`, `TABLE[key][value]`.
    fn lookup(&mut self, l: &crate::check::ir::Lookup) -> String {
        let table = self.set(l.table);
        let key = self.text(&l.key, 0);
        match &l.column {
            crate::check::ir::LookupColumn::Named(i) => {
                let col = self.rules.sets[l.table].table.as_ref().and_then(|t| t.columns.get(*i));
                format!("{table}[{key}].{}", col.map_or("?", |(n, _)| n.as_str()))
            }
            crate::check::ir::LookupColumn::Dynamic(c) => format!("{table}[{key}][{}]", self.text(c, 0)),
        }
    }

    /// `any(c in list: …)`, naming the element after its depth.
    fn quantifier(&mut self, k: Quantifier, over: &str, body: &TExpr) -> String {
        let var = var_name(self.depth);
        self.depth += 1;
        let b = self.text(body, 0);
        self.depth -= 1;
        let kw = if k == Quantifier::Any { "any" } else { "all" };
        format!("{kw}({var} in {over}: {b})")
    }

    /// `subject matches list NAME [programme …] [as KIND] [score >= N]`.
    fn screening(&mut self, sc: &crate::check::Screen) -> String {
        let list = self.rules.lists.get(sc.list).map_or("?", |l| l.name.as_str());
        let mut t = format!("{} matches list {list}", self.text(&sc.subject, 5));
        match sc.programmes.as_slice() {
            [] => {}
            [one] => t.push_str(&format!(" programme {one:?}")),
            many => t.push_str(&format!(
                " programme {{ {} }}",
                many.iter().map(|p| format!("{p:?}")).collect::<Vec<_>>().join(", ")
            )),
        }
        if let Some(k) = &sc.kind_text {
            t.push_str(&format!(" as {k}"));
        }
        if sc.min_score != crate::screen::DEFAULT_THRESHOLD {
            t.push_str(&format!(" score >= {}", sc.min_score));
        }
        t
    }
}

/// How a comparison is written.
fn cmp_op(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Eq => "==",
        CmpOp::Ne => "!=",
        CmpOp::Lt => "<",
        CmpOp::Le => "<=",
        CmpOp::Gt => ">",
        CmpOp::Ge => ">=",
    }
}

/// How a string test is written.
pub fn str_op(op: StrOp) -> &'static str {
    match op {
        StrOp::Contains => "contains",
        StrOp::ContainsWord => "contains word",
        StrOp::StartsWith => "starts with",
        StrOp::EndsWith => "ends with",
    }
}

/// Like [`expr_text`] inside `depth` enclosing quantifiers.
pub fn expr_text_with_vars(e: &TExpr, rules: &RuleSet, depth: usize) -> String {
    Printer { rules, depth }.text(e, 0)
}
