//! The OpenAPI 3 document of the HTTP API, generated from the handlers and response types.

use std::sync::OnceLock;

use utoipa::openapi::schema::Schema;
use utoipa::openapi::RefOr;
use utoipa::{Modify, Number, OpenApi};

use super::params::{DEFAULT_FEED_LIMIT, YEAR_PATTERN};
use crate::config::Limits;
use crate::search::explore::{DEFAULT_SIMILAR, MAX_SIMILAR};

#[derive(OpenApi)]
#[openapi(
    info(title = "talksearch", description = "Search conference talks in Chinese and English."),
    paths(
        super::api::search,
        super::api::search_ics,
        super::api::search_atom,
        super::api::talk,
        super::api::talk_ics,
        super::api::similar,
        super::api::speakers,
        super::api::speaker,
        super::api::companies,
        super::api::company,
        super::api::analyze,
        super::api::healthz,
        super::api::readyz,
    ),
    modifiers(&Bounds)
)]
struct ApiDoc;

/// A parameter's bound, as the document declares it.
#[derive(Debug, Clone, Copy)]
pub enum Bound {
    /// A whole number from `min` to `max`, `default` when left out.
    Number { min: usize, max: usize, default: usize },
    /// A text of `min` to `max` characters.
    Text { min: usize, max: usize },
    /// A text matching a regular expression.
    Pattern(&'static str),
}

/// Every bounded parameter of every route, `(path, parameter, bound)`, from the limits the
/// handlers check: the one source of the numbers in the document.
pub fn bounds(l: &Limits) -> Vec<(&'static str, &'static str, Bound)> {
    let words = Bound::Text { min: 0, max: l.max_query_chars };
    let mut out = vec![
        ("/api/search", "q", words),
        ("/api/search", "limit", Bound::Number { min: 1, max: l.max_limit, default: l.default_limit }),
        ("/api/search", "offset", Bound::Number { min: 0, max: l.max_offset, default: 0 }),
        ("/api/search", "company", words),
        ("/api/search", "event", words),
        ("/api/search", "year", Bound::Pattern(YEAR_PATTERN)),
        ("/api/search", "lang", words),
        ("/api/speakers", "company", words),
        ("/api/speakers", "q", words),
        (
            "/api/speakers",
            "limit",
            Bound::Number { min: 1, max: l.max_speakers_limit, default: l.default_speakers_limit },
        ),
        ("/api/speakers", "talk", words),
        ("/api/analyze", "text", Bound::Text { min: 1, max: l.max_analyze_chars }),
        ("/api/talks/{id}/similar", "limit", Bound::Number { min: 1, max: MAX_SIMILAR, default: DEFAULT_SIMILAR }),
    ];
    for path in ["/api/search.ics", "/api/search.atom"] {
        out.extend([
            (path, "q", words),
            (path, "limit", Bound::Number { min: 1, max: l.max_limit, default: DEFAULT_FEED_LIMIT }),
            (path, "company", words),
            (path, "event", words),
            (path, "year", Bound::Pattern(YEAR_PATTERN)),
            (path, "lang", words),
        ]);
    }
    out
}

/// Writes [`bounds`] into the generated document (utoipa's attributes take only literals).
struct Bounds;

impl Modify for Bounds {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        for (path, name, bound) in bounds(&Limits::default()) {
            let parameter = doc
                .paths
                .paths
                .get_mut(path)
                .and_then(|item| item.get.as_mut())
                .and_then(|op| op.parameters.as_mut())
                .and_then(|ps| ps.iter_mut().find(|p| p.name == name))
                .unwrap_or_else(|| panic!("{path} documents no parameter {name}"));
            let Some(RefOr::T(Schema::Object(schema))) = parameter.schema.as_mut() else {
                panic!("{path} {name}: not an inline schema");
            };
            match bound {
                Bound::Number { min, max, default } => {
                    schema.minimum = Some(Number::UInt(min));
                    schema.maximum = Some(Number::UInt(max));
                    schema.default = Some(default.into());
                }
                Bound::Text { min, max } => {
                    schema.min_length = (min > 0).then_some(min);
                    schema.max_length = Some(max);
                }
                Bound::Pattern(pattern) => schema.pattern = Some(pattern.to_string()),
            }
        }
    }
}

/// The document as JSON, built once.
pub fn document() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| ApiDoc::openapi().to_json().expect("the OpenAPI document serializes"))
}
