//! `cordon log`: the decision log — verify its hash chain (naming the first
//! bad entry), show its entries, export a signed segment for retention and
//! prune what was exported, verify an exported segment; and the `--log`
//! option `check` and `report` share.

use std::path::{Path, PathBuf};

use cordon::unstable::store::{self, DecisionLog, LogFilter};

use super::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, diag};

/// `--log`: where a run appends its decisions.
#[derive(clap::Args, Debug, Clone)]
pub struct RunLogArgs {
    /// Append every record's decision to this decision log, hash-chained (`cordon log verify` proves nothing
    /// was removed or edited): a SQLite file (created if absent; `sqlite:PATH` too) or `postgres://…`.
    #[arg(long, value_name = "STORE")]
    pub log: Option<String>,
    /// With `--log`: keep each record's fields in the log, not only their hash (a report can then be built
    /// from the log).
    #[arg(long, requires = "log")]
    pub log_records: bool,
}

impl RunLogArgs {
    /// Opens the log, refusing the run's own state file (its run holds the
    /// file's write lock until it ends).
    pub fn open(&self, state: Option<&Path>) -> Result<Option<Box<dyn DecisionLog>>, u8> {
        let Some(spec) = self.log.as_deref() else { return Ok(None) };
        let file = spec.strip_prefix("sqlite:").unwrap_or(spec);
        if let Some(state) = state
            && !spec.contains("://")
            && std::path::absolute(file).ok() == std::path::absolute(state).ok()
        {
            let e = miette::miette!(
                code = "cordon::state::locked",
                help = "give the decision log a file of its own: `--log decisions.db`",
                "`{file}` is both the state file and the decision log of this run",
            );
            diag::print(e.as_ref());
            return Err(EXIT_ERROR);
        }
        match store::open_log(spec, true) {
            Ok(l) => Ok(Some(l)),
            Err(e) => {
                diag::print(&e);
                Err(EXIT_ERROR)
            }
        }
    }
}

/// Arguments of `cordon log`.
#[derive(clap::Args, Debug)]
pub struct LogCmdArgs {
    #[command(subcommand)]
    command: LogCommand,
}

/// Which log.
#[derive(clap::Args, Debug)]
struct Store {
    /// The decision log: a SQLite file (`sqlite:PATH` too) or `postgres://user@host/db`.
    #[arg(long, alias = "log", value_name = "STORE")]
    store: String,
}

/// The key that signs and verifies segments.
#[derive(clap::Args, Debug)]
struct SigningKey {
    /// A file holding the secret key (HMAC-SHA256); `CORDON_LOG_KEY` gives it directly.
    #[arg(long, value_name = "FILE")]
    key_file: Option<PathBuf>,
    /// The secret key itself (for scripts; prefer `--key-file`).
    #[arg(long, env = "CORDON_LOG_KEY", hide_env_values = true, conflicts_with = "key_file")]
    key: Option<String>,
}

impl SigningKey {
    fn read(&self) -> Result<Option<Vec<u8>>, u8> {
        if let Some(k) = &self.key {
            return Ok(Some(k.trim().as_bytes().to_vec()));
        }
        let Some(path) = &self.key_file else { return Ok(None) };
        match std::fs::read(path) {
            Ok(b) => Ok(Some(b.trim_ascii().to_vec())),
            Err(e) => {
                eprintln!("cordon: error: cannot read the key file `{}`: {e}", path.display());
                Err(EXIT_ERROR)
            }
        }
    }
}

#[derive(clap::Subcommand, Debug)]
enum LogCommand {
    /// Verify the hash chain: every entry in place, unedited; exit 1 naming the first bad one. With
    /// `--segment`, verify exported segment files instead.
    Verify {
        /// The log to verify.
        #[arg(long, alias = "log", value_name = "STORE", required_unless_present = "segment")]
        store: Option<String>,
        /// The head the chain must end at (from an earlier verify or export): a log cut short is found too.
        #[arg(long, value_name = "HASH")]
        head: Option<String>,
        /// Exported segment files to verify (in order: each must continue the one before).
        #[arg(long, value_name = "FILE", num_args = 1..)]
        segment: Vec<PathBuf>,
        #[command(flatten)]
        key: SigningKey,
    },
    /// Show logged decisions as JSON Lines, oldest first.
    Show {
        #[command(flatten)]
        store: Store,
        /// From this time (RFC 3339, or a date).
        #[arg(long)]
        from: Option<String>,
        /// Before this time.
        #[arg(long)]
        to: Option<String>,
        /// Only this decision (block, review, pass, invalid).
        #[arg(long)]
        decision: Option<String>,
        /// Only decisions on which this rule gave a finding.
        #[arg(long)]
        rule: Option<String>,
        /// Only entries after this position (a cursor).
        #[arg(long, default_value_t = 0)]
        after: i64,
        /// At most this many (0: all).
        #[arg(long, default_value_t = 0)]
        limit: usize,
    },
    /// Write the entries decided before a time, after the last export, to a segment file sealed by its chain
    /// head (and signed with a key when given); the log records the export.
    Export {
        #[command(flatten)]
        store: Store,
        /// Export the entries decided before this time (RFC 3339, or a date).
        #[arg(long)]
        until: String,
        /// The segment file to write.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        #[command(flatten)]
        key: SigningKey,
    },
    /// Remove from the log the entries of every exported segment (never one that was not exported); the chain
    /// in the log then starts from the last exported head.
    Prune {
        #[command(flatten)]
        store: Store,
    },
}

fn open(spec: &str, write: bool) -> Result<Box<dyn DecisionLog>, u8> {
    store::open_log(spec, write).map_err(failed)
}

/// An error printed; the exit code.
fn failed<E: miette::Diagnostic + Send + Sync + 'static>(e: E) -> u8 {
    diag::print(&e);
    EXIT_ERROR
}

/// What a run that logged says: how many decisions, where, the chain's head.
pub fn logged_note(n: u64, log: &str, head: Option<&str>) -> String {
    format!(
        "{n} decision{} logged to {log}{}",
        if n == 1 { "" } else { "s" },
        head.map_or(String::new(), |h| format!(" (chain head {h})"))
    )
}

/// Runs `cordon log`.
pub fn run(a: LogCmdArgs) -> u8 {
    let outcome = match a.command {
        LogCommand::Verify { store: Some(spec), head, segment, .. } if segment.is_empty() => verify(&spec, head),
        LogCommand::Verify { segment, key, .. } => verify_segments(&segment, &key),
        LogCommand::Show { store, from, to, decision, rule, after, limit } => {
            show(&store.store, LogFilter { from, to, decision, rule, after, limit })
        }
        LogCommand::Export { store, until, output, key } => export(&store.store, &until, &output, &key),
        LogCommand::Prune { store } => prune(&store.store),
    };
    outcome.unwrap_or_else(|code| code)
}

fn verify(spec: &str, head: Option<String>) -> Result<u8, u8> {
    let mut log = open(spec, false)?;
    let name = log.describe();
    let check = log.verify().map_err(failed)?;
    let exports = log.exports().map_err(failed)?;
    let pruned = cordon::unstable::store::log::checkpoint(&exports).0;
    let since = if pruned > 0 { format!(" after entry {pruned} (exported and pruned)") } else { String::new() };
    if let Some((seq, why)) = &check.first_bad {
        outln!("{name}: entry {seq} is bad: {why}");
        outln!("{} entries before it verify{since}; the chain holds up to hash {}", check.entries - 1, check.head);
        return Ok(EXIT_FINDINGS);
    }
    if let Some(want) = head.filter(|h| *h != check.head) {
        outln!(
            "{name}: {} verify{since}, but the chain ends at {} where {want} was expected: entries after it are missing",
            entries(check.entries),
            check.head
        );
        return Ok(EXIT_FINDINGS);
    }
    outln!("{name}: {} verify{since}; head {}", entries(check.entries), check.head);
    Ok(EXIT_OK)
}

/// `1 entry`, `2 entries`.
fn entries(n: u64) -> String {
    if n == 1 { "1 entry".into() } else { format!("{n} entries") }
}

fn verify_segments(files: &[PathBuf], key: &SigningKey) -> Result<u8, u8> {
    let key = key.read()?;
    let mut bad = false;
    let mut before: Option<(i64, String)> = None;
    for f in files {
        let bytes = std::fs::read(f).map_err(|e| {
            eprintln!("cordon: error: cannot read `{}`: {e}", f.display());
            EXIT_ERROR
        })?;
        let name = f.display();
        let s = match cordon::unstable::store::log::verify_segment(&bytes, key.as_deref()) {
            Ok(s) => s,
            Err(why) => {
                outln!("{name}: not a segment: {why}");
                bad = true;
                continue;
            }
        };
        let mut problems = s.problems.clone();
        if let Some((seq, why)) = &s.check.first_bad {
            problems.push(format!("entry {seq} is bad: {why}"));
        }
        if s.signature == Some(false) {
            problems.push(if s.signed {
                "its signature does not match the key".into()
            } else {
                "it is not signed, though a key was given".into()
            });
        }
        if let Some((to, head)) = &before
            && (s.from_seq != to + 1 || s.prev != *head)
        {
            problems.push(format!("it does not continue the segment before (which ended at entry {to})"));
        }
        if problems.is_empty() {
            let signed = match (s.signed, s.signature) {
                (_, Some(true)) => "; signature good",
                (true, _) => "; signed, signature not checked (no key given)",
                (false, _) => "; unsigned",
            };
            outln!("{name}: entries {} to {} verify; head {}{signed}", s.from_seq, s.to_seq, s.check.head);
        } else {
            bad = true;
            for p in problems {
                outln!("{name}: {p}");
            }
        }
        before = Some((s.to_seq, s.check.head));
    }
    Ok(if bad { EXIT_FINDINGS } else { EXIT_OK })
}

fn show(spec: &str, filter: LogFilter) -> Result<u8, u8> {
    let mut log = open(spec, false)?;
    let rows = log.read(&filter).map_err(failed)?;
    for l in rows {
        let e = &l.entry;
        let result: serde_json::Value = serde_json::from_str(&e.result).unwrap_or(serde_json::Value::Null);
        let line = serde_json::json!({
            "seq": l.seq,
            "decision_id": l.decision_id,
            "at": e.at,
            "source": e.source,
            "record_id": e.record_id,
            "record_hash": e.record_hash,
            "decision": e.decision,
            "rules": e.rules,
            "lists": e.lists,
            "result": result,
            "hash": l.hash,
            "prev": l.prev,
        });
        outln!("{line}");
    }
    Ok(EXIT_OK)
}

fn export(spec: &str, until: &str, output: &Path, key: &SigningKey) -> Result<u8, u8> {
    let key = key.read()?;
    let mut log = open(spec, true)?;
    let segment = cordon::unstable::store::log::export(log.as_mut(), until, &super::state::now(), key.as_deref())
        .map_err(failed)?;
    let Some(segment) = segment else {
        outln!("{}: nothing to export before {until} (every earlier entry is in an earlier segment)", log.describe());
        return Ok(EXIT_OK);
    };
    // The file first, then the record of it: an export the log knows of is on disk.
    cordon::unstable::atomic::write_file(output, &segment.bytes).map_err(failed)?;
    log.record_export(&segment.export).map_err(failed)?;
    let x = &segment.export;
    outln!(
        "{}: entries {} to {} exported to {} (sha256 {}); head {}{}",
        log.describe(),
        x.from_seq,
        x.to_seq,
        output.display(),
        x.file_sha256,
        x.head,
        if key.is_some() { "; signed" } else { "" }
    );
    Ok(EXIT_OK)
}

fn prune(spec: &str) -> Result<u8, u8> {
    let mut log = open(spec, true)?;
    let n = log.prune().map_err(failed)?;
    let exports = log.exports().map_err(failed)?;
    let (upto, head) = cordon::unstable::store::log::checkpoint(&exports);
    if upto == 0 {
        outln!("{}: nothing exported, nothing pruned", log.describe());
    } else {
        outln!(
            "{}: {n} exported entries removed; the chain now starts after entry {upto} (head {head})",
            log.describe()
        );
    }
    Ok(EXIT_OK)
}
