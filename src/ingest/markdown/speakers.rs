//! Speakers: names, the paragraphs that introduce them, and their bios.

use regex::Regex;
use std::sync::LazyLock;

use super::layouts::{speaker_in_list, ROLE_WORDS};
use super::sections::{Draft, LeadingNames};
use crate::talk::{is_han, Speaker};

/// Words that begin bio sentences and so look like the two-to-four-character names before a `，`.
pub(super) fn is_stop_word(word: &str) -> bool {
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

/// A name written in Chinese characters (and `·`), 2 to `max_han` of them: [`is_name`] for a
/// text with no Latin letters or spaces.
pub(super) fn is_chinese_name(text: &str, max_han: usize) -> bool {
    text.chars().all(|c| is_han(c) || c == '·') && is_name(text, max_han)
}

/// Surnames, the common ones (the 百家姓 that most people bear), for telling a name from a word where
/// nothing else marks it: a slide's file title `刘奇 Go在分布式数据库中的应用`.
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝";

/// A Chinese person's name where nothing but the name itself says so: 2 or 3 Han characters that
/// open with a common surname and that the dictionary does not know as a word (`谈谈`, `高性能`).
pub(super) fn is_bare_chinese_name(text: &str) -> bool {
    let count = text.chars().count();
    (2..=3).contains(&count)
        && text.chars().all(is_han)
        && text.chars().next().is_some_and(|c| SURNAMES.contains(c))
        && !is_stop_word(text)
        && !crate::tokenizer::jieba().has_word(text)
}

/// A person's name: 2 to `max_han` Han characters, or a short capitalised Latin name.
pub(super) fn is_name(text: &str, max_han: usize) -> bool {
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
pub(super) fn name_led(text: &str, max_han: usize) -> Option<(String, String)> {
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
    if is_chinese_name(head, max_han) {
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
pub(super) fn bracket_name(text: &str) -> Option<(String, Option<String>)> {
    static BRACKET: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^([^（(]+?)\s*[（(]([^）)]*)[）)]\s*$").unwrap());
    let caps = BRACKET.captures(text.trim())?;
    is_name(&caps[1], 6).then(|| (caps[1].to_string(), Some(caps[2].trim().to_string()).filter(|b| !b.is_empty())))
}

/// The speakers of a `讲师：` value: `宋净超（Tetrate 布道师、…）`, `高飞航 陌陌中间件架构师`,
/// `赵旭，vivo 互联网，架构师`, or several names `鲁直、涵畅、张超盟`, `曾凡松（逐灵） 、汪萌海（木苏）`.
pub(super) fn speakers_from(value: &str) -> Vec<Speaker> {
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
pub(super) fn at_speaker(text: &str) -> Option<Speaker> {
    let (name, role) = text.split_once('@')?;
    let (name, role) = (name.trim(), role.trim());
    let han = name.chars().all(|c| is_han(c) || c == '·');
    (is_name(name, 4) && (han || name.contains(' ')) && !role.is_empty() && !role.contains('@')).then(|| Speaker {
        name: name.to_string(),
        bio: Some(role.to_string()),
        ..Speaker::default()
    })
}

/// A "Name role" paragraph opening a section (`吴晟 Apache SkyWalking创始人…`), as far as `trust` allows,
/// and whether it states a job (`郑德惠 唯品会Java资深开发工程师，…`): a section that opens so may be
/// one of a page's talks even outside a programme (see `Walker::finish`).
pub(super) fn implicit_speaker(text: &str, trust: LeadingNames) -> Option<(Speaker, bool)> {
    let chars = text.chars().count();
    let (name, rest) = name_led(text, 4)?;
    let job = rest.starts_with([' ', '，', ',']) && ROLE_WORDS.iter().any(|w| rest.contains(w));
    let max_chars = match trust {
        LeadingNames::No => return None,
        LeadingNames::OneLiner if job => 200,
        LeadingNames::OneLiner => 40,
        LeadingNames::Programme => 200,
    };
    if chars > max_chars {
        return None;
    }
    let speaker = Speaker { name, bio: Some(text.to_string()).filter(|t| t.chars().count() > 4), ..Speaker::default() };
    Some((speaker, job))
}

/// A paragraph opening a section with two or more names (`陈逸凡、崔秀龙、敖小剑、郑德惠共同参加的
/// 圆周讨论环节`): those people, as far as `trust` allows, unless a name is a company of the alias
/// table (`腾讯、阿里…`). Like a "Name job" line, it proves a talk only beside others (see
/// `Walker::finish`).
pub(super) fn names_led(text: &str, trust: LeadingNames) -> Option<Vec<Speaker>> {
    static NAMES: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^([\p{Han}·]{2,4}(?:、[\p{Han}·]{2,4})+)(?:共同|一起|等|参加|参与|将|：|:)").unwrap()
    });
    if trust == LeadingNames::No || text.chars().count() > 200 {
        return None;
    }
    let caps = NAMES.captures(text)?;
    let names: Vec<&str> = caps[1].split('、').collect();
    let companies = crate::company::Companies::builtin();
    let people = names.iter().all(|n| is_name(n, 4) && companies.resolve(n).is_none());
    people.then(|| names.iter().map(|n| Speaker { name: n.to_string(), ..Speaker::default() }).collect())
}

/// Adds a bio paragraph. It goes to the speaker it names, else to the first speaker still without a
/// bio. An `inline` bio (`嘉宾简介：…`) belongs to the speaker just named, so it never introduces a
/// new one; a paragraph under a bio label that opens with a name introduces that speaker; anything
/// else continues the last speaker's bio.
pub(super) fn add_bio(draft: &mut Draft, text: &str, inline: bool) {
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
