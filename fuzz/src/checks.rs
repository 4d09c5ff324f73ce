//! What each fuzz target asserts about one input; shared with `tests/fuzz_regressions.rs` (which
//! includes this file by path), so a saved crash input replays through exactly the same code.
//!
//! Every check is "no panic" plus the contract of the entry point: parsers return `Ok` or their own
//! error, the query-string decoder returns a request within the documented bounds or a 400, and
//! whatever gets past validation searches without error.

use talksearch::company::Companies;
use talksearch::config::Limits;
use talksearch::ingest::{self, Kind};
use talksearch::schema::{self, Fields};
use talksearch::search::query::{self, Filters, Mode};
use talksearch::search::vocab::Vocabulary;
use talksearch::search::SearchRequest;
use talksearch::server::error::ApiError;
use talksearch::server::params;
use talksearch::{tokenizer, Engine};

/// The field handles of a fresh schema, as the engine builds them.
pub fn fields() -> Fields {
    Fields::from_schema(&schema::build()).expect("the schema has every field")
}

/// Page parser: `bytes` as a Markdown page and as a pyvideo talk record. Either reader may refuse
/// the file with an [`ingest::IngestError`]; every talk it accepts must make an index document.
pub fn page(bytes: &[u8], fields: &Fields) {
    for (kind, source) in [(Kind::Markdown, "fuzz/page.md"), (Kind::PyvideoTalk, "fuzz/videos/talk.json")] {
        if let Ok(talks) = ingest::parse_bytes(kind, bytes, source, Some("Fuzz Event 2024")) {
            for talk in &talks {
                if let Err(e) = schema::document(fields, talk, Companies::builtin()) {
                    panic!("{kind:?}: talk {:?} parsed but cannot be indexed: {e}", talk.title);
                }
            }
        }
    }
}

/// Query parser and builder: `q` → clauses → a query in every mode, the analyzer's tokens, the
/// highlight terms; then, within the API's length bound, a real search on `engine`.
pub fn query(q: &str, fields: &Fields, engine: Option<&Engine>) {
    let tokens = tokenizer::tokens(q);
    for (text, _, range) in &tokens {
        assert!(!text.is_empty(), "empty token in {q:?}");
        assert!(q.get(range.clone()).is_some(), "token {text:?} has offsets {range:?} that do not slice {q:?}");
    }
    let clauses = query::parse(q);
    let filters = Filters { years: Some((2019, 2022)), lang: Some("zh".into()), ..Filters::default() };
    let vocab = Vocabulary::from_terms([("kubernetes", 10), ("istio", 5)]);
    for mode in [Mode::All, Mode::Fuzzy, Mode::Most] {
        query::build(fields, &clauses, &Filters::default(), mode, &vocab);
        query::build(fields, &clauses, &filters, mode, &vocab);
    }
    let Some(engine) = engine else { return };
    if q.chars().count() > Limits::default().max_query_chars {
        return; // The API answers 400 before the engine sees it.
    }
    let req = SearchRequest { q: q.to_string(), limit: 10, ..SearchRequest::default() };
    if let Err(e) = engine.search(&req) {
        panic!("search for {q:?} failed: {e}");
    }
}

/// Query-string handling: `raw` as the query string of `/api/search`, `/api/speakers` and
/// `/api/analyze`. Each must give a request within the bounds or a 400 (never a 404/500, never a
/// panic); a valid search request must then search without error.
pub fn query_string(raw: &str, engine: Option<&Engine>) {
    let limits = Limits::default();
    match params::search_request(Some(raw), &limits) {
        Ok(req) => {
            assert!((1..=limits.max_limit).contains(&req.limit), "limit {} out of bounds for {raw:?}", req.limit);
            assert!(req.offset <= limits.max_offset, "offset {} out of bounds for {raw:?}", req.offset);
            assert!(req.q.chars().count() <= limits.max_query_chars, "q too long accepted for {raw:?}");
            assert!(!req.q.trim().is_empty() || !req.filters.is_empty(), "empty request accepted for {raw:?}");
            if let Some(engine) = engine {
                if let Err(e) = engine.search(&req) {
                    panic!("valid request {raw:?} failed to search: {e}");
                }
            }
        }
        Err(e) => bad_request(e, raw),
    }
    match params::speakers_query(Some(raw), &limits) {
        Ok(sq) => {
            assert!((1..=1000).contains(&sq.limit), "speakers limit {} out of bounds for {raw:?}", sq.limit);
            if let Some(engine) = engine {
                engine.speakers(sq.company.as_deref(), sq.q.as_deref(), sq.limit);
            }
        }
        Err(e) => bad_request(e, raw),
    }
    match params::analyze_text(Some(raw), &limits) {
        Ok(text) => {
            assert!(!text.is_empty());
            let _ = tokenizer::analyze(&text);
        }
        Err(e) => bad_request(e, raw),
    }
}

fn bad_request(e: ApiError, raw: &str) {
    match e {
        ApiError::BadRequest(message) => assert!(!message.is_empty(), "empty 400 message for {raw:?}"),
        other => panic!("query string {raw:?} gave {other:?}, not a 400"),
    }
}
