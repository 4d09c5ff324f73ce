//! Chinese (and English) Markdown event pages: Hugo front matter, then talk sections.
//!
//! The pages come from several community sites (see `/work/shared/corpus/README.md`) and none of
//! them follows a schema: a talk may be a `### heading` with `讲师：`/`**讲师介绍**` blocks under it,
//! a row of a Markdown table, a bullet such as `- 赵化冰（中兴通讯）：title`, or the whole page (one
//! talk per file). The reader therefore works in four steps:
//!
//! 1. **front matter** → the [`Event`] (title, date, location, url); a page whose front matter has
//!    no date is dated by its text (`时间：2019年11月24日`), and each talk by its own dated time line,
//!    or given the year its event's name states (`Golang conference PPT 2021`);
//! 2. **blocks**: the body, read as CommonMark (pulldown-cmark, GFM tables), becomes a flat list of
//!    headings, paragraphs, list items and table rows;
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

mod blocks;
mod front_matter;
mod layouts;
mod sections;
mod speakers;
mod talks;
#[cfg(test)]
mod tests;
mod vocabulary;

use serde_json::Value;

use super::IngestError;
use crate::talk::{Speaker, Talk};
use blocks::{blocks, clean};
use front_matter::{body_date, event_from, file_name, meta_str, normalise_date, split_front_matter, year_in};
use layouts::finish_speaker;
pub use layouts::is_placeholder;
use sections::Walker;
use talks::into_talks;

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
    let mut event = event_from(&meta, body, source);
    // A page whose front matter gives no date may state it in its text (`时间：2019年11月24日`), date
    // each talk (`时间：2020/5/6（周三） 19:00-20:00`), or give only the year, in a programme's heading
    // (`### 2021`, `Golang conference PPT 2021`).
    let undated = event.date.is_none();
    if undated {
        event.date = body_date(body);
    }
    let mut walker = Walker::default();
    for block in blocks(body) {
        walker.feed(block);
    }
    let drafts = walker.finish(&event.title, meta_str(&meta, &["section1", "time"]));
    let mut talks = into_talks(drafts, &event);
    if undated {
        for talk in &mut talks {
            if let Some(date) = talk.time.as_deref().and_then(normalise_date) {
                talk.event.date = Some(date);
            }
            if talk.event.date.is_none() {
                talk.event.year = year_in(&talk.event.title);
            }
        }
    }
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
            // A designation that is only an organisation (`Coding`, `火线安全`, `Line China`) is
            // the speaker's company, as a `公司：` line would be.
            if let Some(d) = designation.as_deref().filter(|d| speaker.company.is_none() && is_organisation_only(d)) {
                speaker.company = Some(d.to_string());
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

/// Whether a front-matter designation names an organisation and nothing else: short, no role
/// (`技术专家`, `Maintainer`), no list of several things (`，`, `;`), and not ending as a person's
/// role does in Chinese (`分析师`, `站长`, `成员`).
fn is_organisation_only(designation: &str) -> bool {
    let d = designation.trim();
    let lower = d.to_lowercase();
    let mut roles = layouts::ROLE_WORDS.iter().chain(&["创始", "founder", "at "]);
    (2..=20).contains(&d.chars().count())
        && !roles.any(|r| lower.contains(&r.to_lowercase()))
        && !d.contains([',', '，', ';', '；', '、', '|'])
        && !d.ends_with(['师', '员', '长', '家', '人', '监', '理', '官', '者'])
}
