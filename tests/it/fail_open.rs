//! Nothing fails open, end to end: a file without party, vessel or party-
//! country columns (the audit's `nocols.csv`) is never reported as screened,
//! its records are never passed for what could not be checked, and every
//! output — JSON summary, JSON Lines records, stderr, exit code, report —
//! says what was not checked.

use serde_json::Value;

use super::harness::{cordon, stderr, stdout};

const FILE: &str = "tests/data/fail-open/no-party-columns.csv";

fn check(extra: &[&str]) -> std::process::Output {
    let mut args = vec!["check", "--rules", "rules"];
    args.extend_from_slice(extra);
    args.push(FILE);
    cordon(&args)
}

#[test]
fn check_json_says_nothing_was_screened_and_passes_nothing() {
    let o = check(&["--format", "json"]);
    // No record passes: the rice to the DPRK and the rice between third
    // countries are both undecided for screening.
    assert_eq!(o.status.code(), Some(0), "no block: the default --fail-on block exits 0");
    let v: Value = serde_json::from_str(&stdout(&o)).expect("json");
    let s = &v["summary"];
    assert_eq!(s["decisions"]["pass"], 0, "{s}");
    assert_eq!(s["decisions"]["review"], 2);
    // The party group has no column at all, and that means review.
    let groups = s["missing_groups"].as_array().expect("missing groups");
    assert!(groups.iter().any(|g| g["group"] == "parties" && g["on_missing_column"] == "review"), "{s}");
    // Nothing was screened against either list, and the summary says so.
    for list in s["screening"].as_array().expect("coverage") {
        assert_eq!(list["records_screened"], 0, "{list}");
        assert_eq!(list["records_not_screened"], 2, "{list}");
    }
    // Rules whose missing columns mean `skip` are listed with counts.
    let skipped = s["skipped_rules"].as_array().expect("skipped rules");
    assert!(!skipped.is_empty());
    assert!(skipped.iter().any(|k| k["rule"] == "KP-TRANSIT" && k["fields"][0] == "route"), "{skipped:?}");
    let records = v["records"].as_array().expect("records");
    let rice_to_kp = records.iter().find(|r| r["id"] == "NP-1").expect("NP-1");
    let rules: Vec<&str> =
        rice_to_kp["findings"].as_array().expect("findings").iter().filter_map(|f| f["rule"].as_str()).collect();
    assert!(rules.contains(&"KP-DESIG-PARTY"), "{rules:?}");
    let desig = rice_to_kp["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "KP-DESIG-PARTY")
        .expect("finding");
    assert_eq!(desig["outcome"], "indeterminate");
    assert_eq!(desig["no_column"][0], "seller");
    assert!(desig["message"].as_str().unwrap_or("").starts_with("Not decided: "), "{desig}");
    // Each record names the rules skipped on it.
    assert!(records.iter().all(|r| r["skipped"].as_array().is_some_and(|k| !k.is_empty())), "{records:?}");
    // stderr says it too, after the one-line summary.
    let err = stderr(&o);
    assert!(err.contains("has no column for any field of the `parties` group"), "{err}");
    assert!(err.contains("had nothing to screen against UN_SC"), "{err}");
}

#[test]
fn skipped_rules_fail_a_run_under_fail_on_review_even_when_every_record_passes() {
    // A firm that declares party and vessel columns optional (`skip`) gets
    // passes, but the run still says what it did not check and is not clean.
    let dir = tempfile::tempdir().expect("dir");
    let cfg = dir.path().join("config.yaml");
    std::fs::write(
        &cfg,
        "on_missing_column:\n  parties: skip\n  party_countries: skip\n  receiving_countries: skip\n  seller: skip\n  buyer: skip\n  seller_country: skip\n  buyer_country: skip\n  vessel_imo: skip\n  vessel_flag: skip\n",
    )
    .expect("config");
    let cfg = cfg.display().to_string();
    let o = check(&["--config", &cfg, "--format", "json"]);
    let v: Value = serde_json::from_str(&stdout(&o)).expect("json");
    // Rice is no prohibited good: with the checks the config waives, both
    // records pass, and what was not checked is listed.
    assert_eq!(v["summary"]["decisions"]["review"], 0, "{}", v["summary"]);
    assert!(!v["summary"]["skipped_rules"].as_array().expect("skipped").is_empty());
    assert_eq!(o.status.code(), Some(0));
    let o = check(&["--config", &cfg, "--format", "json", "--fail-on", "review"]);
    assert_eq!(o.status.code(), Some(1), "skipped rules are never a clean run under --fail-on review");
}

#[test]
fn the_report_never_calls_the_file_screened() {
    let dir = tempfile::tempdir().expect("dir");
    let out = dir.path().join("r.json");
    let o = cordon(&[
        "report",
        "--rules",
        "rules",
        "--format",
        "json",
        "--generated-at",
        "2026-12-05T00:00:00Z",
        "-o",
        &out.display().to_string(),
        FILE,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&out).expect("report")).expect("json");
    // The executive summary lists what was not checked.
    let notes: Vec<&str> =
        r["summary"]["not_checked"].as_array().expect("notes").iter().filter_map(Value::as_str).collect();
    assert!(notes.iter().any(|n| n.contains("no column for any field of the `parties` group")), "{notes:?}");
    assert!(notes.iter().any(|n| n.contains("nothing to screen against UN_SC")), "{notes:?}");
    // The screening section counts no record as screened.
    for list in r["screening"]["coverage"].as_array().expect("coverage") {
        assert_eq!(list["records_screened"], 0, "{list}");
        assert_eq!(list["by_field"], serde_json::json!({}), "{list}");
    }
    assert!(!r["data_quality"]["skipped_rules"].as_array().expect("skipped").is_empty());
    assert!(r["data_quality"]["missing_groups"].as_array().expect("groups").iter().any(|g| g["group"] == "parties"));
    // The inventory shows which rules were not checked, and discloses caps.
    let rules = r["rules"].as_array().expect("rules");
    assert!(rules.iter().any(|x| x["id"] == "KP-TRANSIT" && x["skipped"] == 1), "{rules:?}");
    let cap = rules.iter().find(|x| x["id"] == "KP-RPP-2397").expect("cap rule");
    assert!(cap["note"].as_str().unwrap_or("").contains("cannot enforce it"), "{cap}");
    // The method says what a missing column means and that caps are reviewed per shipment.
    let method = r["method"]["statements"]
        .as_array()
        .expect("method")
        .iter()
        .filter_map(Value::as_str)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(method.contains("A file without a column for a field is not a file of empty values"), "{method}");
    assert!(method.contains("cannot be enforced from one firm's records"), "{method}");
}

#[test]
fn the_csv_output_lists_what_was_not_checked_on_each_record() {
    let o = check(&["--format", "csv"]);
    let text = stdout(&o);
    let skipped: Vec<&str> = text.lines().filter(|l| l.contains(",skipped,")).collect();
    assert!(
        skipped.iter().any(|l| l.starts_with("NP-2,") && l.contains("KP-TRANSIT") && l.contains(",route,")),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l.starts_with("NP-1,") && l.contains("KP-DESIG-PARTY,review,indeterminate")),
        "{text}"
    );
}
