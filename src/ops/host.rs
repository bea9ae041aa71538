//! `glix host add` / `glix host remove`.

use std::collections::BTreeMap;

use super::state::{load_host, read_flake, regenerate_one, with_edit};
use super::summary::{self, load_summaries};
use super::{mutate, Context, LockStep, OpError, Outcome, Planned, Refusal, FLAKE_NIX};
use crate::ident;
use crate::manifest::ManifestDoc;
use crate::repo::{Repo, RepoError};
use crate::txn::Operation;

/// The host file `glix init` and `glix host add` write once; the user owns it after.
pub const HOST_DEFAULT_NIX: &str = include_str!("../../nix/templates/default/hosts/laptop/default.nix");

pub fn host_add(ctx: &Context, name: &str, system: Option<&str>, user: Option<&str>) -> Result<Outcome, OpError> {
    if !ident::is_valid_name(name) {
        return Err(RepoError::InvalidHostName(name.to_string()).into());
    }
    let warnings = system_warnings(system)?;
    mutate(ctx, |repo| {
        if repo.hosts()?.iter().any(|h| h == name) || repo.path(&format!("hosts/{name}")).exists() {
            return Err(Refusal::HostExists(name.to_string()).into());
        }
        let rel = Repo::manifest_rel(name);
        let doc = ManifestDoc::new_host(user, Some(system.unwrap_or(super::state::DEFAULT_SYSTEM)), &rel)?;
        let text = doc.text();
        let flake_text = read_flake(repo)?;
        let (mut all, remember) = with_edit(repo, name, doc, &text)?;
        let (flake_nix, regions) = regenerate_one(&flake_text, &mut all, name, None)?;
        let warnings = warnings.iter().cloned().chain(regions).collect();
        Ok(Planned {
            op: Operation { kind: "host-add".into(), host: Some(name.to_string()), summary: format!("glix host add {name}"), ..Operation::default() },
            files: BTreeMap::from([
                (rel, Some(text)),
                (format!("hosts/{name}/default.nix"), Some(HOST_DEFAULT_NIX.to_string())),
                (FLAKE_NIX.to_string(), Some(flake_nix)),
            ]),
            lock: LockStep::None,
            warnings,
            after: vec![remember],
            unchanged: None,
        })
    })
}

/// Remove a host's manifest and its line in the hosts region. `hosts/<host>/`'s other
/// files are the user's (hardware configuration and the like): they stay.
pub fn host_remove(ctx: &Context, name: &str) -> Result<Outcome, OpError> {
    mutate(ctx, |repo| {
        let host = repo.choose_host(Some(name))?;
        // Still loaded: a host whose manifest is broken is removed with the other
        // commands' care (fix or `glix undo` first), not silently.
        let before = summary::HostSummary::of(load_host(repo, &host)?.manifest());
        let mut all = load_summaries(repo, Some(&host))?;
        let (flake_nix, mut warnings) = regenerate_one(&read_flake(repo)?, &mut all, &host, Some(before))?;
        let dir = repo.path(&format!("hosts/{host}"));
        let others: Vec<String> = std::fs::read_dir(&dir)
            .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).filter(|n| n != "glix.toml").collect())
            .unwrap_or_default();
        if !others.is_empty() {
            warnings.push(format!("hosts/{host}/ still holds your own files ({}); delete them yourself if you no longer need them", others.join(", ")));
        }
        Ok(Planned {
            op: Operation { kind: "host-remove".into(), host: Some(host.clone()), summary: format!("glix host remove {host}"), ..Operation::default() },
            files: BTreeMap::from([(Repo::manifest_rel(&host), None), (FLAKE_NIX.to_string(), Some(flake_nix))]),
            lock: LockStep::Lock,
            warnings,
            // Once the host is gone its entries could only be stale (never wrong: they
            // are keyed by content), so they go.
            after: vec![{
                let (repo, host) = (repo.clone(), host.clone());
                Box::new(move || summary::forget(&repo, &host))
            }],
            unchanged: None,
        })
    })
}

/// A host's system (`--system`): a malformed one is refused, one Nix does not know of
/// is accepted with a warning (a new platform, or a typo: the closest known one is named).
pub fn system_warnings(system: Option<&str>) -> Result<Vec<String>, OpError> {
    let Some(s) = system else { return Ok(vec![]) };
    if !ident::is_valid_system(s) {
        return Err(Refusal::InvalidSystem(s.to_string()).into());
    }
    if ident::is_known_system(s) {
        return Ok(vec![]);
    }
    // `x86-linux`: the known system of that OS whose architecture starts with it, else
    // the closest by spelling.
    let (arch, os) = s.split_once('-').unwrap_or((s, ""));
    let by_prefix = ident::KNOWN_SYSTEMS.iter().copied().find(|k| k.split_once('-').is_some_and(|(a, o)| o == os && a.starts_with(arch)));
    let guess = match by_prefix.or_else(|| ident::closest(s, ident::KNOWN_SYSTEMS.iter().copied())) {
        Some(k) => format!("did you mean {k}? "),
        None => String::new(),
    };
    Ok(vec![format!(
        "'{s}' is not a system Nix and nixpkgs build for: {guess}(known: {}); the host will not evaluate unless your nixpkgs knows it",
        ident::KNOWN_SYSTEMS.join(", ")
    )])
}
