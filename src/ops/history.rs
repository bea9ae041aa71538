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
use crate::repo::switches::{self, SwitchRecord};
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
    /// For a switch record (operation `switch`, `boot` or `test`): the system profile's
    /// generation it became, and the system's store path.
    pub generation: Option<u64>,
    pub system: Option<String>,
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
        generation: None,
        system: None,
    })
}

/// A switch record as a log entry: its commit is the one activated.
fn record_entry(r: SwitchRecord) -> LogEntry {
    LogEntry {
        commit: r.commit.clone().unwrap_or_default(),
        time: r.time,
        summary: r.summary(),
        operation: r.verb,
        host: Some(r.host),
        package: None,
        reference: None,
        undoes: None,
        generation: r.generation,
        system: Some(r.system),
    }
}

/// glix operations and what `glix switch` activated (on `host`, when given), newest
/// first; a switch record comes before an operation of the same second (it activated
/// that or an older one).
pub fn glix_log(repo: &Repo, limit: usize, host: Option<&str>) -> Result<Vec<LogEntry>, OpError> {
    let host = host.map(|h| repo.choose_host(Some(h))).transpose()?;
    let mut ops = Vec::new();
    if limit > 0 {
        git::walk(repo, false, |c| {
            ops.extend(entry(&c).filter(|e| host.is_none() || e.host == host));
            ops.len() < limit
        })?;
    }
    let records = switches::read(repo)?.into_iter().filter(|r| host.is_none() || host.as_deref() == Some(r.host.as_str())).take(limit).map(record_entry);
    let mut out: Vec<LogEntry> = Vec::with_capacity(limit);
    let (mut ops, mut records) = (ops.into_iter().peekable(), records.peekable());
    while out.len() < limit {
        let next = match (ops.peek(), records.peek()) {
            (Some(o), Some(r)) if o.time > r.time => ops.next(),
            (_, Some(_)) => records.next(),
            (Some(_), None) => ops.next(),
            (None, None) => None,
        };
        match next {
            Some(e) => out.push(e),
            None => break,
        }
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
        // What such a commit changed conflicts only where the undo would take it back:
        // flake.nix outside the regions stays as it is now (the regions are
        // regenerated), a later flake.lock is kept and re-locked (unless the target was
        // a lock change itself), and a manifest is reverted entry by entry around it.
        let mut merge: BTreeMap<String, &CommitInfo> = BTreeMap::new();
        for f in &later_foreign {
            for p in f.paths.iter().filter(|p| target.paths.contains(p)) {
                let blocked =
                    || Refusal::UndoBlocked { op: target.summary.clone(), commit: f.id[..12].to_string(), summary: f.summary.clone(), path: p.clone() };
                match p.as_str() {
                    FLAKE_NIX => {}
                    FLAKE_LOCK if target.trailers.get("Glix-Operation") != Some("update") => relock = true,
                    _ if p.starts_with("hosts/") && p.ends_with("/glix.toml") => {
                        merge.insert(p.clone(), f);
                    }
                    _ => return Err(blocked().into()),
                }
            }
        }
        let parent = git::parent(repo, &target.id)?;
        let mut files = BTreeMap::new();
        for p in &target.paths {
            let before = match &parent {
                Some(pid) => git::file_at(repo, pid, p)?,
                None => None,
            };
            let before = before.map(|b| String::from_utf8_lossy(&b).into_owned());
            let restored = match (merge.get(p), &before) {
                (Some(f), Some(before)) => {
                    let text = |b: Option<Vec<u8>>| b.map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
                    let after = text(git::file_at(repo, &target.id, p)?);
                    let now = std::fs::read_to_string(repo.path(p)).unwrap_or_default();
                    match crate::manifest::revert(before, &after, &now, p) {
                        Ok(t) => Some(t),
                        Err(o) => {
                            let what = match o {
                                crate::manifest::Overlap::Package(n) => format!("{p} (package '{n}')"),
                                crate::manifest::Overlap::Key(k) => format!("{p} (`{k}`)"),
                                crate::manifest::Overlap::Unreadable(_) => p.clone(),
                            };
                            return Err(Refusal::UndoBlocked {
                                op: target.summary.clone(),
                                commit: f.id[..12].to_string(),
                                summary: f.summary.clone(),
                                path: what,
                            }
                            .into());
                        }
                    }
                }
                _ => before,
            };
            files.insert(p.clone(), restored);
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

/// The glix operation whose commit id is `op` or starts with it.
pub fn find_operation(repo: &Repo, op: &str) -> Result<CommitInfo, OpError> {
    let mut matches: Vec<CommitInfo> = Vec::new();
    git::walk(repo, false, |c| {
        if c.id.starts_with(op) && entry(&c).is_some() {
            matches.push(c);
        }
        true
    })?;
    match matches.len() {
        1 => Ok(matches.remove(0)),
        0 => Err(Refusal::NoSuchOperation(op.to_string()).into()),
        _ => Err(Refusal::AmbiguousOperation(op.to_string()).into()),
    }
}

/// The manifests, regions and lock as they were right after operation `op` (a commit
/// id or a unique prefix), as one new commit. Everything outside the regions of
/// flake.nix stays as it is now.
pub fn restore(ctx: &Context, op: &str) -> Result<Outcome, OpError> {
    mutate(ctx, |repo| {
        let target = &find_operation(repo, op)?;
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
