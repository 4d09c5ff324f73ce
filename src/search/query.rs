//! Query building: the user's text → clauses → a boosted multi-field tantivy query.
//!
//! The syntax is deliberately small and never fails: `"exact phrase"`, `-exclude`, and plain words.
//! Anything else (stray quotes, brackets, colons, operators) is searched as plain text, so no user
//! input can produce an error or a panic.

use std::ops::Bound;

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use crate::schema::Fields;
use crate::tokenizer;

/// One piece of the user's query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clause {
    /// Plain words: each must match somewhere (or, after relaxing, most of them).
    Words(String),
    /// `"…"`: the words must appear together, in order.
    Phrase(String),
    /// `-word` or `-"…"`: talks containing it are left out.
    Exclude(String),
}

/// Splits the user's query into clauses. Total: every input gives a (possibly empty) list.
pub fn parse(q: &str) -> Vec<Clause> {
    let mut clauses = Vec::new();
    let mut words = String::new();
    let mut rest = q;
    while let Some(c) = rest.chars().next() {
        let at_word_start = words.is_empty() || words.ends_with(char::is_whitespace);
        if c == '"' || c == '“' || c == '”' {
            let body = &rest[c.len_utf8()..];
            match body.find(['"', '“', '”']) {
                Some(end) => {
                    push_phrase(&mut clauses, &mut words, &body[..end], false);
                    // The closing quote may be a multi-byte char.
                    rest = skip_closing_quote(body, end);
                }
                // An unmatched quote is just punctuation.
                None => rest = body,
            }
            continue;
        }
        if (c == '-' || c == '－') && at_word_start {
            let body = &rest[c.len_utf8()..];
            if let Some(inner) = body.strip_prefix('"') {
                if let Some(end) = inner.find('"') {
                    push_phrase(&mut clauses, &mut words, &inner[..end], true);
                    rest = &inner[end + 1..];
                    continue;
                }
            }
            let end = body.find(char::is_whitespace).unwrap_or(body.len());
            if end > 0 {
                flush_words(&mut clauses, &mut words);
                clauses.push(Clause::Exclude(body[..end].to_string()));
                rest = &body[end..];
                continue;
            }
        }
        words.push(c);
        rest = &rest[c.len_utf8()..];
    }
    flush_words(&mut clauses, &mut words);
    clauses
}

fn skip_closing_quote(body: &str, end: usize) -> &str {
    let quote_len = body[end..].chars().next().map_or(0, char::len_utf8);
    &body[end + quote_len..]
}

fn push_phrase(clauses: &mut Vec<Clause>, words: &mut String, phrase: &str, exclude: bool) {
    flush_words(clauses, words);
    if phrase.trim().is_empty() {
        return;
    }
    clauses.push(if exclude { Clause::Exclude(phrase.to_string()) } else { Clause::Phrase(phrase.to_string()) });
}

fn flush_words(clauses: &mut Vec<Clause>, words: &mut String) {
    if !words.trim().is_empty() {
        clauses.push(Clause::Words(words.trim().to_string()));
    }
    words.clear();
}

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

/// How strictly plain words must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Every word must match (the default).
    All,
    /// At least half of the words must match; used when `All` finds nothing.
    Most,
}

/// A built query, with what the search layer needs to know about it.
pub struct Built {
    pub query: Box<dyn Query>,
    /// How many plain words the query has (relaxing is pointless with fewer than two).
    pub word_count: usize,
}

/// The distinct search terms of `text`, one per position: the whole word, not its dictionary parts.
pub fn terms(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    for (token, position, _) in tokenizer::tokens(text) {
        if out.last().is_none_or(|(p, _)| *p != position) {
            out.push((position, token));
        }
    }
    out
}

/// The terms worth highlighting: those of the words and phrases, not of the exclusions.
pub fn positive_terms(clauses: &[Clause]) -> std::collections::HashSet<String> {
    clauses
        .iter()
        .filter_map(|c| match c {
            Clause::Words(t) | Clause::Phrase(t) => Some(t),
            Clause::Exclude(_) => None,
        })
        .flat_map(|t| terms(t).into_iter().map(|(_, term)| term))
        .collect()
}

/// Builds the tantivy query for `clauses` and `filters`.
pub fn build(fields: &Fields, clauses: &[Clause], filters: &Filters, mode: Mode) -> Built {
    let weighted = fields.weighted_text();
    let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut words: Vec<Box<dyn Query>> = Vec::new();
    let mut bonus: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for clause in clauses {
        match clause {
            Clause::Words(text) => {
                let terms = terms(text);
                for (_, term) in &terms {
                    words.push(across_fields(&weighted, |f| term_query(f, term)));
                }
                // Words that stand together in the query rank higher when they stand together in a talk.
                if terms.len() > 1 {
                    for (field, boost) in [(fields.title, 3.0), (fields.abstract_text, 1.0)] {
                        bonus.push((Occur::Should, Box::new(BoostQuery::new(phrase_query(field, &terms, 2), boost))));
                    }
                }
            }
            Clause::Phrase(text) => {
                let terms = terms(text);
                if !terms.is_empty() {
                    must.push((Occur::Must, across_fields(&weighted, |f| phrase_or_term(f, &terms))));
                }
            }
            Clause::Exclude(text) => {
                let terms = terms(text);
                if !terms.is_empty() {
                    must.push((Occur::MustNot, across_fields(&weighted, |f| phrase_or_term(f, &terms))));
                }
            }
        }
    }
    let word_count = words.len();
    match mode {
        Mode::All => must.extend(words.into_iter().map(|q| (Occur::Must, q))),
        Mode::Most if !words.is_empty() => {
            let minimum = (word_count / 2).max(1);
            let any = BooleanQuery::union_with_minimum_required_clauses(words, minimum);
            must.push((Occur::Must, Box::new(any)));
        }
        Mode::Most => {}
    }
    must.extend(filter_clauses(fields, filters));
    if !must.iter().any(|(occur, _)| *occur == Occur::Must) {
        // Only exclusions or filters: start from every talk.
        must.push((Occur::Must, Box::new(AllQuery)));
    }
    must.extend(bonus);
    Built { query: Box::new(BooleanQuery::new(must)), word_count }
}

fn filter_clauses(fields: &Fields, filters: &Filters) -> Vec<(Occur, Box<dyn Query>)> {
    let mut out: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if let Some(company) = &filters.company {
        // A company the table does not know is matched by its folded name; one that folds to
        // nothing matches nothing.
        let id = crate::company::Companies::builtin().family_id(company).unwrap_or_default();
        out.push((Occur::Must, unscored(term_query(fields.company_id, &id))));
    }
    if let Some(event) = &filters.event {
        out.push((Occur::Must, unscored(term_query(fields.event_key, event))));
    }
    if let Some(lang) = &filters.lang {
        out.push((Occur::Must, unscored(term_query(fields.lang, lang))));
    }
    if let Some((from, to)) = filters.years {
        let range = RangeQuery::new(
            Bound::Included(Term::from_field_u64(fields.year, from)),
            Bound::Included(Term::from_field_u64(fields.year, to)),
        );
        out.push((Occur::Must, unscored(Box::new(range))));
    }
    out
}

/// `make(field)` on every weighted field, boosted and OR-ed: a talk matches if any field does, and
/// scores the sum of the fields that do.
fn across_fields(weighted: &[(Field, f32)], make: impl Fn(Field) -> Box<dyn Query>) -> Box<dyn Query> {
    let per_field: Vec<(Occur, Box<dyn Query>)> = weighted
        .iter()
        .map(|&(field, boost)| (Occur::Should, Box::new(BoostQuery::new(make(field), boost)) as Box<dyn Query>))
        .collect();
    Box::new(BooleanQuery::new(per_field))
}

/// A filter: it restricts the matches and adds nothing to their scores.
fn unscored(query: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(query, 0.0))
}

fn term_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::WithFreqs))
}

fn phrase_query(field: Field, terms: &[(usize, String)], slop: u32) -> Box<dyn Query> {
    let terms = terms.iter().map(|(p, t)| (*p, Term::from_field_text(field, t))).collect();
    Box::new(PhraseQuery::new_with_offset_and_slop(terms, slop))
}

fn phrase_or_term(field: Field, terms: &[(usize, String)]) -> Box<dyn Query> {
    match terms {
        [(_, only)] => term_query(field, only),
        _ => phrase_query(field, terms, 0),
    }
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
        let t: Vec<String> = terms("服务网格中的 TLS").into_iter().map(|t| t.1).collect();
        assert_eq!(t[0], "服务网格");
        assert!(t.contains(&"tls".to_string()));
        assert!(!t.contains(&"网格".to_string()), "{t:?}");
    }
}
