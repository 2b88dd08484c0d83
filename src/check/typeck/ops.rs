//! Binary operators, one family per function: `and`/`or`, `in`, the text
//! tests, comparisons and arithmetic; and the right side of `in` (a set).

use super::{Decl, ERR, Tc, Ty, describe};
use crate::check::error::CheckErrorKind;
use crate::check::ir::*;
use crate::schema::Scalar;
use crate::source::Span;
use crate::syntax::ast::{self, BinOp, ExprKind};

impl Tc<'_, '_> {
    pub(super) fn binary(&mut self, op: BinOp, lhs: &ast::Expr, rhs: &ast::Expr, span: Span) -> (TExpr, Ty) {
        match op {
            BinOp::And | BinOp::Or => self.logic(op, lhs, rhs),
            BinOp::In | BinOp::NotIn => self.membership(op, lhs, rhs, span),
            BinOp::Contains | BinOp::ContainsWord | BinOp::StartsWith | BinOp::EndsWith => self.text_test(op, lhs, rhs),
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                self.comparison(op, lhs, rhs, span)
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => self.arithmetic(op, lhs, rhs),
        }
    }

    /// `and`/`or`, flattened.
    fn logic(&mut self, op: BinOp, lhs: &ast::Expr, rhs: &ast::Expr) -> (TExpr, Ty) {
        let (l, lt) = self.expr(lhs);
        let (r, rt) = self.expr(rhs);
        for (t, e) in [(lt, lhs), (rt, rhs)] {
            if t != Ty::Bool && t != Ty::Error {
                let msg = format!(
                    "`{}` needs conditions on both sides, but `{}` is {}",
                    op.symbol(),
                    self.text(e.span),
                    describe(t)
                );
                return self.mismatch(e.span, msg, None);
            }
        }
        if lt == Ty::Error || rt == Ty::Error {
            return ERR;
        }
        let mut items = Vec::new();
        for t in [l, r] {
            match (op, t) {
                (BinOp::And, TExpr::And(v)) | (BinOp::Or, TExpr::Or(v)) => items.extend(v),
                (_, t) => items.push(t),
            }
        }
        (if op == BinOp::And { TExpr::And(items) } else { TExpr::Or(items) }, Ty::Bool)
    }

    /// `value in SET`, `value not in SET`.
    fn membership(&mut self, op: BinOp, lhs: &ast::Expr, rhs: &ast::Expr, span: Span) -> (TExpr, Ty) {
        let (l, lt) = self.expr(lhs);
        let want = match lt {
            Ty::Error => {
                let _ = self.set_operand_quiet(rhs);
                return ERR;
            }
            Ty::Scalar(s) if super::super::set_kind(s) => s,
            Ty::List(_) => {
                let name = self.text(lhs.span);
                let msg = format!("`{name}` is {}; say which of its elements must be in the set", describe(lt));
                let help = format!("write `any(c in {name}: c in …)` or `all(c in {name}: c in …)`");
                return self.mismatch(lhs.span, msg, Some(help));
            }
            other => {
                let msg =
                    format!("`{}` is {}, which cannot be looked up in a set", self.text(lhs.span), describe(other));
                let held: Vec<&str> =
                    Scalar::all().filter(|k| super::super::set_kind(*k)).map(|k| k.kind().plural()).collect();
                return self.mismatch(lhs.span, msg, Some(format!("sets hold {}", held.join(", "))));
            }
        };
        let Some((set, kind)) = self.set_operand(rhs, want) else { return ERR };
        if kind.kind().looks_up(kind) != want {
            let msg = format!(
                "`{}` is {} but `{}` is {}",
                self.text(lhs.span),
                describe(lt),
                self.text(rhs.span),
                describe(Ty::Set(set, kind))
            );
            return self.mismatch(span, msg, None);
        }
        let t = TExpr::In { value: Box::new(l), set };
        (if op == BinOp::NotIn { TExpr::Not(Box::new(t)) } else { t }, Ty::Bool)
    }

    /// `contains`, `contains word`, `starts with`, `ends with` on text (or
    /// `contains` on a list field).
    fn text_test(&mut self, op: BinOp, lhs: &ast::Expr, rhs: &ast::Expr) -> (TExpr, Ty) {
        let sop = match op {
            BinOp::Contains => StrOp::Contains,
            BinOp::ContainsWord => StrOp::ContainsWord,
            BinOp::StartsWith => StrOp::StartsWith,
            _ => StrOp::EndsWith,
        };
        let (l, lt) = self.expr(lhs);
        match lt {
            Ty::Error => ERR,
            Ty::List(elem) if op == BinOp::Contains => self.list_contains(l, lt, elem, lhs, rhs),
            Ty::Scalar(Scalar::STRING) => self.string_test(sop, op, l, rhs),
            other => {
                let msg =
                    format!("`{}` works on text, but `{}` is {}", op.symbol(), self.text(lhs.span), describe(other));
                let help = match other {
                    Ty::Scalar(s) => s.kind().text_test_help().map(str::to_string),
                    _ => None,
                };
                self.mismatch(lhs.span, msg, help)
            }
        }
    }

    /// `list contains value`.
    fn list_contains(&mut self, l: TExpr, lt: Ty, elem: Scalar, lhs: &ast::Expr, rhs: &ast::Expr) -> (TExpr, Ty) {
        let TExpr::Field(fid) = l else { return ERR };
        let (r, rt) = self.expr(rhs);
        let Some((r, rt)) = self.coerce(r, rt, elem, rhs.span) else { return ERR };
        if rt != Ty::Scalar(elem) {
            if rt != Ty::Error {
                let msg = format!(
                    "`{}` is {}; it can contain {}, not {}",
                    self.text(lhs.span),
                    describe(lt),
                    elem.kind().a(),
                    describe(rt)
                );
                self.error(CheckErrorKind::TypeMismatch, rhs.span, msg, None);
            }
            return ERR;
        }
        (TExpr::ListHas(fid, Box::new(r)), Ty::Bool)
    }

    /// A text test against a pattern, or against every element of a set of texts.
    fn string_test(&mut self, sop: StrOp, op: BinOp, l: TExpr, rhs: &ast::Expr) -> (TExpr, Ty) {
        let is_set = matches!(&rhs.kind, ExprKind::Set(_))
            || matches!(&rhs.kind, ExprKind::Name(n)
                if matches!(self.c.name_for(n.as_str(), self.file), Some((Decl::Set(_), _, _))) && self.c.schema_field(n).is_none());
        if is_set {
            let Some((set, kind)) = self.set_operand(rhs, Scalar::STRING) else { return ERR };
            if kind != Scalar::STRING {
                let msg = format!(
                    "`{}` takes a set of texts, but `{}` is {}",
                    op.symbol(),
                    self.text(rhs.span),
                    describe(Ty::Set(set, kind))
                );
                return self.mismatch(rhs.span, msg, Some("for names use `in`".into()));
            }
            return (TExpr::StrTestSet(sop, Box::new(l), set), Ty::Bool);
        }
        let (r, rt) = self.expr(rhs);
        match rt {
            Ty::Scalar(Scalar::STRING) => (TExpr::StrTest(sop, Box::new(l), Box::new(r)), Ty::Bool),
            Ty::Error => ERR,
            other => {
                let msg = format!(
                    "`{}` needs text on its right, but `{}` is {}",
                    op.symbol(),
                    self.text(rhs.span),
                    describe(other)
                );
                self.mismatch(rhs.span, msg, None)
            }
        }
    }

    /// `==`, `!=`, `<`, `<=`, `>`, `>=`; a text literal takes the kind of the other side.
    fn comparison(&mut self, op: BinOp, lhs: &ast::Expr, rhs: &ast::Expr, span: Span) -> (TExpr, Ty) {
        let (l, lt) = self.expr(lhs);
        let (r, rt) = self.expr(rhs);
        if lt == Ty::Error || rt == Ty::Error {
            return ERR;
        }
        let (l, lt, r, rt) = match (lt, rt) {
            (Ty::Scalar(a), Ty::Scalar(Scalar::STRING)) if a != Scalar::STRING => {
                let Some((r, rt)) = self.coerce(r, rt, a, rhs.span) else { return ERR };
                (l, lt, r, rt)
            }
            (Ty::Scalar(Scalar::STRING), Ty::Scalar(b)) if b != Scalar::STRING => {
                let Some((l, lt)) = self.coerce(l, lt, b, lhs.span) else { return ERR };
                (l, lt, r, rt)
            }
            _ => (l, lt, r, rt),
        };
        let cop = match op {
            BinOp::Eq => CmpOp::Eq,
            BinOp::Ne => CmpOp::Ne,
            BinOp::Lt => CmpOp::Lt,
            BinOp::Le => CmpOp::Le,
            BinOp::Gt => CmpOp::Gt,
            _ => CmpOp::Ge,
        };
        let ordered = matches!(cop, CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge);
        match (lt, rt) {
            (Ty::Bool, Ty::Bool) if !ordered => {
                // Booleans compare as decimals 0/1 would; keep them as conditions.
                let t = TExpr::Or(vec![
                    TExpr::And(vec![l.clone(), r.clone()]),
                    TExpr::And(vec![TExpr::Not(Box::new(l)), TExpr::Not(Box::new(r))]),
                ]);
                (if cop == CmpOp::Eq { t } else { TExpr::Not(Box::new(t)) }, Ty::Bool)
            }
            (Ty::Scalar(a), Ty::Scalar(b)) if a == b => {
                if ordered && !a.kind().ordered() {
                    let msg = format!("{} cannot be ordered with `{}`", a.kind().plural(), op.symbol());
                    return self.mismatch(span, msg, Some("compare with `==` or `!=`, or use a set".into()));
                }
                (TExpr::Cmp(cop, a, Box::new(l), Box::new(r)), Ty::Bool)
            }
            (a, b) => {
                let msg = format!(
                    "cannot compare `{}` ({}) with `{}` ({})",
                    self.text(lhs.span),
                    describe(a),
                    self.text(rhs.span),
                    describe(b)
                );
                let help = match (a, b) {
                    (Ty::List(_), _) | (_, Ty::List(_)) => {
                        Some("for lists use `contains`, `any(…)` or `all(…)`".into())
                    }
                    (Ty::Set(..), _) | (_, Ty::Set(..)) => Some("for sets use `in`".into()),
                    _ => None,
                };
                self.mismatch(span, msg, help)
            }
        }
    }

    /// `+`, `-`, `*`, `/` on numbers.
    fn arithmetic(&mut self, op: BinOp, lhs: &ast::Expr, rhs: &ast::Expr) -> (TExpr, Ty) {
        let (l, lt) = self.expr(lhs);
        let (r, rt) = self.expr(rhs);
        for (t, e) in [(lt, lhs), (rt, rhs)] {
            if t != Ty::Scalar(Scalar::DECIMAL) && t != Ty::Error {
                let msg = format!("`{}` needs numbers, but `{}` is {}", op.symbol(), self.text(e.span), describe(t));
                return self.mismatch(e.span, msg, None);
            }
        }
        if lt == Ty::Error || rt == Ty::Error {
            return ERR;
        }
        let aop = match op {
            BinOp::Add => ArithOp::Add,
            BinOp::Sub => ArithOp::Sub,
            BinOp::Mul => ArithOp::Mul,
            _ => ArithOp::Div,
        };
        (TExpr::Arith(aop, Box::new(l), Box::new(r)), Ty::Scalar(Scalar::DECIMAL))
    }

    /// Resolves the right side of `in`: a named set or an inline set typed by the left side.
    pub(super) fn set_operand(&mut self, rhs: &ast::Expr, want: ElemKind) -> Option<(SetId, ElemKind)> {
        match &rhs.kind {
            ExprKind::Paren(inner) => self.set_operand(inner, want),
            ExprKind::Set(lit) => {
                let entries = self.c.literal_entries(self.file, want, lit);
                let id = self.c.sets.len();
                self.c.sets.push(SetDef {
                    name: format!("{{{}}}", self.text(lit.span).trim_matches(|c| c == '{' || c == '}').trim()),
                    elem: want,
                    entries,
                    decl: Some((self.file, lit.span)),
                    data_file: None,
                    table: None,
                });
                Some((id, want))
            }
            ExprKind::Name(n) if self.c.schema_field(n).is_none() && !self.vars.iter().any(|(v, _)| v == n) => {
                self.named_set(n, rhs.span)
            }
            _ => {
                let (_, ty) = self.expr(rhs);
                if ty != Ty::Error {
                    let msg =
                        format!("`in` needs a set on its right, but `{}` is {}", self.text(rhs.span), describe(ty));
                    self.error(
                        CheckErrorKind::TypeMismatch,
                        rhs.span,
                        msg,
                        Some("name a set, or write `{ … }`".into()),
                    );
                }
                None
            }
        }
    }

    fn named_set(&mut self, n: &str, span: Span) -> Option<(SetId, ElemKind)> {
        match self.c.name_for(n, self.file) {
            Some((Decl::Set(id), file, _)) => {
                if !self.visible(file) {
                    self.not_imported(n, file, span);
                    return None;
                }
                Some((id, self.c.sets[id].elem))
            }
            Some((Decl::Const(_), _, _)) => {
                let help = Some("compare with `==`, or write `{ … }`".to_string());
                self.error(CheckErrorKind::TypeMismatch, span, format!("`{n}` is a constant, not a set"), help);
                None
            }
            None => {
                let sets: Vec<&str> = self
                    .c
                    .names
                    .iter()
                    .filter(|(_, ds)| ds.iter().any(|(d, _, _)| matches!(d, Decl::Set(_))))
                    .map(|(k, _)| k.as_str())
                    .collect();
                let help = crate::suggest::did_you_mean(n, sets).map(|s| format!("did you mean `{s}`?"));
                self.error(CheckErrorKind::UnknownSet, span, format!("unknown set `{n}`"), help);
                None
            }
        }
    }

    /// Resolves a set operand only to report its own errors.
    fn set_operand_quiet(&mut self, rhs: &ast::Expr) -> Option<()> {
        if let ExprKind::Name(n) = &rhs.kind
            && !self.c.names.contains_key(n.as_str())
            && self.c.schema_field(n).is_none()
        {
            self.set_operand(rhs, Scalar::STRING)?;
        }
        Some(())
    }
}
