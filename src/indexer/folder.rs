//! The index folder on disk, as builds share it: the lock a build holds on it.
//!
//! `LOCK` in the index folder is locked (an OS lock) by the build in progress, which writes its
//! pid in it.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

const LOCK: &str = "LOCK";

/// The lock a build holds on an index folder for its whole run. It is an OS file lock, so it is
/// released when the build ends and also when its process dies: a killed build never leaves the
/// folder locked.
#[derive(Debug)]
pub struct BuildLock {
    _file: File,
}

/// Takes the build lock on `dir` (creating the folder), or fails at once with [`Error::Locked`]
/// naming the pid of the build that holds it.
pub fn lock(dir: &Path) -> Result<BuildLock> {
    let (file, path) = open_lock_file(dir)?;
    match file.try_lock() {
        Ok(()) => claim(file, &path),
        Err(fs::TryLockError::WouldBlock) => {
            let holder = fs::read_to_string(&path).ok().and_then(|pid| pid.trim().parse().ok());
            Err(Error::Locked { dir: dir.to_path_buf(), holder })
        }
        Err(fs::TryLockError::Error(e)) => Err(Error::io(&path, e)),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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
