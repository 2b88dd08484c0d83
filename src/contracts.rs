//! The machine contracts: what `cordon check --format jsonl|json`, `cordon
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

/// Every schema, by its file name under `docs/schema/`.
pub fn json_schemas() -> Vec<(&'static str, serde_json::Value)> {
    let mut out = [
        ("record.schema.json", "One line of `cordon check --format jsonl`", schema::<RecordResult>()),
        ("check.schema.json", "The output of `cordon check --format json`", schema::<CheckOutput>()),
        ("summary.schema.json", "The summary of a run", schema::<RunSummary>()),
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
