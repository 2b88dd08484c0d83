//! The machine renderings of the report: JSON (the whole model) and CSV (one
//! row per finding, with its record). Both list every flagged record, also
//! those a model keeps in temporary files rather than in memory, as they are
//! read back: the bytes are the same wherever the records were kept.

use std::io::{self, Write};

use super::model::{FlaggedRecord, Report};

/// Where the list of flagged records goes in the pretty JSON of a model
/// whose list is empty: the only key indented by two spaces with that name
/// (a line break inside a string is written `\n`).
const FINDINGS_KEY: &[u8] = b"\n  \"findings\": []";

/// Writes the whole model as pretty JSON.
pub fn write_json(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    if r.more_findings.count() == 0 {
        serde_json::to_writer_pretty(&mut *out, r).map_err(io::Error::other)?;
        return out.write_all(b"\n");
    }
    // The rest of the model with an empty list, then the records put in the
    // list's place one by one, indented as the model's own JSON indents them.
    let emptied;
    let shell = if r.findings.is_empty() {
        r
    } else {
        emptied = Report { findings: Vec::new(), ..r.clone() };
        &emptied
    };
    let whole = serde_json::to_vec_pretty(shell).map_err(io::Error::other)?;
    let at = memchr::memmem::find(&whole, FINDINGS_KEY)
        .ok_or_else(|| io::Error::other("the report's JSON has no list of findings"))?;
    // Up to and with `[`; the `]` and what follows come after the records.
    let (head, tail) = whole.split_at(at + FINDINGS_KEY.len() - 1);
    out.write_all(head)?;
    let (mut first, mut one, mut indented) = (true, Vec::new(), Vec::new());
    r.each_flagged(&mut |f: &FlaggedRecord| {
        one.clear();
        serde_json::to_writer_pretty(&mut one, f).map_err(io::Error::other)?;
        indented.clear();
        indented.extend_from_slice(if first { b"\n    " } else { b",\n    " });
        first = false;
        let mut lines = one.split(|b| *b == b'\n');
        if let Some(line) = lines.next() {
            indented.extend_from_slice(line);
        }
        for line in lines {
            indented.extend_from_slice(b"\n    ");
            indented.extend_from_slice(line);
        }
        out.write_all(&indented)
    })?;
    out.write_all(b"\n  ")?;
    out.write_all(tail)?;
    out.write_all(b"\n")
}

/// The CSV columns.
pub const CSV_HEADER: [&str; 23] = [
    "report_id",
    "record_id",
    "file",
    "line",
    "date",
    "decision",
    "rule",
    "title",
    "regime",
    "severity",
    "outcome",
    "citation",
    "message",
    "evidence",
    "list_matches",
    "seller",
    "buyer",
    "origin",
    "destination",
    "hs_code",
    "description",
    "value",
    "results_digest",
];

/// Writes one row per finding.
pub fn write_csv(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let err = |e: csv::Error| match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    };
    w.write_record(CSV_HEADER).map_err(err)?;
    r.each_flagged(&mut |f: &FlaggedRecord| {
        for x in &f.findings {
            let evidence = x.evidence.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
            let line = f.line.to_string();
            let opt = |o: &Option<String>| o.clone().unwrap_or_default();
            let row: [String; 23] = [
                r.report_id.clone(),
                f.id.clone(),
                f.file.clone(),
                line,
                f.date.clone(),
                f.decision.clone(),
                x.rule.clone(),
                x.title.clone(),
                x.regime.clone(),
                x.severity.clone(),
                x.outcome.clone(),
                x.citation.clone(),
                x.message.clone(),
                evidence,
                x.matches.join("; "),
                opt(&f.seller),
                opt(&f.buyer),
                opt(&f.origin),
                opt(&f.destination),
                opt(&f.hs_code),
                opt(&f.description),
                opt(&f.value),
                r.results_digest.clone(),
            ];
            w.write_record(row.iter().map(|c| crate::values::text::spreadsheet_safe(c).into_owned())).map_err(err)?;
        }
        Ok(())
    })?;
    // Each record that could not be read, one row per problem: decision
    // `invalid`, no rule. The rows then account for every record read that
    // was not passed.
    for q in &r.data_quality.invalid {
        let mut row: [String; 23] = Default::default();
        row[0] = r.report_id.clone();
        row[1] = q.id.clone().unwrap_or_default();
        row[2] = q.file.clone();
        row[3] = q.line.to_string();
        row[5] = "invalid".into();
        row[12] = q.reason.clone();
        row[13] = match (&q.field, &q.value) {
            (Some(f), Some(v)) => format!("{f}={v}"),
            (Some(f), None) => f.clone(),
            _ => String::new(),
        };
        row[22] = r.results_digest.clone();
        w.write_record(row.iter().map(|c| crate::values::text::spreadsheet_safe(c).into_owned())).map_err(err)?;
    }
    // Each window's total (each licence's drawdown) as a row of its own:
    // decision `running_total`, no record.
    for t in r.running_totals.iter().flat_map(|a| &a.totals) {
        let mut row: [String; 23] = Default::default();
        row[0] = r.report_id.clone();
        row[22] = r.results_digest.clone();
        row[5] = "running_total".into();
        row[6] = t.rule.clone();
        row[10] = if t.over { "over" } else { "within" }.into();
        row[12] = format!(
            "{}: total {} of {} in {} ({} records{}); remaining {}",
            if t.group.is_empty() { "all records" } else { &t.group },
            t.totals.join(" / "),
            t.limits.join(" or "),
            t.window,
            t.count,
            if t.uncounted > 0 { format!(", {} not counted", t.uncounted) } else { String::new() },
            t.remaining.join(" / ")
        );
        w.write_record(row.iter().map(|c| crate::values::text::spreadsheet_safe(c).into_owned())).map_err(err)?;
    }
    w.flush()
}
