//! Fleets on real deployment engines: `glix fleet enable colmena|deploy-rs` (and
//! `disable`) writes the engine's flake input and the fleet region of flake.nix, which
//! hands glixos-core's adapter (`lib.colmena`, `lib.deployRs`) the flake's
//! nixosConfigurations; `glix switch --all` then hands off to that engine
//! ([`hand_off`]) instead of running nixos-rebuild host after host.
//!
//! The fleet region is the record of the enabled engine: [`enabled`] reads it back.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use super::deploy::{DeployReport, DeployRequest, HostRun};
use super::state::{desired_ref, load_manifest, read_flake, with_fleet};
use super::summary::load_summaries;
use super::{mutate, Context, LockStep, OpError, Outcome, Planned, Refusal, FLAKE_NIX};
use crate::flake::{self, Engine, Fleet};
use crate::flakeref::FlakeRef;
use crate::manifest::Manifest;
use crate::nix::{self, EngineRun};
use crate::repo::Repo;
use crate::txn::Operation;

/// The engine flake.nix's fleet region names, and its input's URL (`None`: no engine,
/// or no fleet region).
pub fn enabled(repo: &Repo) -> Result<Option<(Engine, String)>, OpError> {
    let text = read_flake(repo)?;
    let located = flake::locate(&text)?;
    Ok(flake::fleet::enabled(&text, &located).map(|f| (f.engine, f.url.to_string())))
}

/// `glix fleet enable ENGINE [--url URL]`: the engine's input into the inputs region
/// and its lines into the fleet region, one commit, then `nix flake lock`. Enabling the
/// engine that is enabled, from the same URL, changes nothing; another engine must be
/// disabled first (one engine deploys the fleet).
pub fn fleet_enable(ctx: &Context, engine: Engine, url: Option<&str>) -> Result<Outcome, OpError> {
    let url = url.unwrap_or(engine.default_url());
    match FlakeRef::parse(url) {
        Err(e) => return Err(Refusal::InvalidFleetUrl { url: url.to_string(), reason: e.to_string() }.into()),
        Ok(f) if f.is_indirect() => return Err(Refusal::InvalidFleetUrl { url: url.to_string(), reason: "is an indirect (registry) reference".into() }.into()),
        Ok(_) => {}
    }
    let op = Operation { kind: "fleet-enable".into(), summary: format!("glix fleet enable {engine} ({url})"), ..Operation::default() };
    change(ctx, op, |current| match current {
        Some((e, u)) if e == engine && u == url => Decision::Unchanged(format!("{engine} is already enabled ({url})")),
        Some((e, _)) if e != engine => Decision::Refuse(Refusal::OtherEngineEnabled { enabled: e.name(), asked: engine.name() }),
        _ => Decision::Write(Some((engine, url.to_string()))),
    })
}

/// `glix fleet disable`: the fleet region emptied and the engine's input gone, one
/// commit, then `nix flake lock` (which drops it from flake.lock).
pub fn fleet_disable(ctx: &Context) -> Result<Outcome, OpError> {
    let op = Operation { kind: "fleet-disable".into(), summary: "glix fleet disable".into(), ..Operation::default() };
    change(ctx, op, |current| match current {
        None => Decision::Unchanged("no fleet engine is enabled".into()),
        Some(_) => Decision::Write(None),
    })
}

/// What a fleet change decides from the engine flake.nix names now.
enum Decision {
    /// Nothing to change, and why.
    Unchanged(String),
    Refuse(Refusal),
    /// The engine and URL to write (`None`: no engine).
    Write(Option<(Engine, String)>),
}

/// The one shape of both fleet changes: under the lock, read flake.nix (which must
/// have a fleet region) and every host's summary, decide, regenerate the regions with
/// the new fleet, commit and lock.
fn change(ctx: &Context, op: Operation, decide: impl FnOnce(Option<(Engine, &str)>) -> Decision) -> Result<Outcome, OpError> {
    mutate(ctx, |repo| {
        let flake_text = read_flake(repo)?;
        let located = flake::locate(&flake_text)?;
        if located.fleet.is_none() {
            return Err(Refusal::NoFleetRegion.into());
        }
        let current = flake::fleet::enabled(&flake_text, &located).map(|f| (f.engine, f.url));
        let fleet = match decide(current) {
            Decision::Unchanged(why) => return Ok(Planned::unchanged(op, why)),
            Decision::Refuse(refusal) => return Err(refusal.into()),
            Decision::Write(fleet) => fleet,
        };
        let hosts = load_summaries(repo, None)?;
        let fleet = fleet.as_ref().map(|(engine, url)| Fleet { engine: *engine, url });
        let desired = with_fleet(desired_ref(&hosts)?, fleet, &hosts)?;
        let new = flake::patch_ref(&flake_text, &desired)?;
        if new == flake_text {
            return Ok(Planned::unchanged(op, "flake.nix already says that".into()));
        }
        Ok(Planned { op, files: BTreeMap::from([(FLAKE_NIX.to_string(), Some(new))]), lock: LockStep::Lock, warnings: vec![], after: vec![], unchanged: None })
    })
}

/// The hosts `--on` selects (`web1,@db`: host names and `@tag`s, as colmena's `--on`
/// reads them), each with its manifest, sorted by name; every host without `--on`. A
/// name that is no host and no tag is refused, with the known ones listed.
pub fn select(repo: &Repo, on: Option<&str>) -> Result<Vec<(String, Manifest)>, OpError> {
    let all: Vec<(String, Manifest)> = repo.hosts()?.into_iter().map(|h| load_manifest(repo, &h).map(|m| (h, m))).collect::<Result<_, _>>()?;
    let Some(on) = on else { return Ok(all) };
    let items = selection(on)?;
    let tags: BTreeSet<&str> = all.iter().flat_map(|(_, m)| m.host.tags.iter().map(String::as_str)).collect();
    for item in &items {
        let known = match item.strip_prefix('@') {
            Some(tag) => tags.contains(tag),
            None => all.iter().any(|(h, _)| h == item),
        };
        if !known {
            let mut names: Vec<String> = all.iter().map(|(h, _)| h.clone()).collect();
            names.extend(tags.iter().map(|t| format!("@{t}")));
            return Err(Refusal::UnknownSelection(item.clone(), names).into());
        }
    }
    Ok(all.into_iter().filter(|(h, m)| items.iter().any(|i| i == h || i.strip_prefix('@').is_some_and(|t| m.host.tags.iter().any(|ht| ht == t)))).collect())
}

/// `--on`'s items, each a host name or `@` and a tag (valid names both).
fn selection(on: &str) -> Result<Vec<String>, OpError> {
    let items: Vec<String> = on.split(',').map(str::trim).filter(|i| !i.is_empty()).map(str::to_string).collect();
    if items.is_empty() {
        return Err(Refusal::UnknownSelection(on.to_string(), vec![]).into());
    }
    match items.iter().find(|i| !crate::ident::is_valid_name(i.strip_prefix('@').unwrap_or(i))) {
        Some(bad) => Err(Refusal::UnknownSelection(bad.clone(), vec![]).into()),
        None => Ok(items),
    }
}

/// What `glix switch --all` handed to the engine.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HandOff {
    pub engine: Engine,
    /// The program and its argument vector, as run.
    pub argv: Vec<String>,
    pub exit_code: i32,
}

/// The engine's deploy of `hosts` (all of the fleet when `on` is `None`): colmena
/// `apply [--on ON]`, deploy-rs `deploy .` or `deploy --targets .#HOST…` (tags resolved
/// to hosts by the manifests), `extra` last; run in the repo. colmena gets the glix
/// plugin as a Nix option; deploy-rs has no such option (it evaluates without it, with
/// glixos-core's pure-Nix reader: README, Limits).
pub fn engine_run(dir: &Path, engine: Engine, on: Option<&str>, hosts: &[String], plugin: Option<&Path>, extra: &[String]) -> EngineRun {
    let mut args: Vec<String> = Vec::new();
    match engine {
        Engine::Colmena => {
            // A global option of colmena's: before the subcommand.
            if let Some(p) = plugin {
                args.extend(["--nix-option".into(), "plugin-files".into(), p.display().to_string()]);
            }
            args.push("apply".into());
            if let Some(on) = on {
                args.extend(["--on".into(), selection(on).map(|i| i.join(",")).unwrap_or_else(|_| on.to_string())]);
            }
        }
        Engine::DeployRs => match on {
            None => args.push(".".into()),
            Some(_) => {
                args.push("--targets".into());
                args.extend(hosts.iter().map(|h| format!(".#{h}")));
            }
        },
    }
    args.extend(extra.iter().cloned());
    EngineRun { program: engine.program(), args, dir: dir.to_path_buf() }
}

/// Hand `glix switch --all` to the enabled engine: run it (through src/nix.rs, the one
/// place processes are run) and say what ran and how it ended.
pub fn hand_off(engine: Engine, run: &EngineRun) -> Result<HandOff, OpError> {
    let bin = nix::find_program(run.program).ok_or(Refusal::NoEngineProgram { engine: engine.name(), program: run.program })?;
    let exit_code = nix::run_engine(&bin, run)?;
    let argv = std::iter::once(run.program.to_string()).chain(run.args.iter().cloned()).collect();
    Ok(HandOff { engine, argv, exit_code })
}

/// `glix switch --all [--on …]` with an engine enabled: the selected hosts (deploy-rs:
/// those with a target-host, as its nodes are) handed to the engine in one run, and a
/// row per host with the engine's result.
pub(super) fn switch_all(repo: &Repo, engine: Engine, req: &DeployRequest, plugin: Option<&Path>, mut notes: Vec<String>) -> Result<DeployReport, OpError> {
    let mut hosts = select(repo, req.on.as_deref())?;
    if req.build_host.is_some() || req.use_remote_sudo {
        notes.push(format!(
            "--build-host and --use-remote-sudo are nixos-rebuild's; {engine} builds where each host's build-on-target says, and deploys as root"
        ));
    }
    if engine == Engine::DeployRs {
        let (kept, local): (Vec<_>, Vec<_>) = hosts.into_iter().partition(|(_, m)| m.host.target_host.is_some());
        if !local.is_empty() {
            let names: Vec<&str> = local.iter().map(|(h, _)| h.as_str()).collect();
            notes.push(format!("no target-host, so no deploy-rs node: {} (deploy it on the machine with `glix switch --host HOST`)", names.join(", ")));
        }
        hosts = kept;
    }
    if hosts.is_empty() {
        return Err(Refusal::NoTargetHosts.into());
    }
    let names: Vec<String> = hosts.iter().map(|(h, _)| h.clone()).collect();
    let run = engine_run(repo.root(), engine, req.on.as_deref(), &names, plugin, &req.extra);
    let start = Instant::now();
    let handed = hand_off(engine, &run)?;
    let seconds = super::deploy::secs(start.elapsed());
    let runs = hosts
        .into_iter()
        .map(|(host, m)| HostRun { host, target: m.host.target_host, exit_code: handed.exit_code, seconds, drv_path: None, generation: None, system: None })
        .collect();
    Ok(DeployReport { runs, notes, handed_to: Some(handed) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(engine: Engine, on: Option<&str>, hosts: &[&str], plugin: Option<&str>) -> Vec<String> {
        let hosts: Vec<String> = hosts.iter().map(|h| h.to_string()).collect();
        engine_run(Path::new("/repo"), engine, on, &hosts, plugin.map(Path::new), &["--x".into()]).args
    }

    #[test]
    fn each_engine_gets_its_own_argument_vector() {
        assert_eq!(argv(Engine::Colmena, None, &[], None), ["apply", "--x"]);
        assert_eq!(
            argv(Engine::Colmena, Some(" @web, db1 "), &[], Some("/p.so")),
            ["--nix-option", "plugin-files", "/p.so", "apply", "--on", "@web,db1", "--x"]
        );
        assert_eq!(argv(Engine::DeployRs, None, &["a"], Some("/p.so")), [".", "--x"]);
        assert_eq!(argv(Engine::DeployRs, Some("@web"), &["a", "b"], None), ["--targets", ".#a", ".#b", "--x"]);
    }

    #[test]
    fn a_selection_is_names_and_tags() {
        assert_eq!(selection("a,@b").unwrap(), ["a", "@b"]);
        for bad in ["", ",", "@", "a b", "@-x", "a;rm"] {
            assert!(selection(bad).is_err(), "{bad:?}");
        }
    }
}
