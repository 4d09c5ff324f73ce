//! The bench command itself: a tiny run in each mode produces a well-formed report and, with `--plot`, an SVG.
//! (The HTTP runner's counts and raw samples are checked by the unit tests of
//! `src/bin/talksearch/bench/http.rs`.)

use std::path::Path;
use std::process::Command;

use talksearch::server::app;

use crate::util::seed;

/// The app over the seed index on a loopback port, served until the returned runtime is dropped.
fn serve_seed() -> (tokio::runtime::Runtime, std::net::SocketAddr) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    runtime.spawn(async move { axum::serve(listener, app(seed())).await });
    (runtime, addr)
}

/// Checks the SVG `--plot` wrote: a drawing with a legend entry for each class of `report` and the floor.
fn assert_plot(path: &Path, report: &serde_json::Value) {
    let svg = std::fs::read_to_string(path).expect("--plot writes the file");
    assert!(svg.trim_start().starts_with("<svg") && svg.trim_end().ends_with("</svg>"), "{}", &svg[..200]);
    assert!(svg.contains("<polyline") || svg.contains("<path"), "no lines drawn");
    let classes = report["search"]["classes"].as_array().unwrap();
    assert!(!classes.is_empty());
    for class in classes {
        let name = class["class"].as_str().unwrap();
        assert!(svg.contains(&format!("{name}: p50")), "no legend entry for class {name}");
    }
    assert!(svg.contains("all classes: p50") && svg.contains("floor ("), "no overall or floor curve");
    let target = report["target"].as_str().unwrap();
    assert!(svg.contains(&format!("talksearch bench: {target}, ")), "the title names the target");
}

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
    let plot = dir.path().join("latency.svg");
    let out = Command::new(env!("CARGO_BIN_EXE_talksearch"))
        .args(["bench", "--json", "--requests", "200", "--warmup", "10", "--plot"])
        .arg(&plot)
        .arg("--index")
        .arg(&index)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("sorted_nanos"), "raw samples stay out of --json");
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
    assert_plot(&plot, &report);
    assert!(std::fs::read_to_string(&plot).unwrap().contains("floor (tantivy TopDocs)"));
    assert!(report["ratios"].get("qps_per_round").is_none(), "one round: no ratios per round");
    // In rounds: the same requests, a ratio per round; more rounds than requests are refused, the
    // default requests (5,000) counted when none are given.
    let bench = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_talksearch"))
            .args(["bench", "--json", "--warmup", "10", "--index"])
            .arg(&index)
            .args(args)
            .output()
            .unwrap()
    };
    let out = bench(&["--requests", "90", "--rounds", "3"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["search"]["overall"]["ok"], 90);
    assert_eq!(report["ratios"]["qps_per_round"].as_array().map(Vec::len), Some(3));
    for args in [&["--requests", "2", "--rounds", "3"][..], &["--rounds", "5001"], &["--rounds", "0"]] {
        let out = bench(args);
        assert!(!out.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("--rounds must be at least 1 and at most the requests per phase"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn http_bench_plots_through_the_command_line() {
    let (_runtime, addr) = serve_seed();
    let dir = tempfile::tempdir().unwrap();
    let plot = dir.path().join("http.svg");
    let out = Command::new(env!("CARGO_BIN_EXE_talksearch"))
        .args(["bench", "--mode", "http", "--json", "--requests", "100", "--warmup", "10", "--concurrency", "4"])
        .args(["--url", &format!("http://{addr}"), "--plot"])
        .arg(&plot)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("--json prints JSON");
    assert_eq!((report["mode"].as_str(), report["search"]["overall"]["errors"].as_u64()), (Some("http"), Some(0)));
    assert_plot(&plot, &report);
    assert!(std::fs::read_to_string(&plot).unwrap().contains("floor (GET /healthz)"));
}
