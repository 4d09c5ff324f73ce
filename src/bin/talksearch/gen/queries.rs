//! `talksearch gen --queries N`: distinct benchmark queries, each a fragment of one real talk's title
//! or abstract as a person would type it (see [`generate_queries`]); the same seed and corpus give
//! byte-identical output.

use std::collections::{BTreeMap, HashSet};
use std::io::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context};
use talksearch::talk::{is_han, Talk};
use talksearch::tokenizer::{self, PART_PREFIX, STEM_PREFIX};

use super::{read_source, write, GenArgs, Rng};

/// A class of generated query, written as the bench query file's `[class]` prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryClass {
    /// Latin words from an English talk.
    En,
    /// Chinese words from a Chinese talk.
    Zh,
    /// Chinese and Latin words from one Chinese talk.
    Mixed,
}

impl QueryClass {
    pub fn name(self) -> &'static str {
        match self {
            QueryClass::En => "en",
            QueryClass::Zh => "zh",
            QueryClass::Mixed => "mixed",
        }
    }

    /// The `talk.language` the class draws from.
    fn language(self) -> &'static str {
        match self {
            QueryClass::En => "en",
            QueryClass::Zh | QueryClass::Mixed => "zh",
        }
    }
}

/// Each class's share of a query file, in percent. Drawn by class rather than by talk: the real
/// corpus is ~97% English by talk, which would leave Chinese search all but unmeasured.
const QUERY_SHARES: [(QueryClass, u64); 3] = [(QueryClass::En, 45), (QueryClass::Zh, 35), (QueryClass::Mixed, 20)];
/// Chance that a query comes from the title rather than the abstract: titles are what people remember.
const FROM_TITLE: f64 = 0.7;
/// Relative weights of queries of 1, 2, 3 and 4 words: people mostly type two or three.
const LENGTH_WEIGHTS: [u64; 4] = [25, 40, 25, 10];
/// Chance that a mixed query pairs a Chinese word with a Latin name of the text (`流量管理 Istio`,
/// `角度 Service Mesh`), as someone who remembers both would type them, rather than being a window
/// holding both.
const MIXED_PAIR: f64 = 0.4;
/// Draws in a row that may find no new query before a class counts as exhausted.
const ATTEMPTS_PER_QUERY: u32 = 2_000;
/// The most queries one run writes: the corpus runs out long before, and this bounds memory first.
pub const MAX_QUERIES: u64 = 1_000_000;
const SALT_QUERY: u64 = 3;

/// Latin words that are not queries on their own, nor the first or last word of one (compared
/// lowercased).
const EN_STOP: &[&str] = &[
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "among", "an", "and", "any", "are", "as",
    "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did",
    "do", "does", "doing", "down", "during", "each", "either", "else", "even", "ever", "every", "few", "for", "from",
    "further", "had", "has", "have", "having", "he", "her", "here", "him", "his", "how", "however", "i", "if", "in",
    "into", "is", "it", "its", "itself", "just", "let", "lets", "may", "me", "might", "more", "most", "much", "must",
    "my", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "out", "over", "own",
    "per", "same", "shall", "she", "should", "since", "so", "some", "such", "than", "that", "the", "their", "them",
    "then", "there", "these", "they", "this", "those", "though", "through", "thus", "to", "too", "under", "until",
    "up", "upon", "us", "using", "very", "via", "vs", "was", "we", "were", "what", "when", "where", "whether", "which",
    "while", "who", "whom", "whose", "why", "will", "with", "within", "without", "would", "yet", "you", "your",
];
/// Chinese function words, as the analyzer writes them (simplified). One-character words never
/// count as content anyway; the two-character ones are the `how`, `we`, `based on` of Chinese titles.
#[rustfmt::skip]
const ZH_STOP: &[&str] = &[
    "的", "了", "和", "与", "在", "是", "及", "中", "我们", "你们", "他们", "如何", "以及", "及其", "一个", "一些", "一种",
    "这个", "这些", "这种", "其他", "本次", "什么", "为什么", "怎么", "怎样", "哪些", "通过", "进行", "可以", "能够", "需要", "即可",
    "对于", "关于", "基于", "使用", "利用", "其中", "并且", "而且", "或者", "如果", "因为", "所以", "但是", "同时", "此外", "然后",
    "等等", "已经", "没有", "还是", "就是", "不是",
];
/// Punctuation that may wrap a Latin word in prose (`(Django)`, `**Django**`, `Django,`) without
/// gluing it to anything.
const WRAPPING: &[char] = &[
    '"', '\'', '“', '”', '‘', '’', '(', ')', '[', ']', ',', '.', ';', ':', '!', '?', '*', '_', '~', '`', '…', '«', '»',
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Han,
    Latin,
    /// Kana, Hangul, Cyrillic …: in no class.
    Other,
}

/// A word of a title or abstract, as the analyzer cut it.
#[derive(Debug, Clone)]
struct Word {
    /// Bytes in the original text: queries write words as the talk did (case, traditional characters).
    range: Range<usize>,
    script: Script,
    /// May be in a query at all: not part of a URL, path, identifier or version number.
    usable: bool,
    /// May start or end a query: usable, and not a stop word, a lone character or a number.
    content: bool,
    /// Follows the previous word with only spaces between them (or nothing, next to a Chinese word;
    /// or a hyphen, between Latin words), so one query may hold both; punctuation and line breaks
    /// end a fragment.
    joined: bool,
}

/// The words of `text`, in order.
fn text_words(text: &str) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::new();
    let mut last_position = None;
    for (term, position, range) in tokenizer::tokens(text) {
        // Sub-word parts and stems repeat a piece of the word before them: no one types them.
        if term.starts_with(PART_PREFIX) || term.starts_with(STEM_PREFIX) {
            continue;
        }
        let Some(original) = text.get(range.clone()) else { continue };
        let script = script(original);
        let usable = match script {
            Script::Han => true,
            Script::Latin => !glued(text, &range),
            Script::Other => false,
        };
        let chars = original.chars().count();
        let content = usable
            && chars >= 2
            && match script {
                Script::Han => !ZH_STOP.contains(&term.as_str()),
                Script::Latin => original.chars().any(char::is_alphabetic) && !EN_STOP.contains(&term.as_str()),
                Script::Other => false,
            };
        let joined = match (out.last(), last_position) {
            (Some(prev), Some(p)) if position == p + 1 => text.get(prev.range.end..range.start).is_some_and(|gap| {
                let latin = prev.script == Script::Latin && script == Script::Latin;
                let spaces = !gap.is_empty() && gap.chars().all(|c| matches!(c, ' ' | '\t' | '\u{a0}' | '\u{3000}'));
                // Chinese needs no space next to a word; two Latin words with nothing between them
                // are pieces of one (`Mikul`, `á`).
                spaces || (gap.is_empty() && !latin) || (gap == "-" && latin)
            }),
            _ => false,
        };
        last_position = Some(position);
        out.push(Word { range, script, usable, content, joined });
    }
    out
}

fn script(word: &str) -> Script {
    let latin = |c: char| {
        c == '+'
            || c == '#'
            || (c.is_alphanumeric() && matches!(c as u32, 0..=0x24F | 0x1E00..=0x1EFF | 0xFF10..=0xFF5A))
    };
    match () {
        _ if word.is_empty() => Script::Other,
        _ if word.chars().all(is_han) => Script::Han,
        _ if word.chars().all(latin) => Script::Latin,
        _ => Script::Other,
    }
}

/// Whether the Latin word at `range` is glued into something that is not prose: a URL, a path, an
/// identifier, a version number, `Node.js`, `don't`. Its words would come out as fragments such as
/// `github com` or `3 11`, so they are left out and end any fragment around them. Hyphenated words
/// (`cloud-native`) and possessives (`Python's`, which gives `Python`) stay usable.
fn glued(text: &str, range: &Range<usize>) -> bool {
    let (Some(before), Some(after)) = (text.get(..range.start), text.get(range.end..)) else { return true };
    // The run of non-space, non-Chinese characters holding the word.
    let start = before.char_indices().rev().find(|&(_, c)| breaks_run(c)).map_or(0, |(i, c)| i + c.len_utf8());
    let end = range.end + after.char_indices().find(|&(_, c)| breaks_run(c)).map_or(after.len(), |(i, _)| i);
    let Some(run) = text.get(start..end) else { return true };
    let core_start = start + (run.len() - run.trim_start_matches(WRAPPING).len());
    let mut core_end = start + run.trim_end_matches(WRAPPING).len();
    let Some(core) = text.get(core_start..core_end.max(core_start)) else { return true };
    if let Some(stem) = core.strip_suffix("'s").or_else(|| core.strip_suffix("’s")) {
        core_end = core_start + stem.len();
    }
    let Some(core) = text.get(core_start..core_end.max(core_start)) else { return true };
    // The word must be one whole piece of it: `Mikul` out of `Mikuláš` (jieba cuts Latin words at
    // accented letters) is no word anyone types.
    let (mut at, mut whole) = (core_start, false);
    for piece in core.split('-') {
        // `C++`, `C#`: a trailing `+` or `#` belongs to the word.
        let body = piece.trim_end_matches(['+', '#']);
        if body.is_empty() || !body.chars().all(|c| c.is_alphanumeric() && !is_han(c)) {
            return true;
        }
        whole |= at == range.start && at + piece.len() == range.end;
        at += piece.len() + 1;
    }
    !whole
}

/// Ends a run of glued characters: whitespace, Chinese, and Chinese punctuation (`Istio、Envoy` is
/// a list, not one token).
fn breaks_run(c: char) -> bool {
    c.is_whitespace()
        || is_han(c)
        || matches!(c as u32, 0x3000..=0x303F | 0xFE30..=0xFE4F)
        || (matches!(c as u32, 0xFF00..=0xFFEF) && !c.is_alphanumeric())
}

/// Whether `window` can be a query of `class`: content words at both ends, all usable and joined,
/// and the scripts the class asks for.
fn fits(window: &[Word], class: QueryClass) -> bool {
    let (Some(first), Some(last)) = (window.first(), window.last()) else { return false };
    if !first.content || !last.content || !window.iter().all(|w| w.usable) || !window[1..].iter().all(|w| w.joined) {
        return false;
    }
    let han = window.iter().any(|w| w.script == Script::Han);
    let latin = window.iter().any(|w| w.script == Script::Latin);
    match class {
        QueryClass::Zh => han && !latin,
        QueryClass::En => latin && !han,
        QueryClass::Mixed => han && latin,
    }
}

/// Whether words `i` and `i + 1` are Latin words of one run (`Service Mesh`, `Apache APISIX`).
fn latin_link(words: &[Word], i: usize) -> bool {
    let latin = |w: &Word| w.usable && w.script == Script::Latin;
    matches!((words.get(i), words.get(i + 1)), (Some(a), Some(b)) if latin(a) && latin(b) && b.joined)
}

/// The runs of Latin words in Chinese text (`Service Mesh`, `Apache APISIX`) as word ranges,
/// trimmed to content words at both ends. Runs of more than three words are English sentences
/// rather than names, and are left out.
fn latin_runs(words: &[Word]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        if !(words[i].usable && words[i].script == Script::Latin) {
            i += 1;
            continue;
        }
        let start = i;
        while latin_link(words, i) {
            i += 1;
        }
        i += 1;
        let mut run = start..i;
        while run.start < run.end && !words[run.start].content {
            run.start += 1;
        }
        while run.end > run.start && !words[run.end - 1].content {
            run.end -= 1;
        }
        if !run.is_empty() && run.len() <= 3 {
            out.push(run);
        }
    }
    out
}

/// The words as the text writes them, joined by a space.
fn written<'w>(text: &str, words: impl Iterator<Item = &'w Word>) -> String {
    words.filter_map(|w| text.get(w.range.clone())).collect::<Vec<_>>().join(" ")
}

/// `0..weights.len()`, each with its weight.
fn weighted(rng: &mut Rng, weights: &[u64]) -> usize {
    let mut r = rng.below(weights.iter().sum::<u64>() as usize) as u64;
    for (i, &w) in weights.iter().enumerate() {
        if r < w {
            return i;
        }
        r -= w;
    }
    weights.len() - 1
}

/// What queries are drawn from: the talks by language, and each text's words once analyzed.
struct QuerySource<'a> {
    /// Sorted by id, so draws do not depend on the order the files were read in.
    talks: Vec<&'a Talk>,
    /// Indexes into `talks` of the English and the Chinese talks.
    en: Vec<usize>,
    zh: Vec<usize>,
    /// The words of talk `i`'s title at `2 * i`, of its abstract at `2 * i + 1`, analyzed when first drawn.
    analyzed: Vec<Option<Vec<Word>>>,
}

impl<'a> QuerySource<'a> {
    fn new(source: &'a [Talk]) -> QuerySource<'a> {
        let mut talks: Vec<&Talk> = source.iter().collect();
        talks.sort_by(|a, b| a.id.cmp(&b.id).then_with(|| a.title.cmp(&b.title)));
        let of = |lang: &str| talks.iter().enumerate().filter(|(_, t)| t.language == lang).map(|(i, _)| i).collect();
        let (en, zh) = (of("en"), of("zh"));
        QuerySource { analyzed: vec![None; talks.len() * 2], talks, en, zh }
    }

    fn pool(&self, class: QueryClass) -> &[usize] {
        match class {
            QueryClass::En => &self.en,
            QueryClass::Zh | QueryClass::Mixed => &self.zh,
        }
    }

    /// One query of `class` from a random talk, or `None` when the text drawn has none of the shape drawn.
    fn draw(&mut self, class: QueryClass, rng: &mut Rng) -> Option<String> {
        let pool = self.pool(class);
        if pool.is_empty() {
            return None;
        }
        let i = pool[rng.below(pool.len())];
        let talk: &'a Talk = self.talks[i];
        let (slot, text) = if rng.chance(FROM_TITLE) {
            (2 * i, talk.title.as_str())
        } else {
            (2 * i + 1, talk.abstract_text.as_str())
        };
        let words: &[Word] = self.analyzed[slot].get_or_insert_with(|| text_words(text));
        if class == QueryClass::Mixed && rng.chance(MIXED_PAIR) {
            let han: Vec<usize> =
                (0..words.len()).filter(|&k| words[k].content && words[k].script == Script::Han).collect();
            let runs = latin_runs(words);
            if han.is_empty() || runs.is_empty() {
                return None;
            }
            let (h, run) = (*rng.pick(&han), rng.pick(&runs).clone());
            let pair: Vec<&Word> = if h < run.start {
                std::iter::once(&words[h]).chain(&words[run]).collect()
            } else {
                words[run].iter().chain(std::iter::once(&words[h])).collect()
            };
            return Some(written(text, pair.into_iter()));
        }
        let len = match class {
            QueryClass::Mixed => 2 + weighted(rng, &LENGTH_WEIGHTS[1..]),
            QueryClass::En | QueryClass::Zh => 1 + weighted(rng, &LENGTH_WEIGHTS),
        };
        let fitting = |&start: &usize| {
            let end = start + len;
            // A Latin run inside Chinese text is a name (`Service Mesh`): a mixed query keeps it whole.
            let cuts_a_run = class == QueryClass::Mixed
                && ((start > 0 && latin_link(words, start - 1)) || latin_link(words, end - 1));
            fits(&words[start..end], class) && !cuts_a_run
        };
        let starts = 0..(words.len() + 1).saturating_sub(len);
        let count = starts.clone().filter(fitting).count();
        if count == 0 {
            return None;
        }
        let start = starts.filter(fitting).nth(rng.below(count))?;
        Some(written(text, words[start..start + len].iter()))
    }
}

/// How many queries of each class `n` queries hold.
fn quotas(n: u64) -> Vec<(QueryClass, u64)> {
    let mut left = n;
    let mut out: Vec<(QueryClass, u64)> = QUERY_SHARES
        .iter()
        .map(|&(class, percent)| {
            let q = ((n * percent + 50) / 100).min(left);
            left -= q;
            (class, q)
        })
        .collect();
    // Rounding leaves the last class whatever the others did not take.
    if let Some(last) = out.last_mut() {
        last.1 += left;
    }
    out
}

/// Queries that differ only in case or spacing are one query.
fn query_key(q: &str) -> String {
    q.to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Generated benchmark queries, in file order, with what they were drawn from.
#[derive(Debug, Clone)]
pub struct QuerySet {
    pub queries: Vec<(QueryClass, String)>,
    /// Source talks per language.
    pub languages: BTreeMap<String, usize>,
    /// Draws made, new or not.
    pub draws: u64,
}

impl QuerySet {
    /// Queries per class, in [`QUERY_SHARES`] order.
    pub fn counts(&self) -> Vec<(QueryClass, usize)> {
        QUERY_SHARES.iter().map(|&(c, _)| (c, self.queries.iter().filter(|q| q.0 == c).count())).collect()
    }
}

/// `n` distinct benchmark queries drawn from `source` with `seed`.
///
/// Each is 1–4 consecutive words of one talk's title (70%) or abstract (30%) as the analyzer cuts
/// them, written as the talk writes them and joined by spaces, never starting or ending with a stop
/// word, a one-character Chinese word, a one-letter or numeric Latin word; fragments never span
/// punctuation or a line break and leave out URLs, paths and version numbers. Classes take their
/// [`QUERY_SHARES`] in a shuffled order. A mixed query never cuts a run of Latin words (`Service
/// Mesh`) in two, and may also pair a Chinese word with such a run of the same text. Queries
/// differing only in case or spacing count once. Errors when the corpus lacks a language a class
/// needs, or runs out of new queries of a class.
pub fn generate_queries(source: &[Talk], n: u64, seed: u64) -> anyhow::Result<QuerySet> {
    if n > MAX_QUERIES {
        bail!("at most {MAX_QUERIES} queries can be generated; {n} were asked for");
    }
    let mut src = QuerySource::new(source);
    let mut languages: BTreeMap<String, usize> = BTreeMap::new();
    for t in source {
        *languages.entry(t.language.clone()).or_default() += 1;
    }
    let quotas = quotas(n);
    for &(class, quota) in &quotas {
        if quota > 0 && src.pool(class).is_empty() {
            bail!(
                "the corpus has no talks in language {:?}, which [{}] queries come from; give --from a corpus that has some",
                class.language(),
                class.name()
            );
        }
    }
    let mut rng = Rng::for_item(seed, SALT_QUERY, 0);
    // The classes in a random order, so any stretch of the file has the whole mix.
    let mut schedule: Vec<QueryClass> =
        quotas.iter().flat_map(|&(class, quota)| std::iter::repeat_n(class, quota as usize)).collect();
    for i in (1..schedule.len()).rev() {
        schedule.swap(i, rng.below(i + 1));
    }
    let mut seen: HashSet<String> = HashSet::new();
    let mut queries: Vec<(QueryClass, String)> = Vec::with_capacity(schedule.len());
    let mut draws = 0u64;
    for class in schedule {
        let mut attempts = 0;
        loop {
            if attempts == ATTEMPTS_PER_QUERY {
                let have = queries.iter().filter(|q| q.0 == class).count();
                let want = quotas.iter().find(|q| q.0 == class).map_or(0, |q| q.1);
                bail!(
                    "the corpus cannot give {want} distinct [{}] queries: {have} found, then {ATTEMPTS_PER_QUERY} draws \
                     in a row from its {} {:?} talks gave none new; ask for fewer --queries or add talks with --from",
                    class.name(),
                    src.pool(class).len(),
                    class.language()
                );
            }
            attempts += 1;
            draws += 1;
            if let Some(q) = src.draw(class, &mut rng) {
                if seen.insert(query_key(&q)) {
                    queries.push((class, q));
                    break;
                }
            }
        }
    }
    Ok(QuerySet { queries, languages, draws })
}

/// `path` as typed in a shell.
fn shell_word(path: &Path) -> String {
    let s = path.display().to_string();
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "._/-+=:,@".contains(c)) {
        s
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The query file: a header saying how it was made, then one `[class] query` line per query.
///
/// The header gives the command without `--out`, so the bytes depend on the seed and the corpus only.
pub fn render_queries(set: &QuerySet, seed: u64, from: &[PathBuf]) -> String {
    let from_flags: String = from.iter().map(|p| format!(" --from {}", shell_word(p))).collect();
    let command = format!("talksearch gen --queries {} --seed {seed}{from_flags}", set.queries.len());
    let sources = from.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ");
    let talks: usize = set.languages.values().sum();
    // The languages queries are drawn from by name; the rest (pyvideo has a dozen) only counted.
    let drawn = |l: &str| QUERY_SHARES.iter().any(|(c, _)| c.language() == l);
    let mut languages: Vec<String> = Vec::new();
    for (class, _) in QUERY_SHARES {
        let language = class.language();
        let entry = format!("{language} {}", set.languages.get(language).copied().unwrap_or(0));
        if !languages.contains(&entry) {
            languages.push(entry);
        }
    }
    let others: Vec<usize> = set.languages.iter().filter(|(l, _)| !drawn(l)).map(|(_, &c)| c).collect();
    if !others.is_empty() {
        languages.push(format!("{} in {} other languages", others.iter().sum::<usize>(), others.len()));
    }
    let languages = languages.join(", ");
    let total = set.queries.len().max(1) as f64;
    let classes = set
        .counts()
        .iter()
        .map(|(c, k)| format!("{} {k} ({:.0}%)", c.name(), *k as f64 * 100.0 / total))
        .collect::<Vec<_>>()
        .join(", ");
    let mut s = String::new();
    let mut line = |l: &str| {
        s.push_str(l);
        s.push('\n');
    };
    line("# Benchmark queries generated from a real corpus; do not edit. To regenerate, run");
    line(&format!("#   {command} --out <this file>"));
    line("# (the same seed and corpus give the same bytes).");
    line("#");
    line(&format!("# Corpus: {sources}: {talks} talks ({languages})."));
    line("# Each query is 1-4 consecutive words of one talk's title (~70%) or abstract (~30%), written as");
    line("# the talk writes them and joined by spaces; never starting or ending with a stop word, a lone");
    line("# character or a number. A [mixed] query is such a fragment of a Chinese talk holding Chinese and");
    line("# Latin words, or (~40%) one Chinese word and one Latin name (`Service Mesh`) of the same text.");
    line(&format!("# Classes, drawn by class rather than by talk: {classes}."));
    line("# Format: `[class] query`, one per line, as in benches/queries/default.txt.");
    line("");
    for (class, q) in &set.queries {
        line(&format!("[{}] {q}", class.name()));
    }
    s
}

/// `talksearch gen --queries N`: reads the source corpus and writes the query file, with a summary.
pub(super) fn run_queries(n: u64, args: GenArgs) -> anyhow::Result<()> {
    if n == 0 {
        bail!("--queries must be at least 1");
    }
    let (from, ingested, read_seconds) = read_source(args.from)?;
    let drawing = Instant::now();
    let set = generate_queries(&ingested.talks, n, args.seed)?;
    let text = render_queries(&set, args.seed, &from);
    let to_stdout = args.out.as_os_str() == "-";
    if to_stdout {
        std::io::stdout().lock().write_all(text.as_bytes()).context("writing the queries to standard output")?;
    } else {
        write(&args.out, text.as_bytes())?;
    }
    let counts = set.counts().iter().map(|(c, k)| format!("{} {k}", c.name())).collect::<Vec<_>>().join(", ");
    let summary = format!(
        "written: {} queries ({counts}) to {} (seed {}), from {} talks in {} ({:.2} s to read, {:.2} s to draw {} times)",
        set.queries.len(),
        if to_stdout { "standard output".to_string() } else { args.out.display().to_string() },
        args.seed,
        ingested.talks.len(),
        from.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "),
        read_seconds,
        drawing.elapsed().as_secs_f64(),
        set.draws
    );
    // The summary must not end up inside a query file written to standard output.
    if to_stdout {
        eprintln!("{summary}");
    } else {
        println!("{summary}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn talk(id: &str, language: &str, title: &str, abstract_text: &str) -> Talk {
        Talk {
            id: id.into(),
            title: title.into(),
            abstract_text: abstract_text.into(),
            language: language.into(),
            ..Talk::default()
        }
    }

    /// Small talks in both languages, with the debris real abstracts hold: URLs, `Node.js`, version
    /// numbers, possessives, traditional characters, Latin words inside Chinese text.
    fn small_corpus() -> Vec<Talk> {
        vec![
            talk(
                "z1",
                "zh",
                "字节跳动 Service Mesh 性能优化的实践与思考",
                "介绍字节跳动在服务网格上的大规模落地经验，包括 Istio 控制面与 Envoy 数据面的定制和性能调优。",
            ),
            talk("z2", "zh", "基于 Kubernetes 的云原生应用交付", "如何用 Helm 和 GitOps 管理多集群应用的发布、回滚与灰度。"),
            talk(
                "z3",
                "zh",
                "服務網格的可觀測性建設",
                "分布式追踪、指标与日志在 Service Mesh 中的统一采集，以及 OpenTelemetry 的落地，代码见 https://github.com/x/y。",
            ),
            talk("z4", "zh", "蚂蚁集团分布式事务框架 Seata 的演进", "Seata 在金融场景下的高可用设计与一致性保障。"),
            talk("z5", "zh", "微服务治理与流量调度", "多集群流量调度、熔断限流和服务发现的工程实践。"),
            talk(
                "e1",
                "en",
                "An Introduction to Django for Web Developers",
                "Django is a web framework. See https://github.com/django/django for the code, Node.js interop and \
                 Python's typing in 3.11.",
            ),
            talk(
                "e2",
                "en",
                "How to Scale Python Services with asyncio",
                "Async programming with asyncio, event loops and structured concurrency in production services.",
            ),
            talk(
                "e3",
                "en",
                "Type Hints in Large Codebases",
                "Gradual typing, mypy and pyright: lessons from migrating a large codebase to static type checking.",
            ),
            talk(
                "e4",
                "en",
                "Data Pipelines with Pandas and Apache Arrow",
                "Columnar memory, zero-copy reads and fast analytics for data science teams.",
            ),
        ]
    }

    fn is_stop(word: &str) -> bool {
        EN_STOP.contains(&word.to_lowercase().as_str())
            || ZH_STOP.contains(&talksearch::tokenizer::normalize(word).as_str())
    }

    #[test]
    fn the_same_seed_gives_the_same_queries_and_the_input_order_does_not_matter() {
        let talks = small_corpus();
        let from = [PathBuf::from("mem")];
        let render = |talks: &[Talk], seed| render_queries(&generate_queries(talks, 40, seed).unwrap(), seed, &from);
        let a = render(&talks, 7);
        assert_eq!(a, render(&talks, 7), "same seed, same bytes");
        assert_ne!(a, render(&talks, 8), "another seed, other queries");
        let reversed: Vec<Talk> = talks.iter().rev().cloned().collect();
        assert_eq!(a, render(&reversed, 7), "the order talks were read in does not matter");
    }

    #[test]
    fn queries_are_distinct_have_their_class_shape_and_content_words_at_both_ends() {
        let talks = small_corpus();
        for seed in 1..=5 {
            let set = generate_queries(&talks, 40, seed).unwrap();
            assert_eq!(set.queries.len(), 40);
            let counts: Vec<usize> = set.counts().iter().map(|c| c.1).collect();
            assert_eq!(counts, [18, 14, 8], "45/35/20 of 40");
            let keys: HashSet<String> = set.queries.iter().map(|q| query_key(&q.1)).collect();
            assert_eq!(keys.len(), 40, "distinct: {:?}", set.queries);
            for (class, q) in &set.queries {
                let ws: Vec<&str> = q.split(' ').collect();
                assert!((1..=4).contains(&ws.len()), "{q:?}: 1-4 words");
                assert!(ws.iter().all(|w| !w.is_empty()), "{q:?}: single spaces");
                let han = |w: &&str| w.chars().all(is_han);
                let latin = |w: &&str| w.chars().all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '#');
                match class {
                    QueryClass::Zh => assert!(ws.iter().all(han), "{q:?}: [zh] is Chinese words only"),
                    QueryClass::En => assert!(ws.iter().all(latin), "{q:?}: [en] is Latin words only"),
                    QueryClass::Mixed => assert!(
                        ws.iter().any(han) && ws.iter().any(latin) && ws.iter().all(|w| han(w) || latin(w)),
                        "{q:?}: [mixed] has both"
                    ),
                }
                for end in [ws[0], ws[ws.len() - 1]] {
                    assert!(!is_stop(end), "{q:?}: starts or ends with a stop word");
                    assert!(end.chars().count() >= 2, "{q:?}: a lone character at an end");
                    assert!(!end.chars().all(|c| c.is_ascii_digit()), "{q:?}: a number at an end");
                }
                if *class == QueryClass::Mixed {
                    let (service, mesh) =
                        (ws.iter().position(|w| *w == "Service"), ws.iter().position(|w| *w == "Mesh"));
                    assert!(service.map(|i| i + 1) == mesh, "{q:?}: `Service Mesh` is kept whole in mixed queries");
                }
                for junk in ["github", "com", "https", "js", "11", "s"] {
                    assert!(!ws.contains(&junk), "{q:?}: URL, version or possessive debris");
                }
                let talk_text = talks.iter().any(|t| {
                    let text = format!("{} {}", t.title, t.abstract_text);
                    ws.iter().all(|w| text.contains(w))
                });
                assert!(talk_text, "{q:?}: every word is written as one talk wrote it");
            }
        }
    }

    #[test]
    fn words_keep_the_original_text_and_leave_out_glued_ones() {
        let text = "Node.js, Python's typing; see https://x.org/a_b and cloud-native C++ 3.11";
        let ws = text_words(text);
        let usable: Vec<&str> = ws.iter().filter(|w| w.usable).map(|w| &text[w.range.clone()]).collect();
        assert_eq!(usable, ["Python", "typing", "see", "and", "cloud", "native", "C++"]);
        let content: Vec<&str> = ws.iter().filter(|w| w.content).map(|w| &text[w.range.clone()]).collect();
        assert_eq!(content, ["Python", "typing", "see", "cloud", "native", "C++"]);
        let joined: Vec<&str> = ws.iter().filter(|w| w.usable && w.joined).map(|w| &text[w.range.clone()]).collect();
        assert_eq!(joined, ["typing", "and", "cloud", "native", "C++"], "`;` ends a fragment, a hyphen does not");

        let text = "Mikuláš Zelinka";
        let usable: Vec<&str> = text_words(text).iter().filter(|w| w.usable).map(|w| &text[w.range.clone()]).collect();
        assert_eq!(usable, ["Zelinka"], "no pieces of a word jieba cut at an accented letter");

        let text = "服務網格的可觀測性，Istio、Envoy";
        let ws = text_words(text);
        let shown: Vec<(&str, bool, bool)> = ws.iter().map(|w| (&text[w.range.clone()], w.content, w.joined)).collect();
        assert_eq!(
            shown,
            [
                ("服務網格", true, false),
                ("的", false, true),
                ("可觀測性", true, true),
                ("Istio", true, false),
                ("Envoy", true, false)
            ],
            "traditional characters kept; Chinese punctuation ends a fragment but does not glue"
        );
    }

    #[test]
    fn the_file_parses_as_a_bench_query_file() {
        let set = generate_queries(&small_corpus(), 40, 3).unwrap();
        let text = render_queries(&set, 3, &[PathBuf::from("mem")]);
        assert!(text.starts_with("# Benchmark queries generated"));
        assert!(text.contains("talksearch gen --queries 40 --seed 3 --from mem --out <this file>"), "{text}");
        assert!(text.contains("en 18 (45%), zh 14 (35%), mixed 8 (20%)"), "{text}");
        assert!(text.contains("# Corpus: mem: 9 talks (en 4, zh 5)."), "{text}");
        let parsed = crate::bench::parse_queries(&text).unwrap();
        assert_eq!(parsed.len(), 40);
        for (p, (class, q)) in parsed.iter().zip(&set.queries) {
            assert_eq!((p.class.as_str(), p.q.as_str(), p.params.as_str()), (class.name(), q.as_str(), ""));
        }
    }

    #[test]
    fn a_corpus_that_cannot_give_enough_is_an_error() {
        let talks = small_corpus();
        let e = generate_queries(&talks, 5000, 1).unwrap_err().to_string();
        assert!(e.contains("cannot give") && e.contains("distinct"), "{e}");
        let english: Vec<Talk> = talks.into_iter().filter(|t| t.language == "en").collect();
        let e = generate_queries(&english, 10, 1).unwrap_err().to_string();
        assert!(e.contains("no talks in language \"zh\""), "{e}");
        assert_eq!(quotas(1), [(QueryClass::En, 0), (QueryClass::Zh, 0), (QueryClass::Mixed, 1)]);
        assert_eq!(quotas(3000), [(QueryClass::En, 1350), (QueryClass::Zh, 1050), (QueryClass::Mixed, 600)]);
    }
}
