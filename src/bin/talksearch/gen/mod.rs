//! Inputs generated from a real corpus: synthetic corpora for scale tests, and benchmark queries.
//!
//! `--talks N`: each synthetic talk takes its language from a random real talk (so the languages keep
//! the source's proportions) and then, from real talks of that language, a title, an abstract
//! (sometimes followed by a paragraph of another), a speaker count and speakers (name, bio and
//! company drawn independently) and a date. Talks are written in the pyvideo layout the ingest step
//! already reads: `<out>/gen-<k>/category.json` (a real event title) and
//! `<out>/gen-<k>/videos/<n>.json`, 1000 talks per event folder, `n` numbering all talks so ids never
//! collide. Talk `n` depends only on the seed, `n` and the source, never on thread scheduling.
//!
//! `--queries N`: N distinct queries for `talksearch bench`, each a fragment of one real talk's title
//! or abstract as a person would type it (see [`queries::generate_queries`]).
//!
//! `--lexicon`: the bilingual lexicon and abbreviation tables of `data/lexicon/`, mined from the
//! corpus, and CC-CEDICT cut down to it (see [`lexicon`]).
//!
//! Either way the same seed and source give byte-identical output.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use anyhow::{bail, Context};
use clap::{ArgGroup, Args};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use talksearch::config::DEFAULT_DATA;
use talksearch::ingest;
use talksearch::talk::{Speaker, Talk};

mod lexicon;
mod queries;

/// Talks per event folder.
pub const TALKS_PER_EVENT: u64 = 1000;
/// Chance that an abstract gets a second paragraph from another talk.
const EXTRA_PARAGRAPH: f64 = 0.3;

/// `talksearch gen` flags: `--talks N` writes a corpus, `--queries N` a query file.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("what").required(true).args(["talks", "queries", "lexicon"])))]
pub struct GenArgs {
    /// How many talks to write into the folder --out.
    #[arg(long)]
    pub talks: Option<u64>,
    /// How many distinct benchmark queries to write into the file --out instead of talks, in the
    /// format of `talksearch bench --queries`.
    #[arg(long)]
    pub queries: Option<u64>,
    /// Mine the bilingual lexicon and the abbreviations from the corpus (--from) into the folder
    /// --out (`data/lexicon/`), and cut CC-CEDICT down to the corpus with --cedict.
    #[arg(long)]
    pub lexicon: bool,
    /// With --lexicon, the CC-CEDICT file (`cedict_ts.u8`) to cut down; without it `cedict.tsv` is
    /// left as it is.
    #[arg(long, value_name = "FILE", requires = "lexicon")]
    pub cedict: Option<PathBuf>,
    /// With --talks, the folder to write into (new or empty; index it with `talksearch index --data
    /// DIR`); with --queries, the file to write (`-` for standard output).
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
    /// The seed; the same seed and source give the same files.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The real corpus to draw from (repeatable). Default: data/corpus.
    #[arg(long = "from", value_name = "PATH")]
    pub from: Vec<PathBuf>,
}

/// splitmix64: tiny, fast, and good enough to pick list items.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    #[cfg(test)]
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// A generator for item `n` of stream `salt`: independent of every other item's.
    fn for_item(seed: u64, salt: u64, n: u64) -> Rng {
        Rng(mix(seed ^ mix(salt.wrapping_add(mix(n)))))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in `0..n` (`n > 0`), by multiply-shift.
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

const SALT_TALK: u64 = 1;
const SALT_EVENT: u64 = 2;

/// The real material of one language.
#[derive(Default)]
struct Pool<'a> {
    titles: Vec<&'a str>,
    /// Abstracts with their outline and takeaways, as paragraphs; non-empty ones only.
    abstracts: Vec<Vec<&'a str>>,
    speakers: Vec<&'a Speaker>,
    /// The number of speakers of each talk (0 included), to keep the distribution.
    speaker_counts: Vec<usize>,
    dates: Vec<Option<&'a str>>,
}

/// Everything the generator draws from.
struct Source<'a> {
    /// The language of every source talk, in source order: drawing one keeps the proportions.
    languages: Vec<&'a str>,
    pools: BTreeMap<&'a str, Pool<'a>>,
    events: Vec<&'a str>,
}

impl<'a> Source<'a> {
    fn new(talks: &'a [Talk]) -> Source<'a> {
        let mut pools: BTreeMap<&str, Pool> = BTreeMap::new();
        let mut events: Vec<&str> = Vec::new();
        let mut seen_events = std::collections::HashSet::new();
        for t in talks {
            let pool = pools.entry(t.language.as_str()).or_default();
            pool.titles.push(&t.title);
            let paragraphs: Vec<&str> = std::iter::once(t.abstract_text.as_str())
                .flat_map(|a| a.split('\n'))
                .chain(t.outline.iter().map(String::as_str))
                .chain(t.takeaways.iter().map(String::as_str))
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect();
            if !paragraphs.is_empty() {
                pool.abstracts.push(paragraphs);
            }
            pool.speakers.extend(t.speakers.iter());
            pool.speaker_counts.push(t.speakers.len());
            pool.dates.push(t.event.date.as_deref());
            if seen_events.insert(t.event.title.as_str()) {
                events.push(&t.event.title);
            }
        }
        Source { languages: talks.iter().map(|t| t.language.as_str()).collect(), pools, events }
    }
}

/// A speaker as written: pyvideo lists names; the reader also accepts objects with a `name`, so the
/// bio and company ride along for readers that use them.
#[derive(Serialize)]
struct SpeakerOut<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    bio: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    company: Option<&'a str>,
}

/// One pyvideo talk record.
#[derive(Serialize)]
struct Record<'a> {
    title: &'a str,
    description: String,
    speakers: Vec<SpeakerOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recorded: Option<&'a str>,
    language: &'a str,
}

/// Synthetic talk number `n` as a record.
fn record<'a>(src: &Source<'a>, seed: u64, n: u64) -> Record<'a> {
    let mut rng = Rng::for_item(seed, SALT_TALK, n);
    let language = *rng.pick(&src.languages);
    let pool = &src.pools[language];
    let title = *rng.pick(&pool.titles);
    let mut paragraphs: Vec<&str> = Vec::new();
    if !pool.abstracts.is_empty() {
        paragraphs.extend(rng.pick(&pool.abstracts));
        if rng.chance(EXTRA_PARAGRAPH) {
            paragraphs.push(rng.pick(&pool.abstracts)[0]);
        }
    }
    let count = *rng.pick(&pool.speaker_counts);
    let speakers = if pool.speakers.is_empty() {
        Vec::new()
    } else {
        (0..count)
            .map(|_| SpeakerOut {
                name: &rng.pick(&pool.speakers).name,
                bio: rng.pick(&pool.speakers).bio.as_deref(),
                company: rng.pick(&pool.speakers).company.as_deref(),
            })
            .collect()
    };
    let recorded = *rng.pick(&pool.dates);
    // Blank lines separate paragraphs for the pyvideo reader's cleanup.
    Record { title, description: paragraphs.join("\n\n"), speakers, recorded, language }
}

/// What a run wrote.
#[derive(Debug, Clone, Default)]
pub struct GenStats {
    pub talks: u64,
    pub events: u64,
    pub bytes: u64,
    pub seconds: f64,
    /// Talks written per language.
    pub languages: BTreeMap<String, u64>,
}

/// Writes `n` synthetic talks recombined from `source` into `out` (which must be new or empty).
pub fn generate(source: &[Talk], n: u64, seed: u64, out: &Path, progress: &ProgressBar) -> anyhow::Result<GenStats> {
    if source.is_empty() {
        bail!("the source corpus has no talks");
    }
    if std::fs::read_dir(out).is_ok_and(|mut d| d.next().is_some()) {
        bail!("{} is not empty; give a new or empty folder", out.display());
    }
    let started = Instant::now();
    let src = Source::new(source);
    let folders = n.div_ceil(TALKS_PER_EVENT);
    let next = AtomicU64::new(0);
    let threads = talksearch::config::cores().min(8) as u64;
    let results: Vec<anyhow::Result<GenStats>> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads.min(folders).max(1))
            .map(|_| {
                s.spawn(|| {
                    let mut stats = GenStats::default();
                    loop {
                        let folder = next.fetch_add(1, Ordering::Relaxed);
                        if folder >= folders {
                            return Ok(stats);
                        }
                        write_folder(&src, seed, out, folder, n, &mut stats, progress)?;
                    }
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().expect("a gen thread panicked")).collect()
    });
    let mut total = GenStats::default();
    for r in results {
        let r = r?;
        total.talks += r.talks;
        total.events += r.events;
        total.bytes += r.bytes;
        for (lang, count) in r.languages {
            *total.languages.entry(lang).or_default() += count;
        }
    }
    total.seconds = started.elapsed().as_secs_f64();
    Ok(total)
}

fn write_folder(
    src: &Source,
    seed: u64,
    out: &Path,
    folder: u64,
    n: u64,
    stats: &mut GenStats,
    progress: &ProgressBar,
) -> anyhow::Result<()> {
    let dir = out.join(format!("gen-{folder:05}"));
    let videos = dir.join("videos");
    std::fs::create_dir_all(&videos).with_context(|| format!("creating {}", videos.display()))?;
    let event = *Rng::for_item(seed, SALT_EVENT, folder).pick(&src.events);
    let category = serde_json::to_vec_pretty(&serde_json::json!({ "title": event }))?;
    write(&dir.join("category.json"), &category)?;
    stats.bytes += category.len() as u64;
    stats.events += 1;
    let mut buf = Vec::with_capacity(4096);
    for k in folder * TALKS_PER_EVENT..((folder + 1) * TALKS_PER_EVENT).min(n) {
        let rec = record(src, seed, k);
        buf.clear();
        serde_json::to_writer_pretty(&mut buf, &rec)?;
        buf.push(b'\n');
        write(&videos.join(format!("{k}.json")), &buf)?;
        stats.bytes += buf.len() as u64;
        stats.talks += 1;
        *stats.languages.entry(rec.language.to_string()).or_default() += 1;
        progress.inc(1);
    }
    Ok(())
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut f = std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    f.write_all(bytes).with_context(|| format!("writing {}", path.display()))
}

/// `talksearch gen`: writes the synthetic corpus or the query file asked for, with a summary.
pub fn run(args: GenArgs) -> anyhow::Result<()> {
    match (args.talks, args.queries) {
        _ if args.lexicon => lexicon::run_lexicon(args),
        (Some(talks), None) => run_talks(talks, args),
        (None, Some(n)) => queries::run_queries(n, args),
        // clap's group already refuses both and neither; this keeps `run` honest when called directly.
        _ => bail!("give exactly one of --talks N, --queries N and --lexicon"),
    }
}

/// Reads the real corpus a run draws from (`--from`, or the shipped corpus): the paths read, what
/// they held, and the seconds reading took.
fn read_source(from: Vec<PathBuf>) -> anyhow::Result<(Vec<PathBuf>, ingest::Ingested, f64)> {
    let from = if from.is_empty() { vec![PathBuf::from(DEFAULT_DATA)] } else { from };
    let started = Instant::now();
    let ingested =
        ingest::read_paths(&from, |_, _| {}).map_err(|f| anyhow::anyhow!("{}: {}", f.path.display(), f.error))?;
    Ok((from, ingested, started.elapsed().as_secs_f64()))
}

/// `talksearch gen --talks N`: reads the source corpus and writes the synthetic one, with a summary.
fn run_talks(talks: u64, args: GenArgs) -> anyhow::Result<()> {
    if talks == 0 {
        bail!("--talks must be at least 1");
    }
    let (from, ingested, read_seconds) = read_source(args.from)?;
    let bar = ProgressBar::new(talks);
    bar.set_style(
        ProgressStyle::with_template("{prefix:>9} [{bar:40}] {pos}/{len} ({per_sec}, {eta})")
            .expect("the progress template is valid")
            .progress_chars("=> "),
    );
    bar.set_prefix("writing");
    let stats = generate(&ingested.talks, talks, args.seed, &args.out, &bar)?;
    bar.finish_and_clear();
    let share = |counts: &mut dyn Iterator<Item = (String, u64)>, total: u64| -> String {
        let mut v: Vec<(String, u64)> = counts.collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v.iter()
            .take(4)
            .map(|(l, c)| format!("{l} {:.1}%", *c as f64 * 100.0 / total as f64))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut source_langs: BTreeMap<String, u64> = BTreeMap::new();
    for t in &ingested.talks {
        *source_langs.entry(t.language.clone()).or_default() += 1;
    }
    let source_total = ingested.talks.len() as u64;
    println!(
        "source:  {} talks from {} ({:.2} s); {}",
        source_total,
        from.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "),
        read_seconds,
        share(&mut source_langs.into_iter(), source_total)
    );
    println!(
        "written: {} talks in {} event folders under {} (seed {}); {}",
        stats.talks,
        stats.events,
        args.out.display(),
        args.seed,
        share(&mut stats.languages.clone().into_iter(), stats.talks)
    );
    println!(
        "         {:.1} MiB in {:.2} s ({:.0} talks/s)",
        stats.bytes as f64 / (1024.0 * 1024.0),
        stats.seconds,
        stats.talks as f64 / stats.seconds.max(1e-9)
    );
    println!("index it with: talksearch index --data {} --index <DIR>", args.out.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixtures() -> Vec<Talk> {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
        let talks = ingest::read_paths(&[data], |_, _| {}).unwrap().talks;
        assert!(talks.len() > 5, "the fixtures have talks");
        talks
    }

    fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut out: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
            .sort_by_file_name()
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                (e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap())
            })
            .collect();
        out.sort();
        out
    }

    #[test]
    fn the_same_seed_gives_the_same_bytes() {
        let talks = fixtures();
        let (a, b, c) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let pb = ProgressBar::hidden();
        let stats = generate(&talks, 2100, 7, a.path(), &pb).unwrap();
        generate(&talks, 2100, 7, b.path(), &pb).unwrap();
        generate(&talks, 2100, 8, c.path(), &pb).unwrap();
        assert_eq!((stats.talks, stats.events), (2100, 3));
        let (fa, fb, fc) = (files(a.path()), files(b.path()), files(c.path()));
        assert_eq!(fa.len(), 2100 + 3);
        assert!(fa == fb, "same seed, same files");
        assert_ne!(fa, fc, "another seed, other talks");
        assert_eq!(
            fa.iter().map(|f| &f.0).collect::<Vec<_>>(),
            fc.iter().map(|f| &f.0).collect::<Vec<_>>(),
            "the layout depends on N only"
        );
    }

    #[test]
    fn the_output_reads_back_as_distinct_talks_in_the_source_languages() {
        let talks = fixtures();
        let out = tempfile::tempdir().unwrap();
        generate(&talks, 300, 1, out.path(), &ProgressBar::hidden()).unwrap();
        let back = ingest::read_paths(&[out.path().to_path_buf()], |_, _| {}).unwrap();
        assert!(back.failed.is_empty(), "{:?}", back.failed);
        assert_eq!((back.talks.len(), back.duplicates), (300, 0));
        let titles: std::collections::HashSet<&str> = talks.iter().map(|t| t.title.as_str()).collect();
        assert!(back.talks.iter().all(|t| titles.contains(t.title.as_str())));
        let zh_source = talks.iter().filter(|t| t.language == "zh").count() as f64 / talks.len() as f64;
        let zh_out = back.talks.iter().filter(|t| t.language == "zh").count() as f64 / 300.0;
        assert!((zh_source - zh_out).abs() < 0.1, "zh share {zh_source:.2} in the source, {zh_out:.2} written");
    }

    #[test]
    fn a_non_empty_folder_is_refused() {
        let out = tempfile::tempdir().unwrap();
        std::fs::write(out.path().join("x"), "x").unwrap();
        assert!(generate(&fixtures(), 1, 1, out.path(), &ProgressBar::hidden()).is_err());
    }

    #[test]
    fn rng_is_uniform_enough_and_in_range() {
        let mut rng = Rng::new(42);
        let mut counts = [0u32; 10];
        for _ in 0..100_000 {
            counts[rng.below(10)] += 1;
        }
        assert!(counts.iter().all(|&c| (9_000..11_000).contains(&c)), "{counts:?}");
        assert_eq!(Rng::new(1).next_u64(), Rng::new(1).next_u64());
    }
}
