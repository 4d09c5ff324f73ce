//! frab/pentabarf schedule XML (FOSDEM, CCC …), read as a stream: the current flavour (events in `<room name>` inside `<day>`) and the older one (events directly in `<day>`).

use std::borrow::Cow;

use chrono::NaiveDate;
use quick_xml::events::{BytesStart, Event as Xml};
use quick_xml::Reader;

use super::when::{self, Moment, Zone};
use super::{finish, Entry, EventInfo, Options};
use crate::ingest::IngestError;
use crate::talk::{Link, Speaker, Talk};

/// Whether `text` is a `<schedule>` document: its root element, after the prolog and comments.
pub fn is_schedule(text: &str) -> bool {
    let mut reader = Reader::from_str(text);
    loop {
        match reader.read_event() {
            Ok(Xml::Start(e)) | Ok(Xml::Empty(e)) => return e.local_name().as_ref() == b"schedule",
            Ok(Xml::Eof) | Err(_) => return false,
            Ok(_) => {}
        }
    }
}

/// What is known of the conference when its days begin.
#[derive(Default)]
struct Conference {
    info: EventInfo,
    day_change: Option<chrono::NaiveTime>,
}

/// One `<event>` while it is read.
#[derive(Default)]
struct Draft {
    id: String,
    fields: Vec<(&'static str, String)>,
    persons: Vec<(String, String)>,
    links: Vec<Link>,
}

impl Draft {
    fn get(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(n, _)| *n == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
    }
}

/// The event fields kept (others, like `feedback_url` or `recording`, are passed over).
const EVENT_FIELDS: [&str; 13] = [
    "date",
    "start",
    "duration",
    "room",
    "slug",
    "url",
    "title",
    "subtitle",
    "track",
    "type",
    "language",
    "abstract",
    "description",
];

/// Reads a frab schedule. Malformed XML is an error naming the byte where it went wrong.
pub fn parse(text: &str, source: &str, options: &Options) -> Result<Vec<Talk>, IngestError> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<String> = Vec::new();
    let mut buffer = String::new();
    // The file's zone (`time_zone_name`) wins over the one the user gives for files without one.
    let mut conference =
        Conference { info: EventInfo { zone: options.timezone, ..EventInfo::default() }, ..Conference::default() };
    let mut day: Option<NaiveDate> = None;
    let mut room: Option<String> = None;
    let mut draft: Option<Draft> = None;
    let mut pending_href: Option<String> = None;
    let mut pending_person: Option<String> = None;
    let mut entries = Vec::new();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| IngestError::Invalid(format!("malformed XML at byte {}: {e}", reader.error_position())))?;
        match event {
            Xml::Start(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                buffer.clear();
                match (stack.last().map(String::as_str), name.as_str()) {
                    (Some("schedule"), "day") => {
                        day = attr(&e, "date").and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok());
                        room = None;
                    }
                    (Some("day"), "room") => room = attr(&e, "name"),
                    (Some("day" | "room"), "event") => {
                        draft = Some(Draft {
                            id: attr(&e, "guid").or_else(|| attr(&e, "id")).unwrap_or_default(),
                            ..Draft::default()
                        })
                    }
                    (Some("persons"), "person") => pending_person = Some(attr(&e, "id").unwrap_or_default()),
                    (Some("links" | "attachments"), "link" | "attachment") => pending_href = attr(&e, "href"),
                    _ => {}
                }
                stack.push(name);
            }
            Xml::Empty(_) => {}
            Xml::Text(t) => {
                let text = t.unescape().unwrap_or_else(|_| Cow::Owned(String::from_utf8_lossy(&t).into_owned()));
                buffer.push_str(&text);
            }
            Xml::CData(c) => buffer.push_str(&String::from_utf8_lossy(&c)),
            Xml::End(_) => {
                let Some(name) = stack.pop() else { continue };
                let parent = stack.last().map(String::as_str);
                let value = std::mem::take(&mut buffer);
                match (parent, name.as_str()) {
                    (Some("conference"), field) => conference_field(&mut conference, field, value),
                    (Some("event"), field) => {
                        if let (Some(d), Some(field)) = (draft.as_mut(), EVENT_FIELDS.iter().find(|f| **f == field)) {
                            d.fields.push((field, value));
                        }
                    }
                    (Some("persons"), "person") => {
                        if let Some(d) = draft.as_mut() {
                            d.persons.push((pending_person.take().unwrap_or_default(), value));
                        }
                    }
                    (Some("links" | "attachments"), "link" | "attachment") => {
                        if let (Some(d), Some(url)) = (draft.as_mut(), pending_href.take()) {
                            d.links.push(Link { url, title: value.trim().to_string() });
                        }
                    }
                    (Some("day" | "room"), "event") => {
                        if let Some(d) = draft.take() {
                            entries.push(entry(d, day, room.as_deref(), &conference));
                        }
                    }
                    _ => {}
                }
            }
            Xml::Eof => break,
            _ => {}
        }
    }
    if conference.info.zone.is_none() {
        conference.info.zone = entries.iter().find_map(|e: &Entry| e.start?.offset).map(Zone::Offset);
    }
    if conference.info.title.trim().is_empty() {
        return Err(IngestError::Invalid("frab XML without a conference title".into()));
    }
    Ok(finish(&conference.info, entries, source))
}

fn conference_field(conference: &mut Conference, field: &str, value: String) {
    let value = value.trim().to_string();
    let info = &mut conference.info;
    match field {
        "title" => info.title = value,
        "start" => info.date = NaiveDate::parse_from_str(&value, "%Y-%m-%d").ok().map(|d| d.to_string()),
        "city" => info.location = Some(value),
        "venue" if info.location.is_none() => info.location = Some(value),
        "base_url" => info.url = Some(value),
        "time_zone_name" => info.zone = Zone::parse(&value).or(info.zone),
        "day_change" => conference.day_change = when::clock(&value),
        _ => {}
    }
}

/// The attribute `name` of `e`, unescaped.
fn attr(e: &BytesStart, name: &str) -> Option<String> {
    let a = e.try_get_attribute(name).ok()??;
    Some(a.unescape_value().map(Cow::into_owned).unwrap_or_else(|_| String::from_utf8_lossy(&a.value).into_owned()))
}

/// An `<event>` as an entry: the start from `<date>` when given (with its offset), else from the
/// day and `<start>` with the day change applied; the end from `<duration>`.
fn entry(d: Draft, day: Option<NaiveDate>, room: Option<&str>, conference: &Conference) -> Entry {
    let zone = conference.info.zone;
    let start = d.get("date").and_then(|date| Moment::parse(date, zone)).or_else(|| {
        let clock = when::clock(d.get("start")?)?;
        Some(Moment::at(when::on_day(day?, clock, conference.day_change), zone))
    });
    let end = start.zip(d.get("duration").and_then(when::duration)).map(|(s, length)| s.plus(length));
    let speakers = d.persons.iter().map(|(_, name)| Speaker { name: name.clone(), ..Speaker::default() }).collect();
    Entry {
        title: d.get("title").unwrap_or_default().to_string(),
        texts: ["subtitle", "abstract", "description"].iter().filter_map(|f| d.get(f)).map(str::to_string).collect(),
        speakers,
        start,
        end,
        room: d.get("room").or(room).map(str::to_string),
        track: d.get("track").map(str::to_string),
        language: d.get("language").map(str::to_string),
        url: d.get("url").map(str::to_string),
        kind: d.get("type").map(str::to_string),
        key: if d.id.is_empty() { d.get("slug").unwrap_or_default().to_string() } else { d.id.clone() },
        links: d.links,
        ..Entry::default()
    }
}
