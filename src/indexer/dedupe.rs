//! Each talk once: which listings of a title are the same talk, and which one stands for the others.
//!
//! The same talk is often listed on several pages: an event page and its English version, a notice
//! and a recap, a schedule-table row and a heading on one page. Listings with the same folded title
//! ([`title_key`]) are one talk when they share a speaker, or when they have the same event date
//! (two entries of one event page only when one of them names no speaker, as a table row beside its
//! heading does, and they do not link two different recordings). Generic titles (`Lightning Talks`,
//! `Keynote`, `圆桌讨论`) are never merged: many talks bear them.
//!
//! The most complete listing stands for the group and lists the others (`also_listed`); the others
//! are kept, with `listed_as`, but not searched (see the indexer's regrouping pass).

use crate::company;
use crate::talk::{title_key, Listing, Talk};

/// Listings of one title looked at together at most; a title listed more often is a generic one.
pub const MAX_LISTINGS: usize = 64;

/// Titles (folded) that many different talks bear.
const GENERIC: &[&str] = &[
    "keynote",
    "openingkeynote",
    "closingkeynote",
    "lightningtalks",
    "lightningtalk",
    "opening",
    "openingremarks",
    "closing",
    "closingremarks",
    "welcome",
    "panel",
    "paneldiscussion",
    "qa",
    "tba",
    "tbd",
    "break",
    "lunch",
    "圆桌讨论",
    "开场致辞",
    "开场",
    "主题演讲",
    "闪电演讲",
    "茶歇",
    "午餐",
];

/// Whether listings titled with this folded key may be merged at all.
pub fn mergeable(key: &str) -> bool {
    key.chars().count() >= 4 && !GENERIC.contains(&key)
}

/// The groups of listings in `talks` (all of one folded title) that are one talk, each of at least
/// two, the listing that stands for the group first. Listings not in any group are left out.
pub fn groups(talks: &[Talk]) -> Vec<Vec<usize>> {
    let n = talks.len();
    if !(2..=MAX_LISTINGS).contains(&n) || !mergeable(&title_key(&talks[0].title)) {
        return Vec::new();
    }
    // Union-find over "is the same talk as".
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for i in 0..n {
        for j in i + 1..n {
            if same_talk(&talks[i], &talks[j]) {
                let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                parent[a.max(b)] = a.min(b);
            }
        }
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for i in 0..n {
        let r = root(&mut parent, i);
        match groups.iter_mut().find(|g| g[0] == r) {
            Some(g) => g.push(i),
            None => groups.push(vec![i]),
        }
    }
    groups.retain(|g| g.len() > 1);
    for g in &mut groups {
        g.sort_by(|&a, &b| completeness(&talks[b]).cmp(&completeness(&talks[a])).then(talks[a].id.cmp(&talks[b].id)));
    }
    groups
}

/// Whether two listings with the same folded title are one talk.
fn same_talk(a: &Talk, b: &Talk) -> bool {
    let names = |t: &Talk| -> Vec<String> {
        t.speakers.iter().map(|s| company::fold_name(&s.name)).filter(|k| !k.is_empty()).collect()
    };
    let (na, nb) = (names(a), names(b));
    if na.iter().any(|n| nb.contains(n)) {
        return true;
    }
    let same_date = a.event.date.is_some() && a.event.date == b.event.date;
    let two_recordings = a.url.is_some() && b.url.is_some() && a.url != b.url;
    if !same_date || two_recordings {
        return false;
    }
    // Two entries of one event with the same title are one talk only as a row and its heading.
    a.event.title != b.event.title || na.is_empty() || nb.is_empty()
}

/// How much a listing says: the one that says most stands for the group.
fn completeness(t: &Talk) -> usize {
    let text = t.abstract_text.chars().count()
        + t.outline.iter().chain(&t.takeaways).map(|l| l.chars().count()).sum::<usize>();
    let speakers: usize = t.speakers.iter().map(|s| 100 + if s.bio.is_some() { 200 } else { 0 }).sum();
    text + speakers + if t.time.is_some() { 50 } else { 0 }
}

/// Gives each speaker of `head` without a company the one another listing of the talk states for
/// the same name (`known`: folded name, company): an event page's English version may leave out
/// what its Chinese version says.
pub fn fill_companies(head: &mut Talk, known: &[(String, String)]) {
    for speaker in head.speakers.iter_mut().filter(|s| s.company.is_none()) {
        let name = company::fold_name(&speaker.name);
        if let Some((_, found)) = known.iter().find(|(n, _)| *n == name) {
            speaker.company = Some(found.clone());
        }
    }
}

/// How `t` is shown in the listing of another.
pub fn listing(t: &Talk) -> Listing {
    Listing { id: t.id.clone(), title: t.title.clone(), event: t.event.clone(), url: t.url.clone() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::talk::{Event, Speaker};

    fn talk(id: &str, title: &str, event: &str, date: Option<&str>, speakers: &[&str]) -> Talk {
        Talk {
            id: id.into(),
            title: title.into(),
            event: Event { title: event.into(), date: date.map(Into::into), ..Event::default() },
            speakers: speakers.iter().map(|n| Speaker { name: n.to_string(), ..Speaker::default() }).collect(),
            ..Talk::default()
        }
    }

    #[test]
    fn a_listing_fills_the_company_the_head_leaves_out() {
        let mut head = talk("a", "云原生场景下的开发和调试", "Meetup #7", Some("2021-09-25"), &["汪晟杰", "黄金浩"]);
        head.speakers[1].company = Some("Coding Inc".into());
        let known = [("汪晟杰".to_string(), "Coding".to_string()), ("黄金浩".to_string(), "Other".to_string())];
        fill_companies(&mut head, &known);
        assert_eq!(head.speakers[0].company.as_deref(), Some("Coding"));
        assert_eq!(head.speakers[1].company.as_deref(), Some("Coding Inc"), "a company stated is kept");
    }

    #[test]
    fn a_talk_on_two_pages_is_one_group_whose_fullest_listing_stands_for_it() {
        let mut notice = talk("a", "《蚂蚁服务发现的大规模实践》", "Meetup 报名", Some("2019-06-01"), &["张三"]);
        let recap = talk("b", "二、蚂蚁服务发现的大规模实践", "Meetup 回顾", Some("2019-06-01"), &[]);
        notice.abstract_text = "大规模服务发现".into();
        let other_year = talk("c", "蚂蚁服务发现的大规模实践", "Meetup 2021", Some("2021-01-01"), &["李四"]);
        assert_eq!(groups(&[recap.clone(), notice.clone(), other_year.clone()]), [vec![1, 0]]);
        // The same speaker at another event: the same talk given again.
        let again = talk("d", "蚂蚁服务发现的大规模实践", "Conf 2020", Some("2020-01-01"), &["张 三"]);
        assert_eq!(groups(&[notice, again, other_year]), [vec![0, 1]]);
    }

    #[test]
    fn two_entries_of_one_event_are_one_talk_only_as_a_row_and_its_heading() {
        let row = talk("a", "Go 泛型设计", "GopherChina", Some("2021-06-26"), &[]);
        let heading = talk("b", "Go 泛型设计", "GopherChina", Some("2021-06-26"), &["欧长坤"]);
        let other = talk("c", "Go 泛型设计", "GopherChina", Some("2021-06-26"), &["王五"]);
        assert_eq!(groups(&[row.clone(), heading.clone()]), [vec![1, 0]]);
        assert!(groups(&[heading.clone(), other]).is_empty(), "two speakers, two talks");
        let (mut a, mut b) = (row, heading);
        a.url = Some("https://video/1".into());
        b.url = Some("https://video/2".into());
        assert!(groups(&[a, b]).is_empty(), "two recordings, two talks");
    }

    #[test]
    fn generic_titles_are_never_merged() {
        let a = talk("a", "Lightning Talks", "PyCon US 2019", Some("2019-05-01"), &["Various"]);
        let b = talk("b", "Lightning talks", "PyCon US 2019", Some("2019-05-01"), &["Various"]);
        assert!(groups(&[a, b]).is_empty());
        assert!(!mergeable("keynote") && !mergeable("圆桌讨论") && mergeable("servicemesh"));
    }
}
