//! Domain values shared by rules and records: countries, HS codes, dates,
//! decimals, units of measure and normalised names. Parsing them is the same in a rule file and
//! in a transaction record, so it lives here once.

pub mod functions;
pub mod kind;
pub mod text;
pub mod unit;
pub mod window;

/// Declares the value kinds: each is the module `values/<module>.rs` with
/// its kind in a static; the list is the registry, and a kind's place in it
/// is its id. Text, decimals and dates come first (the language's own).
macro_rules! kinds {
    ($($module:ident :: $kind:ident),* $(,)?) => {
        $(pub mod $module;)*
        /// Every kind, in registry order.
        pub(crate) static KINDS: &[&dyn kind::ValueKind] = &[$(&$module::$kind),*];
    };
}

kinds![string::STRING, decimal::DECIMAL, date::DATE, country::COUNTRY, hs::HS, name::NAME, eccn::ECCN,];

pub use country::Country;
pub use date::{Date, DateLayout};
pub use hs::HsCode;
pub use kind::{Code, Scalar, Value, ValueKind};
pub use rust_decimal::Decimal;

use std::str::FromStr;

/// Parses an exact decimal written with `.` as the decimal point and an
/// optional leading sign (`-12.50`, `1000`); no exponent, no grouping.
pub fn parse_decimal(text: &str) -> Result<Decimal, String> {
    let t = text::trim(text);
    if t.is_empty() {
        return Err("empty number".into());
    }
    if let Some(d) = plain_decimal(t) {
        return Ok(d);
    }
    // Anything else (a sign, more than 18 bytes) is checked here and read
    // by the general parser.
    let body = t.strip_prefix(['-', '+']).unwrap_or(t);
    let dots = body.bytes().filter(|&b| b == b'.').count();
    if !body.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        || dots > 1
        || body.is_empty()
        || body.starts_with('.')
        || body.ends_with('.')
    {
        return Err(format!("`{t}` is not a decimal number"));
    }
    Decimal::from_str(t).map_err(|_| format!("`{t}` is out of range for a decimal number"))
}

/// The usual number, read in one pass: unsigned, digits with at most one
/// `.` between them, at most 18 bytes, made as `Decimal::from_str` would
/// make it; `None` for anything else (which [`parse_decimal`] reads, or
/// refuses, the long way).
#[inline]
pub fn plain_decimal(t: &str) -> Option<Decimal> {
    let b = t.as_bytes();
    if b.is_empty() || b.len() > 18 || b[0] == b'.' || b[b.len() - 1] == b'.' {
        return None;
    }
    let (mut digits, mut dot) = (0i64, None);
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'0'..=b'9' => digits = digits * 10 + i64::from(c - b'0'),
            b'.' if dot.is_none() => dot = Some(i),
            _ => return None,
        }
    }
    let scale = dot.map_or(0, |d| (b.len() - 1 - d) as u32);
    Some(Decimal::new(digits, scale))
}

/// A count with thousands separators, for people: `1234567` → `1,234,567`.
pub fn thousands(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An exact decimal with thousands separators, as written for people:
/// `4000000` → `4,000,000`, `-1234.5` → `-1,234.5`.
pub fn group_thousands(d: &Decimal) -> String {
    let s = d.normalize().to_string();
    let (sign, body) = s.strip_prefix('-').map_or(("", s.as_str()), |b| ("-", b));
    let (int, frac) = body.split_once('.').map_or((body, None), |(i, f)| (i, Some(f)));
    let grouped = int.parse::<u64>().map_or_else(|_| int.to_string(), thousands);
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The short path for plain numbers reads exactly what the general
    /// parser reads: value, scale and sign, on every length up to and past
    /// its limit, leading and trailing zeros included.
    #[test]
    fn plain_numbers_read_as_the_general_parser_reads_them() {
        let mut texts: Vec<String> =
            ["0", "00", "0.0", "007.50", "112034.45", "212.972", "1", "10", "999999999999999999"]
                .iter()
                .map(|s| s.to_string())
                .collect();
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for len in 1..=22 {
            for _ in 0..40 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let mut t: String = (0..len).map(|i| char::from(b'0' + ((x >> (i % 60)) % 10) as u8)).collect();
                if !x.is_multiple_of(3) && len > 1 {
                    let at = 1 + (x as usize / 7) % (len - 1);
                    t.insert(at, '.');
                }
                texts.push(t);
            }
        }
        for t in &texts {
            let want = Decimal::from_str(t).ok();
            let got = parse_decimal(t).ok();
            assert_eq!(got, want, "{t}");
            if let (Some(g), Some(w)) = (got, want) {
                assert_eq!(
                    (g.scale(), g.mantissa(), g.is_sign_negative()),
                    (w.scale(), w.mantissa(), w.is_sign_negative()),
                    "{t}"
                );
            }
        }
    }

    #[test]
    fn decimals_are_exact() {
        assert_eq!(parse_decimal("0.1").unwrap() + parse_decimal("0.2").unwrap(), parse_decimal("0.3").unwrap());
        assert_eq!(parse_decimal(" -12.50 ").unwrap().to_string(), "-12.50");
        for bad in ["", "1e5", "1,000", "abc", "1.2.3", ".5", "5.", "NaN", "-"] {
            assert!(parse_decimal(bad).is_err(), "{bad}");
        }
        assert!(parse_decimal("99999999999999999999999999999999999").is_err());
    }
}
