//! Query latency per query class of the default mix, on a fixed index built once from the shipped
//! corpus: the full search (top 10 with highlights) and its floor (the same query as bare `TopDocs`).
//! End-to-end figures with percentiles come from `talksearch bench`.

use std::path::PathBuf;
use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use indicatif::ProgressBar;

use talksearch::search::SearchRequest;
use talksearch::{indexer, ingest, Engine};

use self::queries::{parse_queries, DEFAULT_QUERIES};

/// The query mix of `talksearch bench`, compiled in from the binary so both measure the same queries
/// (what else the file holds, its other helpers and its unit tests, goes unused here).
#[allow(dead_code, unused_imports)]
#[path = "../src/bin/talksearch/bench/queries.rs"]
mod queries;

fn bench(c: &mut Criterion) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/corpus");
    let talks = ingest::read_paths(&[root], |_, _| {}).expect("the shipped corpus is readable").talks;
    let dir = tempfile::tempdir().expect("a temporary folder");
    indexer::build(dir.path(), &talks, &ProgressBar::hidden()).expect("the index builds");
    let engine = Engine::open(dir.path()).expect("the index opens");

    let queries = parse_queries(DEFAULT_QUERIES).expect("the default mix parses");
    let mut classes: Vec<(String, Vec<SearchRequest>)> = Vec::new();
    for q in &queries {
        let req = q.request().expect("validated by parse_queries");
        match classes.iter_mut().find(|(c, _)| *c == q.class) {
            Some((_, reqs)) => reqs.push(req),
            None => classes.push((q.class.clone(), vec![req])),
        }
    }
    for (class, reqs) in &classes {
        let mut group = c.benchmark_group(format!("search/{class}"));
        group.throughput(Throughput::Elements(1)).sample_size(20).measurement_time(Duration::from_secs(3));
        group.warm_up_time(Duration::from_secs(1));
        let mut next = 0usize;
        group.bench_function("search", |b| {
            b.iter(|| {
                next = (next + 1) % reqs.len();
                black_box(engine.search(&reqs[next]).expect("the search runs").total)
            })
        });
        group.bench_function("floor (TopDocs)", |b| {
            b.iter(|| {
                next = (next + 1) % reqs.len();
                black_box(engine.search_floor(&reqs[next]).expect("the search runs"))
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
