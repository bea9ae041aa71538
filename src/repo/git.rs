//! Git through git2, read side: glix's history read back from commit trailers, and
//! files and directories of past commits. (The commit itself is the transaction's:
//! `crate::txn`.)

use std::path::Path;

use git2::Repository;

use super::{Repo, Result};

/// Machine-readable trailers of a glix commit (`Glix-Operation: add` …).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trailers(pub Vec<(String, String)>);

impl Trailers {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    pub(crate) fn parse(message: &str) -> Trailers {
        let last_paragraph = message.trim_end().rsplit("\n\n").next().unwrap_or("");
        Trailers(
            last_paragraph
                .lines()
                .filter_map(|l| l.split_once(": "))
                .filter(|(k, _)| k.starts_with("Glix-"))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }
}

#[derive(Debug, Clone)]
pub struct CommitInfo {
    pub id: String,
    pub summary: String,
    pub time: i64,
    pub trailers: Trailers,
    /// Repo-relative paths this commit changed compared with its first parent.
    pub paths: Vec<String>,
}

fn open(repo: &Repo) -> Result<Repository> {
    Ok(Repository::open(repo.root())?)
}

/// `git init` for `glix init`.
pub fn init(dir: &Path) -> Result<()> {
    Repository::init(dir)?;
    Ok(())
}

/// Walk the commits reachable from HEAD, newest first, while `visit` returns true.
/// `with_paths` also lists the paths each commit changed (a tree diff per commit), which
/// only some callers need; the walk stops as soon as the caller has what it wants.
pub fn walk(repo: &Repo, with_paths: bool, mut visit: impl FnMut(CommitInfo) -> bool) -> Result<()> {
    let r = open(repo)?;
    let mut revs = r.revwalk()?;
    if revs.push_head().is_err() {
        return Ok(()); // no commits yet
    }
    for oid in revs {
        let c = r.find_commit(oid?)?;
        let paths = if with_paths {
            let tree = c.tree()?;
            let parent_tree = c.parent(0).ok().map(|p| p.tree()).transpose()?;
            let diff = r.diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), None)?;
            diff.deltas().filter_map(|d| d.new_file().path().or(d.old_file().path()).map(|p| p.to_string_lossy().into_owned())).collect()
        } else {
            Vec::new()
        };
        let info = CommitInfo {
            id: c.id().to_string(),
            summary: c.summary().unwrap_or("").to_string(),
            time: c.time().seconds(),
            trailers: Trailers::parse(c.message().unwrap_or("")),
            paths,
        };
        if !visit(info) {
            break;
        }
    }
    Ok(())
}

/// Commits reachable from HEAD, newest first, at most `limit`, with their paths.
pub fn log(repo: &Repo, limit: usize) -> Result<Vec<CommitInfo>> {
    let mut out = Vec::new();
    if limit > 0 {
        walk(repo, true, |c| {
            out.push(c);
            out.len() < limit
        })?;
    }
    Ok(out)
}

/// The contents of `path` in commit `id` (None when the file did not exist there).
pub fn file_at(repo: &Repo, id: &str, path: &str) -> Result<Option<Vec<u8>>> {
    let r = open(repo)?;
    let tree = r.find_commit(git2::Oid::from_str(id)?)?.tree()?;
    match tree.get_path(Path::new(path)) {
        Ok(entry) => Ok(Some(r.find_blob(entry.id())?.content().to_vec())),
        Err(_) => Ok(None),
    }
}

/// The first parent of commit `id`.
pub fn parent(repo: &Repo, id: &str) -> Result<Option<String>> {
    let r = open(repo)?;
    let c = r.find_commit(git2::Oid::from_str(id)?)?;
    Ok(c.parent_ids().next().map(|p| p.to_string()))
}

/// The names in directory `dir` of commit `id` (empty when it has no such directory).
pub fn list_dir_at(repo: &Repo, id: &str, dir: &str) -> Result<Vec<String>> {
    let r = open(repo)?;
    let tree = r.find_commit(git2::Oid::from_str(id)?)?.tree()?;
    let Ok(entry) = tree.get_path(Path::new(dir)) else { return Ok(vec![]) };
    let Ok(sub) = r.find_tree(entry.id()) else { return Ok(vec![]) };
    Ok(sub.iter().filter_map(|e| e.name().map(str::to_string)).collect())
}

/// The paths git's index holds (what a flake in this repository sees), sorted.
pub fn tracked(repo: &Repo) -> Result<Vec<String>> {
    let r = open(repo)?;
    let index = r.index()?;
    Ok(index.iter().map(|e| String::from_utf8_lossy(&e.path).into_owned()).collect())
}

/// HEAD's commit id (None in a repository without commits).
pub fn head(repo: &Repo) -> Result<Option<String>> {
    let r = open(repo)?;
    let id = r.head().ok().and_then(|h| h.target()).map(|o| o.to_string());
    Ok(id)
}

/// Whether a tracked file differs from HEAD (in the index or the work tree): what Nix
/// calls a dirty tree, whose build is HEAD plus those changes. Untracked files do not
/// count (a flake does not see them).
pub fn is_dirty(repo: &Repo) -> Result<bool> {
    let r = open(repo)?;
    let mut opts = git2::StatusOptions::new();
    opts.include_untracked(false).include_ignored(false);
    let dirty = !r.statuses(Some(&mut opts))?.is_empty();
    Ok(dirty)
}
