//! The report's criteria and limitations (issue 19, items 5 and 6): what the
//! rule pack is (version, law as at, owner, legal approval, instruments
//! covered and excluded), which citations its authors left unconfirmed, the
//! logic of each rule with its code sets, keyword lists and constants, and a
//! plain statement of what the run cannot detect — generated from the pack
//! and the run, with the screening miss rate measured on the pack's
//! benchmark against the run's own list snapshots.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use super::model::RuleEntry;
use crate::check::{RuleSet, TExpr};
use crate::config::PackInfo;
use crate::screen::benchmark::{self, Measured};
use crate::testing::RuleTests;

/// Entries of a set the report prints; the rest are counted (the data file
/// and its fingerprint hold them all).
pub const SET_ENTRIES_SHOWN: usize = 60;

/// The criteria the records were checked against.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct Criteria {
    /// What the pack's manifest says of it.
    pub pack: PackInfo,
    /// Rules whose citation their authors marked unconfirmed.
    pub unconfirmed: Unconfirmed,
    /// Each rule's condition and exemptions, as written.
    pub logic: Vec<RuleLogic>,
    /// The named sets the rules read: code sets, keyword lists, tables.
    pub sets: Vec<SetInfo>,
    /// The constants the rules read (thresholds, caps), as written.
    pub constants: Vec<ConstInfo>,
    /// The pack's rule tests, run for this report; none when they were not run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tests: Option<RuleTests>,
}

/// Rules resting on a citation their authors could not confirm.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct Unconfirmed {
    /// Rules with a citation marked unconfirmed.
    pub rules: u64,
    /// Of those, rules that block.
    pub block_rules: u64,
    /// Findings those rules produced in this report.
    pub findings: u64,
    /// Their ids.
    pub ids: Vec<String>,
}

/// A rule's logic as written.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RuleLogic {
    /// The rule.
    pub id: String,
    /// Its `when`, as written.
    pub when: String,
    /// Its exemptions (`unless`), as written.
    pub unless: Vec<String>,
}

/// A named set.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SetInfo {
    /// Its name.
    pub name: String,
    /// The kind of its elements (`hs`, `country`, `string`, `name`, …).
    pub kind: String,
    /// Number of entries.
    pub entries: u64,
    /// The data file it was loaded from, and its SHA-256.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The data file's SHA-256.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// The first [`SET_ENTRIES_SHOWN`] entries, as written.
    pub shown: Vec<String>,
    /// For words and names: the scripts its entries are written in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scripts: Vec<String>,
    /// The rules that read it.
    pub rules: Vec<String>,
}

/// A constant.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ConstInfo {
    /// The declaration as written (`const RUG_ITEM_USD = 500`).
    pub text: String,
    /// The rule file.
    pub file: String,
}

/// What the run cannot detect, in plain words, with the measured screening
/// quality and the list scope.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct Limitations {
    /// Statements, in order.
    pub statements: Vec<String>,
    /// Precision and recall per list and threshold, on the pack's benchmark.
    pub screening: Vec<Measured>,
    /// The benchmark file and its SHA-256, when the pack ships one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub benchmark: Option<(String, String)>,
}

/// Whether a citation is marked unconfirmed by its author (the pack's
/// convention: a bracketed note such as "[paragraph number unconfirmed]").
pub fn unconfirmed_citation(citation: &str) -> bool {
    citation.to_lowercase().contains("unconfirmed")
}

/// "a", "a and b", "a, b and c".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The script a character is written in, for the scripts of word lists.
fn script(c: char) -> Option<&'static str> {
    match c {
        'a'..='z' | 'A'..='Z' | '\u{c0}'..='\u{24f}' => Some("Latin"),
        '\u{1100}'..='\u{11ff}' | '\u{3130}'..='\u{318f}' | '\u{ac00}'..='\u{d7af}' => Some("Hangul"),
        '\u{400}'..='\u{4ff}' => Some("Cyrillic"),
        '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' => Some("Han"),
        '\u{600}'..='\u{6ff}' => Some("Arabic"),
        _ if c.is_alphabetic() => Some("other"),
        _ => None,
    }
}

/// Builds the criteria from the rule set, the inventory (for the findings
/// per rule) and the rule tests, if they were run.
pub fn criteria(rules: &RuleSet, inventory: &[RuleEntry], tests: Option<RuleTests>) -> Criteria {
    let mut unconfirmed = Unconfirmed::default();
    for (r, e) in rules.rules.iter().zip(inventory) {
        if r.citations.iter().any(|c| unconfirmed_citation(c)) {
            unconfirmed.rules += 1;
            unconfirmed.block_rules += u64::from(r.severity == crate::check::Severity::Block);
            unconfirmed.findings += e.hits;
            unconfirmed.ids.push(r.id.clone());
        }
    }
    let logic = rules
        .rules
        .iter()
        .map(|r| RuleLogic {
            id: r.id.clone(),
            when: r.when_text.clone(),
            unless: r.unless.iter().map(|u| u.text.clone()).collect(),
        })
        .collect();
    // Which rules read each set.
    let mut readers: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for r in &rules.rules {
        let mut visit = |e: &TExpr| match e {
            TExpr::In { set, .. } | TExpr::StrTestSet(_, _, set) => readers.entry(*set).or_default().push(r.id.clone()),
            TExpr::Lookup(l) | TExpr::QuantLookup(_, l, _) => readers.entry(l.table).or_default().push(r.id.clone()),
            _ => {}
        };
        r.when.visit(&mut visit);
        r.unless.iter().for_each(|u| u.expr.visit(&mut visit));
    }
    let sha_of = |file: &str| rules.inputs.iter().find(|i| i.path == file).map(|i| i.sha256.clone());
    let sets = rules
        .sets
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.name.starts_with('{'))
        .map(|(i, s)| {
            let mut ids = readers.remove(&i).unwrap_or_default();
            ids.dedup();
            let words = matches!(s.elem.name(), "string" | "name");
            let mut scripts: Vec<&str> = if words {
                s.entries.iter().flat_map(|e| e.text.chars().filter_map(script)).collect()
            } else {
                Vec::new()
            };
            scripts.sort_unstable();
            scripts.dedup();
            SetInfo {
                name: s.name.clone(),
                kind: s.elem.name().to_string(),
                entries: s.entries.len() as u64,
                file: s.data_file.clone(),
                sha256: s.data_file.as_deref().and_then(sha_of),
                shown: s.entries.iter().take(SET_ENTRIES_SHOWN).map(|e| e.text.clone()).collect(),
                scripts: scripts.into_iter().map(str::to_string).collect(),
                rules: ids,
            }
        })
        .collect();
    let mut constants = Vec::new();
    for src in &rules.sources {
        let Ok(tree) = crate::syntax::parse(src) else { continue };
        for item in &tree.items {
            if let crate::syntax::ast::Item::Const(c) = item {
                let text = src.text.get(c.span.start..c.span.end).unwrap_or(&c.name.name);
                constants.push(ConstInfo {
                    text: text.split_whitespace().collect::<Vec<_>>().join(" "),
                    file: src.name.clone(),
                });
            }
        }
    }
    Criteria { pack: rules.pack.clone(), unconfirmed, logic, sets, constants, tests }
}

/// The list programmes a rule set screens each list for (empty: every
/// entry), and the number of entries that leaves.
pub fn list_scope(rules: &RuleSet, list: usize) -> (Vec<String>, usize) {
    let mut programmes: Vec<String> = Vec::new();
    let mut any = false;
    for r in &rules.rules {
        let mut visit = |e: &TExpr| {
            if let TExpr::Screen(s) = e
                && s.list == list
            {
                if s.programmes.is_empty() {
                    any = true;
                }
                programmes.extend(s.programmes.iter().cloned());
            }
        };
        r.when.visit(&mut visit);
        r.unless.iter().for_each(|u| u.expr.visit(&mut visit));
    }
    let Some(l) = rules.lists.get(list) else { return (Vec::new(), 0) };
    if any || programmes.is_empty() {
        return (Vec::new(), l.snapshot.entries.len());
    }
    programmes.sort();
    programmes.dedup();
    let wanted = |p: &String| programmes.iter().any(|w| w.eq_ignore_ascii_case(p));
    let n = l.snapshot.entries.iter().filter(|e| e.programmes.iter().any(wanted)).count();
    (programmes, n)
}

/// The limitations of this run, in plain words, generated from the pack and
/// the lists; the screening quality measured on the pack's benchmark.
pub fn limitations(rules: &RuleSet, sets: &[SetInfo]) -> Limitations {
    let mut s: Vec<String> = Vec::new();
    // Screening: thresholds and measured quality.
    let thresholds = thresholds(rules);
    let mut screening = Vec::new();
    for (list, ts) in &thresholds {
        let Some(l) = rules.lists.get(*list) else { continue };
        let ts_text: Vec<String> = ts.iter().map(|t| t.normalize().to_string()).collect();
        s.push(format!(
            "Names are screened against {} by a fuzzy comparison (spelling, order, transliteration, legal forms) that scores each candidate from 0 to 1; the rules count a match at a score of at least {}. A name that scores lower is not found: screening can miss a designated party whose name is written very differently, and can report a party who only shares a name.",
            l.name,
            ts_text.join(" (a possible match, for review) or ")
        ));
        if let Some(b) = &rules.benchmark {
            for t in ts {
                screening.push(benchmark::measure(b, &l.name, l.index(), *t));
            }
        }
    }
    if !thresholds.is_empty() && rules.benchmark.is_none() {
        s.push("The pack ships no screening benchmark (`screening_benchmark:` in its cordon.yaml): the screening miss rate of this run is not measured.".into());
    }
    if rules.lists.iter().any(|l| l.name.contains("VESSEL"))
        || rules.rules.iter().any(|r| r.tags.iter().any(|t| t == "vessel"))
    {
        s.push("Vessels are identified by IMO number where the record has one, and by name otherwise; a vessel that changed its IMO number, or sails under a false one, is not recognised by number.".into());
    }
    for l in &rules.lists {
        s.push(format!(
            "The {} snapshot{} lists the entries current when it was published. Entries removed before then are not in it: a transaction with a party or vessel that was designated at the time but delisted before the snapshot is not found. Entries are dated by their listing date where the list gives one.",
            l.name,
            l.snapshot.published.as_deref().map(|p| format!(" published {p}")).unwrap_or_default()
        ));
    }
    // Keyword lists and their scripts.
    let words: Vec<&SetInfo> = sets.iter().filter(|x| x.kind == "string" && !x.rules.is_empty()).collect();
    if !words.is_empty() {
        let total: u64 = words.iter().map(|w| w.entries).sum();
        let latin_only = words.iter().filter(|w| w.scripts.iter().all(|s| s == "Latin")).count();
        let others: Vec<String> = words
            .iter()
            .filter(|w| w.scripts.iter().any(|s| s != "Latin"))
            .map(|w| format!("{} ({})", w.name, and_list(&w.scripts)))
            .collect();
        s.push(format!(
            "Goods are also recognised by words in their description: {} word {} with {} entries in all (appendix A); {} written in Latin script only{}. A description in another language or script, a trade name, or a misdescribed good is not recognised by them; where a rule needs the words to decide and finds none, it does not pass the record on that account alone.",
            words.len(),
            if words.len() == 1 { "list" } else { "lists" },
            total,
            if latin_only == 1 { "1 is".to_string() } else { format!("{latin_only} are") },
            if others.is_empty() { String::new() } else { format!(", and also in other scripts: {}", others.join("; ")) }
        ));
    }
    if sets.iter().any(|x| x.kind == "hs") {
        s.push("Goods are identified by the HS code the record states, by prefix: a heading covers every subheading beneath it. A misclassified good is not detected; a code less detailed than a rule's entry cannot be decided and is reviewed.".into());
    }
    let caps: Vec<&str> =
        rules.rules.iter().filter(|r| r.tags.iter().any(|t| t == "cap")).map(|r| r.id.as_str()).collect();
    if !caps.is_empty() {
        s.push(format!(
            "{} {} caps set on all supplies to or from a country, by every state together (for example an annual volume). One firm's records cannot show whether such a cap was exceeded: these rules flag each shipment for review, and running totals count this firm's records only.",
            caps.len(),
            if caps.len() == 1 { "rule concerns" } else { "rules concern" }
        ));
    }
    s.push("Ownership and control are not assessed: a party owned or controlled by a designated person, a front company, or an agent acting for one is found only if its own name is on a list.".into());
    s.push("Only the fields of the record are checked: services, financing, brokering, training and the parties a record does not name (section 1, \"What was tested\") are outside the run.".into());
    Limitations {
        statements: s,
        screening,
        benchmark: rules.benchmark.as_ref().map(|b| (b.file.clone(), b.sha256.clone())),
    }
}

/// The thresholds each list is screened at by `rules`, lowest first.
fn thresholds(rules: &RuleSet) -> BTreeMap<usize, Vec<Decimal>> {
    let mut out: BTreeMap<usize, Vec<Decimal>> = BTreeMap::new();
    for r in &rules.rules {
        let mut visit = |e: &crate::check::TExpr| {
            if let TExpr::Screen(s) = e
                && !s.by_imo
            {
                out.entry(s.list).or_default().push(s.min_score);
            }
        };
        r.when.visit(&mut visit);
        r.unless.iter().for_each(|u| u.expr.visit(&mut visit));
    }
    for v in out.values_mut() {
        v.sort_unstable();
        v.dedup();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_unconfirmed_citations_are_recognised() {
        assert_eq!(script('a'), Some("Latin"));
        assert_eq!(script('리'), Some("Hangul"));
        assert_eq!(script('Л'), Some("Cyrillic"));
        assert_eq!(script('煤'), Some("Han"));
        assert_eq!(script('1'), None);
        assert!(unconfirmed_citation("S/RES/2270 (2016) OP30 [paragraph number unconfirmed]"));
        assert!(!unconfirmed_citation("S/RES/2397 (2017) OP4"));
    }
}
