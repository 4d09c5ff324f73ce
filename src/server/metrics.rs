//! Request metrics and logs: one middleware records every request (Prometheus counters and latency
//! histograms by route and status) and writes one log line for it; `/metrics` renders the registry.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus::{
    Encoder, Gauge, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};

use super::error::ApiError;
use super::AppState;

/// The service's metrics, registered in their own registry.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    talks: IntGauge,
    generation: IntGauge,
    loaded_at: Gauge,
    connections: IntGauge,
    refused: IntCounter,
}

/// Latency buckets in seconds: fine-grained below 10 ms, where searches should be.
const BUCKETS: &[f64] = &[0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

impl Metrics {
    pub fn new() -> Metrics {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("talksearch_http_requests_total", "HTTP requests by route and status"),
            &["route", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new("talksearch_http_request_duration_seconds", "HTTP request latency by route and status")
                .buckets(BUCKETS.to_vec()),
            &["route", "status"],
        )
        .expect("valid metric");
        let talks = IntGauge::new("talksearch_talks_indexed", "Talks in the index being served").expect("valid metric");
        let generation = IntGauge::new("talksearch_index_generation", "Number of the index generation being served")
            .expect("valid metric");
        let loaded_at = Gauge::new(
            "talksearch_index_loaded_timestamp_seconds",
            "Unix time when the index generation being served was loaded",
        )
        .expect("valid metric");
        for m in [Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>, Box::new(latency.clone())] {
            registry.register(m).expect("metric names are unique");
        }
        for m in [Box::new(talks.clone()) as Box<dyn prometheus::core::Collector>, Box::new(generation.clone())] {
            registry.register(m).expect("metric names are unique");
        }
        registry.register(Box::new(loaded_at.clone())).expect("metric names are unique");
        let connections =
            IntGauge::new("talksearch_connections_open", "Client connections open").expect("valid metric");
        let refused = IntCounter::new(
            "talksearch_connections_refused_total",
            "Connections closed at once because --max-connections were open",
        )
        .expect("valid metric");
        registry.register(Box::new(connections.clone())).expect("metric names are unique");
        registry.register(Box::new(refused.clone())).expect("metric names are unique");
        Metrics { registry, requests, latency, talks, generation, loaded_at, connections, refused }
    }

    /// Counts a connection as open until the returned guard is dropped.
    pub fn connection_opened(&self) -> OpenConnection {
        self.connections.inc();
        OpenConnection(self.connections.clone())
    }

    /// Counts a connection closed at once for being over the cap.
    pub fn connection_refused(&self) {
        self.refused.inc();
    }

    fn observe(&self, route: &str, status: u16, seconds: f64) {
        let status = status.to_string();
        self.requests.with_label_values(&[route, &status]).inc();
        self.latency.with_label_values(&[route, &status]).observe(seconds);
    }

    /// The registry in Prometheus text format, with the index gauges refreshed from `state`.
    pub fn render(&self, state: &AppState) -> String {
        let status = state.engine.status();
        self.talks.set(status.talks as i64);
        let number = status.generation.strip_prefix("gen-").and_then(|n| n.parse::<i64>().ok()).unwrap_or(0);
        self.generation.set(number);
        self.loaded_at.set(status.loaded_at);
        let mut out = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut out).expect("text encoding cannot fail");
        String::from_utf8(out).expect("the text format is UTF-8")
    }
}

/// An open connection, counted until dropped.
pub struct OpenConnection(IntGauge);

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.0.dec();
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// Routes that are never shed or timed out: operators must see the service even when it is busy.
const OPERATIONS: &[&str] = &["/healthz", "/readyz", "/metrics"];

/// Middleware around every request:
/// - sheds load: beyond `max_in_flight` concurrent requests, answers `503` with `Retry-After`
///   at once instead of queueing without end;
/// - bounds time: a request still running after the timeout is answered `503`;
/// - records it by matched route (not raw path, so ids and queries do not explode the label set)
///   and status, and logs one line.
pub async fn bound_and_record(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let matched = request.extensions().get::<MatchedPath>().cloned();
    let route = matched.as_ref().map_or("unmatched", MatchedPath::as_str);
    let method = request.method().clone();
    let operations = OPERATIONS.contains(&route);
    let response = if operations {
        next.run(request).await
    } else {
        match state.in_flight.try_acquire() {
            Err(_) => unavailable("the server is busy; retry shortly".to_string()),
            Ok(_permit) => {
                let limit = Duration::from_secs(state.limits.request_timeout_secs);
                match tokio::time::timeout(limit, next.run(request)).await {
                    Ok(response) => response,
                    Err(_) => unavailable(format!("the request took longer than {} s", limit.as_secs())),
                }
            }
        }
    };
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    state.metrics.observe(route, status, elapsed.as_secs_f64());
    let latency_ms = (elapsed.as_secs_f64() * 1e6).round() / 1e3;
    if operations && status < 400 {
        // Probes arrive every few seconds from every load balancer: counted, logged only on demand.
        tracing::debug!(%method, %route, status, latency_ms, "request");
    } else {
        tracing::info!(%method, %route, status, latency_ms, "request");
    }
    response
}

/// A `503` asking the client to retry in a second.
fn unavailable(message: String) -> Response {
    ApiError::Unavailable { message, retry_after_secs: 1 }.into_response()
}
