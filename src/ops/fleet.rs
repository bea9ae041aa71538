//! Fleets on real deployment engines: `glix fleet enable colmena|deploy-rs` (and
//! `disable`) writes the engine's flake input and the fleet region of flake.nix, which
//! hands glixos-core's adapter (`lib.colmena`, `lib.deployRs`) the flake's
//! nixosConfigurations; `glix switch --all` then hands off to that engine
//! ([`hand_off`]) instead of running nixos-rebuild host after host.
//!
//! The fleet region is the record of the enabled engine: [`enabled`] reads it back.

use std::collections::BTreeMap;

use super::state::{desired_ref, read_flake, with_fleet};
use super::summary::load_summaries;
use super::{mutate, Context, LockStep, OpError, Outcome, Planned, Refusal, FLAKE_NIX};
use crate::flake::{self, Engine, Fleet};
use crate::flakeref::FlakeRef;
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
