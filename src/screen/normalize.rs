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

use std::collections::HashMap;
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
/// (조선광업개발무역회사 is KOREA MINING DEVELOPMENT TRADING CORPORATION).
static KOREAN_WORDS: LazyLock<Vec<(Vec<char>, &'static str)>> = LazyLock::new(|| {
    let words: &[(&str, &str)] = &[
        ("조선", "korea"),
        ("로동당", "workers party"),
        ("중앙", "central"),
        ("은행", "bank"),
        ("무역", "trading"),
        ("총회사", "general corporation"),
        ("합영회사", "joint venture company"),
        ("회사", "company"),
        ("상사", "trading company"),
        ("해운", "shipping"),
        ("원양", "ocean"),
        ("로동", "labour"),
        ("국무", "state affairs"),
        ("군사", "military"),
        ("항공우주", "aerospace"),
        ("우주공간", "space"),
        ("해사", "maritime"),
        ("선박", "ship"),
        ("관리", "management"),
        ("상업", "commercial"),
        ("신용", "credit"),
        ("개발", "development"),
        ("광업", "mining"),
        ("공업", "industry"),
        ("기술", "technology"),
        ("총국", "general bureau"),
        ("위원회", "committee"),
        ("국방", "national defence"),
        ("국가", "state"),
        ("인민", "people"),
        ("무력", "armed forces"),
        ("보안", "security"),
        ("정찰", "reconnaissance"),
        ("원자력", "atomic energy"),
        ("항공", "air"),
        ("우주", "space"),
        ("공간", "space"),
        ("과학", "science"),
        ("연구소", "research institute"),
        ("연구원", "research institute"),
        ("대학", "university"),
        ("군수", "munitions"),
        ("원유", "crude oil"),
        ("석유", "petroleum"),
        ("화학", "chemical"),
        ("금속", "metal"),
        ("기계", "machinery"),
        ("전자", "electronics"),
        ("경제", "economic"),
        ("계획", "planning"),
        ("정치", "political"),
        ("참모부", "staff department"),
        ("해외", "overseas"),
        ("사업", "project"),
        ("건설", "construction"),
        ("창작사", "art studio"),
        ("그룹", "group"),
        ("수산", "fisheries"),
        ("콤퓨터", "computer"),
        ("컴퓨터", "computer"),
        ("쎈터", "center"),
        ("센터", "center"),
        ("전략군", "strategic force"),
        ("련합기업소", "complex"),
        ("기업소", "enterprise"),
        ("련합", "association"),
        ("청년", "youth"),
        ("동맹", "league"),
        ("인민군", "people army"),
        ("군", "army"),
        ("성", "ministry"),
        ("부", "department"),
        ("국", "bureau"),
        ("총", "general"),
        ("실", "office"),
        ("호실", "office"),
    ];
    let mut v: Vec<(Vec<char>, &'static str)> = words.iter().map(|(k, e)| (k.chars().collect(), *e)).collect();
    // Longest first, so that 총회사 wins over 총 and 회사.
    v.sort_by_key(|a| std::cmp::Reverse(a.0.len()));
    v
});

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
/// McCune–Reischauer, North Korean and Russian (Kontsevich) romanisation.
static VARIANTS: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| {
    let groups: &[(&str, &[&str])] = &[
        ("ri", &["ri", "rhee", "lee", "yi", "li", "rhi", "ree", "i"]),
        ("pak", &["pak", "park", "bak", "bahk", "pack", "paik", "baek", "paek"]),
        ("choe", &["choe", "choi", "chwe", "choy", "tsoi", "tsoy", "chhoe"]),
        ("jong", &["jong", "chong", "jeong", "cheong", "joung", "jung", "chung", "chen", "tsong"]),
        ("chon", &["chon", "jon", "jeon", "cheon"]),
        ("yon", &["yon", "yeon"]),
        ("kim", &["kim", "gim", "kimm"]),
        ("kang", &["kang", "gang"]),
        ("cho", &["cho", "jo", "joe", "cheo"]),
        ("un", &["un", "eun", "yn", "woon"]),
        ("song", &["song", "seong", "sung", "sen"]),
        ("yun", &["yun", "yoon", "yoen"]),
        ("ryu", &["ryu", "yu", "yoo", "ryoo"]),
        ("rim", &["rim", "lim", "im"]),
        ("o", &["o", "oh"]),
        ("hwang", &["hwang", "whang"]),
        ("jang", &["jang", "chang"]),
        ("il", &["il", "ir"]),
        ("sok", &["sok", "seok", "suk", "sek"]),
        ("chol", &["chol", "cheol", "chul", "chor"]),
        ("hyok", &["hyok", "hyeok", "hyuk"]),
        ("yong", &["yong", "yeong", "young", "ryong", "ryeong"]),
        ("myong", &["myong", "myeong", "myung", "myon"]),
        ("kwang", &["kwang", "gwang"]),
        ("hak", &["hak", "hag"]),
        ("su", &["su", "soo"]),
        ("jin", &["jin", "chin"]),
        ("ju", &["ju", "chu", "joo"]),
        ("kyong", &["kyong", "kyeong", "gyeong", "kyung"]),
        ("kil", &["kil", "gil"]),
        ("dok", &["dok", "tok", "deok"]),
        ("nam", &["nam"]),
        ("hyon", &["hyon", "hyeon", "hyun"]),
        ("gon", &["gon", "kon", "geon"]),
        ("gyu", &["gyu", "kyu"]),
        ("taek", &["taek", "thaek"]),
        ("hui", &["hui", "hee", "hi"]),
        ("u", &["u", "woo", "wu"]),
        ("jun", &["jun", "joon"]),
        ("dae", &["dae", "tae"]),
        ("bong", &["bong", "pong"]),
        // Words that the lists and translations write two ways.
        ("committee", &["committee", "commission"]),
        ("labour", &["labour", "labor"]),
        ("bank", &["bank", "banking"]),
        ("concern", &["concern", "kontsern"]),
        ("defence", &["defence", "defense"]),
        ("centre", &["centre", "center"]),
    ];
    let mut m = HashMap::new();
    for (canon, vs) in groups {
        for v in *vs {
            m.insert(*v, *canon);
        }
    }
    m
});

/// Legal forms and generic words of company names, folded (and their
/// spellings in the main trading languages).
static GENERIC: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| {
    let groups: &[(&str, &[&str])] = &[
        ("co", &["co", "company", "companies", "cie", "compania", "companhia", "kompaniya"]),
        ("corp", &["corp", "corporation", "korporatsiya", "corporacion"]),
        ("ltd", &["ltd", "limited", "ltda", "ld"]),
        ("inc", &["inc", "incorporated"]),
        ("llc", &["llc", "plc", "llp", "lp", "liability", "ooo", "tov", "too"]),
        ("gmbh", &["gmbh", "mbh", "ag", "kg", "se", "ohg"]),
        ("sa", &["sa", "sas", "sarl", "srl", "spa", "sl", "bv", "nv", "as", "asa", "ab", "oy", "oyj", "aps"]),
        ("jsc", &["jsc", "ojsc", "cjsc", "pjsc", "oao", "zao", "pao", "ao", "jv"]),
        ("pte", &["pte", "pvt", "private", "sdn", "bhd", "tbk", "pt", "kk", "kabushiki", "kaisha", "yk"]),
        ("trading", &["trading", "trade", "traders", "trader", "torgovaya", "torgovyi"]),
        ("general", &["general", "gen"]),
        ("group", &["group", "groupe", "gruppa"]),
        ("holding", &["holding", "holdings"]),
        ("international", &["international", "intl", "internatsional"]),
        ("import", &["import", "imports", "importing", "importer"]),
        ("export", &["export", "exports", "exporting", "exporter"]),
        ("enterprise", &["enterprise", "enterprises"]),
        ("industry", &["industry", "industries", "industrial"]),
        ("global", &["global", "worldwide"]),
        ("service", &["service", "services"]),
        ("shipping", &["shipping", "shpg", "maritime", "marine", "navigation", "shipmanagement", "logistics"]),
        ("and", &["and", "&", "und", "et"]),
        ("the", &["the", "of", "for", "de", "la", "le", "el", "al", "der", "die", "das", "du", "des"]),
        ("branch", &["branch", "office", "representative"]),
        ("joint", &["joint", "venture", "stock", "public", "closed", "open"]),
        ("agency", &["agency", "agencies"]),
        ("development", &["development"]),
        ("business", &["business", "commercial"]),
        ("partners", &["partners", "partnership"]),
        ("no", &["no", "nr", "number", "num"]),
    ];
    let mut m = HashMap::new();
    for (canon, vs) in groups {
        for v in *vs {
            m.insert(*v, *canon);
        }
    }
    m
});

/// Legal forms and connecting words: they say almost nothing about who a
/// party is ("Co., Ltd" against "Corporation"), so they weigh even less than
/// other generic words.
pub fn is_legal_form(canonical: &str) -> bool {
    matches!(canonical, "co" | "corp" | "ltd" | "inc" | "llc" | "gmbh" | "sa" | "jsc" | "pte" | "and" | "the" | "no")
}

/// Whether a word is one of the generic words or legal forms (as written).
pub fn is_generic_word(word: &str) -> bool {
    GENERIC.contains_key(word)
}

/// Every generic word and legal form, as written.
pub fn generic_words() -> impl Iterator<Item = &'static str> {
    GENERIC.keys().copied()
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

/// Folds legal forms written out in words into one generic token.
fn fold_legal_phrases(tokens: Vec<Token>) -> Vec<Token> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let found = LEGAL_PHRASES.iter().find(|(words, _)| {
            tokens.len() - i >= words.len() && words.iter().zip(&tokens[i..]).all(|(w, t)| t.spelled == *w)
        });
        match found {
            Some((words, form)) => {
                out.push(Token { text: (*form).to_string(), spelled: words.join(" "), generic: true });
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
    let romanised = russian_latin(&romanise_hangul(name));
    let ascii = deunicode::deunicode_with_tofu(&romanised, " ");
    // Words as written, lowercase; single letters written with dots
    // (S.A., L.L.C.) are one word.
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut dotted_run = false;
    let chars: Vec<char> = ascii.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            'a'..='z' | '0'..='9' => word.push(c),
            'A'..='Z' => word.push(c.to_ascii_lowercase()),
            // Apostrophes and quotes join: CH'OE = CHOE, "KOMID" = KOMID.
            '\'' | '`' | '"' => {}
            '.' => {
                // A dot between single letters joins them; any other dot ends the word.
                let single_next = chars.get(i + 1).is_some_and(|n| n.is_ascii_alphabetic())
                    && chars.get(i + 2).is_none_or(|n| !n.is_ascii_alphanumeric());
                let letters_so_far = word.chars().count() == 1 || dotted_run;
                if letters_so_far && single_next && word.chars().all(|l| l.is_ascii_alphabetic()) {
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
            if w == "&" {
                return Token { text: "and".into(), spelled: "and".into(), generic: true };
            }
            match GENERIC.get(w.as_str()) {
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
    }
}
