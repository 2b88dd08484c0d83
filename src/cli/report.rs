//! `cordon report`: the audit report, as PDF, JSON or CSV, written safely.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use cordon::unstable::atomic;
use cordon::unstable::report::model::FileFingerprint;
use cordon::unstable::report::population::{self, Expectations};
use cordon::unstable::report::{self, DEFAULT_TITLE, PDF_RECORD_LIMIT, Period, ReportOptions};

use super::check::{RunArgs, open_inputs, set_threads};
use super::{EXIT_ERROR, EXIT_OK, diag};

/// Report formats.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    /// The signed-off document.
    Pdf,
    /// The whole report model.
    Json,
    /// One row per finding.
    Csv,
}

impl ReportFormat {
    fn name(self) -> &'static str {
        match self {
            ReportFormat::Pdf => "pdf",
            ReportFormat::Json => "json",
            ReportFormat::Csv => "csv",
        }
    }
}

/// Arguments of `cordon report`.
#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    #[command(flatten)]
    run: RunArgs,
    #[command(flatten)]
    log: super::log::RunLogArgs,
    /// Only records dated in this period are evaluated: FROM..TO, both inclusive.
    #[arg(long, value_name = "FROM..TO")]
    period: Option<String>,
    /// The organisation the report is for.
    #[arg(long, value_name = "NAME")]
    org: Option<String>,
    /// Report title.
    #[arg(long, value_name = "TEXT", default_value = DEFAULT_TITLE)]
    title: String,
    /// Output format (default: from the output file's extension, else pdf).
    #[arg(long, value_enum)]
    format: Option<ReportFormat>,
    /// Generation time to print (RFC 3339, e.g. 2026-01-31T12:00:00Z); default
    /// `SOURCE_DATE_EPOCH` if set, else now. Pinning it makes the output
    /// byte-identical from run to run.
    #[arg(long, value_name = "TIME")]
    generated_at: Option<String>,
    /// Records the source system counted: the report says whether the inputs
    /// reconcile to it (exit status 1, report written, when a figure does not).
    #[arg(long, value_name = "N")]
    expect_records: Option<u64>,
    /// A value total the source system gave, per currency (`USD=1234567.89`;
    /// repeat for each currency).
    #[arg(long, value_name = "CUR=AMOUNT")]
    expect_total: Vec<String>,
    /// A YAML file from the extraction: system, query, extracted_by,
    /// extracted_at, period, records, totals (per currency). Printed in the
    /// report and reconciled to.
    #[arg(long, value_name = "FILE")]
    source_manifest: Option<PathBuf>,
    /// Most flagged records listed in the PDF (JSON and CSV list all).
    #[arg(long, value_name = "N", default_value_t = PDF_RECORD_LIMIT)]
    pdf_limit: usize,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Output file (`-` for stdout).
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    output: PathBuf,
    /// Transaction files: CSV, or JSON Lines (`.jsonl`).
    #[arg(required = true, value_name = "FILE")]
    inputs: Vec<PathBuf>,
}

fn quote(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:=+,@".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// The generation time: the flag, else `SOURCE_DATE_EPOCH`, else now; and
/// whether it was declared (the flag or the variable) rather than read from
/// the clock.
fn generated_at(flag: Option<&str>) -> Result<(String, bool), String> {
    use time::format_description::well_known::Rfc3339;
    let t = match flag {
        Some(s) => time::OffsetDateTime::parse(s, &Rfc3339).map_err(|e| {
            format!("`--generated-at {s}` is not an RFC 3339 time ({e}); write e.g. 2026-01-31T12:00:00Z")
        })?,
        None => match std::env::var("SOURCE_DATE_EPOCH") {
            Ok(v) => {
                let secs: i64 =
                    v.trim().parse().map_err(|_| format!("SOURCE_DATE_EPOCH `{v}` is not a number of seconds"))?;
                time::OffsetDateTime::from_unix_timestamp(secs).map_err(|e| format!("SOURCE_DATE_EPOCH `{v}`: {e}"))?
            }
            Err(_) => time::OffsetDateTime::now_utc(),
        },
    };
    let declared = flag.is_some() || std::env::var_os("SOURCE_DATE_EPOCH").is_some();
    let t = t.to_offset(time::UtcOffset::UTC).replace_nanosecond(0).unwrap_or(t);
    Ok((t.format(&Rfc3339).map_err(|e| e.to_string())?, declared))
}

/// Why a declared generation time cannot be the report's: it is before the
/// newest record it reports on, or before a list it screened against was
/// published. `None` when it can be.
fn dated_too_early(model: &report::Report) -> Option<String> {
    if !model.generated_declared {
        return None;
    }
    let day = model.generated_at.get(..10).unwrap_or_default();
    if let Some(newest) = model.newest_record_date.as_deref().filter(|d| *d > day) {
        return Some(format!(
            "the declared generation time `{}` is before the newest record's date {newest}: a report cannot be dated before what it reports on",
            model.generated_at
        ));
    }
    let lists = &model.screening.lists;
    lists
        .iter()
        .filter_map(|l| l.published.as_deref().map(|p| (&l.name, p)))
        .find(|(_, p)| p.get(..10).unwrap_or(p) > day)
        .map(|(name, p)| {
            format!(
                "the declared generation time `{}` is before the list `{name}` it screened against was published ({p})",
                model.generated_at
            )
        })
}

/// The figures the population is reconciled to, from the flags and the
/// source manifest.
fn expectations(a: &ReportArgs) -> Result<Expectations, String> {
    let mut e = Expectations { records: a.expect_records, ..Default::default() };
    for t in &a.expect_total {
        let (cur, amount) = t
            .split_once('=')
            .ok_or_else(|| format!("`--expect-total {t}` names no currency; write CUR=AMOUNT, e.g. USD=1234567.89"))?;
        let cur = cur.trim();
        if cur.len() != 3 || !cur.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(format!("`--expect-total {t}`: `{cur}` is not a three-letter currency code"));
        }
        let amount = population::parse_amount(amount).map_err(|m| format!("`--expect-total {t}`: {m}"))?;
        e.totals.push((cur.to_uppercase(), amount));
    }
    if let Some(path) = &a.source_manifest {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|err| format!("cannot read the source manifest `{name}`: {err}"))?;
        let text = std::str::from_utf8(&bytes).map_err(|_| format!("the source manifest `{name}` is not UTF-8"))?;
        let m = population::read_manifest(&name, text)?;
        e.manifest = Some((m, name, cordon::unstable::source::sha256_hex(&bytes)));
    }
    Ok(e)
}

fn fail(msg: String) -> u8 {
    let _ = writeln!(std::io::stderr(), "cordon: error: {msg}");
    EXIT_ERROR
}

/// Runs `cordon report`.
pub fn run(a: ReportArgs) -> u8 {
    set_threads(a.threads);
    let format = a.format.unwrap_or_else(|| match a.output.extension().and_then(|e| e.to_str()) {
        Some("json") => ReportFormat::Json,
        Some("csv") => ReportFormat::Csv,
        _ => ReportFormat::Pdf,
    });
    let period = match a.period.as_deref().map(Period::parse).transpose() {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let (generated, generated_declared) = match generated_at(a.generated_at.as_deref()) {
        Ok(g) => g,
        Err(e) => return fail(e),
    };
    let expect = match expectations(&a) {
        Ok(e) => e,
        Err(e) => return fail(e),
    };
    let (engine, cfg) = match a.run.load() {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let config_fp = cfg.source.as_ref().map(|s| FileFingerprint {
        path: s.name.clone(),
        kind: "config".into(),
        sha256: s.sha256(),
    });
    let run_opts = cordon::RunOptions::new().config(cfg);
    // Rules over many records: count first (as `check` does), then report.
    let (inputs, counting) = if engine.counts() {
        let twice = match super::state::Rereadable::new(&a.inputs, None) {
            Ok(t) => t,
            Err(code) => return code,
        };
        let state = a.run.state.path(a.run.config.as_ref());
        let (counted, counting) = match super::state::count_first(&engine, &twice, run_opts, state.as_deref()) {
            Ok(c) => c,
            Err(code) => return code,
        };
        match twice.open(&engine, &counted) {
            Ok(i) => (i, Some((counting, counted))),
            Err(code) => return code,
        }
    } else {
        match open_inputs(&engine, &a.inputs, None, &run_opts) {
            Ok(i) => (i, None),
            Err(code) => return code,
        }
    };
    let mut command =
        vec!["cordon".to_string(), "report".into(), "--rules".into(), quote(&a.run.rules.rules.display().to_string())];
    if let Some(c) = &a.run.config {
        command.extend(["--config".into(), quote(&c.display().to_string())]);
    }
    if let Some(r) = &a.run.reviewed_path() {
        command.extend(["--reviewed".into(), quote(&r.display().to_string())]);
    }
    if let Some(l) = &a.run.licences_path() {
        command.extend(["--licences".into(), quote(&l.display().to_string())]);
    }
    if engine.counts() {
        // Totals from a state file depend on what it held before this run.
        match a.run.state.path(a.run.config.as_ref()) {
            Some(p) => command.extend(["--state".into(), quote(&p.display().to_string())]),
            None => command.push("--no-state".into()),
        }
    }
    if let Some(p) = &period {
        command.extend(["--period".into(), p.to_string()]);
    }
    if let Some(o) = &a.org {
        command.extend(["--org".into(), quote(o)]);
    }
    if a.title != DEFAULT_TITLE {
        command.extend(["--title".into(), quote(&a.title)]);
    }
    if let Some(n) = a.expect_records {
        command.extend(["--expect-records".into(), n.to_string()]);
    }
    for t in &a.expect_total {
        command.extend(["--expect-total".into(), quote(t)]);
    }
    if let Some(m) = &a.source_manifest {
        command.extend(["--source-manifest".into(), quote(&m.display().to_string())]);
    }
    if a.pdf_limit != PDF_RECORD_LIMIT {
        command.extend(["--pdf-limit".into(), a.pdf_limit.to_string()]);
    }
    command.extend(["--format".into(), format.name().into(), "--generated-at".into(), generated.clone()]);
    // Where the report was written is not part of it: the same run written
    // anywhere gives the same bytes (issue 19: an auditor re-runs it
    // elsewhere and compares). The command names a file in the folder it
    // is run from, or stdout.
    let shown_output = if a.output.as_os_str() == "-" { "-".to_string() } else { format!("report.{}", format.name()) };
    command.extend(["-o".into(), shown_output]);
    command.extend(inputs.iter().map(|i| quote(&i.layout().name)));
    let opts = ReportOptions {
        title: a.title.clone(),
        organisation: a.org.clone(),
        period,
        generated_at: generated,
        generated_declared,
        command: command.join(" "),
        config: config_fp,
        standings: counting.as_ref().and_then(|(_, o)| o.standings_shared()),
        expect,
    };
    let files: Vec<String> = inputs.iter().map(|i| i.layout().name.clone()).collect();
    let state_path = if engine.counts() { a.run.state.path(a.run.config.as_ref()) } else { None };
    let mut log_store = match a.log.open(state_path.as_deref()) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let log_name = log_store.as_ref().map(|l| l.describe());
    let mut log_stage = log_store.as_mut().map(|l| {
        cordon::unstable::run::log::LogStage::new(l.as_mut(), engine.rules(), super::state::now(), a.log.log_records)
    });
    let mut more: Vec<&mut dyn cordon::Stage> = Vec::new();
    if let Some(l) = log_stage.as_mut() {
        more.push(l);
    }
    // Memory must not grow with the records flagged: the PDF keeps only the
    // ones it lists, JSON and CSV write them all to temporary files.
    let keep = match format {
        ReportFormat::Pdf => report::Keep::First(a.pdf_limit),
        ReportFormat::Json | ReportFormat::Csv => report::Keep::Spill,
    };
    let mut progress = super::progress::Progress::new("reading");
    let built = report::build_with_stages(&engine, inputs, &files, &opts, keep, &mut || progress.tick(), &mut more);
    progress.finish();
    drop(more);
    let log_note = log_stage.as_ref().map(|l| {
        let (n, head) = l.logged();
        format!("cordon: {}", super::log::logged_note(n, log_name.as_deref().unwrap_or(""), head))
    });
    drop(log_stage);
    let (model, run) = match built {
        Ok(r) => r,
        Err(e) => {
            diag::print(&e);
            return EXIT_ERROR;
        }
    };
    if let Some(why) = dated_too_early(&model) {
        let _ = writeln!(
            std::io::stderr(),
            "cordon: error: {why}\n  help: give `--generated-at` a time on or after it, or leave it out to use the clock; the report was not written"
        );
        return EXIT_ERROR;
    }
    let mut pages = None;
    let output = match format {
        // Streamed to the output's temporary file, put in place at the end.
        ReportFormat::Json | ReportFormat::Csv => {
            let file = match atomic::AtomicFile::create(&a.output) {
                Ok(f) => f,
                Err(e) => {
                    diag::print(&e);
                    return EXIT_ERROR;
                }
            };
            let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
            let written = if format == ReportFormat::Json {
                report::machine::write_json(&model, &mut out)
            } else {
                report::machine::write_csv(&model, &mut out)
            };
            let file = match written {
                Ok(()) => out.into_inner().map_err(|e| {
                    let (e, out) = e.into_parts();
                    out.get_ref().error(e)
                }),
                Err(e) => Err(out.get_ref().error(e)),
            };
            match file {
                Ok(f) => Output::Stream(f),
                Err(e) => {
                    diag::print(&e);
                    return EXIT_ERROR;
                }
            }
        }
        ReportFormat::Pdf => {
            let doc = report::compose(&model, a.pdf_limit);
            pages = Some(doc.pages.len());
            if !doc.missing.is_empty() {
                let list: Vec<String> = doc.missing.iter().map(|c| format!("U+{:04X}", *c as u32)).collect();
                let _ = writeln!(
                    std::io::stderr(),
                    "cordon: warning: no embedded font covers {} (drawn as `?` in the PDF; noted in the report)",
                    list.join(", ")
                );
            }
            match report::pdf::render(&doc) {
                Ok(r) => {
                    for w in &r.warnings {
                        let _ = writeln!(std::io::stderr(), "cordon: warning: PDF: {w}");
                    }
                    Output::Bytes(r.bytes)
                }
                Err(e) => {
                    diag::print(&e);
                    return EXIT_ERROR;
                }
            }
        }
    };
    if let Some((counting, _)) = counting
        && let Err(code) = counting.commit()
    {
        return code;
    }
    let written = match output {
        Output::Bytes(bytes) => atomic::write_file(&a.output, &bytes),
        Output::Stream(file) => file.commit(),
    };
    if let Err(e) = written {
        diag::print(&e);
        return EXIT_ERROR;
    }
    let c = &model.counts;
    let _ = writeln!(
        std::io::stderr(),
        "cordon: report {} written to {}{}: {} read, {} evaluated, {} invalid{}; {} block, {} review, {} pass",
        model.report_id,
        display(&a.output),
        pages.map(|p| format!(" ({p} pages)")).unwrap_or_default(),
        c.read,
        c.evaluated,
        c.invalid,
        if c.excluded_outside_period > 0 {
            format!(", {} outside the period", c.excluded_outside_period)
        } else {
            String::new()
        },
        c.decisions.block,
        c.decisions.review,
        c.decisions.pass,
    );
    let mut code = EXIT_OK;
    if model.population.reconciliation.reconciled() == Some(false) {
        let failed: Vec<String> = model
            .population
            .reconciliation
            .checks
            .iter()
            .filter(|c| !c.agrees)
            .map(|c| format!("{}: {} (expected: {})", c.what, c.found, c.expected))
            .collect();
        let _ = writeln!(
            std::io::stderr(),
            "cordon: warning: the inputs do not reconcile to the source figures: {}\n  help: the report says so on its cover; find the missing or extra records before relying on it",
            failed.join("; ")
        );
        code = super::EXIT_FINDINGS;
    }
    if let Some(note) = log_note {
        let _ = writeln!(std::io::stderr(), "{note}");
    }
    if let Some(note) = cordon::unstable::output::duplicates_note(&run) {
        let _ = writeln!(std::io::stderr(), "{note}");
    }
    code
}

/// A rendered report: the PDF's bytes, or JSON or CSV already written to
/// the output's temporary file.
enum Output {
    Bytes(Vec<u8>),
    Stream(atomic::AtomicFile),
}

fn display(p: &Path) -> String {
    if p.as_os_str() == "-" { "stdout".into() } else { p.display().to_string() }
}
