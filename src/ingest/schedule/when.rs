//! Times in schedules: the event's zone (a name, an offset or none), clock times, durations, and the day change after midnight.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone};
use chrono_tz::Tz;

/// An event's time zone: an IANA name (`Europe/Brussels`) or a fixed offset (`+01:00`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    Named(Tz),
    Offset(FixedOffset),
}

impl Zone {
    /// `Europe/Brussels`, `UTC`, `+01:00`, `+0800`, `-05:00`; `None` for anything else.
    pub fn parse(text: &str) -> Option<Zone> {
        let text = text.trim();
        if let Ok(tz) = text.parse::<Tz>() {
            return Some(Zone::Named(tz));
        }
        let (sign, rest) = match text.as_bytes().first()? {
            b'+' => (1, &text[1..]),
            b'-' => (-1, &text[1..]),
            _ => return None,
        };
        let digits: String = rest.chars().filter(|c| *c != ':').collect();
        if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let (h, m): (i32, i32) = (digits[..2].parse().ok()?, digits[2..].parse().ok()?);
        FixedOffset::east_opt(sign * (h * 3600 + m * 60)).map(Zone::Offset)
    }

    /// The name a talk records: the IANA name, or the offset as `+01:00`.
    pub fn name(&self) -> String {
        match self {
            Zone::Named(tz) => tz.name().to_string(),
            Zone::Offset(offset) => offset.to_string(),
        }
    }

    /// The offset this zone has at the local time `local` (the earlier one in a repeated hour).
    fn offset_at(&self, local: NaiveDateTime) -> Option<FixedOffset> {
        match self {
            Zone::Named(tz) => tz.offset_from_local_datetime(&local).earliest().map(|o| o.fix()),
            Zone::Offset(offset) => Some(*offset),
        }
    }

    /// `instant` as local time in this zone.
    fn local(&self, instant: DateTime<FixedOffset>) -> (NaiveDateTime, FixedOffset) {
        match self {
            Zone::Named(tz) => {
                let there = instant.with_timezone(tz);
                (there.naive_local(), there.offset().fix())
            }
            Zone::Offset(offset) => (instant.with_timezone(offset).naive_local(), *offset),
        }
    }
}

/// A moment of a schedule: its local date and time, and the offset when the zone is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment {
    pub local: NaiveDateTime,
    pub offset: Option<FixedOffset>,
}

impl Moment {
    /// The local time `local` in `zone` (a floating time without one).
    pub fn at(local: NaiveDateTime, zone: Option<Zone>) -> Moment {
        Moment { local, offset: zone.and_then(|z| z.offset_at(local)) }
    }

    /// A written date-time: with an offset (`2025-02-01T09:30:00+01:00`, then shown in `zone` when
    /// one is named) or local (`2021-04-16T08:00:00`, `2020-12-04T15:30`, `2021-04-16 08:00`).
    pub fn parse(text: &str, zone: Option<Zone>) -> Option<Moment> {
        let text = text.trim();
        if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
            return Some(match zone {
                Some(zone) => {
                    let (local, offset) = zone.local(instant);
                    Moment { local, offset: Some(offset) }
                }
                None => Moment { local: instant.naive_local(), offset: Some(*instant.offset()) },
            });
        }
        const LOCAL: [&str; 4] = ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"];
        LOCAL.iter().find_map(|f| NaiveDateTime::parse_from_str(text, f).ok()).map(|local| Moment::at(local, zone))
    }

    /// ISO 8601: `2025-02-01T09:30:00+01:00`, or without the offset when the zone is not known.
    pub fn iso(&self) -> String {
        match self.offset {
            Some(offset) => {
                offset.from_local_datetime(&self.local).single().map(|d| d.to_rfc3339()).unwrap_or_default()
            }
            None => self.local.format("%Y-%m-%dT%H:%M:%S").to_string(),
        }
    }

    pub fn date(&self) -> NaiveDate {
        self.local.date()
    }

    /// `duration` later, in the same offset (itself at the end of the calendar).
    pub fn plus(&self, duration: Duration) -> Moment {
        Moment { local: self.local.checked_add_signed(duration).unwrap_or(self.local), offset: self.offset }
    }
}

/// `09:30 - 09:50` (the slot as the pages show it), or just the start.
pub fn slot(start: &Moment, end: Option<&Moment>) -> String {
    match end {
        Some(end) => format!("{} - {}", start.local.format("%H:%M"), end.local.format("%H:%M")),
        None => start.local.format("%H:%M").to_string(),
    }
}

/// `09:30`, `9:30`, `09:30:00`.
pub fn clock(text: &str) -> Option<NaiveTime> {
    let text = text.trim();
    NaiveTime::parse_from_str(text, "%H:%M:%S").or_else(|_| NaiveTime::parse_from_str(text, "%H:%M")).ok()
}

/// `00:20`, `01:30`, `0:45:00` (hours, minutes, optional seconds), or whole minutes (`45`).
pub fn duration(text: &str) -> Option<Duration> {
    // Parts beyond a year's worth are nonsense, and bounding them keeps the sums from overflowing.
    let parts: Vec<i64> =
        text.trim().split(':').map(|p| p.parse().ok().filter(|n| (0..=600_000).contains(n))).collect::<Option<_>>()?;
    match parts[..] {
        [minutes] => Duration::try_minutes(minutes),
        [h, m] => Duration::try_minutes(h * 60 + m),
        [h, m, s] => Duration::try_seconds(h * 3600 + m * 60 + s),
        _ => None,
    }
}

/// The local date-time of a slot that starts at `start` on the schedule day `day`: a schedule day
/// runs from its day change (`09:00`, `04:00`) to the next one, so a start before the day change
/// is on the next calendar day.
pub fn on_day(day: NaiveDate, start: NaiveTime, day_change: Option<NaiveTime>) -> NaiveDateTime {
    let day = match day_change {
        Some(change) if start < change => day.succ_opt().unwrap_or(day),
        _ => day,
    };
    day.and_time(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn zones_offsets_and_floating_times() {
        let brussels = Zone::parse("Europe/Brussels");
        assert_eq!(Moment::parse("2025-02-01T09:30:00+01:00", brussels).unwrap().iso(), "2025-02-01T09:30:00+01:00");
        // The same instant written in UTC is shown in the event's zone.
        assert_eq!(Moment::parse("2025-02-01T08:30:00Z", brussels).unwrap().iso(), "2025-02-01T09:30:00+01:00");
        // Summer time comes from the zone's rules, not from a fixed offset.
        let vienna = Zone::parse("Europe/Vienna");
        assert_eq!(Moment::parse("2021-04-16T08:00:00", vienna).unwrap().iso(), "2021-04-16T08:00:00+02:00");
        assert_eq!(Moment::parse("2021-04-16T08:00:00", None).unwrap().iso(), "2021-04-16T08:00:00");
        assert_eq!(
            Moment::parse("2020-12-04T15:30", Zone::parse("+08:00")).unwrap().iso(),
            "2020-12-04T15:30:00+08:00"
        );
        assert_eq!(Zone::parse("+0800").map(|z| z.name()), Some("+08:00".into()));
        assert_eq!(Zone::parse("Mars/Olympus"), None);
    }

    #[test]
    fn a_start_before_the_day_change_is_on_the_next_calendar_day() {
        let change = clock("04:00:00");
        assert_eq!(on_day(date("2020-12-27"), clock("01:30").unwrap(), change).to_string(), "2020-12-28 01:30:00");
        assert_eq!(on_day(date("2020-12-27"), clock("23:30").unwrap(), change).to_string(), "2020-12-27 23:30:00");
        assert_eq!(
            on_day(date("2012-02-04"), clock("00:30").unwrap(), clock("00:00")).to_string(),
            "2012-02-04 00:30:00"
        );
        assert_eq!(duration("01:30"), Some(Duration::minutes(90)));
        assert_eq!(duration("0:45:00"), Some(Duration::minutes(45)));
        assert_eq!(duration("soon"), None);
        assert_eq!(duration("99999999999999:99"), None);
        let last = Moment { local: NaiveDateTime::MAX, offset: None };
        assert_eq!(last.plus(Duration::minutes(1)).local, NaiveDateTime::MAX, "no overflow at the end of the calendar");
    }
}
