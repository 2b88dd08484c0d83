//! CSV output: one row per finding (and one per record without findings, one
//! per rule skipped on a record for want of a column, and one per reason an
//! invalid record could not be read).

use std::io::{self, Write};

use super::{Context, Sink};
use crate::findings::{Outcome, RecordOutcome};
use crate::run::RunSummary;

/// Column names of the CSV output.
pub const HEADER: [&str; 13] = [
    "id", "file", "line", "decision", "rule", "severity", "outcome", "citation", "message", "evidence", "field",
    "value", "reason",
];

/// CSV: one row per finding.
pub struct CsvSink<'w> {
    out: csv::Writer<Box<dyn Write + 'w>>,
    header: bool,
}

impl<'w> CsvSink<'w> {
    /// Writes to `out`.
    pub fn new(out: Box<dyn Write + 'w>) -> Self {
        CsvSink { out: csv::Writer::from_writer(out), header: false }
    }
}

/// Writes one row, each cell made spreadsheet-safe.
fn write_safe<W: Write, S: AsRef<str>>(w: &mut csv::Writer<W>, row: &[S]) -> csv::Result<()> {
    w.write_record(row.iter().map(|c| crate::values::text::spreadsheet_safe(c.as_ref()).into_owned()))
}

fn err(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

impl Sink for CsvSink<'_> {
    fn record(&mut self, ctx: &Context<'_>, o: &RecordOutcome) -> io::Result<()> {
        if !self.header {
            self.out.write_record(HEADER).map_err(err)?;
            self.header = true;
        }
        let file = ctx.files.get(o.file()).map_or("", String::as_str);
        let line = o.line().to_string();
        match o {
            RecordOutcome::Evaluated(e) => {
                if e.findings.is_empty() {
                    let row = [e.id.as_str(), file, &line, e.decision.name(), "", "", "", "", "", "", "", "", ""];
                    write_safe(&mut self.out, &row).map_err(err)?;
                }
                for f in &e.findings {
                    let rule = &ctx.rules.rules[f.rule];
                    let mut evidence: Vec<String> =
                        f.evidence.iter().map(|(k, v)| format!("{}={v}", ctx.rules.schema.fields[*k].name)).collect();
                    // Screening matches: list, entry, alias, score and snapshot.
                    for h in &f.screens {
                        let (list, snap) = ctx
                            .rules
                            .lists
                            .get(h.list)
                            .map_or(("", ""), |l| (l.name.as_str(), l.snapshot.fingerprint.as_str()));
                        evidence.push(format!(
                            "match={list}:{} \"{}\" score {} snapshot {}",
                            h.reference,
                            h.matched_name,
                            h.score,
                            snap.get(..12).unwrap_or(snap)
                        ));
                    }
                    let evidence = evidence.join("; ");
                    let outcome = match f.outcome {
                        Outcome::Violation => "violation",
                        Outcome::Indeterminate { .. } => "indeterminate",
                    };
                    let row = [
                        e.id.as_str(),
                        file,
                        &line,
                        e.decision.name(),
                        &rule.id,
                        f.severity.name(),
                        outcome,
                        &rule.citation(),
                        &f.message,
                        &evidence,
                        "",
                        "",
                        "",
                    ];
                    write_safe(&mut self.out, &row).map_err(err)?;
                }
                // What was not checked on the record says so too.
                for sk in &e.skipped {
                    let rule = &ctx.rules.rules[sk.rule];
                    for field in sk.missing(&ctx.rules.schema) {
                        let reason = format!("the file has no column for `{field}`: the rule was not checked");
                        let row = [
                            e.id.as_str(),
                            file,
                            &line,
                            e.decision.name(),
                            &rule.id,
                            "",
                            "skipped",
                            &rule.citation(),
                            "",
                            "",
                            field,
                            "",
                            &reason,
                        ];
                        write_safe(&mut self.out, &row).map_err(err)?;
                    }
                }
            }
            RecordOutcome::Invalid(i) => {
                for p in &i.errors {
                    let row = [
                        i.id.as_deref().unwrap_or(""),
                        file,
                        &line,
                        "invalid",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        p.field.as_deref().unwrap_or(""),
                        p.value.as_deref().unwrap_or(""),
                        &p.reason,
                    ];
                    write_safe(&mut self.out, &row).map_err(err)?;
                }
            }
        }
        Ok(())
    }

    fn finish(&mut self, _: &Context<'_>, _: &RunSummary) -> io::Result<()> {
        if !self.header {
            self.out.write_record(HEADER).map_err(err)?;
        }
        self.out.flush()
    }
}

#[cfg(test)]
mod formula_tests {
    use crate::values::text::spreadsheet_safe;

    #[test]
    fn cells_a_spreadsheet_would_run_are_neutralised_and_numbers_are_not() {
        for risky in
            ["=HYPERLINK(\"http://x\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "-", "+", "-é"]
        {
            assert_eq!(spreadsheet_safe(risky), format!("'{risky}"), "{risky:?}");
        }
        for plain in ["-5", "+1.50", "-0.25", "ACME Ltd", "KP-COAL-IRON-2371", "", "é", "Éclair", "조선"] {
            assert_eq!(spreadsheet_safe(plain), plain, "{plain:?}");
        }
    }
}
