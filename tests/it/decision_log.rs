//! The decision log as a user keeps it: `check --log` appends every
//! decision, hash-chained; `cordon log verify` passes, and names the first
//! bad entry after a row is edited or deleted behind Cordon's back; `log
//! show` filters; a second run continues the chain; `log export` writes a
//! signed segment that `log verify --segment` checks, `log prune` removes
//! only what was exported and the chain goes on from its head. Every test
//! runs on SQLite and on PostgreSQL.

use super::harness::{cordon, stderr, stdout};
use super::stores::LogStore;

crate::stores::on_every_store!(
    every_decision_is_logged_and_tampering_is_named,
    exported_segments_are_signed_and_only_they_are_pruned
);

fn every_decision_is_logged_and_tampering_is_named(store: &LogStore) {
    let log_s = store.spec.as_str();
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
    store.tamper(&format!("UPDATE {{t}} SET decision = 'pass' WHERE seq = {seq}"));
    let o = cordon(&["log", "verify", "--log", log_s]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains(&format!("entry {seq} is bad: its content does not match its hash")), "{}", stdout(&o));
    // Put back, then the last entries cut off: only the known head shows it.
    store.tamper(&format!("UPDATE {{t}} SET decision = 'block' WHERE seq = {seq}"));
    store.tamper("DELETE FROM {t} WHERE seq > (SELECT max(seq) - 3 FROM {t})");
    assert!(cordon(&["log", "verify", "--log", log_s]).status.success());
    let o = cordon(&["log", "verify", "--log", log_s, "--head", &head]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("entries after it are missing"), "{}", stdout(&o));
    // Deleted in the middle.
    store.tamper("DELETE FROM {t} WHERE seq = 10");
    let o = cordon(&["log", "verify", "--log", log_s]);
    assert!(stdout(&o).contains("entry 10 is bad: entry 10 is missing (deleted)"), "{}", stdout(&o));
}

fn exported_segments_are_signed_and_only_they_are_pruned(store: &LogStore) {
    let log = store.spec.as_str();
    let dir = store.scratch();
    let seg = |n: u32| dir.join(format!("segment-{}-{n}.jsonl", std::process::id())).display().to_string();
    let (seg1, seg2) = (seg(1), seg(2));
    let check = |input: &str| {
        let o = cordon(&["check", "--rules", "rules", "--log", log, "--format", "summary", input]);
        assert!(stderr(&o).contains("decisions logged"), "{}", stderr(&o));
    };
    check("seeds/transactions/trade-2016-2019.csv");
    // Nothing decided before 2000: nothing exported, nothing to prune.
    let o = cordon(&["log", "export", "--store", log, "--until", "2000-01-01", "-o", &seg1]);
    assert!(o.status.success() && stdout(&o).contains("nothing to export"), "{}", stdout(&o));
    let o = cordon(&["log", "prune", "--store", log]);
    assert!(stdout(&o).contains("nothing exported, nothing pruned"), "{}", stdout(&o));
    // Everything so far, signed.
    let o = cordon(&["log", "export", "--store", log, "--until", "2999-01-01", "-o", &seg1, "--key", "k3y"]);
    assert!(o.status.success() && stdout(&o).contains("; signed"), "{}{}", stdout(&o), stderr(&o));
    let first_head = stdout(&o).rsplit("head ").next().expect("head").split(';').next().expect("head").to_string();
    check("seeds/transactions/sample.jsonl");
    let o = cordon(&["log", "prune", "--store", log]);
    assert!(stdout(&o).contains("exported entries removed"), "{}", stdout(&o));
    // The chain in the log goes on from the exported head, and still verifies.
    let o = cordon(&["log", "verify", "--store", log]);
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(stdout(&o).contains("(exported and pruned)"), "{}", stdout(&o));
    let shown = stdout(&cordon(&["log", "show", "--store", log, "--limit", "1"]));
    let first: serde_json::Value = serde_json::from_str(shown.lines().next().expect("an entry")).expect("json");
    assert_eq!(first["prev"], first_head.as_str(), "the first entry left chains to the exported head");
    let o = cordon(&["log", "export", "--store", log, "--until", "2999-01-01", "-o", &seg2, "--key", "k3y"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Both segments verify, in order, with the key; a wrong key, a segment
    // out of order and an edited entry are each named.
    let o = cordon(&["log", "verify", "--segment", &seg1, &seg2, "--key", "k3y"]);
    assert!(o.status.success(), "{}", stdout(&o));
    assert_eq!(stdout(&o).matches("signature good").count(), 2, "{}", stdout(&o));
    let o = cordon(&["log", "verify", "--segment", &seg1, "--key", "wrong"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("signature does not match"), "{}", stdout(&o));
    let o = cordon(&["log", "verify", "--segment", &seg2, &seg1, "--key", "k3y"]);
    assert!(stdout(&o).contains("does not continue the segment before"), "{}", stdout(&o));
    let text = std::fs::read_to_string(&seg1).expect("segment");
    let edited = text.replacen("\"decision\":\"block\"", "\"decision\":\"pass\"", 1);
    assert_ne!(edited, text);
    std::fs::write(&seg1, edited).expect("edit");
    let o = cordon(&["log", "verify", "--segment", &seg1]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("its content does not match its hash"), "{}", stdout(&o));
    // A decision after the prune continues the chain.
    check("seeds/transactions/sample.jsonl");
    assert!(cordon(&["log", "verify", "--store", log]).status.success());
    let _ = std::fs::remove_file(&seg1);
    let _ = std::fs::remove_file(&seg2);
}
