//! Many regimes at once, as a user runs them: packs that declare their own
//! fields and combine, `cordon test` reporting every problem of every file
//! with its line, a pack loaded as `--rules .`.

use std::process::Command;

use super::harness::{TempPack, root, stderr, stdout};

fn cordon_in(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_cordon"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("CORDON_NO_STATE", "1")
        .output()
        .expect("run cordon")
}

#[test]
fn a_pack_in_the_current_folder_loads_as_dot() {
    let dir = root().join("tests/data/eval/regimes");
    let o = cordon_in(&dir, &["validate", "--rules", "."]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = cordon_in(&dir, &["test", "--rules", "."]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("30 tests: 30 passed"), "{}", stdout(&o));
}

#[test]
fn cordon_test_reports_every_problem_of_every_file_with_its_line() {
    let pack = TempPack::new(&[
        ("a.cordon", "regime R\nrule A { title: \"a\" cite: \"c\" severity: block when: origin in { KP } }\n"),
        (
            "a.tests.yaml",
            "defaults: { date: 2024-01-01, origin: KP, destination: CN, hs_code: \"2701\" }\n\
             tests:\n\
             \x20 - name: first\n\
             \x20   record: { colour: red }\n\
             \x20   hits: [A]\n\
             \x20 - name: second\n\
             \x20   record: {}\n\
             \x20   hits: [B]\n",
        ),
        ("b.tests.yaml", "tests:\n  - name: third\n    record: {}\n"),
    ]);
    let o = cordon_in(pack.path(), &["test", "--rules", "."]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let err = stderr(&o);
    for want in [
        "line 3: test `first` names unknown field `colour`",
        "line 6: test `second` names unknown rule `B`",
        "line 2: test `third` expects nothing",
        "3 errors in the rule tests",
    ] {
        assert!(err.contains(want), "missing `{want}` in:\n{err}");
    }
}

#[test]
fn packs_combine_their_schemas_and_a_conflict_names_both() {
    let manifest = "name: root\nschema: standard\npacks: [a, b]\n";
    let a_fields = "extends: standard\nfields:\n  - name: transport_mode\n    type: string\n";
    let rule = |r: &str| {
        format!(
            "regime {r}\nrule {r}-1 {{ title: \"t\" cite: \"c\" severity: review when: transport_mode == \"sea\" }}\n"
        )
    };
    let (ra, rb) = (rule("A"), rule("B"));
    let ok = TempPack::new(&[
        ("cordon.yaml", manifest),
        ("a/cordon.yaml", "schema: fields.yaml\n"),
        ("a/fields.yaml", a_fields),
        ("a/a.cordon", &ra),
        ("b/cordon.yaml", "schema: fields.yaml\n"),
        ("b/fields.yaml", a_fields),
        ("b/b.cordon", &rb),
    ]);
    let o = cordon_in(ok.path(), &["validate", "--rules", "."]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("2 rules in 2 files"), "{}", stderr(&o));
    // Each pack loads alone too.
    let o = cordon_in(&ok.path().join("a"), &["validate", "--rules", "."]);
    assert!(o.status.success(), "{}", stderr(&o));
    let clash = TempPack::new(&[
        ("cordon.yaml", manifest),
        ("a/cordon.yaml", "schema: fields.yaml\n"),
        ("a/fields.yaml", a_fields),
        ("a/a.cordon", &ra),
        ("b/cordon.yaml", "schema: fields.yaml\n"),
        ("b/fields.yaml", "extends: standard\nfields:\n  - name: transport_mode\n    type: country\n"),
        ("b/b.cordon", &rb),
    ]);
    let o = cordon_in(clash.path(), &["validate", "--rules", "."]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("field `transport_mode` is declared differently by `a/fields.yaml` and by `b/fields.yaml`"),
        "{}",
        stderr(&o)
    );
}

/// Three regimes in one run and one report: each regime's scope counts add
/// up to the records evaluated, its own blocks and reviews, the data files
/// and lists its rules read; ECCNs are a summary dimension; each flagged
/// record's findings name their regime.
#[test]
fn the_report_speaks_regime_by_regime() {
    let out = TempPack::new(&[]);
    let json = out.path().join("r.json");
    let o = super::harness::cordon(&[
        "report",
        "--rules",
        "rules/examples/multi-regime",
        "--format",
        "json",
        "-o",
        json.to_str().expect("path"),
        "seeds/transactions/multi-regime.csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).expect("report")).expect("json");
    let evaluated = r["counts"]["evaluated"].as_u64().expect("evaluated");
    let regimes = r["regimes"].as_array().expect("regimes");
    let names: Vec<&str> = regimes.iter().filter_map(|g| g["name"].as_str()).collect();
    assert_eq!(names, ["EU_RUSSIA", "G7_PRICE_CAP", "US_EAR"]);
    for g in regimes {
        let (applied, outside) = (g["applied_to"].as_u64().unwrap(), g["out_of_scope"].as_u64().unwrap());
        assert_eq!(applied + outside, evaluated, "{g}");
        assert!(applied > 0 && outside > 0, "{g}");
        assert!(g["scope"].as_str().is_some_and(|s| !s.is_empty()), "{g}");
        assert!(!g["data"].as_array().expect("data").is_empty(), "{g}");
        for d in g["data"].as_array().unwrap() {
            assert_eq!(d["sha256"].as_str().map(str::len), Some(64), "{d}");
            assert!(d["entries"].as_u64().unwrap() > 0, "{d}");
        }
    }
    let ear = &regimes[2];
    assert_eq!(ear["lists"], serde_json::json!(["US_ENTITY_LIST"]));
    let eu = &regimes[0];
    assert!(eu["data"].as_array().unwrap().iter().any(|d| d["path"].as_str().unwrap().ends_with("annex-xvii.csv")));
    // A pack's key field is a dimension of the summary.
    let eccns: Vec<&str> =
        r["summary"]["top_classifications"].as_array().unwrap().iter().filter_map(|t| t["key"].as_str()).collect();
    assert!(eccns.contains(&"3A001") && eccns.contains(&"EAR99"), "{eccns:?}");
    // Every finding names its regime; a table lookup is evidence with its cell.
    let findings: Vec<&serde_json::Value> =
        r["findings"].as_array().unwrap().iter().flat_map(|f| f["findings"].as_array().unwrap()).collect();
    assert!(findings.iter().all(|f| names.contains(&f["regime"].as_str().unwrap())));
    assert!(
        findings.iter().any(|f| f["matches"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m.as_str().unwrap().contains("CHART “CN” NS1 = “X”"))),
        "no chart cell in the evidence"
    );
    // The run summary counts the same scopes.
    let o = super::harness::cordon(&[
        "check",
        "--rules",
        "rules/examples/multi-regime",
        "--format",
        "summary",
        "seeds/transactions/multi-regime.csv",
    ]);
    let s: serde_json::Value = serde_json::from_str(stdout(&o).lines().next().expect("summary")).expect("json");
    let scoped: Vec<(String, u64)> = s["regimes"]
        .as_array()
        .expect("regimes in the summary")
        .iter()
        .map(|g| (g["regime"].as_str().unwrap().to_string(), g["applied_to"].as_u64().unwrap()))
        .collect();
    let from_report: Vec<(String, u64)> =
        regimes.iter().map(|g| (g["name"].as_str().unwrap().to_string(), g["applied_to"].as_u64().unwrap())).collect();
    assert_eq!(scoped, from_report);
}

/// `--format summary` types only the fields rules read: a regime's scope is
/// read too, so a misspelt `flow` is unreadable (the regime applies, fail
/// closed) in every format, never "not an import".
#[test]
fn a_scope_field_is_checked_in_every_format() {
    let pack = TempPack::new(&[(
        "f.csv",
        "id,date,flow,origin,export_country,destination,hs_code,eccn\n\
         X1,2024-01-01,exprt,US,US,CN,8542.31,3A001\n\
         X2,2024-01-01,imprt,RU,RU,DE,7208.10,\n",
    )]);
    let file = pack.path().join("f.csv");
    let mut lines = Vec::new();
    for format in ["summary", "jsonl"] {
        let o = super::harness::cordon(&[
            "check",
            "--rules",
            "rules/examples/multi-regime",
            "--format",
            format,
            file.to_str().expect("path"),
        ]);
        let err = stderr(&o);
        let line = err.lines().find(|l| l.contains(" read, ")).expect("summary line").to_string();
        assert!(line.contains("2 block, 0 review, 0 pass"), "{format}: {err}");
        lines.push(line);
    }
    assert_eq!(lines[0], lines[1]);
}
