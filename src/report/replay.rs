//! The audit report built from the decision log (`POST /v1/reports`): each
//! logged record is evaluated again on the rule set that decided it, and
//! the decision it gets must be the one logged — a report from the log
//! shows exactly what was decided, or is refused. A record that could not
//! be read is taken as logged (what was wrong with it).

use std::collections::HashMap;
use std::sync::Arc;

use super::model::{FileFingerprint, Fingerprints};
use super::{Collector, Report, ReportInputs, ReportMeta, ReportOptions, report_id};
use crate::engine::Engine;
use crate::findings::RecordOutcome;
use crate::records::{Invalid, Layout, Raw};
use crate::results::{InvalidRecord, RecordResult};
use crate::run::log::NO_COLUMN_KEY;
use crate::run::{InputStats, RunOptions, RunSummary};
use crate::store::Logged;

/// Why a report cannot be built from the log.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ReplayError {
    /// Entries were decided under another rule set than the one loaded.
    #[error("logged decisions ({entries}) were made under another rule set (`{fingerprint}`, first {first})")]
    #[diagnostic(
        code(cordon::report::other_rules),
        help("ask for a span decided under the rules in service, or load the rule set that decided them")
    )]
    OtherRules {
        /// How many.
        entries: u64,
        /// The first other fingerprint.
        fingerprint: String,
        /// The first such decision.
        first: String,
    },
    /// Entries were logged without their records.
    #[error("logged decisions ({entries}) have no record kept (first {first}): the log holds only their hash")]
    #[diagnostic(
        code(cordon::report::not_kept),
        help("log records whole (`serve --log-records`, `check --log-records`) to build reports from the log")
    )]
    NotKept {
        /// How many.
        entries: u64,
        /// The first.
        first: String,
    },
    /// Decisions of a run whose rules total records over many records.
    #[error("decision {first} (from `{origin}`) was made by a run whose rules total records over many records")]
    #[diagnostic(
        code(cordon::report::counted_run),
        help("the run's totals are not in the log: build that run's report with `cordon report` on its inputs")
    )]
    CountedRun {
        /// The first such decision.
        first: String,
        /// Where its record came from.
        origin: String,
    },
    /// A record evaluated again got another decision than the one logged.
    #[error("decision {decision_id} was logged with {logged} but its record now gives {replayed}")]
    #[diagnostic(
        code(cordon::report::mismatch),
        help("the log or the rules' data changed since the decision; verify the log with `cordon log verify`")
    )]
    Mismatch {
        /// The decision.
        decision_id: String,
        /// As logged.
        logged: String,
        /// As evaluated again.
        replayed: String,
    },
    /// An entry's record or result is not what the log writes.
    #[error("decision {decision_id} cannot be read: {reason}")]
    #[diagnostic(code(cordon::report::unreadable))]
    Unreadable {
        /// The decision.
        decision_id: String,
        /// Why.
        reason: String,
    },
}

/// Where a logged result and the same record's result now first differ:
/// the decision, a finding (by rule) and its first different key, or the
/// data-quality notes.
fn difference<'v>(
    then: &'v serde_json::Value,
    now: &'v serde_json::Value,
) -> Option<(String, Option<&'v serde_json::Value>, Option<&'v serde_json::Value>)> {
    if then.get("decision") != now.get("decision") {
        return Some(("decision".into(), then.get("decision"), now.get("decision")));
    }
    let list = |v: &'v serde_json::Value| v.get("findings").and_then(|f| f.as_array()).map_or(&[][..], Vec::as_slice);
    let (a, b) = (list(then), list(now));
    for i in 0..a.len().max(b.len()) {
        let (x, y) = (a.get(i), b.get(i));
        if x == y {
            continue;
        }
        let rule = x.or(y).and_then(|f| f.get("rule")).and_then(|r| r.as_str()).unwrap_or("?").to_string();
        let (Some(x), Some(y)) = (x, y) else { return Some((format!("finding {rule}"), x, y)) };
        let keys: std::collections::BTreeSet<&String> =
            x.as_object().into_iter().chain(y.as_object()).flat_map(|o| o.keys()).collect();
        let key = keys.into_iter().find(|k| x.get(k.as_str()) != y.get(k.as_str()))?;
        return Some((format!("finding {rule} `{key}`"), x.get(key.as_str()), y.get(key.as_str())));
    }
    (then.get("data_quality") != now.get("data_quality"))
        .then(|| ("data quality notes".to_string(), then.get("data_quality"), now.get("data_quality")))
}

/// A part of a result for a message: at most 200 characters of it.
fn shown(part: &str, v: Option<&serde_json::Value>) -> String {
    let text = v.map_or_else(|| "nothing".to_string(), serde_json::Value::to_string);
    match text.char_indices().nth(200) {
        Some((cut, _)) => format!("{part} {}…", &text[..cut]),
        None => format!("{part} {text}"),
    }
}

/// Where a logged decision came from: the input's name and line (`api`
/// decisions: the log position stands for the line).
fn origin(l: &Logged) -> (String, u64) {
    match l.entry.source.rsplit_once(':') {
        Some((file, line)) if !file.is_empty() => match line.parse() {
            Ok(n) => (file.to_string(), n),
            Err(_) => (l.entry.source.clone(), l.seq.max(0) as u64),
        },
        _ => (l.entry.source.clone(), l.seq.max(0) as u64),
    }
}

/// Builds the report over logged decisions (oldest first), each record
/// evaluated again with `opts_run`'s input config; `log_name` names the log
/// in the fingerprints.
pub fn build_from_log(
    engine: &Engine,
    logged: &[Logged],
    log_name: &str,
    opts: &ReportOptions,
    opts_run: &RunOptions,
) -> Result<(Report, RunSummary), ReplayError> {
    let rules = Arc::clone(engine.rules());
    // Everything the report rests on is checked before anything is built.
    let other: Vec<&Logged> = logged.iter().filter(|l| l.entry.rules != rules.fingerprint).collect();
    if let Some(first) = other.first() {
        return Err(ReplayError::OtherRules {
            entries: other.len() as u64,
            fingerprint: first.entry.rules.clone(),
            first: first.decision_id.clone(),
        });
    }
    let bare: Vec<&Logged> =
        logged.iter().filter(|l| l.entry.decision != "invalid" && l.entry.record.is_none()).collect();
    if let Some(first) = bare.first() {
        return Err(ReplayError::NotKept { entries: bare.len() as u64, first: first.decision_id.clone() });
    }
    // A run's totals over many records are not in the log: its decisions on
    // rules that count cannot be remade one record at a time. (The service
    // decides record by record, so its decisions can.)
    if engine.counts()
        && let Some(first) = logged.iter().find(|l| l.entry.source != "api")
    {
        return Err(ReplayError::CountedRun { first: first.decision_id.clone(), origin: first.entry.source.clone() });
    }
    let mut files: Vec<String> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut stats: Vec<InputStats> = Vec::new();
    let mut digests: Vec<sha2::Sha256> = Vec::new();
    for l in logged {
        let (file, _) = origin(l);
        if !index.contains_key(&file) {
            index.insert(file.clone(), files.len());
            stats.push(InputStats { file: file.clone(), ..InputStats::default() });
            digests.push(<sha2::Sha256 as sha2::Digest>::new());
            files.push(file);
        }
    }
    let mut collector = Collector::new(ReportInputs {
        rules: &rules,
        files: &files,
        period: opts.period,
        expect: opts.expect.clone(),
        register: opts.dispositions.clone(),
        as_of: opts.as_of(),
    });
    let mut run = RunSummary { rules: rules.fingerprint.clone(), ..RunSummary::default() };
    let schema = Arc::clone(&rules.schema);
    // One layout per input and set of fields it had no column for.
    let mut layouts: HashMap<(usize, Vec<crate::schema::FieldId>), Layout> = HashMap::new();
    for l in logged {
        let (file, line) = origin(l);
        let i = index[&file];
        sha2::Digest::update(&mut digests[i], l.hash.as_bytes());
        let unreadable = |reason: String| ReplayError::Unreadable { decision_id: l.decision_id.clone(), reason };
        let outcome = if l.entry.decision == "invalid" {
            let inv: InvalidRecord =
                serde_json::from_str(&l.entry.result).map_err(|e| unreadable(format!("its result: {e}")))?;
            RecordOutcome::Invalid(Invalid { file: i, line, id: inv.id, date: None, errors: inv.errors })
        } else {
            let mut record: serde_json::Value = serde_json::from_str(l.entry.record.as_deref().unwrap_or(""))
                .map_err(|e| unreadable(format!("its record: {e}")))?;
            let absent: Vec<crate::schema::FieldId> = match record.as_object_mut().and_then(|o| o.remove(NO_COLUMN_KEY))
            {
                Some(serde_json::Value::Array(names)) => names
                    .iter()
                    .filter_map(|n| n.as_str().and_then(|n| schema.fields.iter().position(|f| f.name == n)))
                    .collect(),
                _ => Vec::new(),
            };
            let layout = layouts.entry((i, absent.clone())).or_insert_with(|| {
                let mut l = Layout::for_json(i, &file, Arc::clone(&schema), Arc::clone(opts_run.input_config()))
                    .without_columns(&absent);
                l.limits = opts_run.limits_of();
                l
            });
            let raw = Raw::Json { line, text: record.to_string().into_bytes() };
            match layout.parse(&raw) {
                Ok(rec) => {
                    let mut e = engine.evaluate(&rec);
                    if !e.contributions.is_empty() {
                        crate::aggregate::Standings::attach(opts_run.standings_of(), &rules, &rec, &mut e);
                    }
                    if !e.findings.is_empty() || !e.data_quality.is_empty() {
                        e.record = Some(Box::new(rec.into_owned()));
                    }
                    let outcome = RecordOutcome::Evaluated(e);
                    // The same decision, and the same findings word for word.
                    let now = serde_json::to_value(RecordResult::new(&rules, &file, &outcome)).unwrap_or_default();
                    let then: serde_json::Value =
                        serde_json::from_str(&l.entry.result).map_err(|e| unreadable(format!("its result: {e}")))?;
                    if let Some((what, logged, replayed)) = difference(&then, &now) {
                        return Err(ReplayError::Mismatch {
                            decision_id: l.decision_id.clone(),
                            logged: shown(&what, logged),
                            replayed: shown(&what, replayed),
                        });
                    }
                    outcome
                }
                Err(_) => {
                    return Err(ReplayError::Mismatch {
                        decision_id: l.decision_id.clone(),
                        logged: l.entry.decision.clone(),
                        replayed: "invalid".into(),
                    });
                }
            }
        };
        let s = &mut stats[i];
        s.read += 1;
        run.read += 1;
        match &outcome {
            RecordOutcome::Invalid(_) => {
                s.invalid += 1;
                run.invalid += 1;
            }
            RecordOutcome::Evaluated(e) => {
                s.evaluated += 1;
                run.evaluated += 1;
                match e.decision {
                    crate::findings::Decision::Block => {
                        s.block += 1;
                        run.decisions.block += 1;
                    }
                    crate::findings::Decision::Review => {
                        s.review += 1;
                        run.decisions.review += 1;
                    }
                    crate::findings::Decision::Pass => {
                        s.pass += 1;
                        run.decisions.pass += 1;
                    }
                }
            }
        }
        collector.add(&outcome);
    }
    for (s, d) in stats.iter_mut().zip(digests) {
        s.sha256 = crate::source::hex(&sha2::Digest::finalize(d));
    }
    run.inputs = stats;
    let mut inputs: Vec<FileFingerprint> = run
        .inputs
        .iter()
        .map(|i| FileFingerprint { path: i.file.clone(), kind: "logged decisions".into(), sha256: i.sha256.clone() })
        .collect();
    if let (Some(first), Some(last)) = (logged.first(), logged.last()) {
        inputs.push(FileFingerprint {
            path: format!("{log_name} {} to {}", first.decision_id, last.decision_id),
            kind: "decision log head".into(),
            sha256: last.hash.clone(),
        });
    }
    let fingerprints = Fingerprints {
        rule_set: rules.pack_fingerprint.clone().unwrap_or_else(|| rules.fingerprint.clone()),
        rule_files: super::rule_files(&rules),
        inputs,
        config: opts.config.clone(),
    };
    let meta = ReportMeta {
        report_id: report_id(&fingerprints, opts),
        title: opts.title.clone(),
        organisation: opts.organisation.clone(),
        generated_at: opts.generated_at.clone(),
        generated_declared: opts.generated_declared,
        command: opts.command.clone(),
        build: opts.build.clone(),
        fingerprints,
        rule_tests: opts.rule_tests.clone(),
    };
    let report = collector.finish(&run, meta);
    Ok((report, run))
}
