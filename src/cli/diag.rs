//! Rendering diagnostics to stderr: `human` (miette's graphical report, the
//! default), `plain` (one `file:line:col: severity[code]: message` line each,
//! for editors and CI logs) or `json` (one JSON object per line).

use std::io::{IsTerminal, Write};
use std::sync::OnceLock;

use clap::ValueEnum;
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, Severity};

/// How diagnostics are printed.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ErrorFormat {
    /// Graphical, with the source line and an underline.
    #[default]
    Human,
    /// One line per problem: `file:line:col: error[code]: message`.
    Plain,
    /// One JSON object per problem, per line.
    Json,
}

static FORMAT: OnceLock<ErrorFormat> = OnceLock::new();

/// Chooses the format for the rest of the run.
pub fn set_format(f: ErrorFormat) {
    let _ = FORMAT.set(f);
}

fn format() -> ErrorFormat {
    FORMAT.get().copied().unwrap_or_default()
}

/// Where a diagnostic points: file, 1-based line and column, end line and column, label.
fn location(d: &dyn Diagnostic) -> Option<(String, usize, usize, usize, usize, Option<String>)> {
    let src = d.source_code()?;
    let label = d.labels()?.next()?;
    let start = src.read_span(label.inner(), 0, 0).ok()?;
    let name = start.name().unwrap_or("").to_string();
    let (line, col) = (start.line() + 1, start.column() + 1);
    let end_off = (label.offset() + label.len()).saturating_sub(1).max(label.offset());
    let (end_line, end_col) = match src.read_span(&(end_off, 0).into(), 0, 0) {
        Ok(e) => (e.line() + 1, e.column() + 1 + usize::from(!label.is_empty())),
        Err(_) => (line, col),
    };
    Some((name, line, col, end_line, end_col, label.label().map(str::to_string)))
}

fn severity_word(d: &dyn Diagnostic) -> &'static str {
    match d.severity() {
        Some(Severity::Warning) => "warning",
        Some(Severity::Advice) => "advice",
        _ => "error",
    }
}

/// Renders one diagnostic in the chosen format.
pub fn render(d: &dyn Diagnostic, f: ErrorFormat) -> String {
    let code = d.code().map(|c| c.to_string());
    let help = d.help().map(|h| h.to_string());
    match f {
        ErrorFormat::Human => {
            let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
            // Every message already ends with its cause ("cannot read `x`: …"):
            // miette's cause chain would only repeat it.
            let handler = GraphicalReportHandler::new_themed(theme).with_width(100).without_cause_chain();
            let mut out = String::new();
            if handler.render_report(&mut out, d).is_err() {
                out = format!("error: {d}\n");
            }
            out
        }
        ErrorFormat::Plain => {
            let place = location(d).map(|(file, line, col, ..)| format!("{file}:{line}:{col}: ")).unwrap_or_default();
            let code = code.map(|c| format!("[{c}]")).unwrap_or_default();
            let mut out = format!("{place}{}{code}: {d}\n", severity_word(d));
            if let Some(h) = help {
                out.push_str(&format!("  help: {h}\n"));
            }
            out
        }
        ErrorFormat::Json => {
            let mut v = serde_json::json!({
                "severity": severity_word(d),
                "code": code,
                "message": d.to_string(),
                "help": help,
            });
            if let Some((file, line, column, end_line, end_column, label)) = location(d) {
                v["file"] = file.into();
                v["line"] = line.into();
                v["column"] = column.into();
                v["end_line"] = end_line.into();
                v["end_column"] = end_column.into();
                v["label"] = label.into();
            }
            format!("{v}\n")
        }
    }
}

/// Prints one diagnostic to stderr.
pub fn print(d: &dyn Diagnostic) {
    let _ = std::io::stderr().write_all(render(d, format()).as_bytes());
}

/// Prints every problem of a failed load and a closing count.
pub fn print_all(d: &cordon::diagnostics::Diagnostics) {
    for p in &d.errors {
        print(p);
    }
    if format() != ErrorFormat::Json {
        let n = d.errors.len();
        let _ = writeln!(std::io::stderr(), "cordon: {n} error{} in the rules", if n == 1 { "" } else { "s" });
    }
}

/// For commands other than `validate`: says how many lint warnings the rules
/// have, without listing them.
pub fn note_warnings(engine: &cordon::Engine) {
    let n = engine.warnings().len();
    if n > 0 && format() != ErrorFormat::Json {
        let _ = writeln!(
            std::io::stderr(),
            "cordon: {n} warning{} in the rules (see `cordon validate`)",
            if n == 1 { "" } else { "s" }
        );
    }
}
