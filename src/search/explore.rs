//! Exploring beyond a search: a speaker's page, a company's page, the talks like a talk, and the
//! newest talks of a query (for calendars and feeds), read from the generation being served.
//!
//! Everything here is bounded: a page reads the stored talks of one person or one company (at most
//! [`MAX_COMPANY_TALKS`]), "talks like this" runs one query of at most [`SIMILAR_TERMS`] words and
//! their translations, and a feed looks at [`FEED_CANDIDATES`] talks at most.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{Order, Searcher, Term};

use super::glossary::Glossary;
use super::{query, Engine, EventRef, Generation, SpeakerRef};
use crate::company::{fold_name, Companies};
use crate::error::Result;
use crate::schema;
use crate::speakers::{company_ref, CompanyRef, SpeakerEntity};
use crate::talk::{is_han, Talk};
use crate::tokenizer;

/// Talks of one company read for its page at most (the newest years first).
pub const MAX_COMPANY_TALKS: usize = 2_000;
/// Words shown as what a speaker or company talks about most.
pub const TOP_WORDS: usize = 12;
/// Words shown per year on a company's page.
pub const YEAR_WORDS: usize = 5;
/// Talks like a talk, at most.
pub const MAX_SIMILAR: usize = 20;
/// Talks like a talk by default.
pub const DEFAULT_SIMILAR: usize = 5;
/// The talk's most telling words searched for talks like it.
pub const SIMILAR_TERMS: usize = 12;
/// Of those, the words also searched through their translations.
const TRANSLATED_TERMS: usize = 6;
/// Characters of a talk's text read to find its telling words.
const SIMILAR_TEXT_CHARS: usize = 3_000;
/// Talks a feed or calendar looks at: the newest years' matches.
pub const FEED_CANDIDATES: usize = 500;
/// Distinct words scored against the whole index per page (the most frequent ones).
const SCORED_WORDS: usize = 200;

/// A person as linked from a page: their id, name, company and how many talks.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PersonRef {
    pub id: String,
    pub name: String,
    pub company: Option<CompanyRef>,
    /// Their talks (on a speaker's page, among co-speakers: the talks given together).
    pub talks: usize,
}

/// A company a speaker was shown with, and the dates of the talks that show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CompanySpan {
    pub id: String,
    pub name: String,
    /// `current`: the company the pages give now (or a further current employer); `former`: one
    /// a bio says they were at before.
    pub status: String,
    /// Event dates (`YYYY-MM-DD`) of the talks that show it, oldest first.
    pub dates: Vec<String>,
    /// How many talks show it.
    pub talks: usize,
    /// The companies it is part of, nearest first (腾讯云 is within 腾讯).
    pub within: Vec<CompanyRef>,
}

/// One talk on a speaker's or company's page.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TalkItem {
    pub id: String,
    pub title: String,
    pub event: EventRef,
    /// The time slot as written, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// When the talk starts (ISO 8601), when the schedule says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    pub language: String,
    pub speakers: Vec<SpeakerRef>,
}

/// An event and how many of the page's talks were given there.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EventCount {
    pub title: String,
    pub date: Option<String>,
    pub talks: usize,
}

/// A word and how many of the page's talks use it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WordCount {
    pub word: String,
    pub talks: usize,
}

/// `GET /api/speakers/{id}`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SpeakerPage {
    pub id: String,
    pub name: String,
    /// Other names: those the pages give (`花名：有济`) and the name in pinyin.
    pub other_names: Vec<String>,
    /// The company the pages give now.
    pub company: Option<CompanyRef>,
    /// Every company shown with them, current ones first, each with the dates that show it.
    pub companies: Vec<CompanySpan>,
    /// Every talk once, newest first.
    pub talks: Vec<TalkItem>,
    /// People who gave talks with them, most shared talks first.
    pub co_speakers: Vec<PersonRef>,
    /// Events where they spoke, newest first.
    pub events: Vec<EventCount>,
    /// The words of their titles and abstracts that say most about them.
    pub words: Vec<WordCount>,
    /// Other people of the same name (at other companies: the pages do not say they are one person).
    pub namesakes: Vec<PersonRef>,
}

/// Talks in one year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct YearCount {
    pub year: u64,
    pub talks: usize,
}

/// The words of one year's talks that say most about them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct YearWords {
    pub year: u64,
    pub words: Vec<WordCount>,
}

/// `GET /api/companies/{id}`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CompanyPage {
    pub id: String,
    pub name: String,
    pub aliases: Vec<String>,
    /// The company this one is part of.
    pub parent: Option<CompanyRef>,
    /// The companies part of this one; their speakers and talks count here too.
    pub subsidiaries: Vec<CompanyRef>,
    /// People the pages give at this company (or one of its subsidiaries) now, most talks first.
    pub speakers: Vec<PersonRef>,
    /// People a bio says were at this company before, most talks first.
    pub former_speakers: Vec<PersonRef>,
    /// Talks with a speaker of this company (each once), as the `company` search filter counts them.
    pub talks: usize,
    /// Talks per year, oldest first; talks of no known year are not in it. Like the topics and
    /// events, from the newest [`MAX_COMPANY_TALKS`] talks.
    pub years: Vec<YearCount>,
    /// The words of its talks' titles and abstracts that say most about them.
    pub topics: Vec<WordCount>,
    /// The same per year, newest first: how the topics changed.
    pub topics_by_year: Vec<YearWords>,
    /// Events where its people spoke, newest first.
    pub events: Vec<EventCount>,
    /// Its newest talks (at most 20).
    pub recent: Vec<TalkItem>,
}

/// `GET /api/talks/{id}/similar`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SimilarResponse {
    /// The talk asked about (the listing that stands for it, when another one was asked for).
    pub id: String,
    pub took_ms: f64,
    /// The words it was matched by (the talk's most telling ones).
    pub words: Vec<String>,
    pub talks: Vec<SimilarTalk>,
}

/// A talk like another one.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SimilarTalk {
    pub id: String,
    pub title: String,
    pub event: EventRef,
    pub speakers: Vec<SpeakerRef>,
    pub language: String,
    pub score: f32,
}

impl Engine {
    /// The page of the speaker with this id; `None` when no speaker has it.
    pub fn speaker_page(&self, id: &str) -> Result<Option<SpeakerPage>> {
        let g = self.current();
        let Some(person) = g.speakers.iter().find(|s| s.id == id) else { return Ok(None) };
        let searcher = g.reader.searcher();
        let mut talks = Vec::with_capacity(person.talks.len());
        for t in &person.talks {
            if let Some(talk) = schema::stored_talk(&searcher, &g.fields, &t.id)? {
                talks.push(talk);
            }
        }
        newest_first(&mut talks);
        let companies = Companies::builtin();
        let name_key = fold_name(&person.name);
        let mut other_names = person.other_names.clone();
        if let Some(pinyin) = schema::pinyin_forms(&person.name).and_then(|p| p.split(' ').next().map(str::to_string)) {
            other_names.push(pinyin);
        }
        // Companies over time, from what each talk says of them.
        let current: Vec<&CompanyRef> = person.company.iter().chain(&person.other_companies).collect();
        let mut spans: Vec<CompanySpan> = Vec::new();
        let mut co: Vec<PersonRef> = Vec::new();
        for talk in &talks {
            let date = talk.event.date.as_ref();
            for s in &talk.speakers {
                if fold_name(&s.name) != name_key {
                    let Some(other) = entity_of(&g, &s.name, &talk.id) else { continue };
                    match co.iter_mut().find(|p| p.id == other.id) {
                        Some(p) => p.talks += 1,
                        None => co.push(PersonRef { talks: 1, ..person_ref(other) }),
                    }
                    continue;
                }
                let named = s.company.iter().chain(&s.other_companies).filter_map(|c| company_ref(companies, c));
                for c in named {
                    let is_current = current.iter().any(|k| k.id == c.id);
                    show(&mut spans, c, is_current, date);
                }
                for c in s.former_companies.iter().filter_map(|c| company_ref(companies, c)) {
                    show(&mut spans, c, false, date);
                }
            }
        }
        // A current company no talk of theirs names (it came with a mention merged into theirs).
        for c in current {
            if !spans.iter().any(|s| s.id == c.id) {
                let (id, name) = (c.id.clone(), c.name.clone());
                spans.push(CompanySpan { id, name, status: "current".into(), dates: vec![], talks: 0, within: vec![] });
            }
        }
        for span in &mut spans {
            span.dates.sort();
            span.within = companies.lineage(&span.id).iter().skip(1).map(|id| company_link(companies, id)).collect();
        }
        spans.sort_by(|a, b| {
            (a.status != "current").cmp(&(b.status != "current")).then_with(|| b.dates.last().cmp(&a.dates.last()))
        });
        co.sort_by(|a, b| b.talks.cmp(&a.talks).then_with(|| a.name.cmp(&b.name)));
        let mut own_names: Vec<&str> = vec![person.name.as_str()];
        own_names.extend(spans.iter().map(|s| s.name.as_str()));
        let words = top_words(&searcher, &g, talks.iter(), &excluded_words(&own_names), TOP_WORDS)?;
        let namesakes =
            g.speakers.iter().filter(|s| s.id != person.id && fold_name(&s.name) == name_key).map(person_ref);
        Ok(Some(SpeakerPage {
            id: person.id.clone(),
            name: person.name.clone(),
            other_names,
            company: person.company.clone(),
            companies: spans,
            events: events(&talks),
            talks: talks.iter().map(talk_item).collect(),
            co_speakers: co,
            words,
            namesakes: namesakes.collect(),
        }))
    }

    /// The page of a company, by its id or any of its names (`蚂蚁金服` gives 蚂蚁集团's page);
    /// `None` when neither the alias table nor any speaker knows it.
    pub fn company_page(&self, id_or_name: &str) -> Result<Option<CompanyPage>> {
        let g = self.current();
        let companies = Companies::builtin();
        let known = |id: &str| {
            g.speakers
                .iter()
                .any(|s| s.company_lineage.iter().any(|c| c == id) || s.former_companies.iter().any(|c| c.id == id))
        };
        let id = match companies.get(id_or_name).or_else(|| companies.resolve(id_or_name)) {
            Some(c) => c.id.clone(),
            None => match companies.named(id_or_name) {
                Some(c) => c.id.clone(),
                None => fold_name(id_or_name),
            },
        };
        let table = companies.get(&id);
        if id.is_empty() || (table.is_none() && !known(&id)) {
            return Ok(None);
        }
        let name = match table {
            Some(c) => c.name.clone(),
            None => g
                .speakers
                .iter()
                .flat_map(|s| s.company.iter().chain(&s.other_companies).chain(&s.former_companies))
                .find(|c| c.id == id)
                .map_or_else(|| id.clone(), |c| c.name.clone()),
        };
        let link = |id: &str| company_link(companies, id);
        let family: Vec<String> =
            companies.all().iter().filter(|c| companies.lineage(&c.id).contains(&id)).map(|c| c.id.clone()).collect();
        let mut speakers: Vec<PersonRef> =
            g.speakers.iter().filter(|s| s.company_lineage.contains(&id)).map(person_ref).collect();
        let mut former: Vec<PersonRef> = g
            .speakers
            .iter()
            .filter(|s| !s.company_lineage.contains(&id))
            .filter(|s| s.former_companies.iter().any(|c| c.id == id || family.contains(&c.id)))
            .map(person_ref)
            .collect();
        for list in [&mut speakers, &mut former] {
            list.sort_by(|a, b| b.talks.cmp(&a.talks).then_with(|| a.name.cmp(&b.name)));
        }
        // The talks, as the company filter finds them: every talk with a speaker of the family.
        let searcher = g.reader.searcher();
        let query = BooleanQuery::new(vec![
            (Occur::Must, term_query(Term::from_field_text(g.fields.company_id, &id))),
            (Occur::Must, term_query(Term::from_field_text(g.fields.visible, "1"))),
        ]);
        let newest = TopDocs::with_limit(MAX_COMPANY_TALKS).order_by_u64_field("year", Order::Desc);
        let (top, total) = searcher.search(&query, &(newest, Count))?;
        let mut talks = read_talks(&searcher, &g, top.iter().map(|(_, a)| *a))?;
        newest_first(&mut talks);
        let mut by_year: BTreeMap<u64, Vec<&Talk>> = BTreeMap::new();
        for t in &talks {
            if let Some(year) = t.event.year() {
                by_year.entry(year).or_default().push(t);
            }
        }
        let names: Vec<&str> =
            family.iter().filter_map(|f| companies.get(f)).flat_map(|c| c.names()).chain([name.as_str()]).collect();
        let excluded = excluded_words(&names);
        let topics = top_words(&searcher, &g, talks.iter(), &excluded, TOP_WORDS)?;
        let mut topics_by_year = Vec::new();
        for (&year, year_talks) in by_year.iter().rev() {
            let words = top_words(&searcher, &g, year_talks.iter().copied(), &excluded, YEAR_WORDS)?;
            topics_by_year.push(YearWords { year, words });
        }
        Ok(Some(CompanyPage {
            aliases: table.map(|c| c.aliases.clone()).unwrap_or_default(),
            parent: table.and_then(|c| c.parent.as_deref()).map(link),
            subsidiaries: companies
                .all()
                .iter()
                .filter(|c| c.parent.as_deref() == Some(id.as_str()))
                .map(|c| link(&c.id))
                .collect(),
            id,
            name,
            speakers,
            former_speakers: former,
            talks: total,
            years: by_year.iter().map(|(&year, t)| YearCount { year, talks: t.len() }).collect(),
            topics,
            topics_by_year,
            events: events(&talks),
            recent: talks.iter().take(20).map(talk_item).collect(),
        }))
    }

    /// The speakers of the talk with this id (of the listing that stands for it), in the talk's
    /// order; empty when there is no such talk.
    pub fn speakers_of_talk(&self, id: &str) -> Result<Vec<SpeakerEntity>> {
        let g = self.current();
        let Some(talk) = schema::stored_talk(&g.reader.searcher(), &g.fields, id)? else { return Ok(Vec::new()) };
        let talk = match &talk.listed_as {
            Some(head) => schema::stored_talk(&g.reader.searcher(), &g.fields, head)?.unwrap_or(talk),
            None => talk,
        };
        let mut out: Vec<SpeakerEntity> = Vec::new();
        for s in &talk.speakers {
            if let Some(e) = entity_of(&g, &s.name, &talk.id).filter(|e| !out.iter().any(|o| o.id == e.id)) {
                out.push(e.clone());
            }
        }
        Ok(out)
    }

    /// The talks most like the talk with this id, at most `limit`: those sharing its most telling
    /// words (weighted by how rare they are), or their translations in the other language. Never
    /// the talk itself, nor another listing of it. `None` when there is no such talk.
    pub fn similar(&self, id: &str, limit: usize) -> Result<Option<SimilarResponse>> {
        let started = Instant::now();
        let g = self.current();
        let searcher = g.reader.searcher();
        let Some(mut talk) = schema::stored_talk(&searcher, &g.fields, id)? else { return Ok(None) };
        if let Some(head) = talk.listed_as.clone() {
            if let Some(t) = schema::stored_talk(&searcher, &g.fields, &head)? {
                talk = t;
            }
        }
        let f = &g.fields;
        let total = searcher.num_docs().max(1) as f32;
        // Term frequencies: the title counts twice.
        let body = std::iter::once(talk.abstract_text.as_str()).chain(talk.outline.iter().map(String::as_str));
        let body: String = body.collect::<Vec<_>>().join("\n");
        let body = match body.char_indices().nth(SIMILAR_TEXT_CHARS) {
            Some((cut, _)) => &body[..cut],
            None => body.as_str(),
        };
        let mut tf: HashMap<String, f32> = HashMap::new();
        for (text, weight) in [(talk.title.as_str(), 2.0), (body, 1.0)] {
            for (term, _) in words(text) {
                *tf.entry(term).or_insert(0.0) += weight;
            }
        }
        let mut scored: Vec<(String, f32)> = Vec::new();
        for (term, n) in tf {
            let df = doc_freq(&searcher, &g, &term)?;
            // A word only this talk has finds nothing; one most talks have says nothing.
            if df < 2 || df as f32 > total / 5.0 {
                continue;
            }
            scored.push((term, n.sqrt() * (total / df as f32).ln()));
        }
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        scored.truncate(SIMILAR_TERMS);
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let glossary = Glossary::builtin();
        for (i, (term, weight)) in scored.iter().enumerate() {
            for (field, boost) in [(f.title, 2.0), (f.abstract_text, 1.0)] {
                let q = term_query(Term::from_field_text(field, term));
                should.push((Occur::Should, Box::new(BoostQuery::new(q, weight * boost))));
            }
            if i >= TRANSLATED_TERMS {
                continue;
            }
            for t in glossary.translations(std::slice::from_ref(term)).unwrap_or_default().iter().take(2) {
                let terms = tokenizer::terms(&t.text);
                if terms.is_empty() {
                    continue;
                }
                for (field, boost) in [(f.title, 2.0), (f.abstract_text, 1.0)] {
                    let q: Box<dyn Query> = match terms.as_slice() {
                        [(_, only)] => term_query(Term::from_field_text(field, only)),
                        _ => Box::new(PhraseQuery::new_with_offset(
                            terms.iter().map(|(p, w)| (*p, Term::from_field_text(field, w))).collect(),
                        )),
                    };
                    should.push((Occur::Should, Box::new(BoostQuery::new(q, weight * boost * t.weight))));
                }
            }
        }
        let words: Vec<String> = scored.into_iter().map(|(t, _)| t).collect();
        let mut talks = Vec::new();
        if !should.is_empty() {
            let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![
                (Occur::Must, Box::new(BooleanQuery::new(should))),
                (Occur::Must, term_query(Term::from_field_text(f.visible, "1"))),
                (Occur::MustNot, term_query(Term::from_field_text(f.title_key, &crate::talk::title_key(&talk.title)))),
            ];
            for other in std::iter::once(talk.id.as_str()).chain(talk.also_listed.iter().map(|l| l.id.as_str())) {
                clauses.push((Occur::MustNot, term_query(Term::from_field_text(f.id, other))));
            }
            let top = searcher.search(
                &BooleanQuery::new(clauses),
                &TopDocs::with_limit(limit.clamp(1, MAX_SIMILAR)).order_by_score(),
            )?;
            for (score, address) in top {
                let t = schema::talk_from_doc(f, &searcher.doc::<schema::Stored>(address)?)?;
                talks.push(SimilarTalk {
                    speakers: SpeakerRef::all_of(&t),
                    id: t.id,
                    title: t.title,
                    event: EventRef::of(&t.event),
                    language: t.language,
                    score,
                });
            }
        }
        Ok(Some(SimilarResponse {
            id: talk.id,
            took_ms: (started.elapsed().as_secs_f64() * 1e6).round() / 1e3,
            words,
            talks,
        }))
    }

    /// The newest talks matching `req` (every word, and its filters), newest first, at most `max`:
    /// the matches of the newest years are looked at, [`FEED_CANDIDATES`] at most. A request with
    /// no words and no filter matches nothing.
    pub fn newest(&self, req: &super::SearchRequest, max: usize) -> Result<Vec<Talk>> {
        let g = self.current();
        let searcher = g.reader.searcher();
        let built = query::build(&g.fields, &query::parse(&req.q), &req.filters, query::Mode::All, &g.vocab);
        if built.unsearchable || (req.q.trim().is_empty() && req.filters.is_empty()) {
            return Ok(Vec::new());
        }
        let collector = TopDocs::with_limit(FEED_CANDIDATES).order_by_u64_field("year", Order::Desc);
        let top = searcher.search(&built.query, &collector)?;
        let mut talks = read_talks(&searcher, &g, top.into_iter().map(|(_, a)| a))?;
        newest_first(&mut talks);
        talks.truncate(max);
        Ok(talks)
    }
}

/// The link to the company with this id, named as the table names it.
fn company_link(companies: &Companies, id: &str) -> CompanyRef {
    CompanyRef { id: id.to_string(), name: companies.get(id).map_or_else(|| id.to_string(), |c| c.name.clone()) }
}

/// Records that a talk of `date` shows the company `c`.
fn show(spans: &mut Vec<CompanySpan>, c: CompanyRef, current: bool, date: Option<&String>) {
    let at = match spans.iter().position(|s| s.id == c.id) {
        Some(at) => at,
        None => {
            let status = if current { "current" } else { "former" };
            let span =
                CompanySpan { id: c.id, name: c.name, status: status.into(), dates: vec![], talks: 0, within: vec![] };
            spans.push(span);
            spans.len() - 1
        }
    };
    let span = &mut spans[at];
    span.talks += 1;
    if let Some(d) = date.filter(|d| !span.dates.contains(d)) {
        span.dates.push(d.clone());
    }
}

fn term_query(term: Term) -> Box<dyn Query> {
    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))
}

/// The stored talks at these addresses.
fn read_talks(
    searcher: &Searcher,
    g: &Generation,
    addresses: impl Iterator<Item = tantivy::DocAddress>,
) -> Result<Vec<Talk>> {
    addresses.map(|a| schema::talk_from_doc(&g.fields, &searcher.doc::<schema::Stored>(a)?)).collect()
}

/// When a talk was given, as text that sorts in time: its start, else its event's date.
fn when(t: &Talk) -> Option<&str> {
    t.start.as_deref().or(t.event.date.as_deref())
}

/// Sorts talks newest first; talks of no known date last, then by title.
pub fn newest_first(talks: &mut [Talk]) {
    talks.sort_by(|a, b| when(b).cmp(&when(a)).then_with(|| a.title.cmp(&b.title)));
}

/// The person a mention of `name` in the talk `talk_id` is.
fn entity_of<'g>(g: &'g Generation, name: &str, talk_id: &str) -> Option<&'g SpeakerEntity> {
    let k = fold_name(name);
    g.speakers.iter().find(|s| s.talks.iter().any(|t| t.id == talk_id) && fold_name(&s.name) == k)
}

fn person_ref(s: &SpeakerEntity) -> PersonRef {
    PersonRef { id: s.id.clone(), name: s.name.clone(), company: s.company.clone(), talks: s.talks.len() }
}

fn talk_item(t: &Talk) -> TalkItem {
    TalkItem {
        id: t.id.clone(),
        title: t.title.clone(),
        event: EventRef::of(&t.event),
        time: t.time.clone(),
        start: t.start.clone(),
        language: t.language.clone(),
        speakers: SpeakerRef::all_of(t),
    }
}

/// The events of `talks` (newest first) with how many of them each had.
fn events(talks: &[Talk]) -> Vec<EventCount> {
    let mut out: Vec<EventCount> = Vec::new();
    for t in talks {
        match out.iter_mut().find(|e| e.title == t.event.title) {
            Some(e) => e.talks += 1,
            None => out.push(EventCount { title: t.event.title.clone(), date: t.event.date.clone(), talks: 1 }),
        }
    }
    out.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.title.cmp(&b.title)));
    out
}

/// The whole words of `text` worth showing as a topic, each once, with how it was written: Latin
/// words, and Chinese words jieba tags as nouns (`服务网格`, `冬奥会`), not verbs and adverbs
/// (`通过`, `了解`, `快速`).
fn words(text: &str) -> Vec<(String, String)> {
    let normalized = tokenizer::normalize(text);
    let tags: HashMap<String, bool> = tokenizer::jieba()
        .tag(&normalized, true)
        .into_iter()
        .map(|t| (t.word.to_lowercase(), noun_tag(t.tag)))
        .collect();
    let mut out: Vec<(String, String)> = Vec::new();
    let mut last = None;
    for (term, position, range) in tokenizer::tokens(text) {
        if last == Some(position) {
            continue;
        }
        last = Some(position);
        if term.starts_with(tokenizer::PART_PREFIX) || term.starts_with(tokenizer::STEM_PREFIX) || !topic_word(&term) {
            continue;
        }
        let han = term.chars().filter(|&c| is_han(c)).count();
        // A word jieba cut otherwise when tagging is kept when long (compounds are names of things).
        if han > 0 && !tags.get(&term).copied().unwrap_or(han >= 3) {
            continue;
        }
        if !out.iter().any(|(t, _)| *t == term) {
            out.push((term, text[range].to_string()));
        }
    }
    out
}

/// Whether a jieba part-of-speech tag names a thing: nouns of every kind, verbal nouns,
/// abbreviations and foreign words.
fn noun_tag(tag: &str) -> bool {
    tag.starts_with('n') || matches!(tag, "vn" | "j" | "eng" | "x")
}

/// Words of titles that name the kind of talk or everyday doing, not a topic (sorted).
const NOT_TOPICS: &[&str] = &[
    "day",
    "get",
    "getting",
    "intro",
    "introduction",
    "keynote",
    "lightning",
    "look",
    "make",
    "new",
    "panel",
    "read",
    "session",
    "talk",
    "talks",
    "things",
    "tutorial",
    "use",
    "using",
    "way",
    "ways",
    "workshop",
    "主题",
    "介绍",
    "分享",
    "嘉宾",
    "演讲",
    "议题",
    "话题",
];

/// A word that can say what a talk is about: two Han characters or three letters at least, not
/// a number, not a function word (`如何`, `the`), not a kind of talk (`keynote`, `分享`).
fn topic_word(term: &str) -> bool {
    let han = term.chars().filter(|&c| is_han(c)).count();
    let letters = term.chars().filter(|c| c.is_alphabetic()).count();
    let long_enough = if han > 0 { han >= 2 } else { letters >= 3 };
    long_enough && !query::is_function_word(term) && NOT_TOPICS.binary_search(&term).is_err()
}

/// The analyzed words of `names` (a speaker's own name, a company's names): never a topic of theirs.
fn excluded_words(names: &[&str]) -> HashSet<String> {
    names.iter().flat_map(|n| tokenizer::terms(n)).map(|(_, t)| t).collect()
}

/// How many talks have `term` in their title or abstract (the larger of the two).
fn doc_freq(searcher: &Searcher, g: &Generation, term: &str) -> Result<u64> {
    let title = searcher.doc_freq(&Term::from_field_text(g.fields.title, term))?;
    let body = searcher.doc_freq(&Term::from_field_text(g.fields.abstract_text, term))?;
    Ok(title.max(body))
}

/// The `n` words of the titles and abstracts of `talks` that say most about them: used by many
/// of them (in a title counts twice) and by few talks of the whole index (a word in more than an
/// eighth of all talks says little about anyone). A word must be in two of them when there are
/// five or more.
fn top_words<'t>(
    searcher: &Searcher,
    g: &Generation,
    talks: impl Iterator<Item = &'t Talk>,
    excluded: &HashSet<String>,
    n: usize,
) -> Result<Vec<WordCount>> {
    #[derive(Default)]
    struct Seen {
        talks: usize,
        weight: usize,
        /// How it was written → times.
        written: HashMap<String, usize>,
    }
    let mut counts: HashMap<String, Seen> = HashMap::new();
    let mut seen = 0;
    for t in talks {
        seen += 1;
        let title = words(&t.title);
        let mut all = title.clone();
        for w in words(&t.abstract_text) {
            if !all.iter().any(|(term, _)| *term == w.0) {
                all.push(w);
            }
        }
        for (term, written) in all {
            if excluded.contains(&term) {
                continue;
            }
            let in_title = title.iter().any(|(t, _)| *t == term);
            let entry = counts.entry(term).or_default();
            entry.talks += 1;
            entry.weight += if in_title { 2 } else { 1 };
            *entry.written.entry(written).or_insert(0) += 1;
        }
    }
    let min_talks = if seen >= 5 { 2 } else { 1 };
    let mut frequent: Vec<(String, Seen)> = counts.into_iter().filter(|(_, s)| s.talks >= min_talks).collect();
    frequent.sort_by(|a, b| b.1.weight.cmp(&a.1.weight).then_with(|| a.0.cmp(&b.0)));
    frequent.truncate(SCORED_WORDS);
    let total = searcher.num_docs().max(1) as f64;
    let mut scored = Vec::with_capacity(frequent.len());
    for (term, seen) in frequent {
        let df = doc_freq(searcher, g, &term)?.max(1) as f64;
        if df * 8.0 > total {
            continue;
        }
        // The way it was written most often (`Istio`, not `istio`); ties by the text.
        let shown = seen.written.into_iter().max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0))).map(|(w, _)| w);
        let word = WordCount { word: shown.unwrap_or(term), talks: seen.talks };
        scored.push((seen.weight as f64 * (total / df).ln(), word));
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.word.cmp(&b.1.word)));
    Ok(scored.into_iter().take(n).map(|(_, w)| w).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_words_are_whole_words_worth_showing() {
        let w: Vec<String> = words("如何通过 Kubernetes 快速落地服务网格 Istio 的 2022 冬奥会视频")
            .into_iter()
            .map(|(_, w)| w)
            .collect();
        assert_eq!(w, ["Kubernetes", "落地", "服务网格", "Istio", "冬奥会", "视频"]);
        assert!(!topic_word("如何") && !topic_word("the") && !topic_word("go") && !topic_word("2022"));
        assert!(topic_word("istio") && topic_word("网格"));
        assert!(!topic_word("keynote") && !topic_word("talks") && !topic_word("分享"));
        assert!(NOT_TOPICS.windows(2).all(|w| w[0] < w[1]), "sorted, for the binary search");
    }

    #[test]
    fn newest_first_puts_undated_talks_last() {
        let talk = |title: &str, date: Option<&str>, start: Option<&str>| Talk {
            title: title.into(),
            event: crate::talk::Event { date: date.map(str::to_string), ..Default::default() },
            start: start.map(str::to_string),
            ..Talk::default()
        };
        let mut talks = vec![
            talk("a", None, None),
            talk("b", Some("2019-10-28"), None),
            talk("c", Some("2022-02-22"), None),
            talk("d", Some("2022-02-22"), Some("2022-03-19T09:00:00+08:00")),
        ];
        newest_first(&mut talks);
        let order: Vec<&str> = talks.iter().map(|t| t.title.as_str()).collect();
        assert_eq!(order, ["d", "c", "b", "a"]);
    }
}
