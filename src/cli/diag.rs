//! Rendering diagnostics to stderr: `human` (miette's graphical report, the
//! default), `plain` (one `file:line:col: severity[code]: message` line each,
//! for editors and CI logs) or `json` (one JSON object per line).

use std::io::{IsTerminal, Write};
use std::sync::OnceLock;

use clap::ValueEnum;
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

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

/// How problems are printed in this run (`--error-format`).
pub fn format() -> ErrorFormat {
    FORMAT.get().copied().unwrap_or_default()
}

/// A diagnostic whose message and help show control characters, escape
/// sequences and bidi overrides as escapes (`\x1b`): a header or a value
/// from an input file never reaches the terminal raw (red team M3: a column
/// named `hs_code\x1b[2J…` cleared the screen).
struct Printable<'a>(&'a dyn Diagnostic);

impl std::fmt::Debug for Printable<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.0, f)
    }
}

impl std::fmt::Display for Printable<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&cordon::unstable::values::text::printable(&self.0.to_string()))
    }
}

impl std::error::Error for Printable<'_> {}

impl Diagnostic for Printable<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.0.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.0.severity()
    }
    fn help<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        let help = self.0.help()?.to_string();
        Some(Box::new(cordon::unstable::values::text::printable(&help).into_owned()))
    }
    fn url<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.0.url()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.0.source_code()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.0.labels()
    }
    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
        self.0.related()
    }
}

/// Renders one diagnostic in the chosen format.
pub fn render(d: &dyn Diagnostic, f: ErrorFormat) -> String {
    let clean = Printable(d);
    let d: &dyn Diagnostic = &clean;
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
        ErrorFormat::Plain => cordon::unstable::diagnostics::to_plain(d),
        ErrorFormat::Json => format!("{}\n", cordon::unstable::diagnostics::to_json(d)),
    }
}

/// Prints one diagnostic to stderr.
pub fn print(d: &dyn Diagnostic) {
    let _ = std::io::stderr().write_all(render(d, format()).as_bytes());
}

/// Prints every problem of a failed load and a closing count.
pub fn print_all(d: &cordon::unstable::diagnostics::Diagnostics) {
    for p in &d.errors {
        print(p);
    }
    if format() != ErrorFormat::Json {
        let n = d.errors.len();
        let _ = writeln!(std::io::stderr(), "cordon: {n} error{} in the rules", if n == 1 { "" } else { "s" });
    }
}

/// Closes a list of problems with their count (plain text only: JSON lines
/// carry each problem).
pub fn count(n: usize, what: &str) {
    if format() != ErrorFormat::Json {
        let _ = writeln!(std::io::stderr(), "cordon: {n} error{} {what}", if n == 1 { "" } else { "s" });
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
