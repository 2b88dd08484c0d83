//! Calendar dates, `YYYY-MM-DD`, validated (2017-02-30 is not a date).

use std::fmt;

/// A calendar date, stored as a day number so comparisons are integer ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date(i32);

impl Date {
    /// Parses `YYYY-MM-DD` strictly: four-digit year, two-digit month and day.
    pub fn parse(text: &str) -> Result<Date, String> {
        let t = text.trim();
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
}
