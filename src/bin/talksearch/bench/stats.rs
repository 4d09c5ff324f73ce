//! What a bench run measures and reports: raw samples, exact percentiles, phases, the machine it ran on.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use clap::ValueEnum;
use serde::Serialize;

/// Requests per phase when neither `--requests` nor `--duration` is given.
pub const DEFAULT_REQUESTS: u64 = 5000;

/// Where a bench sends its searches (`--mode`): this process's engine, or a running server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BenchMode {
    Inproc,
    Http,
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
    /// The measured requests (or time) of each phase, split into this many rounds of the search
    /// then the floor, so that both meet the same moments of a noisy machine.
    pub rounds: u32,
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
            rounds: 1,
            progress: false,
        }
    }
}

/// When a phase stops: after `requests` requests or at `deadline`, whichever comes first.
#[derive(Clone, Copy)]
pub(super) struct Bound {
    pub requests: Option<u64>,
    pub duration: Option<Duration>,
}

impl Bound {
    pub fn measured(o: &Options) -> Bound {
        let requests = if o.requests.is_none() && o.duration.is_none() { Some(DEFAULT_REQUESTS) } else { o.requests };
        Bound { requests, duration: o.duration }
    }

    pub fn warmup(o: &Options) -> Bound {
        Bound { requests: Some(o.warmup), duration: None }
    }

    /// Round `round` (0-based) of `rounds`: its share of the requests (the rounds' add up to the
    /// bound's) and of the time.
    pub fn round(self, round: u32, rounds: u32) -> Bound {
        let rounds = rounds.max(1);
        let requests = self.requests.map(|n| {
            let upto = |r: u32| n * u64::from(r) / u64::from(rounds);
            upto(round + 1) - upto(round)
        });
        Bound { requests, duration: self.duration.map(|d| d / rounds) }
    }

    /// Whether request number `k` (0-based) may start.
    pub fn allows(&self, k: u64, started: Instant) -> bool {
        self.requests.is_none_or(|n| k < n) && self.duration.is_none_or(|d| started.elapsed() < d)
    }
}

/// What one request gave: `Ok(true)` for an answer without results.
pub(super) type Outcome = Result<bool, String>;

/// The raw measurements of one phase.
pub(super) struct Samples {
    /// Per class: latencies (ns) of successful requests, error count, empty count.
    per_class: Vec<(Vec<u64>, u64, u64)>,
    first_error: Option<String>,
    /// Wall-clock time of the phase, set by the runner when it ends.
    pub seconds: f64,
}

impl Samples {
    pub fn new(classes: usize) -> Samples {
        Samples { per_class: vec![(Vec::new(), 0, 0); classes], first_error: None, seconds: 0.0 }
    }

    pub fn record(&mut self, class: usize, nanos: u64, outcome: Outcome) {
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

    /// Requests (answered or not) per second of the phase.
    pub fn qps(&self) -> f64 {
        let requests: u64 = self.per_class.iter().map(|(ok, errors, _)| ok.len() as u64 + errors).sum();
        if self.seconds > 0.0 {
            requests as f64 / self.seconds
        } else {
            0.0
        }
    }

    /// Adds `other`'s requests and time to these.
    pub fn merge(&mut self, other: Samples) {
        self.seconds += other.seconds;
        for (mine, theirs) in self.per_class.iter_mut().zip(other.per_class) {
            mine.0.extend(theirs.0);
            mine.1 += theirs.1;
            mine.2 += theirs.2;
        }
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }

    pub fn into_phase(self, name: &str, class_names: &[String]) -> Phase {
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
    /// Every successful latency in nanoseconds, ascending: what the percentiles are read from, kept
    /// for the plot. Not part of the `--json` report.
    #[serde(skip)]
    pub sorted_nanos: Vec<u64>,
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
            sorted_nanos: nanos,
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
            cores: talksearch::config::cores(),
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
    /// search QPS / floor QPS in each round, with `--rounds` above 1.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub qps_per_round: Vec<f64>,
}

/// A whole run, as printed by `--json`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub mode: BenchMode,
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
    pub(super) fn new(
        mode: BenchMode,
        target: String,
        options: &Options,
        queries: usize,
        machine: Machine,
        search: Phase,
        floor: Phase,
    ) -> Report {
        let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
        let mut p50_per_class = BTreeMap::new();
        if mode == BenchMode::Inproc {
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
            qps_per_round: Vec::new(),
        };
        Report { mode, target, options: options.clone(), queries, machine, search, floor, ratios }
    }

    /// The report with each round's search QPS / floor QPS, kept when there were several rounds.
    pub(super) fn with_rounds(mut self, per_round: Vec<f64>) -> Report {
        if per_round.len() > 1 {
            self.ratios.qps_per_round = per_round;
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rounds share a bound's requests out whole (adding up to it) and its time evenly.
    #[test]
    fn rounds_add_up_to_the_bound() {
        let bound = Bound { requests: Some(10), duration: Some(Duration::from_secs(6)) };
        let requests: Vec<u64> = (0..3).map(|r| bound.round(r, 3).requests.unwrap()).collect();
        assert_eq!(requests, [3, 3, 4]);
        assert_eq!(bound.round(1, 3).duration, Some(Duration::from_secs(2)));
        assert_eq!(bound.round(0, 1).requests, Some(10));
        let time_only = Bound { requests: None, duration: Some(Duration::from_secs(1)) };
        assert_eq!(time_only.round(0, 4).requests, None);
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
    fn phases_keep_sorted_samples_per_class_and_overall_but_not_in_json() {
        let mut s = Samples::new(2);
        for (class, nanos) in [(1, 30), (0, 20), (1, 10), (0, 40)] {
            s.record(class, nanos, Ok(false));
        }
        s.record(1, 99, Err("boom".into()));
        s.seconds = 1.0;
        let phase = s.into_phase("search", &["a".into(), "b".into()]);
        assert_eq!(phase.overall.sorted_nanos, [10, 20, 30, 40]);
        let per_class: Vec<(&str, &[u64], u64)> =
            phase.classes.iter().map(|c| (c.class.as_str(), &c.stats.sorted_nanos[..], c.stats.errors)).collect();
        assert_eq!(per_class, [("a", &[20, 40][..], 0), ("b", &[10, 30][..], 1)]);
        assert_eq!((phase.qps, phase.first_error.as_deref()), (5.0, Some("boom")));
        let json = serde_json::to_value(&phase).unwrap();
        assert!(json["overall"].get("sorted_nanos").is_none() && json["classes"][0].get("sorted_nanos").is_none());
        assert_eq!(json["classes"][1]["errors"], 1);
    }
}
