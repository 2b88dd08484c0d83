//! The repeat-id check, as an in-order stage: a record whose id an earlier
//! record of the run already had is counted and named in the summary.

use super::summary::{DuplicateId, DuplicateIds, MAX_DUPLICATE_EXAMPLES, RunSummary};
use super::{InputInfo, Item, Stage, StageError};
use crate::findings::RecordOutcome;
use std::collections::hash_map::Entry;

/// The hash the repeat check remembers a record's id by; `None` when the
/// record has no readable id. Computed on the evaluating cores.
pub(crate) fn id_key(o: &RecordOutcome) -> Option<u64> {
    let id = match o {
        RecordOutcome::Evaluated(e) => e.id.as_str(),
        RecordOutcome::Invalid(i) => i.id.as_deref()?,
    };
    if id.is_empty() {
        return None;
    }
    Some(std::hash::BuildHasher::hash_one(&rustc_hash::FxBuildHasher, id.as_bytes()))
}

/// Most ids remembered for the repeat check by default: 1,835,008 (the
/// table's 2^21 buckets at 7/8 load), about 29 MB at 16 bytes an id at
/// most, so memory stays bounded whatever the input size. Past it, later
/// records are still checked against the ids remembered, but their own ids
/// are not added (counted in [`DuplicateIds::unchecked`]). [`super::RunOptions`] can
/// lower it.
pub const MAX_TRACKED_IDS: usize = (1 << 21) / 8 * 7;

/// Remembers the ids of a run by a 64-bit hash of each (`rustc-hash`'s,
/// whose byte-string hash passes the SMHasher3 suite on its 64-bit output;
/// a fifth of the cost of SipHash on a short id), with where it was
/// first seen packed in 64 bits (file index: 16 bits, line: 48 bits), so
/// 16 bytes a record rather than the ids themselves. Two different ids
/// sharing a hash would be reported as a repeat; with a million ids the
/// chance is about 1 in 30 million, and the report names both lines, so such
/// a report can be checked by eye.
pub(crate) struct IdTracker {
    files: Vec<String>,
    seen: std::collections::HashMap<u64, u64, rustc_hash::FxBuildHasher>,
    /// [`MAX_TRACKED_IDS`] unless the run says otherwise.
    cap: usize,
    dups: DuplicateIds,
}

impl Default for IdTracker {
    fn default() -> Self {
        IdTracker { files: Vec::new(), seen: Default::default(), cap: MAX_TRACKED_IDS, dups: DuplicateIds::default() }
    }
}

impl IdTracker {
    pub(crate) fn with_cap(cap: usize) -> Self {
        IdTracker { cap, ..IdTracker::default() }
    }

    /// Makes room for `records` more ids (never past the cap) in one step:
    /// growing a table of a million ids by doubling moves every id several
    /// times and touches fresh memory at each step.
    pub(crate) fn expect(&mut self, records: usize) {
        let room = self.cap.saturating_sub(self.seen.len()).min(records);
        self.seen.reserve(room);
    }

    /// The records of one piece of work, in order, in one tight loop: the
    /// table's cache misses for consecutive records then overlap instead of
    /// waiting behind every other stage's work for each record.
    pub(crate) fn see_all<'o>(&mut self, records: impl Iterator<Item = (Option<u64>, &'o RecordOutcome)>) {
        for (key, o) in records {
            self.see(key, o);
        }
    }

    fn see(&mut self, key: Option<u64>, o: &RecordOutcome) {
        let dups = &mut self.dups;
        let Some(key) = key else { return };
        let (id, line) = match o {
            RecordOutcome::Evaluated(e) => (e.id.as_str(), e.line),
            RecordOutcome::Invalid(i) => (i.id.as_deref().unwrap_or_default(), i.line),
        };
        let file = self.files.len().saturating_sub(1);
        const LINE_BITS: u32 = 48;
        // One probe of the table per record (it is tens of megabytes: each
        // probe is a cache miss). A full table is only looked in: `entry`
        // makes room for one more first, which would double the table.
        let found = if self.seen.len() >= self.cap {
            self.seen.get(&key).copied().ok_or(None)
        } else {
            match self.seen.entry(key) {
                Entry::Occupied(o) => Ok(*o.get()),
                Entry::Vacant(v) => Err(Some(v)),
            }
        };
        let first = match found {
            Ok(first) => first,
            Err(Some(vacant)) => {
                let file_bits = (file as u64).min((1 << (64 - LINE_BITS)) - 1);
                vacant.insert(file_bits << LINE_BITS | line.min((1 << LINE_BITS) - 1));
                return;
            }
            Err(None) => {
                dups.unchecked += 1;
                return;
            }
        };
        dups.records += 1;
        if dups.examples.len() < MAX_DUPLICATE_EXAMPLES {
            let name = |f: u64| self.files.get(f as usize).cloned().unwrap_or_default();
            dups.examples.push(DuplicateId {
                id: id.to_string(),
                file: name(file as u64),
                line,
                first_file: name(first >> LINE_BITS),
                first_line: first & ((1 << LINE_BITS) - 1),
            });
        }
    }
}

impl Stage for IdTracker {
    fn begin_input(&mut self, input: &InputInfo<'_>) -> Result<(), StageError> {
        self.files.push(input.name().to_string());
        Ok(())
    }

    fn record(&mut self, item: &Item<'_>) -> Result<(), StageError> {
        self.see(item.id_hash, item.outcome());
        Ok(())
    }

    fn finish(&mut self, summary: &mut RunSummary) -> Result<(), StageError> {
        summary.duplicate_ids = std::mem::take(&mut self.dups);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::Invalid;

    fn rec(id: &str, line: u64) -> RecordOutcome {
        RecordOutcome::Invalid(Invalid { file: 0, line, id: Some(id.into()), date: None, errors: Vec::new() })
    }

    #[test]
    fn ids_shaped_as_files_number_them_do_not_share_a_hash() {
        // A counter after a long prefix, one before a suffix, and numbers
        // of every length: a hash that reads only part of an id, or mixes
        // its bytes poorly, makes repeats of ids that are not.
        let key = |id: &str| id_key(&rec(id, 2)).expect("an id");
        let mut seen = std::collections::HashSet::new();
        for n in 0..100_000u32 {
            for id in [format!("TX{n:09}"), format!("SYN-{n:08}-2024-DE"), format!("{n}"), format!("INV/2024/{n:x}")] {
                assert!(seen.insert(key(&id)), "`{id}` shares a hash with an earlier id");
            }
        }
        assert_eq!(key("A"), key("A"));
    }

    #[test]
    fn a_full_table_does_not_grow() {
        let mut t = IdTracker::with_cap(3);
        t.files.push("a.csv".into());
        for (i, id) in ["A", "B", "C"].iter().enumerate() {
            let r = rec(id, i as u64 + 2);
            t.see(id_key(&r), &r);
        }
        let capacity = t.seen.capacity();
        for line in 5..1000 {
            let r = rec(&format!("X{line}"), line);
            t.see(id_key(&r), &r);
        }
        let again = rec("B", 1000);
        t.see(id_key(&again), &again);
        assert_eq!(t.seen.capacity(), capacity, "the table grew past its cap");
        assert_eq!((t.dups.records, t.dups.unchecked), (1, 995));
    }

    #[test]
    fn room_made_ahead_never_passes_the_cap() {
        let mut t = IdTracker::with_cap(3);
        t.expect(1_000_000);
        assert!(t.seen.capacity() < 64, "{}", t.seen.capacity());
        let mut t = IdTracker::with_cap(MAX_TRACKED_IDS);
        t.expect(100_000);
        assert!(t.seen.capacity() >= 100_000);
    }

    #[test]
    fn repeats_name_both_places_across_files_and_the_cap_bounds_what_is_remembered() {
        let mut t = IdTracker::with_cap(3);
        t.files.push("a.csv".into());
        for (id, line) in [("A", 2), ("B", 3), ("A", 4), ("", 5)] {
            let r = rec(id, line);
            t.see(id_key(&r), &r);
        }
        t.files.push("b.csv".into());
        for (id, line) in [("C", 2), ("D", 3), ("D", 4), ("B", 5)] {
            let r = rec(id, line);
            t.see(id_key(&r), &r);
        }
        let d = &t.dups;
        // A repeats in a.csv; B repeats across files; D comes after the cap
        // (A, B, C remembered), so its repeat is not found and both are unchecked.
        assert_eq!(d.records, 2);
        assert_eq!(d.unchecked, 2);
        let places: Vec<_> = d
            .examples
            .iter()
            .map(|e| (e.id.as_str(), e.file.as_str(), e.line, e.first_file.as_str(), e.first_line))
            .collect();
        assert_eq!(places, [("A", "a.csv", 4, "a.csv", 2), ("B", "b.csv", 5, "a.csv", 3)]);
    }
}
