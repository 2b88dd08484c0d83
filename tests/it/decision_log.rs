//! The decision log as a user keeps it: `check --log` appends every
//! decision, hash-chained; `cordon log verify` passes, and names the first
//! bad entry after a row is edited or deleted behind Cordon's back; `log
//! show` filters; a second run continues the chain.

use super::harness::{TempPack, cordon, stderr, stdout};

#[test]
fn every_decision_is_logged_and_tampering_is_named() {
    let dir = TempPack::new(&[]);
    let log = dir.path().join("decisions.db");
    let log_s = log.to_str().expect("path");
    let o = cordon(&[
        "check",
        "--rules",
        "rules",
        "--log",
        log_s,
        "--format",
        "summary",
        "seeds/transactions/trade-2016-2019.csv",
    ]);
    let summary: serde_json::Value = serde_json::from_str(stdout(&o).lines().next().expect("summary")).expect("json");
    let read = summary["read"].as_u64().expect("read");
    assert!(stderr(&o).contains(&format!("{read} decisions logged to")), "{}", stderr(&o));
    let o = cordon(&["log", "verify", "--log", log_s]);
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(stdout(&o).contains(&format!("{read} entries verify")), "{}", stdout(&o));
    // Every record is there once, with the rule set's fingerprint; blocks are found by rule.
    let o = cordon(&["log", "show", "--log", log_s, "--decision", "block"]);
    let blocks: Vec<serde_json::Value> =
        stdout(&o).lines().map(|l| serde_json::from_str(l).expect("json line")).collect();
    assert_eq!(blocks.len() as u64, summary["decisions"]["block"].as_u64().unwrap());
    assert!(blocks.iter().all(|b| b["rules"] == summary["rules"] && b["result"]["decision"] == "block"));
    let rule = blocks[0]["result"]["findings"][0]["rule"].as_str().expect("a rule").to_string();
    let o = cordon(&["log", "show", "--log", log_s, "--rule", &rule, "--limit", "2"]);
    assert!(!stdout(&o).is_empty() && stdout(&o).lines().count() <= 2);
    // A second run continues the chain.
    let o = cordon(&[
        "check",
        "--rules",
        "rules",
        "--log",
        log_s,
        "--format",
        "summary",
        "seeds/transactions/sample.jsonl",
    ]);
    assert!(stderr(&o).contains("decisions logged"), "{}", stderr(&o));
    let o = cordon(&["log", "verify", "--log", log_s]);
    assert!(o.status.success(), "{}", stdout(&o));
    let head = stdout(&o).rsplit("head ").next().expect("head").trim().to_string();
    // Edited behind Cordon's back: a block made a pass.
    let seq = blocks[2]["seq"].as_i64().expect("seq");
    let conn = rusqlite::Connection::open(&log).expect("open");
    conn.execute("UPDATE decisions SET decision = 'pass' WHERE seq = ?1", [seq]).expect("edit");
    drop(conn);
    let o = cordon(&["log", "verify", "--log", log_s]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains(&format!("entry {seq} is bad: its content does not match its hash")), "{}", stdout(&o));
    // Put back, then the last entries cut off: only the known head shows it.
    let conn = rusqlite::Connection::open(&log).expect("open");
    conn.execute("UPDATE decisions SET decision = 'block' WHERE seq = ?1", [seq]).expect("restore");
    conn.execute("DELETE FROM decisions WHERE seq > (SELECT max(seq) - 3 FROM decisions)", []).expect("cut");
    drop(conn);
    assert!(cordon(&["log", "verify", "--log", log_s]).status.success());
    let o = cordon(&["log", "verify", "--log", log_s, "--head", &head]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("entries after it are missing"), "{}", stdout(&o));
    // Deleted in the middle.
    let conn = rusqlite::Connection::open(&log).expect("open");
    conn.execute("DELETE FROM decisions WHERE seq = 10", []).expect("delete");
    drop(conn);
    let o = cordon(&["log", "verify", "--log", log_s]);
    assert!(stdout(&o).contains("entry 10 is bad: entry 10 is missing (deleted)"), "{}", stdout(&o));
}
