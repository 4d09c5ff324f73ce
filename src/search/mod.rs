//! Search: the [`Engine`] that answers a [`SearchRequest`] with a plain [`SearchResponse`].
//!
//! Ranking is multi-field BM25 with per-field boosts (see [`ranking`]), every word
//! required by default; when that finds nothing the query is relaxed to most of its words, and the
//! response says so. Highlights are HTML-escaped snippets with `<mark>` around matched words.

pub mod compounds;
pub mod explore;
pub mod facets;
pub mod glossary;
pub mod highlight;
pub mod queries;
pub mod query;
pub mod ranking;
pub mod vocab;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Instant;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use tantivy::collector::{Collector, Count, TopDocs};
use tantivy::query::{EnableScoring, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{Executor, Index, IndexReader, ReloadPolicy, Searcher, Term};

use crate::company::Companies;
use crate::config;
use crate::error::Result;
use crate::index_dir::{IndexDir, Opened};
use crate::schema::{self, Fields};
use crate::speakers::{self, CompanyStats, SpeakerEntity};
use crate::talk::{Listing, Talk};
pub use facets::Facets;
use highlight::{Highlighter, Prepared};
pub use query::{Clause, Corrected, Filters, Mode};
use vocab::Vocabulary;

/// Decompressed blocks of stored talks kept per generation (4 KiB each, [`schema::DOCSTORE_BLOCK_BYTES`])
/// when the store is compressed, as it is in generations built before [`schema::settings`] left
/// stored talks uncompressed: 8 MiB at most, about half the whole corpus's store. tantivy's default of 100
/// blocks held too few for the talks a mix of searches shows, and a hit decompressed its block again
/// (callgrind, the 3,000-query mix: reading stored talks was 10 % of a search). An uncompressed
/// store keeps no blocks: reading a talk is a copy, cheaper than the cache's lock.
const STORE_CACHE_BLOCKS: usize = 2048;

/// Talks kept per generation as hits show them, with their texts prepared for highlighting (about
/// 3.5 KiB each). Reading a hit's talk means finding its block of the store and parsing its JSON,
/// and highlighting it folded all its texts: `perf` under load put the reading alone at 13 % of the
/// server's time, for talks that come back again and again. Kept without the talk itself (its texts
/// once, prepared), a talk takes 61 % of the memory it took, so 6,144 fit where 4,096 did (the
/// 3,000-query mix, one search each, glibc's allocator: the cache 23.9 MB with 4,096 before, 21.2 MB
/// with 6,144); replaying the mix, they served 64 % of the hits shown instead of 56 %. Since a text is
/// prepared in one pass, a kept talk no longer holds its folded copy beside the lowercased one, and
/// 16,384 are kept: three quarters of the whole corpus, and every one of the 9,199 talks the mix
/// shows, so that a replayed mix reads none afresh after its first pass (the server after 42,000
/// searches of the mix: 205 MiB resident with 6,144, 210 MiB with 16,384; searches/s +19 % and +26 %
/// in two alternating pairs of runs).
const TALK_CACHE: usize = 16384;

/// Longest abstract excerpt in a hit, in characters.
const ABSTRACT_CHARS: usize = 200;
/// Longest highlight snippet, in bytes (a Chinese character is 3).
const SNIPPET_BYTES: usize = 240;

/// What the caller asks for. The edge (HTTP, CLI) refuses sizes beyond [`config::MAX_LIMIT`] and
/// [`config::MAX_OFFSET`] with a clear message; the engine clamps to the same bounds whoever calls it.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub q: String,
    pub limit: usize,
    pub offset: usize,
    pub filters: Filters,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchResponse {
    pub query: String,
    pub total: usize,
    pub took_ms: f64,
    /// True when the results come from a fallback: no talk matched every word of a short query as
    /// typed (`match` is `most`), or misspelt words were also searched as corrected (`fuzzy`).
    pub relaxed: bool,
    /// How the words matched: `all` (every word as typed), `fuzzy` (misspelt Latin words also
    /// through their likely corrections), or `most` (at least half of the words, a third of five or more).
    #[serde(rename = "match")]
    pub matched: Mode,
    /// Misspelt words and the corrections they were also searched with (empty when none).
    pub corrections: Vec<Corrected>,
    /// Why the results are what they are, when that is not obvious (e.g. nothing searchable in `q`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
    pub offset: usize,
    pub limit: usize,
    pub hits: Vec<Hit>,
    /// Counts by company, event, year and language over all matches (not just this page).
    pub facets: Facets,
}

/// The answer to a speakers query.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SpeakersResponse {
    pub total: usize,
    pub speakers: Vec<SpeakerEntity>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Hit {
    pub id: String,
    pub score: f32,
    pub title: String,
    pub time: Option<String>,
    pub event: EventRef,
    pub speakers: Vec<SpeakerRef>,
    /// The start of the abstract (or outline), as plain text.
    #[serde(rename = "abstract")]
    pub abstract_text: String,
    pub language: String,
    /// Field name → HTML snippet with `<mark>`ed matches; `title` is always present.
    #[schema(value_type = std::collections::BTreeMap<String, String>)]
    pub highlights: BTreeMap<&'static str, String>,
    /// The other pages that list this same talk (it is shown once); absent when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also_listed: Vec<Listing>,
    /// The fields above that do not depend on the query, as JSON, made once for the talk by the
    /// first response that shows it (see [`SearchResponse::to_json`]); `None` for a hit made
    /// otherwise. Code that changes one of those fields in a hit must set this to `None`.
    #[serde(skip)]
    json: Option<Arc<OnceLock<HitJson>>>,
}

/// A hit's fields that do not depend on the query, as JSON, made once for a kept talk: escaping
/// the same titles, speakers and abstracts for every hit was about a third of writing a response
/// (callgrind: writing the JSON was 12 % of the server's instructions per search).
#[derive(Debug)]
struct HitJson {
    /// `"id":…`
    head: String,
    /// `"title":…` to `"language":…`, the fields between the score and the highlights.
    body: String,
    /// `,"also_listed":[…]`, or nothing.
    tail: String,
}

impl HitJson {
    fn of(hit: &Hit) -> HitJson {
        let mut head = Vec::new();
        json_field(&mut head, "id", &JsonStr(&hit.id));
        let mut body = Vec::new();
        json_field(&mut body, "title", &JsonStr(&hit.title));
        for (key, value) in [
            ("time", &JsonOptStr(hit.time.as_deref()) as &dyn ErasedJson),
            ("event", &JsonEvent(&hit.event)),
            ("speakers", &JsonSpeakers(&hit.speakers)),
            ("abstract", &JsonStr(&hit.abstract_text)),
            ("language", &JsonStr(&hit.language)),
        ] {
            body.push(b',');
            json_field(&mut body, key, value);
        }
        let mut tail = Vec::new();
        if !hit.also_listed.is_empty() {
            tail.push(b',');
            json_field(&mut tail, "also_listed", &hit.also_listed);
        }
        let text = |bytes: Vec<u8>| String::from_utf8(bytes).expect("JSON is UTF-8");
        HitJson { head: text(head), body: text(body), tail: text(tail) }
    }
}

/// `"key":value` into `out`, as `serde_json` writes a field (`key` needs no escaping).
fn json_field(out: &mut Vec<u8>, key: &str, value: &(impl ErasedJson + ?Sized)) {
    out.push(b'"');
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":");
    value.write_json(out);
}

impl SearchResponse {
    /// The response as JSON: the bytes `serde_json` writes for it, with each hit's fixed fields
    /// copied as made once for its talk ([`HitJson`]) rather than escaped again.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(16 * 1024);
        let field = |out: &mut Vec<u8>, key: &str, value: &dyn ErasedJson| {
            out.push(b',');
            json_field(out, key, value);
        };
        out.push(b'{');
        json_field(&mut out, "query", &self.query);
        field(&mut out, "total", &self.total);
        field(&mut out, "took_ms", &self.took_ms);
        field(&mut out, "relaxed", &self.relaxed);
        field(&mut out, "match", &self.matched);
        field(&mut out, "corrections", &self.corrections);
        if let Some(notice) = &self.notice {
            field(&mut out, "notice", notice);
        }
        field(&mut out, "offset", &self.offset);
        field(&mut out, "limit", &self.limit);
        out.extend_from_slice(b",\"hits\":");
        json_list(&mut out, &self.hits, |out, hit| {
            let Some(json) = &hit.json else { return hit.write_json(out) };
            let json = json.get_or_init(|| HitJson::of(hit));
            out.push(b'{');
            out.extend_from_slice(json.head.as_bytes());
            field(out, "score", &hit.score);
            out.push(b',');
            out.extend_from_slice(json.body.as_bytes());
            field(out, "highlights", &JsonMap(&hit.highlights));
            out.extend_from_slice(json.tail.as_bytes());
            out.push(b'}');
        });
        field(&mut out, "facets", &JsonFacets(&self.facets));
        out.push(b'}');
        out
    }
}

/// A value written as JSON through a `&dyn` (the fields of [`SearchResponse::to_json`]).
trait ErasedJson {
    fn write_json(&self, out: &mut Vec<u8>);
}

impl<T: Serialize + ?Sized> ErasedJson for T {
    fn write_json(&self, out: &mut Vec<u8>) {
        serde_json::to_writer(out, self).expect("plain data serializes");
    }
}

/// A string written as JSON by [`write_json_str`] (the same bytes as `serde_json`'s).
struct JsonStr<'a>(&'a str);

impl ErasedJson for JsonStr<'_> {
    fn write_json(&self, out: &mut Vec<u8>) {
        write_json_str(out, self.0);
    }
}

/// A map of strings (a hit's highlights) written as JSON by [`write_json_str`].
struct JsonMap<'a>(&'a BTreeMap<&'static str, String>);

impl ErasedJson for JsonMap<'_> {
    fn write_json(&self, out: &mut Vec<u8>) {
        out.push(b'{');
        for (i, (key, value)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_json_str(out, key);
            out.push(b':');
            write_json_str(out, value);
        }
        out.push(b'}');
    }
}

/// A string or `null`, as `serde_json` writes an `Option<String>`.
struct JsonOptStr<'a>(Option<&'a str>);

impl ErasedJson for JsonOptStr<'_> {
    fn write_json(&self, out: &mut Vec<u8>) {
        match self.0 {
            Some(s) => write_json_str(out, s),
            None => out.extend_from_slice(b"null"),
        }
    }
}

/// `[item,…]` into `out`, each item written by `write`.
fn json_list<T>(out: &mut Vec<u8>, items: impl IntoIterator<Item = T>, mut write: impl FnMut(&mut Vec<u8>, T)) {
    out.push(b'[');
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write(out, item);
    }
    out.push(b']');
}

/// A hit's event, as `serde_json` writes an [`EventRef`].
struct JsonEvent<'a>(&'a EventRef);

impl ErasedJson for JsonEvent<'_> {
    fn write_json(&self, out: &mut Vec<u8>) {
        let EventRef { title, date, year } = self.0;
        out.extend_from_slice(b"{\"title\":");
        write_json_str(out, title);
        out.extend_from_slice(b",\"date\":");
        JsonOptStr(date.as_deref()).write_json(out);
        if let Some(year) = year {
            out.extend_from_slice(b",\"year\":");
            out.extend_from_slice(itoa::Buffer::new().format(*year).as_bytes());
        }
        out.push(b'}');
    }
}

/// A hit's speakers, as `serde_json` writes [`SpeakerRef`]s (callgrind, the server: `serde_json`
/// escaping the event and speakers of the talks not kept yet was 1.2 % of a search).
struct JsonSpeakers<'a>(&'a [SpeakerRef]);

impl ErasedJson for JsonSpeakers<'_> {
    fn write_json(&self, out: &mut Vec<u8>) {
        json_list(out, self.0, |out, SpeakerRef { name, company, company_id }| {
            out.extend_from_slice(b"{\"name\":");
            write_json_str(out, name);
            out.extend_from_slice(b",\"company\":");
            JsonOptStr(company.as_deref()).write_json(out);
            out.extend_from_slice(b",\"company_id\":");
            JsonOptStr(company_id.as_deref()).write_json(out);
            out.push(b'}');
        });
    }
}

/// A response's facets, as `serde_json` writes them, their strings by [`write_json_str`] (callgrind,
/// the server: `serde_json` escaping the facets' values and ids was 1.8 % of a search). The keys are
/// written as literals: a field at a time through `json_field` cost a third more.
struct JsonFacets<'a>(&'a Facets);

impl ErasedJson for JsonFacets<'_> {
    fn write_json(&self, out: &mut Vec<u8>) {
        let Facets { company, event, year, lang } = self.0;
        let facets = [("company", company), ("event", event), ("year", year), ("lang", lang)];
        out.push(b'{');
        for (i, (name, values)) in facets.into_iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_json_str(out, name);
            out.push(b':');
            json_list(out, values, |out, v| {
                out.extend_from_slice(b"{\"value\":");
                write_json_str(out, &v.value);
                out.extend_from_slice(b",\"id\":");
                write_json_str(out, &v.id);
                out.extend_from_slice(b",\"count\":");
                out.extend_from_slice(itoa::Buffer::new().format(v.count).as_bytes());
                out.push(b'}');
            });
        }
        out.push(b'}');
    }
}

/// `s` as a JSON string, byte for byte as `serde_json` writes it (`"`, `\` and control characters
/// escaped; `\b \f \n \r \t` short, the others as `\u00xx`). `serde_json` looks at every byte
/// on its own; this skips eight at a time while none needs escaping (callgrind, the server: escaping
/// strings was 6.8 % of its instructions per search, nearly all of it highlights and abstracts).
fn write_json_str(out: &mut Vec<u8>, s: &str) {
    /// Whether any of the eight bytes of `w` is a control character, `"` or `\`.
    fn needs_escape(w: u64) -> bool {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGHS: u64 = 0x8080_8080_8080_8080;
        let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS != 0;
        // A byte below 0x20: subtracting 0x20 borrows into its high bit, which was clear.
        (w.wrapping_sub(ONES * 0x20) & !w & HIGHS != 0)
            || has_zero(w ^ (ONES * b'"' as u64))
            || has_zero(w ^ (ONES * b'\\' as u64))
    }
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut copied = 0;
    let mut at = 0;
    while at < bytes.len() {
        if let Some(word) = bytes.get(at..at + 8) {
            if !needs_escape(u64::from_le_bytes(word.try_into().expect("eight bytes"))) {
                at += 8;
                continue;
            }
        }
        // This byte (in a word that holds one to escape, or in the last few) on its own.
        let byte = bytes[at];
        let escaped: &[u8] = match byte {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0C => b"\\f",
            0x00..=0x1F => &[b'\\', b'u', b'0', b'0', HEX[(byte >> 4) as usize], HEX[(byte & 0xF) as usize]],
            _ => {
                at += 1;
                continue;
            }
        };
        out.extend_from_slice(&bytes[copied..at]);
        out.extend_from_slice(escaped);
        at += 1;
        copied = at;
    }
    out.extend_from_slice(&bytes[copied..]);
    out.push(b'"');
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EventRef {
    pub title: String,
    pub date: Option<String>,
    /// The event's year when its source states a year but no date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<u16>,
}

impl EventRef {
    /// The event's title and date (or its year when it has no date); nothing else of it is copied.
    pub fn of(event: &crate::talk::Event) -> EventRef {
        EventRef::new(&event.title, event.date.as_deref(), event.year)
    }

    fn new(title: &str, date: Option<&str>, year: Option<u16>) -> EventRef {
        let year = year.filter(|_| date.is_none());
        EventRef { title: title.to_string(), date: date.map(str::to_string), year }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SpeakerRef {
    pub name: String,
    /// The company as the page states it.
    pub company: Option<String>,
    /// Its canonical id (alias-table id, or the folded name of a company not in the table).
    pub company_id: Option<String>,
}

impl SpeakerRef {
    /// The speakers of `talk`, with their companies' ids.
    pub fn all_of(talk: &Talk) -> Vec<SpeakerRef> {
        talk.speakers.iter().map(|s| SpeakerRef::new(&s.name, s.company.as_deref())).collect()
    }

    fn new(name: &str, company: Option<&str>) -> SpeakerRef {
        SpeakerRef {
            name: name.to_string(),
            company: company.map(str::to_string),
            company_id: company.and_then(|c| Companies::builtin().id_for(c)),
        }
    }
}

/// An open index, ready to answer searches from many threads at once.
///
/// The engine serves one generation of the index at a time; [`Engine::reload_if_changed`] switches
/// to a newer one when `talksearch index` has made it current. A search holds its generation for
/// its whole life, so a switch never disturbs a request in flight.
pub struct Engine {
    dir: IndexDir,
    current: RwLock<Arc<Generation>>,
    /// What `CURRENT` named when a switch to it was last refused (a damaged generation): it is
    /// reported once, not verified again every reload, until `CURRENT` names something else.
    refused: std::sync::Mutex<Option<String>>,
}

/// One opened generation: the tantivy index, its reader and the speakers built with it.
struct Generation {
    path: PathBuf,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    speakers: Vec<SpeakerEntity>,
    /// Company id → display name, for facets (table names, or the text of companies not in the table).
    company_names: HashMap<String, String>,
    /// The Latin terms and their talk counts, for typo tolerance.
    vocab: Vocabulary,
    /// The facet values, by id, and each segment's ordinals mapped to them.
    facet_tables: Arc<facets::FacetTables>,
    /// The talks last shown in hits, decoded (see [`TALK_CACHE`]).
    shown: std::sync::Mutex<lru::LruCache<tantivy::DocAddress, Arc<Shown>>>,
    /// Threads for reading the parts of a big generation at once; `None` for one part.
    parallel: Option<Executor>,
    /// Searches running now, so that a search takes the parts' threads only when it is alone.
    searching: AtomicUsize,
    /// Talks searched: all documents but the listings another listing of the same talk stands for.
    talks: u64,
    loaded_at: SystemTime,
}

impl Generation {
    /// Makes an opened generation ready to search: its reader, vocabulary and facet tables.
    fn new(opened: Opened) -> Result<Generation> {
        // A big generation is cut into parts (see `indexer::TALKS_PER_PART`): a search reads them
        // on as many threads, so its latency is about that of its biggest part.
        let parts = opened.index.searchable_segment_ids()?.len();
        Generation::with_part_threads(opened, parts.min(config::cores()))
    }

    /// [`Generation::new`] with `threads` threads for the parts (and for the hits' talks), whatever
    /// its number of parts.
    fn with_part_threads(opened: Opened, threads: usize) -> Result<Generation> {
        let parallel = match threads > 1 {
            true => Some(Executor::multi_thread(threads, "talksearch-part-")?),
            false => None,
        };
        let reader = opened
            .index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .doc_store_cache_num_blocks(match opened.index.settings().docstore_compression {
                tantivy::store::Compressor::None => 0,
                _ => STORE_CACHE_BLOCKS,
            })
            .try_into()?;
        let companies = Companies::builtin();
        let mut company_names: HashMap<String, String> =
            companies.all().iter().map(|c| (c.id.clone(), c.name.clone())).collect();
        for s in &opened.speakers {
            for c in s.company.iter().chain(&s.other_companies) {
                company_names.entry(c.id.clone()).or_insert_with(|| c.name.clone());
            }
        }
        let searcher = reader.searcher();
        let vocab = Vocabulary::build(&searcher, &ranking::text_fields(&opened.fields).map(|(f, _)| f))?;
        let facet_tables = Arc::new(facets::FacetTables::build(&searcher)?);
        let visible = TermQuery::new(Term::from_field_text(opened.fields.visible, "1"), IndexRecordOption::Basic);
        let talks = searcher.search(&visible, &Count)? as u64;
        let shown = lru::LruCache::new(std::num::NonZeroUsize::new(TALK_CACHE).expect("not zero"));
        Ok(Generation {
            shown: std::sync::Mutex::new(shown),
            parallel,
            searching: AtomicUsize::new(0),
            talks,
            vocab,
            facet_tables,
            path: opened.generation,
            index: opened.index,
            reader,
            fields: opened.fields,
            speakers: opened.speakers,
            company_names,
            loaded_at: SystemTime::now(),
        })
    }

    /// The hits of `top`, highlighted. Their talks are decoded and kept for the hits to come; those
    /// not kept are read with their hits. On the parts' threads when no other search runs them, as
    /// at 1M talks nearly every hit's talk is read afresh (two fifths of a search's own thread), and
    /// marking the texts of ten hits is most of what is left. Each hit's talk is read and marked in
    /// one task: reading them all, then marking them all, handed work to the threads twice.
    fn hits(
        &self,
        searcher: &Searcher,
        top: &[(tantivy::Score, tantivy::DocAddress)],
        h: &Highlighter,
    ) -> Result<Vec<Hit>> {
        // A poisoned lock only means a search panicked holding it; the cache is still whole.
        let lock = || self.shown.lock().unwrap_or_else(|e| e.into_inner());
        let kept: Vec<Option<Arc<Shown>>> = {
            let mut kept = lock();
            top.iter().map(|(_, address)| kept.get(address).cloned()).collect()
        };
        // Hit `at`, with its talk when it was read.
        let one = |at: usize| -> tantivy::Result<Result<(Option<Arc<Shown>>, Hit)>> {
            let (score, address) = top[at];
            if let Some(talk) = &kept[at] {
                return Ok(Ok((None, hit(talk, score, h))));
            }
            let doc: schema::Stored = searcher.doc(address)?;
            Ok(schema::talk_for_hit(&self.fields, &doc).map(|talk| {
                let talk = Arc::new(Shown::new(talk));
                let hit = hit(&talk, score, h);
                (Some(talk), hit)
            }))
        };
        let made = self.each(top.len(), one)?;
        let mut kept = lock();
        let mut hits = Vec::with_capacity(made.len());
        for ((_, address), made) in top.iter().zip(made) {
            let (read, hit) = made?;
            if let Some(talk) = read {
                kept.put(*address, talk);
            }
            hits.push(hit);
        }
        Ok(hits)
    }

    /// `f` of `0..n`, in order: on the parts' threads when there are several and no other search
    /// runs them (see [`with_threads`]), else on the calling thread.
    fn each<R: Send>(&self, n: usize, f: impl Fn(usize) -> tantivy::Result<R> + Sync) -> tantivy::Result<Vec<R>> {
        match n {
            0 | 1 => (0..n).map(f).collect(),
            _ => with_threads(self.parallel.as_ref(), &self.searching, |threads| threads.map(f, 0..n)),
        }
    }

    /// Runs `query` into `collector` (see [`collect`]).
    fn collect<C: Collector>(&self, searcher: &Searcher, query: &dyn Query, collector: &C) -> Result<C::Fruit> {
        collect(self.parallel.as_ref(), &self.searching, searcher, query, collector)
    }
}

/// What is being served, for health and metrics.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Status {
    pub talks: u64,
    pub speakers: usize,
    /// The generation folder's name (`gen-000003`).
    pub generation: String,
    /// Seconds since the Unix epoch when this generation was loaded.
    pub loaded_at: f64,
}

impl Engine {
    /// Opens the current generation of the index in `dir`.
    pub fn open(dir: impl Into<IndexDir>) -> Result<Engine> {
        let dir = dir.into();
        let opened = dir.open()?;
        Engine::serve(dir, opened)
    }

    /// Serves `opened`, a generation of `dir` opened by [`IndexDir::open`].
    pub fn serve(dir: IndexDir, opened: Opened) -> Result<Engine> {
        let generation = Generation::new(opened)?;
        // The glossary (~20k terms, analyzed once: ~60 ms) and the compound tables (~30k lines,
        // stemmed once) are built here rather than by the first search.
        glossary::Glossary::builtin();
        compounds::Compounds::builtin();
        Ok(Engine { dir, current: RwLock::new(Arc::new(generation)), refused: Default::default() })
    }

    fn current(&self) -> Arc<Generation> {
        // A poisoned lock only means a reload panicked mid-way; the Arc inside is still whole.
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Switches to the generation `CURRENT` names if it is not the one being served, once it has
    /// been verified. Returns whether it switched. On error (a damaged pointer or generation) the old
    /// generation stays in service, and the same refusal is not returned again: until `CURRENT`
    /// changes, later calls return `Ok(false)`.
    pub fn reload_if_changed(&self) -> Result<bool> {
        let named = self.dir.current();
        let key = match &named {
            Ok(None) => return Ok(false),
            Ok(Some(path)) if *path == self.current().path => return Ok(false),
            Ok(Some(path)) => path.display().to_string(),
            Err(e) => e.to_string(),
        };
        let mut refused = self.refused.lock().unwrap_or_else(|e| e.into_inner());
        if refused.as_deref() == Some(key.as_str()) {
            return Ok(false);
        }
        let opened = named.and_then(|named| self.dir.open_state(self.dir.resolve(named)?));
        match opened.and_then(Generation::new) {
            Ok(generation) => {
                let old = std::mem::replace(
                    &mut *self.current.write().unwrap_or_else(|e| e.into_inner()),
                    Arc::new(generation),
                );
                *refused = None;
                drop(old);
                give_back_freed_memory();
                Ok(true)
            }
            Err(e) => {
                *refused = Some(key);
                Err(e)
            }
        }
    }

    /// What is being served.
    pub fn status(&self) -> Status {
        let g = self.current();
        Status {
            talks: g.talks,
            speakers: g.speakers.len(),
            generation: g.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            loaded_at: g.loaded_at.duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0),
        }
    }

    /// Speakers, optionally only those of a company's family (in any alias: 腾讯云, 腾讯 and Tencent
    /// all give Tencent and its subsidiaries) and whose
    /// name contains `q`; most talks first.
    pub fn speakers(&self, company: Option<&str>, q: Option<&str>, limit: usize) -> SpeakersResponse {
        let company_id = company.and_then(|c| Companies::builtin().family_id(c));
        let q = q.map(crate::company::fold_name).filter(|q| !q.is_empty());
        let g = self.current();
        let matching: Vec<&SpeakerEntity> = g
            .speakers
            .iter()
            .filter(|s| company_id.as_ref().is_none_or(|id| s.company_lineage.contains(id)))
            .filter(|s| q.as_ref().is_none_or(|q| crate::company::fold_name(&s.name).contains(q.as_str())))
            .collect();
        SpeakersResponse { total: matching.len(), speakers: matching.into_iter().take(limit).cloned().collect() }
    }

    /// Every company with speakers, with aliases and counts, most talks first.
    pub fn companies(&self) -> Vec<CompanyStats> {
        speakers::company_stats(&self.current().speakers, Companies::builtin())
    }

    /// The tantivy index being served (a handle: it stays valid after a reload).
    pub fn index(&self) -> Index {
        self.current().index.clone()
    }

    /// The index folder this engine serves from.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Number of talks in the index.
    pub fn num_talks(&self) -> u64 {
        self.current().talks
    }

    /// Answers one search.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResponse> {
        let started = Instant::now();
        let g = self.current();
        let searcher = g.reader.searcher();
        let clauses = query::parse(&req.q);
        let limit = req.limit.clamp(1, config::MAX_LIMIT);
        let offset = req.offset.min(config::MAX_OFFSET);
        let mut built = query::build(&g.fields, &clauses, &req.filters, Mode::All, &g.vocab);
        let needed = offset + limit;
        // Top docs, total and facet counts in one pass over the matches. A long query may be
        // followed by a wider one (below), whose hits come after these: then they are all needed.
        let facet_collector = || facets::FacetCollector { tables: Arc::clone(&g.facet_tables) };
        let first = match built.long {
            true => TopDocs::with_limit(needed),
            false => TopDocs::with_limit(limit).and_offset(offset),
        };
        let (mut top, mut total, mut counts) =
            g.collect(&searcher, &built.query, &(first.order_by_score(), Count, facet_collector()))?;
        let mut mode = if built.corrections.is_empty() { Mode::All } else { Mode::Fuzzy };
        let mut relaxed = false;
        if built.long && total < needed {
            // Three words or more and too few talks with all of them: those with at least half (a third)
            // follow, then, when still too few, those with any of them (`gorm 到底该怎么用才不踩坑` finds the
            // one GORM talk, which says nothing of 踩坑); so talks rank by how many of the words they have
            // (all, most, any), then by score.
            for wider_mode in [Mode::Most, Mode::Any] {
                if total >= needed {
                    break;
                }
                // The same units, combined more loosely: not built from the text again (a long query
                // keeps them, so it always widens).
                let Some(wider) = built.widened(wider_mode) else { break };
                let seen: HashSet<tantivy::DocAddress> = top.iter().map(|(_, a)| *a).collect();
                let collector = (TopDocs::with_limit(needed + seen.len()).order_by_score(), Count, facet_collector());
                let (more, more_total, more_counts) = g.collect(&searcher, &wider, &collector)?;
                top.extend(more.into_iter().filter(|(_, a)| !seen.contains(a)));
                (total, counts) = (more_total, more_counts);
                if more_total > seen.len() {
                    mode = wider_mode;
                }
            }
        } else if total == 0 && (built.word_count > 1 || built.multiword) {
            // No talk has every word of a short query: settle for most of them (one more query, as
            // bounded as the first).
            let wider = query::build(&g.fields, &clauses, &req.filters, Mode::Most, &g.vocab);
            let collector = (TopDocs::with_limit(limit).and_offset(offset).order_by_score(), Count, facet_collector());
            (top, total, counts) = g.collect(&searcher, &wider.query, &collector)?;
            (mode, built, relaxed) = (Mode::Most, wider, true);
        }
        if built.long {
            top = top.into_iter().skip(offset).take(limit).collect();
        }
        let facets = facets::facets(counts, &g.facet_tables, &g.company_names);
        let highlighter = Highlighter::new(std::mem::take(&mut built.highlight));
        let hits = g.hits(&searcher, &top, &highlighter)?;
        let notice =
            built.unsearchable.then(|| "nothing in the query can be searched: no words, only symbols".to_string());
        Ok(SearchResponse {
            query: req.q.clone(),
            total,
            took_ms: (started.elapsed().as_secs_f64() * 1e6).round() / 1e3,
            relaxed: relaxed || mode == Mode::Fuzzy,
            matched: mode,
            corrections: built.corrections,
            notice,
            offset,
            limit,
            hits,
            facets,
        })
    }

    /// The floor for benchmarks: the same query as [`Engine::search`] builds, collected as bare
    /// top-`limit` doc addresses with tantivy's `TopDocs`: no relaxing, no stored documents, no highlights.
    pub fn search_floor(&self, req: &SearchRequest) -> Result<usize> {
        let g = self.current();
        let searcher = g.reader.searcher();
        let built = query::build(&g.fields, &query::parse(&req.q), &req.filters, Mode::All, &g.vocab);
        let top = g.collect(
            &searcher,
            &built.query,
            &TopDocs::with_limit(req.limit.clamp(1, config::MAX_LIMIT)).order_by_score(),
        )?;
        Ok(top.len())
    }

    /// The whole talk with this id, if the index has it.
    pub fn get(&self, id: &str) -> Result<Option<Talk>> {
        let g = self.current();
        schema::stored_talk(&g.reader.searcher(), &g.fields, id)
    }
}

/// Runs `query` into `collector`. The parts of a big generation are read on the `parallel` threads
/// when no other search is running (`searching` counts them): that halves one search's latency (1M
/// talks, 2 parts), while under load, when every core is busy with searches anyway, each search
/// reads its parts in turn on its own thread and no throughput is lost to handing work between
/// threads.
fn collect<C: Collector>(
    parallel: Option<&Executor>,
    searching: &AtomicUsize,
    searcher: &Searcher,
    query: &dyn Query,
    collector: &C,
) -> Result<C::Fruit> {
    if parallel.is_none() {
        return Ok(searcher.search(query, collector)?);
    }
    let scoring = match collector.requires_scoring() {
        true => EnableScoring::enabled_from_searcher(searcher),
        false => EnableScoring::disabled_from_searcher(searcher),
    };
    Ok(with_threads(parallel, searching, |threads| searcher.search_with_executor(query, collector, threads, scoring))?)
}

/// Runs `f` with the parts' threads when no other search is running them, else with the calling
/// thread alone; the search counts as running them meanwhile.
fn with_threads<R>(
    parallel: Option<&Executor>,
    searching: &AtomicUsize,
    f: impl FnOnce(&Executor) -> tantivy::Result<R>,
) -> tantivy::Result<R> {
    /// Counts a search as running until it is dropped (returned or unwound).
    struct Running<'a>(&'a AtomicUsize);
    impl Drop for Running<'_> {
        fn drop(&mut self) {
            self.0.fetch_sub(1, Ordering::AcqRel);
        }
    }
    let Some(parallel) = parallel else { return f(&Executor::SingleThread) };
    let others = searching.fetch_add(1, Ordering::AcqRel);
    let _running = Running(searching);
    f(if others == 0 { parallel } else { &Executor::SingleThread })
}

/// Returns memory freed by a dropped generation (its vocabulary and tables: many small allocations
/// made on whichever thread opened it) to the system. glibc keeps freed memory in per-thread arenas;
/// without this a server's resident memory grew by about the size of a generation's tables at every
/// switch (soak: +96 % over 10 switches). The `talksearch` binary allocates with mimalloc, which
/// gives freed pages back by itself (soak: the end within 3 % of the first minute's peak); this
/// call is for programs that use the library with glibc's allocator.
fn give_back_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory at the top of glibc's heaps and arenas; it has
    // no preconditions and is thread-safe.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// A talk as hits show it: what a hit shows of it whatever the query (its speakers with their
/// companies' ids, its event, the start of its abstract: `perf` under load put making these for
/// every hit at 2 % of the server's time), and the texts highlights are cut from, ready to be
/// marked. Not the talk itself: its texts are here once, prepared, so that a kept talk takes less
/// memory and more of them are kept in the same (see [`TALK_CACHE`]).
struct Shown {
    id: String,
    time: Option<String>,
    language: String,
    also_listed: Vec<Listing>,
    speakers: Vec<SpeakerRef>,
    event: EventRef,
    /// The start of the abstract ([`ABSTRACT_CHARS`]).
    excerpt: String,
    title: Prepared,
    /// The speakers' names, joined.
    names: Prepared,
    /// The abstract and the outline.
    body: Prepared,
    takeaways: Prepared,
    bios: Prepared,
    /// The fields above as a hit's JSON shows them, once a response has shown the talk.
    json: Arc<OnceLock<HitJson>>,
}

impl Shown {
    fn new(talk: schema::TalkForHit) -> Shown {
        let outline = talk.outline.iter().map(|line| &**line);
        let body = std::iter::once(&*talk.abstract_text).chain(outline).filter(|s| !s.is_empty());
        let body = body.collect::<Vec<_>>().join("\n");
        let names = talk.speakers.iter().map(|s| &*s.name).collect::<Vec<_>>().join("，");
        let bios = talk.speakers.iter().filter_map(|s| s.bio.as_deref()).collect::<Vec<_>>().join("\n");
        let takeaways = talk.takeaways.iter().map(|line| &**line).collect::<Vec<_>>().join("\n");
        let event = &talk.event;
        Shown {
            speakers: talk.speakers.iter().map(|s| SpeakerRef::new(&s.name, s.company.as_deref())).collect(),
            event: EventRef::new(&event.title, event.date.as_deref(), event.year),
            excerpt: excerpt(&body, ABSTRACT_CHARS),
            names: Prepared::new(names),
            body: Prepared::new(body),
            takeaways: Prepared::new(takeaways),
            bios: Prepared::new(bios),
            title: Prepared::new(talk.title.0.into_owned()),
            id: talk.id.0.into_owned(),
            time: talk.time.map(|t| t.0.into_owned()),
            language: talk.language.0.into_owned(),
            also_listed: talk.also_listed,
            json: Default::default(),
        }
    }
}

fn hit(shown: &Shown, score: f32, h: &Highlighter) -> Hit {
    let mut highlights = BTreeMap::new();
    let title = h.whole_prepared(&shown.title).unwrap_or_else(|| escape_html(shown.title.text()));
    highlights.insert("title", title);
    if let Some(html) = h.whole_prepared(&shown.names) {
        highlights.insert("speakers", html);
    }
    for (name, text) in [("abstract", &shown.body), ("takeaways", &shown.takeaways), ("bio", &shown.bios)] {
        if let Some(html) = h.snippet_prepared(text, SNIPPET_BYTES) {
            highlights.insert(name, html);
        }
    }
    Hit {
        id: shown.id.clone(),
        score,
        title: shown.title.text().to_string(),
        time: shown.time.clone(),
        event: shown.event.clone(),
        speakers: shown.speakers.clone(),
        abstract_text: shown.excerpt.clone(),
        language: shown.language.clone(),
        highlights,
        also_listed: shown.also_listed.clone(),
        json: Some(Arc::clone(&shown.json)),
    }
}

/// The first `max_chars` characters of `text`, with `…` when cut.
fn excerpt(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", text[..cut].trim_end()),
        None => text.to_string(),
    }
}

/// Escapes text for inclusion in HTML.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_html_into(&mut out, text);
    out
}

/// Appends `text`, escaped for HTML, to `out`. The five characters escaped are ASCII, so the text
/// is scanned as bytes and copied in runs between them.
pub(crate) fn escape_html_into(out: &mut String, text: &str) {
    let mut copied = 0;
    for (at, byte) in text.bytes().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[copied..at]);
        out.push_str(entity);
        copied = at + 1;
    }
    out.push_str(&text[copied..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_cuts_on_characters() {
        assert_eq!(excerpt("服务网格中 TLS", 4), "服务网格…");
        assert_eq!(excerpt("short", 10), "short");
    }

    #[test]
    fn the_parts_of_a_generation_give_the_same_answer_on_any_number_of_threads() {
        use tantivy::schema::{Schema, TEXT};
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        for part in 0..2 {
            for i in 0..50 {
                let text = format!("mesh {} {}", "istio ".repeat(i % 7), if i % 3 == part { "envoy" } else { "" });
                writer.add_document(tantivy::doc!(body => text)).unwrap();
            }
            writer.commit().unwrap();
        }
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        let query = tantivy::query::QueryParser::for_index(&index, vec![body]).parse_query("mesh envoy").unwrap();
        let collector = (TopDocs::with_limit(5).order_by_score(), Count);
        let threads = Executor::multi_thread(2, "test-part-").unwrap();
        let searching = AtomicUsize::new(0);
        let alone = collect(Some(&threads), &searching, &searcher, &query, &collector).unwrap();
        assert_eq!(searching.load(Ordering::Acquire), 0, "a search is counted only while it runs");
        // With another search running, the parts are read in turn on this thread: the same answer.
        searching.store(1, Ordering::Release);
        let in_turn = collect(Some(&threads), &searching, &searcher, &query, &collector).unwrap();
        assert_eq!(searching.load(Ordering::Acquire), 1);
        let one_thread = searcher.search(&query, &collector).unwrap();
        assert_eq!(alone.1, 100);
        assert_eq!(alone, one_thread);
        assert_eq!(in_turn, one_thread);
    }

    /// A generation whose search hands the hits' talks and their highlights to threads (as one of
    /// several parts does, past `indexer::TALKS_PER_PART` talks) answers byte for byte as one that
    /// does all on the calling thread, first reading the talks and then finding them kept.
    #[test]
    fn hits_read_and_marked_on_threads_are_those_of_one_thread() {
        let pages = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/pages");
        let ingested = crate::ingest::read_paths(&[pages], |_, _| {}).unwrap();
        let dir = tempfile::tempdir().unwrap();
        crate::indexer::build(dir.path(), &ingested.talks, &indicatif::ProgressBar::hidden()).unwrap();
        let one = Engine::open(dir.path()).unwrap();
        let index_dir = IndexDir::from(dir.path());
        let opened = index_dir.open().unwrap();
        let generation = Generation::with_part_threads(opened, 2).unwrap();
        assert!(generation.parallel.is_some());
        let threads =
            Engine { dir: index_dir, current: RwLock::new(Arc::new(generation)), refused: Default::default() };
        let mut marked = 0;
        for round in 0..2 {
            for q in ["服务网格", "Istio", "Service Mesh 性能优化", "云原生 meetup", "envoy", "SOFAStack"] {
                let req = SearchRequest { q: q.to_string(), limit: 20, ..Default::default() };
                let answer = |engine: &Engine| {
                    let mut response = engine.search(&req).unwrap();
                    response.took_ms = 0.0;
                    String::from_utf8(response.to_json()).unwrap()
                };
                let (alone, with_threads) = (answer(&one), answer(&threads));
                assert_eq!(alone, with_threads, "{q}, round {round}");
                let response = threads.search(&req).unwrap();
                assert!(response.hits.len() > 1, "{q}: {} hits", response.hits.len());
                marked +=
                    response.hits.iter().flat_map(|h| h.highlights.values()).filter(|m| m.contains("<mark>")).count();
            }
        }
        assert!(marked > 20, "{marked} highlights marked");
    }

    #[test]
    fn escaping() {
        assert_eq!(escape_html("<script>alert('x')</script>&"), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;");
    }

    /// Every ASCII byte, alone and at each place in and around the eight-byte words, with Chinese,
    /// emoji and byte 0x7F around it: the same bytes as `serde_json`.
    #[test]
    fn json_strings_are_written_as_serde_json_writes_them() {
        let mut texts: Vec<String> = vec![String::new(), "服务网格".into(), "a\u{7f}😀\"\\".into()];
        for byte in 0u8..0x80 {
            let c = byte as char;
            for before in 0..10 {
                texts.push(format!("{}{c}{}", "x".repeat(before), "网".repeat(before % 4)));
            }
        }
        texts.push("line\none\ttab \u{1}\u{1f}<mark>\"q\"</mark> \\ end……".repeat(5));
        for text in texts {
            let mut ours = Vec::new();
            write_json_str(&mut ours, &text);
            assert_eq!(String::from_utf8(ours).unwrap(), serde_json::to_string(&text).unwrap(), "{text:?}");
        }
        let mut map = BTreeMap::new();
        map.insert("title", "<mark>Istio</mark> \"mesh\"\n".to_string());
        map.insert("body", String::new());
        let mut ours = Vec::new();
        JsonMap(&map).write_json(&mut ours);
        assert_eq!(ours, serde_json::to_vec(&map).unwrap());
        let value = |value: &str, id: &str, count| facets::FacetValue { value: value.into(), id: id.into(), count };
        let facets = Facets {
            company: vec![value("腾讯 \"Tencent\"", "tencent", 12), value("a\\b", "a\nb", u64::MAX)],
            event: vec![],
            year: vec![value("2022", "2022", 0)],
            lang: vec![value("zh", "zh", 7)],
        };
        let mut ours = Vec::new();
        JsonFacets(&facets).write_json(&mut ours);
        assert_eq!(String::from_utf8(ours).unwrap(), serde_json::to_string(&facets).unwrap());
        let events = [
            EventRef { title: "KubeCon \"EU\"".into(), date: Some("2022-05-18".into()), year: None },
            EventRef { title: "云原生\n社区".into(), date: None, year: Some(2021) },
            EventRef { title: String::new(), date: None, year: None },
        ];
        for event in &events {
            let mut ours = Vec::new();
            JsonEvent(event).write_json(&mut ours);
            assert_eq!(String::from_utf8(ours).unwrap(), serde_json::to_string(event).unwrap());
        }
        let speaker = |name: &str, company: Option<&str>, id: Option<&str>| SpeakerRef {
            name: name.into(),
            company: company.map(Into::into),
            company_id: id.map(Into::into),
        };
        for speakers in [
            vec![],
            vec![speaker("张\t三", Some("腾讯云"), Some("tencent")), speaker("Ann \"A\"", None, None)],
            vec![speaker("", Some("x"), None)],
        ] {
            let mut ours = Vec::new();
            JsonSpeakers(&speakers).write_json(&mut ours);
            assert_eq!(String::from_utf8(ours).unwrap(), serde_json::to_string(&speakers).unwrap());
        }
        for time in [None, Some("9:00 - 9:45")] {
            let mut ours = Vec::new();
            JsonOptStr(time).write_json(&mut ours);
            assert_eq!(String::from_utf8(ours).unwrap(), serde_json::to_string(&time).unwrap());
        }
    }
}
