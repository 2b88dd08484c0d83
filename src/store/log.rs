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

/// How an append answers one entry: the decision logged before under its
/// idempotency key, or the n-th of the entries it chains.
#[derive(Debug)]
pub enum Answer {
    /// Logged before.
    Earlier(Box<Logged>),
    /// The n-th new entry.
    Fresh(usize),
}

/// Splits an append into the entries to chain and how to answer each: a
/// retried request (its key logged already, as `find` says) is the decision
/// logged before; a key given twice in one append is one decision.
pub fn dedupe(
    entries: Vec<LogEntry>,
    mut find: impl FnMut(&str) -> Result<Option<Logged>, StoreError>,
) -> Result<(Vec<Answer>, Vec<LogEntry>), StoreError> {
    let mut answers = Vec::with_capacity(entries.len());
    let mut fresh: Vec<LogEntry> = Vec::new();
    let mut fresh_keys: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for e in entries {
        if let Some(k) = e.idempotency_key.clone() {
            if let Some(l) = find(&k)? {
                answers.push(Answer::Earlier(Box::new(l)));
                continue;
            }
            if let Some(i) = fresh_keys.get(&k) {
                answers.push(Answer::Fresh(*i));
                continue;
            }
            fresh_keys.insert(k, fresh.len());
        }
        answers.push(Answer::Fresh(fresh.len()));
        fresh.push(e);
    }
    Ok((answers, fresh))
}

/// The logged decision for each entry of an append, in its order.
pub fn answered(answers: Vec<Answer>, logged: &[Logged]) -> Vec<Logged> {
    answers
        .into_iter()
        .filter_map(|a| match a {
            Answer::Earlier(l) => Some(*l),
            Answer::Fresh(i) => logged.get(i).cloned(),
        })
        .collect()
}

/// Checks a chain read in order: positions without gaps from 1, each entry's
/// `prev` the hash before it, each hash what its fields give. Stops at the
/// first bad entry.
pub fn verify(entries: impl Iterator<Item = Result<Logged, StoreError>>) -> Result<LogCheck, StoreError> {
    verify_from((0, GENESIS.to_string()), entries)
}

/// Like [`verify`], for a chain that continues after `start` (the position
/// and hash of the last entry before it: an exported and pruned prefix, or
/// the entry before a segment).
pub fn verify_from(
    start: (i64, String),
    entries: impl Iterator<Item = Result<Logged, StoreError>>,
) -> Result<LogCheck, StoreError> {
    let mut check = LogCheck { entries: 0, head: start.1, first_bad: None };
    for (expected, l) in (start.0 + 1..).zip(entries) {
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

/// An exported segment of the log, as the log records it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Export {
    /// The first position in it.
    pub from_seq: i64,
    /// The last position in it.
    pub to_seq: i64,
    /// The hash of the entry before it (or [`GENESIS`]).
    pub prev: String,
    /// The hash of its last entry: the chain's head at its end.
    pub head: String,
    /// It holds the entries decided before this time.
    pub until: String,
    /// When it was written.
    pub exported_at: String,
    /// SHA-256 of the segment file.
    pub file_sha256: String,
    /// Whether its entries have been removed from the log (`cordon log prune`).
    pub pruned: bool,
}

/// Where decisions are logged. An append is one transaction: durable when
/// it returns, whole or not at all; appends are serialised, so however many
/// processes write, the log is one chain.
pub trait DecisionLog: Send {
    /// Appends decisions after the chain's head; returns them as logged. An
    /// entry whose idempotency key is already logged is not appended again:
    /// the earlier decision is returned in its place.
    fn append(&mut self, entries: Vec<LogEntry>) -> Result<Vec<Logged>, StoreError>;

    /// Logged decisions, oldest first, as the filter says.
    fn read(&mut self, filter: &LogFilter) -> Result<Vec<Logged>, StoreError>;

    /// Verifies the chain still in the log, from the last pruned export's
    /// head (see [`verify_from`]).
    fn verify(&mut self) -> Result<LogCheck, StoreError>;

    /// The exported segments, oldest first.
    fn exports(&mut self) -> Result<Vec<Export>, StoreError>;

    /// Records an exported segment (after its file is written).
    fn record_export(&mut self, export: &Export) -> Result<(), StoreError>;

    /// Removes the entries of every exported segment; returns how many. The
    /// chain then starts from the last exported head.
    fn prune(&mut self) -> Result<u64, StoreError>;

    /// The log, for messages (`sqlite:PATH`, or the PostgreSQL URL without
    /// its password).
    fn describe(&self) -> String;
}

/// Where the chain in the log starts: after the last pruned segment.
pub fn checkpoint(exports: &[Export]) -> (i64, String) {
    exports
        .iter()
        .filter(|e| e.pruned)
        .max_by_key(|e| e.to_seq)
        .map_or((0, GENESIS.to_string()), |e| (e.to_seq, e.head.clone()))
}

/// Entries read per query while exporting.
const PAGE: usize = 10_000;

/// A segment of the log written for retention (`cordon log export`).
#[derive(Debug, Clone)]
pub struct Segment {
    /// What the log records of it (its file's hash once written).
    pub export: Export,
    /// The segment file: a header line, then one JSON line per entry.
    pub bytes: Vec<u8>,
}

/// The header line of a segment file.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SegmentHeader {
    cordon_log_segment: u32,
    from_seq: i64,
    to_seq: i64,
    entries: u64,
    prev: String,
    head: String,
    until: String,
    exported_at: String,
    log: String,
    /// HMAC-SHA256 over the seal (see [`seal`]), when a key signed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hmac: Option<String>,
}

/// One entry of a segment file.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SegmentEntry {
    seq: i64,
    decision_id: String,
    prev: String,
    hash: String,
    at: String,
    source: String,
    record_id: String,
    record_hash: String,
    record: Option<String>,
    decision: String,
    rules_hit: String,
    result: String,
    rules: String,
    lists: String,
    idempotency_key: Option<String>,
}

/// What a segment's signature covers: its span, the hash before it and its
/// head (which chains every entry in it).
fn seal(h: &SegmentHeader) -> String {
    format!("cordon-log-segment|{}|{}|{}|{}|{}", h.from_seq, h.to_seq, h.entries, h.prev, h.head)
}

fn hmac_hex(key: &[u8], text: &str) -> String {
    use hmac::Mac;
    // HMAC takes a key of any length.
    let mut mac = match hmac::Hmac::<sha2::Sha256>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(text.as_bytes());
    crate::source::hex(&mac.finalize().into_bytes())
}

/// Builds the next segment: the entries after the last export, up to the
/// first decided at or after `until` (a segment is a whole stretch of the
/// chain), verified before it is written, signed with `key` when given.
/// `None` when there is nothing to export.
pub fn export(
    log: &mut dyn DecisionLog,
    until: &str,
    exported_at: &str,
    key: Option<&[u8]>,
) -> Result<Option<Segment>, StoreError> {
    let exports = log.exports()?;
    let start =
        exports.iter().max_by_key(|e| e.to_seq).map_or((0, GENESIS.to_string()), |e| (e.to_seq, e.head.clone()));
    let mut taken: Vec<Logged> = Vec::new();
    let mut after = start.0;
    'pages: loop {
        let page = log.read(&LogFilter { after, limit: PAGE, ..LogFilter::default() })?;
        let full = page.len() == PAGE;
        for l in page {
            if l.entry.at.as_str() >= until {
                break 'pages;
            }
            after = l.seq;
            taken.push(l);
        }
        if !full {
            break;
        }
    }
    let check = verify_from(start.clone(), taken.iter().cloned().map(Ok))?;
    if let Some((seq, why)) = check.first_bad {
        return Err(StoreError::Io {
            path: log.describe(),
            reason: format!("entry {seq} is bad ({why}); a broken chain is not exported"),
        });
    }
    let (Some(first), Some(last)) = (taken.first(), taken.last()) else { return Ok(None) };
    let mut header = SegmentHeader {
        cordon_log_segment: 1,
        from_seq: first.seq,
        to_seq: last.seq,
        entries: taken.len() as u64,
        prev: start.1,
        head: last.hash.clone(),
        until: until.to_string(),
        exported_at: exported_at.to_string(),
        log: log.describe(),
        hmac: None,
    };
    header.hmac = key.map(|k| hmac_hex(k, &seal(&header)));
    let io = |e: serde_json::Error| StoreError::Io { path: "segment".into(), reason: e.to_string() };
    let mut bytes = serde_json::to_vec(&header).map_err(io)?;
    bytes.push(b'\n');
    for l in &taken {
        let e = &l.entry;
        let line = SegmentEntry {
            seq: l.seq,
            decision_id: l.decision_id.clone(),
            prev: l.prev.clone(),
            hash: l.hash.clone(),
            at: e.at.clone(),
            source: e.source.clone(),
            record_id: e.record_id.clone(),
            record_hash: e.record_hash.clone(),
            record: e.record.clone(),
            decision: e.decision.clone(),
            rules_hit: e.rules_hit.clone(),
            result: e.result.clone(),
            rules: e.rules.clone(),
            lists: e.lists.clone(),
            idempotency_key: e.idempotency_key.clone(),
        };
        serde_json::to_writer(&mut bytes, &line).map_err(io)?;
        bytes.push(b'\n');
    }
    let export = Export {
        from_seq: header.from_seq,
        to_seq: header.to_seq,
        prev: header.prev,
        head: header.head,
        until: header.until,
        exported_at: header.exported_at,
        file_sha256: crate::source::sha256_hex(&bytes),
        pruned: false,
    };
    Ok(Some(Segment { export, bytes }))
}

/// What verifying a segment file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentCheck {
    /// Its span.
    pub from_seq: i64,
    /// Its last position.
    pub to_seq: i64,
    /// The hash before it.
    pub prev: String,
    /// The chain as verified (its head, or the first bad entry).
    pub check: LogCheck,
    /// Whether the segment is signed.
    pub signed: bool,
    /// Whether its signature was checked: `Some(true)` good, `Some(false)`
    /// wrong (or missing where a key was given), `None` not checked.
    pub signature: Option<bool>,
    /// Problems with the file itself (its header, its count, its head).
    pub problems: Vec<String>,
}

/// Verifies a segment file on its own: every entry chained from the hash
/// before it, the count and head its header states, and its signature when
/// `key` is given.
pub fn verify_segment(bytes: &[u8], key: Option<&[u8]>) -> Result<SegmentCheck, String> {
    let mut lines = bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty());
    let first = lines.next().ok_or("the file is empty")?;
    let header: SegmentHeader =
        serde_json::from_slice(first).map_err(|e| format!("line 1 is not a segment header: {e}"))?;
    let mut entries = Vec::new();
    for (i, line) in lines.enumerate() {
        let e: SegmentEntry =
            serde_json::from_slice(line).map_err(|e| format!("line {} is not a logged entry: {e}", i + 2))?;
        entries.push(Logged {
            seq: e.seq,
            decision_id: e.decision_id,
            prev: e.prev,
            hash: e.hash,
            entry: LogEntry {
                at: e.at,
                source: e.source,
                record_id: e.record_id,
                record_hash: e.record_hash,
                record: e.record,
                decision: e.decision,
                rules_hit: e.rules_hit,
                result: e.result,
                rules: e.rules,
                lists: e.lists,
                idempotency_key: e.idempotency_key,
            },
        });
    }
    let check = verify_from((header.from_seq - 1, header.prev.clone()), entries.into_iter().map(Ok))
        .map_err(|e| e.to_string())?;
    let mut problems = Vec::new();
    if check.first_bad.is_none() {
        if check.entries != header.entries {
            problems.push(format!("the header says {} entries, the file holds {}", header.entries, check.entries));
        }
        if check.head != header.head {
            problems.push(format!("the header's head {} is not the chain's head {}", header.head, check.head));
        }
    }
    let signature = match (key, &header.hmac) {
        (Some(k), Some(mac)) => Some(hmac_hex(k, &seal(&header)) == *mac),
        (Some(_), None) => Some(false),
        (None, _) => None,
    };
    Ok(SegmentCheck {
        from_seq: header.from_seq,
        to_seq: header.to_seq,
        prev: header.prev,
        check,
        signed: header.hmac.is_some(),
        signature,
        problems,
    })
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

    /// A log in memory, for the export functions.
    #[derive(Default)]
    struct Memory {
        entries: Vec<Logged>,
        exports: Vec<Export>,
    }

    impl DecisionLog for Memory {
        fn append(&mut self, entries: Vec<LogEntry>) -> Result<Vec<Logged>, StoreError> {
            let head = self.entries.last().map_or((0, GENESIS.to_string()), |l| (l.seq, l.hash.clone()));
            let logged = chain(head, entries);
            self.entries.extend(logged.iter().cloned());
            Ok(logged)
        }
        fn read(&mut self, f: &LogFilter) -> Result<Vec<Logged>, StoreError> {
            let limit = if f.limit == 0 { usize::MAX } else { f.limit };
            Ok(self.entries.iter().filter(|l| l.seq > f.after).take(limit).cloned().collect())
        }
        fn verify(&mut self) -> Result<LogCheck, StoreError> {
            verify_from(checkpoint(&self.exports), self.entries.iter().cloned().map(Ok))
        }
        fn exports(&mut self) -> Result<Vec<Export>, StoreError> {
            Ok(self.exports.clone())
        }
        fn record_export(&mut self, x: &Export) -> Result<(), StoreError> {
            self.exports.push(x.clone());
            Ok(())
        }
        fn prune(&mut self) -> Result<u64, StoreError> {
            let upto = self.exports.iter().map(|x| x.to_seq).max().unwrap_or(0);
            let before = self.entries.len();
            self.entries.retain(|l| l.seq > upto);
            self.exports.iter_mut().for_each(|x| x.pruned = true);
            Ok((before - self.entries.len()) as u64)
        }
        fn describe(&self) -> String {
            "memory".into()
        }
    }

    #[test]
    fn segments_stop_at_the_first_later_entry_verify_alone_and_carry_the_chain_over_a_prune() {
        let mut log = Memory::default();
        // Entries 1–3 are before :04; a later entry ends the segment even if
        // an earlier-stamped one (a long run's) follows it.
        let mut entries: Vec<LogEntry> = (1..=6).map(entry).collect();
        entries[4].at = "2026-12-05T10:00:01Z".into();
        log.append(entries).unwrap();
        let seg = export(&mut log, "2026-12-05T10:00:04Z", "now", Some(b"key")).unwrap().unwrap();
        assert_eq!((seg.export.from_seq, seg.export.to_seq), (1, 3));
        log.record_export(&seg.export).unwrap();
        let alone = verify_segment(&seg.bytes, Some(b"key")).unwrap();
        assert_eq!((alone.check.first_bad.clone(), alone.signature, alone.problems.len()), (None, Some(true), 0));
        assert_eq!(verify_segment(&seg.bytes, Some(b"other")).unwrap().signature, Some(false));
        // A header that lies about its count or head is named.
        let text = String::from_utf8(seg.bytes.clone()).unwrap().replacen("\"entries\":3", "\"entries\":2", 1);
        assert!(!verify_segment(text.as_bytes(), None).unwrap().problems.is_empty());
        assert_eq!(log.prune().unwrap(), 3);
        let after = log.verify().unwrap();
        assert_eq!((after.entries, after.first_bad), (3, None));
        // The next segment starts where the last ended.
        let next = export(&mut log, "2027-01-01", "now", None).unwrap().unwrap();
        assert_eq!((next.export.from_seq, next.export.prev.as_str()), (4, seg.export.head.as_str()));
        log.record_export(&next.export).unwrap();
        assert!(export(&mut log, "2027-01-01", "now", None).unwrap().is_none(), "nothing left to export");
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
