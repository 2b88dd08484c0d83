//! `cordon serve` as a back office uses it, on an ephemeral loopback port:
//! the API key, one record and an idempotent retry, batches in JSON Lines
//! and CSV, the limits, the decision log read back and verified, metrics,
//! and a reload refused for a broken pack while the old rules keep serving.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use super::harness::{TempPack, root};
use super::stores::LogStore;

crate::stores::on_every_store!(
    the_service_checks_logs_and_reloads,
    a_broken_pack_is_refused_on_reload_and_the_old_rules_keep_serving,
    the_bad_input_catalogue_and_random_bodies_never_bring_it_down,
    keys_carry_roles,
    a_kill_during_a_burst_loses_no_acknowledged_decision,
    reports_are_built_from_the_log_and_show_what_was_decided,
);

struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(rules: &std::path::Path, store: &str, extra: &[&str]) -> Server {
    let mut args = vec![
        "serve".to_string(),
        "--rules".into(),
        rules.display().to_string(),
        "--store".into(),
        store.to_string(),
        "--addr".into(),
        "127.0.0.1:0".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_cordon"))
        .args(&args)
        .current_dir(root())
        .env("CORDON_API_KEY", "test-key")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("the address");
    let addr = line.trim().trim_start_matches("http://").to_string();
    assert!(!addr.is_empty(), "no address printed");
    Server { child, addr }
}

/// One HTTP/1.1 request; the status and the body.
fn http(s: &Server, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, String) {
    http_at(&s.addr, method, path, headers, body).expect("an answer")
}

/// One HTTP/1.1 request to an address; `None` when the connection fails.
fn http_at(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Option<(u16, String)> {
    let mut c = TcpStream::connect(addr).ok()?;
    let mut req =
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    c.write_all(req.as_bytes()).ok()?;
    c.write_all(body).ok()?;
    let mut out = Vec::new();
    c.read_to_end(&mut out).ok()?;
    let text = String::from_utf8_lossy(&out).into_owned();
    let status: u16 = text.split(' ').nth(1).and_then(|c| c.parse().ok())?;
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    Some((status, body))
}

const KEY: (&str, &str) = ("Authorization", "Bearer test-key");

fn record(id: &str, destination: &str, eccn: &str) -> String {
    serde_json::json!({"id": id, "date": "2026-01-10", "flow": "export", "origin": "US", "destination": destination,
        "hs_code": "8542.31", "eccn": [eccn], "seller": "US Chip Co", "buyer": "Acme Ltd",
        "seller_country": "US", "buyer_country": destination})
    .to_string()
}

fn the_service_checks_logs_and_reloads(store: &LogStore) {
    let log = store.spec.as_str();
    let s = start(&root().join("rules/us/ear"), log, &["--max-records", "3", "--max-body-bytes", "65536"]);
    assert_eq!(http(&s, "GET", "/healthz", &[], b"").0, 200);
    assert_eq!(http(&s, "GET", "/readyz", &[], b"").0, 200);
    // No key, a wrong key: 401, saying nothing more.
    let (code, body) = http(&s, "POST", "/v1/check", &[], record("A", "CN", "3A001").as_bytes());
    assert_eq!(code, 401);
    assert!(body.contains("\"unauthorized\"") && !body.contains("test-key"), "{body}");
    assert_eq!(http(&s, "POST", "/v1/check", &[("Authorization", "Bearer nope")], b"{}").0, 401);
    // One record; a retry with the same key is the same decision.
    let idem = ("Idempotency-Key", "order-17");
    let (code, body) = http(&s, "POST", "/v1/check", &[KEY, idem], record("A", "CN", "3A001.a.1").as_bytes());
    assert_eq!(code, 200, "{body}");
    let first: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(first["decision"], "block");
    assert_eq!(first["rules"].as_str().map(str::len), Some(64));
    let (_, body) = http(&s, "POST", "/v1/check", &[KEY, idem], record("A", "CN", "3A001.a.1").as_bytes());
    let again: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(again["decision_id"], first["decision_id"]);
    // Bad bodies: 400 with a stable code; never a panic.
    for bad in [&b"not json"[..], b"[1,2]", b"\xff\xfe", b"{\"id\": "] {
        let (code, body) = http(&s, "POST", "/v1/check", &[KEY], bad);
        assert_eq!(code, 400, "{body}");
        assert!(body.contains("\"code\""), "{body}");
    }
    // Batches: JSON Lines and CSV, answered line by line with decision ids.
    let lines = format!("{}\n{}\n", record("B1", "DE", "5A992.c"), record("B2", "KP", "EAR99"));
    let (code, body) = http(&s, "POST", "/v1/check/batch", &[KEY], lines.as_bytes());
    assert_eq!(code, 200, "{body}");
    let answers: Vec<serde_json::Value> = body.lines().map(|l| serde_json::from_str(l).expect("json")).collect();
    assert_eq!(answers.iter().map(|a| a["id"].as_str().unwrap()).collect::<Vec<_>>(), ["B1", "B2"]);
    assert!(answers.iter().all(|a| a["decision_id"].as_str().is_some_and(|d| d.starts_with('D'))));
    let csv = "id,date,flow,origin,destination,hs_code,eccn\nC1,2026-01-10,export,US,KP,1006.30,EAR99\n";
    let (code, body) = http(&s, "POST", "/v1/check/batch", &[KEY, ("Content-Type", "text/csv")], csv.as_bytes());
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("\"C1\""), "{body}");
    // Limits: records per request, body size.
    let four = (0..4).map(|i| record(&format!("L{i}"), "DE", "EAR99")).collect::<Vec<_>>().join("\n");
    assert_eq!(http(&s, "POST", "/v1/check/batch", &[KEY], four.as_bytes()).0, 413);
    let huge = vec![b' '; 70_000];
    assert_eq!(http(&s, "POST", "/v1/check", &[KEY], &huge).0, 413);
    // The log: every decision answered, in order, paged by cursor.
    let (code, body) = http(&s, "GET", "/v1/decisions?after=1&limit=2", &[KEY], b"");
    assert_eq!(code, 200, "{body}");
    let page: serde_json::Value = serde_json::from_str(&body).expect("json");
    let seqs: Vec<i64> = page["decisions"].as_array().unwrap().iter().map(|d| d["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, [2, 3]);
    assert_eq!(page["next"], 3);
    let (_, body) = http(&s, "GET", "/v1/decisions?decision=block&limit=100", &[KEY], b"");
    let blocks: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert!(blocks["decisions"].as_array().unwrap().iter().all(|d| d["decision"] == "block"));
    assert_eq!(http(&s, "GET", "/v1/decisions?limit=many", &[KEY], b"").0, 400);
    // The rules in service, and the metrics.
    let (_, body) = http(&s, "GET", "/v1/rules", &[KEY], b"");
    let rules: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(rules["fingerprint"], first["rules"]);
    assert!(rules["rules"].as_array().unwrap().len() > 20);
    let (_, metrics) = http(&s, "GET", "/metrics", &[], b"");
    assert!(metrics.contains("cordon_requests_total{route=\"/v1/check\",status=\"401\"} 2"), "{metrics}");
    assert!(metrics.contains(&format!("cordon_rule_set_info{{fingerprint=\"{}\"", first["rules"].as_str().unwrap())));
    assert!(metrics.contains("cordon_request_seconds_bucket{route=\"/v1/check\""));
    assert!(metrics.contains("cordon_log_pending 0"), "{metrics}");
    assert!(
        metrics.contains("cordon_log_append_seconds_count 4"),
        "A, A again, the JSON batch, the CSV batch: {metrics}"
    );
    // A, B1, B2 and C1 were decided: the retry of A is not a new decision.
    let logged: u64 = ["block", "review", "pass", "invalid"]
        .iter()
        .filter_map(|d| {
            let key = format!("cordon_decisions_total{{decision=\"{d}\"}} ");
            metrics.lines().find_map(|l| l.strip_prefix(key.as_str())).and_then(|n| n.parse::<u64>().ok())
        })
        .sum();
    assert_eq!(logged, 4, "{metrics}");
    drop(s);
    let o = super::harness::cordon(&["log", "verify", "--log", log]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    assert!(String::from_utf8_lossy(&o.stdout).contains("4 entries verify"), "A, B1, B2, C1: the retry is A");
    // An entry edited behind Cordon's back is named.
    store.tamper("UPDATE {t} SET decision = 'pass' WHERE seq = 1");
    let o = super::harness::cordon(&["log", "verify", "--log", log]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("entry 1 is bad"), "{}", String::from_utf8_lossy(&o.stdout));
}

fn a_broken_pack_is_refused_on_reload_and_the_old_rules_keep_serving(store: &LogStore) {
    let rule = "regime R\nrule R-KP { title: \"t\" cite: \"c\" severity: block when: destination in { KP } }\n";
    let pack = TempPack::new(&[("r.cordon", rule)]);
    let s = start(pack.path(), &store.spec, &[]);
    let (_, body) = http(&s, "GET", "/v1/rules", &[KEY], b"");
    let before: serde_json::Value = serde_json::from_str(&body).expect("json");
    // Broken: the reload is refused with its diagnostics; the old rules serve.
    std::fs::write(
        pack.path().join("r.cordon"),
        "regime R\nrule R-KP { title: \"t\" severity: block when: destinaton in { KP } }\n",
    )
    .expect("break");
    let (code, body) = http(&s, "POST", "/v1/admin/reload", &[KEY], b"");
    assert_eq!(code, 422, "{body}");
    assert!(body.contains("rules_invalid") && body.contains("destinaton"), "{body}");
    let (code, body) = http(&s, "POST", "/v1/check", &[KEY], record("K", "KP", "EAR99").as_bytes());
    assert_eq!(code, 200);
    assert!(body.contains("R-KP") && body.contains(before["fingerprint"].as_str().unwrap()), "{body}");
    // Mended: the new rules serve, and decisions say which rules made them.
    let mended = rule.replace("destination in { KP }", "destination in { KP, IR }");
    std::fs::write(pack.path().join("r.cordon"), mended).expect("mend");
    let (code, body) = http(&s, "POST", "/v1/admin/reload", &[KEY], b"");
    assert_eq!(code, 200, "{body}");
    let (_, body) = http(&s, "POST", "/v1/check", &[KEY], record("I", "IR", "EAR99").as_bytes());
    let after: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(after["decision"], "block");
    assert_ne!(after["rules"], before["fingerprint"]);
    // A report over decisions made under both rule sets cannot be rebuilt on the new one.
    let (code, body) = http(&s, "POST", "/v1/reports", &[KEY], b"{}");
    assert_eq!(code, 409, "{body}");
    assert!(body.contains("other_rules"), "{body}");
    let (_, metrics) = http(&s, "GET", "/metrics", &[], b"");
    assert!(metrics.contains("cordon_reloads_total{outcome=\"refused\"} 1"), "{metrics}");
    assert!(metrics.contains("cordon_reloads_total{outcome=\"ok\"} 1"), "{metrics}");
}

/// Hostile bodies never bring the service down: every file of the bad-input
/// catalogue as a batch (CSV or JSON Lines, as its name says), and bytes
/// made up at random as single records and batches; each answered with a
/// status the documentation names, and the service still answers after.
fn the_bad_input_catalogue_and_random_bodies_never_bring_it_down(store: &LogStore) {
    let s = start(&root().join("rules"), &store.spec, &["--log-records"]);
    let allowed = [200u16, 400, 413];
    for entry in std::fs::read_dir(root().join("tests/data/bad-inputs")).expect("catalogue") {
        let path = entry.expect("entry").path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".yaml") {
            continue;
        }
        let body = std::fs::read(&path).expect("read");
        let csv = ("Content-Type", "text/csv");
        let headers: &[(&str, &str)] = if name.ends_with(".csv") { &[KEY, csv] } else { &[KEY] };
        let (code, answer) = http(&s, "POST", "/v1/check/batch", headers, &body);
        assert!(allowed.contains(&code), "{name}: {code} {answer}");
        let (code, answer) = http(&s, "POST", "/v1/check", &[KEY], &body);
        assert!(allowed.contains(&code), "{name} as one record: {code} {answer}");
    }
    // Random bytes, and random JSON-ish text, deterministic per run.
    let mut seed: u64 = 0x5eed_c0de;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for i in 0..200 {
        let len = (next() % 600) as usize;
        let mut body: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        if i % 2 == 0 {
            let alphabet = b"{}[]\":,0123456789.-eEtrufalsn \n\\abcdefghijklmnopqrstuvwxyz_";
            body = body.iter().map(|b| alphabet[*b as usize % alphabet.len()]).collect();
        }
        let path = if i % 3 == 0 { "/v1/check/batch" } else { "/v1/check" };
        let (code, answer) = http(&s, "POST", path, &[KEY], &body);
        assert!(allowed.contains(&code), "body {i}: {code} {answer}");
    }
    assert_eq!(http(&s, "GET", "/healthz", &[], b"").0, 200);
    assert_eq!(http(&s, "POST", "/v1/check", &[KEY], record("Z", "CN", "EAR99").as_bytes()).0, 200);
}

/// Keys from a file, by hash, each with its roles: a `check` key checks but
/// neither reads the log nor reloads (403); a bad keys file is refused at start.
fn keys_carry_roles(store: &LogStore) {
    let sha = |k: &str| cordon::unstable::source::sha256_hex(k.as_bytes());
    let keys = format!(
        "- name: payments-app\n  sha256: {}\n  roles: [check]\n- name: auditor\n  sha256: {}\n  roles: [report]\n",
        sha("app-key"),
        sha("audit-key")
    );
    let dir = TempPack::new(&[
        ("keys.yaml", keys.as_str()),
        ("bad-keys.yaml", "- name: x\n  sha256: nothex\n  roles: [check]\n"),
    ]);
    let keys_path = dir.path().join("keys.yaml");
    let s = start(&root().join("rules/us/ear"), &store.spec, &["--keys", keys_path.to_str().unwrap()]);
    let app = ("Authorization", "Bearer app-key");
    let audit = ("Authorization", "Bearer audit-key");
    assert_eq!(http(&s, "POST", "/v1/check", &[app], record("R1", "CN", "EAR99").as_bytes()).0, 200);
    let (code, body) = http(&s, "GET", "/v1/decisions", &[app], b"");
    assert_eq!(code, 403, "{body}");
    assert!(body.contains("\"forbidden\""));
    assert_eq!(http(&s, "POST", "/v1/admin/reload", &[app], b"").0, 403);
    assert_eq!(http(&s, "GET", "/v1/decisions", &[audit], b"").0, 200);
    assert_eq!(http(&s, "POST", "/v1/check", &[audit], record("R2", "CN", "EAR99").as_bytes()).0, 403);
    // The environment's key has every role.
    assert_eq!(http(&s, "POST", "/v1/admin/reload", &[KEY], b"").0, 200);
    drop(s);
    let o = Command::new(env!("CARGO_BIN_EXE_cordon"))
        .args(["serve", "--rules", "rules/us/ear", "--log"])
        .arg(dir.path().join("log2.db"))
        .arg("--keys")
        .arg(dir.path().join("bad-keys.yaml"))
        .args(["--addr", "127.0.0.1:0"])
        .current_dir(root())
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("64 lowercase hex digits"));
}

/// The OpenAPI document names every route the server has (read from the
/// router in the source) and no other, is what the server serves, and a
/// real answer fits it: its record fields validate against the committed
/// record schema.
#[test]
fn the_openapi_document_matches_the_routes_and_the_answers() {
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("docs/openapi.json")).expect("doc")).expect("json");
    assert_eq!(doc["openapi"], "3.1.0");
    let source = std::fs::read_to_string(root().join("src/cli/serve.rs")).expect("source");
    let mut routes: Vec<(String, String)> = Vec::new();
    for part in source.split(".route(\"").skip(1) {
        let (path, rest) = part.split_once('"').expect("a path");
        let method = rest.trim_start_matches(", ").split('(').next().expect("a method");
        routes.push((path.to_string(), method.to_string()));
    }
    assert!(routes.len() >= 9, "{routes:?}");
    let documented: Vec<(String, String)> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(p, ops)| ops.as_object().unwrap().keys().map(move |m| (p.clone(), m.clone())))
        .collect();
    let mut a = routes.clone();
    let mut b = documented.clone();
    a.sort();
    b.sort();
    assert_eq!(a, b, "routes in the router vs the OpenAPI document");
    let store = LogStore::sqlite();
    let s = start(&root().join("rules/us/ear"), &store.spec, &[]);
    let (code, served) = http(&s, "GET", "/v1/openapi.json", &[], b"");
    assert_eq!(code, 200);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&served).expect("json"), doc);
    let (_, body) = http(&s, "POST", "/v1/check", &[KEY], record("O1", "CN", "3A001.a.1").as_bytes());
    let mut answer: serde_json::Value = serde_json::from_str(&body).expect("json");
    let id = answer["decision_id"].as_str().expect("decision id").to_string();
    assert!(id.len() == 13 && id.starts_with('D'));
    answer.as_object_mut().unwrap().remove("decision_id");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("docs/schema/record.schema.json")).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema");
    let errors: Vec<String> = validator.iter_errors(&answer).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
}

/// A burst of requests, and the server killed with SIGKILL in the middle of
/// it: every decision it acknowledged is in the log, and the chain still
/// verifies.
fn a_kill_during_a_burst_loses_no_acknowledged_decision(store: &LogStore) {
    let log = store.spec.as_str();
    let mut s = start(&root().join("rules/us/ear"), log, &[]);
    // Serving before the burst begins.
    assert_eq!(http(&s, "POST", "/v1/check", &[KEY], record("K", "DE", "EAR99").as_bytes()).0, 200);
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let addr = s.addr.clone();
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let (addr, acks) = (addr.clone(), std::sync::Arc::clone(&acknowledged));
            std::thread::spawn(move || {
                for i in 0..10_000 {
                    let body = record(&format!("K{w}-{i}"), "DE", "EAR99");
                    let answer = http_at(&addr, "POST", "/v1/check", &[KEY], body.as_bytes());
                    // The kill ends the burst: refused or cut connections.
                    let Some((200, out)) = answer else { break };
                    if let Some(id) = out.split("\"decision_id\":\"").nth(1).and_then(|r| r.split('"').next()) {
                        acks.lock().unwrap().push(id.to_string());
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    s.child.kill().expect("SIGKILL");
    let _ = s.child.wait();
    for w in workers {
        let _ = w.join();
    }
    let acks = acknowledged.lock().unwrap().clone();
    assert!(acks.len() > 50, "the burst was answered before the kill: {}", acks.len());
    let o = super::harness::cordon(&["log", "verify", "--log", log]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    let o = super::harness::cordon(&["log", "show", "--log", log]);
    let logged: std::collections::HashSet<String> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["decision_id"].as_str().map(str::to_string))
        .collect();
    let lost: Vec<&String> = acks.iter().filter(|id| !logged.contains(*id)).collect();
    assert!(lost.is_empty(), "acknowledged but not in the log: {lost:?}");
}

/// `POST /v1/reports`: the audit report built from the log shows exactly the
/// decisions logged — the same counts and findings as `cordon report` on the
/// same file, whether the decisions came from the API or from `check --log`
/// — and is refused (409, a stable code) when it cannot: records not kept,
/// decisions made under other rules, a logged record edited since.
fn reports_are_built_from_the_log_and_show_what_was_decided(store: &LogStore) {
    let seeds = "seeds/transactions/multi-regime.csv";
    let pack = "rules/us/ear";
    let scratch = TempPack::new(&[]);
    let from_file = scratch.path().join("from-file.json");
    let o = super::harness::cordon(&[
        "report",
        "--rules",
        pack,
        "--format",
        "json",
        "-o",
        from_file.to_str().unwrap(),
        "--log",
        &store.spec,
        "--log-records",
        seeds,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let expected: serde_json::Value = serde_json::from_slice(&std::fs::read(&from_file).unwrap()).unwrap();
    assert!(expected["counts"]["decisions"]["block"].as_u64() > Some(0));
    let s = start(&root().join(pack), &store.spec, &["--log-records"]);
    let ask = |body: &str| http(&s, "POST", "/v1/reports", &[KEY], body.as_bytes());
    // The decisions `cordon report --log` logged, as a report from the log.
    let (code, body) = ask(r#"{"format": "json", "generated_at": "2026-12-05T00:00:00Z"}"#);
    assert_eq!(code, 200, "{body}");
    let from_log: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(from_log["counts"], expected["counts"]);
    assert_eq!(from_log["findings"].as_array().map(Vec::len), expected["findings"].as_array().map(Vec::len));
    assert_eq!(from_log["summary"]["by_rule"], expected["summary"]["by_rule"]);
    // The same file through the API: twice the decisions.
    let csv = std::fs::read(root().join(seeds)).unwrap();
    let (code, _) = http(&s, "POST", "/v1/check/batch", &[KEY, ("Content-Type", "text/csv")], &csv[..]);
    assert_eq!(code, 200);
    let (_, body) = ask(r#"{"format": "json"}"#);
    let both: serde_json::Value = serde_json::from_str(&body).expect("json");
    for k in ["read", "evaluated", "invalid"] {
        assert_eq!(both["counts"][k].as_u64(), expected["counts"][k].as_u64().map(|n| 2 * n), "{k}");
    }
    // Filters, and the PDF.
    let (_, body) = ask(r#"{"format": "json", "decision": "block"}"#);
    let blocks: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(blocks["counts"]["read"], blocks["counts"]["decisions"]["block"]);
    assert_eq!(blocks["counts"]["read"].as_u64(), expected["counts"]["decisions"]["block"].as_u64().map(|n| 2 * n));
    let pinned = r#"{"title": "Q4 decisions", "generated_at": "2026-12-05T00:00:00Z"}"#;
    let (code, pdf) = ask(pinned);
    assert_eq!(code, 200);
    assert!(pdf.starts_with("%PDF-"));
    assert_eq!(ask(pinned).1, pdf, "the same log and query give the same bytes");
    assert_eq!(ask(r#"{"format": "docx"}"#).0, 400);
    assert_eq!(ask(r#"{"period": "last week"}"#).0, 400);
    // A logged record edited since: the report is refused, naming the decision.
    store.tamper(
        "UPDATE {t} SET record = replace(record, '\"destination\":\"', '\"destination\":\"X') WHERE decision = 'block'",
    );
    let (code, body) = ask(r#"{"format": "json"}"#);
    assert_eq!(code, 409, "{body}");
    assert!(body.contains("replay_mismatch"), "{body}");
    drop(s);
    // Only hashes logged: no report.
    let bare = LogStore::sqlite();
    let s = start(&root().join(pack), &bare.spec, &[]);
    assert_eq!(http(&s, "POST", "/v1/check", &[KEY], record("H", "CN", "EAR99").as_bytes()).0, 200);
    let (code, body) = http(&s, "POST", "/v1/reports", &[KEY], b"{}");
    assert_eq!(code, 409);
    assert!(body.contains("records_not_logged"), "{body}");
    drop(s);
    // A run whose rules total records over many records: its totals are not in the log.
    let counted = LogStore::sqlite();
    let o = super::harness::cordon(&[
        "check",
        "--rules",
        "rules",
        "--format",
        "summary",
        "--log",
        &counted.spec,
        "--log-records",
        "seeds/transactions/trade-2016-2019.csv",
    ]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("decisions logged"));
    let s = start(&root().join("rules"), &counted.spec, &[]);
    let (code, body) = http(&s, "POST", "/v1/reports", &[KEY], b"{}");
    assert_eq!(code, 409);
    assert!(body.contains("counted_run"), "{body}");
}

/// `--config`: the clients send their own field names (the example config's
/// `TxnRef`, `ShipDate`, …); decisions, the log and a report from it read
/// them through the config, as `check --config` does.
#[test]
fn a_config_maps_the_clients_fields() {
    let store = LogStore::sqlite();
    let s =
        start(&root().join("rules"), &store.spec, &["--config", "seeds/config/example-config.yaml", "--log-records"]);
    let body = r#"{"TxnRef": "T-1", "ShipDate": "01/03/2024", "CountryOfOrigin": "KP", "FinalDestination": "CN",
        "HSCode": "2701.12", "Exporter": "Acme Coal", "Customer": "Dalian Trading", "GoodsDescription": "coal"}"#;
    let (code, answer) = http(&s, "POST", "/v1/check", &[KEY], body.as_bytes());
    assert_eq!(code, 200, "{answer}");
    let v: serde_json::Value = serde_json::from_str(&answer).expect("json");
    assert_eq!((v["id"].as_str(), v["decision"].as_str()), (Some("T-1"), Some("block")), "{answer}");
    assert!(answer.contains("KP-COAL-IRON-2371"), "{answer}");
    let (code, report) = http(&s, "POST", "/v1/reports", &[KEY], br#"{"format": "json"}"#);
    assert_eq!(code, 200, "{report}");
    let r: serde_json::Value = serde_json::from_str(&report).expect("json");
    assert_eq!(r["counts"]["decisions"]["block"], 1);
}

/// The last two limits: requests beyond `--max-concurrent` are answered 429
/// with `Retry-After` while another runs, and a request longer than
/// `--max-seconds` 503 (`timeout`); the service answers normally after both.
#[test]
fn busy_and_slow_requests_are_refused_with_their_codes() {
    let store = LogStore::sqlite();
    let seeds = std::fs::read_to_string(root().join("seeds/transactions/trade-2016-2019.csv")).unwrap();
    let (header, rows) = seeds.split_once('\n').unwrap();
    let big = format!("{header}\n{}", rows.repeat(8));
    let csv = ("Content-Type", "text/csv");
    let limits = ["--max-concurrent", "1", "--max-records", "100000", "--max-body-bytes", "67108864"];
    let s = start(&root().join("rules"), &store.spec, &limits);
    // While a long batch holds the only slot, another request is turned away
    // (tried again should the probe have taken the slot before the batch).
    let mut refused = None;
    for _ in 0..5 {
        let addr = s.addr.clone();
        let body = big.clone();
        let long = std::thread::spawn(move || http_at(&addr, "POST", "/v1/check/batch", &[KEY, csv], body.as_bytes()));
        // Probed until the batch is answered: however fast the build, one
        // probe lands while it runs.
        let mut turned_away = None;
        while turned_away.is_none() && !long.is_finished() {
            std::thread::sleep(std::time::Duration::from_millis(20));
            let probe = raw(&s, "/v1/check");
            turned_away = probe.starts_with("HTTP/1.1 429").then_some(probe);
        }
        let (code, _) = long.join().unwrap().expect("the long batch answered");
        if let (Some(probe), 200) = (turned_away, code) {
            refused = Some(probe);
            break;
        }
    }
    let refused = refused.expect("a request refused while the batch ran").to_ascii_lowercase();
    assert!(refused.contains("\r\nretry-after: 1\r\n") && refused.contains("\"busy\""), "{refused}");
    let answer = raw(&s, "/v1/check").to_ascii_lowercase();
    assert!(answer.starts_with("http/1.1 200") && !answer.contains("retry-after"), "{answer}");
    drop(s);
    // A time limit shorter than the batch (22,000 records: some seconds in a
    // debug build, a second in release): 503, and the service goes on.
    let s = start(
        &root().join("rules"),
        &store.spec,
        &["--max-seconds", "0.05", "--max-records", "100000", "--max-body-bytes", "67108864"],
    );
    let (code, body) = http(&s, "POST", "/v1/check/batch", &[KEY, csv], big.as_bytes());
    assert_eq!(code, 503, "{body}");
    assert!(body.contains("\"timeout\""), "{body}");
    // The batch goes on in the background (its decisions are logged); then
    // the service answers in time again.
    let answered = (0..40).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(250));
        http(&s, "POST", "/v1/check", &[KEY], record("T", "CN", "EAR99").as_bytes()).0 == 200
    });
    assert!(answered, "the service answers after a timeout");
    let o = Command::new(env!("CARGO_BIN_EXE_cordon"))
        .args(["serve", "--rules", "rules", "--store", &store.spec, "--max-seconds", "0"])
        .current_dir(root())
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a positive number of seconds"));
}

/// The whole answer (status line, headers, body) to a POST of one record.
fn raw(s: &Server, path: &str) -> String {
    let mut c = TcpStream::connect(&s.addr).expect("connect");
    let body = record("H", "CN", "EAR99");
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer test-key\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    c.write_all(req.as_bytes()).expect("write");
    let mut out = String::new();
    c.read_to_string(&mut out).expect("read");
    out
}
