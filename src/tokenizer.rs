//! The jieba tokenizer for tantivy: one shared dictionary, width folding, lowercasing, byte offsets.
//!
//! Every text field is indexed and queried through the one analyzer registered here as
//! [`ANALYZER`], so index-time and query-time tokens always agree.
//!
//! How text becomes tokens:
//! 1. Full-width Latin letters and digits (`ＡＰＩ７`) are folded to ASCII before segmentation, with
//!    a map back to the original bytes so highlight offsets still point into the original text.
//! 2. jieba (`cut`, HMM on) segments the text with the stock dictionary plus our domain dictionary
//!    (`data/dict/cloud_native.txt`, compiled into the binary).
//! 3. A Han word gets one position. A Han word longer than two characters also emits its shorter
//!    dictionary words (`服务网格` → `服务`, `网格`) *at the same position*, so a query for a part finds
//!    the whole, while a query for the whole (a single token, or a phrase of same-position tokens)
//!    still matches it exactly.
//! 4. Latin text is split into alphanumeric runs (`API7.ai` → `api7`, `ai`; `C++` stays `c++`) and
//!    lowercased, one position each. Whitespace and punctuation produce no tokens.

use std::sync::{Arc, OnceLock};

use jieba_rs::Jieba;
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};

use crate::talk::is_han;

/// The name under which the analyzer is registered on every index.
pub const ANALYZER: &str = "talksearch";

/// Our domain dictionary, in jieba's `word freq tag` format; shipped in `data/` and compiled in so the
/// binary needs no files at run time.
const DOMAIN_DICT: &str = include_str!("../data/dict/cloud_native.txt");

/// Tokens longer than this many bytes are dropped (base64 blobs, URLs glued together …).
const MAX_TOKEN_BYTES: usize = 100;

/// The process-wide jieba instance: the stock dictionary plus the domain dictionary.
///
/// Loading costs ~0.2 s in release builds, and `Jieba::clone` deep-copies the dictionary, so it is
/// built once and shared by every tokenizer through an `Arc`.
pub fn jieba() -> &'static Arc<Jieba> {
    static JIEBA: OnceLock<Arc<Jieba>> = OnceLock::new();
    JIEBA.get_or_init(|| {
        let mut jieba = Jieba::new();
        jieba.load_dict(&mut DOMAIN_DICT.as_bytes()).expect("the domain dictionary compiled into the binary is valid");
        Arc::new(jieba)
    })
}

/// Registers [`ANALYZER`] on `index`. Registrations are not stored in the index, so this runs on
/// every open.
pub fn register(index: &tantivy::Index) {
    index.tokenizers().register(ANALYZER, analyzer());
}

/// The analyzer used for all text fields.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::from(JiebaTokenizer::new())
}

/// A tantivy tokenizer backed by the shared jieba dictionary.
pub struct JiebaTokenizer {
    jieba: Arc<Jieba>,
    /// Reused between calls so tokenizing does not allocate a fresh vector per field value.
    tokens: Vec<Token>,
    folded: Folded,
}

impl JiebaTokenizer {
    pub fn new() -> Self {
        JiebaTokenizer { jieba: Arc::clone(jieba()), tokens: Vec::new(), folded: Folded::default() }
    }
}

impl Default for JiebaTokenizer {
    fn default() -> Self {
        Self::new()
    }
}

impl Clone for JiebaTokenizer {
    /// Clones share the dictionary; the scratch buffers start empty.
    fn clone(&self) -> Self {
        JiebaTokenizer { jieba: Arc::clone(&self.jieba), tokens: Vec::new(), folded: Folded::default() }
    }
}

impl Tokenizer for JiebaTokenizer {
    type TokenStream<'a> = JiebaTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> JiebaTokenStream<'a> {
        self.tokens.clear();
        tokenize_into(&self.jieba, text, &mut self.folded, &mut self.tokens);
        JiebaTokenStream { tokens: &self.tokens, next: 0 }
    }
}

/// Iterates over the tokens a [`JiebaTokenizer`] produced.
pub struct JiebaTokenStream<'a> {
    tokens: &'a [Token],
    next: usize,
}

impl TokenStream for JiebaTokenStream<'_> {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        unreachable!("JiebaTokenStream is not used under token filters")
    }
}

/// Tokenizes `text` into `out` (see the module docs for the rules).
pub fn tokenize_into(jieba: &Jieba, text: &str, folded: &mut Folded, out: &mut Vec<Token>) {
    folded.fold(text);
    let folded = &*folded;
    let norm = folded.text_or(text);
    let mut position = 0;
    for tok in jieba.cut(norm, true) {
        let word = tok.word;
        if word.chars().all(is_han) {
            let n_chars = tok.end - tok.start;
            push(out, folded, word.to_string(), tok.byte_start, tok.byte_end, position);
            if n_chars > 2 {
                push_dictionary_parts(jieba, word, tok.byte_start, n_chars, position, folded, out);
            }
            position += 1;
        } else {
            for (start, end) in word_runs(word) {
                let part = &word[start..end];
                let text = if part.chars().all(|c| is_han(c)) { part.to_string() } else { part.to_lowercase() };
                push(out, folded, text, tok.byte_start + start, tok.byte_start + end, position);
                position += 1;
            }
        }
    }
}

/// Emits the 2- and 3-character dictionary words inside a longer Han word, at its position.
fn push_dictionary_parts(
    jieba: &Jieba,
    word: &str,
    byte_start: usize,
    n_chars: usize,
    position: usize,
    folded: &Folded,
    out: &mut Vec<Token>,
) {
    let bounds: Vec<usize> = word.char_indices().map(|(i, _)| i).chain([word.len()]).collect();
    for len in [2, 3] {
        if n_chars <= len {
            continue;
        }
        for i in 0..=n_chars - len {
            let part = &word[bounds[i]..bounds[i + len]];
            if jieba.has_word(part) {
                push(out, folded, part.to_string(), byte_start + bounds[i], byte_start + bounds[i + len], position);
            }
        }
    }
}

fn push(out: &mut Vec<Token>, folded: &Folded, text: String, start: usize, end: usize, position: usize) {
    if text.len() > MAX_TOKEN_BYTES {
        return;
    }
    out.push(Token {
        offset_from: folded.original_offset(start),
        offset_to: folded.original_offset(end),
        position,
        text,
        position_length: 1,
    });
}

/// Byte ranges of the searchable runs in a non-Han jieba token: alphanumeric runs (with a trailing
/// `+` or `#`, for `C++` and `C#`) and Han runs, each on its own.
fn word_runs(word: &str) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut chars = word.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        let han = is_han(c);
        if !han && !c.is_alphanumeric() {
            continue;
        }
        let mut end = start + c.len_utf8();
        while let Some(&(i, next)) = chars.peek() {
            let same = if han { is_han(next) } else { next.is_alphanumeric() && !is_han(next) };
            if !same {
                break;
            }
            end = i + next.len_utf8();
            chars.next();
        }
        if !han {
            while let Some(&(i, next @ ('+' | '#'))) = chars.peek() {
                end = i + next.len_utf8();
                chars.next();
            }
        }
        runs.push((start, end));
    }
    runs
}

/// Text with full-width ASCII folded to ASCII, and a map from folded byte offsets to original ones.
#[derive(Debug, Default)]
pub struct Folded {
    text: String,
    /// `map[i]` is the original byte offset of folded byte `i`; empty when nothing was folded.
    map: Vec<usize>,
    original_len: usize,
}

impl Folded {
    /// Folds `text` into `self` when it has anything to fold.
    fn fold(&mut self, text: &str) {
        self.text.clear();
        self.map.clear();
        self.original_len = text.len();
        if !text.chars().any(is_fullwidth) {
            return;
        }
        for (i, c) in text.char_indices() {
            let f = fold_char(c);
            let before = self.text.len();
            self.text.push(f);
            self.map.extend(std::iter::repeat_n(i, self.text.len() - before));
        }
    }

    /// The folded text, or `original` (the text last passed to `fold`) when nothing was folded.
    fn text_or<'a>(&'a self, original: &'a str) -> &'a str {
        if self.map.is_empty() {
            original
        } else {
            &self.text
        }
    }

    fn original_offset(&self, folded: usize) -> usize {
        if self.map.is_empty() {
            folded
        } else {
            self.map.get(folded).copied().unwrap_or(self.original_len)
        }
    }
}

fn is_fullwidth(c: char) -> bool {
    ('\u{FF01}'..='\u{FF5E}').contains(&c) || c == '\u{3000}'
}

/// Full-width ASCII variants and the ideographic space to their ASCII forms; other chars unchanged.
fn fold_char(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFF01 + 0x21).unwrap_or(c),
        _ => c,
    }
}

/// Tokens of `text` as `(text, position, original byte range)`: handy for tests, `analyze` and debugging.
pub fn tokens(text: &str) -> Vec<(String, usize, std::ops::Range<usize>)> {
    let mut analyzer = analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while let Some(t) = stream.next() {
        out.push((t.text.clone(), t.position, t.offset_from..t.offset_to));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<String> {
        tokens(text).into_iter().map(|t| t.0).collect()
    }

    #[test]
    fn domain_words_stay_whole() {
        for word in ["云原生", "阿里云", "可观测性", "服务网格", "字节跳动"] {
            let toks = tokens(word);
            assert_eq!(toks[0].0, word, "{word} → {toks:?}");
            assert!(toks.iter().all(|t| t.1 == 0), "{word}: all tokens at one position: {toks:?}");
        }
    }

    #[test]
    fn parts_of_long_words_share_the_position() {
        let toks = tokens("服务网格中");
        let at0: Vec<_> = toks.iter().filter(|t| t.1 == 0).map(|t| t.0.as_str()).collect();
        assert!(at0.contains(&"服务网格") && at0.contains(&"服务") && at0.contains(&"网格"), "{toks:?}");
        assert_eq!(toks.last().unwrap().0, "中");
        assert_eq!(toks.last().unwrap().1, 1);
    }

    #[test]
    fn mixed_chinese_english_is_split_and_lowercased() {
        assert_eq!(
            texts("字节跳动 Service Mesh 性能优化"),
            texts("字节跳动")
                .into_iter()
                .chain(["service".into(), "mesh".into()])
                .chain(texts("性能优化"))
                .collect::<Vec<_>>()
        );
        assert_eq!(texts("APISIX"), ["apisix"]);
        assert_eq!(texts("API7.ai"), ["api7", "ai"]);
        assert_eq!(texts("C++ 和 C#"), ["c++", "和", "c#"]);
    }

    #[test]
    fn punctuation_and_whitespace_make_no_tokens() {
        assert_eq!(texts("，。！？  \n\t ——「」()[]"), Vec::<String>::new());
        assert_eq!(texts(""), Vec::<String>::new());
    }

    #[test]
    fn offsets_are_bytes_into_the_original_text() {
        let text = "南a京 Istio 服务网格";
        for (tok, _, range) in tokens(text) {
            assert_eq!(text[range.clone()].to_lowercase(), tok, "{range:?}");
        }
        let fullwidth = "ＡＰＩ７ 网关";
        let toks = tokens(fullwidth);
        assert_eq!(toks[0].0, "api7");
        assert_eq!(&fullwidth[toks[0].2.clone()], "ＡＰＩ７");
    }

    #[test]
    fn positions_are_consecutive_across_scripts() {
        let positions: Vec<usize> = tokens("Istio 服务网格 扩展").iter().map(|t| t.1).collect();
        let max = *positions.iter().max().unwrap();
        assert_eq!(max, 2, "{positions:?}");
    }
}
