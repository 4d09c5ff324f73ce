//! Readers that turn source files into talks: which reader a file needs, and the walk over `--data` paths.
//!
//! The readers themselves ([`markdown`], [`pyvideo`], the [`schedule`] formats) are pure functions of a file's text; this
//! module does the I/O around them and never stops a run for one bad file: every file ends up in
//! the [`Ingested`] report as talks, as a page without talks, as skipped, or as failed with a reason.

pub mod affiliation;
pub mod markdown;
pub mod pyvideo;
pub mod schedule;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::index_dir::{Change, FileRecord, Manifest};
use crate::talk::Talk;

/// Why one file could not be read. The path is kept beside it in [`Failure`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IngestError {
    #[error("cannot read file: {0}")]
    Io(String),
    /// A folder the walk could not list (or an entry that vanished while it ran).
    #[error("cannot read folder: {0}")]
    Folder(String),
    /// A `--data` path that does not exist.
    #[error("does not exist")]
    Missing,
    #[error("not valid UTF-8 (first bad byte at offset {0})")]
    Utf8(usize),
    #[error("broken front matter: {0}")]
    FrontMatter(String),
    #[error("malformed JSON: {0}")]
    Json(String),
    #[error("{0}")]
    Invalid(String),
}

/// What kind of source a file is: from its path ([`kind_of`]), else from its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A Markdown page (`.md`, `.markdown`).
    Markdown,
    /// One pyvideo talk record: `<event>/videos/<talk>.json`.
    PyvideoTalk,
    /// A conference schedule export, recognised by its content.
    Schedule(schedule::Format),
    /// A JSON/YAML/CSV file read through the mapping the user gives (`--map`).
    Mapped,
    /// Anything else (images, `category.json`, licences …): not a talk source.
    Other,
}

pub fn kind_of(path: &Path) -> Kind {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("md" | "markdown") => Kind::Markdown,
        Some("json") if path.parent().and_then(Path::file_name).is_some_and(|d| d == "videos") => Kind::PyvideoTalk,
        _ => Kind::Other,
    }
}

/// A file that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub path: PathBuf,
    pub error: IngestError,
}

/// A talk cut to the bounds at index time.
#[derive(Debug, Clone)]
pub struct Cut {
    pub path: PathBuf,
    pub title: String,
    pub fields: Vec<&'static str>,
}

/// The outcome of reading a set of `--data` paths.
#[derive(Debug, Default)]
pub struct Ingested {
    pub talks: Vec<Talk>,
    /// Source files read (Markdown pages and talk records; other files are not counted).
    pub files_read: usize,
    /// Files that were read fine but hold no talks (announcements, job ads, book releases …).
    pub without_talks: Vec<PathBuf>,
    pub failed: Vec<Failure>,
    /// Files skipped because they are not talk sources.
    pub skipped: usize,
    /// Symbolic links met in the walk, not followed (a link could lead out of the data or in a loop).
    pub symlinks: usize,
    /// Talks dropped because an earlier file already gave a talk with the same id and a generic
    /// title (`开场致辞`); with another title, the talk is kept as another listing of it.
    pub duplicates: usize,
    /// Talks whose texts were cut to [`crate::talk::bounds`]: file, title and the fields cut.
    pub cut: Vec<Cut>,
    /// Files not parsed again because their content is what the previous build recorded.
    pub unchanged: usize,
    /// Ids of talks that came from files since changed or deleted (incremental reads only).
    pub removed: Vec<String>,
    /// Talks read from new and changed files (all of them in `talks` unless streamed by [`scan`]).
    pub added: usize,
    /// True when this read is relative to a previous build's manifest: `talks` then holds only
    /// the talks of new and changed files.
    pub incremental: bool,
    /// What each file held, for the next build.
    pub manifest: Manifest,
}

impl AsRef<Manifest> for Ingested {
    fn as_ref(&self) -> &Manifest {
        &self.manifest
    }
}

/// Reads one file's bytes into talks. `source` is the path recorded in each talk's event.
pub fn parse_bytes(
    kind: Kind,
    bytes: &[u8],
    source: &str,
    event_title: Option<&str>,
) -> Result<Vec<Talk>, IngestError> {
    parse_bytes_with(kind, bytes, source, event_title, &schedule::Options::default())
}

/// [`parse_bytes`] with the options schedules are read with (a time zone, a mapping).
pub fn parse_bytes_with(
    kind: Kind,
    bytes: &[u8],
    source: &str,
    event_title: Option<&str>,
    options: &schedule::Options,
) -> Result<Vec<Talk>, IngestError> {
    let text = std::str::from_utf8(bytes).map_err(|e| IngestError::Utf8(e.valid_up_to()))?;
    // A byte-order mark is legal at the start of a UTF-8 file and means nothing here.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut talks = match kind {
        Kind::Markdown => markdown::parse(text, source)?,
        Kind::PyvideoTalk => pyvideo::parse(text, event_title.unwrap_or(""), source)?,
        Kind::Schedule(format) => schedule::parse(format, text, source, options)?,
        Kind::Mapped => match &options.map {
            Some(map) => map.read(text, source, options.timezone)?,
            None => Vec::new(),
        },
        Kind::Other => Vec::new(),
    };
    for talk in &mut talks {
        affiliation::enrich(talk);
    }
    Ok(talks)
}

/// What a walk over the `--data` paths found.
#[derive(Debug, Default)]
pub struct Listing {
    /// (the `--data` root's folder, file) for every regular file, in a stable order.
    pub files: Vec<(PathBuf, PathBuf)>,
    /// Folders that could not be listed, and why; what they hold is left out.
    pub failed: Vec<Failure>,
    /// Symbolic links, not followed.
    pub symlinks: usize,
}

/// Lists the files under `paths` (files as given, folders recursively, sorted for a stable order).
/// A folder that cannot be read is one more failure in the listing, never the end of the walk;
/// only a path that does not exist is an error.
pub fn list_files(paths: &[PathBuf]) -> Result<Listing, Failure> {
    let mut listing = Listing::default();
    for root in paths {
        if !root.exists() {
            return Err(Failure { path: root.clone(), error: IngestError::Missing });
        }
        // A root is taken as given, a link included: only links met inside a folder are skipped.
        if !root.is_dir() {
            listing.files.push((root.parent().map(Path::to_path_buf).unwrap_or_default(), root.clone()));
            continue;
        }
        list_entries(root, root, walkdir::WalkDir::new(root).sort_by_file_name(), &mut listing);
    }
    Ok(listing)
}

/// Adds the entries of one walk under `root` to `listing`.
fn list_entries(
    root: &Path,
    base: &Path,
    entries: impl IntoIterator<Item = walkdir::Result<walkdir::DirEntry>>,
    listing: &mut Listing,
) {
    for entry in entries {
        match entry {
            Ok(e) if e.file_type().is_file() => listing.files.push((base.to_path_buf(), e.into_path())),
            Ok(e) if e.depth() > 0 && e.path_is_symlink() => listing.symlinks += 1,
            Ok(_) => {}
            Err(e) => listing.failed.push(walk_failure(root, &e)),
        }
    }
}

/// A walk error as a failure to report: the folder it could not list (or the entry that vanished),
/// and the system's reason.
fn walk_failure(root: &Path, e: &walkdir::Error) -> Failure {
    let path = e.path().map(Path::to_path_buf).unwrap_or_else(|| root.to_path_buf());
    let reason = match (e.loop_ancestor(), e.io_error()) {
        (Some(ancestor), _) => format!("a symbolic link loop back to {}", ancestor.display()),
        (None, Some(io)) => io.to_string(),
        (None, None) => e.to_string(),
    };
    Failure { path, error: IngestError::Folder(reason) }
}

/// Reads every file under `paths`, calling `progress` once per file. Unreadable files and folders
/// are reported in the result, never fatal; only a `--data` path that does not exist is an error.
pub fn read_paths(paths: &[PathBuf], progress: impl FnMut(usize, usize)) -> Result<Ingested, Failure> {
    read_paths_since(paths, None, progress)
}

/// Like [`read_paths`], but files whose content hash is the one `previous` recorded are not parsed
/// again: their talks are kept as they are. The result lists the talks of new and changed files,
/// and in `removed` the ids of talks from changed and deleted files.
pub fn read_paths_since(
    paths: &[PathBuf],
    previous: Option<&Manifest>,
    progress: impl FnMut(usize, usize),
) -> Result<Ingested, Failure> {
    read_paths_since_with(paths, previous, &schedule::Options::default(), progress)
}

/// [`read_paths_since`] with the options schedules are read with (a time zone, a mapping).
pub fn read_paths_since_with(
    paths: &[PathBuf],
    previous: Option<&Manifest>,
    options: &schedule::Options,
    progress: impl FnMut(usize, usize),
) -> Result<Ingested, Failure> {
    let mut talks = Vec::new();
    let mut out = scan_with(paths, previous, options, progress, |change| {
        if let Change::Add(talk) = change {
            talks.push(*talk);
        }
    })?;
    out.talks = talks;
    Ok(out)
}

/// Streams what changed under `paths` since `previous` (everything, without one) to `sink`, without
/// keeping the talks: the report it returns has an empty `talks`. First the old talks of changed
/// files are removed, then the talks of new and changed files added, then the talks of deleted
/// files removed, except those a new file gave again (a moved file keeps its talks).
pub fn scan(
    paths: &[PathBuf],
    previous: Option<&Manifest>,
    progress: impl FnMut(usize, usize),
    sink: impl FnMut(Change),
) -> Result<Ingested, Failure> {
    scan_with(paths, previous, &schedule::Options::default(), progress, sink)
}

/// [`scan`] with the options schedules are read with. Files whose path names no reader are
/// recognised by content (schedule exports), or read with the mapping when one is given.
///
/// Each file is read from disk once: its bytes are hashed and, when it is new or changed, parsed.
/// Without `previous` nothing is removed, so each file is parsed as soon as it is read; with one,
/// the changed files' old talks must all go before any talk is added, so their bytes are kept
/// until then (up to 64 MiB, `KEPT_BYTES`; the files beyond are read again).
pub fn scan_with(
    paths: &[PathBuf],
    previous: Option<&Manifest>,
    options: &schedule::Options,
    mut progress: impl FnMut(usize, usize),
    mut sink: impl FnMut(Change),
) -> Result<Ingested, Failure> {
    let Listing { files, failed, symlinks } = list_files(paths)?;
    let mut out = Ingested { failed, symlinks, ..Ingested::default() };
    let mut event_titles: HashMap<PathBuf, Option<String>> = HashMap::new();
    // Ids already given: those of unchanged files stay theirs, so a changed file repeating one
    // is a duplicate (`seen` is filled from them before any changed file is parsed).
    let mut seen: HashSet<String> = HashSet::new();
    // Files that fail to parse are reported after those that fail to be read.
    let mut parse_failed = Vec::new();
    // First pass: hash every source file and keep the unchanged ones as they were.
    let mut changed = Vec::new();
    let mut kept = 0;
    for (i, (base, path)) in files.iter().enumerate() {
        if previous.is_none() {
            progress(i + 1, files.len());
        }
        let mut kind = kind_of(path);
        let mut bytes = None;
        if kind == Kind::Other && !is_folder_readme(base, path) {
            (kind, bytes) = kind_by_content(path, options);
        }
        if kind == Kind::Other || is_folder_readme(base, path) {
            out.skipped += 1;
            continue;
        }
        out.files_read += 1;
        let event_title = match kind {
            Kind::PyvideoTalk => {
                let dir = path.parent().and_then(Path::parent).map(Path::to_path_buf).unwrap_or_default();
                event_titles.entry(dir.clone()).or_insert_with(|| pyvideo::read_category(&dir)).clone()
            }
            _ => None,
        };
        let bytes = match bytes.map_or_else(|| std::fs::read(path), Ok) {
            Ok(bytes) => bytes,
            Err(e) => {
                out.failed.push(Failure { path: path.clone(), error: IngestError::Io(e.to_string()) });
                continue;
            }
        };
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone()).to_string_lossy().into_owned();
        let mut hasher = blake3::Hasher::new();
        hasher.update(&bytes);
        hasher.update(event_title.as_deref().unwrap_or("").as_bytes());
        // Read with other options (a zone, a mapping), a file is read again.
        if matches!(kind, Kind::Schedule(_) | Kind::Mapped) {
            hasher.update(options.fingerprint().as_bytes());
        }
        let hash = hasher.finalize().to_hex().to_string();
        if let Some(record) = previous.and_then(|m| m.files.get(&key)).filter(|r| r.hash == hash) {
            out.unchanged += 1;
            seen.extend(record.ids.iter().cloned());
            out.manifest.files.insert(key, record.clone());
            continue;
        }
        let file = SourceFile { base, path, kind, event_title, key, hash };
        if previous.is_none() {
            add_file(file, Ok(bytes), options, &mut seen, &mut out, &mut parse_failed, &mut sink);
            continue;
        }
        let bytes = (kept + bytes.len() <= KEPT_BYTES).then(|| {
            kept += bytes.len();
            bytes
        });
        changed.push((file, bytes));
    }
    // The old talks of every changed file go before any new talk comes, so a talk that keeps its id
    // (or moves to another changed file) is replaced, never deleted after being added.
    for (file, _) in &changed {
        for id in previous.and_then(|m| m.files.get(&file.key)).map(|r| r.ids.as_slice()).unwrap_or_default() {
            out.removed.push(id.clone());
            sink(Change::Remove(id.clone()));
        }
    }
    let total = changed.len();
    for (i, (file, bytes)) in changed.into_iter().enumerate() {
        progress(i + 1, total);
        let bytes = bytes.map_or_else(|| std::fs::read(file.path), Ok);
        add_file(file, bytes, options, &mut seen, &mut out, &mut parse_failed, &mut sink);
    }
    out.failed.extend(parse_failed);
    if let Some(previous) = previous {
        for (key, record) in &previous.files {
            if out.manifest.files.contains_key(key) {
                continue;
            }
            // A deleted file: its talks go, unless a new file gave the same talk again.
            for id in record.ids.iter().filter(|id| !seen.contains(*id)) {
                out.removed.push(id.clone());
                sink(Change::Remove(id.clone()));
            }
        }
        out.incremental = true;
    }
    Ok(out)
}

/// Bytes of changed files an incremental [`scan_with`] keeps from their hashing to their parsing;
/// the files beyond are read again (a run where most files changed would otherwise hold them all).
const KEPT_BYTES: usize = 64 << 20;

/// A new or changed source file, hashed, still to be parsed.
struct SourceFile<'a> {
    /// The `--data` root's folder it was found under.
    base: &'a Path,
    path: &'a PathBuf,
    kind: Kind,
    /// The event title of a pyvideo record.
    event_title: Option<String>,
    /// The file's key in the manifest (its canonical path).
    key: String,
    hash: String,
}

/// Parses one new or changed file from its `bytes` and sends its talks to `sink` (a talk whose id
/// was `seen` already is a duplicate); records the file in the manifest of `out`.
fn add_file(
    file: SourceFile,
    bytes: std::io::Result<Vec<u8>>,
    options: &schedule::Options,
    seen: &mut HashSet<String>,
    out: &mut Ingested,
    parse_failed: &mut Vec<Failure>,
    sink: &mut impl FnMut(Change),
) {
    let SourceFile { base, path, kind, event_title, key, hash } = file;
    let source = display_source(base, path);
    let result = bytes
        .map_err(|e| IngestError::Io(e.to_string()))
        .and_then(|bytes| parse_bytes_with(kind, &bytes, &source, event_title.as_deref(), options));
    let mut ids = Vec::new();
    match result {
        Ok(talks) if talks.is_empty() => out.without_talks.push(path.clone()),
        Ok(talks) => {
            for mut talk in talks {
                let fields = talk.bound();
                if !fields.is_empty() {
                    out.cut.push(Cut { path: path.clone(), title: talk.title.clone(), fields });
                }
                // A talk another file already gave (a mirror of the page, under the same event
                // name) is another listing of it: an id of its own, from its source, so the
                // grouping of listings shows it once with both sources, and what only this copy
                // says (a speaker's company) is not lost. A generic title (`开场致辞`) is never
                // grouped, so its copy is dropped as before.
                let groupable = || crate::indexer::mergeable(&crate::talk::title_key(&talk.title));
                if seen.contains(&talk.id) && groupable() {
                    talk.id = Talk::make_id(&talk.event.title, &talk.title, &source);
                }
                if seen.insert(talk.id.clone()) {
                    ids.push(talk.id.clone());
                    out.added += 1;
                    sink(Change::Add(Box::new(talk)));
                } else {
                    out.duplicates += 1;
                }
            }
        }
        Err(error) => parse_failed.push(Failure { path: path.clone(), error }),
    }
    out.manifest.files.insert(key, FileRecord { hash, ids });
}

/// What a file whose path names no reader holds, judged from its content: a schedule format, the
/// mapping's input (with `--map`, a `.json`/`.yaml`/`.yml`/`.csv`/`.tsv` file), or nothing to read.
/// Only the first kilobyte of a binary file is read; the bytes of a file read whole come back.
fn kind_by_content(path: &Path, options: &schedule::Options) -> (Kind, Option<Vec<u8>>) {
    use std::io::Read;
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let mapped = options.map.is_some() && matches!(ext.as_deref(), Some("json" | "yaml" | "yml" | "csv" | "tsv"));
    let mut head = Vec::with_capacity(1024);
    let opened = std::fs::File::open(path).and_then(|f| f.take(1024).read_to_end(&mut head));
    if opened.is_err() || !(mapped || schedule::may_be_schedule(&head)) {
        return (Kind::Other, None);
    }
    let Ok(bytes) = std::fs::read(path) else { return (Kind::Other, None) };
    let text = std::str::from_utf8(&bytes).unwrap_or("");
    match schedule::detect(text.strip_prefix('\u{feff}').unwrap_or(text)) {
        Some(format) => (Kind::Schedule(format), Some(bytes)),
        None if mapped => (Kind::Mapped, Some(bytes)),
        None => (Kind::Other, None),
    }
}

/// A README directly inside a `--data` folder documents the folder (sources, licences, formats);
/// it is not an event page, even though it may quote pieces of them.
fn is_folder_readme(base: &Path, path: &Path) -> bool {
    path.parent() == Some(base) && path.file_stem().is_some_and(|s| s.eq_ignore_ascii_case("readme"))
}

/// The path shown for a source file: relative to the `--data` root's parent, so `data/…` stays readable.
fn display_source(base: &Path, path: &Path) -> String {
    let root = base.parent().unwrap_or(base);
    path.strip_prefix(root).unwrap_or(path).to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_paths() {
        assert_eq!(kind_of(Path::new("a/b/index.md")), Kind::Markdown);
        assert_eq!(kind_of(Path::new("pyvideo/pycon-china-2019/videos/x.json")), Kind::PyvideoTalk);
        assert_eq!(kind_of(Path::new("pyvideo/pycon-china-2019/category.json")), Kind::Other);
        assert_eq!(kind_of(Path::new("a/banner.jpg")), Kind::Other);
    }

    /// Stands for a folder the walk may not read (`chmod 000`, which does not stop root, who runs
    /// the tests): a folder that vanishes between the listing of its parent and its own fails the
    /// same way, with the system's reason, and the walk goes on.
    #[test]
    fn a_folder_that_cannot_be_read_is_a_failure_and_the_walk_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        for file in ["a.md", "b/in-b.md", "c/in-c.md"] {
            std::fs::create_dir_all(dir.path().join(file).parent().unwrap()).unwrap();
            std::fs::write(dir.path().join(file), "x").unwrap();
        }
        std::os::unix::fs::symlink("a.md", dir.path().join("link.md")).unwrap();
        let walk = walkdir::WalkDir::new(dir.path()).sort_by_file_name().into_iter().inspect(|e| {
            if e.as_ref().is_ok_and(|e| e.file_name() == "a.md") {
                std::fs::remove_dir_all(dir.path().join("b")).unwrap();
            }
        });
        let mut listing = Listing::default();
        list_entries(dir.path(), dir.path(), walk, &mut listing);
        let files: Vec<PathBuf> = listing.files.into_iter().map(|(_, f)| f).collect();
        assert_eq!(files, [dir.path().join("a.md"), dir.path().join("c/in-c.md")]);
        assert_eq!(
            listing.failed,
            [Failure {
                path: dir.path().join("b"),
                error: IngestError::Folder("No such file or directory (os error 2)".into())
            }]
        );
        assert_eq!(listing.failed[0].error.to_string(), "cannot read folder: No such file or directory (os error 2)");
        assert_eq!(listing.symlinks, 1);
    }

    #[test]
    fn a_missing_data_path_is_an_error() {
        let err = list_files(&[PathBuf::from("/no/such/talks")]).unwrap_err();
        assert_eq!((err.path, err.error), (PathBuf::from("/no/such/talks"), IngestError::Missing));
    }

    #[test]
    fn invalid_utf8_is_an_error_not_a_panic() {
        let err = parse_bytes(Kind::Markdown, b"---\ntitle: x\n---\n\xff\xfe", "bad.md", None).unwrap_err();
        assert_eq!(err, IngestError::Utf8(17));
    }
}
