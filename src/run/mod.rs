//! A run: records read from any number of inputs, evaluated on every core,
//! and handed in input order to a list of in-order [`Stage`]s — the counts,
//! the repeat-id check, then the caller's own (an output writer, a report
//! collector, running totals, a decision log).
//!
//! ```text
//! reader thread ──batches──▶ evaluating cores ──outcomes──▶ sequencer (this thread)
//!   (raw rows)                (parse, evaluate,               tally → ids → stages…
//!                              render, hash ids)               in input order
//! ```
//!
//! Memory stays flat: two batches wait between each pair of steps. With one
//! worker thread the same batches are read, evaluated and sequenced on the
//! calling thread; both paths share the sequencer and the end-of-input code.

mod ids;
pub mod summary;
mod tally;

pub use ids::MAX_TRACKED_IDS;
pub use summary::{
    Decisions, DuplicateId, DuplicateIds, InputStats, ListCoverage, MAX_DUPLICATE_EXAMPLES, MissingColumnNote,
    MissingGroupNote, RunSummary, Skipped,
};
pub use tally::CheckTally;

use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::check::RuleSet;
use crate::compile::Program;
use crate::config::InputConfig;
use crate::findings::{Decision, RecordOutcome};
use crate::records::{Format, Input, InputError, InputSpec, Layout, Limits, Raw, Value};
use crate::source::hex;
use crate::values::Date;

/// Rows read and evaluated together by default; large enough to keep every
/// core busy, small enough to bound memory.
pub const BATCH: usize = 4096;

/// A source of records, not yet opened: a file, or any reader (a request
/// body, a socket, a decompressor).
pub struct InputSource {
    name: String,
    format: Format,
    open: Box<dyn FnOnce() -> std::io::Result<Box<dyn Read + Send>> + Send>,
}

impl std::fmt::Debug for InputSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InputSource").field("name", &self.name).field("format", &self.format).finish()
    }
}

impl InputSource {
    /// A file; its format from its extension (`.jsonl`, `.ndjson` and
    /// `.json` are JSON Lines, anything else CSV), its name as given.
    pub fn path(path: impl Into<PathBuf>) -> InputSource {
        let path = path.into();
        InputSource {
            name: path.display().to_string(),
            format: Format::from_path(&path),
            open: Box::new(move || crate::sources::open_input_file(&path)),
        }
    }

    /// Any reader, named `name` in outputs and errors.
    ///
    /// ```
    /// use cordon::{Format, InputSource};
    /// let body = b"id,date\nTX-1,2024-01-02\n";
    /// let input = InputSource::reader("request-42", Format::Csv, &body[..]);
    /// assert_eq!(input.name(), "request-42");
    /// ```
    pub fn reader(name: impl Into<String>, format: Format, reader: impl Read + Send + 'static) -> InputSource {
        InputSource { name: name.into(), format, open: Box::new(move || Ok(Box::new(reader))) }
    }

    /// The same source read as `format`.
    pub fn with_format(mut self, format: Format) -> InputSource {
        self.format = format;
        self
    }

    /// Its display name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its format.
    pub fn format(&self) -> Format {
        self.format
    }
}

/// Stops a run from another thread: the run ends with
/// [`RunError::Cancelled`] before its next batch.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token not yet cancelled.
    pub fn new() -> CancelToken {
        CancelToken::default()
    }

    /// Asks the runs holding this token to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether [`CancelToken::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// How a run reads and what it keeps. The defaults are what `cordon check`
/// does.
#[derive(Debug, Clone)]
pub struct RunOptions {
    config: Arc<InputConfig>,
    batch: usize,
    limits: Limits,
    max_tracked_ids: usize,
    max_records: Option<u64>,
    cancel: Option<CancelToken>,
    keep_flagged: bool,
    explain: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            config: Arc::new(InputConfig::standard()),
            batch: BATCH,
            limits: Limits::default(),
            max_tracked_ids: MAX_TRACKED_IDS,
            max_records: None,
            cancel: None,
            keep_flagged: false,
            explain: false,
        }
    }
}

impl RunOptions {
    /// The defaults: the standard column names and formats, no limit on
    /// the number of records.
    pub fn new() -> RunOptions {
        RunOptions::default()
    }

    /// Maps the inputs' columns and formats with `config` (`cordon check
    /// --config`).
    pub fn config(mut self, config: Arc<InputConfig>) -> RunOptions {
        self.config = config;
        self
    }

    /// Reads and evaluates `rows` rows at a time instead of [`BATCH`]
    /// (results do not depend on it).
    pub fn batch(mut self, rows: usize) -> RunOptions {
        self.batch = rows.max(1);
        self
    }

    /// Size limits on lines, fields and columns.
    pub fn limits(mut self, limits: Limits) -> RunOptions {
        self.limits = limits;
        self
    }

    /// Remembers at most `ids` record ids for the repeat check (default
    /// [`MAX_TRACKED_IDS`]); later records are counted as unchecked.
    pub fn max_tracked_ids(mut self, ids: usize) -> RunOptions {
        self.max_tracked_ids = ids;
        self
    }

    /// Stops with [`RunError::TooManyRecords`] once more than `records` are
    /// read: a service bounds a request this way (nothing is passed
    /// unread: the run fails).
    pub fn max_records(mut self, records: u64) -> RunOptions {
        self.max_records = Some(records);
        self
    }

    /// Stops the run when `token` is cancelled.
    pub fn cancel(mut self, token: CancelToken) -> RunOptions {
        self.cancel = Some(token);
        self
    }

    /// Keeps the typed record of each record with a finding or a
    /// data-quality problem (reports show its parties and goods).
    pub fn keep_flagged_records(mut self, keep: bool) -> RunOptions {
        self.keep_flagged = keep;
        self
    }

    /// Explains each record with a finding, condition by condition (the
    /// reference evaluator, on the evaluating cores).
    pub fn explain(mut self, explain: bool) -> RunOptions {
        self.explain = explain;
        self
    }

    #[doc(hidden)]
    /// The input config.
    pub fn input_config(&self) -> &Arc<InputConfig> {
        &self.config
    }

    /// The size limits.
    pub(crate) fn limits_of(&self) -> Limits {
        self.limits
    }

    /// Whether records with a finding are explained.
    pub(crate) fn explains(&self) -> bool {
        self.explain
    }

    fn cancelled(&self) -> bool {
        self.cancel.as_ref().is_some_and(CancelToken::is_cancelled)
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
    /// A stage failed.
    #[error("{0}")]
    #[diagnostic(code(cordon::stage))]
    Stage(Box<dyn std::error::Error + Send + Sync>),
    /// The run was cancelled.
    #[error("the run was cancelled")]
    #[diagnostic(code(cordon::cancelled))]
    Cancelled,
    /// More records than the run allows were read.
    #[error("more than {limit} records were read, the limit of this run; none was passed")]
    #[diagnostic(code(cordon::limit), help("split the input, or raise the limit"))]
    TooManyRecords {
        /// The limit.
        limit: u64,
    },
}

/// Why a stage failed.
#[derive(Debug, thiserror::Error)]
pub enum StageError {
    /// Writing failed (an output sink): the run ends with [`RunError::Output`].
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// Anything else: the run ends with [`RunError::Stage`].
    #[error(transparent)]
    Other(Box<dyn std::error::Error + Send + Sync>),
}

impl From<StageError> for RunError {
    fn from(e: StageError) -> Self {
        match e {
            StageError::Io(e) => RunError::Output(e),
            StageError::Other(e) => RunError::Stage(e),
        }
    }
}

/// One input of a run, as stages see it.
#[derive(Debug, Clone, Copy)]
pub struct InputInfo<'a> {
    index: usize,
    layout: &'a Layout,
    rules: &'a RuleSet,
}

impl<'a> InputInfo<'a> {
    /// Its position among the run's inputs.
    pub fn index(&self) -> usize {
        self.index
    }

    /// Its display name.
    pub fn name(&self) -> &'a str {
        &self.layout.name
    }

    #[doc(hidden)]
    /// The rule set of the run.
    pub fn rules(&self) -> &'a RuleSet {
        self.rules
    }

    #[doc(hidden)]
    /// How its columns map onto the schema.
    pub fn layout(&self) -> &'a Layout {
        self.layout
    }
}

/// One record's outcome, handed to each stage in input order.
#[derive(Debug, Clone, Copy)]
pub struct Item<'a> {
    outcome: &'a RecordOutcome,
    rendered: &'a [u8],
    id_hash: Option<u64>,
    input: InputInfo<'a>,
}

impl<'a> Item<'a> {
    #[doc(hidden)]
    /// The outcome, as the engine holds it (rules and fields by index).
    pub fn outcome(&self) -> &'a RecordOutcome {
        self.outcome
    }

    /// The decision, or `None` for a record that could not be read.
    pub fn decision(&self) -> Option<Decision> {
        match self.outcome {
            RecordOutcome::Evaluated(e) => Some(e.decision),
            RecordOutcome::Invalid(_) => None,
        }
    }

    /// The record's id, when it could be read.
    pub fn id(&self) -> Option<&'a str> {
        match self.outcome {
            RecordOutcome::Evaluated(e) => Some(&e.id),
            RecordOutcome::Invalid(i) => i.id.as_deref(),
        }
    }

    /// The line the record starts on.
    pub fn line(&self) -> u64 {
        self.outcome.line()
    }

    /// The input it came from.
    pub fn input(&self) -> InputInfo<'a> {
        self.input
    }

    /// The transaction date of an evaluated record.
    pub fn date(&self) -> Option<Date> {
        match self.outcome {
            RecordOutcome::Evaluated(e) => Some(e.date),
            RecordOutcome::Invalid(_) => None,
        }
    }

    /// A field's typed value. Records are kept for every stage only when
    /// a stage [`needs_records`](Stage::needs_records); otherwise this is
    /// `None` for clean records.
    pub fn value(&self, field: &str) -> Option<Value> {
        let RecordOutcome::Evaluated(e) = self.outcome else { return None };
        let f = self.input.rules.schema.field(field)?;
        Some(e.record.as_deref()?.cells.get(f)?.get()?.to_value())
    }

    /// The bytes the run's renderer made of the outcome (a JSON Lines line),
    /// or empty.
    pub fn rendered(&self) -> &'a [u8] {
        self.rendered
    }

    /// The outcome as an owned, serialisable result, as JSON outputs write it.
    pub fn result(&self) -> crate::results::RecordResult {
        crate::results::RecordResult::new(self.input.rules, self.input.name(), self.outcome)
    }
}

/// One step of a run's in-order stage: sees every record's outcome in input
/// order, on one thread, after the run's own counts. Outputs, reports,
/// running totals and decision logs are stages.
pub trait Stage {
    /// Whether the stage reads record values ([`Item::value`]); the run then
    /// keeps every record's cells until the stages have seen it.
    fn needs_records(&self) -> bool {
        false
    }

    /// An input is about to be read.
    fn begin_input(&mut self, input: &InputInfo<'_>) -> Result<(), StageError> {
        let _ = input;
        Ok(())
    }

    /// One record, in input order.
    fn record(&mut self, item: &Item<'_>) -> Result<(), StageError>;

    /// An input was read to its end; `sha256` is the fingerprint of its bytes.
    fn end_input(&mut self, input: &InputInfo<'_>, sha256: &str) -> Result<(), StageError> {
        let _ = (input, sha256);
        Ok(())
    }

    /// The run is over: `summary` holds the counts and what earlier stages
    /// added; a stage may add its own figures.
    fn finish(&mut self, summary: &mut RunSummary) -> Result<(), StageError> {
        let _ = summary;
        Ok(())
    }
}

/// A stage made of a function called on each record (see [`each_record`]).
pub struct EachRecord<F>(F);

impl<F> std::fmt::Debug for EachRecord<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EachRecord")
    }
}

/// A stage that calls `f` on each record, in input order.
///
/// ```
/// # use cordon::{Engine, Format, InputSource, MemSources, LoadOptions, RunOptions};
/// # let pack = MemSources::new().with("r.cordon", "regime R\nrule R-1 { title: \"t\" cite: \"c\" severity: review when: origin in { KP } }\n");
/// # let engine = Engine::from_sources(&pack, &LoadOptions::new()).unwrap();
/// let csv = "id,date,origin,destination,hs_code\nTX-1,2024-01-02,KP,CN,2701\nTX-2,2024-01-02,CN,JP,2701\n";
/// let mut ids = Vec::new();
/// let mut collect = cordon::each_record(|item| {
///     ids.push(item.id().unwrap_or_default().to_string());
///     Ok(())
/// });
/// let input = InputSource::reader("upload.csv", Format::Csv, std::io::Cursor::new(csv));
/// engine.run(vec![input], &RunOptions::new(), &mut [&mut collect]).unwrap();
/// assert_eq!(ids, ["TX-1", "TX-2"]);
/// ```
pub fn each_record<F: FnMut(&Item<'_>) -> Result<(), StageError>>(f: F) -> EachRecord<F> {
    EachRecord(f)
}

impl<F: FnMut(&Item<'_>) -> Result<(), StageError>> Stage for EachRecord<F> {
    fn record(&mut self, item: &Item<'_>) -> Result<(), StageError> {
        (self.0)(item)
    }
}

/// Renders an outcome on the evaluating cores (a JSON Lines line, say), so
/// the in-order stage only writes bytes.
pub type Render<'a> = dyn Fn(&RecordOutcome) -> Vec<u8> + Sync + 'a;

/// An input opened for a run (header read); its bytes are hashed as they
/// are read.
pub struct OpenInput {
    input: Input,
    hash: Arc<Mutex<Sha256>>,
}

impl std::fmt::Debug for OpenInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenInput").field("name", &self.input.layout.name).finish()
    }
}

impl OpenInput {
    /// Opens `source` as the `file`-th input of a run over `program`.
    pub(crate) fn open(
        source: InputSource,
        file: usize,
        program: &Program,
        opts: &RunOptions,
    ) -> Result<OpenInput, InputError> {
        let spec = InputSpec { path: PathBuf::from(&source.name), name: source.name.clone(), format: source.format };
        let hash = Arc::new(Mutex::new(Sha256::new()));
        let inner = (source.open)().map_err(|e| InputError::Io { file: source.name.clone(), source: e })?;
        let reader = HashingReader { inner, hash: Arc::clone(&hash) };
        let schema = Arc::clone(&program.rules.schema);
        let input = Input::from_reader(reader, &spec, file, schema, Arc::clone(&opts.config), opts.limits)?;
        Ok(OpenInput { input, hash })
    }

    /// The layout (column mapping) of this input.
    pub fn layout(&self) -> &Layout {
        &self.input.layout
    }

    /// The layout, shared (for callers that type records themselves).
    pub fn layout_shared(&self) -> Arc<Layout> {
        Arc::clone(&self.input.layout)
    }

    /// Reads up to `n` raw rows (for callers that type records themselves).
    pub fn next_batch(&mut self, n: usize) -> Result<Vec<Raw>, InputError> {
        self.input.next_batch(n)
    }

    /// The SHA-256 of the bytes read so far: the whole input once read.
    fn finish_hash(&mut self) -> String {
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

/// Opens every input (reading headers) before any record is evaluated, so
/// an unusable input stops the run before output starts; every unusable
/// input is reported.
pub(crate) fn open_all(
    program: &Program,
    sources: Vec<InputSource>,
    opts: &RunOptions,
) -> Result<Vec<OpenInput>, Vec<InputError>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, source) in sources.into_iter().enumerate() {
        match OpenInput::open(source, i, program, opts) {
            Ok(o) => out.push(o),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// An outcome as the evaluating cores hand it on.
struct Evaluation {
    outcome: RecordOutcome,
    rendered: Vec<u8>,
    id_hash: Option<u64>,
}

/// What evaluates batches: the program and what to keep and render.
struct Evaluator<'a> {
    program: &'a Program,
    keep: Keep,
    explain: bool,
    render: Option<&'a Render<'a>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    None,
    Flagged,
    All,
}

impl Evaluator<'_> {
    /// Parses, evaluates and renders one batch of raw rows on all cores, in
    /// order, with the hash of each record's id for the repeat check.
    fn batch(&self, layout: &Layout, batch: Vec<Raw>) -> Vec<Evaluation> {
        batch.into_par_iter().map(|raw| self.one(layout, raw)).collect()
    }

    fn one(&self, layout: &Layout, raw: Raw) -> Evaluation {
        let outcome = match layout.parse(&raw) {
            Ok(rec) => {
                let mut e = crate::eval::evaluate(self.program, &rec);
                let flagged = !e.findings.is_empty() || !e.data_quality.is_empty();
                if self.explain && !e.findings.is_empty() {
                    e.explanation = Some(Box::new(crate::explain::explain(&self.program.rules, &rec).0));
                }
                if self.keep == Keep::All || (self.keep == Keep::Flagged && flagged) {
                    e.record = Some(Box::new(rec.into_owned()));
                }
                RecordOutcome::Evaluated(e)
            }
            Err(inv) => RecordOutcome::Invalid(inv),
        };
        let rendered = self.render.map(|r| r(&outcome)).unwrap_or_default();
        let id_hash = ids::id_key(&outcome);
        Evaluation { outcome, rendered, id_hash }
    }
}

/// The in-order stage: the run's counts, its repeat check, then the
/// caller's stages, record by record.
struct Sequencer<'s, 't, 'r> {
    rules: &'r RuleSet,
    tally: tally::Tally<'r>,
    ids: ids::IdTracker,
    stages: &'s mut [&'t mut dyn Stage],
    opts: &'r RunOptions,
    read: u64,
}

impl Sequencer<'_, '_, '_> {
    fn each(&mut self, f: &mut dyn FnMut(&mut dyn Stage) -> Result<(), StageError>) -> Result<(), RunError> {
        f(&mut self.tally)?;
        f(&mut self.ids)?;
        for s in self.stages.iter_mut() {
            f(&mut **s)?;
        }
        Ok(())
    }

    fn begin(&mut self, layout: &Layout, index: usize) -> Result<(), RunError> {
        let info = InputInfo { index, layout, rules: self.rules };
        self.each(&mut |s| s.begin_input(&info))
    }

    fn batch(&mut self, layout: &Layout, index: usize, batch: Vec<Evaluation>) -> Result<(), RunError> {
        if self.opts.cancelled() {
            return Err(RunError::Cancelled);
        }
        for ev in batch {
            self.read += 1;
            if let Some(limit) = self.opts.max_records
                && self.read > limit
            {
                return Err(RunError::TooManyRecords { limit });
            }
            let item = Item {
                outcome: &ev.outcome,
                rendered: &ev.rendered,
                id_hash: ev.id_hash,
                input: InputInfo { index, layout, rules: self.rules },
            };
            self.each(&mut |s| s.record(&item))?;
        }
        Ok(())
    }

    fn end(&mut self, layout: &Layout, index: usize, sha256: &str) -> Result<(), RunError> {
        let info = InputInfo { index, layout, rules: self.rules };
        self.each(&mut |s| s.end_input(&info, sha256))
    }

    fn finish(self) -> Result<RunSummary, RunError> {
        let mut summary = self.tally.into_summary();
        let mut ids = self.ids;
        ids.finish(&mut summary)?;
        for s in self.stages.iter_mut() {
            s.finish(&mut summary)?;
        }
        Ok(summary)
    }
}

/// Runs `program` over opened inputs: every record is evaluated, in
/// parallel on the current rayon pool, and handed to the stages in input
/// order. `render`, if given, renders each outcome on the evaluating cores.
pub(crate) fn run(
    program: &Program,
    inputs: Vec<OpenInput>,
    opts: &RunOptions,
    render: Option<&Render<'_>>,
    stages: &mut [&mut dyn Stage],
) -> Result<RunSummary, RunError> {
    let keep = if stages.iter().any(|s| s.needs_records()) {
        Keep::All
    } else if opts.keep_flagged {
        Keep::Flagged
    } else {
        Keep::None
    };
    let eval = Evaluator { program, keep, explain: opts.explain, render };
    let mut seq = Sequencer {
        rules: &program.rules,
        tally: tally::Tally::new(&program.rules),
        ids: ids::IdTracker::with_cap(opts.max_tracked_ids),
        stages,
        opts,
        read: 0,
    };
    for (index, input) in inputs.into_iter().enumerate() {
        let layout = Arc::clone(&input.input.layout);
        seq.begin(&layout, index)?;
        let mut input = if rayon::current_num_threads() == 1 {
            read_here(&eval, input, &layout, index, &mut seq, opts)?
        } else {
            read_pipelined(&eval, input, &layout, index, &mut seq, opts)?
        };
        let sha256 = input.finish_hash();
        seq.end(&layout, index, &sha256)?;
    }
    seq.finish()
}

/// One worker thread: read, evaluate and sequence on this thread, one batch
/// after another.
fn read_here(
    eval: &Evaluator<'_>,
    mut input: OpenInput,
    layout: &Layout,
    index: usize,
    seq: &mut Sequencer<'_, '_, '_>,
    opts: &RunOptions,
) -> Result<OpenInput, RunError> {
    loop {
        let batch = input.input.next_batch(opts.batch).map_err(RunError::Input)?;
        if batch.is_empty() {
            return Ok(input);
        }
        seq.batch(layout, index, eval.batch(layout, batch))?;
    }
}

/// Three steps at once: a thread reads batches, another evaluates each batch
/// on all cores, this one sequences them in input order. Bounded channels
/// keep memory flat.
fn read_pipelined(
    eval: &Evaluator<'_>,
    input: OpenInput,
    layout: &Layout,
    index: usize,
    seq: &mut Sequencer<'_, '_, '_>,
    opts: &RunOptions,
) -> Result<OpenInput, RunError> {
    std::thread::scope(|scope| -> Result<OpenInput, RunError> {
        let (batch_tx, batch_rx) = std::sync::mpsc::sync_channel::<Result<Vec<Raw>, InputError>>(2);
        let (out_tx, out_rx) = std::sync::mpsc::sync_channel::<Result<Vec<Evaluation>, InputError>>(2);
        let rows = opts.batch;
        let reader = scope.spawn(move || {
            let mut input = input;
            loop {
                if opts.cancelled() {
                    break;
                }
                match input.input.next_batch(rows) {
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
        scope.spawn(move || {
            for batch in batch_rx {
                let outcomes = batch.map(|b| eval.batch(layout, b));
                let failed = outcomes.is_err();
                if out_tx.send(outcomes).is_err() || failed {
                    break;
                }
            }
        });
        // An error here drops the receiver: the other two threads stop at
        // their next send, and the scope waits for them.
        for outcomes in out_rx {
            seq.batch(layout, index, outcomes.map_err(RunError::Input)?)?;
        }
        if opts.cancelled() {
            return Err(RunError::Cancelled);
        }
        reader.join().map_err(|_| {
            RunError::Input(InputError::Io {
                file: layout.name.clone(),
                source: std::io::Error::other("the reading thread failed"),
            })
        })
    })
}
