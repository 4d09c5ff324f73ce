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

/// An engine over the repository's test pages. The index is built into `fuzz/target/fixture-index`
/// (beside it, then renamed into place) and shared by every fuzzing process, which only open it
/// read-only; it is rebuilt when it no longer opens (the schema changed).
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = root.join("target/fixture-index");
        if let Ok(engine) = Engine::open(&dir) {
            return engine;
        }
        // None yet, or one built by an older schema: build it beside, then swap it in.
        let staging = root.join(format!("target/fixture-index.{}", std::process::id()));
        let pages: Vec<PathBuf> = vec![root.join("../tests/data/pages"), root.join("../tests/data/pyvideo")];
        let ingested = ingest::read_paths(&pages, |_, _| {}).expect("tests/data exists");
        indexer::build(&staging, &ingested.talks, &ProgressBar::hidden()).expect("the fixture index builds");
        let _ = std::fs::remove_dir_all(&dir);
        // Another process may have swapped in its own first; it is as good as ours.
        if std::fs::rename(&staging, &dir).is_err() {
            let _ = std::fs::remove_dir_all(&staging);
        }
        Engine::open(&dir).expect("the fixture index opens")
    })
}
