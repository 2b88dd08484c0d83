//! The snapshot file format: a versioned JSON document of the snapshot,
//! stable bytes (entries sorted, fields in order), content hashes of
//! entries, and the differences between two snapshots. The lists folder on
//! disk that holds them is `sources::Store`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

use super::{Entry, Snapshot};

/// The snapshot file format's version.
pub const FORMAT_VERSION: u32 = 1;

/// A snapshot that could not be read or written.
#[derive(Debug, Error, miette::Diagnostic)]
pub enum StoreError {
    /// A list name that cannot be a file name.
    #[error("`{0}` is not a list name")]
    #[diagnostic(code(cordon::lists::name), help("use letters, digits and `_` (e.g. `UN_SC`, `OFAC_SDN`)"))]
    BadName(String),
    /// No snapshot of that name.
    #[error("no list `{name}` in `{}`", dir.display())]
    #[diagnostic(code(cordon::lists::missing), help("{help}"))]
    Missing {
        /// The name asked for.
        name: String,
        /// The directory looked in.
        dir: PathBuf,
        /// What is there.
        help: String,
    },
    /// A file that cannot be read.
    #[error("cannot read `{}`: {source}", path.display())]
    #[diagnostic(code(cordon::lists::read))]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file that is not a snapshot.
    #[error("`{}` is not a list snapshot: {message}", path.display())]
    #[diagnostic(code(cordon::lists::format), help("snapshots are written by `cordon lists import`"))]
    Format {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// A snapshot that could not be written.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Write(#[from] crate::atomic::WriteError),
}

/// The file: a version tag and the snapshot (as written; read as [`StoredIn`]).
#[derive(Serialize)]
struct Stored {
    cordon_list_snapshot: u32,
    #[serde(flatten)]
    snapshot: Snapshot,
}

/// Whether a name can name a list (and its file).
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
}

/// A hash of an entry's content: changes whenever anything the list says
/// about the entry changes. Cleared matches are tied to it.
pub fn entry_hash(entry: &Entry) -> String {
    let json = serde_json::to_vec(entry).unwrap_or_default();
    let digest = Sha256::digest(&json);
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// Serialises a snapshot as its file's bytes (stable: entries are sorted by
/// the importers, fields in declaration order).
pub fn to_bytes(snapshot: &Snapshot) -> Vec<u8> {
    let stored = Stored { cordon_list_snapshot: FORMAT_VERSION, snapshot: snapshot.clone() };
    let mut bytes = serde_json::to_vec_pretty(&stored).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// The file as read: [`Stored`]'s fields spelled out, because a flattened
/// field makes serde buffer the whole file before reading it (it was most
/// of loading a list).
#[derive(Deserialize)]
struct StoredIn {
    cordon_list_snapshot: u32,
    name: String,
    format: String,
    sources: Vec<String>,
    published: Option<String>,
    fingerprint: String,
    entries: Vec<Entry>,
    #[serde(default)]
    notes: Vec<String>,
}

/// Parses a snapshot file's bytes (`path` names it in errors).
pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Snapshot, StoreError> {
    let s: StoredIn = serde_json::from_slice(bytes)
        .map_err(|e| StoreError::Format { path: path.to_path_buf(), message: e.to_string() })?;
    if s.cordon_list_snapshot != FORMAT_VERSION {
        return Err(StoreError::Format {
            path: path.to_path_buf(),
            message: format!("format version {} (this Cordon reads {FORMAT_VERSION})", s.cordon_list_snapshot),
        });
    }
    Ok(Snapshot {
        name: s.name,
        format: s.format,
        sources: s.sources,
        published: s.published,
        fingerprint: s.fingerprint,
        entries: s.entries,
        notes: s.notes,
    })
}

/// How one entry changed between two snapshots.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Changed {
    /// The entry's reference.
    pub reference: String,
    /// Its primary name in the newer snapshot.
    pub name: String,
    /// What changed, one line per field: `names: + "X"`, `listed_on: A → B`.
    pub changes: Vec<String>,
}

/// The difference between two snapshots of a list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Diff {
    /// Entries only in the newer snapshot: (reference, primary name).
    pub added: Vec<(String, String)>,
    /// Entries only in the older snapshot.
    pub removed: Vec<(String, String)>,
    /// Entries in both, with different content.
    pub changed: Vec<Changed>,
    /// Entries unchanged.
    pub unchanged: usize,
}

fn set_changes<T: PartialEq + std::fmt::Debug>(
    field: &str,
    old: &[T],
    new: &[T],
    show: impl Fn(&T) -> String,
) -> Vec<String> {
    let mut out = Vec::new();
    for x in new.iter().filter(|x| !old.contains(x)) {
        out.push(format!("{field}: + {}", show(x)));
    }
    for x in old.iter().filter(|x| !new.contains(x)) {
        out.push(format!("{field}: − {}", show(x)));
    }
    out
}

fn describe(old: &Entry, new: &Entry) -> Vec<String> {
    let mut out = Vec::new();
    if old.kind != new.kind {
        out.push(format!("kind: {} → {}", old.kind.name(), new.kind.name()));
    }
    out.extend(set_changes("names", &old.names, &new.names, |n| {
        format!("\"{}\" ({})", n.text, format!("{:?}", n.quality).to_lowercase())
    }));
    let quoted = |s: &String| format!("\"{s}\"");
    out.extend(set_changes("dates of birth", &old.dates_of_birth, &new.dates_of_birth, quoted));
    out.extend(set_changes("nationalities", &old.nationalities, &new.nationalities, quoted));
    out.extend(set_changes("addresses", &old.addresses, &new.addresses, |a| {
        let mut s = a.text.clone();
        if let Some(c) = &a.country {
            if !s.is_empty() {
                s.push_str(", ");
            }
            s.push_str(c);
        }
        format!("\"{s}\"")
    }));
    out.extend(set_changes("IMO", &old.imo, &new.imo, String::clone));
    out.extend(set_changes("programmes", &old.programmes, &new.programmes, String::clone));
    if old.listed_on != new.listed_on {
        let show = |d: &Option<String>| d.clone().unwrap_or_else(|| "none".into());
        out.push(format!("listed on: {} → {}", show(&old.listed_on), show(&new.listed_on)));
    }
    if old.remarks != new.remarks {
        out.push("remarks changed".to_string());
    }
    if out.is_empty() {
        // Same content, different order of names or addresses.
        out.push("order of names or addresses".to_string());
    }
    out
}

/// Compares two snapshots entry by entry, matched on reference.
pub fn diff(old: &Snapshot, new: &Snapshot) -> Diff {
    use std::collections::BTreeMap;
    let o: BTreeMap<&str, &Entry> = old.entries.iter().map(|e| (e.reference.as_str(), e)).collect();
    let n: BTreeMap<&str, &Entry> = new.entries.iter().map(|e| (e.reference.as_str(), e)).collect();
    let mut d = Diff::default();
    for (r, e) in &n {
        match o.get(r) {
            None => d.added.push((r.to_string(), e.primary().to_string())),
            Some(prev) if prev != e => d.changed.push(Changed {
                reference: r.to_string(),
                name: e.primary().to_string(),
                changes: describe(prev, e),
            }),
            Some(_) => d.unchanged += 1,
        }
    }
    for (r, e) in &o {
        if !n.contains_key(r) {
            d.removed.push((r.to_string(), e.primary().to_string()));
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lists::{Kind, Name, Quality};
    use crate::sources::{Saved, Store};

    fn entry(r: &str, names: &[&str]) -> Entry {
        Entry {
            reference: r.into(),
            kind: Kind::Entity,
            names: names.iter().map(|t| Name { text: (*t).into(), quality: Quality::Primary, script: None }).collect(),
            dates_of_birth: vec![],
            nationalities: vec![],
            addresses: vec![],
            imo: vec![],
            programmes: vec!["DPRK".into()],
            listed_on: Some("2017-08-05".into()),
            remarks: None,
        }
    }

    fn snap(fp: &str, published: &str, entries: Vec<Entry>) -> Snapshot {
        Snapshot {
            name: "UN_SC".into(),
            format: "un-xml".into(),
            sources: vec!["x.xml".into()],
            published: Some(published.into()),
            fingerprint: fp.into(),
            entries,
            notes: Vec::new(),
        }
    }

    #[test]
    fn saving_keeps_the_previous_snapshot_and_diff_names_the_changes() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let v1 = snap("aaaa1111bbbb2222", "2024-01-01", vec![entry("KPe.001", &["A"]), entry("KPe.002", &["B"])]);
        assert!(matches!(store.save(&v1).unwrap(), Saved::New(_)));
        assert!(matches!(store.save(&v1).unwrap(), Saved::Unchanged(_)));
        let v2 = snap("cccc3333dddd4444", "2024-02-01", vec![entry("KPe.001", &["A", "A2"]), entry("KPe.003", &["C"])]);
        let Saved::Replaced { previous, .. } = store.save(&v2).unwrap() else { panic!("not replaced") };
        assert!(previous.ends_with("history/UN_SC@2024-01-01-aaaa1111bbbb.json"));
        assert_eq!(store.load("UN_SC").unwrap(), v2);
        assert_eq!(store.resolve("UN_SC@2024-01-01-aaaa1111bbbb").unwrap(), v1);
        assert_eq!(store.names(), ["UN_SC"]);
        let d = diff(&v1, &v2);
        assert_eq!(d.added, [("KPe.003".to_string(), "C".to_string())]);
        assert_eq!(d.removed, [("KPe.002".to_string(), "B".to_string())]);
        assert_eq!(d.changed[0].changes, ["names: + \"A2\" (primary)"]);
        assert_ne!(entry_hash(&v1.entries[0]), entry_hash(&v2.entries[0]));
    }

    #[test]
    fn missing_lists_and_bad_files_say_what_is_there() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let e = store.load("OFAC_SDN").unwrap_err().to_string();
        assert_eq!(e, format!("no list `OFAC_SDN` in `{}`", dir.path().display()));
        assert!(matches!(store.load("../etc"), Err(StoreError::BadName(_))));
        std::fs::write(dir.path().join("BAD.json"), "{}").unwrap();
        assert!(store.load("BAD").unwrap_err().to_string().contains("is not a list snapshot"));
    }
}
