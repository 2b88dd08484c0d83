//! Snapshots on disk: a lists folder holds the current snapshot of each
//! list as `NAME.json`, and every earlier one it replaced under
//! `history/NAME@PUBLISHED-FINGERPRINT.json`, so that a report can always be
//! traced to the list version it used and two versions can be compared.
//! Written whole or not at all (`atomic`).

use std::path::{Path, PathBuf};

use crate::lists::Snapshot;
use crate::lists::store::{StoreError, from_bytes, to_bytes, valid_name};

/// Reads a snapshot file.
pub fn read_snapshot(path: &Path) -> Result<Snapshot, StoreError> {
    let bytes = std::fs::read(path).map_err(|source| StoreError::Read { path: path.to_path_buf(), source })?;
    from_bytes(&bytes, path)
}

/// What saving a snapshot did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// The first snapshot of this list.
    New(PathBuf),
    /// Replaced the current snapshot, which was kept at the given path.
    Replaced {
        /// The new current snapshot.
        current: PathBuf,
        /// Where the previous one went.
        previous: PathBuf,
    },
    /// The same source was imported before: nothing changed.
    Unchanged(PathBuf),
}

/// A lists directory.
#[derive(Debug, Clone)]
pub struct Store {
    /// The directory.
    pub dir: PathBuf,
}

impl Store {
    /// A store in `dir` (created on the first save).
    pub fn new(dir: impl Into<PathBuf>) -> Store {
        Store { dir: dir.into() }
    }

    /// The current snapshot file of a list.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.json"))
    }

    /// The stored screening index of a list's current snapshot (a cache:
    /// see `screen::persist`).
    pub fn index_path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.index"))
    }

    /// The names of the lists with a current snapshot, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut out: Vec<String> = std::fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let stem = name.strip_suffix(".json")?;
                valid_name(stem).then(|| stem.to_string())
            })
            .collect();
        out.sort();
        out
    }

    /// The earlier snapshots of a list, oldest first by file name.
    pub fn history(&self, name: &str) -> Vec<PathBuf> {
        let prefix = format!("{name}@");
        let mut out: Vec<PathBuf> = std::fs::read_dir(self.dir.join("history"))
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
            .map(|e| e.path())
            .collect();
        out.sort();
        out
    }

    /// Loads a list's current snapshot.
    pub fn load(&self, name: &str) -> Result<Snapshot, StoreError> {
        let path = self.current(name)?;
        read_snapshot(&path)
    }

    /// A list's current snapshot file and its bytes (for
    /// `screen::persist::load`, which also needs the bytes' digest).
    pub fn read_current(&self, name: &str) -> Result<(PathBuf, Vec<u8>), StoreError> {
        let path = self.current(name)?;
        let bytes = std::fs::read(&path).map_err(|source| StoreError::Read { path: path.clone(), source })?;
        Ok((path, bytes))
    }

    /// A list's stored screening index, if there is one that can be read.
    pub fn read_index(&self, name: &str) -> Option<Vec<u8>> {
        std::fs::read(self.index_path(name)).ok()
    }

    /// Stores a list's screening index (whole or not at all).
    pub fn write_index(&self, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
        crate::atomic::write_file(&self.index_path(name), bytes).map_err(StoreError::Write)
    }

    /// The current snapshot file of a list that has one.
    fn current(&self, name: &str) -> Result<PathBuf, StoreError> {
        if !valid_name(name) {
            return Err(StoreError::BadName(name.to_string()));
        }
        let path = self.path(name);
        if !path.is_file() {
            let names = self.names();
            let help = if names.is_empty() {
                "import one with `cordon lists import FILE --as NAME`".to_string()
            } else {
                format!("lists here: {}", names.join(", "))
            };
            return Err(StoreError::Missing { name: name.to_string(), dir: self.dir.clone(), help });
        }
        Ok(path)
    }

    /// Saves a snapshot as its list's current one, keeping the one it
    /// replaces. (Its screening index is stored by `screen::persist::load`.)
    pub fn save(&self, snapshot: &Snapshot) -> Result<Saved, StoreError> {
        if !valid_name(&snapshot.name) {
            return Err(StoreError::BadName(snapshot.name.clone()));
        }
        let current = self.path(&snapshot.name);
        let bytes = to_bytes(snapshot);
        let mkdir = |dir: &Path| {
            std::fs::create_dir_all(dir)
                .map_err(|source| StoreError::Write(crate::atomic::WriteError { path: dir.to_path_buf(), source }))
        };
        mkdir(&self.dir)?;
        if !current.is_file() {
            crate::atomic::write_file(&current, &bytes)?;
            return Ok(Saved::New(current));
        }
        let old = read_snapshot(&current)?;
        if old == *snapshot {
            return Ok(Saved::Unchanged(current));
        }
        let history = self.dir.join("history");
        mkdir(&history)?;
        let fp: String = old.fingerprint.chars().take(12).collect();
        let previous =
            history.join(format!("{}@{}-{fp}.json", old.name, old.published.as_deref().unwrap_or("undated")));
        crate::atomic::write_file(&previous, &to_bytes(&old))?;
        crate::atomic::write_file(&current, &bytes)?;
        Ok(Saved::Replaced { current, previous })
    }

    /// Resolves what the user named: a list in the store, an earlier
    /// snapshot (`NAME@…`), or a snapshot file path.
    pub fn resolve(&self, what: &str) -> Result<Snapshot, StoreError> {
        let as_path = Path::new(what);
        if what.ends_with(".json") && as_path.is_file() {
            return read_snapshot(as_path);
        }
        if let Some((name, _)) = what.split_once('@') {
            let path = self.dir.join("history").join(format!("{what}.json"));
            if path.is_file() {
                return read_snapshot(&path);
            }
            let known: Vec<String> = self
                .history(name)
                .iter()
                .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
                .collect();
            let help = if known.is_empty() {
                format!("`{name}` has no earlier snapshots")
            } else {
                format!("earlier snapshots: {}", known.join(", "))
            };
            return Err(StoreError::Missing { name: what.to_string(), dir: self.dir.join("history"), help });
        }
        self.load(what)
    }
}
