//! Owned, serialisable results: one record's outcome with its findings,
//! citations and evidence, as the JSON Lines and JSON outputs write them
//! (`docs/schema/record.schema.json`). The engine's own outcome types refer
//! to rules, sets and fields by index; these name them, so they can be
//! stored, sent and read back without the rule set.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::check::{RuleSet, Severity};
use crate::findings::{Evaluated, Finding, Outcome, RecordOutcome, RuleExplanation};
use crate::records::{FieldProblem, Invalid};
use crate::values::Decimal;

/// The version of the result and summary formats. It changes when a field
/// is removed or changes meaning; adding a field does not change it.
pub const RESULT_SCHEMA_VERSION: &str = "1";

/// The result for one record read: evaluated, or not readable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RecordResult {
    /// Evaluated against the rules.
    Evaluated(EvaluatedRecord),
    /// Could not be read; never evaluated, never passed.
    Invalid(InvalidRecord),
}

/// The decision on a record (`block`, `review` or `pass`).
pub use crate::findings::Decision;

/// An evaluated record: its decision and every finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EvaluatedRecord {
    /// The record's id (`""` when the record has none).
    pub id: String,
    /// The input it came from.
    pub file: String,
    /// The line it starts on (1-based; a CSV header is line 1).
    pub line: u64,
    /// The most severe finding's severity, or `pass`.
    pub decision: Decision,
    /// Findings, in rule-id order.
    pub findings: Vec<FindingResult>,
    /// Optional fields whose values could not be read (the rules that need
    /// them are undecided).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_quality: Vec<FieldProblem>,
    /// Screening matches that reviewed clearances suppressed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppressed: Vec<SuppressedMatch>,
    /// Rules not decided because the input has no column for a field they
    /// need, whose missing column means `skip`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<SkippedCheck>,
    /// The fingerprint of the rule set the decision was made under (each
    /// line of `check --format jsonl` carries it, unless `--compact`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<String>,
}

/// A record that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InvalidRecord {
    /// The id, when it could be read.
    pub id: Option<String>,
    /// The input it came from.
    pub file: String,
    /// The line it starts on.
    pub line: u64,
    /// Always `invalid`.
    pub decision: InvalidDecision,
    /// What is wrong, field by field.
    pub errors: Vec<FieldProblem>,
    /// The fingerprint of the rule set of the run that read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<String>,
}

/// The decision of a record that could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum InvalidDecision {
    /// `invalid`: ranks with review for `--fail-on`.
    Invalid,
}

/// Whether a finding is a violation or a rule that could not be decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FindingOutcome {
    /// The rule's condition holds.
    Violation,
    /// The rule could not be decided (fail closed): a review.
    Indeterminate,
}

/// One rule's finding on one record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingResult {
    /// The rule id.
    pub rule: String,
    /// `block` or `review`.
    pub severity: Severity,
    /// The rule's legal citations, joined with `; `.
    pub citation: String,
    /// The rule's message with the record's values.
    pub message: String,
    /// The field values the rule read, in schema order.
    pub evidence: IndexMap<String, String>,
    /// The rule's title.
    pub title: String,
    /// The regime the rule belongs to.
    pub regime: String,
    /// Violation or indeterminate.
    pub outcome: FindingOutcome,
    /// Fields with no value (indeterminate).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    /// Fields with a value that could not be read (indeterminate).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<String>,
    /// Fields the input has no column for (indeterminate).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub no_column: Vec<String>,
    /// Another reason the rule could not be decided (division by zero, an
    /// unknown unit, a type error).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Set entries that matched, as evidence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub matches: Vec<SetMatchResult>,
    /// Sanctions-list entries that matched, as evidence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub screening: Vec<ScreenMatch>,
    /// The exemption (`unless … then review`) that lowered the finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exemption: Option<ExemptionResult>,
    /// Why, condition by condition (`check --explain`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<RuleExplanation>,
    /// For a rule over many records: the running total behind the finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aggregate: Option<AggregateResult>,
}

/// The running total behind a finding of a rule over many records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AggregateResult {
    /// The group (`buyer=acme`; empty: all records).
    pub group: String,
    /// The window (`2018`, `2018-Q1`, `2018-03`, `FROM..TO`).
    pub window: String,
    /// The total up to and including this record, against each limit
    /// (exact decimals as text); empty when the record was not counted.
    pub totals: Vec<String>,
    /// The limits (`500,000 bbl`).
    pub limits: Vec<String>,
    /// Records that make up the total.
    pub count: u64,
    /// Records in the window that could not be counted.
    pub uncounted: u64,
    /// The records that make up the total, earliest first (at most 100; `count` says how many).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub records: Vec<ContributorResult>,
}

/// A record counted in a total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContributorResult {
    /// Record id.
    pub id: String,
    /// Transaction date.
    pub date: String,
    /// The input it was read from.
    pub file: String,
    /// Its line.
    pub line: u64,
    /// The run that counted it.
    pub run: i64,
}

/// A set entry that matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetMatchResult {
    /// The field whose value was looked up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The set.
    pub set: String,
    /// The entry as written in the rule or data file.
    pub entry: String,
    /// The entry's reference (a list entry id such as `KPe.001`).
    #[serde(rename = "ref", default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The date the entry was listed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listed_on: Option<String>,
    /// The record's code is less precise than the entry ("heading-level").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub broader: bool,
    /// The date the entry was no longer listed (its `until`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delisted_on: Option<String>,
    /// For a table lookup: the column read, and its value in the entry's row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The cell's value, as the table's data file gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// A sanctions-list entry that a screened name (or IMO number) matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScreenMatch {
    /// The field screened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The value screened, as the record has it.
    pub value: String,
    /// The list.
    pub list: String,
    /// The fingerprint of the list snapshot.
    pub snapshot: String,
    /// The entry's reference (`KPe.025`).
    #[serde(rename = "ref")]
    pub reference: String,
    /// The name or alias that matched, as the list writes it.
    pub matched_name: String,
    /// The score, to three decimal places.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schemars(with = "f64")]
    pub score: Decimal,
    /// Which tokens matched, how.
    pub reason: String,
    /// The date the entry was listed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listed_on: Option<String>,
    /// The entry was listed after the transaction date.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub listed_after: bool,
    /// The fingerprint of the entry.
    pub entry_hash: String,
    /// A reviewed clearance of this pair that no longer applies because the
    /// entry changed since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clearance_outdated: Option<String>,
}

/// A screening match a reviewed clearance suppressed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SuppressedMatch {
    /// The field screened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The value screened.
    pub value: String,
    /// The list.
    pub list: String,
    /// The entry's reference.
    #[serde(rename = "ref")]
    pub reference: String,
    /// The score it had.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schemars(with = "f64")]
    pub score: Decimal,
    /// Who cleared it.
    pub reviewer: String,
    /// Why.
    pub reason: String,
    /// When.
    pub reviewed_on: String,
}

/// A rule not decided on the record for want of a column (`skip`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SkippedCheck {
    /// The rule id.
    pub rule: String,
    /// The field (or group) the input has no column for.
    pub field: String,
}

/// The exemption that lowered a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExemptionResult {
    /// Its name (`PRE_ADOPTION_CONTRACT`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its legal basis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cite: Option<String>,
    /// Its condition, as written.
    pub condition: String,
}

impl RecordResult {
    /// The result of `outcome`, read from `file`, under `rules`.
    pub fn new(rules: &RuleSet, file: &str, outcome: &RecordOutcome) -> RecordResult {
        match outcome {
            RecordOutcome::Evaluated(e) => RecordResult::Evaluated(EvaluatedRecord::new(rules, file, e)),
            RecordOutcome::Invalid(i) => RecordResult::Invalid(InvalidRecord::new(file, i)),
        }
    }

    /// The decision, or `None` for a record that could not be read.
    pub fn decision(&self) -> Option<Decision> {
        match self {
            RecordResult::Evaluated(e) => Some(e.decision),
            RecordResult::Invalid(_) => None,
        }
    }

    /// The same result, stamped with the rule set's fingerprint.
    pub fn with_rules(mut self, fingerprint: &str) -> RecordResult {
        match &mut self {
            RecordResult::Evaluated(e) => e.rules = Some(fingerprint.to_string()),
            RecordResult::Invalid(i) => i.rules = Some(fingerprint.to_string()),
        }
        self
    }

    /// The findings (none for an invalid record).
    pub fn findings(&self) -> &[FindingResult] {
        match self {
            RecordResult::Evaluated(e) => &e.findings,
            RecordResult::Invalid(_) => &[],
        }
    }
}

impl InvalidRecord {
    fn new(file: &str, i: &Invalid) -> InvalidRecord {
        InvalidRecord {
            id: i.id.clone(),
            file: file.to_string(),
            line: i.line,
            decision: InvalidDecision::Invalid,
            errors: i.errors.clone(),
            rules: None,
        }
    }
}

impl EvaluatedRecord {
    fn new(rules: &RuleSet, file: &str, e: &Evaluated) -> EvaluatedRecord {
        let explained = |f: &Finding| {
            let id = &rules.rules[f.rule].id;
            e.explanation.as_ref().and_then(|x| x.rules.iter().find(|r| &r.rule == id)).cloned()
        };
        let field = |f: usize| rules.schema.fields[f].name.clone();
        EvaluatedRecord {
            id: e.id.clone(),
            file: file.to_string(),
            line: e.line,
            decision: e.decision,
            findings: e
                .findings
                .iter()
                .map(|f| FindingResult { explanation: explained(f), ..FindingResult::new(rules, f) })
                .collect(),
            data_quality: e.data_quality.clone(),
            suppressed: e
                .suppressed
                .iter()
                .filter_map(|s| {
                    let c = rules.clearances.entries.get(s.clearance)?;
                    Some(SuppressedMatch {
                        field: s.field.map(field),
                        value: s.value.clone(),
                        list: rules.lists.get(s.list).map_or_else(String::new, |l| l.name.clone()),
                        reference: s.reference.clone(),
                        score: s.score,
                        reviewer: c.reviewer.clone(),
                        reason: c.reason.clone(),
                        reviewed_on: c.date.clone(),
                    })
                })
                .collect(),
            skipped: e
                .skipped
                .iter()
                .flat_map(|sk| {
                    let rule = &rules.rules[sk.rule].id;
                    sk.missing(&rules.schema)
                        .into_iter()
                        .map(move |f| SkippedCheck { rule: rule.clone(), field: f.to_string() })
                })
                .collect(),
            rules: None,
        }
    }
}

impl FindingResult {
    /// A finding, named by rule, set, list and field.
    pub(crate) fn new(rules: &RuleSet, f: &Finding) -> FindingResult {
        let rule = &rules.rules[f.rule];
        let name = |id: &usize| rules.schema.fields[*id].name.clone();
        let names = |v: &[usize]| v.iter().map(name).collect::<Vec<_>>();
        let (outcome, missing, unreadable, no_column, error) = match &f.outcome {
            Outcome::Violation => (FindingOutcome::Violation, Vec::new(), Vec::new(), Vec::new(), None),
            Outcome::Indeterminate { missing, unreadable, no_column, error, .. } => (
                FindingOutcome::Indeterminate,
                names(missing),
                names(unreadable),
                names(no_column),
                error.map(str::to_string),
            ),
        };
        FindingResult {
            rule: rule.id.clone(),
            severity: f.severity,
            citation: rule.citation(),
            message: f.message.clone(),
            evidence: f.evidence.iter().map(|(k, v)| (name(k), v.clone())).collect(),
            title: rule.title.clone(),
            regime: rules.regimes.get(rule.regime).map_or_else(String::new, |r| r.name.clone()),
            outcome,
            missing,
            unreadable,
            no_column,
            error,
            matches: f
                .matches
                .iter()
                .map(|m| {
                    let set = &rules.sets[m.set];
                    let e = &set.entries[m.entry as usize];
                    SetMatchResult {
                        field: m.field.map(|f| name(&f)),
                        set: set.name.clone(),
                        entry: e.text.clone(),
                        reference: e.reference.clone(),
                        listed_on: e.since.map(|d| d.to_string()),
                        broader: m.broader,
                        delisted_on: e.until.map(|d| d.to_string()),
                        column: m.column.and_then(|c| {
                            set.table.as_ref().and_then(|t| t.columns.get(c as usize)).map(|(n, _)| n.clone())
                        }),
                        value: m.column.and_then(|c| {
                            let cell = set.table.as_ref()?.rows.get(m.entry as usize)?.get(c as usize)?;
                            Some(cell.as_ref().map_or_else(String::new, crate::values::Value::to_string))
                        }),
                    }
                })
                .collect(),
            screening: f
                .screens
                .iter()
                .filter_map(|h| {
                    let list = rules.lists.get(h.list)?;
                    Some(ScreenMatch {
                        field: h.field.map(|f| name(&f)),
                        value: h.value.clone(),
                        list: list.name.clone(),
                        snapshot: list.snapshot.fingerprint.clone(),
                        reference: h.reference.clone(),
                        matched_name: h.matched_name.clone(),
                        score: h.score,
                        reason: h.reason.clone(),
                        listed_on: h.listed_on.map(|d| d.to_string()),
                        listed_after: h.listed_after,
                        entry_hash: list.index().entry_hash(h.entry as usize).to_string(),
                        clearance_outdated: h
                            .stale_clearance
                            .and_then(|(i, why)| Some(why.says(rules.clearances.entries.get(i)?))),
                    })
                })
                .collect(),
            exemption: f.exemption.and_then(|i| rule.unless.get(i)).map(|u| ExemptionResult {
                name: u.name.clone(),
                cite: u.cite.clone(),
                condition: u.text.clone(),
            }),
            explanation: None,
            aggregate: f.aggregate.as_deref().map(|a| AggregateResult {
                group: a.group.clone(),
                window: a.window.clone(),
                totals: a.totals.iter().map(|d| d.normalize().to_string()).collect(),
                limits: a.limits.clone(),
                count: a.count,
                uncounted: a.uncounted,
                records: a
                    .contributors
                    .as_slice()
                    .iter()
                    .map(|c| ContributorResult {
                        id: c.id.clone(),
                        date: c.date.to_string(),
                        file: c.file.clone(),
                        line: c.line,
                        run: c.run,
                    })
                    .collect(),
            }),
        }
    }
}
