//! Rules over many records: running totals in transaction-date order (ties
//! by record id), per group and window, held against limits; and the
//! findings they give each record. The records counted live in a
//! [`Store`]; this module only reads them back in order and works out where
//! each one stands.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::check::{Aggregate, Measure, RuleSet, Severity, Window};
use crate::findings::{AggregateEvidence, Contributor, ContributorList, Evaluated, Finding, MAX_CONTRIBUTORS, Outcome};
use crate::store::{Store, StoreError, StoredRow};
use crate::values::{Date, Decimal};

/// Where a counted record stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Standing {
    /// Its window's total, up to and including it, is within every limit.
    Under,
    /// The total crosses a limit: the record that crosses it and every later
    /// one in the window get the finding.
    Over,
    /// Within the limits as far as counted, but records in the window could
    /// not be counted: the total is only a lower bound (review).
    Uncertain,
    /// The record itself could not be counted (review).
    Uncounted,
}

impl Standing {
    /// As stored.
    pub fn name(self) -> &'static str {
        match self {
            Standing::Under => "under",
            Standing::Over => "over",
            Standing::Uncertain => "uncertain",
            Standing::Uncounted => "uncounted",
        }
    }
}

/// A record's standing with a rule, and the totals behind it.
#[derive(Debug, Clone)]
pub struct Position {
    /// Where it stands.
    pub standing: Standing,
    /// The evidence (group, window, totals, contributors).
    pub evidence: Arc<AggregateEvidence>,
}

/// A standing that changed for a record counted by an earlier run (a
/// back-dated record of this run moved it): reported, not rewritten silently.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Change {
    /// The rule.
    pub rule: String,
    /// The record.
    pub record: String,
    /// The run that counted it.
    pub run: i64,
    /// Its standing before.
    pub before: String,
    /// Its standing now.
    pub after: String,
}

/// One window's total for one group, for reports.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WindowTotal {
    /// The rule.
    pub rule: String,
    /// The group (`buyer=acme`, empty for all records).
    pub group: String,
    /// The window (for a rolling window, the one with the highest total).
    pub window: String,
    /// The totals, one per limit.
    #[serde(with = "decimal_texts")]
    pub totals: Vec<Decimal>,
    /// The limits.
    pub limits: Vec<String>,
    /// What remains under each limit (negative when passed).
    #[serde(with = "decimal_texts")]
    pub remaining: Vec<Decimal>,
    /// Records counted.
    pub count: u64,
    /// Records that could not be counted.
    pub uncounted: u64,
    /// Whether the total crosses a limit.
    pub over: bool,
}

mod decimal_texts {
    use crate::values::Decimal;
    pub fn serialize<S: serde::Serializer>(v: &[Decimal], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(|d| d.normalize().to_string()))
    }
}

/// A record's problem with counting: a different record with its id was
/// counted before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The run that counted the other record.
    pub run: i64,
}

/// Where this run's records stand with every rule over many records.
#[derive(Debug, Default)]
pub struct Standings {
    by_record: HashMap<(usize, String), Position>,
    conflicts: HashMap<(usize, String), Conflict>,
    /// Standings of earlier runs' records that this run changed.
    pub changes: Vec<Change>,
    /// Each window's total touched by this run, by rule, group and window.
    pub totals: Vec<WindowTotal>,
    /// Whether the totals continue from a state file (else this run's inputs only).
    pub persistent: bool,
    /// Where the totals come from, in words (the state file and run number).
    pub source: String,
    /// The SHA-256 of each input as the counting pass read it, in order: a
    /// run given these standings must read the same bytes, or it fails
    /// ([`crate::RunError::InputChanged`]). Empty: not checked.
    pub inputs: Vec<String>,
}

impl Standings {
    /// No standings yet; `persistent` when the totals continue from a state file.
    pub fn new(persistent: bool) -> Standings {
        Standings { persistent, ..Standings::default() }
    }

    /// A record that conflicts with one counted before.
    pub fn add_conflict(&mut self, rule: usize, record: &str, c: Conflict) {
        self.conflicts.entry((rule, record.to_string())).or_insert(c);
    }

    /// The position of a record with a rule.
    pub fn position(&self, rule: usize, record: &str) -> Option<&Position> {
        self.by_record.get(&(rule, record.to_string()))
    }

    /// Adds the findings of rules over many records to a record evaluated
    /// alone, and sets its decision again. Without standings (a record
    /// checked on its own) a counted record is undecided: its total needs
    /// the run's other records.
    pub fn attach(standings: Option<&Standings>, rules: &RuleSet, rec: &crate::records::Record<'_>, e: &mut Evaluated) {
        if e.contributions.is_empty() {
            return;
        }
        let schema = &rules.schema;
        for c in &e.contributions {
            let rule = &rules.rules[c.rule];
            let Some(agg) = terms(rules, c.rule, c.group.as_deref().unwrap_or("")) else { continue };
            let agg = agg.as_ref();
            if agg.window.bounds(e.date).is_none() {
                // Outside a fixed period: the record does not count.
                continue;
            }
            let evidence_fields = crate::eval::evidence(&rule.reads, rec);
            let key = (c.rule, e.id.clone());
            let finding = |severity: Severity, outcome: Outcome, message: String, ev: AggregateEvidence| Finding {
                rule: c.rule,
                severity,
                outcome,
                message,
                evidence: evidence_fields.clone(),
                matches: Vec::new(),
                screens: Vec::new(),
                exemption: c.exemption,
                aggregate: Some(Box::new(ev)),
            };
            let bare = |group: &str| AggregateEvidence {
                group: group.to_string(),
                window: agg.window.label(e.date),
                totals: Vec::new(),
                limits: agg.limits.iter().map(crate::check::Limit::text).collect(),
                uncounted: 0,
                count: 0,
                contributors: ContributorList::default(),
            };
            let group = c.group.clone().unwrap_or_default();
            let new = if let Err(outcome) = &c.amounts {
                let why = crate::eval::why_text(outcome, schema);
                Some(finding(
                    Severity::Review,
                    outcome.clone(),
                    format!("Not counted towards the running total of {} — {why}; the total is undecided", rule.id),
                    bare(&group),
                ))
            } else if let Some(conflict) = standings.and_then(|s| s.conflicts.get(&key)) {
                let outcome = crate::eval::aggregate::not_counted(
                    "a different record with this id was counted before; it is not counted again",
                );
                Some(finding(
                    Severity::Review,
                    outcome,
                    format!(
                        "Not counted towards the running total of {} — run {} counted a different record with the \
                         id `{}`; correct it (`cordon state reset`) or give this record an id of its own",
                        rule.id, conflict.run, e.id
                    ),
                    bare(&group),
                ))
            } else {
                match standings.and_then(|s| s.by_record.get(&key)) {
                    None => Some(finding(
                        Severity::Review,
                        crate::eval::aggregate::not_counted("the running total needs the run's other records"),
                        format!(
                            "Not decided: {} — the running total over {} needs the run's other records, counted \
                             first (`cordon check` does; embedded, `Engine::count` then a run with its standings)",
                            rule.title, agg.window
                        ),
                        bare(&group),
                    )),
                    Some(p) => match p.standing {
                        Standing::Under | Standing::Uncounted => None,
                        Standing::Over => Some(finding(
                            c.severity,
                            Outcome::Violation,
                            match (&rules.licences, &c.amounts) {
                                (Some(l), Ok(drawn)) if l.balance == c.rule => {
                                    balance_message(&group, agg, drawn, &p.evidence)
                                }
                                _ => over_message(rule, agg, &p.evidence),
                            },
                            (*p.evidence).clone(),
                        )),
                        Standing::Uncertain => Some(finding(
                            Severity::Review,
                            crate::eval::aggregate::not_counted(
                                "records in the window could not be counted; the total is only a lower bound",
                            ),
                            format!(
                                "Not decided: {} — the total in {} is at least {} ({} record(s) could not be counted)",
                                rule.title,
                                p.evidence.window,
                                totals_text(agg, &p.evidence.totals),
                                p.evidence.uncounted
                            ),
                            (*p.evidence).clone(),
                        )),
                    },
                }
            };
            e.findings.extend(new);
        }
        e.findings.sort_by_key(|f| f.rule);
        e.decision = e
            .findings
            .iter()
            .map(|f| crate::findings::Decision::from(f.severity))
            .max()
            .unwrap_or(crate::findings::Decision::Pass);
    }
}

fn totals_text(agg: &Aggregate, totals: &[Decimal]) -> String {
    totals
        .iter()
        .zip(&agg.limits)
        .map(|(t, l)| {
            let l = crate::check::Limit { amount: *t, unit: l.unit.clone() };
            l.text()
        })
        .collect::<Vec<_>>()
        .join(" / ")
}

/// A licence drawn beyond its balance: what this shipment draws, the
/// balance before and after.
fn balance_message(licence: &str, agg: &Aggregate, drawn: &[Decimal], ev: &AggregateEvidence) -> String {
    let mut parts = Vec::new();
    for ((limit, total), d) in agg.limits.iter().zip(&ev.totals).zip(drawn) {
        let text = |amount: Decimal| crate::check::Limit { amount, unit: limit.unit.clone() }.text();
        let before = limit.amount - (*total - *d);
        let after = limit.amount - *total;
        parts.push(format!(
            "draws {} of {}: balance {} before, {} after",
            text(*d),
            limit.text(),
            text(before),
            text(after)
        ));
    }
    format!(
        "Licence `{licence}` is exceeded: this shipment {} ({} shipment(s) drawn on it, valid {})",
        parts.join("; "),
        ev.count,
        ev.window
    )
}

/// What a rule counts for one group: its own total, window and limits; for
/// the licence balance, the licence's validity and limits.
pub fn terms<'r>(rules: &'r RuleSet, rule: usize, group: &str) -> Option<std::borrow::Cow<'r, Aggregate>> {
    if let Some(agg) = &rules.rules.get(rule)?.aggregate {
        return Some(std::borrow::Cow::Borrowed(agg));
    }
    let checks = rules.licences.as_ref().filter(|l| l.balance == rule)?;
    let l = checks.register.get(group)?;
    Some(std::borrow::Cow::Owned(Aggregate {
        measure: Measure::Count,
        group: Vec::new(),
        window: Window::Period(l.valid_from, l.valid_until),
        limits: l.limits(),
        factor: None,
        text: LICENCE_DEFINITION.into(),
    }))
}

/// What the licence balance counts, as the store keeps it.
pub const LICENCE_DEFINITION: &str =
    "licence balances: each licence's quantity (in its unit) and value (in its currency)";

/// Whether a rule counts records (a rule over many records, or the licence balance).
pub fn counts(rules: &RuleSet, rule: usize) -> bool {
    rules.rules.get(rule).is_some_and(|r| r.aggregate.is_some())
        || rules.licences.as_ref().is_some_and(|l| l.balance == rule)
}

fn over_message(rule: &crate::check::Rule, agg: &Aggregate, ev: &AggregateEvidence) -> String {
    let what = match agg.measure {
        Measure::Count => "count",
        Measure::Sum(_) => "running total",
        Measure::Max(_) => "largest amount",
    };
    let group = if ev.group.is_empty() { String::new() } else { format!(" for {}", ev.group) };
    format!(
        "{} — the {what} in {}{group} is {}, over the limit of {} ({} record(s))",
        rule.title,
        ev.window,
        totals_text(agg, &ev.totals),
        ev.limits.join(" or "),
        ev.count
    )
}

/// Works out where every record counted by `rule` stands, from the store,
/// in order; returns the positions of `this_run`'s records (and of records
/// this run met again), the changes to earlier runs' records, and each
/// window's total, and stores the new standings.
///
/// With `this_run` `None` nothing is stored and every window's total is
/// returned (`cordon state show`).
pub fn settle(
    store: &mut dyn Store,
    rules: &RuleSet,
    this_run: Option<i64>,
    again: &HashSet<(usize, String)>,
    out: &mut Standings,
) -> Result<(), StoreError> {
    for (idx, rule) in rules.rules.iter().enumerate() {
        if !counts(rules, idx) {
            continue;
        }
        let mut group: Vec<StoredRow> = Vec::new();
        let mut updates: Vec<(String, &'static str)> = Vec::new();
        let mut pending: Result<(), StoreError> = Ok(());
        let flush = |rows: &mut Vec<StoredRow>, out: &mut Standings, updates: &mut Vec<(String, &'static str)>| {
            if let Some(agg) = rows.first().and_then(|r| terms(rules, idx, &r.group)) {
                settle_group(idx, &rule.id, &agg, rows, this_run, again, out, updates);
            }
            rows.clear();
        };
        let mut feed = |row: StoredRow| {
            if group.last().is_some_and(|last| last.group != row.group) {
                flush(&mut group, out, &mut updates);
            }
            group.push(row);
        };
        if store.group_keys(&rule.id)?.is_some_and(|v| v < crate::values::name::GROUP_TEXT_VERSION) {
            // A state an older Cordon wrote, read without being written
            // (`cordon state show`): its keys are made again here, in
            // memory, so its totals are grouped as a run would group them.
            let refold = refold(rules, idx);
            let mut rows = Vec::new();
            store.scan(&rule.id, &mut |row| rows.push(row))?;
            for row in &mut rows {
                row.group = refold(&row.group)
                    .ok_or_else(|| StoreError::Regroup { rule: rule.id.clone(), group: row.group.clone() })?;
            }
            rows.sort_by(|a, b| (&a.group, a.date, &a.record).cmp(&(&b.group, b.date, &b.record)));
            rows.into_iter().for_each(&mut feed);
        } else {
            store.scan(&rule.id, &mut feed)?;
        }
        flush(&mut group, out, &mut updates);
        if this_run.is_none() {
            updates.clear();
        }
        for (record, status) in updates {
            if pending.is_ok() {
                pending = store.set_status(&rule.id, &record, status);
            }
        }
        pending?;
    }
    out.totals.sort_by(|a, b| (&a.rule, &a.group, &a.window).cmp(&(&b.rule, &b.group, &b.window)));
    Ok(())
}

/// One group's records, in date order: each one's window, totals and standing.
#[allow(clippy::too_many_arguments)]
fn settle_group(
    idx: usize,
    rule_id: &str,
    agg: &Aggregate,
    rows: &[StoredRow],
    this_run: Option<i64>,
    again: &HashSet<(usize, String)>,
    out: &mut Standings,
    updates: &mut Vec<(String, &'static str)>,
) {
    if rows.is_empty() {
        return;
    }
    let n_limits = agg.limits.len();
    let contributors: Vec<Contributor> = rows
        .iter()
        .map(|r| Contributor { id: r.record.clone(), date: r.date, file: r.file.clone(), line: r.line, run: r.run })
        .collect();
    // Start of each record's window: the first record in it.
    let starts: Vec<Option<usize>> = {
        let mut v = Vec::with_capacity(rows.len());
        let mut first = 0usize;
        for (i, r) in rows.iter().enumerate() {
            match agg.window.bounds(r.date) {
                None => v.push(None),
                Some((from, _)) => {
                    if agg.window.is_rolling()
                        || i == 0
                        || agg.window.bounds(rows[i - 1].date).map(|b| b.0) != Some(from)
                    {
                        while first < i && rows[first].date < from {
                            first += 1;
                        }
                        if !agg.window.is_rolling() {
                            first = i;
                        }
                    }
                    v.push(Some(first));
                }
            }
        }
        v
    };
    let max_mode = matches!(agg.measure, Measure::Max(_));
    // Prefix sums (or, for max, a scan per window) and uncounted counts.
    let mut prefix = vec![vec![Decimal::ZERO; n_limits]];
    let mut uncounted_prefix = vec![0u64];
    for r in rows {
        let last = prefix.last().cloned().unwrap_or_default();
        let next = match &r.amounts {
            Some(a) if !max_mode => {
                last.iter().zip(a).map(|(s, x)| s.checked_add(*x).unwrap_or(Decimal::MAX)).collect()
            }
            _ => last,
        };
        prefix.push(next);
        uncounted_prefix.push(uncounted_prefix.last().copied().unwrap_or(0) + u64::from(r.amounts.is_none()));
    }
    let shared: Arc<[Contributor]> = contributors.into();
    let limit_texts: Vec<String> = agg.limits.iter().map(crate::check::Limit::text).collect();
    let mut window_best: HashMap<String, WindowTotal> = HashMap::new();
    let mut touched: HashSet<String> = HashSet::new();
    // For `max`: per limit, the indices of the window's records whose amount
    // no later record's exceeds (a monotonic queue: linear in the records).
    let mut queues: Vec<std::collections::VecDeque<usize>> = vec![std::collections::VecDeque::new(); n_limits];
    let amount = |x: usize, l: usize| rows[x].amounts.as_ref().and_then(|a| a.get(l).copied());
    for (i, r) in rows.iter().enumerate() {
        let Some(s) = starts[i] else { continue };
        let totals: Vec<Decimal> = if max_mode {
            (0..n_limits)
                .map(|l| {
                    let q = &mut queues[l];
                    while q.front().is_some_and(|&x| x < s) {
                        q.pop_front();
                    }
                    if let Some(a) = amount(i, l) {
                        while q.back().is_some_and(|&x| amount(x, l).is_none_or(|b| b <= a)) {
                            q.pop_back();
                        }
                        q.push_back(i);
                    }
                    q.front().and_then(|&x| amount(x, l)).unwrap_or_default()
                })
                .collect()
        } else {
            prefix[i + 1].iter().zip(&prefix[s]).map(|(a, b)| a.checked_sub(*b).unwrap_or(Decimal::MAX)).collect()
        };
        let uncounted = uncounted_prefix[i + 1] - uncounted_prefix[s];
        let over = totals.iter().zip(&agg.limits).any(|(t, l)| *t > l.amount);
        let standing = if r.amounts.is_none() {
            Standing::Uncounted
        } else if over {
            Standing::Over
        } else if uncounted > 0 {
            Standing::Uncertain
        } else {
            Standing::Under
        };
        let window = agg.window.label(r.date);
        let ours = this_run.is_none_or(|run| r.run == run) || again.contains(&(idx, r.record.clone()));
        if this_run.is_none() {
            touched.insert(window.clone());
        } else if ours {
            let take = (i + 1 - s).min(MAX_CONTRIBUTORS);
            let evidence = AggregateEvidence {
                group: r.group.clone(),
                window: window.clone(),
                totals: totals.clone(),
                limits: limit_texts.clone(),
                uncounted,
                count: (i + 1 - s) as u64,
                contributors: if standing == Standing::Under {
                    ContributorList::default()
                } else {
                    ContributorList::new(Arc::clone(&shared), s, s + take)
                },
            };
            out.by_record.insert((idx, r.record.clone()), Position { standing, evidence: Arc::new(evidence) });
            touched.insert(window.clone());
        } else if r.status != standing.name() {
            // An earlier run's record whose standing this run changed.
            out.changes.push(Change {
                rule: rule_id.to_string(),
                record: r.record.clone(),
                run: r.run,
                before: r.status.clone(),
                after: standing.name().to_string(),
            });
        }
        if r.status != standing.name() {
            updates.push((r.record.clone(), standing.name()));
        }
        // The window's total: the last record of a calendar window carries
        // it; for rolling windows, the highest.
        let last_of_window = !agg.window.is_rolling()
            && rows.get(i + 1).and_then(|n| agg.window.bounds(n.date)).map(|b| b.0)
                != agg.window.bounds(r.date).map(|b| b.0);
        let key = if agg.window.is_rolling() { String::new() } else { window.clone() };
        let better = match window_best.get(&key) {
            None => agg.window.is_rolling() || last_of_window,
            Some(best) => agg.window.is_rolling() && totals.first() > best.totals.first(),
        };
        if better {
            let candidate = WindowTotal {
                rule: rule_id.to_string(),
                group: r.group.clone(),
                window: window.clone(),
                remaining: agg.limits.iter().zip(&totals).map(|(l, t)| l.amount - *t).collect(),
                totals: totals.clone(),
                limits: limit_texts.clone(),
                count: (i + 1 - s) as u64,
                uncounted,
                over,
            };
            window_best.insert(key, candidate);
        }
    }
    for (key, total) in window_best {
        let relevant = if agg.window.is_rolling() { !touched.is_empty() } else { touched.contains(&key) };
        if relevant {
            out.totals.push(total);
        }
    }
}

/// How a rule's group keys stored under version 1 of the text folding are
/// made now ([`crate::eval::aggregate::refold_group_key`]); the licence
/// balance's keys are licence ids, the same in every version.
pub fn refold(rules: &RuleSet, rule: usize) -> impl Fn(&str) -> Option<String> + '_ {
    move |key: &str| match rules.rules.get(rule).and_then(|r| r.aggregate.as_ref()) {
        Some(agg) => crate::eval::aggregate::refold_group_key(&rules.schema, agg, key),
        None => Some(key.to_string()),
    }
}

/// A rule's definition as the store keeps it: a changed limit, unit, window
/// or group makes stored amounts meaningless, so it is checked each run.
pub fn definition(agg: &Aggregate) -> String {
    agg.text.clone()
}

/// Whether a window could hold records dated on `date` (fixed periods only
/// hold their own days).
pub fn counts_on(window: Window, date: Date) -> bool {
    window.bounds(date).is_some()
}

/// Every field what counts reads (a bit set of field ids): the conditions,
/// groups, amounts and units of the rules over many records, the fields
/// the licence checks read, and every required field (whether a record can
/// be read at all). Fields past the 64th are always included.
pub fn fields_read(rules: &RuleSet) -> u64 {
    fields_read_by(rules, |r| r.aggregate.is_some())
}

/// Every field any rule reads (conditions, exemptions, messages, totals,
/// the licence checks), and every required field: what a run whose output
/// shows no field values (`--format summary`) must type.
pub fn fields_read_by_any_rule(rules: &RuleSet) -> u64 {
    fields_read_by(rules, |_| true)
}

fn fields_read_by(rules: &RuleSet, which: impl Fn(&crate::check::Rule) -> bool) -> u64 {
    if rules.schema.fields.len() > 64 {
        return u64::MAX;
    }
    rules.rules.iter().filter(|r| which(r)).fold(rules.base_fields(), |m, r| m | rules.fields_of_rule(r))
}
