//! The latency benchmark command: a query mix run in-process or over HTTP, with its floor, reported as percentiles.
//!
//! Every run measures two phases with the same bound (`--requests` or `--duration`), each after its
//! own warm-up: the search itself and a floor, i.e. what the libraries and the hardware allow.
//! - `inproc`: [`Engine::search`] (top 10 with highlights) vs [`Engine::search_floor`] (the same
//!   query as bare tantivy `TopDocs`), on `--threads` threads.
//! - `http`: `GET /api/search?…` vs `GET /healthz` against a running `talksearch serve` on loopback,
//!   with `--concurrency` keep-alive connections driven by a small HTTP/1.1 client of our own (a
//!   heavier client would eat the CPU the server needs on a small machine and flatten the ratio).
//!
//! Queries are sent round robin in file order; each request's latency goes into its class. Latencies
//! are kept in full and sorted, so percentiles are exact (nearest rank), not estimated.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS, NON_ALPHANUMERIC};
use serde::Serialize;
use tokio::net::TcpStream;

use crate::cli::IndexArg;
use crate::config::{Limits, Settings};
use crate::indexer;
use crate::search::{Engine, SearchRequest};
use crate::server::error::ApiError;
use crate::server::params;

/// The default query mix, shipped in `benches/queries/default.txt`.
pub const DEFAULT_QUERIES: &str = include_str!("../benches/queries/default.txt");
/// Requests per phase when neither `--requests` nor `--duration` is given.
pub const DEFAULT_REQUESTS: u64 = 5000;
/// A request slower than this counts as an error (and its connection is dropped).
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

/// `talksearch bench` flags.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// inproc: the search library in this process; http: a running `talksearch serve`.
    #[arg(long, value_enum, default_value_t = Mode::Inproc)]
    pub mode: Mode,
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
    /// Print a machine-readable JSON report instead of the table.
    #[arg(long)]
    pub json: bool,
    /// The server's process id (http mode), to report its resident memory.
    #[arg(long, value_name = "PID")]
    pub server_pid: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Inproc,
    Http,
}

/// One line of a query file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BenchQuery {
    /// `zh`, `en`, `mixed`, `phrase`, `filtered`, `filter-only`, `none` or any name the file gives.
    pub class: String,
    pub q: String,
    /// The parameters after the TAB as a URL query string (`year=2019&lang=en`), possibly empty.
    pub params: String,
    /// 1-based line in the file, for messages.
    pub line: usize,
}

impl BenchQuery {
    /// The query string for `/api/search`: `q` encoded, the params with only unsafe bytes encoded.
    pub fn query_string(&self) -> String {
        let mut parts = Vec::new();
        if !self.q.is_empty() {
            parts.push(format!("q={}", utf8_percent_encode(&self.q, COMPONENT)));
        }
        if !self.params.is_empty() {
            parts.push(utf8_percent_encode(&self.params, QUERY_STRING).to_string());
        }
        parts.join("&")
    }

    /// The search request, validated exactly as the HTTP API validates it (so both modes run the
    /// same searches and a bad line is caught before the run).
    pub fn request(&self) -> Result<SearchRequest, String> {
        let raw = self.query_string();
        params::search_request(Some(&raw), &Limits::default()).map_err(|e| match e {
            ApiError::BadRequest(m) | ApiError::NotFound(m) | ApiError::Internal(m) => m,
        })
    }
}

/// Bytes encoded in `q`: everything but unreserved characters.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');
/// Bytes encoded in the params: those not allowed in a URL; `%`, `&`, `=` and `+` keep their meaning.
const QUERY_STRING: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'|')
    .add(b'\\')
    .add(b'^')
    .add(b'[')
    .add(b']');

/// Parses a query file (see `benches/queries/default.txt` for the format) and validates every line.
pub fn parse_queries(text: &str) -> Result<Vec<BenchQuery>, String> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() || raw.trim_start().starts_with('#') {
            continue;
        }
        let (mut rest, mut class) = (raw.trim_start_matches([' ', '\u{feff}']), None);
        if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']').ok_or_else(|| format!("line {line}: unclosed class prefix `[`"))?;
            let name = after[..end].trim();
            if name.is_empty() || name.contains(char::is_whitespace) {
                return Err(format!("line {line}: bad class name {name:?}"));
            }
            class = Some(name.to_string());
            rest = after[end + 1..].strip_prefix(' ').unwrap_or(&after[end + 1..]);
        }
        let (q, params) = rest.split_once('\t').unwrap_or((rest, ""));
        let (q, params) = (q.trim().to_string(), params.trim().to_string());
        let class = class.unwrap_or_else(|| infer_class(&q, &params).to_string());
        let query = BenchQuery { class, q, params, line };
        query.request().map_err(|e| format!("line {line}: {e}"))?;
        out.push(query);
    }
    if out.is_empty() {
        return Err("the query file has no queries".into());
    }
    Ok(out)
}

/// The class of a line without a `[class]` prefix.
fn infer_class(q: &str, params: &str) -> &'static str {
    let han = q.chars().any(crate::talk::is_han);
    let latin = q.chars().any(|c| c.is_ascii_alphanumeric());
    match () {
        _ if q.is_empty() => "filter-only",
        _ if !params.is_empty() => "filtered",
        _ if q.contains(['"', '“', '”']) => "phrase",
        _ if han && latin => "mixed",
        _ if han => "zh",
        _ => "en",
    }
}

/// How long each measured phase runs, and how it warms up.
#[derive(Debug, Clone, Serialize)]
pub struct Options {
    /// Threads issuing searches (inproc) or driving the HTTP client (http).
    pub threads: usize,
    /// Concurrent connections (http only).
    pub concurrency: usize,
    pub warmup: u64,
    /// Measured requests per phase; `None` with a duration means "until the duration is up".
    pub requests: Option<u64>,
    #[serde(rename = "duration_secs", serialize_with = "secs")]
    pub duration: Option<Duration>,
    /// Show a progress bar on stderr.
    #[serde(skip)]
    pub progress: bool,
}

fn secs<S: serde::Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    d.map(|d| d.as_secs_f64()).serialize(s)
}

impl Default for Options {
    fn default() -> Self {
        Options {
            threads: 1,
            concurrency: 16,
            warmup: 200,
            requests: Some(DEFAULT_REQUESTS),
            duration: None,
            progress: false,
        }
    }
}

/// Latency figures for a set of requests, in milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Stats {
    /// Requests answered without error.
    pub ok: u64,
    pub errors: u64,
    /// Successful answers with no results.
    pub empty: u64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
}

impl Stats {
    /// Figures from successful latencies in nanoseconds (any order).
    pub fn from_nanos(mut nanos: Vec<u64>, errors: u64, empty: u64) -> Stats {
        nanos.sort_unstable();
        let ms = |n: u64| n as f64 / 1e6;
        let mean = if nanos.is_empty() {
            0.0
        } else {
            nanos.iter().map(|&n| n as f64).sum::<f64>() / nanos.len() as f64 / 1e6
        };
        Stats {
            ok: nanos.len() as u64,
            errors,
            empty,
            p50_ms: ms(percentile(&nanos, 50.0)),
            p90_ms: ms(percentile(&nanos, 90.0)),
            p99_ms: ms(percentile(&nanos, 99.0)),
            p999_ms: ms(percentile(&nanos, 99.9)),
            max_ms: ms(nanos.last().copied().unwrap_or(0)),
            mean_ms: mean,
        }
    }
}

/// The nearest-rank percentile of sorted values: the smallest value with at least `p`% of the values
/// at or below it. 0 for no values.
pub fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64 - 1e-9).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

/// One measured phase: the search or the floor.
#[derive(Debug, Clone, Serialize)]
pub struct Phase {
    /// What was measured: `search`, `tantivy TopDocs`, `GET /healthz`.
    pub name: String,
    /// Wall-clock time of the phase.
    pub seconds: f64,
    /// Requests (successful or not) per second of wall-clock time.
    pub qps: f64,
    pub overall: Stats,
    /// Per query class, in the order the classes first appear in the query file.
    pub classes: Vec<ClassStats>,
    /// The first error seen, to say what went wrong.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClassStats {
    pub class: String,
    #[serde(flatten)]
    pub stats: Stats,
}

/// Facts about where the run happened.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Machine {
    pub cores: usize,
    pub cpu: Option<String>,
    pub memory_bytes: Option<u64>,
    /// Talks in the index (inproc: from the index; http: from `/healthz`).
    pub talks: Option<u64>,
    /// Size of the index's current generation on disk.
    pub index_bytes: Option<u64>,
    /// Peak resident memory of this process (VmHWM) at the end of the run.
    pub peak_rss_bytes: Option<u64>,
    /// The server's resident and peak resident memory at the end of the run (http with --server-pid).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_rss_bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_peak_rss_bytes: Option<u64>,
}

impl Machine {
    /// Cores, CPU model, memory and this process's peak RSS.
    pub fn here() -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name"))
            .map(|l| l.trim_start_matches([' ', '\t', ':']).to_string());
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        Machine {
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cpu,
            memory_bytes: kib_field(&meminfo, "MemTotal:"),
            peak_rss_bytes: proc_status_bytes("self", "VmHWM:"),
            ..Machine::default()
        }
    }
}

/// A `kB` field of a `/proc` file, in bytes.
fn kib_field(text: &str, name: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(name))?;
    let kib: u64 = line[name.len()..].split_whitespace().next()?.parse().ok()?;
    Some(kib * 1024)
}

/// A memory field (`VmHWM:`, `VmRSS:`) of `/proc/<pid>/status`, in bytes.
pub fn proc_status_bytes(pid: &str, name: &str) -> Option<u64> {
    kib_field(&std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?, name)
}

/// Search over floor, at p50 and p99 and in throughput.
#[derive(Debug, Clone, Serialize)]
pub struct Ratios {
    /// search p50 / floor p50 (≥ 1: how much slower than the floor).
    pub p50: f64,
    pub p99: f64,
    /// search QPS / floor QPS (≤ 1: the share of the floor's throughput).
    pub qps: f64,
    /// search p50 / floor p50 per class (inproc only: the floor runs the same queries).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub p50_per_class: BTreeMap<String, f64>,
}

/// A whole run, as printed by `--json`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub mode: Mode,
    /// The index directory (inproc) or the base URL (http).
    pub target: String,
    pub options: Options,
    pub queries: usize,
    pub machine: Machine,
    pub search: Phase,
    pub floor: Phase,
    pub ratios: Ratios,
}

impl Report {
    fn new(
        mode: Mode,
        target: String,
        options: &Options,
        queries: usize,
        machine: Machine,
        search: Phase,
        floor: Phase,
    ) -> Report {
        let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
        let mut p50_per_class = BTreeMap::new();
        if mode == Mode::Inproc {
            for c in &search.classes {
                if let Some(f) = floor.classes.iter().find(|f| f.class == c.class) {
                    p50_per_class.insert(c.class.clone(), ratio(c.stats.p50_ms, f.stats.p50_ms));
                }
            }
        }
        let ratios = Ratios {
            p50: ratio(search.overall.p50_ms, floor.overall.p50_ms),
            p99: ratio(search.overall.p99_ms, floor.overall.p99_ms),
            qps: ratio(search.qps, floor.qps),
            p50_per_class,
        };
        Report { mode, target, options: options.clone(), queries, machine, search, floor, ratios }
    }
}

/// What one request gave: `Ok(true)` for an answer without results.
type Outcome = Result<bool, String>;

/// The raw measurements of one phase.
struct Samples {
    /// Per class: latencies (ns) of successful requests, error count, empty count.
    per_class: Vec<(Vec<u64>, u64, u64)>,
    first_error: Option<String>,
    seconds: f64,
}

impl Samples {
    fn new(classes: usize) -> Samples {
        Samples { per_class: vec![(Vec::new(), 0, 0); classes], first_error: None, seconds: 0.0 }
    }

    fn record(&mut self, class: usize, nanos: u64, outcome: Outcome) {
        let slot = &mut self.per_class[class];
        match outcome {
            Ok(empty) => {
                slot.0.push(nanos);
                slot.2 += u64::from(empty);
            }
            Err(e) => {
                slot.1 += 1;
                self.first_error.get_or_insert(e);
            }
        }
    }

    fn merge(&mut self, other: Samples) {
        for (mine, theirs) in self.per_class.iter_mut().zip(other.per_class) {
            mine.0.extend(theirs.0);
            mine.1 += theirs.1;
            mine.2 += theirs.2;
        }
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }

    fn into_phase(self, name: &str, class_names: &[String]) -> Phase {
        let mut all = Vec::new();
        let (mut errors, mut empty) = (0, 0);
        let mut classes = Vec::new();
        for ((nanos, e, m), class) in self.per_class.into_iter().zip(class_names) {
            all.extend_from_slice(&nanos);
            errors += e;
            empty += m;
            if !nanos.is_empty() || e > 0 {
                classes.push(ClassStats { class: class.clone(), stats: Stats::from_nanos(nanos, e, m) });
            }
        }
        let overall = Stats::from_nanos(all, errors, empty);
        let total = (overall.ok + overall.errors) as f64;
        Phase {
            name: name.to_string(),
            seconds: self.seconds,
            qps: if self.seconds > 0.0 { total / self.seconds } else { 0.0 },
            overall,
            classes,
            first_error: self.first_error,
        }
    }
}

/// When a phase stops: after `requests` requests or at `deadline`, whichever comes first.
#[derive(Clone, Copy)]
struct Bound {
    requests: Option<u64>,
    duration: Option<Duration>,
}

impl Bound {
    fn measured(o: &Options) -> Bound {
        let requests = if o.requests.is_none() && o.duration.is_none() { Some(DEFAULT_REQUESTS) } else { o.requests };
        Bound { requests, duration: o.duration }
    }

    fn warmup(o: &Options) -> Bound {
        Bound { requests: Some(o.warmup), duration: None }
    }

    /// Whether request number `k` (0-based) may start.
    fn allows(&self, k: u64, started: Instant) -> bool {
        self.requests.is_none_or(|n| k < n) && self.duration.is_none_or(|d| started.elapsed() < d)
    }
}

/// The class names in order of first appearance, and each query's class index.
fn classes(queries: &[BenchQuery]) -> (Vec<String>, Vec<usize>) {
    let mut names: Vec<String> = Vec::new();
    let index = queries
        .iter()
        .map(|q| match names.iter().position(|n| *n == q.class) {
            Some(i) => i,
            None => {
                names.push(q.class.clone());
                names.len() - 1
            }
        })
        .collect();
    (names, index)
}

fn progress_bar(show: bool, bound: Bound, what: &str) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let bar = match bound.requests {
        Some(n) => ProgressBar::new(n),
        None => ProgressBar::new_spinner(),
    };
    let template = match bound.requests {
        Some(_) => "{prefix:>8} [{bar:40}] {pos}/{len} ({per_sec}, {eta})",
        None => "{prefix:>8} {spinner} {pos} requests ({per_sec}, {elapsed})",
    };
    bar.set_style(
        ProgressStyle::with_template(template).expect("the progress template is valid").progress_chars("=> "),
    );
    bar.set_prefix(what.to_string());
    bar
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
    let mut phases = Vec::new();
    for (name, f) in [("search", &search as &(dyn Fn(u64) -> Outcome + Sync)), ("floor", &floor)] {
        run_threads(opts.threads, names.len(), Bound::warmup(opts), &ProgressBar::hidden(), class_of, f);
        let bar = progress_bar(opts.progress, bound, name);
        phases.push(run_threads(opts.threads, names.len(), bound, &bar, class_of, f));
    }
    let floor = phases.pop().expect("two phases").into_phase("tantivy TopDocs", &names);
    let search = phases.pop().expect("two phases").into_phase("search", &names);
    let mut machine = Machine::here();
    machine.talks = Some(engine.num_talks());
    Report::new(Mode::Inproc, String::new(), opts, queries.len(), machine, search, floor)
}

/// A loopback HTTP target: where to connect, what to send as `Host`, and the base path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub addr: SocketAddr,
    pub host: String,
    pub base_path: String,
}

/// Parses `http://host[:port][/path]`, refusing anything but loopback hosts (127.0.0.0/8,
/// `localhost`, `[::1]`): the bench sends thousands of requests a second and must not be pointed at
/// someone else's server.
pub fn loopback_target(url: &str) -> Result<Target, String> {
    let rest = url.strip_prefix("http://").ok_or_else(|| format!("{url:?}: only http:// URLs are supported"))?;
    let (authority, path) = rest.split_at(rest.find(['/', '?', '#']).unwrap_or(rest.len()));
    if path.contains(['?', '#']) {
        return Err(format!("{url:?}: give the server's base URL, without a query or fragment"));
    }
    if authority.contains('@') {
        return Err(format!("{url:?}: user names in the URL are not supported"));
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => {
            let end = v6.find(']').ok_or_else(|| format!("{url:?}: unclosed `[` in the host"))?;
            (&v6[..end], v6[end + 1..].strip_prefix(':'))
        }
        None => match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        },
    };
    let port: u16 = match port {
        Some(p) => p.parse().map_err(|_| format!("{url:?}: bad port {p:?}"))?,
        None => 80,
    };
    let ip: IpAddr = if host.eq_ignore_ascii_case("localhost") {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        host.parse().map_err(|_| format!("{url:?}: the host must be 127.0.0.0/8, localhost or [::1], not {host:?}"))?
    };
    if !ip.is_loopback() {
        return Err(format!("{url:?}: refusing to benchmark a non-loopback host ({ip}); only 127.0.0.0/8, localhost and [::1] are allowed"));
    }
    Ok(Target {
        addr: SocketAddr::new(ip, port),
        host: authority.to_string(),
        base_path: path.trim_end_matches('/').to_string(),
    })
}

/// A parsed HTTP/1.1 response.
#[derive(Debug, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
    /// The server will close the connection after this response.
    pub close: bool,
}

/// Parses one response from the start of `buf`: `Ok(None)` when more bytes are needed, else the
/// response and the number of bytes it took. `eof` says the peer closed the connection (which ends
/// a body that has neither a length nor chunks).
pub fn parse_response(buf: &[u8], eof: bool) -> Result<Option<(Response, usize)>, String> {
    let Some(head_end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return if eof { Err("connection closed before the response headers ended".into()) } else { Ok(None) };
    };
    let head = std::str::from_utf8(&buf[..head_end]).map_err(|_| "response headers are not UTF-8".to_string())?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status: u16 = status_line
        .strip_prefix("HTTP/1.")
        .and_then(|s| s.get(2..5))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let (mut length, mut chunked, mut close) = (None, false, status_line.starts_with("HTTP/1.0"));
    for line in lines {
        let Some((name, value)) = line.split_once(':') else { continue };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => {
                length = Some(value.parse::<usize>().map_err(|_| format!("bad content-length {value:?}"))?)
            }
            "transfer-encoding" => chunked = value.to_ascii_lowercase().contains("chunked"),
            "connection" => close = value.eq_ignore_ascii_case("close"),
            _ => {}
        }
    }
    let body_start = head_end + 4;
    if chunked {
        let mut body = Vec::new();
        let mut at = body_start;
        loop {
            let Some(line_end) = buf[at..].windows(2).position(|w| w == b"\r\n") else {
                return if eof { Err("connection closed inside a chunked body".into()) } else { Ok(None) };
            };
            let size_text = std::str::from_utf8(&buf[at..at + line_end]).unwrap_or_default();
            let size_text = size_text.split(';').next().unwrap_or_default().trim();
            let size = usize::from_str_radix(size_text, 16).map_err(|_| format!("bad chunk size {size_text:?}"))?;
            let data = at + line_end + 2;
            if size == 0 {
                // No trailers expected: the body ends with an empty line.
                return match buf.get(data..data + 2) {
                    Some(b"\r\n") => Ok(Some((Response { status, body, close }, data + 2))),
                    Some(_) => Err("trailers after a chunked body are not supported".into()),
                    None if eof => Err("connection closed inside a chunked body".into()),
                    None => Ok(None),
                };
            }
            if buf.len() < data + size + 2 {
                return if eof { Err("connection closed inside a chunked body".into()) } else { Ok(None) };
            }
            body.extend_from_slice(&buf[data..data + size]);
            at = data + size + 2;
        }
    }
    match length {
        Some(n) if buf.len() >= body_start + n => {
            Ok(Some((Response { status, body: buf[body_start..body_start + n].to_vec(), close }, body_start + n)))
        }
        Some(_) if eof => Err("connection closed before the body ended".into()),
        Some(_) => Ok(None),
        None if eof => Ok(Some((Response { status, body: buf[body_start..].to_vec(), close: true }, buf.len()))),
        None => Ok(None),
    }
}

/// One keep-alive connection of the bench client.
struct Client {
    target: Target,
    stream: Option<TcpStream>,
    buf: Vec<u8>,
}

impl Client {
    fn new(target: Target) -> Client {
        Client { target, stream: None, buf: Vec::with_capacity(16 << 10) }
    }

    /// `GET path`; on any error the connection is dropped and the next request opens a new one.
    async fn get(&mut self, path: &str) -> Result<Response, String> {
        let result = tokio::time::timeout(HTTP_TIMEOUT, self.exchange(path))
            .await
            .unwrap_or_else(|_| Err(format!("no answer within {} s", HTTP_TIMEOUT.as_secs())));
        if result.as_ref().map_or(true, |r| r.close) {
            self.stream = None;
        }
        result
    }

    async fn exchange(&mut self, path: &str) -> Result<Response, String> {
        if self.stream.is_none() {
            let stream = TcpStream::connect(self.target.addr)
                .await
                .map_err(|e| format!("connecting to {}: {e}", self.target.addr))?;
            let _ = stream.set_nodelay(true);
            self.stream = Some(stream);
            self.buf.clear();
        }
        let stream = self.stream.as_mut().expect("connected above");
        let request = format!(
            "GET {}{path} HTTP/1.1\r\nHost: {}\r\nUser-Agent: talksearch-bench\r\nAccept: */*\r\n\r\n",
            self.target.base_path, self.target.host
        );
        // tokio's io-util feature is not enabled; the readiness API is all this needs.
        let mut sent = 0;
        while sent < request.len() {
            let written = match stream.writable().await {
                Ok(()) => stream.try_write(&request.as_bytes()[sent..]),
                Err(e) => Err(e),
            };
            match written {
                Ok(n) => sent += n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => {
                    self.stream = None;
                    return Err(format!("sending the request: {e}"));
                }
            }
        }
        let mut chunk = [0u8; 16 << 10];
        loop {
            let read = match stream.readable().await {
                Ok(()) => stream.try_read(&mut chunk),
                Err(e) => Err(e),
            };
            let eof = match read {
                Ok(0) => true,
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    false
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                Err(e) => {
                    self.stream = None;
                    return Err(format!("reading the response: {e}"));
                }
            };
            match parse_response(&self.buf, eof) {
                Ok(Some((response, used))) => {
                    self.buf.drain(..used);
                    return Ok(response);
                }
                Ok(None) => {}
                Err(e) => {
                    self.stream = None;
                    return Err(e);
                }
            }
        }
    }
}

/// Whether a successful search response body says `"total":0`. The first `"total":` is the field:
/// the query text before it is a JSON string, where a quote is always escaped.
fn body_total_is_zero(body: &[u8]) -> bool {
    let key = b"\"total\":";
    body.windows(key.len())
        .position(|w| w == key)
        .is_some_and(|at| body[at + key.len()..].iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'0'))
}

fn http_outcome(result: Result<Response, String>, check_total: bool) -> Outcome {
    let r = result?;
    if !(200..300).contains(&r.status) {
        let body = String::from_utf8_lossy(&r.body);
        return Err(format!("HTTP {}: {}", r.status, body.chars().take(200).collect::<String>()));
    }
    Ok(check_total && body_total_is_zero(&r.body))
}

/// Runs `path(k)` on `concurrency` connections until `bound`.
async fn run_connections(
    target: &Target,
    concurrency: usize,
    classes: usize,
    bound: Bound,
    bar: &ProgressBar,
    paths: Arc<Vec<(usize, String)>>,
    check_total: bool,
) -> Samples {
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let collected = Arc::new(Mutex::new(Samples::new(classes)));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency.max(1) {
        let (next, paths, collected, bar) =
            (Arc::clone(&next), Arc::clone(&paths), Arc::clone(&collected), bar.clone());
        let mut client = Client::new(target.clone());
        tasks.spawn(async move {
            let mut mine = Samples::new(classes);
            loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                if !bound.allows(k, started) {
                    break;
                }
                let (class, path) = &paths[(k % paths.len() as u64) as usize];
                let t = Instant::now();
                let result = client.get(path).await;
                let nanos = t.elapsed().as_nanos() as u64;
                mine.record(*class, nanos, http_outcome(result, check_total));
                bar.inc(1);
            }
            collected.lock().expect("no thread panics holding the samples").merge(mine);
        });
    }
    while tasks.join_next().await.is_some() {}
    let mut samples =
        std::mem::replace(&mut *collected.lock().expect("no thread panics holding the samples"), Samples::new(classes));
    samples.seconds = started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    samples
}

/// Benchmarks a running server at `url` (loopback only): `GET /api/search?…` for the query mix and
/// then `GET /healthz` as the floor, on `opts.concurrency` connections.
pub fn run_http(url: &str, queries: &[BenchQuery], opts: &Options) -> anyhow::Result<Report> {
    let target = loopback_target(url).map_err(anyhow::Error::msg)?;
    let (names, class_index) = classes(queries);
    let search_paths: Arc<Vec<(usize, String)>> = Arc::new(
        queries.iter().zip(&class_index).map(|(q, &c)| (c, format!("/api/search?{}", q.query_string()))).collect(),
    );
    let floor_paths = Arc::new(vec![(0, "/healthz".to_string())]);
    let floor_names = vec!["healthz".to_string()];
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(opts.threads.max(1))
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        // Fail early, with the reason, when nothing answers.
        let health = Client::new(target.clone())
            .get("/healthz")
            .await
            .map_err(|e| anyhow::anyhow!("{url}: the server does not answer /healthz: {e}"))?;
        if health.status != 200 {
            bail!("{url}: /healthz answered HTTP {}", health.status);
        }
        let talks =
            serde_json::from_slice::<serde_json::Value>(&health.body).ok().and_then(|v| v.get("talks")?.as_u64());
        let bound = Bound::measured(opts);
        let c = opts.concurrency;
        run_connections(
            &target,
            c,
            names.len(),
            Bound::warmup(opts),
            &ProgressBar::hidden(),
            Arc::clone(&search_paths),
            true,
        )
        .await;
        let search = run_connections(
            &target,
            c,
            names.len(),
            bound,
            &progress_bar(opts.progress, bound, "search"),
            search_paths,
            true,
        )
        .await;
        run_connections(&target, c, 1, Bound::warmup(opts), &ProgressBar::hidden(), Arc::clone(&floor_paths), false)
            .await;
        let floor =
            run_connections(&target, c, 1, bound, &progress_bar(opts.progress, bound, "healthz"), floor_paths, false)
                .await;
        let mut machine = Machine::here();
        machine.talks = talks;
        let search = search.into_phase("search", &names);
        let floor = floor.into_phase("GET /healthz", &floor_names);
        Ok(Report::new(Mode::Http, url.to_string(), opts, queries.len(), machine, search, floor))
    })
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
        progress: !args.json && std::io::stderr().is_terminal(),
    };
    let index_dir = Settings::new(args.index.dir, Vec::new(), None).index_dir;
    let mut report = match args.mode {
        Mode::Inproc => {
            let engine = crate::commands::open_engine(&index_dir)?;
            let mut report = run_inproc(&engine, &queries, &opts);
            report.target = index_dir.display().to_string();
            report
        }
        Mode::Http => run_http(&args.url, &queries, &opts)?,
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
    Ok(())
}

/// Size of the current generation of the index in `dir`, if there is one.
fn index_bytes(dir: &Path) -> Option<u64> {
    indexer::current_generation(dir).ok().flatten().map(|g| indexer::dir_size(&g))
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// The human-readable report.
pub fn format_report(r: &Report) -> String {
    let mut s = String::new();
    let m = &r.machine;
    let what = match r.mode {
        Mode::Inproc => format!("in-process, {} thread(s)", r.options.threads),
        Mode::Http => format!("HTTP, {} connection(s), {} client thread(s)", r.options.concurrency, r.options.threads),
    };
    let _ = writeln!(s, "talksearch bench: {what}, {} ({} queries)", r.target, r.queries);
    let opt = |v: Option<u64>, f: fn(u64) -> String| v.map_or("?".to_string(), f);
    let _ = writeln!(
        s,
        "machine: {} cores{}, {} RAM; index: {} talks, {} on disk; bench peak RSS {}",
        m.cores,
        m.cpu.as_deref().map(|c| format!(" ({c})")).unwrap_or_default(),
        opt(m.memory_bytes, |b| format!("{:.1} GiB", b as f64 / (1u64 << 30) as f64)),
        opt(m.talks, |t| t.to_string()),
        opt(m.index_bytes, mib),
        opt(m.peak_rss_bytes, mib),
    );
    if m.server_rss_bytes.is_some() || m.server_peak_rss_bytes.is_some() {
        let _ =
            writeln!(s, "server: RSS {}, peak RSS {}", opt(m.server_rss_bytes, mib), opt(m.server_peak_rss_bytes, mib));
    }
    let bound = match (r.options.requests, r.options.duration) {
        (Some(n), Some(d)) => format!("{n} requests or {:.1} s", d.as_secs_f64()),
        (Some(n), None) => format!("{n} requests"),
        (None, Some(d)) => format!("{:.1} s", d.as_secs_f64()),
        (None, None) => String::new(),
    };
    let _ = writeln!(s, "each phase: {} warm-up requests, then {bound}; latencies in ms\n", r.options.warmup);
    let _ = writeln!(
        s,
        "{:<22} {:>7} {:>6} {:>6} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>9} {:>9}",
        "", "ok", "errors", "empty", "p50", "p90", "p99", "p99.9", "max", "mean", "QPS", "p50/floor"
    );
    for (phase, per_class_ratio) in [(&r.search, true), (&r.floor, false)] {
        row(&mut s, &phase.name, &phase.overall, Some(phase.qps), per_class_ratio.then_some(r.ratios.p50));
        if phase.classes.len() > 1 || phase.classes.first().is_some_and(|c| c.class != "healthz") {
            for c in &phase.classes {
                let ratio = if per_class_ratio { r.ratios.p50_per_class.get(&c.class).copied() } else { None };
                row(&mut s, &format!("  {}", c.class), &c.stats, None, ratio);
            }
        }
        if let Some(e) = &phase.first_error {
            let _ = writeln!(s, "  first error: {e}");
        }
    }
    let _ = writeln!(
        s,
        "\nsearch vs floor ({}): p50 {:.2}×, p99 {:.2}×, throughput {:.0}% of the floor's",
        r.floor.name,
        r.ratios.p50,
        r.ratios.p99,
        r.ratios.qps * 100.0
    );
    s
}

fn row(s: &mut String, name: &str, st: &Stats, qps: Option<f64>, ratio: Option<f64>) {
    let _ = writeln!(
        s,
        "{:<22} {:>7} {:>6} {:>6} {:>8.3} {:>8.3} {:>8.3} {:>8.3} {:>8.3} {:>8.3} {:>9} {:>9}",
        name,
        st.ok,
        st.errors,
        st.empty,
        st.p50_ms,
        st.p90_ms,
        st.p99_ms,
        st.p999_ms,
        st.max_ms,
        st.mean_ms,
        qps.map_or(String::new(), |q| format!("{q:.0}")),
        ratio.map_or(String::new(), |r| format!("{r:.2}×")),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_files_with_classes_params_and_comments() {
        let text = "# a comment\n\n[zh] 服务网格\n  # indented comment\n[filtered] django\tyear=2019&lang=en\n\
                    [filter-only] \tlang=zh\n\"service mesh\"\nService Mesh 性能优化\nasyncio\nkubernetes\tyear=2020..2022\n\
                    [none] qwxzzy\n";
        let qs = parse_queries(text).unwrap();
        let got: Vec<(&str, &str, &str, usize)> =
            qs.iter().map(|q| (q.class.as_str(), q.q.as_str(), q.params.as_str(), q.line)).collect();
        assert_eq!(
            got,
            vec![
                ("zh", "服务网格", "", 3),
                ("filtered", "django", "year=2019&lang=en", 5),
                ("filter-only", "", "lang=zh", 6),
                ("phrase", "\"service mesh\"", "", 7),
                ("mixed", "Service Mesh 性能优化", "", 8),
                ("en", "asyncio", "", 9),
                ("filtered", "kubernetes", "year=2020..2022", 10),
                ("none", "qwxzzy", "", 11),
            ]
        );
        let req = qs[1].request().unwrap();
        assert_eq!(
            (req.q.as_str(), req.limit, req.filters.years, req.filters.lang.as_deref()),
            ("django", 10, Some((2019, 2019)), Some("en"))
        );
    }

    #[test]
    fn params_keep_spaces_chinese_and_escaped_ampersands() {
        let qs = parse_queries("[filtered] 服务网格\tevent=Apache APISIX %26 KubeSphere 联合 Meetup\n").unwrap();
        assert_eq!(qs[0].query_string(), "q=%E6%9C%8D%E5%8A%A1%E7%BD%91%E6%A0%BC&event=Apache%20APISIX%20%26%20KubeSphere%20%E8%81%94%E5%90%88%20Meetup");
        assert_eq!(qs[0].request().unwrap().filters.event.as_deref(), Some("Apache APISIX & KubeSphere 联合 Meetup"));
        assert_eq!(parse_queries("c++ & \"a+b\"\n").unwrap()[0].request().unwrap().q, "c++ & \"a+b\"");
    }

    #[test]
    fn bad_lines_are_reported_with_their_number() {
        assert!(parse_queries("ok\n[zh 服务网格\n").unwrap_err().starts_with("line 2:"));
        assert!(parse_queries("ok\ndjango\tspeaker=x\n")
            .unwrap_err()
            .contains("line 2: unknown parameter \"speaker\""));
        assert!(parse_queries("[filter-only] \t\n").unwrap_err().starts_with("line 1: give a query"));
        assert!(parse_queries("x\tyear=12\n").unwrap_err().starts_with("line 1:"));
        assert!(parse_queries("# only comments\n\n").is_err());
    }

    #[test]
    fn the_default_mix_parses_and_covers_every_class() {
        let qs = parse_queries(DEFAULT_QUERIES).unwrap();
        assert!(qs.len() >= 60, "{} queries", qs.len());
        let (names, _) = classes(&qs);
        assert_eq!(names, ["zh", "en", "mixed", "phrase", "filtered", "filter-only", "none"]);
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let data: Vec<u64> = (1..=1000).collect();
        assert_eq!(percentile(&data, 50.0), 500);
        assert_eq!(percentile(&data, 90.0), 900);
        assert_eq!(percentile(&data, 99.0), 990);
        assert_eq!(percentile(&data, 99.9), 999);
        assert_eq!(percentile(&data, 100.0), 1000);
        assert_eq!(percentile(&[7], 99.9), 7);
        assert_eq!(percentile(&[1, 2], 50.0), 1);
        assert_eq!(percentile(&[], 50.0), 0);
        let st = Stats::from_nanos((1..=100).rev().map(|ms| ms * 1_000_000).collect(), 3, 4);
        assert_eq!((st.ok, st.errors, st.empty), (100, 3, 4));
        assert_eq!(
            (st.p50_ms, st.p90_ms, st.p99_ms, st.p999_ms, st.max_ms, st.mean_ms),
            (50.0, 90.0, 99.0, 100.0, 100.0, 50.5)
        );
    }

    #[test]
    fn only_loopback_targets_are_accepted() {
        let t = loopback_target("http://127.0.0.1:18080").unwrap();
        assert_eq!(
            (t.addr, t.host.as_str(), t.base_path.as_str()),
            ("127.0.0.1:18080".parse().unwrap(), "127.0.0.1:18080", "")
        );
        assert_eq!(loopback_target("http://localhost/").unwrap().addr, "127.0.0.1:80".parse().unwrap());
        assert_eq!(loopback_target("http://127.3.2.1:9/base/").unwrap().base_path, "/base");
        assert_eq!(loopback_target("http://[::1]:8080").unwrap().addr, "[::1]:8080".parse().unwrap());
        for bad in [
            "http://10.0.0.1:8080",
            "http://example.com",
            "http://127.0.0.1.example.com/",
            "http://127.0.0.1@example.com/",
            "http://[::2]:80",
            "http://0.0.0.0:8080",
            "https://127.0.0.1",
            "127.0.0.1:8080",
            "http://127.0.0.1:http",
            "http://127.0.0.1:8080/?q=x",
        ] {
            assert!(loopback_target(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn responses_parse_by_length_chunks_or_close() {
        let ok = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1";
        let (r, used) = parse_response(ok, false).unwrap().unwrap();
        assert_eq!((r.status, r.body.as_slice(), r.close, used), (200, &b"hello"[..], false, ok.len() - 8));
        assert_eq!(parse_response(&ok[..60], false).unwrap(), None);
        assert!(parse_response(&ok[..60], true).is_err());
        let chunked = b"HTTP/1.1 400 Bad Request\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n";
        let (r, used) = parse_response(chunked, false).unwrap().unwrap();
        assert_eq!((r.status, r.body.as_slice(), r.close, used), (400, &b"abcde"[..], true, chunked.len()));
        assert_eq!(parse_response(&chunked[..chunked.len() - 1], false).unwrap(), None);
        let until_close = b"HTTP/1.0 200 OK\r\n\r\nall of it";
        assert_eq!(parse_response(until_close, false).unwrap(), None);
        assert_eq!(parse_response(until_close, true).unwrap().unwrap().0.body, b"all of it");
        assert!(parse_response(b"SSH-2.0\r\n\r\n", false).is_err());
    }

    #[test]
    fn zero_totals_are_found_after_the_query() {
        assert!(body_total_is_zero(br#"{"query":"\"total\":5","total":0,"hits":[]}"#));
        assert!(!body_total_is_zero(br#"{"query":"\"total\":0","total":12,"hits":[]}"#));
        assert!(!body_total_is_zero(br#"{"status":"ok"}"#));
    }
}
