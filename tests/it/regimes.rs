//! Many regimes at once, as a user runs them: packs that declare their own
//! fields and combine, `cordon test` reporting every problem of every file
//! with its line, a pack loaded as `--rules .`.

use std::process::Command;

use super::harness::{TempPack, root, stderr, stdout};

fn cordon_in(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_cordon"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("CORDON_NO_STATE", "1")
        .output()
        .expect("run cordon")
}

#[test]
fn a_pack_in_the_current_folder_loads_as_dot() {
    let dir = root().join("tests/data/eval/regimes");
    let o = cordon_in(&dir, &["validate", "--rules", "."]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = cordon_in(&dir, &["test", "--rules", "."]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("29 tests: 29 passed"), "{}", stdout(&o));
}

#[test]
fn cordon_test_reports_every_problem_of_every_file_with_its_line() {
    let pack = TempPack::new(&[
        ("a.cordon", "regime R\nrule A { title: \"a\" cite: \"c\" severity: block when: origin in { KP } }\n"),
        (
            "a.tests.yaml",
            "defaults: { date: 2024-01-01, origin: KP, destination: CN, hs_code: \"2701\" }\n\
             tests:\n\
             \x20 - name: first\n\
             \x20   record: { colour: red }\n\
             \x20   hits: [A]\n\
             \x20 - name: second\n\
             \x20   record: {}\n\
             \x20   hits: [B]\n",
        ),
        ("b.tests.yaml", "tests:\n  - name: third\n    record: {}\n"),
    ]);
    let o = cordon_in(pack.path(), &["test", "--rules", "."]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let err = stderr(&o);
    for want in [
        "line 3: test `first` names unknown field `colour`",
        "line 6: test `second` names unknown rule `B`",
        "line 2: test `third` expects nothing",
        "3 errors in the rule tests",
    ] {
        assert!(err.contains(want), "missing `{want}` in:\n{err}");
    }
}

#[test]
fn packs_combine_their_schemas_and_a_conflict_names_both() {
    let manifest = "name: root\nschema: standard\npacks: [a, b]\n";
    let a_fields = "extends: standard\nfields:\n  - name: transport_mode\n    type: string\n";
    let rule = |r: &str| {
        format!(
            "regime {r}\nrule {r}-1 {{ title: \"t\" cite: \"c\" severity: review when: transport_mode == \"sea\" }}\n"
        )
    };
    let (ra, rb) = (rule("A"), rule("B"));
    let ok = TempPack::new(&[
        ("cordon.yaml", manifest),
        ("a/cordon.yaml", "schema: fields.yaml\n"),
        ("a/fields.yaml", a_fields),
        ("a/a.cordon", &ra),
        ("b/cordon.yaml", "schema: fields.yaml\n"),
        ("b/fields.yaml", a_fields),
        ("b/b.cordon", &rb),
    ]);
    let o = cordon_in(ok.path(), &["validate", "--rules", "."]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("2 rules in 2 files"), "{}", stderr(&o));
    // Each pack loads alone too.
    let o = cordon_in(&ok.path().join("a"), &["validate", "--rules", "."]);
    assert!(o.status.success(), "{}", stderr(&o));
    let clash = TempPack::new(&[
        ("cordon.yaml", manifest),
        ("a/cordon.yaml", "schema: fields.yaml\n"),
        ("a/fields.yaml", a_fields),
        ("a/a.cordon", &ra),
        ("b/cordon.yaml", "schema: fields.yaml\n"),
        ("b/fields.yaml", "extends: standard\nfields:\n  - name: transport_mode\n    type: country\n"),
        ("b/b.cordon", &rb),
    ]);
    let o = cordon_in(clash.path(), &["validate", "--rules", "."]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("field `transport_mode` is declared differently by `a/fields.yaml` and by `b/fields.yaml`"),
        "{}",
        stderr(&o)
    );
}
