//! Query-string parsing and validation for the API: every bad input becomes a precise 400 message.

use percent_encoding::percent_decode_str;

use super::error::ApiError;
use crate::config::Limits;
use crate::search::explore::{DEFAULT_SIMILAR, MAX_SIMILAR};
use crate::search::query::parse_years;
use crate::search::{Filters, SearchRequest};

/// Decodes a raw query string into `(name, value)` pairs, rejecting bad percent-encoding,
/// invalid UTF-8, duplicate and unknown names.
pub fn decode(raw: Option<&str>, known: &[&str]) -> Result<Vec<(String, String)>, ApiError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for pair in raw.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = decode_component(name, "parameter name")?;
        let value = decode_component(value, &format!("parameter {name}"))?;
        if !known.contains(&name.as_str()) {
            return Err(ApiError::bad(if known.is_empty() {
                format!("unknown parameter {name:?}; this route takes no parameters")
            } else {
                format!("unknown parameter {name:?}; known parameters: {}", known.join(", "))
            }));
        }
        if out.iter().any(|(n, _)| *n == name) {
            return Err(ApiError::bad(format!("parameter {name} is given more than once")));
        }
        out.push((name, value));
    }
    Ok(out)
}

fn decode_component(s: &str, what: &str) -> Result<String, ApiError> {
    let bytes = s.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let hex_follows = bytes.get(i + 1..i + 3).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
        if b == b'%' && !hex_follows {
            return Err(ApiError::bad(format!(
                "{what} has a bad percent-encoding (a % not followed by two hex digits)"
            )));
        }
    }
    let plus_as_space = s.replace('+', " ");
    percent_decode_str(&plus_as_space)
        .decode_utf8()
        .map(|v| v.into_owned())
        .map_err(|_| ApiError::bad(format!("{what} is not valid UTF-8")))
}

/// A whole number written in digits only: no sign, no spaces (`limit=+5` is `" 5"`), no decimals.
fn number(name: &str, value: &str, min: usize, max: usize) -> Result<usize, ApiError> {
    let digits = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
    match value.parse::<usize>() {
        Ok(n) if digits && (min..=max).contains(&n) => Ok(n),
        Ok(_) if digits => Err(ApiError::bad(format!("{name} must be between {min} and {max}"))),
        _ => Err(ApiError::bad(format!("{name} must be a whole number between {min} and {max}, not {value:?}"))),
    }
}

pub const SEARCH_PARAMS: &[&str] = &["q", "limit", "offset", "company", "event", "year", "lang"];

/// What `year` may be: a year from 1900 to 2999, or a range of two (`2020..2022`), or nothing.
/// The OpenAPI document declares this same pattern.
pub const YEAR_PATTERN: &str = r"^((19|2[0-9])[0-9]{2}(\.\.(19|2[0-9])[0-9]{2})?)?$";

/// What a search with no words and no filter is told.
pub const NOTHING_ASKED: &str = "give a query q or a filter (company, event, year, lang)";

/// A validated search request from a query string, which must ask for something: words or a filter.
pub fn search_request(raw: Option<&str>, limits: &Limits) -> Result<SearchRequest, ApiError> {
    let req = search_params(raw, limits)?;
    if asks_nothing(&req) {
        return Err(ApiError::bad(NOTHING_ASKED));
    }
    Ok(req)
}

/// Whether `req` has no words and no filter.
pub fn asks_nothing(req: &SearchRequest) -> bool {
    req.q.trim().is_empty() && req.filters.is_empty()
}

/// `/api/search`'s query string as a request, each parameter within its bounds. Every parameter
/// may be left out (the OpenAPI document says so): the API answers a request that
/// [`asks_nothing`] with no hits and a notice, where [`search_request`] refuses it.
pub fn search_params(raw: Option<&str>, limits: &Limits) -> Result<SearchRequest, ApiError> {
    request(raw, limits, SEARCH_PARAMS, limits.default_limit)
}

/// What the calendar and the feed of a search take: its words and filters, and how many talks.
pub const FEED_PARAMS: &[&str] = &["q", "limit", "company", "event", "year", "lang"];

/// `/api/search.ics` and `/api/search.atom`: a search's words and filters, within the same bounds;
/// `limit` (the talks at most) defaults to [`DEFAULT_FEED_LIMIT`].
pub fn feed_params(raw: Option<&str>, limits: &Limits) -> Result<SearchRequest, ApiError> {
    request(raw, limits, FEED_PARAMS, DEFAULT_FEED_LIMIT)
}

/// Talks in a calendar or feed when `limit` is not given.
pub const DEFAULT_FEED_LIMIT: usize = 20;

/// A search's parameters among `known`, each within its bound.
fn request(
    raw: Option<&str>,
    limits: &Limits,
    known: &[&str],
    default_limit: usize,
) -> Result<SearchRequest, ApiError> {
    let mut req = SearchRequest { limit: default_limit, ..SearchRequest::default() };
    let mut filters = Filters::default();
    for (name, value) in decode(raw, known)? {
        match name.as_str() {
            "q" => req.q = bounded(&name, value, limits.max_query_chars)?,
            "limit" => req.limit = number("limit", &value, 1, limits.max_limit)?,
            "offset" => req.offset = number("offset", &value, 0, limits.max_offset)?,
            "company" => filters.company = non_empty(bounded(&name, value, limits.max_query_chars)?),
            "event" => filters.event = non_empty(bounded(&name, value, limits.max_query_chars)?),
            "lang" => filters.lang = non_empty(bounded(&name, value, limits.max_query_chars)?),
            "year" => filters.years = years(&value)?,
            _ => {}
        }
    }
    req.filters = filters;
    Ok(req)
}

/// `value` if it has at most `max` characters.
fn bounded(name: &str, value: String, max: usize) -> Result<String, ApiError> {
    let chars = value.chars().count();
    if chars > max {
        return Err(ApiError::bad(format!("{name} is too long ({chars} characters; the limit is {max})")));
    }
    Ok(value)
}

/// `year`: as [`YEAR_PATTERN`] says; a range given backwards is read forwards.
fn years(value: &str) -> Result<Option<(u64, u64)>, ApiError> {
    static PATTERN: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(YEAR_PATTERN).expect("the year pattern compiles"));
    if value.is_empty() {
        return Ok(None);
    }
    if !PATTERN.is_match(value) {
        return Err(ApiError::bad(format!("{value:?} is not a year (expected e.g. 2022 or 2020..2022)")));
    }
    let years = parse_years(value).or_else(|e| match value.split_once("..") {
        Some((a, b)) => parse_years(&format!("{b}..{a}")),
        None => Err(e),
    });
    years.map(Some).map_err(ApiError::bad)
}

pub const SPEAKERS_PARAMS: &[&str] = &["company", "q", "limit", "talk"];

/// A validated `/api/speakers` query: company, name part, the talk they gave, limit.
pub struct SpeakersQuery {
    pub company: Option<String>,
    pub q: Option<String>,
    /// Only the speakers of this talk (by its id).
    pub talk: Option<String>,
    pub limit: usize,
}

pub fn speakers_query(raw: Option<&str>, limits: &Limits) -> Result<SpeakersQuery, ApiError> {
    let mut out = SpeakersQuery { company: None, q: None, talk: None, limit: limits.default_speakers_limit };
    for (name, value) in decode(raw, SPEAKERS_PARAMS)? {
        match name.as_str() {
            "company" => out.company = non_empty(bounded(&name, value, limits.max_query_chars)?),
            "q" => out.q = non_empty(bounded(&name, value, limits.max_query_chars)?),
            "talk" => out.talk = non_empty(bounded(&name, value, limits.max_query_chars)?),
            "limit" => out.limit = number("limit", &value, 1, limits.max_speakers_limit)?,
            _ => {}
        }
    }
    Ok(out)
}

/// The `limit` of `/api/talks/{id}/similar`: 1 to [`MAX_SIMILAR`], [`DEFAULT_SIMILAR`] when not given.
pub fn similar_limit(raw: Option<&str>) -> Result<usize, ApiError> {
    match decode(raw, &["limit"])?.into_iter().next() {
        Some((_, value)) => number("limit", &value, 1, MAX_SIMILAR),
        None => Ok(DEFAULT_SIMILAR),
    }
}

/// The `text` of `/api/analyze`: required, not empty, bounded.
pub fn analyze_text(raw: Option<&str>, limits: &Limits) -> Result<String, ApiError> {
    let text = decode(raw, &["text"])?.into_iter().next().map(|(_, v)| v).unwrap_or_default();
    if text.is_empty() {
        return Err(ApiError::bad("give the text to analyze as text=…"));
    }
    bounded("text", text, limits.max_analyze_chars)
}

fn non_empty(value: String) -> Option<String> {
    let v = value.trim();
    (!v.is_empty()).then(|| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(raw: &str) -> String {
        match search_request(Some(raw), &Limits::default()) {
            Err(ApiError::BadRequest(m)) => m,
            other => panic!("{raw}: expected a 400, got {other:?}"),
        }
    }

    #[test]
    fn valid_requests() {
        let r = search_request(Some("q=%E6%9C%8D%E5%8A%A1%E7%BD%91%E6%A0%BC&limit=5&offset=10"), &Limits::default())
            .unwrap();
        assert_eq!((r.q.as_str(), r.limit, r.offset), ("服务网格", 5, 10));
        let r = search_request(Some("q=service+mesh"), &Limits::default()).unwrap();
        assert_eq!((r.q.as_str(), r.limit), ("service mesh", 10));
        let r = search_request(Some("year=2020..2022"), &Limits::default()).unwrap();
        assert_eq!(r.filters.years, Some((2020, 2022)));
        let r = search_request(Some("year=2022..2020"), &Limits::default()).unwrap();
        assert_eq!(r.filters.years, Some((2020, 2022)), "a range backwards is read forwards");
        // Nothing asked: within bounds (the API answers it), but not a request to search.
        for raw in ["", "q=", "q=+", "q=&company=&event=&year=&lang="] {
            assert!(asks_nothing(&search_params(Some(raw), &Limits::default()).unwrap()), "{raw}");
            assert_eq!(err(raw), NOTHING_ASKED, "{raw}");
        }
    }

    #[test]
    fn bad_requests_say_what_is_wrong() {
        assert_eq!(err("q=x&limit=0"), "limit must be between 1 and 100");
        assert_eq!(err("q=x&limit=1000"), "limit must be between 1 and 100");
        assert_eq!(err("q=x&offset=abc"), "offset must be a whole number between 0 and 10000, not \"abc\"");
        assert_eq!(err("q=x&offset=-1"), "offset must be a whole number between 0 and 10000, not \"-1\"");
        assert_eq!(err("q=x&limit=+5"), "limit must be a whole number between 1 and 100, not \" 5\"");
        assert_eq!(err("q=x&limit=%2B5"), "limit must be a whole number between 1 and 100, not \"+5\"");
        assert_eq!(err("q=x&limit=5.0"), "limit must be a whole number between 1 and 100, not \"5.0\"");
        assert_eq!(err("q=x&offset="), "offset must be a whole number between 0 and 10000, not \"\"");
        assert_eq!(
            err("q=x&foo=1"),
            "unknown parameter \"foo\"; known parameters: q, limit, offset, company, event, year, lang"
        );
        assert_eq!(err("q=x&q=y"), "parameter q is given more than once");
        assert_eq!(err("q=%ZZ"), "parameter q has a bad percent-encoding (a % not followed by two hex digits)");
        assert_eq!(err("q=%FF%FE"), "parameter q is not valid UTF-8");
        assert_eq!(err("year=20x"), "\"20x\" is not a year (expected e.g. 2022 or 2020..2022)");
        assert_eq!(err("year=+2022"), "\" 2022\" is not a year (expected e.g. 2022 or 2020..2022)");
        assert_eq!(err("year=1899"), "\"1899\" is not a year (expected e.g. 2022 or 2020..2022)");
        assert_eq!(err("year=2022.."), "\"2022..\" is not a year (expected e.g. 2022 or 2020..2022)");
        assert!(err(&format!("company={}", "网".repeat(501))).starts_with("company is too long (501 characters"));
        assert!(err(&format!("q={}", "网".repeat(501))).starts_with("q is too long (501 characters"));
    }

    #[test]
    fn feeds_take_the_search_filters_and_a_limit() {
        let r = feed_params(Some("q=istio&company=%E8%85%BE%E8%AE%AF&year=2022&lang=zh"), &Limits::default()).unwrap();
        assert_eq!((r.q.as_str(), r.limit, r.filters.company.as_deref()), ("istio", DEFAULT_FEED_LIMIT, Some("腾讯")));
        assert_eq!(feed_params(Some("limit=100"), &Limits::default()).unwrap().limit, 100);
        let bad = |raw: &str| match feed_params(Some(raw), &Limits::default()) {
            Err(ApiError::BadRequest(m)) => m,
            other => panic!("{raw}: expected a 400, got {other:?}"),
        };
        assert_eq!(bad("limit=101"), "limit must be between 1 and 100");
        assert_eq!(
            bad("offset=1"),
            "unknown parameter \"offset\"; known parameters: q, limit, company, event, year, lang"
        );
    }

    #[test]
    fn similar_takes_a_limit_only() {
        assert_eq!(similar_limit(None).unwrap(), DEFAULT_SIMILAR);
        assert_eq!(similar_limit(Some("limit=3")).unwrap(), 3);
        assert!(
            matches!(similar_limit(Some("limit=21")), Err(ApiError::BadRequest(m)) if m == "limit must be between 1 and 20")
        );
        assert!(matches!(similar_limit(Some("q=x")), Err(ApiError::BadRequest(_))));
    }
}
