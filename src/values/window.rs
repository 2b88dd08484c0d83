//! Windows of time over which aggregate rules add records up (calendar
//! years, quarters and months, a rolling number of days ending on each
//! record's date, or a fixed period with both ends named), and the limits
//! their totals are held against.

use std::fmt;

use super::{Date, Decimal};

/// The period over which an aggregate rule adds up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// The calendar year of the record's date.
    Year,
    /// The calendar quarter (January–March …).
    Quarter,
    /// The calendar month.
    Month,
    /// The given number of days ending on the record's date (inclusive):
    /// `rolling 30 days` on 2024-03-01 covers 2024-02-01 … 2024-03-01.
    Rolling(u32),
    /// A fixed period, both ends inclusive; records outside it do not count.
    Period(Date, Date),
    /// Consecutive twelve-month periods from a first day (`12 months from
    /// 2017-12-22`: 2017-12-22 … 2018-12-21, then 2018-12-22 …); records
    /// before the first day do not count.
    Yearly(Date),
}

/// Longest rolling window, in days: ten years.
pub const MAX_ROLLING_DAYS: u32 = 3660;

impl Window {
    /// Reads a window as rules write it: `calendar year`, `quarter`,
    /// `month`, `rolling 30 days`, `2017-10-01..2017-12-31`.
    pub fn parse(text: &str) -> Result<Window, String> {
        let words: Vec<String> = text.split_whitespace().map(str::to_ascii_lowercase).collect();
        let w: Vec<&str> = words.iter().map(String::as_str).collect();
        match w.as_slice() {
            ["calendar", "year"] | ["year"] => Ok(Window::Year),
            ["calendar", "quarter"] | ["quarter"] => Ok(Window::Quarter),
            ["calendar", "month"] | ["month"] => Ok(Window::Month),
            ["rolling", n, "days" | "day"] => match n.parse::<u32>() {
                Ok(n) if (1..=MAX_ROLLING_DAYS).contains(&n) => Ok(Window::Rolling(n)),
                _ => Err(format!("`{n}` is not a number of days from 1 to {MAX_ROLLING_DAYS}")),
            },
            ["12", "months", "from", start] => Ok(Window::Yearly(Date::parse(start)?)),
            [period] if period.contains("..") => {
                let (a, b) = period.split_once("..").unwrap_or_default();
                let (from, to) = (Date::parse(a)?, Date::parse(b)?);
                if to < from {
                    return Err(format!("the period ends ({to}) before it starts ({from})"));
                }
                Ok(Window::Period(from, to))
            }
            _ => Err(format!("`{text}` is not a window")),
        }
    }

    /// The first and last day of the calendar or fixed window holding
    /// `date`; for a rolling window, the days it covers ending on `date`.
    /// `None` when a fixed period does not hold the date.
    pub fn bounds(self, date: Date) -> Option<(Date, Date)> {
        let t = date.to_time();
        let (y, m) = (t.year(), t.month() as u32);
        let ymd = |y: i32, m: u32, d: u32| Date::from_ymd(y, m, d).unwrap_or(date);
        let month_end = |y: i32, m: u32| {
            let next = if m == 12 { ymd(y + 1, 1, 1) } else { ymd(y, m + 1, 1) };
            Date::from_day_number(next.day_number() - 1).unwrap_or(date)
        };
        match self {
            Window::Year => Some((ymd(y, 1, 1), ymd(y, 12, 31))),
            Window::Quarter => {
                let first = (m - 1) / 3 * 3 + 1;
                Some((ymd(y, first, 1), month_end(y, first + 2)))
            }
            Window::Month => Some((ymd(y, m, 1), month_end(y, m))),
            Window::Rolling(n) => {
                let start = Date::from_day_number(date.day_number() - (n as i32 - 1)).unwrap_or(date);
                Some((start, date))
            }
            Window::Period(a, b) => (a <= date && date <= b).then_some((a, b)),
            Window::Yearly(first) => {
                if date < first {
                    return None;
                }
                let f = first.to_time();
                // The anniversary on or before the date (29 Feb falls back to 28 Feb).
                let on = |y: i32| {
                    Date::from_ymd(y, f.month() as u32, u32::from(f.day()))
                        .or_else(|| Date::from_ymd(y, f.month() as u32, u32::from(f.day()) - 1))
                };
                let mut start = on(y)?;
                if start > date {
                    start = on(y - 1)?;
                }
                let next = on(start.year() + 1)?;
                Some((start, Date::from_day_number(next.day_number() - 1)?))
            }
        }
    }

    /// A label for the window holding `date`: `2018`, `2018-Q1`, `2018-03`,
    /// `2018-02-04..2018-03-05`, `2017-10-01..2017-12-31`.
    pub fn label(self, date: Date) -> String {
        let Some((a, b)) = self.bounds(date) else { return String::new() };
        match self {
            Window::Year => format!("{}", a.year()),
            Window::Quarter => format!("{}-Q{}", a.year(), (a.to_time().month() as u32 - 1) / 3 + 1),
            Window::Month => a.to_string()[..7].to_string(),
            Window::Rolling(_) | Window::Period(..) | Window::Yearly(_) => format!("{a}..{b}"),
        }
    }

    /// Whether each record has a window of its own (rolling), rather than
    /// records sharing fixed ones.
    pub fn is_rolling(self) -> bool {
        matches!(self, Window::Rolling(_))
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Window::Year => f.write_str("calendar year"),
            Window::Quarter => f.write_str("calendar quarter"),
            Window::Month => f.write_str("calendar month"),
            Window::Rolling(n) => write!(f, "rolling {n} days"),
            Window::Period(a, b) => write!(f, "{a}..{b}"),
            Window::Yearly(first) => write!(f, "12 months from {first}"),
        }
    }
}

/// One limit of an aggregate rule: an amount, in a unit of measure, a
/// currency, or a plain number (a count).
#[derive(Debug, Clone, PartialEq)]
pub struct Limit {
    /// The amount; a total above it crosses the limit.
    pub amount: Decimal,
    /// Its unit.
    pub unit: LimitUnit,
}

/// The unit of a limit.
#[derive(Debug, Clone, PartialEq)]
pub enum LimitUnit {
    /// A plain number (a count, or a sum of a field without a unit).
    Plain,
    /// A unit of measure of the unit table; amounts are converted into it.
    Measure(super::unit::Unit),
    /// A currency (ISO 4217): only amounts in it are counted; others are undecided.
    Currency(String),
}

impl Limit {
    /// `500000 bbl`, `1000000 USD`, `3`.
    pub fn text(&self) -> String {
        // For people: at most three decimals (totals converted between
        // units can carry many); comparisons use the exact amount.
        let amount = super::group_thousands(&self.amount.round_dp(3));
        match &self.unit {
            LimitUnit::Plain => amount,
            LimitUnit::Measure(u) => format!("{amount} {}", u.code),
            LimitUnit::Currency(c) => format!("{amount} {c}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn windows_parse() {
        assert_eq!(Window::parse("calendar year"), Ok(Window::Year));
        assert_eq!(Window::parse("Quarter"), Ok(Window::Quarter));
        assert_eq!(Window::parse(" rolling  30 days "), Ok(Window::Rolling(30)));
        assert_eq!(Window::parse("2017-10-01..2017-12-31"), Ok(Window::Period(d("2017-10-01"), d("2017-12-31"))));
        assert!(Window::parse("rolling 0 days").is_err());
        assert!(Window::parse("2017-12-31..2017-10-01").is_err());
        assert!(Window::parse("fortnight").is_err());
    }

    #[test]
    fn calendar_edges() {
        assert_eq!(Window::Year.bounds(d("2018-12-31")), Some((d("2018-01-01"), d("2018-12-31"))));
        assert_eq!(Window::Year.label(d("2019-01-01")), "2019");
        assert_eq!(Window::Quarter.bounds(d("2020-02-29")), Some((d("2020-01-01"), d("2020-03-31"))));
        assert_eq!(Window::Quarter.label(d("2020-12-31")), "2020-Q4");
        assert_eq!(Window::Month.bounds(d("2024-02-10")), Some((d("2024-02-01"), d("2024-02-29"))));
        assert_eq!(Window::Month.bounds(d("2023-02-10")), Some((d("2023-02-01"), d("2023-02-28"))));
        assert_eq!(Window::Month.label(d("2023-02-10")), "2023-02");
    }

    #[test]
    fn rolling_windows_count_days_across_a_leap_day() {
        // 30 days ending 2024-03-15 start 2024-02-15 (2024-02-29 exists).
        assert_eq!(Window::Rolling(30).bounds(d("2024-03-15")), Some((d("2024-02-15"), d("2024-03-15"))));
        assert_eq!(Window::Rolling(30).bounds(d("2023-03-15")), Some((d("2023-02-14"), d("2023-03-15"))));
        assert_eq!(Window::Rolling(1).bounds(d("2023-03-15")), Some((d("2023-03-15"), d("2023-03-15"))));
    }

    #[test]
    fn twelve_month_periods_run_from_their_first_day() {
        let w = Window::parse("12 months from 2017-12-22").unwrap();
        assert_eq!(w.bounds(d("2017-12-21")), None);
        assert_eq!(w.bounds(d("2017-12-22")), Some((d("2017-12-22"), d("2018-12-21"))));
        assert_eq!(w.bounds(d("2018-12-21")), Some((d("2017-12-22"), d("2018-12-21"))));
        assert_eq!(w.bounds(d("2018-12-22")), Some((d("2018-12-22"), d("2019-12-21"))));
        assert_eq!(w.bounds(d("2019-06-01")), Some((d("2018-12-22"), d("2019-12-21"))));
        assert_eq!(w.label(d("2019-06-01")), "2018-12-22..2019-12-21");
    }

    #[test]
    fn fixed_periods_hold_only_their_days() {
        let w = Window::Period(d("2017-10-01"), d("2017-12-31"));
        assert_eq!(w.bounds(d("2017-09-30")), None);
        assert!(w.bounds(d("2017-10-01")).is_some() && w.bounds(d("2017-12-31")).is_some());
        assert_eq!(w.bounds(d("2018-01-01")), None);
    }
}
