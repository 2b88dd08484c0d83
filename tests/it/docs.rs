//! The examples of `docs/language.md` are checked: `cordon` blocks must
//! check cleanly, `cordon-error` blocks must fail with the code their first
//! comment names, and example rule tests (`file=` blocks) must pass.

use std::collections::BTreeMap;

use cordon::Engine;
use miette::Diagnostic;

use super::harness::{TempPack, root};

struct Block {
    info: String,
    text: String,
    line: usize,
}

/// A pack holding one example file, with the shipped list snapshots in its
/// `lists/` folder so that screening examples check.
fn example_pack(text: &str) -> TempPack {
    let pack = TempPack::new(&[("example.cordon", text)]);
    for name in ["UN_SC", "OFAC_SDN", "UN_1718_VESSELS"] {
        let bytes = std::fs::read(root().join(format!("seeds/lists/{name}.json"))).expect("snapshot");
        pack.write(&format!("lists/{name}.json"), bytes);
    }
    pack
}

fn blocks(md: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut current: Option<Block> = None;
    for (i, line) in md.lines().enumerate() {
        match (&mut current, line.strip_prefix("```")) {
            (None, Some(info)) => {
                current = Some(Block { info: info.trim().to_string(), text: String::new(), line: i + 1 })
            }
            (Some(_), Some(_)) => out.extend(current.take()),
            (Some(b), None) => {
                b.text.push_str(line);
                b.text.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

#[test]
fn the_language_reference_examples_are_right() {
    let md = std::fs::read_to_string(root().join("docs/language.md")).expect("docs/language.md");
    let mut checked = 0;
    let mut errors_checked = 0;
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    for b in blocks(&md) {
        let mut words = b.info.split_whitespace();
        let lang = words.next().unwrap_or("");
        let file = words.find_map(|w| w.strip_prefix("file=")).map(str::to_string);
        match (lang, file) {
            ("cordon" | "yaml", Some(name)) => {
                files.insert(name, b.text.clone());
            }
            ("cordon", None) => {
                let pack = example_pack(&b.text);
                if let Err(d) = Engine::load(pack.path()) {
                    let msgs: Vec<String> = d.errors.iter().map(|e| e.to_string()).collect();
                    panic!("docs/language.md line {}: the example does not check: {msgs:?}\n{}", b.line, b.text);
                }
                checked += 1;
            }
            ("cordon-error", None) => {
                let code = b
                    .text
                    .lines()
                    .next()
                    .and_then(|l| l.strip_prefix("// error: "))
                    .unwrap_or_else(|| {
                        panic!("docs/language.md line {}: a cordon-error block starts with `// error: CODE`", b.line)
                    })
                    .trim()
                    .to_string();
                let pack = example_pack(&b.text);
                let codes: Vec<String> = match Engine::load(pack.path()) {
                    Ok(engine) => engine.warnings().iter().filter_map(|w| w.code().map(|c| c.to_string())).collect(),
                    Err(d) => d.errors.iter().filter_map(|e| e.code().map(|c| c.to_string())).collect(),
                };
                assert!(codes.contains(&code), "docs/language.md line {}: expected {code}, got {codes:?}", b.line);
                errors_checked += 1;
            }
            _ => {}
        }
    }
    assert!(checked >= 8, "{checked} examples checked");
    assert!(errors_checked >= 5, "{errors_checked} error examples checked");
    // The worked example: a rule file and its tests, run as `cordon test` runs them.
    assert!(files.len() >= 2, "the worked example's files");
    let names: Vec<(String, String)> = files.into_iter().collect();
    let refs: Vec<(&str, &str)> = names.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    let pack = TempPack::new(&refs);
    let engine = Engine::load(pack.path()).expect("the worked example checks");
    let results =
        cordon::unstable::testing::run_all(&engine, &cordon::FsSources::new(pack.path())).expect("its tests run");
    assert_eq!(results.len(), 5);
    let failed: Vec<String> =
        results.iter().filter(|r| !r.passed()).map(|r| format!("{}: {:?}", r.case.name, r.failures)).collect();
    assert!(failed.is_empty(), "{failed:?}");
    // The explanation shown in §1 is what `cordon explain` prints.
    let shown = blocks(&md)
        .into_iter()
        .find(|b| b.info == "text" && b.text.starts_with("Record T1"))
        .expect("the explain sample");
    let o = super::harness::cordon(&[
        "explain",
        "--rules",
        &pack.path().display().to_string(),
        "--record",
        r#"{"id":"T1","date":"2025-04-15","origin":"KP","destination":"CN","hs_code":"0603.11"}"#,
    ]);
    let actual = super::harness::stdout(&o);
    for line in shown.text.lines().filter(|l| *l != "…") {
        assert!(actual.contains(line), "`{line}` is not what explain prints:\n{actual}");
    }
}

#[test]
fn the_embedding_guide_shows_the_example_service_as_it_is() {
    let md = std::fs::read_to_string(root().join("docs/embedding.md")).expect("docs/embedding.md");
    let example = std::fs::read_to_string(root().join("examples/screening_service.rs")).expect("example");
    let code: String = example.lines().filter(|l| !l.starts_with("//!")).map(|l| format!("{l}\n")).collect();
    let shown = blocks(&md).into_iter().find(|b| b.info.starts_with("rust")).expect("a rust block");
    assert_eq!(shown.text, code, "docs/embedding.md line {} differs from examples/screening_service.rs", shown.line);
    assert!(code.lines().count() <= 30, "the service is {} lines", code.lines().count());
}
