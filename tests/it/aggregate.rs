//! Rules over many records, end to end through `cordon check`: totals in
//! date order per group and window against limits (the cases and their
//! expected decisions are data files in `tests/data/aggregates/`, worked
//! by hand from the limits), the same findings whatever the input order,
//! split or thread count, state carried between runs, and a state file that
//! cannot be used changing nothing.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use super::harness::{TempPack, cordon, root, stderr, stdout};

const PACK: &str = "tests/data/aggregates/rules.cordon";
const CASES: &str = "tests/data/aggregates/cases.csv";

/// Per record id: the decision and the rules with a finding.
type Results = BTreeMap<String, (String, Vec<String>)>;

fn results(out: &str) -> Results {
    let mut r = Results::new();
    for line in out.lines() {
        let v: Value = serde_json::from_str(line).expect("json line");
        let rules = v["findings"].as_array().expect("findings").iter().map(|f| f["rule"].to_string()).collect();
        r.insert(v["id"].as_str().expect("id").to_string(), (v["decision"].as_str().expect("decision").into(), rules));
    }
    r
}

/// `cordon check --format jsonl` of `file` under the rules in `rules`.
fn check_jsonl(rules: &Path, file: &Path) -> std::process::Output {
    cordon(&["check", "--rules", rules.to_str().expect("path"), "--format", "jsonl", file.to_str().expect("path")])
}

fn check(args: &[&str], files: &[&str]) -> (Results, std::process::Output) {
    let mut all = vec!["check", "--rules", PACK, "--format", "jsonl"];
    all.extend_from_slice(args);
    all.extend_from_slice(files);
    let o = cordon(&all);
    assert!(o.status.code().is_some_and(|c| c <= 1), "{}", stderr(&o));
    (results(&stdout(&o)), o)
}

fn expected() -> Results {
    let text = std::fs::read_to_string(root().join("tests/data/aggregates/cases.expected")).expect("expected");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut w = l.split_whitespace();
            let id = w.next().expect("id").to_string();
            let decision = w.next().expect("decision").to_string();
            (id, (decision, w.map(|r| format!("\"{r}\"")).collect()))
        })
        .collect()
}

/// The cases file's rows, header apart.
fn rows() -> (String, Vec<String>) {
    let text = std::fs::read_to_string(root().join(CASES)).expect("cases");
    let mut lines = text.lines().map(str::to_string);
    let header = lines.next().expect("header");
    (header, lines.collect())
}

#[test]
fn totals_cross_limits_where_the_arithmetic_says() {
    let (got, o) = check(&["--no-state"], &[CASES]);
    assert_eq!(got, expected(), "{}", stderr(&o));
    assert!(stderr(&o).contains("running totals cover this run's inputs only"), "{}", stderr(&o));
}

#[test]
fn a_finding_names_the_total_the_limit_the_window_and_the_records() {
    let o = cordon(&["check", "--rules", PACK, "--format", "json", CASES]);
    let v: Value = serde_json::from_str(&stdout(&o)).expect("json");
    let a3 = v["records"].as_array().expect("records").iter().find(|r| r["id"] == "A3").expect("A3");
    let f = &a3["findings"][0];
    assert_eq!(f["rule"], "CAP-BBL");
    let agg = &f["aggregate"];
    assert_eq!(agg["totals"][0], "1000.001");
    assert_eq!(agg["limits"][0], "1,000 bbl");
    assert_eq!(agg["window"], "2018");
    assert_eq!(agg["count"], 3);
    let ids: Vec<&str> = agg["records"].as_array().expect("records").iter().filter_map(|c| c["id"].as_str()).collect();
    assert_eq!(ids, ["A1", "A2", "A3"]);
    assert_eq!(agg["records"][0]["line"], 2);
    assert!(f["message"].as_str().expect("message").contains("1,000.001 bbl, over the limit of 1,000 bbl"), "{f}");
    // The summary lists each window's total.
    let totals = v["summary"]["aggregates"]["totals"].as_array().expect("totals");
    let y2018 = totals.iter().find(|t| t["rule"] == "CAP-BBL" && t["window"] == "2018").expect("2018");
    assert_eq!((y2018["totals"][0].as_str(), y2018["over"].as_bool()), (Some("1000.001"), Some(true)));
    // Whichever is lower: 500 t + 300 bbl is 540.9 t (over 525 t) while 3,965 bbl is under 4,000 bbl.
    let c2 = v["records"].as_array().expect("records").iter().find(|r| r["id"] == "C2").expect("C2");
    let t = &c2["findings"][0]["aggregate"]["totals"];
    assert_eq!(t[0], "3965");
    assert!(t[1].as_str().expect("t").starts_with("540.92"), "{t}");
}

#[test]
fn order_split_and_threads_do_not_change_the_findings() {
    let (header, rows) = rows();
    let mut shuffled = rows.clone();
    // A fixed permutation: reversed, then every third row moved to the end.
    shuffled.reverse();
    type Numbered = Vec<(usize, String)>;
    let (thirds, rest): (Numbered, Numbered) = shuffled.into_iter().enumerate().partition(|(i, _)| i % 3 == 0);
    let order: Vec<String> = rest.into_iter().chain(thirds).map(|(_, r)| r).collect();
    let half = order.len() / 2;
    let pack = TempPack::new(&[]);
    let a = pack.write("a.csv", format!("{header}\n{}\n", order[..half].join("\n")));
    let b = pack.write("b.csv", format!("{header}\n{}\n", order[half..].join("\n")));
    let want = expected();
    for threads in ["1", "2"] {
        let (got, o) = check(&["--threads", threads], &[a.to_str().expect("path"), b.to_str().expect("path")]);
        assert_eq!(got, want, "threads {threads}: {}", stderr(&o));
    }
}

#[test]
fn the_same_file_twice_is_counted_once() {
    let (got, o) = check(&[], &[CASES, CASES]);
    assert_eq!(got, expected(), "{}", stderr(&o));
    let o = cordon(&["check", "--rules", PACK, "--format", "summary", CASES, CASES]);
    let twice: Value = serde_json::from_str(&stdout(&o)).expect("json");
    let o = cordon(&["check", "--rules", PACK, "--format", "summary", CASES]);
    let once: Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(twice["aggregates"]["totals"], once["aggregates"]["totals"]);
}

fn export(state: &Path) -> String {
    let o = cordon(&["state", "--state", state.to_str().expect("path"), "export"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Runs and files differ between one run and two; the standings must not.
    stdout(&o)
        .lines()
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            format!("{},{},{},{},{},{}", c[0], c[1], c[2], c[3], c[4], c[c.len() - 1])
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn two_runs_in_sequence_equal_one_run_over_both_files() {
    let (header, rows) = rows();
    let pack = TempPack::new(&[]);
    // Alternate rows: the second file holds records dated before some of the first's.
    let a: Vec<&String> = rows.iter().step_by(2).collect();
    let b: Vec<&String> = rows.iter().skip(1).step_by(2).collect();
    let fa =
        pack.write("a.csv", format!("{header}\n{}\n", a.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n")));
    let fb =
        pack.write("b.csv", format!("{header}\n{}\n", b.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n")));
    let (fa, fb) = (fa.to_str().expect("path"), fb.to_str().expect("path"));
    let two = pack.path().join("two.db");
    let one = pack.path().join("one.db");
    let s2 = two.to_str().expect("path");
    let (first, _) = check(&["--state", s2], &[fa]);
    let (second, o) = check(&["--state", s2], &[fb]);
    assert!(stderr(&o).contains("(run 2)"), "{}", stderr(&o));
    let (both, _) = check(&["--state", one.to_str().expect("path")], &[fa, fb]);
    assert_eq!(export(&two), export(&one));
    // The second run's records stand as they do in one run over both.
    for (id, r) in &second {
        assert_eq!(Some(r), both.get(id), "{id}");
    }
    // A record of the first run that the second run's earlier-dated records
    // pushed over the limit is reported as a change, not rewritten silently.
    let changed: Vec<&String> = first.iter().filter(|(id, r)| both.get(*id) != Some(r)).map(|(id, _)| id).collect();
    let o = cordon(&["check", "--rules", PACK, "--format", "summary", "--state", s2, fb]);
    let v: Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert!(v["aggregates"]["changes"].as_array().is_none_or(|c| c.is_empty()), "a rerun changes nothing: {v}");
    if !changed.is_empty() {
        let o = cordon(&["state", "--state", s2, "export"]);
        for id in &changed {
            assert!(stdout(&o).contains(&format!(",{id},")), "{id}");
        }
    }
}

#[test]
fn a_back_dated_record_reports_the_standings_it_changes() {
    let pack = TempPack::new(&[]);
    let header = "id,date,origin,destination,hs_code,quantity,unit,value,currency,buyer";
    let march = pack.write(
        "march.csv",
        format!("{header}\nM1,2018-03-01,CN,KP,2710,600,bbl,1,USD,X\nM2,2018-04-01,CN,KP,2710,300,bbl,1,USD,X\n"),
    );
    let jan = pack.write("correction.csv", format!("{header}\nJ1,2018-01-15,CN,KP,2710,200,bbl,1,USD,X\n"));
    let state = pack.path().join("s.db");
    let s = state.to_str().expect("path");
    let (first, _) = check(&["--state", s], &[march.to_str().expect("path")]);
    assert_eq!(first["M2"].0, "pass");
    let o = cordon(&["check", "--rules", PACK, "--format", "json", "--state", s, jan.to_str().expect("path")]);
    let v: Value = serde_json::from_str(&stdout(&o)).expect("json");
    let changes = v["summary"]["aggregates"]["changes"].as_array().expect("changes");
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(
        (changes[0]["record"].as_str(), changes[0]["before"].as_str(), changes[0]["after"].as_str()),
        (Some("M2"), Some("under"), Some("over"))
    );
    assert!(stderr(&o).contains("record `M2` (counted by run 1) is now over (was under)"), "{}", stderr(&o));
    // J1 itself stays within the limit: it comes first in date order.
    assert_eq!(v["records"][0]["decision"], "pass");
}

#[test]
fn a_changed_record_with_a_known_id_is_a_conflict_not_a_recount() {
    let pack = TempPack::new(&[]);
    let header = "id,date,origin,destination,hs_code,quantity,unit,value,currency,buyer";
    let v1 = pack.write("v1.csv", format!("{header}\nX1,2018-03-01,CN,KP,2710,600,bbl,1,USD,X\n"));
    let v2 = pack.write("v2.csv", format!("{header}\nX1,2018-03-01,CN,KP,2710,900,bbl,1,USD,X\n"));
    let s = pack.path().join("s.db");
    let s = s.to_str().expect("path");
    check(&["--state", s], &[v1.to_str().expect("path")]);
    let o = cordon(&["check", "--rules", PACK, "--format", "jsonl", "--state", s, v2.to_str().expect("path")]);
    let r: Value = serde_json::from_str(stdout(&o).lines().next().expect("line")).expect("json");
    assert_eq!(r["decision"], "review");
    assert!(
        r["findings"][0]["message"].as_str().expect("message").contains("counted a different record with the id `X1`"),
        "{r}"
    );
    let o = cordon(&["state", "--state", s, "export"]);
    assert!(stdout(&o).contains("CAP-BBL,X1,,2018-03-01,600,"), "the first version stays counted: {}", stdout(&o));
}

#[test]
fn a_state_file_that_cannot_be_used_is_an_error_and_changes_nothing() {
    let pack = TempPack::new(&[]);
    // Not a database.
    let bad = pack.write("bad.db", "this is not a SQLite database, only some text that is long enough\n".repeat(20));
    let before = std::fs::read(&bad).expect("read");
    let o = cordon(&["check", "--rules", PACK, "--state", bad.to_str().expect("path"), CASES]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("it is not a SQLite database"), "{}", stderr(&o));
    assert!(stdout(&o).is_empty(), "no output when the state cannot be used");
    assert_eq!(std::fs::read(&bad).expect("read"), before);
    // Read-only.
    let ro = pack.path().join("ro.db");
    check(&["--state", ro.to_str().expect("path")], &[CASES]);
    let mut perms = std::fs::metadata(&ro).expect("meta").permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&ro, perms).expect("chmod");
    let before = std::fs::read(&ro).expect("read");
    let o = cordon(&["check", "--rules", PACK, "--state", ro.to_str().expect("path"), CASES]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is read-only"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&ro).expect("read"), before);
    // Locked by another writer.
    let locked = pack.path().join("locked.db");
    check(&["--state", locked.to_str().expect("path")], &[CASES]);
    let conn = rusqlite::Connection::open(&locked).expect("open");
    conn.execute_batch("BEGIN EXCLUSIVE").expect("lock");
    let o = cordon(&["check", "--rules", PACK, "--state", locked.to_str().expect("path"), CASES]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is locked by another run"), "{}", stderr(&o));
    conn.execute_batch("ROLLBACK").expect("unlock");
    let o = cordon(&["state", "--state", locked.to_str().expect("path"), "history"]);
    assert_eq!(stdout(&o).matches("  run ").count(), 1, "{}", stdout(&o));
}

#[test]
fn a_killed_run_leaves_the_state_as_it_was() {
    let pack = TempPack::new(&[]);
    let mut csv = String::from("id,date,origin,destination,hs_code,quantity,unit,value,currency,buyer\n");
    for i in 0..300_000 {
        csv.push_str(&format!(
            "K{i},2018-{:02}-{:02},CN,KP,2710,1,bbl,{},USD,B{}\n",
            i % 12 + 1,
            i % 28 + 1,
            i % 900,
            i % 50
        ));
    }
    let big = pack.write("big.csv", csv);
    let state = pack.path().join("s.db");
    let s = state.to_str().expect("path");
    check(&["--state", s], &[CASES]);
    let before = export(&state);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cordon"))
        .args(["check", "--rules", PACK, "--format", "summary", "--state", s, big.to_str().expect("path")])
        .current_dir(root())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    // Kill it while it counts (the first pass takes well over this).
    std::thread::sleep(std::time::Duration::from_millis(400));
    let finished = child.try_wait().expect("wait").is_some();
    child.kill().expect("kill");
    child.wait().expect("reap");
    if !finished {
        assert_eq!(export(&state), before, "a killed run leaves the counted records as they were");
        let o = cordon(&["state", "--state", s, "history"]);
        assert_eq!(stdout(&o).matches("  run ").count(), 1, "{}", stdout(&o));
    }
    // The state is usable afterwards.
    let (got, _) = check(&["--state", s], &[CASES]);
    assert_eq!(got, expected());
}

#[test]
fn aggregate_declarations_are_checked() {
    for (rule, message) in [
        ("total: sum(quantity)\n limit: 5", "has a `total` but no `window` or no `limit`"),
        ("window: \"month\"", "`window` belongs to a rule over many records"),
        ("total: sum(quantity)\n window: \"fortnight\"\n limit: 5", "`fortnight` is not a window"),
        ("total: count()\n window: \"month\"\n limit: \"5 bbl\"", "a count is a plain number"),
        ("total: sum(origin)\n window: \"month\"\n limit: 5", "`origin` is not a decimal field"),
        ("total: sum(quantity)\n window: \"month\"\n limit: \"5 tons\"", "ambiguous"),
        ("total: sum(quantity)\n window: \"month\"\n limit: \"5 bbl or 2 t\"", "no factor links them"),
        ("total: avg(quantity)\n window: \"month\"\n limit: 5", "unknown total `avg`"),
        ("total: sum(quantity)\n group: [buyr]\n window: \"month\"\n limit: 5", "unknown field `buyr`"),
        (
            "total: sum(quantity)\n window: \"month\"\n limit: 5",
            "`quantity` has a unit of measure: give the limit in one",
        ),
        (
            "total: max(value)\n window: \"month\"\n limit: 5",
            "`value` is an amount of money: give the limit in a currency",
        ),
    ] {
        let text = format!(
            "regime T\nrule R {{\n title: \"t\"\n cite: \"c\"\n severity: review\n when: origin in {{ KP }}\n {rule}\n}}\n"
        );
        let pack = TempPack::new(&[("r.cordon", &text)]);
        let o = cordon(&["validate", "--rules", pack.path().to_str().expect("path")]);
        assert_eq!(o.status.code(), Some(2), "{rule}");
        assert!(stderr(&o).contains(message), "{rule}: {}", stderr(&o));
    }
}

#[test]
fn the_example_packs_pass_their_tests_and_find_the_structuring() {
    for pack in ["rules/examples/structuring", "rules/examples/licences"] {
        let o = cordon(&["test", "--rules", pack]);
        assert!(o.status.success(), "{pack}: {}", stdout(&o));
        assert!(stdout(&o).contains("with a near miss"), "{}", stdout(&o));
    }
    let o = check_jsonl(Path::new("rules/examples/structuring"), Path::new("rules/examples/structuring/shipments.csv"));
    let got = results(&stdout(&o));
    // 18,000 + 17,500 + 16,000 within 30 days passes 50,000 only with the third;
    // the fourth is 36 days after the first, alone in its window.
    assert_eq!(got["ST-02"].0, "pass");
    assert_eq!(got["ST-03"].1, ["\"STRUCT-30D\""]);
    assert_eq!(got["ST-04"].0, "pass");
    assert_eq!(got["ST-06"].1, ["\"SINGLE-ABOVE\"", "\"STRUCT-30D\""]);
}

#[test]
fn state_can_be_shown_corrected_with_a_reason_and_exported() {
    let pack = TempPack::new(&[]);
    let state = pack.path().join("s.db");
    let s = state.to_str().expect("path");
    check(&["--state", s], &[CASES]);
    let o = cordon(&["state", "--state", s, "show", "--rules", PACK]);
    assert!(o.status.success(), "{}", stderr(&o));
    let shown = stdout(&o);
    assert!(shown.contains("CAP-BBL  (all)  2018  total 1000.001 of 1,000 bbl  (3 records)  OVER"), "{shown}");
    assert!(shown.contains("STRUCTURING  buyer=acme  "), "{shown}");
    // A correction needs a reason, and is recorded with it.
    let o = cordon(&[
        "state",
        "--state",
        s,
        "reset",
        "--rule",
        "CAP-BBL",
        "--window",
        "2018-01-01..2018-12-31",
        "--why",
        "",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = cordon(&[
        "state",
        "--state",
        s,
        "reset",
        "--rule",
        "CAP-BBL",
        "--window",
        "2018-01-01..2018-12-31",
        "--why",
        "A3 was cancelled",
    ]);
    assert!(stdout(&o).contains("removed 3 counted record(s)"), "{}", stdout(&o));
    let o = cordon(&["state", "--state", s, "history"]);
    let h = stdout(&o);
    assert!(h.contains("reset rule CAP-BBL window 2018-01-01..2018-12-31 group (all) (3 records removed)"), "{h}");
    assert!(h.contains("because: A3 was cancelled"), "{h}");
    let o = cordon(&["state", "--state", s, "export"]);
    let csv = stdout(&o);
    assert!(csv.starts_with("rule,record,group,date,amounts,file,line,run,standing"), "{csv}");
    assert!(!csv.contains("CAP-BBL,A1,") && csv.contains("CAP-BBL,A4,"), "{csv}");
    // A state file that is not there is an error for the commands that read it.
    let o = cordon(&["state", "--state", pack.path().join("none.db").to_str().expect("path"), "history"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("there is no such file"), "{}", stderr(&o));
}

#[test]
fn the_largest_amount_leaves_a_rolling_window_when_it_ages_out() {
    let pack = TempPack::new(&[(
        "r.cordon",
        "regime T\nrule BIG { title: \"a shipment above 100 t within 10 days\" cite: \"test\" severity: review\n  when: origin in { AU }\n  total: max(quantity)\n  window: \"rolling 10 days\"\n  limit: \"100 t\" }\n",
    )]);
    let header = "id,date,origin,destination,hs_code,quantity,unit,value,currency,buyer";
    let csv = pack.write(
        "tx.csv",
        format!(
            "{header}\nD3,2024-03-01,AU,CN,2701,60,t,1,USD,X\nD1,2024-02-20,AU,CN,2701,150,t,1,USD,X\nD2,2024-02-24,AU,CN,2701,50000,kg,1,USD,X\n"
        ),
    );
    let o = check_jsonl(pack.path(), &csv);
    let got = results(&stdout(&o));
    assert_eq!(got["D1"].0, "review", "{got:?}");
    assert_eq!(got["D2"].0, "review", "150 t on 20 Feb is within the 10 days ending 24 Feb");
    // The 10 days ending 1 March 2024 (a leap year) start on 21 February: 150 t has aged out.
    assert_eq!(got["D3"].0, "pass", "{got:?}");
}

#[test]
fn what_a_pass_types_does_not_change_a_record_s_identity() {
    // The counting pass types only the fields its rules read; a pack that
    // reads fewer fields must still see the same records as the same.
    let full = std::fs::read_to_string(root().join(PACK)).expect("pack");
    let cap_only: String = full.split("\nrule CAP-CRUDE").next().expect("first rule").to_string();
    let pack = TempPack::new(&[("few/r.cordon", &cap_only)]);
    let state = pack.path().join("s.db");
    let s = state.to_str().expect("path");
    let few = pack.path().join("few");
    let o = cordon(&["check", "--rules", few.to_str().expect("path"), "--state", s, "--format", "jsonl", CASES]);
    assert!(o.status.code().is_some_and(|c| c <= 1), "{}", stderr(&o));
    let (got, _) = check(&["--state", s], &[CASES]);
    assert_eq!(got, expected(), "no record of the first run reads as a conflict in the second");
}

#[test]
fn a_total_converted_with_as_reads_a_plain_limit_in_its_unit() {
    let rule = |total: &str, limit: &str| {
        format!(
            "regime T\nrule CAP {{ title: \"cap\" cite: \"test\" severity: review\n  when: destination in {{ KP }}\n  total: {total}\n  window: \"calendar year\"\n  limit: {limit} }}\n"
        )
    };
    let header = "id,date,origin,destination,hs_code,quantity,unit,value,currency,buyer";
    let data =
        format!("{header}\nB1,2018-01-02,CN,KP,2710,600,bbl,1,USD,X\nB2,2018-01-03,CN,KP,2710,63.6,m3,1,USD,X\n");
    for (total, limit) in [("sum(quantity as bbl)", "1000"), ("sum(quantity)", "\"1000 bbl\"")] {
        let pack = TempPack::new(&[("r.cordon", &rule(total, limit))]);
        let csv = pack.write("tx.csv", &data);
        let o = check_jsonl(pack.path(), &csv);
        let got = results(&stdout(&o));
        // 63.6 m3 is 400.03 bbl: 600 + 400.03 passes 1,000 bbl.
        assert_eq!((got["B1"].0.as_str(), got["B2"].0.as_str()), ("pass", "review"), "{total} {limit}: {}", stderr(&o));
    }
    let pack = TempPack::new(&[("r.cordon", &rule("sum(quantity as bbl with 1 t = 7 bbl)", "1000"))]);
    let o = cordon(&["validate", "--rules", pack.path().to_str().expect("path")]);
    assert!(stderr(&o).contains("a conversion factor goes in the limit"), "{}", stderr(&o));
}

#[test]
fn an_embedded_run_that_did_not_count_first_passes_no_counted_record() {
    let engine = cordon::Engine::from_dir(root().join(PACK)).expect("pack");
    assert!(engine.counts());
    let csv = std::fs::read(root().join(CASES)).expect("cases");
    let mut decisions = Vec::new();
    let mut stage = cordon::each_record(|item| {
        decisions.push((item.id().unwrap_or("").to_string(), item.decision()));
        Ok(())
    });
    let input = cordon::InputSource::reader("cases.csv", cordon::Format::Csv, std::io::Cursor::new(csv));
    engine.run(vec![input], &cordon::RunOptions::new(), &mut [&mut stage]).expect("runs");
    // Every record a rule counts is undecided (review) without the run's
    // totals; records outside every window (K1, K4) are not counted.
    for (id, d) in &decisions {
        let counted = !matches!(id.as_str(), "K1" | "K4");
        assert_eq!(*d == Some(cordon::Decision::Pass), !counted, "{id}: {d:?}");
    }
}

#[test]
fn the_counting_pass_counts_as_a_pack_whose_totals_no_guard_indexes() {
    // The counting pass evaluates only the rules over many records that
    // their guards select, and types what they read only for those records.
    // The same rules with a condition no guard can be taken from (`or` a
    // test of the date that no record meets) are evaluated on every record,
    // typed in full: every record must stand the same.
    let full = std::fs::read_to_string(root().join(PACK)).expect("pack");
    let unguarded: String = full
        .lines()
        .map(|l| match l.strip_prefix("  when: ") {
            Some(c) => format!("  when: ({c}) or date < 1900-01-01\n"),
            None => format!("{l}\n"),
        })
        .collect();
    assert_eq!(unguarded.matches("or date < 1900-01-01").count(), 5);
    let pack = TempPack::new(&[("u/r.cordon", &unguarded)]);
    let dir = pack.path().join("u");
    let o = cordon(&["check", "--rules", dir.to_str().expect("path"), "--format", "jsonl", CASES]);
    assert!(o.status.code().is_some_and(|c| c <= 1), "{}", stderr(&o));
    let (got, _) = check(&[], &[CASES]);
    assert_eq!(got, expected());
    assert_eq!(results(&stdout(&o)), got);
}

#[test]
fn an_input_that_changed_between_the_two_passes_fails_the_run() {
    // A run that counts reads its inputs twice; totals counted over other
    // bytes than those decided on would not be of the same records.
    use cordon::unstable::store::{RunInfo, SqliteStore, Store};
    use cordon::{Engine, Format, InputSource, RunError, RunOptions};
    let engine = Engine::load(&root().join(PACK)).expect("pack");
    let text = std::fs::read_to_string(root().join(CASES)).expect("cases");
    let source = |t: &str| InputSource::reader("cases.csv", Format::Csv, std::io::Cursor::new(t.to_string()));
    let count = |t: &str| {
        let mut store = SqliteStore::in_memory().expect("store");
        let info =
            RunInfo { at: "2026-12-07T00:00:00Z".into(), who: "t".into(), rules: String::new(), inputs: String::new() };
        let run = store.begin(&info).expect("begin");
        let opened = engine.open(vec![source(t)], &RunOptions::new()).expect("opens");
        engine.count(opened, &RunOptions::new(), &mut store, run).expect("counts")
    };
    let standings = std::sync::Arc::new(count(&text));
    assert_eq!(standings.inputs.len(), 1);
    let opts = RunOptions::new().standings(std::sync::Arc::clone(&standings));
    // The same bytes: the run completes.
    let same = engine.run(vec![source(&text)], &opts, &mut []).expect("the same bytes run");
    assert_eq!(same.inputs[0].sha256, standings.inputs[0]);
    // One quantity changed by a digit: the run fails, naming the input.
    let changed = text.replacen(",300,", ",900,", 1);
    assert_ne!(changed, text, "the cases hold a quantity of 300");
    match engine.run(vec![source(&changed)], &opts, &mut []) {
        Err(cordon::Error::Run(RunError::InputChanged { file, counted, read })) => {
            assert_eq!(file, "cases.csv");
            assert_eq!(counted, standings.inputs[0]);
            assert_ne!(read, counted);
        }
        other => panic!("expected the input to be found changed, got {other:?}"),
    }
}

#[test]
fn a_record_a_total_may_count_is_checked_in_full_before_it_is_counted() {
    // The counting pass reads a record past its index's fields only when a
    // rule over many records may count it; such a record with an unreadable
    // required field (an origin that is no country, an empty id) is invalid
    // in both passes and adds nothing to the total, whatever else it holds.
    let pack = TempPack::new(&[(
        "r.cordon",
        "regime T\nrule CAP { title: \"cap\" cite: \"test\" severity: review\n  when: destination in { KP } and hs_code in { 2710 }\n  total: sum(quantity)\n  window: \"calendar year\"\n  limit: \"1000 bbl\" }\n",
    )]);
    let header = "id,date,origin,destination,hs_code,quantity,unit,value,currency,buyer";
    let csv = pack.write(
        "tx.csv",
        format!(
            "{header}\nC1,2018-01-02,CN,KP,2710,600,bbl,1,USD,X\nC2,2018-01-03,ZZZ,KP,2710,600,bbl,1,USD,X\n,2018-01-04,CN,KP,2710,600,bbl,1,USD,X\nC3,2018-01-05,CN,KP,2710,300,bbl,1,USD,X\nC4,2018-01-06,ZZZ,CN,8703,5,u,1,USD,X\n"
        ),
    );
    let o = check_jsonl(pack.path(), &csv);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let lines: Vec<Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).expect("json line")).collect();
    let by_line = |n: u64| lines.iter().find(|v| v["line"] == n).unwrap_or_else(|| panic!("line {n}: {lines:?}"));
    // C1 and C3 are 900 bbl together: under the cap, so both pass; C2 and
    // the record without an id would have taken it to 2,100 bbl.
    assert_eq!(by_line(2)["decision"], "pass", "{:?}", by_line(2));
    assert_eq!(by_line(5)["decision"], "pass", "{:?}", by_line(5));
    for n in [3, 4, 6] {
        assert_eq!(by_line(n)["decision"], "invalid", "line {n}: {:?}", by_line(n));
    }
}

/// Shipments to one buyer written three ways, 18,000 + 19,000 + 18,000 USD
/// within 13 days: one group (55,000, over the example's 50,000).
const SPLIT_A: &str = "id,date,origin,destination,hs_code,quantity,unit,value,currency,seller,buyer\n\
    SP-01,2024-05-02,DE,AE,8458.11,1,u,18000,USD,Werkzeugbau GmbH,Gulf Machinery LLC\n\
    SP-02,2024-05-09,DE,AE,8458.11,1,u,19000,USD,Werkzeugbau GmbH,GULF MACHINERY L.L.C.\n";
const SPLIT_B: &str = "id,date,origin,destination,hs_code,quantity,unit,value,currency,seller,buyer\n\
    SP-03,2024-05-14,DE,AE,8459.10,1,u,18000,USD,Werkzeugbau GmbH,Gulf Machinery\n";
const STRUCTURING: &str = "rules/examples/structuring";

#[test]
fn a_buyer_written_with_its_legal_form_punctuated_or_dropped_is_one_group() {
    let pack = TempPack::new(&[]);
    let all = pack.write("all.csv", format!("{SPLIT_A}{}", SPLIT_B.lines().nth(1).expect("row")));
    let got = results(&stdout(&check_jsonl(Path::new(STRUCTURING), &all)));
    assert_eq!(got["SP-02"].0, "pass");
    assert_eq!(got["SP-03"].1, ["\"STRUCT-30D\""], "{got:?}");
    let o = cordon(&["check", "--rules", STRUCTURING, "--format", "json", all.to_str().expect("path")]);
    assert!(stdout(&o).contains("for buyer=gulf machinery is 55,000 USD"), "{}", stdout(&o));
}

/// Turns a state file written by this Cordon back into one an earlier
/// Cordon (schema version 3, group keys folded for case and spacing only)
/// wrote: `keys` maps each record to its key as that version made it.
fn as_written_by_version_3(state: &Path, keys: &[(&str, &str)]) {
    let db = rusqlite::Connection::open(state).expect("opens");
    for (record, key) in keys {
        let n = db.execute("UPDATE counted SET grp = ?2 WHERE record = ?1", [record, key]).expect("updates");
        assert_eq!(n, 1, "{record}");
    }
    db.execute_batch(
        "ALTER TABLE rules DROP COLUMN group_keys; UPDATE meta SET value = '3' WHERE key = 'schema_version';",
    )
    .expect("downgrades");
}

fn schema_version(state: &Path) -> String {
    let db = rusqlite::Connection::open(state).expect("opens");
    db.query_row("SELECT value FROM meta WHERE key = 'schema_version'", [], |r| r.get(0)).expect("version")
}

/// A state that counted [`SPLIT_A`], in a temporary folder, with
/// [`SPLIT_B`] written beside it for the next run.
fn counted_split_a() -> (TempPack, std::path::PathBuf, std::path::PathBuf) {
    let pack = TempPack::new(&[]);
    let state = pack.path().join("s.db");
    let (a, b) = (pack.write("a.csv", SPLIT_A), pack.write("b.csv", SPLIT_B));
    let s = state.to_str().expect("path");
    let o = cordon(&["check", "--rules", STRUCTURING, "--format", "summary", "--state", s, a.to_str().expect("a")]);
    assert!(o.status.success(), "{}", stderr(&o));
    (pack, state, b)
}

#[test]
fn a_state_an_older_cordon_wrote_is_grouped_as_now_before_it_counts() {
    let (_pack, state, b) = counted_split_a();
    let s = state.to_str().expect("path");
    as_written_by_version_3(&state, &[("SP-01", "buyer=gulf machinery llc"), ("SP-02", "buyer=gulf machinery l.l.c.")]);
    // Read without being written, the old keys are grouped as a run groups them.
    let o = cordon(&["state", "--state", s, "show", "--rules", STRUCTURING]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("STRUCT-30D  buyer=gulf machinery  "), "{}", stdout(&o));
    assert!(stdout(&o).contains("(2 records)"), "{}", stdout(&o));
    assert_eq!(schema_version(&state), "3", "showing writes nothing");
    // A group cannot be named for a reset while the file keeps the old keys.
    let o = cordon(&["state", "--state", s, "reset", "--group", "buyer=gulf machinery", "--why", "test"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("keeps group keys made by an older Cordon"), "{}", stderr(&o));
    // The next run makes the keys again, then counts: the third shipment crosses.
    let o = cordon(&["check", "--rules", STRUCTURING, "--format", "jsonl", "--state", s, b.to_str().expect("b")]);
    let got = results(&stdout(&o));
    assert_eq!(got["SP-03"].1, ["\"STRUCT-30D\""], "{}", stderr(&o));
    assert!(stdout(&o).contains("55,000 USD"), "{}", stdout(&o));
    let csv = export(&state);
    assert_eq!(csv.matches(",buyer=gulf machinery,").count(), 3, "{csv}");
    assert_eq!(schema_version(&state), "4");
}

#[test]
fn an_old_group_key_that_cannot_be_read_back_fails_the_run_and_changes_nothing() {
    let (_pack, state, b) = counted_split_a();
    let s = state.to_str().expect("path");
    as_written_by_version_3(&state, &[("SP-01", "buyer=gulf machinery llc"), ("SP-02", "seller=werkzeugbau gmbh")]);
    let before = export(&state);
    let o = cordon(&["check", "--rules", STRUCTURING, "--format", "summary", "--state", s, b.to_str().expect("b")]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("under the group `seller=werkzeugbau gmbh`"), "{}", stderr(&o));
    assert_eq!(export(&state), before);
}
