//! The two constructs with their own grammar: a quantity converted into a
//! unit (`quantity as bbl [with 1 t = 7.33 bbl]`) and screening against a
//! sanctions list (`seller matches list UN_SC as party score >= 0.9`).

use super::{ERR, Tc, Ty, describe};
use crate::check::error::CheckErrorKind;
use crate::check::ir::*;
use crate::schema::Scalar;
use crate::syntax::ast::{self, ExprKind};
use crate::values::Decimal;

impl Tc<'_, '_> {
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
    pub(super) fn conversion(&mut self, c: &ast::Conversion) -> (TExpr, Ty) {
        use crate::values::unit::Factor;
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
            return ERR;
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
                let (Some(a), Some(fu), Some(b), Some(tu)) = (a, fu, b, tu) else { return ERR };
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
                    return ERR;
                }
                Some(Factor { amount_from: a, from: fu, amount_to: b, to: tu })
            }
        };
        let Some(target) = target else { return ERR };
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
            return ERR;
        }
        let conv = crate::check::Convert { value, unit: unit_field, target, factor };
        (TExpr::Convert(Box::new(conv)), Ty::Scalar(Scalar::DECIMAL))
    }

    /// `subject matches list NAME [as KIND] [score >= N]`.
    pub(super) fn screening(&mut self, m: &ast::Screening) -> (TExpr, Ty) {
        use crate::lists::Kind;
        let (subject, ty) = self.expr(&m.subject);
        let list = self.c.list(self.file, &m.list);
        let kinds = self.screen_kinds(m);
        let min_score = self.screen_score(m);
        match ty {
            Ty::Error => return ERR,
            Ty::Scalar(Scalar::STRING) => {}
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
                return self.mismatch(m.subject.span, msg, help);
            }
        }
        let by_imo = matches!(&subject, TExpr::Field(f)
            if self.c.pack.schema.fields[*f].pattern == Some(crate::schema::Pattern::Imo));
        let (Some(list), Some(kinds), Some(min_score)) = (list, kinds, min_score) else { return ERR };
        if by_imo && kinds.iter().any(|k| *k != Kind::Vessel) {
            let span = m.kind.as_ref().map_or(m.subject.span, |k| k.span);
            let msg = "an IMO number identifies a vessel; it cannot match other kinds of entries".into();
            self.error(CheckErrorKind::List, span, msg, Some("drop the `as` clause, or write `as vessel`".into()));
            return ERR;
        }
        let kinds = if by_imo { vec![Kind::Vessel] } else { kinds };
        let Some(programmes) = self.screen_programmes(m, list) else { return ERR };
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

    /// The entry kinds an `as` clause asks for (`party`: people and entities).
    fn screen_kinds(&mut self, m: &ast::Screening) -> Option<Vec<crate::lists::Kind>> {
        use crate::lists::Kind;
        match &m.kind {
            None => Some(Vec::new()),
            Some(k) if k.name == "party" => Some(vec![Kind::Individual, Kind::Entity]),
            Some(k) => match Kind::from_name(&k.name) {
                Some(kind) => Some(vec![kind]),
                None => {
                    const KINDS: [&str; 5] = ["party", "individual", "entity", "vessel", "aircraft"];
                    let help =
                        crate::suggest::help(&k.name, KINDS, &format!("kinds are {}", crate::suggest::quoted(KINDS)));
                    self.error(CheckErrorKind::List, k.span, format!("unknown entry kind `{}`", k.name), Some(help));
                    None
                }
            },
        }
    }

    /// The lowest score that counts (`score >= 0.9`), 0.88 by default.
    fn screen_score(&mut self, m: &ast::Screening) -> Option<Decimal> {
        let Some(n) = &m.min_score else { return Some(crate::screen::default_threshold()) };
        match self.expr(n) {
            (TExpr::Lit(Lit::Dec(d)), _) if d >= Decimal::ZERO && d <= Decimal::ONE => Some(d),
            (_, Ty::Error) => None,
            _ => {
                let msg = format!("a screening score is a number from 0 to 1, not `{}`", self.text(n.span));
                let help = Some("e.g. `score >= 0.9`; without it the default is 0.88".into());
                self.error(CheckErrorKind::List, n.span, msg, help);
                None
            }
        }
    }

    /// The programmes a `programme` clause names, each one the list has.
    fn screen_programmes(&mut self, m: &ast::Screening, list: ListId) -> Option<Vec<String>> {
        let mut programmes = Vec::new();
        for p in m.programmes.iter().flatten() {
            let known: std::collections::BTreeSet<&str> = self.c.lists[list]
                .snapshot
                .entries
                .iter()
                .flat_map(|e| e.programmes.iter().map(String::as_str))
                .collect();
            if !known.iter().any(|k| k.eq_ignore_ascii_case(&p.value)) {
                let fallback =
                    format!("its programmes include {}", crate::suggest::quoted(known.iter().take(8).copied()));
                let help = crate::suggest::help(&p.value, known.iter().copied(), &fallback);
                let list_name = self.c.lists[list].name.clone();
                let msg = format!("no entry of `{list_name}` is listed under programme `{}`", p.value);
                self.error(CheckErrorKind::List, p.span, msg, Some(help));
                return None;
            }
            programmes.push(p.value.clone());
        }
        Some(programmes)
    }
}
