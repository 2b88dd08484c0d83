//! A labelled screening benchmark a pack ships (`screening_benchmark:` in its
//! `cordon.yaml`): names with the list entry that should come out on top, or
//! none. A report measures precision and recall on it at each threshold its
//! rules screen at, against the very list snapshots of the run, so the miss
//! rate it states is measured, not quoted (issue 19, item 6).

use rust_decimal::Decimal;
use serde::Serialize;

use super::{ListIndex, Query};
use crate::lists::Kind;

/// One labelled query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labelled {
    /// The name screened.
    pub query: String,
    /// The entry kind asked for, if any.
    pub kind: Option<Kind>,
    /// The list it is screened against (`ANY`: every list of the run).
    pub list: String,
    /// References of the entries that may come out on top; empty for a
    /// negative (nothing should be reported).
    pub expected: Vec<String>,
    /// An IMO number screened with the name.
    pub imo: Option<String>,
}

/// A benchmark as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Benchmark {
    /// The file, as the manifest names it.
    pub file: String,
    /// Its SHA-256.
    pub sha256: String,
    /// Its queries.
    pub rows: Vec<Labelled>,
}

/// Reads a benchmark: CSV with a header naming at least `query`, `list` and
/// `expected` (`|`-separated references, empty for a negative); `type`
/// (individual, entity, vessel, aircraft) and `imo` are optional. An error
/// names the line and the column.
pub fn read(file: &str, text: &str) -> Result<Benchmark, String> {
    let mut r = csv::ReaderBuilder::new().flexible(false).from_reader(text.as_bytes());
    let headers = r.headers().map_err(|e| format!("{file}: {e}"))?.clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(q), Some(l), Some(e)) = (col("query"), col("list"), col("expected")) else {
        return Err(format!("{file}: the header must name the columns `query`, `list` and `expected`"));
    };
    let (k, imo) = (col("type"), col("imo"));
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| format!("{file}: {e}"))?;
        let line = rec.position().map_or(0, csv::Position::line);
        let get = |i: Option<usize>| i.and_then(|i| rec.get(i)).unwrap_or_default().trim().to_string();
        let kind = match get(k).as_str() {
            "" => None,
            name => Some(Kind::from_name(name).ok_or_else(|| {
                format!("{file}, line {line}: `type` is `{name}`, not individual, entity, vessel or aircraft")
            })?),
        };
        let query = get(Some(q));
        if query.is_empty() {
            return Err(format!("{file}, line {line}: `query` is empty"));
        }
        let list = get(Some(l));
        if list.is_empty() {
            return Err(format!("{file}, line {line}: `list` is empty (a list name, or ANY)"));
        }
        rows.push(Labelled {
            query,
            kind,
            list,
            expected: get(Some(e)).split('|').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect(),
            imo: Some(get(imo)).filter(|i| !i.is_empty()),
        });
    }
    Ok(Benchmark { file: file.to_string(), sha256: crate::source::sha256_hex(text.as_bytes()), rows })
}

/// Precision and recall of one list at one threshold, over the benchmark's
/// queries that name it (or `ANY`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Measured {
    /// The list.
    pub list: String,
    /// The lowest score that counts as a match.
    pub threshold: String,
    /// Queries that should find an entry.
    pub positives: u64,
    /// Of those, the right entry came out on top.
    pub found: u64,
    /// Of those, another entry came out on top.
    pub wrong: u64,
    /// Queries that should find nothing.
    pub negatives: u64,
    /// Of those, something was reported.
    pub false_alarms: u64,
    /// found / positives, to three places (none without positives).
    pub recall: Option<String>,
    /// found / everything reported, to three places (none when nothing was).
    pub precision: Option<String>,
}

/// Measures `index` (the list `list`) at `threshold` on the benchmark rows
/// that name the list or `ANY`.
pub fn measure(b: &Benchmark, list: &str, index: &ListIndex, threshold: Decimal) -> Measured {
    let (mut positives, mut found, mut wrong, mut negatives, mut false_alarms) = (0u64, 0u64, 0u64, 0u64, 0u64);
    for row in b.rows.iter().filter(|r| r.list == list || r.list == "ANY") {
        let q = Query {
            name: row.query.clone(),
            kinds: row.kind.into_iter().collect(),
            imo: row.imo.clone(),
            threshold,
            limit: 5,
            ..Query::default()
        };
        let hits = index.screen(&q);
        let top = hits.iter().max_by(|a, b| a.score.cmp(&b.score).then(b.reference.cmp(&a.reference)));
        // An `ANY` row whose entry is on another list is a negative here.
        let expected_here: Vec<&String> = if row.list == "ANY" {
            row.expected.iter().filter(|r| index.snapshot.entries.iter().any(|e| &e.reference == *r)).collect()
        } else {
            row.expected.iter().collect()
        };
        if expected_here.is_empty() {
            negatives += 1;
            false_alarms += u64::from(top.is_some());
        } else {
            positives += 1;
            match top {
                Some(c) if expected_here.contains(&&c.reference) => found += 1,
                Some(_) => wrong += 1,
                None => {}
            }
        }
    }
    let ratio =
        |a: u64, b: u64| (b > 0).then(|| (Decimal::from(a) / Decimal::from(b)).round_dp(3)).map(|d| format!("{d:.3}"));
    Measured {
        list: list.to_string(),
        threshold: threshold.normalize().to_string(),
        positives,
        found,
        wrong,
        negatives,
        false_alarms,
        recall: ratio(found, positives),
        precision: ratio(found, found + wrong + false_alarms),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_benchmark_reads_with_its_errors_named_by_line() {
        let b = read("b.csv", "query,type,list,expected\nKOMID,entity,UN_SC,KPe.001\nNobody,,ANY,\n").unwrap();
        assert_eq!(b.rows.len(), 2);
        assert_eq!(b.rows[0].expected, vec!["KPe.001"]);
        assert!(b.rows[1].expected.is_empty());
        let e = read("b.csv", "query,type,list,expected\nX,ship,UN_SC,\n").unwrap_err();
        assert!(e.contains("line 2") && e.contains("`ship`"), "{e}");
        assert!(read("b.csv", "name,list\nX,UN_SC\n").unwrap_err().contains("`expected`"));
        assert!(read("b.csv", "query,list,expected\n,UN_SC,\n").unwrap_err().contains("`query` is empty"));
    }
}
