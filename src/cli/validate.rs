//! `cordon validate`: parse and check the rules, print every problem.

use super::{EXIT_ERROR, EXIT_OK, RulesArg, diag};

/// Arguments of `cordon validate`.
#[derive(clap::Args, Debug)]
pub struct ValidateArgs {
    #[command(flatten)]
    rules: RulesArg,
    /// Treat lint warnings as errors (exit 2): for CI of rule packs.
    #[arg(long)]
    deny_warnings: bool,
}

/// Runs `cordon validate`.
pub fn run(a: ValidateArgs) -> u8 {
    match cordon::Engine::load(&a.rules.rules) {
        Ok(engine) => {
            for w in engine.warnings() {
                diag::print(w);
            }
            let n = engine.warnings().len();
            if n > 0 && a.deny_warnings {
                eprintln!(
                    "cordon: {n} warning{} in the rules, denied by --deny-warnings",
                    if n == 1 { "" } else { "s" }
                );
                return EXIT_ERROR;
            }
            let r = engine.rules();
            eprintln!(
                "cordon: {} rules in {} files, {} sets, {} regime{}: no errors, {} (rule set sha256 {})",
                r.rules.len(),
                r.sources.len(),
                r.sets.iter().filter(|s| !s.name.starts_with('{')).count(),
                r.regimes.len(),
                if r.regimes.len() == 1 { "" } else { "s" },
                match n {
                    0 => "no warnings".to_string(),
                    1 => "1 warning".to_string(),
                    n => format!("{n} warnings"),
                },
                r.fingerprint
            );
            EXIT_OK
        }
        Err(d) => {
            diag::print_all(&d);
            EXIT_ERROR
        }
    }
}
