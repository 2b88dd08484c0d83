//! The state kept between runs: the records rules over many records have
//! counted (so a monthly run continues the year's totals), the runs that
//! counted them, and every change made by hand. One trait, [`Store`]; the
//! embedded SQLite implementation is `sqlite.rs` (the only file that
//! knows SQL), so another database is a second file.

pub mod log;
mod pg;
mod sqlite;

pub use log::{DecisionLog, Export, LogCheck, LogEntry, LogFilter, Logged};
pub use pg::PgStore;
pub use sqlite::SqliteStore;

/// Opens the decision log a `--store` names: `postgres://…` (or
/// `postgresql://…`) a PostgreSQL database, `sqlite:PATH` or a plain path
/// a SQLite file (created when `write` and absent).
pub fn open_log(spec: &str, write: bool) -> Result<Box<dyn DecisionLog>, StoreError> {
    if spec.starts_with("postgres://") || spec.starts_with("postgresql://") {
        return Ok(Box::new(PgStore::open(spec)?));
    }
    let path = spec.strip_prefix("sqlite:").unwrap_or(spec);
    Ok(Box::new(SqliteStore::open_log(std::path::Path::new(path), write)?))
}

use crate::values::{Date, Decimal};

/// What went wrong with the state store.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum StoreError {
    /// The file could not be opened or is not a Cordon state file.
    #[error("cannot use the state file `{path}`: {reason}")]
    #[diagnostic(
        code(cordon::state::open),
        help("give another file with `--state`, or move this one aside; a new file is created when none exists")
    )]
    Open {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// Another run holds the file.
    #[error("the state file `{path}` is locked by another run")]
    #[diagnostic(code(cordon::state::locked), help("wait for the other run to finish, then run again"))]
    Locked {
        /// The file.
        path: String,
    },
    /// The file cannot be written.
    #[error("the state file `{path}` is read-only")]
    #[diagnostic(code(cordon::state::read_only), help("make it writable, or give another file with `--state`"))]
    ReadOnly {
        /// The file.
        path: String,
    },
    /// A rule's definition changed since it counted records.
    #[error("rule `{rule}` counted records in this state under another definition (`{before}`, now `{now}`)")]
    #[diagnostic(
        code(cordon::state::redefined),
        help("its stored totals no longer mean the same; start them again with `cordon state reset --rule RULE`")
    )]
    Redefined {
        /// The rule.
        rule: String,
        /// Its definition when it counted.
        before: String,
        /// Its definition now.
        now: String,
    },
    /// A stored group key could not be made again as this Cordon makes it.
    #[error(
        "rule `{rule}` counted records in this state under the group `{group}`, which cannot be read back to fold it again"
    )]
    #[diagnostic(
        code(cordon::state::regroup),
        help(
            "start the rule's totals again with `cordon state reset --rule RULE --why TEXT`, then count its records again"
        )
    )]
    Regroup {
        /// The rule.
        rule: String,
        /// The group key as stored.
        group: String,
    },
    /// A group named for a reset, in a state whose keys an older Cordon made.
    #[error("rule `{rule}` keeps group keys made by an older Cordon, so `--group` cannot name its groups")]
    #[diagnostic(
        code(cordon::state::old_groups),
        help("run `cordon check` with this state once (it makes the keys again), or reset without `--group`")
    )]
    OldGroups {
        /// The rule.
        rule: String,
    },
    /// A read or a write failed.
    #[error("the state file `{path}`: {reason}")]
    #[diagnostic(code(cordon::state::io))]
    Io {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
}

/// A run as the store records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunInfo {
    /// When it started (RFC 3339).
    pub at: String,
    /// Who ran it (user name, or what the caller says).
    pub who: String,
    /// The rule set's fingerprint.
    pub rules: String,
    /// The inputs' names, `; `-separated.
    pub inputs: String,
}

/// A record a rule counts.
#[derive(Debug, Clone, PartialEq)]
pub struct CountRow {
    /// The rule id.
    pub rule: String,
    /// The record id.
    pub record: String,
    /// SHA-256 of the record's fields: the same record counted twice is counted once.
    pub hash: String,
    /// Its group.
    pub group: String,
    /// Its transaction date.
    pub date: Date,
    /// Its amount per limit, or `None` when it could not be counted.
    pub amounts: Option<Vec<Decimal>>,
    /// The input it came from.
    pub file: String,
    /// Its line.
    pub line: u64,
}

/// What counting a record did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// Counted now.
    New,
    /// The same record (id and content) was counted before, by this run or
    /// an earlier one: not counted again.
    Again {
        /// The run that counted it.
        run: i64,
    },
    /// A different record with this id was counted before: not counted;
    /// the conflict is reported.
    Conflict {
        /// The run that counted the earlier one.
        run: i64,
    },
}

/// A counted record, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRow {
    /// The record id.
    pub record: String,
    /// Its group.
    pub group: String,
    /// Its transaction date.
    pub date: Date,
    /// Its amount per limit, or `None` when it could not be counted.
    pub amounts: Option<Vec<Decimal>>,
    /// The input it came from.
    pub file: String,
    /// Its line.
    pub line: u64,
    /// The run that counted it.
    pub run: i64,
    /// Its standing when totals were last worked out (`under`, `over`, `uncertain`, `uncounted`).
    pub status: String,
}

/// A run, as `cordon state history` lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RunRow {
    /// Run number.
    pub run: i64,
    /// When.
    pub at: String,
    /// Who.
    pub who: String,
    /// The rule set's fingerprint.
    pub rules: String,
    /// Its inputs.
    pub inputs: String,
    /// Records it counted.
    pub counted: u64,
}

/// A change made by hand, as `cordon state history` lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ChangeRow {
    /// When.
    pub at: String,
    /// Who.
    pub who: String,
    /// Why, as given.
    pub why: String,
    /// What was changed.
    pub what: String,
}

/// Which counted records a reset removes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Only this rule's.
    pub rule: Option<String>,
    /// Only those dated in this period (both ends inclusive).
    pub period: Option<(Date, Date)>,
    /// Only this group's.
    pub group: Option<String>,
}

/// Where the state lives. Every method that writes does so inside the run
/// begun by [`Store::begin`], made durable only by [`Store::commit`].
pub trait Store {
    /// Whether the state lives only as long as this process (one run's
    /// inputs), not in a file.
    fn is_memory(&self) -> bool;

    /// Starts a run: takes the write lock and opens a transaction; returns
    /// the run number.
    fn begin(&mut self, run: &RunInfo) -> Result<i64, StoreError>;

    /// Records what a rule counts (its `total`, `window` and `limit`);
    /// fails if it counted records under another definition. Group keys it
    /// stored under an older folding of text than
    /// [`GROUP_TEXT_VERSION`](crate::values::name::GROUP_TEXT_VERSION) are
    /// made again by `refold` (`None`: a key that cannot be read back, which
    /// fails with [`StoreError::Regroup`]).
    fn define(
        &mut self,
        rule: &str,
        definition: &str,
        refold: &dyn Fn(&str) -> Option<String>,
    ) -> Result<(), StoreError>;

    /// The folding version of the group keys `rule` stored (`None` for a
    /// rule the state does not know).
    fn group_keys(&mut self, rule: &str) -> Result<Option<i64>, StoreError>;

    /// Counts a record, once.
    fn count(&mut self, run: i64, row: &CountRow) -> Result<Counted, StoreError>;

    /// Every record `rule` counted, by group, date and record id.
    fn scan(&mut self, rule: &str, each: &mut dyn FnMut(StoredRow)) -> Result<(), StoreError>;

    /// Sets a counted record's standing.
    fn set_status(&mut self, rule: &str, record: &str, status: &str) -> Result<(), StoreError>;

    /// Makes the run's changes durable.
    fn commit(&mut self) -> Result<(), StoreError>;

    /// Drops the run's changes.
    fn rollback(&mut self) -> Result<(), StoreError>;

    /// The runs, oldest first.
    fn runs(&mut self) -> Result<Vec<RunRow>, StoreError>;

    /// The changes made by hand, oldest first.
    fn changes(&mut self) -> Result<Vec<ChangeRow>, StoreError>;

    /// The rules that counted records, with their definitions.
    fn rules(&mut self) -> Result<Vec<(String, String)>, StoreError>;

    /// Removes counted records (a correction), recording who, when and why;
    /// returns how many. Runs in a transaction of its own.
    fn reset(&mut self, which: &Selection, change: &ChangeRow) -> Result<u64, StoreError>;
}

/// Amounts as stored: decimals joined by `;`.
pub(crate) fn amounts_text(a: &[Decimal]) -> String {
    a.iter().map(|d| d.normalize().to_string()).collect::<Vec<_>>().join(";")
}

/// Amounts read back.
pub(crate) fn amounts_of(text: &str) -> Option<Vec<Decimal>> {
    text.split(';').map(|t| crate::values::parse_decimal(t).ok()).collect()
}
