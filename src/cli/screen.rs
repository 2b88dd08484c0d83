//! `cordon screen`: screen one name, or every row of a CSV file of names,
//! against the sanctions-list snapshots; ranked candidates with scores and
//! reasons, reviewed clearances applied.

use std::io::Write;
use std::path::PathBuf;

use clap::ValueEnum;
use cordon::unstable::lists::Kind;
use cordon::unstable::screen::reviewed::{Clearances, Cleared};
use cordon::unstable::screen::{Candidate, DEFAULT_THRESHOLD, Query, Screener};
use cordon::unstable::sources::Store;
use cordon::unstable::values::{Country, Decimal};
use rayon::prelude::*;
use serde::Serialize;

use super::lists::ListsDir;
use super::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, diag};

/// Rows screened together.
const BATCH: usize = 8192;

/// `--type`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypeArg {
    /// A person or an organisation.
    Party,
    /// A person.
    Individual,
    /// A company or organisation.
    Entity,
    /// A ship.
    Vessel,
    /// An aircraft.
    Aircraft,
}

fn kinds_of(t: TypeArg) -> Vec<Kind> {
    match t {
        TypeArg::Party => vec![Kind::Individual, Kind::Entity],
        TypeArg::Individual => vec![Kind::Individual],
        TypeArg::Entity => vec![Kind::Entity],
        TypeArg::Vessel => vec![Kind::Vessel],
        TypeArg::Aircraft => vec![Kind::Aircraft],
    }
}

/// `--format`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScreenFormat {
    /// A ranked table for people.
    Text,
    /// One JSON object (one per row with `--input`).
    Json,
    /// One JSON object per row (the same as `json`).
    Jsonl,
}

/// Arguments of `cordon screen`.
#[derive(clap::Args, Debug)]
pub struct ScreenArgs {
    /// The name to screen.
    #[arg(required_unless_present_any = ["input", "imo"], conflicts_with = "input")]
    name: Option<String>,
    /// Screen every row of this CSV file (`name` column; optional `type`, `country`, `imo`); `-` reads stdin.
    #[arg(long, value_name = "FILE")]
    input: Option<PathBuf>,
    /// Only entries of this kind.
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    kind: Option<TypeArg>,
    /// A country the party is linked to (ISO code): entries that agree score a little higher.
    #[arg(long, value_name = "CC")]
    country: Option<String>,
    /// An IMO number: vessels with it match whatever their name.
    #[arg(long, value_name = "N")]
    imo: Option<String>,
    /// Lowest score reported, from 0 to 1.
    #[arg(long, value_name = "SCORE", default_value_t = DEFAULT_THRESHOLD)]
    threshold: Decimal,
    /// Only entries listed under this programme (repeatable), e.g. `DPRK`.
    #[arg(long = "programme", value_name = "NAME")]
    programmes: Vec<String>,
    /// Only these lists (repeatable) [default: every list in the lists directory].
    #[arg(long = "list", value_name = "NAME")]
    lists: Vec<String>,
    /// Most candidates per name.
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Reviewed-matches file whose clearances suppress false positives.
    #[arg(long, value_name = "FILE")]
    reviewed: Option<PathBuf>,
    /// Output format [default: text for one name, jsonl with --input].
    #[arg(long, value_enum)]
    format: Option<ScreenFormat>,
    /// Worker threads [default: all cores].
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    #[command(flatten)]
    dir: ListsDir,
}

#[derive(Serialize)]
struct MatchOut<'a> {
    list: &'a str,
    #[serde(rename = "ref")]
    reference: &'a str,
    kind: &'static str,
    matched_name: &'a str,
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    score: Decimal,
    reason: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    listed_on: Option<&'a str>,
    entry_hash: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    clearance_outdated: Option<String>,
}

#[derive(Serialize)]
struct SuppressedOut<'a> {
    list: &'a str,
    #[serde(rename = "ref")]
    reference: &'a str,
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    score: Decimal,
    reviewer: &'a str,
    reason: &'a str,
    reviewed_on: &'a str,
}

#[derive(Serialize)]
struct RowOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u64>,
    name: &'a str,
    matches: Vec<MatchOut<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressed: Vec<SuppressedOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    /// Why the name could not be screened fully: it needs review by hand.
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

/// Candidates of one query, with clearances applied.
struct Screened {
    kept: Vec<(Candidate, Option<(usize, cordon::unstable::screen::reviewed::Refusal)>)>,
    suppressed: Vec<(Candidate, usize)>,
    /// Why the name was not screened fully, if it was not.
    note: Option<String>,
}

struct Ctx {
    screener: Screener,
    clearances: Clearances,
}

impl Ctx {
    fn run(&self, q: &Query) -> Screened {
        let found = self.screener.screening(q);
        let mut out = Screened { kept: Vec::new(), suppressed: Vec::new(), note: found.note() };
        for c in found.candidates {
            let hash = self.screener.lists[c.list_index].entry_hash(c.entry_index);
            let asked = cordon::unstable::screen::reviewed::Asked { score: c.score, record: None };
            match self.clearances.check(&q.name, &c.list, &c.reference, hash, asked) {
                Cleared::Yes(i) => out.suppressed.push((c, i)),
                Cleared::Refused(i, why) => out.kept.push((c, Some((i, why)))),
                Cleared::No => out.kept.push((c, None)),
            }
        }
        out
    }

    fn row<'a>(&'a self, line: Option<u64>, name: &'a str, s: &'a Screened) -> RowOut<'a> {
        RowOut {
            line,
            name,
            matches: s
                .kept
                .iter()
                .map(|(c, stale)| MatchOut {
                    list: &c.list,
                    reference: &c.reference,
                    kind: c.kind.name(),
                    matched_name: &c.matched_name,
                    score: c.score,
                    reason: &c.reason,
                    listed_on: c.listed_on.as_deref(),
                    entry_hash: self.screener.lists[c.list_index].entry_hash(c.entry_index),
                    clearance_outdated: stale.and_then(|(i, why)| Some(why.says(self.clearances.entries.get(i)?))),
                })
                .collect(),
            suppressed: s
                .suppressed
                .iter()
                .filter_map(|(c, i)| {
                    let m = self.clearances.entries.get(*i)?;
                    Some(SuppressedOut {
                        list: &c.list,
                        reference: &c.reference,
                        score: c.score,
                        reviewer: &m.reviewer,
                        reason: &m.reason,
                        reviewed_on: &m.date,
                    })
                })
                .collect(),
            error: None,
            note: s.note.clone(),
        }
    }
}

fn load(a: &ScreenArgs) -> Result<Ctx, u8> {
    let dir = match a.dir.resolve() {
        Ok(d) => d,
        Err(d) => {
            diag::print_all(&d);
            return Err(EXIT_ERROR);
        }
    };
    let store = Store::new(dir);
    let names = if a.lists.is_empty() { store.names() } else { a.lists.clone() };
    if names.is_empty() {
        eprintln!("cordon: error: no lists in `{}`", store.dir.display());
        eprintln!("  help: import one with `cordon lists import FILE --as NAME`, or name the directory with `--lists`");
        return Err(EXIT_ERROR);
    }
    // Each list's snapshot and index, read (or built) on a thread of its own.
    let loaded: Vec<_> = std::thread::scope(|scope| {
        let loading: Vec<_> =
            names.iter().map(|n| scope.spawn(|| cordon::unstable::screen::persist::load(&store, n))).collect();
        loading.into_iter().map(|l| l.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    });
    let mut indexes = Vec::new();
    for l in loaded {
        match l {
            Ok(index) => indexes.push(index),
            Err(e) => {
                diag::print(&e);
                return Err(EXIT_ERROR);
            }
        }
    }
    let clearances = match &a.reviewed {
        None => Clearances::default(),
        Some(p) => {
            match cordon::unstable::config::read_source(p).and_then(|s| cordon::unstable::config::load_reviewed(&s)) {
                Ok(entries) => Clearances::new(Some(p.display().to_string()), None, entries),
                Err(e) => {
                    diag::print(&e);
                    return Err(EXIT_ERROR);
                }
            }
        }
    };
    Ok(Ctx { screener: Screener::from_indexes(indexes), clearances })
}

fn check_threshold(t: Decimal) -> Result<(), u8> {
    if t < Decimal::ZERO || t > Decimal::ONE {
        eprintln!("cordon: error: `--threshold {t}` is not a score; scores run from 0 to 1");
        return Err(EXIT_ERROR);
    }
    Ok(())
}

/// Runs `cordon screen`.
pub fn run(a: ScreenArgs) -> u8 {
    match run_inner(a) {
        Ok(code) | Err(code) => code,
    }
}

fn run_inner(a: ScreenArgs) -> Result<u8, u8> {
    check_threshold(a.threshold)?;
    if let Some(n) = a.threads {
        let _ = rayon::ThreadPoolBuilder::new().num_threads(n.max(1)).build_global();
    }
    let country = match &a.country {
        None => None,
        Some(c) => match Country::parse(c) {
            Ok(c) => Some(c),
            Err(m) => {
                eprintln!("cordon: error: `--country {c}`: {m}");
                return Err(EXIT_ERROR);
            }
        },
    };
    let ctx = load(&a)?;
    // The indexes are not freed one allocation at a time as the command
    // ends: the process exits right after (a tenth of a one-name run).
    let ctx: &Ctx = Box::leak(Box::new(ctx));
    if let Some(input) = &a.input {
        return screen_file(&a, ctx, input);
    }
    let q = Query {
        name: a.name.clone().unwrap_or_default(),
        kinds: a.kind.map(kinds_of).unwrap_or_default(),
        country,
        imo: a.imo.as_ref().map(|i| i.chars().filter(char::is_ascii_digit).collect()),
        programmes: a.programmes.clone(),
        threshold: a.threshold,
        limit: a.limit.max(1),
    };
    let s = ctx.run(&q);
    match a.format.unwrap_or(ScreenFormat::Text) {
        ScreenFormat::Json | ScreenFormat::Jsonl => {
            let row = ctx.row(None, &q.name, &s);
            outln!("{}", serde_json::to_string(&row).unwrap_or_default());
        }
        ScreenFormat::Text => print_text(ctx, &q, &s),
    }
    // A name not screened fully is not a pass: it needs review.
    Ok(if s.kept.is_empty() && s.note.is_none() { EXIT_OK } else { EXIT_FINDINGS })
}

fn print_text(ctx: &Ctx, q: &Query, s: &Screened) {
    let lists: Vec<String> = ctx
        .screener
        .lists
        .iter()
        .map(|l| format!("{} ({})", l.snapshot.name, l.snapshot.published.as_deref().unwrap_or("undated")))
        .collect();
    let what = match (&q.imo, q.name.is_empty()) {
        (Some(i), true) => format!("IMO {i}"),
        (Some(i), false) => format!("\"{}\" / IMO {i}", q.name),
        (None, _) => format!("\"{}\"", q.name),
    };
    outln!("{what} against {}, score ≥ {}:", lists.join(", "), q.threshold);
    if s.kept.is_empty() {
        outln!("  no match");
    }
    if let Some(note) = &s.note {
        outln!("  note: {note}");
    }
    for (i, (c, stale)) in s.kept.iter().enumerate() {
        outln!("{:>3}. {}  {:<8} {:<10} {:<10} {}", i + 1, c.score, c.list, c.reference, c.kind.name(), c.matched_name);
        let listed = c.listed_on.as_deref().map(|d| format!("; listed {d}")).unwrap_or_default();
        outln!("       {}{listed}", c.reason);
        if let Some((m, why)) = stale.and_then(|(i, why)| Some((ctx.clearances.entries.get(i)?, why))) {
            outln!("       {}: review again", why.says(m));
        }
    }
    for (c, i) in &s.suppressed {
        if let Some(m) = ctx.clearances.entries.get(*i) {
            outln!(
                "  suppressed: {} {} \"{}\" ({}), cleared by {} on {}: {}",
                c.list,
                c.reference,
                c.matched_name,
                c.score,
                m.reviewer,
                m.date,
                m.reason
            );
        }
    }
}

/// One row of the input file, or why it cannot be screened.
struct Row {
    line: u64,
    name: String,
    query: Result<Query, String>,
}

fn screen_file(a: &ScreenArgs, ctx: &Ctx, input: &PathBuf) -> Result<u8, u8> {
    let shown = input.display().to_string();
    let reader: Box<dyn std::io::Read> = if input.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        match std::fs::File::open(input) {
            Ok(f) => Box::new(f),
            Err(e) => {
                eprintln!("cordon: error: cannot read `{shown}`: {e}");
                return Err(EXIT_ERROR);
            }
        }
    };
    let unclosed = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = QuoteWatch { inner: reader, state: Quoting::FieldStart, unclosed: std::sync::Arc::clone(&unclosed) };
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(std::io::BufReader::new(reader));
    let header: Vec<String> = match csv.headers() {
        Ok(h) => h.iter().map(|c| c.trim().trim_start_matches('\u{feff}').to_lowercase()).collect(),
        Err(e) => {
            eprintln!("cordon: error: `{shown}` has no readable header: {e}");
            return Err(EXIT_ERROR);
        }
    };
    let col = |n: &str| header.iter().position(|h| h == n);
    let Some(name_col) = col("name") else {
        eprintln!("cordon: error: `{shown}` has no `name` column (its columns: {})", header.join(", "));
        eprintln!("  help: the first line must name the columns: `name` and optionally `type`, `country`, `imo`");
        return Err(EXIT_ERROR);
    };
    let (type_col, country_col, imo_col) = (col("type"), col("country"), col("imo"));
    let default_kinds = a.kind.map(kinds_of).unwrap_or_default();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let (mut read, mut matched, mut invalid, mut partial) = (0u64, 0u64, 0u64, 0u64);
    let mut records = csv.into_records();
    let mut done = false;
    while !done {
        let mut batch: Vec<Row> = Vec::with_capacity(BATCH);
        while batch.len() < BATCH {
            let Some(r) = records.next() else {
                done = true;
                // The csv reader takes a quote never closed to run to the end
                // of the file: that last row is not a name, it is reported.
                if unclosed.load(std::sync::atomic::Ordering::Relaxed)
                    && let Some(last) = batch.last_mut()
                {
                    last.query = Err(format!(
                        "the quote opened in the row on line {} is never closed: the rest of the file was read as one field",
                        last.line
                    ));
                }
                break;
            };
            read += 1;
            let row = match r {
                Ok(rec) => {
                    let line = rec.position().map_or(read + 1, |p| p.line());
                    let get = |c: Option<usize>| c.and_then(|i| rec.get(i)).map(str::trim).unwrap_or("");
                    let name = get(Some(name_col)).to_string();
                    let query = build_query(&name, get(type_col), get(country_col), get(imo_col), a, &default_kinds);
                    Row { line, name, query }
                }
                Err(e) => Row {
                    line: e.position().map_or(read + 1, |p| p.line()),
                    name: String::new(),
                    query: Err(format!("unreadable CSV row: {e}")),
                },
            };
            batch.push(row);
        }
        let results: Vec<Option<Screened>> =
            batch.par_iter().map(|r| r.query.as_ref().ok().map(|q| ctx.run(q))).collect();
        for (row, res) in batch.iter().zip(&results) {
            let line = match res {
                Some(s) => {
                    if !s.kept.is_empty() {
                        matched += 1;
                    }
                    if s.note.is_some() {
                        partial += 1;
                    }
                    serde_json::to_string(&ctx.row(Some(row.line), &row.name, s))
                }
                None => {
                    invalid += 1;
                    let error = row.query.as_ref().err().cloned();
                    serde_json::to_string(&RowOut {
                        line: Some(row.line),
                        name: &row.name,
                        matches: Vec::new(),
                        suppressed: Vec::new(),
                        error,
                        note: None,
                    })
                }
            };
            let write = writeln!(out, "{}", line.unwrap_or_default());
            if let Err(e) = write {
                if e.kind() == std::io::ErrorKind::BrokenPipe {
                    return Ok(EXIT_OK);
                }
                eprintln!("cordon: error: cannot write the output: {e}");
                return Err(EXIT_ERROR);
            }
        }
    }
    if let Err(e) = out.flush()
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("cordon: error: cannot write the output: {e}");
        return Err(EXIT_ERROR);
    }
    let partial_text =
        if partial > 0 { format!("; {partial} not screened fully (see `note`): review them") } else { String::new() };
    eprintln!(
        "cordon: {read} rows read from `{shown}`: {} screened ({matched} with a match, {} without), {invalid} invalid{partial_text}",
        read - invalid,
        read - invalid - matched
    );
    Ok(if matched > 0 || invalid > 0 || partial > 0 { EXIT_FINDINGS } else { EXIT_OK })
}

/// Where a CSV reader is in a field, as far as quotes go (RFC 4180: a quote
/// opens a field only at its start; `""` inside one is a quote).
#[derive(Clone, Copy, PartialEq)]
enum Quoting {
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

/// A reader that watches the CSV bytes passing through and, at the end of
/// the input, says whether a quoted field was left open (the csv crate
/// reads such a file without an error).
struct QuoteWatch<R> {
    inner: R,
    state: Quoting,
    unclosed: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl<R: std::io::Read> std::io::Read for QuoteWatch<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 {
            self.unclosed.store(self.state == Quoting::Quoted, std::sync::atomic::Ordering::Relaxed);
        }
        for b in buf.get(..n).unwrap_or_default() {
            self.state = match (self.state, b) {
                (Quoting::FieldStart, b'"') => Quoting::Quoted,
                (Quoting::Quoted, b'"') => Quoting::QuoteInQuoted,
                (Quoting::Quoted, _) => Quoting::Quoted,
                (Quoting::QuoteInQuoted, b'"') => Quoting::Quoted,
                (_, b',' | b'\n' | b'\r') => Quoting::FieldStart,
                _ => Quoting::Unquoted,
            };
        }
        Ok(n)
    }
}

fn build_query(
    name: &str,
    kind: &str,
    country: &str,
    imo: &str,
    a: &ScreenArgs,
    default_kinds: &[Kind],
) -> Result<Query, String> {
    let imo_digits: String = imo.chars().filter(char::is_ascii_digit).collect();
    if name.is_empty() && imo_digits.is_empty() {
        return Err("`name` is empty (and there is no `imo`)".into());
    }
    if !imo.is_empty() && imo_digits.len() != 7 {
        return Err(format!("`imo` is `{imo}`, not a seven-digit IMO number"));
    }
    let kinds = match kind.to_lowercase().as_str() {
        "" => default_kinds.to_vec(),
        "party" => vec![Kind::Individual, Kind::Entity],
        "person" => vec![Kind::Individual],
        "company" | "organisation" | "organization" => vec![Kind::Entity],
        other => match Kind::from_name(other) {
            Some(k) => vec![k],
            None => {
                return Err(format!("`type` is `{kind}`; write individual, entity, vessel, aircraft or party"));
            }
        },
    };
    let country = match country {
        "" => None,
        c => Some(Country::parse(c).map_err(|m| format!("`country`: {m}"))?),
    };
    Ok(Query {
        name: name.to_string(),
        kinds,
        country,
        imo: (!imo_digits.is_empty()).then_some(imo_digits),
        programmes: a.programmes.clone(),
        threshold: a.threshold,
        limit: a.limit.max(1),
    })
}
