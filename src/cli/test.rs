//! `cordon test`: run the rule tests written beside the rules, print each
//! failure as expected versus actual, and the coverage.

use cordon::unstable::testing::{self, Coverage};

use super::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, RulesArg, diag};

/// Arguments of `cordon test`.
#[derive(clap::Args, Debug)]
pub struct TestArgs {
    #[command(flatten)]
    rules: RulesArg,
    /// Print every test, not only failures.
    #[arg(long, short)]
    verbose: bool,
}

/// Runs `cordon test`.
pub fn run(a: TestArgs) -> u8 {
    let engine = match cordon::Engine::load(&a.rules.rules) {
        Ok(e) => e,
        Err(d) => {
            diag::print_all(&d);
            return EXIT_ERROR;
        }
    };
    diag::note_warnings(&engine);
    let dir = if a.rules.rules.is_file() {
        a.rules.rules.parent().map(std::path::Path::to_path_buf).unwrap_or_default()
    } else {
        a.rules.rules.clone()
    };
    let results = match testing::run_all(&engine, &cordon::FsSources::new(&dir)) {
        Ok(r) => r,
        Err(errors) => {
            for e in &errors {
                diag::print(e);
            }
            diag::count(errors.len(), "in the rule tests");
            return EXIT_ERROR;
        }
    };
    let mut failed = 0;
    for r in &results {
        if r.passed() {
            if a.verbose {
                outln!("ok     {} — {}", r.file, r.case.name);
            }
            continue;
        }
        failed += 1;
        outln!("FAILED {} — {}", r.file, r.case.name);
        for f in &r.failures {
            outln!("    {f}");
        }
        let want = r
            .case
            .hits
            .as_ref()
            .map_or("(not stated)".to_string(), |h| if h.is_empty() { "(none)".into() } else { h.join(", ") });
        outln!("    expected: {want}{}", r.case.decision.as_ref().map_or(String::new(), |d| format!(" → {d}")));
        if r.actual.is_empty() {
            outln!("    actual:   (none) → {}", r.decision);
        } else {
            outln!("    actual:   → {}", r.decision);
            for (rule, sev, msg) in &r.actual {
                outln!("      {rule} [{sev}] {msg}");
            }
        }
    }
    let cov = Coverage::of(&engine, &results);
    let never_hit = cov.never_hit();
    let never_missed = cov.never_missed();
    outln!("{} tests: {} passed, {failed} failed", results.len(), results.len() - failed);
    let total = cov.by_rule.len();
    outln!(
        "coverage: {}/{total} rules made to fire, {}/{total} with a near miss",
        total - never_hit.len(),
        total - never_missed.len()
    );
    if !never_hit.is_empty() {
        outln!("  no test makes these fire: {}", never_hit.join(", "));
    }
    if !never_missed.is_empty() {
        outln!("  no test shows a near miss for: {}", never_missed.join(", "));
    }
    if failed > 0 { EXIT_FINDINGS } else { EXIT_OK }
}
