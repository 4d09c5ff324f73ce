//! Index build throughput in talks per second: ~2000 real talks (every Chinese talk of the shipped
//! corpus, the rest English) written as a fresh index generation into a temporary folder.

use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use indicatif::ProgressBar;

use talksearch::ingest;
use talksearch::talk::Talk;
use talksearch::{indexer, tokenizer};

const TALKS: usize = 2000;

fn talks() -> Vec<Talk> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/corpus");
    let all = ingest::read_paths(&[root], |_, _| {}).expect("the shipped corpus is readable").talks;
    let (zh, other): (Vec<Talk>, Vec<Talk>) = all.into_iter().partition(|t| t.language == "zh");
    // The other talks are spread over the whole corpus rather than taken from its first events.
    let stride = (other.len() / TALKS.saturating_sub(zh.len()).max(1)).max(1);
    let mut talks = zh;
    talks.extend(other.into_iter().step_by(stride));
    talks.truncate(TALKS);
    talks
}

fn bench(c: &mut Criterion) {
    let talks = talks();
    tokenizer::jieba();
    let mut group = c.benchmark_group("indexing");
    group
        .throughput(Throughput::Elements(talks.len() as u64))
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.warm_up_time(Duration::from_secs(1));
    group.bench_function(format!("build {} talks", talks.len()), |b| {
        b.iter_batched(
            || tempfile::tempdir().expect("a temporary folder"),
            |dir| {
                indexer::build(dir.path(), &talks, &ProgressBar::hidden()).expect("the index builds");
                // Returned so the folder is deleted outside the timing.
                dir
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
