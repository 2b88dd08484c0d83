//! The audit report: one model ([`model::Report`]) built from a run,
//! rendered as PDF (through a layout model, [`layout`], and the only module
//! that knows PDF, [`pdf`]), JSON (the whole model) or CSV (one row per
//! finding).

pub mod criteria;
pub mod disposition;
pub mod fonts;
pub mod layout;
pub mod machine;
pub mod model;
pub mod outcomes;
pub mod pdf;
pub mod population;
pub mod replay;
pub mod sign;
pub mod store;

mod compose;
mod sections;

pub use compose::{PDF_RECORD_LIMIT, compose};
pub use model::{Collector, Period, Report, ReportInputs, ReportMeta};
pub use store::Keep;

use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::engine::Engine;
use crate::run::{InputInfo, Item, OpenInput, RunError, RunOptions, RunSummary, Stage, StageError};
use crate::source::hex;
use model::{FileFingerprint, Fingerprints};

/// What the report says about how it was made.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// Title.
    pub title: String,
    /// The organisation.
    pub organisation: Option<String>,
    /// Period filter.
    pub period: Option<Period>,
    /// Generation time, RFC 3339 UTC.
    pub generated_at: String,
    /// Whether the generation time was declared (`--generated-at`,
    /// `SOURCE_DATE_EPOCH`) rather than read from the clock.
    pub generated_declared: bool,
    /// The command line that reproduces the report.
    pub command: String,
    /// The config file's fingerprint, if one was used.
    pub config: Option<FileFingerprint>,
    /// Where the records counted by rules over many records stand (the
    /// first pass of a run that counts), if the rules count.
    pub standings: Option<Arc<crate::aggregate::Standings>>,
    /// The figures the population is reconciled to (`--expect-records`,
    /// `--expect-total`, a source manifest).
    pub expect: population::Expectations,
    /// The binary that makes the report, when it is the `cordon` command.
    pub build: Option<model::BuildInfo>,
    /// The disposition register (`--dispositions`).
    pub dispositions: Option<Arc<disposition::Register>>,
    /// The pack's rule tests, run for the report (`cordon report` runs them).
    pub rule_tests: Option<crate::testing::RuleTests>,
}

impl ReportOptions {
    /// The report's date, from its generation time.
    pub fn as_of(&self) -> Option<crate::values::Date> {
        self.generated_at.get(..10).and_then(|d| crate::values::Date::parse(d).ok())
    }
}

/// The default report title.
pub const DEFAULT_TITLE: &str = "Sanctions compliance audit report";

/// Runs the rules over the inputs and builds the report model.
pub fn build(
    engine: &Engine,
    inputs: Vec<OpenInput>,
    files: &[String],
    opts: &ReportOptions,
) -> Result<(Report, RunSummary), RunError> {
    build_with_progress(engine, inputs, files, opts, &mut || {})
}

/// Like [`build`], calling `progress` once per record read.
pub fn build_with_progress(
    engine: &Engine,
    inputs: Vec<OpenInput>,
    files: &[String],
    opts: &ReportOptions,
    progress: &mut dyn FnMut(),
) -> Result<(Report, RunSummary), RunError> {
    build_with_stages(engine, inputs, files, opts, Keep::All, progress, &mut [])
}

/// Like [`build_with_progress`], keeping flagged records as `keep` says
/// (the first few for a PDF, all in temporary files for JSON and CSV: memory
/// then does not grow with the records flagged), with more stages that see
/// every record after the report's collector (a decision log, say).
pub fn build_with_stages(
    engine: &Engine,
    inputs: Vec<OpenInput>,
    files: &[String],
    opts: &ReportOptions,
    keep: Keep,
    progress: &mut dyn FnMut(),
    more: &mut [&mut dyn Stage],
) -> Result<(Report, RunSummary), RunError> {
    let rules = Arc::clone(engine.rules());
    let mut collector = Collector::keeping(
        ReportInputs {
            rules: &rules,
            files,
            period: opts.period,
            expect: opts.expect.clone(),
            register: opts.dispositions.clone(),
            as_of: opts.as_of(),
        },
        keep,
    );
    let mut stage = Collect { collector: &mut collector, progress };
    let mut run_opts = RunOptions::new().keep_flagged_records(true);
    if let Some(s) = &opts.standings {
        run_opts = run_opts.standings(Arc::clone(s));
    }
    let mut stages: Vec<&mut dyn Stage> = vec![&mut stage];
    stages.extend(more.iter_mut().map(|s| &mut **s as &mut dyn Stage));
    let run = engine.run_opened(inputs, &run_opts, None, &mut stages)?;
    let inputs_fp: Vec<FileFingerprint> = run
        .inputs
        .iter()
        .map(|i| FileFingerprint { path: i.file.clone(), kind: "input".into(), sha256: i.sha256.clone() })
        .collect();
    let fingerprints = Fingerprints {
        rule_set: rules.pack_fingerprint.clone().unwrap_or_else(|| rules.fingerprint.clone()),
        rule_files: rule_files(&rules),
        inputs: inputs_fp,
        config: opts.config.clone(),
    };
    let report_id = report_id(&fingerprints, opts);
    let meta = ReportMeta {
        report_id,
        title: opts.title.clone(),
        organisation: opts.organisation.clone(),
        generated_at: opts.generated_at.clone(),
        generated_declared: opts.generated_declared,
        command: opts.command.clone(),
        build: opts.build.clone(),
        fingerprints,
        rule_tests: opts.rule_tests.clone(),
    };
    Ok((collector.finish(&run, meta), run))
}

/// The fingerprints of the rule set's files (rules, schema, data, lists).
fn rule_files(rules: &crate::check::RuleSet) -> Vec<FileFingerprint> {
    rules
        .inputs
        .iter()
        .map(|f| FileFingerprint { path: f.path.clone(), kind: f.kind.to_string(), sha256: f.sha256.clone() })
        .collect()
}

/// The report's collector as a stage of the run.
struct Collect<'c, 'a> {
    collector: &'c mut Collector<'a>,
    progress: &'c mut dyn FnMut(),
}

impl Stage for Collect<'_, '_> {
    // The population's value totals read every record's value.
    fn needs_records(&self) -> bool {
        true
    }

    fn end_input(&mut self, input: &InputInfo<'_>, sha256: &str) -> Result<(), StageError> {
        self.collector.end_input(input.index(), sha256, input.size());
        Ok(())
    }

    fn record(&mut self, item: &Item<'_>) -> Result<(), StageError> {
        self.collector.add(item.outcome());
        if let Some(e) = self.collector.store_failed() {
            return Err(StageError::Io(std::io::Error::new(e.kind(), e.to_string())));
        }
        (self.progress)();
        Ok(())
    }

    fn begin_input(&mut self, _: &InputInfo<'_>) -> Result<(), StageError> {
        Ok(())
    }
}

/// An identifier derived from what the report is about — rules, inputs,
/// config, period and organisation — never from a clock or a counter.
pub fn report_id(fp: &Fingerprints, opts: &ReportOptions) -> String {
    let mut h = Sha256::new();
    h.update(fp.rule_set.as_bytes());
    // Clearances change what the report finds, though not the rule pack.
    for f in fp.rule_files.iter().filter(|f| f.kind == "reviewed") {
        h.update(b"|reviewed|");
        h.update(f.sha256.as_bytes());
    }
    for i in &fp.inputs {
        h.update(b"|input|");
        h.update(i.sha256.as_bytes());
    }
    if let Some(c) = &fp.config {
        h.update(b"|config|");
        h.update(c.sha256.as_bytes());
    }
    h.update(format!("|{:?}|{:?}", opts.period.map(|p| p.to_string()), opts.organisation).as_bytes());
    // What the population is reconciled to is part of what the report says.
    let e = &opts.expect;
    if e.any() {
        h.update(format!("|expect|{:?}|{:?}", e.records, e.totals).as_bytes());
        if let Some((_, _, sha)) = &e.manifest {
            h.update(sha.as_bytes());
        }
    }
    if let Some(d) = &opts.dispositions {
        h.update(b"|dispositions|");
        h.update(d.sha256.as_bytes());
    }
    let x = hex(&h.finalize()).to_uppercase();
    format!("CR-{}-{}-{}", &x[0..4], &x[4..8], &x[8..12])
}
