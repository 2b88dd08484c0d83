//! House rules that code review would otherwise have to remember: every
//! source file says what it is for, and no stub is left behind.

use super::harness::root;

fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn every_source_file_starts_with_a_module_doc() {
    let mut files = Vec::new();
    for d in ["src", "tests"] {
        rust_files(&root().join(d), &mut files);
    }
    let bad: Vec<String> = files
        .iter()
        .filter(|f| !std::fs::read_to_string(f).unwrap_or_default().starts_with("//!"))
        .map(|f| f.display().to_string())
        .collect();
    assert!(bad.is_empty(), "files without a leading `//!` line: {bad:?}");
}

#[test]
fn no_stubs_in_the_library() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        for stub in ["todo!(", "unimplemented!(", "dbg!("] {
            assert!(!text.contains(stub), "{} contains {stub}", f.display());
        }
    }
}

/// The library's modules (the top-level names under `src/`, but the binary's
/// `main.rs` and `cli/`), each with the modules it names through `crate::`
/// paths outside comments and unit tests.
fn module_graph() -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    use std::collections::{BTreeMap, BTreeSet};
    let src = root().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let top = |p: &std::path::Path| -> Option<String> {
        let rel = p.strip_prefix(&src).ok()?;
        let first = rel.components().next()?.as_os_str().to_string_lossy().into_owned();
        let name = first.trim_end_matches(".rs").to_string();
        (!matches!(name.as_str(), "main" | "cli" | "lib")).then_some(name)
    };
    let modules: BTreeSet<String> = files.iter().filter_map(|f| top(f)).collect();
    let path = regex::Regex::new(r"crate::(\w+)").expect("regex");
    let group = regex::Regex::new(r"crate::\{([^}]*)\}").expect("regex");
    let item = regex::Regex::new(r"(?:^|,)\s*(\w+)").expect("regex");
    let mut graph: BTreeMap<String, BTreeSet<String>> = modules.iter().map(|m| (m.clone(), BTreeSet::new())).collect();
    for f in &files {
        let Some(from) = top(f) else { continue };
        let text = std::fs::read_to_string(f).expect("read");
        // Unit tests sit at the end of a file and may reach anywhere.
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        let code: String = code.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
        let mut names: Vec<String> = path.captures_iter(&code).map(|c| c[1].to_string()).collect();
        for g in group.captures_iter(&code) {
            names.extend(item.captures_iter(&g[1]).map(|c| c[1].to_string()));
        }
        for to in names {
            if to != from && modules.contains(&to) {
                graph.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    graph
}

/// Tarjan's walk: the next index, each module's (index, lowest link), the
/// stack, and the components found.
type Tarjan = (usize, std::collections::HashMap<String, (usize, usize)>, Vec<String>, Vec<Vec<String>>);

/// The modules that reach each other both ways (Tarjan's strongly
/// connected components of more than one module).
fn cycles(graph: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>) -> Vec<Vec<String>> {
    fn visit(v: &str, g: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>, state: &mut Tarjan) {
        let i = state.0;
        state.0 += 1;
        state.1.insert(v.to_string(), (i, i));
        state.2.push(v.to_string());
        for w in g.get(v).into_iter().flatten() {
            match state.1.get(w).copied() {
                None => {
                    visit(w, g, state);
                    let lw = state.1[w].1;
                    let e = state.1.get_mut(v).expect("visited");
                    e.1 = e.1.min(lw);
                }
                Some((iw, _)) if state.2.contains(w) => {
                    let e = state.1.get_mut(v).expect("visited");
                    e.1 = e.1.min(iw);
                }
                Some(_) => {}
            }
        }
        if state.1[v].0 == state.1[v].1 {
            let mut comp = Vec::new();
            while let Some(w) = state.2.pop() {
                let done = w == v;
                comp.push(w);
                if done {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                state.3.push(comp);
            }
        }
    }
    let mut state: Tarjan = (0, std::collections::HashMap::new(), Vec::new(), Vec::new());
    for v in graph.keys() {
        if !state.1.contains_key(v) {
            visit(v, graph, &mut state);
        }
    }
    state.3
}

#[test]
fn the_modules_form_no_cycle() {
    let graph = module_graph();
    assert!(graph.len() > 20, "the graph was read: {graph:?}");
    let found = cycles(&graph);
    let shown: Vec<String> = found
        .iter()
        .map(|c| {
            let edges: Vec<String> = c
                .iter()
                .flat_map(|a| graph[a].iter().filter(|b| c.contains(b)).map(move |b| format!("{a} → {b}")))
                .collect();
            edges.join(", ")
        })
        .collect();
    assert!(found.is_empty(), "modules that depend on each other: {}", shown.join("; "));
    // The check itself finds a cycle when there is one.
    let mut bad = graph.clone();
    bad.entry("source".into()).or_default().insert("engine".into());
    assert!(!cycles(&bad).is_empty());
}

#[test]
fn the_code_map_names_every_module() {
    let lib = std::fs::read_to_string(root().join("src/lib.rs")).expect("lib.rs");
    let map = lib.split("# Code map").nth(1).and_then(|s| s.split("# Invariants").next()).expect("a code map");
    let graph = module_graph();
    let missing: Vec<&String> =
        graph.keys().filter(|m| !map.contains(&format!("[`{m}`]")) && !map.contains(&format!("`{m}`"))).collect();
    assert!(missing.is_empty(), "modules the code map in src/lib.rs does not describe: {missing:?}");
}

#[test]
fn only_the_filesystem_sources_the_writers_the_state_store_and_the_cli_touch_files() {
    let src = root().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let allowed = ["cli/", "sources/", "atomic.rs", "output/", "main.rs", "store/sqlite.rs"];
    let mut offenders = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&src).expect("under src").to_string_lossy().replace('\\', "/");
        if allowed.iter().any(|a| rel.starts_with(a)) {
            continue;
        }
        let text = std::fs::read_to_string(f).expect("read");
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        for (i, line) in code.lines().enumerate() {
            let l = line.trim_start();
            if l.starts_with("//") {
                continue;
            }
            if ["std::fs", "fs::read", "File::open", ".is_file()", ".is_dir()", "read_dir("]
                .iter()
                .any(|p| l.contains(p))
            {
                offenders.push(format!("src/{rel}:{}: {}", i + 1, l));
            }
        }
    }
    assert!(offenders.is_empty(), "file access outside sources/, the writers and the CLI:\n{}", offenders.join("\n"));
}

#[test]
fn the_shipped_screening_benchmark_is_the_tests_held_out_set() {
    let root = super::harness::root();
    let shipped = std::fs::read(root.join("seeds/screening/heldout.csv")).expect("seeds/screening/heldout.csv");
    let tests = std::fs::read(root.join("tests/data/screening/heldout.csv")).expect("tests/data/screening/heldout.csv");
    assert!(
        shipped == tests,
        "seeds/screening/heldout.csv differs from tests/data/screening/heldout.csv: copy it again"
    );
}

/// The US EAR pack's provenance gives each table's SHA-256: a table made
/// again by its script (`seeds/tools/us-ear/`) without the provenance being
/// brought up to date would leave an auditor a fingerprint that matches
/// nothing.
#[test]
fn the_ear_pack_provenance_fingerprints_every_table_as_shipped() {
    use sha2::{Digest, Sha256};
    let root = super::harness::root();
    let provenance = std::fs::read_to_string(root.join("rules/us/ear/data/PROVENANCE.md")).expect("PROVENANCE.md");
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(root.join("rules/us/ear/data"))
        .expect("rules/us/ear/data")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    assert!(files.len() >= 6, "the EAR pack's tables: {files:?}");
    files.extend(
        ["seeds/lists/US_ENTITY_LIST.json", "seeds/lists/sources/us-entity-list-watchlist.csv"].map(|f| root.join(f)),
    );
    let stale: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let hex: String =
                Sha256::digest(std::fs::read(f).expect("table")).iter().map(|b| format!("{b:02x}")).collect();
            (!provenance.contains(&hex)).then(|| format!("{}: sha256 {hex}", f.display()))
        })
        .collect();
    assert!(stale.is_empty(), "rules/us/ear/data/PROVENANCE.md lacks the sha256 of:\n{}", stale.join("\n"));
}
