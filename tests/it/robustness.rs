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
    /// Repeated ids: (id, line, line first seen); none unless listed.
    #[serde(default)]
    duplicates: Vec<(String, u64, u64)>,
    /// Lines read inside quoted fields, as the summary counts them.
    #[serde(default)]
    lines_in_quoted_fields: u64,
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
        assert_eq!(
            s["inputs"][0]["lines_in_quoted_fields"].as_u64().unwrap_or(0),
            c.lines_in_quoted_fields,
            "{case}: lines inside quoted fields"
        );
        let records = v["records"].as_array().expect("records");
        assert_eq!(records.len() as u64, got[0], "{case}: one output record per record read");
        let dups: Vec<(String, u64, u64)> = s["duplicate_ids"]["examples"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|d| {
                        let n = |k: &str| d[k].as_u64().unwrap_or(0);
                        (d["id"].as_str().unwrap_or("").to_string(), n("line"), n("first_line"))
                    })
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(dups, c.duplicates, "{case}: repeated ids");
        if !c.duplicates.is_empty() {
            assert!(stderr(&o).contains("repeats an id seen earlier"), "{case}: {}", stderr(&o));
        }
        for (line, decision, reason) in &c.problems {
            let r = records
                .iter()
                .find(|r| r["line"].as_u64() == Some(*line))
                .unwrap_or_else(|| panic!("{case}: no record at line {line}"));
            assert_eq!(r["decision"].as_str(), Some(decision.as_str()), "{case} line {line}");
            let problems =
                r.get("errors").or_else(|| r.get("data_quality")).or_else(|| r.get("findings")).expect("problems");
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

#[test]
fn a_rule_or_config_file_past_the_size_limit_is_refused_without_reading_it_whole() {
    let big = format!("regime R\n{}", "// padding\n".repeat(800_000));
    let pack = TempPack::new(&[("big.cordon", &big)]);
    let o = cordon(&["validate", "--rules", pack.path().to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("larger than the limit of 8388608 bytes"), "{}", stderr(&o));
    // A config that never ends (a device) is refused after the limit, not read forever.
    if Path::new("/dev/zero").exists() {
        let o = cordon(&["check", "--rules", "rules", "--config", "/dev/zero", "seeds/transactions/sample.jsonl"]);
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains("larger than the limit"), "{}", stderr(&o));
    }
}

/// Runs the pack over files and returns (id, line, decision, rules) per record, in order.
fn outcomes(files: &[PathBuf], threads: usize, batch: Option<usize>) -> Vec<(String, u64, String, Vec<String>)> {
    let engine = cordon::Engine::load(&root().join("rules")).expect("rules");
    let opts = match batch {
        // The batch size for JSON Lines; CSV chunks of about 37 bytes a row.
        Some(b) => cordon::RunOptions::new().batch(b).chunk_bytes(b * 37),
        None => cordon::RunOptions::new(),
    };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
    let mut out = Vec::new();
    pool.install(|| {
        let inputs: Vec<_> = files.iter().map(cordon::InputSource::path).collect();
        let mut collect = cordon::each_record(|item| {
            let o = item.outcome();
            let (id, decision, rules) = match o {
                cordon::unstable::findings::RecordOutcome::Evaluated(e) => (
                    e.id.clone(),
                    e.decision.name().to_string(),
                    e.findings.iter().map(|f| engine.rules().rules[f.rule].id.clone()).collect(),
                ),
                cordon::unstable::findings::RecordOutcome::Invalid(i) => {
                    (i.id.clone().unwrap_or_default(), "invalid".into(), Vec::new())
                }
            };
            out.push((id, o.line(), decision, rules));
            Ok(())
        });
        let summary = engine.run(inputs, &opts, &mut [&mut collect]).expect("run");
        assert_eq!(summary.read, summary.evaluated + summary.invalid);
        assert_eq!(summary.read as usize, out.len());
        assert_eq!(summary.duplicate_ids.records, 0, "the seed ids are unique, however the file is split");
    });
    out
}

#[test]
fn ids_repeated_across_files_are_reported_with_both_places() {
    let sample = "seeds/transactions/trade-2016-2019.csv";
    let o = cordon(&["check", "--rules", "rules", "--format", "json", sample, sample]);
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    let s = &v["summary"];
    let per_file = s["inputs"][0]["read"].as_u64().expect("read");
    assert_eq!(s["duplicate_ids"]["records"].as_u64(), Some(per_file), "every record of the second copy repeats");
    let examples = s["duplicate_ids"]["examples"].as_array().expect("examples");
    assert_eq!(examples.len(), 100, "examples are capped");
    assert_eq!((examples[0]["line"].as_u64(), examples[0]["first_line"].as_u64()), (Some(2), Some(2)));
    assert!(stderr(&o).contains(&format!("{per_file} records repeat an id seen earlier")), "{}", stderr(&o));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]
    /// The same records give the same outcomes, in the same order, whatever
    /// the thread count, the batch or chunk size, and however the file is split.
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
            ("rules", cordon::unstable::fuzzing::rules as fn(&[u8])),
            ("csv", cordon::unstable::fuzzing::csv),
            ("jsonl", cordon::unstable::fuzzing::jsonl),
            ("config", cordon::unstable::fuzzing::config),
            ("lists", cordon::unstable::fuzzing::lists),
            ("disguise", cordon::unstable::fuzzing::disguise),
        ] {
            for s in seeds(target) {
                run(&s);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
        #[test]
        fn mutated_rules(m in mutations()) { cordon::unstable::fuzzing::rules(&mutate(&seeds("rules"), m)); }
        #[test]
        fn mutated_csv(m in mutations()) { cordon::unstable::fuzzing::csv(&mutate(&seeds("csv"), m)); }
        #[test]
        fn mutated_jsonl(m in mutations()) { cordon::unstable::fuzzing::jsonl(&mutate(&seeds("jsonl"), m)); }
        #[test]
        fn mutated_config(m in mutations()) { cordon::unstable::fuzzing::config(&mutate(&seeds("config"), m)); }
        #[test]
        fn mutated_lists(m in mutations()) { cordon::unstable::fuzzing::lists(&mutate(&seeds("lists"), m)); }
        #[test]
        fn random_bytes(data in prop::collection::vec(any::<u8>(), 0..4096)) {
            cordon::unstable::fuzzing::rules(&data);
            cordon::unstable::fuzzing::csv(&data);
            cordon::unstable::fuzzing::jsonl(&data);
            cordon::unstable::fuzzing::config(&data);
            cordon::unstable::fuzzing::lists(&data);
        }
    }
}

/// Output is whole or absent: a full device or a file-size limit is a clear
/// error with exit 2, and a report that could not be written leaves the
/// previous one as it was and no temporary file beside it.
mod output_safety {
    use std::process::{Command, Stdio};

    use super::*;

    const SAMPLE: &str = "seeds/transactions/trade-2016-2019.csv";
    const FIRST_ID: &str = "TX-2008-000001";

    /// Runs `cordon` with its stdout on `/dev/full`.
    fn to_dev_full(args: &[&str]) -> std::process::Output {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
        Command::new(env!("CARGO_BIN_EXE_cordon"))
            .env("CORDON_NO_STATE", "1")
            .args(args)
            .current_dir(root())
            .env("NO_COLOR", "1")
            .stdout(Stdio::from(full))
            .stderr(Stdio::piped())
            .output()
            .expect("run cordon")
    }

    #[test]
    fn every_command_that_writes_to_stdout_fails_clearly_on_a_full_device() {
        if !Path::new("/dev/full").exists() {
            return;
        }
        let mut runs: Vec<Vec<&str>> = ["jsonl", "json", "csv", "table"]
            .iter()
            .map(|f| vec!["check", "--rules", "rules", "--format", f, SAMPLE])
            .collect();
        runs.push(vec!["check", "--rules", "rules", "--threads", "1", "--format", "jsonl", SAMPLE]);
        runs.push(vec!["screen", "--rules", "rules", "Korea Mining Development Trading Corporation"]);
        runs.push(vec!["test", "--rules", "rules"]);
        runs.push(vec!["lists", "show", "--lists", "seeds/lists", "UN_SC"]);
        runs.push(vec!["explain", "--rules", "rules", "--input", SAMPLE, "--id", FIRST_ID]);
        runs.push(vec!["report", "--rules", "rules", "--format", "json", "-o", "-", SAMPLE]);
        for args in runs {
            let o = to_dev_full(&args);
            assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
            let err = stderr(&o);
            assert!(err.contains("cannot write") && err.contains("No space left on device"), "{args:?}: {err}");
        }
    }

    /// Runs `cordon` under `ulimit -f BLOCKS` (512-byte blocks): writes past
    /// that size fail with EFBIG, as on a full disk, since SIGXFSZ is
    /// ignored so the write returns an error instead of killing the process.
    /// `None` where the shell cannot set the limit.
    fn with_file_size_limit(blocks: u32, args: &[&str]) -> Option<std::process::Output> {
        if Command::new("sh").arg("-c").arg("ulimit -f 16").status().map(|s| !s.success()).unwrap_or(true) {
            return None;
        }
        let script = format!("trap '' XFSZ; ulimit -f {blocks}; exec \"$0\" \"$@\"");
        let o = Command::new("sh")
            .arg("-c")
            .arg(&script)
            .arg(env!("CARGO_BIN_EXE_cordon"))
            .args(args)
            .current_dir(root())
            .env("NO_COLOR", "1")
            .output()
            .expect("run");
        Some(o)
    }

    #[test]
    fn check_output_to_a_file_appears_only_when_the_run_is_complete() {
        let dir = tempfile::tempdir().expect("tmp");
        // Complete: the format follows the extension.
        let json = dir.path().join("findings.json");
        let o = cordon(&["check", "--rules", "rules", "-o", json.to_str().expect("utf-8"), SAMPLE]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(o.stdout.is_empty());
        let v: Value = serde_json::from_slice(&std::fs::read(&json).expect("written")).expect("json");
        assert_eq!(v["summary"]["read"].as_u64(), Some(2759));
        // Failing half way (a CSV line past the limit stops the run): the
        // previous file stays, and nothing else is left beside it.
        let target = dir.path().join("findings.jsonl");
        std::fs::write(&target, b"the previous findings").expect("write");
        let bad = generate(dir.path(), "long-line.csv");
        let out = target.to_str().expect("utf-8");
        let o = cordon(&["check", "--rules", "rules", "-o", out, bad.to_str().expect("utf-8")]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("longer than the limit"), "{}", stderr(&o));
        assert_eq!(std::fs::read(&target).expect("previous"), b"the previous findings");
        std::fs::remove_file(&bad).expect("rm");
        assert_eq!(walk(dir.path()).len(), 2, "{:?}", walk(dir.path()));
        // A full device names the file.
        if Path::new("/dev/full").exists() {
            let o = cordon(&["check", "--rules", "rules", "-o", "/dev/full", SAMPLE]);
            assert_eq!(o.status.code(), Some(2));
            assert!(stderr(&o).contains("cannot write `/dev/full`: No space left on device"), "{}", stderr(&o));
        }
    }

    #[test]
    fn a_report_that_cannot_be_written_leaves_the_previous_one_and_nothing_else() {
        let dir = tempfile::tempdir().expect("tmp");
        let target = dir.path().join("report.pdf");
        std::fs::write(&target, b"the previous report").expect("write");
        let out = target.to_str().expect("utf-8");
        let args = ["report", "--rules", "rules", "--generated-at", "2026-11-28T12:00:00Z", "-o", out, SAMPLE];
        let Some(o) = with_file_size_limit(16, &args) else { return };
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains(&format!("cannot write `{out}`")), "{}", stderr(&o));
        assert_eq!(std::fs::read(&target).expect("previous"), b"the previous report");
        assert_eq!(walk(dir.path()), [target]);
    }

    #[test]
    fn a_list_snapshot_that_cannot_be_written_leaves_the_store_as_it_was() {
        let store = tempfile::tempdir().expect("tmp");
        let src = root().join("tests/fixtures/lists/un-consolidated-2018-10-29.xml");
        let args = [
            "lists",
            "import",
            "--lists",
            store.path().to_str().expect("utf-8"),
            "--as",
            "UN_SC",
            src.to_str().expect("utf-8"),
        ];
        let Some(o) = with_file_size_limit(1, &args) else { return };
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("cannot write"), "{}", stderr(&o));
        assert_eq!(walk(store.path()), Vec::<PathBuf>::new());
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).expect("dir").flatten() {
            let p = e.path();
            if p.is_dir() { out.extend(walk(&p)) } else { out.push(p) }
        }
        out
    }
}

/// A run whose records are mostly invalid does not exit 0 (red team M1):
/// more than `--max-invalid` per cent (50 by default) invalid, or every
/// record, is exit 1 with a warning saying why, whatever `--fail-on` says.
#[test]
fn a_mostly_invalid_input_is_not_a_clean_run() {
    let one_in_three = "tests/data/bad-inputs/too-few-fields.csv";
    let o = cordon(&["check", "--rules", "rules", "--format", "summary", one_in_three]);
    assert_eq!(o.status.code(), Some(0), "1 of 3 invalid is within the default share: {}", stderr(&o));
    let o = cordon(&["check", "--rules", "rules", "--format", "summary", "--max-invalid", "10", one_in_three]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("1 of 3 records read are invalid") && stderr(&o).contains("now 10%"), "{}", stderr(&o));
    // A CSV file named as JSON Lines: every line invalid, exit 1 even allowing 100%.
    let pack = TempPack::new(&[]);
    let misnamed = pack.path().join("trades.jsonl");
    std::fs::copy(super::harness::root().join("seeds/transactions/trade-2016-2019.csv"), &misnamed).expect("copy");
    let o = cordon(&[
        "check",
        "--rules",
        "rules",
        "--format",
        "summary",
        "--max-invalid",
        "100",
        misnamed.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("(all of them)"), "{}", stderr(&o));
    let o = cordon(&["check", "--rules", "rules", "--max-invalid", "101", one_in_three]);
    assert_eq!(o.status.code(), Some(2), "a share over 100 is refused");
}

/// `--threads 100000` is capped at 4 per core, with a warning, instead of
/// spawning them all (red team H10).
#[test]
fn a_huge_thread_count_is_capped() {
    let o = cordon(&[
        "check",
        "--rules",
        "rules",
        "--format",
        "summary",
        "--threads",
        "100000",
        "tests/data/bad-inputs/extra-column.csv",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("--threads 100000 is more than"), "{}", stderr(&o));
}

/// Keyword rules read descriptions as written on purpose to slip past them
/// (red team C7): one Cyrillic letter, a soft hyphen, a zero-width space,
/// a non-breaking space or a dash variant leaves the rule's decision as it
/// is for the plain spelling.
#[test]
fn disguised_descriptions_get_the_plain_spellings_decision() {
    let engine = cordon::Engine::load(&super::harness::root().join("rules")).expect("rules");
    let decide = |hs: &str, description: &str| {
        let r = engine.check_fields([
            ("id", "D"),
            ("date", "2016-06-01"),
            ("origin", "CN"),
            ("destination", "KP"),
            ("hs_code", hs),
            ("description", description),
        ]);
        let cordon::RecordResult::Evaluated(e) = r else { panic!("invalid: {description}") };
        let mut rules: Vec<String> = e.findings.iter().map(|f| format!("{}:{:?}", f.rule, f.outcome)).collect();
        rules.sort();
        (e.decision, rules)
    };
    for (hs, plain, disguised) in [
        ("8802.30", "Military transport aircraft", "Mil\u{0456}tary transport aircraft"),
        ("8802.30", "Military transport aircraft", "Mili\u{200B}tary transport aircraft"),
        ("8421.19", "Gas centrifuge rotors", "Gas centri\u{00AD}fuge rotors"),
        ("8421.19", "Gas centrifuge rotors", "Gas c\u{0435}ntrifuge rotors"),
        ("2710.19", "Jet fuel", "Jet\u{00A0}fuel"),
        ("2710.19", "Jet fuel", "J\u{0435}t fuel"),
    ] {
        assert_eq!(decide(hs, disguised), decide(hs, plain), "{disguised:?}");
    }
}

/// A party named with an invisible or direction-changing character inside
/// is screened as the name it hides (red team C1), and the record says so
/// in its data-quality notes, with the character written out.
#[test]
fn a_hidden_character_in_a_party_is_screened_through_and_noted() {
    let engine = cordon::Engine::load(&super::harness::root().join("rules")).expect("rules");
    let check = |seller: &str| {
        let r = engine.check_fields([
            ("id", "H"),
            ("date", "2019-03-01"),
            ("origin", "CN"),
            ("destination", "CN"),
            ("hs_code", "8471.30"),
            ("seller", seller),
            ("description", "laptops"),
        ]);
        let cordon::RecordResult::Evaluated(e) = r else { panic!("invalid: {seller:?}") };
        e
    };
    let plain = check("KOREA MINING DEVELOPMENT TRADING CORPORATION");
    assert!(plain.data_quality.is_empty(), "{:?}", plain.data_quality);
    for hidden in
        ["KO\u{200B}REA MINING DEVELOPMENT TRADING CORPORATION", "KOREA MINING DEVELOPMENT \u{2060}TRADING CORPORATION"]
    {
        let e = check(hidden);
        assert_eq!(e.decision, plain.decision, "{hidden:?}");
        let note = e.data_quality.iter().find(|p| p.field.as_deref() == Some("seller")).expect("a note on the seller");
        assert!(note.reason.contains("invisible or direction-changing character"), "{}", note.reason);
        assert!(note.value.as_deref().unwrap_or("").contains("<U+"), "{:?}", note.value);
    }
    // The report lists such a field apart: read, not incomplete.
    let pack = TempPack::new(&[(
        "tx.csv",
        "id,date,origin,destination,hs_code,seller,description\nH1,2019-03-01,CN,CN,8471.30,KO\u{200B}REA MINING DEVELOPMENT TRADING CORPORATION,laptops\n",
    )]);
    let out = pack.path().join("r.json");
    let input = pack.path().join("tx.csv");
    let o = cordon(&[
        "report",
        "--rules",
        "rules",
        "--format",
        "json",
        "-o",
        out.to_str().unwrap(),
        input.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).expect("report")).expect("json");
    assert_eq!(
        (v["counts"]["incomplete"].as_u64(), v["counts"]["hidden_characters"].as_u64()),
        (Some(0), Some(1)),
        "{}",
        v["counts"]
    );
    assert_eq!(v["data_quality"]["hidden_characters"][0]["field"], "seller", "{}", v["data_quality"]);
}

/// CSV outputs (`check --format csv`, `report --format csv`) never hand a
/// spreadsheet a formula taken from the input (red team M4).
#[test]
fn csv_outputs_neutralise_formulas_from_the_input() {
    let pack = TempPack::new(&[(
        "tx.csv",
        "id,date,origin,destination,hs_code,description\n=HYPERLINK(\"http://evil\"),2018-05-01,KP,CN,2701.12,@SUM(1+1)\n",
    )]);
    let input = pack.path().join("tx.csv");
    let o = cordon(&["check", "--rules", "rules", "--format", "csv", input.to_str().unwrap()]);
    let out = stdout(&o);
    assert!(out.contains("'=HYPERLINK") && !out.contains(",=HYPERLINK") && !out.contains("\n=HYPERLINK"), "{out}");
    let report = pack.path().join("r.csv");
    let o = cordon(&[
        "report",
        "--rules",
        "rules",
        "--format",
        "csv",
        "-o",
        report.to_str().unwrap(),
        input.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&report).expect("report");
    assert!(text.contains("'=HYPERLINK") && text.contains("'@SUM(1+1)"), "{text}");
    assert!(!text.contains(",=HYPERLINK") && !text.contains(",@SUM"), "{text}");
}

/// The table output shows escape sequences from the input as text: an id
/// that would clear the screen or write the clipboard (OSC 52) is printed
/// escaped, and no ESC byte reaches the terminal (red team M3).
#[test]
fn the_table_output_never_sends_the_inputs_escape_sequences() {
    let pack = TempPack::new(&[(
        "tx.csv",
        "id,date,origin,destination,hs_code\n\"A\u{1b}[2J\u{1b}]52;c;aGk=\u{7}\",2018-05-01,KP,CN,2701.12\n",
    )]);
    let o = cordon(&["check", "--rules", "rules", "--format", "table", pack.path().join("tx.csv").to_str().unwrap()]);
    assert!(!o.stdout.contains(&0x1b) && !o.stdout.contains(&0x07), "{}", stdout(&o));
    assert!(stdout(&o).contains("A\\x1b[2J"), "{}", stdout(&o));
}

/// Red team M6: a run over more files than the open-file limit allows works,
/// for `check` and `report` (each file is closed once its header is read and
/// opened again when the run reaches it), and its counts reconcile.
#[test]
fn more_inputs_than_the_open_file_limit_are_read_one_at_a_time() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut names = Vec::new();
    for i in 0..200 {
        let name = format!("f{i:03}.csv");
        let origin = if i % 2 == 1 { "KP" } else { "CN" };
        std::fs::write(
            tmp.path().join(&name),
            format!("id,date,origin,destination,hs_code\nA{i},2018-03-01,{origin},CN,2701.12\n"),
        )
        .expect("write");
        names.push(name);
    }
    let rules = root().join("rules");
    for command in ["check --format json", "report --format json -o out.json"] {
        let script = format!(
            "ulimit -n 48 && exec \"$0\" {command} --rules {} {} > stdout.json",
            rules.display(),
            names.join(" ")
        );
        let o = std::process::Command::new("sh")
            .args(["-c", &script, env!("CARGO_BIN_EXE_cordon")])
            .current_dir(tmp.path())
            .env("CORDON_NO_STATE", "1")
            .output()
            .expect("sh");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains("open files"), "{command}: {err}");
        let out = if command.starts_with("report") { "out.json" } else { "stdout.json" };
        let v: Value = serde_json::from_slice(&std::fs::read(tmp.path().join(out)).expect("output"))
            .unwrap_or_else(|e| panic!("{command}: {e}: {err}"));
        let (s, inputs) = if command.starts_with("report") {
            (&v["counts"], &v["fingerprints"]["inputs"])
        } else {
            (&v["summary"], &v["summary"]["inputs"])
        };
        assert_eq!(s["read"].as_u64(), Some(200), "{command}: {err}");
        assert_eq!(inputs.as_array().map(Vec::len), Some(200), "{command}");
        assert_eq!(s["decisions"]["block"].as_u64(), Some(100), "{command}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Red team item 7: records the shipped pack blocks (DPRK coal, a
    /// designated seller, aviation fuel, military aircraft, petroleum over
    /// the cap, a ship-to-ship transfer), disguised by up to twelve generated
    /// changes at once — invisible characters and look-alike letters inside
    /// words, case, other spaces and dashes, full-width letters, HS code,
    /// quantity and country layouts — are never passed.
    #[test]
    fn disguised_blocks_are_never_passed(data in proptest::collection::vec(any::<u8>(), 1..40)) {
        cordon::unstable::fuzzing::disguise(&data);
    }
}

/// Each base record with each single disguise, exhaustively over the first
/// argument byte: a pass names the record and the disguise.
#[test]
fn every_single_disguise_of_every_blocked_record_is_caught() {
    for base in 0u8..6 {
        for op in 0u8..9 {
            for a in 0u8..16 {
                for b in [0u8, 1, 2, 3, 5, 8, 13, 21] {
                    cordon::unstable::fuzzing::disguise(&[base, op, a, b]);
                }
            }
        }
    }
}
