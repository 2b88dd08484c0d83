//! Function calls: `present`/`absent` of a field, and the functions kinds
//! bring ([`crate::values::functions`]), typed by their signatures.

use super::{ERR, Tc, Ty, describe};
use crate::check::error::CheckErrorKind;
use crate::check::ir::*;
use crate::schema::Scalar;
use crate::source::Span;
use crate::syntax::ast::{self, ExprKind};
use crate::values::functions::{self, Function, Param};

impl Tc<'_, '_> {
    pub(super) fn call(&mut self, func: &ast::Ident, args: &[ast::Expr], span: Span) -> (TExpr, Ty) {
        let name = func.name.as_str();
        if name == "present" || name == "absent" {
            return self.presence(name, args, span);
        }
        if name == "licence_valid" || name == "license_valid" {
            return self.licence_valid(name, args, span);
        }
        let Some((owner, f)) = Function::named(name) else {
            let names = functions::names();
            let help = crate::suggest::help(
                name,
                names.iter().copied(),
                &format!("functions are {}", crate::suggest::quoted(names.iter().copied())),
            );
            self.error(CheckErrorKind::UnknownFunction, func.span, format!("unknown function `{name}`"), Some(help));
            for a in args {
                let _ = self.expr(a);
            }
            return ERR;
        };
        if !self.arity(name, f.params.len(), args.len(), span) {
            return ERR;
        }
        let mut typed = Vec::with_capacity(args.len());
        for (i, a) in args.iter().enumerate() {
            typed.push(match f.params[i] {
                Param::TextOrList => self.text_or_list(a, name),
                _ => self.arg(a, f.param(owner, i).unwrap_or(Scalar::STRING), name),
            });
        }
        let Some(typed) = typed.into_iter().collect::<Option<Vec<_>>>() else { return ERR };
        (TExpr::Call(Builtin { function: f, owner }, typed), Ty::Scalar(f.result))
    }

    fn arity(&mut self, name: &str, n: usize, got: usize, span: Span) -> bool {
        if got != n {
            let msg = format!("`{name}` takes {n} argument{}, not {got}", if n == 1 { "" } else { "s" });
            self.error(CheckErrorKind::Arity, span, msg, None);
        }
        got == n
    }

    /// `present(field)`, `absent(field)`: the argument must be a field.
    fn presence(&mut self, name: &str, args: &[ast::Expr], span: Span) -> (TExpr, Ty) {
        if !self.arity(name, 1, args.len(), span) {
            return ERR;
        }
        let a = &args[0];
        let field = match &a.kind {
            ExprKind::Name(n) => self.c.schema_field(n),
            _ => None,
        };
        let Some(fid) = field else {
            let help = match &a.kind {
                ExprKind::Name(n) => self.suggest_field(n),
                _ => None,
            };
            let msg = format!("`{name}` takes a record field, not `{}`", self.text(a.span));
            self.error(CheckErrorKind::UnknownField, a.span, msg, help);
            return ERR;
        };
        (if name == "present" { TExpr::Present(fid) } else { TExpr::Absent(fid) }, Ty::Bool)
    }

    /// `licence_valid(license)`: the argument is the text field citing a licence.
    fn licence_valid(&mut self, name: &str, args: &[ast::Expr], span: Span) -> (TExpr, Ty) {
        use crate::schema::Role;
        if !self.arity(name, 1, args.len(), span) {
            return ERR;
        }
        let a = &args[0];
        let schema = std::sync::Arc::clone(&self.c.pack.schema);
        let field = match &a.kind {
            ExprKind::Name(n) => self.c.schema_field(n).filter(|f| schema.fields[*f].scalar() == Scalar::STRING),
            _ => None,
        };
        let Some(licence) = field else {
            let msg = format!("`{name}` takes the text field that cites a licence, not `{}`", self.text(a.span));
            let help = schema.role(Role::Licence).map(|f| format!("write `{name}({})`", schema.fields[f].name));
            self.error(CheckErrorKind::UnknownField, a.span, msg, help);
            return ERR;
        };
        let t = LicenceTest {
            licence,
            goods: schema.role(Role::Goods),
            destination: schema.role(Role::Destination),
            end_user: schema.field("end_user"),
            consignee: schema.field("consignee"),
        };
        (TExpr::LicenceValid(Box::new(t)), Ty::Bool)
    }

    fn text_or_list(&mut self, a: &ast::Expr, func: &str) -> Option<TExpr> {
        let (t, ty) = self.expr(a);
        match ty {
            Ty::Scalar(Scalar::STRING) | Ty::List(_) => Some(t),
            Ty::Error => None,
            other => {
                let msg = format!("`{func}` takes text or a list, not {}", describe(other));
                self.error(CheckErrorKind::TypeMismatch, a.span, msg, None);
                None
            }
        }
    }

    fn arg(&mut self, a: &ast::Expr, want: Scalar, func: &str) -> Option<TExpr> {
        let (t, ty) = self.expr(a);
        let (t, ty) = self.coerce(t, ty, want, a.span)?;
        match ty {
            Ty::Scalar(s) if s == want => Some(t),
            Ty::Error => None,
            other => {
                let msg =
                    format!("`{func}` takes {}, but `{}` is {}", want.kind().a(), self.text(a.span), describe(other));
                self.error(CheckErrorKind::TypeMismatch, a.span, msg, None);
                None
            }
        }
    }
}
