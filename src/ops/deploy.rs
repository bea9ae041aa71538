//! `glix switch | boot | test | build | dry-build`: thin wrappers around
//! `nixos-rebuild <verb> --flake <repo>#<host>` (an argument vector, never a shell),
//! whose output streams through and whose exit code glix returns. `--all` deploys every
//! host whose manifest names a `target-host`, one after another — the small-fleet path;
//! with a fleet engine enabled (`glix fleet enable colmena|deploy-rs`) it hands off to
//! that engine instead (src/ops/fleet.rs). `--on` selects hosts on both paths.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::state::load_manifest;
use super::{OpError, Refusal};
use crate::nix::{self, Nix, Rebuild};
use crate::repo::Repo;

pub const VERBS: [&str; 5] = ["switch", "boot", "test", "build", "dry-build"];

/// Which plugin to pass to Nix.
#[derive(Debug, Clone)]
pub enum PluginChoice {
    /// `--plugin PATH`: must load, or the command fails.
    Explicit(PathBuf),
    /// Found next to glix or via GLIX_PLUGIN: used when the Nix on PATH loads it.
    Auto,
    /// `--no-plugin`.
    Off,
}

#[derive(Debug, Clone)]
pub struct DeployRequest {
    pub verb: String,
    pub host: Option<String>,
    pub all: bool,
    /// `--all --on web1,@db`: host names and `@tag`s (`None`: every host).
    pub on: Option<String>,
    pub target_host: Option<String>,
    pub build_host: Option<String>,
    pub use_remote_sudo: bool,
    pub plugin: PluginChoice,
    pub extra: Vec<String>,
}

/// One host's result.
#[derive(Debug, Clone, Serialize)]
pub struct HostRun {
    pub host: String,
    pub target: Option<String>,
    /// nixos-rebuild's exit code (0 = success).
    pub exit_code: i32,
    pub seconds: f64,
    /// When there was no nixos-rebuild: the evaluated drvPath (`glix build` only).
    pub drv_path: Option<String>,
    /// The system profile's generation it became (`switch`, `boot` on this machine).
    pub generation: Option<u64>,
    /// The system's store path, when glix built it first.
    pub system: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeployReport {
    pub runs: Vec<HostRun>,
    /// Things the user should know (plugin skipped, evaluated instead of built).
    pub notes: Vec<String>,
    /// `--all` with a fleet engine enabled: what ran instead of nixos-rebuild.
    #[serde(rename = "handedTo", skip_serializing_if = "Option::is_none")]
    pub handed_to: Option<super::fleet::HandOff>,
}

impl DeployReport {
    /// 0 when every host succeeded, else the first failing exit code.
    pub fn exit_code(&self) -> i32 {
        self.runs.iter().map(|r| r.exit_code).find(|c| *c != 0).unwrap_or(0)
    }
}

pub fn deploy(repo: &Repo, req: &DeployRequest) -> Result<DeployReport, OpError> {
    if !VERBS.contains(&req.verb.as_str()) {
        return Err(Refusal::UnknownVerb(req.verb.clone()).into());
    }
    let mut notes = Vec::new();
    let plugin = choose_plugin(&req.plugin, &mut notes)?;
    let hosts: Vec<(String, Option<String>)> = if req.all {
        if let Some((engine, _)) = super::fleet::enabled(repo)? {
            return super::fleet::switch_all(repo, engine, req, plugin.as_deref(), notes);
        }
        let mut v = Vec::new();
        for (h, m) in super::fleet::select(repo, req.on.as_deref())? {
            match m.host.target_host {
                // A host whose target-host is this machine is deployed here, locally.
                Some(t) => v.push((h, Some(t).filter(|t| !crate::repo::names_this_machine(t)))),
                None if req.on.is_some() => {
                    notes.push(format!("{h} has no target-host, so --all skips it (deploy it on the machine with `glix switch --host {h}`)"))
                }
                None => {}
            }
        }
        if v.is_empty() {
            return Err(Refusal::NoTargetHosts.into());
        }
        v
    } else {
        let h = repo.choose_host(req.host.as_deref())?;
        // The manifest's target-host, unless it is this machine (then: locally, as on
        // any other host); an explicit --target-host is taken as given.
        let target = req.target_host.clone().or(load_manifest(repo, &h)?.host.target_host.clone().filter(|t| !crate::repo::names_this_machine(t)));
        vec![(h, target)]
    };
    let rebuild_bin = nix::find_nixos_rebuild();
    // Without nixos-rebuild, `glix build` evaluates each host with this one nix.
    let eval_nix = match (&rebuild_bin, req.verb.as_str()) {
        (None, "build") => Some(Nix::locate()?.with_plugin(plugin.clone())),
        _ => None,
    };
    let mut runs = Vec::new();
    for (host, target) in hosts {
        let start = Instant::now();
        let run = match (&rebuild_bin, &eval_nix) {
            (Some(bin), _) => {
                let r = Rebuild {
                    verb: req.verb.clone(),
                    flake: format!("{}#{host}", repo.root().display()),
                    target_host: target.clone(),
                    build_host: req.build_host.clone(),
                    use_remote_sudo: req.use_remote_sudo,
                    plugin: plugin.clone(),
                    extra: req.extra.clone(),
                };
                let code = nix::run_nixos_rebuild(bin, &r)?;
                HostRun { host: host.clone(), target, exit_code: code, seconds: secs(start.elapsed()), drv_path: None, generation: None, system: None }
            }
            (None, Some(nix)) => {
                notes.push(format!(
                    "nixos-rebuild is not installed here, so glix evaluated nixosConfigurations.{host}'s toplevel derivation with nix instead (nothing was built)"
                ));
                let attr = format!("{}#nixosConfigurations.{host}.config.system.build.toplevel.drvPath", repo.root().display());
                let drv = nix.eval_raw(&attr)?;
                HostRun { host: host.clone(), target, exit_code: 0, seconds: secs(start.elapsed()), drv_path: Some(drv), generation: None, system: None }
            }
            (None, None) => return Err(Refusal::NoNixosRebuild(req.verb.clone()).into()),
        };
        runs.push(run);
    }
    Ok(DeployReport { runs, notes, handed_to: None })
}

pub(super) fn choose_plugin(choice: &PluginChoice, notes: &mut Vec<String>) -> Result<Option<PathBuf>, OpError> {
    match choice {
        PluginChoice::Off => Ok(None),
        PluginChoice::Explicit(p) => {
            Nix::locate()?.probe_plugin(p).map_err(|e| Refusal::PluginDoesNotLoad { path: p.display().to_string(), reason: e.to_string() })?;
            Ok(Some(p.clone()))
        }
        PluginChoice::Auto => {
            let Some(p) = nix::detect_plugin() else { return Ok(None) };
            match Nix::locate().and_then(|n| n.probe_plugin(&p)) {
                Ok(_) => Ok(Some(p)),
                Err(_) => {
                    notes.push(format!("the glix plugin at {} does not load into the nix on PATH; building without it (pure-Nix fallback)", p.display()));
                    Ok(None)
                }
            }
        }
    }
}

pub(super) fn secs(d: Duration) -> f64 {
    (d.as_secs_f64() * 10.0).round() / 10.0
}
