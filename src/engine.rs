//! The engine facade: load and check a rule pack once, then evaluate
//! records one at a time (a request) or from any number of inputs (a run,
//! in parallel, results in input order). What the CLI, the HTTP service
//! and the Python bindings use.

use std::path::Path;
use std::sync::Arc;

use crate::check::{self, Lint, RuleSet};
use crate::compile::{self, Program};
use crate::diagnostics::Diagnostics;
use crate::error::Error;
use crate::findings::{Evaluated, RecordOutcome};
use crate::records::{InputError, Layout, Raw, Record};
use crate::results::RecordResult;
use crate::run::{self, InputSource, OpenInput, Render, RunError, RunOptions, RunSummary, Stage};
use crate::sources::{FsSources, Sources};

/// How a rule pack is loaded.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    reviewed: Option<String>,
    licences: Option<String>,
    lists: Option<String>,
}

impl LoadOptions {
    /// The defaults: no reviewed matches.
    pub fn new() -> LoadOptions {
        LoadOptions::default()
    }

    /// Applies the reviewed screening matches (false positives cleared by a
    /// person) in the sources' file `name`; the file becomes part of the
    /// rule set's fingerprint.
    pub fn reviewed(mut self, name: impl Into<String>) -> LoadOptions {
        self.reviewed = Some(name.into());
        self
    }

    /// Checks records that cite a licence against the register in the
    /// sources' file `name` (YAML, or CSV when it ends in `.csv`); the file
    /// becomes part of the rule set's fingerprint.
    pub fn licences(mut self, name: impl Into<String>) -> LoadOptions {
        self.licences = Some(name.into());
        self
    }

    /// Reads the pack's sanctions lists from the sources' folder `name`
    /// (for [`FsSources`], a path: absolute, or relative to the pack)
    /// instead of the folder the pack's manifest names.
    pub fn lists(mut self, name: impl Into<String>) -> LoadOptions {
        self.lists = Some(name.into());
        self
    }
}

/// A loaded, checked and compiled rule set: immutable, shareable across
/// threads (`Arc<Engine>`), identified by its fingerprint.
///
/// ```
/// use cordon::{Engine, MemSources, LoadOptions};
/// let pack = MemSources::new().with(
///     "dprk.cordon",
///     r#"regime UN_DPRK
///        rule KP-COAL {
///          title: "Coal from the DPRK"
///          cite: "S/RES/2371 (2017), para. 8"
///          severity: block
///          when: origin in { KP } and hs_code in { 2701 }
///        }"#,
/// );
/// let engine = Engine::from_sources(&pack, &LoadOptions::new()).unwrap();
/// let record = serde_json::json!({
///     "id": "TX-1", "date": "2024-03-01", "origin": "KP", "destination": "CN",
///     "hs_code": "2701.12", "quantity": "5000", "unit": "t", "value": "400000", "currency": "USD",
///     "seller": "Korea Coal Ltd", "buyer": "Dalian Trading Co",
/// });
/// let result = engine.check_json(&record);
/// assert_eq!(result.decision(), Some(cordon::Decision::Block));
/// assert_eq!(result.findings()[0].rule, "KP-COAL");
/// ```
#[derive(Debug)]
pub struct Engine {
    program: Arc<Program>,
    warnings: Vec<Lint>,
}

// The engine is shared by every request thread of a service.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Engine>();
};

impl Engine {
    /// Loads the pack in a folder (or one rule file and what it imports),
    /// checks it and compiles it.
    pub fn from_dir(path: impl AsRef<Path>) -> Result<Engine, Error> {
        Engine::from_sources(&FsSources::new(path), &LoadOptions::new()).map_err(Error::Rules)
    }

    /// Loads a pack served by `sources`, checks it and compiles it; every
    /// problem found is in the error.
    pub fn from_sources(sources: &dyn Sources, opts: &LoadOptions) -> Result<Engine, Diagnostics> {
        let pack = crate::load::load_with_lists(sources, opts.lists.as_deref())?;
        let (mut rules, warnings) = check::check(&pack, sources).map_err(Diagnostics::from_iter)?;
        if let Some(name) = &opts.reviewed {
            let src = crate::load::read_text(sources, name).map_err(Diagnostics::from_iter_one)?;
            let entries = crate::config::load_reviewed(&src).map_err(Diagnostics::from_iter_one)?;
            rules.set_clearances(&src.name, &src.sha256(), entries);
        }
        if let Some(name) = &opts.licences {
            let src = crate::load::read_text(sources, name).map_err(Diagnostics::from_iter_one)?;
            let rows = if name.to_ascii_lowercase().ends_with(".csv") {
                crate::records::csv::read_table(src.text.as_bytes()).map(|(_, rows)| rows).map_err(|e| {
                    Diagnostics::from_iter(crate::config::licence_problems(&src, vec![format!("{}: {e}", src.name)]))
                })
            } else {
                crate::config::licence_rows(&src).map_err(Diagnostics::from_iter_one)
            }?;
            let register = crate::licence::Register::from_rows(&src.name, &src.sha256(), &rows)
                .map_err(|p| Diagnostics::from_iter(crate::config::licence_problems(&src, p)))?;
            rules.set_licences(register);
        }
        let mut engine = Engine::from_rules(Arc::new(rules));
        engine.warnings = warnings;
        Ok(engine)
    }

    #[doc(hidden)]
    /// Loads the pack at `path` (a folder or one rule file).
    pub fn load(path: &Path) -> Result<Engine, Diagnostics> {
        Engine::from_sources(&FsSources::new(path), &LoadOptions::new())
    }

    #[doc(hidden)]
    /// Like [`Engine::load`], with the clearances of a reviewed-matches file
    /// (screening matches reviewed as false positives) anywhere on disk.
    pub fn load_with(path: &Path, reviewed: Option<&Path>) -> Result<Engine, Diagnostics> {
        Engine::load_with_files(path, reviewed, None)
    }

    #[doc(hidden)]
    /// Like [`Engine::load_with`], with a licence register anywhere on disk too.
    pub fn load_with_files(
        path: &Path,
        reviewed: Option<&Path>,
        licences: Option<&Path>,
    ) -> Result<Engine, Diagnostics> {
        let mut sources = FsSources::new(path);
        let mut opts = LoadOptions::new();
        if let Some(p) = reviewed {
            let name = p.display().to_string();
            sources = sources.with_file(name.clone(), p);
            opts = opts.reviewed(name);
        }
        if let Some(p) = licences {
            let name = p.display().to_string();
            sources = sources.with_file(name.clone(), p);
            opts = opts.licences(name);
        }
        Engine::from_sources(&sources, &opts)
    }

    #[doc(hidden)]
    /// Compiles an already checked rule set.
    pub fn from_rules(rules: Arc<RuleSet>) -> Engine {
        Engine { program: Arc::new(compile::compile(rules)), warnings: Vec::new() }
    }

    /// Lint warnings about the rules (not errors: the rules can be used).
    pub fn warnings(&self) -> &[Lint] {
        &self.warnings
    }

    /// The SHA-256 fingerprint of the rule set: every rule file, data file,
    /// list snapshot, schema and table it was built from.
    pub fn fingerprint(&self) -> &str {
        &self.program.rules.fingerprint
    }

    #[doc(hidden)]
    /// The checked rule set.
    pub fn rules(&self) -> &Arc<RuleSet> {
        &self.program.rules
    }

    #[doc(hidden)]
    /// The compiled program.
    pub fn program(&self) -> &Arc<Program> {
        &self.program
    }

    #[doc(hidden)]
    /// Evaluates one typed record.
    pub fn evaluate(&self, record: &Record) -> Evaluated {
        crate::eval::evaluate(&self.program, record)
    }

    #[doc(hidden)]
    /// Evaluates one typed record as the only record of its windows: rules
    /// over many records total it alone (rule tests). A state that cannot
    /// be made leaves those rules undecided.
    pub fn evaluate_alone(&self, record: &Record) -> Evaluated {
        let mut e = self.evaluate(record);
        if e.contributions.is_empty() {
            return e;
        }
        e.content = Some(crate::eval::aggregate::content_hash(record));
        let standings = crate::run::counting::standings_alone(&self.program.rules, &e).ok();
        crate::aggregate::Standings::attach(standings.as_ref(), &self.program.rules, record, &mut e);
        e
    }

    /// Reads an input config (`cordon check --config`: the firm's column
    /// names, date layout, number separators, CSV delimiter) for this
    /// engine's schema; `name` names it in errors and fingerprints.
    pub fn input_config(&self, name: &str, yaml: &str) -> Result<Arc<crate::config::InputConfig>, Error> {
        let src = crate::source::SourceFile::new(name, name, yaml);
        Ok(Arc::new(crate::config::load_config(src, &self.program.rules.schema)?))
    }

    /// Checks one record given as a JSON object, as a JSON Lines input
    /// line would give it (keys are the schema's field names, or the
    /// config's column names); the standard input config.
    pub fn check_json(&self, record: &serde_json::Value) -> RecordResult {
        self.check_json_with(record, &RunOptions::default())
    }

    /// Like [`Engine::check_json`], with the run's input config, limits and
    /// whether to explain.
    pub fn check_json_with(&self, record: &serde_json::Value, opts: &RunOptions) -> RecordResult {
        let name = "record";
        let mut layout =
            Layout::for_json(0, name, Arc::clone(&self.program.rules.schema), Arc::clone(opts.input_config()));
        layout.limits = opts.limits_of();
        let text = serde_json::to_vec(record).unwrap_or_default();
        let outcome = match layout.parse(&Raw::Json { line: 1, text }) {
            Ok(rec) => {
                let mut e = self.evaluate(&rec);
                if !e.contributions.is_empty() {
                    crate::aggregate::Standings::attach(opts.standings_of(), &self.program.rules, &rec, &mut e);
                }
                if opts.explains() && !e.findings.is_empty() {
                    e.explanation = Some(Box::new(crate::explain::explain(&self.program.rules, &rec).0));
                }
                RecordOutcome::Evaluated(e)
            }
            Err(inv) => RecordOutcome::Invalid(inv),
        };
        RecordResult::new(&self.program.rules, name, &outcome)
    }

    /// Checks one record given as field → text pairs (a form, a database
    /// row), each text read as a CSV cell would be.
    ///
    /// ```no_run
    /// # let engine = cordon::Engine::from_dir("rules").unwrap();
    /// let result = engine.check_fields([("id", "TX-9"), ("date", "2024-05-01"), ("origin", "KP")]);
    /// ```
    pub fn check_fields<'a>(&self, fields: impl IntoIterator<Item = (&'a str, &'a str)>) -> RecordResult {
        let object: serde_json::Map<String, serde_json::Value> =
            fields.into_iter().map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string()))).collect();
        self.check_json(&serde_json::Value::Object(object))
    }

    /// Screens a name against every sanctions list the pack's rules screen
    /// against, as `cordon screen` does: matches scoring at least
    /// `threshold` (the default, 0.88, when `None`), best first, at most
    /// `limit` of them. No list, no match: [`Engine::lists`] says which
    /// lists there are.
    pub fn screen(
        &self,
        name: &str,
        threshold: Option<crate::Decimal>,
        limit: usize,
    ) -> Vec<crate::results::ScreenMatch> {
        let query = crate::screen::Query {
            name: name.to_string(),
            threshold: threshold.unwrap_or(crate::screen::DEFAULT_THRESHOLD),
            limit,
            ..crate::screen::Query::default()
        };
        let mut out: Vec<crate::results::ScreenMatch> = Vec::new();
        for list in &self.program.rules.lists {
            let index = list.index();
            for c in index.screen(&query) {
                out.push(crate::results::ScreenMatch {
                    field: None,
                    value: name.to_string(),
                    list: c.list.clone(),
                    snapshot: c.fingerprint.clone(),
                    reference: c.reference.clone(),
                    matched_name: c.matched_name.clone(),
                    score: c.score,
                    reason: c.reason.clone(),
                    listed_on: c.listed_on.clone(),
                    listed_after: false,
                    entry_hash: index.entry_hash(c.entry_index).to_string(),
                    clearance_outdated: None,
                });
            }
        }
        out.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| (&a.list, &a.reference).cmp(&(&b.list, &b.reference))));
        out.truncate(limit);
        out
    }

    /// The sanctions lists the pack's rules screen against: each list's
    /// name, its snapshot's fingerprint and its number of entries.
    pub fn lists(&self) -> Vec<(String, String, usize)> {
        self.program
            .rules
            .lists
            .iter()
            .map(|l| (l.name.clone(), l.snapshot.fingerprint.clone(), l.snapshot.entries.len()))
            .collect()
    }

    /// Opens a table of records given column by column (an Arrow record
    /// batch, a data frame, a database cursor) whose columns are named
    /// `columns`: they are mapped onto the schema as a CSV header is (the
    /// run's input config maps other names), and a required field without
    /// a column is the same error. `name` names the table in results.
    ///
    /// ```
    /// # use cordon::{Engine, MemSources, LoadOptions, RunOptions};
    /// # let pack = MemSources::new().with("r.cordon", "regime R\nrule R-1 { title: \"t\" cite: \"c\" severity: review when: origin in { KP } }\n");
    /// # let engine = Engine::from_sources(&pack, &LoadOptions::new()).unwrap();
    /// let columns: Vec<String> = ["id", "date", "origin", "destination", "hs_code", "quantity", "unit",
    ///     "value", "currency", "seller", "buyer"].map(String::from).into();
    /// let table = engine.table("batch", &columns, &RunOptions::new())?;
    /// let row = ["TX-1", "2024-01-02", "KP", "CN", "2701", "1", "t", "1", "USD", "A", "B"];
    /// let result = table.check_row(1, row.iter().map(|c| Some(c.as_bytes())));
    /// assert_eq!(result.decision(), Some(cordon::Decision::Review));
    /// # Ok::<(), cordon::Error>(())
    /// ```
    pub fn table(&self, name: &str, columns: &[String], opts: &RunOptions) -> Result<Table<'_>, Error> {
        let layout = crate::records::csv::table_layout(
            name,
            columns,
            Arc::clone(&self.program.rules.schema),
            Arc::clone(opts.input_config()),
            opts.limits_of(),
        )
        .map_err(|e| Error::Inputs(vec![e]))?;
        Ok(Table { engine: self, layout, opts: opts.clone(), name: name.to_string() })
    }

    #[doc(hidden)]
    /// Opens every input (reading headers) before any record is evaluated,
    /// so an unusable input stops the run before output starts; every
    /// unusable input is reported.
    pub fn open(&self, inputs: Vec<InputSource>, opts: &RunOptions) -> Result<Vec<OpenInput>, Vec<InputError>> {
        run::open_all(&self.program, inputs, opts)
    }

    /// Runs the rules over `inputs`: every record read is evaluated (on all
    /// cores of the current rayon pool) or reported invalid, and handed in
    /// input order to `stages`. Returns the run's summary.
    ///
    /// ```
    /// # use cordon::{Engine, Format, InputSource, MemSources, LoadOptions, RunOptions};
    /// # let pack = MemSources::new().with("r.cordon", "regime R\nrule R-1 { title: \"t\" cite: \"c\" severity: review when: origin in { KP } }\n");
    /// # let engine = Engine::from_sources(&pack, &LoadOptions::new()).unwrap();
    /// let csv = "id,date,origin,destination,hs_code,quantity,unit,value,currency,seller,buyer\n\
    ///            TX-1,2024-01-02,KP,CN,2701,1,t,1,USD,A,B\n";
    /// let input = InputSource::reader("upload.csv", Format::Csv, std::io::Cursor::new(csv));
    /// let summary = engine.run(vec![input], &RunOptions::new(), &mut []).unwrap();
    /// assert_eq!((summary.read, summary.decisions.review), (1, 1));
    /// ```
    pub fn run(
        &self,
        inputs: Vec<InputSource>,
        opts: &RunOptions,
        stages: &mut [&mut dyn Stage],
    ) -> Result<RunSummary, Error> {
        let opened = self.open(inputs, opts).map_err(Error::Inputs)?;
        Ok(self.run_opened(opened, opts, None, stages)?)
    }

    /// Whether the rules include rules over many records (`total`): a run
    /// then reads its inputs twice, counting first ([`Engine::count`]).
    pub fn counts(&self) -> bool {
        self.program.rules.rules.iter().any(|r| r.aggregate.is_some()) || self.program.rules.licences.is_some()
    }

    #[doc(hidden)]
    /// The first pass of a run with rules over many records: evaluates
    /// every record, counts what it adds to their totals in `store` (in
    /// the transaction `store.begin` opened for run `run`), and works out
    /// where each record stands. The caller runs the inputs again with
    /// [`RunOptions::standings`] and commits the store when that run is over.
    pub fn count(
        &self,
        inputs: Vec<OpenInput>,
        opts: &RunOptions,
        store: &mut dyn crate::store::Store,
        run: i64,
    ) -> Result<crate::aggregate::Standings, Error> {
        let persistent = !store.is_memory();
        let rules = &self.program.rules;
        // The counting pass types only what counting reads.
        let mask = crate::aggregate::fields_read(rules);
        // (With licence checks any record may draw on a licence, and is
        // hashed: every record is typed in full.)
        let on_demand = if rules.licences.is_some() { 0 } else { self.program.counting.on_demand() };
        let mut inputs = inputs;
        for i in &mut inputs {
            // A record no rule over many records may count is not typed
            // past its date and what the index reads (not even its required
            // fields: whether it is valid changes no total), and fields the
            // totals do not read are not looked at; one that may is typed in
            // full and checked (its content hash reads every field's text).
            i.type_only(mask, on_demand, rules.licences.is_none());
        }
        let mut counter = crate::run::counting::Counter::new(store, rules, run)?;
        let first = opts.clone().counting();
        let counted = run::run(&self.program, inputs, &first, None, &mut [&mut counter]).map_err(|e| match e {
            RunError::Stage(inner) => match inner.downcast::<crate::store::StoreError>() {
                Ok(s) => Error::State(*s),
                Err(other) => Error::Run(RunError::Stage(other)),
            },
            e => Error::Run(e),
        })?;
        let mut standings = counter.settle(persistent)?;
        // The second pass must read what was counted.
        standings.inputs = counted.inputs.into_iter().map(|i| i.sha256).collect();
        Ok(standings)
    }

    #[doc(hidden)]
    /// Like [`Engine::run`], over inputs already opened; `render`, if
    /// given, renders each outcome on the evaluating cores (the bytes reach
    /// the stages as [`Item::rendered`](crate::Item::rendered)).
    pub fn run_opened(
        &self,
        inputs: Vec<OpenInput>,
        opts: &RunOptions,
        render: Option<&Render<'_>>,
        stages: &mut [&mut dyn Stage],
    ) -> Result<RunSummary, RunError> {
        run::run(&self.program, inputs, opts, render, stages)
    }
}

/// A table of records given column by column, opened by [`Engine::table`]:
/// each row is read exactly as a CSV row under the same header would be
/// (a null is an empty cell), so the decisions are those of `cordon check`
/// on the table written as CSV. Shareable across threads.
#[derive(Debug)]
pub struct Table<'e> {
    engine: &'e Engine,
    layout: Layout,
    opts: RunOptions,
    name: String,
}

impl Table<'_> {
    /// The number of columns.
    pub fn width(&self) -> usize {
        self.layout.width
    }

    /// Checks one row: its cells in column order (`None` for a null),
    /// numbered `line` in the result. A row whose cell count is not the
    /// table's width is reported invalid, as a CSV row would be.
    pub fn check_row<'a>(&self, line: u64, cells: impl IntoIterator<Item = Option<&'a [u8]>>) -> RecordResult {
        let mut text = Vec::new();
        let mut bounds = Vec::with_capacity(self.layout.width);
        for cell in cells {
            let start = text.len();
            text.extend_from_slice(cell.unwrap_or_default());
            bounds.push((start, text.len()));
        }
        let raw = Raw::Csv(crate::records::csv::OwnedRow { line, text, bounds });
        let outcome = match self.layout.parse(&raw) {
            Ok(rec) => {
                let rules = &self.engine.program.rules;
                let mut e = self.engine.evaluate(&rec);
                if !e.contributions.is_empty() {
                    crate::aggregate::Standings::attach(self.opts.standings_of(), rules, &rec, &mut e);
                }
                RecordOutcome::Evaluated(e)
            }
            Err(inv) => RecordOutcome::Invalid(inv),
        };
        RecordResult::new(&self.engine.program.rules, &self.name, &outcome)
    }
}

impl Diagnostics {
    /// One problem, as a list of one.
    fn from_iter_one(p: impl Into<crate::diagnostics::Problem>) -> Diagnostics {
        Diagnostics::from(p.into())
    }
}
