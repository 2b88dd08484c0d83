//! The shipped rule pack: it checks cleanly, its tests pass, and every rule
//! has a test that makes it fire and a near miss that must not.

use cordon::Engine;
use cordon::unstable::testing::{self, Coverage};

use super::harness::root;

#[test]
fn shipped_rules_check_cleanly() {
    let engine = Engine::load(&root().join("rules")).unwrap_or_else(|d| panic!("rules do not check: {d:?}"));
    let rules = engine.rules();
    assert!(rules.rules.len() >= 43, "a rule for every row of the reference's table");
    for r in &rules.rules {
        assert!(!r.citations.is_empty(), "rule {} has no citation", r.id);
        assert!(!r.title.is_empty(), "rule {} has no title", r.id);
    }
}

#[test]
fn every_rule_has_a_hit_and_a_near_miss() {
    let engine = Engine::load(&root().join("rules")).expect("rules load");
    let results = testing::run_all(&engine, &cordon::FsSources::new(root().join("rules"))).expect("tests run");
    let failed: Vec<String> = results
        .iter()
        .filter(|r| !r.passed())
        .map(|r| format!("{} — {}: {}", r.file, r.case.name, r.failures.join("; ")))
        .collect();
    assert!(failed.is_empty(), "failing rule tests:\n{}", failed.join("\n"));
    let cov = Coverage::of(&engine, &results);
    assert!(cov.never_hit().is_empty(), "rules no test makes fire: {:?}", cov.never_hit());
    assert!(cov.never_missed().is_empty(), "rules without a near-miss test: {:?}", cov.never_missed());
}

/// The packs of the other regimes: each loads alone, checks without a
/// warning, every rule cites its law, and every rule has a test that makes it
/// fire and a near miss.
#[test]
fn every_regime_pack_checks_cleanly_and_is_fully_tested() {
    for (pack, regime, at_least) in [
        ("rules/us/ear", "US_EAR", 25),
        ("rules/eu/russia", "EU_RUSSIA", 18),
        ("rules/g7/price-cap", "G7_PRICE_CAP", 15),
    ] {
        let dir = root().join(pack);
        let engine = Engine::load(&dir).unwrap_or_else(|d| panic!("{pack} does not check: {d:?}"));
        let warnings: Vec<String> = engine.warnings().iter().map(|w| w.to_string()).collect();
        assert!(warnings.is_empty(), "{pack}: {warnings:?}");
        let rules = engine.rules();
        assert!(rules.rules.len() >= at_least, "{pack}: {} rules", rules.rules.len());
        for r in &rules.rules {
            assert!(!r.citations.is_empty(), "{pack}: rule {} has no citation", r.id);
            assert_eq!(rules.regimes[r.regime].name, regime, "{pack}: rule {}", r.id);
        }
        assert!(rules.regimes.iter().all(|g| g.scope.is_some()), "{pack}: every regime says what it applies to");
        let results = testing::run_all(&engine, &cordon::FsSources::new(&dir)).expect("tests run");
        let failed: Vec<String> = results
            .iter()
            .filter(|r| !r.passed())
            .map(|r| format!("{} — {}: {}", r.file, r.case.name, r.failures.join("; ")))
            .collect();
        assert!(failed.is_empty(), "{pack}: failing rule tests:\n{}", failed.join("\n"));
        let cov = Coverage::of(&engine, &results);
        assert!(cov.never_hit().is_empty(), "{pack}: rules no test makes fire: {:?}", cov.never_hit());
        assert!(cov.never_missed().is_empty(), "{pack}: rules without a near miss: {:?}", cov.never_missed());
    }
}

/// Every row of the reference's rule table (section 14) has a rule.
#[test]
fn every_reference_row_has_a_rule() {
    let engine = Engine::load(&root().join("rules")).expect("rules load");
    let ids: Vec<&str> = engine.rules().rules.iter().map(|r| r.id.as_str()).collect();
    let rows = [
        "KP-ARMS-HEAVY-1718",
        "KP-ARMS-ALL-1874",
        "KP-SALW-NOTIFY-1874",
        "KP-ARMS-SALW-2270",
        "KP-WMD-1718",
        "KP-CATCHALL-2270",
        "KP-LUX-1718",
        "KP-LUX-2094",
        "KP-LUX-2270",
        "KP-LUX-2321",
        "KP-COAL-IRON-2270",
        "KP-COAL-CAP-2321",
        "KP-IRON-2321",
        "KP-COAL-IRON-2371",
        "KP-RAJIN",
        "KP-MIN-2270",
        "KP-AVFUEL-2270",
        "KP-METALS-2321",
        "KP-STATUE-2321",
        "KP-HELI-VSL-2321",
        "KP-SEAFOOD-2371",
        "KP-LEAD-2371",
        "KP-NGL-2375",
        "KP-RPP-2375",
        "KP-RPP-2397",
        "KP-CRUDE-2375",
        "KP-CRUDE-2397",
        "KP-TEXTILE-2375",
        "KP-EXP-FOODAG-2397",
        "KP-EXP-MACH-2397",
        "KP-EXP-ELEC-2397",
        "KP-EXP-EARTH-2397",
        "KP-EXP-WOOD-2397",
        "KP-EXP-VESSEL-2397",
        "KP-SUP-MACH-2397",
        "KP-SUP-VEH-2397",
        "KP-SUP-METAL-2397",
        "KP-VSL-SUP-2397",
        "KP-STS-2375",
        "KP-FLAG-SERVICES",
        "KP-DESIG-PARTY",
        "KP-DESIG-VESSEL",
        "KP-TRADEFIN-2321",
        "KP-HUM-EXEMPT",
    ];
    let missing: Vec<&&str> = rows.iter().filter(|r| !ids.contains(r)).collect();
    assert!(missing.is_empty(), "reference rows without a rule: {missing:?}");
}
