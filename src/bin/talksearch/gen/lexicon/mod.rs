//! `talksearch gen --lexicon`: the bilingual lexicon and the abbreviations mined from a corpus, and
//! CC-CEDICT cut down to the corpus's words, written as the TSV files `src/search/glossary.rs` loads.
//!
//! Five outputs, each `left<TAB>right<TAB>count`, the English (or long) form on the left but in the last:
//! - `mined.tsv`: terms written with their translation beside them, `服务网格（Service Mesh）` or
//!   `Service Mesh（服务网格）`;
//! - `abbreviations_mined.tsv`: `Site Reliability Engineering (SRE)`-style parentheses, the long form
//!   found by the Schwartz–Hearst rule (the abbreviation's letters in order, the first at a word start);
//! - `cedict.tsv` (with `--cedict FILE`): CC-CEDICT entries whose short English gloss (one of the
//!   word's first senses) is in the corpus's English talks and whose Chinese word is used as a word
//!   in its Chinese talks — or, for a word the Chinese talks rarely use, whose gloss is a term common
//!   in the English talks (`情感分析` ↔ `sentiment analysis`); each word among the gloss's two best.
//!   Function words, everyday verbs, ambiguous single words and a hand-reviewed deny list
//!   (`data/lexicon/cedict_deny.tsv`) are left out;
//! - `cedict_to_zh.tsv` (with `--cedict FILE`): CC-CEDICT one way, the English terms that find
//!   Chinese talks, for words the Chinese talks use (see [`cedict::cedict_to_zh`]);
//! - `cedict_to_en.tsv` (with `--cedict FILE`): CC-CEDICT the other way, the Chinese words that find
//!   English talks, for glosses the English talks use (see [`cedict::cedict_to_en`]); Chinese on the left.
//!
//! Precision matters more than size: a wrong pair drags unrelated talks into results. Every pair is
//! seen in at least [`MIN_COUNT`] distinct contexts (or, for CEDICT, talks), and neither side is a
//! generic word (a stoplist, and words in more than a share of the talks).
//!
//! The mining is in [`mined`], the CC-CEDICT cuts in [`cedict`]; this module holds what both use
//! (the docs and pairs, the stoplists, word tests) and [`run_lexicon`], which writes the files.

use std::collections::HashSet;
use std::path::Path;

use anyhow::Context;
use talksearch::talk::is_han;

use cedict::{cedict, cedict_to_en, cedict_to_zh};
use mined::mine;

mod cedict;
mod compounds;
mod mined;

/// A pair must be seen this often (distinct contexts, or talks for CEDICT).
const MIN_COUNT: u32 = 2;
/// Chinese terms: 2 to this many characters.
const MAX_HAN_CHARS: usize = 8;

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

/// One text of the corpus, with its language (`zh` when it holds Chinese).
struct Doc {
    chinese: bool,
    text: String,
}

/// One pair: the English (or long) form, the other, and how often it was seen.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pair {
    left: String,
    right: String,
    count: u32,
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

/// Writes `pairs` as `left<TAB>right<TAB>count` lines under a header of `#` lines.
fn write_tsv(path: &Path, header: &str, pairs: &[Pair]) -> anyhow::Result<()> {
    write_lines(path, header, pairs.iter().map(|p| format!("{}\t{}\t{}", p.left, p.right, p.count)))
}

/// Writes `lines` under a header of `#` lines.
fn write_lines(path: &Path, header: &str, lines: impl Iterator<Item = String>) -> anyhow::Result<()> {
    let mut out = String::new();
    for line in header.lines() {
        out.push_str("# ");
        out.push_str(line);
        out.push('\n');
    }
    for line in lines {
        out.push_str(&line);
        out.push('\n');
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
    // A mirror of a page lists its talks again (another listing of each, under the same event
    // name): counted once.
    let mut listed = HashSet::new();
    let talks: Vec<Doc> = ingested
        .talks
        .iter()
        .filter(|t| !t.event.source.ends_with(".md") || listed.insert((t.event.title.clone(), t.title.clone())))
        .map(talk_doc)
        .collect();
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
        // Each file derived from CC-CEDICT says so, with its licence, in its header.
        let cedict_file = |name: &str, columns: &str, what: &str, pairs: &[Pair]| {
            let header =
                format!("{columns}: CC-CEDICT entries (CC BY-SA 4.0, https://cc-cedict.org/, MDBG) {what}.\n{made}");
            write_tsv(&args.out.join(name), &header, pairs)
        };
        let pairs = cedict(&text, &talks);
        cedict_file("cedict.tsv", "English<TAB>Chinese<TAB>talks", "that the corpus uses", &pairs)?;
        println!("cedict:  {} pairs", pairs.len());
        let one_way = cedict_to_zh(&text, &talks, &pairs);
        let what = "whose Chinese word the corpus uses, searched from English to Chinese only";
        cedict_file("cedict_to_zh.tsv", "English<TAB>Chinese<TAB>talks", what, &one_way)?;
        println!("cedict:  {} more pairs, English to Chinese only", one_way.len());
        let to_en = cedict_to_en(&text, &talks, &pairs);
        let what = "whose English gloss the corpus's English talks use, searched from Chinese to English only";
        cedict_file("cedict_to_en.tsv", "Chinese<TAB>English<TAB>talks", what, &to_en)?;
        println!("cedict:  {} more pairs, Chinese to English only", to_en.len());
        let phrases = compounds::phrases(&text, &talks);
        write_lines(
            &args.out.join("en_phrases.tsv"),
            &format!(
                "phrase<TAB>talks: phrases of the English talks that a Chinese compound may translate to, part by part.\n{made}"
            ),
            phrases.iter().map(|(p, c)| format!("{p}\t{c}")),
        )?;
        let parts = compounds::parts(&text, &phrases);
        let what = "as parts of a compound, with their short senses that en_phrases.tsv uses";
        cedict_file("cedict_parts.tsv", "Chinese<TAB>senses<TAB>how many", what, &parts)?;
        println!("compounds: {} English phrases, {} Chinese parts", phrases.len(), parts.len());
    }
    println!("written: {}", args.out.display());
    Ok(())
}

/// What the tests of [`mined`] and [`cedict`] share.
#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn fixture() -> Vec<Doc> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/lexicon/corpus.txt");
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .map(|(lang, text)| Doc { chinese: lang == "zh", text: text.to_string() })
            .collect()
    }

    pub(super) fn has(pairs: &[Pair], left: &str, right: &str) -> bool {
        pairs.iter().any(|p| p.left == left && p.right == right)
    }
}
