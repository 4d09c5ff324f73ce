//! The bench's query mix: query files parsed and validated line by line, each query with its class.

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS, NON_ALPHANUMERIC};
use serde::Serialize;
use talksearch::config::Limits;
use talksearch::search::SearchRequest;
use talksearch::server::error::ApiError;
use talksearch::server::params;

/// The default query mix, shipped in `benches/queries/default.txt`.
pub const DEFAULT_QUERIES: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/benches/queries/default.txt"));

/// One line of a query file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BenchQuery {
    /// `zh`, `en`, `mixed`, `phrase`, `filtered`, `filter-only`, `none` or any name the file gives.
    pub class: String,
    pub q: String,
    /// The parameters after the TAB as a URL query string (`year=2019&lang=en`), possibly empty.
    pub params: String,
    /// 1-based line in the file, for messages.
    pub line: usize,
}

impl BenchQuery {
    /// The query string for `/api/search`: `q` encoded, the params with only unsafe bytes encoded.
    pub fn query_string(&self) -> String {
        let mut parts = Vec::new();
        if !self.q.is_empty() {
            parts.push(format!("q={}", utf8_percent_encode(&self.q, COMPONENT)));
        }
        if !self.params.is_empty() {
            parts.push(utf8_percent_encode(&self.params, QUERY_STRING).to_string());
        }
        parts.join("&")
    }

    /// The search request, validated exactly as the HTTP API validates it (so both modes run the
    /// same searches and a bad line is caught before the run).
    pub fn request(&self) -> Result<SearchRequest, String> {
        let raw = self.query_string();
        params::search_request(Some(&raw), &Limits::default()).map_err(|e| match e {
            ApiError::BadRequest(m) | ApiError::NotFound(m) | ApiError::Internal(m) => m,
            ApiError::Unavailable { message, .. } => message,
        })
    }
}

/// Bytes encoded in `q`: everything but unreserved characters.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');
/// Bytes encoded in the params: those not allowed in a URL; `%`, `&`, `=` and `+` keep their meaning.
const QUERY_STRING: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'|')
    .add(b'\\')
    .add(b'^')
    .add(b'[')
    .add(b']');

/// Parses a query file (see `benches/queries/default.txt` for the format) and validates every line.
pub fn parse_queries(text: &str) -> Result<Vec<BenchQuery>, String> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() || raw.trim_start().starts_with('#') {
            continue;
        }
        let (mut rest, mut class) = (raw.trim_start_matches([' ', '\u{feff}']), None);
        if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']').ok_or_else(|| format!("line {line}: unclosed class prefix `[`"))?;
            let name = after[..end].trim();
            if name.is_empty() || name.contains(char::is_whitespace) {
                return Err(format!("line {line}: bad class name {name:?}"));
            }
            class = Some(name.to_string());
            rest = after[end + 1..].strip_prefix(' ').unwrap_or(&after[end + 1..]);
        }
        let (q, params) = rest.split_once('\t').unwrap_or((rest, ""));
        let (q, params) = (q.trim().to_string(), params.trim().to_string());
        let class = class.unwrap_or_else(|| infer_class(&q, &params).to_string());
        let query = BenchQuery { class, q, params, line };
        query.request().map_err(|e| format!("line {line}: {e}"))?;
        out.push(query);
    }
    if out.is_empty() {
        return Err("the query file has no queries".into());
    }
    Ok(out)
}

/// The class of a line without a `[class]` prefix.
fn infer_class(q: &str, params: &str) -> &'static str {
    let han = q.chars().any(talksearch::talk::is_han);
    let latin = q.chars().any(|c| c.is_ascii_alphanumeric());
    match () {
        _ if q.is_empty() => "filter-only",
        _ if !params.is_empty() => "filtered",
        _ if q.contains(['"', '“', '”']) => "phrase",
        _ if han && latin => "mixed",
        _ if han => "zh",
        _ => "en",
    }
}

/// The class names in order of first appearance, and each query's class index.
pub fn classes(queries: &[BenchQuery]) -> (Vec<String>, Vec<usize>) {
    let mut names: Vec<String> = Vec::new();
    let index = queries
        .iter()
        .map(|q| match names.iter().position(|n| *n == q.class) {
            Some(i) => i,
            None => {
                names.push(q.class.clone());
                names.len() - 1
            }
        })
        .collect();
    (names, index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_files_with_classes_params_and_comments() {
        let text = "# a comment\n\n[zh] 服务网格\n  # indented comment\n[filtered] django\tyear=2019&lang=en\n\
                    [filter-only] \tlang=zh\n\"service mesh\"\nService Mesh 性能优化\nasyncio\nkubernetes\tyear=2020..2022\n\
                    [none] qwxzzy\n";
        let qs = parse_queries(text).unwrap();
        let got: Vec<(&str, &str, &str, usize)> =
            qs.iter().map(|q| (q.class.as_str(), q.q.as_str(), q.params.as_str(), q.line)).collect();
        assert_eq!(
            got,
            vec![
                ("zh", "服务网格", "", 3),
                ("filtered", "django", "year=2019&lang=en", 5),
                ("filter-only", "", "lang=zh", 6),
                ("phrase", "\"service mesh\"", "", 7),
                ("mixed", "Service Mesh 性能优化", "", 8),
                ("en", "asyncio", "", 9),
                ("filtered", "kubernetes", "year=2020..2022", 10),
                ("none", "qwxzzy", "", 11),
            ]
        );
        let req = qs[1].request().unwrap();
        assert_eq!(
            (req.q.as_str(), req.limit, req.filters.years, req.filters.lang.as_deref()),
            ("django", 10, Some((2019, 2019)), Some("en"))
        );
    }

    #[test]
    fn params_keep_spaces_chinese_and_escaped_ampersands() {
        let qs = parse_queries("[filtered] 服务网格\tevent=Apache APISIX %26 KubeSphere 联合 Meetup\n").unwrap();
        assert_eq!(qs[0].query_string(), "q=%E6%9C%8D%E5%8A%A1%E7%BD%91%E6%A0%BC&event=Apache%20APISIX%20%26%20KubeSphere%20%E8%81%94%E5%90%88%20Meetup");
        assert_eq!(qs[0].request().unwrap().filters.event.as_deref(), Some("Apache APISIX & KubeSphere 联合 Meetup"));
        assert_eq!(parse_queries("c++ & \"a+b\"\n").unwrap()[0].request().unwrap().q, "c++ & \"a+b\"");
    }

    #[test]
    fn bad_lines_are_reported_with_their_number() {
        assert!(parse_queries("ok\n[zh 服务网格\n").unwrap_err().starts_with("line 2:"));
        assert!(parse_queries("ok\ndjango\tspeaker=x\n")
            .unwrap_err()
            .contains("line 2: unknown parameter \"speaker\""));
        assert!(parse_queries("[filter-only] \t\n").unwrap_err().starts_with("line 1: give a query"));
        assert!(parse_queries("x\tyear=12\n").unwrap_err().starts_with("line 1:"));
        assert!(parse_queries("# only comments\n\n").is_err());
    }

    #[test]
    fn the_default_mix_parses_and_covers_every_class() {
        let qs = parse_queries(DEFAULT_QUERIES).unwrap();
        assert!(qs.len() >= 60, "{} queries", qs.len());
        let (names, _) = classes(&qs);
        assert_eq!(names, ["zh", "en", "mixed", "phrase", "filtered", "filter-only", "none"]);
    }
}
