//! Licences, end to end: the example pack and its register
//! (`rules/examples/licences/`), in YAML and in CSV; each way a shipment can
//! fail its licence; the balance drawn down in date order and carried in the
//! state between runs; `licence_valid` in a rule; a broken register named
//! by line and field.

use serde_json::Value;

use super::harness::{TempPack, cordon, stderr, stdout};

const PACK: &str = "rules/examples/licences";
const SHIPMENTS: &str = "rules/examples/licences/shipments.csv";

fn run(register: &str, extra: &[&str], files: &[&str]) -> Vec<Value> {
    let mut args = vec!["check", "--rules", PACK, "--licences", register, "--format", "jsonl"];
    args.extend_from_slice(extra);
    args.extend_from_slice(files);
    let o = cordon(&args);
    assert!(o.status.code().is_some_and(|c| c <= 1), "{}", stderr(&o));
    stdout(&o).lines().map(|l| serde_json::from_str(l).expect("json")).collect()
}

fn rules_of(r: &Value) -> Vec<String> {
    r["findings"].as_array().expect("findings").iter().map(|f| f["rule"].as_str().expect("rule").to_string()).collect()
}

#[test]
fn each_way_a_shipment_fails_its_licence_is_a_block() {
    for register in ["rules/examples/licences/licences.yaml", "rules/examples/licences/licences.csv"] {
        let out = run(register, &[], &[SHIPMENTS]);
        let by_id = |id: &str| out.iter().find(|r| r["id"] == id).expect(id);
        assert_eq!(by_id("SH-001")["decision"], "pass", "{register}");
        assert_eq!(by_id("SH-002")["decision"], "pass", "{register}");
        // 200 + 250 of 500 units drawn: 60 more is 10 over.
        let sh3 = by_id("SH-003");
        assert_eq!(rules_of(sh3), ["LICENCE-BALANCE"], "{register}");
        let msg = sh3["findings"][0]["message"].as_str().expect("message");
        assert!(msg.contains("draws 60 u of 500 u: balance 50 u before, -10 u after"), "{msg}");
        assert_eq!(sh3["findings"][0]["severity"], "block");
        let used: Vec<&str> = sh3["findings"][0]["aggregate"]["records"]
            .as_array()
            .expect("records")
            .iter()
            .filter_map(|c| c["id"].as_str())
            .collect();
        assert_eq!(used, ["SH-001", "SH-002", "SH-003"]);
        // Goods outside the licence, and an end user other than its own.
        assert!(rules_of(by_id("SH-004")).contains(&"LICENCE-SCOPE".to_string()));
        assert!(by_id("SH-004")["findings"].to_string().contains("the goods `8525.80` are not among those it covers"));
        assert!(by_id("SH-005")["findings"].to_string().contains("the end user `Other Buyer Co` is not the licence's"));
        // Expired, unknown, and none at all (the pack's own rule, through `licence_valid`).
        assert!(rules_of(by_id("SH-006")).contains(&"LICENCE-NOT-VALID".to_string()));
        assert!(rules_of(by_id("SH-007")).contains(&"LICENCE-UNKNOWN".to_string()));
        assert_eq!(rules_of(by_id("SH-008")), ["LIC-REQUIRED"]);
        for id in ["SH-004", "SH-005", "SH-006", "SH-007"] {
            assert!(rules_of(by_id(id)).contains(&"LIC-REQUIRED".to_string()), "licence_valid is false for {id}");
            assert_eq!(by_id(id)["decision"], "block");
        }
    }
}

#[test]
fn the_balance_carries_over_between_runs() {
    let pack = TempPack::new(&[]);
    let header = "id,date,origin,destination,hs_code,quantity,unit,value,currency,seller,buyer,end_user,license";
    let row = |id: &str, date: &str, units: u32| {
        format!(
            "{id},{date},US,CN,8471.50,{units},u,{},USD,Example Exports Inc,Shenzhen Compute Ltd,Shenzhen Compute Ltd,EXP-2024-0001",
            units * 100
        )
    };
    let jan = pack
        .write("jan.csv", format!("{header}\n{}\n{}\n", row("J1", "2024-01-10", 300), row("J2", "2024-01-20", 150)));
    let feb =
        pack.write("feb.csv", format!("{header}\n{}\n{}\n", row("F1", "2024-02-03", 50), row("F2", "2024-02-04", 1)));
    let state = pack.path().join("s.db");
    let s = state.to_str().expect("path");
    let register = "rules/examples/licences/licences.yaml";
    let first = run(register, &["--state", s], &[jan.to_str().expect("path")]);
    assert!(first.iter().all(|r| r["decision"] == "pass"), "{first:?}");
    let second = run(register, &["--state", s], &[feb.to_str().expect("path")]);
    // 300 + 150 + 50 = 500 exactly: within the licence; one more unit is over.
    assert_eq!(second[0]["decision"], "pass", "{second:?}");
    assert_eq!(second[1]["decision"], "block");
    let msg = second[1]["findings"][0]["message"].as_str().expect("message");
    assert!(msg.contains("draws 1 u of 500 u: balance 0 u before, -1 u after"), "{msg}");
    // The same month again draws nothing more.
    let again = run(register, &["--state", s], &[feb.to_str().expect("path")]);
    assert_eq!(again, second);
}

#[test]
fn a_broken_register_is_named_by_line_and_field() {
    let pack = TempPack::new(&[]);
    let reg = pack.write(
        "licences.yaml",
        "licences:\n  - id: A\n    goods: [8471]\n    valid_from: 2024-01-01\n    valid_until: 2023-01-01\n  - id: B\n    goods: [8471]\n    quantity: 5\n    valid_from: 2024-01-01\n    valid_until: 2024-12-31\n",
    );
    let o = cordon(&[
        "check",
        "--error-format",
        "json",
        "--rules",
        PACK,
        "--licences",
        reg.to_str().expect("path"),
        SHIPMENTS,
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("line 2, `valid_until`: the licence ends (2023-01-01) before it starts (2024-01-01)"),
        "{err}"
    );
    assert!(err.contains("line 6, `unit`: a quantity needs its unit"), "{err}");
    assert!(stdout(&o).is_empty());
}

#[test]
fn without_a_register_licence_valid_is_undecided_not_true() {
    let o = cordon(&["check", "--rules", PACK, "--format", "jsonl", SHIPMENTS]);
    let out: Vec<Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).expect("json")).collect();
    let sh1 = out.iter().find(|r| r["id"] == "SH-001").expect("SH-001");
    assert_eq!(sh1["decision"], "review", "{sh1}");
    assert!(sh1["findings"][0]["error"].as_str().unwrap_or("").contains("no licence register"), "{sh1}");
    // A shipment that cites no licence is still a block.
    let sh8 = out.iter().find(|r| r["id"] == "SH-008").expect("SH-008");
    assert_eq!(sh8["decision"], "block");
}

#[test]
fn the_example_pack_is_its_own_pack() {
    // The standard pack under rules/ does not take in rules/examples/*.
    let o = cordon(&["validate", "--rules", "rules"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = cordon(&["check", "--rules", "rules", "--format", "summary", "seeds/transactions/trade-2016-2019.csv"]);
    let v: Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert!(v["rule_hits"].as_object().is_some_and(|h| !h.contains_key("LIC-REQUIRED")), "{v}");
}

#[test]
fn the_config_names_the_register_and_the_state_file() {
    let pack = TempPack::new(&[]);
    let reg = std::fs::read_to_string(super::harness::root().join("rules/examples/licences/licences.yaml"))
        .expect("register");
    pack.write("firm/register.yaml", reg);
    let config = pack.write("firm/config.yaml", "licences: register.yaml\nstate: totals.db\n");
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_cordon"))
            .args([
                "check",
                "--rules",
                PACK,
                "--config",
                config.to_str().expect("path"),
                "--format",
                "jsonl",
                SHIPMENTS,
            ])
            .current_dir(super::harness::root())
            .env_remove("CORDON_NO_STATE")
            .env_remove("CORDON_STATE")
            .output()
            .expect("run")
    };
    let o = run();
    assert!(stderr(&o).contains("totals.db` (run 1)"), "{}", stderr(&o));
    assert!(stdout(&o).contains("LICENCE-BALANCE"), "the register the config names is used");
    assert!(pack.path().join("firm/totals.db").is_file());
    let o = run();
    assert!(stderr(&o).contains("totals.db` (run 2)"), "{}", stderr(&o));
    // Without a `state:` key the state is cordon.db beside the config.
    let plain = pack.write("other/config.yaml", "licences: ../firm/register.yaml\n");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_cordon"))
        .args(["check", "--rules", PACK, "--config", plain.to_str().expect("path"), "--format", "summary", SHIPMENTS])
        .current_dir(super::harness::root())
        .env_remove("CORDON_NO_STATE")
        .env_remove("CORDON_STATE")
        .output()
        .expect("run");
    assert!(o.status.code().is_some_and(|c| c <= 1), "{}", stderr(&o));
    assert!(pack.path().join("other/cordon.db").is_file());
}

#[test]
fn the_report_lists_each_licence_with_its_limit_use_and_remainder() {
    let base = [
        "report",
        "--rules",
        PACK,
        "--licences",
        "rules/examples/licences/licences.yaml",
        "--generated-at",
        "2026-12-05T12:00:00Z",
        "-o",
        "-",
    ];
    let mut args = base.to_vec();
    args.extend(["--format", "json", SHIPMENTS]);
    let o = cordon(&args);
    let v: Value = serde_json::from_str(&stdout(&o)).expect("json");
    let t = &v["running_totals"]["totals"][0];
    assert_eq!((t["rule"].as_str(), t["group"].as_str()), (Some("LICENCE-BALANCE"), Some("EXP-2024-0001")));
    assert_eq!(t["totals"], serde_json::json!(["510", "255000"]));
    assert_eq!(t["remaining"], serde_json::json!(["-10", "-5000"]));
    assert_eq!(t["count"], 3);
    assert!(v["method"]["statements"].to_string().contains("checked against the register"));
    let mut args = base.to_vec();
    args.extend(["--format", "csv", SHIPMENTS]);
    let o = cordon(&args);
    let row =
        stdout(&o).lines().find(|l| l.contains(",running_total,")).map(str::to_string).expect("a running total row");
    assert!(row.contains("LICENCE-BALANCE") && row.contains("remaining -10 / -5000"), "{row}");
}
