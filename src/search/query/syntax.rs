//! The query syntax: the user's text → clauses. Small, and never fails: plain words, `"exact
//! phrase"`, `-exclude`, and the fields `speaker:`, `company:`, `event:` and `year:2022` /
//! `year:2020..2022` (values may be quoted); anything else is searched as plain text.

/// One piece of the user's query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clause {
    /// Plain words: each must match somewhere (or, after relaxing, most of them).
    Words(String),
    /// `"…"`: the words must appear together, in order.
    Phrase(String),
    /// `-word` or `-"…"`: talks containing it are left out.
    Exclude(String),
    /// `speaker:name`: the words must match a speaker's name.
    Speaker(String),
    /// `company:name`: a speaker's company, in any alias (the family, like the `company` filter).
    Company(String),
    /// `event:words`: the words must match the event title.
    Event(String),
    /// `year:2022` or `year:2020..2022`.
    Years(u64, u64),
}

/// Field prefixes the query syntax knows (lowercase; `：` works as well as `:`).
/// Makes the clause for a field prefix's value; `None` when the value does not parse.
type MakeClause = fn(String) -> Option<Clause>;

const FIELD_PREFIXES: &[(&str, MakeClause)] = &[
    ("speaker", |v| Some(Clause::Speaker(v))),
    ("讲师", |v| Some(Clause::Speaker(v))),
    ("company", |v| Some(Clause::Company(v))),
    ("公司", |v| Some(Clause::Company(v))),
    ("event", |v| Some(Clause::Event(v))),
    ("year", |v| parse_years(&v).ok().map(|(a, b)| Clause::Years(a, b))),
];

/// `2022` or `2020..2022` as an inclusive range of plausible years.
pub fn parse_years(s: &str) -> Result<(u64, u64), String> {
    let year = |t: &str| -> Result<u64, String> {
        match t.trim().parse::<u64>() {
            Ok(y) if (1900..=2999).contains(&y) => Ok(y),
            _ => Err(format!("{t:?} is not a year (expected e.g. 2022 or 2020..2022)")),
        }
    };
    match s.split_once("..") {
        Some((a, b)) => {
            let (a, b) = (year(a)?, year(b)?);
            if a > b {
                return Err(format!("year range {s:?} is empty"));
            }
            Ok((a, b))
        }
        None => year(s).map(|y| (y, y)),
    }
}

/// A `field:value` clause at the start of `rest`, and what follows it.
fn field_clause(rest: &str) -> Option<(Clause, &str)> {
    let colon = rest.find([':', '：'])?;
    let name = rest[..colon].to_lowercase();
    let (_, make) = FIELD_PREFIXES.iter().find(|(n, _)| *n == name)?;
    let after = &rest[colon + rest[colon..].chars().next()?.len_utf8()..];
    let (value, rest) = match after.strip_prefix('"') {
        Some(inner) => {
            let end = inner.find('"')?;
            (&inner[..end], &inner[end + 1..])
        }
        None => {
            let end = after.find(char::is_whitespace).unwrap_or(after.len());
            (&after[..end], &after[end..])
        }
    };
    if value.trim().is_empty() {
        return None;
    }
    Some((make(value.trim().to_string())?, rest))
}

/// Splits the user's query into clauses. Total: every input gives a (possibly empty) list.
pub fn parse(q: &str) -> Vec<Clause> {
    let mut clauses = Vec::new();
    let mut words = String::new();
    let mut rest = q;
    while let Some(c) = rest.chars().next() {
        let at_word_start = words.is_empty() || words.ends_with(char::is_whitespace);
        if c == '"' || c == '“' || c == '”' {
            let body = &rest[c.len_utf8()..];
            match body.find(['"', '“', '”']) {
                Some(end) => {
                    push_phrase(&mut clauses, &mut words, &body[..end], false);
                    // The closing quote may be a multi-byte char.
                    rest = skip_closing_quote(body, end);
                }
                // An unmatched quote is just punctuation.
                None => rest = body,
            }
            continue;
        }
        if at_word_start && c.is_alphabetic() {
            if let Some((clause, after)) = field_clause(rest) {
                flush_words(&mut clauses, &mut words);
                clauses.push(clause);
                rest = after;
                continue;
            }
        }
        if (c == '-' || c == '－') && at_word_start {
            let body = &rest[c.len_utf8()..];
            if let Some(inner) = body.strip_prefix('"') {
                if let Some(end) = inner.find('"') {
                    push_phrase(&mut clauses, &mut words, &inner[..end], true);
                    rest = &inner[end + 1..];
                    continue;
                }
            }
            let end = body.find(char::is_whitespace).unwrap_or(body.len());
            if end > 0 {
                flush_words(&mut clauses, &mut words);
                clauses.push(Clause::Exclude(body[..end].to_string()));
                rest = &body[end..];
                continue;
            }
        }
        words.push(c);
        rest = &rest[c.len_utf8()..];
    }
    flush_words(&mut clauses, &mut words);
    clauses
}

fn skip_closing_quote(body: &str, end: usize) -> &str {
    let quote_len = body[end..].chars().next().map_or(0, char::len_utf8);
    &body[end + quote_len..]
}

fn push_phrase(clauses: &mut Vec<Clause>, words: &mut String, phrase: &str, exclude: bool) {
    flush_words(clauses, words);
    if phrase.trim().is_empty() {
        return;
    }
    clauses.push(if exclude { Clause::Exclude(phrase.to_string()) } else { Clause::Phrase(phrase.to_string()) });
}

fn flush_words(clauses: &mut Vec<Clause>, words: &mut String) {
    if !words.trim().is_empty() {
        clauses.push(Clause::Words(words.trim().to_string()));
    }
    words.clear();
}
