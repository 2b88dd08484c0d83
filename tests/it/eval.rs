//! Evaluator semantics, as data: each folder of `tests/data/eval/` is a small
//! rule pack whose `*.tests.yaml` files state the expected findings
//! (boundary dates, HS prefixes, fail-closed, lists, decimals, text, data
//! files, exemptions).

use cordon::Engine;
use cordon::findings::{Outcome, RecordOutcome};
use cordon::testing;

use super::harness::root;

fn run_topic(topic: &str) {
    let dir = root().join("tests/data/eval").join(topic);
    let engine = Engine::load(&dir).unwrap_or_else(|d| panic!("{topic}: rules do not check: {d:?}"));
    let results = testing::run_all(&engine, &dir).unwrap_or_else(|e| panic!("{topic}: {e}"));
    assert!(results.len() >= 4, "{topic}: too few cases");
    let failed: Vec<String> = results
        .iter()
        .filter(|r| !r.passed())
        .map(|r| format!("{}: {}\n    actual: {:?} → {}", r.case.name, r.failures.join("; "), r.actual, r.decision))
        .collect();
    assert!(failed.is_empty(), "{topic}:\n{}", failed.join("\n"));
}

#[test]
fn dates() {
    run_topic("dates");
}

#[test]
fn hs_codes() {
    run_topic("hs");
}

#[test]
fn fail_closed() {
    run_topic("fail_closed");
}

#[test]
fn lists() {
    run_topic("lists");
}

#[test]
fn decimals() {
    run_topic("decimals");
}

#[test]
fn strings() {
    run_topic("strings");
}

#[test]
fn data_sets() {
    run_topic("data_sets");
}

#[test]
fn exemptions() {
    run_topic("exemptions");
}

/// An undecided rule says which field it lacked, and the finding is marked
/// indeterminate; a broader HS match is marked as such in the evidence.
#[test]
fn indeterminate_findings_name_the_missing_field() {
    let dir = root().join("tests/data/eval/fail_closed");
    let engine = Engine::load(&dir).expect("rules");
    let layout = cordon::records::Layout::for_json(
        0,
        "t",
        std::sync::Arc::clone(&engine.rules().schema),
        std::sync::Arc::new(cordon::config::InputConfig::standard()),
    );
    let text = br#"{"id":"1","date":"2020-01-01","origin":"CN","destination":"KP","hs_code":"2710.19"}"#.to_vec();
    let rec = layout.parse(cordon::records::Raw::Json { line: 1, text }).expect("valid");
    let e = engine.evaluate(&rec);
    let f = &e.findings[0];
    assert_eq!(engine.rules().rules[f.rule].id, "F-DESC");
    let desc = engine.rules().schema.field("description").expect("field");
    assert_eq!(f.outcome, Outcome::Indeterminate { missing: vec![desc], unreadable: vec![], error: None });
    assert!(f.message.ends_with("— not decided: `description` is missing"), "{}", f.message);

    let hs_dir = root().join("tests/data/eval/hs");
    let engine = Engine::load(&hs_dir).expect("rules");
    let text = br#"{"id":"2","date":"2020-01-01","origin":"CN","destination":"JP","hs_code":"2710"}"#.to_vec();
    let rec = layout.parse(cordon::records::Raw::Json { line: 1, text }).expect("valid");
    let e = engine.evaluate(&rec);
    assert!(e.findings[0].matches.iter().any(|m| m.broader), "heading-level match is marked");
    let _ = RecordOutcome::Evaluated(e);
}

/// The compiled evaluator and the plain reference evaluator (the one that
/// explains) reach the same findings on every record of the seed files.
#[test]
fn compiled_and_reference_evaluators_agree_on_the_seeds() {
    use cordon::records::InputSpec;
    let engine = Engine::load(&root().join("rules")).expect("rules");
    let cfg = std::sync::Arc::new(cordon::config::InputConfig::standard());
    let mut compared = 0;
    for file in ["seeds/transactions/trade-2016-2019.csv", "seeds/transactions/sample.jsonl"] {
        let mut inputs = engine.open_inputs(&[InputSpec::new(root().join(file))], &cfg).expect("open");
        let mut input = inputs.remove(0);
        let layout = input.layout_arc();
        loop {
            let batch = input.next_batch(1024).expect("read");
            if batch.is_empty() {
                break;
            }
            for raw in batch {
                let Ok(rec) = layout.parse(raw) else { continue };
                let compiled = engine.evaluate(&rec);
                let (explanation, reference) = cordon::explain::explain(engine.rules(), &rec);
                let a: Vec<_> = compiled.findings.iter().map(|f| (f.rule, f.severity, f.outcome.clone())).collect();
                let b: Vec<_> = reference.iter().map(|f| (f.rule, f.severity, f.outcome.clone())).collect();
                assert_eq!(a, b, "record {} line {}", compiled.id, compiled.line);
                assert_eq!(explanation.decision, compiled.decision.name());
                compared += 1;
            }
        }
    }
    assert!(compared > 2700);
}
