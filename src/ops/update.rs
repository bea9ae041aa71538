//! `glix update [NAME...]`: re-lock the inputs of the named packages (of any host), or
//! every input, to their newest revisions, as one commit of flake.lock.

use std::collections::{BTreeMap, BTreeSet};

use super::summary::load_summaries;
use super::{mutate, Context, LockStep, OpError, Outcome, Planned, Refusal};
use crate::txn::Operation;

pub fn update(ctx: &Context, names: &[String]) -> Result<Outcome, OpError> {
    mutate(ctx, |repo| {
        let hosts = load_summaries(repo, None)?;
        let mut inputs = BTreeSet::new();
        for name in names {
            let found: Vec<String> = hosts.values().flat_map(|s| s.packages()).filter(|p| p.name == name).map(|p| p.input.to_string()).collect();
            if found.is_empty() {
                return Err(Refusal::NoSuchPackage { name: name.clone(), host: None }.into());
            }
            inputs.extend(found);
        }
        let inputs: Vec<String> = inputs.into_iter().collect();
        let what = if names.is_empty() { "all inputs".to_string() } else { names.join(", ") };
        Ok(Planned {
            op: Operation {
                kind: "update".into(),
                host: None,
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
