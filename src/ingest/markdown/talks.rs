//! Talks: drafts become talks; a talk listed twice on a page is merged into one.

use std::collections::HashMap;

use super::layouts::finish_speaker;
use super::sections::{has_clock, Draft};
use crate::talk::{detect_language, fold_whitespace, Event, Talk};

/// Turns drafts into talks: merges a talk listed twice (a schedule table, then a section per talk),
/// then assigns ids, numbering titles that really do repeat on the page.
pub(super) fn into_talks(drafts: Vec<Draft>, event: &Event) -> Vec<Talk> {
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
