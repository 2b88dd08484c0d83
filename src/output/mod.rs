//! The output formats of `cordon check`: JSON Lines and JSON (the stable
//! machine contracts), the summary alone, CSV (one row per finding), and a
//! table for people.
//! Every format carries the same counts: read = evaluated + invalid.

mod csv;
mod json;
mod table;

pub use self::csv::CsvSink;
pub use json::{JsonSink, JsonlSink, SummarySink, jsonl_line, record_json, record_result, summary_json};
pub use table::TableSink;

use std::io;

use crate::check::RuleSet;
use crate::findings::RecordOutcome;
use crate::run::RunSummary;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// A table for people.
    Table,
    /// One JSON object per record.
    Jsonl,
    /// One JSON object with a summary and every record.
    Json,
    /// One CSV row per finding.
    Csv,
    /// The run summary alone, with records per rule.
    Summary,
}

/// What outputs need besides the outcomes: rule metadata and file names.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    /// The rule set.
    pub rules: &'a RuleSet,
    /// Input display names, by file index.
    pub files: &'a [String],
    /// Whether each JSON Lines line carries the rule set's fingerprint.
    pub stamp: bool,
}

/// A destination for outcomes, written as they come, in input order.
pub trait Sink {
    /// Writes one record's outcome.
    fn record(&mut self, ctx: &Context<'_>, outcome: &RecordOutcome) -> io::Result<()>;
    /// Writes whatever follows the records (summaries) and flushes.
    fn finish(&mut self, ctx: &Context<'_>, summary: &RunSummary) -> io::Result<()>;
}

/// A sink for a format, writing to `out`.
pub fn sink<'w>(format: OutputFormat, out: Box<dyn io::Write + 'w>) -> Box<dyn Sink + 'w> {
    match format {
        OutputFormat::Table => Box::new(TableSink::new(out)),
        OutputFormat::Jsonl => Box::new(JsonlSink::new(out)),
        OutputFormat::Json => Box::new(JsonSink::new(out)),
        OutputFormat::Csv => Box::new(CsvSink::new(out)),
        OutputFormat::Summary => Box::new(SummarySink::new(out)),
    }
}

/// The warnings on stderr about records that repeat an earlier id, and
/// about records whose ids were past the repeat check's memory, if any.
pub fn duplicates_note(s: &RunSummary) -> Option<String> {
    let d = &s.duplicate_ids;
    let mut lines = Vec::new();
    if let Some(first) = d.examples.first() {
        let more = if d.records > 1 { format!(" and {} more", d.records - 1) } else { String::new() };
        lines.push(format!(
            "cordon: warning: {} record{} an id seen earlier, e.g. `{}` on line {} of {} (first on line {} of {}){more}; each was evaluated",
            d.records,
            if d.records == 1 { " repeats" } else { "s repeat" },
            first.id,
            first.line,
            first.file,
            first.first_line,
            first.first_file,
        ));
    }
    if d.unchecked > 0 {
        lines.push(format!(
            "cordon: note: {} records came after the first {} distinct ids; they were checked against those, not against each other",
            d.unchecked,
            crate::run::MAX_TRACKED_IDS
        ));
    }
    if lines.is_empty() { None } else { Some(lines.join("\n")) }
}

/// What a run did not check, one line each: see [`RunSummary::not_checked`].
pub fn not_checked(s: &RunSummary) -> Vec<String> {
    s.not_checked()
}

/// The one-line summary for stderr.
pub fn summary_line(s: &RunSummary) -> String {
    format!(
        "cordon: {} read, {} evaluated, {} invalid; {} block, {} review, {} pass",
        s.read, s.evaluated, s.invalid, s.decisions.block, s.decisions.review, s.decisions.pass
    )
}
