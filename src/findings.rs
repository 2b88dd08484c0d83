//! What evaluation produces: decisions, findings with their evidence, and
//! records that could not be read. A violation is data, not an error.

use crate::check::{ListId, SetId, Severity};
use crate::records::{FieldProblem, Invalid};
use crate::schema::FieldId;
use crate::values::{Date, Decimal};

/// The decision on a record. Order matters: most severe last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
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
    /// missing or unreadable, or arithmetic failed.
    Indeterminate {
        /// Fields with no value.
        missing: Vec<FieldId>,
        /// Fields with a value that could not be read.
        unreadable: Vec<FieldId>,
        /// Another reason (division by zero, overflow).
        error: Option<&'static str>,
    },
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
    /// A reviewed clearance of this pair that no longer applies because the
    /// entry changed since (index into the rule set's clearances).
    pub stale_clearance: Option<usize>,
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
    /// The `unless … then review` exemption that lowered the finding.
    pub exemption: Option<String>,
}

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
    pub record: Option<Box<crate::records::Record>>,
    /// Most severe finding, or pass.
    pub decision: Decision,
    /// Findings in rule-id order.
    pub findings: Vec<Finding>,
    /// Optional fields whose values could not be read.
    pub data_quality: Vec<FieldProblem>,
    /// Rules not decided because the file has no column for a field they need.
    pub skipped: Vec<usize>,
    /// Screening matches suppressed by reviewed clearances, in evaluation order.
    pub suppressed: Vec<Suppression>,
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
