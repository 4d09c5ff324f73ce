//! Vocabulary: field labels, headings that organise a page, slots that are not talks.

use regex::Regex;
use std::sync::LazyLock;

/// What a `key：value` line or a label (`**讲师介绍**`, `## 听众受益`) fills in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
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
        "讲师介绍"
        | "讲师简介"
        | "个人介绍"
        | "个人简介"
        | "嘉宾介绍"
        | "嘉宾简介"
        | "分享人简介"
        | "分享人介绍"
        | "分享嘉宾介绍"
        | "嘉宾及讲师介绍"
        | "讲师及嘉宾介绍"
        | "关于讲师"
        | "讲师信息"
        | "bio"
        | "speaker bio" => Field::Bio,
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
        // `本次活动赞助商：…`, `活动议程详见：…` and similar event metadata under other names.
        _ if key.chars().count() <= 10
            && ["赞助", "主办", "承办", "协办", "报名", "合作伙伴", "详见"].iter().any(|w| key.contains(w)) =>
        {
            Field::Ignore
        }
        _ => return None,
    };
    Some(field)
}

/// Splits `讲师：宋净超` into its field and value; `None` unless the key is a known one.
pub(super) fn key_value(text: &str) -> Option<(Field, &str)> {
    static KEY: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^([^：:\n]{1,16}?)\s*[：:]\s*").unwrap());
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
pub(super) enum HeadingRole {
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

pub(super) fn heading_role(heading: &str) -> HeadingRole {
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
        "详情",
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
pub(super) enum Slot {
    Talk,
    /// Opening remarks, round tables: talks only when someone is named for them.
    Ceremony,
    /// Check-in, photos, tea, lunch: never talks.
    Break,
}

pub(super) fn slot_of(title: &str) -> Slot {
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
