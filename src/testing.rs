//! Rule tests, written beside the rules: `coal.cordon` is tested by
//! `coal.tests.yaml` in the same folder.
//!
//! ```yaml
//! defaults:                # fields every record of the file starts from
//!   origin: KP
//!   destination: CN
//! tests:
//!   - name: DPRK coal after the 2371 ban
//!     record: { date: 2017-09-01, hs_code: "2701.12" }
//!     hits: [KP-COAL-IRON-2371]       # exactly the rules that must fire
//!     decision: block                 # optional
//!   - name: coal one day before the ban
//!     record: { date: 2017-08-04, hs_code: "2701.12" }
//!     hits: [KP-COAL-CAP-2321]
//!     misses: [KP-COAL-IRON-2371]     # near misses: must not fire
//! ```
//!
//! The record's date decides which rules are in force, as in a real run.
//! `hits` is exact: a rule that fires but is not listed fails the test.
//! Coverage counts, per rule, the tests that list it in `hits` and in `misses`.
//!
//! `no_columns: [seller, buyer]` (on a case, or on the file beside
//! `defaults`; a group's name stands for all its members) models an input
//! file that has no column for those fields:
//! the record is evaluated exactly as `check` evaluates such a file's records.
//! A field a record names that the schema does not have is an error.

use std::collections::BTreeMap;

use std::sync::Arc;

use serde::Deserialize;

use crate::config::{self, ConfigError, InputConfig};
use crate::engine::Engine;
use crate::findings::{Evaluated, RecordOutcome};
use crate::records::{Layout, Raw};
use crate::sources::Sources;

/// File-name suffix of rule tests.
pub const TEST_SUFFIX: &str = ".tests.yaml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TestFile {
    #[serde(default)]
    defaults: BTreeMap<String, serde_json::Value>,
    /// Fields every case's simulated file has no column for.
    #[serde(default)]
    no_columns: Vec<String>,
    tests: Vec<TestCase>,
}

/// One test case.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestCase {
    /// What the test shows.
    pub name: String,
    /// The record (merged over the file's `defaults`).
    pub record: BTreeMap<String, serde_json::Value>,
    /// Exactly the rules that must fire (`hits: []`: none may fire).
    #[serde(default)]
    pub hits: Option<Vec<String>>,
    /// Rules that must not fire (near misses).
    #[serde(default)]
    pub misses: Vec<String>,
    /// The expected decision: block, review, pass or invalid.
    #[serde(default)]
    pub decision: Option<String>,
    /// Texts that must each appear in some finding's message (case-insensitive).
    #[serde(default)]
    pub says: Vec<String>,
    /// Fields the simulated input file has no column for (besides the file's `no_columns`).
    #[serde(default)]
    pub no_columns: Vec<String>,
}

/// The result of one test.
#[derive(Debug, Clone)]
pub struct TestResult {
    /// The test file.
    pub file: String,
    /// The case.
    pub case: TestCase,
    /// What went wrong; empty when the test passed.
    pub failures: Vec<String>,
    /// Rules that fired, with severity and message.
    pub actual: Vec<(String, String, String)>,
    /// The decision reached.
    pub decision: String,
}

impl TestResult {
    /// Whether the test passed.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// A test file that cannot be run.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum TestError {
    /// The YAML is wrong.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] ConfigError),
    /// A test names a rule the rule set does not have.
    #[error("test `{test}` in `{file}` names unknown rule `{rule}`")]
    #[diagnostic(code(cordon::test::unknown_rule))]
    UnknownRule {
        /// The file.
        file: String,
        /// The test.
        test: String,
        /// The rule id.
        rule: String,
        /// Advice.
        #[help]
        help: Option<String>,
    },
    /// A test names a field the schema does not have.
    #[error("test `{test}` in `{file}` names unknown field `{field}`")]
    #[diagnostic(code(cordon::test::unknown_field))]
    UnknownField {
        /// The file.
        file: String,
        /// The test (or `defaults`).
        test: String,
        /// The field.
        field: String,
        /// Advice.
        #[help]
        help: Option<String>,
    },
    /// A test gives a value for a field it also says has no column.
    #[error("test `{test}` in `{file}` gives `{field}` a value but lists it in `no_columns`")]
    #[diagnostic(
        code(cordon::test::no_column_with_value),
        help("a file without the column has no value for it: drop the value, or the field from `no_columns`")
    )]
    NoColumnWithValue {
        /// The file.
        file: String,
        /// The test.
        test: String,
        /// The field.
        field: String,
    },
    /// A test has no expectation.
    #[error("test `{test}` in `{file}` expects nothing")]
    #[diagnostic(
        code(cordon::test::no_expectation),
        help("give `hits` (use `hits: []` for a record that must pass), `misses`, `decision` or `says`")
    )]
    NoExpectation {
        /// The file.
        file: String,
        /// The test.
        test: String,
    },
}

/// Runs the tests of one file of the pack's sources.
pub fn run_file(engine: &Engine, sources: &dyn Sources, name: &str) -> Result<Vec<TestResult>, TestError> {
    let src = crate::load::read_text(sources, name)?;
    let file: TestFile = config::parse_yaml(&src)?;
    let rules = engine.rules();
    let known: Vec<&str> = rules.rules.iter().map(|r| r.id.as_str()).collect();
    let name = src.name.clone();
    for case in &file.tests {
        if case.hits.is_none() && case.misses.is_empty() && case.decision.is_none() && case.says.is_empty() {
            return Err(TestError::NoExpectation { file: name.clone(), test: case.name.clone() });
        }
        for r in case.hits.iter().flatten().chain(&case.misses) {
            if !known.contains(&r.as_str()) {
                return Err(TestError::UnknownRule {
                    file: name.clone(),
                    test: case.name.clone(),
                    rule: r.clone(),
                    help: crate::suggest::did_you_mean(r, known.iter().copied())
                        .map(|s| format!("did you mean `{s}`?")),
                });
            }
        }
    }
    let schema = &rules.schema;
    let unknown = |test: &str, field: &str| TestError::UnknownField {
        file: name.clone(),
        test: test.to_string(),
        field: field.to_string(),
        help: crate::suggest::did_you_mean(field, schema.names()).map(|s| format!("did you mean `{s}`?")),
    };
    let field_or_group = |k: &String| schema.field(k).is_some() || schema.group(k).is_some();
    if let Some(k) = file.defaults.keys().find(|k| schema.field(k).is_none()) {
        return Err(unknown("defaults", k));
    }
    if let Some(k) = file.no_columns.iter().find(|k| !field_or_group(k)) {
        return Err(unknown("defaults", k));
    }
    // A group in `no_columns` stands for all its members.
    let expand = |names: &[String]| -> Vec<usize> {
        names
            .iter()
            .flat_map(|n| match (schema.field(n), schema.group(n)) {
                (Some(f), _) => vec![f],
                (None, Some(g)) => schema.groups[g].members.clone(),
                (None, None) => Vec::new(),
            })
            .collect()
    };
    let mut results = Vec::new();
    for (i, case) in file.tests.iter().enumerate() {
        if let Some(k) = case.record.keys().find(|k| schema.field(k).is_none()) {
            return Err(unknown(&case.name, k));
        }
        if let Some(k) = case.no_columns.iter().find(|k| !field_or_group(k)) {
            return Err(unknown(&case.name, k));
        }
        let mut no_columns = expand(&file.no_columns);
        no_columns.extend(expand(&case.no_columns));
        let mut rec = file.defaults.clone();
        for (k, v) in &case.record {
            rec.insert(k.clone(), v.clone());
        }
        if let Some(f) = no_columns.iter().map(|f| &schema.fields[*f].name).find(|f| case.record.contains_key(*f)) {
            return Err(TestError::NoColumnWithValue { file: name.clone(), test: case.name.clone(), field: f.clone() });
        }
        for f in &no_columns {
            rec.remove(&schema.fields[*f].name);
        }
        rec.entry("id".to_string()).or_insert_with(|| serde_json::Value::String(format!("test-{}", i + 1)));
        let text = serde_json::to_vec(&rec).unwrap_or_default();
        let layout = Layout::for_json(0, &name, Arc::clone(schema), Arc::new(InputConfig::standard()))
            .without_columns(&no_columns);
        let outcome = match layout.parse(&Raw::Json { line: i as u64 + 1, text }) {
            Ok(r) => RecordOutcome::Evaluated(engine.evaluate_alone(&r)),
            Err(inv) => RecordOutcome::Invalid(inv),
        };
        results.push(judge(engine, &name, case, &outcome));
    }
    Ok(results)
}

fn judge(engine: &Engine, file: &str, case: &TestCase, outcome: &RecordOutcome) -> TestResult {
    let rules = engine.rules();
    let mut failures = Vec::new();
    let (actual, decision): (Vec<(String, String, String)>, String) = match outcome {
        RecordOutcome::Evaluated(Evaluated { findings, decision, .. }) => (
            findings
                .iter()
                .map(|f| (rules.rules[f.rule].id.clone(), f.severity.name().to_string(), f.message.clone()))
                .collect(),
            decision.name().to_string(),
        ),
        RecordOutcome::Invalid(inv) => {
            let reasons = inv.errors.iter().map(|e| e.reason.clone()).collect::<Vec<_>>().join("; ");
            if case.decision.as_deref() != Some("invalid") {
                failures.push(format!("the test record is invalid: {reasons}"));
            }
            (Vec::new(), "invalid".to_string())
        }
    };
    let fired: Vec<&str> = actual.iter().map(|(r, _, _)| r.as_str()).collect();
    if let (Some(hits), false) = (&case.hits, decision == "invalid") {
        let mut want: Vec<&str> = hits.iter().map(String::as_str).collect();
        want.sort_unstable();
        let mut got = fired.clone();
        got.sort_unstable();
        if want != got {
            let missing: Vec<&str> = want.iter().filter(|w| !got.contains(w)).copied().collect();
            let extra: Vec<&str> = got.iter().filter(|g| !want.contains(g)).copied().collect();
            if !missing.is_empty() {
                failures.push(format!("expected to fire but did not: {}", missing.join(", ")));
            }
            if !extra.is_empty() {
                failures.push(format!("fired but not expected: {}", extra.join(", ")));
            }
        }
    }
    for m in &case.misses {
        if fired.contains(&m.as_str()) {
            failures.push(format!("near miss fired: {m}"));
        }
        if case.hits.as_ref().is_some_and(|h| h.contains(m)) {
            failures.push(format!("{m} is listed in both hits and misses"));
        }
    }
    if let Some(d) = &case.decision
        && *d != decision
    {
        failures.push(format!("expected decision {d}, got {decision}"));
    }
    for text in &case.says {
        let want = text.to_lowercase();
        if !actual.iter().any(|(_, _, m)| m.to_lowercase().contains(&want)) {
            failures.push(format!("no finding says \"{text}\""));
        }
    }
    TestResult { file: file.to_string(), case: case.clone(), failures, actual, decision }
}

/// How well the tests cover the rules.
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    /// Rule id → (tests listing it in `hits`, tests listing it in `misses`).
    pub by_rule: BTreeMap<String, (usize, usize)>,
}

impl Coverage {
    /// Counts coverage over results.
    pub fn of(engine: &Engine, results: &[TestResult]) -> Coverage {
        let mut by_rule: BTreeMap<String, (usize, usize)> =
            engine.rules().rules.iter().map(|r| (r.id.clone(), (0, 0))).collect();
        for r in results.iter().filter(|r| r.passed()) {
            for h in r.case.hits.iter().flatten() {
                if let Some(c) = by_rule.get_mut(h) {
                    c.0 += 1;
                }
            }
            for m in &r.case.misses {
                if let Some(c) = by_rule.get_mut(m) {
                    c.1 += 1;
                }
            }
        }
        Coverage { by_rule }
    }

    /// Rules no passing test makes fire.
    pub fn never_hit(&self) -> Vec<&str> {
        self.by_rule.iter().filter(|(_, c)| c.0 == 0).map(|(r, _)| r.as_str()).collect()
    }

    /// Rules no passing test shows a near miss for.
    pub fn never_missed(&self) -> Vec<&str> {
        self.by_rule.iter().filter(|(_, c)| c.1 == 0).map(|(r, _)| r.as_str()).collect()
    }
}

/// Runs every test file of a pack (`*.tests.yaml`), in name order.
pub fn run_all(engine: &Engine, sources: &dyn Sources) -> Result<Vec<TestResult>, TestError> {
    let mut files = sources
        .files(TEST_SUFFIX)
        .map_err(|e| ConfigError::Io { path: sources.display_name(""), source: e.into_io() })?;
    files.sort();
    let mut all = Vec::new();
    for f in files {
        all.extend(run_file(engine, sources, &f)?);
    }
    Ok(all)
}
