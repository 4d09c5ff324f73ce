//! The whole `../shared/corpus`: everything that should parse does, and the talk counts are in range.

use std::collections::BTreeMap;

use indicatif::ProgressBar;
use talksearch::{indexer, ingest, Engine, SearchRequest};

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
    // A page mirrored under the same event name on two sites lists its talks twice (as listings of
    // one talk): the talks of the Chinese pages are counted once.
    let zh = ingested
        .talks
        .iter()
        .filter(|t| t.event.source.starts_with("corpus/zh"))
        .map(|t| (t.event.title.as_str(), t.title.as_str()))
        .collect::<std::collections::HashSet<_>>()
        .len();
    let en: usize = per_source.iter().filter(|(s, _)| s.starts_with("corpus/en")).map(|(_, (t, _))| t).sum();
    // Ranges established by reading the pages (see the corpus README's estimates): every pyvideo
    // record is a talk; the Chinese pages hold ~600 talks once non-talk pages and slots are left out.
    assert!((21_700..=21_715).contains(&en), "pyvideo talks: {en}");
    assert!((550..=700).contains(&zh), "Chinese page talks: {zh}");

    let dir = tempfile::tempdir().unwrap();
    let stats = indexer::build(dir.path(), &ingested.talks, &ProgressBar::hidden()).expect("the whole corpus indexes");
    let engine = Engine::open(dir.path()).unwrap();
    eprintln!("talks searched {} / listings merged into another {}", stats.talks, stats.merged);
    assert_eq!((engine.num_talks() + stats.merged) as usize, ingested.talks.len());
    assert_eq!(engine.num_talks(), stats.talks);
    // Talks given at several events, and pages that list one talk twice (measured when written: 1,079).
    assert!((900..=1_300).contains(&stats.merged), "merged listings: {}", stats.merged);
    // A talk five pages list is one result that names the other four.
    let response =
        engine.search(&SearchRequest { q: "网易严选 service mesh".into(), limit: 10, ..Default::default() }).unwrap();
    let same: Vec<_> = response.hits.iter().filter(|h| h.title.contains("网易严选的 Service Mesh 实践")).collect();
    assert_eq!(same.len(), 1, "{:#?}", response.hits.iter().map(|h| &h.title).collect::<Vec<_>>());
    let mut sources: Vec<&str> = same[0].also_listed.iter().map(|l| l.event.source.as_str()).collect();
    let head = engine.get(&same[0].id).unwrap().unwrap();
    sources.push(head.event.source.as_str());
    // Five pages list it: jimmysong.io's copy of the cloudnative.to page (the same event name) too.
    assert_eq!(same[0].also_listed.len(), 4, "{:#?}", same[0].also_listed);
    assert!(sources.contains(&"corpus/zh/jimmysong.io/content/zh/event/service-mesh-meetup-09.md"), "{sources:?}");
    assert!(sources.contains(&"corpus/zh/servicemesher-meetup-slides/2019/12/hangzhou/README.md"), "{sources:?}");
    assert_eq!(
        engine.get(&same[0].also_listed[0].id).unwrap().unwrap().listed_as.as_deref(),
        Some(same[0].id.as_str())
    );
    let top = titles(&engine, "服务网格 TLS 加速", 3);
    assert_eq!(top[0], "服务网格中 TLS 的加速和优化");
    let top = titles(&engine, "Crash test of Django ORM", 3);
    assert_eq!(top[0], "Crash test of Django ORM");
    // A programme that gives only years (gopherchina's `### 2023 北京`): its talks have that year.
    let filters = talksearch::search::Filters { years: Some((2023, 2023)), ..Default::default() };
    let response =
        engine.search(&SearchRequest { q: "Go 泛型".into(), limit: 10, filters, ..Default::default() }).unwrap();
    let mut found: Vec<(&str, Option<u16>)> = response.hits.iter().map(|h| (h.title.as_str(), h.event.year)).collect();
    found.sort();
    assert_eq!(found, [("Go 泛型设计", Some(2023)), ("谈谈 Go 泛型", Some(2023))]);
}
