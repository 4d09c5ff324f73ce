//! The latency benchmark command: a query mix run in-process or over HTTP, with its floor, reported as percentiles.
//!
//! Every run measures two phases with the same bound (`--requests` or `--duration`), each after its
//! own warm-up: the search itself and a floor, i.e. what the libraries and the hardware allow.
//! - `inproc`: [`Engine::search`] (top 10 with highlights) vs [`Engine::search_floor`] (the same
//!   query as bare tantivy `TopDocs`), on `--threads` threads.
//! - `http`: `GET /api/search?…` vs `GET /healthz` against a running `talksearch serve` on loopback,
//!   with `--concurrency` keep-alive connections through hyper's pooled client.
//!
//! Queries are sent round robin in file order; each request's latency goes into its class. Latencies
//! are kept in full and sorted, so percentiles are exact (nearest rank), not estimated, and
//! `--plot` can draw the whole distribution.
//!
//! The parts: `queries` (the query mix), `stats` (samples, percentiles, the report's types), `http`
//! (the HTTP runner), `report` (progress bars and the table), `plot` (the SVG); the in-process runner
//! is here.

mod http;
mod plot;
mod queries;
mod report;
mod stats;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::bail;
use clap::Args;
use indicatif::ProgressBar;
use talksearch::index_dir::{self, IndexDir};
use talksearch::search::{Engine, SearchRequest};

pub use self::http::run_http;
pub use self::plot::write_plot;
pub use self::queries::{parse_queries, BenchQuery, DEFAULT_QUERIES};
pub use self::report::format_report;
pub use self::stats::{proc_status_bytes, BenchMode, Machine, Options, Report, DEFAULT_REQUESTS};

use self::queries::classes;
use self::report::progress_bar;
use self::stats::{Bound, Outcome, Samples};
use crate::cli::IndexArg;

/// `talksearch bench` flags.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// inproc: the search library in this process; http: a running `talksearch serve`.
    #[arg(long, value_enum, default_value_t = BenchMode::Inproc)]
    pub mode: BenchMode,
    #[command(flatten)]
    pub index: IndexArg,
    /// The server's base URL (http mode); loopback addresses only.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// Concurrent keep-alive connections (http mode).
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Threads running searches (inproc mode) or driving the HTTP client (http mode).
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// The query mix: one query per line, `[class] query<TAB>params`. Default: the shipped mix.
    #[arg(long, value_name = "FILE")]
    pub queries: Option<PathBuf>,
    /// Requests before each measured phase, not measured.
    #[arg(long, default_value_t = 200)]
    pub warmup: u64,
    /// Measured requests per phase (default 5000 unless --duration is given).
    #[arg(long)]
    pub requests: Option<u64>,
    /// Seconds per measured phase; with --requests, whichever comes first.
    #[arg(long, value_name = "SECS")]
    pub duration: Option<f64>,
    /// Split each phase's requests (or seconds) into this many rounds, run as search, floor,
    /// search, floor …: on a machine whose speed drifts, both phases then meet the same moments, and
    /// the report gives the throughput ratio of each round.
    #[arg(long, default_value_t = 1)]
    pub rounds: u32,
    /// Print a machine-readable JSON report instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Also draw the latency distribution (percentile curves per class, overall and floor) to this SVG file.
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<PathBuf>,
    /// The server's process id (http mode), to report its resident memory.
    #[arg(long, value_name = "PID")]
    pub server_pid: Option<u32>,
}

/// Runs `request(k)` for k = 0, 1, … on `threads` threads until `bound`; `class_of(k)` files each latency.
fn run_threads(
    threads: usize,
    classes: usize,
    bound: Bound,
    bar: &ProgressBar,
    class_of: impl Fn(u64) -> usize + Sync,
    request: impl Fn(u64) -> Outcome + Sync,
) -> Samples {
    let next = AtomicU64::new(0);
    let started = Instant::now();
    let mut samples = Samples::new(classes);
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads.max(1))
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Samples::new(classes);
                    loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        if !bound.allows(k, started) {
                            break;
                        }
                        let t = Instant::now();
                        let outcome = request(k);
                        mine.record(class_of(k), t.elapsed().as_nanos() as u64, outcome);
                        bar.inc(1);
                    }
                    mine
                })
            })
            .collect();
        for w in workers {
            samples.merge(w.join().expect("a bench thread panicked"));
        }
    });
    samples.seconds = started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    samples
}

/// Benchmarks `engine` in this process: [`Engine::search`] and then [`Engine::search_floor`] on the
/// same queries, each after `opts.warmup` unmeasured requests.
pub fn run_inproc(engine: &Engine, queries: &[BenchQuery], opts: &Options) -> Report {
    let (names, class_index) = classes(queries);
    let requests: Vec<Option<SearchRequest>> = queries.iter().map(|q| q.request().ok()).collect();
    let n = queries.len() as u64;
    let class_of = |k: u64| class_index[(k % n) as usize];
    let search = |k: u64| -> Outcome {
        let req = requests[(k % n) as usize].as_ref().ok_or("the query does not validate")?;
        engine.search(req).map(|r| r.total == 0).map_err(|e| e.to_string())
    };
    let floor = |k: u64| -> Outcome {
        let req = requests[(k % n) as usize].as_ref().ok_or("the query does not validate")?;
        engine.search_floor(req).map(|hits| hits == 0).map_err(|e| e.to_string())
    };
    let bound = Bound::measured(opts);
    let mut phases = [Samples::new(names.len()), Samples::new(names.len())];
    let mut per_round = Vec::new();
    for round in 0..opts.rounds.max(1) {
        let bound = bound.round(round, opts.rounds);
        let mut qps = [0.0; 2];
        for (i, (name, f)) in
            [("search", &search as &(dyn Fn(u64) -> Outcome + Sync)), ("floor", &floor)].into_iter().enumerate()
        {
            if round == 0 {
                run_threads(opts.threads, names.len(), Bound::warmup(opts), &ProgressBar::hidden(), class_of, f);
            }
            let bar = progress_bar(opts.progress, bound, name);
            let samples = run_threads(opts.threads, names.len(), bound, &bar, class_of, f);
            qps[i] = samples.qps();
            phases[i].merge(samples);
        }
        per_round.push(qps[0] / qps[1].max(f64::MIN_POSITIVE));
    }
    let [search, floor] = phases;
    let (search, floor) = (search.into_phase("search", &names), floor.into_phase("tantivy TopDocs", &names));
    let mut machine = Machine::here();
    machine.talks = Some(engine.num_talks());
    Report::new(BenchMode::Inproc, String::new(), opts, queries.len(), machine, search, floor).with_rounds(per_round)
}

/// `talksearch bench`: loads the query mix, runs the chosen mode and prints the report.
pub fn run(args: BenchArgs) -> anyhow::Result<()> {
    let text = crate::commands::read_or_default(args.queries.as_deref(), DEFAULT_QUERIES)?;
    let source = args.queries.as_ref().map_or("the default query mix".to_string(), |p| p.display().to_string());
    let queries = parse_queries(&text).map_err(|e| anyhow::anyhow!("{source}: {e}"))?;
    let duration = match args.duration {
        Some(s) if !(s > 0.0 && s.is_finite()) => bail!("--duration must be a positive number of seconds"),
        Some(s) => Some(Duration::from_secs_f64(s)),
        None => None,
    };
    if args.threads == 0 || args.concurrency == 0 {
        bail!("--threads and --concurrency must be at least 1");
    }
    if args.requests == Some(0) {
        bail!("--requests must be at least 1");
    }
    let opts = Options {
        threads: args.threads,
        concurrency: args.concurrency,
        warmup: args.warmup,
        requests: if duration.is_none() { Some(args.requests.unwrap_or(DEFAULT_REQUESTS)) } else { args.requests },
        duration,
        rounds: args.rounds,
        progress: !args.json && std::io::stderr().is_terminal(),
    };
    // Checked against the requests run (the default when none is given), so no round is empty.
    if opts.rounds == 0 || opts.requests.is_some_and(|n| n < u64::from(opts.rounds)) {
        bail!("--rounds must be at least 1 and at most the requests per phase");
    }
    let index_dir = args.index.index_dir();
    let mut report = match args.mode {
        BenchMode::Inproc => {
            let engine = crate::commands::open_engine(&index_dir)?;
            let mut report = run_inproc(&engine, &queries, &opts);
            report.target = index_dir.path().display().to_string();
            report
        }
        BenchMode::Http => run_http(&args.url, &queries, &opts)?,
    };
    report.machine.index_bytes = index_bytes(&index_dir);
    if let Some(pid) = args.server_pid {
        report.machine.server_rss_bytes = proc_status_bytes(&pid.to_string(), "VmRSS:");
        report.machine.server_peak_rss_bytes = proc_status_bytes(&pid.to_string(), "VmHWM:");
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", format_report(&report));
    }
    // After the report, so that a plot that cannot be written does not lose the run.
    if let Some(path) = &args.plot {
        write_plot(&report, path)?;
    }
    Ok(())
}

/// Size of the current generation of the index in `dir`, if there is one.
fn index_bytes(dir: &IndexDir) -> Option<u64> {
    dir.current().ok().flatten().map(|g| index_dir::dir_size(&g))
}
