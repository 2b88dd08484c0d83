//! Loading a rule pack through its [`Sources`]: every rule file, the files
//! they import, the pack manifest (`cordon.yaml`) with its schema and data
//! folders. Imports may not leave the pack (or a folder the manifest
//! declares): a pack read from a database or a tenant cannot reach other
//! files.

use std::collections::HashMap;
use std::sync::Arc;

use crate::check::{CheckError, CheckErrorKind, Pack, PackFile};
use crate::config::{self, ConfigError, PackManifest};
use crate::diagnostics::Diagnostics;
use crate::source::SourceFile;
use crate::sources::{self, MAX_TEXT_FILE_BYTES, SourceError, Sources};
use crate::syntax::{self, ast};

/// The name of a pack manifest.
pub const MANIFEST: &str = crate::sources::MANIFEST;
pub use crate::sources::RULE_EXT;

/// Reads a text file of the pack by name, as a [`SourceFile`] named for
/// people by the source.
pub(crate) fn read_text(sources: &dyn Sources, name: &str) -> Result<SourceFile, ConfigError> {
    let shown = sources.display_name(name);
    sources
        .read(name, MAX_TEXT_FILE_BYTES)
        .map_err(SourceError::into_io)
        .and_then(|bytes| SourceFile::from_bytes(shown.clone(), name, bytes))
        .map_err(|source| ConfigError::Io { path: shown, source })
}

/// Loads the pack its sources serve.
pub fn load(sources: &dyn Sources) -> Result<Pack, Diagnostics> {
    load_with_lists(sources, None)
}

/// Like [`load`], with the sanctions lists read from the folder `lists`
/// (a name the sources resolve) instead of the one the manifest names.
pub fn load_with_lists(sources: &dyn Sources, lists: Option<&str>) -> Result<Pack, Diagnostics> {
    let mut diags = Diagnostics::new();
    let fail = |diags: &mut Diagnostics, e: ConfigError| {
        diags.push(e);
        Err(std::mem::take(diags))
    };
    let names = match sources.rule_files() {
        Ok(n) => n,
        Err(e) => {
            let source = match e {
                SourceError::NotFound(_) => {
                    std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or directory")
                }
                e => e.into_io(),
            };
            return fail(&mut diags, ConfigError::Io { path: sources.display_name(""), source });
        }
    };
    let mut manifest_source = None;
    let manifest = match sources.read(MANIFEST, MAX_TEXT_FILE_BYTES) {
        Err(e) if e.is_not_found() => None,
        _ => match read_text(sources, MANIFEST).and_then(|s| {
            let m = config::load_manifest(&s);
            manifest_source = Some(Arc::new(s));
            m
        }) {
            Ok(m) => Some(m),
            Err(e) => return fail(&mut diags, e),
        },
    };
    // Packs the manifest includes: their rule files and schemas join this one's.
    let mut names = names;
    let scopes: Vec<String> = manifest.as_ref().map(|m| m.packs.clone()).unwrap_or_default();
    let mut schema_names: Vec<(String, String)> = manifest.as_ref().map(|m| m.schemas.clone()).unwrap_or_default();
    let early_roots = {
        let data = manifest.as_ref().and_then(|m| m.data.clone()).unwrap_or_default();
        let lists = manifest.as_ref().and_then(|m| m.lists.clone()).unwrap_or_else(|| sources::under(&data, "lists"));
        declared_roots(manifest.as_ref(), &data, &lists)
    };
    for sub in manifest.as_ref().map(|m| m.packs.clone()).unwrap_or_default() {
        // A pack inside this one, or in a folder the manifest names under `roots:`.
        if !sources::confined(&sub, &early_roots) {
            let msg = format!(
                "pack `{sub}` is outside the pack folder: name its folder under `roots:` in `{}`",
                sources.display_name(MANIFEST)
            );
            let source = std::io::Error::new(std::io::ErrorKind::PermissionDenied, msg);
            return fail(&mut diags, ConfigError::Io { path: sources.display_name(&sub), source });
        }
        let at = sources::under(&sub, MANIFEST);
        match read_text(sources, &at).and_then(|s| config::load_manifest(&s)) {
            Ok(m) => {
                for (name, written) in m.schemas {
                    // A sub-pack's schema file is named from its own folder.
                    let name =
                        if config::builtin_schema(&name).is_some() { name } else { sources::beside(&at, &written) };
                    schema_names.push((name.clone(), name));
                }
            }
            Err(e) => return fail(&mut diags, e),
        }
        match sources.files_in(&sub, &format!(".{RULE_EXT}")) {
            Ok(more) => names.extend(more),
            Err(e) => {
                let path = sources.display_name(&sub);
                return fail(&mut diags, ConfigError::Io { path, source: e.into_io() });
            }
        }
    }
    names.sort();
    names.dedup();
    if names.is_empty() {
        let source = std::io::Error::new(std::io::ErrorKind::NotFound, "no `.cordon` rule files here");
        return fail(&mut diags, ConfigError::Io { path: sources.display_name(""), source });
    }
    let mut schema_sources = Vec::new();
    let mut texts = Vec::new();
    for (name, written) in &schema_names {
        match config::builtin_schema(name) {
            Some((path, text)) => texts.push(Arc::new(SourceFile::new(path, "", text))),
            None => match read_text(sources, name) {
                Ok(src) => {
                    let src = Arc::new(src);
                    schema_sources.push((written.clone(), Arc::clone(&src)));
                    texts.push(src);
                }
                Err(e) => return fail(&mut diags, e),
            },
        }
    }
    let refs: Vec<&SourceFile> = texts.iter().map(|s| s.as_ref()).collect();
    let schema = match config::load_schemas(&refs) {
        Ok(s) => Arc::new(s),
        Err(e) => return fail(&mut diags, e),
    };
    let data_root = manifest.as_ref().and_then(|m| m.data.clone()).unwrap_or_default();
    let lists_root = match lists {
        Some(l) => sources::normalize(l),
        None => manifest.as_ref().and_then(|m| m.lists.clone()).unwrap_or_else(|| sources::under(&data_root, "lists")),
    };
    let mut roots = declared_roots(manifest.as_ref(), &data_root, &lists_root);
    roots.extend(scopes.iter().cloned());
    roots.sort();
    roots.dedup();
    let files = parse_files(sources, names, &roots, &mut diags);
    if diags.has_errors() {
        return Err(diags);
    }
    let mut benchmark = None;
    if let Some(name) = manifest.as_ref().and_then(|m| m.screening_benchmark.clone()) {
        if !sources::confined(&name, &roots) {
            let msg =
                format!("the screening benchmark is outside the pack: name its folder under `roots:` in `{MANIFEST}`");
            let source = std::io::Error::new(std::io::ErrorKind::PermissionDenied, msg);
            return fail(&mut diags, ConfigError::Io { path: sources.display_name(&name), source });
        }
        match read_text(sources, &name) {
            Ok(src) => match crate::screen::benchmark::read(&name, &src.text) {
                Ok(b) => benchmark = Some(Arc::new(b)),
                Err(msg) => return fail(&mut diags, ConfigError::benchmark(&src, msg)),
            },
            Err(e) => return fail(&mut diags, e),
        }
    }
    let info = manifest.map(|m| m.info).unwrap_or_default();
    Ok(Pack {
        schema,
        schema_sources,
        data_root,
        lists_root,
        roots,
        files,
        scopes,
        info,
        manifest: manifest_source,
        benchmark,
    })
}

/// The folders outside the pack root its manifest names.
fn declared_roots(manifest: Option<&PackManifest>, data_root: &str, lists_root: &str) -> Vec<String> {
    let mut roots: Vec<String> = [data_root, lists_root]
        .into_iter()
        .map(str::to_string)
        .chain(manifest.into_iter().flat_map(|m| m.schemas.iter().map(|(n, _)| n.clone())))
        .filter(|r| config::builtin_schema(r).is_none())
        .chain(manifest.map(|m| m.roots.clone()).unwrap_or_default())
        .filter(|r| !r.is_empty())
        .collect();
    roots.sort();
    roots.dedup();
    roots
}

/// Parses every rule file, then follows imports until no new file appears;
/// returns the files in name order with their imports resolved.
fn parse_files(sources: &dyn Sources, names: Vec<String>, roots: &[String], diags: &mut Diagnostics) -> Vec<PackFile> {
    let mut files: Vec<PackFile> = Vec::new();
    // name → file index (`None`: unreadable or not parsed, reported).
    let mut index: HashMap<String, Option<usize>> = HashMap::new();
    let mut queue: Vec<(String, bool)> = names.into_iter().map(|n| (sources::normalize(&n), true)).collect();
    queue.reverse();
    let mut pending: Vec<(usize, ast::ImportDecl, String)> = Vec::new();
    while let Some((name, listed)) = queue.pop() {
        if index.contains_key(&name) {
            continue;
        }
        let src = match sources.read(&name, MAX_TEXT_FILE_BYTES) {
            // An import of a file that is not there is reported at the import.
            Err(e) if e.is_not_found() && !listed => {
                index.insert(name, None);
                continue;
            }
            _ => match read_text(sources, &name) {
                Ok(s) => Arc::new(s),
                Err(e) => {
                    diags.push(e);
                    index.insert(name, None);
                    continue;
                }
            },
        };
        match syntax::parse(&src) {
            Ok(tree) => {
                let idx = files.len();
                index.insert(name.clone(), Some(idx));
                for item in &tree.items {
                    if let ast::Item::Import(imp) = item {
                        let target = sources::beside(&name, &imp.path.value);
                        if sources::confined(&target, roots) && imp.path.value.ends_with(".cordon") {
                            queue.push((target.clone(), false));
                        }
                        pending.push((idx, imp.clone(), target));
                    }
                }
                files.push(PackFile { source: src, rel: name, ast: tree, imports: Vec::new() });
            }
            Err(e) => {
                index.insert(name, None);
                diags.push(e);
            }
        }
    }
    resolve_imports(sources, &mut files, &index, pending, roots, diags);
    sort_files(files)
}

/// Links each import to the file it names, or reports why it cannot.
fn resolve_imports(
    sources: &dyn Sources,
    files: &mut [PackFile],
    index: &HashMap<String, Option<usize>>,
    pending: Vec<(usize, ast::ImportDecl, String)>,
    roots: &[String],
    diags: &mut Diagnostics,
) {
    for (idx, imp, target) in pending {
        match index.get(&target) {
            _ if !sources::confined(&target, roots) => {
                diags.push(
                    CheckError::new(
                        CheckErrorKind::Import,
                        &files[idx].source,
                        imp.path.span,
                        format!("cannot import `{}`: it is outside the pack folder", imp.path.value),
                    )
                    .label("imported here")
                    .help("import rule files inside the pack, or name their folder under `roots:` in the pack's `cordon.yaml`"),
                );
            }
            Some(Some(t)) => files[idx].imports.push(*t),
            Some(None) if imp.path.value.ends_with(".cordon") && file_exists(sources, &target) => {
                // The imported file has a syntax error, reported already.
            }
            _ => {
                let msg = if !imp.path.value.ends_with(".cordon") {
                    format!("cannot import `{}`: rule files end in `.cordon`", imp.path.value)
                } else {
                    format!("cannot import `{}`: no such file", imp.path.value)
                };
                let folder = sources::beside(&files[idx].rel, ".");
                let shown = sources.display_name(&folder);
                diags.push(
                    CheckError::new(CheckErrorKind::Import, &files[idx].source, imp.path.span, msg)
                        .label("imported here")
                        .help(format!("paths are relative to the importing file's folder, here `{shown}`")),
                );
            }
        }
    }
}

fn file_exists(sources: &dyn Sources, name: &str) -> bool {
    !matches!(sources.read(name, MAX_TEXT_FILE_BYTES), Err(e) if e.is_not_found())
}

/// Deterministic order: by name; import indices remapped.
fn sort_files(files: Vec<PackFile>) -> Vec<PackFile> {
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
    sorted
}
