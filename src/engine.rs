//! The engine facade: what the CLI uses now and the HTTP service will use
//! later. Load and check rules once, then evaluate records from any number of
//! inputs, in parallel, with outputs in input order.

use std::io::Read;
use std::path::Path;
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::check::{self, RuleSet};
use crate::compile::{self, Program};
use crate::config::InputConfig;
use crate::diagnostics::Diagnostics;
use crate::eval;
use crate::findings::{Decision, Evaluated, RecordOutcome};
use crate::load;
use crate::records::{Input, InputError, InputSpec, Raw, Record};
use crate::source::hex;

/// Rows read and evaluated together; large enough to keep every core busy,
/// small enough to bound memory.
pub const BATCH: usize = 4096;

/// A loaded, checked and compiled rule set.
#[derive(Debug)]
pub struct Engine {
    program: Arc<Program>,
    warnings: Vec<crate::check::Lint>,
    batch: usize,
}

impl Engine {
    /// Loads the rules in `path` (a directory or one file), checks them and compiles them.
    pub fn load(path: &Path) -> Result<Engine, Diagnostics> {
        Engine::load_with(path, None)
    }

    /// Like [`Engine::load`], with the clearances of a reviewed-matches file
    /// (screening matches reviewed as false positives).
    pub fn load_with(path: &Path, reviewed: Option<&Path>) -> Result<Engine, Diagnostics> {
        let pack = load::load_pack(path)?;
        let (mut rules, warnings) = check::check(&pack).map_err(|errs| {
            let mut d = Diagnostics::new();
            for e in errs {
                d.push(e);
            }
            d
        })?;
        if let Some(p) = reviewed {
            let loaded = crate::config::read_source(p).and_then(|src| {
                crate::config::load_reviewed(&src).map(|entries| (src.name.clone(), src.sha256(), entries))
            });
            match loaded {
                Ok((name, sha, entries)) => rules.set_clearances(&name, &sha, entries),
                Err(e) => {
                    let mut d = Diagnostics::new();
                    d.push(e);
                    return Err(d);
                }
            }
        }
        let mut engine = Engine::from_rules(Arc::new(rules));
        engine.warnings = warnings;
        Ok(engine)
    }

    /// Compiles an already checked rule set.
    pub fn from_rules(rules: Arc<RuleSet>) -> Engine {
        Engine { program: Arc::new(compile::compile(rules)), warnings: Vec::new(), batch: BATCH }
    }

    /// Reads and evaluates `rows` rows at a time instead of [`BATCH`]
    /// (results do not depend on it; tests vary it to show so).
    pub fn with_batch(mut self, rows: usize) -> Engine {
        self.batch = rows.max(1);
        self
    }

    /// Lint warnings about the rules (not errors: the rules can be used).
    pub fn warnings(&self) -> &[crate::check::Lint] {
        &self.warnings
    }

    /// The checked rule set.
    pub fn rules(&self) -> &Arc<RuleSet> {
        &self.program.rules
    }

    /// The compiled program.
    pub fn program(&self) -> &Arc<Program> {
        &self.program
    }

    /// Evaluates one typed record.
    pub fn evaluate(&self, record: &Record) -> Evaluated {
        eval::evaluate(&self.program, record)
    }

    /// Opens every input (reading headers) before any record is evaluated,
    /// so an unusable file stops the run before output starts.
    pub fn open_inputs(
        &self,
        specs: &[InputSpec],
        config: &Arc<InputConfig>,
    ) -> Result<Vec<OpenInput>, Vec<InputError>> {
        let mut out = Vec::new();
        let mut errors = Vec::new();
        for (i, spec) in specs.iter().enumerate() {
            match OpenInput::open(spec, i, Arc::clone(&self.program.rules.schema), Arc::clone(config)) {
                Ok(o) => out.push(o),
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() { Ok(out) } else { Err(errors) }
    }

    /// Evaluates every record of the opened inputs, in input order, handing each
    /// outcome to `sink`. Uses the current rayon pool (all cores by default).
    pub fn run(
        &self,
        inputs: Vec<OpenInput>,
        sink: impl FnMut(&RecordOutcome) -> std::io::Result<()>,
    ) -> Result<RunSummary, RunError> {
        self.run_with(inputs, false, sink)
    }

    /// Like [`Engine::run`]; with `keep_records`, records with a finding or a
    /// data-quality problem keep their cells in [`Evaluated::record`] (reports
    /// show their parties and goods).
    pub fn run_with(
        &self,
        inputs: Vec<OpenInput>,
        keep_records: bool,
        mut sink: impl FnMut(&RecordOutcome) -> std::io::Result<()>,
    ) -> Result<RunSummary, RunError> {
        self.run_rendered(inputs, keep_records, &|_| Vec::new(), |o, _| sink(o))
    }

    /// Like [`Engine::run_with`], and each outcome is also rendered (to the
    /// bytes of an output line, say) by `render`, on all cores, before `sink`
    /// gets it with its rendering, in input order.
    pub fn run_rendered(
        &self,
        inputs: Vec<OpenInput>,
        keep_records: bool,
        render: &(dyn Fn(&RecordOutcome) -> Vec<u8> + Sync),
        mut sink: impl FnMut(&RecordOutcome, Vec<u8>) -> std::io::Result<()>,
    ) -> Result<RunSummary, RunError> {
        let rules = &self.program.rules;
        let mut summary = RunSummary { rules: rules.fingerprint.clone(), ..RunSummary::default() };
        let mut unchecked = CheckTally::new(rules);
        let mut ids = IdTracker::default();
        for input in inputs {
            let layout = Arc::clone(&input.input.layout);
            let mut stats = InputStats { file: layout.name.clone(), ..InputStats::default() };
            ids.files.push(layout.name.clone());
            let mut tally = |(o, bytes, key): Outcome, stats: &mut InputStats| -> Result<(), RunError> {
                stats.read += 1;
                ids.see(key, &o, &mut summary.duplicate_ids);
                match &o {
                    RecordOutcome::Evaluated(e) => {
                        stats.evaluated += 1;
                        match e.decision {
                            Decision::Block => stats.block += 1,
                            Decision::Review => stats.review += 1,
                            Decision::Pass => stats.pass += 1,
                        }
                        unchecked.add(e);
                    }
                    RecordOutcome::Invalid(_) => stats.invalid += 1,
                }
                sink(&o, bytes).map_err(RunError::Output)
            };
            // One worker thread: everything on this thread, one batch after another.
            if rayon::current_num_threads() == 1 {
                let mut input = input;
                loop {
                    let batch = input.input.next_batch(self.batch).map_err(RunError::Input)?;
                    if batch.is_empty() {
                        break;
                    }
                    for outcome in self.evaluate_batch(&layout, batch, keep_records, render) {
                        tally(outcome, &mut stats)?;
                    }
                }
                stats.sha256 = input.finish_hash();
                self.finish_input(&layout, stats, &mut summary);
                continue;
            }
            // Three stages at once: a thread reads batches, another parses and
            // evaluates each batch on all cores, this one counts and writes in
            // input order. Bounded channels keep memory flat.
            let mut input = std::thread::scope(|scope| -> Result<OpenInput, RunError> {
                let (batch_tx, batch_rx) = std::sync::mpsc::sync_channel::<Result<Vec<Raw>, InputError>>(2);
                let (out_tx, out_rx) = std::sync::mpsc::sync_channel::<Result<Vec<Outcome>, InputError>>(2);
                let reader = scope.spawn(move || {
                    let mut input = input;
                    loop {
                        match input.input.next_batch(self.batch) {
                            Ok(b) if b.is_empty() => break,
                            Ok(b) => {
                                if batch_tx.send(Ok(b)).is_err() {
                                    break;
                                }
                            }
                            Err(e) => {
                                let _ = batch_tx.send(Err(e));
                                break;
                            }
                        }
                    }
                    input
                });
                let layout_eval = Arc::clone(&layout);
                scope.spawn(move || {
                    for batch in batch_rx {
                        let outcomes = batch.map(|b| self.evaluate_batch(&layout_eval, b, keep_records, render));
                        let failed = outcomes.is_err();
                        if out_tx.send(outcomes).is_err() || failed {
                            break;
                        }
                    }
                });
                for outcomes in out_rx {
                    for outcome in outcomes.map_err(RunError::Input)? {
                        tally(outcome, &mut stats)?;
                    }
                }
                reader.join().map_err(|_| {
                    RunError::Input(InputError::Io {
                        file: layout.name.clone(),
                        source: std::io::Error::other("the reading thread failed"),
                    })
                })
            })?;
            stats.sha256 = input.finish_hash();
            self.finish_input(&layout, stats, &mut summary);
        }
        let files: Vec<String> = summary.inputs.iter().map(|i| i.file.clone()).collect();
        (summary.skipped_rules, summary.screening) = unchecked.finish(&files, summary.evaluated);
        Ok(summary)
    }
}

impl Engine {
    /// Adds an input's counts and its missing columns to the run's summary.
    fn finish_input(&self, layout: &crate::records::Layout, stats: InputStats, summary: &mut RunSummary) {
        let schema = &self.program.rules.schema;
        for g in layout.groups_without_columns() {
            summary.missing_groups.push(MissingGroupNote {
                file: layout.name.clone(),
                group: schema.groups[g].name.clone(),
                on_missing_column: layout.config.group_policy(schema, g).name(),
            });
        }
        for (f, policy) in layout.missing_columns() {
            summary.missing_columns.push(MissingColumnNote {
                file: layout.name.clone(),
                field: schema.fields[f].name.clone(),
                on_missing_column: policy.name(),
                groups: schema.groups_of(f).map(|g| g.name.clone()).collect(),
            });
        }
        summary.add(&stats);
        summary.inputs.push(stats);
    }

    /// Parses, evaluates and renders one batch of raw rows on all cores, in
    /// order, with the hash of each record's id for the repeat check.
    fn evaluate_batch(
        &self,
        layout: &crate::records::Layout,
        batch: Vec<Raw>,
        keep_records: bool,
        render: &(dyn Fn(&RecordOutcome) -> Vec<u8> + Sync),
    ) -> Vec<Outcome> {
        batch
            .into_par_iter()
            .map(|raw| {
                let o = match layout.parse(raw) {
                    Ok(rec) => {
                        let mut e = self.evaluate(&rec);
                        if keep_records && (!e.findings.is_empty() || !e.data_quality.is_empty()) {
                            e.record = Some(Box::new(rec));
                        }
                        RecordOutcome::Evaluated(e)
                    }
                    Err(inv) => RecordOutcome::Invalid(inv),
                };
                let bytes = render(&o);
                let key = id_key(&o);
                (o, bytes, key)
            })
            .collect()
    }
}

/// Counts what evaluated records say was not checked — rules skipped for a
/// missing column, by file — and what was screened against each list: the
/// run summary and the audit report build the same figures with it.
#[derive(Debug)]
pub struct CheckTally<'r> {
    rules: &'r RuleSet,
    /// (file, rule, fields read directly, groups) → records.
    skipped: std::collections::BTreeMap<(usize, usize, Vec<usize>, Vec<usize>), u64>,
    /// Per list: records with something screened, and records per field.
    coverage: Vec<(u64, Vec<u64>)>,
}

impl<'r> CheckTally<'r> {
    /// An empty tally for a rule set.
    pub fn new(rules: &'r RuleSet) -> Self {
        let fields = rules.schema.fields.len();
        CheckTally { rules, skipped: Default::default(), coverage: vec![(0, vec![0; fields]); rules.lists.len()] }
    }

    /// Counts one evaluated record.
    pub fn add(&mut self, e: &Evaluated) {
        let schema = &self.rules.schema;
        for sk in &e.skipped {
            *self.skipped.entry((e.file, sk.rule, sk.direct_fields(schema), sk.groups.clone())).or_default() += 1;
        }
        let mut seen = vec![false; self.coverage.len()];
        for (l, f) in &e.screened {
            if let Some((_, by_field)) = self.coverage.get_mut(*l) {
                by_field[*f] += 1;
                seen[*l] = true;
            }
        }
        for (c, s) in self.coverage.iter_mut().zip(seen) {
            c.0 += u64::from(s);
        }
    }

    /// The skipped rules (by file, in file order) and the screening coverage
    /// of `evaluated` records; `files` names the files by index.
    pub fn finish(self, files: &[String], evaluated: u64) -> (Vec<Skipped>, Vec<ListCoverage>) {
        let schema = &self.rules.schema;
        let skipped = self
            .skipped
            .into_iter()
            .map(|((file, rule, direct, groups), records)| Skipped {
                file: files.get(file).cloned().unwrap_or_default(),
                rule: self.rules.rules[rule].id.clone(),
                records,
                fields: direct
                    .iter()
                    .map(|f| schema.fields[*f].name.clone())
                    .chain(groups.iter().map(|g| schema.groups[*g].name.clone()))
                    .collect(),
            })
            .collect();
        let coverage = self
            .rules
            .lists
            .iter()
            .zip(self.coverage)
            .map(|(l, (records, by_field))| ListCoverage {
                list: l.name.clone(),
                records_screened: records,
                records_not_screened: evaluated.saturating_sub(records),
                by_field: by_field
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| **n > 0)
                    .map(|(f, n)| (schema.fields[f].name.clone(), *n))
                    .collect(),
            })
            .collect();
        (skipped, coverage)
    }
}

/// An outcome with its rendering and the hash of its id (see [`IdTracker`]).
type Outcome = (RecordOutcome, Vec<u8>, Option<u64>);

/// The hash the repeat check remembers a record's id by; `None` when the
/// record has no readable id.
fn id_key(o: &RecordOutcome) -> Option<u64> {
    let id = match o {
        RecordOutcome::Evaluated(e) => e.id.as_str(),
        RecordOutcome::Invalid(i) => i.id.as_deref()?,
    };
    if id.is_empty() {
        return None;
    }
    let mut h = std::hash::DefaultHasher::new();
    std::hash::Hasher::write(&mut h, id.as_bytes());
    Some(std::hash::Hasher::finish(&h))
}

/// An input opened for a run; its bytes are hashed as they are read.
pub struct OpenInput {
    input: Input,
    hash: Arc<Mutex<Sha256>>,
}

impl OpenInput {
    fn open(
        spec: &InputSpec,
        file: usize,
        schema: Arc<crate::schema::Schema>,
        config: Arc<InputConfig>,
    ) -> Result<Self, InputError> {
        let hash = Arc::new(Mutex::new(Sha256::new()));
        let f = std::fs::File::open(&spec.path).map_err(|e| InputError::Io { file: spec.name.clone(), source: e })?;
        let reader = HashingReader { inner: f, hash: Arc::clone(&hash) };
        let input = Input::from_reader(reader, spec, file, schema, config)?;
        Ok(OpenInput { input, hash })
    }

    /// The layout (column mapping) of this input.
    pub fn layout(&self) -> &crate::records::Layout {
        &self.input.layout
    }

    /// The layout, shared.
    pub fn layout_arc(&self) -> Arc<crate::records::Layout> {
        Arc::clone(&self.input.layout)
    }

    /// Reads up to `n` raw rows (for callers that type records themselves).
    pub fn next_batch(&mut self, n: usize) -> Result<Vec<crate::records::Raw>, InputError> {
        self.input.next_batch(n)
    }

    fn finish_hash(&mut self) -> String {
        // Read whatever the parser did not consume (nothing, normally) so the
        // hash covers the whole file.
        let mut g = self.hash.lock().unwrap_or_else(|p| p.into_inner());
        hex(&std::mem::take(&mut *g).finalize())
    }
}

struct HashingReader<R> {
    inner: R,
    hash: Arc<Mutex<Sha256>>,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.lock().unwrap_or_else(|p| p.into_inner()).update(&buf[..n]);
        Ok(n)
    }
}

/// A run that stopped.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum RunError {
    /// An input failed while being read.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Input(InputError),
    /// Output could not be written.
    #[error("cannot write output: {0}")]
    #[diagnostic(code(cordon::output))]
    Output(std::io::Error),
}

/// Counts for one input file.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct InputStats {
    /// Display name.
    pub file: String,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
    /// Records read.
    pub read: u64,
    /// Records evaluated.
    pub evaluated: u64,
    /// Records that could not be read.
    pub invalid: u64,
    /// Decisions.
    pub block: u64,
    /// Decisions.
    pub review: u64,
    /// Decisions.
    pub pass: u64,
}

/// Rules not decided for some records because their file has no column for
/// a field (or any field of a group), whose missing column means `skip`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    /// The file.
    pub file: String,
    /// The rule id.
    pub rule: String,
    /// How many records.
    pub records: u64,
    /// The fields (or groups) the file has no column for.
    pub fields: Vec<String>,
}

/// An optional field an input file has no column for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MissingColumnNote {
    /// The file.
    pub file: String,
    /// The field.
    pub field: String,
    /// What that means for the rules that need it: `review` or `skip`.
    pub on_missing_column: &'static str,
    /// The groups the field belongs to (read through a group, the other
    /// members' columns are used).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
}

/// A group an input file has no column for at all.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MissingGroupNote {
    /// The file.
    pub file: String,
    /// The group.
    pub group: String,
    /// What that means for the rules that read it: `review` or `skip`.
    pub on_missing_column: &'static str,
}

/// How many records had a value screened against one sanctions list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ListCoverage {
    /// The list.
    pub list: String,
    /// Evaluated records with at least one value screened against it.
    pub records_screened: u64,
    /// Evaluated records with nothing screened against it.
    pub records_not_screened: u64,
    /// Records per field screened (`seller`: 2,750), in schema order.
    #[serde(serialize_with = "counts_as_map")]
    pub by_field: Vec<(String, u64)>,
}

/// Serialises (name, count) pairs as a JSON object, in their order.
fn counts_as_map<S: serde::Serializer>(pairs: &[(String, u64)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(pairs.len()))?;
    for (k, v) in pairs {
        m.serialize_entry(k, v)?;
    }
    m.end()
}

/// Totals of a run; `read = evaluated + invalid` always holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunSummary {
    /// Records read.
    pub read: u64,
    /// Records evaluated.
    pub evaluated: u64,
    /// Records that could not be read.
    pub invalid: u64,
    /// Records blocked.
    pub block: u64,
    /// Records for review.
    pub review: u64,
    /// Records passed.
    pub pass: u64,
    /// Fingerprint of the rule set.
    pub rules: String,
    /// Per-input counts and fingerprints.
    pub inputs: Vec<InputStats>,
    /// Rules skipped for lack of a column.
    pub skipped_rules: Vec<Skipped>,
    /// Optional fields each input has no column for.
    pub missing_columns: Vec<MissingColumnNote>,
    /// Groups each input has no column for at all.
    pub missing_groups: Vec<MissingGroupNote>,
    /// Per sanctions list the rules screen against: what was screened.
    pub screening: Vec<ListCoverage>,
    /// Records whose id an earlier record of the run already had.
    pub duplicate_ids: DuplicateIds,
}

/// Most duplicate ids a summary lists by name; all are counted.
pub const MAX_DUPLICATE_EXAMPLES: usize = 100;

/// Records that repeat an id seen earlier in the run (in any of its inputs).
/// Both are evaluated — Cordon cannot know which is right — and the repeat
/// is reported, since a transaction counted twice can matter (caps add up
/// quantities).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct DuplicateIds {
    /// How many records repeat an earlier id.
    pub records: u64,
    /// The first [`MAX_DUPLICATE_EXAMPLES`] of them, in input order.
    pub examples: Vec<DuplicateId>,
    /// Records read after [`MAX_TRACKED_IDS`] distinct ids were remembered:
    /// checked against those, but repeats among them are not found.
    #[serde(skip_serializing_if = "is_zero")]
    pub unchecked: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// One record whose id was seen before.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DuplicateId {
    /// The id.
    pub id: String,
    /// The repeat's file.
    pub file: String,
    /// The repeat's line.
    pub line: u64,
    /// The file of the first record with the id.
    pub first_file: String,
    /// The line of the first record with the id.
    pub first_line: u64,
}

/// Most ids remembered for the repeat check: 4,194,304, about 70 MB at
/// most, so memory stays bounded whatever the input size. Past it, later
/// records are still checked against the ids remembered, but their own ids
/// are not added (counted in [`DuplicateIds::unchecked`]).
pub const MAX_TRACKED_IDS: usize = (1 << 21) / 8 * 7;

/// Remembers the ids of a run by a 64-bit SipHash of each, with where it was
/// first seen packed in 64 bits (file index: 16 bits, line: 48 bits), so
/// 16 bytes a record rather than the ids themselves. Two different ids
/// sharing a hash would be reported as a repeat; with a million ids the
/// chance is about 1 in 30 million, and the report names both lines, so such
/// a report can be checked by eye.
struct IdTracker {
    files: Vec<String>,
    seen: std::collections::HashMap<u64, u64, rustc_hash::FxBuildHasher>,
    /// [`MAX_TRACKED_IDS`], smaller in tests.
    cap: usize,
}

impl Default for IdTracker {
    fn default() -> Self {
        IdTracker { files: Vec::new(), seen: Default::default(), cap: MAX_TRACKED_IDS }
    }
}

impl IdTracker {
    fn see(&mut self, key: Option<u64>, o: &RecordOutcome, dups: &mut DuplicateIds) {
        let Some(key) = key else { return };
        let (id, line) = match o {
            RecordOutcome::Evaluated(e) => (e.id.as_str(), e.line),
            RecordOutcome::Invalid(i) => (i.id.as_deref().unwrap_or_default(), i.line),
        };
        let file = self.files.len().saturating_sub(1);
        const LINE_BITS: u32 = 48;
        let first = match self.seen.get(&key) {
            Some(packed) => *packed,
            None if self.seen.len() < self.cap => {
                let file_bits = (file as u64).min((1 << (64 - LINE_BITS)) - 1);
                self.seen.insert(key, file_bits << LINE_BITS | line.min((1 << LINE_BITS) - 1));
                return;
            }
            None => {
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

impl RunSummary {
    /// What a run did not check, one line each (without a `note:` prefix):
    /// columns its inputs lack and what that meant, rules skipped for them, and
    /// records with nothing screened against a list. The same lines go to the
    /// table output and to stderr.
    pub fn not_checked(&self) -> Vec<String> {
        let s = self;
        let mut out = Vec::new();
        let quote = |v: &[&str]| v.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ");
        let mut files: Vec<&str> = s.missing_columns.iter().map(|m| m.file.as_str()).collect();
        files.dedup();
        for file in files {
            let cols: Vec<_> = s.missing_columns.iter().filter(|m| m.file == file).collect();
            // Fields outside groups, and members of a group the file has no
            // column for at all when read on their own, are listed by what their
            // missing column means.
            let wholly_missing = |g: &String| s.missing_groups.iter().any(|w| w.file == file && &w.group == g);
            let alone = |policy: &str| -> Vec<&str> {
                cols.iter()
                    .filter(|m| m.groups.iter().all(wholly_missing) && m.on_missing_column == policy)
                    .map(|m| m.field.as_str())
                    .collect()
            };
            let review = alone("review");
            if !review.is_empty() {
                out.push(format!(
                    "{file} has no column for {}: the rules that need them are undecided (review) for its records",
                    quote(&review)
                ));
            }
            let skip = alone("skip");
            if !skip.is_empty() {
                out.push(format!(
                    "{file} has no column for {}: the rules that need them are skipped for its records",
                    quote(&skip)
                ));
            }
            let whole: Vec<_> = s.missing_groups.iter().filter(|g| g.file == file).collect();
            for g in &whole {
                out.push(format!(
                    "{file} has no column for any field of the `{}` group: the rules that read it are {}",
                    g.group,
                    if g.on_missing_column == "review" {
                        "undecided (review) for its records"
                    } else {
                        "skipped for its records"
                    }
                ));
            }
            let mut groups: Vec<&str> = Vec::new();
            for g in cols.iter().filter_map(|m| m.groups.first().map(String::as_str)) {
                if !groups.contains(&g) && !whole.iter().any(|w| w.group == g) {
                    groups.push(g);
                }
            }
            for g in groups {
                let members: Vec<&str> = cols
                    .iter()
                    .filter(|m| m.groups.first().map(String::as_str) == Some(g))
                    .map(|m| m.field.as_str())
                    .collect();
                out.push(format!(
                    "{file} has no column for {} of the `{g}` group: rules that read the group use its other columns",
                    quote(&members)
                ));
            }
        }
        for k in &s.skipped_rules {
            out.push(format!(
                "rule {} not decided for {} record{} of {}: the file has no column for {}",
                k.rule,
                crate::values::thousands(k.records),
                if k.records == 1 { "" } else { "s" },
                k.file,
                quote(&k.fields.iter().map(String::as_str).collect::<Vec<_>>())
            ));
        }
        for c in s.screening.iter().filter(|c| c.records_not_screened > 0) {
            let fields: Vec<&str> = c.by_field.iter().map(|(f, _)| f.as_str()).collect();
            out.push(format!(
                "{} of {} evaluated record{} had nothing to screen against {}{}",
                crate::values::thousands(c.records_not_screened),
                crate::values::thousands(s.evaluated),
                if s.evaluated == 1 { "" } else { "s" },
                c.list,
                if fields.is_empty() { String::new() } else { format!(" (it screens {})", quote(&fields)) }
            ));
        }
        out
    }

    fn add(&mut self, s: &InputStats) {
        self.read += s.read;
        self.evaluated += s.evaluated;
        self.invalid += s.invalid;
        self.block += s.block;
        self.review += s.review;
        self.pass += s.pass;
    }

    /// Whether any record ranks at or above `fail_on` (invalid ranks with
    /// review, and so does a rule skipped for a missing column: under
    /// `--fail-on review` something not checked is never a clean run).
    pub fn fails(&self, fail_on: Decision) -> bool {
        match fail_on {
            Decision::Block => self.block > 0,
            Decision::Review => self.block + self.review + self.invalid > 0 || !self.skipped_rules.is_empty(),
            Decision::Pass => self.read > 0,
        }
    }
}

#[cfg(test)]
mod id_tests {
    use super::*;
    use crate::records::Invalid;

    fn rec(id: &str, line: u64) -> RecordOutcome {
        RecordOutcome::Invalid(Invalid { file: 0, line, id: Some(id.into()), errors: Vec::new() })
    }

    #[test]
    fn repeats_name_both_places_across_files_and_the_cap_bounds_what_is_remembered() {
        let mut t = IdTracker { cap: 3, ..IdTracker::default() };
        let mut d = DuplicateIds::default();
        t.files.push("a.csv".into());
        for (id, line) in [("A", 2), ("B", 3), ("A", 4), ("", 5)] {
            let r = rec(id, line);
            t.see(id_key(&r), &r, &mut d);
        }
        t.files.push("b.csv".into());
        for (id, line) in [("C", 2), ("D", 3), ("D", 4), ("B", 5)] {
            let r = rec(id, line);
            t.see(id_key(&r), &r, &mut d);
        }
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
