//! `cordon serve`: the engine behind an HTTP API (axum on tokio) for back
//! offices that ask about each transaction before it goes out. Every
//! decision is appended to the decision log before it is answered, with the
//! rule set's and the lists' fingerprints; the rules reload without downtime
//! (a broken pack is refused and the old one keeps serving); an API key,
//! body and record limits and a cap on concurrent requests guard it.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use cordon::unstable::store::{DecisionLog, LogEntry, LogFilter, Logged};
use serde::Deserialize;

use super::{EXIT_ERROR, EXIT_OK, RulesArg, diag};

/// Arguments of `cordon serve`.
#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    rules: RulesArg,
    /// The input config (as for `check`): the clients' field names, date layout, number separators; reloaded
    /// with the rules.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The address to listen on (loopback by default; port 0 picks a free one, printed on stdout).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// The decision log: a SQLite file (created if absent; `sqlite:PATH` too) or `postgres://user@host/db`.
    /// Every decision is appended, durably, before it is answered.
    #[arg(long, alias = "log", value_name = "STORE")]
    store: String,
    /// Keep each record in the log, not only its hash (`POST /v1/reports` builds reports from them).
    #[arg(long)]
    log_records: bool,
    /// An API key with every role (`Authorization: Bearer KEY`); only its SHA-256 is kept in memory.
    #[arg(long, env = "CORDON_API_KEY", hide_env_values = true)]
    api_key: Option<String>,
    /// API keys with their roles (YAML: `- {name, sha256, roles: [check, report, admin]}`), stored as hashes.
    #[arg(long, value_name = "FILE")]
    keys: Option<PathBuf>,
    /// Largest request body, in bytes.
    #[arg(long, default_value_t = 4 << 20)]
    max_body_bytes: usize,
    /// Most records in one batch request.
    #[arg(long, default_value_t = 10_000)]
    max_records: usize,
    /// Most requests served at once; more are answered 429 with Retry-After.
    #[arg(long, default_value_t = 64)]
    max_concurrent: usize,
    /// Most logged decisions one report (`POST /v1/reports`) may cover.
    #[arg(long, default_value_t = 1_000_000)]
    max_report_decisions: usize,
    /// Longest a request may take, in seconds; a slower one is answered 503 (`timeout`). A decision logged
    /// by then stays logged (and a retry with its idempotency key finds it).
    #[arg(long, default_value = "30", value_parser = seconds)]
    max_seconds: std::time::Duration,
}

/// A positive number of seconds (`30`, `0.5`).
fn seconds(text: &str) -> Result<std::time::Duration, String> {
    text.parse::<f64>()
        .ok()
        .and_then(|s| std::time::Duration::try_from_secs_f64(s).ok())
        .filter(|d| !d.is_zero())
        .ok_or_else(|| format!("`{text}` is not a positive number of seconds"))
}

/// The rules being served.
struct Loaded {
    engine: cordon::Engine,
    config: Arc<cordon::InputConfig>,
    loaded_at: String,
    lists: String,
}

/// Loads the rules and the input config, whole, or says why not.
fn load(rules: &std::path::Path, config: Option<&std::path::Path>) -> Result<Loaded, Vec<serde_json::Value>> {
    let engine = cordon::Engine::load(rules)
        .map_err(|d| d.errors.iter().map(|p| cordon::unstable::diagnostics::to_json(p)).collect::<Vec<_>>())?;
    let config = input_config(&engine, config).map_err(|e| vec![serde_json::json!({"message": e.to_string()})])?;
    Ok(Loaded::new(engine, config))
}

/// The input config for an engine: the file's, or the standard one.
fn input_config(
    engine: &cordon::Engine,
    path: Option<&std::path::Path>,
) -> Result<Arc<cordon::InputConfig>, cordon::unstable::config::ConfigError> {
    let Some(p) = path else { return Ok(Arc::new(cordon::InputConfig::standard())) };
    let src = cordon::unstable::config::read_source(p)?;
    Ok(Arc::new(cordon::unstable::config::load_config(src, &engine.rules().schema)?))
}

impl Loaded {
    /// The options of a run on these rules.
    fn opts(&self) -> cordon::RunOptions {
        cordon::RunOptions::new().config(Arc::clone(&self.config))
    }

    fn new(engine: cordon::Engine, config: Arc<cordon::InputConfig>) -> Loaded {
        let lists = engine
            .rules()
            .lists
            .iter()
            .map(|l| format!("{}={}", l.name, l.snapshot.fingerprint))
            .collect::<Vec<_>>()
            .join(";");
        Loaded { engine, config, loaded_at: super::state::now(), lists }
    }
}

/// The OpenAPI 3.1 document of the API (`docs/openapi.json`; a test holds it to the routes below).
const OPENAPI: &str = include_str!("../../docs/openapi.json");

/// Latency buckets of the histograms, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

/// Bucket counts (cumulative), sum of seconds, count.
type Histogram = ([u64; BUCKETS.len()], f64, u64);

/// An error answer, boxed (a response is large).
type Refusal = Box<Response>;

#[derive(Default)]
struct Metrics {
    /// (route, status) → requests.
    requests: Mutex<BTreeMap<(&'static str, u16), u64>>,
    /// route → its latency histogram.
    latency: Mutex<BTreeMap<&'static str, Histogram>>,
    /// block, review, pass, invalid.
    decisions: [AtomicU64; 4],
    reloads: AtomicU64,
    reloads_failed: AtomicU64,
    rule_hits: Mutex<BTreeMap<String, u64>>,
    /// Appends queued for the log writer or being written (the log's lag).
    log_pending: AtomicU64,
    /// From queueing an append to its being durable.
    log_wait: Mutex<Option<Histogram>>,
}

/// Counts a time in a histogram.
fn record_time(h: &mut Histogram, secs: f64) {
    for (i, b) in BUCKETS.iter().enumerate() {
        if secs <= *b {
            h.0[i] += 1;
        }
    }
    h.1 += secs;
    h.2 += 1;
}

/// Writes a histogram in Prometheus text.
fn write_histogram(out: &mut String, name: &str, labels: &str, (buckets, sum, count): &Histogram) {
    let sep = if labels.is_empty() { "" } else { "," };
    for (b, n) in BUCKETS.iter().zip(buckets) {
        out.push_str(&format!("{name}_bucket{{{labels}{sep}le=\"{b}\"}} {n}\n"));
    }
    out.push_str(&format!("{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {count}\n"));
    let braces = if labels.is_empty() { String::new() } else { format!("{{{labels}}}") };
    out.push_str(&format!("{name}_sum{braces} {sum}\n{name}_count{braces} {count}\n"));
}

impl Metrics {
    fn observe(&self, route: &'static str, status: u16, started: Instant) {
        let secs = started.elapsed().as_secs_f64();
        if let Ok(mut r) = self.requests.lock() {
            *r.entry((route, status)).or_default() += 1;
        }
        if let Ok(mut l) = self.latency.lock() {
            record_time(l.entry(route).or_insert(([0; BUCKETS.len()], 0.0, 0)), secs);
        }
    }
}

/// A batch of decisions for the log writer, and where to answer.
type Append = (Vec<LogEntry>, std::sync::mpsc::SyncSender<Result<Vec<Logged>, String>>);

struct App {
    rules_path: PathBuf,
    config_path: Option<PathBuf>,
    current: RwLock<Arc<Loaded>>,
    /// The log writer's queue: one thread appends whatever requests have
    /// queued in one transaction (group commit), each acknowledged once it
    /// is durable.
    writer: Mutex<std::sync::mpsc::SyncSender<Append>>,
    /// A second connection, for reading the log (readers do not wait for the writer).
    log: Mutex<Box<dyn DecisionLog>>,
    /// Whether records are logged whole.
    log_records: bool,
    /// Most decisions one report may cover.
    max_report: usize,
    /// SHA-256 of each key → its roles.
    keys: Vec<(String, Vec<String>)>,
    max_records: usize,
    max_time: std::time::Duration,
    permits: tokio::sync::Semaphore,
    metrics: Metrics,
}

impl App {
    fn loaded(&self) -> Arc<Loaded> {
        match self.current.read() {
            Ok(g) => Arc::clone(&g),
            Err(p) => Arc::clone(&p.into_inner()),
        }
    }
}

/// An error answer: a status and a stable code, in JSON.
fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({"error": {"code": code, "message": message}});
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

fn json(status: StatusCode, v: &serde_json::Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], v.to_string()).into_response()
}

/// Runs `cordon serve`.
pub fn run(a: ServeArgs) -> u8 {
    let mut keys: Vec<(String, Vec<String>)> = Vec::new();
    if let Some(k) = &a.api_key {
        let all = cordon::unstable::config::API_ROLES.iter().map(|r| r.to_string()).collect();
        keys.push((cordon::unstable::source::sha256_hex(k.trim().as_bytes()), all));
    }
    if let Some(path) = &a.keys {
        match cordon::unstable::config::read_source(path).and_then(|src| cordon::unstable::config::load_api_keys(&src))
        {
            Ok(list) => keys.extend(list.into_iter().map(|k| (k.sha256, k.roles))),
            Err(e) => {
                diag::print(&e);
                return EXIT_ERROR;
            }
        }
    }
    let engine = match cordon::Engine::load(&a.rules.rules) {
        Ok(e) => e,
        Err(d) => {
            diag::print_all(&d);
            return EXIT_ERROR;
        }
    };
    let config = match input_config(&engine, a.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            diag::print(&e);
            return EXIT_ERROR;
        }
    };
    let (writer, reader) = match cordon::unstable::store::open_log(&a.store, true)
        .and_then(|w| Ok((w, cordon::unstable::store::open_log(&a.store, false)?)))
    {
        Ok(l) => l,
        Err(e) => {
            diag::print(&e);
            return EXIT_ERROR;
        }
    };
    let (tx, rx) = std::sync::mpsc::sync_channel::<Append>(4096);
    std::thread::spawn(move || write_log(writer, rx));
    let app = Arc::new(App {
        rules_path: a.rules.rules.clone(),
        config_path: a.config.clone(),
        current: RwLock::new(Arc::new(Loaded::new(engine, config))),
        writer: Mutex::new(tx),
        log: Mutex::new(reader),
        log_records: a.log_records,
        max_report: a.max_report_decisions,
        keys,
        max_records: a.max_records,
        max_time: a.max_seconds,
        permits: tokio::sync::Semaphore::new(a.max_concurrent.max(1)),
        metrics: Metrics::default(),
    });
    // Evaluation and logging run on the blocking pool, at most as many at
    // once as requests are admitted: a pool left to grow (tokio's default
    // is 512 threads) keeps each thread's allocator caches, hundreds of MiB.
    let blocking = a.max_concurrent.max(1) + 4;
    let runtime = match tokio::runtime::Builder::new_multi_thread().max_blocking_threads(blocking).enable_all().build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cordon: error: cannot start the server: {e}");
            return EXIT_ERROR;
        }
    };
    runtime.block_on(serve(app, a.addr, a.max_body_bytes))
}

async fn serve(app: Arc<App>, addr: SocketAddr, max_body: usize) -> u8 {
    let router = Router::new()
        .route("/v1/check", post(check))
        .route("/v1/check/batch", post(batch))
        .route("/v1/rules", get(rules))
        .route("/v1/decisions", get(decisions))
        .route("/v1/reports", post(reports))
        .route("/v1/admin/reload", post(reload))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(ready))
        .route("/metrics", get(metrics))
        .route("/v1/openapi.json", get(|| async { ([(header::CONTENT_TYPE, "application/json")], OPENAPI) }))
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(Arc::clone(&app));
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("cordon: error: cannot listen on {addr}: {e}");
            return EXIT_ERROR;
        }
    };
    let bound = listener.local_addr().unwrap_or(addr);
    if !bound.ip().is_loopback() {
        eprintln!(
            "cordon: warning: listening on {bound}, not loopback, without TLS: put a TLS-terminating proxy in front"
        );
    }
    if app.keys.is_empty() {
        eprintln!("cordon: warning: no API key (--api-key or CORDON_API_KEY): every client may check and reload");
    }
    // The address first, on stdout: a port 0 is known once bound.
    println!("http://{bound}");
    eprintln!("cordon: serving rules {} on http://{bound}", app.loaded().engine.fingerprint());
    // SIGHUP reloads, as `POST /v1/admin/reload` does.
    let on_hup = Arc::clone(&app);
    tokio::spawn(async move {
        #[cfg(unix)]
        if let Ok(mut hup) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) {
            while hup.recv().await.is_some() {
                let app = Arc::clone(&on_hup);
                let outcome = tokio::task::spawn_blocking(move || do_reload(&app)).await;
                if let Ok(Err(problems)) = outcome {
                    eprintln!("cordon: reload refused, the rules in service stay: {problems}");
                }
            }
        }
    });
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    match axum::serve(listener, router).with_graceful_shutdown(shutdown).await {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln!("cordon: error: the server stopped: {e}");
            EXIT_ERROR
        }
    }
}

/// Checks the API key and its role; `None` when the request may go on.
/// Without keys configured, every request may.
fn refused(app: &App, headers: &HeaderMap, role: &str) -> Option<Response> {
    if app.keys.is_empty() {
        return None;
    }
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|k| cordon::unstable::source::sha256_hex(k.trim().as_bytes()));
    // Hashes compared whole, against every key: the time taken says nothing of a key.
    let same =
        |a: &str, b: &str| a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0;
    let roles = given.as_deref().and_then(|g| {
        app.keys.iter().fold(None, |found, (hash, roles)| if same(g, hash) { Some(roles) } else { found })
    });
    match roles {
        None => Some(error(StatusCode::UNAUTHORIZED, "unauthorized", "a valid API key is needed")),
        Some(r) if !r.iter().any(|x| x == role) => {
            Some(error(StatusCode::FORBIDDEN, "forbidden", &format!("this key does not have the `{role}` role")))
        }
        Some(_) => None,
    }
}

/// The guard every `/v1` route passes: the key and its role, then a permit.
fn admit<'a>(app: &'a App, headers: &HeaderMap, role: &str) -> Result<tokio::sync::SemaphorePermit<'a>, Refusal> {
    if let Some(r) = refused(app, headers, role) {
        return Err(Box::new(r));
    }
    app.permits.try_acquire().map_err(|_| {
        let mut r = error(StatusCode::TOO_MANY_REQUESTS, "busy", "too many requests at once: retry shortly");
        r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        Box::new(r)
    })
}

/// Runs blocking work (evaluation, the log) within the request's time limit.
async fn within<F: FnOnce() -> Response + Send + 'static>(app: &App, work: F) -> Response {
    match tokio::time::timeout(app.max_time, tokio::task::spawn_blocking(work)).await {
        Ok(Ok(r)) => r,
        Ok(Err(_)) => error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the request failed"),
        Err(_) => error(StatusCode::SERVICE_UNAVAILABLE, "timeout", "the request took longer than the limit"),
    }
}

/// A log entry for a result.
fn entry(
    loaded: &Loaded,
    result: &cordon::RecordResult,
    raw: Option<&[u8]>,
    kept: Option<String>,
    key: Option<String>,
) -> LogEntry {
    let text = serde_json::to_string(result).unwrap_or_default();
    // A record received as such is hashed as received; a CSV row not kept
    // whole, by its result.
    let record_hash = cordon::unstable::source::sha256_hex(raw.unwrap_or(text.as_bytes()));
    let (id, decision, hit) = match result {
        cordon::RecordResult::Evaluated(e) => (
            e.id.clone(),
            e.decision.name().to_string(),
            e.findings.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>().join(","),
        ),
        cordon::RecordResult::Invalid(i) => (i.id.clone().unwrap_or_default(), "invalid".to_string(), String::new()),
    };
    LogEntry {
        at: super::state::now(),
        source: "api".into(),
        record_id: id,
        record_hash,
        record: kept,
        decision,
        rules_hit: hit,
        result: text,
        rules: loaded.engine.fingerprint().to_string(),
        lists: loaded.lists.clone(),
        idempotency_key: key,
    }
}

/// The answer for a logged decision as JSON text: its result with its id
/// and its rule set added in front (the logged result is an object, written
/// by the log's caller: spliced, not parsed again).
fn answer_text(l: &Logged) -> String {
    match l.entry.result.strip_prefix('{') {
        Some(rest) if rest.trim_start().starts_with('"') => {
            let mut out = String::with_capacity(l.entry.result.len() + 120);
            out.push_str("{\"decision_id\":");
            out.push_str(&serde_json::Value::from(l.decision_id.as_str()).to_string());
            out.push_str(",\"rules\":");
            out.push_str(&serde_json::Value::from(l.entry.rules.as_str()).to_string());
            out.push(',');
            out.push_str(rest);
            out
        }
        _ => answer(l).to_string(),
    }
}

/// The answer for a logged decision: its result, its id, its rule set.
fn answer(l: &Logged) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_str(&l.entry.result).unwrap_or(serde_json::Value::Null);
    if let Some(o) = v.as_object_mut() {
        o.insert("decision_id".into(), l.decision_id.clone().into());
        o.insert("rules".into(), l.entry.rules.clone().into());
    }
    v
}

fn count(app: &App, logged: &[Logged]) {
    for l in logged {
        let i = match l.entry.decision.as_str() {
            "block" => 0,
            "review" => 1,
            "pass" => 2,
            _ => 3,
        };
        app.metrics.decisions[i].fetch_add(1, Ordering::Relaxed);
        if let Ok(mut hits) = app.metrics.rule_hits.lock() {
            for r in l.entry.rules_hit.split(',').filter(|r| !r.is_empty()) {
                *hits.entry(r.to_string()).or_default() += 1;
            }
        }
    }
}

/// The log writer: takes the appends queued, writes them in one
/// transaction (synced), and answers each with its entries; one writer, so
/// one chain.
fn write_log(mut log: Box<dyn DecisionLog>, rx: std::sync::mpsc::Receiver<Append>) {
    while let Ok(first) = rx.recv() {
        let mut group = vec![first];
        while group.len() < 512 {
            match rx.try_recv() {
                Ok(more) => group.push(more),
                Err(_) => break,
            }
        }
        let sizes: Vec<usize> = group.iter().map(|(e, _)| e.len()).collect();
        let (entries, replies): (Vec<Vec<LogEntry>>, Vec<_>) = group.into_iter().unzip();
        match log.append(entries.into_iter().flatten().collect()) {
            Ok(logged) => {
                let mut it = logged.into_iter();
                for (n, reply) in sizes.into_iter().zip(replies) {
                    let _ = reply.send(Ok(it.by_ref().take(n).collect()));
                }
            }
            Err(e) => {
                eprintln!("cordon: error: {e}");
                for reply in replies {
                    let _ = reply.send(Err(e.to_string()));
                }
            }
        }
    }
}

/// Appends to the log; the decision is answered only once it is there.
fn append(app: &App, entries: Vec<LogEntry>) -> Result<Vec<Logged>, Refusal> {
    let unusable = || {
        Box::new(error(StatusCode::SERVICE_UNAVAILABLE, "log", "the decision could not be logged, so it is not given"))
    };
    let sent: Vec<(String, String)> = entries.iter().map(|e| (e.at.clone(), e.record_hash.clone())).collect();
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    let queue = app.writer.lock().map(|w| w.clone()).map_err(|_| unusable())?;
    let queued = Instant::now();
    app.metrics.log_pending.fetch_add(1, Ordering::Relaxed);
    let reply = queue.send((entries, tx)).map(|()| rx.recv());
    app.metrics.log_pending.fetch_sub(1, Ordering::Relaxed);
    if let Ok(mut w) = app.metrics.log_wait.lock() {
        record_time(w.get_or_insert(([0; BUCKETS.len()], 0.0, 0)), queued.elapsed().as_secs_f64());
    }
    let logged = reply.map_err(|_| unusable())?.map_err(|_| unusable())?.map_err(|_| unusable())?;
    // A retried request answered from the log is not a new decision.
    let fresh: Vec<Logged> = logged
        .iter()
        .zip(&sent)
        .filter(|(l, (at, hash))| l.entry.at == *at && l.entry.record_hash == *hash)
        .map(|(l, _)| l.clone())
        .collect();
    count(app, &fresh);
    Ok(logged)
}

async fn check(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    let started = Instant::now();
    let r = match admit(&app, &headers, "check") {
        Err(r) => *r,
        Ok(_permit) => {
            let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_string);
            let app2 = Arc::clone(&app);
            within(&app, move || check_one(&app2, &body, key)).await
        }
    };
    app.metrics.observe("/v1/check", r.status().as_u16(), started);
    r
}

fn check_one(app: &App, body: &[u8], key: Option<String>) -> Response {
    let record: serde_json::Value = match serde_json::from_slice(body) {
        Ok(v @ serde_json::Value::Object(_)) => v,
        Ok(_) => return error(StatusCode::BAD_REQUEST, "not_a_record", "the body must be one JSON object"),
        Err(e) => return error(StatusCode::BAD_REQUEST, "bad_json", &format!("the body is not JSON: {e}")),
    };
    let loaded = app.loaded();
    let result = loaded.engine.check_json_with(&record, &loaded.opts());
    let kept = app.log_records.then(|| record.to_string());
    match append(app, vec![entry(&loaded, &result, Some(body), kept, key)]) {
        Ok(logged) => match logged.first() {
            Some(l) => (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], answer_text(l)).into_response(),
            None => error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "nothing was logged"),
        },
        Err(r) => *r,
    }
}

async fn batch(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    let started = Instant::now();
    let r = match admit(&app, &headers, "check") {
        Err(r) => *r,
        Ok(_permit) => {
            let csv = headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|t| t.starts_with("text/csv"));
            let app2 = Arc::clone(&app);
            within(&app, move || check_batch(&app2, &body, csv)).await
        }
    };
    app.metrics.observe("/v1/check/batch", r.status().as_u16(), started);
    r
}

/// The results of a CSV batch, each with its record as the log keeps it.
struct Kept<'r> {
    rules: &'r cordon::unstable::check::RuleSet,
    keep: bool,
    results: Vec<(cordon::RecordResult, Option<String>)>,
}

impl cordon::Stage for Kept<'_> {
    fn needs_records(&self) -> bool {
        self.keep
    }

    fn record(&mut self, item: &cordon::Item<'_>) -> Result<(), cordon::StageError> {
        let o = item.outcome();
        let kept = if self.keep { cordon::unstable::run::log::kept_record(self.rules, o) } else { None };
        self.results.push((cordon::RecordResult::new(self.rules, "request", o), kept));
        Ok(())
    }
}

fn check_batch(app: &App, body: &[u8], csv: bool) -> Response {
    let loaded = app.loaded();
    let too_many = || {
        error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_many_records",
            &format!("at most {} records per request", app.max_records),
        )
    };
    let mut entries = Vec::new();
    if csv {
        // CSV through the run pipeline: the header mapped like a file's.
        let source = cordon::InputSource::reader("request", cordon::Format::Csv, std::io::Cursor::new(body.to_vec()));
        let opts = loaded.opts().max_records(app.max_records as u64);
        let rules = Arc::clone(loaded.engine.rules());
        let mut stage = Kept { rules: &rules, keep: app.log_records, results: Vec::new() };
        match loaded.engine.run(vec![source], &opts, &mut [&mut stage]) {
            Ok(_) => {}
            Err(cordon::Error::Run(cordon::RunError::TooManyRecords { .. })) => return too_many(),
            Err(e) => return error(StatusCode::BAD_REQUEST, "bad_input", &e.to_string()),
        }
        for (r, kept) in stage.results {
            let raw = kept.as_ref().map(|k| k.as_bytes().to_vec());
            entries.push(entry(&loaded, &r, raw.as_deref(), kept, None));
        }
    } else {
        // A JSON array, or JSON Lines.
        let records: Vec<Result<serde_json::Value, String>> = match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(serde_json::Value::Array(items)) => items.into_iter().map(Ok).collect(),
            _ => body
                .split(|b| *b == b'\n')
                .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
                .map(|l| serde_json::from_slice(l).map_err(|e| e.to_string()))
                .collect(),
        };
        if records.len() > app.max_records {
            return too_many();
        }
        for (i, r) in records.into_iter().enumerate() {
            let record = match r {
                Ok(v @ serde_json::Value::Object(_)) => v,
                Ok(_) => {
                    return error(
                        StatusCode::BAD_REQUEST,
                        "not_a_record",
                        &format!("item {} is not a JSON object", i + 1),
                    );
                }
                Err(e) => return error(StatusCode::BAD_REQUEST, "bad_json", &format!("line {}: {e}", i + 1)),
            };
            let raw = serde_json::to_vec(&record).unwrap_or_default();
            let result = loaded.engine.check_json_with(&record, &loaded.opts());
            let kept = app.log_records.then(|| record.to_string());
            entries.push(entry(&loaded, &result, Some(&raw), kept, None));
        }
    }
    match append(app, entries) {
        Ok(logged) => {
            let mut out = String::new();
            for l in &logged {
                out.push_str(&answer_text(l));
                out.push('\n');
            }
            (StatusCode::OK, [(header::CONTENT_TYPE, "application/x-ndjson")], out).into_response()
        }
        Err(r) => *r,
    }
}

async fn rules(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let started = Instant::now();
    let r = match admit(&app, &headers, "report") {
        Err(r) => *r,
        Ok(_permit) => {
            let loaded = app.loaded();
            let set = loaded.engine.rules();
            let rules: Vec<serde_json::Value> = set
                .rules
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id, "title": r.title, "citation": r.citation(), "severity": r.severity.name(),
                        "regime": set.regimes.get(r.regime).map(|g| g.name.clone()),
                        "effective": r.effective.map(|d| d.to_string()), "until": r.until.map(|d| d.to_string()),
                    })
                })
                .collect();
            let inputs: Vec<serde_json::Value> = set
                .inputs
                .iter()
                .map(|i| serde_json::json!({"kind": i.kind, "path": i.path, "sha256": i.sha256}))
                .collect();
            json(
                StatusCode::OK,
                &serde_json::json!({
                    "fingerprint": set.fingerprint, "loaded_at": loaded.loaded_at, "rules": rules,
                    "regimes": set.regimes.iter().map(|g| g.name.clone()).collect::<Vec<_>>(), "inputs": inputs,
                }),
            )
        }
    };
    app.metrics.observe("/v1/rules", r.status().as_u16(), started);
    r
}

/// The query of `GET /v1/decisions`.
#[derive(Deserialize)]
struct DecisionQuery {
    from: Option<String>,
    to: Option<String>,
    decision: Option<String>,
    rule: Option<String>,
    #[serde(default)]
    after: i64,
    limit: Option<usize>,
}

async fn decisions(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    q: Result<Query<DecisionQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let started = Instant::now();
    let r = match (admit(&app, &headers, "report"), q) {
        (Err(r), _) => *r,
        (Ok(_), Err(e)) => error(StatusCode::BAD_REQUEST, "bad_query", &e.body_text()),
        (Ok(_permit), Ok(Query(q))) => {
            let limit = q.limit.unwrap_or(100).clamp(1, 1000);
            let filter =
                LogFilter { from: q.from, to: q.to, decision: q.decision, rule: q.rule, after: q.after, limit };
            let app2 = Arc::clone(&app);
            let read = tokio::task::spawn_blocking(move || match app2.log.lock() {
                Ok(mut l) => l.read(&filter).ok(),
                Err(_) => None,
            })
            .await;
            match read {
                Ok(Some(rows)) => {
                    let next = rows.last().map(|l| l.seq);
                    let items: Vec<serde_json::Value> = rows
                        .iter()
                        .map(|l| {
                            let mut v = answer(l);
                            if let Some(o) = v.as_object_mut() {
                                o.insert("seq".into(), l.seq.into());
                                o.insert("at".into(), l.entry.at.clone().into());
                                o.insert("hash".into(), l.hash.clone().into());
                            }
                            v
                        })
                        .collect();
                    json(StatusCode::OK, &serde_json::json!({"decisions": items, "next": next}))
                }
                _ => error(StatusCode::SERVICE_UNAVAILABLE, "log", "the log could not be read"),
            }
        }
    };
    app.metrics.observe("/v1/decisions", r.status().as_u16(), started);
    r
}

/// The body of `POST /v1/reports`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportQuery {
    /// Decisions made from this time (RFC 3339, or a date).
    from: Option<String>,
    /// Decisions made before this time.
    to: Option<String>,
    decision: Option<String>,
    rule: Option<String>,
    /// Transactions dated in this period (`2024`, `2024-Q1`, `2024-01-01..2024-03-31`).
    period: Option<String>,
    /// `pdf` (the default) or `json`.
    format: Option<String>,
    title: Option<String>,
    organisation: Option<String>,
    /// The generation time stamped on the report (RFC 3339); now by default.
    generated_at: Option<String>,
}

async fn reports(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    let started = Instant::now();
    let r = match admit(&app, &headers, "report") {
        Err(r) => *r,
        Ok(_permit) => {
            let app2 = Arc::clone(&app);
            within(&app, move || report_from_log(&app2, &body)).await
        }
    };
    app.metrics.observe("/v1/reports", r.status().as_u16(), started);
    r
}

fn report_from_log(app: &App, body: &[u8]) -> Response {
    use cordon::unstable::report::{self, DEFAULT_TITLE, Period, ReportOptions};
    let q: ReportQuery = match serde_json::from_slice(if body.is_empty() { b"{}" } else { body }) {
        Ok(q) => q,
        Err(e) => return error(StatusCode::BAD_REQUEST, "bad_query", &format!("the body is not a report query: {e}")),
    };
    let pdf = match q.format.as_deref() {
        None | Some("pdf") => true,
        Some("json") => false,
        Some(other) => {
            return error(StatusCode::BAD_REQUEST, "bad_query", &format!("format `{other}` is not `pdf` or `json`"));
        }
    };
    let period = match q.period.as_deref().map(Period::parse).transpose() {
        Ok(p) => p,
        Err(e) => return error(StatusCode::BAD_REQUEST, "bad_query", &e),
    };
    let generated_at = q.generated_at.clone().unwrap_or_else(super::state::now);
    if cordon::Date::parse(generated_at.get(..10).unwrap_or("")).is_err() {
        return error(StatusCode::BAD_REQUEST, "bad_query", "`generated_at` is not an RFC 3339 time");
    }
    let filter = LogFilter {
        from: q.from.clone(),
        to: q.to.clone(),
        decision: q.decision.clone(),
        rule: q.rule.clone(),
        after: 0,
        limit: app.max_report + 1,
    };
    let logged = match app.log.lock().map_err(|_| ()).and_then(|mut l| l.read(&filter).map_err(|_| ())) {
        Ok(rows) => rows,
        Err(()) => return error(StatusCode::SERVICE_UNAVAILABLE, "log", "the log could not be read"),
    };
    if logged.len() > app.max_report {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_many_decisions",
            &format!("more than {} decisions match: ask for a shorter span", app.max_report),
        );
    }
    let loaded = app.loaded();
    let mut described = serde_json::Map::new();
    for (k, v) in
        [("from", &q.from), ("to", &q.to), ("decision", &q.decision), ("rule", &q.rule), ("period", &q.period)]
    {
        if let Some(v) = v {
            described.insert(k.into(), v.clone().into());
        }
    }
    described.insert("format".into(), if pdf { "pdf" } else { "json" }.into());
    let described = serde_json::Value::Object(described);
    let opts = ReportOptions {
        title: q.title.clone().unwrap_or_else(|| DEFAULT_TITLE.to_string()),
        organisation: q.organisation.clone(),
        period,
        generated_declared: q.generated_at.is_some(),
        generated_at,
        command: format!("POST /v1/reports {described}"),
        config: None,
        standings: None,
        expect: Default::default(),
        build: Some(super::report::build_info()),
        dispositions: None,
        rule_tests: None,
    };
    let log_name = app.log.lock().map(|l| l.describe()).unwrap_or_default();
    let built = report::replay::build_from_log(&loaded.engine, &logged, &log_name, &opts, &loaded.opts());
    let model = match built {
        Ok((m, _)) => m,
        Err(e) => {
            let code = match &e {
                report::replay::ReplayError::OtherRules { .. } => "other_rules",
                report::replay::ReplayError::NotKept { .. } => "records_not_logged",
                report::replay::ReplayError::Mismatch { .. } => "replay_mismatch",
                report::replay::ReplayError::CountedRun { .. } => "counted_run",
                report::replay::ReplayError::Unreadable { .. } => "log_unreadable",
            };
            return error(StatusCode::CONFLICT, code, &e.to_string());
        }
    };
    let id = model.report_id.clone();
    let (bytes, kind) = if pdf {
        let doc = report::compose(&model, report::PDF_RECORD_LIMIT);
        match report::pdf::render(&doc) {
            Ok(r) => (r.bytes, "application/pdf"),
            Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, "internal", &e.to_string()),
        }
    } else {
        let mut buf = Vec::new();
        if let Err(e) = report::machine::write_json(&model, &mut buf) {
            return error(StatusCode::INTERNAL_SERVER_ERROR, "internal", &e.to_string());
        }
        (buf, "application/json")
    };
    let mut r = (StatusCode::OK, [(header::CONTENT_TYPE, kind)], bytes).into_response();
    if let Ok(v) = HeaderValue::from_str(&id) {
        r.headers_mut().insert("x-cordon-report-id", v);
    }
    r
}

/// Loads and checks the rules fully, then swaps them in; on any problem the
/// rules in service stay. Requests already running finish on the rules they
/// started with (each holds its own `Arc`).
fn do_reload(app: &App) -> Result<String, String> {
    match load(&app.rules_path, app.config_path.as_deref()) {
        Ok(loaded) => {
            let fp = loaded.engine.fingerprint().to_string();
            let fresh = Arc::new(loaded);
            match app.current.write() {
                Ok(mut g) => *g = fresh,
                Err(p) => *p.into_inner() = fresh,
            }
            app.metrics.reloads.fetch_add(1, Ordering::Relaxed);
            eprintln!("cordon: reloaded rules {fp}");
            Ok(fp)
        }
        Err(problems) => {
            app.metrics.reloads_failed.fetch_add(1, Ordering::Relaxed);
            Err(serde_json::Value::Array(problems).to_string())
        }
    }
}

async fn reload(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let started = Instant::now();
    let r = match admit(&app, &headers, "admin") {
        Err(r) => *r,
        Ok(_permit) => {
            let app2 = Arc::clone(&app);
            match tokio::task::spawn_blocking(move || do_reload(&app2)).await {
                Ok(Ok(fp)) => json(StatusCode::OK, &serde_json::json!({"reloaded": true, "fingerprint": fp})),
                Ok(Err(problems)) => {
                    let problems: serde_json::Value = serde_json::from_str(&problems).unwrap_or_default();
                    json(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        &serde_json::json!({"error": {"code": "rules_invalid",
                            "message": "the rules do not check; the rules in service stay", "problems": problems},
                            "fingerprint": app.loaded().engine.fingerprint()}),
                    )
                }
                Err(_) => error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the reload failed"),
            }
        }
    };
    app.metrics.observe("/v1/admin/reload", r.status().as_u16(), started);
    r
}

async fn ready(State(app): State<Arc<App>>) -> Response {
    let ok = app.log.lock().is_ok();
    if ok { (StatusCode::OK, "ready\n").into_response() } else { error(StatusCode::SERVICE_UNAVAILABLE, "log", "") }
}

/// Prometheus text exposition.
async fn metrics(State(app): State<Arc<App>>) -> Response {
    let m = &app.metrics;
    let mut s = String::new();
    s.push_str("# HELP cordon_requests_total Requests by route and status.\n# TYPE cordon_requests_total counter\n");
    if let Ok(r) = m.requests.lock() {
        for ((route, status), n) in r.iter() {
            s.push_str(&format!("cordon_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}\n"));
        }
    }
    s.push_str("# HELP cordon_request_seconds Request latency by route.\n# TYPE cordon_request_seconds histogram\n");
    if let Ok(l) = m.latency.lock() {
        for (route, h) in l.iter() {
            write_histogram(&mut s, "cordon_request_seconds", &format!("route=\"{route}\""), h);
        }
    }
    s.push_str("# HELP cordon_decisions_total Decisions logged, by kind.\n# TYPE cordon_decisions_total counter\n");
    for (kind, n) in ["block", "review", "pass", "invalid"].iter().zip(&m.decisions) {
        s.push_str(&format!("cordon_decisions_total{{decision=\"{kind}\"}} {}\n", n.load(Ordering::Relaxed)));
    }
    s.push_str("# HELP cordon_rule_hits_total Findings by rule.\n# TYPE cordon_rule_hits_total counter\n");
    if let Ok(h) = m.rule_hits.lock() {
        for (rule, n) in h.iter() {
            s.push_str(&format!("cordon_rule_hits_total{{rule=\"{rule}\"}} {n}\n"));
        }
    }
    s.push_str("# HELP cordon_reloads_total Rule reloads, by outcome.\n# TYPE cordon_reloads_total counter\n");
    s.push_str(&format!("cordon_reloads_total{{outcome=\"ok\"}} {}\n", m.reloads.load(Ordering::Relaxed)));
    s.push_str(&format!("cordon_reloads_total{{outcome=\"refused\"}} {}\n", m.reloads_failed.load(Ordering::Relaxed)));
    s.push_str("# HELP cordon_log_pending Appends waiting to be durable in the decision log.\n");
    s.push_str(&format!(
        "# TYPE cordon_log_pending gauge\ncordon_log_pending {}\n",
        m.log_pending.load(Ordering::Relaxed)
    ));
    s.push_str("# HELP cordon_log_append_seconds From a decision queued for the log to its being durable.\n");
    s.push_str("# TYPE cordon_log_append_seconds histogram\n");
    let empty = ([0; BUCKETS.len()], 0.0, 0);
    let wait = m.log_wait.lock().ok().and_then(|w| *w).unwrap_or(empty);
    write_histogram(&mut s, "cordon_log_append_seconds", "", &wait);
    let loaded = app.loaded();
    s.push_str("# HELP cordon_rule_set_info The rule set in service.\n# TYPE cordon_rule_set_info gauge\n");
    s.push_str(&format!(
        "cordon_rule_set_info{{fingerprint=\"{}\",loaded_at=\"{}\"}} 1\n",
        loaded.engine.fingerprint(),
        loaded.loaded_at
    ));
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain; version=0.0.4")], s).into_response()
}
