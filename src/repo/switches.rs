//! What `glix switch | boot | test` activated, kept in the repository without touching
//! its branch or work tree: each record is a commit with an empty tree on the ref
//! `refs/glix/switches`, whose parent is the record before it, and whose message says
//! the host, the verb, the commit the system was built from (and whether the work tree
//! had uncommitted changes), the generation and the system's store path as trailers.
//! So the records are an append-only history of their own, read newest first like
//! glix's log, which `git log refs/glix/switches` shows too; `git push` and `git clone`
//! leave it alone (it is this machine's, not the configuration's).
//!
//! Under `sudo` (glix as root in a user's repo) the objects and ref files a record
//! creates are given to the repository's owner, so git keeps working for them.

use std::path::{Path, PathBuf};

use git2::{Oid, Repository};
use serde::Serialize;

use super::git::Trailers;
use super::{Repo, Result};

/// The ref that holds the records.
pub const REF: &str = "refs/glix/switches";

/// One activation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SwitchRecord {
    pub host: String,
    /// `switch`, `boot` or `test`.
    pub verb: String,
    /// HEAD when the system was built (`None`: a repo without commits).
    pub commit: Option<String>,
    /// The work tree had uncommitted changes, so the system is HEAD plus those.
    pub dirty: bool,
    /// The system profile's generation that is this system (`None` for `test`, which
    /// makes none, or when glix could not tell).
    pub generation: Option<u64>,
    /// The system's store path.
    pub system: String,
    /// Seconds since the epoch (the record's commit time).
    pub time: i64,
}

impl SwitchRecord {
    /// `laptop: switched to op 4f2c1a2b3c4d, generation 112` (boot: `made op … the boot
    /// default`, test: `activated op … until reboot`).
    pub fn summary(&self) -> String {
        let op = match &self.commit {
            Some(c) => format!("op {}", &c[..12.min(c.len())]),
            None => "a repo without commits".into(),
        };
        let dirty = if self.dirty { " plus uncommitted changes" } else { "" };
        let what = match self.verb.as_str() {
            "switch" => format!("switched to {op}{dirty}"),
            "boot" => format!("made {op}{dirty} the boot default"),
            _ => format!("activated {op}{dirty} until reboot"),
        };
        let generation = self.generation.map(|g| format!(", generation {g}")).unwrap_or_default();
        format!("{}: {what}{generation}", self.host)
    }

    fn message(&self) -> String {
        let mut m = format!("{}\n\nGlix-Host: {}\nGlix-Verb: {}\n", self.summary(), self.host, self.verb);
        if let Some(c) = &self.commit {
            m.push_str(&format!("Glix-Commit: {c}\n"));
        }
        m.push_str(&format!("Glix-Dirty: {}\n", self.dirty));
        if let Some(g) = self.generation {
            m.push_str(&format!("Glix-Generation: {g}\n"));
        }
        m.push_str(&format!("Glix-System: {}\n", self.system));
        m
    }

    fn parse(message: &str, time: i64) -> Option<SwitchRecord> {
        let t = Trailers::parse(message);
        Some(SwitchRecord {
            host: t.get("Glix-Host")?.to_string(),
            verb: t.get("Glix-Verb")?.to_string(),
            commit: t.get("Glix-Commit").map(str::to_string),
            dirty: t.get("Glix-Dirty") == Some("true"),
            generation: t.get("Glix-Generation").and_then(|g| g.parse().ok()),
            system: t.get("Glix-System").unwrap_or("").to_string(),
            time,
        })
    }
}

/// Append `record` (its `time` is now, whatever it says).
pub fn append(repo: &Repo, record: &SwitchRecord) -> Result<String> {
    let r = Repository::open(repo.root())?;
    let sig = r.signature().or_else(|_| git2::Signature::now("glix", "glix@localhost"))?;
    let tree = r.find_tree(r.treebuilder(None)?.write()?)?;
    let message = record.message();
    // Another glix may append at the same time: the ref moves only from the parent
    // this record names, else glix reads the new tip and tries again.
    for _ in 0..10 {
        let parent = r.find_reference(REF).ok().and_then(|rf| rf.target());
        let parents: Vec<git2::Commit> = parent.map(|p| r.find_commit(p)).transpose()?.into_iter().collect();
        let refs: Vec<&git2::Commit> = parents.iter().collect();
        let id = r.commit(None, &sig, &sig, &message, &tree, &refs)?;
        let done = match parent {
            Some(p) => r.reference_matching(REF, id, true, p, "glix: switch record"),
            None => r.reference(REF, id, false, "glix: switch record"),
        };
        match done {
            Ok(_) => {
                give_to_owner(&r, &[id, tree.id()]);
                return Ok(id.to_string());
            }
            Err(e) if matches!(e.code(), git2::ErrorCode::Modified | git2::ErrorCode::Exists | git2::ErrorCode::Locked) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(git2::Error::from_str("refs/glix/switches kept moving while glix appended to it").into())
}

/// Every record, newest first (none when the ref does not exist).
pub fn read(repo: &Repo) -> Result<Vec<SwitchRecord>> {
    let r = Repository::open(repo.root())?;
    let Ok(tip) = r.refname_to_id(REF) else { return Ok(vec![]) };
    let mut out = Vec::new();
    let mut next = Some(tip);
    while let Some(id) = next {
        let c = r.find_commit(id)?;
        out.extend(SwitchRecord::parse(c.message().unwrap_or(""), c.time().seconds()));
        next = c.parent_ids().next();
    }
    Ok(out)
}

/// Running as root in a repository someone else owns (`sudo glix switch`): give the
/// files this record created (its objects, the ref and its log) to that owner, so their
/// own git can still write there.
fn give_to_owner(r: &Repository, objects: &[Oid]) {
    use std::os::unix::fs::MetadataExt;
    let git = r.path();
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return;
    }
    let Ok(owner) = std::fs::metadata(git) else { return };
    if owner.uid() == 0 {
        return;
    }
    let mut paths: Vec<PathBuf> = Vec::new();
    for id in objects {
        let hex = id.to_string();
        let dir = git.join("objects").join(&hex[..2]);
        paths.push(dir.join(&hex[2..]));
        paths.push(dir);
    }
    for base in ["refs", "logs/refs"] {
        paths.push(git.join(base).join("glix"));
        paths.push(git.join(base).join("glix/switches"));
    }
    for p in paths {
        chown_if_root(&p, owner.uid(), owner.gid());
    }
}

fn chown_if_root(p: &Path, uid: u32, gid: u32) {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::MetadataExt;
    let Ok(m) = std::fs::symlink_metadata(p) else { return };
    if m.uid() != 0 {
        return;
    }
    let Ok(c) = std::ffi::CString::new(p.as_os_str().as_bytes()) else { return };
    // SAFETY: `c` is a NUL-terminated path that outlives the call; lchown touches no
    // memory of ours. A failure leaves the file as it was (root's), which git reports.
    unsafe {
        libc::lchown(c.as_ptr(), uid, gid);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_reads_back_as_written_and_says_what_was_activated() {
        let r = SwitchRecord {
            host: "laptop".into(),
            verb: "switch".into(),
            commit: Some("4f2c1a2b3c4d5e6f".into()),
            dirty: false,
            generation: Some(112),
            system: "/nix/store/x-nixos-system".into(),
            time: 7,
        };
        assert_eq!(r.summary(), "laptop: switched to op 4f2c1a2b3c4d, generation 112");
        assert_eq!(SwitchRecord::parse(&r.message(), 7), Some(r.clone()));
        let t = SwitchRecord { verb: "test".into(), generation: None, dirty: true, ..r };
        assert_eq!(t.summary(), "laptop: activated op 4f2c1a2b3c4d plus uncommitted changes until reboot");
        let b = SwitchRecord { verb: "boot".into(), generation: Some(3), ..t };
        assert_eq!(b.summary(), "laptop: made op 4f2c1a2b3c4d plus uncommitted changes the boot default, generation 3");
    }
}
