//! talksearch: a search index and query service for conference talks in Chinese and English.
//!
//! The pipeline: [`ingest`] reads source files into [`Talk`]s; [`indexer`] writes them into a tantivy
//! index whose schema is in [`schema`], tokenized by the jieba analyzer in [`tokenizer`]; [`search`]
//! answers queries; [`server`] serves them over HTTP and [`cli`] from the terminal.

pub mod bench;
pub mod cli;
pub mod commands;
pub mod company;
pub mod config;
pub mod error;
pub mod eval;
pub mod gen;
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
