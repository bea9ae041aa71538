//! `glix switch | boot | test` on this machine, in steps the CLI puts a question
//! between: [`prepare`] builds the host's toplevel with `nix build` (progress and
//! failures from `src/nix.rs`) and compares it with the running system
//! ([`running_system`]); [`activate`] hands the built system to `nixos-rebuild <verb>
//! --flake <repo>#<host>` — already built, so it only evaluates and activates — and
//! records what it activated (`src/repo/switches.rs`). Nothing is activated unless
//! `activate` runs, so a failed build, a Ctrl-C or a "no" leave the machine as it was.
//! `glix diff` is [`host_diff`]: the same comparison without activating, against the
//! running system or the state after an earlier operation.
//!
//! Why nixos-rebuild and not the profile + `switch-to-configuration` route: it keeps
//! `--target-host`, `--build-host`, `--use-remote-sudo` and the user's EXTRA arguments
//! meaning what they always have, and knows each NixOS release's activation details
//! (boot loader installation, `nixos-rebuild-ng`'s changes) that glix would otherwise
//! have to follow.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use super::deploy::{choose_plugin, secs, DeployRequest, HostRun};
use super::history::find_operation;
use super::state::load_manifest;
use super::{OpError, Refusal};
use crate::closure_diff::ClosureDiff;
use crate::nix::{self, Nix, Rebuild};
use crate::repo::switches::{self, SwitchRecord};
use crate::repo::{git, Repo};

/// Where the running system is: `GLIX_CURRENT_SYSTEM` (tests, or another machine's
/// system copied here), else `/run/current-system`.
pub fn running_system_link() -> PathBuf {
    std::env::var_os("GLIX_CURRENT_SYSTEM").filter(|v| !v.is_empty()).map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/run/current-system"))
}

/// The running system's store path, when there is one.
pub fn running_system() -> Option<PathBuf> {
    std::fs::canonicalize(running_system_link()).ok()
}

/// The system profile whose generations `switch` and `boot` add to:
/// `GLIX_SYSTEM_PROFILE`, else `/nix/var/nix/profiles/system`.
fn system_profile() -> PathBuf {
    std::env::var_os("GLIX_SYSTEM_PROFILE").filter(|v| !v.is_empty()).map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/nix/var/nix/profiles/system"))
}

/// A host built and compared, not activated yet.
#[derive(Debug, Clone, Serialize)]
pub struct Prepared {
    pub host: String,
    pub verb: String,
    /// The built toplevel.
    pub system: String,
    /// The running system it is compared with (`None`: there is none here).
    pub running: Option<String>,
    pub diff: Option<ClosureDiff>,
    /// HEAD, and whether the work tree had uncommitted changes, when it was built.
    pub commit: Option<String>,
    pub dirty: bool,
    #[serde(skip)]
    plugin: Option<PathBuf>,
    #[serde(skip)]
    rebuild: PathBuf,
    #[serde(skip)]
    started: Option<Instant>,
}

impl Prepared {
    /// The new system is the one running: there is nothing to activate.
    pub fn unchanged(&self) -> bool {
        self.diff.as_ref().is_some_and(ClosureDiff::identical)
    }
}

/// Whether glix builds and compares before activating: a switch, boot or test of a host
/// that lives on this machine. With `--target-host` or `--build-host`, for a host whose
/// manifest names a `target-host` (the running system is elsewhere, or the build should
/// happen elsewhere), and for `--all`, nixos-rebuild does everything, as before.
pub fn builds_first(repo: &Repo, req: &DeployRequest) -> Result<bool, OpError> {
    if !matches!(req.verb.as_str(), "switch" | "boot" | "test") || req.all || req.target_host.is_some() || req.build_host.is_some() {
        return Ok(false);
    }
    let host = repo.choose_host(req.host.as_deref())?;
    Ok(load_manifest(repo, &host)?.host.target_host.is_none_or(|t| crate::repo::names_this_machine(&t)))
}

/// The installable of a host's toplevel in the repo's work tree (`rev`: in that commit).
fn toplevel(repo: &Repo, host: &str, rev: Option<&str>) -> String {
    let flake = match rev {
        Some(rev) => format!("git+file://{}?rev={rev}", repo.root().display()),
        None => repo.root().display().to_string(),
    };
    format!("{flake}#nixosConfigurations.{host}.config.system.build.toplevel")
}

/// Build the host and compare it with the running system. `host` is the one the
/// request names or, without `--host`, this machine's (the target has none: see
/// [`builds_first`]).
pub fn prepare(repo: &Repo, req: &DeployRequest) -> Result<(Prepared, Vec<String>), OpError> {
    let started = Instant::now();
    let mut notes = Vec::new();
    let host = repo.choose_host(req.host.as_deref())?;
    // Known before anything is built: without it nothing could be activated.
    let rebuild = nix::find_nixos_rebuild().ok_or_else(|| Refusal::NoNixosRebuild(req.verb.clone()))?;
    let plugin = choose_plugin(&req.plugin, &mut notes)?;
    let nix = Nix::locate()?.with_plugin(plugin.clone());
    let commit = git::head(repo)?;
    let dirty = git::is_dirty(repo)?;
    if dirty {
        notes.push(format!(
            "the work tree has uncommitted changes: {host}'s new generation records {}-dirty, not a glix operation",
            commit.as_deref().map(|c| &c[..12.min(c.len())]).unwrap_or("(no commit)")
        ));
    }
    let system = nix.build(&toplevel(repo, &host, None), &host)?;
    let running = running_system();
    let diff = match &running {
        Some(r) => Some(compare(&nix, r, &system)?),
        None => {
            notes.push(format!("there is no running system at {} to compare with", running_system_link().display()));
            None
        }
    };
    let prepared = Prepared {
        host,
        verb: req.verb.clone(),
        system: system.display().to_string(),
        running: running.map(|r| r.display().to_string()),
        diff,
        commit,
        dirty,
        plugin,
        rebuild,
        started: Some(started),
    };
    Ok((prepared, notes))
}

/// Activate a prepared system with nixos-rebuild and, when that succeeds, record it.
/// A record that cannot be written is a note, not a failure: the system is active.
pub fn activate(repo: &Repo, req: &DeployRequest, p: &Prepared) -> Result<(HostRun, Vec<String>), OpError> {
    let mut notes = Vec::new();
    let r = Rebuild {
        verb: p.verb.clone(),
        flake: format!("{}#{}", repo.root().display(), p.host),
        target_host: None,
        build_host: None,
        use_remote_sudo: req.use_remote_sudo,
        plugin: p.plugin.clone(),
        extra: req.extra.clone(),
    };
    let code = nix::run_nixos_rebuild(&p.rebuild, &r)?;
    let seconds = secs(p.started.map(|s| s.elapsed()).unwrap_or_default());
    let mut run = HostRun { host: p.host.clone(), target: None, exit_code: code, seconds, drv_path: None, generation: None, system: Some(p.system.clone()) };
    if code == 0 {
        let generation = if p.verb == "test" { None } else { generation_of(&system_profile(), Path::new(&p.system)) };
        run.generation = generation;
        let record = SwitchRecord {
            host: p.host.clone(),
            verb: p.verb.clone(),
            commit: p.commit.clone(),
            dirty: p.dirty,
            generation,
            system: p.system.clone(),
            time: 0,
        };
        if let Err(e) = switches::append(repo, &record) {
            notes.push(format!("the system is active, but glix could not record it in {}: {e}", switches::REF));
        }
    }
    Ok((run, notes))
}

/// The newest generation of `profile` (`system-<N>-link` next to it) that is `system`.
fn generation_of(profile: &Path, system: &Path) -> Option<u64> {
    let dir = profile.parent()?;
    let prefix = format!("{}-", profile.file_name()?.to_str()?);
    let target = std::fs::canonicalize(system).ok()?;
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let n: u64 = name.strip_prefix(&prefix)?.strip_suffix("-link")?.parse().ok()?;
            (std::fs::canonicalize(e.path()).ok()? == target).then_some(n)
        })
        .max()
}

/// The closure difference from `before` to `after`.
fn compare(nix: &Nix, before: &Path, after: &Path) -> Result<ClosureDiff, OpError> {
    let (b, a) = (before.display().to_string(), after.display().to_string());
    if before == after {
        let size = nix.closure_size(after)?;
        return Ok(ClosureDiff::parse(&b, &a, "", size, size));
    }
    let text = nix.diff_closures(before, after)?;
    Ok(ClosureDiff::parse(&b, &a, &text, nix.closure_size(before)?, nix.closure_size(after)?))
}

/// What `glix diff [OP]` compares.
#[derive(Debug, Clone, Serialize)]
pub struct HostDiff {
    pub host: String,
    /// The operation whose state is the old side (`None`: the running system).
    pub operation: Option<String>,
    #[serde(flatten)]
    pub diff: ClosureDiff,
}

/// The host as it is now against the running system, or against the host as it was
/// right after operation `op` (built from that commit). Nothing is activated.
pub fn host_diff(repo: &Repo, host: Option<&str>, op: Option<&str>, plugin: &super::PluginChoice) -> Result<(HostDiff, Vec<String>), OpError> {
    let mut notes = Vec::new();
    let host = repo.choose_host(host)?;
    let plugin = choose_plugin(plugin, &mut notes)?;
    let nix = Nix::locate()?.with_plugin(plugin);
    let (before, operation) = match op {
        Some(op) => {
            let c = find_operation(repo, op)?;
            (nix.build(&toplevel(repo, &host, Some(&c.id)), &format!("{host} as after {}", c.id.get(..12).unwrap_or(&c.id)))?, Some(c.id))
        }
        None => (running_system().ok_or_else(|| Refusal::NoRunningSystem(running_system_link().display().to_string()))?, None),
    };
    let after = nix.build(&toplevel(repo, &host, None), &host)?;
    Ok((HostDiff { host, operation, diff: compare(&nix, &before, &after)? }, notes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generation_is_the_newest_link_to_the_system() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("sys-a"), dir.path().join("sys-b"));
        std::fs::create_dir(&a).unwrap();
        std::fs::create_dir(&b).unwrap();
        for (n, to) in [(3, &a), (4, &b), (5, &a), (40, &b)] {
            std::os::unix::fs::symlink(to, dir.path().join(format!("system-{n}-link"))).unwrap();
        }
        std::os::unix::fs::symlink("system-40-link", dir.path().join("system")).unwrap();
        let profile = dir.path().join("system");
        assert_eq!(generation_of(&profile, &a), Some(5));
        assert_eq!(generation_of(&profile, &b), Some(40));
        assert_eq!(generation_of(&profile, dir.path()), None);
    }
}
