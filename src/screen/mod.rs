//! Screening names against sanctions lists: normalisation across scripts
//! and spellings, an inverted index so that a query looks at a few
//! candidates rather than the whole list, and a score in [0, 1] with the
//! alias that matched and the reason.
//!
//! Scoring compares tokens one to one, in any order: equal tokens score 1, a
//! spelling a letter or two away scores less (less for short words), two
//! tokens written as one ("Jongun") match their parts. Each token weighs by
//! how distinctive it is in the list; legal forms and generic words (CO,
//! LTD, TRADING) weigh little and can never make a match on their own. The
//! score is the weighted share of both names that matched (a Dice
//! coefficient). A weak alias scores at most 85 % of its match.
//!
//! Retrieval finds every alias the scorer could match a query token with:
//! the index keys each token by its text, by a sound-alike key (doubled
//! letters, final -ng), by its one-letter deletions (one edit apart) and,
//! for three-letter syllables, by wildcards. Counting which tokens of the
//! query and of each alias met gives an upper bound on the score, and only
//! aliases whose bound reaches the threshold are scored in full, so the cost
//! of a query follows the few names that share its words, not the list size.

pub mod benchmark;
mod keys;
pub mod normalize;
pub mod persist;
pub mod reviewed;

pub use normalize::TABLES;

use rustc_hash::FxHashMap as HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use normalize::{Token, query_readings, token_variants};

use crate::lists::{Entry, Kind, Quality, Snapshot};
use crate::values::{Country, Decimal};

/// The score at which a candidate counts as a match unless a rule or the
/// command line says otherwise: 0.88.
pub const DEFAULT_THRESHOLD: Decimal = Decimal::from_parts(88, 0, 0, false, 2);

/// [`DEFAULT_THRESHOLD`], for callers that prefer a function.
pub fn default_threshold() -> Decimal {
    DEFAULT_THRESHOLD
}

/// What a match on a weak alias is worth, at most, relative to its score.
pub const WEAK_FACTOR: f64 = 0.85;
/// What a country that agrees adds to a score.
const COUNTRY_BONUS: f64 = 0.03;
/// What a name match is worth when the query's IMO number is not the
/// entry's: 1.000 becomes 0.800, under the default threshold.
const IMO_CONFLICT_FACTOR: f64 = 0.8;
/// How well a run of words inside a longer name must match a listed name
/// to count as containing it: whole.
const CONTAINED_WHOLE: f64 = 0.99;
/// What a listed name found inside a longer one is worth: above the
/// default threshold, below a sure match (0.95), so a review.
const CONTAINED_FACTOR: f64 = 0.94;
/// Tokens of this length or more may match two edits apart.
const TWO_EDITS_FROM: usize = 8;
/// Tokens beyond this many in a name are not used to find candidates (they
/// still count in scores).
const MAX_KEYED: usize = 64;
/// Words longer than this many letters are compared only whole: no spelling
/// keys, no edit distance (both take time that grows with the square of the
/// length: one 400,000-letter word took a minute, red team H4). The longest
/// word of a listed name is well under it. A name with such a word cannot be
/// screened fully, and says so ([`Screening::long_word`]).
pub const MAX_WORD_LETTERS: usize = 64;

/// A score as reported: three decimal places.
fn to_score(s: f64) -> Decimal {
    Decimal::new((s.clamp(0.0, 1.0) * 1000.0).round() as i64, 3)
}

/// A token ready for comparison.
#[derive(Debug, Clone)]
struct Tok {
    text: String,
    /// The word as written, for spelling comparisons (`text` may be a
    /// canonical generic word or variant).
    spelled: String,
    /// Sound-alike key: doubled letters collapsed, common spelling endings folded.
    sound: String,
    /// For a short word that may be a Korean syllable: the key that makes
    /// its romanisations meet (Byeong/Pyong, Guk/Kuk, Jae/Chae).
    korean: Option<String>,
    generic: bool,
    /// Within two letters of a generic word, so it may match one.
    near_generic: bool,
    weight: f64,
    len: usize,
}

/// One name of one entry, normalised.
#[derive(Debug)]
struct Alias {
    entry: u32,
    name: u16,
    toks: Vec<Tok>,
    total: f64,
    /// The words in brackets of a listed name (`(香港)`, `(KKBC)`), indexed
    /// on their own: never looked for inside a longer name.
    bracketed: bool,
    /// A person's patronymic (`Romanovich`, `Vasilievna`), or an
    /// organisation's country word (`KOREA` of KOREA RYONBONG GENERAL
    /// CORPORATION): a part of the name documents often leave out, which
    /// then does not count against the match.
    optional: Option<usize>,
    /// The tokens that may match without a key ([`is_open`]), by bit, and
    /// the weight of those past the 64th: for [`ListIndex::candidates`].
    open: u64,
    open_far: f64,
    /// The weight of the name without its patronymic, if it has one.
    least: f64,
}

/// Whether a token may match without being found by a key: a generic
/// word, a word a letter or two from a generic word, or a long word (two
/// edits apart).
fn is_open(t: &Tok) -> bool {
    t.generic || t.near_generic || t.len >= TWO_EDITS_FROM
}

/// Endings of East Slavic patronymics (and their transliterations).
const PATRONYMIC_ENDINGS: &[&str] =
    &["ovich", "evich", "ovych", "evych", "ovitch", "evitch", "ovna", "evna", "ivna", "ichna", "yivna", "ovic", "evic"];

/// The patronymic of a person's listed name: the first word after the
/// first with a patronymic's ending, in a name of three words or more.
fn patronymic_at(toks: &[Tok]) -> Option<usize> {
    if toks.iter().filter(|t| !t.generic).count() < 3 {
        return None;
    }
    toks.iter()
        .enumerate()
        .skip(1)
        .find(|(_, t)| !t.generic && t.len >= 6 && PATRONYMIC_ENDINGS.iter().any(|e| t.text.ends_with(e)))
        .map(|(i, _)| i)
}

/// What a score is multiplied by when the name's patronymic was left out:
/// the same person, most likely, but not said in full.
const OPTIONAL_FACTOR: f64 = 0.97;

/// What a score is multiplied by when an organisation's name was given
/// without its country word (RYONBONG GENERAL CORPORATION for KOREA
/// RYONBONG GENERAL CORPORATION): below a sure match (0.95 in the shipped
/// packs), a review on the name alone.
const COUNTRY_WORD_FACTOR: f64 = 0.94;

/// The least weight the distinctive words of an organisation's name must
/// keep without its country word for the word to be optional: one rare
/// word, or two common ones (IRAN AIR without IRAN is not a name).
const COUNTRY_WORD_REST: f64 = 0.9;

/// The country word of an organisation's listed name ([`normalize::is_country_word`])
/// that a document may leave out: the first, when the name's other
/// distinctive words weigh enough without it.
fn country_word_at(toks: &[Tok]) -> Option<usize> {
    let i = toks.iter().position(|t| !t.generic && normalize::is_country_word(&t.text))?;
    let rest: f64 = toks.iter().enumerate().filter(|(j, t)| *j != i && !t.generic).map(|(_, t)| t.weight).sum();
    (rest >= COUNTRY_WORD_REST).then_some(i)
}

/// Whether an organisation's name without its country word `i` names only a
/// kind of institution (CENTRAL BANK OF SYRIA, NATIONAL IRANIAN OIL COMPANY,
/// KOREA NATIONAL INSURANCE CORPORATION): its distinctive words, leaving
/// out those that with a country's name name its institutions
/// ([`normalize::is_institution_word`]), weigh less than
/// [`COUNTRY_WORD_REST`]. Such a name is that country's institution only
/// when the party is of that country: the word may then be left out, and
/// not otherwise (Libya's National Oil Corporation is not Iran's).
fn only_an_institution_without(toks: &[Tok], i: usize) -> bool {
    let rest: f64 = toks
        .iter()
        .enumerate()
        .filter(|(j, t)| {
            *j != i && !t.generic && !normalize::is_institution_word(&t.text) && !normalize::is_country_word(&t.text)
        })
        .map(|(_, t)| t.weight)
        .sum();
    rest < COUNTRY_WORD_REST
}

/// What a weak alias's score is multiplied by when it has two or more
/// distinctive words: OFAC's weak aliases (kept in its remarks) are worth a
/// review when written in full, never a sure match.
const WEAK_DISTINCT_FACTOR: f64 = 0.9;

/// Kinds of index keys, so that the same text under two kinds differs.
#[derive(Clone, Copy)]
enum KeyKind {
    Exact,
    Sound,
    Delete,
    Wild,
    Korean,
}

fn key(kind: KeyKind, parts: &[&str]) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    (kind as u8).hash(&mut h);
    for p in parts {
        p.hash(&mut h);
    }
    mix(h.finish())
}

/// MurmurHash3's finaliser: a one-to-one map that spreads every input bit
/// over the whole word, so that keys' top bits are uniform ([`keys::KeyTable`]
/// files keys by them).
fn mix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

/// A posting: an alias and the token of it (or the run of tokens from that
/// index, written together: see [`post_tok`]) the key came from.
#[derive(Debug, Clone, Copy)]
struct Post {
    alias: u32,
    tok: u16,
}

/// The most tokens written together as one word that are read as one
/// (`JANG JA SAN` as `JANGJASAN`; names of Korean ships and companies run
/// their syllables together or apart).
const MAX_RUN: usize = 6;

/// A posting's token field: the token's index, and the run's length less one
/// in the bits above the index (indexes stay under [`MAX_KEYED`]).
fn post_tok(ti: usize, len: usize) -> u16 {
    (ti as u16 & 0xff) | (((len.saturating_sub(1)) as u16) << 8)
}

/// The token index and run length a posting's token field holds.
fn run_of(tok: u16) -> (usize, usize) {
    (usize::from(tok & 0xff), usize::from(tok >> 8) + 1)
}

/// The bits of tokens `ti .. ti + len`.
fn run_bits(ti: usize, len: usize) -> u64 {
    (ti..ti + len).fold(0, |m, i| m | bit(i))
}

/// Whether `word` is the words of `run` written together, as written or as
/// folded (`chunryong` is `chun` + `ryong` though `ryong` folds to `yong`).
fn is_run(word: &Tok, run: &[Tok]) -> bool {
    let glued = |w: &str, parts: &mut dyn Iterator<Item = &str>| {
        let mut rest = w;
        for p in parts {
            match rest.strip_prefix(p) {
                Some(r) => rest = r,
                None => return false,
            }
        }
        rest.is_empty()
    };
    run.len() >= 2
        && [&word.text, &word.spelled].iter().any(|w| {
            glued(w, &mut run.iter().map(|t| t.text.as_str())) || glued(w, &mut run.iter().map(|t| t.spelled.as_str()))
        })
}

/// The forms of a run of tokens written together: of the texts, and of the
/// spellings when they differ.
fn run_forms(run: &[Tok]) -> Vec<String> {
    let text: String = run.iter().map(|t| t.text.as_str()).collect();
    let spelled: String = run.iter().map(|t| t.spelled.as_str()).collect();
    if spelled == text { vec![text] } else { vec![text, spelled] }
}

/// The sound-alike key: doubled letters collapsed, KH read as H, KS as X,
/// a final -ng as -n, the endings -iy/-ii/-yi/-ij as -y and -ei as -ey
/// (Dmitriy/Dmitry, Sergei/Sergey), an initial Ye as E (Yevgeny/Evgeny).
/// Russian romanised in the German, Polish or scientific way: a J inside a
/// word after a consonant, or ending one after a vowel, as Y (Promsvjazbank,
/// Tatjana, Sergej), but not after N or G, where run-together Korean
/// syllables start with J (Chongjin); a hard C as K (Sovcomflot,
/// Sovkomflot): before A, O, U, a consonant other than H, or at the end.
fn sound_of(t: &str) -> String {
    let mut s = t.replace("kh", "h").replace("ks", "x");
    if s.len() > 3 && (s.contains('j') || s.contains('c')) {
        let b = s.as_bytes();
        let vowel = |c: u8| matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y');
        let mut out = Vec::with_capacity(b.len());
        for (i, &c) in b.iter().enumerate() {
            let (prev, next) = (i.checked_sub(1).map(|p| b[p]), b.get(i + 1).copied());
            let y = c == b'j'
                && match (prev, next) {
                    (Some(p), Some(n)) => p.is_ascii_alphabetic() && !vowel(p) && !matches!(p, b'n' | b'g') && vowel(n),
                    (Some(p), None) => vowel(p),
                    _ => false,
                };
            let k = c == b'c'
                && i > 0
                && next.is_none_or(|n| {
                    matches!(n, b'a' | b'o' | b'u') || (n.is_ascii_alphabetic() && !vowel(n) && n != b'h')
                });
            out.push(match (y, k) {
                (true, _) => b'y',
                (_, true) => b'k',
                _ => c,
            });
        }
        s = String::from_utf8(out).unwrap_or(s);
    }
    if let Some(rest) = s.strip_prefix("ye")
        && !rest.is_empty()
    {
        s = format!("e{rest}");
    }
    // Russian е, я, ю after a vowel and at the start of a word, written
    // with or without the Y (BGN/PCGN Bichayev, Alekseyevna; passport
    // Bichaev, Alekseevna) or with I (ICAO since 2013: Iurii, Tatiana).
    if s.len() > 3 {
        for (from, to) in [("iu", "yu"), ("ia", "ya")] {
            if let Some(rest) = s.strip_prefix(from) {
                s = format!("{to}{rest}");
            }
        }
        s = s.replace("ia", "ya").replace("iu", "yu");
        for v in ["aye", "eye", "iye", "oye", "uye"] {
            if s.contains(v) {
                s = s.replace(v, &format!("{}e", &v[..1]));
            }
        }
    }
    for end in ["iy", "ii", "yi", "ij", "yy"] {
        if s.len() > end.len() + 1 && s.ends_with(end) {
            s.truncate(s.len() - end.len());
            s.push('y');
            break;
        }
    }
    if s.len() > 3 && s.ends_with("ei") {
        s.truncate(s.len() - 1);
        s.push('y');
    }
    let mut v: Vec<u8> = s.into_bytes();
    v.dedup();
    let mut s = String::from_utf8(v).unwrap_or_default();
    if s.len() > 2 && s.ends_with("ng") {
        s.pop();
    }
    s
}

/// The key that makes romanisations of Korean syllables meet: an initial
/// G/K, D/T, B/P, J/CH, L/R (and aspirated KH, TH, PH) are not told apart,
/// nor the vowels EO/O, EU/U, YEO/YO, OO/U, EE/I, AE/E; a final H after a
/// vowel (Oh, Koh) and a final -ng (Pyong, Pyon) are dropped. For words of
/// ten letters or fewer: one syllable, or a proper name run together
/// (Taesong, Daesong).
fn korean_of(t: &str) -> Option<String> {
    if t.len() > 10 || t.len() < 2 || !t.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    let (initial, rest) = match t {
        _ if t.starts_with("chh") => ("c", &t[3..]),
        _ if t.starts_with("ch") => ("c", &t[2..]),
        _ if t.starts_with('j') => ("c", &t[1..]),
        _ if t.starts_with("kh") || t.starts_with("th") || t.starts_with("ph") => (&t[..1], &t[2..]),
        _ if t.starts_with('g') || t.starts_with('k') => ("k", &t[1..]),
        _ if t.starts_with('d') || t.starts_with('t') => ("t", &t[1..]),
        _ if t.starts_with('b') || t.starts_with('p') => ("p", &t[1..]),
        _ if t.starts_with('l') || t.starts_with('r') => ("r", &t[1..]),
        _ => ("", t),
    };
    let initial = match initial {
        "g" => "k",
        "d" => "t",
        "b" => "p",
        other => other,
    };
    // Aspirated consonants inside a run-together name (McCune–Reischauer
    // p', t', k' written ph, th, kh: Unpha, Revised Eunpa).
    let rest = rest.replace("ph", "p").replace("th", "t").replace("kh", "k");
    let rest = rest.replace("yeo", "yo").replace("eo", "o").replace("eu", "u").replace("oo", "u");
    let rest = rest.replace("ee", "i").replace("ae", "e");
    let mut s = format!("{initial}{rest}");
    if s.len() > 2 && s.ends_with('h') && !s.ends_with("ch") {
        s.pop();
    }
    if s.len() > 2 && s.ends_with("ng") {
        s.pop();
    }
    let mut v: Vec<u8> = s.into_bytes();
    v.dedup();
    String::from_utf8(v).ok()
}

/// The keys of one token: what finds it from a token that compares well.
fn token_keys(t: &str, out: &mut Vec<u64>) {
    out.push(key(KeyKind::Exact, &[t]));
    out.push(key(KeyKind::Sound, &[&sound_of(t)]));
    if let Some(k) = korean_of(t) {
        out.push(key(KeyKind::Korean, &[&k]));
    }
    let n = t.len();
    if n > MAX_WORD_LETTERS {
        return;
    }
    if n == 3 {
        for i in 0..3 {
            out.push(key(KeyKind::Wild, &[&t[..i], "?", &t[i + 1..]]));
        }
        // Meets a four-letter word with a letter dropped (Feg, Feng).
        out.push(key(KeyKind::Delete, &[t]));
        // Meets the word with two neighbouring letters swapped (Tea, Tae).
        let b = t.as_bytes();
        for i in 0..2 {
            let mut w = b.to_vec();
            w.swap(i, i + 1);
            if let Ok(w) = std::str::from_utf8(&w)
                && w != t
            {
                out.push(key(KeyKind::Exact, &[w]));
            }
        }
    }
    if n >= 4 {
        out.push(key(KeyKind::Delete, &[t]));
        for i in 0..n {
            if t.is_char_boundary(i) && t.is_char_boundary(i + 1) {
                let deleted = format!("{}{}", &t[..i], &t[i + 1..]);
                out.push(key(KeyKind::Delete, &[&deleted]));
            }
        }
    }
}

/// The keys of an ASCII word with two of its letters deleted, without
/// repeats, into `out`.
fn two_letter_deletions(w: &str, out: &mut Vec<u64>) {
    out.clear();
    let b = w.as_bytes();
    let mut deleted = String::with_capacity(b.len());
    for i in 0..b.len() {
        for j in i + 1..b.len() {
            deleted.clear();
            deleted.extend(b[..i].iter().chain(&b[i + 1..j]).chain(&b[j + 1..]).map(|c| char::from(*c)));
            out.push(key(KeyKind::Delete, &[&deleted]));
        }
    }
    out.sort_unstable();
    out.dedup();
}

/// The keys of a prepared token, as written and as folded, without repeats.
fn tok_keys(t: &Tok, out: &mut Vec<u64>) {
    out.clear();
    token_keys(&t.text, out);
    if t.spelled != t.text {
        token_keys(&t.spelled, out);
    }
    out.sort_unstable();
    out.dedup();
}

/// The words in brackets of a listed name, as [`name_forms`] indexes them.
fn bracketed_part(text: &str) -> Option<String> {
    let (open, close) = (text.find('(')?, text.rfind(')')?);
    (open < close).then(|| text[open + 1..close].trim().to_string()).filter(|f| !f.is_empty() && f != text)
}

/// The forms a listed name is indexed under: as written, and for a name
/// with a parenthesis ("GENERAL BUREAU OF ATOMIC ENERGY (GBAE)") also
/// without it and the parenthesis alone, which names the same entry.
///
/// A person's name reads its brackets otherwise: one Latin word in
/// brackets is another spelling of the word before it ("SANTOS, Ahmad
/// (Ahmed)", "Lom-ali Butayev (Butaev)") and stands in for it, never for
/// the whole person; a title or a note in brackets ("(Sheikh) Musa Hilal",
/// "EL PARA (COMBAT NAME)", "(birth name)") is no name at all. Only a
/// bracket in another script (the name in its original script) or of two
/// words or more that is not such a note names the person alone; after a
/// label (`original script: …`) the label is left out.
fn name_forms(text: &str, kind: Kind) -> Vec<String> {
    let mut out = vec![text.to_string()];
    if let (Some(open), Some(close)) = (text.find('('), text.rfind(')'))
        && open < close
    {
        let before = text[..open].trim_end();
        let outside = format!("{before} {}", &text[close + 1..]).trim().to_string();
        let inside = text[open + 1..close].trim().to_string();
        let mut forms = vec![outside];
        if kind != Kind::Individual {
            forms.push(inside);
        } else {
            let named = inside.split_once(':').map_or(inside.as_str(), |(_, rest)| rest).trim();
            let words: Vec<&str> = named.split_whitespace().collect();
            let latin = named.chars().filter(|c| c.is_alphabetic()).all(|c| c.is_ascii_alphabetic());
            match (words.as_slice(), before.rsplit_once(char::is_whitespace)) {
                // Another spelling of the word before the bracket.
                ([word], Some((head, _))) if latin && !is_person_note(word) => {
                    forms.push(format!("{head} {word} {}", &text[close + 1..]).trim().to_string())
                }
                ([word], None) if latin && !before.is_empty() && !is_person_note(word) => {
                    forms.push(format!("{word} {}", &text[close + 1..]).trim().to_string())
                }
                // Several names in one bracket are separated by `;`.
                _ if !latin || (words.len() >= 2 && !is_person_note(named)) => {
                    forms.extend(named.split(';').map(|n| n.trim().to_string()))
                }
                _ => {}
            }
        }
        for f in forms {
            if !f.is_empty() && !out.contains(&f) {
                out.push(f);
            }
        }
    }
    out
}

/// Words in brackets that describe a person's name rather than give one
/// ("(COMBAT NAME)", "(birth name)", "(false identity …)"), as the UN and
/// OFAC lists write them; compared without case.
fn is_person_note(inside: &str) -> bool {
    const NOTES: &[&str] =
        &["name", "identity", "passport", "script", "born", "alias", "nickname", "formerly", "maiden", "third"];
    inside
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| NOTES.iter().any(|n| w.eq_ignore_ascii_case(n)) || w.chars().any(|c| c.is_ascii_digit()))
}

/// Which tokens of a query (`q`) and of an alias (`a`) met through the
/// postings, as bit sets.
#[derive(Default, Clone, Copy)]
struct Met {
    q: u64,
    a: u64,
}

/// What one query word is to a list: its comparison keys, whether it is
/// near a generic word, its weight, and the aliases it finds through the
/// postings with the alias tokens met (empty for a generic word, which
/// finds nothing by key).
#[derive(Debug)]
struct WordInfo {
    sound: String,
    korean: Option<String>,
    near_generic: bool,
    weight: f64,
    found: Vec<(u32, u64)>,
}

/// A word as a query gives it: as read, as written, and whether generic.
type WordKey = (String, String, bool);

/// Shards of [`WordCache`]: two threads rarely wait for each other.
const WORD_CACHE_SHARDS: usize = 16;
/// Most words kept in a list's [`WordCache`] …
const WORD_CACHE_WORDS: usize = 1 << 18;
/// … and most alias references they may hold between them (16 bytes each:
/// some 64 MB).
const WORD_CACHE_FOUND: usize = 1 << 22;

/// What a list's query words were found to be ([`WordInfo`]), kept across
/// the names screened: names share their words (given names, surnames,
/// trade words), and working a word out (its keys, its deletions, the
/// postings they reach) is most of screening a name. A pure memo: a word
/// gives the same [`WordInfo`] whether cached or not, so findings do not
/// depend on what was screened before. When full it stops growing.
#[derive(Debug, Default)]
struct WordCache {
    shards: [std::sync::Mutex<HashMap<WordKey, Arc<WordInfo>>>; WORD_CACHE_SHARDS],
    words: std::sync::atomic::AtomicUsize,
    found: std::sync::atomic::AtomicUsize,
}

impl WordCache {
    fn shard(&self, k: &WordKey) -> &std::sync::Mutex<HashMap<WordKey, Arc<WordInfo>>> {
        let mut h = rustc_hash::FxHasher::default();
        k.hash(&mut h);
        &self.shards[(h.finish() as usize) % WORD_CACHE_SHARDS]
    }

    fn get(&self, k: &WordKey) -> Option<Arc<WordInfo>> {
        // A poisoned shard (a panic elsewhere while it was held) still holds
        // whole entries: each is inserted in one step.
        self.shard(k).lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(k).cloned()
    }

    fn put(&self, k: WordKey, w: Arc<WordInfo>) {
        use std::sync::atomic::Ordering::Relaxed;
        if self.words.load(Relaxed) >= WORD_CACHE_WORDS || self.found.load(Relaxed) + w.found.len() > WORD_CACHE_FOUND {
            return;
        }
        self.words.fetch_add(1, Relaxed);
        self.found.fetch_add(w.found.len(), Relaxed);
        self.shard(&k).lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(k, w);
    }
}

/// The words of one screened name as worked out ([`WordInfo`]), kept while
/// its readings are screened (its parts, its disguise undone and its script
/// variants share most words), also when the list's cache is full.
#[derive(Default)]
struct Memo {
    /// Words worked out whole.
    words: HashMap<WordKey, Arc<WordInfo>>,
    /// Words past the first [`MAX_KEYED`] of a reading, whose `found` is
    /// left empty: never in `words` nor in the list's cache.
    unkeyed: HashMap<WordKey, Arc<WordInfo>>,
}

/// The bit of token `i` in a [`Met`] set (none past 64).
fn bit(i: usize) -> u64 {
    if i < 64 { 1u64 << i } else { 0 }
}

/// A list, indexed for screening.
#[derive(Debug)]
pub struct ListIndex {
    /// The snapshot.
    pub snapshot: Arc<Snapshot>,
    aliases: Vec<Alias>,
    /// Each key's postings: a range of `posts`, which holds them sorted by
    /// key (one allocation, not one per key).
    postings: keys::KeyTable,
    posts: Vec<Post>,
    imo: HashMap<String, Vec<u32>>,
    weights: HashMap<String, f64>,
    /// Each entry's content hash, worked out when first asked for (a
    /// serialisation and a SHA-256 per entry: a tenth of building the index).
    hashes: Vec<std::sync::OnceLock<String>>,
    /// Each entry's countries (nationalities, address countries), as ISO codes.
    countries: Vec<Vec<String>>,
    /// The two-letter deletion neighbourhood of the list's long words (of
    /// [`TWO_EDITS_FROM`] letters or more), sorted by key: a key of a word
    /// with two letters deleted, and the word in `long_words`. With the
    /// one-letter deletions in `postings`, a query word meets every listed
    /// word within two edits (symmetric deletion: two deletions on each side
    /// reach a common string).
    two_deletes: Vec<(u64, u32)>,
    /// The long words `two_deletes` points to.
    long_words: Vec<String>,
    /// The length of the longest keyed word of any alias: a query word more
    /// than two letters longer is not within two edits of any.
    longest_word: usize,
    /// Query words already worked out.
    words: WordCache,
}

impl ListIndex {
    /// Indexes a snapshot.
    pub fn new(snapshot: Arc<Snapshot>) -> ListIndex {
        let mut raw: Vec<(u32, u16, Vec<Token>, bool)> = Vec::new();
        let mut imo: HashMap<String, Vec<u32>> = HashMap::default();
        let mut countries = Vec::with_capacity(snapshot.entries.len());
        for (ei, e) in snapshot.entries.iter().enumerate() {
            for (ni, n) in e.names.iter().enumerate().take(u16::MAX as usize) {
                let forms = name_forms(&n.text, e.kind);
                let inside = bracketed_part(&n.text);
                for f in &forms {
                    let bracketed = inside.as_deref() == Some(f.as_str());
                    for t in token_variants(f) {
                        if t.iter().any(|x| !x.generic)
                            && !raw.iter().rev().take(4).any(|r| r.0 == ei as u32 && r.2 == t)
                        {
                            raw.push((ei as u32, ni as u16, t, bracketed));
                        }
                    }
                }
            }
            for i in &e.imo {
                imo.entry(i.clone()).or_default().push(ei as u32);
            }
            // Each country as its ISO code (the lists write `Korea, North`,
            // `Iran (Islamic Republic of)`, `Russia`): a query's country is
            // compared with the codes. What names no ISO country (`Kosovo`,
            // `undetermined`) agrees with no query.
            let mut cs: Vec<String> = e
                .nationalities
                .iter()
                .chain(e.addresses.iter().filter_map(|a| a.country.as_ref()))
                .filter_map(|c| Country::from_name(c))
                .map(|c| c.to_string())
                .collect();
            cs.sort();
            cs.dedup();
            countries.push(cs);
        }
        // Document frequency over aliases, for weights.
        let mut df: HashMap<&str, usize> = HashMap::default();
        for (_, _, toks, _) in &raw {
            let mut seen: Vec<&str> = Vec::new();
            for t in toks {
                if !seen.contains(&t.text.as_str()) {
                    seen.push(&t.text);
                    *df.entry(t.text.as_str()).or_default() += 1;
                }
            }
        }
        let n = raw.len().max(2) as f64;
        let weights: HashMap<String, f64> = df
            .iter()
            .map(|(t, d)| {
                let idf = (n / (1.0 + *d as f64)).ln().max(0.0) / n.ln();
                ((*t).to_string(), (0.5 + 0.5 * idf).clamp(0.5, 1.0))
            })
            .collect();
        let mut index = ListIndex {
            snapshot,
            aliases: Vec::with_capacity(raw.len()),
            postings: keys::KeyTable::default(),
            posts: Vec::new(),
            imo,
            weights,
            hashes: Vec::new(),
            countries,
            two_deletes: Vec::new(),
            long_words: Vec::new(),
            longest_word: 0,
            words: WordCache::default(),
        };
        // A list's aliases share most of their words: what a word is (its
        // sound and Korean keys, whether it is near a generic word: edit
        // distances to every generic word) is worked out once per word, not
        // once per alias (it was most of building the index).
        let mut near: HashMap<String, bool> = HashMap::default();
        let mut sounds: HashMap<String, (String, Option<String>)> = HashMap::default();
        for (entry, name, toks, bracketed) in raw {
            let toks: Vec<Tok> = toks
                .iter()
                .map(|t| {
                    let (sound, korean) =
                        sounds.entry(t.text.clone()).or_insert_with(|| (sound_of(&t.text), korean_of(&t.text))).clone();
                    let near_generic = !t.generic
                        && match near.get(&t.spelled) {
                            Some(n) => *n,
                            None => {
                                let n = near_generic(&t.spelled);
                                near.insert(t.spelled.clone(), n);
                                n
                            }
                        };
                    Tok {
                        sound,
                        korean,
                        weight: index.weight(t),
                        generic: t.generic,
                        near_generic,
                        len: t.text.len(),
                        text: t.text.clone(),
                        spelled: t.spelled.clone(),
                    }
                })
                .collect();
            let total = toks.iter().map(|t| t.weight).sum();
            let optional = match index.snapshot.entries.get(entry as usize).map(|e| e.kind) {
                Some(Kind::Individual) => patronymic_at(&toks),
                Some(Kind::Entity) => country_word_at(&toks),
                _ => None,
            };
            let open = toks.iter().enumerate().filter(|(_, t)| is_open(t)).fold(0, |m, (i, _)| m | bit(i));
            let open_far = toks.iter().skip(64).filter(|t| is_open(t)).map(|t| t.weight).sum();
            let least = total - optional.and_then(|i| toks.get(i)).map_or(0.0, |t: &Tok| t.weight);
            index.aliases.push(Alias { entry, name, toks, total, bracketed, optional, open, open_far, least });
        }
        // The keys of each word, also worked out once per word.
        let mut word_keys: HashMap<&str, Vec<u64>> = HashMap::default();
        let mut keys = Vec::new();
        let mut posted: Vec<(u64, Post)> = Vec::new();
        for (ai, a) in index.aliases.iter().enumerate() {
            for (ti, t) in a.toks.iter().enumerate().take(MAX_KEYED) {
                if t.generic {
                    continue;
                }
                keys.clear();
                for w in [&t.text, &t.spelled] {
                    keys.extend_from_slice(word_keys.entry(w).or_insert_with(|| {
                        let mut k = Vec::new();
                        token_keys(w, &mut k);
                        k
                    }));
                }
                keys.sort_unstable();
                keys.dedup();
                for k in &keys {
                    posted.push((*k, Post { alias: ai as u32, tok: post_tok(ti, 1) }));
                }
            }
            let keyed = &a.toks[..a.toks.len().min(MAX_KEYED)];
            for len in 2..=MAX_RUN {
                for (ti, w) in keyed.windows(len).enumerate() {
                    if w.iter().all(|t| t.generic) {
                        continue;
                    }
                    for joined in run_forms(w) {
                        posted
                            .push((key(KeyKind::Exact, &[&joined]), Post { alias: ai as u32, tok: post_tok(ti, len) }));
                    }
                }
            }
        }
        // In alias and token order within a key, as they were posted.
        posted.sort_by_key(|(k, _)| *k);
        let (mut keys, mut ends) = (Vec::new(), Vec::new());
        let mut end = 0;
        for run in posted.chunk_by(|x, y| x.0 == y.0) {
            end += run.len();
            keys.push(run[0].0);
            ends.push(end as u32);
        }
        // Sorted, distinct and counted up from the postings themselves.
        index.postings = keys::KeyTable::new(keys, ends).unwrap_or_default();
        index.posts = posted.into_iter().map(|(_, p)| p).collect();
        index.index_long_words();
        index.hashes = index.snapshot.entries.iter().map(|_| std::sync::OnceLock::new()).collect();
        index
    }

    /// Builds `two_deletes` over the keyed long words of the aliases.
    fn index_long_words(&mut self) {
        let mut words: Vec<&str> = Vec::new();
        let mut longest = 0;
        for a in &self.aliases {
            for t in a.toks.iter().take(MAX_KEYED).filter(|t| !t.generic) {
                for w in [&t.text, &t.spelled] {
                    longest = longest.max(w.len());
                    if (TWO_EDITS_FROM..=MAX_WORD_LETTERS).contains(&w.len()) && w.is_ascii() {
                        words.push(w);
                    }
                }
            }
        }
        words.sort_unstable();
        words.dedup();
        let mut table: Vec<(u64, u32)> = Vec::new();
        let mut scratch = Vec::new();
        for (wi, w) in words.iter().enumerate() {
            two_letter_deletions(w, &mut scratch);
            table.extend(scratch.iter().map(|k| (*k, wi as u32)));
        }
        table.sort_unstable();
        table.dedup();
        self.long_words = words.into_iter().map(str::to_string).collect();
        self.two_deletes = table;
        self.longest_word = longest;
    }

    /// The listed long words a query word may be within two edits of (its
    /// own form and one-letter deletions against the listed words'
    /// two-letter deletions), and the keys of its two-letter deletions,
    /// which meet listed words' own forms and one-letter deletions in the
    /// postings.
    fn two_edit_keys(&self, w: &str, words: &mut Vec<u32>, keys: &mut Vec<u64>) {
        keys.clear();
        let n = w.len();
        // Two edits count only from TWO_EDITS_FROM letters on the longer
        // side, so the other is at least two letters shorter.
        if n + 2 < TWO_EDITS_FROM || n > MAX_WORD_LETTERS || n > self.longest_word + 2 || !w.is_ascii() {
            return;
        }
        let probe = |k: u64, words: &mut Vec<u32>| {
            let at = self.two_deletes.partition_point(|(x, _)| *x < k);
            words.extend(self.two_deletes[at..].iter().take_while(|(x, _)| *x == k).map(|(_, wi)| *wi));
        };
        probe(key(KeyKind::Delete, &[w]), words);
        if n >= 5 {
            let mut deleted = String::with_capacity(n);
            for i in 0..n {
                deleted.clear();
                deleted.push_str(&w[..i]);
                deleted.push_str(&w[i + 1..]);
                probe(key(KeyKind::Delete, &[&deleted]), words);
            }
        }
        if n >= TWO_EDITS_FROM {
            two_letter_deletions(w, keys);
            for k in keys.iter() {
                probe(*k, words);
            }
        }
    }

    /// A query's tokens ready for comparison, and what each finds (see
    /// [`WordInfo`]), worked out once per word.
    fn prepare(&self, toks: &[Token], memo: &mut Memo) -> (Vec<Tok>, Vec<Arc<WordInfo>>) {
        let mut infos = Vec::with_capacity(toks.len());
        let prepared = toks
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let k: WordKey = (t.text.clone(), t.spelled.clone(), t.generic);
                let info = if let Some(w) = memo.words.get(&k) {
                    w.clone()
                } else if let Some(w) = self.words.get(&k) {
                    memo.words.insert(k, w.clone());
                    w
                } else if i < MAX_KEYED {
                    let w = Arc::new(self.word_info(t, true));
                    self.words.put(k.clone(), w.clone());
                    memo.words.insert(k, w.clone());
                    w
                } else {
                    // Past the keyed words: what it finds is never asked.
                    memo.unkeyed.entry(k).or_insert_with(|| Arc::new(self.word_info(t, false))).clone()
                };
                let tok = Tok {
                    sound: info.sound.clone(),
                    korean: info.korean.clone(),
                    weight: info.weight,
                    generic: t.generic,
                    near_generic: info.near_generic,
                    len: t.text.len(),
                    text: t.text.clone(),
                    spelled: t.spelled.clone(),
                };
                infos.push(info);
                tok
            })
            .collect();
        (prepared, infos)
    }

    /// What a query word is to this list ([`WordInfo`]); what it finds is
    /// looked up only when `keyed` (the word is among the first
    /// [`MAX_KEYED`] of its reading).
    fn word_info(&self, t: &Token, keyed: bool) -> WordInfo {
        let tok = Tok {
            sound: sound_of(&t.text),
            korean: korean_of(&t.text),
            weight: self.weight(t),
            generic: t.generic,
            near_generic: !t.generic && near_generic(&t.spelled),
            len: t.text.len(),
            text: t.text.clone(),
            spelled: t.spelled.clone(),
        };
        let found = if t.generic || !keyed { Vec::new() } else { self.found_by(&tok) };
        WordInfo { sound: tok.sound, korean: tok.korean, near_generic: tok.near_generic, weight: tok.weight, found }
    }

    /// The content hash of entry `i` (see [`crate::lists::store::entry_hash`]).
    pub fn entry_hash(&self, i: usize) -> &str {
        match (self.hashes.get(i), self.snapshot.entries.get(i)) {
            (Some(h), Some(e)) => h.get_or_init(|| crate::lists::store::entry_hash(e)),
            _ => "",
        }
    }

    /// The number of aliases indexed (names and their script variants).
    pub fn aliases(&self) -> usize {
        self.aliases.len()
    }

    fn weight(&self, t: &Token) -> f64 {
        if t.generic {
            if normalize::is_legal_form(&t.text) { 0.05 } else { 0.2 }
        } else {
            self.weights.get(&t.text).copied().unwrap_or(1.0)
        }
    }

    /// The postings of a key.
    fn posted(&self, k: u64) -> &[Post] {
        self.postings.get(k).and_then(|(a, b)| self.posts.get(a..b)).unwrap_or(&[])
    }

    /// The aliases one query word finds through the postings, each with the
    /// alias tokens it met (in [`ListIndex::meet`]'s bits), by alias.
    fn found_by(&self, t: &Tok) -> Vec<(u32, u64)> {
        let (mut keys, mut words, mut deletions) = (Vec::new(), Vec::new(), Vec::new());
        tok_keys(t, &mut keys);
        // Listed words two edits away (long words): their own postings,
        // and the postings of the word's two-letter deletions.
        let forms: &[&String] = if t.spelled == t.text { &[&t.text] } else { &[&t.text, &t.spelled] };
        for w in forms {
            self.two_edit_keys(w, &mut words, &mut deletions);
            keys.extend_from_slice(&deletions);
        }
        words.sort_unstable();
        words.dedup();
        keys.extend(words.iter().filter_map(|wi| self.long_words.get(*wi as usize)).map(|w| key(KeyKind::Exact, &[w])));
        keys.sort_unstable();
        keys.dedup();
        let mut found: Vec<(u32, u64)> = Vec::new();
        for k in &keys {
            for p in self.posted(*k) {
                let (ti, len) = run_of(p.tok);
                found.push((p.alias, run_bits(ti, len)));
            }
        }
        found.sort_unstable_by_key(|(alias, _)| *alias);
        found.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                kept.1 |= later.1;
            }
            same
        });
        found
    }

    /// The aliases a query's tokens find through the postings, with which
    /// tokens of each side met, from what each word finds (`infos`, from
    /// [`ListIndex::prepare`]).
    fn meet(&self, q: &[Tok], infos: &[Arc<WordInfo>]) -> HashMap<u32, Met> {
        let mut met: HashMap<u32, Met> = HashMap::default();
        for (qi, (t, info)) in q.iter().zip(infos).enumerate().take(MAX_KEYED) {
            if t.generic {
                continue;
            }
            for &(alias, a) in &info.found {
                let m = met.entry(alias).or_default();
                m.q |= bit(qi);
                m.a |= a;
            }
        }
        // Query tokens written apart that an alias writes as one token.
        let keyed = &q[..q.len().min(MAX_KEYED)];
        for len in 2..=MAX_RUN {
            for (qi, w) in keyed.windows(len).enumerate() {
                for joined in run_forms(w) {
                    for p in self.posted(key(KeyKind::Exact, &[&joined])) {
                        let (ti, alen) = run_of(p.tok);
                        if alen == 1 {
                            let m = met.entry(p.alias).or_default();
                            m.q |= run_bits(qi, len);
                            m.a |= bit(ti);
                        }
                    }
                }
            }
        }
        met
    }

    /// The aliases whose score could reach `floor`, of those the query's
    /// tokens found ([`ListIndex::meet`]), with an upper bound on each score.
    fn candidates(&self, q: &[Tok], met: &HashMap<u32, Met>, floor: f64) -> Vec<u32> {
        // What may match without being found by a key ([`is_open`]) counts
        // as met on both sides.
        let q_total: f64 = q.iter().map(|t| t.weight).sum();
        let q_open: u64 = q.iter().enumerate().filter(|(_, t)| is_open(t)).fold(0, |m, (i, _)| m | bit(i));
        // The weights of the tokens whose bits are set, in token order.
        let sum_bits = |mut bits: u64, toks: &[Tok]| -> f64 {
            let mut sum = 0.0;
            while bits != 0 {
                let i = bits.trailing_zeros() as usize;
                sum += toks.get(i).map_or(0.0, |t| t.weight);
                bits &= bits - 1;
            }
            sum
        };
        let mut out: Vec<u32> = met
            .iter()
            .filter(|(ai, m)| {
                let Some(a) = self.aliases.get(**ai as usize) else { return false };
                let qm = sum_bits(m.q | q_open, q);
                let am = sum_bits(m.a | a.open, &a.toks) + a.open_far;
                let bound = (qm + am) / (q_total + a.least).max(f64::MIN_POSITIVE);
                bound + 1e-9 >= floor
            })
            .map(|(ai, _)| *ai)
            .collect();
        out.sort_unstable();
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
    /// Only entries listed under one of these programmes (empty: any), compared without case.
    pub programmes: Vec<String>,
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

/// What screening a name found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Screening {
    /// The candidates scoring at least the threshold, best first.
    pub candidates: Vec<Candidate>,
    /// The length of the longest word of the name, when it is longer than
    /// [`MAX_WORD_LETTERS`]: such a word is compared only whole, so a listed
    /// name misspelt or hidden inside it is not found. The name was not
    /// screened fully, and needs a person to look at it.
    pub long_word: Option<usize>,
}

impl Screening {
    /// The note to show for a name that could not be screened fully.
    pub fn note(&self) -> Option<String> {
        self.long_word.map(|n| {
            format!("the name has a word of {n} letters; words over {MAX_WORD_LETTERS} letters are compared only whole: review it by hand")
        })
    }
}

/// The note, in evaluation, of a screening test whose value has a word too
/// long to be screened fully: the test is undecided, and the rule goes to review.
pub const LONG_WORD_NOTE: &str = "a screened name has a word over 64 letters, which is compared only whole";

/// Whether an entry is of a kind and programme the query asks for.
fn wanted(q: &Query, e: &Entry) -> bool {
    (q.kinds.is_empty() || q.kinds.contains(&e.kind))
        && (q.programmes.is_empty()
            || e.programmes.iter().any(|p| q.programmes.iter().any(|w| w.eq_ignore_ascii_case(p))))
}

/// Optimal string alignment distance between two ASCII words, or `None`
/// when it is more than `max`.
fn edits(a: &[u8], b: &[u8], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    if a.len() > MAX_WORD_LETTERS || b.len() > MAX_WORD_LETTERS {
        return (a == b).then_some(0);
    }
    let w = b.len() + 1;
    let mut prev2 = [0usize; MAX_WORD_LETTERS + 1];
    let mut prev = [0usize; MAX_WORD_LETTERS + 1];
    let mut cur = [0usize; MAX_WORD_LETTERS + 1];
    for (j, p) in prev.iter_mut().enumerate().take(w) {
        *p = j;
    }
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..w {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
        prev2[..w].copy_from_slice(&prev[..w]);
        prev[..w].copy_from_slice(&cur[..w]);
    }
    let d = prev[w - 1];
    (d <= max).then_some(d)
}

/// Whether a word reads as one romanised Korean syllable: an initial
/// consonant (or none), a vowel, a final consonant (or none), in Revised
/// Romanization or McCune–Reischauer without breves (Yong, Chol, Kwang,
/// Hyok, Eun, Ri).
fn korean_syllable(w: &str) -> bool {
    const INITIALS: &[&str] =
        &["kk", "tt", "pp", "ss", "jj", "ch", "ts", "g", "k", "n", "d", "t", "r", "l", "m", "b", "p", "s", "j", "h"];
    const VOWELS: &[&str] = &[
        "yeo", "yae", "wae", "ae", "ya", "eo", "ye", "wa", "oe", "yo", "wo", "we", "wi", "yu", "eu", "ui", "oi", "a",
        "e", "o", "u", "i",
    ];
    const FINALS: &[&str] = &["ng", "k", "n", "t", "l", "r", "m", "p", "g", "b", "s", ""];
    let starts = |rest: &str, set: &[&str]| -> Vec<usize> {
        set.iter().filter(|x| rest.starts_with(**x)).map(|x| x.len()).collect::<Vec<_>>()
    };
    let mut firsts = starts(w, INITIALS);
    firsts.push(0);
    firsts.into_iter().any(|i| {
        starts(&w[i..], VOWELS).into_iter().any(|v| w.is_char_boundary(i + v) && FINALS.contains(&&w[i + v..]))
    })
}

/// What one edit between two words was.
#[derive(Debug, PartialEq)]
enum Slip {
    /// Two neighbouring letters in the other order.
    Swapped,
    /// A letter left out or added.
    Dropped,
    /// A letter in place of another.
    Replaced,
}

/// The kind of the one edit between two words one edit apart.
fn slip(a: &[u8], b: &[u8]) -> Slip {
    if a.len() != b.len() {
        return Slip::Dropped;
    }
    let diff: Vec<usize> = (0..a.len()).filter(|i| a[*i] != b[*i]).collect();
    match diff[..] {
        [i, j] if j == i + 1 && a[i] == b[j] && a[j] == b[i] => Slip::Swapped,
        _ => Slip::Replaced,
    }
}

/// How two tokens compare: a similarity in [0, 1] and how.
fn token_sim(a: &Tok, b: &Tok) -> (f64, &'static str) {
    if a.text == b.text {
        return (1.0, "exact");
    }
    // A doubled letter, -ng for -n, -iy for -y: the same name spelt otherwise.
    if a.sound == b.sound {
        let ng = a.text.ends_with("ng") != b.text.ends_with("ng") && a.len.abs_diff(b.len) == 1;
        // A final -n for -ng (Korean in Russian spelling: Пон for Pong).
        return if ng { (0.85, "spelling") } else { (0.94, "spelling") };
    }
    if a.korean.is_some() && a.korean == b.korean {
        // The same syllables in another romanisation; less sure when one
        // ends in -n and the other in -ng (전 Jon and 정 Jong differ).
        let ng = a.text.ends_with("ng") != b.text.ends_with("ng");
        return if ng { (0.85, "romanisation") } else { (0.92, "romanisation") };
    }
    // One wrong letter in a three-letter syllable (Kin for Kim): weak
    // evidence, which only counts next to tokens that match. Two letters in
    // the wrong order keep every letter (Tea for Tae), unless both read as
    // Korean syllables (Yon and Yno cannot both).
    for (x, y) in [(&a.text, &b.text), (&a.spelled, &b.spelled)] {
        if x.len() == 3 && y.len() == 3 {
            match slip(x.as_bytes(), y.as_bytes()) {
                Slip::Swapped if !(korean_syllable(x) && korean_syllable(y)) => return (0.8, "spelling"),
                _ if x.bytes().zip(y.bytes()).filter(|(p, q)| p != q).count() == 1 => return (0.6, "spelling"),
                _ => {}
            }
        }
    }
    let best = |x: &str, y: &str| -> f64 {
        let (lx, ly) = (x.len(), y.len());
        // A letter dropped from a four-letter word (Feg for Feng, Rez for
        // Reza) is the shortest a slip is read in.
        if lx.min(ly) < 3 || lx.max(ly) < 4 {
            return 0.0;
        }
        // One edit in a short word changes more of it than in a long one;
        // two edits are allowed from eight letters on.
        let long = lx.max(ly);
        let max = if long >= TWO_EDITS_FROM { 2 } else { 1 };
        match (edits(x.as_bytes(), y.as_bytes(), max), long) {
            // In a four-letter word, two letters typed in the wrong order
            // (Hogn, Cahm) keep every letter; a letter dropped or doubled
            // keeps the others in order; another letter for one is the
            // weakest (Pola Fivs, Woory Stae), and another first letter
            // makes another name (Jong, Yong, Song, Tong are four Korean
            // syllables; romanisations of one meet by their Korean key).
            // Two words that both read as one Korean syllable differ as
            // syllables do (Yang and Yong, Cho and Choe are other names).
            (Some(1), ..=4) => match slip(x.as_bytes(), y.as_bytes()) {
                Slip::Swapped => 0.8,
                _ if korean_syllable(x) && korean_syllable(y) => 0.6,
                Slip::Dropped => 0.75,
                Slip::Replaced if x.as_bytes().first() != y.as_bytes().first() => 0.6,
                Slip::Replaced => 0.7,
            },
            (Some(1), 5) => 0.8,
            (Some(1), 6..=7) => 0.88,
            (Some(1), _) => 0.9,
            (Some(2), _) => 0.8,
            _ => 0.0,
        }
    };
    let mut sim = best(&a.text, &b.text);
    if a.spelled != a.text || b.spelled != b.text {
        sim = sim.max(best(&a.spelled, &b.spelled));
    }
    if sim > 0.0 { (sim, "spelling") } else { (0.0, "") }
}

/// When the query gives an IMO number and the entry lists others, not it:
/// the reason to add (a vessel of the same name with another valid IMO
/// number is most likely another vessel; its name match is worth less,
/// not ignored and not trusted).
fn imo_conflict(q: &Query, e: &Entry) -> Option<String> {
    let imo = q.imo.as_deref()?;
    (!e.imo.is_empty() && !e.imo.iter().any(|i| i == imo))
        .then(|| format!("; IMO number {imo} is not the listed {}", e.imo.join(", ")))
}

/// Whether a listed name is one that may be found inside a longer one:
/// an organisation's or a vessel's name of two words or more that are not
/// generic, not the words in its brackets. A single word (an acronym, one
/// surname), a place in brackets (`(香港)`: Hong Kong) or a person's name
/// (two syllables of a romanised Chinese or Korean name are found in many
/// a company's name) inside a longer name is too often something else.
fn contains_a_name(a: &Alias, e: &Entry) -> bool {
    !a.bracketed && e.kind != Kind::Individual && a.toks.iter().filter(|t| !t.generic).count() >= 2
}

/// What a weak alias's score (`s`) is multiplied by: less for an alias of
/// one distinctive word, which alone is never a match, unless the alias
/// has more words and every one of them is written as listed
/// (`BULIT TRADE LTD`): the whole weak alias in full is worth a review.
fn weak_factor(a: &Alias, s: f64) -> f64 {
    let distinct = a.toks.iter().filter(|t| !t.generic).count();
    if distinct >= 2 || (a.toks.len() >= 2 && s >= 1.0 - 1e-9) { WEAK_DISTINCT_FACTOR } else { WEAK_FACTOR }
}

/// Whether a word is within two letters of a generic word or legal form.
fn near_generic(word: &str) -> bool {
    static WORDS: std::sync::LazyLock<Vec<(&'static str, [u8; 37])>> = std::sync::LazyLock::new(|| {
        normalize::generic_words().filter(|w| w.len() >= 4).map(|w| (w, letter_counts(w.as_bytes()))).collect()
    });
    if word.len() < 4 {
        return false;
    }
    let counts = letter_counts(word.as_bytes());
    WORDS.iter().any(|(g, c)| {
        g.len().abs_diff(word.len()) <= 2
            && counts_differ_by_at_most(&counts, c, 4)
            && edits(word.as_bytes(), g.as_bytes(), 2).is_some()
    })
}

/// How often each letter and digit occurs in a word (other bytes share one
/// count); counts stop at 255.
fn letter_counts(w: &[u8]) -> [u8; 37] {
    let mut c = [0u8; 37];
    for &b in w {
        let i = match b {
            b'a'..=b'z' => usize::from(b - b'a'),
            b'0'..=b'9' => 26 + usize::from(b - b'0'),
            _ => 36,
        };
        c[i] = c[i].saturating_add(1);
    }
    c
}

/// A filter before the edit distance: two edits change the letter counts
/// of a word by at most four in all (a substitution moves one count down
/// and one up, an insertion or deletion one, a transposition none), so
/// words whose counts differ by more are not within two edits. (Counts
/// that stopped at 255 differ by no more than the true counts do.)
fn counts_differ_by_at_most(a: &[u8; 37], b: &[u8; 37], most: u32) -> bool {
    a.iter().zip(b).map(|(x, y)| u32::from(x.abs_diff(*y))).sum::<u32>() <= most
}

/// A pairing of query tokens with alias tokens: start and length on each side.
#[derive(Clone, Copy)]
struct Pair {
    sim: f64,
    q: (usize, usize),
    a: (usize, usize),
    how: &'static str,
}

/// Scores a query against one alias: the weighted share of both that
/// matched, and the explanation.
fn score(q: &[Tok], a: &Alias, country_agrees: bool) -> (f64, String) {
    let q_total: f64 = q.iter().map(|t| t.weight).sum();
    let total = (q_total + a.total) / 2.0;
    if total <= 0.0 {
        return (0.0, String::new());
    }
    let mut pairs: Vec<Pair> = Vec::new();
    for (i, qt) in q.iter().enumerate() {
        for (j, at) in a.toks.iter().enumerate() {
            let (s, how) = token_sim(qt, at);
            if s > 0.0 {
                pairs.push(Pair { sim: s, q: (i, 1), a: (j, 1), how });
            }
        }
    }
    // Tokens written as one, on either side (exact only): runs of up to
    // MAX_RUN syllables or words.
    for len in 2..=MAX_RUN {
        for (i, qt) in q.iter().enumerate() {
            for (j, run) in a.toks.windows(len).enumerate() {
                if is_run(qt, run) {
                    pairs.push(Pair { sim: 1.0, q: (i, 1), a: (j, len), how: "joined" });
                }
            }
        }
        for (j, at) in a.toks.iter().enumerate() {
            for (i, run) in q.windows(len).enumerate() {
                if is_run(at, run) {
                    pairs.push(Pair { sim: 1.0, q: (i, len), a: (j, 1), how: "joined" });
                }
            }
        }
    }
    // Best pairs first, each token used once.
    pairs.sort_by(|x, y| y.sim.total_cmp(&x.sim).then(x.q.0.cmp(&y.q.0)).then(x.a.0.cmp(&y.a.0)));
    let mut used_q = vec![false; q.len()];
    let mut used_a = vec![false; a.toks.len()];
    let mut matched = 0.0;
    let mut distinct = false;
    let mut notes: Vec<String> = Vec::new();
    for p in pairs {
        let qr = p.q.0..p.q.0 + p.q.1;
        let ar = p.a.0..p.a.0 + p.a.1;
        if used_q[qr.clone()].iter().any(|u| *u) || used_a[ar.clone()].iter().any(|u| *u) {
            continue;
        }
        used_q[qr.clone()].iter_mut().for_each(|u| *u = true);
        used_a[ar.clone()].iter_mut().for_each(|u| *u = true);
        let w = (q[qr.clone()].iter().map(|t| t.weight).sum::<f64>()
            + a.toks[ar.clone()].iter().map(|t| t.weight).sum::<f64>())
            / 2.0;
        matched += p.sim * w;
        if q[qr.clone()].iter().any(|t| !t.generic) && a.toks[ar.clone()].iter().any(|t| !t.generic) {
            distinct = true;
        }
        let qt = q[qr].iter().map(|t| t.text.as_str()).collect::<Vec<_>>().join(" ");
        let at = a.toks[ar].iter().map(|t| t.text.as_str()).collect::<Vec<_>>().join(" ");
        notes.push(match p.how {
            "exact" => qt,
            how => format!("{qt}~{at} ({how})"),
        });
    }
    if !distinct {
        return (0.0, String::new());
    }
    let unmatched = |toks: &[Tok], used: &[bool]| -> String {
        toks.iter().zip(used).filter(|(_, u)| !**u).map(|(t, _)| t.text.as_str()).collect::<Vec<_>>().join(" ")
    };
    let mut reason = format!("matched {}", notes.join(", "));
    let (uq, ua) = (unmatched(q, &used_q), unmatched(&a.toks, &used_a));
    if !uq.is_empty() {
        reason.push_str(&format!("; not in the list name: {uq}"));
    }
    if !ua.is_empty() {
        reason.push_str(&format!("; not in the query: {ua}"));
    }
    // A patronymic, or an organisation's country word, left out does not
    // count against the match (the country word: at most a review on the
    // name alone; for a name that without it names only a kind of
    // institution, only when the party's country agrees with the entry's).
    if let Some(i) = a.optional.filter(|i| used_a.get(*i) == Some(&false))
        && let Some(t) = a.toks.get(i)
        && (country_agrees || !normalize::is_country_word(&t.text) || !only_an_institution_without(&a.toks, i))
    {
        let (factor, note) = if normalize::is_country_word(&t.text) {
            (COUNTRY_WORD_FACTOR, "; the country word left out")
        } else {
            (OPTIONAL_FACTOR, "; the patronymic left out")
        };
        let without = total - t.weight / 2.0;
        if without > 0.0 && matched / without * factor > matched / total {
            reason.push_str(note);
            return ((matched / without * factor).clamp(0.0, 1.0), reason);
        }
    }
    ((matched / total).clamp(0.0, 1.0), reason)
}

impl ListIndex {
    /// Whether entry `entry` names the country whose code is `want`.
    fn country_agrees(&self, entry: usize, want: &str) -> bool {
        self.countries.get(entry).is_some_and(|cs| cs.iter().any(|x| x == want))
    }

    /// The candidates scoring at least the query's threshold, best first
    /// (`list_index` is set to 0).
    pub fn screen(&self, q: &Query) -> Vec<Candidate> {
        self.screening(q).candidates
    }

    /// The candidates scoring at least the query's threshold, best first
    /// (`list_index` is set to 0), and whether the name was screened fully.
    pub fn screening(&self, q: &Query) -> Screening {
        self.screening_of(q, &query_readings(&q.name))
    }

    /// [`ListIndex::screening`] of the query's name read as `readings`
    /// ([`query_readings`], worked out once for all lists).
    fn screening_of(&self, q: &Query, readings: &[normalize::Reading]) -> Screening {
        let mut long_word: Option<usize> = None;
        let country = q.country.map(|c| c.to_string());
        let snap = &self.snapshot;
        let mut best: HashMap<u32, Candidate> = HashMap::default();
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
                list_index: 0,
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
            let hits = self.imo.get(imo).into_iter().flatten();
            for ei in hits.filter(|ei| snap.entries.get(**ei as usize).is_some_and(|e| wanted(q, e))) {
                if let Some(c) = make(*ei, 0, to_score(1.0), format!("IMO number {imo}")) {
                    offer(c, &mut best);
                }
            }
        }
        // Scores round to three places, and a country that agrees adds a little.
        let threshold = q.threshold.to_string().parse::<f64>().unwrap_or(0.0);
        let floor = threshold - 0.0005 - if q.country.is_some() { COUNTRY_BONUS } else { 0.0 };
        let mut memo = Memo::default();
        // Each reading prepared and met once, for containment below.
        let mut met_readings: Vec<(&normalize::Reading, Vec<Tok>, HashMap<u32, Met>)> = Vec::new();
        for reading in readings {
            let variant = &reading.tokens;
            let longest = variant.iter().map(|t| t.text.len().max(t.spelled.len())).max().unwrap_or(0);
            if longest > MAX_WORD_LETTERS {
                long_word = long_word.max(Some(longest));
            }
            if !variant.iter().any(|t| !t.generic) {
                continue;
            }
            let (qt, infos) = self.prepare(variant, &mut memo);
            let met = self.meet(&qt, &infos);
            for ai in self.candidates(&qt, &met, floor) {
                let Some(a) = self.aliases.get(ai as usize) else { continue };
                let Some(entry) = snap.entries.get(a.entry as usize) else { continue };
                if !wanted(q, entry) {
                    continue;
                }
                let agrees = country.as_ref().is_some_and(|want| self.country_agrees(a.entry as usize, want));
                let (mut s, mut reason) = score(&qt, a, agrees);
                if s <= 0.0 {
                    continue;
                }
                if let Some(note) = reading.note {
                    reason.push_str("; ");
                    reason.push_str(note);
                }
                let quality = entry.names.get(a.name as usize).map_or(Quality::Strong, |n| n.quality);
                if quality == Quality::Weak {
                    s *= weak_factor(a, s);
                    reason.push_str("; weak alias");
                }
                if let Some(listed) = imo_conflict(q, entry) {
                    s *= IMO_CONFLICT_FACTOR;
                    reason.push_str(&listed);
                }
                if let Some(c) = q.country.filter(|_| agrees) {
                    s = (s + COUNTRY_BONUS).min(1.0);
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
            met_readings.push((reading, qt, met));
        }
        // Containment (red team C4): a listed name written whole inside a
        // longer one (`NEW …`, `… Pyongyang`, `… Dandong Branch`) is a match,
        // worth less than the name alone: a review, not a sure match.
        // (A token is prepared alone, so a run of a prepared name is the
        // run prepared: each reading is prepared once.)
        // The aliases whose every word the name's words found are the only
        // ones that can be inside it; each is scored against the run of the
        // name's words that found them.
        for (reading, prepared, met) in &met_readings {
            for (&ai, m) in met {
                let Some(a) = self.aliases.get(ai as usize) else { continue };
                let all_met = a.toks.iter().enumerate().all(|(i, t)| t.generic || m.a & bit(i) != 0);
                let (lo, hi) = (m.q.trailing_zeros() as usize, 63 - m.q.leading_zeros() as usize);
                if !all_met || m.q == 0 || hi >= prepared.len() || hi - lo + 1 >= prepared.len() {
                    continue;
                }
                {
                    {
                        let Some(a) = self.aliases.get(ai as usize) else { continue };
                        let Some(entry) = snap.entries.get(a.entry as usize) else { continue };
                        let quality = entry.names.get(a.name as usize).map_or(Quality::Strong, |n| n.quality);
                        if !wanted(q, entry) || quality == Quality::Weak || !contains_a_name(a, entry) {
                            continue;
                        }
                        // The run the listed name's distinctive words found,
                        // and the same run with the generic words beside it
                        // (`NOVIN ENERGY COMPANY` inside `Novin Energy
                        // Company Dubai Representative Office`: `Company`
                        // finds nothing by itself): the best of them, as long
                        // as it is shorter than the whole name.
                        let mut first = lo;
                        while first > 0 && prepared.get(first - 1).is_some_and(|t| t.generic) {
                            first -= 1;
                        }
                        let mut last = hi;
                        while prepared.get(last + 1).is_some_and(|t| t.generic) {
                            last += 1;
                        }
                        let runs = [(lo, hi), (first, hi), (lo, last), (first, last)];
                        let Some((s, mut reason)) = runs
                            .iter()
                            .filter(|(x, y)| y - x + 1 < prepared.len())
                            .filter_map(|(x, y)| prepared.get(*x..=*y))
                            .map(|qt| score(qt, a, false))
                            .reduce(|best, next| if next.0 > best.0 { next } else { best })
                        else {
                            continue;
                        };
                        if s < CONTAINED_WHOLE {
                            continue;
                        }
                        reason.push_str("; contained in a longer name");
                        let s = match imo_conflict(q, entry) {
                            Some(listed) => {
                                reason.push_str(&listed);
                                s * IMO_CONFLICT_FACTOR
                            }
                            None => s,
                        };
                        if let Some(note) = reading.note {
                            reason.push_str("; ");
                            reason.push_str(note);
                        }
                        let s = to_score(s * CONTAINED_FACTOR);
                        if s >= q.threshold
                            && let Some(c) = make(a.entry, a.name as usize, s, reason)
                        {
                            offer(c, &mut best);
                        }
                    }
                }
            }
        }
        let mut out: Vec<Candidate> = best.into_values().collect();
        out.sort_by(|a, b| b.score.cmp(&a.score).then(a.reference.cmp(&b.reference)));
        out.truncate(q.limit.max(1));
        Screening { candidates: out, long_word }
    }

    /// Scores the query against every alias, without the index: the
    /// reference the index is tested against (slow; tests only).
    #[doc(hidden)]
    pub fn screen_exhaustive(&self, q: &Query) -> Vec<(String, Decimal)> {
        let mut best: HashMap<u32, Decimal> = HashMap::default();
        let mut memo = Memo::default();
        let country = q.country.map(|c| c.to_string());
        for reading in query_readings(&q.name) {
            let (qt, _) = self.prepare(&reading.tokens, &mut memo);
            for a in &self.aliases {
                let Some(entry) = self.snapshot.entries.get(a.entry as usize) else { continue };
                if !wanted(q, entry) || !qt.iter().any(|t| !t.generic) {
                    continue;
                }
                let agrees = country.as_ref().is_some_and(|want| self.country_agrees(a.entry as usize, want));
                let (mut s, _) = score(&qt, a, agrees);
                if entry.names.get(a.name as usize).is_some_and(|n| n.quality == Quality::Weak) {
                    s *= weak_factor(a, s);
                }
                if imo_conflict(q, entry).is_some() {
                    s *= IMO_CONFLICT_FACTOR;
                }
                if agrees && s > 0.0 {
                    s = (s + COUNTRY_BONUS).min(1.0);
                }
                let s = to_score(s);
                if s >= q.threshold && s > Decimal::ZERO {
                    let b = best.entry(a.entry).or_insert(s);
                    *b = (*b).max(s);
                }
            }
        }
        // Containment, as `screening` scores it.
        for reading in query_readings(&q.name) {
            let (prepared, _) = self.prepare(&reading.tokens[..reading.tokens.len().min(MAX_KEYED)], &mut memo);
            for len in 1..prepared.len() {
                for qt in prepared.windows(len).filter(|w| w.iter().any(|t| !t.generic)) {
                    for a in &self.aliases {
                        let Some(entry) = self.snapshot.entries.get(a.entry as usize) else { continue };
                        let weak = entry.names.get(a.name as usize).is_some_and(|n| n.quality == Quality::Weak);
                        if !wanted(q, entry) || weak || !contains_a_name(a, entry) {
                            continue;
                        }
                        let (whole, _) = score(qt, a, false);
                        let conflict = if imo_conflict(q, entry).is_some() { IMO_CONFLICT_FACTOR } else { 1.0 };
                        let s = to_score(whole * conflict * CONTAINED_FACTOR);
                        if whole >= CONTAINED_WHOLE && s >= q.threshold {
                            let b = best.entry(a.entry).or_insert(s);
                            *b = (*b).max(s);
                        }
                    }
                }
            }
        }
        let mut out: Vec<(String, Decimal)> = best
            .into_iter()
            .filter_map(|(e, s)| self.snapshot.entries.get(e as usize).map(|x| (x.reference.clone(), s)))
            .collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        out
    }
}

/// Screening results by value, shared across records and threads: a
/// counterparty that appears in many transactions is screened once. Keyed by
/// what the test asks (`spec`: kinds, programmes, name or IMO) and the value;
/// a lookup that hits allocates nothing. Bounded: a shard that fills up is
/// emptied.
#[derive(Debug)]
pub struct ScreenCache {
    /// Tells caches apart in the per-thread front cache.
    id: u64,
    shards: Vec<std::sync::Mutex<Shard>>,
}

/// Slots of the per-thread front cache (direct-mapped): repeated values are
/// found without taking a lock.
const FRONT_SLOTS: usize = 4096;

type FrontSlot = Option<(u64, u64, Box<str>, Arc<Screening>)>;

thread_local! {
    static FRONT: std::cell::RefCell<Vec<FrontSlot>> = const { std::cell::RefCell::new(Vec::new()) };
}

static NEXT_CACHE_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

type Shard = rustc_hash::FxHashMap<u64, Vec<(u64, Box<str>, Arc<Screening>)>>;

const CACHE_SHARDS: usize = 64;
const CACHE_SHARD_ENTRIES: usize = 8192;

impl Default for ScreenCache {
    fn default() -> Self {
        ScreenCache {
            id: NEXT_CACHE_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            shards: (0..CACHE_SHARDS).map(|_| std::sync::Mutex::default()).collect(),
        }
    }
}

impl ScreenCache {
    /// The cached screening of `value` under `spec`, or `find()`'s, remembered.
    pub fn get_or(&self, spec: u64, value: &str, find: impl FnOnce() -> Screening) -> Arc<Screening> {
        let mut h = rustc_hash::FxHasher::default();
        spec.hash(&mut h);
        value.hash(&mut h);
        let hash = h.finish();
        let slot = (hash as usize ^ self.id as usize) % FRONT_SLOTS;
        let front = FRONT.with(|f| {
            let f = f.borrow();
            match f.get(slot) {
                Some(Some((id, sp, v, found))) if *id == self.id && *sp == spec && &**v == value => {
                    Some(Arc::clone(found))
                }
                _ => None,
            }
        });
        if let Some(found) = front {
            return found;
        }
        let remember = |found: &Arc<Screening>| {
            FRONT.with(|f| {
                let mut f = f.borrow_mut();
                if f.len() < FRONT_SLOTS {
                    f.resize(FRONT_SLOTS, None);
                }
                f[slot] = Some((self.id, spec, value.into(), Arc::clone(found)));
            });
        };
        let shard = &self.shards[(hash as usize) % CACHE_SHARDS];
        if let Ok(map) = shard.lock()
            && let Some(found) = map.get(&hash).and_then(|b| b.iter().find(|(s, v, _)| *s == spec && &**v == value))
        {
            let found = Arc::clone(&found.2);
            drop(map);
            remember(&found);
            return found;
        }
        let found = Arc::new(find());
        remember(&found);
        if let Ok(mut map) = shard.lock() {
            if map.len() >= CACHE_SHARD_ENTRIES {
                map.clear();
            }
            map.entry(hash).or_default().push((spec, value.into(), Arc::clone(&found)));
        }
        found
    }
}

/// Screens names against indexed lists.
#[derive(Debug, Default)]
pub struct Screener {
    /// The lists.
    pub lists: Vec<ListIndex>,
}

impl Screener {
    /// A screener over snapshots, each indexed on a thread of its own (the
    /// indexes, in the snapshots' order, do not depend on it).
    pub fn new(snapshots: Vec<Arc<Snapshot>>) -> Screener {
        let lists = std::thread::scope(|scope| {
            let building: Vec<_> = snapshots.into_iter().map(|s| scope.spawn(move || ListIndex::new(s))).collect();
            building.into_iter().map(|b| b.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
        });
        Screener { lists }
    }

    /// A screener over indexes already built (or read back: see
    /// [`persist`]), in the order given.
    pub fn from_indexes(lists: Vec<ListIndex>) -> Screener {
        Screener { lists }
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
        self.screening(q).candidates
    }

    /// The candidates of every list, best first, and whether the name was
    /// screened fully.
    pub fn screening(&self, q: &Query) -> Screening {
        let mut all = Vec::new();
        let mut long_word = None;
        let readings = query_readings(&q.name);
        for (li, index) in self.lists.iter().enumerate() {
            let s = index.screening_of(q, &readings);
            long_word = long_word.max(s.long_word);
            all.extend(s.candidates.into_iter().map(|c| Candidate { list_index: li, ..c }));
        }
        all.sort_by(|a, b| b.score.cmp(&a.score).then(a.list.cmp(&b.list)).then(a.reference.cmp(&b.reference)));
        all.truncate(q.limit.max(1));
        Screening { candidates: all, long_word }
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

    /// A screener over one test list of these entries.
    fn screener_of(entries: Vec<Entry>) -> Screener {
        let snap = Snapshot {
            name: "T".into(),
            format: "test".into(),
            sources: vec![],
            published: None,
            fingerprint: "f".into(),
            entries,
            notes: Vec::new(),
        };
        Screener::new(vec![Arc::new(snap)])
    }

    fn screener() -> Screener {
        screener_of(vec![
            entry("I1", Kind::Individual, &[("KIM Jong Un", Quality::Primary), ("Kim Jong-un", Quality::Strong)]),
            entry("I2", Kind::Individual, &[("RI Su Yong", Quality::Primary), ("Choe Su", Quality::Weak)]),
            entry(
                "E1",
                Kind::Entity,
                &[("KOREA MINING DEVELOPMENT TRADING CORPORATION", Quality::Primary), ("\"KOMID\"", Quality::Strong)],
            ),
            entry("E2", Kind::Entity, &[("KINGLY WON INTERNATIONAL CO., LTD", Quality::Primary)]),
            entry("V1", Kind::Vessel, &[("BILLIONS NO. 18", Quality::Primary)]),
        ])
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
        let (r, sc) = top(&s, "Ли Су Ен").unwrap_or_default();
        assert!(r == "I2" && sc >= DEFAULT_THRESHOLD, "{r} {sc}");
        assert_eq!(top(&s, "Korea Minning Developement Trading Co").map(|x| x.0), Some("E1".into()));
        assert_eq!(top(&s, "KOMID").map(|x| (x.0, x.1)), Some(("E1".into(), Decimal::ONE)));
        assert_eq!(top(&s, "Kingly Won International Company Limited").map(|x| x.1), Some(Decimal::ONE));
    }

    #[test]
    fn the_letter_count_filter_never_hides_a_near_generic_word() {
        // Every generic word, and each with one and two edits of every kind,
        // and unrelated words: the filtered test agrees with plain edit distance.
        let brute = |w: &str| {
            w.len() >= 4
                && normalize::generic_words()
                    .filter(|g| g.len() >= 4)
                    .any(|g| edits(w.as_bytes(), g.as_bytes(), 2).is_some())
        };
        let mut words: Vec<String> = vec!["kim".into(), "pyongyang".into(), "ryonbong".into(), "x".repeat(300)];
        for g in normalize::generic_words() {
            let b = g.as_bytes();
            words.push(g.to_string());
            for i in 0..b.len() {
                let mut del = b.to_vec();
                del.remove(i);
                let mut sub = b.to_vec();
                sub[i] = b'q';
                let mut ins = b.to_vec();
                ins.insert(i, b'z');
                let mut two = sub.clone();
                two.insert(0, b'x');
                let mut swap = b.to_vec();
                if i + 1 < b.len() {
                    swap.swap(i, i + 1);
                }
                let mut three = two.clone();
                three.push(b'k');
                for v in [del, sub, ins, two, swap, three] {
                    words.push(String::from_utf8(v).unwrap_or_default());
                }
            }
        }
        for w in &words {
            assert_eq!(near_generic(w), brute(w), "{w}");
        }
    }

    #[test]
    fn a_patronymic_left_out_and_syllables_run_together_still_match() {
        let s = screener_of(vec![
            entry("P1", Kind::Individual, &[("ROTENBERG, Arkady Romanovich", Quality::Primary)]),
            entry("V1", Kind::Vessel, &[("JANG JA SAN CHONG NYON HO", Quality::Primary)]),
        ]);
        let (reference, score) = top(&s, "Arkady Rotenberg").expect("patronymic left out");
        assert_eq!(reference, "P1");
        assert!(score >= DEFAULT_THRESHOLD && score < Decimal::ONE, "{score}");
        // Only the patronymic is optional: the given name left out is no match.
        assert!(top(&s, "Rotenberg Romanovich").is_none_or(|(_, sc)| sc < DEFAULT_THRESHOLD));
        assert_eq!(top(&s, "JANGJASANCHONGNYONHO").map(|t| t.0), Some("V1".to_string()));
        assert_eq!(top(&s, "Jangjasan Chongnyonho").map(|t| t.0), Some("V1".to_string()));
    }

    #[test]
    fn generic_words_and_different_people_do_not_match() {
        let s = screener();
        assert!(top(&s, "International Trading Co Ltd").is_none(), "generic words alone");
        let other = top(&s, "Kim Jong Il").map_or(Decimal::ZERO, |x| x.1);
        assert!(other < DEFAULT_THRESHOLD, "{other}");
        let weak = s.screen(&Query { name: "Choe Su".into(), threshold: Decimal::ZERO, limit: 5, ..Query::default() });
        assert!(weak[0].score <= to_score(WEAK_DISTINCT_FACTOR) && weak[0].reason.contains("weak alias"));
    }

    /// A firm named without the country word its listed name opens with is
    /// worth a review; the country word with generic words is no match, and
    /// neither is another firm of that country.
    #[test]
    fn a_company_name_without_its_country_word_is_worth_a_review() {
        // Other entries, so that a word of one name weighs as in a real list
        // (where many names hold BANK).
        let names: Vec<String> = (0..60)
            .map(|n| if n % 3 == 0 { format!("ENTRY{n} BANK") } else { format!("ENTRY{n} SHIPPING CO") })
            .collect();
        let mut entries: Vec<Entry> =
            names.iter().map(|n| entry(n, Kind::Entity, &[(n.as_str(), Quality::Primary)])).collect();
        entries.extend([
            entry("E1", Kind::Entity, &[("KOREA RYONBONG GENERAL CORPORATION", Quality::Primary)]),
            entry("E2", Kind::Entity, &[("KOREAN NATIONAL INSURANCE COMPANY", Quality::Primary)]),
            entry("E3", Kind::Entity, &[("IRAN INSURANCE COMPANY", Quality::Primary)]),
            entry("E4", Kind::Entity, &[("KOREA TRADING BANK", Quality::Primary)]),
            entry("E5", Kind::Entity, &[("PAKISTANI TALIBAN", Quality::Primary)]),
            entry("E6", Kind::Entity, &[("CENTRAL BANK OF SYRIA", Quality::Primary)]),
            entry("E7", Kind::Entity, &[("NATIONAL IRANIAN OIL COMPANY", Quality::Primary)]),
        ]);
        let s = screener_of(entries);
        for (q, want) in [("Ryonbong General Corporation", "E1"), ("Taliban", "E5")] {
            let (r, sc) = top(&s, q).unwrap_or_else(|| panic!("{q} found nothing"));
            assert_eq!(r, want, "{q}");
            // A review, below a sure match (0.95 in the shipped packs).
            assert!(sc >= DEFAULT_THRESHOLD && sc < Decimal::new(95, 2), "{q}: {sc}");
        }
        // With the country word, the name counts in full.
        assert_eq!(top(&s, "Korea Ryonbong General Corporation").map(|x| x.1), Some(Decimal::ONE));
        // Nothing distinctive is left of KOREA TRADING BANK without KOREA;
        // without the country, KOREAN NATIONAL INSURANCE COMPANY, CENTRAL
        // BANK OF SYRIA and NATIONAL IRANIAN OIL COMPANY name kinds of
        // institution every country has (Libya's National Oil Corporation
        // is not Iran's).
        for q in [
            "Korea General Corporation",
            "Korean Trading Company",
            "Syria Insurance Company",
            "Korea Pugang Corp",
            "Trading Bank",
            "National Insurance Company",
            "Central Bank",
            "National Oil Corporation",
        ] {
            let sc = top(&s, q).map_or(Decimal::ZERO, |x| x.1);
            assert!(sc < DEFAULT_THRESHOLD, "{q}: {sc}");
        }
        // Of a party of the entry's country, such a name is that country's
        // institution: the country word may be left out, as for any name.
        let of = |name: &str, cc: &str| {
            let country = Some(Country::parse(cc).expect("country"));
            let q = Query { name: name.into(), country, threshold: Decimal::new(5, 1), limit: 5, ..Query::default() };
            s.screen(&q).first().map(|c| (c.reference.clone(), c.score))
        };
        let (r, sc) = of("National Insurance Company", "KP").expect("found");
        assert_eq!(r, "E2");
        assert!(sc >= DEFAULT_THRESHOLD, "{sc}");
        let sc = of("National Insurance Company", "IN").map_or(Decimal::ZERO, |x| x.1);
        assert!(sc < DEFAULT_THRESHOLD, "{sc}");
    }

    /// A word longer than [`MAX_WORD_LETTERS`] is compared only whole, and
    /// the screening says the name was not screened fully (red team H4).
    #[test]
    fn a_word_too_long_to_screen_fully_is_noted() {
        let s = screener();
        let q = |name: String| Query { name, threshold: Decimal::new(5, 1), limit: 5, ..Query::default() };
        for name in ["K".repeat(400_000), "T.".repeat(200_000), format!("Kim Jong Un {}", "x".repeat(65))] {
            let found = s.screening(&q(name.clone()));
            let letters = name.bytes().filter(u8::is_ascii_alphabetic).count();
            let longest = if name.starts_with("Kim") { 65 } else { letters };
            assert_eq!(found.long_word, Some(longest), "{}", &name[..20]);
            let note = found.note().unwrap_or_default();
            assert!(note.contains(&format!("a word of {longest} letters")) && note.contains("review"), "{note}");
        }
        // A word at the limit is screened as before, with its spelling keys.
        let at_limit = "a".repeat(MAX_WORD_LETTERS);
        assert_eq!(s.screening(&q(at_limit.clone())).long_word, None);
        let mut keys = Vec::new();
        token_keys(&at_limit, &mut keys);
        assert!(keys.len() > MAX_WORD_LETTERS);
        // Past it, only the word itself and its sound-alike key.
        for n in [MAX_WORD_LETTERS + 1, 400_000] {
            keys.clear();
            token_keys(&"a".repeat(n), &mut keys);
            assert_eq!(keys.len(), 2, "{n}");
        }
        // Names of ordinary words are screened fully.
        let found = s.screening(&q("Kim Jong Un".into()));
        assert_eq!((found.long_word, found.candidates[0].reference.as_str()), (None, "I1"));
        assert!(LONG_WORD_NOTE.contains(&format!("over {MAX_WORD_LETTERS} letters")));
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
        assert_eq!((c[0].reference.as_str(), c[0].score), ("V1", to_score(1.0)));
        let q = Query {
            name: "Kim Jong Un".into(),
            kinds: vec![Kind::Entity],
            threshold: Decimal::new(5, 1),
            limit: 5,
            ..Query::default()
        };
        assert!(s.screen(&q).is_empty());
    }

    /// Each query's best candidate is the entry wanted, at the default threshold or above.
    fn matches_at_threshold(s: &Screener, cases: &[(&str, &str)]) {
        for (q, want) in cases {
            let (r, sc) = top(s, q).unwrap_or_else(|| panic!("{q} found nothing"));
            assert!(r == *want && sc >= DEFAULT_THRESHOLD, "{q}: {r} {sc}");
        }
    }

    /// One slip in a four-letter word: letters swapped or one dropped is a
    /// match with the rest of the name; another first letter is another
    /// syllable and is not.
    #[test]
    fn a_slip_in_a_short_word_matches_but_another_syllable_does_not() {
        let s = screener_of(vec![
            entry("P1", Kind::Individual, &[("HONG, Jinhua", Quality::Primary)]),
            entry("P2", Kind::Individual, &[("KIM, Yong Chol", Quality::Primary)]),
            entry("V1", Kind::Vessel, &[("DONG FENG 6", Quality::Primary)]),
        ]);
        matches_at_threshold(&s, &[("HOGN, Jinhua", "P1"), ("Dong Feg 6", "V1"), ("Kim Yogn Chol", "P2")]);
        assert_eq!(slip(b"hogn", b"hong"), Slip::Swapped);
        assert_eq!(slip(b"feg", b"feng"), Slip::Dropped);
        assert_eq!(slip(b"stae", b"star"), Slip::Replaced);
        for w in ["yong", "yang", "chol", "kwang", "hyok", "eun", "ri", "choe", "cho", "jong"] {
            assert!(korean_syllable(w), "{w}");
        }
        for w in ["star", "stae", "fiva", "fivs", "feng", "reza", "hogn", "igor"] {
            assert!(!korean_syllable(w), "{w}");
        }
        let (_, sc) = top(&s, "Kim Jong Chol").unwrap_or_default();
        assert!(sc < DEFAULT_THRESHOLD, "Jong is not Yong: {sc}");
    }

    /// Russian names in the other transliteration systems (BGN/PCGN,
    /// passports before and after 2013, English conventional), Korean names
    /// in the DPRK and ROK systems (aspirated consonants, the initial-sound
    /// rule), a swap in a three-letter syllable, and a listed name ending
    /// in a legal form inside a longer party string.
    #[test]
    fn transliterations_romanisations_short_swaps_and_legal_forms_inside_a_name() {
        let s = screener_of(vec![
            entry("P1", Kind::Individual, &[("SOLOVYEV, Fyodor Sergeyevich", Quality::Primary)]),
            entry("P2", Kind::Individual, &[("ZAKHARYEVA, Yuliya Nikolayevna", Quality::Primary)]),
            entry("P3", Kind::Individual, &[("RA Song Chol", Quality::Primary)]),
            entry("P4", Kind::Individual, &[("PAK Tae Sik", Quality::Primary)]),
            entry("E1", Kind::Entity, &[("KOREA KWANGPHO TRADING", Quality::Primary)]),
            entry("E2", Kind::Entity, &[("TANGUN ENERGY COMPANY", Quality::Primary)]),
        ]);
        matches_at_threshold(
            &s,
            &[
                ("Fedor Solovyev", "P1"),
                ("Iuliia Zakharieva", "P2"),
                ("Yulia Nikolaevna Zakharyeva", "P2"),
                ("Na Sung Chul", "P3"),
                ("Pak Tea Sik", "P4"),
                ("Korea Gwangpo Trading", "E1"),
                ("Tangun Energy Company Singapore Branch", "E2"),
            ],
        );
        assert_eq!(sound_of("bichayev"), sound_of("bichaev"));
        assert_eq!(sound_of("tatiana"), sound_of("tatyana"));
        assert_eq!(sound_of("alekseyevna"), sound_of("alexeevna"));
        assert_eq!(sound_of("promsvjazbank"), sound_of("promsvyazbank"));
        assert_eq!(sound_of("sovcomflot"), sound_of("sovkomflot"));
        assert_eq!(sound_of("tatjana"), sound_of("tatyana"));
        assert_eq!(sound_of("sergej"), sound_of("sergey"));
        // Korean syllables run together keep their J; a soft C stays.
        assert_ne!(sound_of("chongjin"), sound_of("chongyin"));
        assert_ne!(sound_of("jang"), sound_of("yang"));
        assert_ne!(sound_of("vincent"), sound_of("vinkent"));
        // Not every name is another's spelling.
        let (_, sc) = top(&s, "Pak Tai Sik").unwrap_or_default();
        assert!(sc < DEFAULT_THRESHOLD, "Tai is not Tae: {sc}");
    }

    /// A person named inside a longer field: after a title, as `SURNAME,
    /// Given` among other parties, after `attn.` or `as agent for`.
    #[test]
    fn a_person_after_a_title_or_among_parties_is_found() {
        let s = screener_of(vec![
            entry("P1", Kind::Individual, &[("PAK Mun Il", Quality::Primary)]),
            entry("P2", Kind::Individual, &[("ALAVI, Mahmoud", Quality::Primary)]),
            entry("P3", Kind::Individual, &[("KANG, Kyong Il", Quality::Primary)]),
            entry("E1", Kind::Entity, &[("KOREA PUGANG TRADING CORPORATION", Quality::Primary)]),
        ]);
        matches_at_threshold(
            &s,
            &[
                ("Mr. Pak Mun Il", "P1"),
                ("Dr Pak Mun Il", "P1"),
                ("Suntide Marine Services Pte Ltd / ALAVI, Mahmoud", "P2"),
                ("KANG, Kyong Il, General Director", "P3"),
                ("Acme Shipping Ltd, attn. Kang Kyong Il", "P3"),
                ("Acme Agency Ltd as agent for Korea Pugang Trading Corp", "E1"),
                ("c/o Korea Pugang Trading Corporation", "E1"),
            ],
        );
        // The evidence says what was read past.
        let q = Query { name: "Mr. Pak Mun Il".into(), threshold: DEFAULT_THRESHOLD, limit: 5, ..Query::default() };
        let reason = s.screen(&q).first().map(|c| c.reason.clone()).unwrap_or_default();
        assert!(reason.contains("a title or label before the name left out"), "{reason}");
    }

    /// A person's name is not two parties because a comma splits it, and a
    /// word in brackets of a person's listed name is a spelling of the word
    /// before it, not the person's name alone (`Ahmed` alone matched
    /// `SANTOS, Ahmad (Ahmed)` at 1.000, and `GARBAYA, Ahmed` through it).
    #[test]
    fn a_given_name_alone_never_matches_a_person() {
        let s = screener_of(vec![
            entry("P1", Kind::Individual, &[("SANTOS, Ahmad (Ahmed)", Quality::Primary)]),
            entry("P2", Kind::Individual, &[("EL PARA (COMBAT NAME)", Quality::Primary)]),
            entry("P3", Kind::Individual, &[("(Sheikh) Musa Hilal", Quality::Primary)]),
            entry("P4", Kind::Individual, &[("Jin Tiesan (金铁三)", Quality::Primary)]),
            entry("P5", Kind::Individual, &[("Abubakar", Quality::Primary)]),
        ]);
        for q in ["Ahmed", "Smith, Ahmed", "Combat Name", "Sheikh", "Smith, Abubakar", "Mohammad, Ahmed"] {
            let hits = s.screen(&Query { name: q.into(), threshold: DEFAULT_THRESHOLD, limit: 5, ..Query::default() });
            assert!(hits.is_empty(), "{q}: {:?}", hits.iter().map(|c| (&c.reference, c.score)).collect::<Vec<_>>());
        }
        matches_at_threshold(
            &s,
            &[
                ("Santos, Ahmed", "P1"),
                ("Ahmad Santos", "P1"),
                ("Musa Hilal", "P3"),
                ("金铁三", "P4"),
                ("Abubakar", "P5"),
            ],
        );
        // Two parties with a comma still are two.
        let s = screener_of(vec![entry("E1", Kind::Entity, &[("KOMID", Quality::Primary)])]);
        matches_at_threshold(&s, &[("KOMID, Acme Trading Ltd", "E1"), ("Acme Trading Ltd, KOMID", "E1")]);
    }

    /// A weak alias written in full is worth a review even when only one of
    /// its words is distinctive; a part of it is not.
    #[test]
    fn a_weak_alias_in_full_is_worth_a_review() {
        let s = screener_of(vec![
            entry("E1", Kind::Entity, &[("ACME ONE", Quality::Primary), ("BULIT TRADE LTD", Quality::Weak)]),
            entry("E2", Kind::Entity, &[("ACME TWO", Quality::Primary), ("BOLTON", Quality::Weak)]),
        ]);
        let score = |name: &str| {
            let q = Query { name: name.into(), threshold: Decimal::ZERO, limit: 5, ..Query::default() };
            s.screen(&q).first().map(|c| (c.reference.clone(), c.score, c.reason.clone()))
        };
        let (r, sc, reason) = score("Bulit Trade Ltd").expect("found");
        assert_eq!((r.as_str(), sc), ("E1", to_score(WEAK_DISTINCT_FACTOR)), "{reason}");
        assert!(reason.contains("weak alias"), "{reason}");
        assert!(score("Bulit Trade").is_some_and(|(_, sc, _)| sc < DEFAULT_THRESHOLD));
        assert!(score("Bolton").is_some_and(|(_, sc, _)| sc <= to_score(WEAK_FACTOR)));
    }
}
