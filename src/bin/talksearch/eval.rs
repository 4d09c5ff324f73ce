//! Search quality, measured: a judged query set run against an index, scored per query kind.
//!
//! The judged set is a TSV file, one query a line: `kind<TAB>query<TAB>expected titles`, the expected
//! titles separated by ` || ` (any of them counts as a right answer; a talk given at several events
//! is one title). Blank lines and lines starting with `#` are ignored. The shipped sets live in
//! `tests/relevance/` (`queries.tsv`, keyword queries; `real.tsv`, queries as people really type
//! them) and are compiled in as [`DEFAULT_SETS`].
//!
//! Relevance is binary and judged on titles compared by [`title_key`] (case, punctuation, brackets
//! and list numbering ignored). Each expected title is credited once, at its best rank, so a talk
//! listed under three events cannot fill the top ten with "hits" and nDCG stays within 0..=1. A
//! `dup` query (its talk is listed on several pages) succeeds only when that talk is shown once.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;
use serde::Serialize;
use talksearch::search::{Engine, Mode, SearchRequest};
use talksearch::talk::title_key;

use crate::cli::IndexArg;

/// The judged query sets shipped with the project: (file name, contents).
pub const DEFAULT_SETS: &[(&str, &str)] = &[
    ("queries.tsv", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/relevance/queries.tsv"))),
    ("real.tsv", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/relevance/real.tsv"))),
];

/// Every query of the shipped sets.
pub fn default_queries() -> Result<Vec<Judged>, String> {
    let mut all = Vec::new();
    for (name, text) in DEFAULT_SETS {
        if text.lines().all(|l| l.trim().is_empty() || l.starts_with('#')) {
            continue;
        }
        all.extend(parse(text).map_err(|e| format!("tests/relevance/{name}: {e}"))?);
    }
    Ok(all)
}

/// How deep the metrics look: success@10, MRR@10 and nDCG@10.
pub const CUTOFF: usize = 10;

/// The query kinds a judged set may use, in the order reports list them.
pub const KINDS: &[&str] = &[
    "zh",
    "en",
    "mixed",
    "traditional",
    "cross",
    "typo",
    "name",
    "company",
    // Queries as people really type them (`real.tsv`).
    "question",
    "cross_zh_en",
    "cross_en_zh",
    "abbrev",
    "wordform",
    "fragment",
    "dup",
    "company_alias",
];

/// Separates the expected titles of one query.
const TITLE_SEPARATOR: &str = " || ";

/// One judged query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Judged {
    /// The line of the TSV file it came from (1-based).
    pub line: usize,
    pub kind: String,
    pub query: String,
    /// Titles of the talks a user would accept as the answer.
    pub expected: Vec<String>,
}

/// Parses a judged query set. Errors name the line and what is wrong with it.
pub fn parse(tsv: &str) -> Result<Vec<Judged>, String> {
    let mut out = Vec::new();
    for (i, raw) in tsv.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() || raw.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = raw.split('\t').collect();
        let [kind, query, expected] = fields[..] else {
            return Err(format!(
                "line {line}: expected 3 tab-separated columns (kind, query, expected titles), found {}",
                fields.len()
            ));
        };
        let kind = kind.trim();
        if !KINDS.contains(&kind) {
            return Err(format!("line {line}: unknown kind {kind:?} (expected one of {})", KINDS.join(", ")));
        }
        let query = query.trim();
        if query.is_empty() {
            return Err(format!("line {line}: the query is empty"));
        }
        let expected: Vec<String> = expected.split(TITLE_SEPARATOR).map(|t| t.trim().to_string()).collect();
        if expected.iter().any(String::is_empty) {
            return Err(format!(
                "line {line}: an expected title is empty (titles are separated by {TITLE_SEPARATOR:?})"
            ));
        }
        out.push(Judged { line, kind: kind.to_string(), query: query.to_string(), expected });
    }
    if out.is_empty() {
        return Err("the query set has no queries".to_string());
    }
    Ok(out)
}

/// The four metrics over a group of queries (means; 0 for an empty group).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Scores {
    pub n: usize,
    /// Share of queries whose first hit is expected.
    pub success_at_1: f64,
    /// Share of queries with an expected talk in the top [`CUTOFF`].
    pub success_at_10: f64,
    /// Mean reciprocal rank of the first expected talk, 0 when it is not in the top [`CUTOFF`].
    pub mrr: f64,
    /// Mean nDCG@10 with binary relevance; the ideal ranks min(10, #expected) expected talks first.
    pub ndcg_at_10: f64,
}

/// How one query fared.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub line: usize,
    pub kind: String,
    pub query: String,
    /// 1-based ranks (within the top [`CUTOFF`]) of the hits credited as expected talks.
    pub ranks: Vec<usize>,
    pub ndcg: f64,
    /// Titles of the top hits, best first.
    pub top: Vec<String>,
    /// How the engine matched the words (`all`, `fuzzy`, `most` or `any`).
    pub matched: Option<Mode>,
    /// How many talks matched in all.
    pub total: usize,
    pub expected: Vec<String>,
    /// An expected talk is shown more than once in the top [`CUTOFF`].
    pub repeated: bool,
    /// Set when the search itself failed.
    pub error: Option<String>,
}

impl Outcome {
    /// The rank of the first expected talk, if it is in the top [`CUTOFF`].
    pub fn first_rank(&self) -> Option<usize> {
        self.ranks.first().copied()
    }
}

/// Scores per kind (in [`KINDS`] order, only kinds present) and overall, plus every query's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub kinds: Vec<(String, Scores)>,
    pub overall: Scores,
    pub outcomes: Vec<Outcome>,
}

impl Report {
    /// The queries with no expected talk in the top [`CUTOFF`].
    pub fn failures(&self) -> impl Iterator<Item = &Outcome> {
        self.outcomes.iter().filter(|o| o.first_rank().is_none())
    }

    /// The table: kind, n, s@1, s@10, MRR, nDCG@10, then the overall row.
    pub fn table(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "{:<14} {:>4} {:>6} {:>6} {:>6} {:>8}", "kind", "n", "s@1", "s@10", "MRR", "nDCG@10");
        let rows = self.kinds.iter().map(|(k, s)| (k.as_str(), s)).chain(std::iter::once(("overall", &self.overall)));
        for (kind, sc) in rows {
            let _ = writeln!(
                s,
                "{:<14} {:>4} {:>6.3} {:>6.3} {:>6.3} {:>8.3}",
                kind, sc.n, sc.success_at_1, sc.success_at_10, sc.mrr, sc.ndcg_at_10
            );
        }
        s
    }

    /// The failed queries, each with what came first instead.
    pub fn failure_list(&self) -> String {
        let mut s = String::new();
        for o in self.failures() {
            let first = o.top.first().map(String::as_str).unwrap_or("(no hits)");
            let matched = o.matched.map(|m| format!("{m:?}").to_lowercase()).unwrap_or_default();
            let repeated = if o.repeated { ", shown twice" } else { "" };
            let _ =
                writeln!(s, "[{}] {}  (line {}, {} hits, match {matched}{repeated})", o.kind, o.query, o.line, o.total);
            if let Some(e) = &o.error {
                let _ = writeln!(s, "    error: {e}");
            }
            let _ = writeln!(s, "    first:    {first}");
            let _ = writeln!(s, "    expected: {}", abbreviate(&o.expected, 3));
        }
        s
    }
}

fn abbreviate(titles: &[String], n: usize) -> String {
    let shown = titles.iter().take(n).map(String::as_str).collect::<Vec<_>>().join(TITLE_SEPARATOR);
    match titles.len().saturating_sub(n) {
        0 => shown,
        more => format!("{shown} (+{more} more)"),
    }
}

/// Runs every query on `engine` and scores the answers.
pub fn evaluate(engine: &Engine, queries: &[Judged]) -> Report {
    let outcomes: Vec<Outcome> = queries.iter().map(|j| outcome(engine, j)).collect();
    let mut kinds: Vec<(String, Scores)> = Vec::new();
    for kind in KINDS {
        let group: Vec<&Outcome> = outcomes.iter().filter(|o| o.kind == *kind).collect();
        if !group.is_empty() {
            kinds.push((kind.to_string(), scores(&group)));
        }
    }
    let overall = scores(&outcomes.iter().collect::<Vec<_>>());
    Report { kinds, overall, outcomes }
}

fn outcome(engine: &Engine, j: &Judged) -> Outcome {
    let req = SearchRequest { q: j.query.clone(), limit: CUTOFF, ..Default::default() };
    let (top, matched, total, error) = match engine.search(&req) {
        Ok(r) => (r.hits.into_iter().map(|h| h.title).collect(), Some(r.matched), r.total, None),
        Err(e) => (Vec::new(), None, 0, Some(e.to_string())),
    };
    let mut ranks = relevant_ranks(&top, &j.expected);
    let repeated = repeats_expected(&top, &j.expected);
    if j.kind == "dup" && repeated {
        // Found, but shown twice: the talk listed on several pages must be one result.
        ranks.clear();
    }
    let ndcg = ndcg(&ranks, j.expected.len());
    Outcome {
        line: j.line,
        kind: j.kind.clone(),
        query: j.query.clone(),
        ranks,
        ndcg,
        top,
        matched,
        total,
        expected: j.expected.clone(),
        repeated,
        error,
    }
}

/// 1-based ranks within the top [`CUTOFF`] of `top` whose title is expected (compared by
/// [`title_key`]), each expected talk credited at its first occurrence only.
pub fn relevant_ranks(top: &[String], expected: &[String]) -> Vec<usize> {
    let expected: HashSet<String> = expected.iter().map(|t| title_key(t)).collect();
    let mut credited = HashSet::new();
    let mut ranks = Vec::new();
    for (i, title) in top.iter().take(CUTOFF).enumerate() {
        let key = title_key(title);
        if expected.contains(&key) && credited.insert(key) {
            ranks.push(i + 1);
        }
    }
    ranks
}

/// Whether an expected talk is shown more than once within the top [`CUTOFF`].
pub fn repeats_expected(top: &[String], expected: &[String]) -> bool {
    let expected: HashSet<String> = expected.iter().map(|t| title_key(t)).collect();
    let mut seen = HashSet::new();
    top.iter().take(CUTOFF).map(|t| title_key(t)).any(|k| expected.contains(&k) && !seen.insert(k))
}

/// nDCG@[`CUTOFF`] with binary relevance: the DCG of `ranks` over the DCG of min(CUTOFF, `expected`)
/// relevant talks at ranks 1, 2, ….
pub fn ndcg(ranks: &[usize], expected: usize) -> f64 {
    let gain = |rank: usize| 1.0 / ((rank + 1) as f64).log2();
    let ideal: f64 = (1..=expected.min(CUTOFF)).map(gain).sum();
    if ideal == 0.0 {
        return 0.0;
    }
    let dcg: f64 = ranks.iter().filter(|&&r| r <= CUTOFF).map(|&r| gain(r)).sum();
    dcg / ideal
}

/// Reciprocal rank of the first relevant rank within [`CUTOFF`], 0 when there is none.
pub fn reciprocal_rank(ranks: &[usize]) -> f64 {
    ranks.iter().copied().filter(|&r| (1..=CUTOFF).contains(&r)).min().map_or(0.0, |r| 1.0 / r as f64)
}

fn scores(group: &[&Outcome]) -> Scores {
    let n = group.len();
    if n == 0 {
        return Scores::default();
    }
    let mean = |f: &dyn Fn(&Outcome) -> f64| group.iter().map(|o| f(o)).sum::<f64>() / n as f64;
    Scores {
        n,
        success_at_1: mean(&|o| if o.first_rank() == Some(1) { 1.0 } else { 0.0 }),
        success_at_10: mean(&|o| if o.first_rank().is_some() { 1.0 } else { 0.0 }),
        mrr: mean(&|o| reciprocal_rank(&o.ranks)),
        ndcg_at_10: mean(&|o| o.ndcg),
    }
}

/// `talksearch eval`: run a judged query set against an index.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The judged query set (TSV: kind, query, expected titles separated by " || ").
    /// Default: the sets compiled in from tests/relevance/ (queries.tsv and real.tsv).
    #[arg(long, value_name = "FILE")]
    pub queries: Option<PathBuf>,
    #[command(flatten)]
    pub index: IndexArg,
    /// Print the whole report (scores and every query's outcome) as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs the evaluation and prints the table and the failed queries (or JSON).
pub fn run(args: EvalArgs) -> anyhow::Result<()> {
    let queries = match &args.queries {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
        }
        None => default_queries().map_err(|e| anyhow::anyhow!(e))?,
    };
    let engine = crate::commands::open_engine(&args.index.index_dir())?;
    let report = evaluate(&engine, &queries);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    print!("{}", report.table());
    if args.queries.is_none() {
        println!(
            "\n(The built-in set is judged on the whole ../shared/corpus, 22,328 talks; this index has {}. \
             On another corpus, such as the shipped data/corpus, some expected talks are not there at all \
             and the scores are not comparable.)",
            engine.num_talks()
        );
    }
    let failed = report.failures().count();
    println!("\n{failed} of {} queries without an expected talk in the top {CUTOFF}", report.overall.n);
    if failed > 0 {
        print!("\n{}", report.failure_list());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    fn titles(t: &[&str]) -> Vec<String> {
        t.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn ndcg_on_hand_computed_examples() {
        // One expected talk at rank 1: perfect.
        assert!(close(ndcg(&[1], 1), 1.0));
        // One expected talk at rank 3: 1/log2(4) = 0.5.
        assert!(close(ndcg(&[3], 1), 0.5));
        // Two expected, found at ranks 1 and 3: (1 + 0.5) / (1 + 1/log2(3)) = 1.5 / 1.6309298 = 0.9197208.
        assert!(close(ndcg(&[1, 3], 2), 1.5 / (1.0 + 1.0 / 3f64.log2())));
        assert!((ndcg(&[1, 3], 2) - 0.919_720_8).abs() < 1e-6);
        // Three expected, one found at rank 2: 0.6309298 / (1 + 0.6309298 + 0.5) = 0.2960819.
        assert!((ndcg(&[2], 3) - 0.296_081_9).abs() < 1e-6);
        // Nothing found, or nothing expected.
        assert!(close(ndcg(&[], 4), 0.0));
        assert!(close(ndcg(&[1], 0), 0.0));
        // Twenty expected: the ideal stops at ten, so ten hits in the top ten are perfect.
        let all: Vec<usize> = (1..=10).collect();
        assert!(close(ndcg(&all, 20), 1.0));
    }

    #[test]
    fn reciprocal_rank_is_of_the_first_relevant_hit_within_ten() {
        assert!(close(reciprocal_rank(&[1, 4]), 1.0));
        assert!(close(reciprocal_rank(&[4]), 0.25));
        assert!(close(reciprocal_rank(&[]), 0.0));
        assert!(close(reciprocal_rank(&[11]), 0.0));
    }

    #[test]
    fn each_expected_title_is_credited_once() {
        let top = titles(&["a", "x", "a", "b", "y"]);
        assert_eq!(relevant_ranks(&top, &titles(&["a", "b"])), vec![1, 4]);
        assert_eq!(relevant_ranks(&top, &titles(&["z"])), Vec::<usize>::new());
        // Only the top ten count.
        let long: Vec<String> = (0..12).map(|i| format!("t{i}")).collect();
        assert_eq!(relevant_ranks(&long, &titles(&["t10", "t9"])), vec![10]);
    }

    #[test]
    fn titles_match_without_numbering_brackets_or_case() {
        let top = titles(&["二、《蚂蚁服务发现的大规模实践和展望》", "The Mighty Dictionary"]);
        assert_eq!(
            relevant_ranks(&top, &titles(&["the mighty dictionary", "蚂蚁服务发现的大规模实践和展望"])),
            vec![1, 2]
        );
        assert!(!repeats_expected(&top, &titles(&["The Mighty Dictionary"])));
        let twice = titles(&["Go 泛型设计", "x", "1. Go 泛型设计"]);
        assert!(repeats_expected(&twice, &titles(&["Go 泛型设计"])));
        assert!(!repeats_expected(&twice, &titles(&["x"])));
    }

    #[test]
    fn scores_average_over_queries() {
        let o = |kind: &str, ranks: Vec<usize>, expected: usize| Outcome {
            line: 1,
            kind: kind.to_string(),
            query: "q".to_string(),
            ndcg: ndcg(&ranks, expected),
            ranks,
            top: Vec::new(),
            matched: None,
            total: 0,
            expected: vec!["t".to_string(); expected],
            repeated: false,
            error: None,
        };
        // Ranks 1, 2 and none: s@1 = 1/3, s@10 = 2/3, MRR = (1 + 0.5 + 0) / 3 = 0.5,
        // nDCG = (1 + 1/log2(3) + 0) / 3 = (1 + 0.6309298) / 3 = 0.5436433.
        let group = [o("zh", vec![1], 1), o("zh", vec![2], 1), o("zh", vec![], 1)];
        let s = scores(&group.iter().collect::<Vec<_>>());
        assert_eq!(s.n, 3);
        assert!(close(s.success_at_1, 1.0 / 3.0));
        assert!(close(s.success_at_10, 2.0 / 3.0));
        assert!(close(s.mrr, 0.5));
        assert!((s.ndcg_at_10 - 0.543_643_3).abs() < 1e-6);
        assert_eq!(scores(&[]), Scores::default());
    }

    #[test]
    fn parses_the_tsv_format() {
        let tsv = "# kind\tquery\texpected\n\nzh\t服务网格\tA || B\nen\tdjango\tCrash test of Django ORM\n";
        let q = parse(tsv).unwrap();
        assert_eq!(q.len(), 2);
        assert_eq!(
            q[0],
            Judged { line: 3, kind: "zh".into(), query: "服务网格".into(), expected: titles(&["A", "B"]) }
        );
        assert_eq!(q[1].line, 4);
        assert_eq!(q[1].expected, titles(&["Crash test of Django ORM"]));
    }

    #[test]
    fn malformed_lines_are_reported_with_their_number() {
        let cases = [
            ("zh\t服务网格\n", "line 1: expected 3 tab-separated columns"),
            ("zh\tq\tA\nzh\tq\tA\tB\n", "line 2: expected 3"),
            ("# c\nklingon\tq\tA\n", "line 2: unknown kind \"klingon\""),
            ("zh\t \tA\n", "line 1: the query is empty"),
            ("zh\tq\tA ||  || B\n", "line 1: an expected title is empty"),
            ("zh\tq\t\n", "line 1: an expected title is empty"),
            ("# only a comment\n", "no queries"),
        ];
        for (tsv, want) in cases {
            let err = parse(tsv).unwrap_err();
            assert!(err.contains(want), "{tsv:?}: {err}");
        }
    }

    #[test]
    fn the_shipped_query_set_parses() {
        let q = default_queries().expect("the sets in tests/relevance/ are well formed");
        assert!(q.len() >= 100, "{} queries", q.len());
        for kind in KINDS {
            assert!(q.iter().any(|j| j.kind == *kind), "no {kind} queries");
        }
    }
}
