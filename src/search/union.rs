//! [`SumUnion`]: a query matching any of its clauses and scoring the sum of those that match, whose
//! scorer does no work for documents nobody asks about.
//!
//! tantivy ORs clauses with a buffered union: each scorer it builds allocates and clears a
//! 4,096-document window of scores (16 KiB), and whenever it moves, it scores every posting of every
//! clause in the next window. That suits a union that is the whole query. Here a union is nearly
//! always one word of several (the fields and forms a word matches in), inside an intersection
//! that only asks about the few documents holding the other words too: the window was mostly work
//! thrown away (callgrind, the 3,000-query mix: building the windows alone was 10 % of a search).
//! This union keeps each clause's current document, moves clauses only when asked to (by `seek`,
//! which skips through postings), and adds up scores only for the document asked for.
//!
//! Scores are those of a `BooleanQuery` of `Should` clauses: the clauses' scores added up (in the
//! clauses' order, so a sum may differ from tantivy's in its last bit; on the 3,000-query mix no
//! result moved).

use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, Term, TERMINATED};

/// Matches the documents any clause matches; scores the sum of the scores of the clauses that do.
#[derive(Debug)]
pub struct SumUnion {
    clauses: Vec<Box<dyn Query>>,
}

impl SumUnion {
    pub fn new(clauses: Vec<Box<dyn Query>>) -> SumUnion {
        SumUnion { clauses }
    }
}

impl Clone for SumUnion {
    fn clone(&self) -> SumUnion {
        SumUnion { clauses: self.clauses.iter().map(|c| c.box_clone()).collect() }
    }
}

impl Query for SumUnion {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self.clauses.iter().map(|c| c.weight(scoring)).collect::<tantivy::Result<_>>()?;
        Ok(Box::new(SumUnionWeight { weights }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for clause in &self.clauses {
            clause.query_terms(visitor);
        }
    }
}

struct SumUnionWeight {
    weights: Vec<Box<dyn Weight>>,
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
            0 => Box::new(EmptyScorer),
            1 => clauses.pop().expect("one clause").scorer,
            _ => {
                let doc = clauses.iter().map(|c| c.doc).min().unwrap_or(TERMINATED);
                Box::new(SumUnionScorer { clauses, doc })
            }
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!("document {doc} does not match")));
        }
        let mut explanation = Explanation::new("sum of the clauses that match", scorer.score());
        for weight in &self.weights {
            if let Ok(detail) = weight.explain(reader, doc) {
                explanation.add_detail(detail);
            }
        }
        Ok(explanation)
    }
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
}

impl SumUnionScorer {
    /// Drops exhausted clauses and finds the smallest document the others are on.
    fn settle(&mut self) -> DocId {
        self.clauses.retain(|c| c.doc != TERMINATED);
        self.doc = self.clauses.iter().map(|c| c.doc).min().unwrap_or(TERMINATED);
        self.doc
    }
}

impl DocSet for SumUnionScorer {
    fn advance(&mut self) -> DocId {
        let current = self.doc;
        for clause in &mut self.clauses {
            if clause.doc == current {
                clause.doc = clause.scorer.advance();
            }
        }
        self.settle()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        for clause in &mut self.clauses {
            if clause.doc < target {
                clause.doc = clause.scorer.seek(target);
            }
        }
        self.settle()
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    /// At least the biggest clause's size; the sum when they do not overlap.
    fn size_hint(&self) -> u32 {
        self.clauses.iter().fold(0u32, |sum, c| sum.saturating_add(c.scorer.size_hint()))
    }

    fn cost(&self) -> u64 {
        self.clauses.iter().map(|c| c.scorer.cost()).sum()
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::{BooleanQuery, BoostQuery, Occur, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{doc, Index};

    /// The same documents and scores as tantivy's union of `Should` clauses, alone and inside an
    /// intersection.
    #[test]
    fn scores_as_a_boolean_union_does() {
        let mut schema = Schema::builder();
        let title = schema.add_text_field("title", TEXT);
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let words = ["mesh", "istio", "envoy", "proxy", "sidecar", "gateway", "kernel"];
        for i in 0..6000usize {
            let pick = |k: usize| words[(i * k + i / 7) % words.len()];
            let text = format!("{} {} {}", pick(3), pick(5), if i % 11 == 0 { "istio" } else { "" });
            writer.add_document(doc!(title => pick(2), body => text)).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let term = |field, text| -> Box<dyn Query> {
            Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::WithFreqs))
        };
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

    #[test]
    fn no_clause_or_none_matching_matches_nothing() {
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer.add_document(doc!(body => "mesh")).unwrap();
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let absent = TermQuery::new(Term::from_field_text(body, "absent"), IndexRecordOption::WithFreqs);
        assert_eq!(searcher.search(&SumUnion::new(Vec::new()), &Count).unwrap(), 0);
        assert_eq!(searcher.search(&SumUnion::new(vec![Box::new(absent)]), &Count).unwrap(), 0);
    }
}
