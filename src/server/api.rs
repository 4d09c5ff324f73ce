//! The HTTP handlers: thin wrappers that validate, call the engine (searches on the async workers,
//! being bounded; slower look-ups off them), and serialize.

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::Json;

use super::error::ApiError;
use super::openapi::{CompaniesResponse, ErrorBody, Health, Ready};
use super::{params, AppState};
use crate::search::{SearchResponse, SpeakersResponse};
use crate::talk::Talk;

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
pub async fn search(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Json<SearchResponse>, ApiError> {
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
    Ok(Json(response))
}

/// `GET /api/talks/{id}`: the whole talk.
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
) -> Result<Json<Talk>, ApiError> {
    // The route guarantees the segment; only its decoding can fail.
    let Path(id) = id.map_err(|e| match e.status() {
        axum::http::StatusCode::BAD_REQUEST => ApiError::bad("the talk id is not valid UTF-8 once percent-decoded"),
        _ => ApiError::Internal(e.body_text()),
    })?;
    let lookup = id.clone();
    match blocking(move || state.engine.get(&lookup)).await? {
        Some(talk) => Ok(Json(talk)),
        None => Err(ApiError::NotFound(format!("no talk with id {id:?}"))),
    }
}

/// `GET /api/speakers?company=…&q=…&limit=…`: speakers of a company (any alias), by name.
#[utoipa::path(get, path = "/api/speakers", tag = "speakers",
    params(
        ("company" = Option<String>, Query, description = "A company in any alias: its whole family"),
        ("q" = Option<String>, Query, description = "Part of a speaker's name"),
        ("limit" = Option<usize>, Query, description = "Speakers at most"),
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
    Ok(Json(state.engine.speakers(query.company.as_deref(), query.q.as_deref(), query.limit)))
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
        "no such route; see /api/search, /api/talks/{id}, /api/speakers, /api/companies, /api/analyze, /api/openapi.json, /healthz, /readyz, /metrics".into(),
    )
}

/// Runs CPU-bound engine work on the blocking pool so it does not stall the async workers.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> crate::Result<T> + Send + 'static) -> Result<T, ApiError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result.map_err(ApiError::from),
        Err(e) => Err(ApiError::Internal(format!("search task failed: {e}"))),
    }
}
