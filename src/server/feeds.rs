//! Talks to take along: an iCalendar file (RFC 5545) of talks with a date and time, and an Atom
//! feed (RFC 4287) of the newest talks of a search. Pure functions of talks; the handlers serve them.

use atom_syndication::{Entry, Feed, FixedDateTime, Link, Person, Text};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};
use icalendar::{Calendar, CalendarDateTime, Component, EventLike};
use std::collections::BTreeMap;

use crate::talk::Talk;

/// Characters of the abstract in an event's description or an entry's summary.
const SUMMARY_CHARS: usize = 500;

/// A moment of a talk, as a calendar writes it: in the event's named zone (`TZID`), in UTC when
/// only the offset is known, or floating (local time, as the schedule gave it) when neither is.
#[derive(Debug, Clone, PartialEq)]
enum When {
    Zoned(NaiveDateTime, Tz),
    Utc(DateTime<Utc>),
    Floating(NaiveDateTime),
}

impl When {
    /// `text` (a talk's `start` or `end`) in `zone` (its event's), if it is a date and time.
    fn parse(text: &str, zone: Option<Tz>) -> Option<When> {
        if let Ok(at) = DateTime::parse_from_rfc3339(text) {
            return Some(match zone {
                Some(tz) => When::Zoned(at.with_timezone(&tz).naive_local(), tz),
                None => When::Utc(at.with_timezone(&Utc)),
            });
        }
        let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
            .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M"))
            .ok()?;
        Some(match zone {
            Some(tz) => When::Zoned(local, tz),
            None => When::Floating(local),
        })
    }

    fn instant(&self) -> Option<DateTime<Utc>> {
        match self {
            When::Zoned(local, tz) => tz.from_local_datetime(local).earliest().map(|t| t.with_timezone(&Utc)),
            When::Utc(t) => Some(*t),
            When::Floating(_) => None,
        }
    }

    fn to_calendar(&self) -> CalendarDateTime {
        match self {
            When::Zoned(local, tz) => CalendarDateTime::WithTimezone { date_time: *local, tzid: tz.name().to_string() },
            When::Utc(t) => CalendarDateTime::Utc(*t),
            When::Floating(local) => CalendarDateTime::Floating(*local),
        }
    }
}

/// The zone a talk's times are in, when its event names one (`Europe/Brussels`).
fn zone_of(talk: &Talk) -> Option<Tz> {
    talk.event.timezone.as_deref().and_then(|z| z.parse::<Tz>().ok())
}

/// A calendar named `name` of the talks that have a start; the others are left out. Each talk is
/// one event, its UID made from its id so that a calendar re-read updates it rather than adding it
/// again. Every zone used is described by a `VTIMEZONE` with its offsets over the talks' span.
pub fn calendar(name: &str, talks: &[Talk]) -> String {
    let mut cal = Calendar::new();
    cal.name(name);
    let mut zones: BTreeMap<String, (Tz, DateTime<Utc>, DateTime<Utc>)> = BTreeMap::new();
    let mut events = Vec::new();
    for talk in talks {
        let zone = zone_of(talk);
        let Some(start) = talk.start.as_deref().and_then(|s| When::parse(s, zone)) else { continue };
        let end = talk.end.as_deref().and_then(|s| When::parse(s, zone));
        if let (Some(tz), Some(at)) = (zone, start.instant()) {
            let until = end.as_ref().and_then(When::instant).unwrap_or(at);
            let span = zones.entry(tz.name().to_string()).or_insert((tz, at, until));
            span.1 = span.1.min(at);
            span.2 = span.2.max(until);
        }
        let mut event = icalendar::Event::new();
        event.uid(&format!("{}@talksearch", talk.id)).summary(&talk.title).starts(start.to_calendar());
        if let Some(end) = end {
            event.ends(end.to_calendar());
        }
        event.description(&description(talk));
        let place: Vec<&str> = [talk.room.as_deref(), talk.event.location.as_deref()]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .collect();
        if !place.is_empty() {
            event.location(&place.join(", "));
        }
        if let Some(url) = talk.url.as_deref().filter(|u| u.starts_with("http://") || u.starts_with("https://")) {
            event.url(url);
        }
        event.add_property("CATEGORIES", talk.event.title.replace(',', " "));
        events.push(event.done());
    }
    for event in events {
        cal.push(event);
    }
    let text = cal.done().to_string();
    // The crate writes a DTSTAMP and a UID into every component it prints, which a VTIMEZONE must
    // not have: the zones are written here, before the first event.
    let zones: String = zones.values().map(|(tz, from, to)| vtimezone(*tz, *from, *to)).collect();
    let at = text.find("BEGIN:VEVENT\r\n").or_else(|| text.rfind("END:VCALENDAR")).unwrap_or(text.len());
    format!("{}{zones}{}", &text[..at], &text[at..])
}

/// What a calendar event says of a talk: its event, speakers, abstract (cut) and link.
fn description(talk: &Talk) -> String {
    let mut lines = vec![talk.event.title.clone()];
    let speakers: Vec<String> =
        talk.speakers.iter().map(|s| crate::talk::name_with_company(&s.name, s.company.as_deref())).collect();
    if !speakers.is_empty() {
        lines.push(speakers.join(", "));
    }
    if !talk.abstract_text.is_empty() {
        lines.push(cut(&talk.abstract_text, SUMMARY_CHARS));
    }
    lines.join("\n\n")
}

fn cut(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((at, _)) => format!("{}…", text[..at].trim_end()),
        None => text.to_string(),
    }
}

/// `+0100`, as a calendar writes an offset.
fn ical_offset(offset: FixedOffset) -> String {
    let secs = offset.local_minus_utc();
    let sign = if secs < 0 { '-' } else { '+' };
    let secs = secs.abs();
    format!("{sign}{:02}{:02}", secs / 3600, secs % 3600 / 60)
}

/// The `VTIMEZONE` of `tz` over `from`..`to`: its offset at `from`, and each change of offset in
/// between (found day by day, then to the minute), as observances.
fn vtimezone(tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    let at = |t: DateTime<Utc>| tz.offset_from_utc_datetime(&t.naive_utc());
    let observance = |t: DateTime<Utc>, before: FixedOffset| {
        let offset = at(t);
        let kind = if offset.dst_offset().is_zero() { "STANDARD" } else { "DAYLIGHT" };
        let local = t.with_timezone(&before).naive_local();
        let name = offset.abbreviation().map(|n| format!("TZNAME:{n}\r\n")).unwrap_or_default();
        format!(
            "BEGIN:{kind}\r\nDTSTART:{}\r\nTZOFFSETFROM:{}\r\nTZOFFSETTO:{}\r\n{name}END:{kind}\r\n",
            local.format("%Y%m%dT%H%M%S"),
            ical_offset(before),
            ical_offset(offset.fix()),
        )
    };
    let start = from - Duration::days(1);
    let first = at(start).fix();
    let mut text = format!("BEGIN:VTIMEZONE\r\nTZID:{}\r\n", tz.name());
    text.push_str(&observance(start, first));
    let (mut day, mut offset) = (start, first);
    while day < to {
        let next = day + Duration::days(1);
        let next_offset = at(next).fix();
        if next_offset != offset {
            // The change lies within (day, next]: find its minute.
            let (mut lo, mut hi) = (day, next);
            while hi - lo > Duration::minutes(1) {
                let mid = lo + (hi - lo) / 2;
                if at(mid).fix() == offset {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            // Offsets change on a whole minute, which is the one at or before `hi`.
            let change = DateTime::from_timestamp(hi.timestamp().div_euclid(60) * 60, 0).unwrap_or(hi);
            text.push_str(&observance(change, offset));
            offset = next_offset;
        }
        day = next;
    }
    text.push_str("END:VTIMEZONE\r\n");
    text
}

/// When a talk was given, for a feed: its start, else its event's date (at midnight UTC).
fn published(talk: &Talk) -> Option<FixedDateTime> {
    if let Some(start) = talk.start.as_deref() {
        if let Ok(t) = DateTime::parse_from_rfc3339(start) {
            return Some(t);
        }
    }
    let date = talk.event.date.as_deref().or(talk.start.as_deref())?;
    let day = NaiveDate::parse_from_str(date.get(..10)?, "%Y-%m-%d").ok()?;
    Some(Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0)?).fixed_offset())
}

/// An Atom feed titled `title`, with id `id`, of the talks that have a date (newest first, as
/// given). `base` is the site's address (`http://host`); each entry links the talk's view on the
/// page, and `self_path` is the feed's own path and query.
pub fn atom(title: &str, id: &str, base: &str, self_path: &str, page_path: &str, talks: &[Talk]) -> String {
    let mut entries = Vec::new();
    for talk in talks {
        let Some(when) = published(talk) else { continue };
        let mut entry = Entry::default();
        entry.set_id(format!("urn:talksearch:talk:{}", talk.id));
        entry.set_title(Text::plain(talk.title.clone()));
        entry.set_updated(when);
        entry.set_published(Some(when));
        entry.set_authors(
            talk.speakers
                .iter()
                .map(|s| {
                    let mut p = Person::default();
                    p.set_name(s.name.clone());
                    p
                })
                .collect::<Vec<_>>(),
        );
        let mut link = Link::default();
        link.set_href(format!("{base}/?talk={}", talk.id));
        link.set_rel("alternate");
        link.set_mime_type(Some("text/html".to_string()));
        entry.set_links(vec![link]);
        entry.set_summary(Some(Text::plain(description(talk))));
        entries.push(entry);
    }
    let mut feed = Feed::default();
    feed.set_title(Text::plain(title.to_string()));
    feed.set_id(id.to_string());
    let newest = entries.iter().map(|e| *e.updated()).max();
    feed.set_updated(newest.unwrap_or_else(|| Utc.timestamp_opt(0, 0).single().unwrap_or_default().fixed_offset()));
    let mut own = Link::default();
    own.set_href(format!("{base}{self_path}"));
    own.set_rel("self");
    own.set_mime_type(Some("application/atom+xml".to_string()));
    let mut page = Link::default();
    page.set_href(format!("{base}{page_path}"));
    page.set_rel("alternate");
    page.set_mime_type(Some("text/html".to_string()));
    feed.set_links(vec![own, page]);
    feed.set_entries(entries);
    let mut generator = atom_syndication::Generator::default();
    generator.set_value("talksearch");
    feed.set_generator(Some(generator));
    feed.to_string()
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;
    use crate::talk::{Event, Speaker};

    fn talk(id: &str, start: Option<&str>, end: Option<&str>, zone: Option<&str>) -> Talk {
        Talk {
            id: id.into(),
            title: format!("Talk {id}, with a comma; and <markup>"),
            speakers: vec![Speaker {
                name: "Ann Example".into(),
                company: Some("Contoso".into()),
                ..Speaker::default()
            }],
            abstract_text: "Ownership & borrowing.".into(),
            event: Event {
                title: "TestConf 2025".into(),
                date: Some("2025-02-01".into()),
                timezone: zone.map(str::to_string),
                ..Event::default()
            },
            start: start.map(str::to_string),
            end: end.map(str::to_string),
            room: Some("Janson".into()),
            ..Talk::default()
        }
    }

    #[test]
    fn times_keep_the_events_zone_else_utc_else_floating() {
        let brussels: Tz = "Europe/Brussels".parse().unwrap();
        let local = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").unwrap();
        assert_eq!(
            When::parse("2025-02-01T10:00:00+01:00", Some(brussels)),
            Some(When::Zoned(local("2025-02-01T10:00:00"), brussels))
        );
        assert_eq!(
            When::parse("2025-02-01T10:00:00+01:00", None),
            Some(When::Utc(Utc.with_ymd_and_hms(2025, 2, 1, 9, 0, 0).unwrap()))
        );
        assert_eq!(When::parse("2021-04-17T09:30:00", None), Some(When::Floating(local("2021-04-17T09:30:00"))));
        assert_eq!(When::parse("09:30 - 10:00", None), None);
    }

    #[test]
    fn a_calendar_has_the_talks_with_a_start_and_describes_their_zone() {
        let talks = [
            talk("a", Some("2025-02-01T10:00:00+01:00"), Some("2025-02-01T10:50:00+01:00"), Some("Europe/Brussels")),
            talk("b", None, None, None),
            talk("c", Some("2025-04-01T10:00:00+02:00"), None, Some("Europe/Brussels")),
        ];
        let text = calendar("TestConf", &talks);
        let parsed = Calendar::from_str(&text).expect("the calendar parses");
        let events: Vec<_> = parsed.events().collect();
        assert_eq!(events.len(), 2, "{text}");
        assert_eq!(events[0].get_uid(), Some("a@talksearch"));
        assert!(text.contains("DTSTART;TZID=Europe/Brussels:20250201T100000\r\n"), "{text}");
        assert!(text.contains("DTEND;TZID=Europe/Brussels:20250201T105000\r\n"), "{text}");
        assert!(text.contains("DTSTART;TZID=Europe/Brussels:20250401T100000\r\n"), "{text}");
        // One zone, with the change to summer time between the two talks.
        assert_eq!(text.matches("BEGIN:VTIMEZONE").count(), 1);
        let zone = &text[text.find("BEGIN:VTIMEZONE").unwrap()..text.find("END:VTIMEZONE").unwrap()];
        assert!(!zone.contains("UID:") && !zone.contains("DTSTAMP:"), "{zone}");
        assert!(text.contains("BEGIN:DAYLIGHT\r\nDTSTART:20250330T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n"), "{text}");
        assert!(
            text.contains("SUMMARY:Talk a\\, with a comma\\; and <markup>"),
            "text is escaped as RFC 5545 says: {text}"
        );
        assert!(text.contains("LOCATION:Janson"), "{text}");
    }

    #[test]
    fn an_atom_feed_lists_dated_talks_as_valid_xml() {
        let mut undated = talk("u", None, None, None);
        undated.event.date = None;
        let talks = [talk("a", Some("2025-02-01T10:00:00+01:00"), None, Some("Europe/Brussels")), undated];
        let xml = atom(
            "talksearch: rust",
            "urn:talksearch:search:x",
            "http://h",
            "/api/search.atom?q=rust",
            "/?q=rust",
            &talks,
        );
        let feed = Feed::from_str(&xml).expect("the feed parses");
        assert_eq!(feed.entries().len(), 1);
        let entry = &feed.entries()[0];
        assert_eq!(entry.id(), "urn:talksearch:talk:a");
        assert_eq!(entry.title().as_str(), "Talk a, with a comma; and <markup>");
        assert_eq!(entry.links()[0].href(), "http://h/?talk=a");
        assert_eq!(entry.updated().to_rfc3339(), "2025-02-01T10:00:00+01:00");
        assert!(xml.contains("&lt;markup&gt;"), "{xml}");
        assert_eq!(feed.links()[0].href(), "http://h/api/search.atom?q=rust");
    }
}
