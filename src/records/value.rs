//! Typed cells of a record, and parsing text into them.

use std::borrow::Cow;

use crate::config::InputConfig;
use crate::schema::{FieldDef, FieldType, Pattern, Scalar};
use crate::values::kind::ReadContext;

/// One field of a record. Text borrows from the input where it can (the
/// chunk a CSV record was cut from): typing a record allocates only for
/// lists and for values rewritten from what was written.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    /// The file has the column but the record leaves it empty.
    Missing,
    /// The file has no column for this field.
    NoColumn,
    /// A value that could not be read.
    Bad {
        /// The text as read.
        raw: Cow<'a, str>,
        /// Why it could not be read.
        reason: String,
    },
    /// A readable text value.
    Str {
        /// The text as read (trimmed), for evidence.
        raw: Cow<'a, str>,
        /// The value: the text itself, or its canonical form (an IMO
        /// number's digits, a unit's code, a currency in capitals).
        value: Cow<'a, str>,
    },
    /// A readable value of any other kind.
    Ok {
        /// The text as read (trimmed), for evidence.
        raw: Cow<'a, str>,
        /// The typed value.
        value: Value,
    },
}

/// A cell's readable value, borrowed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CellValue<'c> {
    /// Text.
    Str(&'c str),
    /// Any other value.
    Value(&'c Value),
}

impl CellValue<'_> {
    /// As an owned [`Value`].
    pub fn to_value(self) -> Value {
        match self {
            CellValue::Str(s) => Value::Str(s.into()),
            CellValue::Value(v) => v.clone(),
        }
    }
}

impl<'a> Cell<'a> {
    /// The text as read, if any.
    pub fn text(&self) -> Option<&str> {
        match self {
            Cell::Ok { raw, .. } | Cell::Str { raw, .. } | Cell::Bad { raw, .. } => Some(raw),
            Cell::Missing | Cell::NoColumn => None,
        }
    }

    /// Whether the cell lets its record be evaluated: readable, or empty
    /// when its field is not required.
    #[inline]
    pub fn sound(&self, required: bool) -> bool {
        match self {
            Cell::Missing | Cell::NoColumn => !required,
            Cell::Bad { .. } => false,
            Cell::Ok { .. } | Cell::Str { .. } => true,
        }
    }

    /// The value, if readable.
    pub fn get(&self) -> Option<CellValue<'_>> {
        match self {
            Cell::Ok { value, .. } => Some(CellValue::Value(value)),
            Cell::Str { value, .. } => Some(CellValue::Str(value)),
            _ => None,
        }
    }

    /// The value of a kind other than text, if readable.
    pub fn value(&self) -> Option<&Value> {
        match self {
            Cell::Ok { value, .. } => Some(value),
            _ => None,
        }
    }

    /// The same cell owning its text, to outlive the input it was read from.
    pub fn into_owned(self) -> Cell<'static> {
        let own = |c: Cow<'a, str>| Cow::Owned(c.into_owned());
        match self {
            Cell::Missing => Cell::Missing,
            Cell::NoColumn => Cell::NoColumn,
            Cell::Bad { raw, reason } => Cell::Bad { raw: own(raw), reason },
            Cell::Str { raw, value } => Cell::Str { raw: own(raw), value: own(value) },
            Cell::Ok { raw, value } => Cell::Ok { raw: own(raw), value },
        }
    }
}

pub use crate::values::Value;

/// Frees a record's cells. Most hold nothing of their own (text borrowed
/// from the input, a number, a date, a code): those are let go without
/// their drop code, a call per cell that cost more than the typing of
/// some (about a twentieth of a run on one thread); the others are dropped.
pub fn release(cells: Vec<Cell<'_>>) {
    // What is forgotten below has no drop code of its own.
    const _: () = assert!(
        !std::mem::needs_drop::<crate::values::Decimal>()
            && !std::mem::needs_drop::<crate::values::Date>()
            && !std::mem::needs_drop::<crate::values::kind::Code>()
            && !std::mem::needs_drop::<&str>()
    );
    for cell in cells {
        let_go(cell);
    }
}

/// Puts `new` in a cell's place, letting the old one go as [`release`] does.
pub(crate) fn set<'a>(cell: &mut Cell<'a>, new: Cell<'a>) {
    let_go(std::mem::replace(cell, new));
}

fn let_go(cell: Cell<'_>) {
    let owns_nothing = matches!(
        &cell,
        Cell::Missing
            | Cell::NoColumn
            | Cell::Str { raw: Cow::Borrowed(_), value: Cow::Borrowed(_) }
            | Cell::Ok { raw: Cow::Borrowed(_), value: Value::Dec(_) | Value::Date(_) | Value::Code(_) }
    );
    if owns_nothing {
        // Nothing to free: forgetting it leaks nothing.
        std::mem::forget(cell);
    } else {
        drop(cell);
    }
}

/// Parses a field's text.
pub fn parse_cell<'a>(text: &'a str, def: &FieldDef, cfg: &InputConfig) -> Cell<'a> {
    let mut cell = Cell::Missing;
    parse_cell_into(text, def, cfg, &mut cell);
    cell
}

/// [`parse_cell`] into the cell's place in a record. Written where it
/// stays: a cell returned through the stack and copied into the record was
/// read back before its bytes had settled (a store-forwarding stall per
/// cell, the costliest instruction of typing a record).
pub(crate) fn parse_cell_into<'a>(text: &'a str, def: &FieldDef, cfg: &InputConfig, cell: &mut Cell<'a>) {
    let t = crate::values::text::trim(text);
    if t.is_empty() {
        set(cell, Cell::Missing);
        return;
    }
    let new = match def.ty {
        FieldType::Scalar(s) if s == Scalar::STRING => match parse_text(t, def) {
            Ok(value) => Cell::Str { raw: Cow::Borrowed(t), value },
            Err(reason) => Cell::Bad { raw: Cow::Borrowed(t), reason },
        },
        FieldType::Scalar(s) => match parse_scalar(t, s, def, cfg) {
            Ok(value) => Cell::Ok { raw: Cow::Borrowed(t), value },
            Err(reason) => Cell::Bad { raw: Cow::Borrowed(t), reason },
        },
        FieldType::List(s) => {
            let sep = cfg.list_separator.unwrap_or(def.separator);
            let mut items = Vec::new();
            for item in t.split(sep).map(str::trim).filter(|i| !i.is_empty()) {
                match parse_scalar(item, s, def, cfg) {
                    Ok(v) => items.push(v),
                    Err(e) => {
                        set(cell, Cell::Bad { raw: Cow::Borrowed(t), reason: format!("list item {e}") });
                        return;
                    }
                }
            }
            Cell::Ok { raw: Cow::Borrowed(t), value: Value::List(items) }
        }
    };
    set(cell, new);
}

/// Reads text: as written, or canonical for patterned text (IMO numbers,
/// currencies, units); borrowed unless rewritten.
fn parse_text<'a>(t: &'a str, def: &FieldDef) -> Result<Cow<'a, str>, String> {
    if !def.values.is_empty() {
        return match def.values.iter().find(|v| v.eq_ignore_ascii_case(t)) {
            Some(v) if v == t => Ok(Cow::Borrowed(t)),
            Some(v) => Ok(Cow::Owned(v.clone())),
            None => Err(format!(
                "`{t}` is not one of {}",
                def.values.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")
            )),
        };
    }
    match def.pattern {
        None => Ok(Cow::Borrowed(t)),
        Some(Pattern::Imo) => parse_imo(t).map(Cow::Borrowed),
        Some(Pattern::Currency) => {
            if t.len() == 3 && t.bytes().all(|b| b.is_ascii_uppercase()) {
                Ok(Cow::Borrowed(t))
            } else if t.len() == 3 && t.bytes().all(|b| b.is_ascii_alphabetic()) {
                Ok(Cow::Owned(t.to_ascii_uppercase()))
            } else {
                Err(format!("`{t}` is not a three-letter ISO 4217 currency code"))
            }
        }
        // Known spellings become the canonical code (`barrels` → `bbl`);
        // others stay as written: only a conversion that needs one is undecided.
        Some(Pattern::Unit) => Ok(Cow::Borrowed(crate::values::unit::table().canonical(t).unwrap_or(t))),
    }
}

/// Parses one scalar value: the field's pattern for patterned text, else
/// its kind, with the input config's date layout and number separators.
pub fn parse_scalar(t: &str, s: Scalar, def: &FieldDef, cfg: &InputConfig) -> Result<Value, String> {
    if s == Scalar::STRING {
        return parse_text(t, def).map(|c| Value::Str(c.into()));
    }
    if s == Scalar::DATE {
        // The language's own kind, read without a dynamic call (hot path).
        return cfg.read_date(t).map(Value::Date);
    }
    let ctx = ReadContext {
        dates: &cfg.date_format,
        decimal_separator: cfg.decimal_separator,
        thousands_separator: cfg.thousands_separator,
    };
    if s == Scalar::DECIMAL {
        let d = crate::values::decimal::read(t, &ctx)?;
        if def.non_negative && d.is_sign_negative() && !d.is_zero() {
            return Err(format!("`{t}` is negative; `{}` cannot be below zero", def.name));
        }
        return Ok(Value::Dec(d));
    }
    s.read(t, &ctx)
}

/// An IMO ship number: seven digits whose last is the check digit;
/// `IMO 9191773` and `9191773` are accepted.
pub fn parse_imo(t: &str) -> Result<&str, String> {
    let digits = t.strip_prefix("IMO").or_else(|| t.strip_prefix("imo")).unwrap_or(t).trim();
    if digits.len() != 7 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`{t}` is not a seven-digit IMO number"));
    }
    let d = digits.as_bytes();
    let sum: u32 = d[..6].iter().zip((2..=7).rev()).map(|(x, w)| u32::from(x - b'0') * w).sum();
    if sum % 10 != u32::from(d[6] - b'0') {
        return Err(format!("`{t}` fails the IMO check digit"));
    }
    Ok(digits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::{Date, parse_decimal};

    fn def(name: &str) -> FieldDef {
        let s = crate::config::standard_schema();
        s.fields[s.field(name).unwrap()].clone()
    }

    #[test]
    fn imo_numbers_are_checked() {
        assert_eq!(parse_imo("9191773").unwrap(), "9191773");
        assert_eq!(parse_imo("IMO 9191773").unwrap(), "9191773");
        assert!(parse_imo("9191774").unwrap_err().contains("check digit"));
        assert!(parse_imo("919177").is_err());
    }

    #[test]
    fn cells_parse_by_type() {
        let cfg = InputConfig::standard();
        assert_eq!(parse_cell("  ", &def("quantity"), &cfg), Cell::Missing);
        assert!(matches!(parse_cell("-5", &def("quantity"), &cfg), Cell::Bad { .. }));
        assert!(matches!(parse_cell("abc", &def("quantity"), &cfg), Cell::Bad { .. }));
        assert!(matches!(parse_cell("2017-02-30", &def("date"), &cfg), Cell::Bad { .. }));
        assert!(matches!(parse_cell("27A1", &def("hs_code"), &cfg), Cell::Bad { .. }));
        let Cell::Ok { value: Value::List(v), .. } = parse_cell("CN; KP ;", &def("route"), &cfg) else { panic!() };
        assert_eq!(v.len(), 2);
        assert!(matches!(parse_cell("CN;XX", &def("route"), &cfg), Cell::Bad { .. }));
        assert!(matches!(parse_cell("usd", &def("currency"), &cfg), Cell::Str { value, .. } if value == "USD"));
        // Units the table knows read as their code, and the evidence keeps what was written.
        let barrels = parse_cell("Barrels", &def("unit"), &cfg);
        assert_eq!(barrels.get(), Some(CellValue::Str("bbl")));
        assert_eq!(barrels.text(), Some("Barrels"));
        assert_eq!(parse_cell("furlongs", &def("unit"), &cfg).get(), Some(CellValue::Str("furlongs")));
    }

    #[test]
    fn configured_formats() {
        let mut cfg = InputConfig::standard();
        cfg.decimal_separator = ',';
        cfg.thousands_separator = Some('.');
        cfg.date_format = crate::values::DateLayout::named("DD/MM/YYYY").unwrap();
        assert_eq!(
            parse_cell("1.234,50", &def("value"), &cfg).value(),
            Some(&Value::Dec(parse_decimal("1234.50").unwrap()))
        );
        assert_eq!(
            parse_cell("05/08/2017", &def("date"), &cfg).value(),
            Some(&Value::Date(Date::parse("2017-08-05").unwrap()))
        );
        assert!(matches!(parse_cell("30/02/2017", &def("date"), &cfg), Cell::Bad { .. }));
        for misread in ["1.5", "1,234.50", "1.23,4", "12.34.567", "1,2.345"] {
            assert!(matches!(parse_cell(misread, &def("value"), &cfg), Cell::Bad { .. }), "{misread}");
        }
        assert_eq!(
            parse_cell("-1.234.567,5", &def("quantity"), &cfg),
            Cell::Bad {
                raw: "-1.234.567,5".into(),
                reason: "`-1.234.567,5` is negative; `quantity` cannot be below zero".into()
            }
        );
        assert_eq!(
            parse_cell("999,5", &def("value"), &cfg).value(),
            Some(&Value::Dec(parse_decimal("999.5").unwrap()))
        );
    }
}
