//! The HTTP handlers: thin wrappers that validate, call the engine (searches on the async workers,
//! being bounded; slower look-ups off them), and serialize.

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use super::error::ApiError;
use super::{feeds, params, AppState};
use crate::search::explore::{CompanyPage, SimilarResponse, SpeakerPage, FEED_CANDIDATES};
use crate::search::{SearchRequest, SearchResponse, SpeakersResponse, Status};
use crate::speakers::CompanyStats;
use crate::talk::Talk;

/// Every error response: `{"error": "…"}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CompaniesResponse {
    pub companies: Vec<CompanyStats>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: String,
    pub talks: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Ready {
    pub status: String,
    pub index: Status,
}

/// `GET /api/search?q=…&limit=…&offset=…&company=…&event=…&year=…&lang=…`
///
/// Bounds (lengths, ranges, the year pattern) are declared in the document by
/// [`super::openapi`] from the same [`crate::config::Limits`] that [`params`] checks.
#[utoipa::path(get, path = "/api/search", tag = "talks",
    params(
        ("q" = Option<String>, Query, description = "Words (all must match), \"exact phrase\", -exclude, speaker:, company:, event:, year:. With no words and no filter nothing is found (the response's notice says so)."),
        ("limit" = Option<usize>, Query, description = "Hits per page"),
        ("offset" = Option<usize>, Query, description = "Hits to skip"),
        ("company" = Option<String>, Query, description = "A company in any alias (Tencent, 腾讯, 腾讯云): its whole family; empty: any"),
        ("event" = Option<String>, Query, description = "Exact event title; empty: any"),
        ("year" = Option<String>, Query, description = "2022, or 2020..2022 (a range backwards is read forwards); empty: any"),
        ("lang" = Option<String>, Query, description = "zh, en, …; empty: any"),
    ),
    responses(
        (status = 200, description = "Ranked talks with highlights and facets", body = SearchResponse),
        (status = 400, description = "Bad input; the message says which bound or parameter", body = ErrorBody),
        (status = 503, description = "Busy or timed out; see Retry-After", body = ErrorBody),
    ))]
pub async fn search(State(state): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let req = params::search_params(raw.as_deref(), &state.limits)?;
    let nothing_asked = params::asks_nothing(&req);
    // A search is bounded work (under a millisecond at p99 on the whole corpus: see the query path in
    // the README), so it runs right here on the async worker. Handing it to the blocking pool cost a
    // thread switch each way and let 16 searches share 2 cores at once; on the worker they run in
    // turn: at concurrency 16, p99 11–13 ms → 7–8 ms, and 6–10 % more searches per second.
    let mut response = state.engine.search(&req)?;
    if nothing_asked {
        response.notice = Some(format!("nothing asked: {}", params::NOTHING_ASKED));
    }
    Ok(([(header::CONTENT_TYPE, "application/json")], response.to_json()).into_response())
}

/// `GET /api/talks/{id}`: the whole talk; `GET /api/talks/{id}.ics` (the same route: axum takes
/// no literal after a parameter in one segment) its calendar, see [`talk_ics`].
#[utoipa::path(get, path = "/api/talks/{id}", tag = "talks",
    params(("id" = String, Path, description = "The talk id from a search hit")),
    responses(
        (status = 200, description = "The whole talk", body = Talk),
        (status = 400, description = "The id is not valid UTF-8 once percent-decoded", body = ErrorBody),
        (status = 404, description = "No such talk", body = ErrorBody),
        (status = 503, description = "Busy or timed out; see Retry-After", body = ErrorBody),
    ))]
pub async fn talk(
    State(state): State<Arc<AppState>>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let id = path_id(id, "talk")?;
    if let Some(id) = id.strip_suffix(ICS) {
        return talk_ics(state, id.to_string()).await;
    }
    Ok(Json(look_up("talk", id, move |id| state.engine.get(id)).await?).into_response())
}

/// The suffix that asks for a calendar instead of JSON.
const ICS: &str = ".ics";
/// The media type of a calendar.
const CALENDAR: &str = "text/calendar; charset=utf-8";

/// `GET /api/talks/{id}.ics`: the talk as a calendar event (served by [`talk`]'s route).
#[utoipa::path(get, path = "/api/talks/{id}.ics", tag = "feeds",
    params(("id" = String, Path, description = "The talk id from a search hit")),
    responses(
        (status = 200, description = "An iCalendar file (RFC 5545) with the talk, in its event's time zone where known", body = String, content_type = "text/calendar"),
        (status = 400, description = "The id is not valid UTF-8 once percent-decoded", body = ErrorBody),
        (status = 404, description = "No such talk, or it has no date and time", body = ErrorBody),
        (status = 503, description = "Busy or timed out; see Retry-After", body = ErrorBody),
    ))]
pub async fn talk_ics(state: Arc<AppState>, id: String) -> Result<Response, ApiError> {
    let talk = look_up("talk", id.clone(), move |id| state.engine.get(id)).await?;
    if talk.start.is_none() {
        return Err(ApiError::NotFound(format!("the talk {id:?} has no date and time to put in a calendar")));
    }
    let body = feeds::calendar(&talk.title, std::slice::from_ref(&talk));
    Ok(([(header::CONTENT_TYPE, CALENDAR)], body).into_response())
}

/// `GET /api/talks/{id}/similar?limit=…`: the talks most like this one.
#[utoipa::path(get, path = "/api/talks/{id}/similar", tag = "talks",
    params(
        ("id" = String, Path, description = "The talk id from a search hit"),
        ("limit" = Option<usize>, Query, description = "Talks at most"),
    ),
    responses(
        (status = 200, description = "Talks sharing its most telling words (or their translations), best first; never the talk itself or another listing of it", body = SimilarResponse),
        (status = 400, description = "Bad input", body = ErrorBody),
        (status = 404, description = "No such talk", body = ErrorBody),
        (status = 503, description = "Busy or timed out; see Retry-After", body = ErrorBody),
    ))]
pub async fn similar(
    State(state): State<Arc<AppState>>,
    id: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Json<SimilarResponse>, ApiError> {
    let id = path_id(id, "talk")?;
    let limit = params::similar_limit(raw.as_deref())?;
    Ok(Json(look_up("talk", id, move |id| state.engine.similar(id, limit)).await?))
}

/// `GET /api/speakers/{id}`: one speaker's page.
#[utoipa::path(get, path = "/api/speakers/{id}", tag = "speakers",
    params(("id" = String, Path, description = "The speaker id from a speakers list")),
    responses(
        (status = 200, description = "Names, companies over time, talks, co-speakers, events and words", body = SpeakerPage),
        (status = 400, description = "Bad input", body = ErrorBody),
        (status = 404, description = "No such speaker", body = ErrorBody),
        (status = 503, description = "Busy or timed out; see Retry-After", body = ErrorBody),
    ))]
pub async fn speaker(
    State(state): State<Arc<AppState>>,
    id: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Json<SpeakerPage>, ApiError> {
    let id = path_id(id, "speaker")?;
    params::decode(raw.as_deref(), &[])?;
    Ok(Json(look_up("speaker", id, move |id| state.engine.speaker_page(id)).await?))
}

/// `GET /api/companies/{id}`: one company's page, by its id or any of its names.
#[utoipa::path(get, path = "/api/companies/{id}", tag = "speakers",
    params(("id" = String, Path, description = "The company id (from a facet or a speaker), or any of its names (蚂蚁金服, Tencent)")),
    responses(
        (status = 200, description = "Aliases, parent and subsidiaries, speakers, talks per year, topics, events", body = CompanyPage),
        (status = 400, description = "Bad input", body = ErrorBody),
        (status = 404, description = "No such company", body = ErrorBody),
        (status = 503, description = "Busy or timed out; see Retry-After", body = ErrorBody),
    ))]
pub async fn company(
    State(state): State<Arc<AppState>>,
    id: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Json<CompanyPage>, ApiError> {
    let id = path_id(id, "company")?;
    params::decode(raw.as_deref(), &[])?;
    Ok(Json(look_up("company", id, move |id| state.engine.company_page(id)).await?))
}

/// `GET /api/search.ics?q=…`: the talks of a search that have a date and time, as a calendar.
#[utoipa::path(get, path = "/api/search.ics", tag = "feeds",
    params(
        ("q" = Option<String>, Query, description = "Words (all must match), as for /api/search"),
        ("limit" = Option<usize>, Query, description = "Talks at most"),
        ("company" = Option<String>, Query, description = "A company in any alias: its whole family; empty: any"),
        ("event" = Option<String>, Query, description = "Exact event title; empty: any"),
        ("year" = Option<String>, Query, description = "2022, or 2020..2022; empty: any"),
        ("lang" = Option<String>, Query, description = "zh, en, …; empty: any"),
    ),
    responses(
        (status = 200, description = "An iCalendar file (RFC 5545) of the newest matching talks that have a date and time, in their events' time zones where known", body = String, content_type = "text/calendar"),
        (status = 400, description = "Bad input; the message says which bound or parameter", body = ErrorBody),
        (status = 503, description = "Busy or timed out; see Retry-After", body = ErrorBody),
    ))]
pub async fn search_ics(State(state): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let req = params::feed_params(raw.as_deref(), &state.limits)?;
    let name = feed_title(&req);
    let talks = blocking(move || {
        let mut talks = state.engine.newest(&req, FEED_CANDIDATES)?;
        talks.retain(|t| t.start.is_some());
        talks.truncate(req.limit);
        Ok(talks)
    })
    .await?;
    Ok(([(header::CONTENT_TYPE, CALENDAR)], feeds::calendar(&name, &talks)).into_response())
}

/// `GET /api/search.atom?q=…`: the newest talks of a search, as an Atom feed.
#[utoipa::path(get, path = "/api/search.atom", tag = "feeds",
    params(
        ("q" = Option<String>, Query, description = "Words (all must match), as for /api/search"),
        ("limit" = Option<usize>, Query, description = "Entries at most"),
        ("company" = Option<String>, Query, description = "A company in any alias: its whole family; empty: any"),
        ("event" = Option<String>, Query, description = "Exact event title; empty: any"),
        ("year" = Option<String>, Query, description = "2022, or 2020..2022; empty: any"),
        ("lang" = Option<String>, Query, description = "zh, en, …; empty: any"),
    ),
    responses(
        (status = 200, description = "An Atom feed (RFC 4287) of the newest matching talks that have a date", body = String, content_type = "application/atom+xml"),
        (status = 400, description = "Bad input; the message says which bound or parameter", body = ErrorBody),
        (status = 503, description = "Busy or timed out; see Retry-After", body = ErrorBody),
    ))]
pub async fn search_atom(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let req = params::feed_params(raw.as_deref(), &state.limits)?;
    let title = feed_title(&req);
    let query = raw.unwrap_or_default();
    let base = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.bytes().all(|b| b.is_ascii_graphic()))
        .map(|h| format!("http://{h}"))
        .unwrap_or_default();
    let id = format!("urn:talksearch:search:{}", &blake3::hash(query.as_bytes()).to_hex()[..16]);
    let suffix = if query.is_empty() { String::new() } else { format!("?{query}") };
    let page = page_path(&req);
    let talks = blocking(move || {
        let mut talks = state.engine.newest(&req, FEED_CANDIDATES)?;
        talks.retain(|t| t.start.is_some() || t.event.date.is_some());
        talks.truncate(req.limit);
        Ok(talks)
    })
    .await?;
    let body = feeds::atom(&title, &id, &base, &format!("/api/search.atom{suffix}"), &page, &talks);
    Ok(([(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")], body).into_response())
}

/// The page's address of the search a feed follows: `/?q=…&company=…`.
fn page_path(req: &SearchRequest) -> String {
    use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
    let f = &req.filters;
    let years = f.years.map(|(a, b)| if a == b { a.to_string() } else { format!("{a}..{b}") });
    let pairs = [
        ("q", Some(req.q.trim().to_string())),
        ("company", f.company.clone()),
        ("event", f.event.clone()),
        ("year", years),
        ("lang", f.lang.clone()),
    ];
    let query: Vec<String> = pairs
        .into_iter()
        .filter_map(|(name, value)| {
            value.filter(|v| !v.is_empty()).map(|v| format!("{name}={}", utf8_percent_encode(&v, NON_ALPHANUMERIC)))
        })
        .collect();
    if query.is_empty() {
        "/".to_string()
    } else {
        format!("/?{}", query.join("&"))
    }
}

/// What a calendar or feed of a search is called: `talksearch: 服务网格 (company 腾讯)`.
fn feed_title(req: &SearchRequest) -> String {
    let f = &req.filters;
    let mut parts: Vec<String> = Vec::new();
    if !req.q.trim().is_empty() {
        parts.push(req.q.trim().to_string());
    }
    let filters = [("company", f.company.clone()), ("event", f.event.clone()), ("lang", f.lang.clone())];
    for (name, value) in filters {
        if let Some(v) = value {
            parts.push(format!("{name} {v}"));
        }
    }
    if let Some((a, b)) = f.years {
        parts.push(if a == b { format!("year {a}") } else { format!("years {a}..{b}") });
    }
    format!("talksearch: {}", parts.join(", "))
}

/// The decoded `{id}` of a route; `what` names it in the message when it is not UTF-8.
fn path_id(id: Result<Path<String>, PathRejection>, what: &str) -> Result<String, ApiError> {
    // The route guarantees the segment; only its decoding can fail.
    let Path(id) = id.map_err(|e| match e.status() {
        axum::http::StatusCode::BAD_REQUEST => {
            ApiError::bad(format!("the {what} id is not valid UTF-8 once percent-decoded"))
        }
        _ => ApiError::Internal(e.body_text()),
    })?;
    Ok(id)
}

/// `GET /api/speakers?company=…&q=…&limit=…`: speakers of a company (any alias), by name.
#[utoipa::path(get, path = "/api/speakers", tag = "speakers",
    params(
        ("company" = Option<String>, Query, description = "A company in any alias: its whole family"),
        ("q" = Option<String>, Query, description = "Part of a speaker's name"),
        ("limit" = Option<usize>, Query, description = "Speakers at most"),
        ("talk" = Option<String>, Query, description = "Only the speakers of this talk (its id), in the talk's order"),
    ),
    responses(
        (status = 200, description = "Speakers with their talks", body = SpeakersResponse),
        (status = 400, description = "Bad input", body = ErrorBody),
        (status = 503, description = "Busy or timed out; see Retry-After", body = ErrorBody),
    ))]
pub async fn speakers(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Json<SpeakersResponse>, ApiError> {
    let query = params::speakers_query(raw.as_deref(), &state.limits)?;
    let Some(talk) = query.talk else {
        return Ok(Json(state.engine.speakers(query.company.as_deref(), query.q.as_deref(), query.limit)));
    };
    // Only the speakers of one talk, narrowed by the other parameters as the whole list is.
    let listed = state.engine.speakers(query.company.as_deref(), query.q.as_deref(), usize::MAX);
    let of_talk = blocking(move || state.engine.speakers_of_talk(&talk)).await?;
    let speakers: Vec<_> = of_talk.into_iter().filter(|s| listed.speakers.iter().any(|l| l.id == s.id)).collect();
    Ok(Json(SpeakersResponse { total: speakers.len(), speakers: speakers.into_iter().take(query.limit).collect() }))
}

/// `GET /api/companies`: every company with aliases and speaker and talk counts, most talks first.
#[utoipa::path(get, path = "/api/companies", tag = "speakers",
    responses(
        (status = 200, description = "Companies, most talks first", body = CompaniesResponse),
        (status = 400, description = "Bad input", body = ErrorBody),
        (status = 503, description = "Busy or timed out; see Retry-After", body = ErrorBody),
    ))]
pub async fn companies(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Json<CompaniesResponse>, ApiError> {
    params::decode(raw.as_deref(), &[])?;
    Ok(Json(CompaniesResponse { companies: state.engine.companies() }))
}

/// `GET /api/analyze?text=…`: how a text is normalised and segmented, token by token.
#[utoipa::path(get, path = "/api/analyze", tag = "analysis",
    params(("text" = String, Query, description = "The text to analyze")),
    responses(
        (status = 200, description = "Normalised text and tokens", body = crate::tokenizer::Analysis),
        (status = 400, description = "Bad input", body = ErrorBody),
        (status = 503, description = "Busy or timed out; see Retry-After", body = ErrorBody),
    ))]
pub async fn analyze(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Json<crate::tokenizer::Analysis>, ApiError> {
    let text = params::analyze_text(raw.as_deref(), &state.limits)?;
    Ok(Json(crate::tokenizer::analyze(&text)))
}

/// `GET /healthz`: alive, with the number of talks indexed.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "Alive", body = Health)))]
pub async fn healthz(State(state): State<Arc<AppState>>) -> Json<Health> {
    Json(Health { status: "ok".into(), talks: state.engine.num_talks() })
}

/// `GET /readyz`: ready to answer searches (an index generation is loaded), with what is served.
#[utoipa::path(get, path = "/readyz", tag = "operations", responses((status = 200, description = "Ready", body = Ready)))]
pub async fn readyz(State(state): State<Arc<AppState>>) -> Json<Ready> {
    Json(Ready { status: "ready".into(), index: state.engine.status() })
}

/// `GET /api/openapi.json`: this API's OpenAPI 3 document, generated from the code.
pub async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], super::openapi::document())
}

/// `GET /metrics`: Prometheus text format.
pub async fn metrics(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    let body = state.metrics.render(&state);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body)
}

/// The page's Content-Security-Policy: its `<meta>` policy, plus what only a header can say
/// (`frame-ancestors`: no site may frame the page).
pub const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// `GET /`: the search page over the JSON API; its script and styles are embedded in the binary too.
pub async fn home() -> impl IntoResponse {
    ([(header::CONTENT_SECURITY_POLICY, PAGE_CSP)], Html(include_str!("assets/index.html")))
}

/// `GET /assets/app.js`
pub async fn app_js() -> impl IntoResponse {
    asset("text/javascript; charset=utf-8", include_str!("assets/app.js"))
}

/// `GET /assets/app.css`
pub async fn app_css() -> impl IntoResponse {
    asset("text/css; charset=utf-8", include_str!("assets/app.css"))
}

/// An embedded asset; `no-cache` so a new binary's page is never mixed with an old script.
fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "no-cache")], body)
}

pub async fn not_found() -> ApiError {
    ApiError::NotFound(
        "no such route; see /api/search, /api/search.ics, /api/search.atom, /api/talks/{id}, /api/talks/{id}.ics, /api/talks/{id}/similar, /api/speakers, /api/speakers/{id}, /api/companies, /api/companies/{id}, /api/analyze, /api/openapi.json, /healthz, /readyz, /metrics".into(),
    )
}

/// Looks `id` up with `f` on the blocking pool: what it finds, or `404` `no {what} with id "…"`.
async fn look_up<T: Send + 'static>(
    what: &str,
    id: String,
    f: impl FnOnce(&str) -> crate::Result<Option<T>> + Send + 'static,
) -> Result<T, ApiError> {
    let lookup = id.clone();
    match blocking(move || f(&lookup)).await? {
        Some(found) => Ok(found),
        None => Err(ApiError::NotFound(format!("no {what} with id {id:?}"))),
    }
}

/// Runs CPU-bound engine work on the blocking pool so it does not stall the async workers.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> crate::Result<T> + Send + 'static) -> Result<T, ApiError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result.map_err(ApiError::from),
        Err(e) => Err(ApiError::Internal(format!("search task failed: {e}"))),
    }
}
