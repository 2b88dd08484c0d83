//! `cordon check`: evaluate records, print decisions and findings.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;

use clap::ValueEnum;
use cordon::unstable::atomic;
use cordon::unstable::config::{self, InputConfig};
use cordon::unstable::findings::{Decision, RecordOutcome};
use cordon::unstable::output::{self, Context, OutputFormat, Sink};
use cordon::unstable::run::log::LogStage;
use cordon::unstable::run::{OpenInput, RunError, RunOptions};
use cordon::{InputSource, Item, RunSummary, Stage, StageError};

use super::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, FailOn, RulesArg, diag};

/// `--format` values.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A table for people (default on a terminal).
    Table,
    /// One JSON object per record (default otherwise).
    Jsonl,
    /// One JSON document with a summary and all records.
    Json,
    /// One CSV row per finding.
    Csv,
    /// The run summary alone (the `summary` of `json`), with `rule_hits`: records per rule.
    Summary,
}

/// Arguments of `cordon check`.
#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    run: RunArgs,
    /// Output format [default: from the `-o` file's extension (.jsonl, .json, .csv, .txt), else a table on a
    /// terminal and JSON Lines otherwise].
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Write the output to this file instead of stdout. It appears only when the run is complete: a run that
    /// fails half way leaves the previous file, or none.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit 1 when a record is at or above this level (`invalid` ranks with review).
    #[arg(long, value_enum, default_value = "block")]
    fail_on: FailOn,
    /// Exit 1, whatever `--fail-on` says, when more than this percentage of the records read is invalid (and
    /// always when every one is): a file that is mostly unreadable is not a clean run.
    #[arg(long, value_name = "PERCENT", default_value_t = 50, value_parser = clap::value_parser!(u8).range(0..=100))]
    max_invalid: u8,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Explain each finding condition by condition (JSON formats).
    #[arg(long)]
    explain: bool,
    #[command(flatten)]
    log: super::log::RunLogArgs,
    /// JSON Lines: write the rule set's fingerprint once, in a first header line (`{"run": …}`), instead of on
    /// every decision line.
    #[arg(long)]
    compact: bool,
    /// The format of the inputs [default: from each file's name (.jsonl, .ndjson, .json: JSON Lines; else
    /// CSV); CSV for `-`].
    #[arg(long, value_enum)]
    input_format: Option<InputFormat>,
    /// Transaction files: CSV, or JSON Lines (`.jsonl`); `-` reads the standard input, and each record's
    /// decision is written as soon as it is decided when the input pauses (a filter behind a queue).
    #[arg(required = true, value_name = "FILE")]
    inputs: Vec<PathBuf>,
}

/// Common to the commands that evaluate records: the rules, the input
/// config and the reviewed screening matches.
#[derive(clap::Args, Debug)]
pub struct RunArgs {
    #[command(flatten)]
    pub rules: RulesArg,
    /// Config file mapping your column names and formats onto the schema.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Reviewed screening matches to suppress [default: reviewed-matches.yaml beside --config, if there].
    #[arg(long, value_name = "FILE")]
    pub reviewed: Option<PathBuf>,
    /// Licence register (YAML, or CSV) to check records that cite a licence against [default: the config's
    /// `licences:`, else licences.yaml or licences.csv beside --config, if there].
    #[arg(long, value_name = "FILE")]
    pub licences: Option<PathBuf>,
    #[command(flatten)]
    pub state: super::state::StateArgs,
}

impl RunArgs {
    /// The licence register: `--licences`, else `licences.yaml` or
    /// `licences.csv` beside `--config` when there is one.
    pub fn licences_path(&self) -> Option<PathBuf> {
        self.licences.clone().or_else(|| {
            let config = self.config.as_ref()?;
            let dir = config.parent().unwrap_or(std::path::Path::new(".")).to_path_buf();
            let named = cordon::unstable::config::read_source(config)
                .ok()
                .and_then(|src| cordon::unstable::config::run_files(&src).licences);
            match named {
                Some(n) => Some(dir.join(n)),
                None => ["licences.yaml", "licences.csv"].iter().map(|f| dir.join(f)).find(|p| p.is_file()),
            }
        })
    }

    /// The reviewed-matches file of the run (see [`reviewed_path`]).
    pub fn reviewed_path(&self) -> Option<PathBuf> {
        reviewed_path(self.reviewed.as_ref(), self.config.as_ref())
    }

    /// Loads the engine (with the run's clearances) and the input config,
    /// printing any problem; the error is the exit code.
    pub fn load(&self) -> Result<(cordon::Engine, Arc<InputConfig>), u8> {
        let engine = load_engine(&self.rules.rules, self.reviewed_path().as_ref(), self.licences_path().as_ref())?;
        let cfg = load_config(self.config.as_ref(), &engine.rules().schema)?;
        Ok((engine, cfg))
    }
}

/// Opens every input (headers read), printing every file that cannot be
/// used; the error is the exit code.
pub fn open_inputs(
    engine: &cordon::Engine,
    files: &[PathBuf],
    format: Option<InputFormat>,
    opts: &RunOptions,
) -> Result<Vec<OpenInput>, u8> {
    let sources: Vec<InputSource> = files.iter().map(|f| input_source(f, format)).collect();
    engine.open(sources, opts).map_err(|errs| {
        for e in &errs {
            diag::print(e);
        }
        EXIT_ERROR
    })
}

/// The format of an input: `--input-format` when given, else from the file
/// name (`.jsonl`, `.ndjson`, `.json`: JSON Lines; else CSV).
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

impl InputFormat {
    /// As the library names it.
    pub fn format(self) -> cordon::Format {
        match self {
            InputFormat::Csv => cordon::Format::Csv,
            InputFormat::Jsonl => cordon::Format::Jsonl,
        }
    }
}

/// Whether an input path means the standard input.
pub fn is_stdin(p: &std::path::Path) -> bool {
    p.as_os_str() == "-"
}

/// An input on the command line: `-` is the standard input (CSV unless
/// `--input-format` says otherwise), a path a file.
pub fn input_source(p: &std::path::Path, format: Option<InputFormat>) -> InputSource {
    if is_stdin(p) {
        let f = format.map_or(cordon::Format::Csv, InputFormat::format);
        return InputSource::reader("stdin", f, std::io::stdin());
    }
    match format {
        Some(f) => InputSource::path(p).with_format(f.format()),
        None => InputSource::path(p),
    }
}

/// Loads the input config, or the standard one.
fn load_config(path: Option<&PathBuf>, schema: &cordon::unstable::schema::Schema) -> Result<Arc<InputConfig>, u8> {
    match path {
        None => Ok(Arc::new(InputConfig::standard())),
        Some(p) => {
            let loaded = match cordon::unstable::config::read_source(p) {
                Ok(src) => config::load_config(src, schema),
                Err(e) => Err(e),
            };
            loaded.map(Arc::new).map_err(|e| {
                diag::print(&e);
                EXIT_ERROR
            })
        }
    }
}

/// Why a run whose records are mostly invalid fails (`--max-invalid`):
/// every record invalid, or more than `max` per cent of them.
fn mostly_invalid(s: &RunSummary, max: u8) -> Option<String> {
    if s.read == 0 || s.invalid == 0 {
        return None;
    }
    let all = s.invalid == s.read;
    if !all && s.invalid * 100 <= u64::from(max) * s.read {
        return None;
    }
    Some(format!(
        "{} of {} records read are invalid{}: the input may not be what the rules expect (wrong format, \
         delimiter or encoding); exit 1 (`--max-invalid` sets the share, now {max}%)",
        s.invalid,
        s.read,
        if all { " (all of them)" } else { "" }
    ))
}

/// The name of the reviewed-matches file looked for beside the config.
pub const REVIEWED_FILE: &str = "reviewed-matches.yaml";

/// The reviewed-matches file of a run: `--reviewed`, else
/// `reviewed-matches.yaml` beside `--config` when there is one.
fn reviewed_path(reviewed: Option<&PathBuf>, config: Option<&PathBuf>) -> Option<PathBuf> {
    reviewed.cloned().or_else(|| {
        let beside = config?.parent().unwrap_or(std::path::Path::new(".")).join(REVIEWED_FILE);
        beside.is_file().then_some(beside)
    })
}

/// Loads, checks and compiles the rules, with the run's clearances.
fn load_engine(
    rules: &std::path::Path,
    reviewed: Option<&PathBuf>,
    licences: Option<&PathBuf>,
) -> Result<cordon::Engine, u8> {
    match cordon::Engine::load_with_files(rules, reviewed.map(PathBuf::as_path), licences.map(PathBuf::as_path)) {
        Ok(e) => {
            diag::note_warnings(&e);
            Ok(e)
        }
        Err(d) => {
            diag::print_all(&d);
            Err(EXIT_ERROR)
        }
    }
}

/// Sets the number of worker threads for this process.
pub fn set_threads(n: Option<usize>) {
    if let Some(n) = n {
        let cap = max_threads();
        if n > cap {
            eprintln!("cordon: warning: --threads {n} is more than {cap} (4 per core): {cap} are used");
        }
        let _ = rayon::ThreadPoolBuilder::new().num_threads(n.clamp(1, cap)).build_global();
    }
}

/// The most worker threads a run uses: 4 per core (more only costs memory
/// and switching; `--threads 100000` would spawn them all, red team H10).
fn max_threads() -> usize {
    std::thread::available_parallelism().map_or(4, |n| n.get()).saturating_mul(4)
}

/// Runs `cordon check`.
pub fn run(a: CheckArgs) -> u8 {
    set_threads(a.threads);
    let (engine, cfg) = match a.run.load() {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let mut opts = RunOptions::new().config(cfg).explain(a.explain);
    if a.format == Some(Format::Summary) {
        // The summary shows no record's values: only what rules read is typed.
        opts = opts.type_only_what_rules_read();
    }
    // Rules over many records: a first pass counts every record (in the
    // state's transaction), the second gives each record its findings.
    let (opts, counting, inputs) = if engine.counts() {
        let twice = match super::state::Rereadable::new(&a.inputs, a.input_format) {
            Ok(t) => t,
            Err(code) => return code,
        };
        let state = a.run.state.path(a.run.config.as_ref());
        let (opts, counting) = match super::state::count_first(&engine, &twice, opts, state.as_deref()) {
            Ok(c) => c,
            Err(code) => return code,
        };
        match twice.open(&engine, &opts) {
            Ok(i) => (opts, Some((counting, twice)), i),
            Err(code) => return code,
        }
    } else {
        match open_inputs(&engine, &a.inputs, a.input_format, &opts) {
            Ok(i) => (opts, None, i),
            Err(code) => return code,
        }
    };
    let format = match a.format {
        Some(Format::Table) => OutputFormat::Table,
        Some(Format::Jsonl) => OutputFormat::Jsonl,
        Some(Format::Json) => OutputFormat::Json,
        Some(Format::Csv) => OutputFormat::Csv,
        Some(Format::Summary) => OutputFormat::Summary,
        None => match a.output.as_ref().filter(|p| p.as_os_str() != "-") {
            Some(p) => match p.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
                Some("json") => OutputFormat::Json,
                Some("csv") => OutputFormat::Csv,
                Some("txt") => OutputFormat::Table,
                _ => OutputFormat::Jsonl,
            },
            None if std::io::stdout().is_terminal() => OutputFormat::Table,
            None => OutputFormat::Jsonl,
        },
    };
    let mut file = match a.output.as_deref().map(atomic::AtomicFile::create).transpose() {
        Ok(f) => f,
        Err(e) => {
            diag::print(&e);
            return EXIT_ERROR;
        }
    };
    let files: Vec<String> = inputs.iter().map(|i| i.layout().name.clone()).collect();
    // Each JSON Lines line names the rule set it was decided under, unless
    // `--compact`: then a header line does, once.
    let ctx = Context { rules: engine.rules(), files: &files, stamp: !a.compact };
    let to_file = file.is_some();
    let dest: Box<dyn Write + '_> = match file.as_mut() {
        Some(f) => Box::new(std::io::BufWriter::with_capacity(1 << 16, f)),
        None => Box::new(std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock())),
    };
    let mut progress = super::progress::Progress::new("checking");
    let state_path = if engine.counts() { a.run.state.path(a.run.config.as_ref()) } else { None };
    let mut log_store = match a.log.open(state_path.as_deref()) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let log_store_name = log_store.as_ref().map(|l| l.describe());
    let mut log_stage =
        log_store.as_mut().map(|l| LogStage::new(l.as_mut(), engine.rules(), super::state::now(), a.log.log_records));
    // JSON Lines are rendered on all cores with the evaluation; the stage only writes.
    let render = |o: &RecordOutcome, out: &mut Vec<u8>| output::jsonl_line(&ctx, o, out);
    let (result, written) = if format == OutputFormat::Jsonl {
        let mut dest = dest;
        if a.compact {
            let header = serde_json::json!({"run": {
                "rules": engine.rules().fingerprint,
                "cordon": env!("CARGO_PKG_VERSION"),
                "inputs": files,
            }});
            if let Err(e) = writeln!(dest, "{header}") {
                diag::print(&cordon::Error::from(cordon::RunError::Output(e)));
                return EXIT_ERROR;
            }
        }
        let mut out = Bytes { out: dest };
        let mut stages: Vec<&mut dyn Stage> = vec![&mut progress];
        if let Some(l) = log_stage.as_mut() {
            stages.push(l);
        }
        stages.push(&mut out);
        let r = engine.run_opened(inputs, &opts, Some(&render), &mut stages);
        (r, Ok(()))
    } else {
        let mut out = Sinked { ctx: &ctx, sink: output::sink(format, dest) };
        let mut stages: Vec<&mut dyn Stage> = vec![&mut progress];
        if let Some(l) = log_stage.as_mut() {
            stages.push(l);
        }
        stages.push(&mut out);
        let r = engine.run_opened(inputs, &opts, None, &mut stages);
        (r, Ok(()))
    };
    let log_note = log_stage.as_ref().map(|l| {
        let (n, head) = l.logged();
        super::log::logged_note(n, log_store_name.as_deref().unwrap_or(""), head)
    });
    drop(log_stage);
    progress.finish();
    let summary: RunSummary = match result.and_then(|s| written.map(|()| s)) {
        Ok(s) => s,
        Err(RunError::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe && !to_file => return EXIT_OK,
        Err(e) => {
            // The temporary file is dropped with `file`: nothing is left behind.
            match (e, file.as_ref()) {
                (RunError::Output(io), Some(f)) => diag::print(&f.error(io)),
                (e, _) => diag::print(&e),
            }
            return EXIT_ERROR;
        }
    };
    // The state first: an output that then fails to appear leaves records
    // counted once, which the next run of the same records finds again.
    let mut state_note = None;
    if let Some((counting, _)) = counting {
        state_note = Some(counting.note.clone());
        if let Err(code) = counting.commit() {
            return code;
        }
    }
    if let Some(f) = file
        && let Err(e) = f.commit()
    {
        diag::print(&e);
        return EXIT_ERROR;
    }
    let mut err = std::io::stderr();
    let mut notes: Vec<String> = Vec::new();
    notes.extend(state_note);
    notes.extend(log_note);
    notes.extend(output::not_checked(&summary));
    let duplicates = output::duplicates_note(&summary);
    if diag::format() == diag::ErrorFormat::Json {
        // Every stderr line is JSON under `--error-format json`: the summary too.
        let _ =
            writeln!(err, "{}", serde_json::json!({"severity": "summary", "summary": output::summary_json(&summary)}));
        for line in duplicates.iter().flat_map(|d| d.lines()) {
            let message = line.trim_start_matches("cordon: warning: ");
            let _ = writeln!(err, "{}", serde_json::json!({"severity": "warning", "message": message}));
        }
        for n in notes {
            let _ = writeln!(err, "{}", serde_json::json!({"severity": "note", "message": n}));
        }
    } else {
        let _ = writeln!(err, "{}", output::summary_line(&summary));
        if let Some(d) = duplicates {
            let _ = writeln!(err, "{d}");
        }
        for n in notes {
            let _ = writeln!(err, "cordon: note: {n}");
        }
    }
    let fail_on = match a.fail_on {
        FailOn::Block => Decision::Block,
        FailOn::Review => Decision::Review,
    };
    if let Some(why) = mostly_invalid(&summary, a.max_invalid) {
        if diag::format() == diag::ErrorFormat::Json {
            let _ = writeln!(err, "{}", serde_json::json!({"severity": "warning", "message": why}));
        } else {
            let _ = writeln!(err, "cordon: warning: {why}");
        }
        return EXIT_FINDINGS;
    }
    if summary.fails(fail_on) { EXIT_FINDINGS } else { EXIT_OK }
}

/// The JSON Lines output: each record's line, rendered on the evaluating
/// cores, written in input order.
struct Bytes<'w> {
    out: Box<dyn Write + 'w>,
}

impl Stage for Bytes<'_> {
    fn record(&mut self, item: &Item<'_>) -> Result<(), StageError> {
        Ok(self.out.write_all(item.rendered())?)
    }

    // Each piece of work's lines go out when it is done: a record a pipe
    // feeds alone is answered at once.
    fn batch_end(&mut self) -> Result<(), StageError> {
        Ok(self.out.flush()?)
    }

    fn finish(&mut self, _: &mut RunSummary) -> Result<(), StageError> {
        Ok(self.out.flush()?)
    }
}

/// The other outputs: each record written by the format's sink, and the
/// summary after the last.
struct Sinked<'c, 'w> {
    ctx: &'c Context<'c>,
    sink: Box<dyn Sink + 'w>,
}

impl Stage for Sinked<'_, '_> {
    fn record(&mut self, item: &Item<'_>) -> Result<(), StageError> {
        Ok(self.sink.record(self.ctx, item.outcome())?)
    }

    fn finish(&mut self, summary: &mut RunSummary) -> Result<(), StageError> {
        Ok(self.sink.finish(self.ctx, summary)?)
    }
}
