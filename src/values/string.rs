//! The `string` kind: text. Compared and matched in sets case-insensitively;
//! the functions `lower`, `upper`, `trim` and `len`.

use super::functions::{Arg, Function, Param};
use super::kind::{Matching, ReadContext, Scalar, Value, ValueKind};
use super::Decimal;

/// Text.
pub struct StringKind;

/// The kind.
pub static STRING: StringKind = StringKind;

static FUNCTIONS: [Function; 4] = [
    Function {
        name: "lower",
        params: &[Param::Kind(Scalar::STRING)],
        result: Scalar::STRING,
        text_slice: None,
        call: |a| match a {
            [Arg::Str(s)] => Some(Value::Str(s.to_lowercase().into())),
            _ => None,
        },
    },
    Function {
        name: "upper",
        params: &[Param::Kind(Scalar::STRING)],
        result: Scalar::STRING,
        text_slice: None,
        call: |a| match a {
            [Arg::Str(s)] => Some(Value::Str(s.to_uppercase().into())),
            _ => None,
        },
    },
    Function {
        name: "trim",
        params: &[Param::Kind(Scalar::STRING)],
        result: Scalar::STRING,
        text_slice: Some(crate::values::text::trim),
        call: |a| match a {
            [Arg::Str(s)] => Some(Value::Str(crate::values::text::trim(s).into())),
            _ => None,
        },
    },
    Function {
        name: "len",
        params: &[Param::TextOrList],
        result: Scalar::DECIMAL,
        text_slice: None,
        call: |a| match a {
            [Arg::Str(s)] => Some(Value::Dec(Decimal::from(s.chars().count()))),
            [Arg::List(l)] => Some(Value::Dec(Decimal::from(l.len()))),
            _ => None,
        },
    },
];

impl ValueKind for StringKind {
    fn name(&self) -> &'static str {
        "string"
    }

    fn a(&self) -> &'static str {
        "text"
    }

    fn plural(&self) -> &'static str {
        "texts"
    }

    fn read(&self, _: Scalar, text: &str, _: &ReadContext<'_>) -> Result<Value, String> {
        Ok(Value::Str(text.into()))
    }

    fn read_rule(&self, _: Scalar, text: &str) -> Result<Value, String> {
        Ok(Value::Str(text.into()))
    }

    fn ordered(&self) -> bool {
        true
    }

    fn matching(&self) -> Matching {
        Matching::Text { fold: super::text::lower, ascii_lowercase: true }
    }

    fn invalid_code(&self) -> &'static str {
        "cordon::check::invalid_property"
    }

    fn invalid_label(&self) -> &'static str {
        "not text"
    }

    fn functions(&self) -> &'static [Function] {
        &FUNCTIONS
    }
}
