//! Screening, the reference way: the list's index asked directly for every
//! candidate at the test's own score (no shared cache, no lowest-score
//! floor, no candidate limit), then reviewed clearances and listing dates
//! applied here, independently of `eval::screen`.

use crate::check::{RuleSet, Screen};
use crate::schema::FieldId;
use crate::screen::Query;
use crate::screen::reviewed::{Asked, Cleared, Refusal};
use crate::values::{Date, Decimal};

/// A match, as the explanation tells it.
pub(super) struct Hit {
    reference: String,
    matched_name: String,
    score: Decimal,
    reason: String,
    listed_on: Option<Date>,
    pub(super) listed_after: bool,
    stale: Option<(usize, Refusal)>,
}

/// What screening one value found.
pub(super) struct Found {
    /// The best match that counts.
    pub(super) hit: Option<Hit>,
    /// The best match listed only after the transaction.
    pub(super) later: Option<Hit>,
    /// Matches reviewed clearances suppressed: (clearance, reference, score).
    suppressed: Vec<(usize, String, Decimal)>,
    /// The value has a word too long to be screened fully.
    pub(super) long_word: bool,
}

/// Screens `value` as the test says, on a transaction dated `date`; with
/// `ignore_listing`, entries listed after the date count (marked).
pub(super) fn screen(
    rules: &RuleSet,
    s: &Screen,
    value: &str,
    date: Date,
    record: &str,
    ignore_listing: bool,
) -> Found {
    let mut out = Found { hit: None, later: None, suppressed: Vec::new(), long_word: false };
    let Some(list) = rules.lists.get(s.list) else { return out };
    let index = list.index();
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    let q = Query {
        name: if s.by_imo { String::new() } else { value.to_string() },
        imo: s.by_imo.then_some(digits),
        kinds: s.kinds.clone(),
        programmes: s.programmes.clone(),
        threshold: s.min_score,
        limit: list.snapshot.entries.len().max(1),
        ..Query::default()
    };
    let found = index.screening(&q);
    out.long_word = found.long_word.is_some();
    for c in found.candidates {
        let asked = Asked { score: c.score, record: Some((record, date)) };
        let stale =
            match rules.clearances.check(value, &list.name, &c.reference, index.entry_hash(c.entry_index), asked) {
                Cleared::Yes(i) => {
                    out.suppressed.push((i, c.reference.clone(), c.score));
                    continue;
                }
                Cleared::Refused(i, why) => Some((i, why)),
                Cleared::No => None,
            };
        let listed_on = c.listed_on.as_deref().and_then(|d| Date::parse(d).ok());
        let listed_after = listed_on.is_some_and(|d| d.day_number() > date.day_number());
        let hit = Hit {
            reference: c.reference,
            matched_name: c.matched_name,
            score: c.score,
            reason: c.reason,
            listed_on,
            listed_after,
            stale,
        };
        match (listed_after && !ignore_listing, &out.hit, &out.later) {
            (false, None, _) => out.hit = Some(hit),
            (true, _, None) => out.later = Some(hit),
            _ => {}
        }
    }
    out
}

/// The explanation of a screening test.
pub(super) fn because(rules: &RuleSet, s: &Screen, shown: &str, found: &Found, _field: Option<FieldId>) -> String {
    let Some(list) = rules.lists.get(s.list) else { return String::new() };
    let mut because = match (&found.hit, &found.later) {
        (Some(h), _) => {
            let mut b = format!(
                "{shown} matches {} {} \"{}\" with score {} ({})",
                list.name, h.reference, h.matched_name, h.score, h.reason
            );
            if let Some(d) = h.listed_on {
                b.push_str(&format!("; listed {d}"));
                if h.listed_after {
                    b.push_str(", after the transaction");
                }
            }
            if let Some((c, why)) = h.stale.and_then(|(i, why)| Some((rules.clearances.entries.get(i)?, why))) {
                b.push_str(&format!("; {}, so it does not apply", why.says(c)));
            }
            b
        }
        (None, Some(h)) => format!(
            "{shown} matches {} {} \"{}\" with score {}, but it was listed on {}, after the transaction",
            list.name,
            h.reference,
            h.matched_name,
            h.score,
            h.listed_on.map(|d| d.to_string()).unwrap_or_default()
        ),
        (None, None) if found.long_word => format!(
            "{shown} could not be screened fully against {}: it has a word over {} letters, which is compared only whole",
            list.name,
            crate::screen::MAX_WORD_LETTERS
        ),
        (None, None) => format!("{shown} matches no entry of {} with score {} or more", list.name, s.min_score),
    };
    let notes: Vec<String> = found
        .suppressed
        .iter()
        .filter_map(|(i, reference, score)| {
            let c = rules.clearances.entries.get(*i)?;
            Some(format!("{reference} (score {score}) was cleared by {} on {}: {}", c.reviewer, c.date, c.reason))
        })
        .collect();
    if !notes.is_empty() {
        because.push_str(&format!("; {}", notes.join("; ")));
    }
    because
}
