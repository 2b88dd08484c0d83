//! What one record adds to a rule over many records: its group and its
//! amount in each limit's unit. The running totals are kept in order by
//! `crate::aggregate`; here only the record is read.

use super::licence::cell_why;
use super::{Why, undecided_outcome};
use crate::check::{Aggregate, LimitUnit, Measure, Severity};
use crate::findings::{Contribution, Outcome};
use crate::records::{CellValue, Record, Value};
use crate::schema::{Role, Schema};
use crate::values::Decimal;
use crate::values::unit;

/// The record's contribution to rule `rule`, whose condition holds.
pub(super) fn contribution(
    schema: &Schema,
    agg: &Aggregate,
    rule: usize,
    rec: &Record<'_>,
    (severity, exemption): (Severity, Option<usize>),
) -> Contribution {
    let group = group_key(schema, agg, rec);
    let amounts = match &group {
        Err(why) => Err(undecided_outcome(*why, schema)),
        Ok(_) => amounts(schema, agg, rec).map_err(|why| undecided_outcome(why, schema)),
    };
    Contribution { rule, severity, exemption, group: group.ok(), amounts }
}

/// `buyer=acme; destination=KP`: the group's field values, text folded as
/// a party's name is ([`crate::values::name::group_text`]: `ACME  Ltd.`,
/// `Acme Limited` and `acme` add up together); empty for a rule without
/// `group`.
fn group_key(schema: &Schema, agg: &Aggregate, rec: &Record<'_>) -> Result<String, Why> {
    let mut key = String::new();
    let mut why = Why::default();
    for f in &agg.group {
        let cell = &rec.cells[*f];
        let Some(v) = cell.get() else {
            why = why.merge(cell_why(cell, *f));
            continue;
        };
        if !key.is_empty() {
            key.push_str("; ");
        }
        key.push_str(&schema.fields[*f].name);
        key.push('=');
        match v {
            CellValue::Str(s) => key.push_str(&crate::values::name::group_text(s)),
            CellValue::Value(v) => key.push_str(&v.to_string()),
        }
    }
    if why == Why::default() { Ok(key) } else { Err(why) }
}

/// A group key stored under version 1 (text folded for case and spacing
/// only) as [`group_key`] makes it now: the key is read back field by field
/// (`name=value`, joined by `; `, in the rule's `group` order) and each text
/// field's value folded again; values of other kinds are written the same
/// in both. `None` when the key cannot be read back unambiguously (it does
/// not start with the first field's name, or a value itself holds what
/// would separate it from the next field).
pub fn refold_group_key(schema: &Schema, agg: &Aggregate, v1: &str) -> Option<String> {
    let mut rest = v1;
    let mut key = String::with_capacity(v1.len());
    for (i, f) in agg.group.iter().enumerate() {
        let def = &schema.fields[*f];
        rest = rest.strip_prefix(def.name.as_str())?.strip_prefix('=')?;
        let value = match agg.group.get(i + 1) {
            None => std::mem::take(&mut rest),
            Some(next) => {
                let sep = format!("; {}=", schema.fields[*next].name);
                let at = rest.find(&sep)?;
                if rest[at + 1..].contains(&sep) {
                    return None;
                }
                let (value, after) = rest.split_at(at);
                rest = &after[2..];
                value
            }
        };
        if !key.is_empty() {
            key.push_str("; ");
        }
        key.push_str(&def.name);
        key.push('=');
        if def.yields_text() {
            key.push_str(&crate::values::name::refold_group_text(value));
        } else {
            key.push_str(value);
        }
    }
    Some(key)
}

/// The amount in each limit's unit.
fn amounts(schema: &Schema, agg: &Aggregate, rec: &Record<'_>) -> Result<Vec<Decimal>, Why> {
    let Some(f) = agg.measure.field() else {
        return Ok(vec![Decimal::ONE; agg.limits.len()]);
    };
    debug_assert!(matches!(agg.measure, Measure::Sum(_) | Measure::Max(_)));
    let cell = &rec.cells[f];
    let Some(Value::Dec(amount)) = cell.value() else { return Err(cell_why(cell, f)) };
    let mut out = Vec::with_capacity(agg.limits.len());
    for limit in &agg.limits {
        match &limit.unit {
            LimitUnit::Plain => out.push(*amount),
            LimitUnit::Measure(target) => {
                let Some(uf) = schema.fields[f].unit_field else {
                    return Err(Why::error("the amount has no unit of measure"));
                };
                let ucell = &rec.cells[uf];
                let Some(CellValue::Str(code)) = ucell.get() else { return Err(cell_why(ucell, uf)) };
                let from = unit::table().lookup(code).map_err(|p| Why::error(p.reason()))?;
                match unit::convert(*amount, from, target, agg.factor.as_ref()) {
                    Ok(Some(v)) => out.push(v),
                    Ok(None) => return Err(Why::error("the amount overflows when converted")),
                    Err(p) => return Err(Why::error(p.reason())),
                }
            }
            LimitUnit::Currency(code) => {
                let Some(cf) = schema.role(Role::Currency) else {
                    return Err(Why::error("the schema has no currency field"));
                };
                let ccell = &rec.cells[cf];
                match ccell.get() {
                    Some(CellValue::Str(c)) if c == code => out.push(*amount),
                    Some(_) => {
                        return Err(Why::error(
                            "the amount is in another currency than the limit, and no exchange rate is applied",
                        ));
                    }
                    None => return Err(cell_why(ccell, cf)),
                }
            }
        }
    }
    Ok(out)
}

/// An outcome saying the record could not be counted, for a record whose
/// contribution has none.
pub fn not_counted(why: &'static str) -> Outcome {
    Outcome::Indeterminate {
        missing: Vec::new(),
        unreadable: Vec::new(),
        no_column: Vec::new(),
        no_column_groups: Vec::new(),
        error: Some(why),
    }
}

/// SHA-256 of a record's fields (name, then text as read, for each field
/// with a value), lowercase hex: two records with the same id and the same
/// content are the same record.
pub fn content_hash(rec: &Record<'_>) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for (i, c) in rec.cells.iter().enumerate() {
        if let Some(t) = c.text() {
            h.update((i as u32).to_le_bytes());
            h.update((t.len() as u64).to_le_bytes());
            h.update(t.as_bytes());
        }
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::refold_group_key;

    fn engine() -> crate::Engine {
        let pack = crate::MemSources::new().with(
            "r.cordon",
            "regime R\nrule R-1 { title: \"t\" cite: \"c\" severity: review when: origin in { KP }\n\
             total: count() group: [buyer, destination] window: \"month\" limit: 3 }\n",
        );
        crate::Engine::from_sources(&pack, &crate::LoadOptions::new()).expect("loads")
    }

    #[test]
    fn a_version_1_key_is_read_back_field_by_field_and_its_text_folded_again() {
        let engine = engine();
        let rules = engine.rules();
        let agg = rules.rules[0].aggregate.as_ref().expect("counts");
        let refold = |k: &str| refold_group_key(&rules.schema, agg, k);
        assert_eq!(
            refold("buyer=gulf machinery l.l.c.; destination=KP").as_deref(),
            Some("buyer=gulf machinery; destination=KP")
        );
        // A name that holds `=` and `;` of its own, but not the separator.
        assert_eq!(refold("buyer=a=b; c co.; destination=AE").as_deref(), Some("buyer=abc; destination=AE"));
        // Read back two ways: not guessed.
        assert_eq!(refold("buyer=x; destination=y; destination=AE"), None);
        // Not this rule's fields.
        assert_eq!(refold("seller=acme; destination=AE"), None);
        assert_eq!(refold("buyer=acme"), None);
    }
}
