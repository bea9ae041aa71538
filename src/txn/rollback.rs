//! Putting files back: one rule for a rollback in the same run (an error, Ctrl-C) and
//! for recovery after a kill.
//!
//! A file is restored only while it holds exactly what glix wrote there. A file that
//! holds what it held before needs nothing; a file that holds what HEAD holds now was
//! committed by the user (a `git commit -am` while glix waited for Nix) and is theirs;
//! anything else was changed by someone after glix wrote it, and is *foreign*: glix
//! never writes over it.

use std::path::Path;

use super::commit;
use super::journal::{Before, Entry, Journal};
use crate::atomic_write::atomic_write;
use crate::repo::{io, Repo, RepoError};

/// What putting a journal's files back would do.
#[derive(Debug, Default)]
pub struct Plan {
    /// Files to put back, with what they held.
    pub restore: Vec<(String, Before)>,
    /// Files someone else changed since glix wrote them: left as they are.
    pub foreign: Vec<String>,
}

/// Decide, for every journaled file, whether it goes back.
///
/// Where a file goes back to: what it held before — unless HEAD has moved since the
/// operation started (the user checked out another branch or committed while glix
/// waited for Nix), in which case what HEAD holds now, so the work tree ends up clean
/// against the user's HEAD rather than against one they left.
pub fn plan(repo: &Repo, journal: &Journal) -> Result<Plan, RepoError> {
    let r = commit::open(repo)?;
    let head = r.head().ok().and_then(|h| h.target()).map(|id| id.to_string());
    // HEAD's tree, read once for every journaled file.
    let head_tree = r.head().ok().and_then(|h| h.peel_to_tree().ok());
    let head_moved = head != journal.baseline;
    let mut plan = Plan::default();
    for (rel, Entry { before, after }) in &journal.files {
        let now = read(repo, rel)?;
        let at_head = head_tree.as_ref().and_then(|t| t.get_path(Path::new(rel)).ok()).map(|e| e.id().to_string());
        let goal = match (&at_head, head_moved) {
            (_, false) => before.clone(),
            (Some(id), true) => Before::Blob(id.clone()),
            (None, true) => Before::Absent,
        };
        if goal.matches(now.as_deref()) {
            continue;
        }
        let committed_by_user = now.as_deref().is_some_and(|n| at_head.as_deref() == Some(&super::journal::blob_id(n)));
        if committed_by_user {
            continue;
        }
        if after.matches(now.as_deref()) {
            plan.restore.push((rel.clone(), goal));
        } else {
            plan.foreign.push(rel.clone());
        }
    }
    Ok(plan)
}

/// Put the planned files back; returns the paths restored. Also removes the temporary
/// files a killed write left and directories that creating a file made.
pub fn apply(repo: &Repo, journal: &Journal, plan: &Plan) -> Result<Vec<String>, RepoError> {
    let r = commit::open(repo)?;
    let mut restored = Vec::new();
    for (rel, before) in &plan.restore {
        fail::fail_point!("txn-restore", |_| Err(RepoError::Journal(format!("injected failure restoring {rel}"))));
        let path = repo.path(rel);
        let write = |bytes: &[u8]| atomic_write(&path, bytes).map_err(io(format!("cannot restore {}", path.display())));
        match before {
            Before::Text(text) => write(text.as_bytes())?,
            Before::Blob(id) => write(&commit::blob(&r, id)?)?,
            Before::Absent => match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io(format!("cannot remove {}", path.display()))(e)),
            },
        }
        restored.push(rel.clone());
    }
    tidy(repo, journal);
    Ok(restored)
}

/// Remove what a write killed half-way leaves: `.glix-tmp-*` files next to the files
/// the journal names (a later `git add -A` would commit them), then the directories
/// glix created for files that did not exist before and that are empty again (a
/// leftover `hosts/desk/` makes `glix host add desk` refuse).
pub fn tidy(repo: &Repo, journal: &Journal) {
    let mut dirs: Vec<std::path::PathBuf> = journal.files.keys().filter_map(|rel| repo.path(rel).parent().map(Path::to_path_buf)).collect();
    dirs.push(repo.state_dir());
    dirs.sort();
    dirs.dedup();
    for dir in &dirs {
        crate::atomic_write::remove_temp_files(dir);
    }
    for (rel, entry) in &journal.files {
        if entry.before == Before::Absent && !repo.path(rel).exists() {
            remove_empty_parents(repo, &repo.path(rel));
        }
    }
}

/// A journaled file's bytes (`None`: absent), through an in-repo symlink.
pub fn read(repo: &Repo, rel: &str) -> Result<Option<Vec<u8>>, RepoError> {
    let path = repo.path(rel);
    match std::fs::read(&path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(format!("cannot read {}", path.display()))(e)),
    }
}

/// Remove directories left empty by undoing a file creation (e.g. `hosts/new/`).
fn remove_empty_parents(repo: &Repo, path: &Path) {
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d == repo.root() || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}
