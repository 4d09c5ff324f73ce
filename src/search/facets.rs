//! Facet counts (company, event, year, language) over a search's matches, from the fast fields.
//!
//! Per index generation, [`FacetTables`] gives every distinct value of each string facet one id,
//! and maps each segment's column ordinals to those ids, once. A search's [`FacetCollector`] then
//! counts matches into plain vectors by id, in the same pass as the top docs and the total, and
//! names only the few values it shows. Counts are exact.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::index::SegmentId;
use tantivy::{DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

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

/// The values of the string facets of one generation: ids for the values, and each segment's
/// ordinals mapped to them.
#[derive(Default)]
pub struct FacetTables {
    /// Per facet: value id → the value.
    values: [Vec<String>; 3],
    /// Per segment (by ordinal in the generation's searcher): its id, and per facet, ordinal → value id.
    segments: Vec<(SegmentId, [Vec<u32>; 3])>,
}

impl FacetTables {
    /// Reads every segment's facet dictionaries once.
    pub fn build(searcher: &Searcher) -> tantivy::Result<FacetTables> {
        let mut ids: [HashMap<String, u32>; 3] = Default::default();
        let mut tables = FacetTables::default();
        for reader in searcher.segment_readers() {
            let mut maps: [Vec<u32>; 3] = Default::default();
            for (k, name) in STR_FIELDS.iter().enumerate() {
                let Some(column) = reader.fast_fields().str(name)? else { continue };
                let mut stream = column.dictionary().stream()?;
                while stream.advance() {
                    let value = String::from_utf8_lossy(stream.key()).into_owned();
                    let next = tables.values[k].len() as u32;
                    let id = *ids[k].entry(value.clone()).or_insert_with(|| {
                        tables.values[k].push(value);
                        next
                    });
                    maps[k].push(id);
                }
            }
            tables.segments.push((reader.segment_id(), maps));
        }
        Ok(tables)
    }
}

/// Counts facet values of the matching documents; combine it with `TopDocs` and `Count` in a tuple
/// so the counting happens in the same pass.
pub struct FacetCollector {
    pub tables: Arc<FacetTables>,
}

/// Raw counts: per string facet, value id → matching talks; per year, matching talks.
#[derive(Debug, Default)]
pub struct Counts {
    strs: [Vec<u32>; 3],
    years: HashMap<u64, u64>,
}

pub struct FacetSegmentCollector {
    /// The string columns of the segment, in the order of [`STR_FIELDS`].
    columns: Vec<StrColumn>,
    tables: Arc<FacetTables>,
    /// The segment's place in `tables.segments`, when the tables know it.
    segment: Option<usize>,
    counts: [Vec<u32>; 3],
    year: Option<Column<u64>>,
    /// Counts indexed by `year - year_min` (years are a small range).
    year_counts: Vec<u32>,
    year_min: u64,
    /// Whether anything was collected: the vectors are only allocated on the first match.
    any: bool,
}

impl Collector for FacetCollector {
    type Fruit = Counts;
    type Child = FacetSegmentCollector;

    fn for_segment(&self, ord: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<FacetSegmentCollector> {
        let fast = reader.fast_fields();
        // A segment the tables do not know (never the case for a generation's own searcher)
        // counts nothing.
        let known = self.tables.segments.get(ord as usize).is_some_and(|(id, _)| *id == reader.segment_id());
        let mut columns = Vec::with_capacity(STR_FIELDS.len());
        for name in STR_FIELDS {
            // A segment without the column (no document had a value) counts nothing for it.
            let column = fast
                .str(name)?
                .unwrap_or_else(|| StrColumn::wrap(tantivy::columnar::BytesColumn::empty(reader.max_doc())));
            columns.push(column);
        }
        let year = fast.column_opt::<u64>("year")?;
        let year_min = year.as_ref().map_or(0, |c| c.min_value());
        Ok(FacetSegmentCollector {
            columns,
            tables: Arc::clone(&self.tables),
            segment: known.then_some(ord as usize),
            counts: Default::default(),
            year,
            year_counts: Vec::new(),
            year_min,
            any: false,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Counts>) -> tantivy::Result<Counts> {
        let mut iter = fruits.into_iter();
        let mut total = iter.next().unwrap_or_default();
        for fruit in iter {
            for (into, from) in total.strs.iter_mut().zip(fruit.strs) {
                if into.len() < from.len() {
                    into.resize(from.len(), 0);
                }
                for (a, b) in into.iter_mut().zip(from) {
                    *a += b;
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
        for (counts, values) in self.counts.iter_mut().zip(&self.tables.values) {
            *counts = vec![0; values.len()];
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
        if let Some(segment) = self.segment {
            let maps = &self.tables.segments[segment].1;
            for ((column, ids), counts) in self.columns.iter().zip(maps).zip(&mut self.counts) {
                for ord in column.ords().values_for_doc(doc) {
                    if let Some(n) = ids.get(ord as usize).and_then(|&id| counts.get_mut(id as usize)) {
                        *n += 1;
                    }
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
        out.strs = self.counts;
        for (i, &n) in self.year_counts.iter().enumerate() {
            if n > 0 {
                out.years.insert(self.year_min + i as u64, n as u64);
            }
        }
        out
    }
}

/// The facets to show for `counts`. `company_names` maps company ids to display names.
pub fn facets(counts: Counts, tables: &FacetTables, company_names: &HashMap<String, String>) -> Facets {
    let [company, event, lang] = counts.strs;
    let [company_values, event_values, lang_values] = &tables.values;
    let company = top(&company, company_values, FACET_SIZE, |id| {
        company_names.get(id).cloned().unwrap_or_else(|| id.to_string())
    });
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
    Facets {
        company,
        event: top(&event, event_values, FACET_SIZE, same),
        year,
        lang: top(&lang, lang_values, FACET_SIZE, same),
    }
}

/// The `size` most frequent values, ties by id.
fn top(counts: &[u32], values: &[String], size: usize, display: impl Fn(&str) -> String) -> Vec<FacetValue> {
    let mut all: Vec<(&str, u64)> = counts
        .iter()
        .enumerate()
        .filter(|(_, &n)| n > 0)
        .filter_map(|(id, &n)| Some((values.get(id)?.as_str(), n as u64)))
        .collect();
    let by_count = |a: &(&str, u64), b: &(&str, u64)| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0));
    if all.len() > size {
        all.select_nth_unstable_by(size, by_count);
        all.truncate(size);
    }
    all.sort_by(by_count);
    all.into_iter().map(|(id, count)| FacetValue { value: display(id), id: id.to_string(), count }).collect()
}
