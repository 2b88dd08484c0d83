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
#[command(group(clap::ArgGroup::new("dest").required(true).multiple(false)))]
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
    /// The disposition register: management's decision on each finding and
    /// invalid record (`cordon review` writes it). Each is shown beside its
    /// finding, counted by status, and checked (stale, expired, refused, unapproved).
    #[arg(long, value_name = "FILE")]
    dispositions: Option<PathBuf>,
    /// Most flagged records listed in the PDF (JSON and CSV list all).
    #[arg(long, value_name = "N", default_value_t = PDF_RECORD_LIMIT)]
    pdf_limit: usize,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Output file (`-` for stdout).
    #[arg(short = 'o', long = "output", value_name = "OUT", group = "dest")]
    output: Option<PathBuf>,
    /// Writes the PDF, JSON and CSV renderings of one run into this folder
    /// (`report.pdf`, `report.json`, `report.csv`) with `SHA256SUMS`, their
    /// fingerprints (`sha256sum -c SHA256SUMS` checks them); the PDF's cover
    /// holds the JSON's and CSV's.
    #[arg(long, value_name = "DIR", group = "dest", conflicts_with = "format")]
    out_dir: Option<PathBuf>,
    /// Re-runs the report into a temporary folder and compares it, file by
    /// file, with the folder `--out-dir` wrote (or its `SHA256SUMS`): give
    /// the command printed in the report, with `--verify DIR` in place of
    /// `--out-dir`. Exit status 0 when every file is identical, 1 when not.
    #[arg(long, value_name = "DIR", group = "dest", conflicts_with = "format")]
    verify: Option<PathBuf>,
    /// Signs the folder's `SHA256SUMS` with this Ed25519 private key (PKCS#8
    /// PEM, `openssl genpkey -algorithm ed25519`): writes `SHA256SUMS.sig`,
    /// the raw 64-byte signature that `openssl pkeyutl -verify -rawin` checks.
    #[arg(long, value_name = "KEY", requires = "out_dir")]
    sign_key: Option<PathBuf>,
    /// With `--verify`: checks `SHA256SUMS.sig` against this Ed25519 public
    /// key (PEM, `openssl pkey -pubout`).
    #[arg(long, value_name = "KEY", requires = "verify")]
    public_key: Option<PathBuf>,
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

/// Reads a disposition register; a missing file is an empty register (the
/// first `cordon review add` creates it).
pub fn load_register(path: &Path) -> Result<report::disposition::Register, String> {
    let name = path.display().to_string();
    let text = match std::fs::read(path) {
        Ok(b) => String::from_utf8(b).map_err(|_| format!("the disposition register `{name}` is not UTF-8"))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("cannot read the disposition register `{name}`: {e}")),
    };
    report::disposition::Register::parse(&name, &text)
}

/// The report model of a run over `inputs`, every flagged record kept (in
/// temporary files): what `cordon review` lists and records dispositions against.
pub fn model_of(
    run: &RunArgs,
    inputs: &[PathBuf],
    register: Option<std::sync::Arc<report::disposition::Register>>,
    generated_at: String,
) -> Result<report::Report, u8> {
    let (engine, cfg) = run.load()?;
    let run_opts = cordon::RunOptions::new().config(cfg);
    let (opened, counting) = if engine.counts() {
        let twice = super::state::Rereadable::new(inputs, None)?;
        let state = run.state.path(run.config.as_ref());
        // Counted, never committed: listing or recording a disposition
        // leaves the state as it was.
        let (counted, _uncommitted) = super::state::count_first(&engine, &twice, run_opts, state.as_deref())?;
        (twice.open(&engine, &counted)?, counted.standings_shared())
    } else {
        (open_inputs(&engine, inputs, None, &run_opts)?, None)
    };
    let opts = ReportOptions {
        title: DEFAULT_TITLE.into(),
        organisation: None,
        period: None,
        generated_at,
        generated_declared: false,
        command: String::new(),
        config: None,
        standings: counting,
        expect: Expectations::default(),
        build: None,
        dispositions: register,
        rule_tests: None,
    };
    let files: Vec<String> = opened.iter().map(|i| i.layout().name.clone()).collect();
    match report::build_with_stages(&engine, opened, &files, &opts, report::Keep::Spill, &mut || {}, &mut []) {
        Ok((model, _)) => Ok(model),
        Err(e) => {
            diag::print(&e);
            Err(EXIT_ERROR)
        }
    }
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

/// This binary's SHA-256 and source commit, printed in the report: a
/// re-run with another build may decide differently.
pub fn build_info() -> report::model::BuildInfo {
    static BUILD: std::sync::OnceLock<report::model::BuildInfo> = std::sync::OnceLock::new();
    BUILD
        .get_or_init(|| {
            let binary_sha256 = std::env::current_exe()
                .and_then(std::fs::read)
                .map_or_else(|e| format!("unknown ({e})"), |b| cordon::unstable::source::sha256_hex(&b));
            report::model::BuildInfo { binary_sha256, source_commit: report::model::SOURCE_COMMIT.to_string() }
        })
        .clone()
}

fn fail(msg: String) -> u8 {
    let _ = writeln!(std::io::stderr(), "cordon: error: {msg}");
    EXIT_ERROR
}

/// Runs `cordon report`.
pub fn run(a: ReportArgs) -> u8 {
    set_threads(a.threads);
    let dest = match (&a.output, &a.out_dir, &a.verify) {
        (Some(o), ..) => Dest::File(
            o.clone(),
            a.format.unwrap_or_else(|| match o.extension().and_then(|e| e.to_str()) {
                Some("json") => ReportFormat::Json,
                Some("csv") => ReportFormat::Csv,
                _ => ReportFormat::Pdf,
            }),
        ),
        (None, Some(d), _) => Dest::Dir(d.clone()),
        (None, None, Some(v)) => {
            let dir = if v.is_file() { v.parent().map(Path::to_path_buf).unwrap_or_default() } else { v.clone() };
            if !dir.join(SUMS).is_file() {
                return fail(format!(
                    "`{}` holds no `{SUMS}`: --verify compares with a folder written by `cordon report --out-dir`",
                    v.display()
                ));
            }
            Dest::Verify(dir)
        }
        (None, None, None) => return fail("no output: give -o FILE or --out-dir DIR".into()),
    };
    // Keys are read before the run: a bad key fails at once, not after it.
    let sign_key = match a.sign_key.as_deref().map(|p| read_key(p, report::sign::Key::from_pem)).transpose() {
        Ok(k) => k,
        Err(code) => return code,
    };
    let public_key = match a.public_key.as_deref().map(|p| read_key(p, report::sign::PublicKey::from_pem)).transpose() {
        Ok(k) => k,
        Err(code) => return code,
    };
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
    let dispositions = match a.dispositions.as_deref().map(load_register).transpose() {
        Ok(d) => d.map(std::sync::Arc::new),
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
    if let Some(d) = &a.dispositions {
        command.extend(["--dispositions".into(), quote(&d.display().to_string())]);
    }
    if a.pdf_limit != PDF_RECORD_LIMIT {
        command.extend(["--pdf-limit".into(), a.pdf_limit.to_string()]);
    }
    // Where the report was written is not part of it: the same run written
    // anywhere gives the same bytes (issue 19: an auditor re-runs it
    // elsewhere and compares). The command names a file or folder in the
    // folder it is run from, or stdout.
    match &dest {
        Dest::File(o, format) => {
            let shown = if o.as_os_str() == "-" { "-".to_string() } else { format!("report.{}", format.name()) };
            command.extend([
                "--format".into(),
                format.name().into(),
                "--generated-at".into(),
                generated.clone(),
                "-o".into(),
                shown,
            ]);
        }
        Dest::Dir(_) | Dest::Verify(_) => {
            command.extend(["--generated-at".into(), generated.clone(), "--out-dir".into(), "report".into()])
        }
    }
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
        build: Some(build_info()),
        dispositions,
        // The pack's own tests, run now: the report cites their result as
        // evidence the criteria were tested (auditor row 23).
        rule_tests: Some(cordon::unstable::testing::evidence(
            &engine,
            &cordon::FsSources::new(rules_dir(&a.run.rules.rules)),
        )),
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
    let keep = match dest {
        Dest::File(_, ReportFormat::Pdf) => report::Keep::First(a.pdf_limit),
        _ => report::Keep::Spill,
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
    let rendered = match &dest {
        Dest::File(path, format) => render_one(path, *format, &model, a.pdf_limit),
        Dest::Dir(dir) => render_set(dir, &model, a.pdf_limit),
        Dest::Verify(dir) => return verify(dir, &model, a.pdf_limit, public_key.as_ref()),
    };
    let mut rendered = match rendered {
        Ok(r) => r,
        Err(code) => return code,
    };
    let mut signed = None;
    if let (Some(key), Dest::Dir(dir)) = (&sign_key, &dest) {
        let sums = rendered.outputs.iter().find_map(|o| match o {
            Output::Bytes(p, b) if p.file_name().is_some_and(|n| n == SUMS) => Some(key.sign(b)),
            _ => None,
        });
        if let Some(sig) = sums {
            rendered.outputs.push(Output::Bytes(dir.join(SIG), sig));
            signed = Some(key.fingerprint());
        }
    }
    if let Some((counting, _)) = counting
        && let Err(code) = counting.commit()
    {
        return code;
    }
    let shown = match &dest {
        Dest::Dir(dir) => format!(
            "{} ({}, {SUMS}{})",
            dir.display(),
            rendered.names(),
            signed.as_deref().map(|k| format!(", {SIG} by key {}", &k[..16])).unwrap_or_default()
        ),
        _ => rendered.files.first().map(|(n, _)| n.clone()).unwrap_or_default(),
    };
    let pages = rendered.pages;
    if let Err(code) = rendered.commit() {
        return code;
    }
    let c = &model.counts;
    let _ = writeln!(
        std::io::stderr(),
        "cordon: report {} written to {}{}: {} read, {} evaluated, {} invalid{}; {} block, {} review, {} pass",
        model.report_id,
        shown,
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
        let failed = model.population.reconciliation.failures();
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

/// The manifest `--out-dir` writes beside the renderings.
const SUMS: &str = "SHA256SUMS";
/// The detached signature of `SHA256SUMS` (`--sign-key`).
const SIG: &str = "SHA256SUMS.sig";

/// Reads a key file with `parse`; an error is printed and is exit status 2.
fn read_key<K>(path: &Path, parse: fn(&str, &str) -> Result<K, report::sign::SignError>) -> Result<K, u8> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| fail(format!("cannot read the key `{name}`: {e}")))?;
    parse(&name, &text).map_err(|e| {
        diag::print(&e);
        EXIT_ERROR
    })
}

/// The renderings of one run, in the order `--out-dir` writes them: the PDF
/// last, its cover holding the others' fingerprints.
const SET: [&str; 3] = ["report.json", "report.csv", "report.pdf"];

/// Where a report goes.
enum Dest {
    /// One file (or stdout) in one format.
    File(PathBuf, ReportFormat),
    /// PDF, JSON, CSV and their manifest in a folder.
    Dir(PathBuf),
    /// Re-run and compare with such a folder.
    Verify(PathBuf),
}

/// A rendering ready to be put in place.
enum Output {
    Bytes(PathBuf, Vec<u8>),
    Stream(atomic::AtomicFile),
}

impl Output {
    fn commit(self) -> Result<(), u8> {
        let written = match self {
            Output::Bytes(path, bytes) => atomic::write_file(&path, &bytes),
            Output::Stream(file) => file.commit(),
        };
        written.map_err(|e| {
            diag::print(&e);
            EXIT_ERROR
        })
    }
}

/// Renderings ready to be put in place, with their names and SHA-256.
struct Rendered {
    outputs: Vec<Output>,
    files: Vec<(String, String)>,
    pages: Option<usize>,
}

impl Rendered {
    fn names(&self) -> String {
        self.files.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ")
    }

    /// Puts every rendering in place; the manifest, if any, last.
    fn commit(self) -> Result<(), u8> {
        self.outputs.into_iter().try_for_each(Output::commit)
    }
}

/// Forwards writes and hashes them.
struct Hashing<W> {
    inner: W,
    sha: sha2::Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        use sha2::Digest;
        let n = self.inner.write(buf)?;
        self.sha.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// JSON or CSV, streamed to `path`'s temporary file; its SHA-256.
fn render_machine(path: &Path, format: ReportFormat, model: &report::Report) -> Result<(Output, String), u8> {
    use sha2::Digest;
    let file = atomic::AtomicFile::create(path).map_err(|e| {
        diag::print(&e);
        EXIT_ERROR
    })?;
    let mut out = Hashing { inner: std::io::BufWriter::with_capacity(1 << 16, file), sha: sha2::Sha256::new() };
    let written = if format == ReportFormat::Json {
        report::machine::write_json(model, &mut out)
    } else {
        report::machine::write_csv(model, &mut out)
    };
    let sha = cordon::unstable::source::hex(&out.sha.finalize());
    let file = match written {
        Ok(()) => out.inner.into_inner().map_err(|e| {
            let (e, out) = e.into_parts();
            out.get_ref().error(e)
        }),
        Err(e) => Err(out.inner.get_ref().error(e)),
    };
    match file {
        Ok(f) => Ok((Output::Stream(f), sha)),
        Err(e) => {
            diag::print(&e);
            Err(EXIT_ERROR)
        }
    }
}

/// The PDF's bytes and page count.
fn render_pdf(model: &report::Report, limit: usize) -> Result<(Vec<u8>, usize), u8> {
    let doc = report::compose(model, limit);
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
            Ok((r.bytes, doc.pages.len()))
        }
        Err(e) => {
            diag::print(&e);
            Err(EXIT_ERROR)
        }
    }
}

/// One rendering to `path` (or stdout).
fn render_one(path: &Path, format: ReportFormat, model: &report::Report, limit: usize) -> Result<Rendered, u8> {
    let name = display(path);
    match format {
        ReportFormat::Json | ReportFormat::Csv => {
            let (out, sha) = render_machine(path, format, model)?;
            Ok(Rendered { outputs: vec![out], files: vec![(name, sha)], pages: None })
        }
        ReportFormat::Pdf => {
            let (bytes, pages) = render_pdf(model, limit)?;
            let sha = cordon::unstable::source::sha256_hex(&bytes);
            Ok(Rendered {
                outputs: vec![Output::Bytes(path.to_path_buf(), bytes)],
                files: vec![(name, sha)],
                pages: Some(pages),
            })
        }
    }
}

/// The three renderings of one run in `dir`, the PDF's cover holding the
/// JSON's and CSV's fingerprints, and `SHA256SUMS` over all three.
fn render_set(dir: &Path, model: &report::Report, limit: usize) -> Result<Rendered, u8> {
    if let Err(e) = std::fs::create_dir_all(dir) {
        return Err(fail(format!("cannot create the folder `{}`: {e}", dir.display())));
    }
    let mut outputs = Vec::new();
    let mut files = Vec::new();
    for (name, format) in [(SET[0], ReportFormat::Json), (SET[1], ReportFormat::Csv)] {
        let (out, sha) = render_machine(&dir.join(name), format, model)?;
        outputs.push(out);
        files.push((name.to_string(), sha));
    }
    let mut first = model.with_first(limit).map_err(|e| fail(format!("the report's flagged records: {e}")))?;
    first.renderings = files
        .iter()
        .map(|(name, sha)| FileFingerprint { path: name.clone(), kind: "rendering".into(), sha256: sha.clone() })
        .collect();
    let (bytes, pages) = render_pdf(&first, limit)?;
    files.push((SET[2].to_string(), cordon::unstable::source::sha256_hex(&bytes)));
    outputs.push(Output::Bytes(dir.join(SET[2]), bytes));
    // `sha256sum -c` reads this: hash, two spaces, name.
    let sums: String = files.iter().map(|(name, sha)| format!("{sha}  {name}\n")).collect();
    outputs.push(Output::Bytes(dir.join(SUMS), sums.into_bytes()));
    Ok(Rendered { outputs, files, pages: Some(pages) })
}

/// `--verify`: renders the run into a temporary folder and compares each
/// file with `dir`'s, and `dir`'s files with its `SHA256SUMS`.
fn verify(dir: &Path, model: &report::Report, limit: usize, key: Option<&report::sign::PublicKey>) -> u8 {
    let tmp = match tempfile::tempdir() {
        Ok(t) => t,
        Err(e) => return fail(format!("cannot create a temporary folder to re-run into: {e}")),
    };
    let rendered = match render_set(tmp.path(), model, limit) {
        Ok(r) => r,
        Err(code) => return code,
    };
    if let Err(code) = rendered.commit() {
        return code;
    }
    let sums = std::fs::read_to_string(dir.join(SUMS)).unwrap_or_default();
    let listed = |name: &str| -> Option<String> {
        sums.lines().find_map(|l| l.split_once("  ").filter(|(_, n)| *n == name).map(|(h, _)| h.to_string()))
    };
    let mut out = std::io::stdout().lock();
    let mut same = true;
    for name in SET.iter().copied().chain([SUMS]) {
        let fresh = std::fs::read(tmp.path().join(name)).map(|b| cordon::unstable::source::sha256_hex(&b));
        let kept = std::fs::read(dir.join(name)).map(|b| cordon::unstable::source::sha256_hex(&b));
        let line = match (&kept, &fresh) {
            (Err(_), _) => format!("MISSING    {name}: not in `{}`", dir.display()),
            (Ok(k), Ok(f)) if k == f => {
                format!("identical  {name}  {}", &k[..16])
            }
            (Ok(k), Ok(f)) => {
                let short = |h: &str| h.chars().take(16).collect::<String>();
                let edited = match listed(name) {
                    Some(h) if name != SUMS && h != *k => {
                        format!("; {SUMS} lists {}…: the file changed after it was written", short(&h))
                    }
                    _ => String::new(),
                };
                format!("DIFFERS    {name}: {}… in the folder, {}… re-run{edited}", short(k), short(f))
            }
            (Ok(_), Err(e)) => format!("UNREADABLE {name}: the re-run's copy: {e}"),
        };
        same &= line.starts_with("identical");
        let _ = writeln!(out, "{line}");
    }
    // The signature, over the folder's own SHA256SUMS.
    let sig = std::fs::read(dir.join(SIG)).ok();
    let sums_bytes = std::fs::read(dir.join(SUMS)).unwrap_or_default();
    let line = match (key, &sig) {
        (Some(k), Some(s)) if k.verifies(&sums_bytes, s) => {
            format!("signed     {SIG}: good signature of {SUMS} by key {}", &k.fingerprint()[..16])
        }
        (Some(k), Some(_)) => {
            format!("BAD        {SIG}: not a signature of this {SUMS} by key {}", &k.fingerprint()[..16])
        }
        (Some(_), None) => format!("MISSING    {SIG}: the folder is not signed"),
        (None, Some(_)) => format!("unchecked  {SIG}: give --public-key to check the signature"),
        (None, None) => String::new(),
    };
    if !line.is_empty() {
        same &= line.starts_with("signed") || line.starts_with("unchecked");
        let _ = writeln!(out, "{line}");
    }
    let c = &model.counts;
    let _ = writeln!(
        out,
        "{}: report {} re-run ({} read, {} block, {} review, {} pass; results digest {}…)",
        if same { "verified" } else { "NOT verified" },
        model.report_id,
        c.read,
        c.decisions.block,
        c.decisions.review,
        c.decisions.pass,
        &model.results_digest[..16]
    );
    if same { EXIT_OK } else { super::EXIT_FINDINGS }
}

fn display(p: &Path) -> String {
    if p.as_os_str() == "-" { "stdout".into() } else { p.display().to_string() }
}

/// The folder a `--rules` path names: itself, or a rule file's folder.
fn rules_dir(rules: &std::path::Path) -> PathBuf {
    if rules.is_file() {
        rules.parent().map(std::path::Path::to_path_buf).unwrap_or_default()
    } else {
        rules.to_path_buf()
    }
}
