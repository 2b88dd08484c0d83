//! Cleared matches: screening matches a person reviewed and found to be
//! false positives. A clearance names the screened name, the list entry and a
//! hash of the entry's content; it suppresses that pair as long as the entry
//! is unchanged, and stops applying the moment the list changes the entry.

use std::collections::HashMap;

use super::normalize::tokens;
use crate::config::ReviewedMatch;

/// The clearances of a run.
#[derive(Debug, Clone, Default)]
pub struct Clearances {
    /// The reviewed-matches file, as shown in reports.
    pub file: Option<String>,
    /// Its SHA-256.
    pub sha256: Option<String>,
    /// The clearances, in file order.
    pub entries: Vec<ReviewedMatch>,
    by_key: HashMap<(String, String, String), Vec<usize>>,
}

/// What a clearance says about one screening match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cleared {
    /// No clearance for this pair.
    No,
    /// Cleared: suppress it (index of the clearance).
    Yes(usize),
    /// A clearance exists but the entry has changed since: it does not apply.
    Stale(usize),
}

/// The key names are compared by: normalised tokens.
pub fn name_key(name: &str) -> String {
    tokens(name).into_iter().map(|t| t.text).collect::<Vec<_>>().join(" ")
}

impl Clearances {
    /// Clearances from a reviewed-matches file.
    pub fn new(file: Option<String>, sha256: Option<String>, entries: Vec<ReviewedMatch>) -> Clearances {
        let mut by_key: HashMap<(String, String, String), Vec<usize>> = HashMap::new();
        for (i, m) in entries.iter().enumerate() {
            by_key.entry((m.list.clone(), m.reference.clone(), name_key(&m.name))).or_default().push(i);
        }
        Clearances { file, sha256, entries, by_key }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Looks up a match of `name` against entry `reference` of `list`, whose
    /// content hash is now `entry_hash`.
    pub fn check(&self, name: &str, list: &str, reference: &str, entry_hash: &str) -> Cleared {
        if self.entries.is_empty() {
            return Cleared::No;
        }
        let Some(ids) = self.by_key.get(&(list.to_string(), reference.to_string(), name_key(name))) else {
            return Cleared::No;
        };
        match ids.iter().find(|i| self.entries[**i].entry_hash == entry_hash) {
            Some(i) => Cleared::Yes(*i),
            None => Cleared::Stale(ids[0]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clearance_holds_until_the_entry_changes() {
        let m = ReviewedMatch {
            name: "Korea Kwangson Banking Corp".into(),
            list: "UN_SC".into(),
            reference: "KPe.025".into(),
            entry_hash: "aaaa".into(),
            reviewer: "A. Auditor".into(),
            reason: "a different bank".into(),
            date: "2026-11-20".into(),
            line: 2,
        };
        let c = Clearances::new(None, None, vec![m]);
        assert_eq!(c.check("KOREA KWANGSON BANKING CORPORATION", "UN_SC", "KPe.025", "aaaa"), Cleared::Yes(0));
        assert_eq!(c.check("Korea Kwangson Banking Corp", "UN_SC", "KPe.025", "bbbb"), Cleared::Stale(0));
        assert_eq!(c.check("Korea Kwangson Banking Corp", "OFAC_SDN", "KPe.025", "aaaa"), Cleared::No);
        assert_eq!(c.check("Another Bank", "UN_SC", "KPe.025", "aaaa"), Cleared::No);
    }
}
