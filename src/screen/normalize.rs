//! Name normalisation for screening: one comparable form for names written
//! in any script and any convention. Hangul is romanised syllable by syllable
//! (Revised Romanisation); other scripts are transliterated (Cyrillic,
//! Chinese, Latin with diacritics); case, punctuation and spacing are folded;
//! romanisation variants of Korean names (Ri/Rhee/Lee/Yi, Pak/Park,
//! Choe/Choi, Jong/Chong/Jeong …) fold to one form; legal forms and generic
//! words (CO, LTD, TRADING …) are marked so they never carry a match alone.

use std::collections::HashMap;
use std::sync::LazyLock;

/// A token of a normalised name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Token {
    /// The folded form.
    pub text: String,
    /// A legal form or generic word: weighs little and cannot match alone.
    pub generic: bool,
}

const INITIALS: [&str; 19] =
    ["g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h"];
const VOWELS: [&str; 21] = [
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu", "eu",
    "ui", "i",
];
const FINALS: [&str; 28] = [
    "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t", "ng", "t",
    "t", "k", "t", "p", "t",
];

/// Romanises Hangul syllables, one token per syllable, and leaves other
/// characters as they are.
fn romanise_hangul(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        let code = c as u32;
        if (0xAC00..=0xD7A3).contains(&code) {
            let idx = code - 0xAC00;
            let (i, v, f) = ((idx / 588) as usize, ((idx % 588) / 28) as usize, (idx % 28) as usize);
            out.push(' ');
            out.push_str(INITIALS.get(i).copied().unwrap_or(""));
            out.push_str(VOWELS.get(v).copied().unwrap_or(""));
            out.push_str(FINALS.get(f).copied().unwrap_or(""));
            out.push(' ');
        } else {
            out.push(c);
        }
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
        ("jong", &["jong", "chong", "jeong", "cheong", "joung", "jung", "chung", "chen", "chon", "tsong"]),
        ("kim", &["kim", "gim", "kimm"]),
        ("kang", &["kang", "gang"]),
        ("cho", &["cho", "jo", "joe", "cheo"]),
        ("un", &["un", "eun", "yn", "woon", "ын"]),
        ("song", &["song", "seong", "sung"]),
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
        ("myong", &["myong", "myeong", "myung"]),
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
        ("chon", &["cheon", "chun"]),
        ("gon", &["gon", "kon", "geon"]),
        ("gyu", &["gyu", "kyu"]),
        ("taek", &["taek", "thaek"]),
        ("hui", &["hui", "hee", "hi"]),
        ("u", &["u", "woo", "wu"]),
        ("jun", &["jun", "joon"]),
        ("dae", &["dae", "tae"]),
        ("bong", &["bong", "pong"]),
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
        ("llc", &["llc", "l.l.c", "plc", "llp", "lp"]),
        ("gmbh", &["gmbh", "mbh", "ag", "kg", "se", "ohg"]),
        ("sa", &["sa", "sas", "sarl", "srl", "spa", "sl", "bv", "nv", "as", "asa", "ab", "oy", "oyj", "aps"]),
        ("jsc", &["jsc", "ojsc", "cjsc", "pjsc", "ooo", "oao", "zao", "pao", "ao", "tov", "too", "jv"]),
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
    ];
    let mut m = HashMap::new();
    for (canon, vs) in groups {
        for v in *vs {
            m.insert(*v, *canon);
        }
    }
    m
});

/// Normalises a name to tokens: romanised, transliterated, folded.
pub fn tokens(name: &str) -> Vec<Token> {
    let romanised = romanise_hangul(name);
    let ascii = deunicode::deunicode_with_tofu(&romanised, " ");
    let mut out = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut Vec<Token>| {
        if word.is_empty() {
            return;
        }
        let w = std::mem::take(word);
        let (text, generic) = match GENERIC.get(w.as_str()) {
            Some(g) => ((*g).to_string(), true),
            None => (VARIANTS.get(w.as_str()).map_or(w, |v| (*v).to_string()), false),
        };
        out.push(Token { text, generic });
    };
    for c in ascii.chars() {
        match c {
            'a'..='z' | '0'..='9' => word.push(c),
            'A'..='Z' => word.push(c.to_ascii_lowercase()),
            // Apostrophes and quotes join: CH'OE = CHOE, "KOMID" = KOMID.
            '\'' | '`' | '"' => {}
            '&' => {
                flush(&mut word, &mut out);
                out.push(Token { text: "and".into(), generic: true });
            }
            _ => flush(&mut word, &mut out),
        }
    }
    flush(&mut word, &mut out);
    out
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
        assert_eq!(texts("Євген Приходько"), ["evgen", "prikhodko"]);
        assert_eq!(texts("金铁三"), ["jin", "tie", "san"]);
        assert_eq!(texts("Łódź Česká"), ["lodz", "ceska"]);
    }

    #[test]
    fn legal_forms_and_generic_words_are_marked() {
        let t = tokens("Korea Mining Development Trading Corp., Ltd");
        let generic: Vec<bool> = t.iter().map(|x| x.generic).collect();
        assert_eq!(generic, [false, false, true, true, true, true]);
        assert_eq!(texts("KINGLY WON INTERNATIONAL CO., LTD"), texts("Kingly Won International Company Limited"));
        assert_eq!(texts("ООО «Северный Морской Путь»")[0], "jsc");
        assert!(tokens("Global Trading Co Ltd").iter().all(|t| t.generic));
    }
}
