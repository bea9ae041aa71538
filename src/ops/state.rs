//! Reading the repository's state: the hosts' manifests, and flake.nix regenerated
//! from them ("manifest is the truth").

use std::collections::BTreeMap;

use super::{mutate, Context, LockStep, OpError, Outcome, Planned, FLAKE_NIX};
use crate::manifest::edit::EditError;
use crate::txn::Operation;
use crate::flake::{self, Desired};
use crate::manifest::{Manifest, ManifestDoc};
use crate::repo::Repo;

/// The system a host builds for when its manifest does not say.
pub const DEFAULT_SYSTEM: &str = "x86_64-linux";

/// One host's manifest, editable.
pub fn load_host(repo: &Repo, host: &str) -> Result<ManifestDoc, OpError> {
    let rel = Repo::manifest_rel(host);
    let path = repo.contained(&rel)?;
    let text = std::fs::read_to_string(&path).map_err(crate::repo::io(format!("cannot read {}", path.display())))?;
    Ok(ManifestDoc::parse(&text, &rel)?)
}

/// What the regions should say for these manifests. Two hosts may share an input
/// only for the same flake.
pub fn desired(manifests: &BTreeMap<String, Manifest>) -> Result<Desired, OpError> {
    let mut d = Desired::default();
    let mut owner: BTreeMap<&str, (&str, &str)> = BTreeMap::new(); // input → (host, package)
    for (host, m) in manifests {
        d.hosts.insert(host.clone(), m.host.system.clone().unwrap_or_else(|| DEFAULT_SYSTEM.to_string()));
        for p in m.packages.values() {
            match d.inputs.get(&p.input) {
                Some(url) if *url != p.flake => {
                    let (h, n) = owner[p.input.as_str()];
                    return Err(OpError::Refused(format!(
                        "input '{}' is used for two different flakes: \"{url}\" by package '{n}' of host {h}, and \"{}\" by package '{}' of host {host}; give one of them another `input` in its glix.toml",
                        p.input, p.flake, p.name
                    )));
                }
                Some(_) => {}
                None => {
                    d.inputs.insert(p.input.clone(), p.flake.clone());
                    owner.insert(&p.input, (host, &p.name));
                }
            }
        }
    }
    Ok(d)
}

/// flake.nix with both regions regenerated from `manifests`; every byte outside the
/// regions stays as the user wrote it.
pub fn regenerate_flake(repo: &Repo, manifests: &BTreeMap<String, Manifest>) -> Result<String, OpError> {
    let path = repo.path(FLAKE_NIX);
    let text = std::fs::read_to_string(&path).map_err(crate::repo::io(format!("cannot read {}", path.display())))?;
    Ok(flake::patch(&text, &desired(manifests)?)?)
}

/// One host's manifest, read-only: only the model is built (no editable document).
/// Older schemas are refused as they are for editing (run `glix migrate`).
pub fn load_manifest(repo: &Repo, host: &str) -> Result<Manifest, OpError> {
    let rel = Repo::manifest_rel(host);
    let path = repo.contained(&rel)?;
    let text = std::fs::read_to_string(&path).map_err(crate::repo::io(format!("cannot read {}", path.display())))?;
    let m = crate::manifest::load_str(&text, &rel)?;
    if m.file_schema != crate::manifest::CURRENT_SCHEMA {
        return Err(EditError::OldSchema { origin: rel, found: m.file_schema }.into());
    }
    Ok(m)
}

/// Every host's manifest except `skip`, read-only: all the regions need.
pub fn load_manifests(repo: &Repo, skip: Option<&str>) -> Result<BTreeMap<String, Manifest>, OpError> {
    repo.hosts()?
        .into_iter()
        .filter(|h| Some(h.as_str()) != skip)
        .map(|h| load_manifest(repo, &h).map(|m| (h, m)))
        .collect()
}

/// All hosts' manifests with `host`'s replaced by `doc` (the edit being planned).
pub fn with_edit(repo: &Repo, host: &str, doc: &ManifestDoc) -> Result<BTreeMap<String, Manifest>, OpError> {
    let mut all = load_manifests(repo, Some(host))?;
    all.insert(host.to_string(), doc.manifest().clone());
    Ok(all)
}

/// Input names the user declared in flake.nix outside glix's regions (`name.url = …`
/// lines), plus the template's own and `self`: a package input must not take one of
/// them. A line-based look, not a Nix parser — enough for the `x.url = "…";` style the
/// template uses; a clash it misses shows up at `nix flake lock`.
pub fn user_inputs(flake_text: &str) -> Result<std::collections::BTreeSet<String>, OpError> {
    let located = flake::locate(flake_text)?;
    let body = located.inputs.body.clone();
    let mut names: std::collections::BTreeSet<String> =
        ["self", "nixpkgs", "home-manager", "glixos-core"].iter().map(|s| s.to_string()).collect();
    let mut offset = 0;
    for line in flake_text.split_inclusive('\n') {
        let inside = body.contains(&offset);
        offset += line.len();
        if inside {
            continue;
        }
        let t = line.trim_start();
        let end = t.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '\'')).unwrap_or(t.len());
        let (name, rest) = t.split_at(end);
        if !name.is_empty() && rest.trim_start().starts_with(".url") {
            names.insert(name.to_string());
        }
    }
    Ok(names)
}

/// An operation that edits one package in one host's manifest and nothing else
/// (config, enable/disable): its input, and so flake.nix and flake.lock, stay.
pub fn edit_package(
    ctx: &Context,
    host: Option<&str>,
    name: &str,
    kind: &str,
    summary: impl FnOnce(&str) -> String,
    edit: impl FnOnce(&mut ManifestDoc) -> Result<(), EditError>,
) -> Result<Outcome, OpError> {
    mutate(ctx, |repo| {
        let host = repo.choose_host(host)?;
        let mut doc = load_host(repo, &host)?;
        let flake = doc.manifest().packages.get(name).map(|p| p.flake.clone());
        edit(&mut doc)?;
        Ok(Planned {
            op: Operation {
                kind: kind.into(),
                host: Some(host.clone()),
                package: Some(name.to_string()),
                reference: flake,
                undoes: None,
                summary: summary(&host),
            },
            files: BTreeMap::from([(Repo::manifest_rel(&host), Some(doc.text()))]),
            lock: LockStep::None,
            warnings: vec![],
        })
    })
}
