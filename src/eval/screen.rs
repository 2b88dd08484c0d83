//! Screening inside rules: one value against one list, with listing dates
//! and reviewed clearances applied. Shared by the compiled evaluator and the
//! reference evaluator, so both decide screening the same way.

use crate::check::{RuleSet, Screen};
use crate::findings::{ScreenHit, Suppression};
use crate::schema::FieldId;
use crate::screen::Query;
use crate::screen::reviewed::{Asked, Cleared};
use crate::values::Date;

/// Most candidates looked at per screening test.
const CANDIDATES: usize = 16;

/// What screening one value found.
#[derive(Debug, Default)]
pub struct Screened {
    /// The best match in force on the transaction date (or, when listing
    /// dates are ignored, the best match).
    /// (Boxed, as `later`: most values match nothing, and what is handed
    /// back for each is then small.)
    pub hit: Option<Box<ScreenHit>>,
    /// The best match listed only after the transaction date.
    pub later: Option<Box<ScreenHit>>,
    /// Matches that reviewed clearances suppressed.
    pub suppressed: Vec<Suppression>,
    /// The value has a word too long to be screened fully
    /// ([`crate::screen::Screening::long_word`]).
    pub long_word: bool,
}

/// Screens `value` as the test `s` says (`key`: its [`Screen::spec_key`]),
/// on a transaction dated `date`.
/// With `ignore_listing`, an entry listed after the date counts as a hit
/// (marked `listed_after`): used to tell a rule that would have held.
#[allow(clippy::too_many_arguments)]
pub fn screen_value(
    rules: &RuleSet,
    (s, key): (&Screen, u64),
    value: &str,
    field: Option<FieldId>,
    date: Date,
    record: &str,
    ignore_listing: bool,
) -> Screened {
    let mut out = Screened::default();
    let Some(list) = rules.lists.get(s.list) else { return out };
    let index = list.index();
    // An IMO number by its digits (`IMO 9191773` is 9191773): borrowed when
    // it is digits alone, as it mostly is.
    let value_key: std::borrow::Cow<'_, str> = if s.by_imo && !value.bytes().all(|b| b.is_ascii_digit()) {
        value.chars().filter(char::is_ascii_digit).collect::<String>().into()
    } else {
        value.into()
    };
    // Candidates down to the lowest score any rule asks of the list, once
    // per value; each test keeps those at or above its own score.
    let found = list.cache.get_or(key, &value_key, || {
        let q = Query {
            name: if s.by_imo { String::new() } else { value_key.to_string() },
            imo: s.by_imo.then(|| value_key.to_string()),
            kinds: s.kinds.clone(),
            programmes: s.programmes.clone(),
            threshold: list.floor.min(s.min_score),
            limit: CANDIDATES,
            ..Query::default()
        };
        index.screening(&q)
    });
    out.long_word = found.long_word.is_some();
    for c in found.candidates.iter().filter(|c| c.score >= s.min_score).cloned() {
        let asked = Asked { score: c.score, record: Some((record, date)) };
        let stale =
            match rules.clearances.check(value, &list.name, &c.reference, index.entry_hash(c.entry_index), asked) {
                Cleared::Yes(i) => {
                    out.suppressed.push(Suppression {
                        clearance: i,
                        field,
                        value: value.to_string(),
                        list: s.list,
                        reference: c.reference.clone(),
                        score: c.score,
                    });
                    continue;
                }
                Cleared::Refused(i, why) => Some((i, why)),
                Cleared::No => None,
            };
        let listed_on = c.listed_on.as_deref().and_then(|d| Date::parse(d).ok());
        let listed_after = listed_on.is_some_and(|d| d > date);
        let hit = ScreenHit {
            field,
            value: value.to_string(),
            list: s.list,
            entry: c.entry_index as u32,
            reference: c.reference,
            matched_name: c.matched_name,
            score: c.score,
            reason: c.reason,
            listed_on,
            listed_after,
            stale_clearance: stale,
        };
        if !listed_after || ignore_listing {
            if out.hit.is_none() {
                out.hit = Some(Box::new(hit));
            }
        } else if out.later.is_none() {
            out.later = Some(Box::new(hit));
        }
    }
    out
}

/// The note a finding carries when its match was listed after the transaction.
pub fn listed_after_note(hits: &[ScreenHit], rules: &RuleSet, date: Date) -> String {
    let parts: Vec<String> = hits
        .iter()
        .filter(|h| h.listed_after)
        .map(|h| {
            let list = rules.lists.get(h.list).map_or("?", |l| l.name.as_str());
            let when = h.listed_on.map(|d| d.to_string()).unwrap_or_default();
            format!("{list} {} (\"{}\") was listed on {when}", h.reference, h.matched_name)
        })
        .collect();
    format!(
        " — listed after the transaction: {}, after {date}; not a breach on that date, review the relationship",
        parts.join("; ")
    )
}
