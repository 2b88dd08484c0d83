//! The report model: everything an audit report says, built once from a run
//! and rendered three ways (PDF, JSON, CSV). Memory is bounded by the records
//! that need attention: clean records are counted, never kept.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::check::RuleSet;
use crate::findings::{Decision, Evaluated, Finding, Outcome, RecordOutcome};
use crate::records::{Cell, FieldProblem, Record};
use crate::run::{RunSummary, Skipped};
use crate::schema::Role;
use crate::values::Date;

/// A whole audit report.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Report {
    /// Content-derived identifier (rules, inputs, config, period, organisation).
    pub report_id: String,
    /// Report title.
    pub title: String,
    /// The organisation the report is for.
    pub organisation: Option<String>,
    /// The period covered (inclusive dates), if one was given.
    pub period: Option<Period>,
    /// When the report was generated (UTC, RFC 3339).
    pub generated_at: String,
    /// The generation time was declared (`--generated-at` or
    /// `SOURCE_DATE_EPOCH`, to reproduce a report), not read from the clock.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub generated_declared: bool,
    /// The newest date of an evaluated record (none without one): a report
    /// is never dated before what it reports on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub newest_record_date: Option<String>,
    /// Cordon's version.
    pub cordon_version: String,
    /// The command line that reproduces this report.
    pub command: String,
    /// The Cordon binary that made the report: its SHA-256 and the source
    /// commit it was built from (none when the report was not made by the
    /// `cordon` command).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build: Option<BuildInfo>,
    /// SHA-256 over every record's result, in input order: one line per
    /// record read, `file TAB line TAB id TAB decision TAB rules`, where the
    /// decision is `block`, `review`, `pass`, `invalid` or `outside-period`
    /// and the rules are the ids of its findings, comma-separated in the
    /// order evaluated. Two reports with the same digest decided every
    /// record the same way.
    pub results_digest: String,
    /// SHA-256 of every input.
    pub fingerprints: Fingerprints,
    /// Counts; `read = excluded + evaluated + invalid`.
    pub counts: Counts,
    /// What the inputs held (bytes, lines, dates, ids, value totals) and
    /// whether it reconciles to the figures given for it.
    pub population: super::population::Population,
    /// Findings by regime, by rule, and the most frequent counterparties,
    /// destinations and HS chapters among them.
    pub summary: Summary,
    /// Regimes checked.
    pub regimes: Vec<RegimeInfo>,
    /// Every record decided `block` or `review`, most severe first, then in input order.
    // Or the first of them, when the model was built to keep fewer in memory
    // (see `more_findings`). Not in the doc comment: it is the JSON schema's.
    pub findings: Vec<FlaggedRecord>,
    /// Every rule evaluated, with its hits (zero included).
    pub rules: Vec<RuleEntry>,
    /// Records that could not be read or read only in part.
    pub data_quality: DataQuality,
    /// Findings and invalid records per disposition status, from the
    /// disposition register (all open without one).
    pub dispositions: super::disposition::DispositionSummary,
    /// Sanctions lists screened against, and the reviewed matches suppressed.
    pub screening: ScreeningInfo,
    /// How decisions are reached.
    pub method: Method,
    /// The criteria: the rule pack as the law it states, its logic, sets,
    /// constants and tests.
    pub criteria: super::criteria::Criteria,
    /// What the run cannot detect, in plain words.
    pub limitations: super::criteria::Limitations,
    /// The committee's view: a generated conclusion, and the records per
    /// category and per year with their values.
    pub outcomes: super::outcomes::Outcomes,
    /// Rules over many records and licences: each window's total (each
    /// licence's drawdown) against its limit, and where the totals come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub running_totals: Option<crate::run::summary::AggregatesSummary>,
    /// The flagged records after [`Report::findings`], not held in memory:
    /// counted, and in temporary files when the model was built to write
    /// them all ([`Keep`](super::store::Keep)). The renderings list them in
    /// their place.
    #[serde(skip)]
    #[schemars(skip)]
    pub more_findings: super::store::MoreFindings,
    /// The other renderings of the same run and their SHA-256, when they
    /// were written with it (`--out-dir`): the PDF's cover lists them.
    #[serde(skip)]
    #[schemars(skip)]
    pub renderings: Vec<FileFingerprint>,
}

impl Report {
    /// How many records were decided block or review: those held and those after.
    pub fn flagged_total(&self) -> u64 {
        self.findings.len() as u64 + self.more_findings.count()
    }

    /// The same report holding only its first `n` flagged records (what a
    /// PDF lists), the others counted: one run's model rendered as JSON and
    /// CSV (every record) and as PDF.
    pub fn with_first(&self, n: usize) -> std::io::Result<Report> {
        const ENOUGH: &str = "enough flagged records";
        let mut first = Vec::with_capacity(n.min(4096));
        let read = self.each_flagged(&mut |f| {
            if first.len() >= n {
                return Err(std::io::Error::other(ENOUGH));
            }
            first.push(f.clone());
            Ok(())
        });
        match read {
            Err(e) if e.to_string() != ENOUGH => return Err(e),
            _ => {}
        }
        let rest = self.flagged_total() - first.len() as u64;
        Ok(Report { findings: first, more_findings: super::store::MoreFindings::counted(rest), ..self.clone() })
    }

    /// Calls `f` on every flagged record in report order: those held, then
    /// those in temporary files. Fails if the model kept only the first ones
    /// or a temporary file cannot be read.
    pub fn each_flagged(&self, f: &mut dyn FnMut(&FlaggedRecord) -> std::io::Result<()>) -> std::io::Result<()> {
        if !self.more_findings.kept() {
            return Err(std::io::Error::other(format!(
                "the report model holds only the first {} of its {} flagged records",
                self.findings.len(),
                self.flagged_total()
            )));
        }
        for r in &self.findings {
            f(r)?;
        }
        self.more_findings.for_each(&mut |r| f(&r))
    }
}

/// Which build of Cordon made a report.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct BuildInfo {
    /// SHA-256 of the `cordon` binary.
    pub binary_sha256: String,
    /// The git commit the binary was built from, `+modified` when the
    /// working tree had changes; `unknown` when built outside a git checkout.
    pub source_commit: String,
}

/// The source commit this library was built from (see [`BuildInfo`]).
pub const SOURCE_COMMIT: &str = env!("CORDON_SOURCE_COMMIT");

/// The sanctions lists of a run and the clearances it applied.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct ScreeningInfo {
    /// Each list snapshot the rules screened against.
    pub lists: Vec<ListInfo>,
    /// The reviewed-matches file, if one was used.
    pub reviewed_file: Option<String>,
    /// Clearances in that file.
    pub clearances: usize,
    /// Every suppression applied, in input order.
    pub suppressed: Vec<SuppressionEntry>,
    /// Clearances that matched but did not apply, and why, in input order.
    #[serde(default)]
    pub not_applied: Vec<SuppressionEntry>,
    /// Per list: how many records had something screened, per field, and how many had nothing.
    pub coverage: Vec<crate::run::ListCoverage>,
}

/// A list snapshot, as the report names it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ListInfo {
    /// List name.
    pub name: String,
    /// Source format.
    pub format: String,
    /// Publication date the source states.
    pub published: Option<String>,
    /// Entries.
    pub entries: usize,
    /// SHA-256 of the source files the snapshot was made from.
    pub fingerprint: String,
    /// The programmes whose entries the rules screen (empty: every entry).
    pub programmes: Vec<String>,
    /// The entries those programmes leave: the entries actually screened.
    pub entries_screened: usize,
    /// The source files, as given to the importer.
    pub sources: Vec<String>,
    /// What the import left out of the sources and why.
    pub notes: Vec<String>,
}

/// A screening match a reviewed clearance suppressed.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SuppressionEntry {
    /// Input file.
    pub file: String,
    /// Line.
    pub line: u64,
    /// Record id.
    pub id: String,
    /// Field screened.
    pub field: Option<String>,
    /// Value screened.
    pub value: String,
    /// List.
    pub list: String,
    /// Entry reference.
    #[serde(rename = "ref")]
    pub reference: String,
    /// The score it had.
    pub score: String,
    /// Reviewer.
    pub reviewer: String,
    /// Reason.
    pub reason: String,
    /// Review date.
    pub reviewed_on: String,
    /// Its second approver, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    /// Why it did not apply (for a clearance that did not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_applied: Option<String>,
}

/// An inclusive date range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// First day.
    pub from: Date,
    /// Last day.
    pub to: Date,
}

/// How a period is written in the JSON report: two ISO dates.
#[derive(schemars::JsonSchema)]
#[allow(dead_code)] // describes the JSON form only
struct PeriodJson {
    /// First day (inclusive), `YYYY-MM-DD`.
    from: String,
    /// Last day (inclusive), `YYYY-MM-DD`.
    to: String,
}

impl schemars::JsonSchema for Period {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Period".into()
    }

    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        PeriodJson::json_schema(g)
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Period", 2)?;
        st.serialize_field("from", &self.from.to_string())?;
        st.serialize_field("to", &self.to.to_string())?;
        st.end()
    }
}

impl Period {
    /// Parses `FROM..TO` (both dates inclusive).
    pub fn parse(text: &str) -> Result<Period, String> {
        let (a, b) = text
            .split_once("..")
            .ok_or_else(|| format!("`{text}` is not a period; write FROM..TO, e.g. 2017-01-01..2017-12-31"))?;
        let from = Date::parse(a)?;
        let to = Date::parse(b)?;
        if to < from {
            return Err(format!("the period `{text}` ends before it starts"));
        }
        Ok(Period { from, to })
    }

    /// Whether a date falls in the period.
    pub fn contains(&self, d: Date) -> bool {
        d >= self.from && d <= self.to
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}..{}", self.from, self.to)
    }
}

/// Fingerprints of everything the report depends on.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Fingerprints {
    /// SHA-256 over all rule, schema, data and list files (and the licence
    /// register): the rule pack as a whole. Reviewed clearances are not in
    /// it (they have their own row in `rule_files`), so it changes only when
    /// the rules do.
    pub rule_set: String,
    /// Each rule, schema and data file.
    pub rule_files: Vec<FileFingerprint>,
    /// Each input file.
    pub inputs: Vec<FileFingerprint>,
    /// The input config, if one was used.
    pub config: Option<FileFingerprint>,
}

/// One file's fingerprint.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct FileFingerprint {
    /// Path as shown.
    pub path: String,
    /// `rules`, `schema`, `data`, `input` or `config`.
    pub kind: String,
    /// Lowercase hex SHA-256.
    pub sha256: String,
}

/// Record counts.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct Counts {
    /// Records read.
    pub read: u64,
    /// Records dated outside the period, not evaluated.
    pub excluded_outside_period: u64,
    /// Records evaluated.
    pub evaluated: u64,
    /// Records that could not be read.
    pub invalid: u64,
    /// Of those, records whose date could not be read either: with a period,
    /// whether they belong to it is not known (they are counted in it).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub invalid_period_unknown: u64,
    /// Decisions on evaluated records.
    pub decisions: Decisions,
    /// Findings (a record may have several).
    pub findings: u64,
    /// Findings that could not be decided for lack of data (fail closed).
    pub indeterminate_findings: u64,
    /// Evaluated records with an unreadable optional field.
    pub incomplete: u64,
    /// Evaluated records with a text field that hid invisible or
    /// direction-changing characters (read and compared without them).
    pub hidden_characters: u64,
    /// Records passed only because a reviewed clearance suppressed a
    /// screening match.
    #[serde(default)]
    pub passed_after_clearance: u64,
    /// Screening matches kept because the clearance of them does not apply
    /// (the entry changed, expired, made before the record, for another
    /// record, or a near-certain match without a second approver).
    #[serde(default)]
    pub clearances_not_applied: u64,
    /// Records passed although a rule was skipped on them for a missing
    /// column declared `skip` (they passed without that rule).
    #[serde(default)]
    pub passed_with_rules_skipped: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Decisions by kind.
#[derive(Debug, Clone, Copy, Default, Serialize, schemars::JsonSchema)]
pub struct Decisions {
    /// Blocked.
    pub block: u64,
    /// For review.
    pub review: u64,
    /// Passed.
    pub pass: u64,
}

/// Findings grouped.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct Summary {
    /// Findings per regime.
    pub by_regime: Vec<Tally>,
    /// Findings per rule (rules with at least one), most first.
    pub by_rule: Vec<Tally>,
    /// Sellers and buyers of flagged records, most frequent first.
    pub top_counterparties: Vec<Tally>,
    /// Destinations of flagged records.
    pub top_destinations: Vec<Tally>,
    /// HS chapters of flagged records.
    pub top_hs_chapters: Vec<Tally>,
    /// Export-control classifications (ECCN entries) of flagged records,
    /// for schemas with an ECCN field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub top_classifications: Vec<Tally>,
    /// What the run could not check: columns its inputs lack and what that
    /// meant, rules skipped for them, records with nothing to screen.
    pub not_checked: Vec<String>,
}

/// A count with its key and a label for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Tally {
    /// What is counted (rule id, country code, chapter, name).
    pub key: String,
    /// Description.
    pub label: String,
    /// How many.
    pub count: u64,
}

/// A regime: what it is, which records it applied to, what it found, and
/// the data its rules read.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RegimeInfo {
    /// Name.
    pub name: String,
    /// Title.
    pub title: String,
    /// Authority.
    pub authority: String,
    /// Its `applies_when`, as written; none when it applies to every record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Its rules.
    pub rules: u64,
    /// Evaluated records it applied to (its scope held or was undecided).
    pub applied_to: u64,
    /// Of those, records whose scope could not be decided (evaluated all the same).
    pub scope_undecided: u64,
    /// Evaluated records outside its scope (not evaluated by its rules).
    pub out_of_scope: u64,
    /// Records it blocked, and sent to review (its own findings only).
    pub blocked: u64,
    /// Records its findings sent to review.
    pub reviewed: u64,
    /// The data files and lookup tables its rules read, with their sizes and fingerprints.
    pub data: Vec<DataFileInfo>,
    /// The sanctions lists its rules screen against.
    pub lists: Vec<String>,
}

/// A data file a regime's rules read: an annex, a list of names, a table.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct DataFileInfo {
    /// The file, as the pack names it.
    pub path: String,
    /// The sets and tables loaded from it.
    pub sets: Vec<String>,
    /// Entries (rows) loaded, over those sets and tables.
    pub entries: u64,
    /// SHA-256 of its bytes.
    pub sha256: String,
}

/// A record that needs attention.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FlaggedRecord {
    /// Record id.
    pub id: String,
    /// Input file.
    pub file: String,
    /// Line.
    pub line: u64,
    /// Transaction date.
    pub date: String,
    /// `block` or `review`.
    pub decision: String,
    /// Seller.
    pub seller: Option<String>,
    /// Buyer.
    pub buyer: Option<String>,
    /// Origin country.
    pub origin: Option<String>,
    /// Destination country.
    pub destination: Option<String>,
    /// Route.
    pub route: Option<String>,
    /// Vessel: name, IMO, flag.
    pub vessel: Option<String>,
    /// HS code.
    pub hs_code: Option<String>,
    /// Goods description.
    pub description: Option<String>,
    /// Quantity and unit.
    pub quantity: Option<String>,
    /// Value and currency.
    pub value: Option<String>,
    /// Licence reference.
    pub license: Option<String>,
    /// Export-control classifications (ECCNs), where the schema has them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classification: Option<String>,
    /// Each rule that hit.
    pub findings: Vec<ReportFinding>,
}

/// One finding on a flagged record.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ReportFinding {
    /// Rule id.
    pub rule: String,
    /// Rule title.
    pub title: String,
    /// Regime.
    pub regime: String,
    /// Citations.
    pub citation: String,
    /// `block` or `review`.
    pub severity: String,
    /// `violation` or `indeterminate`.
    pub outcome: String,
    /// Message.
    pub message: String,
    /// The field values the rule read, as an object in schema order.
    #[serde(serialize_with = "pairs_as_map", deserialize_with = "map_as_pairs")]
    #[schemars(with = "std::collections::BTreeMap<String, String>")]
    pub evidence: Vec<(String, String)>,
    /// List entries matched (set, entry, reference, listing date).
    pub matches: Vec<String>,
    /// What the finding rests on: a disposition recorded against it goes
    /// stale when one of these changes.
    #[serde(default)]
    pub basis: super::disposition::Basis,
    /// Management's decision on it, from the disposition register.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disposition: Option<super::disposition::DispositionView>,
}

fn pairs_as_map<S: serde::Serializer>(pairs: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(pairs.len()))?;
    for (k, v) in pairs {
        m.serialize_entry(k, v)?;
    }
    m.end()
}

/// The inverse of [`pairs_as_map`]: the entries in the order written.
fn map_as_pairs<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<(String, String)>, D::Error> {
    struct Pairs;
    impl<'de> serde::de::Visitor<'de> for Pairs {
        type Value = Vec<(String, String)>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object of strings")
        }

        fn visit_map<M: serde::de::MapAccess<'de>>(self, mut m: M) -> Result<Self::Value, M::Error> {
            let mut v = Vec::with_capacity(m.size_hint().unwrap_or(0));
            while let Some(entry) = m.next_entry()? {
                v.push(entry);
            }
            Ok(v)
        }
    }
    d.deserialize_map(Pairs)
}

/// A rule in the inventory.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RuleEntry {
    /// Rule id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Regime.
    pub regime: String,
    /// Citations.
    pub citation: String,
    /// First day in force.
    pub effective: Option<String>,
    /// First day no longer in force.
    pub until: Option<String>,
    /// `block` or `review`.
    pub severity: String,
    /// Evaluated records dated while the rule was in force.
    pub in_force_for: u64,
    /// Records the rule produced a finding on.
    pub hits: u64,
    /// Of those, findings that could not be decided (fail closed).
    pub indeterminate: u64,
    /// Records it was not decided on because a file lacks a column (`skip`).
    pub skipped: u64,
    /// What the rule's tags say of it that a reader must know (a cap reviewed
    /// per shipment).
    pub note: Option<String>,
    /// Its exemptions, by name and citation.
    pub exemptions: Vec<ExemptionEntry>,
}

/// An exemption (`unless`) of a rule, as the inventory lists it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ExemptionEntry {
    /// Its name, if it has one.
    pub name: Option<String>,
    /// Its legal basis.
    pub cite: Option<String>,
    /// The condition, as written.
    pub condition: String,
    /// `review` when it lowers the finding; none when it lifts it.
    pub then: Option<String>,
}

/// The data files and lists a regime's rules (and its scope) read.
fn regime_data(rules: &RuleSet, g: usize) -> (Vec<DataFileInfo>, Vec<String>) {
    let (mut sets, mut lists) = (Vec::new(), Vec::new());
    let mut visit = |e: &crate::check::TExpr| match e {
        crate::check::TExpr::In { set, .. } | crate::check::TExpr::StrTestSet(_, _, set) => sets.push(*set),
        crate::check::TExpr::Lookup(l) | crate::check::TExpr::QuantLookup(_, l, _) => sets.push(l.table),
        crate::check::TExpr::Screen(sc) => lists.push(sc.list),
        _ => {}
    };
    for r in rules.rules.iter().filter(|r| r.regime == g) {
        r.when.visit(&mut visit);
        r.unless.iter().for_each(|u| u.expr.visit(&mut visit));
    }
    if let Some((e, _)) = rules.regimes.get(g).and_then(|x| x.scope.as_ref()) {
        e.visit(&mut visit);
    }
    sets.sort_unstable();
    sets.dedup();
    let mut files: Vec<DataFileInfo> = Vec::new();
    for s in sets {
        let set = &rules.sets[s];
        let Some(path) = &set.data_file else { continue };
        let sha256 = rules.inputs.iter().find(|i| &i.path == path).map_or(String::new(), |i| i.sha256.clone());
        match files.iter_mut().find(|f| &f.path == path) {
            Some(f) => {
                f.sets.push(set.name.clone());
                f.entries += set.entries.len() as u64;
            }
            None => files.push(DataFileInfo {
                path: path.clone(),
                sets: vec![set.name.clone()],
                entries: set.entries.len() as u64,
                sha256,
            }),
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    lists.sort_unstable();
    lists.dedup();
    let lists = lists.into_iter().filter_map(|l| rules.lists.get(l).map(|x| x.name.clone())).collect();
    (files, lists)
}

/// What the inventory says of a rule tagged `cap`.
pub const CAP_NOTE: &str = "A cap on all States' supplies: one firm's records cannot enforce it, so each shipment is reviewed; only a shipment above the whole cap on its own is blocked.";

/// The note on a rule that totals the firm's own supplies under a cap.
pub const CAP_TOTAL_NOTE: &str = "The firm's own running total per cap period: it can show the whole cap was passed by this firm alone, never that the cap was respected.";

/// Data-quality problems.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct DataQuality {
    /// Records that could not be read: one entry per reason.
    pub invalid: Vec<QualityEntry>,
    /// Evaluated records with an unreadable optional field.
    pub incomplete: Vec<QualityEntry>,
    /// Text fields that hid invisible or direction-changing characters.
    pub hidden_characters: Vec<QualityEntry>,
    /// Rules not decided for a file's records because it has no column for a field.
    pub skipped_rules: Vec<Skipped>,
    /// Optional fields each input has no column for, and what that meant.
    pub missing_columns: Vec<crate::run::MissingColumnNote>,
    /// Groups an input has no column for at all, and what that meant.
    pub missing_groups: Vec<crate::run::MissingGroupNote>,
    /// Records that repeat an id seen earlier in the run (each was evaluated).
    pub duplicate_ids: crate::run::DuplicateIds,
}

/// One problem with one record.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct QualityEntry {
    /// Input file.
    pub file: String,
    /// Line.
    pub line: u64,
    /// Record id, if readable.
    pub id: Option<String>,
    /// The field, or none for the whole row.
    pub field: Option<String>,
    /// The value read.
    pub value: Option<String>,
    /// Why.
    pub reason: String,
    /// For an invalid record: what it rests on, and management's decision
    /// on it from the disposition register.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<super::disposition::Basis>,
    /// Management's decision on the invalid record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disposition: Option<super::disposition::DispositionView>,
}

/// The method section: fixed statements of how decisions are reached.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Method {
    /// Statements, in order.
    pub statements: Vec<String>,
}

impl Method {
    /// The standard statements.
    pub fn standard() -> Method {
        Method {
            statements: vec![
                "Every record is checked against every rule in force on its transaction date: `effective` is the first day a rule applies, `until` the first day it no longer does.".into(),
                "A record's decision is its most severe finding: block above review above pass. A record with no finding passes.".into(),
                "Fail closed: a rule that needs a value the record lacks, or cannot read, is not passed silently; it gives a review finding naming the field (\"indeterminate\"). An exemption never turns a prohibited record into a pass on its own; at most it lowers the finding to review.".into(),
                "A file without a column for a field is not a file of empty values: the rules that need the field are undecided for every one of its records (a review naming the column), unless the field's missing column is declared `skip` in the schema or the input config, and then the rules are skipped and the executive summary, the data-quality section and every output say so. Fields read as a group (the parties to a transaction in all their roles) are read from the columns a file has; a file with none of them is undecided.".into(),
                "Quantities are converted exactly between units of one dimension (the unit table is part of the rule-set fingerprint), across dimensions only by a factor the rule states. An unknown or ambiguous unit is undecided, never a pass.".into(),
                "Words in free text (descriptions, licence references) decide findings only through word lists kept as data files of the rule pack; an exemption read from such words lowers a block to review at most, and wind-downs for earlier contracts need a contract date, not any licence text.".into(),
                "A record that cannot be read at all (a required field missing or malformed, a wrong number of fields) is counted as invalid and listed under data quality; it is never counted as passed.".into(),

                "HS codes match by prefix: a heading covers its subheadings. Countries are ISO 3166-1 alpha-2 codes. Amounts are exact decimals.".into(),
                "Counts reconcile: records read = excluded (outside the period) + evaluated + invalid. A period is applied to each record's transaction date (the schema's `date` field), both ends included; an invalid record whose date reads is placed by it, one whose date does not read is counted in every period.".into(),
                "Any record can be re-performed: `cordon explain --rules RULES --input FILE --id ID` prints its full evaluation, rule by rule and condition by condition, with the values read and the list entries compared.".into(),
            ],
        }
    }
}

/// What the collector needs to know besides the outcomes.
pub struct ReportInputs<'a> {
    /// The rule set.
    pub rules: &'a RuleSet,
    /// Input display names, by file index.
    pub files: &'a [String],
    /// Period filter.
    pub period: Option<Period>,
    /// The figures the population is reconciled to.
    pub expect: super::population::Expectations,
    /// The disposition register, if one was given.
    pub register: Option<std::sync::Arc<super::disposition::Register>>,
    /// The report's date: dispositions dated after it are refused, ages count to it.
    pub as_of: Option<Date>,
}

/// Builds the report model from outcomes as they stream past.
pub struct Collector<'a> {
    inputs: ReportInputs<'a>,
    counts: Counts,
    flagged: super::store::Flagged,
    invalid: Vec<QualityEntry>,
    incomplete: Vec<QualityEntry>,
    hidden: Vec<QualityEntry>,
    /// Evaluated records per transaction date (for rules' in-force counts).
    dates: BTreeMap<Date, u64>,
    rule_hits: Vec<(u64, u64)>,
    counterparties: HashMap<String, u64>,
    destinations: HashMap<String, u64>,
    chapters: HashMap<String, u64>,
    classifications: HashMap<String, u64>,
    regime_findings: Vec<u64>,
    /// Per regime: applied to, scope undecided, out of scope, blocked, reviewed.
    regime_records: Vec<[u64; 5]>,
    suppressed: Vec<(usize, u64, SuppressionEntry)>,
    not_applied: Vec<(usize, u64, SuppressionEntry)>,
    /// Rules skipped and lists screened, over the records in the period.
    unchecked: crate::run::CheckTally<'a>,
    /// What the inputs held, over every record read.
    population: super::population::PopulationTally,
    /// The results digest, as records come.
    digest: sha2::Sha256,
    /// Each rule's text fingerprint (a disposition's basis).
    rule_hashes: Vec<String>,
    /// Findings and invalid records per disposition status.
    dispositions: super::disposition::Tally,
    /// Records per category and year, with their values.
    outcomes: super::outcomes::OutcomeTally,
}

impl<'a> Collector<'a> {
    /// A collector for a run that keeps every flagged record in memory.
    pub fn new(inputs: ReportInputs<'a>) -> Self {
        Self::keeping(inputs, super::store::Keep::All)
    }

    /// A collector for a run that keeps flagged records as `keep` says.
    /// Unless that is [`Keep::All`](super::store::Keep::All), records must
    /// come in input order, as a run hands them to its stages.
    pub fn keeping(inputs: ReportInputs<'a>, keep: super::store::Keep) -> Self {
        let n = inputs.rules.rules.len();
        let r = inputs.rules.regimes.len();
        Collector {
            counts: Counts::default(),
            flagged: super::store::Flagged::new(keep),
            invalid: Vec::new(),
            incomplete: Vec::new(),
            hidden: Vec::new(),
            dates: BTreeMap::new(),
            rule_hits: vec![(0, 0); n],
            counterparties: HashMap::new(),
            destinations: HashMap::new(),
            chapters: HashMap::new(),
            classifications: HashMap::new(),
            regime_findings: vec![0; r.max(1)],
            regime_records: vec![[0; 5]; r],
            suppressed: Vec::new(),
            not_applied: Vec::new(),
            unchecked: crate::run::CheckTally::new(inputs.rules),
            population: {
                // The period the records are said to cover: the source's, else `--period`.
                let stated = match (inputs.expect.manifest_period().ok().flatten(), inputs.period) {
                    (Some(p), period) => Some((p, "manifest", period.is_none())),
                    (None, Some(p)) => Some((p, "--period", false)),
                    (None, None) => None,
                };
                super::population::PopulationTally::new(&inputs.rules.schema, inputs.files.len(), stated)
            },
            digest: sha2::Sha256::default(),
            rule_hashes: inputs
                .rules
                .rules
                .iter()
                .map(|r| {
                    let text = inputs.rules.sources.get(r.file).and_then(|f| f.text.get(r.span.start..r.span.end));
                    super::disposition::short_hash(&[&r.id, text.unwrap_or(&r.when_text)])
                })
                .collect(),
            dispositions: super::disposition::Tally::default(),
            outcomes: super::outcomes::OutcomeTally::new(inputs.rules),
            inputs,
        }
    }

    /// Adds one record's line to the results digest (see [`Report::results_digest`]).
    fn digest(&mut self, o: &RecordOutcome) {
        use sha2::Digest;
        let (file, line, id, decision, rules) = match o {
            RecordOutcome::Invalid(i) => {
                let outside = self.inputs.period.zip(i.date).is_some_and(|(p, d)| !p.contains(d));
                (
                    i.file,
                    i.line,
                    i.id.as_deref().unwrap_or(""),
                    if outside { "outside-period" } else { "invalid" },
                    String::new(),
                )
            }
            RecordOutcome::Evaluated(e) => {
                let outside = self.inputs.period.is_some_and(|p| !p.contains(e.date));
                let rules: Vec<&str> = e.findings.iter().map(|f| self.inputs.rules.rules[f.rule].id.as_str()).collect();
                (
                    e.file,
                    e.line,
                    e.id.as_str(),
                    if outside { "outside-period" } else { e.decision.name() },
                    rules.join(","),
                )
            }
        };
        let name = self.inputs.files.get(file).map_or("", String::as_str);
        self.digest.update(format!("{name}\t{line}\t{id}\t{decision}\t{rules}\n").as_bytes());
    }

    /// An input was read to its end: its fingerprint and size.
    pub fn end_input(&mut self, file: usize, sha256: &str, size: Option<crate::run::InputSize>) {
        self.population.end_input(file, sha256, size);
    }

    /// The first write of a flagged record to a temporary file that failed
    /// ([`Keep::Spill`](super::store::Keep::Spill)): the report cannot list
    /// them all.
    pub fn store_failed(&self) -> Option<&std::io::Error> {
        self.flagged.failed()
    }

    fn file(&self, i: usize) -> String {
        self.inputs.files.get(i).cloned().unwrap_or_default()
    }

    /// Takes one record's outcome.
    pub fn add(&mut self, o: &RecordOutcome) {
        self.counts.read += 1;
        self.population.add(o, self.inputs.files);
        self.digest(o);
        match o {
            RecordOutcome::Invalid(inv) => {
                // An invalid record whose date reads belongs to its period:
                // annual reports then add up to the file.
                if let Some(p) = self.inputs.period {
                    match inv.date {
                        Some(d) if !p.contains(d) => {
                            self.counts.excluded_outside_period += 1;
                            return;
                        }
                        Some(_) => {}
                        None => self.counts.invalid_period_unknown += 1,
                    }
                }
                self.counts.invalid += 1;
                let (basis, disposition) = self.invalid_disposition(inv);
                for e in &inv.errors {
                    self.invalid.push(QualityEntry {
                        file: self.file(inv.file),
                        line: inv.line,
                        id: inv.id.clone(),
                        field: e.field.clone(),
                        value: e.value.clone(),
                        reason: e.reason.clone(),
                        basis: Some(basis.clone()),
                        disposition: disposition.clone(),
                    });
                }
            }
            RecordOutcome::Evaluated(e) => {
                if self.inputs.period.is_some_and(|p| !p.contains(e.date)) {
                    self.counts.excluded_outside_period += 1;
                    return;
                }
                self.counts.evaluated += 1;
                *self.dates.entry(e.date).or_default() += 1;
                for (g, stats) in self.regime_records.iter_mut().enumerate() {
                    if e.out_of_scope().contains(&g) {
                        stats[2] += 1;
                    } else {
                        stats[0] += 1;
                        stats[1] += u64::from(e.scope_undecided().contains(&g));
                    }
                }
                match e.decision {
                    Decision::Block => self.counts.decisions.block += 1,
                    Decision::Review => self.counts.decisions.review += 1,
                    Decision::Pass => self.counts.decisions.pass += 1,
                }
                if e.data_quality.iter().any(|p| !p.readable) {
                    self.counts.incomplete += 1;
                }
                if e.data_quality.iter().any(|p| p.readable) {
                    self.counts.hidden_characters += 1;
                }
                for p in &e.data_quality {
                    let entry = self.quality(e, p);
                    if p.readable { self.hidden.push(entry) } else { self.incomplete.push(entry) }
                }
                if !e.findings.is_empty() {
                    self.flag(e);
                }
                if e.decision == Decision::Pass && !e.skipped.is_empty() {
                    self.counts.passed_with_rules_skipped += 1;
                }
                self.suppressions(e);
                self.unchecked.add(e);
                self.outcomes.add(e, self.inputs.rules);
            }
        }
    }

    /// An invalid record's basis (its problems as read) and disposition.
    fn invalid_disposition(
        &mut self,
        inv: &crate::records::Invalid,
    ) -> (super::disposition::Basis, Option<super::disposition::DispositionView>) {
        use super::disposition::{Basis, INVALID, Judged, judge, short_hash};
        let problems: Vec<String> = inv
            .errors
            .iter()
            .map(|p| format!("{}={}: {}", p.field.as_deref().unwrap_or(""), p.value.as_deref().unwrap_or(""), p.reason))
            .collect();
        let refs: Vec<&str> = problems.iter().map(String::as_str).collect();
        let basis = Basis { record: short_hash(&refs), rule: String::new(), evidence: String::new() };
        let as_of = self.inputs.as_of;
        let found = match (&self.inputs.register, &inv.id) {
            (Some(reg), Some(id)) => reg.get(id, INVALID).map(|(i, d)| (i, d.clone())),
            _ => None,
        };
        let view = found.map(|(i, d)| {
            self.dispositions.used(i);
            judge(
                &d,
                &Judged {
                    basis: &basis,
                    record_date: inv.date,
                    as_of: as_of.unwrap_or(Date::today()),
                    needs_approver: false,
                },
            )
        });
        self.dispositions.add("invalid", view.as_ref(), age(view.as_ref(), inv.date, as_of));
        (basis, view)
    }

    fn suppressions(&mut self, e: &Evaluated) {
        let rules = self.inputs.rules;
        for s in &e.suppressed {
            let Some(c) = rules.clearances.entries.get(s.clearance) else { continue };
            let entry = SuppressionEntry {
                file: self.file(e.file),
                line: e.line,
                id: e.id.clone(),
                field: s.field.map(|f| rules.schema.fields[f].name.clone()),
                value: s.value.clone(),
                list: rules.lists.get(s.list).map_or(String::new(), |l| l.name.clone()),
                reference: s.reference.clone(),
                score: s.score.to_string(),
                reviewer: c.reviewer.clone(),
                reason: c.reason.clone(),
                reviewed_on: c.date.clone(),
                approved_by: c.approved_by.clone(),
                not_applied: None,
            };
            self.suppressed.push((e.file, e.line, entry));
        }
        if e.decision == Decision::Pass && !e.suppressed.is_empty() {
            self.counts.passed_after_clearance += 1;
        }
        for f in &e.findings {
            for h in &f.screens {
                let Some((i, why)) = h.stale_clearance else { continue };
                let Some(c) = rules.clearances.entries.get(i) else { continue };
                self.counts.clearances_not_applied += 1;
                let entry = SuppressionEntry {
                    file: self.file(e.file),
                    line: e.line,
                    id: e.id.clone(),
                    field: h.field.map(|f| rules.schema.fields[f].name.clone()),
                    value: h.value.clone(),
                    list: rules.lists.get(h.list).map_or(String::new(), |l| l.name.clone()),
                    reference: h.reference.clone(),
                    score: h.score.to_string(),
                    reviewer: c.reviewer.clone(),
                    reason: c.reason.clone(),
                    reviewed_on: c.date.clone(),
                    approved_by: c.approved_by.clone(),
                    not_applied: Some(why.says(c)),
                };
                self.not_applied.push((e.file, e.line, entry));
            }
        }
    }

    fn quality(&self, e: &Evaluated, p: &FieldProblem) -> QualityEntry {
        QualityEntry {
            file: self.file(e.file),
            line: e.line,
            id: Some(e.id.clone()),
            field: p.field.clone(),
            value: p.value.clone(),
            reason: p.reason.clone(),
            basis: None,
            disposition: None,
        }
    }

    fn flag(&mut self, e: &Evaluated) {
        let rules = self.inputs.rules;
        let schema = &rules.schema;
        let rec: Option<&Record<'_>> = e.record.as_deref();
        // Fields by what they mean, whatever the schema calls them.
        let text = |role: Role| -> Option<String> {
            let f = schema.role(role)?;
            rec.and_then(|r| r.cells.get(f)).and_then(Cell::text).map(str::to_string)
        };
        let joined = |parts: &[(Role, &str)]| -> Option<String> {
            let v: Vec<String> =
                parts.iter().filter_map(|(role, prefix)| text(*role).map(|t| format!("{prefix}{t}"))).collect();
            (!v.is_empty()).then(|| v.join(" "))
        };
        let mut findings: Vec<ReportFinding> = e.findings.iter().map(|f| self.finding(f)).collect();
        self.dispose(e, rec, &mut findings);
        self.counts.findings += findings.len() as u64;
        for f in &e.findings {
            let hit = &mut self.rule_hits[f.rule];
            hit.0 += 1;
            if matches!(f.outcome, Outcome::Indeterminate { .. }) {
                hit.1 += 1;
                self.counts.indeterminate_findings += 1;
            }
            let regime = rules.rules[f.rule].regime;
            if let Some(r) = self.regime_findings.get_mut(regime) {
                *r += 1;
            }
        }
        // Each regime's own decision on the record: its most severe finding.
        for (g, stats) in self.regime_records.iter_mut().enumerate() {
            let worst = e.findings.iter().filter(|f| rules.rules[f.rule].regime == g).map(|f| f.severity).max();
            match worst {
                Some(crate::check::Severity::Block) => stats[3] += 1,
                Some(crate::check::Severity::Review) => stats[4] += 1,
                None => {}
            }
        }
        // Classifications by their entry (`3A001.a.7` counts under `3A001`).
        let eccn_kind = crate::schema::Scalar::from_name("eccn");
        let classification = schema
            .fields
            .iter()
            .position(|d| Some(d.scalar()) == eccn_kind)
            .and_then(|f| rec.and_then(|r| r.cells.get(f)));
        if let Some(crate::records::Value::List(items)) = classification.and_then(Cell::value) {
            for v in items {
                if let crate::records::Value::Code(c) = v {
                    let text = c.to_string();
                    let entry = text.split('.').next().unwrap_or(&text).to_string();
                    *self.classifications.entry(entry).or_default() += 1;
                }
            }
        }
        for party in [text(Role::Seller), text(Role::Buyer)].into_iter().flatten() {
            *self.counterparties.entry(party).or_default() += 1;
        }
        if let Some(d) = text(Role::Destination) {
            *self.destinations.entry(d.to_uppercase()).or_default() += 1;
        }
        // Goods by their top level (an HS chapter): the code's shortest ancestor.
        if let Some(crate::records::Value::Code(c)) =
            rec.and_then(|r| schema.role(Role::Goods).and_then(|f| r.cells.get(f))).and_then(Cell::value)
        {
            let kind = c.kind().kind();
            let top = (1..=c.len()).find(|k| kind.is_boundary(c, *k)).unwrap_or(c.len());
            *self.chapters.entry(c.prefix(top).to_string()).or_default() += 1;
        }
        let record = FlaggedRecord {
            id: e.id.clone(),
            file: self.file(e.file),
            line: e.line,
            date: e.date.to_string(),
            decision: e.decision.name().to_string(),
            seller: text(Role::Seller),
            buyer: text(Role::Buyer),
            origin: text(Role::Origin),
            destination: text(Role::Destination),
            route: text(Role::Route),
            vessel: joined(&[(Role::VesselName, ""), (Role::VesselImo, "IMO "), (Role::VesselFlag, "flag ")]),
            hs_code: text(Role::Goods),
            description: text(Role::Description),
            quantity: joined(&[(Role::Quantity, ""), (Role::Unit, "")]),
            value: joined(&[(Role::Value, ""), (Role::Currency, "")]),
            license: text(Role::Licence),
            classification: classification.and_then(Cell::text).map(str::to_string),
            findings,
        };
        self.flagged.push(e.decision, e.file, e.line, record);
    }

    /// Each finding's basis, and its disposition from the register.
    fn dispose(&mut self, e: &Evaluated, rec: Option<&Record<'_>>, findings: &mut [ReportFinding]) {
        use super::disposition::{Judged, judge, short_hash};
        let schema = &self.inputs.rules.schema;
        let cells: Vec<String> = rec.map_or_else(Vec::new, |r| {
            r.cells.iter().zip(&schema.fields).map(|(c, f)| format!("{}={}", f.name, c.text().unwrap_or(""))).collect()
        });
        let record = short_hash(&cells.iter().map(String::as_str).collect::<Vec<_>>());
        let as_of = self.inputs.as_of;
        let sure = crate::values::parse_decimal(super::disposition::SECOND_APPROVER_SCORE).unwrap_or_default();
        for (rf, f) in findings.iter_mut().zip(&e.findings) {
            // The snapshot's fingerprint changes with every list update;
            // the entry matched is what the finding rests on.
            let matches: Vec<&str> = rf.matches.iter().map(|m| m.split("; snapshot ").next().unwrap_or(m)).collect();
            let evidence: Vec<String> = rf.evidence.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let mut parts: Vec<&str> = vec![rf.outcome.as_str()];
            parts.extend(evidence.iter().map(String::as_str));
            parts.extend(matches);
            rf.basis = super::disposition::Basis {
                record: record.clone(),
                rule: self.rule_hashes.get(f.rule).cloned().unwrap_or_default(),
                evidence: short_hash(&parts),
            };
            let found = self.inputs.register.as_ref().and_then(|r| r.get(&e.id, &rf.rule).map(|(i, d)| (i, d.clone())));
            let view = found.map(|(i, d)| {
                self.dispositions.used(i);
                let needs_approver =
                    f.severity == crate::check::Severity::Block || f.screens.iter().any(|h| h.score >= sure);
                judge(
                    &d,
                    &Judged {
                        basis: &rf.basis,
                        record_date: Some(e.date),
                        as_of: as_of.unwrap_or(Date::today()),
                        needs_approver,
                    },
                )
            });
            self.dispositions.add(&rf.severity, view.as_ref(), age(view.as_ref(), Some(e.date), as_of));
            rf.disposition = view;
        }
    }

    fn finding(&self, f: &Finding) -> ReportFinding {
        let rules = self.inputs.rules;
        let rule = &rules.rules[f.rule];
        let schema = &rules.schema;
        ReportFinding {
            rule: rule.id.clone(),
            title: rule.title.clone(),
            regime: rules.regimes.get(rule.regime).map_or(String::new(), |r| r.name.clone()),
            citation: rule.citation(),
            severity: f.severity.name().to_string(),
            outcome: match f.outcome {
                Outcome::Violation => "violation".into(),
                Outcome::Indeterminate { .. } => "indeterminate".into(),
            },
            message: f.message.clone(),
            evidence: f.evidence.iter().map(|(k, v)| (schema.fields[*k].name.clone(), v.clone())).collect(),
            matches: f
                .matches
                .iter()
                .filter(|m| rules.sets[m.set].data_file.is_some())
                // A key's membership says nothing its cell does not.
                .filter(|m| {
                    m.column.is_some()
                        || !f.matches.iter().any(|o| o.column.is_some() && o.set == m.set && o.entry == m.entry)
                })
                .map(|m| {
                    let set = &rules.sets[m.set];
                    let e = &set.entries[m.entry as usize];
                    let mut s = format!("{} “{}”", set.name, e.text);
                    // A table lookup: the column read and the cell's value.
                    if let (Some(c), Some(t)) = (m.column, &set.table) {
                        let col = t.columns.get(c as usize).map_or("?", |(n, _)| n.as_str());
                        let cell = t.rows.get(m.entry as usize).and_then(|r| r.get(c as usize));
                        let value = cell.and_then(|v| v.as_ref()).map_or_else(String::new, |v| v.to_string());
                        s.push_str(&format!(" {col} = “{value}”"));
                    }
                    if let Some(r) = &e.reference {
                        s.push_str(&format!(" ({r})"));
                    }
                    if let Some(d) = e.since {
                        s.push_str(&format!(", listed {d}"));
                    }
                    if let Some(d) = e.until {
                        s.push_str(&format!(", no longer listed from {d}"));
                    }
                    s
                })
                .chain(f.screens.iter().map(|h| {
                    let list = rules.lists.get(h.list);
                    let name = list.map_or("", |l| l.name.as_str());
                    let fp = list.map_or("", |l| l.snapshot.fingerprint.as_str());
                    let mut s = format!(
                        "{name} {} “{}”: “{}” scores {} ({})",
                        h.reference, h.matched_name, h.value, h.score, h.reason
                    );
                    if let Some(d) = h.listed_on {
                        s.push_str(&format!(", listed {d}"));
                        if h.listed_after {
                            s.push_str(" (after the transaction)");
                        }
                    }
                    // The entry's own content hash: a re-performer checks the
                    // entry, and a disposition resting on it goes stale when it changes.
                    if let Some(l) = list {
                        let hash = l.index().entry_hash(h.entry as usize);
                        s.push_str(&format!("; entry {}", hash.get(..16).unwrap_or(hash)));
                    }
                    s.push_str(&format!("; snapshot {}", fp.get(..16).unwrap_or(fp)));
                    s
                }))
                .collect(),
            basis: Default::default(),
            disposition: None,
        }
    }

    /// Finishes the model.
    pub fn finish(self, run: &RunSummary, meta: ReportMeta) -> Report {
        let rules = self.inputs.rules;
        // What was not checked, over the records in the period (the run's
        // own figures cover every record read).
        let (skipped_rules, coverage) = self.unchecked.finish(self.inputs.files, self.counts.evaluated);
        let screening_note = screening_statement(&coverage, self.counts.evaluated);
        let in_period = RunSummary {
            evaluated: self.counts.evaluated,
            skipped_rules: skipped_rules.clone(),
            screening: coverage.clone(),
            ..run.clone()
        };
        let (findings, more_findings) = self.flagged.finish();
        let population = self.population.finish(self.inputs.files, &self.inputs.expect);
        let results_digest = {
            use sha2::Digest;
            crate::source::hex(&self.digest.finalize())
        };
        let in_force = |r: &crate::check::Rule| -> u64 {
            self.dates.iter().filter(|(d, _)| r.in_force(**d)).map(|(_, c)| *c).sum()
        };
        let inventory: Vec<RuleEntry> = rules
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| RuleEntry {
                id: r.id.clone(),
                title: r.title.clone(),
                regime: rules.regimes.get(r.regime).map_or(String::new(), |g| g.name.clone()),
                citation: r.citation(),
                effective: r.effective.map(|d| d.to_string()),
                until: r.until.map(|d| d.to_string()),
                severity: r.severity.name().to_string(),
                in_force_for: in_force(r),
                hits: self.rule_hits[i].0,
                indeterminate: self.rule_hits[i].1,
                skipped: skipped_rules.iter().filter(|k| k.rule == r.id).map(|k| k.records).sum(),
                note: r
                    .tags
                    .iter()
                    .any(|t| t == "cap")
                    .then(|| if r.aggregate.is_some() { CAP_TOTAL_NOTE } else { CAP_NOTE }.to_string()),
                exemptions: r
                    .unless
                    .iter()
                    .map(|u| ExemptionEntry {
                        name: u.name.clone(),
                        cite: u.cite.clone(),
                        condition: u.text.clone(),
                        then: u.then.map(|t| t.name().to_string()),
                    })
                    .collect(),
            })
            .collect();
        let mut by_rule: Vec<Tally> = inventory
            .iter()
            .filter(|r| r.hits > 0)
            .map(|r| Tally { key: r.id.clone(), label: r.title.clone(), count: r.hits })
            .collect();
        by_rule.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
        let by_regime = rules
            .regimes
            .iter()
            .enumerate()
            .map(|(i, r)| Tally {
                key: r.name.clone(),
                label: r.get("title").unwrap_or("").to_string(),
                count: self.regime_findings.get(i).copied().unwrap_or(0),
            })
            .collect();
        // What a code is called, by the kind of the field with the role.
        let schema = &self.inputs.rules.schema;
        let label = |role: Role, code: &str| -> String {
            let Some(kind) = schema.role(role).map(|f| schema.fields[f].scalar()) else { return String::new() };
            crate::values::Code::new(kind, code).and_then(|c| kind.kind().label(&c)).unwrap_or_default()
        };
        let top = |m: HashMap<String, u64>, label: &dyn Fn(&str) -> String| -> Vec<Tally> {
            let mut v: Vec<Tally> = m.into_iter().map(|(k, c)| Tally { label: label(&k), key: k, count: c }).collect();
            v.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
            v.truncate(10);
            v
        };
        let summary = Summary {
            by_regime,
            by_rule,
            top_counterparties: top(self.counterparties, &|_| String::new()),
            top_destinations: top(self.destinations, &|k| label(Role::Destination, k)),
            top_hs_chapters: top(self.chapters, &|k| label(Role::Goods, k)),
            top_classifications: top(self.classifications, &|_| String::new()),
            not_checked: in_period.not_checked(),
        };
        let criteria = super::criteria::criteria(rules, &inventory, meta.rule_tests);
        let limitations = super::criteria::limitations(rules, &criteria.sets);
        let dispositions = self.dispositions.finish(self.inputs.register.as_deref());
        let period_words = match self.inputs.period {
            Some(p) => format!("From {} to {}", p.from, p.to),
            None => "Across all dates in the inputs".to_string(),
        };
        let (open_items, items) = dispositions.open_items();
        let outcomes = self.outcomes.finish(&super::outcomes::Facts {
            period: &period_words,
            as_of: self.inputs.as_of,
            evaluated: self.counts.evaluated,
            block: self.counts.decisions.block,
            review: self.counts.decisions.review,
            invalid: self.counts.invalid,
            open_items,
            items,
            register: self.inputs.register.is_some(),
            passed_with_rules_skipped: self.counts.passed_with_rules_skipped,
            reconciled: population.reconciliation.reconciled(),
        });
        let regimes = rules
            .regimes
            .iter()
            .enumerate()
            .map(|(g, r)| {
                let stats = self.regime_records.get(g).copied().unwrap_or_default();
                let (data, lists) = regime_data(rules, g);
                RegimeInfo {
                    name: r.name.clone(),
                    title: r.get("title").unwrap_or("").to_string(),
                    authority: r.get("authority").unwrap_or("").to_string(),
                    scope: r.scope.as_ref().map(|(_, t)| t.clone()),
                    rules: rules.rules.iter().filter(|x| x.regime == g).count() as u64,
                    applied_to: stats[0],
                    scope_undecided: stats[1],
                    out_of_scope: stats[2],
                    blocked: stats[3],
                    reviewed: stats[4],
                    data,
                    lists,
                }
            })
            .collect();
        Report {
            report_id: meta.report_id,
            title: meta.title,
            organisation: meta.organisation,
            period: self.inputs.period,
            generated_at: meta.generated_at,
            generated_declared: meta.generated_declared,
            newest_record_date: self.dates.keys().next_back().map(|d| d.to_string()),
            cordon_version: env!("CARGO_PKG_VERSION").to_string(),
            command: meta.command,
            build: meta.build,
            results_digest,
            fingerprints: meta.fingerprints,
            counts: self.counts,
            population,
            summary,
            regimes,
            findings,
            rules: inventory,
            data_quality: DataQuality {
                invalid: self.invalid,
                incomplete: self.incomplete,
                hidden_characters: self.hidden,
                skipped_rules,
                missing_columns: run.missing_columns.clone(),
                missing_groups: run.missing_groups.clone(),
                duplicate_ids: run.duplicate_ids.clone(),
            },
            dispositions,
            criteria,
            limitations,
            outcomes,
            screening: ScreeningInfo {
                lists: rules
                    .lists
                    .iter()
                    .enumerate()
                    .map(|(i, l)| (super::criteria::list_scope(rules, i), l))
                    .map(|((programmes, entries_screened), l)| ListInfo {
                        programmes,
                        entries_screened,
                        name: l.name.clone(),
                        format: l.snapshot.format.clone(),
                        published: l.snapshot.published.clone(),
                        entries: l.snapshot.entries.len(),
                        fingerprint: l.snapshot.fingerprint.clone(),
                        sources: l.snapshot.sources.clone(),
                        notes: l.snapshot.notes.clone(),
                    })
                    .collect(),
                reviewed_file: rules.clearances.file.clone(),
                clearances: rules.clearances.entries.len(),
                suppressed: {
                    let mut v = self.suppressed;
                    v.sort_by_key(|a| (a.0, a.1));
                    v.into_iter().map(|(_, _, e)| e).collect()
                },
                not_applied: {
                    let mut v = self.not_applied;
                    v.sort_by_key(|a| (a.0, a.1));
                    v.into_iter().map(|(_, _, e)| e).collect()
                },
                coverage,
            },
            method: {
                let mut m = Method::standard();
                let capped = |total: bool| -> Vec<&str> {
                    rules
                        .rules
                        .iter()
                        .filter(|r| r.tags.iter().any(|t| t == "cap") && r.aggregate.is_some() == total)
                        .map(|r| r.id.as_str())
                        .collect()
                };
                let (caps, totals) = (capped(false), capped(true));
                if !caps.is_empty() {
                    m.statements.push(format!(
                        "Caps on the supplies of all States ({}) cannot be enforced from one firm's records: each shipment under a cap is reviewed, and only a shipment that on its own exceeds the whole cap is blocked.",
                        caps.join(", ")
                    ));
                }
                if !totals.is_empty() {
                    m.statements.push(format!(
                        "The firm's own supplies under each cap are totalled per cap period ({}): a total above the whole cap shows the cap was passed by this firm alone and is reviewed; a total within it says nothing of other States' supplies. Totals continue between runs only with a state file.",
                        totals.join(", ")
                    ));
                }
                m.statements.extend(screening_note);
                if rules.regimes.iter().any(|g| g.scope.is_some()) {
                    m.statements.push("A regime that says which records it applies to (`applies_when`) is evaluated only on those: a record outside it is counted as outside, and a record whose scope cannot be decided (a missing flow, an unreadable country) is checked under the regime all the same. Lookup tables (a country chart, a control list) never miss silently: a key the table lacks is undecided, a review.".to_string());
                }
                // What each regime's pack says it does not cover: partial data
                // is said, never taken for a clean result.
                for g in &rules.regimes {
                    if let Some(limits) = g.get("coverage") {
                        m.statements.push(format!("{}: {limits}", g.name));
                    }
                }
                if rules.rules.iter().any(|r| r.aggregate.is_some() && !r.tags.iter().any(|t| t == "cap")) {
                    m.statements.push("Rules over many records add up the records their condition selects in transaction-date order (ties by record id), per group and window; the record that passes a limit and every later one in the window have a finding; a record that cannot be counted is reviewed, and later totals in its window are only lower bounds (reviewed).".to_string());
                }
                if let Some(l) = &rules.licences {
                    m.statements.push(format!(
                        "Records citing a licence are checked against the register {} ({} licences): unknown, not valid on the transaction date, outside its scope (goods, destination, end user, consignee) or over its remaining balance (drawn down in date order over the licence's validity) is a block.",
                        l.register.file,
                        l.register.licences.len()
                    ));
                }
                m
            },
            running_totals: run.aggregates.clone(),
            more_findings,
            renderings: Vec::new(),
        }
    }
}

/// How screening was done, from what this run screened: never a claim
/// that parties were screened when no record had one to screen.
fn screening_statement(coverage: &[crate::run::ListCoverage], evaluated: u64) -> Option<String> {
    if coverage.is_empty() {
        return None;
    }
    let screened: Vec<String> = coverage
        .iter()
        .filter(|c| c.records_screened > 0)
        .map(|c| {
            let fields: Vec<String> = c.by_field.iter().map(|(f, n)| format!("{f} {n}")).collect();
            format!("{} ({} of {evaluated} records: {})", c.list, c.records_screened, fields.join(", "))
        })
        .collect();
    let unscreened: Vec<&str> = coverage.iter().filter(|c| c.records_screened == 0).map(|c| c.list.as_str()).collect();
    let mut s = if screened.is_empty() {
        "No party or vessel was screened against a sanctions list: no evaluated record had a name, an IMO number or a vessel name to screen (see \"Not checked\"); the screening rules were undecided (review), never passed.".to_string()
    } else {
        format!(
            "Parties and vessels were screened against sanctions-list snapshots as far as the records had them to screen: {}. Vessels are matched by IMO number, names by a score in [0, 1] that tolerates other scripts, romanisations, word order, legal forms and typing errors; a match counts from the entry's listing date, and a match listed only after the transaction is a review, not a block. Reviewed false positives are suppressed under the controls in section 5, and each suppression is listed.",
            screened.join("; ")
        )
    };
    if !screened.is_empty() && !unscreened.is_empty() {
        s.push_str(&format!(" Nothing was screened against {}: no record had a value for it.", unscreened.join(", ")));
    }
    Some(s)
}

/// An item's age in days at `as_of`: since its decision when one holds,
/// else since its transaction date.
fn age(
    view: Option<&super::disposition::DispositionView>,
    record_date: Option<Date>,
    as_of: Option<Date>,
) -> Option<i64> {
    let from = match view {
        Some(v) if v.state == "current" => Date::parse(&v.prepared_on).ok(),
        _ => record_date,
    };
    Some(i64::from(as_of?.day_number() - from?.day_number()))
}

/// What the report says about itself.
#[derive(Debug, Clone)]
pub struct ReportMeta {
    /// The id.
    pub report_id: String,
    /// The title.
    pub title: String,
    /// The organisation.
    pub organisation: Option<String>,
    /// Generation time, RFC 3339 UTC.
    pub generated_at: String,
    /// Whether the generation time was declared rather than read from the clock.
    pub generated_declared: bool,
    /// The reproducing command.
    pub command: String,
    /// The binary and source commit, when known.
    pub build: Option<BuildInfo>,
    /// Fingerprints.
    pub fingerprints: Fingerprints,
    /// The pack's rule tests, run for the report (none: not run).
    pub rule_tests: Option<crate::testing::RuleTests>,
}
