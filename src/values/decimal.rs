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
        text_slice: None,
        call: |a| match a {
            [Arg::Dec(d)] => Some(Value::Dec(d.abs())),
            _ => None,
        },
    },
    Function {
        name: "min",
        params: TWO,
        result: Scalar::DECIMAL,
        text_slice: None,
        call: |a| match a {
            [Arg::Dec(x), Arg::Dec(y)] => Some(Value::Dec(if x <= y { *x } else { *y })),
            _ => None,
        },
    },
    Function {
        name: "max",
        params: TWO,
        result: Scalar::DECIMAL,
        text_slice: None,
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
    if ctx.thousands_separator.is_none()
        && ctx.decimal_separator == '.'
        && let Some(d) = super::plain_decimal(t)
    {
        return Ok(d);
    }
    let mut owned;
    let mut text = t;
    let grouped = match ctx.thousands_separator {
        Some(ts) => Some(ts),
        // The usual number, read at once.
        None if ctx.decimal_separator == '.' && t.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-') => {
            None
        }
        // None configured: digits grouped by threes with a separator that
        // cannot be the decimal one (`600,000`, `600 000`, `1'250.5`) are
        // read as written, never as a small number (red team M2).
        None => implied_grouping(t, ctx.decimal_separator),
    };
    if let Some(ts) = grouped {
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

/// The thousands separator a number plainly uses, when the config names
/// none: one of `,` (when the decimal separator is `.`), `.` (when it is
/// `,`), `'`, `’` or a space (ASCII, no-break, narrow or thin), with whole
/// groups of three digits after a first group of one to three.
fn implied_grouping(t: &str, ds: char) -> Option<char> {
    let body = t.strip_prefix(['-', '+']).unwrap_or(t);
    let int_part = body.split_once(ds).map_or(body, |(i, _)| i);
    let ts = int_part.chars().find(|c| !c.is_ascii_digit())?;
    let allowed = [',', '.', '\'', '\u{2019}', ' ', '\u{a0}', '\u{202f}', '\u{2009}'];
    (ts != ds && allowed.contains(&ts) && check_grouping(t, ts, ds).is_ok()).then_some(ts)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn read_with(t: &str, ds: char, ts: Option<char>) -> Result<String, String> {
        let dates = crate::values::date::DateLayout::default();
        let ctx = ReadContext { dates: &dates, decimal_separator: ds, thousands_separator: ts };
        read(t, &ctx).map(|d| d.to_string())
    }

    #[test]
    fn numbers_grouped_by_threes_are_read_whole_without_a_configured_separator() {
        for (t, want) in [
            ("600,000", "600000"),
            ("600 000", "600000"),
            ("600\u{a0}000", "600000"),
            ("1'250'000.50", "1250000.50"),
            ("-1,000", "-1000"),
            ("1,234,567.891", "1234567.891"),
        ] {
            assert_eq!(read_with(t, '.', None).as_deref(), Ok(want), "{t}");
        }
        assert_eq!(read_with("600.000", ',', None).as_deref(), Ok("600000"));
        assert_eq!(read_with("1.250,5", ',', None).as_deref(), Ok("1250.5"));
        // Not whole groups, or the decimal separator itself: not a number.
        for t in ["60,00", "6,0000", "1,23.4", "1.000.0,5", "12 34"] {
            assert!(read_with(t, '.', None).is_err(), "{t}");
        }
        assert_eq!(read_with("600.000", '.', None).as_deref(), Ok("600.000"));
    }
}
