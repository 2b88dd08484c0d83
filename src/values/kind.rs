//! Value kinds: what a field, a literal or a set element can be — text, a
//! decimal, a date, a country, an HS code, a normalised name — each in a
//! file of its own that says how its values are read (from records and
//! from rules), shown, compared and matched in sets, and which functions
//! it brings. The rest of Cordon (checker, compiler, evaluators, report)
//! goes through [`ValueKind`], so a new kind is its own file and one line
//! in the registry (`kinds![…]` in `values/mod.rs`): `eccn.rs`, the US
//! export-control classification, was added so.

use std::cmp::Ordering;
use std::fmt;

use super::{Date, Decimal};
use crate::values::functions::Function;

use super::KINDS;

/// A value kind, by its place in the registry.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Scalar(u8);

impl Scalar {
    /// Reads a record's text as a value of this kind.
    #[inline]
    pub fn read(self, text: &str, ctx: &ReadContext<'_>) -> Result<Value, String> {
        self.kind().read(self, text, ctx)
    }

    /// Reads a value written in a rule as one of this kind.
    pub fn read_rule(self, text: &str) -> Result<Value, String> {
        self.kind().read_rule(self, text)
    }

    /// Text.
    pub const STRING: Scalar = Scalar(0);
    /// An exact decimal number.
    pub const DECIMAL: Scalar = Scalar(1);
    /// A calendar date.
    pub const DATE: Scalar = Scalar(2);

    /// The kind's behaviour.
    #[inline]
    pub fn kind(self) -> &'static dyn ValueKind {
        KINDS.get(self.0 as usize).copied().unwrap_or(KINDS[0])
    }

    /// The name used in schemas, set types and diagnostics (`country`).
    pub fn name(self) -> &'static str {
        self.kind().name()
    }

    /// The kind named `name`.
    pub fn from_name(name: &str) -> Option<Scalar> {
        Scalar::all().find(|s| s.name() == name)
    }

    /// Every kind, in registry order.
    pub fn all() -> impl Iterator<Item = Scalar> {
        (0..KINDS.len() as u8).map(Scalar)
    }

    /// The kinds a schema field may have (not set-only kinds such as `name`).
    pub fn field_kinds() -> impl Iterator<Item = Scalar> {
        Scalar::all().filter(|s| s.kind().is_field_kind())
    }
}

impl fmt::Debug for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The most bytes a code holds (`3A001.a.1.b`, `2701.12.00.10` fit).
pub const MAX_CODE_BYTES: usize = 22;

/// A value of a coded kind (a country, an HS code): its canonical text,
/// ASCII, held inline so that codes copy, hash and compare as plain bytes.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Code {
    kind: Scalar,
    len: u8,
    bytes: [u8; MAX_CODE_BYTES],
}

impl Code {
    /// A code of `kind` from its canonical text; `None` if it is not ASCII
    /// or longer than [`MAX_CODE_BYTES`].
    pub fn new(kind: Scalar, text: &str) -> Option<Code> {
        let b = text.as_bytes();
        if b.len() > MAX_CODE_BYTES || !text.is_ascii() {
            return None;
        }
        let mut bytes = [0u8; MAX_CODE_BYTES];
        bytes[..b.len()].copy_from_slice(b);
        Some(Code { kind, len: b.len() as u8, bytes })
    }

    /// A code from ASCII bytes a kind has already checked (at most
    /// [`MAX_CODE_BYTES`]; longer input is cut there).
    pub fn from_ascii(kind: Scalar, b: &[u8]) -> Code {
        let n = b.len().min(MAX_CODE_BYTES);
        let mut bytes = [0u8; MAX_CODE_BYTES];
        bytes[..n].copy_from_slice(&b[..n]);
        Code { kind, len: n as u8, bytes }
    }

    /// Its kind.
    pub fn kind(&self) -> Scalar {
        self.kind
    }

    /// Its canonical text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len as usize]).unwrap_or("")
    }

    /// Its length in bytes.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Never true for a parsed code.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Its first `n` bytes, as a code of the same kind.
    pub fn prefix(&self, n: usize) -> Code {
        let n = n.min(self.len as usize);
        let mut bytes = [0u8; MAX_CODE_BYTES];
        bytes[..n].copy_from_slice(&self.bytes[..n]);
        Code { kind: self.kind, len: n as u8, bytes }
    }
}

impl std::hash::Hash for Code {
    /// One word for the short codes sets are made of (a country, an HS
    /// heading): the kind, the length and up to six bytes; longer codes add
    /// their other bytes. Bytes past the length are always zero.
    #[inline]
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        let mut word = u64::from(self.kind.0) | u64::from(self.len) << 8;
        for (i, b) in self.bytes[..6].iter().enumerate() {
            word |= u64::from(*b) << (16 + 8 * i);
        }
        h.write_u64(word);
        if self.len > 6 {
            h.write(&self.bytes[6..self.len as usize]);
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind.name(), self.as_str())
    }
}

/// A typed value, read from a record or written in a rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Text (normalised where the field has a pattern, e.g. IMO numbers).
    Str(Box<str>),
    /// A decimal.
    Dec(Decimal),
    /// A date.
    Date(Date),
    /// A value of a coded kind: a country, an HS code.
    Code(Code),
    /// A list.
    List(Vec<Value>),
}

impl Value {
    /// The text, if a text value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The number, if a decimal.
    pub fn as_decimal(&self) -> Option<Decimal> {
        match self {
            Value::Dec(d) => Some(*d),
            _ => None,
        }
    }

    /// The date, if a date.
    pub fn as_date(&self) -> Option<Date> {
        match self {
            Value::Date(d) => Some(*d),
            _ => None,
        }
    }

    /// The code, if of a coded kind.
    pub fn as_code(&self) -> Option<&Code> {
        match self {
            Value::Code(c) => Some(c),
            _ => None,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => f.write_str(s),
            Value::Dec(d) => write!(f, "{d}"),
            Value::Date(d) => write!(f, "{d}"),
            Value::Code(c) => f.write_str(c.as_str()),
            Value::List(items) => {
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(";")?;
                    }
                    write!(f, "{v}")?;
                }
                Ok(())
            }
        }
    }
}

/// How a record's text is read: the input config's date layout and number
/// separators.
#[derive(Debug, Clone, Copy)]
pub struct ReadContext<'a> {
    /// The date layout.
    pub dates: &'a super::date::DateLayout,
    /// The decimal separator (`.` or `,`).
    pub decimal_separator: char,
    /// A thousands separator to drop, if any.
    pub thousands_separator: Option<char>,
}

/// How a set of a kind finds a value.
#[derive(Debug, Clone, Copy)]
pub enum Matching {
    /// Codes, whole.
    Exact,
    /// Codes by prefix: an entry covers every code that starts with it at a
    /// boundary of the code ([`ValueKind::is_boundary`]); a record code at
    /// least `broader_from` long also matches, as "broader", an entry that
    /// starts with it (the record is coded less precisely than the set).
    Prefix {
        /// Shortest record code that matches longer entries.
        broader_from: usize,
    },
    /// Text, by a key both sides are folded to (lowercase, or a normalised name).
    Text {
        /// The folding.
        fold: fn(&str) -> std::borrow::Cow<'_, str>,
        /// `fold` of ASCII text is its ASCII lowercase: a lookup may fold
        /// into a buffer of its own instead of a new string.
        ascii_lowercase: bool,
    },
}

/// What a kind is and does. Each kind is one file implementing this.
pub trait ValueKind: Send + Sync + 'static {
    /// The name in schemas and set types (`country`).
    fn name(&self) -> &'static str;

    /// One value, in messages (`a country`).
    fn a(&self) -> &'static str;

    /// Several values, in messages (`countries`).
    fn plural(&self) -> &'static str;

    /// Whether a schema field may be of this kind (`name` is for sets only).
    fn is_field_kind(&self) -> bool {
        true
    }

    /// The kind of the values looked up in a set of this kind (a set of
    /// names holds text).
    fn looks_up(&self, own: Scalar) -> Scalar {
        own
    }

    /// Reads a record's text (trimmed, not empty); `own` is this kind's id.
    fn read(&self, own: Scalar, text: &str, ctx: &ReadContext<'_>) -> Result<Value, String>;

    /// Reads a value written in a rule (a literal compared with a field, a
    /// set element); may accept more than records do (HS chapters).
    fn read_rule(&self, own: Scalar, text: &str) -> Result<Value, String>;

    /// Whether `<`, `<=`, `>` and `>=` apply.
    fn ordered(&self) -> bool {
        false
    }

    /// How two values of this kind order (text case-insensitively).
    fn compare(&self, a: &Value, b: &Value) -> Option<Ordering> {
        match (a, b) {
            (Value::Str(x), Value::Str(y)) => Some(super::text::cmp_folded(x, y)),
            (Value::Dec(x), Value::Dec(y)) => Some(x.cmp(y)),
            (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
            (Value::Code(x), Value::Code(y)) if x.kind() == y.kind() => Some(x.as_str().cmp(y.as_str())),
            _ => None,
        }
    }

    /// How sets of this kind match.
    fn matching(&self) -> Matching {
        Matching::Exact
    }

    /// For [`Matching::Prefix`]: whether `code`'s first `len` bytes are one
    /// of its ancestors (a chapter, a heading).
    fn is_boundary(&self, code: &Code, len: usize) -> bool {
        len == code.len()
    }

    /// Whether a set entry covers a value (equal, or an ancestor of it),
    /// decided on the texts: the plain way, against which the compiled
    /// matching is tested. An entry only ever covers values whose text
    /// starts with its own: the `covered_entry` lint looks up prefixes.
    fn covers(&self, entry: &Code, value: &Code) -> bool {
        entry == value
    }

    /// The values of a range in a rule (`50..63`), when the kind has
    /// ranges; `None` when it has none.
    fn range(&self, own: Scalar, from: &str, to: &str, max: u64) -> Option<Result<Vec<Value>, String>> {
        let _ = (own, from, to, max);
        None
    }

    /// What a code is called, for people (`KP` → "Korea, Democratic
    /// People's Republic of", an HS chapter → its title).
    fn label(&self, code: &Code) -> Option<String> {
        let _ = code;
        None
    }

    /// Advice for a value that did not read (`UK` → `GB`).
    fn help(&self, text: &str) -> Option<String> {
        let _ = text;
        None
    }

    /// The diagnostic code of a value of this kind that does not read.
    fn invalid_code(&self) -> &'static str;

    /// The label under such a value.
    fn invalid_label(&self) -> &'static str;

    /// Advice when a text test (`contains`, `starts with`) is used on it.
    fn text_test_help(&self) -> Option<&'static str> {
        None
    }

    /// Functions the kind brings (`chapter(hs_code)`).
    fn functions(&self) -> &'static [Function] {
        &[]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A kind that says its text folding is ASCII lowercase folds ASCII
    /// text so (evaluation then folds it on the stack); one kind does.
    #[test]
    fn folds_said_to_be_ascii_lowercase_are() {
        let mut said = 0;
        for s in Scalar::all() {
            let Matching::Text { fold, ascii_lowercase: true } = s.kind().matching() else { continue };
            said += 1;
            for t in ["", "ACME", "Korea Mining, Ltd.", "x Y z", "KP-2701", "  A  B ", "\tTAB"] {
                assert_eq!(fold(t), t.to_ascii_lowercase(), "{} {t:?}", s.name());
            }
        }
        assert_eq!(said, 1);
    }

    #[test]
    fn the_registry_names_each_kind_once_and_ids_follow_it() {
        let names: Vec<&str> = Scalar::all().map(Scalar::name).collect();
        assert_eq!(names, ["string", "decimal", "date", "country", "hs", "name", "eccn"]);
        for s in Scalar::all() {
            assert_eq!(Scalar::from_name(s.name()), Some(s));
        }
        assert_eq!(Scalar::from_name("string"), Some(Scalar::STRING));
        assert_eq!(Scalar::from_name("decimal"), Some(Scalar::DECIMAL));
        assert_eq!(Scalar::from_name("date"), Some(Scalar::DATE));
        assert!(!Scalar::field_kinds().any(|s| s.name() == "name"));
    }

    #[test]
    fn codes_hold_their_text_and_prefixes() {
        let hs = Scalar::from_name("hs").expect("hs");
        let c = Code::new(hs, "270112").expect("code");
        assert_eq!((c.as_str(), c.len(), c.prefix(4).as_str()), ("270112", 6, "2701"));
        assert_ne!(Code::new(hs, "KP"), Code::new(Scalar::from_name("country").expect("country"), "KP"));
        assert!(Code::new(hs, &"9".repeat(MAX_CODE_BYTES + 1)).is_none());
        assert!(Code::new(hs, "27€").is_none());
    }
}
