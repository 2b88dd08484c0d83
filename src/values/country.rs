//! The `country` kind: ISO 3166-1 alpha-2 country codes, validated against
//! the official list shipped in `seeds/reference/iso-3166-1.csv`.

use std::fmt;
use std::sync::LazyLock;

use super::kind::{Code, ReadContext, Scalar, Value, ValueKind};

/// The ISO 3166-1 table, compiled in so validation needs no file at run time.
const ISO_3166_CSV: &str = include_str!("../../seeds/reference/iso-3166-1.csv");

/// The table's rows: alpha-2 code, alpha-3 code, official name (unquoted).
fn iso_rows() -> impl Iterator<Item = (&'static str, &'static str, &'static str)> {
    ISO_3166_CSV.lines().skip(1).filter_map(|line| {
        let mut cols = line.splitn(4, ',');
        let (Some(a2), Some(a3), _, Some(name)) = (cols.next(), cols.next(), cols.next(), cols.next()) else {
            return None;
        };
        Some((a2, a3, name.trim_matches('"')))
    })
}

/// Code → official name, for the 676 possible two-letter codes.
static NAMES: LazyLock<Vec<Option<&'static str>>> = LazyLock::new(|| {
    let mut names = vec![None; 26 * 26];
    for (a2, _, name) in iso_rows() {
        if let Some(idx) = index(a2) {
            names[idx as usize] = Some(name);
        }
    }
    names
});

fn index(code: &str) -> Option<u16> {
    let b = code.as_bytes();
    if b.len() != 2 || !b[0].is_ascii_uppercase() || !b[1].is_ascii_uppercase() {
        return None;
    }
    Some((b[0] - b'A') as u16 * 26 + (b[1] - b'A') as u16)
}

/// A validated ISO 3166-1 alpha-2 code, stored as a number below 676.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Country(u16);

impl Country {
    /// Parses a code such as `KP` (surrounding spaces and lowercase accepted).
    pub fn parse(text: &str) -> Result<Country, String> {
        // Two letters as written (the usual case), else trimmed.
        let t = match text.as_bytes() {
            b @ [x, y] if x.is_ascii_alphabetic() && y.is_ascii_alphabetic() => b,
            _ => text.trim().as_bytes(),
        };
        match t {
            [x, y] if x.is_ascii_alphabetic() && y.is_ascii_alphabetic() => {
                let i = u16::from(x.to_ascii_uppercase() - b'A') * 26 + u16::from(y.to_ascii_uppercase() - b'A');
                if NAMES[i as usize].is_some() {
                    Ok(Country(i))
                } else {
                    Err(format!("`{}` is not an ISO 3166-1 country code", text.trim()))
                }
            }
            _ => Err(format!("`{}` is not a two-letter country code", text.trim())),
        }
    }

    /// The number of possible codes (for lookup tables).
    pub const SPACE: usize = 26 * 26;

    /// The code as a table index.
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// The two-letter code.
    pub fn code(self) -> [u8; 2] {
        [b'A' + (self.0 / 26) as u8, b'A' + (self.0 % 26) as u8]
    }

    /// The official short name.
    pub fn name(self) -> &'static str {
        NAMES[self.0 as usize].unwrap_or("")
    }

    /// The country a name, a code or a usual short form names, as the
    /// sanctions lists write them (`Korea, North`, `Iran (Islamic Republic
    /// of)`, `Russia`, `Burma`, `RU`); `None` for what names no ISO 3166-1
    /// country (`Kosovo`, `undetermined`). For matching list entries, never
    /// for reading a record's country field, which must be a code.
    pub fn from_name(text: &str) -> Option<Country> {
        Country::parse(text).ok().or_else(|| suggestion(text).and_then(|c| Country::parse(c).ok()))
    }

    /// Every valid code, for suggestions.
    pub fn all() -> impl Iterator<Item = Country> {
        (0..Self::SPACE as u16).filter(|i| NAMES[*i as usize].is_some()).map(Country)
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = self.code();
        write!(f, "{}{}", c[0] as char, c[1] as char)
    }
}

/// Other ways a country is written → its alpha-2 code, keyed by
/// [`name_key`]: every ISO 3166-1 alpha-3 code and official name, and the
/// short forms documents and the sanctions lists use (`North Korea`,
/// `Korea, North`, `Burma`, `Russia`, `Region: Gaza`).
static OTHER_NAMES: LazyLock<std::collections::HashMap<String, &'static str>> = LazyLock::new(|| {
    // (None of them is an assigned alpha-2 code: `SK` is Slovakia, not South Korea.)
    let usual: &[(&str, &'static str)] = &[
        ("UK", "GB"),
        ("EL", "GR"),
        ("DPRK", "KP"),
        ("NK", "KP"),
        ("NORTH KOREA", "KP"),
        ("ROK", "KR"),
        ("SOUTH KOREA", "KR"),
        ("PRC", "CN"),
        ("RUSSIA", "RU"),
        ("IRAN", "IR"),
        ("SYRIA", "SY"),
        ("BURMA", "MM"),
        ("VENEZUELA", "VE"),
        ("BOLIVIA", "BO"),
        ("TANZANIA", "TZ"),
        ("MOLDOVA", "MD"),
        ("LAOS", "LA"),
        ("VIETNAM", "VN"),
        ("TAIWAN", "TW"),
        ("TURKEY", "TR"),
        ("CZECH REPUBLIC", "CZ"),
        ("IVORY COAST", "CI"),
        ("CAPE VERDE", "CV"),
        ("SWAZILAND", "SZ"),
        ("MACEDONIA", "MK"),
        ("NORTH MACEDONIA REPUBLIC OF", "MK"),
        ("MACAU", "MO"),
        ("BRUNEI", "BN"),
        ("PALESTINE", "PS"),
        ("PALESTINIAN", "PS"),
        ("GAZA", "PS"),
        ("WEST BANK", "PS"),
        ("CRIMEA", "UA"),
        ("UNITED STATES OF AMERICA", "US"),
        ("UNITED KINGDOM OF GREAT BRITAIN AND NORTHERN IRELAND", "GB"),
        ("CONGO REPUBLIC OF", "CG"),
        ("CHINA HONG KONG SPECIAL ADMINISTRATIVE", "HK"),
    ];
    let mut other: std::collections::HashMap<String, &'static str> =
        usual.iter().map(|(k, v)| (name_key(k), *v)).collect();
    for (a2, a3, name) in iso_rows() {
        other.insert(a3.to_ascii_uppercase(), a2);
        other.insert(name_key(name), a2);
    }
    other
});

/// A country's name as a key: letters folded to unaccented capitals, the
/// words sorted (the lists write `Korea, North` and `Democratic People's
/// Republic of Korea`, ISO `Korea, Democratic People's Republic of`),
/// without `the` and `region` (`The Gambia`, `Region: Gaza`).
fn name_key(text: &str) -> String {
    let folded: String = text
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ý' | 'ÿ' => 'y',
            c if c.is_ascii_alphanumeric() => c,
            _ => ' ',
        })
        .collect::<String>()
        .to_ascii_uppercase();
    let mut words: Vec<&str> = folded.split_whitespace().filter(|w| !matches!(*w, "THE" | "REGION")).collect();
    words.sort_unstable();
    words.dedup();
    words.join(" ")
}

/// The alpha-2 code that `text` names another way (`PRK`, `North Korea`,
/// `Korea, Democratic People's Republic of`, `UK`), if any.
pub(crate) fn suggestion(text: &str) -> Option<&'static str> {
    OTHER_NAMES.get(&name_key(text)).copied()
}

/// Country codes.
pub struct CountryKind;

/// The kind.
pub static COUNTRY: CountryKind = CountryKind;

impl CountryKind {
    fn code(own: Scalar, text: &str) -> Result<Value, String> {
        let b = Country::parse(text)?.code();
        Ok(Value::Code(Code::from_ascii(own, &b)))
    }
}

impl ValueKind for CountryKind {
    fn name(&self) -> &'static str {
        "country"
    }

    fn a(&self) -> &'static str {
        "a country"
    }

    fn plural(&self) -> &'static str {
        "countries"
    }

    fn read(&self, own: Scalar, text: &str, _: &ReadContext<'_>) -> Result<Value, String> {
        // A record's reason carries the hint the rule checker gives as help.
        CountryKind::code(own, text).map_err(|e| match suggestion(text) {
            Some(code) => format!("{e}: did you mean `{code}`?"),
            None => e,
        })
    }

    fn read_rule(&self, own: Scalar, text: &str) -> Result<Value, String> {
        CountryKind::code(own, text)
    }

    fn label(&self, code: &Code) -> Option<String> {
        Country::parse(code.as_str()).ok().map(|c| c.name().to_string()).filter(|n| !n.is_empty())
    }

    fn help(&self, text: &str) -> Option<String> {
        match suggestion(text) {
            Some(h) => Some(format!("did you mean `{h}`?")),
            None if text.trim().len() == 3 => Some("use the two-letter ISO 3166-1 alpha-2 code".into()),
            None => Some("country codes are ISO 3166-1 alpha-2, such as `KP` or `CN`".into()),
        }
    }

    fn invalid_code(&self) -> &'static str {
        "cordon::check::invalid_country"
    }

    fn invalid_label(&self) -> &'static str {
        "not a country code"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_against_iso_list() {
        assert_eq!(Country::parse("KP").unwrap().to_string(), "KP");
        assert_eq!(Country::parse(" kp ").unwrap().to_string(), "KP");
        assert!(Country::parse("XX").is_err());
        assert!(Country::parse("UK").is_err(), "UK is not ISO 3166-1 (GB is)");
        assert!(Country::parse("KOR").is_err());
        assert!(Country::parse("").is_err());
        assert!(Country::parse("K1").is_err());
        assert_eq!(Country::all().count(), 249);
        assert!(Country::parse("KP").unwrap().name().contains("Korea"));
    }

    #[test]
    fn a_record_naming_a_country_another_way_is_told_its_code() {
        let read = |t: &str| {
            let layout = crate::values::date::DateLayout::default();
            let ctx = ReadContext { dates: &layout, decimal_separator: '.', thousands_separator: None };
            COUNTRY.read(Scalar::from_name("country").expect("country"), t, &ctx).expect_err("not an alpha-2 code")
        };
        for (text, code) in [
            ("PRK", "KP"),
            ("prk", "KP"),
            ("North Korea", "KP"),
            ("Korea, Democratic People's Republic of", "KP"),
            ("DPRK", "KP"),
            ("UK", "GB"),
            ("RUS", "RU"),
            ("Russian Federation", "RU"),
            ("Iran, Islamic Republic of", "IR"),
            (" Syria ", "SY"),
            ("CIV", "CI"),
        ] {
            let e = read(text);
            assert!(e.ends_with(&format!(": did you mean `{code}`?")), "`{text}`: {e}");
            assert!(e.starts_with(&format!("`{}` is not", text.trim())), "`{text}`: {e}");
        }
        // Nothing to suggest: the message alone.
        assert_eq!(read("5"), "`5` is not a two-letter country code");
        assert_eq!(read("XX"), "`XX` is not an ISO 3166-1 country code");
        assert_eq!(read("Korea"), "`Korea` is not a two-letter country code");
        // Every alpha-3 code of the table is known, and no usual short form is
        // itself an assigned code (it would never be reached).
        assert_eq!(iso_rows().count(), 249);
        for (a2, a3, _) in iso_rows() {
            assert_eq!(suggestion(a3), Some(a2), "{a3}");
        }
        for short in ["UK", "EL", "NK"] {
            assert!(Country::parse(short).is_err(), "{short}");
        }
    }

    /// The sanctions lists name countries their own way: each way the
    /// shipped lists write the countries of the programmes reads as its code.
    #[test]
    fn list_country_names_read_as_codes() {
        for (text, code) in [
            ("Korea, North", "KP"),
            ("Democratic People's Republic of Korea", "KP"),
            ("Korea, South", "KR"),
            ("Iran", "IR"),
            ("Iran (Islamic Republic of)", "IR"),
            ("Syria", "SY"),
            ("Syrian Arab Republic", "SY"),
            ("Russia", "RU"),
            ("Russian Federation", "RU"),
            ("Burma", "MM"),
            ("Venezuela", "VE"),
            ("Congo, Democratic Republic of the", "CD"),
            ("Democratic Republic of the Congo", "CD"),
            ("Congo, Republic of the", "CG"),
            ("Cote d Ivoire", "CI"),
            ("Côte d'Ivoire", "CI"),
            ("Turkey", "TR"),
            ("The Gambia", "GM"),
            ("Bahamas, The", "BS"),
            ("Man, Isle of", "IM"),
            ("British Virgin Islands", "VG"),
            ("United Republic of Tanzania", "TZ"),
            ("North Macedonia, The Republic of", "MK"),
            ("China, Hong Kong Special Administrative Region", "HK"),
            ("Region: Gaza", "PS"),
            ("Region: Crimea", "UA"),
            ("United States of America", "US"),
            ("United Kingdom of Great Britain and Northern Ireland", "GB"),
            ("RU", "RU"),
        ] {
            assert_eq!(Country::from_name(text).map(|c| c.to_string()), Some(code.to_string()), "{text}");
        }
        for text in ["Kosovo", "undetermined", "former Soviet Union", "Korea", "possibly Palestinian"] {
            assert_eq!(Country::from_name(text), None, "{text}");
        }
    }
}
