//! Facet counts (company, event, year, language) over a search's matches, from the fast fields.

use std::collections::HashMap;

use serde::Serialize;
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::{AggContextParams, AggregationCollector, AggregationLimitsGuard};
use tantivy::query::Query;
use tantivy::Searcher;

use crate::error::{Error, Result};

/// How many values each facet lists at most.
const FACET_SIZE: u32 = 10;

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

fn request() -> Aggregations {
    let terms = |field: &str, size: u32| serde_json::json!({ "terms": { "field": field, "size": size } });
    serde_json::from_value(serde_json::json!({
        "company": terms("company_id", FACET_SIZE),
        "event": terms("event_key", FACET_SIZE),
        "year": terms("year", 50),
        "lang": terms("lang", FACET_SIZE),
    }))
    .expect("the facet request is valid")
}

/// Counts facet values over the talks matching `query`. `company_names` maps company ids to display names.
pub fn count(searcher: &Searcher, query: &dyn Query, company_names: &HashMap<String, String>) -> Result<Facets> {
    let context = AggContextParams::new(AggregationLimitsGuard::default(), searcher.index().tokenizers().clone());
    let collector = AggregationCollector::from_aggs(request(), context);
    let results = searcher.search(query, &collector)?;
    let json = serde_json::to_value(&results).map_err(|e| Error::Other(format!("facets: {e}")))?;
    let values = |name: &str, display: &dyn Fn(&str) -> String| -> Vec<FacetValue> {
        let buckets = json[name]["buckets"].as_array().cloned().unwrap_or_default();
        let mut out: Vec<FacetValue> = buckets
            .iter()
            .filter_map(|b| {
                let id = match &b["key"] {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Number(n) => n.as_f64().map(|f| format!("{}", f as u64))?,
                    _ => return None,
                };
                Some(FacetValue { value: display(&id), count: b["doc_count"].as_u64().unwrap_or(0), id })
            })
            .collect();
        out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.id.cmp(&b.id)));
        out
    };
    let same = |s: &str| s.to_string();
    let mut facets = Facets {
        company: values("company", &|id| company_names.get(id).cloned().unwrap_or_else(|| id.to_string())),
        event: values("event", &same),
        year: values("year", &same),
        lang: values("lang", &same),
    };
    // Years read best in order, newest first.
    facets.year.sort_by(|a, b| b.id.cmp(&a.id));
    Ok(facets)
}
