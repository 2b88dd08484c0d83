//! Expression typing: resolves names to fields, sets, constants and bound
//! variables, checks operand types, and builds typed expressions. Kinds of
//! values ([`crate::values::kind`]) say what reads, orders and matches; this
//! module only knows the language's own types (conditions, text, numbers,
//! dates, lists and sets).
//!
//! - `mod.rs`: types, names, literals, unary operators, quantifiers;
//! - `ops.rs`: binary operators, one family per function;
//! - `calls.rs`: functions (the registry) and `present`/`absent`;
//! - `special.rs`: unit conversion and screening.

mod calls;
mod ops;
mod special;

use super::error::{CheckError, CheckErrorKind};
use super::ir::*;
use super::{Checker, Decl};
use crate::schema::{FieldType, Scalar};
use crate::source::Span;
use crate::syntax::ast::{self, ExprKind, UnaryOp};
use crate::values::{Date, parse_decimal};

/// The type of an expression while checking.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Ty {
    Bool,
    Scalar(Scalar),
    List(Scalar),
    Set(SetId, ElemKind),
    /// Already reported; suppresses follow-on errors.
    Error,
}

fn type_name(t: FieldType) -> String {
    match t {
        FieldType::Scalar(s) => s.name().to_string(),
        FieldType::List(s) => format!("list<{}>", s.name()),
    }
}

fn describe(t: Ty) -> String {
    match t {
        Ty::Bool => "a condition".into(),
        Ty::Scalar(s) => s.kind().a().into(),
        Ty::List(s) => format!("a list of {}", s.kind().plural()),
        Ty::Set(_, k) => format!("a set of {}", k.kind().plural()),
        Ty::Error => "unknown".into(),
    }
}

/// What a failed typing returns: a placeholder already reported.
const ERR: (TExpr, Ty) = (TExpr::Lit(Lit::Bool(false)), Ty::Error);

/// Checks a `when` or `unless` condition; `None` if it has errors (reported).
pub(super) fn condition(c: &mut Checker<'_>, file: usize, e: &ast::Expr) -> Option<TExpr> {
    let before = c.errors.len();
    let mut tc = Tc { c, file, vars: Vec::new() };
    let (t, ty) = tc.expr(e);
    if ty != Ty::Bool && ty != Ty::Error {
        let msg = format!("a condition is needed here, but `{}` is {}", tc.text(e.span), describe(ty));
        tc.error(
            CheckErrorKind::TypeMismatch,
            e.span,
            msg,
            Some("compare it with something, e.g. `quantity > 0`".into()),
        );
    }
    (tc.c.errors.len() == before).then_some(t)
}

struct Tc<'c, 'p> {
    c: &'c mut Checker<'p>,
    file: usize,
    vars: Vec<(String, Scalar)>,
}

impl Tc<'_, '_> {
    fn text(&self, span: Span) -> String {
        let t = self.c.src(self.file).slice(span);
        let t: String = t.split_whitespace().collect::<Vec<_>>().join(" ");
        if t.chars().count() > 48 { format!("{}…", t.chars().take(47).collect::<String>()) } else { t }
    }

    fn error(&mut self, kind: CheckErrorKind, span: Span, msg: String, help: Option<String>) {
        let src = self.c.src(self.file);
        let label = match kind {
            CheckErrorKind::TypeMismatch => "wrong type",
            CheckErrorKind::UnknownField | CheckErrorKind::UnknownName => "not defined",
            CheckErrorKind::UnknownSet => "no such set",
            CheckErrorKind::UnknownFunction => "no such function",
            CheckErrorKind::NotImported => "not imported",
            CheckErrorKind::InvalidValue(s) => s.kind().invalid_label(),
            CheckErrorKind::InvalidDate => "not a date",
            _ => "",
        };
        let e = CheckError::new(kind, src, span, msg).label(label).maybe_help(help);
        self.c.errors.push(e);
    }

    /// Reports a type error (when neither side is already an error).
    fn mismatch(&mut self, span: Span, msg: String, help: Option<String>) -> (TExpr, Ty) {
        self.error(CheckErrorKind::TypeMismatch, span, msg, help);
        ERR
    }

    fn visible(&self, declaring_file: usize) -> bool {
        declaring_file == self.file || self.c.pack.files[self.file].imports.contains(&declaring_file)
    }

    fn expr(&mut self, e: &ast::Expr) -> (TExpr, Ty) {
        match &e.kind {
            ExprKind::Paren(inner) => self.expr(inner),
            ExprKind::Str(_) | ExprKind::Bool(_) | ExprKind::Decimal(_) | ExprKind::Date(_) => self.literal(e),
            ExprKind::Name(n) => self.name(n, e.span),
            ExprKind::Set(_) => self.mismatch(
                e.span,
                "a set can only follow `in`, `not in` or `contains`".into(),
                Some("write `field in { … }`".into()),
            ),
            ExprKind::Unary { op, expr } => self.unary(*op, expr),
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, e.span),
            ExprKind::Quant { kind, var, list, body } => match &list.kind {
                ExprKind::Name(n) => {
                    let id = ast::Ident { name: n.clone(), span: list.span };
                    self.quantifier(*kind, var, &id, body)
                }
                _ => self.quantifier_lookup(*kind, var, list, body),
            },
            ExprKind::Lookup { table, key, column } => match self.lookup(table, key, column) {
                Some((l, ty)) => (TExpr::Lookup(Box::new(l)), ty),
                None => ERR,
            },
            ExprKind::Call { func, args } => self.call(func, args, e.span),
            ExprKind::Matches(m) => self.screening(m),
            ExprKind::Convert(c) => self.conversion(c),
        }
    }

    fn literal(&mut self, e: &ast::Expr) -> (TExpr, Ty) {
        match &e.kind {
            ExprKind::Str(s) => (TExpr::Lit(Lit::Str(s.clone())), Ty::Scalar(Scalar::STRING)),
            ExprKind::Bool(b) => (TExpr::Lit(Lit::Bool(*b)), Ty::Bool),
            ExprKind::Decimal(t) => match parse_decimal(t) {
                Ok(d) => (TExpr::Lit(Lit::Dec(d)), Ty::Scalar(Scalar::DECIMAL)),
                Err(m) => {
                    self.error(CheckErrorKind::InvalidNumber, e.span, m, None);
                    ERR
                }
            },
            ExprKind::Date(t) => match Date::parse(t) {
                Ok(d) => (TExpr::Lit(Lit::Date(d)), Ty::Scalar(Scalar::DATE)),
                Err(m) => {
                    self.error(CheckErrorKind::InvalidDate, e.span, m, Some("dates are written YYYY-MM-DD".into()));
                    ERR
                }
            },
            _ => ERR,
        }
    }

    fn unary(&mut self, op: UnaryOp, expr: &ast::Expr) -> (TExpr, Ty) {
        let (t, ty) = self.expr(expr);
        match (op, ty) {
            (_, Ty::Error) => ERR,
            (UnaryOp::Not, Ty::Bool) => (TExpr::Not(Box::new(t)), Ty::Bool),
            (UnaryOp::Neg, Ty::Scalar(Scalar::DECIMAL)) => (TExpr::Neg(Box::new(t)), ty),
            (UnaryOp::Not, other) => {
                let msg = format!("`not` needs a condition, but `{}` is {}", self.text(expr.span), describe(other));
                self.mismatch(expr.span, msg, None)
            }
            (UnaryOp::Neg, other) => {
                let msg = format!("`-` needs a number, but `{}` is {}", self.text(expr.span), describe(other));
                self.mismatch(expr.span, msg, None)
            }
        }
    }

    /// `any(x in list: …)`/`all(…)` over a list field or a group.
    fn quantifier(
        &mut self,
        kind: ast::Quantifier,
        var: &ast::Ident,
        list: &ast::Ident,
        body: &ast::Expr,
    ) -> (TExpr, Ty) {
        let schema = std::sync::Arc::clone(&self.c.pack.schema);
        let (elem, over) = match (schema.field(&list.name), schema.group(&list.name)) {
            (None, Some(g)) => (schema.groups[g].scalar, None),
            (Some(fid), _) => match schema.fields[fid].ty {
                FieldType::List(elem) => (elem, Some(fid)),
                FieldType::Scalar(s) => {
                    let msg = format!("`{}` is {}, not a list", list.name, describe(Ty::Scalar(s)));
                    let help = Some("`any` and `all` range over list fields such as `route`".into());
                    return self.mismatch(list.span, msg, help);
                }
            },
            (None, None) => {
                let names = schema.names().chain(schema.groups.iter().map(|g| g.name.as_str()));
                let help = crate::suggest::did_you_mean(&list.name, names).map(|s| format!("did you mean `{s}`?"));
                let msg = format!("unknown field or group `{}`", list.name);
                self.error(CheckErrorKind::UnknownField, list.span, msg, help);
                return ERR;
            }
        };
        self.vars.push((var.name.clone(), elem));
        let (b, bty) = self.expr(body);
        self.vars.pop();
        match (bty, over) {
            (Ty::Bool, Some(fid)) => (TExpr::Quant(kind, fid, Box::new(b)), Ty::Bool),
            (Ty::Bool, None) => match schema.group(&list.name) {
                Some(g) => (TExpr::GroupQuant(kind, g, Box::new(b)), Ty::Bool),
                None => ERR,
            },
            (Ty::Error, _) => ERR,
            (other, Some(_)) => {
                let word = if kind == ast::Quantifier::Any { "any" } else { "all" };
                let msg = format!("the body of `{word}` must be a condition, not {}", describe(other));
                self.mismatch(body.span, msg, None)
            }
            (other, None) => {
                let msg = format!("the body of a quantifier must be a condition, not {}", describe(other));
                self.mismatch(body.span, msg, None)
            }
        }
    }

    /// `any(r in CCL[e].chart_columns: …)`: over the items of a list cell.
    fn quantifier_lookup(
        &mut self,
        kind: ast::Quantifier,
        var: &ast::Ident,
        list: &ast::Expr,
        body: &ast::Expr,
    ) -> (TExpr, Ty) {
        let ExprKind::Lookup { table, key, column } = &list.kind else {
            return self.mismatch(
                list.span,
                "`any` and `all` range over a list field or a table's list column".into(),
                None,
            );
        };
        let Some((l, ty)) = self.lookup(table, key, column) else { return ERR };
        let Ty::List(elem) = ty else {
            let msg = format!("`{}` is {}, not a list", self.text(list.span), describe(ty));
            return self.mismatch(list.span, msg, Some("declare the column as `list<…>` in the table".into()));
        };
        self.vars.push((var.name.clone(), elem));
        let (b, bty) = self.expr(body);
        self.vars.pop();
        match bty {
            Ty::Bool => (TExpr::QuantLookup(kind, Box::new(l), Box::new(b)), Ty::Bool),
            Ty::Error => ERR,
            other => {
                let msg = format!("the body of a quantifier must be a condition, not {}", describe(other));
                self.mismatch(body.span, msg, None)
            }
        }
    }

    /// `TABLE[key].column`, `TABLE[key][value]`: the table, the key typed as
    /// the table's keys, the column by name or (every column of one type) by
    /// a text value.
    fn lookup(
        &mut self,
        table: &ast::Ident,
        key: &ast::Expr,
        column: &ast::LookupColumn,
    ) -> Option<(crate::check::ir::Lookup, Ty)> {
        use crate::check::ir::{Lookup, LookupColumn};
        let (id, elem) = match self.c.name_for(&table.name, self.file) {
            Some((Decl::Set(id), file, _)) => {
                if !self.visible(file) {
                    self.not_imported(&table.name, file, table.span);
                    return None;
                }
                // A table whose file could not be read is reported already.
                if self.c.sets[id].table.is_none() && self.c.table_ids.contains(&id) {
                    return None;
                }
                (id, self.c.sets[id].elem)
            }
            _ => {
                let tables: Vec<&str> =
                    self.c.sets.iter().filter(|s| s.table.is_some()).map(|s| s.name.as_str()).collect();
                let help = crate::suggest::did_you_mean(&table.name, tables.iter().copied())
                    .map(|s| format!("did you mean `{s}`?"))
                    .unwrap_or_else(|| "declare it with `table NAME from \"file.csv\" { key col: type … }`".into());
                self.error(CheckErrorKind::Table, table.span, format!("unknown table `{}`", table.name), Some(help));
                return None;
            }
        };
        let Some(t) = self.c.sets[id].table.clone() else {
            let msg = format!("`{}` is a set, not a table: write `… in {}`", table.name, table.name);
            self.error(CheckErrorKind::Table, table.span, msg, None);
            return None;
        };
        let (k, kty) = self.expr(key);
        match kty {
            Ty::Scalar(s) if s == elem => {}
            Ty::Error => return None,
            other => {
                let msg = format!(
                    "the keys of `{}` are {}, but `{}` is {}",
                    table.name,
                    elem.kind().plural(),
                    self.text(key.span),
                    describe(other)
                );
                self.error(CheckErrorKind::TypeMismatch, key.span, msg, None);
                return None;
            }
        }
        let ty_of = |ft: FieldType| match ft {
            FieldType::Scalar(s) => Ty::Scalar(s),
            FieldType::List(s) => Ty::List(s),
        };
        match column {
            ast::LookupColumn::Named(c) => match t.column(&c.name) {
                Some(i) => Some((Lookup { table: id, key: k, column: LookupColumn::Named(i) }, ty_of(t.columns[i].1))),
                None => {
                    let names = t.columns.iter().map(|(n, _)| n.as_str());
                    let help = crate::suggest::help(
                        &c.name,
                        names.clone(),
                        &format!("its columns are {}", crate::suggest::quoted(names)),
                    );
                    let msg = format!("table `{}` has no column `{}`", table.name, c.name);
                    self.error(CheckErrorKind::Table, c.span, msg, Some(help));
                    None
                }
            },
            ast::LookupColumn::Dynamic(e) => {
                let (c, cty) = self.expr(e);
                match cty {
                    Ty::Scalar(s) if s == Scalar::STRING => {}
                    Ty::Error => return None,
                    other => {
                        let msg = format!("a column is named by text, not {}", describe(other));
                        self.error(CheckErrorKind::TypeMismatch, e.span, msg, None);
                        return None;
                    }
                }
                let Some((_, first)) = t.columns.first() else {
                    self.error(CheckErrorKind::Table, e.span, format!("table `{}` has no columns", table.name), None);
                    return None;
                };
                if let Some((n, other)) = t.columns.iter().find(|(_, ty)| ty != first) {
                    let msg = format!(
                        "a column named by a value needs every column of `{}` to have one type, but `{n}` is `{}` and `{}` is `{}`",
                        table.name,
                        type_name(*other),
                        t.columns[0].0,
                        type_name(*first)
                    );
                    self.error(CheckErrorKind::Table, e.span, msg, Some("name the column: `TABLE[key].COLUMN`".into()));
                    return None;
                }
                Some((Lookup { table: id, key: k, column: LookupColumn::Dynamic(c) }, ty_of(*first)))
            }
        }
    }

    fn suggest_field(&self, name: &str) -> Option<String> {
        crate::suggest::did_you_mean(name, self.c.pack.schema.names()).map(|s| format!("did you mean `{s}`?"))
    }

    fn name(&mut self, n: &str, span: Span) -> (TExpr, Ty) {
        if let Some(depth) = self.vars.iter().rposition(|(v, _)| v == n) {
            return (TExpr::Var(depth), Ty::Scalar(self.vars[depth].1));
        }
        if let Some(fid) = self.c.pack.schema.field(n) {
            return match self.c.pack.schema.fields[fid].ty {
                FieldType::Scalar(s) => (TExpr::Field(fid), Ty::Scalar(s)),
                // A bare list field is only meaningful with `contains`, `any`, `all`
                // and `len`; those read it through `list_field`.
                FieldType::List(s) => (TExpr::Field(fid), Ty::List(s)),
            };
        }
        if let Some((decl, file, _)) = self.c.name_for(n, self.file) {
            if !self.visible(file) {
                self.not_imported(n, file, span);
                return ERR;
            }
            return match decl {
                Decl::Set(id) => (TExpr::Lit(Lit::Bool(false)), Ty::Set(id, self.c.sets[id].elem)),
                Decl::Const(id) => {
                    self.c.consts[id].used = true;
                    match &self.c.consts[id].lit {
                        Some(l) => (TExpr::Lit(l.clone()), lit_type(l)),
                        None => ERR, // its own error was reported
                    }
                }
            };
        }
        self.unknown_name(n, span)
    }

    fn unknown_name(&mut self, n: &str, span: Span) -> (TExpr, Ty) {
        let mut candidates: Vec<&str> = self.c.pack.schema.names().collect();
        candidates.extend(self.c.names.keys().map(String::as_str));
        candidates.extend(self.vars.iter().map(|(v, _)| v.as_str()));
        let help = match crate::suggest::did_you_mean(n, candidates) {
            Some(s) => Some(format!("did you mean `{s}`?")),
            None if n.len() == 2 && n.chars().all(|c| c.is_ascii_uppercase()) => {
                Some(format!("for the country, write `\"{n}\"`, or use a set: `destination in {{ {n} }}`"))
            }
            None => Some(format!(
                "record fields are {}; to add one, give the pack a schema file that says `extends: standard` and \
                 lists it under `fields:`, and name that file under `schema:` in the pack's `cordon.yaml`",
                crate::suggest::quoted(self.c.pack.schema.names())
            )),
        };
        let is_upper = n.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        let (kind, msg) = if is_upper {
            (CheckErrorKind::UnknownName, format!("unknown name `{n}`: no set, constant or field has it"))
        } else {
            (CheckErrorKind::UnknownField, format!("unknown field `{n}`"))
        };
        self.error(kind, span, msg, help);
        ERR
    }

    fn not_imported(&mut self, n: &str, file: usize, span: Span) {
        let from = self.c.pack.files[file].rel.clone();
        let here = self.c.pack.files[self.file].rel.clone();
        let rel = relative(&from, &here);
        self.error(
            CheckErrorKind::NotImported,
            span,
            format!("`{n}` is defined in `{from}`, which this file does not import"),
            Some(format!("add `import \"{rel}\"` at the top of the file")),
        );
    }

    /// Coerces a text literal to the kind the other side needs (a country,
    /// an HS code, a date), read by that kind.
    fn coerce(&mut self, t: TExpr, ty: Ty, want: Scalar, span: Span) -> Option<(TExpr, Ty)> {
        let TExpr::Lit(Lit::Str(s)) = &t else { return Some((t, ty)) };
        if ty != Ty::Scalar(Scalar::STRING) || want == Scalar::STRING || want == Scalar::DECIMAL {
            return Some((t, ty));
        }
        match want.read_rule(s) {
            Ok(v) => value_lit(v).map(|l| (TExpr::Lit(l), Ty::Scalar(want))).or(Some((t, ty))),
            Err(m) => {
                let kind =
                    if want == Scalar::DATE { CheckErrorKind::InvalidDate } else { CheckErrorKind::InvalidValue(want) };
                let help = want.kind().help(s);
                self.error(kind, span, m, help);
                None
            }
        }
    }
}

/// The type of a literal.
fn lit_type(l: &Lit) -> Ty {
    match l {
        Lit::Bool(_) => Ty::Bool,
        Lit::Str(_) => Ty::Scalar(Scalar::STRING),
        Lit::Dec(_) => Ty::Scalar(Scalar::DECIMAL),
        Lit::Date(_) => Ty::Scalar(Scalar::DATE),
        Lit::Code(c) => Ty::Scalar(c.kind()),
    }
}

/// A value read by a kind, as a literal.
fn value_lit(v: crate::values::Value) -> Option<Lit> {
    use crate::values::Value;
    match v {
        Value::Str(s) => Some(Lit::Str(s.into())),
        Value::Dec(d) => Some(Lit::Dec(d)),
        Value::Date(d) => Some(Lit::Date(d)),
        Value::Code(c) => Some(Lit::Code(c)),
        Value::List(_) => None,
    }
}

/// `target` relative to the folder of `base` (both pack-relative names),
/// for import suggestions.
fn relative(target: &str, base: &str) -> String {
    let t: Vec<&str> = target.split('/').collect();
    let b: Vec<&str> = base.split('/').collect();
    let b = &b[..b.len().saturating_sub(1)];
    let common = t.iter().zip(b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<&str> = vec![".."; b.len() - common];
    parts.extend(&t[common..]);
    parts.join("/")
}

impl Checker<'_> {
    pub(super) fn schema_field(&self, n: &str) -> Option<crate::schema::FieldId> {
        self.pack.schema.field(n)
    }
}
