//! A rule pack held in memory: files by name, as a service keeps packs in a
//! database or receives them in a request.

use std::collections::BTreeMap;

use super::{SourceError, Sources};

/// The files of a pack held in memory. Every file whose name ends in
/// `.cordon` is a rule file.
///
/// ```
/// use cordon::MemSources;
/// let pack = MemSources::new()
///     .with("un/dprk.cordon", "regime UN_DPRK\n")
///     .with("cordon.yaml", "name: demo\n");
/// assert_eq!(pack.len(), 2);
/// ```
#[derive(Debug, Clone, Default)]
pub struct MemSources {
    files: BTreeMap<String, Vec<u8>>,
}

impl MemSources {
    /// An empty pack.
    pub fn new() -> MemSources {
        MemSources::default()
    }

    /// Adds (or replaces) a file.
    pub fn with(mut self, name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> MemSources {
        self.insert(name, bytes);
        self
    }

    /// Adds (or replaces) a file.
    pub fn insert(&mut self, name: impl Into<String>, bytes: impl Into<Vec<u8>>) {
        self.files.insert(super::normalize(&name.into()), bytes.into());
    }

    /// How many files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

impl Sources for MemSources {
    fn files(&self, suffix: &str) -> Result<Vec<String>, SourceError> {
        Ok(self.files.keys().filter(|k| k.ends_with(suffix)).cloned().collect())
    }

    fn read(&self, name: &str, limit: usize) -> Result<Vec<u8>, SourceError> {
        let bytes = self.files.get(&super::normalize(name)).ok_or_else(SourceError::not_found)?;
        if bytes.len() > limit {
            return Err(SourceError::TooLarge { limit });
        }
        Ok(bytes.clone())
    }

    fn list_folder(&self, folder: &str) -> Vec<String> {
        let prefix = if folder.is_empty() { String::new() } else { format!("{}/", super::normalize(folder)) };
        self.files
            .keys()
            .filter_map(|k| k.strip_prefix(&prefix))
            .filter(|rest| !rest.contains('/'))
            .map(str::to_string)
            .collect()
    }
}
