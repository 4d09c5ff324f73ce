//! Highlighting: HTML-escaped snippets with `<mark>` around the words that matched.
//!
//! tantivy's `SnippetGenerator` assumes tokens arrive in offset order without nesting; our
//! tokenizer emits a long Chinese word and its dictionary parts at the same position (nested
//! ranges), so highlighting is done here with the same analyzer: tokenize the text, mark the tokens
//! that are query terms, merge overlapping marks, and cut the best window.

use std::collections::HashSet;
use std::ops::Range;

use tantivy::tokenizer::Token;

use super::escape_html;
use crate::tokenizer;

/// Marks the query's terms in texts.
pub struct Highlighter {
    /// The terms, longest first; a query has a handful, so a scan that compares lengths first beats
    /// hashing every token of every text.
    terms: Vec<String>,
    /// Whether some term holds a Greek sigma, which the substring pre-check cannot rule out.
    always_tokenize: bool,
    /// Scratch buffers reused across texts: the folded text, its lowercased form, the tokens.
    folded: tokenizer::Folded,
    haystack: String,
    tokens: Vec<Token>,
}

impl Highlighter {
    /// A highlighter for these (already analyzed) terms.
    pub fn new(terms: HashSet<String>) -> Highlighter {
        let always_tokenize = terms.iter().any(|t| t.contains(['σ', 'ς']));
        let mut terms: Vec<String> = terms.into_iter().collect();
        terms.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        Highlighter {
            terms,
            always_tokenize,
            folded: tokenizer::Folded::default(),
            haystack: String::new(),
            tokens: Vec::new(),
        }
    }

    /// Whether some term may be a token of `text`. Tokenizing (jieba) costs far more than this
    /// substring check on the normalised text, and most texts of a hit (bios, takeaways) hold no term.
    /// `text` must have been folded into `self.folded`.
    fn may_match(&mut self, text: &str) -> bool {
        if self.always_tokenize {
            return true;
        }
        tokenizer::token_haystack(&self.folded, text, &mut self.haystack);
        self.terms.iter().any(|t| self.haystack.contains(t.as_str()))
    }

    /// Byte ranges of `text` to mark, sorted and merged.
    fn marks(&mut self, text: &str) -> Vec<Range<usize>> {
        let mut ranges = Vec::new();
        if self.terms.is_empty() || text.is_empty() {
            return ranges;
        }
        // The same analysis as the index's analyzer, folding the text once for the check and the cut.
        self.folded.fold(text);
        if !self.may_match(text) {
            return ranges;
        }
        let len = tokenizer::tokenize_folded(tokenizer::jieba(), text, &self.folded, &mut self.tokens, 0);
        for token in &self.tokens[..len] {
            let text = tokenizer::strip_part(&token.text);
            if self.terms.iter().any(|t| t.len() == text.len() && t == text) {
                ranges.push(token.offset_from..token.offset_to);
            }
        }
        merge(ranges)
    }

    /// `text` with matches marked, whole. `None` when nothing in it matches.
    pub fn whole(&mut self, text: &str) -> Option<String> {
        let marks = self.marks(text);
        (!marks.is_empty()).then(|| render(text, 0..text.len(), &marks))
    }

    /// The window of at most `max_bytes` of `text` holding the most matches, marked, with `…` where
    /// text was cut. `None` when nothing in it matches.
    pub fn snippet(&mut self, text: &str, max_bytes: usize) -> Option<String> {
        let marks = self.marks(text);
        let window = best_window(text, &marks, max_bytes)?;
        let mut html = String::new();
        if window.start > 0 {
            html.push('…');
        }
        let inside: Vec<Range<usize>> =
            marks.iter().filter(|m| m.start >= window.start && m.end <= window.end).cloned().collect();
        html.push_str(&render(text, window.clone(), &inside));
        if window.end < text.len() {
            html.push('…');
        }
        Some(html)
    }
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

/// Escapes `text[window]`, wrapping `marks` (inside the window) in `<mark>`.
fn render(text: &str, window: Range<usize>, marks: &[Range<usize>]) -> String {
    let mut html = String::with_capacity(window.len() + marks.len() * 13);
    let mut at = window.start;
    for m in marks {
        html.push_str(&escape_html(&text[at..m.start]));
        html.push_str("<mark>");
        html.push_str(&escape_html(&text[m.clone()]));
        html.push_str("</mark>");
        at = m.end;
    }
    html.push_str(&escape_html(&text[at..window.end]));
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(terms: &[&str]) -> Highlighter {
        Highlighter::new(terms.iter().map(|t| t.to_string()).collect())
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
        let mut one = h(&["mesh"]);
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
}
