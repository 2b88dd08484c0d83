//! `cordon fmt`: rewrites rule files in the canonical layout, or with
//! `--check` lists the files that are not in it (for CI).

use std::io::Write;
use std::path::{Path, PathBuf};

use cordon::unstable::atomic;
use cordon::unstable::syntax::print;

use super::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, diag};

/// Arguments of `cordon fmt`.
#[derive(clap::Args, Debug)]
pub struct FmtArgs {
    /// Do not write: list the files that would change and exit 1 if any.
    #[arg(long)]
    check: bool,
    /// With `--check`: print what would change, as a unified diff.
    #[arg(long, requires = "check")]
    diff: bool,
    /// Rule files, or folders to search for `.cordon` files.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
}

/// The rule files under a path. Inside a folder, symbolic links are not
/// followed (and said so): a link could lead out of the folder given, and
/// rewrite files there, or back into it, for ever (red team H9).
fn collect(p: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if p.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(p)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let path = e.path();
            let kind = e.file_type()?;
            if kind.is_symlink() {
                if path.is_dir() || path.extension().is_some_and(|x| x == "cordon") {
                    eprintln!("cordon: note: `{}` is a symbolic link: not followed", path.display());
                }
            } else if kind.is_dir() {
                collect(&path, out)?;
            } else if path.extension().is_some_and(|x| x == "cordon") {
                out.push(path);
            }
        }
    } else {
        out.push(p.to_path_buf());
    }
    Ok(())
}

/// Runs `cordon fmt`.
pub fn run(a: FmtArgs) -> u8 {
    let mut files = Vec::new();
    for p in &a.paths {
        if let Err(e) = collect(p, &mut files) {
            let _ = writeln!(std::io::stderr(), "cordon: error: cannot read `{}`: {e}", p.display());
            return EXIT_ERROR;
        }
    }
    let (mut changed, mut failed) = (Vec::new(), 0);
    for f in &files {
        let src = match cordon::unstable::sources::read_text_file(f) {
            Ok(s) => s,
            Err(e) => {
                let _ = writeln!(std::io::stderr(), "cordon: error: cannot read `{}`: {e}", f.display());
                failed += 1;
                continue;
            }
        };
        let formatted = match print::format(&src) {
            Ok(t) => t,
            Err(e) => {
                diag::print(&e);
                failed += 1;
                continue;
            }
        };
        if formatted == *src.text {
            continue;
        }
        changed.push(f.display().to_string());
        if a.diff {
            let shown = f.display().to_string();
            let diff = similar::TextDiff::from_lines(&*src.text, formatted.as_str());
            out!("{}", diff.unified_diff().context_radius(3).header(&shown, &format!("{shown} (formatted)")));
        }
        if !a.check
            && let Err(e) = atomic::write_file(f, formatted.as_bytes())
        {
            diag::print(&e);
            failed += 1;
        }
    }
    for c in &changed {
        outln!("{}{c}", if a.check { "would reformat " } else { "formatted " });
    }
    let _ = writeln!(
        std::io::stderr(),
        "cordon: {} file{} checked, {} {}",
        files.len(),
        if files.len() == 1 { "" } else { "s" },
        changed.len(),
        if a.check { "not in the canonical layout" } else { "reformatted" }
    );
    if failed > 0 {
        EXIT_ERROR
    } else if a.check && !changed.is_empty() {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}
