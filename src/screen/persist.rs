//! A list's screening index stored on disk, so that a one-name screen does
//! not rebuild it (building the OFAC SDN index takes about 0.6 s; reading it
//! back a tenth of that).
//!
//! The stored index is a cache of [`ListIndex::new`], never a second source
//! of truth: its header names the snapshot bytes it was built from (their
//! SHA-256) and the build of Cordon that built it (a fingerprint of the
//! screening code, its tables and the locked dependencies, made by
//! `build.rs`), and it is used only when both are the reader's own; its
//! payload carries its own checksum, and every position in it is checked
//! against the snapshot before use. Anything else, and the index is built
//! again. The payload is encoded with `postcard` (this module is the only
//! one that knows it).

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::keys::KeyTable;
use super::{Alias, HashMap, ListIndex, Post, Tok, WordCache, run_of};
use crate::lists::Snapshot;
use crate::lists::store::StoreError;
use crate::sources::Store;

/// The layout of the stored index; changes when the fields below change.
pub const INDEX_FORMAT: u32 = 1;

/// The first line of a stored index.
const MAGIC: &str = "cordon-list-index";

/// The build of Cordon: see `build.rs`.
const BUILD: &str = env!("CORDON_INDEX_BUILD");

/// What a stored index must have been built from to be used: the format,
/// this build, and the SHA-256 of the snapshot file's bytes.
pub fn index_key(snapshot_bytes: &[u8]) -> String {
    index_key_of(&crate::source::sha256_hex(snapshot_bytes))
}

/// [`index_key`] from the snapshot bytes' SHA-256, in hex, when it is
/// already known.
pub fn index_key_of(snapshot_sha256: &str) -> String {
    format!("format {INDEX_FORMAT} build {BUILD} snapshot sha256:{snapshot_sha256}")
}

/// A token as stored: its strings as positions in the index's word table
/// (a list's aliases share most of their words).
#[derive(Serialize, Deserialize)]
struct StoredTok {
    text: u32,
    spelled: u32,
    sound: u32,
    korean: Option<u32>,
    generic: bool,
    near_generic: bool,
    weight: f64,
}

#[derive(Serialize, Deserialize)]
struct StoredAlias {
    entry: u32,
    name: u16,
    toks: Vec<StoredTok>,
    total: f64,
    bracketed: bool,
    optional: Option<u64>,
    open: u64,
    open_far: f64,
    least: f64,
}

#[derive(Serialize)]
struct Out<'a> {
    entries: u64,
    words: Vec<&'a str>,
    aliases: Vec<StoredAlias>,
    keys: Raw,
    ends: Raw,
    posts: Raw,
    imo: Vec<(&'a String, &'a Vec<u32>)>,
    weights: Vec<(&'a String, &'a f64)>,
    countries: &'a [Vec<String>],
    two_deletes: Raw,
    long_words: &'a [String],
    longest_word: u64,
}

#[derive(Deserialize)]
struct In {
    entries: u64,
    words: Vec<String>,
    aliases: Vec<StoredAlias>,
    keys: Raw,
    ends: Raw,
    posts: Raw,
    imo: Vec<(String, Vec<u32>)>,
    weights: Vec<(String, f64)>,
    countries: Vec<Vec<String>>,
    two_deletes: Raw,
    long_words: Vec<String>,
    longest_word: u64,
}

/// A large array of fixed-size numbers as one run of little-endian bytes:
/// read back with one copy, where a sequence of variable-length integers
/// (postcard's default) took a third of reading the index.
struct Raw(Vec<u8>);

impl Serialize for Raw {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.0)
    }
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Raw, D::Error> {
        struct Bytes;
        impl serde::de::Visitor<'_> for Bytes {
            type Value = Raw;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("bytes")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Raw, E> {
                Ok(Raw(v.to_vec()))
            }
        }
        d.deserialize_bytes(Bytes)
    }
}

impl Raw {
    /// Numbers of `N` bytes each, written by `put`.
    fn of<T, const N: usize>(items: &[T], put: impl Fn(&T) -> [u8; N]) -> Raw {
        Raw(items.iter().flat_map(put).collect())
    }

    /// The numbers back, if the bytes hold a whole number of them.
    fn read<T, const N: usize>(&self, get: impl Fn([u8; N]) -> T) -> Option<Vec<T>> {
        let chunks = self.0.chunks_exact(N);
        if !chunks.remainder().is_empty() {
            return None;
        }
        chunks.map(|c| c.try_into().ok().map(&get)).collect()
    }
}

/// Two numbers' little-endian bytes side by side.
fn pair<const A: usize, const B: usize, const N: usize>(a: [u8; A], b: [u8; B]) -> [u8; N] {
    let mut out = [0u8; N];
    out[..A].copy_from_slice(&a);
    out[A..].copy_from_slice(&b);
    out
}

/// The word table being written: each distinct string once, by first use.
#[derive(Default)]
struct Words<'a> {
    ids: HashMap<&'a str, u32>,
    list: Vec<&'a str>,
}

impl<'a> Words<'a> {
    fn id(&mut self, w: &'a str) -> u32 {
        let next = self.list.len() as u32;
        *self.ids.entry(w).or_insert_with(|| {
            self.list.push(w);
            next
        })
    }
}

/// The aliases in stored form, and the word table they point into.
fn stored_aliases(aliases: &[Alias]) -> (Vec<&str>, Vec<StoredAlias>) {
    let mut words = Words::default();
    let out = aliases
        .iter()
        .map(|a| StoredAlias {
            entry: a.entry,
            name: a.name,
            toks: a
                .toks
                .iter()
                .map(|t| StoredTok {
                    text: words.id(&t.text),
                    spelled: words.id(&t.spelled),
                    sound: words.id(&t.sound),
                    korean: t.korean.as_deref().map(|k| words.id(k)),
                    generic: t.generic,
                    near_generic: t.near_generic,
                    weight: t.weight,
                })
                .collect(),
            total: a.total,
            bracketed: a.bracketed,
            optional: a.optional.map(|i| i as u64),
            open: a.open,
            open_far: a.open_far,
            least: a.least,
        })
        .collect();
    (words.list, out)
}

/// The aliases read back, if every word position is in the table.
fn read_aliases(words: &[String], stored: Vec<StoredAlias>) -> Option<Vec<Alias>> {
    let word = |i: u32| words.get(i as usize).cloned();
    stored
        .into_iter()
        .map(|a| {
            let toks = a
                .toks
                .into_iter()
                .map(|t| {
                    let text = word(t.text)?;
                    Some(Tok {
                        len: text.len(),
                        text,
                        spelled: word(t.spelled)?,
                        sound: word(t.sound)?,
                        korean: match t.korean {
                            Some(k) => Some(word(k)?),
                            None => None,
                        },
                        generic: t.generic,
                        near_generic: t.near_generic,
                        weight: t.weight,
                    })
                })
                .collect::<Option<Vec<Tok>>>()?;
            Some(Alias {
                entry: a.entry,
                name: a.name,
                toks,
                total: a.total,
                bracketed: a.bracketed,
                optional: match a.optional {
                    Some(i) => Some(usize::try_from(i).ok()?),
                    None => None,
                },
                open: a.open,
                open_far: a.open_far,
                least: a.least,
            })
        })
        .collect()
}

/// A map's pairs in key order: the stored bytes do not depend on the
/// order a hash map happens to hold them in.
fn sorted<K: Ord, V>(map: &HashMap<K, V>) -> Vec<(&K, &V)> {
    let mut pairs: Vec<(&K, &V)> = map.iter().collect();
    pairs.sort_unstable_by(|a, b| a.0.cmp(b.0));
    pairs
}

/// The payload's checksum: XXH3-128, which catches a damaged file at
/// memory speed (a SHA-256 of the 23 MB OFAC index took a tenth of a
/// one-name screen). It guards against damage, not against someone who can
/// write the lists folder: they could change the snapshot itself.
fn checksum(payload: &[u8]) -> String {
    format!("xxh3-128:{:032x}", xxhash_rust::xxh3::xxh3_128(payload))
}

/// The stored form of an index built from the snapshot whose
/// [`index_key`] is `key`: three header lines (magic, key, the payload's
/// checksum) and the payload.
pub fn to_bytes(index: &ListIndex, key: &str) -> Vec<u8> {
    let (words, aliases) = stored_aliases(&index.aliases);
    let out = Out {
        entries: index.snapshot.entries.len() as u64,
        words,
        aliases,
        keys: Raw::of(index.postings.keys(), |(k, _)| k.to_le_bytes()),
        ends: Raw::of(index.postings.keys(), |(_, e)| e.to_le_bytes()),
        posts: Raw::of(&index.posts, |p| pair::<4, 2, 6>(p.alias.to_le_bytes(), p.tok.to_le_bytes())),
        imo: sorted(&index.imo),
        weights: sorted(&index.weights),
        countries: &index.countries,
        two_deletes: Raw::of(&index.two_deletes, |(k, w)| pair::<8, 4, 12>(k.to_le_bytes(), w.to_le_bytes())),
        long_words: &index.long_words,
        longest_word: index.longest_word as u64,
    };
    // Serialising plain data to a vector cannot fail; an empty payload would
    // only be refused on reading (its entry count is missing).
    let payload = postcard::to_stdvec(&out).unwrap_or_default();
    let mut bytes = format!("{MAGIC}\n{key}\n{}\n", checksum(&payload)).into_bytes();
    bytes.extend_from_slice(&payload);
    bytes
}

/// A stored index decoded and checked in itself, not yet against its
/// snapshot.
pub struct Decoded {
    entries: u64,
    aliases: Vec<Alias>,
    postings: KeyTable,
    posts: Vec<Post>,
    imo: HashMap<String, Vec<u32>>,
    weights: HashMap<String, f64>,
    countries: Vec<Vec<String>>,
    two_deletes: Vec<(u64, u32)>,
    long_words: Vec<String>,
    longest_word: usize,
}

/// The index stored in `bytes`, decoded, if it was built from the snapshot
/// whose [`index_key`] is `key` by this build, is intact, and every
/// position in it lies inside itself; otherwise `None` (build it again).
/// [`Decoded::into_index`] checks it against the snapshot (decoding can run
/// while the snapshot is parsed).
pub fn decode(bytes: &[u8], key: &str) -> Option<Decoded> {
    let mut lines = bytes.splitn(4, |b| *b == b'\n');
    if lines.next()? != MAGIC.as_bytes() || lines.next()? != key.as_bytes() {
        return None;
    }
    let sum = lines.next()?;
    let payload = lines.next()?;
    if sum != checksum(payload).as_bytes() {
        return None;
    }
    let s: In = postcard::from_bytes(payload).ok()?;
    let aliases = read_aliases(&s.words, s.aliases)?;
    let posts = s.posts.read(|b: [u8; 6]| Post {
        alias: u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
        tok: u16::from_le_bytes([b[4], b[5]]),
    })?;
    let postings = KeyTable::new(s.keys.read(u64::from_le_bytes)?, s.ends.read(u32::from_le_bytes)?)?;
    let two_deletes = s.two_deletes.read(|b: [u8; 12]| {
        (
            u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
            u32::from_le_bytes([b[8], b[9], b[10], b[11]]),
        )
    })?;
    let post_ok = |p: &Post| {
        let (ti, len) = run_of(p.tok);
        aliases.get(p.alias as usize).is_some_and(|a| ti + len <= a.toks.len())
    };
    let inside = aliases.iter().all(|a| a.optional.is_none_or(|i| i < a.toks.len()))
        && posts.iter().all(post_ok)
        && postings.covered() <= posts.len()
        && two_deletes.iter().all(|(_, w)| (*w as usize) < s.long_words.len());
    if !inside {
        return None;
    }
    Some(Decoded {
        entries: s.entries,
        aliases,
        postings,
        posts,
        imo: s.imo.into_iter().collect(),
        weights: s.weights.into_iter().collect(),
        countries: s.countries,
        two_deletes,
        long_words: s.long_words,
        longest_word: usize::try_from(s.longest_word).ok()?,
    })
}

impl Decoded {
    /// The index over `snapshot`, if every entry and name it points to is
    /// in `snapshot`; otherwise `None`. With the checks of [`decode`], no
    /// stored index can make screening look outside the snapshot or the
    /// index (the checksum guards against a damaged file, these against one
    /// written on purpose).
    pub fn into_index(self, snapshot: Arc<Snapshot>) -> Option<ListIndex> {
        let entries = &snapshot.entries;
        let alias_ok = |a: &Alias| entries.get(a.entry as usize).is_some_and(|e| (a.name as usize) < e.names.len());
        let fits = self.entries == entries.len() as u64
            && self.countries.len() == entries.len()
            && self.aliases.iter().all(alias_ok)
            && self.imo.values().flatten().all(|e| (*e as usize) < entries.len());
        if !fits {
            return None;
        }
        let hashes = entries.iter().map(|_| std::sync::OnceLock::new()).collect();
        Some(ListIndex {
            snapshot,
            aliases: self.aliases,
            postings: self.postings,
            posts: self.posts,
            imo: self.imo,
            weights: self.weights,
            hashes,
            countries: self.countries,
            two_deletes: self.two_deletes,
            long_words: self.long_words,
            longest_word: self.longest_word,
            words: WordCache::default(),
        })
    }
}

/// The index stored in `bytes`, if it was built from the snapshot whose
/// [`index_key`] is `key` by this build, is intact, and every position in
/// it lies inside `snapshot` and itself; otherwise `None` (build it again).
pub fn from_bytes(bytes: &[u8], key: &str, snapshot: Arc<Snapshot>) -> Option<ListIndex> {
    decode(bytes, key)?.into_index(snapshot)
}

/// Loads a list's current snapshot from a lists folder with its screening
/// index: the stored one when it was built from exactly these snapshot bytes
/// by this build of Cordon and reads back intact, otherwise one built now
/// and stored for the next time (best effort: in a folder that cannot be
/// written the index is built on every load, which only costs time).
pub fn load(store: &Store, name: &str) -> Result<ListIndex, StoreError> {
    let (path, bytes) = store.read_current(name)?;
    // The snapshot is parsed while the stored index is read and decoded.
    let (snapshot, key, stored) = std::thread::scope(|scope| {
        let stored = scope.spawn(|| {
            let key = index_key(&bytes);
            let stored = store.read_index(name).and_then(|b| decode(&b, &key));
            (key, stored)
        });
        let snapshot = crate::lists::store::from_bytes(&bytes, &path);
        let (key, stored) = stored.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (snapshot, key, stored)
    });
    let snapshot = Arc::new(snapshot?);
    if let Some(index) = stored.and_then(|s| s.into_index(Arc::clone(&snapshot))) {
        return Ok(index);
    }
    let index = ListIndex::new(snapshot);
    // A cache: failing to write it changes nothing but the next load's time.
    let _ = store.write_index(name, &to_bytes(&index, &key));
    Ok(index)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::screen::Query;

    /// The shipped UN Security Council snapshot.
    fn snapshot() -> Arc<Snapshot> {
        let bytes = include_bytes!("../../seeds/lists/UN_SC.json");
        Arc::new(crate::lists::store::from_bytes(bytes, std::path::Path::new("UN_SC.json")).expect("seed reads"))
    }

    /// The UN snapshot, its index, the key it is stored under and the
    /// stored bytes.
    fn stored_un() -> (Arc<Snapshot>, ListIndex, String, Vec<u8>) {
        let snap = snapshot();
        let built = ListIndex::new(Arc::clone(&snap));
        let key = index_key(b"snapshot bytes");
        let bytes = to_bytes(&built, &key);
        (snap, built, key, bytes)
    }

    fn query(name: &str) -> Query {
        Query { name: name.into(), threshold: crate::values::Decimal::new(5, 1), limit: 10, ..Query::default() }
    }

    #[test]
    fn a_stored_index_reads_back_to_the_same_index() {
        let (snap, built, key, bytes) = stored_un();
        let read = from_bytes(&bytes, &key, Arc::clone(&snap)).expect("own index reads back");
        assert!(to_bytes(&read, &key) == bytes, "stored again, the same bytes");
        let names = ["KOREA MINING DEVELOPMENT TRADING CORPORATION", "Komid", "Pak Mun Il", "Tanchon Bank", "Nobody"];
        for name in names {
            let q = query(name);
            let a: Vec<_> = built.screen(&q).into_iter().map(|c| (c.reference, c.score)).collect();
            let b: Vec<_> = read.screen(&q).into_iter().map(|c| (c.reference, c.score)).collect();
            assert_eq!(a, b, "{name}");
            assert!(name == "Nobody" || !a.is_empty(), "{name} finds something");
        }
    }

    #[test]
    fn an_index_of_other_bytes_another_build_or_damaged_is_not_used() {
        let (snap, built, key, bytes) = stored_un();
        assert!(from_bytes(&bytes, &index_key(b"other bytes"), Arc::clone(&snap)).is_none());
        let other_key = key.replacen(BUILD, "0000000000000000", 1);
        assert_ne!(other_key, key);
        let other_build = to_bytes(&built, &other_key);
        assert!(from_bytes(&other_build, &key, Arc::clone(&snap)).is_none());
        assert!(from_bytes(&other_build, &other_key, Arc::clone(&snap)).is_some(), "only the key differed");
        let mut damaged = bytes.clone();
        let last = damaged.len() - 1;
        damaged[last] ^= 1;
        assert!(from_bytes(&damaged, &key, Arc::clone(&snap)).is_none());
        assert!(from_bytes(&bytes[..bytes.len() / 2], &key, Arc::clone(&snap)).is_none());
        assert!(from_bytes(b"", &key, Arc::clone(&snap)).is_none());
    }

    #[test]
    fn a_stored_index_changed_byte_by_byte_never_panics() {
        // Someone who can write the lists folder rewrites the payload and its
        // checksum: whatever decodes must screen without looking outside
        // the snapshot or the index.
        let bytes = include_bytes!("../../seeds/lists/UN_1718_VESSELS.json");
        let snap =
            Arc::new(crate::lists::store::from_bytes(bytes, std::path::Path::new("V.json")).expect("seed reads"));
        let key = index_key(bytes);
        let stored = to_bytes(&ListIndex::new(Arc::clone(&snap)), &key);
        let header = stored.iter().enumerate().filter(|(_, b)| **b == b'\n').nth(2).map_or(0, |(i, _)| i + 1);
        let payload = &stored[header..];
        let mut used = 0;
        for at in (0..payload.len()).step_by(31) {
            for flip in [0x01u8, 0xff] {
                let mut p = payload.to_vec();
                p[at] ^= flip;
                let mut b = format!("{MAGIC}\n{key}\n{}\n", checksum(&p)).into_bytes();
                b.extend_from_slice(&p);
                if let Some(index) = from_bytes(&b, &key, Arc::clone(&snap)) {
                    used += 1;
                    for name in ["BILLIONS NO. 18", "Chon Ma San", "Kum Un San 3", "Jie Shun"] {
                        let _ = index.screen(&query(name));
                    }
                }
            }
        }
        assert!(used > 0, "some changes still decode, and were screened with");
    }

    #[test]
    fn an_index_that_points_outside_its_snapshot_is_not_used() {
        let (snap, _, key, bytes) = stored_un();
        // The same index against a snapshot with fewer entries: its checksum
        // is right, its positions are not.
        let mut fewer = (*snap).clone();
        fewer.entries.truncate(1);
        assert!(from_bytes(&bytes, &key, Arc::new(fewer)).is_none());
    }
}
