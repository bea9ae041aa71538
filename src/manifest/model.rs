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
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Package {
    pub name: String,
    /// The resolved (direct) flake reference.
    pub flake: String,
    /// The flake input the package is reached through.
    pub input: String,
    pub scope: Scope,
    /// Home scope: the package's user, else the host's default user; `None` when
    /// neither is set (the caller's default user applies then). Always `None` for
    /// system scope.
    pub user: Option<String>,
    /// How `glix add` resolved the reference (for `glix list` and audits).
    pub source: Source,
    /// Output attribute path inside the input, e.g. `nixosModules.default`.
    pub output: String,
    pub enable: bool,
    /// Handed to the package's module as its `glixConfig` argument.
    pub config: BTreeMap<String, String>,
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
}

impl Source {
    pub const ALL: [Source; 3] = [Source::Uri, Source::Registry, Source::NixRegistry];

    pub fn as_str(self) -> &'static str {
        match self {
            Source::Uri => "uri",
            Source::Registry => "registry",
            Source::NixRegistry => "nix-registry",
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
