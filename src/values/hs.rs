//! Harmonized System codes: digits only, hierarchical, matched by prefix.
//!
//! `2701.12`, `2701 12` and `270112` are the same code. A set entry `2701`
//! covers every code that starts with it.

use std::fmt;

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
    fn rejects_malformed_codes() {
        for bad in ["27A1", "", "3", "12345678901", "27-01"] {
            assert!(HsCode::parse(bad, 2).is_err(), "{bad}");
        }
        assert!(HsCode::parse("27", 4).is_err());
        assert!(HsCode::parse("3", 2).unwrap_err().contains("`03`"));
    }
}
