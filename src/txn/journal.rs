//! The on-disk journal that makes a transaction survive `kill -9` and power loss.
//!
//! Before glix changes the first file, it writes `.git/glix-journal.json` (atomically,
//! fsynced) with, for every file the operation may touch, what the file held before
//! (its contents, or — for a file exactly as committed — its blob id, which git keeps)
//! and what glix is about to write there (the new blob's id). When the operation ends,
//! committed or rolled back, the journal is removed. If glix dies in between, the next
//! glix reads it under the repo lock before anything else (see [`super::recover`]).
//!
//! Knowing both sides is what makes recovery safe: a file is put back only while it
//! still holds exactly what glix wrote. A file that holds something else was changed by
//! someone after glix died (`git checkout -- .` and a hand edit, `git checkout
//! other-branch`), and recovery leaves every file alone rather than overwrite it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::atomic_write::{atomic_write, sync_dir};
use crate::repo::{io, Repo, RepoError};

type Result<T> = std::result::Result<T, RepoError>;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Journal {
    /// Unique per operation; also written as the `Glix-Op-Id` trailer of its commit.
    pub op_id: String,
    /// What the operation was, for the recovery message.
    pub description: String,
    /// The commit HEAD was at when the operation started (`None`: an unborn branch).
    /// "Committed" means a commit carrying `op_id` is reachable from HEAD but not from
    /// this one.
    #[serde(default)]
    pub baseline: Option<String>,
    /// The branch HEAD named (`refs/heads/main`): the only ref glix moves.
    #[serde(default)]
    pub branch: Option<String>,
    /// Repo-relative path → what it held and what glix writes there.
    pub files: BTreeMap<String, Entry>,
}

/// One journaled file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub before: Before,
    pub after: After,
}

/// What a journaled file held before the operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Before {
    Absent,
    Text(String),
    /// Exactly the blob with this id, as committed at HEAD and staged. An id instead of
    /// the contents keeps the journal a few hundred bytes whatever the file's size.
    Blob(String),
}

/// What glix writes to a journaled file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum After {
    /// glix deletes the file.
    Absent,
    /// The blob with this id.
    Blob(String),
    /// Not known when the journal was written: another program (`nix flake lock`)
    /// writes it, and glix records the result once it is done.
    Unknown,
}

impl Before {
    /// Does a file holding `now` (`None`: absent) hold what it did before?
    pub fn matches(&self, now: Option<&[u8]>) -> bool {
        match (self, now) {
            (Before::Absent, now) => now.is_none(),
            (Before::Text(t), Some(now)) => t.as_bytes() == now,
            (Before::Blob(id), Some(now)) => blob_id(now) == *id,
            (_, None) => false,
        }
    }
}

impl After {
    pub fn of(contents: Option<&[u8]>) -> After {
        contents.map_or(After::Absent, |c| After::Blob(blob_id(c)))
    }

    /// Does a file holding `now` hold what glix wrote? (`Unknown` counts as yes: glix
    /// had handed the file to another program, which may have written anything.)
    pub fn matches(&self, now: Option<&[u8]>) -> bool {
        match (self, now) {
            (After::Unknown, _) => true,
            (After::Absent, now) => now.is_none(),
            (After::Blob(id), Some(now)) => blob_id(now) == *id,
            (After::Blob(_), None) => false,
        }
    }
}

/// The git blob id of `bytes`: what `git hash-object` prints for a file holding them.
pub fn blob_id(bytes: &[u8]) -> String {
    use sha1::{Digest, Sha1};
    let mut h = Sha1::new();
    h.update(format!("blob {}\0", bytes.len()).as_bytes());
    h.update(bytes);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

impl Journal {
    pub fn new(description: &str, baseline: Option<String>, branch: Option<String>) -> Journal {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        Journal { op_id: format!("{nanos:x}-{}", std::process::id()), description: description.to_string(), baseline, branch, files: BTreeMap::new() }
    }

    /// Is `rel` journaled?
    pub fn covers(&self, rel: &str) -> bool {
        self.files.contains_key(rel)
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
}
