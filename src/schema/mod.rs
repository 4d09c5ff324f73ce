//! The tantivy schema, and [`Fields`]: the field handles every other module uses; a talk as a
//! document of this schema and back ([`document`], [`talk_from_doc`]).

mod document;

pub use document::{
    document, for_each_stored_talk, pinyin_forms, stored_talk, talk_for_hit, talk_from_doc, Stored, TalkForHit,
};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};

use crate::tokenizer::ANALYZER;

/// Handles to every field of the schema.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// The talk id, untokenized, for lookups by id.
    pub id: Field,
    pub title: Field,
    /// Speaker names.
    pub speakers: Field,
    /// Chinese speaker names in pinyin, whole and as initials (`zhangxiaohui zxh`).
    pub speaker_pinyin: Field,
    /// Company names as the pages state them.
    pub company: Field,
    /// Speaker bios.
    pub bio: Field,
    /// Abstract and outline.
    pub abstract_text: Field,
    pub takeaways: Field,
    /// Canonical ids of the speakers' companies and their parents, untokenized, for filters and facets.
    pub company_id: Field,
    /// The event title, searchable.
    pub event: Field,
    /// The event title, untokenized, for filters and facets.
    pub event_key: Field,
    pub year: Field,
    /// `zh`, `en` …, untokenized, for filters and facets.
    pub lang: Field,
    /// The whole talk as JSON, for display; not indexed.
    pub doc: Field,
    /// The folded title ([`crate::talk::title_key`]), untokenized: finds the listings of one talk.
    pub title_key: Field,
    /// `1` on every talk that is searched: all but the listings another listing stands for.
    pub visible: Field,
}

impl Fields {
    /// Reads the handles from an index's schema, failing if a field is missing (an index built by
    /// an incompatible version).
    pub fn from_schema(schema: &Schema) -> tantivy::Result<Fields> {
        let f = |name: &str| schema.get_field(name);
        Ok(Fields {
            id: f("id")?,
            title: f("title")?,
            speakers: f("speakers")?,
            speaker_pinyin: f("speaker_pinyin")?,
            company: f("company")?,
            bio: f("bio")?,
            abstract_text: f("abstract")?,
            takeaways: f("takeaways")?,
            company_id: f("company_id")?,
            event: f("event")?,
            event_key: f("event_key")?,
            year: f("year")?,
            lang: f("lang")?,
            doc: f("doc")?,
            title_key: f("title_key")?,
            visible: f("visible")?,
        })
    }
}

/// The schema of a talksearch index.
pub fn build() -> Schema {
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer(ANALYZER).set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let mut b = Schema::builder();
    b.add_text_field("id", STRING | STORED);
    for name in ["title", "speakers", "speaker_pinyin", "company", "bio", "abstract", "takeaways", "event"] {
        b.add_text_field(name, text.clone());
    }
    b.add_text_field("company_id", STRING | FAST);
    b.add_text_field("event_key", STRING | FAST);
    b.add_u64_field("year", INDEXED | FAST);
    b.add_text_field("lang", STRING | FAST);
    b.add_text_field("doc", STORED);
    b.add_text_field("title_key", STRING);
    b.add_text_field("visible", STRING);
    b.build()
}

/// Bytes of stored talks in one block of the store. A hit read its talk by decompressing the whole
/// block holding it: at tantivy's default (16 KiB, about ten talks) that was 11 % of a search.
/// Callgrind, the whole corpus and the 3,000-query mix: 16 KiB 2.66 M instructions per search
/// (store 12.6 MB), 4 KiB 2.45 M (14.5 MB), 2 KiB 2.41 M (15.9 MB). The store is no longer
/// compressed (below); a block is what a hit copies.
pub const DOCSTORE_BLOCK_BYTES: usize = 4096;

/// The settings of a new talksearch index. Stored talks are not compressed: a hit's talk is then
/// a slice of the file rather than a block decompressed (callgrind, the mix: 1.041 M → 1.002 M
/// instructions per search; `perf` under load had put decompressing at 2.8 % of the server's time),
/// for a store 66 % bigger (the whole corpus: 14.5 → 24.1 MB, the index 33.5 → 42.7 MiB).
pub fn settings() -> tantivy::IndexSettings {
    tantivy::IndexSettings {
        docstore_blocksize: DOCSTORE_BLOCK_BYTES,
        docstore_compression: tantivy::store::Compressor::None,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fields_resolve_on_the_built_schema() {
        let schema = super::build();
        super::Fields::from_schema(&schema).expect("every field exists");
    }
}
