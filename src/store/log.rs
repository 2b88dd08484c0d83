//! The decision log: every decision appended with what it was made on (the
//! record's hash, the rule set's and the lists' fingerprints), each entry
//! chained to the one before by SHA-256, so that a deleted, reordered or
//! edited entry is found by [`verify`], which names the first bad one. The
//! chain is computed here, once for every database; the SQL is the store's.

use super::StoreError;

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One decision to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    /// When it was decided (RFC 3339, UTC).
    pub at: String,
    /// Where the record came from: `api`, or an input file and line.
    pub source: String,
    /// The record's id.
    pub record_id: String,
    /// SHA-256 of the record as received.
    pub record_hash: String,
    /// The record itself, when the log keeps records (else only its hash).
    pub record: Option<String>,
    /// `block`, `review`, `pass` or `invalid`.
    pub decision: String,
    /// The rules that gave a finding, `,`-separated, for searching.
    pub rules_hit: String,
    /// The whole result, as `check --format jsonl` writes it.
    pub result: String,
    /// The rule set's fingerprint.
    pub rules: String,
    /// The fingerprints of the list snapshots, `name=sha256` joined by `;`.
    pub lists: String,
    /// A caller's key that makes a retried request the same decision.
    pub idempotency_key: Option<String>,
}

/// A logged decision: its place in the chain and the entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    /// Its position, from 1, without gaps.
    pub seq: i64,
    /// Its id (`D` and the position).
    pub decision_id: String,
    /// The hash of the entry before (or [`GENESIS`]).
    pub prev: String,
    /// Its own hash.
    pub hash: String,
    /// What was logged.
    pub entry: LogEntry,
}

/// Which logged decisions to read.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    /// Only from this time on (RFC 3339 or a date; compared as text).
    pub from: Option<String>,
    /// Only before this time.
    pub to: Option<String>,
    /// Only this decision.
    pub decision: Option<String>,
    /// Only decisions on which this rule gave a finding.
    pub rule: Option<String>,
    /// Only after this position (a cursor).
    pub after: i64,
    /// At most this many.
    pub limit: usize,
}

/// What verifying the chain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogCheck {
    /// Entries read.
    pub entries: u64,
    /// The hash of the last good entry (the chain's head when all is well).
    pub head: String,
    /// The first bad entry and what is wrong with it.
    pub first_bad: Option<(i64, String)>,
}

/// The id of the decision at a position.
pub fn decision_id(seq: i64) -> String {
    format!("D{seq:012}")
}

/// The hash of an entry at `seq` after `prev`: SHA-256 over every field, each
/// on its own line with its length, so no two entries hash alike.
pub fn entry_hash(seq: i64, prev: &str, e: &LogEntry) -> String {
    let mut text = String::with_capacity(e.result.len() + 512);
    let fields: [&str; 12] = [
        &seq.to_string(),
        prev,
        &e.at,
        &e.source,
        &e.record_id,
        &e.record_hash,
        e.record.as_deref().unwrap_or(""),
        &e.decision,
        &e.rules_hit,
        &e.result,
        &e.rules,
        &e.lists,
    ];
    for f in fields {
        text.push_str(&f.len().to_string());
        text.push(':');
        text.push_str(f);
        text.push('\n');
    }
    text.push_str(e.idempotency_key.as_deref().unwrap_or(""));
    crate::source::sha256_hex(text.as_bytes())
}

/// Chains new entries after the head (`last`: the last position and hash).
pub fn chain(last: (i64, String), entries: Vec<LogEntry>) -> Vec<Logged> {
    let (mut seq, mut prev) = last;
    entries
        .into_iter()
        .map(|entry| {
            seq += 1;
            let hash = entry_hash(seq, &prev, &entry);
            Logged { seq, decision_id: decision_id(seq), prev: std::mem::replace(&mut prev, hash.clone()), hash, entry }
        })
        .collect()
}

/// Checks a chain read in order: positions without gaps from 1, each entry's
/// `prev` the hash before it, each hash what its fields give. Stops at the
/// first bad entry.
pub fn verify(entries: impl Iterator<Item = Result<Logged, StoreError>>) -> Result<LogCheck, StoreError> {
    let mut check = LogCheck { entries: 0, head: GENESIS.to_string(), first_bad: None };
    for (expected, l) in (1i64..).zip(entries) {
        let l = l?;
        check.entries += 1;
        let bad = if l.seq != expected {
            Some(if l.seq == expected + 1 {
                format!("entry {expected} is missing (deleted)")
            } else if l.seq > expected {
                format!("entries {expected} to {} are missing (deleted)", l.seq - 1)
            } else {
                format!("position {} is out of order (expected {expected})", l.seq)
            })
        } else if l.prev != check.head {
            Some("its link to the entry before is broken (an entry was removed or reordered)".to_string())
        } else if entry_hash(l.seq, &l.prev, &l.entry) != l.hash {
            Some("its content does not match its hash (the entry was edited)".to_string())
        } else if l.decision_id != decision_id(l.seq) {
            Some("its decision id does not match its position".to_string())
        } else {
            None
        };
        if let Some(why) = bad {
            check.first_bad = Some((l.seq.min(expected), why));
            return Ok(check);
        }
        check.head = l.hash;
    }
    Ok(check)
}

/// Where decisions are logged. An append is one transaction: durable when
/// it returns, whole or not at all.
pub trait DecisionLog {
    /// Appends decisions after the chain's head; returns them as logged. An
    /// entry whose idempotency key is already logged is not appended again:
    /// the earlier decision is returned in its place.
    fn append(&mut self, entries: Vec<LogEntry>) -> Result<Vec<Logged>, StoreError>;

    /// Logged decisions, oldest first, as the filter says.
    fn read(&mut self, filter: &LogFilter) -> Result<Vec<Logged>, StoreError>;

    /// Verifies the whole chain (see [`verify`]).
    fn verify(&mut self) -> Result<LogCheck, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: u32) -> LogEntry {
        LogEntry {
            at: format!("2026-12-05T10:00:{n:02}Z"),
            source: "api".into(),
            record_id: format!("TX-{n}"),
            record_hash: crate::source::sha256_hex(n.to_string().as_bytes()),
            record: None,
            decision: "pass".into(),
            rules_hit: String::new(),
            result: format!("{{\"id\":\"TX-{n}\",\"decision\":\"pass\",\"findings\":[]}}"),
            rules: "r".repeat(64),
            lists: String::new(),
            idempotency_key: None,
        }
    }

    fn checked(chain: &[Logged]) -> LogCheck {
        verify(chain.iter().cloned().map(Ok)).expect("reads")
    }

    #[test]
    fn a_chain_verifies_and_every_kind_of_tampering_is_named() {
        let logged = chain((0, GENESIS.into()), (1..=5).map(entry).collect());
        assert_eq!(logged[0].prev, GENESIS);
        assert_eq!(logged[4].decision_id, "D000000000005");
        let ok = checked(&logged);
        assert_eq!((ok.entries, ok.first_bad.clone(), ok.head.clone()), (5, None, logged[4].hash.clone()));
        // Edited: a pass that was a block.
        let mut edited = logged.clone();
        edited[2].entry.decision = "block".into();
        assert_eq!(checked(&edited).first_bad.map(|b| b.0), Some(3));
        // Deleted in the middle.
        let mut deleted = logged.clone();
        deleted.remove(1);
        let bad = checked(&deleted).first_bad.expect("found");
        assert_eq!(bad.0, 2);
        assert!(bad.1.contains("missing"), "{bad:?}");
        // Deleted and renumbered to hide it: the link breaks.
        let mut renumbered: Vec<Logged> = deleted.clone();
        for (i, l) in renumbered.iter_mut().enumerate() {
            l.seq = i as i64 + 1;
            l.decision_id = decision_id(l.seq);
        }
        assert_eq!(checked(&renumbered).first_bad.map(|b| b.0), Some(2));
        // Reordered.
        let mut reordered = logged.clone();
        reordered.swap(3, 4);
        assert_eq!(checked(&reordered).first_bad.map(|b| b.0), Some(4));
        // Appending continues the chain.
        let more = chain((5, logged[4].hash.clone()), vec![entry(6)]);
        let all: Vec<Logged> = logged.into_iter().chain(more).collect();
        assert_eq!(checked(&all).first_bad, None);
    }
}
