//! `glix update [NAME...]`: re-lock the inputs of the named packages (of any host) or
//! the named inputs of the flake (`nixpkgs`, `home-manager`, any input, in the regions
//! or not), or every input, to their newest revisions, as one commit of flake.lock. A
//! package of the repo's nixpkgs is updated by updating nixpkgs.

use std::collections::{BTreeMap, BTreeSet};

use super::summary::load_summaries;
use super::{mutate, Context, LockStep, OpError, Outcome, Planned, Refusal};
use crate::txn::Operation;

/// With `host`, only that host's packages: the named ones, or all of them (their
/// inputs; the template's, such as nixpkgs, are every host's and stay).
pub fn update(ctx: &Context, host: Option<&str>, names: &[String]) -> Result<Outcome, OpError> {
    mutate(ctx, |repo| {
        let host = host.map(|h| repo.choose_host(Some(h))).transpose()?;
        let mut hosts = load_summaries(repo, None)?;
        if let Some(h) = &host {
            hosts.retain(|k, _| k == h);
        }
        let mut inputs = BTreeSet::new();
        let mut flake_inputs = None;
        for name in names {
            let mut found: Vec<String> = hosts.values().flat_map(|s| s.packages()).filter(|p| p.name == name).map(|p| p.input.to_string()).collect();
            if found.is_empty() {
                // Not a package reached through an input: an input of the flake itself,
                // or a package of the repo's nixpkgs.
                let declared = match &flake_inputs {
                    Some(d) => d,
                    None => flake_inputs.insert(super::state::user_inputs(&super::state::read_flake(repo)?)?),
                };
                let of_nixpkgs = || -> Result<bool, OpError> {
                    Ok(hosts
                        .keys()
                        .map(|h| super::state::load_manifest(repo, h))
                        .collect::<Result<Vec<_>, _>>()?
                        .iter()
                        .any(|m| m.packages.get(name).is_some_and(|p| p.input.is_none())))
                };
                if name != "self" && (declared.contains(name) || hosts.values().flat_map(|s| s.packages()).any(|p| p.input == name)) {
                    found.push(name.clone());
                } else if of_nixpkgs()? {
                    found.push("nixpkgs".into());
                }
            }
            if found.is_empty() {
                let near = crate::ident::closest(name, hosts.values().flat_map(|s| s.packages()).map(|p| p.name)).map(str::to_string);
                return Err(Refusal::NoSuchPackage { name: name.clone(), host: host.clone(), near }.into());
            }
            inputs.extend(found);
        }
        if let (Some(h), true) = (&host, names.is_empty()) {
            inputs.extend(hosts.values().flat_map(|s| s.packages()).map(|p| p.input.to_string()));
            if inputs.is_empty() {
                let op = Operation { kind: "update".into(), host: Some(h.clone()), summary: format!("glix update {h}"), ..Operation::default() };
                return Ok(Planned::unchanged(op, format!("{h} has no packages, so no input of its own to update")));
            }
        }
        let inputs: Vec<String> = inputs.into_iter().collect();
        let what = match (&host, names.is_empty()) {
            (None, true) => "all inputs".to_string(),
            (Some(h), true) => format!("{h}'s inputs"),
            _ => names.join(", "),
        };
        Ok(Planned {
            op: Operation {
                kind: "update".into(),
                host: host.clone(),
                package: (!names.is_empty()).then(|| names.join(",")),
                reference: None,
                undoes: None,
                summary: format!("glix update: {what}"),
            },
            files: BTreeMap::new(),
            lock: LockStep::Update(inputs),
            warnings: vec![],
            after: vec![],
            unchanged: Some("already up to date: flake.lock did not change".into()),
        })
    })
}
