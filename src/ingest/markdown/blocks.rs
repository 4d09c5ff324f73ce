//! Blocks: the body as a flat list of headings, paragraphs, list items and table rows, and the
//! cleaning of Markdown decoration from their text.
//!
//! The block structure is CommonMark's (with GFM tables), read from pulldown-cmark's events; what
//! stays ours is how these pages bend it:
//! - a block keeps the raw Markdown of its inline text (emphasis, links, inline HTML as written,
//!   less comments), because layouts read it (`**bold**` pseudo-headings, slide links);
//! - a nested list's items are items of their own, and a list item's first line is the item: the
//!   lines after it are read as a paragraph, as pages write a bullet then its details;
//! - a line that opens with a known `key：` is its own paragraph (pages often omit the blank line);
//! - an HTML block is text (`<center>讲师：…</center>`), and indented "code" is Markdown someone
//!   indented (slide lists under a heading), read again without the indentation; fenced code and
//!   HTML comments are dropped.

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use regex::Regex;
use std::sync::LazyLock;

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

/// Splits the body into blocks (see the module doc). Any text is accepted.
pub(super) fn blocks(body: &str) -> Vec<Block> {
    let mut reader = Reader::default();
    reader.walk(body, true);
    reader.out
}

/// What the inline text being gathered belongs to.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Leaf {
    Heading(usize),
    Paragraph,
    Item,
    Cell,
}

/// The walk over pulldown-cmark's events, and the blocks it has produced.
#[derive(Debug, Default)]
struct Reader {
    out: Vec<Block>,
    /// The leaf whose raw text is being gathered, and that text.
    leaf: Option<Leaf>,
    raw: String,
    /// Depth of the inline element (link, emphasis …) being skipped over: its whole source was taken.
    inline_depth: usize,
    /// Inside an HTML comment spread over several inline HTML events.
    in_comment: bool,
    /// The list items still open, and whether each has had its text.
    items: Vec<bool>,
    /// The cells of the table row being read.
    row: Vec<String>,
}

impl Reader {
    /// Reads `body`; `reread_indented` reads indented code blocks again as Markdown (once: the
    /// text read again has no indentation left).
    fn walk(&mut self, body: &str, reread_indented: bool) {
        let options = Options::ENABLE_TABLES;
        let mut code: Option<(bool, String)> = None;
        let mut html: Option<String> = None;
        for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
            let source = &body[range.clone()];
            if let Some((indented, text)) = code.as_mut() {
                match event {
                    Event::End(TagEnd::CodeBlock) => {
                        let (indented, text) = code.take().unwrap_or_default();
                        // Indented "code" on these pages is Markdown someone indented (slide
                        // lists under a heading): read it again without the indentation.
                        if indented && reread_indented {
                            let dedented: Vec<&str> = text.lines().map(str::trim_start).collect();
                            self.walk(&dedented.join("\n"), false);
                        }
                    }
                    Event::Text(t) if *indented => text.push_str(&t),
                    _ => {}
                }
                continue;
            }
            if let Some(text) = html.as_mut() {
                match event {
                    Event::End(TagEnd::HtmlBlock) => {
                        let text = html.take().unwrap_or_default();
                        self.html_block(&text);
                    }
                    Event::Html(t) | Event::Text(t) => text.push_str(&t),
                    _ => {}
                }
                continue;
            }
            if self.inline_depth > 0 {
                match event {
                    Event::Start(_) => self.inline_depth += 1,
                    Event::End(_) => self.inline_depth -= 1,
                    _ => {}
                }
                continue;
            }
            match event {
                Event::Start(Tag::CodeBlock(kind)) => {
                    self.end_leaf();
                    code = Some((matches!(kind, CodeBlockKind::Indented), String::new()));
                }
                Event::Start(Tag::HtmlBlock) => {
                    self.end_leaf();
                    html = Some(String::new());
                }
                Event::Start(Tag::Heading { level, .. }) => self.start_leaf(Leaf::Heading(level as usize)),
                Event::End(TagEnd::Heading(_)) => self.end_leaf(),
                Event::Start(Tag::Paragraph) => {
                    // The first paragraph of a loose list item is the item's text.
                    let item = self.items.last_mut().filter(|had_text| !**had_text);
                    let leaf = if let Some(had_text) = item {
                        *had_text = true;
                        Leaf::Item
                    } else {
                        Leaf::Paragraph
                    };
                    self.start_leaf(leaf);
                }
                Event::End(TagEnd::Paragraph) => self.end_leaf(),
                Event::Start(Tag::Item) => {
                    self.end_leaf();
                    self.items.push(false);
                }
                Event::End(TagEnd::Item) => {
                    self.end_leaf();
                    self.items.pop();
                }
                Event::Start(Tag::List(_) | Tag::BlockQuote(_) | Tag::Table(_)) | Event::Rule => self.end_leaf(),
                Event::Start(Tag::TableHead | Tag::TableRow) => self.row.clear(),
                Event::End(TagEnd::TableHead | TagEnd::TableRow) => {
                    self.out.push(Block::Row(std::mem::take(&mut self.row)));
                }
                Event::Start(Tag::TableCell) => self.start_leaf(Leaf::Cell),
                Event::End(TagEnd::TableCell) => self.end_leaf(),
                Event::Start(_) => {
                    self.inline_text_start();
                    self.raw.push_str(source);
                    self.inline_depth = 1;
                }
                Event::Text(_) | Event::Code(_) | Event::InlineMath(_) | Event::FootnoteReference(_) => {
                    self.inline_text_start();
                    self.raw.push_str(source);
                }
                Event::InlineHtml(_) => {
                    self.inline_text_start();
                    self.inline_html(source);
                }
                Event::SoftBreak | Event::HardBreak => self.raw.push('\n'),
                _ => {}
            }
        }
        self.end_leaf();
    }

    /// Text outside any leaf is the text of the list item it sits in (a tight item).
    fn inline_text_start(&mut self) {
        if self.leaf.is_none() {
            if let Some(had_text) = self.items.last_mut() {
                *had_text = true;
            }
            self.leaf = Some(if self.items.is_empty() { Leaf::Paragraph } else { Leaf::Item });
        }
    }

    fn inline_html(&mut self, source: &str) {
        let mut rest = source;
        loop {
            if self.in_comment {
                match rest.find("-->") {
                    Some(at) => {
                        self.in_comment = false;
                        rest = &rest[at + 3..];
                    }
                    None => return,
                }
            } else {
                match rest.find("<!--") {
                    Some(at) => {
                        self.raw.push_str(&rest[..at]);
                        self.in_comment = true;
                        rest = &rest[at + 4..];
                    }
                    None => {
                        self.raw.push_str(rest);
                        return;
                    }
                }
            }
        }
    }

    fn start_leaf(&mut self, leaf: Leaf) {
        self.end_leaf();
        self.leaf = Some(leaf);
    }

    fn end_leaf(&mut self) {
        self.inline_depth = 0;
        self.in_comment = false;
        let Some(leaf) = self.leaf.take() else { return };
        let raw = std::mem::take(&mut self.raw);
        match leaf {
            Leaf::Heading(level) => self.out.push(Block::Heading { level, text: raw.trim().to_string() }),
            Leaf::Cell => self.row.push(raw.trim().to_string()),
            Leaf::Paragraph => self.paragraph_lines(raw.lines()),
            Leaf::Item => {
                let mut lines = raw.lines();
                let first = lines.next().unwrap_or("").trim();
                self.out.push(Block::Item(first.to_string()));
                self.paragraph_lines(lines);
            }
        }
    }

    /// An HTML block is text to these pages (`<center>讲师：…</center>`), less its comments.
    fn html_block(&mut self, text: &str) {
        let mut kept = String::new();
        let mut rest = text;
        while let Some(at) = rest.find("<!--") {
            kept.push_str(&rest[..at]);
            rest = rest[at + 4..].find("-->").map_or("", |end| &rest[at + 4 + end + 3..]);
        }
        kept.push_str(rest);
        let mut para: Vec<&str> = Vec::new();
        for line in kept.lines() {
            if line.trim().is_empty() {
                self.paragraph_lines(para.drain(..));
            } else {
                para.push(line);
            }
        }
        self.paragraph_lines(para.into_iter());
    }

    /// Lines of a paragraph; a line that opens with a known `key：` stands alone.
    fn paragraph_lines<'a>(&mut self, lines: impl Iterator<Item = &'a str>) {
        let mut para: Vec<&str> = Vec::new();
        for line in lines.map(str::trim).filter(|l| !l.is_empty()) {
            if key_value(&clean(line)).is_some() {
                if !para.is_empty() {
                    self.out.push(Block::Paragraph(para.join("\n")));
                    para.clear();
                }
                self.out.push(Block::Paragraph(line.to_string()));
            } else {
                para.push(line);
            }
        }
        if !para.is_empty() {
            self.out.push(Block::Paragraph(para.join("\n")));
        }
    }
}

/// Removes Markdown decoration: shortcodes, images, HTML tags, link syntax (keeping the text),
/// emphasis markers and code ticks.
pub(super) fn clean(text: &str) -> String {
    static SHORTCODE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?s)\{\{[<%].*?[%>]\}\}").unwrap());
    static IMAGE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"!\[[^\]]*\]\([^)]*\)").unwrap());
    static LINK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\[([^\]]*)\]\([^)]*\)").unwrap());
    static AUTOLINK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<(https?://[^>\s]+)>").unwrap());
    static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"</?[a-zA-Z][^>]*>").unwrap());
    let text = SHORTCODE.replace_all(text, "");
    let text = IMAGE.replace_all(&text, "");
    let text = LINK.replace_all(&text, "$1");
    let text = AUTOLINK.replace_all(&text, "$1");
    let text = TAG.replace_all(&text, "");
    text.replace("**", "").replace("__", "").replace('`', "").replace("&nbsp;", " ").trim().to_string()
}

/// The first http(s) URL in raw Markdown (a link target, an autolink or bare text).
pub(super) fn first_url(raw: &str) -> Option<String> {
    static URL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"https?://[^\s)\]>）|]+").unwrap());
    URL.find(raw).map(|m| m.as_str().to_string())
}
