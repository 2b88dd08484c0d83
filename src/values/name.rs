//! The `name` kind, for sets only: party and vessel names matched exactly
//! once normalised: case, spacing and punctuation do not matter ("KINGLY WON
//! INTERNATIONAL CO., LTD" equals "Kingly Won International Co Ltd"). Text
//! fields are looked up in such sets. Fuzzy screening is a separate stage.

use super::kind::{Matching, ReadContext, Scalar, Value, ValueKind};

/// Names (sets only).
pub struct NameKind;

/// The kind.
pub static NAME: NameKind = NameKind;

impl ValueKind for NameKind {
    fn name(&self) -> &'static str {
        "name"
    }

    fn a(&self) -> &'static str {
        "a name"
    }

    fn plural(&self) -> &'static str {
        "names"
    }

    fn is_field_kind(&self) -> bool {
        false
    }

    fn looks_up(&self, _: Scalar) -> Scalar {
        Scalar::STRING
    }

    fn read(&self, _: Scalar, text: &str, _: &ReadContext<'_>) -> Result<Value, String> {
        self.read_rule(Scalar::STRING, text)
    }

    fn read_rule(&self, _: Scalar, text: &str) -> Result<Value, String> {
        let n = normalize(text);
        if n.is_empty() {
            return Err(format!("`{text}` has no letters or digits to match"));
        }
        Ok(Value::Str(n.into()))
    }

    fn matching(&self) -> Matching {
        Matching::Text { fold: |n| std::borrow::Cow::Owned(normalize(n)), ascii_lowercase: false }
    }

    fn invalid_code(&self) -> &'static str {
        "cordon::check::invalid_property"
    }

    fn invalid_label(&self) -> &'static str {
        "not a name"
    }
}

/// Folds a name: lowercase, quotes and apostrophes removed, every other
/// character that is not a letter or digit becomes a space, spaces collapsed.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending_space = false;
    for c in name.chars() {
        if matches!(c, '\'' | '’' | '‘' | '`' | '´' | '"' | '“' | '”' | '«' | '»' | '„') {
            continue;
        }
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(c.to_lowercase());
        } else {
            pending_space = true;
        }
    }
    out
}

/// The version of [`group_text`]: a state records, per rule, the version
/// its stored group keys were made with.
pub const GROUP_TEXT_VERSION: i64 = 2;

/// Version 1 of a group key's text, kept to read keys stored by it: spaces
/// collapsed, lower case.
pub fn case_and_spacing(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// A party's name as a rule over many records groups it (group keys,
/// version 2): `GULF MACHINERY L.L.C.`, `Gulf Machinery LLC` and `Gulf
/// Machinery` are one buyer. On top of case and spacing ([`case_and_spacing`],
/// so a stored version-1 key folds to the same text, see
/// [`refold_group_text`]): invisible characters, compatibility forms and
/// look-alike letters of other scripts as [`crate::values::text::search_form`]
/// reads them, accents, punctuation, `&` as `and`, letters written apart
/// (`l l c`) as one word, and a legal form at either end (`ltd`, `co ltd`,
/// `gmbh`, `ooo` …) dropped. It only ever joins names, never parts them:
/// splitting one buyer across groups would keep each total under its
/// limit, while joining two similar names counts more, not less.
pub fn group_text(s: &str) -> String {
    refold_group_text(&case_and_spacing(s))
}

/// A version-1 group text (case and spacing folded) as version 2 folds it.
pub fn refold_group_text(v1: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut plain = String::with_capacity(v1.len());
    for c in crate::values::text::search_form(v1).nfkd() {
        match c {
            '&' => plain.push_str(" and "),
            c if unicode_normalization::char::is_combining_mark(c) => {}
            c => plain.push(c),
        }
    }
    // Words, with runs of single letters (`l l c`, `s a`) joined; each
    // word says whether it is such a run.
    let mut words: Vec<(String, bool)> = Vec::new();
    for w in normalize(&plain).split(' ').filter(|w| !w.is_empty()) {
        let single = w.chars().count() == 1 && w.chars().all(char::is_alphabetic);
        match words.last_mut() {
            Some((last, true)) if single => last.push_str(w),
            _ => words.push((w.to_string(), single)),
        }
    }
    let mut words: Vec<&str> = words.iter().map(|(w, _)| w.as_str()).collect();
    trim_legal_forms(&mut words);
    words.join(" ")
}

/// Legal forms, as [`refold_group_text`] writes them, dropped from the end
/// of a name; longer phrases first where one ends another.
const TRAILING_FORMS: &[&[&str]] = &[
    &["limited", "liability", "company"],
    &["limited", "liability", "partnership"],
    &["public", "joint", "stock", "company"],
    &["closed", "joint", "stock", "company"],
    &["open", "joint", "stock", "company"],
    &["joint", "stock", "company"],
    &["liability", "company"],
    &["sa", "de", "cv"],
    &["s", "de", "rl"],
    &["de", "cv"],
    &["de", "rl"],
    &["sdn", "bhd"],
    &["pvt", "ltd"],
    &["pte", "ltd"],
    &["pty", "ltd"],
    &["co", "ltd"],
    &["ltd"],
    &["limited"],
    &["llc"],
    &["llp"],
    &["lp"],
    &["inc"],
    &["incorporated"],
    &["corp"],
    &["corporation"],
    &["co"],
    &["company"],
    &["plc"],
    &["gmbh"],
    &["mbh"],
    &["ag"],
    &["kg"],
    &["sa"],
    &["sas"],
    &["sarl"],
    &["srl"],
    &["spa"],
    &["bv"],
    &["nv"],
    &["pte"],
    &["pty"],
    &["pvt"],
    &["fze"],
    &["fzco"],
    &["fzc"],
    &["fzllc"],
    &["dmcc"],
    &["jsc"],
    &["ojsc"],
    &["pjsc"],
    &["cjsc"],
    &["ooo"],
    &["oao"],
    &["zao"],
    &["pao"],
    &["ao"],
    &["oy"],
    &["oyj"],
    &["ab"],
    &["as"],
    &["asa"],
    &["aps"],
    &["bhd"],
    &["tbk"],
    &["kk"],
    &["est"],
];

/// Legal forms written before the name (`OOO Romashka`, `PT Maju`).
const LEADING_FORMS: &[&str] = &["the", "ooo", "oao", "zao", "pao", "ao", "jsc", "ojsc", "pjsc", "cjsc", "pt", "cv"];

/// Drops legal forms from both ends of a name, leaving at least one word.
fn trim_legal_forms(words: &mut Vec<&str>) {
    'trailing: loop {
        for form in TRAILING_FORMS {
            if words.len() > form.len() && words.ends_with(form) {
                words.truncate(words.len() - form.len());
                continue 'trailing;
            }
        }
        break;
    }
    while words.len() > 1 && LEADING_FORMS.contains(&words[0]) {
        words.remove(0);
    }
}

#[cfg(test)]
mod tests {
    use super::{group_text, normalize};

    #[test]
    fn folds_case_spacing_and_punctuation() {
        assert_eq!(normalize("KINGLY WON INTERNATIONAL CO., LTD"), "kingly won international co ltd");
        assert_eq!(normalize("  Kingly  Won International Co Ltd "), "kingly won international co ltd");
        assert_eq!(normalize("\"KOMID\""), "komid");
        assert_eq!(normalize("CHO'NGSONG YO'NHAP"), "chongsong yonhap");
        assert_eq!(normalize("TONGBANG U’NHAENG"), "tongbang unhaeng");
        assert_eq!(normalize("CHANG AN SHIPPING & TECHNOLOGY"), "chang an shipping technology");
        assert_eq!(normalize("長安海連技術有限公司"), "長安海連技術有限公司");
        assert_eq!(normalize("..."), "");
    }

    #[test]
    fn one_party_written_many_ways_is_one_group() {
        let gulf = [
            "Gulf Machinery LLC",
            "GULF MACHINERY L.L.C.",
            "Gulf Machinery LLC ",
            "Gulf  Machinery, L.L.C",
            "Gulf Machinery",
            "The Gulf Machinery Limited Liability Company",
            "Gulf Machinery Co., Ltd.",
            "Gulf\u{200b} Machinery FZE",
            "Gulf M\u{0430}chinery LLC",
            "Ｇｕｌｆ Machinery LLC",
        ];
        for g in gulf {
            assert_eq!(group_text(g), "gulf machinery", "{g:?}");
        }
        assert_eq!(group_text("Société Générale S.A."), "societe generale");
        assert_eq!(group_text("Smith & Sons Ltd"), group_text("SMITH AND SONS LIMITED"));
        assert_eq!(group_text("OOO Romashka"), "romashka");
        assert_eq!(group_text("Grupo Acme, S.A. de C.V."), "grupo acme");
        assert_eq!(group_text("Maersk A/S"), "maersk");
        assert_eq!(group_text("PJSC Rosneft Oil Company"), "rosneft oil");
    }

    #[test]
    fn a_name_of_legal_forms_alone_keeps_its_last_word_and_names_stay_apart() {
        assert_eq!(group_text("Co. Ltd."), "co");
        assert_eq!(group_text("LLC"), "llc");
        assert_ne!(group_text("Gulf Machinery"), group_text("Gulf Machines"));
        assert_ne!(group_text("Acme Trading"), group_text("Acme"));
        assert_eq!(group_text("長安海連技術有限公司"), "長安海連技術有限公司");
    }
}
