//! Blocks: the body as a flat list of headings, paragraphs, list items and table rows, and the
//! cleaning of Markdown decoration from their text.

use once_cell::sync::Lazy;
use regex::Regex;

use super::vocabulary::key_value;

/// One structural piece of the body. Text is raw Markdown; it is cleaned where it is used because
/// some layouts need the raw form (links to slides, `**bold**` pseudo-headings).
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Block {
    Heading { level: usize, text: String },
    Paragraph(String),
    Item(String),
    Row(Vec<String>),
}

static HEADING: Lazy<Regex> = Lazy::new(|| Regex::new(r"^(#{1,6})\s+(.*?)(?:\s+#+)?\s*$").unwrap());
static ITEM: Lazy<Regex> = Lazy::new(|| Regex::new(r"^\s*(?:[-*+]|\d{1,3}[.)、])\s+(.*)$").unwrap());
static TABLE_RULE: Lazy<Regex> = Lazy::new(|| Regex::new(r"^\|?[\s:|-]+\|?$").unwrap());
static COMMENT: Lazy<Regex> = Lazy::new(|| Regex::new(r"(?s)<!--.*?-->").unwrap());

/// Splits the body into blocks. Code fences and HTML comments are dropped; a line that starts with
/// a known `key：` becomes its own paragraph because pages often omit the blank line between them.
pub(super) fn blocks(body: &str) -> Vec<Block> {
    let body = COMMENT.replace_all(body, "");
    let mut out = Vec::new();
    let mut para: Vec<&str> = Vec::new();
    let mut in_fence = false;
    let flush = |para: &mut Vec<&str>, out: &mut Vec<Block>| {
        if !para.is_empty() {
            out.push(Block::Paragraph(para.join("\n")));
            para.clear();
        }
    };
    for line in body.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            flush(&mut para, &mut out);
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        if trimmed.is_empty() {
            flush(&mut para, &mut out);
        } else if let Some(caps) = HEADING.captures(trimmed) {
            flush(&mut para, &mut out);
            out.push(Block::Heading { level: caps[1].len(), text: caps[2].to_string() });
        } else if trimmed.starts_with('|') {
            flush(&mut para, &mut out);
            if !TABLE_RULE.is_match(trimmed) {
                let inner = trimmed.trim_start_matches('|').trim_end_matches('|');
                out.push(Block::Row(inner.split('|').map(|c| c.trim().to_string()).collect()));
            }
        } else if let Some(caps) = ITEM.captures(line) {
            flush(&mut para, &mut out);
            out.push(Block::Item(caps[1].to_string()));
        } else if key_value(&clean(trimmed)).is_some() {
            flush(&mut para, &mut out);
            out.push(Block::Paragraph(trimmed.to_string()));
        } else {
            para.push(trimmed);
        }
    }
    flush(&mut para, &mut out);
    out
}

/// Removes Markdown decoration: shortcodes, images, HTML tags, link syntax (keeping the text),
/// emphasis markers and code ticks.
pub(super) fn clean(text: &str) -> String {
    static SHORTCODE: Lazy<Regex> = Lazy::new(|| Regex::new(r"(?s)\{\{[<%].*?[%>]\}\}").unwrap());
    static IMAGE: Lazy<Regex> = Lazy::new(|| Regex::new(r"!\[[^\]]*\]\([^)]*\)").unwrap());
    static LINK: Lazy<Regex> = Lazy::new(|| Regex::new(r"\[([^\]]*)\]\([^)]*\)").unwrap());
    static AUTOLINK: Lazy<Regex> = Lazy::new(|| Regex::new(r"<(https?://[^>\s]+)>").unwrap());
    static TAG: Lazy<Regex> = Lazy::new(|| Regex::new(r"</?[a-zA-Z][^>]*>").unwrap());
    let text = SHORTCODE.replace_all(text, "");
    let text = IMAGE.replace_all(&text, "");
    let text = LINK.replace_all(&text, "$1");
    let text = AUTOLINK.replace_all(&text, "$1");
    let text = TAG.replace_all(&text, "");
    text.replace("**", "").replace("__", "").replace('`', "").replace("&nbsp;", " ").trim().to_string()
}

/// The first http(s) URL in raw Markdown (a link target, an autolink or bare text).
pub(super) fn first_url(raw: &str) -> Option<String> {
    static URL: Lazy<Regex> = Lazy::new(|| Regex::new(r"https?://[^\s)\]>）|]+").unwrap());
    URL.find(raw).map(|m| m.as_str().to_string())
}
