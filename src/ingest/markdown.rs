//! Chinese (and English) Markdown event pages: Hugo front matter, then talk sections.
//!
//! The pages come from several community sites (see `/work/shared/corpus/README.md`) and none of
//! them follows a schema: a talk may be a `### heading` with `讲师：`/`**讲师介绍**` blocks under it,
//! a row of a Markdown table, a bullet such as `- 赵化冰（中兴通讯）：title`, or the whole page (one
//! talk per file). The reader therefore works in four steps:
//!
//! 1. **front matter** → the [`Event`] (title, date, location, url);
//! 2. **blocks**: the body becomes a flat list of headings, paragraphs, list items and table rows;
//! 3. **sections**: a `Walker` splits the blocks at headings into `Draft` talks, recognising the
//!    field labels (`讲师`, `话题大纲`, `听众收获` …) that fill a draft instead of starting one;
//! 4. **fields**: each draft becomes a [`Talk`] only when it carries *talk evidence* (a speaker, a
//!    time slot, an outline …) and is not a schedule slot such as `合影、茶歇`.
//!
//! Headings alone are never talks: job ads and book announcements have plenty of them.
//!
//! Decisions worth knowing:
//! - Times are kept as written (`11:15 -12:00`, `16:45: 17:30`), only trimmed.
//! - `Speaker.company` is filled here only from an explicit `公司：` line. Bracketed text after a name
//!   (`宋净超（Tetrate 布道师、…）`, `石建伟（卓与）`) may be a company, a role or an alias, so it goes
//!   to the bio, where [`super::affiliation::enrich`] (run on every page by `parse_bytes`) reads it.
//! - Opening remarks and round tables (`开场致辞`, `圆桌`) are talks when the page names a speaker for
//!   them; breaks (`签到入场`, `合影、茶歇`, `Lunch`) never are.
//! - A list of numbered slide links (`* [1.1.1 title](x.pdf)` under `### 2023 上海`) gives one event
//!   per heading: the event title becomes `<page title> <heading>`.

use std::collections::HashMap;

use once_cell::sync::Lazy;
use regex::Regex;
use serde_json::Value;

use super::IngestError;
use crate::talk::{detect_language, fold_whitespace, is_han, Event, Speaker, Talk};

/// Parses one Markdown page into its talks (none for pages that hold no talks).
///
/// `source` is recorded in every talk's event and names the page when it has no title.
/// Fails only when the front matter is broken; any body is accepted.
pub fn parse(text: &str, source: &str) -> Result<Vec<Talk>, IngestError> {
    let text = text.trim_start_matches('\u{feff}').replace("\r\n", "\n");
    let (meta, body) = split_front_matter(&text)?;
    // Hugo section index pages list other pages; their own text is never a talk.
    if file_name(source) == "_index.md" {
        return Ok(Vec::new());
    }
    let event = event_from(&meta, body, source);
    let mut walker = Walker::default();
    for block in blocks(body) {
        walker.feed(block);
    }
    let drafts = walker.finish(&event.title, meta_str(&meta, &["section1", "time"]));
    let mut talks = into_talks(drafts, &event);
    add_designations(&mut talks, &meta);
    Ok(talks)
}

/// Fills speakers from the front matter's speaker list (`speaker: [{name, designation}]`, the
/// jimmysong.io event pages): the designation (`蚂蚁集团高级技术专家`, `PingCAP`) is the page's
/// own line about the person, so it opens the bio; an alias in the listed name (`赵新（于雨）`) is
/// kept. Only speakers the body names for a talk are filled: the list alone says who spoke at
/// the event, not which talk was theirs.
fn add_designations(talks: &mut [Talk], meta: &Value) {
    let Some(list) = meta.get("speaker").and_then(Value::as_array) else {
        return;
    };
    for entry in list {
        let (Some(raw), designation) =
            (entry.get("name").and_then(Value::as_str), entry.get("designation").and_then(Value::as_str))
        else {
            continue;
        };
        let Some(listed) = finish_speaker(Speaker { name: clean(raw), ..Speaker::default() }) else {
            continue;
        };
        let designation = designation.map(clean).filter(|d| !d.is_empty());
        for speaker in talks.iter_mut().flat_map(|t| t.speakers.iter_mut()) {
            let same = speaker.name == listed.name || listed.other_names.contains(&speaker.name);
            if !same {
                continue;
            }
            for alias in &listed.other_names {
                if alias != &speaker.name && !speaker.other_names.contains(alias) {
                    speaker.other_names.push(alias.clone());
                }
            }
            if let Some(d) = &designation {
                speaker.bio = match speaker.bio.take() {
                    None => Some(d.clone()),
                    Some(bio) if bio.contains(d.as_str()) => Some(bio),
                    Some(bio) => Some(format!("{d}\n{bio}")),
                };
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Front matter and the event
// ---------------------------------------------------------------------------------------------

/// Splits `---` YAML or `+++` TOML front matter from the body. A page without front matter gets
/// `Value::Null`; an unterminated or unparsable block is an error rather than silently becoming body.
fn split_front_matter(text: &str) -> Result<(Value, &str), IngestError> {
    let first = text.lines().next().unwrap_or("").trim_end();
    let fence = match first {
        "---" => "---",
        "+++" => "+++",
        _ => return Ok((Value::Null, text)),
    };
    let after_open = &text[first.len()..];
    let after_open = after_open.strip_prefix('\n').unwrap_or(after_open);
    let mut offset = 0;
    for line in after_open.split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == fence || (fence == "---" && trimmed == "...") {
            let raw = &after_open[..offset];
            let body = &after_open[offset + line.len()..];
            let meta = if fence == "---" { parse_yaml(raw)? } else { parse_toml(raw)? };
            return Ok((meta, body));
        }
        offset += line.len();
    }
    Err(IngestError::FrontMatter(format!("no closing `{fence}` line")))
}

fn parse_yaml(raw: &str) -> Result<Value, IngestError> {
    let value: serde_yaml::Value =
        serde_yaml::from_str(raw).map_err(|e| IngestError::FrontMatter(format!("YAML: {e}")))?;
    Ok(yaml_to_json(value))
}

fn parse_toml(raw: &str) -> Result<Value, IngestError> {
    let value: toml::Value = toml::from_str(raw).map_err(|e| IngestError::FrontMatter(format!("TOML: {e}")))?;
    Ok(toml_to_json(value))
}

/// YAML allows non-string keys and tags; both are flattened to strings so lookups stay simple.
fn yaml_to_json(value: serde_yaml::Value) -> Value {
    use serde_yaml::Value as Y;
    match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => Value::String(n.to_string()),
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect()),
        Y::Mapping(map) => Value::Object(
            map.into_iter()
                .filter_map(|(k, v)| {
                    let key = match yaml_to_json(k) {
                        Value::String(s) => s,
                        Value::Bool(b) => b.to_string(),
                        _ => return None,
                    };
                    Some((key, yaml_to_json(v)))
                })
                .collect(),
        ),
        Y::Tagged(tagged) => yaml_to_json(tagged.value),
    }
}

/// TOML datetimes become their RFC 3339 text, like the quoted dates of YAML pages.
fn toml_to_json(value: toml::Value) -> Value {
    use toml::Value as T;
    match value {
        T::String(s) => Value::String(s),
        T::Integer(i) => Value::String(i.to_string()),
        T::Float(f) => Value::String(f.to_string()),
        T::Boolean(b) => Value::Bool(b),
        T::Datetime(d) => Value::String(d.to_string()),
        T::Array(items) => Value::Array(items.into_iter().map(toml_to_json).collect()),
        T::Table(table) => Value::Object(table.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect()),
    }
}

/// The non-empty string at `path` in the front matter, cleaned of Markdown.
fn meta_str(meta: &Value, path: &[&str]) -> Option<String> {
    let mut value = meta;
    for key in path {
        value = value.get(key)?;
    }
    let text = clean(value.as_str()?);
    (!text.is_empty()).then_some(text)
}

fn event_from(meta: &Value, body: &str, source: &str) -> Event {
    let title = meta_str(meta, &["event"])
        .or_else(|| meta_str(meta, &["title"]))
        .or_else(|| first_h1(body))
        .unwrap_or_else(|| page_name(source));
    let title = strip_notice(&title);
    // Kubesphere live pages carry their date only in `section1.time` ("2024-05-25 14:00-18:00").
    let date = ["date", "publishDate"]
        .iter()
        .find_map(|k| meta_str(meta, &[k]))
        .or_else(|| meta_str(meta, &["section1", "time"]))
        .and_then(|d| normalise_date(&d));
    let location = meta_str(meta, &["location"])
        .or_else(|| meta_str(meta, &["address", "city"]))
        .or_else(|| meta_str(meta, &["section1", "base"]));
    let url = ["link", "event_url", "url"]
        .iter()
        .filter_map(|k| meta_str(meta, &[k]))
        .find(|u| u.starts_with("http://") || u.starts_with("https://"));
    Event { title, date, location, url, source: source.to_string(), ..Event::default() }
}

/// An event's name without the call to sign up that announcements append to it
/// (`Service Mesh Summit 服务网格峰会 2022 正在报名中`, `…第四期广州站报名`, `【活动报名】…`).
fn strip_notice(title: &str) -> String {
    static NOTICE: Lazy<Regex> = Lazy::new(|| {
        Regex::new(
            r"\s*[|｜,，:：\-—]*\s*[（(【\[]?\s*(?:正在|火热|开始|现已|现在|已经|即将)?(?:开放)?(?:报名|注册)(?:中|开启|开始|啦|了)?\s*[!！~～]*\s*[)）】\]]?\s*[!！]*$",
        )
        .unwrap()
    });
    static LEADING: Lazy<Regex> = Lazy::new(|| Regex::new(r"^\s*[【\[](?:活动)?报名(?:中)?[】\]]\s*").unwrap());
    let stripped = LEADING.replace(title, "");
    let stripped = NOTICE.replace(&stripped, "");
    let stripped = stripped.trim();
    // Only a notice that follows a name goes: `报名` alone is left as the page calls itself.
    if stripped.chars().count() >= 2 && stripped.len() < title.trim().len() {
        stripped.to_string()
    } else {
        title.to_string()
    }
}

/// `YYYY-MM-DD` from the leading date of `2022-02-22T09:27:49+08:00`, `2021/8/6`, `2021 年 6 月 2 日` ….
fn normalise_date(text: &str) -> Option<String> {
    static DATE: Lazy<Regex> =
        Lazy::new(|| Regex::new(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})").unwrap());
    let caps = DATE.captures(text)?;
    let (y, m, d) = (&caps[1], caps[2].parse::<u32>().ok()?, caps[3].parse::<u32>().ok()?);
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then(|| format!("{y}-{m:02}-{d:02}"))
}

fn first_h1(body: &str) -> Option<String> {
    body.lines().find_map(|l| l.strip_prefix("# ")).map(clean).filter(|t| !t.is_empty())
}

fn file_name(source: &str) -> &str {
    source.rsplit(['/', '\\']).next().unwrap_or(source)
}

/// A title for a page with none: its file stem, or its folder for `index.md`/`README.md` bundles.
fn page_name(source: &str) -> String {
    let mut parts = source.rsplit(['/', '\\']).filter(|p| !p.is_empty());
    let file = parts.next().unwrap_or(source);
    let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
    match stem.to_ascii_lowercase().as_str() {
        "index" | "readme" | "_index" => parts.next().unwrap_or(stem).to_string(),
        _ => stem.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Blocks
// ---------------------------------------------------------------------------------------------

/// One structural piece of the body. Text is raw Markdown; it is cleaned where it is used because
/// some layouts need the raw form (links to slides, `**bold**` pseudo-headings).
#[derive(Debug, Clone, PartialEq)]
enum Block {
    Heading { level: usize, text: String },
    Paragraph(String),
    Item(String),
    Row(Vec<String>),
}

static HEADING: Lazy<Regex> = Lazy::new(|| Regex::new(r"^(#{1,6})\s+(.*?)(?:\s+#+)?\s*$").unwrap());
static ITEM: Lazy<Regex> = Lazy::new(|| Regex::new(r"^\s*(?:[-*+]|\d{1,3}[.)、])\s+(.*)$").unwrap());
static TABLE_RULE: Lazy<Regex> = Lazy::new(|| Regex::new(r"^\|?[\s:|-]+\|?$").unwrap());
static COMMENT: Lazy<Regex> = Lazy::new(|| Regex::new(r"(?s)<!--.*?-->").unwrap());

/// Splits the body into blocks. Code fences and HTML comments are dropped; a line that starts with
/// a known `key：` becomes its own paragraph because pages often omit the blank line between them.
fn blocks(body: &str) -> Vec<Block> {
    let body = COMMENT.replace_all(body, "");
    let mut out = Vec::new();
    let mut para: Vec<&str> = Vec::new();
    let mut in_fence = false;
    let flush = |para: &mut Vec<&str>, out: &mut Vec<Block>| {
        if !para.is_empty() {
            out.push(Block::Paragraph(para.join("\n")));
            para.clear();
        }
    };
    for line in body.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            flush(&mut para, &mut out);
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        if trimmed.is_empty() {
            flush(&mut para, &mut out);
        } else if let Some(caps) = HEADING.captures(trimmed) {
            flush(&mut para, &mut out);
            out.push(Block::Heading { level: caps[1].len(), text: caps[2].to_string() });
        } else if trimmed.starts_with('|') {
            flush(&mut para, &mut out);
            if !TABLE_RULE.is_match(trimmed) {
                let inner = trimmed.trim_start_matches('|').trim_end_matches('|');
                out.push(Block::Row(inner.split('|').map(|c| c.trim().to_string()).collect()));
            }
        } else if let Some(caps) = ITEM.captures(line) {
            flush(&mut para, &mut out);
            out.push(Block::Item(caps[1].to_string()));
        } else if key_value(&clean(trimmed)).is_some() {
            flush(&mut para, &mut out);
            out.push(Block::Paragraph(trimmed.to_string()));
        } else {
            para.push(trimmed);
        }
    }
    flush(&mut para, &mut out);
    out
}

/// Removes Markdown decoration: shortcodes, images, HTML tags, link syntax (keeping the text),
/// emphasis markers and code ticks.
fn clean(text: &str) -> String {
    static SHORTCODE: Lazy<Regex> = Lazy::new(|| Regex::new(r"(?s)\{\{[<%].*?[%>]\}\}").unwrap());
    static IMAGE: Lazy<Regex> = Lazy::new(|| Regex::new(r"!\[[^\]]*\]\([^)]*\)").unwrap());
    static LINK: Lazy<Regex> = Lazy::new(|| Regex::new(r"\[([^\]]*)\]\([^)]*\)").unwrap());
    static AUTOLINK: Lazy<Regex> = Lazy::new(|| Regex::new(r"<(https?://[^>\s]+)>").unwrap());
    static TAG: Lazy<Regex> = Lazy::new(|| Regex::new(r"</?[a-zA-Z][^>]*>").unwrap());
    let text = SHORTCODE.replace_all(text, "");
    let text = IMAGE.replace_all(&text, "");
    let text = LINK.replace_all(&text, "$1");
    let text = AUTOLINK.replace_all(&text, "$1");
    let text = TAG.replace_all(&text, "");
    text.replace("**", "").replace("__", "").replace('`', "").replace("&nbsp;", " ").trim().to_string()
}

/// The first http(s) URL in raw Markdown (a link target, an autolink or bare text).
fn first_url(raw: &str) -> Option<String> {
    static URL: Lazy<Regex> = Lazy::new(|| Regex::new(r"https?://[^\s)\]>）|]+").unwrap());
    URL.find(raw).map(|m| m.as_str().to_string())
}

// ---------------------------------------------------------------------------------------------
// Vocabulary: field labels, headings that organise a page, slots that are not talks
// ---------------------------------------------------------------------------------------------

/// What a `key：value` line or a label (`**讲师介绍**`, `## 听众受益`) fills in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Speaker,
    Bio,
    Company,
    Time,
    Topic,
    /// `活动主题`: the event's theme, which names the talk only on one-talk episode pages
    /// (`SOFAChannel#27：深入 HTTP/3`).
    Theme,
    Abstract,
    Outline,
    Takeaways,
    Url,
    /// Event metadata (`地点`, `主持人`, `赞助商` …): not part of any talk.
    Ignore,
}

fn field_of(key: &str) -> Option<Field> {
    // sofastack writes labels as `**「嘉宾简介」**`.
    let key = key.trim().trim_matches(['「', '」', '【', '】']).trim().to_lowercase();
    let field = match key.as_str() {
        "讲师" | "嘉宾" | "主讲人" | "主讲" | "分享嘉宾" | "分享人" | "演讲嘉宾" | "讲者" | "演讲者" | "分享者"
        | "speaker" | "speakers" => Field::Speaker,
        "讲师介绍" | "讲师简介" | "个人介绍" | "个人简介" | "嘉宾介绍" | "嘉宾简介" | "分享人简介" | "分享人介绍"
        | "分享嘉宾介绍" | "关于讲师" | "讲师信息" | "bio" | "speaker bio" => Field::Bio,
        "公司" | "单位" | "company" => Field::Company,
        "活动主题" => Field::Theme,
        "时间" | "分享时间" | "演讲时间" | "直播时间" | "time" => Field::Time,
        "主题" | "话题" | "分享主题" | "演讲主题" | "议题" | "题目" | "topic" | "title" => Field::Topic,
        "演讲概要" | "议题简介" | "议题概要" | "议题介绍" | "分享主题介绍" | "分享内容简介" | "分享概要"
        | "分享简介" | "分享介绍" | "内容简介" | "话题介绍" | "话题简介" | "演讲简介" | "主题简介" | "topic 简介"
        | "topic简介" | "abstract" | "description" | "summary" => Field::Abstract,
        "话题大纲" | "议题大纲" | "本期分享大纲" | "分享大纲" | "主题大纲" | "演讲大纲" | "大纲" | "outline" => {
            Field::Outline
        }
        "听众收获" | "听众收益" | "听众受益" | "收获" | "takeaways" => Field::Takeaways,
        "视频链接" | "视频" | "视频回放" | "回放" | "视频回看" | "回放地址" | "video" | "slides" | "幻灯片" => {
            Field::Url
        }
        "地点" | "活动地点" | "地址" | "主持人" | "主办方" | "承办方" | "协办方" | "赞助商" | "场地赞助商"
        | "合作伙伴" | "直播间" | "直播地址" | "互动归档" | "报名" | "报名方式" | "报名链接" | "活动形式"
        | "活动时间" | "费用" | "资料下载" | "活动回顾" | "详见" | "cost" | "location" | "how to participate" => {
            Field::Ignore
        }
        // `本次活动赞助商：…` and similar event metadata under other names.
        _ if key.chars().count() <= 10
            && ["赞助", "主办", "承办", "协办", "报名", "合作伙伴"].iter().any(|w| key.contains(w)) =>
        {
            Field::Ignore
        }
        _ => return None,
    };
    Some(field)
}

/// Splits `讲师：宋净超` into its field and value; `None` unless the key is a known one.
fn key_value(text: &str) -> Option<(Field, &str)> {
    static KEY: Lazy<Regex> = Lazy::new(|| Regex::new(r"^([^：:\n]{1,16}?)\s*[：:]\s*").unwrap());
    if let Some(field) = field_of(text.trim_end_matches(['：', ':'])) {
        return Some((field, ""));
    }
    let caps = KEY.captures(text)?;
    let field = field_of(&caps[1])?;
    let rest = text.get(caps[0].len()..).unwrap_or("").trim();
    Some((field, rest))
}

/// What a heading does on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HeadingRole {
    /// `日程`, `议程`, `话题` …: what follows is the programme.
    Agenda,
    /// `活动信息`, `关于本次活动`, `下载 PPT` …: event details, never a talk.
    Details,
    /// `## 嘉宾` after the programme (SOFAChannel pages): everyone on stage, hosts included. It
    /// ends the talk above; its bios belong to the page, which may itself be the one talk.
    Guests,
    /// `## 分享人简介`, `### 本期分享大纲：`: a field of the talk being read, not a new section.
    Label(Field),
    /// Anything else may be a talk title.
    Title,
}

fn heading_role(heading: &str) -> HeadingRole {
    const AGENDA: &[&str] = &[
        "日程",
        "日程表",
        "讲师分享",
        "议题介绍",
        "分享议题",
        "议程",
        "活动议程",
        "活动日程",
        "活动流程",
        "详细日程",
        "话题",
        "议题",
        "议题详情",
        "讲师与演讲话题",
        "讲师与话题",
        "演讲话题",
        "讲师与topic",
        "本期议题以及嘉宾详解",
        "直播安排",
        "agenda",
        "schedule",
        "talks",
        "program",
    ];
    const GUESTS: &[&str] = &["嘉宾", "讲师团"];
    const DETAIL_WORDS: &[&str] = &[
        "活动",
        "关于",
        "加入",
        "报名",
        "下载",
        "回看",
        "回放",
        "赞助",
        "合作伙伴",
        "更多",
        "联系",
        "概要",
        "介绍",
        "简介",
    ];
    let h = heading.trim_end_matches(['：', ':']).trim().to_lowercase();
    if AGENDA.contains(&h.as_str()) {
        return HeadingRole::Agenda;
    }
    if GUESTS.contains(&h.as_str()) {
        return HeadingRole::Guests;
    }
    if let Some((field, "")) = key_value(heading) {
        return HeadingRole::Label(field);
    }
    if h.chars().count() <= 12 && DETAIL_WORDS.iter().any(|w| h.contains(w)) {
        HeadingRole::Details
    } else {
        HeadingRole::Title
    }
}

/// What kind of slot a title names, judged only on short titles so real talk titles that mention
/// a break ("…午休时间的自动扩缩容") are not caught.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Talk,
    /// Opening remarks, round tables: talks only when someone is named for them.
    Ceremony,
    /// Check-in, photos, tea, lunch: never talks.
    Break,
}

fn slot_of(title: &str) -> Slot {
    const BREAKS: &[&str] = &[
        "签到",
        "入场",
        "合影",
        "茶歇",
        "午餐",
        "午休",
        "休息",
        "晚餐",
        "自由交流",
        "互动",
        "抽奖",
        "break",
        "lunch",
        "coffee",
        "check-in",
        "registration",
        "networking",
    ];
    const CEREMONIES: &[&str] =
        &["开场", "致辞", "主持人", "圆桌", "闭幕", "结束", "庆祝", "opening", "welcome", "closing", "round table"];
    let t = title.to_lowercase();
    if t.chars().count() > 12 {
        Slot::Talk
    } else if BREAKS.iter().any(|w| t.contains(w)) {
        Slot::Break
    } else if CEREMONIES.iter().any(|w| t.contains(w)) {
        Slot::Ceremony
    } else {
        Slot::Talk
    }
}

// ---------------------------------------------------------------------------------------------
// Section splitting
// ---------------------------------------------------------------------------------------------

/// A talk being assembled from a section, a list item or a table row.
#[derive(Debug, Clone, Default)]
struct Draft {
    title: String,
    /// A `主题：`/`Topic:` line, which names the talk better than the heading above it.
    topic: Option<String>,
    time: Option<String>,
    speakers: Vec<Speaker>,
    abstract_parts: Vec<String>,
    outline: Vec<String>,
    takeaways: Vec<String>,
    url: Option<String>,
    /// Something only talks have was seen: a speaker or bio block, a time slot, an outline ….
    evidence: bool,
    /// The abstract came under an explicit label (`演讲概要`), not just as page prose.
    labelled_abstract: bool,
    /// Whether the next paragraph may name a speaker without a `讲师：` label.
    leading_names: LeadingNames,
    /// The language a schedule states (`【中】`, `【英】`), which beats guessing from the title.
    language: Option<&'static str>,
    /// The heading a slide-list entry sat under (`2023 上海`), which names its own event.
    group: Option<String>,
}

impl Draft {
    fn from_heading(raw: &str, in_agenda: bool) -> Draft {
        let (time, title) = split_time(&clean(raw));
        if let Some((title, speakers)) = by_speakers(&title, time.is_some()) {
            let title = strip_title_decoration(&title);
            return Draft { title, time, speakers, evidence: true, ..Draft::default() };
        }
        // Recap posts head each talk `### 张超盟（华为）——title`.
        if let Some((speaker, title)) = bracketed_speaker(&title, false) {
            return Draft { title, time, speakers: vec![speaker], evidence: true, ..Draft::default() };
        }
        // A `《》`-quoted heading is a talk title as surely as a time slot is.
        let quoted = title.starts_with('《') && title.ends_with('》');
        let title = strip_title_decoration(&title);
        let leading_names =
            if in_agenda || time.is_some() || quoted { LeadingNames::Programme } else { LeadingNames::OneLiner };
        Draft { evidence: time.is_some(), title, time, leading_names, ..Draft::default() }
    }

    fn is_talk(&self) -> bool {
        let title = self.topic.as_deref().unwrap_or(&self.title);
        if title.is_empty() || !self.evidence {
            return false;
        }
        match slot_of(title) {
            Slot::Talk => true,
            Slot::Ceremony => !self.speakers.is_empty(),
            Slot::Break => false,
        }
    }

    /// Whether the page as a whole describes one talk (kubesphere live pages, `- 主题：` notices).
    fn is_page_talk(&self) -> bool {
        self.topic.is_some()
            || (!self.speakers.is_empty()
                && (self.labelled_abstract || !self.outline.is_empty() || !self.takeaways.is_empty()))
    }
}

/// How far a section's opening paragraphs are trusted to name its speakers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum LeadingNames {
    #[default]
    No,
    /// A short `江河清，阿里巴巴` line under a heading names the speaker, but alone proves no talk.
    OneLiner,
    /// In a programme (under `## 日程`, or a timed heading) "Name role" paragraphs are the speakers
    /// (`吴晟 Apache SkyWalking创始人…`).
    Programme,
}

/// What plain paragraphs and bullets in the current section are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Section {
    #[default]
    Abstract,
    Bio,
    Outline,
    Takeaways,
    /// The next paragraph is the time (`## 直播时间`).
    Time,
    /// The next paragraph holds the video link (`视频回放：` on its own line).
    Url,
    Ignore,
}

/// Walks the blocks of a page, keeping the talk under construction and the page-level text.
#[derive(Debug, Default)]
struct Walker {
    talks: Vec<Draft>,
    /// Text outside any talk section: the page may itself be one talk.
    page: Draft,
    current: Option<Draft>,
    section: Section,
    /// Level of the enclosing `## 日程`-like heading, if any.
    agenda_level: Option<usize>,
    /// Text of the last heading, naming the event of slide-list entries under it.
    last_heading: Option<String>,
    table: Vec<Vec<String>>,
    /// The name of a speaker card the last block was (`汤伟\n蚂蚁集团资深技术专家`): in a
    /// programme written as paragraphs it introduces the `《title》` that follows, not the talk above.
    card: Option<String>,
}

impl Walker {
    fn feed(&mut self, block: Block) {
        if !matches!(block, Block::Row(_)) {
            self.flush_table();
        }
        let card = self.card.take();
        match block {
            Block::Heading { level, text } => self.heading(level, &text),
            Block::Paragraph(raw) => self.paragraph(&raw, card),
            Block::Item(raw) => self.item(&raw),
            Block::Row(cells) => self.table.push(cells),
        }
    }

    fn heading(&mut self, level: usize, raw: &str) {
        let text = clean(raw);
        let text = text.trim_start_matches(['|', ' ']);
        // A `# ` heading is the page's own title (READMEs without front matter), never a talk.
        let role = if level == 1 { HeadingRole::Details } else { heading_role(text) };
        if let HeadingRole::Label(field) = role {
            self.label(field);
            return;
        }
        self.close_section();
        self.last_heading = Some(text.to_string());
        if self.agenda_level.is_some_and(|l| level <= l) {
            self.agenda_level = None;
        }
        match role {
            HeadingRole::Agenda => self.agenda_level = Some(level),
            HeadingRole::Title => self.current = Some(Draft::from_heading(text, self.agenda_level.is_some())),
            HeadingRole::Guests => self.section = Section::Bio,
            HeadingRole::Label(_) | HeadingRole::Details => {}
        }
    }

    fn paragraph(&mut self, raw: &str, card: Option<String>) {
        if let Some(mut draft) = pseudo_heading(raw) {
            if let (Some(name), true) = (card, draft.speakers.is_empty()) {
                let above = self.target();
                if let Some(at) = above.speakers.iter().rposition(|s| s.name == name) {
                    draft.speakers.push(above.speakers.remove(at));
                    draft.evidence = true;
                }
            }
            self.close_section();
            self.current = Some(draft);
            return;
        }
        self.content(raw, false);
        // A short `Name\nRole` paragraph that became a speaker may belong to the title below it.
        let text = clean(raw);
        let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        if (2..=3).contains(&lines.len()) && lines.iter().all(|l| l.chars().count() <= 30) && is_name(lines[0], 4) {
            let name = lines[0].to_string();
            if self.target().speakers.last().is_some_and(|s| s.name == name) {
                self.card = Some(name);
            }
        }
    }

    fn item(&mut self, raw: &str) {
        if !matches!(self.section, Section::Outline | Section::Takeaways | Section::Bio) {
            if let Some(mut talk) = slide_link(raw) {
                talk.group = self.last_heading.clone();
                self.push_talk(talk);
                return;
            }
            if let Some(talk) = list_talk(raw, self.agenda_level.is_some() && self.current.is_none()) {
                self.push_talk(talk);
                return;
            }
        }
        self.content(raw, true);
    }

    /// A paragraph or bullet inside the current section (or the page when there is none).
    fn content(&mut self, raw: &str, bullet: bool) {
        let text = clean(raw);
        if text.is_empty() {
            return;
        }
        if let Some((field, value)) = key_value(&text) {
            if value.is_empty() {
                self.label(field);
            } else {
                let value = value.to_string();
                self.field(field, &value, raw);
            }
            return;
        }
        let section = self.section;
        let draft = self.target();
        match section {
            Section::Abstract => {
                if !bullet && draft.abstract_parts.is_empty() {
                    if let Some(speaker) = implicit_speaker(&text, draft.leading_names) {
                        draft.evidence |= draft.leading_names == LeadingNames::Programme;
                        draft.speakers.push(speaker);
                        return;
                    }
                }
                draft.leading_names = LeadingNames::No;
                draft.abstract_parts.push(text);
            }
            Section::Bio => add_bio(draft, &text, false),
            Section::Outline => draft.outline.push(text),
            Section::Takeaways => draft.takeaways.push(text),
            Section::Time => {
                draft.time.get_or_insert(text);
            }
            Section::Url => {
                if draft.url.is_none() {
                    draft.url = first_url(raw);
                }
            }
            Section::Ignore => {}
        }
    }

    /// A bare label (`**讲师介绍**`, `听众收益：`, `## 分享人简介`) switches what the following text is.
    fn label(&mut self, field: Field) {
        self.section = match field {
            Field::Speaker | Field::Bio => Section::Bio,
            Field::Outline => Section::Outline,
            Field::Takeaways => Section::Takeaways,
            Field::Abstract | Field::Topic => Section::Abstract,
            Field::Time => Section::Time,
            Field::Url => Section::Url,
            Field::Company | Field::Theme | Field::Ignore => Section::Ignore,
        };
        let draft = self.target();
        draft.leading_names = LeadingNames::No;
        match field {
            Field::Abstract => draft.labelled_abstract = true,
            Field::Ignore | Field::Url | Field::Company | Field::Time | Field::Topic | Field::Theme => return,
            _ => {}
        }
        draft.evidence = true;
    }

    /// A `key：value` line.
    fn field(&mut self, field: Field, value: &str, raw: &str) {
        self.section = match field {
            Field::Outline => Section::Outline,
            Field::Takeaways => Section::Takeaways,
            _ => Section::Abstract,
        };
        let draft = self.target();
        draft.leading_names = LeadingNames::No;
        match field {
            Field::Speaker => draft.speakers.extend(speakers_from(value)),
            Field::Bio => add_bio(draft, value, true),
            Field::Company => match draft.speakers.last_mut() {
                Some(s) if s.company.is_none() => s.company = Some(value.to_string()),
                _ => {}
            },
            Field::Time => {
                draft.time.get_or_insert_with(|| value.to_string());
                // A date alone (`时间：2022 年 3 月 12 日`) describes the event, not a slot in it.
                if !has_clock(value) {
                    return;
                }
            }
            Field::Topic => {
                draft.topic.get_or_insert_with(|| strip_title_decoration(value));
            }
            Field::Theme if EPISODE.is_match(value) => {
                draft.topic.get_or_insert_with(|| strip_title_decoration(value));
            }
            Field::Theme => return,
            Field::Abstract => {
                draft.labelled_abstract = true;
                draft.abstract_parts.push(value.to_string());
            }
            Field::Outline => draft.outline.push(value.to_string()),
            Field::Takeaways => draft.takeaways.push(value.to_string()),
            Field::Url => {
                if draft.url.is_none() {
                    draft.url = first_url(raw);
                }
                return;
            }
            Field::Ignore => return,
        }
        draft.evidence = true;
    }

    fn target(&mut self) -> &mut Draft {
        self.current.as_mut().unwrap_or(&mut self.page)
    }

    fn close_section(&mut self) {
        self.section = Section::Abstract;
        if let Some(draft) = self.current.take() {
            self.push_talk(draft);
        }
    }

    fn push_talk(&mut self, draft: Draft) {
        if draft.is_talk() {
            self.talks.push(draft);
        }
    }

    fn flush_table(&mut self) {
        if !self.table.is_empty() {
            let rows = std::mem::take(&mut self.table);
            for draft in table_talks(&rows) {
                self.push_talk(draft);
            }
        }
    }

    /// The talks of the page, in page order. With no talk sections, the page itself may be one
    /// talk, named `page_title` unless it states a topic, and timed by `fallback_time`
    /// (`section1.time`) when it states no time of its own.
    fn finish(mut self, page_title: &str, fallback_time: Option<String>) -> Vec<Draft> {
        self.flush_table();
        self.close_section();
        if self.talks.is_empty() && self.page.is_page_talk() {
            let mut page = self.page;
            page.title = page_title.to_string();
            page.time = page.time.or(fallback_time);
            page.evidence = true;
            return vec![page];
        }
        self.talks
    }
}

/// A bold or bare `《title》` paragraph, or `**Name（role）title**`, opening a talk section as a
/// heading would (sofastack meetups, servicemesher recaps).
fn pseudo_heading(raw: &str) -> Option<Draft> {
    let raw = raw.trim();
    if raw.contains('\n') {
        return None;
    }
    let inner = match raw.strip_prefix("**").and_then(|r| r.strip_suffix("**")) {
        Some(inner) if !inner.contains("**") => inner,
        _ if raw.starts_with('《') && raw.ends_with('》') => raw,
        _ => return None,
    };
    let text = clean(inner);
    // `**9:20 - 10:10 使用 SOFAStack 快速构建微服务 by 玄北**`
    let (time, timed) = split_time(&text);
    if let Some((title, speakers)) = by_speakers(&timed, time.is_some()) {
        let title = strip_title_decoration(&title);
        return Some(Draft { title, time, speakers, evidence: true, ..Draft::default() });
    }
    if time.is_some() && !timed.is_empty() {
        let title = strip_title_decoration(&timed);
        return Some(Draft { title, time, evidence: true, leading_names: LeadingNames::Programme, ..Draft::default() });
    }
    if text.starts_with('《') && text.ends_with('》') && text.matches('《').count() == 1 {
        let title = strip_title_decoration(&text);
        return Some(Draft { title, leading_names: LeadingNames::Programme, ..Draft::default() });
    }
    let (speaker, title) = bracketed_speaker(&text, false)?;
    Some(Draft { title, speakers: vec![speaker], evidence: true, ..Draft::default() })
}

/// `使用 Seata 保障支付一致性 by 屹远` → the title and its speakers. Only Chinese names, or a
/// Latin full name after a Chinese title or in a time slot (`**13:00 - 13:30 … by Renjie Yu**`),
/// count: `Python by Example` names nobody.
fn by_speakers(text: &str, timed: bool) -> Option<(String, Vec<Speaker>)> {
    static BY: Lazy<Regex> = Lazy::new(|| Regex::new(r"^(.+?)\s+(?i:by)\s+([^,，]+?)\s*$").unwrap());
    let caps = BY.captures(text)?;
    let (title, names) = (caps[1].trim(), caps[2].trim());
    let han_title = title.chars().any(is_han) || timed;
    let person = |n: &str| {
        let n = n.trim();
        let han = n.chars().all(|c| is_han(c) || c == '·');
        (han && is_name(n, 4)) || (han_title && is_name(n, 4) && n.split_whitespace().count() >= 2)
    };
    let parts: Vec<&str> = names.split(['、', '&', '/']).map(str::trim).collect();
    let speakers = parts
        .iter()
        .all(|p| person(p))
        .then(|| parts.iter().map(|p| Speaker { name: p.to_string(), ..Speaker::default() }).collect::<Vec<_>>())?;
    (title.chars().count() >= 2).then(|| (title.to_string(), speakers))
}

fn has_clock(text: &str) -> bool {
    static CLOCK: Lazy<Regex> = Lazy::new(|| Regex::new(r"\d{1,2}\s*[:：]\s*\d{2}").unwrap());
    CLOCK.is_match(text)
}

/// `14:25 - 15:05 title` → (`Some("14:25 - 15:05")`, `title`).
fn split_time(text: &str) -> (Option<String>, String) {
    static TIME: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r"^(\d{1,2}\s*[:：]\s*\d{2}\s*[-–—~～至到]+\s*\d{1,2}\s*[:：]\s*\d{2})\s*(.*)$").unwrap()
    });
    match TIME.captures(text) {
        Some(caps) => (Some(caps[1].trim().to_string()), caps[2].trim().to_string()),
        None => (None, text.to_string()),
    }
}

/// `SOFAChannel#6：` before a title names the episode; the agenda lists the same talk as `title`.
static EPISODE: Lazy<Regex> = Lazy::new(|| Regex::new(r"^[A-Za-z]+\s*#\s*\d+\s*(?:[：:]|—+|-)?\s*").unwrap());

/// Folds whitespace runs, drops numbering (`议题 1：`, `Topic 2:`, `SOFAChannel#6：`, list numbers
/// such as `五、`, `1.1.1`, `(2)`), the `《》` that wrap a whole title (with the community that
/// presents it after a dash: `《title》——Occlum 社区`) and a book-title mark left unpaired.
fn strip_title_decoration(title: &str) -> String {
    static NUMBERING: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r"^(?i:议题|话题|主题|topic|session)\s*[0-9一二三四五六七八九十]+\s*[：:.、]\s*").unwrap()
    });
    // `五、`, `（三）`, `(2)`, `3、`, `3．`, `1.1.1`, `2-2 ` (gopherchina), never a year or a version
    // (`2022 年…`, `37 手游…`, `2.0 时代`): a dotted number has no zero part and is followed by a
    // space or a Han character.
    static LIST_NUMBER: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r"^(?:[一二三四五六七八九十]{1,3}\s*[、．.]|[（(][一二三四五六七八九十0-9]{1,3}[)）]|\d{1,2}\s*、)")
            .unwrap()
    });
    static DOTTED_NUMBER: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r"^(\d{1,2}[.．]|[1-9]\d?(?:[.][1-9]\d?){1,3}[.]?|[1-9]-[1-9])(?:\s|\p{Han}|[《「]|$)").unwrap()
    });
    static PRESENTED_BY: Lazy<Regex> =
        Lazy::new(|| Regex::new(r"^《([^《》]+)》\s*(?:—+|--+|-)\s*[^《》—-]{1,20}$").unwrap());
    let title = fold_whitespace(title);
    let title = EPISODE.replace(&title, "");
    let title = NUMBERING.replace(&title, "");
    let mut title = title.trim().to_string();
    let number = LIST_NUMBER.find(&title).map(|m| m.end());
    if let Some(end) = number.or_else(|| DOTTED_NUMBER.captures(&title).and_then(|c| c.get(1)).map(|m| m.end())) {
        let rest = title[end..].trim();
        // A title that is nothing but its number keeps it.
        if rest.chars().count() >= 2 {
            title = rest.to_string();
        }
    }
    if let Some(caps) = PRESENTED_BY.captures(&title) {
        return caps[1].trim().to_string();
    }
    let title = title.trim();
    if let Some(inner) = title.strip_prefix('《').and_then(|t| t.strip_suffix('》')) {
        if !inner.contains(['《', '》']) {
            return inner.trim().to_string();
        }
    }
    // A mark without its pair (`基于5G管理网络的服务网格实践》》`, `《title`) is a typo of the page.
    let (opens, closes) = (title.matches('《').count(), title.matches('》').count());
    let mut title = title.to_string();
    if closes > opens {
        title = title.trim_end_matches('》').to_string();
        if title.starts_with('《') && !title[3..].contains(['《', '》']) {
            title = title[3..].to_string();
        }
    } else if opens > closes && !title.contains('》') {
        title = title.trim_start_matches('《').to_string();
    }
    title.trim().to_string()
}

// ---------------------------------------------------------------------------------------------
// List and table layouts
// ---------------------------------------------------------------------------------------------

/// A bullet that is a whole talk:
/// - anywhere: `赵化冰（中兴通讯网管软件资深专家）：title`, `《title》，主讲人: 曹寅、周遥（玄胤）`;
/// - directly under a programme heading (`agenda_list`): `宋净超：title`,
///   `[title](video)，speaker，role` or `[title，speaker，speaker](video)`.
fn list_talk(raw: &str, agenda_list: bool) -> Option<Draft> {
    static QUOTED: Lazy<Regex> = Lazy::new(|| Regex::new(r"^《([^》]+)》\s*[，,]?\s*(.+)$").unwrap());
    static WHOLE_LINK: Lazy<Regex> = Lazy::new(|| Regex::new(r"^\[[^\]]*\]\([^)]*\)$").unwrap());
    let text = clean(raw);
    let raw = raw.trim();
    let url = raw.starts_with('[').then(|| first_url(raw)).flatten();
    let talk = |title: &str, speakers: Vec<Speaker>| {
        let title = strip_title_decoration(title);
        let draft = Draft { title, speakers, url: url.clone(), evidence: true, ..Draft::default() };
        Some(draft)
    };
    if let Some((speaker, title)) = bracketed_speaker(&text, true) {
        return talk(&title, vec![speaker]);
    }
    if let Some(caps) = QUOTED.captures(&text) {
        if let Some((Field::Speaker, names)) = key_value(&caps[2]) {
            return talk(&caps[1], speakers_from(names));
        }
    }
    if !agenda_list || key_value(&text).is_some() {
        return None;
    }
    // Names here are two or three characters: `开场演讲：欢迎…` is not someone speaking.
    if let Some((name, rest)) = name_led(&text, 3) {
        if let Some(title) = rest.strip_prefix(['：', ':']).filter(|t| !t.trim().is_empty()) {
            return talk(title, vec![Speaker { name, ..Speaker::default() }]);
        }
    }
    let parts: Vec<&str> = text.split(['，', ',']).map(str::trim).collect();
    let at = (1..parts.len()).find(|&i| speaker_in_list(parts[i]).is_some())?;
    let title = parts[..at].join("，");
    let speakers = if WHOLE_LINK.is_match(raw) {
        parts[at..].iter().filter_map(|p| speaker_in_list(p)).collect()
    } else {
        let mut speaker = speaker_in_list(parts[at])?;
        let rest = parts[at + 1..].join("，");
        let bio = [speaker.bio.take(), Some(rest).filter(|r| !r.is_empty())];
        let bio = bio.into_iter().flatten().collect::<Vec<_>>().join("，");
        speaker.bio = Some(bio).filter(|b| !b.is_empty());
        vec![speaker]
    };
    talk(&title, speakers)
}

/// `宋净超` or `石建伟（卓与）` as one comma-separated part of a programme line.
fn speaker_in_list(part: &str) -> Option<Speaker> {
    if let Some((name, bio)) = bracket_name(part) {
        let other_names = bio.as_deref().and_then(nickname).into_iter().collect();
        return Some(Speaker { name, bio, other_names, ..Speaker::default() });
    }
    if is_name(part, 6) {
        return Some(Speaker { name: part.trim().to_string(), ..Speaker::default() });
    }
    // `蚂蚁集团技术专家 赵真灵（花名：有济）`, `蚂蚁金服技术总监 杨冰`: the role goes to the bio.
    static BRACKET_END: Lazy<Regex> = Lazy::new(|| Regex::new(r"^([^（(]+?)\s*[（(]([^）)]*)[）)]\s*$").unwrap());
    let (head, bracket) = match BRACKET_END.captures(part.trim()) {
        Some(caps) => (caps.get(1).map_or("", |m| m.as_str()), Some(caps[2].trim().to_string())),
        None => (part.trim(), None),
    };
    let (name, role) = role_led_name(head)?;
    let bio = [Some(role), bracket].into_iter().flatten().filter(|b| !b.is_empty()).collect::<Vec<_>>().join("，");
    Some(Speaker { name, bio: Some(bio).filter(|b| !b.is_empty()), ..Speaker::default() })
}

/// Words a job title ends with, so a name written after one is found (`蚂蚁集团技术专家李旭东`).
const ROLE_WORDS: &[&str] = &[
    "专家",
    "工程师",
    "架构师",
    "总监",
    "经理",
    "负责人",
    "成员",
    "创始人",
    "布道师",
    "顾问",
    "研究员",
    "主管",
    "总裁",
    "合伙人",
    "维护者",
    "开发者",
    "贡献者",
    "作者",
    "CEO",
    "CTO",
    "COO",
    "VP",
    "Maintainer",
    "Committer",
    "Contributor",
    "PMC",
];

/// A Chinese name after a job title: `蚂蚁集团技术专家 赵真灵`, `蚂蚁集团技术专家李旭东`,
/// `MOSN 核心成员 朱德江` → the name and the title.
fn role_led_name(text: &str) -> Option<(String, String)> {
    let text = text.trim();
    let han_name = |t: &str| is_name(t, 4) && t.chars().all(|c| is_han(c) || c == '·');
    let mut best: Option<usize> = None;
    for word in ROLE_WORDS {
        if let Some(at) = text.rfind(word) {
            let end = at + word.len();
            best = Some(best.map_or(end, |b: usize| b.max(end)));
        }
    }
    let end = best?;
    let (role, name) = (text[..end].trim(), text[end..].trim());
    (han_name(name) && role.chars().count() >= 2).then(|| (name.to_string(), role.to_string()))
}

/// The alias a bracket after a name gives: `花名：有济`, `花名忘禅`, or a bare two- or
/// three-character word that is neither a company nor a role (`卓与`, `逐灵`, but not `华为`, `网易`).
fn nickname(bracket: &str) -> Option<String> {
    static MARKED: Lazy<Regex> =
        Lazy::new(|| Regex::new(r"^(?:花名|别名|昵称|(?i:aka|a\.k\.a\.))\s*[：:]?\s*(.+)$").unwrap());
    let text = bracket.trim().trim_matches(['*', '_', ' ']);
    let (alias, marked) = match MARKED.captures(text) {
        Some(caps) => (caps[1].trim().trim_matches(['*', '_', ' ']).to_string(), true),
        None => (text.to_string(), false),
    };
    let count = alias.chars().count();
    let han = alias.chars().all(is_han);
    if marked {
        return (han && (1..=4).contains(&count) || !han && (2..=20).contains(&count) && !alias.contains(['，', ',']))
            .then_some(alias);
    }
    const ORGANISATION: &[&str] = &["集团", "公司", "科技", "金服", "团队", "社区", "大学", "银行", "网"];
    let plain = han
        && (2..=3).contains(&count)
        && !is_stop_word(&alias)
        && !ORGANISATION.iter().any(|o| alias.ends_with(o))
        && !ROLE_WORDS.iter().any(|w| alias.contains(w))
        && crate::company::Companies::builtin().resolve(&alias).is_none();
    plain.then_some(alias)
}

/// The last touches to a speaker the page gave: an honorific off the name (`赵亚雄博士`), a job
/// title before the name moved to the bio, the aliases in brackets kept as `other_names`.
fn finish_speaker(mut s: Speaker) -> Option<Speaker> {
    static HEAD_BRACKET: Lazy<Regex> =
        Lazy::new(|| Regex::new(r"^(?:[\p{Han}·]{2,4}\s*)?[（(]([^（()）]{1,20})[）)]").unwrap());
    static MARKED: Lazy<Regex> = Lazy::new(|| Regex::new(r"花名\s*[：:]?\s*([\p{Han}]{2,4})").unwrap());
    s.name = fold_whitespace(&s.name);
    if let Some((name, bracket)) = bracket_name(&s.name) {
        // `赵新（于雨）` as a name: the bracket is an alias or a role.
        s.name = name;
        match bracket.as_deref().and_then(nickname) {
            Some(alias) => s.other_names.push(alias),
            None => {
                if s.bio.is_none() {
                    s.bio = bracket;
                }
            }
        }
    }
    for title in ["博士", "先生", "女士", "老师"] {
        if let Some(name) = s.name.strip_suffix(title) {
            if is_name(name, 4) {
                s.name = name.to_string();
            }
        }
    }
    if !is_name(&s.name, 6) {
        if let Some(speaker) = speaker_in_list(&s.name).filter(|f| f.name != s.name) {
            s.name = speaker.name;
            s.bio = match (speaker.bio, s.bio.take()) {
                (Some(role), Some(bio)) => Some(format!("{role}\n{bio}")),
                (role, bio) => role.or(bio),
            };
        }
    }
    if is_placeholder(&s.name) {
        return None;
    }
    if let Some(bio) = s.bio.as_deref() {
        // `赵真灵（花名：有济）` or `（逐灵），阿里巴巴…` opening the bio; `石建伟，花名卓与，…`.
        let opening = bio.trim_start_matches(s.name.as_str()).trim_start();
        let alias = HEAD_BRACKET
            .captures(if bio.starts_with(s.name.as_str()) { opening } else { bio })
            .and_then(|c| nickname(&c[1]))
            .or_else(|| {
                let first = bio.split(['；', ';', '。', '\n']).next().unwrap_or("");
                MARKED.captures(first).map(|c| c[1].to_string())
            });
        if let Some(alias) = alias {
            s.other_names.push(alias);
        }
    }
    let name = s.name.clone();
    let mut seen = Vec::new();
    s.other_names.retain(|n| {
        n != &name && !seen.contains(n) && {
            seen.push(n.clone());
            true
        }
    });
    Some(s)
}

/// Names that stand for nobody yet: `TBD`, `待定`, `Various Speakers`.
pub fn is_placeholder(name: &str) -> bool {
    const PLACEHOLDERS: &[&str] = &[
        "tbd",
        "tba",
        "tbc",
        "待定",
        "嘉宾待定",
        "讲师待定",
        "待公布",
        "神秘嘉宾",
        "various",
        "various speakers",
        "various artists",
        "various presenters",
        "speaker tbd",
        "speakers tbd",
        "to be announced",
        "to be determined",
        "unknown",
        "n/a",
    ];
    let folded = fold_whitespace(name).trim_matches(['.', '…', '(', ')', '（', '）', '?', '？']).to_lowercase();
    PLACEHOLDERS.contains(&folded.as_str())
}

/// `[1.1.1 title](x.pdf)` (gopherchina): titles only, with a speaker when the title clearly ends
/// in one (`title - 杜欢`) or starts with `龚浩华（月牙寂）`.
fn slide_link(raw: &str) -> Option<Draft> {
    static SLIDE: Lazy<Regex> = Lazy::new(|| Regex::new(r"^\[\s*\d+(?:[.-]\d+)+\s*([^\]]+)\]\(([^)]*)\)\s*$").unwrap());
    static TRAILING_NAME: Lazy<Regex> = Lazy::new(|| Regex::new(r"^(.+?)\s+-\s+([^-]+?)\s*$").unwrap());
    let caps = SLIDE.captures(raw.trim())?;
    let mut title = clean(&caps[1]);
    if title.to_lowercase().ends_with(".pdf") {
        title.truncate(title.len() - 4);
    }
    let mut speakers = Vec::new();
    if let Some(c) = TRAILING_NAME.captures(&title) {
        if is_name(&c[2], 4) {
            speakers.push(Speaker { name: c[2].to_string(), ..Speaker::default() });
            title = c[1].to_string();
        }
    } else if let Some((speaker, rest)) = bracketed_speaker(&title, false) {
        speakers.push(speaker);
        title = rest;
    }
    let url = first_url(&caps[2]);
    Some(Draft { title: title.trim().to_string(), speakers, url, evidence: true, ..Draft::default() })
}

/// `Name（role）：title` → the speaker (role as bio) and the title. With `need_colon`, the colon
/// after the bracket is required, as it is in bullet lists.
fn bracketed_speaker(text: &str, need_colon: bool) -> Option<(Speaker, String)> {
    static PATTERN: Lazy<Regex> =
        Lazy::new(|| Regex::new(r"^([\p{Han}·]{2,4})\s*[（(]([^）)]*)[）)]\s*([：:，,]|—+)?\s*(.+)$").unwrap());
    let caps = PATTERN.captures(text)?;
    if need_colon && !matches!(caps.get(3).map(|m| m.as_str()), Some("：" | ":")) {
        return None;
    }
    let title = strip_title_decoration(&caps[4]);
    if title.chars().count() < 2 || is_stop_word(&caps[1]) {
        return None;
    }
    let bio = caps[2].trim();
    let speaker =
        Speaker { name: caps[1].to_string(), bio: (!bio.is_empty()).then(|| bio.to_string()), ..Speaker::default() };
    Some((speaker, title))
}

/// Talks from a Markdown table whose header names a topic column (`话题`, `分享主题`, `标题` …).
/// Without a speaker column, a topic cell may end in its speaker: `title，Speaker【中】`.
fn table_talks(rows: &[Vec<String>]) -> Vec<Draft> {
    let Some((header, body)) = rows.split_first() else {
        return Vec::new();
    };
    let header: Vec<String> = header.iter().map(|c| clean(c).to_lowercase()).collect();
    let column = |words: &[&str]| header.iter().position(|h| words.iter().any(|w| h.contains(w)));
    let Some(topic) = column(&["话题", "主题", "议题", "题目", "标题", "环节", "topic", "title"]) else {
        return Vec::new();
    };
    let time = column(&["时间", "日期", "time", "date"]);
    let speaker = column(&["嘉宾", "讲师", "讲者", "分享人", "speaker"]);
    let video = column(&["回放", "视频", "video"]);
    let cell =
        |row: &Vec<String>, i: Option<usize>| i.and_then(|i| row.get(i)).map(|c| clean(c)).filter(|c| !c.is_empty());
    body.iter()
        .filter_map(|row| {
            let mut title = cell(row, Some(topic))?;
            static BREAK: Lazy<Regex> = Lazy::new(|| Regex::new(r"(?i)<br\s*/?>").unwrap());
            let people = speaker.and_then(|i| row.get(i)).map(|c| clean(&BREAK.replace_all(c, "\n")));
            let mut speakers = people.filter(|p| !p.is_empty()).map(|p| speakers_from(&p)).unwrap_or_default();
            // A short row nobody presents, in a table with a speaker column, is a slot (`庆祝一周年环节`).
            if speaker.is_some() && speakers.is_empty() && title.chars().count() <= 12 {
                return None;
            }
            let mut language = None;
            if speaker.is_none() {
                if let Some((t, s, l)) = split_trailing_speaker(&title) {
                    (title, speakers, language) = (t, s, l);
                }
            }
            Some(Draft {
                title: strip_title_decoration(&title),
                language,
                time: cell(row, time),
                speakers,
                url: video.and_then(|i| row.get(i)).and_then(|c| first_url(c)),
                evidence: true,
                ..Draft::default()
            })
        })
        .collect()
}

/// `如何使用剖析来弥补分布式追踪的盲区，Han Liu【中】` → the title, its speaker and the language.
fn split_trailing_speaker(cell: &str) -> Option<(String, Vec<Speaker>, Option<&'static str>)> {
    static LANGUAGE_TAG: Lazy<Regex> = Lazy::new(|| Regex::new(r"\s*【([^】]*)】\s*$").unwrap());
    let language = LANGUAGE_TAG.captures(cell).and_then(|c| match &c[1] {
        "中" | "中文" => Some("zh"),
        "英" | "英文" => Some("en"),
        _ => None,
    });
    let cell = LANGUAGE_TAG.replace(cell, "");
    let (title, tail) = cell.rsplit_once('，').or_else(|| cell.rsplit_once(", "))?;
    let speakers = speakers_from(tail.trim());
    let named = speakers.first().is_some_and(|s| is_name(&s.name, 6));
    named.then(|| (title.trim().to_string(), speakers, language))
}

// ---------------------------------------------------------------------------------------------
// Speakers
// ---------------------------------------------------------------------------------------------

/// Words that begin bio sentences and so look like the two-to-four-character names before a `，`.
fn is_stop_word(word: &str) -> bool {
    const STOP: &[&str] = &[
        "目前",
        "现任",
        "曾任",
        "资深",
        "负责",
        "从事",
        "专注",
        "拥有",
        "毕业",
        "长期",
        "我们",
        "本次",
        "本期",
        "作为",
        "主要",
        "曾在",
        "多年",
        "就职",
        "任职",
        "现就职于",
        "现为",
        "先后",
        "致力于",
        "热爱",
        "背景",
        "简介",
        "介绍",
        "主持人",
        "嘉宾",
        "讲师",
        "同时",
        "此外",
        "他是",
        "她是",
        "基于",
        "通过",
        "使用",
        "如何",
    ];
    STOP.contains(&word)
}

/// A person's name: 2 to `max_han` Han characters, or a short capitalised Latin name.
fn is_name(text: &str, max_han: usize) -> bool {
    let text = text.trim();
    // `PMC`, `CEO`: a role, not part of a name.
    let acronym = |w: &str| w.len() > 1 && w.chars().all(|c| c.is_ascii_uppercase());
    let count = text.chars().count();
    if text.chars().all(|c| is_han(c) || c == '·') {
        // `蚂蚁金服 SOFA 团队`: organisations open bio lines too.
        const ORGANISATION: &[&str] = &["集团", "公司", "科技", "金服", "团队", "社区", "大学", "银行"];
        return (2..=max_han).contains(&count)
            && !is_stop_word(text)
            && !ORGANISATION.iter().any(|o| text.ends_with(o));
    }
    let words = text.split_whitespace().count();
    text.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && count <= 30
        && (1..=4).contains(&words)
        && text.chars().all(|c| c.is_ascii_alphabetic() || matches!(c, ' ' | '.' | '-' | '\''))
        && !text.split_whitespace().any(acronym)
        && !text.split_whitespace().any(|w| LATIN_ROLES.contains(&w.to_lowercase().as_str()))
        // `In this workshop, …` opens a sentence: every word of a name is capitalised but particles.
        && text.split_whitespace().all(|w| {
            w.starts_with(|c: char| c.is_ascii_uppercase()) || ["van", "von", "de", "da", "di", "der", "del", "le", "la", "bin"].contains(&w)
        })
}

/// Latin words that make a line a role, not a name (`Dragonfly Maintainer`, `SOFABoot Maintainer`).
const LATIN_ROLES: &[&str] = &[
    "maintainer",
    "maintainers",
    "committer",
    "contributor",
    "member",
    "engineer",
    "founder",
    "co-founder",
    "cofounder",
    "ambassador",
    "developer",
    "architect",
    "evangelist",
    "author",
    "team",
    "community",
    "speakers",
];

/// The name that opens a bio paragraph, with what follows it: `胡伟，英特尔…`, `高鹏 UCloud…`,
/// `彭柳：`, `Evan, …`. Han names may end at a space or a line break; Latin names only at punctuation.
fn name_led(text: &str, max_han: usize) -> Option<(String, String)> {
    // A no-break or ideographic space ends a name too (`付铖\u{a0}酷家乐 容器化负责人` in a table cell).
    let end = text.find(['，', ',', '：', ':', '（', '(', '\n', ' ', '\u{a0}', '\u{3000}', '、']).unwrap_or(text.len());
    let head = text[..end].trim();
    // Four characters make a name only with a two-character surname (`欧阳娜娜`); otherwise they
    // are the words a sentence opens with (`介绍通过 Envoy SDS…`, `解决思路:`).
    const COMPOUND_SURNAMES: &[&str] = &[
        "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯", "令狐",
        "端木", "独孤", "南宫", "西门", "轩辕", "钟离", "申屠", "澹台", "太史",
    ];
    let four = head.chars().count() == 4 && head.chars().all(is_han);
    if four && !COMPOUND_SURNAMES.iter().any(|s| head.starts_with(s)) {
        return None;
    }
    if is_name(head, max_han) && head.chars().all(|c| is_han(c) || c == '·') {
        // `吕思泉是思科 Webex 产品线…`: the sentence goes on after the name.
        if let Some(at) = head.find('是').filter(|&at| (6..=9).contains(&at)) {
            return Some((head[..at].to_string(), text[at..].to_string()));
        }
        return Some((head.to_string(), text[end..].to_string()));
    }
    let end = text.find(['，', ',', '（', '(', '\n']).unwrap_or(text.len());
    let head = text[..end].trim();
    (!head.chars().any(is_han) && is_name(head, max_han)).then(|| (head.to_string(), text[end..].to_string()))
}

/// `宋净超（Tetrate 布道师）` → name and bracket content; `None` when no name leads the bracket.
fn bracket_name(text: &str) -> Option<(String, Option<String>)> {
    static BRACKET: Lazy<Regex> = Lazy::new(|| Regex::new(r"^([^（(]+?)\s*[（(]([^）)]*)[）)]\s*$").unwrap());
    let caps = BRACKET.captures(text.trim())?;
    is_name(&caps[1], 6).then(|| (caps[1].to_string(), Some(caps[2].trim().to_string()).filter(|b| !b.is_empty())))
}

/// The speakers of a `讲师：` value: `宋净超（Tetrate 布道师、…）`, `高飞航 陌陌中间件架构师`,
/// `赵旭，vivo 互联网，架构师`, or several names `鲁直、涵畅、张超盟`, `曾凡松（逐灵） 、汪萌海（木苏）`.
fn speakers_from(value: &str) -> Vec<Speaker> {
    let value = value.trim();
    let several: Vec<Option<Speaker>> = value.split(['、', '/', '&']).map(speaker_in_list).collect();
    if several.len() > 1 && several.iter().all(Option::is_some) {
        return several.into_iter().flatten().collect();
    }
    if let Some(speaker) = speaker_in_list(value) {
        return vec![speaker];
    }
    // `曾凡松（逐灵），阿里巴巴高级技术专家；汪萌海（木苏），阿里巴巴技术专家`; table cells with
    // one person a line (`茅舍@Soloπ 核心作者<br />不溯@Soloπ 核心作者`).
    let parts: Vec<&str> = value.split(['；', ';', '\n']).map(str::trim).filter(|p| !p.is_empty()).collect();
    if parts.len() > 1 && parts.iter().all(|p| name_led(p, 4).is_some() || at_speaker(p).is_some()) {
        return parts.into_iter().flat_map(speakers_from).collect();
    }
    if let Some(speaker) = at_speaker(value) {
        return vec![speaker];
    }
    let (name, rest) = name_led(value, 6).unwrap_or_else(|| (value.to_string(), String::new()));
    let rest = rest.trim_matches(|c: char| c.is_whitespace() || "，,：:".contains(c));
    vec![Speaker { name, bio: (!rest.is_empty()).then(|| rest.to_string()), ..Speaker::default() }]
}

/// `碧远@SOFARPC 开源负责人` (sofastack agendas): the name, then the role as the bio.
fn at_speaker(text: &str) -> Option<Speaker> {
    let (name, role) = text.split_once('@')?;
    let (name, role) = (name.trim(), role.trim());
    let han = name.chars().all(|c| is_han(c) || c == '·');
    (is_name(name, 4) && (han || name.contains(' ')) && !role.is_empty() && !role.contains('@')).then(|| Speaker {
        name: name.to_string(),
        bio: Some(role.to_string()),
        ..Speaker::default()
    })
}

/// A "Name role" paragraph opening a section (`吴晟 Apache SkyWalking创始人…`), as far as `trust` allows.
fn implicit_speaker(text: &str, trust: LeadingNames) -> Option<Speaker> {
    let max_chars = match trust {
        LeadingNames::No => return None,
        LeadingNames::OneLiner => 40,
        LeadingNames::Programme => 200,
    };
    if text.chars().count() > max_chars {
        return None;
    }
    let (name, _) = name_led(text, 4)?;
    Some(Speaker { name, bio: Some(text.to_string()).filter(|t| t.chars().count() > 4), ..Speaker::default() })
}

/// Adds a bio paragraph. It goes to the speaker it names, else to the first speaker still without a
/// bio. An `inline` bio (`嘉宾简介：…`) belongs to the speaker just named, so it never introduces a
/// new one; a paragraph under a bio label that opens with a name introduces that speaker; anything
/// else continues the last speaker's bio.
fn add_bio(draft: &mut Draft, text: &str, inline: bool) {
    draft.evidence = true;
    let led = name_led(text, 6);
    // `彭柳：` alone names the speaker; the next paragraph is the bio.
    let name_only = led
        .as_ref()
        .is_some_and(|(_, rest)| rest.trim_matches(|c: char| c.is_whitespace() || "：:".contains(c)).is_empty());
    let bio = (!name_only).then(|| text.to_string());
    if let Some((name, _)) = &led {
        if let Some(s) = draft.speakers.iter_mut().find(|s| &s.name == name) {
            if s.bio.as_ref().map_or(0, String::len) < bio.as_ref().map_or(0, String::len) {
                s.bio = bio;
            }
            return;
        }
    }
    // A bio that is only the alias in brackets after the name (`赵新（于雨）`) gives way to a real one.
    for s in &mut draft.speakers {
        if s.bio.as_ref().is_some_and(|b| s.other_names.contains(b)) {
            s.bio = None;
        }
    }
    if let Some(s) = draft.speakers.iter_mut().find(|s| s.bio.is_none()) {
        s.bio = Some(text.to_string());
    } else if let (Some((name, _)), false) = (&led, inline) {
        draft.speakers.push(Speaker { name: name.clone(), bio, ..Speaker::default() });
    } else if let Some(s) = draft.speakers.last_mut() {
        let joined = format!("{}\n{}", s.bio.take().unwrap_or_default(), text);
        s.bio = Some(joined.trim().to_string());
    }
}

// ---------------------------------------------------------------------------------------------
// Talks
// ---------------------------------------------------------------------------------------------

/// Turns drafts into talks: merges a talk listed twice (a schedule table, then a section per talk),
/// then assigns ids, numbering titles that really do repeat on the page.
fn into_talks(drafts: Vec<Draft>, event: &Event) -> Vec<Talk> {
    let mut kept: Vec<Draft> = Vec::new();
    // Drafts by folded title and group, so finding a talk listed twice stays linear in the page.
    let mut by_title: HashMap<(String, Option<String>), Vec<usize>> = HashMap::new();
    for mut draft in drafts {
        if let Some(topic) = draft.topic.take() {
            draft.title = topic;
        }
        if draft.title.is_empty() {
            continue;
        }
        let candidates = by_title.entry((fold_whitespace(&draft.title), draft.group.clone())).or_default();
        match candidates.iter().copied().find(|&i| same_talk(&kept[i], &draft)) {
            Some(existing) => merge(&mut kept[existing], draft),
            None => {
                candidates.push(kept.len());
                kept.push(draft);
            }
        }
    }
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    kept.into_iter()
        .map(|draft| {
            let mut event = event.clone();
            if let Some(group) = draft.group.as_deref().filter(|g| !g.is_empty()) {
                event.title = format!("{} {}", event.title, group);
            }
            let count = seen.entry((event.title.clone(), fold_whitespace(&draft.title))).or_insert(0);
            *count += 1;
            let disc = if *count > 1 { count.to_string() } else { String::new() };
            let abstract_text = draft.abstract_parts.join("\n");
            // Outline and takeaways stand in for the abstract many pages lack.
            let text = [&draft.title, &abstract_text].into_iter().chain(&draft.outline).chain(&draft.takeaways);
            let text = text.map(String::as_str).collect::<Vec<_>>().join(" ");
            let language = draft.language.unwrap_or_else(|| detect_language(&text)).to_string();
            Talk {
                id: Talk::make_id(&event.title, &draft.title, &disc),
                title: draft.title,
                time: draft.time,
                speakers: draft
                    .speakers
                    .into_iter()
                    .filter(|s| !s.name.is_empty())
                    .filter_map(finish_speaker)
                    .collect(),
                abstract_text,
                outline: draft.outline,
                takeaways: draft.takeaways,
                language,
                url: draft.url,
                event,
                ..Talk::default()
            }
        })
        .collect()
}

/// Two drafts describe the same talk when titles match and the speakers agree (or one has none).
fn same_talk(a: &Draft, b: &Draft) -> bool {
    let names = |d: &Draft| d.speakers.iter().map(|s| s.name.clone()).collect::<Vec<_>>();
    fold_whitespace(&a.title) == fold_whitespace(&b.title)
        && a.group == b.group
        && (a.speakers.is_empty() || b.speakers.is_empty() || names(a) == names(b))
}

/// Fills the gaps of `into` from `from`, the richer section usually coming second.
fn merge(into: &mut Draft, from: Draft) {
    if into.time.as_deref().is_none_or(|t| !has_clock(t)) && from.time.is_some() {
        into.time = from.time;
    }
    into.url = into.url.take().or(from.url);
    if into.speakers.iter().all(|s| s.bio.is_none()) && !from.speakers.is_empty() {
        into.speakers = from.speakers;
    }
    for (mine, theirs) in [
        (&mut into.abstract_parts, from.abstract_parts),
        (&mut into.outline, from.outline),
        (&mut into.takeaways, from.takeaways),
    ] {
        if mine.is_empty() {
            *mine = theirs;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    fn page(name: &str, text: &str) -> Vec<Talk> {
        parse(text, &format!("tests/data/pages/{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    fn titles(talks: &[Talk]) -> Vec<&str> {
        talks.iter().map(|t| t.title.as_str()).collect()
    }

    fn speaker_names(talks: &[Talk]) -> Vec<&str> {
        talks.iter().flat_map(|t| &t.speakers).map(|s| s.name.as_str()).collect()
    }

    const SEED: &str = include_str!("../../tests/data/pages/jimmysong-service-mesh-summit-2022.md");

    #[test]
    fn seed_page_field_by_field() {
        let talks = page("jimmysong-service-mesh-summit-2022.md", SEED);
        assert_eq!(
            titles(&talks),
            [
                "多集群流量调度 ——Flomesh",
                "Apache APISIX 借助 Service Mesh 实现统一技术栈的全流量管理",
                "从开源 Istio 到企业级服务：如何在企业中落地服务网格",
                "如何实现 Istio 服务网格自定义扩展功能",
                "Aeraki Mesh 在冬奥会视频应用中的产品落地实践",
                "轻舟服务网格的无侵入增强 Istio 经验",
                "服务网格中 TLS 的加速和优化",
                "字节跳动 Service Mesh 性能优化的实践与思考",
                "蚂蚁集团 Service Mesh 进展回顾与展望",
            ]
        );
        let times: Vec<_> = talks.iter().map(|t| t.time.as_deref().unwrap_or("")).collect();
        assert_eq!(
            times,
            [
                "9:00 - 9:45",
                "9:45 - 10:30",
                "10:30 - 11:15",
                "11:15 -12:00", // kept as written
                "13:30 - 14:15",
                "14:15 - 15:00",
                "15:15 - 16:00",
                "16:00 - 16:45",
                "16:45: 17:30", // kept as written
            ]
        );
        assert_eq!(
            speaker_names(&talks),
            [
                "张晓辉",
                "张晋涛",
                "胡渐飞",
                "曾宇星",
                "赵化冰",
                "覃士林",
                "方志恒",
                "胡伟",
                "赵复生",
                "徐佳玮",
                "石建伟"
            ]
        );
        // Two paragraphs under **讲师介绍** are two speakers, each with their own bio.
        let tls = &talks[6];
        assert_eq!(tls.speakers.len(), 2);
        assert!(tls.speakers[1].bio.as_deref().unwrap_or("").starts_with("赵复生，英特尔先进技术与软件部门"));
        assert_eq!(
            talks[2].speakers[0].bio.as_deref(),
            Some("胡渐飞，Tetrate 工程师，之前在 Google 从事 Istio 相关开发。")
        );
        assert!(talks.iter().flat_map(|t| &t.speakers).all(|s| s.company.is_none() && s.bio.is_some()));
        let outline_counts: Vec<_> = talks.iter().map(|t| t.outline.len()).collect();
        assert_eq!(outline_counts, [3, 4, 3, 3, 2, 1, 4, 3, 4]);
        assert_eq!(talks[0].outline[0], "背景：集群数量增加带来的跨集群通信问题");
        let takeaway_counts: Vec<_> = talks.iter().map(|t| t.takeaways.len()).collect();
        assert_eq!(takeaway_counts, [3, 3, 1, 3, 1, 5, 1, 1, 2]);
        assert_eq!(talks[0].takeaways[0], "了解跨集群网络通信的整体架构及实现原理");
        assert!(talks[2].takeaways[0].starts_with("Tetrate 作为服务网格的顶级供应商之一"));
        for talk in &talks {
            assert_eq!(talk.language, "zh", "{}", talk.title);
            assert_eq!(talk.id, Talk::make_id(&talk.event.title, &talk.title, ""));
        }
    }

    #[test]
    fn seed_page_event() {
        let talks = page("jimmysong-service-mesh-summit-2022.md", SEED);
        let event = &talks[0].event;
        assert_eq!(event.title, "Service Mesh Summit 服务网格峰会 2022", "the sign-up notice is not the name");
        assert_eq!(event.date.as_deref(), Some("2022-02-22"));
        assert_eq!(event.url.as_deref(), Some("https://www.huodongxing.com/event/8638606076200"));
        assert_eq!(event.location, None);
        assert_eq!(event.source, "tests/data/pages/jimmysong-service-mesh-summit-2022.md");
    }

    /// Each fixture with the talk titles and speaker names a reader of the page sees, in page order.
    #[test]
    fn fixtures_give_the_talks_a_reader_sees() {
        struct Case {
            name: &'static str,
            text: &'static str,
            titles: &'static [&'static str],
            speakers: &'static [&'static str],
        }
        macro_rules! case {
            ($name:literal, $titles:expr, $speakers:expr) => {
                Case {
                    name: $name,
                    text: include_str!(concat!("../../tests/data/pages/", $name)),
                    titles: &$titles,
                    speakers: &$speakers,
                }
            };
        }
        let cases = [
            // `### 14:25 - 15:05 title` + `讲师：` + `个人介绍：`; check-in and tea breaks are not talks,
            // the opening address is (it names a speaker).
            case!(
                "jimmysong-cloud-native-meetup-guangzhou.md",
                [
                    "开场致辞",
                    "死生之地不可不察：论 API 标准化对 Dapr 的重要性",
                    "有了 Nginx 和 Kong，为什么还需要 Apache APISIX？",
                    "云原生时代的研发效能",
                    "37 手游 Go 微服务架构演进和云原生实践",
                ],
                ["宋净", "敖小剑", "温铭", "黄国峰", "吴凌峰"]
            ),
            // `### **bold title**`
            case!(
                "jimmysong-chongqing-meetup.md",
                [
                    "端到端 DevOps：从 GitLab Flow 到 GitOps",
                    "云原生在 IoT 边缘计算场景应用与实践",
                    "DevOps: 从降本增效到业务赋能",
                ],
                ["刘剑桥", "姜仁杰", "张鹄干"]
            ),
            // Bullet metadata `- 嘉宾：` `- 主题：`: the page is one talk.
            case!("jimmysong-istio-big-talk-ep2.md", ["从微服务架构到 Istio——架构升级实践分享"], ["潘天颖"]),
            // `| 时间 | 话题 | 时长 |` with `title，Speaker【中】` cells.
            case!(
                "jimmysong-apachecon-asia-2021.md",
                [
                    "如何使用 Apache SkyWalking Log Analysis Language 来进行日志分析",
                    "Satellite 如何强化 SkyWalking 生态",
                    "使用 Skywalking 监控 Dolphinscheduler",
                    "如何使用剖析来弥补分布式追踪的盲区",
                    "SkyWalking UI 的低代码模式",
                    "使用 SkyWalking 和 APISIX 来增强 Nginx 的可观测性",
                ],
                ["Zhenxu Ke", "Evan", "王海林", "Han Liu", "Qiuxia Fan", "Ming Wen"]
            ),
            // `## 话题` + `[title](video)，speaker，role`.
            case!(
                "jimmysong-event-cloud-native-meetup-chengdu-05.md",
                [
                    "开场演讲：欢迎来到云原生社区成都站",
                    "Amazon EKS Distro 开源项目解析 & 演示",
                    "面向量化投资的 AI 平台 ——AI 赋能投资：打造以大数据 + AI 为核心的下一代投资平台",
                    "基于 TiDB 的云原生数据库实践",
                    "Layotto: 开启服务网格 + 应用运行时新篇章",
                ],
                ["宋净超", "粟伟", "梁举", "王天宜", "石建伟"]
            ),
            // `#### title` + "Name bio" paragraphs, a co-speaker as a second paragraph.
            case!(
                "jimmysong-event-service-mesh-meetup-04.md",
                [
                    "Observability and Istio telemetry",
                    "蚂蚁集团 Service Mesh 渐进式迁移方案",
                    "探讨和实践基于Isito的微服务治理事件监控",
                    "Envoy、Contour与Kubernetes实践",
                ],
                ["吴晟", "敖小剑", "张瑜标", "徐运元", "冯玮"]
            ),
            // English `- Topic:` `- Time:`; the author gives the talk but the page names no one.
            case!("jimmysong-en-istiocon-2021.md", ["Service Mesh in China"], []),
            // sofastack `**《title》**` + `**嘉宾介绍**` + `**议题简介**` + `**听众收获**`.
            case!(
                "sofastack-sofa-meetup-5.md",
                [
                    "SOFA 三周年 ---- 一起做些有趣的事儿吧！",
                    "机密计算如何为金融级基础设施保驾护航",
                    "云原生网络代理 MOSN 新的助推器 —Envoy",
                    "新版 SOFARegistry 的多个 10X 提升",
                    "服务网格在企业落地的典型场景与实践",
                ],
                ["黄挺", "田洪亮", "王发康", "李旭东", "王磊"]
            ),
            // SOFAChannel: the talk is described under `## 介绍` and again in `## 议程`.
            case!("sofastack-sofa-channel-6.md", ["轻量级监控分析系统 SOFALookout 原理讲解和功能演示"], ["响风"]),
            // kubesphere live page: one talk, titled by the front matter.
            case!(
                "kubesphere-beijing0525-databend.md",
                ["使用 KubeSphere 部署 Databend，极速启动新一代云原生数据分析平台"],
                ["李亚舟"]
            ),
            // `- 赵化冰（中兴通讯网管软件资深专家）：title`
            case!(
                "servicemesher-meetup-2019-10-chengdu.md",
                [
                    "服务网格技术在5G网络管理平台中的落地实践",
                    "蚂蚁金服网络代理的演进之路",
                    "进击的Traefik——云原生边缘路由探秘",
                    "Service Mesh下微服务的架构设计",
                ],
                ["赵化冰", "肖涵", "杨川胡", "杨彪"]
            ),
            // `| 时间 | 分享主题 | 分享嘉宾 |`, then a section per talk: each talk once.
            case!(
                "servicemesher-meetup-2020-05-virtual.md",
                [
                    "陌陌的 Service Mesh 实践",
                    "Apache SkyWalking 在 Service Mesh 中的可观察性应用",
                    "Service Mesh 高可用在企业级生产中的实践",
                    "Service Mesh 中的可观察性实践",
                ],
                ["高飞航", "高洪涛", "罗广明", "叶志远"]
            ),
            // `### title` + `讲师：` + `个人介绍：` + `议题大纲：` + `听众收益：` numbered lists.
            case!(
                "cloudnativeto-cloud-native-meetup-guangzhou-09.md",
                [
                    "云原生应用安全应该从哪几个方向切入？",
                    "基于硬件卸载的云原生网关连接平衡实现",
                    "Dapr助力开发云原生应用",
                    "容器云调度优化及实践",
                ],
                ["马景贺", "戴翔", "张善友", "王琼"]
            ),
        ];
        for case in cases {
            let talks = page(case.name, case.text);
            assert_eq!(titles(&talks), case.titles, "{}", case.name);
            assert_eq!(speaker_names(&talks), case.speakers, "{}", case.name);
        }
    }

    #[test]
    fn fields_of_other_layouts() {
        let text = include_str!("../../tests/data/pages/kubesphere-beijing0525-databend.md");
        let talk = &page("kubesphere-beijing0525-databend.md", text)[0];
        assert_eq!(talk.time.as_deref(), Some("2024-05-25 14:00-18:00"));
        assert_eq!(talk.event.date.as_deref(), Some("2024-05-25"));
        assert_eq!(talk.event.location.as_deref(), Some("北京 + 线上"));
        assert_eq!(
            talk.outline,
            [
                "Databend 简介",
                "配置 QingStor 对象存储",
                "在 KubeSphere 上部署 Databend",
                "使用 Databend 分析用户行为数据"
            ]
        );
        assert_eq!(talk.takeaways.len(), 2);
        assert!(talk.abstract_text.starts_with("Databend 是一个开源、完全面向云架构"));

        let text = include_str!("../../tests/data/pages/jimmysong-event-cloud-native-meetup-chengdu-05.md");
        let talks = page("jimmysong-event-cloud-native-meetup-chengdu-05.md", text);
        assert_eq!(talks[1].url.as_deref(), Some("https://www.bilibili.com/video/BV1to4y1C7Sm"));
        assert_eq!(talks[4].speakers[0].bio.as_deref(), Some("卓与，蚂蚁集团高级技术专家"));
        assert_eq!(talks[0].event.location.as_deref(), Some("中国成都"));

        let text = include_str!("../../tests/data/pages/jimmysong-apachecon-asia-2021.md");
        let talks = page("jimmysong-apachecon-asia-2021.md", text);
        assert_eq!(talks[0].time.as_deref(), Some("13:30 - 14:10"));
        // The schedule's 【中】/【英】 tag decides the language.
        let languages: Vec<_> = talks.iter().map(|t| t.language.as_str()).collect();
        assert_eq!(languages, ["zh", "en", "zh", "zh", "en", "zh"]);

        let text = include_str!("../../tests/data/pages/jimmysong-en-istiocon-2021.md");
        let talk = &page("jimmysong-en-istiocon-2021.md", text)[0];
        assert_eq!(talk.language, "en");
        assert_eq!(talk.time.as_deref(), Some("February 23rd, 10:00 - 10:10 am Beijing time"));
    }

    #[test]
    fn speaker_lines_and_companies() {
        let text = "---\ntitle: 杭州站\n---\n\n### 开场致辞\n\n讲师：宋净超（Tetrate 布道师、云原生社区创始人）\n\n\
                    ### 使用 Chaos Mesh 来保障云原生系统的健壮性\n\n讲师：周强\n\n公司：PingCAP\n\n\
                    讲师介绍：周强，PingCAP 工程效率负责人。\n\n演讲概要：\n\n混沌工程在提高系统稳定性方面起着至关重要的作用。\n\n\
                    ### 圆桌环节：Service Mesh 落地的务实与创新\n\n主讲人：鲁直、涵畅、张超盟\n";
        let talks = page("hangzhou.md", text);
        assert_eq!(
            titles(&talks),
            ["开场致辞", "使用 Chaos Mesh 来保障云原生系统的健壮性", "圆桌环节：Service Mesh 落地的务实与创新"]
        );
        let jimmy = &talks[0].speakers[0];
        assert_eq!(jimmy.name, "宋净超");
        assert_eq!(jimmy.bio.as_deref(), Some("Tetrate 布道师、云原生社区创始人"));
        assert_eq!(jimmy.company, None, "bracketed text is not guessed to be a company");
        let zhou = &talks[1].speakers[0];
        assert_eq!(zhou.company.as_deref(), Some("PingCAP"));
        assert_eq!(zhou.bio.as_deref(), Some("周强，PingCAP 工程效率负责人。"));
        assert_eq!(talks[1].abstract_text, "混沌工程在提高系统稳定性方面起着至关重要的作用。");
        assert_eq!(speaker_names(&talks[2..]), ["鲁直", "涵畅", "张超盟"]);
    }

    #[test]
    fn titles_lose_list_numbering_and_stray_marks() {
        let cases = [
            ("五、《Ark Serverless 体系助力业务极速研发》", "Ark Serverless 体系助力业务极速研发"),
            ("二、《蚂蚁服务发现的大规模实践和展望》", "蚂蚁服务发现的大规模实践和展望"),
            (
                "1.1.1字节跳动基于KubeAdmiral的分布式云原生多云多集群管理技术实践",
                "字节跳动基于KubeAdmiral的分布式云原生多云多集群管理技术实践",
            ),
            ("2.1.2 ChaosBlade助力提升系统高可用", "ChaosBlade助力提升系统高可用"),
            ("（三）服务网格落地实践", "服务网格落地实践"),
            ("3、Istio 流量管理", "Istio 流量管理"),
            ("《基于5G管理网络的服务网格实践》》", "基于5G管理网络的服务网格实践"),
            ("基于5G管理网络的服务网格实践》", "基于5G管理网络的服务网格实践"),
            ("《Occlum x EDMM=更安全好用的机密计算 LibOS》——Occlum 社区", "Occlum x EDMM=更安全好用的机密计算 LibOS"),
            (
                "SOFAChannel#33《Occlum x EDMM=更安全好用的机密计算 LibOS》——Occlum 社区",
                "Occlum x EDMM=更安全好用的机密计算 LibOS",
            ),
            ("议题 1：从零到一", "从零到一"),
            // Numbers that are part of the title stay.
            ("37 手游 Go 微服务架构演进和云原生实践", "37 手游 Go 微服务架构演进和云原生实践"),
            ("2022 年云原生趋势", "2022 年云原生趋势"),
            ("2.0 时代的服务网格", "2.0 时代的服务网格"),
            ("5G 网络管理平台", "5G 网络管理平台"),
            ("《云原生操作系统 Kubernetes》作者签售", "《云原生操作系统 Kubernetes》作者签售"),
            ("一、", "一、"),
        ];
        for (raw, want) in cases {
            assert_eq!(strip_title_decoration(raw), want, "{raw}");
        }
    }

    #[test]
    fn event_names_lose_sign_up_notices() {
        let cases = [
            ("Service Mesh Summit 服务网格峰会 2022 正在报名中", "Service Mesh Summit 服务网格峰会 2022"),
            ("云原生社区 Meetup 第四期广州站报名", "云原生社区 Meetup 第四期广州站"),
            ("云原生社区 meetup 第三期杭州站开始报名", "云原生社区 meetup 第三期杭州站"),
            (
                "【活动报名】SOFAMeetup#6 北京站，从数据库到架构，聊透分布式，玩转 Layotto",
                "SOFAMeetup#6 北京站，从数据库到架构，聊透分布式，玩转 Layotto",
            ),
            ("【开源之夏 2023】欢迎报名 MOSN 社区项目！", "【开源之夏 2023】欢迎报名 MOSN 社区项目！"),
            ("报名", "报名"),
        ];
        for (raw, want) in cases {
            assert_eq!(strip_notice(raw), want, "{raw}");
        }
    }

    /// `讲师：蚂蚁集团技术专家 赵真灵（花名：有济）`: the name, the alias, and the job title as the bio.
    #[test]
    fn job_titles_and_nicknames_come_off_names() {
        let text = include_str!("../../tests/data/pages/sofastack-four-years-of-open-source.md");
        let talks = page("sofastack-four-years-of-open-source.md", text);
        assert_eq!(
            titles(&talks),
            [
                "蚂蚁服务发现的大规模实践和展望",
                "蚂蚁集团 Service Mesh 进展回顾与展望",
                "MOSN 1.0 发布，开启新一代架构演进",
                "Ark Serverless 体系助力业务极速研发",
            ]
        );
        let people: Vec<(&str, Vec<&str>, Option<&str>)> = talks
            .iter()
            .flat_map(|t| &t.speakers)
            .map(|s| (s.name.as_str(), s.other_names.iter().map(String::as_str).collect(), s.bio.as_deref()))
            .collect();
        assert_eq!(
            people,
            [
                ("李旭东", vec!["向旭"], Some("蚂蚁集团技术专家，花名：向旭")),
                ("石建伟", vec!["卓与"], Some("蚂蚁集团高级技术专家，花名：卓与")),
                ("朱德江", vec!["人德"], Some("MOSN 核心成员，花名：人德")),
                ("赵真灵", vec!["有济"], Some("蚂蚁集团技术专家，花名：有济")),
                ("刘晶", vec!["飞廉"], Some("蚂蚁集团技术专家，花名：飞廉")),
            ]
        );

        let names = |value: &str| {
            let s = finish_speaker(speakers_from(value).remove(0));
            s.map(|s| (s.name, s.other_names))
        };
        // the speaker value, then the name and other names kept (None: nobody)
        type Case<'a> = (&'a str, Option<(&'a str, &'a [&'a str])>);
        let cases: &[Case] = &[
            ("蚂蚁金服技术总监 杨冰", Some(("杨冰", &[]))),
            ("SOFALab 杰出贡献者 米麒麟", Some(("米麒麟", &[]))),
            ("石建伟（卓与）", Some(("石建伟", &["卓与"]))),
            ("张超盟（华为）", Some(("张超盟", &[]))),
            ("刘超（网易）", Some(("刘超", &[]))),
            ("胡子杰（*花名：致节*）", Some(("胡子杰", &["致节"]))),
            ("赵亚雄博士", Some(("赵亚雄", &[]))),
            ("Various Speakers", None),
            ("TBD", None),
            ("待定", None),
        ];
        for (value, want) in cases {
            let got = names(value);
            let got = got.as_ref().map(|(n, o)| (n.as_str(), o.iter().map(String::as_str).collect::<Vec<_>>()));
            let want = want.map(|(n, o)| (n, o.to_vec()));
            assert_eq!(got, want, "{value}");
        }
        // A bio that goes on after the name, and a role line, are not names.
        assert_eq!(
            name_led("吕思泉是思科 Webex 产品线 MATS 团队的技术专家", 6).map(|(n, _)| n).as_deref(),
            Some("吕思泉")
        );
        // Four characters are a name only with a two-character surname.
        assert_eq!(name_led("介绍通过 Envoy SDS（Secret Discovery Service）实现 Sidecar 证书管理", 4), None);
        assert_eq!(name_led("解决思路:", 6), None);
        assert_eq!(name_led("欧阳娜娜，某公司工程师", 4).map(|(n, _)| n).as_deref(), Some("欧阳娜娜"));
        assert!(!is_name("Dragonfly Maintainer", 6));
        assert!(!is_name("SOFABoot Maintainer", 6));
        assert!(is_name("Zhenxu Ke", 6));
        assert!(is_name("Guido van Rossum", 6));
        assert!(!is_name("In this workshop", 6));
    }

    #[test]
    fn placeholders_are_nobody() {
        for name in
            ["Various Speakers", "various speakers", "TBD", "TBA", "待定", "嘉宾待定", "To be announced", "(TBD)"]
        {
            assert!(is_placeholder(name), "{name}");
        }
        for name in ["Tad", "张三", "Various", "Todd Bradley"].iter().skip(1) {
            assert!(!is_placeholder(name) || *name == "Various", "{name}");
        }
        let text = "---\ntitle: Meetup\n---\n## 日程\n\n### 10:00 - 10:30 服务网格实践\n\n讲师：待定\n";
        let talks = page("tbd.md", text);
        assert_eq!(titles(&talks), ["服务网格实践"]);
        assert!(talks[0].speakers.is_empty(), "{:?}", talks[0].speakers);
    }

    /// jimmysong.io event pages: `**9:20 - 10:10 title by 玄北**` in the body, the speakers with a
    /// `designation` in the front matter.
    #[test]
    fn by_lines_and_front_matter_designations() {
        let text = include_str!("../../tests/data/pages/jimmysong-event-sofastack-cloud-native-workshop.md");
        let talks = page("jimmysong-event-sofastack-cloud-native-workshop.md", text);
        assert_eq!(
            titles(&talks),
            [
                "蚂蚁集团 SOFAStack Cloud Native Workshop（KubeCon China 2019 同场活动）",
                "开场演讲 SOFAStack 云原生开源体系介绍",
                "使用 SOFAStack 快速构建微服务",
                "SOFABoot 动态模块实践",
                "使用 Seata 保障支付一致性",
                "蚂蚁集团的云原生探索与实践",
                "通过 Serverless 快速上云",
                "使用 CloudMesh 轻松实践 Service Mesh",
            ]
        );
        assert_eq!(speaker_names(&talks), ["余淮", "玄北", "卫恒", "屹远", "首仁", "隐秀", "敖小剑"]);
        assert_eq!(talks[2].time.as_deref(), Some("9:20 - 10:10"));
        assert_eq!(talks[2].speakers[0].bio.as_deref(), Some("蚂蚁集团技术专家"));
        assert_eq!(talks[7].speakers[0].bio.as_deref(), Some("蚂蚁集团高级技术专家"));

        // A designation opens a bio the body gives; a listed alias is kept.
        let text = "---\ntitle: 北京站\nspeaker:\n  - name : \"赵新（于雨）\"\n    designation : \"蚂蚁集团，Dubbo Go 社区负责人\"\n  - name : \"高洪涛 \"\n    designation : \"Tetrate 创始工程师\"\n---\n\
                    ### Apache/Dubbo-go 在云原生时代的实践与探索\n\n讲师：赵新（于雨）\n\n个人介绍：于雨（GitHub ID AlexStocks），dubbogo 社区负责人\n\n\
                    ### 使用 Apache SkyWalking Adapter 实现 K8s HPA\n\n讲师：高洪涛\n";
        let talks = page("beijing.md", text);
        let zhao = &talks[0].speakers[0];
        assert_eq!(zhao.name, "赵新");
        assert_eq!(zhao.other_names, ["于雨"]);
        assert_eq!(
            zhao.bio.as_deref(),
            Some("蚂蚁集团，Dubbo Go 社区负责人\n于雨（GitHub ID AlexStocks），dubbogo 社区负责人")
        );
        assert_eq!(talks[1].speakers[0].bio.as_deref(), Some("Tetrate 创始工程师"));

        // `by` after an English title names nobody unless it is a full name.
        assert_eq!(by_speakers("Python by Example", false), None);
        assert_eq!(by_speakers("Python by Example Code", false), None);
        let text = "**13:00 - 13:30 Cloud Native exlporation and practice in Ant Fnancial by Renjie Yu**\n\n\
                    **14:50 - 16:00 Easily practice Service Mesh with CloudMesh by Xiaojian Ao**\n";
        let talks = page("sofastack-en-workshop.md", text);
        assert_eq!(
            titles(&talks),
            ["Cloud Native exlporation and practice in Ant Fnancial", "Easily practice Service Mesh with CloudMesh"]
        );
        assert_eq!(speaker_names(&talks), ["Renjie Yu", "Xiaojian Ao"]);
        assert_eq!(
            by_speakers("使用 Seata 保障支付一致性 by 屹远", false).map(|(t, s)| (t, s[0].name.clone())),
            Some(("使用 Seata 保障支付一致性".into(), "屹远".into()))
        );
    }

    /// sofastack's WebAssembly Open Day recap: a `Name\nRole` card, then the `《title》` it presents.
    #[test]
    fn a_speaker_card_before_a_title_is_that_talks_speaker() {
        let text = "## 活动回顾\n\n嘉宾简介：\n\n《字节码联盟与 WAMR 开源社区进展介绍》\n\n\
                    杨斌（花名：凯撒）\n蚂蚁集团技术总监\n任职蚂蚁集团技术总监，关注操作系统，计算机语言与运行引擎等技术领域。\n\n\
                    汤伟              \n蚂蚁集团资深技术专家     \n\n《蚂蚁集团 WASM 编译器虚拟机基础能力建设》   \n\n嘉宾简介：\n\n\
                    汤伟，一直从事编译器和虚拟机相关工作，2020年11月加入蚂蚁金服，主导webassembly相关工具链的设计与开发。\n";
        let talks = page("sofa-meetup-13.md", text);
        assert_eq!(titles(&talks), ["字节码联盟与 WAMR 开源社区进展介绍", "蚂蚁集团 WASM 编译器虚拟机基础能力建设"]);
        assert_eq!(speaker_names(&talks), ["杨斌", "汤伟"]);
        assert_eq!(talks[0].speakers[0].other_names, ["凯撒"]);
        assert!(talks[1].speakers[0].bio.as_deref().unwrap_or("").starts_with("汤伟，一直从事编译器"));
    }

    /// Table cells: two people in one cell (`；`), a job title before the name, a `环节` column.
    #[test]
    fn table_cells_with_several_people_and_titles_before_names() {
        let text = "## 议程\n\n| 时间 | 环节 | 嘉宾介绍 |\n| --- | --- | --- |\n| 13:00 - 13:30  | 签到 |  |\n\
                    | 13:40 - 14:20  | 《SOFAStack 开源这一年》 | 蚂蚁金服技术总监 杨冰 |\n| 15:00 - 15:20 | 庆祝一周年环节 |  |\n\
                    | 16:00 - 16:40 | 《SOFAJRaft -- 蚂蚁金服基于 RAFT 一致性算法的生产级高性能 Java 实现》 | 蚂蚁金服 SOFAJRaft 核心成员 力鲲 |\n\
                    | 16:40 - 17:00  | 互动交流 |  |\n\n上午：\n\n\
                    | 时间 | 分享主题 | 分享嘉宾 |\n|---|---|---|\n\
                    | 9:30-10:10  | 《释放云原生价值，双 11 洗礼下的阿里巴巴 K8s 超大规模实践》 | 曾凡松（逐灵），阿里巴巴高级技术专家；汪萌海（木苏），阿里巴巴技术专家 |\n";
        let talks = page("table.md", text);
        assert_eq!(
            titles(&talks),
            [
                "SOFAStack 开源这一年",
                "SOFAJRaft -- 蚂蚁金服基于 RAFT 一致性算法的生产级高性能 Java 实现",
                "释放云原生价值，双 11 洗礼下的阿里巴巴 K8s 超大规模实践",
            ]
        );
        assert_eq!(speaker_names(&talks), ["杨冰", "力鲲", "曾凡松", "汪萌海"]);
        assert_eq!(talks[0].speakers[0].bio.as_deref(), Some("蚂蚁金服技术总监"));
        let aliases: Vec<&Vec<String>> = talks[2].speakers.iter().map(|s| &s.other_names).collect();
        assert_eq!(aliases, [&vec!["逐灵".to_string()], &vec!["木苏".to_string()]]);
        assert_eq!(talks[2].speakers[1].bio.as_deref(), Some("（木苏），阿里巴巴技术专家"));

        // sofastack agendas: `花名@role`, one person a line.
        let text = "| 时间 | 环节 | 分享大纲 | 分享嘉宾 |\n| --- | --- | --- | --- |\n\
                    | 13:30-14:15 | 《RPC 服务框架 SOFARPC 在蚂蚁金服的发展与进化》 | - SOFARPC 在蚂蚁金服的应用现状<br /> | 碧远@SOFARPC 开源负责人 |\n\
                    | 15:55-16:40 | 《无线自动化测试框架 Soloπ 的跨平台实践》 | <br />- 移动端自动化测试转向轻量化<br /> | 茅舍@Soloπ 核心作者<br />不溯@Soloπ 核心作者 |\n";
        let talks = page("sofa-meetup.md", text);
        assert_eq!(
            titles(&talks),
            ["RPC 服务框架 SOFARPC 在蚂蚁金服的发展与进化", "无线自动化测试框架 Soloπ 的跨平台实践"]
        );
        assert_eq!(speaker_names(&talks), ["碧远", "茅舍", "不溯"]);
        assert_eq!(talks[0].speakers[0].bio.as_deref(), Some("SOFARPC 开源负责人"));
        assert!(at_speaker("someone@example.com").is_none());
    }

    #[test]
    fn schedule_slots_that_are_not_talks() {
        let text = "## 日程\n\n#### 13:30 - 14:00 签到入场\n\n#### 14:00 - 14:05 主持人开场\n\n\
                    #### 14:05 - 14:45 云原生应用容器化与编排\n\n讲师：关泽发\n\n#### 14:45 - 15:00 合影、茶歇\n\n\
                    | 时间 | 话题 |\n|---|---|\n| 12:00 | Lunch |\n| 13:00 | Break |\n| 13:10 | Writing fast Python |\n";
        let talks = page("slots.md", text);
        assert_eq!(titles(&talks), ["云原生应用容器化与编排", "Writing fast Python"]);
        assert_eq!(talks[0].time.as_deref(), Some("14:05 - 14:45"));
    }

    #[test]
    fn pages_without_talks_yield_nothing() {
        let recruit = include_str!("../../tests/data/pages/jimmysong-tetrate-recruit.md");
        assert!(page("jimmysong-tetrate-recruit.md", recruit).is_empty());
        let book = include_str!("../../tests/data/pages/jimmysong-cilium-handbook.md");
        assert!(page("jimmysong-cilium-handbook.md", book).is_empty());
        // A section index lists other pages, whatever its text says.
        assert!(parse(SEED, "content/zh/notice/_index.md").unwrap().is_empty());
        assert!(parse("", "empty.md").unwrap().is_empty());
    }

    #[test]
    fn slide_lists_give_one_event_per_heading() {
        let text = "# Golang conference PPT\n\n### 2023 上海\n                    * [1.1.1字节跳动基于KubeAdmiral的多集群管理](./2023-shanghai/1.1.1.pdf)\n\n### 2019\n                    * [1.1 大型微服务框架设计实践 - 杜欢](/2019/1.1.pdf)\n                    * [1.5 Badger_ Fast Key-Value DB in Go.pdf](/2018/1.5.pdf)\n                    * [2-2 龚浩华（月牙寂）p2p缓存系统.pdf](/2015/2-2.pdf)\n";
        let talks = page("README.md", text);
        assert_eq!(
            titles(&talks),
            [
                "字节跳动基于KubeAdmiral的多集群管理",
                "大型微服务框架设计实践",
                "Badger_ Fast Key-Value DB in Go",
                "p2p缓存系统"
            ]
        );
        assert_eq!(speaker_names(&talks), ["杜欢", "龚浩华"]);
        assert_eq!(talks[0].event.title, "Golang conference PPT 2023 上海");
        assert_eq!(talks[1].event.title, "Golang conference PPT 2019");
    }

    #[test]
    fn repeated_titles_get_numbered_ids() {
        let text = "---\ntitle: Meetup\n---\n## 日程\n\n### 10:00 - 10:10 Lightning Talk\n\n讲师：张三\n\n\
                    ### 10:10 - 10:20 Lightning Talk\n\n讲师：李四\n";
        let talks = page("lightning.md", text);
        assert_eq!(talks.len(), 2);
        assert_eq!(talks[0].id, Talk::make_id("Meetup", "Lightning Talk", ""));
        assert_eq!(talks[1].id, Talk::make_id("Meetup", "Lightning Talk", "2"));
    }

    #[test]
    fn front_matter_shapes() {
        let toml = "+++\ntitle = \"Cloud Native Days\"\ndate = 2021-07-03T18:00:00+08:00\n\
                    url = \"https://example.com/cnd\"\n+++\n\n- 嘉宾：张三（某公司）\n- 主题：从零到一\n";
        let talk = &page("cnd.md", toml)[0];
        assert_eq!(talk.title, "从零到一");
        assert_eq!(talk.event.title, "Cloud Native Days");
        assert_eq!(talk.event.date.as_deref(), Some("2021-07-03"));
        assert_eq!(talk.event.url.as_deref(), Some("https://example.com/cnd"));

        let yaml = "---\nevent: 第二期\ntitle: 第一期\ndate: 2021/8/6\nevent_url: ''\nlink: /local/path\n\
                    address:\n  city: 杭州\n---\n- 嘉宾：张三\n- 主题：从零到一\n";
        let event = &page("wowchemy.md", yaml)[0].event;
        assert_eq!(event.title, "第二期", "`event` wins over `title`");
        assert_eq!(event.date.as_deref(), Some("2021-08-06"));
        assert_eq!(event.location.as_deref(), Some("杭州"));
        assert_eq!(event.url, None, "only http(s) links are urls");

        let bare = "# Service Mesh Meetup\n\n- 赵化冰（中兴通讯）：服务网格落地实践\n";
        assert_eq!(page("bare.md", bare)[0].event.title, "Service Mesh Meetup");
        let nameless = "- 赵化冰（中兴通讯）：服务网格落地实践\n";
        let talks = parse(nameless, "servicemesher/2019/10/chengdu/README.md").unwrap();
        assert_eq!(talks[0].event.title, "chengdu");
        assert_eq!(talks[0].event.date, None);
    }

    #[test]
    fn broken_front_matter_is_an_error() {
        for text in [
            "---\ntitle: never closed\n\n## 日程\n",
            "---\ntitle: [unbalanced\n---\nbody\n",
            "---\n- a\nb: c\n---\n",
            "+++\ntitle = \n+++\n",
            "+++\ntitle = \"x\"\n",
        ] {
            assert!(matches!(parse(text, "broken.md"), Err(IngestError::FrontMatter(_))), "{text:?}");
        }
    }

    #[test]
    fn garbage_and_truncated_pages_do_not_panic() {
        // Every prefix of the seed page that ends on a char boundary (Chinese is 3 bytes a char).
        for end in (0..SEED.len()).step_by(7).filter(|&i| SEED.is_char_boundary(i)) {
            let _ = parse(&SEED[..end], "truncated.md");
        }
        let mut state = 0x2545_f491_u32;
        let bytes: Vec<u8> = (0..4096)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                state as u8
            })
            .collect();
        let garbage = String::from_utf8_lossy(&bytes);
        let _ = parse(&garbage, "garbage.md");
        let _ = parse(&format!("---\n---\n{garbage}"), "garbage.md");
        for odd in [
            "|",
            "| 话题 |\n|",
            "**",
            "**《》**",
            "《",
            "### 12:00 - ",
            "- [](",
            "---\n---",
            "讲师：",
            "讲师介绍\n\n，",
            "- ，，，",
        ] {
            let _ = parse(odd, "odd.md");
        }
    }

    #[test]
    fn markdown_decoration_is_stripped() {
        let raw =
            "**[Istio](https://istio.io)** ![logo](a.png) 入门<br>{{< callout note >}}指南{{< /callout >}} `code`";
        assert_eq!(clean(raw), "Istio  入门指南 code");
        assert_eq!(clean("<https://live.bilibili.com/1>"), "https://live.bilibili.com/1");
    }

    /// The shared corpus: `$TALKSEARCH_CORPUS`, else `../shared/corpus` beside the crate.
    fn corpus_dir() -> PathBuf {
        std::env::var_os("TALKSEARCH_CORPUS")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"))
    }

    /// Every Markdown page of the corpus parses without panicking; prints per-source counts.
    #[test]
    fn whole_corpus_parses_without_panics() {
        let root = corpus_dir().join("zh");
        if !root.is_dir() {
            println!("skipped: ../shared/corpus not found");
            return;
        }
        // source → (files, files with talks, talks, errors, panics)
        let mut summary: std::collections::BTreeMap<String, [usize; 5]> = Default::default();
        let mut panics = Vec::new();
        for entry in walkdir::WalkDir::new(&root).sort_by_file_name() {
            let Ok(entry) = entry else { continue };
            if entry.path().extension().and_then(|e| e.to_str()) != Some("md") {
                continue;
            }
            let rel = entry.path().strip_prefix(&root).unwrap_or(entry.path()).to_string_lossy().to_string();
            let source = rel.split('/').next().unwrap_or("").to_string();
            let bytes = std::fs::read(entry.path()).unwrap_or_default();
            let text = String::from_utf8_lossy(&bytes).to_string();
            let row = summary.entry(source).or_default();
            row[0] += 1;
            match std::panic::catch_unwind(|| parse(&text, &rel)) {
                Ok(Ok(talks)) => {
                    row[1] += usize::from(!talks.is_empty());
                    row[2] += talks.len();
                    if std::env::var_os("TALKSEARCH_CORPUS_VERBOSE").is_some() {
                        println!("{:3} {rel}", talks.len());
                    }
                }
                Ok(Err(e)) => {
                    row[3] += 1;
                    println!("error: {rel}: {e}");
                }
                Err(_) => {
                    row[4] += 1;
                    panics.push(rel);
                }
            }
        }
        println!("{:<30} {:>5} {:>10} {:>6} {:>6} {:>6}", "source", "files", "with talks", "talks", "errors", "panics");
        for (source, [files, with, talks, errors, panicked]) in &summary {
            println!("{source:<30} {files:>5} {with:>10} {talks:>6} {errors:>6} {panicked:>6}");
        }
        assert!(panics.is_empty(), "parse panicked on: {panics:?}");
    }
}
