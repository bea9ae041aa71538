//! `glix config set` / `unset`: the string → string table a package's module receives
//! as `glixConfig`.

use std::collections::BTreeMap;

use super::state::load_host;
use super::{mutate, Context, LockStep, OpError, Outcome, Planned};
use crate::repo::Repo;
use crate::txn::Operation;

pub fn config_set(ctx: &Context, host: Option<&str>, name: &str, pairs: &[(String, String)]) -> Result<Outcome, OpError> {
    let keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    edit(ctx, host, name, "config-set", &format!("set {}", keys.join(", ")), |doc| doc.set_config(name, pairs))
}

pub fn config_unset(ctx: &Context, host: Option<&str>, name: &str, keys: &[String]) -> Result<Outcome, OpError> {
    edit(ctx, host, name, "config-unset", &format!("unset {}", keys.join(", ")), |doc| {
        if let Some(p) = doc.manifest().packages.get(name) {
            if let Some(missing) = keys.iter().find(|k| !p.config.contains_key(*k)) {
                return Err(crate::manifest::edit::EditError::NoSuchKey(name.to_string(), missing.clone()));
            }
        }
        doc.unset_config(name, keys)
    })
}

fn edit(
    ctx: &Context,
    host: Option<&str>,
    name: &str,
    kind: &str,
    what: &str,
    f: impl FnOnce(&mut crate::manifest::ManifestDoc) -> Result<(), crate::manifest::edit::EditError>,
) -> Result<Outcome, OpError> {
    mutate(ctx, |repo| {
        let host = repo.choose_host(host)?;
        let mut doc = load_host(repo, &host)?;
        let flake = doc.manifest().packages.get(name).map(|p| p.flake.clone());
        f(&mut doc)?;
        Ok(Planned {
            op: Operation {
                kind: kind.into(),
                host: Some(host.clone()),
                package: Some(name.to_string()),
                reference: flake,
                undoes: None,
                summary: format!("glix config {host}: {name}: {what}"),
            },
            files: BTreeMap::from([(Repo::manifest_rel(&host), Some(doc.text()))]),
            lock: LockStep::None,
            warnings: vec![],
        })
    })
}
