//! Builds the index from talks, atomically: the writer of the index folder, as [`crate::search`]
//! is its reader; both reach the folder through [`IndexDir`].
//!
//! A build holds the folder's lock, writes a new generation in a staging folder beside the current
//! one and only then publishes it (`CURRENT` is replaced by an atomic rename), so a build that fails
//! or is killed leaves the previous generation in place and servable. An update starts from a copy
//! of the current generation, verified first, and replaces the talks of changed and deleted files.

mod dedupe;

/// Whether listings with this folded title may be grouped at all (a generic title such as `开场致辞`
/// never is): the reader asks it too, to keep a mirrored copy of a talk as another listing.
pub(crate) use dedupe::mergeable;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::ProgressBar;
use tantivy::collector::TopDocs;
use tantivy::{Index, IndexWriter};

use crate::company::Companies;
use crate::error::{Error, Result};
use crate::index_dir::{self, BuildLock, Change, IndexDir, Manifest, Staging, State};
use crate::ingest::{self, schedule, Ingested};
use crate::schema::{self, document, for_each_stored_talk, stored_talk, talk_from_doc, Fields};
use crate::speakers::People;
use crate::talk::{title_key, Talk};
use crate::tokenizer;

/// Memory budget per indexing thread.
const WRITER_MEMORY_PER_THREAD: usize = 100 << 20;

/// What a build produced.
#[derive(Debug, Clone)]
pub struct BuildStats {
    /// Talks searched: each talk once, however many pages list it.
    pub talks: u64,
    /// Listings of a talk that another listing stands for (see [`dedupe`]): read, kept, not searched.
    pub merged: u64,
    pub generation: PathBuf,
    pub seconds: f64,
    pub bytes: u64,
}

/// Builds a new generation holding `talks` in the index folder `dir` and makes it current.
/// `progress` is advanced once per talk.
pub fn build(dir: impl Into<IndexDir>, talks: &[Talk], progress: &ProgressBar) -> Result<BuildStats> {
    let mut lock = dir.into().lock()?;
    lock.tidy();
    let (_, stats) = write(&mut lock, None, progress, |sink| {
        talks.iter().cloned().for_each(|t| sink(Change::Add(Box::new(t))));
        Ok(Manifest::default())
    })?;
    stats.ok_or_else(|| Error::Invalid("no talks to index".into()))
}

/// Makes a new generation from what [`ingest::read_paths_since`] read: a full build, or, when the
/// read was incremental, the current generation with the talks of changed and deleted files
/// replaced (refused when the current generation does not verify). Returns `None` when nothing
/// changed (no new generation is made).
pub fn apply(dir: impl Into<IndexDir>, ingested: &Ingested, progress: &ProgressBar) -> Result<Option<BuildStats>> {
    let mut lock = dir.into().lock()?;
    lock.tidy();
    let base = if ingested.incremental {
        Some(checked_current(&lock)?.ok_or_else(|| Error::NoIndex(lock.dir().path().to_path_buf()))?)
    } else {
        None
    };
    let (_, stats) = write(&mut lock, base.as_deref(), progress, |sink| {
        // Deletes reach only documents added before them, so they go first.
        ingested.removed.iter().for_each(|id| sink(Change::Remove(id.clone())));
        ingested.talks.iter().cloned().for_each(|t| sink(Change::Add(Box::new(t))));
        Ok(&ingested.manifest)
    })?;
    Ok(stats)
}

/// Reads `paths` and streams their talks into a new generation without holding them in memory:
/// incrementally (only files changed since the current generation) unless `full` or the current
/// generation cannot be built upon (see [`updatable`]). Returns what was read, and `None` for the
/// stats when nothing changed. Fails at once with [`Error::Locked`] while another build runs.
pub fn index_paths(
    dir: impl Into<IndexDir>,
    paths: &[PathBuf],
    full: bool,
    reading: &ProgressBar,
    indexing: &ProgressBar,
) -> Result<(Ingested, Option<BuildStats>)> {
    index_paths_with(dir, paths, full, &schedule::Options::default(), reading, indexing)
}

/// [`index_paths`] reading schedules with `options` (a time zone, a mapping).
pub fn index_paths_with(
    dir: impl Into<IndexDir>,
    paths: &[PathBuf],
    full: bool,
    options: &schedule::Options,
    reading: &ProgressBar,
    indexing: &ProgressBar,
) -> Result<(Ingested, Option<BuildStats>)> {
    let mut lock = dir.into().lock()?;
    index_locked(&mut lock, paths, full, options, reading, indexing)
}

/// Builds the first index of a folder that has none (no `CURRENT`, no generation), for a server's
/// first start. A build already running there is waited for; returns `None`, building nothing, when
/// the folder holds an index by then.
pub fn index_paths_if_empty(
    dir: impl Into<IndexDir>,
    paths: &[PathBuf],
    reading: &ProgressBar,
    indexing: &ProgressBar,
) -> Result<Option<(Ingested, Option<BuildStats>)>> {
    let mut lock = dir.into().lock_waiting()?;
    if lock.state()? != State::Empty {
        return Ok(None);
    }
    index_locked(&mut lock, paths, true, &schedule::Options::default(), reading, indexing).map(Some)
}

fn index_locked(
    lock: &mut BuildLock,
    paths: &[PathBuf],
    full: bool,
    options: &schedule::Options,
    reading: &ProgressBar,
    indexing: &ProgressBar,
) -> Result<(Ingested, Option<BuildStats>)> {
    lock.tidy();
    // A full build reads everything again: the current generation is not even verified.
    let (base, previous) = match if full { None } else { updatable(lock) } {
        Some((generation, manifest)) => (Some(generation), Some(manifest)),
        None => (None, None),
    };
    write(lock, base.as_deref(), indexing, |sink| {
        let report = |done: usize, total: usize| {
            reading.set_length(total as u64);
            reading.set_position(done as u64);
        };
        ingest::scan_with(paths, previous.as_ref(), options, report, sink).map_err(|f| match f.error {
            ingest::IngestError::Missing => Error::NoData(f.path),
            error => Error::Invalid(format!("{}: {error}", f.path.display())),
        })
    })
}

/// The current generation and its manifest, when an update can build on them: it verifies, has
/// this version's schema and analyzer and records the files it was read from. Otherwise everything is read
/// again: a damaged generation is never carried into the next one.
fn updatable(lock: &BuildLock) -> Option<(PathBuf, Manifest)> {
    match checked_current(lock) {
        Ok(generation) => {
            let generation = generation?;
            let manifest = index_dir::read_manifest(&generation)?;
            if manifest.analyzer != tokenizer::ANALYZER_VERSION {
                tracing::info!("the current generation was tokenized by another version; reading every file again");
                return None;
            }
            Some((generation, manifest))
        }
        Err(e) => {
            tracing::warn!(error = %e, "the current generation cannot be updated; reading every file again");
            None
        }
    }
}

/// The current generation, verified and of this version's schema; `None` in an empty folder.
fn checked_current(lock: &BuildLock) -> Result<Option<PathBuf>> {
    match lock.state()? {
        State::Current(generation) => {
            lock.dir().verified(&generation)?;
            Ok(Some(generation))
        }
        State::Empty => Ok(None),
    }
}

/// Writes a generation in a staging folder and makes it current. It starts empty, or as a copy of
/// the verified generation `base`: copied, not hard-linked, so that damage to a file of one
/// generation cannot reach the other (the whole corpus's 21 MiB copy in 8–27 ms). `feed` sends the
/// changes and returns what holds the manifest to store; the generation is published only if it
/// changed something and holds talks.
fn write<R: AsRef<Manifest>>(
    lock: &mut BuildLock,
    base: Option<&Path>,
    progress: &ProgressBar,
    feed: impl FnOnce(&mut dyn FnMut(Change)) -> Result<R>,
) -> Result<(R, Option<BuildStats>)> {
    let started = Instant::now();
    let staging = lock.stage()?;
    let result = fill(&staging, base, progress, feed);
    let (read, (talks, merged)) = match result {
        Ok((read, Some(counts))) if counts.0 > 0 => (read, counts),
        Ok((read, None)) => {
            staging.discard();
            return Ok((read, None));
        }
        Ok(_) => {
            staging.discard();
            return Err(Error::Invalid("the new index would hold no talks; the current one was kept".into()));
        }
        Err(e) => {
            staging.discard();
            return Err(e);
        }
    };
    let generation = lock.publish(staging)?;
    let stats = BuildStats {
        talks,
        merged,
        bytes: index_dir::dir_size(&generation),
        generation,
        seconds: started.elapsed().as_secs_f64(),
    };
    Ok((read, Some(stats)))
}

/// Fills `staging` (see [`write`]); returns the feed's result and the numbers of talks and of merged
/// listings, or `None` for the counts when a copy of `base` received no change.
fn fill<R: AsRef<Manifest>>(
    staging: &Staging,
    base: Option<&Path>,
    progress: &ProgressBar,
    feed: impl FnOnce(&mut dyn FnMut(Change)) -> Result<R>,
) -> Result<(R, Option<(u64, u64)>)> {
    let index = match base {
        Some(base) => {
            staging.copy_index_files(base)?;
            Index::open_in_dir(staging.path())?
        }
        None => Index::builder().schema(schema::build()).settings(schema::settings()).create_in_dir(staging.path())?,
    };
    tokenizer::register(&index);
    let fields = Fields::from_schema(&index.schema())?;
    let companies = Companies::builtin();
    let threads = crate::config::cores().min(4);
    let mut writer: IndexWriter = index.writer_with_num_threads(threads, threads * WRITER_MEMORY_PER_THREAD)?;
    // No merges while talks are added: the build ends with one merge of everything (see
    // [`merge_into_parts`]), done by this same writer.
    writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
    let mut changes = 0usize;
    let mut failure: Option<Error> = None;
    // The titles whose listings must be grouped again (see [`regroup`]): for a copy, every title
    // this run touched; for a new index, every title seen more than once.
    let base_searcher = match base {
        Some(_) => Some(index.reader()?.searcher()),
        None => None,
    };
    let mut seen: HashMap<String, u32> = HashMap::new();
    let read = feed(&mut |change| {
        if failure.is_some() {
            return;
        }
        changes += 1;
        match change {
            Change::Remove(id) => {
                if let Some(searcher) = &base_searcher {
                    match stored_talk(searcher, &fields, &id) {
                        Ok(Some(old)) => *seen.entry(title_key(&old.title)).or_insert(0) += 2,
                        Ok(None) => {}
                        Err(e) => failure = Some(e),
                    }
                }
                writer.delete_term(tantivy::Term::from_field_text(fields.id, &id));
            }
            Change::Add(talk) => {
                let key = title_key(&talk.title);
                if dedupe::mergeable(&key) {
                    *seen.entry(key).or_insert(0) += if base.is_some() { 2 } else { 1 };
                }
                let added = document(&fields, &talk, companies).and_then(|d| Ok(writer.add_document(d)?));
                if let Err(e) = added {
                    failure = Some(e);
                }
                progress.inc(1);
            }
        }
    })?;
    if let Some(e) = failure {
        return Err(e);
    }
    if base.is_some() && changes == 0 {
        return Ok((read, None));
    }
    writer.commit()?;
    drop(base_searcher);
    let touched: Vec<String> = seen.into_iter().filter(|&(_, n)| n > 1).map(|(key, _)| key).collect();
    if regroup(&index, &fields, &mut writer, touched, companies)? {
        writer.commit()?;
    }
    merge_into_parts(&index, writer)?;
    // The speakers, from the talks that are searched (a talk listed twice counts once).
    let mut people = People::new(companies);
    let (mut talks, mut merged) = (0, 0);
    for_each_stored_talk(&index, &fields, |talk| {
        if talk.listed_as.is_none() {
            people.add(&talk);
            talks += 1;
        } else {
            merged += 1;
        }
    })?;
    staging.write_sidecars(people.finish(), read.as_ref())?;
    Ok((read, Some((talks, merged))))
}

/// Groups again the listings of each title in `keys` (see [`dedupe`]): the listing that stands
/// for a group is written again with the others in `also_listed`, and the others with `listed_as`
/// and nothing searchable. Titles whose grouping did not change are left as they are. Returns
/// whether anything was written (to be committed).
fn regroup(
    index: &Index,
    fields: &Fields,
    writer: &mut IndexWriter,
    keys: Vec<String>,
    companies: &Companies,
) -> Result<bool> {
    if keys.is_empty() {
        return Ok(false);
    }
    let searcher = index.reader()?.searcher();
    let mut wrote = false;
    for key in keys {
        let term = tantivy::Term::from_field_text(fields.title_key, &key);
        let query = tantivy::query::TermQuery::new(term.clone(), tantivy::schema::IndexRecordOption::Basic);
        let top = searcher.search(&query, &TopDocs::with_limit(dedupe::MAX_LISTINGS + 1).order_by_score())?;
        let mut listings = Vec::with_capacity(top.len());
        for (_, address) in &top {
            listings.push(talk_from_doc(fields, &searcher.doc(*address)?)?);
        }
        listings.sort_by(|a, b| a.id.cmp(&b.id));
        let was_grouped = listings.iter().any(|t| !t.also_listed.is_empty() || t.listed_as.is_some());
        for t in &mut listings {
            t.also_listed.clear();
            t.listed_as = None;
        }
        let groups = dedupe::groups(&listings);
        if groups.is_empty() && !was_grouped {
            continue;
        }
        for group in &groups {
            // What another listing says of a speaker the head lists without a company.
            let known: Vec<(String, String)> = group[1..]
                .iter()
                .flat_map(|&i| &listings[i].speakers)
                .filter_map(|s| Some((crate::company::fold_name(&s.name), s.company.clone()?)))
                .collect();
            dedupe::fill_companies(&mut listings[group[0]], &known);
            let head = listings[group[0]].id.clone();
            let others: Vec<_> = group[1..].iter().map(|&i| dedupe::listing(&listings[i])).collect();
            listings[group[0]].also_listed = others;
            for &i in &group[1..] {
                listings[i].listed_as = Some(head.clone());
            }
        }
        writer.delete_term(term);
        for talk in &listings {
            writer.add_document(document(fields, talk, companies)?)?;
        }
        wrote = true;
    }
    Ok(wrote)
}

/// Talks per segment past which a generation is cut into several segments (one per core of the
/// machine building it, at most), which a search then reads in parallel (see `Generation::new` in
/// [`crate::search`]). Below it a generation is one segment.
pub const TALKS_PER_PART: u64 = 250_000;

/// How many segments a generation of `talks` talks ends as, on a machine with `cores` cores.
fn parts_for(talks: u64, cores: usize) -> usize {
    (talks.div_ceil(TALKS_PER_PART) as usize).clamp(1, cores.max(1))
}

/// Groups segments (id, talks) into `parts` groups of about equal talks: the biggest first, each
/// into the group with the fewest talks so far.
fn group_segments<T>(mut segments: Vec<(T, u64)>, parts: usize) -> Vec<Vec<T>> {
    segments.sort_by_key(|&(_, talks)| std::cmp::Reverse(talks));
    let mut groups: Vec<(u64, Vec<T>)> = (0..parts.max(1)).map(|_| (0, Vec::new())).collect();
    for (id, talks) in segments {
        if let Some(group) = groups.iter_mut().min_by_key(|(sum, _)| *sum) {
            group.0 += talks;
            group.1.push(id);
        }
    }
    groups.into_iter().map(|(_, ids)| ids).filter(|ids| !ids.is_empty()).collect()
}

/// Merges the committed segments of `index` into one, or, past [`TALKS_PER_PART`] talks, into one
/// per core (merged at the same time): each term of a query is then looked up and scored once per
/// part, not once per segment the writer made (on the whole corpus bare TopDocs got ~30 % faster, a
/// whole search ~7 %), and the talks an update deleted are dropped for good. The build's own writer
/// does it (it merges nothing else, see `NoMergePolicy` in [`fill`]): a second writer would take
/// tantivy's lock again, and that `flock` can still be held by a child process another thread is
/// forking at that moment (the descriptor lives in the child until it `exec`s), which made tests
/// fail with `LockBusy` under load.
fn merge_into_parts(index: &Index, mut writer: IndexWriter) -> Result<()> {
    let segments: Vec<_> =
        index.searchable_segment_metas()?.into_iter().map(|m| (m.id(), u64::from(m.num_docs()))).collect();
    let talks = segments.iter().map(|(_, n)| n).sum();
    let merges: Vec<_> = group_segments(segments, parts_for(talks, crate::config::cores()))
        .into_iter()
        .filter(|ids| ids.len() > 1)
        .map(|ids| writer.merge(&ids))
        .collect();
    for merge in merges {
        merge.wait()?;
    }
    writer.wait_merging_threads()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::talk::{Event, Speaker};

    #[test]
    fn big_generations_are_cut_into_parts_of_about_equal_talks() {
        assert_eq!(parts_for(21_000, 2), 1);
        assert_eq!(parts_for(TALKS_PER_PART, 2), 1);
        assert_eq!(parts_for(TALKS_PER_PART + 1, 2), 2);
        assert_eq!(parts_for(1_000_000, 2), 2);
        assert_eq!(parts_for(1_000_000, 16), 4);
        assert_eq!(parts_for(1_000_000, 1), 1);
        let segments = vec![("a", 300), ("b", 100), ("c", 250), ("d", 200), ("e", 150)];
        let groups = group_segments(segments.clone(), 2);
        let sums: Vec<u64> =
            groups.iter().map(|g| g.iter().map(|id| segments.iter().find(|(s, _)| s == id).unwrap().1).sum()).collect();
        assert_eq!(groups, vec![vec!["a", "e", "b"], vec!["c", "d"]]);
        assert_eq!(sums, vec![550, 450]);
        assert_eq!(group_segments(segments, 1).len(), 1);
        assert_eq!(group_segments(vec![("a", 5)], 2), vec![vec!["a"]]);
    }

    fn talk(title: &str) -> Talk {
        let event = Event {
            title: "Test Event".into(),
            date: Some("2022-03-19".into()),
            source: "t.md".into(),
            ..Event::default()
        };
        Talk {
            id: Talk::make_id(&event.title, title, ""),
            title: title.into(),
            speakers: vec![Speaker { name: "张晓辉".into(), ..Speaker::default() }],
            language: "zh".into(),
            event,
            ..Talk::default()
        }
    }

    #[test]
    fn rebuild_switches_generation_and_keeps_one_previous() {
        let dir = tempfile::tempdir().unwrap();
        let index_dir = IndexDir::new(dir.path());
        assert_eq!(index_dir.state().unwrap(), State::Empty);
        let pb = ProgressBar::hidden();
        let first = build(dir.path(), &[talk("服务网格")], &pb).unwrap();
        let second = build(dir.path(), &[talk("服务网格"), talk("可观测性")], &pb).unwrap();
        let third = build(dir.path(), &[talk("云原生")], &pb).unwrap();
        assert!(!first.generation.exists(), "the oldest generation is removed");
        assert!(second.generation.exists(), "the previous generation is kept for readers still on it");
        let opened = index_dir.open().unwrap();
        assert_eq!(opened.index.reader().unwrap().searcher().num_docs(), 1);
        assert_eq!(opened.speakers.len(), 1);
        assert_eq!(index_dir.current().unwrap(), Some(third.generation));
    }

    #[test]
    fn a_corrupt_pointer_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("CURRENT"), "../../etc\n").unwrap();
        assert!(IndexDir::new(dir.path()).open().is_err());
    }
}
