//! pyvideo talk records: `<event>/videos/<talk>.json`, with the event name in `<event>/category.json`.
//!
//! One record is one talk. The records come from `pyvideo/data` and were written by many hands over
//! a decade, so every field is optional and read leniently: a field of an unexpected type is treated
//! as missing rather than failing the record, and unknown keys (including the malformed `",duration"`
//! of one real file) are ignored. Only a record that is not JSON at all, is not an object, or has no
//! title is an error.
//!
//! Mapping onto [`Talk`]:
//! - `title` → title (whitespace folded);
//! - `speakers` (a list of names) → speakers, names only (pyvideo has no bio or company);
//! - `description`, else `summary`, else `abstract` → abstract, with HTML tags, entities and common
//!   reST / Markdown markup removed and whitespace collapsed (paragraphs joined by `\n`);
//! - `language` (ISO 639-3, `eng`) → ISO 639-1 (`en`) via a small table; an unknown code is kept as
//!   given; a missing one is detected from the title and abstract;
//! - the first `videos[].url` → url;
//! - `recorded` (`2019-09-21` or `2023-05-11T20:10:00`) → the event date `YYYY-MM-DD`.
//!
//! Titles repeat within an event ("Lightning Talks"), so the id is made from the event title, the
//! talk title and the file stem of the record (pyvideo's stable slug).

use std::path::Path;

use regex::Regex;
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use std::sync::LazyLock;

use super::IngestError;
use crate::talk::{detect_language, fold_whitespace, Event, Speaker, Talk};

/// The fields of a pyvideo record that we use. Everything is optional; other keys are ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Record {
    #[serde(deserialize_with = "lenient_string")]
    title: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    description: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    summary: Option<String>,
    #[serde(rename = "abstract", deserialize_with = "lenient_string")]
    abstract_text: Option<String>,
    #[serde(deserialize_with = "lenient_speakers")]
    speakers: Vec<SpeakerRecord>,
    #[serde(deserialize_with = "lenient_string")]
    recorded: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    language: Option<String>,
    #[serde(deserialize_with = "lenient_urls")]
    videos: Vec<String>,
}

/// A string, or `None` for `null`, a missing key or a value of any other type.
fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        _ => None,
    })
}

/// A speaker as a record gives it: pyvideo has names only; `talksearch gen` also writes a bio and a company.
#[derive(Debug, Default)]
struct SpeakerRecord {
    name: String,
    bio: Option<String>,
    company: Option<String>,
}

/// Speakers: a list of names (the pyvideo format); also a single string, or objects with a `name`
/// and optionally `bio` and `company`. Anything else is skipped.
fn lenient_speakers<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<SpeakerRecord>, D::Error> {
    fn speaker(v: &Value) -> Option<SpeakerRecord> {
        let text = |m: &serde_json::Map<String, Value>, k: &str| m.get(k).and_then(Value::as_str).map(str::to_string);
        match v {
            Value::String(s) => Some(SpeakerRecord { name: s.clone(), ..SpeakerRecord::default() }),
            Value::Object(map) => Some(SpeakerRecord {
                name: text(map, "name")?,
                bio: text(map, "bio").filter(|b| !b.trim().is_empty()),
                company: text(map, "company").filter(|c| !c.trim().is_empty()),
            }),
            _ => None,
        }
    }
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items.iter().filter_map(speaker).collect(),
        v => speaker(&v).into_iter().collect(),
    })
}

/// The `url` of each entry of `videos` (a list of `{type, url}` objects), in order.
fn lenient_urls<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => {
            items.iter().filter_map(|v| v.get("url").and_then(Value::as_str)).map(str::to_string).collect()
        }
        _ => Vec::new(),
    })
}

/// Parses one talk record. `event_title` comes from the event's `category.json`; when it is empty the
/// event folder's name (the folder above `videos/` in `source`) is used instead.
pub fn parse(text: &str, event_title: &str, source: &str) -> Result<Vec<Talk>, IngestError> {
    let record: Record = serde_json::from_str(text).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => IngestError::Invalid(format!("not a pyvideo talk record: {e}")),
        _ => IngestError::Json(e.to_string()),
    })?;

    let title = fold_whitespace(without_numbering(record.title.as_deref().unwrap_or("")));
    if title.is_empty() {
        return Err(IngestError::Invalid("no title".into()));
    }

    let mut speakers: Vec<Speaker> = Vec::new();
    for s in record.speakers {
        let name = fold_whitespace(&s.name);
        // `Various Speakers` on lightning-talk records stands for nobody in particular.
        if !name.is_empty()
            && !super::markdown::is_placeholder(&name)
            && !speakers.iter().any(|known| known.name == name)
        {
            speakers.push(Speaker { name, bio: s.bio, company: s.company, ..Speaker::default() });
        }
    }

    let abstract_text = [&record.description, &record.summary, &record.abstract_text]
        .into_iter()
        .flatten()
        .map(|s| clean_text(s))
        .find(|s| !s.is_empty())
        .unwrap_or_default();

    let language = match record.language.as_deref().map(str::trim) {
        Some(code) if !code.is_empty() => iso639_1(code),
        _ => detect_language(&format!("{title} {abstract_text}")).to_string(),
    };

    let url = record.videos.iter().map(|u| u.trim()).find(|u| !u.is_empty()).map(str::to_string);

    let event_title = match fold_whitespace(event_title) {
        t if t.is_empty() => event_folder(source),
        t => t,
    };
    let discriminator = Path::new(source).file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let id = Talk::make_id(&event_title, &title, discriminator);

    Ok(vec![Talk {
        id,
        title,
        time: None,
        speakers,
        abstract_text,
        outline: Vec::new(),
        takeaways: Vec::new(),
        language,
        url,
        event: Event {
            title: event_title,
            date: record.recorded.as_deref().and_then(date_of),
            location: None,
            url: None,
            source: source.to_string(),
            ..Event::default()
        },
        ..Talk::default()
    }])
}

/// A title without the video's number some events put before it: `39. Python under PyCScope`
/// (pycon-us-2012), `8  Python 助力 IoT 项目开发` (pycon-china-2019, two spaces). One space is
/// left alone: `5 Steps to Speed Up Your Data-Analysis` is a title.
fn without_numbering(title: &str) -> &str {
    static NUMBER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\s*[0-9]{1,3}(?:\.\s+|\s{2,})(\S)").unwrap());
    match NUMBER.captures(title).and_then(|c| c.get(1)) {
        Some(rest) => &title[rest.start()..],
        None => title,
    }
}

/// The event name in `<dir>/category.json`, if it can be read.
pub fn read_category(dir: &Path) -> Option<String> {
    let bytes = std::fs::read(dir.join("category.json")).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let value: Value = serde_json::from_str(text).ok()?;
    let title = fold_whitespace(value.get("title")?.as_str()?);
    (!title.is_empty()).then_some(title)
}

/// The event folder of a record path: the folder above `videos/`, else the record's own folder.
fn event_folder(source: &str) -> String {
    let parent = Path::new(source).parent();
    let folder = match parent {
        Some(p) if p.file_name().is_some_and(|n| n == "videos") => p.parent(),
        _ => parent,
    };
    folder.and_then(Path::file_name).map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// `YYYY-MM-DD` from `recorded` (`2019-09-21`, `2019-09-21T10:00:00+02:00`), if it starts with one.
fn date_of(recorded: &str) -> Option<String> {
    static DATE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(\d{4})-(\d{2})-(\d{2})").unwrap());
    let caps = DATE.captures(recorded.trim())?;
    let (month, day): (u32, u32) = (caps[2].parse().ok()?, caps[3].parse().ok()?);
    ((1..=12).contains(&month) && (1..=31).contains(&day)).then(|| caps[0].to_string())
}

/// ISO 639-1 for the ISO 639-3 (or 639-2/B) codes pyvideo uses; any other code is returned as given
/// (lowercased), so a two-letter code passes through unchanged.
fn iso639_1(code: &str) -> String {
    let code = code.to_ascii_lowercase();
    let short = match code.as_str() {
        "eng" => "en",
        "zho" | "chi" | "cmn" => "zh",
        "spa" => "es",
        "rus" => "ru",
        "fra" | "fre" => "fr",
        "por" => "pt",
        "kor" => "ko",
        "jpn" => "ja",
        "ita" => "it",
        "deu" | "ger" => "de",
        "pol" => "pl",
        "slk" | "slo" => "sk",
        "lit" => "lt",
        "tha" => "th",
        "ces" | "cze" => "cs",
        "heb" => "he",
        "eus" | "baq" => "eu",
        "glg" => "gl",
        "nld" | "dut" => "nl",
        "ukr" => "uk",
        "tur" => "tr",
        "ind" => "id",
        "vie" => "vi",
        _ => return code,
    };
    short.to_string()
}

/// Light cleanup of a description: HTML tags and entities, reST / Markdown markup, and whitespace.
/// Paragraphs (separated by blank lines or block-level HTML tags) are kept, one per line.
fn clean_text(raw: &str) -> String {
    static COMMENT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?s)<!--.*?-->").unwrap());
    static BLOCK_TAG: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)<\s*/?\s*(?:p|div|br|li|ul|ol|h[1-6]|pre|blockquote|tr|table)\b[^>]*>").unwrap()
    });
    static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"</?[a-zA-Z][^>]*>").unwrap());
    static MD_IMAGE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"!\[[^\]]*\]\([^)]*\)").unwrap());
    static MD_LINK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\[([^\]]+)\]\([^)]*\)").unwrap());
    static RST_LINK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"`([^`<]+?)\s*<[^>`]+>`__?").unwrap());
    static RST_REF: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"`([^`]+?)`__?").unwrap());
    static AUTOLINK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<(https?://[^>\s]+)>").unwrap());
    static RST_ROLE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r":[a-zA-Z][\w.+-]*:`([^`]*)`").unwrap());
    static RST_UNDERLINE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"^(?:={3,}|-{3,}|~{3,}|\^{3,}|\*{3,}|\+{3,}|#{3,}|"{3,}|_{3,})$"#).unwrap());
    static RST_DIRECTIVE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\.\.\s+\S.*::").unwrap());
    static LINE_MARKER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(?:#{1,6}\s+|[-*+•]\s+)").unwrap());

    let text = raw.replace("\r\n", "\n").replace('\r', "\n");
    let text = COMMENT.replace_all(&text, "");
    // Links first: `text <url>`_ and <url> would otherwise look like HTML tags.
    let text = RST_LINK.replace_all(&text, "$1");
    let text = RST_REF.replace_all(&text, "$1");
    let text = AUTOLINK.replace_all(&text, "$1");
    let text = BLOCK_TAG.replace_all(&text, "\n\n");
    let text = TAG.replace_all(&text, "");
    let text = decode_entities(&text);
    let text = MD_IMAGE.replace_all(&text, "");
    let text = MD_LINK.replace_all(&text, "$1");
    let text = RST_ROLE.replace_all(&text, "$1");
    // `__` is left alone: in Python talks it is mostly `__init__`, not emphasis.
    let text = text.replace("``", "").replace('`', "").replace("**", "");

    let mut paragraphs: Vec<String> = Vec::new();
    let mut current = String::new();
    let flush = |current: &mut String, paragraphs: &mut Vec<String>| {
        let p = fold_whitespace(current);
        if !p.is_empty() {
            paragraphs.push(p);
        }
        current.clear();
    };
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || RST_UNDERLINE.is_match(line) || RST_DIRECTIVE.is_match(line) {
            // A blank line ends a paragraph, and so does a heading underline (ending the heading);
            // a directive line (`.. image:: x.png`) carries no text.
            flush(&mut current, &mut paragraphs);
            continue;
        }
        let line = LINE_MARKER.replace(line, "");
        // A reST literal-block marker `::` at the end of a line reads as a colon.
        match line.strip_suffix("::") {
            Some(rest) => {
                current.push_str(rest.trim_end());
                current.push(':');
            }
            None => current.push_str(&line),
        }
        current.push(' ');
    }
    flush(&mut current, &mut paragraphs);
    paragraphs.join("\n")
}

/// Decodes the HTML entities that occur in pyvideo descriptions: the common named ones and numeric
/// references. Unknown entities are left as they are.
fn decode_entities(s: &str) -> String {
    static ENTITY: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});").unwrap());
    ENTITY
        .replace_all(s, |caps: &regex::Captures| {
            let body = &caps[1];
            let decoded = if let Some(hex) = body.strip_prefix("#x").or_else(|| body.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
            } else if let Some(dec) = body.strip_prefix('#') {
                dec.parse::<u32>().ok().and_then(char::from_u32)
            } else {
                match body {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    "nbsp" => Some(' '),
                    "ndash" => Some('–'),
                    "mdash" => Some('—'),
                    "hellip" => Some('…'),
                    "lsquo" => Some('‘'),
                    "rsquo" => Some('’'),
                    "ldquo" => Some('“'),
                    "rdquo" => Some('”'),
                    "copy" => Some('©'),
                    _ => None,
                }
            };
            decoded.map(String::from).unwrap_or_else(|| caps[0].to_string())
        })
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real records from pyvideo/data (CC0), copied unmodified into `tests/data/pyvideo/`.
    const CHINA: &str =
        include_str!("../../tests/data/pyvideo/pycon-china-2019/videos/1-bian-xie-an-quan-de-python-dai-ma.json");
    const CHIPY: &str = include_str!("../../tests/data/pyvideo/chipy/videos/15262.json");
    /// The one real record with a malformed `",duration"` key.
    const PARIS: &str = include_str!(
        "../../tests/data/pyvideo/meetup-paris/videos/manipuler-la-donnee-geographique-avec-geopandas.json"
    );
    const AU: &str = include_str!("../../tests/data/pyvideo/pycon-au-2011/videos/keynote-mary-gardiner.json");

    fn fixtures() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/pyvideo")
    }

    struct Case {
        name: &'static str,
        text: &'static str,
        event_title: &'static str,
        source: &'static str,
        title: &'static str,
        speakers: &'static [&'static str],
        abstract_text: &'static str,
        language: &'static str,
        url: Option<&'static str>,
        event: &'static str,
        date: Option<&'static str>,
    }

    #[test]
    fn parses_records() {
        let cases = [
            Case {
                name: "real Chinese record, no speakers or description",
                text: CHINA,
                event_title: "PyCon China 2019",
                source: "pyvideo/pycon-china-2019/videos/1-bian-xie-an-quan-de-python-dai-ma.json",
                title: "1 编写安全的 Python 代码",
                speakers: &[],
                abstract_text: "",
                language: "zh",
                url: Some("https://www.youtube.com/watch?v=S5t48Whyyyo"),
                event: "PyCon China 2019",
                date: Some("2019-09-21"),
            },
            Case {
                name: "real record with HTML, an entity, a datetime and two videos",
                text: CHIPY,
                event_title: "ChiPy",
                source: "pyvideo/chipy/videos/15262.json",
                title: "Ellipses and Arcane Syntax",
                speakers: &["Phil Robare"],
                abstract_text: "How does the elipses work? Let's find out.",
                language: "en",
                url: Some("https://youtu.be/fP3okTK49dI"),
                event: "ChiPy",
                date: Some("2023-05-11"),
            },
            Case {
                name: "real record with the malformed \",duration\" key",
                text: PARIS,
                event_title: "Meetup Paris",
                source: "pyvideo/meetup-paris/videos/manipuler-la-donnee-geographique-avec-geopandas.json",
                title: "Manipuler la donnée géographique en Python avec GeoPandas",
                speakers: &["Melcore", "Jean Lapostolle"],
                abstract_text: "Au fond je crois que la Terre est ronde, pour une seule bonne raison, \
                    après avoir fait le tour du monde, tout ce qu'on veut c'est faire du Python\"\n\
                    Les projections géographiques, Particularités de GeoPandas, Les données de l'IGN",
                language: "fr",
                url: Some(
                    "https://dl.afpy.org/meetup-python-paris/2026-01/geodata_manipuler_la_donnee_geographique_avec_geopandas_jean_lapostolle.mp4",
                ),
                event: "Meetup Paris",
                date: Some("2026-01-29"),
            },
            Case {
                name: "real record with an empty description and a summary",
                text: AU,
                event_title: "PyCon AU 2011",
                source: "pyvideo/pycon-au-2011/videos/keynote-mary-gardiner.json",
                title: "Keynote: Mary Gardiner",
                speakers: &["Mary Gardiner"],
                abstract_text: "Keynote.",
                language: "en",
                url: Some("https://www.youtube.com/watch?v=dstGzK_WIWk"),
                event: "PyCon AU 2011",
                date: Some("2011-08-23"),
            },
            Case {
                name: "no language (detected) and no category title (folder name)",
                text: r#"{"description": "", "recorded": "2016-06-03", "speakers": ["Various speakers"],
                    "title": "PyCon Taiwan 2016 R0 D1",
                    "videos": [{"type": "youtube", "url": "https://www.youtube.com/watch?v=iiJw7gpVcKg"}]}"#,
                event_title: "",
                source: "pyvideo/pycon-tw-2016/videos/pycon-taiwan-2016-r0-d1.json",
                title: "PyCon Taiwan 2016 R0 D1",
                // A placeholder, not a person.
                speakers: &[],
                abstract_text: "",
                language: "en",
                url: Some("https://www.youtube.com/watch?v=iiJw7gpVcKg"),
                event: "pycon-tw-2016",
                date: Some("2016-06-03"),
            },
            Case {
                name: "Chinese text without a language code",
                text: r#"{"title": "用 Python 构建云原生应用", "description": "介绍服务网格与可观测性。",
                    "speakers": ["张三", " 张三 ", ""], "recorded": null, "videos": []}"#,
                event_title: "PyCon China 2020",
                source: "pycon-china-2020/videos/x.json",
                title: "用 Python 构建云原生应用",
                speakers: &["张三"],
                abstract_text: "介绍服务网格与可观测性。",
                language: "zh",
                url: None,
                event: "PyCon China 2020",
                date: None,
            },
            Case {
                name: "unknown and two-letter codes pass through; odd types are ignored",
                text: r#"{"title": "  Lightning\n  Talks ", "language": "xyz", "speakers": "Solo Speaker",
                    "description": 42, "summary": "Five-minute talks.", "videos": {"url": "x"},
                    "recorded": "sometime in 2019", "tags": null, "extra": {"nested": [1, 2]}}"#,
                event_title: " EuroPython  2019 ",
                source: "europython-2019/videos/lightning-talks-2.json",
                title: "Lightning Talks",
                speakers: &["Solo Speaker"],
                abstract_text: "Five-minute talks.",
                language: "xyz",
                url: None,
                event: "EuroPython 2019",
                date: None,
            },
            Case {
                name: "reST and Markdown markup is removed",
                text: r#"{"title": "Markup", "language": "ENG", "description":
                    "Overview\n========\n\nThis talk covers **fast** code, see `the docs <https://docs.python.org>`_\nand [PEP 8](https://peps.python.org/pep-0008/) and :func:`len` and the __init__ method.\n\n.. image:: slide.png\n\nTopics::\n\n* ``asyncio``\n* C&amp;C extensions<br/>Q&amp;A"}"#,
                event_title: "Test",
                source: "test/videos/markup.json",
                title: "Markup",
                speakers: &[],
                abstract_text: "Overview\nThis talk covers fast code, see the docs and PEP 8 and len and the __init__ method.\n\
                    Topics:\nasyncio C&C extensions\nQ&A",
                language: "en",
                url: None,
                event: "Test",
                date: None,
            },
        ];
        for case in cases {
            let talks =
                parse(case.text, case.event_title, case.source).unwrap_or_else(|e| panic!("{}: {e}", case.name));
            assert_eq!(talks.len(), 1, "{}", case.name);
            let talk = &talks[0];
            assert_eq!(talk.title, case.title, "{}", case.name);
            let names: Vec<&str> = talk.speakers.iter().map(|s| s.name.as_str()).collect();
            assert_eq!(names, case.speakers, "{}", case.name);
            assert!(talk.speakers.iter().all(|s| s.bio.is_none() && s.company.is_none()), "{}", case.name);
            assert_eq!(talk.abstract_text, case.abstract_text, "{}", case.name);
            assert_eq!(talk.language, case.language, "{}", case.name);
            assert_eq!(talk.url.as_deref(), case.url, "{}", case.name);
            assert_eq!(talk.event.title, case.event, "{}", case.name);
            assert_eq!(talk.event.date.as_deref(), case.date, "{}", case.name);
            assert_eq!(talk.event.source, case.source, "{}", case.name);
            assert_eq!(talk.event.location, None, "{}", case.name);
            assert_eq!(talk.time, None, "{}", case.name);
            let stem = Path::new(case.source).file_stem().unwrap().to_str().unwrap();
            assert_eq!(talk.id, Talk::make_id(case.event, case.title, stem), "{}", case.name);
        }
    }

    #[test]
    fn speaker_objects_keep_bio_and_company() {
        let text = r#"{"title": "T", "speakers": [{"name": "张晓辉", "bio": "架构师", "company": "Flomesh"}, "Ann"]}"#;
        let talk = &parse(text, "E", "e/videos/t.json").unwrap()[0];
        assert_eq!(talk.speakers[0].name, "张晓辉");
        assert_eq!(talk.speakers[0].bio.as_deref(), Some("架构师"));
        assert_eq!(talk.speakers[0].company.as_deref(), Some("Flomesh"));
        assert_eq!((talk.speakers[1].name.as_str(), talk.speakers[1].company.as_deref()), ("Ann", None));
    }

    #[test]
    fn rejects_bad_records() {
        type Check = fn(&IngestError) -> bool;
        let cases: [(&str, &str, Check); 7] = [
            ("truncated JSON", r#"{"title": "x","#, |e| matches!(e, IngestError::Json(_))),
            ("not JSON", "title: x", |e| matches!(e, IngestError::Json(_))),
            ("empty file", "", |e| matches!(e, IngestError::Json(_))),
            ("trailing garbage", r#"{"title": "x"} }"#, |e| matches!(e, IngestError::Json(_))),
            ("no title", r#"{"speakers": ["A"], "description": "d"}"#, |e| {
                *e == IngestError::Invalid("no title".into())
            }),
            ("blank or non-string title", r#"{"title": "  \n "}"#, |e| *e == IngestError::Invalid("no title".into())),
            ("an array, not a record", r#"[{"title": "x"}]"#, |e| matches!(e, IngestError::Invalid(_))),
        ];
        for (name, text, expected) in cases {
            let err = parse(text, "Event", "e/videos/t.json").expect_err(name);
            assert!(expected(&err), "{name}: unexpected error {err:?}");
        }
        let err = parse(r#"{"title": 7}"#, "Event", "e/videos/t.json").unwrap_err();
        assert_eq!(err, IngestError::Invalid("no title".into()));
    }

    #[test]
    fn repeated_titles_get_distinct_ids() {
        let text = r#"{"title": "Lightning Talks", "language": "eng"}"#;
        let a = parse(text, "PyCon US 2019", "pycon-us-2019/videos/lightning-talks.json").unwrap();
        let b = parse(text, "PyCon US 2019", "pycon-us-2019/videos/lightning-talks-2.json").unwrap();
        assert_ne!(a[0].id, b[0].id);
        let again = parse(text, "PyCon  US 2019", "elsewhere/videos/lightning-talks.json").unwrap();
        assert_eq!(a[0].id, again[0].id, "the id depends on the file stem, not the whole path");
    }

    #[test]
    fn reads_category_titles() {
        let cases = [
            ("pycon-china-2019", Some("PyCon China 2019")),
            ("chipy", Some("ChiPy")),
            ("meetup-paris", Some("Meetup Paris")),
            ("pycon-au-2011", Some("PyCon AU 2011")),
            ("no-such-event", None),
        ];
        for (dir, expected) in cases {
            assert_eq!(read_category(&fixtures().join(dir)).as_deref(), expected, "{dir}");
        }
    }

    #[test]
    fn fixture_folders_parse_end_to_end() {
        let mut n = 0;
        for event in std::fs::read_dir(fixtures()).unwrap() {
            let dir = event.unwrap().path();
            let title = read_category(&dir).expect("every fixture event has a category.json");
            for file in std::fs::read_dir(dir.join("videos")).unwrap() {
                let path = file.unwrap().path();
                let text = std::fs::read_to_string(&path).unwrap();
                let talks = parse(&text, &title, &path.to_string_lossy()).unwrap();
                assert_eq!(talks.len(), 1);
                assert_eq!(talks[0].event.title, title);
                n += 1;
            }
        }
        assert_eq!(n, 4);
    }

    #[test]
    fn language_codes() {
        let cases = [
            ("eng", "en"),
            ("zho", "zh"),
            ("spa", "es"),
            ("rus", "ru"),
            ("fra", "fr"),
            ("por", "pt"),
            ("kor", "ko"),
            ("jpn", "ja"),
            ("ita", "it"),
            ("deu", "de"),
            ("pol", "pl"),
            ("slk", "sk"),
            ("lit", "lt"),
            ("tha", "th"),
            ("ces", "cs"),
            ("heb", "he"),
            ("eus", "eu"),
            ("glg", "gl"),
            ("ZHO", "zh"),
            ("en", "en"),
            ("tlh", "tlh"),
        ];
        for (code, expected) in cases {
            assert_eq!(iso639_1(code), expected, "{code}");
        }
    }

    #[test]
    fn video_numbers_are_not_part_of_titles() {
        assert_eq!(without_numbering("39. Python under PyCScope"), "Python under PyCScope");
        assert_eq!(without_numbering("8  Python 助力 IoT 项目开发"), "Python 助力 IoT 项目开发");
        assert_eq!(
            without_numbering("5 Steps to Speed Up Your Data-Analysis"),
            "5 Steps to Speed Up Your Data-Analysis"
        );
        assert_eq!(without_numbering("3.14 reasons to love Python"), "3.14 reasons to love Python");
        assert_eq!(without_numbering("2  "), "2  ", "nothing after the number: kept");
    }

    #[test]
    fn dates() {
        let cases = [
            ("2019-09-21", Some("2019-09-21")),
            ("2023-05-11T20:10:00", Some("2023-05-11")),
            ("2014-07-24T00:00:00+02:00", Some("2014-07-24")),
            (" 2020-01-02 ", Some("2020-01-02")),
            ("2019-13-01", None),
            ("2019", None),
            ("", None),
        ];
        for (recorded, expected) in cases {
            assert_eq!(date_of(recorded).as_deref(), expected, "{recorded}");
        }
    }
}
