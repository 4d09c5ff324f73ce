//! Per-query costs and results of a query mix, for finding the slow queries and for checking that
//! a change keeps every result.
//!
//!   cargo run --release --example query_costs -- INDEX QUERIES            # slowest TOP (40), median of RUNS (5)
//!   DUMP=1 cargo run --release --example query_costs -- INDEX QUERIES     # every response as a JSON line
//!
//! QUERIES is a bench file (`[class] query<TAB>params`, `#` comments). Instructions per search, as
//! the README gives them: `RUNS=1 valgrind --tool=callgrind` on this, then the inclusive cost of
//! `Engine::search` divided by the number of queries.
use std::time::Instant;

use talksearch::search::{Engine, SearchRequest};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, index, queries] = args.as_slice() else {
        eprintln!("usage: query_costs INDEX QUERIES");
        std::process::exit(2);
    };
    let engine = Engine::open(std::path::Path::new(index)).expect("the index opens");
    let text = std::fs::read_to_string(queries).expect("the query file reads");
    let runs: usize = std::env::var("RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(5).max(1);
    let dump = std::env::var_os("DUMP").is_some();
    let mut rows = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let q = line.split('\t').next().unwrap_or_default();
        let q = match q.find(']') {
            Some(i) if q.starts_with('[') => q[i + 1..].trim(),
            _ => q.trim(),
        };
        let req = SearchRequest { q: q.to_string(), limit: 10, offset: 0, ..Default::default() };
        if dump {
            let mut response = engine.search(&req).expect("the search runs");
            response.took_ms = 0.0;
            // The bytes `/api/search` sends.
            println!("{}", String::from_utf8(response.to_json()).expect("JSON is UTF-8"));
            continue;
        }
        let mut times = Vec::with_capacity(runs);
        let mut last = None;
        for _ in 0..runs {
            let started = Instant::now();
            last = Some(engine.search(&req).expect("the search runs"));
            times.push(started.elapsed().as_secs_f64() * 1e3);
        }
        times.sort_by(f64::total_cmp);
        let response = last.expect("at least one run");
        rows.push((times[times.len() / 2], response.total, format!("{:?}", response.matched), q.to_string()));
    }
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    let top: usize = std::env::var("TOP").ok().and_then(|t| t.parse().ok()).unwrap_or(40);
    for (ms, total, matched, q) in rows.iter().take(top) {
        println!("{ms:.3} ms\t{total} talks\t{matched}\t{q}");
    }
}
