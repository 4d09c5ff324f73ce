//! The HTTP contract: routes, JSON shapes, and a precise 4xx for each kind of bad input.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use talksearch::server::app;

use crate::util::seed;

/// Sends `GET uri` through the router without a socket; returns status and JSON body.
async fn get(uri: &str) -> (StatusCode, Value) {
    let response = app(seed()).oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let json = serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
    (status, json)
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
    assert_eq!(hit["event"]["title"], "Service Mesh Summit 服务网格峰会 2022 正在报名中");
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
        ("/api/search", "give a query q or a filter (company, event, year, lang)"),
        ("/api/search?q=", "give a query q or a filter (company, event, year, lang)"),
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
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app(seed())).await });
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
    server.abort();
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
