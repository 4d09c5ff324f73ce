//! The OpenAPI document matches what the API really answers.

use axum::http::StatusCode;
use serde_json::Value;

use talksearch::config::Limits;
use talksearch::server::openapi::{bounds, Bound};

use crate::util::seed;

/// Status and body of `GET uri`; a calendar or feed (not JSON) is the body as a JSON string.
async fn get(uri: &str) -> (StatusCode, Value) {
    crate::util::get_json(seed(), uri).await
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
    let (_, zhao) = get("/api/speakers?q=%E8%B5%B5%E5%8C%96%E5%86%B0").await;
    let zhao = zhao["speakers"][0]["id"].as_str().unwrap().to_string();
    let cases = [
        ("/api/search", "/api/search?q=Istio&limit=3".to_string(), 200),
        ("/api/search", "/api/search?year=2022".to_string(), 200),
        ("/api/search", "/api/search?limit=0".to_string(), 400),
        ("/api/talks/{id}", format!("/api/talks/{id}"), 200),
        ("/api/talks/{id}", "/api/talks/nope".to_string(), 404),
        ("/api/talks/{id}/similar", format!("/api/talks/{id}/similar?limit=3"), 200),
        ("/api/talks/{id}/similar", "/api/talks/nope/similar".to_string(), 404),
        ("/api/talks/{id}.ics", "/api/talks/nope.ics".to_string(), 404),
        ("/api/speakers", "/api/speakers?company=Tencent".to_string(), 200),
        ("/api/speakers/{id}", format!("/api/speakers/{zhao}"), 200),
        ("/api/speakers/{id}", "/api/speakers/nope".to_string(), 404),
        ("/api/companies", "/api/companies".to_string(), 200),
        ("/api/companies/{id}", "/api/companies/tencent".to_string(), 200),
        ("/api/companies/{id}", "/api/companies/nope".to_string(), 404),
        ("/api/search.ics", "/api/search.ics?limit=0".to_string(), 400),
        ("/api/search.atom", "/api/search.atom?year=x".to_string(), 400),
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

#[tokio::test]
async fn calendars_and_feeds_are_documented_with_their_media_types() {
    let (_, doc) = get("/api/openapi.json").await;
    for (path, kind) in [
        ("/api/search.ics", "text/calendar"),
        ("/api/talks/{id}.ics", "text/calendar"),
        ("/api/search.atom", "application/atom+xml"),
    ] {
        let content = &doc["paths"][path]["get"]["responses"]["200"]["content"];
        assert!(content[kind].is_object(), "{path}: {content}");
        assert!(doc["paths"][path]["get"]["responses"]["404"].is_object() || path != "/api/talks/{id}.ics");
    }
    let (status, body) = get("/api/search.ics?q=TLS").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.as_str().unwrap().starts_with("BEGIN:VCALENDAR\r\n"), "{body}");
    let (status, body) = get("/api/search.atom?q=TLS").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.as_str().unwrap().starts_with("<?xml"), "{body}");
}

/// The parameter `name` of `GET path` in the document.
fn parameter<'a>(doc: &'a Value, path: &str, name: &str) -> &'a Value {
    let params = doc["paths"][path]["get"]["parameters"].as_array().unwrap_or_else(|| panic!("{path}: no parameters"));
    params.iter().find(|p| p["name"] == name).unwrap_or_else(|| panic!("{path} documents no {name}"))
}

#[tokio::test]
async fn the_document_declares_the_bounds_the_server_checks() {
    let (_, doc) = get("/api/openapi.json").await;
    let l = Limits::default();
    // The numbers, against the limits the handlers check (the document is generated from them).
    let schema = |path: &str, name: &str| parameter(&doc, path, name)["schema"].clone();
    assert_eq!(schema("/api/search", "limit")["minimum"], 1);
    assert_eq!(schema("/api/search", "limit")["maximum"], l.max_limit);
    assert_eq!(schema("/api/search", "limit")["default"], l.default_limit);
    assert_eq!(schema("/api/search", "offset")["minimum"], 0);
    assert_eq!(schema("/api/search", "offset")["maximum"], l.max_offset);
    for name in ["q", "company", "event", "lang"] {
        assert_eq!(schema("/api/search", name)["maxLength"], l.max_query_chars, "{name}");
    }
    assert_eq!(schema("/api/search", "year")["pattern"], talksearch::server::params::YEAR_PATTERN);
    assert_eq!(schema("/api/speakers", "limit")["maximum"], l.max_speakers_limit);
    assert_eq!(schema("/api/speakers", "limit")["default"], l.default_speakers_limit);
    assert_eq!(schema("/api/speakers", "company")["maxLength"], l.max_query_chars);
    assert_eq!(schema("/api/analyze", "text")["minLength"], 1);
    assert_eq!(schema("/api/analyze", "text")["maxLength"], l.max_analyze_chars);
    // Which parameters are needed.
    assert_eq!(parameter(&doc, "/api/analyze", "text")["required"], true);
    assert_eq!(parameter(&doc, "/api/talks/{id}", "id")["required"], true);
    for name in ["q", "limit", "offset", "company", "event", "year", "lang"] {
        assert_eq!(parameter(&doc, "/api/search", name)["required"], false, "{name}");
    }
}

/// At each declared bound the server accepts the value on the bound and refuses the one past it:
/// what the document calls valid is answered, what it calls invalid is a 400.
#[tokio::test]
async fn the_server_accepts_exactly_what_the_document_allows() {
    for (path, name, bound) in bounds(&Limits::default()) {
        let mut cases: Vec<(String, u16)> = Vec::new();
        match bound {
            Bound::Number { min, max, default: _ } => {
                cases.push((min.to_string(), 200));
                cases.push((max.to_string(), 200));
                cases.push(((max + 1).to_string(), 400));
                if min > 0 {
                    cases.push(((min - 1).to_string(), 400));
                }
            }
            Bound::Text { min, max } => {
                // Counted in characters, not bytes: 网 is three bytes.
                cases.push(("%E7%BD%91".repeat(max), 200));
                cases.push(("%E7%BD%91".repeat(max + 1), 400));
                cases.push(("%E7%BD%91".repeat(min), 200));
                if min > 0 {
                    cases.push(("%E7%BD%91".repeat(min - 1), 400));
                }
            }
            Bound::Pattern(_) => {
                for valid in ["", "2022", "1900", "2999", "2020..2022", "2022..2020"] {
                    cases.push((valid.replace("..", "%2E%2E"), 200));
                }
                for invalid in ["1899", "3000", "%202022", "2022%0A", "22", "2022..", "2022...2023", "%2B2022"] {
                    cases.push((invalid.to_string(), 400));
                }
            }
        }
        // A route of one talk is asked about a real one.
        let talk = get("/api/search?q=TLS").await.1["hits"][0]["id"].as_str().unwrap().to_string();
        for (value, expected) in cases {
            let uri = format!("{}?{name}={value}", path.replace("{id}", &talk));
            let (status, body) = get(&uri).await;
            assert_eq!(status.as_u16(), expected, "{:.120}: {body}", uri);
        }
    }
}
