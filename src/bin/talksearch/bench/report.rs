//! What the bench shows on the terminal: a progress bar per phase while it runs, then the report as a table.

use std::fmt::Write as _;

use indicatif::{ProgressBar, ProgressStyle};

use super::stats::{BenchMode, Bound, Report, Stats};

/// A progress bar on stderr for one measured phase (hidden unless `show`).
pub(super) fn progress_bar(show: bool, bound: Bound, what: &str) -> ProgressBar {
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

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// The human-readable report.
pub fn format_report(r: &Report) -> String {
    let mut s = String::new();
    let m = &r.machine;
    let what = match r.mode {
        BenchMode::Inproc => format!("in-process, {} thread(s)", r.options.threads),
        BenchMode::Http => {
            format!("HTTP, {} connection(s), {} client thread(s)", r.options.concurrency, r.options.threads)
        }
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
    if !r.ratios.qps_per_round.is_empty() {
        let mut rounds = r.ratios.qps_per_round.clone();
        let each: Vec<String> = rounds.iter().map(|q| format!("{:.1}", q * 100.0)).collect();
        rounds.sort_by(f64::total_cmp);
        let n = rounds.len();
        let median = (rounds[(n - 1) / 2] + rounds[n / 2]) / 2.0;
        let _ =
            writeln!(s, "throughput per round: {} % of the floor's (median {:.1} %)", each.join(" / "), median * 100.0);
    }
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
