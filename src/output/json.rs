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
    match o {
        RecordOutcome::Evaluated(e)
            if e.findings.is_empty()
                && e.data_quality.is_empty()
                && e.suppressed.is_empty()
                && e.skipped.is_empty() =>
        {
            write_plain_line(w, ctx, e)
        }
        _ => write_full_line(w, ctx, o),
    }
}

/// [`write_line`] for the usual record (evaluated, nothing found, nothing
/// to say about its data): the same bytes as serialising its result, which
/// [`write_full_line`] builds, written without building it (the copies of
/// its id, file name and the fingerprint were a third of rendering a line).
fn write_plain_line<W: Write>(mut w: W, ctx: &Context<'_>, e: &crate::findings::Evaluated) -> io::Result<()> {
    let file = ctx.files.get(e.file).map_or("", String::as_str);
    w.write_all(b"{\"id\":")?;
    write_str(&mut w, e.id.as_str())?;
    w.write_all(b",\"file\":")?;
    write_str(&mut w, file)?;
    w.write_all(b",\"line\":")?;
    serde_json::to_writer(&mut w, &e.line)?;
    w.write_all(b",\"decision\":")?;
    serde_json::to_writer(&mut w, &e.decision)?;
    w.write_all(b",\"findings\":[]")?;
    if ctx.stamp {
        w.write_all(b",\"rules\":")?;
        write_str(&mut w, ctx.rules.fingerprint.as_str())?;
    }
    w.write_all(b"}")
}

/// A JSON string, as `serde_json` writes it: text with nothing to escape
/// (no control character, quote or backslash: ids, file names and the
/// rules' fingerprint, as a rule) is written between quotes as it is, found
/// sixteen bytes at a time; anything else goes through `serde_json`.
fn write_str<W: Write>(mut w: W, s: &str) -> io::Result<()> {
    let needs = |chunk: &[u8]| chunk.iter().fold(false, |n, &b| n | (b < 0x20) | (b == b'"') | (b == b'\\'));
    let mut chunks = s.as_bytes().chunks_exact(16);
    let plain = !chunks.by_ref().any(needs) && !needs(chunks.remainder());
    if plain {
        w.write_all(b"\"")?;
        w.write_all(s.as_bytes())?;
        w.write_all(b"\"")
    } else {
        Ok(serde_json::to_writer(w, s)?)
    }
}

/// [`write_line`] for any record: its result, built and serialised.
fn write_full_line<W: Write>(w: W, ctx: &Context<'_>, o: &RecordOutcome) -> io::Result<()> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{Input, InputSpec, Limits};
    use std::sync::Arc;

    proptest::proptest! {
        /// Strings are written byte for byte as `serde_json` writes them,
        /// whatever they hold and wherever in sixteen bytes it falls.
        #[test]
        fn strings_are_written_as_serde_json_writes_them(s in "[a-z/\"\\\\\u{0}-\u{1f}\u{7f}é한]{0,40}") {
            let mut ours = Vec::new();
            write_str(&mut ours, &s).expect("writes");
            proptest::prop_assert_eq!(String::from_utf8(ours).expect("utf-8"), serde_json::to_string(&s).expect("json"));
        }
    }

    /// The usual line is written byte for byte as its result serialises,
    /// whatever its id and file name hold (quotes, backslashes, control
    /// characters, non-ASCII), stamped with the fingerprint or not; a line
    /// with a finding or a data-quality note goes the full way.
    #[test]
    fn the_usual_line_is_the_serialised_result() {
        let pack = crate::MemSources::new().with(
            "r.cordon",
            "regime R\nrule R-1 { title: \"t\" cite: \"c\" severity: review when: origin in { KP } }\n",
        );
        let engine = crate::Engine::from_sources(&pack, &crate::LoadOptions::new()).expect("loads");
        let csv = "id,date,origin,destination,hs_code,quantity\n\
                   TX-1,2024-01-02,CN,CN,2701,5\n\
                   \"a\"\"b\\\\c\",2024-01-02,CN,CN,2701,5\n\
                   \u{1}tab\there,2024-01-02,CN,CN,2701,5\n\
                   \u{e9}t\u{e9} \u{2028}\u{7f},2024-01-02,CN,CN,2701,5\n\
                   ,2024-01-02,CN,CN,2701,5\n\
                   KP-1,2024-01-02,KP,CN,2701,5\n\
                   Q-1,2024-01-02,CN,CN,2701,lots\n";
        let mut input = Input::with_chunks(
            Box::new(std::io::Cursor::new(csv.as_bytes().to_vec())),
            &InputSpec::new("in \"x\"\\\u{e9}.csv"),
            0,
            Arc::clone(&engine.rules().schema),
            Arc::new(crate::InputConfig::standard()),
            Limits::default(),
            1 << 16,
        )
        .expect("opens");
        let rows = input.next_batch(100).expect("reads");
        assert_eq!(rows.len(), 7);
        let files = vec!["in \"x\"\\\u{e9}.csv".to_string()];
        let (mut plain, mut full) = (0, 0);
        for raw in &rows {
            let outcome = match input.layout.parse(raw) {
                Ok(rec) => RecordOutcome::Evaluated(crate::eval::evaluate(engine.program(), &rec)),
                Err(inv) => RecordOutcome::Invalid(inv),
            };
            for stamp in [false, true] {
                let ctx = Context { rules: engine.rules(), files: &files, stamp };
                let mut got = Vec::new();
                write_line(&mut got, &ctx, &outcome).expect("writes");
                let mut want = Vec::new();
                write_full_line(&mut want, &ctx, &outcome).expect("writes");
                assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&want));
                match &outcome {
                    RecordOutcome::Evaluated(e) if e.findings.is_empty() && e.data_quality.is_empty() => plain += 1,
                    _ => full += 1,
                }
            }
        }
        // Four usual lines (a control character, a tab and non-ASCII text
        // in their ids); no id, a finding and a bad value take the full way.
        assert_eq!((plain, full), (8, 6));
    }
}
