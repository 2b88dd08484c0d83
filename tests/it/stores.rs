//! The decision-log stores the tests run on: a SQLite file in a temp dir,
//! and a fresh database on the PostgreSQL server `CORDON_TEST_POSTGRES`
//! names (`.ci/postgres.sh` starts a throwaway one). Without that variable
//! the PostgreSQL variants say so and return — except under CI, where a
//! missing server fails the test.

use std::sync::atomic::{AtomicU32, Ordering};

use super::harness::TempPack;

/// A decision log for one test.
pub struct LogStore {
    /// What `--log` / `--store` takes.
    pub spec: String,
    /// The table holding the entries.
    pub table: &'static str,
    dir: Option<TempPack>,
    /// PostgreSQL: the server's URL and the database made for the test.
    pg: Option<(String, String)>,
}

static NEXT: AtomicU32 = AtomicU32::new(0);

impl LogStore {
    /// A SQLite log in a temp dir.
    pub fn sqlite() -> LogStore {
        let dir = TempPack::new(&[]);
        let spec = format!("sqlite:{}", dir.path().join("decisions.db").display());
        LogStore { spec, table: "decisions", dir: Some(dir), pg: None }
    }

    /// A fresh PostgreSQL database, or `None` when no server is given
    /// (outside CI only).
    pub fn postgres() -> Option<LogStore> {
        let Ok(url) = std::env::var("CORDON_TEST_POSTGRES") else {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI runs the PostgreSQL tests: start a server with `source .ci/postgres.sh`"
            );
            eprintln!("CORDON_TEST_POSTGRES is not set: the PostgreSQL variant is not run here");
            return None;
        };
        let name = format!("cordon_t{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        let mut admin = postgres::Client::connect(&url, postgres::NoTls).expect("the test server");
        admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name}")).expect("no database left over");
        admin.batch_execute(&format!("CREATE DATABASE {name}")).expect("a database");
        let (base, _) = url.rsplit_once('/').expect("a URL with a database");
        let spec = format!("{base}/{name}");
        Some(LogStore { spec, table: "cordon_decisions", dir: None, pg: Some((url, name)) })
    }

    /// Runs SQL on the log behind Cordon's back; `{t}` is the entries' table.
    pub fn tamper(&self, sql: &str) {
        let sql = sql.replace("{t}", self.table);
        match &self.pg {
            Some(_) => {
                let mut c = postgres::Client::connect(&self.spec, postgres::NoTls).expect("connect");
                c.batch_execute(&sql).expect("tamper");
            }
            None => {
                let path = self.spec.trim_start_matches("sqlite:");
                rusqlite::Connection::open(path).expect("open").execute_batch(&sql).expect("tamper");
            }
        }
    }

    /// A directory for the test's other files.
    pub fn scratch(&self) -> std::path::PathBuf {
        match &self.dir {
            Some(d) => d.path().to_path_buf(),
            None => std::env::temp_dir(),
        }
    }
}

impl Drop for LogStore {
    fn drop(&mut self) {
        if let Some((url, name)) = &self.pg
            && let Ok(mut admin) = postgres::Client::connect(url, postgres::NoTls)
        {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

/// Runs each named test function (taking a `&LogStore`) on SQLite and on
/// PostgreSQL, as `sqlite::NAME` and `postgres::NAME`.
macro_rules! on_every_store {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[test]
            fn $name() {
                super::$name(&crate::stores::LogStore::sqlite());
            })*
        }
        mod postgres {
            $(#[test]
            fn $name() {
                if let Some(s) = crate::stores::LogStore::postgres() {
                    super::$name(&s);
                }
            })*
        }
    };
}
pub(crate) use on_every_store;
