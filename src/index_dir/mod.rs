//! The index folder on disk, and [`IndexDir`], the one handle every command, the indexer and the
//! search engine use on it: its generations, the `CURRENT` and `PREVIOUS` pointers, the build lock,
//! opening the current generation (checked before it is served or built upon), staging and
//! publishing a new one, and the removal of what dead builds left.
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
//! What a generation holds, and how it is checked and opened, is in `generation.rs`; its
//! [`Manifest`], the record of what it was read from, in `manifest.rs`. Servers only
//! read this folder; everything that changes it runs under the lock ([`BuildLock`]).

mod generation;
mod manifest;

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use tantivy::Index;

use crate::error::{Error, Result};
use crate::schema::Fields;
pub use generation::{dir_size, read_manifest, Opened, Staging};
pub use manifest::{Change, FileRecord, Manifest};

const CURRENT: &str = "CURRENT";
const PREVIOUS: &str = "PREVIOUS";
const LOCK: &str = "LOCK";

/// An index folder (see the module docs for its layout).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexDir {
    path: PathBuf,
}

impl<P: AsRef<Path> + ?Sized> From<&P> for IndexDir {
    fn from(path: &P) -> IndexDir {
        IndexDir::new(path.as_ref())
    }
}

impl AsRef<Path> for IndexDir {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

/// What an index folder holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// Nothing was ever published here: no `CURRENT` and no generation (the folder may not exist).
    Empty,
    /// `CURRENT` names this generation folder, which exists.
    Current(PathBuf),
}

impl IndexDir {
    /// The index folder at `path` (nothing is read yet; the folder need not exist).
    pub fn new(path: impl Into<PathBuf>) -> IndexDir {
        IndexDir { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What the folder holds, or [`Error::Damaged`] when `CURRENT` cannot be followed: empty,
    /// unreadable, naming no generation or a missing one, or absent beside generations.
    pub fn state(&self) -> Result<State> {
        self.resolve(self.current()?)
    }

    /// The path of the generation `CURRENT` names (it may not exist), `None` when there is no
    /// `CURRENT`. [`IndexDir::resolve`] turns it into a [`State`] without reading `CURRENT` again.
    pub fn current(&self) -> Result<Option<PathBuf>> {
        let name = read_pointer(&self.path, CURRENT).map_err(|what| self.damaged(what))?;
        Ok(name.map(|name| self.path.join(name)))
    }

    /// The state of the folder when `CURRENT` names `current` (as [`IndexDir::current`] read it).
    pub fn resolve(&self, current: Option<PathBuf>) -> Result<State> {
        match current {
            Some(generation) if generation.is_dir() => Ok(State::Current(generation)),
            Some(generation) => {
                let name = generation.file_name().unwrap_or_default().to_string_lossy().into_owned();
                Err(self.damaged(format!("{CURRENT} names {name}, which does not exist")))
            }
            None => {
                let generations = generations(&self.path);
                if generations.is_empty() {
                    return Ok(State::Empty);
                }
                let names: Vec<String> = generations.into_iter().map(|(_, n)| n).collect();
                Err(self
                    .damaged(format!("there is no {CURRENT} file, but there are generations ({})", names.join(", "))))
            }
        }
    }

    /// Opens the current generation, verified (see [`IndexDir::verified`]) and with the analyzer
    /// registered, with its speakers. [`Error::NoIndex`] in an empty folder.
    pub fn open(&self) -> Result<Opened> {
        self.open_state(self.state()?)
    }

    /// Opens the generation `state` names (see [`IndexDir::open`]), `state` as read before.
    pub fn open_state(&self, state: State) -> Result<Opened> {
        match state {
            State::Current(generation) => generation::open(&self.path, generation),
            State::Empty => Err(Error::NoIndex(self.path.clone())),
        }
    }

    /// Checks `generation` (one of this folder's) before it is served or built upon and returns it
    /// opened with its field handles: [`Error::Damaged`] naming every damaged file, or
    /// [`Error::Incompatible`] when it was written with another schema. Costs one read of the
    /// generation's files.
    pub fn verified(&self, generation: &Path) -> Result<(Index, Fields)> {
        let index = generation::verify(&self.path, generation)?;
        let fields = generation::check_schema(&self.path, generation, &index)?;
        Ok((index, fields))
    }

    /// The manifest of the current generation, if there is one and it records files.
    pub fn manifest(&self) -> Option<Manifest> {
        read_manifest(&self.current().ok()??)
    }

    /// Takes the build lock (creating the folder), or fails at once with [`Error::Locked`] naming
    /// the pid of the build that holds it.
    ///
    /// "At once" allows [`LOCK_GRACE`]: a lock just released by a build of this process can still
    /// be held for a moment by a child that another thread is forking (the descriptor lives in the
    /// child until it `exec`s), and a second build must not be refused for that.
    pub fn lock(&self) -> Result<BuildLock> {
        let (file, path) = self.open_lock_file()?;
        let started = std::time::Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => return self.claim(file, &path),
                Err(fs::TryLockError::WouldBlock) if started.elapsed() < LOCK_GRACE => {
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                Err(fs::TryLockError::WouldBlock) => {
                    let holder = fs::read_to_string(&path).ok().and_then(|pid| pid.trim().parse().ok());
                    return Err(Error::Locked { dir: self.path.clone(), holder });
                }
                Err(fs::TryLockError::Error(e)) => return Err(Error::io(&path, e)),
            }
        }
    }

    /// Takes the build lock, waiting for a build that holds it to end.
    pub fn lock_waiting(&self) -> Result<BuildLock> {
        let (file, path) = self.open_lock_file()?;
        file.lock().map_err(|e| Error::io(&path, e))?;
        self.claim(file, &path)
    }

    fn open_lock_file(&self) -> Result<(File, PathBuf)> {
        fs::create_dir_all(&self.path).map_err(|e| Error::io(&self.path, e))?;
        let path = self.path.join(LOCK);
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
    fn claim(&self, mut file: File, path: &Path) -> Result<BuildLock> {
        file.set_len(0)
            .and_then(|()| file.write_all(format!("{}\n", std::process::id()).as_bytes()))
            .map_err(|e| Error::io(path, e))?;
        // Only builds change `CURRENT`, and this one holds the lock now: it is read once, here.
        let current = read_pointer(&self.path, CURRENT);
        Ok(BuildLock { _file: file, dir: self.clone(), current })
    }

    fn damaged(&self, what: String) -> Error {
        Error::Damaged { dir: self.path.clone(), what }
    }
}

/// The generation name in the pointer file `file`, `None` when there is no such file; `Err` says
/// what is wrong with it.
fn read_pointer(dir: &Path, file: &str) -> Result<Option<String>, String> {
    match fs::read_to_string(dir.join(file)) {
        Ok(text) => {
            let name = text.trim();
            if name.is_empty() {
                return Err(format!("{file} is empty"));
            }
            if generation_number(name).is_none() {
                return Err(format!("{file} names {name:?}, which is not a generation"));
            }
            Ok(Some(name.to_string()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{file} cannot be read: {e}")),
    }
}

/// How long [`IndexDir::lock`] retries a lock that is held before it reports the holder.
const LOCK_GRACE: std::time::Duration = std::time::Duration::from_millis(200);

/// The lock a build holds on an index folder for its whole run, and what only a build may do:
/// stage a new generation, publish it, tidy. It is an OS file lock, so it is released when the build
/// ends and also when its process dies: a killed build never leaves the folder locked.
///
/// Nothing but a build changes `CURRENT`, so the lock reads it once, when taken, and keeps it up to
/// date when it publishes.
#[derive(Debug)]
pub struct BuildLock {
    _file: File,
    dir: IndexDir,
    /// The generation `CURRENT` names (see [`read_pointer`]).
    current: Result<Option<String>, String>,
}

impl BuildLock {
    /// The folder this lock holds.
    pub fn dir(&self) -> &IndexDir {
        &self.dir
    }

    /// What the folder holds (see [`IndexDir::state`]).
    pub fn state(&self) -> Result<State> {
        match &self.current {
            Ok(name) => self.dir.resolve(name.as_ref().map(|name| self.dir.path.join(name))),
            Err(what) => Err(self.dir.damaged(what.clone())),
        }
    }

    /// The generation `CURRENT` names, when it is sound and the generation is there.
    fn current_name(&self) -> Option<String> {
        self.current.clone().ok().flatten().filter(|name| self.dir.path.join(name).is_dir())
    }

    /// A new, empty staging folder for the next generation: one past the highest there.
    pub fn stage(&self) -> Result<Staging> {
        let dir = self.dir.path();
        let name = format!("gen-{:06}", generations(dir).last().map_or(1, |(n, _)| n + 1));
        Staging::create(dir.join(format!(".{name}.tmp-{}", std::process::id())), name)
    }

    /// Makes the complete generation in `staging` current (renamed into place, then `PREVIOUS` and
    /// `CURRENT` switched, see `make_current`) and tidies the folder; returns the generation's path.
    pub fn publish(&mut self, staging: Staging) -> Result<PathBuf> {
        let (path, name) = staging.into_parts();
        let generation = self.dir.path().join(&name);
        fs::rename(&path, &generation).map_err(|e| Error::io(&generation, e))?;
        self.make_current(&name)?;
        self.tidy();
        Ok(generation)
    }

    /// Makes the complete generation folder `name` current: `PREVIOUS` is pointed at the generation
    /// current until now, then `CURRENT` at `name`, each by writing a temporary file and renaming it
    /// over the old one. If `CURRENT` cannot be replaced (a full disk), the new generation and the
    /// temporary files are removed again, so nothing is left that was never current.
    fn make_current(&mut self, name: &str) -> Result<()> {
        let dir = self.dir.path();
        let old = self.current_name();
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
        self.current = Ok(Some(name.to_string()));
        Ok(())
    }

    /// Removes what dead builds left: staging folders, temporary pointer files, and every
    /// generation that is neither current nor previous (older ones, and those never made current).
    /// It runs under the lock, so no live build owns any of them. Generations are removed only while
    /// `CURRENT` is sound: when it is not, nothing says which one servers still use. Failures are
    /// ignored: a leftover costs disk space, never correctness.
    pub fn tidy(&self) {
        let dir = self.dir.path();
        for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(".gen-") && name.contains(".tmp-") {
                let _ = fs::remove_dir_all(entry.path());
            } else if [CURRENT, PREVIOUS].iter().any(|p| name.starts_with(&format!(".{p}.tmp-"))) {
                let _ = fs::remove_file(entry.path());
            }
        }
        let Some(current) = self.current_name() else { return };
        let previous = previous(dir, &current);
        for (_, name) in generations(dir) {
            if name != current && Some(&name) != previous.as_ref() {
                let _ = fs::remove_dir_all(dir.join(&name));
            }
        }
    }
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
        assert_eq!(IndexDir::new(dir.path()).state().unwrap(), State::Empty);
        for (text, what) in [
            ("", "CURRENT is empty"),
            ("../../etc\n", "CURRENT names \"../../etc\", which is not a generation"),
            ("gen-+5", "CURRENT names \"gen-+5\", which is not a generation"),
            ("gen-000003\n", "CURRENT names gen-000003, which does not exist"),
        ] {
            fs::write(dir.path().join(CURRENT), text).unwrap();
            match IndexDir::new(dir.path()).state() {
                Err(Error::Damaged { what: got, .. }) => assert_eq!(got, what),
                other => panic!("{text:?}: {other:?}"),
            }
        }
        fs::create_dir(dir.path().join("gen-000003")).unwrap();
        assert_eq!(IndexDir::new(dir.path()).state().unwrap(), State::Current(dir.path().join("gen-000003")));
    }

    #[test]
    fn a_second_lock_on_one_folder_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let first = IndexDir::new(dir.path()).lock().unwrap();
        match IndexDir::new(dir.path()).lock() {
            Err(Error::Locked { holder, .. }) => assert_eq!(holder, Some(std::process::id())),
            other => panic!("{other:?}"),
        }
        drop(first);
        IndexDir::new(dir.path()).lock().unwrap();
    }
}
