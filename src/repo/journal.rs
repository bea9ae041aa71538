//! The on-disk journal that makes a transaction survive `kill -9` and power loss.
//!
//! Before glix changes the first file, it writes `.git/glix-journal.json` (atomically,
//! fsynced) with the previous contents of every file the operation may touch — or, for
//! a file exactly as committed at HEAD, its blob id, which git already keeps. When the
//! operation ends — committed or rolled back — the journal is removed. If glix dies in
//! between, the next glix finds the journal before doing anything else and rolls the
//! files back, unless the operation's commit had already been made (the commit carries
//! the journal's operation id as a trailer), in which case it only tidies up.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{git, io, Repo, RepoError, Result};
use crate::atomic_write::{atomic_write, sync_dir};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Journal {
    /// Unique per operation; also written as the `Glix-Op-Id` trailer of its commit.
    pub op_id: String,
    /// What the operation was, for the recovery message.
    pub description: String,
    /// Repo-relative path → contents before the operation (`None`: did not exist).
    pub files: BTreeMap<String, Option<String>>,
    /// Files that were exactly as committed at HEAD: repo-relative path → their blob
    /// id, read back from git to roll back. An id instead of the contents keeps the
    /// journal a few hundred bytes whatever the files' size (a flake.nix of 20 000
    /// inputs is 800 KB, which was serialized, written and fsynced on every change).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub blobs: BTreeMap<String, String>,
}

/// What a journaled file held before the operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Before<'a> {
    Absent,
    Text(&'a str),
    /// The blob with this id (see [`Journal::blobs`]).
    Blob(&'a str),
}

impl Before<'_> {
    /// Does a file holding `now` (`None`: absent) hold what it did before?
    pub fn matches(&self, now: Option<&[u8]>) -> bool {
        match (self, now) {
            (Before::Absent, now) => now.is_none(),
            (Before::Text(t), Some(now)) => t.as_bytes() == now,
            (Before::Blob(id), Some(now)) => git::blob_id(now) == *id,
            (_, None) => false,
        }
    }
}

/// What a recovery did, to tell the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovery {
    pub description: String,
    /// The interrupted operation had committed; nothing needed restoring.
    pub completed: bool,
    pub restored: Vec<String>,
}

impl Journal {
    pub fn new(description: &str) -> Journal {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        Journal {
            op_id: format!("{nanos:x}-{}", std::process::id()),
            description: description.to_string(),
            files: BTreeMap::new(),
            blobs: BTreeMap::new(),
        }
    }

    /// Every journaled file and what it held, in path order.
    pub fn entries(&self) -> Vec<(&str, Before<'_>)> {
        let mut all: Vec<(&str, Before)> = self
            .files
            .iter()
            .map(|(rel, t)| (rel.as_str(), t.as_deref().map_or(Before::Absent, Before::Text)))
            .chain(self.blobs.iter().map(|(rel, id)| (rel.as_str(), Before::Blob(id))))
            .collect();
        all.sort_by_key(|e| e.0);
        all
    }

    /// Is `rel` journaled?
    pub fn covers(&self, rel: &str) -> bool {
        self.files.contains_key(rel) || self.blobs.contains_key(rel)
    }

    pub fn path(repo: &Repo) -> PathBuf {
        repo.state_dir().join("glix-journal.json")
    }

    /// Persist the journal (atomically and durably) before any file it covers changes.
    pub fn save(&self, repo: &Repo) -> Result<()> {
        let text = serde_json::to_string_pretty(self).expect("a journal serializes");
        let path = Journal::path(repo);
        atomic_write(&path, text.as_bytes()).map_err(io(format!("cannot write the journal {}", path.display())))
    }

    pub fn load(repo: &Repo) -> Result<Option<Journal>> {
        let path = Journal::path(repo);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map(Some).map_err(|e| {
                RepoError::Journal(format!(
                    "the journal {} is damaged ({e}); restore the files it names by hand (`git status`, `git checkout -- FILE`) and delete it",
                    path.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(format!("cannot read {}", path.display()))(e)),
        }
    }

    pub fn remove(repo: &Repo) -> Result<()> {
        let path = Journal::path(repo);
        match std::fs::remove_file(&path) {
            Ok(()) => sync_dir(&repo.state_dir()).map_err(io("cannot sync .git")),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io(format!("cannot remove {}", path.display()))(e)),
        }
    }

    /// Put every file back as it was before the operation. Returns the paths that
    /// actually changed.
    pub fn restore_files(&self, repo: &Repo) -> Result<Vec<String>> {
        let mut restored = Vec::new();
        for (rel, before) in self.entries() {
            let path = repo.path(rel);
            if before.matches(std::fs::read(&path).ok().as_deref()) {
                continue;
            }
            let write = |bytes: &[u8]| atomic_write(&path, bytes).map_err(io(format!("cannot restore {}", path.display())));
            match before {
                Before::Text(text) => write(text.as_bytes())?,
                Before::Blob(id) => write(&git::blob(repo, id)?)?,
                Before::Absent => {
                    std::fs::remove_file(&path).map_err(io(format!("cannot remove {}", path.display())))?;
                    remove_empty_parents(repo, &path);
                }
            }
            restored.push(rel.to_string());
        }
        Ok(restored)
    }
}

/// Roll back an operation a killed glix left behind. Every command calls this first,
/// under the repo lock.
pub fn recover(repo: &Repo) -> Result<Option<Recovery>> {
    let Some(journal) = Journal::load(repo)? else { return Ok(None) };
    let paths: Vec<String> = journal.entries().into_iter().map(|(rel, _)| rel.to_string()).collect();
    let recovery = if git::head_has_op(repo, &journal.op_id)? {
        // Committed; at most the index entries were not refreshed yet.
        git::sync_index(repo, &paths)?;
        Recovery { description: journal.description.clone(), completed: true, restored: vec![] }
    } else {
        let restored = journal.restore_files(repo)?;
        Recovery { description: journal.description.clone(), completed: false, restored }
    };
    Journal::remove(repo)?;
    Ok(Some(recovery))
}

/// Remove directories left empty by undoing a file creation (e.g. `hosts/new/`).
fn remove_empty_parents(repo: &Repo, path: &std::path::Path) {
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d == repo.root() || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}
