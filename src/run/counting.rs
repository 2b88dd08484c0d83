//! The first pass of a run with rules over many records: every record is
//! evaluated and what it adds to their totals is counted in the store, in
//! input order; then the totals are worked out in date order
//! ([`crate::aggregate::settle`]). The second pass, an ordinary run, adds
//! each record's standing to its findings.

use std::collections::HashSet;

use super::{InputInfo, Item, Stage, StageError};
use crate::aggregate::{Conflict, Standings};
use crate::check::RuleSet;
use crate::findings::RecordOutcome;
use crate::store::{CountRow, Counted, Store, StoreError};
use crate::store::{RunInfo, SqliteStore};

/// The stage that counts.
pub struct Counter<'s> {
    store: &'s mut dyn Store,
    rules: &'s RuleSet,
    run: i64,
    file: String,
    /// Records this run met that an earlier run had counted.
    again: HashSet<(usize, String)>,
    conflicts: Vec<(usize, String, Conflict)>,
}

impl<'s> Counter<'s> {
    /// Counts into `store`, as run `run`; every rule over many records is
    /// first checked against the definition it counted under.
    pub fn new(store: &'s mut dyn Store, rules: &'s RuleSet, run: i64) -> Result<Counter<'s>, StoreError> {
        for (idx, r) in rules.rules.iter().enumerate() {
            if let Some(agg) = &r.aggregate {
                store.define(&r.id, &crate::aggregate::definition(agg), &crate::aggregate::refold(rules, idx))?;
            }
        }
        if let Some(l) = &rules.licences {
            let refold = crate::aggregate::refold(rules, l.balance);
            store.define(&rules.rules[l.balance].id, crate::aggregate::LICENCE_DEFINITION, &refold)?;
        }
        Ok(Counter { store, rules, run, file: String::new(), again: HashSet::new(), conflicts: Vec::new() })
    }

    /// Works out the standings of every record counted, after the pass.
    pub fn settle(self, persistent: bool) -> Result<Standings, StoreError> {
        let mut out = Standings::new(persistent);
        for (rule, record, c) in self.conflicts {
            out.add_conflict(rule, &record, c);
        }
        crate::aggregate::settle(self.store, self.rules, Some(self.run), &self.again, &mut out)?;
        Ok(out)
    }
}

impl Stage for Counter<'_> {
    fn begin_input(&mut self, input: &InputInfo<'_>) -> Result<(), StageError> {
        self.file = input.name().to_string();
        Ok(())
    }

    fn record(&mut self, item: &Item<'_>) -> Result<(), StageError> {
        let RecordOutcome::Evaluated(e) = item.outcome() else { return Ok(()) };
        self.count(e).map_err(|e| StageError::Other(Box::new(e)))
    }
}

impl Counter<'_> {
    /// Counts what one evaluated record adds to the totals.
    pub fn count(&mut self, e: &crate::findings::Evaluated) -> Result<(), StoreError> {
        for c in &e.contributions {
            let rule = &self.rules.rules[c.rule];
            let Some(group) = &c.group else { continue };
            let Some(agg) = crate::aggregate::terms(self.rules, c.rule, group) else { continue };
            if !crate::aggregate::counts_on(agg.window, e.date) {
                continue;
            }
            let row = CountRow {
                rule: rule.id.clone(),
                record: e.id.clone(),
                hash: e.content.clone().unwrap_or_default(),
                group: group.clone(),
                date: e.date,
                amounts: c.amounts.as_ref().ok().cloned(),
                file: self.file.clone(),
                line: e.line,
            };
            match self.store.count(self.run, &row)? {
                Counted::New => {}
                Counted::Again { run } => {
                    if run != self.run {
                        self.again.insert((c.rule, e.id.clone()));
                    }
                }
                Counted::Conflict { run } => self.conflicts.push((c.rule, e.id.clone(), Conflict { run })),
            }
        }
        Ok(())
    }
}

/// Where a record stands when it is counted on its own (a rule test: the
/// record alone in its window), worked out in a state held in memory.
pub fn standings_alone(rules: &RuleSet, e: &crate::findings::Evaluated) -> Result<Standings, StoreError> {
    let mut store = SqliteStore::in_memory()?;
    let info =
        RunInfo { at: String::new(), who: String::new(), rules: rules.fingerprint.clone(), inputs: String::new() };
    let run = store.begin(&info)?;
    let mut counter = Counter::new(&mut store, rules, run)?;
    counter.count(e)?;
    let mut s = counter.settle(false)?;
    s.source = "this record alone".into();
    Ok(s)
}
