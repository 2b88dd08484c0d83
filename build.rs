//! Build script: a fingerprint of everything a stored screening index
//! depends on (the screening and list-model code, the screening tables, the
//! locked dependency versions, the target), so that an index written by one
//! build of Cordon is never read by another that would have built it
//! differently (`src/screen/persist.rs`).

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

/// The files and folders the screening index is built from.
const INPUTS: &[&str] = &[
    "src/screen",
    "src/lists/model.rs",
    "src/values/country.rs",
    "seeds/reference/iso-3166-1.csv",
    "assets/screening",
    "Cargo.lock",
];

fn files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> =
            std::fs::read_dir(path).into_iter().flatten().flatten().map(|e| e.path()).collect();
        entries.sort();
        for e in entries {
            files(&e, out);
        }
    } else if path.is_file() {
        out.push(path.to_path_buf());
    }
}

fn main() {
    // One hasher with fixed keys: the value only has to be the same for the
    // same inputs within one build, and differ when they differ.
    #[allow(deprecated)]
    let mut h = std::hash::SipHasher::new();
    let mut all = Vec::new();
    for input in INPUTS {
        println!("cargo:rerun-if-changed={input}");
        files(Path::new(input), &mut all);
    }
    for f in &all {
        f.to_string_lossy().replace('\\', "/").hash(&mut h);
        std::fs::read(f).unwrap_or_default().hash(&mut h);
    }
    std::env::var("TARGET").unwrap_or_default().hash(&mut h);
    env!("CARGO_PKG_VERSION").hash(&mut h);
    println!("cargo:rustc-env=CORDON_INDEX_BUILD={:016x}", h.finish());
    println!("cargo:rustc-env=CORDON_SOURCE_COMMIT={}", source_commit());
}

/// The git commit the sources are at, `+modified` when tracked files
/// differ from it; `unknown` outside a git checkout (a report prints it).
fn source_commit() -> String {
    // Rebuilt when the checkout moves to another commit or its files change.
    for watched in [".git/HEAD", ".git/index", ".git/refs/heads", ".git/packed-refs", "src", "grammar", "assets"] {
        if Path::new(watched).exists() {
            println!("cargo:rerun-if-changed={watched}");
        }
    }
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    match git(&["rev-parse", "HEAD"]) {
        Some(commit) if commit.len() == 40 => {
            let dirty = git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
            if dirty { format!("{commit}+modified") } else { commit }
        }
        _ => "unknown".to_string(),
    }
}
