//! `talksearch gen --lexicon`: the bilingual lexicon and the abbreviations mined from a corpus, and
//! CC-CEDICT cut down to the corpus's words, written as the TSV files `src/search/glossary.rs` loads.
//!
//! Three outputs, each `left<TAB>right<TAB>count` with the English (or long) form on the left:
//! - `mined.tsv`: terms written with their translation beside them, `服务网格（Service Mesh）` or
//!   `Service Mesh（服务网格）`;
//! - `abbreviations_mined.tsv`: `Site Reliability Engineering (SRE)`-style parentheses, the long form
//!   found by the Schwartz–Hearst rule (the abbreviation's letters in order, the first at a word start);
//! - `cedict.tsv` (with `--cedict FILE`): CC-CEDICT entries whose short English gloss (one of the
//!   word's first senses) is in the corpus's English talks and whose Chinese word is used as a word
//!   in its Chinese talks — or, for a word the Chinese talks rarely use, whose gloss is a term common
//!   in the English talks (`情感分析` ↔ `sentiment analysis`); each word among the gloss's two best.
//!   Function words, everyday verbs, ambiguous single words and a hand-reviewed deny list
//!   (`data/lexicon/cedict_deny.tsv`) are left out.
//!
//! Precision matters more than size: a wrong pair drags unrelated talks into results. Every pair is
//! seen in at least [`MIN_COUNT`] distinct contexts (or, for CEDICT, talks), and neither side is a
//! generic word (a stoplist, and words in more than a share of the talks).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::LazyLock;

use anyhow::Context;
use regex::Regex;
use talksearch::talk::is_han;
use talksearch::tokenizer::terms;

/// A pair must be seen this often (distinct contexts, or talks for CEDICT).
pub const MIN_COUNT: u32 = 2;
/// Chinese terms: 2 to this many characters.
const MAX_HAN_CHARS: usize = 8;
/// English terms: 1 to this many words.
const MAX_EN_WORDS: usize = 4;
/// A word in more than this share of the talks of its language is too generic to translate.
const GENERIC_SHARE: f64 = 0.02;
/// CEDICT: the senses of a word that are considered, and how many words one gloss may map to.
const CEDICT_SENSES: usize = 2;
const CEDICT_PER_GLOSS: usize = 2;
/// CEDICT: a single-word gloss that is not marked technical must be a sense of at most this many
/// words that the Chinese talks use.
const CEDICT_AMBIGUITY: usize = 3;
/// CEDICT: a gloss found in at least this many English talks keeps its word even when the Chinese
/// talks rarely use it (a phrase or a technical word, the word's first sense).
const CEDICT_EN_COMMON: u32 = 5;
/// CEDICT one way, English to Chinese: the fields of an entry considered, and how many words one
/// gloss may map to.
const TO_ZH_SENSES: usize = 6;
const TO_ZH_PER_GLOSS: usize = 3;
/// CEDICT one way: a Chinese word in more than this share of the Chinese talks is too generic to be
/// what an English word is looked up for (`实践`, `技术`).
const TO_ZH_GENERIC_SHARE: f64 = 0.2;
/// Characters of text before a match that make its context (so a page and its copy count once).
const CONTEXT_CHARS: usize = 16;

/// Generic words that are never one side of a pair (lowercase, simplified).
const STOP_EN: &[&str] = &[
    "a",
    "about",
    "all",
    "an",
    "and",
    "any",
    "application",
    "applications",
    "approach",
    "are",
    "as",
    "at",
    "be",
    "best",
    "build",
    "building",
    "by",
    "case",
    "cases",
    "chinese",
    "community",
    "day",
    "demo",
    "development",
    "english",
    "example",
    "examples",
    "experience",
    "for",
    "from",
    "future",
    "good",
    "guide",
    "how",
    "in",
    "introduction",
    "is",
    "it",
    "keynote",
    "lightning",
    "make",
    "making",
    "more",
    "new",
    "next",
    "of",
    "on",
    "or",
    "our",
    "overview",
    "panel",
    "part",
    "people",
    "practice",
    "practices",
    "problem",
    "problems",
    "project",
    "projects",
    "session",
    "solution",
    "solutions",
    "story",
    "system",
    "systems",
    "talk",
    "team",
    "technology",
    "the",
    "thing",
    "things",
    "everyone",
    "might",
    "same",
    "needs",
    "inside",
    "bring",
    "name",
    "form",
    "face",
    "works",
    "whichever",
    "itself",
    "this",
    "that",
    "these",
    "those",
    "much",
    "many",
    "some",
    "other",
    "time",
    "to",
    "tool",
    "tools",
    "tutorial",
    "use",
    "used",
    "using",
    "way",
    "ways",
    "what",
    "why",
    "with",
    "work",
    "working",
    "workshop",
    "world",
    "you",
    "your",
];
const STOP_ZH: &[&str] = &[
    "实践",
    "介绍",
    "分享",
    "探索",
    "应用",
    "技术",
    "方案",
    "使用",
    "基于",
    "演讲",
    "嘉宾",
    "主题",
    "简介",
    "背景",
    "问题",
    "场景",
    "能力",
    "方式",
    "方法",
    "经验",
    "思考",
    "总结",
    "未来",
    "发展",
    "现状",
    "趋势",
    "建设",
    "落地",
    "原理",
    "设计",
    "架构",
    "系统",
    "平台",
    "开发",
    "社区",
    "项目",
    "工具",
    "如何",
    "我们",
    "以及",
    "进行",
    "通过",
    "实现",
    "支持",
    "提供",
    "目前",
    "一个",
    "这个",
    "可以",
    "相关",
    "以及",
    "其中",
    "主要",
    "什么",
    "为什么",
    "讲师",
    "公司",
    "团队",
    "负责",
    "工作",
    "目标",
    "研究",
    "服务",
    "数据",
    "中国",
    "英文",
    "中文",
    "例如",
    "比如",
    "简称",
    "全称",
    "又称",
    "称为",
    "即",
    "或",
    "和",
    "与",
    "的",
    "在",
    "对",
    "是",
    "了",
    "及",
];
/// Words that start a Chinese run before a bracket but are not part of the term.
const LEAD_ZH: &[&str] = &[
    "的", "在", "和", "与", "及", "对", "将", "把", "用", "以", "从", "为", "是", "了", "即", "或", "如", "等", "被",
    "基于", "通过", "使用", "利用", "采用", "支持", "提供", "实现", "包括", "以及", "介绍", "关于", "进行", "一个",
    "我们", "这个", "这些", "所谓", "称为", "叫做", "其", "该", "新", "大", "中", "做", "让", "给",
];

/// One text of the corpus, with its language (`zh` when it holds Chinese).
pub struct Doc {
    pub chinese: bool,
    pub text: String,
}

/// One pair: the English (or long) form, the other, and how often it was seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    pub left: String,
    pub right: String,
    pub count: u32,
}

/// What [`mine`] found.
#[derive(Debug, Default)]
pub struct Mined {
    pub bilingual: Vec<Pair>,
    pub abbreviations: Vec<Pair>,
}

fn stop_en(w: &str) -> bool {
    STOP_EN.contains(&w)
}

fn han_only(s: &str) -> bool {
    !s.is_empty() && s.chars().all(is_han)
}

/// Lowercase with single spaces.
fn fold(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// The context of a match: the characters before it, so copies of one sentence count once.
fn context(text: &str, start: usize) -> String {
    let before: Vec<char> = text[..start].chars().rev().take(CONTEXT_CHARS).collect();
    before.into_iter().rev().collect()
}

/// Candidates for one side of a pair, each seen in some contexts; the other side fixed.
#[derive(Default)]
struct Seen {
    /// candidate → contexts it was seen in.
    candidates: HashMap<String, HashSet<String>>,
    /// All contexts of the fixed side.
    contexts: HashSet<String>,
}

impl Seen {
    fn add(&mut self, context: &str, candidates: impl IntoIterator<Item = String>) {
        self.contexts.insert(context.to_string());
        for c in candidates {
            self.candidates.entry(c).or_default().insert(context.to_string());
        }
    }

    /// The longest candidate among those seen in the most contexts, with that count.
    fn best(&self) -> Option<(&str, u32)> {
        let top = self.candidates.values().map(HashSet::len).max()?;
        self.candidates
            .iter()
            .filter(|(_, c)| c.len() == top)
            .max_by(|a, b| a.0.chars().count().cmp(&b.0.chars().count()).then(b.0.cmp(a.0)))
            .map(|(k, c)| (k.as_str(), c.len() as u32))
    }
}

static ZH_THEN_EN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\p{Han}{2,16})\s?[（(]\s?([A-Za-z][A-Za-z0-9.\-/+ ]{0,48}?)\s?[）)]").expect("valid regex")
});
static EN_THEN_ZH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([A-Za-z][A-Za-z0-9\-]*(?: [A-Za-z][A-Za-z0-9\-]*){0,5})\s?[（(]\s?(\p{Han}{2,8})\s?[）)]")
        .expect("valid regex")
});
static PAREN_ABBR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\(\s?([A-Za-z][A-Za-z0-9/\-&]{1,9})\s?\)").expect("valid regex"));

/// Suffixes of a run of Chinese characters made of whole words (1 to 3), as candidates for the term
/// that a bracket translates.
fn han_suffixes(run: &str) -> Vec<String> {
    let words: Vec<String> = terms(run).into_iter().map(|(_, t)| t).collect();
    let mut out = Vec::new();
    for k in 1..=3.min(words.len()) {
        let suffix = &words[words.len() - k..];
        if LEAD_ZH.contains(&suffix[0].as_str()) {
            continue;
        }
        let s: String = suffix.concat();
        if (2..=MAX_HAN_CHARS).contains(&s.chars().count()) && han_only(&s) {
            out.push(s);
        }
    }
    out
}

/// Suffixes of English words (1 to [`MAX_EN_WORDS`]) that do not start with a stop word.
fn en_suffixes(run: &str) -> Vec<String> {
    let words: Vec<&str> = run.split_whitespace().collect();
    (1..=MAX_EN_WORDS.min(words.len()))
        .map(|k| &words[words.len() - k..])
        .filter(|w| !stop_en(&w[0].to_lowercase()))
        .map(|w| w.join(" "))
        .collect()
}

/// An abbreviation worth mining: 2–10 characters with at least two capitals (`SRE`, `mTLS`, `CI/CD`),
/// or letters and a digit (`K8s`).
fn is_abbreviation(s: &str) -> bool {
    let upper = s.chars().filter(char::is_ascii_uppercase).count();
    let digit = s.chars().any(|c| c.is_ascii_digit());
    (2..=10).contains(&s.len()) && (upper >= 2 || (upper >= 1 && digit)) && !s.chars().all(|c| c.is_ascii_digit())
}

/// The long form of `abbr` at the end of `before` (Schwartz & Hearst 2003): each letter of the
/// abbreviation in order from the end, the first one at a word start; at most `len + 5` words.
pub fn long_form(before: &str, abbr: &str) -> Option<String> {
    let words: Vec<&str> = before.split_whitespace().collect();
    if words.iter().rev().take(1).any(|w| !w.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')) {
        return None;
    }
    // The Latin words right before the bracket.
    let latin = words.iter().rev().take_while(|w| w.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')).count();
    let max_words = (abbr.chars().filter(char::is_ascii_alphanumeric).count() + 5).min(2 * abbr.len()).min(latin);
    let window = words[words.len() - max_words..].join(" ");
    let long: Vec<char> = window.to_lowercase().chars().collect();
    let short: Vec<char> = abbr.to_lowercase().chars().filter(char::is_ascii_alphanumeric).collect();
    let mut l = long.len() as isize - 1;
    for s in (0..short.len()).rev() {
        let c = short[s];
        // The first letter starts a word: not inside one, nor after a hyphen (`semi-supervised`).
        let inside = |l: isize| l > 0 && (long[l as usize - 1].is_ascii_alphanumeric() || long[l as usize - 1] == '-');
        while l >= 0 && (long[l as usize] != c || (s == 0 && inside(l))) {
            l -= 1;
        }
        if l < 0 {
            return None;
        }
        l -= 1;
    }
    let start = (l + 1) as usize;
    let found: String = window.chars().skip(start).collect();
    let n_words = found.split_whitespace().count();
    let letters = short.len();
    // One word must be long enough to hold the letters as syllables (`WebAssembly (WASM)`); more
    // words may not outnumber the letters by much.
    // One word holds the letters as its capitals' syllables (`WebAssembly`, `OpenTelemetry`); in more
    // words, every word but a small one starts with one of the letters.
    let ok = if n_words == 1 {
        found.len() >= letters + 3 && found.chars().filter(char::is_ascii_uppercase).count() >= 2
    } else {
        n_words <= letters + 1
            && found.split_whitespace().all(|w| {
                let w = w.to_lowercase();
                ["of", "and", "for", "the", "to", "a", "an", "in", "on", "as"].contains(&w.as_str())
                    || w.split('-').next().and_then(|p| p.chars().next()).is_some_and(|c| short.contains(&c))
            })
    };
    let first = found.split_whitespace().next().map(str::to_lowercase).unwrap_or_default();
    (ok && !stop_en(&first) && found.to_lowercase() != abbr.to_lowercase()).then_some(found)
}

/// Mines the pairs written side by side in `docs`. `names` are speakers' names (lowercase), which
/// brackets often hold (`王炜（Coding）`) and which are never terms.
pub fn mine(docs: &[Doc], names: &HashSet<String>) -> Mined {
    let mined = mine_all(docs, names);
    // Both sides of a translation must be used in the corpus beyond the bracket: the English in
    // English text, the Chinese in Chinese text (names of people and one-off phrases are not).
    let zh_keys: HashSet<&str> = mined.bilingual.iter().map(|p| p.right.as_str()).collect();
    let lower: Vec<String> = mined.bilingual.iter().map(|p| p.left.to_lowercase()).collect();
    let en_keys: HashSet<&str> = lower.iter().map(String::as_str).collect();
    let (zh_df, en_df, _, _) = doc_counts(docs, &zh_keys, &en_keys);
    let used = |p: &Pair| {
        p.left.len() >= 3
            && !p.left.chars().any(|c| c.is_ascii_digit())
            // A short lowercase word is ambiguous (`asm`), and one word beside two or three
            // characters is mostly a name and its company (`丁少君（Intel）`).
            && !(p.left.len() <= 3 && p.left.chars().all(|c| c.is_ascii_lowercase()))
            && !(!p.left.contains([' ', '-']) && p.right.chars().count() <= 3 && !p.left.chars().all(|c| c.is_ascii_uppercase()))
            && en_df.get(&p.left.to_lowercase()).is_some_and(|&c| c >= MIN_COUNT)
            && zh_df.get(&p.right).is_some_and(|&c| c >= MIN_COUNT)
    };
    Mined { bilingual: mined.bilingual.into_iter().filter(used).collect(), abbreviations: mined.abbreviations }
}

fn mine_all(docs: &[Doc], names: &HashSet<String>) -> Mined {
    // English → candidate Chinese terms; Chinese → candidate English terms; (abbr) → long forms.
    let mut by_en: BTreeMap<String, Seen> = BTreeMap::new();
    let mut by_zh: BTreeMap<String, Seen> = BTreeMap::new();
    let mut by_abbr: BTreeMap<String, Seen> = BTreeMap::new();
    let mut surface: HashMap<String, HashMap<String, u32>> = HashMap::new();
    for doc in docs {
        let text = &doc.text;
        for m in ZH_THEN_EN.captures_iter(text) {
            let (run, en) = (m.get(1).expect("group 1"), m.get(2).expect("group 2"));
            let en_key = fold(en.as_str());
            if en_key.split(' ').count() > MAX_EN_WORDS || names.contains(&en_key) {
                continue;
            }
            *surface.entry(en_key.clone()).or_default().entry(en.as_str().trim().to_string()).or_default() += 1;
            by_en.entry(en_key).or_default().add(&context(text, run.end()), han_suffixes(run.as_str()));
        }
        for m in EN_THEN_ZH.captures_iter(text) {
            let (run, zh) = (m.get(1).expect("group 1"), m.get(2).expect("group 2"));
            let zh = zh.as_str().to_string();
            by_zh
                .entry(zh)
                .or_default()
                .add(&context(text, run.end()), en_suffixes(run.as_str()).iter().map(|s| fold(s)));
        }
        for m in PAREN_ABBR.captures_iter(text) {
            let whole = m.get(0).expect("group 0");
            let abbr = m.get(1).expect("group 1").as_str();
            if !is_abbreviation(abbr) {
                continue;
            }
            // The text right before the bracket, within the sentence.
            let before =
                &text[text[..whole.start()].char_indices().rev().nth(120).map_or(0, |(i, _)| i)..whole.start()];
            let before =
                before.rsplit(['.', ',', ';', ':', '\n', '(', ')', '"', '“', '”', '，', '。']).next().unwrap_or("");
            if let Some(long) = long_form(before, abbr) {
                *surface.entry(fold(&long)).or_default().entry(long.clone()).or_default() += 1;
                // The context is what precedes the long form, which is the same everywhere.
                let before_at = before.as_ptr() as usize - text.as_ptr() as usize;
                let at = before.rfind(long.as_str()).map_or(whole.start(), |i| before_at + i);
                by_abbr.entry(abbr.to_string()).or_default().add(&context(text, at), [fold(&long)]);
            }
        }
    }
    let good_zh = |zh: &str| !STOP_ZH.contains(&zh) && !names.contains(zh);
    let good_en = |en: &str| {
        let words: Vec<&str> = en.split(' ').collect();
        !stop_en(words[words.len() - 1]) && en.chars().any(|c| c.is_ascii_alphabetic()) && en.len() >= 2
    };
    let mut pairs: BTreeMap<(String, String), u32> = BTreeMap::new();
    for (en, seen) in &by_en {
        if let Some((zh, count)) = seen.best() {
            if count >= MIN_COUNT && good_zh(zh) && good_en(en) {
                pairs.entry((en.clone(), zh.to_string())).and_modify(|c| *c = (*c).max(count)).or_insert(count);
            }
        }
    }
    for (zh, seen) in &by_zh {
        if let Some((en, count)) = seen.best() {
            if count >= MIN_COUNT && good_zh(zh) && good_en(en) && !names.contains(en) {
                pairs.entry((en.to_string(), zh.clone())).and_modify(|c| *c = (*c).max(count)).or_insert(count);
            }
        }
    }
    let pretty = |key: &str| -> String {
        // The most frequent way of writing it; lowercase when it is capitalised only as a title.
        surface.get(key).and_then(|forms| forms.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))).map_or_else(
            || key.to_string(),
            |(form, _)| {
                if form.split_whitespace().all(|w| w.chars().skip(1).all(|c| !c.is_ascii_uppercase())) {
                    form.to_lowercase()
                } else {
                    form.clone()
                }
            },
        )
    };
    let bilingual = pairs.into_iter().map(|((en, zh), count)| Pair { left: pretty(&en), right: zh, count }).collect();
    let mut abbreviations = Vec::new();
    for (abbr, seen) in &by_abbr {
        if let Some((long, count)) = seen.best() {
            if count >= MIN_COUNT && !names.contains(long) && !names.contains(&abbr.to_lowercase()) {
                abbreviations.push(Pair { left: pretty(long), right: abbr.clone(), count });
            }
        }
    }
    // Two spellings of one abbreviation (`CI/CD`, `CICD`) may both be found: keep both.
    sort(Mined { bilingual, abbreviations })
}

fn sort(mut m: Mined) -> Mined {
    for list in [&mut m.bilingual, &mut m.abbreviations] {
        list.sort_by(|a, b| {
            b.count.cmp(&a.count).then_with(|| a.left.cmp(&b.left)).then_with(|| a.right.cmp(&b.right))
        });
    }
    m
}

/// One CC-CEDICT line: `traditional simplified [pinyin] /gloss/gloss/` → (simplified, glosses).
fn cedict_line(line: &str) -> Option<(&str, Vec<&str>)> {
    if line.starts_with('#') {
        return None;
    }
    let mut parts = line.splitn(3, ' ');
    let (_, simplified, rest) = (parts.next()?, parts.next()?, parts.next()?);
    let glosses = &rest[rest.find('/')?..];
    Some((simplified, glosses.split('/').map(str::trim).filter(|g| !g.is_empty()).collect()))
}

/// Notes that mark a CEDICT sense as technical: `string (computing)`, `(computing) to program`.
const DOMAIN_NOTES: &[&str] = &[
    "computing",
    "computer",
    "software",
    "programming",
    "internet",
    "networking",
    "telecommunications",
    "electronics",
    "math",
    "mathematics",
    "statistics",
    "machine learning",
    "artificial intelligence",
    "ai",
    "it",
    "finance",
    "economics",
];

/// Verbs that are terms of the trade: a CEDICT sense `to schedule` is kept as `schedule` (the
/// English side is stemmed when searched, so it also finds `scheduling`). Other verbs translate
/// loosely (`to handle`, `to carry out`) and are skipped.
const DOMAIN_VERBS: &[&str] = &[
    "schedule",
    "pay",
    "deploy",
    "compile",
    "debug",
    "encrypt",
    "decrypt",
    "format",
    "refactor",
    "parse",
    "encode",
    "decode",
    "serialize",
    "virtualize",
    "visualize",
    "internationalize",
    "localize",
    "authenticate",
    "authorize",
    "optimize",
    "monitor",
    "compress",
    "decompress",
    "download",
    "upload",
    "install",
    "configure",
    "program",
    "render",
    "crawl",
    "scan",
    "migrate",
    "synchronize",
    "containerize",
    "automate",
];

/// Senses that make a Chinese word a function word, whatever its other readings say (`不是`:
/// `fault; blame` and `no; is not`): such words are never translated.
const FUNCTION_SENSES: &[&str] = &[
    "not",
    "no",
    "is not",
    "is",
    "yes",
    "to be",
    "and",
    "or",
    "but",
    "if",
    "because",
    "so",
    "also",
    "only",
    "just",
    "still",
    "already",
    "again",
    "very",
    "this",
    "that",
    "there is",
    "to have",
    "have",
    "all",
    "then",
    "therefore",
    "however",
    "although",
    "even",
    "each",
    "every",
    "must",
    "should",
    "can",
    "may",
    "will",
];

/// Words that make a gloss a phrase of everyday language rather than a term (`even if`, `no
/// wonder`, `easy to understand`, `last year`).
const GLOSS_STOP: &[&str] = &[
    "not",
    "no",
    "can",
    "cannot",
    "could",
    "let",
    "if",
    "even",
    "again",
    "every",
    "each",
    "both",
    "just",
    "like",
    "very",
    "too",
    "so",
    "then",
    "once",
    "almost",
    "after",
    "afterwards",
    "before",
    "later",
    "also",
    "still",
    "already",
    "never",
    "ever",
    "whether",
    "thus",
    "hence",
    "therefore",
    "indeed",
    "further",
    "furthermore",
    "besides",
    "among",
    "amid",
    "alike",
    "far",
    "away",
    "ago",
    "last",
    "year",
    "years",
    "month",
    "week",
    "day",
    "easy",
    "hard",
    "difficult",
    "see",
    "go",
    "come",
    "get",
    "got",
    "have",
    "has",
    "had",
    "do",
    "does",
    "done",
    "is",
    "are",
    "was",
    "be",
    "been",
    "being",
    "one",
    "ones",
    "somebody",
    "someone",
    "something",
    "sb",
    "sth",
    "oneself",
    "he",
    "she",
    "his",
    "her",
    "him",
    "they",
    "them",
    "we",
    "us",
    "i",
    "me",
    "my",
    "matter",
    "whatever",
    "whoever",
    "however",
    "although",
    "though",
    "because",
    "since",
    "until",
    "while",
    "where",
    "when",
    "which",
    "who",
    "whom",
    "than",
    "there",
    "here",
    "own",
    "okay",
    "ok",
    "yes",
    "wonder",
    "need",
    "must",
    "should",
    "may",
    "might",
    "will",
    "would",
    "shall",
];

/// One usable sense of a CEDICT entry: a short English term.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Sense {
    text: String,
    /// Marked as technical (a domain note, or a verb of the trade).
    domain: bool,
    /// The first usable sense of the entry (the first `/…/` field or its first `;` part).
    first: bool,
}

/// The senses of a CEDICT entry's first [`CEDICT_SENSES`] fields, each field split at `;`.
fn cedict_senses(glosses: &[&str]) -> Vec<Sense> {
    senses_of(glosses, CEDICT_SENSES, Verbs::OfTheTrade)
}

/// Which verb glosses (`to schedule`, `to change`) a sense may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verbs {
    /// Only the verbs of the trade ([`DOMAIN_VERBS`]) and those marked technical.
    OfTheTrade,
    /// Also any single-word verb of the entry's first two fields (`变更`: `to change`).
    FirstFields,
}

/// The senses of an entry's first `fields` fields, each field split at `;`.
fn senses_of(glosses: &[&str], fields: usize, verbs: Verbs) -> Vec<Sense> {
    let mut out: Vec<Sense> = Vec::new();
    for (i, field) in glosses.iter().take(fields).enumerate() {
        for (j, part) in field.split(';').enumerate() {
            let part = part.trim();
            let cleaned = clean_gloss(part).or_else(|| {
                let verb = part.strip_prefix("to ").filter(|_| i < 2 && verbs == Verbs::FirstFields)?;
                clean_gloss(verb).filter(|(v, _)| !v.contains(' ') && !FUNCTION_SENSES.contains(&part))
            });
            if let Some((text, domain)) = cleaned {
                if !out.iter().any(|s| s.text == text) {
                    out.push(Sense { text, domain, first: i == 0 && j == 0 });
                }
            }
        }
    }
    out
}

/// A CEDICT gloss as a short English term, with whether it is marked technical, or `None` for notes,
/// classifiers, names, phrases, everyday verbs and adverbs.
fn clean_gloss(gloss: &str) -> Option<(String, bool)> {
    let skip = [
        "CL:",
        "variant of",
        "old variant",
        "surname",
        "abbr",
        "see ",
        "used in",
        "lit.",
        "fig.",
        "also written",
        "Taiwan pr.",
        "also pr.",
    ];
    if skip.iter().any(|s| gloss.starts_with(s) || gloss.contains(&format!("({s}"))) {
        return None;
    }
    // Drop parenthesised notes: `server (computer)` → `server`; a domain note marks the sense.
    static PAREN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\(([^)]*)\)").expect("valid regex"));
    let domain = PAREN.captures_iter(gloss).any(|c| {
        let note = c[1].to_lowercase();
        note.split([',', ';', '/']).map(str::trim).any(|n| DOMAIN_NOTES.contains(&n))
    });
    let g = PAREN.replace_all(gloss, " ");
    let g = fold(&g);
    // Verbs and adverbs of everyday language translate loosely; the terms people search are nouns,
    // and a few verbs of the trade.
    let (g, domain) = match g.strip_prefix("to ") {
        Some(verb) if DOMAIN_VERBS.contains(&verb) => (verb.to_string(), true),
        Some(verb) if domain && !verb.contains(' ') => (verb.to_string(), true),
        Some(_) => return None,
        None => (g, domain),
    };
    if g.ends_with("ly") {
        return None;
    }
    let g = g.strip_prefix("the ").or_else(|| g.strip_prefix("a ")).or_else(|| g.strip_prefix("an ")).unwrap_or(&g);
    let words: Vec<&str> = g.split(' ').collect();
    let ok = (1..=3).contains(&words.len())
        && g.len() >= 4
        && g.chars().all(|c| c.is_ascii_lowercase() || c == ' ' || c == '-')
        && !words.iter().any(|w| stop_en(w) && words.len() == 1)
        && !stop_en(words[0])
        && !stop_en(words[words.len() - 1])
        && !FUNCTION_SENSES.contains(&g)
        && !words.iter().any(|w| GLOSS_STOP.contains(w));
    ok.then(|| (g.to_string(), domain))
}

/// How many docs each key occurs in: Chinese keys as substrings of the Chinese docs, English keys
/// as whole-word runs of the other docs (lowercase).
fn doc_counts(
    docs: &[Doc],
    zh_keys: &HashSet<&str>,
    en_keys: &HashSet<&str>,
) -> (HashMap<String, u32>, HashMap<String, u32>, u32, u32) {
    let (mut zh, mut en) = (HashMap::new(), HashMap::new());
    let (mut zh_docs, mut en_docs) = (0, 0);
    static WORD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[a-z0-9]+(?:-[a-z0-9]+)*").expect("valid regex"));
    for doc in docs {
        let mut seen: HashSet<&str> = HashSet::new();
        if doc.chinese {
            zh_docs += 1;
            let text = talksearch::tokenizer::normalize(&doc.text);
            let chars: Vec<(usize, char)> = text.char_indices().collect();
            for i in 0..chars.len() {
                if !is_han(chars[i].1) {
                    continue;
                }
                for len in 2..=MAX_HAN_CHARS.min(chars.len() - i) {
                    let end = chars.get(i + len).map_or(text.len(), |c| c.0);
                    if let Some(k) = zh_keys.get(&text[chars[i].0..end]) {
                        seen.insert(k);
                    }
                }
            }
            for k in seen {
                *zh.entry(k.to_string()).or_insert(0u32) += 1;
            }
        } else {
            en_docs += 1;
            let lower = doc.text.to_lowercase();
            let words: Vec<&str> = WORD.find_iter(&lower).map(|m| m.as_str()).collect();
            each_phrase(&words, 3, |phrase, _| {
                if let Some(k) = en_keys.get(phrase) {
                    seen.insert(k);
                }
            });
            for k in seen {
                *en.entry(k.to_string()).or_insert(0u32) += 1;
            }
        }
    }
    (zh, en, zh_docs, en_docs)
}

/// Calls `f(phrase, last)` for every run of 1 to `max` consecutive `words`, joined by spaces, with
/// the index of its last word.
fn each_phrase(words: &[&str], max: usize, mut f: impl FnMut(&str, usize)) {
    let mut buf = String::new();
    for i in 0..words.len() {
        buf.clear();
        for (n, w) in words[i..].iter().take(max).enumerate() {
            if n > 0 {
                buf.push(' ');
            }
            buf.push_str(w);
            f(&buf, i + n);
        }
    }
}

/// CC-CEDICT cut down to the corpus: see the module doc.
/// Pairs of CC-CEDICT that are wrong for this corpus although both sides occur in it (`course` ↔
/// `流程`): `English<TAB>Chinese` lines, hand-reviewed, `*` for any; see data/README.md.
const CEDICT_DENY: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/data/lexicon/cedict_deny.tsv"));

/// The denied pairs: (English or `*`, Chinese or `*`).
fn cedict_deny() -> Vec<(String, String)> {
    CEDICT_DENY
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .map(|(en, zh)| (fold(en), zh.trim().to_string()))
        .collect()
}

/// How many Chinese docs use each word as words (the terms it is analyzed into, in a row, as a
/// query would match them: `可观` is not found inside `可观测性`), and how many other docs use each
/// English term as whole words, its plural (`…s`) included.
fn cedict_counts(docs: &[Doc], zh_words: &HashSet<&str>, en_keys: &HashSet<&str>) -> CedictCounts {
    // Analyzed form (terms joined by a space) → words.
    let mut zh_keys: HashMap<String, Vec<&str>> = HashMap::new();
    for w in zh_words {
        let key = terms(w).into_iter().map(|(_, t)| t).collect::<Vec<_>>().join(" ");
        if !key.is_empty() {
            zh_keys.entry(key).or_default().push(w);
        }
    }
    let max_terms = zh_keys.keys().map(|k| k.split(' ').count()).max().unwrap_or(1);
    // Phrases also in the plural (`virtual environments`); a single word as written, so that its
    // share of the talks says how generic it is.
    let plurals: HashMap<String, &str> =
        en_keys.iter().filter(|k| k.contains(' ')).map(|k| (format!("{k}s"), *k)).collect();
    let mut c = CedictCounts::default();
    static WORD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[a-z0-9]+(?:-[a-z0-9]+)*").expect("valid regex"));
    for doc in docs {
        let mut seen: HashSet<&str> = HashSet::new();
        if doc.chinese {
            c.zh_docs += 1;
            let t: Vec<String> = terms(&doc.text).into_iter().map(|(_, t)| t).collect();
            let mut buf = String::new();
            for i in 0..t.len() {
                buf.clear();
                for (n, w) in t[i..].iter().take(max_terms).enumerate() {
                    if n > 0 {
                        buf.push(' ');
                    }
                    buf.push_str(w);
                    if let Some(words) = zh_keys.get(buf.as_str()) {
                        seen.extend(words.iter().copied());
                    }
                }
            }
            for k in seen {
                *c.zh.entry(k.to_string()).or_insert(0u32) += 1;
            }
        } else {
            c.en_docs += 1;
            let lower = doc.text.to_lowercase();
            let words: Vec<&str> = WORD.find_iter(&lower).map(|m| m.as_str()).collect();
            // The first line is the title.
            let title_words = WORD.find_iter(lower.lines().next().unwrap_or("")).count();
            let mut in_title: HashSet<&str> = HashSet::new();
            each_phrase(&words, 3, |phrase, last| {
                if let Some(k) = en_keys.get(phrase).or_else(|| plurals.get(phrase)) {
                    seen.insert(k);
                    if last < title_words {
                        in_title.insert(k);
                    }
                }
            });
            for k in seen {
                *c.en.entry(k.to_string()).or_insert(0u32) += 1;
            }
            for k in in_title {
                *c.en_titles.entry(k.to_string()).or_insert(0u32) += 1;
            }
        }
    }
    c
}

/// What [`cedict_counts`] found: docs per Chinese word, per English term, per English term in the
/// title, and the numbers of Chinese and other docs.
#[derive(Default)]
struct CedictCounts {
    zh: HashMap<String, u32>,
    en: HashMap<String, u32>,
    en_titles: HashMap<String, u32>,
    zh_docs: u32,
    en_docs: u32,
}

/// CC-CEDICT cut down to the corpus: see the module doc and data/README.md.
pub fn cedict(text: &str, docs: &[Doc]) -> Vec<Pair> {
    // Every sense of every reading of a word, for the function-word test.
    let mut all_senses: HashMap<&str, Vec<String>> = HashMap::new();
    // (simplified word, its first usable senses).
    let mut entries: Vec<(String, Vec<Sense>)> = Vec::new();
    for (word, glosses) in text.lines().filter_map(cedict_line) {
        let n = word.chars().count();
        if !(2..=MAX_HAN_CHARS).contains(&n) || !han_only(word) || STOP_ZH.contains(&word) {
            continue;
        }
        all_senses.entry(word).or_default().extend(glosses.iter().flat_map(|g| g.split(';')).map(fold));
        // Only the first senses: later ones are rarer uses (`作为` … `activity`).
        let senses = cedict_senses(&glosses);
        if !senses.is_empty() {
            entries.push((word.to_string(), senses));
        }
    }
    // A function word in any reading is never translated (`不是`: `blame`, but mostly `is not`).
    entries.retain(|(w, _)| {
        !all_senses[w.as_str()].iter().any(|s| FUNCTION_SENSES.contains(&s.trim_start_matches("to ").trim()))
    });
    let deny = cedict_deny();
    let denied = |en: &str, zh: &str| deny.iter().any(|(e, z)| (e == "*" || e == en) && (z == "*" || z == zh));
    let zh_keys: HashSet<&str> = entries.iter().map(|(w, _)| w.as_str()).collect();
    let en_keys: HashSet<&str> = entries.iter().flat_map(|(_, s)| s.iter().map(|s| s.text.as_str())).collect();
    let CedictCounts { zh: zh_df, en: en_df, en_titles, zh_docs, en_docs } = cedict_counts(docs, &zh_keys, &en_keys);
    let zh_generic = (f64::from(zh_docs) * GENERIC_SHARE * 2.0).max(f64::from(MIN_COUNT)) as u32;
    let en_generic = (f64::from(en_docs) * GENERIC_SHARE).max(f64::from(MIN_COUNT)) as u32;
    let zh_count = |w: &str| zh_df.get(w).copied().unwrap_or(0);
    let en_count = |g: &str| en_df.get(g).copied().unwrap_or(0);
    // How many of the corpus's words a gloss is a sense of: `course` is one of 课程, 过程, 流程,
    // 历程 …, `stability` of 稳定性 alone.
    let mut ambiguity: HashMap<&str, usize> = HashMap::new();
    for (word, senses) in &entries {
        if zh_count(word) > 0 {
            for s in senses {
                *ambiguity.entry(s.text.as_str()).or_default() += 1;
            }
        }
    }
    // A single word must be specific: technical, or a sense of few words.
    // A single word must be specific: technical, or the entry's first sense, a sense of few words and
    // found in titles (a term, not an everyday word: `对象` is `girlfriend` in its second sense).
    let in_titles = |s: &Sense| en_titles.get(s.text.as_str()).is_some_and(|&c| c >= MIN_COUNT);
    let specific = |s: &Sense| {
        s.text.contains([' ', '-'])
            || s.domain
            || (s.first && in_titles(s) && ambiguity.get(s.text.as_str()).copied().unwrap_or(0) <= CEDICT_AMBIGUITY)
    };
    let en_ok = |s: &Sense| {
        let c = en_count(&s.text);
        c >= MIN_COUNT && (c <= en_generic || s.text.contains(' ')) && specific(s)
    };
    // Either side in the corpus: the Chinese word in the Chinese talks (and the gloss in the English
    // ones), or, for a Chinese word the Chinese talks rarely use, the gloss — the entry's first
    // sense, a phrase or a technical word — common in the English talks (`情感分析` ↔ `sentiment
    // analysis`), so a Chinese query finds the English talks.
    let mut by_gloss: BTreeMap<&str, Vec<(&str, bool)>> = BTreeMap::new();
    let mut seen_pair = HashSet::new();
    for (word, senses) in &entries {
        let zc = zh_count(word);
        if zc > zh_generic {
            continue;
        }
        for s in senses {
            if denied(&s.text, word) || !en_ok(s) {
                continue;
            }
            let both = zc >= MIN_COUNT;
            let english_only = s.first
                && (s.text.contains([' ', '-']) || s.domain)
                && en_count(&s.text) >= CEDICT_EN_COMMON
                && in_titles(s);
            if (both || english_only) && seen_pair.insert((word.as_str(), s.text.as_str())) {
                by_gloss.entry(s.text.as_str()).or_default().push((word.as_str(), s.first));
            }
        }
    }
    let mut out = Vec::new();
    for (gloss, mut words) in by_gloss {
        // The most used words first, then those the gloss is the first sense of.
        words.sort_by(|a, b| zh_count(b.0).cmp(&zh_count(a.0)).then(b.1.cmp(&a.1)).then(a.0.cmp(b.0)));
        for (w, _) in words.into_iter().take(CEDICT_PER_GLOSS) {
            let count = zh_count(w).max(1).min(en_count(gloss));
            out.push(Pair { left: gloss.to_string(), right: w.to_string(), count });
        }
    }
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.left.cmp(&b.left)).then_with(|| a.right.cmp(&b.right)));
    out
}

/// CC-CEDICT, one way: the English terms that find Chinese talks (`lossless` → 无损, `securities`
/// → 证券, `to change` → 变更). An English query is rarely about an English word alone, so the
/// English side need not occur in the English talks: a Chinese word the Chinese talks use (and not
/// generic), a short gloss among the word's first [`TO_ZH_SENSES`] fields (a single-word verb of
/// the first two fields too), at most [`TO_ZH_PER_GLOSS`] words per gloss, most used first. Pairs of the
/// two-way cut (`both`) are left out, and so are the denied ones.
pub fn cedict_to_zh(text: &str, docs: &[Doc], both: &[Pair]) -> Vec<Pair> {
    let mut entries: Vec<(String, Vec<Sense>)> = Vec::new();
    let mut function_words: HashSet<&str> = HashSet::new();
    for (word, glosses) in text.lines().filter_map(cedict_line) {
        let n = word.chars().count();
        if !(2..=MAX_HAN_CHARS).contains(&n) || !han_only(word) || STOP_ZH.contains(&word) {
            continue;
        }
        let any_function = glosses
            .iter()
            .flat_map(|g| g.split(';'))
            .map(fold)
            .any(|s| FUNCTION_SENSES.contains(&s.trim_start_matches("to ").trim()));
        if any_function {
            function_words.insert(word);
        }
        let senses = senses_of(&glosses, TO_ZH_SENSES, Verbs::FirstFields);
        if !senses.is_empty() {
            entries.push((word.to_string(), senses));
        }
    }
    entries.retain(|(w, _)| !function_words.contains(w.as_str()));
    let deny = cedict_deny();
    let denied = |en: &str, zh: &str| deny.iter().any(|(e, z)| (e == "*" || e == en) && (z == "*" || z == zh));
    let zh_keys: HashSet<&str> = entries.iter().map(|(w, _)| w.as_str()).collect();
    let CedictCounts { zh: zh_df, zh_docs, .. } = cedict_counts(docs, &zh_keys, &HashSet::new());
    let zh_generic = (f64::from(zh_docs) * TO_ZH_GENERIC_SHARE) as u32;
    let zh_count = |w: &str| zh_df.get(w).copied().unwrap_or(0);
    let known: HashSet<(&str, &str)> = both.iter().map(|p| (p.left.as_str(), p.right.as_str())).collect();
    let mut by_gloss: BTreeMap<&str, Vec<(&str, bool)>> = BTreeMap::new();
    for (word, senses) in &entries {
        let zc = zh_count(word);
        if zc == 0 || zc > zh_generic {
            continue;
        }
        for s in senses {
            if !denied(&s.text, word) && !known.contains(&(s.text.as_str(), word.as_str())) {
                let words = by_gloss.entry(s.text.as_str()).or_default();
                if !words.iter().any(|(w, _)| w == word) {
                    words.push((word.as_str(), s.first));
                }
            }
        }
    }
    let mut out = Vec::new();
    for (gloss, mut words) in by_gloss {
        words.sort_by(|a, b| zh_count(b.0).cmp(&zh_count(a.0)).then(b.1.cmp(&a.1)).then(a.0.cmp(b.0)));
        for (w, _) in words.into_iter().take(TO_ZH_PER_GLOSS) {
            out.push(Pair { left: gloss.to_string(), right: w.to_string(), count: zh_count(w) });
        }
    }
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.left.cmp(&b.left)).then_with(|| a.right.cmp(&b.right)));
    out
}

/// Writes `pairs` as `left<TAB>right<TAB>count` lines under a header of `#` lines.
pub fn write_tsv(path: &Path, header: &str, pairs: &[Pair]) -> anyhow::Result<()> {
    let mut out = String::new();
    for line in header.lines() {
        out.push_str("# ");
        out.push_str(line);
        out.push('\n');
    }
    for p in pairs {
        out.push_str(&format!("{}\t{}\t{}\n", p.left, p.right, p.count));
    }
    std::fs::write(path, out).with_context(|| format!("writing {}", path.display()))
}

/// The texts of a talk, as one doc.
fn talk_doc(t: &talksearch::talk::Talk) -> Doc {
    let mut text = format!("{}\n{}", t.title, t.abstract_text);
    for line in t.outline.iter().chain(&t.takeaways) {
        text.push('\n');
        text.push_str(line);
    }
    Doc { chinese: text.chars().filter(|&c| is_han(c)).count() >= 10, text }
}

/// `talksearch gen --lexicon`: reads the corpus (and CC-CEDICT), writes the TSV files, prints counts.
pub(super) fn run_lexicon(args: super::GenArgs) -> anyhow::Result<()> {
    let (from, ingested, read_seconds) = super::read_source(args.from)?;
    let talks: Vec<Doc> = ingested.talks.iter().map(talk_doc).collect();
    // Pages as written too: their prose around the talks holds most of the bracketed translations.
    let mut pages = Vec::new();
    for root in &from {
        for entry in walkdir::WalkDir::new(root).sort_by_file_name().into_iter().flatten() {
            if entry.file_type().is_file() && entry.path().extension().is_some_and(|e| e == "md") {
                let text = std::fs::read_to_string(entry.path())
                    .with_context(|| format!("reading {}", entry.path().display()))?;
                pages.push(Doc { chinese: true, text });
            }
        }
    }
    let names: HashSet<String> =
        ingested.talks.iter().flat_map(|t| &t.speakers).map(|s| fold(&s.name)).filter(|n| !n.is_empty()).collect();
    let all: Vec<Doc> = talks.iter().chain(&pages).map(|d| Doc { chinese: d.chinese, text: d.text.clone() }).collect();
    let mined = mine(&all, &names);
    std::fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    let source = from.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ");
    let made = format!("made by `talksearch gen --lexicon` from {source}; do not edit by hand (see data/README.md)");
    write_tsv(
        &args.out.join("mined.tsv"),
        &format!("English<TAB>Chinese<TAB>contexts: terms written beside their translation.\n{made}"),
        &mined.bilingual,
    )?;
    write_tsv(
        &args.out.join("abbreviations_mined.tsv"),
        &format!("long form<TAB>abbreviation<TAB>contexts: `Long Form (ABBR)` parentheses.\n{made}"),
        &mined.abbreviations,
    )?;
    println!("read:    {} talks and {} pages from {source} ({read_seconds:.2} s)", talks.len(), pages.len());
    println!("mined:   {} bilingual pairs, {} abbreviations", mined.bilingual.len(), mined.abbreviations.len());
    if let Some(path) = &args.cedict {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let pairs = cedict(&text, &talks);
        write_tsv(
            &args.out.join("cedict.tsv"),
            &format!(
                "English<TAB>Chinese<TAB>talks: CC-CEDICT entries (CC BY-SA 4.0, https://cc-cedict.org/, MDBG) that the corpus uses.\n{made}"
            ),
            &pairs,
        )?;
        println!("cedict:  {} pairs", pairs.len());
        let one_way = cedict_to_zh(&text, &talks, &pairs);
        write_tsv(
            &args.out.join("cedict_to_zh.tsv"),
            &format!(
                "English<TAB>Chinese<TAB>talks: CC-CEDICT entries (CC BY-SA 4.0, https://cc-cedict.org/, MDBG) whose Chinese word the corpus uses, searched from English to Chinese only.\n{made}"
            ),
            &one_way,
        )?;
        println!("cedict:  {} more pairs, English to Chinese only", one_way.len());
    }
    println!("written: {}", args.out.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> Vec<Doc> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/lexicon/corpus.txt");
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .map(|(lang, text)| Doc { chinese: lang == "zh", text: text.to_string() })
            .collect()
    }

    fn has(pairs: &[Pair], left: &str, right: &str) -> bool {
        pairs.iter().any(|p| p.left == left && p.right == right)
    }

    #[test]
    fn long_forms_follow_the_letters() {
        assert_eq!(
            long_form("we practise Site Reliability Engineering", "SRE").as_deref(),
            Some("Site Reliability Engineering")
        );
        assert_eq!(long_form("built with WebAssembly", "WASM").as_deref(), Some("WebAssembly"));
        assert_eq!(long_form("the horizontal pod autoscaler", "HPA").as_deref(), Some("horizontal pod autoscaler"));
        assert_eq!(long_form("plain words here", "SRE"), None);
        assert_eq!(long_form("the LLVM Project provides an intermediate representation", "LLVM-IR"), None);
        assert_eq!(long_form("good orientation", "OO"), None);
    }

    #[test]
    fn mines_pairs_seen_twice_and_skips_names_and_generic_words() {
        let names: HashSet<String> = ["王炜".to_string(), "coding".to_string()].into();
        let m = mine(&fixture(), &names);
        assert!(has(&m.bilingual, "service mesh", "服务网格"), "{:?}", m.bilingual);
        assert!(has(&m.bilingual, "multi-tenancy", "多租户"), "{:?}", m.bilingual);
        assert!(!m.bilingual.iter().any(|p| p.right == "王炜" || p.right == "实践"), "{:?}", m.bilingual);
        assert!(!m.bilingual.iter().any(|p| p.left == "blue-green"), "seen once: {:?}", m.bilingual);
        assert!(has(&m.abbreviations, "site reliability engineering", "SRE"), "{:?}", m.abbreviations);
        assert!(!m.abbreviations.iter().any(|p| p.right == "ABC"), "seen once: {:?}", m.abbreviations);
    }

    #[test]
    fn cedict_keeps_corpus_words_with_short_glosses() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/lexicon/cedict.u8");
        let pairs = cedict(&std::fs::read_to_string(path).unwrap(), &fixture());
        assert!(has(&pairs, "message queue", "消息队列"), "{pairs:?}");
        assert!(has(&pairs, "server", "服务器"), "notes in brackets dropped: {pairs:?}");
        assert!(!pairs.iter().any(|p| p.right == "量子"), "not in the Chinese text: {pairs:?}");
        assert!(!pairs.iter().any(|p| p.right == "实践"), "generic: {pairs:?}");
        assert!(!pairs.iter().any(|p| p.left.starts_with("cl:") || p.left.contains('(')), "{pairs:?}");
    }

    #[test]
    fn cedict_precision_and_english_side() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/lexicon/cedict.u8");
        let pairs = cedict(&std::fs::read_to_string(path).unwrap(), &fixture());
        assert!(has(&pairs, "sentiment analysis", "情感分析"), "rare in Chinese, common in English: {pairs:?}");
        assert!(!pairs.iter().any(|p| p.right == "不是"), "a function word in another reading: {pairs:?}");
        assert!(!has(&pairs, "course", "流程"), "denied: {pairs:?}");
        assert!(has(&pairs, "schedule", "调度"), "a verb of the trade: {pairs:?}");
        assert!(!pairs.iter().any(|p| p.left == "manage" || p.left == "dispatch"), "everyday verbs: {pairs:?}");
    }

    #[test]
    fn cedict_one_way_to_chinese() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/lexicon/cedict.u8");
        let text = std::fs::read_to_string(path).unwrap();
        let both = cedict(&text, &fixture());
        let one_way = cedict_to_zh(&text, &fixture(), &both);
        assert!(has(&one_way, "isolate", "隔离"), "a verb of the first fields, not in the English talks: {one_way:?}");
        assert!(has(&one_way, "separate", "隔离"), "{one_way:?}");
        assert!(!has(&both, "isolate", "隔离"), "two ways needs the English side in the English talks: {both:?}");
        assert!(!one_way.iter().any(|p| p.right == "消息队列"), "already two ways: {one_way:?}");
        assert!(!one_way.iter().any(|p| p.right == "不是"), "a function word in another reading: {one_way:?}");
        assert!(!has(&one_way, "course", "流程"), "denied: {one_way:?}");
    }

    #[test]
    fn glosses_are_cleaned_and_split() {
        assert_eq!(clean_gloss("server (computer)"), Some(("server".into(), true)));
        assert_eq!(clean_gloss("to schedule"), Some(("schedule".into(), true)));
        assert_eq!(clean_gloss("to handle"), None);
        assert_eq!(clean_gloss("(computing) to program"), Some(("program".into(), true)));
        assert_eq!(clean_gloss("even if"), None);
        let senses = cedict_senses(&["image; picture; graphic", "CL:張|张[zhang1]"]);
        let texts: Vec<&str> = senses.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, ["image", "picture", "graphic"]);
        assert!(senses[0].first && !senses[1].first);
    }

    #[test]
    fn the_shipped_cedict_has_no_denied_pair() {
        let shipped = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/data/lexicon/cedict.tsv"));
        for (en, zh) in cedict_deny() {
            assert!(
                !shipped.lines().any(|l| {
                    let mut f = l.split('\t');
                    let (e, z) = (f.next().unwrap_or(""), f.next().unwrap_or(""));
                    (en == "*" || en == e) && (zh == "*" || zh == z)
                }),
                "{en} {zh}: regenerate data/lexicon/cedict.tsv"
            );
        }
    }
}
