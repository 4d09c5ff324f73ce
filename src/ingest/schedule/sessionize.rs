//! Sessionize "All" JSON: sessions that name their speakers, categories (track, language) and room by id.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use super::when::Moment;
use super::{company_from_affiliation, event_name_from_source, finish, language_code, Entry, EventInfo, Options};
use crate::ingest::IngestError;
use crate::talk::{Link, Speaker, Talk};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct All {
    sessions: Vec<Session>,
    #[serde(default)]
    speakers: Vec<SessionizeSpeaker>,
    #[serde(default)]
    categories: Vec<Category>,
    #[serde(default)]
    rooms: Vec<Room>,
    #[serde(default)]
    questions: Vec<Question>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Session {
    #[serde(default)]
    id: Value,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    starts_at: Option<String>,
    #[serde(default)]
    ends_at: Option<String>,
    #[serde(default)]
    is_service_session: bool,
    /// Speaker ids, or (other endpoints) `{id, name}` objects.
    #[serde(default)]
    speakers: Vec<Value>,
    #[serde(default)]
    category_items: Vec<Value>,
    #[serde(default)]
    question_answers: Vec<Answer>,
    #[serde(default)]
    room_id: Option<Value>,
    #[serde(default)]
    room: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionizeSpeaker {
    id: Value,
    #[serde(default)]
    full_name: Option<String>,
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
    #[serde(default)]
    bio: Option<String>,
    #[serde(default)]
    tag_line: Option<String>,
}

#[derive(Deserialize)]
struct Category {
    #[serde(default)]
    title: String,
    /// `items` in the "All" endpoint, `categoryItems` in others.
    #[serde(default, alias = "categoryItems")]
    items: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    id: Value,
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
struct Room {
    id: Value,
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
struct Question {
    id: Value,
    #[serde(default)]
    question: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Answer {
    question_id: Value,
    #[serde(default)]
    answer_value: Option<String>,
}

/// An id as a string, whether the file writes it as a number or a string.
fn id(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Reads a Sessionize export. Its times carry no zone: they are the event's local times, in the
/// zone the user gives (`--timezone`) when one is given. It names no event: the file name does.
pub fn parse(text: &str, source: &str, options: &Options) -> Result<Vec<Talk>, IngestError> {
    let all: All = serde_json::from_str(text).map_err(|e| IngestError::Json(e.to_string()))?;
    let speakers: HashMap<String, Speaker> = all
        .speakers
        .iter()
        .map(|s| {
            let name = s.full_name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| {
                format!("{} {}", s.first_name.as_deref().unwrap_or(""), s.last_name.as_deref().unwrap_or(""))
                    .trim()
                    .to_string()
            });
            let company = s.tag_line.as_deref().and_then(company_from_affiliation);
            (id(&s.id), Speaker { name, bio: s.bio.clone(), company, ..Speaker::default() })
        })
        .collect();
    // Category item id → (category title, item name).
    let items: HashMap<String, (String, String)> = all
        .categories
        .iter()
        .flat_map(|c| c.items.iter().map(move |i| (id(&i.id), (c.title.to_lowercase(), i.name.clone()))))
        .collect();
    let rooms: HashMap<String, String> = all.rooms.iter().map(|r| (id(&r.id), r.name.clone())).collect();
    let questions: HashMap<String, String> = all.questions.iter().map(|q| (id(&q.id), q.question.clone())).collect();
    let zone = options.timezone;
    let entries = all
        .sessions
        .iter()
        .map(|s| {
            let mut entry = Entry {
                title: s.title.clone().unwrap_or_default(),
                texts: s.description.iter().cloned().collect(),
                start: s.starts_at.as_deref().and_then(|t| Moment::parse(t, zone)),
                end: s.ends_at.as_deref().and_then(|t| Moment::parse(t, zone)),
                room: s.room.clone().or_else(|| s.room_id.as_ref().and_then(|r| rooms.get(&id(r)).cloned())),
                key: id(&s.id),
                not_a_talk: s.is_service_session,
                ..Entry::default()
            };
            for speaker in &s.speakers {
                let found = match speaker {
                    Value::Object(o) => o.get("id").and_then(|i| speakers.get(&id(i))).cloned().or_else(|| {
                        let name = o.get("name")?.as_str()?;
                        Some(Speaker { name: name.to_string(), ..Speaker::default() })
                    }),
                    other => speakers.get(&id(other)).cloned(),
                };
                entry.speakers.extend(found);
            }
            for (category, name) in s.category_items.iter().filter_map(|i| items.get(&id(i))) {
                if category.contains("language") || category.contains("sprache") {
                    entry.language = language_code(name).or(entry.language.take());
                } else if entry.track.is_none() && (category.contains("track") || category.contains("topic")) {
                    entry.track = Some(name.clone());
                }
            }
            for answer in &s.question_answers {
                let value = answer.answer_value.as_deref().unwrap_or("").trim();
                if value.starts_with("http://") || value.starts_with("https://") {
                    let title = questions.get(&id(&answer.question_id)).cloned().unwrap_or_default();
                    entry.links.push(Link { url: value.to_string(), title });
                }
            }
            entry.url = entry
                .links
                .iter()
                .find(|l| l.title.to_lowercase().contains("video") || l.url.contains("youtu"))
                .map(|l| l.url.clone());
            entry
        })
        .collect();
    let info = EventInfo { title: event_name_from_source(source), zone, ..EventInfo::default() };
    Ok(finish(&info, entries, source))
}
