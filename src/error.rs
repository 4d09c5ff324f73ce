//! The library's error type and `Result` alias.

use std::path::PathBuf;

/// Everything that can go wrong inside talksearch.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("query: {0}")]
    Query(#[from] tantivy::query::QueryParserError),
    #[error("no index at {0}: build one with `talksearch index`")]
    NoIndex(PathBuf),
    /// The index folder cannot be served as it is: `what` names the damaged pointer or files.
    #[error("the index in {} is damaged: {what}; {}", dir.display(), rebuild_hint(dir))]
    Damaged { dir: PathBuf, what: String },
    /// The current generation is whole but was written with another schema.
    #[error("the index in {} ({generation}) was built by an incompatible version of talksearch; {}", dir.display(), rebuild_hint(dir))]
    Incompatible { dir: PathBuf, generation: String },
    /// Another build holds the index folder's lock; `holder` is the pid it wrote, when readable.
    #[error("another build{} is updating {}; wait for it to finish", holder.map(|p| format!(" (pid {p})")).unwrap_or_default(), dir.display())]
    Locked { dir: PathBuf, holder: Option<u32> },
    /// A `--data` path that does not exist.
    #[error("no such data file or folder: {}", .0.display())]
    NoData(PathBuf),
    #[error("invalid input: {0}")]
    Invalid(String),
    #[error("{0}")]
    Other(String),
}

/// How to replace an index that cannot be served.
fn rebuild_hint(dir: &std::path::Path) -> String {
    format!("rebuild it with `talksearch index --full --data PATH --index {}`", dir.display())
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
