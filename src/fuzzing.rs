//! Entry points for fuzzing: each takes arbitrary bytes and runs one input
//! path of Cordon to the end (parse, check, type, import, screen), as a user's
//! file would. None may panic, hang or grow memory without bound; errors are
//! results, not crashes. The `fuzz/` crate (cargo-fuzz) drives them with
//! coverage guidance; `tests/it/robustness.rs` runs them over a corpus and
//! random mutations on the stable toolchain, so they cannot rot.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use crate::check;
use crate::check::{Pack, PackFile};
use crate::config::{self, InputConfig};
use crate::lists::import::{self, SourceFile as ListFile};
use crate::records::{Format, Input, InputSpec, Limits, Raw};
use crate::source::SourceFile;

fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// Rule text: parse, check (in a pack of its own, with no data files or
/// lists on disk), format, and reparse the formatted text.
pub fn rules(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let src = Arc::new(SourceFile::new("fuzz.cordon", "fuzz.cordon", t));
    let Ok(ast) = crate::syntax::parse(&src) else { return };
    if let Ok(formatted) = crate::syntax::print::format(&src) {
        let again = SourceFile::new("fuzz2.cordon", "fuzz2.cordon", formatted.as_str());
        // The canonical layout parses to the same tree.
        if let Ok(b) = crate::syntax::parse(&again) {
            assert!(b == ast, "fmt changed the meaning of a rule file");
        }
    }
    let mut pack = Pack::empty(Arc::new(crate::config::standard_schema()));
    pack.files.push(PackFile { source: src, rel: "fuzz.cordon".into(), ast, imports: Vec::new() });
    // No data files or lists: the sources are empty.
    if let Ok((rules, _)) = check::check(&pack, &crate::sources::MemSources::new()) {
        let engine = crate::Engine::from_rules(Arc::new(rules));
        // Evaluate the sample's first record against whatever was checked.
        let layout = crate::records::Layout::for_json(
            0,
            "fuzz",
            Arc::clone(&engine.rules().schema),
            Arc::new(InputConfig::standard()),
        );
        let rec = br#"{"id":"F1","date":"2018-05-01","origin":"KP","destination":"CN","hs_code":"2701.12","quantity":"10","value":"1000","currency":"USD","description":"coal","route":"KP;CN","seller":"Korea Mining Development Trading Corporation"}"#;
        if let Ok(r) = layout.parse(&Raw::Json { line: 1, text: rec.to_vec() }) {
            let e = engine.evaluate(&r);
            let (_, reference) = crate::explain::explain(engine.rules(), &r);
            let a = e.rule_results();
            let b: Vec<_> = reference.iter().map(|f| (f.rule, f.severity, f.outcome.clone())).collect();
            assert_eq!(a, b, "the evaluators disagree");
        }
    }
}

/// Reads and types every record of a file in the standard schema (a bad
/// row is an `Err` from `parse`, never a panic), stopping at a file error.
fn records(data: &[u8], format: Format) {
    let spec = InputSpec { path: PathBuf::from("fuzz"), name: "fuzz".into(), format };
    let schema = Arc::new(crate::config::standard_schema());
    let config = Arc::new(InputConfig::standard());
    let Ok(mut input) =
        Input::from_reader(std::io::Cursor::new(data.to_vec()), &spec, 0, schema, config, Limits::default())
    else {
        return;
    };
    let layout = Arc::clone(&input.layout);
    for _ in 0..100_000 {
        match input.next_batch(256) {
            Ok(batch) if batch.is_empty() => break,
            Ok(batch) => {
                for raw in batch {
                    let _ = layout.parse(&raw);
                }
            }
            Err(_) => break,
        }
    }
}

/// A CSV transaction file.
pub fn csv(data: &[u8]) {
    records(data, Format::Csv);
}

/// A JSON Lines transaction file.
pub fn jsonl(data: &[u8]) {
    records(data, Format::Jsonl);
}

/// YAML: as an input config, a schema, a pack manifest and a reviewed-matches file.
pub fn config(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let schema = crate::config::standard_schema();
    let _ = config::load_config(SourceFile::new("fuzz.yaml", "fuzz.yaml", t), &schema);
    let src = SourceFile::new("fuzz.yaml", "fuzz.yaml", t);
    let _ = config::load_schema(&src);
    let _ = config::load_manifest(&src);
    let _ = config::load_reviewed(&src);
}

/// A small list to screen against, built once.
fn screener() -> &'static crate::screen::Screener {
    static S: OnceLock<crate::screen::Screener> = OnceLock::new();
    S.get_or_init(|| {
        let csv = "ref,name,name_kind,imo,listed_on\nKPe.001,KOREA MINING DEVELOPMENT TRADING CORPORATION,primary,,2009-04-24\nKPe.001,KOMID,alias,,2009-04-24\nKPi.052,RI SU YONG,primary,,2017-06-02\nV03,BILLIONS NO. 18,primary,9191773,2017-12-28\n";
        let parsed = import::watchlist::parse(&ListFile { path: "w.csv".into(), bytes: csv.as_bytes().to_vec() });
        let entries = parsed.map(|p| p.entries).unwrap_or_default();
        crate::screen::Screener::new(vec![Arc::new(crate::lists::Snapshot {
            name: "FUZZ".into(),
            format: "watchlist-csv".into(),
            sources: Vec::new(),
            published: None,
            fingerprint: String::new(),
            entries,
        })])
    })
}

/// A sanctions-list source in every format Cordon imports; the bytes are
/// also screened as a name against a small list.
pub fn lists(data: &[u8]) {
    let file = |name: &str| ListFile { path: name.into(), bytes: data.to_vec() };
    let _ = import::un::parse(&file("un.xml"));
    let _ = import::ofac_xml::parse(&file("sdn.xml"));
    let _ = import::ofac_csv::parse(&[file("sdn.csv")]);
    let _ = import::ofac_csv::parse(&[file("sdn.csv"), file("alt.csv"), file("add.csv"), file("sdn_comments.csv")]);
    let _ = import::ftm::parse(&[file("x.ftm.json")]);
    let _ = import::watchlist::parse(&file("w.csv"));
    let name = String::from_utf8_lossy(data);
    let q = crate::screen::Query {
        name: name.chars().take(4096).collect(),
        threshold: crate::values::Decimal::new(5, 1),
        limit: 5,
        ..crate::screen::Query::default()
    };
    let _ = screener().screen(&q);
}
