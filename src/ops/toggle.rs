//! `glix enable` / `glix disable`: keep a package in the manifest but switch whether
//! it reaches the system. Its input stays, so enabling it again needs no re-lock.

use std::collections::BTreeMap;

use super::state::load_host;
use super::{mutate, Context, LockStep, OpError, Outcome, Planned};
use crate::repo::Repo;
use crate::txn::Operation;

pub fn set_enabled(ctx: &Context, host: Option<&str>, name: &str, enable: bool) -> Result<Outcome, OpError> {
    mutate(ctx, |repo| {
        let host = repo.choose_host(host)?;
        let mut doc = load_host(repo, &host)?;
        let flake = doc.manifest().packages.get(name).map(|p| p.flake.clone());
        doc.set_enable(name, enable)?;
        let verb = if enable { "enable" } else { "disable" };
        Ok(Planned {
            op: Operation {
                kind: verb.into(),
                host: Some(host.clone()),
                package: Some(name.to_string()),
                reference: flake,
                undoes: None,
                summary: format!("glix {verb} {host}: {name}"),
            },
            files: BTreeMap::from([(Repo::manifest_rel(&host), Some(doc.text()))]),
            lock: LockStep::None,
            warnings: vec![],
        })
    })
}
