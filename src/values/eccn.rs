//! The `eccn` kind: Export Control Classification Numbers of the US
//! Commerce Control List (15 CFR 774, Supp. 1): a category digit, a
//! product-group letter and three digits (`3A001`), then sub-paragraphs
//! (`3A001.a.1`); or `EAR99` for items subject to the EAR but not listed.
//! Hierarchical like HS codes: a set entry `3A001` covers `3A001.a.1`, and
//! `3A001.a` covers `3A001.a.1` but not `3A001.aa`. This file and one line in
//! the kind registry are all the kind takes.

use super::kind::{Code, Matching, ReadContext, Scalar, Value, ValueKind};

/// Export Control Classification Numbers.
pub struct EccnKind;

/// The kind.
pub static ECCN: EccnKind = EccnKind;

/// Reads an ECCN: case and spaces do not matter (`3a001 .A.1` is
/// `3A001.a.1`); the five-character base must be a category 0–9, a product
/// group A–E and three digits.
fn read(own: Scalar, text: &str) -> Result<Value, String> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if t.eq_ignore_ascii_case("EAR99") {
        return Code::new(own, "EAR99").map(Value::Code).ok_or_else(|| "EAR99".into());
    }
    let bad = || format!("`{}` is not an ECCN (such as `3A001` or `5A002.a.1`) or `EAR99`", text.trim());
    let b = t.as_bytes();
    let base_ok = b.len() >= 5
        && b[0].is_ascii_digit()
        && matches!(b[1].to_ascii_uppercase(), b'A'..=b'E')
        && b[2..5].iter().all(u8::is_ascii_digit);
    if !base_ok {
        return Err(bad());
    }
    let mut out = t[..5].to_ascii_uppercase();
    for part in t[5..].split('.').skip(1) {
        if part.is_empty() || !part.bytes().all(|c| c.is_ascii_alphanumeric()) {
            return Err(bad());
        }
        out.push('.');
        out.push_str(&part.to_ascii_lowercase());
    }
    if t.len() > 5 && !t[5..].starts_with('.') {
        return Err(bad());
    }
    Code::new(own, &out).map(Value::Code).ok_or_else(|| format!("`{}` is longer than an ECCN can be", text.trim()))
}

impl ValueKind for EccnKind {
    fn name(&self) -> &'static str {
        "eccn"
    }

    fn a(&self) -> &'static str {
        "an ECCN"
    }

    fn plural(&self) -> &'static str {
        "ECCNs"
    }

    fn read(&self, own: Scalar, text: &str, _: &ReadContext<'_>) -> Result<Value, String> {
        read(own, text)
    }

    fn read_rule(&self, own: Scalar, text: &str) -> Result<Value, String> {
        read(own, text)
    }

    fn matching(&self) -> Matching {
        Matching::Prefix { broader_from: usize::MAX }
    }

    fn is_boundary(&self, code: &Code, len: usize) -> bool {
        let s = code.as_str();
        len >= 5 && len <= s.len() && (len == s.len() || s.as_bytes()[len] == b'.') && s != "EAR99"
            || len == s.len()
    }

    fn covers(&self, entry: &Code, value: &Code) -> bool {
        let (e, v) = (entry.as_str(), value.as_str());
        v == e || (e != "EAR99" && v.strip_prefix(e).is_some_and(|rest| rest.starts_with('.')))
    }

    fn invalid_code(&self) -> &'static str {
        "cordon::check::invalid_eccn"
    }

    fn invalid_label(&self) -> &'static str {
        "not an ECCN"
    }

    fn text_test_help(&self) -> Option<&'static str> {
        Some("to match ECCNs by paragraph use a set: `eccn in { 3A001 }`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eccn() -> Scalar {
        Scalar::from_name("eccn").expect("registered")
    }

    fn code(t: &str) -> Code {
        match eccn().read_rule(t) {
            Ok(Value::Code(c)) => c,
            other => panic!("{t}: {other:?}"),
        }
    }

    #[test]
    fn reads_and_normalises() {
        assert_eq!(code("3a001 .A.1").as_str(), "3A001.a.1");
        assert_eq!(code("ear99").as_str(), "EAR99");
        for bad in ["3F001", "A3001", "3A01", "3A001.", "3A001..a", "3A001a", "", "3A001.a-1"] {
            assert!(eccn().read_rule(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn entries_cover_their_sub_paragraphs_only() {
        let k = eccn().kind();
        assert!(k.covers(&code("3A001"), &code("3A001.a.1")));
        assert!(k.covers(&code("3A001.a"), &code("3A001.a.1")));
        assert!(!k.covers(&code("3A001.a"), &code("3A001.aa")));
        assert!(!k.covers(&code("3A001.a.1"), &code("3A001.a")));
        assert!(!k.covers(&code("3A001"), &code("3A002")) && !k.covers(&code("3A001.a"), &code("3A001.b.1")));
        assert!(!k.covers(&code("EAR99"), &code("3A001")));
        let c = code("3A001.a.1");
        let bounds: Vec<usize> = (1..=c.len()).filter(|n| k.is_boundary(&c, *n)).collect();
        assert_eq!(bounds, [5, 7, 9]);
    }
}
