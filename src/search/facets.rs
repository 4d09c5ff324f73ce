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

/// The string fast fields counted: the first three facets.
const STR_FIELDS: [&str; 3] = ["company_id", "event_key", "lang"];
/// The fourth facet: years, whose ids are offsets from the generation's first year.
const YEAR: usize = 3;

/// The facet values of one generation, and every document's values as plain slots, read from the
/// fast fields once: a search then counts a match by walking one short list instead of four
/// columns (callgrind, the query `Python`, 11,543 matches: 870 instructions per match before, 27
/// after).
#[derive(Default)]
pub struct FacetTables {
    /// Per string facet: value id → the value.
    values: [Vec<String>; 3],
    /// Years span `year_min..year_min + year_span`.
    year_min: u64,
    year_span: usize,
    /// Where each facet's slots start in a [`Counts`] (a value's slot is `base[facet] + id`); the
    /// last is the number of slots.
    base: [usize; 5],
    /// Per segment (by ordinal in the generation's searcher): its id and its documents' slots.
    segments: Vec<(SegmentId, DocSlots)>,
}

/// One segment's documents' facet values as slots (a talk listed on several pages has several
/// events and years): document `d` has `slots[starts[d]..starts[d + 1]]`.
#[derive(Default)]
struct DocSlots {
    starts: Vec<u32>,
    slots: Vec<u32>,
}

impl DocSlots {
    #[inline]
    fn of(&self, doc: DocId) -> &[u32] {
        match (self.starts.get(doc as usize), self.starts.get(doc as usize + 1)) {
            (Some(&from), Some(&to)) => &self.slots[from as usize..to as usize],
            _ => &[],
        }
    }
}

impl FacetTables {
    /// Reads every segment's facet columns once.
    pub fn build(searcher: &Searcher) -> tantivy::Result<FacetTables> {
        let mut tables = FacetTables::default();
        let (mut year_min, mut year_max) = (u64::MAX, 0);
        for reader in searcher.segment_readers() {
            if let Some(year) = reader.fast_fields().column_opt::<u64>("year")? {
                if reader.num_docs() > 0 {
                    year_min = year_min.min(year.min_value());
                    year_max = year_max.max(year.max_value());
                }
            }
        }
        // Years are a small range; a column with a wild one keeps the first 2^16 years.
        tables.year_min = year_min.min(year_max);
        tables.year_span = if year_min <= year_max { (year_max - year_min + 1).min(1 << 16) as usize } else { 0 };
        // Ids are final only once every segment's dictionaries are read: documents' values are
        // first kept as facet and id (`facet << 30 | id`), then turned into slots.
        const FACET_SHIFT: u32 = 30;
        let mut ids: [HashMap<String, u32>; 3] = Default::default();
        for reader in searcher.segment_readers() {
            let mut columns = Vec::new();
            for (k, name) in STR_FIELDS.iter().enumerate() {
                // A segment without the column (no document had a value) has no values for it.
                let Some(column) = reader.fast_fields().str(name)? else { continue };
                let mut map = Vec::new();
                let mut stream = column.dictionary().stream()?;
                while stream.advance() {
                    let value = String::from_utf8_lossy(stream.key()).into_owned();
                    let next = tables.values[k].len() as u32;
                    let id = *ids[k].entry(value.clone()).or_insert_with(|| {
                        tables.values[k].push(value);
                        next
                    });
                    map.push(id | (k as u32) << FACET_SHIFT);
                }
                columns.push((column, map));
            }
            let year = reader.fast_fields().column_opt::<u64>("year")?;
            let mut docs = DocSlots { starts: Vec::with_capacity(reader.max_doc() as usize + 1), slots: Vec::new() };
            docs.starts.push(0);
            for doc in 0..reader.max_doc() {
                for (column, map) in &columns {
                    docs.slots.extend(column.ords().values_for_doc(doc).filter_map(|o| map.get(o as usize)));
                }
                if let Some(year) = &year {
                    let offsets = year.values_for_doc(doc).map(|y| y.wrapping_sub(tables.year_min));
                    let offsets = offsets.filter(|&at| at < tables.year_span as u64);
                    docs.slots.extend(offsets.map(|at| at as u32 | (YEAR as u32) << FACET_SHIFT));
                }
                docs.starts.push(docs.slots.len() as u32);
            }
            tables.segments.push((reader.segment_id(), docs));
        }
        let sizes = [tables.values[0].len(), tables.values[1].len(), tables.values[2].len(), tables.year_span];
        for (k, size) in sizes.into_iter().enumerate() {
            tables.base[k + 1] = tables.base[k] + size;
        }
        for (_, docs) in &mut tables.segments {
            for slot in &mut docs.slots {
                let (k, id) = (*slot >> FACET_SHIFT, *slot & ((1 << FACET_SHIFT) - 1));
                *slot = (tables.base[k as usize] + id as usize) as u32;
            }
            docs.slots.shrink_to_fit();
        }
        Ok(tables)
    }
}

/// Counts facet values of the matching documents; combine it with `TopDocs` and `Count` in a tuple
/// so the counting happens in the same pass.
pub struct FacetCollector {
    pub tables: Arc<FacetTables>,
}

/// Raw counts, by slot (see [`FacetTables::base`]); empty when nothing matched.
#[derive(Debug, Default)]
pub struct Counts(Vec<u32>);

pub struct FacetSegmentCollector {
    tables: Arc<FacetTables>,
    /// The segment's place in `tables.segments`, when the tables know it.
    segment: Option<usize>,
    counts: Counts,
}

impl Collector for FacetCollector {
    type Fruit = Counts;
    type Child = FacetSegmentCollector;

    fn for_segment(&self, ord: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<FacetSegmentCollector> {
        // A segment the tables do not know (never the case for a generation's own searcher)
        // counts nothing.
        let known = self.tables.segments.get(ord as usize).is_some_and(|(id, _)| *id == reader.segment_id());
        Ok(FacetSegmentCollector {
            tables: Arc::clone(&self.tables),
            segment: known.then_some(ord as usize),
            counts: Counts::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, mut fruits: Vec<Counts>) -> tantivy::Result<Counts> {
        // One part (the whole corpus is one): its counts are the total, not copied into a new vector
        // of every slot (callgrind, the mix: 1 % of a search).
        if fruits.len() == 1 {
            return Ok(fruits.pop().unwrap_or_default());
        }
        let mut total = Counts::default();
        for Counts(from) in fruits {
            if total.0.len() < from.len() {
                total.0.resize(from.len(), 0);
            }
            for (a, b) in total.0.iter_mut().zip(from) {
                *a += b;
            }
        }
        Ok(total)
    }
}

impl SegmentCollector for FacetSegmentCollector {
    type Fruit = Counts;

    #[inline]
    fn collect(&mut self, doc: DocId, _score: Score) {
        let Some(segment) = self.segment else { return };
        if self.counts.0.is_empty() {
            // Allocated on the first match, so empty searches cost nothing more.
            self.counts.0 = vec![0; self.tables.base[4]];
        }
        for &slot in self.tables.segments[segment].1.of(doc) {
            // Slots come from the tables the vector is sized by.
            if let Some(n) = self.counts.0.get_mut(slot as usize) {
                *n += 1;
            }
        }
    }

    fn harvest(self) -> Counts {
        self.counts
    }
}

/// The facets to show for `counts`. `company_names` maps company ids to display names.
pub fn facets(counts: Counts, tables: &FacetTables, company_names: &HashMap<String, String>) -> Facets {
    let slots = |k: usize| counts.0.get(tables.base[k]..tables.base[k + 1]).unwrap_or(&[]);
    let (company, event, lang) = (slots(0), slots(1), slots(2));
    let [company_values, event_values, lang_values] = &tables.values;
    let company =
        top(company, company_values, FACET_SIZE, |id| company_names.get(id).cloned().unwrap_or_else(|| id.to_string()));
    let same = |id: &str| id.to_string();
    let years = slots(YEAR).iter().enumerate().filter(|(_, &n)| n > 0);
    let years = years.map(|(at, &n)| (tables.year_min + at as u64, n as u64));
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
        event: top(event, event_values, FACET_SIZE, same),
        year,
        lang: top(lang, lang_values, FACET_SIZE, same),
    }
}

/// The `size` most frequent values, ties by id.
fn top(counts: &[u32], values: &[String], size: usize, display: impl Fn(&str) -> String) -> Vec<FacetValue> {
    let counts = counts.get(..values.len()).unwrap_or(counts);
    let mut counted: Vec<(u32, u32)> =
        counts.iter().enumerate().filter(|(_, &n)| n > 0).map(|(id, &n)| (n, id as u32)).collect();
    if size > 0 && counted.len() > size {
        // The counts are cut first, without their values: only the values tied with the last count
        // kept are compared by id (1M talks: comparing every counted value's id was 2 % of a search).
        let (_, &mut (cut, _), _) = counted.select_nth_unstable_by(size - 1, |a, b| b.0.cmp(&a.0));
        counted.retain(|&(n, _)| n >= cut);
    }
    let mut all: Vec<(&str, u64)> =
        counted.into_iter().map(|(n, id)| (values[id as usize].as_str(), n as u64)).collect();
    let by_count = |a: &(&str, u64), b: &(&str, u64)| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0));
    all.sort_by(by_count);
    all.truncate(size);
    all.into_iter().map(|(id, count)| FacetValue { value: display(id), id: id.to_string(), count }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The most frequent values, ties by id, whichever values tie at the last count kept.
    #[test]
    fn top_values_are_the_most_counted_then_the_first_by_id() {
        let values: Vec<String> = ["e", "d", "c", "b", "a", "f"].iter().map(|v| v.to_string()).collect();
        let ids =
            |facets: Vec<FacetValue>| facets.into_iter().map(|f| format!("{}:{}", f.id, f.count)).collect::<Vec<_>>();
        let same = |id: &str| id.to_string();
        assert_eq!(ids(top(&[1, 3, 1, 0, 1, 3], &values, 3, same)), ["d:3", "f:3", "a:1"]);
        assert_eq!(ids(top(&[1, 3, 1, 0, 1, 3], &values, 4, same)), ["d:3", "f:3", "a:1", "c:1"]);
        assert_eq!(ids(top(&[2, 0, 0, 0, 0, 0, 9], &values, 3, same)), ["e:2"], "a count past the values is left out");
        assert_eq!(ids(top(&[1, 1, 1, 1, 1, 1], &values, 6, same)), ["a:1", "b:1", "c:1", "d:1", "e:1", "f:1"]);
        assert!(top(&[1, 2], &values, 0, same).is_empty());
    }
}
