//! The one transaction every mutation runs through (DESIGN.md, `glix add` steps 1, 5-10).
//!
//! `begin` takes the repo lock, rolls back whatever a killed glix left, refuses files
//! with uncommitted changes, and journals the previous contents of every file the
//! operation may touch — in memory and on disk — before anything changes. Writes are
//! atomic. `commit` makes exactly one git commit of the files that changed, with
//! machine-readable trailers. Dropping a transaction without committing (an early `?`,
//! a panic, Ctrl-C) restores every file: rollback is the default path.

use std::time::Duration;

use crate::atomic_write::atomic_write;
use crate::repo::journal::{self, Journal, Recovery};
use crate::repo::{git, io, Repo, RepoError, RepoLock};

/// What an operation is, for its commit message, its trailers and `glix log`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Operation {
    /// `add`, `remove`, `config-set`, …
    pub kind: String,
    pub host: Option<String>,
    pub package: Option<String>,
    pub reference: Option<String>,
    /// For `undo`: the commit it reverts.
    pub undoes: Option<String>,
    /// The first line of the commit message, e.g. `glix add laptop: cool-pkg (github:o/cool-pkg)`.
    pub summary: String,
}

impl Operation {
    pub fn message(&self, op_id: &str) -> String {
        let mut m = format!("{}\n\n", self.summary);
        m.push_str(&format!("Glix-Operation: {}\n", self.kind));
        for (k, v) in [("Glix-Host", &self.host), ("Glix-Package", &self.package), ("Glix-Ref", &self.reference), ("Glix-Undoes", &self.undoes)] {
            if let Some(v) = v {
                m.push_str(&format!("{k}: {}\n", v.replace('\n', " ")));
            }
        }
        m.push_str(&format!("Glix-Op-Id: {op_id}\n"));
        m
    }
}

#[derive(Debug, Clone)]
pub struct TxnOptions {
    /// Go ahead even when files the operation touches have uncommitted changes.
    pub allow_dirty: bool,
    /// How long to wait for another glix holding the repo lock.
    pub wait: Duration,
}

impl Default for TxnOptions {
    fn default() -> Self {
        TxnOptions { allow_dirty: false, wait: Duration::from_secs(60) }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TxnError {
    #[error(transparent)]
    Repo(#[from] RepoError),
    #[error("{} uncommitted changes that glix would mix into its commit: {}; commit or stash them first, or pass --allow-dirty", if .0.len() == 1 { "this file has" } else { "these files have" }, .0.join(", "))]
    Dirty(Vec<String>),
    #[error("nothing to change: the repository already says that")]
    NothingChanged,
    #[error("HEAD is detached, so glix's commit would belong to no branch; check out a branch first (e.g. `git switch main`)")]
    DetachedHead,
}

/// The repo lock, taken (and any interrupted operation rolled back) before an
/// operation reads the state it will change: two glix never interleave.
pub struct Locked<'r> {
    repo: &'r Repo,
    lock: RepoLock,
    recovery: Option<Recovery>,
}

impl<'r> Locked<'r> {
    pub fn acquire(repo: &'r Repo, opts: &TxnOptions) -> Result<Locked<'r>, TxnError> {
        let lock = RepoLock::acquire(repo, opts.wait, || eprintln!("glix: waiting for another glix to finish with {} …", repo.root().display()))?;
        let recovery = journal::recover(repo)?;
        Ok(Locked { repo, lock, recovery })
    }

    /// What was rolled back (a previous glix was killed mid-operation).
    pub fn recovery(&self) -> Option<&Recovery> {
        self.recovery.as_ref()
    }

    /// Refuse files with uncommitted changes, journal `paths`, and start writing.
    pub fn start(self, op: Operation, paths: &[&str], allow_dirty: bool) -> Result<Transaction<'r>, TxnError> {
        let repo = self.repo;
        let base = git::Baseline::open(repo)?;
        if base.head_detached() {
            return Err(TxnError::DetachedHead);
        }
        let mut journal = Journal::new(&op.summary);
        let mut dirty = Vec::new();
        for &p in paths {
            let bytes = read_text(repo, p)?;
            // A file as committed is journaled by its blob id; only a file that is not
            // (new, or changed with --allow-dirty) by its contents.
            match base.committed_blob(p, bytes.as_deref().map(str::as_bytes))? {
                Some(id) => {
                    journal.blobs.insert(p.to_string(), id);
                }
                None => {
                    if !allow_dirty && base.is_dirty(p)? {
                        dirty.push(p.to_string());
                    }
                    journal.files.insert(p.to_string(), bytes);
                }
            }
        }
        if !dirty.is_empty() {
            return Err(TxnError::Dirty(dirty));
        }
        // From here on, Drop cleans up: whatever fails leaves no journal and no change.
        let txn = Transaction { repo, _lock: self.lock, journal, op, finished: false, recovery: self.recovery };
        txn.journal.save(repo)?;
        fail::fail_point!("txn-after-journal", |_| Err(injected("after the journal was written")));
        Ok(txn)
    }
}

pub struct Transaction<'r> {
    repo: &'r Repo,
    _lock: RepoLock,
    journal: Journal,
    op: Operation,
    finished: bool,
    recovery: Option<Recovery>,
}

impl<'r> Transaction<'r> {
    /// Start an operation that may touch `paths` (repo-relative).
    pub fn begin(repo: &'r Repo, op: Operation, paths: &[&str], opts: &TxnOptions) -> Result<Transaction<'r>, TxnError> {
        Locked::acquire(repo, opts)?.start(op, paths, opts.allow_dirty)
    }

    /// What was rolled back at the start (a previous glix was killed mid-operation).
    pub fn recovery(&self) -> Option<&Recovery> {
        self.recovery.as_ref()
    }

    pub fn repo(&self) -> &Repo {
        self.repo
    }

    /// Replace a file atomically (creating its directory). A path not declared at
    /// `begin` is journaled first.
    pub fn write(&mut self, rel: &str, contents: &[u8]) -> Result<(), TxnError> {
        self.cover(rel)?;
        fail::fail_point!("txn-write", |_| Err(injected(&format!("writing {rel}"))));
        let path = self.repo.contained(rel)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io(format!("cannot create {}", dir.display())))?;
        }
        atomic_write(&path, contents).map_err(io(format!("cannot write {}", path.display())))?;
        Ok(())
    }

    /// Delete a file (journaled like a write).
    pub fn remove(&mut self, rel: &str) -> Result<(), TxnError> {
        self.cover(rel)?;
        let path = self.repo.path(rel);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io(format!("cannot remove {}", path.display()))(e).into()),
        }
    }

    /// Declare that something else (e.g. `nix flake lock`) may change `rel`.
    pub fn cover(&mut self, rel: &str) -> Result<(), TxnError> {
        if !self.journal.covers(rel) {
            self.journal.files.insert(rel.to_string(), read_text(self.repo, rel)?);
            self.journal.save(self.repo)?;
        }
        Ok(())
    }

    /// The files that differ from before the operation.
    fn changed(&self) -> Vec<String> {
        self.journal
            .entries()
            .into_iter()
            .filter(|(rel, before)| !before.matches(std::fs::read(self.repo.path(rel)).ok().as_deref()))
            .map(|(rel, _)| rel.to_string())
            .collect()
    }

    /// Make the one commit of this operation. Errors (nothing changed, git failing)
    /// roll everything back.
    pub fn commit(self) -> Result<Committed, TxnError> {
        self.commit_with(&[])
    }

    /// [`Transaction::commit`] with some blobs already written ([`git::write_blob`]).
    pub fn commit_with(mut self, known: &[git::KnownBlob]) -> Result<Committed, TxnError> {
        let changed = self.changed();
        if changed.is_empty() {
            return Err(TxnError::NothingChanged); // Drop restores (nothing to restore)
        }
        fail::fail_point!("txn-before-commit", |_| Err(injected("before the commit")));
        let id = git::commit_with(self.repo, &changed, &self.op.message(&self.journal.op_id), known)?;
        // From here on the operation is done even if removing the journal fails: the
        // next run sees the op id on HEAD and only tidies up.
        self.finished = true;
        fail::fail_point!("txn-after-commit"); // a crash here: commit made, journal left
        Journal::remove(self.repo)?;
        Ok(Committed { id, files: changed })
    }
}

/// A transaction's commit.
#[derive(Debug, Clone)]
pub struct Committed {
    pub id: String,
    /// The files it changed.
    pub files: Vec<String>,
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        match self.journal.restore_files(self.repo) {
            Ok(_) => {
                let _ = Journal::remove(self.repo);
            }
            Err(e) => eprintln!(
                "glix: could not restore the files of `{}`: {e}; the journal {} stays so the next glix run retries",
                self.op.summary,
                Journal::path(self.repo).display()
            ),
        }
    }
}

/// An error injected by a failpoint (tests only).
#[allow(dead_code)]
fn injected(at: &str) -> TxnError {
    TxnError::Repo(RepoError::Journal(format!("injected failure {at}")))
}

fn read_text(repo: &Repo, rel: &str) -> Result<Option<String>, RepoError> {
    let path = repo.contained(rel)?;
    match std::fs::read(&path) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| RepoError::Journal(format!("{} is not UTF-8 text; glix only manages text files", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(format!("cannot read {}", path.display()))(e)),
    }
}
