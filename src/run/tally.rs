//! The run's counts, as an in-order stage: records per decision and input,
//! rules skipped for a missing column, what was screened against each list,
//! and the columns each input lacks. The audit report counts with the same
//! [`CheckTally`].

use std::collections::BTreeMap;

use super::summary::{InputStats, ListCoverage, MissingColumnNote, MissingGroupNote, RunSummary, Skipped};
use super::{InputInfo, Item, Stage, StageError};
use crate::check::RuleSet;
use crate::findings::{Decision, Evaluated, RecordOutcome};

/// Counts what evaluated records say was not checked — rules skipped for a
/// missing column, by file — and what was screened against each list: the
/// run summary and the audit report build the same figures with it.
#[derive(Debug)]
pub struct CheckTally<'r> {
    rules: &'r RuleSet,
    /// (file, rule, fields read directly, groups) → records.
    skipped: BTreeMap<(usize, usize, Vec<usize>, Vec<usize>), u64>,
    /// Per list: records with something screened, and records per field.
    coverage: Vec<(u64, Vec<u64>)>,
    /// Per list: the regimes whose rules screen against it, and the records
    /// outside all of their scopes.
    list_regimes: Vec<(Vec<usize>, u64)>,
    /// Per list: whether the record counted now screened anything against it.
    seen: Vec<bool>,
}

impl<'r> CheckTally<'r> {
    /// An empty tally for a rule set.
    pub fn new(rules: &'r RuleSet) -> Self {
        let fields = rules.schema.fields.len();
        let mut list_regimes = vec![(Vec::new(), 0); rules.lists.len()];
        for r in &rules.rules {
            let mut note = |e: &crate::check::TExpr| {
                if let crate::check::TExpr::Screen(sc) = e
                    && let Some((regimes, _)) = list_regimes.get_mut(sc.list)
                    && !regimes.contains(&r.regime)
                {
                    regimes.push(r.regime);
                }
            };
            r.when.visit(&mut note);
            r.unless.iter().for_each(|u| u.expr.visit(&mut note));
        }
        CheckTally {
            rules,
            skipped: Default::default(),
            coverage: vec![(0, vec![0; fields]); rules.lists.len()],
            list_regimes,
            seen: Vec::new(),
        }
    }

    /// Counts one evaluated record.
    pub fn add(&mut self, e: &Evaluated) {
        let schema = &self.rules.schema;
        for sk in &e.skipped {
            *self.skipped.entry((e.file, sk.rule, sk.direct_fields(schema), sk.groups.clone())).or_default() += 1;
        }
        // (One flag per list, in a buffer kept from record to record.)
        let seen = &mut self.seen;
        seen.clear();
        seen.resize(self.coverage.len(), false);
        for (l, f) in &e.screened {
            if let Some((_, by_field)) = self.coverage.get_mut(*l) {
                by_field[*f] += 1;
                seen[*l] = true;
            }
        }
        for ((c, &s), (regimes, outside)) in self.coverage.iter_mut().zip(seen.iter()).zip(&mut self.list_regimes) {
            c.0 += u64::from(s);
            if !s && !regimes.is_empty() && regimes.iter().all(|g| e.out_of_scope().contains(g)) {
                *outside += 1;
            }
        }
    }

    /// The skipped rules (by file, in file order) and the screening coverage
    /// of `evaluated` records; `files` names the files by index.
    pub fn finish(self, files: &[String], evaluated: u64) -> (Vec<Skipped>, Vec<ListCoverage>) {
        let schema = &self.rules.schema;
        let skipped = self
            .skipped
            .into_iter()
            .map(|((file, rule, direct, groups), records)| Skipped {
                file: files.get(file).cloned().unwrap_or_default(),
                rule: self.rules.rules[rule].id.clone(),
                records,
                fields: direct
                    .iter()
                    .map(|f| schema.fields[*f].name.clone())
                    .chain(groups.iter().map(|g| schema.groups[*g].name.clone()))
                    .collect(),
            })
            .collect();
        let coverage = self
            .rules
            .lists
            .iter()
            .zip(self.coverage)
            .zip(self.list_regimes)
            .map(|((l, (records, by_field)), (_, outside))| ListCoverage {
                list: l.name.clone(),
                records_screened: records,
                records_not_screened: evaluated.saturating_sub(records).saturating_sub(outside),
                records_out_of_scope: outside,
                by_field: by_field
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| **n > 0)
                    .map(|(f, n)| (schema.fields[f].name.clone(), *n))
                    .collect(),
            })
            .collect();
        (skipped, coverage)
    }
}

/// The counting stage every run has first.
pub(crate) struct Tally<'r> {
    rules: &'r RuleSet,
    checks: CheckTally<'r>,
    stats: InputStats,
    files: Vec<String>,
    summary: RunSummary,
    /// Records with a finding, per rule.
    hits: Vec<u64>,
    /// Per regime: applied to, scope undecided, out of scope.
    scopes: Vec<[u64; 3]>,
}

impl<'r> Tally<'r> {
    pub(crate) fn new(rules: &'r RuleSet) -> Self {
        Tally {
            rules,
            checks: CheckTally::new(rules),
            stats: InputStats::default(),
            files: Vec::new(),
            summary: RunSummary { rules: rules.fingerprint.clone(), ..RunSummary::default() },
            hits: vec![0; rules.rules.len()],
            scopes: vec![[0; 3]; rules.regimes.len()],
        }
    }

    /// The summary so far, with the skipped rules and the screening
    /// coverage of every record counted.
    pub(crate) fn into_summary(self) -> RunSummary {
        let mut summary = self.summary;
        (summary.skipped_rules, summary.screening) = self.checks.finish(&self.files, summary.evaluated);
        summary.rule_hits = self.rules.rules.iter().map(|r| r.id.clone()).zip(self.hits).collect();
        if self.rules.regimes.iter().any(|g| g.scope.is_some()) {
            summary.regimes = self
                .rules
                .regimes
                .iter()
                .zip(self.scopes)
                .map(|(g, [applied_to, scope_undecided, out_of_scope])| super::summary::RegimeScope {
                    regime: g.name.clone(),
                    applied_to,
                    scope_undecided,
                    out_of_scope,
                })
                .collect();
        }
        summary
    }
}

impl Tally<'_> {
    /// Counts lines read inside quoted fields of the current input.
    pub(crate) fn quoted_lines(&mut self, n: u64) {
        self.stats.lines_in_quoted_fields += n;
    }
}

impl Stage for Tally<'_> {
    fn begin_input(&mut self, input: &InputInfo<'_>) -> Result<(), StageError> {
        self.stats = InputStats { file: input.name().to_string(), ..InputStats::default() };
        self.files.push(input.name().to_string());
        Ok(())
    }

    fn record(&mut self, item: &Item<'_>) -> Result<(), StageError> {
        let stats = &mut self.stats;
        stats.read += 1;
        match item.outcome() {
            RecordOutcome::Evaluated(e) => {
                stats.evaluated += 1;
                match e.decision {
                    Decision::Block => stats.block += 1,
                    Decision::Review => stats.review += 1,
                    Decision::Pass => stats.pass += 1,
                }
                // A rule has at most one finding on a record.
                for f in &e.findings {
                    self.hits[f.rule] += 1;
                }
                self.checks.add(e);
                for (g, c) in self.scopes.iter_mut().enumerate() {
                    if e.out_of_scope().contains(&g) {
                        c[2] += 1;
                    } else {
                        c[0] += 1;
                        c[1] += u64::from(e.scope_undecided().contains(&g));
                    }
                }
            }
            RecordOutcome::Invalid(_) => stats.invalid += 1,
        }
        Ok(())
    }

    fn end_input(&mut self, input: &InputInfo<'_>, sha256: &str) -> Result<(), StageError> {
        let schema = &self.rules.schema;
        let layout = input.layout;
        let name = input.name();
        for g in layout.groups_without_columns() {
            self.summary.missing_groups.push(MissingGroupNote {
                file: name.to_string(),
                group: schema.groups[g].name.clone(),
                on_missing_column: layout.config.group_policy(schema, g),
            });
        }
        for (f, policy) in layout.missing_columns() {
            self.summary.missing_columns.push(MissingColumnNote {
                file: name.to_string(),
                field: schema.fields[f].name.clone(),
                on_missing_column: policy,
                groups: schema.groups_of(f).map(|g| g.name.clone()).collect(),
            });
        }
        let mut stats = std::mem::take(&mut self.stats);
        stats.sha256 = sha256.to_string();
        self.summary.add(&stats);
        self.summary.inputs.push(stats);
        Ok(())
    }
}
