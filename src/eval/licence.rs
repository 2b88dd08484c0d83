//! Records that cite a licence, checked against the firm's register: the
//! licence is known, valid on the transaction date, and covers the goods,
//! the destination, the end user and the consignee; and what the shipment
//! draws from its balance (worked out in date order by `crate::aggregate`).

use super::{Why, bit, undecided_outcome};
use crate::check::{LicenceChecks, LimitUnit, Severity};
use crate::findings::{Contribution, Finding, Outcome};
use crate::licence::same_party;
use crate::records::{Cell, CellValue, Record, Value};
use crate::schema::{FieldId, Role, Schema};
use crate::values::{Date, Decimal, unit};

/// A field's value as text (canonical: an HS code's digits), if any.
pub(super) fn field_text(rec: &Record<'_>, f: FieldId) -> Option<String> {
    text(rec, Some(f))
}

/// Why a cell holds no value.
pub(super) fn cell_why(c: &Cell<'_>, f: FieldId) -> Why {
    match c {
        Cell::NoColumn => Why { nocol: bit(f), ..Why::default() },
        Cell::Bad { .. } => Why { bad: bit(f), ..Why::default() },
        _ => Why { missing: bit(f), ..Why::default() },
    }
}

fn text(rec: &Record<'_>, f: Option<FieldId>) -> Option<String> {
    let cell = rec.cells.get(f?)?;
    match cell.get()? {
        CellValue::Str(s) => Some(s.to_string()),
        CellValue::Value(v) => Some(v.to_string()),
    }
}

fn finding(
    rule: usize,
    severity: Severity,
    outcome: Outcome,
    message: String,
    rec: &Record<'_>,
    reads: &[FieldId],
) -> Finding {
    Finding {
        rule,
        severity,
        outcome,
        message,
        evidence: super::evidence(reads, rec),
        matches: Vec::new(),
        screens: Vec::new(),
        exemption: None,
        aggregate: None,
    }
}

/// Checks a record against the register: findings for an unknown licence,
/// one not valid on `date`, a shipment outside its scope; and the record's
/// draw on the licence's balance.
pub(super) fn check(
    checks: &LicenceChecks,
    rules: &crate::check::RuleSet,
    rec: &Record<'_>,
    date: Date,
    findings: &mut Vec<Finding>,
    contributions: &mut Vec<Contribution>,
) {
    let schema: &Schema = &rules.schema;
    let Some(cited) = text(rec, schema.role(Role::Licence)) else { return };
    let reads = |i: usize| rules.rules[i].reads.as_slice();
    let reg = &checks.register;
    let Some(l) = reg.get(&cited) else {
        let msg = format!("Licence `{cited}` is not in the register ({})", reg.file);
        findings.push(finding(checks.unknown, Severity::Block, Outcome::Violation, msg, rec, reads(checks.unknown)));
        return;
    };
    if !l.valid_on(date) {
        let msg = format!(
            "Licence `{}` is valid from {} to {}; the shipment is dated {date}",
            l.id, l.valid_from, l.valid_until
        );
        findings.push(finding(checks.validity, Severity::Block, Outcome::Violation, msg, rec, reads(checks.validity)));
        return;
    }
    // Scope: every test the licence sets; a field it needs that the record
    // lacks leaves the scope undecided (review).
    let mut outside = Vec::new();
    let mut why = Why::default();
    let need = |f: Option<FieldId>, why: &mut Why| -> Option<String> {
        let f = f?;
        match text(rec, Some(f)) {
            Some(t) => Some(t),
            None => {
                *why = why.merge(cell_why(&rec.cells[f], f));
                None
            }
        }
    };
    if let Some(goods) = need(schema.role(Role::Goods), &mut why)
        && !l.covers_goods(&goods)
    {
        let written = schema.role(Role::Goods).and_then(|f| rec.cells[f].text()).unwrap_or(&goods).to_string();
        outside.push(format!("the goods `{written}` are not among those it covers ({})", l.goods.join(", ")));
    }
    if !l.destinations.is_empty()
        && let Some(dest) = need(schema.role(Role::Destination), &mut why)
        && !l.destinations.iter().any(|d| d.eq_ignore_ascii_case(&dest))
    {
        outside.push(format!("the destination {dest} is not among {}", l.destinations.join(", ")));
    }
    for (named, field, what) in [(&l.end_user, "end_user", "end user"), (&l.consignee, "consignee", "consignee")] {
        if let Some(n) = named
            && let Some(got) = need(schema.field(field), &mut why)
            && !same_party(n, &got)
        {
            outside.push(format!("the {what} `{got}` is not the licence's ({n})"));
        }
    }
    if !outside.is_empty() {
        let msg = format!("Licence `{}` does not cover this shipment: {}", l.id, outside.join("; "));
        findings.push(finding(checks.scope, Severity::Block, Outcome::Violation, msg, rec, reads(checks.scope)));
        return;
    }
    if why != Why::default() {
        let outcome = undecided_outcome(why, schema);
        let msg = format!(
            "Not decided: whether licence `{}` covers this shipment — {}",
            l.id,
            super::why_text(&outcome, schema)
        );
        findings.push(finding(checks.scope, Severity::Review, outcome, msg, rec, reads(checks.scope)));
        return;
    }
    let limits = l.limits();
    if limits.is_empty() {
        return;
    }
    let amounts = draws(schema, rec, &limits).map_err(|w| undecided_outcome(w, schema));
    contributions.push(Contribution {
        rule: checks.balance,
        severity: Severity::Block,
        exemption: None,
        group: Some(l.id.clone()),
        amounts,
    });
}

/// What the shipment draws against each of the licence's limits.
fn draws(schema: &Schema, rec: &Record<'_>, limits: &[crate::check::Limit]) -> Result<Vec<Decimal>, Why> {
    let mut out = Vec::new();
    let why_of = |f: FieldId| cell_why(&rec.cells[f], f);
    for limit in limits {
        match &limit.unit {
            LimitUnit::Measure(target) => {
                let (Some(qf), Some(uf)) = (schema.role(Role::Quantity), schema.role(Role::Unit)) else {
                    return Err(Why::error("the schema has no quantity and unit fields"));
                };
                let Some(Value::Dec(q)) = rec.cells[qf].value() else { return Err(why_of(qf)) };
                let Some(CellValue::Str(code)) = rec.cells[uf].get() else { return Err(why_of(uf)) };
                let from = unit::table().lookup(code).map_err(|p| Why::error(p.reason()))?;
                match unit::convert(*q, from, target, None) {
                    Ok(Some(v)) => out.push(v),
                    Ok(None) => return Err(Why::error("the quantity overflows when converted")),
                    Err(p) => return Err(Why::error(p.reason())),
                }
            }
            LimitUnit::Currency(c) => {
                let (Some(vf), Some(cf)) = (schema.role(Role::Value), schema.role(Role::Currency)) else {
                    return Err(Why::error("the schema has no value and currency fields"));
                };
                let Some(Value::Dec(v)) = rec.cells[vf].value() else { return Err(why_of(vf)) };
                match rec.cells[cf].get() {
                    Some(CellValue::Str(got)) if got == c => out.push(*v),
                    Some(_) => {
                        return Err(Why::error(
                            "the value is in another currency than the licence's, and no exchange rate is applied",
                        ));
                    }
                    None => return Err(why_of(cf)),
                }
            }
            LimitUnit::Plain => return Err(Why::error("a licence limit has no unit")),
        }
    }
    Ok(out)
}
