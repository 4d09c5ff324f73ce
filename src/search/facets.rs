//! Facet counts (company, event, year, language) over a search's matches, from the fast fields.
//!
//! [`FacetCollector`] counts column ordinals per segment into plain vectors while the search runs
//! (in the same pass as the top docs and the total), and resolves ordinals to strings only for the
//! values that occurred, once per segment. Counts are exact.

use std::collections::HashMap;

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// How many values each facet lists at most.
const FACET_SIZE: usize = 10;
/// How many years the year facet lists at most.
const YEAR_FACET_SIZE: usize = 50;

/// One value of a facet and how many matching talks have it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FacetValue {
    /// What to show: a company's display name, an event title, a year, a language code.
    pub value: String,
    /// What to filter by (`company=<id>`); same as `value` for the other facets.
    pub id: String,
    pub count: u64,
}

/// Facet name → values, most frequent first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Facets {
    pub company: Vec<FacetValue>,
    pub event: Vec<FacetValue>,
    pub year: Vec<FacetValue>,
    pub lang: Vec<FacetValue>,
}

/// The string fast fields counted, in the order of [`Counts::strs`].
const STR_FIELDS: [&str; 3] = ["company_id", "event_key", "lang"];

/// Counts facet values of the matching documents; combine it with `TopDocs` and `Count` in a tuple
/// so the counting happens in the same pass.
pub struct FacetCollector;

/// Raw counts: value → number of matching talks, per facet.
#[derive(Debug, Default)]
pub struct Counts {
    strs: [HashMap<String, u64>; 3],
    years: HashMap<u64, u64>,
}

/// One string column of a segment and the count of each of its term ordinals.
struct StrCounts {
    column: StrColumn,
    counts: Vec<u32>,
}

pub struct FacetSegmentCollector {
    strs: Vec<StrCounts>,
    year: Option<Column<u64>>,
    /// Counts indexed by `year - year_min` (years are a small range).
    year_counts: Vec<u32>,
    year_min: u64,
    /// Whether anything was collected: the columns are only scanned on harvest if so.
    any: bool,
}

impl Collector for FacetCollector {
    type Fruit = Counts;
    type Child = FacetSegmentCollector;

    fn for_segment(&self, _: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<FacetSegmentCollector> {
        let fast = reader.fast_fields();
        let mut strs = Vec::with_capacity(STR_FIELDS.len());
        for name in STR_FIELDS {
            // A segment without the column (no document had a value) counts nothing for it.
            let column = fast
                .str(name)?
                .unwrap_or_else(|| StrColumn::wrap(tantivy::columnar::BytesColumn::empty(reader.max_doc())));
            strs.push(StrCounts { counts: Vec::new(), column });
        }
        let year = fast.column_opt::<u64>("year")?;
        let year_min = year.as_ref().map_or(0, |c| c.min_value());
        Ok(FacetSegmentCollector { strs, year, year_counts: Vec::new(), year_min, any: false })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Counts>) -> tantivy::Result<Counts> {
        let mut iter = fruits.into_iter();
        let mut total = iter.next().unwrap_or_default();
        for fruit in iter {
            for (into, from) in total.strs.iter_mut().zip(fruit.strs) {
                for (key, n) in from {
                    *into.entry(key).or_insert(0) += n;
                }
            }
            for (year, n) in fruit.years {
                *total.years.entry(year).or_insert(0) += n;
            }
        }
        Ok(total)
    }
}

impl FacetSegmentCollector {
    /// Allocates the count vectors on the first match, so empty searches cost nothing more.
    #[cold]
    fn start(&mut self) {
        self.any = true;
        for s in &mut self.strs {
            s.counts = vec![0; s.column.num_terms()];
        }
        if let Some(year) = &self.year {
            let span = year.max_value().saturating_sub(self.year_min).saturating_add(1).min(1 << 16) as usize;
            self.year_counts = vec![0; span];
        }
    }
}

impl SegmentCollector for FacetSegmentCollector {
    type Fruit = Counts;

    #[inline]
    fn collect(&mut self, doc: DocId, _score: Score) {
        if !self.any {
            self.start();
        }
        for s in &mut self.strs {
            for ord in s.column.ords().values_for_doc(doc) {
                if let Some(n) = s.counts.get_mut(ord as usize) {
                    *n += 1;
                }
            }
        }
        if let Some(year) = &self.year {
            for y in year.values_for_doc(doc) {
                let at = y.wrapping_sub(self.year_min) as usize;
                match self.year_counts.get_mut(at) {
                    Some(n) => *n += 1,
                    // Out of the preallocated span (a column with a huge range): grow to fit.
                    None => {
                        self.year_counts.resize(at + 1, 0);
                        self.year_counts[at] += 1;
                    }
                }
            }
        }
    }

    fn harvest(self) -> Counts {
        let mut out = Counts::default();
        if !self.any {
            return out;
        }
        for (into, s) in out.strs.iter_mut().zip(&self.strs) {
            let ords: Vec<u64> = (0..s.counts.len() as u64).filter(|&o| s.counts[o as usize] > 0).collect();
            let mut at = 0;
            // A dictionary read error leaves that facet short rather than failing the search.
            let _ = s.column.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
                let key = String::from_utf8_lossy(bytes).into_owned();
                into.insert(key, s.counts[ords[at] as usize] as u64);
                at += 1;
            });
        }
        for (i, &n) in self.year_counts.iter().enumerate() {
            if n > 0 {
                out.years.insert(self.year_min + i as u64, n as u64);
            }
        }
        out
    }
}

/// The facets to show for `counts`. `company_names` maps company ids to display names.
pub fn facets(counts: Counts, company_names: &HashMap<String, String>) -> Facets {
    let [company, event, lang] = counts.strs;
    let company = top(company, FACET_SIZE, |id| company_names.get(id).cloned().unwrap_or_else(|| id.to_string()));
    let same = |id: &str| id.to_string();
    let years = counts.years.into_iter();
    // Years rank by count then numeric value (as the years all have four digits, the same as by text).
    let mut year: Vec<(u64, u64)> = years.collect();
    year.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    year.truncate(YEAR_FACET_SIZE);
    let mut year: Vec<FacetValue> =
        year.into_iter().map(|(y, n)| FacetValue { value: y.to_string(), id: y.to_string(), count: n }).collect();
    // Years read best in order, newest first.
    year.sort_by(|a, b| b.id.cmp(&a.id));
    Facets { company, event: top(event, FACET_SIZE, same), year, lang: top(lang, FACET_SIZE, same) }
}

/// The `size` most frequent values, ties by id.
fn top(counts: HashMap<String, u64>, size: usize, display: impl Fn(&str) -> String) -> Vec<FacetValue> {
    let mut all: Vec<(String, u64)> = counts.into_iter().collect();
    let by_count = |a: &(String, u64), b: &(String, u64)| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0));
    if all.len() > size {
        all.select_nth_unstable_by(size, by_count);
        all.truncate(size);
    }
    all.sort_by(by_count);
    all.into_iter().map(|(id, count)| FacetValue { value: display(&id), id, count }).collect()
}
