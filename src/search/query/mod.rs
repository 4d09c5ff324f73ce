//! Query building: the user's text → clauses → a boosted multi-field tantivy query.
//!
//! The syntax is small and never fails: plain words (all must match), `"exact phrase"`,
//! `-exclude`, and the fields `speaker:`, `company:`, `event:` and `year:2022` / `year:2020..2022`
//! (values may be quoted). Anything else (stray quotes, brackets, unknown `x:` prefixes, operators)
//! is searched as plain text, so no user input can produce an error or a panic.
//!
//! Each plain word matches as a whole word (full weight) or inside a longer Chinese word (half
//! weight); terms of the bilingual glossary also match their translation (lower weight); misspelt
//! Latin words also match their likely corrections from the index's vocabulary (lower weight).
//! Work is bounded: at most [`MAX_WORDS`] words and [`MAX_CLAUSES`] other clauses are used.

use std::ops::Bound;

use std::collections::HashSet;
use std::sync::Arc;

use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use super::compounds::{self, Compounds};
use super::glossary::{self, Glossary, Translation};
use super::queries::{AllOf, SumUnion, TabledPhrase, WeightedTerm, WithBonus};
use super::ranking;
use super::vocab::{self, Correction, Vocabulary};
use crate::company::Companies;
use crate::schema::Fields;
use crate::tokenizer;

mod function_words;
mod syntax;

pub use function_words::is_function_word;
pub use syntax::{parse, parse_years, Clause};

/// Filters that narrow a search without scoring.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// A company in any alias (`腾讯`, `Tencent`, `腾讯云`): its whole family, subsidiaries included.
    pub company: Option<String>,
    /// Exact event title.
    pub event: Option<String>,
    /// Inclusive year range.
    pub years: Option<(u64, u64)>,
    /// Language code (`zh`, `en` …).
    pub lang: Option<String>,
}

impl Filters {
    pub fn is_empty(&self) -> bool {
        self.company.is_none() && self.event.is_none() && self.years.is_none() && self.lang.is_none()
    }
}

/// How plain words matched, as the response reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Every word must match as typed (the default).
    All,
    /// Every word must match, some Latin words also through likely corrections of a misspelling
    /// (decided from the index's vocabulary). Never applied to Chinese, where one character changes
    /// the word.
    Fuzzy,
    /// At least half of the words must match (a third of five or more: see [`most_of`]): when no talk
    /// has every word of a short query, and after the talks with every word of a query of three words
    /// or more when they are too few.
    Most,
    /// At least one of the words: after the talks with all and with most of the words of a query
    /// of three words or more, when those are still too few.
    Any,
}

/// A query word and the corrections it was also searched with.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Corrected {
    /// The word as analyzed (lowercase).
    pub word: String,
    /// What it may have meant, most likely first.
    pub to: Vec<String>,
}

/// A built query, with what the search layer needs to know about it.
pub struct Built {
    pub query: Box<dyn Query>,
    /// How many units (words, or glossary terms) must match in [`Mode::All`].
    pub word_count: usize,
    /// Words searched with corrections too.
    pub corrections: Vec<Corrected>,
    /// The terms worth highlighting: those of the words (with their translations and corrections),
    /// phrases, speakers and events; not those of exclusions.
    pub highlight: HashSet<String>,
    /// A query of [`LONG_QUERY_WORDS`] words or more: when too few talks have every word, talks with
    /// at least half of them (a third of five or more) follow those that have all.
    pub long: bool,
    /// Nothing in the query can be searched (no words, only symbols or emoji, or words longer than
    /// any indexed term) and no filter is set: it finds nothing.
    pub unsearchable: bool,
    /// Some unit is a glossary term of several words: relaxed, when it is the query's only unit, it
    /// counts word by word.
    pub multiword: bool,
    /// A long query's parts, for [`Built::widened`].
    parts: Option<Parts>,
}

/// Plain words of a query that are searched; more are ignored (a query is a few words, and each
/// word costs a scorer per field).
pub const MAX_WORDS: usize = 16;
/// Phrases, exclusions and field clauses of a query that are used; more are ignored.
pub const MAX_CLAUSES: usize = 16;

/// The terms of `text`, at most `max` of them.
fn terms_upto(text: &str, max: usize) -> Vec<(usize, String)> {
    let mut t = tokenizer::terms(text);
    t.truncate(max);
    t
}

/// A unit of plain words that must match as one: a single word, or a run of words that is a
/// glossary term, with the translations that may match instead.
struct Unit {
    terms: Vec<(usize, String)>,
    translations: Vec<Vec<(usize, String)>>,
    /// The weight of each translation (by its kind, see [`glossary::Kind`]), relative to the words as typed.
    translation_weights: Vec<f32>,
    /// Likely corrections of a single misspelt Latin word, from the vocabulary.
    corrections: Vec<Correction>,
    /// In a unit of several words (a glossary term, two words also written as one), the likely
    /// corrections of each misspelt one, by its place in `terms`: `servcie mesh` is `service mesh`
    /// misspelt, not a name written apart.
    word_corrections: Vec<(usize, Vec<Correction>)>,
    /// In two words also written as one (`python developers`), the stem terms of each, in the order
    /// of `terms`, as a single word has them in `stems` (empty otherwise).
    word_stems: Vec<Vec<String>>,
    /// Other forms of a single English word: the terms of its stem (see [`tokenizer::stem`]).
    stems: Vec<String>,
    /// The same words written otherwise (together, apart, completed, another name of the company
    /// they name), each with its weight.
    variants: Vec<Variant>,
    /// The id of the company the unit names (`字节`, `DiDi`, `鹅厂`): its speakers' talks match too.
    company: Option<String>,
}

/// Another way of writing a unit's words: the terms (a phrase when several), their weight relative
/// to the words as typed, and the fields searched for them.
struct Variant {
    terms: Vec<(usize, String)>,
    weight: f32,
    fields: Where,
}

/// Which fields a [`Variant`] is searched in: the fewer, the cheaper.
#[derive(Clone, Copy)]
enum Where {
    /// Every searchable field (another name of a company: bios and company fields count).
    All,
    /// Running text: title, abstract and takeaways (see [`ranking::running_text_fields`]).
    Text,
    /// Titles and speaker names: what a person typing a query is completing.
    Titles,
}

impl Unit {
    fn new(terms: Vec<(usize, String)>) -> Unit {
        let (translations, translation_weights) = (Vec::new(), Vec::new());
        Unit {
            terms,
            translations,
            translation_weights,
            corrections: Vec::new(),
            word_corrections: Vec::new(),
            word_stems: Vec::new(),
            stems: Vec::new(),
            variants: Vec::new(),
            company: None,
        }
    }

    /// A question or function word (`how`, `的`) with no translation: optional in a query.
    fn is_function_word(&self) -> bool {
        self.translations.is_empty() && self.terms.iter().all(|(_, t)| is_function_word(t))
    }

    /// The single Latin word this unit is, if it is one.
    fn latin_word(&self) -> Option<&str> {
        match self.terms.as_slice() {
            [(_, word)] if word.bytes().all(|b| b.is_ascii_alphanumeric()) => Some(word),
            _ => None,
        }
    }
}

/// Each word of a glossary term as a unit of its own, with the term's translations.
fn word_by_word(units: Vec<Unit>) -> Vec<Unit> {
    let mut out = Vec::new();
    for unit in units {
        if unit.terms.len() == 1 {
            out.push(unit);
            continue;
        }
        for term in unit.terms {
            let mut one = Unit::new(vec![term]);
            one.translations.clone_from(&unit.translations);
            one.translation_weights.clone_from(&unit.translation_weights);
            out.push(one);
        }
    }
    out
}

/// Splits the terms of plain words into units: the split whose glossary terms (or company names)
/// cover the most words (`container image acceleration` → `container` + `image acceleration`, both
/// with translations, rather than `container image` + `acceleration`), then the one with fewest units.
fn units(terms: &[(usize, String)], vocab: &Vocabulary, title: Field) -> Vec<Unit> {
    let glossary = Glossary::builtin();
    let n = terms.len();
    let lookup = |i: usize, len: usize| {
        let key: Vec<String> = terms[i..i + len].iter().map(|(_, t)| t.clone()).collect();
        glossary.lookup(&key)
    };
    // The two words at `i` written as one; never with a function word (`the psf` is not `thepsf`).
    let compound = |i: usize, len: usize| {
        let [(_, a), (_, b)] = terms.get(i..i + len)? else { return None };
        (!is_function_word(a) && !is_function_word(b)).then(|| joined(a, b, vocab, title)).flatten()
    };
    // A company's name of several words (`sf express`, `alibaba cloud`) is one unit, so that its
    // other names (顺丰, 阿里云) are searched for it.
    let company = |i: usize, len: usize| {
        len > 1 && {
            let text: Vec<&str> = terms[i..i + len].iter().map(|(_, t)| t.as_str()).collect();
            Companies::builtin().named(&text.join(" ")).is_some()
        }
    };
    // best[i]: (words covered by glossary terms, -units) for terms[i..], and the length of the first unit.
    let mut best = vec![((0usize, 0isize), 1usize); n + 1];
    for i in (0..n).rev() {
        let mut choice = None;
        for len in 1..=glossary::MAX_TERMS.min(n - i) {
            let covered =
                if lookup(i, len).is_some() || compound(i, len).is_some() || company(i, len) { len } else { 0 };
            if len > 1 && covered == 0 {
                continue;
            }
            let ((rest_covered, rest_units), _) = best[i + len];
            let score = (covered + rest_covered, rest_units - 1);
            if choice.is_none_or(|(s, _)| score > s) {
                choice = Some((score, len));
            }
        }
        best[i] = choice.expect("a single word is always a unit");
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        let len = best[i].1;
        let (translations, translation_weights) = lookup(i, len)
            .unwrap_or_default()
            .iter()
            .map(|a| (tokenizer::terms(&a.text), a.weight))
            .filter(|(t, _)| !t.is_empty())
            .unzip();
        let mut unit = Unit::new(terms[i..i + len].to_vec());
        (unit.translations, unit.translation_weights) = (translations, translation_weights);
        if let Some(one) = compound(i, len) {
            unit.variants.push(Variant {
                terms: vec![(terms[i].0, one)],
                weight: ranking::COMPOUND,
                fields: Where::Text,
            });
            if lookup(i, len).is_none() {
                unit.word_stems = terms[i..i + len].iter().map(|(_, t)| stem_terms(t)).collect();
            }
        }
        out.push(unit);
        i += len;
    }
    compose(&mut out);
    out
}

/// Chinese words that no glossary term covers, translated as the compound they make, part by part
/// (`联邦` `学习` → `federated learning`, see [`Compounds`]): from the left, the longest run of
/// such units that makes a phrase of the English talks gives it to each of its units, as their
/// translation (like the words of a glossary term taken word by word), so the units stay as
/// they are.
fn compose(units: &mut [Unit]) {
    // A single Chinese word (a unit of several is a glossary term, translated as such).
    let chinese = |u: &Unit| match u.terms.as_slice() {
        [(_, t)] => t.chars().all(crate::talk::is_han) && !is_function_word(t),
        _ => false,
    };
    let mut i = 0;
    while i < units.len() {
        let mut made = None;
        let mut chars = 0;
        for end in i..units.len() {
            if !chinese(&units[end]) {
                break;
            }
            chars += units[end].terms.iter().map(|(_, t)| t.chars().count()).sum::<usize>();
            if chars > compounds::MAX_CHARS {
                break;
            }
            // One unit alone: a word no glossary term translates.
            if end == i && !units[i].translations.is_empty() {
                continue;
            }
            let compound: String = units[i..=end].iter().flat_map(|u| &u.terms).map(|(_, t)| t.as_str()).collect();
            if let Some((forms, _)) = Compounds::builtin().translate(&compound) {
                made = Some((end, forms));
            }
        }
        let Some((end, forms)) = made else {
            i += 1;
            continue;
        };
        for form in forms {
            let translation = Translation::part_by_part(form);
            let terms = tokenizer::terms(&translation.text);
            for unit in &mut units[i..=end] {
                unit.translations.push(terms.clone());
                unit.translation_weights.push(translation.weight);
            }
        }
        i = end + 1;
    }
}

/// Two Latin words written as one, when the index knows them so (`data` `classes` → `dataclasses`,
/// `e` `mail` → `email`), or when they are a name and its number (`pep` `8` → `pep8`). A form that
/// few talks have counts when a title has it: a name written apart (`kusion stack` → KusionStack,
/// `tars go` → TarsGo), not a handle in a link.
fn joined(a: &str, b: &str, vocab: &Vocabulary, title: Field) -> Option<String> {
    let letters = |w: &str| !w.is_empty() && w.bytes().all(|c| c.is_ascii_lowercase());
    let digits = |w: &str| (1..=3).contains(&w.len()) && w.bytes().all(|c| c.is_ascii_digit());
    if !letters(a) || !(letters(b) || digits(b)) {
        return None;
    }
    let one = format!("{a}{b}");
    let talks = vocab.talks(&one);
    let known = talks >= MIN_COMPOUND_TALKS || talks > 0 && vocab.may_hold(&Term::from_field_text(title, &one));
    (digits(b) && a.len() >= 2 || known).then_some(one)
}

/// A Latin word written as two, when the index knows both halves well (`dataclasses` → `data`
/// `classes`), or a name and its number (`pep8` → `pep` `8`).
fn split(word: &str, vocab: &Vocabulary) -> Option<[String; 2]> {
    if !word.bytes().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    // A name and its number: letters then one to three digits.
    let letters_end = word.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if letters_end >= 2 && (1..=3).contains(&(word.len() - letters_end)) {
        let head = &word[..letters_end];
        if head.bytes().all(|c| c.is_ascii_lowercase()) {
            return Some([head.to_string(), word[letters_end..].to_string()]);
        }
    }
    if word.len() < 2 * MIN_HALF_CHARS || !word.bytes().all(|c| c.is_ascii_lowercase()) {
        return None;
    }
    (MIN_HALF_CHARS..=word.len() - MIN_HALF_CHARS)
        .map(|i| (vocab.talks(&word[..i]).min(vocab.talks(&word[i..])), i))
        .filter(|&(talks, _)| talks >= MIN_COMPOUND_TALKS)
        .max()
        .map(|(_, i)| [word[..i].to_string(), word[i..].to_string()])
}

/// Talks a word must be in for a compound or a split to be tried with it (but see [`joined`]).
const MIN_COMPOUND_TALKS: u32 = 3;
/// The shortest half of a word split in two.
const MIN_HALF_CHARS: usize = 4;

/// From this many words (not counting question and function words), a talk need not contain all of
/// them: at least half, or a third (see [`Built::long`]).
pub const LONG_QUERY_WORDS: usize = 3;
/// Relaxed, a query of more words than this needs a third of them rather than half.
const LONG_QUERY_THIRD: usize = 4;
/// Completions searched for the last word of a query.
const MAX_COMPLETIONS: usize = 3;
/// Words of a query searched also as split in two (`dataclasses` → `data classes`).
const MAX_SPLITS: usize = 2;

/// Builds the tantivy query for `clauses` and `filters`: every unit of plain words required
/// ([`Mode::All`], [`Mode::Fuzzy`]) or at least half of them ([`Mode::Most`]); misspelt Latin words
/// (see [`Vocabulary::corrections`]) also match their likely corrections, at lower weight.
pub fn build(fields: &Fields, clauses: &[Clause], filters: &Filters, mode: Mode, vocab: &Vocabulary) -> Built {
    let weighted = ranking::text_fields(fields);
    let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    // Each required unit's query, with whether any talk may match it (see [`unit_query`]).
    let mut required: Vec<(Box<dyn Query>, bool)> = Vec::new();
    let mut bonus: Vec<Box<dyn Query>> = Vec::new();
    let mut corrections = Vec::new();
    let mut highlight = HashSet::new();
    let mut function_words: Vec<Unit> = Vec::new();
    let (mut words_left, mut clauses_left, mut splits_left) = (MAX_WORDS, MAX_CLAUSES, MAX_SPLITS);
    let (mut unit_count, mut multiword) = (0, false);
    for clause in clauses {
        if !matches!(clause, Clause::Words(_)) {
            if clauses_left == 0 {
                continue;
            }
            clauses_left -= 1;
        }
        match clause {
            Clause::Words(text) => {
                let terms = terms_upto(text, words_left);
                words_left -= terms.len();
                let mut units = units(&terms, vocab, fields.title);
                let content = units.iter().filter(|u| !u.is_function_word()).count();
                unit_count += content;
                if units.iter().any(|u| u.terms.len() > 1) {
                    multiword = true;
                    // Relaxed, a glossary term that is all the query says counts word by word
                    // (`canary release` finds `canary` talks when no talk has both words or a
                    // translation); beside other words, it is one of the words to have most of.
                    if mode == Mode::Most && content == 1 {
                        units = word_by_word(units);
                    }
                }
                let last = units.len().saturating_sub(1);
                let is_last_clause = std::ptr::eq(clause, clauses.last().expect("in the loop"));
                for (i, mut unit) in units.into_iter().enumerate() {
                    let function_word = unit.is_function_word();
                    for (k, (_, word)) in unit.terms.iter().enumerate() {
                        if corrections.len() >= vocab::MAX_WORDS {
                            break;
                        }
                        let found = vocab.corrections(word);
                        if found.is_empty() {
                            continue;
                        }
                        let to = found.iter().map(|c| c.term.clone()).collect();
                        corrections.push(Corrected { word: word.clone(), to });
                        match unit.terms.len() {
                            1 => unit.corrections = found,
                            _ => unit.word_corrections.push((k, found)),
                        }
                    }
                    if !function_word {
                        name_company(&mut unit);
                    }
                    if let Some(word) = unit.latin_word().filter(|_| !function_word).map(str::to_string) {
                        unit.stems = stem_terms(&word);
                        // A word the index knows well is seldom meant as two.
                        if splits_left > 0 && vocab.talks(&word) < vocab::KNOWN_TALKS {
                            if let Some([a, b]) = split(&word, vocab) {
                                splits_left -= 1;
                                let p = unit.terms[0].0;
                                let terms = vec![(p, a), (p + 1, b)];
                                unit.variants.push(Variant { terms, weight: ranking::COMPOUND, fields: Where::Text });
                            }
                        }
                        if i == last && is_last_clause {
                            for (completion, _) in vocab.completions(&word, MAX_COMPLETIONS) {
                                let terms = vec![(0, completion)];
                                unit.variants.push(Variant {
                                    terms,
                                    weight: ranking::COMPLETION,
                                    fields: Where::Titles,
                                });
                            }
                        }
                    }
                    highlight.extend(unit.terms.iter().map(|(_, t)| t.clone()));
                    highlight.extend(unit.translations.iter().flatten().map(|(_, t)| t.clone()));
                    highlight.extend(unit.corrections.iter().map(|c| c.term.clone()));
                    highlight.extend(unit.word_corrections.iter().flat_map(|(_, c)| c).map(|c| c.term.clone()));
                    highlight.extend(unit.variants.iter().flat_map(|v| &v.terms).map(|(_, t)| t.clone()));
                    highlight.extend(unit.stems.iter().filter(|t| !t.starts_with(tokenizer::STEM_PREFIX)).cloned());
                    let word_stems = unit.word_stems.iter().flatten();
                    highlight.extend(word_stems.filter(|t| !t.starts_with(tokenizer::STEM_PREFIX)).cloned());
                    if function_word {
                        // Searched once it is known whether they are all the query says (below).
                        function_words.push(unit);
                    } else {
                        required.push(unit_query(fields, vocab, &weighted, &unit));
                    }
                }
                // Words that stand together in the query rank higher when they stand together in a title.
                if terms.len() > 1 {
                    for (field, boost) in ranking::phrase_bonus_fields(fields) {
                        if field_has_all(vocab, field, &terms) {
                            bonus.push(Box::new(BoostQuery::new(phrase_query(vocab, field, &terms, 2), boost)));
                        }
                    }
                }
            }
            Clause::Phrase(text) | Clause::Exclude(text) => {
                let terms = terms_upto(text, MAX_WORDS);
                if terms.is_empty() {
                    continue;
                }
                let occur = if matches!(clause, Clause::Phrase(_)) {
                    highlight.extend(terms.iter().map(|(_, t)| t.clone()));
                    Occur::Must
                } else {
                    Occur::MustNot
                };
                must.push((occur, union(across_fields(&weighted, |f| phrase_or_term(vocab, f, &terms)))));
            }
            Clause::Speaker(text) | Clause::Event(text) => {
                let field = if matches!(clause, Clause::Speaker(_)) { fields.speakers } else { fields.event };
                for (_, term) in terms_upto(text, MAX_WORDS) {
                    must.push((Occur::Must, union(word_query(vocab, field, &term))));
                    highlight.insert(term);
                }
            }
            Clause::Company(name) => {
                must.push((Occur::Must, company_filter(fields, name)));
                highlight.extend(terms_upto(name, MAX_WORDS).into_iter().map(|(_, t)| t));
            }
            Clause::Years(from, to) => must.push((Occur::Must, year_filter(fields, *from, *to))),
        }
    }
    // Question and function words (`how`, `the`, 如何, 的) need not match: they only add to the score
    // of talks that have them. A query of nothing else still needs them.
    if required.is_empty() {
        // All of them count, matched or not.
        required = function_words.iter().map(|unit| (unit_query(fields, vocab, &weighted, unit).0, true)).collect();
    } else {
        let weak = |q: Box<dyn Query>| Box::new(BoostQuery::new(q, ranking::FUNCTION_WORD)) as Box<dyn Query>;
        // Beside other words, they count in titles only: in running text and bios nearly every talk
        // has them (1M synthetic talks: `data in Python` asked `in` about all 257,898 talks with
        // the other two words, in eight fields).
        let titles = ranking::function_word_fields(fields);
        bonus.extend(function_words.iter().map(|unit| weak(unit_query(fields, vocab, &titles, unit).0)));
    }
    // Units, counted before a relaxed query takes glossary terms word by word.
    let word_count = if unit_count == 0 { required.len() } else { unit_count };
    let parts = Parts { must, required, filters: filter_clauses(fields, filters), bonus, visible: fields.visible };
    let unsearchable = parts.unsearchable();
    // Three words or more (a question, a half-remembered title): when too few talks have all of
    // them, the search layer follows with those that have at least half ([`Mode::Most`]). Such a
    // query keeps its parts, to be widened (see [`Built::widened`]).
    let long = word_count >= LONG_QUERY_WORDS;
    let (query, parts) = match long {
        true => (parts.clone().combine(mode, long), Some(parts)),
        false => (parts.combine(mode, long), None),
    };
    Built { query, word_count, corrections, highlight, unsearchable, long, multiword, parts }
}

/// What a query is made of: the clauses other than plain words, the units, the filters and the
/// bonuses. [`Parts::combine`] makes the query of a mode from them.
struct Parts {
    /// Phrases, exclusions and field clauses (`speaker:` …).
    must: Vec<(Occur, Box<dyn Query>)>,
    /// Each unit's query, with whether any talk may match it (see [`unit_query`]).
    required: Vec<(Box<dyn Query>, bool)>,
    filters: Vec<(Occur, Box<dyn Query>)>,
    bonus: Vec<Box<dyn Query>>,
    /// The field marking the talks that are searched, for a query of only exclusions or filters.
    visible: Field,
}

impl Clone for Parts {
    fn clone(&self) -> Parts {
        let clauses = |c: &[(Occur, Box<dyn Query>)]| c.iter().map(|(occur, q)| (*occur, q.box_clone())).collect();
        Parts {
            must: clauses(&self.must),
            required: self.required.iter().map(|(q, may_match)| (q.box_clone(), *may_match)).collect(),
            filters: clauses(&self.filters),
            bonus: self.bonus.iter().map(|q| q.box_clone()).collect(),
            visible: self.visible,
        }
    }
}

impl Built {
    /// A long query's query in the wider `mode` ([`Mode::Most`] or [`Mode::Any`]): what
    /// [`build`] would build in that mode, from the same units, without segmenting, translating and
    /// looking its words up again (on the mix's relaxed queries, the two builds more were a fifth of
    /// their time). The units are those any mode builds: only a query of one unit takes a glossary
    /// term word by word when relaxed, and a long query has three or more. `None` for a query that
    /// is not long.
    pub fn widened(&self, mode: Mode) -> Option<Box<dyn Query>> {
        Some(self.parts.as_ref()?.clone().combine(mode, self.long))
    }
}

impl Parts {
    /// Text with nothing searchable in it (`😀`, `"`, `*`) and no filter: it finds nothing, rather
    /// than every talk.
    fn unsearchable(&self) -> bool {
        self.required.is_empty() && self.must.is_empty() && self.filters.is_empty()
    }

    /// The query in `mode`: the clauses other than plain words, every unit ([`Mode::All`]) or
    /// enough of them, the filters, and the bonuses.
    fn combine(self, mode: Mode, long: bool) -> Box<dyn Query> {
        if self.unsearchable() {
            return Box::new(EmptyQuery);
        }
        let Parts { mut must, required, filters, bonus, visible } = self;
        match mode {
            Mode::All | Mode::Fuzzy => {
                let others = must.iter().chain(&filters).any(|(occur, _)| *occur == Occur::Must);
                match required.len() {
                    // The words and nothing else that every talk must have: their intersection is
                    // ours (see `AllOf`).
                    2.. if !others => {
                        let units = required.into_iter().map(|(q, _)| q).collect();
                        must.push((Occur::Must, Box::new(AllOf::new(units))));
                    }
                    _ => must.extend(required.into_iter().map(|(q, _)| (Occur::Must, q))),
                }
            }
            Mode::Most | Mode::Any if !required.is_empty() => {
                // A word no talk has (typed, translated or otherwise) is not one of the words to have
                // most of: `刺绣 编织 图案` finds the embroidery talks when only 刺绣 is in the index.
                let required: Vec<Box<dyn Query>> =
                    required.into_iter().filter(|(_, may_match)| *may_match).map(|(q, _)| q).collect();
                let n = required.len();
                let any: Box<dyn Query> = match n {
                    0 => Box::new(EmptyQuery),
                    _ => match if mode == Mode::Any { 1 } else { most_of(n, long) } {
                        1 => Box::new(SumUnion::new(required)),
                        least => Box::new(SumUnion::at_least(required, least)),
                    },
                };
                must.push((Occur::Must, any));
            }
            Mode::Most | Mode::Any => {}
        }
        must.extend(filters);
        if !must.iter().any(|(occur, _)| *occur == Occur::Must) {
            // Only exclusions or filters: start from every talk that is searched.
            let visible = TermQuery::new(Term::from_field_text(visible, "1"), IndexRecordOption::Basic);
            must.push((Occur::Must, unscored(Box::new(visible))));
        }
        // One union and nothing else (a word, no filters): every talk it matches is visited.
        if let [(Occur::Must, _)] = must.as_slice() {
            let (_, only) = must.pop().expect("one clause");
            let only = match only.downcast::<SumUnion>() {
                Ok(union) => Box::new(union.whole_query()),
                Err(other) => other,
            };
            must.push((Occur::Must, only));
        }
        let query = Box::new(BooleanQuery::new(must));
        // The bonuses: asked only about the talks that match.
        match bonus.is_empty() {
            true => query,
            false => Box::new(WithBonus::new(query, bonus)),
        }
    }
}

/// How many of `n` units a relaxed query needs: half of a short query's (at least one), half of a
/// question's, a third of a longer one's — the more words typed, the fewer of them any one talk says
/// (`go 程序里怎么调用 C 语言的库` has seven).
fn most_of(n: usize, long: bool) -> usize {
    match long {
        true if n > LONG_QUERY_THIRD => n.div_ceil(3),
        true => n.div_ceil(2),
        false => (n / 2).max(1),
    }
}

/// One unit across all weighted fields: its words (all of them), or one of its translations, or
/// one of its corrections, and so on: one flat union of all the ways it matches.
/// Also whether any talk may match it (no word of it, translation or other form is in the index
/// otherwise).
fn unit_query(fields: &Fields, vocab: &Vocabulary, weighted: &[(Field, f32)], unit: &Unit) -> (Box<dyn Query>, bool) {
    let word = |term: &str| across_fields(weighted, |f| word_query(vocab, f, term));
    // Word forms matter in running text: titles, abstracts and takeaways.
    let text = ranking::running_text_fields(fields);
    let stem_leaves = |stem: &str| weighted_by(ranking::STEM, across_fields(&text, |f| term_leaf(vocab, f, stem)));
    let correction_leaves = |c: &Correction| {
        let weight = ranking::CORRECTION / c.distance.max(1) as f32;
        weighted_by(weight, across_fields(weighted, |f| term_leaf(vocab, f, &c.term)))
    };
    let mut words: Vec<Leaves> = unit.terms.iter().map(|(_, term)| word(term)).collect();
    // Other forms of the words of two also written as one.
    for (leaves, stems) in words.iter_mut().zip(&unit.word_stems) {
        leaves.extend(stems.iter().flat_map(|stem| stem_leaves(stem)));
    }
    // A misspelt word of several also matches its corrections, each in its place.
    for (k, found) in &unit.word_corrections {
        words[*k].extend(found.iter().flat_map(correction_leaves));
    }
    let mut alternatives: Leaves = if words.len() == 1 {
        words.pop().expect("one word")
    } else if words.iter().any(Vec::is_empty) {
        Vec::new()
    } else {
        let all: Box<dyn Query> = Box::new(AllOf::new(words.into_iter().map(union).collect()));
        // Whether a talk has the words of a translated term (`上下文` and `管理器`) is worth a look.
        match unit.translations.is_empty() || vocab.matches_any(all.as_ref()) {
            true => vec![(1.0, all)],
            false => Vec::new(),
        }
    };
    // Translations weigh less than the words as typed so that a query prefers the talks in its own
    // language. When no talk has the words as typed, there are none to prefer, and the translations
    // are the only way the unit matches: the best of them then counts as much as the words would
    // (`上下文管理器怎么写` is about context managers, not about the Chinese talks that say 写).
    let scale = match alternatives.is_empty() {
        true => 1.0 / unit.translation_weights.iter().copied().fold(f32::MIN_POSITIVE, f32::max),
        false => 1.0,
    };
    for (translation, translation_weight) in unit.translations.iter().zip(&unit.translation_weights) {
        // A phrase of n words scores about n times a single word: divide, so a translation stays
        // below the words as typed whatever their lengths.
        let weight = scale * translation_weight / translation.len() as f32;
        // A Chinese word also inside a longer one, as typed Chinese words are (`concurrent` → 并发,
        // in 高并发).
        let make = |f| match translation.as_slice() {
            [(_, han)] if han.chars().any(crate::talk::is_han) => word_query(vocab, f, han),
            _ => phrase_or_term(vocab, f, translation),
        };
        alternatives.extend(weighted_by(weight, across_fields(weighted, make)));
    }
    alternatives.extend(unit.corrections.iter().flat_map(correction_leaves));
    alternatives.extend(unit.stems.iter().flat_map(|stem| stem_leaves(stem)));
    if let Some(id) = &unit.company {
        alternatives.push((
            1.0,
            Box::new(ConstScoreQuery::new(term_query(fields.company_id, id), ranking::COMPANY_SPEAKER_SCORE)),
        ));
    }
    for variant in &unit.variants {
        let weight = variant.weight / variant.terms.len() as f32;
        let make = |f| phrase_or_term(vocab, f, &variant.terms);
        let leaves = match variant.fields {
            Where::All => across_fields(weighted, make),
            Where::Text => across_fields(&ranking::running_text_fields(fields), make),
            Where::Titles => across_fields(&ranking::title_fields(fields), make),
        };
        alternatives.extend(weighted_by(weight, leaves));
    }
    let may_match = !alternatives.is_empty();
    (union(alternatives), may_match)
}

/// When the unit's words name a company of the alias table, by a name or a query alias (`字节`,
/// `鹅厂`, `DiDi`): the talks of its speakers match it too, and so do its other names (`滴滴` for
/// `DiDi`), at [`ranking::COMPANY_NAME`].
fn name_company(unit: &mut Unit) {
    let text: String = unit.terms.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>().join(" ");
    let Some(company) = Companies::builtin().named(&text) else { return };
    let own = crate::company::fold_name(&text);
    let others = company.names().filter(|n| crate::company::fold_name(n) != own).take(MAX_COMPANY_NAMES);
    let typed_in_chinese = text.chars().any(crate::talk::is_han);
    for name in others {
        let name_terms = tokenizer::terms(name);
        if !name_terms.is_empty() && name_terms.len() <= MAX_WORDS {
            // 英特尔 finds the talks that say Intel below those that say 英特尔, as a translation would.
            let weight = match typed_in_chinese && !name.chars().any(crate::talk::is_han) {
                true => ranking::COMPANY_NAME_FROM_CHINESE,
                false => ranking::COMPANY_NAME,
            };
            unit.variants.push(Variant { terms: name_terms, weight, fields: Where::All });
        }
    }
    unit.company = Some(company.id.clone());
}

/// Other names of a company searched for the one typed.
const MAX_COMPANY_NAMES: usize = 3;

/// The terms through which other forms of `word` match: its marked stem (indexed beside every form
/// that differs from the stem) and the stem itself as a word (`tests` → `\u{3}test`, `test`).
fn stem_terms(word: &str) -> Vec<String> {
    match tokenizer::stem(word) {
        Some(stem) => vec![tokenizer::stem_term(&stem), stem],
        None if word.len() >= 4 && word.bytes().all(|b| b.is_ascii_lowercase()) => vec![tokenizer::stem_term(word)],
        None => Vec::new(),
    }
}

/// A word in one field: as a whole word, or (at lower weight) inside a longer Chinese word.
fn word_query(vocab: &Vocabulary, field: Field, term: &str) -> Leaves {
    let mut leaves = term_leaf(vocab, field, term);
    if term.chars().any(crate::talk::is_han) {
        leaves.extend(weighted_by(ranking::PART, term_leaf(vocab, field, &tokenizer::part_term(term))));
    }
    leaves
}

fn company_filter(fields: &Fields, name: &str) -> Box<dyn Query> {
    // A company the table does not know is matched by its folded name; one that folds to nothing
    // matches nothing.
    let id = Companies::builtin().family_id(name).unwrap_or_default();
    unscored(term_query(fields.company_id, &id))
}

fn year_filter(fields: &Fields, from: u64, to: u64) -> Box<dyn Query> {
    unscored(Box::new(RangeQuery::new(
        Bound::Included(Term::from_field_u64(fields.year, from)),
        Bound::Included(Term::from_field_u64(fields.year, to)),
    )))
}

fn filter_clauses(fields: &Fields, filters: &Filters) -> Vec<(Occur, Box<dyn Query>)> {
    let mut out: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if let Some(company) = &filters.company {
        out.push((Occur::Must, company_filter(fields, company)));
    }
    if let Some(event) = &filters.event {
        out.push((Occur::Must, unscored(term_query(fields.event_key, event))));
    }
    if let Some(lang) = &filters.lang {
        out.push((Occur::Must, unscored(term_query(fields.lang, lang))));
    }
    if let Some((from, to)) = filters.years {
        out.push((Occur::Must, year_filter(fields, from, to)));
    }
    out
}

/// The scored ways a part of the query matches, flattened: leaf queries (terms, phrases, constant
/// scores, intersections) with their weights, to be OR-ed by [`union`]. A union of boosted unions
/// scores the same as one union of the leaves with the boosts multiplied, and tantivy then builds
/// one union scorer instead of one per level (each allocates and clears a 16 KiB window: callgrind,
/// 11 % of a search when every level had its own), over plain term scorers.
type Leaves = Vec<(f32, Box<dyn Query>)>;

fn leaf(query: Box<dyn Query>) -> Leaves {
    vec![(1.0, query)]
}

/// `leaves` with their weights multiplied by `weight`.
fn weighted_by(weight: f32, leaves: Leaves) -> impl Iterator<Item = (f32, Box<dyn Query>)> {
    leaves.into_iter().map(move |(w, q)| (w * weight, q))
}

/// One query matching any of `leaves`, scoring the weighted sum of those that match.
fn union(mut leaves: Leaves) -> Box<dyn Query> {
    let boosted = |(weight, query): (f32, Box<dyn Query>)| -> Box<dyn Query> {
        if weight == 1.0 {
            return query;
        }
        match query.downcast::<WeightedTerm>() {
            Ok(term) => Box::new(term.times(weight)),
            Err(query) => Box::new(BoostQuery::new(query, weight)),
        }
    };
    match leaves.len() {
        0 => return Box::new(EmptyQuery),
        1 => return boosted(leaves.pop().expect("one leaf")),
        _ => {}
    }
    Box::new(SumUnion::new(leaves.into_iter().map(boosted).collect()))
}

/// `make(field)` on every weighted field, boosted and OR-ed: a talk matches if any field does, and
/// scores the sum of the fields that do.
fn across_fields(weighted: &[(Field, f32)], make: impl Fn(Field) -> Leaves) -> Leaves {
    weighted.iter().flat_map(|&(field, boost)| weighted_by(boost, make(field))).collect()
}

/// A filter: it restricts the matches and adds nothing to their scores.
fn unscored(query: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(query, 0.0))
}

fn term_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::WithFreqs))
}

/// `terms` in `field` standing together, within `slop` positions.
fn phrase_query(vocab: &Vocabulary, field: Field, terms: &[(usize, String)], slop: u32) -> Box<dyn Query> {
    let terms = terms.iter().map(|(p, t)| (*p, Term::from_field_text(field, t))).collect();
    let phrase = PhraseQuery::new_with_offset_and_slop(terms, slop);
    match vocab.bm25_for(field) {
        Some(bm25) => Box::new(TabledPhrase::new(phrase, Arc::clone(bm25))),
        None => Box::new(phrase),
    }
}

/// The words `terms` in `field`, as a phrase when there are several (a single word is a weighted
/// term, as the words typed are); nothing when the field lacks one of them.
fn phrase_or_term(vocab: &Vocabulary, field: Field, terms: &[(usize, String)]) -> Leaves {
    match terms {
        [(_, only)] => term_leaf(vocab, field, only),
        _ if field_has_all(vocab, field, terms) => leaf(phrase_query(vocab, field, terms, 0)),
        _ => Vec::new(),
    }
}

/// Whether `field` may hold every one of `terms` (see [`Vocabulary::may_hold`]).
fn field_has_all(vocab: &Vocabulary, field: Field, terms: &[(usize, String)]) -> bool {
    terms.iter().all(|(_, t)| vocab.may_hold(&Term::from_field_text(field, t)))
}

/// The term `text` in `field`, or nothing when no talk has it there.
fn term_leaf(vocab: &Vocabulary, field: Field, text: &str) -> Leaves {
    let term = Term::from_field_text(field, text);
    if !vocab.may_hold(&term) {
        return Vec::new();
    }
    leaf(match vocab.bm25_for(field) {
        Some(bm25) => Box::new(WeightedTerm::new(term, 1.0, Arc::clone(bm25))),
        None => Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use Clause::*;

    #[test]
    fn parses_phrases_exclusions_and_words() {
        let cases: &[(&str, Vec<Clause>)] = &[
            ("服务网格", vec![Words("服务网格".into())]),
            ("Service Mesh 性能优化", vec![Words("Service Mesh 性能优化".into())]),
            ("\"service mesh\" istio", vec![Phrase("service mesh".into()), Words("istio".into())]),
            ("istio -envoy", vec![Words("istio".into()), Exclude("envoy".into())]),
            ("istio -\"data plane\"", vec![Words("istio".into()), Exclude("data plane".into())]),
            ("“服务网格”", vec![Phrase("服务网格".into())]),
            ("multi-cluster", vec![Words("multi-cluster".into())]),
            ("\"unclosed phrase", vec![Words("unclosed phrase".into())]),
            ("\"\"", vec![]),
            ("-", vec![Words("-".into())]),
            ("  ", vec![]),
            ("(istio] {{ :: ", vec![Words("(istio] {{ ::".into())]),
        ];
        for (q, want) in cases {
            assert_eq!(&parse(q), want, "query {q:?}");
        }
    }

    #[test]
    fn terms_keep_one_token_per_position() {
        let t: Vec<String> = tokenizer::terms("服务网格中的 TLS").into_iter().map(|t| t.1).collect();
        assert_eq!(t[0], "服务网格");
        assert!(t.contains(&"tls".to_string()));
        assert!(!t.contains(&"网格".to_string()), "{t:?}");
    }

    fn unit_words(q: &str) -> Vec<Vec<String>> {
        units(&tokenizer::terms(q), &Vocabulary::default(), fields().title)
            .into_iter()
            .map(|u| u.terms.into_iter().map(|(_, t)| t).collect())
            .collect()
    }

    #[test]
    fn units_cover_the_most_words_with_glossary_terms() {
        assert_eq!(unit_words("container image acceleration"), [vec!["container"], vec!["image", "acceleration"]]);
        assert_eq!(unit_words("service mesh istio"), [vec!["service", "mesh"], vec!["istio"]]);
        assert_eq!(unit_words("django orm"), [vec!["django"], vec!["orm"]]);
        // A company's name of several words is one unit, whose other names are searched for it.
        assert_eq!(unit_words("sf express runtime"), [vec!["sf", "express"], vec!["runtime"]]);
        assert_eq!(unit_words("cheetah mobile"), [vec!["cheetah", "mobile"]]);
    }

    #[test]
    fn chinese_compounds_no_glossary_lists_are_translated_part_by_part() {
        let translated = |q: &str| -> Vec<(Vec<String>, Vec<Vec<String>>)> {
            units(&tokenizer::terms(q), &Vocabulary::default(), fields().title)
                .into_iter()
                .map(|u| {
                    let words = u.terms.into_iter().map(|(_, t)| t).collect();
                    let made = u.translations.into_iter().map(|t| t.into_iter().map(|(_, w)| w).collect()).collect();
                    (words, made)
                })
                .collect()
        };
        // Each word of the compound keeps its unit and gains the compound's phrase.
        let federated = translated("联邦学习");
        assert_eq!(federated.len(), 2, "{federated:?}");
        let phrase = vec!["federated".to_string(), "learning".to_string()];
        assert!(federated.iter().all(|(_, made)| made.contains(&phrase)), "{federated:?}");
        // Traditional characters are folded first: 聯邦學習 is 联邦学习.
        assert!(translated("聯邦學習").iter().all(|(_, made)| made.contains(&phrase)));
        let machine = translated("状态机 是什么");
        assert!(machine[0].1.contains(&vec!["state".to_string(), "machine".to_string()]), "{machine:?}");
        // Function words are not part of a compound, and a glossary term keeps its own translations.
        assert!(translated("的").iter().all(|(_, made)| made.is_empty()));
        let mesh = translated("服务网格");
        assert_eq!(mesh.len(), 1);
        assert!(mesh[0].1.contains(&vec!["service".to_string(), "mesh".to_string()]), "{mesh:?}");
    }

    fn fields() -> Fields {
        Fields::from_schema(&crate::schema::build()).expect("the schema has every field")
    }

    /// Only a query that is one union and nothing else marks it as the whole query (read a window
    /// at a time when dense); beside another word, a phrase or a filter it is asked about some
    /// talks only.
    #[test]
    fn only_a_lone_union_is_the_whole_query() {
        let vocab = Vocabulary::from_terms([("kubernetes", 80), ("operator", 120)]);
        let whole = |q: &str, filters: &Filters| {
            let built = build(&fields(), &parse(q), filters, Mode::All, &vocab);
            format!("{:?}", built.query).matches("whole: true").count()
        };
        assert_eq!(whole("kubernetes", &Filters::default()), 1);
        assert_eq!(whole("kubernetes operator", &Filters::default()), 0);
        assert_eq!(whole("kubernetes \"operator\"", &Filters::default()), 0);
        assert_eq!(whole("kubernetes", &Filters { lang: Some("en".into()), ..Default::default() }), 0);
    }

    /// The words every talk must have are one intersection of ours (`AllOf`, read a window at a
    /// time when dense) when nothing else is required; beside a phrase or a filter, tantivy's.
    #[test]
    fn words_and_nothing_else_are_one_intersection_of_ours() {
        let vocab = Vocabulary::from_terms([("kubernetes", 80), ("operator", 120), ("istio", 60)]);
        let ours = |q: &str, filters: &Filters, mode: Mode| {
            let built = build(&fields(), &parse(q), filters, mode, &vocab);
            format!("{:?}", built.query).matches("AllOf").count()
        };
        let none = Filters::default();
        assert_eq!(ours("kubernetes operator", &none, Mode::All), 1);
        assert_eq!(ours("kubernetes operator istio", &none, Mode::All), 1);
        assert_eq!(ours("kubernetes", &none, Mode::All), 0);
        assert_eq!(ours("kubernetes operator", &none, Mode::Most), 0);
        assert_eq!(ours("kubernetes operator \"istio\"", &none, Mode::All), 0);
        assert_eq!(
            ours("kubernetes operator", &Filters { lang: Some("en".into()), ..Default::default() }, Mode::All),
            0
        );
    }

    #[test]
    fn misspelt_words_are_searched_with_their_corrections_and_highlighted() {
        let vocab = Vocabulary::from_terms([("kubernetes", 80), ("operator", 120), ("opertor", 1)]);
        let built = build(&fields(), &parse("kubernets opertor istio"), &Filters::default(), Mode::All, &vocab);
        let corrected: Vec<(&str, Vec<String>)> =
            built.corrections.iter().map(|c| (c.word.as_str(), c.to.clone())).collect();
        assert_eq!(
            corrected,
            [("kubernets", vec!["kubernetes".to_string()]), ("opertor", vec!["operator".to_string()])]
        );
        assert!(built.highlight.contains("kubernetes") && built.highlight.contains("kubernets"));
        assert_eq!(built.word_count, 3);
    }

    #[test]
    fn two_words_a_title_writes_as_one_are_one_unit_and_keep_their_corrections() {
        // `servciemesh` is in one talk (a misspelling there); `servcie` is still corrected, in its place.
        let vocab = Vocabulary::from_terms([
            ("service", 500),
            ("mesh", 100),
            ("servciemesh", 1),
            ("kusionstack", 1),
            ("thepsf", 1),
        ]);
        let built = build(&fields(), &parse("servcie mesh"), &Filters::default(), Mode::All, &vocab);
        let corrected: Vec<(&str, Vec<String>)> =
            built.corrections.iter().map(|c| (c.word.as_str(), c.to.clone())).collect();
        assert_eq!(corrected, [("servcie", vec!["service".to_string()])]);
        assert!(built.highlight.contains("service"));
        let units = |q: &str| units(&tokenizer::terms(q), &vocab, fields().title);
        let kusion = units("kusion stack");
        assert_eq!(kusion.len(), 1, "a name written apart is one unit");
        assert_eq!(kusion[0].variants[0].terms, [(0, "kusionstack".to_string())]);
        assert_eq!(units("rest api").len(), 2, "a form no talk has is not tried");
        assert_eq!(units("the psf").len(), 2, "never with a function word");
    }

    #[test]
    fn work_is_bounded_whatever_the_query() {
        let vocab = Vocabulary::from_terms([("kubernetes", 80)]);
        let long: Vec<String> = (0..31).map(|i| format!("kubernetez{}", (b'a' + i as u8 % 26) as char)).collect();
        let built = build(&fields(), &parse(&long.join(" ")), &Filters::default(), Mode::All, &vocab);
        assert_eq!(built.word_count, MAX_WORDS);
        assert!(built.corrections.len() <= vocab::MAX_WORDS);
        let phrases: String = (0..40).map(|i| format!("\"w{i} x\" -e{i} ")).collect();
        let built = build(&fields(), &parse(&phrases), &Filters::default(), Mode::All, &vocab);
        assert!(built.highlight.len() <= 2 * MAX_CLAUSES, "{}", built.highlight.len());
    }

    #[test]
    fn a_glossary_term_alone_relaxes_word_by_word() {
        let vocab = Vocabulary::from_terms([]);
        let all = build(&fields(), &parse("canary release"), &Filters::default(), Mode::All, &vocab);
        assert!(all.multiword && all.word_count == 1, "one unit: the glossary term");
        let units = units(&tokenizer::terms("canary release"), &vocab, fields().title);
        assert_eq!(units.len(), 1);
        let split = word_by_word(units);
        let words: Vec<&str> = split.iter().map(|u| u.terms[0].1.as_str()).collect();
        assert_eq!(words, ["canary", "release"]);
        assert!(split.iter().all(|u| u.translations.iter().any(|t| t[0].1 == "灰度发布")), "translations kept");
        let beside = build(&fields(), &parse("canary release istio"), &Filters::default(), Mode::Most, &vocab);
        assert_eq!(beside.word_count, 2, "beside another word it stays one of two units");
    }

    #[test]
    fn nothing_searchable_finds_nothing_unless_filtered() {
        let vocab = Vocabulary::from_terms([]);
        for q in ["😀", "\"", "*", &"a".repeat(101)] {
            let built = build(&fields(), &parse(q), &Filters::default(), Mode::All, &vocab);
            assert!(built.unsearchable, "{q:?}");
        }
        let filtered = Filters { lang: Some("zh".into()), ..Filters::default() };
        assert!(!build(&fields(), &parse("istio"), &Filters::default(), Mode::All, &vocab).unsearchable);
        assert!(!build(&fields(), &parse("-istio"), &Filters::default(), Mode::All, &vocab).unsearchable);
        assert!(!build(&fields(), &parse(""), &filtered, Mode::All, &vocab).unsearchable);
    }

    #[test]
    fn long_queries_need_half_or_a_third_of_their_words() {
        let vocab = Vocabulary::from_terms([]);
        let built = |q: &str| build(&fields(), &parse(q), &Filters::default(), Mode::All, &vocab);
        assert!(!built("django tests").long, "two words: all of them");
        let long = built("how can I make my Django tests run faster");
        assert!(long.long && long.word_count == 5);
        assert!(built("怎样给微服务做熔断限流").long);
        // Relaxed: half of a short query or a question, a third of a longer one.
        let needs: Vec<usize> = (1..=9).map(|n| most_of(n, n >= LONG_QUERY_WORDS)).collect();
        assert_eq!(needs, [1, 1, 2, 2, 2, 2, 3, 3, 3]);
    }

    #[test]
    fn a_long_query_widened_is_the_query_built_in_the_wider_mode() {
        let vocab = Vocabulary::from_terms([]);
        let filters = Filters { lang: Some("en".into()), ..Filters::default() };
        let built = |q: &str, mode| build(&fields(), &parse(q), &filters, mode, &vocab);
        for q in ["how can I make my Django tests run faster", "\"service mesh\" istio envoy -kafka sidecar"] {
            let all = built(q, Mode::All);
            assert!(all.long, "{q}");
            for mode in [Mode::Most, Mode::Any] {
                let widened = all.widened(mode).expect("a long query widens");
                assert_eq!(format!("{widened:?}"), format!("{:?}", built(q, mode).query), "{q}: {mode:?}");
            }
            assert_ne!(format!("{:?}", all.widened(Mode::Most)), format!("{:?}", all.widened(Mode::Any)));
        }
        assert!(built("django tests", Mode::All).widened(Mode::Most).is_none(), "two words are not widened");
    }

    #[test]
    fn question_and_function_words_are_optional() {
        let vocab = Vocabulary::from_terms([]);
        let count = |q: &str| build(&fields(), &parse(q), &Filters::default(), Mode::All, &vocab).word_count;
        assert_eq!(count("how can I make my Django tests run faster"), 5, "make django tests run faster");
        assert_eq!(count("怎样给微服务做熔断限流"), count("给微服务做熔断限流"), "怎样 is optional");
        assert_eq!(count("what is the"), 3, "a query of nothing else still needs them");
        assert_eq!(count("Service Mesh 的 性能优化"), count("Service Mesh 性能优化"));
    }

    /// Beside other words, a function word is looked for in titles only; alone, everywhere.
    #[test]
    fn function_words_beside_others_count_in_titles_only() {
        let vocab = Vocabulary::from_terms([("the", 900), ("istio", 40)]);
        let f = fields();
        // The fields `the` is searched in.
        let fields_of_the = |q: &str| -> HashSet<u32> {
            let built = build(&f, &parse(q), &Filters::default(), Mode::All, &vocab);
            let debug = format!("{:?}", built.query);
            let found = regex::Regex::new(r#"Term\(field=(\d+), type=Str, "the"\)"#).unwrap();
            found.captures_iter(&debug).map(|c| c[1].parse().unwrap()).collect()
        };
        assert_eq!(fields_of_the("the istio"), HashSet::from([f.title.field_id()]));
        assert!(fields_of_the("the").len() > 4, "{:?}", fields_of_the("the"));
    }
}
