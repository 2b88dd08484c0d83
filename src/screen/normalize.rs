//! Name normalisation for screening: one comparable form for names written
//! in any script and any convention. Hangul is romanised syllable by syllable
//! the way the lists write North Korean names (McCune–Reischauer without
//! diacritics: Kim Jong Un, Pak Pong Ju), and the common words of Korean
//! organisation names are translated (조선 → Korea, 은행 → Bank); Cyrillic
//! is transliterated as the lists write Russian names (BGN/PCGN: Kh, Ts,
//! Zh, Ya); other scripts go through a general transliteration (Chinese,
//! Latin with diacritics). Case, punctuation and spacing are folded;
//! romanisation variants of Korean names (Ri/Rhee/Lee/Yi, Pak/Park,
//! Choe/Choi, Jong/Chong/Jeong …) fold to one form; legal forms and generic
//! words (CO, LTD, TRADING …) are marked so they never carry a match alone.
//!
//! The word tables (Korean words, name variants, generic words and legal
//! forms) are data in `assets/screening/`, compiled in and fingerprinted
//! with every rule set that screens ([`TABLES`]).

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

/// A token of a normalised name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Token {
    /// The folded form: variants and generic words replaced by one spelling.
    pub text: String,
    /// The word as written (lowercase ASCII), for spelling comparisons.
    pub spelled: String,
    /// A legal form or generic word: weighs little and cannot match alone.
    pub generic: bool,
}

/// The screening tables as shipped, `(path in the repository, text)`: the
/// Korean words of organisation names, the spelling variants of names and
/// the generic words and legal forms. They decide how names compare, so
/// their SHA-256 is part of the fingerprint of every rule set, as the unit
/// table's is (`assets/screening/README.md`).
pub const TABLES: &[(&str, &str)] = &[KOREAN_WORDS_FILE, NAME_VARIANTS_FILE, GENERIC_WORDS_FILE];

/// Words of Korean organisation names and their English in the lists.
const KOREAN_WORDS_FILE: (&str, &str) =
    ("assets/screening/korean-words.csv", include_str!("../../assets/screening/korean-words.csv"));
/// Spellings of names that fold to one form.
const NAME_VARIANTS_FILE: (&str, &str) =
    ("assets/screening/name-variants.csv", include_str!("../../assets/screening/name-variants.csv"));
/// Legal forms and generic words of company names.
const GENERIC_WORDS_FILE: (&str, &str) =
    ("assets/screening/generic-words.csv", include_str!("../../assets/screening/generic-words.csv"));

/// The rows of a table, with their line numbers: the header must name
/// `columns` in order; every other line has exactly that many
/// comma-separated values, unquoted (no value holds a comma or a double
/// quote), without spaces around them, and none empty but a `note`. A line
/// that breaks this is an error naming it: no line is skipped.
fn rows(text: &'static str, columns: &[&str]) -> Result<Vec<(usize, Vec<&'static str>)>, String> {
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
    let header = lines.next().map_or("", |(_, l)| l);
    if !header.split(',').eq(columns.iter().copied()) {
        return Err(format!("line 1: the header must be `{}`", columns.join(",")));
    }
    let mut out = Vec::new();
    for (line, text) in lines {
        let values: Vec<&'static str> = text.split(',').collect();
        if values.len() != columns.len() {
            return Err(format!("line {line}: {} values where the header has {}", values.len(), columns.len()));
        }
        for (value, column) in values.iter().zip(columns) {
            if value.contains('"') {
                return Err(format!("line {line}: `{column}` has a double quote (values are not quoted)"));
            }
            if value.trim() != *value {
                return Err(format!("line {line}: `{column}` begins or ends with a space"));
            }
            if value.is_empty() && *column != "note" {
                return Err(format!("line {line}: `{column}` is empty"));
            }
        }
        out.push((line, values));
    }
    Ok(out)
}

/// Reads `korean-words.csv`: each word's syllables and its English, longest
/// word first (so that 총회사 wins over 총 and 회사).
fn parse_korean_words(text: &'static str) -> Result<Vec<(Vec<char>, &'static str)>, String> {
    let mut words: Vec<(Vec<char>, &'static str)> = Vec::new();
    for (line, values) in rows(text, &["hangul", "english", "note"])? {
        let (hangul, english) = (values[0], values[1]);
        if !hangul.chars().all(is_hangul) {
            return Err(format!("line {line}: `{hangul}` is not Hangul syllables alone"));
        }
        if !english.split(' ').all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase())) {
            return Err(format!("line {line}: the English `{english}` is not lowercase words and single spaces"));
        }
        let syllables: Vec<char> = hangul.chars().collect();
        if words.iter().any(|(w, _)| *w == syllables) {
            return Err(format!("line {line}: `{hangul}` is listed twice"));
        }
        words.push((syllables, english));
    }
    // Stable: words of one length keep the file's order.
    words.sort_by_key(|w| std::cmp::Reverse(w.0.len()));
    Ok(words)
}

/// A table of spellings as read: its rows (line number, values), and each
/// spelling mapped to its row's `canonical` form.
type Spellings = (Vec<(usize, Vec<&'static str>)>, HashMap<&'static str, &'static str>);

/// Reads a table of spellings (`name-variants.csv`, `generic-words.csv`). A
/// spelling is lowercase ASCII letters and digits (or `&`), in one row only;
/// a row's canonical form is one of its spellings.
fn parse_spellings(text: &'static str, columns: &[&str]) -> Result<Spellings, String> {
    let column = |name: &str| columns.iter().position(|c| *c == name);
    let (Some(canonical), Some(spellings)) = (column("canonical"), column("spellings")) else {
        return Err("a table of spellings needs `canonical` and `spellings` columns".into());
    };
    let mut all = Vec::new();
    let mut map = HashMap::new();
    for (line, values) in rows(text, columns)? {
        let canon = values[canonical];
        let mut has_canonical = false;
        for s in values[spellings].split(';') {
            if s.is_empty() || !(s == "&" || s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())) {
                return Err(format!("line {line}: the spelling `{s}` is not lowercase ASCII letters and digits"));
            }
            if let Some(other) = map.insert(s, canon) {
                return Err(format!("line {line}: `{s}` is also a spelling of `{other}`"));
            }
            has_canonical |= s == canon;
        }
        if !has_canonical {
            return Err(format!("line {line}: `{canon}` is not among its own spellings"));
        }
        all.push((line, values));
    }
    Ok((all, map))
}

/// The generic words: each spelling mapped to its canonical form, and the
/// canonical forms that weigh least (legal forms and connecting words).
#[derive(Debug)]
struct GenericWords {
    words: HashMap<&'static str, &'static str>,
    least: Vec<&'static str>,
    connecting: Vec<&'static str>,
}

/// Reads `name-variants.csv`: each spelling mapped to the form it folds to.
fn parse_name_variants(text: &'static str) -> Result<HashMap<&'static str, &'static str>, String> {
    parse_spellings(text, &["canonical", "spellings", "source"]).map(|(_, map)| map)
}

/// Reads `generic-words.csv`.
fn parse_generic_words(text: &'static str) -> Result<GenericWords, String> {
    let (rows, words) = parse_spellings(text, &["canonical", "kind", "spellings", "source"])?;
    let (mut least, mut connecting) = (Vec::new(), Vec::new());
    for (line, row) in rows {
        match row[1] {
            "legal form" => least.push(row[0]),
            "connecting" => {
                least.push(row[0]);
                connecting.push(row[0]);
            }
            "generic" => {}
            kind => {
                return Err(format!("line {line}: the kind `{kind}` is not `legal form`, `connecting` or `generic`"));
            }
        }
    }
    Ok(GenericWords { words, least, connecting })
}

/// A shipped table, parsed.
fn shipped<T>((path, text): (&str, &'static str), parse: fn(&'static str) -> Result<T, String>) -> T {
    match parse(text) {
        Ok(t) => t,
        // INVARIANT: the shipped tables parse; `shipped_tables_parse` tests it.
        Err(e) => unreachable!("{path} is invalid: {e}"),
    }
}

// North Korean romanisation (McCune–Reischauer without breves or
// apostrophes): initial ㄱ is k, ㅈ ch, ㅓ o, ㅡ u, as the lists write it.
const INITIALS: [&str; 19] =
    ["k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "", "ch", "tch", "ch", "k", "t", "p", "h"];
const VOWELS: [&str; 21] = [
    "a", "ae", "ya", "yae", "o", "e", "yo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu", "u", "ui",
    "i",
];
const FINALS: [&str; 28] = [
    "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t", "ng", "t",
    "t", "k", "t", "p", "t",
];

fn is_hangul(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
}

/// Romanises one syllable; `voiced`: it follows a vowel or a voiced final
/// inside a word, where ㄱ ㄷ ㅂ ㅈ are written g d b j (Chongchongang).
fn romanise_syllable(c: char, voiced: bool, out: &mut String) {
    let idx = c as u32 - 0xAC00;
    let (i, v, f) = ((idx / 588) as usize, ((idx % 588) / 28) as usize, (idx % 28) as usize);
    let initial = match (i, voiced) {
        (0, true) => "g",
        (3, true) => "d",
        (7, true) => "b",
        (12, true) => "j",
        _ => INITIALS.get(i).copied().unwrap_or(""),
    };
    out.push_str(initial);
    out.push_str(VOWELS.get(v).copied().unwrap_or(""));
    out.push_str(FINALS.get(f).copied().unwrap_or(""));
}

/// Words of Korean organisation names and their English in the lists
/// (조선광업개발무역회사 is KOREA MINING DEVELOPMENT TRADING CORPORATION),
/// longest first: `assets/screening/korean-words.csv`.
static KOREAN_WORDS: LazyLock<Vec<(Vec<char>, &'static str)>> =
    LazyLock::new(|| shipped(KOREAN_WORDS_FILE, parse_korean_words));

/// Reads one run of Hangul syllables. A run with a word of two or more
/// syllables from [`KOREAN_WORDS`] is an organisation name: its words are
/// translated and the syllables between them, a proper name, are written as
/// one word (단천상업은행 → tanchon commercial bank). Any other run is a
/// person's name, one word per syllable (김정은 → kim jong un).
fn read_hangul(run: &[char], out: &mut String) {
    let words = &*KOREAN_WORDS;
    let long_word_at = |i: usize| words.iter().find(|(w, _)| w.len() >= 2 && run[i..].starts_with(w));
    let is_org = (0..run.len()).any(|i| long_word_at(i).is_some());
    if !is_org {
        for &c in run {
            out.push(' ');
            romanise_syllable(c, false, out);
        }
        out.push(' ');
        return;
    }
    let mut i = 0;
    let mut proper = String::new();
    while i < run.len() {
        // A single-syllable word (성 ministry, 부 department) only ends the
        // name: inside it, the syllable is part of a proper name (대성).
        let found =
            words.iter().find(|(w, _)| run[i..].starts_with(w) && (w.len() >= 2 || (i > 0 && i + 1 == run.len())));
        match found {
            Some((w, english)) => {
                if !proper.is_empty() {
                    out.push(' ');
                    out.push_str(&std::mem::take(&mut proper));
                }
                out.push(' ');
                out.push_str(english);
                i += w.len();
            }
            None => {
                // Voiced after a vowel or after n, ng, l, m inside the word.
                let voiced = !proper.is_empty()
                    && (proper.ends_with(['a', 'e', 'i', 'o', 'u', 'n', 'l', 'm']) || proper.ends_with("ng"));
                romanise_syllable(run[i], voiced, &mut proper);
                i += 1;
            }
        }
    }
    if !proper.is_empty() {
        out.push(' ');
        out.push_str(&proper);
    }
    out.push(' ');
}

/// Romanises and translates the Hangul in a name; `제2` (ordinal) becomes
/// `second`; other characters are kept.
fn romanise_hangul(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() * 2);
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '제' && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit()) {
            let ordinal = match chars[i + 1] {
                '1' => " first ",
                '2' => " second ",
                '3' => " third ",
                _ => " ",
            };
            out.push_str(ordinal);
            i += if ordinal == " " { 1 } else { 2 };
            continue;
        }
        if is_hangul(chars[i]) {
            let start = i;
            while i < chars.len() && is_hangul(chars[i]) {
                i += 1;
            }
            read_hangul(&chars[start..i], &mut out);
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Cyrillic letters as the sanctions lists romanise Russian, Ukrainian and
/// Belarusian names (BGN/PCGN without diacritics).
fn cyrillic_latin(c: char, word_start: bool, after_vowel: bool) -> Option<&'static str> {
    let lower = c.to_lowercase().next().unwrap_or(c);
    Some(match lower {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'ґ' => "g",
        'д' => "d",
        'е' if word_start || after_vowel => "ye",
        'е' => "e",
        'ё' => "yo",
        'є' => "ye",
        'ж' => "zh",
        'з' => "z",
        'и' => "i",
        'і' => "i",
        'ї' => "yi",
        'й' => "y",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ў' => "w",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' | 'ь' => "",
        'ы' => "y",
        'э' => "e",
        'ю' => "yu",
        'я' => "ya",
        _ => return None,
    })
}

/// Transliterates the Cyrillic letters of a name, keeping everything else.
fn russian_latin(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    let mut prev: Option<char> = None;
    for c in s.chars() {
        let word_start = !prev.is_some_and(char::is_alphabetic);
        let after_vowel = prev.is_some_and(|p| "аеёиоуыэюяіїєьъАЕЁИОУЫЭЮЯІЇЄЬЪ".contains(p));
        match cyrillic_latin(c, word_start, after_vowel) {
            Some(l) => out.push_str(l),
            None => out.push(c),
        }
        prev = Some(c);
    }
    out
}

/// Spelling variants that fold to one form: Korean names in Revised,
/// McCune–Reischauer, North Korean and Russian (Kontsevich) romanisation,
/// and words the lists write two ways: `assets/screening/name-variants.csv`.
static VARIANTS: LazyLock<HashMap<&'static str, &'static str>> =
    LazyLock::new(|| shipped(NAME_VARIANTS_FILE, parse_name_variants));

/// Legal forms and generic words of company names, folded (and their
/// spellings in the main trading languages): `assets/screening/generic-words.csv`.
static GENERIC: LazyLock<GenericWords> = LazyLock::new(|| shipped(GENERIC_WORDS_FILE, parse_generic_words));

/// Legal forms and connecting words: they say almost nothing about who a
/// party is ("Co., Ltd" against "Corporation"), so they weigh even less than
/// other generic words: the rows of `generic-words.csv` of kind `legal form`
/// or `connecting`.
pub fn is_legal_form(canonical: &str) -> bool {
    GENERIC.least.contains(&canonical)
}

/// Articles, prepositions and conjunctions (`al`, `de`, `and`), folded: the
/// rows of `generic-words.csv` of kind `connecting`. They are found in
/// people's names as well as companies'.
fn is_connecting_word(canonical: &str) -> bool {
    GENERIC.connecting.contains(&canonical)
}

/// Names and adjectives of countries as they open or close the names of
/// listed organisations (KOREA RYONBONG GENERAL CORPORATION, KOREAN
/// NATIONAL INSURANCE COMPANY, COMMERCIAL BANK OF SYRIA, PAKISTANI
/// TALIBAN, LEBANESE HIZBALLAH): the countries of the UN and US country
/// and counter-terrorism programmes whose names the lists' organisations
/// carry, and China, whose name opens many Entity List names. A firm named
/// without the word is most likely the same firm (see `ListIndex::new`),
/// unless the rest names only a kind of institution ([`INSTITUTION_WORDS`]);
/// present, the word counts as any other.
const COUNTRY_WORDS: &[&str] = &[
    "korea",
    "korean",
    "iran",
    "iranian",
    "syria",
    "syrian",
    "russia",
    "russian",
    "belarus",
    "belarusian",
    "cuba",
    "cuban",
    "venezuela",
    "venezuelan",
    "myanmar",
    "burma",
    "burmese",
    "china",
    "chinese",
    "lebanon",
    "lebanese",
    "iraq",
    "iraqi",
    "afghanistan",
    "afghan",
    "libya",
    "libyan",
    "yemen",
    "yemeni",
    "sudan",
    "sudanese",
    "somalia",
    "somali",
    "palestine",
    "palestinian",
    "pakistan",
    "pakistani",
    "nicaragua",
    "nicaraguan",
    "zimbabwe",
    "zimbabwean",
];

/// Words that, with a country's name, name one of its institutions (CENTRAL
/// BANK OF SYRIA, NATIONAL IRANIAN OIL COMPANY, SYRIAN AIR FORCE, KOREA
/// NATIONAL INSURANCE CORPORATION): without the country they name a kind of
/// institution that every country has, so a name left with only them
/// without its country word matches only a party of that country (`score`
/// in the parent module).
const INSTITUTION_WORDS: &[&str] = &[
    "national",
    "central",
    "state",
    "states",
    "bank",
    "ministry",
    "government",
    "republic",
    "people",
    "peoples",
    "democratic",
    "federal",
    "federation",
    "oil",
    "gas",
    "petroleum",
    "petrochemical",
    "energy",
    "electric",
    "electricity",
    "power",
    "airlines",
    "airline",
    "airways",
    "air",
    "aviation",
    "force",
    "forces",
    "army",
    "navy",
    "naval",
    "military",
    "armed",
    "police",
    "guard",
    "guards",
    "intelligence",
    "security",
    "defence",
    "defense",
    "interior",
    "foreign",
    "affairs",
    "insurance",
    "reinsurance",
    "railway",
    "railways",
    "shipping",
    "maritime",
    "port",
    "ports",
    "post",
    "telecommunications",
    "telecom",
    "broadcasting",
    "radio",
    "television",
    "academy",
    "science",
    "sciences",
    "university",
    "institute",
    "research",
    "fund",
    "investment",
    "authority",
    "agency",
    "directorate",
    "office",
    "bureau",
    "department",
    "committee",
    "council",
    "commission",
    "organization",
    "organisation",
    "association",
    "society",
    "union",
    "trade",
    "commerce",
    "commercial",
    "cooperation",
    "relief",
    "charity",
    "charitable",
    "welfare",
    "red",
    "crescent",
    "cross",
];

/// Whether a folded word is one that names a country's institution with the
/// country's name ([`INSTITUTION_WORDS`]).
pub fn is_institution_word(canonical: &str) -> bool {
    INSTITUTION_WORDS.contains(&canonical)
}

/// Whether a folded word names a country as organisations' names do ([`COUNTRY_WORDS`]).
pub fn is_country_word(canonical: &str) -> bool {
    COUNTRY_WORDS.contains(&canonical)
}

/// Whether a word is one of the generic words or legal forms (as written).
pub fn is_generic_word(word: &str) -> bool {
    GENERIC.words.contains_key(word)
}

/// Every generic word and legal form, as written.
pub fn generic_words() -> impl Iterator<Item = &'static str> {
    GENERIC.words.keys().copied()
}

/// Korean names in Russian Cyrillic (Kontsevich: Ким Чен Ын, Чхве Рён Хэ,
/// Пак Пон Чжу) rewritten in the Latin spelling Korean romanisations use;
/// the Russian reading (Х as KH, Ы as Y) would miss them.
fn korean_cyrillic(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() * 2);
    let lower = |c: char| c.to_lowercase().next().unwrap_or(c);
    let is_cyr_cons = |c: char| "бвгджзйклмнпрстфхцчшщ".contains(lower(c));
    let mut i = 0;
    while i < chars.len() {
        let c = lower(chars[i]);
        let next = chars.get(i + 1).map(|n| lower(*n));
        let word_start = i == 0 || !chars[i - 1].is_alphabetic();
        let (text, used) = match (c, next) {
            ('ч', Some('х')) => ("ch", 2),
            ('ч', Some('ж')) => ("j", 2),
            // ㅈ voiced, as Kontsevich writes it after a vowel or a
            // sonorant and as many write it everywhere: Джин, Ходжин.
            ('д', Some('ж')) => ("j", 2),
            ('т', Some('х')) => ("t", 2),
            ('п', Some('х')) => ("p", 2),
            ('к', Some('х')) => ("k", 2),
            // ㅚ after a consonant: Чхве, Хве; ㅘ ㅝ ㅟ ㅙ: Хван, Гвон, Хви, Хвэ.
            ('в', Some('е')) if i > 0 && is_cyr_cons(chars[i - 1]) => ("oe", 2),
            ('в', Some('э')) if i > 0 && is_cyr_cons(chars[i - 1]) => ("wae", 2),
            ('в', Some('а' | 'о' | 'и')) if word_start || is_cyr_cons(chars[i - 1]) => ("w", 1),
            ('ч', _) => ("ch", 1),
            ('х', _) => ("h", 1),
            ('ы', _) => ("u", 1),
            ('э', _) => ("ae", 1),
            ('ё', _) => ("yo", 1),
            ('ю', _) => ("yu", 1),
            ('я', _) => ("ya", 1),
            // Ё is often typed Е: a Korean syllable starting so is Ё (영 Ён).
            ('е', _) if word_start => ("yo", 1),
            ('е', _) => ("e", 1),
            ('й', _) => ("i", 1),
            ('ь' | 'ъ', _) => ("", 1),
            _ => ("", 0),
        };
        if used == 0 {
            out.push(chars[i]);
            i += 1;
        } else {
            out.push_str(text);
            i += used;
        }
    }
    russian_latin(&out)
}

/// Whether a name has Cyrillic letters.
fn has_cyrillic(s: &str) -> bool {
    s.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c))
}

/// The token sequences a name may stand for: one, or for a name in
/// Cyrillic two (read as Russian, and as a Korean name in Russian spelling).
pub fn token_variants(name: &str) -> Vec<Vec<Token>> {
    let first = tokens(name);
    if has_cyrillic(name) {
        let second = tokens(&korean_cyrillic(name));
        if second != first {
            return vec![first, second];
        }
    }
    vec![first]
}

/// One way of reading a queried name, and what it took to read it so
/// (said in a match's evidence): `None` for the name as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// The tokens.
    pub tokens: Vec<Token>,
    /// What was seen through, if anything.
    pub note: Option<&'static str>,
}

/// The readings of a name screened against a list: as written (and its
/// script variants, [`token_variants`]), then as it would be seen by a
/// reader when it hides a disguise (red team C2, C4): letters of other
/// scripts that look like Latin ones read as those letters, text a bidi
/// override reverses read in the order it is displayed, and digits inside
/// words read as the letters they stand for (`K0REA`). A reading that
/// gives the same tokens as an earlier one is not repeated.
pub fn query_readings(name: &str) -> Vec<Reading> {
    let mut out: Vec<Reading> = token_variants(name).into_iter().map(|tokens| Reading { tokens, note: None }).collect();
    // Readings already made, by their tokens: a field of many parties
    // (100,000 commas) is read in time linear in its length.
    let mut seen: HashSet<Vec<Token>> = out.iter().map(|r| r.tokens.clone()).collect();
    let mut add = |text: &str, note: &'static str| {
        for tokens in token_variants(text) {
            if seen.insert(tokens.clone()) {
                out.push(Reading { tokens, note: Some(note) });
            }
        }
    };
    // A field that names several parties, or a party with words in
    // brackets, is also read part by part (red team C4).
    let bare = without_labels(name.trim());
    for part in party_parts(name) {
        if part == bare {
            add(&part, "a title or label before the name left out");
        } else {
            add(&part, "one party of several named in the field");
        }
    }
    // Words run together, told apart by their capitals or digits
    // (`RiEunSong`, `Yuphyong5`).
    if let Some(apart) = words_apart(name) {
        add(&apart, "words written together read apart");
    }
    let displayed = displayed_order(name);
    if let Some(d) = &displayed {
        add(d, "read in the order a bidi override displays it");
    }
    let shown = displayed.as_deref().unwrap_or(name);
    let shaped = crate::values::text::fold_look_alikes(shown);
    if let Some(sh) = &shaped {
        add(sh, "look-alike letters of another script read as Latin");
    }
    let lettered = digits_as_letters(shaped.as_deref().unwrap_or(shown), 'I');
    if let Some(l) = &lettered {
        add(l, "digits inside words read as letters");
        // A 1 stands for an I or an L (`1AND`, `GO1D`): both are tried.
        if let Some(with_l) = digits_as_letters(shaped.as_deref().unwrap_or(shown), 'L')
            && with_l != *l
        {
            add(&with_l, "digits inside words read as letters");
        }
    }
    // A disguised field that also names several parties: the parts of the
    // undisguised text (`K0REA DAES0NG BANK; Acme Ltd`).
    if let Some(undone) = lettered.or(shaped).or(displayed) {
        for part in party_parts(&undone) {
            add(&part, "one party of several named in the field, its disguise undone");
        }
    }
    out
}

/// Words that join two parties in one field: `A; B`, `A / B`, `A and B`,
/// `A c/o B`, `A on behalf of B` and their like.
const PARTY_JOINERS: &[&str] = &[
    " on behalf of ",
    " acting for ",
    " for account of ",
    " for the account of ",
    " on account of ",
    " as agents for ",
    " as agent for ",
    " agent for ",
    " in care of ",
    " care of ",
    " c/o ",
    " and ",
    " & ",
    ";",
    "/",
    ",",
    "|",
];

/// Words that label a party rather than name it, at the start of a part
/// (`attn. Kim Yong Chol`, `c/o Korea Pugang Trading`), compared without
/// case; each followed by a space or a dot.
const PARTY_LABELS: &[&str] = &["attn", "attention", "c/o", "care of", "per pro", "pp", "via", "for"];

/// Titles written before a person's name (`Mr. Pak Mun Il`), compared
/// without case and without their dot: not part of the listed name.
const HONORIFICS: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "prof",
    "sir",
    "dame",
    "madam",
    "madame",
    "mme",
    "mlle",
    "herr",
    "frau",
    "sr",
    "sra",
    "srta",
    "sig",
    "sig.ra",
    "gen",
    "general",
    "col",
    "colonel",
    "capt",
    "captain",
    "maj",
    "major",
    "lt",
    "lieutenant",
    "adm",
    "admiral",
    "cmdr",
    "hon",
    "rev",
    "sheikh",
    "shaykh",
    "haji",
    "hajji",
    "gospodin",
    "gospozha",
];

/// A part without the labels and titles it begins with (`c/o Mr. X` → `X`).
fn without_labels(mut p: &str) -> &str {
    while let Some(rest) = without_label(p) {
        p = rest;
    }
    p
}

/// A part without the label or title it begins with (`attn. X`, `Mr. X`,
/// `Dr X`), if it begins with one and something follows.
fn without_label(p: &str) -> Option<&str> {
    let lower = p.to_ascii_lowercase();
    for w in PARTY_LABELS.iter().chain(HONORIFICS) {
        if lower.len() > w.len()
            && lower.starts_with(w)
            && lower[w.len()..].starts_with(['.', ' '])
            && p.is_char_boundary(w.len())
        {
            let rest = p[w.len()..].trim_start_matches(['.', ' ', ':']);
            if rest.chars().any(char::is_alphabetic) {
                return Some(rest);
            }
        }
    }
    None
}

/// The parties a field may name besides the whole: its parts between
/// `PARTY_JOINERS` and brackets, each without a leading label (`agent:`),
/// and the whole without its bracketed words (`GREEN PINE (MALAYSIA) SDN
/// BHD` → `GREEN PINE SDN BHD`). Parts without a letter are left out.
pub fn party_parts(name: &str) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut push = |p: &str| {
        let p = p.trim_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':' | '.' | '-'));
        // `agent: X`, `attn: X`: the label is not part of the name.
        let p = match p.split_once(':') {
            Some((label, rest)) if !label.trim().contains(' ') && !rest.trim().is_empty() => rest.trim(),
            _ => p,
        };
        // `attn. X`, `Mr. X`, `c/o Mr. X`: the part without them, too.
        for p in [p, without_labels(p)] {
            if p.chars().any(char::is_alphabetic) && p != name.trim() && seen.insert(p.to_string()) {
                parts.push(p.to_string());
            }
        }
    };
    // The whole without a label or title it begins with (`Mr. X`, `c/o X`).
    push(name.trim());
    // Bracketed words apart, and the whole without them.
    let mut outside = String::with_capacity(name.len());
    let mut depth = 0usize;
    let mut inner = String::new();
    let mut bracketed: Vec<String> = Vec::new();
    for c in name.chars() {
        match c {
            '(' | '[' | '{' => {
                depth += 1;
                outside.push(' ');
            }
            ')' | ']' | '}' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    bracketed.push(std::mem::take(&mut inner));
                }
            }
            c if depth > 0 => inner.push(c),
            c => outside.push(c),
        }
    }
    if depth > 0 {
        bracketed.push(inner);
    }
    // Words in brackets are a party of their own when they are labelled
    // (`(agent: …)`) or a name of three words or more; a place or an
    // acronym in brackets (`(HONG KONG)`, `(TCB)`) is not a party.
    for b in &bracketed {
        let named = b.split_once(':').map_or(b.as_str(), |(_, rest)| rest);
        if named.split_whitespace().filter(|w| w.chars().any(char::is_alphabetic)).count() >= 3 || b.contains(':') {
            push(b);
        }
    }
    let outside = outside.split_whitespace().collect::<Vec<_>>().join(" ");
    if outside != name.split_whitespace().collect::<Vec<_>>().join(" ") {
        push(&outside);
    }
    // The parts between joiners (case-insensitively), of the whole without brackets.
    let lower = outside.to_ascii_lowercase();
    {
        let mut cuts: Vec<(usize, usize)> = Vec::new();
        for j in PARTY_JOINERS {
            let mut from = 0;
            while let Some(i) = lower[from..].find(j) {
                cuts.push((from + i, from + i + j.len()));
                from += i + j.len();
            }
        }
        cuts.sort_unstable();
        let mut start = 0;
        // The parts' spans, and whether a comma ends each.
        let mut spans: Vec<(usize, usize, bool)> = Vec::new();
        for (a, b) in cuts {
            if a >= start {
                spans.push((start, a, &outside[a..b] == ","));
                start = b;
            }
        }
        if start > 0 {
            spans.push((start, outside.len(), false));
        }
        // `SURNAME, Given`: one word and a comma, then a person's given
        // names (up to three words, none of them a company's) is one
        // person's name, not two parties; neither half is screened alone
        // (`GARBAYA, Ahmed` is not a party `Ahmed`).
        let words = |a: usize, b: usize| outside[a..b].split_whitespace().count();
        let person_given = |a: usize, b: usize| {
            (1..=3).contains(&words(a, b))
                && tokens(&outside[a..b]).iter().all(|t| !t.generic || is_connecting_word(&t.text))
        };
        let mut inverted = vec![false; spans.len()];
        for i in 1..spans.len() {
            let ((a0, b0, comma), (a1, b1, _)) = (spans[i - 1], spans[i]);
            if comma && words(a0, b0) == 1 && person_given(a1, b1) {
                inverted[i - 1] = true;
                inverted[i] = true;
            }
        }
        for ((a, b, _), inverted) in spans.iter().zip(&inverted) {
            if !inverted {
                push(&outside[*a..*b]);
            }
        }
        // Two parts a comma joins, read as one: a person's name written
        // `SURNAME, Given` inside a longer field (`Suntide Marine Pte Ltd /
        // ALAVI, Mahmoud`, `KANG, Kyong Il, General Director`).
        for w in spans.windows(2) {
            if let [(a, _, true), (_, b, _)] = w {
                push(&outside[*a..*b]);
            }
        }
    }
    parts
}

/// The text a right-to-left override (U+202E) or embedding (U+202B)
/// displays reversed, in the order it is seen: each such run, up to the
/// next pop (U+202C) or the end, reversed. `None` without one.
fn displayed_order(s: &str) -> Option<String> {
    if !s.contains(['\u{202E}', '\u{202B}']) {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    let mut run: Option<Vec<char>> = None;
    for c in s.chars() {
        match (c, &mut run) {
            ('\u{202E}' | '\u{202B}', _) => {
                if let Some(r) = run.take() {
                    out.extend(r.into_iter().rev());
                }
                run = Some(Vec::new());
            }
            ('\u{202C}', Some(_)) => {
                if let Some(r) = run.take() {
                    out.extend(r.into_iter().rev());
                }
            }
            (c, Some(r)) => r.push(c),
            (c, None) => out.push(c),
        }
    }
    if let Some(r) = run {
        out.extend(r.into_iter().rev());
    }
    Some(out)
}

/// A name whose words run together, with a space where a lower-case letter
/// meets a capital (`RiEunSong`) or a letter meets a digit (`Namsan8`);
/// `None` when there is no such place.
fn words_apart(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len() + 8);
    let mut prev: Option<char> = None;
    let mut changed = false;
    for c in s.chars() {
        if let Some(p) = prev {
            let case = p.is_lowercase() && c.is_uppercase();
            let digit = (p.is_alphabetic() && c.is_ascii_digit()) || (p.is_ascii_digit() && c.is_alphabetic());
            if case || digit {
                out.push(' ');
                changed = true;
            }
        }
        out.push(c);
        prev = Some(c);
    }
    changed.then_some(out)
}

/// Digits inside words that also hold letters, read as the letters they
/// are written for (`K0REA` → `KOREA`, `P1NE` → `PINE`), a 1 as `one`
/// (I or L); whole numbers stay. `None` when there is no such word.
fn digits_as_letters(s: &str, one: char) -> Option<String> {
    let letter = |d: char| match d {
        '0' => Some('O'),
        '1' => Some(one),
        '3' => Some('E'),
        '4' => Some('A'),
        '5' => Some('S'),
        '7' => Some('T'),
        '8' => Some('B'),
        _ => None,
    };
    let mut changed = false;
    let mut out = String::with_capacity(s.len());
    for word in s.split_inclusive(|c: char| !c.is_alphanumeric()) {
        let mixed = word.chars().any(char::is_alphabetic) && word.chars().any(|c| c.is_ascii_digit());
        for c in word.chars() {
            match letter(c).filter(|_| mixed) {
                Some(l) => {
                    out.push(l);
                    changed = true;
                }
                None => out.push(c),
            }
        }
    }
    changed.then_some(out)
}

/// Legal forms written out in several words, as the one legal form they are
/// (Joint Stock Company is JSC; ООО spelt out is an LLC).
const LEGAL_PHRASES: &[(&[&str], &str)] = &[
    (&["public", "joint", "stock", "company"], "jsc"),
    (&["closed", "joint", "stock", "company"], "jsc"),
    (&["open", "joint", "stock", "company"], "jsc"),
    (&["joint", "stock", "company"], "jsc"),
    (&["limited", "liability", "company"], "llc"),
    (&["limited", "liability", "partnership"], "llc"),
    (&["obshchestvo", "s", "ogranichennoy", "otvetstvennostyu"], "llc"),
    (&["tovarystvo", "z", "obmezhenoyu", "vidpovidalnistyu"], "llc"),
    (&["publichnoye", "aktsionernoye", "obshchestvo"], "jsc"),
    (&["otkrytoye", "aktsionernoye", "obshchestvo"], "jsc"),
    (&["zakrytoye", "aktsionernoye", "obshchestvo"], "jsc"),
    (&["aktsionernoye", "obshchestvo"], "jsc"),
    (&["aktsionerne", "tovarystvo"], "jsc"),
];

/// Names written out in words or abbreviated, as the one word they are
/// (the lists write both DPRK and Democratic People's Republic of Korea).
const NAME_PHRASES: &[(&[&str], &str)] = &[
    (&["democratic", "peoples", "republic", "of", "korea"], "dprk"),
    (&["democratic", "people", "s", "republic", "of", "korea"], "dprk"),
    (&["dpr", "of", "korea"], "dprk"),
    (&["dpr", "korea"], "dprk"),
    (&["korea", "dpr"], "dprk"),
];

/// Folds legal forms written out in words into one generic token, and the
/// [`NAME_PHRASES`] into their word.
fn fold_legal_phrases(tokens: Vec<Token>) -> Vec<Token> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let fits = |words: &&[&str]| {
            tokens.len() - i >= words.len() && words.iter().zip(&tokens[i..]).all(|(w, t)| t.spelled == *w)
        };
        let found = LEGAL_PHRASES
            .iter()
            .map(|(w, f)| (w, f, true))
            .chain(NAME_PHRASES.iter().map(|(w, f)| (w, f, false)))
            .find(|(words, _, _)| fits(words));
        match found {
            Some((words, form, generic)) => {
                let spelled = if generic { words.join(" ") } else { (*form).to_string() };
                out.push(Token { text: (*form).to_string(), spelled, generic });
                i += words.len();
            }
            None => {
                out.push(tokens[i].clone());
                i += 1;
            }
        }
    }
    out
}

/// Normalises a name to tokens: romanised, transliterated, folded.
pub fn tokens(name: &str) -> Vec<Token> {
    // Invisible characters inside a word are not word breaks: a zero-width
    // space between every letter hid a designated name (red team C1).
    let name = crate::values::text::without_invisibles(name);
    // Jamo (decomposed, or compatibility jamo) become the syllables they spell (red team C3).
    let name = crate::values::text::compose_hangul(&name);
    let romanised = russian_latin(&romanise_hangul(&name));
    let ascii = deunicode::deunicode_with_tofu(&romanised, " ");
    // Words as written, lowercase; single letters written with dots
    // (S.A., L.L.C.) are one word.
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut dotted_run = false;
    // Whether `word` has a digit: kept as it grows, so that a long run of
    // dotted letters (T.A.N.C.H.O.N…) is read in linear time (red team H4).
    let mut word_has_digit = false;
    let chars: Vec<char> = ascii.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if word.is_empty() {
            word_has_digit = false;
        }
        match c {
            'a'..='z' => word.push(c),
            '0'..='9' => {
                word.push(c);
                word_has_digit = true;
            }
            'A'..='Z' => word.push(c.to_ascii_lowercase()),
            // Apostrophes and quotes join: CH'OE = CHOE, "KOMID" = KOMID.
            '\'' | '`' | '"' => {}
            '.' => {
                // A dot between single letters joins them; any other dot ends the word.
                let single_next = chars.get(i + 1).is_some_and(|n| n.is_ascii_alphabetic())
                    && chars.get(i + 2).is_none_or(|n| !n.is_ascii_alphanumeric());
                // `word` is ASCII: its length in bytes is its length in letters.
                let letters_so_far = word.len() == 1 || dotted_run;
                if letters_so_far && single_next && !word_has_digit {
                    dotted_run = true;
                } else {
                    dotted_run = false;
                    words.extend((!word.is_empty()).then(|| std::mem::take(&mut word)));
                }
            }
            '&' => {
                dotted_run = false;
                words.extend((!word.is_empty()).then(|| std::mem::take(&mut word)));
                words.push("&".into());
            }
            _ => {
                dotted_run = false;
                words.extend((!word.is_empty()).then(|| std::mem::take(&mut word)));
            }
        }
    }
    words.extend((!word.is_empty()).then_some(word));
    let out: Vec<Token> = words
        .into_iter()
        .map(|w| {
            // A number is its value: `078` and `78` in a vessel's name are one
            // token (red team C12: `MIN NING DE YOU 78` passed).
            let w = match w.trim_start_matches('0') {
                t if t.len() < w.len() && w.bytes().all(|b| b.is_ascii_digit()) => {
                    if t.is_empty() {
                        "0".to_string()
                    } else {
                        t.to_string()
                    }
                }
                _ => w,
            };
            if w == "&" {
                return Token { text: "and".into(), spelled: "and".into(), generic: true };
            }
            match GENERIC.words.get(w.as_str()) {
                Some(g) => Token { text: (*g).to_string(), spelled: w, generic: true },
                None => Token {
                    text: VARIANTS.get(w.as_str()).map_or_else(|| w.clone(), |v| (*v).to_string()),
                    spelled: w,
                    generic: false,
                },
            }
        })
        .collect();
    fold_legal_phrases(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(name: &str) -> Vec<String> {
        tokens(name).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn scripts_and_variants_meet() {
        assert_eq!(texts("KIM Jong Un"), ["kim", "jong", "un"]);
        assert_eq!(texts("Kim Jong-un"), ["kim", "jong", "un"]);
        assert_eq!(texts("김정은"), ["kim", "jong", "un"]);
        assert_eq!(texts("Ким Чен Ын"), ["kim", "jong", "un"]);
        let yun =
            |name: &str| token_variants(name).iter().any(|v| v.iter().map(|t| &t.text).eq(["yun", "ho", "jin"].iter()));
        assert!(yun("Юн Хо Джин"), "{:?}", token_variants("Юн Хо Джин"));
        assert_eq!(texts("RI Su Yong"), texts("Lee Su-yong"));
        assert_eq!(texts("리수용"), ["ri", "su", "yong"]);
        assert_eq!(texts("PAK Pong Ju"), texts("Park Bong-joo"));
        assert_eq!(texts("CH'OE SO’K MIN"), texts("Choi Seok-min"));
        assert_eq!(texts("Євген Приходько"), ["yevgen", "prikhodko"]);
        assert_eq!(texts("Нарышкин Сергей Евгеньевич"), ["naryshkin", "sergey", "yevgenyevich"]);
        assert_eq!(texts("황병서"), texts("HWANG Pyong So"));
        assert_eq!(texts("오극렬"), texts("O Kuk Ryol"));
        assert_eq!(texts("金铁三"), ["jin", "tie", "san"]);
        assert_eq!(texts("Łódź Česká"), ["lodz", "ceska"]);
    }

    #[test]
    fn digits_inside_words_are_read_as_letters_a_one_both_ways() {
        assert_eq!(digits_as_letters("K0REA 1ST", 'I').as_deref(), Some("KOREA IST"));
        assert_eq!(digits_as_letters("GO1D 1AND", 'L').as_deref(), Some("GOLD LAND"));
        assert_eq!(digits_as_letters("BILLIONS NO. 18", 'I'), None, "whole numbers stay");
        let words: Vec<String> =
            query_readings("BANK OF EA5T 1AND").into_iter().flat_map(|r| r.tokens).map(|t| t.spelled).collect();
        assert!(words.iter().any(|w| w == "iand") && words.iter().any(|w| w == "land"), "{words:?}");
    }

    #[test]
    fn words_run_together_are_read_apart_at_capitals_and_digits() {
        assert_eq!(words_apart("RiEunSong").as_deref(), Some("Ri Eun Song"));
        assert_eq!(words_apart("Yuphyong5").as_deref(), Some("Yuphyong 5"));
        assert_eq!(words_apart("KOREA DAESONG"), None);
        assert_eq!(words_apart("Korea Daesong"), None);
    }

    #[test]
    fn the_dprk_written_out_or_abbreviated_is_one_word() {
        for name in ["Democratic People's Republic of Korea", "D.P.R.K.", "DPR Korea", "Korea, DPR"] {
            assert_eq!(texts(name), ["dprk"], "{name}");
        }
        assert_eq!(texts("Korea Hyoksin Trdg Corp"), texts("KOREA HYOKSIN TRADING CORPORATION"));
        assert_eq!(texts("Ministry of Natl Defence"), texts("MINISTRY OF NATIONAL DEFENCE"));
    }

    #[test]
    fn numbers_in_names_are_their_values() {
        assert_eq!(texts("MIN NING DE YOU 078"), texts("Min Ning De You 78"));
        assert_eq!(texts("NO. 007"), ["no", "7"]);
        assert_eq!(texts("000"), ["0"]);
        // Letters with digits are a word, not a number.
        assert_eq!(texts("A007"), ["a007"]);
    }

    #[test]
    fn korean_names_in_russian_spelling() {
        let v = |n: &str| -> Vec<Vec<String>> {
            token_variants(n).into_iter().map(|t| t.into_iter().map(|x| x.text).collect()).collect()
        };
        // Final -н stands for -n and -ng alike: scoring treats Yon and Yong as close.
        assert!(v("Ли Су Ен").contains(&vec!["ri".into(), "su".into(), "yon".into()]));
        assert!(v("Чхве Рён Хэ").contains(&vec!["choe".into(), "ryon".into(), "hae".into()]));
        assert!(v("Хван Пён Со").contains(&vec!["hwan".into(), "pyon".into(), "so".into()]));
        assert!(v("Ким Ир Сен").contains(&texts("Kim Il Sung")));
        // Russian names keep their Russian reading too.
        assert!(v("Евгений Пригожин").contains(&texts("Yevgeniy Prigozhin")));
        assert_eq!(v("Kim Jong Un").len(), 1);
    }

    #[test]
    fn korean_organisation_names_are_translated() {
        assert_eq!(texts("조선광업개발무역회사"), texts("Korea Mining Development Trading Company"));
        assert_eq!(texts("단천상업은행"), texts("Tanchon Commercial Bank"));
        assert_eq!(texts("청천강해운회사"), texts("Chongchongang Shipping Company"));
        assert_eq!(texts("제2경제위원회"), texts("Second Economic Committee"));
        // A person's name is read syllable by syllable, even when a syllable is also a word.
        assert_eq!(texts("김성"), ["kim", "song"]);
    }

    #[test]
    fn legal_forms_and_generic_words_are_marked() {
        let t = tokens("Korea Mining Development Trading Corp., Ltd");
        let generic: Vec<bool> = t.iter().map(|x| x.generic).collect();
        assert_eq!(generic, [false, false, true, true, true, true]);
        assert_eq!(texts("KINGLY WON INTERNATIONAL CO., LTD"), texts("Kingly Won International Company Limited"));
        assert_eq!(texts("ООО «Северный Морской Путь»")[0], "llc");
        assert!(tokens("Global Trading Co Ltd").iter().all(|t| t.generic));
        assert_eq!(texts("Acme S.A."), ["acme", "sa"]);
        assert_eq!(texts("ACME L.L.C."), ["acme", "llc"]);
        assert_eq!(texts("Joint-Stock Company \"TransKomplektHolding\""), ["jsc", "transkomplektholding"]);
        assert_eq!(texts("ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ \"ИЖТЕЛЕКОМ\""), texts("OOO Izhtelekom"));
        assert_eq!(texts("J. Smith"), ["j", "smith"]);
        // Dotted letters join in one pass, however many (red team H4); a digit ends the run.
        assert_eq!(texts("T.A.N.C.H.O.N Commercial Bank"), texts("Tanchon Commercial Bank"));
        assert_eq!(texts(&"T.".repeat(100_000)), ["t".repeat(100_000)]);
        assert_eq!(texts("A.1.B"), ["a", "1", "b"]);
        assert_eq!(texts("A1.B.C"), ["a1", "bc"]);
        // Abbreviations of generic words in company names are those words.
        assert_eq!(texts("Tanchon Comm. Bank"), texts("Tanchon Commercial Bank"));
        assert_eq!(texts("Hong Kong Coml Svcs Grp Hldgs"), texts("Hong Kong Commercial Services Group Holdings"));
    }

    /// Every table as shipped, parsed.
    #[test]
    fn shipped_tables_parse() {
        for (path, text) in TABLES {
            let parsed = match *path {
                "assets/screening/korean-words.csv" => parse_korean_words(text).map(drop),
                "assets/screening/name-variants.csv" => parse_name_variants(text).map(drop),
                "assets/screening/generic-words.csv" => parse_generic_words(text).map(drop),
                other => panic!("{other}: no parser"),
            };
            assert_eq!(parsed, Ok(()), "{path}");
            // The path is the file that was compiled in (it is what fingerprints name).
            let on_disk = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path));
            assert_eq!(on_disk.as_deref().ok(), Some(*text), "{path}");
            // No value is quoted or holds a comma: every line has the header's commas.
            let commas = text.lines().next().map_or(0, |h| h.matches(',').count());
            assert!(text.lines().all(|l| l.matches(',').count() == commas && !l.contains('"')), "{path}");
        }
        // A word that is generic is never read as a variant: the tables do not overlap.
        let variants = parse_name_variants(NAME_VARIANTS_FILE.1).unwrap_or_default();
        assert!(variants.keys().all(|v| !is_generic_word(v)));
    }

    /// The tables have the rows they had as code: a row lost or added is a decision.
    #[test]
    fn shipped_tables_have_their_sizes() {
        assert_eq!(KOREAN_WORDS.len(), 76);
        let sizes = |text, columns| parse_spellings(text, columns).map(|(rows, map)| (rows.len(), map.len()));
        assert_eq!(sizes(NAME_VARIANTS_FILE.1, &["canonical", "spellings", "source"]), Ok((71, 226)));
        assert_eq!(sizes(GENERIC_WORDS_FILE.1, &["canonical", "kind", "spellings", "source"]), Ok((31, 161)));
        assert_eq!(VARIANTS.len(), 226);
        assert_eq!(generic_words().count(), 161);
        let mut least = GENERIC.least.clone();
        least.sort_unstable();
        assert_eq!(least, ["and", "co", "corp", "fze", "gmbh", "inc", "jsc", "llc", "ltd", "no", "pte", "sa", "the"]);
    }

    #[test]
    fn table_lookups_behave_as_before() {
        // Korean words: the longest word wins (총회사, not 총 and 회사).
        assert_eq!(texts("조선"), ["korea"]);
        assert_eq!(texts("평양총회사"), ["pyongyang", "general", "corp"]);
        assert_eq!(texts("김성"), ["kim", "song"]);
        // Name variants: folded, the spelling kept.
        let rhee = &tokens("Rhee")[0];
        assert_eq!((rhee.text.as_str(), rhee.spelled.as_str(), rhee.generic), ("ri", "rhee", false));
        assert_eq!(texts("Tsoi Labor Defense Center"), ["choe", "labour", "defence", "centre"]);
        assert_eq!(texts("Smith"), ["smith"]);
        // Generic words and legal forms.
        let t = tokens("Kompaniya Torgovyi Maritime");
        assert!(t.iter().all(|t| t.generic));
        assert_eq!(texts("Kompaniya Torgovyi Maritime"), ["co", "trading", "shipping"]);
        assert!(is_generic_word("gmbh") && is_generic_word("&") && !is_generic_word("kim"));
        assert!(is_legal_form("co") && is_legal_form("the") && is_legal_form("no"));
        assert!(!is_legal_form("trading") && !is_legal_form("company"));
    }

    #[test]
    fn malformed_tables_are_errors() {
        let spellings = |t| parse_spellings(t, &["canonical", "spellings", "source"]).map(|(_, m)| m.len());
        assert_eq!(spellings("canonical,spellings,source\nri,ri;lee,x\n"), Ok(2));
        for bad in [
            "canonical,source,spellings\nri,ri;lee,x\n",
            "\u{feff}canonical,spellings,source\nri,ri;lee,x\n",
            "canonical,spellings,source\nri,ri;lee,x,y\n",
            "canonical,spellings,source\nri,ri;lee\n",
            "canonical,spellings,source\n\nri,ri;lee,x\n",
            "canonical,spellings,source\nri,\"ri;lee\",x\n",
            "canonical,spellings,source\nri, ri;lee,x\n",
            "canonical,spellings,source\nri,ri;lee,\n",
            "canonical,spellings,source\nri,ri;;lee,x\n",
            "canonical,spellings,source\nri,ri;Lee,x\n",
            "canonical,spellings,source\nri,ri; lee,x\n",
            "canonical,spellings,source\nri,rhee;lee,x\n",
            "canonical,spellings,source\nri,ri;lee,x\nyi,yi;lee,x\n",
        ] {
            assert!(spellings(bad).is_err(), "{bad:?}");
        }
        assert!(parse_korean_words("hangul,english,note\n조선,korea,\n").is_ok());
        for bad in [
            "hangul,english,note\nchoson,korea,\n",
            "hangul,english,note\n조선,Korea,\n",
            "hangul,english,note\n조선,korea,\n조선,korea,\n",
            "hangul,english,note\n조선,north  korea,\n",
        ] {
            assert!(parse_korean_words(bad).is_err(), "{bad:?}");
        }
        assert!(parse_generic_words("canonical,kind,spellings,source\nco,legal form,co,x\n").is_ok());
        assert!(parse_generic_words("canonical,kind,spellings,source\nco,legal,co,x\n").is_err());
    }
}
