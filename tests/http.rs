//! The HTTP contract: routes, JSON shapes, and a precise 4xx for each kind of bad input; and the
//! real server's bounds on connections.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use tokio::net::TcpStream;

use talksearch::config::Limits;
use talksearch::server::{conn, AppState};
use talksearch::Engine;

use crate::util::seed;

/// `GET uri` on the seed index, without a socket: status and JSON body.
async fn get(uri: &str) -> (StatusCode, Value) {
    crate::util::get_json(seed(), uri).await
}

#[tokio::test]
async fn search_answers_the_contract() {
    let (status, body) = get("/api/search?q=%E5%AD%97%E8%8A%82%E8%B7%B3%E5%8A%A8&limit=5").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["query"], "字节跳动");
    assert_eq!(body["total"], 1);
    assert!(body["took_ms"].is_f64());
    let hit = &body["hits"][0];
    assert_eq!(hit["title"], "字节跳动 Service Mesh 性能优化的实践与思考");
    assert_eq!(hit["time"], "16:00 - 16:45");
    assert_eq!(hit["event"]["title"], "Service Mesh Summit 服务网格峰会 2022");
    assert_eq!(hit["event"]["date"], "2022-02-22");
    assert_eq!(hit["speakers"][0]["name"], "徐佳玮");
    assert!(hit["speakers"][0].as_object().unwrap().contains_key("company"));
    assert!(hit["score"].as_f64().unwrap() > 0.0);
    assert!(hit["abstract"].as_str().unwrap().starts_with("字节跳动 Service Mesh 落地的现状"));
    assert_eq!(hit["highlights"]["title"], "<mark>字节跳动</mark> Service Mesh 性能优化的实践与思考");
    assert_eq!(hit["id"].as_str().unwrap().len(), 16);
}

#[tokio::test]
async fn talk_by_id_and_unknown_id() {
    let (_, body) = get("/api/search?q=APISIX").await;
    let id = body["hits"][0]["id"].as_str().unwrap().to_string();
    let (status, talk) = get(&format!("/api/talks/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(talk["title"], "Apache APISIX 借助 Service Mesh 实现统一技术栈的全流量管理");
    assert_eq!(talk["outline"].as_array().unwrap().len(), 4);
    assert_eq!(talk["takeaways"].as_array().unwrap().len(), 3);
    assert!(talk["speakers"][0]["bio"].as_str().unwrap().starts_with("张晋涛，API7.ai 云原生技术专家"));
    let (status, body) = get("/api/talks/0000000000000000").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, serde_json::json!({"error": "no talk with id \"0000000000000000\""}));
}

#[tokio::test]
async fn healthz_counts_talks() {
    let (status, body) = get("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, serde_json::json!({"status": "ok", "talks": 9}));
}

#[tokio::test]
async fn bad_input_gets_a_clear_400() {
    let long = "a".repeat(501);
    let cases = [
        ("/api/search?year=1899", "\"1899\" is not a year (expected e.g. 2022 or 2020..2022)"),
        ("/api/search?year=%202022", "\" 2022\" is not a year (expected e.g. 2022 or 2020..2022)"),
        ("/api/search?q=istio&limit=0", "limit must be between 1 and 100"),
        ("/api/search?q=istio&limit=101", "limit must be between 1 and 100"),
        ("/api/search?q=istio&offset=ten", "offset must be a whole number between 0 and 10000, not \"ten\""),
        (
            "/api/search?q=istio&sort=date",
            "unknown parameter \"sort\"; known parameters: q, limit, offset, company, event, year, lang",
        ),
        ("/api/search?q=%E6%9C", "parameter q is not valid UTF-8"),
        ("/api/search?q=100%", "parameter q has a bad percent-encoding (a % not followed by two hex digits)"),
    ];
    for (uri, message) in cases {
        let (status, body) = get(uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(body, serde_json::json!({ "error": message }), "{uri}");
    }
    let (status, body) = get(&format!("/api/search?q={long}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "q is too long (501 characters; the limit is 500)");
}

#[tokio::test]
async fn nothing_asked_finds_nothing_and_says_so() {
    for uri in ["/api/search", "/api/search?q=", "/api/search?q=+&company=&event=&year=&lang="] {
        let (status, body) = get(uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert_eq!((body["total"].as_u64(), body["hits"].as_array().map(Vec::len)), (Some(0), Some(0)), "{uri}");
        assert_eq!(body["notice"], "nothing asked: give a query q or a filter (company, event, year, lang)", "{uri}");
    }
    // A filter alone is a search.
    let (status, body) = get("/api/search?year=2022").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["total"], 9);
    assert!(body["notice"].is_null());
    // A range backwards is the same range.
    let (_, backwards) = get("/api/search?year=2023..2021").await;
    assert_eq!(backwards["total"], 9);
}

#[tokio::test]
async fn odd_queries_are_answered_not_failed() {
    for q in ["%22Istio", "Istio%29", "%28%5B%7B", "%3A%3A", "-", "Istio%5E2", "%2A"] {
        let (status, _) = get(&format!("/api/search?q={q}")).await;
        assert_eq!(status, StatusCode::OK, "{q}");
    }
}

#[tokio::test]
async fn unknown_routes_are_json_404() {
    let (status, body) = get("/api/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body["error"].as_str().unwrap().starts_with("no such route"));
}

#[tokio::test]
async fn the_real_server_answers_on_loopback() {
    let server = Server::start(Limits::default()).await;
    let addr = server.addr;
    let client = reqwest::Client::new();
    let res = client.get(format!("http://{addr}/api/search?q=Istio&limit=2")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/json");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["total"], 3);
    assert_eq!(body["hits"].as_array().unwrap().len(), 2);
    let res = client.get(format!("http://{addr}/api/search?q=Istio&limit=abc")).send().await.unwrap();
    assert_eq!(res.status(), 400);
    let res = client.get(format!("http://{addr}/")).send().await.unwrap();
    assert!(res.text().await.unwrap().contains("<title>talksearch</title>"));
    server.stop().await;
}

#[tokio::test]
async fn analyze_shows_normalisation_and_segmentation() {
    let (status, body) = get("/api/analyze?text=%E6%9C%8D%E5%8B%99%E7%B6%B2%E6%A0%BC%20Istio").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["text"], "服務網格 Istio");
    assert_eq!(body["normalized"], "服务网格 Istio");
    let tokens = body["tokens"].as_array().unwrap();
    assert_eq!(
        tokens[0],
        serde_json::json!({"token": "服务网格", "position": 0, "start": 0, "end": 12, "part": false})
    );
    assert!(tokens.iter().any(|t| t["token"] == "网格" && t["part"] == true && t["position"] == 0));
    assert_eq!(tokens.last().unwrap()["token"], "istio");
    let (status, body) = get("/api/analyze").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "give the text to analyze as text=…");
}

/// A real server (`conn::serve_on`) on 127.0.0.1:0 over the seed index, with `limits`.
struct Server {
    addr: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    async fn start(limits: Limits) -> Server {
        let engine = Engine::open(seed().engine.dir()).unwrap();
        let state = Arc::new(AppState::new(engine, limits));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(conn::serve_on(listener, state, async move {
            let _ = stopped.await;
        }));
        Server { addr, stop, task }
    }

    /// Shuts the server down gracefully and waits for it (bounded).
    async fn stop(self) {
        let _ = self.stop.send(());
        tokio::time::timeout(Duration::from_secs(30), self.task).await.unwrap().unwrap().unwrap();
    }

    async fn connect(&self) -> TcpStream {
        TcpStream::connect(self.addr).await.unwrap()
    }
}

/// Raw HTTP/1.1 over a socket, for what clients like reqwest never do (stall, hold, overflow).
mod raw {
    use std::io;
    use std::time::Duration;

    use tokio::net::TcpStream;

    pub async fn send(stream: &TcpStream, bytes: &[u8]) -> io::Result<()> {
        let mut at = 0;
        while at < bytes.len() {
            stream.writable().await?;
            match stream.try_write(&bytes[at..]) {
                Ok(n) => at += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Reads once into `buf`; `Ok(0)` when the peer closed.
    async fn recv(stream: &TcpStream, buf: &mut Vec<u8>) -> io::Result<usize> {
        let mut chunk = [0u8; 16 * 1024];
        loop {
            stream.readable().await?;
            match stream.try_read(&mut chunk) {
                Ok(n) => {
                    buf.extend_from_slice(&chunk[..n]);
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// One response: status, head (lowercased), body.
    #[derive(Debug)]
    pub struct Response {
        pub status: u16,
        pub head: String,
        pub body: String,
    }

    /// Reads one whole response (head and `content-length` body); `None` when the connection is
    /// closed or reset first, or nothing whole comes within 10 s.
    pub async fn response(stream: &TcpStream) -> Option<Response> {
        let read = async {
            let mut buf = Vec::new();
            loop {
                if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
                    let length = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .map_or(0, |v| v.trim().parse::<usize>().unwrap());
                    if buf.len() >= end + 4 + length {
                        let status = head.get(9..12)?.parse().ok()?;
                        let body = String::from_utf8_lossy(&buf[end + 4..end + 4 + length]).into_owned();
                        return Some(Response { status, head, body });
                    }
                }
                if recv(stream, &mut buf).await.ok()? == 0 {
                    return None;
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(10), read).await.ok().flatten()
    }

    /// `GET path` on a kept-alive connection and its response.
    pub async fn get(stream: &TcpStream, path: &str) -> Option<Response> {
        send(stream, format!("GET {path} HTTP/1.1\r\nHost: test\r\n\r\n").as_bytes()).await.ok()?;
        response(stream).await
    }

    /// Whether the server closes `stream` within `limit` (reading and dropping anything it sends).
    pub async fn closed_within(stream: &TcpStream, limit: Duration) -> bool {
        let drain = async {
            let mut buf = Vec::new();
            while matches!(recv(stream, &mut buf).await, Ok(n) if n > 0) {
                buf.clear();
            }
        };
        tokio::time::timeout(limit, drain).await.is_ok()
    }
}

#[tokio::test]
async fn a_stalled_request_head_is_closed_within_the_header_timeout() {
    let server = Server::start(Limits { header_timeout_secs: 1, ..Limits::default() }).await;
    let started = Instant::now();
    let half = server.connect().await;
    raw::send(&half, b"GET /healthz HTTP/1.1\r\nHost: test\r\nX-Slow: ").await.unwrap();
    let silent = server.connect().await;
    assert!(raw::closed_within(&half, Duration::from_secs(6)).await, "a half-sent head is closed");
    assert!(raw::closed_within(&silent, Duration::from_secs(6)).await, "a connection that sends nothing is closed");
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(900), "closed after {took:?}, before the timeout");
    // A head sent in parts, each in time, is answered.
    let slow = server.connect().await;
    raw::send(&slow, b"GET /healthz HTTP/1.1\r\n").await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    raw::send(&slow, b"Host: test\r\n\r\n").await.unwrap();
    assert_eq!(raw::response(&slow).await.unwrap().status, 200);
    server.stop().await;
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_kept_for_the_keep_alive_timeout_then_closed() {
    let server = Server::start(Limits { header_timeout_secs: 1, keep_alive_secs: 4, ..Limits::default() }).await;
    let client = server.connect().await;
    assert_eq!(raw::get(&client, "/healthz").await.unwrap().status, 200);
    // Idle past the header timeout: still open, and still answers.
    assert!(!raw::closed_within(&client, Duration::from_millis(1800)).await, "closed at the header timeout");
    assert_eq!(raw::get(&client, "/healthz").await.unwrap().status, 200);
    let idle = Instant::now();
    assert!(raw::closed_within(&client, Duration::from_secs(15)).await, "an idle connection is closed");
    let took = idle.elapsed();
    assert!(took >= Duration::from_millis(3500), "closed after {took:?} idle, before the keep-alive timeout");
    server.stop().await;
}

#[tokio::test]
async fn connections_over_the_cap_are_closed_and_new_clients_get_in_when_others_leave() {
    let server = Server::start(Limits { max_connections: 8, ..Limits::default() }).await;
    let mut held = Vec::new();
    for _ in 0..8 {
        let client = server.connect().await;
        assert_eq!(raw::get(&client, "/healthz").await.unwrap().status, 200);
        held.push(client);
    }
    // Over the cap: accepted and closed at once, unanswered.
    for _ in 0..3 {
        let extra = server.connect().await;
        let started = Instant::now();
        assert!(raw::get(&extra, "/healthz").await.is_none(), "a connection over the cap was answered");
        assert!(raw::closed_within(&extra, Duration::from_secs(2)).await);
        assert!(started.elapsed() < Duration::from_secs(2), "closed after {:?}", started.elapsed());
    }
    // Those inside are still served.
    assert_eq!(raw::get(&held[0], "/api/search?q=Istio").await.unwrap().status, 200);
    // Two leave: a new client gets in (once the server has seen them go).
    held.truncate(6);
    let client = reqwest::Client::new();
    let mut healthy = false;
    for _ in 0..50 {
        if client.get(format!("http://{}/healthz", server.addr)).send().await.is_ok_and(|r| r.status() == 200) {
            healthy = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(healthy, "no room for a new client after two left");
    let metrics = raw::get(&held[1], "/metrics").await.unwrap();
    assert!(metrics.head.contains("content-type: text/plain"), "{}", metrics.head);
    let metrics = metrics.body;
    let refused = metrics.lines().find_map(|l| l.strip_prefix("talksearch_connections_refused_total "));
    assert!(refused.unwrap().parse::<u64>().unwrap() >= 3, "{metrics}");
    assert!(metrics.contains("talksearch_connections_open "), "{metrics}");
    drop(held);
    server.stop().await;
}

/// Sends `request` to the seed index, without a socket: status, headers and body text.
async fn send(request: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
    crate::util::send(seed(), request).await
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    for uri in ["/", "/assets/app.js", "/api/search?q=Istio", "/api/search", "/healthz", "/metrics", "/api/nope"] {
        let (_, headers, _) = send(Request::get(uri).body(Body::empty()).unwrap()).await;
        assert_eq!(headers["x-content-type-options"], "nosniff", "{uri}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{uri}");
    }
    // The page: its own <meta> policy, and no framing (which only a header can forbid).
    let (status, headers, page) = send(Request::get("/").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let meta = page.split("http-equiv=\"Content-Security-Policy\" content=\"").nth(1).unwrap();
    let meta = &meta[..meta.find('"').unwrap()];
    assert_eq!(headers["content-security-policy"], format!("{meta}; frame-ancestors 'none'").as_str());
}

#[tokio::test]
async fn errors_axum_answers_itself_are_json_too() {
    let (status, headers, body) = send(Request::post("/api/search?q=Istio").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(headers["allow"], "GET,HEAD");
    assert_eq!(body, r#"{"error":"method not allowed: this API answers GET (and HEAD) only"}"#);
    let (status, headers, body) = send(Request::get("/api/talks/%FF").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(body, r#"{"error":"the talk id is not valid UTF-8 once percent-decoded"}"#);
}

#[tokio::test]
async fn errors_hyper_answers_itself_are_json_too() {
    let server = Server::start(Limits::default()).await;
    let long_target = format!("GET /api/search?q={} HTTP/1.1\r\nHost: test\r\n\r\n", "a".repeat(70_000));
    let many_headers = format!("GET /healthz HTTP/1.1\r\nHost: test\r\n{}\r\n", "X-A: 1\r\n".repeat(101));
    let huge_header = format!("GET /healthz HTTP/1.1\r\nHost: test\r\nX-A: {}\r\n\r\n", "a".repeat(500_000));
    let cases = [
        (long_target.as_str(), 414, r#"{"error":"the request target (path and query) is too long"}"#),
        (many_headers.as_str(), 431, r#"{"error":"the request's headers are too large or too many"}"#),
        (huge_header.as_str(), 431, r#"{"error":"the request's headers are too large or too many"}"#),
        ("GARBAGE\r\n\r\n", 400, r#"{"error":"the request is not valid HTTP/1.1"}"#),
        ("GET / HTTP/1.1\r\nHost: test\r\nBad Header\r\n\r\n", 400, r#"{"error":"the request is not valid HTTP/1.1"}"#),
    ];
    for (request, status, body) in cases {
        let client = server.connect().await;
        // The server may answer and close before reading all of a long request.
        let _ = raw::send(&client, request.as_bytes()).await;
        let response = raw::response(&client).await.unwrap_or_else(|| panic!("no answer to {:.60}", request));
        assert_eq!((response.status, response.body.as_str()), (status, body), "{:.60}", request);
        assert!(response.head.contains("content-type: application/json"), "{}", response.head);
        assert!(response.head.contains("x-content-type-options: nosniff"), "{}", response.head);
    }
    server.stop().await;
}

#[tokio::test]
async fn numbers_are_digits_only() {
    for (uri, message) in [
        ("/api/search?q=istio&limit=+5", "limit must be a whole number between 1 and 100, not \" 5\""),
        ("/api/search?q=istio&limit=%2B5", "limit must be a whole number between 1 and 100, not \"+5\""),
        ("/api/search?q=istio&offset=%205", "offset must be a whole number between 0 and 10000, not \" 5\""),
        ("/api/speakers?limit=+5", "limit must be a whole number between 1 and 1000, not \" 5\""),
    ] {
        let (status, body) = get(uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(body, serde_json::json!({ "error": message }), "{uri}");
    }
}
