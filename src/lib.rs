//! Cordon: a compliance rules engine for sanctions and export controls.
//!
//! # Bird's-eye view
//!
//! Rule authors write restrictions (the UN Security Council measures on the
//! DPRK first) in Cordon's rule language. The engine checks trade transaction
//! records against them and says, per record, `block`, `review` or `pass`,
//! with every finding's legal citation and evidence.
//!
//! ```text
//! rules/**/*.cordon ─syntax─▶ AST (spans) ─check(+schema, +data files)─▶ RuleSet
//!                                                      │ compile
//! input CSV / JSONL ─records (+config)─▶ typed Record ─eval─▶ Evaluated (findings)
//!                                                      │
//!                              output: table · jsonl · json · csv
//! ```
//!
//! # Code map
//!
//! - [`source`]: source files and byte spans; the only place line/column is computed.
//! - [`values`]: countries, HS codes, dates, decimals, normalised names — parsed
//!   the same way in rules and in records.
//! - [`schema`]: the record schema (fields, types, required, the date field).
//! - [`config`]: every YAML file (schemas, input configs, pack manifests, YAML
//!   data); the only module that imports the YAML library.
//! - [`syntax`]: rule text → syntax tree (pest); `grammar/cordon.pest` is the grammar.
//! - [`load`]: finds a pack's rule files, follows imports, reads its manifest.
//! - [`check`]: names, types, codes and dates checked; produces the typed [`check::RuleSet`].
//! - [`compile`]: sets become hash and prefix tables; produces the [`compile::Program`].
//! - [`records`]: CSV and JSON Lines readers, column mapping, typed cells.
//! - [`eval`]: three-valued evaluation of rules on a record (fail closed).
//! - [`findings`]: decisions, findings, evidence, invalid records.
//! - [`explain`]: why a record got its decision, condition by condition; also
//!   the reference (tree-walking) evaluator the compiled one is tested against.
//! - [`engine`]: the facade: load once, run over inputs in parallel, in order.
//! - [`output`]: the stable output formats of `cordon check`, and safe file writing.
//! - [`report`]: the audit report model, its layout, and its PDF, JSON and CSV renderings.
//! - [`testing`]: rule tests written beside rule files (`*.tests.yaml`).
//! - [`diagnostics`]: many problems carried together to the user.
//! - `fuzzing` (hidden): the entry points of the fuzz targets in `fuzz/`, also
//!   run by `cargo test` (docs/robustness.md).
//! - `cli` (binary only): argument parsing and the subcommands.
//!
//! # Invariants
//!
//! - Data flows one way: syntax knows nothing of records, evaluation never
//!   parses rule text, output reads only findings.
//! - Every syntax node carries a span; spans never take part in equality.
//! - Checking collects every problem in one run; only a rule set without
//!   errors is compiled, and compilation cannot fail.
//! - Library code never prints and never exits; the binary renders diagnostics.
//! - Every record read is either evaluated or reported invalid:
//!   `read = evaluated + invalid` in every output.
//! - Decisions: `block` > `review` > `pass`; a rule that cannot be decided for
//!   lack of a value is reported (`review`, indeterminate), never passed.
//! - Money and quantities are exact decimals; dates are calendar dates.
//! - The same rules and records give the same findings in the same order,
//!   whatever the number of threads.
//! - No input reaches a panic, a stack overflow or unbounded memory: sizes
//!   are capped where they are read ([`records::MAX_LINE_BYTES`],
//!   [`records::MAX_FIELD_BYTES`], [`records::MAX_COLUMNS`],
//!   [`source::MAX_TEXT_FILE_BYTES`], [`syntax::MAX_NESTING`]), and the
//!   run's only state that grows with input, the repeat-id table, stops at
//!   [`engine::MAX_TRACKED_IDS`].
//! - Every file written goes through [`atomic`]: whole or absent.
//! - One outside crate per module: pest in `syntax`, YAML in `config`, CSV and
//!   JSON input in `records`, printpdf (with lopdf and allsorts) in `report::pdf`,
//!   quick-xml, encoding_rs and unicode-script in `lists::import`.
//!   The report layout is built without PDF and can be tested as data.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod atomic;
mod check;
mod compile;
mod config;
mod diagnostics;
mod engine;
mod error;
mod eval;
mod explain;
mod findings;
mod fuzzing;
mod lists;
mod load;
mod output;
mod records;
mod report;
mod results;
mod run;
mod schema;
mod screen;
mod source;
mod sources;
mod suggest;
mod syntax;
mod testing;
mod values;

pub use check::Severity;
pub use config::InputConfig;
pub use diagnostics::{Diagnostics, Problem};
pub use engine::{Engine, LoadOptions};
pub use error::Error;
pub use findings::{Decision, Explanation, Node, RuleExplanation, Truth, UnlessExplanation};
pub use records::{FieldProblem, Format, InputError, Limits, Value};
pub use results::{
    EvaluatedRecord, ExemptionResult, FindingOutcome, FindingResult, InvalidDecision, InvalidRecord,
    RESULT_SCHEMA_VERSION, RecordResult, ScreenMatch, SetMatchResult, SkippedCheck, SuppressedMatch,
};
pub use run::{
    CancelToken, Decisions, DuplicateId, DuplicateIds, EachRecord, InputInfo, InputSource, InputStats, Item,
    ListCoverage, MissingColumnNote, MissingGroupNote, RunError, RunOptions, RunSummary, Skipped, Stage, StageError,
    each_record,
};
pub use schema::MissingColumn;
pub use sources::{FsSources, MemSources, SourceError, Sources};

/// Cordon's internals, for its command-line tool, fuzz targets and tests.
/// No stability promise: anything here may change in any release. Embed
/// through the crate root instead.
#[doc(hidden)]
pub mod unstable {
    #![allow(missing_docs)]
    pub mod atomic {
        pub use crate::atomic::*;
    }
    pub mod check {
        pub use crate::check::*;
    }
    pub mod compile {
        pub use crate::compile::*;
    }
    pub mod config {
        pub use crate::config::*;
    }
    pub mod diagnostics {
        pub use crate::diagnostics::*;
    }
    pub mod engine {
        pub use crate::engine::*;
    }
    pub mod eval {
        pub use crate::eval::*;
    }
    pub mod explain {
        pub use crate::explain::*;
    }
    pub mod findings {
        pub use crate::findings::*;
    }
    pub mod fuzzing {
        pub use crate::fuzzing::*;
    }
    pub mod lists {
        pub use crate::lists::*;
    }
    pub mod load {
        pub use crate::load::*;
    }
    pub mod output {
        pub use crate::output::*;
    }
    pub mod records {
        pub use crate::records::*;
    }
    pub mod report {
        pub use crate::report::*;
    }
    pub mod results {
        pub use crate::results::*;
    }
    pub mod run {
        pub use crate::run::*;
    }
    pub mod schema {
        pub use crate::schema::*;
    }
    pub mod screen {
        pub use crate::screen::*;
    }
    pub mod source {
        pub use crate::source::*;
    }
    pub mod sources {
        pub use crate::sources::*;
    }
    pub mod suggest {
        pub use crate::suggest::*;
    }
    pub mod syntax {
        pub use crate::syntax::*;
    }
    pub mod testing {
        pub use crate::testing::*;
    }
    pub mod values {
        pub use crate::values::*;
    }
}
