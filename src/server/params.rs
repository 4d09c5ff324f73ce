//! Query-string parsing and validation for the API: every bad input becomes a precise 400 message.

use percent_encoding::percent_decode_str;

use super::error::ApiError;
use crate::config::Limits;
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
fn number(name: &str, value: &str, max: usize, min: usize) -> Result<usize, ApiError> {
    let digits = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
    match value.parse::<usize>() {
        Ok(n) if digits && (min..=max).contains(&n) => Ok(n),
        Ok(_) if digits => Err(ApiError::bad(format!("{name} must be between {min} and {max}"))),
        _ => Err(ApiError::bad(format!("{name} must be a whole number between {min} and {max}, not {value:?}"))),
    }
}

pub const SEARCH_PARAMS: &[&str] = &["q", "limit", "offset", "company", "event", "year", "lang"];

/// A validated search request from `/api/search`'s query string.
pub fn search_request(raw: Option<&str>, limits: &Limits) -> Result<SearchRequest, ApiError> {
    let mut req = SearchRequest { limit: limits.default_limit, ..SearchRequest::default() };
    let mut filters = Filters::default();
    for (name, value) in decode(raw, SEARCH_PARAMS)? {
        match name.as_str() {
            "q" => {
                let chars = value.chars().count();
                if chars > limits.max_query_chars {
                    return Err(ApiError::bad(format!(
                        "q is too long ({chars} characters; the limit is {})",
                        limits.max_query_chars
                    )));
                }
                req.q = value;
            }
            "limit" => req.limit = number("limit", &value, limits.max_limit, 1)?,
            "offset" => req.offset = number("offset", &value, limits.max_offset, 0)?,
            "company" => filters.company = non_empty(value),
            "event" => filters.event = non_empty(value),
            "lang" => filters.lang = non_empty(value),
            "year" if !value.trim().is_empty() => filters.years = Some(parse_years(&value).map_err(ApiError::bad)?),
            _ => {}
        }
    }
    if req.q.trim().is_empty() && filters.is_empty() {
        return Err(ApiError::bad("give a query q or a filter (company, event, year, lang)"));
    }
    req.filters = filters;
    Ok(req)
}

pub const SPEAKERS_PARAMS: &[&str] = &["company", "q", "limit"];

/// A validated `/api/speakers` query: company, name part, limit.
pub struct SpeakersQuery {
    pub company: Option<String>,
    pub q: Option<String>,
    pub limit: usize,
}

pub fn speakers_query(raw: Option<&str>, limits: &Limits) -> Result<SpeakersQuery, ApiError> {
    let mut out = SpeakersQuery { company: None, q: None, limit: 50 };
    for (name, value) in decode(raw, SPEAKERS_PARAMS)? {
        if value.chars().count() > limits.max_query_chars {
            return Err(ApiError::bad(format!(
                "{name} is too long (the limit is {} characters)",
                limits.max_query_chars
            )));
        }
        match name.as_str() {
            "company" => out.company = non_empty(value),
            "q" => out.q = non_empty(value),
            "limit" => out.limit = number("limit", &value, 1000, 1)?,
            _ => {}
        }
    }
    Ok(out)
}

/// The `text` of `/api/analyze`, required and bounded like a query.
pub fn analyze_text(raw: Option<&str>, limits: &Limits) -> Result<String, ApiError> {
    let text = decode(raw, &["text"])?.into_iter().next().map(|(_, v)| v).unwrap_or_default();
    if text.is_empty() {
        return Err(ApiError::bad("give the text to analyze as text=…"));
    }
    let chars = text.chars().count();
    if chars > limits.max_query_chars * 10 {
        return Err(ApiError::bad(format!(
            "text is too long ({chars} characters; the limit is {})",
            limits.max_query_chars * 10
        )));
    }
    Ok(text)
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
    }

    #[test]
    fn bad_requests_say_what_is_wrong() {
        assert_eq!(err(""), "give a query q or a filter (company, event, year, lang)");
        assert_eq!(err("q=+"), "give a query q or a filter (company, event, year, lang)");
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
        assert!(err(&format!("q={}", "网".repeat(501))).starts_with("q is too long (501 characters"));
    }
}
