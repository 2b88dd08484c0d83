//! The state kept between runs, from the command line: `--state` on the
//! commands that run rules (the first, counting pass of a run with rules
//! over many records), and `cordon state show | history | reset | export`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Subcommand;
use cordon::unstable::aggregate::Standings;
use cordon::unstable::run::OpenInput;
use cordon::unstable::store::{ChangeRow, RunInfo, Selection, SqliteStore, Store};
use cordon::{InputSource, RunOptions};

use super::{EXIT_ERROR, EXIT_OK, diag};

/// The state file's name beside `--config`.
pub const STATE_FILE: &str = "cordon.db";

/// Where running totals are kept between runs.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct StateArgs {
    /// State file for rules over many records (running totals, licence balances) [default: the config's
    /// `state:`, else cordon.db beside --config; without --config, totals cover this run's inputs only].
    #[arg(long, value_name = "FILE", env = "CORDON_STATE")]
    pub state: Option<PathBuf>,
    /// Keep no state: totals cover this run's inputs only, and nothing is written (`--state` wins over it).
    #[arg(long, env = "CORDON_NO_STATE", value_parser = clap::builder::FalseyValueParser::new())]
    pub no_state: bool,
}

impl StateArgs {
    /// The state file: `--state`, else `cordon.db` beside the config; `None`
    /// for a state in memory.
    pub fn path(&self, config: Option<&PathBuf>) -> Option<PathBuf> {
        if let Some(s) = &self.state {
            return Some(s.clone());
        }
        if self.no_state {
            return None;
        }
        let config = config?;
        let dir = config.parent().unwrap_or(Path::new("."));
        let named = cordon::unstable::config::read_source(config)
            .ok()
            .and_then(|src| cordon::unstable::config::run_files(&src).state);
        Some(dir.join(named.as_deref().unwrap_or(STATE_FILE)))
    }
}

/// A run's state, open, with its transaction begun.
pub struct Counting {
    store: SqliteStore,
    /// Where the standings came from, for the closing note.
    pub note: String,
}

impl Counting {
    /// Makes the run's counts durable.
    pub fn commit(mut self) -> Result<(), u8> {
        self.store.commit().map_err(|e| {
            diag::print(&e);
            EXIT_ERROR
        })
    }
}

/// Who runs this: `CORDON_USER`, else the login name.
pub fn who() -> String {
    ["CORDON_USER", "USER", "LOGNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| "unknown".into())
}

/// Now, RFC 3339, UTC.
pub fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

/// Inputs that can be read twice: a file that is not a regular file (a
/// pipe, `/dev/stdin`) is copied to a temporary file first.
pub struct Rereadable {
    files: Vec<(String, PathBuf, cordon::Format)>,
    _spooled: Vec<tempfile::TempPath>,
}

impl Rereadable {
    /// Spools what must be spooled.
    pub fn new(files: &[PathBuf], format: Option<super::check::InputFormat>) -> Result<Rereadable, u8> {
        let mut out = Vec::new();
        let mut spooled = Vec::new();
        for f in files {
            let stdin = super::check::is_stdin(f);
            let name = if stdin { "stdin".to_string() } else { f.display().to_string() };
            let fmt = match format {
                Some(x) => x.format(),
                None if stdin => cordon::Format::Csv,
                None => cordon::Format::from_path(f),
            };
            if !stdin && (std::fs::metadata(f).is_ok_and(|m| m.is_file() || m.is_dir()) || !f.exists()) {
                out.push((name, f.clone(), fmt));
                continue;
            }
            let copied = (|| -> std::io::Result<tempfile::TempPath> {
                let mut tmp = tempfile::NamedTempFile::new()?;
                if stdin {
                    std::io::copy(&mut std::io::stdin().lock(), tmp.as_file_mut())?;
                } else {
                    std::io::copy(&mut std::fs::File::open(f)?, tmp.as_file_mut())?;
                }
                Ok(tmp.into_temp_path())
            })();
            match copied {
                Ok(p) => {
                    out.push((name, p.to_path_buf(), fmt));
                    spooled.push(p);
                }
                Err(e) => {
                    eprintln!("cordon: error: cannot read `{name}`: {}", e.to_string().to_lowercase());
                    return Err(EXIT_ERROR);
                }
            }
        }
        Ok(Rereadable { files: out, _spooled: spooled })
    }

    /// The inputs, opened afresh.
    pub fn open(&self, engine: &cordon::Engine, opts: &RunOptions) -> Result<Vec<OpenInput>, u8> {
        let sources: Vec<InputSource> = self
            .files
            .iter()
            // Opened when the run reaches each (one file open at a time).
            .map(|(name, path, format)| InputSource::path(path).with_format(*format).with_name(name.clone()))
            .collect();
        engine.open(sources, opts).map_err(|errs| {
            for e in &errs {
                diag::print(e);
            }
            EXIT_ERROR
        })
    }
}

/// The first pass of a run whose rules count over many records: opens the
/// state (or one in memory), begins the run, counts every record, and
/// returns the options for the second pass with the standings added. The
/// state is committed by the caller when the second pass is over.
pub fn count_first(
    engine: &cordon::Engine,
    inputs: &Rereadable,
    opts: RunOptions,
    path: Option<&Path>,
) -> Result<(RunOptions, Counting), u8> {
    let fail = |e: &dyn miette::Diagnostic| {
        diag::print(e);
        EXIT_ERROR
    };
    let mut store = match path {
        Some(p) => SqliteStore::open(p, true),
        None => SqliteStore::in_memory(),
    }
    .map_err(|e| fail(&e))?;
    let info = RunInfo {
        at: now(),
        who: who(),
        rules: engine.fingerprint().to_string(),
        inputs: inputs.files.iter().map(|(n, _, _)| n.as_str()).collect::<Vec<_>>().join("; "),
    };
    let run = store.begin(&info).map_err(|e| fail(&e))?;
    let opened = inputs.open(engine, &opts)?;
    let mut standings: Standings = engine.count(opened, &opts, &mut store, run).map_err(|e| fail(&e))?;
    let note = match path {
        Some(p) => format!("running totals continue from `{}` (run {run})", p.display()),
        None => "running totals cover this run's inputs only (no state file: give --state or --config)".into(),
    };
    standings.source = match path {
        Some(p) => format!("state file {} (run {run})", p.display()),
        None => "this run's inputs only".into(),
    };
    for c in &standings.changes {
        eprintln!(
            "cordon: note: rule `{}`: record `{}` (counted by run {}) is now {} (was {}): a record of this run \
             dated before it changed its total",
            c.rule, c.record, c.run, c.after, c.before
        );
    }
    Ok((opts.standings(Arc::new(standings)), Counting { store, note }))
}

/// Arguments of `cordon state`.
#[derive(clap::Args, Debug)]
pub struct StateCmdArgs {
    #[command(subcommand)]
    command: StateCommand,
    /// The state file.
    #[arg(long, value_name = "FILE", env = "CORDON_STATE", default_value = STATE_FILE, global = true)]
    state: PathBuf,
}

#[derive(Subcommand, Debug)]
enum StateCommand {
    /// Each rule's totals by group and window, against its limits.
    Show(ShowArgs),
    /// The runs that counted records, and every change made by hand.
    History,
    /// Remove counted records (a correction), saying why; the change is recorded.
    Reset(ResetArgs),
    /// Every counted record as CSV.
    Export,
}

#[derive(clap::Args, Debug)]
struct ShowArgs {
    #[command(flatten)]
    rules: super::RulesArg,
    /// The licence register, to show each licence's drawdown.
    #[arg(long, value_name = "FILE")]
    licences: Option<PathBuf>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args, Debug)]
struct ResetArgs {
    /// Only this rule's records.
    #[arg(long, value_name = "RULE")]
    rule: Option<String>,
    /// Only records dated in this period: `2018-01-01..2018-12-31`.
    #[arg(long, value_name = "FROM..TO")]
    window: Option<String>,
    /// Only this group's records, as `state show` names it (`buyer=acme`).
    #[arg(long, value_name = "GROUP")]
    group: Option<String>,
    /// Why (recorded with who and when).
    #[arg(long, value_name = "TEXT")]
    why: String,
}

/// Runs `cordon state`.
pub fn run(a: StateCmdArgs) -> u8 {
    match run_inner(a) {
        Ok(code) => code,
        Err(e) => {
            diag::print(&e);
            EXIT_ERROR
        }
    }
}

fn run_inner(a: StateCmdArgs) -> Result<u8, cordon::Error> {
    let mut out = std::io::stdout().lock();
    match a.command {
        StateCommand::History => {
            let mut store = SqliteStore::open(&a.state, false)?;
            let _ = writeln!(out, "runs:");
            for r in store.runs()? {
                let _ = writeln!(
                    out,
                    "  run {}  {}  by {}  counted {}  rules {}  inputs {}",
                    r.run,
                    r.at,
                    r.who,
                    r.counted,
                    &r.rules[..r.rules.len().min(12)],
                    r.inputs
                );
            }
            let _ = writeln!(out, "changes:");
            for c in store.changes()? {
                let _ = writeln!(out, "  {}  by {}  {}  because: {}", c.at, c.who, c.what, c.why);
            }
        }
        StateCommand::Export => {
            let mut store = SqliteStore::open(&a.state, false)?;
            let mut w = csv::Writer::from_writer(out);
            let _ = w.write_record(["rule", "record", "group", "date", "amounts", "file", "line", "run", "standing"]);
            for (rule, _) in store.rules()? {
                let mut rows = Vec::new();
                store.scan(&rule, &mut |r| rows.push(r))?;
                for r in rows {
                    let amounts = r.amounts.map(|a| a.iter().map(|d| d.normalize().to_string()).collect::<Vec<_>>());
                    let _ = w.write_record([
                        rule.as_str(),
                        &r.record,
                        &r.group,
                        &r.date.to_string(),
                        &amounts.map(|a| a.join(";")).unwrap_or_default(),
                        &r.file,
                        &r.line.to_string(),
                        &r.run.to_string(),
                        &r.status,
                    ]);
                }
            }
            let _ = w.flush();
        }
        StateCommand::Reset(r) => {
            let period = match r.window.as_deref() {
                None => None,
                Some(w) => match cordon::unstable::check::Window::parse(w) {
                    Ok(cordon::unstable::check::Window::Period(a, b)) => Some((a, b)),
                    _ => {
                        eprintln!("cordon: error: `--window {w}` is not a period like `2018-01-01..2018-12-31`");
                        return Ok(EXIT_ERROR);
                    }
                },
            };
            if r.why.trim().is_empty() {
                eprintln!("cordon: error: `--why` cannot be empty: say why the totals are corrected");
                return Ok(EXIT_ERROR);
            }
            let mut store = SqliteStore::open(&a.state, true)?;
            let which = Selection { rule: r.rule.clone(), period, group: r.group.clone() };
            let what = format!(
                "reset rule {} window {} group {}",
                r.rule.as_deref().unwrap_or("(all)"),
                r.window.as_deref().unwrap_or("(all)"),
                r.group.as_deref().unwrap_or("(all)")
            );
            let n = store.reset(&which, &ChangeRow { at: now(), who: who(), why: r.why.clone(), what })?;
            let _ = writeln!(out, "removed {n} counted record(s); the change is recorded (`cordon state history`)");
        }
        StateCommand::Show(s) => {
            let engine = match cordon::Engine::load_with_files(&s.rules.rules, None, s.licences.as_deref()) {
                Ok(e) => e,
                Err(d) => {
                    diag::print_all(&d);
                    return Ok(EXIT_ERROR);
                }
            };
            let mut store = SqliteStore::open(&a.state, false)?;
            let mut standings = Standings::new(true);
            cordon::unstable::aggregate::settle(&mut store, engine.rules(), None, &Default::default(), &mut standings)?;
            if s.json {
                let _ = serde_json::to_writer_pretty(&mut out, &standings.totals);
                let _ = writeln!(out);
            } else {
                for t in &standings.totals {
                    let totals: Vec<String> = t.totals.iter().map(|d| d.normalize().to_string()).collect();
                    let _ = writeln!(
                        out,
                        "{}  {}  {}  total {} of {}  ({} records{}){}",
                        t.rule,
                        if t.group.is_empty() { "(all)" } else { &t.group },
                        t.window,
                        totals.join(" / "),
                        t.limits.join(" or "),
                        t.count,
                        if t.uncounted > 0 { format!(", {} not counted", t.uncounted) } else { String::new() },
                        if t.over { "  OVER" } else { "" }
                    );
                }
            }
        }
    }
    Ok(EXIT_OK)
}
