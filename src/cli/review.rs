//! `cordon review`: the disposition register — list each finding and invalid
//! record with management's decision on it, record a decision, approve one.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use cordon::Date;
use cordon::unstable::atomic;
use cordon::unstable::report::disposition::{self, Disposition, INVALID, Register, STATUSES};

use super::check::RunArgs;
use super::report::{load_register, model_of};
use super::{EXIT_ERROR, EXIT_OK, diag};

/// Arguments of `cordon review`.
#[derive(clap::Args, Debug)]
pub struct ReviewArgs {
    #[command(subcommand)]
    command: ReviewCommand,
}

#[derive(clap::Subcommand, Debug)]
enum ReviewCommand {
    /// List every finding and invalid record with its disposition and whether it holds.
    List(ListArgs),
    /// Record a decision on one finding (or invalid record), as it stands in these inputs.
    Add(AddArgs),
    /// Approve a recorded decision: the approver must not be its preparer.
    Approve(ApproveArgs),
}

/// The register and the run a review is about.
#[derive(clap::Args, Debug)]
struct Against {
    #[command(flatten)]
    run: RunArgs,
    /// The disposition register (YAML; created by the first `add`).
    #[arg(long, value_name = "FILE", default_value = "dispositions.yaml")]
    dispositions: PathBuf,
    /// Transaction files: CSV, or JSON Lines (`.jsonl`).
    #[arg(required = true, value_name = "FILE")]
    inputs: Vec<PathBuf>,
}

#[derive(clap::Args, Debug)]
struct ListArgs {
    #[command(flatten)]
    against: Against,
    /// Only items that are open (no disposition that holds, or an open status).
    #[arg(long)]
    open: bool,
}

#[derive(clap::Args, Debug)]
struct AddArgs {
    #[command(flatten)]
    against: Against,
    /// The record's id.
    #[arg(long, value_name = "ID")]
    record: String,
    /// The rule whose finding is decided, or `invalid` for a record that could not be read.
    #[arg(long, value_name = "RULE")]
    rule: String,
    /// open, investigating, escalated, confirmed_breach, reported, licence_on_file or cleared.
    #[arg(long, value_name = "STATUS")]
    status: String,
    /// Why.
    #[arg(long, value_name = "TEXT")]
    rationale: String,
    /// Who decides.
    #[arg(long = "by", value_name = "NAME")]
    by: String,
    /// Where the evidence is kept (case number, file reference).
    #[arg(long, value_name = "REF")]
    evidence: Option<String>,
    /// The date of the decision (default: today); never after today, never before the record.
    #[arg(long = "on", value_name = "DATE")]
    on: Option<String>,
    /// The last day the decision holds.
    #[arg(long, value_name = "DATE")]
    expires: Option<String>,
}

#[derive(clap::Args, Debug)]
struct ApproveArgs {
    /// The disposition register.
    #[arg(long, value_name = "FILE", default_value = "dispositions.yaml")]
    dispositions: PathBuf,
    /// The record's id.
    #[arg(long, value_name = "ID")]
    record: String,
    /// The rule (or `invalid`).
    #[arg(long, value_name = "RULE")]
    rule: String,
    /// Who approves: not the preparer.
    #[arg(long = "by", value_name = "NAME")]
    by: String,
    /// The date of the approval (default: today); never after today, never before the decision.
    #[arg(long = "on", value_name = "DATE")]
    on: Option<String>,
}

fn fail(msg: impl std::fmt::Display) -> u8 {
    let _ = writeln!(std::io::stderr(), "cordon: error: {msg}");
    EXIT_ERROR
}

/// Runs `cordon review`.
pub fn run(a: ReviewArgs) -> u8 {
    match a.command {
        ReviewCommand::List(l) => list(l),
        ReviewCommand::Add(x) => add(x),
        ReviewCommand::Approve(x) => approve(x),
    }
}

/// One item of a run: a finding or an invalid record.
struct ItemRow {
    record: String,
    rule: String,
    severity: String,
    date: Option<String>,
    file: String,
    line: u64,
    basis: disposition::Basis,
    view: Option<disposition::DispositionView>,
}

/// Every item of a run over the inputs, with its disposition.
fn items(against: &Against, register: &Register) -> Result<Vec<ItemRow>, u8> {
    let today = Date::today();
    let model =
        model_of(&against.run, &against.inputs, Some(Arc::new(register.clone())), format!("{today}T00:00:00Z"))?;
    let mut out = Vec::new();
    let read = model.each_flagged(&mut |r| {
        for f in &r.findings {
            out.push(ItemRow {
                record: r.id.clone(),
                rule: f.rule.clone(),
                severity: f.severity.clone(),
                date: Some(r.date.clone()),
                file: r.file.clone(),
                line: r.line,
                basis: f.basis.clone(),
                view: f.disposition.clone(),
            });
        }
        Ok(())
    });
    if let Err(e) = read {
        return Err(fail(format!("the run's flagged records: {e}")));
    }
    let mut seen = std::collections::BTreeSet::new();
    for q in &model.data_quality.invalid {
        if !seen.insert((q.file.clone(), q.line)) {
            continue;
        }
        out.push(ItemRow {
            record: q.id.clone().unwrap_or_default(),
            rule: INVALID.into(),
            severity: INVALID.into(),
            date: None,
            file: q.file.clone(),
            line: q.line,
            basis: q.basis.clone().unwrap_or_default(),
            view: q.disposition.clone(),
        });
    }
    Ok(out)
}

fn list(a: ListArgs) -> u8 {
    let register = match load_register(&a.against.dispositions) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let rows = match items(&a.against, &register) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "record\trule\tseverity\tfile\tline\tstatus\tstate\tprepared_by\tapproved_by\tnotes");
    let (mut open, mut shown) = (0u64, 0u64);
    for r in &rows {
        let status = r.view.as_ref().map_or("open", |v| v.effective());
        let closed = disposition::closes(status);
        open += u64::from(!closed);
        if a.open && closed {
            continue;
        }
        shown += 1;
        let v = r.view.as_ref();
        let _ = writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            if r.record.is_empty() { "(no id)" } else { &r.record },
            r.rule,
            r.severity,
            r.file,
            r.line,
            v.map_or("open", |v| v.status.as_str()),
            v.map_or("none", |v| v.state.as_str()),
            v.map_or("", |v| v.prepared_by.as_str()),
            v.and_then(|v| v.approved_by.as_deref()).unwrap_or(""),
            v.map_or(String::new(), |v| v.notes.join("; ")),
        );
    }
    let _ = writeln!(
        std::io::stderr(),
        "cordon: {} items (findings and invalid records), {open} open; {shown} listed; register {} ({} dispositions)",
        rows.len(),
        a.against.dispositions.display(),
        register.entries.len()
    );
    EXIT_OK
}

fn date_arg(flag: &str, v: Option<&str>) -> Result<String, String> {
    let today = Date::today();
    match v {
        None => Ok(today.to_string()),
        Some(s) => {
            let d = Date::parse(s).map_err(|e| format!("`--{flag} {s}`: {e}"))?;
            if d > today {
                return Err(format!(
                    "`--{flag} {s}` is after today ({today}): a decision cannot be dated in the future"
                ));
            }
            Ok(d.to_string())
        }
    }
}

fn save(path: &std::path::Path, register: &Register) -> u8 {
    let yaml = match register.to_yaml() {
        Ok(y) => y,
        Err(e) => return fail(e),
    };
    match atomic::write_file(path, yaml.as_bytes()) {
        Ok(()) => EXIT_OK,
        Err(e) => {
            diag::print(&e);
            EXIT_ERROR
        }
    }
}

fn add(a: AddArgs) -> u8 {
    if !STATUSES.iter().any(|(s, ..)| *s == a.status) {
        let known: Vec<&str> = STATUSES.iter().map(|(s, ..)| *s).collect();
        return fail(format!("`--status {}` is not a status; use one of {}", a.status, known.join(", ")));
    }
    let on = match date_arg("on", a.on.as_deref()) {
        Ok(d) => d,
        Err(e) => return fail(e),
    };
    if let Some(e) = &a.expires
        && let Err(m) = Date::parse(e)
    {
        return fail(format!("`--expires {e}`: {m}"));
    }
    let mut register = match load_register(&a.against.dispositions) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let rows = match items(&a.against, &register) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let Some(item) = rows.iter().find(|r| r.record == a.record && r.rule == a.rule) else {
        let on_record: Vec<&str> = rows.iter().filter(|r| r.record == a.record).map(|r| r.rule.as_str()).collect();
        let help = if on_record.is_empty() {
            "the record has no finding in these inputs (or is not in them)".to_string()
        } else {
            format!("its findings here: {}", on_record.join(", "))
        };
        return fail(format!("no finding of `{}` on record `{}` in these inputs\n  help: {help}", a.rule, a.record));
    };
    if let Some(d) = item.date.as_deref()
        && on.as_str() < d
    {
        return fail(format!(
            "`--on {on}` is before the record's date {d}: a decision cannot come before what it decides"
        ));
    }
    let d = Disposition {
        record: a.record.clone(),
        rule: a.rule.clone(),
        status: a.status.clone(),
        rationale: a.rationale.clone(),
        evidence: a.evidence.clone(),
        prepared_by: a.by.clone(),
        prepared_on: on,
        approved_by: None,
        approved_on: None,
        expires: a.expires.clone(),
        basis: item.basis.clone(),
    };
    if let Err(e) = register.put(d) {
        return fail(e);
    }
    let code = save(&a.against.dispositions, &register);
    if code == EXIT_OK {
        let _ = writeln!(
            std::io::stderr(),
            "cordon: recorded `{}` for {} / {} ({} line {}) in {}{}",
            a.status,
            a.record,
            a.rule,
            item.file,
            item.line,
            a.against.dispositions.display(),
            if disposition::closes(&a.status) && item.severity == "block" {
                "; closing a block finding holds only once another person approves it (`cordon review approve`)"
            } else {
                ""
            }
        );
    }
    code
}

fn approve(a: ApproveArgs) -> u8 {
    let on = match date_arg("on", a.on.as_deref()) {
        Ok(d) => d,
        Err(e) => return fail(e),
    };
    let mut register = match load_register(&a.dispositions) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let Some((_, d)) = register.get(&a.record, &a.rule) else {
        return fail(format!(
            "`{}` holds no disposition of `{}` on record `{}`\n  help: record one first with `cordon review add`",
            a.dispositions.display(),
            a.rule,
            a.record
        ));
    };
    if on < d.prepared_on {
        return fail(format!("`--on {on}` is before the decision was prepared ({})", d.prepared_on));
    }
    let d = Disposition { approved_by: Some(a.by.clone()), approved_on: Some(on), ..d.clone() };
    if let Err(e) = register.put(d) {
        return fail(e);
    }
    let code = save(&a.dispositions, &register);
    if code == EXIT_OK {
        let _ = writeln!(std::io::stderr(), "cordon: approved {} / {} by {}", a.record, a.rule, a.by);
    }
    code
}
