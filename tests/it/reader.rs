//! The parallel CSV reader: chunks cut at line breaks, split on every core,
//! a quoted field that runs over a chunk boundary read again in order. The
//! same file must give the same records, on the same lines, with the same
//! findings — and the reference evaluator must agree with the compiled one
//! on every record — whatever the thread count and the chunk size.

use std::sync::Arc;

use cordon::unstable::findings::RecordOutcome;
use cordon::{Engine, InputSource, Limits, RunOptions};
use proptest::prelude::*;

use super::harness::root;

/// One generated record: its fields, how it is quoted, how its line ends.
#[derive(Debug, Clone)]
struct Row {
    origin: &'static str,
    hs: &'static str,
    description: String,
    quoted: bool,
    crlf: bool,
    blank_before: bool,
}

fn row() -> impl Strategy<Value = Row> {
    (
        prop::sample::select(vec!["KP", "CN", "RU", "IR", "US"]),
        prop::sample::select(vec!["2701", "2701.12", "8703", "0302.11", "9301", "2710.19"]),
        proptest::collection::vec(
            prop::sample::select(vec!["coal", "jet fuel", "cars", " ", ",", "\"", "\n", "\r\n", "x", "é"]),
            // At most four pieces: a line of the description never holds a
            // whole row's five delimiters (that is a swallowed record,
            // reported invalid; tests/data/bad-inputs covers it).
            0..5,
        ),
        any::<bool>(),
        any::<bool>(),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(origin, hs, words, quoted, crlf, blank_before)| {
            let description: String = words.concat();
            // Text with a delimiter, a quote or a line break must be quoted.
            let quoted = quoted || description.contains([',', '"', '\n', '\r']);
            Row { origin, hs, description, quoted, crlf, blank_before }
        })
}

/// The file's bytes and the line each record starts on.
fn file(rows: &[Row], bom: bool) -> (Vec<u8>, Vec<u64>) {
    let mut text = String::new();
    if bom {
        text.push('\u{feff}');
    }
    text.push_str("id,date,origin,destination,hs_code,description\n");
    let mut line = 2;
    let mut lines = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        if r.blank_before {
            text.push('\n');
            line += 1;
        }
        lines.push(line);
        let description =
            if r.quoted { format!("\"{}\"", r.description.replace('"', "\"\"")) } else { r.description.clone() };
        text.push_str(&format!("TX-{i},2019-03-0{},{},CN,{},{description}", 1 + i % 9, r.origin, r.hs));
        text.push_str(if r.crlf { "\r\n" } else { "\n" });
        line += 1 + r.description.matches('\n').count() as u64;
    }
    (text.into_bytes(), lines)
}

type Outcome = (String, u64, String, Vec<String>);

/// Runs the DPRK pack over the bytes; each record's outcome, and whether
/// the reference evaluator found the same on every record.
fn run(
    engine: &Engine,
    bytes: &[u8],
    threads: usize,
    chunk: Option<usize>,
    limits: Limits,
) -> Result<Vec<Outcome>, String> {
    let mut opts = RunOptions::new().limits(limits);
    if let Some(c) = chunk {
        opts = opts.chunk_bytes(c);
    }
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
    let mut out = Vec::new();
    let mut disagreements = Vec::new();
    let result = pool.install(|| {
        let input = InputSource::reader("gen.csv", cordon::Format::Csv, std::io::Cursor::new(bytes.to_vec()));
        let mut collect = cordon::each_record(|item| {
            let o = item.outcome();
            let (id, decision, rules) = match o {
                RecordOutcome::Evaluated(e) => {
                    let rec = e.record.as_deref().expect("kept");
                    let (_, reference) = cordon::unstable::explain::explain(engine.rules(), rec);
                    let a = e.rule_results();
                    let b: Vec<_> = reference.iter().map(|f| (f.rule, f.severity, f.outcome.clone())).collect();
                    if a != b {
                        disagreements.push(e.id.clone());
                    }
                    (
                        e.id.clone(),
                        e.decision.name().to_string(),
                        e.findings.iter().map(|f| engine.rules().rules[f.rule].id.clone()).collect(),
                    )
                }
                RecordOutcome::Invalid(i) => (i.id.clone().unwrap_or_default(), "invalid".into(), Vec::new()),
            };
            out.push((id, o.line(), decision, rules));
            Ok(())
        });
        let mut keep = KeepRecords;
        engine.run(vec![input], &opts, &mut [&mut keep, &mut collect])
    });
    let summary = result.map_err(|e| serde_json::to_string(&e.to_json()).unwrap_or_default())?;
    assert_eq!(summary.read as usize, out.len());
    assert_eq!(summary.read, summary.evaluated + summary.invalid);
    assert!(disagreements.is_empty(), "compiled and reference evaluators differ on {disagreements:?}");
    Ok(out)
}

/// A stage that asks the run to keep every record (for the reference evaluator).
struct KeepRecords;

impl cordon::Stage for KeepRecords {
    fn needs_records(&self) -> bool {
        true
    }

    fn record(&mut self, _: &cordon::Item<'_>) -> Result<(), cordon::StageError> {
        Ok(())
    }
}

fn engine() -> Arc<Engine> {
    static ENGINE: std::sync::OnceLock<Arc<Engine>> = std::sync::OnceLock::new();
    Arc::clone(ENGINE.get_or_init(|| Arc::new(Engine::load(&root().join("rules")).expect("rules"))))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Quoted fields with line breaks (across chunk boundaries when chunks
    /// are small), CRLF and LF mixed, blank lines, a BOM: every record on
    /// its own line, the same outcomes whatever the threads and chunks.
    #[test]
    fn records_lines_and_findings_do_not_depend_on_threads_or_chunks(
        rows in proptest::collection::vec(row(), 1..60),
        bom in any::<bool>(),
        threads in 1usize..4,
        chunk in 1usize..400,
    ) {
        let engine = engine();
        let (bytes, lines) = file(&rows, bom);
        let reference = run(&engine, &bytes, 1, None, Limits::default()).expect("runs");
        let got_lines: Vec<u64> = reference.iter().map(|o| o.1).collect();
        prop_assert_eq!(&got_lines, &lines, "every record on the line it starts on");
        prop_assert!(reference.iter().all(|o| o.2 != "invalid"), "{:?}", reference);
        let chunked = run(&engine, &bytes, threads, Some(chunk), Limits::default()).expect("runs");
        prop_assert_eq!(chunked, reference);
    }

    /// A line longer than the limit stops the run with an error naming it,
    /// wherever the chunks fall around it.
    #[test]
    fn an_overlong_line_is_named_wherever_the_chunks_fall(
        rows in proptest::collection::vec(row(), 2..30),
        long_at in 0usize..30,
        threads in 1usize..4,
        chunk in 1usize..300,
    ) {
        let engine = engine();
        let mut rows = rows;
        let at = long_at % rows.len();
        rows[at].description = "y".repeat(500);
        rows[at].quoted = false;
        let (bytes, lines) = file(&rows, false);
        let limits = Limits { max_line_bytes: 400, ..Limits::default() };
        // Lines of the other records are far shorter than the limit.
        let err = run(&engine, &bytes, threads, Some(chunk), limits).expect_err("fails");
        let want = format!("line {} is longer than the limit of 400 bytes", lines[at]);
        prop_assert!(err.contains(&want), "{} (want {})", err, want);
    }
}

/// `--format summary` types only the fields a rule reads, and those only
/// guarded rules read only for records whose guards hold
/// (`tests/data/on-demand`: quantities written with their units, unknown
/// units, unreadable values and currencies, missing and unreadable guard
/// fields); its totals and per-rule counts must be those of a run that
/// types everything.
#[test]
fn a_summary_typing_only_what_rules_read_counts_the_same() {
    use super::harness::{cordon, stdout};
    for (rules, file) in [
        ("rules", "seeds/transactions/trade-2016-2019.csv"),
        ("rules", "tests/data/bad-inputs/bad-values.csv"),
        ("rules", "tests/data/bad-inputs/quantities.csv"),
        ("rules", "tests/data/fail-open/no-party-columns.csv"),
        ("tests/data/on-demand", "tests/data/on-demand/records.csv"),
    ] {
        let s: serde_json::Value =
            serde_json::from_str(&stdout(&cordon(&["check", "--rules", rules, "--format", "summary", file])))
                .expect("summary");
        let j: serde_json::Value =
            serde_json::from_str(&stdout(&cordon(&["check", "--rules", rules, "--format", "json", file])))
                .expect("json");
        let mut lean = s.clone();
        lean.as_object_mut().expect("object").remove("rule_hits");
        assert_eq!(lean, j["summary"], "{file}");
        let mut hits = std::collections::BTreeMap::<String, u64>::new();
        for r in j["records"].as_array().expect("records") {
            let rules: std::collections::BTreeSet<&str> =
                r["findings"].as_array().into_iter().flatten().filter_map(|f| f["rule"].as_str()).collect();
            for rule in rules {
                *hits.entry(rule.to_string()).or_default() += 1;
            }
        }
        for (rule, n) in s["rule_hits"].as_object().expect("rule_hits") {
            assert_eq!(n.as_u64().unwrap_or(0), hits.get(rule).copied().unwrap_or(0), "{file}: {rule}");
        }
    }
}
