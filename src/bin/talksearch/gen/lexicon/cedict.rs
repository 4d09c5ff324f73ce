//! CC-CEDICT cut down to the corpus: both ways (`cedict.tsv`, [`cedict`]), English to Chinese only
//! (`cedict_to_zh.tsv`, [`cedict_to_zh`]) and Chinese to English only (`cedict_to_en.tsv`,
//! [`cedict_to_en`]); see the parent module doc and data/README.md.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;
use talksearch::tokenizer::terms;

use super::{each_phrase, fold, han_only, stop_en, Doc, Pair, MAX_HAN_CHARS, MIN_COUNT, STOP_ZH};

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
/// CEDICT one way, Chinese to English: how many glosses one word may map to.
const TO_EN_PER_WORD: usize = 2;
/// CEDICT one way, Chinese to English: a name (`奈飞` → `Netflix`) is translated only for a word the
/// Chinese talks use fewer times than this (`阿里` means Alibaba there, not `Ali`).
const TO_EN_NAME_ZH_RARE: u32 = 3;

/// One CC-CEDICT line: `traditional simplified [pinyin] /gloss/gloss/` → (simplified, glosses).
pub(super) fn cedict_line(line: &str) -> Option<(&str, Vec<&str>)> {
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
pub(super) const FUNCTION_SENSES: &[&str] = &[
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
pub(super) const GLOSS_STOP: &[&str] = &[
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
            let t: Vec<&str> = t.iter().map(String::as_str).collect();
            each_phrase(&t, max_terms, |phrase, _| {
                if let Some(words) = zh_keys.get(phrase) {
                    seen.extend(words.iter().copied());
                }
            });
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
pub(super) fn cedict(text: &str, docs: &[Doc]) -> Vec<Pair> {
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

/// The entries of a one-way cut: each word of 2 to [`MAX_HAN_CHARS`] Han characters, not a stop
/// word, with what `senses` makes of its glosses (`None`: left out), less the words that are a
/// function word in any reading (`不是`: `blame`, but mostly `is not`).
fn word_entries<T>(text: &str, mut senses: impl FnMut(&[&str]) -> Option<T>) -> Vec<(String, T)> {
    let mut entries = Vec::new();
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
        if let Some(made) = senses(&glosses) {
            entries.push((word.to_string(), made));
        }
    }
    entries.retain(|(w, _)| !function_words.contains(w.as_str()));
    entries
}

/// CC-CEDICT, one way: the English terms that find Chinese talks (`lossless` → 无损, `securities`
/// → 证券, `to change` → 变更). An English query is rarely about an English word alone, so the
/// English side need not occur in the English talks: a Chinese word the Chinese talks use (and not
/// generic), a short gloss among the word's first [`TO_ZH_SENSES`] fields (a single-word verb of
/// the first two fields too), at most [`TO_ZH_PER_GLOSS`] words per gloss, most used first. Pairs of the
/// two-way cut (`both`) are left out, and so are the denied ones.
pub(super) fn cedict_to_zh(text: &str, docs: &[Doc], both: &[Pair]) -> Vec<Pair> {
    let entries = word_entries(text, |glosses| {
        Some(senses_of(glosses, TO_ZH_SENSES, Verbs::FirstFields)).filter(|senses| !senses.is_empty())
    });
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

/// The name a CEDICT entry is, from its first field (`Netflix, American entertainment company`,
/// `Bloomberg (name)`, `iQiyi, online video platform`), lowercased: one to three capitalised words;
/// `None` for anything else.
fn proper_name(glosses: &[&str]) -> Option<String> {
    let first = glosses.first()?;
    let name = first.split([',', '(', ';']).next()?.trim();
    let words: Vec<&str> = name.split(' ').collect();
    let ok = (1..=3).contains(&words.len())
        && name.len() >= 3
        && words.iter().all(|w| w.chars().take(2).any(|c| c.is_ascii_uppercase()))
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '.' | '&'));
    ok.then(|| fold(name))
}

/// CC-CEDICT, one way: the Chinese words that find English talks (`无人机` → `drone`, `国际象棋` →
/// `chess`, `奈飞` → `netflix`). A Chinese query is often about a thing only English talks cover, so
/// the Chinese word need not occur in the Chinese talks (and must not be generic there); its gloss
/// must be a term of the English talks (in at least [`MIN_COUNT`] of them and not generic): a short
/// sense of the entry's first fields that is a phrase, technical or the first sense, or the name
/// the entry is, for a word the Chinese talks hardly use. At most [`TO_EN_PER_WORD`] glosses per
/// word, the first sense first. Pairs of the two-way cut (`both`) are left out, and so are the
/// denied ones.
pub(super) fn cedict_to_en(text: &str, docs: &[Doc], both: &[Pair]) -> Vec<Pair> {
    // (word, (senses, whether the entry is a name)).
    let entries = word_entries(text, |glosses| {
        let mut senses = cedict_senses(glosses);
        match senses.first_mut() {
            Some(first) => {
                // The first usable sense (`embroidery` after `to embroider`) is what the word names.
                first.first = true;
                Some((senses, false))
            }
            None => proper_name(glosses).map(|name| (vec![Sense { text: name, domain: false, first: true }], true)),
        }
    });
    let deny = cedict_deny();
    let denied = |en: &str, zh: &str| deny.iter().any(|(e, z)| (e == "*" || e == en) && (z == "*" || z == zh));
    let zh_keys: HashSet<&str> = entries.iter().map(|(w, _)| w.as_str()).collect();
    let en_keys: HashSet<&str> = entries.iter().flat_map(|(_, (s, _))| s.iter().map(|s| s.text.as_str())).collect();
    let CedictCounts { zh: zh_df, en: en_df, zh_docs, en_docs, .. } = cedict_counts(docs, &zh_keys, &en_keys);
    let zh_generic = (f64::from(zh_docs) * GENERIC_SHARE * 2.0).max(f64::from(MIN_COUNT)) as u32;
    let en_generic = (f64::from(en_docs) * GENERIC_SHARE).max(f64::from(MIN_COUNT)) as u32;
    let zh_count = |w: &str| zh_df.get(w).copied().unwrap_or(0);
    let en_count = |g: &str| en_df.get(g).copied().unwrap_or(0);
    let known: HashSet<(&str, &str)> = both.iter().map(|p| (p.left.as_str(), p.right.as_str())).collect();
    let mut by_word: BTreeMap<&str, Vec<(&str, bool, u32)>> = BTreeMap::new();
    for (word, (senses, name)) in &entries {
        let zc = zh_count(word);
        if zc > zh_generic || (*name && zc >= TO_EN_NAME_ZH_RARE) {
            continue;
        }
        for s in senses {
            let c = en_count(&s.text);
            let term = s.text.contains([' ', '-']) || s.domain || s.first;
            let common = c >= MIN_COUNT && (c <= en_generic || s.text.contains(' '));
            if term && common && !denied(&s.text, word) && !known.contains(&(s.text.as_str(), word.as_str())) {
                let glosses = by_word.entry(word.as_str()).or_default();
                if !glosses.iter().any(|(g, _, _)| *g == s.text) {
                    glosses.push((s.text.as_str(), s.first, c));
                }
            }
        }
    }
    let mut out = Vec::new();
    for (word, mut glosses) in by_word {
        glosses.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(b.0)));
        for (gloss, _, count) in glosses.into_iter().take(TO_EN_PER_WORD) {
            out.push(Pair { left: word.to_string(), right: gloss.to_string(), count });
        }
    }
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.left.cmp(&b.left)).then_with(|| a.right.cmp(&b.right)));
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::tests::{fixture, has};
    use super::*;

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
    fn cedict_one_way_to_english() {
        let text = "無人機 无人机 [wu2 ren2 ji1] /drone; unmanned aerial vehicle/\n\
                    奈飛 奈飞 [Nai4 fei1] /Netflix, American entertainment company/\n\
                    阿里 阿里 [A1 li3] /Ali (proper name)/\n\
                    刺繡 刺绣 [ci4 xiu4] /to embroider/embroidery/\n\
                    不是 不是 [bu4 shi5] /fault; blame/\n\
                    不是 不是 [bu4 shi4] /no; is not/\n";
        let doc = |chinese: bool, text: &str| Doc { chinese, text: text.to_string() };
        let docs = [
            doc(false, "Flying a drone with Python\nembroidery patterns, Ali and Netflix"),
            doc(false, "Drone swarms\nembroidery at Netflix with Ali"),
            doc(false, "Not a blame game\nblame blame"),
            doc(false, "Blame\nblame"),
            doc(true, "阿里 云原生"),
            doc(true, "阿里 中间件"),
            doc(true, "阿里 服务网格"),
        ];
        let pairs = cedict_to_en(text, &docs, &[]);
        assert!(has(&pairs, "无人机", "drone"), "a word no Chinese talk uses, its gloss in English talks: {pairs:?}");
        assert!(has(&pairs, "奈飞", "netflix"), "a name: {pairs:?}");
        assert!(has(&pairs, "刺绣", "embroidery"), "the first usable sense: {pairs:?}");
        assert!(!pairs.iter().any(|p| p.left == "阿里"), "a name the Chinese talks use for something else: {pairs:?}");
        assert!(!pairs.iter().any(|p| p.left == "不是"), "a function word in another reading: {pairs:?}");
        let both = [Pair { left: "drone".into(), right: "无人机".into(), count: 2 }];
        assert!(!has(&cedict_to_en(text, &docs, &both), "无人机", "drone"), "already two ways");
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
