//! The `hs` kind: Harmonized System codes, digits only, hierarchical,
//! matched by prefix; the function `chapter`.
//!
//! `2701.12`, `2701 12` and `270112` are the same code. A set entry `2701`
//! covers every code that starts with it; a record coded `2701` matches an
//! entry `270112` only as "broader" (less precise than the set).

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
        let t = text.trim();
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

/// The title of an HS chapter or heading (`27` → "Mineral fuels, …"), or "".
pub fn heading_name(code: &str) -> &'static str {
    use std::collections::HashMap;
    use std::sync::LazyLock;
    static TITLES: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
        let Ok((header, rows)) = crate::tables::parse(HS_2022) else { return HashMap::new() };
        let col = |name: &str| header.iter().position(|h| h == name);
        let (Some(code), Some(title)) = (col("hscode"), col("description")) else { return HashMap::new() };
        rows.into_iter().filter_map(|(_, mut r)| Some((std::mem::take(r.get_mut(code)?), std::mem::take(r.get_mut(title)?)))).collect()
    });
    TITLES.get(code).map_or("", String::as_str)
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
    for b in text.trim().bytes() {
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
        read_code(own, text, 4).map(Value::Code)
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

    #[test]
    fn rejects_malformed_codes() {
        for bad in ["27A1", "", "3", "12345678901", "27-01"] {
            assert!(HsCode::parse(bad, 2).is_err(), "{bad}");
        }
        assert!(HsCode::parse("27", 4).is_err());
        assert!(HsCode::parse("3", 2).unwrap_err().contains("`03`"));
    }
}
