//! Writing output files safely: a file appears complete or not at all. The
//! bytes go to a temporary file beside the target, are flushed to disk, and
//! the temporary file is renamed over the target. Devices and pipes (such as
//! `/dev/stdout` or `/dev/full`) are written directly, and `-` means stdout.
//! [`AtomicFile`] does the same for output written as a stream, and
//! [`Scratch`] holds what an output needs later but memory should not (a
//! report's flagged records).

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
    let mut f = AtomicFile::create(path)?;
    f.write_all(bytes).map_err(|e| f.error(e))?;
    f.commit()
}

/// An output file written as a stream and committed at the end: until
/// [`AtomicFile::commit`] the bytes are in a temporary file beside the
/// target, which is deleted if the file is dropped uncommitted (an error
/// half way leaves the old file, or none). `-` is stdout; a device or a pipe
/// is written directly.
pub struct AtomicFile {
    path: PathBuf,
    dest: Dest,
}

enum Dest {
    Stdout(std::io::Stdout),
    Direct(std::fs::File),
    Temp(tempfile::NamedTempFile),
}

impl AtomicFile {
    /// Opens the temporary file (or the device, or stdout) for `path`.
    pub fn create(path: &Path) -> Result<AtomicFile, WriteError> {
        let fail = |source: std::io::Error| WriteError { path: path.to_path_buf(), source };
        let dest = if path.as_os_str() == "-" {
            Dest::Stdout(std::io::stdout())
        } else if let Ok(meta) = std::fs::metadata(path)
            && !meta.is_file()
        {
            if meta.is_dir() {
                return Err(fail(std::io::Error::new(std::io::ErrorKind::IsADirectory, "it is a directory")));
            }
            // A device or a pipe: there is nothing to rename over.
            Dest::Direct(std::fs::OpenOptions::new().write(true).open(path).map_err(fail)?)
        } else {
            let dir = match path.parent() {
                Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                _ => PathBuf::from("."),
            };
            let tmp = tempfile::Builder::new().prefix(".cordon-").suffix(".tmp").tempfile_in(&dir).map_err(fail)?;
            Dest::Temp(tmp)
        };
        Ok(AtomicFile { path: path.to_path_buf(), dest })
    }

    /// The error for this file.
    pub fn error(&self, source: std::io::Error) -> WriteError {
        WriteError { path: self.path.clone(), source }
    }

    /// Flushes the bytes to disk and puts the file in place.
    pub fn commit(self) -> Result<(), WriteError> {
        let fail = |source: std::io::Error| WriteError { path: self.path.clone(), source };
        match self.dest {
            Dest::Stdout(mut out) => out.flush().map_err(fail),
            Dest::Direct(mut f) => f.flush().map_err(fail),
            Dest::Temp(mut tmp) => {
                tmp.flush().map_err(fail)?;
                // Temporary files are private (0600); outputs are ordinary
                // files: keep the permissions of the file replaced, else rw-r--r--.
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    let mode = std::fs::metadata(&self.path).map(|m| m.permissions().mode()).unwrap_or(0o644);
                    tmp.as_file().set_permissions(std::fs::Permissions::from_mode(mode)).map_err(fail)?;
                }
                tmp.as_file().sync_all().map_err(fail)?;
                tmp.persist(&self.path).map_err(|e| fail(e.error))?;
                Ok(())
            }
        }
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.dest {
            Dest::Stdout(o) => o.write(buf),
            Dest::Direct(f) => f.write(buf),
            Dest::Temp(t) => t.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.dest {
            Dest::Stdout(o) => o.flush(),
            Dest::Direct(f) => f.flush(),
            Dest::Temp(t) => t.flush(),
        }
    }
}

/// A private temporary file, deleted by the system when it is dropped or
/// the process ends however it ends: written, then read back from the start
/// (seek to it first) as often as needed.
#[derive(Debug)]
pub struct Scratch(std::fs::File);

impl Scratch {
    /// A new, empty one in the system's temporary folder (`TMPDIR`).
    pub fn new() -> std::io::Result<Scratch> {
        tempfile::tempfile().map(Scratch)
    }
}

impl Write for Scratch {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

impl std::io::Read for Scratch {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf)
    }
}

impl std::io::Seek for Scratch {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        self.0.seek(pos)
    }
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
    fn a_stream_dropped_before_commit_leaves_the_old_file_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("findings.jsonl");
        std::fs::write(&p, b"old").unwrap();
        let mut f = AtomicFile::create(&p).unwrap();
        f.write_all(b"half of the new").unwrap();
        drop(f);
        assert_eq!(std::fs::read(&p).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let mut f = AtomicFile::create(&p).unwrap();
        f.write_all(b"new").unwrap();
        f.commit().unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
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
