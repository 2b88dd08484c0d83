//! Hostile input: the bad-input catalogue (tests/data/bad-inputs/), each
//! case with its documented outcome and the counts reconciled; limits;
//! invariance of results under thread count, batch size and file split; the
//! fuzz entry points over their seed corpus and random bytes (on stable, so
//! the fuzz targets cannot rot); and output that is whole or absent.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde::Deserialize;
use serde_json::Value;

use super::harness::{TempPack, cordon, root, stderr, stdout};

#[derive(Deserialize)]
struct Case {
    file: String,
    #[serde(default)]
    generated: Option<String>,
    exit: i32,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    counts: Option<[u64; 3]>,
    #[serde(default)]
    problems: Vec<(u64, String, String)>,
}

/// Writes a generated case (too large to keep in the repository).
fn generate(dir: &Path, file: &str) -> PathBuf {
    let header = std::fs::read_to_string(root().join("tests/data/bad-inputs/header-only.csv")).expect("header");
    let row =
        |id: &str, desc: &str| format!("{id},2018-05-01,CN,JP,8471.30,,Acme,Beta,CN,JP,,,,{desc},1,u,1.00,USD,\n");
    let json = |id: &str| {
        format!(r#"{{"id":"{id}","date":"2018-05-01","origin":"CN","destination":"JP","hs_code":"8471.30"}}"#) + "\n"
    };
    let text = match file {
        "big-field.csv" => format!("{header}{}{}", row("G1", &"x".repeat(10 * 1024 * 1024)), row("G2", "ok")),
        "long-line.csv" => format!("{header}{}{}", row("G1", "ok"), row("G2", &"y".repeat(17 * 1024 * 1024))),
        "many-columns.csv" => {
            let cols: Vec<String> = (0..2000).map(|i| format!("c{i}")).collect();
            format!("{}\n", cols.join(","))
        }
        "long-line.jsonl" => format!(
            "{}{{\"id\":\"G2\",\"description\":\"{}\"}}\n{}",
            json("G1"),
            "z".repeat(17 * 1024 * 1024),
            json("G3")
        ),
        other => panic!("no generator for {other}"),
    };
    let p = dir.join(file);
    std::fs::write(&p, text).expect("write");
    p
}

#[test]
fn every_case_of_the_bad_input_catalogue_has_its_documented_outcome() {
    let dir = root().join("tests/data/bad-inputs");
    let cases: Vec<Case> =
        serde_yaml::from_str(&std::fs::read_to_string(dir.join("catalogue.yaml")).expect("catalogue")).expect("yaml");
    assert!(cases.len() >= 20);
    let tmp = tempfile::tempdir().expect("tmp");
    for c in &cases {
        let path = match &c.generated {
            Some(_) => generate(tmp.path(), &c.file),
            None => dir.join(&c.file),
        };
        let o = cordon(&[
            "check",
            "--rules",
            "rules",
            "--error-format",
            "plain",
            "--format",
            "json",
            path.to_str().expect("utf-8"),
        ]);
        let case = &c.file;
        assert_eq!(o.status.code(), Some(c.exit), "{case}: {}", stderr(&o));
        if let Some(e) = &c.error {
            assert!(stderr(&o).contains(e.as_str()), "{case}: {}", stderr(&o));
            assert!(stdout(&o).is_empty(), "{case}: nothing is written when an input cannot be used");
            continue;
        }
        let v: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{case}: {e}"));
        let s = &v["summary"];
        let got = [s["read"].as_u64(), s["evaluated"].as_u64(), s["invalid"].as_u64()].map(|x| x.unwrap_or(u64::MAX));
        assert_eq!(Some(got), c.counts, "{case}");
        assert_eq!(got[0], got[1] + got[2], "{case}: read = evaluated + invalid");
        let records = v["records"].as_array().expect("records");
        assert_eq!(records.len() as u64, got[0], "{case}: one output record per record read");
        for (line, decision, reason) in &c.problems {
            let r = records
                .iter()
                .find(|r| r["line"].as_u64() == Some(*line))
                .unwrap_or_else(|| panic!("{case}: no record at line {line}"));
            assert_eq!(r["decision"].as_str(), Some(decision.as_str()), "{case} line {line}");
            let problems = r.get("errors").or_else(|| r.get("data_quality")).expect("problems");
            let text = problems.to_string();
            assert!(text.contains(reason.as_str()), "{case} line {line}: {text}");
        }
    }
}

#[test]
fn a_hundred_thousand_brackets_are_an_error_not_a_stack_overflow() {
    for (open, close) in [("(", ")"), ("{", "}"), ("[", "]")] {
        let deep = format!(
            "regime R\nrule A {{ title: \"a\" cite: \"c\" severity: block when: {}origin in {{ KP }}{} }}\n",
            open.repeat(100_000),
            close.repeat(100_000)
        );
        let pack = TempPack::new(&[("deep.cordon", &deep)]);
        let o = cordon(&["validate", "--rules", pack.path().to_str().expect("utf-8")]);
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains("nested deeper than 64 levels"), "{}", stderr(&o));
    }
    let nots = format!(
        "regime R\nrule A {{ title: \"a\" cite: \"c\" severity: block when: {}origin in {{ KP }} }}\n",
        "not ".repeat(100_000)
    );
    let pack = TempPack::new(&[("nots.cordon", &nots)]);
    let o = cordon(&["validate", "--rules", pack.path().to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("nested deeper than"), "{}", stderr(&o));
}

/// Runs the pack over files and returns (id, line, decision, rules) per record, in order.
fn outcomes(files: &[PathBuf], threads: usize, batch: Option<usize>) -> Vec<(String, u64, String, Vec<String>)> {
    let engine = cordon::Engine::load(&root().join("rules")).expect("rules");
    let engine = match batch {
        Some(b) => engine.with_batch(b),
        None => engine,
    };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
    let cfg = std::sync::Arc::new(cordon::config::InputConfig::standard());
    let specs: Vec<_> = files.iter().map(cordon::records::InputSpec::new).collect();
    let mut out = Vec::new();
    pool.install(|| {
        let inputs = engine.open_inputs(&specs, &cfg).expect("open");
        let summary = engine
            .run(inputs, |o| {
                let (id, decision, rules) = match o {
                    cordon::findings::RecordOutcome::Evaluated(e) => (
                        e.id.clone(),
                        e.decision.name().to_string(),
                        e.findings.iter().map(|f| engine.rules().rules[f.rule].id.clone()).collect(),
                    ),
                    cordon::findings::RecordOutcome::Invalid(i) => {
                        (i.id.clone().unwrap_or_default(), "invalid".into(), Vec::new())
                    }
                };
                out.push((id, o.line(), decision, rules));
                Ok(())
            })
            .expect("run");
        assert_eq!(summary.read, summary.evaluated + summary.invalid);
        assert_eq!(summary.read as usize, out.len());
    });
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]
    /// The same records give the same outcomes, in the same order, whatever
    /// the thread count, the batch size, and however the file is split.
    #[test]
    fn results_do_not_depend_on_threads_batches_or_file_split(
        threads in 1usize..4,
        batch in 1usize..5000,
        split in 1usize..2750,
    ) {
        let sample = root().join("seeds/transactions/trade-2016-2019.csv");
        let reference = outcomes(std::slice::from_ref(&sample), 1, None);
        prop_assert_eq!(&outcomes(std::slice::from_ref(&sample), threads, Some(batch)), &reference);
        // Split the file after `split` rows: two files with the same header.
        let text = std::fs::read_to_string(&sample).expect("sample");
        let mut lines = text.split_inclusive('\n');
        let header = lines.next().expect("header");
        let rows: Vec<&str> = lines.collect();
        let (a, b) = rows.split_at(split.min(rows.len()));
        let dir = tempfile::tempdir().expect("tmp");
        let (fa, fb) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
        std::fs::write(&fa, format!("{header}{}", a.concat())).expect("a");
        std::fs::write(&fb, format!("{header}{}", b.concat())).expect("b");
        let parts = outcomes(&[fa, fb], threads, Some(batch));
        let strip = |v: &[(String, u64, String, Vec<String>)]| -> Vec<(String, String, Vec<String>)> {
            v.iter().map(|(id, _, d, r)| (id.clone(), d.clone(), r.clone())).collect()
        };
        prop_assert_eq!(strip(&parts), strip(&reference));
    }
}

#[test]
fn the_json_report_counts_what_check_counts() {
    let sample = "seeds/transactions/trade-2016-2019.csv";
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("r.json");
    let o = cordon(&["report", "--rules", "rules", "--format", "json", "-o", out.to_str().expect("utf-8"), sample]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report: Value = serde_json::from_slice(&std::fs::read(&out).expect("report")).expect("json");
    let check: Value =
        serde_json::from_slice(&cordon(&["check", "--rules", "rules", "--format", "json", sample]).stdout)
            .expect("json");
    let (c, s) = (&report["counts"], &check["summary"]);
    for (a, b) in [("read", "read"), ("evaluated", "evaluated"), ("invalid", "invalid")] {
        assert_eq!(c[a], s[b], "{a}");
    }
    for d in ["block", "review", "pass"] {
        assert_eq!(c["decisions"][d], s["decisions"][d], "{d}");
    }
}

/// The fuzz targets' entry points, on their seed corpus and on random and
/// mutated bytes: nothing panics (a panic fails the test).
mod fuzz_smoke {
    use super::*;

    fn seeds(target: &str) -> Vec<Vec<u8>> {
        let dir = root().join("fuzz/seeds").join(target);
        let mut v: Vec<Vec<u8>> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .flatten()
            .map(|e| std::fs::read(e.path()).expect("seed"))
            .collect();
        v.sort();
        v
    }

    fn mutations() -> impl Strategy<Value = (usize, Vec<(usize, u8)>, usize)> {
        (0usize..16, prop::collection::vec((0usize..20_000, any::<u8>()), 0..12), 0usize..20_000)
    }

    fn mutate(seeds: &[Vec<u8>], (which, edits, cut): (usize, Vec<(usize, u8)>, usize)) -> Vec<u8> {
        let mut d = seeds[which % seeds.len()].clone();
        for (at, b) in edits {
            if !d.is_empty() {
                let i = at % d.len();
                d[i] = b;
            }
        }
        d.truncate(cut.max(1).min(d.len()));
        d
    }

    #[test]
    fn seed_corpus() {
        for (target, run) in [
            ("rules", cordon::fuzzing::rules as fn(&[u8])),
            ("csv", cordon::fuzzing::csv),
            ("jsonl", cordon::fuzzing::jsonl),
            ("config", cordon::fuzzing::config),
            ("lists", cordon::fuzzing::lists),
        ] {
            for s in seeds(target) {
                run(&s);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
        #[test]
        fn mutated_rules(m in mutations()) { cordon::fuzzing::rules(&mutate(&seeds("rules"), m)); }
        #[test]
        fn mutated_csv(m in mutations()) { cordon::fuzzing::csv(&mutate(&seeds("csv"), m)); }
        #[test]
        fn mutated_jsonl(m in mutations()) { cordon::fuzzing::jsonl(&mutate(&seeds("jsonl"), m)); }
        #[test]
        fn mutated_config(m in mutations()) { cordon::fuzzing::config(&mutate(&seeds("config"), m)); }
        #[test]
        fn mutated_lists(m in mutations()) { cordon::fuzzing::lists(&mutate(&seeds("lists"), m)); }
        #[test]
        fn random_bytes(data in prop::collection::vec(any::<u8>(), 0..4096)) {
            cordon::fuzzing::rules(&data);
            cordon::fuzzing::csv(&data);
            cordon::fuzzing::jsonl(&data);
            cordon::fuzzing::config(&data);
            cordon::fuzzing::lists(&data);
        }
    }
}
