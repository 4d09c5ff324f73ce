//! Section splitting: the `Walker` that cuts the blocks into `Draft` talks at headings and
//! pseudo-headings, and the titles of those drafts.

use regex::Regex;
use std::sync::LazyLock;

use super::blocks::{clean, first_url, Block};
use super::layouts::{bracketed_speaker, list_talk, slide_link, slides_links, table_talks};
use super::speakers::{add_bio, implicit_speaker, is_chinese_name, is_name, names_led, speakers_from};
use super::vocabulary::{heading_role, key_value, slot_of, Field, HeadingRole, Slot};
use crate::talk::{fold_whitespace, is_han, Speaker};

/// A talk being assembled from a section, a list item or a table row.
#[derive(Debug, Clone, Default)]
pub(super) struct Draft {
    pub(super) title: String,
    /// A `主题：`/`Topic:` line, which names the talk better than the heading above it.
    pub(super) topic: Option<String>,
    pub(super) time: Option<String>,
    pub(super) speakers: Vec<Speaker>,
    pub(super) abstract_parts: Vec<String>,
    pub(super) outline: Vec<String>,
    pub(super) takeaways: Vec<String>,
    pub(super) url: Option<String>,
    /// Something only talks have was seen: a speaker or bio block, a time slot, an outline ….
    pub(super) evidence: bool,
    /// The abstract came under an explicit label (`演讲概要`), not just as page prose.
    pub(super) labelled_abstract: bool,
    /// Whether the next paragraph may name a speaker without a `讲师：` label.
    pub(super) leading_names: LeadingNames,
    /// The language a schedule states (`【中】`, `【英】`), which beats guessing from the title.
    pub(super) language: Option<&'static str>,
    /// The heading a slide-list entry sat under (`2023 上海`), which names its own event.
    pub(super) group: Option<String>,
    /// The section opens with a "Name job" paragraph (`郑德惠 唯品会Java资深开发工程师…`): alone no
    /// proof of a talk, but two or more such sections on a page are its programme.
    pub(super) introduced: bool,
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

    /// Whether the page introduces its speakers, each with a bio, and names none of their talks
    /// (`**讲师介绍**` then `彭柳：` / `Flomesh 技术专家…` per speaker, the programme only linked):
    /// the page is then one entry for the event, so its speakers are found.
    fn introduces_speakers(&self) -> bool {
        self.speakers.iter().filter(|s| s.bio.is_some()).count() >= 2
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
pub(super) enum LeadingNames {
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
pub(super) struct Walker {
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
    pub(super) fn feed(&mut self, block: Block) {
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
        let links = if self.in_talk_text() { Vec::new() } else { slides_links(raw) };
        if !links.is_empty() {
            links.into_iter().for_each(|talk| self.push_talk(talk));
            return;
        }
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

    /// Whether the walker is inside a talk's outline, takeaways or a bio, where links are content.
    fn in_talk_text(&self) -> bool {
        matches!(self.section, Section::Outline | Section::Takeaways | Section::Bio)
    }

    fn item(&mut self, raw: &str) {
        if !self.in_talk_text() {
            let links = slides_links(raw);
            if !links.is_empty() {
                links.into_iter().for_each(|talk| self.push_talk(talk));
                return;
            }
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
                    if let Some(people) = names_led(&text, draft.leading_names) {
                        draft.introduced = true;
                        draft.speakers.extend(people);
                        draft.abstract_parts.push(text);
                        return;
                    }
                    if let Some((speaker, job)) = implicit_speaker(&text, draft.leading_names) {
                        draft.evidence |= draft.leading_names == LeadingNames::Programme;
                        draft.introduced |= job;
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
        // A section introduced by its speaker is kept until the page is read (see `finish`).
        if draft.is_talk() || (draft.introduced && !draft.speakers.is_empty()) {
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
    pub(super) fn finish(mut self, page_title: &str, fallback_time: Option<String>) -> Vec<Draft> {
        self.flush_table();
        self.close_section();
        // Sections each opening with "Name job" (a recap's `#### title` + `郑德惠 唯品会…工程师`):
        // two or more are the page's talks; one alone proves nothing.
        let introduced = self.talks.iter().filter(|d| !d.is_talk() && d.introduced).count();
        for draft in &mut self.talks {
            draft.evidence |= draft.introduced && introduced >= 2;
        }
        self.talks.retain(Draft::is_talk);
        self.speakers_from_slide_names();
        if self.talks.is_empty() && (self.page.is_page_talk() || self.page.introduces_speakers()) {
            let mut page = self.page;
            page.title = page_title.to_string();
            page.time = page.time.or(fallback_time);
            page.evidence = true;
            return vec![page];
        }
        self.talks
    }

    /// A talk with no speaker whose slides' file names one of the page's guests (`资料下载` links to
    /// `议题二 王志龙 京东搜索….pdf` beside a `## 嘉宾` list with `王志龙，京东集团架构师`): that guest.
    fn speakers_from_slide_names(&mut self) {
        for talk in self.talks.iter_mut().filter(|t| t.speakers.is_empty()) {
            let Some(url) = talk.url.as_deref() else { continue };
            let file = url.rsplit('/').next().unwrap_or_default();
            let file = percent_encoding::percent_decode_str(file).decode_utf8_lossy();
            let mut named = self.page.speakers.iter().filter(|s| s.name.chars().count() >= 2 && file.contains(&s.name));
            if let (Some(guest), None) = (named.next(), named.next()) {
                talk.speakers.push(guest.clone());
            }
        }
    }
}

/// A bold or bare `《title》` paragraph, or `**Name（role）title**`, opening a talk section as a
/// heading would (sofastack meetups, servicemesher recaps), also after an ordinal (`第一场**…**`).
fn pseudo_heading(raw: &str) -> Option<Draft> {
    static ORDINAL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^第[一二三四五六七八九十\d]{1,3}[场位个]\s*[：:，,]?\s*").unwrap());
    let raw = raw.trim();
    if raw.contains('\n') {
        return None;
    }
    let raw = match ORDINAL.find(raw) {
        Some(m) if raw[m.end()..].starts_with("**") => &raw[m.end()..],
        _ => raw,
    };
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
pub(super) fn by_speakers(text: &str, timed: bool) -> Option<(String, Vec<Speaker>)> {
    static BY: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(.+?)\s+(?i:by)\s+([^,，]+?)\s*$").unwrap());
    let caps = BY.captures(text)?;
    let (title, names) = (caps[1].trim(), caps[2].trim());
    let han_title = title.chars().any(is_han) || timed;
    let person = |n: &str| {
        let n = n.trim();
        is_chinese_name(n, 4) || (han_title && is_name(n, 4) && n.split_whitespace().count() >= 2)
    };
    let parts: Vec<&str> = names.split(['、', '&', '/']).map(str::trim).collect();
    let speakers = parts
        .iter()
        .all(|p| person(p))
        .then(|| parts.iter().map(|p| Speaker { name: p.to_string(), ..Speaker::default() }).collect::<Vec<_>>())?;
    (title.chars().count() >= 2).then(|| (title.to_string(), speakers))
}

pub(super) fn has_clock(text: &str) -> bool {
    static CLOCK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\d{1,2}\s*[:：]\s*\d{2}").unwrap());
    CLOCK.is_match(text)
}

/// `14:25 - 15:05 title` → (`Some("14:25 - 15:05")`, `title`).
fn split_time(text: &str) -> (Option<String>, String) {
    static TIME: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(\d{1,2}\s*[:：]\s*\d{2}\s*[-–—~～至到]+\s*\d{1,2}\s*[:：]\s*\d{2})\s*(.*)$").unwrap()
    });
    match TIME.captures(text) {
        Some(caps) => (Some(caps[1].trim().to_string()), caps[2].trim().to_string()),
        None => (None, text.to_string()),
    }
}

/// `SOFAChannel#6：` before a title names the episode; the agenda lists the same talk as `title`.
static EPISODE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[A-Za-z]+\s*#\s*\d+\s*(?:[：:]|—+|-)?\s*").unwrap());

/// Folds whitespace runs, drops numbering (`议题 1：`, `Topic 2:`, `SOFAChannel#6：`, list numbers
/// such as `五、`, `1.1.1`, `(2)`), the `《》` that wrap a whole title (with the community that
/// presents it after a dash: `《title》——Occlum 社区`) and a book-title mark left unpaired.
pub(super) fn strip_title_decoration(title: &str) -> String {
    static NUMBERING: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?i:议题|话题|主题|topic|session)\s*[0-9一二三四五六七八九十]+\s*[：:.、]\s*").unwrap()
    });
    // `五、`, `（三）`, `(2)`, `3、`, `3．`, `1.1.1`, `2-2 ` (gopherchina), never a year or a version
    // (`2022 年…`, `37 手游…`, `2.0 时代`): a dotted number has no zero part and is followed by a
    // space or a Han character.
    static LIST_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:[一二三四五六七八九十]{1,3}\s*[、．.]|[（(][一二三四五六七八九十0-9]{1,3}[)）]|\d{1,2}\s*、)")
            .unwrap()
    });
    static DOTTED_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(\d{1,2}[.．]|[1-9]\d?(?:[.][1-9]\d?){1,3}[.]?|[1-9]-[1-9])(?:\s|\p{Han}|[《「]|$)").unwrap()
    });
    static PRESENTED_BY: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^《([^《》]+)》\s*(?:—+|--+|-)\s*[^《》—-]{1,20}$").unwrap());
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
