//! The commands behind the CLI: `index`, `serve`, `search`. Each takes resolved [`Settings`].

use std::time::Instant;

use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressStyle};
use talksearch::config::{Limits, Settings};
use talksearch::index_dir::{IndexDir, State};
use talksearch::indexer::{self, BuildStats};
use talksearch::ingest::schedule::{self, talks_format, when::Zone, Mapping};
use talksearch::ingest::Ingested;
use talksearch::schema;
use talksearch::search::{Engine, Filters, SearchRequest};
use talksearch::server;

/// Reads `settings.data` and builds a new index generation (only re-reading files that changed
/// since the current one unless `full`), then prints a summary.
pub fn index(settings: &Settings, full: bool) -> anyhow::Result<()> {
    let (ingested, stats) = build_index(settings, full, &schedule::Options::default())?;
    print!("{}", summary(&ingested, stats.as_ref()));
    Ok(())
}

/// Like [`index`], reading schedules with a mapping (`--map`) and/or a time zone (`--timezone`).
pub fn index_with(
    settings: &Settings,
    full: bool,
    map: Option<&std::path::Path>,
    timezone: Option<Zone>,
) -> anyhow::Result<()> {
    let map = map.map(|path| Mapping::load(path).map(std::sync::Arc::new)).transpose().map_err(anyhow::Error::msg)?;
    let (ingested, stats) = build_index(settings, full, &schedule::Options { timezone, map })?;
    print!("{}", summary(&ingested, stats.as_ref()));
    Ok(())
}

/// Writes every talk of the index in `dir` to standard output as JSON lines (the format `index`
/// reads back), one segment's stored documents after another.
pub fn export(dir: &IndexDir) -> anyhow::Result<()> {
    use std::io::Write;
    let opened = dir.open().with_context(|| format!("opening the index in {}", dir.path().display()))?;
    let searcher = opened.index.reader().context("reading the index")?.searcher();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for segment in searcher.segment_readers() {
        let store = segment.get_store_reader(16).context("reading the stored talks")?;
        for doc in segment.doc_ids_alive() {
            let doc: schema::Stored = store.get(doc).context("reading a stored talk")?;
            let talk = schema::talk_from_doc(&opened.fields, &doc)?;
            talks_format::write_jsonl(&mut out, &talk).context("writing to standard output")?;
        }
    }
    out.flush().context("writing to standard output")?;
    Ok(())
}

/// Reads the data (schedules with `options`) and builds the index, streaming talks into it. Returns
/// no stats when the index was already up to date. Refuses to replace an index with an empty one.
pub fn build_index(
    settings: &Settings,
    full: bool,
    options: &schedule::Options,
) -> anyhow::Result<(Ingested, Option<BuildStats>)> {
    let started = Instant::now();
    let (ingested, stats) = with_progress(settings, |reading, indexing| {
        indexer::index_paths_with(&settings.index_dir, &settings.data, full, options, reading, indexing)
    })?;
    let stats = stats.map(|mut s| {
        s.seconds = started.elapsed().as_secs_f64();
        s
    });
    Ok((ingested, stats))
}

/// Runs a build with progress bars for reading and indexing, saying what was being indexed where
/// when it fails.
fn with_progress<T>(
    settings: &Settings,
    build: impl FnOnce(&ProgressBar, &ProgressBar) -> talksearch::Result<T>,
) -> anyhow::Result<T> {
    let (reading, indexing) = (progress_bar("reading"), progress_bar("indexed"));
    indexing.set_style(
        ProgressStyle::with_template("{prefix:>9} {pos} talks ({per_sec})").expect("the progress template is valid"),
    );
    let result = build(&reading, &indexing);
    reading.finish_and_clear();
    indexing.finish_and_clear();
    result.with_context(|| {
        format!(
            "indexing {} into {} (the current index was left unchanged)",
            paths(settings),
            settings.index_dir.path().display()
        )
    })
}

/// Opens the index in `dir` for a command, saying which folder failed.
pub fn open_engine(dir: &IndexDir) -> anyhow::Result<Engine> {
    Engine::open(dir).with_context(|| format!("opening the index in {}", dir.path().display()))
}

/// The text of `path`, or `default` when no path is given (query files of `bench` and `eval`).
pub fn read_or_default(path: Option<&std::path::Path>, default: &str) -> anyhow::Result<String> {
    match path {
        Some(path) => std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display())),
        None => Ok(default.to_string()),
    }
}

fn paths(settings: &Settings) -> String {
    settings.data.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
}

fn progress_bar(what: &'static str) -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{prefix:>9} [{bar:40}] {pos}/{len} ({per_sec}, {eta})")
            .expect("the progress template is valid")
            .progress_chars("=> "),
    );
    bar.set_prefix(what);
    bar
}

/// The end-of-build report: what was read, what was indexed, what failed and why.
pub fn summary(ingested: &Ingested, stats: Option<&BuildStats>) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(s, "files found:         {}", ingested.files_read);
    if ingested.incremental {
        let _ = writeln!(s, "files unchanged:     {} (not parsed again)", ingested.unchanged);
        let _ = writeln!(s, "files parsed:        {}", ingested.files_read.saturating_sub(ingested.unchanged));
        let _ = writeln!(s, "talks (re)indexed:   {}", ingested.added);
        let _ = writeln!(s, "talks removed:       {}", ingested.removed.len());
    }
    if let Some(stats) = stats {
        let _ = writeln!(s, "talks in the index:  {}", stats.talks);
    }
    let _ = writeln!(s, "pages without talks: {}", ingested.without_talks.len());
    let _ = writeln!(s, "duplicate talks:     {}", ingested.duplicates);
    let _ = writeln!(s, "other files skipped: {}", ingested.skipped);
    if ingested.symlinks > 0 {
        let _ = writeln!(s, "symlinks skipped:    {} (not followed)", ingested.symlinks);
    }
    if !ingested.cut.is_empty() {
        let _ = writeln!(s, "talks cut to bounds: {}", ingested.cut.len());
        for c in &ingested.cut {
            let title: String = c.title.chars().take(60).collect();
            let _ = writeln!(s, "  {}: {title:?}: {} cut", c.path.display(), c.fields.join(", "));
        }
    }
    let _ = writeln!(s, "files failed:        {}", ingested.failed.len());
    for f in &ingested.failed {
        let _ = writeln!(s, "  {}: {}", f.path.display(), f.error);
    }
    match stats {
        Some(stats) => {
            let _ = writeln!(
                s,
                "index:               {} ({:.1} MiB) in {:.2} s",
                stats.generation.display(),
                stats.bytes as f64 / (1024.0 * 1024.0),
                stats.seconds
            );
        }
        None => {
            let _ = writeln!(s, "index:               up to date; no new generation");
        }
    }
    s
}

/// Serves the HTTP API. A server only reads the index folder: it builds an index only into a folder
/// that has none at all (a first start), and refuses to start on one it cannot read or serve,
/// saying what is damaged, rather than replace it.
pub fn serve(settings: &Settings) -> anyhow::Result<()> {
    let dir = &settings.index_dir;
    // `CURRENT` is read once, and the generation it names opened once.
    let state = dir.state().context("cannot serve")?;
    let opened = if state == State::Empty {
        if let Some(missing) = settings.data.iter().find(|p| !p.exists()) {
            bail!(
                "there is no index in {} yet, and the data folder {} to build it from does not exist (give --data PATH)",
                dir.path().display(),
                missing.display()
            );
        }
        tracing::info!(index = %dir.path().display(), data = %paths(settings), "no index yet; building it");
        let built = with_progress(settings, |reading, indexing| {
            indexer::index_paths_if_empty(dir, &settings.data, reading, indexing)
        })?;
        // None: another process built it meanwhile; that one is served.
        if let Some((ingested, stats)) = built {
            eprint!("{}", summary(&ingested, stats.as_ref()));
        }
        dir.open()
    } else {
        dir.open_state(state)
    };
    let engine = opened.and_then(|opened| Engine::serve(dir.clone(), opened)).context("cannot serve")?;
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(server::serve(engine, settings.clone()))
}

/// Searches from the terminal and prints a listing or the JSON response.
pub fn search(
    index_dir: &IndexDir,
    q: &str,
    limit: usize,
    offset: usize,
    filters: Filters,
    json: bool,
) -> anyhow::Result<()> {
    let limits = Limits::default();
    if limit == 0 || limit > limits.max_limit {
        bail!("--limit must be between 1 and {}", limits.max_limit);
    }
    if q.trim().is_empty() && filters.is_empty() {
        bail!("give a query or a filter (--company, --event, --year, --lang)");
    }
    let engine = open_engine(index_dir)?;
    let response = engine.search(&SearchRequest { q: q.to_string(), limit, offset, filters })?;
    if json {
        println!("{}", serde_json::to_string_pretty(&response)?);
        return Ok(());
    }
    println!(
        "{} talks for {:?} in {:.2} ms{}",
        response.total,
        response.query,
        response.took_ms,
        if response.relaxed { " (no talk matched every word; showing partial matches)" } else { "" }
    );
    for (i, hit) in response.hits.iter().enumerate() {
        let speakers: Vec<String> =
            hit.speakers.iter().map(|s| talksearch::talk::name_with_company(&s.name, s.company.as_deref())).collect();
        println!("\n{:>3}. {}  [{}]", offset + i + 1, hit.title, hit.id);
        println!(
            "     {}{}{}",
            hit.event.title,
            hit.event.date.as_deref().map(|d| format!(", {d}")).unwrap_or_default(),
            hit.time.as_deref().map(|t| format!(", {t}")).unwrap_or_default()
        );
        if !speakers.is_empty() {
            println!("     {}", speakers.join(", "));
        }
        if !hit.abstract_text.is_empty() {
            println!("     {}", hit.abstract_text.replace('\n', " "));
        }
    }
    Ok(())
}

/// Lists speakers by company and/or name.
pub fn speakers(
    index_dir: &IndexDir,
    company: Option<&str>,
    name: Option<&str>,
    limit: usize,
    json: bool,
) -> anyhow::Result<()> {
    let engine = open_engine(index_dir)?;
    let response = engine.speakers(company, name, limit);
    if json {
        println!("{}", serde_json::to_string_pretty(&response)?);
        return Ok(());
    }
    println!("{} speakers", response.total);
    for s in &response.speakers {
        let company = s.company.as_ref().map(|c| format!(" — {}", c.name)).unwrap_or_default();
        let stated = match (&s.company_text, &s.company) {
            (Some(text), Some(c)) if *text != c.name => format!(" (page: {text})"),
            _ => String::new(),
        };
        let former: Vec<&str> = s.former_companies.iter().map(|c| c.name.as_str()).collect();
        let former = if former.is_empty() { String::new() } else { format!("; formerly {}", former.join(", ")) };
        println!("\n{}{company}{stated}{former}", s.name);
        for t in &s.talks {
            println!("    {}  ({})  [{}]", t.title, t.event, t.id);
        }
    }
    Ok(())
}
