//! The normalized manifest: defaults filled in, older schemas migrated. Its JSON form
//! (`glix manifest show --json`) and the plugin's Nix attrset are the same data.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// Always the current schema: the normalized model is what a current file says.
    pub schema: i64,
    pub host: HostSettings,
    /// Keyed by package name, so iteration order is the name order Nix uses too.
    pub packages: BTreeMap<String, Package>,
    /// The schema the file itself declares (older files are migrated on load).
    #[serde(skip, default = "current_schema")]
    pub file_schema: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HostSettings {
    pub default_user: Option<String>,
    pub system: Option<String>,
    /// Where `glix switch` deploys this host (`nixos-rebuild --target-host`).
    /// Added in schema 1 with a default, so no schema bump.
    #[serde(default)]
    pub target_host: Option<String>,
    /// The host's tags (`tags = ["web", "eu"]`): what `glix switch --all --on @web`
    /// selects, and colmena's `deployment.tags`. Names as [`crate::ident::is_valid_name`]
    /// says. Added in schema 1 with a default (none), so no schema bump.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Build the system on the target rather than here (colmena's
    /// `deployment.buildOnTarget`; deploy-rs's `remoteBuild`). Default false; schema 1,
    /// no bump.
    #[serde(default)]
    pub build_on_target: bool,
}

/// An entry of `[packages]`: a module (`kind = "module"`, the default) or a package
/// (`kind = "package"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Package {
    pub name: String,
    pub kind: Kind,
    /// The resolved (direct) flake reference. `None` only for a package of the host's
    /// own nixpkgs (its `pkgs`, so `nixpkgs.config` and overlays apply).
    pub flake: Option<String>,
    /// The flake input the entry is reached through; set exactly when `flake` is.
    pub input: Option<String>,
    pub scope: Scope,
    /// Home scope: the package's user, else the host's default user; `None` when
    /// neither is set (the caller's default user applies then). Always `None` for
    /// system scope.
    pub user: Option<String>,
    /// How `glix add` resolved the reference (for `glix list` and audits).
    pub source: Source,
    /// A module's attribute path inside the input, e.g. `nixosModules.default`
    /// (`None` for a package).
    pub output: Option<String>,
    /// A package's attribute path: under `packages.<system>`, else
    /// `legacyPackages.<system>`, of the input, or in the host's `pkgs` (`None` for a
    /// module).
    pub attr: Option<String>,
    /// Whether the entry's flake input follows the repo's `nixpkgs`
    /// (`inputs.<input>.inputs.nixpkgs.follows = "nixpkgs"`). Default: true for a
    /// package from a flake, false for a module (modules added before packages existed
    /// keep their flake.nix lines).
    pub follow_nixpkgs: bool,
    pub enable: bool,
    /// Handed to the module as its `glixConfig` argument (always empty for a package).
    pub config: BTreeMap<String, String>,
}

impl Package {
    /// The input and flake of an entry reached through a flake input.
    pub fn flake_input(&self) -> Option<(&str, &str)> {
        Some((self.input.as_deref()?, self.flake.as_deref()?))
    }

    /// Where the entry comes from, for people: `github:o/r#ripgrep`, `nixpkgs#hello`,
    /// `github:o/r (homeModules.default)`.
    pub fn origin(&self) -> String {
        let flake = self.flake.as_deref().unwrap_or("nixpkgs");
        match (self.kind, &self.attr, &self.output) {
            (Kind::Package, Some(a), _) => format!("{flake}#{a}"),
            (_, _, Some(o)) if self.scope.default_output() != o => format!("{flake} ({o})"),
            _ => flake.to_string(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A NixOS module (system scope) or a home-manager module (home scope).
    Module,
    /// A derivation put into `environment.systemPackages` or the user's `home.packages`.
    Package,
}

impl Kind {
    pub const ALL: [Kind; 2] = [Kind::Module, Kind::Package];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Module => "module",
            Kind::Package => "package",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    System,
    Home,
}

impl Scope {
    pub const ALL: [Scope; 2] = [Scope::System, Scope::Home];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::System => "system",
            Scope::Home => "home",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// The output a package provides for this scope unless the manifest says otherwise.
    pub fn default_output(self) -> &'static str {
        match self {
            Scope::System => "nixosModules.default",
            Scope::Home => "homeManagerModules.default",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// The user typed a flake URI.
    Uri,
    /// Found in the glix registry index.
    Registry,
    /// Found in Nix's flake registry.
    NixRegistry,
    /// A bare name found among the packages of the repo's locked nixpkgs.
    Nixpkgs,
}

impl Source {
    pub const ALL: [Source; 4] = [Source::Uri, Source::Registry, Source::NixRegistry, Source::Nixpkgs];

    pub fn as_str(self) -> &'static str {
        match self {
            Source::Uri => "uri",
            Source::Registry => "registry",
            Source::NixRegistry => "nix-registry",
            Source::Nixpkgs => "nixpkgs",
        }
    }

    pub fn parse(s: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

fn current_schema() -> i64 {
    super::CURRENT_SCHEMA
}
