//! `cordon log`: the decision log — verify its hash chain, naming the first
//! bad entry; show its entries, filtered, as JSON Lines.

use std::path::PathBuf;

use cordon::unstable::store::{DecisionLog, LogFilter, SqliteStore};

use super::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, diag};

/// Arguments of `cordon log`.
#[derive(clap::Args, Debug)]
pub struct LogCmdArgs {
    #[command(subcommand)]
    command: LogCommand,
}

/// Which log.
#[derive(clap::Args, Debug)]
struct LogFile {
    /// The decision log (the SQLite file `check --log` writes).
    #[arg(long, value_name = "FILE")]
    log: PathBuf,
}

#[derive(clap::Subcommand, Debug)]
enum LogCommand {
    /// Verify the hash chain: every entry in place, unedited; exit 1 naming the first bad one.
    Verify {
        #[command(flatten)]
        file: LogFile,
        /// The head the chain must end at (from an earlier verify or export): a log cut short is found too.
        #[arg(long, value_name = "HASH")]
        head: Option<String>,
    },
    /// Show logged decisions as JSON Lines, oldest first.
    Show {
        #[command(flatten)]
        file: LogFile,
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
}

/// Runs `cordon log`.
pub fn run(a: LogCmdArgs) -> u8 {
    let path = match &a.command {
        LogCommand::Verify { file, .. } | LogCommand::Show { file, .. } => file.log.clone(),
    };
    let mut log = match SqliteStore::open_log(&path, false) {
        Ok(l) => l,
        Err(e) => {
            diag::print(&e);
            return EXIT_ERROR;
        }
    };
    match a.command {
        LogCommand::Verify { head, .. } => match log.verify() {
            Ok(check) => {
                if let Some((seq, why)) = &check.first_bad {
                    outln!("{}: entry {seq} is bad: {why}", path.display());
                    outln!("{} entries before it verify; the chain holds up to hash {}", seq - 1, check.head);
                    return EXIT_FINDINGS;
                }
                if let Some(want) = head.filter(|h| *h != check.head) {
                    outln!(
                        "{}: {} entries verify, but the chain ends at {} where {want} was expected: entries after it are missing",
                        path.display(),
                        check.entries,
                        check.head
                    );
                    return EXIT_FINDINGS;
                }
                outln!("{}: {} entries verify; head {}", path.display(), check.entries, check.head);
                EXIT_OK
            }
            Err(e) => {
                diag::print(&e);
                EXIT_ERROR
            }
        },
        LogCommand::Show { from, to, decision, rule, after, limit, .. } => {
            let filter = LogFilter { from, to, decision, rule, after, limit };
            match log.read(&filter) {
                Ok(rows) => {
                    for l in rows {
                        let e = &l.entry;
                        let result: serde_json::Value =
                            serde_json::from_str(&e.result).unwrap_or(serde_json::Value::Null);
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
                    EXIT_OK
                }
                Err(e) => {
                    diag::print(&e);
                    EXIT_ERROR
                }
            }
        }
    }
}
