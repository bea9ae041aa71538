//! `glix add`: resolve a reference, add the package to a host's manifest, regenerate
//! the regions, lock, commit.

use std::collections::BTreeMap;

use super::state::{load_for_edit, regenerate_one, remember_edit, user_inputs, HostEdit};
use super::summary::HostSummary;
use super::{mutate, Context, LockStep, OpError, Outcome, Planned, Refusal, FLAKE_NIX};
use crate::flakeref;
use crate::ident;
use crate::manifest::{Package, Scope};
use crate::repo::Repo;
use crate::resolve::{self, ResolveOptions};
use crate::txn::Operation;

#[derive(Debug, Clone, Default)]
pub struct AddRequest {
    pub host: Option<String>,
    /// What the user typed: a flake URI or a name.
    pub typed: String,
    pub scope: Option<Scope>,
    pub user: Option<String>,
    pub name: Option<String>,
    pub output: Option<String>,
    pub config: Vec<(String, String)>,
}

pub fn add(ctx: &Context, req: &AddRequest, resolve_opts: &ResolveOptions) -> Result<Outcome, OpError> {
    // Resolving may wait on the network and reads nothing of the repo: do it before
    // taking the repo lock.
    super::config::check_keys(&req.config)?;
    let res = resolve::resolve(&req.typed, resolve_opts)?;
    mutate(ctx, |repo| {
        let host = repo.choose_host(req.host.as_deref())?;
        let HostEdit { mut doc, others: mut all, flake_text } = load_for_edit(repo, &host)?;
        let flake = res.flake.to_url();
        let scope = req.scope.or(res.default_scope).unwrap_or(Scope::System);
        let output = req.output.clone().or_else(|| res.output.clone()).unwrap_or_else(|| scope.default_output().to_string());
        let name = req.name.clone().unwrap_or_else(|| res.name_hint.clone());
        if !ident::is_valid_name(&name) {
            return Err(Refusal::InvalidPackageName(name).into());
        }
        let user = match (scope, &req.user) {
            (Scope::System, Some(u)) => {
                return Err(Refusal::UserOnSystemScope(u.clone()).into());
            }
            (Scope::Home, Some(u)) => Some(u.clone()),
            (Scope::Home, None) => match doc.manifest().host.default_user.clone() {
                Some(u) => Some(u),
                // home-manager needs a user to put the module under.
                None => return Err(Refusal::NoDefaultUser(host).into()),
            },
            (Scope::System, None) => None,
        };
        if let Some(existing) = doc.manifest().packages.values().find(|p| p.flake == flake && p.output == output && p.scope == scope && p.user == user) {
            return Err(Refusal::AlreadyPresent { flake, output, host, name: existing.name.clone() }.into());
        }
        // Every host once, read-only: for the input name and the regions.
        let before = HostSummary::of(doc.manifest());
        all.insert(host.clone(), before.clone());
        let input = choose_input(&flake_text, &all, &res.flake)?;
        let pkg = Package {
            name: name.clone(),
            flake: flake.clone(),
            input,
            scope,
            user,
            source: res.source,
            output,
            enable: true,
            config: req.config.iter().cloned().collect(),
        };
        doc.add_package(&pkg)?;
        let text = doc.text();
        let (summary, remember) = remember_edit(repo, &host, doc, &text);
        all.insert(host.clone(), summary);
        let (flake_nix, mut warnings) = regenerate_one(&flake_text, &mut all, &host, Some(before))?;
        warnings.splice(0..0, res.warnings.iter().cloned());
        let files = BTreeMap::from([(Repo::manifest_rel(&host), Some(text)), (FLAKE_NIX.to_string(), Some(flake_nix))]);
        Ok(Planned {
            op: Operation {
                kind: "add".into(),
                host: Some(host.clone()),
                package: Some(name.clone()),
                reference: Some(flake.clone()),
                undoes: None,
                summary: format!("glix add {host}: {name} ({flake})"),
            },
            files,
            lock: LockStep::Lock,
            warnings,
            after: vec![remember],
            unchanged: None,
        })
    })
}

/// The input for a flake: the one any host already uses for it, else a new name that
/// no other flake (and none of the user's own inputs) uses.
fn choose_input(flake_text: &str, all: &BTreeMap<String, HostSummary>, r: &flakeref::FlakeRef) -> Result<String, OpError> {
    let url = r.to_url();
    let packages = || all.values().flat_map(|s| s.packages());
    if let Some(p) = packages().find(|p| p.flake == url) {
        return Ok(p.input.to_string());
    }
    let reserved = user_inputs(flake_text)?;
    Ok(flakeref::input_name(r, |cand| reserved.contains(cand) || packages().any(|p| p.input == cand && p.flake != url)))
}
