//! The population a report covers: per input file, what it held (bytes,
//! lines, records, dates per year, id sequences and their gaps, value
//! totals per currency), and whether that agrees with the figures the
//! source system gave for it (reconciliation). An auditor tests the
//! completeness of a report's population from these, not from a hash.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::findings::RecordOutcome;
use crate::records::Cell;
use crate::run::InputSize;
use crate::schema::{Role, Schema};
use crate::values::{Date, Decimal, Value};

use super::model::Period;

/// Most records dated outside the stated period a report lists (all are counted).
pub const OUTSIDE_PERIOD_LISTED: usize = 100;
/// Most gaps listed per id sequence (all are counted).
const GAPS_LISTED: usize = 10;
/// Most separate id runs remembered per sequence: past it, ids are too
/// scattered to be a sequence and are no longer tracked.
const MAX_RUNS: usize = 100_000;
/// Most id sequences (prefixes) tracked per input.
const MAX_SEQUENCES: usize = 1_000;

/// What a report's inputs held, and whether it reconciles.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct Population {
    /// One entry per input file, in the order given.
    pub inputs: Vec<InputPopulation>,
    /// The period the records were stated to cover (the source manifest's,
    /// else `--period`), and the records dated outside it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outside_stated_period: Option<OutsidePeriod>,
    /// Where the inputs came from, as the source manifest states it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceManifest>,
    /// The source manifest file and its SHA-256.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_file: Option<super::model::FileFingerprint>,
    /// The inputs against the figures given for them.
    pub reconciliation: Reconciliation,
}

/// One input file's population.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct InputPopulation {
    /// The file, as named on the command line.
    pub file: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
    /// Physical lines (header and lines inside quoted fields included).
    pub lines: u64,
    /// Records read (evaluated, outside the period or invalid).
    pub records: u64,
    /// Of those, records that could not be read.
    pub invalid: u64,
    /// The earliest transaction date read.
    pub first_date: Option<String>,
    /// The latest transaction date read.
    pub last_date: Option<String>,
    /// Records per year of their transaction date.
    pub by_year: Vec<YearCount>,
    /// Records whose date could not be read (invalid records).
    pub dates_unreadable: u64,
    /// Record ids read as a prefix and a number, per prefix: first, last,
    /// and the numbers missing between them.
    pub id_sequences: Vec<IdSequence>,
    /// Records whose id is not a prefix and a number, or not read.
    pub ids_outside_sequences: u64,
    /// Value totals per currency, over the records whose value and currency were read.
    pub totals: Vec<CurrencyTotal>,
    /// Records whose value or currency was not read (empty, unreadable, or an invalid record).
    pub values_not_read: u64,
}

/// Records in one year.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct YearCount {
    /// The year.
    pub year: i32,
    /// Records dated in it.
    pub records: u64,
}

/// Ids of one prefix and number width, e.g. `TX-2017-000001` … `TX-2017-000700`.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct IdSequence {
    /// The prefix (`TX-2017-`).
    pub prefix: String,
    /// The lowest id.
    pub first: String,
    /// The highest id.
    pub last: String,
    /// Distinct ids read.
    pub ids: u64,
    /// Numbers between the first and the last that no record has; none when
    /// the ids are too scattered to be a sequence.
    pub missing: Option<u64>,
    /// The first gaps (`TX-2017-000012` or `TX-2017-000012..TX-2017-000015`).
    pub gaps: Vec<String>,
}

/// A value total in one currency.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CurrencyTotal {
    /// The currency, as read.
    pub currency: String,
    /// Records in it.
    pub records: u64,
    /// The exact sum of their values.
    pub total: String,
}

/// Records dated outside the stated period.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct OutsidePeriod {
    /// The stated period.
    pub period: Period,
    /// Where it was stated: `manifest` or `--period`.
    pub stated_by: String,
    /// How many records are dated outside it.
    pub records: u64,
    /// Whether those were evaluated (a manifest's period) or left out (`--period`).
    pub evaluated: bool,
    /// The first of them, in input order.
    pub listed: Vec<DatedRecord>,
}

/// A record named by file, line, id and date.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct DatedRecord {
    /// Input file.
    pub file: String,
    /// Line.
    pub line: u64,
    /// Record id, if read.
    pub id: Option<String>,
    /// Transaction date.
    pub date: String,
}

/// Where the inputs came from: a small YAML file the extractor writes
/// (`--source-manifest`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceManifest {
    /// The system the records were extracted from.
    #[serde(default)]
    pub system: Option<String>,
    /// The query or report that extracted them.
    #[serde(default)]
    pub query: Option<String>,
    /// Who extracted them.
    #[serde(default)]
    pub extracted_by: Option<String>,
    /// When.
    #[serde(default)]
    pub extracted_at: Option<String>,
    /// The period the extraction covers, `FROM..TO` (inclusive).
    #[serde(default)]
    pub period: Option<String>,
    /// How many records the system counted.
    #[serde(default)]
    pub records: Option<u64>,
    /// The system's value totals per currency (`USD: "1234567.89"`).
    #[serde(default)]
    pub totals: BTreeMap<String, String>,
}

/// The population against the figures given for it.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct Reconciliation {
    /// `yes` when every figure agrees, `no` when one does not, `not given`
    /// when no figure was given to reconcile to.
    pub status: String,
    /// Each figure compared.
    pub checks: Vec<ReconciliationCheck>,
}

impl Reconciliation {
    /// Whether figures were given and all agree.
    pub fn reconciled(&self) -> Option<bool> {
        (!self.checks.is_empty()).then(|| self.checks.iter().all(|c| c.agrees))
    }

    /// The figures that do not agree, each in one line.
    pub fn failures(&self) -> Vec<String> {
        self.checks.iter().filter(|c| !c.agrees).map(ReconciliationCheck::says).collect()
    }
}

impl ReconciliationCheck {
    /// The figure, what was found and expected, and why they differ.
    pub fn says(&self) -> String {
        let why = self.note.as_deref().map(|n| format!(": {n}")).unwrap_or_default();
        format!("{}: {} (expected: {}){why}", self.what, self.found, self.expected)
    }
}

/// One figure compared.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ReconciliationCheck {
    /// What is compared (`records`, `total USD`, `period`).
    pub what: String,
    /// The figure given, and by what (`--expect-records`, the manifest).
    pub expected: String,
    /// What the inputs hold.
    pub found: String,
    /// Whether they agree.
    pub agrees: bool,
    /// Why not, when they do not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The figures a population is reconciled to: flags and a source manifest.
#[derive(Debug, Clone, Default)]
pub struct Expectations {
    /// `--expect-records`.
    pub records: Option<u64>,
    /// `--expect-total CUR=AMOUNT`, in the order given.
    pub totals: Vec<(String, Decimal)>,
    /// The source manifest, its file name and SHA-256.
    pub manifest: Option<(SourceManifest, String, String)>,
}

impl Expectations {
    /// The period the manifest states, if it states one.
    pub fn manifest_period(&self) -> Result<Option<Period>, String> {
        let Some((m, file, _)) = &self.manifest else { return Ok(None) };
        m.period.as_deref().map(|p| Period::parse(p).map_err(|e| format!("{file}: `period`: {e}"))).transpose()
    }

    /// Whether there is anything to reconcile to.
    pub fn any(&self) -> bool {
        self.records.is_some() || !self.totals.is_empty() || self.manifest.is_some()
    }
}

/// Reads a source manifest (YAML).
pub fn read_manifest(name: &str, text: &str) -> Result<SourceManifest, String> {
    let m: SourceManifest = serde_yaml::from_str(text).map_err(|e| format!("{name}: {e}"))?;
    if let Some(p) = &m.period {
        Period::parse(p).map_err(|e| format!("{name}: `period`: {e}"))?;
    }
    for (cur, amount) in &m.totals {
        parse_amount(amount).map_err(|e| format!("{name}: `totals.{cur}`: {e}"))?;
    }
    Ok(m)
}

/// Reads an exact amount (`1234567.89`; thousands separators refused).
pub fn parse_amount(text: &str) -> Result<Decimal, String> {
    let t = text.trim();
    if t.is_empty() || !t.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-') {
        return Err(format!("`{text}` is not an amount; write digits and a decimal point, e.g. 1234567.89"));
    }
    t.parse::<Decimal>().map_err(|e| format!("`{text}` is not an amount ({e})"))
}

/// Numbers of one id prefix and width, as runs of consecutive numbers.
#[derive(Default)]
struct Runs {
    /// Start → end (inclusive) of each run of consecutive numbers.
    runs: BTreeMap<u64, u64>,
    ids: u64,
    /// Too scattered to be a sequence: no longer tracked.
    scattered: bool,
}

impl Runs {
    fn add(&mut self, n: u64) {
        if self.scattered {
            self.ids += 1;
            return;
        }
        // The run that starts at or before n.
        if let Some((&s, &e)) = self.runs.range(..=n).next_back() {
            if n <= e {
                return; // seen (a repeated id: counted under duplicates)
            }
            if n == e + 1 {
                let end = match self.runs.get(&(n + 1)).copied() {
                    Some(next_end) => {
                        self.runs.remove(&(n + 1));
                        next_end
                    }
                    None => n,
                };
                self.runs.insert(s, end);
                self.ids += 1;
                return;
            }
        }
        let end = match self.runs.remove(&(n + 1)) {
            Some(e) => e,
            None => n,
        };
        self.runs.insert(n, end);
        self.ids += 1;
        if self.runs.len() > MAX_RUNS {
            self.scattered = true;
            self.runs.clear();
        }
    }
}

/// An id as a prefix and a number: `TX-2017-000123` → (`TX-2017-`, 6, 123).
fn split_id(id: &str) -> Option<(&str, usize, u64)> {
    let digits = id.bytes().rev().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 18 {
        return None;
    }
    let (prefix, number) = id.split_at(id.len() - digits);
    Some((prefix, digits, number.parse().ok()?))
}

/// One input's population, as records stream past.
#[derive(Default)]
struct InputTally {
    sha256: String,
    size: InputSize,
    records: u64,
    invalid: u64,
    years: BTreeMap<i32, u64>,
    first: Option<Date>,
    last: Option<Date>,
    dates_unreadable: u64,
    sequences: BTreeMap<(String, usize), Runs>,
    ids_outside: u64,
    totals: BTreeMap<String, (u64, Decimal, bool)>,
    values_not_read: u64,
}

/// Builds a report's population from every record read.
pub struct PopulationTally {
    inputs: Vec<InputTally>,
    value: Option<usize>,
    currency: Option<usize>,
    stated: Option<(Period, &'static str, bool)>,
    outside: u64,
    outside_listed: Vec<DatedRecord>,
}

impl PopulationTally {
    /// A tally for a run over `files` inputs; `stated` is the period the
    /// records are stated to cover, where it was stated, and whether records
    /// outside it are evaluated.
    pub fn new(schema: &Schema, files: usize, stated: Option<(Period, &'static str, bool)>) -> Self {
        PopulationTally {
            inputs: (0..files).map(|_| InputTally::default()).collect(),
            value: schema.role(Role::Value),
            currency: schema.role(Role::Currency),
            stated,
            outside: 0,
            outside_listed: Vec::new(),
        }
    }

    fn input(&mut self, file: usize) -> &mut InputTally {
        if file >= self.inputs.len() {
            self.inputs.resize_with(file + 1, InputTally::default);
        }
        &mut self.inputs[file]
    }

    /// Takes one record read (`files` names the inputs).
    pub fn add(&mut self, o: &RecordOutcome, files: &[String]) {
        let (file, line, id, date) = match o {
            RecordOutcome::Evaluated(e) => (e.file, e.line, Some(e.id.as_str()), Some(e.date)),
            RecordOutcome::Invalid(i) => (i.file, i.line, i.id.as_deref(), i.date),
        };
        let (vf, cf) = (self.value, self.currency);
        let t = self.input(file);
        t.records += 1;
        match date {
            Some(d) => {
                *t.years.entry(d.year()).or_default() += 1;
                t.first = Some(t.first.map_or(d, |f| f.min(d)));
                t.last = Some(t.last.map_or(d, |l| l.max(d)));
            }
            None => t.dates_unreadable += 1,
        }
        match id.and_then(split_id) {
            Some((prefix, width, n)) => {
                let key = (prefix.to_string(), width);
                if t.sequences.len() < MAX_SEQUENCES || t.sequences.contains_key(&key) {
                    t.sequences.entry(key).or_default().add(n);
                } else {
                    t.ids_outside += 1;
                }
            }
            None => t.ids_outside += 1,
        }
        match o {
            RecordOutcome::Invalid(_) => {
                t.invalid += 1;
                t.values_not_read += 1;
            }
            RecordOutcome::Evaluated(e) => {
                let cells = e.record.as_deref().map(|r| &r.cells);
                let value = vf.and_then(|f| cells.and_then(|c| c.get(f))).and_then(Cell::value);
                let currency = cf.and_then(|f| cells.and_then(|c| c.get(f))).and_then(Cell::text);
                match (value, currency) {
                    (Some(Value::Dec(v)), Some(c)) => {
                        let entry = t.totals.entry(c.trim().to_uppercase()).or_insert((0, Decimal::ZERO, false));
                        entry.0 += 1;
                        match entry.1.checked_add(*v) {
                            Some(s) => entry.1 = s,
                            None => entry.2 = true,
                        }
                    }
                    _ => t.values_not_read += 1,
                }
            }
        }
        if let (Some((p, ..)), Some(d)) = (self.stated, date)
            && !p.contains(d)
        {
            self.outside += 1;
            if self.outside_listed.len() < OUTSIDE_PERIOD_LISTED {
                self.outside_listed.push(DatedRecord {
                    file: files.get(file).cloned().unwrap_or_default(),
                    line,
                    id: id.map(str::to_string),
                    date: d.to_string(),
                });
            }
        }
    }

    /// An input was read to its end.
    pub fn end_input(&mut self, file: usize, sha256: &str, size: Option<InputSize>) {
        let t = self.input(file);
        t.sha256 = sha256.to_string();
        t.size = size.unwrap_or_default();
    }

    /// The population, reconciled to `expect`.
    pub fn finish(self, files: &[String], expect: &Expectations) -> Population {
        let inputs: Vec<InputPopulation> = self
            .inputs
            .into_iter()
            .enumerate()
            .map(|(i, t)| t.finish(files.get(i).cloned().unwrap_or_default()))
            .collect();
        let outside_stated_period = self.stated.map(|(period, by, evaluated)| OutsidePeriod {
            period,
            stated_by: by.to_string(),
            records: self.outside,
            evaluated,
            listed: self.outside_listed,
        });
        let reconciliation = reconcile(&inputs, outside_stated_period.as_ref(), expect);
        Population {
            inputs,
            outside_stated_period,
            source: expect.manifest.as_ref().map(|(m, ..)| m.clone()),
            source_file: expect.manifest.as_ref().map(|(_, file, sha256)| super::model::FileFingerprint {
                path: file.clone(),
                kind: "manifest".into(),
                sha256: sha256.clone(),
            }),
            reconciliation,
        }
    }
}

impl InputTally {
    fn finish(self, file: String) -> InputPopulation {
        let id_sequences =
            self.sequences.into_iter().map(|((prefix, width), runs)| sequence(&prefix, width, &runs)).collect();
        InputPopulation {
            file,
            sha256: self.sha256,
            bytes: self.size.bytes,
            lines: self.size.lines,
            records: self.records,
            invalid: self.invalid,
            first_date: self.first.map(|d| d.to_string()),
            last_date: self.last.map(|d| d.to_string()),
            by_year: self.years.into_iter().map(|(year, records)| YearCount { year, records }).collect(),
            dates_unreadable: self.dates_unreadable,
            id_sequences,
            ids_outside_sequences: self.ids_outside,
            totals: self
                .totals
                .into_iter()
                .map(|(currency, (records, total, overflow))| CurrencyTotal {
                    currency,
                    records,
                    total: if overflow { "overflow".into() } else { total.normalize().to_string() },
                })
                .collect(),
            values_not_read: self.values_not_read,
        }
    }
}

/// A sequence's first, last and gaps.
fn sequence(prefix: &str, width: usize, runs: &Runs) -> IdSequence {
    let id = |n: u64| format!("{prefix}{n:0width$}");
    let first = runs.runs.keys().next().copied();
    let last = runs.runs.values().next_back().copied();
    let (mut missing, mut gaps) = (0u64, Vec::new());
    let mut prev_end: Option<u64> = None;
    for (&s, &e) in &runs.runs {
        if let Some(p) = prev_end {
            let (a, b) = (p + 1, s - 1);
            missing += b - a + 1;
            if gaps.len() < GAPS_LISTED {
                gaps.push(if a == b { id(a) } else { format!("{}..{}", id(a), id(b)) });
            }
        }
        prev_end = Some(e);
    }
    // Mostly gaps is not a sequence: numbers that are not counted out one by one.
    let sequential = !runs.scattered && missing <= runs.ids;
    IdSequence {
        prefix: prefix.to_string(),
        first: first.map(id).unwrap_or_default(),
        last: last.map(id).unwrap_or_default(),
        ids: runs.ids,
        missing: sequential.then_some(missing),
        gaps: if sequential { gaps } else { Vec::new() },
    }
}

/// Compares the population with the figures given for it.
fn reconcile(inputs: &[InputPopulation], outside: Option<&OutsidePeriod>, expect: &Expectations) -> Reconciliation {
    let mut checks = Vec::new();
    let records: u64 = inputs.iter().map(|i| i.records).sum();
    let manifest = expect.manifest.as_ref();
    let mut expected_records = Vec::new();
    if let Some(n) = expect.records {
        expected_records.push((n, "--expect-records".to_string()));
    }
    if let Some((m, file, _)) = manifest
        && let Some(n) = m.records
    {
        expected_records.push((n, file.clone()));
    }
    for (n, by) in expected_records {
        checks.push(ReconciliationCheck {
            what: "records".into(),
            expected: format!("{n} ({by})"),
            found: records.to_string(),
            agrees: n == records,
            note: (n != records).then(|| {
                let (d, more) = if records > n { (records - n, "more") } else { (n - records, "fewer") };
                format!("{d} {} {more} read than the source counted", if d == 1 { "record" } else { "records" })
            }),
        });
    }
    let mut totals: Vec<(String, Decimal, String)> =
        expect.totals.iter().map(|(c, a)| (c.to_uppercase(), *a, "--expect-total".to_string())).collect();
    if let Some((m, file, _)) = manifest {
        for (c, a) in &m.totals {
            if let Ok(a) = parse_amount(a) {
                totals.push((c.to_uppercase(), a, file.clone()));
            }
        }
    }
    let not_read: u64 = inputs.iter().map(|i| i.values_not_read).sum();
    for (cur, amount, by) in totals {
        let mut sum = Some(Decimal::ZERO);
        let mut n = 0u64;
        for t in inputs.iter().flat_map(|i| &i.totals).filter(|t| t.currency == cur) {
            n += t.records;
            sum = sum.and_then(|s| t.total.parse::<Decimal>().ok().and_then(|v| s.checked_add(v)));
        }
        let found = sum.map_or("overflow".to_string(), |s| s.normalize().to_string());
        let agrees = sum == Some(amount) && not_read == 0;
        let note = if agrees {
            None
        } else if sum == Some(amount) {
            Some(format!(
                "the totals agree, but {not_read} records' values were not read: the population's total is not known"
            ))
        } else if not_read > 0 {
            Some(format!(
                "{not_read} {} not read and {} not in the total",
                if not_read == 1 { "record's value was" } else { "records' values were" },
                if not_read == 1 { "is" } else { "are" }
            ))
        } else {
            sum.map(|s| format!("differs by {}", (s - amount).normalize()))
        };
        checks.push(ReconciliationCheck {
            what: format!("total {cur}"),
            expected: format!("{} ({by})", amount.normalize()),
            found: format!("{found} over {n} records"),
            agrees,
            note,
        });
    }
    if let Some(o) = outside.filter(|o| o.stated_by == "manifest") {
        checks.push(ReconciliationCheck {
            what: "period".into(),
            expected: format!("every record dated {} to {}", o.period.from, o.period.to),
            found: if o.records == 0 { "all within".into() } else { format!("{} records outside", o.records) },
            agrees: o.records == 0,
            note: (o.records > 0)
                .then(|| "records outside the stated period are listed and were evaluated all the same".to_string()),
        });
    }
    let status = match checks.is_empty() {
        true => "not given",
        false if checks.iter().all(|c| c.agrees) => "yes",
        false => "no",
    };
    Reconciliation { status: status.into(), checks }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_split_into_prefix_and_number() {
        assert_eq!(split_id("TX-2017-000123"), Some(("TX-2017-", 6, 123)));
        assert_eq!(split_id("42"), Some(("", 2, 42)));
        assert_eq!(split_id("ABC"), None);
        assert_eq!(split_id("X1234567890123456789"), None);
    }

    #[test]
    fn runs_merge_in_any_order_and_gaps_are_named() {
        let mut r = Runs::default();
        for n in [5, 1, 2, 9, 3, 10, 3, 7] {
            r.add(n);
        }
        assert_eq!(r.ids, 7);
        let s = sequence("TX-", 3, &r);
        assert_eq!((s.first.as_str(), s.last.as_str()), ("TX-001", "TX-010"));
        assert_eq!(s.missing, Some(3));
        assert_eq!(s.gaps, vec!["TX-004", "TX-006", "TX-008"]);
        r.add(4);
        r.add(6);
        r.add(8);
        let s = sequence("TX-", 3, &r);
        assert_eq!((s.missing, r.runs.len()), (Some(0), 1));
    }

    #[test]
    fn scattered_numbers_are_not_a_sequence() {
        let mut r = Runs::default();
        for n in [1, 100, 1000, 50_000] {
            r.add(n);
        }
        let s = sequence("INV", 1, &r);
        assert_eq!((s.missing, s.gaps.len()), (None, 0));
    }

    #[test]
    fn amounts_are_exact_and_plain() {
        assert_eq!(parse_amount("1234567.89").unwrap().to_string(), "1234567.89");
        assert!(parse_amount("1,234").is_err());
        assert!(parse_amount("1e5").is_err());
        assert!(parse_amount("").is_err());
    }

    #[test]
    fn reconciliation_needs_every_figure_and_every_value() {
        let input = InputPopulation {
            records: 3,
            totals: vec![CurrencyTotal { currency: "USD".into(), records: 3, total: "300.50".into() }],
            ..Default::default()
        };
        let mut e = Expectations { records: Some(3), ..Default::default() };
        e.totals.push(("usd".into(), parse_amount("300.5").unwrap()));
        let r = reconcile(std::slice::from_ref(&input), None, &e);
        assert_eq!(r.status, "yes", "{r:?}");
        e.records = Some(4);
        let r = reconcile(std::slice::from_ref(&input), None, &e);
        assert_eq!((r.status.as_str(), r.reconciled()), ("no", Some(false)));
        // A value not read leaves the total unknown, even when the sums agree.
        let unread = InputPopulation { values_not_read: 1, ..input };
        e.records = Some(3);
        let r = reconcile(&[unread], None, &e);
        assert_eq!(r.status, "no");
        assert!(r.checks[1].note.as_deref().unwrap().contains("not known"));
        assert_eq!(reconcile(&[], None, &Expectations::default()).status, "not given");
    }
}
