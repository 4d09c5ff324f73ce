//! The index folder on disk: its generations, the `CURRENT` and `PREVIOUS` pointers, the build
//! lock, the check of a generation before it is served or built upon, and the removal of what dead
//! builds left.
//!
//! ```text
//! index/
//!   CURRENT               the generation to serve ("gen-000003"), replaced by an atomic rename
//!   PREVIOUS              the generation that was current before it, kept for readers still on it
//!   LOCK                  locked by the build in progress (an OS lock), which writes its pid in it
//!   gen-000002/           a generation: a tantivy index, speakers.json and manifest.json
//!   gen-000003/
//!   .gen-000004.tmp-PID/  a build's staging folder, renamed to gen-000004 once complete
//! ```
//!
//! Servers only read this folder; everything that changes it runs under the lock.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use tantivy::directory::error::OpenReadError;
use tantivy::Index;

use crate::error::{Error, Result};

const CURRENT: &str = "CURRENT";
const PREVIOUS: &str = "PREVIOUS";
const LOCK: &str = "LOCK";

/// What an index folder holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// Nothing was ever published here: no `CURRENT` and no generation (the folder may not exist).
    Empty,
    /// `CURRENT` names this generation folder, which exists.
    Current(PathBuf),
}

/// What `dir` holds, or [`Error::Damaged`] when `CURRENT` cannot be followed: empty, unreadable,
/// naming no generation or a missing one, or absent beside generations.
pub fn state(dir: &Path) -> Result<State> {
    match read_pointer(dir, CURRENT)? {
        Some(name) if dir.join(&name).is_dir() => Ok(State::Current(dir.join(name))),
        Some(name) => Err(damaged(dir, format!("{CURRENT} names {name}, which does not exist"))),
        None => {
            let generations = generations(dir);
            if generations.is_empty() {
                return Ok(State::Empty);
            }
            let names: Vec<String> = generations.into_iter().map(|(_, n)| n).collect();
            Err(damaged(dir, format!("there is no {CURRENT} file, but there are generations ({})", names.join(", "))))
        }
    }
}

/// The path of the generation `CURRENT` names (it may not exist), `None` when there is no `CURRENT`.
pub fn current_generation(dir: &Path) -> Result<Option<PathBuf>> {
    Ok(read_pointer(dir, CURRENT)?.map(|name| dir.join(name)))
}

/// The generation name in the pointer file `file`, `None` when there is no such file.
fn read_pointer(dir: &Path, file: &str) -> Result<Option<String>> {
    match fs::read_to_string(dir.join(file)) {
        Ok(text) => {
            let name = text.trim();
            if name.is_empty() {
                return Err(damaged(dir, format!("{file} is empty")));
            }
            if generation_number(name).is_none() {
                return Err(damaged(dir, format!("{file} names {name:?}, which is not a generation")));
            }
            Ok(Some(name.to_string()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(damaged(dir, format!("{file} cannot be read: {e}"))),
    }
}

fn damaged(dir: &Path, what: String) -> Error {
    Error::Damaged { dir: dir.to_path_buf(), what }
}

/// Checks a generation before it is served or built upon, and returns it opened: `meta.json` (and
/// `.managed.json`) parse, every segment file `meta.json` names is there, and each one's bytes match
/// the checksum in its footer (tantivy's CRC32, as `Index::validate_checksum` checks, but also for
/// files missing from `.managed.json`). Every damaged file is named in the error. Costs one read of
/// the generation's files.
pub fn verify(dir: &Path, generation: &Path) -> Result<Index> {
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

/// The lock a build holds on an index folder for its whole run. It is an OS file lock, so it is
/// released when the build ends and also when its process dies: a killed build never leaves the
/// folder locked.
#[derive(Debug)]
pub struct BuildLock {
    _file: File,
}

/// Takes the build lock on `dir` (creating the folder), or fails at once with [`Error::Locked`]
/// naming the pid of the build that holds it.
///
/// "At once" allows [`LOCK_GRACE`]: a lock just released by a build of this process can still be
/// held for a moment by a child that another thread is forking (the descriptor lives in the child
/// until it `exec`s), and a second build must not be refused for that.
pub fn lock(dir: &Path) -> Result<BuildLock> {
    let (file, path) = open_lock_file(dir)?;
    let started = std::time::Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return claim(file, &path),
            Err(fs::TryLockError::WouldBlock) if started.elapsed() < LOCK_GRACE => {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            Err(fs::TryLockError::WouldBlock) => {
                let holder = fs::read_to_string(&path).ok().and_then(|pid| pid.trim().parse().ok());
                return Err(Error::Locked { dir: dir.to_path_buf(), holder });
            }
            Err(fs::TryLockError::Error(e)) => return Err(Error::io(&path, e)),
        }
    }
}

/// How long [`lock`] retries a lock that is held before it reports the holder.
const LOCK_GRACE: std::time::Duration = std::time::Duration::from_millis(200);

/// Takes the build lock on `dir`, waiting for a build that holds it to end.
pub fn lock_waiting(dir: &Path) -> Result<BuildLock> {
    let (file, path) = open_lock_file(dir)?;
    file.lock().map_err(|e| Error::io(&path, e))?;
    claim(file, &path)
}

fn open_lock_file(dir: &Path) -> Result<(File, PathBuf)> {
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let path = dir.join(LOCK);
    let file = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| Error::io(&path, e))?;
    Ok((file, path))
}

/// Writes our pid into the lock file we hold: it is for the message of a second build; the OS
/// lock is what excludes it.
fn claim(mut file: File, path: &Path) -> Result<BuildLock> {
    file.set_len(0)
        .and_then(|()| file.write_all(format!("{}\n", std::process::id()).as_bytes()))
        .map_err(|e| Error::io(path, e))?;
    Ok(BuildLock { _file: file })
}

/// The number of the next generation: one past the highest there.
pub fn next_generation(dir: &Path) -> String {
    format!("gen-{:06}", generations(dir).last().map_or(1, |(n, _)| n + 1))
}

/// The staging folder a build fills before it becomes generation `name`.
pub fn staging(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!(".{name}.tmp-{}", std::process::id()))
}

/// Makes the complete generation folder `name` current: `PREVIOUS` is pointed at the generation
/// current until now, then `CURRENT` at `name`, each by writing a temporary file and renaming it
/// over the old one. If `CURRENT` cannot be replaced (a full disk), the new generation and the
/// temporary files are removed again, so nothing is left that was never current.
pub fn make_current(dir: &Path, name: &str, _lock: &BuildLock) -> Result<()> {
    let old = current_name(dir);
    let temps = [temp_pointer(dir, PREVIOUS), temp_pointer(dir, CURRENT)];
    let switched = (|| {
        // PREVIOUS first: should the switch not happen, PREVIOUS names the current generation,
        // which `previous` ignores.
        match &old {
            Some(old) => {
                write_synced(&temps[0], old)?;
                rename(&temps[0], &dir.join(PREVIOUS))?;
            }
            None => remove_if_there(&dir.join(PREVIOUS))?,
        }
        write_synced(&temps[1], name)?;
        rename(&temps[1], &dir.join(CURRENT))
    })();
    if let Err(e) = switched {
        for temp in &temps {
            let _ = fs::remove_file(temp);
        }
        let _ = fs::remove_dir_all(dir.join(name));
        return Err(e);
    }
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

fn temp_pointer(dir: &Path, file: &str) -> PathBuf {
    dir.join(format!(".{file}.tmp-{}", std::process::id()))
}

fn write_synced(path: &Path, name: &str) -> Result<()> {
    let mut file = File::create(path).map_err(|e| Error::io(path, e))?;
    file.write_all(format!("{name}\n").as_bytes()).and_then(|()| file.sync_all()).map_err(|e| Error::io(path, e))
}

fn rename(from: &Path, to: &Path) -> Result<()> {
    fs::rename(from, to).map_err(|e| Error::io(to, e))
}

fn remove_if_there(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(path, e)),
        _ => Ok(()),
    }
}

/// Removes what dead builds left: staging folders, temporary pointer files, and every generation
/// that is neither current nor previous (older ones, and those never made current). It runs under
/// the lock, so no live build owns any of them. Generations are removed only while `CURRENT` is
/// sound: when it is not, nothing says which one servers still use. Failures are ignored: a
/// leftover costs disk space, never correctness.
pub fn tidy(dir: &Path, _lock: &BuildLock) {
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(".gen-") && name.contains(".tmp-") {
            let _ = fs::remove_dir_all(entry.path());
        } else if [CURRENT, PREVIOUS].iter().any(|p| name.starts_with(&format!(".{p}.tmp-"))) {
            let _ = fs::remove_file(entry.path());
        }
    }
    let Some(current) = current_name(dir) else { return };
    let previous = previous(dir, &current);
    for (_, name) in generations(dir) {
        if name != current && Some(&name) != previous.as_ref() {
            let _ = fs::remove_dir_all(dir.join(&name));
        }
    }
}

/// The generation `CURRENT` names, when it is sound and the generation is there.
fn current_name(dir: &Path) -> Option<String> {
    read_pointer(dir, CURRENT).ok().flatten().filter(|name| dir.join(name).is_dir())
}

/// The generation kept for readers still on it: the one `PREVIOUS` names, or, in folders written
/// before `PREVIOUS` existed (or when it names nothing usable), the newest one older than `current`.
fn previous(dir: &Path, current: &str) -> Option<String> {
    match read_pointer(dir, PREVIOUS) {
        Ok(Some(name)) if name != current && dir.join(&name).is_dir() => Some(name),
        _ => {
            let current = generation_number(current)?;
            generations(dir).into_iter().rev().find(|(n, _)| *n < current).map(|(_, name)| name)
        }
    }
}

/// `gen-000042` → 42.
fn generation_number(name: &str) -> Option<u64> {
    let digits = name.strip_prefix("gen-")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The generation folders in `dir`, oldest first.
fn generations(dir: &Path) -> Vec<(u64, String)> {
    let mut out: Vec<(u64, String)> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            Some((generation_number(&name)?, name))
        })
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_name_generations_only() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(state(dir.path()).unwrap(), State::Empty);
        for (text, what) in [
            ("", "CURRENT is empty"),
            ("../../etc\n", "CURRENT names \"../../etc\", which is not a generation"),
            ("gen-+5", "CURRENT names \"gen-+5\", which is not a generation"),
            ("gen-000003\n", "CURRENT names gen-000003, which does not exist"),
        ] {
            fs::write(dir.path().join(CURRENT), text).unwrap();
            match state(dir.path()) {
                Err(Error::Damaged { what: got, .. }) => assert_eq!(got, what),
                other => panic!("{text:?}: {other:?}"),
            }
        }
        fs::create_dir(dir.path().join("gen-000003")).unwrap();
        assert_eq!(state(dir.path()).unwrap(), State::Current(dir.path().join("gen-000003")));
    }

    #[test]
    fn a_second_lock_on_one_folder_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let first = lock(dir.path()).unwrap();
        match lock(dir.path()) {
            Err(Error::Locked { holder, .. }) => assert_eq!(holder, Some(std::process::id())),
            other => panic!("{other:?}"),
        }
        drop(first);
        lock(dir.path()).unwrap();
    }
}
