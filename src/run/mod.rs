//! A run: records read from any number of inputs, evaluated on every core,
//! and handed in input order to a list of in-order [`Stage`]s — the counts,
//! the repeat-id check, then the caller's own (an output writer, a report
//! collector, running totals, a decision log).
//!
//! ```text
//! reader thread ──chunks──▶ evaluating cores ──outcomes──▶ sequencer (this thread)
//!  (cut at line breaks,      (split, type, evaluate,        tally → ids → stages…
//!   hash, number lines)       explain, render, hash ids)    in input order
//! ```
//!
//! The reader only cuts the input into chunks of whole lines (about
//! [`CHUNK_BYTES`]) and hashes them; everything per record happens on the
//! cores, one chunk to a core; the sequencer puts chunks back in input order.
//! A chunk that ends inside a quoted CSV field says so, and the sequencer
//! reads its unfinished record again with the next chunk (the next chunk's
//! own reading started in the wrong place and is dropped). Memory stays
//! flat: a fixed number of chunks is in flight. With one worker thread the
//! same chunks are read, evaluated and sequenced on the calling thread.

pub mod counting;
mod ids;
pub mod log;
pub mod summary;
mod tally;

pub use crate::records::chunk::CHUNK_BYTES;
pub use ids::MAX_TRACKED_IDS;
pub use summary::{
    Decisions, DuplicateId, DuplicateIds, InputStats, ListCoverage, MAX_DUPLICATE_EXAMPLES, MissingColumnNote,
    MissingGroupNote, RunSummary, Skipped,
};
pub use tally::CheckTally;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use sha2::{Digest, Sha256};

use crate::check::RuleSet;
use crate::compile::Program;
use crate::config::InputConfig;
use crate::findings::{Decision, RecordOutcome};
use crate::records::chunk::Chunk;
use crate::records::csv::{Split, Splitter};
use crate::records::{
    Cell, Format, Input, InputError, InputSpec, Invalid, Layout, Limits, Raw, Record, TypeCsv, Value, Work,
};
use crate::source::hex;
use crate::values::Date;

/// JSON Lines rows read and evaluated together by default; large enough to
/// keep every core busy, small enough to bound memory.
pub const BATCH: usize = 4096;

/// A source of records, not yet opened: a file, or any reader (a request
/// body, a socket, a decompressor).
pub struct InputSource {
    name: String,
    format: Format,
    open: Box<dyn FnOnce() -> std::io::Result<Box<dyn Read + Send>> + Send>,
    /// The file, for a source that can be opened again (closed after its
    /// header is read when a run has several inputs).
    path: Option<PathBuf>,
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
        let reopen = path.clone();
        InputSource {
            name: path.display().to_string(),
            format: Format::from_path(&path),
            open: Box::new(move || crate::sources::open_input_file(&path)),
            path: Some(reopen),
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
        InputSource { name: name.into(), format, open: Box::new(move || Ok(Box::new(reader))), path: None }
    }

    /// The same source shown as `name` in outputs and errors (a spooled
    /// standard input read from its temporary file is still `stdin`).
    pub fn with_name(mut self, name: impl Into<String>) -> InputSource {
        self.name = name.into();
        self
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
    chunk_bytes: usize,
    limits: Limits,
    max_tracked_ids: usize,
    max_records: Option<u64>,
    cancel: Option<CancelToken>,
    keep_flagged: bool,
    explain: bool,
    standings: Option<Arc<crate::aggregate::Standings>>,
    counting: bool,
    lean: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            config: Arc::new(InputConfig::standard()),
            batch: BATCH,
            chunk_bytes: CHUNK_BYTES,
            limits: Limits::default(),
            max_tracked_ids: MAX_TRACKED_IDS,
            max_records: None,
            cancel: None,
            keep_flagged: false,
            explain: false,
            standings: None,
            counting: false,
            lean: false,
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

    /// Reads and evaluates `rows` JSON Lines rows at a time instead of
    /// [`BATCH`] (results do not depend on it).
    pub fn batch(mut self, rows: usize) -> RunOptions {
        self.batch = rows.max(1);
        self
    }

    /// Cuts CSV into chunks of about `bytes` instead of [`CHUNK_BYTES`]
    /// (results do not depend on it).
    pub fn chunk_bytes(mut self, bytes: usize) -> RunOptions {
        self.chunk_bytes = bytes.max(1);
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
    /// Where every record counted by rules over many records stands, worked
    /// out by a first pass over the inputs: their findings are added to the
    /// records as they are evaluated.
    pub fn standings(mut self, standings: Arc<crate::aggregate::Standings>) -> RunOptions {
        self.standings = Some(standings);
        self
    }

    #[doc(hidden)]
    /// Types only the CSV fields a rule reads (and the required ones): for
    /// runs whose outputs show no record's values or data-quality problems
    /// (`check --format summary`). Decisions and counts are unchanged.
    pub fn type_only_what_rules_read(mut self) -> RunOptions {
        self.lean = true;
        self
    }

    /// The first, counting pass: only what counts over many records is evaluated.
    pub(crate) fn counting(mut self) -> RunOptions {
        self.counting = true;
        self.explain = false;
        self.lean = false;
        self
    }

    pub(crate) fn standings_of(&self) -> Option<&crate::aggregate::Standings> {
        self.standings.as_deref()
    }

    #[doc(hidden)]
    /// The standings a first, counting pass added, shared.
    pub fn standings_shared(&self) -> Option<Arc<crate::aggregate::Standings>> {
        self.standings.clone()
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
    /// An input's bytes differ from those the counting pass read: the
    /// totals and the decisions would not be of the same records.
    #[error("`{file}` changed between the counting pass and the check (sha256 {counted} then {read})")]
    #[diagnostic(
        code(cordon::input_changed),
        help("a run that counts reads its inputs twice; run it again when nothing writes to `{file}`")
    )]
    InputChanged {
        /// The input.
        file: String,
        /// Its SHA-256 as counted.
        counted: String,
        /// Its SHA-256 as read the second time.
        read: String,
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
    size: Option<InputSize>,
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

    /// Its size, once read to its end ([`Stage::end_input`]).
    pub fn size(&self) -> Option<InputSize> {
        self.size
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

    /// The records of one piece of work have all been handed over (a chunk
    /// of a file, or what a pipe had): a stage that writes may flush here,
    /// so that a record fed alone is answered at once, while a file's
    /// output is still written in large blocks.
    fn batch_end(&mut self) -> Result<(), StageError> {
        Ok(())
    }

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

/// Renders an outcome on the evaluating cores (a JSON Lines line, say),
/// appending to the buffer, so the in-order stage only writes bytes.
pub type Render<'a> = dyn Fn(&RecordOutcome, &mut Vec<u8>) + Sync + 'a;

/// An input opened for a run (header read); its bytes are hashed as they
/// are read.
pub struct OpenInput {
    input: Input,
    hash: Arc<Mutex<Hashed>>,
    /// A regular file closed after its header was read, and how to open it
    /// again: (its path, its spec, the chunk size).
    parked: Option<(PathBuf, InputSpec, usize)>,
}

impl OpenInput {
    /// Types only the fields in `mask` (a bit set of field ids) of this
    /// input's CSV records; the others read as empty. For a pass whose rules
    /// read nothing else.
    /// Of those, the fields in `on_demand` are typed only for records whose
    /// candidate rules read them.
    /// With `unread`, the fields outside `mask` are not looked at at all.
    pub(crate) fn type_only(&mut self, mask: u64, on_demand: u64, unread: bool) {
        if let Some(layout) = Arc::get_mut(&mut self.input.layout) {
            layout.type_on_demand(mask, on_demand, unread);
        }
    }
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
        let hash = Arc::new(Mutex::new(Hashed::default()));
        let inner = (source.open)().map_err(|e| InputError::Io { file: source.name.clone(), source: e })?;
        let reader = HashingReader { inner, hash: Arc::clone(&hash) };
        let schema = Arc::clone(&program.rules.schema);
        let config = Arc::clone(&opts.config);
        let input = Input::with_chunks(Box::new(reader), &spec, file, schema, config, opts.limits, opts.chunk_bytes)?;
        Ok(OpenInput { input, hash, parked: source.path.map(|p| (p, spec, opts.chunk_bytes)) })
    }

    /// Closes a regular file once its header is read (a FIFO or a reader
    /// cannot be read twice and stays open).
    fn park(&mut self) {
        match &self.parked {
            Some((p, ..)) if crate::sources::is_regular_file(p) => self.input.close(),
            _ => self.parked = None,
        }
    }

    /// Opens a closed file again, its fingerprint started afresh.
    fn unpark(&mut self) -> Result<(), InputError> {
        if !self.input.is_closed() {
            return Ok(());
        }
        let Some((path, spec, chunk_bytes)) = &self.parked else { return Ok(()) };
        let inner =
            crate::sources::open_input_file(path).map_err(|e| InputError::Io { file: spec.name.clone(), source: e })?;
        *self.hash.lock().unwrap_or_else(|p| p.into_inner()) = Hashed::default();
        let reader = HashingReader { inner, hash: Arc::clone(&self.hash) };
        self.input.reopen(Box::new(reader), spec, *chunk_bytes)
    }

    /// How many records a regular file may hold, from its size: an
    /// overestimate (a record of 64 bytes), so the repeat-id table is sized
    /// once instead of doubling (and rehashing) its way to a million ids.
    fn expected_records(&self) -> Option<usize> {
        let (path, ..) = self.parked.as_ref()?;
        usize::try_from(crate::sources::regular_file_len(path)? / 64).ok()
    }

    /// The layout (column mapping) of this input.
    pub fn layout(&self) -> &Layout {
        &self.input.layout
    }

    /// The layout, shared (for callers that type records themselves).
    pub fn layout_shared(&self) -> Arc<Layout> {
        Arc::clone(&self.input.layout)
    }

    /// Reads raw rows (for callers that type records themselves); empty at
    /// the end.
    pub fn next_batch(&mut self, n: usize) -> Result<Vec<Raw>, InputError> {
        self.unpark()?;
        self.input.next_batch(n)
    }

    /// The SHA-256 of the bytes read so far: the whole input once read.
    fn finish_hash(&mut self) -> (String, InputSize) {
        let mut g = self.hash.lock().unwrap_or_else(|p| p.into_inner());
        let h = std::mem::take(&mut *g);
        let size = h.size();
        (hex(&h.sha.finalize()), size)
    }
}

struct HashingReader<R> {
    inner: R,
    hash: Arc<Mutex<Hashed>>,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.lock().unwrap_or_else(|p| p.into_inner()).update(&buf[..n]);
        Ok(n)
    }
}

/// What is measured of an input's bytes as they are read: its SHA-256,
/// its size and its physical lines (a report's population table).
#[derive(Default)]
struct Hashed {
    sha: Sha256,
    bytes: u64,
    newlines: u64,
    ends_in_newline: bool,
}

impl Hashed {
    fn update(&mut self, b: &[u8]) {
        self.sha.update(b);
        self.bytes += b.len() as u64;
        self.newlines += memchr::memchr_iter(b'\n', b).count() as u64;
        if let Some(last) = b.last() {
            self.ends_in_newline = *last == b'\n';
        }
    }

    /// The size: bytes, and lines (a last line without a line break counts).
    fn size(&self) -> InputSize {
        InputSize { bytes: self.bytes, lines: self.newlines + u64::from(self.bytes > 0 && !self.ends_in_newline) }
    }
}

/// An input's size, measured as it was read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InputSize {
    /// Bytes.
    pub bytes: u64,
    /// Physical lines (header and lines inside quoted fields included).
    pub lines: u64,
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
    // With several inputs, each file is closed once its header is read and
    // opened again when the run reaches it: one file open at a time.
    let several = sources.len() > 1;
    for (i, source) in sources.into_iter().enumerate() {
        match OpenInput::open(source, i, program, opts) {
            Ok(mut o) => {
                if several {
                    o.park();
                }
                out.push(o);
            }
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// An outcome as the evaluating cores hand it on: its rendering is
/// `rendered[start..end]` of its [`Done`].
struct Evaluation {
    outcome: RecordOutcome,
    rendered: (usize, usize),
    id_hash: Option<u64>,
}

/// One piece of work evaluated: its outcomes in order, their renderings in
/// one buffer, and a CSV record the chunk left unfinished.
#[derive(Default)]
struct Done {
    evals: Vec<Evaluation>,
    rendered: Vec<u8>,
    /// The bytes and line of the record left unfinished at the chunk's end.
    unfinished: Option<(Vec<u8>, u64)>,
    /// The chunk evaluated, kept in case it must be read again (the one
    /// before it left a record unfinished).
    chunk: Option<Chunk>,
    /// Lines inside quoted fields (records spanning lines) in this piece.
    quoted_lines: u64,
    /// The input ended inside a quote opened on this line, swallowing so
    /// many lines: the file is in error once the records before it are in.
    open_quote: Option<(u64, u64)>,
}

/// What evaluates work: the program and what to keep and render.
struct Evaluator<'a> {
    program: &'a Program,
    keep: Keep,
    explain: bool,
    render: Option<&'a Render<'a>>,
    standings: Option<&'a crate::aggregate::Standings>,
    counting: bool,
    /// Nothing shows a record's values or data quality: records are typed
    /// for their candidate rules only, and evaluated for decisions and counts.
    lean: bool,
    /// Buffers of pieces of work the in-order stage is done with, for the
    /// next pieces: a chunk's outcomes take megabytes, and a fresh
    /// allocation of that size is fresh pages from the system each time.
    spare: Mutex<Vec<(Vec<Evaluation>, Vec<u8>)>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    None,
    Flagged,
    All,
}

impl Evaluator<'_> {
    /// Splits (CSV), types, evaluates and renders one piece of work, in order.
    fn work(&self, layout: &Layout, work: Work, splitter: &mut Splitter) -> Done {
        let mut done = Done::default();
        if let Some((evals, rendered)) = self.spare.lock().unwrap_or_else(|p| p.into_inner()).pop() {
            (done.evals, done.rendered) = (evals, rendered);
        }
        match work {
            Work::Csv(chunk) => {
                done.evals.reserve(chunk.bytes.len() / 128);
                let before = splitter.quoted_lines;
                let bytes = &chunk.bytes[..];
                let (valid, ascii) = crate::records::csv::valid_text(bytes);
                // One set of cells, handed from record to record of the chunk.
                let mut cells = Vec::new();
                // A record's candidate rules, when marked while typing it
                // (to type the fields they read): not marked again.
                let (mut candidates, mut marked) = (Vec::new(), false);
                let split = splitter.split_valid(bytes, (valid, ascii), chunk.first_line, chunk.last, |row| {
                    let typed = layout.type_csv(row, (bytes, valid), std::mem::take(&mut cells), |c| {
                        marked = true;
                        if !self.counting {
                            return self.program.index.candidates_and_needs(c, &mut candidates);
                        }
                        // A record a rule over many records may count is typed
                        // in full: its content hash reads every field.
                        self.program.counting.candidates_and_needs(c, &mut candidates);
                        if candidates.contains(&true) { u64::MAX } else { 0 }
                    });
                    let given = std::mem::take(&mut marked).then_some(&candidates[..]);
                    match typed {
                        Ok(rec) => cells = self.one(Ok(rec), given, &mut done).unwrap_or_default(),
                        Err(TypeCsv::Invalid(inv)) => _ = self.one(Err(inv), None, &mut done),
                        Err(TypeCsv::Copy(kept)) => {
                            cells = kept;
                            if let Some(spent) = self.one(layout.parse_csv(row), None, &mut done) {
                                crate::records::release(spent);
                            }
                        }
                    }
                });
                crate::records::release(cells);
                done.quoted_lines = splitter.quoted_lines - before;
                match split {
                    Split::Unfinished { at, line } => done.unfinished = Some((chunk.bytes[at..].to_vec(), line)),
                    Split::OpenQuote { line, lines } => done.open_quote = Some((line, lines)),
                    Split::Clean => {}
                }
                done.chunk = Some(chunk);
            }
            Work::Rows(rows) => {
                done.evals.reserve(rows.len());
                for raw in &rows {
                    if let Some(cells) = self.one(layout.parse(raw), None, &mut done) {
                        crate::records::release(cells);
                    }
                }
            }
        }
        done
    }

    /// Evaluates and renders one record; gives back its cells when the
    /// outcome does not keep them, for the next record (or to release).
    /// `candidates`: the record's candidate rules, if marked while typing it.
    fn one<'r>(
        &self,
        parsed: Result<Record<'r>, Invalid>,
        candidates: Option<&[bool]>,
        done: &mut Done,
    ) -> Option<Vec<Cell<'r>>> {
        let mut spent = None;
        let outcome = match parsed {
            Ok(rec) => {
                let mut e = if self.counting {
                    crate::eval::evaluate_counting(self.program, &rec, candidates)
                } else if self.lean {
                    crate::eval::evaluate_for_counts(self.program, &rec, candidates)
                } else {
                    crate::eval::evaluate(self.program, &rec)
                };
                if !e.contributions.is_empty() {
                    // The counting pass only counts (the content hash is what
                    // the store keys a record by). A run without standings
                    // (one pass, a caller that did not count first) leaves
                    // every total undecided: review, never pass.
                    if self.counting {
                        e.content = Some(crate::eval::aggregate::content_hash(&rec));
                    } else {
                        crate::aggregate::Standings::attach(self.standings, &self.program.rules, &rec, &mut e);
                    }
                }
                let flagged = !e.findings.is_empty() || !e.data_quality.is_empty();
                if self.explain && !e.findings.is_empty() {
                    e.explanation = Some(Box::new(crate::explain::explain(&self.program.rules, &rec).0));
                }
                if self.keep == Keep::All || (self.keep == Keep::Flagged && flagged) {
                    e.record = Some(Box::new(rec.owned_copy()));
                }
                spent = Some(rec.cells);
                RecordOutcome::Evaluated(e)
            }
            Err(inv) => RecordOutcome::Invalid(inv),
        };
        let start = done.rendered.len();
        if let Some(render) = self.render {
            render(&outcome, &mut done.rendered);
        }
        // The counting pass's summary is not shown: no repeat check.
        let id_hash = if self.counting { None } else { ids::id_key(&outcome) };
        done.evals.push(Evaluation { outcome, rendered: (start, done.rendered.len()), id_hash });
        spent
    }

    /// Hands a piece of work's buffers back once the in-order stage is done
    /// with it (a few are kept: as many as pieces in flight); its chunk's
    /// bytes go back to the reader that cut them.
    fn recycle(&self, mut done: Done, chunks: Option<&crate::records::chunk::Spare>) {
        if let (Some(chunk), Some(spare)) = (done.chunk.take(), chunks) {
            spare.give(chunk.bytes);
        }
        done.evals.clear();
        done.rendered.clear();
        let mut spare = self.spare.lock().unwrap_or_else(|p| p.into_inner());
        if spare.len() < 8 {
            spare.push((done.evals, done.rendered));
        }
    }

    /// Work that follows a chunk which left a record unfinished: read again
    /// from that record's start, with the chunk it continues into.
    fn redo(&self, layout: &Layout, unfinished: (Vec<u8>, u64), done: Done, splitter: &mut Splitter) -> Done {
        let Some(chunk) = done.chunk else { return done };
        self.work(layout, Work::Csv(Chunk::after(Some(unfinished), chunk)), splitter)
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
        let info = InputInfo { index, layout, rules: self.rules, size: None };
        self.each(&mut |s| s.begin_input(&info))
    }

    fn done(&mut self, layout: &Layout, index: usize, done: &Done) -> Result<(), RunError> {
        if self.opts.cancelled() {
            return Err(RunError::Cancelled);
        }
        // The repeat check first, over the records the run may read.
        let allowed = match self.opts.max_records {
            Some(limit) => usize::try_from(limit.saturating_sub(self.read)).unwrap_or(usize::MAX),
            None => usize::MAX,
        };
        self.ids.see_all(done.evals.iter().take(allowed).map(|ev| (ev.id_hash, &ev.outcome)));
        for ev in &done.evals {
            self.read += 1;
            if let Some(limit) = self.opts.max_records
                && self.read > limit
            {
                return Err(RunError::TooManyRecords { limit });
            }
            let item = Item {
                outcome: &ev.outcome,
                rendered: &done.rendered[ev.rendered.0..ev.rendered.1],
                id_hash: ev.id_hash,
                input: InputInfo { index, layout, rules: self.rules, size: None },
            };
            // Every stage but the repeat check, which saw the records above.
            self.tally.record(&item)?;
            for s in self.stages.iter_mut() {
                s.record(&item)?;
            }
        }
        self.tally.quoted_lines(done.quoted_lines);
        self.each(&mut |s| s.batch_end())?;
        match done.open_quote {
            Some((line, lines)) => {
                Err(RunError::Input(InputError::OpenQuote { file: layout.name.clone(), line, lines }))
            }
            None => Ok(()),
        }
    }

    fn end(&mut self, layout: &Layout, index: usize, sha256: &str, size: InputSize) -> Result<(), RunError> {
        if let Some(counted) = self.opts.standings.as_deref().and_then(|s| s.inputs.get(index))
            && counted != sha256
        {
            return Err(RunError::InputChanged {
                file: layout.name.clone(),
                counted: counted.clone(),
                read: sha256.to_string(),
            });
        }
        let info = InputInfo { index, layout, rules: self.rules, size: Some(size) };
        self.each(&mut |s| s.end_input(&info, sha256))
    }

    fn finish(self) -> Result<RunSummary, RunError> {
        let mut summary = self.tally.into_summary();
        summary.aggregates = self.opts.standings.as_deref().map(summary::AggregatesSummary::of);
        let mut ids = self.ids;
        ids.finish(&mut summary)?;
        for s in self.stages.iter_mut() {
            s.finish(&mut summary)?;
        }
        Ok(summary)
    }
}

/// Runs `program` over opened inputs: every record is evaluated, in
/// parallel on as many threads as the current rayon pool has, and handed to
/// the stages in input order. `render`, if given, renders each outcome on
/// the evaluating cores.
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
    // Nothing shows a record's values: type only what the rules read.
    let mut inputs = inputs;
    let lean = opts.lean && keep == Keep::None && render.is_none() && !opts.explain;
    if lean {
        let mask = crate::aggregate::fields_read_by_any_rule(&program.rules);
        let on_demand = program.index.on_demand();
        for i in &mut inputs {
            i.type_only(mask, on_demand, true);
        }
    }
    let eval = Evaluator {
        program,
        keep,
        explain: opts.explain,
        render,
        standings: opts.standings.as_deref(),
        counting: opts.counting,
        lean,
        spare: Mutex::default(),
    };
    let mut seq = Sequencer {
        rules: &program.rules,
        tally: tally::Tally::new(&program.rules),
        ids: ids::IdTracker::with_cap(opts.max_tracked_ids),
        stages,
        opts,
        read: 0,
    };
    let threads = rayon::current_num_threads();
    for (index, mut input) in inputs.into_iter().enumerate() {
        input.unpark().map_err(RunError::Input)?;
        if let Some(n) = input.expected_records().filter(|_| !opts.counting) {
            seq.ids.expect(n);
        }
        let layout = Arc::clone(&input.input.layout);
        seq.begin(&layout, index)?;
        let mut input = if threads == 1 {
            read_here(&eval, input, &layout, index, &mut seq, opts)?
        } else {
            read_parallel(&eval, input, &layout, index, &mut seq, opts, threads)?
        };
        let (sha256, size) = input.finish_hash();
        seq.end(&layout, index, &sha256, size)?;
    }
    seq.finish()
}

/// One worker thread: read, evaluate and sequence on this thread, one chunk
/// after another. A record a chunk leaves unfinished is read with the next.
fn read_here(
    eval: &Evaluator<'_>,
    mut input: OpenInput,
    layout: &Layout,
    index: usize,
    seq: &mut Sequencer<'_, '_, '_>,
    opts: &RunOptions,
) -> Result<OpenInput, RunError> {
    let mut splitter = Splitter::new(layout.config.delimiter);
    let mut unfinished: Option<(Vec<u8>, u64)> = None;
    let spare = input.input.spare_buffers();
    while let Some(work) = input.input.next_work(opts.batch).map_err(RunError::Input)? {
        let work = match work {
            Work::Csv(c) => Work::Csv(Chunk::after(unfinished.take(), c)),
            rows => rows,
        };
        let mut done = eval.work(layout, work, &mut splitter);
        unfinished = done.unfinished.take();
        seq.done(layout, index, &done)?;
        eval.recycle(done, spare.as_ref());
    }
    Ok(input)
}

/// The reader on its own thread, `threads` evaluating threads taking work
/// as it comes, and this thread putting their results back in input order.
/// A fixed number of pieces of work is in flight (permits go back as the
/// sequencer finishes with each), so memory stays flat however fast the
/// reader and however slow the stages.
fn read_parallel(
    eval: &Evaluator<'_>,
    input: OpenInput,
    layout: &Layout,
    index: usize,
    seq: &mut Sequencer<'_, '_, '_>,
    opts: &RunOptions,
    threads: usize,
) -> Result<OpenInput, RunError> {
    let in_flight = 2 * threads + 2;
    let spare = input.input.spare_buffers();
    std::thread::scope(|scope| -> Result<OpenInput, RunError> {
        let (permit_tx, permit_rx) = mpsc::sync_channel::<()>(in_flight);
        for _ in 0..in_flight {
            let _ = permit_tx.send(());
        }
        let (work_tx, work_rx) = mpsc::channel::<(u64, Work)>();
        let (done_tx, done_rx) = mpsc::channel::<(u64, Result<Done, InputError>)>();
        let reader = {
            let done_tx = done_tx.clone();
            scope.spawn(move || {
                let mut input = input;
                let mut n = 0u64;
                // Each piece of work waits for a permit; the sequencer gives
                // one back per piece it is done with, and dropping its end
                // (an error) stops the reader here.
                while permit_rx.recv().is_ok() && !opts.cancelled() {
                    match input.input.next_work(opts.batch) {
                        Ok(Some(work)) => {
                            if work_tx.send((n, work)).is_err() {
                                break;
                            }
                        }
                        Ok(None) => break,
                        Err(e) => {
                            let _ = done_tx.send((n, Err(e)));
                            break;
                        }
                    }
                    n += 1;
                }
                input
            })
        };
        let work_rx = Arc::new(Mutex::new(work_rx));
        for _ in 0..threads {
            let (done_tx, work_rx) = (done_tx.clone(), Arc::clone(&work_rx));
            scope.spawn(move || {
                let mut splitter = Splitter::new(layout.config.delimiter);
                loop {
                    let next = work_rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                    let Ok((n, work)) = next else { break };
                    if done_tx.send((n, Ok(eval.work(layout, work, &mut splitter)))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        let mut splitter = Splitter::new(layout.config.delimiter);
        let mut waiting: BTreeMap<u64, Result<Done, InputError>> = BTreeMap::new();
        let mut next = 0u64;
        let mut unfinished: Option<(Vec<u8>, u64)> = None;
        // Every sender gone means every piece of work has come back.
        for (n, done) in done_rx {
            waiting.insert(n, done);
            while let Some(done) = waiting.remove(&next) {
                let mut done = done.map_err(RunError::Input)?;
                if let Some(u) = unfinished.take() {
                    done = eval.redo(layout, u, done, &mut splitter);
                }
                unfinished = done.unfinished.take();
                seq.done(layout, index, &done)?;
                eval.recycle(done, spare.as_ref());
                next += 1;
                let _ = permit_tx.send(());
            }
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
