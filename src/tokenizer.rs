//! The jieba tokenizer for tantivy: one shared dictionary, width folding, lowercasing, byte offsets.
//!
//! Every text field is indexed and queried through the one analyzer registered here as
//! [`ANALYZER`], so index-time and query-time tokens always agree.
//!
//! How text becomes tokens:
//! 1. Full-width Latin letters and digits (`ＡＰＩ７`) are folded to ASCII and traditional Chinese to
//!    simplified (`服務網格` → `服务网格`) before segmentation, with a map back to the original bytes so
//!    highlight offsets still point into the original text.
//! 2. jieba (`cut`, HMM on) segments the text with the stock dictionary plus our domain dictionary
//!    (`data/dict/cloud_native.txt`, compiled into the binary).
//! 3. A Han word gets one position. A Han word longer than two characters also emits the dictionary
//!    words inside it (`服务网格` → `服务`, `网格`) *at the same position*, marked with
//!    [`PART_PREFIX`]: a query for a part finds the whole (and ranks whole-word matches higher),
//!    while phrases of whole words keep their positions.
//! 4. Latin text is split into alphanumeric runs (`API7.ai` → `api7`, `ai`; `C++` stays `c++`) and
//!    lowercased, one position each. Whitespace and punctuation produce no tokens.
//! 5. An English word whose stem differs from it (`testing`, `optimised`) also emits its stem at the
//!    same position, marked with [`STEM_PREFIX`] (see [`stem`]): a query word finds the other forms
//!    of it through the stem, below the form as typed.

use std::sync::{Arc, OnceLock};

use jieba_rs::Jieba;
use rustc_hash::FxHashMap;
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};

use crate::talk::is_han;

/// The name under which the analyzer is registered on every index.
pub const ANALYZER: &str = "talksearch";

/// Raised whenever the tokens of a text change (2: English stems added), so that an update never
/// mixes talks tokenized two ways in one index: it reads every file again instead.
pub const ANALYZER_VERSION: u32 = 2;

/// Our domain dictionary, in jieba's `word freq tag` format; shipped in `data/` and compiled in so the
/// binary needs no files at run time.
const DOMAIN_DICT: &str = include_str!("../data/dict/cloud_native.txt");

/// Tokens longer than this many bytes are dropped (base64 blobs, URLs glued together …).
const MAX_TOKEN_BYTES: usize = 100;

/// Marks a dictionary word found *inside* a longer word. `网格` alone is the term `网格`; inside
/// `服务网格` it is also indexed as `\u{2}网格`, so a query for `网格` matches both and scores the
/// whole word higher.
pub const PART_PREFIX: char = '\u{2}';

/// Marks the English stem of a Latin word (`testing` is also indexed as `\u{3}test`). Stems are
/// apart from words so that a query can weigh "another form of the word" below the word itself.
pub const STEM_PREFIX: char = '\u{3}';

/// Longest part (in characters) indexed inside a longer word.
const MAX_PART_CHARS: usize = 6;

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
    /// Reused between calls so tokenizing does not allocate a fresh vector, nor a fresh string per
    /// token: `tokens[..len]` are the current tokens, the rest are spare buffers.
    tokens: Vec<Token>,
    len: usize,
    folded: Folded,
}

impl JiebaTokenizer {
    pub fn new() -> Self {
        JiebaTokenizer { jieba: Arc::clone(jieba()), tokens: Vec::new(), len: 0, folded: Folded::default() }
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
        JiebaTokenizer { jieba: Arc::clone(&self.jieba), tokens: Vec::new(), len: 0, folded: Folded::default() }
    }
}

impl Tokenizer for JiebaTokenizer {
    type TokenStream<'a> = JiebaTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> JiebaTokenStream<'a> {
        self.folded.fold(text);
        self.len = tokenize_folded(&self.jieba, text, &self.folded, &mut self.tokens, 0);
        JiebaTokenStream { tokens: &mut self.tokens[..self.len], next: 0 }
    }
}

/// Iterates over the tokens a [`JiebaTokenizer`] produced.
pub struct JiebaTokenStream<'a> {
    tokens: &'a mut [Token],
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
        &mut self.tokens[self.next - 1]
    }
}

/// Tokenizes `text` into `out` (see the module docs for the rules).
pub fn tokenize_into(jieba: &Jieba, text: &str, folded: &mut Folded, out: &mut Vec<Token>) {
    folded.fold(text);
    let start = out.len();
    let len = tokenize_folded(jieba, text, folded, out, start);
    out.truncate(len);
}

/// Tokenizes `text`, already folded into `folded`, writing the tokens into `out[start..]` and
/// returning the end of those written. Tokens already in `out` past `start` are overwritten,
/// reusing their text buffers; those past the returned end are left as spares.
pub(crate) fn tokenize_folded(jieba: &Jieba, text: &str, folded: &Folded, out: &mut Vec<Token>, start: usize) -> usize {
    let norm = folded.text_or(text);
    let mut out = Tokens { tokens: out, len: start, folded };
    let mut position = 0;
    for tok in jieba.cut(norm, true) {
        let word = tok.word;
        if word.chars().all(is_han) {
            let n_chars = tok.end - tok.start;
            out.push(tok.byte_start, tok.byte_end, position, |t| t.push_str(word));
            if n_chars > 2 {
                push_dictionary_parts(jieba, word, tok.byte_start, n_chars, position, &mut out);
            }
            position += 1;
        } else {
            for_each_word_run(word, |start, end, han| {
                let part = &word[start..end];
                let (from, to) = (tok.byte_start + start, tok.byte_start + end);
                let pushed = out.push(from, to, position, |t| {
                    if han {
                        t.push_str(part);
                    } else if part.is_ascii() {
                        push_ascii_lowercase(t, part);
                    } else {
                        t.push_str(&part.to_lowercase());
                    }
                });
                if pushed && !han {
                    out.push_stem(from, to, position);
                }
                position += 1;
            });
        }
    }
    out.len
}

/// `run` appended to `out`, its ASCII letters lowercased (the rest as it is).
pub(crate) fn push_ascii_lowercase(out: &mut String, run: &str) {
    let from = out.len();
    out.push_str(run);
    out[from..].make_ascii_lowercase();
}

/// Tokens being written over a reused vector (see [`tokenize_folded`]).
struct Tokens<'a> {
    tokens: &'a mut Vec<Token>,
    len: usize,
    folded: &'a Folded,
}

impl Tokens<'_> {
    /// Adds a token whose text `write` appends to an empty string; dropped when longer than
    /// [`MAX_TOKEN_BYTES`].
    /// Says whether it was kept.
    #[inline]
    fn push(&mut self, start: usize, end: usize, position: usize, write: impl FnOnce(&mut String)) -> bool {
        if self.len == self.tokens.len() {
            self.tokens.push(Token::default());
        }
        let token = &mut self.tokens[self.len];
        token.text.clear();
        write(&mut token.text);
        if token.text.len() > MAX_TOKEN_BYTES {
            return false;
        }
        token.offset_from = self.folded.original_offset(start);
        token.offset_to = self.folded.original_offset(end);
        token.position = position;
        token.position_length = 1;
        self.len += 1;
        true
    }

    /// After a Latin word was pushed: its stem too, marked, when the stem differs from the word.
    fn push_stem(&mut self, start: usize, end: usize, position: usize) {
        let Some(stem) = stem(&self.tokens[self.len - 1].text) else { return };
        self.push(start, end, position, |t| {
            t.push(STEM_PREFIX);
            t.push_str(&stem);
        });
    }
}

/// The English stem of an analyzed Latin `word` when it differs from the word (`testing` → `test`,
/// `visualisation` and `visualization` → `visual`), else `None`. British spellings are first made
/// American (`optimise` → `optimize`, `colour` → `color`, `modelling` → `modeling`), then the
/// Snowball English stemmer runs. Only words of 4 to 30 ASCII letters are stemmed.
///
/// Memoized per thread (a few tens of thousands of distinct words make up nearly all text).
pub fn stem(word: &str) -> Option<String> {
    use std::cell::RefCell;
    thread_local! {
        static SEEN: RefCell<FxHashMap<Box<str>, Option<Box<str>>>> = RefCell::new(FxHashMap::default());
    }
    if !(4..=30).contains(&word.len()) || !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    SEEN.with_borrow_mut(|seen| {
        if let Some(known) = seen.get(word) {
            return known.as_deref().map(str::to_string);
        }
        if seen.len() >= 200_000 {
            seen.clear();
        }
        let american = americanize(word);
        static STEMMER: OnceLock<frostem::Stemmer> = OnceLock::new();
        let stemmer = STEMMER.get_or_init(|| frostem::Stemmer::new(frostem::Algorithm::English));
        let stemmed = stemmer.stem(&american);
        let found = (stemmed != word).then(|| Box::<str>::from(stemmed.as_ref()));
        seen.insert(word.into(), found.clone());
        found.map(String::from)
    })
}

/// `word` in American spelling where a British one is regular: `-ise`/`-isation` → `-ize`/`-ization`,
/// `-yse` → `-yze`, `-our` → `-or`, `-tre` → `-ter`, `-ogue` → `-og`, `-ence` → `-ense` for a few
/// words, doubled `l` in a few stems (`modelling`). Applied alike to text and queries, so a rule that
/// also rewrites a word that is not British (`enterprise` → `enterprize`) changes nothing found.
fn americanize(word: &str) -> std::borrow::Cow<'_, str> {
    use std::borrow::Cow;
    const SUFFIXES: &[(&str, &str)] = &[
        ("isations", "izations"),
        ("isation", "ization"),
        ("ising", "izing"),
        ("isers", "izers"),
        ("iser", "izer"),
        ("ised", "ized"),
        ("ises", "izes"),
        ("ise", "ize"),
        ("ysing", "yzing"),
        ("ysed", "yzed"),
        ("yser", "yzer"),
        ("yse", "yze"),
        ("ours", "ors"),
        ("oured", "ored"),
        ("ouring", "oring"),
        ("ourite", "orite"),
        ("ourites", "orites"),
        ("ourable", "orable"),
        ("oural", "oral"),
        ("our", "or"),
        ("tres", "ters"),
        ("tred", "tered"),
        ("tre", "ter"),
        ("ogues", "ogs"),
        ("ogue", "og"),
    ];
    const WORDS: &[(&str, &str)] = &[
        ("licence", "license"),
        ("licences", "licenses"),
        ("defence", "defense"),
        ("offence", "offense"),
        ("programme", "program"),
        ("programmes", "programs"),
        ("grey", "gray"),
    ];
    const DOUBLED_L: &[&str] = &[
        "model", "label", "travel", "cancel", "signal", "fuel", "level", "channel", "tunnel", "marshal", "dial",
        "total",
    ];
    if let Some((_, to)) = WORDS.iter().find(|(from, _)| *from == word) {
        return Cow::Borrowed(to);
    }
    for stem in DOUBLED_L {
        if let Some(rest) = word.strip_prefix(stem).and_then(|r| r.strip_prefix('l')) {
            if matches!(rest, "ed" | "ing" | "er" | "ers") {
                return Cow::Owned(format!("{stem}{rest}"));
            }
        }
    }
    // Keep at least three letters before the ending: `rise`, `our`, `hours` stay as they are.
    for (from, to) in SUFFIXES {
        if let Some(head) = word.strip_suffix(from) {
            if head.len() >= 3 {
                return Cow::Owned(format!("{head}{to}"));
            }
        }
    }
    Cow::Borrowed(word)
}

/// The term under which a word's stem is indexed (see [`STEM_PREFIX`]).
pub fn stem_term(stem: &str) -> String {
    format!("{STEM_PREFIX}{stem}")
}

/// Emits the dictionary words inside a longer Han word (`服务网格` → `服务`, `网格`), at its position
/// and marked with [`PART_PREFIX`], so a query can find them and rank them below whole words.
fn push_dictionary_parts(
    jieba: &Jieba,
    word: &str,
    byte_start: usize,
    n_chars: usize,
    position: usize,
    out: &mut Tokens<'_>,
) {
    // Han characters are 3 or 4 bytes: char boundaries, on the stack for the usual short word.
    let mut bounds = [0usize; 16];
    let mut heap = Vec::new();
    let bounds: &[usize] = if n_chars < bounds.len() {
        for (k, (i, _)) in word.char_indices().enumerate() {
            bounds[k] = i;
        }
        bounds[n_chars] = word.len();
        &bounds[..=n_chars]
    } else {
        heap.extend(word.char_indices().map(|(i, _)| i).chain([word.len()]));
        &heap
    };
    for len in 2..n_chars.min(MAX_PART_CHARS + 1) {
        for i in 0..=n_chars - len {
            let part = &word[bounds[i]..bounds[i + len]];
            if jieba.has_word(part) {
                out.push(byte_start + bounds[i], byte_start + bounds[i + len], position, |t| {
                    t.push(PART_PREFIX);
                    t.push_str(part);
                });
            }
        }
    }
}

/// A char that continues a Latin word run (`API7`, `kubernetes`): alphanumeric, not Han. A run also
/// takes trailing `+`/`#` (`C++`, `C#`).
pub(crate) fn is_latin_word_char(c: char) -> bool {
    c.is_alphanumeric() && !is_han(c)
}

/// The term under which `word` is indexed when it occurs inside a longer word.
pub fn part_term(word: &str) -> String {
    format!("{PART_PREFIX}{word}")
}

/// `token` without the part marker: the text it matches.
pub fn strip_part(token: &str) -> &str {
    token.strip_prefix(PART_PREFIX).unwrap_or(token)
}

/// Calls `f(start, end, is_han)` for the byte ranges of the searchable runs in a non-Han jieba
/// token: alphanumeric runs (with a trailing `+` or `#`, for `C++` and `C#`) and Han runs, each on
/// its own.
fn for_each_word_run(word: &str, mut f: impl FnMut(usize, usize, bool)) {
    let mut chars = word.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        let han = is_han(c);
        if !han && !c.is_alphanumeric() {
            continue;
        }
        let mut end = start + c.len_utf8();
        while let Some(&(i, next)) = chars.peek() {
            let same = if han { is_han(next) } else { is_latin_word_char(next) };
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
        f(start, end, han);
    }
}

/// The distinct search terms of `text`, one per position: the whole word, not its dictionary parts
/// (what a query or a glossary entry searches for).
pub fn terms(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    for (token, position, _) in tokens(text) {
        if out.last().is_none_or(|(p, _)| *p != position) {
            out.push((position, token));
        }
    }
    out
}

/// Text normalised for segmentation, and a map from its byte offsets back to the original's.
///
/// Full-width ASCII becomes ASCII (`ＡＰＩ７` → `API7`, which changes byte lengths, hence the map), then
/// traditional Chinese becomes simplified (`服務網格` → `服务网格`, character for character, so byte
/// lengths do not change). Highlights therefore point into the text as the page wrote it.
#[derive(Debug, Default)]
pub struct Folded {
    text: String,
    /// Where folding changed byte lengths, as (folded offset, original offset) pairs in order: a
    /// folded offset maps to the original offset of the last pair at or before it, plus the
    /// distance from that pair. Empty when widths were not folded.
    anchors: Vec<(usize, usize)>,
    /// Whether `text` holds the folded text (otherwise the original is used as it is).
    active: bool,
    original_len: usize,
}

impl Folded {
    /// Folds `text` into `self` when it has anything to fold: widths, and traditional characters.
    pub(crate) fn fold(&mut self, text: &str) {
        self.text.clear();
        self.anchors.clear();
        self.active = false;
        self.original_len = text.len();
        // ASCII has nothing to fold (the common case for English text).
        if text.is_ascii() {
            return;
        }
        // Full-width forms and the ideographic space are 3-byte characters led by 0xEF or 0xE3;
        // runs between them are copied whole.
        let mut copied = 0;
        for at in memchr::memchr2_iter(0xEF, 0xE3, text.as_bytes()) {
            // Those bytes only ever lead a character, so `at` is on a boundary.
            let Some(c) = text[at..].chars().next().filter(|&c| is_fullwidth(c)) else { continue };
            self.text.push_str(&text[copied..at]);
            self.anchors.push((self.text.len(), at));
            self.text.push(fold_width(c));
            copied = at + c.len_utf8();
            self.anchors.push((self.text.len(), copied));
        }
        let wide = !self.anchors.is_empty();
        let han = any_may_simplify(text);
        if !wide && !han {
            return;
        }
        self.text.push_str(&text[copied..]);
        if han {
            // Characters of another length would break offsets: then the text stays as it is.
            if let Some(simplified) = simplify(&self.text) {
                self.text = simplified;
            }
        }
        self.active = true;
    }

    /// The folded text, or `original` (the text last passed to `fold`) when nothing was folded.
    pub(crate) fn text_or<'a>(&'a self, original: &'a str) -> &'a str {
        if self.active {
            &self.text
        } else {
            original
        }
    }

    /// Folds `text` and lowercases it into `out` in one pass: the text [`Folded::fold`] would give,
    /// lowercased char by char, with the same map back to `text` (lowercasing keeps every length
    /// here). `self` keeps only that map. `false` when the text needs the two steps: a character
    /// that becomes one of another length when simplified (then `fold` simplifies nothing) or when
    /// lowercased. Preparing a talk's texts for highlighting was a fifth of a search's own thread at
    /// 1M talks (callgrind): folding, simplifying and lowercasing each went through the text and
    /// copied it.
    pub(crate) fn fold_lowercase(&mut self, text: &str, out: &mut String) -> bool {
        self.text.clear();
        self.anchors.clear();
        self.active = false;
        self.original_len = text.len();
        out.clear();
        out.reserve(text.len());
        let forms = simplified_forms();
        let bytes = text.as_bytes();
        // `text[copied..at]` is a run kept as it is, but for ASCII letters' case.
        let (mut copied, mut at) = (0, 0);
        loop {
            at = ascii_run_end(bytes, at);
            // Han characters (U+4000..=U+9FFF, led by E4 to E9) have no case: only the ones fast2s
            // may change are looked at.
            while let Some(&[lead @ 0xE4..=0xE9, b1, b2]) = bytes.get(at..at + 3) {
                if forms.may_change(three_byte_code(lead, b1, b2)) {
                    break;
                }
                at += 3;
            }
            // Any other character, on its own.
            let Some(c) = text[at..].chars().next() else { break };
            if c.is_ascii() {
                continue;
            }
            let len = c.len_utf8();
            if is_fullwidth(c) {
                push_ascii_lowercase(out, &text[copied..at]);
                self.anchors.push((out.len(), at));
                out.push(fold_width(c).to_ascii_lowercase());
                (at, copied) = (at + len, at + len);
                self.anchors.push((out.len(), copied));
                continue;
            }
            let to = match len == 3 && forms.may_change(c as u32) {
                false => c,
                true => match forms.form(text, at, c) {
                    Some(to) => to,
                    None => return false,
                },
            };
            if to == c && lowercase_is_itself(c) {
                at += len;
                continue;
            }
            push_ascii_lowercase(out, &text[copied..at]);
            let before = out.len();
            push_lowercase(out, to);
            if out.len() - before != len {
                return false;
            }
            (at, copied) = (at + len, at + len);
        }
        push_ascii_lowercase(out, &text[copied..]);
        true
    }

    pub(crate) fn original_offset(&self, folded: usize) -> usize {
        let before = self.anchors.partition_point(|&(f, _)| f <= folded);
        let (f, original) = match before {
            0 => (0, 0),
            n => self.anchors[n - 1],
        };
        (original + (folded - f)).min(self.original_len)
    }
}

/// `text` as the tokenizer sees it before segmentation: widths and traditional characters folded.
pub fn normalize(text: &str) -> String {
    let mut folded = Folded::default();
    folded.fold(text);
    folded.text_or(text).to_string()
}

/// Whether `text` holds a character that `fast2s` may change ([`SimplifiedForms::may_change`]).
/// Only 3-byte characters can be: they are read from their bytes, and the others skipped byte by
/// byte (callgrind, the server: decoding every character of every Chinese text a hit shows was
/// 1.5 % of a search).
fn any_may_simplify(text: &str) -> bool {
    let forms = simplified_forms();
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(&lead) = bytes.get(at) {
        if !(0xE0..0xF0).contains(&lead) {
            at += 1;
            continue;
        }
        let (Some(&b1), Some(&b2)) = (bytes.get(at + 1), bytes.get(at + 2)) else { return false };
        if forms.may_change(three_byte_code(lead, b1, b2)) {
            return true;
        }
        at += 3;
    }
    false
}

/// The code point of the 3-byte UTF-8 character `lead b1 b2`.
fn three_byte_code(lead: u8, b1: u8, b2: u8) -> u32 {
    (lead as u32 & 0x0F) << 12 | (b1 as u32 & 0x3F) << 6 | (b2 as u32 & 0x3F)
}

/// Where the run of ASCII bytes from `at` ends, read eight bytes at a time.
fn ascii_run_end(bytes: &[u8], mut at: usize) -> usize {
    while let Some(word) = bytes.get(at..at + 8) {
        let word = u64::from_le_bytes(word.try_into().expect("eight bytes"));
        match word & 0x8080_8080_8080_8080 {
            0 => at += 8,
            high => return at + high.trailing_zeros() as usize / 8,
        }
    }
    at + bytes[at..].iter().take_while(|b| b.is_ascii()).count()
}

/// CJK, kana, Bopomofo, Yi, Vai …: no letter here has a case, and none is looked up.
const CASELESS: std::ops::Range<char> = '\u{2E80}'..'\u{A640}';

/// Appends `c` lowercased as the analyzer lowercases it, char by char ([`CASELESS`] as it is).
pub(crate) fn push_lowercase(out: &mut String, c: char) {
    match CASELESS.contains(&c) {
        true => out.push(c),
        false => out.extend(c.to_lowercase()),
    }
}

/// Whether [`push_lowercase`] appends `c` itself.
fn lowercase_is_itself(c: char) -> bool {
    if CASELESS.contains(&c) {
        return true;
    }
    let mut lower = c.to_lowercase();
    lower.next() == Some(c) && lower.next().is_none()
}

/// `fast2s` converts 3-byte characters only: U+0800..=U+FFFF.
const FIRST: u32 = 0x800;

/// What `fast2s` makes of each 3-byte character, made once from `fast2s` itself.
struct SimplifiedForms {
    /// A bit per character: whether `fast2s` may change it ([`SimplifiedForms::may_change`]). What
    /// `alone` says (not 0), kept 32 times smaller: every 3-byte character of every Chinese text is
    /// looked up here.
    may: Vec<u64>,
    /// Per character, its form alone: 0 when unchanged, [`OTHER_LENGTH`] when not a 3-byte
    /// character, [`BY_NEIGHBOURS`] for the characters of [`CONVERTED_IN_CONTEXT`].
    alone: Vec<u32>,
}

/// See [`SimplifiedForms::alone`].
const OTHER_LENGTH: u32 = u32::MAX;
const BY_NEIGHBOURS: u32 = u32::MAX - 1;

fn simplified_forms() -> &'static SimplifiedForms {
    static FORMS: OnceLock<SimplifiedForms> = OnceLock::new();
    FORMS.get_or_init(|| {
        let mut forms =
            SimplifiedForms { may: vec![0; (0x10000 - FIRST as usize) / 64], alone: vec![0; 0x10000 - FIRST as usize] };
        // Every character once, each between spaces (no neighbours to change it), in one call.
        let all: String = (FIRST..=0xFFFF).filter_map(char::from_u32).flat_map(|c| [c, ' ']).collect();
        let converted = fast2s::convert(&all);
        for (c, to) in all.chars().zip(converted.chars()).step_by(2) {
            let at = (c as u32 - FIRST) as usize;
            if to != c {
                forms.alone[at] = if to.len_utf8() == 3 { to as u32 } else { OTHER_LENGTH };
                forms.may[at / 64] |= 1 << (at % 64);
            }
        }
        // Characters converted only beside certain neighbours (看著 → 看着) map to themselves alone:
        // they are listed.
        for c in CONVERTED_IN_CONTEXT {
            let at = (c as u32 - FIRST) as usize;
            forms.alone[at] = BY_NEIGHBOURS;
            forms.may[at / 64] |= 1 << (at % 64);
        }
        forms
    })
}

impl SimplifiedForms {
    /// Whether `fast2s` may change the character `code` (a traditional one; alone, or beside some
    /// neighbours). Text without one is already simplified, and is not converted (callgrind:
    /// converting every Chinese text a hit shows was a tenth of a search).
    fn may_change(&self, code: u32) -> bool {
        let Some(at) = code.checked_sub(FIRST).map(|at| at as usize) else { return false };
        self.may.get(at / 64).is_some_and(|word| word & (1 << (at % 64)) != 0)
    }

    /// What `fast2s` makes of the 3-byte character `c` at `at` in `text`: its form alone, or for the
    /// few it converts by their neighbours, its form beside them as `fast2s` sees them (full widths
    /// folded; none at either end of the text). `None` when it becomes a character of another length.
    fn form(&self, text: &str, at: usize, c: char) -> Option<char> {
        let to = match self.alone[(c as u32 - FIRST) as usize] {
            0 => return Some(c),
            OTHER_LENGTH => return None,
            BY_NEIGHBOURS => {
                let before = text[..at].chars().next_back().map(fold_width);
                let after = text[at + 3..].chars().next().map(fold_width);
                let window: String = before.into_iter().chain([c]).chain(after).collect();
                fast2s::convert(&window).chars().nth(usize::from(before.is_some()))?
            }
            to => char::from_u32(to)?,
        };
        (to.len_utf8() == 3).then_some(to)
    }
}

/// `text` simplified as `fast2s::convert` simplifies it, or `None` when a character would become one
/// of another length in UTF-8. fast2s looks every character up in hash maps (1M synthetic talks: a
/// tenth of the work of a search outside collecting); here each 3-byte character is looked up in
/// [`simplified_forms`], and only the few that fast2s converts by their neighbours are handed to it,
/// with those neighbours ([`SimplifiedForms::form`]). [`Folded::fold`] calls it on the text with its
/// widths folded.
fn simplify(text: &str) -> Option<String> {
    let forms = simplified_forms();
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut copied, mut at) = (0, 0);
    while let Some(&lead) = bytes.get(at) {
        if !(0xE0..0xF0).contains(&lead) {
            at += 1;
            continue;
        }
        let c = text[at..].chars().next()?;
        let to = forms.form(text, at, c)?;
        if to != c {
            out.push_str(&text[copied..at]);
            out.push(to);
            copied = at + 3;
        }
        at += 3;
    }
    out.push_str(&text[copied..]);
    Some(out)
}

/// The characters `fast2s` converts by their neighbours (its special cases): some only in certain
/// words, some in all but certain words.
const CONVERTED_IN_CONTEXT: [char; 15] =
    ['兒', '覆', '夥', '藉', '瞭', '麽', '幺', '於', '乾', '著', '苧', '闔', '鍾', '讎', '畫'];

fn is_fullwidth(c: char) -> bool {
    ('\u{FF01}'..='\u{FF5E}').contains(&c) || c == '\u{3000}'
}

/// Full-width ASCII variants and the ideographic space to their ASCII forms; other chars unchanged.
pub fn fold_width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFF01 + 0x21).unwrap_or(c),
        _ => c,
    }
}

/// How a text is analyzed, for `/api/analyze`: the normalised text and every token.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Analysis {
    pub text: String,
    /// The text as segmented: full-width folded, traditional Chinese simplified.
    pub normalized: String,
    pub tokens: Vec<AnalyzedToken>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AnalyzedToken {
    /// The term as indexed (lowercased, simplified), without the part marker.
    pub token: String,
    pub position: usize,
    /// Byte offsets into the original text.
    pub start: usize,
    pub end: usize,
    /// True for a dictionary word found inside a longer word (indexed at lower weight).
    pub part: bool,
    /// True for the English stem of the word at the same position (see [`stem`]).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub stem: bool,
}

pub fn analyze(text: &str) -> Analysis {
    let tokens = tokens(text)
        .into_iter()
        .map(|(t, position, range)| AnalyzedToken {
            part: t.starts_with(PART_PREFIX),
            stem: t.starts_with(STEM_PREFIX),
            token: strip_part(&t).trim_start_matches(STEM_PREFIX).to_string(),
            position,
            start: range.start,
            end: range.end,
        })
        .collect();
    Analysis { text: text.to_string(), normalized: normalize(text), tokens }
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

    /// Reading 3-byte characters from their bytes finds what decoding every character finds.
    #[test]
    fn traditional_characters_are_found_from_the_bytes() {
        for text in
            ["", "服务网格", "服務網格", "Service Mesh", "Ünïcödé 😀 服务", "😀網", "a\u{800}\u{FFFF}", "看著", "著"]
        {
            assert_eq!(any_may_simplify(text), text.chars().any(|c| simplified_forms().may_change(c as u32)), "{text}");
        }
        assert!(any_may_simplify("Service 服務"));
        assert!(!any_may_simplify("Service 服务"));
    }

    /// Texts are simplified as `fast2s` simplifies them: every 3-byte character in running text,
    /// and the characters it converts by their neighbours in and out of its special words, at
    /// either end of a text and beside ASCII, emoji and other Chinese.
    #[test]
    fn texts_are_simplified_as_fast2s_simplifies_them() {
        let every: String = (FIRST..=0xFFFF).filter_map(char::from_u32).collect();
        let mut texts = vec![every.clone(), every.chars().rev().collect(), "服務網格 Service Mesh 😀 資料".to_string()];
        let words = [
            "兒寬", "答覆", "甚夥", "慰藉", "藉口", "瞭望", "幺麽", "樊於", "乾隆", "看著", "苧麻", "闔家", "鍾書",
            "校讎", "計畫",
        ];
        for word in words {
            for c in word.chars() {
                texts.extend([c.to_string(), format!("a{c}"), format!("{c}😀"), format!("網{c}絡")]);
            }
            texts.extend([word.to_string(), format!("x{word}"), format!("{word}😀"), format!("資{word}料 {word}")]);
        }
        let mut changed = 0;
        for text in &texts {
            let theirs = fast2s::convert(text);
            let ours = simplify(text);
            match theirs.len() == text.len() {
                true => assert_eq!(ours.as_deref(), Some(theirs.as_str()), "{text}"),
                false => assert_eq!(ours, None, "{text}"),
            }
            changed += usize::from(theirs != *text);
        }
        assert!(changed > 100, "{changed}");
    }

    /// The tokens of `text`, without the stems (tested on their own).
    fn texts(text: &str) -> Vec<String> {
        tokens(text).into_iter().map(|t| t.0).filter(|t| !t.starts_with(STEM_PREFIX)).collect()
    }

    #[test]
    fn english_word_forms_share_a_stem_indexed_beside_the_word() {
        let at = |text: &str| -> Vec<String> { tokens(text).into_iter().map(|t| t.0).collect() };
        assert_eq!(at("Testing"), ["testing".to_string(), stem_term("test")]);
        assert_eq!(at("test"), ["test"], "a word that is its own stem is indexed once");
        assert_eq!(stem("tests"), Some("test".into()));
        assert_eq!(stem("tested"), Some("test".into()));
        for (british, american) in [
            ("visualisation", "visualization"),
            ("optimise", "optimize"),
            ("optimising", "optimizing"),
            ("colour", "color"),
            ("behaviour", "behavior"),
            ("modelling", "modeling"),
            ("centre", "center"),
            ("analyse", "analyze"),
            ("catalogue", "catalog"),
            ("licence", "license"),
        ] {
            let stem_of = |w: &str| stem(w).unwrap_or_else(|| w.to_string());
            assert_eq!(stem_of(british), stem_of(american), "{british} / {american}");
        }
        assert_eq!(stem("filling"), Some("fill".into()), "doubled l only in the listed stems");
        assert_eq!(stem("k8s"), None);
        assert_eq!(stem("c++"), None);
        let positions: Vec<usize> = tokens("running tests").iter().map(|t| t.1).collect();
        assert_eq!(positions, [0, 0, 1, 1], "a stem shares its word's position");
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
        assert_eq!(at0[0], "服务网格");
        assert!(at0.contains(&part_term("服务").as_str()) && at0.contains(&part_term("网格").as_str()), "{toks:?}");
        assert!(!at0.contains(&"网格"), "a part is marked, so whole words rank above it: {toks:?}");
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
            assert_eq!(text[range.clone()].to_lowercase(), strip_part(&tok), "{range:?}");
        }
        let fullwidth = "ＡＰＩ７ 网关";
        let toks = tokens(fullwidth);
        assert_eq!(toks[0].0, "api7");
        assert_eq!(&fullwidth[toks[0].2.clone()], "ＡＰＩ７");
    }

    #[test]
    fn traditional_chinese_is_folded_before_segmentation() {
        assert_eq!(texts("服務網格"), texts("服务网格"));
        assert_eq!(texts("可觀測性"), texts("可观测性"));
        assert_eq!(normalize("雲原生 ＡＰＩ７"), "云原生 API7");
        let text = "服務網格中的 TLS";
        let toks = tokens(text);
        assert_eq!(toks[0].0, "服务网格");
        assert_eq!(&text[toks[0].2.clone()], "服務網格", "offsets point into the original text");
    }

    #[test]
    fn a_reused_tokenizer_gives_the_tokens_of_a_fresh_one() {
        let texts = ["阿里云云原生可观测性实践 Service Mesh", "短", "", "ＡＰＩ７ 服務網格 C++", &"长文本".repeat(50)];
        let mut analyzer = analyzer();
        for text in texts.iter().chain(texts.iter().rev()) {
            let mut stream = analyzer.token_stream(text);
            let mut reused = Vec::new();
            while let Some(t) = stream.next() {
                reused.push((t.text.clone(), t.position, t.offset_from..t.offset_to));
            }
            assert_eq!(reused, tokens(text), "{text}");
        }
    }

    #[test]
    fn positions_are_consecutive_across_scripts() {
        let positions: Vec<usize> = tokens("Istio 服务网格 扩展").iter().map(|t| t.1).collect();
        let max = *positions.iter().max().unwrap();
        assert_eq!(max, 2, "{positions:?}");
    }
}
