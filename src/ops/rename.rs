//! `glix rename OLD NEW` and `glix move NAME --to HOST`: an entry changes its name, or
//! its host, with everything else (config, comments, input) kept — one commit each.
//! Neither changes what flake.nix needs (the input stays in use), so nothing is
//! re-locked unless the regions were stale.

use std::collections::BTreeMap;

use super::state::{load_for_edit, load_host, planned_edit, regenerate_one, remember_edit, HostEdit};
use super::summary::HostSummary;
use super::{mutate, Context, OpError, Outcome, Planned, Refusal};
use crate::ident;
use crate::manifest::Package;
use crate::repo::Repo;
use crate::txn::Operation;

pub fn rename(ctx: &Context, host: Option<&str>, old: &str, new: &str) -> Result<Outcome, OpError> {
    if !ident::is_valid_name(new) {
        return Err(Refusal::InvalidPackageName(new.to_string()).into());
    }
    mutate(ctx, |repo| {
        let host = repo.choose_host(host)?;
        let HostEdit { mut doc, others: mut all, flake_text } = load_for_edit(repo, &host)?;
        let before = HostSummary::of(doc.manifest());
        let origin = doc.manifest().packages.get(old).map(Package::origin);
        doc.rename_package(old, new)?;
        let text = doc.text();
        let (summary, remember) = remember_edit(repo, &host, doc, &text);
        all.insert(host.clone(), summary);
        let (flake_nix, warnings) = regenerate_one(&flake_text, &mut all, &host, Some(before))?;
        let op = Operation {
            kind: "rename".into(),
            host: Some(host.clone()),
            package: Some(new.to_string()),
            reference: origin,
            undoes: None,
            summary: format!("glix rename {host}: {old} → {new}"),
        };
        Ok(planned_edit(op, BTreeMap::from([(Repo::manifest_rel(&host), Some(text))]), &flake_text, flake_nix, warnings, vec![remember]))
    })
}

/// Move entry `name` from `host` (the current one) to `to`, keeping its config. A
/// home entry that went to the first host's default user goes to the second's.
pub fn move_to(ctx: &Context, host: Option<&str>, name: &str, to: &str) -> Result<Outcome, OpError> {
    mutate(ctx, |repo| {
        let from = repo.choose_host(host)?;
        let to = repo.choose_host(Some(to))?;
        if from == to {
            let op = Operation { kind: "move".into(), host: Some(from.clone()), summary: format!("glix move {from}: {name} → {to}"), ..Operation::default() };
            return Ok(Planned::unchanged(op, format!("{name} is already on {to}")));
        }
        let HostEdit { mut doc, others: mut all, flake_text } = load_for_edit(repo, &from)?;
        let mut dest = load_host(repo, &to)?;
        let before = HostSummary::of(doc.manifest());
        let from_default = doc.manifest().host.default_user.clone();
        let mut pkg = doc.remove_package(name)?;
        if pkg.user.is_some() && pkg.user == from_default {
            if let Some(u) = dest.manifest().host.default_user.clone() {
                pkg.user = Some(u);
            }
        }
        dest.add_package(&pkg)?;
        let (text, dest_text) = (doc.text(), dest.text());
        let (summary, remember) = remember_edit(repo, &from, doc, &text);
        let (dest_summary, remember_dest) = remember_edit(repo, &to, dest, &dest_text);
        all.insert(from.clone(), summary);
        all.insert(to.clone(), dest_summary);
        let (flake_nix, warnings) = regenerate_one(&flake_text, &mut all, &from, Some(before))?;
        let op = Operation {
            kind: "move".into(),
            host: Some(from.clone()),
            package: Some(name.to_string()),
            reference: Some(pkg.origin()),
            undoes: None,
            summary: format!("glix move {from}: {name} → {to}"),
        };
        let files = BTreeMap::from([(Repo::manifest_rel(&from), Some(text)), (Repo::manifest_rel(&to), Some(dest_text))]);
        Ok(planned_edit(op, files, &flake_text, flake_nix, warnings, vec![remember, remember_dest]))
    })
}
