//! `glix host add` / `glix host remove`.

use std::collections::BTreeMap;

use super::new_host::{self, HostRequest, StateVersion};
use super::state::{load_host, read_flake, regenerate_one, with_edit};
use super::summary::{self, load_summaries};
use super::{mutate, Context, LockStep, OpError, Outcome, Planned, Refusal, FLAKE_NIX};
use crate::ident;
use crate::manifest::ManifestDoc;
use crate::nix::Nix;
use crate::repo::{Repo, RepoError};
use crate::txn::Operation;

/// Add a host: fresh, or adopting a machine's configuration (`--from DIR`). A
/// `hosts/<name>/` without a glix.toml (files a user put there, or what `host remove`
/// kept) is taken as it is: glix adds its manifest and writes none of the user's files
/// over (an adoption whose files are there with other contents is refused).
pub fn host_add(ctx: &Context, req: &HostRequest) -> Result<Outcome, OpError> {
    let name = req.name.unwrap_or_default();
    if !ident::is_valid_name(name) {
        return Err(RepoError::InvalidHostName(name.to_string()).into());
    }
    let warnings = system_warnings(req.system)?;
    let mut notes = Vec::new();
    let mut outcome = mutate(ctx, |repo| {
        if repo.hosts()?.iter().any(|h| h == name) {
            return Err(Refusal::HostExists(name.to_string()).into());
        }
        let dir = repo.contained(&format!("hosts/{name}"))?;
        if dir.exists() && !dir.is_dir() {
            return Err(Refusal::HostExists(name.to_string()).into());
        }
        let existing = |rel: &str| std::fs::read(dir.join(rel)).ok();
        let mut host = new_host::plan(req, &existing)?;
        let nix = || match &ctx.nix {
            Some(n) => Ok::<_, OpError>(n.clone()),
            None => Ok(Nix::locate()?),
        };
        if host.state_version == StateVersion::Nixpkgs && host.write_default {
            host.resolve_state_version(&nix()?, repo.root())?;
        }
        let rel = Repo::manifest_rel(name);
        let doc = ManifestDoc::parse(&host.manifest, &rel)?;
        let flake_text = read_flake(repo)?;
        let (mut all, remember) = with_edit(repo, name, doc, &host.manifest)?;
        let (flake_nix, regions) = regenerate_one(&flake_text, &mut all, name, None)?;
        let mut files = host.files()?;
        files.insert(FLAKE_NIX.to_string(), flake_nix);
        if host.adopts() {
            let preview = new_host::preview(repo, &files)?;
            new_host::check_evaluates(&nix()?, &format!("path:{}", preview.path().display()), name)?;
        }
        let warnings = warnings.iter().cloned().chain(host.warnings.drain(..)).chain(regions).collect();
        notes = std::mem::take(&mut host.notes);
        Ok(Planned {
            op: Operation { kind: "host-add".into(), host: Some(name.to_string()), summary: format!("glix host add {name}"), ..Operation::default() },
            files: files.into_iter().map(|(k, v)| (k, Some(v))).collect(),
            lock: LockStep::None,
            warnings,
            after: vec![remember],
            unchanged: None,
        })
    })?;
    outcome.notes = notes;
    Ok(outcome)
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
            warnings.push(format!(
                "hosts/{host}/ still holds your own files ({}); delete them yourself if you no longer need them (`glix host add {host}` takes them back)",
                others.join(", ")
            ));
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
