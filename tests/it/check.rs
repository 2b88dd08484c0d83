//! Diagnostics: every static-check error, with its code, message, the exact
//! source text it underlines, and its help. Cases live in
//! `tests/data/check/cases.yaml`.

use std::collections::BTreeMap;

use cordon::Engine;
use miette::Diagnostic;
use serde::Deserialize;

use super::harness::{TempPack, root};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Cases {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    note: String,
    /// Rule text of `main.cordon`.
    rules: String,
    /// Other files of the pack (name → text).
    #[serde(default)]
    files: BTreeMap<String, String>,
    want: Vec<Want>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct Want {
    code: String,
    message: String,
    underline: String,
    #[serde(default)]
    help: Option<String>,
}

/// What a user sees of a diagnostic.
fn seen(d: &dyn Diagnostic, text: &str) -> (String, String, String, Option<String>) {
    let code = d.code().map(|c| c.to_string()).unwrap_or_default();
    let underline = d
        .labels()
        .and_then(|mut l| l.next())
        .map(|l| text.get(l.offset()..l.offset() + l.len()).unwrap_or("").to_string())
        .unwrap_or_default();
    (code, d.to_string(), underline, d.help().map(|h| h.to_string()))
}

#[test]
fn every_check_error_is_reported_as_documented() {
    let src =
        cordon::unstable::sources::read_text_file(&root().join("tests/data/check/cases.yaml")).expect("cases file");
    let cases: Cases = cordon::unstable::config::parse_yaml(&src).expect("cases parse");
    assert!(cases.cases.len() >= 25);
    let mut failures = Vec::new();
    for case in &cases.cases {
        let mut files: Vec<(&str, &str)> = vec![("main.cordon", case.rules.as_str())];
        files.extend(case.files.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let pack = TempPack::new(&files);
        let diags = match Engine::load(pack.path()) {
            Ok(_) => {
                failures.push(format!("{}: no error reported", case.note));
                continue;
            }
            Err(d) => d,
        };
        let tmp = pack.path().display().to_string();
        let got: Vec<_> = diags
            .errors
            .iter()
            .map(|p| seen(p, &case.rules))
            .map(|(c, m, u, h)| (c, m, u, h.map(|h| h.replace(&tmp, "<pack>"))))
            .collect();
        if got.len() != case.want.len() {
            failures.push(format!("{}: expected {} problems, got {}: {got:#?}", case.note, case.want.len(), got.len()));
            continue;
        }
        for (w, g) in case.want.iter().zip(&got) {
            let want = (w.code.clone(), w.message.clone(), w.underline.clone(), w.help.clone());
            if want != *g {
                failures.push(format!("{}:\n  want {want:?}\n  got  {g:?}", case.note));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.cases.len(), failures.join("\n"));
}

/// The rendered form, as `cordon validate` prints it, for one file with
/// several mistakes.
#[test]
fn rendered_diagnostics_snapshot() {
    let text = std::fs::read_to_string(root().join("tests/data/check/five-mistakes.cordon")).expect("fixture");
    let pack = TempPack::new(&[("five-mistakes.cordon", &text)]);
    let diags = Engine::load(pack.path()).expect_err("has errors");
    assert_eq!(diags.errors.len(), 5, "each of the five mistakes is reported");
    let handler = miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor()).with_width(80);
    let mut out = String::new();
    for d in &diags.errors {
        handler.render_report(&mut out, d).expect("render");
    }
    let out = out.replace(&pack.path().display().to_string(), "<pack>");
    insta::assert_snapshot!(out);
}

/// Every lint fires on its crafted pack (`tests/data/lint/cases.yaml`).
#[test]
fn every_lint_fires_on_its_crafted_pack() {
    let src =
        cordon::unstable::sources::read_text_file(&root().join("tests/data/lint/cases.yaml")).expect("cases file");
    let cases: Cases = cordon::unstable::config::parse_yaml(&src).expect("cases parse");
    let mut failures = Vec::new();
    let mut codes = std::collections::BTreeSet::new();
    for case in &cases.cases {
        let pack = TempPack::new(&[("main.cordon", case.rules.as_str())]);
        let engine = match Engine::load(pack.path()) {
            Ok(e) => e,
            Err(d) => {
                failures.push(format!("{}: the rules do not check: {d:?}", case.note));
                continue;
            }
        };
        let got: Vec<_> = engine.warnings().iter().map(|w| seen(w, &case.rules)).collect();
        let want: Vec<_> = case
            .want
            .iter()
            .map(|w| (w.code.clone(), w.message.clone(), w.underline.clone(), w.help.clone()))
            .collect();
        if got != want {
            failures.push(format!("{}:\n  want {want:#?}\n  got  {got:#?}", case.note));
        }
        for w in engine.warnings() {
            assert_eq!(w.severity(), Some(miette::Severity::Warning));
            codes.insert(w.kind);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(codes.len(), 10, "every lint kind has a case (text_exemption: docs/language.md): {codes:?}");
}

#[test]
fn the_shipped_rules_raise_no_lint() {
    let engine = Engine::load(&root().join("rules")).expect("rules");
    let w: Vec<String> = engine.warnings().iter().map(|w| format!("{}: {}", w.kind.code(), w)).collect();
    assert!(w.is_empty(), "{w:#?}");
}
