//! The `cordon` command: parses arguments, runs a subcommand, maps the
//! outcome to an exit code, and renders diagnostics.
//!
//! Exit codes: 0 — no record at or above `--fail-on`; 1 — at least one;
//! 2 — the rules, the config or an input could not be used.

mod cli;

/// mimalloc: records are many small allocations made and freed on several
/// threads at once, which it serves faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

fn main() -> ExitCode {
    let code = cli::main();
    ExitCode::from(code)
}
