//! One generation of the index: a tantivy index with `speakers.json` (the speakers of its talks)
//! and `manifest.json` (what each source file held, see [`Manifest`]) beside its files. How it is
//! checked before it is served or built upon ([`verify`]) and opened ([`Opened`]), and the
//! [`Staging`] folder a build fills before it becomes one.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use tantivy::directory::error::OpenReadError;
use tantivy::Index;

use super::Manifest;
use crate::error::{Error, Result};
use crate::schema::Fields;
use crate::speakers::SpeakerEntity;
use crate::tokenizer;

/// The speakers of a generation, as JSON, beside its tantivy files.
const SPEAKERS: &str = "speakers.json";
/// What each source file held when the generation was built ([`Manifest`]).
const MANIFEST: &str = "manifest.json";

/// An opened generation of the index.
pub struct Opened {
    pub index: Index,
    pub fields: Fields,
    pub speakers: Vec<SpeakerEntity>,
    pub generation: PathBuf,
}

/// Opens `generation` of the index folder `dir`, verified (see [`verify`]) and with the analyzer
/// registered. Refuses a damaged generation and one of another schema.
pub(super) fn open(dir: &Path, generation: PathBuf) -> Result<Opened> {
    let index = verify(dir, &generation)?;
    let fields = check_schema(dir, &generation, &index)?;
    tokenizer::register(&index);
    let speakers = read_speakers(&generation).map_err(|e| {
        let name = generation.file_name().unwrap_or_default().to_string_lossy();
        Error::Damaged { dir: dir.to_path_buf(), what: format!("{name}/{SPEAKERS} does not read ({e})") }
    })?;
    Ok(Opened { index, fields, speakers, generation })
}

/// The field handles of `index`, or [`Error::Incompatible`] when it was written with another schema.
pub(super) fn check_schema(dir: &Path, generation: &Path, index: &Index) -> Result<Fields> {
    Fields::from_schema(&index.schema()).map_err(|_| Error::Incompatible {
        dir: dir.to_path_buf(),
        generation: generation.file_name().unwrap_or_default().to_string_lossy().into_owned(),
    })
}

/// Checks a generation before it is served or built upon, and returns it opened: `meta.json` (and
/// `.managed.json`) parse, every segment file `meta.json` names is there, and each one's bytes match
/// the checksum in its footer (tantivy's CRC32, as `Index::validate_checksum` checks, but also for
/// files missing from `.managed.json`). Every damaged file is named in the error. Costs one read of
/// the generation's files.
pub(super) fn verify(dir: &Path, generation: &Path) -> Result<Index> {
    let started = Instant::now();
    let name = generation.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    for (file, required) in [("meta.json", true), (".managed.json", false)] {
        match fs::read(generation.join(file)) {
            Ok(bytes) if serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_err() => {
                return Err(damaged(dir, format!("{name}/{file} is not valid JSON")));
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(damaged(dir, format!("{name}/{file} is missing")));
            }
            Err(e) => return Err(damaged(dir, format!("{name}/{file} cannot be read: {e}"))),
        }
    }
    let index = Index::open_in_dir(generation).map_err(|e| damaged(dir, format!("{name} does not open: {e}")))?;
    let meta = index.load_metas().map_err(|e| damaged(dir, format!("{name}/meta.json does not load: {e}")))?;
    // Candidates tantivy lists that need not exist: the delete file of a segment without deletes,
    // and the temporary store of a segment still being written.
    let without_deletes: Vec<PathBuf> = meta
        .segments
        .iter()
        .filter(|s| !s.has_deletes())
        .map(|s| s.relative_path(tantivy::index::SegmentComponent::Delete))
        .collect();
    let mut files: Vec<PathBuf> = meta
        .list_segment_files()
        .into_iter()
        .filter(|f| !without_deletes.contains(f) && !f.to_string_lossy().ends_with(".store.temp"))
        .collect();
    files.sort();
    let mut problems = Vec::new();
    let mut bytes = 0;
    for file in &files {
        let problem = match index.directory().validate_checksum(file) {
            Ok(true) => {
                bytes += fs::metadata(generation.join(file)).map_or(0, |m| m.len());
                continue;
            }
            Ok(false) => "fails its checksum".to_string(),
            Err(OpenReadError::FileDoesNotExist(_)) => "is missing".to_string(),
            Err(OpenReadError::IoError { io_error, .. }) if io_error.kind() == std::io::ErrorKind::InvalidData => {
                "is damaged (its footer does not read)".to_string()
            }
            Err(OpenReadError::IoError { io_error, .. }) => format!("cannot be read: {io_error}"),
            Err(e) => format!("cannot be read: {e}"),
        };
        problems.push(format!("{name}/{} {problem}", file.display()));
    }
    if !problems.is_empty() {
        return Err(damaged(dir, problems.join(", ")));
    }
    tracing::debug!(
        generation = %generation.display(),
        files = files.len(),
        mib = bytes as f64 / (1024.0 * 1024.0),
        ms = started.elapsed().as_secs_f64() * 1e3,
        "verified"
    );
    Ok(index)
}

fn damaged(dir: &Path, what: String) -> Error {
    Error::Damaged { dir: dir.to_path_buf(), what }
}

/// The speakers of a generation (see [`crate::speakers::entities`]), written beside the tantivy files.
fn read_speakers(generation: &Path) -> Result<Vec<SpeakerEntity>> {
    let path = generation.join(SPEAKERS);
    let bytes = fs::read(&path).map_err(|e| Error::io(&path, e))?;
    let people = serde_json::from_slice(&bytes).map_err(|e| Error::Other(format!("{}: {e}", path.display())))?;
    Ok(crate::speakers::with_ids(people))
}

/// The manifest of `generation`, if it has one and it records files.
pub fn read_manifest(generation: &Path) -> Option<Manifest> {
    let bytes = fs::read(generation.join(MANIFEST)).ok()?;
    serde_json::from_slice::<Manifest>(&bytes).ok().filter(|m| !m.files.is_empty())
}

/// The staging folder a build fills before it becomes generation `name` (see
/// [`super::BuildLock::stage`] and [`super::BuildLock::publish`]).
#[derive(Debug)]
pub struct Staging {
    path: PathBuf,
    name: String,
}

impl Staging {
    /// Creates the (empty) staging folder `path` for generation `name`.
    pub(super) fn create(path: PathBuf, name: String) -> Result<Staging> {
        fs::create_dir_all(&path).map_err(|e| Error::io(&path, e))?;
        Ok(Staging { path, name })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(super) fn into_parts(self) -> (PathBuf, String) {
        (self.path, self.name)
    }

    /// Removes the staging folder and what it holds (a build that failed or changed nothing).
    pub fn discard(self) {
        let _ = fs::remove_dir_all(&self.path);
    }

    /// Copies the tantivy files of `from` (a verified generation) into the staging folder.
    pub fn copy_index_files(&self, from: &Path) -> Result<()> {
        let to = &self.path;
        let started = Instant::now();
        let mut bytes = 0;
        for entry in fs::read_dir(from).map_err(|e| Error::io(from, e))? {
            let entry = entry.map_err(|e| Error::io(from, e))?;
            let name = entry.file_name();
            let name_str = name.to_string_lossy();
            if name_str == SPEAKERS || name_str == MANIFEST || name_str.ends_with(".lock") {
                continue;
            }
            let target = to.join(&name);
            bytes += fs::copy(entry.path(), &target).map_err(|e| Error::io(&target, e))?;
        }
        tracing::debug!(
            from = %from.display(),
            mib = bytes as f64 / (1024.0 * 1024.0),
            ms = started.elapsed().as_secs_f64() * 1e3,
            "copied the current generation"
        );
        Ok(())
    }

    /// Writes the files kept beside the tantivy index: its speakers, and the manifest of what it
    /// was read from.
    pub fn write_sidecars(&self, people: Vec<SpeakerEntity>, manifest: &Manifest) -> Result<()> {
        let path = &self.path;
        let json = serde_json::to_vec(&people).map_err(|e| Error::Other(format!("serializing speakers: {e}")))?;
        fs::write(path.join(SPEAKERS), json).map_err(|e| Error::io(path.join(SPEAKERS), e))?;
        let manifest = Manifest { analyzer: tokenizer::ANALYZER_VERSION, ..manifest.clone() };
        let json = serde_json::to_vec(&manifest).map_err(|e| Error::Other(format!("serializing the manifest: {e}")))?;
        fs::write(path.join(MANIFEST), json).map_err(|e| Error::io(path.join(MANIFEST), e))?;
        Ok(())
    }
}

/// Total size in bytes of the files under `path`.
pub fn dir_size(path: &Path) -> u64 {
    walkdir::WalkDir::new(path)
        .into_iter()
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}
