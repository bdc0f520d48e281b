//! Calendar dates (proleptic Gregorian, no time zone) as rules and profiles
//! use them: `YYYY-MM-DD` in files, ordered, with the quarter and month
//! arithmetic that periodic duties need. No clock is ever read: the as-of
//! date is always the caller's.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::PolicyError;

/// A calendar date. Ordered chronologically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

/// Days in `month` of `year`.
#[must_use]
pub const fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 {
                29
            } else {
                28
            }
        }
    }
}

impl Date {
    /// A date, checked: year 1..=9999, month 1..=12, day within the month.
    ///
    /// # Errors
    /// [`PolicyError::InvalidDate`] naming the value.
    pub fn new(year: i32, month: u8, day: u8) -> Result<Date, PolicyError> {
        if !(1..=9999).contains(&year)
            || !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
        {
            return Err(PolicyError::InvalidDate {
                value: format!("{year:04}-{month:02}-{day:02}"),
            });
        }
        Ok(Date { year, month, day })
    }

    /// The year.
    #[must_use]
    pub const fn year(self) -> i32 {
        self.year
    }
    /// The month, 1–12.
    #[must_use]
    pub const fn month(self) -> u8 {
        self.month
    }
    /// The day of the month, 1–31.
    #[must_use]
    pub const fn day(self) -> u8 {
        self.day
    }
    /// The quarter, 1–4.
    #[must_use]
    pub const fn quarter(self) -> u8 {
        (self.month - 1) / 3 + 1
    }
    /// The last day of this date's month.
    #[must_use]
    pub const fn end_of_month(self) -> Date {
        Date {
            year: self.year,
            month: self.month,
            day: days_in_month(self.year, self.month),
        }
    }
    /// The first day of the month `n` months after this date's month
    /// (saturating at year 9999).
    #[must_use]
    pub const fn first_of_month_plus(self, n: u32) -> Date {
        let idx = self.year as i64 * 12 + (self.month as i64 - 1) + n as i64;
        let idx = if idx > 9999 * 12 + 11 {
            9999 * 12 + 11
        } else {
            idx
        };
        Date {
            year: (idx / 12) as i32,
            month: (idx % 12) as u8 + 1,
            day: 1,
        }
    }
    /// The first day of `month` (clamped to 1–12) in this date's year.
    #[must_use]
    pub const fn first_of(self, month: u8) -> Date {
        let month = if month < 1 {
            1
        } else if month > 12 {
            12
        } else {
            month
        };
        Date {
            year: self.year,
            month,
            day: 1,
        }
    }
    /// The day before (saturating at 0001-01-01).
    #[must_use]
    pub const fn pred(self) -> Date {
        if self.day > 1 {
            Date {
                day: self.day - 1,
                ..self
            }
        } else if self.month > 1 {
            Date {
                year: self.year,
                month: self.month - 1,
                day: days_in_month(self.year, self.month - 1),
            }
        } else if self.year > 1 {
            Date {
                year: self.year - 1,
                month: 12,
                day: 31,
            }
        } else {
            self
        }
    }
    /// The day after (saturating at 9999-12-31).
    #[must_use]
    pub const fn succ(self) -> Date {
        if self.day < days_in_month(self.year, self.month) {
            Date {
                day: self.day + 1,
                ..self
            }
        } else if self.month < 12 {
            Date {
                year: self.year,
                month: self.month + 1,
                day: 1,
            }
        } else if self.year < 9999 {
            Date {
                year: self.year + 1,
                month: 1,
                day: 1,
            }
        } else {
            self
        }
    }
    /// The date `days` after 1970-01-01 (negative: before), clamped to
    /// years 1–9999. Callers pass a clock reading; the library reads none.
    #[must_use]
    pub fn from_unix_days(days: i64) -> Date {
        // Howard Hinnant's civil_from_days.
        let z = days.clamp(-719_162, 2_932_896) + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// `YYYYMMDD`, as iCalendar writes a DATE.
    #[must_use]
    pub fn basic(self) -> String {
        format!("{:04}{:02}{:02}", self.year, self.month, self.day)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for Date {
    type Err = PolicyError;
    /// Parses `YYYY-MM-DD` exactly.
    fn from_str(s: &str) -> Result<Date, PolicyError> {
        let bad = || PolicyError::InvalidDate {
            value: s.to_owned(),
        };
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(bad());
        }
        let num = |r: std::ops::Range<usize>| -> Result<u32, PolicyError> {
            let part = s.get(r).ok_or_else(bad)?;
            if !part.bytes().all(|c| c.is_ascii_digit()) {
                return Err(bad());
            }
            part.parse().map_err(|_| bad())
        };
        let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        Date::new(y as i32, m as u8, d as u8).map_err(|_| bad())
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = Cow::<'de, str>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Date {
    fn schema_name() -> Cow<'static, str> {
        "Date".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "format": "date",
            "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
            "description": "A calendar date, YYYY-MM-DD."
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_prints_and_steps() {
        let d: Date = "2024-02-29".parse().unwrap();
        assert_eq!(d.to_string(), "2024-02-29");
        assert_eq!(d.succ().to_string(), "2024-03-01");
        assert_eq!(d.succ().pred(), d);
        assert!("2023-02-29".parse::<Date>().is_err());
        assert!("2024-2-1".parse::<Date>().is_err());
        assert!("2024-13-01".parse::<Date>().is_err());
        assert!("+024-01-01".parse::<Date>().is_err());
        assert_eq!(d.quarter(), 1);
        assert_eq!(d.first_of_month_plus(11).to_string(), "2025-01-01");
        assert_eq!(
            "2024-12-31".parse::<Date>().unwrap().succ().to_string(),
            "2025-01-01"
        );
        assert_eq!(d.basic(), "20240229");
        assert_eq!(Date::from_unix_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_unix_days(19_782).to_string(), "2024-02-29");
        assert_eq!(Date::from_unix_days(i64::MIN).to_string(), "0001-01-01");
        assert_eq!(Date::from_unix_days(i64::MAX).to_string(), "9999-12-31");
    }
}
