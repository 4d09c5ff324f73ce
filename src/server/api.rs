//! The HTTP handlers: thin wrappers that validate, call the engine off the async workers, and serialize.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::Json;
use serde_json::json;

use super::error::ApiError;
use super::{params, AppState};
use crate::search::{SearchResponse, SpeakersResponse};
use crate::talk::Talk;

/// `GET /api/search?q=…&limit=…&offset=…&event=…&year=…&lang=…`
pub async fn search(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Json<SearchResponse>, ApiError> {
    let req = params::search_request(raw.as_deref(), &state.limits)?;
    let response = blocking(move || state.engine.search(&req)).await?;
    Ok(Json(response))
}

/// `GET /api/talks/{id}`: the whole talk.
pub async fn talk(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> Result<Json<Talk>, ApiError> {
    let lookup = id.clone();
    match blocking(move || state.engine.get(&lookup)).await? {
        Some(talk) => Ok(Json(talk)),
        None => Err(ApiError::NotFound(format!("no talk with id {id:?}"))),
    }
}

/// `GET /api/speakers?company=…&q=…&limit=…`: speakers of a company (any alias), by name.
pub async fn speakers(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Json<SpeakersResponse>, ApiError> {
    let query = params::speakers_query(raw.as_deref(), &state.limits)?;
    Ok(Json(state.engine.speakers(query.company.as_deref(), query.q.as_deref(), query.limit)))
}

/// `GET /api/companies`: every company with aliases and speaker and talk counts, most talks first.
pub async fn companies(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    params::decode(raw.as_deref(), &[])?;
    Ok(Json(json!({ "companies": state.engine.companies() })))
}

/// `GET /api/analyze?text=…`: how a text is normalised and segmented, token by token.
pub async fn analyze(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let text = params::analyze_text(raw.as_deref(), &state.limits)?;
    Ok(Json(crate::tokenizer::analyze(&text)))
}

/// `GET /healthz`: alive, with the number of talks indexed.
pub async fn healthz(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    Json(json!({ "status": "ok", "talks": state.engine.num_talks() }))
}

/// `GET /readyz`: ready to answer searches (an index generation is loaded), with what is served.
pub async fn readyz(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    Json(json!({ "status": "ready", "index": state.engine.status() }))
}

/// `GET /metrics`: Prometheus text format.
pub async fn metrics(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    let body = state.metrics.render(&state);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body)
}

/// `GET /`: the search page over the JSON API; its script and styles are embedded in the binary too.
pub async fn home() -> Html<&'static str> {
    Html(include_str!("assets/index.html"))
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
        "no such route; see /api/search, /api/talks/{id}, /api/speakers, /api/companies, /api/analyze, /healthz, /readyz, /metrics".into(),
    )
}

/// Runs CPU-bound engine work on the blocking pool so it does not stall the async workers.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> crate::Result<T> + Send + 'static) -> Result<T, ApiError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result.map_err(ApiError::from),
        Err(e) => Err(ApiError::Internal(format!("search task failed: {e}"))),
    }
}
