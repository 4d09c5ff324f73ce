//! Chinese (and English) Markdown event pages: Hugo front matter, then talk sections.

use super::IngestError;
use crate::talk::Talk;

/// Parses one Markdown page into its talks (none for pages that hold no talks).
pub fn parse(_text: &str, _source: &str) -> Result<Vec<Talk>, IngestError> {
    Ok(Vec::new())
}
