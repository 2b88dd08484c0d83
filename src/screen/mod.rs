//! Screening names against sanctions lists: normalisation across scripts
//! and spellings, an inverted index so that a query looks at a few
//! candidates rather than the whole list, and a score in [0, 1] with the
//! alias that matched and the reason.
//!
//! Scoring compares tokens one to one, in any order: equal tokens score 1,
//! a spelling one or two edits away scores less, two tokens written as one
//! ("Jongun") match their parts. Each token weighs by how distinctive it is
//! in the list; legal forms and generic words (CO, LTD, TRADING) weigh little
//! and can never make a match on their own. The score is the weighted share
//! of both names that matched (a Dice coefficient). A weak alias scores at
//! most 85 % of its match.

pub mod normalize;
pub mod reviewed;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use normalize::{Token, tokens};

use crate::lists::{Entry, Kind, Quality, Snapshot};
use crate::values::{Country, Decimal};

/// The score at which a candidate counts as a match unless a rule or the
/// command line says otherwise: 0.88.
pub const DEFAULT_THRESHOLD: Decimal = Decimal::from_parts(88, 0, 0, false, 2);

/// [`DEFAULT_THRESHOLD`], for callers that prefer a function.
pub fn default_threshold() -> Decimal {
    DEFAULT_THRESHOLD
}

/// A score as reported: three decimal places.
fn to_score(s: f64) -> Decimal {
    Decimal::new((s.clamp(0.0, 1.0) * 1000.0).round() as i64, 3)
}
/// What a match on a weak alias is worth, at most, relative to its score.
pub const WEAK_FACTOR: f64 = 0.85;
/// Posting lists longer than this are not used to find candidates (a token
/// that common finds nothing in particular); they still count in scores.
const MAX_POSTING: usize = 4000;

/// One name of one entry, normalised.
#[derive(Debug)]
struct Alias {
    entry: u32,
    name: u16,
    tokens: Vec<Token>,
}

/// A list, indexed for screening.
#[derive(Debug)]
pub struct ListIndex {
    /// The snapshot.
    pub snapshot: Arc<Snapshot>,
    aliases: Vec<Alias>,
    postings: HashMap<String, Vec<u32>>,
    imo: HashMap<String, Vec<u32>>,
    weights: HashMap<String, f64>,
    hashes: Vec<String>,
}

fn deletes(t: &str) -> Vec<String> {
    let chars: Vec<char> = t.chars().collect();
    (0..chars.len()).map(|i| chars.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, c)| *c).collect()).collect()
}

impl ListIndex {
    /// Indexes a snapshot.
    pub fn new(snapshot: Arc<Snapshot>) -> ListIndex {
        let mut aliases = Vec::new();
        let mut imo: HashMap<String, Vec<u32>> = HashMap::new();
        for (ei, e) in snapshot.entries.iter().enumerate() {
            for (ni, n) in e.names.iter().enumerate() {
                let t = tokens(&n.text);
                if t.iter().any(|x| !x.generic) {
                    aliases.push(Alias { entry: ei as u32, name: ni as u16, tokens: t });
                }
            }
            for i in &e.imo {
                imo.entry(i.clone()).or_default().push(ei as u32);
            }
        }
        // Document frequency over aliases, for weights.
        let mut df: HashMap<&str, usize> = HashMap::new();
        for a in &aliases {
            let mut seen = HashSet::new();
            for t in &a.tokens {
                if seen.insert(t.text.as_str()) {
                    *df.entry(t.text.as_str()).or_default() += 1;
                }
            }
        }
        let n = aliases.len().max(2) as f64;
        let weights: HashMap<String, f64> = df
            .iter()
            .map(|(t, d)| {
                let idf = (n / (1.0 + *d as f64)).ln().max(0.0) / n.ln();
                ((*t).to_string(), (0.5 + 0.5 * idf).clamp(0.5, 1.0))
            })
            .collect();
        let mut postings: HashMap<String, Vec<u32>> = HashMap::new();
        for (ai, a) in aliases.iter().enumerate() {
            let mut keys: HashSet<String> = HashSet::new();
            let distinct: Vec<&Token> = a.tokens.iter().filter(|t| !t.generic).collect();
            for t in &distinct {
                keys.insert(t.text.clone());
                if t.text.chars().count() >= 5 {
                    for d in deletes(&t.text) {
                        keys.insert(format!("~{d}"));
                    }
                }
            }
            for w in a.tokens.windows(2) {
                if !(w[0].generic && w[1].generic) {
                    keys.insert(format!("{}{}", w[0].text, w[1].text));
                }
            }
            for k in keys {
                postings.entry(k).or_default().push(ai as u32);
            }
        }
        let hashes = snapshot.entries.iter().map(crate::lists::store::entry_hash).collect();
        ListIndex { snapshot, aliases, postings, imo, weights, hashes }
    }

    /// The content hash of entry `i` (see [`crate::lists::store::entry_hash`]).
    pub fn entry_hash(&self, i: usize) -> &str {
        self.hashes.get(i).map_or("", String::as_str)
    }

    fn weight(&self, t: &Token) -> f64 {
        if t.generic { 0.2 } else { self.weights.get(&t.text).copied().unwrap_or(1.0) }
    }

    /// The aliases worth scoring for a query.
    fn candidates(&self, q: &[Token]) -> Vec<u32> {
        let mut keys: Vec<String> = Vec::new();
        for t in q.iter().filter(|t| !t.generic) {
            keys.push(t.text.clone());
            if t.text.chars().count() >= 5 {
                keys.push(format!("~{}", t.text));
                for d in deletes(&t.text) {
                    keys.push(format!("~{d}"));
                    keys.push(d);
                }
            }
        }
        for w in q.windows(2) {
            keys.push(format!("{}{}", w[0].text, w[1].text));
        }
        let lists: Vec<&Vec<u32>> = keys.iter().filter_map(|k| self.postings.get(k)).collect();
        let any_small = lists.iter().any(|l| l.len() <= MAX_POSTING);
        let mut out: Vec<u32> =
            lists.into_iter().filter(|l| !any_small || l.len() <= MAX_POSTING).flatten().copied().collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// A screening query.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// The name to screen.
    pub name: String,
    /// Only entries of these kinds (empty: any).
    pub kinds: Vec<Kind>,
    /// A country the party is linked to (ISO code): a small bonus when the entry agrees.
    pub country: Option<Country>,
    /// An IMO number: matches vessels by number, whatever their name.
    pub imo: Option<String>,
    /// Lowest score reported.
    pub threshold: Decimal,
    /// Most candidates reported.
    pub limit: usize,
}

/// A list entry that matches a query.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// List name.
    pub list: String,
    /// The list snapshot's fingerprint.
    pub fingerprint: String,
    /// Index of the list in the screener.
    pub list_index: usize,
    /// Index of the entry in the snapshot.
    pub entry_index: usize,
    /// The entry's reference.
    pub reference: String,
    /// What the entry designates.
    pub kind: Kind,
    /// The name or alias that matched, as the list writes it.
    pub matched_name: String,
    /// Its quality.
    pub quality: Quality,
    /// The score, in [0, 1], to three decimal places.
    pub score: Decimal,
    /// Why: which tokens matched, how.
    pub reason: String,
    /// The entry's listing date.
    pub listed_on: Option<String>,
}

/// How two tokens (or a token and two joined ones) compare.
fn token_sim(a: &str, b: &str) -> (f64, &'static str) {
    if a == b {
        return (1.0, "exact");
    }
    // A doubled letter is the commonest slip, in short names too.
    let squeeze = |s: &str| {
        let mut v: Vec<char> = s.chars().collect();
        v.dedup();
        v
    };
    if squeeze(a) == squeeze(b) {
        return (0.94, "spelling");
    }
    let (la, lb) = (a.chars().count(), b.chars().count());
    if la.min(lb) < 4 {
        return (0.0, "");
    }
    let allowed = if la.max(lb) >= 8 { 2 } else { 1 };
    let d = strsim::damerau_levenshtein(a, b);
    if d <= allowed { (1.0 - 0.08 * d as f64, "spelling") } else { (0.0, "") }
}

/// A span of one or two adjacent tokens.
#[derive(Clone, Copy)]
struct Unit {
    start: usize,
    len: usize,
}

fn units(t: &[Token]) -> Vec<Unit> {
    let mut v: Vec<Unit> = (0..t.len()).map(|i| Unit { start: i, len: 1 }).collect();
    v.extend((0..t.len().saturating_sub(1)).map(|i| Unit { start: i, len: 2 }));
    v
}

fn unit_text(t: &[Token], u: Unit) -> String {
    t[u.start..u.start + u.len].iter().map(|x| x.text.as_str()).collect()
}

/// Scores a query against one alias: the weighted share of both that
/// matched, and the explanation.
fn score(index: &ListIndex, q: &[Token], a: &[Token]) -> (f64, String) {
    let wq: Vec<f64> = q.iter().map(|t| index.weight(t)).collect();
    let wa: Vec<f64> = a.iter().map(|t| index.weight(t)).collect();
    let total = (wq.iter().sum::<f64>() + wa.iter().sum::<f64>()) / 2.0;
    if total <= 0.0 {
        return (0.0, String::new());
    }
    // Every pairing of a query unit with an alias unit that compares well.
    let mut pairs: Vec<(f64, Unit, Unit, &'static str)> = Vec::new();
    for qu in units(q) {
        for au in units(a) {
            if qu.len == 2 && au.len == 2 {
                continue;
            }
            let (qt, at) = (unit_text(q, qu), unit_text(a, au));
            let (s, how) = token_sim(&qt, &at);
            if s > 0.0 {
                let how = if qu.len + au.len > 2 { "joined" } else { how };
                pairs.push((s, qu, au, how));
            }
        }
    }
    // Best pairs first, each token used once.
    pairs.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.start.cmp(&y.1.start)).then(x.2.start.cmp(&y.2.start)));
    let mut used_q = vec![false; q.len()];
    let mut used_a = vec![false; a.len()];
    let mut matched = 0.0;
    let mut distinct_matched = false;
    let mut notes: Vec<String> = Vec::new();
    for (s, qu, au, how) in pairs {
        let qr = qu.start..qu.start + qu.len;
        let ar = au.start..au.start + au.len;
        if used_q[qr.clone()].iter().any(|u| *u) || used_a[ar.clone()].iter().any(|u| *u) {
            continue;
        }
        used_q[qr.clone()].iter_mut().for_each(|u| *u = true);
        used_a[ar.clone()].iter_mut().for_each(|u| *u = true);
        let w = (qr.clone().map(|i| wq[i]).sum::<f64>() + ar.clone().map(|i| wa[i]).sum::<f64>()) / 2.0;
        matched += s * w;
        if qr.clone().any(|i| !q[i].generic) && ar.clone().any(|i| !a[i].generic) {
            distinct_matched = true;
        }
        let qt = unit_text(q, qu);
        let at = a[ar].iter().map(|t| t.text.as_str()).collect::<Vec<_>>().join(" ");
        notes.push(match how {
            "exact" => qt,
            other => format!("{qt}~{at} ({other})"),
        });
    }
    if !distinct_matched {
        return (0.0, String::new());
    }
    let unmatched_q: Vec<&str> = q.iter().zip(&used_q).filter(|(_, u)| !**u).map(|(t, _)| t.text.as_str()).collect();
    let unmatched_a: Vec<&str> = a.iter().zip(&used_a).filter(|(_, u)| !**u).map(|(t, _)| t.text.as_str()).collect();
    let mut reason = format!("matched {}", notes.join(", "));
    if !unmatched_q.is_empty() {
        reason.push_str(&format!("; not in the list name: {}", unmatched_q.join(" ")));
    }
    if !unmatched_a.is_empty() {
        reason.push_str(&format!("; not in the query: {}", unmatched_a.join(" ")));
    }
    ((matched / total).clamp(0.0, 1.0), reason)
}

fn country_matches(entry: &Entry, c: Country) -> bool {
    let want: HashSet<String> = tokens(c.name()).into_iter().filter(|t| !t.generic).map(|t| t.text).collect();
    let code = c.to_string().to_lowercase();
    let names = entry.nationalities.iter().cloned().chain(entry.addresses.iter().filter_map(|a| a.country.clone()));
    names.into_iter().any(|n| {
        let got: HashSet<String> = tokens(&n).into_iter().filter(|t| !t.generic).map(|t| t.text).collect();
        (!want.is_empty() && want.is_subset(&got)) || got.contains(&code) && n.len() == 2
    })
}

/// Screens names against indexed lists.
#[derive(Debug, Default)]
pub struct Screener {
    /// The lists.
    pub lists: Vec<ListIndex>,
}

impl ListIndex {
    /// The candidates scoring at least the query's threshold, best first
    /// (`list_index` is set to 0).
    pub fn screen(&self, q: &Query) -> Vec<Candidate> {
        let index = self;
        let li = 0;
        let snap = &index.snapshot;
        let mut best: HashMap<u32, Candidate> = HashMap::new();
        let offer = |c: Candidate, best: &mut HashMap<u32, Candidate>| {
            let key = c.entry_index as u32;
            match best.get(&key) {
                Some(b) if b.score > c.score || (b.score == c.score && b.matched_name <= c.matched_name) => {}
                _ => {
                    best.insert(key, c);
                }
            }
        };
        let make = |ei: u32, ni: usize, score: Decimal, reason: String| -> Option<Candidate> {
            let e = snap.entries.get(ei as usize)?;
            let n = e.names.get(ni)?;
            Some(Candidate {
                list: snap.name.clone(),
                fingerprint: snap.fingerprint.clone(),
                list_index: li,
                entry_index: ei as usize,
                reference: e.reference.clone(),
                kind: e.kind,
                matched_name: n.text.clone(),
                quality: n.quality,
                score,
                reason,
                listed_on: e.listed_on.clone(),
            })
        };
        if let Some(imo) = &q.imo {
            for ei in index.imo.get(imo).into_iter().flatten() {
                if let Some(c) = make(*ei, 0, Decimal::ONE, format!("IMO number {imo}")) {
                    offer(c, &mut best);
                }
            }
        }
        let qt = tokens(&q.name);
        if qt.iter().any(|t| !t.generic) {
            for ai in index.candidates(&qt) {
                let Some(a) = index.aliases.get(ai as usize) else { continue };
                let Some(entry) = snap.entries.get(a.entry as usize) else { continue };
                if !q.kinds.is_empty() && !q.kinds.contains(&entry.kind) {
                    continue;
                }
                let (mut s, mut reason) = score(index, &qt, &a.tokens);
                if s <= 0.0 {
                    continue;
                }
                let quality = entry.names.get(a.name as usize).map_or(Quality::Strong, |n| n.quality);
                if quality == Quality::Weak {
                    s *= WEAK_FACTOR;
                    reason.push_str("; weak alias");
                }
                if let Some(c) = q.country
                    && country_matches(entry, c)
                {
                    s = (s + 0.03).min(1.0);
                    reason.push_str(&format!("; country {c} agrees"));
                }
                // Scores are reported to three places; compare them so.
                let s = to_score(s);
                if s >= q.threshold
                    && let Some(c) = make(a.entry, a.name as usize, s, reason)
                {
                    offer(c, &mut best);
                }
            }
        }
        let mut out: Vec<Candidate> = best.into_values().collect();
        out.sort_by(|a, b| b.score.cmp(&a.score).then(a.reference.cmp(&b.reference)));
        out.truncate(q.limit.max(1));
        out
    }

}

impl Screener {
    /// A screener over snapshots.
    pub fn new(snapshots: Vec<Arc<Snapshot>>) -> Screener {
        Screener { lists: snapshots.into_iter().map(ListIndex::new).collect() }
    }

    /// The candidates of one list scoring at least the threshold, best first.
    pub fn screen_list(&self, li: usize, q: &Query) -> Vec<Candidate> {
        let Some(index) = self.lists.get(li) else { return Vec::new() };
        let mut out = index.screen(q);
        for c in &mut out {
            c.list_index = li;
        }
        out
    }

    /// The candidates of every list, best first.
    pub fn screen(&self, q: &Query) -> Vec<Candidate> {
        let mut all: Vec<Candidate> = (0..self.lists.len()).flat_map(|li| self.screen_list(li, q)).collect();
        all.sort_by(|a, b| b.score.cmp(&a.score).then(a.list.cmp(&b.list)).then(a.reference.cmp(&b.reference)));
        all.truncate(q.limit.max(1));
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lists::{Name, Quality};

    fn entry(r: &str, kind: Kind, names: &[(&str, Quality)]) -> Entry {
        Entry {
            reference: r.into(),
            kind,
            names: names.iter().map(|(t, q)| Name { text: (*t).into(), quality: *q, script: None }).collect(),
            dates_of_birth: vec![],
            nationalities: vec!["Democratic People's Republic of Korea".into()],
            addresses: vec![],
            imo: if kind == Kind::Vessel { vec!["9191773".into()] } else { vec![] },
            programmes: vec![],
            listed_on: Some("2009-04-24".into()),
            remarks: None,
        }
    }

    fn screener() -> Screener {
        let snap = Snapshot {
            name: "T".into(),
            format: "test".into(),
            sources: vec![],
            published: None,
            fingerprint: "f".into(),
            entries: vec![
                entry("I1", Kind::Individual, &[("KIM Jong Un", Quality::Primary), ("Kim Jong-un", Quality::Strong)]),
                entry("I2", Kind::Individual, &[("RI Su Yong", Quality::Primary), ("Choe Su", Quality::Weak)]),
                entry(
                    "E1",
                    Kind::Entity,
                    &[
                        ("KOREA MINING DEVELOPMENT TRADING CORPORATION", Quality::Primary),
                        ("\"KOMID\"", Quality::Strong),
                    ],
                ),
                entry("E2", Kind::Entity, &[("KINGLY WON INTERNATIONAL CO., LTD", Quality::Primary)]),
                entry("V1", Kind::Vessel, &[("BILLIONS NO. 18", Quality::Primary)]),
            ],
        };
        Screener::new(vec![Arc::new(snap)])
    }

    fn top(s: &Screener, name: &str) -> Option<(String, Decimal)> {
        let q = Query { name: name.into(), threshold: Decimal::new(5, 1), limit: 5, ..Query::default() };
        s.screen(&q).first().map(|c| (c.reference.clone(), c.score))
    }

    #[test]
    fn spellings_scripts_orders_and_typos_match() {
        let s = screener();
        for q in ["Kim Jong Un", "KIM Jong-un", "Jong Un Kim", "김정은", "Ким Чен Ын", "Kim Jongun", "Kim Jong Unn"]
        {
            let (r, sc) = top(&s, q).unwrap_or_else(|| panic!("{q} found nothing"));
            assert_eq!(r, "I1", "{q}");
            assert!(sc >= DEFAULT_THRESHOLD, "{q}: {sc}");
        }
        assert_eq!(top(&s, "Lee Su-yong").map(|x| x.0), Some("I2".into()));
        assert_eq!(top(&s, "Korea Minning Developement Trading Co").map(|x| x.0), Some("E1".into()));
        assert_eq!(top(&s, "KOMID").map(|x| (x.0, x.1)), Some(("E1".into(), Decimal::ONE)));
        assert_eq!(top(&s, "Kingly Won International Company Limited").map(|x| x.1), Some(Decimal::ONE));
    }

    #[test]
    fn generic_words_and_different_people_do_not_match() {
        let s = screener();
        assert!(top(&s, "International Trading Co Ltd").is_none(), "generic words alone");
        let other = top(&s, "Kim Jong Il").map_or(Decimal::ZERO, |x| x.1);
        assert!(other < DEFAULT_THRESHOLD, "{other}");
        let weak = s.screen(&Query { name: "Choe Su".into(), threshold: Decimal::ZERO, limit: 5, ..Query::default() });
        assert!(weak[0].score <= to_score(WEAK_FACTOR) && weak[0].reason.contains("weak alias"));
    }

    #[test]
    fn vessels_match_by_imo_and_queries_by_kind() {
        let s = screener();
        let q = Query {
            name: "Some Other Name".into(),
            imo: Some("9191773".into()),
            threshold: DEFAULT_THRESHOLD,
            limit: 5,
            ..Query::default()
        };
        let c = s.screen(&q);
        assert_eq!((c[0].reference.as_str(), c[0].score), ("V1", Decimal::ONE));
        let q = Query {
            name: "Kim Jong Un".into(),
            kinds: vec![Kind::Entity],
            threshold: Decimal::new(5, 1),
            limit: 5,
            ..Query::default()
        };
        assert!(s.screen(&q).is_empty());
    }
}
