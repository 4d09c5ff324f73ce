//! Our own tantivy queries, for the shapes a search builds thousands of times a second:
//! [`WeightedTerm`], a term whose weight and BM25 statistics are ready before the search, and
//! [`SumUnion`], an OR whose scorer does no work for documents nobody asks about (and
//! [`TabledPhrase`], tantivy's phrase query with its statistics from the same tables).
//!
//! **Weighted terms.** A word is searched as some twenty terms (its fields and forms), each with a
//! weight. tantivy's `TermQuery`, wrapped in a `BoostQuery` for the weight, looks each term up twice
//! (its document frequency, then its postings), computes the field's average length over every
//! segment and a 256-entry table of it, and builds an explanation, for every term of every search
//! (callgrind, the 3,000-query mix: 8 % of a search). A [`WeightedTerm`] takes its field's table from
//! [`Bm25Fields`], made once per index generation, looks the term up once per segment (first in the
//! generation's map of the terms searched lately), and carries its weight inside its BM25 weight, so
//! its scorer is a plain term scorer with no boost around it (our own: tantivy's is not public).
//!
//! **Sum unions.** tantivy ORs clauses with a buffered union: each scorer it builds allocates and
//! clears a 4,096-document window of scores (16 KiB), and whenever it moves, it scores every posting
//! of every clause in the next window. That suits a union that is the whole query. Here a union is
//! nearly always one word of several (the fields and forms a word matches in), inside an
//! intersection that only asks about the few documents holding the other words too: the window was
//! mostly work thrown away (building the windows alone was 10 % of a search). A [`SumUnion`] keeps
//! each clause's current document, moves clauses only when asked to (by `seek`, which skips through
//! postings), and adds up scores only for the document asked for. The union that is the whole query
//! (one word, no filters) is asked about every document it matches: when its clauses hold many, it
//! is read a window at a time after all (`WindowedUnion`; 1M synthetic talks: `python`, 624,451
//! matches, 19.9 → 9.5 ms).
//!
//! **Intersections.** The words of a query are an intersection of their unions ([`AllOf`]). When
//! every word is common (1M talks: `data in Python`, 257,898 matches), tantivy's intersection moves
//! each union's clauses by seeks for nearly every document, and scores them one call through a box
//! at a time. Then the unions are read a window at a time instead, their bit sets ANDed, and the
//! scores of the documents in all of them added up as tantivy's intersection adds them
//! (`WindowedIntersection`; 1M talks, the 60 slowest queries of the mix: 103 → 75 M instructions
//! per search).
//!
//! **Most of the words.** A relaxed query needs some of its words, not all ([`SumUnion::at_least`]).
//! tantivy's union with a minimum pops every document of every word off a heap and scores it,
//! matching or not: long relaxed queries were 27 % of the mix's time for 11 % of its queries. Ours
//! lets every word behind the first document enough words could be on skip to it.
//!
//! **Bonuses.** What only adds to a match's score (a title phrase, question words) is asked about
//! the matches alone ([`WithBonus`]), not moved along beside them as tantivy's `Should` clauses are.
//!
//! Scores are those of tantivy's queries: BM25 times the weight, and a union's clauses' scores
//! added up (in the clauses' order). They may differ from tantivy's in the last bit of a float; on
//! the 3,000-query mix no result moved.

use std::sync::{Arc, Mutex};

use rustc_hash::FxHashMap;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::index::{InvertedIndexReader, SegmentId};
use tantivy::postings::TermInfo;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{intersect_scorers, EmptyScorer, EnableScoring, Explanation, PhraseQuery, Query, Scorer, Weight};
use tantivy::query::{Bm25StatisticsProvider, Bm25Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Searcher;
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader, TantivyError, Term, TERMINATED};

/// BM25 of one index generation, per field: what every term of the field shares (the number of
/// talks, the field's average length and the table of it, and the field's term index in each part),
/// made once.
pub struct Bm25Fields {
    /// By field id (a vector: a hash map's SipHash was 0.6 % of a search's instructions, asked
    /// twice for every term).
    fields: Vec<Option<FieldBm25>>,
    /// The number of talks (at least one, so that an idf is defined).
    docs: u64,
}

struct FieldBm25 {
    /// The weight of a term in one talk; a term's own is this one scaled by its idf.
    unit: Bm25Weight,
    unit_idf: f32,
    /// The field's length summed over all talks.
    tokens: u64,
    /// The field's terms and postings in each part. `SegmentReader::inverted_index` takes a lock
    /// and counts a reference each time; under load, on two cores, that was 1.7 % of the server's
    /// time, twice for every term of every search.
    parts: Vec<Part>,
}

/// A field's term index in one part of the index, and where the terms searched lately are in it.
struct Part {
    segment: SegmentId,
    inverted: Arc<InvertedIndexReader>,
    /// The field's length in each talk (tantivy finds them in a hash map of its files every time).
    norms: Option<FieldNormReader>,
    /// Term (its value's bytes) → its place, `None` when the part lacks it. Looking a term up in
    /// tantivy's term dictionary walks its FST, then a block of places: cache misses at every step,
    /// about 1.3 µs a term under load (`perf`: 4.2 % of the server's time at concurrency 16, for
    /// the ~19 terms of a search). Searches share words, so a map of the terms asked lately answers
    /// most of them; it is emptied when full, so it stays small whatever is asked.
    recent: Mutex<FxHashMap<Box<[u8]>, Option<TermInfo>>>,
}

/// Terms kept in a [`Part`]'s map of recent terms (of one field in one part): at most about
/// 0.5 MiB each.
const RECENT_TERMS: usize = 4096;

impl Part {
    /// Where `term` (of this part's field) is in the part, if it is.
    fn term_info(&self, term: &Term) -> std::io::Result<Option<TermInfo>> {
        // A poisoned lock only means a search panicked holding it; the map is still whole.
        let recent = || self.recent.lock().unwrap_or_else(|e| e.into_inner());
        let key = term.serialized_value_bytes();
        if let Some(found) = recent().get(key) {
            return Ok(found.clone());
        }
        let found = self.inverted.get_term_info(term)?;
        let mut recent = recent();
        if recent.len() >= RECENT_TERMS {
            recent.clear();
        }
        recent.insert(key.into(), found.clone());
        Ok(found)
    }
}

impl FieldBm25 {
    fn part(&self, segment: SegmentId) -> Option<&Part> {
        self.parts.iter().find(|part| part.segment == segment)
    }
}

impl Bm25Fields {
    /// The statistics of `fields` in the talks `searcher` sees, as tantivy's BM25 computes them.
    pub fn new(searcher: &Searcher, fields: impl IntoIterator<Item = Field>) -> tantivy::Result<Bm25Fields> {
        let docs = Bm25StatisticsProvider::total_num_docs(searcher)?.max(1);
        let mut by_field: Vec<Option<FieldBm25>> = Vec::new();
        for field in fields {
            let tokens = Bm25StatisticsProvider::total_num_tokens(searcher, field)?;
            let unit = Bm25Weight::for_one_term_without_explain(1, docs, tokens as f32 / docs as f32);
            let parts = searcher
                .segment_readers()
                .iter()
                .map(|segment| {
                    let inverted = segment.inverted_index(field)?;
                    let norms = segment.fieldnorms_readers().get_field(field)?;
                    Ok(Part { segment: segment.segment_id(), inverted, norms, recent: Default::default() })
                })
                .collect::<tantivy::Result<_>>()?;
            let id = field.field_id() as usize;
            if by_field.len() <= id {
                by_field.resize_with(id + 1, || None);
            }
            by_field[id] = Some(FieldBm25 { unit, unit_idf: idf(1, docs), tokens, parts });
        }
        Ok(Bm25Fields { fields: by_field, docs })
    }

    /// The BM25 weight of a term of `field` found in `doc_freq` talks, times `weight`; `None` for a
    /// field not in the table.
    fn weight(&self, field: Field, doc_freq: u64, weight: f32) -> Option<Bm25Weight> {
        let f = self.field(field)?;
        let idf = idf(doc_freq.min(self.docs), self.docs);
        Some(f.unit.boost_by(weight * idf / f.unit_idf))
    }

    /// The term index and lengths of `field` in the part `segment` of this generation, if it has
    /// them.
    fn part(&self, field: Field, segment: SegmentId) -> Option<&Part> {
        self.field(field)?.part(segment)
    }

    /// Where `term` is in the part `segment` (`None`: not there): through the part's map of recent
    /// terms ([`Part::term_info`]), or from tantivy's term dictionary for a field or part these
    /// tables do not know (a searcher of another generation).
    fn term_info(&self, term: &Term, segment: &SegmentReader) -> tantivy::Result<Option<TermInfo>> {
        Ok(match self.part(term.field(), segment.segment_id()) {
            Some(part) => part.term_info(term)?,
            None => segment.inverted_index(term.field())?.get_term_info(term)?,
        })
    }

    fn field(&self, field: Field) -> Option<&FieldBm25> {
        self.fields.get(field.field_id() as usize)?.as_ref()
    }

    pub fn has(&self, field: Field) -> bool {
        self.field(field).is_some()
    }
}

/// BM25's idf, as tantivy computes it.
fn idf(doc_freq: u64, docs: u64) -> f32 {
    let x = ((docs - doc_freq) as f32 + 0.5) / (doc_freq as f32 + 0.5);
    (1.0 + x).ln()
}

/// A term, scored by BM25 times `weight` (what `BoostQuery::new(TermQuery::new(term), weight)`
/// scores). Its field must be in `bm25`.
#[derive(Clone)]
pub struct WeightedTerm {
    term: Term,
    weight: f32,
    bm25: Arc<Bm25Fields>,
}

impl std::fmt::Debug for WeightedTerm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WeightedTerm").field("term", &self.term).field("weight", &self.weight).finish()
    }
}

impl WeightedTerm {
    pub fn new(term: Term, weight: f32, bm25: Arc<Bm25Fields>) -> WeightedTerm {
        WeightedTerm { term, weight, bm25 }
    }

    /// The same term weighing `factor` times as much.
    pub fn times(mut self, factor: f32) -> WeightedTerm {
        self.weight *= factor;
        self
    }
}

impl Query for WeightedTerm {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let field = self.term.field();
        // The term's place in each part of the index, looked up once for its frequency and its
        // postings both.
        let mut found = Vec::new();
        if let Some(searcher) = scoring.searcher() {
            for segment in searcher.segment_readers() {
                found.push((segment.segment_id(), self.bm25.term_info(&self.term, segment)?));
            }
        }
        let doc_freq = found.iter().filter_map(|(_, info)| info.as_ref()).map(|i| u64::from(i.doc_freq)).sum();
        let bm25 = self.bm25.weight(field, doc_freq, self.weight);
        let bm25 = bm25.ok_or_else(|| TantivyError::SchemaError(format!("no BM25 table for {field:?}")))?;
        let scoring = scoring.is_scoring_enabled();
        let tables = Arc::clone(&self.bm25);
        Ok(Box::new(WeightedTermWeight { term: self.term.clone(), found, bm25, scoring, tables }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        visitor(&self.term, false);
    }
}

struct WeightedTermWeight {
    term: Term,
    /// The term's place in each part, by part (`None`: not there).
    found: Vec<(SegmentId, Option<TermInfo>)>,
    bm25: Bm25Weight,
    /// Whether scores are asked for (otherwise only which talks match).
    scoring: bool,
    /// The generation's tables, for the field's term index in each part.
    tables: Arc<Bm25Fields>,
}

impl WeightedTermWeight {
    fn term_scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Option<Box<TermScorer>>> {
        let field = self.term.field();
        // A part the generation's tables do not know (a searcher of another generation) is asked,
        // as in `WeightedTerm::weight`. The index is borrowed here rather than reached through a
        // helper taking a closure: returning the postings (about 1 KiB) through one moved them
        // several times, +0.8 % instructions per search (callgrind, the mix).
        let asked;
        let part = self.tables.part(field, reader.segment_id());
        let inverted = match part {
            Some(part) => &*part.inverted,
            None => {
                asked = reader.inverted_index(field)?;
                &*asked
            }
        };
        let info = match self.found.iter().find(|(id, _)| *id == reader.segment_id()) {
            Some((_, info)) => info.clone(),
            None => inverted.get_term_info(&self.term)?,
        };
        let Some(info) = info else { return Ok(None) };
        let constant = || FieldNormReader::constant(reader.max_doc(), 1);
        let (option, norms) = match self.scoring {
            true => {
                let norms = match part {
                    Some(part) => part.norms.clone(),
                    None => reader.fieldnorms_readers().get_field(field)?,
                };
                (IndexRecordOption::WithFreqs, norms.unwrap_or_else(constant))
            }
            false => (IndexRecordOption::Basic, constant()),
        };
        let bm25 = self.bm25.boost_by(boost);
        // Boxed here, where the postings are read: boxed by the caller, the scorer (over 1 KiB) was
        // moved once more.
        Ok(Some(Box::new(TermScorer { postings: inverted.read_postings_from_terminfo(&info, option)?, norms, bm25 })))
    }
}

/// A term's postings scored by BM25 (tantivy's own term scorer is not public).
struct TermScorer {
    postings: SegmentPostings,
    norms: FieldNormReader,
    bm25: Bm25Weight,
}

impl TermScorer {
    fn explain(&self) -> Explanation {
        self.bm25.explain(self.norms.fieldnorm_id(self.doc()), self.postings.term_freq())
    }
}

impl DocSet for TermScorer {
    #[inline]
    fn advance(&mut self) -> DocId {
        self.postings.advance()
    }

    #[inline]
    fn seek(&mut self, target: DocId) -> DocId {
        self.postings.seek(target)
    }

    #[inline]
    fn doc(&self) -> DocId {
        self.postings.doc()
    }

    fn size_hint(&self) -> u32 {
        self.postings.size_hint()
    }
}

impl Scorer for TermScorer {
    #[inline]
    fn score(&mut self) -> Score {
        self.bm25.score(self.norms.fieldnorm_id(self.doc()), self.postings.term_freq())
    }
}

impl Weight for WeightedTermWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(match self.term_scorer(reader, boost)? {
            Some(scorer) => scorer,
            None => Box::new(EmptyScorer),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        if let Some(mut scorer) = self.term_scorer(reader, 1.0)? {
            if scorer.doc() <= doc && scorer.seek(doc) == doc {
                return Ok(scorer.explain());
            }
        }
        Err(TantivyError::InvalidArgument(format!("document {doc} does not match")))
    }
}

/// tantivy's phrase query, with the statistics its BM25 weight asks for (each word's document
/// frequency, the field's length over all talks) answered from the generation's tables: tantivy
/// otherwise looks each word up in every part's term dictionary and sums the field's length part by
/// part, for every phrase of every search (`perf` under load: 1.6 % of the server's time). Its
/// field must be in `bm25`.
#[derive(Clone)]
pub struct TabledPhrase {
    phrase: PhraseQuery,
    bm25: Arc<Bm25Fields>,
}

impl std::fmt::Debug for TabledPhrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.phrase.fmt(f)
    }
}

impl TabledPhrase {
    pub fn new(phrase: PhraseQuery, bm25: Arc<Bm25Fields>) -> TabledPhrase {
        TabledPhrase { phrase, bm25 }
    }
}

impl Query for TabledPhrase {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        match scoring {
            EnableScoring::Enabled { searcher, .. } => {
                let tables = Tables { bm25: &self.bm25, searcher };
                self.phrase.weight(EnableScoring::enabled_from_statistics_provider(&tables, searcher))
            }
            EnableScoring::Disabled { .. } => self.phrase.weight(scoring),
        }
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.phrase.query_terms(visitor);
    }
}

/// BM25's statistics from a generation's tables, for the searcher of that generation.
struct Tables<'a> {
    bm25: &'a Bm25Fields,
    searcher: &'a Searcher,
}

impl Bm25StatisticsProvider for Tables<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        match self.bm25.field(field) {
            Some(f) => Ok(f.tokens),
            None => self.searcher.total_num_tokens(field),
        }
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Bm25StatisticsProvider::total_num_docs(self.searcher)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        let mut doc_freq = 0;
        for segment in self.searcher.segment_readers() {
            doc_freq += self.bm25.term_info(term, segment)?.map_or(0, |i| u64::from(i.doc_freq));
        }
        Ok(doc_freq)
    }
}

/// Matches the documents any clause matches (or, [`SumUnion::at_least`], at least some number of
/// them); scores the sum of the scores of the clauses that do.
#[derive(Debug)]
pub struct SumUnion {
    clauses: Vec<Box<dyn Query>>,
    least: usize,
    /// Whether the union is the whole query (see [`SumUnion::whole_query`]).
    whole: bool,
}

impl SumUnion {
    pub fn new(clauses: Vec<Box<dyn Query>>) -> SumUnion {
        SumUnion { clauses, least: 1, whole: false }
    }

    /// The union as the whole query, every document of which is visited: when its clauses hold many
    /// documents, it is read a window at a time (`WindowedUnion`). Inside an intersection, where
    /// only the documents the other words have are asked about, a union is not, as a window scores
    /// all of its documents (1M synthetic talks: the mix's English queries took half as long again).
    pub fn whole_query(self) -> SumUnion {
        SumUnion { whole: true, ..self }
    }

    /// The documents that at least `least` of the clauses match (tantivy's
    /// `BooleanQuery::union_with_minimum_required_clauses`, without scoring every document of every
    /// clause: see [`SumUnionScorer::settle`]).
    pub fn at_least(clauses: Vec<Box<dyn Query>>, least: usize) -> SumUnion {
        SumUnion { clauses, least: least.max(1), whole: false }
    }
}

impl Clone for SumUnion {
    fn clone(&self) -> SumUnion {
        let clauses = self.clauses.iter().map(|c| c.box_clone()).collect();
        SumUnion { clauses, least: self.least, whole: self.whole }
    }
}

impl Query for SumUnion {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self.clauses.iter().map(|c| c.weight(scoring)).collect::<tantivy::Result<_>>()?;
        Ok(Box::new(SumUnionWeight { weights, least: self.least, whole: self.whole }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for clause in &self.clauses {
            clause.query_terms(visitor);
        }
    }
}

struct SumUnionWeight {
    weights: Vec<Box<dyn Weight>>,
    least: usize,
    whole: bool,
}

impl Weight for SumUnionWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut clauses = Vec::with_capacity(self.weights.len());
        for weight in &self.weights {
            let scorer = weight.scorer(reader, boost)?;
            if scorer.doc() != TERMINATED {
                clauses.push(Clause { doc: scorer.doc(), scorer });
            }
        }
        Ok(match clauses.len() {
            n if n < self.least => Box::new(EmptyScorer),
            1 => clauses.pop().expect("one clause").scorer,
            _ if self.whole && self.least == 1 && is_dense(&clauses, reader.max_doc()) => {
                Box::new(WindowedUnion::new(clauses))
            }
            _ => {
                let doc = clauses.iter().map(|c| c.doc).min().unwrap_or(TERMINATED);
                let mut scorer = SumUnionScorer { clauses, doc, least: self.least, docs: Vec::new() };
                if scorer.least > 1 {
                    scorer.settle();
                }
                Box::new(scorer)
            }
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        explain_sum(self, &self.weights, reader, doc, "sum of the clauses that match")
    }
}

/// The explanation of `weight`, a sum of `clauses` named `name`: its score for `doc`, with the
/// explanations of the clauses that match it.
fn explain_sum(
    weight: &dyn Weight,
    clauses: &[Box<dyn Weight>],
    reader: &SegmentReader,
    doc: DocId,
    name: &'static str,
) -> tantivy::Result<Explanation> {
    let mut scorer = weight.scorer(reader, 1.0)?;
    if scorer.seek(doc) != doc {
        return Err(TantivyError::InvalidArgument(format!("document {doc} does not match")));
    }
    let mut explanation = Explanation::new(name, scorer.score());
    for clause in clauses {
        if let Ok(detail) = clause.explain(reader, doc) {
            explanation.add_detail(detail);
        }
    }
    Ok(explanation)
}

/// A clause's scorer and the document it is on (kept here, so that finding the next document reads
/// a vector rather than calling every scorer).
struct Clause {
    doc: DocId,
    scorer: Box<dyn Scorer>,
}

struct SumUnionScorer {
    /// The clauses not yet exhausted, in the query's order.
    clauses: Vec<Clause>,
    doc: DocId,
    /// How many clauses a document must match.
    least: usize,
    /// Scratch for finding the `least`-th smallest of the clauses' documents.
    docs: Vec<DocId>,
}

impl SumUnionScorer {
    /// Moves the clauses that `step` says to move, in one pass that also finds the smallest
    /// document they are on; drops the clauses it exhausted.
    fn step(&mut self, mut moves: impl FnMut(&mut Clause) -> bool, mut go: impl FnMut(&mut Clause) -> DocId) -> DocId {
        let (mut min, mut exhausted) = (TERMINATED, false);
        for clause in &mut self.clauses {
            if moves(clause) {
                clause.doc = go(clause);
                exhausted |= clause.doc == TERMINATED;
            }
            min = min.min(clause.doc);
        }
        if exhausted {
            self.clauses.retain(|c| c.doc != TERMINATED);
        }
        self.doc = min;
        min
    }

    /// With `least` > 1: from where the clauses are, moves on to the first document that at least
    /// `least` of them match. No document before the `least`-th smallest of the clauses' documents
    /// can be one (fewer clauses are still at or before it), so every clause behind that document
    /// skips to it through its postings, rather than visiting (and scoring, as tantivy's union with
    /// a minimum does) each of its documents on the way.
    fn settle(&mut self) -> DocId {
        loop {
            if self.clauses.len() < self.least {
                self.clauses.clear();
                self.doc = TERMINATED;
                return TERMINATED;
            }
            self.docs.clear();
            self.docs.extend(self.clauses.iter().map(|c| c.doc));
            let target = *self.docs.select_nth_unstable(self.least - 1).1;
            self.step(|c| c.doc < target, |c| c.scorer.seek(target));
            if self.clauses.iter().filter(|c| c.doc == target).count() >= self.least {
                self.doc = target;
                return target;
            }
            // Too few clauses on `target`: it is no match; those on it move on.
            self.step(|c| c.doc == target, |c| c.scorer.advance());
        }
    }
}

impl DocSet for SumUnionScorer {
    fn advance(&mut self) -> DocId {
        let current = self.doc;
        self.step(|c| c.doc == current, |c| c.scorer.advance());
        match self.least {
            1 => self.doc,
            _ => self.settle(),
        }
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        self.step(|c| c.doc < target, |c| c.scorer.seek(target));
        match self.least {
            1 => self.doc,
            _ => self.settle(),
        }
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        size_hint(&self.clauses)
    }

    fn cost(&self) -> u64 {
        self.clauses.iter().map(|c| c.scorer.cost()).sum()
    }
}

/// A union's size: at least the biggest clause's; the sum of the clauses' when they do not overlap.
fn size_hint(clauses: &[Clause]) -> u32 {
    clauses.iter().fold(0u32, |sum, c| sum.saturating_add(c.scorer.size_hint()))
}

impl Scorer for SumUnionScorer {
    fn score(&mut self) -> Score {
        let mut sum: Score = 0.0;
        for clause in &mut self.clauses {
            if clause.doc == self.doc {
                sum += clause.scorer.score();
            }
        }
        sum
    }
}

/// Whether a union's clauses hold so many of the part's documents that moving through them a window
/// at a time ([`WindowedUnion`]) costs less than finding each next document among the clauses: at
/// least one posting for every [`DENSE`] documents of the part.
fn is_dense(clauses: &[Clause], max_doc: u32) -> bool {
    size_hint(clauses) as u64 * DENSE >= max_doc as u64
}

/// See [`is_dense`]. 1M synthetic talks, the 3,000-query mix: the unions that words like `python`,
/// `data` or `开源` make, each matching a tenth to a half of all talks.
const DENSE: u64 = 8;

/// Documents per window of a [`WindowedUnion`] or a [`WindowedIntersection`].
const WINDOW: u32 = 4096;

/// Words of a window's bit set.
const WORDS: usize = (WINDOW / 64) as usize;

/// One union's documents in a window of [`WINDOW`] documents, as tantivy's buffered union reads
/// them: each clause's postings in the window are added into a table of scores, in the clauses'
/// order (so a document scores exactly what [`SumUnionScorer`] gives it), and marked in a bit set.
struct Window {
    /// The clauses not yet exhausted, each on its first document past the window once it is read.
    clauses: Vec<Clause>,
    /// Which documents of the window match, and what each scores (0 for the others).
    bits: Box<[u64; WORDS]>,
    scores: Box<[Score; WINDOW as usize]>,
}

impl Window {
    fn new(clauses: Vec<Clause>) -> Window {
        Window { clauses, bits: Box::new([0; WORDS]), scores: Box::new([0.0; WINDOW as usize]) }
    }

    /// The first document of the clauses still to read (`TERMINATED` when none is left).
    fn first(&self) -> DocId {
        self.clauses.iter().map(|c| c.doc).min().unwrap_or(TERMINATED)
    }

    /// Reads every clause's postings in the window starting at `start` (clauses behind it skip to
    /// it first). The window must be empty.
    fn fill(&mut self, start: DocId) {
        let end = start.saturating_add(WINDOW);
        for clause in &mut self.clauses {
            if clause.doc < start {
                clause.doc = clause.scorer.seek(start);
            }
            let (bits, scores) = (&mut *self.bits, &mut *self.scores);
            // A term's postings (nearly every clause) are read without a call through the box.
            clause.doc = match clause.scorer.downcast_mut::<TermScorer>() {
                Some(term) => read_window(term, clause.doc, start, end, bits, scores),
                None => read_window(&mut clause.scorer, clause.doc, start, end, bits, scores),
            };
        }
        self.clauses.retain(|c| c.doc != TERMINATED);
    }

    /// Empties the window from its word `from` on (the words before it are empty).
    fn clear(&mut self, from: usize) {
        for word in from..WORDS {
            let mut bits = std::mem::take(&mut self.bits[word]);
            while bits != 0 {
                self.scores[word * 64 + bits.trailing_zeros() as usize] = 0.0;
                bits &= bits - 1;
            }
        }
    }
}

/// Marks and scores `scorer`'s documents from `doc` (where it is) up to `end` in the window starting at
/// `start`; returns the document it stops on.
#[inline]
fn read_window<S: Scorer + ?Sized>(
    scorer: &mut S,
    mut doc: DocId,
    start: DocId,
    end: DocId,
    bits: &mut [u64; WORDS],
    scores: &mut [Score; WINDOW as usize],
) -> DocId {
    while doc < end {
        let at = (doc - start) as usize;
        bits[at / 64] |= 1 << (at % 64);
        scores[at] += scorer.score();
        doc = scorer.advance();
    }
    doc
}

/// A windowed docset's `seek` to `target` from `doc`, in its window starting at `start`, when it
/// stays there: the document it is on or moves on to (one at a time). `None` when `target` is past
/// the window.
fn seek_in_window<D: DocSet>(docset: &mut D, doc: DocId, start: DocId, target: DocId) -> Option<DocId> {
    if doc >= target {
        return Some(doc);
    }
    if target - start >= WINDOW {
        return None;
    }
    loop {
        let doc = docset.advance();
        if doc >= target {
            return Some(doc);
        }
    }
}

/// The next document of a window's bit set from its word `*word` on (the words before it are
/// empty), taken out of the set: its place in the window.
fn next_bit(bits: &mut [u64; WORDS], word: &mut usize) -> Option<usize> {
    while let Some(&set) = bits.get(*word) {
        if set == 0 {
            *word += 1;
            continue;
        }
        bits[*word] = set & (set - 1);
        return Some(*word * 64 + set.trailing_zeros() as usize);
    }
    None
}

/// A union of clauses that match many of the part's documents (see [`is_dense`]), read a [`Window`]
/// at a time; its documents are then taken from the window's bit set. Finding the next document no
/// longer looks at every clause (1M talks: a word such as `python` is some ten clauses over hundreds
/// of thousands of talks).
struct WindowedUnion {
    window: Window,
    /// The window's first document.
    start: DocId,
    /// The word of the window's bit set being read: the words before it are empty.
    word: usize,
    doc: DocId,
    score: Score,
}

impl WindowedUnion {
    fn new(clauses: Vec<Clause>) -> WindowedUnion {
        let mut union = WindowedUnion { window: Window::new(clauses), start: 0, word: 0, doc: 0, score: 0.0 };
        union.refill(0);
        union.advance();
        union
    }

    /// Starts a window at the smallest document of the clauses, or at `from` when that is later, and
    /// reads it (the window must be empty). Returns false when the clauses are exhausted.
    fn refill(&mut self, from: DocId) -> bool {
        let start = self.window.first();
        if start == TERMINATED {
            return false;
        }
        let start = start.max(from);
        self.start = start;
        self.word = 0;
        self.window.fill(start);
        true
    }
}

impl DocSet for WindowedUnion {
    fn advance(&mut self) -> DocId {
        loop {
            if let Some(at) = next_bit(&mut self.window.bits, &mut self.word) {
                self.score = std::mem::take(&mut self.window.scores[at]);
                self.doc = self.start + at as DocId;
                return self.doc;
            }
            if !self.refill(0) {
                self.doc = TERMINATED;
                return TERMINATED;
            }
        }
    }

    fn seek(&mut self, target: DocId) -> DocId {
        // In this window, its documents before `target` are passed (their scores back to 0).
        if let Some(doc) = seek_in_window(self, self.doc, self.start, target) {
            return doc;
        }
        // Past this window: empty it and start again at `target` (the clauses behind it skip there).
        self.window.clear(self.word);
        if !self.refill(target) {
            self.doc = TERMINATED;
            return TERMINATED;
        }
        self.advance()
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        size_hint(&self.window.clauses)
    }

    fn cost(&self) -> u64 {
        self.window.clauses.iter().map(|c| c.scorer.cost()).sum()
    }
}

impl Scorer for WindowedUnion {
    fn score(&mut self) -> Score {
        self.score
    }
}

/// Matches the documents every clause matches; scores the sum of the clauses' scores, as tantivy's
/// intersection does (the same sum, added in the same order). The words of a query, each a union
/// ([`SumUnion`]), are one.
///
/// When every clause holds many of the part's documents (see [`is_dense`]: 1M talks, `data in
/// Python`, 257,898 matches), going from one document of the intersection to the next moves every
/// union's clauses by seeks, about as many times as there are matches. Then the clauses are read a
/// window at a time instead ([`WindowedIntersection`]). With one sparse clause, the intersection
/// only asks the others about its few documents, and is left to tantivy.
#[derive(Debug)]
pub struct AllOf {
    clauses: Vec<Box<dyn Query>>,
}

impl AllOf {
    pub fn new(clauses: Vec<Box<dyn Query>>) -> AllOf {
        AllOf { clauses }
    }
}

impl Clone for AllOf {
    fn clone(&self) -> AllOf {
        AllOf { clauses: self.clauses.iter().map(|c| c.box_clone()).collect() }
    }
}

impl Query for AllOf {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self.clauses.iter().map(|c| c.weight(scoring)).collect::<tantivy::Result<_>>()?;
        Ok(Box::new(AllOfWeight { weights }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for clause in &self.clauses {
            clause.query_terms(visitor);
        }
    }
}

struct AllOfWeight {
    weights: Vec<Box<dyn Weight>>,
}

impl Weight for AllOfWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut scorers = Vec::with_capacity(self.weights.len());
        for weight in &self.weights {
            let scorer = weight.scorer(reader, boost)?;
            if scorer.doc() == TERMINATED {
                return Ok(Box::new(EmptyScorer));
            }
            scorers.push(scorer);
        }
        // As tantivy's boolean query has them before ordering them by cost: on their first common
        // document (a union whose clauses run out on the way costs less).
        let mut first = scorers.iter().map(|s| s.doc()).max().unwrap_or(TERMINATED);
        'align: while first != TERMINATED {
            for scorer in &mut scorers {
                let doc = scorer.seek(first);
                if doc > first {
                    first = doc;
                    continue 'align;
                }
            }
            break;
        }
        if first == TERMINATED {
            return Ok(Box::new(EmptyScorer));
        }
        let windowed = |s: &dyn Scorer| {
            let union = s.downcast_ref::<SumUnionScorer>().is_none_or(|u| u.least == 1);
            union && s.size_hint() as u64 * DENSE >= reader.max_doc() as u64
        };
        if scorers.len() < 2 || !scorers.iter().all(|s| windowed(s.as_ref())) {
            return Ok(intersect_scorers(scorers, reader.num_docs()));
        }
        // In the order tantivy's intersection adds the scores in.
        scorers.sort_by_key(|s| s.cost());
        let windows = scorers.into_iter().map(|s| match s.downcast::<SumUnionScorer>() {
            Ok(union) => Window::new(union.clauses),
            Err(other) => Window::new(vec![Clause { doc: other.doc(), scorer: other }]),
        });
        Ok(Box::new(WindowedIntersection::new(windows.collect())))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        explain_sum(self, &self.weights, reader, doc, "sum of the clauses, all of which match")
    }
}

/// An intersection of dense unions (see [`AllOf`]), read a window at a time: each union's
/// [`Window`] is read in turn, in the order of their costs, and the documents of the window are
/// those in all of their bit sets. When no document of a window is left, the unions after are not
/// read there (their clauses skip past it by their postings' skip lists).
struct WindowedIntersection {
    /// The unions, in the order of their costs.
    unions: Vec<Window>,
    /// The window's first document.
    start: DocId,
    /// The documents of the window in every union.
    all: Box<[u64; WORDS]>,
    /// The word of `all` being read: the words before it are empty.
    word: usize,
    doc: DocId,
    score: Score,
}

impl WindowedIntersection {
    fn new(unions: Vec<Window>) -> WindowedIntersection {
        let all = Box::new([0; WORDS]);
        let mut and = WindowedIntersection { unions, start: 0, all, word: WORDS, doc: 0, score: 0.0 };
        and.refill(0);
        and.advance();
        and
    }

    /// Empties the window and starts the next one with a document in every union, at `from` or
    /// after. Returns false when there is none.
    fn refill(&mut self, from: DocId) -> bool {
        loop {
            // The unions not read in the last window are empty already.
            for union in &mut self.unions {
                union.clear(0);
            }
            // No union has a document before its first one.
            let start = self.unions.iter().map(Window::first).max().unwrap_or(TERMINATED).max(from);
            if start == TERMINATED {
                return false;
            }
            self.all.fill(u64::MAX);
            let mut empty = false;
            for union in &mut self.unions {
                union.fill(start);
                self.all.iter_mut().zip(union.bits.iter()).for_each(|(all, bits)| *all &= bits);
                empty = self.all.iter().all(|&w| w == 0);
                if empty {
                    break;
                }
            }
            if !empty {
                self.start = start;
                self.word = 0;
                return true;
            }
        }
    }
}

impl DocSet for WindowedIntersection {
    fn advance(&mut self) -> DocId {
        loop {
            if let Some(at) = next_bit(&mut self.all, &mut self.word) {
                // As tantivy's intersection adds: the first two, then the sum of the others.
                let score = |w: &Window| w.scores[at];
                let (first, second) = (score(&self.unions[0]), score(&self.unions[1]));
                let others = self.unions[2..].iter().map(score).fold(0.0, |sum: Score, s| sum + s);
                self.score = first + second + others;
                self.doc = self.start + at as DocId;
                return self.doc;
            }
            if !self.refill(0) {
                self.doc = TERMINATED;
                return TERMINATED;
            }
        }
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if let Some(doc) = seek_in_window(self, self.doc, self.start, target) {
            return doc;
        }
        if !self.refill(target) {
            self.doc = TERMINATED;
            return TERMINATED;
        }
        self.advance()
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.unions.iter().map(|u| size_hint(&u.clauses)).min().unwrap_or(0)
    }

    fn cost(&self) -> u64 {
        self.unions.iter().flat_map(|u| &u.clauses).map(|c| c.scorer.cost()).sum()
    }
}

impl Scorer for WindowedIntersection {
    fn score(&mut self) -> Score {
        self.score
    }
}

/// A query whose matches also score the clauses of a bonus that match them, the bonus deciding
/// nothing about which documents match (tantivy's `Should` beside `Must` clauses, for what a search
/// adds to a talk's score: its words standing together in its title, its question words).
///
/// tantivy asks an optional clause about each document by `seek`: a phrase that is not on the
/// document then moves on to its next match, reading the positions of every document that has all
/// of its words on the way, and before the first document it already moved to its first match.
/// Here each bonus clause is only asked whether it is on the documents the query matches
/// (`seek_danger`, which reads positions there and nowhere else). Callgrind, the 3,000-query mix
/// over HTTP: 660.0 → 653.5 k instructions per search (opening each phrase's positions, some 20 k,
/// is left).
/// Scores are the query's plus the sum of the bonus clauses that match, in their order, as
/// tantivy's `Should` clauses add them.
pub struct WithBonus {
    query: Box<dyn Query>,
    bonus: Vec<Box<dyn Query>>,
}

impl WithBonus {
    pub fn new(query: Box<dyn Query>, bonus: Vec<Box<dyn Query>>) -> WithBonus {
        WithBonus { query, bonus }
    }
}

impl Clone for WithBonus {
    fn clone(&self) -> WithBonus {
        WithBonus { query: self.query.box_clone(), bonus: self.bonus.iter().map(|c| c.box_clone()).collect() }
    }
}

impl std::fmt::Debug for WithBonus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WithBonus").field("query", &self.query).field("bonus", &self.bonus).finish()
    }
}

impl Query for WithBonus {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let query = self.query.weight(scoring)?;
        if !scoring.is_scoring_enabled() {
            return Ok(query);
        }
        let bonus = self.bonus.iter().map(|c| c.weight(scoring)).collect::<tantivy::Result<_>>()?;
        Ok(Box::new(WithBonusWeight { query, bonus }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.query.query_terms(visitor);
        for clause in &self.bonus {
            clause.query_terms(visitor);
        }
    }
}

struct WithBonusWeight {
    query: Box<dyn Weight>,
    bonus: Vec<Box<dyn Weight>>,
}

impl Weight for WithBonusWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let query = self.query.scorer(reader, boost)?;
        let first = query.doc();
        if first == TERMINATED {
            return Ok(query);
        }
        let mut bonus = Vec::with_capacity(self.bonus.len());
        for weight in &self.bonus {
            let (found, scorer) = weight.scorer_danger(reader, first, boost)?;
            let clause = match found {
                SeekDangerResult::Found => BonusClause { scorer, on: first, from: first + 1 },
                SeekDangerResult::SeekLowerBound(TERMINATED) => continue,
                SeekDangerResult::SeekLowerBound(from) => BonusClause { scorer, on: TERMINATED, from },
            };
            bonus.push(clause);
        }
        match bonus.is_empty() {
            true => Ok(query),
            false => Ok(Box::new(WithBonusScorer { query, bonus })),
        }
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let query = self.query.explain(reader, doc)?;
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!("document {doc} does not match")));
        }
        let mut explanation = Explanation::new("the query's score and the bonus that matches", scorer.score());
        explanation.add_detail(query);
        for clause in &self.bonus {
            if let Ok(detail) = clause.explain(reader, doc) {
                explanation.add_detail(detail);
            }
        }
        Ok(explanation)
    }
}

/// A bonus clause's scorer: `on` the document it was last found on, and not on any document before
/// `from` (past `on`, it may be in the invalid state `seek_danger` leaves).
struct BonusClause {
    scorer: Box<dyn Scorer>,
    on: DocId,
    from: DocId,
}

struct WithBonusScorer {
    query: Box<dyn Scorer>,
    /// The clauses not exhausted, in the query's order.
    bonus: Vec<BonusClause>,
}

impl DocSet for WithBonusScorer {
    fn advance(&mut self) -> DocId {
        self.query.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.query.seek(target)
    }

    fn doc(&self) -> DocId {
        self.query.doc()
    }

    fn size_hint(&self) -> u32 {
        self.query.size_hint()
    }

    fn cost(&self) -> u64 {
        self.query.cost()
    }
}

impl Scorer for WithBonusScorer {
    fn score(&mut self) -> Score {
        let doc = self.query.doc();
        let mut bonus: Score = 0.0;
        for clause in &mut self.bonus {
            // On `doc` already, a clause has `from` past it.
            if clause.from <= doc {
                match clause.scorer.seek_danger(doc) {
                    SeekDangerResult::Found => (clause.on, clause.from) = (doc, doc + 1),
                    SeekDangerResult::SeekLowerBound(from) => clause.from = from,
                }
            }
            if clause.on == doc {
                bonus += clause.scorer.score();
            }
        }
        self.query.score() + bonus
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::{BooleanQuery, BoostQuery, Occur, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{doc, Index, Searcher};

    /// An index of `n` documents with a title and a body, `text(i)` giving the i-th's.
    fn two_fields(n: usize, text: impl Fn(usize) -> (String, String)) -> (Searcher, Field, Field) {
        let mut schema = Schema::builder();
        let title = schema.add_text_field("title", TEXT);
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for i in 0..n {
            let (t, b) = text(i);
            writer.add_document(doc!(title => t, body => b)).unwrap();
        }
        writer.commit().unwrap();
        (index.reader().unwrap().searcher(), title, body)
    }

    /// 6,000 documents, each a title word and two or three body words of seven (`istio` in every
    /// eleventh body).
    fn mesh_words() -> (Searcher, Field, Field) {
        let words = ["mesh", "istio", "envoy", "proxy", "sidecar", "gateway", "kernel"];
        two_fields(6000, |i| {
            let pick = |k: usize| words[(i * k + i / 7) % words.len()];
            (pick(2).to_string(), format!("{} {} {}", pick(3), pick(5), if i % 11 == 0 { "istio" } else { "" }))
        })
    }

    /// A term's place comes from the map of recent terms as tantivy's term dictionary gives it,
    /// present or absent, asked once or again; past [`RECENT_TERMS`] the map starts over.
    #[test]
    fn recent_terms_answer_as_the_term_dictionary_does() {
        let (searcher, title, body) = mesh_words();
        let tables = Bm25Fields::new(&searcher, [title, body]).unwrap();
        let segment = searcher.segment_reader(0);
        for (field, word) in [(body, "istio"), (title, "mesh"), (body, "absent"), (body, "istio")] {
            let term = Term::from_field_text(field, word);
            let theirs = segment.inverted_index(field).unwrap().get_term_info(&term).unwrap();
            let ours = tables.term_info(&term, segment).unwrap();
            assert_eq!(ours, theirs, "{word}");
            assert_eq!(ours.is_some(), word != "absent");
        }
        let part = tables.field(body).unwrap().part(segment.segment_id()).unwrap();
        assert_eq!(part.recent.lock().unwrap().len(), 2);
        for i in 0..RECENT_TERMS + 10 {
            part.term_info(&Term::from_field_text(body, &format!("w{i}"))).unwrap();
        }
        // Full at the 4,096th term (the two above and 4,094 new ones), emptied for the next: 12 left.
        assert_eq!(part.recent.lock().unwrap().len(), 12);
        // Another generation's part is not in the tables: its own term dictionary answers.
        let other = two_fields(3, |i| ("t".into(), ["istio", "b", "istio envoy"][i].into())).0;
        let istio = Term::from_field_text(body, "istio");
        let info = tables.term_info(&istio, other.segment_reader(0)).unwrap().unwrap();
        assert_eq!(info.doc_freq, 2);
    }

    /// The same talks and scores as tantivy's phrase query, boosted or not.
    #[test]
    fn a_tabled_phrase_scores_as_a_phrase_query() {
        let (searcher, title, body) = mesh_words();
        let tables = Arc::new(Bm25Fields::new(&searcher, [title, body]).unwrap());
        let all = (TopDocs::with_limit(6000).order_by_score(), Count);
        for (first, second, slop) in [("proxy", "istio", 0), ("istio", "proxy", 2), ("kernel", "absent", 1)] {
            let words = vec![(0, Term::from_field_text(body, first)), (1, Term::from_field_text(body, second))];
            let phrase = PhraseQuery::new_with_offset_and_slop(words, slop);
            let ours = BoostQuery::new(Box::new(TabledPhrase::new(phrase.clone(), Arc::clone(&tables))), 3.0);
            let theirs = BoostQuery::new(Box::new(phrase), 3.0);
            let (a, b) = (searcher.search(&ours, &all).unwrap(), searcher.search(&theirs, &all).unwrap());
            assert_eq!(a, b, "{first} {second}");
            assert_eq!(a.1 == 0, second == "absent", "{first} {second}: {}", a.1);
        }
    }

    /// A term query, scored.
    fn term(field: Field, text: &str) -> Box<dyn Query> {
        Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::WithFreqs))
    }

    /// The same documents and scores as tantivy's `Must` clauses with the bonus as `Should` clauses:
    /// a phrase that is on few of the documents the query matches, one on none, a term; a bonus on
    /// the query's first document and one that is not; a query with no match.
    #[test]
    fn a_bonus_scores_as_should_clauses_beside_must_clauses_do() {
        let (searcher, title, body) = mesh_words();
        let phrase = |field: Field, a: &str, b: &str| -> Box<dyn Query> {
            let words = vec![(0, Term::from_field_text(field, a)), (1, Term::from_field_text(field, b))];
            Box::new(BoostQuery::new(Box::new(PhraseQuery::new_with_offset_and_slop(words, 1)), 3.0))
        };
        let bonus = || -> Vec<Box<dyn Query>> {
            vec![
                phrase(body, "proxy", "istio"),
                phrase(body, "kernel", "absent"),
                Box::new(BoostQuery::new(term(title, "envoy"), 0.1)),
                phrase(body, "envoy", "sidecar"),
            ]
        };
        let all = (TopDocs::with_limit(6000).order_by_score(), Count);
        for (must, matches) in [("istio", true), ("mesh", true), ("absent", false)] {
            let ours = WithBonus::new(Box::new(BooleanQuery::intersection(vec![term(body, must)])), bonus());
            let mut clauses = vec![(Occur::Must, term(body, must))];
            clauses.push((
                Occur::Should,
                Box::new(BooleanQuery::new(bonus().into_iter().map(|c| (Occur::Should, c)).collect())),
            ));
            let theirs = BooleanQuery::new(clauses);
            let (a, b) = (searcher.search(&ours, &all).unwrap(), searcher.search(&theirs, &all).unwrap());
            assert_eq!(a, b, "{must}");
            assert_eq!(a.1 > 100, matches, "{must}: {}", a.1);
            // Some documents have a bonus, others not.
            let scores: HashSet<u32> = a.0.iter().map(|(score, _)| score.to_bits()).collect();
            assert_eq!(scores.len() > 2, matches, "{must}");
            if let Some((score, top)) = a.0.first() {
                assert_eq!(ours.explain(&searcher, *top).unwrap().value(), *score);
            }
        }
    }

    /// The same documents and scores as tantivy's union of `Should` clauses, alone and inside an
    /// intersection.
    #[test]
    fn scores_as_a_boolean_union_does() {
        let (searcher, title, body) = mesh_words();
        let clauses = || -> Vec<Box<dyn Query>> {
            vec![
                Box::new(BoostQuery::new(term(title, "mesh"), 2.0)),
                term(body, "mesh"),
                Box::new(BoostQuery::new(term(body, "gateway"), 0.3)),
                term(body, "absent"),
            ]
        };
        let ours = SumUnion::new(clauses());
        let theirs = BooleanQuery::new(clauses().into_iter().map(|c| (Occur::Should, c)).collect());
        let all = (TopDocs::with_limit(6000).order_by_score(), Count);
        let (a, b) = (searcher.search(&ours, &all).unwrap(), searcher.search(&theirs, &all).unwrap());
        assert!(a.1 > 1000, "{}", a.1);
        assert_eq!(a, b);
        // One word of two: the union is asked only about the documents with `istio` in the body.
        let and = |union: Box<dyn Query>| BooleanQuery::intersection(vec![term(body, "istio"), union]);
        let (a, b) = (
            searcher.search(&and(Box::new(ours.clone())), &all).unwrap(),
            searcher.search(&and(Box::new(theirs.clone())), &all).unwrap(),
        );
        assert!(a.1 > 100, "{}", a.1);
        assert_eq!(a, b);
        let top = a.0[0].1;
        let explained = and(Box::new(ours)).explain(&searcher, top).unwrap();
        assert_eq!(explained.value(), a.0[0].0);
    }

    /// A whole-query union read a window at a time gives the documents and scores of one read
    /// document by document: moved on one by one and by seeks short and long (past several windows),
    /// and collected whole.
    #[test]
    fn a_union_read_in_windows_answers_as_one_read_document_by_document() {
        let words = ["mesh", "istio", "envoy", "proxy", "sidecar", "gateway", "kernel"];
        let (searcher, title, body) = two_fields(20_000, |i| {
            let pick = |k: usize| words[(i * k + i / 13) % words.len()];
            (pick(3).to_string(), format!("{} {} {}", pick(5), pick(2), if i % 17 == 0 { "mesh mesh" } else { "" }))
        });
        // Our term scorer (read without a call through the box) beside tantivy's.
        let bm25 = Arc::new(Bm25Fields::new(&searcher, [title, body]).unwrap());
        let clauses = || -> Vec<Box<dyn Query>> {
            vec![
                Box::new(BoostQuery::new(term(title, "mesh"), 2.0)),
                term(body, "mesh"),
                Box::new(BoostQuery::new(term(body, "gateway"), 0.3)),
                Box::new(WeightedTerm::new(Term::from_field_text(title, "kernel"), 1.0, Arc::clone(&bm25)).times(1.2)),
            ]
        };
        let (windowed, plain) = (SumUnion::new(clauses()).whole_query(), SumUnion::new(clauses()));
        let scorer = |union: &SumUnion| {
            let weight = union.weight(EnableScoring::enabled_from_searcher(&searcher)).unwrap();
            weight.scorer(searcher.segment_reader(0), 1.0).unwrap()
        };
        // Short seeks (inside a window), then long ones too (past one or several).
        for (steps, least) in [(&[1, 2, 3, 64, 65, 500][..], 100), (&[1, 4095, 4096, 4097, 9000, 2][..], 3)] {
            let (ours, theirs) = (scorer(&windowed), scorer(&plain));
            assert!(ours.is::<WindowedUnion>() && !theirs.is::<WindowedUnion>());
            let seen = same_steps(ours, theirs, steps);
            assert!(seen > least, "{seen}");
        }
        let all = (TopDocs::with_limit(20_000).order_by_score(), Count);
        let (a, b) = (searcher.search(&windowed, &all).unwrap(), searcher.search(&plain, &all).unwrap());
        assert!(a.1 > 10_000, "{}", a.1);
        assert_eq!(a, b);
    }

    /// Steps `ours` and `theirs` side by side, moved on one by one and by seeks of `steps` (cycled),
    /// checking they are on the same documents with the same scores; returns how many steps.
    fn same_steps(mut ours: Box<dyn Scorer>, mut theirs: Box<dyn Scorer>, steps: &[u32]) -> usize {
        let mut steps = steps.iter().cycle();
        let mut seen = 0;
        while ours.doc() != TERMINATED {
            assert_eq!((ours.doc(), ours.score()), (theirs.doc(), theirs.score()));
            let target = ours.doc() + steps.next().unwrap();
            assert_eq!(ours.seek(target), theirs.seek(target));
            if ours.doc() != TERMINATED {
                assert_eq!((ours.doc(), ours.score()), (theirs.doc(), theirs.score()));
                assert_eq!(ours.advance(), theirs.advance());
            }
            seen += 1;
        }
        assert_eq!(theirs.doc(), TERMINATED);
        seen
    }

    /// An intersection of dense unions read a window at a time gives the documents and scores of
    /// tantivy's intersection (the same sums, added in the same order, for two unions and for
    /// three): moved on one by one and by seeks short and long, and collected whole. With a sparse
    /// clause, it is tantivy's.
    #[test]
    fn an_intersection_of_dense_unions_in_windows_answers_as_tantivys() {
        let words = ["mesh", "istio", "envoy", "proxy", "sidecar", "gateway", "kernel"];
        let (searcher, title, body) = two_fields(20_000, |i| {
            let pick = |k: usize| words[(i * k + i / 13) % words.len()];
            let rare = if i % 97 == 0 { "rare" } else { "" };
            (
                pick(3).to_string(),
                format!("{} {} {} {rare}", pick(5), pick(2), if i % 17 == 0 { "mesh mesh" } else { "" }),
            )
        });
        let bm25 = Arc::new(Bm25Fields::new(&searcher, [title, body]).unwrap());
        let ours_term = |field: Field, word: &str, weight: f32| -> Box<dyn Query> {
            Box::new(WeightedTerm::new(Term::from_field_text(field, word), 1.0, Arc::clone(&bm25)).times(weight))
        };
        let unions = || -> Vec<Box<dyn Query>> {
            vec![
                Box::new(SumUnion::new(vec![ours_term(title, "mesh", 2.0), term(body, "mesh")])),
                Box::new(SumUnion::new(vec![
                    term(title, "gateway"),
                    ours_term(body, "gateway", 0.3),
                    Box::new(BoostQuery::new(term(body, "proxy"), 0.7)),
                ])),
                Box::new(SumUnion::new(vec![ours_term(body, "kernel", 1.5), term(body, "sidecar")])),
            ]
        };
        let all = (TopDocs::with_limit(20_000).order_by_score(), Count);
        let scorer = |query: &dyn Query| {
            let weight = query.weight(EnableScoring::enabled_from_searcher(&searcher)).unwrap();
            weight.scorer(searcher.segment_reader(0), 1.0).unwrap()
        };
        for n in [2, 3] {
            let ours = AllOf::new(unions().into_iter().take(n).collect());
            let theirs = BooleanQuery::intersection(unions().into_iter().take(n).collect());
            for (steps, least) in [(&[1, 2, 3, 64, 65, 500][..], 50), (&[1, 4095, 4096, 4097, 9000, 2][..], 3)] {
                let (a, b) = (scorer(&ours), scorer(&theirs));
                assert!(a.is::<WindowedIntersection>());
                let seen = same_steps(a, b, steps);
                assert!(seen > least, "{n}: {seen}");
            }
            let (a, b) = (searcher.search(&ours, &all).unwrap(), searcher.search(&theirs, &all).unwrap());
            assert!(a.1 > 1000, "{n}: {}", a.1);
            assert_eq!(a, b);
            let (score, top) = a.0[0];
            assert_eq!(ours.explain(&searcher, top).unwrap().value(), score);
        }
        // A sparse clause (`rare`, in one document in 97): tantivy's intersection, the same answers.
        let sparse = || -> Vec<Box<dyn Query>> { vec![unions().remove(0), term(body, "rare")] };
        let (ours, theirs) = (AllOf::new(sparse()), BooleanQuery::intersection(sparse()));
        assert!(!scorer(&ours).is::<WindowedIntersection>());
        let (a, b) = (searcher.search(&ours, &all).unwrap(), searcher.search(&theirs, &all).unwrap());
        assert!(a.1 > 10, "{}", a.1);
        assert_eq!(a, b);
    }

    /// The same documents as tantivy's union with a minimum number of clauses, scored the same but
    /// for the order the clauses' scores are added in, alone and inside an intersection.
    #[test]
    fn at_least_matches_as_a_union_with_a_minimum_does() {
        let (searcher, title, body) = mesh_words();
        let clauses = || -> Vec<Box<dyn Query>> {
            vec![
                Box::new(SumUnion::new(vec![term(title, "mesh"), term(body, "mesh")])),
                Box::new(BoostQuery::new(term(body, "gateway"), 0.3)),
                term(body, "istio"),
                term(title, "kernel"),
                term(body, "absent"),
            ]
        };
        type Found = (Vec<(Score, tantivy::DocAddress)>, usize);
        let all = (TopDocs::with_limit(6000).order_by_score(), Count);
        // The same documents with the same scores (to 1e-4): the order of equal scores may differ.
        let same = |a: Found, b: Found| {
            let sorted = |v: &[(Score, tantivy::DocAddress)]| {
                let mut v: Vec<_> = v.iter().map(|(s, d)| ((s * 1e4).round() as i64, *d)).collect();
                v.sort();
                v
            };
            assert_eq!((a.1, sorted(&a.0)), (b.1, sorted(&b.0)));
            a.1
        };
        for least in 2..=5 {
            let ours = SumUnion::at_least(clauses(), least);
            let theirs = BooleanQuery::union_with_minimum_required_clauses(clauses(), least);
            let n = same(searcher.search(&ours, &all).unwrap(), searcher.search(&theirs, &all).unwrap());
            assert!(if least < 4 { n > 100 } else { n == 0 }, "{least}: {n}");
            let and = |union: Box<dyn Query>| BooleanQuery::intersection(vec![term(body, "envoy"), union]);
            let (a, b) = (and(Box::new(ours.clone())), and(Box::new(theirs.clone())));
            let n = same(searcher.search(&a, &all).unwrap(), searcher.search(&b, &all).unwrap());
            assert!(least >= 3 || n > 10, "{least}: {n}");
        }
    }

    /// The same documents as tantivy's boosted term query, scored the same but for the last bits.
    #[test]
    fn a_weighted_term_scores_as_a_boosted_term_query() {
        let (searcher, title, body) = two_fields(500, |i| {
            let title = if i % 4 == 0 { "mesh" } else { "other" };
            (title.to_string(), format!("{} mesh {}", "istio ".repeat(i % 5), "envoy ".repeat(i % 3)))
        });
        let bm25 = Arc::new(Bm25Fields::new(&searcher, [title, body]).unwrap());
        for (field, word, weight) in [(body, "istio", 0.7f32), (title, "mesh", 2.0), (body, "absent", 1.0)] {
            let term = Term::from_field_text(field, word);
            let ours = WeightedTerm::new(term.clone(), 1.0, Arc::clone(&bm25)).times(weight);
            let theirs = BoostQuery::new(Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)), weight);
            let all = (TopDocs::with_limit(500).order_by_score(), Count);
            let (a, b) = (searcher.search(&ours, &all).unwrap(), searcher.search(&theirs, &all).unwrap());
            assert_eq!(a.1, b.1, "{word}");
            assert_eq!(a.0.len(), b.0.len());
            for ((sa, da), (sb, db)) in a.0.iter().zip(&b.0) {
                assert_eq!(da, db, "{word}");
                assert!((sa - sb).abs() <= 1e-5 * sb.abs(), "{word}: {sa} against {sb}");
            }
            if let Some((score, address)) = a.0.first() {
                assert_eq!(ours.explain(&searcher, *address).unwrap().value(), *score);
            }
        }
        assert!(bm25.has(body) && !bm25.has(Field::from_field_id(7)));
    }

    #[test]
    fn no_clause_or_none_matching_matches_nothing() {
        let (searcher, _, body) = two_fields(1, |_| (String::new(), "mesh".to_string()));
        let absent = TermQuery::new(Term::from_field_text(body, "absent"), IndexRecordOption::WithFreqs);
        assert_eq!(searcher.search(&SumUnion::new(Vec::new()), &Count).unwrap(), 0);
        assert_eq!(searcher.search(&SumUnion::new(vec![Box::new(absent)]), &Count).unwrap(), 0);
    }
}
