//! Recovery: what the next glix does, under the repo lock and before anything else,
//! when a killed glix left its journal.
//!
//! - The operation is **committed** when a commit carrying its op id is reachable from
//!   HEAD (and not from the baseline): then only the index is repaired where it still
//!   holds the baseline's entries.
//! - Otherwise it is rolled back by [`super::rollback`]'s rule: a file goes back only
//!   while it holds exactly glix's bytes. If any file holds something else — someone
//!   changed it after the crash — recovery restores **nothing**, keeps the journal and
//!   says which files; `glix doctor --fix` (or [`forget`]) then keeps the files as they
//!   are.
//! - Either way it removes what the killed process provably left: its temporary files,
//!   and git lock files made after the journal was last written that no process holds
//!   open (libgit2 dies holding `.git/index.lock` or `refs/heads/main.lock`, and every
//!   later `git commit` fails until they are gone), and a reflog entry naming a commit
//!   the branch never reached.

use std::path::{Path, PathBuf};

use git2::Oid;

use super::journal::Journal;
use super::{commit, rollback};
use crate::repo::{Repo, RepoError};

/// What a recovery did, to tell the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovery {
    pub description: String,
    /// The interrupted operation had committed; nothing needed restoring.
    pub completed: bool,
    pub restored: Vec<String>,
    /// Stale git lock files removed.
    pub unlocked: Vec<String>,
    /// Files changed after the operation stopped, kept as they are (see [`forget`]).
    pub kept: Vec<String>,
}

/// What recovery would do with a journal a killed glix left, without doing it: for
/// `glix doctor`.
#[derive(Debug, Clone)]
pub struct Pending {
    pub description: String,
    pub committed: bool,
    /// Files changed since, which recovery will not touch.
    pub foreign: Vec<String>,
}

pub fn pending(repo: &Repo) -> Result<Option<Pending>, RepoError> {
    let Some(journal) = Journal::load(repo)? else { return Ok(None) };
    let r = commit::open(repo)?;
    let baseline = journal.baseline.as_deref().and_then(|b| Oid::from_str(b).ok());
    let committed = commit::find_op_commit(&r, &journal.op_id, baseline)?.is_some();
    let foreign = if committed { vec![] } else { rollback::plan(repo, &journal)?.foreign };
    Ok(Some(Pending { description: journal.description, committed, foreign }))
}

/// Whether a killed glix may have left something for [`recover`]: its journal, or the
/// temporary file of a journal it was killed writing (before there was a journal to
/// say so). Cheap enough for every command, reads included.
pub fn leftovers(repo: &Repo) -> bool {
    let dir = repo.state_dir();
    Journal::path(repo).exists()
        || std::fs::read_dir(&dir).is_ok_and(|d| d.flatten().any(|e| e.file_name().to_str().is_some_and(|n| n.starts_with(crate::atomic_write::TEMP_PREFIX))))
}

/// Roll back (or finish tidying) an operation a killed glix left behind.
pub fn recover(repo: &Repo) -> Result<Option<Recovery>, RepoError> {
    // The journal's own temporary file, from a glix killed while writing it: under the
    // repo lock nobody else writes there.
    crate::atomic_write::remove_temp_files(&repo.state_dir());
    let Some(journal) = Journal::load(repo)? else { return Ok(None) };
    let r = commit::open(repo)?;
    let unlocked = remove_left_by_killed_glix(repo, &journal);
    let baseline = journal.baseline.as_deref().and_then(|b| Oid::from_str(b).ok());
    let paths: Vec<&str> = journal.files.keys().map(String::as_str).collect();
    let recovery = match commit::find_op_commit(&r, &journal.op_id, baseline)? {
        Some(op_commit) => {
            commit::repair_index(&r, op_commit, baseline, &paths)?;
            rollback::tidy(repo, &journal);
            Recovery { description: journal.description.clone(), completed: true, restored: vec![], unlocked, kept: vec![] }
        }
        None => {
            let plan = rollback::plan(repo, &journal)?;
            if !plan.foreign.is_empty() {
                return Err(RepoError::RecoveryConflict { description: journal.description.clone(), files: plan.foreign });
            }
            let restored = rollback::apply(repo, &journal, &plan)?;
            let op_id = journal.op_id.clone();
            let is_op_commit = |id: Oid| r.find_commit(id).is_ok_and(|c| c.message().unwrap_or("").contains(&format!("Glix-Op-Id: {op_id}")));
            for name in ["HEAD"].into_iter().chain(journal.branch.as_deref()) {
                let _ = commit::drop_unreached_reflog(&r, name, is_op_commit);
            }
            Recovery { description: journal.description.clone(), completed: false, restored, unlocked, kept: vec![] }
        }
    };
    Journal::remove(repo)?;
    Ok(Some(recovery))
}

/// Give up an interrupted operation without restoring anything: the files stay as they
/// are now (the user's choice after a [`RepoError::RecoveryConflict`]).
pub fn forget(repo: &Repo) -> Result<Option<String>, RepoError> {
    let Some(journal) = Journal::load(repo)? else { return Ok(None) };
    remove_left_by_killed_glix(repo, &journal);
    rollback::tidy(repo, &journal);
    Journal::remove(repo)?;
    Ok(Some(journal.description))
}

/// What the killed glix provably left in `.git`: the lock files a commit takes
/// (`index.lock`, `HEAD.lock`, the branch's; git and libgit2 die holding them, and every
/// later `git commit` fails until they are gone) and libgit2's temporary objects from a
/// blob write killed half-way (`objects/xx/tmp_object_git2_*`; invisible to `git status`,
/// but a recovered repository holds nothing the killed glix left). Returns the lock
/// files removed, for the recovery message.
fn remove_left_by_killed_glix(repo: &Repo, journal: &Journal) -> Vec<String> {
    let git_dir = repo.state_dir();
    let Ok(since) = std::fs::metadata(Journal::path(repo)).and_then(|m| m.modified()) else { return vec![] };
    // The proof, for every candidate: made after the journal was last written (so during
    // this operation) and open in no process.
    let left = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).is_ok_and(|t| t >= since) && !held_open(path);
    let mut locks = vec![PathBuf::from("index.lock"), PathBuf::from("HEAD.lock")];
    if let Some(b) = &journal.branch {
        locks.push(PathBuf::from(format!("{b}.lock")));
    }
    let removed = locks.into_iter().filter(|rel| left(&git_dir.join(rel)) && std::fs::remove_file(git_dir.join(rel)).is_ok());
    let removed: Vec<String> = removed.map(|rel| format!(".git/{}", rel.display())).collect();
    let fanout = std::fs::read_dir(git_dir.join("objects")).into_iter().flatten().flatten().filter(|d| d.file_name().len() == 2);
    for f in fanout.filter_map(|d| std::fs::read_dir(d.path()).ok()).flatten().flatten() {
        if f.file_name().to_str().is_some_and(|n| n.starts_with("tmp_object_git2_")) && left(&f.path()) {
            let _ = std::fs::remove_file(f.path());
        }
    }
    removed
}

/// Whether any process has `path` open (Linux: a look through `/proc/*/fd`). When
/// `/proc` cannot be read, assume it is held: a lock file is never removed on a guess.
fn held_open(path: &Path) -> bool {
    let Ok(procs) = std::fs::read_dir("/proc") else { return true };
    let Ok(target) = path.canonicalize() else { return false };
    for p in procs.flatten() {
        let Ok(fds) = std::fs::read_dir(p.path().join("fd")) else { continue };
        for fd in fds.flatten() {
            if std::fs::read_link(fd.path()).is_ok_and(|l| l == target) {
                return true;
            }
        }
    }
    false
}
