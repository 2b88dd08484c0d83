//! A table for people: the records that need attention, then a summary.
//! Passed records are counted, not listed.

use std::io::{self, BufWriter, Write};

use super::{Context, Sink};
use crate::findings::RecordOutcome;
use crate::run::RunSummary;

/// The human table.
pub struct TableSink<'w> {
    out: BufWriter<Box<dyn Write + 'w>>,
    width: usize,
    header: bool,
}

impl<'w> TableSink<'w> {
    /// Writes to `out`; lines are cut to the terminal width (`COLUMNS`, default 120).
    pub fn new(out: Box<dyn Write + 'w>) -> Self {
        let width = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).unwrap_or(120usize).max(60);
        TableSink { out: BufWriter::new(out), width, header: false }
    }

    fn line(&mut self, cols: [&str; 5]) -> io::Result<()> {
        // Ids, names and messages come from the input: shown, never obeyed.
        let cols = cols.map(crate::values::text::printable);
        let text = format!(
            "{:<22} {:<14} {:<8} {:<26} {}",
            cut(&cols[0], 22),
            cut(&cols[1], 14),
            cols[2],
            cut(&cols[3], 26),
            cols[4]
        );
        writeln!(self.out, "{}", cut(&text, self.width).trim_end())
    }
}

fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n.saturating_sub(1)).collect::<String>())
    }
}

impl Sink for TableSink<'_> {
    fn record(&mut self, ctx: &Context<'_>, o: &RecordOutcome) -> io::Result<()> {
        let listed = match o {
            RecordOutcome::Evaluated(e) => {
                !e.findings.is_empty() || !e.data_quality.is_empty() || !e.suppressed.is_empty()
            }
            RecordOutcome::Invalid(_) => true,
        };
        if !listed {
            return Ok(());
        }
        if !self.header {
            self.line(["RECORD", "LINE", "DECISION", "RULE", "MESSAGE"])?;
            self.header = true;
        }
        // One input: the line number says it all. Several: the file name too,
        // shortened from the left so the line number always shows.
        let loc = if ctx.files.len() <= 1 {
            o.line().to_string()
        } else {
            let file = ctx.files.get(o.file()).map_or("", String::as_str);
            let name =
                std::path::Path::new(file).file_name().map_or(file.to_string(), |f| f.to_string_lossy().into_owned());
            let line = o.line().to_string();
            let room = 14usize.saturating_sub(line.len() + 1);
            let name = if name.chars().count() > room {
                let skip = name.chars().count() + 1 - room;
                format!("…{}", name.chars().skip(skip).collect::<String>())
            } else {
                name
            };
            format!("{name}:{line}")
        };
        match o {
            RecordOutcome::Evaluated(e) => {
                let mut first = true;
                for f in &e.findings {
                    let rule = &ctx.rules.rules[f.rule];
                    let (id, l, d) =
                        if first { (e.id.as_str(), loc.as_str(), e.decision.name()) } else { ("", "", "") };
                    self.line([id, l, d, &rule.id, &f.message])?;
                    first = false;
                    for h in &f.screens {
                        let list = ctx.rules.lists.get(h.list).map_or("", |l| l.name.as_str());
                        let msg = format!(
                            "  ↳ \"{}\" matches {list} {} \"{}\", score {}",
                            h.value, h.reference, h.matched_name, h.score
                        );
                        self.line(["", "", "", "", &msg])?;
                    }
                }
                for s in &e.suppressed {
                    let (id, l, d) =
                        if first { (e.id.as_str(), loc.as_str(), e.decision.name()) } else { ("", "", "") };
                    let list = ctx.rules.lists.get(s.list).map_or("", |l| l.name.as_str());
                    let who = ctx
                        .rules
                        .clearances
                        .entries
                        .get(s.clearance)
                        .map_or(String::new(), |c| format!(" (cleared by {} on {})", c.reviewer, c.date));
                    let msg = format!("suppressed: \"{}\" against {list} {}{who}", s.value, s.reference);
                    self.line([id, l, d, "", &msg])?;
                    first = false;
                }
                for p in &e.data_quality {
                    let (id, l, d) =
                        if first { (e.id.as_str(), loc.as_str(), e.decision.name()) } else { ("", "", "") };
                    let msg = format!("data quality: `{}`: {}", p.field.as_deref().unwrap_or(""), p.reason);
                    self.line([id, l, d, "", &msg])?;
                    first = false;
                }
            }
            RecordOutcome::Invalid(i) => {
                let mut first = true;
                for p in &i.errors {
                    let (id, l, d) =
                        if first { (i.id.as_deref().unwrap_or("?"), loc.as_str(), "invalid") } else { ("", "", "") };
                    let msg = match &p.field {
                        Some(f) => format!("`{f}`: {}", p.reason),
                        None => p.reason.clone(),
                    };
                    self.line([id, l, d, "", &msg])?;
                    first = false;
                }
            }
        }
        Ok(())
    }

    fn finish(&mut self, ctx: &Context<'_>, s: &RunSummary) -> io::Result<()> {
        if self.header {
            writeln!(self.out)?;
        }
        let records = if s.read == 1 { "record" } else { "records" };
        writeln!(self.out, "{} {records} read: {} evaluated, {} invalid", s.read, s.evaluated, s.invalid)?;
        writeln!(
            self.out,
            "decisions: {} block, {} review, {} pass (passed records are not listed)",
            s.decisions.block, s.decisions.review, s.decisions.pass
        )?;
        writeln!(
            self.out,
            "rules: {} in {} regime{}, rule set sha256 {}",
            ctx.rules.rules.len(),
            ctx.rules.regimes.len(),
            if ctx.rules.regimes.len() == 1 { "" } else { "s" },
            s.rules
        )?;
        for i in &s.inputs {
            let records = if i.read == 1 { "record" } else { "records" };
            writeln!(self.out, "input: {} ({} {records}, sha256 {})", i.file, i.read, i.sha256)?;
        }
        for note in super::not_checked(s) {
            writeln!(self.out, "note: {note}")?;
        }
        self.out.flush()
    }
}
