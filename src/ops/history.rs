//! `glix log`, `glix undo`, `glix restore`: glix's history is git's, read back from the
//! trailers of glix commits. Undo and restore are new operations (new commits through
//! the same transaction); history only grows, nothing is ever reset.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::state::{read_flake, read_manifest, regenerate_checked, summaries_of};
use super::summary::{load_summaries, HostSummary};
use super::{mutate, Context, LockStep, OpError, Outcome, Planned, Refusal, FLAKE_LOCK, FLAKE_NIX};
use crate::manifest::load_str;
use crate::repo::git::{self, CommitInfo};
use crate::repo::Repo;
use crate::txn::Operation;

/// One glix operation, as `glix log` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct LogEntry {
    pub commit: String,
    pub time: i64,
    pub summary: String,
    pub operation: String,
    pub host: Option<String>,
    pub package: Option<String>,
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    /// For undo: the commit it reverted.
    pub undoes: Option<String>,
}

fn entry(c: &CommitInfo) -> Option<LogEntry> {
    let t = &c.trailers;
    Some(LogEntry {
        commit: c.id.clone(),
        time: c.time,
        summary: c.summary.clone(),
        operation: t.get("Glix-Operation")?.to_string(),
        host: t.get("Glix-Host").map(str::to_string),
        package: t.get("Glix-Package").map(str::to_string),
        reference: t.get("Glix-Ref").map(str::to_string),
        undoes: t.get("Glix-Undoes").map(str::to_string),
    })
}

/// glix operations (on `host`, when given), newest first.
pub fn glix_log(repo: &Repo, limit: usize, host: Option<&str>) -> Result<Vec<LogEntry>, OpError> {
    let host = host.map(|h| repo.choose_host(Some(h))).transpose()?;
    let mut out = Vec::new();
    if limit > 0 {
        git::walk(repo, false, |c| {
            out.extend(entry(&c).filter(|e| host.is_none() || e.host == host));
            out.len() < limit
        })?;
    }
    Ok(out)
}

/// Revert the newest glix operation not already undone (of `host`, when given), as a
/// new commit, with flake.nix's regions regenerated from the manifests as the undo
/// leaves them. Refuses when a later commit made outside glix touched the same files,
/// or (for a host's operation) a later glix operation touched that host's files.
pub fn undo(ctx: &Context, host: Option<&str>) -> Result<Outcome, OpError> {
    mutate(ctx, |repo| {
        let host = host.map(|h| repo.choose_host(Some(h))).transpose()?;
        // Newest first: skip undos (remembering what they undid) and what they undid;
        // the first other glix operation is the one to revert. Commits made outside
        // glix on the way are kept to check for conflicting changes.
        let mut undone: BTreeSet<String> = BTreeSet::new();
        let mut later_foreign: Vec<CommitInfo> = Vec::new();
        let mut later_other: Vec<CommitInfo> = Vec::new();
        let mut target = None;
        git::walk(repo, true, |c| match entry(&c) {
            None => {
                later_foreign.push(c);
                true
            }
            Some(e) if e.operation == "undo" => {
                undone.extend(e.undoes);
                true
            }
            Some(e) if e.operation == "init" || undone.contains(&c.id) => true,
            Some(e) if host.is_some() && e.host != host => {
                later_other.push(c);
                true
            }
            Some(_) => {
                target = Some(c);
                false
            }
        })?;
        let Some(target) = target else {
            return Err(match host {
                Some(h) => Refusal::NothingToUndoOn(h),
                None => Refusal::NothingToUndo,
            }
            .into());
        };
        // Another host's later operation shares flake.nix (regenerated below) and
        // flake.lock (re-locked instead of put back); any other file of the target's
        // it touched would be reverted with it.
        let mut relock = false;
        for c in &later_other {
            for p in c.paths.iter().filter(|p| target.paths.contains(p)) {
                match p.as_str() {
                    FLAKE_NIX => {}
                    FLAKE_LOCK => relock = true,
                    _ => {
                        return Err(Refusal::UndoBlockedByGlix {
                            op: target.summary.clone(),
                            commit: c.id[..12].to_string(),
                            summary: c.summary.clone(),
                            path: p.clone(),
                        }
                        .into())
                    }
                }
            }
        }
        // Every commit collected here is newer than the target (the log is newest first).
        for f in &later_foreign {
            if let Some(p) = f.paths.iter().find(|p| target.paths.contains(p)) {
                return Err(
                    Refusal::UndoBlocked { op: target.summary.clone(), commit: f.id[..12].to_string(), summary: f.summary.clone(), path: p.clone() }.into()
                );
            }
        }
        let parent = git::parent(repo, &target.id)?;
        let mut files = BTreeMap::new();
        for p in &target.paths {
            let before = match &parent {
                Some(pid) => git::file_at(repo, pid, p)?,
                None => None,
            };
            files.insert(p.clone(), before.map(|b| String::from_utf8_lossy(&b).into_owned()));
        }
        if relock {
            files.remove(FLAKE_LOCK);
        }
        // The regions say what the manifests will: the restored ones, the others as
        // they are (a region text put back from then could name what a later change or
        // a hand merge made different).
        let mut after = BTreeMap::new();
        let mut hosts: BTreeSet<String> = repo.hosts()?.into_iter().collect();
        hosts.extend(files.keys().filter_map(|p| p.strip_prefix("hosts/")?.strip_suffix("/glix.toml").map(str::to_string)));
        for h in hosts {
            let rel = Repo::manifest_rel(&h);
            let text = match files.get(&rel) {
                Some(restored) => restored.clone(),
                None => Some(read_manifest(repo, &h)?.1),
            };
            if let Some(text) = text {
                after.insert(h, HostSummary::of(&load_str(&text, &rel)?));
            }
        }
        // A fleet operation undone puts the fleet region back as it was before it; any
        // other leaves it as it is now.
        let fleet_op = entry(&target).is_some_and(|e| e.operation.starts_with("fleet-"));
        let fleet_then = match files.get(FLAKE_NIX) {
            Some(Some(then)) if fleet_op => Some(then.clone()),
            _ => None,
        };
        let (flake_nix, warnings) = regenerate_checked(&read_flake(repo)?, fleet_then.as_deref(), &load_summaries(repo, None)?, &after)?;
        files.insert(FLAKE_NIX.to_string(), Some(flake_nix));
        Ok(Planned {
            op: Operation {
                kind: "undo".into(),
                host: target.trailers.get("Glix-Host").map(str::to_string),
                package: target.trailers.get("Glix-Package").map(str::to_string),
                reference: target.trailers.get("Glix-Ref").map(str::to_string),
                undoes: Some(target.id.clone()),
                summary: format!("glix undo: {}", target.summary),
            },
            files,
            lock: if relock { LockStep::Lock } else { LockStep::None },
            warnings,
            after: vec![],
            unchanged: None,
        })
    })
}

/// The manifests, regions and lock as they were right after operation `op` (a commit
/// id or a unique prefix), as one new commit. Everything outside the regions of
/// flake.nix stays as it is now.
pub fn restore(ctx: &Context, op: &str) -> Result<Outcome, OpError> {
    mutate(ctx, |repo| {
        let mut matches: Vec<CommitInfo> = Vec::new();
        git::walk(repo, false, |c| {
            if c.id.starts_with(op) && entry(&c).is_some() {
                matches.push(c);
            }
            true
        })?;
        let target = match matches.as_slice() {
            [one] => one,
            [] => return Err(Refusal::NoSuchOperation(op.to_string()).into()),
            _ => return Err(Refusal::AmbiguousOperation(op.to_string()).into()),
        };
        // Each manifest of then, read once; a host of now that had none then goes.
        let mut files: BTreeMap<String, Option<String>> = BTreeMap::new();
        let mut manifests = BTreeMap::new();
        for host in git::list_dir_at(repo, &target.id, "hosts")? {
            let rel = Repo::manifest_rel(&host);
            if let Some(bytes) = git::file_at(repo, &target.id, &rel)? {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                manifests.insert(host, load_str(&text, &rel)?);
                files.insert(rel, Some(text));
            }
        }
        for host in repo.hosts()? {
            files.entry(Repo::manifest_rel(&host)).or_insert(None);
        }
        // The fleet region as it was then, with the other regions.
        let fleet_then = git::file_at(repo, &target.id, FLAKE_NIX)?.map(|b| String::from_utf8_lossy(&b).into_owned());
        let (flake_nix, warnings) =
            regenerate_checked(&read_flake(repo)?, Some(fleet_then.as_deref().unwrap_or("")), &load_summaries(repo, None)?, &summaries_of(&manifests))?;
        files.insert(FLAKE_NIX.to_string(), Some(flake_nix));
        let lock = git::file_at(repo, &target.id, FLAKE_LOCK)?.map(|b| String::from_utf8_lossy(&b).into_owned());
        files.insert(FLAKE_LOCK.to_string(), lock);
        Ok(Planned {
            op: Operation {
                kind: "restore".into(),
                reference: Some(target.id.clone()),
                summary: format!("glix restore {}: {}", &target.id[..12], target.summary),
                ..Operation::default()
            },
            files,
            lock: LockStep::None,
            warnings,
            after: vec![],
            unchanged: Some(format!("the repository is already as after {}", &target.id[..12])),
        })
    })
}
