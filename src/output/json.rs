//! JSON Lines and JSON outputs (the BRIEF's stable contracts).

use std::io::{self, BufWriter, Read, Seek, Write};

use super::{Context, Sink};
use crate::findings::RecordOutcome;
use crate::results::RecordResult;
use crate::run::RunSummary;

/// One record's outcome as its owned, serialisable result.
pub fn record_result(ctx: &Context<'_>, o: &RecordOutcome) -> RecordResult {
    RecordResult::new(ctx.rules, ctx.files.get(o.file()).map_or("", String::as_str), o)
}

fn write_record(w: &mut dyn Write, ctx: &Context<'_>, o: &RecordOutcome) -> io::Result<()> {
    serde_json::to_writer(w, &record_result(ctx, o)).map_err(io::Error::other)
}

/// A JSON Lines line: the record's result, stamped with the rule set's
/// fingerprint unless the run writes it once in a header.
fn write_line<W: Write>(w: W, ctx: &Context<'_>, o: &RecordOutcome) -> io::Result<()> {
    let mut r = record_result(ctx, o);
    if ctx.stamp {
        r = r.with_rules(&ctx.rules.fingerprint);
    }
    serde_json::to_writer(w, &r).map_err(io::Error::other)
}

/// One record's outcome as a JSON value.
pub fn record_json(ctx: &Context<'_>, o: &RecordOutcome) -> serde_json::Value {
    serde_json::to_value(record_result(ctx, o)).unwrap_or(serde_json::Value::Null)
}

/// The run summary as a JSON value.
pub fn summary_json(s: &RunSummary) -> serde_json::Value {
    serde_json::to_value(s).unwrap_or(serde_json::Value::Null)
}

/// JSON Lines: one object per record.
pub struct JsonlSink<'w> {
    out: BufWriter<Box<dyn Write + 'w>>,
}

impl<'w> JsonlSink<'w> {
    /// Writes to `out`.
    pub fn new(out: Box<dyn Write + 'w>) -> Self {
        JsonlSink { out: BufWriter::with_capacity(1 << 16, out) }
    }
}

impl Sink for JsonlSink<'_> {
    fn record(&mut self, ctx: &Context<'_>, o: &RecordOutcome) -> io::Result<()> {
        write_line(&mut self.out, ctx, o)?;
        self.out.write_all(b"\n")
    }

    fn finish(&mut self, _: &Context<'_>, _: &RunSummary) -> io::Result<()> {
        self.out.flush()
    }
}

/// Appends one record's JSON Lines line (with its newline) to `out`, for
/// rendering on all cores.
pub fn jsonl_line(ctx: &Context<'_>, o: &RecordOutcome, out: &mut Vec<u8>) {
    // Writing to a Vec cannot fail; serialisation of these views cannot either.
    // (The Vec itself, not `dyn Write`: serde_json's many small writes then
    // compile to appends instead of a dynamic call each.)
    let _ = write_line(&mut *out, ctx, o);
    out.push(b'\n');
}

/// The run summary alone, with the records per rule
/// ([`crate::contracts::CheckSummary`]), on one line at the end.
pub struct SummarySink<'w> {
    out: Box<dyn Write + 'w>,
}

impl<'w> SummarySink<'w> {
    /// Writes to `out`.
    pub fn new(out: Box<dyn Write + 'w>) -> Self {
        SummarySink { out }
    }
}

impl Sink for SummarySink<'_> {
    fn record(&mut self, _: &Context<'_>, _: &RecordOutcome) -> io::Result<()> {
        Ok(())
    }

    fn finish(&mut self, _: &Context<'_>, summary: &RunSummary) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, &crate::contracts::CheckSummary::new(summary))
            .map_err(io::Error::other)?;
        self.out.write_all(b"\n")?;
        self.out.flush()
    }
}

/// JSON: `{"summary": …, "records": […]}`. The summary comes first but is
/// known only at the end, so records are spilled to a temporary file and
/// copied after it: memory stays flat however large the input.
pub struct JsonSink<'w> {
    out: BufWriter<Box<dyn Write + 'w>>,
    spill: Option<BufWriter<std::fs::File>>,
    count: u64,
    error: Option<io::Error>,
}

impl<'w> JsonSink<'w> {
    /// Writes to `out`.
    pub fn new(out: Box<dyn Write + 'w>) -> Self {
        let (spill, error) = match tempfile::tempfile() {
            Ok(f) => (Some(BufWriter::with_capacity(1 << 16, f)), None),
            Err(e) => (None, Some(e)),
        };
        JsonSink { out: BufWriter::with_capacity(1 << 16, out), spill, count: 0, error }
    }
}

impl Sink for JsonSink<'_> {
    fn record(&mut self, ctx: &Context<'_>, o: &RecordOutcome) -> io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        let Some(spill) = self.spill.as_mut() else { return Err(io::Error::other("no temporary file")) };
        if self.count > 0 {
            spill.write_all(b",\n")?;
        }
        self.count += 1;
        write_record(spill, ctx, o)
    }

    fn finish(&mut self, _: &Context<'_>, summary: &RunSummary) -> io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.out.write_all(b"{\"summary\":")?;
        serde_json::to_writer(&mut self.out, summary).map_err(io::Error::other)?;
        self.out.write_all(b",\"records\":[\n")?;
        if let Some(spill) = self.spill.take() {
            let mut f = spill.into_inner().map_err(|e| e.into_error())?;
            f.seek(io::SeekFrom::Start(0))?;
            let mut buf = vec![0u8; 1 << 16];
            loop {
                let n = f.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                self.out.write_all(&buf[..n])?;
            }
        }
        self.out.write_all(b"\n]}\n")?;
        self.out.flush()
    }
}
