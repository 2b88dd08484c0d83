//! The committee's view of a report (issue 19, item 8): records per category
//! (the first tag of the rule that decided them) and per year, with exact
//! value totals per currency, and a conclusion in one paragraph generated
//! from the counts — "potential breaches" when the report looks back on
//! transactions already made, never "blocked" for what already happened.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::check::{RuleSet, Severity};
use crate::findings::{Decision, Evaluated};
use crate::records::Cell;
use crate::schema::Role;
use crate::values::{Date, Decimal, Value};

/// Values per currency, exact; and the records whose value was not read.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct Values {
    /// Currency → total, as exact decimal text, currencies in order.
    pub totals: BTreeMap<String, String>,
    /// Records whose value or currency could not be read (not in the totals).
    pub not_read: u64,
}

/// One category's records.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CategoryRow {
    /// The category: the first tag of the most severe rule that decided the record.
    pub category: String,
    /// Records decided block.
    pub block: u64,
    /// Records decided review.
    pub review: u64,
    /// The value of the records decided block.
    pub block_values: Values,
}

/// One year's records.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct YearRow {
    /// The year of the transaction date.
    pub year: i32,
    /// Records evaluated.
    pub evaluated: u64,
    /// Decided block.
    pub block: u64,
    /// Decided review.
    pub review: u64,
    /// Passed.
    pub pass: u64,
    /// The value of the records decided block.
    pub block_values: Values,
}

/// The committee's view.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct Outcomes {
    /// Every evaluated record is dated before the report's date: the report
    /// looks back on transactions made, and a block is a potential breach.
    pub look_back: bool,
    /// The conclusion, generated from the counts.
    pub conclusion: String,
    /// The value of the records decided block.
    pub block_values: Values,
    /// The value of the records decided review.
    pub review_values: Values,
    /// Per category, most records first.
    pub by_category: Vec<CategoryRow>,
    /// Per year, in order.
    pub by_year: Vec<YearRow>,
}

#[derive(Default)]
struct Sum {
    totals: BTreeMap<String, Decimal>,
    overflow: bool,
    not_read: u64,
}

impl Sum {
    fn add(&mut self, v: Option<(Decimal, String)>) {
        match v {
            Some((d, c)) => {
                let t = self.totals.entry(c).or_default();
                match t.checked_add(d) {
                    Some(s) => *t = s,
                    None => self.overflow = true,
                }
            }
            None => self.not_read += 1,
        }
    }

    fn finish(self) -> Values {
        Values {
            // The amounts' own scale: 1200.50 stays 1200.50, never 1200.5.
            totals: self.totals.into_iter().map(|(c, d)| (c, d.to_string())).collect(),
            not_read: self.not_read + u64::from(self.overflow),
        }
    }
}

/// Tallies outcomes as records stream past.
#[derive(Default)]
pub struct OutcomeTally {
    value: Option<usize>,
    currency: Option<usize>,
    block: Sum,
    review: Sum,
    categories: BTreeMap<String, (u64, u64, Sum)>,
    years: BTreeMap<i32, ([u64; 4], Sum)>,
    newest: Option<Date>,
}

impl OutcomeTally {
    /// A tally for records of `rules`' schema.
    pub fn new(rules: &RuleSet) -> Self {
        OutcomeTally {
            value: rules.schema.role(Role::Value),
            currency: rules.schema.role(Role::Currency),
            ..OutcomeTally::default()
        }
    }

    /// The record's value and currency, when both read.
    fn value_of(&self, e: &Evaluated) -> Option<(Decimal, String)> {
        let cells = &e.record.as_deref()?.cells;
        let v = match self.value.and_then(|f| cells.get(f)).and_then(Cell::value) {
            Some(Value::Dec(d)) => *d,
            _ => return None,
        };
        let c = self.currency.and_then(|f| cells.get(f)).and_then(Cell::text)?.trim().to_uppercase();
        (!c.is_empty()).then_some((v, c))
    }

    /// Takes one evaluated record of the period.
    pub fn add(&mut self, e: &Evaluated, rules: &RuleSet) {
        self.newest = Some(self.newest.map_or(e.date, |n| n.max(e.date)));
        let flagged = e.decision != Decision::Pass;
        let value = if flagged { self.value_of(e) } else { None };
        let year = self.years.entry(e.date.year()).or_default();
        year.0[0] += 1;
        match e.decision {
            Decision::Block => {
                year.0[1] += 1;
                year.1.add(value.clone());
                self.block.add(value.clone());
            }
            Decision::Review => {
                year.0[2] += 1;
                self.review.add(value.clone());
            }
            Decision::Pass => year.0[3] += 1,
        }
        if !flagged {
            return;
        }
        // The category of the most severe finding that decided the record.
        let decisive = e
            .findings
            .iter()
            .filter(|f| (f.severity == Severity::Block) == (e.decision == Decision::Block))
            .min_by_key(|f| (!matches!(f.outcome, crate::findings::Outcome::Violation), f.rule))
            .or_else(|| e.findings.first());
        let category = decisive
            .and_then(|f| rules.rules.get(f.rule))
            .and_then(|r| r.tags.first().cloned())
            .unwrap_or_else(|| "untagged".to_string());
        let c = self.categories.entry(category).or_default();
        if e.decision == Decision::Block {
            c.0 += 1;
            c.2.add(value);
        } else {
            c.1 += 1;
        }
    }

    /// The outcomes, with the conclusion written from `facts`.
    pub fn finish(self, facts: &Facts<'_>) -> Outcomes {
        let look_back = match (self.newest, facts.as_of) {
            (Some(n), Some(d)) => n < d,
            _ => false,
        };
        let mut by_category: Vec<CategoryRow> = self
            .categories
            .into_iter()
            .map(|(category, (block, review, sum))| CategoryRow { category, block, review, block_values: sum.finish() })
            .collect();
        by_category.sort_by(|a, b| (b.block + b.review).cmp(&(a.block + a.review)).then(a.category.cmp(&b.category)));
        let by_year = self
            .years
            .into_iter()
            .map(|(year, (c, sum))| YearRow {
                year,
                evaluated: c[0],
                block: c[1],
                review: c[2],
                pass: c[3],
                block_values: sum.finish(),
            })
            .collect();
        let block_values = self.block.finish();
        let review_values = self.review.finish();
        let conclusion = conclusion(facts, look_back, &block_values);
        Outcomes { look_back, conclusion, block_values, review_values, by_category, by_year }
    }
}

/// What the conclusion is written from besides the tally.
pub struct Facts<'a> {
    /// The period, as the report words it ("From 2017-01-01 to 2017-12-31").
    pub period: &'a str,
    /// The report's date.
    pub as_of: Option<Date>,
    /// Records evaluated, decided block, decided review.
    pub evaluated: u64,
    /// Records decided block.
    pub block: u64,
    /// Records decided review.
    pub review: u64,
    /// Records that could not be read (not assessed).
    pub invalid: u64,
    /// Items (findings and invalid records) with no disposition that holds.
    pub open_items: u64,
    /// All items.
    pub items: u64,
    /// Whether a disposition register was given.
    pub register: bool,
    /// Records that passed only because rules were skipped for a missing column.
    pub passed_with_rules_skipped: u64,
    /// Whether the population reconciled: yes, no, or not tried.
    pub reconciled: Option<bool>,
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", crate::values::group_thousands(&Decimal::from(n)), if n == 1 { one } else { many })
}

/// Amounts per currency, grouped: "1,200.00 USD and 300 EUR".
pub fn amounts(v: &Values) -> String {
    let parts: Vec<String> = v.totals.iter().map(|(c, d)| format!("{} {c}", grouped(d))).collect();
    match parts.len() {
        0 => String::new(),
        1 => parts[0].clone(),
        _ => format!("{} and {}", parts[..parts.len() - 1].join(", "), parts[parts.len() - 1]),
    }
}

/// Digits grouped by thousands, the decimals as written: `1200000.50` → `1,200,000.50`.
fn grouped(d: &str) -> String {
    let (sign, body) = d.strip_prefix('-').map_or(("", d), |b| ("-", b));
    let (int, frac) = body.split_once('.').map_or((body, None), |(i, f)| (i, Some(f)));
    if !int.bytes().all(|b| b.is_ascii_digit()) {
        return d.to_string();
    }
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

fn conclusion(f: &Facts<'_>, look_back: bool, block: &Values) -> String {
    let mut s = format!("{}, {} evaluated. ", f.period, plural(f.evaluated, "record was", "records were"));
    if f.block == 0 {
        s.push_str(if look_back {
            "No record was found to be a potential breach of the rules checked. "
        } else {
            "No record would be blocked. "
        });
    } else {
        let worth = match (amounts(block).as_str(), block.not_read) {
            ("", _) => " (no value could be read)".to_string(),
            (a, 0) => format!(" with a value of {a}"),
            (a, n) => {
                format!(" with a value of at least {a} ({} without a readable value)", plural(n, "record", "records"))
            }
        };
        if look_back {
            s.push_str(&format!(
                "{} potential {} of the rules checked{worth}: these transactions are dated before this report, so they were not stopped by it. ",
                plural(f.block, "record is a", "records are"),
                if f.block == 1 { "breach" } else { "breaches" }
            ));
        } else {
            s.push_str(&format!("{} would be blocked{worth}. ", plural(f.block, "record", "records")));
        }
    }
    if f.review > 0 {
        s.push_str(&format!("{} review. ", plural(f.review, "record needs", "records need")));
    }
    if f.register {
        s.push_str(&format!(
            "Of {}, {} open: no disposition in the register holds for {}. ",
            plural(
                f.items,
                "review item (a finding or an invalid record)",
                "review items (findings and invalid records)"
            ),
            plural(f.open_items, "is", "are"),
            if f.open_items == 1 { "it" } else { "them" }
        ));
    } else if f.items > 0 {
        s.push_str(&format!(
            "No disposition register was given: all {} open. ",
            plural(
                f.items,
                "review item (a finding or an invalid record) is",
                "review items (findings and invalid records) are"
            )
        ));
    }
    if f.invalid > 0 {
        s.push_str(&format!(
            "{} could not be read and {} not assessed: {} may hold prohibited trade. ",
            plural(f.invalid, "record", "records"),
            if f.invalid == 1 { "was" } else { "were" },
            if f.invalid == 1 { "it" } else { "they" }
        ));
    }
    if f.passed_with_rules_skipped > 0 {
        s.push_str(&format!(
            "{} without every rule applied (a column the schema lets be skipped was missing). ",
            plural(f.passed_with_rules_skipped, "record passed", "records passed")
        ));
    }
    s.push_str(match f.reconciled {
        Some(true) => "The population reconciles to the source figures given.",
        Some(false) => "The population does NOT reconcile to the source figures given (section 4.1).",
        None => "The population was not reconciled to a figure from the source system.",
    });
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Facts<'static> {
        Facts {
            period: "From 2017-01-01 to 2017-12-31",
            as_of: None,
            evaluated: 700,
            block: 14,
            review: 27,
            invalid: 1,
            open_items: 40,
            items: 42,
            register: true,
            passed_with_rules_skipped: 0,
            reconciled: Some(false),
        }
    }

    #[test]
    fn the_conclusion_says_potential_breaches_for_a_look_back_with_exact_values() {
        let mut v = Values::default();
        v.totals.insert("USD".into(), "1200000.50".into());
        v.totals.insert("EUR".into(), "300".into());
        v.not_read = 2;
        let text = conclusion(&facts(), true, &v);
        assert!(text.contains("14 records are potential breaches"), "{text}");
        assert!(text.contains("at least 300 EUR and 1,200,000.50 USD (2 records without a readable value)"), "{text}");
        assert!(text.contains("Of 42 review items (findings and invalid records), 40 are open"), "{text}");
        assert!(text.contains("1 record could not be read and was not assessed: it may hold"), "{text}");
        assert!(text.contains("does NOT reconcile"), "{text}");
        let ahead = conclusion(&Facts { block: 1, ..facts() }, false, &Values::default());
        assert!(ahead.contains("1 record would be blocked (no value could be read)"), "{ahead}");
        assert!(!ahead.contains("breach"), "{ahead}");
    }
}
