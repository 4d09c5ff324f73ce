//! Highlighting: HTML-escaped snippets with `<mark>` around the words that matched.
//!
//! Texts are not segmented again at query time: the query's terms (already analyzed: lowercase,
//! simplified) are found with substring search (a few terms) or one Aho–Corasick automaton (many) in
//! the text as the analyzer normalises it
//! (widths and traditional characters folded, lowercased), and mapped back to the original bytes.
//! A Latin term counts only as a whole word (`mesh` in `Service Mesh`, not in `meshes`), as the
//! analyzer would have cut it; a Chinese term counts wherever it occurs, which is where the analyzer
//! finds a word or a dictionary part of a longer word. Matches are merged, the best window is cut,
//! and only that window is escaped.

use std::collections::HashSet;
use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use memchr::memmem;
use tantivy::tokenizer::Token;

use super::escape_html_into;
use crate::talk::is_han;
use crate::tokenizer;

/// Marks the query's terms in texts.
pub struct Highlighter {
    terms: Vec<String>,
    /// Finds every term, overlapping matches included; `None` when there are no terms.
    matcher: Option<Matcher>,
    /// Whether some term holds a Greek sigma, whose lowercase depends on its context: such queries
    /// are matched by running the analyzer on the text instead.
    always_tokenize: bool,
}

impl Highlighter {
    /// A highlighter for these (already analyzed) terms.
    pub fn new(terms: HashSet<String>) -> Highlighter {
        let always_tokenize = terms.iter().any(|t| t.contains(['σ', 'ς']));
        let mut terms: Vec<String> = terms.into_iter().filter(|t| !t.is_empty()).collect();
        terms.sort();
        let matcher = Matcher::new(&terms);
        Highlighter { terms, matcher, always_tokenize }
    }

    /// Byte ranges of a prepared text to mark, sorted and merged.
    fn marks(&self, text: &Prepared) -> Vec<Range<usize>> {
        if self.matcher.is_none() || text.text.is_empty() {
            return Vec::new();
        }
        match (&text.haystack, self.always_tokenize) {
            (Some(haystack), false) => self.find(haystack, &text.folded),
            _ => self.marks_by_tokens(&text.text),
        }
    }

    /// The terms' matches in `hay` (the text folded and lowercased), as ranges of the text.
    fn find(&self, hay: &str, folded: &tokenizer::Folded) -> Vec<Range<usize>> {
        let Some(matcher) = &self.matcher else { return Vec::new() };
        let mut ranges = Vec::new();
        matcher.for_each_match(hay, |pattern, start, end| {
            let term = &self.terms[pattern];
            if is_han_term(term) || whole_latin_word(hay, start, end, term) {
                ranges.push(folded.original_offset(start)..folded.original_offset(end));
            }
        });
        merge(ranges)
    }

    /// The slow path, for texts and terms whose lowercase forms change length or depend on context:
    /// run the analyzer on `text` and mark tokens equal to a term.
    fn marks_by_tokens(&self, text: &str) -> Vec<Range<usize>> {
        let mut folded = tokenizer::Folded::default();
        folded.fold(text);
        let mut tokens: Vec<Token> = Vec::new();
        let len = tokenizer::tokenize_folded(tokenizer::jieba(), text, &folded, &mut tokens, 0);
        let mut ranges = Vec::new();
        for token in &tokens[..len] {
            let token_text = tokenizer::strip_part(&token.text);
            if self.terms.iter().any(|t| t == token_text) {
                ranges.push(token.offset_from..token.offset_to);
            }
        }
        merge(ranges)
    }

    /// `text` with matches marked, whole. `None` when nothing in it matches.
    pub fn whole(&self, text: &str) -> Option<String> {
        self.whole_prepared(&Prepared::new(text.to_string()))
    }

    /// [`Highlighter::whole`] of a prepared text.
    pub fn whole_prepared(&self, text: &Prepared) -> Option<String> {
        let marks = self.marks(text);
        whole(&text.text, &marks)
    }

    /// The window of at most `max_bytes` of `text` holding the most matches, marked, with `…` where
    /// text was cut. `None` when nothing in it matches.
    pub fn snippet(&self, text: &str, max_bytes: usize) -> Option<String> {
        self.snippet_prepared(&Prepared::new(text.to_string()), max_bytes)
    }

    /// [`Highlighter::snippet`] of a prepared text.
    pub fn snippet_prepared(&self, text: &Prepared, max_bytes: usize) -> Option<String> {
        let marks = self.marks(text);
        snippet(&text.text, &marks, max_bytes)
    }
}

/// A text made ready to be marked by any query, once (for a talk shown again and again): its form
/// as the analyzer normalises it (widths and traditional characters folded, lowercased), with the
/// map back to the text's bytes. Folding and lowercasing every text of every hit was a third of
/// highlighting.
#[derive(Debug, Default)]
pub struct Prepared {
    text: String,
    folded: tokenizer::Folded,
    /// The folded text, lowercased; `None` when lowercasing changed byte lengths (then the text is
    /// marked by running the analyzer on it, as [`Highlighter::marks`] does).
    haystack: Option<String>,
}

impl Prepared {
    pub fn new(text: String) -> Prepared {
        let mut folded = tokenizer::Folded::default();
        let mut haystack = String::new();
        if folded.fold_lowercase(&text, &mut haystack) {
            return Prepared { text, folded, haystack: Some(haystack) };
        }
        Prepared::in_two_steps(text)
    }

    /// [`Prepared::new`] folding, then lowercasing: for the texts [`tokenizer::Folded::fold_lowercase`]
    /// leaves to them.
    fn in_two_steps(text: String) -> Prepared {
        let mut folded = tokenizer::Folded::default();
        // Simplifying changes Chinese characters alone, byte for byte: Latin terms match the
        // simplified text exactly as the text.
        folded.fold(&text);
        let mut haystack = String::new();
        let haystack = lowercase_keeping_offsets(folded.text_or(&text), &mut haystack).then_some(haystack);
        Prepared { text, folded, haystack }
    }

    pub fn text(&self) -> &str {
        &self.text
    }
}

/// `text` with `marks` marked, whole; `None` without marks.
fn whole(text: &str, marks: &[Range<usize>]) -> Option<String> {
    (!marks.is_empty()).then(|| {
        let mut html = String::with_capacity(text.len() + marks.len() * 13);
        render_into(&mut html, text, 0..text.len(), marks);
        html
    })
}

/// The best window of `text` around `marks` (see [`Highlighter::snippet`]).
fn snippet(text: &str, marks: &[Range<usize>], max_bytes: usize) -> Option<String> {
    let window = best_window(text, marks, max_bytes)?;
    let mut html = String::with_capacity(window.len() + 64);
    if window.start > 0 {
        html.push('…');
    }
    let inside = marks.iter().filter(|m| m.start >= window.start && m.end <= window.end);
    render_into(&mut html, text, window.clone(), inside);
    if window.end < text.len() {
        html.push('…');
    }
    Some(html)
}

/// Terms past which one Aho–Corasick automaton is built rather than a substring finder per term.
/// A query has 5–6 terms on average (the 3,000-query mix), and building even the cheapest automaton
/// for them (its start states have a transition for every byte) cost more than scanning every hit's
/// texts once per term with `memmem` (callgrind: the build alone was 5 % of a search).
const FINDERS_UP_TO: usize = 12;

/// Finds every occurrence of every term in a text, overlapping ones included.
enum Matcher {
    /// One substring finder per term, in the terms' order.
    Finders(Vec<memmem::Finder<'static>>),
    Automaton(AhoCorasick),
}

impl Matcher {
    /// `None` when there are no terms (or the automaton cannot be built).
    fn new(terms: &[String]) -> Option<Matcher> {
        if terms.is_empty() {
            return None;
        }
        if terms.len() <= FINDERS_UP_TO {
            return Some(Matcher::Finders(
                terms.iter().map(|t| memmem::Finder::new(t.as_bytes()).into_owned()).collect(),
            ));
        }
        // Many terms over a few short texts: the NFA is built in a fraction of the time a DFA takes
        // (callgrind: the default builder was 8 % of a search) and scans fast enough.
        AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::NoncontiguousNFA))
            .build(terms)
            .ok()
            .map(Matcher::Automaton)
    }

    /// Calls `found(term index, start, end)` for every occurrence in `hay`, in no particular order.
    fn for_each_match(&self, hay: &str, mut found: impl FnMut(usize, usize, usize)) {
        match self {
            Matcher::Finders(finders) => {
                for (pattern, finder) in finders.iter().enumerate() {
                    let len = finder.needle().len();
                    let mut from = 0;
                    // Each start, overlapping ones included, as the automaton reports them.
                    while let Some(at) = finder.find(&hay.as_bytes()[from..]) {
                        let start = from + at;
                        found(pattern, start, start + len);
                        from = start + 1;
                    }
                }
            }
            Matcher::Automaton(automaton) => {
                for m in automaton.find_overlapping_iter(hay) {
                    found(m.pattern().as_usize(), m.start(), m.end());
                }
            }
        }
    }
}

/// Lowercases `norm` into `out` char by char (as the analyzer does) and says whether every char kept
/// its byte length, so that offsets into `out` are offsets into `norm`.
fn lowercase_keeping_offsets(norm: &str, out: &mut String) -> bool {
    out.clear();
    if norm.is_ascii() {
        out.push_str(norm);
        out.make_ascii_lowercase();
        return true;
    }
    out.reserve(norm.len());
    // Runs of ASCII and of U+3000..=U+9FFF (CJK: no case; led by the bytes E3 to E9) are copied
    // whole, and only the other characters are looked at one by one (callgrind, the server: going
    // through Chinese texts character by character was 2 % of its instructions per search).
    let bytes = norm.as_bytes();
    let (mut copied, mut at) = (0, 0);
    while let Some(&byte) = bytes.get(at) {
        match byte {
            0x00..=0x7F => at += 1,
            0xE3..=0xE9 => at += 3,
            _ => {
                let Some(c) = norm[at..].chars().next() else { break };
                tokenizer::push_ascii_lowercase(out, &norm[copied..at]);
                let before = out.len();
                tokenizer::push_lowercase(out, c);
                if out.len() - before != c.len_utf8() {
                    return false;
                }
                at += c.len_utf8();
                copied = at;
            }
        }
    }
    tokenizer::push_ascii_lowercase(out, &norm[copied..]);
    true
}

fn is_han_term(term: &str) -> bool {
    term.chars().next().is_some_and(is_han)
}

/// Whether `hay[start..end]` (a match of the Latin `term`) is a whole word as the analyzer cuts them:
/// no word char before it, none after it, and no `+`/`#` after it unless the term ends so (`c` is
/// not marked in `C++`).
fn whole_latin_word(hay: &str, start: usize, end: usize, term: &str) -> bool {
    let before = hay[..start].chars().next_back();
    let after = hay[end..].chars().next();
    if before.is_some_and(tokenizer::is_latin_word_char) || after.is_some_and(tokenizer::is_latin_word_char) {
        return false;
    }
    let ends_symbol = term.ends_with(['+', '#']);
    ends_symbol || !matches!(after, Some('+' | '#'))
}

/// Sorts ranges and merges those that overlap or touch.
fn merge(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// Bytes of context kept before the first match of a window.
const LEAD_BYTES: usize = 30;

/// The window with the most matches, starting a little before one of them, on char boundaries.
fn best_window(text: &str, marks: &[Range<usize>], max_bytes: usize) -> Option<Range<usize>> {
    let mut best: Option<(usize, Range<usize>)> = None;
    for (i, first) in marks.iter().enumerate() {
        let count = marks[i..].iter().take_while(|m| m.end <= first.start + max_bytes).count();
        if best.as_ref().is_none_or(|(c, _)| count > *c) {
            let start = floor_char(text, first.start.saturating_sub(LEAD_BYTES).max(line_start(text, first.start)));
            let end = floor_char(text, (start + max_bytes).min(text.len())).max(first.end);
            best = Some((count, start..end));
        }
    }
    best.map(|(_, w)| w)
}

/// Where the line holding byte `at` starts: a window does not begin mid-way through the previous line.
fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

fn floor_char(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Appends `text[window]`, escaped, to `html`, wrapping `marks` (inside the window) in `<mark>`.
fn render_into<'a>(
    html: &mut String,
    text: &str,
    window: Range<usize>,
    marks: impl IntoIterator<Item = &'a Range<usize>>,
) {
    let mut at = window.start;
    for m in marks {
        escape_html_into(html, &text[at..m.start]);
        html.push_str("<mark>");
        escape_html_into(html, &text[m.clone()]);
        html.push_str("</mark>");
        at = m.end;
    }
    escape_html_into(html, &text[at..window.end]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(terms: &[&str]) -> Highlighter {
        Highlighter::new(terms.iter().map(|t| t.to_string()).collect())
    }

    /// Preparing a text in one pass gives what folding, then lowercasing gives: the same text to
    /// search, the same offsets back into the text. Every 3-byte character alone and between others
    /// (full-width ones, the ones fast2s converts by their neighbours), cases that change length,
    /// and the shipped corpus's pages.
    #[test]
    fn texts_are_prepared_in_one_pass_as_in_two_steps() {
        fn same(text: &str) -> bool {
            let (one, two) = (Prepared::new(text.to_string()), Prepared::in_two_steps(text.to_string()));
            assert_eq!(one.haystack, two.haystack, "{text:?}");
            if let Some(hay) = &one.haystack {
                for at in (0..=hay.len()).filter(|&at| hay.is_char_boundary(at)) {
                    let (a, b) = (one.folded.original_offset(at), two.folded.original_offset(at));
                    assert_eq!(a, b, "{text:?} at {at}");
                }
            }
            tokenizer::Folded::default().fold_lowercase(text, &mut String::new())
        }
        let mut in_one_pass = 0;
        for c in (0x800..=0xFFFF).filter_map(char::from_u32) {
            for text in [c.to_string(), format!("Ａ{c}b"), format!("網{c}。"), format!("看{c}著")] {
                in_one_pass += usize::from(same(&text));
            }
        }
        assert!(in_one_pass > 4 * 60_000, "{in_one_pass}");
        let words = ["看著", "樊於", "乾隆", "計畫", "　著　", "ａ著ｂ", "著", "ＡＰＩ網關"];
        for word in words {
            for text in
                [word.to_string(), format!("Service Mesh {word}。"), format!("{word}😀İ"), format!("ΣΊΣ {word}")]
            {
                same(&text);
            }
        }
        assert!(same("服務網格 ＡＰＩ　Service Mesh：看著「資料」 Ünïcödé Ⅳ ꙀꚀ 😀"));
        assert!(!same("İstanbul 服務"), "a lowercase of another length is left to the two steps");
        let pages = concat!(env!("CARGO_MANIFEST_DIR"), "/data/corpus/zh");
        let pages = walkdir::WalkDir::new(pages).into_iter().filter_map(|e| e.ok());
        let pages: Vec<String> = pages.filter_map(|e| std::fs::read_to_string(e.path()).ok()).collect();
        assert!(pages.len() > 90, "{}", pages.len());
        let whole = pages.iter().filter(|page| same(page)).count();
        assert!(whole * 10 > pages.len() * 9, "{whole} of {} pages in one pass", pages.len());
    }

    /// The runs copied whole give what lowercasing character by character gives: the same text, or
    /// `false` where a lowercase changes a character's length (`İ`), whatever stands around them.
    #[test]
    fn lowercasing_keeps_offsets_as_lowercasing_each_character_does() {
        fn one_by_one(norm: &str) -> Option<String> {
            let mut out = String::new();
            for c in norm.chars() {
                let before = out.len();
                out.extend(c.to_lowercase());
                if out.len() - before != c.len_utf8() {
                    return None;
                }
            }
            Some(out)
        }
        let pieces = [
            "Service MESH",
            "服务网格",
            "“Istio”",
            "Ⅳ",
            "ΣΊΣΥΦΟΣ",
            "Ünïcödé",
            "。、「」",
            "ꙀꚀ",
            "ㄅ",
            "😀",
            "İ",
            "Kelvin \u{212A}",
        ];
        for a in pieces {
            for b in pieces {
                let text = format!("{a}{b} x{a}");
                let mut out = String::new();
                let kept = lowercase_keeping_offsets(&text, &mut out);
                assert_eq!(kept.then_some(out), one_by_one(&text), "{text}");
            }
        }
    }

    #[test]
    fn whole_words_and_their_parts_are_marked() {
        assert_eq!(
            h(&["服务网格"]).whole("服务网格中 TLS 的加速和优化").unwrap(),
            "<mark>服务网格</mark>中 TLS 的加速和优化"
        );
        assert_eq!(h(&["网格"]).whole("轻舟服务网格的无侵入增强").unwrap(), "轻舟服务<mark>网格</mark>的无侵入增强");
        assert_eq!(h(&["tls"]).whole("服务网格中 TLS 的加速").unwrap(), "服务网格中 <mark>TLS</mark> 的加速");
        assert_eq!(h(&["istio"]).whole("no match here"), None);
    }

    #[test]
    fn the_substring_check_sees_folded_text() {
        // Traditional characters, full-width letters and case all fold before the pre-check.
        assert_eq!(h(&["服务网格"]).whole("服務網格").unwrap(), "<mark>服務網格</mark>");
        assert_eq!(h(&["api7"]).whole("ＡＰＩ７ 网关").unwrap(), "<mark>ＡＰＩ７</mark> 网关");
        assert_eq!(h(&["kubernetes"]).whole("KUBERNETES").unwrap(), "<mark>KUBERNETES</mark>");
        // A final sigma lowercases by context: such terms always go through the tokenizer.
        assert!(h(&["όσος"]).always_tokenize && !h(&["kubernetes"]).always_tokenize);
        assert_eq!(h(&["σ"]).whole("ΌΣΟΣ").unwrap(), "Ό<mark>Σ</mark>Ο<mark>Σ</mark>");
        let one = h(&["mesh"]);
        assert_eq!(one.whole("no match"), None);
        assert_eq!(one.whole("Service Mesh").unwrap(), "Service <mark>Mesh</mark>");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            h(&["script"]).whole("<script>alert(1)</script>").unwrap(),
            "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;"
        );
    }

    #[test]
    fn snippets_cut_on_char_boundaries_around_the_best_window() {
        let text = format!("{}服务网格{}", "云原生技术".repeat(30), "可观测性".repeat(30));
        let s = h(&["服务网格"]).snippet(&text, 60).unwrap();
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(s.contains("<mark>服务网格</mark>"), "{s}");
        assert!(s.chars().count() < 40, "{s}");
    }

    #[test]
    fn latin_terms_are_marked_as_whole_words_only() {
        assert_eq!(h(&["mesh"]).whole("meshes and Mesh"), Some("meshes and <mark>Mesh</mark>".into()));
        assert_eq!(h(&["c"]).whole("C++ and C"), Some("C++ and <mark>C</mark>".into()));
        assert_eq!(h(&["c++"]).whole("C++ and C"), Some("<mark>C++</mark> and C".into()));
        assert_eq!(h(&["api7", "ai"]).whole("API7.ai"), Some("<mark>API7</mark>.<mark>ai</mark>".into()));
        assert_eq!(h(&["tls"]).whole("服务网格中TLS的加速"), Some("服务网格中<mark>TLS</mark>的加速".into()));
        assert_eq!(h(&["go"]).whole("golang"), None);
    }

    #[test]
    fn finders_and_the_automaton_find_the_same_occurrences() {
        let terms: Vec<String> =
            ["哈哈", "服务", "服务网格", "mesh", "a", "网格"].iter().map(|t| t.to_string()).collect();
        let hay = "服务网格哈哈哈 service mesh a mesh 网格";
        let found = |matcher: Matcher| {
            let mut all = Vec::new();
            matcher.for_each_match(hay, |p, start, end| all.push((p, start, end)));
            all.sort();
            all
        };
        let by_finders = found(Matcher::new(&terms).unwrap());
        let mut many = terms.clone();
        many.extend((0..FINDERS_UP_TO).map(|i| format!("zz{i}")));
        let by_automaton = found(Matcher::new(&many).unwrap());
        assert!(matches!(Matcher::new(&terms), Some(Matcher::Finders(_))));
        assert!(matches!(Matcher::new(&many), Some(Matcher::Automaton(_))));
        assert_eq!(by_finders, by_automaton);
        // Overlapping occurrences of one term are all found: 哈哈 at both starts in 哈哈哈.
        assert_eq!(by_finders.iter().filter(|(p, _, _)| *p == 0).count(), 2);
    }

    /// A text is folded once for any query: Latin terms are found in traditional Chinese text as
    /// in simplified, and a character simplified by its neighbours (看著 → 看着) is found so.
    #[test]
    fn texts_folded_once_serve_latin_and_chinese_terms_alike() {
        let prepared = Prepared::new("看著 Kubernetes 服務網格".to_string());
        assert_eq!(h(&["kubernetes"]).whole_prepared(&prepared).unwrap(), "看著 <mark>Kubernetes</mark> 服務網格");
        assert_eq!(
            h(&["着", "服务网格"]).whole_prepared(&prepared).unwrap(),
            "看<mark>著</mark> Kubernetes <mark>服務網格</mark>"
        );
        assert_eq!(h(&["mesh"]).whole_prepared(&prepared), None);
        assert_eq!(h(&["网格"]).snippet_prepared(&Prepared::new(String::new()), 12), None);
    }

    #[test]
    fn overlapping_terms_merge_into_one_mark() {
        assert_eq!(h(&["服务网格", "网格", "服务"]).whole("服务网格"), Some("<mark>服务网格</mark>".into()));
        assert_eq!(
            h(&["service", "mesh"]).whole("Service Mesh"),
            Some("<mark>Service</mark> <mark>Mesh</mark>".into())
        );
    }
}
