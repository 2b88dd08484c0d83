//! Where a report keeps its flagged records. A report lists every record
//! decided block or review, and a large input can flag millions: held in
//! memory, they made `cordon report` grow with its input (red team H8). So
//! the model can hold all of them (the default, for small runs and the
//! library), only the first few in report order (the PDF lists no more), or
//! none, writing them as they arrive to temporary files read back in order
//! when the report is written (JSON and CSV): memory then stays flat however
//! many records are flagged.
//!
//! Report order is most severe decision first, then input order. Records come
//! from a run in input order, so each decision's records are kept in order as
//! they arrive and the decisions are read one after another.

use std::io::{self, BufRead, BufReader, BufWriter, Seek, Write};
use std::sync::{Arc, Mutex};

use crate::atomic::Scratch;
use crate::findings::Decision;

use super::model::FlaggedRecord;

/// How a report keeps the records it flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Keep {
    /// Every flagged record, in memory (sorted into report order at the end,
    /// whatever order they came in).
    #[default]
    All,
    /// The first `n` flagged records in report order, in memory; the others
    /// are counted only. For renderings that list no more (the PDF). Records
    /// must come in input order, as a run hands them.
    First(usize),
    /// Every flagged record, in temporary files, none in memory: for
    /// renderings that list all of them (JSON, CSV). Records must come in
    /// input order, as a run hands them.
    Spill,
}

/// The decisions in report order: the index of a decision's bucket.
fn bucket(d: Decision) -> usize {
    match d {
        Decision::Block => 0,
        Decision::Review => 1,
        Decision::Pass => 2,
    }
}

/// The flagged records of one decision, in the order they came.
#[derive(Default)]
struct Bucket {
    /// Held in memory, with their file and line (for [`Keep::All`]'s sort).
    held: Vec<(usize, u64, FlaggedRecord)>,
    /// How many came.
    count: u64,
    /// The temporary file, for [`Keep::Spill`].
    spill: Option<BufWriter<Scratch>>,
}

/// The flagged records of a report as they are collected.
pub(crate) struct Flagged {
    keep: Keep,
    buckets: [Bucket; 3],
    /// The first write to a temporary file that failed: no more are written,
    /// and reading the records fails with it.
    failed: Option<io::Error>,
}

/// Says which file an error concerns.
fn store_error(e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("the report's temporary file of flagged records: {e}"))
}

impl Flagged {
    /// Nothing collected yet.
    pub(crate) fn new(keep: Keep) -> Flagged {
        Flagged { keep, buckets: Default::default(), failed: None }
    }

    /// Takes one flagged record (`file` is its input's index).
    pub(crate) fn push(&mut self, decision: Decision, file: usize, line: u64, r: FlaggedRecord) {
        let b = &mut self.buckets[bucket(decision)];
        b.count += 1;
        match self.keep {
            Keep::All => b.held.push((file, line, r)),
            // The first `n` of any decision are all a report of `n` can list.
            Keep::First(n) => {
                if b.held.len() < n {
                    b.held.push((file, line, r));
                }
            }
            Keep::Spill if self.failed.is_none() => {
                if let Err(e) = spill(&mut b.spill, &r) {
                    self.failed = Some(store_error(e));
                }
            }
            Keep::Spill => {}
        }
    }

    /// The first write to a temporary file that failed, if one did.
    pub(crate) fn failed(&self) -> Option<&io::Error> {
        self.failed.as_ref()
    }

    /// The records to list, in report order, and the rest after them.
    pub(crate) fn finish(mut self) -> (Vec<FlaggedRecord>, MoreFindings) {
        let total: u64 = self.buckets.iter().map(|b| b.count).sum();
        let mut held = Vec::new();
        let mut parts = Vec::new();
        for mut b in self.buckets {
            if self.keep == Keep::All {
                // Stable: records on one line of one file keep the order they came in.
                b.held.sort_by_key(|(file, line, _)| (*file, *line));
            }
            held.extend(b.held.into_iter().map(|(_, _, r)| r));
            if let Some(w) = b.spill.filter(|_| self.failed.is_none()) {
                match w.into_inner().map_err(|e| e.into_error()) {
                    Ok(file) => parts.push((Mutex::new(file), b.count)),
                    Err(e) => self.failed = Some(store_error(e)),
                }
            }
        }
        if let Keep::First(n) = self.keep {
            held.truncate(n);
        }
        let store = match self.failed {
            Some(e) => Some(Err((e.kind(), e.to_string()))),
            None => (self.keep == Keep::Spill).then(|| Ok(Arc::new(Store { parts }))),
        };
        let count = total - held.len() as u64;
        (held, MoreFindings { count, store })
    }
}

/// Writes one record to its decision's temporary file, made on first use:
/// one JSON object a line (JSON escapes every line break in its strings).
fn spill(w: &mut Option<BufWriter<Scratch>>, r: &FlaggedRecord) -> io::Result<()> {
    let w = match w {
        Some(w) => w,
        None => w.insert(BufWriter::with_capacity(1 << 16, Scratch::new()?)),
    };
    serde_json::to_writer(&mut *w, r).map_err(io::Error::other)?;
    w.write_all(b"\n")
}

/// The flagged records of a report after those it holds
/// ([`Report::findings`](super::Report::findings)): how many, and where they
/// are when they were kept ([`Keep::Spill`]).
#[derive(Debug, Clone, Default)]
pub struct MoreFindings {
    count: u64,
    /// The temporary files, or why they could not be written; none when
    /// the records were counted only.
    store: Option<Result<Arc<Store>, (io::ErrorKind, String)>>,
}

/// Temporary files of flagged records, one per decision, in report order:
/// each file's records one JSON object a line, and how many.
#[derive(Debug)]
struct Store {
    parts: Vec<(Mutex<Scratch>, u64)>,
}

impl MoreFindings {
    /// `count` records counted, not kept.
    pub fn counted(count: u64) -> MoreFindings {
        MoreFindings { count, store: None }
    }

    /// How many flagged records come after those the report holds.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Whether they were kept to be read ([`MoreFindings::for_each`]): there
    /// are none, or they were written to temporary files.
    pub fn kept(&self) -> bool {
        self.count == 0 || self.store.is_some()
    }

    /// Calls `f` on each, in report order.
    pub fn for_each(&self, f: &mut dyn FnMut(FlaggedRecord) -> io::Result<()>) -> io::Result<()> {
        if self.count == 0 {
            return Ok(());
        }
        let store = match &self.store {
            Some(Ok(store)) => store,
            Some(Err((kind, message))) => return Err(io::Error::new(*kind, message.clone())),
            None => {
                return Err(io::Error::other(format!(
                    "the report holds only its first flagged records; {} more were counted, not kept",
                    self.count
                )));
            }
        };
        let mut line = Vec::new();
        for (file, count) in &store.parts {
            let mut file = file.lock().unwrap_or_else(|p| p.into_inner());
            file.rewind().map_err(store_error)?;
            let mut reader = BufReader::with_capacity(1 << 16, &mut *file);
            let mut read = 0u64;
            loop {
                line.clear();
                if reader.read_until(b'\n', &mut line).map_err(store_error)? == 0 {
                    break;
                }
                let r: FlaggedRecord = serde_json::from_slice(&line).map_err(|e| store_error(io::Error::other(e)))?;
                read += 1;
                f(r)?;
            }
            if read != *count {
                return Err(store_error(io::Error::other(format!("it holds {read} records of {count}"))));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::ReportFinding;

    fn record(id: &str, decision: Decision) -> FlaggedRecord {
        FlaggedRecord {
            id: id.into(),
            file: "in.csv".into(),
            line: 0,
            date: "2018-03-01".into(),
            decision: decision.name().into(),
            seller: Some("Line\nbreak “quoted” \u{1F600}".into()),
            buyer: None,
            origin: Some("KP".into()),
            destination: None,
            route: None,
            vessel: None,
            hs_code: Some("2701.12".into()),
            description: None,
            quantity: None,
            value: None,
            license: None,
            classification: None,
            findings: vec![ReportFinding {
                rule: "R".into(),
                title: "T".into(),
                regime: "G".into(),
                citation: "C".into(),
                severity: decision.name().into(),
                outcome: "violation".into(),
                message: "m".into(),
                // Not in key order: read back as written.
                evidence: vec![("origin".into(), "KP".into()), ("hs_code".into(), "2701.12".into())],
                matches: vec![],
                basis: Default::default(),
                disposition: None,
            }],
        }
    }

    /// Blocks and reviews interleaved, in input order (line = position).
    fn collect(keep: Keep, decisions: &[Decision]) -> (Vec<FlaggedRecord>, MoreFindings) {
        let mut f = Flagged::new(keep);
        for (i, d) in decisions.iter().enumerate() {
            f.push(*d, 0, i as u64, record(&format!("{}{i}", d.name()), *d));
        }
        assert!(f.failed().is_none());
        f.finish()
    }

    fn json(rs: &[FlaggedRecord]) -> String {
        serde_json::to_string(rs).unwrap()
    }

    const MIXED: [Decision; 7] = [
        Decision::Review,
        Decision::Block,
        Decision::Review,
        Decision::Block,
        Decision::Review,
        Decision::Review,
        Decision::Block,
    ];

    #[test]
    fn the_first_n_are_those_a_report_of_n_lists_and_the_rest_are_counted() {
        let (all, none) = collect(Keep::All, &MIXED);
        assert_eq!(none.count(), 0);
        let ids: Vec<&str> = all.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["block1", "block3", "block6", "review0", "review2", "review4", "review5"]);
        for n in 0..=8 {
            let (first, more) = collect(Keep::First(n), &MIXED);
            assert_eq!(json(&first), json(&all[..n.min(7)]), "first {n}");
            assert_eq!(more.count(), 7 - n.min(7) as u64);
            assert_eq!(more.kept(), n >= 7);
            assert!(n >= 7 || more.for_each(&mut |_| Ok(())).is_err(), "what was not kept cannot be read");
        }
    }

    #[test]
    fn spilled_records_read_back_whole_in_report_order_and_none_stays_in_memory() {
        let (all, _) = collect(Keep::All, &MIXED);
        let (held, more) = collect(Keep::Spill, &MIXED);
        assert!(held.is_empty());
        assert_eq!(more.count(), 7);
        assert!(more.kept());
        for _ in 0..2 {
            // Read twice: each reading starts from the beginning.
            let mut back = Vec::new();
            more.for_each(&mut |r| {
                back.push(r);
                Ok(())
            })
            .unwrap();
            assert_eq!(json(&back), json(&all));
        }
        let (held, more) = collect(Keep::Spill, &[]);
        assert!(held.is_empty() && more.count() == 0 && more.kept());
    }

    #[test]
    fn all_in_memory_are_sorted_whatever_order_they_came_in() {
        let mut f = Flagged::new(Keep::All);
        for (file, line) in [(1, 5), (0, 9), (1, 2), (0, 9)] {
            f.push(Decision::Block, file, line, record(&format!("{file}:{line}"), Decision::Block));
        }
        let (held, _) = f.finish();
        let ids: Vec<&str> = held.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["0:9", "0:9", "1:2", "1:5"]);
    }
}
