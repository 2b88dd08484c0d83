//! What a run reports at its end: counts that reconcile
//! (`read = evaluated + invalid`), per-input fingerprints, what was not checked (columns the
//! inputs lack, rules skipped for them, records with nothing screened) and
//! ids seen twice. These are the `summary` of the JSON output, as owned,
//! serialisable types an embedder can store.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::findings::Decision;
use crate::schema::MissingColumn;

/// Counts for one input file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InputStats {
    /// Display name.
    pub file: String,
    /// SHA-256 of the file's bytes (lowercase hex).
    pub sha256: String,
    /// Records read.
    pub read: u64,
    /// Records evaluated.
    pub evaluated: u64,
    /// Records that could not be read.
    pub invalid: u64,
    /// Records blocked.
    pub block: u64,
    /// Records for review.
    pub review: u64,
    /// Records passed.
    pub pass: u64,
    /// CSV lines read inside quoted fields, past each record's first line
    /// (records that span lines); absent when none. A large number next to
    /// few records is the mark of a misplaced quote.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub lines_in_quoted_fields: u64,
}

/// Rules not decided for some records because their file has no column for
/// a field (or any field of a group), whose missing column means `skip`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Skipped {
    /// The file.
    pub file: String,
    /// The rule id.
    pub rule: String,
    /// How many records.
    pub records: u64,
    /// The fields (or groups) the file has no column for.
    pub fields: Vec<String>,
}

/// An optional field an input file has no column for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MissingColumnNote {
    /// The file.
    pub file: String,
    /// The field.
    pub field: String,
    /// What that means for the rules that need it.
    pub on_missing_column: MissingColumn,
    /// The groups the field belongs to (read through a group, the other
    /// members' columns are used).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
}

/// A group an input file has no column for at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MissingGroupNote {
    /// The file.
    pub file: String,
    /// The group.
    pub group: String,
    /// What that means for the rules that read it.
    pub on_missing_column: MissingColumn,
}

/// How many records had a value screened against one sanctions list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListCoverage {
    /// The list.
    pub list: String,
    /// Evaluated records with at least one value screened against it.
    pub records_screened: u64,
    /// Evaluated records with nothing screened against it.
    pub records_not_screened: u64,
    /// Records outside the scope of every regime whose rules screen against
    /// the list (not screened, and not expected to be).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub records_out_of_scope: u64,
    /// Records per field screened (`seller`: 2,750), in schema order.
    pub by_field: indexmap::IndexMap<String, u64>,
}

/// The records a regime applied to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegimeScope {
    /// The regime.
    pub regime: String,
    /// Evaluated records it applied to (its scope held or was undecided).
    pub applied_to: u64,
    /// Of those, records whose scope could not be decided, checked all the same.
    pub scope_undecided: u64,
    /// Evaluated records outside its scope.
    pub out_of_scope: u64,
}

/// Records per decision.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Decisions {
    /// Records blocked.
    pub block: u64,
    /// Records for review.
    pub review: u64,
    /// Records passed.
    pub pass: u64,
}

/// Totals of a run; `read = evaluated + invalid` and `evaluated = block +
/// review + pass` always hold. Serialised, it is the `summary` of the JSON
/// output (`docs/schema/summary.schema.json`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunSummary {
    /// Records read.
    pub read: u64,
    /// Records evaluated.
    pub evaluated: u64,
    /// Records that could not be read.
    pub invalid: u64,
    /// Evaluated records per decision.
    pub decisions: Decisions,
    /// Fingerprint of the rule set.
    pub rules: String,
    /// Per-input counts and fingerprints, in input order.
    pub inputs: Vec<InputStats>,
    /// Rules skipped for lack of a column.
    pub skipped_rules: Vec<Skipped>,
    /// Optional fields each input has no column for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing_columns: Vec<MissingColumnNote>,
    /// Groups each input has no column for at all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing_groups: Vec<MissingGroupNote>,
    /// Per sanctions list the rules screen against: what was screened.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub screening: Vec<ListCoverage>,
    /// For rule sets whose regimes say what they apply to (`applies_when`):
    /// each regime's evaluated records in and out of its scope.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regimes: Vec<RegimeScope>,
    /// Records whose id an earlier record of the run already had.
    #[serde(default, skip_serializing_if = "DuplicateIds::is_empty")]
    pub duplicate_ids: DuplicateIds,
    /// Records with a finding of each rule, in the rule set's order, every
    /// rule named. Not part of the `summary` object of the JSON outputs; the
    /// `--format summary` output ([`crate::contracts::CheckSummary`]) adds it.
    #[serde(skip)]
    pub rule_hits: Vec<(String, u64)>,
    /// Rules over many records: where the totals come from, each window's
    /// total this run touched, and earlier records whose standing changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aggregates: Option<AggregatesSummary>,
}

/// The totals of rules over many records in a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AggregatesSummary {
    /// Where the running totals come from: a state file and the run's
    /// number in it, or this run's inputs only.
    pub state: String,
    /// Each window's total that this run's records fall in, by rule, group and window.
    pub totals: Vec<AggregateTotal>,
    /// Records counted by earlier runs whose standing this run changed (a
    /// record dated before them moved their total).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<StandingChange>,
}

impl AggregatesSummary {
    /// The summary of a run's outputs.
    pub fn of(s: &crate::aggregate::Standings) -> AggregatesSummary {
        AggregatesSummary {
            state: s.source.clone(),
            totals: s
                .totals
                .iter()
                .map(|t| AggregateTotal {
                    rule: t.rule.clone(),
                    group: t.group.clone(),
                    window: t.window.clone(),
                    totals: t.totals.iter().map(|d| d.normalize().to_string()).collect(),
                    limits: t.limits.clone(),
                    remaining: t.remaining.iter().map(|d| d.normalize().to_string()).collect(),
                    count: t.count,
                    uncounted: t.uncounted,
                    over: t.over,
                })
                .collect(),
            changes: s
                .changes
                .iter()
                .map(|c| StandingChange {
                    rule: c.rule.clone(),
                    record: c.record.clone(),
                    run: c.run,
                    before: c.before.clone(),
                    after: c.after.clone(),
                })
                .collect(),
        }
    }
}

/// One window's total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AggregateTotal {
    /// The rule.
    pub rule: String,
    /// The group (`buyer=acme`; empty: all records).
    pub group: String,
    /// The window (`2018`, `2018-Q1`, `2018-03`, or `FROM..TO`; for a
    /// rolling window, the one with the highest total).
    pub window: String,
    /// The total against each limit, exact decimals as text.
    pub totals: Vec<String>,
    /// The limits, as written for people (`500,000 bbl`).
    pub limits: Vec<String>,
    /// What remains under each limit (negative when passed): a licence's
    /// remaining balance. Exact decimals as text.
    pub remaining: Vec<String>,
    /// Records counted.
    pub count: u64,
    /// Records that could not be counted (the totals are then lower bounds).
    pub uncounted: u64,
    /// Whether a total crosses its limit.
    pub over: bool,
}

/// A standing that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StandingChange {
    /// The rule.
    pub rule: String,
    /// The record.
    pub record: String,
    /// The run that counted it.
    pub run: i64,
    /// Its standing before (`under`, `over`, `uncertain`, `uncounted`).
    pub before: String,
    /// Its standing now.
    pub after: String,
}

/// Most duplicate ids a summary lists by name; all are counted.
pub const MAX_DUPLICATE_EXAMPLES: usize = 100;

/// Records that repeat an id seen earlier in the run (in any of its inputs).
/// Both are evaluated — Cordon cannot know which is right — and the repeat
/// is reported, since a transaction counted twice can matter (caps add up
/// quantities).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DuplicateIds {
    /// How many records repeat an earlier id.
    pub records: u64,
    /// The first [`MAX_DUPLICATE_EXAMPLES`] of them, in input order.
    pub examples: Vec<DuplicateId>,
    /// Records read after the repeat check's memory was full
    /// (`RunOptions::max_tracked_ids`): checked against the ids
    /// remembered, but repeats among them are not found.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unchecked: u64,
}

impl DuplicateIds {
    /// No repeat found and none unchecked.
    pub fn is_empty(&self) -> bool {
        self.records == 0
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// One record whose id was seen before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DuplicateId {
    /// The id.
    pub id: String,
    /// The repeat's file.
    pub file: String,
    /// The repeat's line.
    pub line: u64,
    /// The file of the first record with the id.
    pub first_file: String,
    /// The line of the first record with the id.
    pub first_line: u64,
}

impl RunSummary {
    /// What a run did not check, one line each (without a `note:` prefix):
    /// columns its inputs lack and what that meant, rules skipped for them, and
    /// records with nothing screened against a list. The same lines go to the
    /// table output and to stderr.
    pub fn not_checked(&self) -> Vec<String> {
        let s = self;
        let mut out = Vec::new();
        let quote = |v: &[&str]| v.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ");
        let mut files: Vec<&str> = s.missing_columns.iter().map(|m| m.file.as_str()).collect();
        files.dedup();
        for file in files {
            let cols: Vec<_> = s.missing_columns.iter().filter(|m| m.file == file).collect();
            // Fields outside groups, and members of a group the file has no
            // column for at all when read on their own, are listed by what their
            // missing column means.
            let wholly_missing = |g: &String| s.missing_groups.iter().any(|w| w.file == file && &w.group == g);
            let alone = |policy: MissingColumn| -> Vec<&str> {
                cols.iter()
                    .filter(|m| m.groups.iter().all(wholly_missing) && m.on_missing_column == policy)
                    .map(|m| m.field.as_str())
                    .collect()
            };
            let review = alone(MissingColumn::Review);
            if !review.is_empty() {
                out.push(format!(
                    "{file} has no column for {}: the rules that need them are undecided (review) for its records",
                    quote(&review)
                ));
            }
            let skip = alone(MissingColumn::Skip);
            if !skip.is_empty() {
                out.push(format!(
                    "{file} has no column for {}: the rules that need them are skipped for its records",
                    quote(&skip)
                ));
            }
            let whole: Vec<_> = s.missing_groups.iter().filter(|g| g.file == file).collect();
            for g in &whole {
                out.push(format!(
                    "{file} has no column for any field of the `{}` group: the rules that read it are {}",
                    g.group,
                    if g.on_missing_column == MissingColumn::Review {
                        "undecided (review) for its records"
                    } else {
                        "skipped for its records"
                    }
                ));
            }
            let mut groups: Vec<&str> = Vec::new();
            for g in cols.iter().filter_map(|m| m.groups.first().map(String::as_str)) {
                if !groups.contains(&g) && !whole.iter().any(|w| w.group == g) {
                    groups.push(g);
                }
            }
            for g in groups {
                let members: Vec<&str> = cols
                    .iter()
                    .filter(|m| m.groups.first().map(String::as_str) == Some(g))
                    .map(|m| m.field.as_str())
                    .collect();
                out.push(format!(
                    "{file} has no column for {} of the `{g}` group: rules that read the group use its other columns",
                    quote(&members)
                ));
            }
        }
        for i in s.inputs.iter().filter(|i| i.lines_in_quoted_fields > 0) {
            out.push(format!(
                "{} line{} of {} {} inside quoted fields (records that span lines)",
                crate::values::thousands(i.lines_in_quoted_fields),
                if i.lines_in_quoted_fields == 1 { "" } else { "s" },
                i.file,
                if i.lines_in_quoted_fields == 1 { "was" } else { "were" },
            ));
        }
        for k in &s.skipped_rules {
            out.push(format!(
                "rule {} not decided for {} record{} of {}: the file has no column for {}",
                k.rule,
                crate::values::thousands(k.records),
                if k.records == 1 { "" } else { "s" },
                k.file,
                quote(&k.fields.iter().map(String::as_str).collect::<Vec<_>>())
            ));
        }
        for c in s.screening.iter().filter(|c| c.records_not_screened > 0) {
            let fields: Vec<&str> = c.by_field.iter().map(|(f, _)| f.as_str()).collect();
            out.push(format!(
                "{} of {} evaluated record{} had nothing to screen against {}{}",
                crate::values::thousands(c.records_not_screened),
                crate::values::thousands(s.evaluated),
                if s.evaluated == 1 { "" } else { "s" },
                c.list,
                if fields.is_empty() { String::new() } else { format!(" (it screens {})", quote(&fields)) }
            ));
        }
        for g in s.regimes.iter().filter(|g| g.scope_undecided > 0) {
            out.push(format!(
                "{} of {} evaluated record{} could not be placed in or out of regime {}'s scope: they were checked under it (fail closed)",
                crate::values::thousands(g.scope_undecided),
                crate::values::thousands(s.evaluated),
                if s.evaluated == 1 { "" } else { "s" },
                g.regime
            ));
        }
        out
    }

    pub(crate) fn add(&mut self, s: &InputStats) {
        self.read += s.read;
        self.evaluated += s.evaluated;
        self.invalid += s.invalid;
        self.decisions.block += s.block;
        self.decisions.review += s.review;
        self.decisions.pass += s.pass;
    }

    /// Whether any record ranks at or above `fail_on` (invalid ranks with
    /// review, and so does a rule skipped for a missing column: under
    /// `--fail-on review` something not checked is never a clean run).
    pub fn fails(&self, fail_on: Decision) -> bool {
        match fail_on {
            Decision::Block => self.decisions.block > 0,
            Decision::Review => {
                self.decisions.block + self.decisions.review + self.invalid > 0 || !self.skipped_rules.is_empty()
            }
            Decision::Pass => self.read > 0,
        }
    }
}
