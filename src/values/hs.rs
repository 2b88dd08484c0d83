//! The `hs` kind: Harmonized System codes, digits only, hierarchical,
//! matched by prefix; the function `chapter`.
//!
//! `2701.12`, `2701 12` and `270112` are the same code. A set entry `2701`
//! covers every code that starts with it; a record coded `2701` matches an
//! entry `270112` only as "broader" (less precise than the set).

use std::borrow::Cow;
use std::fmt;

use super::functions::{Arg, Function, Param};
use super::kind::{Code, Matching, ReadContext, Scalar, Value, ValueKind};
use super::Decimal;

/// A normalised HS code of 2 to 10 digits, packed in an integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HsCode {
    digits: u64,
    len: u8,
}

impl HsCode {
    /// Parses a code, dropping `.` and space separators. `min_len` is 4 for
    /// transaction records and 2 for rule-set entries (chapters).
    pub fn parse(text: &str, min_len: usize) -> Result<HsCode, String> {
        let t = crate::values::text::trim(text);
        let mut digits = 0u64;
        let mut len = 0usize;
        for c in t.chars() {
            match c {
                '0'..='9' => {
                    len += 1;
                    if len > 10 {
                        return Err(format!("HS code `{t}` has more than 10 digits"));
                    }
                    digits = digits * 10 + u64::from(c as u8 - b'0');
                }
                '.' | ' ' => {}
                _ => return Err(format!("HS code `{t}` may only contain digits, `.` and spaces")),
            }
        }
        if len < min_len {
            return Err(if len == 1 && min_len == 2 {
                format!("HS code `{t}` needs at least 2 digits (chapters are written `0{t}`)")
            } else if len == 0 {
                "empty HS code".to_string()
            } else {
                format!("HS code `{t}` needs at least {min_len} digits")
            });
        }
        Ok(HsCode { digits, len: len as u8 })
    }

    /// Number of digits.
    pub fn len(self) -> usize {
        self.len as usize
    }

    /// Never true: a code has at least two digits.
    pub fn is_empty(self) -> bool {
        self.len == 0
    }

    /// The first `n` digits (`n` ≤ len).
    pub fn prefix(self, n: usize) -> HsCode {
        let n = n.min(self.len as usize);
        HsCode { digits: self.digits / 10u64.pow((self.len as usize - n) as u32), len: n as u8 }
    }

    /// Whether `self` is a prefix of (or equal to) `other`.
    pub fn covers(self, other: HsCode) -> bool {
        self.len <= other.len && other.prefix(self.len as usize) == self
    }

    /// The two-digit chapter.
    pub fn chapter(self) -> HsCode {
        self.prefix(2)
    }

    /// A compact key for hash tables: digits and length together.
    pub fn key(self) -> u64 {
        (self.digits << 4) | u64::from(self.len)
    }

    /// The code `n` steps after this one at the same length (for ranges).
    pub fn offset(self, n: u64) -> Option<HsCode> {
        let max = 10u64.pow(self.len as u32);
        let d = self.digits.checked_add(n)?;
        (d < max).then_some(HsCode { digits: d, len: self.len })
    }

    /// The numeric value of the digits (for ranges).
    pub fn value(self) -> u64 {
        self.digits
    }
}

impl fmt::Display for HsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:0width$}", self.digits, width = self.len as usize)
    }
}

/// The HS 2022 nomenclature shipped in seeds (chapter and heading titles).
const HS_2022: &str = include_str!("../../seeds/reference/hs-2022.csv");

/// The HS 2017 nomenclature shipped in seeds: records dated before 2022
/// carry its codes (8803 became 8807), and packs list both.
const HS_2017: &str = include_str!("../../seeds/reference/hs-2017.csv");

/// The editions a record's code is checked against, newest first.
const EDITIONS: [&str; 2] = [HS_2022, HS_2017];

/// Every row of the shipped editions, newest first: (section, code, title),
/// borrowed from the compiled-in text where it needs no unescaping.
fn edition_rows() -> impl Iterator<Item = (Cow<'static, str>, Cow<'static, str>, Cow<'static, str>)> {
    EDITIONS.into_iter().flat_map(|edition| {
        let (header, rows) = crate::tables::parse(edition).unwrap_or_default();
        let col = |name: &str| header.iter().position(|h| h == name);
        let cols = (col("section"), col("hscode"), col("description"));
        rows.into_iter().filter_map(move |(_, mut r)| {
            let (Some(s), Some(c), Some(t)) = cols else { return None };
            let take = |r: &mut Vec<Cow<'static, str>>, i: usize| r.get_mut(i).map(std::mem::take);
            let (s, c, t) = (take(&mut r, s)?, take(&mut r, c)?, take(&mut r, t)?);
            (!c.is_empty()).then_some((s, c, t))
        })
    })
}

/// The title of an HS chapter or heading (`27` → "Mineral fuels, …"), or "".
pub fn heading_name(code: &str) -> &'static str {
    use std::collections::HashMap;
    use std::sync::LazyLock;
    static TITLES: LazyLock<HashMap<Cow<'static, str>, Cow<'static, str>>> = LazyLock::new(|| {
        let mut titles = HashMap::new();
        // The newest edition's title wins; older ones fill codes it dropped.
        for (_, code, title) in edition_rows() {
            titles.entry(code).or_insert(title);
        }
        titles
    });
    TITLES.get(code).map_or("", |t| t.as_ref())
}

/// The headings (4 digits) and subheadings (6 digits) of HS 2022 and HS 2017, as bit
/// sets indexed by the code's value. Comtrade's `TOTAL` rows (`99`, `9999`,
/// `999999`: "not specified") are not codes and are left out.
struct Nomenclature {
    headings: Vec<u64>,
    subheadings: Vec<u64>,
}

impl Nomenclature {
    fn get() -> &'static Nomenclature {
        use std::sync::LazyLock;
        static N: LazyLock<Nomenclature> = LazyLock::new(|| {
            let mut n = Nomenclature { headings: vec![0; 10_000 / 64 + 1], subheadings: vec![0; 1_000_000 / 64 + 1] };
            for (section, code, _) in edition_rows() {
                let Ok(v) = code.parse::<usize>() else { continue };
                if section == "TOTAL" {
                    continue;
                }
                match code.len() {
                    4 => n.headings[v / 64] |= 1 << (v % 64),
                    6 => n.subheadings[v / 64] |= 1 << (v % 64),
                    _ => {}
                }
            }
            n
        });
        &N
    }

    fn has(bits: &[u64], digits: &[u8]) -> bool {
        Self::has_value(bits, digits.iter().fold(0usize, |v, d| v * 10 + usize::from(d - b'0')))
    }

    fn has_value(bits: &[u64], v: usize) -> bool {
        bits.get(v / 64).is_some_and(|w| w & (1 << (v % 64)) != 0)
    }

    /// Whether `digits` (4 to 10 ASCII digits) name an HS 2022 or 2017 heading and,
    /// from six digits on, a subheading.
    fn names_code(&self, digits: &[u8]) -> bool {
        digits.len().is_multiple_of(2)
            && digits.len() >= 4
            && Self::has(&self.headings, &digits[..4])
            && (digits.len() < 6 || Self::has(&self.subheadings, &digits[..6]))
    }
}

/// Dotted form of a digit string for messages: `030389` → `0303.89`,
/// `2701120000` → `2701.12.0000`.
fn dotted(d: &str) -> String {
    match d.len() {
        0..=4 => d.to_string(),
        5..=6 => format!("{}.{}", &d[..4], &d[4..]),
        _ => format!("{}.{}.{}", &d[..4], &d[4..6], &d[6..]),
    }
}

/// `0303.89` (Fish; frozen, …), for a suggestion.
fn described(d: &str) -> String {
    let title = heading_name(&d[..d.len().min(6)]);
    let short: String = title.chars().take(48).collect();
    let more = if short.len() < title.len() { "…" } else { "" };
    format!("`{}` ({short}{more})", dotted(d))
}

/// Checks record digits against the HS 2022 and HS 2017 nomenclatures
/// (records from before 2022 carry 2017 codes): the heading
/// (first four digits) and the subheading (first six) must exist; five,
/// seven or nine digits are the mark of a dropped or added leading zero.
/// National subdivisions past six digits are not checked. The error says
/// what the code probably was.
fn check_nomenclature(text: &str, digits: &[u8]) -> Result<(), String> {
    let n = Nomenclature::get();
    if n.names_code(digits) {
        return Ok(());
    }
    let d = std::str::from_utf8(digits).unwrap_or_default();
    let t = crate::values::text::trim(text);
    // What the code could have been: a leading zero dropped, or zeros added in front.
    let with_zero = format!("0{d}");
    let guess = if n.names_code(with_zero.as_bytes()) {
        Some(format!("a dropped leading zero? did you mean {}", described(&with_zero)))
    } else {
        let stripped = d.trim_start_matches('0');
        [stripped.to_string(), format!("0{stripped}")]
            .into_iter()
            .find(|s| s.len() >= 4 && s.len() < d.len() && n.names_code(s.as_bytes()))
            .map(|s| format!("zero padding? did you mean {}", described(&s)))
    };
    let what = if !digits.len().is_multiple_of(2) {
        format!("HS code `{t}` has {} digits where codes have 4, 6, 8 or 10", digits.len())
    } else if !Nomenclature::has(&n.headings, &digits[..4]) {
        let ch = &d[..2];
        let first = ch.parse::<usize>().unwrap_or_default() * 100;
        if !(first..first + 100).any(|v| Nomenclature::has_value(&n.headings, v)) {
            format!("HS code `{t}` names no chapter of HS 2022 or 2017 (`{ch}`)")
        } else {
            format!("HS code `{t}` names no heading of HS 2022 or 2017 (`{}`)", &d[..4])
        }
    } else {
        format!("HS code `{t}` names no subheading of HS 2022 or 2017 (`{}`)", dotted(&d[..6]))
    };
    Err(match guess {
        Some(g) => format!("{what}: {g}"),
        None => what,
    })
}

/// HS codes.
pub struct HsKind;

/// The kind.
pub static HS: HsKind = HsKind;

/// An HS code as a code of the kind `own`.
fn code(own: Scalar, h: HsCode) -> Code {
    let mut digits = [b'0'; 10];
    let len = h.len();
    let mut n = h.value();
    for i in (0..len).rev() {
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    Code::from_ascii(own, &digits[..len])
}

/// Reads an HS code straight into a code: digits kept, `.` and spaces
/// dropped; the same errors as [`HsCode::parse`].
fn read_code(own: Scalar, text: &str, min_len: usize) -> Result<Code, String> {
    let mut digits = [0u8; 10];
    let mut len = 0;
    for b in crate::values::text::trim(text).bytes() {
        match b {
            b'0'..=b'9' if len < 10 => {
                digits[len] = b;
                len += 1;
            }
            b'.' | b' ' => {}
            // More than ten digits, or another character: the full parser says which.
            _ => return HsCode::parse(text, min_len).map(|h| code(own, h)),
        }
    }
    if len < min_len {
        return HsCode::parse(text, min_len).map(|h| code(own, h));
    }
    Ok(Code::from_ascii(own, &digits[..len]))
}

static FUNCTIONS: [Function; 1] = [Function {
    name: "chapter",
    params: &[Param::Own],
    result: Scalar::DECIMAL,
    text_slice: None,
    call: |a| match a {
        [Arg::Code(c)] if c.len() >= 2 => c.as_str()[..2].parse::<u32>().ok().map(|n| Value::Dec(Decimal::from(n))),
        _ => None,
    },
}];

impl ValueKind for HsKind {
    fn name(&self) -> &'static str {
        "hs"
    }

    fn a(&self) -> &'static str {
        "an HS code"
    }

    fn plural(&self) -> &'static str {
        "HS codes"
    }

    fn read(&self, own: Scalar, text: &str, _: &ReadContext<'_>) -> Result<Value, String> {
        let code = read_code(own, text, 4)?;
        check_nomenclature(text, code.as_str().as_bytes())?;
        Ok(Value::Code(code))
    }

    fn read_rule(&self, own: Scalar, text: &str) -> Result<Value, String> {
        read_code(own, text, 2).map(Value::Code)
    }

    fn matching(&self) -> Matching {
        Matching::Prefix { broader_from: 4 }
    }

    fn is_boundary(&self, code: &Code, len: usize) -> bool {
        (2..=code.len()).contains(&len)
    }

    fn covers(&self, entry: &Code, value: &Code) -> bool {
        value.as_str().starts_with(entry.as_str())
    }

    fn range(&self, own: Scalar, from: &str, to: &str, max: u64) -> Option<Result<Vec<Value>, String>> {
        Some((|| {
            let (Ok(x), Ok(y)) = (HsCode::parse(from, 2), HsCode::parse(to, 2)) else {
                return Err(format!("`{from}..{to}` is not a range of HS codes"));
            };
            if x.len() != y.len() || x.value() > y.value() || y.value() - x.value() >= max {
                return Err(format!(
                    "`{x}..{y}` is not a usable range: both ends need the same number of digits, the first no greater than the last, and at most {max} codes between them"
                ));
            }
            Ok((0..=(y.value() - x.value())).filter_map(|n| x.offset(n)).map(|c| Value::Code(code(own, c))).collect())
        })())
    }

    fn label(&self, code: &Code) -> Option<String> {
        Some(heading_name(code.as_str())).filter(|n| !n.is_empty()).map(str::to_string)
    }

    fn invalid_code(&self) -> &'static str {
        "cordon::check::invalid_hs"
    }

    fn invalid_label(&self) -> &'static str {
        "not an HS code"
    }

    fn text_test_help(&self) -> Option<&'static str> {
        Some("to match HS codes by prefix use a set: `hs_code in { 2701 }`")
    }

    fn functions(&self) -> &'static [Function] {
        &FUNCTIONS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_separators() {
        let a = HsCode::parse("2701.12", 4).unwrap();
        assert_eq!(a, HsCode::parse("2701 12", 4).unwrap());
        assert_eq!(a, HsCode::parse("270112", 4).unwrap());
        assert_eq!(a.to_string(), "270112");
        assert_eq!(HsCode::parse("03", 2).unwrap().to_string(), "03");
    }

    #[test]
    fn prefixes_cover_subheadings() {
        let heading = HsCode::parse("2701", 2).unwrap();
        assert!(heading.covers(HsCode::parse("270112", 4).unwrap()));
        assert!(!heading.covers(HsCode::parse("2702", 4).unwrap()));
        assert!(!HsCode::parse("270112", 2).unwrap().covers(heading));
        assert!(HsCode::parse("03", 2).unwrap().covers(HsCode::parse("0302.11", 4).unwrap()));
        assert!(!HsCode::parse("03", 2).unwrap().covers(HsCode::parse("3002", 4).unwrap()));
    }

    #[test]
    fn chapters_and_headings_have_their_titles() {
        assert_eq!(heading_name("01"), "Animals; live");
        assert!(heading_name("27").starts_with("Mineral fuels"), "{}", heading_name("27"));
        assert_eq!(heading_name("0101"), "Horses, asses, mules and hinnies; live");
        assert_eq!(heading_name("77"), "", "chapter 77 is reserved");
    }

    fn read(t: &str) -> Result<Value, String> {
        let layout = crate::values::date::DateLayout::default();
        let cx = ReadContext { dates: &layout, decimal_separator: '.', thousands_separator: None };
        HS.read(Scalar::from_name("hs").expect("hs"), t, &cx)
    }

    #[test]
    fn record_codes_must_name_an_hs_2022_heading_and_subheading() {
        for ok in ["2701.12", "270112", "2701", "0303.89", "2701.12.00", "2701120010", "8901.20", "0501.00", "8803.30", "8807.30"] {
            assert!(read(ok).is_ok(), "{ok}: {:?}", read(ok));
        }
        // The red team's C5 codes: dropped leading zeros, zero padding, no such heading.
        let cases = [
            ("303.89", "dropped leading zero? did you mean `0303.89`"),
            ("30389", "has 5 digits"),
            ("3038900", "`0303.89.00`"),
            ("71290", "`0712.90`"),
            ("0270112", "zero padding? did you mean `2701.12`"),
            ("00270112", "zero padding? did you mean `2701.12`"),
            ("0027011200", "zero padding? did you mean `2701.12.00`"),
            ("02701", "zero padding? did you mean `2701`"),
            ("9999.99", "no chapter of HS 2022 or 2017 (`99`)"),
            ("2799.00", "no heading of HS 2022 or 2017 (`2799`)"),
            ("2717", "no heading"),
            ("0000", "no chapter"),
            ("0001.00", "no chapter of HS 2022 or 2017 (`00`)"),
            ("2701.99", "no subheading of HS 2022 or 2017 (`2701.99`)"),
            ("7700", "no chapter"),
        ];
        for (code, says) in cases {
            let e = read(code).expect_err(code);
            assert!(e.contains(says), "{code}: {e}");
        }
        // Rule sets may still name chapters and any prefix.
        assert!(HS.read_rule(Scalar::from_name("hs").expect("hs"), "27").is_ok());
    }

    #[test]
    fn rejects_malformed_codes() {
        for bad in ["27A1", "", "3", "12345678901", "27-01"] {
            assert!(HsCode::parse(bad, 2).is_err(), "{bad}");
        }
        assert!(HsCode::parse("27", 4).is_err());
        assert!(HsCode::parse("3", 2).unwrap_err().contains("`03`"));
    }
}
