//! The OpenAPI document matches what the API really answers.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use talksearch::server::app;

use crate::util::seed;

async fn get(uri: &str) -> (StatusCode, Value) {
    let response = app(seed()).oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap())
}

/// The schema the document gives for `path`'s `status` response, with the components attached so
/// its `$ref`s resolve.
fn response_schema(doc: &Value, path: &str, status: u16) -> Value {
    let mut schema =
        doc["paths"][path]["get"]["responses"][status.to_string()]["content"]["application/json"]["schema"].clone();
    assert!(!schema.is_null(), "{path} documents no {status} response");
    schema["components"] = doc["components"].clone();
    schema
}

#[tokio::test]
async fn real_responses_validate_against_the_document() {
    let (status, doc) = get("/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
    let (_, hit) = get("/api/search?q=TLS").await;
    let id = hit["hits"][0]["id"].as_str().unwrap().to_string();
    let cases = [
        ("/api/search", "/api/search?q=Istio&limit=3".to_string(), 200),
        ("/api/search", "/api/search?year=2022".to_string(), 200),
        ("/api/search", "/api/search?limit=0".to_string(), 400),
        ("/api/talks/{id}", format!("/api/talks/{id}"), 200),
        ("/api/talks/{id}", "/api/talks/nope".to_string(), 404),
        ("/api/speakers", "/api/speakers?company=Tencent".to_string(), 200),
        ("/api/companies", "/api/companies".to_string(), 200),
        ("/api/analyze", "/api/analyze?text=%E6%9C%8D%E5%8B%99%E7%B6%B2%E6%A0%BC".to_string(), 200),
        ("/healthz", "/healthz".to_string(), 200),
        ("/readyz", "/readyz".to_string(), 200),
    ];
    for (path, uri, expected) in cases {
        let (status, body) = get(&uri).await;
        assert_eq!(status.as_u16(), expected, "{uri}");
        let schema = response_schema(&doc, path, expected);
        let validator = jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{path}: {e}"));
        let errors: Vec<String> =
            validator.iter_errors(&body).map(|e| format!("{e} at {}", e.instance_path())).collect();
        assert!(errors.is_empty(), "{uri} does not match its schema: {errors:#?}");
        // Every field the API sends is documented.
        if let (Some(fields), Some(name)) = (body.as_object(), schema["$ref"].as_str()) {
            let name = name.rsplit('/').next().unwrap();
            let documented = doc["components"]["schemas"][name]["properties"].as_object().unwrap();
            for key in fields.keys() {
                assert!(documented.contains_key(key), "{uri}: field {key:?} is not documented in {name}");
            }
        }
    }
}
