//! From a normalized manifest to the per-package plan `lib.importManifest` turns into
//! modules: for each enabled entry, what it is (a module, or a package), which flake
//! input and output or attribute it comes from, for which scope and user, with which
//! config. Disabled entries are left out.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::manifest::{Kind, Manifest, Scope};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanEntry {
    pub name: String,
    pub kind: Kind,
    /// `None`: a package of the host's own `pkgs`.
    pub input: Option<String>,
    /// A module's output attribute path, split at the dots: `["nixosModules",
    /// "default"]`; empty for a package.
    pub output: Vec<String>,
    /// A package's attribute path, split at the dots: `["python3Packages",
    /// "requests"]`; empty for a module.
    pub attr: Vec<String>,
    pub scope: Scope,
    /// Set for home scope, `None` for system scope.
    pub user: Option<String>,
    pub config: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("glix: package '{package}' uses flake input '{input}', which is not an input of this flake; run `glix doctor --fix` (it regenerates the inputs region and re-locks)")]
    MissingInput { package: String, input: String },
    #[error("glix: package '{package}' has scope \"home\" but no user; set `user` on the package, `default-user` under [host], or pass defaultUser to importManifest")]
    NoUser { package: String },
    #[error("glix: importManifest's defaultUser \"{0}\" is not a valid user name (lowercase letters, digits, '_' and '-', starting with a letter or '_')")]
    InvalidDefaultUser(String),
}

/// The plan for every enabled package, in name order. `inputs` are the names of the
/// flake's inputs; `default_user` applies to home packages that name no user.
pub fn plan(manifest: &Manifest, inputs: &BTreeSet<String>, default_user: Option<&str>) -> Result<Vec<PlanEntry>, PlanError> {
    // It becomes an attribute name under home-manager.users, as a manifest's user does.
    if let Some(u) = default_user.filter(|u| !crate::ident::is_valid_user(u)) {
        return Err(PlanError::InvalidDefaultUser(u.to_string()));
    }
    manifest
        .packages
        .values()
        .filter(|p| p.enable)
        .map(|p| {
            if let Some(input) = p.input.as_deref().filter(|i| !inputs.contains(*i)) {
                return Err(PlanError::MissingInput { package: p.name.clone(), input: input.to_string() });
            }
            let user = match p.scope {
                Scope::System => None,
                Scope::Home => Some(p.user.clone().or_else(|| default_user.map(str::to_string)).ok_or_else(|| PlanError::NoUser { package: p.name.clone() })?),
            };
            Ok(PlanEntry {
                name: p.name.clone(),
                kind: p.kind,
                input: p.input.clone(),
                output: split(p.output.as_deref()),
                attr: split(p.attr.as_deref()),
                scope: p.scope,
                user,
                config: p.config.clone(),
            })
        })
        .collect()
}

/// `a.b.c` → `["a", "b", "c"]`; nothing → `[]`.
fn split(path: Option<&str>) -> Vec<String> {
    path.map(|p| p.split('.').map(str::to_string).collect()).unwrap_or_default()
}

/// What `lib.importManifest` needs in one step: the normalized manifest and the plan
/// for the given inputs. The manifest's own `default-user` wins over the caller's
/// because loading already gave it to every home package without a `user`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Imported {
    pub manifest: Manifest,
    pub plan: Vec<PlanEntry>,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Manifest(#[from] crate::manifest::ManifestError),
    #[error(transparent)]
    Plan(#[from] PlanError),
}

pub fn import(text: &str, origin: &str, inputs: &BTreeSet<String>, default_user: Option<&str>) -> Result<Imported, ImportError> {
    let manifest = crate::manifest::load_str(text, origin)?;
    let plan = plan(&manifest, inputs, default_user)?;
    Ok(Imported { manifest, plan })
}
