//! Cordon: a compliance rules engine for sanctions and export controls.
//!
//! Rule authors write restrictions (the UN Security Council measures on the
//! DPRK first) in Cordon's rule language. The engine checks trade and
//! payment records against them and says, per record, `block`, `review` or
//! `pass`, with every finding's legal citation and evidence.
//!
//! # Embedding
//!
//! ```
//! use cordon::{Engine, LoadOptions, MemSources};
//!
//! let pack = MemSources::new().with(
//!     "dprk.cordon",
//!     r#"regime UN_DPRK
//!        rule KP-COAL {
//!          title: "Coal from the DPRK"
//!          cite: "S/RES/2371 (2017), para. 8"
//!          severity: block
//!          when: origin in { KP } and hs_code in { 2701 }
//!        }"#,
//! );
//! let engine = Engine::from_sources(&pack, &LoadOptions::new())?;
//! let result = engine.check_json(&serde_json::json!({
//!     "id": "TX-1", "date": "2024-03-01", "origin": "KP",
//!     "destination": "CN", "hs_code": "2701.12",
//! }));
//! assert_eq!(result.decision(), Some(cordon::Decision::Block));
//! # Ok::<(), cordon::Diagnostics>(())
//! ```
//!
//! The public API is what this page lists: [`Engine`] (built from a folder
//! or from [`Sources`]; a [`Table`] of rows given column by column, as the
//! Python bindings in `python/` give Arrow batches), [`RunOptions`] and [`Stage`]s for runs over
//! [`InputSource`]s, the owned, serialisable [`RecordResult`] and
//! [`RunSummary`], [`Diagnostics`] and one [`Error`]. `docs/embedding.md`
//! shows a service; `docs/schema/` holds the JSON Schemas of the outputs.
//! `unstable` (hidden) is for Cordon's own CLI, fuzz targets and tests.
//!
//! # Bird's-eye view
//!
//! ```text
//! Sources ─load─▶ Pack (syntax trees) ─check─▶ RuleSet ─compile─▶ Program
//!                                                                    │
//! InputSource ─run: reader (chunks) ▶ split + type + evaluate (all cores) ▶ stages in order
//!                                    │                        (tally, ids, outputs…)
//!                              RecordOutcome ─results─▶ RecordResult (JSON)
//! ```
//!
//! # Code map
//!
//! Leaves first; a module uses only modules above it in this list.
//!
//! - `source`: source files and byte spans; the only place line/column is computed.
//! - `suggest`: "did you mean …?" help.
//! - `tables`: the strict reader of the data tables Cordon compiles in.
//! - `atomic`: writing a file whole or not at all.
//! - `values`: the value kinds, one file each (text, decimals, dates,
//!   countries, HS codes, names, ECCNs) and their registry, the functions
//!   they bring, units of measure, text words — read the same way in rules
//!   and in records.
//! - `licence`: the firm's licence register (holder, scope, limits,
//!   validity), checked row by row, and whether a licence covers a shipment.
//! - `schema`: the record schema (fields, types, groups, required, the date field).
//! - `lists`: sanctions-list snapshots: the model, the importers (from
//!   bytes), the snapshot file format.
//! - `sources`: where a pack's files come from ([`Sources`], [`FsSources`],
//!   [`MemSources`]), pack-relative names and their confinement; the lists
//!   folder on disk and the list source files `lists import` reads, and
//!   those `lists update` downloads over HTTPS (`sources/update.rs`: the
//!   official URLs and the checks; `sources/download.rs`: the HTTP client).
//!   With `atomic`, the output writers and the CLI, the only file access
//!   (`tests/it/tidy.rs` holds it so).
//! - `config`: every YAML file (schemas, input configs, pack manifests, YAML
//!   data, reviewed matches); the only module that imports the YAML library.
//! - `syntax`: rule text → syntax tree (pest); `grammar/cordon.pest` is the grammar.
//! - `screen`: name screening: normalisation (tables in `assets/screening/`),
//!   the index (`screen/keys.rs`: its key table), scores, reviewed
//!   clearances; `screen/persist.rs` stores an index as bytes (`NAME.index`
//!   beside the snapshot: a cache, keyed by the snapshot's SHA-256 and a
//!   fingerprint of the screening code made by `build.rs`; the only module
//!   that imports `postcard` and `xxhash-rust`).
//! - `records`: inputs cut into chunks at line breaks (`chunk`; the run hands
//!   each chunk's buffer back to be read into again, `chunk::Spare`), CSV split
//!   in place and JSON Lines readers, column mapping, typed cells borrowing the
//!   input.
//! - `check`: the pack (`check::Pack`), names (scoped per included pack),
//!   types, codes and dates checked, lookup tables read from their data files
//!   (`check/table.rs`), regime scopes, lints, the expression printer;
//!   produces the typed `RuleSet`.
//! - `diagnostics`: many problems carried together; their JSON and plain forms.
//! - `load`: reads a pack through its sources: rule files, imports, manifest.
//! - `compile`: sets become hash and prefix tables; the rule index (which
//!   rules can hold on a record, guards taken through `any` over lists and
//!   groups, and the fields only they read) and the counting pass's index
//!   of the rules over many records; produces the `Program`.
//! - `findings`: decisions, findings, evidence, explanations, invalid records.
//! - `store`: the state kept between runs (records counted by rules over
//!   many records, runs, changes by hand) and the decision log (hash-chained
//!   in `store/log.rs`, whatever the database, with its export in signed
//!   segments) behind traits; SQLite in `store/sqlite.rs`, its schema
//!   migrated by `store/migrations/*.sql`; the decision log in PostgreSQL
//!   in `store/pg.rs`.
//! - `eval`: three-valued evaluation of rules on a record (fail closed);
//!   for a rule over many records, what the record adds to its total.
//! - `aggregate`: running totals of rules over many records, in date order
//!   per group and window, read back from the store; each record's standing
//!   and the findings it gives.
//! - `explain`: the reference (tree-walking) evaluator, which explains.
//! - `results`: owned, serialisable results named by rule, set and field.
//! - `run`: the pipeline: inputs, options, stages, the run's summary; the
//!   counting first pass of a run with rules over many records (`run::counting`);
//!   the stage that appends decisions to the log (`run::log`).
//! - `error`: the crate's one [`Error`].
//! - `engine`: the facade: load once, evaluate a record, a table's rows (`Table`) or run over inputs.
//! - `output`: the formats of `cordon check` (table, JSON Lines, JSON, CSV).
//! - `report`: the audit report model, its layout, and its PDF, JSON and CSV
//!   renderings; `report/replay.rs` builds it from the decision log, each
//!   logged record evaluated again and held to its logged result;
//!   `report/criteria.rs` the criteria page and the limitations (screening
//!   quality measured on the pack's benchmark, `screen/benchmark.rs`);
//!   `report/outcomes.rs` the conclusion and the records by category and year;
//!   `report/sections.rs` lays those pages out; `report/pdf.rs` writes PDF/A-2b.
//! - `contracts`: the JSON output documents and their JSON Schemas.
//! - `testing`: rule tests written beside rule files (`*.tests.yaml`).
//! - `fuzzing`: the entry points of the fuzz targets in `fuzz/`, also run
//!   by `cargo test` (docs/robustness.md).
//! - `cli` (binary only): argument parsing and the subcommands; `cli/serve.rs`
//!   is the HTTP service (axum on tokio, the only module that uses them).
//!
//! # Invariants
//!
//! - Data flows one way: the modules form no cycle (`tests/it/tidy.rs`
//!   computes the graph); syntax knows nothing of records, evaluation never
//!   parses rule text, outputs read only outcomes and the rule set.
//! - The core does no I/O of its own: loading and checking read through
//!   [`Sources`]; runs read [`InputSource`]s; a fingerprint is of the bytes
//!   parsed. Names never leave the pack but for folders its manifest names.
//! - Every syntax node carries a span; spans never take part in equality.
//! - Checking collects every problem in one run; only a rule set without
//!   errors is compiled, and compilation cannot fail.
//! - Library code never prints and never exits; the binary renders diagnostics.
//! - Every record read is either evaluated or reported invalid:
//!   `read = evaluated + invalid` in every output.
//! - A regime's rules are evaluated only on records its `applies_when`
//!   does not exclude: a scope that cannot be decided is in scope, and a
//!   table lookup whose key is not in the table is undecided, never a miss.
//! - Decisions: `block` > `review` > `pass`; a rule that cannot be decided —
//!   a value missing or unreadable, a column absent, a value of an
//!   unexpected kind — is reported (`review`, indeterminate), never passed.
//! - A run whose outputs show no record's values (`--format summary`) types
//!   only the fields rules read, and the fields only guarded rules read only
//!   for records whose guards hold; its decisions and counts are those of a
//!   run that types everything. A field left untyped holds an unreadable
//!   cell (a rule reading it is undecided, never passed), and a record with
//!   a required field unreadable is typed in full. The counting pass types a
//!   record past its date and its guards' fields only when a rule over many
//!   records may count it, and then in full, required fields checked (the
//!   content hash reads every field; an invalid record is never counted).
//! - A run that counts reads each input twice and fails if its bytes
//!   differ between the passes (`RunError::InputChanged`).
//! - Group keys only ever join names, never part one (`values::name::group_text`);
//!   a state's keys made by an older folding are made again before a run
//!   counts into it, so an upgrade never splits a group.
//! - Money and quantities are exact decimals; dates are calendar dates.
//! - The same rules and records give the same findings in the same order,
//!   on the same line numbers, whatever the number of threads, the chunk
//!   size or where a chunk boundary falls (inside a quoted field, a chunk's
//!   unfinished record is read again with the next, in order).
//! - No input reaches a panic, a stack overflow or unbounded memory: sizes
//!   are capped where they are read ([`Limits`], `sources::MAX_TEXT_FILE_BYTES`,
//!   `syntax::MAX_NESTING`), and the run's only state that grows with
//!   input, the repeat-id table, stops at `run::MAX_TRACKED_IDS`.
//! - The decision log only grows: entries are appended in transactions, each
//!   chained by SHA-256 to the one before, so an edit, a deletion or a
//!   reordering is found by verifying the chain.
//! - Every file written goes through `atomic`: whole or absent (the files
//!   `lists update` downloads go to a private temporary folder, removed
//!   afterwards, and only the snapshot made from them is saved); the state
//!   file is SQLite's, written in one transaction per run (WAL), so a run
//!   that fails leaves it as it was.
//! - Rules over many records count in transaction-date order (ties by
//!   record id), whatever the input order, split or thread count; the same
//!   record (id and content) is counted once; a record crossing a limit and
//!   every later one in its window get the finding.
//! - One outside crate per module: pest in `syntax`, YAML in `config`, JSON
//!   input in `records` (CSV input is split by hand, held to the csv crate by
//!   a proptest; the csv crate reads the pack's data tables), printpdf (with lopdf, allsorts and textwrap) in
//!   `report`, unicode-script and encoding_rs in `lists::import`, rusqlite
//!   in `store/sqlite.rs`, postgres in `store/pg.rs`, ureq (the HTTP client,
//!   with rustls) in `sources/download.rs`; axum and tokio only in the
//!   binary's `cli/serve.rs`.
//!   The report layout is built without PDF and can be tested as data.
//! - [`Engine`] is `Send + Sync`; no `unsafe` code.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod aggregate;
mod atomic;
mod check;
mod compile;
mod config;
mod contracts;
mod diagnostics;
mod engine;
mod error;
mod eval;
mod explain;
mod findings;
mod fuzzing;
mod licence;
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
mod store;
mod suggest;
mod syntax;
mod tables;
mod testing;
mod values;

pub use check::Severity;
pub use config::InputConfig;
pub use contracts::{CheckOutput, CheckSummary, json_schemas};
pub use diagnostics::{Diagnostics, Problem};
pub use engine::{Engine, LoadOptions, Table};
pub use error::Error;
pub use findings::{Decision, Explanation, Node, RuleExplanation, Truth, UnlessExplanation};
pub use records::{FieldProblem, Format, InputError, Limits, Value};
pub use results::{
    EvaluatedRecord, ExemptionResult, FindingOutcome, FindingResult, InvalidDecision, InvalidRecord,
    RESULT_SCHEMA_VERSION, RecordResult, ScreenMatch, SetMatchResult, SkippedCheck, SuppressedMatch,
};
pub use run::{
    CancelToken, Decisions, DuplicateId, DuplicateIds, EachRecord, InputInfo, InputSize, InputSource, InputStats, Item,
    ListCoverage, MissingColumnNote, MissingGroupNote, RunError, RunOptions, RunSummary, Skipped, Stage, StageError,
    each_record,
};
pub use schema::MissingColumn;
pub use sources::{FsSources, MemSources, SourceError, Sources};
pub use store::StoreError;
pub use values::{Code, Date, Decimal, Scalar};

// The Rust examples of docs/embedding.md compile and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../docs/embedding.md")]
struct EmbeddingGuide;

/// Cordon's internals, for its command-line tool, fuzz targets and tests.
/// No stability promise: anything here may change in any release. Embed
/// through the crate root instead.
#[doc(hidden)]
pub mod unstable {
    #![allow(missing_docs)]
    pub mod aggregate {
        pub use crate::aggregate::*;
    }
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
    pub mod contracts {
        pub use crate::contracts::*;
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
    pub mod store {
        pub use crate::store::*;
    }
    pub mod suggest {
        pub use crate::suggest::*;
    }
    pub mod syntax {
        pub use crate::syntax::*;
    }
    pub mod tables {
        pub use crate::tables::*;
    }
    pub mod testing {
        pub use crate::testing::*;
    }
    pub mod values {
        pub use crate::values::*;
    }
}
