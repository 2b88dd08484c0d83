//! The machine contracts: what `cordon check --format jsonl|json|summary`, `cordon
//! report --format json` and `cordon explain --format json` print, as
//! types, and their JSON Schemas (committed under `docs/schema/`; a test
//! regenerates them and checks the CLI's output against them).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::findings::Explanation;
use crate::report::Report;
use crate::results::{RESULT_SCHEMA_VERSION, RecordResult};
use crate::run::RunSummary;

/// The `--format json` output of `cordon check`: the summary, then every
/// record in input order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckOutput {
    /// The run's totals; `read = evaluated + invalid`.
    pub summary: RunSummary,
    /// One result per record read, in input order.
    pub records: Vec<RecordResult>,
}

/// The `--format summary` output of `cordon check`: the run's totals (the
/// `summary` of the JSON output) and the records each rule found something
/// on, for monitoring and for runs where only totals matter.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct CheckSummary {
    /// The run's totals, as in the JSON output.
    #[serde(flatten)]
    pub summary: RunSummary,
    /// Records with a finding (a violation or an undecided rule) of each
    /// rule, by rule id, in the rule set's order; every rule is named.
    pub rule_hits: indexmap::IndexMap<String, u64>,
}

impl CheckSummary {
    /// The summary output of a run.
    pub fn new(summary: &RunSummary) -> CheckSummary {
        CheckSummary { summary: summary.clone(), rule_hits: summary.rule_hits.iter().cloned().collect() }
    }
}

/// Every schema, by its file name under `docs/schema/`.
pub fn json_schemas() -> Vec<(&'static str, serde_json::Value)> {
    let mut out = [
        ("record.schema.json", "One line of `cordon check --format jsonl`", schema::<RecordResult>()),
        ("check.schema.json", "The output of `cordon check --format json`", schema::<CheckOutput>()),
        ("summary.schema.json", "The summary of a run", schema::<RunSummary>()),
        ("check-summary.schema.json", "The output of `cordon check --format summary`", schema::<CheckSummary>()),
        ("report.schema.json", "The output of `cordon report --format json`", schema::<Report>()),
        ("explanation.schema.json", "The output of `cordon explain --format json`", schema::<Explanation>()),
    ];
    out.iter_mut()
        .map(|(file, title, v)| {
            if let Some(o) = v.as_object_mut() {
                o.insert("$id".into(), format!("urn:cordon:schema:{RESULT_SCHEMA_VERSION}:{file}").into());
                o.insert("title".into(), (*title).into());
                o.insert("x-cordon-schema-version".into(), RESULT_SCHEMA_VERSION.into());
            }
            (*file, std::mem::take(v))
        })
        .collect()
}

fn schema<T: JsonSchema>() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(T)).unwrap_or_default()
}
