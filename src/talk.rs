//! The domain records: an `Event`, the `Talk`s given at it and their `Speaker`s.

use serde::{Deserialize, Serialize};

/// A conference, meetup or webinar that talks belong to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Event {
    /// The event's name as the page gives it (front-matter `title`, pyvideo `category.json`).
    pub title: String,
    /// `YYYY-MM-DD` when the source states a date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// City or venue when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// A link to the event page or sign-up when the source gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The event's year when the source states a year but no date (a programme's `### 2021`
    /// heading); with a date, the date's year is the event's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<u16>,
    /// The file the event was read from, relative to the `--data` root it was found under.
    pub source: String,
    /// The event's time zone (`Europe/Brussels`, or an offset such as `+01:00`) when the source
    /// gives one; talks' `start` and `end` are in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
}

impl Event {
    /// The year of the event's date, else the year stated without a date, if any.
    pub fn year(&self) -> Option<u64> {
        let of_date = self.date.as_deref().and_then(|d| d.get(..4)?.parse().ok());
        of_date.or(self.year.map(u64::from))
    }
}

/// Someone presenting a talk.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Speaker {
    pub name: String,
    /// The speaker's introduction as the page gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bio: Option<String>,
    /// The company exactly as the page states it; `None` when the page names none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// Former employers the page names (`之前在 Google …`), never taken for the current company.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub former_companies: Vec<String>,
    /// Further current employers, as written, when the page names more than one
    /// (`甲公司架构师，乙公司云原生顾问`); `company` is the first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_companies: Vec<String>,
    /// Other names the page gives the person: a nickname (`花名：有济`), a handle (`GitHub ID …`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_names: Vec<String>,
}

/// One talk: the unit that is indexed and returned by search.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Talk {
    /// Stable id: a hash of the event title and the talk title (see [`Talk::make_id`]).
    pub id: String,
    pub title: String,
    /// The time slot as written on the page (`9:00 - 9:45`), when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    #[serde(default)]
    pub speakers: Vec<Speaker>,
    /// Summary or description paragraphs.
    #[serde(default, rename = "abstract")]
    pub abstract_text: String,
    /// Outline bullets (`话题大纲`, `议题大纲` …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outline: Vec<String>,
    /// What the audience takes away (`听众收获`, `听众收益` …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub takeaways: Vec<String>,
    /// `zh`, `en`, or the ISO 639-1 code the source declares.
    pub language: String,
    /// A link to a video or slides when the source gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub event: Event,
    /// When the talk starts, in the event's time zone: `2025-02-01T09:30:00+01:00` (ISO 8601, with
    /// the offset when the zone is known). Schedules give it; pages rarely do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// When the talk ends, like `start`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    /// The room or stage, as the schedule names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<String>,
    /// The track, devroom or topic the talk belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track: Option<String>,
    /// The title in the source's other language (bilingual schedules: `title_en` beside `title`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_title: Option<String>,
    /// Further links the schedule gives (recordings, slides, chat rooms …), beside `url`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    /// The other pages that list this same talk (an event page and its English version, a notice
    /// and a recap …): it is one result, and these are its other sources. Set at index time.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_listed: Vec<Listing>,
    /// Set on a listing that another listing of the same talk stands for: the id of that one.
    /// Such a talk is kept (its id still resolves) but is not searched or counted. Set at index time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listed_as: Option<String>,
}

/// Where else a talk is listed: the id, title and event of that listing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Listing {
    pub id: String,
    pub title: String,
    pub event: Event,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A link a schedule gives for a talk.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Link {
    pub url: String,
    /// What the link is (`Video recording (MP4)`, `Slides` …), when said.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
}

/// How much of a talk is indexed and stored: a talk past these is cut at index time (the index
/// summary names it), so no talk can make a search read, tokenize or highlight megabytes.
pub mod bounds {
    /// Characters of the title.
    pub const TITLE_CHARS: usize = 500;
    /// Speakers of one talk.
    pub const SPEAKERS: usize = 50;
    /// Characters of one speaker's name, and of their company.
    pub const NAME_CHARS: usize = 200;
    /// Characters of one speaker's bio.
    pub const BIO_CHARS: usize = 5_000;
    /// Characters of the abstract, and of the outline and of the takeaways (each all lines together).
    pub const BODY_CHARS: usize = 20_000;
}

/// Cuts `text` to at most `max` characters; says whether it did.
fn cut_chars(text: &mut String, max: usize) -> bool {
    match text.char_indices().nth(max) {
        Some((at, _)) => {
            text.truncate(at);
            true
        }
        None => false,
    }
}

/// Cuts `lines` so that all of them together hold at most `max` characters; says whether it did.
fn cut_lines(lines: &mut Vec<String>, max: usize) -> bool {
    let mut left = max;
    for (i, line) in lines.iter_mut().enumerate() {
        let n = line.chars().count();
        if n > left {
            cut_chars(line, left);
            lines.truncate(if left == 0 { i } else { i + 1 });
            return true;
        }
        left -= n;
    }
    false
}

impl Talk {
    /// Cuts the talk's texts to [`bounds`]; returns the names of the fields that were cut (empty
    /// for nearly every real talk).
    pub fn bound(&mut self) -> Vec<&'static str> {
        let mut cut = Vec::new();
        if cut_chars(&mut self.title, bounds::TITLE_CHARS) {
            cut.push("title");
        }
        if self.speakers.len() > bounds::SPEAKERS {
            self.speakers.truncate(bounds::SPEAKERS);
            cut.push("speakers");
        }
        let mut speakers_cut = false;
        let mut bios_cut = false;
        for s in &mut self.speakers {
            speakers_cut |= cut_chars(&mut s.name, bounds::NAME_CHARS);
            if let Some(company) = &mut s.company {
                speakers_cut |= cut_chars(company, bounds::NAME_CHARS);
            }
            for other in s.other_companies.iter_mut().chain(s.other_names.iter_mut()) {
                speakers_cut |= cut_chars(other, bounds::NAME_CHARS);
            }
            if let Some(bio) = &mut s.bio {
                bios_cut |= cut_chars(bio, bounds::BIO_CHARS);
            }
        }
        if speakers_cut && !cut.contains(&"speakers") {
            cut.push("speakers");
        }
        if bios_cut {
            cut.push("bio");
        }
        if cut_chars(&mut self.abstract_text, bounds::BODY_CHARS) {
            cut.push("abstract");
        }
        if cut_lines(&mut self.outline, bounds::BODY_CHARS) {
            cut.push("outline");
        }
        if cut_lines(&mut self.takeaways, bounds::BODY_CHARS) {
            cut.push("takeaways");
        }
        cut
    }

    /// The id for a talk titled `title` at the event titled `event_title`.
    ///
    /// `discriminator` separates talks that share an event and a title (two "Lightning Talks"
    /// sessions, say); readers pass `""` when the pair is unique. Whitespace is folded first so
    /// cosmetic edits to a page do not change ids.
    pub fn make_id(event_title: &str, title: &str, discriminator: &str) -> String {
        let mut hasher = blake3::Hasher::new();
        hasher.update(fold_whitespace(event_title).as_bytes());
        hasher.update(b"\x1f");
        hasher.update(fold_whitespace(title).as_bytes());
        hasher.update(b"\x1f");
        hasher.update(discriminator.as_bytes());
        hasher.finalize().to_hex()[..16].to_string()
    }
}

/// A speaker as a listing names them: `Name (Company)`, or the name alone.
pub fn name_with_company(name: &str, company: Option<&str>) -> String {
    match company {
        Some(c) => format!("{name} ({c})"),
        None => name.to_string(),
    }
}

/// Collapses runs of whitespace into one space and trims.
pub fn fold_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The folded form of a talk title that says whether two titles name the same talk: list numbering
/// (`五、`, `1.1.1`, `(2)`, `8  ` with two spaces) and everything but letters, digits and Han characters dropped, Latin
/// lowercased. `二、《蚂蚁服务发现的大规模实践和展望》` and `蚂蚁服务发现的大规模实践和展望` have one key.
pub fn title_key(title: &str) -> String {
    static NUMBERING: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"^\s*(?:(?:[0-9]{1,2}(?:\.[0-9]{1,2})+[.、．]?|[(（]?[0-9一二三四五六七八九十]{1,3}[)）.、．:：])\s*|[0-9]{1,3}\s{2,})+",
        )
        .expect("the numbering pattern compiles")
    });
    let body = NUMBERING.replace(title, "");
    let key: String = body.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
    // A title that is nothing but numbering keeps its own characters.
    if key.is_empty() {
        title.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
    } else {
        key
    }
}

/// `zh` when at least a fifth of the letters in `text` are Han characters, else `en`.
pub fn detect_language(text: &str) -> &'static str {
    let (mut han, mut letters) = (0usize, 0usize);
    for c in text.chars() {
        if is_han(c) {
            han += 1;
            letters += 1;
        } else if c.is_alphabetic() {
            letters += 1;
        }
    }
    // A Han character carries about as much as a short Latin word, hence the low threshold.
    if han > 0 && han * 5 >= letters {
        "zh"
    } else {
        "en"
    }
}

/// Whether `c` is a CJK unified ideograph (including extension A and compatibility forms).
pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_whitespace_insensitive() {
        let a = Talk::make_id("Service Mesh Summit 2022", "服务网格中 TLS 的加速和优化", "");
        let b = Talk::make_id("Service  Mesh Summit 2022", " 服务网格中 TLS  的加速和优化 ", "");
        assert_eq!(a, b);
        assert_eq!(a.len(), 16);
        assert_ne!(a, Talk::make_id("Service Mesh Summit 2022", "服务网格中 TLS 的加速和优化", "2"));
    }

    #[test]
    fn title_keys_ignore_numbering_brackets_and_punctuation() {
        let key = title_key("蚂蚁服务发现的大规模实践和展望");
        assert_eq!(title_key("二、《蚂蚁服务发现的大规模实践和展望》"), key);
        assert_eq!(title_key("1.1.1 蚂蚁服务发现的大规模实践和展望"), key);
        assert_eq!(title_key("(3) 蚂蚁服务发现的「大规模」实践和展望"), key);
        assert_eq!(title_key("The Mighty Dictionary!"), "themightydictionary");
        assert_eq!(title_key("2022 年云原生趋势"), "2022年云原生趋势", "a year is not numbering");
        assert_ne!(title_key("Go 泛型设计"), title_key("Go 泛型"));
        assert_eq!(title_key("1."), "1");
        assert_eq!(title_key("9  When Knowledge Graph meet Python"), "whenknowledgegraphmeetpython");
        assert_eq!(title_key("5 Steps to Speed Up"), "5stepstospeedup", "one space: a number of the title");
    }

    #[test]
    fn language_detection() {
        assert_eq!(detect_language("服务网格中 TLS 的加速和优化"), "zh");
        assert_eq!(detect_language("Apache APISIX 借助 Service Mesh 实现统一技术栈的全流量管理"), "zh");
        assert_eq!(detect_language("Writing fast Python"), "en");
        assert_eq!(detect_language(""), "en");
    }

    #[test]
    fn event_year() {
        let mut e = Event { date: Some("2022-03-19".into()), ..Event::default() };
        assert_eq!(e.year(), Some(2022));
        e.date = None;
        assert_eq!(e.year(), None);
    }

    #[test]
    fn huge_talks_are_cut_to_the_bounds_and_say_where() {
        let mut talk = Talk {
            title: "标题".repeat(400),
            abstract_text: "x".repeat(10 << 20),
            outline: vec!["a".repeat(15_000), "b".repeat(15_000), "c".into()],
            speakers: vec![Speaker { name: "张三".into(), bio: Some("简介".repeat(4_000)), ..Speaker::default() }],
            ..Talk::default()
        };
        assert_eq!(talk.bound(), ["title", "bio", "abstract", "outline"]);
        assert_eq!(talk.title.chars().count(), bounds::TITLE_CHARS);
        assert_eq!(talk.abstract_text.len(), bounds::BODY_CHARS);
        assert_eq!(talk.outline.len(), 2);
        assert_eq!(talk.outline.iter().map(|l| l.len()).sum::<usize>(), bounds::BODY_CHARS);
        assert_eq!(talk.speakers[0].bio.as_ref().unwrap().chars().count(), bounds::BIO_CHARS);
        assert!(talk.bound().is_empty(), "a bounded talk is left as it is");
    }
}
