//! Expression typing: resolves names to fields, sets, constants and bound
//! variables, checks operand types, and builds typed expressions.

use super::error::{CheckError, CheckErrorKind};
use super::ir::*;
use super::{Checker, Decl};
use crate::schema::{FieldType, Scalar};
use crate::source::Span;
use crate::syntax::ast::{self, BinOp, ExprKind, UnaryOp};
use crate::values::{Country, Date, Decimal, HsCode, parse_decimal};

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

fn describe(t: Ty) -> String {
    match t {
        Ty::Bool => "a condition".into(),
        Ty::Scalar(s) => scalar_words(s).into(),
        Ty::List(s) => format!("a list of {}", plural(s)),
        Ty::Set(_, k) => format!(
            "a set of {}",
            plural(k.scalar()).replace("texts", if k == ElemKind::Name { "names" } else { "texts" })
        ),
        Ty::Error => "unknown".into(),
    }
}

fn scalar_words(s: Scalar) -> &'static str {
    match s {
        Scalar::String => "text",
        Scalar::Decimal => "a number",
        Scalar::Date => "a date",
        Scalar::Country => "a country",
        Scalar::Hs => "an HS code",
    }
}

fn plural(s: Scalar) -> &'static str {
    match s {
        Scalar::String => "texts",
        Scalar::Decimal => "numbers",
        Scalar::Date => "dates",
        Scalar::Country => "countries",
        Scalar::Hs => "HS codes",
    }
}

const FUNCTIONS: [&str; 12] =
    ["present", "absent", "lower", "upper", "trim", "len", "abs", "year", "days_between", "min", "max", "chapter"];

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
            CheckErrorKind::InvalidCountry => "not a country code",
            CheckErrorKind::InvalidHs => "not an HS code",
            CheckErrorKind::InvalidDate => "not a date",
            _ => "",
        };
        let e = CheckError::new(kind, src, span, msg).label(label).maybe_help(help);
        self.c.errors.push(e);
    }

    fn visible(&self, declaring_file: usize) -> bool {
        declaring_file == self.file || self.c.pack.files[self.file].imports.contains(&declaring_file)
    }

    fn expr(&mut self, e: &ast::Expr) -> (TExpr, Ty) {
        let err = (TExpr::Lit(Lit::Bool(false)), Ty::Error);
        match &e.kind {
            ExprKind::Paren(inner) => self.expr(inner),
            ExprKind::Str(s) => (TExpr::Lit(Lit::Str(s.clone())), Ty::Scalar(Scalar::String)),
            ExprKind::Bool(b) => (TExpr::Lit(Lit::Bool(*b)), Ty::Bool),
            ExprKind::Decimal(t) => match parse_decimal(t) {
                Ok(d) => (TExpr::Lit(Lit::Dec(d)), Ty::Scalar(Scalar::Decimal)),
                Err(m) => {
                    self.error(CheckErrorKind::InvalidNumber, e.span, m, None);
                    err
                }
            },
            ExprKind::Date(t) => match Date::parse(t) {
                Ok(d) => (TExpr::Lit(Lit::Date(d)), Ty::Scalar(Scalar::Date)),
                Err(m) => {
                    self.error(CheckErrorKind::InvalidDate, e.span, m, Some("dates are written YYYY-MM-DD".into()));
                    err
                }
            },
            ExprKind::Name(n) => self.name(n, e.span),
            ExprKind::Set(lit) => {
                self.error(
                    CheckErrorKind::TypeMismatch,
                    e.span,
                    "a set can only follow `in`, `not in` or `contains`".into(),
                    Some("write `field in { … }`".into()),
                );
                let _ = lit;
                err
            }
            ExprKind::Unary { op, expr } => {
                let (t, ty) = self.expr(expr);
                match (op, ty) {
                    (_, Ty::Error) => err,
                    (UnaryOp::Not, Ty::Bool) => (TExpr::Not(Box::new(t)), Ty::Bool),
                    (UnaryOp::Neg, Ty::Scalar(Scalar::Decimal)) => (TExpr::Neg(Box::new(t)), ty),
                    (UnaryOp::Not, other) => {
                        let msg =
                            format!("`not` needs a condition, but `{}` is {}", self.text(expr.span), describe(other));
                        self.error(CheckErrorKind::TypeMismatch, expr.span, msg, None);
                        err
                    }
                    (UnaryOp::Neg, other) => {
                        let msg = format!("`-` needs a number, but `{}` is {}", self.text(expr.span), describe(other));
                        self.error(CheckErrorKind::TypeMismatch, expr.span, msg, None);
                        err
                    }
                }
            }
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, e.span),
            ExprKind::Quant { kind, var, list, body } => {
                let schema = std::sync::Arc::clone(&self.c.pack.schema);
                if let (None, Some(g)) = (schema.field(&list.name), schema.group(&list.name)) {
                    self.vars.push((var.name.clone(), schema.groups[g].scalar));
                    let (b, bty) = self.expr(body);
                    self.vars.pop();
                    return match bty {
                        Ty::Bool => (TExpr::GroupQuant(*kind, g, Box::new(b)), Ty::Bool),
                        Ty::Error => err,
                        other => {
                            let msg = format!("the body of a quantifier must be a condition, not {}", describe(other));
                            self.error(CheckErrorKind::TypeMismatch, body.span, msg, None);
                            err
                        }
                    };
                }
                let Some(fid) = schema.field(&list.name) else {
                    let names = schema.names().chain(schema.groups.iter().map(|g| g.name.as_str()));
                    let help = crate::suggest::did_you_mean(&list.name, names).map(|s| format!("did you mean `{s}`?"));
                    self.error(
                        CheckErrorKind::UnknownField,
                        list.span,
                        format!("unknown field or group `{}`", list.name),
                        help,
                    );
                    return err;
                };
                let FieldType::List(elem) = self.c.pack.schema.fields[fid].ty else {
                    let ty = self.c.pack.schema.fields[fid].ty;
                    self.error(
                        CheckErrorKind::TypeMismatch,
                        list.span,
                        format!("`{}` is {}, not a list", list.name, describe(Ty::Scalar(scalar_of(ty)))),
                        Some("`any` and `all` range over list fields such as `route`".into()),
                    );
                    return err;
                };
                self.vars.push((var.name.clone(), elem));
                let (b, bty) = self.expr(body);
                self.vars.pop();
                match bty {
                    Ty::Bool => (TExpr::Quant(*kind, fid, Box::new(b)), Ty::Bool),
                    Ty::Error => err,
                    other => {
                        let msg = format!(
                            "the body of `{}` must be a condition, not {}",
                            if *kind == ast::Quantifier::Any { "any" } else { "all" },
                            describe(other)
                        );
                        self.error(CheckErrorKind::TypeMismatch, body.span, msg, None);
                        err
                    }
                }
            }
            ExprKind::Call { func, args } => self.call(func, args, e.span),
            ExprKind::Matches(m) => self.screening(m),
            ExprKind::Convert(c) => self.conversion(c),
        }
    }

    /// A unit of the unit table, by the name a rule writes.
    fn unit(&mut self, u: &ast::Ident) -> Option<crate::values::unit::Unit> {
        use crate::values::unit::{self, UnitProblem};
        match unit::table().lookup(&u.name) {
            Ok(found) => Some(found.clone()),
            Err(p) => {
                let codes: Vec<&str> = unit::table().units().iter().map(|u| u.code.as_str()).collect();
                let help = match p {
                    UnitProblem::Ambiguous => "write `t`, `short_ton` or `long_ton`".to_string(),
                    _ => unit::table()
                        .suggest(&u.name)
                        .map(|s| format!("did you mean `{s}`?"))
                        .unwrap_or_else(|| format!("units are {}", codes.join(", "))),
                };
                self.error(CheckErrorKind::Unit, u.span, format!("`{}`: {}", u.name, p.reason()), Some(help));
                None
            }
        }
    }

    /// A positive number, or a constant holding one, in a conversion factor.
    fn amount(&mut self, e: &ast::Expr) -> Option<Decimal> {
        match self.expr(e) {
            (TExpr::Lit(Lit::Dec(d)), _) if d > Decimal::ZERO => Some(d),
            (_, Ty::Error) => None,
            _ => {
                let msg = format!("a conversion factor needs a number above zero, not `{}`", self.text(e.span));
                self.error(CheckErrorKind::Unit, e.span, msg, None);
                None
            }
        }
    }

    /// `quantity as bbl [with 1 t = 6.35 bbl]`.
    fn conversion(&mut self, c: &ast::Conversion) -> (TExpr, Ty) {
        use crate::values::unit::Factor;
        let err = (TExpr::Lit(Lit::Bool(false)), Ty::Error);
        let schema = std::sync::Arc::clone(&self.c.pack.schema);
        let field = match &c.value.kind {
            ExprKind::Name(n) => schema.field(n),
            _ => None,
        };
        let unit_field = field.and_then(|f| schema.fields[f].unit_field);
        let (Some(value), Some(unit_field)) = (field, unit_field) else {
            let with_units: Vec<&str> =
                schema.fields.iter().filter(|f| f.unit_field.is_some()).map(|f| f.name.as_str()).collect();
            let msg = format!("`as` converts a quantity with a unit, and `{}` is not one", self.text(c.value.span));
            let help = format!(
                "fields with a unit are {} (their schema names the unit field with `unit_field`)",
                with_units.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
            );
            self.error(CheckErrorKind::Unit, c.value.span, msg, Some(help));
            return err;
        };
        let target = self.unit(&c.unit);
        let factor = match &c.factor {
            None => None,
            Some(f) => {
                let (a, fu, b, tu) = (
                    self.amount(&f.from_amount),
                    self.unit(&f.from_unit),
                    self.amount(&f.to_amount),
                    self.unit(&f.to_unit),
                );
                let (Some(a), Some(fu), Some(b), Some(tu)) = (a, fu, b, tu) else { return err };
                if fu.dimension == tu.dimension {
                    self.error(
                        CheckErrorKind::Unit,
                        f.from_unit.span.join(f.to_unit.span),
                        format!(
                            "`{}` and `{}` both measure {}: the unit table converts them",
                            fu.code, tu.code, fu.dimension
                        ),
                        Some("a factor links two dimensions, e.g. `with 1 t = 7.33 bbl`; drop it".into()),
                    );
                    return err;
                }
                Some(Factor { amount_from: a, from: fu, amount_to: b, to: tu })
            }
        };
        let Some(target) = target else { return err };
        if let Some(f) = &factor
            && f.from.dimension != target.dimension
            && f.to.dimension != target.dimension
        {
            self.error(
                CheckErrorKind::Unit,
                c.unit.span,
                format!(
                    "the factor links {} and {}, but `{}` measures {}",
                    f.from.dimension, f.to.dimension, target.code, target.dimension
                ),
                None,
            );
            return err;
        }
        let conv = crate::check::Convert { value, unit: unit_field, target, factor };
        (TExpr::Convert(Box::new(conv)), Ty::Scalar(Scalar::Decimal))
    }

    /// `subject matches list NAME [as KIND] [score >= N]`.
    fn screening(&mut self, m: &ast::Screening) -> (TExpr, Ty) {
        use crate::lists::Kind;
        let err = (TExpr::Lit(Lit::Bool(false)), Ty::Error);
        let (subject, ty) = self.expr(&m.subject);
        let list = self.c.list(self.file, &m.list);
        let kinds = match &m.kind {
            None => Some(Vec::new()),
            Some(k) if k.name == "party" => Some(vec![Kind::Individual, Kind::Entity]),
            Some(k) => match Kind::from_name(&k.name) {
                Some(kind) => Some(vec![kind]),
                None => {
                    const KINDS: [&str; 5] = ["party", "individual", "entity", "vessel", "aircraft"];
                    let help = crate::suggest::did_you_mean(&k.name, KINDS)
                        .map(|s| format!("did you mean `{s}`?"))
                        .unwrap_or_else(|| format!("kinds are {}", KINDS.map(|k| format!("`{k}`")).join(", ")));
                    self.error(CheckErrorKind::List, k.span, format!("unknown entry kind `{}`", k.name), Some(help));
                    None
                }
            },
        };
        let min_score = match &m.min_score {
            None => Some(crate::screen::default_threshold()),
            Some(n) => match self.expr(n) {
                (TExpr::Lit(Lit::Dec(d)), _) if d >= Decimal::ZERO && d <= Decimal::ONE => Some(d),
                (_, Ty::Error) => None,
                _ => {
                    let msg = format!("a screening score is a number from 0 to 1, not `{}`", self.text(n.span));
                    self.error(
                        CheckErrorKind::List,
                        n.span,
                        msg,
                        Some("e.g. `score >= 0.9`; without it the default is 0.88".into()),
                    );
                    None
                }
            },
        };
        match ty {
            Ty::Error => return err,
            Ty::Scalar(Scalar::String) => {}
            other => {
                let msg = format!(
                    "`matches list` screens a name or an IMO number, but `{}` is {}",
                    self.text(m.subject.span),
                    describe(other)
                );
                let help = match other {
                    Ty::List(_) => Some("screen each element: `any(p in parties: p matches list UN_SC)`".into()),
                    _ => None,
                };
                self.error(CheckErrorKind::TypeMismatch, m.subject.span, msg, help);
                return err;
            }
        }
        let by_imo = matches!(&subject, TExpr::Field(f)
            if self.c.pack.schema.fields[*f].pattern == Some(crate::schema::Pattern::Imo));
        let (Some(list), Some(kinds), Some(min_score)) = (list, kinds, min_score) else { return err };
        if by_imo && kinds.iter().any(|k| *k != Kind::Vessel) {
            let span = m.kind.as_ref().map_or(m.subject.span, |k| k.span);
            self.error(
                CheckErrorKind::List,
                span,
                "an IMO number identifies a vessel; it cannot match other kinds of entries".into(),
                Some("drop the `as` clause, or write `as vessel`".into()),
            );
            return err;
        }
        let kinds = if by_imo { vec![Kind::Vessel] } else { kinds };
        let mut programmes = Vec::new();
        for p in m.programmes.iter().flatten() {
            let known: std::collections::BTreeSet<&str> = self.c.lists[list]
                .snapshot
                .entries
                .iter()
                .flat_map(|e| e.programmes.iter().map(String::as_str))
                .collect();
            if !known.iter().any(|k| k.eq_ignore_ascii_case(&p.value)) {
                let help = match crate::suggest::did_you_mean(&p.value, known.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!(
                        "its programmes include {}",
                        known.iter().take(8).map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                    ),
                };
                let list_name = self.c.lists[list].name.clone();
                self.error(
                    CheckErrorKind::List,
                    p.span,
                    format!("no entry of `{list_name}` is listed under programme `{}`", p.value),
                    Some(help),
                );
                return err;
            }
            programmes.push(p.value.clone());
        }
        let floor = &mut self.c.lists[list].floor;
        *floor = (*floor).min(min_score);
        let screen = Screen {
            subject,
            list,
            kinds,
            programmes,
            min_score,
            by_imo,
            kind_text: m.kind.as_ref().map(|k| k.name.clone()),
        };
        (TExpr::Screen(Box::new(screen)), Ty::Bool)
    }

    fn suggest_field(&self, name: &str) -> Option<String> {
        crate::suggest::did_you_mean(name, self.c.pack.schema.names()).map(|s| format!("did you mean `{s}`?"))
    }

    fn name(&mut self, n: &str, span: Span) -> (TExpr, Ty) {
        let err = (TExpr::Lit(Lit::Bool(false)), Ty::Error);
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
        if let Some((decl, file, _)) = self.c.names.get(n).copied() {
            if !self.visible(file) {
                self.not_imported(n, file, span);
                return err;
            }
            return match decl {
                Decl::Set(id) => (TExpr::Lit(Lit::Bool(false)), Ty::Set(id, self.c.sets[id].elem)),
                Decl::Const(id) => {
                    self.c.consts[id].used = true;
                    match &self.c.consts[id].lit {
                        Some(l) => {
                            let ty = match l {
                                Lit::Bool(_) => Ty::Bool,
                                Lit::Str(_) => Ty::Scalar(Scalar::String),
                                Lit::Dec(_) => Ty::Scalar(Scalar::Decimal),
                                Lit::Date(_) => Ty::Scalar(Scalar::Date),
                                Lit::Country(_) => Ty::Scalar(Scalar::Country),
                                Lit::Hs(_) => Ty::Scalar(Scalar::Hs),
                            };
                            (TExpr::Lit(l.clone()), ty)
                        }
                        None => err, // its own error was reported
                    }
                }
            };
        }
        let mut candidates: Vec<&str> = self.c.pack.schema.names().collect();
        candidates.extend(self.c.names.keys().map(String::as_str));
        candidates.extend(self.vars.iter().map(|(v, _)| v.as_str()));
        let help = match crate::suggest::did_you_mean(n, candidates) {
            Some(s) => Some(format!("did you mean `{s}`?")),
            None if n.len() == 2 && n.chars().all(|c| c.is_ascii_uppercase()) => {
                Some(format!("for the country, write `\"{n}\"`, or use a set: `destination in {{ {n} }}`"))
            }
            None => Some(format!(
                "record fields are {}",
                self.c.pack.schema.names().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
            )),
        };
        let is_upper = n.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        let (kind, msg) = if is_upper {
            (CheckErrorKind::UnknownName, format!("unknown name `{n}`: no set, constant or field has it"))
        } else {
            (CheckErrorKind::UnknownField, format!("unknown field `{n}`"))
        };
        self.error(kind, span, msg, help);
        err
    }

    fn not_imported(&mut self, n: &str, file: usize, span: Span) {
        let from = self.c.pack.files[file].source.path.clone();
        let here = self.c.pack.files[self.file].source.path.clone();
        let rel = relative(&from, here.parent().unwrap_or(std::path::Path::new(".")));
        self.error(
            CheckErrorKind::NotImported,
            span,
            format!("`{n}` is defined in `{}`, which this file does not import", self.c.pack.files[file].rel),
            Some(format!("add `import \"{rel}\"` at the top of the file")),
        );
    }

    /// Resolves the right side of `in`: a named set or an inline set typed by the left side.
    fn set_operand(&mut self, rhs: &ast::Expr, want: ElemKind) -> Option<(SetId, ElemKind)> {
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
                });
                Some((id, want))
            }
            ExprKind::Name(n) if self.c.schema_field(n).is_none() && !self.vars.iter().any(|(v, _)| v == n) => {
                match self.c.names.get(n.as_str()).copied() {
                    Some((Decl::Set(id), file, _)) => {
                        if !self.visible(file) {
                            self.not_imported(n, file, rhs.span);
                            return None;
                        }
                        Some((id, self.c.sets[id].elem))
                    }
                    Some((Decl::Const(_), _, _)) => {
                        self.error(
                            CheckErrorKind::TypeMismatch,
                            rhs.span,
                            format!("`{n}` is a constant, not a set"),
                            Some("compare with `==`, or write `{ … }`".to_string()),
                        );
                        None
                    }
                    None => {
                        let sets: Vec<&str> = self
                            .c
                            .names
                            .iter()
                            .filter(|(_, (d, _, _))| matches!(d, Decl::Set(_)))
                            .map(|(k, _)| k.as_str())
                            .collect();
                        let help = crate::suggest::did_you_mean(n, sets).map(|s| format!("did you mean `{s}`?"));
                        self.error(CheckErrorKind::UnknownSet, rhs.span, format!("unknown set `{n}`"), help);
                        None
                    }
                }
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

    /// Coerces a text literal to a country, HS code or date when the other side needs one.
    fn coerce(&mut self, t: TExpr, ty: Ty, want: Scalar, span: Span) -> Option<(TExpr, Ty)> {
        let TExpr::Lit(Lit::Str(s)) = &t else { return Some((t, ty)) };
        if ty != Ty::Scalar(Scalar::String) {
            return Some((t, ty));
        }
        let lit = match want {
            Scalar::Country => Country::parse(s).map(Lit::Country).map_err(|m| (CheckErrorKind::InvalidCountry, m)),
            Scalar::Hs => HsCode::parse(s, 2).map(Lit::Hs).map_err(|m| (CheckErrorKind::InvalidHs, m)),
            Scalar::Date => Date::parse(s).map(Lit::Date).map_err(|m| (CheckErrorKind::InvalidDate, m)),
            _ => return Some((t, ty)),
        };
        match lit {
            Ok(l) => Some((TExpr::Lit(l), Ty::Scalar(want))),
            Err((kind, m)) => {
                let help = if kind == CheckErrorKind::InvalidCountry { super::country_help(s) } else { None };
                self.error(kind, span, m, help);
                None
            }
        }
    }

    fn binary(&mut self, op: BinOp, lhs: &ast::Expr, rhs: &ast::Expr, span: Span) -> (TExpr, Ty) {
        let err = (TExpr::Lit(Lit::Bool(false)), Ty::Error);
        match op {
            BinOp::And | BinOp::Or => {
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
                        self.error(CheckErrorKind::TypeMismatch, e.span, msg, None);
                        return err;
                    }
                }
                if lt == Ty::Error || rt == Ty::Error {
                    return err;
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
            BinOp::In | BinOp::NotIn => {
                let (l, lt) = self.expr(lhs);
                let want = match lt {
                    Ty::Error => {
                        let _ = self.set_operand_quiet(rhs);
                        return err;
                    }
                    Ty::Scalar(Scalar::Country) => ElemKind::Country,
                    Ty::Scalar(Scalar::Hs) => ElemKind::Hs,
                    Ty::Scalar(Scalar::String) => ElemKind::String,
                    Ty::List(_) => {
                        let name = self.text(lhs.span);
                        self.error(
                            CheckErrorKind::TypeMismatch,
                            lhs.span,
                            format!("`{name}` is {}; say which of its elements must be in the set", describe(lt)),
                            Some(format!("write `any(c in {name}: c in …)` or `all(c in {name}: c in …)`")),
                        );
                        return err;
                    }
                    other => {
                        let msg = format!(
                            "`{}` is {}, which cannot be looked up in a set",
                            self.text(lhs.span),
                            describe(other)
                        );
                        self.error(
                            CheckErrorKind::TypeMismatch,
                            lhs.span,
                            msg,
                            Some("sets hold countries, HS codes, texts or names".into()),
                        );
                        return err;
                    }
                };
                let Some((set, kind)) = self.set_operand(rhs, want) else { return err };
                let compatible = kind == want || (want == ElemKind::String && kind == ElemKind::Name);
                if !compatible {
                    let msg = format!(
                        "`{}` is {} but `{}` is {}",
                        self.text(lhs.span),
                        describe(lt),
                        self.text(rhs.span),
                        describe(Ty::Set(set, kind))
                    );
                    self.error(CheckErrorKind::TypeMismatch, span, msg, None);
                    return err;
                }
                let t = TExpr::In { value: Box::new(l), set };
                (if op == BinOp::NotIn { TExpr::Not(Box::new(t)) } else { t }, Ty::Bool)
            }
            BinOp::Contains | BinOp::ContainsWord | BinOp::StartsWith | BinOp::EndsWith => {
                let sop = match op {
                    BinOp::Contains => StrOp::Contains,
                    BinOp::ContainsWord => StrOp::ContainsWord,
                    BinOp::StartsWith => StrOp::StartsWith,
                    _ => StrOp::EndsWith,
                };
                let (l, lt) = self.expr(lhs);
                match lt {
                    Ty::Error => err,
                    Ty::List(elem) if op == BinOp::Contains => {
                        let TExpr::Field(fid) = l else { return err };
                        let (r, rt) = self.expr(rhs);
                        let Some((r, rt)) = self.coerce(r, rt, elem, rhs.span) else { return err };
                        if rt != Ty::Scalar(elem) {
                            if rt != Ty::Error {
                                let msg = format!(
                                    "`{}` is {}; it can contain {}, not {}",
                                    self.text(lhs.span),
                                    describe(lt),
                                    scalar_words(elem),
                                    describe(rt)
                                );
                                self.error(CheckErrorKind::TypeMismatch, rhs.span, msg, None);
                            }
                            return err;
                        }
                        (TExpr::ListHas(fid, Box::new(r)), Ty::Bool)
                    }
                    Ty::Scalar(Scalar::String) => {
                        let is_set = matches!(&rhs.kind, ExprKind::Set(_))
                            || matches!(&rhs.kind, ExprKind::Name(n) if matches!(self.c.names.get(n.as_str()), Some((Decl::Set(_), _, _))) && self.c.schema_field(n).is_none());
                        if is_set {
                            let Some((set, kind)) = self.set_operand(rhs, ElemKind::String) else { return err };
                            if kind != ElemKind::String {
                                let msg = format!(
                                    "`{}` takes a set of texts, but `{}` is {}",
                                    op.symbol(),
                                    self.text(rhs.span),
                                    describe(Ty::Set(set, kind))
                                );
                                self.error(
                                    CheckErrorKind::TypeMismatch,
                                    rhs.span,
                                    msg,
                                    Some("for names use `in`".into()),
                                );
                                return err;
                            }
                            return (TExpr::StrTestSet(sop, Box::new(l), set), Ty::Bool);
                        }
                        let (r, rt) = self.expr(rhs);
                        match rt {
                            Ty::Scalar(Scalar::String) => (TExpr::StrTest(sop, Box::new(l), Box::new(r)), Ty::Bool),
                            Ty::Error => err,
                            other => {
                                let msg = format!(
                                    "`{}` needs text on its right, but `{}` is {}",
                                    op.symbol(),
                                    self.text(rhs.span),
                                    describe(other)
                                );
                                self.error(CheckErrorKind::TypeMismatch, rhs.span, msg, None);
                                err
                            }
                        }
                    }
                    other => {
                        let msg = format!(
                            "`{}` works on text, but `{}` is {}",
                            op.symbol(),
                            self.text(lhs.span),
                            describe(other)
                        );
                        let help = matches!(other, Ty::Scalar(Scalar::Hs))
                            .then(|| "to match HS codes by prefix use a set: `hs_code in { 2701 }`".to_string());
                        self.error(CheckErrorKind::TypeMismatch, lhs.span, msg, help);
                        err
                    }
                }
            }
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let (l, lt) = self.expr(lhs);
                let (r, rt) = self.expr(rhs);
                if lt == Ty::Error || rt == Ty::Error {
                    return err;
                }
                // Text literals take the type of the other side.
                let (l, lt, r, rt) = match (lt, rt) {
                    (Ty::Scalar(a), Ty::Scalar(Scalar::String)) if a != Scalar::String => {
                        let Some((r, rt)) = self.coerce(r, rt, a, rhs.span) else { return err };
                        (l, lt, r, rt)
                    }
                    (Ty::Scalar(Scalar::String), Ty::Scalar(b)) if b != Scalar::String => {
                        let Some((l, lt)) = self.coerce(l, lt, b, lhs.span) else { return err };
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
                        if ordered && matches!(a, Scalar::Country | Scalar::Hs) {
                            let msg = format!("{} cannot be ordered with `{}`", plural(a), op.symbol());
                            self.error(
                                CheckErrorKind::TypeMismatch,
                                span,
                                msg,
                                Some("compare with `==` or `!=`, or use a set".into()),
                            );
                            return err;
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
                                Some("for lists use `contains`, `any(…)` or `all(…)`".to_string())
                            }
                            (Ty::Set(..), _) | (_, Ty::Set(..)) => Some("for sets use `in`".to_string()),
                            _ => None,
                        };
                        self.error(CheckErrorKind::TypeMismatch, span, msg, help);
                        err
                    }
                }
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
                let (l, lt) = self.expr(lhs);
                let (r, rt) = self.expr(rhs);
                for (t, e) in [(lt, lhs), (rt, rhs)] {
                    if t != Ty::Scalar(Scalar::Decimal) && t != Ty::Error {
                        let msg =
                            format!("`{}` needs numbers, but `{}` is {}", op.symbol(), self.text(e.span), describe(t));
                        self.error(CheckErrorKind::TypeMismatch, e.span, msg, None);
                        return err;
                    }
                }
                if lt == Ty::Error || rt == Ty::Error {
                    return err;
                }
                let aop = match op {
                    BinOp::Add => ArithOp::Add,
                    BinOp::Sub => ArithOp::Sub,
                    BinOp::Mul => ArithOp::Mul,
                    _ => ArithOp::Div,
                };
                (TExpr::Arith(aop, Box::new(l), Box::new(r)), Ty::Scalar(Scalar::Decimal))
            }
        }
    }

    /// Resolves a set operand only to report its own errors.
    fn set_operand_quiet(&mut self, rhs: &ast::Expr) -> Option<()> {
        if let ExprKind::Name(n) = &rhs.kind
            && !self.c.names.contains_key(n.as_str())
            && self.c.schema_field(n).is_none()
        {
            self.set_operand(rhs, ElemKind::String)?;
        }
        Some(())
    }

    fn call(&mut self, func: &ast::Ident, args: &[ast::Expr], span: Span) -> (TExpr, Ty) {
        let err = (TExpr::Lit(Lit::Bool(false)), Ty::Error);
        let name = func.name.as_str();
        let arity = |n: usize, tc: &mut Self| -> bool {
            if args.len() != n {
                tc.error(
                    CheckErrorKind::Arity,
                    span,
                    format!("`{name}` takes {n} argument{}, not {}", if n == 1 { "" } else { "s" }, args.len()),
                    None,
                );
                return false;
            }
            true
        };
        match name {
            "present" | "absent" => {
                if !arity(1, self) {
                    return err;
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
                    return err;
                };
                (if name == "present" { TExpr::Present(fid) } else { TExpr::Absent(fid) }, Ty::Bool)
            }
            "lower" | "upper" | "trim" => {
                if !arity(1, self) {
                    return err;
                }
                let Some(a) = self.arg(&args[0], Scalar::String, name) else { return err };
                let b = match name {
                    "lower" => Builtin::Lower,
                    "upper" => Builtin::Upper,
                    _ => Builtin::Trim,
                };
                (TExpr::Call(b, vec![a]), Ty::Scalar(Scalar::String))
            }
            "len" => {
                if !arity(1, self) {
                    return err;
                }
                let (a, t) = self.expr(&args[0]);
                match t {
                    Ty::Scalar(Scalar::String) | Ty::List(_) => {
                        (TExpr::Call(Builtin::Len, vec![a]), Ty::Scalar(Scalar::Decimal))
                    }
                    Ty::Error => err,
                    other => {
                        let msg = format!("`len` takes text or a list, not {}", describe(other));
                        self.error(CheckErrorKind::TypeMismatch, args[0].span, msg, None);
                        err
                    }
                }
            }
            "abs" => {
                if !arity(1, self) {
                    return err;
                }
                let Some(a) = self.arg(&args[0], Scalar::Decimal, name) else { return err };
                (TExpr::Call(Builtin::Abs, vec![a]), Ty::Scalar(Scalar::Decimal))
            }
            "year" => {
                if !arity(1, self) {
                    return err;
                }
                let Some(a) = self.arg(&args[0], Scalar::Date, name) else { return err };
                (TExpr::Call(Builtin::Year, vec![a]), Ty::Scalar(Scalar::Decimal))
            }
            "chapter" => {
                if !arity(1, self) {
                    return err;
                }
                let Some(a) = self.arg(&args[0], Scalar::Hs, name) else { return err };
                (TExpr::Call(Builtin::Chapter, vec![a]), Ty::Scalar(Scalar::Decimal))
            }
            "days_between" => {
                if !arity(2, self) {
                    return err;
                }
                let a = self.arg(&args[0], Scalar::Date, name);
                let b = self.arg(&args[1], Scalar::Date, name);
                let (Some(a), Some(b)) = (a, b) else { return err };
                (TExpr::Call(Builtin::DaysBetween, vec![a, b]), Ty::Scalar(Scalar::Decimal))
            }
            "min" | "max" => {
                if !arity(2, self) {
                    return err;
                }
                let a = self.arg(&args[0], Scalar::Decimal, name);
                let b = self.arg(&args[1], Scalar::Decimal, name);
                let (Some(a), Some(b)) = (a, b) else { return err };
                (
                    TExpr::Call(if name == "min" { Builtin::Min } else { Builtin::Max }, vec![a, b]),
                    Ty::Scalar(Scalar::Decimal),
                )
            }
            _ => {
                let help = crate::suggest::did_you_mean(name, FUNCTIONS)
                    .map(|s| format!("did you mean `{s}`?"))
                    .unwrap_or_else(|| format!("functions are {}", FUNCTIONS.map(|f| format!("`{f}`")).join(", ")));
                self.error(
                    CheckErrorKind::UnknownFunction,
                    func.span,
                    format!("unknown function `{name}`"),
                    Some(help),
                );
                for a in args {
                    let _ = self.expr(a);
                }
                err
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
                let msg = format!(
                    "`{func}` takes {}, but `{}` is {}",
                    scalar_words(want),
                    self.text(a.span),
                    describe(other)
                );
                self.error(CheckErrorKind::TypeMismatch, a.span, msg, None);
                None
            }
        }
    }
}

fn scalar_of(t: FieldType) -> Scalar {
    match t {
        FieldType::Scalar(s) | FieldType::List(s) => s,
    }
}

/// `target` relative to `base`, with `/` separators, for import suggestions.
fn relative(target: &std::path::Path, base: &std::path::Path) -> String {
    let t: Vec<_> = target.components().collect();
    let b: Vec<_> = base.components().collect();
    let common = t.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = vec!["..".to_string(); b.len() - common];
    parts.extend(t[common..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned()));
    parts.join("/")
}

impl Checker<'_> {
    pub(super) fn schema_field(&self, n: &str) -> Option<crate::schema::FieldId> {
        self.pack.schema.field(n)
    }
}
