//! Front matter and the event: `---` YAML or `+++` TOML front matter, the event's title, date,
//! place and link, and a name for pages that give none.

use regex::Regex;
use serde_json::Value;
use std::sync::LazyLock;

use super::blocks::clean;
use super::IngestError;
use crate::talk::Event;

/// Splits `---` YAML or `+++` TOML front matter from the body. A page without front matter gets
/// `Value::Null`; an unterminated or unparsable block is an error rather than silently becoming body.
pub(super) fn split_front_matter(text: &str) -> Result<(Value, &str), IngestError> {
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
pub(super) fn meta_str(meta: &Value, path: &[&str]) -> Option<String> {
    let mut value = meta;
    for key in path {
        value = value.get(key)?;
    }
    let text = clean(value.as_str()?);
    (!text.is_empty()).then_some(text)
}

pub(super) fn event_from(meta: &Value, body: &str, source: &str) -> Event {
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
pub(super) fn strip_notice(title: &str) -> String {
    static NOTICE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"\s*[|｜,，:：\-—]*\s*[（(【\[]?\s*(?:正在|火热|开始|现已|现在|已经|即将)?(?:开放)?(?:报名|注册)(?:中|开启|开始|啦|了)?\s*[!！~～]*\s*[)）】\]]?\s*[!！]*$",
        )
        .unwrap()
    });
    static LEADING: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\s*[【\[](?:活动)?报名(?:中)?[】\]]\s*").unwrap());
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

/// The event's date as the page's text states it, for pages whose front matter has none: the first
/// labelled date line (`时间：2019年11月24日（星期六）`, `- **活动时间：**2021 年 07 月 24 日`, `Date: 2020/5/6`).
pub(super) fn body_date(body: &str) -> Option<String> {
    static LABEL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^[\s>*+\-]*(?:\*\*)?\s*(?:(?:活动|会议|大会|举办)?(?:时间|日期)|(?i:date|when))\s*(?:\*\*)?\s*[:：]\s*(?:\*\*)?(.+)$")
            .unwrap()
    });
    body.lines().filter_map(|line| LABEL.captures(line)).find_map(|caps| normalise_date(&caps[1]))
}

/// The one year (1990–2099) an event's name states (`Golang conference PPT 2023 北京`), if it states
/// exactly one.
pub(super) fn year_in(title: &str) -> Option<u16> {
    let mut years = title
        .split(|c: char| !c.is_ascii_digit())
        .filter(|run| run.len() == 4)
        .filter_map(|run| run.parse::<u16>().ok())
        .filter(|y| (1990..2100).contains(y));
    match (years.next(), years.next()) {
        (Some(year), None) => Some(year),
        _ => None,
    }
}

/// `YYYY-MM-DD` from the leading date of `2022-02-22T09:27:49+08:00`, `2021/8/6`, `2021 年 6 月 2 日` ….
pub(super) fn normalise_date(text: &str) -> Option<String> {
    static DATE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})").unwrap());
    let caps = DATE.captures(text)?;
    let (y, m, d) = (&caps[1], caps[2].parse::<u32>().ok()?, caps[3].parse::<u32>().ok()?);
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then(|| format!("{y}-{m:02}-{d:02}"))
}

fn first_h1(body: &str) -> Option<String> {
    body.lines().find_map(|l| l.strip_prefix("# ")).map(clean).filter(|t| !t.is_empty())
}

pub(super) fn file_name(source: &str) -> &str {
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
