//! Fuzzing's regression tests: every input saved in `tests/data/fuzz/<target>/` replayed through the
//! fuzz target's own checks (`fuzz/src/checks.rs`), plus hand-written nasty inputs.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use talksearch::config::Limits;
use talksearch::ingest::{self, IngestError, Kind};
use talksearch::search::query;
use talksearch::server::error::ApiError;
use talksearch::server::{params, AppState};

use crate::util;

#[path = "../fuzz/src/checks.rs"]
mod checks;

/// The index the fuzz targets search: every page and talk record of `tests/data`, built once.
fn fixture() -> Arc<AppState> {
    static FIXTURE: OnceLock<Arc<AppState>> = OnceLock::new();
    FIXTURE
        .get_or_init(|| util::build_state(&[util::test_data().join("pages"), util::test_data().join("pyvideo")]))
        .clone()
}

/// The saved inputs of one fuzz target, sorted by name.
fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = util::test_data().join("fuzz").join(target);
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_file()).collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    files.into_iter().map(|p| (p.clone(), std::fs::read(&p).expect("a saved fuzz input is readable"))).collect()
}

/// Runs `check` on every input, naming the file of the first one that panics.
fn replay(target: &str, check: impl Fn(&[u8])) {
    for (path, bytes) in inputs(target) {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if let Err(panic) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&bytes))) {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!("tests/data/fuzz/{target}/{name}: {message}");
        }
    }
}

#[test]
fn saved_page_inputs() {
    let fields = checks::fields();
    replay("page", |bytes| checks::page(bytes, &fields));
}

#[test]
fn saved_query_inputs() {
    let fields = checks::fields();
    let state = fixture();
    replay("query", |bytes| {
        if let Ok(q) = std::str::from_utf8(bytes) {
            checks::query(q, &fields, Some(&state.engine));
        }
    });
}

#[test]
fn saved_query_string_inputs() {
    let state = fixture();
    replay("query_string", |bytes| checks::query_string(&String::from_utf8_lossy(bytes), Some(&state.engine)));
}

/// Fails when `f` takes longer than a generous bound (debug build, busy machine): input size must
/// not make the work explode.
fn quick<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let out = f();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(60), "{what} took {took:?}");
    out
}

fn page_with_body(body: &str) -> Vec<u8> {
    format!("---\ntitle: \"Nasty Meetup 2024\"\ndate: 2024-01-01\n---\n\n{body}\n").into_bytes()
}

#[test]
fn nasty_pages() {
    let fields = checks::fields();
    let nested = format!("{}x{}", "[".repeat(10_000), "](".repeat(10_000));
    let deep_list: String = (0..2_000).map(|i| format!("{}- 讲师：张三{i}\n", "  ".repeat(i % 200))).collect();
    let long_line = format!("### {}\n\n讲师：{}\n", "服务网格 Service Mesh ".repeat(6_000), "李".repeat(100_000));
    let table: String = (0..5_000).map(|i| format!("| 10:{:02} | 话题{i} | 讲师{i}（公司{i}） |\n", i % 60)).collect();
    let bodies = [
        nested,
        deep_list,
        long_line,
        format!("| 时间 | 议题 | 讲师 |\n|---|---|---|\n{table}"),
        "### 服務網格的可觀測性實踐\n\n讲师：ＡＢＣ　陳大文（騰訊雲）\n\n話題大綱：Ｓｅｒｖｉｃｅ　Ｍｅｓｈ 與 可观测性\n".to_string(),
        "*".repeat(100_000),
        "`".repeat(50_000) + &"#".repeat(50_000),
    ];
    for body in &bodies {
        quick("a nasty page", || checks::page(&page_with_body(body), &fields));
    }
    // Front matter that is not YAML, never closed, or deeply nested.
    let front = [
        format!("---\ntitle: {}\n---\n", "[".repeat(10_000)),
        format!("---\ntitle: {}x{}\n---\n", "{a: ".repeat(5_000), "}".repeat(5_000)),
        "---\ntitle: x\n".repeat(1_000),
        "+++\ntitle = \"x\"\n[[a]]\n+++\n### t\n讲师：某\n".to_string(),
        "---\n&a [*a, *a]\n---\n".to_string(),
    ];
    for page in &front {
        quick("nasty front matter", || checks::page(page.as_bytes(), &fields));
    }
    // Deeply nested JSON and a talk record whose fields have the wrong types.
    let json_pages = [
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
        r#"{"title": ["x"], "speakers": {"a": 1}, "recorded": 12, "description": null}"#.to_string(),
        format!(r#"{{"title": "{}", "speakers": ["{}"]}}"#, "t".repeat(100_000), "s".repeat(100_000)),
    ];
    for page in &json_pages {
        quick("a nasty talk record", || checks::page(page.as_bytes(), &fields));
    }
}

#[test]
fn invalid_utf8_is_refused_with_its_offset() {
    for (bytes, offset) in [
        (&b"---\ntitle: x\n---\n\xed\xa0\x80"[..], 17), // an encoded lone surrogate (U+D800)
        (&b"\xc0\xaf"[..], 0),                          // an overlong '/'
        (&b"ok \xf4\x90\x80\x80"[..], 3),               // beyond U+10FFFF
        (&b"\xe6\x9c"[..], 0),                          // a truncated 服
    ] {
        for kind in [Kind::Markdown, Kind::PyvideoTalk] {
            assert_eq!(ingest::parse_bytes(kind, bytes, "bad", None).unwrap_err(), IngestError::Utf8(offset));
        }
    }
}

#[test]
fn nasty_queries() {
    let fields = checks::fields();
    let state = fixture();
    let queries = [
        "(".repeat(10_000) + &")".repeat(10_000),
        "[[[[{{{{((((\"\"\"\"))))}}}}]]]]".repeat(400),
        "\"".repeat(10_001),
        "-".repeat(10_000),
        "- - - -\" -\"\" speaker: company:\"\" year:0..9999 event:\"".repeat(100),
        "服务网格".repeat(25_000),
        "a".repeat(100_000),
        // Full-width Latin, ideographic spaces and traditional characters mixed with simplified.
        "ＳＥＲＶＩＣＥ　ＭＥＳＨ　服務網格　服务网格 ＩＳＴＩＯ 雲原生 可觀測性".to_string(),
        "speaker：宋淨超 公司：騰訊雲 year：２０２２".to_string(),
        "\u{200b}\u{feff}\u{0301}\u{202e}x\u{0000}y\u{FFFD}".to_string(),
    ];
    for q in &queries {
        quick("a nasty query", || checks::query(q, &fields, Some(&state.engine)));
    }
    // Long queries are the API's to refuse; the engine must still answer them.
    let req = talksearch::SearchRequest { q: "服务网格 istio ".repeat(500), limit: 10, ..Default::default() };
    quick("a 5,000-character search", || state.engine.search(&req).expect("a long query searches"));
    assert_eq!(query::parse("\"\"\"\"").len(), 0);
}

fn bad(raw: &str) -> String {
    match params::search_request(Some(raw), &Limits::default()) {
        Err(ApiError::BadRequest(m)) => m,
        Err(other) => panic!("{raw:.80}: expected a 400, got {other:?}"),
        Ok(r) => panic!("{raw:.80}: expected a 400, got {r:?}"),
    }
}

#[test]
fn nasty_query_strings() {
    let state = fixture();
    for raw in ["q=%", "q=x%", "q=x%2", "q=istio&limit=5%", "%", "q%=x", "q=%%41"] {
        assert!(bad(raw).contains("bad percent-encoding"), "{raw}: {}", bad(raw));
    }
    // Invalid UTF-8 once decoded: an encoded lone surrogate, an overlong '/', a truncated 服.
    for raw in ["q=%ED%A0%80", "q=%C0%AF", "q=%E6%9C", "q%FF=x"] {
        assert!(bad(raw).contains("not valid UTF-8"), "{raw}: {}", bad(raw));
    }
    // 10,000 parameters: unknown, repeated, or empty pairs around one real one.
    let unknown: String = (0..10_000).map(|i| format!("p{i}=1&")).collect();
    assert!(quick("10k unknown parameters", || bad(&unknown)).starts_with("unknown parameter \"p0\""));
    let repeated = "limit=5&".repeat(10_000) + "q=x";
    assert_eq!(quick("10k repeated parameters", || bad(&repeated)), "parameter limit is given more than once");
    let empty_pairs = "&".repeat(10_000) + "q=istio" + &"&".repeat(10_000);
    let req = quick("10k empty pairs", || params::search_request(Some(&empty_pairs), &Limits::default()));
    assert_eq!(req.expect("empty pairs are ignored").q, "istio");
    let long_q = format!("q={}", "%E7%BD%91".repeat(100_000));
    assert!(quick("a 100k-character q", || bad(&long_q)).starts_with("q is too long (100000 characters"));
    let huge_numbers = "q=x&limit=99999999999999999999999999&offset=-0";
    assert!(bad(huge_numbers).starts_with("limit must be a whole number"));
    // Full-width and traditional text survives decoding untouched.
    let mixed = "q=%EF%BC%B3%EF%BC%A5%E3%80%80%E6%9C%8D%E5%8B%99%E7%B6%B2%E6%A0%BC&lang=zh";
    let req = params::search_request(Some(mixed), &Limits::default()).expect("a valid request");
    assert_eq!(req.q, "ＳＥ\u{3000}服務網格");
    for raw in [unknown.as_str(), repeated.as_str(), empty_pairs.as_str(), long_q.as_str(), mixed, "q=%", "=&=&="] {
        quick("a nasty query string", || checks::query_string(raw, Some(&state.engine)));
    }
}
