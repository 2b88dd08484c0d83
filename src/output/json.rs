//! JSON Lines and JSON outputs (the BRIEF's stable contracts).

use std::io::{self, BufWriter, Read, Seek, Write};

use serde::Serialize;
use serde::ser::SerializeMap;

use super::{Context, Sink};
use crate::engine::RunSummary;
use crate::findings::{Finding, Outcome, RecordOutcome};
use crate::records::FieldProblem;

#[derive(Serialize)]
struct EvaluatedView<'a> {
    id: &'a str,
    file: &'a str,
    line: u64,
    decision: &'static str,
    findings: Vec<FindingView<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    data_quality: &'a [FieldProblem],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressed: Vec<SuppressedView<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    skipped: Vec<SkippedView<'a>>,
}

/// A rule not decided on the record for want of a column (`skip`).
#[derive(Serialize)]
struct SkippedView<'a> {
    rule: &'a str,
    field: &'a str,
}

/// The exemption that lowered a finding.
#[derive(Serialize)]
struct ExemptionView<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cite: Option<&'a str>,
    condition: &'a str,
}

/// A screening match a reviewed clearance suppressed.
#[derive(Serialize)]
struct SuppressedView<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    value: &'a str,
    list: &'a str,
    #[serde(rename = "ref")]
    reference: &'a str,
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    score: crate::values::Decimal,
    reviewer: &'a str,
    reason: &'a str,
    reviewed_on: &'a str,
}

#[derive(Serialize)]
struct InvalidView<'a> {
    id: Option<&'a str>,
    file: &'a str,
    line: u64,
    decision: &'static str,
    errors: &'a [FieldProblem],
}

#[derive(Serialize)]
struct FindingView<'a> {
    rule: &'a str,
    severity: &'static str,
    citation: String,
    message: &'a str,
    evidence: Evidence<'a>,
    title: &'a str,
    regime: &'a str,
    outcome: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    missing: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    unreadable: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    no_column: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    matches: Vec<MatchView<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    screening: Vec<ScreenView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exemption: Option<ExemptionView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    explanation: Option<serde_json::Value>,
}

#[derive(Serialize)]
struct MatchView<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    set: &'a str,
    entry: &'a str,
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    reference: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    listed_on: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    broader: bool,
}

/// A sanctions-list match, as evidence.
#[derive(Serialize)]
struct ScreenView<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    value: &'a str,
    list: &'a str,
    snapshot: &'a str,
    #[serde(rename = "ref")]
    reference: &'a str,
    matched_name: &'a str,
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    score: crate::values::Decimal,
    reason: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    listed_on: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    listed_after: bool,
    entry_hash: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    clearance_outdated: Option<String>,
}

/// Evidence: field → value, in schema order (an ordered JSON object).
struct Evidence<'a, V = &'a str>(Vec<(&'a str, V)>);

impl<V: Serialize> Serialize for Evidence<'_, V> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

fn finding_view<'a>(ctx: &Context<'a>, f: &'a Finding) -> FindingView<'a> {
    let rules = ctx.rules;
    let rule = &rules.rules[f.rule];
    let schema = &rules.schema;
    let name = |id: &usize| schema.fields[*id].name.as_str();
    let (outcome, missing, unreadable, no_column, error) = match &f.outcome {
        Outcome::Violation => ("violation", Vec::new(), Vec::new(), Vec::new(), None),
        Outcome::Indeterminate { missing, unreadable, no_column, error, .. } => (
            "indeterminate",
            missing.iter().map(name).collect(),
            unreadable.iter().map(name).collect(),
            no_column.iter().map(name).collect(),
            *error,
        ),
    };
    FindingView {
        rule: &rule.id,
        severity: f.severity.name(),
        citation: rule.citation(),
        message: &f.message,
        evidence: Evidence(f.evidence.iter().map(|(k, v)| (name(k), v.as_str())).collect()),
        title: &rule.title,
        regime: rules.regimes.get(rule.regime).map_or("", |r| r.name.as_str()),
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
                MatchView {
                    field: m.field.map(|f| name(&f)),
                    set: &set.name,
                    entry: &e.text,
                    reference: e.reference.as_deref(),
                    listed_on: e.since.map(|d| d.to_string()),
                    broader: m.broader,
                }
            })
            .collect(),
        screening: f
            .screens
            .iter()
            .filter_map(|h| {
                let list = rules.lists.get(h.list)?;
                Some(ScreenView {
                    field: h.field.map(|f| name(&f)),
                    value: &h.value,
                    list: &list.name,
                    snapshot: &list.snapshot.fingerprint,
                    reference: &h.reference,
                    matched_name: &h.matched_name,
                    score: h.score,
                    reason: &h.reason,
                    listed_on: h.listed_on.map(|d| d.to_string()),
                    listed_after: h.listed_after,
                    entry_hash: list.index().entry_hash(h.entry as usize),
                    clearance_outdated: h
                        .stale_clearance
                        .and_then(|i| rules.clearances.entries.get(i))
                        .map(|c| format!("cleared by {} on {}; the entry has changed since", c.reviewer, c.date)),
                })
            })
            .collect(),
        exemption: f.exemption.and_then(|i| rule.unless.get(i)).map(|u| ExemptionView {
            name: u.name.as_deref(),
            cite: u.cite.as_deref(),
            condition: &u.text,
        }),
        explanation: None,
    }
}

fn suppressed_views<'a>(ctx: &Context<'a>, e: &'a crate::findings::Evaluated) -> Vec<SuppressedView<'a>> {
    let rules = ctx.rules;
    e.suppressed
        .iter()
        .filter_map(|s| {
            let c = rules.clearances.entries.get(s.clearance)?;
            Some(SuppressedView {
                field: s.field.map(|f| rules.schema.fields[f].name.as_str()),
                value: &s.value,
                list: rules.lists.get(s.list).map_or("", |l| l.name.as_str()),
                reference: &s.reference,
                score: s.score,
                reviewer: &c.reviewer,
                reason: &c.reason,
                reviewed_on: &c.date,
            })
        })
        .collect()
}

fn skipped_views<'a>(ctx: &Context<'a>, e: &'a crate::findings::Evaluated) -> Vec<SkippedView<'a>> {
    let rules = ctx.rules;
    e.skipped
        .iter()
        .flat_map(|sk| {
            let rule = rules.rules[sk.rule].id.as_str();
            sk.missing(&rules.schema).into_iter().map(move |field| SkippedView { rule, field })
        })
        .collect()
}

/// One finding as a JSON value (for embedding in other outputs).
pub fn finding_json(ctx: &Context<'_>, f: &Finding) -> serde_json::Value {
    serde_json::to_value(finding_view(ctx, f)).unwrap_or(serde_json::Value::Null)
}

fn write_record(w: &mut dyn Write, ctx: &Context<'_>, o: &RecordOutcome) -> io::Result<()> {
    match o {
        RecordOutcome::Evaluated(e) => {
            let mut findings: Vec<FindingView<'_>> = e.findings.iter().map(|f| finding_view(ctx, f)).collect();
            // With --explain, each finding carries the plain-words explanation of its rule.
            if ctx.explain
                && let Some(rec) = e.record.as_deref()
            {
                let (explanation, _) = crate::explain::explain(ctx.rules, rec);
                for (view, f) in findings.iter_mut().zip(&e.findings) {
                    let id = &ctx.rules.rules[f.rule].id;
                    view.explanation =
                        explanation.rules.iter().find(|r| &r.rule == id).and_then(|r| serde_json::to_value(r).ok());
                }
            }
            serde_json::to_writer(
                &mut *w,
                &EvaluatedView {
                    id: &e.id,
                    file: ctx.files.get(e.file).map_or("", String::as_str),
                    line: e.line,
                    decision: e.decision.name(),
                    findings,
                    data_quality: &e.data_quality,
                    suppressed: suppressed_views(ctx, e),
                    skipped: skipped_views(ctx, e),
                },
            )
        }
        RecordOutcome::Invalid(i) => serde_json::to_writer(
            &mut *w,
            &InvalidView {
                id: i.id.as_deref(),
                file: ctx.files.get(i.file).map_or("", String::as_str),
                line: i.line,
                decision: "invalid",
                errors: &i.errors,
            },
        ),
    }
    .map_err(io::Error::other)
}

/// One record's outcome as a JSON value.
pub fn record_json(ctx: &Context<'_>, o: &RecordOutcome) -> serde_json::Value {
    let mut buf = Vec::new();
    if write_record(&mut buf, ctx, o).is_err() {
        return serde_json::Value::Null;
    }
    serde_json::from_slice(&buf).unwrap_or(serde_json::Value::Null)
}

#[derive(Serialize)]
struct SummaryView<'a> {
    read: u64,
    evaluated: u64,
    invalid: u64,
    decisions: Decisions,
    rules: &'a str,
    inputs: &'a [crate::engine::InputStats],
    skipped_rules: &'a [crate::engine::Skipped],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    missing_columns: &'a [crate::engine::MissingColumnNote],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    missing_groups: &'a [crate::engine::MissingGroupNote],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    screening: Vec<CoverageView<'a>>,
    #[serde(skip_serializing_if = "no_duplicates")]
    duplicate_ids: &'a crate::engine::DuplicateIds,
}

/// What was screened against one list.
#[derive(Serialize)]
struct CoverageView<'a> {
    list: &'a str,
    records_screened: u64,
    records_not_screened: u64,
    by_field: Evidence<'a, u64>,
}

fn no_duplicates(d: &&crate::engine::DuplicateIds) -> bool {
    d.records == 0
}

#[derive(Serialize)]
struct Decisions {
    block: u64,
    review: u64,
    pass: u64,
}

fn summary_view(s: &RunSummary) -> SummaryView<'_> {
    SummaryView {
        read: s.read,
        evaluated: s.evaluated,
        invalid: s.invalid,
        decisions: Decisions { block: s.block, review: s.review, pass: s.pass },
        rules: &s.rules,
        inputs: &s.inputs,
        skipped_rules: &s.skipped_rules,
        missing_columns: &s.missing_columns,
        missing_groups: &s.missing_groups,
        screening: s
            .screening
            .iter()
            .map(|c| CoverageView {
                list: &c.list,
                records_screened: c.records_screened,
                records_not_screened: c.records_not_screened,
                by_field: Evidence(c.by_field.iter().map(|(f, n)| (f.as_str(), *n)).collect()),
            })
            .collect(),
        duplicate_ids: &s.duplicate_ids,
    }
}

/// The run summary as a JSON value.
pub fn summary_json(s: &RunSummary) -> serde_json::Value {
    serde_json::to_value(summary_view(s)).unwrap_or(serde_json::Value::Null)
}

/// JSON Lines: one object per record.
pub struct JsonlSink<'w> {
    out: BufWriter<Box<dyn Write + 'w>>,
}

impl<'w> JsonlSink<'w> {
    /// Writes to `out`.
    pub fn new(out: Box<dyn Write + 'w>) -> Self {
        JsonlSink { out: BufWriter::with_capacity(1 << 16, out) }
    }
}

impl Sink for JsonlSink<'_> {
    fn record(&mut self, ctx: &Context<'_>, o: &RecordOutcome) -> io::Result<()> {
        write_record(&mut self.out, ctx, o)?;
        self.out.write_all(b"\n")
    }

    fn finish(&mut self, _: &Context<'_>, _: &RunSummary) -> io::Result<()> {
        self.out.flush()
    }
}

/// One record's JSON Lines line (with its newline), for rendering on all cores.
pub fn jsonl_line(ctx: &Context<'_>, o: &RecordOutcome) -> Vec<u8> {
    let mut v = Vec::with_capacity(128);
    // Writing to a Vec cannot fail; serialisation of these views cannot either.
    let _ = write_record(&mut v, ctx, o);
    v.push(b'\n');
    v
}

/// JSON: `{"summary": …, "records": […]}`. The summary comes first but is
/// known only at the end, so records are spilled to a temporary file and
/// copied after it: memory stays flat however large the input.
pub struct JsonSink<'w> {
    out: BufWriter<Box<dyn Write + 'w>>,
    spill: Option<BufWriter<std::fs::File>>,
    count: u64,
    error: Option<io::Error>,
}

impl<'w> JsonSink<'w> {
    /// Writes to `out`.
    pub fn new(out: Box<dyn Write + 'w>) -> Self {
        let (spill, error) = match tempfile::tempfile() {
            Ok(f) => (Some(BufWriter::with_capacity(1 << 16, f)), None),
            Err(e) => (None, Some(e)),
        };
        JsonSink { out: BufWriter::with_capacity(1 << 16, out), spill, count: 0, error }
    }
}

impl Sink for JsonSink<'_> {
    fn record(&mut self, ctx: &Context<'_>, o: &RecordOutcome) -> io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        let Some(spill) = self.spill.as_mut() else { return Err(io::Error::other("no temporary file")) };
        if self.count > 0 {
            spill.write_all(b",\n")?;
        }
        self.count += 1;
        write_record(spill, ctx, o)
    }

    fn finish(&mut self, _: &Context<'_>, summary: &RunSummary) -> io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.out.write_all(b"{\"summary\":")?;
        serde_json::to_writer(&mut self.out, &summary_view(summary)).map_err(io::Error::other)?;
        self.out.write_all(b",\"records\":[\n")?;
        if let Some(spill) = self.spill.take() {
            let mut f = spill.into_inner().map_err(|e| e.into_error())?;
            f.seek(io::SeekFrom::Start(0))?;
            let mut buf = vec![0u8; 1 << 16];
            loop {
                let n = f.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                self.out.write_all(&buf[..n])?;
            }
        }
        self.out.write_all(b"\n]}\n")?;
        self.out.flush()
    }
}
