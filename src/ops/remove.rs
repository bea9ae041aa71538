//! `glix remove`: drop a package from a host's manifest; its input goes from flake.nix
//! (and flake.lock) when no other package uses it.

use std::collections::BTreeMap;

use super::state::{load_for_edit, regenerate_one, remember_edit, HostEdit};
use super::{mutate, Context, LockStep, OpError, Outcome, Planned, FLAKE_NIX};
use crate::repo::Repo;
use crate::txn::Operation;

pub fn remove(ctx: &Context, host: Option<&str>, name: &str) -> Result<Outcome, OpError> {
    mutate(ctx, |repo| {
        let host = repo.choose_host(host)?;
        let HostEdit { mut doc, others: mut all, flake_text } = load_for_edit(repo, &host)?;
        let before = super::summary::HostSummary::of(doc.manifest());
        let pkg = doc.remove_package(name)?;
        let text = doc.text();
        let (summary, remember) = remember_edit(repo, &host, doc, &text);
        all.insert(host.clone(), summary);
        // A package of the host's nixpkgs has no input: nothing to re-lock for it.
        let input_still_used = pkg.input.as_deref().is_none_or(|input| all.values().any(|s| s.packages().any(|p| p.input == input)));
        let (flake_nix, warnings) = regenerate_one(&flake_text, &mut all, &host, Some(before))?;
        Ok(Planned {
            op: Operation {
                kind: "remove".into(),
                host: Some(host.clone()),
                package: Some(pkg.name.clone()),
                reference: Some(pkg.origin()),
                undoes: None,
                summary: format!("glix remove {host}: {} ({})", pkg.name, pkg.origin()),
            },
            files: BTreeMap::from([(Repo::manifest_rel(&host), Some(text)), (FLAKE_NIX.to_string(), Some(flake_nix))]),
            // `nix flake lock` drops inputs flake.nix no longer has.
            lock: if input_still_used && warnings.is_empty() { LockStep::None } else { LockStep::Lock },
            warnings,
            after: vec![remember],
            unchanged: None,
        })
    })
}
