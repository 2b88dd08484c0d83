//! Evaluator semantics, as data: each folder of `tests/data/eval/` is a small
//! rule pack whose `*.tests.yaml` files state the expected findings
//! (boundary dates, HS prefixes, fail-closed, lists, decimals, text, data
//! files, exemptions).

use cordon::Engine;
use cordon::unstable::findings::{Outcome, RecordOutcome};
use cordon::unstable::testing;

use super::harness::root;

fn run_topic(topic: &str) {
    let dir = root().join("tests/data/eval").join(topic);
    let engine = Engine::load(&dir).unwrap_or_else(|d| panic!("{topic}: rules do not check: {d:?}"));
    let results = testing::run_all(&engine, &cordon::FsSources::new(&dir)).unwrap_or_else(|e| panic!("{topic}: {e:?}"));
    assert!(results.len() >= 4, "{topic}: too few cases");
    let failed: Vec<String> = results
        .iter()
        .filter(|r| !r.passed())
        .map(|r| format!("{}: {}\n    actual: {:?} → {}", r.case.name, r.failures.join("; "), r.actual, r.decision))
        .collect();
    assert!(failed.is_empty(), "{topic}:\n{}", failed.join("\n"));
}

#[test]
fn dates() {
    run_topic("dates");
}

#[test]
fn hs_codes() {
    run_topic("hs");
}

#[test]
fn fail_closed() {
    run_topic("fail_closed");
}

#[test]
fn lists() {
    run_topic("lists");
}

#[test]
fn decimals() {
    run_topic("decimals");
}

#[test]
fn strings() {
    run_topic("strings");
}

#[test]
fn data_sets() {
    run_topic("data_sets");
}

#[test]
fn exemptions() {
    run_topic("exemptions");
}

/// An undecided rule says which field it lacked, and the finding is marked
/// indeterminate; a broader HS match is marked as such in the evidence.
#[test]
fn indeterminate_findings_name_the_missing_field() {
    let dir = root().join("tests/data/eval/fail_closed");
    let engine = Engine::load(&dir).expect("rules");
    let layout = cordon::unstable::records::Layout::for_json(
        0,
        "t",
        std::sync::Arc::clone(&engine.rules().schema),
        std::sync::Arc::new(cordon::unstable::config::InputConfig::standard()),
    );
    let text = br#"{"id":"1","date":"2020-01-01","origin":"CN","destination":"KP","hs_code":"2710.19"}"#.to_vec();
    let raw = cordon::unstable::records::Raw::Json { line: 1, text };
    let rec = layout.parse(&raw).expect("valid");
    let e = engine.evaluate(&rec);
    let f = &e.findings[0];
    assert_eq!(engine.rules().rules[f.rule].id, "F-DESC");
    let desc = engine.rules().schema.field("description").expect("field");
    assert_eq!(
        f.outcome,
        Outcome::Indeterminate {
            missing: vec![desc],
            unreadable: vec![],
            no_column: vec![],
            no_column_groups: vec![],
            error: None
        }
    );
    // An undecided finding says so in neutral words, and why.
    assert!(f.message.starts_with("Not decided: "), "{}", f.message);
    assert!(f.message.ends_with(" — `description` is missing"), "{}", f.message);

    let hs_dir = root().join("tests/data/eval/hs");
    let engine = Engine::load(&hs_dir).expect("rules");
    let text = br#"{"id":"2","date":"2020-01-01","origin":"CN","destination":"JP","hs_code":"2710"}"#.to_vec();
    let raw = cordon::unstable::records::Raw::Json { line: 1, text };
    let rec = layout.parse(&raw).expect("valid");
    let e = engine.evaluate(&rec);
    assert!(e.findings[0].matches.iter().any(|m| m.broader), "heading-level match is marked");
    let _ = RecordOutcome::Evaluated(e);
}

#[test]
fn regimes_tables_and_dated_elements() {
    run_topic("regimes");
}

/// Evaluates every readable record of `file` with the compiled and the
/// reference evaluator, asserts they agree, and hands both results on.
fn each_compared(
    engine: &Engine,
    file: &std::path::Path,
    f: &mut dyn FnMut(&cordon::unstable::findings::Evaluated, &cordon::Explanation),
) {
    let opts = cordon::RunOptions::new();
    let mut inputs = engine.open(vec![cordon::InputSource::path(file)], &opts).expect("open");
    let mut input = inputs.remove(0);
    let layout = input.layout_shared();
    loop {
        let batch = input.next_batch(1024).expect("read");
        if batch.is_empty() {
            break;
        }
        for raw in batch {
            let Ok(rec) = layout.parse(&raw) else { continue };
            let compiled = engine.evaluate(&rec);
            let (explanation, reference) = cordon::unstable::explain::explain(engine.rules(), &rec);
            let a = compiled.rule_results();
            let b: Vec<_> = reference.iter().map(|f| (f.rule, f.severity, f.outcome.clone())).collect();
            assert_eq!(a, b, "record {} line {}", compiled.id, compiled.line);
            assert_eq!(explanation.decision, compiled.decision.name());
            f(&compiled, &explanation);
        }
    }
}

/// Scopes, table lookups (hierarchical keys, columns named by a value, list
/// cells), dated elements and `undecided: block`: the compiled and the
/// reference evaluator agree record by record, and a regime out of scope is
/// reported as such by both.
#[test]
fn compiled_and_reference_evaluators_agree_on_regimes_and_tables() {
    let dir = root().join("tests/data/eval/regimes");
    let engine = Engine::load(&dir).expect("rules");
    let (mut compared, mut outside, mut undecided_scope, mut lookups) = (0, 0, 0, 0);
    each_compared(&engine, &dir.join("records.csv"), &mut |compiled, explanation| {
        assert_eq!(explanation.out_of_scope.len(), compiled.out_of_scope().len(), "record {}", compiled.id);
        outside += compiled.out_of_scope().len();
        undecided_scope += compiled.scope_undecided().len();
        lookups += compiled.findings.iter().flat_map(|f| &f.matches).filter(|m| m.column.is_some()).count();
        compared += 1;
    });
    assert!(compared > 100, "{compared}");
    assert!(outside > 50 && undecided_scope > 20 && lookups > 10, "{outside} {undecided_scope} {lookups}");
}

/// The compiled evaluator and the plain reference evaluator (the one that
/// explains) reach the same findings on every record of the seed files.
#[test]
fn compiled_and_reference_evaluators_agree_on_the_seeds() {
    let engine = Engine::load(&root().join("rules")).expect("rules");
    let mut compared = 0;
    for file in ["seeds/transactions/trade-2016-2019.csv", "seeds/transactions/sample.jsonl"] {
        each_compared(&engine, &root().join(file), &mut |_, _| compared += 1);
    }
    assert!(compared > 2700);
}

/// Generated rule packs and records: the compiled evaluator (with its rule
/// index, its matchers and short-circuits) and the plain reference evaluator
/// reach the same findings. An optimisation must never change a decision.
/// A record that reaches evaluation without a readable date (only code
/// that builds records by hand can make one) is not passed: both evaluators
/// leave every rule undecided.
#[test]
fn a_record_without_its_date_is_never_passed() {
    use cordon::unstable::findings::Outcome;
    let engine = Engine::load(&root().join("rules")).expect("rules");
    let layout = cordon::unstable::records::Layout::for_json(
        0,
        "t",
        std::sync::Arc::clone(&engine.rules().schema),
        std::sync::Arc::new(cordon::unstable::config::InputConfig::standard()),
    );
    let text = br#"{"id":"T","date":"2018-01-02","origin":"CN","destination":"JP","hs_code":"0101"}"#.to_vec();
    let raw = cordon::unstable::records::Raw::Json { line: 1, text };
    let mut rec = layout.parse(&raw).expect("valid");
    rec.cells[engine.rules().schema.date] = cordon::unstable::records::Cell::Missing;
    let e = engine.evaluate(&rec);
    assert_eq!(e.decision.name(), "review");
    assert_eq!(e.findings.len(), engine.rules().rules.len());
    assert!(e.findings.iter().all(
        |f| matches!(&f.outcome, Outcome::Indeterminate { missing, .. } if missing == &[engine.rules().schema.date])
    ));
    let (_, reference) = cordon::unstable::explain::explain(engine.rules(), &rec);
    let a = e.rule_results();
    let b: Vec<_> = reference.iter().map(|f| (f.rule, f.severity, f.outcome.clone())).collect();
    assert_eq!(a, b);
}

/// The DPRK pack's rules are indexed but for the screening rules, which
/// read every record's parties and vessel: a country test written as
/// `any(c in party_countries: …)` or over the route is a guard too.
#[test]
fn the_rule_index_skips_all_but_the_screening_rules_of_the_dprk_pack() {
    let engine = Engine::load(&root().join("rules")).expect("rules");
    let rules = &engine.rules().rules;
    let screening = rules.iter().filter(|r| r.id.starts_with("KP-DESIG-")).count();
    assert_eq!(screening, 7);
    assert_eq!(engine.program().indexed_rules(), rules.len() - screening);
}

mod generated {
    use cordon::Engine;
    use proptest::prelude::*;

    use super::super::harness::TempPack;

    const COUNTRIES: [&str; 6] = ["KP", "CN", "RU", "US", "IR", "SY"];
    const HS: [&str; 8] = ["2701", "2701.12", "03", "0302.11", "8703", "93", "7208.39", "2710.19"];
    const WORDS: [&str; 4] = ["coal", "used", "jet fuel", "rice"];

    /// A condition over the standard schema, `depth` levels deep.
    fn cond(depth: u32) -> BoxedStrategy<String> {
        let atom = prop_oneof![
            (
                prop::sample::select(&["origin", "destination", "vessel_flag"][..]),
                prop::sample::subsequence(&COUNTRIES[..], 1..3)
            )
                .prop_map(|(f, cs)| format!("{f} in {{ {} }}", cs.join(", "))),
            prop::sample::subsequence(&HS[..], 1..4).prop_map(|hs| format!("hs_code in {{ {} }}", hs.join(", "))),
            (
                prop::sample::select(&["quantity", "value"][..]),
                prop::sample::select(&["<", ">=", "=="][..]),
                0u32..5000
            )
                .prop_map(|(f, op, n)| format!("{f} {op} {n}")),
            prop::sample::select(&WORDS[..]).prop_map(|w| format!("description contains word \"{w}\"")),
            prop::sample::select(&["license", "vessel_imo", "route", "seller"][..])
                .prop_map(|f| format!("present({f})")),
            prop::sample::select(&["license", "description"][..]).prop_map(|f| format!("absent({f})")),
            prop::sample::subsequence(&COUNTRIES[..], 1..3)
                .prop_map(|cs| format!("any(c in route: c in {{ {} }})", cs.join(", "))),
            // Guards the rule index takes from each item or member.
            (prop::sample::subsequence(&COUNTRIES[..], 1..3), prop::sample::select(&COUNTRIES[..])).prop_map(
                |(cs, o)| format!("any(c in party_countries: c in {{ {} }} or c in {{ {o} }})", cs.join(", "))
            ),
            (2016u32..2020).prop_map(|y| format!("date >= {y}-06-01")),
            Just("value / quantity > 100".to_string()),
            // Every kind and function, so that a value of an unexpected kind
            // at run time (a type error) would show.
            prop::sample::select(
                &[
                    "lower(seller) == \"korea coal\"",
                    "upper(trim(description)) starts with \"BULK\"",
                    "len(description) > 12",
                    "len(route) >= 2",
                    "year(date) == 2017",
                    "chapter(hs_code) == 27",
                    "days_between(2018-01-01, date) > 30",
                    "abs(quantity) >= 12",
                    "min(quantity, value) < max(quantity, 10)",
                    "route contains \"KP\"",
                    "destination == \"KP\"",
                    "hs_code != \"2701\"",
                    "quantity as bbl > 100",
                    "quantity as kg > 1000",
                    "any(p in parties: p == \"Korea Coal\")",
                    "any(c in party_countries: c in { KP })",
                    "seller ends with \"ltd\"",
                    "-quantity < -5",
                    "description == seller",
                ][..]
            )
            .prop_map(str::to_string),
        ];
        if depth == 0 {
            return atom.boxed();
        }
        let sub = cond(depth - 1);
        prop_oneof![
            3 => atom,
            1 => (sub.clone(), sub.clone()).prop_map(|(a, b)| format!("({a} and {b})")),
            1 => (sub.clone(), sub.clone()).prop_map(|(a, b)| format!("({a} or {b})")),
            1 => sub.prop_map(|a| format!("not ({a})")),
        ]
        .boxed()
    }

    fn pack() -> impl Strategy<Value = String> {
        prop::collection::vec(
            (cond(2), prop::option::of(cond(1)), any::<bool>(), prop::option::of(2016u32..2020)),
            1..8,
        )
        .prop_map(|rules| {
            let mut s = String::from("regime GEN\n");
            for (i, (when, unless, block, effective)) in rules.into_iter().enumerate() {
                s.push_str(&format!("rule R{i} {{\n  title: \"r\"\n  cite: \"c\"\n"));
                if let Some(y) = effective {
                    s.push_str(&format!("  effective: {y}-01-01\n"));
                }
                s.push_str(&format!("  severity: {}\n  when: {when}\n", if block { "block" } else { "review" }));
                if let Some(u) = unless {
                    // `then review` lowers a block; a review rule's exemption only lifts it.
                    s.push_str(&format!("  unless: {u}{}\n", if block && i % 2 == 0 { " then review" } else { "" }));
                }
                s.push_str("}\n");
            }
            s
        })
    }

    fn maybe(v: impl Strategy<Value = String>) -> impl Strategy<Value = Option<String>> {
        prop::option::weighted(0.7, v)
    }

    /// A JSON record: required fields always, optional ones often missing,
    /// sometimes unreadable.
    fn record() -> impl Strategy<Value = String> {
        let country = prop::sample::select(&COUNTRIES[..]).prop_map(str::to_string);
        (
            (2015u32..2021, 1u32..13, 1u32..29),
            country.clone(),
            country.clone(),
            prop::sample::select(&HS[..]).prop_map(str::to_string),
            maybe(prop::sample::select(&["12", "0", "4500.5", "-3", "x"][..]).prop_map(str::to_string)),
            maybe(prop::sample::select(&["100", "99999", "0"][..]).prop_map(str::to_string)),
            maybe(prop::sample::select(&WORDS[..]).prop_map(|w| format!("bulk {w} shipment"))),
            maybe(prop_oneof![
                4 => prop::sample::subsequence(&COUNTRIES[..], 0..3).prop_map(|cs| cs.join(";")),
                // An item that is no country.
                1 => prop::sample::select(&["KP;ZZ9", "CN;K1"][..]).prop_map(str::to_string),
            ]),
            maybe(Just("LIC-1".to_string())),
            maybe(prop::sample::select(&["9191773", "1234567"][..]).prop_map(str::to_string)),
            maybe(country.clone()),
            (
                maybe(prop::sample::select(&["t", "barrels", "kg", "furlongs", "ton"][..]).prop_map(str::to_string)),
                maybe(prop::sample::select(&["Korea Coal", "Dalian Ltd", ""][..]).prop_map(str::to_string)),
                // A party country, sometimes unreadable.
                maybe(prop_oneof![4 => country, 1 => Just("K1".to_string())]),
            ),
        )
            .prop_map(|((y, m, d), o, de, hs, q, v, desc, route, lic, imo, flag, (unit, seller, sc))| {
                let mut fields = vec![
                    format!("\"id\": \"g\""),
                    format!("\"date\": \"{y}-{m:02}-{d:02}\""),
                    format!("\"origin\": \"{o}\""),
                    format!("\"destination\": \"{de}\""),
                    format!("\"hs_code\": \"{hs}\""),
                ];
                let opt = [
                    ("quantity", q),
                    ("value", v),
                    ("description", desc),
                    ("route", route),
                    ("license", lic),
                    ("vessel_imo", imo),
                    ("vessel_flag", flag),
                    ("unit", unit),
                    ("seller", seller),
                    ("seller_country", sc),
                ];
                for (k, val) in opt {
                    if let Some(val) = val {
                        fields.push(format!("\"{k}\": \"{val}\""));
                    }
                }
                format!("{{{}}}", fields.join(", "))
            })
    }

    /// The records as one CSV file, every field quoted (an empty field is
    /// a missing value), each with its own id.
    fn csv_of(records: &[String]) -> String {
        const COLUMNS: [&str; 15] = [
            "id",
            "date",
            "origin",
            "destination",
            "hs_code",
            "quantity",
            "value",
            "description",
            "route",
            "license",
            "vessel_imo",
            "vessel_flag",
            "unit",
            "seller",
            "seller_country",
        ];
        let mut out = COLUMNS.join(",") + "\n";
        for (i, r) in records.iter().enumerate() {
            let v: serde_json::Value = serde_json::from_str(r).expect("a generated record is JSON");
            let row: Vec<String> = COLUMNS
                .iter()
                .map(|c| match (*c, v.get(c).and_then(|x| x.as_str())) {
                    ("id", _) => format!("G{i}"),
                    (_, Some(s)) => format!("\"{}\"", s.replace('"', "\"\"")),
                    _ => String::new(),
                })
                .collect();
            out.push_str(&row.join(","));
            out.push('\n');
        }
        out
    }

    /// A generated pack, checked and loaded (with its folder, kept while used).
    fn load(rules: &str) -> Result<(TempPack, Engine), TestCaseError> {
        let dir = TempPack::new(&[("gen.cordon", rules)]);
        let engine = Engine::load(dir.path()).map_err(|d| TestCaseError::fail(format!("{d:?}\n{rules}")))?;
        Ok((dir, engine))
    }

    /// Every record's line, decision and rule results, and the run's counts.
    type Decided = (Vec<(u64, String, String)>, (u64, u64, u64, u64, u64));

    fn decide(engine: &Engine, csv: &str, on_demand: bool) -> Decided {
        use cordon::unstable::findings::RecordOutcome;
        let mut seen = Vec::new();
        let mut stage = cordon::each_record(|item| {
            let what = match item.outcome() {
                RecordOutcome::Evaluated(e) => (e.decision.name().to_string(), format!("{:?}", e.rule_results())),
                RecordOutcome::Invalid(_) => ("invalid".to_string(), String::new()),
            };
            seen.push((item.line(), what.0, what.1));
            Ok(())
        });
        let opts =
            if on_demand { cordon::RunOptions::new().type_only_what_rules_read() } else { cordon::RunOptions::new() };
        let input = cordon::InputSource::reader("g.csv", cordon::Format::Csv, std::io::Cursor::new(csv.to_string()));
        let s = engine.run(vec![input], &opts, &mut [&mut stage]).expect("the run completes");
        (seen, (s.read, s.invalid, s.decisions.block, s.decisions.review, s.decisions.pass))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]
        /// A run that types only what rules read, and fields only guarded
        /// rules read only for records whose guards hold, decides every
        /// record as a run that types everything (generated packs mixing
        /// guarded and unguarded rules; quantities, units and values
        /// missing, unreadable or convertible; guard fields of every kind).
        #[test]
        fn a_run_typing_on_demand_decides_as_a_full_run(rules in pack(), records in prop::collection::vec(record(), 1..40)) {
            let (_dir, engine) = load(&rules)?;
            let csv = csv_of(&records);
            prop_assert_eq!(decide(&engine, &csv, true), decide(&engine, &csv, false), "{}\n{}", rules, csv);
        }

        #[test]
        fn compiled_and_reference_evaluators_agree(rules in pack(), records in prop::collection::vec(record(), 1..24)) {
            let (_dir, engine) = load(&rules)?;
            let layout = cordon::unstable::records::Layout::for_json(
                0,
                "g",
                std::sync::Arc::clone(&engine.rules().schema),
                std::sync::Arc::new(cordon::unstable::config::InputConfig::standard()),
            );
            for text in &records {
                let raw = cordon::unstable::records::Raw::Json { line: 1, text: text.clone().into_bytes() };
                let Ok(rec) = layout.parse(&raw) else {
                    continue;
                };
                let compiled = engine.evaluate(&rec);
                let (explanation, reference) = cordon::unstable::explain::explain(engine.rules(), &rec);
                let a = compiled.rule_results();
                let b: Vec<_> = reference.iter().map(|f| (f.rule, f.severity, f.outcome.clone())).collect();
                prop_assert_eq!(&a, &b, "{}\n{}", rules, text);
                prop_assert_eq!(explanation.decision.as_str(), compiled.decision.name());
                // Checked rules never meet a value of a kind the checker did
                // not give it: a type error at run time is a checker bug.
                let type_error = |o: &cordon::unstable::findings::Outcome| {
                    matches!(o, cordon::unstable::findings::Outcome::Indeterminate { error: Some("type error"), .. })
                };
                prop_assert!(!a.iter().any(|(_, _, o)| type_error(o)), "{}\n{}", rules, text);
            }
        }
    }
}
