//! Text tests of the rule language: `contains word` matches whole words
//! and phrases whatever the spacing, hyphens and punctuation between them,
//! and in the plural; scripts written without spaces match inside words.

/// The words of a text: its runs of letters and digits, in order.
pub fn words(s: &str) -> Vec<&str> {
    s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect()
}

/// A phrase as `contains word` compares it: its words run together
/// (`Jet A-1` → `jeta1`).
pub fn phrase_key(p: &str) -> String {
    words(p).concat()
}

/// Whether a character is of a script written without spaces between words
/// (Han, Hiragana, Katakana) or with particles joined to them (Hangul).
fn unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF
        | 0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF)
}

/// Whether consecutive words of a text, run together, spell `key` exactly,
/// starting and ending at word boundaries. A key in a script written without
/// spaces matches anywhere inside a word.
pub fn has_phrase(text: &[&str], key: &str) -> bool {
    if key.is_empty() {
        return true;
    }
    if key.chars().any(unspaced_script) {
        return text.iter().any(|w| w.contains(key));
    }
    (0..text.len()).any(|i| {
        let mut rest = key;
        for w in &text[i..] {
            match rest.strip_prefix(w) {
                Some("") => return true,
                Some(r) => rest = r,
                // The phrase may end in an English plural ("machine guns").
                None => return w.strip_prefix(rest).is_some_and(|tail| tail == "s" || tail == "es"),
            }
        }
        false
    })
}

/// Whether `p` occurs in `s` as a whole word or phrase, whatever the spaces,
/// hyphens and punctuation between and inside its words, and in the plural:
/// "jet a-1" is in "JET A1" and "Jet-A1 fuel"; "machine gun" is in "machine
/// guns"; "used" is not in "unused"; "l/c" is in "L/C at sight" but not in
/// "Al/Cu".
pub fn contains_word(s: &str, p: &str) -> bool {
    has_phrase(&words(s), &phrase_key(p))
}

/// How two texts order case-insensitively: as their `to_lowercase` forms
/// do, without building them when both are ASCII.
pub fn cmp_folded(a: &str, b: &str) -> std::cmp::Ordering {
    if a.is_ascii() && b.is_ascii() {
        a.bytes().map(|c| c.to_ascii_lowercase()).cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
    } else {
        a.to_lowercase().cmp(&b.to_lowercase())
    }
}

/// A text as the text tests (`contains`, `contains word`, `starts with`,
/// `ends with`) read it: lower case, NFKC, invisible and format characters
/// removed (a soft hyphen or a zero-width space inside a word does not
/// split it), hyphen and dash variants made `-`, every kind of space a
/// space and runs of them one, and Cyrillic and Greek letters that look
/// like Latin ones folded to them by shape (`Milіtary` with a Cyrillic `і`
/// reads `military`). Red team C7: one invisible or look-alike character
/// used to slip a description past a keyword rule.
pub fn search_form(s: &str) -> std::borrow::Cow<'_, str> {
    use unicode_normalization::UnicodeNormalization;
    let clean_ascii = s.is_ascii() && !s.contains("  ") && !s.bytes().any(|b| b.is_ascii_control());
    if clean_ascii {
        return lower(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut spaced = true;
    for c in s.nfkc().flat_map(char::to_lowercase) {
        if invisible(c) {
            continue;
        }
        let c = if c.is_whitespace() || c.is_control() {
            ' '
        } else if matches!(c, '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{2043}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}')
        {
            '-'
        } else {
            look_alike(c)
        };
        if c == ' ' {
            if spaced {
                continue;
            }
            spaced = true;
        } else {
            spaced = false;
        }
        out.push(c);
    }
    if out.ends_with(' ') {
        out.pop();
    }
    std::borrow::Cow::Owned(out)
}

/// Characters that are not seen: format characters, joiners, bidi
/// controls, variation selectors, fillers, tags.
/// `s` without the invisible characters [`search_form`] drops (zero-width
/// spaces and joiners, soft hyphens, variation selectors, tag characters,
/// bidi controls, Hangul fillers …), borrowed when it has none.
pub fn without_invisibles(s: &str) -> std::borrow::Cow<'_, str> {
    if s.is_ascii() || !s.chars().any(invisible) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(s.chars().filter(|c| !invisible(*c)).collect())
}

/// What a text hides, for a data-quality note: its invisible and
/// direction-changing characters (at most the first five named, as
/// `U+200B`), or `None` when it has none.
pub fn hidden_characters(s: &str) -> Option<String> {
    if !may_hide(s) {
        return None;
    }
    let hidden: Vec<char> = s.chars().filter(|c| invisible(*c)).collect();
    if hidden.is_empty() {
        return None;
    }
    let mut names: Vec<String> = Vec::new();
    for c in &hidden {
        let name = format!("U+{:04X}", *c as u32);
        if !names.contains(&name) && names.len() < 5 {
            names.push(name);
        }
    }
    let n = hidden.len();
    let what = if n == 1 {
        "an invisible or direction-changing character"
    } else {
        "invisible or direction-changing characters"
    };
    let count = if n == 1 { String::new() } else { format!("{n} ") };
    Some(format!("holds {count}{what} ({}): read and compared without them", names.join(", ")))
}

/// `s` with each invisible or direction-changing character written out
/// (`KO<U+200B>REA`), for showing a value that hides some.
pub fn with_hidden_shown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if invisible(c) {
            out.push_str(&format!("<U+{:04X}>", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether `s` may hold an [`invisible`] character: whether a byte of it
/// is one such a character's UTF-8 form starts with. Most text (ASCII,
/// Latin letters with accents, Hangul, Cyrillic, CJK) has none and is not
/// decoded; a test holds the first bytes to every invisible character.
fn may_hide(s: &str) -> bool {
    s.bytes().any(|b| matches!(b, 0xC2 | 0xCD | 0xD8 | 0xE1 | 0xE2 | 0xE3 | 0xEF | 0xF0 | 0xF3))
}

fn invisible(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x061C | 0x115F..=0x1160 | 0x17B4..=0x17B5 | 0x180B..=0x180F
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x2800 | 0x3164 | 0xFE00..=0xFE0F
        | 0xFEFF | 0xFFA0 | 0xFFF9..=0xFFFB | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0000..=0xE0FFF)
}

/// A lower-case Cyrillic or Greek letter that looks like a Latin one, as
/// that letter (by shape, as UTS #39's confusables do; not by sound).
fn look_alike(c: char) -> char {
    match c {
        'а' | 'α' => 'a',
        'в' | 'β' => 'b',
        'с' | 'ϲ' => 'c',
        'ԁ' => 'd',
        'е' | 'ё' | 'ε' => 'e',
        'һ' | 'н' => 'h',
        'і' | 'ї' | 'ι' => 'i',
        'ј' => 'j',
        'к' | 'κ' => 'k',
        'ӏ' => 'l',
        'м' => 'm',
        'η' => 'n',
        'о' | 'ο' | 'σ' => 'o',
        'р' | 'ρ' => 'p',
        'ѕ' => 's',
        'т' | 'τ' => 't',
        'υ' => 'u',
        'ν' => 'v',
        'ԝ' => 'w',
        'х' | 'χ' => 'x',
        'у' | 'γ' => 'y',
        _ => c,
    }
}

/// Letters of other scripts that look like Latin ones, read as those Latin
/// letters by shape: each letter's Unicode TS #39 confusable skeleton
/// (through the unicode-security crate) when that is one ASCII letter, so
/// `TANСНON` with a Cyrillic `С` and `Н` reads `TANCHON` (red team C2:
/// transliterated by sound it scored 0.54). `None` when the text has no
/// such letter. Screening tries this reading beside the one by sound.
pub fn fold_look_alikes(s: &str) -> Option<String> {
    use unicode_script::{Script, UnicodeScript};
    if s.is_ascii() {
        return None;
    }
    let mut changed = false;
    let out: String = s
        .chars()
        .map(|c| {
            if !c.is_alphabetic() || matches!(c.script(), Script::Latin | Script::Common | Script::Inherited) {
                return c;
            }
            match shape_of(c) {
                Some(l) => {
                    changed = true;
                    l
                }
                None => c,
            }
        })
        .collect();
    changed.then_some(out)
}

/// The ASCII letter a letter looks like, if its skeleton is one.
fn shape_of(c: char) -> Option<char> {
    let mut buf = [0u8; 4];
    let mut skeleton = unicode_security::confusable_detection::skeleton(c.encode_utf8(&mut buf));
    let first = skeleton.next()?;
    if skeleton.next().is_some() || !first.is_ascii_alphabetic() {
        return None;
    }
    // The skeletons' prototype of every capital-I look-alike is `l`.
    Some(if first == 'l' && c.is_uppercase() { 'I' } else { first })
}

/// Hangul written as jamo, decomposed (NFD) or in compatibility jamo
/// (`ㅈㅗㅅㅓㄴ`), composed into the syllables it spells (`조선`), so that
/// it is read as Hangul is (red team C3: both forms found no candidate).
/// A compatibility consonant after a vowel and not before one is the
/// syllable's final. Borrowed when the text has no jamo.
pub fn compose_hangul(s: &str) -> std::borrow::Cow<'_, str> {
    use unicode_normalization::UnicodeNormalization;
    let jamo = |c: char| matches!(c as u32, 0x1100..=0x11FF | 0x3131..=0x318E | 0xA960..=0xA97F | 0xD7B0..=0xD7FF);
    if s.is_ascii() || !s.chars().any(jamo) {
        return std::borrow::Cow::Borrowed(s);
    }
    // The compatibility consonants in the order of the leading (choseong)
    // and the final (jongseong) jamo: a consonant's place is its index.
    const LEAD: &str = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ";
    const TAIL: &str = "ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ";
    let place = |order: &str, c: char| order.chars().position(|x| x == c).and_then(|i| u32::try_from(i).ok());
    let vowel = |c: char| (0x314F..=0x3163).contains(&(c as u32));
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut after_vowel = false;
    for (i, &c) in chars.iter().enumerate() {
        let u = c as u32;
        let mapped = if (0x3131..=0x314E).contains(&u) {
            let next_is_vowel = chars.get(i + 1).is_some_and(|n| vowel(*n));
            match (place(LEAD, c), place(TAIL, c).map(|t| t + 1)) {
                (_, Some(t)) if after_vowel && !next_is_vowel => char::from_u32(0x11A7 + t),
                (Some(l), _) => char::from_u32(0x1100 + l),
                (None, Some(t)) => char::from_u32(0x11A7 + t),
                (None, None) => None,
            }
        } else if vowel(c) {
            let v = u - 0x314F;
            // Two vowels typed one after the other make one (ㅗ ㅣ is ㅚ).
            let combined = match (out.chars().next_back().map(|p| (p as u32).wrapping_sub(0x1161)), v) {
                (Some(8), 0) => Some(9),
                (Some(8), 1) => Some(10),
                (Some(8), 20) => Some(11),
                (Some(13), 4) => Some(14),
                (Some(13), 5) => Some(15),
                (Some(13), 20) => Some(16),
                (Some(18), 20) => Some(19),
                _ => None,
            };
            if let Some(cv) = combined {
                out.pop();
                char::from_u32(0x1161 + cv)
            } else {
                char::from_u32(0x1161 + v)
            }
        } else {
            None
        };
        let c = mapped.unwrap_or(c);
        after_vowel = (0x1161..=0x11A7).contains(&(c as u32));
        out.push(c);
    }
    std::borrow::Cow::Owned(out.nfc().collect())
}

/// A CSV cell a spreadsheet will not run as a formula (OWASP's rule for
/// CSV injection): a cell starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return gets a `'` in front, unless it is a plain number (`-5`,
/// `+1.50`). Record ids, names and descriptions come from the input, and an
/// auditor opens the CSV in a spreadsheet (red team M4).
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    if !cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        return std::borrow::Cow::Borrowed(cell);
    }
    // The first byte is ASCII: the rest starts on a character boundary.
    let rest = cell.as_bytes().get(1..).unwrap_or_default();
    let number = rest.iter().all(|b| b.is_ascii_digit() || *b == b'.') && rest.iter().any(u8::is_ascii_digit);
    if !number { std::borrow::Cow::Owned(format!("'{cell}")) } else { std::borrow::Cow::Borrowed(cell) }
}

/// A text from the input as a terminal may be shown it: control characters
/// (C0, DEL, C1) and bidi overrides written as escapes (`\x1b`, `\u{202e}`),
/// so an id or a name cannot clear the screen, write the clipboard (OSC 52)
/// or reverse what follows it (red team M3).
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    let risky = |c: char| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if !s.chars().any(risky) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            c if (c as u32) < 0x80 && risky(c) => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if risky(c) => out.push_str(&format!("\\u{{{:04x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `text` without surrounding white space (Unicode's, as `str::trim`);
/// text starting and ending with a visible ASCII character, the usual
/// case, is returned without looking further.
pub fn trim(text: &str) -> &str {
    match text.as_bytes() {
        [a, .., b] if a.is_ascii_graphic() && b.is_ascii_graphic() => text,
        [a] if a.is_ascii_graphic() => text,
        _ => text.trim(),
    }
}

/// `s.to_lowercase()`, borrowed when it already is.
pub fn lower(s: &str) -> std::borrow::Cow<'_, str> {
    if s.is_ascii() {
        if s.bytes().any(|c| c.is_ascii_uppercase()) {
            std::borrow::Cow::Owned(s.to_ascii_lowercase())
        } else {
            std::borrow::Cow::Borrowed(s)
        }
    } else {
        std::borrow::Cow::Owned(s.to_lowercase())
    }
}

/// `s` in ASCII lower case, written into `buf` eight bytes at a time;
/// `None` when `s` is not all ASCII or is longer than `buf` (the caller
/// folds it the long way). A set's keys are looked up so: a check, a copy
/// and a lowercasing byte by byte cost three times as much on a name.
pub fn ascii_lowercase_into<'b>(s: &str, buf: &'b mut [u8]) -> Option<&'b [u8]> {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // One word's upper-case letters made lower case; no byte of an ASCII
    // word carries into the next when 0x3F or 0x25 is added to it.
    let lower = |w: u64| {
        let upper = w.wrapping_add(0x3F3F_3F3F_3F3F_3F3F) & !w.wrapping_add(0x2525_2525_2525_2525) & HIGH;
        w | upper >> 2
    };
    let (s, n) = (s.as_bytes(), s.len());
    let out = buf.get_mut(..n)?;
    if n < 8 {
        for (o, &b) in out.iter_mut().zip(s) {
            if !b.is_ascii() {
                return None;
            }
            *o = b.to_ascii_lowercase();
        }
        return Some(out);
    }
    // Whole words, then the last eight bytes (overlapping the last whole
    // word, lowercased twice alike): every copy is of one word.
    let word = |at: usize| s.get(at..at + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()).map(u64::from_le_bytes);
    let mut at = 0;
    while at + 8 < n {
        let w = word(at)?;
        if w & HIGH != 0 {
            return None;
        }
        out.get_mut(at..at + 8)?.copy_from_slice(&lower(w).to_le_bytes());
        at += 8;
    }
    let w = word(n - 8)?;
    if w & HIGH != 0 {
        return None;
    }
    out.get_mut(n - 8..)?.copy_from_slice(&lower(w).to_le_bytes());
    Some(out)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        /// The word-at-a-time lowercasing is the standard library's, and
        /// refuses what is not ASCII or does not fit.
        #[test]
        fn lowercasing_a_word_at_a_time_is_the_standard_librarys(
            s in prop_oneof!["[ -~]{0,40}", "[A-Za-z@\\[`{]{0,40}", any::<String>(), "[a-zA-Z\u{80}-\u{17F}]{0,12}"],
            room in 0usize..48,
        ) {
            let mut buf = vec![0u8; room];
            let got = super::ascii_lowercase_into(&s, &mut buf).map(<[u8]>::to_vec);
            let want = (s.is_ascii() && s.len() <= room).then(|| s.to_ascii_lowercase().into_bytes());
            prop_assert_eq!(got, want);
        }
    }

    /// Every ASCII byte, at every place in a word and in the tail.
    #[test]
    fn every_ascii_byte_is_lowercased_wherever_it_stands() {
        let mut buf = [0u8; 96];
        for b in 0u8..0x80 {
            for len in 1..20 {
                for at in 0..len {
                    let mut s = vec![b'Q'; len];
                    s[at] = b;
                    let s = String::from_utf8(s).expect("ascii");
                    assert_eq!(super::ascii_lowercase_into(&s, &mut buf), Some(s.to_ascii_lowercase().as_bytes()));
                }
            }
        }
    }

    /// Every invisible character starts with a byte `may_hide` looks for.
    #[test]
    fn every_invisible_character_is_seen_by_its_first_byte() {
        let mut seen = 0;
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32).filter(|c| super::invisible(*c)) {
            let mut buf = [0u8; 4];
            let s: &str = c.encode_utf8(&mut buf);
            assert!(super::may_hide(s), "U+{:04X}", c as u32);
            assert!(super::hidden_characters(&format!("A{s}B")).is_some(), "U+{:04X}", c as u32);
            seen += 1;
        }
        assert!(seen > 4000, "{seen}");
        for plain in ["Müller & Söhne", "(주)동해석유화학", "ООО Ромашка", "株式会社", "ACME"] {
            assert_eq!(super::hidden_characters(plain), None, "{plain}");
        }
    }

    #[test]
    fn look_alike_letters_read_as_latin_by_shape() {
        use super::fold_look_alikes;
        assert_eq!(fold_look_alikes("TAN\u{0421}\u{041D}ON").as_deref(), Some("TANCHON"));
        assert_eq!(fold_look_alikes("GREEN \u{03A1}INE").as_deref(), Some("GREEN PINE"));
        // Ukrainian І and Cyrillic Ј in an otherwise Latin name.
        assert_eq!(fold_look_alikes("\u{0408}\u{0406}N").as_deref(), Some("JIN"));
        assert_eq!(fold_look_alikes("CHONGCHONGANG"), None);
        // Letters without a Latin look-alike stay, to be read by sound.
        assert_eq!(fold_look_alikes("Ж").as_deref(), None);
    }

    #[test]
    fn hangul_in_jamo_is_composed() {
        use super::compose_hangul;
        use unicode_normalization::UnicodeNormalization;
        let name = "조선광업개발무역회사";
        let nfd: String = name.nfd().collect();
        assert_ne!(nfd, name);
        assert_eq!(compose_hangul(&nfd), name);
        assert_eq!(compose_hangul("ㅈㅗㅅㅓㄴ"), "조선");
        assert_eq!(compose_hangul("ㄷㅏㄴㅊㅓㄴ"), "단천");
        // A final before a vowel leads the next syllable: ㅎㅏㄴㄱㅜㄱ is 한국.
        assert_eq!(compose_hangul("ㅎㅏㄴㄱㅜㄱ"), "한국");
        // Compound vowels, as one jamo or typed as two.
        assert_eq!(compose_hangul("ㅎㅚㅅㅏ"), "회사");
        assert_eq!(compose_hangul("ㅎㅗㅣㅅㅏ"), "회사");
        assert_eq!(compose_hangul("ㅇㅢㅇㅝㄴ"), "의원");
        assert!(matches!(compose_hangul("Korea"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        use super::printable;
        assert_eq!(printable("TX-1"), "TX-1");
        assert_eq!(printable("A\u{1b}[2JB"), "A\\x1b[2JB");
        assert_eq!(printable("\u{1b}]52;c;aGk=\u{7}"), "\\x1b]52;c;aGk=\\x07");
        assert_eq!(printable("x\u{202e}y\u{9b}"), "x\\u{202e}y\\u{009b}");
        assert_eq!(printable("Ünïcödé 조선"), "Ünïcödé 조선");
    }

    #[test]
    fn hidden_characters_are_named_and_shown() {
        use super::{hidden_characters, with_hidden_shown};
        assert_eq!(hidden_characters("KOREA"), None);
        assert_eq!(hidden_characters("Pyongyang Ünal"), None);
        let note = hidden_characters("KO\u{200B}REA\u{202E}GNAT\u{200B}").unwrap_or_default();
        assert_eq!(
            note,
            "holds 3 invisible or direction-changing characters (U+200B, U+202E): read and compared without them"
        );
        assert_eq!(with_hidden_shown("KO\u{200B}REA"), "KO<U+200B>REA");
    }

    #[test]
    fn texts_are_read_whatever_invisible_or_look_alike_characters_they_hide() {
        use super::{contains_word, search_form};
        for (disguised, plain) in [
            ("Mil\u{0456}tary transport aircraft", "military transport aircraft"),
            ("Centri\u{00AD}fuge rotors", "centrifuge rotors"),
            ("Mili\u{200B}tary", "military"),
            ("J\u{0435}t\u{00A0}fuel", "jet fuel"),
            ("ship\u{2013}to\u{2011}ship", "ship-to-ship"),
            ("Jet   fuel\t", "jet fuel"),
            ("\u{FF2A}\u{FF25}\u{FF34} fuel", "jet fuel"),
            ("\u{202E}fuel\u{202C}", "fuel"),
        ] {
            assert_eq!(search_form(disguised), plain, "{disguised:?}");
        }
        assert!(matches!(search_form("jet fuel"), std::borrow::Cow::Borrowed(_)), "plain text is not copied");
        assert!(contains_word(&search_form("Mil\u{0456}tary transport aircraft"), "military"));
    }

    use super::contains_word;

    #[test]
    fn whole_words_ignore_spacing_and_punctuation_between_them() {
        for (text, phrase) in [
            ("jet a1 aviation kerosene", "jet a-1"),
            ("jet-a1", "jet a-1"),
            ("jeta1", "jet a-1"),
            ("fuel: jp4", "jp-4"),
            ("jet\u{a0}fuel", "jet fuel"),
            ("jet  fuel", "jet fuel"),
            ("jetfuel", "jet fuel"),
            ("l/c at sight", "l/c"),
            ("second hand tanker", "second-hand"),
            ("gold-tone dial, gold case", "gold case"),
            ("3号喷气燃料", "喷气燃料"),
            ("heavy machine guns", "machine gun"),
            ("two gold cases", "gold case"),
            ("항공유를 공급", "항공유"),
        ] {
            assert!(contains_word(text, phrase), "{phrase:?} in {text:?}");
        }
        for (text, phrase) in [
            ("unused vessel", "used"),
            ("al/cu alloy", "l/c"),
            ("jet a-10", "jet a-1"),
            ("fighter-bomber", "fight"),
            ("gold-tone dial", "gold case"),
            ("gunsmith", "gun"),
            ("fighters-bombers", "fighter bomb"),
        ] {
            assert!(!contains_word(text, phrase), "{phrase:?} not in {text:?}");
        }
        assert!(contains_word("anything", ""));
    }
}
