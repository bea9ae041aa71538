//! `glix migrate`: upgrade every manifest to the current schema, comments intact, as
//! one commit (regions regenerated, since migration records input names).

use std::collections::BTreeMap;

use super::state::{regenerate_flake, summaries_of};
use super::{mutate, Context, LockStep, OpError, Outcome, Planned, FLAKE_NIX};
use crate::manifest::{load_str, ManifestDoc, CURRENT_SCHEMA};
use crate::repo::Repo;
use crate::txn::Operation;

/// `Ok(None)` when every manifest is already current.
pub fn migrate(ctx: &Context) -> Result<Option<Outcome>, OpError> {
    let result = mutate(ctx, |repo| {
        let mut files = BTreeMap::new();
        let mut manifests = BTreeMap::new();
        let mut upgraded = Vec::new();
        for host in repo.hosts()? {
            let rel = Repo::manifest_rel(&host);
            let text = std::fs::read_to_string(repo.path(&rel)).map_err(crate::repo::io(format!("cannot read {rel}")))?;
            let before = load_str(&text, &rel)?.file_schema;
            match ManifestDoc::migrate(&text, &rel)? {
                Some(doc) => {
                    upgraded.push(format!("{host} (schema {before} → {CURRENT_SCHEMA})"));
                    manifests.insert(host.clone(), doc.manifest().clone());
                    files.insert(rel, Some(doc.text()));
                }
                None => {
                    manifests.insert(host.clone(), load_str(&text, &rel)?);
                }
            }
        }
        if upgraded.is_empty() {
            return Err(OpError::Refused(NOTHING.into()));
        }
        files.insert(FLAKE_NIX.to_string(), Some(regenerate_flake(repo, &summaries_of(&manifests))?));
        Ok(Planned {
            op: Operation { kind: "migrate".into(), summary: format!("glix migrate: {}", upgraded.join(", ")), ..Operation::default() },
            files,
            lock: LockStep::Lock,
            warnings: vec![],
        })
    });
    match result {
        Err(OpError::Refused(m)) if m == NOTHING => Ok(None),
        other => other.map(Some),
    }
}

const NOTHING: &str = "every manifest is at the current schema";
