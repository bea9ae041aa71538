//! The one transaction every mutation runs through (DESIGN.md, `glix add` steps 1, 5-10).
//! Every guarantee glix makes about a change lives in this folder:
//!
//! - **One glix at a time** ([`lock`]): an exclusive lock on `.git/glix.lock`, held from
//!   before the operation reads what it changes until it is committed or rolled back.
//! - **Recovery first** ([`recover`]): a journal a killed glix left is dealt with before
//!   anything else, by every command (reads too).
//! - **Preconditions** ([`precheck`], [`Locked::start`]): no merge, rebase, cherry-pick
//!   or revert in progress; no conflict markers in the files the change covers; HEAD on
//!   a branch; no uncommitted changes in them (unless `--allow-dirty`).
//! - **Journal before change** ([`journal`]): what every covered file held and what glix
//!   will write there, fsynced before the first file changes.
//! - **Atomic writes** ([`crate::atomic_write`]), written *through* in-repo symlinks (two
//!   hosts sharing one manifest stay shared); a symlink out of the repo is refused.
//! - **Commit only what glix wrote, where it started** ([`commit`]): before committing,
//!   every written file must still hold glix's bytes and HEAD must still be the
//!   baseline commit on the same branch; the branch then moves by compare-and-swap, and
//!   the index follows. Exactly one commit, of exactly the files that changed.
//! - **Rollback by default** ([`rollback`]): an error, Ctrl-C, SIGTERM or SIGHUP
//!   ([`INTERRUPTED`]), or a panic puts back every file that still holds glix's bytes,
//!   and never a file someone else changed meanwhile.

mod commit;
mod journal;
mod lock;
mod precheck;
mod recover;
mod rollback;

pub use commit::{commit_work_tree, stage};
pub use journal::{blob_id, After, Before, Entry, Journal};
pub use lock::RepoLock;
pub use precheck::conflict_marker_line;
pub use recover::{forget, leftovers, pending, recover, Pending, Recovery};

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::atomic_write::atomic_write;
use crate::repo::{io, Repo, RepoError};
use crate::speedups::Speedup;

/// Set by the signal handler (SIGINT, SIGTERM, SIGHUP); checked before a transaction
/// commits, and by the Nix runner, which stops Nix when it is set.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

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
    /// When an interrupted operation's files were changed since (recovery would refuse),
    /// keep them as they are and forget the operation (`glix doctor --fix`).
    pub keep_changed_files: bool,
}

impl Default for TxnOptions {
    fn default() -> Self {
        TxnOptions { allow_dirty: false, wait: Duration::from_secs(60), keep_changed_files: false }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TxnError {
    #[error(transparent)]
    Repo(#[from] RepoError),
    #[error("{} uncommitted changes that glix would mix into its commit: {}", if .0.len() == 1 { "this file has" } else { "these files have" }, .0.join(", "))]
    Dirty(Vec<String>),
    #[error("nothing to change: the repository already says that")]
    NothingChanged,
    #[error("HEAD is detached, so glix's commit would belong to no branch")]
    DetachedHead,
    #[error("{0} is in progress in this repository; glix does not commit in the middle of it")]
    InProgress(&'static str),
    #[error("{file} has a git conflict marker at line {line}")]
    ConflictMarkers { file: String, line: usize },
    #[error("the repository changed while glix worked ({0}), so glix did not commit")]
    HeadMoved(String),
    #[error("{0} changed while glix worked (it no longer holds what glix wrote), so glix did not commit")]
    Changed(String),
    #[error("another git holds the repository's index lock (.git/index.lock), so glix did not commit")]
    IndexLocked,
    #[error("interrupted")]
    Interrupted,
}

impl TxnError {
    /// What to do next, for the `hint:` line.
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            TxnError::Repo(e) => return e.hint(),
            TxnError::Dirty(_) => "commit or stash them first, or pass --allow-dirty".into(),
            TxnError::DetachedHead => "check out a branch first (e.g. `git switch main`)".into(),
            TxnError::InProgress(_) => "finish it with git first: resolve the conflicts in the manifests (hosts/*/glix.toml) and commit (or abort it); then `glix doctor --fix` regenerates flake.nix's regions and flake.lock from the manifests".into(),
            TxnError::ConflictMarkers { .. } => "resolve the conflict there (keep the lines you want, delete the markers) and commit; for flake.nix's glix-managed regions, resolve the manifests and let `glix doctor --fix` regenerate them".into(),
            TxnError::HeadMoved(_) | TxnError::Changed(_) => "look at `git status` and `git log`; when the repository is as you want it, run the glix command again".into(),
            TxnError::IndexLocked => "wait for that git to finish and try again; if no git is running, a crashed one left it: remove .git/index.lock".into(),
            TxnError::NothingChanged | TxnError::Interrupted => return None,
        })
    }

    /// A stable, machine-readable name of what went wrong (see `glix::ops::OpError::kind`).
    pub fn kind(&self) -> &'static str {
        match self {
            TxnError::Repo(e) => e.kind(),
            TxnError::Dirty(_) => "dirty",
            TxnError::NothingChanged => "nothing-changed",
            TxnError::DetachedHead => "detached-head",
            TxnError::InProgress(_) => "git-operation-in-progress",
            TxnError::ConflictMarkers { .. } => "conflict-markers",
            TxnError::HeadMoved(_) => "head-moved",
            TxnError::Changed(_) => "changed-meanwhile",
            TxnError::IndexLocked => "index-locked",
            TxnError::Interrupted => "interrupted",
        }
    }
}

/// A merge, rebase, cherry-pick or revert in progress, by the name a person knows it
/// by (`glix doctor` names it; every mutation refuses while there is one).
pub fn operation_in_progress(repo: &Repo) -> Result<Option<&'static str>, RepoError> {
    Ok(commit::Baseline::open(repo)?.operation_in_progress())
}

/// The repo lock, taken (and any interrupted operation dealt with) before an operation
/// reads the state it will change: two glix never interleave.
pub struct Locked<'r> {
    repo: &'r Repo,
    lock: RepoLock,
    recovery: Option<Recovery>,
}

impl<'r> Locked<'r> {
    pub fn acquire(repo: &'r Repo, opts: &TxnOptions) -> Result<Locked<'r>, TxnError> {
        let lock = RepoLock::acquire(repo, opts.wait, || eprintln!("glix: waiting for another glix to finish with {} …", repo.root().display()))?;
        let recovery = match recover(repo) {
            Err(RepoError::RecoveryConflict { description, files }) if opts.keep_changed_files => {
                forget(repo)?;
                Some(Recovery { description, completed: false, restored: vec![], unlocked: vec![], kept: files })
            }
            other => other?,
        };
        Ok(Locked { repo, lock, recovery })
    }

    /// What was rolled back (a previous glix was killed mid-operation).
    pub fn recovery(&self) -> Option<&Recovery> {
        self.recovery.as_ref()
    }

    /// Check the preconditions, journal what the files hold and what `planned` writes
    /// there (`covers`: files something else may change, such as flake.lock), and start.
    pub fn start(self, op: Operation, planned: &[(&str, Option<&[u8]>)], covers: &[&str], allow_dirty: bool) -> Result<Transaction<'r>, TxnError> {
        let repo = self.repo;
        let base = commit::Baseline::open(repo)?;
        if let Some(what) = base.operation_in_progress() {
            return Err(TxnError::InProgress(what));
        }
        let Some(branch) = base.branch.clone() else { return Err(TxnError::DetachedHead) };
        let mut journal = Journal::new(&op.summary, base.commit.map(|c| c.to_string()), Some(branch.clone()));
        let mut real = BTreeMap::new();
        let mut dirty = Vec::new();
        let all = planned.iter().map(|&(rel, c)| (rel, After::of(c))).chain(covers.iter().map(|&rel| (rel, After::Unknown)));
        for (rel, after) in all {
            let target = repo.real_rel(rel)?;
            real.insert(rel.to_string(), target.clone());
            if journal.covers(&target) {
                continue; // two names of one file (a shared manifest)
            }
            let bytes = rollback::read(repo, &target)?;
            if let Some(b) = &bytes {
                precheck::no_conflict_markers(&target, b)?;
            }
            // A file as committed is journaled by its blob id; only a file that is not
            // (new, or changed with --allow-dirty) by its contents.
            let by_blob = if Speedup::BlobJournal.on() { base.committed_blob(&target, bytes.as_deref())? } else { None };
            let before = match by_blob {
                Some(id) => Before::Blob(id),
                None => {
                    if !allow_dirty && base.is_dirty(&target)? {
                        dirty.push(target.clone());
                    }
                    match bytes {
                        None => Before::Absent,
                        Some(b) => Before::Text(String::from_utf8(b).map_err(|_| not_text(repo, &target))?),
                    }
                }
            };
            journal.files.insert(target, Entry { before, after });
        }
        if !dirty.is_empty() {
            return Err(TxnError::Dirty(dirty));
        }
        // From here on, Drop rolls back: whatever fails leaves no journal and no change.
        let txn = Transaction {
            repo,
            _lock: self.lock,
            journal,
            real,
            written: BTreeMap::new(),
            op,
            target: (branch, base.commit),
            finished: false,
            recovery: self.recovery,
        };
        txn.journal.save(repo)?;
        fail::fail_point!("txn-after-journal", |_| Err(injected("after the journal was written")));
        Ok(txn)
    }
}

pub struct Transaction<'r> {
    repo: &'r Repo,
    _lock: RepoLock,
    journal: Journal,
    /// Each path as the operation named it → the file it is (through in-repo symlinks).
    real: BTreeMap<String, String>,
    /// What glix wrote: real path → bytes (`None`: deleted). Checked against the files
    /// before the commit, and committed from here.
    written: BTreeMap<String, Option<Vec<u8>>>,
    op: Operation,
    /// The branch and the commit HEAD was at.
    target: (String, Option<git2::Oid>),
    finished: bool,
    recovery: Option<Recovery>,
}

/// What a transaction's rollback did.
#[derive(Debug, Default)]
pub struct Aborted {
    pub restored: Vec<String>,
    /// Files someone else changed while glix worked: left as they are.
    pub foreign: Vec<String>,
}

impl<'r> Transaction<'r> {
    /// Start an operation that may touch `paths` (repo-relative), whose new contents are
    /// given to [`Transaction::write`] later.
    pub fn begin(repo: &'r Repo, op: Operation, paths: &[&str], opts: &TxnOptions) -> Result<Transaction<'r>, TxnError> {
        Locked::acquire(repo, opts)?.start(op, &[], paths, opts.allow_dirty)
    }

    /// What was rolled back at the start (a previous glix was killed mid-operation).
    pub fn recovery(&self) -> Option<&Recovery> {
        self.recovery.as_ref()
    }

    pub fn repo(&self) -> &Repo {
        self.repo
    }

    /// The file `rel` names, journaled first if `start` did not cover it, with
    /// `after` recorded in the journal before anything is written.
    fn prepare(&mut self, rel: &str, after: After) -> Result<String, TxnError> {
        let target = match self.real.get(rel) {
            Some(t) => t.clone(),
            None => {
                let t = self.repo.real_rel(rel)?;
                self.real.insert(rel.to_string(), t.clone());
                t
            }
        };
        let entry = match self.journal.files.get_mut(&target) {
            Some(e) => e,
            None => {
                let before = match rollback::read(self.repo, &target)? {
                    None => Before::Absent,
                    Some(b) => Before::Text(String::from_utf8(b).map_err(|_| not_text(self.repo, &target))?),
                };
                self.journal.files.entry(target.clone()).or_insert(Entry { before, after: After::Unknown })
            }
        };
        if entry.after != after {
            entry.after = after;
            self.journal.save(self.repo)?;
        }
        Ok(target)
    }

    /// Replace a file atomically (creating its directory).
    pub fn write(&mut self, rel: &str, contents: &[u8]) -> Result<(), TxnError> {
        let target = self.prepare(rel, After::of(Some(contents)))?;
        fail::fail_point!("txn-write", |_| Err(injected(&format!("writing {rel}"))));
        let path = self.repo.path(&target);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io(format!("cannot create {}", dir.display())))?;
        }
        self.written.insert(target, Some(contents.to_vec()));
        atomic_write(&path, contents).map_err(io(format!("cannot write {}", path.display())))?;
        Ok(())
    }

    /// Delete a file.
    pub fn remove(&mut self, rel: &str) -> Result<(), TxnError> {
        let target = self.prepare(rel, After::Absent)?;
        let path = self.repo.path(&target);
        self.written.insert(target, None);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io(format!("cannot remove {}", path.display()))(e).into()),
        }
    }

    /// Let another program change `rel` (`nix flake lock` writing flake.lock): the
    /// journal says so while it runs, and records what it wrote once it is done — so
    /// the commit checks and commits exactly that.
    pub fn let_write<E: From<TxnError>>(&mut self, rel: &str, run: impl FnOnce() -> Result<(), E>) -> Result<(), E> {
        let target = self.prepare(rel, After::Unknown)?;
        run()?;
        let now = rollback::read(self.repo, &target).map_err(TxnError::from)?;
        let entry = self.journal.files.get_mut(&target).expect("prepared above");
        entry.after = After::of(now.as_deref());
        if entry.before.matches(now.as_deref()) {
            return Ok(()); // the program changed nothing
        }
        self.written.insert(target, now);
        self.journal.save(self.repo).map_err(TxnError::from)?;
        Ok(())
    }

    /// Make the one commit of this operation. After an error, [`Transaction::abort`]
    /// (or dropping the transaction) rolls everything back.
    pub fn commit(&mut self) -> Result<Committed, TxnError> {
        if self.finished {
            return Err(TxnError::Repo(RepoError::Journal("this transaction is already finished".into())));
        }
        if INTERRUPTED.load(Ordering::SeqCst) {
            return Err(TxnError::Interrupted);
        }
        let changed: Vec<(&str, Option<&[u8]>)> = self
            .written
            .iter()
            .filter(|(rel, bytes)| !self.journal.files[*rel].before.matches(bytes.as_deref()))
            .map(|(rel, bytes)| (rel.as_str(), bytes.as_deref()))
            .collect();
        if changed.is_empty() {
            return Err(TxnError::NothingChanged); // Drop restores (nothing to restore)
        }
        for &(rel, bytes) in &changed {
            if rollback::read(self.repo, rel)?.as_deref() != bytes {
                return Err(TxnError::Changed(rel.to_string()));
            }
        }
        fail::fail_point!("txn-before-commit", |_| Err(injected("before the commit")));
        let target = commit::Target { branch: &self.target.0, baseline: self.target.1 };
        let made = commit::commit(self.repo, &target, &changed, &self.op.message(&self.journal.op_id))?;
        let files: Vec<String> = changed.iter().map(|(rel, _)| rel.to_string()).collect();
        // From here on the operation is done, whatever else fails: the next run finds
        // its commit and only tidies up.
        self.finished = true;
        let mut warnings = made.notes;
        if let Some(e) = made.index_error {
            warnings.push(format!("committed, but git's index could not be refreshed ({}); the next glix command repairs it", e.message()));
        } else {
            fail::fail_point!("txn-after-commit"); // a crash here: commit made, journal left
            if let Err(e) = Journal::remove(self.repo) {
                warnings.push(format!("committed, but the journal could not be removed ({e}); the next glix command tidies it up"));
            }
        }
        Ok(Committed { id: made.id, files, warnings })
    }

    /// Roll back now: put back every file that still holds glix's bytes.
    pub fn abort(mut self) -> Result<Aborted, RepoError> {
        self.finished = true;
        self.roll_back()
    }

    fn roll_back(&self) -> Result<Aborted, RepoError> {
        let plan = rollback::plan(self.repo, &self.journal)?;
        let restored = rollback::apply(self.repo, &self.journal, &plan)?;
        Journal::remove(self.repo)?;
        Ok(Aborted { restored, foreign: plan.foreign })
    }
}

/// A transaction's commit.
#[derive(Debug, Clone)]
pub struct Committed {
    pub id: String,
    /// The files it changed.
    pub files: Vec<String>,
    /// Something after the commit did not work out (the commit stands).
    pub warnings: Vec<String>,
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        if let Err(e) = self.roll_back() {
            eprintln!(
                "glix: could not restore the files of `{}`: {e}; the journal {} stays so the next glix run retries",
                self.op.summary,
                Journal::path(self.repo).display()
            );
        }
    }
}

/// An error injected by a failpoint (tests only).
#[allow(dead_code)]
fn injected(at: &str) -> TxnError {
    TxnError::Repo(RepoError::Journal(format!("injected failure {at}")))
}

fn not_text(repo: &Repo, rel: &str) -> RepoError {
    RepoError::Journal(format!("{} is not UTF-8 text; glix only manages text files", repo.path(rel).display()))
}
