//! What evaluation produces: decisions, findings with their evidence, and
//! records that could not be read. A violation is data, not an error.

mod explanation;

pub use explanation::{Explanation, Node, RuleExplanation, Truth, UnlessExplanation};

use crate::check::{ListId, SetId, Severity};
use crate::records::{FieldProblem, Invalid};
use crate::schema::{FieldId, GroupId};
use crate::values::{Date, Decimal};

/// The decision on a record. Order matters: most severe last.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// No rule found anything.
    Pass,
    /// A person must look.
    Review,
    /// Must not go ahead.
    Block,
}

impl Decision {
    /// `pass`, `review` or `block`.
    pub fn name(self) -> &'static str {
        match self {
            Decision::Pass => "pass",
            Decision::Review => "review",
            Decision::Block => "block",
        }
    }
}

impl From<Severity> for Decision {
    fn from(s: Severity) -> Self {
        match s {
            Severity::Review => Decision::Review,
            Severity::Block => Decision::Block,
        }
    }
}

/// Whether a finding is a violation or a rule that could not be decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The rule's condition holds.
    Violation,
    /// The rule could not be decided (fail closed): fields it needs are
    /// missing or unreadable, the file has no column for them, or a value
    /// could not be used (division by zero, an unknown unit).
    Indeterminate {
        /// Fields with no value.
        missing: Vec<FieldId>,
        /// Fields with a value that could not be read.
        unreadable: Vec<FieldId>,
        /// Fields the file has no column for (the members of `no_column_groups` included).
        no_column: Vec<FieldId>,
        /// Groups the file has no column for at all.
        no_column_groups: Vec<GroupId>,
        /// Another reason (division by zero, overflow, an unknown unit).
        error: Option<&'static str>,
    },
}

/// A rule not decided on a record because the file has no column for a
/// field it needs, and that field's missing column means `skip`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedRule {
    /// Index of the rule.
    pub rule: usize,
    /// Fields the file has no column for (group members included).
    pub fields: Vec<FieldId>,
    /// Groups the file has no column for at all.
    pub groups: Vec<GroupId>,
}

impl SkippedRule {
    /// The fields read directly that had no column, then the groups with
    /// none: what outputs name as missing (a group, not all its members).
    pub fn missing<'s>(&self, schema: &'s crate::schema::Schema) -> Vec<&'s str> {
        let in_group = |f: &FieldId| self.groups.iter().any(|g| schema.groups[*g].members.contains(f));
        self.fields
            .iter()
            .filter(|f| !in_group(f))
            .map(|f| schema.fields[*f].name.as_str())
            .chain(self.groups.iter().map(|g| schema.groups[*g].name.as_str()))
            .collect()
    }

    /// The fields read directly that had no column.
    pub fn direct_fields(&self, schema: &crate::schema::Schema) -> Vec<FieldId> {
        self.fields
            .iter()
            .copied()
            .filter(|f| !self.groups.iter().any(|g| schema.groups[*g].members.contains(f)))
            .collect()
    }
}

/// A set entry that matched, as evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetMatch {
    /// The field whose value was looked up.
    pub field: Option<FieldId>,
    /// The set.
    pub set: SetId,
    /// Index of the entry in the set.
    pub entry: u32,
    /// The record's HS code is less precise than the entry ("heading-level").
    pub broader: bool,
    /// For a table lookup: the column read (index into the table's columns).
    pub column: Option<u16>,
}

/// A sanctions-list entry that a screened name (or IMO number) matched, as evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreenHit {
    /// The field screened.
    pub field: Option<FieldId>,
    /// The value screened, as the record has it.
    pub value: String,
    /// The list (index into the rule set's lists).
    pub list: ListId,
    /// Index of the entry in the list snapshot.
    pub entry: u32,
    /// The entry's reference (`KPe.025`).
    pub reference: String,
    /// The name or alias that matched, as the list writes it.
    pub matched_name: String,
    /// The score, to three decimal places.
    pub score: Decimal,
    /// Which tokens matched, how.
    pub reason: String,
    /// The date the entry was listed.
    pub listed_on: Option<Date>,
    /// The entry was listed after the transaction date: the match did not
    /// make the rule hold on that date.
    pub listed_after: bool,
    /// A reviewed clearance of this pair that does not apply, and why
    /// (index into the rule set's clearances).
    pub stale_clearance: Option<(usize, crate::screen::reviewed::Refusal)>,
}

/// A screening match a reviewed clearance suppressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// Index of the clearance in the rule set's clearances.
    pub clearance: usize,
    /// The field screened.
    pub field: Option<FieldId>,
    /// The value screened.
    pub value: String,
    /// The list.
    pub list: ListId,
    /// The entry's reference.
    pub reference: String,
    /// The score it had.
    pub score: Decimal,
}

/// One rule's finding on one record.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// Index of the rule in the rule set.
    pub rule: usize,
    /// Severity of this finding (lowered by a `then review` exemption, or
    /// `review` when indeterminate).
    pub severity: Severity,
    /// Violation or indeterminate.
    pub outcome: Outcome,
    /// The rule's message with the record's values.
    pub message: String,
    /// Field values the rule read.
    pub evidence: Vec<(FieldId, String)>,
    /// Set entries that matched.
    pub matches: Vec<SetMatch>,
    /// Sanctions-list entries that matched.
    pub screens: Vec<ScreenHit>,
    /// The `unless … then review` exemption that lowered the finding (index
    /// into the rule's `unless` clauses).
    pub exemption: Option<usize>,
    /// For a rule over many records: the running total, the limit, the
    /// window and the records that make it up.
    pub aggregate: Option<Box<AggregateEvidence>>,
}

/// A record that a rule over many records counts: its `when` holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Contribution {
    /// Index of the rule.
    pub rule: usize,
    /// Severity of a finding, should the total cross the limit (lowered by
    /// a `then review` exemption).
    pub severity: Severity,
    /// The exemption that lowered it.
    pub exemption: Option<usize>,
    /// The group the record adds to (`buyer=acme`), if its group fields
    /// could be read.
    pub group: Option<String>,
    /// The amount counted against each limit, in the limit's unit; or why it
    /// cannot be counted (a missing quantity, a unit that does not convert,
    /// another currency).
    pub amounts: Result<Vec<Decimal>, Outcome>,
}

/// A record counted by a rule over many records, as findings name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contributor {
    /// Record id.
    pub id: String,
    /// The transaction date.
    pub date: Date,
    /// The input it was read from (this run's, or an earlier run's).
    pub file: String,
    /// Its line.
    pub line: u64,
    /// The run that first counted it.
    pub run: i64,
}

/// What a finding of a rule over many records rests on.
#[derive(Debug, Clone, PartialEq)]
pub struct AggregateEvidence {
    /// The group (`buyer=acme`; empty for one group of all records).
    pub group: String,
    /// The window (`2018`, `2018-Q1`, `2024-02-01..2024-03-01`).
    pub window: String,
    /// The running total up to and including this record, one per limit.
    pub totals: Vec<Decimal>,
    /// The limits, as written (`500,000 bbl`).
    pub limits: Vec<String>,
    /// Records in the window that could not be counted (the totals are then
    /// only lower bounds).
    pub uncounted: u64,
    /// How many records make up the total.
    pub count: u64,
    /// The records that make up the total, earliest first (at most
    /// [`MAX_CONTRIBUTORS`]).
    pub contributors: ContributorList,
}

/// A run of records out of a group's records in date order, shared by
/// every finding that names them (a window's records are listed by each
/// later record's finding: copies would grow with the square of the window).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContributorList {
    all: std::sync::Arc<[Contributor]>,
    start: usize,
    end: usize,
}

impl ContributorList {
    /// Records `start..end` of `all` (clamped to it).
    pub fn new(all: std::sync::Arc<[Contributor]>, start: usize, end: usize) -> ContributorList {
        let end = end.min(all.len());
        ContributorList { start: start.min(end), end, all }
    }

    /// The records.
    pub fn as_slice(&self) -> &[Contributor] {
        &self.all[self.start..self.end]
    }
}

/// Most contributing records a finding lists; the count says how many there are.
pub const MAX_CONTRIBUTORS: usize = 100;

/// A record that was evaluated.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluated {
    /// Input file index.
    pub file: usize,
    /// Line.
    pub line: u64,
    /// Record id.
    pub id: String,
    /// The transaction date.
    pub date: crate::values::Date,
    /// The record itself, kept for records that need attention (a finding or
    /// a data-quality problem) so reports can show its parties and goods;
    /// `None` for clean records, which are not kept.
    pub record: Option<Box<crate::records::Record<'static>>>,
    /// Most severe finding, or pass.
    pub decision: Decision,
    /// Findings in rule-id order.
    pub findings: Vec<Finding>,
    /// Optional fields whose values could not be read.
    pub data_quality: Vec<FieldProblem>,
    /// Rules not decided because the file has no column for a field they
    /// need (and its missing column means `skip`).
    pub skipped: Vec<SkippedRule>,
    /// Screening matches suppressed by reviewed clearances, in evaluation order.
    pub suppressed: Vec<Suppression>,
    /// Which fields were screened against which list (a value was there to
    /// screen), sorted: the report's screening coverage.
    pub screened: Vec<(ListId, FieldId)>,
    /// Why, condition by condition, when the run explains (records with a
    /// finding only).
    pub explanation: Option<Box<Explanation>>,
    /// What the record adds to the totals of rules over many records (their
    /// findings come when the run has counted every record).
    pub contributions: Vec<Contribution>,
    /// SHA-256 of the record's fields, for a record that rules over many
    /// records count: the same record counted twice is counted once.
    pub content: Option<String>,
    /// For rule sets whose regimes have an `applies_when`: the regimes the
    /// record is outside of, and those it could not be placed in or out of.
    pub scopes: Option<Box<Scopes>>,
}

/// Where a record stands with the regimes that say what they apply to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scopes {
    /// Regimes whose `applies_when` is false for the record: their rules
    /// were not evaluated (indices into the rule set's regimes, sorted).
    pub out: Vec<usize>,
    /// Regimes whose `applies_when` could not be decided for the record:
    /// their rules were evaluated all the same (fail closed).
    pub undecided: Vec<usize>,
}

impl Evaluated {
    /// The regimes the record is outside of (their rules were not evaluated).
    pub fn out_of_scope(&self) -> &[usize] {
        self.scopes.as_ref().map_or(&[], |s| &s.out)
    }

    /// The regimes whose scope could not be decided for the record.
    pub fn scope_undecided(&self) -> &[usize] {
        self.scopes.as_ref().map_or(&[], |s| &s.undecided)
    }

    /// Each rule's result on the record alone, in rule order: the findings,
    /// and the rules over many records whose condition holds (as
    /// violations). What the reference evaluator must agree with.
    pub fn rule_results(&self) -> Vec<(usize, Severity, Outcome)> {
        let mut v: Vec<(usize, Severity, Outcome)> = self
            .findings
            .iter()
            .filter(|f| f.aggregate.is_none())
            .map(|f| (f.rule, f.severity, f.outcome.clone()))
            .chain(self.contributions.iter().map(|c| (c.rule, c.severity, Outcome::Violation)))
            .collect();
        v.sort_by_key(|r| r.0);
        v
    }
}

/// The result for one record read.
#[derive(Debug, Clone)]
pub enum RecordOutcome {
    /// Evaluated against the rules.
    Evaluated(Evaluated),
    /// Could not be read.
    Invalid(Invalid),
}

impl RecordOutcome {
    /// `block`, `review`, `pass` or `invalid`.
    pub fn decision_name(&self) -> &'static str {
        match self {
            RecordOutcome::Evaluated(e) => e.decision.name(),
            RecordOutcome::Invalid(_) => "invalid",
        }
    }

    /// Rank for `--fail-on`: invalid ranks with review.
    pub fn rank(&self) -> Decision {
        match self {
            RecordOutcome::Evaluated(e) => e.decision,
            RecordOutcome::Invalid(_) => Decision::Review,
        }
    }

    /// Input file index.
    pub fn file(&self) -> usize {
        match self {
            RecordOutcome::Evaluated(e) => e.file,
            RecordOutcome::Invalid(i) => i.file,
        }
    }

    /// Line.
    pub fn line(&self) -> u64 {
        match self {
            RecordOutcome::Evaluated(e) => e.line,
            RecordOutcome::Invalid(i) => i.line,
        }
    }
}
