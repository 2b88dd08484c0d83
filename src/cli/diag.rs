//! Rendering diagnostics to stderr with miette.

use std::io::{IsTerminal, Write};

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

/// Prints one diagnostic to stderr.
pub fn print(d: &dyn Diagnostic) {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    if handler.render_report(&mut out, d).is_err() {
        out = format!("error: {d}\n");
    }
    let _ = std::io::stderr().write_all(out.as_bytes());
}

/// Prints every problem of a failed load and a closing count.
pub fn print_all(d: &cordon::diagnostics::Diagnostics) {
    for p in &d.errors {
        print(p);
    }
    let n = d.errors.len();
    let _ = writeln!(std::io::stderr(), "cordon: {n} error{} in the rules", if n == 1 { "" } else { "s" });
}
