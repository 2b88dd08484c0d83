//! Explanations: why a record got its decision, rule by rule and condition
//! by condition, in plain words — and Cordon's reference evaluator, which
//! makes them (`reference.rs`, with its own screening in `screen.rs`): a
//! plain tree walk over the checked rule set, against which the compiled
//! evaluator is tested.

mod reference;
mod screen;

use reference::{Ref, Unknown};

use crate::check::{Rule, RuleSet, Severity};
use crate::eval::render_message;
use crate::findings::{Decision, Explanation, Node, Outcome, RuleExplanation, Truth, UnlessExplanation};
use crate::records::{Cell, Record, Value};
use crate::schema::{FieldId, Scalar};
use crate::values::Date;

/// A finding of the reference evaluator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefFinding {
    /// Index of the rule.
    pub rule: usize,
    /// Severity.
    pub severity: Severity,
    /// Violation or indeterminate (with the fields at fault).
    pub outcome: Outcome,
}

fn window(r: &Rule) -> String {
    match (r.effective, r.until) {
        (Some(e), Some(u)) => format!("from {e} until {u} (exclusive)"),
        (Some(e), None) => format!("from {e}"),
        (None, Some(u)) => format!("until {u} (exclusive)"),
        (None, None) => "always (list entries apply from their listing dates)".to_string(),
    }
}

fn record_date(rules: &RuleSet, rec: &Record<'_>) -> Option<Date> {
    match rec.cells.get(rules.schema.date).and_then(Cell::value) {
        Some(Value::Date(d)) => Some(*d),
        _ => None,
    }
}

/// Evaluates every rule on a record the plain way and explains each one.
/// Returns the explanation and the findings, which must equal the compiled
/// evaluator's.
pub fn explain(rules: &RuleSet, rec: &Record<'_>) -> (Explanation, Vec<RefFinding>) {
    // INVARIANT: records with an unreadable date are invalid and never
    // evaluated; a record built otherwise is not passed: every rule is
    // undecided for want of its date, as the compiled evaluator says.
    let Some(date) = record_date(rules, rec) else { return undated(rules, rec) };
    let mut out = Vec::new();
    let mut findings = Vec::new();
    let mut not_in_force = Vec::new();
    // Each regime's scope: false means its rules are not the record's.
    let scope: Vec<Option<bool>> = rules
        .regimes
        .iter()
        .map(|g| g.scope.as_ref().map(|(e, _)| Ref::new(rules, rec, date, false).cond(e).0 != Ok(false)))
        .collect();
    let out_of_scope = rules
        .regimes
        .iter()
        .zip(&scope)
        .filter(|(_, s)| **s == Some(false))
        .map(|(g, _)| format!("{} (applies_when: {})", g.name, g.scope.as_ref().map_or("", |(_, t)| t.as_str())))
        .collect();
    for (idx, rule) in rules.rules.iter().enumerate() {
        if !rule.in_force(date) {
            not_in_force.push(format!("{} ({})", rule.id, window(rule)));
            continue;
        }
        if scope.get(rule.regime) == Some(&Some(false)) {
            continue;
        }
        let mut r = Ref::new(rules, rec, date, false);
        let mut judged = judge(&mut r, rule);
        if judged.finding.is_none() && r.later {
            // A screening match listed after the transaction: would the rule
            // hold if it counted? Then it is a review, and the outcome says why.
            let mut again = Ref::new(rules, rec, date, true);
            let second = judge(&mut again, rule);
            if matches!(second.finding, Some((_, Outcome::Violation))) && again.used_later {
                judged = Judged {
                    finding: Some((Severity::Review, Outcome::Violation)),
                    outcome: "review: the condition holds only through a list entry listed after the transaction \
                              date; not a breach on that date"
                        .into(),
                    ..second
                };
            }
        }
        let Judged { when_node, unless, finding, mut outcome } = judged;
        if let Some((severity, o)) = &finding {
            findings.push(RefFinding { rule: idx, severity: *severity, outcome: o.clone() });
        }
        // A rule over many records whose condition holds counts the record;
        // its finding depends on the running total, not on the record alone.
        let finding = match (&rule.aggregate, finding) {
            (Some(agg), Some((_, Outcome::Violation))) => {
                outcome = format!(
                    "counts towards the running total ({}); a finding comes when the total in its window passes the limit",
                    agg.text
                );
                None
            }
            (_, f) => f,
        };
        let message = finding.as_ref().map(|_| render_message(&rule.message, rec, &rules.schema));
        out.push(RuleExplanation {
            rule: rule.id.clone(),
            title: rule.title.clone(),
            citation: rule.citation(),
            severity: rule.severity.name().to_string(),
            in_force: window(rule),
            when: when_node,
            unless,
            outcome,
            finding: finding.map(|(s, _)| s.name().to_string()),
            message,
        });
    }
    let counted = |f: &RefFinding| rules.rules[f.rule].aggregate.is_some() && f.outcome == Outcome::Violation;
    let decision =
        findings.iter().filter(|f| !counted(f)).map(|f| Decision::from(f.severity)).max().unwrap_or(Decision::Pass);
    let explanation = Explanation {
        id: rec.key(&rules.schema).unwrap_or("").to_string(),
        date: date.to_string(),
        decision: decision.name().to_string(),
        rules: out,
        not_in_force,
        out_of_scope,
    };
    (explanation, findings)
}

/// A record without a readable date: every rule undecided.
fn undated(rules: &RuleSet, rec: &Record<'_>) -> (Explanation, Vec<RefFinding>) {
    let date = rules.schema.date;
    let outcome = Outcome::Indeterminate {
        missing: vec![date],
        unreadable: Vec::new(),
        no_column: Vec::new(),
        no_column_groups: Vec::new(),
        error: None,
    };
    let findings = (0..rules.rules.len())
        .map(|rule| RefFinding { rule, severity: rules.rules[rule].undecided, outcome: outcome.clone() })
        .collect();
    let explanation = Explanation {
        id: rec.key(&rules.schema).unwrap_or("").to_string(),
        date: String::new(),
        decision: rules
            .rules
            .iter()
            .map(|r| Decision::from(r.undecided))
            .max()
            .unwrap_or(Decision::Pass)
            .name()
            .to_string(),
        rules: Vec::new(),
        not_in_force: Vec::new(),
        out_of_scope: Vec::new(),
    };
    (explanation, findings)
}

/// A rule's result on a record, with its explanation.
struct Judged {
    when_node: Node,
    unless: Vec<UnlessExplanation>,
    finding: Option<(Severity, Outcome)>,
    outcome: String,
}

fn judge<'a>(r: &mut Ref<'a>, rule: &'a Rule) -> Judged {
    let (when, when_node) = r.cond(&rule.when);
    let mut unless = Vec::new();
    let mut exempt = false;
    let mut lowered: Option<Severity> = None;
    let mut unknown: Option<Unknown> = None;
    if when == Ok(true) {
        for u in &rule.unless {
            let (t, n) = r.cond(&u.expr);
            match (&t, u.then) {
                (Ok(true), None) => exempt = true,
                (Ok(true), Some(s)) => {
                    lowered.get_or_insert(s);
                }
                (Err(e), _) if e.record_level() => unknown = Some(unknown.map_or(e.clone(), |a| a.merge(e.clone()))),
                _ => {}
            }
            unless.push(UnlessExplanation {
                name: u.name.clone(),
                condition: n,
                then: u.then.map(|s| s.name().to_string()),
            });
            if exempt {
                break;
            }
        }
    }
    let schema = &r.rules.schema;
    let indeterminate = |u: &Unknown| {
        let mut no_column = u.nocol.clone();
        for g in &u.groups {
            no_column.extend(schema.groups[*g].members.iter().copied());
        }
        no_column.sort_unstable();
        no_column.dedup();
        let mut groups = u.groups.clone();
        groups.sort_unstable();
        Outcome::Indeterminate {
            missing: u.missing.clone(),
            unreadable: u.bad.clone(),
            no_column,
            no_column_groups: groups,
            error: u.error,
        }
    };
    // A missing column whose field (or group) means `review` is undecided
    // like a missing value; one that means `skip` is noted by the run.
    let policy = r.rec.policy;
    let review_column = |u: &Unknown| {
        u.nocol.iter().any(|f| policy.review_fields & (1 << (*f as u32 & 63)) != 0)
            || u.groups.iter().any(|g| policy.review_groups & (1 << (*g as u32 & 63)) != 0)
    };
    let (finding, outcome): (Option<(Severity, Outcome)>, String) = match &when {
        Ok(false) => (None, "no finding: the condition does not hold".into()),
        Err(u) if u.record_level() || review_column(u) => (
            Some((rule.undecided, indeterminate(u))),
            format!(
                "{}: the rule could not be decided ({}), so the record is not passed",
                rule.undecided.name(),
                r.why_unknown(u).trim_start_matches("cannot decide: ")
            ),
        ),
        Err(u) => (
            None,
            format!(
                "skipped: {}, and the input config says such a column is skipped; every output notes it",
                r.why_unknown(u).trim_start_matches("cannot decide: ")
            ),
        ),
        Ok(true) if exempt => (None, "no finding: an exemption (unless) holds".into()),
        Ok(true) => match (&unknown, lowered) {
            (Some(u), _) => (
                Some((rule.undecided, indeterminate(u))),
                format!(
                    "{}: the condition holds, but whether an exemption applies cannot be decided ({})",
                    rule.undecided.name(),
                    r.why_unknown(u).trim_start_matches("cannot decide: ")
                ),
            ),
            (None, Some(s)) => (
                Some((s, Outcome::Violation)),
                format!("{}: the condition holds; an exemption lowers the finding", s.name()),
            ),
            (None, None) => {
                (Some((rule.severity, Outcome::Violation)), format!("{}: the condition holds", rule.severity.name()))
            }
        },
    };
    Judged { when_node, unless, finding, outcome }
}

/// The explanation as text for people.
pub fn to_text(e: &Explanation) -> String {
    let mut s = String::new();
    s.push_str(&format!("Record {} dated {}: {}\n", e.id, e.date, e.decision.to_uppercase()));
    let hits: Vec<&RuleExplanation> = e.rules.iter().filter(|r| r.finding.is_some()).collect();
    s.push_str(&format!(
        "{} rule{} in force on {}; {} with a finding, {} without; {} not in force.\n",
        e.rules.len(),
        if e.rules.len() == 1 { "" } else { "s" },
        e.date,
        hits.len(),
        e.rules.len() - hits.len(),
        e.not_in_force.len()
    ));
    let mut rules: Vec<&RuleExplanation> = hits;
    rules.extend(e.rules.iter().filter(|r| r.finding.is_none()));
    for r in rules {
        s.push_str(&format!("\n{} — {}\n", r.rule, r.title));
        s.push_str(&format!("  cites {}; {}; in force {}\n", r.citation, r.severity, r.in_force));
        s.push_str("  when ");
        node_text(&mut s, &r.when, 1);
        for (i, u) in r.unless.iter().enumerate() {
            s.push_str(&format!(
                "  unless {}{} ",
                u.name.clone().unwrap_or_else(|| format!("#{}", i + 1)),
                u.then.as_ref().map(|t| format!(" (then {t})")).unwrap_or_default()
            ));
            node_text(&mut s, &u.condition, 1);
        }
        s.push_str(&format!("  → {}\n", r.outcome));
        if let Some(m) = &r.message {
            s.push_str(&format!("    {m}\n"));
        }
    }
    if !e.not_in_force.is_empty() {
        s.push_str(&format!("\nNot in force on {}: {}\n", e.date, e.not_in_force.join(", ")));
    }
    if !e.out_of_scope.is_empty() {
        s.push_str(&format!("\nRegimes that do not apply to this record: {}\n", e.out_of_scope.join("; ")));
    }
    s
}

fn mark(t: Truth) -> &'static str {
    match t {
        Truth::True => "✓",
        Truth::False => "✗",
        Truth::Undecided => "?",
    }
}

fn node_text(s: &mut String, n: &Node, depth: usize) {
    let because = if n.because.is_empty() { String::new() } else { format!(" — {}", n.because) };
    s.push_str(&format!("{} {}{}\n", mark(n.result), n.condition, because));
    for p in &n.parts {
        s.push_str(&"    ".repeat(depth + 1));
        node_text(s, p, depth + 1);
    }
}

/// The scalar type of a field, for callers that build records.
pub fn field_scalar(rules: &RuleSet, f: FieldId) -> Scalar {
    rules.schema.fields[f].scalar()
}
