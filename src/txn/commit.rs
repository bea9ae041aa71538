//! The git side of the transaction: the baseline it starts from (HEAD, its branch, the
//! index), the dirty check, and the one commit — the commit object, then the branch
//! moved by compare-and-swap from the baseline, and only then the index.
//!
//! Why that order: until the branch moves, the operation is invisible and recovery
//! rolls it back, so the index must not have changed yet (a kill between index and
//! HEAD left `git status` showing the aborted change staged, and the user's next `git
//! commit` committed it). Once the branch has moved the operation is done; an index
//! not yet refreshed is repaired by [`repair_index`], during the same run or by
//! recovery.

use std::path::Path;

use git2::build::TreeUpdateBuilder;
use git2::{FileMode, Oid, Repository, Signature, Status};

use super::journal::blob_id;
use super::TxnError;
use crate::repo::{Repo, RepoError};

type Result<T> = std::result::Result<T, RepoError>;

pub(crate) fn open(repo: &Repo) -> Result<Repository> {
    Ok(Repository::open(repo.root())?)
}

/// HEAD and the index as a transaction starts: what it checks the files it covers
/// against, and what the commit must still find.
pub struct Baseline {
    repo: Repository,
    /// HEAD's commit; `None` on an unborn branch.
    pub commit: Option<Oid>,
    head_tree: Option<Oid>,
    /// The branch HEAD names (`refs/heads/main`); `None` when HEAD is detached.
    pub branch: Option<String>,
    index: git2::Index,
}

impl Baseline {
    pub fn open(repo: &Repo) -> Result<Baseline> {
        let r = open(repo)?;
        let commit = r.head().ok().and_then(|h| h.peel_to_commit().ok());
        let head_tree = commit.as_ref().map(|c| c.tree_id());
        let commit = commit.map(|c| c.id());
        let branch = r.find_reference("HEAD")?.symbolic_target().map(str::to_string);
        let index = r.index()?;
        Ok(Baseline { repo: r, commit, head_tree, branch, index })
    }

    /// A merge, rebase, cherry-pick, revert or bisect in progress, by the name a person
    /// knows it by.
    pub fn operation_in_progress(&self) -> Option<&'static str> {
        use git2::RepositoryState as S;
        match self.repo.state() {
            S::Clean | S::Bisect => None,
            S::Merge => Some("a merge"),
            S::Revert | S::RevertSequence => Some("a revert"),
            S::CherryPick | S::CherryPickSequence => Some("a cherry-pick"),
            S::Rebase | S::RebaseInteractive | S::RebaseMerge => Some("a rebase"),
            S::ApplyMailbox | S::ApplyMailboxOrRebase => Some("a `git am`"),
        }
    }

    /// The blob id of `path` at HEAD when the work tree's file (`bytes`) is exactly
    /// that blob and the index stages it unchanged — so the file can be restored from
    /// git. `None` for anything else (changed, new, absent, or only equal through a
    /// git filter such as autocrlf): those take [`Baseline::is_dirty`]'s full check.
    pub fn committed_blob(&self, path: &str, bytes: Option<&[u8]>) -> Result<Option<String>> {
        let (Some(bytes), Some(tree)) = (bytes, self.head_tree) else { return Ok(None) };
        let Ok(entry) = self.repo.find_tree(tree)?.get_path(Path::new(path)) else { return Ok(None) };
        let Some(staged) = self.index.get_path(Path::new(path), 0) else { return Ok(None) };
        let mode = file_mode(&self.repo.workdir().unwrap_or(Path::new(".")).join(path));
        if entry.filemode() != i32::from(mode) || staged.mode != u32::from(mode) || staged.id != entry.id() {
            return Ok(None);
        }
        let id = entry.id().to_string();
        Ok((blob_id(bytes) == id).then_some(id))
    }

    /// Whether `path` has uncommitted changes (in the work tree or the index), as
    /// `git status` sees them; an ignored file has none.
    pub fn is_dirty(&self, path: &str) -> Result<bool> {
        match self.repo.status_file(Path::new(path)) {
            Ok(s) => Ok(!(s.is_empty() || s == Status::CURRENT || s.contains(Status::IGNORED))),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
}

/// The contents of blob `id`.
pub(crate) fn blob(r: &Repository, id: &str) -> Result<Vec<u8>> {
    Ok(r.find_blob(Oid::from_str(id)?)?.content().to_vec())
}

/// Where the commit must land: the branch HEAD named and the commit it was at.
pub struct Target<'a> {
    pub branch: &'a str,
    pub baseline: Option<Oid>,
}

/// What [`commit`] made.
pub struct Made {
    pub id: String,
    /// The index could not be refreshed after the branch moved (someone holds
    /// `.git/index.lock`): the commit stands, recovery repairs the index.
    pub index_error: Option<git2::Error>,
    /// What the commit did not do that a `git commit` here would have: run hooks,
    /// sign, use the user's identity (for the user, as warnings).
    pub notes: Vec<String>,
}

/// Commit `files` (path → the bytes the work tree must hold, `None`: deleted) on top of
/// the baseline, whatever else is staged; move the branch only if it is still at the
/// baseline; then refresh those index entries so `git status` is clean for them.
pub fn commit(repo: &Repo, target: &Target, files: &[(&str, Option<&[u8]>)], message: &str) -> std::result::Result<Made, TxnError> {
    let r = open(repo)?;
    check_target(&r, target)?;
    let parent = target.baseline.map(|id| r.find_commit(id)).transpose().map_err(RepoError::from)?;
    let base = match &parent {
        Some(c) => c.tree().map_err(RepoError::from)?,
        None => r.find_tree(r.treebuilder(None).and_then(|b| b.write()).map_err(RepoError::from)?).map_err(RepoError::from)?,
    };
    let mut update = TreeUpdateBuilder::new();
    let mut entries = Vec::new();
    for &(path, bytes) in files {
        let full = repo.path(path);
        match bytes {
            Some(bytes) => {
                // Stat before the commit reads nothing new: the bytes are glix's, checked
                // against the file by the caller; the stat data makes the index entry.
                let meta = std::fs::symlink_metadata(&full).map_err(crate::repo::io(format!("cannot read {}", full.display())))?;
                let id = r.blob(bytes).map_err(RepoError::from)?;
                let mode = file_mode(&full);
                update.upsert(path, id, mode);
                entries.push((path, Some(index_entry(path, id, mode, &meta))));
            }
            None => {
                update.remove(path);
                entries.push((path, None));
            }
        }
    }
    let tree = r.find_tree(update.create_updated(&r, &base).map_err(RepoError::from)?).map_err(RepoError::from)?;
    let (sig, notes) = signature(&r)?;
    let parents: Vec<&git2::Commit> = parent.iter().collect();
    // A git that holds the index lock now (the user's, an editor's) would make the
    // index refresh fail after the branch moved: refuse while nothing is visible yet.
    if r.path().join("index.lock").exists() {
        return Err(TxnError::IndexLocked);
    }
    let id = r.commit(None, &sig, &sig, message, &tree, &parents).map_err(RepoError::from)?;
    fail::fail_point!("txn-commit-object", |_| Err(super::injected("after the commit object was written")));
    move_branch(&r, target, id, message)?;
    // A kill point only (pause, sleep, panic): an error here would be a lie, the
    // commit already stands.
    fail::fail_point!("txn-after-branch");
    let index_error = update_index(&r, &entries).err();
    Ok(Made { id: id.to_string(), index_error, notes: notes.into_iter().chain(skipped(&r)).collect() })
}

/// Commit `paths` as they are in the work tree on the branch HEAD names, outside any
/// transaction: for `glix init`, whose repository is new (nothing to roll back to but
/// an empty directory, which init cleans up itself), and for test fixtures.
pub fn commit_work_tree(repo: &Repo, paths: &[String], message: &str) -> std::result::Result<String, TxnError> {
    let r = open(repo)?;
    let branch = r.find_reference("HEAD").map_err(RepoError::from)?.symbolic_target().unwrap_or("refs/heads/main").to_string();
    let baseline = r.head().ok().and_then(|h| h.target());
    let mut contents = Vec::new();
    for p in paths {
        contents.push((p.as_str(), super::rollback::read(repo, p)?));
    }
    let files: Vec<(&str, Option<&[u8]>)> = contents.iter().map(|(p, c)| (*p, c.as_deref())).collect();
    let made = commit(repo, &Target { branch: &branch, baseline }, &files, message)?;
    match made.index_error {
        Some(e) => Err(RepoError::from(e).into()),
        None => Ok(made.id),
    }
}

/// Stage `paths` as they are in the work tree (Nix only sees the files git knows about
/// in a git repository: `glix init` stages its files before `nix flake lock`).
pub fn stage(repo: &Repo, paths: &[String]) -> Result<()> {
    let r = open(repo)?;
    let mut index = r.index()?;
    for p in paths {
        index.add_path(Path::new(p))?;
    }
    Ok(index.write()?)
}

/// HEAD must still name the branch the operation started on, and that branch must
/// still be at the baseline: otherwise the user's own git (a `git commit -am`, `git
/// checkout -f`, `git stash`) ran while glix worked, and committing would put glix's
/// change on the wrong history.
fn check_target(r: &Repository, target: &Target) -> std::result::Result<(), TxnError> {
    let head = r.find_reference("HEAD").map_err(RepoError::from)?;
    let now_branch = head.symbolic_target().map(str::to_string);
    if now_branch.as_deref() != Some(target.branch) {
        let now = now_branch.map_or_else(|| "a detached HEAD".to_string(), |b| format!("branch {}", short_branch(&b)));
        return Err(TxnError::HeadMoved(format!("HEAD moved from branch {} to {now}", short_branch(target.branch))));
    }
    let tip = r.find_reference(target.branch).ok().and_then(|b| b.target());
    if tip != target.baseline {
        let at = |id: Option<Oid>| id.map_or("no commit".to_string(), |i| i.to_string()[..12].to_string());
        return Err(TxnError::HeadMoved(format!("branch {} moved from {} to {}", short_branch(target.branch), at(target.baseline), at(tip))));
    }
    Ok(())
}

pub(crate) fn short_branch(b: &str) -> &str {
    b.strip_prefix("refs/heads/").unwrap_or(b)
}

/// Point the branch at `id` only if it is still at the baseline (compare-and-swap: git's
/// own `update-ref <new> <old>`), so a commit made meanwhile is never lost.
fn move_branch(r: &Repository, target: &Target, id: Oid, message: &str) -> std::result::Result<(), TxnError> {
    let log = format!("commit: {}", message.lines().next().unwrap_or("glix"));
    let moved = match target.baseline {
        Some(old) => r.reference_matching(target.branch, id, true, old, &log),
        None => r.reference(target.branch, id, false, &log),
    };
    match moved {
        Ok(_) => Ok(()),
        Err(e) if matches!(e.code(), git2::ErrorCode::Modified | git2::ErrorCode::Exists) => {
            Err(TxnError::HeadMoved(format!("branch {} moved while glix was committing", short_branch(target.branch))))
        }
        Err(e) => Err(RepoError::from(e).into()),
    }
}

/// Set the index entries of the committed paths (`None`: remove it).
fn update_index(r: &Repository, entries: &[(&str, Option<git2::IndexEntry>)]) -> std::result::Result<(), git2::Error> {
    let mut index = r.index()?;
    for (path, entry) in entries {
        match entry {
            Some(e) => index.add(e)?,
            None => {
                let _ = index.remove_path(Path::new(path));
            }
        }
    }
    index.write()
}

/// After an operation whose commit stands: stage what the commit holds for each of
/// `paths` whose index entry still holds what `before` (the baseline commit) had — an
/// entry someone staged since is theirs and stays.
pub(crate) fn repair_index(r: &Repository, commit: Oid, before: Option<Oid>, paths: &[&str]) -> Result<()> {
    let tree = r.find_commit(commit)?.tree()?;
    let before_tree = before.map(|b| r.find_commit(b).and_then(|c| c.tree())).transpose()?;
    let mut index = r.index()?;
    let mut changed = false;
    for &p in paths {
        let staged = index.get_path(Path::new(p), 0).map(|e| (e.id, e.mode));
        let old = before_tree.as_ref().and_then(|t| t.get_path(Path::new(p)).ok()).map(|e| (e.id(), e.filemode() as u32));
        let new = tree.get_path(Path::new(p)).ok().map(|e| (e.id(), e.filemode() as u32));
        if staged != old || staged == new {
            continue;
        }
        match new {
            Some((id, mode)) => {
                let full = r.workdir().unwrap_or(Path::new(".")).join(p);
                let entry = match std::fs::symlink_metadata(&full) {
                    Ok(meta) if blob_id(&std::fs::read(&full).unwrap_or_default()) == id.to_string() => {
                        index_entry(p, id, if mode == u32::from(FileMode::BlobExecutable) { FileMode::BlobExecutable } else { FileMode::Blob }, &meta)
                    }
                    // The work tree differs: an entry without stat data, which git
                    // compares by contents.
                    _ => git2::IndexEntry { mode, id, path: p.as_bytes().to_vec(), ..zero_entry() },
                };
                index.add(&entry)?;
            }
            None => {
                let _ = index.remove_path(Path::new(p));
            }
        }
        changed = true;
    }
    if changed {
        index.write()?;
    }
    Ok(())
}

fn zero_entry() -> git2::IndexEntry {
    git2::IndexEntry {
        ctime: git2::IndexTime::new(0, 0),
        mtime: git2::IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode: 0,
        uid: 0,
        gid: 0,
        file_size: 0,
        id: Oid::zero(),
        flags: 0,
        flags_extended: 0,
        path: Vec::new(),
    }
}

/// An index entry for `path` with the stat data git compares to notice changes.
fn index_entry(path: &str, id: Oid, mode: FileMode, meta: &std::fs::Metadata) -> git2::IndexEntry {
    use std::os::unix::fs::MetadataExt;
    git2::IndexEntry {
        ctime: git2::IndexTime::new(meta.ctime() as i32, meta.ctime_nsec() as u32),
        mtime: git2::IndexTime::new(meta.mtime() as i32, meta.mtime_nsec() as u32),
        dev: meta.dev() as u32,
        ino: meta.ino() as u32,
        mode: u32::from(mode),
        uid: meta.uid(),
        gid: meta.gid(),
        file_size: meta.len() as u32,
        id,
        flags: 0,
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    }
}

/// The author: the standard environment variables, then git's own configuration
/// (user.name/user.email), then a generic glix identity so a fresh machine can commit
/// — said, since the user's history then has commits that are not theirs.
fn signature(r: &Repository) -> Result<(Signature<'static>, Option<String>)> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    if let (Some(n), Some(e)) = (env("GIT_AUTHOR_NAME"), env("GIT_AUTHOR_EMAIL")) {
        return Ok((Signature::now(&n, &e)?, None));
    }
    match r.signature() {
        Ok(s) => Ok((s.to_owned(), None)),
        Err(_) => Ok((
            Signature::now("glix", "glix@localhost")?,
            Some("git has no user.name/user.email here, so glix committed as \"glix <glix@localhost>\"; set yours with `git config --global user.name …` and `user.email …`".into()),
        )),
    }
}

/// What `git commit` would do here that glix's libgit2 commit does not: run the
/// repository's commit hooks, sign (commit.gpgsign).
fn skipped(r: &Repository) -> Vec<String> {
    let mut notes = Vec::new();
    let config = r.config().ok();
    if config.as_ref().and_then(|c| c.get_bool("commit.gpgsign").ok()) == Some(true) {
        notes.push("commit.gpgsign is set, but glix commits through libgit2, which does not sign: the commit is unsigned (sign it with `git commit --amend --no-edit -S` if you need to)".into());
    }
    let hooks_dir = match config.as_ref().and_then(|c| c.get_path("core.hooksPath").ok()) {
        Some(p) if p.is_absolute() => p,
        Some(p) => r.workdir().unwrap_or_else(|| r.path()).join(p),
        None => r.path().join("hooks"),
    };
    let executable = |name: &str| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(hooks_dir.join(name)).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    let hooks: Vec<&str> = ["pre-commit", "prepare-commit-msg", "commit-msg", "post-commit"].into_iter().filter(|n| executable(n)).collect();
    if !hooks.is_empty() {
        notes.push(format!(
            "glix commits through libgit2 and did not run the repository's {} hook{} (run {} yourself, e.g. `pre-commit run --all-files`)",
            hooks.join(", "),
            if hooks.len() == 1 { "" } else { "s" },
            if hooks.len() == 1 { "it" } else { "them" }
        ));
    }
    notes
}

fn file_mode(p: &Path) -> FileMode {
    use std::os::unix::fs::PermissionsExt;
    let exec = std::fs::metadata(p).map(|m| m.permissions().mode() & 0o111 != 0).unwrap_or(false);
    if exec {
        FileMode::BlobExecutable
    } else {
        FileMode::Blob
    }
}

/// The commit of operation `op_id`, if one is reachable from HEAD and not from
/// `baseline` (where glix's commit would be: HEAD itself, or below commits the user
/// made since).
pub(crate) fn find_op_commit(r: &Repository, op_id: &str, baseline: Option<Oid>) -> Result<Option<Oid>> {
    let mut walk = r.revwalk()?;
    if walk.push_head().is_err() {
        return Ok(None); // no commits
    }
    if let Some(b) = baseline {
        let _ = walk.hide(b);
    }
    let needle = format!("Glix-Op-Id: {op_id}");
    for oid in walk {
        let c = r.find_commit(oid?)?;
        if c.message().unwrap_or("").lines().any(|l| l == needle) {
            return Ok(Some(c.id()));
        }
    }
    Ok(None)
}

/// Drop the newest reflog entry of `refname` when it records a move to `op_commit` that
/// the ref never made (glix died between writing the log and the ref).
pub(crate) fn drop_unreached_reflog(r: &Repository, refname: &str, op_commit: impl Fn(Oid) -> bool) -> Result<()> {
    let tip = r.find_reference(refname).ok().and_then(|x| x.resolve().ok()).and_then(|x| x.target());
    let mut log = r.reflog(refname)?;
    if let Some(e) = log.get(0) {
        if Some(e.id_new()) != tip && op_commit(e.id_new()) {
            log.remove(0, true)?;
            log.write()?;
        }
    }
    Ok(())
}
