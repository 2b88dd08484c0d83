//! The record schema: which fields a record has, their types, which are
//! required, and which field is the transaction date. Rules are checked
//! against it; readers parse records by it.

use std::collections::HashMap;
use std::fmt;

/// Index of a field in a [`Schema`] (and in every record read by it).
pub type FieldId = usize;

/// The most fields a schema may declare (records track missing fields in a
/// 64-bit mask).
pub const MAX_FIELDS: usize = 64;

/// A scalar value type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scalar {
    /// Free text.
    String,
    /// An exact decimal number.
    Decimal,
    /// A calendar date.
    Date,
    /// An ISO 3166-1 alpha-2 country code.
    Country,
    /// A Harmonized System code.
    Hs,
}

impl Scalar {
    /// The name used in schemas and diagnostics.
    pub fn name(self) -> &'static str {
        match self {
            Scalar::String => "string",
            Scalar::Decimal => "decimal",
            Scalar::Date => "date",
            Scalar::Country => "country",
            Scalar::Hs => "hs",
        }
    }

    /// Parses a scalar type name.
    pub fn from_name(name: &str) -> Option<Scalar> {
        Some(match name {
            "string" => Scalar::String,
            "decimal" => Scalar::Decimal,
            "date" => Scalar::Date,
            "country" => Scalar::Country,
            "hs" => Scalar::Hs,
            _ => return None,
        })
    }
}

/// A field's type: one value, or a list of values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldType {
    /// One value.
    Scalar(Scalar),
    /// A list of values (`route`).
    List(Scalar),
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldType::Scalar(s) => f.write_str(s.name()),
            FieldType::List(s) => write!(f, "list<{}>", s.name()),
        }
    }
}

impl FieldType {
    /// Parses `decimal`, `list<country>` and the like.
    pub fn from_name(name: &str) -> Option<FieldType> {
        let name = name.trim();
        if let Some(inner) = name.strip_prefix("list<").and_then(|r| r.strip_suffix('>')) {
            return Scalar::from_name(inner.trim()).map(FieldType::List);
        }
        Scalar::from_name(name).map(FieldType::Scalar)
    }
}

/// Extra shape checks on string fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// Seven digits (an IMO ship number); `IMO 1234567` is accepted and normalised.
    Imo,
    /// Three uppercase letters (ISO 4217).
    Currency,
}

/// One field of a schema.
#[derive(Debug, Clone)]
pub struct FieldDef {
    /// Field name, as rules refer to it.
    pub name: String,
    /// Its type.
    pub ty: FieldType,
    /// Whether every record must have it.
    pub required: bool,
    /// Rejects negative numbers.
    pub non_negative: bool,
    /// Shape check for strings.
    pub pattern: Option<Pattern>,
    /// Separator between list items in CSV.
    pub separator: char,
    /// What the field means.
    pub description: String,
}

/// A record schema.
#[derive(Debug, Clone)]
pub struct Schema {
    /// Schema name (`trade-transaction`).
    pub name: String,
    /// Fields in declaration order; a record's values follow this order.
    pub fields: Vec<FieldDef>,
    /// The field that identifies a record.
    pub key: FieldId,
    /// The transaction-date field.
    pub date: FieldId,
    by_name: HashMap<String, FieldId>,
}

impl Schema {
    /// Builds a schema; the caller has validated names and types.
    pub fn new(name: String, fields: Vec<FieldDef>, key: FieldId, date: FieldId) -> Schema {
        let by_name = fields.iter().enumerate().map(|(i, f)| (f.name.clone(), i)).collect();
        Schema { name, fields, key, date, by_name }
    }

    /// The standard trade-transaction schema shipped in `seeds/schema/`.
    pub fn standard() -> Schema {
        let text = include_str!("../seeds/schema/trade-transaction.yaml");
        let src = crate::source::SourceFile::new("seeds/schema/trade-transaction.yaml", "", text);
        match crate::config::load_schema(&src) {
            Ok(s) => s,
            // INVARIANT: the shipped schema is valid; `standard_schema_loads` tests it.
            Err(e) => unreachable!("the shipped standard schema is invalid: {e}"),
        }
    }

    /// Looks a field up by name.
    pub fn field(&self, name: &str) -> Option<FieldId> {
        self.by_name.get(name).copied()
    }

    /// All field names.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|f| f.name.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_schema_loads() {
        let s = Schema::standard();
        assert_eq!(s.fields.len(), 19);
        assert_eq!(s.fields[s.date].name, "date");
        assert_eq!(s.fields[s.key].name, "id");
        let route = s.field("route").unwrap();
        assert_eq!(s.fields[route].ty, FieldType::List(Scalar::Country));
        assert!(s.fields[s.field("hs_code").unwrap()].required);
        assert!(!s.fields[s.field("license").unwrap()].required);
    }
}
