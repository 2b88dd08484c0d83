//! `cordon fmt`: idempotent, keeps every comment, never changes what a file
//! means — on every rule file in the repository and on generated ones.

use cordon::unstable::source::SourceFile;
use cordon::unstable::syntax::{parse, print::format};
use proptest::prelude::*;

use super::harness::{TempPack, cordon, root, stderr, stdout};

fn src(text: &str) -> SourceFile {
    SourceFile::new("t.cordon", "t.cordon", text)
}

fn comments(text: &str) -> Vec<String> {
    let mut v: Vec<String> = text
        .lines()
        .filter_map(|l| l.find("//").map(|i| l[i..].trim().to_string()))
        .filter(|c| !c.contains('"'))
        .collect();
    v.sort();
    v
}

fn assert_roundtrip(name: &str, text: &str) {
    let once = format(&src(text)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let twice = format(&src(&once)).unwrap_or_else(|e| panic!("{name}, formatted: {e}\n{once}"));
    assert_eq!(once, twice, "{name}: fmt(fmt(x)) != fmt(x)");
    assert_eq!(parse(&src(text)).expect("parses"), parse(&src(&once)).expect("parses"), "{name}: the meaning changed");
    assert_eq!(comments(text), comments(&once), "{name}: comments lost or changed");
}

fn rule_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).expect("dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            rule_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "cordon") {
            out.push(p);
        }
    }
}

#[test]
fn every_rule_file_in_the_repository_round_trips() {
    let mut files = Vec::new();
    rule_files(&root().join("rules"), &mut files);
    rule_files(&root().join("tests/data/eval"), &mut files);
    assert!(files.len() >= 15);
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        assert_roundtrip(&f.display().to_string(), &text);
    }
}

#[test]
fn the_shipped_rules_are_in_the_canonical_layout() {
    let o = cordon(&["fmt", "--check", "rules"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn fmt_check_lists_files_and_fmt_rewrites_them() {
    let pack = TempPack::new(&[("a.cordon", "regime R\nset S:country={KP}\n"), ("b.cordon", "regime R\n")]);
    let dir = pack.path().display().to_string();
    let o = cordon(&["fmt", "--check", &dir]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("would reformat") && stdout(&o).contains("a.cordon") && !stdout(&o).contains("b.cordon")
    );
    let o = cordon(&["fmt", &dir]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(pack.path().join("a.cordon")).expect("read"),
        "regime R\n\nset S: country = { KP }\n"
    );
    assert_eq!(cordon(&["fmt", "--check", &dir]).status.code(), Some(0));
    let bad = pack.write("c.cordon", "rule {");
    let o = cordon(&["fmt", &bad.display().to_string()]);
    assert_eq!(o.status.code(), Some(2), "a file that does not parse is an error");
}

// ───────────────────────────── generated files ─────────────────────────────

fn name() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "origin",
        "destination",
        "hs_code",
        "quantity",
        "value",
        "date",
        "seller",
        "S1",
        "LIMIT",
        "c",
    ])
    .prop_map(str::to_string)
}

fn literal() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..100000).prop_map(|n| n.to_string()),
        (0u32..1000, 0u32..100).prop_map(|(a, b)| format!("{a}.{b:02}")),
        Just("2017-08-05".to_string()),
        "[a-zA-Z ,.éё한]{0,12}".prop_map(|s| format!("{s:?}")),
        Just("true".to_string()),
    ]
}

fn expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![name(), literal(), "[a-z]{1,6}".prop_map(|f| format!("present({f})"))];
    leaf.prop_recursive(4, 40, 4, |inner| {
        prop_oneof![
            (
                inner.clone(),
                prop::sample::select(vec![
                    "and",
                    "or",
                    "==",
                    "!=",
                    "<",
                    ">=",
                    "+",
                    "-",
                    "*",
                    "/",
                    "in",
                    "not in",
                    "contains",
                    "contains word",
                    "starts with"
                ]),
                inner.clone()
            )
                .prop_map(|(a, op, b)| format!("{a} {op} {b}")),
            inner.clone().prop_map(|a| format!("({a})")),
            inner.clone().prop_map(|a| format!("not {a}")),
            inner.clone().prop_map(|a| format!("any(c in route: {a})")),
            (inner.clone(), inner).prop_map(|(a, b)| format!("max({a}, {b})")),
            prop::collection::vec("[A-Z]{2}", 0..4).prop_map(|v| format!("origin in {{ {} }}", v.join(", "))),
        ]
    })
}

/// Whitespace that may stand between tokens: spaces, line breaks, comments.
fn gap() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just(" ".to_string()),
        1 => Just("\n  ".to_string()),
        1 => Just("\n\n".to_string()),
        1 => "[a-z ]{0,10}".prop_map(|c| format!(" // {c}\n")),
    ]
}

fn rule() -> impl Strategy<Value = String> {
    (
        "[A-Z][A-Z0-9-]{0,8}",
        expr(),
        prop::option::of(expr()),
        gap(),
        gap(),
        gap(),
        prop::sample::select(vec!["block", "review"]),
    )
        .prop_map(|(id, when, unless, g1, g2, g3, sev)| {
            let unless = unless.map(|u| format!("{g3}unless: {u} then review")).unwrap_or_default();
            format!("rule {id} {{{g1}title: \"t\" cite: \"c\" severity: {sev}{g2}when: {when}{unless}\n}}\n")
        })
}

fn file() -> impl Strategy<Value = String> {
    (prop::collection::vec(rule(), 1..4), prop::collection::vec("[0-9]{2,6}", 0..30), gap(), literal()).prop_map(
        |(rules, codes, g, lit)| {
            format!(
                "// generated\nregime R\n{g}set S1: hs = {{ {} }}\nconst LIMIT = {lit}\n\n{}",
                codes.join(", "),
                rules.join("\n")
            )
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn generated_files_round_trip(text in file()) {
        // The generator writes grammatical files; a rare one that is not is skipped.
        prop_assume!(parse(&src(&text)).is_ok());
        assert_roundtrip("generated", &text);
    }
}

/// `fmt` does not follow symbolic links inside the folder given: a loop
/// (`self -> .`) ends, and a link to another folder leaves its files as
/// they were (red team H9).
#[cfg(unix)]
#[test]
fn fmt_does_not_follow_symbolic_links_out_of_the_folder() {
    let unformatted = "regime R\nrule   A { title: \"a\" cite: \"c\" severity: block when: origin in { KP } }\n";
    let inside = super::harness::TempPack::new(&[("a.cordon", unformatted)]);
    let outside = super::harness::TempPack::new(&[("b.cordon", unformatted)]);
    std::os::unix::fs::symlink(".", inside.path().join("self")).expect("link");
    std::os::unix::fs::symlink(outside.path(), inside.path().join("elsewhere")).expect("link");
    let o = super::harness::cordon(&["fmt", inside.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("is a symbolic link: not followed"));
    assert_ne!(std::fs::read_to_string(inside.path().join("a.cordon")).unwrap(), unformatted, "formatted");
    assert_eq!(std::fs::read_to_string(outside.path().join("b.cordon")).unwrap(), unformatted, "left alone");
}
