//! Schedule texts as plain text: HTML (also entity-escaped twice over) and Markdown turned into readable lines.

use regex::Regex;
use std::sync::LazyLock;

/// `raw` as plain text: tags dropped (block tags end a line, list items become `- ` lines),
/// entities decoded (as often as the exporter escaped them), Markdown links, emphasis, headings
/// and bullets reduced to their words, runs of blank lines folded, lines trimmed.
pub fn plain(raw: &str) -> String {
    static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>").unwrap());
    static ESCAPED_TAG: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"&(?:amp;)*lt;/?(?:p|br|a|em|strong|ul|ol|li|div|span|code|pre|h[1-6]|b|i)\b").unwrap()
    });
    let mut text = raw.replace("\r\n", "\n");
    // HTML escaped once more than its container needs (`&lt;p&gt;` inside a JSON string, or
    // `&amp;lt;p&amp;gt;` inside XML) is decoded until its tags are tags.
    for _ in 0..3 {
        if TAG.is_match(&text) || !ESCAPED_TAG.is_match(&text) {
            break;
        }
        text = html_escape::decode_html_entities(&text).into_owned();
    }
    if TAG.is_match(&text) {
        text = strip_tags(&text);
    }
    text = decode_entities(&text);
    text = markdown(&text);
    tidy(&text)
}

/// Entities decoded until none is left (`&amp;#39;` is `'`), at most three times.
fn decode_entities(text: &str) -> String {
    static ENTITY: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});").unwrap());
    let mut text = text.to_string();
    for _ in 0..3 {
        if !ENTITY.is_match(&text) {
            break;
        }
        text = html_escape::decode_html_entities(&text).into_owned();
    }
    text.replace('\u{a0}', " ")
}

/// Tags dropped; block-level tags end a line, list items start one with `- `, comments go.
fn strip_tags(html: &str) -> String {
    static TAG: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?s)<!--.*?-->|<(/?)([a-zA-Z][a-zA-Z0-9]*)(?:\s[^<>]*)?/?>").unwrap());
    TAG.replace_all(html, |caps: &regex::Captures| {
        let Some(name) = caps.get(2) else { return String::new() };
        let closing = !caps[1].is_empty();
        match name.as_str().to_ascii_lowercase().as_str() {
            "li" if !closing => "\n- ".to_string(),
            "li" => String::new(),
            "br" | "p" | "div" | "ul" | "ol" | "tr" | "blockquote" | "pre" | "h1" | "h2" | "h3" | "h4" | "h5"
            | "h6" | "table" | "section" => "\n".to_string(),
            _ => String::new(),
        }
    })
    .into_owned()
}

/// Markdown reduced to its words: `[label](url)` → `label (url)` unless the label is the URL,
/// images to their alt text, `**bold**`/`__bold__`/`*emphasis*`/`` `code` `` to their text, `#` headings and
/// `*`/`+` bullets to plain lines.
fn markdown(text: &str) -> String {
    static IMAGE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"!\[([^\]]*)\]\([^)\s]*\)").unwrap());
    static LINK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\[([^\]]+)\]\((https?://[^)\s]+)\)").unwrap());
    static STRONG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(\*\*|__)([^*_\n]+?)(\*\*|__)").unwrap());
    static EMPHASIS: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(^|[\s(])\*([^*\s](?:[^*\n]*[^*\s])?)\*").unwrap());
    static CODE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"`([^`\n]+)`").unwrap());
    static HEADING: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?m)^[ \t]*#{1,6}[ \t]+").unwrap());
    static BULLET: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?m)^([ \t]*)[*+][ \t]+").unwrap());
    let text = IMAGE.replace_all(text, "$1");
    let text = LINK.replace_all(&text, |caps: &regex::Captures| {
        if caps[1] == caps[2] {
            caps[2].to_string()
        } else {
            format!("{} ({})", &caps[1], &caps[2])
        }
    });
    let text = STRONG.replace_all(&text, "$2");
    let text = EMPHASIS.replace_all(&text, "$1$2");
    let text = CODE.replace_all(&text, "$1");
    let text = HEADING.replace_all(&text, "");
    BULLET.replace_all(&text, "$1- ").into_owned()
}

/// Lines trimmed, spaces inside a line folded, at most one blank line in a row, no blank ends.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = false;
    for line in text.lines() {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank { "\n\n" } else { "\n" });
        }
        blank = false;
        out.push_str(&line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::plain;

    #[test]
    fn html_markdown_and_escapes_become_plain_text() {
        let cases = [
            ("<p>FOSDEM welcome.</p>\n<p>Join us &amp; enjoy.</p>", "FOSDEM welcome.\n\nJoin us & enjoy."),
            // Escaped once inside a JSON string: the tags are still tags.
            ("&lt;p&gt;users&amp;#39; freedom&lt;/p&gt;", "users' freedom"),
            // Double-escaped apostrophes of FOSDEM 2012, after the XML layer is gone.
            ("<p>users&amp;#39; freedom &amp;#34;now&amp;#34;</p>", "users' freedom \"now\""),
            ("<ul><li>one</li><li>two</li></ul>", "- one\n- two"),
            (
                "Built on [Gluon](https://gluon.readthedocs.io/) with **pytest**.",
                "Built on Gluon (https://gluon.readthedocs.io/) with pytest.",
            ),
            ("## Agenda\r\n* first\r\n* `second`", "Agenda\n- first\n- second"),
            ("a  b\n\n\n\nc  ", "a b\n\nc"),
            ("x < y and 3 > 2", "x < y and 3 > 2"),
            ("服务网格&nbsp;实践", "服务网格 实践"),
        ];
        for (raw, want) in cases {
            assert_eq!(plain(raw), want, "{raw:?}");
        }
    }
}
