//! The one error type of the public API: the rules did not load, an input
//! could not be used, a config was wrong, or a run stopped. Each carries
//! the stage's own diagnostics; [`Error::to_json`] gives them as data.

use miette::Diagnostic;

use crate::config::ConfigError;
use crate::diagnostics::Diagnostics;
use crate::records::InputError;
use crate::run::RunError;

/// Anything the engine could not do.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum Error {
    /// The rule pack does not load or check: every problem found.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Rules(#[from] Diagnostics),
    /// Inputs that cannot be used (unreadable, no header, a required
    /// column missing); no record was evaluated.
    #[error("{} input{} cannot be used", .0.len(), if .0.len() == 1 { "" } else { "s" })]
    #[diagnostic(code(cordon::inputs))]
    Inputs(#[related] Vec<InputError>),
    /// An input config, schema or reviewed-matches file is wrong.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] ConfigError),
    /// A run stopped (an input failed mid-way, output failed, cancelled).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Run(#[from] RunError),
    /// The state kept between runs (running totals) could not be used.
    #[error(transparent)]
    #[diagnostic(transparent)]
    State(#[from] crate::store::StoreError),
}

impl Error {
    /// Every problem as JSON objects (`severity`, `code`, `message`,
    /// `help`, and `file`, `line`, `column` … where it points into a file),
    /// as `--error-format json` prints them.
    pub fn to_json(&self) -> Vec<serde_json::Value> {
        match self {
            Error::Rules(d) => d.errors.iter().map(|p| crate::diagnostics::to_json(p)).collect(),
            Error::Inputs(errs) => errs.iter().map(|e| crate::diagnostics::to_json(e)).collect(),
            Error::Config(e) => vec![crate::diagnostics::to_json(e)],
            Error::Run(e) => vec![crate::diagnostics::to_json(e)],
            Error::State(e) => vec![crate::diagnostics::to_json(e)],
        }
    }
}
