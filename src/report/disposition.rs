//! The disposition register: what management decided about each finding and
//! each invalid record — status, rationale, evidence, preparer, independent
//! approver, dates — kept in a YAML file under version control
//! (`cordon review`). A report shows each finding's disposition and counts
//! them by status; a re-run carries them forward, and a disposition goes
//! stale when the record, the rule or the evidence it rested on changed.
//!
//! Controls: a disposition dated after the report or before the record is
//! refused; closing a block finding or a near-certain screening match needs
//! a second person's approval; a disposition may expire. A disposition that
//! does not hold leaves its finding open — never closed by default.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::values::Date;

/// A screening score from which closing a match needs a second approver.
pub const SECOND_APPROVER_SCORE: &str = "0.95";

/// The key of an invalid record's disposition in place of a rule id.
pub const INVALID: &str = "invalid";

/// What management may decide about a finding.
pub const STATUSES: [(&str, &str, bool); 7] = [
    ("open", "not yet looked at, or reopened", false),
    ("investigating", "being looked into", false),
    ("escalated", "passed to legal or the export-control officer", false),
    ("confirmed_breach", "a breach: to be disclosed", false),
    ("reported", "disclosed to the authority", true),
    ("licence_on_file", "authorised: the licence is on file", true),
    ("cleared", "not a breach (a false positive, an exemption that holds)", true),
];

/// Whether a status closes the item.
pub fn closes(status: &str) -> bool {
    STATUSES.iter().any(|(s, _, closed)| *s == status && *closed)
}

/// The register file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterFile {
    /// The dispositions, in the order recorded.
    #[serde(default)]
    pub dispositions: Vec<Disposition>,
}

/// One decision about one finding (a record and a rule) or one invalid record.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Disposition {
    /// The record id.
    pub record: String,
    /// The rule id, or `invalid` for a record that could not be read.
    pub rule: String,
    /// One of [`STATUSES`].
    pub status: String,
    /// Why.
    pub rationale: String,
    /// Where the evidence is kept (a case number, a file reference).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// Who decided.
    pub prepared_by: String,
    /// When (YYYY-MM-DD).
    pub prepared_on: String,
    /// Who approved, independently of the preparer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    /// When.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_on: Option<String>,
    /// The last day it holds; after it the finding is open again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// What the finding rested on when it was decided.
    pub basis: Basis,
}

/// Fingerprints of what a finding rests on: the record's content, the
/// rule's text, and the evidence (values read, list entries matched).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Basis {
    /// The record's fields as read (16 hex digits of SHA-256).
    pub record: String,
    /// The rule's text in its pack (none for an invalid record).
    pub rule: String,
    /// The finding's outcome, evidence and matches.
    pub evidence: String,
}

/// Short fingerprint: 16 hex digits of SHA-256.
pub fn short_hash(parts: &[&str]) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    crate::source::hex(&h.finalize())[..16].to_string()
}

/// A register loaded for a run.
#[derive(Debug, Clone, Default)]
pub struct Register {
    /// The file as named, and its SHA-256.
    pub file: String,
    /// Its SHA-256.
    pub sha256: String,
    /// The dispositions.
    pub entries: Vec<Disposition>,
    by_key: HashMap<(String, String), usize>,
}

impl Register {
    /// Reads a register (an empty file is an empty register). Each entry is
    /// checked: a known status, dates that read, a rationale and a preparer,
    /// an approver other than the preparer; one entry per record and rule.
    pub fn parse(file: &str, text: &str) -> Result<Register, String> {
        let parsed: RegisterFile = if text.trim().is_empty() {
            RegisterFile::default()
        } else {
            serde_yaml::from_str(text).map_err(|e| format!("{file}: {e}"))?
        };
        let mut by_key = HashMap::new();
        for (i, d) in parsed.dispositions.iter().enumerate() {
            let at = format!("{file}: disposition {} (`{}` / `{}`)", i + 1, d.record, d.rule);
            check_entry(d).map_err(|e| format!("{at}: {e}"))?;
            if by_key.insert((d.record.clone(), d.rule.clone()), i).is_some() {
                return Err(format!("{at}: a second disposition of the same record and rule; keep one"));
            }
        }
        Ok(Register {
            file: file.to_string(),
            sha256: crate::source::sha256_hex(text.as_bytes()),
            entries: parsed.dispositions,
            by_key,
        })
    }

    /// The disposition of `rule` (or [`INVALID`]) on record `record`.
    pub fn get(&self, record: &str, rule: &str) -> Option<(usize, &Disposition)> {
        let i = *self.by_key.get(&(record.to_string(), rule.to_string()))?;
        Some((i, &self.entries[i]))
    }

    /// Adds or replaces the disposition of its record and rule.
    pub fn put(&mut self, d: Disposition) -> Result<(), String> {
        check_entry(&d)?;
        let key = (d.record.clone(), d.rule.clone());
        match self.by_key.get(&key) {
            Some(i) => self.entries[*i] = d,
            None => {
                self.by_key.insert(key, self.entries.len());
                self.entries.push(d);
            }
        }
        Ok(())
    }

    /// The register as YAML, with a header saying what it is.
    pub fn to_yaml(&self) -> Result<String, String> {
        let body =
            serde_yaml::to_string(&RegisterFile { dispositions: self.entries.clone() }).map_err(|e| e.to_string())?;
        Ok(format!(
            "# Cordon disposition register: management's decision on each finding and invalid\n# record (docs/report.md). Written by `cordon review`; keep it under version control.\n{body}"
        ))
    }
}

fn check_entry(d: &Disposition) -> Result<(), String> {
    if !STATUSES.iter().any(|(s, ..)| *s == d.status) {
        let known: Vec<&str> = STATUSES.iter().map(|(s, ..)| *s).collect();
        return Err(format!("`status: {}` is not a status; use one of {}", d.status, known.join(", ")));
    }
    for (key, v) in
        [("record", &d.record), ("rule", &d.rule), ("rationale", &d.rationale), ("prepared_by", &d.prepared_by)]
    {
        if v.trim().is_empty() {
            return Err(format!("`{key}` is empty"));
        }
    }
    Date::parse(&d.prepared_on).map_err(|e| format!("`prepared_on`: {e}"))?;
    for (key, v) in [("approved_on", &d.approved_on), ("expires", &d.expires)] {
        if let Some(v) = v {
            Date::parse(v).map_err(|e| format!("`{key}`: {e}"))?;
        }
    }
    if d.approved_by.is_some() != d.approved_on.is_some() {
        return Err("`approved_by` and `approved_on` go together".into());
    }
    if let Some(a) = &d.approved_by
        && same_person(a, &d.prepared_by)
    {
        return Err(format!("`approved_by: {a}` is the preparer: an approval must come from another person"));
    }
    Ok(())
}

fn same_person(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    norm(a) == norm(b)
}

/// A finding's disposition as a report shows it.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DispositionView {
    /// The status recorded.
    pub status: String,
    /// Whether it holds: `current`, `stale` (what the finding rests on
    /// changed), `expired`, `refused` (a date that cannot be) or
    /// `unapproved` (closing it needs a second approver). Only a current
    /// disposition counts; the others leave the finding open.
    pub state: String,
    /// Why it does not hold, when it does not.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Why the status.
    pub rationale: String,
    /// Evidence reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// Preparer.
    pub prepared_by: String,
    /// Prepared on.
    pub prepared_on: String,
    /// Approver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    /// Approved on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_on: Option<String>,
    /// Expiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

impl DispositionView {
    /// The status that counts: the recorded one when the disposition holds, else `open`.
    pub fn effective(&self) -> &str {
        if self.state == "current" { &self.status } else { "open" }
    }
}

/// What a disposition is judged against.
pub struct Judged<'a> {
    /// The finding's basis now.
    pub basis: &'a Basis,
    /// The record's transaction date, if known.
    pub record_date: Option<Date>,
    /// The report's date.
    pub as_of: Date,
    /// Whether closing the finding needs a second approver (a block finding,
    /// or a screening match scoring at least [`SECOND_APPROVER_SCORE`]).
    pub needs_approver: bool,
}

/// Judges a disposition against what its finding rests on now.
pub fn judge(d: &Disposition, j: &Judged<'_>) -> DispositionView {
    let mut notes = Vec::new();
    let mut state = "current";
    let date = |s: &str| Date::parse(s).ok();
    let prepared = date(&d.prepared_on);
    if prepared.is_some_and(|p| p > j.as_of) {
        notes.push(format!("prepared on {}, after the report's date {}", d.prepared_on, j.as_of));
        state = "refused";
    }
    if let (Some(p), Some(r)) = (prepared, j.record_date)
        && p < r
    {
        notes.push(format!("prepared on {}, before the record's date {r}", d.prepared_on));
        state = "refused";
    }
    if let Some(a) = d.approved_on.as_deref().and_then(date) {
        if a > j.as_of {
            notes.push(format!("approved on {a}, after the report's date {}", j.as_of));
            state = "refused";
        }
        if prepared.is_some_and(|p| a < p) {
            notes.push(format!("approved on {a}, before it was prepared"));
            state = "refused";
        }
    }
    if state == "current" {
        let mut changed = Vec::new();
        if d.basis.record != j.basis.record {
            changed.push("the record's content");
        }
        if d.basis.rule != j.basis.rule {
            changed.push("the rule");
        }
        if d.basis.evidence != j.basis.evidence {
            changed.push("the evidence (values read or list entries matched)");
        }
        if !changed.is_empty() {
            notes.push(format!("{} changed since it was decided", changed.join(", ")));
            state = "stale";
        }
    }
    if state == "current"
        && let Some(e) = d.expires.as_deref().and_then(date)
        && e < j.as_of
    {
        notes.push(format!("expired {e}"));
        state = "expired";
    }
    if state == "current" && closes(&d.status) && j.needs_approver && d.approved_by.is_none() {
        notes.push("closing a block finding or a near-certain match needs a second approver".into());
        state = "unapproved";
    }
    DispositionView {
        status: d.status.clone(),
        state: state.to_string(),
        notes,
        rationale: d.rationale.clone(),
        evidence: d.evidence.clone(),
        prepared_by: d.prepared_by.clone(),
        prepared_on: d.prepared_on.clone(),
        approved_by: d.approved_by.clone(),
        approved_on: d.approved_on.clone(),
        expires: d.expires.clone(),
    }
}

/// The register's standing in a report.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct DispositionSummary {
    /// The register file, if one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Its SHA-256.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Items (findings and invalid records) per effective status, open first.
    pub by_status: Vec<StatusCount>,
    /// Items whose disposition does not hold, by why: stale, expired, refused, unapproved.
    pub not_holding: BTreeMap<String, u64>,
    /// Dispositions in the register that match no finding of this report
    /// (the finding went away, or the record is not in these inputs).
    pub unmatched: Vec<String>,
}

impl DispositionSummary {
    /// Items (findings and invalid records) left open — no disposition that
    /// closes them holds — and all items.
    pub fn open_items(&self) -> (u64, u64) {
        let count = |s: &StatusCount| s.block + s.review + s.invalid;
        let all = self.by_status.iter().map(count).sum();
        let open = self.by_status.iter().filter(|s| !closes(&s.status)).map(count).sum();
        (open, all)
    }
}

/// Items in one status.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct StatusCount {
    /// The status (`open` for items with no disposition that holds).
    pub status: String,
    /// Block findings in it.
    pub block: u64,
    /// Review findings in it.
    pub review: u64,
    /// Invalid records in it.
    pub invalid: u64,
    /// The oldest item's age in days: since its transaction date for open
    /// items, since the disposition was prepared for the others.
    pub oldest_days: Option<i64>,
}

/// Counts items by status as a report is built.
#[derive(Debug, Default)]
pub struct Tally {
    /// status → (block, review, invalid, oldest days)
    by: BTreeMap<String, (u64, u64, u64, Option<i64>)>,
    not_holding: BTreeMap<String, u64>,
    used: Vec<bool>,
}

impl Tally {
    /// Counts one item: its severity (`block`, `review` or `invalid`), its
    /// disposition if any, and its age in days.
    pub fn add(&mut self, severity: &str, view: Option<&DispositionView>, age: Option<i64>) {
        let status = view.map_or("open", DispositionView::effective).to_string();
        if let Some(v) = view
            && v.state != "current"
        {
            *self.not_holding.entry(v.state.clone()).or_default() += 1;
        }
        let e = self.by.entry(status).or_default();
        match severity {
            "block" => e.0 += 1,
            "review" => e.1 += 1,
            _ => e.2 += 1,
        }
        if let Some(a) = age {
            e.3 = Some(e.3.map_or(a, |o: i64| o.max(a)));
        }
    }

    /// Marks register entry `i` as matching an item.
    pub fn used(&mut self, i: usize) {
        if self.used.len() <= i {
            self.used.resize(i + 1, false);
        }
        self.used[i] = true;
    }

    /// The summary.
    pub fn finish(self, register: Option<&Register>) -> DispositionSummary {
        let order = |s: &str| STATUSES.iter().position(|(x, ..)| *x == s).unwrap_or(usize::MAX);
        let mut by_status: Vec<StatusCount> = self
            .by
            .into_iter()
            .map(|(status, (block, review, invalid, oldest_days))| StatusCount {
                status,
                block,
                review,
                invalid,
                oldest_days,
            })
            .collect();
        by_status.sort_by_key(|s| order(&s.status));
        let unmatched = register.map_or_else(Vec::new, |r| {
            r.entries
                .iter()
                .enumerate()
                .filter(|(i, _)| !self.used.get(*i).copied().unwrap_or(false))
                .map(|(_, d)| format!("{} / {} ({})", d.record, d.rule, d.status))
                .collect()
        });
        DispositionSummary {
            file: register.map(|r| r.file.clone()),
            sha256: register.map(|r| r.sha256.clone()),
            by_status,
            not_holding: self.not_holding,
            unmatched,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Disposition {
        Disposition {
            record: "TX-1".into(),
            rule: "KP-DESIG-PARTY".into(),
            status: "cleared".into(),
            rationale: "another person of the same name".into(),
            evidence: Some("case 7".into()),
            prepared_by: "A. Analyst".into(),
            prepared_on: "2026-11-30".into(),
            approved_by: Some("B. Officer".into()),
            approved_on: Some("2026-12-01".into()),
            expires: None,
            basis: Basis { record: "r".into(), rule: "u".into(), evidence: "e".into() },
        }
    }

    fn judged(basis: &Basis) -> Judged<'_> {
        Judged {
            basis,
            record_date: Date::parse("2017-03-01").ok(),
            as_of: Date::parse("2026-12-05").unwrap(),
            needs_approver: true,
        }
    }

    #[test]
    fn a_disposition_holds_until_what_it_rests_on_changes() {
        let d = entry();
        assert_eq!(judge(&d, &judged(&d.basis)).state, "current");
        let changed = Basis { record: "r2".into(), ..d.basis.clone() };
        let v = judge(&d, &judged(&changed));
        assert_eq!((v.state.as_str(), v.effective()), ("stale", "open"));
        assert!(v.notes[0].contains("the record's content"), "{:?}", v.notes);
    }

    #[test]
    fn dates_that_cannot_be_and_missing_approvals_are_refused() {
        let d = Disposition { prepared_on: "2030-01-01".into(), approved_on: Some("2030-01-02".into()), ..entry() };
        assert_eq!(judge(&d, &judged(&d.basis)).state, "refused");
        let d = Disposition { prepared_on: "2016-01-01".into(), approved_on: Some("2016-01-02".into()), ..entry() };
        assert_eq!(judge(&d, &judged(&d.basis)).state, "refused");
        let d = Disposition { approved_by: None, approved_on: None, ..entry() };
        assert_eq!(judge(&d, &judged(&d.basis)).state, "unapproved");
        // An open status needs no approval; an expired one no longer holds.
        let d = Disposition { status: "investigating".into(), approved_by: None, approved_on: None, ..entry() };
        assert_eq!(judge(&d, &judged(&d.basis)).state, "current");
        let d = Disposition { expires: Some("2026-12-01".into()), ..entry() };
        assert_eq!(judge(&d, &judged(&d.basis)).state, "expired");
    }

    #[test]
    fn the_register_checks_each_entry() {
        let mut r = Register::default();
        r.put(entry()).expect("valid");
        assert!(r.put(Disposition { status: "fine".into(), ..entry() }).unwrap_err().contains("not a status"));
        let same = Disposition { approved_by: Some("a. analyst".into()), ..entry() };
        assert!(r.put(same).unwrap_err().contains("another person"));
        let yaml = r.to_yaml().expect("yaml");
        let back = Register::parse("d.yaml", &yaml).expect("reads back");
        assert_eq!(back.entries, r.entries);
        let twice = format!(
            "{yaml}{}",
            yaml.lines().skip_while(|l| !l.starts_with("- ")).map(|l| format!("{l}\n")).collect::<String>()
        );
        assert!(Register::parse("d.yaml", &twice).unwrap_err().contains("same record and rule"));
    }
}
