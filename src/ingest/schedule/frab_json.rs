//! frab/pretalx schedule JSON of the c3voc schema: `{"schedule": {"conference": {"days": [{"rooms": {name: [event …]}}]}}}`.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::Value;

use super::when::{self, Moment, Zone};
use super::{finish, Entry, EventInfo, Options};
use crate::ingest::IngestError;
use crate::talk::{Link, Speaker, Talk};

#[derive(Deserialize)]
struct Root {
    schedule: Schedule,
}

#[derive(Deserialize)]
struct Schedule {
    #[serde(default)]
    base_url: Option<String>,
    conference: Conference,
}

#[derive(Deserialize)]
struct Conference {
    #[serde(default)]
    title: String,
    #[serde(default)]
    start: Option<String>,
    #[serde(default)]
    time_zone_name: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    days: Vec<Day>,
}

#[derive(Deserialize)]
struct Day {
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    day_start: Option<String>,
    /// Room name → its events, in the file's order of rooms sorted by name (the order of talks
    /// does not matter; ids do not depend on it unless two share a title).
    #[serde(default)]
    rooms: BTreeMap<String, Vec<JsonEvent>>,
}

#[derive(Deserialize)]
struct JsonEvent {
    #[serde(default)]
    id: Value,
    #[serde(default)]
    guid: Option<String>,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    start: Option<String>,
    #[serde(default)]
    duration: Option<String>,
    #[serde(default)]
    room: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    subtitle: Option<String>,
    #[serde(default)]
    track: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    language: Option<String>,
    #[serde(default, rename = "abstract")]
    abstract_text: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    persons: Vec<Person>,
    #[serde(default)]
    links: Vec<Value>,
}

#[derive(Deserialize)]
struct Person {
    #[serde(default)]
    public_name: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    full_public_name: Option<String>,
    #[serde(default)]
    biography: Option<String>,
}

/// Whether `text` holds `schedule.conference` (checked by reading the JSON, not by its words).
pub fn is_schedule(text: &str) -> bool {
    #[derive(Deserialize)]
    struct Probe {
        #[allow(dead_code)]
        schedule: ProbeSchedule,
    }
    #[derive(Deserialize)]
    struct ProbeSchedule {
        #[allow(dead_code)]
        conference: serde::de::IgnoredAny,
    }
    serde_json::from_str::<Probe>(text).is_ok()
}

/// Reads a c3voc schedule. A JSON error names its line and column.
pub fn parse(text: &str, source: &str, options: &Options) -> Result<Vec<Talk>, IngestError> {
    let root: Root = serde_json::from_str(text).map_err(|e| IngestError::Json(e.to_string()))?;
    let c = root.schedule.conference;
    if c.title.trim().is_empty() {
        return Err(IngestError::Invalid("frab JSON without a conference title".into()));
    }
    // The zone: the file's name for it, else the user's, else the offset its days start with
    // (rC3 writes only `+01:00`), so that times computed from a clock get one too.
    let day_offset = || {
        let start = c.days.iter().find_map(|d| d.day_start.as_deref().and_then(|s| Moment::parse(s, None)))?;
        start.offset.map(Zone::Offset)
    };
    let zone = c.time_zone_name.as_deref().and_then(Zone::parse).or(options.timezone).or_else(day_offset);
    let mut entries = Vec::new();
    for day in &c.days {
        let date = day.date.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        let day_change = day.day_start.as_deref().and_then(|s| Moment::parse(s, None)).map(|m| m.local.time());
        for (room, events) in &day.rooms {
            for e in events {
                entries.push(entry(e, room, date, day_change, zone));
            }
        }
    }
    let info = EventInfo {
        title: c.title,
        date: c.start.as_deref().and_then(|d| d.get(..10)).map(str::to_string),
        url: c.url.or(root.schedule.base_url),
        zone: zone.or_else(|| first_offset(&entries)),
        ..EventInfo::default()
    };
    Ok(finish(&info, entries, source))
}

/// The offset the times carry when the file names no zone (rC3: only `+01:00` in each date).
fn first_offset(entries: &[Entry]) -> Option<Zone> {
    entries.iter().find_map(|e| e.start?.offset).map(Zone::Offset)
}

fn entry(
    e: &JsonEvent,
    room: &str,
    day: Option<NaiveDate>,
    day_change: Option<chrono::NaiveTime>,
    zone: Option<Zone>,
) -> Entry {
    let start = e.date.as_deref().and_then(|d| Moment::parse(d, zone)).or_else(|| {
        let clock = when::clock(e.start.as_deref()?)?;
        Some(Moment::at(when::on_day(day?, clock, day_change), zone))
    });
    let end = start.zip(e.duration.as_deref().and_then(when::duration)).map(|(s, length)| s.plus(length));
    let speakers = e
        .persons
        .iter()
        .map(|p| Speaker {
            name: p
                .public_name
                .clone()
                .or_else(|| p.full_public_name.clone())
                .or_else(|| p.name.clone())
                .unwrap_or_default(),
            bio: p.biography.clone(),
            ..Speaker::default()
        })
        .collect();
    let links = e
        .links
        .iter()
        .filter_map(|l| match l {
            Value::String(url) => Some(Link { url: url.clone(), title: String::new() }),
            Value::Object(o) => Some(Link {
                url: o.get("url").and_then(Value::as_str)?.to_string(),
                title: o.get("title").and_then(Value::as_str).unwrap_or_default().to_string(),
            }),
            _ => None,
        })
        .collect();
    let key = e.guid.clone().unwrap_or_else(|| match &e.id {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    });
    Entry {
        title: e.title.clone().unwrap_or_default(),
        texts: [&e.subtitle, &e.abstract_text, &e.description].into_iter().flatten().cloned().collect(),
        speakers,
        start,
        end,
        room: e.room.clone().or_else(|| Some(room.to_string())),
        track: e.track.clone(),
        language: e.language.clone(),
        url: e.url.clone(),
        links,
        key,
        kind: e.kind.clone(),
        ..Entry::default()
    }
}
