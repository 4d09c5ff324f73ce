//! talksearch: a search index and query service for conference talks in Chinese and English.
//!
//! The pipeline: [`ingest`] reads source files into [`Talk`]s; [`indexer`] writes them into a tantivy
//! index whose schema (and a talk as a document of it) is in [`schema`], tokenized by the jieba
//! analyzer in [`tokenizer`]; [`search`] answers queries; [`server`] serves them over HTTP. The index
//! folder on disk (generations, `CURRENT`, the build lock) is [`index_dir::IndexDir`], which the
//! indexer and search both go through.
//!
//! The `talksearch` command line (`index`, `serve`, `search`, `bench`, `gen`, `eval` …) is the binary
//! in `src/bin/talksearch/`, a user of this library like the tests, benches and fuzz targets.

pub mod company;
pub mod config;
pub mod error;
pub mod index_dir;
pub mod indexer;
pub mod ingest;
pub mod schema;
pub mod search;
pub mod server;
pub mod speakers;
pub mod talk;
pub mod tokenizer;

pub use error::{Error, Result};
pub use search::{Engine, SearchRequest, SearchResponse};
pub use talk::{Event, Speaker, Talk};
