//! A talk as a tantivy document and back: the document written for a talk ([`document`], with the
//! pinyin forms of Chinese names), and the talk read back from its stored JSON ([`talk_from_doc`],
//! [`stored_talk`], [`for_each_stored_talk`]).

use std::borrow::Cow;

use serde::Deserialize;
use tantivy::collector::TopDocs;
use tantivy::schema::document::{DeserializeError, DocumentDeserialize, DocumentDeserializer};
use tantivy::schema::Field;
use tantivy::{doc, Index, TantivyDocument};

use super::Fields;
use crate::company::Companies;
use crate::error::{Error, Result};
use crate::talk::{title_key, Listing, Talk};

/// The tantivy document for one talk.
///
/// Each speaker's company is indexed by every name of it and of its parents (腾讯云 also as 腾讯 and
/// Tencent), so a search in any alias finds it, and by canonical ids for filters and facets.
pub fn document(f: &Fields, talk: &Talk, companies: &Companies) -> Result<TantivyDocument> {
    let json = serde_json::to_string(talk).map_err(|e| Error::Other(format!("serializing talk {}: {e}", talk.id)))?;
    if talk.listed_as.is_some() {
        // A listing another one stands for: found by its id and title only, never searched.
        return Ok(doc!(f.id => talk.id.as_str(), f.title_key => title_key(&talk.title), f.doc => json));
    }
    let mut d = doc!(
        f.title_key => title_key(&talk.title),
        f.visible => "1",
        f.id => talk.id.as_str(),
        f.title => talk.title.as_str(),
        f.abstract_text => talk.abstract_text.as_str(),
        f.event => talk.event.title.as_str(),
        f.event_key => talk.event.title.as_str(),
        f.lang => talk.language.as_str(),
        f.doc => json,
    );
    let mut company_ids: Vec<String> = Vec::new();
    for s in &talk.speakers {
        // A nickname (`花名：有济`) finds the person as their name does.
        for name in std::iter::once(&s.name).chain(&s.other_names) {
            d.add_text(f.speakers, name);
            if let Some(pinyin) = pinyin_forms(name) {
                d.add_text(f.speaker_pinyin, pinyin);
            }
        }
        if let Some(bio) = &s.bio {
            d.add_text(f.bio, bio);
        }
        // Every current employer counts for search and the company filter, the main one first.
        for text in s.company.iter().chain(&s.other_companies) {
            d.add_text(f.company, text);
            if let Some(id) = companies.id_for(text) {
                for id in companies.lineage(&id) {
                    if let Some(c) = companies.get(&id) {
                        for name in c.names() {
                            d.add_text(f.company, name);
                        }
                    }
                    if !company_ids.contains(&id) {
                        company_ids.push(id);
                    }
                }
            }
        }
    }
    for id in company_ids {
        d.add_text(f.company_id, id);
    }
    for line in &talk.outline {
        d.add_text(f.abstract_text, line);
    }
    for line in &talk.takeaways {
        d.add_text(f.takeaways, line);
    }
    if let Some(year) = talk.event.year() {
        d.add_u64(f.year, year);
    }
    // The talk's other listings: found under their events and years too.
    for other in &talk.also_listed {
        if other.event.title != talk.event.title {
            d.add_text(f.event, &other.event.title);
            d.add_text(f.event_key, &other.event.title);
        }
        if let Some(year) = other.event.year().filter(|y| Some(*y) != talk.event.year()) {
            d.add_u64(f.year, year);
        }
    }
    Ok(d)
}

/// A Chinese name in pinyin, whole and as initials: `张晓辉` → `zhangxiaohui zxh`. Two-letter
/// initials are left out (`ml` would answer a search for machine learning). `None` for names without
/// Han characters.
pub fn pinyin_forms(name: &str) -> Option<String> {
    use pinyin::ToPinyin;
    let (mut whole, mut initials) = (String::new(), String::new());
    for p in name.to_pinyin().flatten() {
        whole.push_str(p.plain());
        initials.push_str(p.first_letter());
    }
    match initials.len() {
        0 => None,
        1 | 2 => Some(whole),
        _ => Some(format!("{whole} {initials}")),
    }
}

/// The stored talk with this id, if `searcher` sees one.
pub fn stored_talk(searcher: &tantivy::Searcher, fields: &Fields, id: &str) -> Result<Option<Talk>> {
    let query = tantivy::query::TermQuery::new(
        tantivy::Term::from_field_text(fields.id, id),
        tantivy::schema::IndexRecordOption::Basic,
    );
    match searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?.first() {
        Some((_, address)) => Ok(Some(talk_from_doc(fields, &searcher.doc(*address)?)?)),
        None => Ok(None),
    }
}

/// Calls `f` with every talk stored in `index`, one at a time.
pub fn for_each_stored_talk(index: &Index, fields: &Fields, mut f: impl FnMut(Talk)) -> Result<()> {
    let searcher = index.reader()?.searcher();
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        for doc in segment.doc_ids_alive() {
            let stored: Stored = searcher.doc(tantivy::DocAddress::new(ord as u32, doc))?;
            f(talk_from_doc(fields, &stored)?);
        }
    }
    Ok(())
}

/// A talk's stored values as tantivy reads them back: its id and its JSON, both strings. Read as
/// plain strings rather than as a `TantivyDocument`, whose every value is first built as a tree
/// (that was a third of reading a hit's talk).
pub struct Stored(Vec<(Field, String)>);

impl DocumentDeserialize for Stored {
    fn deserialize<'de, D>(mut doc: D) -> std::result::Result<Self, DeserializeError>
    where
        D: DocumentDeserializer<'de>,
    {
        let mut values = Vec::with_capacity(doc.size_hint());
        while let Some(value) = doc.next_field::<String>()? {
            values.push(value);
        }
        Ok(Stored(values))
    }
}

/// The talk stored in a document's `doc` field.
pub fn talk_from_doc(fields: &Fields, doc: &Stored) -> Result<Talk> {
    decode(stored_json(fields, doc))
}

/// The JSON stored in a document's `doc` field.
fn stored_json<'a>(fields: &Fields, doc: &'a Stored) -> &'a str {
    doc.0.iter().find(|(field, _)| *field == fields.doc).map_or("", |(_, json)| json.as_str())
}

fn decode<'a, T: Deserialize<'a>>(json: &'a str) -> Result<T> {
    serde_json::from_str(json).map_err(|e| Error::Other(format!("stored talk does not decode: {e}")))
}

/// What a hit shows of a stored talk, read from its JSON without copying the texts that need no
/// unescaping (nearly all: JSON escapes only quotes, backslashes and control characters), and
/// without the fields a hit does not show. At 1M talks nearly every hit's talk is read afresh:
/// decoding the whole talk was an eighth of a search's own thread (callgrind).
#[derive(Debug, Deserialize)]
pub struct TalkForHit<'a> {
    #[serde(borrow)]
    pub id: Text<'a>,
    #[serde(borrow)]
    pub title: Text<'a>,
    #[serde(default, borrow)]
    pub time: Option<Text<'a>>,
    #[serde(default, borrow)]
    pub speakers: Vec<SpeakerForHit<'a>>,
    #[serde(default, rename = "abstract", borrow)]
    pub abstract_text: Text<'a>,
    #[serde(default, borrow)]
    pub outline: Vec<Text<'a>>,
    #[serde(default, borrow)]
    pub takeaways: Vec<Text<'a>>,
    #[serde(borrow)]
    pub language: Text<'a>,
    #[serde(borrow)]
    pub event: EventForHit<'a>,
    #[serde(default)]
    pub also_listed: Vec<Listing>,
}

/// A speaker of a [`TalkForHit`].
#[derive(Debug, Deserialize)]
pub struct SpeakerForHit<'a> {
    #[serde(borrow)]
    pub name: Text<'a>,
    #[serde(default, borrow)]
    pub bio: Option<Text<'a>>,
    #[serde(default, borrow)]
    pub company: Option<Text<'a>>,
}

/// The event of a [`TalkForHit`].
#[derive(Debug, Deserialize)]
pub struct EventForHit<'a> {
    #[serde(borrow)]
    pub title: Text<'a>,
    #[serde(default, borrow)]
    pub date: Option<Text<'a>>,
    #[serde(default)]
    pub year: Option<u16>,
}

/// A string of a stored talk's JSON: borrowed from it unless it had to be unescaped.
#[derive(Debug, Default, Deserialize)]
pub struct Text<'a>(#[serde(borrow)] pub Cow<'a, str>);

impl std::ops::Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

/// What a hit shows of the talk stored in a document's `doc` field.
pub fn talk_for_hit<'a>(fields: &Fields, doc: &'a Stored) -> Result<TalkForHit<'a>> {
    decode(stored_json(fields, doc))
}
