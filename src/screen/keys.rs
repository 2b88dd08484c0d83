//! The postings' key table: the distinct keys sorted, each with the end of
//! its run of postings, and a fan-out table on the keys' top bits (as a Git
//! pack index has) so that finding a key reads one or two cache lines. It
//! is built from the sorted postings in one pass and stored as plain arrays
//! (`persist`): reading it back needs no hashing and no inserts, which a
//! hash map of the OFAC list's 450,000 keys spent 30 ms on.

/// Keys (well mixed: see `key`) and their postings' ranges.
#[derive(Debug, Default)]
pub(super) struct KeyTable {
    /// Each key with the end of its run in the postings; a run starts where
    /// the previous key's ends (side by side: a lookup reads one place).
    keys: Vec<(u64, u32)>,
    /// For each value of a key's top `bits` bits, the first key at or after
    /// it; one more slot holds the number of keys.
    fanout: Vec<u32>,
    bits: u32,
}

impl KeyTable {
    /// A table of `keys`, sorted and distinct, with the ends of their runs
    /// (non-decreasing); `None` if they are not.
    pub(super) fn new(keys: Vec<u64>, ends: Vec<u32>) -> Option<KeyTable> {
        if keys.len() != ends.len()
            || u32::try_from(keys.len()).is_err()
            || keys.windows(2).any(|w| w[0] >= w[1])
            || ends.windows(2).any(|w| w[0] > w[1])
        {
            return None;
        }
        // About one key per slot: a lookup scans one or two keys.
        let bits = (usize::BITS - keys.len().leading_zeros()).clamp(4, 24);
        let slots = 1usize << bits;
        let mut fanout = Vec::with_capacity(slots + 1);
        let mut at = 0usize;
        for slot in 0..slots as u64 {
            while keys.get(at).is_some_and(|k| k >> (64 - bits) < slot) {
                at += 1;
            }
            fanout.push(at as u32);
        }
        fanout.push(keys.len() as u32);
        Some(KeyTable { keys: keys.into_iter().zip(ends).collect(), fanout, bits })
    }

    /// The range of postings of key `k`, if it has any.
    pub(super) fn get(&self, k: u64) -> Option<(usize, usize)> {
        let slot = (k >> (64 - self.bits)) as usize;
        let lo = *self.fanout.get(slot)? as usize;
        let hi = *self.fanout.get(slot + 1)? as usize;
        let i = lo + self.keys.get(lo..hi)?.iter().position(|x| x.0 == k)?;
        let start = if i == 0 { 0 } else { self.keys.get(i - 1)?.1 as usize };
        Some((start, self.keys.get(i)?.1 as usize))
    }

    /// The keys, sorted, each with the end of its run.
    pub(super) fn keys(&self) -> &[(u64, u32)] {
        &self.keys
    }

    /// The end of the last run: the number of postings the table covers.
    pub(super) fn covered(&self) -> usize {
        self.keys.last().map_or(0, |e| e.1 as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_finds_its_run_and_no_other_key_finds_one() {
        // Keys spread over the whole range and bunched at both ends.
        let mut keys: Vec<u64> = (0..5000u64).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15)).collect();
        keys.extend([0, 1, 2, u64::MAX - 1, u64::MAX]);
        keys.sort_unstable();
        keys.dedup();
        let ends: Vec<u32> = (1..=keys.len() as u32).map(|i| i * 3).collect();
        let t = KeyTable::new(keys.clone(), ends).expect("sorted");
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(t.get(*k), Some((i * 3, i * 3 + 3)), "key {k}");
        }
        for k in [3u64, 12345, u64::MAX - 2, 1 << 63] {
            if !keys.contains(&k) {
                assert_eq!(t.get(k), None, "key {k}");
            }
        }
        assert_eq!(t.covered(), keys.len() * 3);
    }

    #[test]
    fn an_empty_table_finds_nothing_and_unsorted_keys_are_refused() {
        let t = KeyTable::new(Vec::new(), Vec::new()).expect("empty");
        assert_eq!(t.get(0), None);
        assert_eq!(t.get(u64::MAX), None);
        assert!(KeyTable::new(vec![2, 1], vec![1, 2]).is_none());
        assert!(KeyTable::new(vec![1, 1], vec![1, 2]).is_none());
        assert!(KeyTable::new(vec![1, 2], vec![2, 1]).is_none());
        assert!(KeyTable::new(vec![1, 2], vec![2]).is_none());
    }
}
