//! Command-line interface: clap definitions and dispatch to one file per
//! subcommand. Only this module (and `main.rs`) prints.

/// `println!` for results on stdout: a closed pipe (`cordon … | head`) ends
/// the output quietly instead of panicking; any other write error (a full
/// disk) is said, and the exit code is 2.
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let written = writeln!(std::io::stdout().lock(), $($t)*);
        $crate::cli::output_failed(written);
    }};
}

/// `print!` likewise.
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let mut stdout = std::io::stdout().lock();
        // Flushed now: an error left in the buffer at exit would go unseen.
        let written = write!(stdout, $($t)*).and_then(|_| stdout.flush());
        $crate::cli::output_failed(written);
    }};
}

/// Handles a failed write to stdout: ignored for a closed pipe, fatal otherwise.
pub fn output_failed(written: std::io::Result<()>) {
    if let Err(e) = written
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("cordon: error: cannot write the output: {e}");
        std::process::exit(i32::from(EXIT_ERROR));
    }
}

mod check;
mod diag;
mod explain;
mod fmt;
mod lists;
mod log;
mod progress;
mod report;
mod review;
mod screen;
mod serve;
mod state;
mod test;
mod validate;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Exit code: nothing at or above `--fail-on`.
pub const EXIT_OK: u8 = 0;
/// Exit code: a record at or above `--fail-on`.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: rules, config or inputs unusable.
pub const EXIT_ERROR: u8 = 2;

/// Cordon checks trade transactions against sanctions and export-control rules.
#[derive(Parser, Debug)]
#[command(name = "cordon", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    /// How problems in rules, configs and inputs are printed.
    #[arg(long, value_enum, global = true, default_value = "human")]
    error_format: diag::ErrorFormat,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check transaction records against the rules.
    Check(check::CheckArgs),
    /// Parse and check the rules alone; report every problem.
    Validate(validate::ValidateArgs),
    /// Run the rule tests written beside the rules (`*.tests.yaml`).
    Test(test::TestArgs),
    /// Write the audit report: PDF, JSON or CSV.
    Report(report::ReportArgs),
    /// The disposition register: list findings with management's decisions, record one, approve one.
    Review(review::ReviewArgs),
    /// Explain why one record gets its decision, rule by rule.
    Explain(explain::ExplainArgs),
    /// Rewrite rule files in the canonical layout (`--check`: only list them).
    Fmt(fmt::FmtArgs),
    /// Sanctions lists: import or download them from their sources, show, compare snapshots.
    Lists(lists::ListsArgs),
    /// Screen a name, or a CSV file of names, against the sanctions lists.
    Screen(screen::ScreenArgs),
    /// The state kept between runs: running totals of rules over many records.
    State(state::StateCmdArgs),
    /// The decision log: verify its hash chain, show its entries.
    Log(log::LogCmdArgs),
    /// Serve the engine over HTTP: check records, log every decision, reload the rules.
    Serve(serve::ServeArgs),
}

/// `--fail-on` levels.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    /// Exit 1 if any record is blocked.
    Block,
    /// Exit 1 if any record is blocked, for review, or invalid.
    Review,
}

/// Common: where the rules are.
#[derive(clap::Args, Debug)]
pub struct RulesArg {
    /// Rules directory (or one rule file).
    #[arg(long, value_name = "DIR")]
    pub rules: PathBuf,
}

/// Runs the CLI and returns the exit code.
pub fn main() -> u8 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
            let _ = e.print();
            return code;
        }
    };
    diag::set_format(cli.error_format);
    match cli.command {
        Command::Check(a) => check::run(a),
        Command::Validate(a) => validate::run(a),
        Command::Test(a) => test::run(a),
        Command::Report(a) => report::run(a),
        Command::Review(a) => review::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Fmt(a) => fmt::run(a),
        Command::Lists(a) => lists::run(a),
        Command::Screen(a) => screen::run(a),
        Command::State(a) => state::run(a),
        Command::Log(a) => log::run(a),
        Command::Serve(a) => serve::run(a),
    }
}
