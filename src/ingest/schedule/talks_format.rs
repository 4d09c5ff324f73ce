//! The project's own talk format: one talk's JSON a line (what `talksearch export` writes), or CSV with a header.
//!
//! A JSON line is a [`Talk`] as the API returns it; only `title` and `event` are required. `id`
//! is made from the event and title when absent, `language` detected, `event` may be just its
//! title, `speakers` may be names. CSV columns (by header name, any order, others ignored):
//! `title` and `event` required; `id`, `speakers` and `companies` (`;`-separated, in the same
//! order), `abstract`, `date` (the event's), `start`, `end`, `time`, `room`, `track`, `language`,
//! `url`, `location`, `timezone`.

use std::collections::HashSet;
use std::io::Write;

use serde_json::{Map, Value};

use crate::ingest::IngestError;
use crate::talk::{detect_language, fold_whitespace, Event, Speaker, Talk};

/// Whether the first line of `text` is a JSON object with a `title` and an `event`.
pub fn is_jsonl(text: &str) -> bool {
    let Some(line) = text.lines().map(str::trim).find(|l| !l.is_empty()) else { return false };
    serde_json::from_str::<Map<String, Value>>(line).is_ok_and(|o| o.contains_key("title") && o.contains_key("event"))
}

/// Whether the first line of `text` is a CSV header with `title` and `event` columns.
pub fn is_csv(text: &str) -> bool {
    let first = text.lines().next().unwrap_or("");
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(first.as_bytes());
    let Some(Ok(record)) = reader.records().next() else { return false };
    let names: Vec<String> = record.iter().map(|h| h.trim().to_lowercase()).collect();
    names.iter().any(|n| n == "title") && names.iter().any(|n| n == "event")
}

/// Reads JSON lines. A line that is not a talk fails the file, naming the line.
pub fn parse_jsonl(text: &str, source: &str) -> Result<Vec<Talk>, IngestError> {
    let mut talks = Vec::new();
    let mut ids = HashSet::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let at = |e: String| IngestError::Invalid(format!("line {}: {e}", n + 1));
        let value: Value = serde_json::from_str(line).map_err(|e| at(format!("malformed JSON: {e}")))?;
        let Value::Object(object) = value else { return Err(at("not a JSON object".into())) };
        if let Some(talk) = talk_from_json(object, source, &mut ids).map_err(at)? {
            talks.push(talk);
        }
    }
    Ok(talks)
}

/// One talk from its JSON object, with what may be left out filled in; `None` without a title.
fn talk_from_json(mut o: Map<String, Value>, source: &str, ids: &mut HashSet<String>) -> Result<Option<Talk>, String> {
    let title = o.get("title").and_then(Value::as_str).map(fold_whitespace).unwrap_or_default();
    if title.is_empty() {
        return Ok(None);
    }
    let mut event = match o.remove("event") {
        Some(Value::String(name)) => Map::from_iter([("title".to_string(), Value::String(name))]),
        Some(Value::Object(event)) => event,
        _ => return Err("`event` must be the event's title or an object with one".into()),
    };
    event.entry("source").or_insert_with(|| Value::String(source.to_string()));
    if !event.get("title").is_some_and(Value::is_string) {
        return Err("the event has no title".into());
    }
    o.insert("event".into(), Value::Object(event));
    if let Some(Value::Array(speakers)) = o.get_mut("speakers") {
        for s in speakers.iter_mut() {
            if let Value::String(name) = s {
                *s = serde_json::json!({ "name": name });
            }
        }
    }
    o.entry("language").or_insert_with(|| Value::String(String::new()));
    o.entry("id").or_insert_with(|| Value::String(String::new()));
    let mut talk: Talk = serde_json::from_value(Value::Object(o)).map_err(|e| e.to_string())?;
    complete(&mut talk, ids);
    Ok(Some(talk))
}

/// Fills the id and language a record left out.
fn complete(talk: &mut Talk, ids: &mut HashSet<String>) {
    if talk.id.trim().is_empty() {
        talk.id = Talk::make_id(&talk.event.title, &talk.title, "");
        // A second talk with the same event and title is told apart by where it comes in the file.
        let mut n = 1;
        while ids.contains(&talk.id) {
            n += 1;
            talk.id = Talk::make_id(&talk.event.title, &talk.title, &n.to_string());
        }
    }
    ids.insert(talk.id.clone());
    if talk.language.trim().is_empty() {
        talk.language = detect_language(&format!("{} {}", talk.title, talk.abstract_text)).to_string();
    }
}

/// Reads CSV with a header. A row that does not read fails the file, naming the row.
pub fn parse_csv(text: &str, source: &str) -> Result<Vec<Talk>, IngestError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| IngestError::Invalid(format!("CSV header: {e}")))?
        .iter()
        .map(|h| h.to_lowercase())
        .collect();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(title_at), Some(event_at)) = (column("title"), column("event")) else {
        return Err(IngestError::Invalid("CSV without `title` and `event` columns".into()));
    };
    let mut talks = Vec::new();
    let mut ids = HashSet::new();
    for (n, record) in reader.records().enumerate() {
        let record = record.map_err(|e| IngestError::Invalid(format!("CSV row {}: {e}", n + 2)))?;
        let get = |name: &str| {
            column(name).and_then(|i| record.get(i)).map(str::trim).filter(|v| !v.is_empty()).map(str::to_string)
        };
        let title = fold_whitespace(record.get(title_at).unwrap_or(""));
        let event_title = fold_whitespace(record.get(event_at).unwrap_or(""));
        if title.is_empty() {
            continue;
        }
        if event_title.is_empty() {
            return Err(IngestError::Invalid(format!("CSV row {}: no event", n + 2)));
        }
        let names = split_list(get("speakers").as_deref());
        let companies = split_list(get("companies").as_deref());
        let speakers = names
            .into_iter()
            .enumerate()
            .map(|(i, name)| Speaker { name, company: companies.get(i).cloned(), ..Speaker::default() })
            .collect();
        let mut talk = Talk {
            id: get("id").unwrap_or_default(),
            title,
            time: get("time"),
            speakers,
            abstract_text: get("abstract").unwrap_or_default(),
            language: get("language").unwrap_or_default(),
            url: get("url"),
            event: Event {
                title: event_title,
                date: get("date"),
                location: get("location"),
                source: source.to_string(),
                timezone: get("timezone"),
                ..Event::default()
            },
            start: get("start"),
            end: get("end"),
            room: get("room"),
            track: get("track"),
            ..Talk::default()
        };
        complete(&mut talk, &mut ids);
        talks.push(talk);
    }
    Ok(talks)
}

/// `Ann; Bo` → `[Ann, Bo]`.
fn split_list(text: Option<&str>) -> Vec<String> {
    text.unwrap_or("").split(';').map(fold_whitespace).filter(|s| !s.is_empty()).collect()
}

/// Writes `talk` as one JSON line: the format [`parse_jsonl`] reads.
pub fn write_jsonl(out: &mut impl Write, talk: &Talk) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, talk)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonl_fills_what_is_left_out_and_names_bad_lines() {
        let text = concat!(
            r#"{"title": "服务网格实践", "event": "Meetup 2024", "speakers": ["张三"]}"#,
            "\n\n",
            r#"{"id": "abc", "title": "Fast Python", "event": {"title": "PyCon", "date": "2024-05-01", "source": "orig.md"}, "language": "en"}"#,
            "\n"
        );
        let talks = parse_jsonl(text, "talks.jsonl").unwrap();
        assert_eq!(talks.len(), 2);
        assert_eq!(talks[0].id, Talk::make_id("Meetup 2024", "服务网格实践", ""));
        assert_eq!((talks[0].language.as_str(), talks[0].speakers[0].name.as_str()), ("zh", "张三"));
        assert_eq!(talks[0].event.source, "talks.jsonl");
        assert_eq!((talks[1].id.as_str(), talks[1].event.source.as_str()), ("abc", "orig.md"));
        let err = parse_jsonl("{\"title\": \"a\", \"event\": \"E\"}\n{\"title\": \"b\"", "x.jsonl").unwrap_err();
        assert!(err.to_string().starts_with("line 2: malformed JSON"), "{err}");
        let err = parse_jsonl("{\"title\": \"a\", \"event\": 3}\n", "x.jsonl").unwrap_err();
        assert_eq!(err.to_string(), "line 1: `event` must be the event's title or an object with one");
    }

    #[test]
    fn csv_reads_columns_by_name() {
        let text = "Event,Title,Speakers,Companies,Start,Room\nPyCon,Fast Python,Ann Lee; Bo Chen,ACME;,2024-05-01T10:00:00+08:00,A\nPyCon,,x,,,\n";
        let talks = parse_csv(text, "t.csv").unwrap();
        assert_eq!(talks.len(), 1);
        let t = &talks[0];
        assert_eq!((t.title.as_str(), t.event.title.as_str(), t.room.as_deref()), ("Fast Python", "PyCon", Some("A")));
        assert_eq!(
            t.speakers.iter().map(|s| (s.name.as_str(), s.company.as_deref())).collect::<Vec<_>>(),
            [("Ann Lee", Some("ACME")), ("Bo Chen", None)]
        );
        assert_eq!(t.start.as_deref(), Some("2024-05-01T10:00:00+08:00"));
        let err = parse_csv("title,event\nA talk,\n", "t.csv").unwrap_err();
        assert_eq!(err.to_string(), "CSV row 2: no event");
    }
}
