//! `cordon validate`: parse and check the rules, print every problem.

use super::{EXIT_ERROR, EXIT_OK, RulesArg, diag};

/// Arguments of `cordon validate`.
#[derive(clap::Args, Debug)]
pub struct ValidateArgs {
    #[command(flatten)]
    rules: RulesArg,
}

/// Runs `cordon validate`.
pub fn run(a: ValidateArgs) -> u8 {
    match cordon::Engine::load(&a.rules.rules) {
        Ok(engine) => {
            let r = engine.rules();
            eprintln!(
                "cordon: {} rules in {} files, {} sets, {} regime{}: no problems (rule set sha256 {})",
                r.rules.len(),
                r.sources.len(),
                r.sets.iter().filter(|s| !s.name.starts_with('{')).count(),
                r.regimes.len(),
                if r.regimes.len() == 1 { "" } else { "s" },
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
