//! The `decimal` kind: exact decimal numbers (money, quantities), read with
//! the input config's separators; the functions `abs`, `min` and `max`.

use super::functions::{Arg, Function, Param};
use super::kind::{ReadContext, Scalar, Value, ValueKind};
use super::parse_decimal;

/// Exact decimal numbers.
pub struct DecimalKind;

/// The kind.
pub static DECIMAL: DecimalKind = DecimalKind;

const TWO: &[Param] = &[Param::Kind(Scalar::DECIMAL), Param::Kind(Scalar::DECIMAL)];

static FUNCTIONS: [Function; 3] = [
    Function {
        name: "abs",
        params: &[Param::Kind(Scalar::DECIMAL)],
        result: Scalar::DECIMAL,
        call: |a| match a {
            [Arg::Dec(d)] => Some(Value::Dec(d.abs())),
            _ => None,
        },
    },
    Function {
        name: "min",
        params: TWO,
        result: Scalar::DECIMAL,
        call: |a| match a {
            [Arg::Dec(x), Arg::Dec(y)] => Some(Value::Dec(if x <= y { *x } else { *y })),
            _ => None,
        },
    },
    Function {
        name: "max",
        params: TWO,
        result: Scalar::DECIMAL,
        call: |a| match a {
            [Arg::Dec(x), Arg::Dec(y)] => Some(Value::Dec(if x <= y { *y } else { *x })),
            _ => None,
        },
    },
];

impl ValueKind for DecimalKind {
    fn name(&self) -> &'static str {
        "decimal"
    }

    fn a(&self) -> &'static str {
        "a number"
    }

    fn plural(&self) -> &'static str {
        "numbers"
    }

    fn read(&self, _: Scalar, t: &str, ctx: &ReadContext<'_>) -> Result<Value, String> {
        read(t, ctx).map(Value::Dec)
    }

    fn read_rule(&self, _: Scalar, text: &str) -> Result<Value, String> {
        parse_decimal(text).map(Value::Dec)
    }

    fn ordered(&self) -> bool {
        true
    }

    fn invalid_code(&self) -> &'static str {
        "cordon::check::invalid_number"
    }

    fn invalid_label(&self) -> &'static str {
        "not a number"
    }

    fn functions(&self) -> &'static [Function] {
        &FUNCTIONS
    }
}

/// Reads a record's number with the input config's separators.
pub fn read(t: &str, ctx: &ReadContext<'_>) -> Result<super::Decimal, String> {
    let mut owned;
    let mut text = t;
    if let Some(ts) = ctx.thousands_separator {
        check_grouping(t, ts, ctx.decimal_separator)?;
        owned = text.replace(ts, "");
        text = &owned;
    }
    if ctx.decimal_separator == ',' {
        if text.contains('.') {
            return Err(format!("`{t}` uses `.` but the decimal separator is `,`"));
        }
        owned = text.replace(',', ".");
        text = &owned;
    }
    parse_decimal(text)
}

/// With a thousands separator configured, groups must be whole: `1.234,50`
/// is right, `1.5` or `1.23,4` is not a number (it would silently read as 15
/// or 123.4).
fn check_grouping(t: &str, ts: char, ds: char) -> Result<(), String> {
    let body = t.strip_prefix(['-', '+']).unwrap_or(t);
    let (int_part, frac) = match body.split_once(ds) {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    if frac.is_some_and(|f| f.contains(ts)) {
        return Err(format!("`{t}` has a thousands separator `{ts}` after the decimal separator `{ds}`"));
    }
    if int_part.contains(ts) {
        let mut groups = int_part.split(ts);
        let first_ok = groups.next().is_some_and(|g| (1..=3).contains(&g.len()));
        if !first_ok || !groups.all(|g| g.len() == 3) {
            return Err(format!("`{t}` has misplaced thousands separators `{ts}`"));
        }
    }
    Ok(())
}
