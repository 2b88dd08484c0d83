//! Cordon's integration tests: one test binary, one module per area. Most
//! tests are data files under `tests/data/` run through the public entry
//! points; the modules here are their harnesses.

mod aggregate;
mod audit;
mod check;
mod cli;
mod decision_log;
mod docs;
mod editors;
mod embedding;
mod eval;
mod fail_open;
mod fmt;
mod grammar;
mod harness;
mod kinds;
mod licences;
mod lists;
mod lists_update;
mod reader;
mod records;
mod regimes;
mod report;
mod robustness;
mod rule_pack;
mod schema;
mod screening;
mod serve;
mod stores;
mod streaming;
mod tidy;
