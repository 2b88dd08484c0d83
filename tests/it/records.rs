//! Reading records: CSV dialects, JSON Lines, column mapping, and every way a
//! row can be unreadable — each either evaluated or reported invalid.

use std::sync::Arc;

use cordon::unstable::config::{self, InputConfig};
use cordon::unstable::findings::{Decision, Outcome, RecordOutcome};
use cordon::unstable::records::InputError;
use cordon::{Engine, InputSource, RunOptions, RunSummary};

use super::harness::{TempPack, root};

const RULES: &str = r#"
regime T
set KP: country = { KP }
rule R-KP { title: "from the DPRK" cite: "test" severity: block when: origin in KP }
"#;

fn run(
    input_name: &str,
    bytes: &[u8],
    config: Option<&str>,
) -> Result<(Vec<RecordOutcome>, RunSummary), Vec<InputError>> {
    let pack = TempPack::new(&[("r.cordon", RULES)]);
    let engine = Engine::load(pack.path()).expect("rules");
    let path = pack.write(input_name, bytes);
    let cfg = match config {
        None => Arc::new(InputConfig::standard()),
        Some(text) => {
            let p = pack.write("config.yaml", text);
            let src = cordon::unstable::config::read_source(&p).expect("config");
            Arc::new(config::load_config(src, &engine.rules().schema).expect("valid config"))
        }
    };
    let opts = RunOptions::new().config(cfg);
    let inputs = engine.open(vec![InputSource::path(&path)], &opts)?;
    let mut out = Vec::new();
    let mut collect = cordon::each_record(|item| {
        out.push(item.outcome().clone());
        Ok(())
    });
    let summary = engine.run_opened(inputs, &opts, None, &mut [&mut collect]).expect("run");
    assert_eq!(summary.read, summary.evaluated + summary.invalid, "counts reconcile");
    assert_eq!(summary.read as usize, out.len(), "every record read is reported");
    Ok((out, summary))
}

fn invalid_reasons(o: &RecordOutcome) -> Vec<String> {
    match o {
        RecordOutcome::Invalid(i) => i.errors.iter().map(|e| e.reason.clone()).collect(),
        RecordOutcome::Evaluated(_) => Vec::new(),
    }
}

const HEADER: &str = "id,date,origin,destination,hs_code";

#[test]
fn csv_with_bom_crlf_and_quotes() {
    let text = format!(
        "\u{feff}{HEADER},description\r\nT1,2018-01-01,KP,CN,2701,\"coal, \"\"lump\"\"\r\nsecond line\"\r\nT2,2018-01-01,CN,JP,2701,plain\r\n"
    );
    let (out, s) = run("t.csv", text.as_bytes(), None).expect("usable");
    assert_eq!((s.read, s.evaluated, s.invalid, s.decisions.block, s.decisions.pass), (2, 2, 0, 1, 1));
    assert_eq!(out[1].line(), 4, "line numbers count physical lines");
}

#[test]
fn mixed_line_endings_and_extra_columns() {
    let text = format!("{HEADER},warehouse\nT1,2018-01-01,KP,CN,2701,A\r\nT2,2018-01-01,CN,JP,2701,B\n");
    let (_, s) = run("t.csv", text.as_bytes(), None).expect("usable");
    assert_eq!((s.read, s.evaluated), (2, 2));
}

#[test]
fn bad_rows_are_invalid_with_reasons() {
    let mut text = format!("{HEADER},quantity\n");
    text.push_str("T1,2017-02-30,KP,CN,2701,1\n"); // impossible date
    text.push_str("T2,2018-01-01,XX,CN,2701,1\n"); // unknown country (required)
    text.push_str("T3,2018-01-01,KP,CN,27A1,1\n"); // HS code with letters
    text.push_str("T4,2018-01-01,KP,CN\n"); // too few fields
    text.push_str("T5,2018-01-01,KP,CN,2701,1,extra\n"); // too many fields
    text.push_str(",2018-01-01,KP,CN,2701,1\n"); // missing id
    text.push_str("T7,2018-01-01,KP,CN,2701,twelve\n"); // bad optional value: evaluated
    let (out, s) = run("t.csv", text.as_bytes(), None).expect("usable");
    assert_eq!((s.read, s.evaluated, s.invalid), (7, 1, 6));
    assert!(invalid_reasons(&out[0])[0].contains("not a calendar date"));
    assert!(invalid_reasons(&out[1])[0].contains("not an ISO 3166-1 country code"));
    assert!(invalid_reasons(&out[2])[0].contains("may only contain digits"));
    assert_eq!(invalid_reasons(&out[3]), ["row has 4 fields, the header has 6"]);
    assert_eq!(invalid_reasons(&out[4]), ["row has 7 fields, the header has 6"]);
    assert_eq!(invalid_reasons(&out[5]), ["required field `id` is empty"]);
    let RecordOutcome::Evaluated(e) = &out[6] else { panic!("T7 is evaluated") };
    assert_eq!(e.data_quality[0].field.as_deref(), Some("quantity"));
}

#[test]
fn non_utf8_and_nul_bytes() {
    let mut bytes = format!("{HEADER},seller\n").into_bytes();
    bytes.extend_from_slice(b"T1,2018-01-01,KP,CN,2701,Caf\xe9 Ltd\n");
    bytes.extend_from_slice(b"T2,2018-01-01,KP,CN,27\x0001,x\n");
    let (out, s) = run("t.csv", &bytes, None).expect("usable");
    assert_eq!((s.read, s.evaluated, s.invalid), (2, 1, 1));
    let RecordOutcome::Evaluated(e) = &out[0] else { panic!() };
    assert_eq!(e.data_quality[0].reason, "the text is not valid UTF-8");
    assert!(invalid_reasons(&out[1])[0].contains("HS code"));
}

#[test]
fn unusable_files_are_errors() {
    let missing_col = run("t.csv", b"id,date,origin,destination\nT1,2018-01-01,KP,CN\n", None).expect_err("no hs_code");
    assert!(matches!(&missing_col[0], InputError::MissingColumn { field, .. } if field == "hs_code"));
    let empty = run("t.csv", b"", None).expect_err("empty");
    assert!(matches!(&empty[0], InputError::Header { .. }));
    let dup = run("t.csv", b"id,id,date,origin,destination,hs_code\n", None).expect_err("duplicate");
    assert!(matches!(&dup[0], InputError::DuplicateColumn { .. }));
    let (_, s) = run("t.csv", format!("{HEADER}\n").as_bytes(), None).expect("header only is fine");
    assert_eq!(s.read, 0);
}

/// Runs one rule over a one-record CSV with only the required columns.
fn run_without_columns(rule: &str, config: Option<&str>) -> (Vec<RecordOutcome>, RunSummary) {
    let pack = TempPack::new(&[("r.cordon", rule)]);
    let engine = Engine::load(pack.path()).expect("rules");
    let p = pack.write("t.csv", format!("{HEADER}\nT1,2018-01-01,KP,CN,2701\n"));
    let cfg = match config {
        None => Arc::new(InputConfig::standard()),
        Some(text) => {
            let c = pack.write("config.yaml", text);
            let src = cordon::unstable::config::read_source(&c).expect("config");
            Arc::new(config::load_config(src, &engine.rules().schema).expect("valid config"))
        }
    };
    let opts = RunOptions::new().config(cfg);
    let inputs = engine.open(vec![InputSource::path(&p)], &opts).expect("open");
    let mut out = Vec::new();
    let mut collect = cordon::each_record(|item| {
        out.push(item.outcome().clone());
        Ok(())
    });
    let s = engine.run_opened(inputs, &opts, None, &mut [&mut collect]).expect("run");
    (out, s)
}

#[test]
fn a_missing_column_whose_field_means_review_leaves_its_rules_undecided() {
    let rule = "regime T\nrule V { title: \"v\" cite: \"c\" severity: block when: vessel_imo == \"9191773\" }\n";
    let (out, s) = run_without_columns(rule, None);
    // Never a pass: the record is reviewed, the finding names the column.
    assert_eq!((s.decisions.pass, s.decisions.review), (0, 1));
    assert!(s.skipped_rules.is_empty());
    let RecordOutcome::Evaluated(e) = &out[0] else { panic!("evaluated") };
    let Outcome::Indeterminate { no_column, .. } = &e.findings[0].outcome else { panic!("indeterminate") };
    assert_eq!(no_column.len(), 1);
    assert!(e.findings[0].message.contains("the file has no column for `vessel_imo`"), "{}", e.findings[0].message);
    assert!(
        s.missing_columns
            .iter()
            .any(|m| m.field == "vessel_imo" && m.on_missing_column == cordon::MissingColumn::Review)
    );
    assert!(s.fails(Decision::Review) && !s.fails(Decision::Block));
}

#[test]
fn a_missing_column_a_config_says_to_skip_is_reported_and_fails_under_review() {
    let rule = "regime T\nrule V { title: \"v\" cite: \"c\" severity: block when: vessel_imo == \"9191773\" }\n";
    let (out, s) = run_without_columns(rule, Some("on_missing_column:\n  vessel_imo: skip\n"));
    assert_eq!((s.decisions.pass, s.decisions.review), (1, 0));
    assert_eq!(s.skipped_rules.len(), 1, "the run says so once");
    assert_eq!((s.skipped_rules[0].rule.as_str(), s.skipped_rules[0].records), ("V", 1));
    assert_eq!(s.skipped_rules[0].fields, ["vessel_imo"]);
    let RecordOutcome::Evaluated(e) = &out[0] else { panic!("evaluated") };
    assert_eq!(e.skipped.len(), 1, "and each record says so");
    // Something not checked is never a clean run under --fail-on review.
    assert!(s.fails(Decision::Review) && !s.fails(Decision::Block));
}

#[test]
fn a_field_the_schema_marks_skip_is_skipped_without_a_config() {
    let rule = "regime T\nrule V { title: \"v\" cite: \"c\" severity: block when: vessel_name == \"X\" }\n";
    let (_, s) = run_without_columns(rule, None);
    assert_eq!((s.decisions.pass, s.decisions.review), (1, 0));
    assert_eq!(s.skipped_rules[0].fields, ["vessel_name"]);
}

#[test]
fn presence_tests_cannot_hide_a_missing_column() {
    // `present(x) and …` used to pass every record of a file without `x`.
    let rule = "regime T\nrule V { title: \"v\" cite: \"c\" severity: block when: present(vessel_imo) and vessel_imo == \"9191773\" }\n";
    let (_, s) = run_without_columns(rule, None);
    assert_eq!((s.decisions.pass, s.decisions.review), (0, 1));
}

#[test]
fn a_group_is_read_from_the_columns_a_file_has() {
    // The file has `seller` but no other party column: decided on it.
    let rule = "regime T\nrule P { title: \"p\" cite: \"c\" severity: block when: any(p in parties: p == \"X\") }\n";
    let pack = TempPack::new(&[("r.cordon", rule)]);
    let engine = Engine::load(pack.path()).expect("rules");
    let p = pack.write(
        "t.csv",
        format!("{HEADER},seller\nT1,2018-01-01,KP,CN,2701,Y\nT2,2018-01-01,KP,CN,2701,X\nT3,2018-01-01,KP,CN,2701,\n"),
    );
    let s = engine.run(vec![InputSource::path(&p)], &RunOptions::new(), &mut []).expect("run");
    // Y passes, X blocks, an empty seller (no party at all) is undecided.
    assert_eq!((s.decisions.pass, s.decisions.block, s.decisions.review), (1, 1, 1));
    // Without any party column the group is undecided for every record.
    let (_, s) = run_without_columns(rule, None);
    assert_eq!((s.decisions.pass, s.decisions.review), (0, 1));
    let (_, s) = run_without_columns(rule, Some("on_missing_column:\n  parties: skip\n"));
    assert_eq!((s.decisions.pass, s.decisions.review), (1, 0));
    assert_eq!(s.skipped_rules[0].fields, ["parties"]);
}

#[test]
fn a_config_cannot_skip_a_required_field_or_name_an_unknown_one() {
    let schema = cordon::unstable::config::standard_schema();
    let src = |t: &str| cordon::unstable::source::SourceFile::new("c.yaml", "c.yaml", t);
    let e = config::load_config(src("on_missing_column:\n  hs_code: skip\n"), &schema).unwrap_err();
    assert!(e.to_string().contains("`hs_code` is required"), "{e}");
    let e = config::load_config(src("on_missing_column:\n  vessel_imoo: skip\n"), &schema).unwrap_err();
    assert!(e.to_string().contains("unknown field `vessel_imoo`"), "{e}");
    let e = config::load_config(src("on_missing_column:\n  vessel_imo: ignore\n"), &schema).unwrap_err();
    assert!(e.to_string().contains("not `review` or `skip`"), "{e}");
}

#[test]
fn json_lines() {
    let text = concat!(
        "{\"id\":\"J1\",\"date\":\"2018-01-01\",\"origin\":\"KP\",\"destination\":\"CN\",\"hs_code\":\"2701\",\"route\":[\"CN\",\"RU\"],\"quantity\":12.50}\n",
        "\n",
        "{\"id\":\"J2\",\"date\":\"2018-01-01\",\"origin\":\"CN\"\n",
        "[1,2,3]\n",
        "{\"id\":\"J4\",\"date\":\"2018-01-01\",\"origin\":\"CN\",\"destination\":\"JP\",\"hs_code\":\"2701\",\"quantity\":true}\n",
        "{\"id\":\"J5\",\"date\":\"2018-01-01\",\"origin\":\"CN\",\"destination\":\"JP\",\"hs_code\":{\"a\":1}}\n",
        "not json at all\n",
    );
    let (out, s) = run("t.jsonl", text.as_bytes(), None).expect("usable");
    assert_eq!((s.read, s.evaluated, s.invalid, s.decisions.block), (6, 2, 4, 1));
    assert_eq!(out[1].line(), 3, "blank lines are skipped but counted as lines");
    assert_eq!(invalid_reasons(&out[1]), ["the JSON object is cut off"]);
    assert_eq!(invalid_reasons(&out[2]), ["a JSON Lines record must be an object `{…}`"]);
    let RecordOutcome::Evaluated(e) = &out[3] else { panic!("J4 is evaluated") };
    assert_eq!(e.data_quality[0].reason, "expected decimal, found true/false");
    assert_eq!(invalid_reasons(&out[4]), ["expected hs, found an object"]);
    assert!(invalid_reasons(&out[5])[0].starts_with("not valid JSON"));
}

#[test]
fn a_config_maps_a_firms_columns_and_formats() {
    let config = "columns:\n  id: TxnRef\n  date: ShipDate\n  origin: Origin\n  destination: Dest\n  hs_code: HS\n  value: Amount\nformats:\n  date: DD/MM/YYYY\n  decimal_separator: \",\"\n  thousands_separator: \".\"\ncsv:\n  delimiter: \";\"\n";
    let text = "TxnRef;ShipDate;Origin;Dest;HS;Amount;Warehouse\nE1;05/08/2017;KP;CN;2701.12;1.234,50;W1\nE2;31/02/2017;CN;JP;2701;1,0;W2\n";
    let (out, s) = run("erp.csv", text.as_bytes(), Some(config)).expect("usable");
    assert_eq!((s.read, s.evaluated, s.invalid, s.decisions.block), (2, 1, 1, 1));
    let RecordOutcome::Evaluated(e) = &out[0] else { panic!() };
    assert_eq!(e.id, "E1");
    assert!(invalid_reasons(&out[1])[0].contains("not a calendar date"));
}

#[test]
fn the_example_config_matches_the_schema() {
    let p = root().join("seeds/config/example-config.yaml");
    let src = cordon::unstable::config::read_source(&p).expect("readable");
    config::load_config(src, &cordon::unstable::config::standard_schema())
        .expect("the shipped example config is valid");
}
