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
    /// The regimes whose rules `hits` counts (default: the rule file's own).
    #[serde(default)]
    only: Option<Vec<String>>,
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
    /// The regimes whose rules `hits` counts, overriding the file's (`all`: every rule).
    #[serde(default)]
    pub only: Option<Vec<String>>,
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
    #[error("`{file}` line {line}: test `{test}` names unknown rule `{rule}`")]
    #[diagnostic(code(cordon::test::unknown_rule))]
    UnknownRule {
        /// The file.
        file: String,
        /// The line the test starts on.
        line: usize,
        /// The test.
        test: String,
        /// The rule id.
        rule: String,
        /// Advice.
        #[help]
        help: Option<String>,
    },
    /// A test names a field the schema does not have.
    #[error("`{file}` line {line}: test `{test}` names unknown field `{field}`")]
    #[diagnostic(code(cordon::test::unknown_field))]
    UnknownField {
        /// The file.
        file: String,
        /// The line the test (or `defaults`) starts on.
        line: usize,
        /// The test (or `defaults`).
        test: String,
        /// The field.
        field: String,
        /// Advice.
        #[help]
        help: Option<String>,
    },
    /// A test gives a value for a field it also says has no column.
    #[error("`{file}` line {line}: test `{test}` gives `{field}` a value but lists it in `no_columns`")]
    #[diagnostic(
        code(cordon::test::no_column_with_value),
        help("a file without the column has no value for it: drop the value, or the field from `no_columns`")
    )]
    NoColumnWithValue {
        /// The file.
        file: String,
        /// The line the test starts on.
        line: usize,
        /// The test.
        test: String,
        /// The field.
        field: String,
    },
    /// A test has no expectation.
    #[error("`{file}` line {line}: test `{test}` expects nothing")]
    #[diagnostic(
        code(cordon::test::no_expectation),
        help("give `hits` (use `hits: []` for a record that must pass), `misses`, `decision` or `says`")
    )]
    NoExpectation {
        /// The file.
        file: String,
        /// The line the test starts on.
        line: usize,
        /// The test.
        test: String,
    },
    /// `only` names a regime the rule set does not have.
    #[error("`{file}` line {line}: `only` names unknown regime `{regime}`")]
    #[diagnostic(code(cordon::test::unknown_regime))]
    UnknownRegime {
        /// The file.
        file: String,
        /// The line.
        line: usize,
        /// The regime.
        regime: String,
        /// Advice.
        #[help]
        help: Option<String>,
    },
}

/// The line (1-based) of the first occurrence of `needle` at or after byte
/// `from`, and the byte after it; line 1 when it is not found.
fn line_of(text: &str, needle: &str, from: usize) -> (usize, usize) {
    match text.get(from..).and_then(|t| t.find(needle)) {
        Some(at) => (text[..from + at].matches('\n').count() + 1, from + at + needle.len()),
        None => (1, from),
    }
}

/// Runs the tests of one file of the pack's sources; every problem with the
/// file is reported at once, each with its line.
pub fn run_file(engine: &Engine, sources: &dyn Sources, name: &str) -> Result<Vec<TestResult>, Vec<TestError>> {
    let src = crate::load::read_text(sources, name).map_err(|e| vec![e.into()])?;
    let file: TestFile = config::parse_yaml(&src).map_err(|e| vec![e.into()])?;
    let rules = engine.rules();
    // The regime `hits` counts: the rule file's beside the tests, unless `only` says.
    let rule_file = name.strip_suffix(TEST_SUFFIX).map(|stem| format!("{stem}.{}", crate::sources::RULE_EXT));
    let own_regime = rules
        .rules
        .iter()
        .find(|r| {
            rules
                .sources
                .get(r.file)
                .is_some_and(|s| Some(s.path.as_path()) == rule_file.as_deref().map(std::path::Path::new))
        })
        .map(|r| r.regime);
    let file_name = src.name.clone();
    let mut errors = Vec::new();
    let mut lines = Vec::new();
    let mut at = 0;
    for case in &file.tests {
        let (line, next) = line_of(&src.text, &case.name, at);
        lines.push(line);
        at = next;
    }
    let regime_of = |names: &[String], line: usize, errors: &mut Vec<TestError>| -> Option<Vec<usize>> {
        if names.iter().any(|n| n == "all") {
            return None;
        }
        let mut out = Vec::new();
        for n in names {
            match rules.regimes.iter().position(|g| &g.name == n) {
                Some(i) => out.push(i),
                None => errors.push(TestError::UnknownRegime {
                    file: file_name.clone(),
                    line,
                    regime: n.clone(),
                    help: crate::suggest::did_you_mean(n, rules.regimes.iter().map(|g| g.name.as_str()))
                        .map(|s| format!("did you mean `{s}`?"))
                        .or(Some("`only` takes regime names, or `all`".into())),
                }),
            }
        }
        Some(out)
    };
    let file_only = match &file.only {
        Some(names) => regime_of(names, line_of(&src.text, "only:", 0).0, &mut errors),
        None => own_regime.map(|r| vec![r]),
    };
    let mut counted: Vec<Option<Vec<usize>>> = Vec::new();
    for (case, line) in file.tests.iter().zip(&lines) {
        counted.push(match &case.only {
            Some(names) => regime_of(names, *line, &mut errors),
            None => file_only.clone(),
        });
    }
    let name = file_name;
    let known: Vec<&str> = rules.rules.iter().map(|r| r.id.as_str()).collect();
    for (case, line) in file.tests.iter().zip(&lines) {
        let line = *line;
        if case.hits.is_none() && case.misses.is_empty() && case.decision.is_none() && case.says.is_empty() {
            errors.push(TestError::NoExpectation { file: name.clone(), line, test: case.name.clone() });
        }
        for r in case.hits.iter().flatten().chain(&case.misses) {
            if !known.contains(&r.as_str()) {
                errors.push(TestError::UnknownRule {
                    file: name.clone(),
                    line,
                    test: case.name.clone(),
                    rule: r.clone(),
                    help: crate::suggest::did_you_mean(r, known.iter().copied())
                        .map(|s| format!("did you mean `{s}`?")),
                });
            }
        }
    }
    let schema = &rules.schema;
    let defaults_line = line_of(&src.text, "defaults:", 0).0;
    let unknown = |test: &str, line: usize, field: &str| TestError::UnknownField {
        file: name.clone(),
        line,
        test: test.to_string(),
        field: field.to_string(),
        help: crate::suggest::did_you_mean(field, schema.names()).map(|s| format!("did you mean `{s}`?")),
    };
    let field_or_group = |k: &String| schema.field(k).is_some() || schema.group(k).is_some();
    for k in file.defaults.keys().filter(|k| schema.field(k).is_none()) {
        errors.push(unknown("defaults", defaults_line, k));
    }
    for k in file.no_columns.iter().filter(|k| !field_or_group(k)) {
        errors.push(unknown("no_columns", line_of(&src.text, "no_columns:", 0).0, k));
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
        let line = lines[i];
        let bad: Vec<&String> = case
            .record
            .keys()
            .filter(|k| schema.field(k).is_none())
            .chain(case.no_columns.iter().filter(|k| !field_or_group(k)))
            .collect();
        if !bad.is_empty() {
            errors.extend(bad.into_iter().map(|k| unknown(&case.name, line, k)));
            continue;
        }
        let mut no_columns = expand(&file.no_columns);
        no_columns.extend(expand(&case.no_columns));
        let mut rec = file.defaults.clone();
        for (k, v) in &case.record {
            rec.insert(k.clone(), v.clone());
        }
        if let Some(f) = no_columns.iter().map(|f| &schema.fields[*f].name).find(|f| case.record.contains_key(*f)) {
            let (test, field) = (case.name.clone(), f.clone());
            errors.push(TestError::NoColumnWithValue { file: name.clone(), line, test, field });
            continue;
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
        results.push(judge(engine, &name, case, &outcome, counted[i].as_deref()));
    }
    if errors.is_empty() { Ok(results) } else { Err(errors) }
}

/// Judges one case: `hits` against the rules of the `counted` regimes
/// (every rule when `None`) that fired.
fn judge(
    engine: &Engine,
    file: &str,
    case: &TestCase,
    outcome: &RecordOutcome,
    counted: Option<&[usize]>,
) -> TestResult {
    let rules = engine.rules();
    let mut failures = Vec::new();
    let (actual, decision): (Vec<(String, String, String)>, String) = match outcome {
        // The decision the counted regimes reach: another regime loaded
        // with this one (packs combined) does not change this file's answer.
        RecordOutcome::Evaluated(Evaluated { findings, decision, .. }) => (
            findings
                .iter()
                .map(|f| (rules.rules[f.rule].id.clone(), f.severity.name().to_string(), f.message.clone()))
                .collect(),
            match counted {
                None => decision.name().to_string(),
                Some(c) => findings
                    .iter()
                    .filter(|f| c.contains(&rules.rules[f.rule].regime))
                    .map(|f| crate::findings::Decision::from(f.severity))
                    .max()
                    .unwrap_or(crate::findings::Decision::Pass)
                    .name()
                    .to_string(),
            },
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
    let regime_of = |id: &str| rules.rules.iter().find(|r| r.id == id).map(|r| r.regime);
    if let (Some(hits), false) = (&case.hits, decision == "invalid") {
        let mut want: Vec<&str> = hits.iter().map(String::as_str).collect();
        want.sort_unstable();
        // Rules of other regimes loaded with this one are not this file's to count
        // (a rule `hits` names is counted whatever its regime).
        let mut got: Vec<&str> = fired
            .iter()
            .copied()
            .filter(|r| want.contains(r) || counted.is_none_or(|c| regime_of(r).is_some_and(|g| c.contains(&g))))
            .collect();
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

/// Runs every test file of a pack (`*.tests.yaml`), and of the packs its
/// manifest includes, in name order; every file's problems are reported
/// together.
pub fn run_all(engine: &Engine, sources: &dyn Sources) -> Result<Vec<TestResult>, Vec<TestError>> {
    let io = |e: crate::sources::SourceError| {
        vec![TestError::from(ConfigError::Io { path: sources.display_name(""), source: e.into_io() })]
    };
    let mut files = sources.files(TEST_SUFFIX).map_err(io)?;
    let manifest =
        crate::load::read_text(sources, crate::load::MANIFEST).ok().and_then(|m| config::load_manifest(&m).ok());
    for sub in manifest.map(|m| m.packs).unwrap_or_default() {
        files.extend(sources.files_in(&sub, TEST_SUFFIX).map_err(io)?);
    }
    files.sort();
    files.dedup();
    let (mut all, mut errors) = (Vec::new(), Vec::new());
    for f in files {
        match run_file(engine, sources, &f) {
            Ok(r) => all.extend(r),
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() { Ok(all) } else { Err(errors) }
}

/// A pack's rule tests as a report states them (issue 19, row 23): how many
/// ran and passed, how many rules they made fire and show a near miss for,
/// and the SHA-256 over the test files, so the evidence names what was run.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct RuleTests {
    /// Test files.
    pub files: u64,
    /// SHA-256 over the test files' names and fingerprints, in name order.
    pub sha256: String,
    /// Tests run.
    pub tests: u64,
    /// Of those, passed.
    pub passed: u64,
    /// Rules in the rule set.
    pub rules: u64,
    /// Rules a passing test made fire.
    pub rules_fired: u64,
    /// Rules a passing test showed a near miss for.
    pub rules_near_miss: u64,
    /// The first failing tests, by file and name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed: Vec<String>,
    /// Why the tests could not be run, if they could not (a test file that
    /// does not read): the report then says so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Runs a pack's rule tests for a report: never fails, says what it could not do.
pub fn evidence(engine: &Engine, sources: &dyn Sources) -> RuleTests {
    let mut files = sources.files(TEST_SUFFIX).unwrap_or_default();
    files.sort();
    let mut all = String::new();
    for f in &files {
        let sha = crate::load::read_text(sources, f).map(|s| s.sha256()).unwrap_or_else(|_| "unreadable".into());
        all.push_str(&format!("{f} {sha}\n"));
    }
    let mut out = RuleTests {
        files: files.len() as u64,
        sha256: crate::source::sha256_hex(all.as_bytes()),
        rules: engine.rules().rules.len() as u64,
        ..RuleTests::default()
    };
    match run_all(engine, sources) {
        Ok(results) => {
            let cov = Coverage::of(engine, &results);
            out.tests = results.len() as u64;
            out.passed = results.iter().filter(|r| r.passed()).count() as u64;
            out.rules_fired = out.rules - cov.never_hit().len() as u64;
            out.rules_near_miss = out.rules - cov.never_missed().len() as u64;
            out.failed = results
                .iter()
                .filter(|r| !r.passed())
                .take(20)
                .map(|r| format!("{} — {}", r.file, r.case.name))
                .collect();
        }
        Err(errors) => {
            out.error = Some(format!(
                "{} in the test files; the first: {}",
                if errors.len() == 1 { "1 problem".to_string() } else { format!("{} problems", errors.len()) },
                errors.first().map(ToString::to_string).unwrap_or_default()
            ));
        }
    }
    out
}
