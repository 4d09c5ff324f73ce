//! Speakers as entities: the same person across events is one speaker with all their talks.
//!
//! Two mentions are one person when they share a name and a company (by canonical id), or share a
//! name and only one company is ever given for it (a mention without company joins that person).
//! Two people with one name and different companies stay apart.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::company::{fold_name, Companies};
use crate::talk::Talk;

/// A company as shown with a speaker: canonical id and display name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CompanyRef {
    pub id: String,
    pub name: String,
}

/// A talk as listed under its speaker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TalkRef {
    pub id: String,
    pub title: String,
    pub event: String,
}

/// One person and everything they presented.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SpeakerEntity {
    /// Stable id of the person (see [`speaker_id`]): `GET /api/speakers/{id}` is their page.
    #[serde(default)]
    pub id: String,
    pub name: String,
    pub company: Option<CompanyRef>,
    /// The company as the pages wrote it (the first mention that named one).
    pub company_text: Option<String>,
    /// Ids of the company and of those it is part of (腾讯云 → tencent-cloud, tencent): for filters.
    #[serde(default)]
    pub company_lineage: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub former_companies: Vec<CompanyRef>,
    /// Further current employers the pages name (`甲公司架构师，乙公司顾问`); their ids are in
    /// `company_lineage` too, so the person is listed under each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_companies: Vec<CompanyRef>,
    /// Other names the pages give (`花名：有济`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_names: Vec<String>,
    pub talks: Vec<TalkRef>,
}

/// The company reference for text as a page wrote it: the table's entry, or the text itself.
pub fn company_ref(companies: &Companies, text: &str) -> Option<CompanyRef> {
    match companies.resolve(text) {
        Some(c) => Some(CompanyRef { id: c.id.clone(), name: c.name.clone() }),
        None => {
            let id = fold_name(text);
            (!id.is_empty()).then(|| CompanyRef { id, name: text.trim().to_string() })
        }
    }
}

/// The id of the person named `name` at the company with id `company_id` (none when the pages
/// never name one): a hash of the folded name and the company id, so the same data gives the same
/// ids at every build, and namesakes at different companies (who are different people) differ.
pub fn speaker_id(name: &str, company_id: Option<&str>) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(fold_name(name).as_bytes());
    hasher.update(b"\x1f");
    hasher.update(company_id.unwrap_or_default().as_bytes());
    hasher.finalize().to_hex()[..16].to_string()
}

/// Gives each person their [`speaker_id`] (for speakers written by a build that stored none).
pub fn with_ids(mut people: Vec<SpeakerEntity>) -> Vec<SpeakerEntity> {
    for p in &mut people {
        if p.id.is_empty() {
            p.id = speaker_id(&p.name, p.company.as_ref().map(|c| c.id.as_str()));
        }
    }
    people
}

/// Groups every speaker mention of `talks` into people, sorted by number of talks then name.
pub fn entities(talks: &[Talk], companies: &Companies) -> Vec<SpeakerEntity> {
    let mut people = People::new(companies);
    for talk in talks {
        people.add(talk);
    }
    people.finish()
}

/// Speakers gathered one talk at a time, so a build can stream talks without keeping them.
pub struct People<'a> {
    companies: &'a Companies,
    /// name key → company id (None for mentions without company) → entity
    by_name: BTreeMap<String, BTreeMap<Option<String>, SpeakerEntity>>,
}

impl<'a> People<'a> {
    pub fn new(companies: &'a Companies) -> People<'a> {
        People { companies, by_name: BTreeMap::new() }
    }

    /// Records the speakers of one talk.
    pub fn add(&mut self, talk: &Talk) {
        let companies = self.companies;
        for s in &talk.speakers {
            let name_key = fold_name(&s.name);
            if name_key.is_empty() {
                continue;
            }
            let company = s.company.as_deref().and_then(|c| company_ref(companies, c));
            let slot = company.as_ref().map(|c| c.id.clone());
            let entity = self.by_name.entry(name_key).or_default().entry(slot).or_insert_with(|| SpeakerEntity {
                id: String::new(),
                name: s.name.trim().to_string(),
                company_lineage: company.as_ref().map(|c| companies.lineage(&c.id)).unwrap_or_default(),
                company: company.clone(),
                company_text: s.company.clone(),
                former_companies: Vec::new(),
                other_companies: Vec::new(),
                other_names: Vec::new(),
                talks: Vec::new(),
            });
            for other in &s.other_companies {
                let Some(o) = company_ref(companies, other) else { continue };
                if company.as_ref() == Some(&o) || entity.other_companies.contains(&o) {
                    continue;
                }
                for id in companies.lineage(&o.id) {
                    if !entity.company_lineage.contains(&id) {
                        entity.company_lineage.push(id);
                    }
                }
                entity.other_companies.push(o);
            }
            for alias in &s.other_names {
                if !entity.other_names.contains(alias) {
                    entity.other_names.push(alias.clone());
                }
            }
            for former in &s.former_companies {
                if let Some(f) = company_ref(companies, former) {
                    if !entity.former_companies.contains(&f) {
                        entity.former_companies.push(f);
                    }
                }
            }
            if !entity.talks.iter().any(|t| t.id == talk.id) {
                entity.talks.push(TalkRef {
                    id: talk.id.clone(),
                    title: talk.title.clone(),
                    event: talk.event.title.clone(),
                });
            }
        }
    }

    /// The people, mentions without a company merged where unambiguous; most talks first.
    pub fn finish(self) -> Vec<SpeakerEntity> {
        let mut out = Vec::new();
        for (_, mut by_company) in self.by_name {
            // Mentions without a company join the one person of that name who has one, if unambiguous.
            let with_company = by_company.keys().filter(|k| k.is_some()).count();
            if with_company == 1 {
                if let Some(anonymous) = by_company.remove(&None) {
                    let person = by_company.values_mut().next().expect("one entry with a company");
                    for t in anonymous.talks {
                        if !person.talks.iter().any(|p| p.id == t.id) {
                            person.talks.push(t);
                        }
                    }
                }
            }
            out.extend(by_company.into_values());
        }
        out.sort_by(|a, b| b.talks.len().cmp(&a.talks.len()).then_with(|| a.name.cmp(&b.name)));
        with_ids(out)
    }
}

/// A company with its aliases and how many speakers and talks it has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CompanyStats {
    pub id: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub parent: Option<String>,
    pub speakers: usize,
    pub talks: usize,
}

/// Every company that has at least one speaker, counting subsidiaries' speakers in their parents,
/// most talks first.
pub fn company_stats(speakers: &[SpeakerEntity], companies: &Companies) -> Vec<CompanyStats> {
    let mut by_id: HashMap<String, (CompanyStats, std::collections::HashSet<String>)> = HashMap::new();
    for s in speakers {
        let Some(own) = &s.company else { continue };
        for id in &s.company_lineage {
            let entry = by_id.entry(id.clone()).or_insert_with(|| {
                let (name, aliases, parent) = match companies.get(id) {
                    Some(c) => (c.name.clone(), c.aliases.clone(), c.parent.clone()),
                    None => {
                        let named = std::iter::once(own).chain(&s.other_companies).find(|c| &c.id == id);
                        (named.unwrap_or(own).name.clone(), Vec::new(), None)
                    }
                };
                (CompanyStats { id: id.clone(), name, aliases, parent, speakers: 0, talks: 0 }, Default::default())
            });
            entry.0.speakers += 1;
            entry.1.extend(s.talks.iter().map(|t| t.id.clone()));
        }
    }
    let mut out: Vec<CompanyStats> = by_id
        .into_values()
        .map(|(mut stats, talks)| {
            stats.talks = talks.len();
            stats
        })
        .collect();
    out.sort_by(|a, b| b.talks.cmp(&a.talks).then_with(|| b.speakers.cmp(&a.speakers)).then_with(|| a.id.cmp(&b.id)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::talk::{Event, Speaker};

    fn talk(title: &str, speakers: &[(&str, Option<&str>)]) -> Talk {
        let event = Event { title: "E".into(), source: "e.md".into(), ..Event::default() };
        Talk {
            id: Talk::make_id("E", title, ""),
            title: title.into(),
            speakers: speakers
                .iter()
                .map(|(n, c)| Speaker { name: n.to_string(), company: c.map(str::to_string), ..Speaker::default() })
                .collect(),
            event,
            ..Talk::default()
        }
    }

    #[test]
    fn one_person_across_talks_and_namesakes_apart() {
        let companies = Companies::builtin();
        let talks = [
            talk("a", &[("赵化冰", Some("腾讯云"))]),
            talk("b", &[("赵化冰", Some("Tencent Cloud"))]),
            talk("c", &[("赵化冰", None)]),
            talk("d", &[("王伟", Some("腾讯"))]),
            talk("e", &[("王伟", Some("英特尔"))]),
            talk("f", &[("王伟", None)]),
        ];
        let people = entities(&talks, companies);
        let zhao: Vec<_> = people.iter().filter(|p| p.name == "赵化冰").collect();
        assert_eq!(zhao.len(), 1);
        assert_eq!(zhao[0].talks.len(), 3);
        assert_eq!(zhao[0].company_lineage, ["tencent-cloud", "tencent"]);
        let wang: Vec<_> = people.iter().filter(|p| p.name == "王伟").collect();
        assert_eq!(wang.len(), 3, "two companies and an ambiguous mention stay apart: {wang:#?}");
    }

    #[test]
    fn a_second_employer_lists_the_person_under_both() {
        let companies = Companies::builtin();
        let mut t = talk("混合环境下服务治理新模式", &[("陆嘉琪", Some("大连易衡科技有限公司"))]);
        t.speakers[0].other_companies = vec!["Flomesh".into()];
        t.speakers[0].other_names = vec!["嘉琪".into()];
        let people = entities(&[t], companies);
        assert_eq!(people.len(), 1);
        let lu = &people[0];
        assert_eq!(lu.company.as_ref().map(|c| c.name.as_str()), Some("大连易衡科技有限公司"));
        assert_eq!(lu.other_companies.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["flomesh"]);
        assert_eq!(lu.company_lineage, ["大连易衡科技有限公司", "flomesh"]);
        assert_eq!(lu.other_names, ["嘉琪"]);
        let stats = company_stats(&people, companies);
        let ids: Vec<(&str, &str, usize)> =
            stats.iter().map(|c| (c.id.as_str(), c.name.as_str(), c.speakers)).collect();
        assert_eq!(ids, [("flomesh", "Flomesh", 1), ("大连易衡科技有限公司", "大连易衡科技有限公司", 1)]);
    }

    #[test]
    fn company_counts_include_subsidiaries() {
        let companies = Companies::builtin();
        let talks = [talk("a", &[("赵化冰", Some("腾讯云"))]), talk("b", &[("覃士林", Some("腾讯"))])];
        let stats = company_stats(&entities(&talks, companies), companies);
        let tencent = stats.iter().find(|c| c.id == "tencent").unwrap();
        assert_eq!((tencent.speakers, tencent.talks), (2, 2));
        let cloud = stats.iter().find(|c| c.id == "tencent-cloud").unwrap();
        assert_eq!((cloud.speakers, cloud.talks), (1, 1));
    }
}
