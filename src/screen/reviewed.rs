//! Cleared matches: screening matches a person reviewed and found to be
//! false positives. A clearance names the screened name, the list entry and a
//! hash of the entry's content; it suppresses that pair as long as the entry
//! is unchanged, and stops applying the moment the list changes the entry.

use std::collections::HashMap;

use super::normalize::tokens;
use crate::config::ReviewedMatch;

/// The clearances of a run.
#[derive(Debug, Clone, Default)]
pub struct Clearances {
    /// The reviewed-matches file, as shown in reports.
    pub file: Option<String>,
    /// Its SHA-256.
    pub sha256: Option<String>,
    /// The clearances, in file order.
    pub entries: Vec<ReviewedMatch>,
    by_key: HashMap<(String, String, String), Vec<usize>>,
}

/// What a clearance says about one screening match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cleared {
    /// No clearance for this pair.
    No,
    /// Cleared: suppress it (index of the clearance).
    Yes(usize),
    /// A clearance exists but does not apply, and why (index of the clearance).
    Refused(usize, Refusal),
}

/// Why a clearance of a match does not apply: the match is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The list entry changed since it was reviewed.
    EntryChanged,
    /// Its `expires` date has passed.
    Expired,
    /// It was made before the transaction it would clear.
    BeforeRecord,
    /// It is scoped to another record (`record:`).
    OtherRecord,
    /// The match scores at least [`SECOND_APPROVER_SCORE`] and no second
    /// person approved the clearance.
    NeedsApprover,
}

/// A screening score from which a clearance needs a second approver.
pub const SECOND_APPROVER_SCORE: rust_decimal::Decimal = rust_decimal::Decimal::from_parts(95, 0, 0, false, 2);

impl Refusal {
    /// Says why, naming the clearance.
    pub fn says(self, c: &ReviewedMatch) -> String {
        let who = format!("cleared by {} on {}", c.reviewer, c.date);
        match self {
            Refusal::EntryChanged => format!("{who}; the entry has changed since"),
            Refusal::Expired => format!("{who}; the clearance expired {}", c.expires.as_deref().unwrap_or("")),
            Refusal::BeforeRecord => format!("{who}, before the transaction: it cannot have reviewed it"),
            Refusal::OtherRecord => format!("{who} for record {} only", c.record.as_deref().unwrap_or("")),
            Refusal::NeedsApprover => {
                format!(
                    "{who}; a match scoring {SECOND_APPROVER_SCORE} or more needs a second approver (`approved_by`)"
                )
            }
        }
    }
}

/// The match a clearance is asked about.
#[derive(Debug, Clone, Copy)]
pub struct Asked<'a> {
    /// The match's score.
    pub score: rust_decimal::Decimal,
    /// The record screened, by id and transaction date (none for a name
    /// screened on its own).
    pub record: Option<(&'a str, crate::values::Date)>,
}

/// The key names are compared by: normalised tokens.
pub fn name_key(name: &str) -> String {
    tokens(name).into_iter().map(|t| t.text).collect::<Vec<_>>().join(" ")
}

impl Clearances {
    /// Clearances from a reviewed-matches file.
    pub fn new(file: Option<String>, sha256: Option<String>, entries: Vec<ReviewedMatch>) -> Clearances {
        let mut by_key: HashMap<(String, String, String), Vec<usize>> = HashMap::new();
        for (i, m) in entries.iter().enumerate() {
            by_key.entry((m.list.clone(), m.reference.clone(), name_key(&m.name))).or_default().push(i);
        }
        Clearances { file, sha256, entries, by_key }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Looks up a match of `name` against entry `reference` of `list`, whose
    /// content hash is now `entry_hash`. A clearance applies only while the
    /// entry is unchanged, before its expiry (against today's date), when
    /// made on or after the transaction, for its record if it names one, and
    /// with a second approver for a near-certain match.
    pub fn check(&self, name: &str, list: &str, reference: &str, entry_hash: &str, asked: Asked<'_>) -> Cleared {
        if self.entries.is_empty() {
            return Cleared::No;
        }
        let Some(ids) = self.by_key.get(&(list.to_string(), reference.to_string(), name_key(name))) else {
            return Cleared::No;
        };
        let today = crate::values::Date::today();
        let mut refused = None;
        for &i in ids {
            let c = &self.entries[i];
            let why = if c.entry_hash != entry_hash {
                Some(Refusal::EntryChanged)
            } else if let (Some(scope), Some((id, _))) = (&c.record, asked.record)
                && scope != id
            {
                Some(Refusal::OtherRecord)
            } else if c.expires.as_deref().and_then(|e| crate::values::Date::parse(e).ok()).is_some_and(|e| e < today) {
                Some(Refusal::Expired)
            } else if let (Ok(made), Some((_, date))) = (crate::values::Date::parse(&c.date), asked.record)
                && made < date
            {
                Some(Refusal::BeforeRecord)
            } else if asked.score >= SECOND_APPROVER_SCORE && c.approved_by.is_none() {
                Some(Refusal::NeedsApprover)
            } else {
                None
            };
            match why {
                None => return Cleared::Yes(i),
                // The most telling refusal: one about this record before one about another.
                Some(w) if refused.is_none_or(|(_, r)| r == Refusal::OtherRecord || r == Refusal::EntryChanged) => {
                    refused = Some((i, w));
                }
                Some(_) => {}
            }
        }
        match refused {
            Some((i, w)) => Cleared::Refused(i, w),
            None => Cleared::No,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A clearance of KPe.025 made on 2026-11-20 by one reviewer.
    fn kpe025() -> ReviewedMatch {
        ReviewedMatch {
            name: "Korea Kwangson Banking Corp".into(),
            list: "UN_SC".into(),
            reference: "KPe.025".into(),
            entry_hash: "aaaa".into(),
            reviewer: "A. Auditor".into(),
            reason: "a different bank".into(),
            date: "2026-11-20".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_clearance_holds_until_the_entry_changes() {
        let m = kpe025();
        let low = Asked { score: rust_decimal::Decimal::new(90, 2), record: None };
        let c = Clearances::new(None, None, vec![m.clone()]);
        assert_eq!(c.check("KOREA KWANGSON BANKING CORPORATION", "UN_SC", "KPe.025", "aaaa", low), Cleared::Yes(0));
        assert_eq!(
            c.check("Korea Kwangson Banking Corp", "UN_SC", "KPe.025", "bbbb", low),
            Cleared::Refused(0, Refusal::EntryChanged)
        );
        assert_eq!(c.check("Korea Kwangson Banking Corp", "OFAC_SDN", "KPe.025", "aaaa", low), Cleared::No);
        assert_eq!(c.check("Another Bank", "UN_SC", "KPe.025", "aaaa", low), Cleared::No);
    }

    #[test]
    fn a_clearance_is_controlled() {
        let m = kpe025();
        let name = "Korea Kwangson Banking Corp";
        let date = |s: &str| crate::values::Date::parse(s).unwrap();
        let sure = Asked { score: rust_decimal::Decimal::ONE, record: Some(("TX-1", date("2026-01-05"))) };
        let check = |m: ReviewedMatch, a: Asked<'_>| {
            Clearances::new(None, None, vec![m]).check(name, "UN_SC", "KPe.025", "aaaa", a)
        };
        assert_eq!(check(m.clone(), sure), Cleared::Refused(0, Refusal::NeedsApprover));
        let approved = ReviewedMatch { approved_by: Some("B. Officer".into()), ..m.clone() };
        assert_eq!(check(approved.clone(), sure), Cleared::Yes(0));
        let later = Asked { record: Some(("TX-1", date("2026-11-21"))), ..sure };
        assert_eq!(check(approved.clone(), later), Cleared::Refused(0, Refusal::BeforeRecord));
        let scoped = ReviewedMatch { record: Some("TX-2".into()), ..approved.clone() };
        assert_eq!(check(scoped, sure), Cleared::Refused(0, Refusal::OtherRecord));
        let expired = ReviewedMatch { expires: Some("2026-11-30".into()), ..approved };
        assert_eq!(check(expired, sure), Cleared::Refused(0, Refusal::Expired));
    }
}
