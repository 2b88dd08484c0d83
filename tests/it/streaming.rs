//! `check -` as a filter behind a queue: records read from the standard
//! input (CSV or JSON Lines), each answered while the input is still open,
//! each line naming the rule set (or, `--compact`, a header line once), and
//! every stderr line JSON under `--error-format json`.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use super::harness::root;

fn spawn(args: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_cordon"))
        .args(args)
        .current_dir(root())
        .env("CORDON_NO_STATE", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn")
}

/// Feeds records one at a time and reads each answer before sending the
/// next: the input stays open throughout, so an answer that waited for
/// more input (or for the end) would never come.
fn one_by_one(args: &[&str], header: Option<&str>, records: &[String]) -> Vec<serde_json::Value> {
    let mut child = spawn(args);
    let mut stdin = child.stdin.take().expect("stdin");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.expect("line")).is_err() {
                break;
            }
        }
    });
    if let Some(h) = header {
        writeln!(stdin, "{h}").expect("write");
    }
    let mut answers = Vec::new();
    for r in records {
        writeln!(stdin, "{r}").expect("write");
        stdin.flush().expect("flush");
        // Generous: this checks that an answer comes, not how fast.
        let line = rx.recv_timeout(Duration::from_secs(60)).expect("an answer while the input is still open");
        answers.push(serde_json::from_str(&line).expect("json"));
    }
    drop(stdin);
    let status = child.wait().expect("wait");
    assert!(status.code().is_some_and(|c| c <= 1), "{status:?}");
    answers
}

#[test]
fn json_lines_on_stdin_are_answered_one_by_one_with_the_rule_set_named() {
    let records: Vec<String> = ["Acme Ltd", "Huawei Technologies Co. Ltd.", "Acme Ltd"]
        .iter()
        .enumerate()
        .map(|(i, buyer)| {
            serde_json::json!({"id": format!("S{i}"), "date": "2026-01-10", "flow": "export", "origin": "US",
                "destination": "CN", "hs_code": "8542.31", "eccn": ["EAR99"], "seller": "US Chip Co",
                "buyer": buyer, "seller_country": "US", "buyer_country": "CN"})
            .to_string()
        })
        .collect();
    let answers = one_by_one(
        &["check", "--rules", "rules/us/ear", "--input-format", "jsonl", "--format", "jsonl", "-"],
        None,
        &records,
    );
    let ids: Vec<&str> = answers.iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["S0", "S1", "S2"]);
    assert_eq!(answers[1]["decision"], "block", "the Entity List party");
    let fingerprint = answers[0]["rules"].as_str().expect("each line names its rule set");
    assert_eq!(fingerprint.len(), 64);
    assert!(answers.iter().all(|a| a["rules"] == fingerprint));
}

#[test]
fn csv_on_stdin_with_a_compact_header() {
    let records: Vec<String> =
        (0..3).map(|i| format!("C{i},2026-01-10,export,US,CN,8542.31,3A001.a.1,US Chip Co,Acme Ltd,US,CN")).collect();
    let mut child = spawn(&["check", "--rules", "rules/us/ear", "--compact", "--format", "jsonl", "-"]);
    let mut stdin = child.stdin.take().expect("stdin");
    writeln!(stdin, "id,date,flow,origin,destination,hs_code,eccn,seller,buyer,seller_country,buyer_country")
        .expect("write");
    for r in &records {
        writeln!(stdin, "{r}").expect("write");
    }
    drop(stdin);
    let out = child.wait_with_output().expect("output");
    let lines: Vec<serde_json::Value> =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).expect("json")).collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["run"]["rules"].as_str().map(str::len), Some(64));
    assert!(lines[1..].iter().all(|l| l.get("rules").is_none() && l["decision"] == "block"));
    // And answered one by one, too.
    let answers = one_by_one(
        &["check", "--rules", "rules/us/ear", "--format", "jsonl", "-"],
        Some("id,date,flow,origin,destination,hs_code,eccn,seller,buyer,seller_country,buyer_country"),
        &records,
    );
    assert_eq!(answers.len(), 3);
}

#[test]
fn every_stderr_line_is_json_under_error_format_json() {
    let mut child = spawn(&["--error-format", "json", "check", "--rules", "rules/us/ear", "--format", "jsonl", "-"]);
    let mut stdin = child.stdin.take().expect("stdin");
    writeln!(stdin, "id,date,flow,origin,destination,hs_code,eccn\nA,2026-01-10,export,US,CN,8542.31,3A001")
        .expect("write");
    drop(stdin);
    let out = child.wait_with_output().expect("output");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.trim().is_empty());
    let lines: Vec<serde_json::Value> =
        err.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}"))).collect();
    let summary = lines.iter().find(|l| l["severity"] == "summary").expect("the summary, as JSON");
    assert_eq!(summary["summary"]["read"], 1);
    assert!(lines.iter().any(|l| l["severity"] == "note"));
}
