//! Conference schedule exports, recognised by their content: which format a file is, and what every schedule reader shares.
//!
//! The formats: frab/pentabarf schedule XML ([`frab_xml`]), the frab/pretalx schedule JSON of the
//! c3voc schema ([`frab_json`]), Sessionize's "All" JSON ([`sessionize`]), this project's own talk
//! format as JSON lines or CSV ([`talks_format`]), and any other JSON/YAML/CSV export through a
//! mapping file ([`mapping`]). Each reader turns its records into [`Entry`]s; [`finish`] makes
//! them talks the same way for all: plain-text abstracts, no breaks or placeholders, one speaker
//! per person, stable ids.

pub mod frab_json;
pub mod frab_xml;
pub mod mapping;
pub mod sessionize;
pub mod talks_format;
pub mod text;
pub mod when;

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use serde::de::IgnoredAny;

use super::IngestError;
use crate::company::{fold_name, Companies};
use crate::talk::{detect_language, fold_whitespace, Event, Link, Speaker, Talk};
pub use mapping::Mapping;
use when::{Moment, Zone};

/// A schedule format recognised by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// frab/pentabarf `<schedule>` XML, current (rooms inside days) and older (events in days).
    FrabXml,
    /// frab/pretalx `{"schedule": {"conference": …}}` JSON (the c3voc schema).
    FrabJson,
    /// Sessionize "All" JSON: `sessions`, `speakers`, `categories`.
    Sessionize,
    /// The documented talk format, one JSON object a line.
    TalksJsonl,
    /// The documented talk format as CSV with a header.
    TalksCsv,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::FrabXml => "frab XML",
            Format::FrabJson => "frab JSON",
            Format::Sessionize => "Sessionize JSON",
            Format::TalksJsonl => "talks JSON lines",
            Format::TalksCsv => "talks CSV",
        }
    }
}

/// How schedules are read beyond what a file says: a time zone for files that give none, and a
/// mapping for exports no reader knows.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The zone of schedules whose times carry none (Sessionize, mapped files without one).
    pub timezone: Option<Zone>,
    /// Read every file no other reader recognises with this mapping.
    pub map: Option<Arc<Mapping>>,
}

impl Options {
    /// What the options add to a file's content hash, so that a file is read again when they change.
    pub fn fingerprint(&self) -> String {
        let zone = self.timezone.map(|z| z.name()).unwrap_or_default();
        let map = self.map.as_ref().map(|m| m.fingerprint.as_str()).unwrap_or_default();
        if zone.is_empty() && map.is_empty() {
            String::new()
        } else {
            format!("\x1fzone={zone}\x1fmap={map}")
        }
    }
}

/// Whether the first bytes of a file could start a schedule: text, opening like XML, JSON or a
/// CSV header. Images and other binary files are turned away without being read whole.
pub fn may_be_schedule(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let Some(&first) = head.iter().find(|b| !b.is_ascii_whitespace()) else { return false };
    // Valid UTF-8, or cut only in the middle of a character at the end of the head.
    let text_like = !head.contains(&0)
        && match std::str::from_utf8(head) {
            Ok(_) => true,
            Err(e) => e.error_len().is_none(),
        };
    text_like && (matches!(first, b'<' | b'{' | b'[' | b'"') || first.is_ascii_alphabetic())
}

/// Which schedule format `text` is in, from its content alone; `None` when it is none of them.
pub fn detect(text: &str) -> Option<Format> {
    let trimmed = text.trim_start();
    match trimmed.as_bytes().first()? {
        b'<' => frab_xml::is_schedule(trimmed).then_some(Format::FrabXml),
        b'{' => {
            if talks_format::is_jsonl(trimmed) {
                return Some(Format::TalksJsonl);
            }
            // The top-level keys alone, without building the values.
            let keys: BTreeMap<String, IgnoredAny> = serde_json::from_str(trimmed).ok()?;
            if keys.contains_key("schedule") && frab_json::is_schedule(trimmed) {
                Some(Format::FrabJson)
            } else if keys.contains_key("sessions") && keys.contains_key("speakers") {
                Some(Format::Sessionize)
            } else {
                None
            }
        }
        _ => talks_format::is_csv(trimmed).then_some(Format::TalksCsv),
    }
}

/// Reads `text`, which [`detect`] found to be in `format`, into talks.
pub fn parse(format: Format, text: &str, source: &str, options: &Options) -> Result<Vec<Talk>, IngestError> {
    match format {
        Format::FrabXml => frab_xml::parse(text, source, options),
        Format::FrabJson => frab_json::parse(text, source, options),
        Format::Sessionize => sessionize::parse(text, source, options),
        Format::TalksJsonl => talks_format::parse_jsonl(text, source),
        Format::TalksCsv => talks_format::parse_csv(text, source),
    }
}

/// One programme entry as a reader found it, before [`finish`] decides whether it is a talk.
#[derive(Debug, Default)]
pub struct Entry {
    pub title: String,
    pub other_title: Option<String>,
    /// Texts that make the abstract, raw (HTML, Markdown, escaped): abstract, description ….
    pub texts: Vec<String>,
    pub speakers: Vec<Speaker>,
    pub start: Option<Moment>,
    pub end: Option<Moment>,
    pub room: Option<String>,
    pub track: Option<String>,
    /// The language code the source declares.
    pub language: Option<String>,
    pub url: Option<String>,
    pub links: Vec<Link>,
    /// The schedule's own id for the entry, to tell apart talks with one title.
    pub key: String,
    /// The entry's type as the schedule says it (`break`, `Talk 30 min` …).
    pub kind: Option<String>,
    /// The schedule marks the entry as not a talk (Sessionize service sessions, g0v pseudo entries).
    pub not_a_talk: bool,
}

/// The event the entries of one file belong to.
#[derive(Debug, Default, Clone)]
pub struct EventInfo {
    pub title: String,
    /// `YYYY-MM-DD` of the first day; the first talk's day when the file does not say.
    pub date: Option<String>,
    pub location: Option<String>,
    pub url: Option<String>,
    pub zone: Option<Zone>,
}

/// Whether an entry is a break, a placeholder or an empty slot rather than a talk.
pub fn is_not_a_talk(entry: &Entry) -> bool {
    const BREAK_KINDS: [&str; 6] = ["break", "pause", "lunch", "coffee", "meal", "placeholder"];
    const BREAK_TITLES: [&str; 16] = [
        "break",
        "coffee break",
        "lunch",
        "lunch break",
        "pause",
        "mittagspause",
        "kaffeepause",
        "午间休息",
        "午餐",
        "午休",
        "茶歇",
        "休息",
        "中場休息",
        "午餐時間",
        "registration",
        "签到",
    ];
    const PLACEHOLDERS: [&str; 8] =
        ["tba", "tbd", "to be announced", "to be determined", "n/a", "待定", "placeholder", "tbc"];
    let title = fold_whitespace(&entry.title).to_lowercase();
    let title = title.trim_matches(|c: char| !c.is_alphanumeric());
    if entry.not_a_talk || title.is_empty() || PLACEHOLDERS.contains(&title) {
        return true;
    }
    let kind = entry.kind.as_deref().unwrap_or("").to_lowercase();
    if BREAK_KINDS.iter().any(|k| kind == *k) {
        return true;
    }
    entry.speakers.is_empty() && BREAK_TITLES.contains(&title)
}

/// The talks of a file's entries: breaks and placeholders left out, texts made plain, speakers
/// listed once each, the language the source gives or the one detected, ids that stay the same
/// when the file is read again (a title repeated in the file is told apart by the entry's key).
pub fn finish(info: &EventInfo, entries: Vec<Entry>, source: &str) -> Vec<Talk> {
    let date = info
        .date
        .clone()
        .or_else(|| entries.iter().filter_map(|e| e.start).map(|m| m.date()).min().map(|d| d.to_string()));
    let event = Event {
        title: fold_whitespace(&info.title),
        date,
        location: info.location.clone().filter(|l| !l.trim().is_empty()),
        url: info.url.clone().filter(|u| !u.trim().is_empty()),
        source: source.to_string(),
        timezone: info.zone.map(|z| z.name()),
        year: None,
    };
    let mut titles = HashSet::new();
    let mut talks = Vec::new();
    for entry in entries {
        if is_not_a_talk(&entry) {
            continue;
        }
        let title = fold_whitespace(&text::plain(&entry.title));
        if title.is_empty() {
            continue;
        }
        let abstract_text = entry
            .texts
            .iter()
            .map(|t| text::plain(t))
            .filter(|t| !t.is_empty())
            .fold(Vec::<String>::new(), |mut parts, t| {
                if !parts.contains(&t) {
                    parts.push(t);
                }
                parts
            })
            .join("\n\n");
        let speakers = one_each(entry.speakers);
        let language = entry
            .language
            .as_deref()
            .and_then(language_code)
            .unwrap_or_else(|| text_language(&format!("{title} {abstract_text}")).to_string());
        // The first talk of a title keeps the plain id; a later one is told apart by the
        // schedule's id for it, else by its slot and place in the file.
        let discriminator = match (titles.insert(title.to_lowercase()), entry.key.is_empty()) {
            (true, _) => String::new(),
            (false, false) => entry.key.clone(),
            (false, true) => format!("{}#{}", entry.start.map(|m| m.iso()).unwrap_or_default(), talks.len()),
        };
        let other_title =
            entry.other_title.map(|t| fold_whitespace(&text::plain(&t))).filter(|t| !t.is_empty() && *t != title);
        talks.push(Talk {
            id: Talk::make_id(&event.title, &title, &discriminator),
            time: entry.start.as_ref().map(|s| when::slot(s, entry.end.as_ref())),
            start: entry.start.map(|m| m.iso()),
            end: entry.end.map(|m| m.iso()),
            title,
            speakers,
            abstract_text,
            language,
            url: entry.url.filter(|u| !u.trim().is_empty()),
            event: event.clone(),
            room: entry.room.map(|r| fold_whitespace(&r)).filter(|r| !r.is_empty()),
            track: entry.track.map(|t| fold_whitespace(&t)).filter(|t| !t.is_empty()),
            other_title,
            links: entry.links.into_iter().filter(|l| !l.url.trim().is_empty()).collect(),
            ..Talk::default()
        });
    }
    talks
}

/// Speakers with names, each person once: a name listed twice (the same person under two ids)
/// keeps the first entry, completed with what the second says.
fn one_each(speakers: Vec<Speaker>) -> Vec<Speaker> {
    let mut out: Vec<Speaker> = Vec::new();
    for mut s in speakers {
        s.name = fold_whitespace(&s.name);
        s.bio = s.bio.map(|b| text::plain(&b)).filter(|b| !b.is_empty());
        s.company = s.company.map(|c| fold_whitespace(&c)).filter(|c| !c.is_empty());
        if s.name.is_empty() {
            continue;
        }
        match out.iter_mut().find(|o| o.name.to_lowercase() == s.name.to_lowercase()) {
            Some(known) => {
                if known.bio.is_none() {
                    known.bio = s.bio;
                }
                if known.company.is_none() {
                    known.company = s.company;
                }
            }
            None => out.push(s),
        }
    }
    out
}

/// An ISO 639-1 code for a language as schedules write it: `en`, `de-DE`, `English`, `German`,
/// `Deutsch`, `華語`, `中文` …; `None` for what it does not know (the text is then looked at).
pub fn language_code(text: &str) -> Option<String> {
    let t = text.trim().to_lowercase();
    if t.is_empty() {
        return None;
    }
    let code = match t.as_str() {
        "english" | "englisch" | "anglais" | "英文" | "英語" | "英语" => "en",
        "german" | "deutsch" | "allemand" | "德語" | "德语" => "de",
        "chinese" | "mandarin" | "中文" | "華語" | "华语" | "漢語" | "汉语" | "普通话" | "國語" | "台語" | "台语" => {
            "zh"
        }
        "french" | "français" | "francais" | "französisch" => "fr",
        "spanish" | "español" | "espanol" => "es",
        "italian" | "italiano" => "it",
        "dutch" | "nederlands" => "nl",
        "japanese" | "日本語" | "日語" | "日语" => "ja",
        "korean" | "한국어" => "ko",
        "portuguese" | "português" => "pt",
        "russian" | "русский" => "ru",
        _ => {
            let base = t.split(['-', '_']).next().unwrap_or("");
            return (base.len() == 2 && base.bytes().all(|b| b.is_ascii_lowercase())).then(|| base.to_string());
        }
    };
    Some(code.to_string())
}

/// The language of a text a schedule does not label: `zh` as the page reader decides it, else the
/// language whatlang is sure of (German and French devrooms, Sessionize talks without a language
/// category), else `en`.
pub fn text_language(text: &str) -> &'static str {
    if detect_language(text) == "zh" {
        return "zh";
    }
    let code = match whatlang::detect(text).filter(|info| info.is_reliable()).map(|info| info.lang().code()) {
        Some(code) => code,
        None => return "en",
    };
    const ISO_639_1: [(&str, &str); 24] = [
        ("eng", "en"),
        ("deu", "de"),
        ("fra", "fr"),
        ("spa", "es"),
        ("ita", "it"),
        ("nld", "nl"),
        ("por", "pt"),
        ("rus", "ru"),
        ("jpn", "ja"),
        ("kor", "ko"),
        ("pol", "pl"),
        ("ces", "cs"),
        ("swe", "sv"),
        ("dan", "da"),
        ("fin", "fi"),
        ("nob", "no"),
        ("tur", "tr"),
        ("ukr", "uk"),
        ("ell", "el"),
        ("hun", "hu"),
        ("ron", "ro"),
        ("cmn", "zh"),
        ("cat", "ca"),
        ("vie", "vi"),
    ];
    ISO_639_1.iter().find(|(three, _)| *three == code).map_or("en", |(_, two)| two)
}

/// The company a one-line affiliation names: `Cloud Architect @ Contoso`, `Consultant at
/// Thinktecture`, `Technology Strategist, Dynatrace`, `baseVISION AG, Workplace Consultant`,
/// `Microsoft; Azure Business Group Lead`, or a known company alone. `None` when it names only a
/// role (`Ethical Hacker`, `Senior Consultant, Trainerin, MVP`): a wrong company is worse than none.
pub fn company_from_affiliation(line: &str) -> Option<String> {
    let line = fold_whitespace(line);
    let table = Companies::builtin();
    let clean = |s: &str| {
        s.trim().trim_matches(|c: char| matches!(c, ',' | ';' | '.' | '-' | '|' | '(' | ')')).trim().to_string()
    };
    // `Role @ Company`, `Role @Company`, `Role at Company`: what follows is the company.
    if let Some(at) = line.rfind('@') {
        let company = clean(&line[at + 1..]);
        return (!company.is_empty() && at > 0 && company.split(' ').count() <= 5).then_some(company);
    }
    let lower = line.to_ascii_lowercase();
    if let Some(at) = lower.rfind(" at ") {
        let company = clean(&line[at + 4..]);
        if !company.is_empty() && company.split(' ').count() <= 5 {
            return Some(company);
        }
    }
    // `CTO of Boldseas Technology Ltd`, `AI Engineer in Jina AI`: a role's organisation.
    for part in line.split([',', ';', '/', '|']) {
        // ASCII lowercasing keeps byte offsets, so `at` is an offset into `part` too.
        let lower = part.to_ascii_lowercase();
        if let Some(at) = lower.rfind(" of ").or_else(|| lower.rfind(" in ")) {
            let company = clean(&part[at + 4..]);
            let company = company.strip_prefix("the ").unwrap_or(&company).to_string();
            // A maintainer of a project is no employee of it.
            let project_role = ["maintainer", "member", "creator", "author", "contributor", "committer", "reviewer"]
                .iter()
                .any(|r| lower[..at].contains(r));
            if is_role(&part[..at])
                && !project_role
                && !company.is_empty()
                && company.split(' ').count() <= 5
                && !is_role(&company)
            {
                return Some(company);
            }
        }
    }
    let parts: Vec<String> =
        line.split([',', ';', '/', '|']).flat_map(|p| p.split(" - ")).map(clean).filter(|p| !p.is_empty()).collect();
    // A part that the alias table knows as a whole, or that is shaped like a company name.
    let known =
        parts.iter().find(|p| table.resolve(p).is_some_and(|c| c.names().any(|n| fold_name(n) == fold_name(p))));
    let shaped = || parts.iter().find(|p| has_company_suffix(p));
    // `Role, Company` or `Company, Role`: a short capitalised part without role words beside a role.
    let beside_role = || {
        (parts.len() == 2 && parts.iter().any(|p| is_role(p)))
            .then(|| {
                parts
                    .iter()
                    .find(|p| !is_role(p) && p.split(' ').count() <= 3 && p.starts_with(|c: char| c.is_uppercase()))
            })
            .flatten()
    };
    known.or_else(shaped).or_else(beside_role).cloned()
}

/// Whether a phrase names a role rather than an employer.
fn is_role(text: &str) -> bool {
    const ROLE_WORDS: &[&str] = &[
        "engineer",
        "architect",
        "developer",
        "consultant",
        "strategist",
        "scientist",
        "lead",
        "manager",
        "ceo",
        "cto",
        "cio",
        "coo",
        "founder",
        "co-founder",
        "advocate",
        "trainer",
        "trainerin",
        "specialist",
        "director",
        "head",
        "evangelist",
        "mvp",
        "expert",
        "enthusiast",
        "lecturer",
        "hacker",
        "professional",
        "rd",
        "student",
        "professor",
        "researcher",
        "analyst",
        "owner",
        "president",
        "designer",
        "programmer",
        "freelancer",
        "maintainer",
        "member",
        "chair",
        "intern",
        "administrator",
        "admin",
        "juggler",
        "sre",
        "committer",
        "reviewer",
        "contributor",
    ];
    text.to_lowercase().split(|c: char| !c.is_alphanumeric() && c != '-').any(|w| ROLE_WORDS.contains(&w))
}

/// Whether a name ends like a company's (`GmbH`, `AG`, `Inc.`, `Ltd`, `有限公司` …).
fn has_company_suffix(text: &str) -> bool {
    const SUFFIXES: [&str; 16] = [
        "gmbh",
        "ag",
        "inc",
        "ltd",
        "llc",
        "corp",
        "corporation",
        "group",
        "e.v",
        "se",
        "bv",
        "b.v",
        "s.a",
        "plc",
        "oy",
        "kg",
    ];
    let lower = text.to_lowercase();
    let last = lower.trim_end_matches('.').rsplit(' ').next().unwrap_or("");
    (text.contains(' ') && SUFFIXES.contains(&last)) || lower.ends_with("公司") || lower.ends_with("集团")
}

/// A short event name from a file name: `global-azure-bootcamp-linz-2021.json` → `Global Azure
/// Bootcamp Linz 2021`; for files whose format names no event (Sessionize).
pub fn event_name_from_source(source: &str) -> String {
    let stem = std::path::Path::new(source).file_stem().and_then(|s| s.to_str()).unwrap_or(source);
    stem.split(['-', '_', ' ', '.'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map(|c| c.to_uppercase().chain(chars).collect::<String>()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_recognised_by_content() {
        assert_eq!(
            detect("<?xml version=\"1.0\"?>\n<schedule><conference><title>X</title></conference></schedule>"),
            Some(Format::FrabXml)
        );
        assert_eq!(detect("<html><body>no</body></html>"), None);
        assert_eq!(
            detect(r#"{"$schema": "x", "schedule": {"conference": {"title": "X", "days": []}}}"#),
            Some(Format::FrabJson)
        );
        assert_eq!(detect(r#"{"sessions": [], "speakers": [], "categories": []}"#), Some(Format::Sessionize));
        assert_eq!(detect("{\"title\": \"A talk\", \"event\": {\"title\": \"E\"}}\n"), Some(Format::TalksJsonl));
        assert_eq!(detect("title,speakers,event\nA talk,Ann,E\n"), Some(Format::TalksCsv));
        // pyvideo's category.json and other JSON stay unrecognised.
        assert_eq!(detect("{\n  \"title\": \"EuroPython 2022\"\n}\n"), None);
        assert_eq!(detect("{\"title\": \"EuroPython 2022\"}"), None);
        assert_eq!(detect("just some notes\n"), None);
        assert!(may_be_schedule(b"\xef\xbb\xbf<?xml"));
        assert!(!may_be_schedule(b"\x89PNG\r\n\x1a\n\0\0"));
        assert!(!may_be_schedule(b"\xff\xd8\xff\xe0"));
    }

    #[test]
    fn affiliations_name_companies_and_roles_are_not_companies() {
        let cases = [
            ("Cloud Architect @ Contoso", Some("Contoso")),
            ("Container Platform Team @BAWAG Group ", Some("BAWAG Group")),
            ("Senior Developer Advocate at MongoDB", Some("MongoDB")),
            ("Technology Strategist, Dynatrace", Some("Dynatrace")),
            ("Senior Content Developer, Microsoft", Some("Microsoft")),
            ("ACP IT Solutions GMBH, Multi Cloud Architect ", Some("ACP IT Solutions GMBH")),
            ("www.IT-Visions.de / MAXIMAGO GmbH", Some("MAXIMAGO GmbH")),
            ("Microsoft; Azure Business Group Lead", Some("Microsoft")),
            ("codeworx gmbh", Some("codeworx gmbh")),
            ("Ethical Hacker", None),
            ("Senior Consultant, Trainerin, MVP and Power BI Enthusiast", None),
            ("SW Engineer, Technical Trainer, Consultant & Associate Lecturer", None),
            ("CEO atwork, MVP Office 365, Microsoft RD", None),
            ("Azure Enthusiast", None),
            ("CTO of Boldseas Technology Ltd.", Some("Boldseas Technology Ltd")),
            ("Senior Engineer of Taichi Graphics, Microsoft MVP", Some("Taichi Graphics")),
            ("AI Engineer in Jina AI", Some("Jina AI")),
            ("Executive Director of the Python Software Foundation", Some("Python Software Foundation")),
            ("PyPA member, creator of PDM, maintainer of Pipenv", None),
            // Letters whose lowercase is longer must not shift the cut.
            ("İİİİ Engineer at İstanbul Labs", Some("İstanbul Labs")),
            ("School of Artificial Intelligence, Beijing University of Posts and Telecommunications", None),
        ];
        for (line, want) in cases {
            assert_eq!(company_from_affiliation(line).as_deref(), want, "{line:?}");
        }
    }

    #[test]
    fn breaks_and_placeholders_are_not_talks() {
        let entry = |title: &str, kind: Option<&str>, speaker: bool| Entry {
            title: title.into(),
            kind: kind.map(str::to_string),
            speakers: if speaker { vec![Speaker { name: "Ann".into(), ..Speaker::default() }] } else { vec![] },
            ..Entry::default()
        };
        assert!(is_not_a_talk(&entry("Coffee Break", None, false)));
        assert!(is_not_a_talk(&entry("午间休息", None, false)));
        assert!(is_not_a_talk(&entry("Networking", Some("break"), false)));
        assert!(is_not_a_talk(&entry("TBA", None, true)));
        assert!(is_not_a_talk(&entry("  ", None, true)));
        assert!(!is_not_a_talk(&entry("Break", None, true)), "a talk titled Break with a speaker is a talk");
        assert!(!is_not_a_talk(&entry("Breaking changes in Rust", None, false)));
    }

    #[test]
    fn language_names_become_codes() {
        for (text, code) in [
            ("en", Some("en")),
            ("de-DE", Some("de")),
            ("German", Some("de")),
            ("華語", Some("zh")),
            ("", None),
            ("Klingon", None),
        ] {
            assert_eq!(language_code(text).as_deref(), code, "{text:?}");
        }
    }

    #[test]
    fn unlabelled_texts_get_their_language() {
        assert_eq!(text_language("服务网格中 TLS 的加速和优化"), "zh");
        assert_eq!(
            text_language("Pods, Deployments und Services: wie man Kubernetes im Betrieb einsetzt und überwacht"),
            "de"
        );
        assert_eq!(
            text_language("Comment utiliser Python pour analyser des données ouvertes dans les collectivités"),
            "fr"
        );
        assert_eq!(text_language("Writing fast Python: profiling, caching and the tricks that matter"), "en");
        assert_eq!(text_language("Rust"), "en", "too short to be sure: English");
    }

    #[test]
    fn event_names_from_file_names() {
        assert_eq!(event_name_from_source("x/global-azure-bootcamp-linz-2021.json"), "Global Azure Bootcamp Linz 2021");
    }
}
