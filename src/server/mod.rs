//! The HTTP service: shared state, the router, and start-up with graceful shutdown.
//!
//! Handlers live in [`api`] and stay thin: validate with [`params`], call the [`Engine`] off the
//! async workers (searching is CPU-bound), serialize.

pub mod api;
pub mod error;
pub mod params;

use std::sync::Arc;
use std::time::Duration;

use axum::routing::get;
use axum::Router;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::config::{Limits, Settings};
use crate::search::Engine;

/// What every handler shares: the open index and the request limits.
pub struct AppState {
    pub engine: Engine,
    pub limits: Limits,
}

/// The application's routes over `state`; a plain function so tests can drive it without a socket.
pub fn app(state: Arc<AppState>) -> Router {
    let timeout = Duration::from_secs(state.limits.request_timeout_secs);
    Router::new()
        .route("/", get(api::home))
        .route("/api/search", get(api::search))
        .route("/api/talks/{id}", get(api::talk))
        .route("/api/speakers", get(api::speakers))
        .route("/api/companies", get(api::companies))
        .route("/healthz", get(api::healthz))
        .fallback(api::not_found)
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::SERVICE_UNAVAILABLE, timeout))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Listens on `settings.addr` until SIGTERM or Ctrl-C, then finishes in-flight requests.
pub async fn serve(engine: Engine, settings: Settings) -> anyhow::Result<()> {
    let talks = engine.num_talks();
    let state = Arc::new(AppState { engine, limits: settings.limits });
    let listener = tokio::net::TcpListener::bind(settings.addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.addr))?;
    tracing::info!(addr = %listener.local_addr()?, talks, "talksearch is listening; try /api/search?q=服务网格");
    axum::serve(listener, app(state)).with_graceful_shutdown(shutdown_signal()).await?;
    tracing::info!("shut down");
    Ok(())
}

async fn shutdown_signal() {
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
