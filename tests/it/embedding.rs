//! Cordon as a library: an engine built from strings alone, records checked
//! one at a time, runs over readers with the caller's own stages, packs
//! that cannot reach outside themselves, limits and cancellation — through
//! the public API only (`cordon::{…}`, nothing under `unstable`).

use std::collections::BTreeMap;
use std::sync::Arc;

use cordon::{
    CancelToken, Decision, Engine, Error, Format, InputSource, Item, LoadOptions, MemSources, RecordResult, RunError,
    RunOptions, RunSummary, Stage, StageError, Value,
};

const RULES: &str = r#"regime UN_DPRK

set DPRK: country = { KP }
set COAL: hs = { 2701, 2702 }
set WATCHED: name from "./data/watched.csv" { column: "name" }

rule KP-COAL {
  title: "Coal from the DPRK"
  cite: "S/RES/2371 (2017), para. 8"
  severity: block
  when: origin in DPRK and hs_code in COAL
  message: "{origin}-origin coal ({hs_code})"
}

rule KP-WATCHED {
  title: "A watched buyer"
  cite: "internal list"
  severity: review
  when: buyer in WATCHED
}
"#;

fn pack() -> MemSources {
    MemSources::new()
        .with("un/dprk.cordon", RULES)
        .with("un/data/watched.csv", "name\nDalian Harbour Trading\n")
        .with("cordon.yaml", "name: embedded\n")
}

fn engine() -> Engine {
    Engine::from_sources(&pack(), &LoadOptions::new()).unwrap_or_else(|d| panic!("the pack loads: {d:?}"))
}

#[test]
fn an_engine_from_strings_alone_checks_json_records() {
    let engine = engine();
    let coal = serde_json::json!({
        "id": "TX-1", "date": "2024-03-01", "origin": "KP", "destination": "CN", "hs_code": "2701.12",
        "buyer": "Dalian Harbour Trading",
    });
    let RecordResult::Evaluated(r) = engine.check_json(&coal) else { panic!("evaluated") };
    assert_eq!(r.decision, Decision::Block);
    let rules: Vec<&str> = r.findings.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(rules, ["KP-COAL", "KP-WATCHED"]);
    let f = &r.findings[0];
    assert_eq!(f.citation, "S/RES/2371 (2017), para. 8");
    assert_eq!(f.message, "KP-origin coal (2701.12)");
    assert_eq!(f.evidence.get("hs_code").map(String::as_str), Some("2701.12"));
    let sets: Vec<&str> = f.matches.iter().map(|m| m.set.as_str()).collect();
    assert_eq!(sets, ["DPRK", "COAL"]);
    // The data file beside the rules is part of the fingerprint.
    assert_eq!(engine.fingerprint().len(), 64);

    let clean = serde_json::json!({
        "id": "TX-2", "date": "2024-03-01", "origin": "CN", "destination": "JP", "hs_code": "2701",
        "buyer": "Tokyo Steel",
    });
    assert_eq!(engine.check_json(&clean).decision(), Some(Decision::Pass));
    // Without a buyer, the watched-buyer rule cannot be decided: review, not pass.
    let unnamed =
        serde_json::json!({"id": "TX-2", "date": "2024-03-01", "origin": "CN", "destination": "JP", "hs_code": "2701"});
    let r = engine.check_json(&unnamed);
    assert_eq!(r.decision(), Some(Decision::Review));
    assert_eq!(r.findings()[0].missing, ["buyer"]);
    // A record the engine cannot read is never passed: it is invalid.
    let undated = serde_json::json!({"id": "TX-3", "origin": "KP", "destination": "CN", "hs_code": "2701"});
    assert!(matches!(engine.check_json(&undated), RecordResult::Invalid(_)));
    // A field map, as a form or a database row gives it.
    let r = engine.check_fields([
        ("id", "TX-4"),
        ("date", "2019-06-30"),
        ("origin", "KP"),
        ("destination", "RU"),
        ("hs_code", "2702"),
    ]);
    assert_eq!(r.decision(), Some(Decision::Block));
}

#[test]
fn one_engine_serves_many_threads_alike() {
    let engine = Arc::new(engine());
    let record =
        serde_json::json!({"id": "T", "date": "2024-01-01", "origin": "KP", "destination": "CN", "hs_code": "2701"});
    let want = serde_json::to_string(&engine.check_json(&record)).expect("json");
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let (engine, record) = (Arc::clone(&engine), record.clone());
            std::thread::spawn(move || serde_json::to_string(&engine.check_json(&record)).expect("json"))
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().expect("thread"), want);
    }
}

#[test]
fn a_pack_cannot_read_outside_itself() {
    let cases = [
        ("import", "regime R\nimport \"../../secret/other.cordon\"\n"),
        ("absolute data", "regime R\nset S: name from \"/etc/passwd\" { column: \"root\" }\n"),
        ("data above the data folder", "regime R\nset S: name from \"lists/../../x.csv\" { column: \"name\" }\n"),
        ("data beside, above the pack", "regime R\nset S: name from \"../../x.csv\" { column: \"name\" }\n"),
    ];
    for (what, rules) in cases {
        let sources = MemSources::new()
            .with("a/r.cordon", rules)
            .with("../secret/other.cordon", "regime R\n")
            .with("../x.csv", "name\nX\n")
            .with("/etc/passwd", "root\nx\n");
        let err = Engine::from_sources(&sources, &LoadOptions::new()).expect_err(what);
        let text = format!("{:?}", err.errors.iter().map(|e| e.to_string()).collect::<Vec<_>>());
        assert!(text.contains("outside the pack"), "{what}: {text}");
    }
    // A folder the manifest names may be read.
    let sources = MemSources::new()
        .with("cordon.yaml", "name: p\nroots: [../common]\ndata: ../seeds\n")
        .with("r.cordon", "regime R\nimport \"../common/common.cordon\"\nset S: name from \"lists/x.csv\" { column: \"name\" }\nrule R-1 { title: \"t\" cite: \"c\" severity: review when: buyer in S or buyer in T }\n")
        .with("../common/common.cordon", "regime R\nset T: name = { \"Y\" }\n")
        .with("../seeds/lists/x.csv", "name\nX\n");
    let engine = Engine::from_sources(&sources, &LoadOptions::new()).unwrap_or_else(|d| panic!("{d:?}"));
    let r = engine.check_fields([
        ("id", "1"),
        ("date", "2024-01-01"),
        ("origin", "CN"),
        ("destination", "JP"),
        ("hs_code", "0101"),
        ("buyer", "Y"),
    ]);
    assert_eq!(r.decision(), Some(Decision::Review));
}

/// A stage the engine knows nothing of: quantity per destination and year,
/// as running totals for a cap would need.
#[derive(Default)]
struct QuantityByDestinationAndYear {
    totals: BTreeMap<(String, i32), cordon::Decimal>,
    records: u64,
}

impl Stage for QuantityByDestinationAndYear {
    fn needs_records(&self) -> bool {
        true
    }

    fn record(&mut self, item: &Item<'_>) -> Result<(), StageError> {
        let (Some(Value::Code(dest)), Some(Value::Dec(qty)), Some(date)) =
            (item.value("destination"), item.value("quantity"), item.date())
        else {
            return Ok(());
        };
        *self.totals.entry((dest.to_string(), date.year())).or_default() += qty;
        self.records += 1;
        Ok(())
    }

    fn finish(&mut self, summary: &mut RunSummary) -> Result<(), StageError> {
        assert_eq!(summary.read, summary.evaluated + summary.invalid, "the counts come first");
        Ok(())
    }
}

const CSV: &str = "id,date,origin,destination,hs_code,quantity,unit\n\
    A,2017-01-05,KP,CN,2701,100.5,t\n\
    B,2017-12-31,KP,CN,2701,200,t\n\
    C,2018-01-01,KP,CN,2701,1,t\n\
    D,2017-06-01,CN,RU,2701,7.25,t\n\
    E,not a date,KP,CN,2701,5,t\n\
    F,2017-06-02,CN,RU,2701,,t\n";

#[test]
fn a_stage_plugged_in_sums_quantities_per_destination_and_year() {
    let engine = engine();
    let mut sums = QuantityByDestinationAndYear::default();
    for threads in [1, 2] {
        sums = QuantityByDestinationAndYear::default();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
        let summary = pool.install(|| {
            let input = InputSource::reader("upload.csv", Format::Csv, std::io::Cursor::new(CSV));
            engine.run(vec![input], &RunOptions::new().batch(2), &mut [&mut sums]).expect("runs")
        });
        assert_eq!((summary.read, summary.invalid), (6, 1));
        assert_eq!(summary.decisions.block, 3);
    }
    let total = |d: &str, y: i32| sums.totals.get(&(d.to_string(), y)).map(|q| q.to_string());
    assert_eq!(total("CN", 2017).as_deref(), Some("300.5"));
    assert_eq!(total("CN", 2018).as_deref(), Some("1"));
    assert_eq!(total("RU", 2017).as_deref(), Some("7.25"));
    assert_eq!(sums.records, 4, "the invalid record and the empty quantity are not summed");
}

#[test]
fn runs_stop_when_cancelled_or_over_their_record_limit() {
    let engine = engine();
    let token = CancelToken::new();
    token.cancel();
    let input = InputSource::reader("x.csv", Format::Csv, std::io::Cursor::new(CSV));
    let err = engine.run(vec![input], &RunOptions::new().cancel(token), &mut []).expect_err("cancelled");
    assert!(matches!(err, Error::Run(RunError::Cancelled)), "{err:?}");
    let input = InputSource::reader("x.csv", Format::Csv, std::io::Cursor::new(CSV));
    let err = engine.run(vec![input], &RunOptions::new().max_records(3), &mut []).expect_err("over the limit");
    assert!(matches!(err, Error::Run(RunError::TooManyRecords { limit: 3 })), "{err:?}");
    // An input without a required column stops the run before any record.
    let input = InputSource::reader("x.csv", Format::Csv, std::io::Cursor::new("id,date\n1,2024-01-01\n"));
    let err = engine.run(vec![input], &RunOptions::new(), &mut []).expect_err("unusable");
    let Error::Inputs(errs) = &err else { panic!("{err:?}") };
    assert!(errs[0].to_string().contains("no column for required field"), "{err}");
    assert!(err.to_json()[0]["code"].as_str().is_some_and(|c| c.contains("missing_column")));
}

#[test]
fn an_input_config_maps_a_firm_s_columns_and_formats() {
    let engine = engine();
    let cfg = engine
        .input_config(
            "bank.yaml",
            "columns:\n  origin: Country of Origin\n  date: Value Date\nformats:\n  date: DD.MM.YYYY\n",
        )
        .expect("a valid config");
    let csv = "id,Value Date,Country of Origin,destination,hs_code,buyer\nT1,02.03.2024,KP,CN,2701,Dalian\n";
    let input = InputSource::reader("bank.csv", Format::Csv, std::io::Cursor::new(csv));
    let summary = engine.run(vec![input], &RunOptions::new().config(cfg), &mut []).expect("runs");
    assert_eq!((summary.read, summary.decisions.block), (1, 1));
    let bad = engine.input_config("bad.yaml", "columns:\n  orign: X\n").expect_err("an unknown field");
    assert!(bad.to_string().contains("`orign`"), "{bad}");
}
