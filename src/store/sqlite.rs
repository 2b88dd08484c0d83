//! The state in an embedded SQLite database (rusqlite, SQLite bundled:
//! nothing to install): one file, write-ahead logging, every run one
//! transaction, schemas migrated by the numbered SQL files in `migrations/`.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, params};

use super::log::{self, DecisionLog, Export, LogCheck, LogEntry, LogFilter, Logged};
use super::{ChangeRow, CountRow, Counted, RunInfo, RunRow, Selection, Store, StoreError, StoredRow};
use crate::values::Date;
use crate::values::name::GROUP_TEXT_VERSION;

/// The schema migrations, in order; the state's `schema_version` is how
/// many have been applied.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/001_init.sql"),
    include_str!("migrations/002_decisions.sql"),
    include_str!("migrations/003_log_exports.sql"),
    include_str!("migrations/004_group_keys.sql"),
];

/// How long a run waits for another run's lock before giving up.
const BUSY_WAIT: Duration = Duration::from_millis(1500);

/// A state file (or an in-memory state for one run).
pub struct SqliteStore {
    conn: Connection,
    path: String,
    in_run: bool,
    /// The schema version as opened (a file opened read-only is not migrated).
    version: usize,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").field("path", &self.path).finish()
    }
}

impl SqliteStore {
    /// Opens the state file at `path`, creating it if absent; `write`
    /// refuses a file marked read-only.
    pub fn open(path: &Path, write: bool) -> Result<SqliteStore, StoreError> {
        let name = path.display().to_string();
        let exists = path.exists();
        if write && exists && std::fs::metadata(path).is_ok_and(|m| m.permissions().readonly()) {
            return Err(StoreError::ReadOnly { path: name });
        }
        if !write && !exists {
            return Err(StoreError::Open { path: name, reason: "there is no such file".into() });
        }
        let flags = if write {
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
        } else {
            OpenFlags::SQLITE_OPEN_READ_ONLY
        } | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| map(&name, e))?;
        SqliteStore::setup(conn, name, write)
    }

    /// A state held in memory, for one run (`cordon check` without a state
    /// file: totals cover that run's inputs only).
    pub fn in_memory() -> Result<SqliteStore, StoreError> {
        let conn = Connection::open_in_memory().map_err(|e| map(":memory:", e))?;
        SqliteStore::setup(conn, ":memory:".into(), true)
    }

    fn setup(conn: Connection, path: String, write: bool) -> Result<SqliteStore, StoreError> {
        let m = |e| map(&path, e);
        conn.busy_timeout(BUSY_WAIT).map_err(m)?;
        // Reading the schema version is the first read: a file that is not a
        // database, or a damaged one, fails here.
        let version = schema_version(&conn).map_err(m)?;
        if version > MIGRATIONS.len() {
            return Err(StoreError::Open {
                path,
                reason: format!("it has schema version {version}, newer than this Cordon knows ({})", MIGRATIONS.len()),
            });
        }
        if write {
            if path != ":memory:" {
                conn.pragma_update(None, "journal_mode", "WAL").map_err(m)?;
                conn.pragma_update(None, "synchronous", "NORMAL").map_err(m)?;
            }
            conn.pragma_update(None, "foreign_keys", "ON").map_err(m)?;
            if version < MIGRATIONS.len() {
                let tx = conn.unchecked_transaction().map_err(m)?;
                for sql in &MIGRATIONS[version..] {
                    tx.execute_batch(sql).map_err(m)?;
                }
                tx.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', ?1) \
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    params![MIGRATIONS.len().to_string()],
                )
                .map_err(m)?;
                tx.commit().map_err(m)?;
            }
        } else if version == 0 {
            return Err(StoreError::Open { path, reason: "it holds no Cordon state".into() });
        }
        let version = if write { MIGRATIONS.len() } else { version };
        Ok(SqliteStore { conn, path, in_run: false, version })
    }

    fn m(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        |e| map(&self.path, e)
    }

    /// Makes `rule`'s stored group keys again with `refold`, inside the
    /// run's transaction (a run that fails leaves them as they were).
    fn refold(&mut self, rule: &str, refold: &dyn Fn(&str) -> Option<String>) -> Result<(), StoreError> {
        let m = |e| map(&self.path, e);
        let mut changed = Vec::new();
        {
            let mut q = self.conn.prepare("SELECT record, grp FROM counted WHERE rule = ?1").map_err(m)?;
            let mut rows = q.query(params![rule]).map_err(m)?;
            while let Some(r) = rows.next().map_err(m)? {
                let (record, group): (String, String) = (r.get(0).map_err(m)?, r.get(1).map_err(m)?);
                match refold(&group) {
                    Some(g) if g == group => {}
                    Some(g) => changed.push((record, g)),
                    None => return Err(StoreError::Regroup { rule: rule.into(), group }),
                }
            }
        }
        let mut up = self.conn.prepare("UPDATE counted SET grp = ?3 WHERE rule = ?1 AND record = ?2").map_err(m)?;
        for (record, group) in changed {
            up.execute(params![rule, record, group]).map_err(m)?;
        }
        self.conn
            .execute("UPDATE rules SET group_keys = ?2 WHERE rule = ?1", params![rule, GROUP_TEXT_VERSION])
            .map_err(m)?;
        Ok(())
    }
}

/// How many migrations a database has had (0 for a new, empty one).
fn schema_version(conn: &Connection) -> rusqlite::Result<usize> {
    let has_meta: bool =
        conn.query_row("SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'meta'", [], |r| {
            r.get(0)
        })?;
    if !has_meta {
        let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
        if tables > 0 {
            return Err(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_NOTADB),
                Some("it is a SQLite database, but not Cordon's".into()),
            ));
        }
        return Ok(0);
    }
    let v: Option<String> =
        conn.query_row("SELECT value FROM meta WHERE key = 'schema_version'", [], |r| r.get(0)).optional()?;
    Ok(v.and_then(|v| v.parse().ok()).unwrap_or(0))
}

/// A SQLite error, in the store's terms.
fn map(path: &str, e: rusqlite::Error) -> StoreError {
    let path = path.to_string();
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Locked { path },
        Some(ErrorCode::ReadOnly) => StoreError::ReadOnly { path },
        Some(ErrorCode::NotADatabase) => {
            let reason = match &e {
                rusqlite::Error::SqliteFailure(_, Some(m)) if m.contains("Cordon") => m.clone(),
                _ => "it is not a SQLite database".into(),
            };
            StoreError::Open { path, reason }
        }
        Some(ErrorCode::DatabaseCorrupt) => StoreError::Open { path, reason: "the database is damaged".into() },
        Some(ErrorCode::CannotOpen) => StoreError::Open { path, reason: "the file cannot be opened".into() },
        _ => StoreError::Io { path, reason: e.to_string().to_lowercase() },
    }
}

fn date_of(text: &str) -> Date {
    Date::parse(text).unwrap_or_else(|_| Date::from_day_number(0).unwrap_or_else(|| unreachable!("day 0 is a date")))
}

impl Store for SqliteStore {
    fn is_memory(&self) -> bool {
        self.path == ":memory:"
    }

    fn begin(&mut self, run: &RunInfo) -> Result<i64, StoreError> {
        if self.conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(true) {
            return Err(StoreError::ReadOnly { path: self.path.clone() });
        }
        self.conn.execute_batch("BEGIN IMMEDIATE").map_err(self.m())?;
        self.in_run = true;
        self.conn
            .execute(
                "INSERT INTO runs (at, who, rules, inputs) VALUES (?1, ?2, ?3, ?4)",
                params![run.at, run.who, run.rules, run.inputs],
            )
            .map_err(self.m())?;
        Ok(self.conn.last_insert_rowid())
    }

    fn define(
        &mut self,
        rule: &str,
        definition: &str,
        refold: &dyn Fn(&str) -> Option<String>,
    ) -> Result<(), StoreError> {
        let before: Option<(String, i64)> = self
            .conn
            .query_row("SELECT definition, group_keys FROM rules WHERE rule = ?1", params![rule], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .map_err(self.m())?;
        match before {
            Some((b, keys)) if b == definition => {
                if keys < GROUP_TEXT_VERSION {
                    self.refold(rule, refold)?;
                }
                Ok(())
            }
            Some((b, _)) => {
                let any: bool = self
                    .conn
                    .query_row("SELECT count(*) > 0 FROM counted WHERE rule = ?1", params![rule], |r| r.get(0))
                    .map_err(self.m())?;
                if any {
                    return Err(StoreError::Redefined { rule: rule.into(), before: b, now: definition.into() });
                }
                self.conn
                    .execute(
                        "UPDATE rules SET definition = ?2, group_keys = ?3 WHERE rule = ?1",
                        params![rule, definition, GROUP_TEXT_VERSION],
                    )
                    .map_err(self.m())?;
                Ok(())
            }
            None => {
                self.conn
                    .execute(
                        "INSERT INTO rules (rule, definition, group_keys) VALUES (?1, ?2, ?3)",
                        params![rule, definition, GROUP_TEXT_VERSION],
                    )
                    .map_err(self.m())?;
                Ok(())
            }
        }
    }

    fn group_keys(&mut self, rule: &str) -> Result<Option<i64>, StoreError> {
        // Before version 4 no file said: its keys are version 1's.
        let sql = if self.version < 4 {
            "SELECT 1 FROM rules WHERE rule = ?1"
        } else {
            "SELECT group_keys FROM rules WHERE rule = ?1"
        };
        self.conn.query_row(sql, params![rule], |r| r.get(0)).optional().map_err(self.m())
    }

    fn count(&mut self, run: i64, row: &CountRow) -> Result<Counted, StoreError> {
        let m = |e| map(&self.path, e);
        let mut find =
            self.conn.prepare_cached("SELECT hash, run FROM counted WHERE rule = ?1 AND record = ?2").map_err(m)?;
        let before: Option<(String, i64)> =
            find.query_row(params![row.rule, row.record], |r| Ok((r.get(0)?, r.get(1)?))).optional().map_err(m)?;
        if let Some((hash, first)) = before {
            return Ok(if hash == row.hash { Counted::Again { run: first } } else { Counted::Conflict { run: first } });
        }
        let mut insert = self
            .conn
            .prepare_cached(
                "INSERT INTO counted (rule, record, hash, grp, date, amounts, file, line, run) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .map_err(m)?;
        insert
            .execute(params![
                row.rule,
                row.record,
                row.hash,
                row.group,
                row.date.to_string(),
                row.amounts.as_deref().map(super::amounts_text),
                row.file,
                row.line as i64,
                run,
            ])
            .map_err(m)?;
        Ok(Counted::New)
    }

    fn scan(&mut self, rule: &str, each: &mut dyn FnMut(StoredRow)) -> Result<(), StoreError> {
        let m = |e| map(&self.path, e);
        let mut q = self
            .conn
            .prepare_cached(
                "SELECT record, grp, date, amounts, file, line, run, status FROM counted \
                 WHERE rule = ?1 ORDER BY grp, date, record",
            )
            .map_err(m)?;
        let mut rows = q.query(params![rule]).map_err(m)?;
        while let Some(r) = rows.next().map_err(m)? {
            let amounts: Option<String> = r.get(3).map_err(m)?;
            let date: String = r.get(2).map_err(m)?;
            each(StoredRow {
                record: r.get(0).map_err(m)?,
                group: r.get(1).map_err(m)?,
                date: date_of(&date),
                amounts: amounts.as_deref().and_then(super::amounts_of),
                file: r.get(4).map_err(m)?,
                line: u64::try_from(r.get::<_, i64>(5).map_err(m)?).unwrap_or(0),
                run: r.get(6).map_err(m)?,
                status: r.get(7).map_err(m)?,
            });
        }
        Ok(())
    }

    fn set_status(&mut self, rule: &str, record: &str, status: &str) -> Result<(), StoreError> {
        let m = |e| map(&self.path, e);
        let mut q =
            self.conn.prepare_cached("UPDATE counted SET status = ?3 WHERE rule = ?1 AND record = ?2").map_err(m)?;
        q.execute(params![rule, record, status]).map_err(m)?;
        Ok(())
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        if self.in_run {
            self.conn
                .execute_batch(
                    "UPDATE runs SET counted = (SELECT count(*) FROM counted WHERE counted.run = runs.run) \
                     WHERE run = (SELECT max(run) FROM runs); COMMIT",
                )
                .map_err(self.m())?;
            self.in_run = false;
        }
        Ok(())
    }

    fn rollback(&mut self) -> Result<(), StoreError> {
        if self.in_run {
            self.in_run = false;
            self.conn.execute_batch("ROLLBACK").map_err(self.m())?;
        }
        Ok(())
    }

    fn runs(&mut self) -> Result<Vec<RunRow>, StoreError> {
        let m = |e| map(&self.path, e);
        let mut q =
            self.conn.prepare("SELECT run, at, who, rules, inputs, counted FROM runs ORDER BY run").map_err(m)?;
        let rows = q
            .query_map([], |r| {
                Ok(RunRow {
                    run: r.get(0)?,
                    at: r.get(1)?,
                    who: r.get(2)?,
                    rules: r.get(3)?,
                    inputs: r.get(4)?,
                    counted: u64::try_from(r.get::<_, i64>(5)?).unwrap_or(0),
                })
            })
            .map_err(m)?;
        rows.collect::<Result<_, _>>().map_err(m)
    }

    fn changes(&mut self) -> Result<Vec<ChangeRow>, StoreError> {
        let m = |e| map(&self.path, e);
        let mut q = self.conn.prepare("SELECT at, who, why, what FROM changes ORDER BY change").map_err(m)?;
        let rows = q
            .query_map([], |r| Ok(ChangeRow { at: r.get(0)?, who: r.get(1)?, why: r.get(2)?, what: r.get(3)? }))
            .map_err(m)?;
        rows.collect::<Result<_, _>>().map_err(m)
    }

    fn rules(&mut self) -> Result<Vec<(String, String)>, StoreError> {
        let m = |e| map(&self.path, e);
        let mut q = self.conn.prepare("SELECT rule, definition FROM rules ORDER BY rule").map_err(m)?;
        let rows = q.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).map_err(m)?;
        rows.collect::<Result<_, _>>().map_err(m)
    }

    fn reset(&mut self, which: &Selection, change: &ChangeRow) -> Result<u64, StoreError> {
        if self.conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(true) {
            return Err(StoreError::ReadOnly { path: self.path.clone() });
        }
        let m = |e| map(&self.path, e);
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(m)?;
        if which.group.is_some() {
            let old: Option<String> = tx
                .query_row(
                    "SELECT rule FROM rules WHERE group_keys < ?2 AND (?1 IS NULL OR rule = ?1) \
                     AND EXISTS (SELECT 1 FROM counted WHERE counted.rule = rules.rule) ORDER BY rule LIMIT 1",
                    params![which.rule, GROUP_TEXT_VERSION],
                    |r| r.get(0),
                )
                .optional()
                .map_err(m)?;
            if let Some(rule) = old {
                return Err(StoreError::OldGroups { rule });
            }
        }
        let (from, to) = match which.period {
            Some((a, b)) => (Some(a.to_string()), Some(b.to_string())),
            None => (None, None),
        };
        let n = tx
            .execute(
                "DELETE FROM counted WHERE (?1 IS NULL OR rule = ?1) AND (?2 IS NULL OR date >= ?2) \
                 AND (?3 IS NULL OR date <= ?3) AND (?4 IS NULL OR grp = ?4)",
                params![which.rule, from, to, which.group],
            )
            .map_err(m)?;
        tx.execute(
            "INSERT INTO changes (at, who, why, what) VALUES (?1, ?2, ?3, ?4)",
            params![change.at, change.who, change.why, format!("{} ({n} records removed)", change.what)],
        )
        .map_err(m)?;
        tx.commit().map_err(m)?;
        Ok(n as u64)
    }
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        // A run that did not commit leaves the state as it was.
        let _ = self.rollback();
    }
}

/// The columns of a logged decision, in the order `logged_of` reads them.
const LOG_COLUMNS: &str = "seq, decision_id, prev, hash, at, source, record_id, record_hash, record, decision, \
                           rules_hit, result, rules, lists, idempotency_key";

fn logged_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<Logged> {
    Ok(Logged {
        seq: r.get(0)?,
        decision_id: r.get(1)?,
        prev: r.get(2)?,
        hash: r.get(3)?,
        entry: LogEntry {
            at: r.get(4)?,
            source: r.get(5)?,
            record_id: r.get(6)?,
            record_hash: r.get(7)?,
            record: r.get(8)?,
            decision: r.get(9)?,
            rules_hit: r.get(10)?,
            result: r.get(11)?,
            rules: r.get(12)?,
            lists: r.get(13)?,
            idempotency_key: r.get(14)?,
        },
    })
}

impl SqliteStore {
    /// Opens a decision log: the state file's database, its writes synced
    /// to disk before an append returns (a decision is acknowledged only
    /// once it is durable).
    pub fn open_log(path: &Path, write: bool) -> Result<SqliteStore, StoreError> {
        let store = SqliteStore::open(path, write)?;
        if write {
            store.conn.pragma_update(None, "synchronous", "FULL").map_err(store.m())?;
        }
        Ok(store)
    }
}

impl DecisionLog for SqliteStore {
    fn append(&mut self, entries: Vec<LogEntry>) -> Result<Vec<Logged>, StoreError> {
        let m = |e| map(&self.path, e);
        // One writer at a time: the chain's head is read inside the write lock.
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(m)?;
        let last: Option<(i64, String)> = tx
            .query_row("SELECT seq, hash FROM decisions ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .map_err(m)?;
        let head = match last {
            Some(h) => h,
            // Every entry pruned: the chain goes on from the last segment.
            None => log::checkpoint(&exports_in(&tx).map_err(m)?),
        };
        let (answers, fresh) = {
            let mut find = tx
                .prepare_cached(&format!("SELECT {LOG_COLUMNS} FROM decisions WHERE idempotency_key = ?1"))
                .map_err(m)?;
            log::dedupe(entries, |k| find.query_row(params![k], logged_of).optional().map_err(m))?
        };
        let logged = log::chain(head, fresh);
        {
            let mut insert = tx
                .prepare_cached(&format!(
                    "INSERT INTO decisions ({LOG_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
                ))
                .map_err(m)?;
            for l in &logged {
                let e = &l.entry;
                insert
                    .execute(params![
                        l.seq,
                        l.decision_id,
                        l.prev,
                        l.hash,
                        e.at,
                        e.source,
                        e.record_id,
                        e.record_hash,
                        e.record,
                        e.decision,
                        e.rules_hit,
                        e.result,
                        e.rules,
                        e.lists,
                        e.idempotency_key
                    ])
                    .map_err(m)?;
            }
        }
        tx.commit().map_err(m)?;
        Ok(log::answered(answers, &logged))
    }

    fn read(&mut self, f: &LogFilter) -> Result<Vec<Logged>, StoreError> {
        let m = |e| map(&self.path, e);
        let limit = if f.limit == 0 { i64::MAX } else { f.limit as i64 };
        let rule_like = f.rule.as_ref().map(|r| format!("%,{r},%"));
        let mut q = self
            .conn
            .prepare_cached(&format!(
                "SELECT {LOG_COLUMNS} FROM decisions WHERE seq > ?1 \
                 AND (?2 IS NULL OR at >= ?2) AND (?3 IS NULL OR at < ?3) AND (?4 IS NULL OR decision = ?4) \
                 AND (?5 IS NULL OR (',' || rules_hit || ',') LIKE ?5) ORDER BY seq LIMIT ?6"
            ))
            .map_err(m)?;
        let rows = q
            .query_map(params![f.after, f.from, f.to, f.decision, rule_like, limit], logged_of)
            .map_err(m)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(m)?;
        Ok(rows)
    }

    fn verify(&mut self) -> Result<LogCheck, StoreError> {
        let path = self.path.clone();
        let start = log::checkpoint(&exports_in(&self.conn).map_err(|e| map(&path, e))?);
        let mut q = self
            .conn
            .prepare(&format!("SELECT {LOG_COLUMNS} FROM decisions ORDER BY seq"))
            .map_err(|e| map(&path, e))?;
        let rows = q.query_map([], logged_of).map_err(|e| map(&path, e))?;
        log::verify_from(start, rows.map(|r| r.map_err(|e| map(&path, e))))
    }

    fn exports(&mut self) -> Result<Vec<Export>, StoreError> {
        exports_in(&self.conn).map_err(|e| map(&self.path, e))
    }

    fn record_export(&mut self, x: &Export) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO log_exports (from_seq, to_seq, prev, head, until, exported_at, file_sha256, pruned) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0)",
                params![x.from_seq, x.to_seq, x.prev, x.head, x.until, x.exported_at, x.file_sha256],
            )
            .map_err(|e| map(&self.path, e))?;
        Ok(())
    }

    fn prune(&mut self) -> Result<u64, StoreError> {
        let m = |e| map(&self.path, e);
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(m)?;
        let upto: Option<i64> = tx.query_row("SELECT MAX(to_seq) FROM log_exports", [], |r| r.get(0)).map_err(m)?;
        let Some(upto) = upto else { return Ok(0) };
        let n = tx.execute("DELETE FROM decisions WHERE seq <= ?1", params![upto]).map_err(m)?;
        tx.execute("UPDATE log_exports SET pruned = 1", []).map_err(m)?;
        tx.commit().map_err(m)?;
        Ok(n as u64)
    }

    fn describe(&self) -> String {
        format!("sqlite:{}", self.path)
    }
}

/// The exported segments recorded in a database, oldest first.
fn exports_in(conn: &Connection) -> rusqlite::Result<Vec<Export>> {
    let mut q = conn.prepare_cached(
        "SELECT from_seq, to_seq, prev, head, until, exported_at, file_sha256, pruned FROM log_exports ORDER BY from_seq",
    )?;
    q.query_map([], |r| {
        Ok(Export {
            from_seq: r.get(0)?,
            to_seq: r.get(1)?,
            prev: r.get(2)?,
            head: r.get(3)?,
            until: r.get(4)?,
            exported_at: r.get(5)?,
            file_sha256: r.get(6)?,
            pruned: r.get::<_, i64>(7)? != 0,
        })
    })?
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision(n: u32, decision: &str, rule: &str, key: Option<&str>) -> LogEntry {
        LogEntry {
            at: format!("2026-12-05T10:00:{n:02}Z"),
            source: "api".into(),
            record_id: format!("TX-{n}"),
            record_hash: "h".repeat(64),
            record: None,
            decision: decision.into(),
            rules_hit: rule.into(),
            result: "{}".into(),
            rules: "r".repeat(64),
            lists: String::new(),
            idempotency_key: key.map(str::to_string),
        }
    }

    #[test]
    fn the_decision_log_chains_retries_are_one_decision_and_tampering_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.db");
        let mut log = SqliteStore::open_log(&path, true).unwrap();
        let first = log
            .append(vec![
                decision(1, "block", "KP-COAL", Some("k1")),
                decision(2, "pass", "", None),
                decision(3, "review", "KP-COAL,KP-ARMS", Some("k3")),
            ])
            .unwrap();
        assert_eq!(first.iter().map(|l| l.seq).collect::<Vec<_>>(), [1, 2, 3]);
        // A retry with a known key is the decision logged before; a key twice
        // in one append is one decision.
        let again = log
            .append(vec![
                decision(9, "pass", "", Some("k1")),
                decision(4, "pass", "", Some("k4")),
                decision(5, "pass", "", Some("k4")),
            ])
            .unwrap();
        assert_eq!(again.iter().map(|l| l.seq).collect::<Vec<_>>(), [1, 4, 4]);
        assert_eq!(again[0].entry.decision, "block");
        let by_rule = log.read(&LogFilter { rule: Some("KP-COAL".into()), ..LogFilter::default() }).unwrap();
        assert_eq!(by_rule.iter().map(|l| l.seq).collect::<Vec<_>>(), [1, 3]);
        let paged = log.read(&LogFilter { after: 1, limit: 2, ..LogFilter::default() }).unwrap();
        assert_eq!(paged.iter().map(|l| l.seq).collect::<Vec<_>>(), [2, 3]);
        let ok = log.verify().unwrap();
        assert_eq!((ok.entries, ok.first_bad.clone()), (4, None));
        // Tampering, behind Cordon's back.
        drop(log);
        let conn = Connection::open(&path).unwrap();
        conn.execute("UPDATE decisions SET decision = 'pass' WHERE seq = 3", []).unwrap();
        drop(conn);
        let mut log = SqliteStore::open_log(&path, false).unwrap();
        let bad = log.verify().unwrap().first_bad.unwrap();
        assert_eq!(bad.0, 3);
        assert!(bad.1.contains("edited"), "{bad:?}");
        drop(log);
        let conn = Connection::open(&path).unwrap();
        conn.execute("UPDATE decisions SET decision = 'review' WHERE seq = 3", []).unwrap();
        conn.execute("DELETE FROM decisions WHERE seq = 2", []).unwrap();
        drop(conn);
        let mut log = SqliteStore::open_log(&path, false).unwrap();
        let bad = log.verify().unwrap().first_bad.unwrap();
        assert_eq!(bad.0, 2);
        assert!(bad.1.contains("missing"), "{bad:?}");
    }

    fn row(record: &str, hash: &str) -> CountRow {
        CountRow {
            rule: "R".into(),
            record: record.into(),
            hash: hash.into(),
            group: String::new(),
            date: Date::parse("2024-01-02").unwrap(),
            amounts: Some(vec![crate::values::parse_decimal("1.50").unwrap()]),
            file: "tx.csv".into(),
            line: 2,
        }
    }

    fn info() -> RunInfo {
        RunInfo { at: "2024-01-02T00:00:00Z".into(), who: "test".into(), rules: "abc".into(), inputs: "tx.csv".into() }
    }

    #[test]
    fn records_are_counted_once_and_conflicts_found() {
        let mut s = SqliteStore::in_memory().unwrap();
        let run = s.begin(&info()).unwrap();
        assert_eq!(s.count(run, &row("A", "h1")).unwrap(), Counted::New);
        assert_eq!(s.count(run, &row("A", "h1")).unwrap(), Counted::Again { run });
        assert_eq!(s.count(run, &row("A", "h2")).unwrap(), Counted::Conflict { run });
        s.commit().unwrap();
        let mut seen = Vec::new();
        s.scan("R", &mut |r| seen.push(r)).unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].amounts, Some(vec![crate::values::parse_decimal("1.5").unwrap()]));
        assert_eq!(s.runs().unwrap()[0].counted, 1);
    }

    #[test]
    fn a_run_rolled_back_leaves_nothing() {
        let mut s = SqliteStore::in_memory().unwrap();
        let run = s.begin(&info()).unwrap();
        s.count(run, &row("A", "h1")).unwrap();
        s.rollback().unwrap();
        let mut n = 0;
        s.scan("R", &mut |_| n += 1).unwrap();
        assert_eq!(n, 0);
        assert!(s.runs().unwrap().is_empty());
    }

    #[test]
    fn a_file_that_is_not_a_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cordon.db");
        std::fs::write(&p, "this is not a database, it is a text file of some length ..........").unwrap();
        let e = SqliteStore::open(&p, true).unwrap_err();
        assert!(matches!(e, StoreError::Open { .. }), "{e}");
        assert!(e.to_string().contains("not a SQLite database"), "{e}");
    }
}
