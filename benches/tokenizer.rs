//! Tokenizer throughput in MB/s on real Chinese and English talk text: our analyzer against plain
//! jieba-rs `cut_for_search` on the same shared dictionary (the floor).

use std::path::PathBuf;
use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use tantivy::tokenizer::TokenStream;

use talksearch::ingest;
use talksearch::tokenizer;

/// English text to tokenize per iteration, in bytes.
const ENGLISH_BYTES: usize = 1 << 20;

/// Titles, abstracts, outlines and takeaways of the talks in `language` under `path`.
fn texts(path: &str, language: &str, max_bytes: usize) -> Vec<String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path);
    let talks = ingest::read_paths(&[root], |_, _| {}).expect("the shipped corpus is readable").talks;
    let mut out = Vec::new();
    let mut bytes = 0;
    for t in talks.iter().filter(|t| t.language == language) {
        for text in [&t.title, &t.abstract_text].into_iter().chain(&t.outline).chain(&t.takeaways) {
            if !text.is_empty() && bytes < max_bytes {
                bytes += text.len();
                out.push(text.clone());
            }
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    // Load the dictionary before timing anything.
    let jieba = tokenizer::jieba();
    let mut analyzer = tokenizer::analyzer();
    for (name, texts) in
        [("zh", texts("data/corpus/zh", "zh", usize::MAX)), ("en", texts("data/corpus/en", "en", ENGLISH_BYTES))]
    {
        let bytes: usize = texts.iter().map(String::len).sum();
        let mut group = c.benchmark_group(format!("tokenizer/{name}"));
        group.throughput(Throughput::Bytes(bytes as u64)).sample_size(20).measurement_time(Duration::from_secs(5));
        group.warm_up_time(Duration::from_secs(1));
        group.bench_function("analyzer", |b| {
            b.iter(|| {
                let mut tokens = 0usize;
                for text in &texts {
                    let mut stream = analyzer.token_stream(text);
                    while stream.advance() {
                        tokens += 1;
                    }
                }
                black_box(tokens)
            })
        });
        group.bench_function("jieba cut_for_search (floor)", |b| {
            b.iter(|| {
                let mut tokens = 0usize;
                for text in &texts {
                    tokens += jieba.cut_for_search(text, true).len();
                }
                black_box(tokens)
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
