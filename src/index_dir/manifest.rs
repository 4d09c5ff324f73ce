//! The index's own record of what it was read from: a generation's [`Manifest`] (each source
//! file's content hash and the ids of its talks, stored as `manifest.json`), and the [`Change`]s that
//! bring a generation up to date with the files ([`crate::ingest::scan`] finds them, the indexer
//! applies them).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::talk::Talk;

/// What a build recorded about each source file, so the next build re-reads only what changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Absolute path → what it held.
    pub files: BTreeMap<String, FileRecord>,
    /// The analyzer version the generation was tokenized with (see `tokenizer::ANALYZER_VERSION`);
    /// 0 for generations written before it was recorded. An update builds only on the same version.
    #[serde(default)]
    pub analyzer: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    /// blake3 of the file's bytes (and, for pyvideo records, of their event's title).
    pub hash: String,
    /// Ids of the talks this file contributed.
    pub ids: Vec<String>,
}

/// A change to apply to a generation, as [`crate::ingest::scan`] finds it by comparing the files with
/// the manifest.
#[derive(Debug)]
pub enum Change {
    /// Delete the talk with this id (its file changed or is gone).
    Remove(String),
    /// Add this talk (from a new or changed file).
    Add(Box<Talk>),
}

impl AsRef<Manifest> for Manifest {
    fn as_ref(&self) -> &Manifest {
        self
    }
}
