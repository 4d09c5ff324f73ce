//! List and table layouts: a bullet, a slide link or a table row that is a whole talk, and the
//! speakers such lines name.

use regex::Regex;
use std::sync::LazyLock;

use super::blocks::{clean, first_url};
use super::sections::{strip_title_decoration, Draft};
use super::speakers::{
    bracket_name, is_bare_chinese_name, is_chinese_name, is_name, is_stop_word, name_led, speakers_from,
};
use super::vocabulary::{key_value, Field};
use crate::talk::{fold_whitespace, is_han, Speaker};

/// A bullet that is a whole talk:
/// - anywhere: `赵化冰（中兴通讯网管软件资深专家）：title`, `《title》，主讲人: 曹寅、周遥（玄胤）`;
/// - directly under a programme heading (`agenda_list`): `宋净超：title`,
///   `[title](video)，speaker，role` or `[title，speaker，speaker](video)`.
pub(super) fn list_talk(raw: &str, agenda_list: bool) -> Option<Draft> {
    static QUOTED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^《([^》]+)》\s*[，,]?\s*(.+)$").unwrap());
    static WHOLE_LINK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\[[^\]]*\]\([^)]*\)$").unwrap());
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
    // `[title - 宋净超](video)`, `[title-汪晟杰，黄金浩](video)`: names after the title's last dash.
    if WHOLE_LINK.is_match(raw) {
        if let Some((title, speakers)) = dash_speakers(&text) {
            return talk(&title, speakers);
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

/// `title - 宋净超` or `title-汪晟杰，黄金浩`: the title before the last dash, when what follows it is
/// only Chinese names (two to four characters each).
fn dash_speakers(text: &str) -> Option<(String, Vec<Speaker>)> {
    let (at, dash) = text.char_indices().rev().find(|&(_, c)| matches!(c, '-' | '–' | '—'))?;
    let (title, names) = (text[..at].trim_end_matches(['-', '–', '—', ' ']), text[at + dash.len_utf8()..].trim());
    let names: Vec<&str> = names.split(['，', ',', '、', '&', '/']).map(str::trim).collect();
    let han_names = names.iter().all(|n| is_chinese_name(n, 4));
    if !han_names || title.chars().count() < 4 {
        return None;
    }
    let speakers = names.iter().map(|n| Speaker { name: n.to_string(), ..Speaker::default() }).collect();
    Some((title.to_string(), speakers))
}

/// `宋净超` or `石建伟（卓与）` as one comma-separated part of a programme line.
pub(super) fn speaker_in_list(part: &str) -> Option<Speaker> {
    if let Some((name, bio)) = bracket_name(part) {
        let other_names = bio.as_deref().and_then(nickname).into_iter().collect();
        return Some(Speaker { name, bio, other_names, ..Speaker::default() });
    }
    if is_name(part, 6) {
        return Some(Speaker { name: part.trim().to_string(), ..Speaker::default() });
    }
    // `蚂蚁集团技术专家 赵真灵（花名：有济）`, `蚂蚁金服技术总监 杨冰`: the role goes to the bio.
    static BRACKET_END: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^([^（(]+?)\s*[（(]([^）)]*)[）)]\s*$").unwrap());
    let (head, bracket) = match BRACKET_END.captures(part.trim()) {
        Some(caps) => (caps.get(1).map_or("", |m| m.as_str()), Some(caps[2].trim().to_string())),
        None => (part.trim(), None),
    };
    let (name, role) = role_led_name(head)?;
    let bio = [Some(role), bracket].into_iter().flatten().filter(|b| !b.is_empty()).collect::<Vec<_>>().join("，");
    Some(Speaker { name, bio: Some(bio).filter(|b| !b.is_empty()), ..Speaker::default() })
}

/// Words a job title ends with, so a name written after one is found (`蚂蚁集团技术专家李旭东`).
pub(super) const ROLE_WORDS: &[&str] = &[
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
    let mut best: Option<usize> = None;
    for word in ROLE_WORDS {
        if let Some(at) = text.rfind(word) {
            let end = at + word.len();
            best = Some(best.map_or(end, |b: usize| b.max(end)));
        }
    }
    let end = best?;
    let (role, name) = (text[..end].trim(), text[end..].trim());
    (is_chinese_name(name, 4) && role.chars().count() >= 2).then(|| (name.to_string(), role.to_string()))
}

/// The alias a bracket after a name gives: `花名：有济`, `花名忘禅`, or a bare two- or
/// three-character word that is neither a company nor a role (`卓与`, `逐灵`, but not `华为`, `网易`).
fn nickname(bracket: &str) -> Option<String> {
    static MARKED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^(?:花名|别名|昵称|(?i:aka|a\.k\.a\.))\s*[：:]?\s*(.+)$").unwrap());
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
pub(super) fn finish_speaker(mut s: Speaker) -> Option<Speaker> {
    static HEAD_BRACKET: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^(?:[\p{Han}·]{2,4}\s*)?[（(]([^（()）]{1,20})[）)]").unwrap());
    static MARKED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"花名\s*[：:]?\s*([\p{Han}]{2,4})").unwrap());
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
pub(super) fn slide_link(raw: &str) -> Option<Draft> {
    static SLIDE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\[\s*\d+(?:[.-]\d+)+\s*([^\]]+)\]\(([^)]*)\)\s*$").unwrap());
    static TRAILING_NAME: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(.+?)\s+-\s+([^-]+?)\s*$").unwrap());
    let caps = SLIDE.captures(raw.trim())?;
    let mut title = clean(&caps[1]);
    if title.to_lowercase().ends_with(".pdf") {
        title.truncate(title.len() - 4);
    }
    // Slide files name their speaker at either end, however they separate it: `title - 毛剑`,
    // `title- 徐成选`, `title—毛剑`, `title_孙宏亮`, `刘奇 title`, `王伟峰-title`.
    static NAME_LAST: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(.+?)\s*[-—–_]+\s*(\p{Han}{2,3})$").unwrap());
    static NAME_FIRST: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^(\p{Han}{2,3})(?:\s+|\s*[-—–]+\s*)(.+)$").unwrap());
    // (name, the title without it)
    let named = TRAILING_NAME
        .captures(&title)
        .filter(|c| is_name(&c[2], 4))
        .or_else(|| NAME_LAST.captures(&title).filter(|c| is_bare_chinese_name(&c[2])))
        .map(|c| (c[2].to_string(), c[1].to_string()))
        .or_else(|| {
            let c = NAME_FIRST.captures(&title).filter(|c| is_bare_chinese_name(&c[1]) && c[2].chars().count() >= 4)?;
            Some((c[1].to_string(), c[2].to_string()))
        });
    let mut speakers = Vec::new();
    if let Some((name, rest)) = named {
        speakers.push(Speaker { name, ..Speaker::default() });
        title = rest;
    } else if let Some((speaker, rest)) = bracketed_speaker(&title, false) {
        speakers.push(speaker);
        title = rest;
    }
    let url = first_url(&caps[2]);
    Some(Draft { title: title.trim().to_string(), speakers, url, evidence: true, ..Draft::default() })
}

/// `[《title》](…/议题二 王志龙 title.pdf)` (sofastack activities' 资料下载 lists): a link to a talk's
/// slides, its text the title in 《》, is a talk. Only links to a slide or document file count, so a
/// book's `[《…》](shop-page)` is not one.
fn slides_link(raw: &str) -> Option<Draft> {
    static LINK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\[\s*《([^》\]]+)》\s*\]\(([^)\s]+)\)\s*$").unwrap());
    let caps = LINK.captures(raw.trim())?;
    let target = caps[2].to_lowercase();
    let path = target.split(['?', '#']).next().unwrap_or_default();
    if ![".pdf", ".ppt", ".pptx", ".key"].iter().any(|ext| path.ends_with(ext)) {
        return None;
    }
    let title = clean(&caps[1]);
    (title.chars().count() >= 4).then(|| Draft { title, url: first_url(&caps[2]), evidence: true, ..Draft::default() })
}

/// The talks of a block that is slide links: one alone ([`slides_link`]), or several one to a line,
/// under a label or not (`资料下载：` / `[《title》](x.pdf)` / `[《title》](y.pdf)`, the lines joined by
/// Markdown line breaks into one paragraph or list item). Empty unless every line after the label
/// (one ending in a colon) is such a link; a label with a single link is not read as one.
pub(super) fn slides_links(raw: &str) -> Vec<Draft> {
    if let Some(talk) = slides_link(raw) {
        return vec![talk];
    }
    let lines: Vec<&str> = raw.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let links = match lines.split_first() {
        Some((first, rest)) if first.ends_with(['：', ':']) => rest,
        _ => &lines[..],
    };
    let talks: Vec<Draft> = links.iter().filter_map(|l| slides_link(l)).collect();
    match talks.len() == links.len() && links.len() > 1 {
        true => talks,
        false => Vec::new(),
    }
}

/// `Name（role）：title` → the speaker (role as bio) and the title. With `need_colon`, the colon
/// after the bracket is required, as it is in bullet lists.
pub(super) fn bracketed_speaker(text: &str, need_colon: bool) -> Option<(Speaker, String)> {
    static PATTERN: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^([\p{Han}·]{2,4})\s*[（(]([^）)]*)[）)]\s*([：:，,]|—+)?\s*(.+)$").unwrap());
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
pub(super) fn table_talks(rows: &[Vec<String>]) -> Vec<Draft> {
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
            static BREAK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)<br\s*/?>").unwrap());
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
    static LANGUAGE_TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\s*【([^】]*)】\s*$").unwrap());
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
