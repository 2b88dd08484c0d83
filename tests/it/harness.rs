//! Shared helpers: temporary rule packs, the binary, the project root.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The project root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temporary directory holding files written from strings.
pub struct TempPack {
    pub dir: tempfile::TempDir,
}

impl TempPack {
    /// A pack of rule files (name → text).
    pub fn new(files: &[(&str, &str)]) -> TempPack {
        let dir = tempfile::tempdir().expect("temp dir");
        for (name, text) in files {
            let p = dir.path().join(name);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, text).expect("write");
        }
        TempPack { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes one more file.
    pub fn write(&self, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, text).expect("write");
        p
    }
}

/// Runs the `cordon` binary in the project root.
pub fn cordon(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cordon"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        // Runs keep no state unless a test gives `--state`: tests run at
        // once, and a state beside a shared config would tie them together.
        .env("CORDON_NO_STATE", "1")
        .output()
        .expect("run cordon")
}

/// Stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
