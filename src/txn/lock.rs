//! One glix at a time per repository: an exclusive lock on `.git/glix.lock`, held for
//! the whole transaction and released when dropped (also when the process dies: the
//! kernel drops flock locks with the file descriptor).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::time::{Duration, Instant};

use crate::repo::{io, Repo, RepoError, Result};

pub struct RepoLock {
    _file: File,
}

impl RepoLock {
    /// Take the lock, waiting up to `wait` for another glix to finish. `on_wait` is
    /// called once if we have to wait (to tell the user why nothing happens).
    pub fn acquire(repo: &Repo, wait: Duration, on_wait: impl FnOnce()) -> Result<RepoLock> {
        let path = repo.state_dir().join("glix.lock");
        let mut file =
            OpenOptions::new().create(true).truncate(false).read(true).write(true).open(&path).map_err(io(format!("cannot open {}", path.display())))?;
        let start = Instant::now();
        let mut on_wait = Some(on_wait);
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) => {
                    if let Some(f) = on_wait.take() {
                        f();
                    }
                    if start.elapsed() >= wait {
                        return Err(RepoError::Busy(repo.root().display().to_string(), wait.as_secs()));
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(io(format!("cannot lock {}", path.display()))(e)),
            }
        }
        // For a person looking at a stuck repo: who holds it.
        let _ = file.set_len(0);
        let _ = writeln!(file, "{}", std::process::id());
        Ok(RepoLock { _file: file })
    }
}
