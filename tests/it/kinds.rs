//! Value kinds as an extension point: a pack for another regime, with its
//! own schema (an export-control classification, the `eccn` kind, as the
//! goods; an exporter and an end user as the parties), checks, evaluates,
//! explains, and shows its own fields in the audit report — nothing in the
//! engine names HS codes or the trade schema's fields.

use cordon::unstable::report::{self, ReportOptions};
use cordon::{Decision, Engine, Format, InputSource, LoadOptions, MemSources, RecordResult, RunOptions};

const SCHEMA: &str = r#"
name: ear-export
key: ref
date: shipped
fields:
  - { name: ref, type: string, required: true }
  - { name: shipped, type: date, required: true }
  - { name: eccn, type: eccn, required: true, role: goods }
  - { name: to, type: country, required: true, role: destination }
  - { name: exporter, type: string, role: seller }
  - { name: end_user, type: string, role: buyer }
"#;

const RULES: &str = r#"regime US_EAR
set NS1: eccn = { 3A001, 5A002.a, 9A610 }
set RUSSIA: country = { RU, BY }

rule EAR-NS1-RU {
  title: "NS1-controlled item to Russia or Belarus without a licence"
  cite: "15 CFR 746.8(a)(1)"
  severity: block
  when: eccn in NS1 and to in RUSSIA
  message: "{eccn} to {to}"
}
"#;

fn engine() -> Engine {
    let pack = MemSources::new()
        .with("cordon.yaml", "name: ear\nschema: ear.yaml\n")
        .with("ear.yaml", SCHEMA)
        .with("ear.cordon", RULES);
    Engine::from_sources(&pack, &LoadOptions::new()).unwrap_or_else(|d| panic!("{d:?}"))
}

#[test]
fn an_eccn_set_matches_by_paragraph() {
    let engine = engine();
    let check = |eccn: &str, to: &str| {
        engine.check_json(&serde_json::json!({"ref": "X", "shipped": "2024-05-01", "eccn": eccn, "to": to}))
    };
    assert_eq!(check("3A001.a.1", "RU").decision(), Some(Decision::Block));
    assert_eq!(check("5a002 .A.4", "BY").decision(), Some(Decision::Block), "case and spaces do not matter");
    assert_eq!(check("5A002.b", "RU").decision(), Some(Decision::Pass), "5A002.a does not cover 5A002.b");
    assert_eq!(check("3A001.a.1", "DE").decision(), Some(Decision::Pass));
    assert_eq!(check("EAR99", "RU").decision(), Some(Decision::Pass));
    let RecordResult::Invalid(bad) = check("3F001", "RU") else { panic!("an unreadable ECCN is invalid") };
    assert!(bad.errors[0].reason.contains("is not an ECCN"), "{:?}", bad.errors);
    let r = check("9A610.x", "RU");
    assert_eq!(r.findings()[0].matches[0].entry, "9A610");
    assert_eq!(r.findings()[0].message, "9A610.x to RU");
}

#[test]
fn a_bad_eccn_in_a_rule_is_a_diagnostic_with_the_kind_s_code() {
    let pack = MemSources::new().with("cordon.yaml", "name: ear\nschema: ear.yaml\n").with("ear.yaml", SCHEMA).with(
        "ear.cordon",
        "regime US_EAR\nrule R { title: \"t\" cite: \"c\" severity: block when: eccn in { 3A0O1 } }\n",
    );
    let err = Engine::from_sources(&pack, &LoadOptions::new()).expect_err("a bad code");
    let json = cordon::Error::Rules(err).to_json();
    assert_eq!(json[0]["code"], "cordon::check::invalid_eccn");
    assert_eq!(json[0]["label"], "in a set of ECCNs");
}

#[test]
fn the_report_shows_the_regime_s_own_fields_by_their_roles() {
    let engine = engine();
    let csv = "ref,shipped,eccn,to,exporter,end_user\nE1,2024-05-01,3A001.b.2,RU,Acme Chips Inc,OOO Vostok\nE2,2024-05-02,EAR99,RU,Acme Chips Inc,OOO Vostok\n";
    let inputs = engine
        .open(vec![InputSource::reader("ear.csv", Format::Csv, std::io::Cursor::new(csv))], &RunOptions::new())
        .expect("opens");
    let opts = ReportOptions {
        title: report::DEFAULT_TITLE.into(),
        organisation: None,
        period: None,
        generated_at: "2026-12-05T00:00:00Z".into(),
        generated_declared: true,
        command: "test".into(),
        config: None,
        standings: None,
        expect: Default::default(),
        build: None,
        dispositions: None,
        rule_tests: None,
    };
    let (r, summary) = report::build(&engine, inputs, &["ear.csv".to_string()], &opts).expect("runs");
    assert_eq!((summary.read, summary.decisions.block), (2, 1));
    let flagged = &r.findings[0];
    assert_eq!(flagged.hs_code.as_deref(), Some("3A001.b.2"), "the goods column is the ECCN");
    assert_eq!(flagged.seller.as_deref(), Some("Acme Chips Inc"));
    assert_eq!(flagged.buyer.as_deref(), Some("OOO Vostok"));
    assert_eq!(flagged.destination.as_deref(), Some("RU"));
}
