//! Shared set-up of the fuzz targets: the checks (also replayed by `tests/fuzz_regressions.rs`) and
//! a small index to search, built once from `tests/data/pages`.

pub mod checks;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use indicatif::ProgressBar;
use talksearch::schema::Fields;
use talksearch::{indexer, ingest, Engine};

/// The schema's field handles, made once.
pub fn fields() -> &'static Fields {
    static FIELDS: OnceLock<Fields> = OnceLock::new();
    FIELDS.get_or_init(checks::fields)
}

/// An engine over the repository's test pages. The index is built once into
/// `fuzz/target/fixture-index` (atomically: built beside it, then renamed) and shared by every
/// fuzzing process, which only ever open it read-only.
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = root.join("target/fixture-index");
        if !indexer::exists(&dir) {
            let staging = root.join(format!("target/fixture-index.{}", std::process::id()));
            let pages: Vec<PathBuf> = vec![root.join("../tests/data/pages"), root.join("../tests/data/pyvideo")];
            let ingested = ingest::read_paths(&pages, |_, _| {}).expect("tests/data exists");
            indexer::build(&staging, &ingested.talks, &ProgressBar::hidden()).expect("the fixture index builds");
            // Another process may have won the race; its index is as good as ours.
            if std::fs::rename(&staging, &dir).is_err() {
                let _ = std::fs::remove_dir_all(&staging);
            }
        }
        Engine::open(&dir).expect("the fixture index opens")
    })
}
