//! `glix migrate`: upgrade every manifest to the current schema, comments intact, as
//! one commit (regions regenerated, since migration records input names).

use std::collections::BTreeMap;

use super::state::{read_manifest, regenerate_flake, summaries_of};
use super::{mutate, Context, LockStep, OpError, Outcome, Planned, FLAKE_NIX};
use crate::manifest::{load_str, ManifestDoc, CURRENT_SCHEMA};
use crate::txn::Operation;

/// A no-op outcome ([`Outcome::noop`]) when every manifest is already current.
pub fn migrate(ctx: &Context) -> Result<Outcome, OpError> {
    mutate(ctx, |repo| {
        let mut files = BTreeMap::new();
        let mut manifests = BTreeMap::new();
        let mut upgraded = Vec::new();
        for host in repo.hosts()? {
            let (rel, text) = read_manifest(repo, &host)?;
            let current = load_str(&text, &rel)?;
            if current.file_schema == CURRENT_SCHEMA {
                manifests.insert(host, current);
                continue;
            }
            let Some(doc) = ManifestDoc::migrate(&text, &rel)? else {
                manifests.insert(host, current);
                continue;
            };
            upgraded.push(format!("{host} (schema {} → {CURRENT_SCHEMA})", current.file_schema));
            manifests.insert(host, doc.manifest().clone());
            files.insert(rel, Some(doc.text()));
        }
        if upgraded.is_empty() {
            let op = Operation { kind: "migrate".into(), summary: "glix migrate".into(), ..Operation::default() };
            return Ok(Planned::unchanged(op, format!("nothing to migrate: every manifest is at schema {CURRENT_SCHEMA}")));
        }
        files.insert(FLAKE_NIX.to_string(), Some(regenerate_flake(repo, &summaries_of(&manifests))?));
        Ok(Planned {
            op: Operation { kind: "migrate".into(), summary: format!("glix migrate: {}", upgraded.join(", ")), ..Operation::default() },
            files,
            lock: LockStep::Lock,
            warnings: vec![],
            after: vec![],
            unchanged: None,
        })
    })
}
