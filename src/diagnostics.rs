//! Many problems at once: every stage that reads user text collects all its
//! problems, and they travel together to the user.

use miette::Diagnostic;
use thiserror::Error;

use crate::check::CheckError;
use crate::config::ConfigError;
use crate::syntax::ParseError;

/// One problem in rules, schema or config.
#[derive(Debug, Error, Diagnostic)]
pub enum Problem {
    /// A syntax error.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Parse(#[from] ParseError),
    /// A static-check error.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Check(#[from] CheckError),
    /// A schema, config or manifest error.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] ConfigError),
}

/// Every problem found in one run.
#[derive(Debug, Default, Error)]
#[error("{} error{} in the rules", .errors.len(), if .errors.len() == 1 { "" } else { "s" })]
pub struct Diagnostics {
    /// Errors: the rules cannot be used.
    pub errors: Vec<Problem>,
}

impl Diagnostics {
    /// No problems yet.
    pub fn new() -> Self {
        Diagnostics::default()
    }

    /// Adds a problem.
    pub fn push(&mut self, p: impl Into<Problem>) {
        self.errors.push(p.into());
    }

    /// Whether any error was found.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }
}

impl From<Problem> for Diagnostics {
    fn from(p: Problem) -> Self {
        Diagnostics { errors: vec![p] }
    }
}
