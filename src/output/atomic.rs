//! Writing output files safely: a file appears complete or not at all. The
//! bytes go to a temporary file beside the target, are flushed to disk, and
//! the temporary file is renamed over the target. Devices and pipes (such as
//! `/dev/stdout` or `/dev/full`) are written directly, and `-` means stdout.

use std::io::Write;
use std::path::{Path, PathBuf};

use thiserror::Error;

/// An output file that could not be written.
#[derive(Debug, Error, miette::Diagnostic)]
#[error("cannot write `{}`: {source}", path.display())]
#[diagnostic(
    code(cordon::output::write),
    help("nothing was left behind; check the path, its permissions and the free space")
)]
pub struct WriteError {
    /// The target.
    pub path: PathBuf,
    /// What went wrong.
    pub source: std::io::Error,
}

/// Writes `bytes` to `path` atomically (see the module docs).
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let fail = |source: std::io::Error| WriteError { path: path.to_path_buf(), source };
    if path.as_os_str() == "-" {
        let mut out = std::io::stdout().lock();
        return out.write_all(bytes).and_then(|_| out.flush()).map_err(fail);
    }
    if let Ok(meta) = std::fs::metadata(path)
        && !meta.is_file()
    {
        if meta.is_dir() {
            return Err(fail(std::io::Error::new(std::io::ErrorKind::IsADirectory, "it is a directory")));
        }
        // A device or a pipe: there is nothing to rename over.
        let mut f = std::fs::OpenOptions::new().write(true).open(path).map_err(fail)?;
        return f.write_all(bytes).and_then(|_| f.flush()).map_err(fail);
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::Builder::new().prefix(".cordon-").suffix(".tmp").tempfile_in(&dir).map_err(fail)?;
    tmp.write_all(bytes).map_err(fail)?;
    // Temporary files are private (0600); the report is an ordinary file:
    // keep the permissions of the file it replaces, else rw-r--r--.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map(|m| m.permissions().mode()).unwrap_or(0o644);
        tmp.as_file().set_permissions(std::fs::Permissions::from_mode(mode)).map_err(fail)?;
    }
    tmp.as_file().sync_all().map_err(fail)?;
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_files_and_leaves_nothing_on_failure() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.pdf");
        write_file(&p, b"first").unwrap();
        write_file(&p, b"second").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"second");
        let bad = dir.path().join("no/such/dir/out.pdf");
        assert!(write_file(&bad, b"x").is_err());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(leftovers.len(), 1, "{leftovers:?}");
        assert!(write_file(dir.path(), b"x").unwrap_err().to_string().contains("it is a directory"));
    }

    #[test]
    fn a_full_device_is_a_clear_error() {
        let full = Path::new("/dev/full");
        if !full.exists() {
            return;
        }
        let e = write_file(full, &vec![0u8; 1 << 16]).unwrap_err();
        assert!(e.to_string().starts_with("cannot write `/dev/full`: "), "{e}");
    }
}
