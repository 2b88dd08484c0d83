//! A rule pack on disk: the folder the user names (or one rule file), read
//! with the size limits the loader asks for. With the output writers and
//! the CLI, the only place the library opens files.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::{SourceError, Sources};

/// The files of a pack folder on disk (or of a single rule file and its
/// folder). Names are relative to the folder.
#[derive(Debug, Clone)]
pub struct FsSources {
    /// The pack folder, as given (for display names).
    root: PathBuf,
    /// Only this rule file (a pack given as one file), by name.
    single: Option<String>,
    /// Files named explicitly (a reviewed-matches file given on the command
    /// line): name → path.
    extra: Vec<(String, PathBuf)>,
}

impl FsSources {
    /// The pack at `path`: a folder, whose `*.cordon` files are the rules,
    /// or one rule file (its folder is the pack root, and only it and the
    /// files it imports are rules).
    pub fn new(path: impl AsRef<Path>) -> FsSources {
        let path = super::normalize_path(path.as_ref());
        if path.is_file() {
            let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
            let single = path.file_name().map(|n| n.to_string_lossy().into_owned());
            FsSources { root, single, extra: Vec::new() }
        } else {
            FsSources { root: path, single: None, extra: Vec::new() }
        }
    }

    /// Serves the file at `path` under `name` too (a file outside the pack
    /// the user named explicitly, such as `--reviewed FILE`).
    pub fn with_file(mut self, name: impl Into<String>, path: impl Into<PathBuf>) -> FsSources {
        self.extra.push((name.into(), path.into()));
        self
    }

    /// The pack folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path(&self, name: &str) -> PathBuf {
        match self.extra.iter().find(|(n, _)| n == name) {
            Some((_, p)) => p.clone(),
            // The current folder (`--rules .` normalises to nothing).
            None if name.is_empty() && self.root.as_os_str().is_empty() => PathBuf::from("."),
            None if name.is_empty() => self.root.clone(),
            None if self.root.as_os_str().is_empty() => PathBuf::from(name),
            None => self.root.join(name),
        }
    }
}

impl Sources for FsSources {
    fn files(&self, suffix: &str) -> Result<Vec<String>, SourceError> {
        if let Some(one) = self.single.as_ref().filter(|_| suffix == format!(".{}", super::RULE_EXT)) {
            return Ok(vec![one.clone()]);
        }
        let root = self.path("");
        if !root.is_dir() {
            // Something that exists but is no folder (`--rules /dev/zero`)
            // is named for what it is, not reported missing (red team M7).
            return Err(match std::fs::metadata(&root) {
                Ok(m) => SourceError::Io(std::io::Error::other(format!(
                    "it is {}, not a folder of rules or a `.cordon` file",
                    file_kind(&m)
                ))),
                Err(_) => SourceError::not_found(),
            });
        }
        let mut out = Vec::new();
        walk(&root, "", suffix, &mut out).map_err(SourceError::Io)?;
        Ok(out)
    }

    fn files_in(&self, folder: &str, suffix: &str) -> Result<Vec<String>, SourceError> {
        let dir = self.path(folder);
        if self.single.is_some() || !dir.is_dir() {
            return Err(SourceError::not_found());
        }
        let mut out = Vec::new();
        walk(&dir, &super::normalize(folder), suffix, &mut out).map_err(SourceError::Io)?;
        Ok(out)
    }

    fn read(&self, name: &str, limit: usize) -> Result<Vec<u8>, SourceError> {
        let path = self.path(name);
        let file = std::fs::File::open(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => SourceError::NotFound(e),
            _ => SourceError::Io(e),
        })?;
        if file.metadata().is_ok_and(|m| m.is_dir()) {
            return Err(SourceError::Io(std::io::Error::other("is a directory")));
        }
        let mut bytes = Vec::new();
        file.take(limit as u64 + 1).read_to_end(&mut bytes).map_err(SourceError::Io)?;
        if bytes.len() > limit {
            return Err(SourceError::TooLarge { limit });
        }
        Ok(bytes)
    }

    fn list_folder(&self, folder: &str) -> Vec<String> {
        let mut out: Vec<String> = std::fs::read_dir(self.path(folder))
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        out.sort();
        out
    }

    fn display_name(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }
}

/// Whether `path` is a regular file (one that can be opened and read
/// again from the start).
pub(crate) fn is_regular_file(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

/// The size of a regular file in bytes; `None` for anything else (a FIFO,
/// a device) or a file that cannot be looked at.
pub(crate) fn regular_file_len(path: &Path) -> Option<u64> {
    std::fs::metadata(path).ok().filter(std::fs::Metadata::is_file).map(|m| m.len())
}

/// What kind of file `m` describes, for messages: "a character device".
pub(crate) fn file_kind(m: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = m.file_type();
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_fifo() {
            return "a named pipe";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if m.is_dir() {
        "a directory"
    } else if m.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

/// Files under `dir` ending in `suffix`, by name; folders holding a pack
/// manifest of their own are left out.
fn walk(dir: &Path, prefix: &str, suffix: &str, out: &mut Vec<String>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() { name.clone() } else { format!("{prefix}/{name}") };
        let ft = e.file_type()?;
        if ft.is_dir() {
            // A folder with a manifest of its own is another pack
            // (`rules/examples/licences/`), not part of this one.
            if e.path().join(super::MANIFEST).is_file() {
                continue;
            }
            walk(&e.path(), &rel, suffix, out)?;
        } else if name.ends_with(suffix) {
            out.push(rel);
        }
    }
    Ok(())
}

/// Opens an input file of a run for reading.
pub(crate) fn open_input_file(path: &Path) -> std::io::Result<Box<dyn Read + Send>> {
    let file = std::fs::File::open(path)?;
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "it is a directory, not a CSV or JSON Lines file: name the files in it (`DIR/*.csv`)",
        ));
    }
    Ok(Box::new(file))
}

/// Reads a text file (a config, a reviewed-matches file, a rule file to
/// format), named by its path as given; larger than
/// [`MAX_TEXT_FILE_BYTES`](super::MAX_TEXT_FILE_BYTES) is refused without
/// being read whole (a device or a pipe that never ends too).
pub fn read_text_file(path: &Path) -> std::io::Result<crate::source::SourceFile> {
    let limit = super::MAX_TEXT_FILE_BYTES;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?.take(limit as u64 + 1).read_to_end(&mut bytes)?;
    if bytes.len() > limit {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("larger than the limit of {limit} bytes for a rule, schema or config file"),
        ));
    }
    crate::source::SourceFile::from_bytes(path.display().to_string(), path, bytes)
}
