//! Pairs mined from the corpus: terms written with their translation beside them
//! (`服务网格（Service Mesh）`, `Service Mesh（服务网格）`) and `Long Form (ABBR)` parentheses, the long
//! form found by the Schwartz–Hearst rule; see the parent module doc.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;
use talksearch::talk::is_han;
use talksearch::tokenizer::terms;

use super::{each_phrase, fold, han_only, stop_en, Doc, Pair, MAX_HAN_CHARS, MIN_COUNT, STOP_ZH};

/// English terms: 1 to this many words.
const MAX_EN_WORDS: usize = 4;
/// Characters of text before a match that make its context (so a page and its copy count once).
const CONTEXT_CHARS: usize = 16;

/// Words that start a Chinese run before a bracket but are not part of the term.
const LEAD_ZH: &[&str] = &[
    "的", "在", "和", "与", "及", "对", "将", "把", "用", "以", "从", "为", "是", "了", "即", "或", "如", "等", "被",
    "基于", "通过", "使用", "利用", "采用", "支持", "提供", "实现", "包括", "以及", "介绍", "关于", "进行", "一个",
    "我们", "这个", "这些", "所谓", "称为", "叫做", "其", "该", "新", "大", "中", "做", "让", "给",
];

/// What [`mine`] found.
#[derive(Debug, Default)]
pub(super) struct Mined {
    pub(super) bilingual: Vec<Pair>,
    pub(super) abbreviations: Vec<Pair>,
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
fn long_form(before: &str, abbr: &str) -> Option<String> {
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
pub(super) fn mine(docs: &[Doc], names: &HashSet<String>) -> Mined {
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

#[cfg(test)]
mod tests {
    use super::super::tests::{fixture, has};
    use super::*;

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
}
