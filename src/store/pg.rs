//! The decision log in PostgreSQL (the `postgres` crate, synchronous): for
//! a service whose log must outlive its machine, or several services that
//! share one log. Appends are serialised by a table lock taken inside each
//! append's transaction, so however many processes write, the log is one
//! chain; a commit returns once PostgreSQL has made it durable
//! (`synchronous_commit` is set `on` for the connection).

use postgres::{Client, NoTls, Row};

use super::StoreError;
use super::log::{self, DecisionLog, Export, LogCheck, LogEntry, LogFilter, Logged};

/// The tables, created when absent (the same columns as the SQLite log).
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS cordon_decisions (
    seq             BIGINT PRIMARY KEY,
    decision_id     TEXT NOT NULL UNIQUE,
    at              TEXT NOT NULL,
    source          TEXT NOT NULL,
    record_id       TEXT NOT NULL,
    record_hash     TEXT NOT NULL,
    record          TEXT,
    decision        TEXT NOT NULL,
    rules_hit       TEXT NOT NULL,
    result          TEXT NOT NULL,
    rules           TEXT NOT NULL,
    lists           TEXT NOT NULL,
    idempotency_key TEXT UNIQUE,
    prev            TEXT NOT NULL,
    hash            TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS cordon_decisions_at ON cordon_decisions (at);
CREATE TABLE IF NOT EXISTS cordon_log_exports (
    from_seq    BIGINT PRIMARY KEY,
    to_seq      BIGINT NOT NULL UNIQUE,
    prev        TEXT NOT NULL,
    head        TEXT NOT NULL,
    until       TEXT NOT NULL,
    exported_at TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    pruned      BOOLEAN NOT NULL DEFAULT FALSE
);
";

/// The columns of a logged decision, in the order `logged_of` reads them.
const COLUMNS: &str = "seq, decision_id, prev, hash, at, source, record_id, record_hash, record, decision, \
                       rules_hit, result, rules, lists, idempotency_key";

/// A decision log in a PostgreSQL database.
pub struct PgStore {
    client: Client,
    url: String,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").field("url", &self.url).finish()
    }
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    match rest.split_once('@') {
        Some((user, host)) => match user.split_once(':') {
            Some((u, _)) => format!("{scheme}://{u}:***@{host}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

fn logged_of(r: &Row) -> Logged {
    Logged {
        seq: r.get(0),
        decision_id: r.get(1),
        prev: r.get(2),
        hash: r.get(3),
        entry: LogEntry {
            at: r.get(4),
            source: r.get(5),
            record_id: r.get(6),
            record_hash: r.get(7),
            record: r.get(8),
            decision: r.get(9),
            rules_hit: r.get(10),
            result: r.get(11),
            rules: r.get(12),
            lists: r.get(13),
            idempotency_key: r.get(14),
        },
    }
}

fn export_of(r: &Row) -> Export {
    Export {
        from_seq: r.get(0),
        to_seq: r.get(1),
        prev: r.get(2),
        head: r.get(3),
        until: r.get(4),
        exported_at: r.get(5),
        file_sha256: r.get(6),
        pruned: r.get(7),
    }
}

const EXPORTS: &str = "SELECT from_seq, to_seq, prev, head, until, exported_at, file_sha256, pruned FROM cordon_log_exports ORDER BY from_seq";

impl PgStore {
    /// Connects to the database at `url` (`postgres://user:password@host/db`)
    /// and creates the log's tables when absent.
    pub fn open(url: &str) -> Result<PgStore, StoreError> {
        let shown = redact(url);
        let mut client =
            Client::connect(url, NoTls).map_err(|e| StoreError::Open { path: shown.clone(), reason: one_line(&e) })?;
        // Two services starting at once may both create the tables: one
        // waits for the other's lock.
        let setup = format!(
            "SET synchronous_commit = on; SELECT pg_advisory_lock(7294001); {SCHEMA} SELECT pg_advisory_unlock(7294001);"
        );
        client.batch_execute(&setup).map_err(|e| StoreError::Open { path: shown.clone(), reason: one_line(&e) })?;
        Ok(PgStore { client, url: shown })
    }

    fn m(&self) -> impl Fn(postgres::Error) -> StoreError + '_ {
        |e| StoreError::Io { path: self.url.clone(), reason: one_line(&e) }
    }
}

/// A PostgreSQL error on one line: its message and, for a server error, its detail.
fn one_line(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => match db.detail() {
            Some(d) => format!("{} ({d})", db.message()),
            None => db.message().to_string(),
        },
        None => e.to_string().replace('\n', " "),
    }
}

impl DecisionLog for PgStore {
    fn append(&mut self, entries: Vec<LogEntry>) -> Result<Vec<Logged>, StoreError> {
        let url = self.url.clone();
        let m = |e: postgres::Error| StoreError::Io { path: url.clone(), reason: one_line(&e) };
        let mut tx = self.client.transaction().map_err(m)?;
        // One writer at a time, whichever process: the head is read under the lock.
        tx.batch_execute("LOCK TABLE cordon_decisions IN EXCLUSIVE MODE").map_err(m)?;
        let last = tx.query_opt("SELECT seq, hash FROM cordon_decisions ORDER BY seq DESC LIMIT 1", &[]).map_err(m)?;
        let head = match last {
            Some(r) => (r.get(0), r.get(1)),
            None => log::checkpoint(&tx.query(EXPORTS, &[]).map_err(m)?.iter().map(export_of).collect::<Vec<_>>()),
        };
        let find =
            tx.prepare(&format!("SELECT {COLUMNS} FROM cordon_decisions WHERE idempotency_key = $1")).map_err(m)?;
        let (answers, fresh) =
            log::dedupe(entries, |k| Ok(tx.query_opt(&find, &[&k]).map_err(m)?.as_ref().map(logged_of)))?;
        let logged = log::chain(head, fresh);
        // One statement for the whole append: each column as an array.
        if !logged.is_empty() {
            let col = |f: &dyn Fn(&Logged) -> String| logged.iter().map(f).collect::<Vec<String>>();
            let opt = |f: &dyn Fn(&Logged) -> Option<String>| logged.iter().map(f).collect::<Vec<Option<String>>>();
            let seqs: Vec<i64> = logged.iter().map(|l| l.seq).collect();
            let (ids, prevs, hashes) =
                (col(&|l| l.decision_id.clone()), col(&|l| l.prev.clone()), col(&|l| l.hash.clone()));
            let (ats, sources, record_ids) =
                (col(&|l| l.entry.at.clone()), col(&|l| l.entry.source.clone()), col(&|l| l.entry.record_id.clone()));
            let (record_hashes, records) = (col(&|l| l.entry.record_hash.clone()), opt(&|l| l.entry.record.clone()));
            let (decisions, hits, results) = (
                col(&|l| l.entry.decision.clone()),
                col(&|l| l.entry.rules_hit.clone()),
                col(&|l| l.entry.result.clone()),
            );
            let (rules, lists, keys) = (
                col(&|l| l.entry.rules.clone()),
                col(&|l| l.entry.lists.clone()),
                opt(&|l| l.entry.idempotency_key.clone()),
            );
            tx.execute(
                &format!(
                    "INSERT INTO cordon_decisions ({COLUMNS}) SELECT * FROM UNNEST($1::BIGINT[], $2::TEXT[], \
                     $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::TEXT[], $7::TEXT[], $8::TEXT[], $9::TEXT[], $10::TEXT[], \
                     $11::TEXT[], $12::TEXT[], $13::TEXT[], $14::TEXT[], $15::TEXT[])"
                ),
                &[
                    &seqs,
                    &ids,
                    &prevs,
                    &hashes,
                    &ats,
                    &sources,
                    &record_ids,
                    &record_hashes,
                    &records,
                    &decisions,
                    &hits,
                    &results,
                    &rules,
                    &lists,
                    &keys,
                ],
            )
            .map_err(m)?;
        }
        tx.commit().map_err(m)?;
        Ok(log::answered(answers, &logged))
    }

    fn read(&mut self, f: &LogFilter) -> Result<Vec<Logged>, StoreError> {
        let limit = if f.limit == 0 { i64::MAX } else { i64::try_from(f.limit).unwrap_or(i64::MAX) };
        let rule_like = f.rule.as_ref().map(|r| format!("%,{r},%"));
        let sql = format!(
            "SELECT {COLUMNS} FROM cordon_decisions WHERE seq > $1 \
             AND ($2::TEXT IS NULL OR at >= $2) AND ($3::TEXT IS NULL OR at < $3) \
             AND ($4::TEXT IS NULL OR decision = $4) \
             AND ($5::TEXT IS NULL OR (',' || rules_hit || ',') LIKE $5) ORDER BY seq LIMIT $6"
        );
        let rows =
            self.client.query(&sql, &[&f.after, &f.from, &f.to, &f.decision, &rule_like, &limit]).map_err(self.m())?;
        Ok(rows.iter().map(logged_of).collect())
    }

    fn verify(&mut self) -> Result<LogCheck, StoreError> {
        let start = log::checkpoint(&self.exports()?);
        let url = self.url.clone();
        let m = |e: postgres::Error| StoreError::Io { path: url.clone(), reason: one_line(&e) };
        // Read in one snapshot, streamed: a log of millions is not held whole.
        let mut tx = self.client.build_transaction().read_only(true).start().map_err(m)?;
        let sql = format!("SELECT {COLUMNS} FROM cordon_decisions ORDER BY seq");
        let rows = tx.query_raw(sql.as_str(), std::iter::empty::<i64>()).map_err(m)?;
        let mut failure = None;
        let iter = postgres::fallible_iterator::FallibleIterator::iterator(rows).map_while(|r| match r {
            Ok(row) => Some(Ok(logged_of(&row))),
            Err(e) => {
                failure = Some(m(e));
                None
            }
        });
        let check = log::verify_from(start, iter)?;
        if let Some(e) = failure {
            return Err(e);
        }
        drop(tx);
        Ok(check)
    }

    fn exports(&mut self) -> Result<Vec<Export>, StoreError> {
        Ok(self.client.query(EXPORTS, &[]).map_err(self.m())?.iter().map(export_of).collect())
    }

    fn record_export(&mut self, x: &Export) -> Result<(), StoreError> {
        self.client
            .execute(
                "INSERT INTO cordon_log_exports (from_seq, to_seq, prev, head, until, exported_at, file_sha256, pruned) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, FALSE)",
                &[&x.from_seq, &x.to_seq, &x.prev, &x.head, &x.until, &x.exported_at, &x.file_sha256],
            )
            .map_err(self.m())?;
        Ok(())
    }

    fn prune(&mut self) -> Result<u64, StoreError> {
        let url = self.url.clone();
        let m = |e: postgres::Error| StoreError::Io { path: url.clone(), reason: one_line(&e) };
        let mut tx = self.client.transaction().map_err(m)?;
        tx.batch_execute("LOCK TABLE cordon_decisions IN EXCLUSIVE MODE").map_err(m)?;
        let upto: Option<i64> = tx.query_one("SELECT MAX(to_seq) FROM cordon_log_exports", &[]).map_err(m)?.get(0);
        let Some(upto) = upto else { return Ok(0) };
        let n = tx.execute("DELETE FROM cordon_decisions WHERE seq <= $1", &[&upto]).map_err(m)?;
        tx.execute("UPDATE cordon_log_exports SET pruned = TRUE", &[]).map_err(m)?;
        tx.commit().map_err(m)?;
        Ok(n)
    }

    fn describe(&self) -> String {
        self.url.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_is_never_shown() {
        assert_eq!(redact("postgres://cordon:s3cret@db.example:5432/log"), "postgres://cordon:***@db.example:5432/log");
        assert_eq!(redact("postgres://db.example/log"), "postgres://db.example/log");
        assert_eq!(redact("postgresql://u@h/d"), "postgresql://u@h/d");
    }
}
