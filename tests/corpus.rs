//! The whole `../shared/corpus`: everything that should parse does, and the talk counts are in range.

use std::collections::BTreeMap;

use indicatif::ProgressBar;
use talksearch::{indexer, ingest, Engine};

use crate::util::{corpus, titles};

#[test]
fn the_whole_corpus_ingests_and_indexes() {
    let Some(dir) = corpus() else { return };
    let ingested = ingest::read_paths(std::slice::from_ref(&dir), |_, _| {}).expect("the corpus folder exists");
    // Per-source figures, printed for the record (run with --nocapture).
    let mut per_source: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for talk in &ingested.talks {
        let source = talk.event.source.split('/').take(3).collect::<Vec<_>>().join("/");
        let entry = per_source.entry(source).or_default();
        entry.0 += 1;
        entry.1 += talk.speakers.len();
    }
    for (source, (talks, speakers)) in &per_source {
        eprintln!("{source:50} {talks:6} talks {speakers:6} speakers");
    }
    eprintln!(
        "files {} / talks {} / without talks {} / duplicates {} / failed {}",
        ingested.files_read,
        ingested.talks.len(),
        ingested.without_talks.len(),
        ingested.duplicates,
        ingested.failed.len()
    );
    for f in &ingested.failed {
        eprintln!("failed: {}: {}", f.path.display(), f.error);
    }
    // The only unreadable records in the corpus are pyvideo files known to be malformed; no page fails.
    assert!(ingested.failed.iter().all(|f| f.path.extension().is_some_and(|e| e == "json")), "{:#?}", ingested.failed);
    assert!(ingested.failed.len() <= 5, "{:#?}", ingested.failed);
    let zh: usize = per_source.iter().filter(|(s, _)| s.starts_with("corpus/zh")).map(|(_, (t, _))| t).sum();
    let en: usize = per_source.iter().filter(|(s, _)| s.starts_with("corpus/en")).map(|(_, (t, _))| t).sum();
    // Ranges established by reading the pages (see the corpus README's estimates): every pyvideo
    // record is a talk; the Chinese pages hold ~600 talks once non-talk pages and slots are left out.
    assert!((21_700..=21_715).contains(&en), "pyvideo talks: {en}");
    assert!((550..=700).contains(&zh), "Chinese page talks: {zh}");

    let dir = tempfile::tempdir().unwrap();
    indexer::build(dir.path(), &ingested.talks, &ProgressBar::hidden()).expect("the whole corpus indexes");
    let engine = Engine::open(dir.path()).unwrap();
    assert_eq!(engine.num_talks() as usize, ingested.talks.len());
    let top = titles(&engine, "服务网格 TLS 加速", 3);
    assert_eq!(top[0], "服务网格中 TLS 的加速和优化");
    let top = titles(&engine, "Crash test of Django ORM", 3);
    assert_eq!(top[0], "Crash test of Django ORM");
}
