//! The `cordon` binary as users run it: exit codes, the stable output
//! contracts (jsonl, json, csv), the stderr summary, and bad input that must
//! never make it panic.

use serde_json::Value;

use super::harness::{TempPack, cordon, stderr, stdout};

const RULES: &str = r#"
regime T { title: "Test regime" }
set KP: country = { KP }
rule R-BLOCK { title: "from the DPRK" cite: "Test, para. 1" severity: block when: origin in KP
  message: "{hs_code} from the DPRK" }
rule R-REVIEW { title: "to the DPRK" cite: "Test, para. 2" severity: review when: destination in KP }
"#;

const TX: &str = "id,date,origin,destination,hs_code\n\
T1,2018-01-01,KP,CN,2701\n\
T2,2018-01-01,CN,KP,0101\n\
T3,2018-01-01,CN,JP,0101\n\
T4,2018-02-30,CN,JP,0101\n";

fn pack() -> TempPack {
    let p = TempPack::new(&[("rules/r.cordon", RULES)]);
    p.write("tx.csv", TX);
    p
}

fn args<'a>(p: &'a TempPack, rest: &[&'a str]) -> Vec<String> {
    let mut v = vec!["check".to_string(), "--rules".into(), p.path().join("rules").display().to_string()];
    v.extend(rest.iter().map(|s| s.to_string()));
    v
}

fn run(p: &TempPack, rest: &[&str]) -> std::process::Output {
    let a = args(p, rest);
    let refs: Vec<&str> = a.iter().map(String::as_str).collect();
    cordon(&refs)
}

#[test]
fn jsonl_contract_and_exit_codes() {
    let p = pack();
    let tx = p.path().join("tx.csv").display().to_string();
    let o = run(&p, &["--format", "jsonl", &tx]);
    assert_eq!(o.status.code(), Some(1), "a blocked record: exit 1");
    let lines: Vec<Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).expect("json line")).collect();
    assert_eq!(lines.len(), 4, "one object per record, in input order");
    assert_eq!(lines[0]["id"], "T1");
    assert_eq!(lines[0]["file"], tx.as_str());
    assert_eq!(lines[0]["line"], 2);
    assert_eq!(lines[0]["decision"], "block");
    let f = &lines[0]["findings"][0];
    assert_eq!(f["rule"], "R-BLOCK");
    assert_eq!(f["severity"], "block");
    assert_eq!(f["citation"], "Test, para. 1");
    assert_eq!(f["message"], "2701 from the DPRK");
    assert_eq!(f["evidence"]["origin"], "KP");
    assert_eq!(lines[1]["decision"], "review");
    assert_eq!(lines[2]["decision"], "pass");
    assert_eq!(lines[2]["findings"], Value::Array(vec![]));
    assert_eq!(lines[3]["decision"], "invalid");
    assert_eq!(lines[3]["errors"][0]["field"], "date");
    let err = stderr(&o);
    let mut err_lines = err.lines();
    assert_eq!(err_lines.next(), Some("cordon: 4 read, 3 evaluated, 1 invalid; 1 block, 1 review, 1 pass"));
    // What the file could not show (no vessel or party columns) follows, as notes.
    assert!(err_lines.all(|l| l.starts_with("cordon: note: ")), "{err}");
    assert!(err.contains("`vessel_imo`") && err.contains("undecided (review)"), "{err}");

    // --fail-on review: review and invalid records fail too; without the block record…
    let only_review = p.write("r.csv", "id,date,origin,destination,hs_code\nT2,2018-01-01,CN,KP,0101\n");
    let r = only_review.display().to_string();
    assert_eq!(run(&p, &["--format", "jsonl", &r]).status.code(), Some(0), "default --fail-on block");
    assert_eq!(run(&p, &["--format", "jsonl", "--fail-on", "review", &r]).status.code(), Some(1));
    let inv = p.write("i.csv", "id,date,origin,destination,hs_code\nT4,2018-02-30,CN,JP,0101\n").display().to_string();
    assert_eq!(
        run(&p, &["--format", "jsonl", "--fail-on", "review", &inv]).status.code(),
        Some(1),
        "invalid ranks with review"
    );
    // Its only record invalid: not a clean run, whatever --fail-on says (--max-invalid).
    assert_eq!(run(&p, &["--format", "jsonl", &inv]).status.code(), Some(1));
    let two =
        p.write("j.csv", "id,date,origin,destination,hs_code\nT4,2018-02-30,CN,JP,0101\nT5,2018-02-01,CN,JP,0101\n");
    assert_eq!(run(&p, &["--format", "jsonl", &two.display().to_string()]).status.code(), Some(0), "half invalid");
}

#[test]
fn json_contract_reconciles() {
    let p = pack();
    let tx = p.path().join("tx.csv").display().to_string();
    let o = run(&p, &["--format", "json", &tx]);
    let doc: Value = serde_json::from_slice(&o.stdout).expect("one JSON document");
    let s = &doc["summary"];
    assert_eq!((s["read"].as_u64(), s["evaluated"].as_u64(), s["invalid"].as_u64()), (Some(4), Some(3), Some(1)));
    assert_eq!(s["decisions"], serde_json::json!({"block": 1, "review": 1, "pass": 1}));
    assert_eq!(s["rules"].as_str().map(str::len), Some(64), "sha256 of the rule set");
    assert_eq!(s["inputs"][0]["file"], tx.as_str());
    assert_eq!(s["inputs"][0]["sha256"].as_str().map(str::len), Some(64));
    let records = doc["records"].as_array().expect("records");
    assert_eq!(records.len(), 4);
    // The jsonl objects are the json records, each naming the rule set it
    // was decided under (the json document says it once, in its summary).
    let jsonl = run(&p, &["--format", "jsonl", &tx]);
    let lines: Vec<Value> = stdout(&jsonl).lines().map(|l| serde_json::from_str(l).expect("json")).collect();
    let stamped: Vec<Value> = records
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r["rules"] = s["rules"].clone();
            r
        })
        .collect();
    assert_eq!(stamped, lines);
}

#[test]
fn input_fingerprint_is_the_files_sha256() {
    use sha2::Digest;
    let p = pack();
    let tx = p.path().join("tx.csv");
    let o = run(&p, &["--format", "json", &tx.display().to_string()]);
    let doc: Value = serde_json::from_slice(&o.stdout).expect("json");
    let want = cordon::unstable::source::hex(&sha2::Sha256::digest(std::fs::read(&tx).expect("read")));
    assert_eq!(doc["summary"]["inputs"][0]["sha256"], want.as_str());
}

#[test]
fn csv_and_table_formats() {
    let p = pack();
    let tx = p.path().join("tx.csv").display().to_string();
    let o = run(&p, &["--format", "csv", &tx]);
    let text = stdout(&o);
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.expect("row")).collect();
    assert_eq!(rows.len(), 4, "one row per finding, per clean record, per invalid reason");
    assert_eq!(&rows[0][4], "R-BLOCK");
    assert_eq!(&rows[3][3], "invalid");
    let o = run(&p, &["--format", "table", &tx]);
    let t = stdout(&o);
    assert!(t.contains("R-BLOCK") && t.contains("4 records read: 3 evaluated, 1 invalid"), "{t}");
    assert!(!t.contains("T3"), "passed records are counted, not listed");
}

#[test]
fn results_do_not_depend_on_thread_count() {
    let p = pack();
    let mut big = String::from("id,date,origin,destination,hs_code\n");
    for i in 0..20_000 {
        let (o, d) = match i % 7 {
            0 => ("KP", "CN"),
            1 => ("CN", "KP"),
            _ => ("CN", "JP"),
        };
        big.push_str(&format!("T{i},2018-01-01,{o},{d},2701\n"));
    }
    let f = p.write("big.csv", big).display().to_string();
    let one = run(&p, &["--format", "jsonl", "--threads", "1", &f]);
    let two = run(&p, &["--format", "jsonl", "--threads", "2", &f]);
    assert_eq!(one.stdout, two.stdout);
    assert_eq!(stdout(&one).lines().count(), 20_000);
}

#[test]
fn validate_reports_every_mistake_and_exits_2() {
    let o = cordon(&["validate", "--rules", "tests/data/check/five-mistakes.cordon"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    for code in ["invalid_country", "until_not_after_effective", "invalid_severity", "unknown_field", "type_mismatch"] {
        assert!(e.contains(&format!("cordon::check::{code}")), "{code} missing from:\n{e}");
    }
    assert!(e.contains("five-mistakes.cordon:4:27"), "file:line:col of the first error:\n{e}");
    assert!(e.trim_end().ends_with("cordon: 5 errors in the rules"));
    let ok = cordon(&["validate", "--rules", "rules"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
}

#[test]
fn unusable_inputs_exit_2_without_panicking() {
    let p = pack();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty.csv", Vec::new()),
        ("wrong-columns.csv", b"a,b,c\n1,2,3\n".to_vec()),
        ("binary.csv", (0..=255u8).cycle().take(4096).collect()),
    ];
    for (name, bytes) in cases {
        let f = p.write(name, bytes).display().to_string();
        let o = run(&p, &["--format", "jsonl", &f]);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{name}");
        assert!(stdout(&o).is_empty(), "{name}: no partial output");
    }
    let missing = run(&p, &["--format", "jsonl", "/nonexistent/tx.csv"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("cannot read `/nonexistent/tx.csv`"));
    let no_rules = cordon(&["check", "--rules", "/nonexistent", "x.csv"]);
    assert_eq!(no_rules.status.code(), Some(2));
}

#[test]
fn garbage_rows_never_panic() {
    let p = pack();
    let mut bytes = b"id,date,origin,destination,hs_code\n".to_vec();
    bytes.extend_from_slice(b"\"unterminated,2018-01-01,KP,CN,2701\n");
    bytes.extend((0..2000u32).map(|i| (i * 7919 % 251) as u8));
    let f = p.write("garbage.csv", bytes).display().to_string();
    let o = run(&p, &["--format", "json", &f]);
    assert!(matches!(o.status.code(), Some(0..=2)));
    assert!(!stderr(&o).contains("panicked"));
    if o.status.code() != Some(2) {
        let doc: Value = serde_json::from_slice(&o.stdout).expect("json");
        let s = &doc["summary"];
        assert_eq!(s["read"].as_u64(), Some(s["evaluated"].as_u64().unwrap_or(0) + s["invalid"].as_u64().unwrap_or(0)));
    }
}

#[test]
fn rule_set_fingerprint_does_not_depend_on_how_the_path_is_written() {
    let abs = super::harness::root().join("rules").display().to_string();
    let fp = |rules: &str| {
        let o = cordon(&["validate", "--rules", rules]);
        stderr(&o).split("sha256 ").nth(1).map(|s| s.trim().trim_end_matches(')').to_string())
    };
    let a = fp("rules");
    assert!(a.as_deref().is_some_and(|s| s.len() == 64), "{a:?}");
    assert_eq!(a, fp("./rules"));
    assert_eq!(a, fp(&abs));
}

/// The README's main command on the shipped seeds gives the documented counts.
#[test]
fn seeds_give_the_documented_counts() {
    let o = cordon(&["check", "--rules", "rules", "--format", "jsonl", "seeds/transactions/trade-2016-2019.csv"]);
    assert_eq!(o.status.code(), Some(1), "the seeds contain blocked records");
    let err = stderr(&o);
    assert_eq!(
        err.lines().next(),
        Some("cordon: 2759 read, 2754 evaluated, 5 invalid; 75 block, 76 review, 2603 pass")
    );
    // The seed file has seller and buyer but no other party roles: screened on what it has, and said so.
    assert!(err.contains("has no column for `consignee`, `notify_party`"), "{err}");
    assert!(err.contains("of the `parties` group: rules that read the group use its other columns"), "{err}");
    assert!(!err.contains("not decided for"), "no rule is skipped on the seeds: {err}");
    // Every rule of the pack fires on the seed file.
    let mut fired = std::collections::BTreeSet::new();
    for line in stdout(&o).lines() {
        let v: Value = serde_json::from_str(line).expect("json");
        for f in v["findings"].as_array().into_iter().flatten() {
            fired.insert(f["rule"].as_str().unwrap_or("").to_string());
        }
    }
    let engine = cordon::Engine::load(&super::harness::root().join("rules")).expect("rules");
    // Rules over many records fire when a period's total passes a whole
    // cap, which the seed file's shipments only do for some periods; their
    // rule tests (each record totalled alone) make every one of them fire.
    let missing: Vec<&str> = engine
        .rules()
        .rules
        .iter()
        .filter(|r| r.aggregate.is_none() || r.id == "KP-RPP-2397.FIRM-TOTAL")
        .map(|r| r.id.as_str())
        .filter(|id| !fired.contains(*id))
        .collect();
    assert!(missing.is_empty(), "rules the seed file never fires: {missing:?}");

    let o = cordon(&["check", "--rules", "rules", "--format", "jsonl", "seeds/transactions/sample.jsonl"]);
    let first = |o: &std::process::Output| stderr(o).lines().next().unwrap_or("").to_string();
    assert_eq!(first(&o), "cordon: 60 read, 59 evaluated, 1 invalid; 11 block, 11 review, 37 pass");
    let o = cordon(&[
        "check",
        "--rules",
        "rules",
        "--config",
        "seeds/config/example-config.yaml",
        "--format",
        "jsonl",
        "seeds/transactions/erp-export.csv",
    ]);
    assert_eq!(first(&o), "cordon: 40 read, 39 evaluated, 1 invalid; 3 block, 2 review, 34 pass");
}

/// The JSON Lines of the JSON sample, as a reviewed snapshot of the contract.
#[test]
fn sample_jsonl_output_snapshot() {
    let o = cordon(&["check", "--rules", "rules", "--format", "jsonl", "seeds/transactions/sample.jsonl"]);
    let lines: Vec<Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).expect("json")).collect();
    let flagged: Vec<&Value> = lines.iter().filter(|l| l["decision"] != "pass").collect();
    // serde_json renders its own exact numbers; insta's serializer would not.
    insta::assert_snapshot!(serde_json::to_string_pretty(&flagged).expect("json"));
}

#[test]
fn error_formats_for_editors_and_ci() {
    let plain = cordon(&["validate", "--rules", "tests/data/check/five-mistakes.cordon", "--error-format", "plain"]);
    assert_eq!(plain.status.code(), Some(2));
    let first = stderr(&plain).lines().next().unwrap_or("").to_string();
    assert_eq!(
        first,
        "tests/data/check/five-mistakes.cordon:4:27: error[cordon::check::invalid_country]: `UK` is not an ISO 3166-1 country code"
    );
    let json = cordon(&["validate", "--rules", "tests/data/check/five-mistakes.cordon", "--error-format", "json"]);
    let lines: Vec<Value> = stderr(&json).lines().map(|l| serde_json::from_str(l).expect("json line")).collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[3]["code"], "cordon::check::unknown_field");
    assert_eq!(
        (lines[3]["line"].as_u64(), lines[3]["column"].as_u64(), lines[3]["end_column"].as_u64()),
        (Some(12), Some(28), Some(34))
    );
    assert_eq!(lines[3]["help"], "did you mean `hs_code`?");
}

#[test]
fn warnings_are_errors_only_when_denied() {
    let pack = TempPack::new(&[(
        "r.cordon",
        "regime R\nset UNUSED: country = { CN }\nrule A { title: \"a\" severity: block when: origin == \"KP\" }\n",
    )]);
    let dir = pack.path().display().to_string();
    let o = cordon(&["validate", "--rules", &dir]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("cordon::lint::missing_citation") && stderr(&o).contains("cordon::lint::unused_set"));
    assert!(stderr(&o).contains("no errors, 2 warnings"));
    let denied = cordon(&["validate", "--rules", &dir, "--deny-warnings"]);
    assert_eq!(denied.status.code(), Some(2));
    assert!(stderr(&denied).contains("2 warnings in the rules, denied by --deny-warnings"));
}

#[test]
fn explain_a_record_in_plain_words() {
    let o = cordon(&[
        "explain",
        "--rules",
        "rules",
        "--input",
        "seeds/transactions/trade-2016-2019.csv",
        "--id",
        "TX-2017-000447",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.starts_with("Record TX-2017-000447 dated 2017-08-22: REVIEW"), "{text}");
    assert!(text.contains("KP-COAL-IRON-2371 — Coal, iron and iron ore from the DPRK"));
    assert!(text.contains("✓ hs_code in IRON_ORE — 2601.11 matches `2601` in IRON_ORE"));
    assert!(text.contains("unless PRE_ADOPTION_IRON_CONTRACT (then review) ✓"), "{text}");
    assert!(text.contains("→ review: the condition holds; an exemption lowers the finding"));
    assert!(text.contains("Not in force on 2017-08-22: "));

    let record = r#"{"id":"X1","date":"2018-03-29","origin":"CN","destination":"HK","hs_code":"8471.30","seller":"Kingly Won International Co., Ltd","description":"laptops"}"#;
    let o = cordon(&["explain", "--rules", "rules", "--record", record, "--format", "json"]);
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    // Listed the day after the transaction: not a breach then, a review now.
    assert_eq!(v["decision"], "review");
    let party = v["rules"].as_array().expect("rules").iter().find(|r| r["rule"] == "KP-DESIG-PARTY").expect("in force");
    // The `parties` group: one part per party screened, the seller first.
    let because = party["when"]["parts"][0]["because"].as_str().unwrap_or("");
    assert!(
        because.contains("matches UN_SC KPe.060 \"KINGLY WON INTERNATIONAL CO., LTD\" with score 1.000"),
        "{because}"
    );
    assert!(because.contains("listed 2018-03-30, after the transaction"), "{because}");
    assert!(party["outcome"].as_str().unwrap_or("").contains("only through a list entry listed after the transaction"));

    let missing =
        cordon(&["explain", "--rules", "rules", "--input", "seeds/transactions/trade-2016-2019.csv", "--id", "NOPE"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("no record with id `NOPE`"));
    let bad = cordon(&["explain", "--rules", "rules", "--record", "{\"id\":\"X\"}"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("required field `date` is empty"));
}

#[test]
fn check_can_explain_each_finding() {
    let o = cordon(&["check", "--rules", "rules", "--format", "jsonl", "--explain", "seeds/transactions/sample.jsonl"]);
    let lines: Vec<Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).expect("json")).collect();
    let flagged: Vec<&Value> =
        lines.iter().filter(|l| l["findings"].as_array().is_some_and(|f| !f.is_empty())).collect();
    assert!(!flagged.is_empty());
    for l in flagged {
        for f in l["findings"].as_array().expect("findings") {
            assert_eq!(f["explanation"]["rule"], f["rule"], "each finding explains its own rule");
            assert!(f["explanation"]["when"]["result"] == "true" || f["explanation"]["when"]["result"] == "undecided");
        }
    }
    let plain = cordon(&["check", "--rules", "rules", "--format", "jsonl", "seeds/transactions/sample.jsonl"]);
    assert!(!stdout(&plain).contains("\"explanation\""), "only on request");
}

#[test]
fn cordon_test_reports_failures_and_coverage() {
    let pack = TempPack::new(&[
        (
            "r.cordon",
            "regime R\nset KP: country = { KP }\nrule A { title: \"a\" cite: \"c\" severity: block when: origin in KP }\nrule B { title: \"b\" cite: \"c\" severity: review when: destination in KP }\n",
        ),
        (
            "r.tests.yaml",
            "defaults: { date: 2020-01-01, hs_code: \"0101\" }\ntests:\n  - name: from KP\n    record: { origin: KP, destination: CN }\n    hits: [A]\n  - name: wrong on purpose\n    record: { origin: CN, destination: KP }\n    hits: [A]\n    decision: block\n",
        ),
    ]);
    let o = cordon(&["test", "--rules", &pack.path().display().to_string()]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("FAILED") && out.contains("wrong on purpose"), "{out}");
    assert!(out.contains("expected to fire but did not: A"));
    assert!(out.contains("fired but not expected: B"));
    assert!(out.contains("expected: A → block"));
    assert!(out.contains("B [review]"), "actual findings with severity: {out}");
    assert!(out.contains("2 tests: 1 passed, 1 failed"));
    assert!(out.contains("no test makes these fire: B"));
    assert!(out.contains("no test shows a near miss for: A, B"));
    let ok = cordon(&["test", "--rules", "rules"]);
    assert_eq!(ok.status.code(), Some(0));
    assert!(stdout(&ok).contains("coverage: 69/69 rules made to fire, 69/69 with a near miss"));
}
