//! Exports no reader knows, read through a TOML mapping: where the talk records are in a JSON/YAML/CSV file and which field is which.
//!
//! A path is keys joined by `.`; `name[]` goes into the list `name` and takes each item, `*` takes
//! each value of an object (or item of a list); in a field path, each leading `../` climbs to the
//! record that holds the current one (`../start` of a talk in `events[].talks[]` is its event's
//! `start`). The README documents the whole format with the two shipped examples.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use serde_json::Value;

use super::when::{self, Moment, Zone};
use super::{company_from_affiliation, finish, language_code, Entry, EventInfo};
use crate::ingest::IngestError;
use crate::talk::{Link, Speaker, Talk};

/// A mapping file, as read from TOML.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    #[serde(default)]
    pub source: SourceSpec,
    pub fields: FieldSpec,
    #[serde(default)]
    pub speakers: Option<SpeakerSpec>,
    /// Values of the language field → ISO 639-1 codes (`"華語" = "zh"`).
    #[serde(default)]
    pub languages: BTreeMap<String, String>,
    /// blake3 of the mapping's text: a changed mapping reads its files again.
    #[serde(skip)]
    pub fingerprint: String,
}

/// The file as a whole: its format, where its records are, the event they belong to.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceSpec {
    /// `json`, `yaml` or `csv`; by default from the file name, else JSON, else YAML.
    pub format: Option<String>,
    /// Where the talk records are (`schedule[].events[].talks[]`, `*`); by default the items of
    /// a top-level list.
    pub talks: Option<String>,
    /// The event's title.
    pub event: String,
    /// The event's date (`YYYY-MM-DD`); by default its first talk's.
    pub event_date: Option<String>,
    pub location: Option<String>,
    pub url: Option<String>,
    /// The zone of times written without one (`Asia/Taipei`, `+08:00`).
    pub timezone: Option<String>,
    /// How `date` values are written when not `YYYY-MM-DD` (chrono format: `%m/%d`).
    pub date_format: Option<String>,
    /// The year of dates written without one.
    pub year: Option<i32>,
    /// The language when a record names none; by default it is detected from the text.
    pub language: Option<String>,
    /// Records where a field has this value are not talks: `{ isPseudo = true }`.
    #[serde(default)]
    pub skip_if: BTreeMap<String, toml::Value>,
    /// Records where one of these fields is empty are not talks (breaks without a speaker).
    #[serde(default)]
    pub require: Vec<String>,
    /// Bilingual files: a field `x` has its other-language twin at `x` + this suffix (`_en`).
    pub bilingual_suffix: Option<String>,
}

/// Which field of a talk record is which.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    pub title: String,
    #[serde(default, rename = "abstract")]
    pub abstract_text: Paths,
    /// The talk's day (with `start` a clock time), or nothing when `start` holds the date.
    pub date: Option<String>,
    /// A date-time, or a clock time on `date`.
    pub start: Option<String>,
    pub end: Option<String>,
    /// Minutes, or `HH:MM`; used when there is no `end`.
    pub duration: Option<String>,
    pub room: Option<String>,
    pub track: Option<String>,
    pub language: Option<String>,
    pub url: Option<String>,
    /// The record's type (`break` is not a talk).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// A field that identifies the record, to tell apart talks with one title.
    pub id: Option<String>,
}

/// Where the speakers of a talk are: a list of speaker records, or names in one field.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpeakerSpec {
    /// The list of speaker records in a talk record (`speakers`).
    pub list: Option<String>,
    /// The name: in each speaker record with `list`, else the talk's field holding the names.
    pub name: String,
    /// With names in one field, what separates them (`["&", " / "]`).
    #[serde(default)]
    pub separators: Vec<String>,
    /// A field that is the company as such.
    pub company: Option<String>,
    /// A field that names role and company in one line (`Jina AI 创始人及 CEO`, `Program Manager
    /// at Microsoft`): the company is read from it like a Sessionize tag line, else like the opening
    /// of a bio (the line then opens the bio).
    pub affiliation: Option<String>,
    pub bio: Option<String>,
}

/// One path or several.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(untagged)]
pub enum Paths {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl Paths {
    fn list(&self) -> Vec<&str> {
        match self {
            Paths::None => Vec::new(),
            Paths::One(p) => vec![p.as_str()],
            Paths::Many(ps) => ps.iter().map(String::as_str).collect(),
        }
    }
}

impl Mapping {
    /// Reads and checks a mapping file.
    pub fn load(path: &Path) -> crate::Result<Mapping> {
        let text = std::fs::read_to_string(path).map_err(|e| crate::Error::io(path, e))?;
        Mapping::parse(&text).map_err(|e| match e {
            crate::Error::Invalid(what) => crate::Error::Invalid(format!("{}: {what}", path.display())),
            other => other,
        })
    }

    /// Checks a mapping: its TOML, time zone and format; [`crate::Error::Invalid`] says what is wrong.
    pub fn parse(text: &str) -> crate::Result<Mapping> {
        let invalid = |what: String| crate::Error::Invalid(what);
        let mut mapping: Mapping = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        if let Some(zone) = &mapping.source.timezone {
            Zone::parse(zone).ok_or_else(|| invalid(format!("unknown time zone {zone:?}")))?;
        }
        if let Some(format) = &mapping.source.format {
            if !matches!(format.as_str(), "json" | "yaml" | "csv") {
                return Err(invalid(format!("format {format:?} is not json, yaml or csv")));
            }
        }
        mapping.fingerprint = blake3::hash(text.as_bytes()).to_hex().to_string();
        Ok(mapping)
    }

    /// Reads `text` (the file at `source`) with this mapping.
    pub fn read(&self, text: &str, source: &str, zone: Option<Zone>) -> Result<Vec<Talk>, IngestError> {
        let root = self.load_value(text, source)?;
        let zone = self.source.timezone.as_deref().and_then(Zone::parse).or(zone);
        let mut chains = Vec::new();
        match self.source.talks.as_deref() {
            Some(path) => records(&root, &segments(path), &mut vec![&root], &mut chains),
            None => records(&root, &["[]"], &mut vec![&root], &mut chains),
        }
        if chains.is_empty() {
            return Err(IngestError::Invalid(format!(
                "no talk records at {:?}",
                self.source.talks.as_deref().unwrap_or("[] (the items of a top-level list)")
            )));
        }
        let entries = chains.iter().filter(|chain| self.is_talk(chain)).map(|chain| self.entry(chain, zone)).collect();
        let info = EventInfo {
            title: self.source.event.clone(),
            date: self.source.event_date.clone(),
            location: self.source.location.clone(),
            url: self.source.url.clone(),
            zone,
        };
        Ok(finish(&info, entries, source))
    }

    fn load_value(&self, text: &str, source: &str) -> Result<Value, IngestError> {
        let by_name = Path::new(source).extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        let format = self.source.format.clone().or(by_name).unwrap_or_default();
        match format.as_str() {
            "csv" | "tsv" => csv_records(text, if format == "tsv" { b'\t' } else { b',' }),
            "yaml" | "yml" => {
                serde_yaml::from_str(text).map_err(|e| IngestError::Invalid(format!("malformed YAML: {e}")))
            }
            "json" => serde_json::from_str(text).map_err(|e| IngestError::Json(e.to_string())),
            _ => serde_json::from_str(text)
                .or_else(|_| serde_yaml::from_str(text))
                .map_err(|e| IngestError::Invalid(format!("neither JSON nor YAML: {e}"))),
        }
    }

    /// Whether a record is a talk by the mapping's rules (`skip_if`, `require`).
    fn is_talk(&self, chain: &[&Value]) -> bool {
        let skipped = self.source.skip_if.iter().any(|(path, value)| {
            let found = get(chain, path);
            match (found, value) {
                (Some(Value::Bool(a)), toml::Value::Boolean(b)) => a == b,
                (Some(found), value) => text_of(found)
                    .is_some_and(|t| t == value.as_str().map(str::to_string).unwrap_or_else(|| value.to_string())),
                (None, _) => false,
            }
        });
        !skipped && self.source.require.iter().all(|path| string(chain, path).is_some())
    }

    fn entry(&self, chain: &[&Value], zone: Option<Zone>) -> Entry {
        let f = &self.fields;
        let twin = |path: &str| {
            self.source.bilingual_suffix.as_ref().and_then(|suffix| string(chain, &format!("{path}{suffix}")))
        };
        let mut texts: Vec<String> = f.abstract_text.list().iter().filter_map(|p| string(chain, p)).collect();
        texts.extend(f.abstract_text.list().iter().filter_map(|p| twin(p)));
        let start = f.start.as_deref().and_then(|p| self.moment(chain, p, zone));
        let end = f.end.as_deref().and_then(|p| self.moment(chain, p, zone)).or_else(|| {
            let minutes = f.duration.as_deref().and_then(|p| string(chain, p))?;
            Some(start?.plus(when::duration(&minutes)?))
        });
        let language = f
            .language
            .as_deref()
            .and_then(|p| string(chain, p))
            .and_then(|v| self.languages.get(&v).cloned().or_else(|| language_code(&v)));
        let url = f.url.as_deref().and_then(|p| string(chain, p));
        Entry {
            title: string(chain, &f.title).unwrap_or_default(),
            other_title: twin(&f.title),
            texts,
            speakers: self.speakers(chain),
            start,
            end,
            room: f.room.as_deref().and_then(|p| string(chain, p)),
            track: f.track.as_deref().and_then(|p| string(chain, p)),
            language: language.or_else(|| self.source.language.clone()),
            links: url.iter().map(|u| Link { url: u.clone(), title: String::new() }).collect(),
            url,
            key: f.id.as_deref().and_then(|p| string(chain, p)).unwrap_or_default(),
            kind: f.kind.as_deref().and_then(|p| string(chain, p)),
            ..Entry::default()
        }
    }

    /// A date-time at `path`, or a clock time there on the record's `date`.
    fn moment(&self, chain: &[&Value], path: &str, zone: Option<Zone>) -> Option<Moment> {
        let text = string(chain, path)?;
        if let Some(moment) = Moment::parse(&text, zone) {
            return Some(moment);
        }
        let clock = when::clock(&text)?;
        let day = string(chain, self.fields.date.as_deref()?)?;
        Some(Moment::at(self.date(&day)?.and_time(clock), zone))
    }

    /// A date as the file writes it (`date_format`, with `year` when it has none).
    fn date(&self, text: &str) -> Option<NaiveDate> {
        let text = text.trim();
        if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            return Some(date);
        }
        let format = self.source.date_format.as_deref()?;
        NaiveDate::parse_from_str(text, format).ok().or_else(|| {
            // chrono needs a year: give it the mapping's.
            let year = self.source.year?;
            NaiveDate::parse_from_str(&format!("{year} {text}"), &format!("%Y {format}"))
                .ok()
                .filter(|d| d.year() == year)
        })
    }

    fn speakers(&self, chain: &[&Value]) -> Vec<Speaker> {
        let Some(spec) = &self.speakers else { return Vec::new() };
        let twin = |record: &[&Value], path: &str| {
            let suffix = self.source.bilingual_suffix.as_ref()?;
            string(record, &format!("{path}{suffix}")).filter(|t| t.chars().filter(|c| c.is_alphanumeric()).count() > 1)
        };
        let person = |record: &[&Value], name: String| {
            let mut bio: Vec<String> = spec.bio.as_deref().and_then(|p| string(record, p)).into_iter().collect();
            bio.extend(spec.bio.as_deref().and_then(|p| twin(record, p)).filter(|t| !bio.contains(t)));
            let mut company = spec.company.as_deref().and_then(|p| string(record, p));
            if let Some(line) = spec.affiliation.as_deref().and_then(|p| string(record, p)) {
                company = company.or_else(|| company_from_affiliation(&line));
                if company.is_none() {
                    // The company extraction that reads bios reads its opening line.
                    bio.insert(0, line);
                }
            }
            Speaker { name, bio: (!bio.is_empty()).then(|| bio.join("\n\n")), company, ..Speaker::default() }
        };
        match &spec.list {
            Some(list) => match get(chain, list) {
                Some(Value::Array(items)) => items
                    .iter()
                    .filter_map(|item| {
                        let mut record = chain.to_vec();
                        record.push(item);
                        let name = match item {
                            Value::String(name) => Some(name.clone()),
                            _ => string(&record, &spec.name),
                        };
                        Some(person(&record, name?))
                    })
                    .collect(),
                _ => Vec::new(),
            },
            None => {
                let names = string(chain, &spec.name).unwrap_or_default();
                split_names(&names, &spec.separators).into_iter().map(|name| person(chain, name)).collect()
            }
        }
    }
}

/// `李枫 / 吕绍刚 / 张晋涛` → three names, at every separator given.
fn split_names(text: &str, separators: &[String]) -> Vec<String> {
    let mut names = vec![text.to_string()];
    for sep in separators.iter().filter(|s| !s.is_empty()) {
        names = names.iter().flat_map(|n| n.split(sep.as_str()).map(str::to_string)).collect();
    }
    names.into_iter().map(|n| n.trim().to_string()).filter(|n| !n.is_empty()).collect()
}

/// `schedule[].events[].talks[]` → `schedule`, `[]`, `events`, `[]`, `talks`, `[]`.
fn segments(path: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        match part.strip_suffix("[]") {
            Some("") => out.push("[]"),
            Some(name) => out.extend([name, "[]"]),
            None => out.push(part),
        }
    }
    out
}

/// Collects the chains of every record `segments` lead to from `value`: the records that hold it
/// (the items of lists and objects walked through) and then the record itself.
fn records<'a>(value: &'a Value, segments: &[&str], chain: &mut Vec<&'a Value>, out: &mut Vec<Vec<&'a Value>>) {
    let Some((first, rest)) = segments.split_first() else {
        let mut found = chain.clone();
        if !found.last().is_some_and(|last| std::ptr::eq(*last, value)) {
            found.push(value);
        }
        out.push(found);
        return;
    };
    let mut each = |item: &'a Value, chain: &mut Vec<&'a Value>| {
        chain.push(item);
        records(item, rest, chain, out);
        chain.pop();
    };
    match (*first, value) {
        ("[]" | "*", Value::Array(items)) => items.iter().for_each(|i| each(i, chain)),
        ("*", Value::Object(map)) => map.values().for_each(|i| each(i, chain)),
        ("[]" | "*", _) => {}
        // A key walks inside the same record.
        (key, Value::Object(map)) => {
            if let Some(inner) = map.get(key) {
                records(inner, rest, chain, out);
            }
        }
        _ => {}
    }
}

/// The value at `path` from the last record of `chain` (`../` climbs one record each).
fn get<'a>(chain: &[&'a Value], path: &str) -> Option<&'a Value> {
    let mut path = path.trim();
    let mut level = chain.len().checked_sub(1)?;
    while let Some(rest) = path.strip_prefix("../") {
        level = level.checked_sub(1)?;
        path = rest;
    }
    let mut value = chain[level];
    for key in path.split('.').filter(|k| !k.is_empty()) {
        value = match value {
            Value::Object(map) => map.get(key)?,
            Value::Array(items) => items.get(key.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(value)
}

/// A scalar as text; `None` for null, blanks and containers.
fn text_of(value: &Value) -> Option<String> {
    let text = match value {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    (!text.is_empty()).then_some(text)
}

fn string(chain: &[&Value], path: &str) -> Option<String> {
    get(chain, path).and_then(text_of)
}

/// CSV rows as objects keyed by the header, in a list.
fn csv_records(text: &str, delimiter: u8) -> Result<Value, IngestError> {
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| IngestError::Invalid(format!("CSV header: {e}")))?.clone();
    let mut rows = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record = record.map_err(|e| IngestError::Invalid(format!("CSV row {}: {e}", n + 2)))?;
        let row =
            headers.iter().zip(record.iter()).map(|(h, v)| (h.to_string(), Value::String(v.to_string()))).collect();
        rows.push(Value::Object(row));
    }
    Ok(Value::Array(rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_walk_lists_objects_and_parents() {
        let root: Value = serde_json::json!({
            "schedule": [{"date": "10/16", "events": [{"start": "09:30", "talks": [{"title": "A"}, {"title": "B"}]}]}]
        });
        let mut chains = Vec::new();
        records(&root, &segments("schedule[].events[].talks[]"), &mut vec![&root], &mut chains);
        assert_eq!(chains.len(), 2);
        assert_eq!(string(&chains[1], "title").as_deref(), Some("B"));
        assert_eq!(string(&chains[1], "../start").as_deref(), Some("09:30"));
        assert_eq!(string(&chains[1], "../../date").as_deref(), Some("10/16"));
        assert_eq!(string(&chains[1], "../../../../nothing"), None);
        let keyed: Value = serde_json::json!({"a1": {"title": "X"}, "a2": {"title": "Y"}});
        let mut chains = Vec::new();
        records(&keyed, &segments("*"), &mut vec![&keyed], &mut chains);
        assert_eq!(chains.len(), 2);
        assert_eq!(split_names("李枫 / 吕绍刚 / 张晋涛", &[" / ".into(), "&".into()]), ["李枫", "吕绍刚", "张晋涛"]);
        assert_eq!(split_names("胡渊鸣&张爱玲", &[" / ".into(), "&".into()]), ["胡渊鸣", "张爱玲"]);
    }

    #[test]
    fn a_bad_mapping_says_what_is_wrong() {
        let err = Mapping::parse("[source]\nevent = \"E\"\n[fields]\ntitle = \"t\"\ntitel = \"x\"\n").unwrap_err();
        assert!(err.to_string().contains("unknown field `titel`"), "{err}");
        let err =
            Mapping::parse("[source]\nevent = \"E\"\ntimezone = \"Mars/Base\"\n[fields]\ntitle = \"t\"\n").unwrap_err();
        assert_eq!(err.to_string(), "invalid input: unknown time zone \"Mars/Base\"");
    }
}
