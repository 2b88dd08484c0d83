//! The JSON output contracts: the schemas under `docs/schema/` are what the
//! result types generate (set `CORDON_UPDATE_SCHEMA=1` to rewrite them), and
//! what the CLI prints on the seeds validates against them and reads back
//! into the types, unchanged.

use cordon::{CheckOutput, RecordResult};
use serde::Serialize;

use super::harness::{cordon, root, stderr, stdout};

/// Serialises as the CLI does (compact, the types' own field order).
fn compact<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("serialises")
}

fn schema(file: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("docs/schema").join(file)).expect("schema file");
    let v: serde_json::Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::validator_for(&v).expect("a valid JSON Schema")
}

fn valid(validator: &jsonschema::Validator, doc: &serde_json::Value, what: &str) {
    let errors: Vec<String> = validator.iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{what} does not match its schema:\n{}", errors.join("\n"));
}

#[test]
fn committed_schemas_are_what_the_types_generate() {
    let update = std::env::var_os("CORDON_UPDATE_SCHEMA").is_some();
    let dir = root().join("docs/schema");
    for (file, generated) in cordon::json_schemas() {
        let text = serde_json::to_string_pretty(&generated).expect("json") + "\n";
        let path = dir.join(file);
        if update {
            std::fs::create_dir_all(&dir).expect("mkdir");
            std::fs::write(&path, &text).expect("write");
            continue;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == text,
            "docs/schema/{file} is not what the types generate; run `CORDON_UPDATE_SCHEMA=1 cargo test --test it schema` and review the diff"
        );
    }
}

#[test]
fn json_lines_validate_and_read_back_unchanged() {
    let record = schema("record.schema.json");
    let mut lines = 0;
    for (file, config) in [
        ("seeds/transactions/trade-2016-2019.csv", None),
        ("seeds/transactions/sample.jsonl", None),
        ("seeds/transactions/erp-export.csv", Some("seeds/config/example-config.yaml")),
        ("tests/data/fail-open/no-party-columns.csv", None),
    ] {
        let mut args = vec!["check", "--rules", "rules", "--format", "jsonl", "--explain"];
        if let Some(c) = config {
            args.extend(["--config", c]);
        }
        args.push(file);
        let o = cordon(&args);
        assert!(o.status.code().is_some_and(|c| c <= 1), "{}", stderr(&o));
        for line in stdout(&o).lines() {
            let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            valid(&record, &v, line);
            let r: RecordResult = serde_json::from_str(line).expect("reads as a RecordResult");
            assert_eq!(compact(&r), line, "a result reads back and writes out unchanged");
            lines += 1;
        }
    }
    assert!(lines > 2800, "{lines} lines checked");
}

#[test]
fn the_json_document_and_its_summary_validate_and_read_back_unchanged() {
    let check = schema("check.schema.json");
    let o = cordon(&["check", "--rules", "rules", "--format", "json", "seeds/transactions/trade-2016-2019.csv"]);
    let text = stdout(&o);
    let v: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    valid(&check, &v, "check --format json");
    let doc: CheckOutput = serde_json::from_str(&text).expect("reads as CheckOutput");
    assert_eq!(doc.summary.read, doc.summary.evaluated + doc.summary.invalid);
    assert_eq!(doc.records.len() as u64, doc.summary.read);
    // The CLI writes the summary, then one record per line.
    let mut again = format!("{{\"summary\":{},\"records\":[\n", compact(&doc.summary));
    again.push_str(&doc.records.iter().map(compact).collect::<Vec<_>>().join(",\n"));
    again.push_str("\n]}\n");
    assert_eq!(again, text);
    valid(&schema("summary.schema.json"), &v["summary"], "the summary");
}

/// `--format summary` is the JSON document's summary, word for word, plus
/// `rule_hits`: records with a finding of each rule, as counted from the
/// records themselves.
#[test]
fn the_summary_format_is_the_json_summary_with_records_per_rule() {
    let file = "seeds/transactions/trade-2016-2019.csv";
    let o = cordon(&["check", "--rules", "rules", "--format", "summary", file]);
    let text = stdout(&o);
    assert_eq!(text.lines().count(), 1, "one line");
    let v: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    valid(&schema("check-summary.schema.json"), &v, "check --format summary");
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&cordon(&["check", "--rules", "rules", "--format", "json", file]))).expect("json");
    let mut without = v.clone();
    let hits = without.as_object_mut().expect("object").remove("rule_hits").expect("rule_hits");
    assert_eq!(without, json["summary"]);
    let mut counted: std::collections::BTreeMap<String, u64> = Default::default();
    for r in json["records"].as_array().expect("records") {
        for f in r["findings"].as_array().into_iter().flatten() {
            *counted.entry(f["rule"].as_str().expect("rule").to_string()).or_default() += 1;
        }
    }
    let hits = hits.as_object().expect("map");
    let rules = cordon::Engine::load(&root().join("rules")).expect("rules");
    assert_eq!(hits.len(), rules.rules().rules.len(), "every rule is named");
    for (rule, n) in hits {
        assert_eq!(n.as_u64(), Some(counted.get(rule).copied().unwrap_or(0)), "{rule}");
    }
    assert!(counted.values().sum::<u64>() > 100);
}

#[test]
fn the_report_and_an_explanation_validate() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("r.json");
    let o = cordon(&[
        "report",
        "--rules",
        "rules",
        "--generated-at",
        "2026-12-05T00:00:00Z",
        "-o",
        out.to_str().expect("utf-8"),
        "seeds/transactions/trade-2016-2019.csv",
    ]);
    assert!(o.status.code().is_some_and(|c| c <= 1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).expect("report")).expect("JSON");
    valid(&schema("report.schema.json"), &v, "report --format json");
    let o = cordon(&[
        "explain",
        "--rules",
        "rules",
        "--input",
        "seeds/transactions/trade-2016-2019.csv",
        "--id",
        "TX-2017-000447",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    valid(&schema("explanation.schema.json"), &v, "explain --format json");
}
