//! Times how long one schedule file takes to recognise and parse, and the memory it takes (`cargo run --release --example schedule_parse_time -- FILE`).

use std::time::Instant;

use talksearch::ingest::{self, schedule};

fn main() {
    let path = std::env::args().nth(1).expect("usage: schedule_parse_time FILE");
    let bytes = std::fs::read(&path).expect("the file reads");
    let before = peak_rss_kib();
    let mut best = f64::MAX;
    let mut talks = 0;
    for _ in 0..5 {
        let started = Instant::now();
        let text = std::str::from_utf8(&bytes).expect("UTF-8");
        let format = schedule::detect(text).expect("a schedule format");
        talks = ingest::parse_bytes(ingest::Kind::Schedule(format), &bytes, &path, None).expect("it parses").len();
        best = best.min(started.elapsed().as_secs_f64());
    }
    println!(
        "{path}: {} bytes, {talks} talks, best of 5: {:.3} s (detect + parse + company extraction); peak RSS {} MiB, {} MiB over the file read",
        bytes.len(),
        best,
        peak_rss_kib() / 1024,
        peak_rss_kib().saturating_sub(before) / 1024
    );
}

/// The process's peak resident memory (Linux `VmHWM`), in KiB; 0 elsewhere.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
