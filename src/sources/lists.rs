//! List source files on disk, for `cordon lists import`: the files (or the
//! OFAC CSV folder) a user names are recognised by name and first bytes,
//! an sdn.csv brings its sibling files, and each is read whole; the
//! importers then work on the bytes (`lists::import::import_files`).

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::lists::Snapshot;
use crate::lists::import::{self, Format, ImportError, SourceFile, ofac_csv};

/// Imports a list from its source file(s) on disk: `paths` are the files
/// (or, for OFAC CSV, a folder holding sdn.csv); `format` is detected from
/// each path when `None`; `name` is the list's name in Cordon.
pub fn import_list(paths: &[PathBuf], format: Option<Format>, name: &str) -> Result<Snapshot, ImportError> {
    let Some(first) = paths.first() else {
        return Err(ImportError::format("(none)", "no source files given"));
    };
    let format = match format {
        Some(f) => f,
        None => {
            let f = detect_path(first)?;
            for path in paths.iter().skip(1) {
                let g = detect_path(path)?;
                if g != f {
                    return Err(ImportError::format(
                        &path.display().to_string(),
                        format!("it is {g} but `{}` is {f}: import one list at a time", first.display()),
                    ));
                }
            }
            f
        }
    };
    let paths = match format {
        Format::OfacCsv => ofac_csv_files(paths)?,
        _ => paths.to_vec(),
    };
    let files = paths.iter().map(|p| read(p)).collect::<Result<Vec<_>, _>>()?;
    import::import_files(files, format, name)
}

/// Detects one path's format: a folder holding sdn.csv is OFAC CSV; a file
/// by its name and first bytes.
fn detect_path(path: &Path) -> Result<Format, ImportError> {
    let shown = path.display().to_string();
    if path.is_dir() {
        return path
            .join(ofac_csv::SDN)
            .is_file()
            .then_some(Format::OfacCsv)
            .ok_or(ImportError::Unsupported { path: shown });
    }
    let file = std::fs::File::open(path).map_err(|source| ImportError::Io { path: shown.clone(), source })?;
    let mut head = Vec::with_capacity(import::HEAD);
    file.take(import::HEAD as u64)
        .read_to_end(&mut head)
        .map_err(|source| ImportError::Io { path: shown.clone(), source })?;
    Format::detect(path, &head).ok_or(ImportError::Unsupported { path: shown })
}

/// Reads a whole source file.
fn read(path: &Path) -> Result<SourceFile, ImportError> {
    let shown = path.display().to_string();
    match std::fs::read(path) {
        Ok(bytes) => Ok(SourceFile { path: shown, bytes }),
        Err(source) => Err(ImportError::Io { path: shown, source }),
    }
}

/// The files to read for the given paths, main file first: a directory gives
/// its sdn.csv and whichever of alt.csv, add.csv and sdn_comments.csv it
/// holds; an sdn.csv brings its siblings along unless they were given; a file
/// of another name is taken as the main file.
fn ofac_csv_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ImportError> {
    let mut given: Vec<(ofac_csv::Role, PathBuf)> = Vec::new();
    let mut siblings: Vec<(ofac_csv::Role, PathBuf)> = Vec::new();
    for path in paths {
        if path.is_dir() {
            let sdn = path.join(ofac_csv::SDN);
            if !sdn.is_file() {
                return Err(ImportError::format(&path.display().to_string(), "the directory holds no sdn.csv"));
            }
            given.push((ofac_csv::Role::Sdn, sdn));
            siblings.extend(existing_siblings(path));
        } else {
            let role = ofac_csv::role_of(path).unwrap_or(ofac_csv::Role::Sdn);
            if ofac_csv::role_of(path) == Some(ofac_csv::Role::Sdn) {
                let dir = path.parent().unwrap_or_else(|| Path::new(""));
                siblings.extend(existing_siblings(dir));
            }
            given.push((role, path.clone()));
        }
    }
    for (role, path) in siblings {
        if !given.iter().any(|(r, _)| *r == role) {
            given.push((role, path));
        }
    }
    given.sort_by_key(|(r, _)| *r);
    for pair in given.windows(2) {
        if let [(a, first), (b, second)] = pair
            && a == b
        {
            return Err(ImportError::format(
                &second.display().to_string(),
                format!("it is a second {} besides `{}`", a.file_name(), first.display()),
            ));
        }
    }
    match given.first() {
        Some((ofac_csv::Role::Sdn, _)) => Ok(given.into_iter().map(|(_, p)| p).collect()),
        Some((_, p)) => Err(ImportError::format(&p.display().to_string(), "no sdn.csv was given with it")),
        None => Err(ImportError::format("(none)", "no source files given")),
    }
}

/// alt.csv, add.csv and sdn_comments.csv in a directory, where present.
fn existing_siblings(dir: &Path) -> Vec<(ofac_csv::Role, PathBuf)> {
    [ofac_csv::Role::Alt, ofac_csv::Role::Add, ofac_csv::Role::Comments]
        .into_iter()
        .map(|r| (r, dir.join(r.file_name())))
        .filter(|(_, p)| p.is_file())
        .collect()
}
