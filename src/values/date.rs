//! The `date` kind: calendar dates, validated (2017-02-30 is not a date),
//! written `YYYY-MM-DD` in rules and in whatever layout the input config
//! names in records (`time` format descriptions); the functions `year` and
//! `days_between`.

use std::fmt;

use super::functions::{Arg, Function, Param};
use super::kind::{ReadContext, Scalar, Value, ValueKind};
use super::Decimal;

/// A calendar date, stored as a day number so comparisons are integer ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date(i32);

impl Date {
    /// Parses `YYYY-MM-DD` strictly: four-digit year, two-digit month and day.
    pub fn parse(text: &str) -> Result<Date, String> {
        let t = crate::values::text::trim(text);
        let b = t.as_bytes();
        let shape_ok = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if !shape_ok {
            return Err(format!("`{t}` is not a date in the form YYYY-MM-DD"));
        }
        let num = |r: std::ops::Range<usize>| t[r].parse::<u32>().unwrap_or(0);
        Date::from_ymd(num(0..4) as i32, num(5..7), num(8..10)).ok_or_else(|| format!("`{t}` is not a calendar date"))
    }

    /// A date from year, month and day, if it exists.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        let month = time::Month::try_from(u8::try_from(month).ok()?).ok()?;
        let d = time::Date::from_calendar_date(year, month, u8::try_from(day).ok()?).ok()?;
        Some(Date(d.to_julian_day()))
    }

    /// The day number (Julian day), for compact comparisons.
    pub fn day_number(self) -> i32 {
        self.0
    }

    /// A date from its day number.
    pub fn from_day_number(n: i32) -> Option<Date> {
        time::Date::from_julian_day(n).ok().map(|d| Date(d.to_julian_day()))
    }

    /// The `time` crate's view of this date.
    pub fn to_time(self) -> time::Date {
        time::Date::from_julian_day(self.0).unwrap_or(time::Date::MIN)
    }

    /// Today (UTC).
    pub fn today() -> Date {
        Date(time::OffsetDateTime::now_utc().date().to_julian_day())
    }

    /// The same day `years` years later (28 February for 29 February).
    pub fn add_years(self, years: i32) -> Date {
        let t = self.to_time();
        let y = t.year() + years;
        let day = if t.month() == time::Month::February && t.day() == 29 && !time::util::is_leap_year(y) {
            28
        } else {
            t.day()
        };
        time::Date::from_calendar_date(y, t.month(), day).map_or(self, |d| Date(d.to_julian_day()))
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.to_time().year()
    }

    /// The next calendar day.
    pub fn next_day(self) -> Date {
        Date(self.0 + 1)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.to_time();
        write!(f, "{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
    }
}

/// How dates are written in an input: ISO 8601 (`YYYY-MM-DD`, read
/// strictly by [`Date::parse`]), a layout by name (`DD/MM/YYYY`,
/// `MM/DD/YYYY`, `DD.MM.YYYY`, `YYYYMMDD`), or any `time` format
/// description (`[day]-[month repr:short]-[year]`).
#[derive(Debug, Clone)]
pub struct DateLayout {
    name: String,
    format: Option<time::format_description::OwnedFormatItem>,
}

impl Default for DateLayout {
    fn default() -> Self {
        DateLayout::iso()
    }
}

/// The layouts known by name, and their format descriptions (day and month
/// with or without a leading zero).
const NAMED: [(&str, &str); 4] = [
    ("DD/MM/YYYY", "[day padding:none]/[month padding:none]/[year]"),
    ("MM/DD/YYYY", "[month padding:none]/[day padding:none]/[year]"),
    ("DD.MM.YYYY", "[day padding:none].[month padding:none].[year]"),
    ("YYYYMMDD", "[year][month][day]"),
];

impl DateLayout {
    /// `YYYY-MM-DD`.
    pub fn iso() -> DateLayout {
        DateLayout { name: "YYYY-MM-DD".into(), format: None }
    }

    /// A layout by name or format description; the error says what is wrong.
    pub fn named(name: &str) -> Result<DateLayout, String> {
        if name == "YYYY-MM-DD" {
            return Ok(DateLayout::iso());
        }
        let description = match NAMED.iter().find(|(n, _)| *n == name) {
            Some((_, d)) => *d,
            None if name.contains('[') => name,
            None => {
                let names: Vec<String> =
                    std::iter::once("YYYY-MM-DD").chain(NAMED.iter().map(|(n, _)| *n)).map(|n| format!("`{n}`")).collect();
                return Err(format!(
                    "unknown date layout `{name}`: use {}, or a format description such as `[day]-[month]-[year]`",
                    names.join(", ")
                ));
            }
        };
        let format = time::format_description::parse_owned::<2>(description)
            .map_err(|e| format!("`{name}` is not a date format description: {e}"))?;
        Ok(DateLayout { name: name.to_string(), format: Some(format) })
    }

    /// The layout as the config writes it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Reads a date in this layout.
    pub fn parse(&self, t: &str) -> Result<Date, String> {
        let Some(format) = &self.format else { return Date::parse(t) };
        let fail = || format!("`{t}` is not a date in the form {}", self.name);
        if t.starts_with(['+', '-']) {
            return Err(fail());
        }
        match time::Date::parse(t, format) {
            Ok(d) if d.year() >= 1000 => Ok(Date(d.to_julian_day())),
            Ok(_) => Err(fail()),
            Err(time::error::Parse::TryFromParsed(time::error::TryFromParsed::ComponentRange(_))) => {
                Err(format!("`{t}` is not a calendar date"))
            }
            Err(_) => Err(fail()),
        }
    }
}

/// Calendar dates.
pub struct DateKind;

/// The kind.
pub static DATE: DateKind = DateKind;

static FUNCTIONS: [Function; 2] = [
    Function {
        name: "year",
        params: &[Param::Kind(Scalar::DATE)],
        result: Scalar::DECIMAL,
        text_slice: None,
        call: |a| match a {
            [Arg::Date(d)] => Some(Value::Dec(Decimal::from(d.year()))),
            _ => None,
        },
    },
    Function {
        name: "days_between",
        params: &[Param::Kind(Scalar::DATE), Param::Kind(Scalar::DATE)],
        result: Scalar::DECIMAL,
        text_slice: None,
        call: |a| match a {
            [Arg::Date(x), Arg::Date(y)] => Some(Value::Dec(Decimal::from(y.day_number() - x.day_number()))),
            _ => None,
        },
    },
];

impl ValueKind for DateKind {
    fn name(&self) -> &'static str {
        "date"
    }

    fn a(&self) -> &'static str {
        "a date"
    }

    fn plural(&self) -> &'static str {
        "dates"
    }

    fn read(&self, _: Scalar, text: &str, ctx: &ReadContext<'_>) -> Result<Value, String> {
        ctx.dates.parse(text).map(Value::Date)
    }

    fn read_rule(&self, _: Scalar, text: &str) -> Result<Value, String> {
        Date::parse(text).map(Value::Date)
    }

    fn ordered(&self) -> bool {
        true
    }

    fn invalid_code(&self) -> &'static str {
        "cordon::check::invalid_date"
    }

    fn invalid_label(&self) -> &'static str {
        "not a date"
    }

    fn functions(&self) -> &'static [Function] {
        &FUNCTIONS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_real_dates_only() {
        assert_eq!(Date::parse("2017-08-05").unwrap().to_string(), "2017-08-05");
        assert!(Date::parse("2016-02-29").is_ok());
        for bad in
            ["2017-02-30", "2017-02-29", "2017-13-01", "2017-00-10", "2017-8-5", "05/08/2017", "", "2017-08-05T00:00"]
        {
            assert!(Date::parse(bad).is_err(), "{bad}");
        }
        let a = Date::parse("2017-08-04").unwrap();
        assert_eq!(a.next_day(), Date::parse("2017-08-05").unwrap());
        assert!(a < a.next_day());
    }

    #[test]
    fn layouts_by_name_and_by_format_description() {
        let day = |l: &str, t: &str| DateLayout::named(l).and_then(|l| l.parse(t)).map(|d| d.to_string());
        assert_eq!(day("DD/MM/YYYY", "05/08/2017").as_deref(), Ok("2017-08-05"));
        assert_eq!(day("DD/MM/YYYY", "5/8/2017").as_deref(), Ok("2017-08-05"));
        assert_eq!(day("MM/DD/YYYY", "08/05/2017").as_deref(), Ok("2017-08-05"));
        assert_eq!(day("DD.MM.YYYY", "05.08.2017").as_deref(), Ok("2017-08-05"));
        assert_eq!(day("YYYYMMDD", "20170805").as_deref(), Ok("2017-08-05"));
        assert_eq!(day("[day]-[month repr:short]-[year]", "05-Aug-2017").as_deref(), Ok("2017-08-05"));
        assert_eq!(day("DD/MM/YYYY", "31/02/2017"), Err("`31/02/2017` is not a calendar date".into()));
        for bad in ["05/08/17", "05/08/0999", "2017-08-05", "+5/08/2017", "05/08/2017x", " 05/08/2017"] {
            assert!(day("DD/MM/YYYY", bad).is_err(), "{bad}");
        }
        assert!(DateLayout::named("DD-MM").is_err());
        assert!(DateLayout::named("[day]/[nonsense]").is_err());
    }
}
