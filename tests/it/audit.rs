//! What an auditor needs of a report besides its findings (issue 19): the
//! population each input held and its reconciliation to the source's
//! figures, invalid records placed in their period.

use super::harness::{cordon, root, stderr};

const SEEDS: &str = "seeds/transactions/trade-2016-2019.csv";

/// `cordon report --format json` on `inputs` with `args`; the exit status and the JSON.
fn report_json(args: &[&str], inputs: &[&str]) -> (Option<i32>, serde_json::Value, String) {
    let mut all = vec!["report", "--rules", "rules", "--generated-at", "2026-11-28T12:00:00Z", "--format", "json"];
    all.extend_from_slice(&["-o", "-"]);
    all.extend_from_slice(args);
    all.extend_from_slice(inputs);
    let o = cordon(&all);
    let v = serde_json::from_slice(&o.stdout).unwrap_or(serde_json::Value::Null);
    (o.status.code(), v, stderr(&o))
}

#[test]
fn the_population_is_what_each_file_holds() {
    let (code, v, err) = report_json(&[], &[SEEDS]);
    assert_eq!(code, Some(0), "{err}");
    let bytes = std::fs::read(root().join(SEEDS)).expect("seeds");
    let p = &v["population"]["inputs"][0];
    assert_eq!(p["bytes"], bytes.len() as u64);
    assert_eq!(p["lines"], bytes.iter().filter(|b| **b == b'\n').count() as u64);
    assert_eq!(p["records"], v["counts"]["read"]);
    assert_eq!(p["invalid"], v["counts"]["invalid"]);
    // A file named 2016–2019 that holds earlier records says so.
    assert_eq!(p["first_date"], "2008-05-14");
    assert_eq!(p["last_date"], "2019-12-31");
    let years: u64 = p["by_year"].as_array().expect("years").iter().map(|y| y["records"].as_u64().unwrap()).sum();
    assert_eq!(years + p["dates_unreadable"].as_u64().unwrap(), p["records"].as_u64().unwrap());
    // Per currency, exact: every record is in a total or counted as not read.
    let in_totals: u64 = p["totals"].as_array().expect("totals").iter().map(|t| t["records"].as_u64().unwrap()).sum();
    assert_eq!(in_totals + p["values_not_read"].as_u64().unwrap(), p["records"].as_u64().unwrap());
    let seq = p["id_sequences"].as_array().expect("sequences");
    assert!(seq.iter().any(|s| s["first"] == "TX-2017-000001" && s["missing"] == 0), "{seq:?}");
    assert_eq!(v["population"]["reconciliation"]["status"], "not given");
}

#[test]
fn a_missing_record_shows_as_a_gap_and_the_count_does_not_reconcile() {
    let dir = tempfile::tempdir().expect("tmp");
    let text = std::fs::read_to_string(root().join(SEEDS)).expect("seeds");
    let cut: String = text.lines().filter(|l| !l.starts_with("TX-2017-000010,")).map(|l| format!("{l}\n")).collect();
    assert_eq!(cut.lines().count() + 1, text.lines().count(), "one record taken out");
    let file = dir.path().join("extract.csv");
    std::fs::write(&file, cut).expect("write");
    let file = file.display().to_string();
    let (code, v, err) = report_json(&["--expect-records", "2759"], &[&file]);
    assert_eq!(code, Some(1), "a population that does not reconcile exits 1: {err}");
    assert!(err.contains("do not reconcile") && err.contains("records: 2758"), "{err}");
    let seq = v["population"]["inputs"][0]["id_sequences"].as_array().expect("sequences").clone();
    let s2017 = seq.iter().find(|s| s["prefix"] == "TX-2017-").expect("2017");
    assert_eq!((s2017["missing"].as_u64(), s2017["gaps"][0].as_str()), (Some(1), Some("TX-2017-000010")));
    let rec = &v["population"]["reconciliation"];
    assert_eq!(rec["status"], "no");
    assert_eq!(rec["checks"][0]["note"], "1 record fewer read than the source counted");
    // The same file against the right count reconciles; the cover says which.
    let (code, v, err) = report_json(&["--expect-records", "2758"], &[&file]);
    assert_eq!((code, &v["population"]["reconciliation"]["status"]), (Some(0), &"yes".into()), "{err}");
    let out = dir.path().join("r.pdf").display().to_string();
    for (n, says) in [("2759", "NOT reconciled: records: 2758"), ("2758", "reconciled: yes")] {
        let o = cordon(&["report", "--rules", "rules", "--expect-records", n, "-o", &out, &file]);
        assert!(o.status.code().is_some_and(|c| c < 2), "{}", stderr(&o));
        let text = pdf_first_page(&out);
        assert!(text.contains(says), "{n}: {text}");
    }
}

fn pdf_first_page(path: &str) -> String {
    let doc = lopdf::Document::load(path).expect("pdf");
    doc.extract_text(&[1]).expect("text").split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn a_source_manifest_is_printed_and_reconciled_to_including_its_period() {
    let dir = tempfile::tempdir().expect("tmp");
    let manifest = dir.path().join("extract.yaml");
    std::fs::write(
        &manifest,
        "system: ERP PRD\nquery: all export lines 2016-2019\nextracted_by: IT operations\nextracted_at: 2026-11-30T08:00:00Z\nperiod: 2016-01-01..2019-12-31\nrecords: 2759\n",
    )
    .expect("write");
    let m = manifest.display().to_string();
    let (code, v, err) = report_json(&["--source-manifest", &m], &[SEEDS]);
    assert_eq!(code, Some(1), "{err}");
    let p = &v["population"];
    assert_eq!(p["source"]["system"], "ERP PRD");
    assert_eq!(p["source_file"]["path"], m.as_str());
    // The count agrees; two records dated 2008 and 2009 are outside the stated period.
    let checks = p["reconciliation"]["checks"].as_array().expect("checks");
    assert_eq!(checks.iter().map(|c| c["agrees"].as_bool().unwrap()).collect::<Vec<_>>(), [true, false]);
    let outside = &p["outside_stated_period"];
    assert_eq!((outside["records"].as_u64(), outside["evaluated"].as_bool()), (Some(2), Some(true)));
    assert_eq!(outside["listed"][0]["date"], "2008-05-14");
    // A manifest Cordon cannot read stops the run, naming the field.
    std::fs::write(&manifest, "records: 2759\ntotals:\n  USD: 1,000\n").expect("write");
    let (code, _, err) = report_json(&["--source-manifest", &m], &[SEEDS]);
    assert_eq!(code, Some(2));
    assert!(err.contains("totals.USD") && err.contains("1,000"), "{err}");
    std::fs::write(&manifest, "record: 2759\n").expect("write");
    let (code, _, err) = report_json(&["--source-manifest", &m], &[SEEDS]);
    assert!(code == Some(2) && err.contains("unknown field `record`"), "{err}");
}

#[test]
fn value_totals_reconcile_only_when_every_value_was_read() {
    let dir = tempfile::tempdir().expect("tmp");
    let csv = "id,date,seller,buyer,origin,destination,hs_code,description,quantity,unit,value,currency\n\
        T-1,2019-01-02,Acme GmbH,Beta Ltd,DE,FR,8471.30,laptops,10,u,1000.10,USD\n\
        T-2,2019-01-03,Acme GmbH,Beta Ltd,DE,FR,8471.30,laptops,10,u,2000.25,usd\n\
        T-3,2019-01-04,Acme GmbH,Beta Ltd,DE,FR,8471.30,laptops,10,u,30.5,EUR\n";
    let file = dir.path().join("t.csv");
    std::fs::write(&file, csv).expect("write");
    let file = file.display().to_string();
    let (code, v, err) = report_json(&["--expect-total", "USD=3000.35", "--expect-total", "EUR=30.50"], &[&file]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(v["population"]["reconciliation"]["status"], "yes");
    let (code, v, _) = report_json(&["--expect-total", "USD=3000.36"], &[&file]);
    assert_eq!(code, Some(1));
    assert_eq!(v["population"]["reconciliation"]["checks"][0]["note"], "differs by -0.01");
    // A record whose value cannot be read leaves the total unknown.
    std::fs::write(
        dir.path().join("t.csv"),
        format!("{csv}T-4,2019-01-05,Acme GmbH,Beta Ltd,DE,FR,8471.30,laptops,1,u,12O.00,USD\n"),
    )
    .expect("write");
    let (code, v, _) = report_json(&["--expect-total", "USD=3000.35"], &[&file]);
    assert_eq!(code, Some(1));
    let note = v["population"]["reconciliation"]["checks"][0]["note"].as_str().unwrap_or_default().to_string();
    assert!(note.contains("not known"), "{note}");
    for bad in ["USD", "USD=1,000", "DOLLARS=5"] {
        let (code, _, err) = report_json(&["--expect-total", bad], &[&file]);
        assert!(code == Some(2) && err.contains("--expect-total"), "{bad}: {err}");
    }
}

/// Invalid records belong to their period when their date reads: the annual
/// reports of a file add up to it; those whose date does not read are in
/// every period, and said to be.
#[test]
fn invalid_records_are_placed_in_their_period() {
    let (_, all, _) = report_json(&[], &[SEEDS]);
    let invalid = all["counts"]["invalid"].as_u64().unwrap();
    let unknown = all["population"]["inputs"][0]["dates_unreadable"].as_u64().unwrap();
    assert!(invalid > unknown && unknown > 0, "the seeds have invalid records with and without a date");
    let mut dated = 0;
    for year in 2008..=2019 {
        let period = format!("{year}-01-01..{year}-12-31");
        let (_, v, err) = report_json(&["--period", &period], &[SEEDS]);
        let c = &v["counts"];
        let n = |k: &str| c[k].as_u64().unwrap_or(0);
        assert_eq!(n("read"), n("excluded_outside_period") + n("evaluated") + n("invalid"), "{period}: {err}");
        assert_eq!(n("invalid_period_unknown"), unknown, "{period}");
        dated += n("invalid") - n("invalid_period_unknown");
    }
    assert_eq!(dated + unknown, invalid, "the years' invalid records add up to the file's");
}

/// One run writes PDF, JSON and CSV with their SHA-256 manifest; the PDF's
/// cover holds the others' fingerprints and the results digest; `--verify`
/// re-runs and finds an edited JSON (issue 19, item 7).
#[test]
fn one_run_writes_every_rendering_and_verify_finds_an_edit() {
    let dir = tempfile::tempdir().expect("tmp");
    let set = dir.path().join("audit-2026").display().to_string();
    let args = ["report", "--rules", "rules", "--generated-at", "2026-11-28T12:00:00Z"];
    let run = |dest: &[&str]| {
        let mut all = args.to_vec();
        all.extend_from_slice(dest);
        all.push(SEEDS);
        cordon(&all)
    };
    let o = run(&["--out-dir", &set]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let sums = std::fs::read_to_string(format!("{set}/SHA256SUMS")).expect("manifest");
    let mut listed = Vec::new();
    for line in sums.lines() {
        let (sha, name) = line.split_once("  ").expect("sha256sum format");
        let bytes = std::fs::read(format!("{set}/{name}")).expect("listed file");
        assert_eq!(sha, cordon::unstable::source::sha256_hex(&bytes), "{name}");
        listed.push(name.to_string());
    }
    assert_eq!(listed, ["report.json", "report.csv", "report.pdf"]);
    // The JSON and the single-file JSON of the same run decide alike: same digest.
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(format!("{set}/report.json")).expect("json")).expect("parses");
    let digest = json["results_digest"].as_str().expect("digest").to_string();
    assert_eq!(digest.len(), 64);
    let (_, alone, _) = report_json(&[], &[SEEDS]);
    assert_eq!(alone["results_digest"].as_str(), Some(digest.as_str()));
    // The cover carries the digest and the JSON's and CSV's fingerprints.
    let cover = pdf_first_page(&format!("{set}/report.pdf"));
    let json_sha = sums.lines().next().and_then(|l| l.split_once("  ")).map(|(h, _)| h).expect("json sha");
    for says in ["Results digest", &digest[..32], "rendering", "report.json", &json_sha[..32], "source commit"] {
        assert!(cover.replace(' ', "").contains(&says.replace(' ', "")), "cover lacks {says}: {cover}");
    }
    // The CSV accounts for invalid records as well as findings, each row with the digest.
    let mut csv = csv::Reader::from_path(format!("{set}/report.csv")).expect("csv");
    let rows: Vec<csv::StringRecord> = csv.records().map(|r| r.expect("row")).collect();
    let invalid: std::collections::BTreeSet<&str> = rows.iter().filter(|r| &r[5] == "invalid").map(|r| &r[3]).collect();
    assert_eq!(invalid.len() as u64, json["counts"]["invalid"].as_u64().unwrap());
    assert!(rows.iter().all(|r| r[22] == *digest));
    // A re-run verifies; an edited JSON is found.
    let o = run(&["--verify", &set]);
    assert_eq!(o.status.code(), Some(0), "{}{}", super::harness::stdout(&o), stderr(&o));
    assert!(super::harness::stdout(&o).contains("verified: report"));
    let path = format!("{set}/report.json");
    let edited =
        std::fs::read_to_string(&path).expect("json").replacen("\"decision\": \"block\"", "\"decision\": \"pass\"", 1);
    std::fs::write(&path, edited).expect("edit");
    let o = run(&["--verify", &format!("{set}/SHA256SUMS")]);
    let out = super::harness::stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("DIFFERS    report.json") && out.contains("changed after it was written"), "{out}");
    assert!(out.contains("identical  report.pdf") && out.contains("NOT verified"), "{out}");
    // A folder that is not a report set is refused, naming what is missing.
    let o = run(&["--verify", &dir.path().display().to_string()]);
    assert!(o.status.code() == Some(2) && stderr(&o).contains("SHA256SUMS"), "{}", stderr(&o));
}

/// The digest is over every record's decision: another decision on one
/// record changes it, the thread count does not.
#[test]
fn the_results_digest_follows_the_decisions_not_the_threads() {
    let (_, one, _) = report_json(&["--threads", "1"], &[SEEDS]);
    let (_, two, _) = report_json(&["--threads", "2"], &[SEEDS]);
    assert_eq!(one["results_digest"], two["results_digest"]);
    let (_, later, _) = report_json(&["--period", "2017-01-01..2019-12-31"], &[SEEDS]);
    assert_ne!(one["results_digest"], later["results_digest"], "records outside a period are marked so");
}

/// A copy of the seeds in `dir`, with `edit` applied to the row of `id`.
fn seeds_copy(dir: &std::path::Path, id: &str, edit: &dyn Fn(&str) -> String) -> String {
    let text = std::fs::read_to_string(root().join(SEEDS)).expect("seeds");
    let out: String = text
        .lines()
        .map(|l| if l.starts_with(&format!("{id},")) { edit(l) } else { l.to_string() })
        .map(|l| format!("{l}\n"))
        .collect();
    let path = dir.join("trade.csv");
    std::fs::write(&path, out).expect("write");
    path.display().to_string()
}

/// The dispositions of a report's findings, by (record, rule).
fn dispositions_of(v: &serde_json::Value) -> std::collections::BTreeMap<(String, String), serde_json::Value> {
    let mut out = std::collections::BTreeMap::new();
    for r in v["findings"].as_array().expect("findings") {
        for f in r["findings"].as_array().expect("findings") {
            if let Some(d) = f.get("disposition") {
                out.insert((r["id"].as_str().unwrap().to_string(), f["rule"].as_str().unwrap().to_string()), d.clone());
            }
        }
    }
    out
}

/// A decision recorded with `cordon review` is carried to the next report,
/// and goes stale (the item open again) when the record changes (issue 19,
/// item 1).
#[test]
fn a_disposition_is_carried_forward_and_goes_stale_when_its_record_changes() {
    let dir = tempfile::tempdir().expect("tmp");
    let input = seeds_copy(dir.path(), "TX-2008-000001", &|l| l.to_string());
    let reg = dir.path().join("dispositions.yaml").display().to_string();
    let key = ("TX-2008-000001".to_string(), "KP-ARMS-HEAVY-1718".to_string());
    let add = cordon(&[
        "review",
        "add",
        "--rules",
        "rules",
        "--dispositions",
        &reg,
        "--record",
        &key.0,
        "--rule",
        &key.1,
        "--status",
        "reported",
        "--rationale",
        "disclosed to BAFA",
        "--evidence",
        "BAFA ref 2026/77",
        "--by",
        "A. Analyst",
        "--on",
        "2026-11-20",
        &input,
    ]);
    assert_eq!(add.status.code(), Some(0), "{}", stderr(&add));
    let approve = cordon(&[
        "review",
        "approve",
        "--dispositions",
        &reg,
        "--record",
        &key.0,
        "--rule",
        &key.1,
        "--by",
        "B. Officer",
        "--on",
        "2026-11-21",
    ]);
    assert_eq!(approve.status.code(), Some(0), "{}", stderr(&approve));
    let (code, v, err) = report_json(&["--dispositions", &reg], &[&input]);
    assert_eq!(code, Some(0), "{err}");
    let d = dispositions_of(&v);
    assert_eq!(d[&key]["state"], "current", "{:?}", d[&key]);
    assert_eq!(
        (d[&key]["approved_by"].as_str(), d[&key]["evidence"].as_str()),
        (Some("B. Officer"), Some("BAFA ref 2026/77"))
    );
    let status = |v: &serde_json::Value, s: &str| {
        v["dispositions"]["by_status"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["status"] == s)
            .map(|x| x["block"].as_u64().unwrap())
    };
    assert_eq!(status(&v, "reported"), Some(1));
    // The same inputs again: carried forward as it was.
    let (_, again, _) = report_json(&["--dispositions", &reg], &[&input]);
    assert_eq!(dispositions_of(&again)[&key]["state"], "current");
    // The record's value changes: the finding stands, the decision on it is stale.
    seeds_copy(dir.path(), &key.0, &|l| l.replace("10200000.00", "10250000.00"));
    let (_, changed, _) = report_json(&["--dispositions", &reg], &[&input]);
    let d = &dispositions_of(&changed)[&key];
    assert_eq!(d["state"], "stale", "{d}");
    assert!(d["notes"][0].as_str().unwrap().contains("the record's content"), "{d}");
    assert_eq!(status(&changed, "reported"), None, "a stale disposition closes nothing");
    assert_eq!(changed["dispositions"]["not_holding"]["stale"], 1);
    // The PDF says so beside the finding.
    let out = dir.path().join("r.pdf").display().to_string();
    let o = cordon(&["report", "--rules", "rules", "--dispositions", &reg, "-o", &out, &input]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc = lopdf::Document::load(&out).expect("pdf");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let text = doc.extract_text(&pages).expect("text").split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("DOES NOT HOLD (stale)"), "the finding's line says the disposition is stale");
    assert!(text.contains("Dispositions"), "the executive summary has the status table");
}

/// Decisions that cannot be right are refused: dated in the future or before
/// the record, approved by their preparer, closing a block finding without a
/// second approver, expired (issue 19, item 2).
#[test]
fn dispositions_that_cannot_hold_are_refused_and_leave_the_item_open() {
    let dir = tempfile::tempdir().expect("tmp");
    let reg = dir.path().join("d.yaml").display().to_string();
    let base = ["review", "add", "--rules", "rules", "--dispositions", &reg, "--record", "TX-2008-000001"];
    for (extra, says) in [
        (vec!["--on", "2099-01-01"], "after today"),
        (vec!["--on", "2008-05-01"], "before the record's date 2008-05-14"),
        (vec!["--status", "fine"], "not a status"),
    ] {
        let mut args = base.to_vec();
        args.extend_from_slice(&["--rule", "KP-ARMS-HEAVY-1718", "--rationale", "r", "--by", "A"]);
        if !extra.contains(&"--status") {
            args.extend_from_slice(&["--status", "cleared"]);
        }
        args.extend(extra.iter().copied());
        args.push(SEEDS);
        let o = cordon(&args);
        assert!(o.status.code() == Some(2) && stderr(&o).contains(says), "{extra:?}: {}", stderr(&o));
    }
    assert!(!std::path::Path::new(&reg).exists(), "nothing was recorded");
    // A register written by hand is judged as the report reads it.
    let (_, v, _) = report_json(&[], &[SEEDS]);
    let basis = |id: &str, rule: &str| -> serde_json::Value {
        let r = v["findings"].as_array().unwrap().iter().find(|r| r["id"] == id).expect("record");
        r["findings"].as_array().unwrap().iter().find(|f| f["rule"] == rule).expect("finding")["basis"].clone()
    };
    let entry = |id: &str, rule: &str, rest: &str| {
        let b = basis(id, rule);
        format!(
            "- record: {id}\n  rule: {rule}\n  rationale: r\n  prepared_by: A. Analyst\n{rest}  basis:\n    record: {}\n    rule: {}\n    evidence: {}\n",
            b["record"].as_str().unwrap(),
            b["rule"].as_str().unwrap(),
            b["evidence"].as_str().unwrap()
        )
    };
    let text = format!(
        "dispositions:\n{}{}{}{}",
        // Prepared after the report's date (2026-11-28).
        entry("TX-2008-000001", "KP-ARMS-HEAVY-1718", "  status: investigating\n  prepared_on: 2026-11-30\n"),
        // Closing a block finding with no second approver.
        entry("TX-2009-000001", "KP-ARMS-HEAVY-1718", "  status: cleared\n  prepared_on: 2026-11-01\n"),
        // Expired before the report.
        entry(
            "TX-2016-000216",
            "KP-WMD-1718",
            "  status: licence_on_file\n  prepared_on: 2026-01-01\n  approved_by: B. Officer\n  approved_on: 2026-01-02\n  expires: 2026-06-30\n"
        ),
        // Holds.
        entry("TX-2016-000307", "KP-DESIG-PARTY", "  status: confirmed_breach\n  prepared_on: 2026-11-01\n"),
    );
    std::fs::write(&reg, text).expect("write");
    let (code, v, err) = report_json(&["--dispositions", &reg], &[SEEDS]);
    assert_eq!(code, Some(0), "{err}");
    let d = dispositions_of(&v);
    let state = |id: &str, rule: &str| d[&(id.to_string(), rule.to_string())]["state"].as_str().unwrap().to_string();
    assert_eq!(state("TX-2008-000001", "KP-ARMS-HEAVY-1718"), "refused");
    assert_eq!(state("TX-2009-000001", "KP-ARMS-HEAVY-1718"), "unapproved");
    assert_eq!(state("TX-2016-000216", "KP-WMD-1718"), "expired");
    assert_eq!(state("TX-2016-000307", "KP-DESIG-PARTY"), "current");
    let open =
        v["dispositions"]["by_status"].as_array().unwrap().iter().find(|s| s["status"] == "open").unwrap().clone();
    let all_block = v["counts"]["decisions"]["block"].as_u64().unwrap();
    assert!(open["block"].as_u64().unwrap() >= all_block - 1, "refused, unapproved and expired count as open: {open}");
    // The preparer cannot approve, and a register that says they did is refused whole.
    std::fs::write(
        &reg,
        format!(
            "dispositions:\n{}",
            entry(
                "TX-2009-000001",
                "KP-ARMS-HEAVY-1718",
                "  status: cleared\n  prepared_on: 2026-11-01\n  approved_by: a. analyst\n  approved_on: 2026-11-02\n"
            )
        ),
    )
    .expect("write");
    let (code, _, err) = report_json(&["--dispositions", &reg], &[SEEDS]);
    assert!(code == Some(2) && err.contains("another person"), "{err}");
}

/// The entry hash `cordon screen` gives for `name`'s match with `reference`.
fn entry_hash(name: &str, reference: &str) -> String {
    let o = cordon(&["screen", name, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let m = v["matches"].as_array().expect("matches").iter().find(|m| m["ref"] == reference).expect("the entry");
    m["entry_hash"].as_str().expect("hash").to_string()
}

/// A reviewed clearance suppresses a match only under control: never dated
/// in the future or approved by its reviewer (refused when read), never for
/// a transaction after it was made, not once expired, only for its record
/// when it names one, and for a near-certain match only with a second
/// approver; the report counts what passed after clearance and what did not
/// apply (issue 19, item 2; the auditor's probe: a clearance by "x" dated
/// 2030 had turned an exact designated match into a pass).
#[test]
fn clearances_apply_only_under_control_and_are_counted() {
    let dir = tempfile::tempdir().expect("tmp");
    let reviewed = dir.path().join("reviewed.yaml");
    let name = "Leader (Hong Kong) International Trading Limited";
    let hash = entry_hash(name, "KPe.017");
    let clearance = |extra: &str| {
        format!(
            "cleared:\n  - name: {name}\n    list: UN_SC\n    ref: KPe.017\n    entry_hash: {hash}\n    reviewer: x\n    reason: not them\n{extra}"
        )
    };
    let run = |text: String| {
        std::fs::write(&reviewed, text).expect("write");
        report_json(&["--reviewed", &reviewed.display().to_string()], &[SEEDS])
    };
    for (extra, says) in [
        ("    date: 2099-01-01\n", "after today"),
        ("    date: 2026-11-01\n    approved_by: X\n", "its own reviewer"),
        ("    date: 2026-11-01\n    expires: soon\n", "not a date"),
    ] {
        let (code, _, err) = run(clearance(extra));
        assert!(code == Some(2) && err.contains(says), "{extra}: {err}");
    }
    let not_applied = |v: &serde_json::Value| -> Vec<String> {
        v["screening"]["not_applied"]
            .as_array()
            .expect("list")
            .iter()
            .filter(|e| e["ref"] == "KPe.017")
            .map(|e| e["not_applied"].as_str().unwrap().to_string())
            .collect()
    };
    // An exact match (1.000) cleared by one person: kept, and said why.
    let (code, v, err) = run(clearance("    date: 2026-11-01\n"));
    assert_eq!(code, Some(0), "{err}");
    let why = not_applied(&v);
    assert!(!why.is_empty() && why.iter().all(|w| w.contains("second approver")), "{why:?}");
    assert_eq!(v["counts"]["clearances_not_applied"].as_u64(), Some(why.len() as u64));
    assert!(v["screening"]["suppressed"].as_array().unwrap().iter().all(|s| s["ref"] != "KPe.017"));
    // Approved by a second person: applied.
    let (_, v, _) = run(clearance("    date: 2026-11-01\n    approved_by: B. Officer\n"));
    assert!(not_applied(&v).is_empty());
    let applied = v["screening"]["suppressed"].as_array().unwrap().iter().filter(|s| s["ref"] == "KPe.017").count();
    assert!(applied > 0 && v["screening"]["suppressed"][0]["approved_by"] == "B. Officer");
    // Expired, made before the transactions, or for another record: kept.
    for (extra, says) in [
        ("    date: 2026-11-01\n    approved_by: B. Officer\n    expires: 2026-11-15\n", "expired"),
        ("    date: 2010-01-01\n    approved_by: B. Officer\n", "before the transaction"),
        (
            "    date: 2026-11-01\n    approved_by: B. Officer\n    record: TX-2099-000001\n",
            "for record TX-2099-000001 only",
        ),
    ] {
        let (_, v, _) = run(clearance(extra));
        let why = not_applied(&v);
        assert_eq!(why.len(), applied, "{extra}");
        assert!(why.iter().all(|w| w.contains(says)), "{extra}: {why:?}");
    }
    // The seeds' own clearance (score 0.949, under the second-approver score) applies and is counted.
    let (_, v, _) = report_json(&["--reviewed", "seeds/config/reviewed-matches.yaml"], &[SEEDS]);
    assert_eq!(v["counts"]["passed_after_clearance"], 1);
    assert_eq!(v["counts"]["clearances_not_applied"], 0);
}

/// A file without party and vessel columns: the report never says parties
/// were screened; it says nothing was, per list, and the method section is
/// written from what the run screened (issue 19, item 3; the auditor's
/// probe found "Parties and vessels were screened" over such a file).
#[test]
fn a_file_without_party_columns_is_reported_as_not_screened() {
    let dir = tempfile::tempdir().expect("tmp");
    // The seeds hold rows with the wrong number of fields (invalid records): read them as they are.
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_path(root().join(SEEDS)).expect("seeds");
    let header = rdr.headers().expect("header").clone();
    let drop = ["seller", "buyer", "seller_country", "buyer_country", "vessel_imo", "vessel_name", "vessel_flag"];
    let keep: Vec<usize> = (0..header.len()).filter(|i| !drop.contains(&&header[*i])).collect();
    let path = dir.path().join("no-parties.csv");
    let mut w = csv::WriterBuilder::new().flexible(true).from_path(&path).expect("write");
    w.write_record(keep.iter().map(|i| &header[*i])).expect("header");
    for row in rdr.records().map(|r| r.expect("row")) {
        w.write_record(keep.iter().map(|i| row.get(*i).unwrap_or(""))).expect("row");
    }
    w.flush().expect("flush");
    let file = path.display().to_string();
    let (code, v, err) = report_json(&[], &[&file]);
    assert_eq!(code, Some(0), "{err}");
    let method: Vec<&str> = v["method"]["statements"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    assert!(method.iter().any(|s| s.starts_with("No party or vessel was screened")), "{method:?}");
    assert!(!method.iter().any(|s| s.contains("were screened against sanctions-list snapshots")), "{method:?}");
    for l in v["screening"]["coverage"].as_array().unwrap() {
        assert_eq!(l["records_screened"], 0, "{l}");
    }
    assert_eq!(v["counts"]["decisions"]["pass"], 0, "nothing passes unscreened");
    let out = dir.path().join("r.pdf").display().to_string();
    let o = cordon(&["report", "--rules", "rules", "--pdf-limit", "5", "-o", &out, &file]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc = lopdf::Document::load(&out).expect("pdf");
    let text = doc.extract_text(&[2]).expect("summary page").split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("What was tested") && text.contains("UN_SC: nothing screened"), "{text}");
    // The seeds: the method says what was screened, by field.
    let (_, seeds, _) = report_json(&[], &[SEEDS]);
    let method = seeds["method"]["statements"].to_string();
    assert!(method.contains("UN_SC (2754 of 2754 records: seller 2754, buyer 2753)"), "{method}");
}

/// The same file given twice doubles every count: the executive summary
/// says so where the counts are read (auditor's row 5).
#[test]
fn a_file_given_twice_is_said_in_the_summary() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("r.pdf").display().to_string();
    let o = cordon(&["report", "--rules", "rules", "--pdf-limit", "5", "-o", &out, SEEDS, SEEDS]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc = lopdf::Document::load(&out).expect("pdf");
    let text = doc.extract_text(&[2]).expect("summary page").split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("its records are counted twice"), "{text}");
    assert!(text.contains("records repeat an id seen earlier"), "{text}");
}

/// The rule pack's fingerprint changes only when the rules do: reviewed
/// clearances have their own row and change the report id, not the pack's
/// fingerprint (auditor's row 22).
#[test]
fn reviewed_clearances_do_not_change_the_rule_pack_fingerprint() {
    let (_, plain, _) = report_json(&[], &[SEEDS]);
    let (_, cleared, _) = report_json(&["--reviewed", "seeds/config/reviewed-matches.yaml"], &[SEEDS]);
    assert_eq!(plain["fingerprints"]["rule_set"], cleared["fingerprints"]["rule_set"]);
    assert_ne!(plain["report_id"], cleared["report_id"]);
    let rows = cleared["fingerprints"]["rule_files"].as_array().expect("files");
    assert!(rows.iter().any(|f| f["kind"] == "reviewed" && f["path"] == "seeds/config/reviewed-matches.yaml"));
}

/// A copy of the standard pack (rules/ with its manifest) under `dir`, its
/// manifest edited; the seeds it reads stay where they are.
fn pack_copy(dir: &std::path::Path, edit: &dyn Fn(&str) -> String) -> String {
    let to = dir.join("rules");
    let copy = std::process::Command::new("cp").arg("-r").arg(root().join("rules")).arg(&to).status().expect("cp");
    assert!(copy.success());
    let manifest = to.join("cordon.yaml");
    let text = std::fs::read_to_string(&manifest).expect("manifest");
    let seeds = root().join("seeds").display().to_string();
    std::fs::write(&manifest, edit(&text.replace("../seeds", &seeds))).expect("write");
    to.display().to_string()
}

#[test]
fn the_criteria_come_from_the_pack_and_count_unconfirmed_citations() {
    let (code, v, err) = report_json(&[], &[SEEDS]);
    assert_eq!(code, Some(0), "{err}");
    let k = &v["criteria"];
    assert_eq!(k["pack"]["name"], "cordon-standard");
    assert_eq!(k["pack"]["law_as_at"], "2026-02-27");
    assert!(k["pack"]["approved_by"].is_null(), "the shipped pack has no legal approval on record");
    assert!(!k["pack"]["excludes"].as_array().expect("excludes").is_empty());
    // Every rule whose citation says "unconfirmed" is counted, with the
    // findings it produced in this run.
    let rules = v["rules"].as_array().expect("rules");
    let marked: Vec<&serde_json::Value> =
        rules.iter().filter(|r| r["citation"].as_str().unwrap().to_lowercase().contains("unconfirmed")).collect();
    assert!(!marked.is_empty());
    assert_eq!(k["unconfirmed"]["rules"], marked.len() as u64);
    let hits: u64 = marked.iter().map(|r| r["hits"].as_u64().unwrap()).sum();
    assert_eq!(k["unconfirmed"]["findings"], hits);
    let blocks = marked.iter().filter(|r| r["severity"] == "block").count() as u64;
    assert_eq!(k["unconfirmed"]["block_rules"], blocks);
    // Each rule's logic, the sets with their data files' fingerprints, the constants.
    assert_eq!(k["logic"].as_array().unwrap().len(), rules.len());
    let sets = k["sets"].as_array().expect("sets");
    let avfuel = sets.iter().find(|s| s["name"] == "AVIATION_FUEL_NAMES").expect("the aviation fuel word list");
    assert!(avfuel["shown"].as_array().unwrap().iter().any(|w| w.as_str().unwrap().contains("jet")), "{avfuel}");
    assert_eq!(avfuel["sha256"].as_str().map(str::len), Some(64));
    assert!(k["constants"].as_array().unwrap().iter().any(|c| c["text"] == "const RUG_ITEM_USD = 500"));
    // The pack's tests were run for the report.
    let t = &k["tests"];
    assert!(t["tests"].as_u64().unwrap() > 100 && t["passed"] == t["tests"], "{t}");
    assert_eq!(t["rules"], rules.len() as u64);
}

#[test]
fn a_pack_with_approval_and_a_failing_test_says_both() {
    let dir = tempfile::tempdir().expect("tmp");
    let pack = pack_copy(dir.path(), &|m| {
        format!("{m}approved_by: Dr. A. Jurist, legal department\napproved_on: 2026-12-01\n")
    });
    // A test that cannot pass: coal from the DPRK after the ban is not a pass.
    let tests = std::path::Path::new(&pack).join("un/dprk/minerals.tests.yaml");
    let text = std::fs::read_to_string(&tests).expect("tests");
    std::fs::write(
        &tests,
        format!(
            "{text}  - name: deliberately wrong\n    record: {{ date: 2018-01-01, hs_code: \"2701.12\" }}\n    hits: []\n    decision: pass\n"
        ),
    )
    .expect("write");
    let o = cordon(&[
        "report",
        "--rules",
        &pack,
        "--generated-at",
        "2026-12-06T00:00:00Z",
        "--format",
        "json",
        "-o",
        "-",
        SEEDS,
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["criteria"]["pack"]["approved_by"], "Dr. A. Jurist, legal department");
    let t = &v["criteria"]["tests"];
    assert_eq!(t["passed"].as_u64().unwrap() + 1, t["tests"].as_u64().unwrap(), "{t}");
    assert!(t["failed"][0].as_str().unwrap().contains("deliberately wrong"), "{t}");
    // A manifest date that is not a date is refused, naming the key.
    let bad = tempfile::tempdir().expect("tmp");
    let pack = pack_copy(bad.path(), &|m| m.replace("law_as_at: 2026-02-27", "law_as_at: early 2026"));
    let o = cordon(&["check", "--rules", &pack, SEEDS]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("`law_as_at` must be a date"), "{}", stderr(&o));
}

#[test]
fn limitations_state_the_measured_screening_quality_and_the_list_scope() {
    let (code, v, err) = report_json(&[], &[SEEDS]);
    assert_eq!(code, Some(0), "{err}");
    let l = &v["limitations"];
    let m = l["screening"].as_array().expect("measured");
    // Each list at each threshold a rule screens it at.
    let un: Vec<&str> = m.iter().filter(|x| x["list"] == "UN_SC").map(|x| x["threshold"].as_str().unwrap()).collect();
    assert_eq!(un, vec!["0.88", "0.95"]);
    for x in m {
        let (found, positives) = (x["found"].as_u64().unwrap(), x["positives"].as_u64().unwrap());
        assert!(positives > 0 && found <= positives, "{x}");
        assert_eq!(x["recall"].as_str().unwrap(), format!("{:.3}", found as f64 / positives as f64), "{x}");
    }
    // A stricter threshold never finds more.
    let found = |t: &str| m.iter().find(|x| x["list"] == "UN_SC" && x["threshold"] == t).unwrap()["found"].as_u64();
    assert!(found("0.95") <= found("0.88"));
    assert_eq!(l["benchmark"][0], "../seeds/screening/heldout.csv");
    let text = l["statements"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect::<Vec<_>>().join("\n");
    for needle in ["published 2026-02-27", "delisted", "Ownership and control", "by prefix", "caps set on all supplies"]
    {
        assert!(text.contains(needle), "no `{needle}` in:\n{text}");
    }
    // The UN list is screened for its DPRK programme only: so many entries.
    let un = v["screening"]["lists"].as_array().unwrap().iter().find(|l| l["name"] == "UN_SC").unwrap().clone();
    assert_eq!(un["programmes"][0], "DPRK");
    assert!(un["entries_screened"].as_u64().unwrap() < un["entries"].as_u64().unwrap());
}

#[test]
fn the_conclusion_says_potential_breaches_with_their_value() {
    let (code, v, err) = report_json(&[], &[SEEDS]);
    assert_eq!(code, Some(0), "{err}");
    let o = &v["outcomes"];
    assert_eq!(o["look_back"], true, "2008–2019 records, a 2026 report");
    let block = v["counts"]["decisions"]["block"].as_u64().unwrap();
    let text = o["conclusion"].as_str().unwrap();
    assert!(text.contains(&format!("{block} records are potential breaches")), "{text}");
    assert!(!text.contains("blocked"), "{text}");
    // Years and categories add up to the decisions.
    let years = o["by_year"].as_array().unwrap();
    let sum = |k: &str| years.iter().map(|y| y[k].as_u64().unwrap()).sum::<u64>();
    assert_eq!(sum("evaluated"), v["counts"]["evaluated"].as_u64().unwrap());
    assert_eq!(sum("block"), block);
    let cats = o["by_category"].as_array().unwrap();
    assert_eq!(cats.iter().map(|c| c["block"].as_u64().unwrap()).sum::<u64>(), block);
    // The value is the exact sum of the blocked records' values.
    let usd = o["block_values"]["totals"]["USD"].as_str().expect("a USD total");
    let csv = cordon(&[
        "report",
        "--rules",
        "rules",
        "--generated-at",
        "2026-11-28T12:00:00Z",
        "--format",
        "csv",
        "-o",
        "-",
        SEEDS,
    ]);
    let mut r = csv::Reader::from_reader(&csv.stdout[..]);
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (id, dec, value) = (col("record_id"), col("decision"), col("value"));
    let mut seen = std::collections::BTreeMap::new();
    for row in r.records() {
        let row = row.unwrap();
        if &row[dec] == "block" {
            seen.insert(row[id].to_string(), row[value].to_string());
        }
    }
    let mut total = rust_decimal::Decimal::ZERO;
    for v in seen.values() {
        if let Some(amount) = v.strip_suffix(" USD") {
            total += amount.parse::<rust_decimal::Decimal>().unwrap();
        }
    }
    assert_eq!(total.to_string(), usd);
}

#[test]
fn the_pdf_meets_the_pdf_a_2b_requirements_we_can_check() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("r.pdf").display().to_string();
    let o = cordon(&["report", "--rules", "rules", "--generated-at", "2026-12-06T00:00:00Z", "-o", &out, SEEDS]);
    assert!(o.status.success(), "{}", stderr(&o));
    let bytes = std::fs::read(&out).expect("pdf");
    assert!(bytes.starts_with(b"%PDF-1.7\n%"), "PDF 1.7 with a binary comment line");
    assert!(bytes[10..14].iter().all(|b| *b >= 128), "the comment line holds four bytes above 127");
    let doc = lopdf::Document::load_mem(&bytes).expect("pdf");
    assert!(doc.trailer.get(b"Encrypt").is_err(), "not encrypted");
    assert!(doc.trailer.get(b"ID").is_ok(), "a file identifier");
    let catalog = doc.catalog().expect("catalog");
    // XMP metadata, unfiltered, naming the conformance and mirroring Info.
    let meta = doc.get_object(catalog.get(b"Metadata").unwrap().as_reference().unwrap()).unwrap().as_stream().unwrap();
    assert!(meta.dict.get(b"Filter").is_err(), "the metadata stream is not filtered");
    let xmp = String::from_utf8(meta.content.clone()).expect("utf-8");
    assert!(xmp.contains("<pdfaid:part>2</pdfaid:part>") && xmp.contains("<pdfaid:conformance>B</pdfaid:conformance>"));
    let info = doc.get_dictionary(doc.trailer.get(b"Info").unwrap().as_reference().unwrap()).unwrap();
    let text = |k: &[u8]| lopdf::decode_text_string(info.get(k).unwrap()).unwrap();
    assert!(xmp.contains(&format!("<rdf:li xml:lang=\"x-default\">{}</rdf:li>", text(b"Title"))), "{xmp}");
    assert!(xmp.contains(&format!("<pdf:Producer>{}</pdf:Producer>", text(b"Producer"))));
    assert!(xmp.contains(&format!("<xmp:CreatorTool>{}</xmp:CreatorTool>", text(b"Creator"))));
    assert!(xmp.contains("<xmp:CreateDate>2026-12-06T00:00:00Z</xmp:CreateDate>"));
    for (k, _) in info.iter() {
        assert!(
            [&b"Title"[..], b"Author", b"Subject", b"Creator", b"Producer", b"CreationDate", b"ModDate"]
                .contains(&k.as_slice()),
            "Info holds `{}`, which has no XMP twin here",
            String::from_utf8_lossy(k)
        );
    }
    // An sRGB output intent with an ICC profile of three components.
    let intents = catalog.get(b"OutputIntents").unwrap().as_array().unwrap();
    let intent = intents[0].as_dict().unwrap();
    assert_eq!(intent.get(b"S").unwrap().as_name().unwrap(), b"GTS_PDFA1");
    let icc = doc.get_object(intent.get(b"DestOutputProfile").unwrap().as_reference().unwrap()).unwrap();
    let icc = icc.as_stream().unwrap();
    assert_eq!(icc.dict.get(b"N").unwrap().as_i64().unwrap(), 3);
    let profile = icc.decompressed_content().unwrap_or_else(|_| icc.content.clone());
    assert_eq!(
        u32::from_be_bytes(profile[0..4].try_into().unwrap()) as usize,
        profile.len(),
        "the profile's size field"
    );
    assert_eq!(&profile[12..24], b"mntrRGB XYZ ");
    assert_eq!(&profile[36..40], b"acsp");
    // Every font embedded, every CID font with its glyph map; no actions.
    let mut fonts = 0;
    for (_, obj) in doc.objects.iter() {
        let Ok(d) = obj.as_dict() else { continue };
        if d.get(b"Type").and_then(|t| t.as_name()).ok() == Some(b"FontDescriptor") {
            fonts += 1;
            assert!(
                d.get(b"FontFile2").is_ok() || d.get(b"FontFile3").is_ok() || d.get(b"FontFile").is_ok(),
                "a font that is not embedded"
            );
        }
        if d.get(b"Subtype").and_then(|t| t.as_name()).ok() == Some(b"CIDFontType2") {
            assert!(d.get(b"CIDToGIDMap").is_ok(), "a CID font without CIDToGIDMap");
        }
        assert!(d.get(b"JS").is_err() && d.get(b"AA").is_err() && d.get(b"OpenAction").is_err(), "no actions");
        assert!(d.get(b"Annots").map_or(true, |a| a.as_array().is_ok_and(Vec::is_empty)), "no annotations");
    }
    assert!(fonts > 0);
}

#[test]
fn a_signed_folder_verifies_and_an_edited_manifest_does_not() {
    // RFC 8032, section 7.1, test 1, as OpenSSL writes it.
    const KEY: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n-----END PRIVATE KEY-----\n";
    const PUBLIC: &str = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n-----END PUBLIC KEY-----\n";
    const OTHER: &str = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAPUAXw+hDiVqStwqnTRt+vJyYLM8uxJaMwM1V8Sr0Zgw=\n-----END PUBLIC KEY-----\n";
    let dir = tempfile::tempdir().expect("tmp");
    let path = |n: &str| dir.path().join(n).display().to_string();
    for (n, text) in [("key.pem", KEY), ("key.pub.pem", PUBLIC), ("other.pub.pem", OTHER)] {
        std::fs::write(path(n), text).expect("key");
    }
    let set = path("set");
    let base = ["report", "--rules", "rules", "--generated-at", "2026-11-28T12:00:00Z"];
    let run = |more: &[&str]| {
        let mut all = base.to_vec();
        all.extend_from_slice(more);
        all.push(SEEDS);
        cordon(&all)
    };
    let o = run(&["--sign-key", &path("key.pem"), "--out-dir", &set]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let sig = std::fs::read(format!("{set}/SHA256SUMS.sig")).expect("signature");
    assert_eq!(sig.len(), 64, "a raw Ed25519 signature, as openssl pkeyutl -rawin checks it");
    let o = run(&["--public-key", &path("key.pub.pem"), "--verify", &set]);
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("good signature of SHA256SUMS"), "{out}");
    // Another key does not verify it.
    let o = run(&["--public-key", &path("other.pub.pem"), "--verify", &set]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("BAD        SHA256SUMS.sig"));
    // Nor does a manifest edited to match an edited file.
    let sums = std::fs::read_to_string(format!("{set}/SHA256SUMS")).expect("sums");
    std::fs::write(format!("{set}/SHA256SUMS"), sums.replacen('a', "b", 1)).expect("edit");
    let o = run(&["--public-key", &path("key.pub.pem"), "--verify", &set]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("BAD        SHA256SUMS.sig"));
    // A public key given as the private one is refused before the run.
    let o = run(&["--sign-key", &path("key.pub.pem"), "--out-dir", &path("set2")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not an Ed25519 private key"), "{}", stderr(&o));
    assert!(!dir.path().join("set2").exists());
}
