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
#[derive(Debug, Default, Error, Diagnostic)]
#[error("{} error{} in the rules", .errors.len(), if .errors.len() == 1 { "" } else { "s" })]
#[diagnostic(code(cordon::rules))]
pub struct Diagnostics {
    /// Errors: the rules cannot be used.
    #[related]
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

impl<P: Into<Problem>> FromIterator<P> for Diagnostics {
    fn from_iter<I: IntoIterator<Item = P>>(iter: I) -> Self {
        Diagnostics { errors: iter.into_iter().map(Into::into).collect() }
    }
}

/// Where a diagnostic points: the file, the 1-based line and column of its
/// first label's start and end, and the label's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file, as named to the user.
    pub file: String,
    /// Line of the start (1-based).
    pub line: usize,
    /// Column of the start (1-based, in characters).
    pub column: usize,
    /// Line of the end.
    pub end_line: usize,
    /// Column just past the end.
    pub end_column: usize,
    /// The label under the span.
    pub label: Option<String>,
}

/// Where a diagnostic points, if it points into a file.
pub fn location(d: &dyn Diagnostic) -> Option<Location> {
    let src = d.source_code()?;
    let label = d.labels()?.next()?;
    let start = src.read_span(label.inner(), 0, 0).ok()?;
    let file = start.name().unwrap_or("").to_string();
    let (line, column) = (start.line() + 1, start.column() + 1);
    let end_off = (label.offset() + label.len()).saturating_sub(1).max(label.offset());
    let (end_line, end_column) = match src.read_span(&(end_off, 0).into(), 0, 0) {
        Ok(e) => (e.line() + 1, e.column() + 1 + usize::from(!label.is_empty())),
        Err(_) => (line, column),
    };
    Some(Location { file, line, column, end_line, end_column, label: label.label().map(str::to_string) })
}

/// `error`, `warning` or `advice`.
pub fn severity_word(d: &dyn Diagnostic) -> &'static str {
    match d.severity() {
        Some(miette::Severity::Warning) => "warning",
        Some(miette::Severity::Advice) => "advice",
        _ => "error",
    }
}

/// A diagnostic as JSON: `severity`, `code`, `message`, `help`, and where it
/// points (`file`, `line`, `column`, `end_line`, `end_column`, `label`).
/// The CLI's `--error-format json` prints these; a service returns them.
pub fn to_json(d: &dyn Diagnostic) -> serde_json::Value {
    let mut v = serde_json::json!({
        "severity": severity_word(d),
        "code": d.code().map(|c| c.to_string()),
        "message": d.to_string(),
        "help": d.help().map(|h| h.to_string()),
    });
    if let Some(l) = location(d) {
        v["file"] = l.file.into();
        v["line"] = l.line.into();
        v["column"] = l.column.into();
        v["end_line"] = l.end_line.into();
        v["end_column"] = l.end_column.into();
        v["label"] = l.label.into();
    }
    v
}

/// A diagnostic on one line: `file:line:col: error[code]: message`, then
/// `  help: …` if it has help.
pub fn to_plain(d: &dyn Diagnostic) -> String {
    let place = location(d).map(|l| format!("{}:{}:{}: ", l.file, l.line, l.column)).unwrap_or_default();
    let code = d.code().map(|c| format!("[{c}]")).unwrap_or_default();
    let mut out = format!("{place}{}{code}: {d}\n", severity_word(d));
    if let Some(h) = d.help() {
        out.push_str(&format!("  help: {h}\n"));
    }
    out
}
