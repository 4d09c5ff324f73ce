//! Typo tolerance decided from the vocabulary: which Latin words of a query are misspelt, and what
//! they most likely meant.
//!
//! Per index generation, [`Vocabulary::build`] gathers the Latin terms of the searchable text fields
//! with the number of talks holding each (the largest count over the fields), and a deletion index
//! in the manner of SymSpell: the hash of every term and of every form of it with one letter
//! deleted, sorted, pointing back at the term. A query word that many talks contain is taken as
//! typed. Any other word's own deletions (one letter; two for long words) are looked up in that
//! index; the terms found are checked with the true edit distance (optimal string alignment: a
//! swap of two neighbours is one edit) and at most [`MAX_CANDIDATES`] corrections are kept that are
//! much more common than the word itself (twice for an unknown or very rare word, ten times for a
//! word a few pages repeat), nearest first, then most common. The search then runs one query in
//! which corrections weigh less than the words as typed.
//!
//! Everything is bounded: a look-up is a few hundred binary searches whatever the word; words
//! shorter than [`MIN_CHARS`] or longer than [`MAX_CHARS`] are never corrected, and at most
//! [`MAX_WORDS`] words of a query are. (Two edits are found when one of them is a deletion or an
//! insertion; two substitutions in one word are not.)

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::query::{EnableScoring, Query};
use tantivy::schema::Field;
use tantivy::{DocSet, Searcher, Term, TERMINATED};

use super::queries::Bm25Fields;

/// Words shorter than this are never corrected: too many real words lie one edit away.
pub const MIN_CHARS: usize = 5;
/// From this length a word may have two edits.
pub const TWO_EDITS_CHARS: usize = 10;
/// Words longer than this are matched exactly (such words are identifiers or glued text more
/// often than misspellings).
pub const MAX_CHARS: usize = 24;
/// A word in fewer talks than this may be a misspelling, and is corrected to words at least twice
/// as common.
pub const RARE_TALKS: u32 = 3;
/// A word in fewer talks than this (and at least [`RARE_TALKS`]) may still be a misspelling that
/// several pages repeat; it is corrected to words at least [`COMMON_RATIO`] times as common.
/// A word in this many talks or more is always taken as typed.
pub const KNOWN_TALKS: u32 = 50;
/// See [`KNOWN_TALKS`].
pub const COMMON_RATIO: u32 = 10;
/// Corrections kept per word.
pub const MAX_CANDIDATES: usize = 3;
/// Words corrected per query; the others are matched as typed.
pub const MAX_WORDS: usize = 4;
/// Terms checked per word at most (a few forms of a word can be shared by many terms).
const MAX_CHECKED: usize = 500;

/// The Latin vocabulary of one index generation.
#[derive(Default)]
pub struct Vocabulary {
    /// The terms, sorted (a term's id is its place here), with the number of talks holding each
    /// (largest over the fields).
    terms: Vec<(Box<str>, u32)>,
    /// (hash of a term or of the term less one letter, term id), sorted.
    deletions: Vec<(u64, u32)>,
    /// Where each run of hashes with the same top [`Vocabulary::bucket_bits`] bits starts in
    /// `deletions` (one more entry at the end): a look-up reads two neighbours here and scans a
    /// couple of entries, instead of a binary search missing the cache twenty times.
    buckets: Vec<u32>,
    bucket_bits: u32,
    /// Every term of the searched fields, Latin or not: what a query may leave out.
    presence: Presence,
    /// The generation's talks, for [`Vocabulary::matches_any`] (none for a vocabulary not read
    /// from an index).
    searcher: Option<Searcher>,
    /// BM25 per field, for [`WeightedTerm`](super::queries::WeightedTerm)s (none for a vocabulary
    /// not read from an index: its queries use tantivy's term queries).
    bm25: Option<Arc<Bm25Fields>>,
}

/// A likely correction of a query word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    pub term: String,
    pub distance: u8,
    pub talks: u32,
}

impl Vocabulary {
    /// Gathers the Latin terms of `fields` from every segment `searcher` sees.
    pub fn build(searcher: &Searcher, fields: &[Field]) -> tantivy::Result<Vocabulary> {
        let mut talks: HashMap<Box<str>, u32> = HashMap::new();
        let mut all_terms = 0;
        for &field in fields {
            for segment in searcher.segment_readers() {
                all_terms += segment.inverted_index(field)?.terms().num_terms();
            }
        }
        let mut presence = Presence::new(fields, all_terms);
        for &field in fields {
            let mut per_field: HashMap<Box<str>, u32> = HashMap::new();
            for segment in searcher.segment_readers() {
                let inverted = segment.inverted_index(field)?;
                let mut stream = inverted.terms().stream()?;
                while stream.advance() {
                    let key = stream.key();
                    presence.insert(field, key);
                    if is_kept(key) {
                        let term = std::str::from_utf8(key).expect("ASCII letters");
                        *per_field.entry(term.into()).or_insert(0) += stream.value().doc_freq;
                    }
                }
            }
            for (term, n) in per_field {
                let slot = talks.entry(term).or_insert(0);
                *slot = (*slot).max(n);
            }
        }
        let schema = searcher.schema();
        let scored = schema.fields().filter(|(_, entry)| entry.has_fieldnorms()).map(|(field, _)| field);
        let bm25 = Some(Arc::new(Bm25Fields::new(searcher, scored)?));
        Ok(Vocabulary { presence, searcher: Some(searcher.clone()), bm25, ..Vocabulary::from_counts(talks) })
    }

    /// A vocabulary of the given terms and talk counts (non-Latin terms are left out).
    pub fn from_terms<'a>(terms: impl IntoIterator<Item = (&'a str, u32)>) -> Vocabulary {
        let talks = terms.into_iter().filter(|(t, _)| is_kept(t.as_bytes())).map(|(t, n)| (t.into(), n)).collect();
        Vocabulary::from_counts(talks)
    }

    fn from_counts(talks: HashMap<Box<str>, u32>) -> Vocabulary {
        let mut terms: Vec<(Box<str>, u32)> = talks.into_iter().collect();
        terms.sort_unstable();
        terms.shrink_to_fit();
        let mut deletions = Vec::new();
        let mut buf = Vec::new();
        for (id, (term, _)) in terms.iter().enumerate() {
            let bytes = term.as_bytes();
            deletions.push((hash(bytes), id as u32));
            for i in 0..bytes.len() {
                delete(bytes, &[i], &mut buf);
                deletions.push((hash(&buf), id as u32));
            }
        }
        deletions.sort_unstable();
        deletions.dedup();
        deletions.shrink_to_fit();
        // About two entries per bucket.
        let bucket_bits = (deletions.len().max(2).ilog2()).clamp(1, 31);
        let mut buckets = Vec::with_capacity((1 << bucket_bits) + 1);
        let mut at = 0;
        for bucket in 0..=(1u64 << bucket_bits) {
            while at < deletions.len() && deletions[at].0 >> (64 - bucket_bits) < bucket {
                at += 1;
            }
            buckets.push(at as u32);
        }
        Vocabulary { terms, deletions, buckets, bucket_bits, presence: Presence::default(), searcher: None, bm25: None }
    }

    /// The ids of the terms that are `form` or become it less one letter.
    fn ids_of(&self, form: &[u8]) -> impl Iterator<Item = u32> + '_ {
        let h = hash(form);
        let bucket = if self.buckets.is_empty() { 0 } else { (h >> (64 - self.bucket_bits)) as usize };
        let (from, to) = match (self.buckets.get(bucket), self.buckets.get(bucket + 1)) {
            (Some(&from), Some(&to)) => (from as usize, to as usize),
            _ => (0, 0),
        };
        self.deletions[from..to].iter().filter(move |&&(k, _)| k == h).map(|&(_, id)| id)
    }

    /// Whether `term` may be in the index: false only when no talk surely has it in that field, so
    /// that a query can leave it out (three in five of a query's terms, field by field: a pinyin
    /// field never holds a Chinese word), each of which would cost a weight and a scorer and match
    /// nothing. Always true for a vocabulary not read from an index ([`Vocabulary::from_terms`]).
    pub fn may_hold(&self, term: &Term) -> bool {
        self.presence.may_hold(term)
    }

    /// Whether any talk matches `query`: false only when the index surely has none (always true for
    /// a vocabulary not read from an index). It stops at the first match, segment by segment.
    pub fn matches_any(&self, query: &dyn Query) -> bool {
        let Some(searcher) = &self.searcher else { return true };
        let Ok(weight) = query.weight(EnableScoring::disabled_from_searcher(searcher)) else { return true };
        searcher
            .segment_readers()
            .iter()
            .any(|segment| weight.scorer(segment, 1.0).is_ok_and(|s| s.doc() != TERMINATED))
    }

    /// The generation's BM25 statistics, when read from an index and they cover `field` (our own
    /// term and phrase queries need them; without, tantivy's are used).
    pub fn bm25_for(&self, field: Field) -> Option<&Arc<Bm25Fields>> {
        self.bm25.as_ref().filter(|bm25| bm25.has(field))
    }

    /// How many talks hold `term` (0 when none, or when it is not a Latin word).
    pub fn talks(&self, term: &str) -> u32 {
        let mut ids = self.ids_of(term.as_bytes());
        ids.find_map(|id| self.terms.get(id as usize).filter(|(t, _)| **t == *term).map(|&(_, n)| n)).unwrap_or(0)
    }

    /// The likely corrections of `word` (an analyzed, lowercased term): empty when the word is
    /// known, too short, too long or not Latin, or when nothing much more common lies within reach.
    pub fn corrections(&self, word: &str) -> Vec<Correction> {
        let max = max_edits(word);
        if max == 0 {
            return Vec::new();
        }
        let own = self.talks(word);
        if own >= KNOWN_TALKS {
            return Vec::new();
        }
        // A correction must be clearly more common than the word as typed.
        let at_least = if own < RARE_TALKS { own * 2 + 1 } else { own * COMMON_RATIO };
        let mut ids: Vec<u32> = Vec::new();
        let bytes = word.as_bytes();
        let mut buf = Vec::new();
        let look_up = |form: &[u8], ids: &mut Vec<u32>| ids.extend(self.ids_of(form));
        look_up(bytes, &mut ids);
        for i in 0..bytes.len() {
            delete(bytes, &[i], &mut buf);
            look_up(&buf, &mut ids);
            if max >= 2 {
                for j in i + 1..bytes.len() {
                    delete(bytes, &[i, j], &mut buf);
                    look_up(&buf, &mut ids);
                }
            }
        }
        ids.sort_unstable();
        ids.dedup();
        let mut found: Vec<Correction> = ids
            .into_iter()
            .take(MAX_CHECKED)
            .filter_map(|id| {
                let (term, talks) = &self.terms[id as usize];
                if **term == *word || *talks < at_least {
                    return None;
                }
                let distance = strsim::osa_distance(word, term);
                (distance <= max as usize).then(|| Correction {
                    term: term.to_string(),
                    distance: distance as u8,
                    talks: *talks,
                })
            })
            .collect();
        found.sort_by(|a, b| a.distance.cmp(&b.distance).then(b.talks.cmp(&a.talks)).then(a.term.cmp(&b.term)));
        found.truncate(MAX_CANDIDATES);
        found
    }

    /// The most common terms that begin with `prefix` and are longer than it (`dict` →
    /// `dictionary`, `dicts`), at most `n`, most talks first: what a word being typed may become.
    /// Bounded: at most [`MAX_SCANNED`] terms of the prefix's range are looked at.
    pub fn completions(&self, prefix: &str, n: usize) -> Vec<(String, u32)> {
        if prefix.len() < MIN_PREFIX_CHARS || !prefix.bytes().all(|b| b.is_ascii_lowercase()) {
            return Vec::new();
        }
        let from = self.terms.partition_point(|(t, _)| **t <= *prefix);
        let mut found: Vec<(&str, u32)> = self.terms[from..]
            .iter()
            .take(MAX_SCANNED)
            .take_while(|(t, _)| t.starts_with(prefix))
            .map(|(t, n)| (&**t, *n))
            .collect();
        found.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        found.into_iter().take(n).map(|(t, n)| (t.to_string(), n)).collect()
    }
}

/// Which terms the searched fields hold, as a Bloom filter (10 bits and 3 probes a term: about 2 %
/// of absent terms look present, and are searched for nothing as before). Asking it costs one
/// memory read, where asking tantivy's term dictionary costs a walk down its FST: a query asks
/// for some 40 terms, three in five of them absent. The filter is blocked: a term's three bits lie
/// in one 64-byte block, so a question misses the cache once rather than three times (the filter
/// of the whole corpus is 2 MiB; `perf` under load: three misses a question were 2 % of the
/// server's time).
#[derive(Default)]
struct Presence {
    fields: Vec<Field>,
    bits: Vec<u64>,
}

impl Presence {
    const BITS_PER_TERM: usize = 10;

    /// Bits in a block: a cache line.
    const BLOCK_BITS: usize = 512;

    fn new(fields: &[Field], terms: usize) -> Presence {
        let bits = (terms * Self::BITS_PER_TERM).next_power_of_two().max(Self::BLOCK_BITS);
        Presence { fields: fields.to_vec(), bits: vec![0; bits / 64] }
    }

    /// The term's three bits: a block chosen by the hash's top bits, then three places in it.
    fn probes(&self, field: Field, term: &[u8]) -> [usize; 3] {
        let h = hash_from(FNV_OFFSET ^ u64::from(field.field_id()), term);
        let blocks = self.bits.len() * 64 / Self::BLOCK_BITS;
        let block = ((h >> 32) as usize * blocks) >> 32;
        let mask = Self::BLOCK_BITS as u64 - 1;
        [0, 9, 18].map(|shift| block * Self::BLOCK_BITS + ((h >> shift) & mask) as usize)
    }

    fn insert(&mut self, field: Field, term: &[u8]) {
        for bit in self.probes(field, term) {
            self.bits[bit / 64] |= 1 << (bit % 64);
        }
    }

    /// False only when `term` is surely not in the index; true for fields it was not built over.
    fn may_hold(&self, term: &Term) -> bool {
        if self.bits.is_empty() || !self.fields.contains(&term.field()) {
            return true;
        }
        let probes = self.probes(term.field(), term.serialized_value_bytes());
        probes.into_iter().all(|bit| self.bits[bit / 64] & (1 << (bit % 64)) != 0)
    }
}

/// Prefixes shorter than this are not completed (too many words begin with two letters).
pub const MIN_PREFIX_CHARS: usize = 3;
/// Terms of a prefix's range looked at by [`Vocabulary::completions`].
const MAX_SCANNED: usize = 2_000;

/// `word` without the letters at the (ascending) positions `at`, into `out`.
fn delete(word: &[u8], at: &[usize], out: &mut Vec<u8>) {
    out.clear();
    let mut from = 0;
    for &i in at {
        out.extend_from_slice(&word[from..i]);
        from = i + 1;
    }
    out.extend_from_slice(&word[from..]);
}

fn hash(bytes: &[u8]) -> u64 {
    hash_from(FNV_OFFSET, bytes)
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a from `seed`, then a multiply so the top bits (a bucket, a Bloom probe) depend on every byte.
fn hash_from(seed: u64, bytes: &[u8]) -> u64 {
    let mut h = seed;
    for &b in bytes {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    (h ^ (h >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9)
}

/// Terms the vocabulary keeps: lowercase ASCII letters, of a length that may be corrected or may be
/// a correction.
fn is_kept(term: &[u8]) -> bool {
    (MIN_CHARS - 1..=MAX_CHARS + 2).contains(&term.len()) && term.iter().all(u8::is_ascii_lowercase)
}

/// How many edits `word` may have: none for short, long or non-Latin words.
pub fn max_edits(word: &str) -> u8 {
    let n = word.len();
    if !(MIN_CHARS..=MAX_CHARS).contains(&n) || !word.bytes().all(|b| b.is_ascii_lowercase()) {
        0
    } else if n < TWO_EDITS_CHARS {
        1
    } else {
        2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every term put in is found; few others seem to be (10 bits a term: about 2 %, blocked).
    #[test]
    fn the_presence_filter_has_no_false_negatives_and_few_false_positives() {
        let (a, b) = (Field::from_field_id(0), Field::from_field_id(1));
        let mut presence = Presence::new(&[a, b], 20_000);
        let word = |i: usize| format!("w{i}x{}", i * 7919 % 1000);
        for i in 0..20_000 {
            presence.insert(a, word(i).as_bytes());
        }
        assert!((0..20_000).all(|i| presence.may_hold(&Term::from_field_text(a, &word(i)))));
        let seem = (20_000..40_000).filter(|&i| presence.may_hold(&Term::from_field_text(a, &word(i)))).count();
        let other_field = (0..20_000).filter(|&i| presence.may_hold(&Term::from_field_text(b, &word(i)))).count();
        assert!(seem < 800 && other_field < 800, "{seem} and {other_field} of 20,000 absent terms seem present");
        // A field the filter was not built over may hold anything.
        assert!(presence.may_hold(&Term::from_field_text(Field::from_field_id(2), "absent")));
    }

    fn vocab() -> Vocabulary {
        Vocabulary::from_terms([
            ("kubernetes", 80),
            ("kubernets", 1),
            ("istio", 20),
            ("python", 900),
            ("pyhton", 1),
            ("prometheus", 8),
            ("predictive", 4),
            ("productive", 30),
            ("opertor", 4),
            ("operator", 120),
            ("asyncio", 100),
            ("django", 500),
            ("服务网格", 10),
        ])
    }

    fn terms(c: Vec<Correction>) -> Vec<String> {
        c.into_iter().map(|c| c.term).collect()
    }

    #[test]
    fn known_words_are_never_corrected() {
        let v = vocab();
        assert!(v.corrections("python").is_empty());
        assert!(v.corrections("predictive").is_empty(), "rare, but nothing ten times as common is near");
        assert!(v.corrections("productive").is_empty());
    }

    #[test]
    fn unknown_and_very_rare_words_get_nearby_more_common_terms() {
        let v = vocab();
        assert_eq!(terms(v.corrections("kubernets")), ["kubernetes"], "rare misspelling, 1 talk");
        assert_eq!(terms(v.corrections("isito")), ["istio"], "a transposition is one edit");
        assert_eq!(terms(v.corrections("promethues")), ["prometheus"]);
        assert_eq!(terms(v.corrections("opertor")), ["operator"], "a misspelling several pages repeat");
        let c = v.corrections("kubernetez");
        assert_eq!(c[0].distance, 1);
        // Two edits for long words, when one of them deletes or inserts a letter.
        assert_eq!(terms(v.corrections("kubrnetez")), Vec::<String>::new(), "two edits, but only nine letters");
        assert_eq!(terms(v.corrections("kubernettez")), ["kubernetes"]);
        assert_eq!(terms(v.corrections("prometeuss")), ["prometheus"]);
    }

    #[test]
    fn short_long_and_non_latin_words_are_left_alone() {
        let v = vocab();
        assert_eq!(max_edits("isto"), 0);
        assert_eq!(max_edits("istioo"), 1);
        assert_eq!(max_edits("kubernetess"), 2);
        assert_eq!(max_edits(&"a".repeat(MAX_CHARS + 1)), 0);
        assert_eq!(max_edits("服务网格"), 0);
        assert_eq!(max_edits("k8sio"), 0);
        assert!(v.corrections("djang").len() <= MAX_CANDIDATES);
    }

    #[test]
    fn completions_are_the_most_common_longer_terms_of_the_prefix() {
        let v = Vocabulary::from_terms([("dict", 40), ("dictionary", 30), ("dicts", 5), ("dictate", 2), ("dig", 9)]);
        let words = |p: &str, n| v.completions(p, n).into_iter().map(|(t, _)| t).collect::<Vec<_>>();
        assert_eq!(words("dict", 2), ["dictionary", "dicts"], "longer than the prefix, most talks first");
        assert_eq!(words("dic", 9), ["dict", "dictionary", "dicts", "dictate"]);
        assert!(words("di", 9).is_empty(), "too short to complete");
        assert!(words("zzz", 9).is_empty());
    }

    #[test]
    fn talk_counts_come_from_the_vocabulary() {
        let v = vocab();
        assert_eq!(v.talks("django"), 500);
        assert_eq!(v.talks("nope"), 0);
        assert_eq!(v.talks("服务网格"), 0, "only Latin words are kept");
    }
}
