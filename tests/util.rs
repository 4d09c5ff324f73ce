//! Shared test helpers: indexes built once per test process, and where the big corpus lives.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use indicatif::ProgressBar;
use serde_json::Value;
use talksearch::config::Limits;
use talksearch::server::{app, AppState};
use talksearch::{indexer, ingest, Engine};
use tower::ServiceExt;

/// The repository's `tests/data` folder.
pub fn test_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// The seed page the project was designed from.
pub fn seed_page() -> PathBuf {
    test_data().join("pages/jimmysong-service-mesh-summit-2022.md")
}

/// Builds an index of `paths` in a fresh temporary folder (kept for the life of the process).
pub fn build_state(paths: &[PathBuf]) -> Arc<AppState> {
    let dir = tempfile::tempdir().expect("a temporary folder").keep();
    let ingested = ingest::read_paths(paths, |_, _| {}).expect("the test data exists");
    assert!(ingested.failed.is_empty(), "test data failed to parse: {:?}", ingested.failed);
    indexer::build(&dir, &ingested.talks, &ProgressBar::hidden()).expect("the index builds");
    let engine = Engine::open(&dir).expect("the index opens");
    Arc::new(AppState::new(engine, Limits::default()))
}

/// An index of the seed page alone, built once.
pub fn seed() -> Arc<AppState> {
    static SEED: OnceLock<Arc<AppState>> = OnceLock::new();
    SEED.get_or_init(|| build_state(&[seed_page()])).clone()
}

/// `../shared/corpus` (or `$TALKSEARCH_CORPUS`), when it is there. Tests that need it print that
/// they were skipped when it is not, so a fresh clone without it still passes.
pub fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("TALKSEARCH_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: {} not found (set TALKSEARCH_CORPUS to run this test)", dir.display());
        None
    }
}

/// Titles of the hits of `q` on `engine`, best first.
pub fn titles(engine: &Engine, q: &str, limit: usize) -> Vec<String> {
    let req = talksearch::SearchRequest { q: q.to_string(), limit, ..Default::default() };
    engine.search(&req).expect("search works").hits.into_iter().map(|h| h.title).collect()
}

/// Sends `request` through the router of `state` without a socket: status, headers and body text.
pub async fn send(state: Arc<AppState>, request: Request<Body>) -> (StatusCode, HeaderMap, String) {
    let response = app(state).oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    (parts.status, parts.headers, String::from_utf8_lossy(&bytes).into_owned())
}

/// `GET uri` on `state`: status and body as JSON (a body that is not JSON, such as a calendar, as a
/// JSON string).
pub async fn get_json(state: Arc<AppState>, uri: &str) -> (StatusCode, Value) {
    let (status, _, body) = send(state, Request::get(uri).body(Body::empty()).unwrap()).await;
    (status, serde_json::from_str(&body).unwrap_or(Value::String(body)))
}
