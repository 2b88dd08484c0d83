//! Checking the properties of a rule over many records: `total` (what adds
//! up), `group` (the fields that make a group), `window` (the period) and
//! `limit` (one or two amounts, in a unit, a currency or plain).

use super::Checker;
use super::error::{CheckError, CheckErrorKind};
use super::ir::*;
use crate::schema::{Role, Scalar};
use crate::source::Span;
use crate::syntax::ast::{self, ExprKind, PropValue};
use crate::values::unit::{self, Factor, Unit};
use crate::values::{Decimal, parse_decimal};

/// An aggregate rule's properties as they are checked.
#[derive(Default)]
pub(super) struct AggDraft {
    /// `total`, with its span.
    pub total: Option<(Measure, Span)>,
    /// `group`.
    pub group: Option<(Vec<crate::schema::FieldId>, Span)>,
    /// `window`.
    pub window: Option<(Window, Span)>,
    /// `limit`: the limits and the factor.
    pub limit: Option<(Vec<Limit>, Option<Factor>, Span)>,
    /// The properties given, as written, for reports.
    pub text: Vec<String>,
    /// `sum(quantity as bbl)`: the unit the total is in, which a plain
    /// limit is read in.
    pub unit: Option<Unit>,
}

impl Checker<'_> {
    fn agg_error(&mut self, fi: usize, span: Span, msg: impl Into<String>, help: &str) {
        let e = CheckError::new(CheckErrorKind::Aggregate, self.src(fi), span, msg).help(help);
        self.err(e);
    }

    /// `total: count()`, `sum(FIELD)` or `max(FIELD)` of a decimal field.
    pub(super) fn total_property(&mut self, fi: usize, p: &ast::Property, d: &mut AggDraft) {
        const HELP: &str = "write `total: count()`, `total: sum(quantity)` or `total: max(value)`";
        let Some(ast::Expr { kind: ExprKind::Call { func, args }, span }) = expr_of(p) else {
            return self.agg_error(fi, p.span, "`total` takes `count()`, `sum(field)` or `max(field)`", HELP);
        };
        let schema = std::sync::Arc::clone(&self.pack.schema);
        let mut unit = None;
        let mut field = |c: &mut Self| -> Option<crate::schema::FieldId> {
            // `sum(quantity as bbl)`: the total is in barrels.
            let arg = match args.as_slice() {
                [ast::Expr { kind: ExprKind::Convert(conv), .. }] if conv.factor.is_none() => {
                    match unit::table().lookup(&conv.unit.name) {
                        Ok(u) => unit = Some(Unit::clone(u)),
                        Err(p) => {
                            c.agg_error(fi, conv.unit.span, format!("`{}`: {}", conv.unit.name, p.reason()), HELP);
                            return None;
                        }
                    }
                    std::slice::from_ref(&conv.value)
                }
                [ast::Expr { kind: ExprKind::Convert(conv), span }] if conv.factor.is_some() => {
                    let msg = "a conversion factor goes in the limit, not in the total";
                    c.agg_error(fi, *span, msg, "write `limit: \"500000 bbl with 1 t = 7.33 bbl\"`");
                    return None;
                }
                other => other,
            };
            let [ast::Expr { kind: ExprKind::Name(n), span }] = arg else {
                c.agg_error(fi, *span, format!("`{}` takes one field", func.name), HELP);
                return None;
            };
            match schema.field(n) {
                Some(f) if schema.fields[f].ty == crate::schema::FieldType::Scalar(Scalar::DECIMAL) => Some(f),
                Some(_) => {
                    c.agg_error(fi, *span, format!("`{n}` is not a decimal field"), "sum and max add up numbers");
                    None
                }
                None => {
                    let help = crate::suggest::help(n, schema.names(), "name a decimal field of the schema");
                    c.agg_error(fi, *span, format!("unknown field `{n}`"), &help);
                    None
                }
            }
        };
        let measure = match func.name.as_str() {
            "count" if args.is_empty() => Some(Measure::Count),
            "count" => {
                self.agg_error(fi, *span, "`count()` takes no argument", "write `total: count()`");
                None
            }
            "sum" => field(self).map(Measure::Sum),
            "max" => field(self).map(Measure::Max),
            other => {
                let help = crate::suggest::help(other, ["count", "sum", "max"], HELP);
                self.agg_error(fi, func.span, format!("unknown total `{other}`"), &help);
                None
            }
        };
        if let Some(m) = measure {
            d.unit = unit;
            d.total = Some((m, *span));
            d.text.push(format!("total: {}", self.src(fi).slice(*span)));
        }
    }

    /// `group: [buyer, destination]`.
    pub(super) fn group_property(&mut self, fi: usize, p: &ast::Property, d: &mut AggDraft) {
        let PropValue::Tags(tags) = &p.value else {
            return self.agg_error(fi, p.span, "`group` takes a list of fields", "write `group: [buyer, destination]`");
        };
        let schema = std::sync::Arc::clone(&self.pack.schema);
        let mut fields = Vec::new();
        for t in tags {
            match schema.field(&t.name) {
                Some(f) if !fields.contains(&f) => fields.push(f),
                Some(_) => self.agg_error(fi, t.span, format!("`{}` is named twice", t.name), "name each field once"),
                None => {
                    let help = crate::suggest::help(&t.name, schema.names(), "name fields of the schema");
                    self.agg_error(fi, t.span, format!("unknown field `{}`", t.name), &help);
                }
            }
        }
        d.group = Some((fields, p.span));
        d.text.push(format!("group: [{}]", tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", ")));
    }

    /// `window: "calendar year" | "quarter" | "month" | "rolling N days" | "FROM..TO"`.
    pub(super) fn window_property(&mut self, fi: usize, p: &ast::Property, d: &mut AggDraft) {
        const HELP: &str = "write `window: \"calendar year\"`, `\"quarter\"`, `\"month\"`, `\"rolling 30 days\"`, \
                            `\"12 months from 2017-12-22\"` or `\"2017-10-01..2017-12-31\"`";
        let Some(ast::Expr { kind: ExprKind::Str(s), span }) = expr_of(p) else {
            return self.agg_error(fi, p.span, "`window` takes the period in double quotes", HELP);
        };
        match Window::parse(s) {
            Ok(w) => {
                d.window = Some((w, *span));
                d.text.push(format!("window: {w}"));
            }
            Err(e) => self.agg_error(fi, *span, e, HELP),
        }
    }

    /// `limit: 3`, `limit: "500000 bbl"`, `limit: "1000000 USD"`,
    /// `limit: "4000000 bbl or 525000 t with 1 t = 7.33 bbl"`.
    pub(super) fn limit_property(&mut self, fi: usize, p: &ast::Property, d: &mut AggDraft) {
        const HELP: &str = "write `limit: 3`, `limit: \"500000 bbl\"`, `limit: \"1000000 USD\"` or \
                            `limit: \"4000000 bbl or 525000 t with 1 t = 7.33 bbl\"`";
        let (text, span) = match expr_of(p) {
            Some(ast::Expr { kind: ExprKind::Str(s), span }) => (s.clone(), *span),
            Some(ast::Expr { kind: ExprKind::Decimal(s), span }) => (s.clone(), *span),
            _ => return self.agg_error(fi, p.span, "`limit` takes a number or an amount in double quotes", HELP),
        };
        match parse_limit(&text) {
            Ok((limits, factor)) => {
                d.text.push(format!("limit: {}", limits.iter().map(Limit::text).collect::<Vec<_>>().join(" or ")));
                d.limit = Some((limits, factor, span));
            }
            Err(e) => self.agg_error(fi, span, e, HELP),
        }
    }

    /// The rule's aggregate, if it has `total`; the properties must come
    /// together and fit one another.
    pub(super) fn finish_aggregate(&mut self, fi: usize, id: &ast::Ident, d: &AggDraft) -> Option<Aggregate> {
        let Some((measure, tspan)) = d.total else {
            for (given, span) in [
                (d.group.as_ref().map(|g| g.1), "group"),
                (d.window.map(|w| w.1), "window"),
                (d.limit.as_ref().map(|l| l.2), "limit"),
            ]
            .into_iter()
            .filter_map(|(s, n)| s.map(|s| (n, s)))
            {
                let msg = format!("`{given}` belongs to a rule over many records, and `{}` has no `total`", id.name);
                self.agg_error(fi, span, msg, "add `total: count()`, `total: sum(field)` or `total: max(field)`");
            }
            return None;
        };
        let (Some((window, _)), Some((mut limits, factor, lspan))) = (d.window, d.limit.clone()) else {
            let msg = format!("rule `{}` has a `total` but no `window` or no `limit`", id.name);
            self.agg_error(fi, tspan, msg, "a total adds up over a `window` and is held against a `limit`");
            return None;
        };
        let schema = std::sync::Arc::clone(&self.pack.schema);
        // `sum(quantity as bbl)` with `limit: 500000`: the limit is in barrels.
        if let Some(u) = &d.unit {
            for l in &mut limits {
                if l.unit == LimitUnit::Plain {
                    l.unit = LimitUnit::Measure(u.clone());
                }
            }
        }
        for l in &limits {
            match (&l.unit, measure.field()) {
                // A plain limit on amounts that carry a unit or a currency
                // would add tonnes to barrels, or euros to dollars.
                (LimitUnit::Plain, Some(f)) if schema.fields[f].unit_field.is_some() => {
                    let msg = format!("`{}` has a unit of measure: give the limit in one", schema.fields[f].name);
                    return self.agg_fail(fi, lspan, msg, "write `limit: \"500000 bbl\"`: amounts convert into it");
                }
                (LimitUnit::Plain, Some(f))
                    if schema.role(Role::Value) == Some(f) && schema.role(Role::Currency).is_some() =>
                {
                    let msg =
                        format!("`{}` is an amount of money: give the limit in a currency", schema.fields[f].name);
                    return self.agg_fail(
                        fi,
                        lspan,
                        msg,
                        "write `limit: \"1000000 USD\"`: amounts in others are undecided",
                    );
                }
                (LimitUnit::Plain, _) => {}
                (_, None) => {
                    return self.agg_fail(
                        fi,
                        lspan,
                        "a count is a plain number; its limit has no unit",
                        "write `limit: 3`",
                    );
                }
                (LimitUnit::Measure(_), Some(f)) if schema.fields[f].unit_field.is_none() => {
                    let msg = format!("`{}` has no unit of measure to convert", schema.fields[f].name);
                    return self.agg_fail(fi, lspan, msg, "give the limit without a unit, or in a currency for values");
                }
                (LimitUnit::Currency(_), Some(_)) if schema.role(Role::Currency).is_none() => {
                    let msg = "the schema has no currency field to check the currency of amounts against";
                    return self.agg_fail(fi, lspan, msg, "give the limit without a currency");
                }
                _ => {}
            }
        }
        if let [a, b] = limits.as_slice()
            && let (LimitUnit::Measure(ua), LimitUnit::Measure(ub)) = (&a.unit, &b.unit)
            && ua.dimension != ub.dimension
            && factor.is_none()
        {
            let msg = format!("`{}` and `{}` measure different things and no factor links them", ua.code, ub.code);
            return self.agg_fail(fi, lspan, msg, "add `with 1 t = 7.33 bbl` (the factor the rule relies on)");
        }
        let group = d.group.as_ref().map(|g| g.0.clone()).unwrap_or_default();
        Some(Aggregate { measure, group, window, limits, factor, text: d.text.join("; ") })
    }

    fn agg_fail<T>(&mut self, fi: usize, span: Span, msg: impl Into<String>, help: &str) -> Option<T> {
        self.agg_error(fi, span, msg, help);
        None
    }
}

fn expr_of(p: &ast::Property) -> Option<&ast::Expr> {
    match &p.value {
        PropValue::Expr(e) => Some(e),
        PropValue::Tags(_) => None,
    }
}

/// Reads `AMOUNT [UNIT] [or AMOUNT [UNIT]] [with A U = B V]`.
pub fn parse_limit(text: &str) -> Result<(Vec<Limit>, Option<Factor>), String> {
    let lower = text.to_ascii_lowercase();
    let (limits_text, factor_text) = match lower.find(" with ") {
        Some(i) => (&text[..i], Some(&text[i + 6..])),
        None => (text, None),
    };
    let mut limits = Vec::new();
    for part in split_word(limits_text, "or") {
        limits.push(parse_amount(&part)?);
    }
    if limits.is_empty() || limits.len() > 2 {
        return Err(format!("`{text}` should give one limit, or two joined by `or`"));
    }
    let factor = match factor_text {
        None => None,
        Some(f) => {
            let (a, b) = f.split_once('=').ok_or_else(|| format!("`{f}` is not a factor like `1 t = 7.33 bbl`"))?;
            let (a, b) = (parse_amount(a)?, parse_amount(b)?);
            match (a.unit, b.unit) {
                (LimitUnit::Measure(fu), LimitUnit::Measure(tu)) if fu.dimension != tu.dimension => {
                    if a.amount <= Decimal::ZERO || b.amount <= Decimal::ZERO {
                        return Err("a conversion factor needs amounts above zero".into());
                    }
                    Some(Factor { amount_from: a.amount, from: fu, amount_to: b.amount, to: tu })
                }
                _ => return Err(format!("`{f}` does not link two units of different dimensions")),
            }
        }
    };
    Ok((limits, factor))
}

/// Splits on a whole word, case-insensitively.
fn split_word(text: &str, word: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    for w in text.split_whitespace() {
        if w.eq_ignore_ascii_case(word) {
            parts.push(String::new());
        } else if let Some(last) = parts.last_mut() {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(w);
        }
    }
    parts
}

/// `500000 bbl`, `1,000,000 USD`, `3`.
fn parse_amount(text: &str) -> Result<Limit, String> {
    let t = text.trim();
    let (num, unit) = match t.split_once(char::is_whitespace) {
        Some((n, u)) => (n, Some(u.trim())),
        None => (t, None),
    };
    let amount = parse_decimal(&num.replace(',', "")).map_err(|_| format!("`{num}` is not an amount"))?;
    if amount < Decimal::ZERO {
        return Err(format!("`{num}` is below zero"));
    }
    let unit = match unit {
        None => LimitUnit::Plain,
        Some(u) if u.len() == 3 && u.bytes().all(|b| b.is_ascii_uppercase()) && unit::table().lookup(u).is_err() => {
            LimitUnit::Currency(u.to_string())
        }
        Some(u) => match unit::table().lookup(u) {
            Ok(found) => LimitUnit::Measure(Unit::clone(found)),
            Err(p) => return Err(format!("`{u}`: {}", p.reason())),
        },
    };
    Ok(Limit { amount, unit })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_parse() {
        let (l, f) = parse_limit("500000 bbl").unwrap();
        assert_eq!(l.len(), 1);
        assert!(matches!(&l[0].unit, LimitUnit::Measure(u) if u.code == "bbl"));
        assert!(f.is_none());
        let (l, f) = parse_limit("4,000,000 bbl or 525000 t with 1 t = 7.33 bbl").unwrap();
        assert_eq!(l.iter().map(Limit::text).collect::<Vec<_>>(), ["4,000,000 bbl", "525,000 t"]);
        assert_eq!(f.unwrap().amount_to, parse_decimal("7.33").unwrap());
        assert!(matches!(&parse_limit("1000000 USD").unwrap().0[0].unit, LimitUnit::Currency(c) if c == "USD"));
        assert!(matches!(parse_limit("3").unwrap().0[0].unit, LimitUnit::Plain));
        assert!(parse_limit("500000 tons").unwrap_err().contains("ambiguous"));
        assert!(parse_limit("1 or 2 or 3").is_err());
        assert!(parse_limit("lots").is_err());
        assert!(parse_limit("1 t with 1 t = 1000 kg").is_err());
    }
}
