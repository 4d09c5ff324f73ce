//! The bench command itself: a tiny run in each mode produces a well-formed report.

use std::process::Command;

use talksearch::bench::{parse_queries, run_http, Options, DEFAULT_QUERIES};
use talksearch::server::app;

use crate::util::seed;

#[test]
fn inproc_bench_prints_a_well_formed_json_report() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let data = crate::util::seed_page();
    let status = Command::new(env!("CARGO_BIN_EXE_talksearch"))
        .args(["index", "--data"])
        .arg(&data)
        .arg("--index")
        .arg(&index)
        .output()
        .unwrap();
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let out = Command::new(env!("CARGO_BIN_EXE_talksearch"))
        .args(["bench", "--json", "--requests", "200", "--warmup", "10", "--index"])
        .arg(&index)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("--json prints JSON");
    assert_eq!(report["mode"], "inproc");
    assert_eq!(report["machine"]["talks"], 9);
    for phase in ["search", "floor"] {
        let overall = &report[phase]["overall"];
        assert_eq!(overall["ok"].as_u64().unwrap() + overall["errors"].as_u64().unwrap(), 200, "{phase}");
        assert_eq!(overall["errors"], 0, "{phase}");
        let (p50, p99, max) = (
            overall["p50_ms"].as_f64().unwrap(),
            overall["p99_ms"].as_f64().unwrap(),
            overall["max_ms"].as_f64().unwrap(),
        );
        assert!(0.0 < p50 && p50 <= p99 && p99 <= max, "{phase}: {overall}");
        assert!(report[phase]["qps"].as_f64().unwrap() > 0.0);
    }
    let classes: Vec<&str> =
        report["search"]["classes"].as_array().unwrap().iter().map(|c| c["class"].as_str().unwrap()).collect();
    for class in ["zh", "en", "mixed", "phrase", "filtered", "none"] {
        assert!(classes.contains(&class), "{class} missing from {classes:?}");
    }
    assert!(report["ratios"]["p50"].as_f64().unwrap() > 0.0);
}

#[test]
fn http_bench_counts_every_request_against_a_real_server() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    runtime.spawn(async move { axum::serve(listener, app(seed())).await });
    let queries = parse_queries(DEFAULT_QUERIES).unwrap();
    let opts = Options { concurrency: 4, warmup: 10, requests: Some(100), ..Options::default() };
    let report = run_http(&format!("http://{addr}"), &queries, &opts).unwrap();
    assert_eq!(report.search.overall.ok, 100);
    assert_eq!(report.search.overall.errors, 0);
    assert_eq!(report.floor.overall.ok, 100, "the floor is /healthz");
    assert!(report.search.overall.p50_ms > 0.0 && report.ratios.qps > 0.0);
    assert!(run_http("http://10.0.0.1:80", &queries, &opts).is_err(), "only loopback targets");
}
