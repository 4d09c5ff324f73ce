//! `--plot`: the latency distribution of a run drawn as percentile curves in an SVG file.
//!
//! One curve per query class, the overall curve and the floor's, against the percentile on a scale
//! that spreads the tail: x = −log10(1 − p), so p50, p90, p99 and p99.9 sit at 0.3, 1, 2 and 3. The
//! latency axis is logarithmic. Text is written as SVG `<text>`, so no font is needed to draw it.

use std::ops::Range;
use std::path::Path;

use anyhow::Context;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::prelude::*;

use super::stats::{BenchMode, Report, Stats};

const SIZE: (u32, u32) = (1100, 680);
/// Points of a curve closer than this on the x axis are merged (the SVG stays small at 1M samples).
const MIN_DX: f64 = 0.004;
/// Latencies are drawn no lower than this (1 µs): the log axis has no zero.
const MIN_MS: f64 = 1e-3;

/// Writes the plot of `report` to `path` as SVG.
pub fn write_plot(report: &Report, path: &Path) -> anyhow::Result<()> {
    let svg = render_svg(report).map_err(anyhow::Error::msg).context("drawing the latency plot")?;
    std::fs::write(path, svg).with_context(|| format!("writing {}", path.display()))
}

/// The plot of `report` as an SVG document.
pub fn render_svg(report: &Report) -> Result<String, String> {
    let curves = curves(report);
    let x_max = curves.iter().filter_map(|c| c.points.last()).map(|p| p.0).fold(3.0, f64::max);
    let (lo, hi) =
        curves.iter().flat_map(|c| &c.points).fold((f64::INFINITY, 0.0f64), |(lo, hi), p| (lo.min(p.1), hi.max(p.1)));
    let (y_lo, y_hi) = if hi > 0.0 { (lo / 1.5, hi * 1.5) } else { (0.01, 1.0) };
    let ticks: Vec<f64> = [0.0, 0.5, 0.9, 0.99, 0.999, 0.9999, 0.99999, 0.999999]
        .into_iter()
        .map(tail_x)
        .filter(|&x| x <= x_max + 1e-9)
        .collect();

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(text)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title(report), ("sans-serif", 20))
            .margin(16)
            .x_label_area_size(48)
            .y_label_area_size(72)
            .build_cartesian_2d(TailAxis { max: x_max, ticks }, LatencyAxis { lo: y_lo, hi: y_hi })
            .map_err(text)?;
        chart
            .configure_mesh()
            .x_desc("percentile (axis: −log10(1 − p), spreading the tail)")
            .y_desc("latency, ms (log scale)")
            .x_label_formatter(&|x| percentile_label(*x))
            .y_label_formatter(&|y| ms_label(*y))
            .draw()
            .map_err(text)?;
        for (i, curve) in curves.iter().enumerate() {
            let style = match curve.kind {
                Kind::Class => Palette99::pick(i).stroke_width(2),
                Kind::Overall => BLACK.stroke_width(3),
                Kind::Floor => RGBColor(110, 110, 110).stroke_width(2),
            };
            let points = curve.points.iter().copied();
            let drawn = if curve.kind == Kind::Floor {
                chart.draw_series(DashedLineSeries::new(points, 8, 5, style)).map_err(text)?
            } else {
                chart.draw_series(LineSeries::new(points, style)).map_err(text)?
            };
            drawn.label(&curve.label).legend(move |(x, y)| PathElement::new([(x, y), (x + 24, y)], style));
        }
        chart
            .configure_series_labels()
            // Curves rise to the right and the floor lies below them: the lower right is free.
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.5))
            .label_font(("sans-serif", 13))
            .draw()
            .map_err(text)?;
        root.present().map_err(text)?;
    }
    Ok(svg)
}

/// The x axis, linear in −log10(1 − p) from 0 to `max`, with a tick at each of `ticks` (plotters'
/// own key points would fall at round values of x, not at round percentiles).
struct TailAxis {
    max: f64,
    ticks: Vec<f64>,
}

impl Ranged for TailAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, x: &f64, (from, to): (i32, i32)) -> i32 {
        from + (f64::from(to - from) * x / self.max).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        0.0..self.max
    }
}

/// The y axis: latency in ms on a log scale from `lo` to `hi`, ticks at 1, 2 and 5 of each decade.
struct LatencyAxis {
    lo: f64,
    hi: f64,
}

impl Ranged for LatencyAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, ms: &f64, (from, to): (i32, i32)) -> i32 {
        let share = (ms.ln() - self.lo.ln()) / (self.hi.ln() - self.lo.ln());
        from + (f64::from(to - from) * share).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            latency_ticks(self.lo, self.hi)
        }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

fn text(e: impl std::fmt::Display) -> String {
    e.to_string()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Class,
    Overall,
    Floor,
}

/// One line of the plot and its legend entry.
struct Curve {
    label: String,
    kind: Kind,
    points: Vec<(f64, f64)>,
}

/// The search phase's classes in file order, then its overall curve, then the floor's.
fn curves(r: &Report) -> Vec<Curve> {
    let legend = |name: &str, s: &Stats| match s.ok {
        0 => format!("{name} (no successful requests)"),
        n => format!("{name}: p50 {} · p99 {} ms ({n})", ms_label(s.p50_ms), ms_label(s.p99_ms)),
    };
    let mut out: Vec<Curve> = r
        .search
        .classes
        .iter()
        .map(|c| Curve {
            label: legend(&c.class, &c.stats),
            kind: Kind::Class,
            points: curve(&c.stats.sorted_nanos, MIN_DX),
        })
        .collect();
    out.push(Curve {
        label: legend("all classes", &r.search.overall),
        kind: Kind::Overall,
        points: curve(&r.search.overall.sorted_nanos, MIN_DX),
    });
    out.push(Curve {
        label: legend(&format!("floor ({})", r.floor.name), &r.floor.overall),
        kind: Kind::Floor,
        points: curve(&r.floor.overall.sorted_nanos, MIN_DX),
    });
    out
}

fn title(r: &Report) -> String {
    let mode = match r.mode {
        BenchMode::Inproc => format!("in-process, {} thread(s)", r.options.threads),
        BenchMode::Http => format!("HTTP, {} connection(s)", r.options.concurrency),
    };
    let requests = r.search.overall.ok + r.search.overall.errors;
    format!("talksearch bench: {}, {mode}, {} queries, {requests} requests", r.target, r.queries)
}

/// Where the percentile `q` (a fraction below 1) sits on the x axis: −log10(1 − q).
pub fn tail_x(q: f64) -> f64 {
    -(1.0 - q).log10()
}

/// The percentile at `x` on the axis as a label: `50`, `90`, `99`, `99.9`.
pub fn percentile_label(x: f64) -> String {
    trim_decimals(format!("{:.4}", 100.0 * (1.0 - 10f64.powf(-x))))
}

/// A latency in ms with three significant digits at most: `0.0005`, `0.25`, `4.2`, `1234`.
pub fn ms_label(ms: f64) -> String {
    if !(ms > 0.0 && ms.is_finite()) {
        return "0".into();
    }
    let decimals = (2 - ms.log10().floor() as i32).clamp(0, 6) as usize;
    trim_decimals(format!("{ms:.decimals$}"))
}

/// Ticks for a log axis from `lo` to `hi` (both > 0): 1, 2 and 5 times each power of ten, or only
/// the powers when the range spans more than five decades.
pub fn latency_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let (first, last) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    let steps: &[f64] = if last - first > 5 { &[1.0] } else { &[1.0, 2.0, 5.0] };
    let mut ticks = Vec::new();
    for exp in first..=last {
        for m in steps {
            // Parsed back from text so that 2 × 10⁻² is exactly the number 0.02 prints as.
            let tick: f64 = format!("{m}e{exp}").parse().expect("a float literal");
            if (lo..=hi).contains(&tick) {
                ticks.push(tick);
            }
        }
    }
    ticks
}

fn trim_decimals(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// The percentile curve of ascending latencies (ns) as (x, ms) points: sample k of n sits at the
/// middle of its share of the distribution, p = (k + ½) / n, so the minimum and the maximum are drawn
/// at finite places. A point closer than `min_dx` to the previous one is left out; the last never is.
pub fn curve(sorted: &[u64], min_dx: f64) -> Vec<(f64, f64)> {
    let n = sorted.len() as f64;
    let mut out = Vec::new();
    let mut last_x = f64::NEG_INFINITY;
    for (k, &nanos) in sorted.iter().enumerate() {
        let x = tail_x((k as f64 + 0.5) / n);
        if x - last_x >= min_dx || k + 1 == sorted.len() {
            out.push((x, (nanos as f64 / 1e6).max(MIN_MS)));
            last_x = x;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tail_axis_puts_nines_at_integers() {
        for (q, x) in [(0.0, 0.0), (0.9, 1.0), (0.99, 2.0), (0.999, 3.0)] {
            assert!((tail_x(q) - x).abs() < 1e-9, "{q}");
        }
        let labels: Vec<String> =
            [0.0, 0.5, 0.9, 0.99, 0.999, 0.9999].into_iter().map(|q| percentile_label(tail_x(q))).collect();
        assert_eq!(labels, ["0", "50", "90", "99", "99.9", "99.99"]);
    }

    #[test]
    fn latency_labels_keep_three_significant_digits() {
        let got: Vec<String> = [0.0005, 0.012, 0.25, 1.0, 4.25, 20.0, 1234.6, 0.0].into_iter().map(ms_label).collect();
        assert_eq!(got, ["0.0005", "0.012", "0.25", "1", "4.25", "20", "1235", "0"]);
    }

    #[test]
    fn latency_ticks_are_one_two_five_per_decade() {
        assert_eq!(latency_ticks(0.03, 12.0), [0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0]);
        assert_eq!(latency_ticks(0.2, 0.3), [0.2]);
        assert_eq!(latency_ticks(0.0011, 2000.0), [0.01, 0.1, 1.0, 10.0, 100.0, 1000.0]);
    }

    #[test]
    fn curves_follow_the_percentiles_and_stay_small() {
        let ms: Vec<u64> = (1..=1000).map(|v| v * 1_000_000).collect();
        let c = curve(&ms, 0.0);
        assert_eq!(c.len(), 1000);
        assert_eq!((c[0].1, c[999].1), (1.0, 1000.0));
        assert!((c[999].0 - 2000f64.log10()).abs() < 1e-9, "the maximum sits at p = 1 − 1/2n");
        assert!(c.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1));
        let at_p99 = c.iter().min_by(|a, b| (a.0 - 2.0).abs().total_cmp(&(b.0 - 2.0).abs())).unwrap();
        assert!((at_p99.1 - 990.0).abs() <= 1.0, "{at_p99:?}");

        let many: Vec<u64> = (0..100_000).collect();
        let thin = curve(&many, 0.01);
        assert!(thin.len() <= 533, "{} points", thin.len());
        assert_eq!(thin.last().unwrap().1, MIN_MS.max(99_999.0 / 1e6), "the maximum is kept");
        assert!(curve(&[], 0.01).is_empty());
    }
}
