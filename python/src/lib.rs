//! Cordon for Python: the engine behind a PyO3 class, records in and
//! decisions out as Apache Arrow record batches (the C data interface, no
//! Python loop over rows); the `cordon` package (`python/cordon/`) builds
//! its conveniences (records, pandas, polars, Spark) on it.
//!
//! Invariants: a row is read exactly as `cordon check` reads the same row
//! of a CSV file ([`cordon::Table`]), so the decisions are the CLI's; one
//! output row per input row, in order; the GIL is released while rows are
//! checked, on the cores of a rayon pool.

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, Int64Array, LargeStringArray, ListBuilder, RecordBatch, StringArray, StringBuilder,
    StringViewArray, UInt32Array,
};
use arrow::compute::{CastOptions, cast_with_options};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::pyarrow::PyArrowType;
use cordon::{Decimal, Engine as Core, FsSources, LoadOptions, MemSources, RecordResult, RunOptions};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use rayon::prelude::*;

create_exception!(_cordon, CordonError, PyException, "A problem Cordon reports: `diagnostics` holds each one.");
create_exception!(_cordon, RulesError, CordonError, "The rule pack does not load or check.");
create_exception!(_cordon, InputError, CordonError, "Records that cannot be read at all (a required column missing).");

/// A Python exception of `kind` for a Cordon error, with its diagnostics
/// (severity, code, message, help, file, line, column) as a list of dicts
/// in its `diagnostics` attribute and in its message, one per line.
fn to_py(py: Python<'_>, err: &cordon::Error) -> PyErr {
    let diags = err.to_json();
    let mut message = err.to_string();
    for d in &diags {
        let text = |k: &str| d.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_string();
        let place = match (d.get("file").and_then(|v| v.as_str()), d.get("line").and_then(|v| v.as_u64())) {
            (Some(f), Some(l)) => format!("{f}:{l}: "),
            _ => String::new(),
        };
        message.push_str(&format!("\n{place}{}: {}", text("severity"), text("message")));
        if let Some(h) = d.get("help").and_then(|v| v.as_str()) {
            message.push_str(&format!("\n  help: {h}"));
        }
    }
    let e = match err {
        cordon::Error::Rules(_) | cordon::Error::Config(_) => RulesError::new_err(message),
        cordon::Error::Inputs(_) => InputError::new_err(message),
        _ => CordonError::new_err(message),
    };
    let list: Vec<Py<PyAny>> = diags.iter().filter_map(|d| json_to_py(py, d).ok()).collect();
    let _ = e.value(py).setattr("diagnostics", list);
    e
}

/// A JSON value as the Python object `json.loads` would give.
fn json_to_py(py: Python<'_>, v: &serde_json::Value) -> PyResult<Py<PyAny>> {
    let json = py.import("json")?;
    Ok(json.call_method1("loads", (v.to_string(),))?.unbind())
}

/// A rule pack loaded, checked and compiled once: safe to share between
/// threads, and (in Spark) loaded once per executor process.
#[pyclass(frozen, module = "cordon._cordon")]
struct Engine {
    core: Arc<Core>,
    opts: RunOptions,
    config: Option<String>,
}

impl Engine {
    fn with_config(py: Python<'_>, core: Core, config: Option<String>) -> PyResult<Engine> {
        let mut opts = RunOptions::new();
        if let Some(path) = &config {
            let yaml = std::fs::read_to_string(path)
                .map_err(|e| PyValueError::new_err(format!("cannot read the input config `{path}`: {e}")))?;
            let cfg = core.input_config(path, &yaml).map_err(|e| to_py(py, &e))?;
            opts = opts.config(cfg);
        }
        Ok(Engine { core: Arc::new(core), opts, config })
    }

    /// Each column of `batch` as text cells, in the batch's order.
    fn columns_as_text(batch: &RecordBatch) -> PyResult<Vec<ArrayRef>> {
        let opts = CastOptions { safe: false, ..CastOptions::default() };
        batch
            .columns()
            .iter()
            .zip(batch.schema().fields())
            .map(|(col, field)| {
                let text = match col.data_type() {
                    DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Ok(Arc::clone(col)),
                    // A timestamp is read as its calendar date (UTC for a
                    // zoned one), as a CSV date column holds it.
                    DataType::Timestamp(_, _) | DataType::Date64 => cast_with_options(col, &DataType::Date32, &opts)
                        .and_then(|d| cast_with_options(&d, &DataType::Utf8, &opts)),
                    // Decimals, integers, dates, booleans, dictionaries and
                    // binary text: their exact display.
                    _ => cast_with_options(col, &DataType::Utf8, &opts),
                };
                text.map_err(|e| {
                    PyValueError::new_err(format!(
                        "column `{}` of type {} cannot be read as text: {e}",
                        field.name(),
                        col.data_type()
                    ))
                })
            })
            .collect()
    }
}

/// One text cell of a column made by [`Engine::columns_as_text`].
fn cell(col: &dyn Array, row: usize) -> Option<&[u8]> {
    if col.is_null(row) {
        return None;
    }
    let any = col.as_any();
    if let Some(a) = any.downcast_ref::<StringArray>() {
        Some(a.value(row).as_bytes())
    } else if let Some(a) = any.downcast_ref::<LargeStringArray>() {
        Some(a.value(row).as_bytes())
    } else {
        any.downcast_ref::<StringViewArray>().map(|a| a.value(row).as_bytes())
    }
}

/// The decision as a word: `block`, `review`, `pass` or `invalid`.
fn decision_word(r: &RecordResult) -> &'static str {
    match r.decision() {
        Some(cordon::Decision::Block) => "block",
        Some(cordon::Decision::Review) => "review",
        Some(cordon::Decision::Pass) => "pass",
        None => "invalid",
    }
}

/// The output batch's schema.
fn output_schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("row", DataType::Int64, false),
        Field::new("id", DataType::Utf8, true),
        Field::new("decision", DataType::Utf8, false),
        Field::new("finding_count", DataType::UInt32, false),
        Field::new("rules_hit", DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))), false),
        Field::new("findings", DataType::Utf8, false),
        Field::new("errors", DataType::Utf8, true),
        Field::new("rules_fingerprint", DataType::Utf8, false),
    ]))
}

#[pymethods]
impl Engine {
    /// Loads the rule pack in `rules_dir` (a folder, or one `.cordon`
    /// file): `config` is an input config (column names, date layout) for
    /// the records, `lists` a folder of list snapshots to use instead of
    /// the pack's, `reviewed` a reviewed-matches file and `licences` a
    /// licence register, as `cordon check` takes them.
    #[staticmethod]
    #[pyo3(signature = (rules_dir, config=None, lists=None, reviewed=None, licences=None))]
    fn load(
        py: Python<'_>,
        rules_dir: std::path::PathBuf,
        config: Option<String>,
        lists: Option<String>,
        reviewed: Option<String>,
        licences: Option<String>,
    ) -> PyResult<Engine> {
        let mut sources = FsSources::new(&rules_dir);
        let mut opts = LoadOptions::new();
        if let Some(l) = lists {
            let abs = std::path::absolute(&l).map_err(|e| PyValueError::new_err(format!("`{l}`: {e}")))?;
            opts = opts.lists(abs.display().to_string());
        }
        for (file, is_reviewed) in [(reviewed, true), (licences, false)] {
            if let Some(f) = file {
                sources = sources.with_file(f.clone(), &f);
                opts = if is_reviewed { opts.reviewed(f) } else { opts.licences(f) };
            }
        }
        let core =
            py.detach(|| Core::from_sources(&sources, &opts)).map_err(|d| to_py(py, &cordon::Error::Rules(d)))?;
        Engine::with_config(py, core, config)
    }

    /// Builds an engine from files given as text, by name
    /// (`{"dprk.cordon": "...", "cordon.yaml": "..."}`).
    #[staticmethod]
    #[pyo3(signature = (files, config=None))]
    fn from_sources(
        py: Python<'_>,
        files: std::collections::BTreeMap<String, String>,
        config: Option<String>,
    ) -> PyResult<Engine> {
        let mut sources = MemSources::new();
        for (name, text) in files {
            sources = sources.with(name, text);
        }
        let core =
            Core::from_sources(&sources, &LoadOptions::new()).map_err(|d| to_py(py, &cordon::Error::Rules(d)))?;
        Engine::with_config(py, core, config)
    }

    /// The SHA-256 fingerprint of the rule set: every rule file, data file,
    /// list snapshot and schema it was built from.
    #[getter]
    fn fingerprint(&self) -> String {
        self.core.fingerprint().to_string()
    }

    /// The input config file the engine reads records with, if any.
    #[getter]
    fn config(&self) -> Option<String> {
        self.config.clone()
    }

    /// The rules: one dict per rule (`id`, `regime`, `title`, `citations`,
    /// `severity`), in id order.
    fn rules(&self, py: Python<'_>) -> PyResult<Vec<Py<PyAny>>> {
        let mut out = Vec::new();
        let rules = self.core.rules();
        for r in &rules.rules {
            let d = PyDict::new(py);
            d.set_item("id", &r.id)?;
            d.set_item("regime", rules.regimes.get(r.regime).map(|g| g.name.as_str()))?;
            d.set_item("title", &r.title)?;
            d.set_item("citations", &r.citations)?;
            d.set_item("severity", serde_json::to_value(r.severity).ok().and_then(|v| v.as_str().map(str::to_string)))?;
            out.push(d.into_any().unbind());
        }
        Ok(out)
    }

    /// The sanctions lists the rules screen against: one dict per list
    /// (`name`, `fingerprint`, `entries`).
    fn lists(&self, py: Python<'_>) -> PyResult<Vec<Py<PyAny>>> {
        let mut out = Vec::new();
        for (name, fingerprint, entries) in self.core.lists() {
            let d = PyDict::new(py);
            d.set_item("name", name)?;
            d.set_item("fingerprint", fingerprint)?;
            d.set_item("entries", entries)?;
            out.push(d.into_any().unbind());
        }
        Ok(out)
    }

    /// Lint warnings about the rules, one line each.
    fn warnings(&self) -> Vec<String> {
        self.core.warnings().iter().map(|w| w.to_string()).collect()
    }

    /// Screens each name against the pack's lists; one list of matches
    /// (dicts: `list`, `ref`, `matched_name`, `score` as a string, `reason`,
    /// …) per name, best first.
    #[pyo3(signature = (names, threshold=None, limit=10))]
    fn screen(
        &self,
        py: Python<'_>,
        names: Vec<String>,
        threshold: Option<String>,
        limit: usize,
    ) -> PyResult<Vec<Vec<Py<PyAny>>>> {
        let threshold = threshold
            .map(|t| {
                t.parse::<Decimal>()
                    .ok()
                    .filter(|d| *d >= Decimal::ZERO && *d <= Decimal::ONE)
                    .ok_or_else(|| PyValueError::new_err(format!("threshold `{t}` is not a score from 0 to 1")))
            })
            .transpose()?;
        let core = Arc::clone(&self.core);
        let found: Vec<Vec<serde_json::Value>> = py.detach(|| {
            names
                .par_iter()
                .map(|n| {
                    core.screen(n, threshold, limit)
                        .iter()
                        .map(|m| serde_json::to_value(m).unwrap_or(serde_json::Value::Null))
                        .collect()
                })
                .collect()
        });
        found.iter().map(|ms| ms.iter().map(|m| json_to_py(py, m)).collect()).collect()
    }

    /// Checks one record batch: one output row per input row, in order
    /// (`row`, `id`, `decision`, `finding_count`, `rules_hit`, `findings`
    /// as JSON, `errors` as JSON for an invalid row, `rules_fingerprint`).
    /// Columns are mapped onto the schema as a CSV header is; a required
    /// field without a column raises `InputError`. `threads` caps the
    /// cores used (default: all); `name` names the batch in results.
    #[pyo3(signature = (batch, threads=None, name="batch".to_string(), first_row=0))]
    fn check_arrow(
        &self,
        py: Python<'_>,
        batch: PyArrowType<RecordBatch>,
        threads: Option<usize>,
        name: String,
        first_row: i64,
    ) -> PyResult<PyArrowType<RecordBatch>> {
        let batch = batch.0;
        let columns: Vec<String> = batch.schema().fields().iter().map(|f| f.name().clone()).collect();
        let table = self.core.table(&name, &columns, &self.opts).map_err(|e| to_py(py, &e))?;
        let text = Engine::columns_as_text(&batch)?;
        let n = batch.num_rows();
        let fingerprint = self.core.fingerprint().to_string();
        let work = || -> Vec<RecordResult> {
            (0..n)
                .into_par_iter()
                .with_min_len(256)
                .map(|r| {
                    let line = u64::try_from(first_row).unwrap_or(0) + r as u64 + 1;
                    table.check_row(line, text.iter().map(|c| cell(c.as_ref(), r)))
                })
                .collect()
        };
        let results = py.detach(|| match threads {
            Some(t) => rayon::ThreadPoolBuilder::new().num_threads(t.max(1)).build().map(|p| p.install(work)),
            None => Ok(work()),
        });
        let results = results.map_err(|e| CordonError::new_err(format!("cannot start {threads:?} threads: {e}")))?;
        let to_batch = || -> Result<RecordBatch, arrow::error::ArrowError> {
            let mut ids = StringBuilder::new();
            let mut decisions = StringBuilder::new();
            let mut counts = Vec::with_capacity(n);
            let mut hits = ListBuilder::new(StringBuilder::new());
            let mut findings = StringBuilder::new();
            let mut errors = StringBuilder::new();
            for r in &results {
                match r {
                    RecordResult::Evaluated(e) => {
                        ids.append_value(&e.id);
                        counts.push(e.findings.len() as u32);
                        for f in &e.findings {
                            hits.values().append_value(&f.rule);
                        }
                        findings.append_value(serde_json::to_string(&e.findings).unwrap_or_default());
                        errors.append_null();
                    }
                    RecordResult::Invalid(i) => {
                        ids.append_option(i.id.as_deref());
                        counts.push(0);
                        findings.append_value("[]");
                        errors.append_value(serde_json::to_string(&i.errors).unwrap_or_default());
                    }
                }
                hits.append(true);
                decisions.append_value(decision_word(r));
            }
            let rows: Int64Array = (0..n as i64).map(|r| first_row + r).collect();
            let fp: StringArray = std::iter::repeat_n(Some(fingerprint.as_str()), n).collect();
            RecordBatch::try_new(
                output_schema(),
                vec![
                    Arc::new(rows),
                    Arc::new(ids.finish()),
                    Arc::new(decisions.finish()),
                    Arc::new(UInt32Array::from(counts)),
                    Arc::new(hits.finish()),
                    Arc::new(findings.finish()),
                    Arc::new(errors.finish()),
                    Arc::new(fp),
                ],
            )
        };
        let out = to_batch().map_err(|e| CordonError::new_err(format!("cannot build the result batch: {e}")))?;
        Ok(PyArrowType(out))
    }

    /// Checks one record given as a JSON object text, as an API call or a
    /// JSON Lines line gives it; returns the result as JSON text.
    fn check_json(&self, py: Python<'_>, record: &str) -> PyResult<String> {
        let value: serde_json::Value =
            serde_json::from_str(record).map_err(|e| PyValueError::new_err(format!("the record is not JSON: {e}")))?;
        let core = Arc::clone(&self.core);
        let opts = self.opts.clone();
        let result = py.detach(|| core.check_json_with(&value, &opts).with_rules(core.fingerprint()));
        serde_json::to_string(&result).map_err(|e| CordonError::new_err(e.to_string()))
    }

    fn __repr__(&self) -> String {
        format!(
            "<cordon.Engine {} rules, fingerprint {}>",
            self.core.rules().rules.len(),
            &self.core.fingerprint()[..12.min(self.core.fingerprint().len())]
        )
    }
}

/// The native module: `cordon._cordon`.
#[pymodule]
fn _cordon(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Engine>()?;
    m.add("CordonError", m.py().get_type::<CordonError>())?;
    m.add("RulesError", m.py().get_type::<RulesError>())?;
    m.add("InputError", m.py().get_type::<InputError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
