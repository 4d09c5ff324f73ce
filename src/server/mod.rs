//! The HTTP service: shared state, the router, and start-up with graceful shutdown.
//!
//! Handlers live in [`api`] and stay thin: validate with [`params`], call the [`Engine`] (a search,
//! bounded work, on the async worker; other look-ups off it), serialize. Connections and their
//! bounds are [`conn`]'s.

pub mod api;
pub mod conn;
pub mod error;
pub mod feeds;
pub mod metrics;
pub mod openapi;
pub mod params;

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::{middleware, Router};
use tokio::sync::Semaphore;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::trace::TraceLayer;

use crate::config::{Limits, Settings};
use crate::search::Engine;

/// What every handler shares: the open index, the limits, the metrics.
pub struct AppState {
    pub engine: Engine,
    pub limits: Limits,
    pub metrics: metrics::Metrics,
    /// Permits for requests in flight; when none is left, requests are shed with `503`.
    pub in_flight: Semaphore,
    /// Origins allowed to call the API from a browser (CORS); none by default.
    pub cors_origins: Vec<HeaderValue>,
}

impl AppState {
    pub fn new(engine: Engine, limits: Limits) -> AppState {
        AppState {
            engine,
            in_flight: Semaphore::new(limits.max_in_flight),
            limits,
            metrics: metrics::Metrics::new(),
            cors_origins: Vec::new(),
        }
    }
}

/// The application's routes over `state`; a plain function so tests can drive it without a socket.
pub fn app(state: Arc<AppState>) -> Router {
    let cors = (!state.cors_origins.is_empty()).then(|| {
        CorsLayer::new().allow_origin(AllowOrigin::list(state.cors_origins.clone())).allow_methods([Method::GET])
    });
    let router = Router::new()
        .route("/", get(api::home))
        .route("/assets/app.js", get(api::app_js))
        .route("/assets/app.css", get(api::app_css))
        .route("/api/search", get(api::search))
        .route("/api/search.ics", get(api::search_ics))
        .route("/api/search.atom", get(api::search_atom))
        .route("/api/talks/{id}", get(api::talk))
        .route("/api/talks/{id}/similar", get(api::similar))
        .route("/api/speakers", get(api::speakers))
        .route("/api/speakers/{id}", get(api::speaker))
        .route("/api/companies", get(api::companies))
        .route("/api/companies/{id}", get(api::company))
        .route("/api/analyze", get(api::analyze))
        .route("/healthz", get(api::healthz))
        .route("/readyz", get(api::readyz))
        .route("/api/openapi.json", get(api::openapi))
        .route("/metrics", get(api::metrics))
        .fallback(api::not_found)
        .layer(middleware::from_fn_with_state(state.clone(), metrics::bound_and_record))
        .layer(TraceLayer::new_for_http());
    let router = match cors {
        Some(cors) => router.layer(cors),
        None => router,
    };
    router.layer(middleware::map_response(finish)).with_state(state)
}

/// Headers on every response, the server's own error responses included: no MIME sniffing, and
/// no referrer sent from the page to other sites.
pub(crate) const SECURITY_HEADERS: [(&str, &str); 2] =
    [("x-content-type-options", "nosniff"), ("referrer-policy", "no-referrer")];

/// Largest error body read to reuse as the JSON message (axum's rejections are a line).
const ERROR_TEXT_MAX: usize = 4096;

/// The last step of every response: the security headers, and errors in the API's one form,
/// `{"error": "…"}`. Handlers already answer so; this catches what axum answers itself (`405`
/// with an empty body, rejections in plain text).
async fn finish(response: Response) -> Response {
    let is_json =
        response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    let mut response =
        if response.status().as_u16() >= 400 && !is_json { json_error(response).await } else { response };
    for (name, value) in SECURITY_HEADERS {
        response.headers_mut().insert(name, HeaderValue::from_static(value));
    }
    response
}

/// `response` with its plain-text or empty body turned into `{"error": "…"}`; other headers (such
/// as `Allow` on a `405`) kept.
async fn json_error(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, ERROR_TEXT_MAX).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text).trim().to_string();
    let message = match parts.status {
        StatusCode::METHOD_NOT_ALLOWED => "method not allowed: this API answers GET (and HEAD) only".to_string(),
        _ if !text.is_empty() => text,
        status => status.canonical_reason().map_or_else(|| format!("error {}", status.as_u16()), str::to_lowercase),
    };
    let body = serde_json::json!({ "error": message }).to_string();
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

/// Listens on `settings.addr` until SIGTERM or Ctrl-C, then finishes in-flight requests.
pub async fn serve(engine: Engine, settings: Settings) -> anyhow::Result<()> {
    let talks = engine.num_talks();
    let mut limits = settings.limits;
    limits.max_connections = fit_connections(limits.max_connections, raise_fd_limit());
    let mut state = AppState::new(engine, limits);
    state.cors_origins = settings.cors_origins.clone();
    let state = Arc::new(state);
    tokio::spawn(watch_generations(state.clone()));
    let listener = tokio::net::TcpListener::bind(settings.addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.addr))?;
    tracing::info!(
        addr = %listener.local_addr()?,
        talks,
        max_connections = limits.max_connections,
        header_timeout_secs = limits.header_timeout_secs,
        keep_alive_secs = limits.keep_alive_secs,
        "talksearch is listening; try /api/search?q=服务网格"
    );
    conn::serve_on(listener, state, shutdown_signal()).await?;
    tracing::info!("shut down");
    Ok(())
}

/// File descriptors kept for everything but client connections: index files, logs, the listener.
const FD_RESERVE: u64 = 256;
/// Below this many file descriptors a server is easily starved: warn.
const FD_LOW: u64 = 4096;

/// Raises the soft limit on open files to the hard limit (many systems start processes at 1024
/// with a far higher hard limit) and returns the soft limit in force; `None` if it cannot be read.
pub fn raise_fd_limit() -> Option<u64> {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit writes into the struct we own.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        tracing::warn!(error = %std::io::Error::last_os_error(), "cannot read the open-file limit");
        return None;
    }
    if limit.rlim_cur < limit.rlim_max {
        // An unlimited hard limit is not a valid soft one on Linux (above fs.nr_open): take its default.
        let wanted = if limit.rlim_max == libc::RLIM_INFINITY { 1 << 20 } else { limit.rlim_max };
        let raised = libc::rlimit { rlim_cur: wanted.max(limit.rlim_cur), rlim_max: limit.rlim_max };
        // SAFETY: setrlimit reads the struct we own.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            limit.rlim_cur = raised.rlim_cur;
        } else {
            tracing::warn!(error = %std::io::Error::last_os_error(), soft = limit.rlim_cur, hard = limit.rlim_max, "cannot raise the open-file limit");
        }
    }
    let soft: u64 = limit.rlim_cur;
    if soft < FD_LOW {
        tracing::warn!(limit = soft, "the open-file limit is low; raise it (ulimit -n) to serve many clients at once");
    }
    Some(soft)
}

/// The connection cap that fits in `fd_limit` open files with room to spare.
fn fit_connections(max_connections: usize, fd_limit: Option<u64>) -> usize {
    let Some(fd_limit) = fd_limit else { return max_connections };
    let room = usize::try_from(fd_limit.saturating_sub(FD_RESERVE)).unwrap_or(usize::MAX).max(1);
    if max_connections > room {
        tracing::warn!(
            max_connections,
            fd_limit,
            lowered_to = room,
            "the connection cap does not fit the open-file limit; lowering it"
        );
        return room;
    }
    max_connections
}

/// How often the server looks for a new index generation.
const RELOAD_EVERY: Duration = Duration::from_millis(500);

/// Switches to a new index generation when `talksearch index` makes one current, so re-indexing
/// needs no restart. Requests in flight finish on the generation they started with.
async fn watch_generations(state: Arc<AppState>) {
    let mut tick = tokio::time::interval(RELOAD_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tick.tick().await;
        let engine_state = state.clone();
        match tokio::task::spawn_blocking(move || engine_state.engine.reload_if_changed()).await {
            Ok(Ok(true)) => {
                let status = state.engine.status();
                tracing::info!(generation = %status.generation, talks = status.talks, "serving a new index generation");
            }
            Ok(Ok(false)) => {}
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "a new index generation could not be opened; still serving the old one")
            }
            Err(e) => tracing::warn!(error = %e, "the reload task failed"),
        }
    }
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fd_limit_is_raised_to_the_hard_limit() {
        let soft = raise_fd_limit().expect("the limit can be read");
        let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        // SAFETY: getrlimit writes into the struct we own.
        assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) }, 0);
        assert_eq!(limit.rlim_cur, soft);
        if limit.rlim_max != libc::RLIM_INFINITY {
            assert_eq!(limit.rlim_cur, limit.rlim_max);
        }
    }

    #[test]
    fn the_connection_cap_fits_the_fd_limit() {
        assert_eq!(fit_connections(4096, Some(20_000)), 4096);
        assert_eq!(fit_connections(4096, Some(1024)), 768);
        assert_eq!(fit_connections(4096, Some(10)), 1);
        assert_eq!(fit_connections(4096, None), 4096);
    }
}
