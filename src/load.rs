//! Finding and parsing a rule pack: every `*.cordon` file under the rules
//! directory, the files they import, the pack manifest (`cordon.yaml`) with
//! its schema and data directory.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::check::{CheckError, CheckErrorKind};
use crate::config::{self, ConfigError};
use crate::diagnostics::Diagnostics;
use crate::schema::Schema;
use crate::source::SourceFile;
use crate::syntax::{self, ast};

/// The name of a pack manifest.
pub const MANIFEST: &str = "cordon.yaml";
/// Extension of rule files.
pub const RULE_EXT: &str = "cordon";

/// A parsed rule pack, ready to check.
#[derive(Debug)]
pub struct Pack {
    /// The rules directory.
    pub root: PathBuf,
    /// The record schema the rules are written for.
    pub schema: Arc<Schema>,
    /// The schema file, when it came from a file.
    pub schema_source: Option<Arc<SourceFile>>,
    /// The schema path as the manifest writes it, for fingerprints.
    pub schema_label: Option<String>,
    /// Where data files of file-backed sets live.
    pub data_root: PathBuf,
    /// Where sanctions-list snapshots live.
    pub lists_root: PathBuf,
    /// Rule files in path order.
    pub files: Vec<PackFile>,
}

/// One rule file of a pack.
#[derive(Debug)]
pub struct PackFile {
    /// The text.
    pub source: Arc<SourceFile>,
    /// Path relative to the rules directory (`un/dprk/coal.cordon`).
    pub rel: String,
    /// The syntax tree.
    pub ast: ast::RuleFile,
    /// Indices of the files this one imports.
    pub imports: Vec<usize>,
}

/// Loads the pack at `path` (a directory, or a single rule file).
pub fn load_pack(path: &Path) -> Result<Pack, Diagnostics> {
    let mut diags = Diagnostics::new();
    let path = &normalize(path);
    let (root, mut paths) = if path.is_file() {
        (path.parent().unwrap_or(Path::new(".")).to_path_buf(), vec![path.to_path_buf()])
    } else if path.is_dir() {
        let mut v = Vec::new();
        if let Err(e) = walk(path, &mut v) {
            diags.push(ConfigError::Io { path: path.display().to_string(), source: e });
            return Err(diags);
        }
        (path.to_path_buf(), v)
    } else {
        diags.push(ConfigError::Io {
            path: path.display().to_string(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or directory"),
        });
        return Err(diags);
    };
    paths.sort();

    // The manifest gives the schema and the data directory.
    let manifest_path = root.join(MANIFEST);
    let manifest = if manifest_path.is_file() {
        match config::read_source(&manifest_path).and_then(|s| config::load_manifest(&s)) {
            Ok(m) => Some(m),
            Err(e) => {
                diags.push(e);
                return Err(diags);
            }
        }
    } else {
        None
    };
    let (schema, schema_source) = match manifest.as_ref().and_then(|m| m.schema.clone()) {
        Some(p) => match config::read_source(&p) {
            Ok(src) => match config::load_schema(&src) {
                Ok(s) => (Arc::new(s), Some(Arc::new(src))),
                Err(e) => {
                    diags.push(e);
                    return Err(diags);
                }
            },
            Err(e) => {
                diags.push(e);
                return Err(diags);
            }
        },
        None => (Arc::new(Schema::standard()), None),
    };
    let data_root = manifest.as_ref().and_then(|m| m.data.clone()).unwrap_or_else(|| root.clone());
    let lists_root = manifest.as_ref().and_then(|m| m.lists.clone()).unwrap_or_else(|| data_root.join("lists"));

    if paths.is_empty() {
        diags.push(ConfigError::Io {
            path: root.display().to_string(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no `.cordon` rule files here"),
        });
        return Err(diags);
    }

    // Parse every file, then follow imports until no new file appears.
    let mut files: Vec<PackFile> = Vec::new();
    let mut index: HashMap<PathBuf, usize> = HashMap::new();
    let mut queue: Vec<PathBuf> = paths;
    let mut pending_imports: Vec<(usize, ast::ImportDecl)> = Vec::new();
    while let Some(p) = queue.pop() {
        let key = std::fs::canonicalize(&p).unwrap_or_else(|_| p.clone());
        if index.contains_key(&key) {
            continue;
        }
        let src = match SourceFile::read(&p) {
            Ok(s) => Arc::new(s),
            Err(e) => {
                diags.push(ConfigError::Io { path: p.display().to_string(), source: e });
                continue;
            }
        };
        let rel = p.strip_prefix(&root).map_or_else(|_| p.display().to_string(), slash);
        match syntax::parse(&src) {
            Ok(tree) => {
                let idx = files.len();
                index.insert(key, idx);
                for item in &tree.items {
                    if let ast::Item::Import(imp) = item {
                        pending_imports.push((idx, imp.clone()));
                        let target = normalize(&p.parent().unwrap_or(Path::new(".")).join(&imp.path.value));
                        if target.is_file() {
                            queue.push(target);
                        }
                    }
                }
                files.push(PackFile { source: src, rel, ast: tree, imports: Vec::new() });
            }
            Err(e) => {
                index.insert(key, usize::MAX);
                diags.push(e);
            }
        }
    }
    for (idx, imp) in pending_imports {
        let base = files[idx].source.path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let target = base.join(&imp.path.value);
        let key = std::fs::canonicalize(&target).ok();
        match key.as_ref().and_then(|k| index.get(k)) {
            Some(&t) if t != usize::MAX => files[idx].imports.push(t),
            Some(_) => {} // the imported file has a syntax error, reported already
            None => {
                let msg = if !imp.path.value.ends_with(".cordon") {
                    format!("cannot import `{}`: rule files end in `.cordon`", imp.path.value)
                } else {
                    format!("cannot import `{}`: no such file", imp.path.value)
                };
                diags.push(
                    CheckError::new(CheckErrorKind::Import, &files[idx].source, imp.path.span, msg)
                        .label("imported here")
                        .help(format!("paths are relative to the importing file's folder, here `{}`", base.display())),
                );
            }
        }
    }
    if diags.has_errors() {
        return Err(diags);
    }
    // Deterministic order: by relative path. Remap import indices.
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by(|a, b| files[*a].rel.cmp(&files[*b].rel));
    let mut new_index = vec![0; files.len()];
    for (new, old) in order.iter().enumerate() {
        new_index[*old] = new;
    }
    let mut slots: Vec<Option<PackFile>> = files.into_iter().map(Some).collect();
    let mut sorted: Vec<PackFile> = order.iter().filter_map(|o| slots[*o].take()).collect();
    for f in &mut sorted {
        for i in &mut f.imports {
            *i = new_index[*i];
        }
        f.imports.sort_unstable();
        f.imports.dedup();
    }
    let schema_label = manifest.and_then(|m| m.schema_as_written);
    Ok(Pack { root, schema, schema_source, schema_label, data_root, lists_root, files: sorted })
}

/// Resolves `.` and `..` without touching the file system, so a file
/// reached through an import has the same name as when found directly.
pub(crate) fn normalize(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(out.components().next_back(), Some(Component::Normal(_))) {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn slash(p: &Path) -> String {
    p.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        let ft = e.file_type()?;
        if ft.is_dir() {
            walk(&p, out)?;
        } else if p.extension().is_some_and(|x| x == RULE_EXT) {
            out.push(p);
        }
    }
    Ok(())
}
