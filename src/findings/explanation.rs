//! Explanations: why a record got its decision, rule by rule and condition
//! by condition, in plain words. The reference evaluator (`explain`) builds
//! them; outputs carry them with findings (`check --explain`, `explain`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A condition's truth value: three-valued, as in evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Truth {
    /// Holds.
    True,
    /// Does not hold.
    False,
    /// Cannot be decided: a value it needs is missing or unreadable.
    Undecided,
}

/// One condition, what it came to, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Node {
    /// The condition, written as in the rule language.
    pub condition: String,
    /// Its value.
    pub result: Truth,
    /// Why, in plain words (values read, entries matched).
    pub because: String,
    /// The conditions it is made of.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Node>,
}

/// One rule's explanation on one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleExplanation {
    /// Rule id.
    pub rule: String,
    /// Title.
    pub title: String,
    /// Citations.
    pub citation: String,
    /// The rule's severity.
    pub severity: String,
    /// When the rule is in force.
    pub in_force: String,
    /// The `when` condition.
    pub when: Node,
    /// Each `unless`, with `then` if it lowers instead of exempting.
    pub unless: Vec<UnlessExplanation>,
    /// What came of it, in words.
    pub outcome: String,
    /// The finding's severity, if there is a finding.
    pub finding: Option<String>,
    /// The rule's message, if there is a finding.
    pub message: Option<String>,
}

/// One `unless` clause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnlessExplanation {
    /// The exemption's name, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The condition.
    pub condition: Node,
    /// `review` for `then review`.
    pub then: Option<String>,
}

/// A record's explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Explanation {
    /// Record id.
    pub id: String,
    /// Transaction date.
    pub date: String,
    /// The decision.
    pub decision: String,
    /// Every rule in force on the date.
    pub rules: Vec<RuleExplanation>,
    /// Rules not in force on the date, with their window.
    pub not_in_force: Vec<String>,
    /// Regimes whose `applies_when` does not hold for the record, with the
    /// condition: their rules were not evaluated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub out_of_scope: Vec<String>,
}
