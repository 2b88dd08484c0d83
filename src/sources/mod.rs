//! Where a rule pack's files come from. Loading and checking read only
//! through [`Sources`]: rule files, the manifest, the schema, data files of
//! sets, list snapshots and reviewed-match files, each by a pack-relative
//! name (`un/dprk/arms.cordon`, `../seeds/lists/UN_SC.json`). [`FsSources`]
//! reads a folder on disk (what the CLI does); [`MemSources`] serves files
//! held in memory (a service that keeps packs in a database). The core
//! never touches the file system itself.
//!
//! Names use `/`, never start with `/` unless the manifest names an
//! absolute root, and reach above the pack root (`../`) only under a root
//! the pack's `cordon.yaml` declares; the loader checks that before it asks
//! ([`confined`]).
//!
//! `cordon lists update` downloads list source files (`update`, over the
//! HTTP client in `download`, the only module that uses one).

pub mod download;
mod fs;
mod lists;
mod mem;
mod store;
pub mod update;

pub use fs::{FsSources, read_text_file};
pub(crate) use fs::{is_regular_file, open_input_file, regular_file_len};
pub use lists::import_list;
pub use mem::MemSources;
pub use store::{Saved, Store, read_snapshot};

use std::path::{Component, Path, PathBuf};

/// Extension of rule files.
pub const RULE_EXT: &str = "cordon";

/// The name of a pack manifest; a folder holding one inside a pack is a
/// pack of its own, not part of the enclosing one.
pub const MANIFEST: &str = "cordon.yaml";

/// The largest rule, schema, manifest or config file read (8 MiB).
pub const MAX_TEXT_FILE_BYTES: usize = crate::source::MAX_TEXT_FILE_BYTES;
/// The largest data file or list snapshot read (256 MiB; the OFAC SDN list
/// is about 7 MB as a snapshot).
pub const MAX_DATA_FILE_BYTES: usize = 256 * 1024 * 1024;

/// A file a source could not give.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// No file of that name.
    #[error("{0}")]
    NotFound(std::io::Error),
    /// Larger than the limit of the read.
    #[error("larger than the limit of {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: usize,
    },
    /// Any other failure to read.
    #[error("{0}")]
    Io(std::io::Error),
}

impl SourceError {
    /// A file that does not exist.
    pub fn not_found() -> SourceError {
        SourceError::NotFound(std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or directory"))
    }

    /// Whether the file does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, SourceError::NotFound(_))
    }

    /// As an I/O error (for diagnostics that carry one).
    pub fn into_io(self) -> std::io::Error {
        match self {
            SourceError::NotFound(e) | SourceError::Io(e) => e,
            SourceError::TooLarge { limit } => std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("larger than the limit of {limit} bytes for a rule, schema or config file"),
            ),
        }
    }
}

/// The files of one rule pack, by pack-relative name.
pub trait Sources: Send + Sync {
    /// The pack's files whose names end in `suffix` (`.cordon`: its rule
    /// files; `.tests.yaml`: its rule tests), by name, in any order.
    fn files(&self, suffix: &str) -> Result<Vec<String>, SourceError>;

    /// The pack's rule files (`*.cordon`).
    fn rule_files(&self) -> Result<Vec<String>, SourceError> {
        self.files(&format!(".{RULE_EXT}"))
    }

    /// The files under `folder` whose names end in `suffix`, by name —
    /// including a folder with a manifest of its own, which `files` leaves
    /// out (a pack the manifest includes with `packs:`).
    fn files_in(&self, folder: &str, suffix: &str) -> Result<Vec<String>, SourceError> {
        let prefix = format!("{}/", normalize(folder));
        Ok(self.files(suffix)?.into_iter().filter(|f| f.starts_with(&prefix)).collect())
    }

    /// The bytes of a file; larger than `limit` bytes is an error (the read
    /// stops one byte past it).
    fn read(&self, name: &str, limit: usize) -> Result<Vec<u8>, SourceError>;

    /// The names of the files directly in a folder (for "did you mean"
    /// help: the lists there are); empty when unknown.
    fn list_folder(&self, folder: &str) -> Vec<String> {
        let _ = folder;
        Vec::new()
    }

    /// How diagnostics name a file: by default its name; on disk, its path
    /// as the user gave the pack (`rules/un/dprk/arms.cordon`).
    fn display_name(&self, name: &str) -> String {
        name.to_string()
    }
}

/// A name with `.` and `..` resolved lexically and `/` separators
/// (`un/./dprk/../x` → `un/x`; a leading `..` stays).
pub fn normalize(name: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let absolute = name.starts_with('/');
    for part in name.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|p| *p != "..") {
                    out.pop();
                } else if !absolute {
                    out.push("..");
                }
            }
            p => out.push(p),
        }
    }
    let joined = out.join("/");
    if absolute { format!("/{joined}") } else { joined }
}

/// `base`'s folder joined with `rel`, normalised: a name relative to a file.
pub fn beside(base: &str, rel: &str) -> String {
    match base.rfind('/') {
        Some(i) => normalize(&format!("{}/{rel}", &base[..i])),
        None => normalize(rel),
    }
}

/// `root` joined with `rel`, normalised (an absolute `rel` stays absolute).
pub fn under(root: &str, rel: &str) -> String {
    if rel.starts_with('/') || Path::new(rel).is_absolute() || root.is_empty() {
        normalize(rel)
    } else {
        normalize(&format!("{root}/{rel}"))
    }
}

/// Whether a normalised name lies inside the pack (no leading `..`, not
/// absolute) or inside one of `roots` (normalised names of folders the
/// manifest declares).
pub fn confined(name: &str, roots: &[String]) -> bool {
    let in_pack = !name.starts_with("../") && name != ".." && !is_absolute(name);
    let under = |root: &str| name == root || name.strip_prefix(root).is_some_and(|rest| rest.starts_with('/'));
    in_pack || roots.iter().any(|r| !r.is_empty() && under(r))
}

fn is_absolute(name: &str) -> bool {
    name.starts_with('/') || Path::new(name).components().next().is_some_and(|c| matches!(c, Component::Prefix(_)))
}

/// Resolves `.` and `..` without touching the file system, so a path given
/// as `rules/../rules` names the same pack as `rules`.
pub fn normalize_path(p: &Path) -> PathBuf {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise_and_stay_confined() {
        assert_eq!(normalize("un/./dprk/../x.cordon"), "un/x.cordon");
        assert_eq!(normalize("../seeds//lists/"), "../seeds/lists");
        assert_eq!(normalize("a/../../b"), "../b");
        assert_eq!(normalize("/etc/../passwd"), "/passwd");
        assert_eq!(beside("un/dprk/arms.cordon", "./data/x.csv"), "un/dprk/data/x.csv");
        assert_eq!(beside("arms.cordon", "../x.csv"), "../x.csv");
        assert_eq!(under("../seeds", "lists/a.csv"), "../seeds/lists/a.csv");
        assert_eq!(under("../seeds", "/etc/passwd"), "/etc/passwd");
        let roots = vec!["../seeds".to_string()];
        assert!(confined("un/dprk/arms.cordon", &roots));
        assert!(confined("../seeds/lists/a.csv", &roots));
        assert!(!confined("../seedsx/a.csv", &roots));
        assert!(!confined("../other/a.csv", &roots));
        assert!(!confined("/etc/passwd", &roots));
        assert!(!confined("..", &[]));
        assert!(confined("/srv/data/x.csv", &["/srv/data".to_string()]));
    }
}
