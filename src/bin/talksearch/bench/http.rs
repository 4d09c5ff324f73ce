//! `--mode http`: the query mix, then `/healthz` as the floor, sent to a running `talksearch serve` on loopback.
//!
//! `--concurrency` tasks each send one request after another through hyper's pooled client, which
//! keeps that many HTTP/1.1 connections alive. The client shares the machine with the server, so it
//! is kept lean: no HTTP/2, no redirects, no decompression, a `Uri` parsed once per query.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::header::{HeaderValue, ACCEPT, HOST, USER_AGENT};
use hyper::{Request, StatusCode, Uri};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use indicatif::ProgressBar;

use super::queries::{classes, BenchQuery};
use super::report::progress_bar;
use super::stats::{BenchMode, Bound, Machine, Options, Outcome, Report, Samples};

/// A request slower than this counts as an error (and its connection is dropped).
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

/// A loopback HTTP target: where to connect, what to send as `Host`, and the base path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub addr: SocketAddr,
    pub host: String,
    pub base_path: String,
}

impl Target {
    /// The absolute URI of `path` (which starts with `/`) on this target. It names the address, not
    /// the host, so nothing is resolved again after [`loopback_target`] checked it.
    pub fn uri(&self, path: &str) -> Result<Uri, String> {
        let text = format!("http://{}{}{path}", self.addr, self.base_path);
        text.parse().map_err(|e| format!("{text:?} is not a valid URI: {e}"))
    }
}

/// Parses `http://host[:port][/path]`, refusing anything but loopback hosts (127.0.0.0/8,
/// `localhost`, `[::1]`): the bench sends thousands of requests a second and must not be pointed at
/// someone else's server.
pub fn loopback_target(url: &str) -> Result<Target, String> {
    let rest = url.strip_prefix("http://").ok_or_else(|| format!("{url:?}: only http:// URLs are supported"))?;
    let (authority, path) = rest.split_at(rest.find(['/', '?', '#']).unwrap_or(rest.len()));
    if path.contains(['?', '#']) {
        return Err(format!("{url:?}: give the server's base URL, without a query or fragment"));
    }
    if authority.contains('@') {
        return Err(format!("{url:?}: user names in the URL are not supported"));
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => {
            let end = v6.find(']').ok_or_else(|| format!("{url:?}: unclosed `[` in the host"))?;
            (&v6[..end], v6[end + 1..].strip_prefix(':'))
        }
        None => match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        },
    };
    let port: u16 = match port {
        Some(p) => p.parse().map_err(|_| format!("{url:?}: bad port {p:?}"))?,
        None => 80,
    };
    let ip: IpAddr = if host.eq_ignore_ascii_case("localhost") {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        host.parse().map_err(|_| format!("{url:?}: the host must be 127.0.0.0/8, localhost or [::1], not {host:?}"))?
    };
    if !ip.is_loopback() {
        return Err(format!("{url:?}: refusing to benchmark a non-loopback host ({ip}); only 127.0.0.0/8, localhost and [::1] are allowed"));
    }
    Ok(Target {
        addr: SocketAddr::new(ip, port),
        host: authority.to_string(),
        base_path: path.trim_end_matches('/').to_string(),
    })
}

/// The bench's HTTP client: hyper's pooled client, HTTP/1.1 only, and the `Host` to send.
#[derive(Clone)]
struct Http {
    client: Client<HttpConnector, Empty<Bytes>>,
    host: HeaderValue,
}

impl Http {
    /// A client that keeps up to `connections` idle keep-alive connections to `target`.
    fn new(target: &Target, connections: usize) -> Result<Http, String> {
        let mut connector = HttpConnector::new();
        // Requests are small and answered at once: don't let Nagle hold them back.
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(HTTP_TIMEOUT));
        let client = Client::builder(TokioExecutor::new()).pool_max_idle_per_host(connections).build(connector);
        let host = HeaderValue::from_str(&target.host).map_err(|_| format!("bad host {:?}", target.host))?;
        Ok(Http { client, host })
    }

    /// `GET uri` and its whole body. An error or a timeout drops the connection; the next request
    /// takes another one from the pool or opens a new one.
    async fn get(&self, uri: &Uri) -> Result<(StatusCode, Bytes), String> {
        let mut request = Request::new(Empty::new());
        *request.uri_mut() = uri.clone();
        let headers = request.headers_mut();
        headers.insert(HOST, self.host.clone());
        headers.insert(USER_AGENT, HeaderValue::from_static("talksearch-bench"));
        headers.insert(ACCEPT, HeaderValue::from_static("*/*"));
        let exchange = async {
            let response = self.client.request(request).await.map_err(|e| error_chain(&e))?;
            let status = response.status();
            let body =
                response.into_body().collect().await.map_err(|e| format!("reading the body: {}", error_chain(&e)))?;
            Ok((status, body.to_bytes()))
        };
        tokio::time::timeout(HTTP_TIMEOUT, exchange)
            .await
            .unwrap_or_else(|_| Err(format!("no answer within {} s", HTTP_TIMEOUT.as_secs())))
    }
}

/// An error and its causes, `: `-separated (hyper's own message alone is just "client error (Connect)").
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Whether a successful search response body says `"total":0`. The first `"total":` is the field:
/// the query text before it is a JSON string, where a quote is always escaped.
fn body_total_is_zero(body: &[u8]) -> bool {
    let key = b"\"total\":";
    body.windows(key.len())
        .position(|w| w == key)
        .is_some_and(|at| body[at + key.len()..].iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'0'))
}

/// Non-2xx answers and transport errors are errors; with `check_total`, a zero total is "empty".
fn http_outcome(result: Result<(StatusCode, Bytes), String>, check_total: bool) -> Outcome {
    let (status, body) = result?;
    if !status.is_success() {
        let body = String::from_utf8_lossy(&body);
        return Err(format!("HTTP {}: {}", status.as_u16(), body.chars().take(200).collect::<String>()));
    }
    Ok(check_total && body_total_is_zero(&body))
}

/// Sends `requests[k % len]` for k = 0, 1, … from `concurrency` tasks, each waiting for its answer
/// before sending the next, until `bound`; each latency is filed under the request's class.
async fn run_connections(
    http: &Http,
    concurrency: usize,
    classes: usize,
    bound: Bound,
    bar: &ProgressBar,
    requests: Arc<Vec<(usize, Uri)>>,
    check_total: bool,
) -> Samples {
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let collected = Arc::new(Mutex::new(Samples::new(classes)));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency.max(1) {
        let (next, requests, collected, bar, http) =
            (Arc::clone(&next), Arc::clone(&requests), Arc::clone(&collected), bar.clone(), http.clone());
        tasks.spawn(async move {
            let mut mine = Samples::new(classes);
            loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                if !bound.allows(k, started) {
                    break;
                }
                let (class, uri) = &requests[(k % requests.len() as u64) as usize];
                let t = Instant::now();
                let result = http.get(uri).await;
                let nanos = t.elapsed().as_nanos() as u64;
                mine.record(*class, nanos, http_outcome(result, check_total));
                bar.inc(1);
            }
            collected.lock().expect("no thread panics holding the samples").merge(mine);
        });
    }
    while tasks.join_next().await.is_some() {}
    let mut samples =
        std::mem::replace(&mut *collected.lock().expect("no thread panics holding the samples"), Samples::new(classes));
    samples.seconds = started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    samples
}

/// Benchmarks a running server at `url` (loopback only): `GET /api/search?…` for the query mix and
/// then `GET /healthz` as the floor, on `opts.concurrency` connections.
pub fn run_http(url: &str, queries: &[BenchQuery], opts: &Options) -> anyhow::Result<Report> {
    let target = loopback_target(url).map_err(anyhow::Error::msg)?;
    let (names, class_index) = classes(queries);
    let search_uris = queries
        .iter()
        .zip(&class_index)
        .map(|(q, &c)| {
            let uri = target.uri(&format!("/api/search?{}", q.query_string()));
            Ok((c, uri.map_err(|e| anyhow!("query line {}: {e}", q.line))?))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let health = target.uri("/healthz").map_err(anyhow::Error::msg)?;
    let (search_uris, floor_uris) = (Arc::new(search_uris), Arc::new(vec![(0, health.clone())]));
    let floor_names = vec!["healthz".to_string()];
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(opts.threads.max(1))
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let c = opts.concurrency;
        let http = Http::new(&target, c).map_err(|e| anyhow!("{url}: {e}"))?;
        // Fail early, with the reason, when nothing answers.
        let (status, body) =
            http.get(&health).await.map_err(|e| anyhow!("{url}: the server does not answer /healthz: {e}"))?;
        if status != StatusCode::OK {
            bail!("{url}: /healthz answered HTTP {}", status.as_u16());
        }
        let talks = serde_json::from_slice::<serde_json::Value>(&body).ok().and_then(|v| v.get("talks")?.as_u64());
        let bound = Bound::measured(opts);
        let hidden = ProgressBar::hidden();
        run_connections(&http, c, names.len(), Bound::warmup(opts), &hidden, Arc::clone(&search_uris), true).await;
        let (mut search, mut floor, mut per_round) = (Samples::new(names.len()), Samples::new(1), Vec::new());
        for round in 0..opts.rounds.max(1) {
            let bound = bound.round(round, opts.rounds);
            let bar = progress_bar(opts.progress, bound, "search");
            let searched = run_connections(&http, c, names.len(), bound, &bar, Arc::clone(&search_uris), true).await;
            if round == 0 {
                run_connections(&http, c, 1, Bound::warmup(opts), &hidden, Arc::clone(&floor_uris), false).await;
            }
            let bar = progress_bar(opts.progress, bound, "healthz");
            let floored = run_connections(&http, c, 1, bound, &bar, Arc::clone(&floor_uris), false).await;
            per_round.push(searched.qps() / floored.qps().max(f64::MIN_POSITIVE));
            search.merge(searched);
            floor.merge(floored);
        }
        let mut machine = Machine::here();
        machine.talks = talks;
        let search = search.into_phase("search", &names);
        let floor = floor.into_phase("GET /healthz", &floor_names);
        let report = Report::new(BenchMode::Http, url.to_string(), opts, queries.len(), machine, search, floor);
        Ok(report.with_rounds(per_round))
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use axum::extract::{ConnectInfo, Path, State};
    use axum::routing::get;
    use axum::Router;
    use talksearch::config::Limits;
    use talksearch::server::{app, AppState};
    use talksearch::{indexer, ingest, Engine};

    use super::*;
    use crate::bench::{parse_queries, DEFAULT_QUERIES};

    #[test]
    fn only_loopback_targets_are_accepted() {
        let t = loopback_target("http://127.0.0.1:18080").unwrap();
        assert_eq!(
            (t.addr, t.host.as_str(), t.base_path.as_str()),
            ("127.0.0.1:18080".parse().unwrap(), "127.0.0.1:18080", "")
        );
        assert_eq!(loopback_target("http://localhost/").unwrap().addr, "127.0.0.1:80".parse().unwrap());
        assert_eq!(loopback_target("http://127.3.2.1:9/base/").unwrap().base_path, "/base");
        assert_eq!(loopback_target("http://[::1]:8080").unwrap().addr, "[::1]:8080".parse().unwrap());
        for bad in [
            "http://10.0.0.1:8080",
            "http://example.com",
            "http://127.0.0.1.example.com/",
            "http://127.0.0.1@example.com/",
            "http://[::2]:80",
            "http://0.0.0.0:8080",
            "https://127.0.0.1",
            "127.0.0.1:8080",
            "http://127.0.0.1:http",
            "http://127.0.0.1:8080/?q=x",
        ] {
            assert!(loopback_target(bad).is_err(), "{bad} was accepted");
        }
        let localhost = loopback_target("http://localhost:8080/base/").unwrap();
        assert_eq!(localhost.uri("/healthz").unwrap(), "http://127.0.0.1:8080/base/healthz");
    }

    #[test]
    fn zero_totals_are_found_after_the_query() {
        assert!(body_total_is_zero(br#"{"query":"\"total\":5","total":0,"hits":[]}"#));
        assert!(!body_total_is_zero(br#"{"query":"\"total\":0","total":12,"hits":[]}"#));
        assert!(!body_total_is_zero(br#"{"status":"ok"}"#));
    }

    /// What the test server saw: each client address and each `Host`.
    #[derive(Default)]
    struct Seen {
        peers: HashSet<SocketAddr>,
        hosts: HashSet<String>,
    }

    /// Answers `/base/{what}` as the bench's outcomes need, and notes what it saw.
    async fn answer(
        State(seen): State<Arc<Mutex<Seen>>>,
        ConnectInfo(peer): ConnectInfo<SocketAddr>,
        headers: axum::http::HeaderMap,
        Path(what): Path<String>,
    ) -> (axum::http::StatusCode, String) {
        let host = headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or_default().to_string();
        let mut seen = seen.lock().unwrap();
        seen.peers.insert(peer);
        seen.hosts.insert(host);
        match what.as_str() {
            "zero" => (axum::http::StatusCode::OK, r#"{"query":"\"total\":5","total":0}"#.into()),
            "some" => (axum::http::StatusCode::OK, r#"{"total": 12}"#.into()),
            _ => (axum::http::StatusCode::SERVICE_UNAVAILABLE, "overloaded".into()),
        }
    }

    #[test]
    fn answers_count_as_ok_empty_or_errors_on_a_real_loopback_server() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let seen = Arc::new(Mutex::new(Seen::default()));
        let app = Router::new().route("/base/{what}", get(answer)).with_state(Arc::clone(&seen));
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
        let addr = listener.local_addr().unwrap();
        runtime
            .spawn(async move { axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await });
        let target = loopback_target(&format!("http://localhost:{}/base/", addr.port())).unwrap();
        let requests: Vec<(usize, Uri)> =
            ["/zero", "/some", "/fail"].iter().enumerate().map(|(c, p)| (c, target.uri(p).unwrap())).collect();
        let http = Http::new(&target, 3).unwrap();
        let bound = Bound { requests: Some(300), duration: None };
        let samples =
            runtime.block_on(run_connections(&http, 3, 3, bound, &ProgressBar::hidden(), Arc::new(requests), true));
        let phase = samples.into_phase("t", &["zero".into(), "some".into(), "fail".into()]);
        let got: Vec<(&str, u64, u64, u64)> =
            phase.classes.iter().map(|c| (c.class.as_str(), c.stats.ok, c.stats.errors, c.stats.empty)).collect();
        assert_eq!(got, [("zero", 100, 0, 100), ("some", 100, 0, 0), ("fail", 0, 100, 0)]);
        assert_eq!(phase.first_error.as_deref(), Some("HTTP 503: overloaded"));
        let Seen { peers, hosts } = std::mem::take(&mut *seen.lock().unwrap());
        assert_eq!(hosts, HashSet::from([format!("localhost:{}", addr.port())]), "Host is the URL's");
        // Three in practice; hyper's pool may open a spare when a connection comes back to it just
        // after the next request asked for one, so allow some.
        assert!(peers.len() <= 6, "300 requests on 3 keep-alive connections opened {} connections", peers.len());

        // A port nobody listens on is a transport error, with its cause.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        let target = loopback_target(&format!("http://{closed}")).unwrap();
        let err = runtime.block_on(Http::new(&target, 1).unwrap().get(&target.uri("/healthz").unwrap())).unwrap_err();
        assert!(err.contains("onnect"), "{err}");
    }

    /// The app over an index of the seed page (in a temporary folder, returned to keep it) on a
    /// loopback port, served until the returned runtime is dropped.
    fn serve_seed() -> (tokio::runtime::Runtime, SocketAddr, tempfile::TempDir) {
        let seed_page = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/pages/jimmysong-service-mesh-summit-2022.md");
        let ingested = ingest::read_paths(&[seed_page], |_, _| {}).expect("the seed page exists");
        assert!(ingested.failed.is_empty(), "the seed page failed to parse: {:?}", ingested.failed);
        let dir = tempfile::tempdir().expect("a temporary folder");
        indexer::build(dir.path(), &ingested.talks, &ProgressBar::hidden()).expect("the index builds");
        let state = Arc::new(AppState::new(Engine::open(dir.path()).expect("the index opens"), Limits::default()));
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
        let addr = listener.local_addr().unwrap();
        runtime.spawn(async move { axum::serve(listener, app(state)).await });
        (runtime, addr, dir)
    }

    #[test]
    fn http_bench_counts_every_request_against_a_real_server() {
        let (_runtime, addr, _index) = serve_seed();
        let queries = parse_queries(DEFAULT_QUERIES).unwrap();
        let opts = Options { concurrency: 4, warmup: 10, requests: Some(100), ..Options::default() };
        let report = run_http(&format!("http://{addr}"), &queries, &opts).unwrap();
        assert_eq!(report.search.overall.ok, 100);
        assert_eq!(report.search.overall.errors, 0);
        assert_eq!(report.floor.overall.ok, 100, "the floor is /healthz");
        assert!(report.search.overall.p50_ms > 0.0 && report.ratios.qps > 0.0);
        assert_eq!(report.search.overall.sorted_nanos.len(), 100, "raw samples are kept for --plot");
        let per_class: usize = report.search.classes.iter().map(|c| c.stats.sorted_nanos.len()).sum();
        assert_eq!(per_class, 100);
        assert!(report.search.classes.iter().all(|c| c.stats.sorted_nanos.is_sorted()));
        assert!(run_http("http://10.0.0.1:80", &queries, &opts).is_err(), "only loopback targets");
        assert!(report.ratios.qps_per_round.is_empty(), "one round: no ratios per round");
        // In rounds: the same requests in all, and a throughput ratio for each round.
        let report = run_http(&format!("http://{addr}"), &queries, &Options { rounds: 3, ..opts }).unwrap();
        assert_eq!((report.search.overall.ok, report.floor.overall.ok), (100, 100));
        assert_eq!(report.ratios.qps_per_round.len(), 3);
        assert!(report.ratios.qps_per_round.iter().all(|&q| q > 0.0));
        assert!(report.search.seconds > 0.0 && report.floor.seconds > 0.0);
    }
}
